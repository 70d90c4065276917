"""Who is coding? Asked when a project opens, because every code is stamped with a rater
and blinding depends on the rater's role (a lead sees everyone's codes).

Identity is an explicit choice, never a remembered setting that silently carries over
(the QualCoder "codername" confusion). The dialog preselects the last rater who signed
in *on this computer for this project* (:mod:`coder.app.preferences`), which on a shared
lab computer is a guess worth offering; with no such record it selects nobody, so
pressing Enter can never sign in as whoever happens to sort first. A lead gives the lab
passphrase, a rater with a PIN gives it, and when the project requires sign-in a rater
without a PIN chooses one here (typed twice). Errors from ``coder.app`` are shown inline
and the dialog stays open: a wrong PIN should cost one retype, not a message box.
``choose_coder`` is the only place the dialog is run modally; tests drive the methods.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from coder.app import identity, preferences, projects, raters
from coder.app.identity import ActingRater, SignInNeed
from coder.domain.errors import CoderError
from coder.domain.project import Rater
from coder.domain.roles import RaterRole
from coder.store.database import ProjectDatabase
from coder.ui.style import ERROR_STYLE


class IdentityDialog(QDialog):
    """Pick (or add) the rater you are and give what signing in needs: the lab
    passphrase for a lead, the PIN for a rater who has one, a new PIN (twice) when the
    project requires one and the rater has none yet.

    ``preselect`` (e.g. the current rater when switching) wins over the remembered last
    rater. After a successful :meth:`try_accept`, :attr:`coder` holds the signed-in rater.
    """

    def __init__(
        self, db: ProjectDatabase, parent: QWidget | None = None, preselect: str | None = None
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.coder: ActingRater | None = None
        self._raters: list[Rater] = []
        self._items: list[QTreeWidgetItem] = []
        self._need: SignInNeed | None = None
        self.setWindowTitle(f"Who is coding? — {projects.project_name(db)}")

        intro = QLabel("Choose who you are. Every code you make is stamped with this name.")
        intro.setWordWrap(True)
        self.raters_view = QTreeWidget()
        self.raters_view.setHeaderLabels(["Name", "Initials", "Role"])
        self.raters_view.setRootIsDecorated(False)
        self.raters_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.raters_view.itemSelectionChanged.connect(self._selection_changed)
        self.raters_view.itemDoubleClicked.connect(lambda *_: self.try_accept())
        self.hint_label = QLabel("No raters yet: add yourself below.")

        self.passphrase_edit = QLineEdit()
        self.passphrase_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin_edit = QLineEdit()
        self.pin_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.new_pin_hint = QLabel(
            "This project asks every rater to sign in with a PIN (or passphrase) of at "
            f"least {identity.MIN_PIN} characters. Choose yours; you will give it each "
            "time you sign in, and a lead can reset it if you forget it."
        )
        self.new_pin_hint.setWordWrap(True)
        self.new_pin_edit = QLineEdit()
        self.new_pin_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.new_pin_repeat = QLineEdit()
        self.new_pin_repeat.setEchoMode(QLineEdit.EchoMode.Password)
        self.sign_in_form = QFormLayout()
        self.sign_in_form.addRow("Lab passphrase", self.passphrase_edit)
        self.sign_in_form.addRow("PIN", self.pin_edit)
        self.sign_in_form.addRow(self.new_pin_hint)
        self.sign_in_form.addRow("Choose a PIN", self.new_pin_edit)
        self.sign_in_form.addRow("Repeat the PIN", self.new_pin_repeat)

        self.new_name = QLineEdit()
        self.new_initials = QLineEdit()
        self.new_initials.setMaxLength(4)
        self.new_initials.setPlaceholderText("1–4 letters, e.g. AL")
        self.new_role = QComboBox()
        for role in (RaterRole.RATER, RaterRole.LEAD):
            self.new_role.addItem(role.value, role.value)
        self.new_role.currentIndexChanged.connect(self._new_role_changed)
        self.new_passphrase = QLineEdit()
        self.new_passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.new_passphrase_hint = QLabel()
        self.new_passphrase_hint.setWordWrap(True)
        self.add_button = QPushButton("Add")
        self.add_button.clicked.connect(self.add_rater)
        self.add_box = QGroupBox("Add rater…")
        self.add_form = QFormLayout(self.add_box)
        self.add_form.addRow("Name", self.new_name)
        self.add_form.addRow("Initials", self.new_initials)
        self.add_form.addRow("Role", self.new_role)
        self.add_form.addRow("Lab passphrase", self.new_passphrase)
        self.add_form.addRow(self.new_passphrase_hint)
        self.add_form.addRow(self.add_button)

        self.error_label = QLabel()
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.setWordWrap(True)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.try_accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.raters_view)
        layout.addWidget(self.hint_label)
        layout.addLayout(self.sign_in_form)
        layout.addWidget(self.add_box)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)

        self.refresh(preselect or preferences.last_rater(db))
        self._new_role_changed()
        (self._secret_field() or (self.raters_view if self._raters else self.new_name)).setFocus()

    # ---- state --------------------------------------------------------------------
    def refresh(self, select: str | None = None) -> None:
        """Reload raters (the consensus pseudo-rater is nobody's identity) and select
        ``select``, else keep the current choice, else nobody: an explicit choice is
        needed, so Enter never signs in as someone else."""
        keep = select or self.selected_name()
        self._raters = [
            r
            for r in raters.list_raters(self.db)
            if r.role not in (RaterRole.CONSENSUS, RaterRole.MACHINE)
        ]
        self.raters_view.clear()
        self._items = [QTreeWidgetItem([r.name, r.initials, r.role.value]) for r in self._raters]
        self.raters_view.addTopLevelItems(self._items)
        self.hint_label.setVisible(not self._raters)
        if keep:
            self.select_rater(keep)
        self._selection_changed()
        has_passphrase = identity.has_lab_passphrase(self.db)
        self.new_passphrase_hint.setText(
            "A new lead must give the lab passphrase."
            if has_passphrase
            else f"The first lead sets the lab passphrase (at least {identity.MIN_PASSPHRASE}"
            " characters); later leads and every lead sign-in need it."
        )

    def select_rater(self, name: str) -> bool:
        """Select the rater named exactly ``name``; False if there is none."""
        for row, rater in enumerate(self._raters):
            if rater.name == name.strip():
                self.raters_view.setCurrentItem(self._items[row])
                return True
        return False

    def selected_rater(self) -> Rater | None:
        item = self.raters_view.currentItem()
        if item is None or not item.isSelected():
            return None
        return self._raters[self.raters_view.indexOfTopLevelItem(item)]

    def selected_name(self) -> str | None:
        rater = self.selected_rater()
        return rater.name if rater else None

    def selected_is_lead(self) -> bool:
        rater = self.selected_rater()
        return rater is not None and rater.role is RaterRole.LEAD

    # ---- actions ------------------------------------------------------------------
    def sign_in_need(self) -> SignInNeed | None:
        """What the selected rater needs to sign in (None: nobody selected)."""
        return self._need

    def try_accept(self) -> bool:
        """Sign in as the selected rater; on success close with :attr:`coder` set.

        A rater choosing their first PIN stores it (one transaction) before signing in
        with it; a refused sign-in afterwards leaves the PIN set, which is what they chose.
        """
        name = self.selected_name()
        if name is None:
            self.show_error("Choose who is coding, or add yourself below.")
            return False
        need = self._need
        secret: str | None = None
        if need is SignInNeed.LAB_PASSPHRASE:
            secret = self.passphrase_edit.text()
        elif need is SignInNeed.PIN:
            secret = self.pin_edit.text()
        elif need is SignInNeed.NEW_PIN:
            secret = self.new_pin_edit.text()
            if secret != self.new_pin_repeat.text():
                self._refuse("the two PINs differ: type the same PIN in both fields")
                return False
        try:
            if need is SignInNeed.NEW_PIN and secret is not None:
                identity.set_rater_secret(self.db, None, name, secret)
            self.coder = identity.sign_in(self.db, name, secret)
        except CoderError as exc:
            self._refuse(str(exc))
            return False
        preferences.remember_rater(self.db, self.coder.name)
        self.show_error("")
        self.accept()
        return True

    def add_rater(self) -> bool:
        """Add the rater described in the "Add rater…" section and select them."""
        role = RaterRole(self.new_role.currentData())
        name, initials = self.new_name.text().strip(), self.new_initials.text().strip()
        passphrase = self.new_passphrase.text()
        try:
            Rater(name, initials, role)  # check name and initials before the passphrase
            if role is RaterRole.LEAD:
                added = identity.add_lead(self.db, name, initials, passphrase)
            else:
                added = raters.add_rater(self.db, name, initials, role)
        except CoderError as exc:
            self.show_error(str(exc))
            return False
        self.show_error("")
        for edit in (self.new_name, self.new_initials, self.new_passphrase):
            edit.clear()
        self.refresh(select=added.name)
        if role is RaterRole.LEAD:
            self.passphrase_edit.setText(passphrase)  # they just typed it
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setFocus()
        return True

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))

    # ---- internals ----------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter inside "Add rater…" adds the rater instead of pressing OK."""
        in_add_box = self.add_box.isAncestorOf(self.focusWidget())
        if in_add_box and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.add_rater()
            return
        super().keyPressEvent(event)

    def _refuse(self, message: str) -> None:
        """Show why signing in failed and put the cursor where the fix is typed."""
        self.show_error(message)
        field = self._secret_field()
        if field is not None:
            field.selectAll()
            field.setFocus()

    def _secret_field(self) -> QLineEdit | None:
        """The field the selected rater types their secret into, if they need one."""
        fields = {
            SignInNeed.LAB_PASSPHRASE: self.passphrase_edit,
            SignInNeed.PIN: self.pin_edit,
            SignInNeed.NEW_PIN: self.new_pin_edit,
        }
        return fields.get(self._need) if self._need is not None else None

    def _selection_changed(self) -> None:
        """Show the one secret field the selected rater needs (none for a rater without
        a PIN), and forget PINs typed for someone else."""
        name = self.selected_name()
        self._need = None
        message = ""
        if name is not None:
            try:
                self._need = identity.sign_in_need(self.db, name)
            except CoderError as exc:
                message = str(exc)
        shown = {
            self.passphrase_edit: self._need is SignInNeed.LAB_PASSPHRASE,
            self.pin_edit: self._need is SignInNeed.PIN,
            self.new_pin_hint: self._need is SignInNeed.NEW_PIN,
            self.new_pin_edit: self._need is SignInNeed.NEW_PIN,
            self.new_pin_repeat: self._need is SignInNeed.NEW_PIN,
        }
        for widget, visible in shown.items():
            self.sign_in_form.setRowVisible(widget, visible)
            widget.setEnabled(visible)
        for edit in (self.pin_edit, self.new_pin_edit, self.new_pin_repeat):
            edit.clear()
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(self._need is not None)
        self.show_error(message)

    def _new_role_changed(self) -> None:
        is_lead = self.new_role.currentData() == RaterRole.LEAD.value
        self.add_form.setRowVisible(self.new_passphrase, is_lead)
        self.add_form.setRowVisible(self.new_passphrase_hint, is_lead)


def choose_coder(
    db: ProjectDatabase, parent: QWidget | None = None, preselect: str | None = None
) -> ActingRater | None:
    """Ask who is coding; None if the user cancels. The one modal ``exec()`` call."""
    dialog = IdentityDialog(db, parent, preselect)
    try:
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        return dialog.coder if accepted else None
    finally:
        dialog.deleteLater()
