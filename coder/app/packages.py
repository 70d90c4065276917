"""Rater packages: one rater's work carried from a laptop copy into the lab project.

``coder package export`` writes a rater's codes (with their stable ``uid``), episodes and
memos, together with what they refer to: the project's identity, each scheme's key,
revision and content hash, and per therapy session a hash of the stored turns and of
the segment grids the codes sit in. ``coder package merge`` brings one or more packages
into the lab project in ONE transaction, and only when nothing is wrong:

* a package from another project, or whose transcripts, segments or scheme revisions
  differ from the project's, is refused as a whole (its codes would point at other
  words);
* codes are keyed by ``uid``: a code already in the project with the same content is
  *unchanged* (merging twice adds nothing); the same uid with other content, a uid that
  belongs to another rater's code, or a rating the project holds with another value is a
  *conflict*; every conflict is reported, with its session, and nothing is written;
* nothing is ever deleted or overwritten: a merge only inserts;
* who may merge what is asked of :mod:`coder.app.access` exactly as a codes import asks
  it: a rater merges only their own package (into sessions assigned to them while a
  round is open), a lead anyone's, and no code goes into a round or session that is no
  longer open.

Why hashes are computed here rather than stored: the stored ``transcripts.content_hash``
normalises whitespace (it recognises duplicate imports), but evidence spans are
character offsets into the exact stored text, so the package hashes the turns exactly as
stored (index, speaker, times, text); being computed from stored rows, it needs no
migration and is the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import String, Table, bindparam, insert, select
from sqlalchemy.orm import Session as OrmSession

from coder import __version__
from coder.app.access import (
    NotAllowed,
    assigned_in_open_round,
    check_editable,
    check_visible,
    require_identity,
)
from coder.app.identity import ActingRater
from coder.app.raters import rater_row
from coder.domain.errors import CoderError
from coder.domain.roles import RaterRole
from coder.io.package_file import read_package, write_package
from coder.store.clock import utcnow
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

# Order of a code's fields in the payload (a list per code keeps 100k codes compact).
CODE_COLUMNS = (
    "uid", "patient", "session", "scheme", "scheme_revision", "round", "code_id", "unit",
    "unit_index", "segment_rule", "episode", "value", "evidence_turn", "evidence_start",
    "evidence_end", "memo", "probability", "created_at", "updated_at",
)  # fmt: skip
# The fields that make a code what it is; timestamps and row ids are not compared.
_CONTENT = (
    "round", "code_id", "unit", "unit_index", "segment_rule", "episode", "value",
    "evidence_turn", "evidence_start", "evidence_end", "memo", "probability",
)  # fmt: skip
# _CONTENT is a run of CODE_COLUMNS, so a code's content is one slice of its list.
_FIRST = CODE_COLUMNS.index(_CONTENT[0])
_LAST = _FIRST + len(_CONTENT)
assert CODE_COLUMNS[_FIRST:_LAST] == _CONTENT
_UID_CHUNK = 5000  # uids per IN (...) query: well under every database's parameter limit
SessionKey = tuple[str, int]  # (patient code, session number)


class PackageRefused(CoderError):
    """A merge found problems; ``problems`` lists every one, nothing was written."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        shown = "\n  ".join(self.problems)
        super().__init__(f"{len(self.problems)} problem(s); nothing was merged:\n  {shown}")


@dataclass(frozen=True, slots=True)
class PackageExport:
    path: Path
    rater: str
    codes: int
    episodes: int
    sessions: int


@dataclass
class SessionChange:
    """What merging one package does to one therapy session."""

    patient: str
    number: int
    added: int = 0
    unchanged: int = 0
    episodes_added: int = 0
    conflicts: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.patient}/{self.number}"


@dataclass
class PackagePreview:
    """One package's effect: per session changes, and problems with the whole package."""

    path: Path
    rater: str
    sessions: list[SessionChange] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def added(self) -> int:
        return sum(s.added for s in self.sessions)

    @property
    def unchanged(self) -> int:
        return sum(s.unchanged for s in self.sessions)

    def all_problems(self) -> list[str]:
        found = [f"{self.path.name}: {p}" for p in self.problems]
        for s in self.sessions:
            found += [f"{self.path.name}: {s.label}: {c}" for c in s.conflicts]
        return found


