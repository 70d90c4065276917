"""``coder package merge``: every package checked as a whole, then code by code, then
written in one transaction, or refused with every problem (see :mod:`coder.app.packages`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from coder.app.access import (
    NotAllowed,
    assigned_in_open_round,
    check_editable,
    require_identity,
)
from coder.app.identity import ActingRater
from coder.app.package_codes import plan_codes
from coder.app.package_format import (
    CODE_COLUMNS,
    SessionKey,
    project_identity,
    segment_grids,
    transcript_hashes,
)
from coder.app.package_plan import (
    MergePlan,
    MergeResult,
    PackagePreview,
    PackageRefused,
    SessionChange,
    round_id_of,
)
from coder.domain.errors import CoderError
from coder.domain.roles import RaterRole
from coder.io.package_file import read_package
from coder.store.database import ProjectDatabase
from coder.store.models import (
    EpisodeRow,
    PatientRow,
    RaterRow,
    RoundRow,
    SchemeRow,
    SessionRow,
    TranscriptRow,
)


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


def _plan(session: OrmSession, item: _Loaded, actor: ActingRater | None) -> MergePlan:
    """Compare one package with the project: whole-package problems, then per code."""
    payload = item.payload
    rater_name = str(payload["rater"].get("name", ""))
    plan = MergePlan(PackagePreview(item.path, rater_name))
    problems = plan.preview.problems
    mine = project_identity(session)
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
    plan_codes(session, plan, payload["codes"], rater.id, sessions, scheme_ids, rounds,
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
    hashes = transcript_hashes(session, [k[1] for _s, k in wanted if k and k[1] is not None])
    stored_grids = segment_grids(
        session,
        {k[1]: s["segments_sha256"] for s, k in wanted
         if k and k[1] is not None and s.get("segments_sha256")},
    )  # fmt: skip
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
            stored = stored_grids.get(tid, {})
            if {rule: digest for rule, (digest, _ids) in stored.items()} != rules:
                problems.append(f"the segments of {label} differ from this project's")
                continue
            grids = {rule: ids for rule, (_digest, ids) in stored.items()}
        found[(s["patient"], s["session"])] = (sid, tid, grids)
    return found


def _plan_episodes(
    session: OrmSession,
    plan: MergePlan,
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
        round_id = round_id_of(ep["round"], rounds, change)
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
