"""Importing and exporting the long codes table.

Import resolves every row against the project (patients, sessions, segments, turns,
scheme ids, value ranges, raters) and asks :mod:`coder.app.access` whether the acting
identity may bring it in, before writing anything; then it stores the whole file in one
transaction. It is idempotent: rows already stored are skipped, so importing a file
twice, or an export back into its own project, doubles nothing. Export writes the same
columns plus descriptive ones, so that export -> import into a fresh project -> export
reproduces the same rows.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from difflib import get_close_matches
from pathlib import Path
from typing import cast

from sqlalchemy import Table, func, insert, select
from sqlalchemy.orm import Session as OrmSession

from coder.app import schemes as scheme_service
from coder.app.access import (
    NotAllowed,
    assigned_in_open_round,
    check_editable,
    project_has_lead,
    require_identity,
    visible_rater_ids,
)
from coder.app.identity import ActingRater
from coder.app.lookup import no_session, session_or_none
from coder.app.raters import check_spelling, exact_names
from coder.app.rounds import open_round
from coder.domain.coding import TextSpan, Unit, check_value
from coder.domain.errors import CoderError, NotFoundError, ValidationError
from coder.domain.project import Rater
from coder.domain.roles import RaterRole
from coder.domain.scheme import Scheme
from coder.domain.segmentation import rule_key
from coder.io.codes_csv import (
    EXPORT_COLUMNS,
    CodeRecord,
    CodesFileError,
    format_span_end,
    format_span_start,
    read_codes,
    write_rows_atomically,
)
from coder.store.clock import utcnow
from coder.store.database import ProjectDatabase
from coder.store.models import (
    CodeApplicationRow,
    EpisodeRow,
    PatientRow,
    ProjectMeta,
    RaterRow,
    SchemeRow,
    SegmentationRow,
    SegmentRow,
    SessionRow,
    TranscriptRow,
    TurnRow,
)

# The consensus pseudo-rater's name, as coder.app.identity.consensus_coder creates it: a
# reserved identity, never an ordinary rater.
CONSENSUS_NAME = "Consensus"


@dataclass(frozen=True, slots=True)
class CodesImport:
    """What an import did: ``rows`` stored, ``already_present`` identical rows skipped,
    ``skipped_absent`` presence codes with value 0 (absence is the lack of a row)."""

    path: Path
    rows: int
    already_present: int
    skipped_absent: int
    new_raters: tuple[str, ...]


class CodesRefused(CodesFileError, NotAllowed):
    """A readable file that the acting identity may not import (whose codes, which
    sessions, locked rounds); ``problems`` names the lines, as for any bad file."""


@dataclass
class _SessionInfo:
    id: int
    patient: str
    number: int
    turn_lengths: dict[int, int]
    segments: dict[str, dict[int, int]]  # rule -> segment index -> segment row id


class _Resolver:
    """Per-import caches so 100k rows cost one query per session, not per row."""

    def __init__(self, session: OrmSession, db: ProjectDatabase) -> None:
        self.session = session
        self.db = db
        self.schemes: dict[str | None, tuple[int, Scheme]] = {}
        self.scheme_keys: dict[int, str] = {}  # scheme row id -> key, for identity checks
        self.sessions: dict[tuple[str, int], _SessionInfo | None] = {}

    def scheme(self, key: str | None) -> tuple[int, Scheme]:
        if key not in self.schemes:
            query = select(SchemeRow)
            if key is None:
                query = query.join(ProjectMeta, ProjectMeta.default_scheme_id == SchemeRow.id)
            else:
                query = query.where(SchemeRow.key == key).order_by(SchemeRow.revision.desc())
            row = self.session.scalars(query.limit(1)).first()
            if row is None:
                raise NotFoundError(f"the project has no scheme {key!r}")
            self.schemes[key] = (row.id, scheme_service.scheme_of_row(row))
            self.scheme_keys[row.id] = row.key
        return self.schemes[key]

    def session_info(self, patient: str, number: int) -> _SessionInfo | None:
        key = (patient, number)
        if key not in self.sessions:
            found = session_or_none(self.session, patient, number)
            if found is None:
                self.sessions[key] = None
            else:
                sid = found.id
                lengths: dict[int, int] = dict(
                    self.session.execute(
                        select(TurnRow.index, func.length(TurnRow.text))
                        .join(TranscriptRow)
                        .where(TranscriptRow.session_id == sid)
                    ).all()
                )
                segments: dict[str, dict[int, int]] = {}
                for rule, index, seg_id in self.session.execute(
                    select(SegmentationRow.rule, SegmentRow.index, SegmentRow.id)
                    .join(SegmentationRow)
                    .join(TranscriptRow)
                    .where(TranscriptRow.session_id == sid)
                ):
                    segments.setdefault(rule, {})[index] = seg_id
                self.sessions[key] = _SessionInfo(sid, patient, number, lengths, segments)
        return self.sessions[key]


# ---- whose codes ------------------------------------------------------------------------
@dataclass
class _Who:
    """A rater named in the file, as the import stores them (``id`` is ``None`` until a
    rater the import may create has been created)."""

    name: str
    id: int | None
    role: RaterRole
    create: bool = False

    @property
    def is_consensus(self) -> bool:
        return self.role is RaterRole.CONSENSUS


@dataclass
class _Raters:
    """The outcome of matching the file's rater names against the project."""

    who: dict[str, _Who]  # name as written in the file -> who stores the rows
    refused: list[tuple[int, str]]  # (first line, problem): not this actor's to import
    unknown: list[tuple[int, str]]  # (first line, problem): names the project lacks


