"""The patient view's *Profile* tab: sessions × metrics table, balance and phases, plots.

Plots are PNG images from :mod:`coder.io.plots` (matplotlib's Agg canvas) shown in
labels: the same pictures the report and the exported files hold, with no second
plotting path to keep in step.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from coder.io import plots
from coder.io.profile_text import coverage_lines, fmt
from coder.ui.models.profile_model import ProfileTableModel
from coder.ui.style import MESSAGE_STYLE

PLOT_DPI = 84  # 6.4 × 3.6 in → about 540 × 300 px: two side by side in a 1200 px window


def summary_text(data: Mapping[str, Any]) -> str:
    """Coverage, balance index with its definition, totals, and phase clustering, as
    rich text."""
    phases = data.get("phases") or {}
    shares = " · ".join(f"{p} {fmt(v)}" for p, v in (phases.get("share") or {}).items())
    coverage = "".join(f"{html.escape(line)}<br>" for line in coverage_lines(data))
    open_text = data.get("disagreements_text")
    if open_text:
        coverage = f"<b>Consensus not final:</b> {html.escape(str(open_text))}.<br>" + coverage
    return (
        f"{coverage}"
        f"<b>Balance index</b> {fmt(data.get('balance_index'), '+.2f')} "
        f"(W {data.get('withdrawal_total', 0)}, C {data.get('confrontation_total', 0)}): "
        "(W − C)/(W + C) over all sessions, +1 only withdrawal, −1 only confrontation.<br>"
        f"<b>Rupture share by phase</b> {shares or '—'}; peak: "
        f"{phases.get('peak') or 'none (no ruptures or a tie)'}. "
        "<b>Mean</b> row: trait-like means over sessions."
    )


class ProfilePage(QScrollArea):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        inner = QWidget()
        layout = QVBoxLayout(inner)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet(MESSAGE_STYLE)
        self.message.hide()
        self.model = ProfileTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        grid = QGridLayout()
        self.plot_labels: dict[str, QLabel] = {}
        for i, (name, (title, _)) in enumerate(plots.PLOTS.items()):
            label = QLabel()
            label.setObjectName(f"plot_{name}")
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setToolTip(title)
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Minimum)
            self.plot_labels[name] = label
            grid.addWidget(label, i // 2, i % 2)
        layout.addWidget(self.message)
        layout.addWidget(self.table)
        layout.addWidget(self.summary)
        layout.addLayout(grid)
        layout.addStretch(1)
        self.setWidget(inner)

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def set_report(self, report: Any | None) -> None:
        """Show a ``PatientReport`` (or None: empty table, no plots)."""
        data = report.to_dict() if report is not None else None
        self.model.set_report(data)
        self._fit_table()
        self.summary.setText(summary_text(data) if data else "")
        ratio = self.devicePixelRatioF()
        for name, (_, fig_fn) in plots.PLOTS.items():
            label = self.plot_labels[name]
            if report is None:
                label.clear()
                continue
            pixmap = QPixmap()
            pixmap.loadFromData(
                plots.render_png(fig_fn, report.profile, dpi=round(PLOT_DPI * ratio))
            )
            pixmap.setDevicePixelRatio(ratio)
            label.setPixmap(pixmap)
            label.setMinimumHeight(round(pixmap.height() / ratio))

    def plot_pixmap(self, name: str) -> QPixmap:
        return self.plot_labels[name].pixmap()

    def _fit_table(self) -> None:
        """Tall enough for every row: the table is short and the page scrolls instead."""
        rows = self.model.rowCount()
        height = self.table.horizontalHeader().height() + 2 * self.table.frameWidth()
        height += sum(self.table.rowHeight(r) for r in range(rows)) or 24
        self.table.setFixedHeight(height + 2)
