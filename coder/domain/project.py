"""Patients, sessions and raters: the people and meetings a project is about.

Patient codes are pseudonyms chosen by the lab; the tool never needs a real name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from coder.domain.errors import ValidationError
from coder.domain.roles import RaterRole

_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")
_INITIALS_RE = re.compile(r"^[A-Za-z]{1,4}$")


def check_code(kind: str, code: str) -> str:
    """Return ``code`` stripped, or raise: codes end up in file names and CSV keys."""
    code = code.strip()
    if not _CODE_RE.match(code):
        raise ValidationError(
            f"{kind} code {code!r} must be 1-64 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    return code


@dataclass(frozen=True, slots=True)
class Patient:
    """A pseudonymous patient with free attributes (diagnosis group, site, arm...)."""

    code: str
    attributes: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "code", check_code("patient", self.code))


# The largest session number, unit index or value a project stores: INTEGER columns are
# 32-bit on PostgreSQL (and SQLite refuses Python integers past 64 bits with an
# OverflowError), so a bigger number is a typo to report, not a crash.
MAX_NUMBER = 2**31 - 1


def check_number(what: str, value: int) -> int:
    """``value`` if it fits a stored integer column, else a ValidationError naming it."""
    if not -MAX_NUMBER <= value <= MAX_NUMBER:
        raise ValidationError(f"{what} {value} is too large (at most {MAX_NUMBER:,})")
    return value


def whole_number(what: str, text: str) -> int:
    """``text`` (ASCII digits) as a stored number; a ValidationError for anything else,
    including 5,000 digits, which ``int()`` itself refuses with a bare ValueError."""
    token = text.strip()
    if not (token.isascii() and token.isdecimal()):
        raise ValidationError(f"{what} {token[:20]!r} is not a whole number")
    if len(token.lstrip("0")) > len(str(MAX_NUMBER)):
        raise ValidationError(
            f"{what} {token[:12]}... ({len(token)} digits) is too large (at most {MAX_NUMBER:,})"
        )
    return check_number(what, int(token))


@dataclass(frozen=True, slots=True)
class Session:
    """One therapy session of a patient.

    ``number`` is the lab's session number (0 allowed: intake sessions are often 0);
    ``label`` keeps an original non-numeric identifier when one was imported.
    """

    patient_code: str
    number: int
    date: date | None = None
    duration_s: int | None = None
    label: str | None = None

    def __post_init__(self) -> None:
        if self.number < 0:
            raise ValidationError(f"session number must be 0 or more, not {self.number}")
        check_number("session number", self.number)
        if self.duration_s is not None and self.duration_s < 0:
            raise ValidationError(f"session duration must not be negative ({self.duration_s} s)")


@dataclass(frozen=True, slots=True)
class Rater:
    """Someone who codes. Identity is explicit and stamped on every write."""

    name: str
    initials: str
    role: RaterRole = RaterRole.RATER

    def __post_init__(self) -> None:
        name = self.name.strip()
        if not name:
            raise ValidationError("rater name must not be empty")
        if len(name) > 100:
            raise ValidationError("rater name must be at most 100 characters")
        if not _INITIALS_RE.match(self.initials):
            raise ValidationError(
                f"rater initials {self.initials!r} must be 1-4 letters (e.g. 'AL')"
            )
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "initials", self.initials.upper())
