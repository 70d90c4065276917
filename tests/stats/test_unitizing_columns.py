"""uα from columns (``Continua``, what the project table passes) is the same, to the last
bit, as from ``Continuum`` objects; the observed disagreement over overlapping sections
only equals the sum over every pair of sections; malformed columns are refused with the
message the objects get."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_unitizing import continua

from coder.stats import unitizing
from coder.stats.unitizing import Continua, Continuum, unitizing_alpha


def all_pairs_observed(sections: tuple[np.ndarray, ...], n: int) -> np.ndarray:
    """The first form of ``_observed``: every ordered pair of sections of two different
    raters in a continuum, in (section, partner) order, zeros included."""
    sess, rater, b, n_len, w = sections
    b, length = b.astype(float), n_len.astype(float)
    total = np.zeros(n)
    for g in range(len(sess)):
        for h in range(len(sess)):
            if sess[g] != sess[h] or rater[g] == rater[h]:
                continue
            d, li, lj = b[g] - b[h], length[g], length[h]
            value = d**2 + (d + li - lj) ** 2 if w[g] and w[h] and -li < d < lj else 0.0
            value += li**2 if w[g] and not w[h] and 0 <= d <= lj - li else 0.0
            value += lj**2 if w[h] and not w[g] and 0 <= -d <= li - lj else 0.0
            total[sess[g]] += value
    return total


def shuffled(data: Continua, seed: int) -> Continua:
    order = np.random.default_rng(seed).permutation(len(data.unit_begin))
    return Continua(
        data.begins, data.ends, data.unit_continuum[order], data.unit_rater[order],
        data.unit_begin[order], data.unit_length[order],
    )  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(continua(), st.integers(0, 1000))
def test_columns_give_the_objects_result_exactly(
    case: tuple[list[Continuum], int], seed: int
) -> None:
    conts, m = case
    columns = shuffled(Continua.of(conts), seed)  # any order of the units
    a = unitizing_alpha(conts, m, bootstrap=20, seed=seed)
    b = unitizing_alpha(columns, m, bootstrap=20, seed=seed)
    assert (a.stat, a.d_o, a.d_e, a.n_marked, a.raters_marking) == (
        b.stat, b.d_o, b.d_e, b.n_marked, b.raters_marking,
    )  # fmt: skip
    assert [(c.begin, c.end, sorted(c.units)) for c in columns.as_list()] == [
        (c.begin, c.end, sorted(c.units)) for c in conts
    ]


@settings(max_examples=200, deadline=None)
@given(continua())
def test_overlapping_pairs_sum_to_every_pair_bit_for_bit(
    case: tuple[list[Continuum], int],
) -> None:
    conts, m = case
    sections = unitizing._sections(Continua.of(conts), m)
    fast = unitizing._observed(sections, len(conts), m)
    assert fast.tolist() == all_pairs_observed(sections, len(conts)).tolist()


@pytest.mark.parametrize(
    ("units", "message"),
    [
        (((0, 2, 3), (0, 4, 2)), "rater 0's units overlap at 4"),
        (((0, 8, 5),), "lies outside the continuum"),
        (((1, 2, 0),), "has length 0"),
        (((2, 1, 1),), "rater 2 is not among 0..1"),
    ],
)
def test_malformed_columns_get_the_objects_message(
    units: tuple[tuple[int, int, int], ...], message: str
) -> None:
    conts = [Continuum(0, 5), Continuum(0, 10, units)]
    for data in (conts, Continua.of(conts)):
        with pytest.raises(ValueError, match=message):
            unitizing_alpha(data, 2)
    with pytest.raises(ValueError, match="reversed"):
        unitizing_alpha(Continua.of([Continuum(4, 2)]), 2)


def test_no_continua_and_no_units() -> None:
    empty = unitizing_alpha(Continua.of([]), 2)
    assert empty.stat.value is None and "empty" in (empty.stat.note or "")
    bare = unitizing_alpha(Continua.of([Continuum(0, 10), Continuum(0, 4)]), 2)
    assert bare.stat.value is None and bare.stat.n_units == 14 and bare.n_marked == 0