def _raters_in_file(
    session: OrmSession, records: Sequence[CodeRecord], actor: ActingRater | None, create: bool
) -> _Raters:
    """Match every rater name (exactly, after trimming) and decide whether ``actor`` may
    import their codes. Each name is reported once, with all its lines, because a
    misspelt name or someone else's codes is one mistake, not hundreds."""
    lines: dict[str, list[int]] = {}
    for rec in records:
        lines.setdefault(rec.rater, []).append(rec.line)
    stored = session.execute(select(RaterRow.id, RaterRow.name, RaterRow.role)).all()
    by_name = {name: (rid, RaterRole(role)) for rid, name, role in stored}
    by_lower = {name.lower(): name for name in by_name}
    consensus = next(
        (name for name, (_, role) in by_name.items() if role is RaterRole.CONSENSUS), None
    )
    result = _Raters({}, [], [])
    creating: dict[str, str] = {}  # lower-case name -> spelling being created
    for name, at in lines.items():
        where = _lines(at)
        if name in (CONSENSUS_NAME, consensus):
            if actor is None or not actor.is_lead:
                result.refused.append(
                    (at[0], f"{where}: {name!r} is the consensus; only a lead can import its codes")
                )
            elif consensus is not None:
                result.who[name] = _Who(consensus, by_name[consensus][0], RaterRole.CONSENSUS)
            elif name in by_name:
                result.unknown.append(
                    (
                        at[0],
                        f"{where}: {name!r} is an ordinary rater in this project (made by an "
                        "older import), so these rows cannot be stored as consensus codes",
                    )
                )
            else:
                result.who[name] = _Who(name, None, RaterRole.CONSENSUS, create=True)
            continue
        if name in by_name:
            rid, role = by_name[name]
            if actor is not None and not actor.is_lead and rid != actor.rater_id:
                result.refused.append((at[0], f"{where}: {_not_yours(name, role, actor)}"))
            else:
                result.who[name] = _Who(name, rid, role)
            continue
        clash = by_lower.get(name.lower()) or creating.get(name.lower())
        if not create or clash is not None or name.lower() == CONSENSUS_NAME.lower():
            result.unknown.append(
                (at[0], f"{where}: {_unknown(name, clash, list(by_name), create)}")
            )
        elif actor is not None and not actor.is_lead:
            result.refused.append((at[0], f"{where}: {_not_yours(name, RaterRole.RATER, actor)}"))
        else:
            creating[name.lower()] = name
            result.who[name] = _Who(name, None, RaterRole.RATER, create=True)
    return result


