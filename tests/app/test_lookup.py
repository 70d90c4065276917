"""The look-ups of a patient and of a session by patient code and number."""

from __future__ import annotations

import pytest

from coder.app import coding, lookup, rounds
from coder.app.identity import ActingRater
from coder.domain.errors import NotFoundError
from coder.store.database import ProjectDatabase


def test_find_session_returns_the_row(coded_db: ProjectDatabase) -> None:
    with coded_db.reading() as session:
        row = lookup.find_session(session, "P01", 2)
        assert (row.patient.code, row.number) == ("P01", 2)
        assert lookup.session_or_none(session, "P01", 2) is row


@pytest.mark.parametrize(("patient", "number"), [("P01", 9), ("P09", 1)])
def test_a_missing_session_is_named_in_one_message(
    coded_db: ProjectDatabase, patient: str, number: int
) -> None:
    with coded_db.reading() as session:
        assert lookup.session_or_none(session, patient, number) is None
        with pytest.raises(NotFoundError) as caught:
            lookup.find_session(session, patient, number)
    assert str(caught.value) == f"no session {number} for patient {patient!r}"


def test_find_patient(coded_db: ProjectDatabase) -> None:
    with coded_db.reading() as session:
        assert lookup.find_patient(session, "P01").code == "P01"
        with pytest.raises(NotFoundError, match=r"^no patient 'P9'$"):
            lookup.find_patient(session, "P9")


def test_services_report_a_missing_session_in_the_helpers_words(
    coded_db: ProjectDatabase, ada: ActingRater, lead: ActingRater
) -> None:
    with pytest.raises(NotFoundError, match=r"^no session 7 for patient 'P01'$"):
        rounds.assign(coded_db, lead, "Ada", "P01", 7, 1)
    with pytest.raises(NotFoundError, match=r"^no transcript for patient 'P01' session 7$"):
        coding.CodingSession(coded_db, ada, "P01", 7)
