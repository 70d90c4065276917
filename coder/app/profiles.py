"""Per-patient rupture profiles, the suggested formulation and the clinician's override.

Assembles one rater's (or the consensus') codes for a patient's sessions into the tables
:func:`coder.stats.profiles.build_patient_profile` reads, evaluates the formulation
rules (a YAML file, ``schemes/formulation/default.yaml`` unless another is given) and
attaches the override in force. Blinding holds: while a round is blinded, a profile of
someone else's codes needs a lead.

Missing data is never a finding: profile metrics use coded segments only (see
:mod:`coder.domain.coverage`), the rules run only when every session meets the rules
file's ``min_session_coverage`` (a *provisional* suggestion can be asked for), and a
consensus profile carries the number of disagreements still open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import select

from coder.app import disagreements
from coder.app import intake as intake_service
from coder.app import schemes as scheme_service
from coder.app.access import check_visible
from coder.app.browse import scheme_segments
from coder.app.identity import ActingRater
from coder.app.lookup import find_patient
from coder.app.raters import rater_row
from coder.domain.errors import NotFoundError, ValidationError
from coder.domain.formulation import (
    Difficulty,
    Formulation,
    Override,
    TypeLabel,
    approach_in_force,
    evaluate,
    final_call,
)
from coder.domain.roles import RaterRole
from coder.domain.scheme import Scheme
from coder.io.formulation_file import load_formulation_file
from coder.stats.profiles import (
    PatientProfile,
    ProfileOptions,
    SessionProfile,
    TherapistProfile,
    build_patient_profile,
    formulation_inputs,
    therapist_profiles,
)
from coder.store.database import ProjectDatabase
from coder.store.models import (
    CodeApplicationRow,
    EpisodeRow,
    FormulationOverrideRow,
    PatientRow,
    RaterRow,
    SchemeRow,
    SessionRow,
)


def default_rules_path() -> Path:
    return scheme_service.builtin_scheme_dir() / "formulation" / "default.yaml"


@dataclass(frozen=True)
class PatientReport:
    """Everything the patient view, ``coder profile`` and the DOCX report show."""

    patient: str
    rater: str
    profile: PatientProfile
    formulation: Formulation
    override: Override | None
    scheme: Scheme
    open_disagreements: int | None = None  # consensus profiles only: disagreements unsettled

    @property
    def disagreements_text(self) -> str | None:
        """``"3 disagreements open"`` for a consensus that is not final yet, else None."""
        n = self.open_disagreements
        if not n:
            return None
        return f"{n} disagreement{'s' if n != 1 else ''} open"

    def to_dict(self) -> dict[str, Any]:
        data = self.profile.to_dict()
        final_type, final_difficulty, source = final_call(self.formulation, self.override)
        data.update(
            {
                "rater": self.rater,
                "scheme": self.scheme.label,
                "open_disagreements": self.open_disagreements,
                "disagreements_text": self.disagreements_text,
                "suggested_type": self.formulation.suggested_type,
                "difficulty": self.formulation.difficulty,
                "formulation_status": self.formulation.status.value,
                "formulation_notice": self.formulation.notice,
                "reasons": [rule.reason for rule in self.formulation.fired],
                "formulation": self.formulation.to_dict(),
                "override": None
                if self.override is None
                else {
                    "type": self.override.type,
                    "difficulty": self.override.difficulty,
                    "rationale": self.override.rationale,
                    "who": self.override.who,
                    "when": self.override.when.isoformat(timespec="seconds"),
                },
                "final": {"type": final_type, "difficulty": final_difficulty, "source": source},
                "approach_in_force": approach_in_force(self.formulation, self.override),
            }
        )
        return data


def build_report(
    db: ProjectDatabase,
    patient: str,
    *,
    rater: str | None = None,
    consensus: bool = False,
    coder: ActingRater | None = None,
    scheme_key: str | None = None,
    rules_path: Path | None = None,
    options: ProfileOptions | None = None,
    provisional: bool = False,
) -> PatientReport:
    """The patient's profile from one rater's codes (``rater``), the consensus codes, or —
    when neither is given — the acting rater's own codes.

    ``provisional`` asks for a type suggestion even when a session is coded below the
    rules file's threshold; it is then labelled provisional (see
    :func:`coder.domain.formulation.evaluate`)."""
    options = options or ProfileOptions()
    primary = scheme_service.load_project_scheme(db, scheme_key)
    rules, _ = load_formulation_file(rules_path or default_rules_path())
    with db.reading() as session:
        patient_id = find_patient(session, patient).id
        rater_row = _choose_rater(session, rater, consensus, coder)
        _check_visible(session, coder, rater_row)
        stage_keys = [
            k for k in session.scalars(select(SchemeRow.key).distinct()) if k != primary.id
        ]
        schemes = [primary] + [
            s
            for s in (scheme_service.load_project_scheme(db, k) for k in stage_keys)
            if s.pathways and not (s.all_ids() & primary.all_ids())
        ]
        scheme_ids = list(
            session.scalars(select(SchemeRow.id).where(SchemeRow.key.in_([s.id for s in schemes])))
        )
        sessions = session.execute(
            select(SessionRow.id, SessionRow.number, SessionRow.duration_s).where(
                SessionRow.patient_id == patient_id
            )
        ).all()
        by_id = {sid: number for sid, number, _ in sessions}
        codes = pd.DataFrame(
            [
                (by_id[sid], unit, index, code, value)
                for sid, unit, index, code, value in session.execute(
                    select(
                        CodeApplicationRow.session_id,
                        CodeApplicationRow.unit,
                        CodeApplicationRow.unit_index,
                        CodeApplicationRow.code_id,
                        CodeApplicationRow.value,
                    ).where(
                        CodeApplicationRow.session_id.in_(list(by_id)),
                        CodeApplicationRow.rater_id == rater_row.id,
                        CodeApplicationRow.scheme_id.in_(scheme_ids),
                    )
                )
            ],
            columns=["session", "unit", "unit_index", "code_id", "value"],
        )
        segments = pd.DataFrame(
            [
                (g.session, g.index, g.start_ms, g.end_ms, g.estimated, g.first_turn, g.last_turn)
                for g in scheme_segments(session, primary, patient)
            ],
            columns=[
                "session",
                "segment",
                "start_ms",
                "end_ms",
                "estimated",
                "first_turn",
                "last_turn",
            ],
        )
        episodes = pd.DataFrame(
            session.execute(
                select(SessionRow.number, EpisodeRow.index, EpisodeRow.pathway_id)
                .join(EpisodeRow, EpisodeRow.session_id == SessionRow.id)
                .where(SessionRow.patient_id == patient_id, EpisodeRow.rater_id == rater_row.id)
            ).all(),
            columns=["session", "episode", "pathway"],
        )
        durations = {number: (d * 1000 if d else None) for _, number, d in sessions}
        override = _current_override(session, patient_id)
    codes["value"] = pd.to_numeric(codes["value"], errors="coerce")
    profile = build_patient_profile(
        patient,
        codes,
        segments,
        schemes,
        durations_ms=durations,
        episodes=episodes,
        options=options,
    )
    intake, norms = intake_service.load_intake(db, patient)
    formulation = evaluate(
        rules, formulation_inputs(profile, intake, norms), provisional=provisional
    )
    open_disagreements = (
        disagreements.open_disagreement_count(db, coder, patient, scheme_key=primary.id)
        if rater_row.role == RaterRole.CONSENSUS.value
        else None
    )
    return PatientReport(
        patient, rater_row.name, profile, formulation, override, primary, open_disagreements
    )


def _choose_rater(
    session: Any, rater: str | None, consensus: bool, coder: ActingRater | None
) -> RaterRow:
    if consensus:
        row = session.scalar(select(RaterRow).where(RaterRow.role == RaterRole.CONSENSUS.value))
        if row is None:
            raise NotFoundError("the project has no consensus codes yet")
        return row  # type: ignore[no-any-return]
    name = rater or (coder.name if coder else None)
    if name is None:
        raise ValidationError("say whose codes to profile: a rater name, or the consensus")
    return rater_row(session, name)  # exact: never profile someone else's codes by a typo


def _check_visible(session: Any, coder: ActingRater | None, rater_row: RaterRow) -> None:
    check_visible(session, coder, rater_row.id, rater_row.name)


def _current_override(session: Any, patient_id: int) -> Override | None:
    row = session.execute(
        select(FormulationOverrideRow, RaterRow.name)
        .join(RaterRow, FormulationOverrideRow.rater_id == RaterRow.id)
        .where(FormulationOverrideRow.patient_id == patient_id)
        .order_by(FormulationOverrideRow.created_at.desc(), FormulationOverrideRow.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    stored, who = row
    return make_override(stored.type, stored.difficulty, stored.rationale, who, stored.created_at)


def make_override(
    type_: str | None, difficulty: str | None, rationale: str, who: str, when: datetime
) -> Override:
    """Validate user input (CLI, dialog, database) into an Override."""
    try:
        kind = TypeLabel(type_) if type_ else None
    except ValueError:
        raise ValidationError(f"type {type_!r} must be A, B or C") from None
    try:
        axis = Difficulty(difficulty) if difficulty else None
    except ValueError:
        allowed = ", ".join(d.value for d in Difficulty)
        raise ValidationError(f"difficulty {difficulty!r} must be one of {allowed}") from None
    return Override(kind, axis, rationale, who, when)


def set_override(
    db: ProjectDatabase,
    coder: ActingRater,
    patient: str,
    type_: str | None,
    difficulty: str | None,
    rationale: str,
) -> Override:
    """Record the clinician's decision; earlier decisions stay in the history."""
    make_override(type_, difficulty, rationale, coder.name, datetime.now())  # validates first
    with db.transaction(coder) as session:
        patient_id = find_patient(session, patient).id
        row = FormulationOverrideRow(
            patient_id=patient_id,
            type=type_,
            difficulty=difficulty,
            rationale=rationale.strip(),
            rater_id=coder.rater_id,
        )
        session.add(row)
        session.flush()
        return make_override(type_, difficulty, row.rationale, coder.name, row.created_at)