def _not_yours(name: str, role: RaterRole, actor: ActingRater) -> str:
    whose = "a lead's codes" if role is RaterRole.LEAD else "someone else's codes"
    return (
        f"these are {name!r}'s codes: {actor.name} can import only their own "
        f"({whose} only a lead can import)"
    )


def _unknown(name: str, clash: str | None, names: Sequence[str], create: bool) -> str:
    text = f"no rater named {name!r} in the project"
    if name.lower() == CONSENSUS_NAME.lower() and clash is None:
        return f"{text}; {CONSENSUS_NAME!r} (spelt so) is reserved for the consensus"
    guess = clash or next(iter(get_close_matches(name, list(names), n=1, cutoff=0.8)), None)
    if guess is not None:
        text += f"; did you mean {guess!r}?"
        if create and clash is not None:
            text += " (names must match exactly; a name differing only in case is not created)"
        return text
    return text + " (add the rater first, or let the import create raters: --create-raters)"


def _lines(lines: Sequence[int], limit: int = 8) -> str:
    """``line 4`` or ``lines 2-9, 12``: compact, because a whole rater's rows may be
    refused at once."""
    ranges: list[list[int]] = []
    for n in sorted(lines):
        if ranges and n <= ranges[-1][1] + 1:
            ranges[-1][1] = n
        else:
            ranges.append([n, n])
    parts = [str(a) if a == b else f"{a}-{b}" for a, b in ranges]
    shown = ", ".join(parts[:limit])
    if len(parts) > limit:
        shown += f", ... ({len(lines)} lines in all)"
    return f"{'line' if len(lines) == 1 else 'lines'} {shown}"


# ---- import -----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Candidate:
    rec: CodeRecord
    row: dict[str, object]
    who: _Who
    slot: tuple[object, ...]  # what the row is about: one value per slot
    rating: bool


def import_codes(
    db: ProjectDatabase,
    path: Path,
    actor: ActingRater | None = None,
    *,
    create_raters: bool = False,
) -> CodesImport:
    """Validate every row, then store the new ones in one transaction (all or nothing).

    Who may import what follows :mod:`coder.app.access`: in a project with a lead the
    importer must say who they are; a rater brings in only their own codes, into the
    sessions assigned to them while a round is open; a lead anyone's. The consensus is
    a reserved identity (a lead's only), and a session covered by a locked round takes
    no new codes. Rows naming an unknown rater are refused (a typo must not become a
    new rater) unless ``create_raters``.

    Importing is idempotent: a row identical to a stored one is counted as already
    present and skipped; a row that would give a stored code a different value or memo,
    or that repeats another row of the file, is refused with its line.
    """
    records = read_codes(path)
    with db.transaction(actor, source=path.name) as session:
        return import_code_records(session, db, path, records, actor, create_raters=create_raters)


