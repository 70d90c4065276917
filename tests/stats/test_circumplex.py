"""Structural summary method: recovers a known cosine curve exactly, agrees with the hand
formulas of the domain notes, and reproduces published circumplex-package results."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coder.domain.errors import ValidationError
from coder.domain.intake import IIP, OCTANT_ANGLES, OCTANTS, IIPNorms, IIPVersion
from coder.stats.circumplex import closed_form_xy, iip_ssm, octant_ssm, ssm, standardise


def cosine_profile(elevation: float, amplitude: float, displacement: float) -> dict[str, float]:
    """Octant scores lying exactly on e + a·cos(θ − d)."""
    return {
        o: elevation + amplitude * math.cos(math.radians(OCTANT_ANGLES[o] - displacement))
        for o in OCTANTS
    }


def test_worked_example_perfect_cosine_curve() -> None:
    # e = 1.5, a = 0.8, d = 120°: e.g. PA (90°) = 1.5 + 0.8·cos(−30°) = 2.19282...
    scores = cosine_profile(1.5, 0.8, 120.0)
    assert scores["PA"] == pytest.approx(1.5 + 0.8 * math.sqrt(3) / 2)
    result = octant_ssm(scores)
    assert result.elevation == pytest.approx(1.5, abs=1e-12)
    assert result.amplitude == pytest.approx(0.8, abs=1e-12)
    assert result.displacement == pytest.approx(120.0, abs=1e-9)
    assert result.x == pytest.approx(0.8 * math.cos(math.radians(120)), abs=1e-12)
    assert result.y == pytest.approx(0.8 * math.sin(math.radians(120)), abs=1e-12)
    assert result.r2 == pytest.approx(1.0, abs=1e-12)


@given(
    st.floats(0.5, 3.5),
    st.floats(0.05, 0.5),
    st.floats(0, 359.99),
)
def test_any_cosine_curve_is_recovered(e: float, a: float, d: float) -> None:
    result = octant_ssm(cosine_profile(e, a, d))
    assert result.elevation == pytest.approx(e, abs=1e-9)
    assert result.amplitude == pytest.approx(a, abs=1e-9)
    diff = abs((result.displacement - d + 180) % 360 - 180)
    assert diff < 1e-6
    assert result.r2 == pytest.approx(1.0, abs=1e-9)
    assert 0 <= result.displacement < 360


@given(st.lists(st.floats(0, 4), min_size=8, max_size=8))
def test_closed_form_agrees_with_general_sum(values: list[float]) -> None:
    octants = dict(zip(OCTANTS, values, strict=True))
    x, y = closed_form_xy(octants)
    result = octant_ssm(octants)
    # .707 stands in for cos 45° = .70710678..., so agreement is to about 1e-4 of the scores
    assert x == pytest.approx(result.x, abs=5e-4)
    assert y == pytest.approx(result.y, abs=5e-4)


def test_published_circumplex_results() -> None:
    """jmgirard/circumplex tests/testthat/test-ssm_analysis.R (octant scores rounded to 3
    decimals there, hence the tolerance)."""
    aw2009 = dict(
        zip(OCTANTS, [0.374, -0.572, -0.520, 0.016, 0.688, 1.142, 1.578, 0.678], strict=True)
    )
    r = octant_ssm(aw2009)
    assert (round(r.elevation, 3), round(r.x, 3), round(r.y, 3)) == (0.423, 0.945, -0.264)
    assert (round(r.amplitude, 3), round(r.displacement, 1)) == (0.981, 344.4)
    assert r.r2 is not None and round(r.r2, 3) == 0.954
    parpd = dict(
        zip(OCTANTS, [0.329, 0.494, 0.329, 0.203, 0.102, 0.143, 0.207, 0.193], strict=True)
    )
    r = octant_ssm(parpd)
    assert (round(r.elevation, 3), round(r.x, 3), round(r.y, 3)) == (0.250, -0.094, 0.117)
    assert (round(r.amplitude, 3), round(r.displacement, 1)) == (0.150, 128.9)
    assert r.r2 is not None and round(r.r2, 3) == 0.802


def test_flat_profile_has_no_fit_and_axes_signs() -> None:
    flat = octant_ssm(dict.fromkeys(OCTANTS, 2.0))
    assert flat.amplitude == pytest.approx(0.0, abs=1e-12) and flat.r2 is None
    dominant = octant_ssm({**dict.fromkeys(OCTANTS, 1.0), "PA": 3.0})
    assert dominant.y > 0 and dominant.displacement == pytest.approx(90.0)
    cold = octant_ssm({**dict.fromkeys(OCTANTS, 1.0), "DE": 3.0})
    assert cold.x < 0 and cold.displacement == pytest.approx(180.0)


def test_standardisation_against_user_norms() -> None:
    norms = IIPNorms(dict.fromkeys(OCTANTS, 1.0), dict.fromkeys(OCTANTS, 0.5), "lab sample")
    iip = IIP.from_octants(IIPVersion.IIP_32, {**dict.fromkeys(OCTANTS, 1.5), "HI": 2.5})
    z = standardise(iip.octants, norms)
    assert z["PA"] == pytest.approx(1.0) and z["HI"] == pytest.approx(3.0)
    t = standardise(iip.octants, norms, "T")
    assert t["PA"] == pytest.approx(60.0) and t["HI"] == pytest.approx(80.0)
    result = iip_ssm(iip, norms)
    assert result.scale == "z" and result.elevation == pytest.approx(1.25)
    assert result.displacement == pytest.approx(270.0)  # nonassertive: agency deficit
    assert iip_ssm(iip).scale == "raw"


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValidationError):
        ssm([1.0, 2.0], [0.0, 90.0])
    with pytest.raises(ValidationError):
        ssm([1.0, float("nan"), 2.0], [0.0, 120.0, 240.0])
    with pytest.raises(ValidationError, match="missing for NO"):
        octant_ssm({o: 1.0 for o in OCTANTS if o != "NO"})
