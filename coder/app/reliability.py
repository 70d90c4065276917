"""Inter-rater reliability of a project's codings, in units that fit the coding design.

One query reads the codes; numpy builds a units × raters matrix per item; the pure
statistics in :mod:`coder.stats.reliability` do the rest. Units:

* presence codes and code families: segments (a rater who coded a session but not this
  code in a segment gave 0; a rater who did not code the session is missing);
* segment ratings (significance, salience): segments, ordinal;
* session ratings: sessions, ordinal; per-session marker frequencies (segments with a
  withdrawal / confrontation marker, with a resolution strategy): sessions, interval;
* span coding: Krippendorff's unitizing alpha per code over the characters of each
  transcript (sessions every rater coded, pooled end to end; gaps count), and beside it a
  descriptive share of the marked turns that every rater marked (not chance-corrected);
* stage episodes: (session, episode number), the highest stage reached, ordinal.

Comparing raters means seeing everyone's codes, so while a round is blinded only a lead
may compute it (the usual order: lock the round, check reliability, then unblind).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session as OrmSession

from coder.app import schemes as scheme_service
from coder.app.access import require_everyone_visible
from coder.app.browse import raters_codes, scheme_segments
from coder.app.identity import Coder
from coder.app.raters import check_spelling, exact_names
from coder.app.reliability_units import UnitMatrices
from coder.domain.errors import NotFoundError, ValidationError
from coder.domain.scheme import CodeFamily, Scheme, Scope
from coder.domain.selectors import parse_session_selection
from coder.stats.reliability import (
    ReliabilityReport,
    Stat,
    guarded,
    interpret,
    reliability_report,
)
from coder.stats.result import Level, defined, scales_for, undefined
from coder.stats.unitizing import unitizing_alpha
from coder.store.database import ProjectDatabase
from coder.store.models import PatientRow, SessionRow, TranscriptRow, TurnRow

FAMILIES = (CodeFamily.WITHDRAWAL, CodeFamily.CONFRONTATION, CodeFamily.RESOLUTION)


@dataclass(frozen=True)
class ReliabilityRow:
    kind: str  # code, family, rating, session rating, frequency, turn span, episode
    item: str
    label: str
    unit: str
    report: ReliabilityReport


@dataclass(frozen=True)
class ReliabilityTable:
    scheme: str
    raters: tuple[str, ...]
    sessions: int
    rows: tuple[ReliabilityRow, ...]


def compute(
    db: ProjectDatabase,
    coder: Coder | None,
    *,
    scheme_key: str | None = None,
    raters: Sequence[str] | None = None,
    round_number: int | None = None,
    sessions: Sequence[str] | None = None,
    bootstrap: int = 1000,
    seed: int | None = 2026,
) -> ReliabilityTable:
    """``sessions`` narrows the units: ``"P01"`` (all of a patient's sessions) or
    ``"P01/2"`` (one session)."""
    scheme = scheme_service.load_project_scheme(db, scheme_key)
    wanted = parse_session_selection(sessions)
    with db.reading() as session:
        _check_access(session, coder)
        check_spelling(session, raters or ())  # exact names; a near miss gets the spelling
        codes = _codes(session, scheme, raters, round_number)
        segments = _segments(session, scheme)
        lengths = _turn_lengths(session) if codes["turn"].notna().any() else {}
    if wanted is not None:  # units follow the codes, so filtering the codes is enough
        pairs = zip(codes["patient"], codes["session"], strict=True)
        codes = codes[[wanted.selects(p, n) for p, n in pairs]]
    if codes.empty:
        raise NotFoundError(
            f"no codes of scheme {scheme.id} to compare"
            + (f" in round {round_number}" if round_number else "")
        )
    names = tuple(sorted(codes["rater"].unique()))
    if raters:
        missing = sorted(set(exact_names(raters)) - set(names))
        if missing:
            raise NotFoundError(f"no codes from rater(s) {', '.join(missing)}")
    if len(names) < 2:
        raise ValidationError(f"reliability needs at least two raters; found {', '.join(names)}")
    builder = UnitMatrices(codes, segments, names)
    rows: list[ReliabilityRow] = []

    def add(kind: str, item: str, label: str, unit: str, matrix: np.ndarray, level: Level) -> None:
        if matrix.size:
            rows.append(
                ReliabilityRow(
                    kind,
                    item,
                    label,
                    unit,
                    reliability_report(matrix, level, None, bootstrap, seed),
                )
            )

    seg_codes = [c for g in scheme.groups if g.scope is Scope.SEGMENT for c in g.codes]
    for code in seg_codes:
        add("code", code.id, code.name, "segment", builder.presence({code.id}), "nominal")
    for family in FAMILIES:
        ids = {c.id for c in seg_codes if c.family is family}
        if ids:
            add(
                "family",
                f"any {family.value}",
                f"any {family.value} code",
                "segment",
                builder.presence(ids),
                "nominal",
            )
    for rating in scheme.ratings_for(Scope.SEGMENT):
        add(
            "rating",
            rating.id,
            rating.label,
            "segment",
            builder.segment_values(rating.id),
            "ordinal",
        )
    for rating in scheme.ratings_for(Scope.SESSION):
        add(
            "session rating",
            rating.id,
            rating.label,
            "session",
            builder.session_values(rating.id),
            "ordinal",
        )
    for family in FAMILIES:
        ids = {c.id for c in seg_codes if c.family is family}
        if ids:
            add(
                "frequency",
                f"{family.value} segments",
                f"segments per session with any {family.value} code",
                "session",
                builder.frequency(ids),
                "interval",
            )
    for code in seg_codes:
        if builder.has_spans({code.id}):
            rows += _span_rows(builder, code.id, code.name, lengths, bootstrap, seed)
    if scheme.pathways:
        add(
            "episode",
            "highest stage",
            "highest stage reached per episode",
            "episode",
            builder.highest_stage(scheme),
            "ordinal",
        )
    return ReliabilityTable(scheme.label, names, builder.n_sessions, tuple(rows))


def _span_rows(
    builder: UnitMatrices,
    code_id: str,
    name: str,
    lengths: dict[tuple[str, int], np.ndarray],
    bootstrap: int,
    seed: int | None,
) -> list[ReliabilityRow]:
    """uα of one code's spans, and the descriptive turn overlap beside it."""
    m = len(builder.raters)
    data = builder.span_continua(code_id, lengths)
    notes = []
    if data.sessions_left_out:
        notes.append(
            f"{data.sessions_left_out} session(s) not coded by every rater left out "
            "(unitizing needs every rater to unitize the whole transcript)"
        )
    if data.merged:
        notes.append(f"{data.merged} overlapping span(s) of one rater joined into one unit")
    if data.without_span:
        notes.append(f"{data.without_span} application(s) of the code without a text span")
    total = sum(c.length for c in data.continua)
    stat = guarded(
        lambda: unitizing_alpha(data.continua, m, bootstrap=bootstrap, seed=seed).stat,
        lambda why: undefined("u_alpha", why, total, m),
    )
    for note in notes:
        stat = stat.with_note(note)
    both, marked = builder.turn_overlap(code_id)
    overlap = (
        defined("turn_overlap", both / marked, marked, m)
        if marked
        else undefined("turn_overlap", "no turn holds a span of this code", 0, m)
    ).with_note("descriptive: not chance-corrected, no interpretation band")

    def report(key: str, s: Stat) -> ReliabilityReport:
        return ReliabilityReport("nominal", s.n_units, m, {key: s}, {}, bootstrap, seed)

    return [
        ReliabilityRow(
            "span", code_id, f"{name} (text spans)", "character", report("u_alpha", stat)
        ),
        ReliabilityRow(
            "turn overlap", code_id, f"turns marked with {name}", "turn",
            report("turn_overlap", overlap),
        ),
    ]  # fmt: skip


def _turn_lengths(session: OrmSession) -> dict[tuple[str, int], np.ndarray]:
    """Characters of every turn of every transcript, in turn order, per session: the
    continuum of unitizing (a turn's spans start at the sum of the turns before it)."""
    query = (
        select(PatientRow.code, SessionRow.number, TurnRow.index, func.length(TurnRow.text))
        .join(TranscriptRow, TurnRow.transcript_id == TranscriptRow.id)
        .join(SessionRow, TranscriptRow.session_id == SessionRow.id)
        .join(PatientRow, SessionRow.patient_id == PatientRow.id)
        .order_by(PatientRow.code, SessionRow.number, TurnRow.index)
    )
    out: dict[tuple[str, int], list[int]] = {}
    for patient, number, _index, length in session.connection().execute(query):
        out.setdefault((patient, number), []).append(int(length or 0))
    return {key: np.array(v, dtype=np.int64) for key, v in out.items()}


def _check_access(session: OrmSession, coder: Coder | None) -> None:
    require_everyone_visible(session, coder, "compare raters (--as NAME --passphrase-file FILE)")


def _codes(
    session: OrmSession, scheme: Scheme, raters: Sequence[str] | None, round_number: int | None
) -> pd.DataFrame:
    rows = raters_codes(session, scheme, raters=raters, round_number=round_number)
    return pd.DataFrame.from_records(
        rows,
        columns=[
            "patient", "session", "rater", "code", "unit", "index", "value", "turn", "start",
            "end",
        ],
    )  # fmt: skip


def _segments(session: OrmSession, scheme: Scheme) -> pd.DataFrame:
    rows = [(g.patient, g.session, g.index) for g in scheme_segments(session, scheme)]
    return pd.DataFrame(rows, columns=["patient", "session", "segment"])


# ---- presentation (CLI and UI share these) ---------------------------------------------------
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
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        [
            "kind",
            "item",
            "unit",
            "level",
            "n_units",
            "n_raters",
            "statistic",
            "value",
            "ci_low",
            "ci_high",
            "note",
        ]
    )
    for r in table.rows:
        entries = list(r.report.stats.items()) + list(r.report.icc.items())
        for name, stat in entries:
            lo, hi = stat.ci95 if stat.ci95 else ("", "")
            writer.writerow(
                [
                    r.kind,
                    r.item,
                    r.unit,
                    r.report.level,
                    r.report.n_units,
                    r.report.n_raters,
                    name,
                    "" if stat.value is None else f"{stat.value:.6g}",
                    lo if lo == "" else f"{lo:.6g}",
                    hi if hi == "" else f"{hi:.6g}",
                    stat.note or "",
                ]
            )
    return buffer.getvalue()


def run_cli(
    project: Path | None,
    db_url: str | None,
    scheme: str | None,
    raters: tuple[str, ...] | None,
    round_number: int | None,
    fmt: str,
    bootstrap: int,
    seed: int | None,
    coder_name: str | None = None,
    passphrase: str | None = None,
    sessions: Sequence[str] | None = None,
) -> str:
    """What ``coder irr --project ...`` prints."""
    from coder.app import identity, projects

    db = projects.open_project(project, db_url)
    try:
        coder = identity.sign_in(db, coder_name, passphrase) if coder_name else None
        table = compute(
            db,
            coder,
            scheme_key=scheme,
            raters=raters,
            round_number=round_number,
            sessions=sessions,
            bootstrap=bootstrap,
            seed=seed,
        )
    finally:
        db.close()
    if fmt == "json":
        return json.dumps(
            {
                "scheme": table.scheme,
                "raters": list(table.raters),
                "sessions": table.sessions,
                "rows": as_rows(table),
            },
            indent=2,
        )
    if fmt == "csv":
        return as_csv(table)
    return as_text(table)
