"""The formulation panel: the rules' suggestion with its reasons, the caveat, and the
clinician's decision beside it (the suggestion never disappears behind an override).

The panel only shows and asks: *Save decision* emits ``overrideRequested``; the patient
view calls :func:`coder.app.profiles.set_override` and reports back with
:meth:`FormulationPanel.show_status`. When coding is incomplete the rules suggest
nothing and the notice names the incomplete sessions; the *provisional* check box emits
``provisionalToggled`` and the view rebuilds the report with a suggestion labelled
provisional. A consensus with open disagreements says so in the same notice.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from coder.domain.formulation import PROVISIONAL_LABEL, Difficulty, Override, TypeLabel
from coder.domain.formulation_rules import type_text
from coder.io.profile_text import (
    approach_note,
    difficulty_label,
    evidence_text,
    vote_text,
)
from coder.ui.style import (
    CAVEAT_STYLE,
    EMPHASIS_STYLE,
    ERROR_STYLE,
    HEADLINE_STYLE,
    MUTED_STYLE,
    NOTICE_STYLE,
    OK_STYLE,
)

UNCHANGED = "(keep the suggestion)"
PROVISIONAL_TEXT = "Compute a provisional suggestion from incomplete coding"


def _big(text: str) -> QLabel:
    label = QLabel(text)
    label.setStyleSheet(HEADLINE_STYLE)
    return label


def _small(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet(MUTED_STYLE)
    return label


def reasons_html(formulation: Mapping[str, Any], approach: Mapping[str, Any] | None = None) -> str:
    """Fired rules with reason and evidence, rules left undetermined, approach texts:
    ``approach`` is the approach in force (following a clinician's decision, which the
    note above it says), else the rules' own."""
    esc = html.escape
    if formulation.get("status") == "withheld":
        sessions = "".join(
            f"<li>{esc(str(i))}</li>" for i in formulation.get("incomplete_sessions") or []
        )
        return (
            "<h3>Why nothing is suggested</h3><p>The rules run only when every session has at "
            f"least {float(formulation.get('min_session_coverage') or 1):.0%} of its segments "
            "coded (the rules file's <i>min_session_coverage</i>): uncoded segments are "
            "missing data, not segments without a rupture. Not coded enough:</p>"
            f"<ul>{sessions}</ul><p>Code them, record a decision, or tick the provisional "
            "box above.</p>"
        )
    parts = ["<h3>Why: rules that fired</h3>"]
    fired = formulation.get("fired_rules") or []
    if not fired:
        parts.append("<p>No rule fired.</p>")
    for rule in fired:
        found = rule.get("evidence") or []
        evidence = esc(evidence_text(found)).replace("\n", "<br>")
        parts.append(
            f"<p><b>{esc(str(rule.get('description') or rule.get('id')))}</b> "
            f"<span style='color:#666'>[{esc(str(rule.get('id')))} → "
            f"{esc(vote_text(rule.get('vote') or {}))}]</span><br>"
            f"{esc(str(rule.get('reason', '')))}"
            + (f"<br><span style='color:#555'>Evidence: {evidence}</span>" if found else "")
            + "</p>"
        )
    undetermined = formulation.get("undetermined_rules") or {}
    if undetermined:
        parts.append("<h3>Not evaluated: data missing</h3><ul>")
        for rule_id, missing in undetermined.items():
            parts.append(f"<li>{esc(rule_id)}: needs {esc(', '.join(missing))}</li>")
        parts.append("</ul>")
    approach = approach or formulation.get("recommended_approach") or {}
    texts = [t for t in (approach.get("type"), approach.get("difficulty")) if t]
    parts.append("<h3>Recommended approach</h3>")
    note = approach_note(approach)
    if note:
        parts.append(f"<p><i>{esc(note)}</i></p>")
    parts += [f"<p>{esc(str(t))}</p>" for t in texts] or ["<p>None: nothing was suggested.</p>"]
    return "".join(parts)


def notice_text(data: Mapping[str, Any] | None) -> str:
    """What the notice above the suggestion says: open disagreements of a consensus, and a
    withheld or provisional suggestion with the incomplete sessions ("" when neither)."""
    data = data or {}
    lines = []
    if data.get("disagreements_text"):
        lines.append(f"Consensus not final: {data['disagreements_text']}.")
    notice = (data.get("formulation") or {}).get("notice")
    if notice:
        lines.append(str(notice))
    return "\n".join(lines)