def override_history(db: ProjectDatabase, patient: str) -> list[Override]:
    with db.reading() as session:
        rows = session.execute(
            select(FormulationOverrideRow, RaterRow.name)
            .join(RaterRow, FormulationOverrideRow.rater_id == RaterRow.id)
            .join(PatientRow, FormulationOverrideRow.patient_id == PatientRow.id)
            .where(PatientRow.code == patient)
            .order_by(FormulationOverrideRow.created_at, FormulationOverrideRow.id)
        ).all()
    return [make_override(r.type, r.difficulty, r.rationale, who, r.created_at) for r, who in rows]


def therapist_summaries(
    db: ProjectDatabase,
    *,
    rater: str | None = None,
    consensus: bool = False,
    coder: ActingRater | None = None,
    scheme_key: str | None = None,
) -> list[TherapistProfile]:
    """Ruptures in each therapist's sessions and how they were met, from one rater's (or
    the consensus') codes; therapists come from the patients' ``therapist`` attribute."""
    from coder.app.patients import therapist_of_sessions

    mapping = therapist_of_sessions(db)
    patients = sorted({p for p, _ in mapping})
    if not patients:
        raise NotFoundError(
            "no patient has a therapist attribute (coder patients set P01 therapist NAME)"
        )
    sessions: dict[str, list[SessionProfile]] = {}
    for patient in patients:
        report = build_report(
            db, patient, rater=rater, consensus=consensus, coder=coder, scheme_key=scheme_key
        )
        sessions[patient] = list(report.profile.sessions)
    return therapist_profiles(sessions, mapping)
