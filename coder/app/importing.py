"""Importing transcript files into a project.

Each file is one transaction: it contributes all its sessions or nothing, and a bad
file never stops the rest of a batch. Speaker roles are never guessed silently: full
role words are taken as certain, everything else is stored as an *unconfirmed*
suggestion and reported, unless the caller confirms or overrides it (``roles``), and
``strict_roles`` turns any unconfirmed label into a failure of that file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from sqlalchemy import Connection, Insert, func, insert, select
from sqlalchemy.orm import Session as OrmSession

from coder.app import schemes as scheme_service
from coder.app.lookup import session_or_none
from coder.domain.errors import CoderError, ValidationError
from coder.domain.project import Patient, whole_number
from coder.domain.redaction import Redactor
from coder.domain.roles import SpeakerRole
from coder.domain.scheme import SegmentationRule
from coder.domain.segmentation import build_segments, rule_key
from coder.domain.transcript import Transcript, Turn
from coder.io.transcripts import ParsedTranscript, ReadOptions, read_transcripts
from coder.store.audit import Acting, record_turns
from coder.store.database import ProjectDatabase
from coder.store.models import (
    CodeApplicationRow,
    PatientRow,
    SegmentationRow,
    SegmentRow,
    SessionRow,
    SpeakerRow,
    TranscriptRow,
    TurnRow,
)

Progress = Callable[[int, int, Path], bool]  # (done, total, next file) -> keep going?


@dataclass(frozen=True)
class ImportOptions:
    patient: str | None = None
    session: int | None = None
    pattern: str | None = None
    read: ReadOptions = field(default_factory=ReadOptions)
    roles: Mapping[str, SpeakerRole] = field(default_factory=dict)
    strict_roles: bool = False
    redactor: Redactor | None = None
    replace: bool = False
    untimed: str = "words"


@dataclass(frozen=True, slots=True)
class SpeakerSummary:
    label: str
    role: SpeakerRole
    confirmed: bool
    reason: str


@dataclass(frozen=True, slots=True)
class SessionImport:
    patient: str
    session: int
    label: str | None
    turns: int
    speakers: tuple[SpeakerSummary, ...]
    encoding: str | None
    segments: int
    estimated: bool
    warnings: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FileImport:
    path: Path
    sessions: tuple[SessionImport, ...] = ()
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class ImportReport:
    files: list[FileImport] = field(default_factory=list)
    cancelled: bool = False

    @property
    def failed(self) -> list[FileImport]:
        return [f for f in self.files if not f.ok]

    @property
    def sessions(self) -> int:
        return sum(len(f.sessions) for f in self.files)

    @property
    def turns(self) -> int:
        return sum(s.turns for f in self.files for s in f.sessions)


def parse_role_map(text: str) -> dict[str, SpeakerRole]:
    """``"C=therapist,S=patient"`` -> mapping; the form the CLI's ``--roles`` takes."""
    mapping: dict[str, SpeakerRole] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        label, sep, role = item.rpartition("=")
        if not sep or not label.strip():
            raise ValidationError(f"--roles item {item!r} must look like LABEL=ROLE")
        try:
            mapping[label.strip()] = SpeakerRole(role.strip().lower())
        except ValueError:
            allowed = ", ".join(r.value for r in SpeakerRole)
            raise ValidationError(f"--roles: {role.strip()!r} is not a role ({allowed})") from None
    return mapping


def parse_columns(text: str) -> dict[str, str]:
    """``"speaker=who,text=utterance"`` -> mapping; the form ``--columns`` takes."""
    mapping: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        key, sep, column = item.partition("=")
        if not sep or not key.strip() or not column.strip():
            raise ValidationError(f"--columns item {item!r} must look like ROLE=COLUMN")
        mapping[key.strip().lower()] = column.strip()
    return mapping


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """``"{patient}_S{session}"`` -> a regex over file stems; ``*`` matches anything."""
    if "{patient}" not in pattern and "{session}" not in pattern:
        raise ValidationError(f"pattern {pattern!r} names neither {{patient}} nor {{session}}")
    regex = ""
    for token in re.split(r"(\{patient\}|\{session\}|\*)", pattern):
        if token == "{patient}":
            regex += r"(?P<patient>[A-Za-z0-9][A-Za-z0-9.\-]*?)"
        elif token == "{session}":
            regex += r"(?P<session>\d+)"
        elif token == "*":
            regex += ".*?"
        else:
            regex += re.escape(token)
    return re.compile(regex, re.IGNORECASE)


def read_file(path: Path, options: ImportOptions) -> list[ParsedTranscript]:
    """Parse without storing: what the import dialog previews."""
    return read_transcripts(path, options.read)