@dataclass
class MergeResult:
    packages: list[PackagePreview]
    committed: bool

    @property
    def added(self) -> int:
        return sum(p.added for p in self.packages)

    @property
    def unchanged(self) -> int:
        return sum(p.unchanged for p in self.packages)

    @property
    def problems(self) -> list[str]:
        return [text for p in self.packages for text in p.all_problems()]


# ---- identities and hashes ---------------------------------------------------------------
def _project_identity(session: OrmSession) -> dict[str, str]:
    """Name and creation time: a copy of the project (a rater's laptop copy, a backup)
    shares them; another project, even one with the same name, does not."""
    meta = session.get(ProjectMeta, 1)
    if meta is None:
        raise CoderError("the project has no settings row; is it a Rupture Coder project?")
    return {"name": meta.name, "created_at": _iso(meta.created_at)}


def _iso(value: object) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)


def _transcript_hashes(session: OrmSession, transcript_ids: Iterable[int]) -> dict[int, str]:
    """Transcript id → SHA-256 over its turns exactly as stored (index, speaker label,
    start and end ms, text)."""
    ids = sorted(set(transcript_ids))
    digests = {tid: hashlib.sha256() for tid in ids}
    if not ids:
        return {}
    rows = session.execute(
        select(
            TurnRow.transcript_id,
            TurnRow.index,
            SpeakerRow.label,
            TurnRow.start_ms,
            TurnRow.end_ms,
            TurnRow.text,
        )
        .join(SpeakerRow, TurnRow.speaker_id == SpeakerRow.id)
        .where(TurnRow.transcript_id.in_(ids))
        .order_by(TurnRow.transcript_id, TurnRow.index)
    )
    for tid, index, label, start, end, text in rows:
        digests[tid].update(f"{index}\x1f{label}\x1f{start}\x1f{end}\x1f{text}\x1e".encode())
    return {tid: d.hexdigest() for tid, d in digests.items()}


def _grid_hashes(session: OrmSession, transcript_id: int, rules: Iterable[str]) -> dict[str, str]:
    """Rule → SHA-256 over the segment grid (index, first and last turn, times); a rule
    the transcript lacks is absent."""
    found: dict[str, Any] = {}
    rows = session.execute(
        select(
            SegmentationRow.rule,
            SegmentRow.index,
            SegmentRow.first_turn,
            SegmentRow.last_turn,
            SegmentRow.start_ms,
            SegmentRow.end_ms,
        )
        .join(SegmentRow, SegmentRow.segmentation_id == SegmentationRow.id)
        .where(SegmentationRow.transcript_id == transcript_id, SegmentationRow.rule.in_(rules))
        .order_by(SegmentationRow.rule, SegmentRow.index)
    )
    for rule, *bounds in rows:
        found.setdefault(rule, hashlib.sha256()).update(repr(tuple(bounds)).encode())
    return {rule: d.hexdigest() for rule, d in found.items()}


# ---- export ----------------------------------------------------------------------------------
def export_package(
    db: ProjectDatabase,
    rater: str,
    out: Path,
    actor: ActingRater | None = None,
    before_write: Callable[[], None] | None = None,
) -> PackageExport:
    """Write ``rater``'s package to ``out`` (atomically). Blinding holds: a rater exports
    their own package; in a project with a lead an anonymous export is refused.
    ``before_write()`` runs once the package is gathered, before anything is written: a
    cancel it raises (the desktop's) leaves no file."""
    with db.reading() as session:
        row = rater_row(session, rater)
        check_visible(session, actor, row.id, row.name)
        payload = _payload(session, row)
    if before_write is not None:
        before_write()
    write_package(
        out,
        {"rater": row.name, "exported_at": utcnow().isoformat(), "coder_version": __version__},
        payload,
    )
    return PackageExport(
        out, row.name, len(payload["codes"]), len(payload["episodes"]), len(payload["sessions"])
    )


