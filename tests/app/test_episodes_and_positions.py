from __future__ import annotations

import pytest

from coder.app import episodes, positions
from coder.app.coding import CodingSession
from coder.app.identity import ActingRater
from coder.domain.coding import TextSpan
from coder.domain.errors import ValidationError
from coder.store.database import ProjectDatabase


def test_episode_stages_progress_and_flags(coded_db: ProjectDatabase, ada: ActingRater) -> None:
    cs = CodingSession(coded_db, ada, "P01", 1, "safran-muran-stages")
    index = episodes.start_episode(cs, "withdrawal", 2)
    assert index == 1
    for stage, turn in (("WS1", 2), ("WS2", 3), ("WS3", 4), ("WS2", 5), ("WS4", 6)):
        episodes.add_stage(cs, index, stage, episodes.whole_turn(cs, turn))
    cs.set_rating("EP_RESOLVED", index, 1)
    (view,) = episodes.list_episodes(cs)
    assert [c.code_id for c in view.stages] == ["WS1", "WS2", "WS3", "WS2", "WS4"]
    assert view.progress is not None and view.progress.highest_stage == "WS4"
    assert view.flagged == {view.stages[3].id}  # the step back to WS2 is flagged, not refused
    assert view.rating("EP_RESOLVED") == 1
    with pytest.raises(ValidationError, match="confrontation pathway"):
        episodes.add_stage(cs, index, "CS2", TextSpan(3, 0, 4))


def test_delete_and_restore_episode(coded_db: ProjectDatabase, ada: ActingRater) -> None:
    cs = CodingSession(coded_db, ada, "P01", 1, "safran-muran-stages")
    index = episodes.start_episode(cs, "confrontation", 6)
    episodes.add_stage(cs, index, "CS1", TextSpan(6, 0, 8))
    assert episodes.set_end(cs, index, 6) is None
    snapshot = episodes.delete_episode(cs, index)
    assert episodes.list_episodes(cs) == [] and cs.codes() == []
    episodes.restore_episode(cs, snapshot)
    (view,) = episodes.list_episodes(cs)
    assert (view.index, view.pathway_id, view.end_turn) == (1, "confrontation", 6)
    assert [c.code_id for c in view.stages] == ["CS1"]
    with pytest.raises(ValidationError, match="before it starts"):
        episodes.set_end(cs, index, 2)


def test_positions_resume(coded_db: ProjectDatabase, ada: ActingRater, ben: ActingRater) -> None:
    assert positions.last_position(coded_db, ada) is None
    positions.save_position(coded_db, ada, "P01", 2, "3rs-2015", 5)
    positions.save_position(coded_db, ada, "P01", 1, None, 3)
    assert positions.last_position(coded_db, ada) == positions.Position("P01", 1, None, 3)
    assert positions.last_position(coded_db, ben) is None
