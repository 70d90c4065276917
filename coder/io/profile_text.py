"""Words for profile numbers and formulation parts, shared by the Word report and the
patient view so both name and format every value the same way."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from coder.domain.formulation_rules import type_text

SESSION_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("session", "Session", "d"),
    ("coverage", "Coded / segments", "coverage"),
    ("withdrawal_segments", "W segs", "d"),
    ("confrontation_segments", "C segs", "d"),
    ("mean_withdrawal_significance", "Mean W sig", ".2f"),
    ("mean_confrontation_significance", "Mean C sig", ".2f"),
    ("markers_per_10min", "Markers/10 min", ".2f"),
    ("resolution_rate", "Resolution rate", ".2f"),
)
"""(metric, column header, format) of the per-session table, shared with the patient view."""

METRIC_LABELS: dict[str, str] = {
    "coverage": "Coded segments / all segments (metrics use coded segments only)",
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


def coverage_text(coverage: Mapping[str, Any] | None, *, long: bool = False) -> str:
    """``7/12`` (or ``7 of 12 segments coded (58%)``) from a ``coverage`` dict of the
    ``coder profile --json`` shape; a dash when there is none."""
    if not coverage:
        return NONE_TEXT
    coded, total = coverage.get("coded_segments"), coverage.get("total_segments")
    if not long:
        return f"{coded}/{total}"
    share = coverage.get("share")
    return f"{coded} of {total} segments coded" + (f" ({share:.0%})" if share is not None else "")


def fmt(value: object, spec: str = ".2f") -> str:
    """A table cell: None as a dash, numbers with ``spec`` (``d`` rounds to an integer),
    a coverage dict as ``coded/total``."""
    if value is None:
        return NONE_TEXT
    if isinstance(value, Mapping) and "coded_segments" in value:
        return coverage_text(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return f"{round(value):d}" if spec == "d" else format(value, spec)
    return str(value)


def difficulty_label(value: object) -> str:
    return DIFFICULTY_LABELS.get(str(value), str(value)) if value else NONE_TEXT


def approach_note(approach: Mapping[str, Any]) -> str | None:
    """The line over a recommended approach that follows a clinician's decision:
    ``Follows the clinician's decision: type B (the rules suggested A).``; None when the
    approach is the rules' own."""
    parts = []
    for change in approach.get("changed") or []:
        shown = type_text if change.get("what") == "type" else difficulty_label
        parts.append(
            f"{change.get('what')} {shown(change.get('decided'))} "
            f"(the rules suggested {shown(change.get('suggested'))})"
        )
    return "Follows the clinician's decision: " + "; ".join(parts) + "." if parts else None


def coverage_lines(report: Mapping[str, Any]) -> list[str]:
    """What every profile output says about coverage: the total, the rule, and each
    session below full coverage (``P01/2: 7 of 12 segments coded``)."""
    coverage = report.get("coverage") or {}
    if not coverage:
        return []
    lines = [
        f"Coverage: {coverage_text(coverage, long=True)}. Metrics are computed over coded "
        "segments only; uncoded segments are missing, not segments without a rupture."
    ]
    incomplete = coverage.get("incomplete_sessions") or []
    if incomplete:
        lines.append("Not fully coded: " + "; ".join(str(i) for i in incomplete) + ".")
    return lines


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
