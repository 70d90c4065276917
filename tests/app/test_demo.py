"""The demo project a new user sees first: its sessions and codes, made once."""

from __future__ import annotations

from pathlib import Path

import pytest

from coder.app import browse, demo, projects, raters, schemes
from coder.store.database import ProjectDatabase


def check_demo(db: ProjectDatabase) -> None:
    """What a new user sees in the demo: the sample sessions, two raters' codes."""
    counts = projects.counts(db)
    assert (counts.patients, counts.sessions) == (2, 6)
    assert counts.turns > 500 and counts.codes > 500
    assert {r.name for r in raters.list_raters(db)} == {"Ada Lovelace", "Ben Okafor"}
    assert [s.key for s in schemes.project_schemes(db)] == ["3rs-2015", "safran-muran-stages"]
    roles = {t.speaker: t.role.value for t in browse.load_transcript(db, "P01", 2).turns}
    assert roles == {"Dr. Lee": "therapist", "Sam": "patient"}


def test_the_demo_seed_fills_a_project_on_either_back_end(demo_db: ProjectDatabase) -> None:
    check_demo(demo_db)


# The default project is a file in the user data folder (a lab server's demo is seeded
# by the test above).
@pytest.mark.sqlite_only
def test_demo_project_is_created_seeded_and_reused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CODER_HOME", str(tmp_path / "home"))
    db = demo.ensure_demo_project()
    try:
        check_demo(db)
    finally:
        db.close()
    assert demo.default_project_path() == tmp_path / "home" / demo.DEMO_FILE
    again = demo.ensure_demo_project()  # second start opens, does not re-seed
    try:
        assert projects.counts(again).sessions == 6
    finally:
        again.close()


@pytest.mark.sqlite_only  # no half-made file left in the data folder (see above)
def test_failed_seed_leaves_no_half_project(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CODER_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(demo, "sample_dir", lambda: tmp_path / "nowhere")
    with pytest.raises(Exception, match="sample transcripts are missing"):
        demo.ensure_demo_project()
    assert not demo.default_project_path().exists()
