"""The long codes table: validated import, lossless export -> import -> export."""

from __future__ import annotations

import csv
import errno
import os
from pathlib import Path
from typing import Any

import pytest
from backend import NewProject
from sqlalchemy import event, select

from coder.app import codes, identity, importing, projects, raters, rounds
from coder.app.access import IdentityRequired, NotAllowed
from coder.app.identity import ActingRater
from coder.app.importing import ImportOptions
from coder.domain.coding import RoundStatus
from coder.domain.errors import CoderError, NotFoundError
from coder.domain.roles import RaterRole
from coder.io.codes_csv import EXPORT_COLUMNS, REQUIRED, CodesFileError
from coder.store.database import ProjectDatabase
from coder.store.models import CodeApplicationRow, RaterRow, RoundRow

TRANSCRIPT = """\
[00:00:05] T: How have things been since last week?
[00:00:12] P: Fine. I guess.
[00:02:40] T: You said fine, but you sound tired.
[00:05:10] P: I don't want to talk about it. Can we talk about work instead?
[00:06:00] T: We can. I notice we moved away from how you feel, though.
"""

HEADER = (
    "patient,session,rater,code,unit,unit_index,value,scheme,evidence_start,evidence_end,memo\n"
)
GOOD = HEADER + (
    "P01,1,Ada,W2,segment,1,1,,2:0,2:5,terse\n"
    "P01,1,Ada,W_SIG,segment,1,3,,,,\n"
    'P01,1,Ada,W4,segment,2,1,3rs-2015,4:33,4:62,"asks to change topic, ""work"""\n'
    "P01,1,Ada,R4,turn,5,1,,,,\n"
    "P01,1,Ada,G_RESOLVED,session,1,NA,,,,\n"
    "P01,1,Bo Chen,W2,segment,1,1,,,,\n"
    "P01,1,Bo Chen,W_SIG,segment,1,2,,,,\n"
    "P01,1,Bo Chen,C1,segment,2,0,,,,\n"
)


def setup_project(db: ProjectDatabase, tmp: Path) -> ProjectDatabase:
    source = tmp / "P01_S1.txt"
    source.write_text(TRANSCRIPT, encoding="utf-8")
    assert importing.import_file(db, source, ImportOptions(pattern="{patient}_S{session}")).ok
    return db


def write(tmp: Path, text: str, name: str = "codes.csv") -> Path:
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return path


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_import_creates_raters_and_skips_absent(tmp_path: Path, new_project: NewProject) -> None:
    db = setup_project(new_project("p"), tmp_path)
    raters.add_rater(db, "Ada", "AL")
    result = codes.import_codes(db, write(tmp_path, GOOD), create_raters=True)
    assert (result.rows, result.skipped_absent, result.new_raters) == (7, 1, ("Bo Chen",))
    assert result.already_present == 0
    assert raters.get_rater(db, "Bo Chen").initials == "BC"
    assert projects.counts(db).codes == 7
    db.close()


def test_export_import_export_is_lossless(tmp_path: Path, new_project: NewProject) -> None:
    first = setup_project(new_project("a"), tmp_path)
    codes.import_codes(first, write(tmp_path, GOOD), create_raters=True)
    out1 = tmp_path / "out1.csv"
    assert codes.export_codes(first, out1) == 7
    first.close()
    rows1 = read_rows(out1)
    assert list(rows1[0]) == list(EXPORT_COLUMNS)
    w4 = next(r for r in rows1 if r["code"] == "W4")
    assert (w4["evidence_start"], w4["evidence_end"]) == ("4:33", "4:62")
    assert w4["memo"] == 'asks to change topic, "work"'
    assert w4["code_name"] and w4["code_group"] == "withdrawal"
    assert (w4["segment_start_ms"], w4["segment_end_ms"]) == ("300000", "600000")
    assert next(r for r in rows1 if r["code"] == "G_RESOLVED")["value"] == "NA"

    fresh = tmp_path / "fresh"
    fresh.mkdir()
    second = setup_project(new_project("b"), fresh)
    assert codes.import_codes(second, out1, create_raters=True).rows == 7
    out2 = tmp_path / "out2.csv"
    codes.export_codes(second, out2)
    second.close()
    assert out1.read_text(encoding="utf-8") == out2.read_text(encoding="utf-8")


