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

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session as OrmSession

from coder.app import schemes as scheme_service
from coder.app.access import NotAllowed, project_has_lead, require_identity, visible_rater_ids
from coder.app.codes_raters import add_new_raters, raters_in_file
from coder.app.codes_rows import (
    Candidate,
    Resolver,
    conflict,
    episode_id,
    evidence_of,
    refused_sessions,
    repeated,
    resolve,
    stored_rows,
)
from coder.app.identity import ActingRater
from coder.app.raters import check_spelling, exact_names
from coder.app.rounds import open_round
from coder.domain.coding import TextSpan, Unit
from coder.domain.errors import CoderError
from coder.domain.scheme import Scheme
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
    PatientRow,
    RaterRow,
    SchemeRow,
    SegmentRow,
    SessionRow,
)


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


# ---- import -----------------------------------------------------------------------------
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
    raters = raters_in_file(session, records, actor, create_raters)
    problems: list[tuple[int, str]] = list(raters.unknown)
    refused: list[tuple[int, str]] = list(raters.refused)
    resolver = Resolver(session, db)
    candidates: list[Candidate] = []
    first_line: dict[tuple[object, ...], int] = {}
    skipped = 0
    for rec in records:
        try:
            row = resolve(rec, resolver)
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
            slot += (evidence_of(row),)
        earlier = first_line.setdefault(slot, rec.line)
        if earlier != rec.line:
            problems.append((rec.line, f"line {rec.line}: {repeated(rec, who, rating, earlier)}"))
            continue
        candidates.append(Candidate(rec, row, who, slot, rating))

    stored = stored_rows(session, candidates)
    fresh: list[Candidate] = []
    present = 0
    for cand in candidates:
        mine = (evidence_of(cand.row), cand.row["value"], cand.row["memo"])
        same_slot = stored.get(cand.slot[:6], [])
        if mine in same_slot:
            present += 1
            continue
        if not cand.rating:
            same_slot = [s for s in same_slot if s[0] == mine[0]]
        if same_slot:
            problems.append(
                (cand.rec.line, f"line {cand.rec.line}: {conflict(cand, same_slot[0])}")
            )
            continue
        fresh.append(cand)

    new_raters = add_new_raters(session, raters.who.values())
    refused += refused_sessions(session, actor, fresh, resolver)
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
            row["episode_id"] = episode_id(
                session, episodes, starts, row, cand.rec, scheme, round_id
            )
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
