"""The disagreement browser: where raters differ, the passage as each rater marked it, and
the lead's consensus decision (stored by :mod:`coder.app.consensus` as the consensus
rater's code, linked to the disagreement it settled).

Keyboard, with the list focused: ↑/↓ move through disagreements, 1–9 take rater N's
value, Enter settles and moves to the next open disagreement. A settled line, revisited,
shows its decision and memo.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

from PySide6.QtCore import (
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QSignalBlocker,
    Qt,
    QTimer,
)
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from coder.app import consensus, disagreements
from coder.app import schemes as scheme_service
from coder.app.disagreements import ABSENT, Disagreement, Value
from coder.app.identity import ActingRater
from coder.domain.errors import CoderError
from coder.domain.scheme import RatingScale
from coder.store.database import ProjectDatabase
from coder.ui.models.disagreements_model import (
    LABEL,
    DisagreementsModel,
    Passages,
    header_html,
    rater_columns,
    show_value,
    unit_text,
)
from coder.ui.style import ERROR_STYLE

DIGITS = {getattr(Qt.Key, f"Key_{n}"): n for n in range(1, 10)}
KEY_PRESS = QEvent.Type.KeyPress
ROWS = QAbstractItemView.SelectionBehavior.SelectRows
ONE = QAbstractItemView.SelectionMode.SingleSelection
NO_EDITS = QAbstractItemView.EditTrigger.NoEditTriggers


def hbox(*items: QWidget | QLayout | str, stretch: QWidget | None = None) -> QHBoxLayout:
    """A row of widgets and layouts (a string becomes a label); ``stretch`` widens."""
    row = QHBoxLayout()
    for item in items:
        if isinstance(item, QLayout):
            row.addLayout(item)
        else:
            row.addWidget(QLabel(item) if isinstance(item, str) else item, int(item is stretch))
    return row


class ConsensusPanel(QWidget):
    """The disagreements :func:`coder.app.disagreements.find_disagreements` finds for the
    chosen scheme and raters (filtered), and for the selected one the passage in one
    read-only browser per compared rater (a handful; never a widget per turn) with that
    rater's evidence highlighted, and the decision controls."""

    def __init__(self, db: ProjectDatabase, coder: ActingRater, choices: Any) -> None:
        """``choices`` has ``scheme_key()`` and ``selected_raters()`` (the window's)."""
        super().__init__()
        self.db, self.coder, self.choices = db, coder, choices
        self.passages = Passages(db)
        self.d: Disagreement | None = None
        self.scale: RatingScale | None = None
        self.presence, self.chosen = True, False
        self.show_settled = QCheckBox("Show settled")
        self.show_settled.setChecked(True)
        self.show_settled.toggled.connect(self.refresh)
        self.filter = QLineEdit(placeholderText="Filter: item, label, patient, S2, segment 3…")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(
            lambda text: self._keeping_selection(lambda: self.model.set_filter(text))
        )
        self.count = QLabel()
        self.model = DisagreementsModel(self)
        self.view = QTableView()
        self.view.setSelectionBehavior(ROWS)
        self.view.setSelectionMode(ONE)
        self.view.setEditTriggers(NO_EDITS)
        self.view.setModel(self.model)
        self.view.verticalHeader().setDefaultSectionSize(22)
        self.view.selectionModel().currentRowChanged.connect(self._current_changed)
        self.view.installEventFilter(self)
        self.header = QLabel(wordWrap=True)
        self.titles: list[QLabel] = []
        self.browsers: list[QTextBrowser] = []
        self.take_buttons: list[QPushButton] = []
        self.columns, self.takes = QHBoxLayout(), QHBoxLayout()
        self.rating_editor, self.code_editor = QSpinBox(), QComboBox()
        self.code_editor.addItem("present ✓", 1)
        self.code_editor.addItem("absent —", ABSENT)
        for signal in (self.rating_editor.valueChanged, self.code_editor.currentIndexChanged):
            signal.connect(self._edited)
        self.memo = QLineEdit(placeholderText="Memo: why this value (kept with the decision)")
        self.settle_button = QPushButton("Settle (Enter)")
        self.settle_button.clicked.connect(self.settle)
        self.withdraw_button = QPushButton("Withdraw decision")
        self.withdraw_button.clicked.connect(self.withdraw)
        passage = QWidget()
        passage_layout = QVBoxLayout(passage)
        passage_layout.setContentsMargins(0, 0, 0, 0)
        passage_layout.addWidget(self.header)
        passage_layout.addLayout(self.columns, 1)
        editors = (self.rating_editor, self.code_editor, self.memo)
        buttons = (self.settle_button, self.withdraw_button)
        passage_layout.addLayout(
            hbox(self.takes, "Other value:", *editors, *buttons, stretch=self.memo)
        )
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.view)
        split.addWidget(passage)
        split.setSizes([300, 420])
        self.status = QLabel(wordWrap=True)
        layout = QVBoxLayout(self)
        layout.addLayout(hbox(self.show_settled, self.filter, self.count, stretch=self.filter))
        layout.addWidget(split, 1)
        layout.addWidget(self.status)
        self.show_disagreement(None)

    def say(self, text: str, error: bool = False) -> None:
        self.status.setStyleSheet(ERROR_STYLE if error else "")
        self.status.setText(text)

    # ---- the list -----------------------------------------------------------------------
    def refresh(self) -> None:
        """Ask the service again (after a decision, or when the choices change)."""
        found: list[Disagreement] = []
        scheme, key, raters = None, self.choices.scheme_key(), self.choices.selected_raters()
        try:
            scheme = scheme_service.load_project_scheme(self.db, key)
            if len(raters) < 2:
                self.say("Tick at least two raters to compare.")
            else:
                settled = self.show_settled.isChecked()
                found = disagreements.find_disagreements(
                    self.db, self.coder, scheme_key=key, raters=raters, include_settled=settled
                )
        except CoderError as exc:
            self.say(str(exc), error=True)
        self._keeping_selection(lambda: self.model.set_found(found, scheme))

    def _keeping_selection(self, change: Callable[[], None]) -> None:
        """Apply ``change`` to the list, keeping the selection on the same disagreement
        if it is still listed, else on the same row."""
        key, row = (self.d.key if self.d else None), self.view.currentIndex().row()
        change()
        self.view.horizontalHeader().setSectionResizeMode(LABEL, QHeaderView.ResizeMode.Stretch)
        self.count.setText(self.model.summary())
        target = self.model.row_of(key) if key else None
        if target is None and self.model.items:
            target = min(max(row, 0), len(self.model.items) - 1)
        index = self.model.index(target, 0) if target is not None else QModelIndex()
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect
        self.view.selectionModel().setCurrentIndex(index, flags | flags.Rows)
        self._current_changed(index)

    def _current_changed(self, index: QModelIndex, *_: object) -> None:
        self.show_disagreement(self.model.item(index.row()) if index.isValid() else None)

    # ---- the passage --------------------------------------------------------------------
    def _columns_for(self, count: int) -> None:
        """One column (name and value over the passage) and one take button per rater."""
        while len(self.browsers) < count:
            n, title, browser = len(self.browsers) + 1, QLabel(), QTextBrowser(openLinks=False)
            column = QVBoxLayout()
            column.addWidget(title)
            column.addWidget(browser, 1)
            self.columns.addLayout(column, 1)
            mine = browser.verticalScrollBar()
            for other in (b.verticalScrollBar() for b in self.browsers):  # scroll together
                other.valueChanged.connect(mine.setValue)
                mine.valueChanged.connect(other.setValue)
            button = QPushButton()
            button.setToolTip(f"Key {n}: use this rater's value as the consensus")
            button.clicked.connect(lambda _=False, n=n: self.take(n))
            self.takes.addWidget(button)
            self.titles.append(title)
            self.browsers.append(browser)
            self.take_buttons.append(button)
        for i, title in enumerate(self.titles):
            for widget in (title, self.browsers[i], self.take_buttons[i]):
                widget.setVisible(i < count)

    def show_disagreement(self, d: Disagreement | None) -> None:
        turns = self.passages.turns(d) if d else []
        self.d, self.presence = d, d is None or self.model.is_presence(d)
        self.scale = self.model.scale(d) if d else None
        columns = rater_columns(d, self.presence, turns) if d else []
        self._columns_for(len(columns))
        for n, column in enumerate(columns):
            self.titles[n].setText(column.title)
            self.browsers[n].setHtml(column.passage)
            if column.has_evidence:  # once the passage is laid out
                QTimer.singleShot(0, lambda b=self.browsers[n]: b.scrollToAnchor("evidence"))
            self.take_buttons[n].setText(column.take)
            self.take_buttons[n].setEnabled(column.usable)
        self.rating_editor.setVisible(not self.presence)
        self.code_editor.setVisible(self.presence)
        if self.scale is not None:
            with QSignalBlocker(self.rating_editor):
                self.rating_editor.setRange(self.scale.min - self.scale.allow_na, self.scale.max)
                self.rating_editor.setSpecialValueText("N/A" if self.scale.allow_na else "")
        self.header.setText(header_html(d, self.presence))
        self.memo.setText(d.memo if d and d.settled else "")  # revisited: the decision's memo
        self._set_editor(d.decided if d and d.settled else None)
        self.chosen = bool(d and d.settled)  # nothing is settled until a value is picked
        self.taken_from: str | None = None
        if d is not None and d.settled and d.how:  # how the decision was reached
            self.header.setText(
                f"{header_html(d, self.presence)}<br><i>Decided: {escape(d.how)}</i>"
            )
        self.settle_button.setEnabled(self.chosen)
        self.withdraw_button.setEnabled(self.chosen)

    # ---- the decision -------------------------------------------------------------------
    def _set_editor(self, value: Value | None) -> None:
        spin = self.rating_editor
        with QSignalBlocker(spin), QSignalBlocker(self.code_editor):
            self.code_editor.setCurrentIndex(1 if value == ABSENT else 0)
            spin.setValue(value if isinstance(value, int) and not self.presence else spin.minimum())

    def _edited(self) -> None:
        self.chosen = self.d is not None
        self.taken_from = None  # a value typed or picked by the lead is the lead's own
        self.settle_button.setEnabled(self.chosen)

    def value(self) -> Value:
        """The value in the editor: 1 or ABSENT for a code; a scale value or None (N/A)."""
        if self.presence:
            chosen: Value = self.code_editor.currentData()
            return chosen
        spin, allow_na = self.rating_editor, self.scale is not None and self.scale.allow_na
        return None if allow_na and spin.value() == spin.minimum() else spin.value()

    def take(self, n: int) -> bool:
        """Put rater ``n``'s value (1-based, in column order) into the editor."""
        d = self.d
        if d is None or not 1 <= n <= len(d.values) or not self.take_buttons[n - 1].isEnabled():
            return False
        self._set_editor(d.values[sorted(d.values)[n - 1]])
        self._edited()
        self.taken_from = sorted(d.values)[n - 1]  # recorded with the decision
        return True

    def _decide(self, action: Callable[[Disagreement], object], done: str) -> bool:
        d = self.d
        if d is None:
            return False
        try:
            action(d)
        except CoderError as exc:
            self.say(str(exc), error=True)
            return False
        self.say(done.format(what=f"{d.item} in {d.patient} S{d.session} {unit_text(d)}"))
        self.refresh()
        self.view.setFocus()
        return True

    def settle(self) -> bool:
        """Store the editor's value as the consensus for the selected disagreement."""
        if not self.chosen:
            return False
        value, memo, key = self.value(), self.memo.text(), self.choices.scheme_key()
        taken = self.taken_from
        return self._decide(
            lambda d: consensus.settle(
                self.db, self.coder, d, value, memo, scheme_key=key, taken_from=taken
            ),
            "Settled {what}: " + show_value(value, self.presence),
        )

    def settle_and_next(self) -> bool:
        """Enter: settle, then go on to the next disagreement still open."""
        settled = self.d.key if self.d else None
        done = self.settle()
        if done and settled is not None:
            self.go_to_next_open(settled)
        return done

    def go_to_next_open(self, after: tuple[str, int, str, int, str]) -> bool:
        """Select the next disagreement still open after ``after`` (wrapping round)."""
        items = self.model.items
        here = self.model.row_of(after)
        if here is None:  # hidden once settled: the row now shown there comes next
            current = self.view.currentIndex().row()
            order = list(range(max(current, 0), len(items))) + list(range(0, max(current, 0)))
        else:
            order = list(range(here + 1, len(items))) + list(range(0, here))
        target = next((row for row in order if not self.model.item(row).settled), None)
        if target is None:
            self.say(self.status.text() + " — no open disagreements left")
            return False
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect
        self.view.selectionModel().setCurrentIndex(self.model.index(target, 0), flags | flags.Rows)
        self.view.scrollTo(self.model.index(target, 0))
        return True

    def withdraw(self) -> bool:
        key = self.choices.scheme_key()
        return self._decide(
            lambda d: consensus.unsettle(self.db, self.coder, d, scheme_key=key),
            "Withdrew the decision on {what}",
        )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.view and isinstance(event, QKeyEvent) and event.type() == KEY_PRESS:
            plain = not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            if event.key() in DIGITS and plain:
                return self.take(DIGITS[event.key()]) or True
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                return self.settle_and_next() or True
        return super().eventFilter(watched, event)
