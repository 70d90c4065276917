"""Intake forms of the patient view: IIP and SUIP-I (PD interview and notes are in
:mod:`coder.ui.intake_pd_notes`).

Each form is a group box with its own *Save* button and an inline status line. A form
turns what was typed into a domain object (:mod:`coder.domain.intake` range-checks every
value) and hands it to the ``store`` callable the view gives it (a ``coder.app.intake``
service). Any refusal is shown in red under the form; nothing is stored then, and
nothing the user typed is cleared.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from coder.domain.errors import CoderError, ValidationError
from coder.domain.intake import DEFAULT_SUIP_LABELS, IIP, OCTANTS, SUIPI, IIPVersion
from coder.io.profile_text import fmt
from coder.ui.models.intake_model import IIPItemsModel
from coder.ui.style import ERROR_STYLE, OK_STYLE
from coder.ui.subclassing import require_methods

OCTANT_NAMES = {
    "PA": "domineering", "BC": "vindictive", "DE": "cold", "FG": "socially avoidant",
    "HI": "nonassertive", "JK": "exploitable", "LM": "overly nurturant", "NO": "intrusive",
}  # fmt: skip
"""IIP-C scale names (Alden, Wiggins & Pincus 1990): names of scales, not item text."""
NOT_RATED = "—"


class IntakeForm(QGroupBox):
    """Base: a body, then *Save* and the status line. Subclasses implement :meth:`collect`."""

    saved = Signal(str)  # the form's title, after a successful save

    def __init__(
        self, title: str, store: Callable[[Any], None], parent: Any = None, *, compact: bool = False
    ) -> None:
        super().__init__(title, parent)
        self.store = store
        self.body = QVBoxLayout()
        self.save_button = QPushButton("Save")
        self.save_button.setObjectName(f"save_{type(self).__name__}")
        self.save_button.clicked.connect(self.save)
        self.status = QLabel()
        self.status.setWordWrap(True)
        footer = QHBoxLayout()
        footer.addWidget(self.save_button)
        footer.addWidget(self.status, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(self.body, 0 if compact else 1)
        layout.addLayout(footer)
        if compact:  # keep Save right under a short form
            layout.addStretch(1)

    def __init_subclass__(cls, **kwargs: object) -> None:
        """A form says how to read what is typed: ``collect`` returns the domain object
        or raises ValidationError (storing is the callable the view passes in)."""
        super().__init_subclass__(**kwargs)
        require_methods(cls, IntakeForm, ("collect",))

    collect: Callable[[], object]  # the domain object read from the form (see above)

    def save(self) -> bool:
        try:
            value = self.collect()
            self.store(value)
        except CoderError as exc:
            self.show_error(str(exc))
            return False
        self.show_ok("Saved.")
        self.saved.emit(self.title())
        return True

    def show_error(self, message: str) -> None:
        self.status.setStyleSheet(ERROR_STYLE)
        self.status.setText(f"Not saved: {message}")

    def show_ok(self, message: str) -> None:
        self.status.setStyleSheet(OK_STYLE)
        self.status.setText(message)


def parse_score(text: str, field: str) -> float:
    text = text.strip().replace(",", ".")
    if not text:
        raise ValidationError(f"{field}: enter a score (allowed 0–4)")
    try:
        return float(text)
    except ValueError:
        raise ValidationError(f"{field}: {text!r} is not a number (allowed 0–4)") from None


class IIPForm(IntakeForm):
    """IIP version, then either the eight octant means or the item responses (0–4)."""

    MODES = ("Octant scores (0–4)", "Item responses (0–4)")

    def __init__(self, store: Callable[[IIP], None], parent: Any = None) -> None:
        super().__init__("Inventory of Interpersonal Problems (IIP)", store, parent, compact=True)
        self.version = QComboBox()
        for version in IIPVersion:
            self.version.addItem(version.value, version)
        self.version.setCurrentIndex(self.version.findData(IIPVersion.IIP_32))
        self.mode = QComboBox()
        self.mode.addItems(self.MODES)
        top = QFormLayout()
        top.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        top.addRow("Version", self.version)
        top.addRow("Enter", self.mode)
        self.body.addLayout(top)

        octant_page = QWidget()
        grid = QGridLayout(octant_page)
        self.octants: dict[str, QLineEdit] = {}
        for i, octant in enumerate(OCTANTS):
            edit = QLineEdit()
            edit.setObjectName(f"octant_{octant}")
            edit.setPlaceholderText("0–4")
            edit.setMaximumWidth(80)
            self.octants[octant] = edit
            label = QLabel(f"<b>{octant}</b> {OCTANT_NAMES[octant]}")
            label.setBuddy(edit)
            grid.addWidget(label, i % 4, (i // 4) * 2)
            grid.addWidget(edit, i % 4, (i // 4) * 2 + 1)
        grid.setColumnStretch(4, 1)
        self.items = IIPItemsModel(self)
        self.items_view = QTableView()
        self.items_view.setModel(self.items)
        self.items_view.verticalHeader().hide()
        self.items_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.items_view.setEditTriggers(
            QAbstractItemView.EditTrigger.AllEditTriggers
            & ~QAbstractItemView.EditTrigger.CurrentChanged
        )
        self.items_view.setMinimumHeight(420)
        self.items_view.hide()
        self.octant_page = octant_page
        self.body.addWidget(octant_page)
        self.body.addWidget(self.items_view)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.body.addWidget(self.summary)
        self.mode.currentIndexChanged.connect(self._mode_changed)
        self.version.currentIndexChanged.connect(
            lambda _: self.items.set_version(self.current_version())
        )

    def _mode_changed(self, mode: int) -> None:
        self.octant_page.setVisible(mode == 0)
        self.items_view.setVisible(mode == 1)

    def current_version(self) -> IIPVersion:
        return IIPVersion(self.version.currentData())

    def collect(self) -> IIP:
        version = self.current_version()
        if self.mode.currentIndex() == 1:
            return IIP.from_items(version, self.items.responses())
        scores = {o: parse_score(e.text(), f"IIP octant {o}") for o, e in self.octants.items()}
        return IIP.from_octants(version, scores)

    def set_value(self, iip: IIP | None, ssm: Mapping[str, Any] | None = None) -> None:
        """Show the stored IIP (items if they were entered, else the octant means)."""
        if iip is not None:
            self.version.setCurrentIndex(self.version.findData(iip.version))
            for octant, edit in self.octants.items():
                edit.setText(f"{iip.octants[octant]:g}")
            if iip.items:
                self.items.set_responses(iip.items)
            self.mode.setCurrentIndex(1 if iip.items else 0)
        self.set_summary(ssm)

    def set_summary(self, ssm: Mapping[str, Any] | None) -> None:
        if ssm is None:
            self.summary.setText("Structural summary: enter and save the scores to see it.")
            return
        scale = " (norm z scores)" if ssm.get("scale") != "raw" else ""
        self.summary.setText(
            f"Structural summary{scale}: elevation {fmt(ssm.get('elevation'))} · "
            f"x (communion) {fmt(ssm.get('x'))} · y (agency) {fmt(ssm.get('y'))} · "
            f"amplitude {fmt(ssm.get('amplitude'))} · displacement "
            f"{fmt(ssm.get('displacement'), '.0f')}° · R² {fmt(ssm.get('r2'))}"
        )


class SUIPForm(IntakeForm):
    """Six insight levels, one Likert rating each; labels and range are editable because
    neither is verified (docs/profiles.md §4)."""

    def __init__(self, store: Callable[[SUIPI], None], parent: Any = None) -> None:
        super().__init__(
            "Structured Interview of Personality Insight (SUIP-I)", store, parent, compact=True
        )
        self.minimum = QSpinBox()
        self.maximum = QSpinBox()
        for spin, value in ((self.minimum, 1), (self.maximum, 5)):
            spin.setRange(0, 10)
            spin.setValue(value)
            spin.valueChanged.connect(self._rebuild_choices)
        scale = QHBoxLayout()
        scale.addWidget(QLabel("Ratings from"))
        scale.addWidget(self.minimum)
        scale.addWidget(QLabel("to"))
        scale.addWidget(self.maximum)
        scale.addStretch(1)
        self.body.addLayout(scale)
        rows = QGridLayout()
        rows.addWidget(QLabel("<b>Insight level</b>"), 0, 0)
        rows.addWidget(QLabel("<b>Rating</b>"), 0, 1)
        self.labels: list[QLineEdit] = []
        self.ratings: list[QComboBox] = []
        for i, default in enumerate(DEFAULT_SUIP_LABELS):
            label, rating = QLineEdit(default), QComboBox()
            label.setMinimumWidth(320)
            rating.setMinimumContentsLength(4)
            label.setObjectName(f"suip_label_{i + 1}")
            rating.setObjectName(f"suip_rating_{i + 1}")
            rows.addWidget(label, i + 1, 0)
            rows.addWidget(rating, i + 1, 1)
            self.labels.append(label)
            self.ratings.append(rating)
        rows.setColumnStretch(2, 1)
        self.body.addLayout(rows)
        self._rebuild_choices()

    def _rebuild_choices(self) -> None:
        """Offer not rated, then min…max; a rating still inside the new range is kept."""
        for combo in self.ratings:
            kept = combo.currentData()
            combo.clear()
            combo.addItem(NOT_RATED, None)
            for value in range(self.minimum.value(), self.maximum.value() + 1):
                combo.addItem(str(value), value)
            position = combo.findData(kept) if kept is not None else 0
            combo.setCurrentIndex(max(position, 0))

    def set_rating(self, level: int, value: int | None) -> None:
        """Select ``value`` for level 1–6 (None = not rated)."""
        combo = self.ratings[level - 1]
        combo.setCurrentIndex(max(combo.findData(value), 0) if value is not None else 0)

    def collect(self) -> SUIPI:
        labels = tuple(
            e.text().strip() or d for e, d in zip(self.labels, DEFAULT_SUIP_LABELS, strict=True)
        )
        ratings = tuple(c.currentData() for c in self.ratings)
        return SUIPI(ratings, self.minimum.value(), self.maximum.value(), labels)

    def set_value(self, suip: SUIPI | None) -> None:
        if suip is None:
            return
        for spin, value in ((self.minimum, suip.scale_min), (self.maximum, suip.scale_max)):
            spin.blockSignals(True)
            spin.setValue(value)
            spin.blockSignals(False)
        self._rebuild_choices()
        for i, (label, rating) in enumerate(zip(suip.labels, suip.ratings, strict=True), start=1):
            self.labels[i - 1].setText(label)
            self.set_rating(i, rating)