class FormulationPanel(QWidget):
    overrideRequested = Signal(object, object, str)  # type or None, difficulty or None, why
    provisionalToggled = Signal(bool)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet(NOTICE_STYLE)
        self.notice.hide()
        self.provisional = QCheckBox(PROVISIONAL_TEXT)
        self.provisional.setToolTip(
            "Below the rules file's coverage threshold nothing is suggested. Tick to see "
            f"what the rules would say anyway, labelled '{PROVISIONAL_LABEL}'."
        )
        self.provisional.toggled.connect(self.provisionalToggled.emit)
        self.suggested_type, self.suggested_difficulty = _big("—"), _small()
        self.type_reason, self.difficulty_reason = _small(), _small()
        suggestion = QGroupBox("Suggested by the rules")
        s_layout = QVBoxLayout(suggestion)
        for widget in (self.suggested_type, self.type_reason, self.suggested_difficulty,
                       self.difficulty_reason):  # fmt: skip
            s_layout.addWidget(widget)
        self.suggested_difficulty.setStyleSheet(EMPHASIS_STYLE)
        s_layout.addStretch(1)
        self.decided_type, self.decided_difficulty = _big("—"), _small()
        self.decided_difficulty.setStyleSheet(EMPHASIS_STYLE)
        self.decided_why, self.decided_who = _small(), _small()
        decision = QGroupBox("Clinician's decision (in force)")
        d_layout = QVBoxLayout(decision)
        for widget in (self.decided_type, self.decided_difficulty, self.decided_why,
                       self.decided_who):  # fmt: skip
            d_layout.addWidget(widget)
        d_layout.addStretch(1)
        top = QHBoxLayout()
        top.addWidget(suggestion, 1)
        top.addWidget(decision, 1)
        self.caveat = QLabel()
        self.caveat.setWordWrap(True)
        self.caveat.setStyleSheet(CAVEAT_STYLE)
        self.reasons = QTextBrowser()
        self.reasons.setOpenLinks(False)

        form_box = QGroupBox("Record a decision")
        self.type_combo, self.difficulty_combo = QComboBox(), QComboBox()
        self.type_combo.addItem(UNCHANGED, None)
        for label in TypeLabel:
            self.type_combo.addItem(f"Type {type_text(label.value)}", label.value)
        self.difficulty_combo.addItem(UNCHANGED, None)
        for axis in Difficulty:
            self.difficulty_combo.addItem(difficulty_label(axis.value), axis.value)
        self.rationale = QPlainTextEdit()
        self.rationale.setPlaceholderText("Rationale (required): why you decide this")
        self.rationale.setFixedHeight(70)
        self.save_button = QPushButton("Save decision")
        self.save_button.clicked.connect(self._save)
        self.status = QLabel()
        self.status.setWordWrap(True)
        form = QFormLayout(form_box)
        form.addRow("Type", self.type_combo)
        form.addRow("Difficulty", self.difficulty_combo)
        form.addRow("Rationale", self.rationale)
        form.addRow(self.save_button, self.status)
        self.history = QTreeWidget()
        self.history.setHeaderLabels(["When", "Who", "Type", "Difficulty", "Rationale"])
        self.history.setRootIsDecorated(False)
        history_box = QGroupBox("Decision history")
        QVBoxLayout(history_box).addWidget(self.history)

        lower = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(self.reasons, 1)
        right = QVBoxLayout()
        right.addWidget(form_box)
        right.addWidget(history_box, 1)
        lower.addLayout(left, 3)
        lower.addLayout(right, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.notice)
        layout.addWidget(self.provisional)
        layout.addLayout(top)
        layout.addWidget(self.caveat)
        layout.addLayout(lower, 1)

    # ---- showing -----------------------------------------------------------------------
    def set_report(self, data: Mapping[str, Any] | None, history: Sequence[Override] = ()) -> None:
        """Show ``PatientReport.to_dict()`` (None: nothing to show) and the history."""
        formulation = (data or {}).get("formulation") or {}
        kind = formulation.get("suggested_type")
        status = formulation.get("status")
        notice = notice_text(data)
        self.notice.setText(notice)
        self.notice.setVisible(bool(notice))
        self.provisional.setVisible(status in ("withheld", "provisional"))
        if status == "withheld":
            self.suggested_type.setText("No suggestion: coding incomplete")
        elif status == "provisional":
            self.suggested_type.setText(
                f"Type {kind} (provisional)" if kind else "No type suggested"
            )
        else:
            self.suggested_type.setText(f"Type {type_text(kind)}" if kind else "No type suggested")
        reason = formulation.get("type_reason", "")
        if status == "provisional":
            reason = f"{PROVISIONAL_LABEL}. Rule votes: {reason}"
        else:
            reason = f"Rule votes: {reason}"
        self.type_reason.setText(reason)
        self.suggested_difficulty.setText(
            f"Difficulty: {difficulty_label(formulation.get('difficulty'))}"
        )
        self.difficulty_reason.setText(str(formulation.get("difficulty_reason", "")))
        self.caveat.setText(f"<b>Caveat:</b> {html.escape(str(formulation.get('caveat', '')))}")
        in_force = (data or {}).get("approach_in_force")
        self.reasons.setHtml(reasons_html(formulation, in_force) if data else "")
        override = (data or {}).get("override")
        final = (data or {}).get("final") or {}
        if override:
            kept = " (as suggested)"
            self.decided_type.setText(
                f"Type {type_text(final.get('type'))}" + ("" if override.get("type") else kept)
            )
            self.decided_difficulty.setText(
                f"Difficulty: {difficulty_label(final.get('difficulty'))}"
                + ("" if override.get("difficulty") else kept)
            )
            self.decided_why.setText(f"Rationale: {override.get('rationale', '')}")
            when = str(override.get("when", "")).replace("T", " ")
            self.decided_who.setText(f"Decided by {override.get('who')} on {when}")
        else:
            self.decided_type.setText("No decision yet")
            self.decided_difficulty.setText("")
            self.decided_why.setText("The suggestion stands until a clinician records a decision.")
            self.decided_who.setText("")
        self.history.clear()
        for o in reversed(history):
            item = QTreeWidgetItem(
                [
                    o.when.isoformat(sep=" ", timespec="minutes"), o.who, o.type or "—",
                    difficulty_label(o.difficulty), o.rationale,
                ]
            )  # fmt: skip
            item.setToolTip(4, o.rationale)
            self.history.addTopLevelItem(item)
        for column in range(4):
            self.history.resizeColumnToContents(column)

    def show_status(self, message: str, *, error: bool) -> None:
        self.status.setStyleSheet(ERROR_STYLE if error else OK_STYLE)
        self.status.setText(message)

    def clear_form(self) -> None:
        self.type_combo.setCurrentIndex(0)
        self.difficulty_combo.setCurrentIndex(0)
        self.rationale.clear()

    def _save(self) -> None:
        self.overrideRequested.emit(
            self.type_combo.currentData(),
            self.difficulty_combo.currentData(),
            self.rationale.toPlainText(),
        )
