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

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy.orm import Session as OrmSession

from coder.app import schemes as scheme_service
from coder.app.access import require_everyone_visible
from coder.app.identity import ActingRater
from coder.app.raters import check_spelling, exact_names
from coder.app.reliability_read import TurnLengths, read_codes, read_segments, read_turn_lengths
from coder.app.reliability_spans import SpanContinua, span_sessions
from coder.app.reliability_units import UnitMatrices
from coder.domain.errors import NotFoundError, ValidationError
from coder.domain.scheme import CodeFamily, Scope
from coder.domain.selectors import parse_session_selection
from coder.stats.reliability import (
    ReliabilityReport,
    Stat,
    guarded,
    reliability_report,
)
from coder.stats.result import Level, defined, undefined
from coder.stats.unitizing import unitizing_alpha
from coder.store.database import ProjectDatabase

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
    coder: ActingRater | None,
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
        codes = read_codes(session, scheme, raters, round_number)
        if wanted is not None:  # units follow the codes, so filtering the codes is enough
            chosen = {i for i, (p, n) in codes.session_keys.items() if wanted.selects(p, n)}
            codes = codes.take(np.isin(codes.session, list(chosen)))
        if not len(codes):
            raise NotFoundError(
                f"no codes of scheme {scheme.id} to compare"
                + (f" in round {round_number}" if round_number else "")
            )
        names = tuple(sorted(codes.rater_names[i] for i in codes.ids_present(codes.rater)))
        if raters:
            missing = sorted(set(exact_names(raters)) - set(names))
            if missing:
                raise NotFoundError(f"no codes from rater(s) {', '.join(missing)}")
        if len(names) < 2:
            raise ValidationError(
                f"reliability needs at least two raters; found {', '.join(names)}"
            )
        builder = UnitMatrices(codes, read_segments(session, scheme), names)
        with_spans, without_spans = span_sessions(builder)
        turns = (
            read_turn_lengths(session, with_spans, without_spans)
            if builder.has_turn.any()
            else TurnLengths({}, {})
        )
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
    spans = SpanContinua(builder, turns)
    for code in seg_codes:
        if builder.has_spans({code.id}):
            rows += _span_rows(builder, spans, code.id, code.name, bootstrap, seed)
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
    spans: SpanContinua,
    code_id: str,
    name: str,
    bootstrap: int,
    seed: int | None,
) -> list[ReliabilityRow]:
    """uα of one code's spans, and the descriptive turn overlap beside it."""
    m = len(builder.raters)
    data = spans.of(code_id)
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
    total = data.continua.length
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


def _check_access(session: OrmSession, coder: ActingRater | None) -> None:
    require_everyone_visible(session, coder, "compare raters (--as NAME --passphrase-file FILE)")
