"""Krippendorff's unitizing alpha (uα): agreement on where units lie on a continuum.

Reference: Krippendorff, K. (1995). On the reliability of unitizing contiguous data.
*Sociological Methodology* 25, 47-76; the computational form of Krippendorff (2004),
*Content Analysis*, 2nd ed., pp. 251-256 (worked example p. 254), which corrects the
expected disagreement of 1995. DKPro Statistics' ``KrippendorffAlphaUnitizingAgreement``
(Meyer et al. 2014, Java) implements the same equations and transcribes the published
examples; our tests reproduce its expected values (tests/stats/test_unitizing.py).

Why hand-written: no maintained Python package implements uα (the ``krippendorff``
package computes the coding alpha only; DKPro is Java). The equations are short, and a
numpy form lets the bootstrap over continua below reuse one precomputed set of terms.

For one category c, m raters and a continuum of length L, every rater cuts the continuum
into *sections*: their units of c and the gaps between them (everything that is not a
c-unit, including units of other categories, is a gap: **gaps count**). With b, l the
begin and length of a section and w = 1 for a unit, 0 for a gap, the distance between
rater i's section g and rater j's section h is

* (b_g - b_h)^2 + (b_g + l_g - b_h - l_h)^2   both units, and they overlap;
* l_g^2                                          g a unit lying wholly inside gap h;
* l_h^2                                          h a unit lying wholly inside gap g;
* 0                                              otherwise.

D_o = sum over ordered rater pairs i != j and their sections of that distance / (m(m-1)L^2).

D_e = (2/L) * sum over all N units u of c (all raters) of
[(N - 1)(2l^3 - 3l^2 + l)/3 + l^2 * sum over all gaps h (all raters) with l_h >= l of
(l_h - l + 1)] / (mL(mL - 1) - sum over units of l(l - 1)),  and  uα = 1 - D_o/D_e.

Several continua (sessions) are **pooled as one continuum made of them placed end to
end** (Krippendorff 1995, 2004: the continuum may consist of several texts): L is their
total length, D_o sums over all of them, and D_e pairs every unit with every gap of every
session. A section never crosses a session boundary (a gap ends where its session
ends), because no unit can be placed across two transcripts.

Bootstrap: the resampled units are the *continua* (sessions), with replacement; every
term above is a sum or a bilinear form over sessions, so (as in
:mod:`coder.stats.bootstrap`) the resamples are multinomial counts and all of them are
evaluated at once. Characters of one session are not independent, sessions are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from coder.stats.bootstrap import Seed, percentile_interval
from coder.stats.result import Stat, undefined
from coder.stats.units import FloatArray

METHOD = "u_alpha"


@dataclass(frozen=True, slots=True)
class Continuum:
    """One continuum ``[begin, end)`` with the units of *one* category marked on it.

    ``units`` holds ``(rater, begin, length)``: rater is a column index ``0..m-1``; a unit
    covers ``begin .. begin+length-1``. One rater's units may touch but not overlap
    (the method compares each rater's partition of the continuum into units and gaps).
    """

    begin: int
    end: int
    units: tuple[tuple[int, int, int], ...] = ()

    @property
    def length(self) -> int:
        return self.end - self.begin


@dataclass(frozen=True)
class Continua:
    """Many continua and their units as columns (int64 arrays): the form a project's table
    passes. Why: a :class:`Continuum` object per session and a tuple per unit, checked and
    unpacked in Python, cost about a second per code over the 4,000 sessions of a lab
    project; these columns go straight into the array computation below.

    ``unit_continuum`` indexes ``begins``/``ends``; the other unit columns are as in
    :class:`Continuum` (rater, begin, length).
    """

    begins: np.ndarray
    ends: np.ndarray
    unit_continuum: np.ndarray
    unit_rater: np.ndarray
    unit_begin: np.ndarray
    unit_length: np.ndarray

    @classmethod
    def of(cls, continua: Sequence[Continuum]) -> Continua:
        raw = [(s, r, b, n) for s, cont in enumerate(continua) for r, b, n in cont.units]
        u = np.array(raw, dtype=np.int64).reshape(-1, 4)
        return cls(
            np.array([c.begin for c in continua], dtype=np.int64).reshape(-1),
            np.array([c.end for c in continua], dtype=np.int64).reshape(-1),
            u[:, 0], u[:, 1], u[:, 2], u[:, 3],
        )  # fmt: skip

    def as_list(self) -> list[Continuum]:
        """One :class:`Continuum` per continuum, units in column order."""
        units: list[list[tuple[int, int, int]]] = [[] for _ in range(len(self))]
        for s, r, b, n in zip(
            self.unit_continuum.tolist(), self.unit_rater.tolist(),
            self.unit_begin.tolist(), self.unit_length.tolist(), strict=True,
        ):  # fmt: skip
            units[s].append((r, b, n))
        return [
            Continuum(b, e, tuple(u))
            for b, e, u in zip(self.begins.tolist(), self.ends.tolist(), units, strict=True)
        ]

    def __len__(self) -> int:
        return len(self.begins)

    @property
    def length(self) -> int:
        """Characters of all continua together (L of the pooled continuum)."""
        return int((self.ends - self.begins).sum())


@dataclass(frozen=True)
class UnitizingAlpha:
    """uα of one category: the value (a :class:`Stat`, ``method="u_alpha"``, ``n_units``
    = characters of the pooled continuum), the disagreements behind it, and counts."""

    stat: Stat
    d_o: float | None
    d_e: float | None
    n_continua: int
    n_marked: int  # units of the category, all raters
    raters_marking: int  # raters with at least one unit of the category

    def as_dict(self) -> dict[str, Any]:
        """``{"value", "d_o", "d_e", "note"}`` (``coder irr --spans --json``)."""
        return {
            "value": self.stat.value,
            "d_o": self.d_o,
            "d_e": self.d_e,
            "note": self.stat.note,
        }


def check_continuum(continuum: Continuum, n_raters: int) -> None:
    """ValueError unless every unit has length >= 1, lies on the continuum, belongs to a
    rater ``0..n_raters-1`` and does not overlap another unit of the same rater."""
    if continuum.end < continuum.begin:
        raise ValueError(f"continuum {continuum.begin}..{continuum.end} is reversed")
    last_end: dict[int, int] = {}
    for rater, begin, length in sorted(continuum.units, key=lambda u: (u[0], u[1])):
        if not 0 <= rater < n_raters:
            raise ValueError(f"rater {rater} is not among 0..{n_raters - 1}")
        if length < 1:
            raise ValueError(f"unit at {begin} has length {length} (must be 1 or more)")
        if begin < continuum.begin or begin + length > continuum.end:
            raise ValueError(
                f"unit {begin}..{begin + length} lies outside the continuum "
                f"{continuum.begin}..{continuum.end}"
            )
        if begin < last_end.get(rater, continuum.begin):
            raise ValueError(f"rater {rater}'s units overlap at {begin}")
        last_end[rater] = begin + length


def check_continua(data: Continua, n_raters: int) -> None:
    """:func:`check_continuum` for every continuum of ``data``, as array tests; only when
    one fails are the continua checked one by one, for the same message."""
    cont, rater, begin, length = (
        data.unit_continuum,
        data.unit_rater,
        data.unit_begin,
        data.unit_length,
    )
    order = np.lexsort((begin, rater, cont))
    c, r, b = cont[order], rater[order], begin[order]
    same = (c[1:] == c[:-1]) & (r[1:] == r[:-1])
    fine = (
        bool((data.ends >= data.begins).all())
        and bool(((rater >= 0) & (rater < n_raters) & (length >= 1)).all())
        and bool(((begin >= data.begins[cont]) & (begin + length <= data.ends[cont])).all())
        and not bool((same & (b[1:] < (b + length[order])[:-1])).any())
    )
    if not fine:
        for continuum in data.as_list():
            check_continuum(continuum, n_raters)
        raise ValueError("malformed units")  # not reached: the loop names the problem


def _sections(continua: Continua, m: int) -> tuple[np.ndarray, ...]:
    """Every rater's partition of every continuum into units and the gaps around them, as
    columns ``(continuum, rater, begin, length, is_unit)`` ordered by continuum.

    Built with array operations over all continua at once: a loop per continuum and
    rater cost seconds per code over the 4,000 sessions of a lab project."""
    u = np.stack(
        [continua.unit_continuum, continua.unit_rater, continua.unit_begin,
         continua.unit_length], axis=1,
    ).astype(np.int64).reshape(-1, 4)  # fmt: skip
    u = u[np.lexsort((u[:, 2], u[:, 1], u[:, 0]))]
    sess, rater, b, n = u[:, 0], u[:, 1], u[:, 2], u[:, 3]
    begins, ends = continua.begins, continua.ends
    group = sess * m + rater
    first = np.ones(len(u), bool)
    first[1:] = group[1:] != group[:-1]
    last = np.ones(len(u), bool)
    last[:-1] = first[1:]
    prev_end = np.where(first, begins[sess], np.roll(b + n, 1))
    before = b > prev_end  # a gap between the previous unit (or the start) and this one
    after = last & (b + n < ends[sess])  # a gap from the last unit to the end
    empty = np.setdiff1d(np.arange(len(continua) * m), group)  # raters without units
    empty = empty[ends[empty // m] > begins[empty // m]]
    parts = [
        (sess, rater, b, n, np.ones(len(u), bool)),
        (sess[before], rater[before], prev_end[before], (b - prev_end)[before], None),
        (sess[after], rater[after], (b + n)[after], (ends[sess] - b - n)[after], None),
        (empty // m, empty % m, begins[empty // m], (ends - begins)[empty // m], None),
    ]
    columns = [np.concatenate([p[k] for p in parts]) for k in range(4)]
    is_unit = np.concatenate([p[4] if p[4] is not None else np.zeros(len(p[0]), bool)
                              for p in parts])  # fmt: skip
    order = np.argsort(columns[0], kind="stable")
    return (*(c[order] for c in columns), is_unit[order])


def _observed(sections: tuple[np.ndarray, ...], n: int, m: int) -> FloatArray:
    """Per continuum: the unitizing distance summed over every ordered pair of sections
    of two different raters (the numerator of D_o).

    Only pairs that overlap are formed: every case of the distance needs the two sections
    to share a character, and each rater's sections partition the continuum, so a
    section meets a contiguous run of each other rater's sections (two binary searches).
    Forming every pair of a continuum's sections, the first form, was most of uα's time
    at lab scale. The pairs are summed in the same order as all pairs would be (by
    section, then partner), the left-out pairs adding exactly 0, so the sum is the same
    to the last bit."""
    sess, rater, b, n_len, w = sections
    if not len(sess):
        return np.zeros(n)
    low = int(b.min())
    width = int((b + n_len).max()) - low + 1
    key_begin = (sess * m + rater) * width + (b - low)
    order = np.argsort(key_begin, kind="stable")
    sorted_begin = key_begin[order]
    sorted_end = sorted_begin + n_len[order]  # sorted too: each rater's sections tile
    own = np.arange(len(sess))
    firsts, partners = [], []
    for shift in range(1, m):
        other = (sess * m + (rater + shift) % m) * width
        lo = np.searchsorted(sorted_end, other + (b - low), side="right")
        hi = np.searchsorted(sorted_begin, other + (b + n_len - low), side="left")
        count = np.maximum(hi - lo, 0)
        firsts.append(np.repeat(own, count))
        step = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
        partners.append(order[np.repeat(lo, count) + step])
    g, h = np.concatenate(firsts), np.concatenate(partners)
    pair_order = np.argsort(g * len(sess) + h)  # by section, then partner (keys unique)
    g, h = g[pair_order], h[pair_order]
    b, length = b.astype(float), n_len.astype(float)
    d = b[g] - b[h]
    li, lj, wi, wj = length[g], length[h], w[g], w[h]
    both = wi & wj  # two units that overlap: every pair here overlaps
    i_in_gap = wi & ~wj & (d >= 0) & (lj - li >= d)
    j_in_gap = ~wi & wj & (d <= 0) & (li - lj >= -d)
    total = np.where(both, d**2 + (d + li - lj) ** 2, 0.0)
    total += np.where(i_in_gap, li**2, 0.0) + np.where(j_in_gap, lj**2, 0.0)
    return np.bincount(sess[g], weights=total, minlength=n).astype(float)


@dataclass(frozen=True)
class _Terms:
    """Per-continuum sums from which D_o and D_e (and every bootstrap resample) follow."""

    length: FloatArray  # L_s
    observed: FloatArray  # sum of distances over ordered rater pairs
    n_units: FloatArray  # N_s
    cubic: FloatArray  # sum of (2l^3 - 3l^2 + l)/3
    squares: FloatArray  # sum of l(l - 1)
    unit_length: FloatArray  # every unit of every continuum (all raters)
    unit_continuum: np.ndarray  # ... and the continuum it lies in
    gap_length: FloatArray  # every gap of every continuum, sorted by length
    gap_continuum: np.ndarray  # ... and the continuum it lies in
    gap_first: np.ndarray  # per unit: index of the first gap at least as long


def _terms(continua: Continua, m: int) -> _Terms:
    n = len(continua)
    parts = _sections(continua, m)
    sess, _, _, lengths, is_unit = parts
    lengths = lengths.astype(float)
    unit_length, unit_continuum = lengths[is_unit], sess[is_unit]
    order = np.argsort(lengths[~is_unit], kind="stable")
    gap_length, gap_continuum = lengths[~is_unit][order], sess[~is_unit][order]
    ul = unit_length
    return _Terms(
        length=(continua.ends - continua.begins).astype(float),
        observed=_observed(parts, n, m),
        n_units=np.bincount(unit_continuum, minlength=n).astype(float),
        cubic=np.bincount(unit_continuum, (2 * ul**3 - 3 * ul**2 + ul) / 3, n).astype(float),
        squares=np.bincount(unit_continuum, ul * (ul - 1), n).astype(float),
        unit_length=unit_length,
        unit_continuum=unit_continuum,
        gap_length=gap_length,
        gap_continuum=gap_continuum,
        gap_first=np.searchsorted(gap_length, unit_length, side="left"),  # gaps >= l
    )


def _fits(terms: _Terms, w: FloatArray, chunk: int = 64) -> FloatArray:
    """Per row of session weights ``w``: the sum over every unit u and every gap h at
    least as long (any continuum, both weighted by their continuum's weight) of
    l_u^2 (l_h - l_u + 1), the pairing term of D_e.

    One sweep over the gaps sorted by length: suffix sums of the weighted gap lengths and
    weights give each unit's sum in one look-up, O(units + gaps) per row. (A continuum ×
    continuum table of these sums, the first form, cost a Python loop over every pair of
    sessions: hours for the 4,000 sessions of a lab project.)"""
    out = np.zeros(len(w))
    if not len(terms.unit_length) or not len(terms.gap_length):
        return out
    lu = terms.unit_length
    for start in range(0, len(w), chunk):
        rows = w[start : start + chunk]
        gap_w = rows[:, terms.gap_continuum]
        zero = np.zeros((len(rows), 1))
        s0 = np.concatenate([np.cumsum(gap_w[:, ::-1], axis=1)[:, ::-1], zero], axis=1)
        s1 = gap_w * terms.gap_length
        s1 = np.concatenate([np.cumsum(s1[:, ::-1], axis=1)[:, ::-1], zero], axis=1)
        first = terms.gap_first
        inner = s1[:, first] - (lu - 1) * s0[:, first]
        out[start : start + chunk] = (rows[:, terms.unit_continuum] * lu**2 * inner).sum(axis=1)
    return out


def _disagreements(terms: _Terms, w: FloatArray, m: int) -> tuple[FloatArray, FloatArray]:
    """D_o and D_e for each row of session weights ``w`` (resamples x sessions)."""
    big_l = w @ terms.length
    n_units = w @ terms.n_units
    fits = _fits(terms, w)
    with np.errstate(divide="ignore", invalid="ignore"):
        d_o = (w @ terms.observed) / (m * (m - 1) * big_l**2)
        numerator = (2.0 / big_l) * ((n_units - 1) * (w @ terms.cubic) + fits)
        d_e = numerator / (m * big_l * (m * big_l - 1) - w @ terms.squares)
    return d_o, d_e


def unitizing_alpha(
    continua: Sequence[Continuum] | Continua,
    n_raters: int,
    *,
    bootstrap: int = 0,
    seed: Seed = 2026,
) -> UnitizingAlpha:
    """uα of one category over ``continua`` (pooled end to end; see the module docstring),
    with a percentile bootstrap 95% CI over continua when ``bootstrap`` > 0 and there are
    at least two continua.

    Undefined (value None, a note says why) with fewer than two raters, an empty
    continuum, no unit of the category, or no expected disagreement. A category only one
    rater used is defined (usually <= 0) and says so. ValueError on malformed units
    (:func:`check_continuum`).
    """
    m = int(n_raters)
    if isinstance(continua, Continua):
        check_continua(continua, m)
    else:
        for cont in continua:
            check_continuum(cont, m)
        continua = Continua.of(continua)
    total = continua.length
    marked = len(continua.unit_begin)
    marking = len(np.unique(continua.unit_rater))

    def result(
        value: float | None, note: str | None, d_o: float | None, d_e: float | None
    ) -> UnitizingAlpha:
        stat = (
            undefined(METHOD, note or "undefined", total, m)
            if value is None
            else Stat(value, None, note, total, m, METHOD)
        )
        return UnitizingAlpha(stat, d_o, d_e, len(continua), marked, marking)

    if m < 2:
        return result(None, f"needs at least two raters (found {m})", None, None)
    if total <= 0:
        return result(None, "the continuum is empty (length 0)", None, None)
    terms = _terms(continua, m)
    ones = np.ones((1, len(continua)))
    d_o_arr, d_e_arr = _disagreements(terms, ones, m)
    d_o, d_e = float(d_o_arr[0]), float(d_e_arr[0])
    if marked == 0:
        why = "no rater marked a unit of this category: there is nothing to agree on"
        return result(None, why, d_o, d_e)
    if not (np.isfinite(d_e) and d_e > 0):
        why = "no expected disagreement (D_e = 0): the units leave no room to differ"
        return result(None, why, d_o, d_e if np.isfinite(d_e) else None)
    value = 0.0 if d_o == d_e else 1.0 - d_o / d_e
    notes = []
    if marking < m:
        notes.append(
            f"only {marking} of {m} raters marked units of this category "
            "(the others' continuum is all gap)"
        )
    out = result(value, "; ".join(notes) or None, d_o, d_e)
    if bootstrap <= 0:
        return out
    if len(continua) < 2:
        note = "no bootstrap CI: one continuum (the CI resamples sessions)"
        return UnitizingAlpha(out.stat.with_note(note), d_o, d_e, out.n_continua, marked, marking)
    rng = np.random.default_rng(seed)
    n = len(continua)
    w = rng.multinomial(n, np.full(n, 1.0 / n), size=bootstrap).astype(np.float64)
    bo, be = _disagreements(terms, w, m)
    with np.errstate(divide="ignore", invalid="ignore"):
        values = np.where(be > 0, 1.0 - bo / be, np.nan)
    boot = percentile_interval(values, bootstrap)
    stat = Stat(out.stat.value, boot.ci95, out.stat.note, total, m, METHOD)
    stat = stat.with_note(boot.note)
    return UnitizingAlpha(stat, d_o, d_e, out.n_continua, marked, marking)
