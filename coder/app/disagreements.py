"""Disagreements between raters: the units (segments, or the session for session
ratings) where the compared raters' values for one code or rating differ, each with
whether a consensus decision has settled it (the decisions: :mod:`coder.app.consensus`).

Reading them shows every compared rater's values, so only a lead may list them; the
count of open ones (shown beside the consensus profile) needs only that everyone's codes
are visible to the caller, and only the number leaves :func:`open_disagreement_count`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from coder.app import schemes as scheme_service
from coder.app.access import require_everyone_visible, require_lead
from coder.app.browse import raters_codes, scheme_segments
from coder.app.identity import ActingRater
from coder.domain.coding import TextSpan, Unit
from coder.domain.scheme import Scheme, Scope
from coder.store.database import ProjectDatabase
from coder.store.models import ConsensusDecisionRow, PatientRow, SessionRow

ABSENT = "absent"  # the decided value of a presence code that is not there
Value = int | None | str  # a rating value, None (N/A), or ABSENT


@dataclass(frozen=True)
class Disagreement:
    patient: str
    session: int
    unit: Unit
    unit_index: int
    item: str
    label: str
    values: dict[str, Value]  # rater -> value (ABSENT for a presence code not marked)
    evidence: dict[str, tuple[TextSpan, ...]] = field(default_factory=dict)
    first_turn: int | None = None
    last_turn: int | None = None
    decided: Value | None = None
    settled: bool = False
    memo: str = ""  # the settling decision's memo
    how: str = ""  # how the settling decision was reached (see :func:`settle`)

    @property
    def key(self) -> tuple[str, int, str, int, str]:
        return (self.patient, self.session, self.unit.value, self.unit_index, self.item)


def find_disagreements(
    db: ProjectDatabase,
    coder: ActingRater,
    *,
    scheme_key: str | None = None,
    raters: Sequence[str] | None = None,
    include_settled: bool = True,
) -> list[Disagreement]:
    """Every unit where the compared raters differ (leads only: it shows all raters)."""
    require_lead(coder, "review disagreements between raters")
    scheme = scheme_service.load_project_scheme(db, scheme_key)
    found = all_disagreements(db, scheme, raters)
    return [d for d in found if include_settled or not d.settled]


def open_disagreement_count(
    db: ProjectDatabase, coder: ActingRater | None, patient: str, *, scheme_key: str | None = None
) -> int:
    """How many disagreements on ``patient``'s sessions no decision has settled yet.

    Shown wherever the consensus profile is, because a consensus with open
    disagreements is not final: the units still in dispute hold no consensus code.
    Counting them reads every rater's codes, so it needs exactly what the consensus
    profile needs: everyone's codes visible to ``coder`` (a lead, or nobody blinded).
    Only the number leaves this function, never whose values differ.
    """
    with db.reading() as session:
        require_everyone_visible(session, coder, "see the consensus and its open disagreements")
    scheme = scheme_service.load_project_scheme(db, scheme_key)
    return sum(not d.settled for d in all_disagreements(db, scheme, None, patient=patient))


def all_disagreements(
    db: ProjectDatabase, scheme: Scheme, raters: Sequence[str] | None, *, patient: str | None = None
) -> list[Disagreement]:
    """Every disagreement (settled or not), on one patient's sessions or on all."""
    with db.reading() as session:
        rows = compared_codes(session, scheme, raters)
        segments = _segments(session, scheme)
        decided = _decisions(session, scheme)
    if patient is not None:
        rows = [r for r in rows if r[0] == patient]
        segments = {k: v for k, v in segments.items() if k[0] == patient}
    names = sorted({r[2] for r in rows})
    if len(names) < 2:
        return []
    coded_sessions: dict[str, set[tuple[str, int]]] = defaultdict(set)
    cells: dict[tuple[str, int, str, int, str], dict[str, Value]] = defaultdict(dict)
    spans: dict[tuple[str, int, str, int, str], dict[str, list[TextSpan]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for patient, number, rater, code, unit, index, value, ev_turn, ev_start, ev_end in rows:
        coded_sessions[rater].add((patient, number))
        key = (patient, number, unit, index, code)
        cells[key][rater] = 1 if scheme.is_code(code) else value
        if ev_turn is not None and ev_start is not None and ev_end is not None:
            spans[key][rater].append(TextSpan(ev_turn, ev_start, ev_end))
    seg_codes = [c.id for g in scheme.groups if g.scope is Scope.SEGMENT for c in g.codes]
    found: list[Disagreement] = []
    both = set.intersection(*(coded_sessions[n] for n in names))
    segment_items = [(c, True) for c in seg_codes]
    segment_items += [(r.id, False) for r in scheme.ratings_for(Scope.SEGMENT)]
    session_items = [r.id for r in scheme.ratings_for(Scope.SESSION)]
    for (patient, number), segs in sorted(segments.items()):
        if (patient, number) not in both:
            continue  # only sessions every compared rater coded
        checks: list[tuple[Unit, int, str, bool, tuple[int | None, int | None]]] = [
            (Unit.SEGMENT, index, item, presence, turns)
            for index, turns in sorted(segs.items())
            for item, presence in segment_items
        ]
        checks += [(Unit.SESSION, 1, item, False, (None, None)) for item in session_items]
        for unit, index, item, presence, turns in checks:
            _check(
                found,
                scheme,
                names,
                cells,
                spans,
                decided,
                patient,
                number,
                unit,
                index,
                item,
                presence=presence,
                turns=turns,
            )
    return found


def _check(
    found: list[Disagreement],
    scheme: Scheme,
    names: list[str],
    cells: dict[Any, dict[str, Value]],
    spans: dict[Any, dict[str, list[TextSpan]]],
    decided: dict[Any, tuple[Value, str, str]],
    patient: str,
    number: int,
    unit: Unit,
    index: int,
    item: str,
    *,
    presence: bool,
    turns: tuple[int | None, int | None],
) -> None:
    key = (patient, number, unit.value, index, item)
    given = cells.get(key, {})
    if presence:
        values: dict[str, Value] = {n: (1 if n in given else ABSENT) for n in names}
    else:
        if not given:
            return
        values = {n: given.get(n, ABSENT) for n in names}
    if len(set(values.values())) < 2:
        return
    label = scheme.code(item).name if scheme.is_code(item) else scheme.rating(item).label
    found.append(
        Disagreement(
            patient,
            number,
            unit,
            index,
            item,
            label,
            values,
            {r: tuple(s) for r, s in spans.get(key, {}).items()},
            turns[0],
            turns[1],
            decided[key][0] if key in decided else None,
            key in decided,
            decided[key][1] if key in decided else "",
            decided[key][2] if key in decided else "",
        )
    )


def compared_codes(session: Any, scheme: Scheme, raters: Sequence[str] | None) -> list[Any]:
    # Machine raters (screening suggestions) never enter a consensus unless named.
    return raters_codes(
        session,
        scheme,
        raters=raters,
        units=(Unit.SEGMENT.value, Unit.SESSION.value),
        humans_only=True,
    )


def _segments(session: Any, scheme: Scheme) -> dict[tuple[str, int], dict[int, tuple[int, int]]]:
    out: dict[tuple[str, int], dict[int, tuple[int, int]]] = defaultdict(dict)
    for seg in scheme_segments(session, scheme):
        out[(seg.patient, seg.session)][seg.index] = (seg.first_turn, seg.last_turn)
    return out


def _decisions(session: Any, scheme: Scheme) -> dict[Any, tuple[Value, str, str]]:
    """(patient, session, unit, index, item) -> (decided value, memo, how)."""
    rows = session.execute(
        select(
            PatientRow.code,
            SessionRow.number,
            ConsensusDecisionRow.unit,
            ConsensusDecisionRow.unit_index,
            ConsensusDecisionRow.item,
            ConsensusDecisionRow.decided,
            ConsensusDecisionRow.memo,
        )
        .join(SessionRow, ConsensusDecisionRow.session_id == SessionRow.id)
        .join(PatientRow, SessionRow.patient_id == PatientRow.id)
        .where(ConsensusDecisionRow.scheme_key == scheme.id)
    )
    return {
        (p, n, u, i, item): (d.get("value"), memo, str(d.get("how", "")))
        for p, n, u, i, item, d, memo in rows
    }