def import_code_records(
    session: OrmSession,
    db: ProjectDatabase,
    path: Path,
    records: Sequence[CodeRecord],
    actor: ActingRater | None,
    *,
    create_raters: bool = False,
) -> CodesImport:
    """:func:`import_codes` for records already read, inside the caller's transaction
    (``coder import-qdpx`` stores transcripts and their codes as one transaction).
    Raises, leaving the caller to roll back, on the first refusal; ``path`` names the
    file in messages."""
    require_identity(session, actor, "import codes")
    if create_raters and actor is not None and not actor.is_lead and project_has_lead(session):
        raise NotAllowed("only a lead can create raters (--create-raters)", path=path)
    raters = _raters_in_file(session, records, actor, create_raters)
    problems: list[tuple[int, str]] = list(raters.unknown)
    refused: list[tuple[int, str]] = list(raters.refused)
    resolver = _Resolver(session, db)
    candidates: list[_Candidate] = []
    first_line: dict[tuple[object, ...], int] = {}
    skipped = 0
    for rec in records:
        try:
            row = _resolve(rec, resolver)
        except CoderError as exc:
            problems.append((rec.line, f"line {rec.line}: {exc.problem}"))
            continue
        if row is None:
            skipped += 1
            continue
        who = raters.who.get(rec.rater)
        if who is None:
            continue  # refused or unknown: reported once for all its lines
        scheme_id, scheme = resolver.scheme(rec.scheme)
        rating = scheme.is_rating(rec.code)  # stages and codes may repeat; ratings may not
        slot: tuple[object, ...] = (
            row["session_id"],
            who.name,
            resolver.scheme_keys[scheme_id],
            rec.code,
            rec.unit.value,
            rec.unit_index,
        )
        if not rating:
            slot += (_evidence(row),)
        earlier = first_line.setdefault(slot, rec.line)
        if earlier != rec.line:
            problems.append((rec.line, f"line {rec.line}: {_repeated(rec, who, rating, earlier)}"))
            continue
        candidates.append(_Candidate(rec, row, who, slot, rating))

    stored = _stored_rows(session, candidates)
    fresh: list[_Candidate] = []
    present = 0
    for cand in candidates:
        mine = (_evidence(cand.row), cand.row["value"], cand.row["memo"])
        same_slot = stored.get(cand.slot[:6], [])
        if mine in same_slot:
            present += 1
            continue
        if not cand.rating:
            same_slot = [s for s in same_slot if s[0] == mine[0]]
        if same_slot:
            problems.append(
                (cand.rec.line, f"line {cand.rec.line}: {_conflict(cand, same_slot[0])}")
            )
            continue
        fresh.append(cand)

    new_raters = _create_raters(session, raters.who.values())
    refused += _refused_sessions(session, actor, fresh, resolver)
    if refused or problems:
        listed = [text for _, text in sorted(refused)] + [text for _, text in sorted(problems)]
        raise (CodesRefused if refused else CodesFileError)(path, listed)
    current = open_round(session)
    episodes: dict[tuple[int, int, int], int] = {}
    starts: dict[int, int] = {}  # episode id -> earliest evidence turn seen
    rows: list[dict[str, object]] = []
    for cand in fresh:
        row = cand.row
        row["rater_id"] = cand.who.id
        # Codes made while a round is open join it; consensus codes (made after a
        # round is locked, as the consensus service makes them) belong to no round.
        round_id = current.id if current and not cand.who.is_consensus else None
        row["round_id"] = round_id
        if cand.rec.unit is Unit.EPISODE:
            scheme = resolver.scheme(cand.rec.scheme)[1]
            row["episode_id"] = _episode(session, episodes, starts, row, cand.rec, scheme, round_id)
        rows.append(row)
    if rows:
        # Core insert with the import time set once: the ORM's per-row bookkeeping
        # and per-row default calls were half the time of a 100k-row import.
        now = utcnow()
        for row in rows:
            row.setdefault("created_at", now)
            row.setdefault("updated_at", row["created_at"])
            row.setdefault("episode_id", None)
        session.execute(insert(cast(Table, CodeApplicationRow.__table__)), rows)
    return CodesImport(path, len(rows), present, skipped, tuple(new_raters))


def _evidence(row: dict[str, object]) -> tuple[object, object, object]:
    return (row["evidence_turn"], row["evidence_start"], row["evidence_end"])


def _where(rec: CodeRecord) -> str:
    return f"{rec.code} for {rec.unit.value} {rec.unit_index}"


def _repeated(rec: CodeRecord, who: _Who, rating: bool, earlier: int) -> str:
    if rating:
        return (
            f"{rec.code} is rated twice for {rec.unit.value} {rec.unit_index} by {who.name} "
            f"(first on line {earlier})"
        )
    span = " with the same evidence" if rec.evidence is not None else ""
    return f"{_where(rec)} by {who.name}{span} repeats line {earlier}"


def _conflict(cand: _Candidate, stored: tuple[object, object, object]) -> str:
    evidence, value, memo = stored
    rec = cand.rec
    if value != cand.row["value"]:
        differs = f"value {_shown(value)} (this row: {_shown(rec.value)})"
    elif memo != cand.row["memo"]:
        differs = "a different memo"
    else:
        differs = f"different evidence ({_span(evidence)})"
    return (
        f"{_where(rec)} by {cand.who.name} is already stored with {differs}; "
        "change it in the app, or remove the row"
    )


def _shown(value: object) -> str:
    return "NA" if value is None else str(value)


