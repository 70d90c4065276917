"""Importing transcripts: placement, roles, duplicates, redaction, segments, atomicity."""

from __future__ import annotations

from pathlib import Path

import pytest
from backend import NewProject

from coder.app import browse, importing, projects
from coder.app.importing import ImportOptions
from coder.domain.errors import ValidationError
from coder.domain.redaction import Redactor
from coder.domain.roles import SpeakerRole
from coder.store.database import ProjectDatabase

TIMED = """\
[00:00:05] T: Hi Sam, how have things been since last week?
[00:00:12] P: Fine. I guess.
[00:02:40] T: You said fine, but you sound tired.
[00:05:10] P: I don't really want to talk about it. Can we talk about work instead?
[00:06:00] T: We can. I notice we moved away from how you feel, though.
"""

ABBREVIATED = """\
C: How are you today?
S: Not great, honestly.
C: Tell me more.
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_import_with_pattern_builds_segments(db: ProjectDatabase, tmp_path: Path) -> None:
    path = write(tmp_path, "P01_S2.txt", TIMED)
    report = importing.import_files(db, [path], ImportOptions(pattern="{patient}_S{session}"))
    assert not report.failed
    (result,) = report.files[0].sessions
    assert (result.patient, result.session, result.turns) == ("P01", 2, 5)
    assert result.segments == 2 and not result.estimated  # 0-5 min, 5-10 min
    assert {(s.label, s.role, s.confirmed) for s in result.speakers} == {
        ("T", SpeakerRole.THERAPIST, False),
        ("P", SpeakerRole.PATIENT, False),
    }
    transcript = browse.load_transcript(db, "P01", 2)
    assert [t.text for t in transcript.turns][1] == "Fine. I guess."
    assert transcript.turns[0].start_ms == 5000
    segments = browse.load_segments(db, "P01", 2)
    assert [(s.index, s.first_turn, s.last_turn) for s in segments] == [(1, 1, 3), (2, 4, 5)]


def test_roles_given_confirm_labels_and_strict_roles_fail_unconfirmed(
    db: ProjectDatabase, tmp_path: Path
) -> None:
    path = write(tmp_path, "x.txt", ABBREVIATED)
    strict = ImportOptions(patient="P02", session=1, strict_roles=True)
    failed = importing.import_file(db, path, strict)
    assert not failed.ok and "speaker 'C' has no confirmed role" in (failed.error or "")
    assert projects.counts(db).sessions == 0  # nothing half-written
    roles = importing.parse_role_map("C=therapist, S=patient")
    ok = importing.import_file(
        db, path, ImportOptions(patient="P02", session=1, roles=roles, strict_roles=True)
    )
    assert ok.ok, ok.error
    assert {(s.label, s.role, s.confirmed) for s in ok.sessions[0].speakers} == {
        ("C", SpeakerRole.THERAPIST, True),
        ("S", SpeakerRole.PATIENT, True),
    }


def test_ambiguous_c_is_reported_as_a_suggestion(db: ProjectDatabase, tmp_path: Path) -> None:
    result = importing.import_file(
        db, write(tmp_path, "x.txt", ABBREVIATED), ImportOptions(patient="P02", session=1)
    )
    speakers = {s.label: s for s in result.sessions[0].speakers}
    assert not speakers["C"].confirmed and "suggested" in speakers["C"].reason


def test_duplicates_are_refused_unless_replace(db: ProjectDatabase, tmp_path: Path) -> None:
    path = write(tmp_path, "P01_S1.txt", TIMED)
    options = ImportOptions(pattern="{patient}_S{session}")
    assert importing.import_file(db, path, options).ok
    again = importing.import_file(db, path, options)
    assert not again.ok and "the same transcript is already imported" in (again.error or "")
    other = write(tmp_path, "P01_S1b.txt", ABBREVIATED)
    clash = importing.import_file(db, other, ImportOptions(patient="P01", session=1))
    assert not clash.ok and "already has a transcript (from P01_S1.txt)" in (clash.error or "")
    replaced = importing.import_file(
        db, other, ImportOptions(patient="P01", session=1, replace=True)
    )
    assert replaced.ok
    assert len(browse.load_transcript(db, "P01", 1).turns) == 3
    assert projects.counts(db).turns == 3


def test_bad_file_in_batch_leaves_nothing_and_others_import(
    db: ProjectDatabase, tmp_path: Path
) -> None:
    good = write(tmp_path, "P01_S1.txt", TIMED)
    empty = write(tmp_path, "P01_S2.txt", "")
    bogus = tmp_path / "P01_S3.docx"
    bogus.write_bytes(b"this is not a zip file")
    report = importing.import_files(
        db, [empty, good, bogus], ImportOptions(pattern="{patient}_S{session}")
    )
    assert [f.ok for f in report.files] == [False, True, False]
    assert "P01_S2.txt" in (report.files[0].error or "") and "empty" in (
        report.files[0].error or ""
    )
    assert "P01_S3.docx" in (report.files[2].error or "")
    assert [s.session for s in browse.session_summaries(db)] == [1]


def test_missing_placement_is_an_error(db: ProjectDatabase, tmp_path: Path) -> None:
    path = write(tmp_path, "interview.txt", TIMED)
    assert "no patient code" in (importing.import_file(db, path, ImportOptions()).error or "")
    assert "no session number" in (
        importing.import_file(db, path, ImportOptions(patient="P1")).error or ""
    )
    bad = importing.import_file(db, path, ImportOptions(pattern="{patient}_S{session}"))
    assert "does not match --pattern" in (bad.error or "")


def test_redaction_happens_before_storage(db: ProjectDatabase, tmp_path: Path) -> None:
    path = write(tmp_path, "P01_S1.txt", TIMED)
    redactor = Redactor.from_lines(["Sam", "# comment", ""])
    assert importing.import_file(
        db, path, ImportOptions(pattern="{patient}_S{session}", redactor=redactor)
    ).ok
    text = " ".join(t.text for t in browse.load_transcript(db, "P01", 1).turns)
    assert "Sam" not in text and "[NAME-1]" in text


def test_untimed_transcripts_get_estimated_segments(db: ProjectDatabase, tmp_path: Path) -> None:
    body = "".join(f"T: {'word ' * 150}\n\nP: {'word ' * 150}\n\n" for _ in range(5))
    result = importing.import_file(
        db, write(tmp_path, "P03_S1.txt", body), ImportOptions(pattern="{patient}_S{session}")
    )
    assert result.ok and result.sessions[0].estimated
    assert result.sessions[0].segments == 2  # 10 turns x 1 minute each at 150 wpm
    blocks = importing.import_file(
        db,
        write(tmp_path, "P03_S2.txt", body),
        ImportOptions(pattern="{patient}_S{session}", untimed="turns"),
    )
    assert blocks.ok and not blocks.sessions[0].estimated and blocks.sessions[0].segments == 1


def test_segments_for_every_scheme_rule(tmp_path: Path, new_project: NewProject) -> None:
    db = new_project("p", scheme_ids=("3rs-2015", "3rs-2022"))
    try:
        assert importing.import_file(
            db, write(tmp_path, "P01_S1.txt", TIMED), ImportOptions(pattern="{patient}_S{session}")
        ).ok
        five = browse.load_segments(db, "P01", 1, "3rs-2015")
        one = browse.load_segments(db, "P01", 1, "3rs-2022")
        assert len(five) == 2 and [s.index for s in one] == [1, 2, 3, 4, 5, 6, 7]
    finally:
        db.close()


def test_csv_groups_become_sessions(db: ProjectDatabase, tmp_path: Path) -> None:
    rows = "id,speaker,text,start\n0,Therapist,Hello,1\n0,Client,Hi,3\nA,Therapist,Again,2\n"
    numeric = "sid,speaker,text\n0,Therapist,Hello\n0,Client,Hi\n7,Therapist,Again\n"
    labelled = importing.import_file(
        db,
        write(tmp_path, "a.csv", rows),
        ImportOptions(patient="P09", read=importing.ReadOptions(columns={"session": "id"})),
    )
    assert labelled.ok, labelled.error
    assert [(s.session, s.label) for s in labelled.sessions] == [(1, "0"), (2, "A")]
    by_number = importing.import_file(
        db,
        write(tmp_path, "b.csv", numeric),
        ImportOptions(patient="P10", read=importing.ReadOptions(columns={"session": "sid"})),
    )
    assert [(s.session, s.label) for s in by_number.sessions] == [(0, None), (7, None)]


def test_option_parsers() -> None:
    assert importing.parse_columns("speaker=who, text=utt") == {"speaker": "who", "text": "utt"}
    with pytest.raises(ValidationError):
        importing.parse_columns("speaker")
    with pytest.raises(ValidationError, match="not a role"):
        importing.parse_role_map("C=counsellor")
    pattern = importing.compile_pattern("{patient}_S{session}*")
    match = pattern.fullmatch("P01_S12_final")
    assert match is not None and match["patient"] == "P01" and match["session"] == "12"
    with pytest.raises(ValidationError):
        importing.compile_pattern("no fields")


def test_cancel_stops_between_files(db: ProjectDatabase, tmp_path: Path) -> None:
    files = [write(tmp_path, f"P01_S{i}.txt", TIMED.replace("Sam", f"Sam{i}")) for i in (1, 2, 3)]
    seen: list[int] = []

    def progress(done: int, total: int, _path: Path) -> bool:
        seen.append(done)
        return done < 2

    report = importing.import_files(
        db, files, ImportOptions(pattern="{patient}_S{session}"), progress
    )
    assert report.cancelled and len(report.files) == 2 and seen == [0, 1, 2]
