"""The long codes table: validated import, lossless export -> import -> export."""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any

import pytest
from backend import NewProject
from codes_data import GOOD, HEADER, TRANSCRIPT, read_rows, setup_project, write

from coder.app import codes, importing, projects, raters
from coder.app.importing import ImportOptions
from coder.domain.errors import CoderError, NotFoundError
from coder.io.codes_csv import EXPORT_COLUMNS, REQUIRED, CodesFileError


def test_import_creates_raters_and_skips_absent(new_project: NewProject, tmp_path: Path) -> None:
    db = setup_project(new_project, tmp_path)
    raters.add_rater(db, "Ada", "AL")
    result = codes.import_codes(db, write(tmp_path, GOOD), create_raters=True)
    assert (result.rows, result.skipped_absent, result.new_raters) == (7, 1, ("Bo Chen",))
    assert result.already_present == 0
    assert raters.get_rater(db, "Bo Chen").initials == "BC"
    assert projects.counts(db).codes == 7
    db.close()


def test_export_import_export_is_lossless(new_project: NewProject, tmp_path: Path) -> None:
    first = setup_project(new_project, tmp_path, "a")
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
    second = setup_project(new_project, fresh, "b")
    assert codes.import_codes(second, out1, create_raters=True).rows == 7
    out2 = tmp_path / "out2.csv"
    codes.export_codes(second, out2)
    second.close()
    assert out1.read_text(encoding="utf-8") == out2.read_text(encoding="utf-8")


def test_export_filters_by_rater(new_project: NewProject, tmp_path: Path) -> None:
    db = setup_project(new_project, tmp_path)
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
    new_project: NewProject, tmp_path: Path, row: str, message: str
) -> None:
    db = setup_project(new_project, tmp_path)
    path = write(tmp_path, HEADER + row + "\n" + "P01,1,Ada,W2,segment,1,1,,,,\n")
    with pytest.raises(CoderError) as info:
        codes.import_codes(db, path, create_raters=True)
    assert message in str(info.value) and "codes.csv" in str(info.value)
    assert projects.counts(db).codes == 0 and projects.counts(db).raters == 0
    db.close()


def test_all_problems_are_collected(new_project: NewProject, tmp_path: Path) -> None:
    db = setup_project(new_project, tmp_path)
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


def test_file_level_problems(new_project: NewProject, tmp_path: Path) -> None:
    db = setup_project(new_project, tmp_path)
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
    new_project: NewProject, tmp_path: Path
) -> None:
    db = setup_project(new_project, tmp_path)
    out = tmp_path / "out.csv"
    out.write_text("old export")
    codes.export_codes(db, out)
    assert read_rows(out) == [] and out.read_text().startswith("patient,session")
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    with pytest.raises(CoderError, match="folder does not exist"):
        codes.export_codes(db, tmp_path / "nope" / "out.csv")
    db.close()


def test_file_refusals_are_said_in_words_naming_the_file(
    new_project: NewProject, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = setup_project(new_project, tmp_path)
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
    new_project: NewProject, tmp_path: Path
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
    new_project: NewProject, tmp_path: Path
) -> None:
    db = setup_project(new_project, tmp_path)
    path = write(tmp_path, GOOD)
    assert codes.import_codes(db, path, create_raters=True).rows == 7
    again = codes.import_codes(db, path)
    assert (again.rows, again.already_present, again.skipped_absent) == (0, 7, 1)
    assert again.new_raters == ()
    assert projects.counts(db).codes == 7
    db.close()


def test_export_then_import_into_the_same_project_doubles_nothing(
    new_project: NewProject, tmp_path: Path
) -> None:
    db = setup_project(new_project, tmp_path)
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
    new_project: NewProject, tmp_path: Path
) -> None:
    db = setup_project(new_project, tmp_path)
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
    new_project: NewProject, tmp_path: Path, row: str, message: str
) -> None:
    db = setup_project(new_project, tmp_path)
    codes.import_codes(db, write(tmp_path, GOOD), create_raters=True)
    text = HEADER + "P01,1,Ada,W3,segment,2,1,,,,\n" + row + "\n"
    with pytest.raises(CodesFileError) as info:
        codes.import_codes(db, write(tmp_path, text, "changed.csv"))
    assert info.value.problems == [f"line 3: {message}; change it in the app, or remove the row"]
    assert "changed.csv" in str(info.value)
    assert projects.counts(db).codes == 7  # not even the new W3
    db.close()


def test_a_row_repeated_within_the_file_is_refused(new_project: NewProject, tmp_path: Path) -> None:
    db = setup_project(new_project, tmp_path)
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
