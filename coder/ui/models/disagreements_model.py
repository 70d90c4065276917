"""Disagreements between raters as a Qt table, and the passage text shown beside one.

One row per :class:`coder.app.disagreements.Disagreement`; one column per compared rater
with that rater's value ("✓" present, "—" absent or not rated, "N/A"), then the status
(open, or settled with the decided value).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from coder.app import browse
from coder.app.disagreements import ABSENT, Disagreement, Value
from coder.domain.coding import TextSpan, Unit
from coder.domain.scheme import RatingScale, Scheme
from coder.domain.transcript import Turn
from coder.store.database import ProjectDatabase
from coder.ui.models.turns_model import ROLE_COLOURS
from coder.ui.style import EVIDENCE_COLOUR, SETTLED_COLOUR

Index = QModelIndex | QPersistentModelIndex
FIXED = ("Patient", "Session", "Unit", "Item", "Label")
LABEL = 4  # the column that takes the spare width
SETTLED_BACKGROUND = QColor(SETTLED_COLOUR)


def show_value(value: Value | None, presence: bool) -> str:
    """How a rater's (or the decided) value reads in the table and on buttons."""
    if value == ABSENT:
        return "—"
    if value is None:
        return "N/A"
    if presence and value == 1:
        return "✓"
    return str(value)


def unit_text(d: Disagreement) -> str:
    return f"segment {d.unit_index}" if d.unit is Unit.SEGMENT else f"whole {d.unit.value}"


def status_text(d: Disagreement, presence: bool) -> str:
    return f"settled: {show_value(d.decided, presence)}" if d.settled else "open"


def header_html(d: Disagreement | None, presence: bool) -> str:
    if d is None:
        return "Select a disagreement to see the passage."
    where = f" (turns {d.first_turn}–{d.last_turn})" if d.first_turn else ""
    return (
        f"<b>{escape(d.patient)} · session {d.session} · {unit_text(d)}</b>{where} — "
        f"<b>{escape(d.item)}</b> {escape(d.label)} — {status_text(d, presence)}"
        + (f" — memo: <i>{escape(d.memo)}</i>" if d.settled and d.memo else "")
    )


def short_names(raters: Sequence[str]) -> list[str]:
    """First names where they are unique ("Take Ada's"), else the full names."""
    first = [r.split()[0] if r.split() else r for r in raters]
    return first if len(set(first)) == len(first) else list(raters)


@dataclass(frozen=True, slots=True)
class RaterColumn:
    """What the passage panel shows for one rater of a disagreement."""

    title: str  # rich text: name and value
    passage: str  # HTML: the turns with this rater's evidence highlighted
    take: str  # the take-value button's text
    usable: bool  # a missing rating is no decision: its button is disabled
    has_evidence: bool


def rater_columns(d: Disagreement, presence: bool, turns: Sequence[Turn]) -> list[RaterColumn]:
    raters = sorted(d.values)
    whole = f"<p><i>{escape(d.label)}: rated for the whole session.</i></p>"
    columns = []
    for n, (rater, name) in enumerate(zip(raters, short_names(raters), strict=True), start=1):
        value, spans = d.values[rater], d.evidence.get(rater, ())
        shown = show_value(value, presence)
        columns.append(
            RaterColumn(
                f"<b>{escape(rater)}</b>: {shown}",
                passage_html(turns, spans) if turns else whole,
                f"Take {name}'s: {shown}  [{n}]",
                presence or value != ABSENT,
                bool(spans),
            )
        )
    return columns


def matches(d: Disagreement, text: str) -> bool:
    """The item filter: every word must occur in item, label, patient or "S<session>"."""
    hay = f"{d.item} {d.label} {d.patient} S{d.session} {unit_text(d)}".lower()
    return all(word in hay for word in text.lower().split())


