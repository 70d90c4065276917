"""The one parser of ``P01/2`` and ``P01``: every command reads session names with it."""

from __future__ import annotations

import pytest

from coder.domain.errors import ValidationError
from coder.domain.selectors import (
    SessionRef,
    SessionSelection,
    parse_session_ref,
    parse_session_selection,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("P01/2", SessionRef("P01", 2)),
        (" P01/2 ", SessionRef("P01", 2)),
        ("P01 / 2", SessionRef("P01", 2)),
        ("P01/0", SessionRef("P01", 0)),  # intake sessions are often 0
        ("P01/007", SessionRef("P01", 7)),
    ],
)
def test_session_ref_reads_patient_and_number(text: str, expected: SessionRef) -> None:
    assert parse_session_ref(text) == expected


def test_session_ref_prints_as_it_is_written() -> None:
    assert str(SessionRef("P01", 2)) == "P01/2"


@pytest.mark.parametrize("text", ["P01", "P01/", "/2", "", "P01/x", "P01/-1", "P01/2.5", "P01/²"])
def test_bad_session_ref_says_what_it_must_look_like(text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_session_ref(text)
    assert str(caught.value) == f"session {text!r} must look like PATIENT/SESSION, e.g. P01/2"


def test_the_option_is_named_in_the_message() -> None:
    with pytest.raises(ValidationError, match=r"^--open 'P01' must look like PATIENT/SESSION"):
        parse_session_ref("P01", what="--open")


def test_a_huge_session_number_is_too_large_not_a_crash() -> None:
    with pytest.raises(ValidationError, match=r"session number .* is too large"):
        parse_session_ref("P01/" + "9" * 40)


def test_selection_of_patients_and_sessions() -> None:
    selection = parse_session_selection(["P01", " P02/3 "])
    assert selection == SessionSelection(frozenset({"P01"}), frozenset({SessionRef("P02", 3)}))
    assert selection.selects("P01", 1) and selection.selects("P01", 9)
    assert selection.selects("P02", 3)
    assert not selection.selects("P02", 2)
    assert not selection.selects("P03", 3)


@pytest.mark.parametrize("items", [None, [], ()])
def test_no_selection_means_every_session(items: list[str] | None) -> None:
    assert parse_session_selection(items) is None


@pytest.mark.parametrize("text", ["P01/", "/3", "P01/x", "", " "])
def test_bad_selection_item_says_what_it_must_look_like(text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_session_selection(["P01", text])
    assert str(caught.value) == f"session {text!r} must look like P01 or P01/2"
