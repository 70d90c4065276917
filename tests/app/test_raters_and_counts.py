from __future__ import annotations

import pytest

from coder.app import projects, raters
from coder.domain.errors import NotFoundError, ValidationError
from coder.domain.roles import RaterRole
from coder.store.database import ProjectDatabase


def test_add_and_list_raters(db: ProjectDatabase) -> None:
    raters.add_rater(db, "Ada Lovelace", "al")
    raters.add_rater(db, "Grace Hopper", "GH", RaterRole.LEAD)
    listed = raters.list_raters(db)
    assert [(r.name, r.initials, r.role) for r in listed] == [
        ("Ada Lovelace", "AL", RaterRole.RATER),
        ("Grace Hopper", "GH", RaterRole.LEAD),
    ]
    assert raters.get_rater(db, "ada lovelace").initials == "AL"
    with pytest.raises(NotFoundError):
        raters.get_rater(db, "Nobody")


def test_duplicate_rater_names_are_refused_case_insensitively(db: ProjectDatabase) -> None:
    raters.add_rater(db, "Ada", "AL")
    with pytest.raises(ValidationError, match="already exists"):
        raters.add_rater(db, "ADA", "AX")
    assert len(raters.list_raters(db)) == 1


def test_names_with_sql_wildcards_are_literal(db: ProjectDatabase) -> None:
    raters.add_rater(db, "A_a", "AA")
    raters.add_rater(db, "Aba", "AB")
    assert raters.get_rater(db, "a_a").initials == "AA"


def test_counts(db: ProjectDatabase) -> None:
    raters.add_rater(db, "Ada", "AL")
    c = projects.counts(db)
    assert (c.patients, c.sessions, c.turns, c.raters, c.codes) == (0, 0, 0, 1, 0)
