"""Merging a package's codes: each one is unchanged, a conflict or new (see
:mod:`coder.app.packages`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from coder.app.package_format import CODE_COLUMNS, CONTENT, FIRST, ID_CHUNK, LAST, SessionKey
from coder.app.package_plan import STORED, MergePlan, SessionChange, round_id_of
from coder.store.models import (
    CodeApplicationRow,
    EpisodeRow,
    SegmentationRow,
    SegmentRow,
)

# A new code's stored fields from value on are its package fields from value on: one slice.
assert CODE_COLUMNS[CODE_COLUMNS.index("value") :] == STORED[STORED.index("value") :]


def plan_codes(
    session: OrmSession,
    plan: MergePlan,
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
        i_episode, i_value, i_ev_turn, i_ev_start, i_ev_end, _i_memo, _i_prob, _i_created,
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
        content = (scheme_id, *code[FIRST:LAST])
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
        round_id = round_id_of(code[i_round], rounds, change)
        touched[sid].add(round_id)
        change.added += 1
        episode_key = (sid, code[i_episode]) if code[i_episode] is not None else None
        # in the order of STORED; the episode is resolved to its row id when written
        plan.new_codes.append([
            uid, sid, rater_id, scheme_id, round_id, code[i_code], code[i_unit], code[i_index],
            segment_id, episode_key, *code[i_value : i_updated + 1],
        ])  # fmt: skip
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
    """(scheme id, *CONTENT) of a stored row from :func:`_content_query`."""
    (_uid, _rater, _sid, scheme_id, round_id, *rest) = row
    return (scheme_id, round_numbers.get(round_id) if round_id is not None else None, *rest)


def _stored_by_uid(
    session: OrmSession, uids: Sequence[str], round_numbers: dict[int, int]
) -> dict[str, tuple[int, int, tuple[Any, ...]]]:
    found: dict[str, tuple[int, int, tuple[Any, ...]]] = {}
    query = _content_query()
    for start in range(0, len(uids), ID_CHUNK):
        chunk = uids[start : start + ID_CHUNK]
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
    names = ("scheme", *CONTENT)
    diffs = [
        f"{name} {a!r} in the project, {b!r} in the package"
        for name, a, b in zip(names, stored, theirs, strict=True)
        if a != b
    ]
    return "; ".join(diffs) or "it belongs to another session in the project"
