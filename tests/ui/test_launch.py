"""`coder gui --rater NAME`: an exact name, and the rater's secret is still needed."""

from __future__ import annotations

from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from coder.app import identity, preferences
from coder.app.identity import AccessDenied, ActingRater
from coder.domain.errors import NotFoundError
from coder.store.database import ProjectDatabase
from coder.ui import launch
from coder.ui.main_window import MainWindow

PASSPHRASE = "correct horse battery"  # as set by the coded_db fixture


@pytest.fixture
def dialog_asks(monkeypatch: pytest.MonkeyPatch, ben: ActingRater) -> list[str | None]:
    """Stand-in for the modal sign-in dialog: records whom it was opened on."""
    opened_on: list[str | None] = []

    def choose(
        db: ProjectDatabase, parent: Any = None, preselect: str | None = None
    ) -> ActingRater:
        opened_on.append(preselect)
        return ben

    monkeypatch.setattr(launch, "choose_coder", choose)
    return opened_on


def build(qtbot: QtBot, db: ProjectDatabase, **options: Any) -> MainWindow:
    window = launch.build_window(db, **options)
    assert window is not None
    qtbot.addWidget(window)
    return window


def test_rater_name_must_match_exactly(qtbot: QtBot, coded_db: ProjectDatabase) -> None:
    with pytest.raises(NotFoundError, match="did you mean 'Ada'"):
        launch.build_window(coded_db, rater="ada", ask=False)
    window = build(qtbot, coded_db, rater="Ada", ask=False)
    assert window.coder is not None and window.coder.name == "Ada"


def test_a_raters_pin_is_needed(qtbot: QtBot, coded_db: ProjectDatabase, ada: ActingRater) -> None:
    identity.set_rater_secret(coded_db, ada, "Ada", "2468")
    with pytest.raises(AccessDenied, match="Ada signs in with a PIN"):
        launch.build_window(coded_db, rater="Ada", ask=False)  # e.g. --screenshot
    with pytest.raises(AccessDenied, match="wrong PIN for Ada"):
        launch.build_window(coded_db, rater="Ada", passphrase="1357", ask=True)
    window = build(qtbot, coded_db, rater="Ada", passphrase="2468", ask=True)
    assert window.coder == ada
    assert preferences.last_rater(coded_db) == "Ada"  # a GUI sign-in on this computer


def test_without_the_secret_the_dialog_asks_for_it(
    qtbot: QtBot, coded_db: ProjectDatabase, ada: ActingRater, dialog_asks: list[str | None]
) -> None:
    identity.set_rater_secret(coded_db, ada, "Ada", "2468")
    window = build(qtbot, coded_db, rater=" Ada ")
    assert dialog_asks == ["Ada"]  # opened on Ada, asking for her PIN
    assert window.coder is not None and window.coder.name == "Ben"  # whoever signed in there
    build(qtbot, coded_db, rater="Lee")
    assert dialog_asks == ["Ada", "Lee"]  # a lead without --passphrase-file too


def test_a_rater_without_a_pin_needs_no_dialog(
    qtbot: QtBot, coded_db: ProjectDatabase, dialog_asks: list[str | None]
) -> None:
    window = build(qtbot, coded_db, rater="Ben")
    assert dialog_asks == [] and window.coder is not None and window.coder.name == "Ben"
    window = build(qtbot, coded_db, rater="Lee", passphrase=PASSPHRASE)
    assert dialog_asks == [] and window.coder is not None and window.coder.is_lead


def test_consensus_is_refused(coded_db: ProjectDatabase) -> None:
    identity.consensus_coder(coded_db)
    with pytest.raises(AccessDenied, match="nobody's identity"):
        launch.build_window(coded_db, rater="Consensus")
