"""A reliability table as a Qt model: one row per code, code family or rating.

Columns are fixed for one table: what the row is (kind, item, label, unit), the units and
raters behind it, the headline statistics of its rows (:func:`coder.app.reliability.headline`
chooses them per kind of unit: kappa-type for presence codes, ICC and weighted kappa for
ratings), and the interpretation band with its source. A statistic a row does not report
stays blank; an undefined one shows "—" with the reason as its tooltip.
"""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from coder.app.reliability import ReliabilityRow, ReliabilityTable
from coder.app.reliability_format import HEADLINE_TITLES, band_statistic, headline, method_note
from coder.stats.icc import NAMES as ICC_NAMES
from coder.stats.reliability import BOOTSTRAP_HOW, TITLES, Stat, how_computed, interpret
from coder.stats.result import interpret_all, scales_for
from coder.ui.style import MISSING_COLOUR

Index = QModelIndex | QPersistentModelIndex
ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the ReliabilityRow of a line
FIXED = ("Kind", "Item", "Label", "Unit", "n units", "n raters")
N_UNITS, N_RATERS = 4, 5
STAT_ORDER = tuple(HEADLINE_TITLES)
SHORT = HEADLINE_TITLES
BAND_COLOURS = {
    "poor": "#f4d0d0",
    "unreliable": "#f4d0d0",
    "slight": "#f4d0d0",
    "fair": "#fbe7c2",
    "moderate": "#fbe7c2",
    "tentative conclusions only": "#fbe7c2",
    "substantial": "#dcefd5",
    "good": "#dcefd5",
    "reliable": "#cfe8c6",
    "almost perfect": "#c3e3b8",
    "excellent": "#c3e3b8",
}


def stat_title(method: str) -> str:
    """A statistic's full name; ICC forms with both Shrout & Fleiss and McGraw & Wong names."""
    if method in ICC_NAMES:
        shrout, mcgraw = ICC_NAMES[method]
        return f"{shrout} = McGraw & Wong {mcgraw}"
    return TITLES.get(method, method)


def stat_cell(stat: Stat) -> str:
    """The value with its 95% CI, e.g. 0.82 [0.61, 0.95]; "—" when undefined."""
    if stat.value is None:
        return "—"
    ci = f" [{stat.ci95[0]:.2f}, {stat.ci95[1]:.2f}]" if stat.ci95 else ""
    return f"{stat.value:.2f}{ci}"


def how_text(stat: Stat) -> str:
    try:
        text = how_computed(stat.method)
    except ValueError:
        return ""
    own_ci = stat.method.startswith("ICC") or stat.method == "u_alpha"  # F-based; sessions
    if stat.ci95 is not None and not own_ci:
        text += " " + BOOTSTRAP_HOW
    return text


def stat_tooltip(stat: Stat) -> str:
    """Rich text (so Qt wraps it): the value, its n, how it is computed, and the note."""
    parts = [
        f"<b>{escape(stat_title(stat.method))}</b>: {escape(stat_cell(stat))}",
        f"n = {stat.n_units} units, {stat.n_raters} raters",
        escape(how_text(stat)),
    ]
    if stat.note:
        parts.append(f"<i>Note: {escape(stat.note)}</i>")
    return "<p>" + "</p><p>".join(p for p in parts if p) + "</p>"


def band(row: ReliabilityRow) -> tuple[str, str]:
    """("good (Koo & Li (2016))", label) for the row's band statistic; "—" if undefined;
    "no band" (never coloured) for a statistic without published bands."""
    name, stat = band_statistic(row)
    if stat.value is None:
        return "—", ""
    if not scales_for(name):
        return "no band (descriptive, not chance-corrected)", ""
    label, source = interpret(name, stat.value)
    return f"{label} ({source})", label


def band_tooltip(row: ReliabilityRow) -> str:
    name, stat = band_statistic(row)
    head = f"<b>{escape(stat_title(stat.method))}</b> {escape(stat_cell(stat))}"
    if stat.value is None:
        return f"<p>{head}: undefined</p><p><i>{escape(stat.note or '')}</i></p>"
    if not scales_for(name):
        return f"<p>{head}: no interpretation band was published for this statistic</p>"
    lines = [
        f"{escape(label)} under {escape(src)}" for label, src in interpret_all(name, stat.value)
    ]
    refs = [escape(scale.source) for scale in scales_for(name)]
    return f"<p>{head}: {'; '.join(lines)}</p><p>{'<br>'.join(refs)}</p>"


