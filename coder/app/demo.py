"""The default project `coder` and `make run` open: a ready demo in the user data folder.

Created on first run with the 3RS-2015 and stage schemes, seeded with the team's invented
sample sessions and two raters' codings of them, so a new user sees real material at
once. The location follows the
platform convention (platformdirs); ``$CODER_HOME`` overrides it, e.g. for tests.
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_path

from coder.app import projects, resources
from coder.domain.coding import BlindingPolicy
from coder.domain.errors import CoderError
from coder.domain.roles import SpeakerRole
from coder.store.database import ProjectDatabase

ENV_HOME = "CODER_HOME"
DEMO_FILE = "demo-project.sqlite"


def data_dir() -> Path:
    env = os.environ.get(ENV_HOME)
    folder = Path(env) if env else user_data_path("rupture-coder", appauthor=False)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def default_project_path() -> Path:
    return data_dir() / DEMO_FILE


DEMO_SCHEMES = ("3rs-2015", "safran-muran-stages")
# The demo's speaker labels, confirmed by the team that wrote the samples.
DEMO_ROLES = {
    "Dr. Lee": SpeakerRole.THERAPIST,
    "Sam": SpeakerRole.PATIENT,
    "T": SpeakerRole.THERAPIST,
    "P": SpeakerRole.PATIENT,
    "Dr. Alan Park": SpeakerRole.THERAPIST,
    "Maria Gomez": SpeakerRole.PATIENT,
}


def sample_dir() -> Path:
    """The invented sample transcripts shipped with the program (checkout or bundle)."""
    return resources.resource_dir("sample_transcripts")


def ensure_demo_project() -> ProjectDatabase:
    """Open the default project, creating and seeding it if it does not exist yet."""
    path = default_project_path()
    if path.exists():
        return projects.open_project(path)
    db = projects.create_project(path, name="Demo project", scheme_ids=DEMO_SCHEMES)
    try:
        seed_demo(db, sample_dir())
    except BaseException:
        db.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        raise
    return db


def seed_demo(db: ProjectDatabase, folder: Path) -> None:
    """Import the invented sample sessions and the two raters' codings of them.

    The demo blinds raters only during coding rounds (new projects blind always): it is
    for looking at everything a project can show, profiles and reliability included,
    under either rater's name, and opening a round there shows blinding at work.
    """
    # Imported here: every start reads data_dir() from this module, and the importers
    # (python-docx, lxml) are only needed the one time the demo is seeded.
    from coder.app import access, codes, importing, patients

    access.set_blinding_policy(db, None, BlindingPolicy.DURING_ROUNDS)
    files = sorted(
        p for p in folder.glob("P0*_S*.*") if p.suffix in {".docx", ".txt", ".vtt", ".srt", ".csv"}
    )
    if not files:
        raise CoderError("sample transcripts are missing", path=folder)
    report = importing.import_files(
        db, files, importing.ImportOptions(pattern="{patient}_S{session}", roles=DEMO_ROLES)
    )
    if report.failed:
        raise CoderError(f"sample import failed: {report.failed[0].error}")
    patients.set_attribute(db, "P01", patients.THERAPIST, "Dr. Lee")
    patients.set_attribute(db, "P02", patients.THERAPIST, "Dr. Alan Park")
    codes_file = folder / "codes.csv"
    if codes_file.exists():
        codes.import_codes(db, codes_file, create_raters=True)
