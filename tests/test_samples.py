"""The sample transcripts import cleanly and match their annotated sources; the two raters'
codes table (sample_transcripts/codes.csv) imports, round-trips and is up to date."""

from __future__ import annotations

import csv
import importlib.util
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from backend import NewProject, PostgresProjects
from sqlalchemy import func, select

from coder.app import raters
from coder.app.browse import load_transcript
from coder.app.codes import export_codes, import_codes
from coder.app.importing import ImportOptions, ImportReport, import_files
from coder.app.projects import create_project
from coder.domain.roles import SpeakerRole
from coder.store.database import ProjectDatabase
from coder.store.models import CodeApplicationRow, RaterRow

SAMPLES = Path(__file__).resolve().parents[1] / "sample_transcripts"
SCHEMES = ("3rs-2015", "safran-muran-stages")
PATTERN = "{patient}_S{session}"
RATERS = ("Ada Lovelace", "Ben Okafor")

THERAPIST, PATIENT = SpeakerRole.THERAPIST, SpeakerRole.PATIENT
# session -> file, how the file writes times ("s": hh:mm:ss starts, "ms": cue times,
# None: untimed), whether it has end times, and each label's (source role, app role,
# confirmed). README: full role words are certain, names and abbreviations are suggestions.
# fmt: off
SESSIONS = {
    "P01_S1": ("P01_S1.docx", "s", False, {"Therapist": ("T", THERAPIST, True), "Client": ("P", PATIENT, True)}),
    "P01_S2": ("P01_S2.docx", "s", False, {"Dr. Lee": ("T", THERAPIST, False), "Sam": ("P", PATIENT, False)}),
    "P01_S3": ("P01_S3.txt", None, False, {"T": ("T", THERAPIST, False), "P": ("P", PATIENT, False)}),
    "P02_S1": ("P02_S1.vtt", "ms", True, {"Dr. Alan Park": ("T", THERAPIST, False), "Maria Gomez": ("P", PATIENT, False)}),
    "P02_S2": ("P02_S2.srt", "ms", True, {"THERAPIST": ("T", THERAPIST, True), "CLIENT": ("P", PATIENT, True)}),
    "P02_S3": ("P02_S3.csv", "s", True, {"Therapist": ("T", THERAPIST, True), "Patient": ("P", PATIENT, True)}),
}
# fmt: on

# What the readers do to text before storing it (coder/io/transcripts/chunks.py):
# typographic quotes become straight ones, invisible characters are dropped.
READER_TRANSLATION = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
        "\u200b": None, "\u200c": None, "\u200d": None, "\u2060": None, "\ufeff": None, "\u00ad": None,
    }
)  # fmt: skip