def test_export_filters_by_rater(tmp_path: Path, new_project: NewProject) -> None:
    db = setup_project(new_project("p"), tmp_path)
    codes.import_codes(db, write(tmp_path, GOOD), create_raters=True)
    out = tmp_path / "ada.csv"
    assert codes.export_codes(db, out, ["Ada"]) == 5
    assert {r["rater"] for r in read_rows(out)} == {"Ada"}
    with pytest.raises(NotFoundError, match="no rater named 'ada'; did you mean 'Ada'"):
        codes.export_codes(db, tmp_path / "typo.csv", ["ada"])  # exact names, not empty files
    assert not (tmp_path / "typo.csv").exists()
    db.close()


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("P01,1,Ada,W99,segment,1,1,,,,", "line 2: code 'W99' is not in scheme 3rs-2015"),
        ("P02,1,Ada,W1,segment,1,1,,,,", "line 2: no session 1 for patient 'P02'"),
        ("P01,4,Ada,W1,segment,1,1,,,,", "line 2: no session 4 for patient 'P01'"),
        ("P01,1,Ada,W1,segment,9,1,,,,", "line 2: session 1 of P01 has no segment 9"),
        ("P01,1,Ada,W1,turn,99,1,,,,", "line 2: session 1 of P01 has no turn 99"),
        ("P01,1,Ada,W_SIG,segment,1,7,,,,", "line 2: W_SIG must be from 1 to 5, not 7"),
        ("P01,1,Ada,W1,segment,1,2,,,,", "line 2: W1 is a presence code"),
        ("P01,1,Ada,W1,segment,1,1,,2:0,2:500,", "line 2: evidence runs past the end of turn 2"),
        ("P01,1,Ada,W1,segment,1,1,,2:0,3:4,", "spans two turns"),
        ("P01,1,Ada,W1,chunk,1,1,,,,", "line 2: unit 'chunk' must be one of"),
        ("P01,x,Ada,W1,segment,1,1,,,,", "line 2: session 'x' is not a number"),
        ("P01,1,Ada,W1,segment,1,1,nope,,,", "line 2: the project has no scheme 'nope'"),
        ("P01,1,Ada,G_W,session,2,3,,,,", "a session-level rating has unit_index 1"),
    ],
)
def test_bad_rows_name_the_line_and_write_nothing(
    tmp_path: Path, row: str, message: str, new_project: NewProject
) -> None:
    db = setup_project(new_project("p"), tmp_path)
    path = write(tmp_path, HEADER + row + "\n" + "P01,1,Ada,W2,segment,1,1,,,,\n")
    with pytest.raises(CoderError) as info:
        codes.import_codes(db, path, create_raters=True)
    assert message in str(info.value) and "codes.csv" in str(info.value)
    assert projects.counts(db).codes == 0 and projects.counts(db).raters == 0
    db.close()


def test_all_problems_are_collected(tmp_path: Path, new_project: NewProject) -> None:
    db = setup_project(new_project("p"), tmp_path)
    text = (
        HEADER + "P01,1,Ada,W99,segment,1,1,,,,\nP01,1,Ada,W_SIG,segment,1,3,,,,\n"
        "P01,1,Ada,W_SIG,segment,1,4,,,,\nP09,1,Ada,W1,segment,1,1,,,,\n"
    )
    with pytest.raises(CodesFileError) as info:
        codes.import_codes(db, write(tmp_path, text), create_raters=True)
    assert len(info.value.problems) == 3
    assert (
        "line 4: W_SIG is rated twice for segment 1 by Ada (first on line 3)" in info.value.problems
    )
    db.close()


def test_file_level_problems(tmp_path: Path, new_project: NewProject) -> None:
    db = setup_project(new_project("p"), tmp_path)
    with pytest.raises(CoderError, match=r"missing required column.*unit_index"):
        codes.import_codes(db, write(tmp_path, "patient,session,rater,code,unit,value\n"))
    with pytest.raises(CoderError, match="empty"):
        codes.import_codes(db, write(tmp_path, "\n"))
    with pytest.raises(CoderError, match="no such file"):
        codes.import_codes(db, tmp_path / "missing.csv")
    bad = tmp_path / "latin.csv"
    bad.write_bytes((",".join(REQUIRED) + "\nP01,1,Ren\xe9,W1,segment,1,1\n").encode("latin-1"))
    with pytest.raises(CoderError, match="not UTF-8"):
        codes.import_codes(db, bad)
    db.close()


def test_export_replaces_atomically_and_refuses_missing_folder(
    tmp_path: Path, new_project: NewProject
) -> None:
    db = setup_project(new_project("p"), tmp_path)
    out = tmp_path / "out.csv"
    out.write_text("old export")
    codes.export_codes(db, out)
    assert read_rows(out) == [] and out.read_text().startswith("patient,session")
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    with pytest.raises(CoderError, match="folder does not exist"):
        codes.export_codes(db, tmp_path / "nope" / "out.csv")
    db.close()


