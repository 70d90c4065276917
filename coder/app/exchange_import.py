"""REFI-QDA project import: ``coder import-qdpx`` (and the desktop's File ▸ Import REFI-QDA
project…).

Each text source becomes a transcribed session: our own sources (their description
starts with :data:`~coder.app.exchange_codebook.MARK`) go back to the patient and session
they came from, another program's become session 1 (or the next free number) of a
patient named after the source. Each coding of a code our schemes know (by our GUID, or
by id or name) becomes a code record; the selection's description, where we wrote it,
gives back unit, value and evidence (layout: :mod:`coder.app.exchange_export`).

An import is one transaction: transcripts, raters and codes all go in, or nothing does
(the codes pass the same checks as ``coder codes import``,
:func:`coder.app.codes.import_code_records`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from coder.app import codes as codes_service
from coder.app import importing
from coder.app import schemes as scheme_service
from coder.app.access import project_has_lead, require_lead
from coder.app.exchange_codebook import MARK, code_guid, draft_scheme_text, latest_schemes
from coder.app.identity import ActingRater
from coder.domain.coding import TextSpan, Unit
from coder.domain.project import check_code
from coder.domain.roles import SpeakerRole
from coder.domain.scheme import Scheme, Scope
from coder.domain.transcript import Transcript
from coder.io.codes_csv import CodeRecord, CodesFileError
from coder.io.refi import RefiCode, RefiSource
from coder.io.refi.reader import read_project
from coder.io.refi.source_text import PlacedTurn, read_turns
from coder.io.scheme_file import parse_scheme_text
from coder.io.transcripts import ParsedTranscript
from coder.io.transcripts.roles import RoleGuess, guess_role
from coder.store.database import ProjectDatabase
from coder.store.models import PatientRow, SessionRow, TranscriptRow


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
        schemes = latest_schemes(db, session, None)
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