def _payload(session: OrmSession, rater: RaterRow) -> dict[str, Any]:
    app = CodeApplicationRow
    sessions = {
        sid: (patient, number, tid)
        for sid, patient, number, tid in session.execute(
            select(SessionRow.id, PatientRow.code, SessionRow.number, TranscriptRow.id)
            .join(PatientRow, SessionRow.patient_id == PatientRow.id)
            .outerjoin(TranscriptRow, TranscriptRow.session_id == SessionRow.id)
        )
    }
    schemes = {
        sid: (key, version, revision, digest)
        for sid, key, version, revision, digest in session.execute(
            select(
                SchemeRow.id,
                SchemeRow.key,
                SchemeRow.version,
                SchemeRow.revision,
                SchemeRow.content_hash,
            )
        )
    }
    rounds: dict[int | None, int] = dict(
        (rid, n) for rid, n in session.execute(select(RoundRow.id, RoundRow.number))
    )
    episodes: list[dict[str, Any]] = []
    episode_index: dict[int, int] = {}
    used_sessions: set[int] = set()
    used_schemes: set[int] = set()
    for ep in session.scalars(
        select(EpisodeRow).where(EpisodeRow.rater_id == rater.id).order_by(EpisodeRow.id)
    ):
        patient, number, _tid = sessions[ep.session_id]
        key, _version, revision, _digest = schemes[ep.scheme_id]
        episode_index[ep.id] = ep.index
        used_sessions.add(ep.session_id)
        used_schemes.add(ep.scheme_id)
        episodes.append({
            "patient": patient, "session": number, "scheme": key, "scheme_revision": revision,
            "round": rounds.get(ep.round_id), "index": ep.index, "pathway": ep.pathway_id,
            "start_turn": ep.start_turn, "end_turn": ep.end_turn, "memo": ep.memo,
            "created_at": _iso(ep.created_at), "updated_at": _iso(ep.updated_at),
        })  # fmt: skip
    rules: dict[int, set[str]] = defaultdict(set)
    codes: list[list[Any]] = []
    query = (
        select(
            app.uid, app.session_id, app.scheme_id, app.round_id, app.code_id, app.unit,
            app.unit_index, SegmentationRow.rule, app.episode_id, app.value,
            app.evidence_turn, app.evidence_start, app.evidence_end, app.memo,
            app.probability, app.created_at, app.updated_at,
        )
        .outerjoin(SegmentRow, app.segment_id == SegmentRow.id)
        .outerjoin(SegmentationRow, SegmentRow.segmentation_id == SegmentationRow.id)
        .where(app.rater_id == rater.id)
        .order_by(app.session_id, app.id)
    )  # fmt: skip
    for (
        uid, sid, scheme_id, round_id, code_id, unit, unit_index, rule, episode_id, value,
        ev_turn, ev_start, ev_end, memo, probability, created, updated,
    ) in session.execute(query):  # fmt: skip
        patient, number, _tid = sessions[sid]
        key, _version, revision, _digest = schemes[scheme_id]
        used_sessions.add(sid)
        used_schemes.add(scheme_id)
        if rule is not None:
            rules[sid].add(rule)
        codes.append([
            uid, patient, number, key, revision, rounds.get(round_id), code_id, unit,
            unit_index, rule, episode_index.get(episode_id) if episode_id else None, value,
            ev_turn, ev_start, ev_end, memo, probability, _iso(created), _iso(updated),
        ])  # fmt: skip
    transcripts = {sessions[sid][2] for sid in used_sessions if sessions[sid][2] is not None}
    hashes = _transcript_hashes(session, cast(Iterable[int], transcripts))
    session_rows = []
    for sid in sorted(used_sessions, key=lambda s: sessions[s][:2]):
        patient, number, tid = sessions[sid]
        session_rows.append({
            "patient": patient, "session": number,
            "turns_sha256": hashes.get(tid) if tid is not None else None,
            "segments_sha256": _grid_hashes(session, tid, rules[sid]) if tid is not None else {},
        })  # fmt: skip
    return {
        "project": _project_identity(session),
        "rater": {"name": rater.name, "initials": rater.initials, "role": rater.role},
        "schemes": [
            {"key": k, "version": v, "revision": r, "content_hash": h}
            for k, v, r, h in sorted(schemes[s] for s in used_schemes)
        ],
        "sessions": session_rows,
        "episodes": episodes,
        "code_columns": list(CODE_COLUMNS),
        "codes": codes,
    }