def _span(evidence: object) -> str:
    turn, start, end = cast(tuple[int | None, int | None, int | None], evidence)
    if turn is None or start is None or end is None:
        return "none"
    span = TextSpan(turn, start, end)
    return f"{format_span_start(span)}..{format_span_end(span)}"


def _stored_rows(
    session: OrmSession, candidates: Sequence[_Candidate]
) -> dict[tuple[object, ...], list[tuple[object, object, object]]]:
    """The stored codes of the file's sessions and raters, by what they are about
    (session, rater, scheme key, code, unit, unit index): one query per file."""
    session_ids = {c.row["session_id"] for c in candidates}
    rater_ids = {c.who.id for c in candidates if c.who.id is not None}
    found: dict[tuple[object, ...], list[tuple[object, object, object]]] = {}
    if not session_ids or not rater_ids:
        return found
    app = CodeApplicationRow
    query = (
        select(
            app.session_id,
            RaterRow.name,
            SchemeRow.key,
            app.code_id,
            app.unit,
            app.unit_index,
            app.evidence_turn,
            app.evidence_start,
            app.evidence_end,
            app.value,
            app.memo,
        )
        .join(RaterRow, app.rater_id == RaterRow.id)
        .join(SchemeRow, app.scheme_id == SchemeRow.id)
        .where(app.session_id.in_(session_ids), app.rater_id.in_(rater_ids))
    )
    for sid, rater, key, code, unit, index, turn, start, end, value, memo in session.execute(query):
        found.setdefault((sid, rater, key, code, unit, index), []).append(
            ((turn, start, end), value, memo)
        )
    return found


def _create_raters(session: OrmSession, people: Iterable[_Who]) -> list[str]:
    """Create the raters the import may create; the consensus is created with its role,
    never as an ordinary rater. Returns the new (ordinary) raters' names."""
    created = []
    for who in people:
        if who.create and who.id is None:
            who.id = _new_rater(session, who.name, who.role)
            if not who.is_consensus:
                created.append(who.name)
    return created


def _refused_sessions(
    session: OrmSession, actor: ActingRater | None, fresh: Sequence[_Candidate], resolver: _Resolver
) -> list[tuple[int, str]]:
    """Rows refused because of the session they go into: one check per session (and
    kind of owner), reported with all the lines it refuses."""
    lines: dict[tuple[int, int | None], list[int]] = {}
    for cand in fresh:
        owner = cand.who.id if cand.who.is_consensus else None
        lines.setdefault((int(str(cand.row["session_id"])), owner), []).append(cand.rec.line)
    sessions = {info.id: info for info in resolver.sessions.values() if info is not None}
    assigned = assigned_in_open_round(session, actor)
    refused: list[tuple[int, str]] = []
    for (sid, consensus_id), at in lines.items():
        info = sessions[sid]
        label = f"{_lines(at)} ({info.patient} session {info.number})"
        try:
            if consensus_id is not None:
                # Consensus codes are written as the consensus, whose rules access knows.
                check_editable(session, _consensus(consensus_id), sid, owner_id=consensus_id)
            else:
                # A lead may bring in anyone's codes, so only the session's round
                # status is asked of it; a rater's rows are all their own.
                owner = actor.rater_id if actor is not None else 0
                check_editable(session, actor, sid, owner_id=owner)
        except NotAllowed as exc:
            refused.append((at[0], f"{label}: {exc.problem}"))
            continue
        if assigned is not None and consensus_id is None and sid not in assigned[1]:
            refused.append(
                (at[0], f"{label}: this session is not assigned to you in round {assigned[0]}")
            )
    return refused


def _consensus(rater_id: int) -> ActingRater:
    return ActingRater(rater_id, CONSENSUS_NAME, "CONS", RaterRole.CONSENSUS)


