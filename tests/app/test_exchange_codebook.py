"""The REFI-QDA codebook both ways: a project's ``.qdc`` validates and becomes a valid
draft scheme again; the published example codebook becomes a valid draft scheme."""

from __future__ import annotations

from pathlib import Path

import pytest
from exchange_data import DATA, SHARED, import_sample_codes
from lxml import etree

from coder.app import exchange_codebook, schemes
from coder.app.identity import ActingRater
from coder.store.database import ProjectDatabase


@pytest.fixture
def coded(coded_db: ProjectDatabase, lead: ActingRater, tmp_path: Path) -> ProjectDatabase:
    return import_sample_codes(coded_db, lead, tmp_path)


def test_qdc_validates_and_becomes_a_valid_draft_scheme(
    coded: ProjectDatabase, tmp_path: Path
) -> None:
    out = exchange_codebook.export_qdc(coded, tmp_path / "c.qdc", "3rs-2015").path
    etree.XMLSchema(etree.parse(str(DATA / "Codebook-mrt2019.xsd"))).assertValid(
        etree.parse(str(out))
    )
    draft = exchange_codebook.codebook_to_scheme(out, tmp_path / "draft.yaml")
    [result] = schemes.validate_files([draft])
    assert result.problems == (), result.problems
    text = draft.read_text(encoding="utf-8")
    assert "id: W1" in text and "name: Denial" in text


@pytest.mark.skipif(
    not SHARED.is_dir(), reason="../shared/refi-qda (the published examples) is absent"
)
def test_published_codebook_becomes_a_draft_scheme(tmp_path: Path) -> None:
    draft = exchange_codebook.codebook_to_scheme(
        SHARED / "examples" / "refi-qda-1.5_annexA1_codebook.qdc", tmp_path / "d.yaml"
    )
    assert schemes.validate_files([draft])[0].problems == ()
    assert "Health care" in draft.read_text(encoding="utf-8")
