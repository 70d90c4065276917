"""Words for profile numbers and formulation parts, shared by the Word report and the
patient view so both name and format every value the same way."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

SESSION_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("session", "Session", "d"),
    ("n_segments", "Segments", "d"),
    ("withdrawal_segments", "W segs", "d"),
    ("confrontation_segments", "C segs", "d"),
    ("mean_withdrawal_significance", "Mean W sig", ".2f"),
    ("mean_confrontation_significance", "Mean C sig", ".2f"),
    ("markers_per_10min", "Markers/10 min", ".2f"),
    ("resolution_rate", "Resolution rate", ".2f"),
)
"""(metric, column header, format) of the per-session table, shared with the patient view."""

METRIC_LABELS: dict[str, str] = {
    "n_segments": "Segments",
    "withdrawal_segments": "Withdrawal segments",
    "confrontation_segments": "Confrontation segments",
    "rupture_segments": "Rupture segments",
    "withdrawal_share": "Share of segments with withdrawal",
    "confrontation_share": "Share of segments with confrontation",
    "rupture_share": "Share of segments with a rupture",
    "withdrawal_per_10min": "Withdrawal markers per 10 min",
    "confrontation_per_10min": "Confrontation markers per 10 min",
    "markers_per_10min": "Rupture markers per 10 min",
    "mean_withdrawal_significance": "Mean withdrawal significance",
    "max_withdrawal_significance": "Highest withdrawal significance",
    "mean_confrontation_significance": "Mean confrontation significance",
    "max_confrontation_significance": "Highest confrontation significance",
    "mean_rupture_significance": "Mean significance of rupture segments",
    "resolution_rate": "Resolution rate (resolved / evaluable ruptures)",
    "n_episodes": "Stage episodes",
    "episodes_resolved_share": "Share of episodes rated resolved",
    "episodes_partial_share": "Share of episodes rated partially resolved",
}
"""Readable names of the session metrics (docs/profiles.md §2 defines them)."""

DIFFICULTY_LABELS: dict[str, str] = {
    "agency_self_definition": "agency / self-definition",
    "communion_relatedness": "communion / relatedness",
    "mixed": "mixed (agency and communion)",
    "undifferentiated": "undifferentiated",
}
NONE_TEXT = "—"


def fmt(value: object, spec: str = ".2f") -> str:
    """A table cell: None as a dash, numbers with ``spec`` (``d`` rounds to an integer)."""
    if value is None:
        return NONE_TEXT
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return f"{round(value):d}" if spec == "d" else format(value, spec)
    return str(value)


def difficulty_label(value: object) -> str:
    return DIFFICULTY_LABELS.get(str(value), str(value)) if value else NONE_TEXT


def session_value(session: Mapping[str, Any], key: str) -> object:
    """A session metric from a session of ``to_dict()`` (``metrics`` first, then top level)."""
    metrics = session.get("metrics") or {}
    return metrics[key] if key in metrics else session.get(key)


def vote_text(vote: Mapping[str, Any]) -> str:
    weight = fmt(vote.get("weight"), "g")
    if vote.get("type"):
        return f"Type {vote['type']} (weight {weight})"
    return f"{difficulty_label(vote.get('difficulty'))} (weight {weight})"


def evidence_text(evidence: Sequence[Mapping[str, Any]]) -> str:
    parts = []
    for item in evidence:
        sessions = ", ".join(str(s) for s in item.get("sessions", [])) or "none"
        segments = "; ".join(
            f"S{s}: {', '.join(str(i) for i in segs)}"
            for s, segs in (item.get("segments") or {}).items()
        )
        where = f" (segments {segments})" if segments else ""
        parts.append(f"{item.get('metric')}: sessions {sessions}{where}")
    return "\n".join(parts) or NONE_TEXT