def _resolve(rec: CodeRecord, resolver: _Resolver) -> dict[str, object] | None:
    scheme_id, scheme = resolver.scheme(rec.scheme)
    if not scheme.has_id(rec.code):
        raise NotFoundError(f"code {rec.code!r} is not in scheme {scheme.id}")
    info = resolver.session_info(rec.patient, rec.session)
    if info is None:
        raise no_session(rec.patient, rec.session)
    if scheme.is_code(rec.code) and rec.value == 0:
        return None  # absence is the lack of a row; keep the file importable
    check_value(scheme, rec.code, rec.value)
    segment_id = None
    if rec.unit is Unit.SEGMENT:
        rule = rule_key(scheme.segmentation)
        segment_id = info.segments.get(rule, {}).get(rec.unit_index)
        if segment_id is None:
            n = len(info.segments.get(rule, {}))
            raise NotFoundError(
                f"session {rec.session} of {rec.patient} has no segment "
                f"{rec.unit_index} ({n} segments under {rule})"
            )
    elif rec.unit is Unit.TURN and rec.unit_index not in info.turn_lengths:
        raise NotFoundError(f"session {rec.session} of {rec.patient} has no turn {rec.unit_index}")
    elif rec.unit is Unit.SESSION and rec.unit_index != 1:
        raise ValidationError("a session-level rating has unit_index 1")
    if rec.evidence is not None:
        length = info.turn_lengths.get(rec.evidence.turn)
        if length is None:
            raise NotFoundError(f"evidence names turn {rec.evidence.turn}, which does not exist")
        if rec.evidence.end > length:
            raise ValidationError(
                f"evidence runs past the end of turn {rec.evidence.turn} ({length} characters)"
            )
    row: dict[str, object] = {
        "session_id": info.id,
        "scheme_id": scheme_id,
        "code_id": rec.code,
        "unit": rec.unit.value,
        "unit_index": rec.unit_index,
        "segment_id": segment_id,
        "value": rec.value,
        "memo": rec.memo,
        "evidence_turn": rec.evidence.turn if rec.evidence else None,
        "evidence_start": rec.evidence.start if rec.evidence else None,
        "evidence_end": rec.evidence.end if rec.evidence else None,
    }
    if rec.created_at is not None:
        row["created_at"] = rec.created_at
    if rec.updated_at is not None:
        row["updated_at"] = rec.updated_at
    return row


def _episode(
    session: OrmSession,
    cache: dict[tuple[int, int, int], int],
    starts: dict[int, int],
    row: dict[str, object],
    rec: CodeRecord,
    scheme: Scheme,
    round_id: int | None,
) -> int:
    """Episode ``unit_index`` of this rater and session, created on first mention (in
    ``round_id``, like its codes); its pathway is that of the first stage coded in it."""
    pathway = scheme.stage(rec.code)[0].id if scheme.is_stage(rec.code) else ""
    key = (int(str(row["rater_id"])), int(str(row["session_id"])), rec.unit_index)
    if key not in cache:
        found = session.scalar(
            select(EpisodeRow.id).where(
                EpisodeRow.rater_id == key[0],
                EpisodeRow.session_id == key[1],
                EpisodeRow.index == key[2],
            )
        )
        if found is None:
            episode = EpisodeRow(
                session_id=key[1],
                rater_id=key[0],
                scheme_id=int(str(row["scheme_id"])),
                round_id=round_id,
                index=key[2],
                pathway_id=pathway,
                start_turn=rec.evidence.turn if rec.evidence else 1,
            )
            session.add(episode)
            session.flush()
            found = episode.id
        cache[key] = found
    episode_row = session.get(EpisodeRow, cache[key])
    if episode_row is not None:
        if pathway and not episode_row.pathway_id:
            episode_row.pathway_id = pathway
        # An episode starts at its earliest evidence, whatever order the rows come in,
        # so export -> import keeps start turns.
        if rec.evidence is not None:
            known = starts.get(episode_row.id)
            if known is None or rec.evidence.turn < known:
                starts[episode_row.id] = rec.evidence.turn
                episode_row.start_turn = rec.evidence.turn
    return cache[key]


def _new_rater(session: OrmSession, name: str, role: RaterRole = RaterRole.RATER) -> int:
    """Create a rater named in the file; initials from the name's words."""
    words = re.findall(r"[A-Za-z]+", name)
    rater = Rater(name, "".join(w[0] for w in words)[:4].upper() or "R", role)
    row = RaterRow(name=rater.name, initials=rater.initials, role=rater.role.value)
    session.add(row)
    session.flush()
    return row.id


