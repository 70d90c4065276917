"""The command line: each command, its output, and one-line errors with exit status 2."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from backend import InitTarget, project_args

from coder.cli import main
from coder.store.database import ProjectDatabase

REPO = Path(__file__).resolve().parents[1]
# Errors about a project *file* (missing, not SQLite, already there): SQLite files only.
ON_A_FILE = pytest.mark.sqlite_only


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(list(args))
    out, err = capsys.readouterr()
    code = info.value.code
    return (code if isinstance(code, int) else 1), out, err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--version")
    assert code == 0 and out.startswith("coder ")


def test_help_documents_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--help")
    assert code == 0
    for command in ("init", "info", "schemes", "raters", "gui"):
        assert command in out


def test_init_add_rater_info(
    capsys: pytest.CaptureFixture[str], new_target: Callable[..., InitTarget]
) -> None:
    target = new_target()
    p = target.args
    assert run(capsys, "init", *target.init_args)[0] == 0
    code, out, _ = run(capsys, "raters", "add", "Ada", "--initials", "AL", *p)
    assert code == 0 and "Ada (AL)" in out
    code, out, _ = run(capsys, "info", *p, "--json")
    assert code == 0
    assert json.loads(out) == {"patients": 0, "sessions": 0, "turns": 0, "raters": 1, "codes": 0}
    code, out, _ = run(capsys, "info", *p)
    assert "Raters" in out and "3rs-2015" in out
    code, out, _ = run(capsys, "raters", "list", *p, "--json")
    assert json.loads(out) == [{"name": "Ada", "initials": "AL", "role": "rater"}]


def test_init_with_other_scheme(
    capsys: pytest.CaptureFixture[str], new_target: Callable[..., InitTarget]
) -> None:
    target = new_target()
    assert run(capsys, "init", *target.init_args, "--scheme", "3rs-2022")[0] == 0
    code, out, _ = run(capsys, "schemes", "list", *target.args)
    assert code == 0 and "3rs-2022" in out and "3rs-2015" not in out


def test_lead_role_needs_a_passphrase_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: ProjectDatabase
) -> None:
    p = project_args(db)
    secret = tmp_path / "pass.txt"
    secret.write_text("lab secret phrase\n")
    # pytest's stdin is not a terminal: the command must fail at once, not wait for input.
    code, _, err = run(capsys, "raters", "add", "Lee", "--initials", "LD", "--role", "lead", *p)
    assert code == 2 and "--passphrase-file" in err
    args = ["raters", "add", "Lee", "--initials", "LD", "--role", "lead", *p]
    assert run(capsys, *args, "--passphrase-file", str(secret))[0] == 0
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not it at all")
    code, _, err = run(
        capsys,
        "raters",
        "add",
        "Mo",
        "--initials",
        "MO",
        "--role",
        "lead",
        *p,
        "--passphrase-file",
        str(wrong),
    )
    assert code == 2 and "wrong lab passphrase" in err
    _, out, _ = run(capsys, "raters", "list", *p)
    assert "lead" in out and "Mo" not in out


def test_lead_add_never_blocks_on_closed_stdin(db: ProjectDatabase) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "coder",
            "raters",
            "add",
            "Lee",
            "--initials",
            "LD",
            "--role",
            "lead",
            *project_args(db),
        ],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    assert result.returncode == 2 and "--passphrase-file" in result.stderr


def test_db_url_option_and_environment(
    capsys: pytest.CaptureFixture[str], db: ProjectDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = db.url
    assert run(capsys, "raters", "add", "Ada", "--initials", "AL", "--db", url)[0] == 0
    monkeypatch.setenv("CODER_DB_URL", url)
    code, out, _ = run(capsys, "info", "--json")
    assert code == 0 and json.loads(out)["raters"] == 1


def test_schemes_list_show_validate(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "schemes", "list")
    assert code == 0 and "3rs-2015" in out and "safran-muran-stages" in out
    code, out, _ = run(capsys, "schemes", "show", "3rs-2015")
    assert code == 0 and "W1" in out and "[1]" in out and "Ratings" in out
    code, out, _ = run(capsys, "schemes", "show", "safran-muran-stages", "--json")
    data = json.loads(out)
    assert [s["id"] for s in data["stages"]][:2] == ["WS1", "WS2"]
    files = sorted(str(p) for p in (REPO / "schemes").glob("*.yaml"))
    code, out, _ = run(capsys, "schemes", "validate", *files)
    assert code == 0 and out.count(": ok") == len(files)


def test_validate_bad_file_prints_each_problem(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "format: 1\nid: x\nversion: '1'\nname: X\nscales:\n  s: {min: 'a', max: 1}\nbogus: 1\n"
    )
    code, out, err = run(
        capsys, "schemes", "validate", str(REPO / "schemes" / "3rs-2015.yaml"), str(bad)
    )
    assert code == 2
    assert "3rs-2015.yaml: ok" in out
    lines = err.strip().splitlines()
    assert any(line.endswith("bad.yaml:7: bogus: unknown key") for line in lines)
    assert any(
        "bad.yaml:6: scales.s.min: Input should be a valid integer" in line for line in lines
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ["info", "--project", "{tmp}/missing.sqlite"],
            "missing.sqlite: no such project file",
            marks=ON_A_FILE,
        ),
        pytest.param(
            ["info", "--project", "{tmp}/text.sqlite"],
            "text.sqlite: is not a Rupture Coder project",
            marks=ON_A_FILE,
        ),
        (["info"], "no project given"),
        pytest.param(["init", "{tmp}/text.sqlite"], "text.sqlite: already exists", marks=ON_A_FILE),
        (["init", "{tmp}/new.sqlite", "--scheme", "nope"], "no built-in scheme 'nope'"),
        (["schemes", "show", "nope"], "no built-in scheme 'nope'"),
        (["raters", "add", "Ada", "--initials", "A1", "{project}"], "initials"),
        (["raters", "add", "Ada", "{project}"], "Missing option '--initials'"),
        (["frobnicate"], "No such command 'frobnicate'"),
    ],
)
def test_errors_are_one_line_exit_2(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    db: ProjectDatabase,
    args: list[str],
    message: str,
) -> None:
    (tmp_path / "text.sqlite").write_text("not a database at all")
    argv = [
        part
        for a in args
        for part in (project_args(db) if a == "{project}" else [a.format(tmp=tmp_path)])
    ]
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("coder: error: ")
    assert message in err
    assert "Traceback" not in err
    assert not (tmp_path / "new.sqlite").exists()


def test_codes_export_file_problems_are_one_line_in_words(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    db: ProjectDatabase,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    project = project_args(db)
    folder = tmp_path / "exports"
    folder.mkdir()

    def export(out: Path) -> str:
        code, _, err = run(capsys, "codes", "export", *project, "--out", str(out))
        assert code == 2 and err.count("\n") == 1 and err.startswith("coder: error: ")
        assert "Traceback" not in err
        return err

    # --out is a file option: click refuses a folder before the project is opened
    assert f"'{folder}' is a directory" in export(folder)
    assert f"{tmp_path / 'nope' / 'c.csv'}: the folder does not exist" in export(
        tmp_path / "nope" / "c.csv"
    )

    def full(*_: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("coder.io.atomic.os.replace", full)
    assert f"{folder / 'c.csv'}: the disk is full" in export(folder / "c.csv")
    assert list(folder.iterdir()) == []  # no temporary file left


def test_duplicate_rater_is_one_line(
    capsys: pytest.CaptureFixture[str], db: ProjectDatabase
) -> None:
    p = project_args(db)
    run(capsys, "raters", "add", "Ada", "--initials", "AL", *p)
    code, _, err = run(capsys, "raters", "add", "ada", "--initials", "AL", *p)
    assert code == 2 and "already exists" in err


def test_debug_shows_traceback(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "coder", "--debug", "info", "--project", str(tmp_path / "x.sqlite")],
        capture_output=True,
        text=True,
        env={**os.environ, "CODER_HOME": str(tmp_path)},
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    assert result.returncode != 0 and "Traceback" in result.stderr


def test_python_m_coder_and_console_script_agree(tmp_path: Path) -> None:
    via_module = subprocess.run(
        [sys.executable, "-m", "coder", "--version"], capture_output=True, text=True, timeout=60
    )
    script = Path(sys.executable).with_name("coder")
    via_script = subprocess.run(
        [str(script), "--version"], capture_output=True, text=True, timeout=60
    )
    assert via_module.returncode == via_script.returncode == 0
    assert via_module.stdout == via_script.stdout
