"""A patient's profile across sessions (trait-like and state-like) and therapist summaries.

Following Zilcha-Mano (2017), the patient mean of each session metric is its *trait-like*
part (the patient's stable level) and each session's deviation from that mean its
*state-like* part (domain notes §4.1). Means skip sessions where a metric is None (for
example a resolution rate of a session without ruptures, or any count of a session with
no coded segment), so "no data" never counts as 0. Pooled figures (phase shares,
therapists' rupture shares) divide by coded segments, never by all segments.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from coder.domain.coverage import CODED_DEFINITION, Coverage
from coder.stats.profile_segments import ProfileOptions
from coder.stats.profile_sessions import SESSION_METRICS, SessionProfile

BALANCE_DEFINITION = (
    "balance_index = (W - C) / (W + C), W and C = withdrawal and confrontation segments "
    "summed over all sessions; +1 only withdrawal, -1 only confrontation, None if W + C = 0"
)
PHASES = ("early", "middle", "late")


def balance(withdrawal: int, confrontation: int) -> float | None:
    total = withdrawal + confrontation
    return (withdrawal - confrontation) / total if total else None


def _mean(values: Sequence[float | None]) -> float | None:
    given = [v for v in values if v is not None]
    return sum(given) / len(given) if given else None


@dataclass(frozen=True, slots=True)
class PhaseClustering:
    """Rupture-segment share per phase of treatment (see :func:`phase_of`)."""

    cuts: tuple[float, float]
    phase_of_session: Mapping[int, str]
    share: Mapping[str, float | None]  # rupture segments / coded segments, pooled per phase
    peak: str | None  # phase with the highest share; None if no ruptures or a tie

    def to_dict(self) -> dict[str, object]:
        return {
            "cuts": list(self.cuts),
            "phase_of_session": {str(k): v for k, v in self.phase_of_session.items()},
            "share": dict(self.share),
            "peak": self.peak,
        }


def phase_of(rank: int, n_sessions: int, cuts: tuple[float, float]) -> str:
    """Phase of the session at 0-based ``rank`` among ``n_sessions``.

    Its relative position is the midpoint (rank + ½) / n, so with three sessions they fall
    at 1/6, 1/2, 5/6: one per phase. Early if position < first cut, late if ≥ second.
    """
    position = (rank + 0.5) / n_sessions
    return "early" if position < cuts[0] else "middle" if position < cuts[1] else "late"


def phases(sessions: Sequence[SessionProfile], cuts: tuple[float, float]) -> PhaseClustering:
    assigned = {s.session: phase_of(r, len(sessions), cuts) for r, s in enumerate(sessions)}
    share: dict[str, float | None] = {}
    for phase in PHASES:
        mine = [s for s in sessions if assigned[s.session] == phase]
        segments = sum(s.coded_segments for s in mine)
        ruptures = sum(len(s.rupture_segment_indexes) for s in mine)
        share[phase] = ruptures / segments if segments else None
    given = {p: v for p, v in share.items() if v is not None}
    top = max(given.values(), default=0.0)
    leaders = [p for p, v in given.items() if v == top]
    return PhaseClustering(
        cuts, assigned, share, leaders[0] if top > 0 and len(leaders) == 1 else None
    )


@dataclass(frozen=True)
class PatientProfile:
    """One patient's sessions, trait-like means, state-like deviations, balance, phases."""

    patient: str
    sessions: tuple[SessionProfile, ...]
    trait_like: Mapping[str, float | None]
    state_like: Mapping[int, Mapping[str, float | None]]
    withdrawal_total: int
    confrontation_total: int
    balance_index: float | None
    phases: PhaseClustering
    options: ProfileOptions

    balance_definition = BALANCE_DEFINITION

    @property
    def coverage(self) -> Coverage:
        """Coded segments over all segments, summed over the sessions."""
        return Coverage(
            sum(s.coded_segments for s in self.sessions), sum(s.n_segments for s in self.sessions)
        )

    def session_label(self, session: int) -> str:
        return f"{self.patient}/{session}"

    def incomplete_sessions(self, threshold: float = 1.0) -> list[str]:
        """``"P01/2: 7 of 12 segments coded"`` for every session whose coverage is below
        ``threshold``, in session order."""
        return [
            s.coverage.text(self.session_label(s.session))
            for s in self.sessions
            if not s.coverage.meets(threshold)
        ]

    def to_dict(self) -> dict[str, object]:
        """JSON-ready; ``patient``, ``sessions``, ``trait_like``, ``balance_index`` and
        ``coverage`` are the keys ``coder profile --json`` documents."""
        return {
            "patient": self.patient,
            "coverage": {
                **self.coverage.to_dict(),
                "coded_sessions": sum(1 for s in self.sessions if s.coded_segments),
                "n_sessions": len(self.sessions),
                "incomplete_sessions": self.incomplete_sessions(),
                "definition": CODED_DEFINITION,
            },
            "sessions": [s.to_dict() for s in self.sessions],
            "trait_like": dict(self.trait_like),
            "balance_index": self.balance_index,
            "balance_definition": BALANCE_DEFINITION,
            "state_like": [{"session": k, **v} for k, v in self.state_like.items()],
            "withdrawal_total": self.withdrawal_total,
            "confrontation_total": self.confrontation_total,
            "phases": self.phases.to_dict(),
            "options": {
                "resolution_window": self.options.resolution_window,
                "salience_threshold": self.options.salience_threshold,
                "phase_cuts": list(self.options.phase_cuts),
            },
        }