def _module(name: str) -> ModuleType:
    """Import a script from sample_transcripts/ (they import each other by name)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, SAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _as_stored(text: str) -> str:
    return " ".join(text.translate(READER_TRANSLATION).split())


def _sample_files() -> list[Path]:
    return [SAMPLES / file for file, *_ in SESSIONS.values()]


def _new_project(new_project: NewProject, stem: str) -> tuple[ProjectDatabase, ImportReport]:
    db = new_project(stem, scheme_ids=SCHEMES)
    return db, import_files(db, _sample_files(), ImportOptions(pattern=PATTERN))


@pytest.fixture(scope="module")
def imported(
    tmp_path_factory: pytest.TempPathFactory, _pg_projects: PostgresProjects | None
) -> Iterator[tuple[ProjectDatabase, ImportReport]]:
    """One import for the module's read-only checks (new_project is per test), on the
    back end under test."""
    if _pg_projects is None:
        database = None
        db = create_project(tmp_path_factory.mktemp("samples") / "p.sqlite", scheme_ids=SCHEMES)
    else:
        database, url = _pg_projects.empty()
        db = create_project(url, scheme_ids=SCHEMES, is_url=True)
    yield db, import_files(db, _sample_files(), ImportOptions(pattern=PATTERN))
    db.close()
    if _pg_projects is not None and database is not None:
        _pg_projects.retire(database)


# ---- transcripts -----------------------------------------------------------------------
def test_all_six_files_import(imported: tuple[ProjectDatabase, ImportReport]) -> None:
    _db, report = imported
    assert [f.error for f in report.failed] == []
    done = {f"{s.patient}_S{s.session}": s for f in report.files for s in f.sessions}
    assert sorted(done) == sorted(SESSIONS)
    assert {name for name, s in done.items() if s.estimated} == {"P01_S3"}  # the untimed file


@pytest.mark.parametrize("name", sorted(SESSIONS))
def test_turns_match_the_annotated_source(
    imported: tuple[ProjectDatabase, ImportReport], name: str
) -> None:
    db, _report = imported
    ts = _module("transcript_source")
    _file, times, has_ends, speakers = SESSIONS[name]
    source = ts.load(name, allow_overlap=name == "P02_S1")
    patient, _, number = name.partition("_S")
    stored = load_transcript(db, patient, int(number)).turns

    assert len(stored) == len(source.turns)
    label_of = {role: label for label, (role, _app, _ok) in speakers.items()}
    assert [t.speaker for t in stored] == [label_of[t.role] for t in source.turns]
    for src, turn in zip(source.turns, stored, strict=True):
        assert " ".join(turn.text.split()) == _as_stored(src.text), f"{name} t{turn.index}"
    if times is None:
        assert all(t.start_ms is None and t.end_ms is None for t in stored)
    else:
        to_ms = (lambda s: int(s) * 1000) if times == "s" else (lambda s: round(s * 1000))
        assert [t.start_ms for t in stored] == [to_ms(t.start) for t in source.turns]
        expected_ends = [to_ms(t.end) for t in source.turns] if has_ends else [None] * len(stored)
        assert [t.end_ms for t in stored] == expected_ends


@pytest.mark.parametrize("name", sorted(SESSIONS))
def test_speaker_roles(imported: tuple[ProjectDatabase, ImportReport], name: str) -> None:
    db, report = imported
    patient, _, number = name.partition("_S")
    (summary,) = [
        s
        for f in report.files
        for s in f.sessions
        if (s.patient, s.session) == (patient, int(number))
    ]
    speakers = SESSIONS[name][3]
    assert {s.label: (s.role, s.confirmed) for s in summary.speakers} == {
        label: (role, confirmed) for label, (_src, role, confirmed) in speakers.items()
    }
    stored = load_transcript(db, patient, int(number))
    assert stored.speakers == {label: role for label, (_src, role, _ok) in speakers.items()}


# ---- the codes table ---------------------------------------------------------------------
def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_codes_import(new_project: NewProject) -> None:
    db, report = _new_project(new_project, "p")
    assert not report.failed
    path = SAMPLES / "codes.csv"
    rows = _csv_rows(path)
    kept = [r for r in rows if r["value"].strip() != "0"]
    expected = Counter(r["rater"] for r in kept)
    assert set(expected) == set(RATERS)

    result = import_codes(db, path, create_raters=True)
    assert result.rows == len(kept)
    assert result.skipped_absent == len(rows) - len(kept)
    assert sorted(result.new_raters) == sorted(RATERS)
    assert [r.name for r in raters.list_raters(db)] == sorted(RATERS)
    with db.reading() as session:
        stored = dict(
            session.execute(
                select(RaterRow.name, func.count())
                .join(CodeApplicationRow, CodeApplicationRow.rater_id == RaterRow.id)
                .group_by(RaterRow.name)
            ).all()
        )
    assert stored == dict(expected)


def test_codes_export_import_export_is_identical(tmp_path: Path, new_project: NewProject) -> None:
    first, _ = _new_project(new_project, "a")
    import_codes(first, SAMPLES / "codes.csv", create_raters=True)
    export_a = tmp_path / "a.csv"
    n = export_codes(first, export_a)

    second, _ = _new_project(new_project, "b")
    assert import_codes(second, export_a, create_raters=True).rows == n
    export_b = tmp_path / "b.csv"
    export_codes(second, export_b)
    assert export_b.read_bytes() == export_a.read_bytes()


def test_codes_csv_is_up_to_date(tmp_path: Path) -> None:
    build_codes = _module("build_codes")
    out = tmp_path / "codes.csv"
    build_codes.main(out)
    assert out.read_bytes() == (SAMPLES / "codes.csv").read_bytes(), (
        "sample_transcripts/codes.csv is stale: run .venv/bin/python sample_transcripts/build_codes.py"
    )
