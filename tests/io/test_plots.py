"""Profile plots: PNG and SVG output, missing values, atomic files, and no Qt anywhere."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from matplotlib.colors import to_hex

from coder.domain.errors import CoderError
from coder.io import plots

REPO = Path(__file__).resolve().parents[2]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def session(
    number: int, w: int, c: int, *, rate: float | None = 0.5, sig: float | None = 2.0
) -> dict[str, Any]:
    return {
        "session": number,
        "n_segments": 6,
        "withdrawal_segments": w,
        "confrontation_segments": c,
        "mean_withdrawal_significance": sig,
        "mean_confrontation_significance": sig,
        "resolution_rate": rate,
        "metrics": {
            "max_withdrawal_significance": None if sig is None else sig + 1,
            "max_confrontation_significance": None if sig is None else sig + 1,
            "mean_withdrawal_significance": sig,
            "mean_confrontation_significance": sig,
            "resolution_rate": rate,
        },
    }


PROFILE: dict[str, Any] = {
    "patient": "P09",
    "sessions": [
        session(1, 4, 1),
        session(2, 0, 0, rate=None, sig=None),
        session(5, 1, 3, rate=1.0),
    ],
    "trait_like": {"resolution_rate": 0.75},
    "balance_index": 1 / 9,
}


@pytest.mark.parametrize("name", list(plots.PLOTS))
def test_every_plot_renders_png_and_svg(name: str) -> None:
    _, fig_fn = plots.PLOTS[name]
    png = plots.render(fig_fn, PROFILE, "png")
    assert isinstance(png, bytes) and png.startswith(PNG_SIGNATURE)
    svg = plots.render(fig_fn, PROFILE, "svg")
    assert isinstance(svg, str) and "<svg" in svg
    assert "P09" in svg  # text stays text in the SVG (editable in a figure tool)


def test_plots_name_sessions_and_units() -> None:
    svg = plots.render(plots.session_bars, PROFILE, "svg")
    assert isinstance(svg, str)
    for text in ("Session", "Segments (count)", "Withdrawal segments", "Confrontation segments"):
        assert text in svg
    resolution = plots.render(plots.resolution_plot, PROFILE, "svg")
    assert isinstance(resolution, str)
    assert "Resolved ruptures (%)" in resolution and "n/a" in resolution  # session 2: None
    balance = plots.render(plots.balance_plot, PROFILE, "svg")
    assert isinstance(balance, str) and "+0.11" in balance  # the patient's balance index


def test_a_patient_without_sessions_still_gets_a_figure() -> None:
    for _, fig_fn in plots.PLOTS.values():
        svg = plots.render(fig_fn, {"patient": "P00", "sessions": []}, "svg")
        assert isinstance(svg, str) and "No sessions" in svg


def test_render_all_and_svg_output_is_stable() -> None:
    rendered = plots.render_all(PROFILE, "svg")
    assert list(rendered) == ["sessions", "significance", "balance", "resolution"]
    assert rendered == plots.render_all(PROFILE, "svg")  # no dates or random ids


def test_save_plot_writes_atomically_and_checks_the_format(tmp_path: Path) -> None:
    target = tmp_path / "bars.svg"
    plots.save_plot(target, plots.session_bars, PROFILE)
    assert target.read_text(encoding="utf-8").lstrip().startswith("<?xml")
    assert [p.name for p in tmp_path.iterdir()] == ["bars.svg"]  # no temp file left
    png = plots.save_plot(tmp_path / "bars.png", plots.session_bars, PROFILE, dpi=50)
    assert png.read_bytes().startswith(PNG_SIGNATURE)
    with pytest.raises(CoderError, match=r"\.png or \.svg"):
        plots.save_plot(tmp_path / "bars.jpg", plots.session_bars, PROFILE)
    with pytest.raises(CoderError, match="folder does not exist"):
        plots.save_plot(tmp_path / "missing" / "bars.png", plots.session_bars, PROFILE)
    with pytest.raises(CoderError, match="must be one of png, svg"):
        plots.figure_bytes(plots.session_bars(PROFILE), "gif")  # type: ignore[arg-type]


def test_plots_accept_a_patient_profile_object() -> None:
    class Profile:
        def to_dict(self) -> dict[str, Any]:
            return PROFILE

    assert plots.render_png(plots.significance_lines, Profile()).startswith(PNG_SIGNATURE)


HEADLESS = r"""
import importlib.abc, sys