def import_files(
    db: ProjectDatabase,
    paths: Sequence[Path],
    options: ImportOptions,
    progress: Progress | None = None,
    actor: Acting | None = None,
) -> ImportReport:
    """Import ``paths`` one transaction per file; ``actor`` (the signed-in identity, or
    None for the project's owner) is who the audit trail names as the importer."""
    report = ImportReport()
    rules = segmentation_rules(db)
    for done, path in enumerate(paths):
        if progress is not None and not progress(done, len(paths), path):
            report.cancelled = True
            break
        report.files.append(import_file(db, path, options, rules, actor))
    if progress is not None and not report.cancelled:
        progress(len(paths), len(paths), paths[-1] if paths else Path())
    return report


def import_file(
    db: ProjectDatabase,
    path: Path,
    options: ImportOptions,
    rules: Sequence[SegmentationRule] | None = None,
    actor: Acting | None = None,
) -> FileImport:
    """Import one file in one transaction; a failure is reported, never half-stored.

    ``actor`` goes to the transaction so the audit entries name who imported the file
    (without it they were recorded with an empty owner even when someone was signed in).
    """
    rules = segmentation_rules(db) if rules is None else rules
    try:
        parsed = read_file(path, options)
        targets = _targets(path, parsed, options)
        with db.transaction(actor, source=path.name) as session:
            results = tuple(
                _store(session, path, item, patient, number, label, options, rules)
                for item, (patient, number, label) in zip(parsed, targets, strict=True)
            )
    except CoderError as exc:
        message = str(exc)
        if str(path) not in message:
            message = f"{path}: {message}"
        return FileImport(path, error=message)
    return FileImport(path, results)


def segmentation_rules(db: ProjectDatabase) -> list[SegmentationRule]:
    """The distinct segmentation rules of the latest revision of every project scheme,
    the default scheme's first (its segments are the ones import summaries report)."""
    default, latest = scheme_service.default_and_latest_schemes(db)
    found: dict[str, SegmentationRule] = {rule_key(default.segmentation): default.segmentation}
    for scheme in latest:
        found.setdefault(rule_key(scheme.segmentation), scheme.segmentation)
    return list(found.values())


# ---- where each transcript goes -------------------------------------------------------
def _targets(
    path: Path, parsed: list[ParsedTranscript], options: ImportOptions
) -> list[tuple[str, int, str | None]]:
    from_name: dict[str, str] = {}
    if options.pattern:
        match = compile_pattern(options.pattern).fullmatch(path.stem)
        if match is None:
            raise CoderError(f"file name does not match --pattern {options.pattern!r}", path=path)
        from_name = {k: v for k, v in match.groupdict().items() if v is not None}
    patient = options.patient or from_name.get("patient")
    if not patient:
        raise CoderError("no patient code: give --patient or a --pattern with {patient}", path=path)
    patient = Patient(patient).code
    if len(parsed) == 1 and parsed[0].group is None:
        number = options.session if options.session is not None else from_name.get("session")
        if number is None:
            raise CoderError(
                "no session number: give --session or a --pattern with {session}", path=path
            )
        return [(patient, whole_number("session number", str(number)), None)]
    targets: list[tuple[str, int, str | None]] = []
    numeric = all(
        p.group is not None and p.group.strip().isascii() and p.group.strip().isdecimal()
        for p in parsed
    )
    for position, item in enumerate(parsed, start=1):
        group = (item.group or "").strip()
        if numeric:
            targets.append((patient, whole_number("session", group), None))
        else:
            targets.append((patient, position, group or None))
    return targets


# ---- storing ---------------------------------------------------------------------------
def _resolve_roles(
    path: Path, parsed: ParsedTranscript, options: ImportOptions
) -> tuple[Transcript, list[SpeakerSummary]]:
    lowered = {label.lower(): role for label, role in options.roles.items()}
    summaries: dict[str, SpeakerSummary] = {}
    for label in parsed.transcript.speakers:
        guess = parsed.role_guesses.get(label)
        override = options.roles.get(label, lowered.get(label.lower()))
        if override is not None:
            summaries[label] = SpeakerSummary(label, override, True, "given with --roles")
        elif guess is not None and guess.certain:
            summaries[label] = SpeakerSummary(label, guess.role, True, guess.reason)
        else:
            role = guess.role if guess else SpeakerRole.UNKNOWN
            reason = guess.reason if guess else "no suggestion"
            if options.strict_roles:
                raise CoderError(
                    f"speaker {label!r} has no confirmed role ({reason}); "
                    f'confirm it with --roles "{label}=therapist" or similar',
                    path=path,
                )
            summaries[label] = SpeakerSummary(label, role, False, f"suggested: {reason}")
    transcript = parsed.transcript  # copied only when a role changes (usually none does)
    if any(summaries[t.speaker].role is not t.role for t in transcript.turns):
        turns = tuple(replace(t, role=summaries[t.speaker].role) for t in transcript.turns)
        transcript = replace(transcript, turns=turns)
    if options.redactor is not None:
        transcript = options.redactor.redact_transcript(transcript)
        summaries = {
            options.redactor.redact_text(label): replace(
                s, label=options.redactor.redact_text(label)
            )
            for label, s in summaries.items()
        }
    return transcript, list(summaries.values())