def test_file_refusals_are_said_in_words_naming_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, new_project: NewProject
) -> None:
    db = setup_project(new_project("p"), tmp_path)
    folder = tmp_path / "exports"
    folder.mkdir()
    with pytest.raises(CoderError, match="is a folder; choose a file name") as info:
        codes.export_codes(db, folder)
    assert info.value.path == str(folder) and list(folder.iterdir()) == []
    with pytest.raises(CoderError, match="is a folder, not a file"):
        codes.import_codes(db, folder)
    real = os.fdopen

    class Full:
        def __init__(self, fh: Any) -> None:
            self.fh = fh

        def __enter__(self) -> Full:
            return self

        def __exit__(self, *_: object) -> None:
            self.fh.close()

        def write(self, _: object) -> int:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("coder.io.atomic.os.fdopen", lambda fd, *a, **k: Full(real(fd, *a, **k)))
    with pytest.raises(CoderError, match="the disk is full"):
        codes.export_codes(db, folder / "codes.csv")
    assert list(folder.iterdir()) == []  # no temporary file left
    db.close()


def test_repeated_stages_and_episode_starts_round_trip(
    tmp_path: Path, new_project: NewProject
) -> None:
    """Stages may oscillate (WS2 twice); an episode starts at its earliest evidence even
    when a rating row about it comes first."""
    db = new_project("p", scheme_ids=("3rs-2015", "safran-muran-stages"))
    source = tmp_path / "P01_S1.txt"
    source.write_text(TRANSCRIPT, encoding="utf-8")
    assert importing.import_file(db, source, ImportOptions(pattern="{patient}_S{session}")).ok
    rows = (
        "P01,1,Ada,EP_RESOLVED,episode,1,1,safran-muran-stages,,,\n"
        "P01,1,Ada,WS1,episode,1,1,safran-muran-stages,2:0,2:5,\n"
        "P01,1,Ada,WS2,episode,1,1,safran-muran-stages,3:0,3:8,\n"
        "P01,1,Ada,WS3,episode,1,1,safran-muran-stages,4:0,4:5,\n"
        "P01,1,Ada,WS2,episode,1,1,safran-muran-stages,5:0,5:6,\n"
    )
    assert codes.import_codes(db, write(tmp_path, HEADER + rows), create_raters=True).rows == 5
    from coder.app import episodes
    from coder.app.coding import CodingSession
    from coder.app.identity import sign_in

    cs = CodingSession(db, sign_in(db, "Ada"), "P01", 1, "safran-muran-stages")
    (view,) = episodes.list_episodes(cs)
    assert (view.start_turn, view.pathway_id) == (2, "withdrawal")
    assert [c.code_id for c in view.stages] == ["WS1", "WS2", "WS3", "WS2"]
    assert len(view.flagged) == 1
    out = tmp_path / "out.csv"
    codes.export_codes(db, out)
    db.close()
    again = new_project("q", scheme_ids=("3rs-2015", "safran-muran-stages"))
    assert importing.import_file(again, source, ImportOptions(pattern="{patient}_S{session}")).ok
    codes.import_codes(again, out, create_raters=True)
    (view2,) = episodes.list_episodes(
        CodingSession(again, sign_in(again, "Ada"), "P01", 1, "safran-muran-stages")
    )
    assert view2.start_turn == 2
    again.close()


# ---- idempotency ------------------------------------------------------------------------
def test_importing_the_same_file_twice_stores_nothing_new(
    tmp_path: Path, new_project: NewProject
) -> None:
    db = setup_project(new_project("p"), tmp_path)
    path = write(tmp_path, GOOD)
    assert codes.import_codes(db, path, create_raters=True).rows == 7
    again = codes.import_codes(db, path)
    assert (again.rows, again.already_present, again.skipped_absent) == (0, 7, 1)
    assert again.new_raters == ()
    assert projects.counts(db).codes == 7
    db.close()


def test_export_then_import_into_the_same_project_doubles_nothing(
    tmp_path: Path, new_project: NewProject
) -> None:
    db = setup_project(new_project("p"), tmp_path)
    codes.import_codes(db, write(tmp_path, GOOD), create_raters=True)
    out = tmp_path / "out.csv"
    assert codes.export_codes(db, out) == 7
    result = codes.import_codes(db, out)
    assert (result.rows, result.already_present) == (0, 7)
    again = tmp_path / "again.csv"
    codes.export_codes(db, again)
    assert again.read_text(encoding="utf-8") == out.read_text(encoding="utf-8")
    db.close()


