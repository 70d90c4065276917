"""What the export formats share: the filter on whose codes, the scheme check, and how
times and stored timestamps are written (one spelling in every CSV)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from coder.domain.errors import NotFoundError
from coder.store.models import CodeApplicationRow, SchemeRow


def scheme_key(session: OrmSession, key: str | None) -> str | None:
    if key is not None and session.scalar(select(SchemeRow.id).where(SchemeRow.key == key)) is None:
        known = ", ".join(sorted(set(session.scalars(select(SchemeRow.key)))))
        raise NotFoundError(f"the project has no scheme {key!r} (it has {known})")
    return key


def filtered(query: Any, rater_ids: list[int] | None, round_id: int | None) -> Any:
    app = CodeApplicationRow
    if rater_ids is not None:
        query = query.where(app.rater_id.in_(rater_ids))
    if round_id is not None:
        query = query.where(app.round_id == round_id)
    return query


def hms(ms: int | None) -> str | None:
    if ms is None:
        return None
    seconds = ms // 1000
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def iso(value: object) -> str | None:
    """A stored timestamp as ISO 8601, as ``datetime.isoformat()`` writes it.

    SQLite hands back the stored text (``YYYY-MM-DD HH:MM:SS.ffffff``, read raw because
    parsing a million datetimes is most of the export time); other databases give
    ``datetime`` objects."""
    if value is None:
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value).replace(" ", "T", 1)
    return text[:-7] if text.endswith(".000000") else text
