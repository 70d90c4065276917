from __future__ import annotations

import pytest
from backend import NewProject
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLineEdit
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from coder.app import identity, preferences, raters
from coder.app.identity import SignInNeed
from coder.domain.roles import RaterRole
from coder.store.database import ProjectDatabase
from coder.ui.identity_dialog import IdentityDialog

PASSPHRASE = "correct horse"


@pytest.fixture
def lab(project: ProjectDatabase) -> ProjectDatabase:
    """A rater, a lead (who set the passphrase) and the consensus pseudo-rater."""
    raters.add_rater(project, "Ana Rater", "AR")
    identity.add_lead(project, "Lee Lead", "LL", PASSPHRASE)
    identity.consensus_coder(project)
    return project


def make(qtbot: QtBot, db: ProjectDatabase, preselect: str | None = None) -> IdentityDialog:
    dialog = IdentityDialog(db, preselect=preselect)
    qtbot.addWidget(dialog)
    return dialog


def listed(dialog: IdentityDialog) -> list[list[str]]:
    view = dialog.raters_view
    items = [view.topLevelItem(r) for r in range(view.topLevelItemCount())]
    return [[item.text(c) for c in range(3)] for item in items if item is not None]


def fill_new_rater(
    qtbot: QtBot,
    dialog: IdentityDialog,
    name: str,
    initials: str,
    role: RaterRole,
    phrase: str = "",
) -> None:
    qtbot.keyClicks(dialog.new_name, name)
    qtbot.keyClicks(dialog.new_initials, initials)
    dialog.new_role.setCurrentIndex(dialog.new_role.findData(role.value))
    qtbot.keyClicks(dialog.new_passphrase, phrase)


def test_lists_raters_without_consensus(
    qtbot: QtBot, qtmodeltester: ModelTester, lab: ProjectDatabase
) -> None:
    dialog = make(qtbot, lab)
    qtmodeltester.check(dialog.raters_view.model())
    assert listed(dialog) == [["Ana Rater", "AR", "rater"], ["Lee Lead", "LL", "lead"]]
    assert dialog.selected_name() is None  # nobody when nothing is preselected or remembered
    assert not dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()
    assert not dialog.hint_label.isVisibleTo(dialog)


def test_passphrase_only_for_leads(qtbot: QtBot, lab: ProjectDatabase) -> None:
    assert make(qtbot, lab, preselect="lee lead").selected_name() is None  # exact names only
    dialog = make(qtbot, lab, preselect="Lee Lead")
    assert dialog.selected_name() == "Lee Lead"
    assert dialog.passphrase_edit.isVisibleTo(dialog) and dialog.passphrase_edit.isEnabled()
    assert dialog.passphrase_edit.echoMode() == dialog.passphrase_edit.EchoMode.Password
    dialog.select_rater("Ana Rater")
    assert not dialog.passphrase_edit.isVisibleTo(dialog)
    assert not dialog.passphrase_edit.isEnabled()


def test_lead_needs_the_right_passphrase(qtbot: QtBot, lab: ProjectDatabase) -> None:
    dialog = make(qtbot, lab, preselect="Lee Lead")
    qtbot.keyClicks(dialog.passphrase_edit, "not it at all")
    assert dialog.try_accept() is False
    assert dialog.error_label.text() == "wrong lab passphrase"
    assert dialog.error_label.isVisibleTo(dialog)
    assert dialog.coder is None and dialog.result() != QDialog.DialogCode.Accepted

    dialog.passphrase_edit.clear()
    qtbot.keyClicks(dialog.passphrase_edit, PASSPHRASE)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)  # OK goes through try_accept
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.coder is not None and dialog.coder.is_lead
    assert dialog.coder.name == "Lee Lead"
    assert not dialog.error_label.isVisibleTo(dialog)


def test_rater_signs_in_without_passphrase(qtbot: QtBot, lab: ProjectDatabase) -> None:
    dialog = make(qtbot, lab, preselect="Ana Rater")
    assert dialog.try_accept() is True
    assert dialog.coder is not None and dialog.coder.name == "Ana Rater"
    assert not dialog.coder.is_lead


def test_cancel_leaves_no_coder(qtbot: QtBot, lab: ProjectDatabase) -> None:
    dialog = make(qtbot, lab)
    qtbot.mouseClick(
        dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel), Qt.MouseButton.LeftButton
    )
    assert dialog.result() == QDialog.DialogCode.Rejected and dialog.coder is None


def test_added_rater_appears_selected(qtbot: QtBot, lab: ProjectDatabase) -> None:
    dialog = make(qtbot, lab)
    assert not dialog.new_passphrase.isVisibleTo(dialog)  # role "rater" needs none
    fill_new_rater(qtbot, dialog, "Bo Berg", "bb", RaterRole.RATER)
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert ["Bo Berg", "BB", "rater"] in listed(dialog)
    assert dialog.selected_name() == "Bo Berg"
    assert dialog.new_name.text() == "" and dialog.new_initials.text() == ""
    assert dialog.result() != QDialog.DialogCode.Accepted


