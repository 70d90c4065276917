"""One source of "now" for stored timestamps: timezone-naive UTC.

SQLite has no time zones and PostgreSQL ``timestamp without time zone`` compares naive
values; storing naive UTC everywhere keeps both backends and exports identical.
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def new_uid() -> str:
    """A stable identity for a stored row that must survive delete and re-insert."""
    return uuid4().hex