def _store(
    session: OrmSession,
    path: Path,
    parsed: ParsedTranscript,
    patient_code: str,
    number: int,
    label: str | None,
    options: ImportOptions,
    rules: Sequence[SegmentationRule],
) -> SessionImport:
    transcript, speakers = _resolve_roles(path, parsed, options)
    where = f"patient {patient_code} session {number}"
    patient = session.scalar(select(PatientRow).where(PatientRow.code == patient_code))
    if patient is None:
        patient = PatientRow(code=patient_code, attributes={})
        session.add(patient)
        session.flush()
    row = session_or_none(session, patient_code, number)
    duration = transcript.duration_ms
    if row is None:
        row = SessionRow(patient_id=patient.id, number=number, label=label)
        session.add(row)
    existing = row.transcript if row.id is not None else None
    if existing is not None:
        same = existing.content_hash == transcript.content_hash
        if not options.replace:
            what = (
                "the same transcript is already imported"
                if same
                else (f"already has a transcript (from {existing.source_name or 'another file'})")
            )
            raise CoderError(f"{where}: {what}; use --replace to replace it", path=path)
        n_codes = session.scalar(
            select(func.count())
            .select_from(CodeApplicationRow)
            .where(CodeApplicationRow.session_id == row.id)
        )
        if n_codes:
            raise CoderError(
                f"{where} already has {n_codes} codes; replacing its transcript would "
                "detach them, so it is refused",
                path=path,
            )
        session.delete(existing)
        session.flush()
    if duration is not None:
        row.duration_s = duration // 1000
    if label and not row.label:
        row.label = label
    session.flush()
    stored = TranscriptRow(
        session_id=row.id,
        source_name=path.name,
        source_format=transcript.source_format or path.suffix.lstrip(".").lower(),
        encoding=parsed.encoding,
        content_hash=transcript.content_hash,
        warnings={"import": list(parsed.warnings)},
    )
    session.add(stored)
    session.flush()
    # Speakers, turns and segments: Core statements on the transaction's connection (the
    # ORM's per-row work was most of a store; the transcript's audit entry counts turns).
    connection = session.connection()
    speaker_ids = {
        s.label: _insert_id(
            connection,
            insert(SpeakerRow).values(
                transcript_id=stored.id,
                label=s.label,
                role=s.role.value,
                role_confirmed=s.confirmed,
            ),
        )
        for s in speakers
    }
    connection.execute(
        insert(TurnRow), [_turn_row(stored.id, speaker_ids, t) for t in transcript.turns]
    )
    record_turns(session, stored.id, len(transcript.turns))
    n_segments, estimated = _store_segments(session, stored.id, transcript.turns, rules, options)
    return SessionImport(
        patient_code,
        number,
        row.label,
        len(transcript.turns),
        tuple(speakers),
        parsed.encoding,
        n_segments,
        estimated,
        parsed.warnings,
    )


def _insert_id(connection: Connection, statement: Insert) -> int:
    """Run a one-row insert and return the new row's key."""
    key = connection.execute(statement).inserted_primary_key
    assert key is not None
    return int(key[0])


def _turn_row(transcript_id: int, speaker_ids: Mapping[str, int], turn: Turn) -> dict[str, object]:
    return {
        "transcript_id": transcript_id,
        "index": turn.index,
        "speaker_id": speaker_ids[turn.speaker],
        "start_ms": turn.start_ms,
        "end_ms": turn.end_ms,
        "text": turn.text,
    }


def _store_segments(
    session: OrmSession,
    transcript_id: int,
    turns: Sequence[Turn],
    rules: Sequence[SegmentationRule],
    options: ImportOptions,
) -> tuple[int, bool]:
    """Build and store segments for every rule; report the first rule's count."""
    connection = session.connection()
    first_count, estimated = 0, False
    for n, rule in enumerate(rules):
        segments = build_segments(turns, rule, untimed=options.untimed)
        segmentation_id = _insert_id(
            connection,
            insert(SegmentationRow).values(transcript_id=transcript_id, rule=rule_key(rule)),
        )
        if segments:
            rows = [
                {**asdict(s), "kind": s.kind.value, "segmentation_id": segmentation_id}
                for s in segments
            ]
            connection.execute(insert(SegmentRow), rows)
        if n == 0:
            first_count = len(segments)
            estimated = any(s.estimated for s in segments)
    return first_count, estimated


def store_parsed(
    session: OrmSession,
    path: Path,
    parsed: ParsedTranscript,
    patient: str,
    number: int,
    label: str | None,
    rules: Sequence[SegmentationRule],
    options: ImportOptions | None = None,
) -> SessionImport:
    """Store one already-parsed transcript inside the caller's transaction, so another
    importer (``coder import-qdpx``: transcripts and their codes together) keeps one
    transaction for a whole file. ``rules`` comes from :func:`segmentation_rules`."""
    return _store(session, path, parsed, patient, number, label, options or ImportOptions(), rules)