# ---- merge -----------------------------------------------------------------------------------
@dataclass
class _Loaded:
    path: Path
    payload: dict[str, Any]


def merge_packages(
    db: ProjectDatabase,
    paths: Sequence[Path],
    actor: ActingRater | None = None,
    *,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> MergeResult:
    """Merge ``paths`` into the project in one transaction, or, with ``dry_run``, only
    say what would change. Any problem (see the module docstring) raises
    :class:`PackageRefused` listing all of them, and nothing is written; a dry run
    returns them in the result instead. ``progress(done, total)`` is called before each
    package is written; an exception it raises (the desktop's Cancel) rolls the whole
    merge back."""
    if not paths:
        raise CoderError("name at least one package to merge")
    loaded = [_load(path) for path in paths]  # file problems first, each naming its file
    if dry_run:
        with db.reading() as session:
            require_identity(session, actor, "merge rater packages")
            return MergeResult([_plan(session, item, actor).preview for item in loaded], False)
    source = ", ".join(p.name for p in paths)
    with db.transaction(actor, source=source) as session:
        require_identity(session, actor, "merge rater packages")
        plans = [_plan(session, item, actor) for item in loaded]
        problems = [text for plan in plans for text in plan.preview.all_problems()]
        if problems:
            raise PackageRefused(problems)
        for done, plan in enumerate(plans):
            if progress is not None:
                progress(done, len(plans))
            plan.write(session)
    return MergeResult([plan.preview for plan in plans], True)


def _load(path: Path) -> _Loaded:
    _manifest, payload = read_package(path)
    try:
        columns = payload["code_columns"]
        if list(columns) != list(CODE_COLUMNS):
            raise CoderError(f"has code columns this version does not know: {columns}", path=path)
        for key in ("project", "rater", "schemes", "sessions", "episodes", "codes"):
            payload[key]  # a presence check: KeyError below
    except (KeyError, TypeError) as exc:
        raise CoderError(f"is damaged: the package lacks {exc}", path=path) from None
    return _Loaded(path, payload)


@dataclass
class _Plan:
    preview: PackagePreview
    rater_id: int | None = None
    new_episodes: list[dict[str, Any]] = field(default_factory=list)
    # (session id, index) → episode row id, for codes pointing at an existing episode
    episode_ids: dict[tuple[int, int], int] = field(default_factory=dict)
    new_codes: list[dict[str, Any]] = field(default_factory=list)

    def write(self, session: OrmSession) -> None:
        for ep in self.new_episodes:
            row = EpisodeRow(**{k: v for k, v in ep.items() if k != "key"})
            session.add(row)
            session.flush()
            self.episode_ids[ep["key"]] = row.id
        for code in self.new_codes:
            key = code.pop("episode_key")
            code["episode_id"] = self.episode_ids[key] if key is not None else None
        if self.new_codes:
            session.execute(_insert_codes(session, self.new_codes), self.new_codes)


def _insert_codes(session: OrmSession, rows: list[dict[str, Any]]) -> Any:
    """A Core insert of ``rows`` whose timestamps are still the package's ISO text.

    On SQLite they go in as the text SQLAlchemy itself would store
    (``YYYY-MM-DD HH:MM:SS.ffffff``), bound as strings: parsing 200,000 timestamps and
    formatting them again was a quarter of a 100k-code merge. Elsewhere they are parsed."""
    table = cast(Table, CodeApplicationRow.__table__)
    if session.get_bind().dialect.name != "sqlite":
        for row in rows:
            row["created_at"] = datetime.fromisoformat(row["created_at"])
            row["updated_at"] = datetime.fromisoformat(row["updated_at"])
        return insert(table)
    for row in rows:
        row["created_at"] = _sqlite_stamp(row["created_at"])
        row["updated_at"] = _sqlite_stamp(row["updated_at"])
    return insert(table).values(
        created_at=bindparam("created_at", type_=String),
        updated_at=bindparam("updated_at", type_=String),
    )


def _sqlite_stamp(iso: str) -> str:
    """``datetime.isoformat()`` text → SQLAlchemy's SQLite storage format."""
    text = iso.replace("T", " ", 1)
    return text if len(text) > 19 else text + ".000000"


def _plan(session: OrmSession, item: _Loaded, actor: ActingRater | None) -> _Plan:
    """Compare one package with the project: whole-package problems, then per code."""
    payload = item.payload
    rater_name = str(payload["rater"].get("name", ""))
    plan = _Plan(PackagePreview(item.path, rater_name))
    problems = plan.preview.problems
    mine = _project_identity(session)
    theirs = payload["project"]
    if theirs != mine:
        problems.append(
            f"comes from another project ({theirs.get('name')!r}, created "
            f"{theirs.get('created_at')}; this is {mine['name']!r}, created {mine['created_at']})"
        )
        return plan
    rater = session.scalar(select(RaterRow).where(RaterRow.name == rater_name))
    if rater is None:
        problems.append(
            f"rater {rater_name!r} is not in this project; a lead adds them "
            "(coder raters add) before merging"
        )
        return plan
    plan.rater_id = rater.id
    if actor is not None and not actor.is_lead and actor.rater_id != rater.id:
        problems.append(f"holds {rater_name}'s codes: you ({actor.name}) can merge only your own")
        return plan
    if rater.role == RaterRole.CONSENSUS.value and (actor is None or not actor.is_lead):
        problems.append("holds consensus codes: only a lead can merge them")
        return plan
    scheme_ids = _schemes(session, payload["schemes"], problems)
    sessions = _sessions(session, payload["sessions"], problems)
    if problems:
        return plan
    rounds = {n: (rid, status) for rid, n, status in session.execute(
        select(RoundRow.id, RoundRow.number, RoundRow.status))}  # fmt: skip
    changes: dict[int, SessionChange] = {}
    for (patient, number), (sid, _tid, _grids) in sessions.items():
        changes[sid] = SessionChange(patient, number)
    plan.preview.sessions = sorted(changes.values(), key=lambda c: (c.patient, c.number))
    touched: dict[int, set[int | None]] = defaultdict(set)  # session → rounds of new rows
    _plan_episodes(session, plan, payload["episodes"], rater.id, sessions, scheme_ids,
                   rounds, changes, touched)  # fmt: skip
    _plan_codes(session, plan, payload["codes"], rater.id, sessions, scheme_ids, rounds,
                changes, touched)  # fmt: skip
    _check_access(session, actor, rater, touched, rounds, changes)
    return plan


def _schemes(
    session: OrmSession, listed: Sequence[dict[str, Any]], problems: list[str]
) -> dict[tuple[str, int], int]:
    """(key, revision) → scheme row id, each checked against the package's hash."""
    stored = {
        (key, revision): (sid, digest)
        for sid, key, revision, digest in session.execute(
            select(SchemeRow.id, SchemeRow.key, SchemeRow.revision, SchemeRow.content_hash)
        )
    }
    found: dict[tuple[str, int], int] = {}
    for s in listed:
        here = stored.get((s["key"], s["revision"]))
        if here is None:
            problems.append(f"scheme {s['key']} revision {s['revision']} is not in this project")
        elif here[1] != s["content_hash"]:
            problems.append(
                f"scheme {s['key']} revision {s['revision']} differs from this project's "
                "(another scheme file was stored under that revision)"
            )
        else:
            found[(s["key"], s["revision"])] = here[0]
    return found


def _sessions(
    session: OrmSession, listed: Sequence[dict[str, Any]], problems: list[str]
) -> dict[SessionKey, tuple[int, int | None, dict[str, dict[int, int]]]]:
    """(patient, number) → (session id, transcript id, rule → segment index → segment
    id), each session's turns and segment grids checked against the package's hashes."""
    known = {
        (patient, number): (sid, tid)
        for sid, patient, number, tid in session.execute(
            select(SessionRow.id, PatientRow.code, SessionRow.number, TranscriptRow.id)
            .join(PatientRow, SessionRow.patient_id == PatientRow.id)
            .outerjoin(TranscriptRow, TranscriptRow.session_id == SessionRow.id)
        )
    }
    wanted = [(s, known.get((s["patient"], s["session"]))) for s in listed]
    hashes = _transcript_hashes(session, [k[1] for _s, k in wanted if k and k[1] is not None])
    found: dict[SessionKey, tuple[int, int | None, dict[str, dict[int, int]]]] = {}
    for s, here in wanted:
        label = f"{s['patient']}/{s['session']}"
        if here is None:
            problems.append(f"session {label} is not in this project")
            continue
        sid, tid = here
        if (hashes.get(tid) if tid is not None else None) != s["turns_sha256"]:
            problems.append(
                f"the transcript of {label} differs from this project's (its turns were "
                "changed or re-imported): the codes would point at other words"
            )
            continue
        grids: dict[str, dict[int, int]] = {}
        rules = s.get("segments_sha256") or {}
        if rules and tid is not None:
            if _grid_hashes(session, tid, rules) != rules:
                problems.append(f"the segments of {label} differ from this project's")
                continue
            for rule, index, seg_id in session.execute(
                select(SegmentationRow.rule, SegmentRow.index, SegmentRow.id)
                .join(SegmentRow, SegmentRow.segmentation_id == SegmentationRow.id)
                .where(SegmentationRow.transcript_id == tid, SegmentationRow.rule.in_(rules))
            ):
                grids.setdefault(rule, {})[index] = seg_id
        found[(s["patient"], s["session"])] = (sid, tid, grids)
    return found


def _plan_episodes(
    session: OrmSession,
    plan: _Plan,
    listed: Sequence[dict[str, Any]],
    rater_id: int,
    sessions: dict[SessionKey, tuple[int, int | None, dict[str, dict[int, int]]]],
    scheme_ids: dict[tuple[str, int], int],
    rounds: dict[int, tuple[int, str]],
    changes: dict[int, SessionChange],
    touched: dict[int, set[int | None]],
) -> None:
    """Episodes are keyed by (session, rater, index): an existing one must match."""
    stored = {
        (ep.session_id, ep.index): ep
        for ep in session.scalars(select(EpisodeRow).where(EpisodeRow.rater_id == rater_id))
    }
    for ep in listed:
        sid = sessions[(ep["patient"], ep["session"])][0]
        change = changes[sid]
        round_id = _round_id(ep["round"], rounds, change)
        here = stored.get((sid, ep["index"]))
        if here is not None:
            theirs = (ep["pathway"], ep["start_turn"], ep["end_turn"], ep["memo"])
            if (here.pathway_id, here.start_turn, here.end_turn, here.memo) != theirs:
                change.conflicts.append(
                    f"episode {ep['index']} differs from the project's (pathway, turns or memo)"
                )
            plan.episode_ids[(sid, ep["index"])] = here.id
            continue
        touched[sid].add(round_id)
        change.episodes_added += 1
        plan.new_episodes.append({
            "key": (sid, ep["index"]), "session_id": sid, "rater_id": rater_id,
            "scheme_id": scheme_ids[(ep["scheme"], ep["scheme_revision"])],
            "round_id": round_id, "index": ep["index"], "pathway_id": ep["pathway"],
            "start_turn": ep["start_turn"], "end_turn": ep["end_turn"], "memo": ep["memo"],
            "created_at": datetime.fromisoformat(ep["created_at"]),
            "updated_at": datetime.fromisoformat(ep["updated_at"]),
        })  # fmt: skip


def _round_id(
    number: int | None, rounds: dict[int, tuple[int, str]], change: SessionChange
) -> int | None:
    if number is None:
        return None
    here = rounds.get(number)
    if here is None:
        change.conflicts.append(f"round {number} is not in this project")
        return None
    return here[0]


def _plan_codes(
    session: OrmSession,
    plan: _Plan,
    listed: Sequence[Sequence[Any]],
    rater_id: int,
    sessions: dict[SessionKey, tuple[int, int | None, dict[str, dict[int, int]]]],
    scheme_ids: dict[tuple[str, int], int],
    rounds: dict[int, tuple[int, str]],
    changes: dict[int, SessionChange],
    touched: dict[int, set[int | None]],
) -> None:
    """Each code: unchanged (its uid, or the same code, is stored with this content),
    a conflict, or new."""
    round_numbers = {rid: n for n, (rid, _status) in rounds.items()}
    by_uid = _stored_by_uid(session, [c[0] for c in listed], round_numbers)
    by_slot = _stored_by_slot(session, rater_id, [v[0] for v in sessions.values()], round_numbers)
    seen: set[str] = set()
    episodes = set(plan.episode_ids) | {ep["key"] for ep in plan.new_episodes}
    (
        i_uid, i_patient, i_session, i_scheme, i_rev, i_round, i_code, i_unit, i_index, i_rule,
        i_episode, i_value, i_ev_turn, i_ev_start, i_ev_end, i_memo, i_prob, i_created,
        i_updated,
    ) = range(len(CODE_COLUMNS))  # fmt: skip
    for code in listed:
        uid = code[i_uid]
        sid, _tid, grids = sessions[(code[i_patient], code[i_session])]
        change = changes[sid]
        if uid in seen:
            change.conflicts.append(f"{_what(code)} appears twice in the package")
            continue
        seen.add(uid)
        scheme_id = scheme_ids[(code[i_scheme], code[i_rev])]
        content = (scheme_id, *code[_FIRST:_LAST])
        stored = by_uid.get(uid)
        if stored is not None:
            owner, stored_sid, stored_content = stored
            if owner != rater_id:
                change.conflicts.append(
                    f"{_what(code)}: this uid is another rater's code in the project"
                )
            elif stored_sid != sid or stored_content != content:
                change.conflicts.append(f"{_what(code)}: {_differences(stored_content, content)}")
            else:
                change.unchanged += 1
            continue
        evidence = (code[i_ev_turn], code[i_ev_start], code[i_ev_end])
        slot = (sid, scheme_id, code[i_code], code[i_unit], code[i_index], evidence)
        same = by_slot.get(slot)
        if same is not None:
            if same == content:
                change.unchanged += 1  # the same code, made again under another uid
            else:
                change.conflicts.append(
                    f"{_what(code)}: the project holds this rater's code here already, with "
                    f"{_differences(same, content)}"
                )
            continue
        segment_id = None
        if code[i_rule] is not None:
            segment_id = grids.get(code[i_rule], {}).get(code[i_index])
            if segment_id is None:
                change.conflicts.append(f"{_what(code)}: the project has no such segment")
                continue
        round_id = _round_id(code[i_round], rounds, change)
        touched[sid].add(round_id)
        change.added += 1
        plan.new_codes.append({
            "uid": uid, "session_id": sid, "rater_id": rater_id, "scheme_id": scheme_id,
            "round_id": round_id, "code_id": code[i_code], "unit": code[i_unit],
            "unit_index": code[i_index], "segment_id": segment_id,
            "episode_key": (sid, code[i_episode]) if code[i_episode] is not None else None,
            "value": code[i_value], "evidence_turn": code[i_ev_turn],
            "evidence_start": code[i_ev_start], "evidence_end": code[i_ev_end],
            "memo": code[i_memo], "probability": code[i_prob],
            "created_at": code[i_created],
            "updated_at": code[i_updated],
        })  # fmt: skip
        if code[i_episode] is not None and (sid, code[i_episode]) not in episodes:
            change.conflicts.append(
                f"{_what(code)}: its episode {code[i_episode]} is not in the package"
            )


def _what(code: Sequence[Any]) -> str:
    """A code as a conflict message names it (built only for a conflict)."""
    return f"{code[6]} ({code[7]} {code[8]}, uid {str(code[0])[:8]})"


def _content_query() -> Any:
    app = CodeApplicationRow
    return select(
        app.uid, app.rater_id, app.session_id, app.scheme_id, app.round_id, app.code_id,
        app.unit, app.unit_index, SegmentationRow.rule, EpisodeRow.index, app.value,
        app.evidence_turn, app.evidence_start, app.evidence_end, app.memo, app.probability,
    ).outerjoin(SegmentRow, app.segment_id == SegmentRow.id).outerjoin(
        SegmentationRow, SegmentRow.segmentation_id == SegmentationRow.id
    ).outerjoin(EpisodeRow, app.episode_id == EpisodeRow.id)  # fmt: skip


def _content(row: Sequence[Any], round_numbers: dict[int, int]) -> tuple[Any, ...]:
    """(scheme id, *_CONTENT) of a stored row from :func:`_content_query`."""
    (_uid, _rater, _sid, scheme_id, round_id, *rest) = row
    return (scheme_id, round_numbers.get(round_id) if round_id is not None else None, *rest)


def _stored_by_uid(
    session: OrmSession, uids: Sequence[str], round_numbers: dict[int, int]
) -> dict[str, tuple[int, int, tuple[Any, ...]]]:
    found: dict[str, tuple[int, int, tuple[Any, ...]]] = {}
    query = _content_query()
    for start in range(0, len(uids), _UID_CHUNK):
        chunk = uids[start : start + _UID_CHUNK]
        for row in session.execute(query.where(CodeApplicationRow.uid.in_(chunk))):
            found[row[0]] = (row[1], row[2], _content(row, round_numbers))
    return found


def _stored_by_slot(
    session: OrmSession, rater_id: int, session_ids: Sequence[int], round_numbers: dict[int, int]
) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    """This rater's stored codes in the package's sessions, by what they are about."""
    found: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    app = CodeApplicationRow
    query = _content_query().where(app.rater_id == rater_id, app.session_id.in_(session_ids))
    for row in session.execute(query):
        content = _content(row, round_numbers)
        (_u, _r, sid, scheme_id, _round, code_id, unit, index, *_mid) = row
        evidence = (row[11], row[12], row[13])
        found.setdefault((sid, scheme_id, code_id, unit, index, evidence), content)
    return found


def _differences(stored: tuple[Any, ...], theirs: tuple[Any, ...]) -> str:
    names = ("scheme", *_CONTENT)
    diffs = [
        f"{name} {a!r} in the project, {b!r} in the package"
        for name, a, b in zip(names, stored, theirs, strict=True)
        if a != b
    ]
    return "; ".join(diffs) or "it belongs to another session in the project"


def _check_access(
    session: OrmSession,
    actor: ActingRater | None,
    rater: RaterRow,
    touched: dict[int, set[int | None]],
    rounds: dict[int, tuple[int, str]],
    changes: dict[int, SessionChange],
) -> None:
    """Ask :mod:`coder.app.access` about every (session, round) that gets new rows: as a
    codes import does, a lead's (or a lead-less owner's) merge is checked for round
    status only, a rater's also for whose codes and which sessions are assigned."""
    assigned = assigned_in_open_round(session, actor)
    owner = actor.rater_id if actor is not None else rater.id
    if rater.role == RaterRole.CONSENSUS.value:
        # Consensus codes are written as the consensus, whose rules access knows (they
        # are made after a round is locked); only a lead gets this far with them.
        actor = ActingRater(rater.id, rater.name, rater.initials, RaterRole.CONSENSUS)
        owner, assigned = rater.id, None
    for sid, round_ids in touched.items():
        change = changes[sid]
        for round_id in sorted(round_ids, key=lambda r: -1 if r is None else r):
            try:
                check_editable(session, actor, sid, owner_id=owner, round_id=round_id)
            except NotAllowed as exc:
                change.conflicts.append(exc.problem)
        if assigned is not None and sid not in assigned[1]:
            change.conflicts.append(f"this session is not assigned to you in round {assigned[0]}")
