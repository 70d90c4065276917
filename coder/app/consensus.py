"""The consensus that settles disagreements between raters.

A lead settles a disagreement (:mod:`coder.app.disagreements`); the decision is stored
as the *consensus* rater's code (so consensus codes flow through export, reliability and
profiles like any rater's) together with a decision row that records what each rater had,
how the decision was reached, and links to the consensus code it produced.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select

from coder.app import schemes as scheme_service
from coder.app.access import require_lead
from coder.app.disagreements import ABSENT, Disagreement, Value, compared_codes
from coder.app.identity import ActingRater, consensus_coder
from coder.app.lookup import find_session
from coder.domain.coding import Unit, check_value
from coder.domain.errors import ValidationError
from coder.domain.roles import RaterRole
from coder.domain.scheme import Scheme
from coder.domain.segmentation import rule_key
from coder.store.database import ProjectDatabase
from coder.store.models import (
    CodeApplicationRow,
    ConsensusDecisionRow,
    PatientRow,
    RaterRow,
    SchemeRow,
    SegmentationRow,
    SegmentRow,
    SessionRow,
    TranscriptRow,
)


@dataclass(frozen=True, slots=True)
class Decision:
    id: int
    key: tuple[str, int, str, int, str]
    value: Value


def settle(
    db: ProjectDatabase,
    coder: ActingRater,
    disagreement: Disagreement,
    value: Value,
    memo: str = "",
    scheme_key: str | None = None,
    *,
    taken_from: str | None = None,
) -> Decision:
    """Store the consensus value (replacing an earlier decision on the same unit).

    The decision records how it was reached (``decided["how"]``): the lead's own value,
    or ``taken_from`` a compared rater's. Taking a *machine* rater's value is the only
    way a screening model's code enters a consensus: it is recorded as adopted from
    that machine, with the model's probability, so the consensus never hides that a
    model proposed it."""
    require_lead(coder, "settle disagreements")
    scheme = scheme_service.load_project_scheme(db, scheme_key)
    item = disagreement.item
    if scheme.is_code(item):
        if value not in (1, ABSENT):
            raise ValidationError(f"{item} is a presence code: decide 1 (present) or absent")
    else:
        check_value(scheme, item, None if value == ABSENT else value)  # type: ignore[arg-type]
    if taken_from is not None and (
        taken_from not in disagreement.values or disagreement.values[taken_from] != value
    ):
        raise ValidationError(f"{taken_from} did not give {item} that value here")
    consensus = consensus_coder(db)
    with db.transaction(coder) as session:
        session_id, scheme_row_id, segment_id = _targets(session, scheme, disagreement)
        how = _how(session, session_id, scheme, disagreement, taken_from)
        _clear(session, consensus.rater_id, session_id, scheme, disagreement)
        code_id = None
        if value != ABSENT:
            row = CodeApplicationRow(
                session_id=session_id,
                rater_id=consensus.rater_id,
                scheme_id=scheme_row_id,
                code_id=item,
                unit=disagreement.unit.value,
                unit_index=disagreement.unit_index,
                segment_id=segment_id,
                value=value,
                memo=memo,
            )
            session.add(row)
            session.flush()
            code_id = row.id
        decision = ConsensusDecisionRow(
            session_id=session_id,
            scheme_key=scheme.id,
            unit=disagreement.unit.value,
            unit_index=disagreement.unit_index,
            item=item,
            rater_values={r: v for r, v in disagreement.values.items()},
            decided={"value": value, **how},
            code_application_id=code_id,
            decided_by=coder.rater_id,
            memo=memo,
        )
        session.add(decision)
        session.flush()
        return Decision(decision.id, disagreement.key, value)


ADOPTED_MACHINE = "adopted from a machine rater (screening model)"
TAKEN = "took a rater's value"
OWN = "lead's own value"


def _how(
    session: Any, session_id: int, scheme: Scheme, d: Disagreement, taken_from: str | None
) -> dict[str, Any]:
    """What a decision records about how it was reached."""
    if taken_from is None:
        return {"how": OWN}
    rater = session.execute(
        select(RaterRow.id, RaterRow.role).where(RaterRow.name == taken_from)
    ).first()
    if rater is None or rater.role != RaterRole.MACHINE.value:
        return {"how": TAKEN, "from": taken_from}
    probability = session.scalar(
        select(CodeApplicationRow.probability)
        .join(SchemeRow, CodeApplicationRow.scheme_id == SchemeRow.id)
        .where(
            CodeApplicationRow.session_id == session_id,
            CodeApplicationRow.rater_id == rater.id,
            SchemeRow.key == scheme.id,
            CodeApplicationRow.unit == d.unit.value,
            CodeApplicationRow.unit_index == d.unit_index,
            CodeApplicationRow.code_id == d.item,
        )
        .order_by(CodeApplicationRow.probability.desc())
        .limit(1)
    )
    return {"how": ADOPTED_MACHINE, "from": taken_from, "probability": probability}


def unsettle(
    db: ProjectDatabase,
    coder: ActingRater,
    disagreement: Disagreement,
    scheme_key: str | None = None,
) -> None:
    """Withdraw a decision and its consensus code (the undo of :func:`settle`)."""
    require_lead(coder, "change consensus decisions")
    scheme = scheme_service.load_project_scheme(db, scheme_key)
    consensus = consensus_coder(db)
    with db.transaction(coder) as session:
        session_id, _, _ = _targets(session, scheme, disagreement)
        _clear(session, consensus.rater_id, session_id, scheme, disagreement)


def _targets(session: Any, scheme: Scheme, d: Disagreement) -> tuple[int, int, int | None]:
    session_id = find_session(session, d.patient, d.session).id
    scheme_row_id = session.scalar(
        select(SchemeRow.id)
        .where(SchemeRow.key == scheme.id)
        .order_by(SchemeRow.revision.desc())
        .limit(1)
    )
    segment_id = None
    if d.unit is Unit.SEGMENT:
        segment_id = session.scalar(
            select(SegmentRow.id)
            .join(SegmentationRow)
            .join(TranscriptRow)
            .where(
                TranscriptRow.session_id == session_id,
                SegmentRow.index == d.unit_index,
                SegmentationRow.rule == rule_key(scheme.segmentation),
            )
        )
    return session_id, scheme_row_id, segment_id


def _clear(
    session: Any, consensus_id: int, session_id: int, scheme: Scheme, d: Disagreement
) -> None:
    scheme_ids = select(SchemeRow.id).where(SchemeRow.key == scheme.id)
    session.execute(
        delete(ConsensusDecisionRow).where(
            ConsensusDecisionRow.session_id == session_id,
            ConsensusDecisionRow.scheme_key == scheme.id,
            ConsensusDecisionRow.unit == d.unit.value,
            ConsensusDecisionRow.unit_index == d.unit_index,
            ConsensusDecisionRow.item == d.item,
        )
    )
    session.execute(
        delete(CodeApplicationRow).where(
            CodeApplicationRow.rater_id == consensus_id,
            CodeApplicationRow.session_id == session_id,
            CodeApplicationRow.scheme_id.in_(scheme_ids),
            CodeApplicationRow.unit == d.unit.value,
            CodeApplicationRow.unit_index == d.unit_index,
            CodeApplicationRow.code_id == d.item,
        )
    )


def adopt_agreements(
    db: ProjectDatabase,
    coder: ActingRater,
    *,
    scheme_key: str | None = None,
    raters: Sequence[str] | None = None,
) -> int:
    """Copy every code all compared raters agree on into the consensus (existing consensus
    codes are kept), so the consensus set is complete once disagreements are settled."""
    require_lead(coder, "build the consensus")
    scheme = scheme_service.load_project_scheme(db, scheme_key)
    consensus = consensus_coder(db)
    with db.transaction(coder) as session:
        # A machine rater never counts towards an agreement: its codes enter a
        # consensus only when the lead adopts one (settle(..., taken_from=machine)).
        machines = set(
            session.scalars(select(RaterRow.name).where(RaterRow.role == RaterRole.MACHINE.value))
        )
        rows = [r for r in compared_codes(session, scheme, raters) if r[2] not in machines]
        names = sorted({r[2] for r in rows})
        if len(names) < 2:
            return 0
        by_key: dict[Any, dict[str, Any]] = defaultdict(dict)
        for patient, number, rater, code, unit, index, value, *_ in rows:
            by_key[(patient, number, unit, index, code)][rater] = value
        existing = {
            (p, n, u, i, c)
            for p, n, u, i, c in session.execute(
                select(
                    PatientRow.code,
                    SessionRow.number,
                    CodeApplicationRow.unit,
                    CodeApplicationRow.unit_index,
                    CodeApplicationRow.code_id,
                )
                .join(SessionRow, CodeApplicationRow.session_id == SessionRow.id)
                .join(PatientRow, SessionRow.patient_id == PatientRow.id)
                .where(CodeApplicationRow.rater_id == consensus.rater_id)
            )
        }
        added = 0
        for key, values in by_key.items():
            if key in existing or len(values) != len(names) or len(set(values.values())) != 1:
                continue
            patient, number, unit, index, code = key
            d = Disagreement(patient, number, Unit(unit), index, code, code, {})
            session_id, scheme_row_id, segment_id = _targets(session, scheme, d)
            session.add(
                CodeApplicationRow(
                    session_id=session_id,
                    rater_id=consensus.rater_id,
                    scheme_id=scheme_row_id,
                    code_id=code,
                    unit=unit,
                    unit_index=index,
                    segment_id=segment_id,
                    value=next(iter(values.values())),
                    memo="agreed by all raters",
                )
            )
            added += 1
        return added
