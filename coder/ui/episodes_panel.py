"""Stage episodes (Safran & Muran pathways): list, start, end, rate, delete.

Stages themselves are added with the stage hotkeys (see the main window); this panel
shows each episode's stages in order, flags steps backwards, and shows the highest
stage reached and the resolution rating.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from coder.app.episodes import EpisodeView
from coder.ui.style import FLAG_COLOUR
from coder.ui.workspace import Workspace

EPISODE_ROLE = Qt.ItemDataRole.UserRole + 20
FLAG = "⚑ out of order"


class EpisodesModel(QStandardItemModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setHorizontalHeaderLabels(["Episode / stage", "Turn", "Note"])

    def set_episodes(self, ws: Workspace | None) -> None:
        self.removeRows(0, self.rowCount())
        if ws is None:
            return
        for ep in ws.episodes:
            pathway = ws.scheme.pathway(ep.pathway_id) if ep.pathway_id else None
            title = f"Episode {ep.index} — {pathway.label if pathway else 'no pathway'}"
            if not ws.own_id(ep.rater_id):
                title += f" ({ep.rater})"
            head = QStandardItem(title)
            head.setData(ep.index if ws.own_id(ep.rater_id) else None, EPISODE_ROLE)
            turn = QStandardItem(f"{ep.start_turn}–{ep.end_turn or '…'}")
            note = QStandardItem(_summary(ws, ep))
            for item in (head, turn, note):
                item.setEditable(False)
            for stage_code in ep.stages:
                _, stage = ws.scheme.stage(stage_code.code_id)
                flagged = stage_code.id in ep.flagged
                row = [
                    QStandardItem(f"{stage.order}. {stage.name}"),
                    QStandardItem(str(stage_code.evidence.turn if stage_code.evidence else "")),
                    QStandardItem(FLAG if flagged else ""),
                ]
                for item in row:
                    item.setEditable(False)
                    item.setData(ep.index if ws.own_id(ep.rater_id) else None, EPISODE_ROLE)
                if flagged:
                    row[2].setForeground(QColor(FLAG_COLOUR))
                head.appendRow(row)
            self.appendRow([head, turn, note])


def _summary(ws: Workspace, ep: EpisodeView) -> str:
    parts = []
    if ep.progress is not None and ep.progress.highest_stage:
        _, stage = ws.scheme.stage(ep.progress.highest_stage)
        parts.append(f"highest: {stage.order}. {stage.name}")
    resolved = ep.rating("EP_RESOLVED")
    if resolved is not None:
        scale = ws.scheme.rating("EP_RESOLVED").scale
        parts.append(f"resolution: {scale.anchors.get(resolved, resolved)}")
    if ep.flagged:
        parts.append(f"{len(ep.flagged)} out of order")
    return "; ".join(parts)


class EpisodesPanel(QWidget):
    """Signals carry requests; the window turns them into undo commands."""

    startRequested = Signal(str)  # pathway id (at the current turn)
    endRequested = Signal(int)  # episode index (at the current turn)
    deleteRequested = Signal(int)
    ratingRequested = Signal(int, str, object)  # episode, rating id, value

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.model = EpisodesModel(self)
        self.view = QTreeView()
        self.view.setModel(self.model)
        self.view.setUniformRowHeights(True)
        self.buttons = QHBoxLayout()
        self.end_button = QPushButton("End at current turn")
        self.delete_button = QPushButton("Delete episode")
        self.resolution = QComboBox()
        self.resolution.setToolTip("Episode resolution rating")
        self.end_button.clicked.connect(lambda: self._emit_for_selected(self.endRequested))
        self.delete_button.clicked.connect(lambda: self._emit_for_selected(self.deleteRequested))
        self.resolution.activated.connect(self._rate)
        self.hint = QLabel("Start an episode at a marker, then add stages with the stage keys.")
        self.hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.buttons)
        layout.addWidget(self.view)
        row = QHBoxLayout()
        row.addWidget(self.end_button)
        row.addWidget(self.delete_button)
        row.addWidget(QLabel("Resolved:"))
        row.addWidget(self.resolution)
        layout.addLayout(row)
        layout.addWidget(self.hint)
        self.ws: Workspace | None = None

    def set_workspace(self, ws: Workspace | None) -> None:
        while self.buttons.count():
            item = self.buttons.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.setParent(None)  # detach now; deleteLater alone left it painted
                widget.deleteLater()
        self.ws = ws
        self.resolution.clear()
        if ws is not None:
            for pathway in ws.scheme.pathways:
                button = QPushButton(f"New {pathway.id} episode")
                button.setToolTip(f"Start a {pathway.label} episode at the current turn")
                button.clicked.connect(lambda _=False, p=pathway.id: self.startRequested.emit(p))
                self.buttons.addWidget(button)
            if any(r.id == "EP_RESOLVED" for r in ws.scheme.ratings):
                scale = ws.scheme.rating("EP_RESOLVED").scale
                self.resolution.addItem("—", None)
                for value in range(scale.min, scale.max + 1):
                    self.resolution.addItem(
                        f"{value} {scale.anchors.get(value, '')}".strip(), value
                    )
        self.refresh()

    def refresh(self) -> None:
        # Keep the selected episode selected: End, Delete and the resolution combo act on
        # it, and a second arrow key on the combo must still rate the same episode.
        chosen = self.selected_episode()
        self.model.set_episodes(self.ws)
        self.view.expandAll()
        for column in range(3):
            self.view.resizeColumnToContents(column)
        for row in range(self.model.rowCount()):
            index = self.model.index(row, 0)
            if chosen is not None and index.data(EPISODE_ROLE) == chosen:
                self.view.setCurrentIndex(index)

    def selected_episode(self) -> int | None:
        index = self.view.currentIndex()
        if not index.isValid():
            return None
        value = index.siblingAtColumn(0).data(EPISODE_ROLE)
        return value if isinstance(value, int) else None

    def _emit_for_selected(self, signal: Any) -> None:
        episode = self.selected_episode()
        if episode is not None:
            signal.emit(episode)

    def _rate(self, position: int) -> None:
        episode = self.selected_episode()
        value = self.resolution.itemData(position)
        if episode is not None and value is not None:
            self.ratingRequested.emit(episode, "EP_RESOLVED", value)