# ---- export -----------------------------------------------------------------------------
def export_codes(
    db: ProjectDatabase,
    out: Path,
    raters: Sequence[str] | None = None,
    coder: ActingRater | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write code applications (optionally only ``raters``'); return the row count.
    ``progress`` as for :func:`coder.io.codes_csv.write_rows_atomically` (a cancel it
    raises leaves no file).

    Blinding holds here too (:func:`coder.app.access.visible_rater_ids`): a blinded
    rater exports only their own codes; in a project with a lead an anonymous export is
    refused.
    """
    with db.reading() as session:
        check_spelling(session, raters or ())  # a wrong case is an error, not an empty file
        rater_ids = visible_rater_ids(session, coder)
    rows = _export_rows(db, raters, rater_ids)
    return write_rows_atomically(out, EXPORT_COLUMNS, rows, progress)


def _export_rows(
    db: ProjectDatabase, raters: Sequence[str] | None, rater_ids: list[int] | None
) -> Iterator[list[object]]:
    """Rows in a stable order. Columns are selected one by one (not whole ORM objects):
    building 100k ORM instances was most of the export time."""
    app = CodeApplicationRow
    query = (
        select(
            PatientRow.code,
            SessionRow.number,
            RaterRow.name,
            app.code_id,
            app.unit,
            app.unit_index,
            app.value,
            SchemeRow.key,
            app.evidence_turn,
            app.evidence_start,
            app.evidence_end,
            app.memo,
            SchemeRow.version,
            SchemeRow.revision,
            SegmentRow.start_ms,
            SegmentRow.end_ms,
            app.created_at,
            app.updated_at,
        )
        .join(SessionRow, app.session_id == SessionRow.id)
        .join(PatientRow, SessionRow.patient_id == PatientRow.id)
        .join(RaterRow, app.rater_id == RaterRow.id)
        .join(SchemeRow, app.scheme_id == SchemeRow.id)
        .outerjoin(SegmentRow, app.segment_id == SegmentRow.id)
        .order_by(
            PatientRow.code,
            SessionRow.number,
            RaterRow.name,
            app.unit,
            app.unit_index,
            app.code_id,
            app.evidence_turn,
            app.evidence_start,
        )
    )
    if raters:
        query = query.where(RaterRow.name.in_(exact_names(raters)))
    if rater_ids is not None:
        query = query.where(app.rater_id.in_(rater_ids))
    schemes: dict[tuple[str, int], Scheme] = {}
    described: dict[tuple[str, int, str], tuple[str, str]] = {}
    with db.reading() as session:
        for (
            patient,
            number,
            rater,
            code_id,
            unit,
            unit_index,
            value,
            key,
            ev_turn,
            ev_start,
            ev_end,
            memo,
            version,
            revision,
            seg_start,
            seg_end,
            created,
            updated,
        ) in session.execute(query):
            label = (key, revision, code_id)
            if label not in described:
                if (key, revision) not in schemes:
                    schemes[key, revision] = scheme_service.load_project_scheme_revision(
                        db, key, revision
                    )
                described[label] = _describe(schemes[key, revision], code_id)
            name, group = described[label]
            span = None
            if ev_turn is not None and ev_start is not None and ev_end is not None:
                span = TextSpan(ev_turn, ev_start, ev_end)
            yield [
                patient,
                number,
                rater,
                code_id,
                unit,
                unit_index,
                "NA" if value is None else value,
                key,
                format_span_start(span),
                format_span_end(span),
                memo,
                name,
                group,
                f"{version} rev {revision}",
                seg_start,
                seg_end,
                created.isoformat(),
                updated.isoformat(),
            ]


def _describe(scheme: Scheme, item_id: str) -> tuple[str, str]:
    for code in scheme.codes():
        if code.id == item_id:
            return code.name, code.group_id
    for rating in scheme.ratings:
        if rating.id == item_id:
            return rating.label, f"{rating.scope.value} rating"
    pathway, stage = scheme.stage(item_id)
    return stage.name, f"{pathway.id} pathway"
