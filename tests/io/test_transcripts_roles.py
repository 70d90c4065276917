"""Role suggestions: only full role words are certain; C is ambiguous; names need context."""

from __future__ import annotations

import pytest

from coder.domain.roles import SpeakerRole
from coder.io.transcripts import guess_role

T, P, U = SpeakerRole.THERAPIST, SpeakerRole.PATIENT, SpeakerRole.UNKNOWN


@pytest.mark.parametrize(
    ("label", "role"),
    [
        ("Therapist", T),
        ("THERAPIST", T),
        ("Therapist 1", T),
        ("Counsellor:", T),
        ("counselor", T),
        ("Patient", P),
        ("CLIENT", P),
        ("Client 2.", P),
    ],
)
def test_full_role_words_are_certain(label: str, role: SpeakerRole) -> None:
    guess = guess_role(label, [label])
    assert (guess.role, guess.certain) == (role, True)


@pytest.mark.parametrize(
    ("label", "role"),
    [
        ("T", T),
        ("Th", T),
        ("Tx", T),
        ("T1", T),
        ("Dr. Okafor", T),
        ("Dr Okafor", T),
        ("Dr", T),
        ("Interviewer", T),
        ("P", P),
        ("Pt", P),
        ("Pat", P),
    ],
)
def test_abbreviations_are_suggestions(label: str, role: SpeakerRole) -> None:
    guess = guess_role(label, [label])
    assert (guess.role, guess.certain) == (role, False)


def test_drew_is_not_a_doctor() -> None:
    assert guess_role("Drew", ["Drew", "Sam"]).role is U


def test_c_is_ambiguous_without_a_therapist_label() -> None:
    guess = guess_role("C", ["C", "Maya"])
    assert (guess.role, guess.certain) == (U, False)
    assert "ambiguous" in guess.reason


def test_c_next_to_t_is_suggested_patient() -> None:
    guess = guess_role("C", ["T", "C"])
    assert (guess.role, guess.certain) == (P, False)
    assert "ambiguous" in guess.reason


def test_names_are_unknown() -> None:
    guess = guess_role("Maya Lindqvist (she/her)", ["Maya Lindqvist (she/her)", "Client iPad"])
    assert (guess.role, guess.certain) == (U, False)


def test_name_next_to_a_doctor_is_suggested_patient() -> None:
    guess = guess_role("Lena", ["Dr. Okafor", "Lena"])
    assert (guess.role, guess.certain) == (P, False)


def test_name_next_to_a_patient_label_is_suggested_therapist() -> None:
    guess = guess_role("Amir", ["Amir", "Client"])
    assert (guess.role, guess.certain) == (T, False)


def test_two_unknown_names_next_to_a_doctor_stay_unknown() -> None:
    assert guess_role("Lena", ["Dr. Okafor", "Lena", "Tom"]).role is U


def test_generic_labels_stay_unknown() -> None:
    assert guess_role("unknown", ["unknown", "Dr. X"]).role is U
    assert guess_role("Speaker 2", ["Speaker 1", "Speaker 2"]).role is U