class DisagreementsModel(QAbstractTableModel):
    """The found disagreements that match the filter text; one column per rater."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.found: list[Disagreement] = []
        self.items: list[Disagreement] = []  # the shown ones
        self.raters: list[str] = []
        self.scheme: Scheme | None = None
        self.text = ""

    def set_found(self, found: Sequence[Disagreement], scheme: Scheme | None) -> None:
        self.found, self.scheme = list(found), scheme
        self._reset()

    def set_filter(self, text: str) -> None:
        self.text = text
        self._reset()

    def _reset(self) -> None:
        self.beginResetModel()
        self.items = [d for d in self.found if matches(d, self.text)]
        self.raters = sorted({r for d in self.found for r in d.values})
        self.endResetModel()

    def summary(self) -> str:
        still_open = sum(not d.settled for d in self.found)
        return f"{len(self.items)} of {len(self.found)} shown · {still_open} open"

    def item(self, row: int) -> Disagreement:
        return self.items[row]

    def row_of(self, key: tuple[str, int, str, int, str]) -> int | None:
        return next((i for i, d in enumerate(self.items) if d.key == key), None)

    def is_presence(self, d: Disagreement) -> bool:
        return self.scheme is not None and self.scheme.is_code(d.item)

    def scale(self, d: Disagreement) -> RatingScale | None:
        """The rating scale of a rating's disagreement (None for a presence code)."""
        if self.scheme is None or not self.scheme.is_rating(d.item):
            return None
        return self.scheme.rating(d.item).scale

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.items)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(FIXED) + len(self.raters) + 1

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1) if 0 <= section < self.rowCount() else None
        if not 0 <= section < self.columnCount():
            return None
        if section < len(FIXED):
            return FIXED[section]
        if section < len(FIXED) + len(self.raters):
            return self.raters[section - len(FIXED)]
        return "Status"

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        d = self.items[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.BackgroundRole:
            return SETTLED_BACKGROUND if d.settled else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return d.label if col == LABEL else None
        if role == Qt.ItemDataRole.TextAlignmentRole and col >= len(FIXED):
            return int(Qt.AlignmentFlag.AlignCenter)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        presence = self.is_presence(d)
        if col < len(FIXED):
            return (d.patient, str(d.session), unit_text(d), d.item, d.label)[col]
        if col < len(FIXED) + len(self.raters):
            rater = self.raters[col - len(FIXED)]
            return show_value(d.values.get(rater, ABSENT), presence)
        return status_text(d, presence)


def _marked(text: str, spans: Sequence[tuple[int, int]], colour: str) -> str:
    """``text`` as HTML with the character ranges in ``spans`` highlighted."""
    marks = [False] * len(text)
    for start, end in spans:
        for i in range(max(start, 0), min(end, len(text))):
            marks[i] = True
    out: list[str] = []
    i = 0
    while i < len(text):
        j = i
        while j < len(text) and marks[j] == marks[i]:
            j += 1
        chunk = escape(text[i:j])
        out.append(f"<span style='background:{colour}'>{chunk}</span>" if marks[i] else chunk)
        i = j
    return "".join(out)


def passage_html(
    turns: Sequence[Turn], spans: Sequence[TextSpan], colour: str = EVIDENCE_COLOUR
) -> str:
    """The turns of a passage, one paragraph each, with ``spans`` highlighted; the first
    highlighted turn carries the anchor ``evidence`` so a view can scroll to it."""
    by_turn: dict[int, list[tuple[int, int]]] = {}
    for span in spans:
        by_turn.setdefault(span.turn, []).append((span.start, span.end))
    paragraphs: list[str] = []
    anchored = False
    for turn in turns:
        marked = by_turn.get(turn.index, [])
        anchor = "" if anchored or not marked else "<a name='evidence'></a>"
        anchored = anchored or bool(marked)
        speaker = ROLE_COLOURS[turn.role].name()
        paragraphs.append(
            f"<p>{anchor}<span style='color:#888'>{turn.index}</span> "
            f"<b style='color:{speaker}'>{escape(turn.speaker)}</b>: "
            f"{_marked(turn.text, marked, colour)}</p>"
        )
    return "\n".join(paragraphs)


class Passages:
    """The turns of a disagreement's passage; each session's transcript is loaded once."""

    def __init__(self, db: ProjectDatabase) -> None:
        self.db = db
        self._turns: dict[tuple[str, int], dict[int, Turn]] = {}

    def turns(self, d: Disagreement) -> list[Turn]:
        if d.first_turn is None or d.last_turn is None:
            return []  # a session rating: no passage
        key = (d.patient, d.session)
        if key not in self._turns:
            transcript = browse.load_transcript(self.db, d.patient, d.session)
            self._turns[key] = {t.index: t for t in transcript.turns}
        by_index = self._turns[key]
        return [by_index[i] for i in range(d.first_turn, d.last_turn + 1) if i in by_index]
