"""Profile plots as PNG bytes or SVG text, drawn with matplotlib's Agg canvas.

Only :class:`matplotlib.figure.Figure` and :class:`FigureCanvasAgg` are used, never
``pyplot``: pyplot picks a GUI backend (possibly Qt) and keeps global figure state, while a
bare Figure is an ordinary object that renders the same way in the CLI, in tests without
a display and inside the Qt app (which shows the PNG in a label). This module never
imports Qt (contract *"Nothing below the UI imports Qt"*).

Every figure function takes a :class:`~coder.stats.profiles.PatientProfile` or its
``to_dict()`` (the ``coder profile --json`` shape) and returns a Figure; :func:`render`
turns one into PNG bytes or SVG text and :func:`save_plot` writes it atomically.
Missing values (None: a session without ratings, a rate with no evaluable rupture) are
left out of a line or marked "n/a", never drawn as 0; a session with no coded segment is
marked "not coded" (its counts are missing, not zero), and the bars show each session's
coded segments beside all its segments.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Literal, Protocol

import matplotlib
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from coder.domain.errors import CoderError
from coder.io.atomic import write_atomically

Format = Literal["png", "svg"]
FORMATS: tuple[Format, ...] = ("png", "svg")

WITHDRAWAL = "#2f6db5"  # the 3RS withdrawal codes are blues
CONFRONTATION = "#e0603a"  # the confrontation codes are reds and oranges
RESOLUTION = "#3f8f3a"  # the resolution strategies are greens
PATIENT_LINE = "#444444"
FIGSIZE = (6.4, 3.6)  # inches: fits a Word page at 6 in and a quarter of the patient view
DEFAULT_DPI = 110


class HasToDict(Protocol):
    def to_dict(self) -> Mapping[str, Any]: ...


ProfileLike = HasToDict | Mapping[str, Any]
FigureFunction = Callable[[ProfileLike], Figure]


def _data(profile: ProfileLike) -> Mapping[str, Any]:
    return profile if isinstance(profile, Mapping) else profile.to_dict()


def _sessions(profile: ProfileLike) -> list[Mapping[str, Any]]:
    return list(_data(profile).get("sessions") or [])


def _metric(session: Mapping[str, Any], key: str) -> float | None:
    metrics = session.get("metrics") or {}
    value = metrics.get(key, session.get(key))
    return None if value is None else float(value)


def _figure(title: str, patient: str) -> tuple[Figure, Axes]:
    fig = Figure(figsize=FIGSIZE, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.set_title(f"{title} — {patient}" if patient else title, fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#dddddd", linewidth=0.8)
    ax.set_axisbelow(True)
    return fig, ax


def _legend(fig: Figure, ax: Axes) -> None:
    """The legend below the plot, where it can never hide a data point."""
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        fig.legend(handles, labels, loc="outside lower center", ncols=min(len(handles), 4),
                   frameon=False, fontsize=8)  # fmt: skip


def _session_axis(ax: Axes, numbers: list[int]) -> None:
    ax.set_xlabel("Session")
    ax.set_xticks(numbers)
    ax.set_xticklabels([str(n) for n in numbers])
    if numbers:
        ax.set_xlim(min(numbers) - 0.6, max(numbers) + 0.6)


def _coded(session: Mapping[str, Any]) -> int | None:
    """Coded segments of a session (None for data from before coverage existed)."""
    coverage = session.get("coverage")
    return None if not coverage else int(coverage.get("coded_segments") or 0)


def _not_coded(ax: Axes, n: int, y: float) -> None:
    ax.text(n, y, "not coded", ha="center", va="bottom", fontsize=8, color="#666666",
            rotation=90)  # fmt: skip


def _empty(ax: Axes, numbers: list[int], text: str) -> bool:
    """Write ``text`` in the middle when there is nothing to draw; True if so."""
    if numbers:
        return False
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color="#666666")
    ax.set_xticks([])
    return True


def session_bars(profile: ProfileLike) -> Figure:
    """Stacked bars per session: withdrawal and confrontation segments (a segment with
    both markers counts in both), inside an outline of the coded segments and a dotted
    one of all segments; a session with no coded segment gets no bar, only "not coded"."""
    data, sessions = _data(profile), _sessions(profile)
    fig, ax = _figure("Rupture segments per session", str(data.get("patient", "")))
    numbers = [int(s["session"]) for s in sessions]
    ax.set_ylabel("Segments (count)")
    if _empty(ax, numbers, "No sessions"):
        return fig
    n = [int(s.get("n_segments") or 0) for s in sessions]
    coded = [_coded(s) for s in sessions]
    shown = [k for k, s in enumerate(sessions) if coded[k] != 0]
    xs = [numbers[k] for k in shown]
    w = [int(sessions[k].get("withdrawal_segments") or 0) for k in shown]
    c = [int(sessions[k].get("confrontation_segments") or 0) for k in shown]
    ax.bar(numbers, n, width=0.78, fill=False, edgecolor="#888888", linewidth=1.0,
           linestyle=":", label="All segments")  # fmt: skip
    if any(v is not None and v < total for v, total in zip(coded, n, strict=True)):
        ax.bar(xs, [coded[k] or 0 for k in shown], width=0.7, color="#eeeeee",
               edgecolor="#888888", linewidth=0.8, label="Coded segments")  # fmt: skip
    ax.bar(xs, w, width=0.6, color=WITHDRAWAL, label="Withdrawal segments")
    ax.bar(xs, c, width=0.6, bottom=w, color=CONFRONTATION, label="Confrontation segments")
    for k, number in enumerate(numbers):
        if coded[k] == 0:
            _not_coded(ax, number, 0.1)
    ax.set_ylim(0, max([*n, *(a + b for a, b in zip(w, c, strict=True)), 1]) * 1.1)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    _session_axis(ax, numbers)
    _legend(fig, ax)
    return fig


def significance_lines(profile: ProfileLike) -> Figure:
    """Mean (solid) and maximum (dashed) withdrawal and confrontation significance per
    session, over the segments where the rating was given."""
    data, sessions = _data(profile), _sessions(profile)
    fig, ax = _figure("Significance per session", str(data.get("patient", "")))
    numbers = [int(s["session"]) for s in sessions]
    ax.set_ylabel("Significance (rating)")
    if _empty(ax, numbers, "No sessions"):
        return fig
    drawn: list[float] = []
    for family, colour, label in (
        ("withdrawal", WITHDRAWAL, "Withdrawal"),
        ("confrontation", CONFRONTATION, "Confrontation"),
    ):
        for stat, style in (("mean", "-"), ("max", "--")):
            points = [
                (n, v)
                for n, s in zip(numbers, sessions, strict=True)
                if (v := _metric(s, f"{stat}_{family}_significance")) is not None
            ]
            if not points:
                continue
            xs, ys = zip(*points, strict=True)
            drawn += ys
            ax.plot(
                xs, ys, style, marker="o" if stat == "mean" else "^", color=colour,
                label=f"{label} {stat}", linewidth=1.8, markersize=5,
            )  # fmt: skip
    if not drawn:
        ax.text(0.5, 0.5, "No significance ratings", ha="center", va="center",
                transform=ax.transAxes, color="#666666")  # fmt: skip
    ax.set_ylim(0, max([*drawn, 5.0]) + 0.5)
    _session_axis(ax, numbers)
    _legend(fig, ax)
    return fig


def _session_balance(session: Mapping[str, Any]) -> float | None:
    w, c = session.get("withdrawal_segments"), session.get("confrontation_segments")
    if w is None or c is None:  # nothing coded
        return None
    return (int(w) - int(c)) / (int(w) + int(c)) if int(w) + int(c) else None


def balance_plot(profile: ProfileLike) -> Figure:
    """Per-session balance (W − C)/(W + C) from −1 (only confrontation) to +1 (only
    withdrawal), with the patient's pooled balance index as a horizontal line."""
    data, sessions = _data(profile), _sessions(profile)
    fig, ax = _figure("Withdrawal/confrontation balance", str(data.get("patient", "")))
    numbers = [int(s["session"]) for s in sessions]
    ax.set_ylabel("(W − C) / (W + C)")
    ax.set_ylim(-1.1, 1.1)
    ax.axhline(0, color="#999999", linewidth=0.8)
    ax.set_yticks([1, 0.5, 0, -0.5, -1])
    ax.set_yticklabels(["+1 only W", "+0.5", "0 even", "−0.5", "−1 only C"])
    if _empty(ax, numbers, "No sessions"):
        return fig
    labelled: set[str] = set()
    for n, s in zip(numbers, sessions, strict=True):
        v = _session_balance(s)
        if v is None:
            text = "not coded" if _coded(s) == 0 else "n/a"
            ax.text(n, 0.05, text, ha="center", va="bottom", fontsize=8, color="#666666")
            continue
        label = "Session: more withdrawal" if v >= 0 else "Session: more confrontation"
        ax.bar(n, v, width=0.6, color=WITHDRAWAL if v >= 0 else CONFRONTATION,
               label=None if label in labelled else label)  # fmt: skip
        labelled.add(label)
    patient = data.get("balance_index")
    if patient is not None:
        ax.axhline(float(patient), color=PATIENT_LINE, linestyle="--", linewidth=1.4,
                   label=f"Patient balance index {float(patient):+.2f} (all sessions)")  # fmt: skip
    _session_axis(ax, numbers)
    _legend(fig, ax)
    return fig


