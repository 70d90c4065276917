"""REFI-QDA exchange: ``coder export --format qdpx|qdc`` and ``coder import-qdpx``.

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
exports only their own codes. An import is one transaction: transcripts, raters and
codes all go in, or nothing does (the codes pass the same checks as ``coder codes
import``, :func:`coder.app.codes.import_code_records`).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from coder.app import codes as codes_service
from coder.app import export as exporting
from coder.app import export_common, importing
from coder.app import schemes as scheme_service
from coder.app.access import project_has_lead, require_lead
from coder.app.export_columns import scale_text
from coder.app.identity import ActingRater
from coder.domain.coding import TextSpan, Unit
from coder.domain.errors import CoderError
from coder.domain.project import check_code
from coder.domain.roles import SpeakerRole
from coder.domain.scheme import Scheme, Scope
from coder.domain.segmentation import rule_key
from coder.domain.transcript import Transcript, Turn
from coder.io.atomic import write_atomically
from coder.io.codes_csv import CodeRecord, CodesFileError
from coder.io.refi import (
    RefiCode,
    RefiCoding,
    RefiNote,
    RefiProject,
    RefiSelection,
    RefiSource,
    RefiUser,
    RefiVariable,
    stable_guid,
)
from coder.io.refi.reader import read_codebook, read_project
from coder.io.refi.source_text import PlacedTurn, read_turns, write_turns
from coder.io.refi.writer import write_qdc, write_qdpx
from coder.io.scheme_file import parse_scheme_text
from coder.io.transcripts import ParsedTranscript
from coder.io.transcripts.roles import RoleGuess, guess_role
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
    SpeakerRow,
    TranscriptRow,
    TurnRow,
)


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


MARK = "Rupture Coder"  # first line of the descriptions we write (and recognise)
Progress = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class ExchangeResult:
    path: Path
    sources: int
    codings: int
    users: int


# ---- the codebook ---------------------------------------------------------------------------
@cache
def code_guid(scheme_key: str, item_id: str) -> str:
    """The GUID of a scheme item (cached: an export asks once per code application)."""
    return stable_guid("code", scheme_key, item_id)


def scheme_codes(scheme: Scheme, *, prefix: str = "") -> list[RefiCode]:
    """The scheme as REFI codes: groups, ratings by scope and pathways become parents."""
    key = scheme.id
    parents: list[RefiCode] = []
    for group in scheme.groups:
        children = tuple(
            RefiCode(
                code_guid(key, c.id),
                f"{c.id} {c.name}",
                True,
                c.definition,
                c.colour if re.fullmatch(r"#[0-9A-Fa-f]{6}", c.colour) else None,
            )
            for c in group.codes
        )
        about = f"{group.family.value} codes, given per {group.scope.value}"
        parents.append(
            RefiCode(
                stable_guid("group", key, group.id),
                prefix + group.label,
                False,
                about,
                None,
                children,
            )
        )
    for scope in Scope:
        ratings = [r for r in scheme.ratings if r.scope is scope]
        if ratings:
            children = tuple(
                RefiCode(
                    code_guid(key, r.id),
                    f"{r.id} {r.label}",
                    True,
                    f"{r.definition}\nScale: {scale_text(scheme, r.id)} (the value is in each "
                    "coding's selection description)".strip(),
                )
                for r in ratings
            )
            parents.append(
                RefiCode(
                    stable_guid("ratings", key, scope.value),
                    f"{prefix}{scope.value.capitalize()} ratings",
                    False,
                    f"ratings given per {scope.value}",
                    None,
                    children,
                )
            )
    for pathway in scheme.pathways:
        children = tuple(
            RefiCode(code_guid(key, s.id), f"{s.id} {s.name}", True, s.definition)
            for s in pathway.stages
        )
        parents.append(
            RefiCode(
                stable_guid("pathway", key, pathway.id),
                prefix + pathway.label,
                False,
                f"resolution stages of the {pathway.id} pathway, given per episode",
                None,
                children,
            )
        )
    return parents


def _latest_schemes(db: ProjectDatabase, session: OrmSession, key: str | None) -> list[Scheme]:
    export_common.scheme_key(session, key)
    stored = session.execute(
        select(SchemeRow.key, SchemeRow.revision).order_by(SchemeRow.key, SchemeRow.revision)
    ).all()
    latest = {k: r for k, r in stored if key is None or k == key}
    return [scheme_service.load_project_scheme_revision(db, k, r) for k, r in latest.items()]


def _codebook(schemes: list[Scheme]) -> tuple[RefiCode, ...]:
    several = len(schemes) > 1
    found: list[RefiCode] = []
    for scheme in schemes:
        found += scheme_codes(scheme, prefix=f"{scheme.id}: " if several else "")
    return tuple(found)


def export_qdc(db: ProjectDatabase, out: Path, scheme_key: str | None = None) -> ExchangeResult:
    """The project's schemes (latest revisions) as a REFI-QDA codebook (``.qdc``)."""
    with db.reading() as session:
        codes = _codebook(_latest_schemes(db, session, scheme_key))
    write_qdc(out, codes)
    return ExchangeResult(out, 0, 0, 0)


