"""CLI: import (summary, exit status on failures), transcript show, codes, screenshots."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from backend import InitTarget

from coder.cli import main

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "sample_transcripts"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(list(args))
    out, err = capsys.readouterr()
    code = info.value.code
    return (code if isinstance(code, int) else 1), out, err


@pytest.fixture
def project(
    new_target: Callable[..., InitTarget], capsys: pytest.CaptureFixture[str]
) -> InitTarget:
    target = new_target()
    assert run(capsys, "init", *target.init_args)[0] == 0
    return target


def test_import_batch_reports_each_file_and_fails_when_one_fails(
    capsys: pytest.CaptureFixture[str], project: InitTarget, tmp_path: Path
) -> None:
    bad = tmp_path / "P09_S1.docx"
    bad.write_bytes(b"not a zip")
    code, out, err = run(
        capsys,
        "import",
        *project.args,
        "--pattern",
        "{patient}_S{session}",
        str(SAMPLES / "P01_S3.txt"),
        str(bad),
        str(SAMPLES / "P02_S2.srt"),
    )
    assert code == 2
    assert "patient P01 session 3: 99 turns" in out and "estimated segments" in out
    assert "speaker 'T' = therapist  <- suggested" in out
    assert "patient P02 session 2: 93 turns" in out
    assert "Total: 3 files, 2 sessions" in out and "1 failed" in out
    assert "FAILED" in err and "P09_S1.docx" in err
    code, out, _ = run(capsys, "info", *project.args, "--json")
    assert json.loads(out)["sessions"] == 2


def test_roles_and_strict_roles(capsys: pytest.CaptureFixture[str], project: InitTarget) -> None:
    source = str(SAMPLES / "P01_S2.docx")
    code, _, err = run(
        capsys,
        "import",
        *project.args,
        "--patient",
        "P01",
        "--session",
        "2",
        "--strict-roles",
        source,
    )
    assert code == 2 and "no confirmed role" in err
    code, out, _ = run(
        capsys,
        "import",
        *project.args,
        "--patient",
        "P01",
        "--session",
        "2",
        "--strict-roles",
        "--roles",
        "Dr. Lee=therapist,Sam=patient",
        source,
    )
    assert code == 0 and "speaker 'Dr. Lee' = therapist\n" in out


def test_transcript_show_json_shape(
    capsys: pytest.CaptureFixture[str], project: InitTarget
) -> None:
    run(
        capsys,
        "import",
        *project.args,
        "--pattern",
        "{patient}_S{session}",
        str(SAMPLES / "P02_S3.csv"),
    )
    code, out, _ = run(
        capsys,
        "transcript",
        "show",
        *project.args,
        "--patient",
        "P02",
        "--session",
        "3",
        "--json",
    )
    data = json.loads(out)
    assert code == 0 and set(data) == {"patient", "session", "turns", "segments"}
    assert (data["patient"], data["session"], len(data["turns"])) == ("P02", 3, 106)
    assert set(data["turns"][0]) == {"index", "speaker", "role", "start_ms", "end_ms", "text"}
    assert data["turns"][0]["index"] == 1 and data["turns"][0]["role"] == "therapist"
    assert set(data["segments"][0]) == {
        "index",
        "start_ms",
        "end_ms",
        "first_turn",
        "last_turn",
        "estimated",
    }
    assert [s["index"] for s in data["segments"]] == [1, 2, 3, 4, 5, 6]
    code, out, _ = run(
        capsys, "transcript", "show", *project.args, "--patient", "P02", "--session", "3"
    )
    assert "--- segment 2 (00:05:00-00:10:00) ---" in out
    code, _, err = run(
        capsys, "transcript", "show", *project.args, "--patient", "P02", "--session", "9"
    )
    assert code == 2 and "no transcript" in err


def test_codes_import_export_round_trip(
    capsys: pytest.CaptureFixture[str],
    project: InitTarget,
    tmp_path: Path,
    new_target: Callable[..., InitTarget],
) -> None:
    run(
        capsys,
        "import",
        *project.args,
        "--pattern",
        "{patient}_S{session}",
        *[str(p) for p in sorted(SAMPLES.glob("P0*_S*.*"))],
    )
    stages = new_target("q")
    run(
        capsys, "init", *stages.init_args, "--scheme", "3rs-2015", "--scheme", "safran-muran-stages"
    )
    run(
        capsys,
        "import",
        *stages.args,
        "--pattern",
        "{patient}_S{session}",
        *[str(p) for p in sorted(SAMPLES.glob("P0*_S*.*"))],
    )
    sample = str(SAMPLES / "codes.csv")
    code, _, err = run(capsys, "codes", "import", *stages.args, sample)
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "no rater named 'Ada Lovelace'" in err and "--create-raters" in err
    code, out, _ = run(capsys, "codes", "import", *stages.args, sample, "--create-raters")
    assert code == 0
    assert "Imported 553 rows from codes.csv (0 already present)" in out
    assert "new raters: Ada Lovelace, Ben Okafor" in out
    code, out, _ = run(capsys, "codes", "import", *stages.args, sample)
    assert code == 0 and "Imported 0 rows from codes.csv (553 already present)" in out
    out_csv = tmp_path / "out.csv"
    code, out, _ = run(capsys, "codes", "export", *stages.args, "--out", str(out_csv))
    assert code == 0 and out_csv.read_text(encoding="utf-8").startswith(
        "patient,session,rater,code"
    )
    code, out, _ = run(capsys, "codes", "import", *stages.args, str(out_csv))
    assert code == 0 and "Imported 0 rows from out.csv (553 already present)" in out
    code, _, err = run(capsys, "codes", "import", *project.args, sample, "--create-raters")
    assert code == 2 and "safran-muran-stages" in err  # project without the stage scheme


def test_codes_import_respects_identity(
    capsys: pytest.CaptureFixture[str], project: InitTarget, tmp_path: Path
) -> None:
    from coder.app import identity, projects, raters

    run(
        capsys,
        "import",
        *project.args,
        "--pattern",
        "{patient}_S{session}",
        str(SAMPLES / "P01_S1.docx"),
    )
    db = projects.open_project(db_url=project.url)
    raters.add_rater(db, "Ada Lovelace", "AL")
    raters.add_rater(db, "Ben Okafor", "BO")
    identity.add_lead(db, "Lee", "LP", "lab passphrase")
    db.close()
    secret = tmp_path / "pass.txt"
    secret.write_text("lab passphrase")
    table = tmp_path / "codes.csv"
    table.write_text(
        "patient,session,rater,code,unit,unit_index,value\n"
        "P01,1,Ada Lovelace,W1,segment,1,1\n"
        "P01,1,Ben Okafor,W2,segment,1,1\n",
        encoding="utf-8",
    )
    code, _, err = run(capsys, "codes", "import", *project.args, str(table))
    assert code == 2 and "--as NAME" in err and len(err.strip().splitlines()) == 1
    args = ("codes", "import", *project.args, str(table))
    code, _, err = run(capsys, *args, "--as", "Ada Lovelace")
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "codes.csv" in err and "line 3: these are 'Ben Okafor''s codes" in err
    code, _, err = run(capsys, *args, "--as", "Ada Lovelace", "--create-raters")
    assert code == 2 and "only a lead can create raters" in err
    lead = ("--as", "Lee", "--passphrase-file", str(secret))
    code, out, _ = run(capsys, *args, *lead)
    assert code == 0 and "Imported 2 rows from codes.csv (0 already present)" in out
    code, out, _ = run(capsys, *args, *lead)
    assert code == 0 and "Imported 0 rows from codes.csv (2 already present)" in out


def test_export_is_refused_without_identity_while_blinded(
    capsys: pytest.CaptureFixture[str], project: InitTarget, tmp_path: Path
) -> None:
    from coder.app import identity, projects, rounds

    db = projects.open_project(db_url=project.url)
    identity.add_lead(db, "Lee", "LP", "lab passphrase")
    rounds.create_round(db, identity.sign_in(db, "Lee", "lab passphrase"))
    db.close()
    code, _, err = run(capsys, "codes", "export", *project.args, "--out", str(tmp_path / "x.csv"))
    assert code == 2 and "say who you are" in err
    secret = tmp_path / "pass.txt"
    secret.write_text("lab passphrase")
    code, _, _ = run(
        capsys,
        "codes",
        "export",
        *project.args,
        "--out",
        str(tmp_path / "x.csv"),
        "--as",
        "Lee",
        "--passphrase-file",
        str(secret),
    )
    assert code == 0


def test_gui_screenshot_offscreen(tmp_path: Path, project: InitTarget) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "coder",
            "import",
            *project.args,
            "--pattern",
            "{patient}_S{session}",
            str(SAMPLES / "P02_S1.vtt"),
        ],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "coder",
            "raters",
            "add",
            "Ada",
            "--initials",
            "AL",
            *project.args,
        ],
        check=True,
        capture_output=True,
    )
    shot = tmp_path / "shot.png"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "coder",
            "gui",
            *project.args,
            "--rater",
            "Ada",
            "--open",
            "P02/1",
            "--screenshot",
            str(shot),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert result.returncode == 0, result.stderr
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "coder",
            "gui",
            *project.args,
            "--rater",
            "Ada",
            "--open",
            "nonsense",
            "--screenshot",
            str(shot),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert bad.returncode == 2 and "PATIENT/SESSION" in bad.stderr


def test_import_redact_replaces_listed_names_before_storing(
    capsys: pytest.CaptureFixture[str], project: InitTarget, tmp_path: Path
) -> None:
    source = tmp_path / "P05_S1.txt"
    source.write_text("T: Hello Margaret, how was the week?\nP: Margaret is fine.\n", "utf-8")
    names = tmp_path / "names.txt"
    names.write_text("Margaret\n", encoding="utf-8")
    code, _, err = run(
        capsys, "import", *project.args, "--pattern", "{patient}_S{session}",
        "--redact", str(names), str(source),
    )  # fmt: skip
    assert code == 0, err
    code, out, _ = run(
        capsys, "transcript", "show", *project.args, "--patient", "P05", "--session", "1",
        "--json",
    )  # fmt: skip
    texts = [turn["text"] for turn in json.loads(out)["turns"]]
    assert len(texts) == 2 and not any("Margaret" in text for text in texts), texts
    missing = tmp_path / "absent.txt"
    code, _, err = run(
        capsys, "import", *project.args, "--patient", "P05", "--session", "2",
        "--redact", str(missing), str(source),
    )  # fmt: skip
    assert code == 2 and "absent.txt" in err
