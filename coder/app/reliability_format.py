"""How a reliability table is shown: titles, method notes, the text table, JSON rows and
the CSV of every ``coder irr`` form and of the window's *Export CSV…*.

Kept apart from :mod:`coder.app.reliability`, which reads the codes and computes, so the
window, the Word report and the command line format the same numbers the same way. Every
CSV of reliability figures writes its numbers with :func:`csv_number`: one precision
(``CSV_SIGNIFICANT`` significant digits) whichever form produced them. (It lives in
``app`` because both the UI and the commands use it and it needs the statistics' bands;
``io`` may not import ``stats``.)
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from coder.app.reliability import ReliabilityRow, ReliabilityTable
from coder.stats.reliability import TITLES, ReliabilityReport, Stat, interpret
from coder.stats.result import scales_for

if TYPE_CHECKING:
    from coder.stats.unitizing import UnitizingAlpha

CSV_SIGNIFICANT = 6
"""Significant digits of every number in a reliability CSV: more than any statistic's
precision warrants, and the same in every form (they once differed: 6 and 17)."""


def csv_number(value: float | None) -> str:
    """A statistic as a CSV cell: ``CSV_SIGNIFICANT`` significant digits, empty if undefined."""
    return "" if value is None else f"{value:.{CSV_SIGNIFICANT}g}"


HEADLINE_TITLES: dict[str, str] = {
    "percent_agreement": "% agreement",
    "cohen_kappa": "Cohen's κ",
    "fleiss_kappa": "Fleiss' κ",
    "krippendorff_alpha": "Krippendorff's α",
    "gwet_ac1": "Gwet's AC1",
    "pabak": "PABAK",
    "weighted_kappa_quadratic": "κw (quadratic)",
    "ICC2": "ICC(2,1)",
    "u_alpha": "uα (unitizing)",
    "turn_overlap": "turns marked by all",
}
"""Short column titles of the headline statistics, in display order (window and report)."""

KINDS: dict[str, tuple[str, str]] = {
    "code": (
        "Presence codes",
        "segments; 1 when the rater applied the code in the segment, 0 when the rater coded "
        "the session but not this code there (nominal)",
    ),
    "family": (
        "Code families",
        "segments; present when the rater applied any code of the family in the segment (nominal)",
    ),
    "rating": ("Segment ratings", "segments; the rating given to the segment (ordinal)"),
    "session rating": ("Session ratings", "sessions; the rating given to the session (ordinal)"),
    "frequency": (
        "Marker frequencies",
        "sessions; the number of segments with any code of the family (interval)",
    ),
    "span": (
        "Text spans (unitizing)",
        "characters of each transcript (its turns end to end), sessions every rater coded "
        "pooled end to end; a rater's spans of the code are units, every other character a "
        "gap, and gaps count (Krippendorff's unitizing α)",
    ),
    "turn overlap": (
        "Turns marked by all raters (descriptive)",
        "turns that at least one rater marked with a span of the code, in sessions every "
        "rater coded; the share that every rater marked (not chance-corrected, no band)",
    ),
    "episode": (
        "Stage episodes",
        "episodes (session, episode number); the highest stage reached (ordinal)",
    ),
}
"""Row kind → (section title, what its unit is), in the order :func:`compute` emits them."""


MISSING: dict[str, str] = {
    "code": "a rater who did not code the session is missing for its segments (not 0), "
    "because counting them as absent would inflate agreement",
    "family": "as for presence codes: a session the rater did not code is missing",
    "rating": "a segment without the rating (or rated N/A) is missing; κ and ICC drop it, "
    "α leaves it unpaired",
    "session rating": "a session without the rating is missing",
    "frequency": "a session the rater did not code is missing, not a count of 0",
    "span": "a session not coded by every rater is left out, because the method needs "
    "every rater to unitize the whole transcript; inside a coded session unmarked text is "
    "a gap (an agreement that nothing is there), not missing",
    "turn overlap": "sessions not coded by every rater are left out; turns nobody marked "
    "are not counted, which is why this share is descriptive only",
    "episode": "an episode a rater did not mark is missing for that rater",
}
"""Row kind → what counts as missing, and why (part of every row's method note)."""


def method_note(row: ReliabilityRow) -> str:
    """What a row's statistics are over (its units), what counts as missing and why."""
    _title, unit = KINDS.get(row.kind, (row.kind, row.unit))
    missing = MISSING.get(row.kind)
    return f"Units: {unit}." + (f" Missing: {missing}." if missing else "")


def headline(row: ReliabilityRow) -> list[tuple[str, Stat]]:
    """The statistics a lab reports for this kind of unit, in display order."""
    stats = row.report.stats
    if row.kind in ("span", "turn overlap"):
        return list(stats.items())
    keys = [
        "percent_agreement",
        "cohen_kappa" if row.report.n_raters == 2 else "fleiss_kappa",
        "krippendorff_alpha",
    ]
    keys += ["gwet_ac1", "pabak"] if row.report.level == "nominal" else ["weighted_kappa_quadratic"]
    chosen = [(k, stats[k]) for k in keys if k in stats]
    if row.report.level != "nominal":
        chosen.append(("ICC2", row.report.icc["ICC2"]))
    return chosen


def band_statistic(row: ReliabilityRow) -> tuple[str, Stat]:
    """The statistic whose interpretation band a row shows: ICC(2,1) for ratings and
    frequencies (Koo & Li 2016, as 3RS papers report), kappa for presence codes, uα for
    text spans; the descriptive turn overlap is the row's statistic but has no band."""
    if row.kind in ("span", "turn overlap"):
        return next(iter(row.report.stats.items()))
    if row.report.level != "nominal":
        return "ICC2", row.report.icc["ICC2"]
    key = "cohen_kappa" if row.report.n_raters == 2 else "fleiss_kappa"
    return key, row.report.stats[key]


def _cell(stat: Stat) -> str:
    if stat.value is None:
        return "—"
    ci = f" [{stat.ci95[0]:.2f}, {stat.ci95[1]:.2f}]" if stat.ci95 else ""
    return f"{stat.value:.2f}{ci}"


def as_text(table: ReliabilityTable) -> str:
    out = [
        f"Reliability — {table.scheme} — raters: {', '.join(table.raters)} — "
        f"{table.sessions} sessions"
    ]
    for row in table.rows:
        cells = "  ".join(f"{name}={_cell(stat)}" for name, stat in headline(row))
        band = ""
        name, main = band_statistic(row)
        if main.value is not None and scales_for(name):
            label, source = interpret(name, main.value)
            band = f"  ({label}, {source})"
        out.append(f"{row.kind:<15}{row.item:<26}n={row.report.n_units:<6} {cells}{band}")
    return "\n".join(out)


def as_rows(table: ReliabilityTable) -> list[dict[str, object]]:
    return [
        {
            "kind": r.kind,
            "item": r.item,
            "label": r.label,
            "unit": r.unit,
            "method": method_note(r),
            "level": r.report.level,
            **r.report.as_dict(),
        }
        for r in table.rows
    ]


def as_csv(table: ReliabilityTable) -> str:
    """``coder irr --project ... --format csv`` and the window's *Export CSV…*: one row per
    statistic of every row, all six ICC forms included."""

    def lines(r: ReliabilityRow) -> Iterable[list[object]]:
        for name, stat in list(r.report.stats.items()) + list(r.report.icc.items()):
            yield [
                r.kind,
                r.item,
                r.unit,
                r.report.level,
                r.report.n_units,
                r.report.n_raters,
                name,
                csv_number(stat.value),
                csv_number(stat.ci95[0] if stat.ci95 else None),
                csv_number(stat.ci95[1] if stat.ci95 else None),
                stat.note or "",
            ]

    header = ["kind", "item", "unit", "level", "n_units", "n_raters", "statistic", "value"]
    header += ["ci_low", "ci_high", "note"]
    return _csv(header, (line for r in table.rows for line in lines(r)))


def as_json(table: ReliabilityTable) -> str:
    """``coder irr --project ... --json``: the table's header and :func:`as_rows`."""
    return json.dumps(
        {
            "scheme": table.scheme,
            "raters": list(table.raters),
            "sessions": table.sessions,
            "rows": as_rows(table),
        },
        indent=2,
    )


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def report_lines(report: ReliabilityReport) -> list[tuple[str, str, Stat]]:
    """(key, title, stat) for every statistic of a report, the ICC forms last."""
    rows = []
    for key, stat in report.stats.items():
        title = TITLES[key] + (f" ({report.level})" if key == "krippendorff_alpha" else "")
        rows.append((key, title, stat))
    rows += [(form, TITLES[form], stat) for form, stat in report.icc.items()]
    return rows


def report_csv(report: ReliabilityReport) -> str:
    """``coder irr --ratings FILE --format csv``: one row per statistic."""

    def row(key: str, stat: Stat) -> list[object]:
        label, source = interpret(key, stat.value)
        return [
            key,
            csv_number(stat.value),
            csv_number(stat.ci95[0] if stat.ci95 else None),
            csv_number(stat.ci95[1] if stat.ci95 else None),
            stat.n_units,
            stat.n_raters,
            label if stat.value is not None else "",
            source,
            stat.note or "",
        ]

    header = ["statistic", "value", "ci_low", "ci_high", "n_units", "n_raters", "band"]
    header += ["source", "note"]
    return _csv(header, (row(key, stat) for key, _title, stat in report_lines(report)))


def spans_csv(results: dict[str, UnitizingAlpha]) -> str:
    """``coder irr --spans FILE --format csv``: one row per category."""

    def row(category: str, r: UnitizingAlpha) -> list[object]:
        label, source = interpret("u_alpha", r.stat.value)
        return [
            category,
            *(csv_number(v) for v in (r.stat.value, r.d_o, r.d_e)),
            r.n_marked,
            label if r.stat.value is not None else "",
            source,
            r.stat.note or "",
        ]

    return _csv(
        ["category", "u_alpha", "d_o", "d_e", "units", "band", "source", "note"],
        (row(category, r) for category, r in results.items()),
    )