# ---- the project ----------------------------------------------------------------------------
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
        schemes = _latest_schemes(db, session, options.scheme)
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
            turns = session.execute(
                select(
                    TurnRow.index,
                    SpeakerRow.label,
                    SpeakerRow.role,
                    TurnRow.text,
                    TurnRow.start_ms,
                    TurnRow.end_ms,
                )
                .join(SpeakerRow, TurnRow.speaker_id == SpeakerRow.id)
                .where(TurnRow.transcript_id == transcript_id)
                .order_by(TurnRow.index)
            ).all()
            domain_turns = [
                Turn(i, lab, SpeakerRole(role), text, start, end)
                for i, lab, role, text, start, end in turns
            ]
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
        codes=_codebook(schemes),
        sources=tuple(sources),
        notes=tuple(notes),
        variables=tuple(variables.values()),
        description=f"Exported by {MARK}. What each part means: docs/exchange.md.",
    )
    write_qdpx(out, project)
    return ExchangeResult(out, len(sources), n_codings, len(users))


# ---- import -----------------------------------------------------------------------------------
@dataclass
class QdpxImport:
    """What ``coder import-qdpx`` did; ``skipped`` says, in words, what it left out."""

    path: Path
    sessions: list[str] = field(default_factory=list)  # "P01/1" for each new transcript
    reused: list[str] = field(default_factory=list)  # the same transcript already there
    codes: int = 0
    already_present: int = 0
    new_raters: tuple[str, ...] = ()
    skipped: list[str] = field(default_factory=list)
    scheme: str | None = None  # the draft scheme added from the file's codebook


_FIELD = re.compile(r"^([a-z]+):\s*(.*)$")


def _fields(description: str) -> dict[str, str] | None:
    """Our ``key: value`` description lines, or ``None`` for another program's text."""
    lines = description.splitlines()
    if not lines or lines[0].strip() != MARK:
        return None
    found = {}
    for line in lines[1:]:
        match = _FIELD.match(line.strip())
        if match:
            found[match.group(1)] = match.group(2).strip()
    return found


def _code_index(
    schemes: list[Scheme],
) -> tuple[dict[str, tuple[Scheme, str]], dict[str, tuple[Scheme, str]]]:
    """Our GUID → (scheme, item id), and lower-cased id / name / "id name" → the same."""
    by_guid: dict[str, tuple[Scheme, str]] = {}
    by_name: dict[str, tuple[Scheme, str]] = {}
    for scheme in schemes:
        items = [(c.id, c.name) for c in scheme.codes()]
        items += [(r.id, r.label) for r in scheme.ratings]
        items += [(s.id, s.name) for p in scheme.pathways for s in p.stages]
        for item_id, name in items:
            by_guid[code_guid(scheme.id, item_id)] = (scheme, item_id)
            for spelling in (item_id, name, f"{item_id} {name}"):
                by_name.setdefault(spelling.strip().lower(), (scheme, item_id))
    return by_guid, by_name


def _patient_code(name: str) -> str:
    """A patient code from another program's source name (``Interview 15mins.docx`` →
    ``Interview-15mins``)."""
    stem = re.sub(r"\.(docx?|txt|rtf|pdf|odt)$", "", name.strip(), flags=re.IGNORECASE)
    code = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-._")[:64]
    return code or "source"