def test_a_file_with_old_and_new_rows_stores_only_the_new(
    tmp_path: Path, new_project: NewProject
) -> None:
    db = setup_project(new_project("p"), tmp_path)
    codes.import_codes(db, write(tmp_path, GOOD), create_raters=True)
    more = GOOD + "P01,1,Ada,W3,segment,2,1,,,,\nP01,1,Ada,W2,segment,1,1,,2:6,2:10,\n"
    result = codes.import_codes(db, write(tmp_path, more, "more.csv"))
    assert (result.rows, result.already_present) == (2, 7)
    assert projects.counts(db).codes == 9
    db.close()


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            "P01,1,Ada,W_SIG,segment,1,4,,,,",
            "W_SIG for segment 1 by Ada is already stored with value 3 (this row: 4)",
        ),
        (
            "P01,1,Ada,W2,segment,1,1,,2:0,2:5,brief",
            "W2 for segment 1 by Ada is already stored with a different memo",
        ),
        (
            "P01,1,Ada,G_RESOLVED,session,1,1,,,,",
            "G_RESOLVED for session 1 by Ada is already stored with value NA (this row: 1)",
        ),
    ],
)
def test_a_row_contradicting_a_stored_code_is_refused(
    tmp_path: Path, row: str, message: str, new_project: NewProject
) -> None:
    db = setup_project(new_project("p"), tmp_path)
    codes.import_codes(db, write(tmp_path, GOOD), create_raters=True)
    text = HEADER + "P01,1,Ada,W3,segment,2,1,,,,\n" + row + "\n"
    with pytest.raises(CodesFileError) as info:
        codes.import_codes(db, write(tmp_path, text, "changed.csv"))
    assert info.value.problems == [f"line 3: {message}; change it in the app, or remove the row"]
    assert "changed.csv" in str(info.value)
    assert projects.counts(db).codes == 7  # not even the new W3
    db.close()


def test_a_row_repeated_within_the_file_is_refused(tmp_path: Path, new_project: NewProject) -> None:
    db = setup_project(new_project("p"), tmp_path)
    raters.add_rater(db, "Ada", "AL")
    text = (
        HEADER + "P01,1,Ada,W2,segment,1,1,,2:0,2:5,\n"
        "P01,1,Ada,W2,segment,1,1,,2:6,2:9,\n"  # another span: a second application
        "P01,1,Ada,W2,segment,1,1,,2:0,2:5,\n"
        "P01,1,Ada,W3,segment,1,1,,,,\n"
        "P01,1,Ada,W3,segment,1,1,,,,\n"
    )
    with pytest.raises(CodesFileError) as info:
        codes.import_codes(db, write(tmp_path, text))
    assert info.value.problems == [
        "line 4: W2 for segment 1 by Ada with the same evidence repeats line 2",
        "line 6: W3 for segment 1 by Ada repeats line 5",
    ]
    assert projects.counts(db).codes == 0
    db.close()


# ---- unknown raters ---------------------------------------------------------------------
def test_unknown_raters_are_refused_with_a_suggestion(
    tmp_path: Path, new_project: NewProject
) -> None:
    db = setup_project(new_project("p"), tmp_path)
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


# ---- who may import what ----------------------------------------------------------------
LEAD_FILE = HEADER.replace(",memo\n", "\n")


def rows(*lines: str) -> str:
    return LEAD_FILE + "".join(f"{line}\n" for line in lines)


def stored_codes(db: ProjectDatabase) -> list[tuple[str, str, str, int | None]]:
    """(rater, role, code, round number) of every stored code."""
    with db.reading() as session:
        return sorted(
            (name, role, code, number)
            for name, role, code, number in session.execute(
                select(RaterRow.name, RaterRow.role, CodeApplicationRow.code_id, RoundRow.number)
                .join(RaterRow, CodeApplicationRow.rater_id == RaterRow.id)
                .outerjoin(RoundRow, CodeApplicationRow.round_id == RoundRow.id)
            )
        )


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


