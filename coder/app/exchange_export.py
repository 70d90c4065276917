"""REFI-QDA project export: ``coder export --format qdpx`` (and the desktop's File ▸ Export).

What travels and how (docs/exchange.md says it for users):

* **Users** are the raters whose codes are exported, with GUIDs derived from their
  names (unique in a project), so the same project exported twice gives the same file
  and a project imported and exported again keeps its users.
* **Codebook**: each code group, the ratings of each scope and each stage pathway
  become a parent code (not codable) holding its codes, ratings or stages; code GUIDs
  derive from the scheme id and the item id, which is how an import recognises our own
  codes.
* **Sources**: one plain-text source per transcribed session (layout in
  :mod:`coder.io.refi.source_text`), named ``PATIENT_S<n>``, its description listing
  patient, session and speakers.
* **Variables**: ``patient`` and ``session`` on every source, and each session-level
  rating (the 3RS globals) as an integer variable per rater (``G_W Ada``).
* **Codings**: one selection per code application, created by its rater: the evidence
  span if there is one, otherwise the whole unit (turn, segment, episode, or the whole
  session for session-level ratings). The selection's description carries what other
  programs have no place for: unit, value (ratings), round, scheme revision. A memo is
  a note referenced from the selection.

Blinding is that of the CSV exports (:func:`coder.app.export._whose`): a blinded rater
exports only their own codes. The codebook and the codes' GUIDs come from
:mod:`coder.app.exchange_codebook`; :mod:`coder.app.exchange_import` reads the
descriptions back.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from coder.app import export as exporting
from coder.app import export_common
from coder.app import schemes as scheme_service
from coder.app.browse import read_turns
from coder.app.exchange_codebook import MARK, ExchangeResult, code_guid, codebook, latest_schemes
from coder.app.identity import ActingRater
from coder.domain.coding import Unit
from coder.domain.errors import CoderError
from coder.domain.segmentation import rule_key
from coder.io.refi import (
    RefiCoding,
    RefiNote,
    RefiProject,
    RefiSelection,
    RefiSource,
    RefiUser,
    RefiVariable,
    stable_guid,
)
from coder.io.refi.source_text import PlacedTurn, write_turns
from coder.io.refi.writer import write_qdpx
from coder.store.database import ProjectDatabase
from coder.store.models import (
    CodeApplicationRow,
    EpisodeRow,
    PatientRow,
    ProjectMeta,
    RaterRow,
    RoundRow,
    SchemeRow,
    SegmentationRow,
    SegmentRow,
    SessionRow,
    TranscriptRow,
)

Progress = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class _Applied:
    """One exported code application (the columns :func:`export_qdpx` reads)."""

    uid: str
    rater_id: int
    scheme_id: int
    round_id: int | None
    code_id: str
    unit: str
    unit_index: int
    value: int | None
    evidence_turn: int | None
    evidence_start: int | None
    evidence_end: int | None
    episode_id: int | None
    memo: str
    created_at: datetime | None


def _selection_text(
    unit: str, index: int, ev: tuple[int | None, int | None, int | None],
    placed: dict[int, PlacedTurn], segments: dict[int, tuple[int, int]],
    episodes: dict[int | None, tuple[int, int | None]], episode_id: int | None, length: int,
) -> tuple[int, int]:  # fmt: skip
    """Where a code application lies in the source text (see the module docstring)."""
    turn, start, end = ev
    if turn is not None and start is not None and end is not None and turn in placed:
        offset = placed[turn].start
        return offset + start, offset + end
    first = last = None
    if unit == Unit.TURN.value:
        first = last = index
    elif unit == Unit.SEGMENT.value and index in segments:
        first, last = segments[index]
    elif unit == Unit.EPISODE.value and episode_id in episodes:
        first, end_turn = episodes[episode_id]
        last = end_turn if end_turn is not None else first
    if first is None or last is None or first not in placed or last not in placed:
        return 0, length
    return placed[first].start, placed[last].end


def _describe_coding(
    unit: str, index: int, value: int | None, is_code: bool, round_no: int | None,
    scheme: tuple[str, str, int], evidence: bool,
) -> str:  # fmt: skip
    key, version, revision = scheme
    lines = [MARK, f"unit: {unit} {index}"]
    if not is_code:
        lines.append(f"value: {'NA' if value is None else value}")
    lines.append(f"evidence: {'yes' if evidence else 'no'}")
    if round_no is not None:
        lines.append(f"round: {round_no}")
    lines.append(f"scheme: {key} {version} (revision {revision})")
    return "\n".join(lines)


def export_qdpx(
    db: ProjectDatabase,
    out: Path,
    options: exporting.ExportOptions,
    coder: ActingRater | None = None,
    progress: Progress | None = None,
) -> ExchangeResult:
    """Write ``out`` as a ``.qdpx`` archive (see the module docstring)."""
    if options.rater and options.consensus:
        raise CoderError("give either a rater or the consensus, not both")
    app = CodeApplicationRow
    with db.reading() as session:
        rater_ids = exporting._whose(session, options, coder)
        round_id = exporting._round_id(session, options.round)
        schemes = latest_schemes(db, session, options.scheme)
        scheme_rows = {
            sid: (key, version, revision)
            for sid, key, version, revision in session.execute(
                select(SchemeRow.id, SchemeRow.key, SchemeRow.version, SchemeRow.revision)
            )
        }
        by_key = {s.id: s for s in schemes}
        rounds: dict[int | None, int] = {
            rid: number for rid, number in session.execute(select(RoundRow.id, RoundRow.number))
        }
        raters = dict(session.execute(select(RaterRow.id, RaterRow.name)).all())
        rater_guids = {rid: stable_guid("rater", name) for rid, name in raters.items()}
        project_name = session.scalar(select(ProjectMeta.name)) or "Rupture Coder project"
        sessions = session.execute(
            select(
                SessionRow.id,
                PatientRow.code,
                SessionRow.number,
                SessionRow.label,
                TranscriptRow.id,
            )
            .join(PatientRow, SessionRow.patient_id == PatientRow.id)
            .join(TranscriptRow, TranscriptRow.session_id == SessionRow.id)
            .order_by(PatientRow.code, SessionRow.number)
        ).all()
        query = export_common.filtered(
            select(
                app.uid,
                app.rater_id,
                app.scheme_id,
                app.round_id,
                app.code_id,
                app.unit,
                app.unit_index,
                app.value,
                app.evidence_turn,
                app.evidence_start,
                app.evidence_end,
                app.episode_id,
                app.memo,
                app.created_at,
                app.session_id,
            ),
            rater_ids,
            round_id,
        ).order_by(app.session_id, app.rater_id, app.unit, app.unit_index, app.code_id, app.uid)
        if options.scheme is not None:
            query = query.where(
                app.scheme_id.in_(select(SchemeRow.id).where(SchemeRow.key == options.scheme))
            )
        by_session: dict[int, list[_Applied]] = defaultdict(list)
        for row in session.execute(query):
            by_session[int(row[-1])].append(_Applied(*row[:-1]))
        sources: list[RefiSource] = []
        notes: list[RefiNote] = []
        patient_var = RefiVariable(stable_guid("variable", "patient"), "patient", "Text")
        session_var = RefiVariable(stable_guid("variable", "session"), "session", "Integer")
        variables: dict[str, RefiVariable] = {"": patient_var, " ": session_var}
        used_raters: set[int] = set()
        n_codings = 0
        for session_id, patient, number, label, transcript_id in sessions:
            domain_turns = list(read_turns(session, transcript_id))
            text, placed_list = write_turns(domain_turns)
            placed = {p.turn.index: p for p in placed_list}
            rules: dict[str, dict[int, tuple[int, int]]] = defaultdict(dict)
            for rule, index, first, last in session.execute(
                select(
                    SegmentationRow.rule,
                    SegmentRow.index,
                    SegmentRow.first_turn,
                    SegmentRow.last_turn,
                )
                .join(SegmentationRow)
                .where(SegmentationRow.transcript_id == transcript_id)
            ):
                rules[rule][index] = (first, last)
            episodes: dict[int | None, tuple[int, int | None]] = {
                eid: (start, end)
                for eid, start, end in session.execute(
                    select(EpisodeRow.id, EpisodeRow.start_turn, EpisodeRow.end_turn).where(
                        EpisodeRow.session_id == session_id
                    )
                )
            }
            selections: list[RefiSelection] = []
            values: list[tuple[str, str | int]] = [
                (patient_var.guid, patient),
                (session_var.guid, number),
            ]
            coded = by_session.get(session_id, [])
            for a in coded:
                uid, rater_id, code_id, unit, unit_index = (
                    a.uid, a.rater_id, a.code_id, a.unit, a.unit_index,
                )  # fmt: skip
                ev_start, memo, created = a.evidence_start, a.memo, a.created_at
                key, version, revision = scheme_rows[a.scheme_id]
                scheme = by_key.get(key) or scheme_service.load_project_scheme_revision(
                    db, key, revision
                )
                segs = rules.get(rule_key(scheme.segmentation), {})
                ev = (a.evidence_turn, a.evidence_start, a.evidence_end)
                start, end = _selection_text(
                    unit,
                    unit_index,
                    ev,
                    placed,
                    segs,
                    episodes,
                    a.episode_id,
                    len(text),
                )
                user = rater_guids[rater_id]
                used_raters.add(rater_id)
                if unit == Unit.SESSION.value and a.value is not None:
                    # session globals also as document variables, one per rating and rater
                    name = f"{code_id} {raters[rater_id]}"
                    label = scheme.rating(code_id).label if scheme.is_rating(code_id) else code_id
                    var = variables.setdefault(
                        name,
                        RefiVariable(
                            stable_guid("variable", key, code_id, raters[rater_id]),
                            name,
                            "Integer",
                            f"{label}, session-level, rated by {raters[rater_id]} ({key}); "
                            "empty: not rated or NA",
                        ),
                    )
                    values.append((var.guid, a.value))
                note_refs: tuple[str, ...] = ()
                if memo:
                    note_guid = stable_guid("memo", uid)
                    notes.append(RefiNote(note_guid, str(memo), user, f"Memo on {code_id}"))
                    note_refs = (note_guid,)
                selections.append(
                    RefiSelection(
                        guid=stable_guid("selection", uid),
                        start=start,
                        end=end,
                        description=_describe_coding(
                            unit,
                            unit_index,
                            a.value,
                            scheme.is_code(code_id),
                            rounds.get(a.round_id),
                            (key, version, revision),
                            ev_start is not None,
                        ),
                        user_guid=user,
                        created=created,
                        codings=(
                            RefiCoding(
                                stable_guid("coding", uid),
                                code_guid(key, code_id),
                                user,
                                created,
                            ),
                        ),
                        note_guids=note_refs,
                    )
                )
            n_codings += len(selections)
            speakers = "; ".join(dict.fromkeys(f"{t.speaker}={t.role.value}" for t in domain_turns))
            description = "\n".join(
                [MARK, f"patient: {patient}", f"session: {number}"]
                + ([f"label: {label}"] if label else [])
                + [f"speakers: {speakers}"]
            )
            sources.append(
                RefiSource(
                    stable_guid("session", patient, number),
                    f"{patient}_S{number}",
                    text,
                    description,
                    tuple(selections),
                    tuple(values),
                )
            )
            if progress is not None:
                progress(n_codings)
        users = tuple(
            RefiUser(stable_guid("rater", raters[r]), raters[r])
            for r in sorted(used_raters, key=lambda r: raters[r])
        )
    project = RefiProject(
        name=project_name,
        users=users,
        codes=codebook(schemes),
        sources=tuple(sources),
        notes=tuple(notes),
        variables=tuple(variables.values()),
        description=f"Exported by {MARK}. What each part means: docs/exchange.md.",
    )
    write_qdpx(out, project)
    return ExchangeResult(out, len(sources), n_codings, len(users))
