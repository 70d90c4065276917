"""The one definition of a coded segment, and coverage arithmetic."""

from __future__ import annotations

import pytest

from coder.domain.coding import Unit
from coder.domain.coverage import CODED_DEFINITION, Coverage, segment_is_coded


def test_any_segment_or_turn_code_makes_a_segment_coded() -> None:
    assert segment_is_coded([Unit.SEGMENT])
    assert segment_is_coded(["turn"])
    assert segment_is_coded([Unit.SESSION, Unit.TURN])
    assert not segment_is_coded([])
    assert not segment_is_coded([Unit.SESSION, Unit.EPISODE])  # belong to no one segment
    assert "missing" in CODED_DEFINITION


def test_coverage() -> None:
    c = Coverage(7, 12)
    assert c.share == pytest.approx(7 / 12) and not c.complete
    assert c.text("P01/2") == "P01/2: 7 of 12 segments coded" and c.short() == "7/12"
    assert c.to_dict() == {"coded_segments": 7, "total_segments": 12, "share": 7 / 12}
    assert not c.meets(1.0) and c.meets(7 / 12) and c.meets(0.5)
    assert Coverage(3, 3).complete and Coverage(3, 3).meets(1.0)
    assert Coverage(0, 0).share is None and Coverage(0, 0).meets(1.0)  # nothing to cover
    with pytest.raises(ValueError, match="not possible"):
        Coverage(5, 4)
