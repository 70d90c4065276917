"""Structural summary method (SSM) for circumplex octant scores, and norm standardisation.

The SSM fits a cosine curve ``s_i ≈ e + a·cos(θ_i − d)`` to eight octant scores at fixed
angles and summarises an interpersonal profile in a few numbers: elevation (overall
distress), x/y (communion and agency axes), amplitude (how differentiated), displacement
(the predominant theme) and R² (how well a single theme describes the profile; the angle
is meaningful only when this is high). Formulas follow Gurtman (1994) / Wright et al.
(2009) as implemented in R ``circumplex::ssm_parameters`` (jmgirard/circumplex); the test
suite checks this module against that package's published aw2009 result.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from coder.domain.errors import ValidationError
from coder.domain.intake import IIP, OCTANT_ANGLES, OCTANTS, IIPNorms

Scale = Literal["raw", "z", "T"]


@dataclass(frozen=True, slots=True)
class SSMResult:
    """SSM parameters of one profile.

    ``r2`` is None when the scores do not vary at all (a flat profile has no theme, and
    the R² formula divides by zero). ``scale`` says whether raw means or norm-standardised
    scores were summarised, since amplitude thresholds differ between the two.
    """

    elevation: float
    x: float  # affiliation / communion (LOV)
    y: float  # dominance / agency (DOM)
    amplitude: float
    displacement: float  # degrees, 0 <= d < 360
    r2: float | None
    scale: Scale = "raw"
    n_scales: int = 8
    method: str = "SSM (Gurtman 1994; circumplex::ssm_parameters)"

    def to_dict(self) -> dict[str, float | int | str | None]:
        return {
            "elevation": self.elevation,
            "x": self.x,
            "y": self.y,
            "amplitude": self.amplitude,
            "displacement": self.displacement,
            "r2": self.r2,
            "scale": self.scale,
            "n_scales": self.n_scales,
            "method": self.method,
        }


def ssm(scores: Sequence[float], angles: Sequence[float], *, scale: Scale = "raw") -> SSMResult:
    """SSM parameters of ``scores`` at ``angles`` (degrees).

    * elevation e = mean(s)
    * x = (2/k) Σ s_i cos θ_i,  y = (2/k) Σ s_i sin θ_i
    * amplitude a = √(x² + y²),  displacement d = atan2(y, x) mod 360
    * R² = 1 − Σ(e + a·cos(θ_i − d) − s_i)² / Σ(s_i − e)²   (= var(s)·(k − 1) below)
    """
    k = len(scores)
    if k < 3 or len(angles) != k:
        raise ValidationError("SSM needs at least 3 scores, one per angle")
    values = [float(s) for s in scores]
    if any(math.isnan(v) for v in values):
        raise ValidationError("SSM scores must not be missing")
    rad = [math.radians(a) for a in angles]
    elevation = sum(values) / k
    x = 2 / k * sum(s * math.cos(t) for s, t in zip(values, rad, strict=True))
    y = 2 / k * sum(s * math.sin(t) for s, t in zip(values, rad, strict=True))
    amplitude = math.hypot(x, y)
    displacement = math.degrees(math.atan2(y, x)) % 360.0
    if displacement >= 360.0:  # -0.0 % 360 or rounding can give exactly 360
        displacement = 0.0
    d = math.radians(displacement)
    ss_total = sum((s - elevation) ** 2 for s in values)
    ss_resid = sum(
        (elevation + amplitude * math.cos(t - d) - s) ** 2 for s, t in zip(values, rad, strict=True)
    )
    r2 = None if ss_total <= 1e-15 else 1 - ss_resid / ss_total
    return SSMResult(elevation, x, y, amplitude, displacement, r2, scale, k)


def octant_ssm(octants: Mapping[str, float], *, scale: Scale = "raw") -> SSMResult:
    """SSM of the eight IIP octants (keys PA..NO) at their standard angles."""
    missing = [o for o in OCTANTS if o not in octants]
    if missing:
        raise ValidationError(f"octant scores missing for {', '.join(missing)}")
    return ssm([octants[o] for o in OCTANTS], [OCTANT_ANGLES[o] for o in OCTANTS], scale=scale)


def standardise(
    octants: Mapping[str, float], norms: IIPNorms, kind: Literal["z", "T"] = "z"
) -> dict[str, float]:
    """Octant scores against norms: z = (s − M) / SD, or T = 50 + 10·z."""
    out = {}
    for octant in OCTANTS:
        z = (octants[octant] - norms.means[octant]) / norms.sds[octant]
        out[octant] = z if kind == "z" else 50.0 + 10.0 * z
    return out


def iip_ssm(iip: IIP, norms: IIPNorms | None = None, kind: Literal["z", "T"] = "z") -> SSMResult:
    """SSM of an IIP administration: raw octant means, or standardised when norms are given."""
    if norms is None:
        return octant_ssm(iip.octants)
    return octant_ssm(standardise(iip.octants, norms, kind), scale=kind)


def closed_form_xy(octants: Mapping[str, float]) -> tuple[float, float]:
    """The hand formulas of domain notes §4.3 (with .707 for cos 45°), for cross-checking.

    x = .25·[LM − DE + .707·(NO − BC − FG + JK)],  y = .25·[PA − HI + .707·(NO + BC − FG − JK)]
    """
    o = octants
    x = 0.25 * (o["LM"] - o["DE"] + 0.707 * (o["NO"] - o["BC"] - o["FG"] + o["JK"]))
    y = 0.25 * (o["PA"] - o["HI"] + 0.707 * (o["NO"] + o["BC"] - o["FG"] - o["JK"]))
    return x, y
