"""REFI-QDA project export (issue 12 item 2): the file validates against the official
schema, selections point at the right characters, users carry the raters, blinding
holds, the output is deterministic, and an unwritable target leaves nothing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from exchange_data import DATA, NS, import_sample_codes, qde, source_texts
from lxml import etree

from coder.app import exchange_codebook, exchange_export
from coder.app.export import ExportOptions
from coder.app.identity import ActingRater
from coder.domain.errors import CoderError, FileAccessError
from coder.io.refi import stable_guid
from coder.store.database import ProjectDatabase


@pytest.fixture
def coded(coded_db: ProjectDatabase, lead: ActingRater, tmp_path: Path) -> ProjectDatabase:
    return import_sample_codes(coded_db, lead, tmp_path)


def test_qdpx_validates_and_selections_hold_the_evidence(
    coded: ProjectDatabase, lead: ActingRater, tmp_path: Path
) -> None:
    out = tmp_path / "p.qdpx"
    result = exchange_export.export_qdpx(coded, out, ExportOptions(), lead)
    assert (result.codings, result.users) == (5, 2)
    tree = qde(out)
    etree.XMLSchema(etree.parse(str(DATA / "Project-mrt2019.xsd"))).assertValid(tree)
    users = {u.get("name"): u.get("guid") for u in tree.iterfind(".//q:User", NS)}
    assert users == {n: stable_guid("rater", n) for n in ("Ada", "Ben")}
    texts = source_texts(out)
    evidence = [
        s
        for s in tree.iterfind(".//q:PlainTextSelection", NS)
        if "evidence: yes" in (s.findtext("q:Description", namespaces=NS) or "")
    ]
    assert len(evidence) == 1
    sel = evidence[0]
    text = texts[sel.getparent().get("guid")]
    assert text[int(sel.get("startPosition")) : int(sel.get("endPosition"))] == "Fine."
    assert sel.find("q:Coding", NS).get("creatingUser") == users["Ada"]
    memo_ref = sel.find("q:NoteRef", NS).get("targetGUID")
    note = tree.find(f".//q:Note[@guid='{memo_ref}']", NS)
    assert note.findtext("q:PlainTextContent", namespaces=NS) == "short answer"
    rating = [
        s
        for s in tree.iterfind(".//q:PlainTextSelection", NS)
        if "value: 3" in (s.findtext("q:Description", namespaces=NS) or "")
    ]
    assert len(rating) == 1  # the W_SIG rating travels with its value
    # session globals are also document variables: patient, session, G_W by Ben
    variables = {v.get("name"): v.get("guid") for v in tree.iterfind(".//q:Variable", NS)}
    assert set(variables) == {"patient", "session", "G_W Ben"}
    session2 = tree.find(".//q:TextSource[@name='P01_S2']", NS)
    given = {
        vv.find("q:VariableRef", NS).get("targetGUID"): vv[1].text
        for vv in session2.iterfind("q:VariableValue", NS)
    }
    assert given == {
        variables["patient"]: "P01",
        variables["session"]: "2",
        variables["G_W Ben"]: "4",
    }
    # the codebook's groups are parent codes
    parents = tree.findall("q:CodeBook/q:Codes/q:Code", NS)
    assert all(p.get("isCodable") == "false" and p.findall("q:Code", NS) for p in parents)
    # deterministic: the same project exported again gives the same bytes
    again = exchange_export.export_qdpx(coded, tmp_path / "again.qdpx", ExportOptions(), lead)
    assert again.path.read_bytes() == out.read_bytes()


def test_blinded_rater_exports_only_own_codes(
    coded: ProjectDatabase, ada: ActingRater, tmp_path: Path
) -> None:
    out = tmp_path / "ada.qdpx"
    result = exchange_export.export_qdpx(coded, out, ExportOptions(), ada)
    assert (result.codings, result.users) == (2, 1)  # not Ben's C1, W2 and G_W
    names = {u.get("name") for u in qde(out).iterfind(".//q:User", NS)}
    assert names == {"Ada"}
    with pytest.raises(CoderError):
        exchange_export.export_qdpx(coded, tmp_path / "ben.qdpx", ExportOptions(rater="Ben"), ada)
    assert not (tmp_path / "ben.qdpx").exists()


def test_unwritable_output_is_refused_and_leaves_nothing(
    coded: ProjectDatabase, lead: ActingRater, tmp_path: Path
) -> None:
    folder = tmp_path / "dir.qdpx"
    folder.mkdir()
    with pytest.raises(FileAccessError, match=r"dir\.qdpx"):
        exchange_export.export_qdpx(coded, folder, ExportOptions(), lead)
    with pytest.raises(FileAccessError, match="nowhere"):
        exchange_codebook.export_qdc(coded, tmp_path / "nowhere" / "c.qdc")
    if os.geteuid() != 0:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        with pytest.raises(FileAccessError, match="locked"):
            exchange_export.export_qdpx(coded, locked / "p.qdpx", ExportOptions(), lead)
        assert list(locked.iterdir()) == []
