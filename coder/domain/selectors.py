"""``P01/2`` and ``P01``: how a person names a session (or all of a patient's sessions).

One parser for every place that reads such a name (``coder gui --open``, ``coder rounds
assign``, ``--sessions`` of ``coder irr`` and ``coder screen``), so each accepts the same
spellings and refuses the same mistakes with the same words.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from coder.domain.errors import ValidationError
from coder.domain.project import whole_number


@dataclass(frozen=True, slots=True)
class SessionRef:
    """One session named by patient code and session number; ``str()`` gives ``P01/2``."""

    patient: str
    number: int

    def __str__(self) -> str:
        return f"{self.patient}/{self.number}"


@dataclass(frozen=True, slots=True)
class SessionSelection:
    """Patients (every session of theirs) and single sessions, as a ``--sessions`` list
    names them; ``P01,P02/3`` selects all of P01's sessions and P02's third."""

    patients: frozenset[str]
    sessions: frozenset[SessionRef]

    def __contains__(self, ref: object) -> bool:
        return isinstance(ref, SessionRef) and (
            ref.patient in self.patients or ref in self.sessions
        )

    def selects(self, patient: str, number: int) -> bool:
        return SessionRef(patient, number) in self


def _malformed(text: str, whole_patient: bool, what: str) -> ValidationError:
    shape = "P01 or P01/2" if whole_patient else "PATIENT/SESSION, e.g. P01/2"
    return ValidationError(f"{what} {text!r} must look like {shape}")


def parse_session_ref(text: str, *, what: str = "session") -> SessionRef:
    """``"P01/2"`` -> ``SessionRef("P01", 2)``; ``what`` names the option in the message
    (``--open 'P01' must look like PATIENT/SESSION, e.g. P01/2``)."""
    ref = _parse(text, whole_patient=False, what=what)
    assert isinstance(ref, SessionRef)
    return ref


def parse_session_selection(
    items: Iterable[str] | None, *, what: str = "session"
) -> SessionSelection | None:
    """``["P01", "P02/3"]`` as a selection; ``None`` (or nothing) selects every session."""
    patients: set[str] = set()
    sessions: set[SessionRef] = set()
    for item in items or ():
        found = _parse(item, whole_patient=True, what=what)
        if isinstance(found, SessionRef):
            sessions.add(found)
        else:
            patients.add(found)
    if not patients and not sessions:
        return None
    return SessionSelection(frozenset(patients), frozenset(sessions))


def _parse(text: str, *, whole_patient: bool, what: str) -> SessionRef | str:
    stripped = text.strip()
    patient, sep, number = stripped.rpartition("/")
    if not sep:
        if whole_patient and stripped:
            return stripped
        raise _malformed(text, whole_patient, what)
    patient, number = patient.strip(), number.strip()
    if not patient or not (number.isascii() and number.isdecimal()):
        raise _malformed(text, whole_patient, what)
    return SessionRef(patient, whole_number("session number", number))  # "too large"