def resolution_plot(profile: ProfileLike) -> Figure:
    """Share of evaluable rupture segments resolved, per session (0–100 %)."""
    data, sessions = _data(profile), _sessions(profile)
    fig, ax = _figure("Resolution rate per session", str(data.get("patient", "")))
    numbers = [int(s["session"]) for s in sessions]
    ax.set_ylabel("Resolved ruptures (%)")
    ax.set_ylim(0, 110)
    if _empty(ax, numbers, "No sessions"):
        return fig
    for n, s in zip(numbers, sessions, strict=True):
        rate = _metric(s, "resolution_rate")
        if rate is None:
            text = "not coded" if _coded(s) == 0 else "n/a"
            ax.text(n, 2, text, ha="center", va="bottom", fontsize=8, color="#666666")
            continue
        ax.bar(n, rate * 100, width=0.6, color=RESOLUTION)
        ax.text(n, rate * 100 + 1.5, f"{rate:.0%}", ha="center", va="bottom", fontsize=8,
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})  # fmt: skip
    trait = (data.get("trait_like") or {}).get("resolution_rate")
    if trait is not None:
        ax.axhline(float(trait) * 100, color=PATIENT_LINE, linestyle="--", linewidth=1.4,
                   label=f"Patient mean {float(trait):.0%}")  # fmt: skip
    _session_axis(ax, numbers)
    _legend(fig, ax)
    return fig