def test_enter_in_add_section_adds_instead_of_accepting(qtbot: QtBot, lab: ProjectDatabase) -> None:
    dialog = make(qtbot, lab)
    dialog.show()  # modeless: Enter needs a focused widget
    qtbot.waitExposed(dialog)
    fill_new_rater(qtbot, dialog, "Cy Cole", "CC", RaterRole.RATER)
    dialog.new_initials.setFocus()
    qtbot.keyClick(dialog.new_initials, Qt.Key.Key_Return)
    assert dialog.selected_name() == "Cy Cole"
    assert dialog.isVisible() and dialog.coder is None


def test_add_errors_are_inline(qtbot: QtBot, lab: ProjectDatabase) -> None:
    dialog = make(qtbot, lab)
    fill_new_rater(qtbot, dialog, "ana rater", "AR", RaterRole.RATER)
    assert dialog.add_rater() is False
    assert "already exists" in dialog.error_label.text()
    dialog.new_name.clear()
    assert dialog.add_rater() is False
    assert "must not be empty" in dialog.error_label.text()


def test_first_lead_sets_the_passphrase(qtbot: QtBot, project: ProjectDatabase) -> None:
    dialog = make(qtbot, project)
    assert listed(dialog) == [] and dialog.hint_label.isVisibleTo(dialog)
    assert dialog.try_accept() is False and "Choose who is coding" in dialog.error_label.text()

    fill_new_rater(qtbot, dialog, "Lee Lead", "LL", RaterRole.LEAD, "short")
    assert dialog.new_passphrase.isVisibleTo(dialog)
    assert "at least 8 characters" in dialog.new_passphrase_hint.text()
    assert dialog.add_rater() is False
    assert dialog.error_label.text() == "the lab passphrase needs at least 8 characters"
    assert listed(dialog) == [] and not identity.has_lab_passphrase(project)

    dialog.new_passphrase.clear()
    qtbot.keyClicks(dialog.new_passphrase, PASSPHRASE)
    assert dialog.add_rater() is True
    assert identity.has_lab_passphrase(project)
    assert listed(dialog) == [["Lee Lead", "LL", "lead"]]
    assert "must give the lab passphrase" in dialog.new_passphrase_hint.text()
    assert dialog.try_accept() is True  # the passphrase just set was carried over
    assert dialog.coder is not None and dialog.coder.is_lead


def test_later_lead_must_know_the_passphrase(qtbot: QtBot, lab: ProjectDatabase) -> None:
    dialog = make(qtbot, lab)
    fill_new_rater(qtbot, dialog, "Mo Lead", "ML", RaterRole.LEAD, "guessing wrong")
    assert dialog.add_rater() is False
    assert dialog.error_label.text() == "wrong lab passphrase"
    assert "Mo Lead" not in [row[0] for row in listed(dialog)]
    dialog.new_passphrase.clear()
    qtbot.keyClicks(dialog.new_passphrase, PASSPHRASE)
    assert dialog.add_rater() is True
    assert ["Mo Lead", "ML", "lead"] in listed(dialog)


# ---- no accidental identity: nothing preselected, or the last rater on this computer ----
def shown(qtbot: QtBot, db: ProjectDatabase, preselect: str | None = None) -> IdentityDialog:
    """A visible dialog: Enter needs a focused widget and the default button."""
    dialog = make(qtbot, db, preselect)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def press_enter(qtbot: QtBot, dialog: IdentityDialog) -> None:
    widget = dialog.focusWidget()
    assert widget is not None
    qtbot.keyClick(widget, Qt.Key.Key_Return)


def test_enter_with_nothing_remembered_signs_in_nobody(qtbot: QtBot, lab: ProjectDatabase) -> None:
    dialog = shown(qtbot, lab)
    press_enter(qtbot, dialog)
    assert dialog.isVisible() and dialog.coder is None
    assert dialog.selected_name() is None


def test_the_last_rater_on_this_computer_is_preselected(
    qtbot: QtBot, lab: ProjectDatabase, new_project: NewProject
) -> None:
    first = shown(qtbot, lab)
    first.select_rater("Ana Rater")
    press_enter(qtbot, first)
    assert first.coder is not None and first.coder.name == "Ana Rater"
    assert preferences.last_rater(lab) == "Ana Rater"

    again = shown(qtbot, lab)
    assert again.selected_name() == "Ana Rater"
    press_enter(qtbot, again)
    assert again.coder is not None and again.coder.name == "Ana Rater"
    assert make(qtbot, lab, preselect="Lee Lead").selected_name() == "Lee Lead"  # explicit wins

    other = new_project("other")
    raters.add_rater(other, "Ana Rater", "AR")
    assert make(qtbot, other).selected_name() is None  # remembered per project


