"""Per-session rupture profile: what one rater (or the consensus) coded in each session.

Inputs are plain tables so the store, the codes CSV and tests can all feed them:

* ``codes``: one row per code application, columns ``session`` (int), ``unit``
  (``segment``/``turn``/``session``/``episode``), ``unit_index`` (int, 1-based),
  ``code_id`` (str), ``value`` (float; NaN = N/A). Presence codes count when value > 0.
* ``segments``: one row per segment, columns ``session``, ``segment`` (index),
  ``start_ms``, ``end_ms``, ``estimated``; optional ``first_turn``/``last_turn`` place
  turn-level codes in their segment (:func:`segments_frame` builds it from domain segments).
* optional ``episodes``: ``session``, ``episode``, ``pathway``; without it an episode's
  pathway is inferred from the stages coded in it.

What counts as what is read from the schemes, never from id spelling (see
:mod:`coder.stats.profile_segments`); docs/profiles.md defines every metric.

Every metric is computed over the segments the rater *coded* (the definition lives in
:mod:`coder.domain.coverage`): an uncoded segment is missing, not a segment without a
rupture, so a session coded in 1 of 3 segments, with a withdrawal there, has a rupture
share of 1/1, and a session with no coded segment has no metrics at all (None), not zeros.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields

import pandas as pd

from coder.domain.coding import Segment
from coder.domain.coverage import Coverage
from coder.domain.errors import ValidationError
from coder.domain.scheme import CodeFamily, Scheme
from coder.stats.profile_episodes import EpisodeSummary, episode_summaries
from coder.stats.profile_segments import (
    FAMILIES,
    ProfileOptions,
    RatingSummary,
    ResolutionSummary,
    Roles,
    collect,
    jsonable,
    resolution,
    roles_of,
    summarise,
)

CODES_COLUMNS = ("session", "unit", "unit_index", "code_id", "value")
SEGMENT_COLUMNS = ("session", "segment", "start_ms", "end_ms", "estimated")
UNITS = ("segment", "turn", "session", "episode")

SESSION_METRICS: tuple[str, ...] = (
    "n_segments", "withdrawal_segments", "confrontation_segments", "rupture_segments",
    "withdrawal_share", "confrontation_share", "rupture_share",
    "withdrawal_per_10min", "confrontation_per_10min", "markers_per_10min",
    "mean_withdrawal_significance", "max_withdrawal_significance",
    "mean_confrontation_significance", "max_confrontation_significance",
    "mean_rupture_significance", "resolution_rate",
    "n_episodes", "episodes_resolved_share", "episodes_partial_share",
)  # fmt: skip
"""The numeric per-session metrics; trait-like means and state-like deviations use these."""


@dataclass(frozen=True)
class SessionProfile:
    """Rupture profile of one session (metrics defined in docs/profiles.md)."""

    session: int
    n_segments: int  # every segment of the session, coded or not
    coded_segment_indexes: tuple[int, ...]
    withdrawal_segment_indexes: tuple[int, ...]
    confrontation_segment_indexes: tuple[int, ...]
    withdrawal_markers: int
    confrontation_markers: int
    duration_min: float | None
    duration_source: str | None  # "session", "segments" or None
    duration_estimated: bool
    coded_duration_min: float | None  # the coded part of duration_min (see _coded_minutes)
    significance: Mapping[str, RatingSummary]  # "withdrawal"/"confrontation"
    mean_rupture_significance: float | None
    marker_counts: Mapping[str, int]
    strategy_counts: Mapping[str, int]
    resolution: ResolutionSummary
    therapist_ratings: Mapping[str, RatingSummary] = field(default_factory=dict)
    episodes: tuple[EpisodeSummary, ...] = ()
    globals: Mapping[str, float | None] = field(default_factory=dict)
    unplaced_turn_codes: int = 0

    @property
    def coded_segments(self) -> int:
        return len(self.coded_segment_indexes)

    @property
    def coverage(self) -> Coverage:
        return Coverage(self.coded_segments, self.n_segments)

    @property
    def withdrawal_segments(self) -> int:
        return len(self.withdrawal_segment_indexes)

    @property
    def confrontation_segments(self) -> int:
        return len(self.confrontation_segment_indexes)

    @property
    def rupture_segment_indexes(self) -> tuple[int, ...]:
        return tuple(
            sorted(set(self.withdrawal_segment_indexes) | set(self.confrontation_segment_indexes))
        )

    def metrics(self) -> dict[str, float | None]:
        """The :data:`SESSION_METRICS` of this session (None = not computable).

        Counts, shares and rates are over the coded segments only; without a coded
        segment they are None (missing), never 0. ``n_episodes`` is None when the session
        has neither a coded segment nor a stage episode: nothing says it was looked at.
        """
        coded, ruptures = self.coded_segments, len(self.rupture_segment_indexes)

        def count(value: int) -> float | None:
            return float(value) if coded else None

        def share(value: int) -> float | None:
            return value / coded if coded else None

        def per10(value: int) -> float | None:
            minutes = self.coded_duration_min
            return value / minutes * 10 if coded and minutes else None

        wd, cf = self.significance["withdrawal"], self.significance["confrontation"]
        rated = [e for e in self.episodes if e.resolved is not None]
        return {
            "n_segments": float(self.n_segments),
            "withdrawal_segments": count(self.withdrawal_segments),
            "confrontation_segments": count(self.confrontation_segments),
            "rupture_segments": count(ruptures),
            "withdrawal_share": share(self.withdrawal_segments),
            "confrontation_share": share(self.confrontation_segments),
            "rupture_share": share(ruptures),
            "withdrawal_per_10min": per10(self.withdrawal_markers),
            "confrontation_per_10min": per10(self.confrontation_markers),
            "markers_per_10min": per10(self.withdrawal_markers + self.confrontation_markers),
            "mean_withdrawal_significance": wd.mean,
            "max_withdrawal_significance": wd.max,
            "mean_confrontation_significance": cf.mean,
            "max_confrontation_significance": cf.max,
            "mean_rupture_significance": self.mean_rupture_significance,
            "resolution_rate": self.resolution.rate,
            "n_episodes": float(len(self.episodes)) if coded or self.episodes else None,
            "episodes_resolved_share": (
                sum(e.resolved == "resolved" for e in rated) / len(rated) if rated else None
            ),
            "episodes_partial_share": (
                sum(e.resolved == "partial" for e in rated) / len(rated) if rated else None
            ),
        }

    def to_dict(self) -> dict[str, object]:
        """JSON-ready; the ``coder profile --json`` keys come first."""
        m = self.metrics()
        coded = self.coded_segments > 0
        return {
            "session": self.session,
            "n_segments": self.n_segments,
            "coverage": self.coverage.to_dict(),
            "withdrawal_segments": self.withdrawal_segments if coded else None,
            "confrontation_segments": self.confrontation_segments if coded else None,
            "mean_withdrawal_significance": m["mean_withdrawal_significance"],
            "mean_confrontation_significance": m["mean_confrontation_significance"],
            "resolution_rate": self.resolution.rate,
            "metrics": m,
            **{f.name: jsonable(getattr(self, f.name)) for f in fields(self)},
        }


def segments_frame(session: int, segments: Sequence[Segment]) -> pd.DataFrame:
    """The ``segments`` table for one session from domain :class:`Segment` objects."""
    rows = [
        (session, s.index, s.start_ms, s.end_ms, s.estimated, s.first_turn, s.last_turn)
        for s in segments
    ]
    return pd.DataFrame(rows, columns=[*SEGMENT_COLUMNS, "first_turn", "last_turn"])


def _require(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValidationError(f"{what} table lacks column(s) {', '.join(missing)}")


def session_profiles(
    codes: pd.DataFrame,
    segments: pd.DataFrame,
    schemes: Sequence[Scheme],
    *,
    durations_ms: Mapping[int, int | None] | None = None,
    episodes: pd.DataFrame | None = None,
    options: ProfileOptions = ProfileOptions(),  # noqa: B008 - frozen
) -> list[SessionProfile]:
    """One :class:`SessionProfile` per session of ``segments``, ordered by session number.

    ``schemes`` are those the codes belong to (e.g. 3rs-2015 and safran-muran-stages);
    an id none of them knows is refused, since silently skipping it would undercount.
    ``durations_ms`` (recording lengths) take precedence over the segments' time span.
    """
    _require(codes, CODES_COLUMNS, "codes")
    _require(segments, SEGMENT_COLUMNS, "segments")
    roles = roles_of(schemes)
    unknown = sorted(set(codes["code_id"]) - roles.known)
    if unknown:
        raise ValidationError(f"codes not in the given schemes: {', '.join(unknown[:5])}")
    bad_units = sorted(set(codes["unit"]) - set(UNITS))
    if bad_units:
        raise ValidationError(f"unknown unit(s) {', '.join(map(str, bad_units))}")
    no_segments = sorted(set(codes["session"]) - set(segments["session"]))
    if no_segments:
        raise ValidationError(f"codes for session(s) without segments: {no_segments}")
    pathways: dict[tuple[int, int], str] = {}
    if episodes is not None:
        _require(episodes, ("session", "episode", "pathway"), "episodes")
        for row in episodes.itertuples(index=False):
            pathways[(int(row.session), int(row.episode))] = str(row.pathway)
    out = []
    for session, seg_table in segments.groupby("session", sort=True):
        number = int(session)
        mine = codes[codes["session"] == number]
        duration = (durations_ms or {}).get(number)
        out.append(_one_session(number, mine, seg_table, roles, duration, pathways, options))
    return out


def _one_session(
    number: int,
    codes: pd.DataFrame,
    seg_table: pd.DataFrame,
    roles: Roles,
    duration_ms: int | None,
    pathways: Mapping[tuple[int, int], str],
    options: ProfileOptions,
) -> SessionProfile:
    collected = collect(number, codes, seg_table, roles)
    order, data = collected.order, collected.data
    coded = [i for i in order if data[i].coded]
    fam_segs: dict[CodeFamily, list[int]] = {f: [] for f in FAMILIES}
    applications: dict[CodeFamily, int] = {f: 0 for f in FAMILIES}
    for i in coded:
        for family in FAMILIES:
            if data[i].is_rupture(roles, family, options.salience_threshold):
                fam_segs[family].append(i)
                applications[family] += (
                    1 if roles.salience[family] else len(data[i].markers[family])
                )
    ruptures = sorted(
        set(fam_segs[CodeFamily.WITHDRAWAL]) | set(fam_segs[CodeFamily.CONFRONTATION])
    )
    # Uncoded segments have no significance (None): the resolution rule then treats a
    # window reaching into one as not observed (not evaluable), never as "no drop".
    seg_sig = {i: data[i].significance(roles) for i in order}
    rupture_sigs = [s for i in ruptures if (s := seg_sig[i]) is not None]
    marker_counts = Counter({c: 0 for c in roles.marker})
    strategy_counts = Counter({c: 0 for c in roles.strategy})
    for d in data.values():
        marker_counts.update(
            set(d.markers[CodeFamily.WITHDRAWAL] + d.markers[CodeFamily.CONFRONTATION])
        )
        strategy_counts.update(set(d.strategies))
    minutes, source, estimated = _duration(seg_table, duration_ms)
    return SessionProfile(
        session=number,
        n_segments=len(order),
        coded_segment_indexes=tuple(coded),
        withdrawal_segment_indexes=tuple(fam_segs[CodeFamily.WITHDRAWAL]),
        confrontation_segment_indexes=tuple(fam_segs[CodeFamily.CONFRONTATION]),
        withdrawal_markers=applications[CodeFamily.WITHDRAWAL],
        confrontation_markers=applications[CodeFamily.CONFRONTATION],
        duration_min=minutes,
        duration_source=source,
        duration_estimated=estimated,
        coded_duration_min=_coded_minutes(seg_table, minutes, set(coded)),
        significance={
            f.value: summarise(
                [v for i in coded if (v := data[i].family_significance(roles, f)) is not None]
            )
            for f in FAMILIES
        },
        mean_rupture_significance=(sum(rupture_sigs) / len(rupture_sigs) if rupture_sigs else None),
        marker_counts=dict(marker_counts),
        strategy_counts=dict(strategy_counts),
        resolution=resolution(order, ruptures, data, seg_sig, options.resolution_window),
        therapist_ratings={
            r: summarise([v for i in coded if (v := data[i].ratings.get(r)) is not None])
            for r in roles.therapist
        },
        episodes=episode_summaries(number, collected.episode_rows, roles, pathways),
        globals=collected.globals,
        unplaced_turn_codes=collected.unplaced,
    )


def _duration(
    seg_table: pd.DataFrame, duration_ms: int | None
) -> tuple[float | None, str | None, bool]:
    """Minutes of recording: the session's stated length, else the segments' span."""
    estimated = any(bool(v) for v in seg_table["estimated"] if pd.notna(v))
    if duration_ms is not None and duration_ms > 0:
        return duration_ms / 60_000, "session", False
    starts, ends = seg_table["start_ms"], seg_table["end_ms"]
    if len(seg_table) and starts.notna().all() and ends.notna().all():
        span = float(ends.max()) - float(starts.min())
        if span > 0:
            return span / 60_000, "segments", estimated
    return None, None, False


def _coded_minutes(seg_table: pd.DataFrame, minutes: float | None, coded: set[int]) -> float | None:
    """The part of the session's ``minutes`` that lies in coded segments.

    Fully coded: all of it (so a fully coded session's rate is unchanged). Partly coded:
    ``minutes`` times the coded segments' share of the segments' summed time span, or of
    their number when segment times are unknown (turn blocks without timestamps). No coded
    segment: None. A rate per 10 minutes then counts markers per coded minute, so an
    uncoded half of a session does not halve it.
    """
    if minutes is None or not coded:
        return None
    if len(coded) == len(seg_table):
        return minutes
    spans = seg_table["end_ms"] - seg_table["start_ms"]
    if spans.notna().all() and float(spans.sum()) > 0:
        mine = seg_table["segment"].astype(int).isin(coded)
        return minutes * float(spans[mine].sum()) / float(spans.sum())
    return minutes * len(coded) / len(seg_table)
