from __future__ import annotations

import pytest

from coder.app import identity, projects, raters, rounds
from coder.app.coding import CodingSession
from coder.app.identity import ActingRater
from coder.app.projects import CodeCount
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
    assert raters.get_rater(db, " Ada Lovelace ").initials == "AL"
    with pytest.raises(NotFoundError, match="did you mean 'Ada Lovelace'"):
        raters.get_rater(db, "ada lovelace")  # names a user gives match exactly
    with pytest.raises(NotFoundError, match=r"no rater named 'Nobody'$"):
        raters.get_rater(db, "Nobody")


def test_duplicate_rater_names_are_refused_case_insensitively(db: ProjectDatabase) -> None:
    raters.add_rater(db, "Ada", "AL")
    with pytest.raises(ValidationError, match="already exists"):
        raters.add_rater(db, "ADA", "AX")
    assert len(raters.list_raters(db)) == 1


def test_names_with_sql_wildcards_are_literal(db: ProjectDatabase) -> None:
    raters.add_rater(db, "A_a", "AA")
    raters.add_rater(db, "Aba", "AB")
    assert raters.get_rater(db, "A_a").initials == "AA"
    with pytest.raises(NotFoundError):
        raters.get_rater(db, "A%")


def test_counts(db: ProjectDatabase) -> None:
    raters.add_rater(db, "Ada", "AL")
    c = projects.counts(db)
    assert (c.patients, c.sessions, c.turns, c.raters, c.codes) == (0, 0, 0, 1, 0)


def test_counts_of_own_codes_only(
    coded_db: ProjectDatabase, ada: ActingRater, ben: ActingRater, lead: ActingRater
) -> None:
    CodingSession(coded_db, ada, "P01", 1).apply_code("W1", segment=1)
    CodingSession(coded_db, ben, "P01", 1).apply_code("W2", segment=1)
    CodingSession(coded_db, ben, "P01", 2).apply_code("W3", segment=2)
    assert projects.counts(coded_db).codes == 3
    assert projects.counts(coded_db, own_only_for=ada).codes == 1
    assert projects.counts(coded_db, own_only_for=ben).codes == 2
    assert projects.counts(coded_db, own_only_for=ada).sessions == 2  # the rest is unchanged


def test_only_who_sees_every_rater_gets_the_total(
    coded_db: ProjectDatabase, db: ProjectDatabase, ada: ActingRater, lead: ActingRater
) -> None:
    assert projects.code_count_scope(coded_db, lead) is CodeCount.ALL
    assert projects.code_count_scope(coded_db, ada) is CodeCount.OWN
    assert projects.code_count_scope(coded_db, None) is CodeCount.NONE  # it has a lead
    rounds.create_round(coded_db, lead)
    assert projects.code_count_scope(coded_db, ada) is CodeCount.OWN
    raters.add_rater(db, "Ada", "AL")  # a project without a lead
    assert projects.code_count_scope(db, None) is CodeCount.ALL
    assert projects.code_count_scope(db, identity.sign_in(db, "Ada")) is CodeCount.OWN