class BlockQt(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "PySide6" or name.startswith("PySide6.") or name.startswith("PyQt"):
            raise ImportError(f"blocked for this test: {name}")
        return None

sys.meta_path.insert(0, BlockQt())
from coder.io import plots
profile = {"patient": "P1", "sessions": [{"session": 1, "n_segments": 3,
           "withdrawal_segments": 1, "confrontation_segments": 2, "resolution_rate": 0.5}],
           "balance_index": -0.33}
for name, (_, fn) in plots.PLOTS.items():
    assert plots.render(fn, profile, "png")[:4] == b"\x89PNG"
    assert "<svg" in plots.render(fn, profile, "svg")
assert "PySide6" not in sys.modules
import matplotlib
print(matplotlib.get_backend() if "matplotlib.pyplot" in sys.modules else "no pyplot")
"""


def test_plots_render_headless_without_qt(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("MPLBACKEND", "DISPLAY")}
    env["MPLCONFIGDIR"] = str(tmp_path)  # matplotlib's font cache stays out of the repo
    result = subprocess.run(
        [sys.executable, "-c", HEADLESS],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "no pyplot"


def test_uncoded_sessions_are_marked_not_drawn_as_zero() -> None:
    """Session 2 has no coded segment (counts None), session 3 half its segments coded:
    no zero bar for session 2, a "Coded segments" bar for the partly coded session."""
    partial = {
        "patient": "P09",
        "sessions": [
            {**session(1, 2, 1), "coverage": {"coded_segments": 6, "total_segments": 6}},
            {
                **session(2, 0, 0, rate=None, sig=None),
                "withdrawal_segments": None,
                "confrontation_segments": None,
                "coverage": {"coded_segments": 0, "total_segments": 6},
            },
            {**session(3, 1, 0), "coverage": {"coded_segments": 3, "total_segments": 6}},
        ],
        "balance_index": 0.5,
    }
    bars = plots.session_bars(partial)
    ax = bars.axes[0]
    texts = [t.get_text() for t in ax.texts]
    assert texts == ["not coded"]
    heights = {
        (round(p.get_x() + p.get_width() / 2), round(p.get_width(), 2)): p.get_height()
        for p in ax.patches
    }
    assert heights[(3, 0.7)] == 3  # the coded part of session 3
    assert (2, 0.7) not in heights and (2, 0.6) not in heights  # no bar at all for session 2
    assert "Coded segments" in str(plots.render(plots.session_bars, partial, "svg"))
    for fn in (plots.balance_plot, plots.resolution_plot):
        assert "not coded" in [t.get_text() for t in fn(partial).axes[0].texts]


# The plotted data itself. Withdrawal and confrontation differ in every session and in
# every statistic below, so a plot that draws one family's numbers under the other's
# label or colour fails; labels and PNG headers alone would not notice.
DISTINCT: dict[str, Any] = {
    "patient": "P10",
    "sessions": [
        {
            "session": 1,
            "n_segments": 8,
            "withdrawal_segments": 5,
            "confrontation_segments": 1,
            "resolution_rate": 0.25,
            "metrics": {
                "mean_withdrawal_significance": 3.5,
                "max_withdrawal_significance": 5.0,
                "mean_confrontation_significance": 1.0,
                "max_confrontation_significance": 2.0,
                "resolution_rate": 0.25,
            },
        },
        {
            "session": 3,
            "n_segments": 8,
            "withdrawal_segments": 0,
            "confrontation_segments": 6,
            "resolution_rate": 0.5,
            "metrics": {
                "mean_withdrawal_significance": None,
                "max_withdrawal_significance": None,
                "mean_confrontation_significance": 2.5,
                "max_confrontation_significance": 4.0,
                "resolution_rate": 0.5,
            },
        },
    ],
    "trait_like": {"resolution_rate": 0.375},
    "balance_index": (5 - 7) / (5 + 7),  # pooled over both sessions
}


def _bars(ax: Any, label: str) -> list[tuple[float, float, float]]:
    """(centre x, bottom, height) of every bar of the series labelled ``label``."""
    [container] = [c for c in ax.containers if c.get_label() == label]
    return [(p.get_x() + p.get_width() / 2, p.get_y(), p.get_height()) for p in container]


def test_session_bars_draw_each_family_s_counts_in_its_own_colour() -> None:
    ax = plots.session_bars(DISTINCT).axes[0]
    assert _bars(ax, "Withdrawal segments") == [(1, 0, 5), (3, 0, 0)]
    assert _bars(ax, "Confrontation segments") == [(1, 5, 1), (3, 0, 6)]  # stacked on W
    assert _bars(ax, "All segments") == [(1, 0, 8), (3, 0, 8)]
    [withdrawal] = [c for c in ax.containers if c.get_label() == "Withdrawal segments"]
    [confrontation] = [c for c in ax.containers if c.get_label() == "Confrontation segments"]
    assert {to_hex(p.get_facecolor()) for p in withdrawal} == {plots.WITHDRAWAL}
    assert {to_hex(p.get_facecolor()) for p in confrontation} == {plots.CONFRONTATION}


def test_significance_lines_follow_each_family_s_ratings() -> None:
    ax = plots.significance_lines(DISTINCT).axes[0]
    lines = {line.get_label(): line for line in ax.lines}
    drawn = {
        label: (list(line.get_xdata()), list(line.get_ydata())) for label, line in lines.items()
    }
    assert drawn == {
        "Withdrawal mean": ([1], [3.5]),  # session 3 has no withdrawal rating: left out
        "Withdrawal max": ([1], [5.0]),
        "Confrontation mean": ([1, 3], [1.0, 2.5]),
        "Confrontation max": ([1, 3], [2.0, 4.0]),
    }
    assert to_hex(lines["Withdrawal mean"].get_color()) == plots.WITHDRAWAL
    assert to_hex(lines["Confrontation mean"].get_color()) == plots.CONFRONTATION
    assert lines["Withdrawal max"].get_linestyle() == "--"
    assert lines["Withdrawal mean"].get_linestyle() == "-"


def test_balance_bars_are_positive_for_withdrawal_and_negative_for_confrontation() -> None:
    ax = plots.balance_plot(DISTINCT).axes[0]
    bars = {round(p.get_x() + p.get_width() / 2): p for p in ax.patches}
    assert bars[1].get_height() == pytest.approx((5 - 1) / (5 + 1))
    assert bars[3].get_height() == pytest.approx((0 - 6) / (0 + 6))
    assert to_hex(bars[1].get_facecolor()) == plots.WITHDRAWAL
    assert to_hex(bars[3].get_facecolor()) == plots.CONFRONTATION
    labels = [c.get_label() for c in ax.containers]
    assert labels == ["Session: more withdrawal", "Session: more confrontation"]
    [patient] = [line for line in ax.lines if line.get_label().startswith("Patient")]
    assert patient.get_label() == "Patient balance index -0.17 (all sessions)"
    assert list(patient.get_ydata()) == pytest.approx([-2 / 12, -2 / 12])


def test_resolution_bars_show_each_session_s_rate_in_percent() -> None:
    ax = plots.resolution_plot(DISTINCT).axes[0]
    heights = {round(p.get_x() + p.get_width() / 2): p.get_height() for p in ax.patches}
    assert heights == {1: 25.0, 3: 50.0}
    assert [t.get_text() for t in ax.texts] == ["25%", "50%"]
    [mean] = [line for line in ax.lines if line.get_label() == "Patient mean 38%"]
    assert list(mean.get_ydata()) == [37.5, 37.5]
