"""Signing in from the command line: exact names, PINs with --as, `coder raters set-pin`,
`coder project require-sign-in`, and what `coder info` shows to whom."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
import pytest
from backend import project_args

from coder.app import identity
from coder.app.coding import CodingSession
from coder.app.identity import ActingRater
from coder.cli import main
from coder.store.database import ProjectDatabase

PASSPHRASE = "correct horse battery"  # as set by the coded_db fixture


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(list(args))
    out, err = capsys.readouterr()
    return int(info.value.code or 0), out, err


@pytest.fixture
def project(coded_db: ProjectDatabase) -> list[str]:
    """The CLI arguments naming the project: ``--project FILE`` or ``--db URL``."""
    return project_args(coded_db)


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    """Secret files: the lab passphrase and a few PINs."""
    made = {}
    for name, text in {"lab": PASSPHRASE, "ada": "2468", "new": "1357", "short": "12"}.items():
        path = tmp_path / f"{name}.txt"
        path.write_text(text + "\n", encoding="utf-8")
        made[name] = str(path)
    return made


@pytest.fixture
def typed(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """A terminal: stdin is a TTY and prompts answer from ``answers`` (what was asked and
    how is recorded)."""
    asked: list[dict[str, Any]] = []

    def prompt(text: str, **options: Any) -> str:
        asked.append({"text": text, **options})
        return str(options.get("answer", "2468"))

    monkeypatch.setattr("coder.commands.common.sys.stdin.isatty", lambda: True)
    monkeypatch.setattr(click, "prompt", prompt)
    return asked


def with_pin(coded_db: ProjectDatabase, ada: ActingRater, pin: str = "2468") -> None:
    identity.set_rater_secret(coded_db, ada, "Ada", pin)


# ---- exact names ---------------------------------------------------------------------
def test_as_matches_the_name_exactly(
    capsys: pytest.CaptureFixture[str], project: list[str], files: dict[str, str]
) -> None:
    code, _, err = run(capsys, "info", *project, "--as", "ada")
    assert code == 2 and "no rater named 'ada'; did you mean 'Ada'?" in err
    assert err.count("\n") == 1
    code, _, err = run(capsys, "info", *project, "--as", "LEE", "--passphrase-file", files["lab"])
    assert code == 2 and "did you mean 'Lee'" in err
    assert run(capsys, "info", *project, "--as", " Ada ")[0] == 0


def test_rater_arguments_match_exactly(
    capsys: pytest.CaptureFixture[str], project: list[str], files: dict[str, str]
) -> None:
    lead = ["--as", "Lee", "--passphrase-file", files["lab"]]
    assert run(capsys, "rounds", "open", *project, *lead)[0] == 0
    code, _, err = run(capsys, "rounds", "assign", "ada", "P01/1", "--round", "1", *project, *lead)
    assert code == 2 and "did you mean 'Ada'" in err
    code, out, _ = run(capsys, "rounds", "assign", "Ada", "P01/1", "--round", "1", *project, *lead)
    assert code == 0 and "Assigned 1 session(s) to Ada" in out


def test_nobody_signs_in_as_consensus(
    capsys: pytest.CaptureFixture[str], coded_db: ProjectDatabase, project: list[str]
) -> None:
    identity.consensus_coder(coded_db)
    code, _, err = run(capsys, "info", *project, "--as", "Consensus")
    assert code == 2 and "nobody's identity" in err


# ---- PINs with --as --------------------------------------------------------------------
def test_a_rater_with_a_pin_gives_it_from_a_file(
    capsys: pytest.CaptureFixture[str],
    coded_db: ProjectDatabase,
    ada: ActingRater,
    project: list[str],
    files: dict[str, str],
) -> None:
    with_pin(coded_db, ada)
    code, _, err = run(capsys, "info", *project, "--as", "Ada")
    assert code == 2  # stdin is no terminal under pytest: never wait for input
    assert "Ada signs in with a PIN: give --passphrase-file FILE" in err
    assert err.count("\n") == 1
    code, _, err = run(capsys, "info", *project, "--as", "Ada", "--passphrase-file", files["new"])
    assert code == 2 and "wrong PIN for Ada" in err
    code, _, _ = run(capsys, "info", *project, "--as", "Ada", "--passphrase-file", files["ada"])
    assert code == 0


def test_a_pin_is_typed_hidden_at_a_terminal(
    capsys: pytest.CaptureFixture[str],
    coded_db: ProjectDatabase,
    ada: ActingRater,
    project: list[str],
    typed: list[dict[str, Any]],
) -> None:
    assert run(capsys, "info", *project, "--as", "Ben")[0] == 0
    assert typed == []  # Ben has no PIN: nothing to ask
    with_pin(coded_db, ada)
    assert run(capsys, "info", *project, "--as", "Ada")[0] == 0
    assert typed == [{"text": "PIN for Ada", "hide_input": True, "confirmation_prompt": False}]


def test_irr_asks_a_raters_pin_too(
    capsys: pytest.CaptureFixture[str],
    coded_db: ProjectDatabase,
    ada: ActingRater,
    project: list[str],
) -> None:
    with_pin(coded_db, ada)
    code, _, err = run(capsys, "irr", *project, "--as", "Ada", "--bootstrap", "0")
    assert code == 2 and "Ada signs in with a PIN: give --passphrase-file FILE" in err


# ---- coder raters set-pin --------------------------------------------------------------
def test_set_pin_for_yourself_then_change_it(
    capsys: pytest.CaptureFixture[str], project: list[str], files: dict[str, str]
) -> None:
    code, out, _ = run(capsys, "raters", "set-pin", "Ada", "--pin-file", files["ada"], *project)
    assert code == 0 and out == "PIN set for Ada\n"
    change = ["raters", "set-pin", "Ada", "--pin-file", files["new"], *project]
    code, _, err = run(capsys, *change)
    assert code == 2 and "Ada already has a PIN: give the current one with --passphrase-file" in err
    code, _, err = run(capsys, *change, "--passphrase-file", files["new"])
    assert code == 2 and "the current PIN for Ada is wrong" in err
    assert run(capsys, *change, "--passphrase-file", files["ada"])[0] == 0
    code, _, _ = run(capsys, "info", *project, "--as", "Ada", "--passphrase-file", files["new"])
    assert code == 0


def test_set_pin_typed_twice_at_a_terminal(
    capsys: pytest.CaptureFixture[str], project: list[str], typed: list[dict[str, Any]]
) -> None:
    assert run(capsys, "raters", "set-pin", "Ben", *project)[0] == 0
    assert typed == [{"text": "New PIN for Ben", "hide_input": True, "confirmation_prompt": True}]


def test_set_pin_without_a_terminal_says_how(
    capsys: pytest.CaptureFixture[str], project: list[str], files: dict[str, str]
) -> None:
    code, _, err = run(capsys, "raters", "set-pin", "Ben", *project)
    assert code == 2 and "give the new PIN with --pin-file FILE" in err
    code, _, err = run(capsys, "raters", "set-pin", "Ben", "--pin-file", files["short"], *project)
    assert code == 2 and "a PIN needs at least 4 characters" in err
    code, _, err = run(capsys, "raters", "set-pin", "ben", "--pin-file", files["ada"], *project)
    assert code == 2 and "did you mean 'Ben'" in err


def test_a_lead_resets_a_pin_and_a_rater_cannot(
    capsys: pytest.CaptureFixture[str],
    coded_db: ProjectDatabase,
    ada: ActingRater,
    project: list[str],
    files: dict[str, str],
) -> None:
    with_pin(coded_db, ada)
    reset = ["raters", "set-pin", "Ada", "--pin-file", files["new"], *project]
    code, _, err = run(capsys, *reset, "--as", "Ben")
    assert code == 2 and "only Ada or a lead can set Ada's PIN" in err
    assert run(capsys, *reset, "--as", "Lee", "--passphrase-file", files["lab"])[0] == 0
    assert identity.sign_in(coded_db, "Ada", "1357").name == "Ada"


# ---- coder project require-sign-in -----------------------------------------------------
def test_require_sign_in_on_and_off(
    capsys: pytest.CaptureFixture[str],
    coded_db: ProjectDatabase,
    ada: ActingRater,
    project: list[str],
    files: dict[str, str],
) -> None:
    with_pin(coded_db, ada)
    command = ["project", "require-sign-in"]
    code, _, err = run(capsys, *command, "on", *project)
    assert code == 2 and "say which lead you are" in err
    code, _, err = run(capsys, *command, "on", *project, "--as", "Ben")
    assert code == 2 and "only a lead" in err
    assert identity.require_rater_sign_in(coded_db) is False

    lead = ["--as", "Lee", "--passphrase-file", files["lab"]]
    code, out, _ = run(capsys, *command, "on", *project, *lead)
    assert code == 0 and "Every rater now signs in with a PIN" in out
    assert "No PIN yet: Ben." in out
    code, _, err = run(capsys, "info", *project, "--as", "Ben")
    assert code == 2 and "coder raters set-pin Ben" in err
    code, out, _ = run(capsys, "info", *project, *lead)
    assert "every rater signs in with a PIN" in out
    code, _, err = run(capsys, *command, "maybe", *project, *lead)
    assert code == 2 and "'maybe' is not one of 'on', 'off'" in err

    assert run(capsys, *command, "off", *project, *lead)[0] == 0
    assert run(capsys, "info", *project, "--as", "Ben")[0] == 0


# ---- coder info: no side channel ---------------------------------------------------------
def test_info_shows_the_total_only_to_who_sees_every_rater(
    capsys: pytest.CaptureFixture[str],
    coded_db: ProjectDatabase,
    ada: ActingRater,
    ben: ActingRater,
    project: list[str],
    files: dict[str, str],
) -> None:
    CodingSession(coded_db, ada, "P01", 1).apply_code("W1", segment=1)
    CodingSession(coded_db, ben, "P01", 1).apply_code("W2", segment=1)
    CodingSession(coded_db, ben, "P01", 2).apply_code("W3", segment=2)
    base = ["info", *project, "--json"]

    code, out, _ = run(capsys, *base, "--as", "Lee", "--passphrase-file", files["lab"])
    assert code == 0 and json.loads(out)["codes"] == 3

    code, out, _ = run(capsys, *base, "--as", "Ada")
    data = json.loads(out)
    assert "codes" not in data and (data["own_codes"], data["own_codes_of"]) == (1, "Ada")
    code, out, _ = run(capsys, "info", *project, "--as", "Ben")
    assert "Own codes       2  (made by Ben)" in out and "Codes " not in out

    code, out, _ = run(capsys, *base)  # the project has a lead: no identity, no count
    assert code == 0 and not {"codes", "own_codes"} & set(json.loads(out))
    code, out, _ = run(capsys, "info", *project)
    assert "shown to a lead" in out


def test_info_without_a_lead_shows_the_total(
    capsys: pytest.CaptureFixture[str], db: ProjectDatabase
) -> None:
    p = project_args(db)
    run(capsys, "raters", "add", "Ada", "--initials", "AL", *p)
    code, out, _ = run(capsys, "info", *p, "--json")
    assert code == 0 and json.loads(out)["codes"] == 0
    code, out, _ = run(capsys, "info", *p, "--json", "--as", "Ada")
    assert code == 0 and json.loads(out)["own_codes"] == 0 and "codes" not in json.loads(out)
