"""coder rounds: open, list, assign, lock, unblind; leads only; blinding follows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from backend import project_args

from coder.cli import main
from coder.store.database import ProjectDatabase


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(list(args))
    out, err = capsys.readouterr()
    return int(info.value.code or 0), out, err


def test_round_lifecycle(
    tmp_path: Path, demo_db: ProjectDatabase, capsys: pytest.CaptureFixture[str]
) -> None:
    p = project_args(demo_db)
    secret = tmp_path / "pass.txt"
    secret.write_text("lab passphrase")
    lead = ["--as", "Lee", "--passphrase-file", str(secret)]
    assert (
        run(
            capsys,
            "raters",
            "add",
            "Lee",
            "--initials",
            "LP",
            "--role",
            "lead",
            *p,
            "--passphrase-file",
            str(secret),
        )[0]
        == 0
    )
    code, _, err = run(capsys, "rounds", "open", *p, "--as", "Ada Lovelace")
    assert code == 2 and "only a lead" in err
    assert run(capsys, "rounds", "open", *p, "--name", "calibration", *lead)[0] == 0
    code, out, _ = run(
        capsys,
        "rounds",
        "assign",
        "Ada Lovelace",
        "P01/1",
        "P02/3",
        "--round",
        "1",
        *p,
        *lead,
    )
    assert code == 0 and "Assigned 2 session(s)" in out
    code, _, err = run(
        capsys, "rounds", "assign", "Ada Lovelace", "P01-1", "--round", "1", *p, *lead
    )
    assert code == 2 and "P01/2" in err
    code, _, err = run(capsys, "codes", "export", *p, "--out", str(tmp_path / "x.csv"))
    assert code == 2 and "say who you are" in err
    assert run(capsys, "rounds", "lock", "1", *p, *lead)[0] == 0
    code, _, err = run(capsys, "rounds", "open", *p, *lead)
    assert code == 0  # a new round may open once the first is locked
    assert run(capsys, "rounds", "lock", "2", *p, *lead)[0] == 0
    assert run(capsys, "rounds", "unblind", "1", *p, *lead)[0] == 0
    code, _, err = run(capsys, "rounds", "unblind", "1", *p, *lead)
    assert code == 2 and "cannot become unblinded" in err
    code, out, _ = run(capsys, "rounds", "list", *p, "--json")
    assert [(r["number"], r["status"]) for r in json.loads(out)] == [
        (1, "unblinded"),
        (2, "locked"),
    ]
    assert json.loads(out)[0]["assignments"] == [
        {"rater": "Ada Lovelace", "patient": "P01", "session": 1},
        {"rater": "Ada Lovelace", "patient": "P02", "session": 3},
    ]
    code, out, _ = run(capsys, "rounds", "list", *p)
    assert "Ada Lovelace: P01/1 P02/3" in out


def test_project_blinding_is_shown_and_set_by_a_lead_only(
    tmp_path: Path, demo_db: ProjectDatabase, capsys: pytest.CaptureFixture[str]
) -> None:
    p = project_args(demo_db)
    assert run(capsys, "project", "blinding", *p)[1].strip() == (
        "Blinding: during_rounds"  # the demo's setting
    )
    secret = tmp_path / "pass.txt"
    secret.write_text("lab passphrase")
    add_lead = ["raters", "add", "Lee", "--initials", "LP", "--role", "lead"]
    assert run(capsys, *add_lead, *p, "--passphrase-file", str(secret))[0] == 0
    code, _, err = run(capsys, "project", "blinding", "never", *p)
    assert code == 2 and "only a lead" in err
    code, _, err = run(capsys, "project", "blinding", "never", *p, "--as", "Ada Lovelace")
    assert code == 2 and "only a lead" in err
    lead = ["--as", "Lee", "--passphrase-file", str(secret)]
    assert run(capsys, "project", "blinding", "always", *p, *lead)[0] == 0
    assert run(capsys, "project", "blinding", *p)[1].strip() == "Blinding: always"
    code, _, err = run(capsys, "project", "blinding", "sometimes", *p)
    assert code == 2 and "always" in err


@pytest.mark.parametrize("bad", ["P01/x", "P01/", "/1", "P01", "P01/-1"])
def test_assign_refuses_a_bad_session_before_assigning_any(
    tmp_path: Path, demo_db: ProjectDatabase, capsys: pytest.CaptureFixture[str], bad: str
) -> None:
    """Session names go through the one parser (coder.domain.selectors): the number is an
    int by the time it reaches the app, and a bad name anywhere in the list assigns none."""
    p = project_args(demo_db)
    secret = tmp_path / "pass.txt"
    secret.write_text("lab passphrase")
    lead = ["--as", "Lee", "--passphrase-file", str(secret)]
    add_lead = ["raters", "add", "Lee", "--initials", "LP", "--role", "lead"]
    assert run(capsys, *add_lead, *p, "--passphrase-file", str(secret))[0] == 0
    assert run(capsys, "rounds", "open", *p, *lead)[0] == 0
    code, _, err = run(
        capsys, "rounds", "assign", "Ada Lovelace", "P01/1", bad, "--round", "1", *p,
        *lead,
    )  # fmt: skip
    assert code == 2
    assert err.strip() == (
        f"coder: error: session {bad!r} must look like PATIENT/SESSION, e.g. P01/2"
    )
    code, out, _ = run(capsys, "rounds", "list", *p, "--json")
    assert json.loads(out)[0]["assignments"] == []
