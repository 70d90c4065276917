"""``coder export`` from the command line: formats, dictionary, Excel, identity, errors."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from backend import project_args

from coder.cli import main
from coder.store.database import ProjectDatabase


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(list(args))
    out, err = capsys.readouterr()
    code = info.value.code
    return (code if isinstance(code, int) else 1), out, err


@pytest.fixture
def demo(demo_db: ProjectDatabase) -> list[str]:
    return project_args(demo_db)


@pytest.mark.parametrize("fmt", ["csv-long", "csv-wide", "csv-sessions", "csv-codebook"])
def test_every_format_with_its_dictionary(
    capsys: pytest.CaptureFixture[str], demo: list[str], tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / f"{fmt}.csv"
    code, stdout, err = run(
        capsys, "export", *demo, "--format", fmt, "--out", str(out),
        "--with-dictionary", "--excel",
    )  # fmt: skip
    assert code == 0, err
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert f"Wrote {len(rows)} rows to {out}" in stdout and rows
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    dictionary = tmp_path / f"{fmt}.dictionary.csv"
    assert str(dictionary) in stdout
    with dictionary.open(encoding="utf-8-sig", newline="") as fh:
        assert [d["column"] for d in csv.DictReader(fh)] == list(rows[0])


def test_rater_filter_and_errors_are_one_line(
    capsys: pytest.CaptureFixture[str], demo: list[str], tmp_path: Path
) -> None:
    out = tmp_path / "ada.csv"
    base = ("export", *demo, "--format", "csv-long")
    code, _, err = run(capsys, *base, "--out", str(out), "--rater", "Ada Lovelace")
    assert code == 0, err
    with out.open(encoding="utf-8", newline="") as fh:
        assert {r["rater"] for r in csv.DictReader(fh)} == {"Ada Lovelace"}

    def fails(*extra: str) -> str:
        code, _, err = run(capsys, *base, *extra)
        assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
        return err

    folder = tmp_path / "exports"
    folder.mkdir()
    assert f"{folder}: is a folder; choose a file name" in fails("--out", str(folder))
    assert list(folder.iterdir()) == []
    assert "did you mean 'Ada Lovelace'" in fails("--out", str(out), "--rater", "ada lovelace")
    assert "either --rater or --consensus" in fails(
        "--out", str(out), "--rater", "Ada Lovelace", "--consensus"
    )
    assert "no round 3" in fails("--out", str(out), "--round", "3")
    assert "no consensus codes" in fails("--out", str(out), "--consensus")


def test_a_project_with_a_lead_needs_as(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: ProjectDatabase
) -> None:
    project = project_args(db)
    secret = tmp_path / "pass.txt"
    secret.write_text("correct horse battery\n", encoding="utf-8")
    run(capsys, "raters", "add", "Lee", "--initials", "LP", "--role", "lead", *project,
        "--passphrase-file", str(secret))  # fmt: skip
    out = str(tmp_path / "x.csv")
    code, _, err = run(capsys, "export", *project, "--format", "csv-long", "--out", out)
    assert code == 2 and "--as NAME" in err
    code, stdout, err = run(
        capsys, "export", *project, "--format", "csv-long", "--out", out,
        "--as", "Lee", "--passphrase-file", str(secret),
    )  # fmt: skip
    assert code == 0 and "Wrote 0 rows" in stdout, err
