"""Recent projects, the window status line and the marker-side rule, headless."""

from __future__ import annotations

from backend import NewProject

from coder.app import desktop_status, identity, preferences, projects, rounds
from coder.app.identity import ActingRater
from coder.app.schemes import load_project_scheme
from coder.domain.coding import RoundStatus
from coder.domain.roles import SpeakerRole
from coder.domain.scheme import Side
from coder.domain.sides import code_side, side_mismatch
from coder.store import migrate
from coder.store.database import ProjectDatabase, sqlite_path

PASSPHRASE = "correct horse battery"  # as set by the coded_db fixture


def test_recent_projects_most_recent_first_at_most_ten(new_project: NewProject) -> None:
    assert preferences.recent_projects() == []
    urls = []
    for i in range(12):
        db = new_project(f"s{i}", name="recent")
        assert preferences.remember_project(db, f"s{i}")
        urls.append(db.url)
        db.close()
    listed = preferences.recent_projects()
    assert [r.name for r in listed] == [f"s{i}" for i in range(11, 1, -1)]
    db = projects.open_project(db_url=urls[5])
    preferences.remember_project(db, "s5")
    db.close()
    listed = preferences.recent_projects()
    assert listed[0].name == "s5" and len(listed) == 10
    assert listed[0].is_file == (sqlite_path(urls[5]) is not None)  # a server: its URL
    assert len({r.location for r in listed}) == 10
    preferences.forget_project(listed[0].location)
    assert "s5" not in [r.name for r in preferences.recent_projects()]


def test_damaged_preferences_read_as_no_recent_projects() -> None:
    preferences.preferences_path().write_text('{"recent_projects": "nonsense"}')
    assert preferences.recent_projects() == []


def test_window_status_follows_rounds_and_blinding(
    coded_db: ProjectDatabase, ada: ActingRater
) -> None:
    lead = identity.sign_in(coded_db, "Lee", PASSPHRASE)
    assert desktop_status.window_status(coded_db, ada).text() == (
        "No coding round · blinded: own codes only"
    )
    rounds.create_round(coded_db, lead, "pilot")
    assert desktop_status.window_status(coded_db, lead).text() == (
        "Round 1 “pilot” open · not blinded"
    )
    rounds.set_round_status(coded_db, lead, 1, RoundStatus.LOCKED)
    status = desktop_status.window_status(coded_db, None)
    assert status.text() == "Round 1 “pilot” locked · blinding: always"


def test_about_names_version_revision_and_folders(coded_db: ProjectDatabase) -> None:
    info = desktop_status.about(coded_db)
    assert info.schema_revision == migrate.head_revision()
    assert dict(info.lines())["Project schema revision"].endswith("(current)")
    assert info.log_folder is not None and info.log_folder.name == "logs"


def test_marker_side_rule(coded_db: ProjectDatabase) -> None:
    scheme = load_project_scheme(coded_db, "3rs-2015")
    assert code_side(scheme, "W1") is Side.PATIENT
    assert code_side(scheme, "C1") is Side.PATIENT
    assert code_side(scheme, "R1") is Side.THERAPIST
    assert code_side(scheme, "W_SIG") is None  # a rating, not a code
    assert side_mismatch(scheme, "W1", SpeakerRole.PATIENT, 2) is None
    assert side_mismatch(scheme, "W1", SpeakerRole.UNKNOWN, 2) is None
    warning = side_mismatch(scheme, "R1", SpeakerRole.PATIENT, 4)
    assert warning is not None and "R1 is a therapist strategy, but turn 4" in warning
