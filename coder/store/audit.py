"""The audit trail: every change to the project's data, recorded in the same transaction.

Recording happens in one place, SQLAlchemy session events on a project's session
factory (:func:`install`), so no service can forget it:

* ``before_flush`` records ORM updates (changed columns only, old and new values) and
  ORM deletes (the row as it was);
* ``after_flush`` records ORM inserts (the row as stored, with its generated key);
* ``do_orm_execute`` records statements run through the session: a bulk ``delete()``
  or ``update()`` first reads the rows it will touch (and an update reads them again
  afterwards), so each row gets its own entry; a multi-row ``insert()`` (a codes
  import, the turns and segments of a transcript) is summarised: one entry per therapy
  session and table saying how many rows came in and from which file, because a
  100 000-row import must not write 100 000 audit rows; a service that inserts rows
  on the session's connection past the session (a package merge's driver
  ``executemany``, a transcript import's turns) hands their counts to
  :func:`record_bulk_insert` (:func:`record_turns` for turns) for the same entries;
* ``before_commit`` flushes and then writes the collected entries on the transaction's
  own connection, just before COMMIT. A change that fails or is rolled back therefore
  leaves no entry, and an entry never exists without its change.

Who acted comes from ``session.info`` (:data:`ACTOR`), which
:meth:`coder.store.database.ProjectDatabase.transaction` and ``run`` set from their
``actor`` argument: anything with ``rater_id`` and ``name`` (the app's ``ActingRater``). No
actor means the project's owner in a project without a lead, recorded as ``""``.

Never recorded: the audit table itself, turns (a transcript import is one entry with
its turn count), segmentations, rater positions (where someone last was is not a
change to the data) and secrets: a rater's ``passphrase_hash`` becomes ``has_pin``
(true/false) and the lab passphrase hash in the project settings becomes
``lab_passphrase_set``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol, cast

from sqlalchemy import Table, event, insert, inspect, select
from sqlalchemy.engine import Result
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction, sessionmaker

from coder.store.clock import utcnow
from coder.store.models import AuditRow, RaterRow, SegmentationRow, TranscriptRow

ACTOR = "coder_audit_actor"  # session.info key: the acting identity (or None)
SOURCE = "coder_audit_source"  # session.info key: the file a bulk load came from
_PENDING = "coder_audit_pending"
_BULK = "coder_audit_bulk"
_TURNS = "coder_audit_turns"
_INSTALLED = "_coder_audit_installed"  # attribute marking a factory as recorded
INSERT, UPDATE, DELETE = "insert", "update", "delete"
SECRET_SETTINGS = {"lead_passphrase": "lab_passphrase_set"}
_NOT_DIFFED = {"updated_at"}  # changes with every update; the entry has its own time


class Acting(Protocol):
    """What the recorder needs to know about whoever acts (the app's ``ActingRater``)."""

    @property
    def rater_id(self) -> int: ...

    @property
    def name(self) -> str: ...


@dataclass(frozen=True)
class _Rule:
    """How one table is audited."""

    key: str = "id"  # the column that names a row in the trail
    actions: frozenset[str] = frozenset({INSERT, UPDATE, DELETE})
    session: Callable[[Session, Mapping[str, Any]], int | None] | None = None
    clean: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    dropped: frozenset[str] = frozenset()


def _column(name: str) -> Callable[[Session, Mapping[str, Any]], int | None]:
    return lambda _session, values: values.get(name)


def _via_transcript(session: Session, values: Mapping[str, Any]) -> int | None:
    tid = values.get("transcript_id")
    if tid is None:
        return None
    found: int | None = session.connection().scalar(
        select(TranscriptRow.session_id).where(TranscriptRow.id == tid)
    )
    return found


def _via_segmentation(session: Session, values: Mapping[str, Any]) -> int | None:
    sid = values.get("segmentation_id")
    if sid is None:
        return None
    found: int | None = session.connection().scalar(
        select(TranscriptRow.session_id)
        .join(SegmentationRow, SegmentationRow.transcript_id == TranscriptRow.id)
        .where(SegmentationRow.id == sid)
    )
    return found


def _clean_rater(values: dict[str, Any]) -> dict[str, Any]:
    if "passphrase_hash" in values:
        values["has_pin"] = bool(values.pop("passphrase_hash"))
    return values


def _clean_settings(values: dict[str, Any]) -> dict[str, Any]:
    settings = values.get("settings")
    if isinstance(settings, dict):
        shown = dict(settings)
        for secret, flag in SECRET_SETTINGS.items():
            if secret in shown:
                shown[flag] = bool(shown.pop(secret))
        values["settings"] = shown
    return values


_SESSION_ID = _column("session_id")
RULES: dict[str, _Rule] = {
    "code_applications": _Rule(key="uid", session=_SESSION_ID),
    "episodes": _Rule(session=_SESSION_ID),
    # Segments come and go with their transcript (its import is the entry); a moved
    # boundary is an update of two segments.
    "segments": _Rule(actions=frozenset({UPDATE}), session=_via_segmentation),
    "speakers": _Rule(actions=frozenset({UPDATE}), session=_via_transcript),
    "coding_rounds": _Rule(),
    "assignments": _Rule(session=_SESSION_ID),
    "raters": _Rule(clean=_clean_rater),
    "project": _Rule(clean=_clean_settings),
    "consensus_decisions": _Rule(session=_SESSION_ID),
    "suggestion_dismissals": _Rule(session=_SESSION_ID),
    "intake_records": _Rule(),
    "formulation_overrides": _Rule(),
    "patients": _Rule(),
    "sessions": _Rule(session=_column("id")),
    "transcripts": _Rule(session=_SESSION_ID),
    "schemes": _Rule(dropped=frozenset({"source_text"})),
}
_AUDIT_TABLE = cast(Table, AuditRow.__table__)


@dataclass
class _Bulk:
    """Rows of one multi-row insert into one table for one therapy session."""

    rows: int = 0
    raters: Counter[int] = field(default_factory=Counter)


def install(factory: sessionmaker[Session]) -> None:
    """Record every change made through sessions of ``factory`` (idempotent).

    Idempotence is a mark on the factory itself, not ``event.contains``: SQLAlchemy's
    event registry is keyed by ``id()`` of the factory's session class, so a new
    factory whose class reuses a collected one's address can look "already listened
    to", and a project opened later in the same process would go unaudited."""
    if getattr(factory, _INSTALLED, False):
        return
    setattr(factory, _INSTALLED, True)
    event.listen(factory, "before_flush", _before_flush)
    event.listen(factory, "after_flush", _after_flush)
    event.listen(factory, "do_orm_execute", _on_execute)
    event.listen(factory, "before_commit", _before_commit)
    event.listen(factory, "after_rollback", _forget)


# ---- values ---------------------------------------------------------------------------
def _plain(value: Any) -> Any:
    """A JSON-safe copy of a stored value."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    return value


def _shown(rule: _Rule, values: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: _plain(v) for k, v in values.items() if k not in rule.dropped}
    return rule.clean(out) if rule.clean else out


def _entry(
    session: Session,
    rule: _Rule,
    table: str,
    action: str,
    values: Mapping[str, Any],
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
) -> dict[str, Any]:
    actor = cast("Acting | None", session.info.get(ACTOR))
    return {
        "at": utcnow(),
        "rater_id": actor.rater_id if actor is not None else None,
        "actor": actor.name if actor is not None else "",
        "action": action,
        "table": table,
        "row_key": str(values.get(rule.key, ""))[:64],
        "session_id": rule.session(session, values) if rule.session else None,
        "before": _shown(rule, before) if before is not None else None,
        "after": _shown(rule, after) if after is not None else None,
    }


def _pending(session: Session) -> list[dict[str, Any]]:
    return cast(list[dict[str, Any]], session.info.setdefault(_PENDING, []))


def _row_values(obj: Any) -> dict[str, Any]:
    state = inspect(obj)
    return {attr.key: state.dict.get(attr.key) for attr in state.mapper.column_attrs}


def _rule_of(obj: Any, action: str) -> tuple[str, _Rule] | None:
    table = getattr(type(obj), "__tablename__", None)
    rule = RULES.get(table) if table else None
    if rule is None or action not in rule.actions:
        return None
    return cast(str, table), rule


# ---- ORM unit of work ------------------------------------------------------------------
def _before_flush(session: Session, _ctx: UOWTransaction, _instances: object) -> None:
    pending = _pending(session)
    for obj in list(session.dirty):
        found = _rule_of(obj, UPDATE)
        if found is None:
            continue
        table, rule = found
        state = inspect(obj)
        before: dict[str, Any] = {}
        after: dict[str, Any] = {}
        for attr in state.mapper.column_attrs:
            if attr.key in _NOT_DIFFED:
                continue
            history = state.attrs[attr.key].history
            if not history.added and not history.deleted:
                continue
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            if old != new:
                before[attr.key], after[attr.key] = old, new
        if after:
            pending.append(_entry(session, rule, table, UPDATE, _row_values(obj), before, after))
    for obj in list(session.deleted):
        found = _rule_of(obj, DELETE)
        if found is not None:
            table, rule = found
            for attr in inspect(obj).mapper.column_attrs:
                getattr(obj, attr.key)  # loaded now: after the flush it cannot be
            values = _row_values(obj)
            pending.append(_entry(session, rule, table, DELETE, values, values, None))


def _after_flush(session: Session, _ctx: UOWTransaction) -> None:
    pending = _pending(session)
    for obj in list(session.new):
        found = _rule_of(obj, INSERT)
        if found is not None:
            table, rule = found
            values = _row_values(obj)
            pending.append(_entry(session, rule, table, INSERT, values, None, values))


# ---- statements run through the session ---------------------------------------------------
def _on_execute(state: ORMExecuteState) -> Result[Any] | None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return None
    table = cast(Table, state.statement.table)  # type: ignore[attr-defined]
    session = state.session
    if state.is_insert:
        _bulk_insert(session, table, state.parameters)
        return None
    rule = RULES.get(table.name)
    action = DELETE if state.is_delete else UPDATE
    if rule is None or action not in rule.actions:
        return None
    where = state.statement.whereclause  # type: ignore[attr-defined]
    query = select(table) if where is None else select(table).where(where)
    rows = [dict(r._mapping) for r in session.connection().execute(query)]
    pending = _pending(session)
    if state.is_delete:
        pending += [_entry(session, rule, table.name, DELETE, r, r, None) for r in rows]
        return None
    result = state.invoke_statement()
    pk = next(iter(table.primary_key.columns))
    now = {
        r._mapping[pk.name]: dict(r._mapping)
        for r in session.connection().execute(
            select(table).where(pk.in_([old[pk.name] for old in rows]))
        )
    }
    for old in rows:
        new = now.get(old[pk.name], {})
        changed = [k for k in new if k not in _NOT_DIFFED and new[k] != old.get(k)]
        if changed:
            pending.append(
                _entry(
                    session,
                    rule,
                    table.name,
                    UPDATE,
                    new,
                    {k: old.get(k) for k in changed},
                    {k: new[k] for k in changed},
                )
            )
    return result


def record_bulk_insert(
    session: Session, table: Table, counts: Mapping[tuple[int | None, int | None], int]
) -> None:
    """Record rows a service inserted on the session's own connection but past the
    session (the driver's ``executemany``, where SQLAlchemy's per-row work was most of
    the time), given as row counts per (therapy session, rater): entered exactly as a
    multi-row ``insert()`` through the session would be, one summary per therapy
    session, written at commit with the rest."""
    _add_bulk(session, table, counts)


def record_turns(session: Session, transcript_id: int, n: int) -> None:
    """Count ``n`` turns a service inserted on the session's connection past the session
    (a transcript import), as a multi-row ``insert()`` through the session would be: the
    transcript's own entry then says how many turns came in."""
    turns = cast(Counter[int], session.info.setdefault(_TURNS, Counter()))
    turns[transcript_id] += n


def _bulk_insert(session: Session, table: Table, parameters: object) -> None:
    rows: list[Mapping[str, Any]]
    if isinstance(parameters, Mapping):
        rows = [parameters]
    elif isinstance(parameters, list):
        rows = parameters
    else:
        rows = []
    if table.name == "turns":
        for transcript_id, n in Counter(r["transcript_id"] for r in rows).items():
            record_turns(session, transcript_id, n)
        return
    rule = RULES.get(table.name)
    if rule is None or INSERT not in rule.actions or not rows:
        return
    by_session = "session_id" in table.columns
    # One pass in C (Counter over tuples): 100 000 rows cost a few tens of milliseconds.
    counts = Counter((r.get("session_id") if by_session else None, r.get("rater_id")) for r in rows)
    _add_bulk(session, table, counts)


def _add_bulk(
    session: Session, table: Table, counts: Mapping[tuple[int | None, int | None], int]
) -> None:
    rule = RULES.get(table.name)
    if rule is None or INSERT not in rule.actions or not counts:
        return
    bulk = cast(
        dict[tuple[str, int | None], _Bulk], session.info.setdefault(_BULK, defaultdict(_Bulk))
    )
    for (session_id, rater_id), n in counts.items():
        entry = bulk[(table.name, session_id)]
        entry.rows += n
        if rater_id is not None:
            entry.raters[rater_id] += n


# ---- writing ----------------------------------------------------------------------------
def _before_commit(session: Session) -> None:
    session.flush()
    pending = session.info.pop(_PENDING, [])
    bulk: dict[tuple[str, int | None], _Bulk] = session.info.pop(_BULK, {})
    turns: Counter[int] = session.info.pop(_TURNS, Counter())
    if turns:
        for entry in pending:
            if entry["table"] == "transcripts" and entry["action"] == INSERT:
                entry["after"]["turns"] = turns.get(int(entry["row_key"]), 0)
    if bulk:
        pending += _bulk_entries(session, bulk)
    if pending:
        session.connection().execute(insert(_AUDIT_TABLE), pending)


def _bulk_entries(session: Session, bulk: Mapping[tuple[str, int | None], _Bulk]) -> list[Any]:
    ids = {rid for b in bulk.values() for rid in b.raters}
    names: dict[int, str] = {}
    if ids:
        query = select(RaterRow.id, RaterRow.name).where(RaterRow.id.in_(ids))
        names = {rid: name for rid, name in session.connection().execute(query)}
    source = str(session.info.get(SOURCE, ""))
    entries = []
    for (table, session_id), b in sorted(bulk.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0)):
        after: dict[str, Any] = {"rows": b.rows}
        if source:
            after["source"] = source
        if b.raters:
            after["raters"] = {names.get(rid, str(rid)): n for rid, n in sorted(b.raters.items())}
        entry = _entry(session, RULES[table], table, INSERT, {}, None, after)
        entry["row_key"] = "bulk"
        entry["session_id"] = session_id
        entries.append(entry)
    return entries


def _forget(session: Session) -> None:
    for key in (_PENDING, _BULK, _TURNS):
        session.info.pop(key, None)