def patient_profile(
    patient: str,
    sessions: Sequence[SessionProfile],
    options: ProfileOptions = ProfileOptions(),  # noqa: B008 - frozen
) -> PatientProfile:
    """Aggregate one patient's session profiles (any order; sorted by session number)."""
    ordered = tuple(sorted(sessions, key=lambda s: s.session))
    per_session = {s.session: s.metrics() for s in ordered}
    trait = {m: _mean([per_session[s][m] for s in per_session]) for m in SESSION_METRICS}
    state: dict[int, dict[str, float | None]] = {}
    for number, metrics in per_session.items():
        state[number] = {}
        for m in SESSION_METRICS:
            value, mean = metrics[m], trait[m]
            state[number][m] = None if value is None or mean is None else value - mean
    w = sum(s.withdrawal_segments for s in ordered)
    c = sum(s.confrontation_segments for s in ordered)
    return PatientProfile(
        patient, ordered, trait, state, w, c, balance(w, c), phases(ordered, options.phase_cuts),
        options,
    )  # fmt: skip


@dataclass(frozen=True)
class TherapistProfile:
    """Ruptures in one therapist's sessions and how they were met."""

    therapist: str
    patients: tuple[str, ...]
    n_sessions: int
    n_segments: int
    coded_segments: int
    withdrawal_segments: int
    confrontation_segments: int
    rupture_segments: int
    therapist_ratings: Mapping[str, float | None]  # e.g. WD_T/CF_T, pooled over segments
    mean_resolution_rate: float | None
    globals: Mapping[str, float | None]  # session ratings (e.g. G_TCONTRIB), mean

    @property
    def rupture_share(self) -> float | None:
        """Rupture segments over *coded* segments (None when nothing was coded)."""
        return self.rupture_segments / self.coded_segments if self.coded_segments else None

    @property
    def coverage(self) -> Coverage:
        return Coverage(self.coded_segments, self.n_segments)

    def to_dict(self) -> dict[str, object]:
        return {
            "therapist": self.therapist,
            "patients": list(self.patients),
            "n_sessions": self.n_sessions,
            "n_segments": self.n_segments,
            "coverage": self.coverage.to_dict(),
            "withdrawal_segments": self.withdrawal_segments,
            "confrontation_segments": self.confrontation_segments,
            "rupture_segments": self.rupture_segments,
            "rupture_share": self.rupture_share,
            "therapist_ratings": dict(self.therapist_ratings),
            "mean_resolution_rate": self.mean_resolution_rate,
            "globals": dict(self.globals),
        }


def therapist_profiles(
    sessions_by_patient: Mapping[str, Sequence[SessionProfile]],
    therapist_of: Mapping[tuple[str, int], str],
) -> list[TherapistProfile]:
    """One profile per therapist named in ``therapist_of`` ((patient, session) → name).

    Sessions without a therapist in the mapping are left out. Therapist-side ratings are
    pooled over segments (each session's mean weighted by its number of rated segments);
    the resolution rate is the mean of the sessions' rates where one exists.
    """
    grouped: dict[str, list[tuple[str, SessionProfile]]] = {}
    for patient, sessions in sessions_by_patient.items():
        for s in sessions:
            name = therapist_of.get((patient, s.session))
            if name is not None:
                grouped.setdefault(name, []).append((patient, s))
    out = []
    for name in sorted(grouped):
        items = grouped[name]
        profiles = [s for _, s in items]
        rating_ids = sorted({r for s in profiles for r in s.therapist_ratings})
        pooled: dict[str, float | None] = {}
        for r in rating_ids:
            parts = [s.therapist_ratings[r] for s in profiles if r in s.therapist_ratings]
            n = sum(p.n for p in parts)
            pooled[r] = sum((p.mean or 0.0) * p.n for p in parts) / n if n else None
        global_ids = sorted({g for s in profiles for g in s.globals})
        out.append(
            TherapistProfile(
                therapist=name,
                patients=tuple(sorted({p for p, _ in items})),
                n_sessions=len(profiles),
                n_segments=sum(s.n_segments for s in profiles),
                coded_segments=sum(s.coded_segments for s in profiles),
                withdrawal_segments=sum(s.withdrawal_segments for s in profiles),
                confrontation_segments=sum(s.confrontation_segments for s in profiles),
                rupture_segments=sum(len(s.rupture_segment_indexes) for s in profiles),
                therapist_ratings=pooled,
                mean_resolution_rate=_mean([s.resolution.rate for s in profiles]),
                globals={g: _mean([s.globals.get(g) for s in profiles]) for g in global_ids},
            )
        )
    return out
