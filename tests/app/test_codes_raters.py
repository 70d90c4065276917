"""Whose codes a codes table holds (coder.app.codes_raters): rater names matched exactly
with a suggestion, an identity in a project with a lead, one's own codes only, raters
created by a lead alone, and the consensus as a reserved identity."""

from __future__ import annotations

from pathlib import Path

import pytest
from backend import NewProject
from codes_data import HEADER, TRANSCRIPT, rows, setup_project, stored_codes, write

from coder.app import codes, identity, importing, projects, raters
from coder.app.access import IdentityRequired, NotAllowed
from coder.app.identity import ActingRater
from coder.app.importing import ImportOptions
from coder.domain.errors import CoderError
from coder.domain.roles import RaterRole
from coder.io.codes_csv import CodesFileError
from coder.store.database import ProjectDatabase


def test_unknown_raters_are_refused_with_a_suggestion(
    new_project: NewProject, tmp_path: Path
) -> None:
    db = setup_project(new_project, tmp_path)
    raters.add_rater(db, "Ada Lovelace", "AL")
    text = (
        HEADER + "P01,1,ada lovelace,W2,segment,1,1,,,,\n"
        "P01,1,Ada Lovelace,W3,segment,1,1,,,,\n"
        "P01,1,ada lovelace,W4,segment,1,1,,,,\n"
        "P01,1,ada lovelace,W5,segment,1,1,,,,\n"
        "P01,1, Ada Lovlace ,W1,segment,2,1,,,,\n"
        "P01,1,Zed,W1,segment,2,1,,,,\n"
    )
    with pytest.raises(CodesFileError) as info:
        codes.import_codes(db, write(tmp_path, text))
    assert info.value.problems == [
        "lines 2, 4-5: no rater named 'ada lovelace' in the project; did you mean 'Ada Lovelace'?",
        "line 6: no rater named 'Ada Lovlace' in the project; did you mean 'Ada Lovelace'?",
        "line 7: no rater named 'Zed' in the project "
        "(add the rater first, or let the import create raters: --create-raters)",
    ]
    with pytest.raises(CodesFileError, match="differing only in case is not created"):
        codes.import_codes(db, write(tmp_path, text), create_raters=True)
    assert [r.name for r in raters.list_raters(db)] == ["Ada Lovelace"]
    assert projects.counts(db).codes == 0
    db.close()


def test_a_project_with_a_lead_needs_an_identity(coded_db: ProjectDatabase, tmp_path: Path) -> None:
    path = write(tmp_path, rows("P01,1,Ada,W1,segment,1,1,,,"))
    with pytest.raises(IdentityRequired, match="--as NAME"):
        codes.import_codes(coded_db, path)
    assert stored_codes(coded_db) == []


def test_a_rater_imports_only_their_own_codes(
    coded_db: ProjectDatabase, ada: ActingRater, tmp_path: Path
) -> None:
    text = rows(
        "P01,1,Ada,W1,segment,1,1,,,",
        "P01,1,Ben,W2,segment,1,1,,,",
        "P01,1,Ben,W3,segment,1,1,,,",
        "P01,1,Lee,W4,segment,1,1,,,",
        "P01,1,Ada,W5,segment,1,1,,,",
        "P01,1,Ben,W6,segment,2,1,,,",
    )
    with pytest.raises(NotAllowed) as info:
        codes.import_codes(coded_db, write(tmp_path, text), ada)
    assert isinstance(info.value, CodesFileError) and "codes.csv" in str(info.value)
    assert info.value.problems == [
        "lines 3-4, 7: these are 'Ben''s codes: Ada can import only their own "
        "(someone else's codes only a lead can import)",
        "line 5: these are 'Lee''s codes: Ada can import only their own "
        "(a lead's codes only a lead can import)",
    ]
    assert stored_codes(coded_db) == []
    own = rows("P01,1,Ada,W1,segment,1,1,,,", "P01,2,Ada,W5,segment,1,1,,,")
    assert codes.import_codes(coded_db, write(tmp_path, own), ada).rows == 2
    assert stored_codes(coded_db) == [("Ada", "rater", "W1", None), ("Ada", "rater", "W5", None)]


def test_a_lead_imports_anyones_codes_but_creates_raters_alone(
    coded_db: ProjectDatabase, ada: ActingRater, lead: ActingRater, tmp_path: Path
) -> None:
    text = rows("P01,1,Ada,W1,segment,1,1,,,", "P01,1,Lee,W2,segment,1,1,,,")
    assert codes.import_codes(coded_db, write(tmp_path, text), lead).rows == 2
    newcomer = write(tmp_path, rows("P01,1,Cy,W1,segment,1,1,,,"), "new.csv")
    with pytest.raises(NotAllowed, match="only a lead can create raters"):
        codes.import_codes(coded_db, newcomer, ada, create_raters=True)
    with pytest.raises(CodesFileError, match="no rater named 'Cy'"):
        codes.import_codes(coded_db, newcomer, lead)
    result = codes.import_codes(coded_db, newcomer, lead, create_raters=True)
    assert (result.rows, result.new_raters) == (1, ("Cy",))
    assert raters.get_rater(coded_db, "Cy").role is RaterRole.RATER


def test_consensus_is_a_reserved_identity(
    coded_db: ProjectDatabase, ada: ActingRater, lead: ActingRater, tmp_path: Path
) -> None:
    text = rows("P01,1,Consensus,W_SIG,segment,1,4,,,", "P01,1,Consensus,W1,segment,1,1,,,")
    path = write(tmp_path, text)
    with pytest.raises(NotAllowed, match=r"lines 2-3: 'Consensus' is the consensus; only a lead"):
        codes.import_codes(coded_db, path, ada)
    assert codes.import_codes(coded_db, path, lead).rows == 2
    assert stored_codes(coded_db) == [
        ("Consensus", "consensus", "W1", None),
        ("Consensus", "consensus", "W_SIG", None),
    ]
    # the consensus service finds the same pseudo-rater: no second "Consensus"
    assert identity.consensus_coder(coded_db).role is RaterRole.CONSENSUS
    assert [r.name for r in raters.list_raters(coded_db)].count("Consensus") == 1
    result = codes.import_codes(coded_db, path, lead)
    assert (result.rows, result.already_present) == (0, 2)


def test_consensus_is_never_made_an_ordinary_rater(db: ProjectDatabase, tmp_path: Path) -> None:
    """Without a lead nobody may import consensus codes, not even with --create-raters."""
    source = tmp_path / "P01_S1.txt"
    source.write_text(TRANSCRIPT, encoding="utf-8")
    assert importing.import_file(db, source, ImportOptions(pattern="{patient}_S{session}")).ok
    for name in ("Consensus", "consensus"):
        path = write(tmp_path, rows(f"P01,1,{name},W1,segment,1,1,,,"))
        with pytest.raises(CoderError, match="consensus"):
            codes.import_codes(db, path, create_raters=True)
    assert raters.list_raters(db) == []
