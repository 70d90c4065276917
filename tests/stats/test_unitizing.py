"""Krippendorff's unitizing alpha: published examples, a brute-force transcription of the
definition on random continua, the session bootstrap, and the undefined cases."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coder.stats.result import interpret
from coder.stats.unitizing import Continuum, UnitizingAlpha, unitizing_alpha

Units = list[tuple[int, int, int, str]]  # (begin, length, rater, category), DKPro's order


def by_category(n_raters: int, begin: int, end: int, units: Units) -> dict[str, UnitizingAlpha]:
    cats = dict.fromkeys(c for *_, c in units)
    return {
        c: unitizing_alpha(
            [Continuum(begin, end, tuple((r, b, n) for b, n, r, cc in units if cc == c))],
            n_raters,
        )
        for c in cats
    }


# ---- published examples -------------------------------------------------------------------
KRIPPENDORFF_2004: Units = [
    (225, 70, 0, "c"), (370, 30, 0, "c"), (220, 80, 1, "c"), (355, 20, 1, "c"),
    (400, 20, 1, "c"), (180, 60, 0, "k"), (300, 50, 0, "k"), (180, 60, 1, "k"),
    (300, 50, 1, "k"),
]  # fmt: skip


def test_krippendorff_2004_worked_example() -> None:
    """Krippendorff (2004), *Content Analysis* 2nd ed., the unitizing example of p. 254:
    two observers, continuum 150..450, categories c and k. Printed (and asserted by DKPro
    Statistics, ``org.dkpro.statistics.agreement.unitizing.Krippendorff2004Test``):
    c: D_o = .0144, D_e = .0532, uα = .7286; k: D_o = 0, D_e = .0490, uα = 1; all
    categories together 1 - ΣD_o/ΣD_e = .8591, which is 1 - .0144/(.0532 + .0490) from the
    rounded disagreements (unrounded: .8587; DKPro's tolerance .0005 admits both)."""
    result = by_category(2, 150, 450, KRIPPENDORFF_2004)
    c, k = result["c"], result["k"]
    assert c.d_o == pytest.approx(0.0144, abs=5e-5)
    assert c.d_e == pytest.approx(0.0532, abs=5e-5)
    assert c.stat.value == pytest.approx(0.7286, abs=5e-5)
    assert k.d_o == 0.0
    assert k.d_e == pytest.approx(0.0490, abs=5e-5)
    assert k.stat.value == 1.0
    overall = 1 - (c.d_o + k.d_o) / (c.d_e + k.d_e)
    assert overall == pytest.approx(0.8591, abs=5e-4)
    assert interpret("u_alpha", c.stat.value)[0] == "tentative conclusions only"


def krippendorff_1995(stretch: float) -> Units:
    """Krippendorff (1995, p. 57), four pairs of observers on 24 positions, as transcribed
    by DKPro Statistics' ``Krippendorff1995Test.createExample`` (``stretch`` lengthens the
    continuum; the 1995 D_e is a large-L approximation)."""
    base = [
        (2, 8, 0, "A"), (14, 6, 0, "A"), (4, 4, 1, "A"), (15, 2, 1, "A"),
        (0, 18, 0, "B"), (0, 2, 1, "B"), (2, 1, 1, "B"), (3, 1, 1, "B"), (4, 1, 1, "B"),
        (5, 1, 1, "B"), (6, 3, 1, "B"), (9, 1, 1, "B"),
        (2, 6, 0, "C"), (10, 2, 0, "C"), (14, 4, 0, "C"), (20, 2, 0, "C"), (0, 2, 1, "C"),
        (4, 4, 1, "C"), (10, 4, 1, "C"), (16, 2, 1, "C"), (20, 2, 1, "C"),
        (0, 2, 0, "D"), (2, 8, 0, "D"), (10, 4, 0, "D"), (14, 6, 0, "D"), (20, 4, 0, "D"),
        (0, 4, 1, "D"), (4, 4, 1, "D"), (8, 7, 1, "D"), (15, 2, 1, "D"), (17, 7, 1, "D"),
    ]  # fmt: skip
    return [(int(b * stretch), int(n * stretch), r, c) for b, n, r, c in base]


def test_krippendorff_1995_observed_disagreements() -> None:
    """DKPro ``Krippendorff1995Test.testAgreement``: D_o on the 24-position continuum is
    exactly A .03125, B 2.26736, C .02777, D .38715 (to 1e-5)."""
    result = by_category(2, 0, 24, krippendorff_1995(1))
    expected = {"A": 0.03125, "B": 2.26736, "C": 0.02777, "D": 0.38715}
    for cat, d_o in expected.items():
        assert result[cat].d_o == pytest.approx(d_o, abs=1e-5)


def test_krippendorff_1995_expected_disagreements_and_alphas() -> None:
    """DKPro ``Krippendorff1995Test.testAgreement`` at stretch 50,000 (L = 1.2 million):
    D_e A .06990, B 1.17731, C .08642, D .41445 (DKPro's tolerance .005; the 1995 paper's
    D_e had an error that Krippendorff 2004 corrected, hence the tolerance) and uα
    A .553, B -.926, C .679, D .066 (tolerance .02)."""
    result = by_category(2, 0, 1_200_000, krippendorff_1995(50_000))
    d_e = {"A": 0.06990, "B": 1.17731, "C": 0.08642, "D": 0.41445}
    alpha = {"A": 0.553, "B": -0.926, "C": 0.679, "D": 0.066}
    for cat in "ABCD":
        r = result[cat]
        assert r.d_e == pytest.approx(d_e[cat], abs=0.005)
        assert r.stat.value == pytest.approx(alpha[cat], abs=0.02)
    # A and D (whose 1995 D_e needed no correction) agree to the printed precision.
    assert result["A"].d_e == pytest.approx(0.06990, abs=5e-6)
    assert result["D"].d_e == pytest.approx(0.41445, abs=5e-6)


def test_dkpro_unitizing_agreement_example() -> None:
    """DKPro ``UnitizingAgreementTest.testAgreement``: r0 -11111111-, r1 --1-1-1--- on
    10 positions: D_o .9100, D_e .5351, uα -.7003."""
    units: Units = [(1, 8, 0, "A"), (2, 1, 1, "A"), (4, 1, 1, "A"), (6, 1, 1, "A")]
    r = by_category(2, 0, 10, units)["A"]
    assert r.d_o == pytest.approx(0.9100, abs=1e-4)
    assert r.d_e == pytest.approx(0.5351, abs=1e-4)
    assert r.stat.value == pytest.approx(-0.7003, abs=1e-4)


def test_a_category_one_rater_used_once_is_zero_with_a_note() -> None:
    """DKPro ``UnitizingAgreementTest.testSingleAnnotationUnit``: three raters, one unit
    of length 1 by one of them on 20 positions: uα = 0 (D_o = D_e = 1/600)."""
    r = unitizing_alpha([Continuum(0, 20, ((0, 0, 1),))], 3)
    assert r.stat.value == 0.0
    assert r.d_o == pytest.approx(1 / 600) and r.d_e == pytest.approx(1 / 600)
    assert r.stat.note and "only 1 of 3 raters" in r.stat.note


# ---- undefined and edge cases ----------------------------------------------------------
def test_one_rater_is_undefined_with_a_note() -> None:
    r = unitizing_alpha([Continuum(0, 10, ((0, 2, 3),))], 1)
    assert r.stat.value is None and "two raters" in (r.stat.note or "")
    assert r.d_o is None and r.d_e is None


def test_no_units_is_undefined_with_a_note() -> None:
    """DKPro ``testEmptyAnnotationSet`` gives NaN; we give None and say why."""
    r = unitizing_alpha([Continuum(0, 20)], 3)
    assert r.stat.value is None and "nothing to agree on" in (r.stat.note or "")
    assert r.d_o == 0.0 and r.d_e == 0.0
    assert r.as_dict() == {"value": None, "d_o": 0.0, "d_e": 0.0, "note": r.stat.note}


def test_empty_continuum_and_no_continua() -> None:
    for continua in ([Continuum(5, 5)], []):
        r = unitizing_alpha(continua, 2)
        assert r.stat.value is None and "empty" in (r.stat.note or "")


def test_identical_raters_agree_perfectly() -> None:
    units = ((0, 3, 4), (1, 3, 4), (0, 10, 1), (1, 10, 1), (0, 15, 5), (1, 15, 5))
    r = unitizing_alpha([Continuum(0, 20, units)], 2)
    assert r.stat.value == 1.0 and r.d_o == 0.0 and r.stat.note is None


def test_units_covering_everything_leave_no_expected_disagreement() -> None:
    units = tuple((r, i, 1) for r in range(2) for i in range(4))
    result = unitizing_alpha([Continuum(0, 4, units)], 2)
    assert result.stat.value is None and "D_e = 0" in (result.stat.note or "")


@pytest.mark.parametrize(
    ("units", "message"),
    [
        (((0, 0, 5), (0, 3, 4)), "overlap"),
        (((0, 0, 0),), "length 0"),
        (((0, 8, 5),), "outside the continuum"),
        (((2, 0, 1),), "rater 2"),
    ],
)
def test_malformed_units_are_value_errors(
    units: tuple[tuple[int, int, int], ...], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        unitizing_alpha([Continuum(0, 10, units)], 2)


def test_touching_units_of_one_rater_are_two_units() -> None:
    touching = unitizing_alpha([Continuum(0, 10, ((0, 0, 3), (0, 3, 3), (1, 0, 6)))], 2)
    assert touching.d_o is not None and touching.d_o > 0  # 0..3 + 3..6 is not 0..6


# ---- brute force: a literal transcription on random small continua --------------------
def brute_force(continua: list[Continuum], m: int) -> tuple[Fraction, Fraction]:
    """D_o and D_e by the printed equations, in exact fractions, over every ordered pair
    of sections and every unit-gap pair, with the continua placed end to end (a section
    ends at its continuum's end)."""
    sections: list[tuple[int, int, int, bool]] = []  # rater, begin, length, is unit
    offset = 0
    for cont in continua:
        for rater in range(m):
            pos = cont.begin
            for b, n in sorted((b, n) for r, b, n in cont.units if r == rater):
                if b > pos:
                    sections.append((rater, offset + pos - cont.begin, b - pos, False))
                sections.append((rater, offset + b - cont.begin, n, True))
                pos = b + n
            if pos < cont.end:
                sections.append((rater, offset + pos - cont.begin, cont.end - pos, False))
        offset += cont.end - cont.begin
    big_l = offset

    def delta(g: tuple[int, int, int, bool], h: tuple[int, int, int, bool]) -> int:
        _, bg, lg, wg = g
        _, bh, lh, wh = h
        if wg and wh and -lg < bg - bh < lh:
            return (bg - bh) ** 2 + (bg + lg - bh - lh) ** 2
        if wg and not wh and lh - lg >= bg - bh >= 0:
            return lg**2
        if not wg and wh and lg - lh >= bh - bg >= 0:
            return lh**2
        return 0

    observed = sum(delta(g, h) for g in sections for h in sections if g[0] != h[0])
    d_o = Fraction(observed, m * (m - 1) * big_l**2)
    units = [s for s in sections if s[3]]
    gaps = [s for s in sections if not s[3]]
    n_c = len(units)
    total = Fraction(0)
    for _, _, n, _ in units:
        total += Fraction((n_c - 1) * (2 * n**3 - 3 * n**2 + n), 3)
        total += n**2 * sum(gl - n + 1 for _, _, gl, _ in gaps if gl >= n)
    squares = sum(n * (n - 1) for _, _, n, _ in units)
    d_e = Fraction(2, big_l) * total / (m * big_l * (m * big_l - 1) - squares)
    return d_o, d_e


@st.composite
def continua(draw: st.DrawFn) -> tuple[list[Continuum], int]:
    m = draw(st.integers(2, 3))
    out = []
    for _ in range(draw(st.integers(1, 3))):
        begin = draw(st.integers(0, 5))
        length = draw(st.integers(1, 18))
        units: list[tuple[int, int, int]] = []
        for rater in range(m):
            pos = begin
            for gap, n in draw(st.lists(st.tuples(st.integers(0, 4), st.integers(1, 6)))):
                if pos + gap + n > begin + length:
                    break
                units.append((rater, pos + gap, n))
                pos += gap + n
        out.append(Continuum(begin, begin + length, tuple(units)))
    return out, m


@settings(max_examples=300, deadline=None)
@given(continua())
def test_matches_a_brute_force_transcription_of_the_definition(
    case: tuple[list[Continuum], int],
) -> None:
    conts, m = case
    result = unitizing_alpha(conts, m)
    d_o, d_e = brute_force(conts, m)
    assert result.d_o == pytest.approx(float(d_o), rel=1e-12, abs=1e-15)
    assert result.d_e == pytest.approx(float(d_e), rel=1e-12, abs=1e-15)
    if any(c.units for c in conts) and d_e > 0:
        assert result.stat.value == pytest.approx(float(1 - d_o / d_e), rel=1e-9, abs=1e-12)
    else:
        assert result.stat.value is None and result.stat.note


def test_pooling_places_sessions_end_to_end_with_their_own_gaps() -> None:
    a = Continuum(0, 10, ((0, 1, 3), (1, 2, 3)))
    b = Continuum(100, 110, ((0, 104, 4), (1, 104, 5)))
    pooled = unitizing_alpha([a, b], 2)
    d_o, d_e = brute_force([a, b], 2)
    assert pooled.d_o == pytest.approx(float(d_o)) and pooled.d_e == pytest.approx(float(d_e))
    assert pooled.stat.n_units == 20  # characters of both sessions
    # Not the mean of the two sessions' values: one D_o and one D_e over both.
    alone = [unitizing_alpha([c], 2).stat.value for c in (a, b)]
    assert pooled.stat.value != pytest.approx(np.mean(alone))  # type: ignore[arg-type]


def test_bootstrap_resamples_sessions() -> None:
    """The vectorised interval equals the percentiles of uα recomputed on each resample
    of whole sessions (same multinomial draws)."""
    sessions = [
        Continuum(0, 30, ((0, 2, 5), (1, 3, 5), (0, 20, 4), (1, 12, 3))),
        Continuum(0, 25, ((0, 0, 10), (1, 1, 8))),
        Continuum(0, 40, ((0, 5, 5), (1, 5, 5), (1, 30, 6))),
        Continuum(0, 20, ((0, 10, 2), (1, 9, 4))),
    ]
    result = unitizing_alpha(sessions, 2, bootstrap=200, seed=7)
    rng = np.random.default_rng(7)
    counts = rng.multinomial(4, np.full(4, 0.25), size=200)
    values = []
    for row in counts:
        resample = [s for s, k in zip(sessions, row, strict=True) for _ in range(k)]
        value = unitizing_alpha(resample, 2).stat.value
        values.append(np.nan if value is None else value)
    finite = np.array(values)[np.isfinite(values)]
    low, high = np.quantile(finite, [0.025, 0.975])
    assert result.stat.ci95 == pytest.approx((low, high))


def test_one_session_has_no_bootstrap_interval_and_says_so() -> None:
    r = unitizing_alpha([Continuum(0, 10, ((0, 1, 3), (1, 2, 3)))], 2, bootstrap=100)
    assert r.stat.ci95 is None and "one continuum" in (r.stat.note or "")
