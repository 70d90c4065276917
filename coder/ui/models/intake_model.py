"""Entry grids of the intake forms: IIP item responses and PD interview criterion ratings.

Cells keep exactly what was typed. Nothing is clamped or silently dropped: on *Save* the
text is parsed here and range-checked by the domain classes, whose message (field and
allowed range) the form shows inline. That way a typo such as ``5`` on a 0–4 item is
refused with a reason instead of being "corrected" behind the clinician's back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from coder.domain.errors import ValidationError
from coder.domain.intake import IIP_KEYS, PD_CRITERIA, PD_PRESENT, IIPVersion
from coder.ui.style import UNUSED_COLOUR

ModelIndex = QModelIndex | QPersistentModelIndex
EDITABLE = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEditable
READ_ONLY = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
UNUSED = QBrush(QColor(UNUSED_COLOUR))


def parse_whole(text: str, field: str, allowed: str) -> int | None:
    """Empty → None; a whole number → int; anything else is refused with the field name."""
    text = text.strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise ValidationError(f"{field}: {text!r} is not a whole number ({allowed})") from None


class _TextGrid(QAbstractTableModel):
    """Rows × columns of typed text; subclasses say which cells are editable."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._text: dict[tuple[int, int], str] = {}

    def editable(self, row: int, column: int) -> bool:
        """Read-only unless a subclass says otherwise."""
        return False

    def display(self, row: int, column: int) -> str:
        return self._text.get((row, column), "")

    def text(self, row: int, column: int) -> str:
        return self._text.get((row, column), "")

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return EDITABLE if self.editable(index.row(), index.column()) else READ_ONLY

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return self.display(row, column)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def setData(self, index: ModelIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        if not self.editable(index.row(), index.column()):
            return False
        self._text[(index.row(), index.column())] = "" if value is None else str(value).strip()
        last = self.columnCount() - 1
        self.dataChanged.emit(self.index(index.row(), 0), self.index(index.row(), last))
        return True

    def clear(self) -> None:
        self.beginResetModel()
        self._text.clear()
        self.endResetModel()


class IIPItemsModel(_TextGrid):
    """One row per item of the chosen IIP version: item, octant, response (0–4)."""

    HEADERS = ("Item", "Octant", "Response 0–4")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.version = IIPVersion.IIP_32
        self._octant_of: dict[int, str] = {}
        self.set_version(self.version)

    def set_version(self, version: IIPVersion) -> None:
        """Switch the item key; responses already typed for items that exist are kept."""
        self.beginResetModel()
        self.version = version
        key = IIP_KEYS[version]
        self._octant_of = {n: octant for octant, items in key.items() for n in items}
        n_items = len(self._octant_of)
        self._text = {k: v for k, v in self._text.items() if k[0] < n_items}
        self.endResetModel()

    def set_responses(self, responses: Mapping[int, int]) -> None:
        self.beginResetModel()
        self._text = {(number - 1, 2): str(value) for number, value in responses.items()}
        self.endResetModel()

    def responses(self) -> dict[int, int]:
        """Item number → response; empty cells are missing items. Non-numbers are refused
        here, out-of-range numbers by :meth:`coder.domain.intake.IIP.from_items`."""
        out: dict[int, int] = {}
        for row in range(self.rowCount()):
            value = parse_whole(self.text(row, 2), f"{self.version} item {row + 1}", "0–4")
            if value is not None:
                out[row + 1] = value
        return out

    def editable(self, row: int, column: int) -> bool:
        return column == 2

    def display(self, row: int, column: int) -> str:
        if column == 0:
            return str(row + 1)
        if column == 1:
            return self._octant_of.get(row + 1, "")
        return self.text(row, column)

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._octant_of)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section] if 0 <= section < len(self.HEADERS) else None
        return None


DISORDERS: tuple[str, ...] = tuple(PD_CRITERIA)
MAX_CRITERIA = max(n for n, _ in PD_CRITERIA.values())
SUMMARY = ("Sum", "Met (≥ 2)", "Needed")


class PDRatingsModel(_TextGrid):
    """One row per disorder: criterion cells 1…n (0–3), then sum, criteria met, needed.

    A disorder whose cells are all empty was not assessed; partly filled is refused.
    """

    def ratings(self, instrument: str) -> dict[str, tuple[int, ...]]:
        out: dict[str, tuple[int, ...]] = {}
        for row, disorder in enumerate(DISORDERS):
            n = PD_CRITERIA[disorder][0]
            values = [
                parse_whole(self.text(row, c), f"{instrument} {disorder} criterion {c}", "0–3")
                for c in range(1, n + 1)
            ]
            given = [v for v in values if v is not None]
            if not given:
                continue
            if len(given) != n:
                missing = [str(i) for i, v in enumerate(values, start=1) if v is None]
                raise ValidationError(
                    f"{instrument} {disorder}: criteria {', '.join(missing)} are not rated "
                    f"(rate all {n} criteria, or none if it was not assessed)"
                )
            out[disorder] = tuple(given)
        return out

    def set_ratings(self, ratings: Mapping[str, Sequence[int]]) -> None:
        self.beginResetModel()
        self._text = {
            (DISORDERS.index(d), c): str(v)
            for d, values in ratings.items()
            if d in DISORDERS
            for c, v in enumerate(values, start=1)
        }
        self.endResetModel()

    def _numbers(self, row: int) -> list[int]:
        n = PD_CRITERIA[DISORDERS[row]][0]
        found = []
        for c in range(1, n + 1):
            try:
                found.append(int(self.text(row, c)))
            except ValueError:
                continue
        return found

    def editable(self, row: int, column: int) -> bool:
        return 1 <= column <= PD_CRITERIA[DISORDERS[row]][0]

    def display(self, row: int, column: int) -> str:
        disorder = DISORDERS[row]
        if column == 0:
            return disorder.replace("_", "-")
        if column <= MAX_CRITERIA:
            return self.text(row, column)
        numbers = self._numbers(row)
        which = column - MAX_CRITERIA - 1
        if which == 2:
            return str(PD_CRITERIA[disorder][1])
        if not numbers:
            return ""
        return str(sum(numbers) if which == 0 else sum(v >= PD_PRESENT for v in numbers))

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (
            role == Qt.ItemDataRole.BackgroundRole
            and index.isValid()
            and 1 <= index.column() <= MAX_CRITERIA
            and not self.editable(index.row(), index.column())
        ):
            return UNUSED
        if role == Qt.ItemDataRole.TextAlignmentRole and index.isValid() and index.column() == 0:
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        return super().data(index, role)

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(DISORDERS)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 1 + MAX_CRITERIA + len(SUMMARY)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or orientation != Qt.Orientation.Horizontal:
            return None
        if section == 0:
            return "Disorder"
        if 1 <= section <= MAX_CRITERIA:
            return str(section)
        which = section - MAX_CRITERIA - 1
        return SUMMARY[which] if 0 <= which < len(SUMMARY) else None
