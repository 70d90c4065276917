"""The session list's "Done" column: segments a rater has finished, per session."""

from __future__ import annotations

from coder.app import progress
from coder.app.coding import CodingSession
from coder.app.identity import ActingRater
from coder.app.rounds import AssignedSession
from coder.domain.coding import Unit
from coder.store.database import ProjectDatabase


def test_a_segment_is_done_when_every_segment_rating_is_given(
    coded_db: ProjectDatabase, ada: ActingRater, ben: ActingRater
) -> None:
    first = CodingSession(coded_db, ada, "P01", 1, "3rs-2015")
    first.set_rating("W_SIG", 1, 1)
    first.set_rating("C_SIG", 1, 2)  # segment 1: both ratings, done
    first.set_rating("W_SIG", 2, 3)  # segment 2: one of two, not done
    first.apply_code("W1", segment=3)  # segment 3: a code without ratings, not done
    second = CodingSession(coded_db, ben, "P01", 2, "3rs-2015")
    for segment in (1, 2, 3):  # Ben's work is not Ada's progress
        second.set_rating("W_SIG", segment, 1)
        second.set_rating("C_SIG", segment, 1)
    assert progress.coding_progress(coded_db, ada) == {("P01", 1): (1, 3), ("P01", 2): (0, 3)}
    assert progress.coding_progress(coded_db, ben) == {("P01", 1): (0, 3), ("P01", 2): (3, 3)}


def test_the_count_follows_the_segment_rule_after_edits(
    coded_db: ProjectDatabase, ada: ActingRater
) -> None:
    """The database's count agrees with :func:`progress.segment_is_done` on the same
    codes, also after a rating was given twice and one was cleared."""
    cs = CodingSession(coded_db, ada, "P01", 1, "3rs-2015")
    for segment in (1, 2, 3):
        cs.set_rating("W_SIG", segment, 4)
        cs.set_rating("C_SIG", segment, 1)
    cs.set_rating("C_SIG", 2, 5)  # changed: still one rating
    cs.clear_rating("W_SIG", Unit.SEGMENT, 3)
    own = cs.own_codes()
    expected = sum(
        progress.segment_is_done(cs.scheme, {c.code_id for c in own if c.unit_index == seg.index})
        for seg in cs.segments
    )
    assert expected == 2
    assert progress.coding_progress(coded_db, ada)[("P01", 1)] == (expected, 3)


def test_a_scheme_without_segment_ratings_counts_its_own_segments(
    coded_db: ProjectDatabase, ada: ActingRater
) -> None:
    """Safran & Muran's stages are episode codes under one whole-session segment."""
    found = progress.coding_progress(coded_db, ada, "safran-muran-stages")
    assert found == {("P01", 1): (0, 1), ("P01", 2): (0, 1)}


def test_assignment_summary_names_only_what_is_left_per_round() -> None:
    assigned = [
        AssignedSession("P01", 1, 1),
        AssignedSession("P01", 2, 1),
        AssignedSession("P02", 1, 1),
        AssignedSession("P03", 1, 2),
    ]
    done = {("P01", 1): (3, 3), ("P01", 2): (1, 3), ("P03", 1): (6, 6)}  # P02/1: no segments
    assert progress.assignment_summary(assigned, done) == (
        "Round 1: 3 sessions assigned, 2 to finish: P01/2, P02/1.\n"
        "Round 2: 1 session assigned, all finished."
    )
    assert progress.assignment_summary([], done) == ""


def test_a_lab_sized_assignment_lists_a_few_and_counts_the_rest() -> None:
    assigned = [AssignedSession(f"P{p:03}", s, 1) for p in range(1, 201) for s in (1, 2)]
    summary = progress.assignment_summary(assigned, {("P001", 1): (12, 12)}, listed=3)
    assert summary == (
        "Round 1: 400 sessions assigned, 399 to finish: P001/2, P002/1, P002/2 and 396 more."
    )