def _turn_at(placed: list[PlacedTurn], start: int, end: int) -> tuple[PlacedTurn, int, int] | None:
    """The turn a selection starts in, and the selection clipped to that turn's text.

    A selection that starts in a speaker label or a line break starts at the next turn's
    text; one that runs past the end of its first turn is cut there (our codes and
    their evidence belong to one turn). ``None`` when nothing of a turn's text is left."""
    for p in placed:
        if end <= p.start:
            return None
        if start < p.end:
            s, e = max(start, p.start), min(end, p.end)
            return (p, s - p.start, e - p.start) if e > s else None
    return None


def import_qdpx(
    db: ProjectDatabase,
    path: Path,
    actor: ActingRater | None = None,
    *,
    add_codebook: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> QdpxImport:
    """Read ``path`` and store its text sources as transcripts and its codings as codes,
    in one transaction (see the module docstring and docs/exchange.md).

    ``progress(done, total)`` is called before each source and before the codes are
    stored (``done == total``); an exception it raises (the desktop's Cancel) rolls the
    whole import back, so a cancelled import stores nothing.

    ``add_codebook`` first stores the file's codebook as a draft scheme (as
    :func:`draft_scheme_text` makes it; a lead's right in a project with a lead), in the
    same transaction, so another program's codings find their codes by name."""
    project = read_project(path)
    report = QdpxImport(path)
    report.skipped += [f"{what}: not a text source" for what in project.skipped]
    users = {u.guid: u.name for u in project.users}
    notes = {n.guid: n.text for n in project.notes}
    file_codes = {code.guid: (code, parents) for code, parents in project.all_codes()}
    rules = importing.segmentation_rules(db)
    with db.reading() as session:
        schemes = _latest_schemes(db, session, None)
    unmatched: Counter[str] = Counter()
    with db.transaction(actor, source=path.name) as session:
        if add_codebook and project.codes:
            if project_has_lead(session):
                require_lead(actor, "add a scheme from a REFI-QDA codebook")
            text = draft_scheme_text(project.codes, project.name or path.stem, path.name)
            draft = parse_scheme_text(text, f"the codebook of {path.name}")
            row = scheme_service.store_scheme(session, draft, text, path.name)
            session.flush()
            report.scheme = row.key
            schemes = [s for s in schemes if s.id != draft.id] + [draft]
        by_guid, by_name = _code_index(schemes)
        records: list[CodeRecord] = []
        taken: set[tuple[str, int]] = set()  # sessions this file has filled
        for n_done, source in enumerate(project.sources):
            if progress is not None:
                progress(n_done, len(project.sources))
            meta = _fields(source.description)
            roles: dict[str, SpeakerRole] = {}
            if meta is not None and meta.get("patient") and meta.get("session", "").isdigit():
                patient, number = check_code("patient", meta["patient"]), int(meta["session"])
                label = meta.get("label") or None
                for item in meta.get("speakers", "").split("; "):
                    who, _, role = item.rpartition("=")
                    if who and role in {r.value for r in SpeakerRole}:
                        roles[who] = SpeakerRole(role)
            else:  # another program's source: session 1, or the next free number
                patient, number, label = _patient_code(source.name), 1, source.name
                while (patient, number) in taken:
                    number += 1
            taken.add((patient, number))
            placed = read_turns(source.text, roles)
            where = f"{patient}/{number}"
            if not placed:
                report.skipped.append(f"source {source.name!r}: no text")
                continue
            turns = tuple(p.turn for p in placed)
            transcript = Transcript(turns, source.name, "qdpx")
            labels = sorted({t.speaker for t in turns})
            guesses = {
                lab: RoleGuess(roles[lab], True, "from the exporting program")
                if lab in roles
                else guess_role(lab, labels)
                for lab in labels
            }
            if _same_transcript(session, patient, number, transcript):
                report.reused.append(where)
            else:
                parsed = ParsedTranscript(transcript, None, "utf-8", guesses, ())
                importing.store_parsed(session, path, parsed, patient, number, label, rules)
                report.sessions.append(where)
            records += _records(
                source, placed, patient, number, by_guid, by_name, file_codes, users, notes,
                unmatched, report,
            )  # fmt: skip
        for name, n in sorted(unmatched.items()):
            report.skipped.append(
                f"{n} coding(s) of code {name!r}: not in the project's schemes (import "
                "again with the file's codebook added as a scheme: --add-codebook)"
            )
        if progress is not None:
            progress(len(project.sources), len(project.sources))
        try:
            # New users become raters where the importer may create raters (a lead, or
            # anyone in a project without one); otherwise they are refused by name.
            create = not project_has_lead(session) or (actor is not None and actor.is_lead)
            done = codes_service.import_code_records(
                session, db, path, records, actor, create_raters=create
            )
        except CodesFileError as exc:  # its "line N" is the Nth coding of the file
            problems = [re.sub(r"^line (\d+)", r"coding \1", p) for p in exc.problems]
            raise type(exc)(path, problems) from None
    report.codes, report.already_present = done.rows, done.already_present
    report.new_raters = done.new_raters
    return report


def _same_transcript(
    session: OrmSession, patient: str, number: int, transcript: Transcript
) -> bool:
    """Whether this session already holds exactly this transcript (re-importing a file
    into its own project adds nothing); another transcript is refused by the importer."""
    stored = session.scalar(
        select(TranscriptRow.content_hash)
        .join(SessionRow, TranscriptRow.session_id == SessionRow.id)
        .join(PatientRow, SessionRow.patient_id == PatientRow.id)
        .where(PatientRow.code == patient, SessionRow.number == number)
    )
    return stored is not None and stored == transcript.content_hash


def _records(
    source: RefiSource,
    placed: list[PlacedTurn],
    patient: str,
    number: int,
    by_guid: dict[str, tuple[Scheme, str]],
    by_name: dict[str, tuple[Scheme, str]],
    file_codes: dict[str, tuple[RefiCode, tuple[RefiCode, ...]]],
    users: dict[str, str],
    notes: dict[str, str],
    unmatched: Counter[str],
    report: QdpxImport,
) -> list[CodeRecord]:
    """One code record per coding of ``source`` that names a code of our schemes."""
    found: list[CodeRecord] = []
    line = 0
    for sel in source.selections:
        meta = _fields(sel.description)
        memo = "\n\n".join(notes[g] for g in sel.note_guids if notes.get(g))
        for coding in sel.codings:
            line += 1
            target = by_guid.get(coding.code_guid)
            if target is None:
                code = file_codes.get(coding.code_guid)
                name = code[0].name if code else coding.code_guid
                target = by_name.get(name.strip().lower())
                if target is None:
                    unmatched[name] += 1
                    continue
            scheme, item = target
            who = users.get(coding.user_guid or sel.user_guid or "", "")
            rater = who or "REFI-QDA import"
            at = _turn_at(placed, sel.start, sel.end)
            where = f"source {source.name!r}, selection {sel.start}-{sel.end}"
            if meta is not None and meta.get("unit"):
                unit_text, _, index_text = meta["unit"].partition(" ")
                unit, index = Unit(unit_text), int(index_text)
                value_text = meta.get("value")
                if value_text is None:
                    value: int | None = 1
                else:
                    value = None if value_text == "NA" else int(value_text)
                evidence = None
                if meta.get("evidence") == "yes" and at is not None:
                    evidence = TextSpan(at[0].turn.index, at[1], at[2])
            else:
                if not scheme.is_code(item):
                    report.skipped.append(f"{where}: {item} needs a value (a rating or stage)")
                    continue
                scope = next(g.scope for g in scheme.groups if any(c.id == item for c in g.codes))
                if scope is Scope.SESSION:
                    unit, index, value, evidence = Unit.SESSION, 1, 1, None
                elif scope is Scope.EPISODE or at is None:
                    report.skipped.append(
                        f"{where}: no turn of {patient}/{number} to code {item} on"
                    )
                    continue
                else:
                    turn, start, end = at
                    unit, index, value = Unit.TURN, turn.turn.index, 1
                    evidence = TextSpan(turn.turn.index, start, end)
                    if sel.end > turn.end:
                        report.skipped.append(
                            f"{where}: spans turns; kept the part in turn {turn.turn.index}"
                        )
            found.append(
                CodeRecord(
                    line=line,
                    patient=patient,
                    session=number,
                    rater=rater,
                    code=item,
                    unit=unit,
                    unit_index=index,
                    value=value,
                    scheme=scheme.id,
                    evidence=evidence,
                    memo=memo,
                    created_at=coding.created.replace(tzinfo=None) if coding.created else None,
                )
            )
    return found


# ---- codebook → draft scheme ----------------------------------------------------------------
def _slug(text: str, taken: set[str]) -> str:
    base = re.sub(r"[^A-Za-z0-9_-]+", "-", text.strip())[:36].strip("-_") or "code"
    if not base[0].isalnum():
        base = "c" + base
    slug, n = base, 2
    while slug.lower() in taken:
        slug = f"{base[:33]}-{n}"
        n += 1
    taken.add(slug.lower())
    return slug


_OUR_NAME = re.compile(r"^([A-Za-z0-9][A-Za-z0-9_\-]{0,39}) (.+)$")


def codebook_to_scheme(path: Path, out: Path) -> Path:
    """Write the draft scheme of a ``.qdc`` (or a ``.qdpx``'s codebook) to ``out``; see
    :func:`draft_scheme_text`."""
    if path.suffix.lower() == ".qdc":
        codes = read_codebook(path)
        title = path.stem
    else:
        project = read_project(path)
        codes, title = project.codes, project.name or path.stem
    if not codes:
        raise CoderError("the codebook holds no codes", path=path)
    write_atomically(out, draft_scheme_text(codes, title, path.name).encode("utf-8"))
    return out


def draft_scheme_text(codes: tuple[RefiCode, ...], title: str, source: str) -> str:
    """A ``.qdc`` codebook (or a ``.qdpx`` project's codebook) as a draft scheme file.

    Parent codes become code groups (a code group per top-level code that has
    children; top-level codes without children gather in a group ``codes``); deeper
    levels are flattened into their top-level group, names kept as they are (so an
    import finds the codes by name). Every code is a presence code given per segment;
    ratings, scales, hotkeys and families are for the scheme's author to add. Names we
    wrote (``W1 Denial``) give back their ids. The draft passes ``coder schemes
    validate``."""
    taken: set[str] = set()
    group_ids: set[str] = set()
    groups: list[dict[str, object]] = []
    loose: list[dict[str, object]] = []

    def leaf(code: RefiCode, prefix: str) -> dict[str, object]:
        ours = _OUR_NAME.match(code.name)
        if ours and ours.group(1).lower() not in taken:
            item_id, name = ours.group(1), ours.group(2)
            taken.add(item_id.lower())
        else:
            item_id, name = _slug(code.name, taken), code.name
        entry: dict[str, object] = {"id": item_id, "name": prefix + name}
        if code.description:
            entry["definition"] = code.description
        if code.color and re.fullmatch(r"#[0-9A-Fa-f]{6}", code.color):
            entry["colour"] = code.color
        return entry

    def flatten(code: RefiCode, prefix: str) -> list[dict[str, object]]:
        found = [leaf(code, prefix)] if code.codable or not code.children else []
        for child in code.children:
            found += flatten(child, prefix)
        return found

    for top in codes:
        if top.children:
            members = [m for child in top.children for m in flatten(child, "")]
            if top.codable:
                members.insert(0, leaf(top, ""))
            groups.append({"id": _slug(top.name, group_ids), "label": top.name, "codes": members})
        else:
            loose.append(leaf(top, ""))
    if loose:
        groups.append({"id": _slug("codes", group_ids), "label": "Codes", "codes": loose})
    scheme_id = _slug(f"draft-{title}", set())
    document = {
        "format": 1,
        "id": scheme_id,
        "version": "draft",
        "name": f"Draft from {source}",
        "description": f"Drafted by {MARK} from the REFI-QDA codebook of {source}. Every "
        "code is a presence code per segment: add ratings, scales, hotkeys and families.",
        "code_groups": groups,
    }
    return (
        f"# Draft scheme from {source} (coder import-qdpx). Review before use:\n"
        "# check ids, add families, hotkeys, ratings; then `coder schemes validate`.\n"
        + yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
    )