def test_imports_join_the_open_round_in_assigned_sessions_only(
    coded_db: ProjectDatabase, ada: ActingRater, lead: ActingRater, tmp_path: Path
) -> None:
    rounds.create_round(coded_db, lead, "calibration")
    rounds.assign(coded_db, lead, "Ada", "P01", 1, 1)
    text = rows(
        "P01,1,Ada,W1,segment,1,1,,,",
        "P01,2,Ada,W2,segment,1,1,,,",
        "P01,2,Ada,W3,segment,2,1,,,",
    )
    with pytest.raises(NotAllowed) as info:
        codes.import_codes(coded_db, write(tmp_path, text), ada)
    assert info.value.problems == [  # type: ignore[attr-defined]
        "lines 3-4 (P01 session 2): this session is not assigned to you in round 1"
    ]
    assert codes.import_codes(coded_db, write(tmp_path, rows(text.splitlines()[1])), ada).rows == 1
    # a lead is not bound by assignments; both codes join the open round
    ben_rows = rows("P01,2,Ben,W2,segment,1,1,,,")
    assert codes.import_codes(coded_db, write(tmp_path, ben_rows, "ben.csv"), lead).rows == 1
    assert stored_codes(coded_db) == [("Ada", "rater", "W1", 1), ("Ben", "rater", "W2", 1)]


def test_a_locked_round_takes_no_imported_codes(
    coded_db: ProjectDatabase, ada: ActingRater, lead: ActingRater, tmp_path: Path
) -> None:
    rounds.create_round(coded_db, lead)
    rounds.assign(coded_db, lead, "Ada", "P01", 1, 1)
    first = write(tmp_path, rows("P01,1,Ada,W1,segment,1,1,,,"))
    assert codes.import_codes(coded_db, first, ada).rows == 1
    rounds.set_round_status(coded_db, lead, 1, RoundStatus.LOCKED)
    late = rows("P01,1,Ada,W1,segment,1,1,,,", "P01,1,Ada,W2,segment,2,1,,,")
    for who in (ada, lead):
        with pytest.raises(NotAllowed) as info:
            codes.import_codes(coded_db, write(tmp_path, late, "late.csv"), who)
        assert info.value.problems == [  # type: ignore[attr-defined]
            "line 3 (P01 session 1): round 1 is locked: its sessions take no more changes. "
            "A lead can reopen it."
        ]
        assert "late.csv" in str(info.value)
    again = codes.import_codes(coded_db, first, ada)  # nothing new: nothing to refuse
    assert (again.rows, again.already_present) == (0, 1)
    other = write(tmp_path, rows("P01,2,Ada,W2,segment,2,1,,,"), "other.csv")
    assert codes.import_codes(coded_db, other, ada).rows == 1  # not in the round
    assert stored_codes(coded_db) == [("Ada", "rater", "W1", 1), ("Ada", "rater", "W2", None)]


def test_lookups_do_not_grow_with_the_rows(tmp_path: Path, new_project: NewProject) -> None:
    """Existing codes are looked up once per file, not once per row."""
    db = setup_project(new_project("p"), tmp_path)
    raters.add_rater(db, "Ada", "AL")
    raters.add_rater(db, "Ben", "BO")

    def statements(n_segments: int, name: str) -> int:
        text = HEADER + "".join(
            f"P01,1,{r},{code},segment,{s},1,,,,\n"
            for r in ("Ada", "Ben")
            for s in range(1, n_segments + 1)
            for code in ("W1", "W2", "W3")
        )
        path = write(tmp_path, text, name)
        codes.import_codes(db, path)
        seen: list[str] = []

        def count(*args: object) -> None:
            seen.append(str(args[2]))

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert codes.import_codes(db, path).already_present == 6 * n_segments
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(seen)

    assert statements(1, "one.csv") == statements(2, "two.csv")
    db.close()


def test_a_lead_imports_consensus_codes_after_a_round_is_locked(
    coded_db: ProjectDatabase, ada: ActingRater, lead: ActingRater, tmp_path: Path
) -> None:
    """Consensus codes are made once a round is locked (as coder.app.consensus makes
    them), so the lock that refuses raters' codes does not refuse them; they join no
    round and go to the existing consensus pseudo-rater."""
    consensus = identity.consensus_coder(coded_db)
    rounds.create_round(coded_db, lead)
    rounds.assign(coded_db, lead, "Ada", "P01", 1, 1)
    rounds.set_round_status(coded_db, lead, 1, RoundStatus.LOCKED)
    path = write(tmp_path, rows("P01,1,Consensus,W_SIG,segment,1,4,,,"))
    assert codes.import_codes(coded_db, path, lead).rows == 1
    with coded_db.reading() as session:
        assert session.scalar(select(CodeApplicationRow.rater_id)) == consensus.rater_id
    assert stored_codes(coded_db) == [("Consensus", "consensus", "W_SIG", None)]