PLOTS: dict[str, tuple[str, FigureFunction]] = {
    "sessions": ("Rupture segments per session", session_bars),
    "significance": ("Significance per session", significance_lines),
    "balance": ("Withdrawal/confrontation balance", balance_plot),
    "resolution": ("Resolution rate per session", resolution_plot),
}
"""Plot name → (title, figure function), in the order the view and the report show them."""


def figure_bytes(fig: Figure, fmt: Format = "png", dpi: int = DEFAULT_DPI) -> bytes:
    """Encode a figure. SVG keeps text as text (``svg.fonttype`` none) so it stays
    editable in a journal's figure tool; metadata dates are dropped for stable output."""
    if fmt not in FORMATS:
        raise CoderError(f"plot format {fmt!r} must be one of {', '.join(FORMATS)}")
    buffer = io.BytesIO()
    metadata = {"Date": None} if fmt == "svg" else {"Software": None}
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "rupture-coder"}):
        fig.savefig(buffer, format=fmt, dpi=dpi, metadata=metadata, facecolor="white")
    return buffer.getvalue()


def render(
    fig_fn: FigureFunction, profile: ProfileLike, fmt: Format = "png", dpi: int = DEFAULT_DPI
) -> bytes | str:
    """PNG bytes (``fmt="png"``) or SVG text (``fmt="svg"``) of ``fig_fn(profile)``."""
    data = figure_bytes(fig_fn(profile), fmt, dpi)
    return data.decode("utf-8") if fmt == "svg" else data


def render_png(fig_fn: FigureFunction, profile: ProfileLike, dpi: int = DEFAULT_DPI) -> bytes:
    return figure_bytes(fig_fn(profile), "png", dpi)


def render_all(
    profile: ProfileLike, fmt: Format = "png", dpi: int = DEFAULT_DPI
) -> dict[str, bytes]:
    """Every plot of :data:`PLOTS`, encoded (SVG as UTF-8 bytes)."""
    return {name: figure_bytes(fn(profile), fmt, dpi) for name, (_, fn) in PLOTS.items()}


def format_of(path: Path, default: Format = "png") -> Format:
    suffix = path.suffix.lower().lstrip(".")
    if not suffix:
        return default
    for fmt in FORMATS:
        if suffix == fmt:
            return fmt
    raise CoderError("plots are written as .png or .svg", path=path)


def save_plot(
    path: Path,
    fig_fn: FigureFunction,
    profile: ProfileLike,
    fmt: Format | None = None,
    dpi: int = DEFAULT_DPI,
) -> Path:
    """Render ``fig_fn(profile)`` and write it to ``path`` (format from the suffix unless
    given)."""
    chosen = fmt or format_of(path)
    return write_atomically(path, figure_bytes(fig_fn(profile), chosen, dpi))