def details_html(row: ReliabilityRow) -> str:
    """Every statistic of a row with its CI, n, band and note, then how each is computed."""
    report = row.report
    shown = {key for key, _ in headline(row)}
    boot = (
        f"bootstrap CIs from {report.bootstrap} resamples (seed {report.seed})"
        if report.bootstrap
        else "no bootstrap CIs (resamples set to 0)"
    )
    text, _ = band(row)
    out = [
        f"<h3>{escape(row.item)} — {escape(row.label)}</h3>",
        f"<p>{escape(row.kind)}; unit: {escape(row.unit)}; level: {report.level}; "
        f"<b>n units {report.n_units}</b>, <b>n raters {report.n_raters}</b>; {boot}.</p>",
        f"<p>Band: <b>{escape(text)}</b></p>",
        f"<p>{escape(method_note(row))}</p>",
        "<table border='1' cellspacing='0' cellpadding='3'><tr><th>Statistic</th>"
        "<th>Value [95% CI]</th><th>n</th><th>Band</th><th>Note</th></tr>",
    ]
    entries = [*report.stats.items(), *report.icc.items()]
    for key, stat in entries:
        bands = "; ".join(f"{label} ({src})" for label, src in interpret_all(key, stat.value))
        name = escape(stat_title(stat.method))
        out.append(
            f"<tr><td>{f'<b>{name}</b>' if key in shown else name}</td>"
            f"<td>{escape(stat_cell(stat))}</td><td>{stat.n_units}</td>"
            f"<td>{escape(bands)}</td><td>{escape(stat.note or '')}</td></tr>"
        )
    out.append("</table><h4>How computed</h4>")
    for _, stat in entries:
        how = how_text(stat)
        if how:
            out.append(f"<p><b>{escape(stat_title(stat.method))}</b>: {escape(how)}</p>")
    return "\n".join(out)


class ReliabilityModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.table: ReliabilityTable | None = None
        self.rows: tuple[ReliabilityRow, ...] = ()
        self.stat_keys: list[str] = []
        self._stats: list[dict[str, Stat]] = []

    def set_table(self, table: ReliabilityTable | None) -> None:
        self.beginResetModel()
        self.table = table
        self.rows = table.rows if table else ()
        self._stats = [dict(headline(row)) for row in self.rows]
        used = {key for stats in self._stats for key in stats}
        self.stat_keys = [key for key in STAT_ORDER if key in used]
        self.endResetModel()

    def headers(self) -> list[str]:
        return [*FIXED, *(SHORT[k] for k in self.stat_keys), "Band"]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or not self.rows else len(FIXED) + len(self.stat_keys) + 1

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < self.columnCount():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.headers()[section]
        if role == Qt.ItemDataRole.ToolTipRole and len(FIXED) <= section < len(FIXED) + len(
            self.stat_keys
        ):
            return stat_title(self.stat_keys[section - len(FIXED)])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, col = self.rows[index.row()], index.column()
        if role == ROW_ROLE:
            return row
        if col < len(FIXED):
            return self._fixed(row, col, role)
        if col < len(FIXED) + len(self.stat_keys):
            stat = self._stats[index.row()].get(self.stat_keys[col - len(FIXED)])
            return None if stat is None else self._stat(stat, role)
        text, label = band(row)
        if role == Qt.ItemDataRole.DisplayRole:
            return text
        if role == Qt.ItemDataRole.ToolTipRole:
            return band_tooltip(row)
        if role == Qt.ItemDataRole.BackgroundRole and label in BAND_COLOURS:
            return QColor(BAND_COLOURS[label])
        return None

    def _fixed(self, row: ReliabilityRow, col: int, role: int) -> Any:
        values = (row.kind, row.item, row.label, row.unit, row.report.n_units, row.report.n_raters)
        if role == Qt.ItemDataRole.DisplayRole:
            return str(values[col])
        if role == Qt.ItemDataRole.ToolTipRole and col == 2:
            return row.label
        if role == Qt.ItemDataRole.ToolTipRole and col == 3:
            return method_note(row)
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (N_UNITS, N_RATERS):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _stat(self, stat: Stat, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return stat_cell(stat)
        if role == Qt.ItemDataRole.ToolTipRole:
            return stat_tooltip(stat)
        if role == Qt.ItemDataRole.ForegroundRole and stat.value is None:
            return QColor(MISSING_COLOUR)
        return None
