"""The session's global ratings (scope ``session``) as a small form, one combo per rating.

Three states must stay distinct, because reliability statistics treat them differently:
a scale value (``int``), *not applicable* (``None``, the value ``coder.app.coding``
stores for N/A) and *not rated yet* (:data:`NOT_RATED`, nothing stored). The form only
reports edits; the caller turns them into undoable commands and feeds stored values
back with :meth:`SessionRatingsForm.set_values`, which never echoes a signal.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from functools import partial
from typing import Final, TypeAlias

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QSizePolicy, QWidget

from coder.domain.scheme import RatingDef, Scheme, Scope


class Unrated(Enum):
    """A one-member enum rather than ``object()`` so type checkers can narrow on it."""

    NOT_RATED = "not rated"


NOT_RATED: Final = Unrated.NOT_RATED
RatingValue: TypeAlias = int | Unrated | None  # scale value, NOT_RATED, or N/A (None)
NOT_RATED_TEXT: Final = "—"
NA_TEXT: Final = "N/A"
MAX_SHOWN_CHARS: Final = 36  # longer anchors are shown whole in the popup and tooltip


def rating_choices(rating: RatingDef) -> list[tuple[str, RatingValue]]:
    """Combo items in order: not rated, each scale value (with its anchor), then N/A."""
    scale = rating.scale
    items: list[tuple[str, RatingValue]] = [(NOT_RATED_TEXT, NOT_RATED)]
    for value in range(scale.min, scale.max + 1):
        anchor = scale.anchors.get(value)
        items.append((f"{value} — {anchor}" if anchor else str(value), value))
    if scale.allow_na:
        items.append((NA_TEXT, None))
    return items


def rating_tooltip(rating: RatingDef) -> str:
    scale = rating.scale
    lines = [rating.definition] if rating.definition else []
    lines.append(f"Scale {scale.min}–{scale.max}" + ("; N/A allowed" if scale.allow_na else ""))
    lines += [f"{value} — {text}" for value, text in sorted(scale.anchors.items())]
    return "\n".join(lines)


class SessionRatingsForm(QWidget):
    """One row per session rating: label (tooltip: definition and anchors) and a combo.

    ``ratingEdited(rating_id, value)`` fires only when the *user* picks a different
    item: the combos' ``activated`` signal is used, which programmatic changes never
    emit, so loading stored values cannot be mistaken for an edit.
    """

    ratingEdited = Signal(str, object)  # rating id, RatingValue

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QFormLayout(self)
        self._layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        # A narrow panel puts the combo under its label instead of cutting the anchor
        # ("3 — To a moderate deg…"): a rater must read the anchor they pick.
        self._layout.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self._combos: dict[str, QComboBox] = {}
        self._choices: dict[str, list[RatingValue]] = {}
        self._values: dict[str, RatingValue] = {}
        self._read_only = False
        self.set_scheme(None)

    # ---- public API -------------------------------------------------------------
    def set_scheme(self, scheme: Scheme | None) -> None:
        """Rebuild the rows; every rating starts as not rated."""
        while self._layout.rowCount():
            self._layout.removeRow(0)
        self._combos.clear()
        self._choices.clear()
        self._values.clear()
        ratings = scheme.ratings_for(Scope.SESSION) if scheme else ()
        for rating in ratings:
            self._add_row(rating)
        if not ratings:
            self._layout.addRow(QLabel("This scheme has no session ratings."))

    def rating_ids(self) -> tuple[str, ...]:
        return tuple(self._combos)

    def combo(self, rating_id: str) -> QComboBox:
        return self._combos[rating_id]

    def value(self, rating_id: str) -> RatingValue:
        return self._values[rating_id]

    def values(self) -> dict[str, RatingValue]:
        return dict(self._values)

    def set_values(self, values: Mapping[str, RatingValue]) -> None:
        """Show stored values; a rating absent from ``values`` shows as not rated.

        Ids that are not session ratings of the scheme are ignored, so a caller may
        pass all of a session's codes. A value outside the scale (possible after a
        scheme revision) gets its own item rather than being hidden.
        """
        for rating_id, combo in self._combos.items():
            value = values.get(rating_id, NOT_RATED)
            choices = self._choices[rating_id]
            if value not in choices:
                combo.addItem(f"{value} (not on this scale)")
                choices.append(value)
            combo.setCurrentIndex(choices.index(value))
            self._values[rating_id] = value

    def setReadOnly(self, read_only: bool) -> None:  # Qt naming, like QLineEdit's
        """Disable editing, e.g. while the coding round is locked."""
        self._read_only = read_only
        for combo in self._combos.values():
            combo.setEnabled(not read_only)

    def isReadOnly(self) -> bool:
        return self._read_only

    # ---- internals --------------------------------------------------------------
    def _add_row(self, rating: RatingDef) -> None:
        combo = QComboBox()
        combo.setObjectName(f"rating_{rating.id}")
        combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        choices = rating_choices(rating)
        # Wide enough for the longest anchor (up to a sentence's worth): the row wraps
        # below its label rather than cutting the text; the popup shows longer ones whole.
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(
            min(MAX_SHOWN_CHARS, max(len(text) for text, _value in choices))
        )
        for text, _value in choices:
            combo.addItem(text)
            combo.setItemData(combo.count() - 1, text, Qt.ItemDataRole.ToolTipRole)
        combo.view().setMinimumWidth(combo.view().sizeHintForColumn(0) + 24)
        combo.setEnabled(not self._read_only)
        combo.activated.connect(partial(self._user_picked, rating.id))
        tooltip = rating_tooltip(rating)
        combo.setToolTip(tooltip)
        label = QLabel(rating.label)
        label.setToolTip(tooltip)
        label.setBuddy(combo)
        self._layout.addRow(label, combo)
        self._combos[rating.id] = combo
        self._choices[rating.id] = [value for _text, value in choices]
        self._values[rating.id] = NOT_RATED

    def _user_picked(self, rating_id: str, row: int) -> None:
        value = self._choices[rating_id][row]
        if value == self._values[rating_id]:
            return  # re-picking the shown item is not an edit
        self._values[rating_id] = value
        self.ratingEdited.emit(rating_id, value)