def test_a_remembered_rater_who_is_gone_selects_nobody(qtbot: QtBot, lab: ProjectDatabase) -> None:
    preferences.remember_rater(lab, "Someone Else")
    assert make(qtbot, lab).selected_name() is None


# ---- PINs -----------------------------------------------------------------------------
def test_a_rater_with_a_pin_types_it(qtbot: QtBot, lab: ProjectDatabase) -> None:
    identity.set_rater_secret(lab, None, "Ana Rater", "2468")
    preferences.remember_rater(lab, "Ana Rater")
    dialog = shown(qtbot, lab)
    assert dialog.sign_in_need() is SignInNeed.PIN
    assert dialog.pin_edit.isVisibleTo(dialog)
    assert dialog.pin_edit.echoMode() == QLineEdit.EchoMode.Password
    assert not dialog.passphrase_edit.isVisibleTo(dialog)
    assert dialog.focusWidget() is dialog.pin_edit

    press_enter(qtbot, dialog)  # no PIN typed
    assert dialog.isVisible() and dialog.coder is None
    assert dialog.error_label.text() == "Ana Rater signs in with a PIN: give it"
    qtbot.keyClicks(dialog.pin_edit, "1357")
    press_enter(qtbot, dialog)
    assert dialog.error_label.text() == "wrong PIN for Ana Rater"
    assert dialog.isVisible() and dialog.coder is None
    assert dialog.focusWidget() is dialog.pin_edit and dialog.pin_edit.selectedText() == "1357"

    qtbot.keyClicks(dialog.pin_edit, "2468")  # replaces the selected wrong PIN
    press_enter(qtbot, dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.coder is not None and dialog.coder.name == "Ana Rater"


def test_a_pin_typed_for_one_rater_is_not_kept_for_another(
    qtbot: QtBot, lab: ProjectDatabase
) -> None:
    identity.set_rater_secret(lab, None, "Ana Rater", "2468")
    raters.add_rater(lab, "Bo Berg", "BB")
    identity.set_rater_secret(lab, None, "Bo Berg", "2468")
    dialog = make(qtbot, lab, preselect="Ana Rater")
    qtbot.keyClicks(dialog.pin_edit, "2468")
    dialog.select_rater("Bo Berg")
    assert dialog.pin_edit.text() == ""


def test_required_sign_in_asks_a_rater_without_a_pin_to_choose_one(
    qtbot: QtBot, lab: ProjectDatabase
) -> None:
    lead = identity.sign_in(lab, "Lee Lead", PASSPHRASE)
    identity.set_require_rater_sign_in(lab, lead, True)
    dialog = shown(qtbot, lab, preselect="Ana Rater")
    assert dialog.sign_in_need() is SignInNeed.NEW_PIN
    for field in (dialog.new_pin_edit, dialog.new_pin_repeat):
        assert field.isVisibleTo(dialog) and field.echoMode() == QLineEdit.EchoMode.Password
    assert "asks every rater to sign in with a PIN" in dialog.new_pin_hint.text()
    assert not dialog.pin_edit.isVisibleTo(dialog)
    assert dialog.focusWidget() is dialog.new_pin_edit

    qtbot.keyClicks(dialog.new_pin_edit, "2468")
    qtbot.keyClicks(dialog.new_pin_repeat, "2469")
    press_enter(qtbot, dialog)
    assert dialog.error_label.text() == "the two PINs differ: type the same PIN in both fields"
    assert dialog.isVisible() and identity.sign_in_need(lab, "Ana Rater") is SignInNeed.NEW_PIN

    dialog.new_pin_edit.clear()
    dialog.new_pin_repeat.clear()
    qtbot.keyClicks(dialog.new_pin_edit, "246")
    qtbot.keyClicks(dialog.new_pin_repeat, "246")
    press_enter(qtbot, dialog)
    assert dialog.error_label.text() == "a PIN needs at least 4 characters"
    assert dialog.isVisible()

    dialog.new_pin_edit.clear()
    dialog.new_pin_repeat.clear()
    qtbot.keyClicks(dialog.new_pin_edit, "2468")
    qtbot.keyClicks(dialog.new_pin_repeat, "2468")
    press_enter(qtbot, dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.coder is not None and dialog.coder.name == "Ana Rater"
    assert identity.sign_in(lab, "Ana Rater", "2468").name == "Ana Rater"  # the PIN is stored


def test_a_lead_still_gives_the_lab_passphrase_by_keyboard(
    qtbot: QtBot, lab: ProjectDatabase
) -> None:
    preferences.remember_rater(lab, "Lee Lead")
    dialog = shown(qtbot, lab)
    assert dialog.focusWidget() is dialog.passphrase_edit
    qtbot.keyClicks(dialog.passphrase_edit, PASSPHRASE)
    press_enter(qtbot, dialog)
    assert dialog.coder is not None and dialog.coder.is_lead
