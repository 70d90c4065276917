"""Rupture profiles: the public entry point, and the bridge to the type formulation.

The computation is split by level: :mod:`~coder.stats.profile_segments` (what each id is,
segment data, resolution, episodes), :mod:`~coder.stats.profile_sessions` (one session)
and :mod:`~coder.stats.profile_patient` (a patient across sessions, therapists). Callers
import from here. :func:`formulation_inputs` turns a patient profile and intake into the
metric values the formulation rules read; it lives in ``stats`` because it needs the SSM
(:mod:`coder.stats.circumplex`), and the domain may not import statistics.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from coder.domain.formulation import METRICS, FormulationInputs
from coder.domain.intake import IIPNorms, Intake
from coder.domain.scheme import Scheme
from coder.stats.circumplex import iip_ssm
from coder.stats.profile_episodes import EpisodeSummary
from coder.stats.profile_patient import (
    BALANCE_DEFINITION,
    PHASES,
    PatientProfile,
    PhaseClustering,
    TherapistProfile,
    balance,
    patient_profile,
    phase_of,
    therapist_profiles,
)
from coder.stats.profile_segments import (
    ProfileOptions,
    RatingSummary,
    ResolutionSummary,
)
from coder.stats.profile_sessions import (
    CODES_COLUMNS,
    SEGMENT_COLUMNS,
    SESSION_METRICS,
    SessionProfile,
    segments_frame,
    session_profiles,
)

__all__ = [
    "BALANCE_DEFINITION",
    "CODES_COLUMNS",
    "PHASES",
    "SEGMENT_COLUMNS",
    "SESSION_METRICS",
    "EpisodeSummary",
    "PatientProfile",
    "PhaseClustering",
    "ProfileOptions",
    "RatingSummary",
    "ResolutionSummary",
    "SessionProfile",
    "TherapistProfile",
    "balance",
    "build_patient_profile",
    "formulation_inputs",
    "patient_profile",
    "phase_of",
    "segments_frame",
    "session_profiles",
    "therapist_profiles",
]


def build_patient_profile(
    patient: str,
    codes: pd.DataFrame,
    segments: pd.DataFrame,
    schemes: Sequence[Scheme],
    *,
    durations_ms: Mapping[int, int | None] | None = None,
    episodes: pd.DataFrame | None = None,
    options: ProfileOptions = ProfileOptions(),  # noqa: B008 - frozen
) -> PatientProfile:
    """Session profiles and the patient aggregate in one call (what ``coder profile`` needs)."""
    sessions = session_profiles(
        codes, segments, schemes, durations_ms=durations_ms, episodes=episodes, options=options
    )
    return patient_profile(patient, sessions, options)


def _segments_for(metric: str, s: SessionProfile) -> tuple[int, ...]:
    """Which segments stand behind a session metric, for a fired rule's evidence."""
    if metric == "resolution_rate":
        return s.resolution.resolved
    if "withdrawal" in metric:
        return s.withdrawal_segment_indexes
    if "confrontation" in metric:
        return s.confrontation_segment_indexes
    if "episodes" in metric:
        return ()
    return s.rupture_segment_indexes


def formulation_inputs(
    profile: PatientProfile | None,
    intake: Intake | None = None,
    norms: IIPNorms | None = None,
) -> FormulationInputs:
    """Every metric of the rules vocabulary that the data can give (others stay None).

    With ``norms``, the IIP structural summary is computed on z scores (and
    ``intake.iip.standardised`` is 1), so amplitude thresholds must be set for z scores.
    """
    values: dict[str, float | None] = dict.fromkeys(METRICS)
    per_session: dict[str, dict[int, float | None]] = {}
    segments: dict[str, dict[int, tuple[int, ...]]] = {}
    if profile is not None:
        session_metrics = {s.session: s.metrics() for s in profile.sessions}
        for path in METRICS:
            name = path.removeprefix("trait_like.")
            if name == path:
                continue
            values[path] = profile.trait_like[name]
            per_session[path] = {n: m[name] for n, m in session_metrics.items()}
            segments[path] = {s.session: _segments_for(name, s) for s in profile.sessions}
        values["profile.balance_index"] = profile.balance_index
        values["profile.n_sessions"] = float(sum(1 for s in profile.sessions if s.coded_segments))
        per_session["profile.balance_index"] = {
            s.session: balance(s.withdrawal_segments, s.confrontation_segments)
            for s in profile.sessions
        }
        segments["profile.balance_index"] = {
            s.session: s.rupture_segment_indexes for s in profile.sessions
        }
    if intake is not None and intake.iip is not None:
        result = iip_ssm(intake.iip, norms)
        values.update(
            {
                "intake.iip.elevation": result.elevation,
                "intake.iip.x": result.x,
                "intake.iip.y": result.y,
                "intake.iip.amplitude": result.amplitude,
                "intake.iip.displacement": result.displacement,
                "intake.iip.r2": result.r2,
                "intake.iip.standardised": 0.0 if norms is None else 1.0,
            }
        )
    if intake is not None and intake.suip is not None:
        total = intake.suip.total
        values["intake.suip.mean"] = intake.suip.mean
        values["intake.suip.total"] = None if total is None else float(total)
    if intake is not None and intake.pd is not None:
        results = intake.pd.results()
        if results:
            values["intake.sidp.n_disorders_meeting_threshold"] = float(
                sum(r.meets_threshold for r in results)
            )
            values["intake.sidp.max_criteria_met_ratio"] = max(r.ratio for r in results)
            values["intake.sidp.total_criteria_met"] = float(sum(r.criteria_met for r in results))
            values["intake.sidp.total_dimensional"] = float(sum(r.dimensional for r in results))
    coverage = (
        {profile.session_label(s.session): s.coverage for s in profile.sessions}
        if profile is not None
        else {}
    )
    return FormulationInputs(values, per_session, segments, coverage)
