"""coder audit: the trail as a table or CSV, filtered by day and rater; leads only."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from backend import project_args

from coder.app.coding import CodingSession
from coder.app.identity import sign_in
from coder.cli import main
from coder.store.database import ProjectDatabase

PASSPHRASE = "correct horse battery"  # as in conftest


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(list(args))
    out, err = capsys.readouterr()
    return int(info.value.code or 0), out, err


def test_audit_command(
    coded_db: ProjectDatabase, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    CodingSession(coded_db, sign_in(coded_db, "Ada"), "P01", 1).set_rating("W_SIG", 2, 3)
    CodingSession(coded_db, sign_in(coded_db, "Ben"), "P01", 2).apply_code("W4", segment=1)
    p = project_args(coded_db)
    secret = tmp_path / "pass.txt"
    secret.write_text(PASSPHRASE)
    lead = [*p, "--as", "Lee", "--passphrase-file", str(secret)]

    code, out, err = run(capsys, "audit", *lead)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split() == [
        "when",
        "who",
        "action",
        "table",
        "row",
        "session",
        "before",
        "after",
    ]
    assert any("Ada" in line and "P01 #1" in line and "code_applications" in line for line in lines)
    assert any("transcripts" in line and "(owner)" in line for line in lines)

    code, out, _ = run(capsys, "audit", *lead, "--rater", "Ben")
    assert code == 0
    body = out.splitlines()[1:]
    assert len(body) == 1 and "Ben" in body[0] and "P01 #2" in body[0]

    code, out, _ = run(capsys, "audit", *lead, "--since", "2999-01-01")
    assert code == 0 and "No audit entries match" in out

    table = tmp_path / "trail.csv"
    code, out, _ = run(capsys, "audit", *lead, "--rater", "Ada", "--csv", str(table))
    assert code == 0 and "Wrote 1 audit entries" in out
    with table.open(encoding="utf-8", newline="") as fh:
        (row,) = list(csv.DictReader(fh))
    assert (row["who"], row["action"], row["table"], row["session"]) == (
        "Ada",
        "insert",
        "code_applications",
        "P01 #1",
    )
    assert json.loads(row["after"])["value"] == 3 and row["before"] == ""

    code, _, err = run(capsys, "audit", *p, "--as", "Ada")
    assert code != 0 and "only a lead" in err
    code, _, err = run(capsys, "audit", *p)
    assert code != 0 and "this project has a lead" in err
    assert not (tmp_path / "refused.csv").exists()


def test_import_as_names_the_importer(
    coded_db: ProjectDatabase, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from sqlalchemy import select

    from coder.store.models import AuditRow

    p = project_args(coded_db)
    secret = tmp_path / "pass.txt"
    secret.write_text(PASSPHRASE)
    source = tmp_path / "P03_S1.txt"
    source.write_text("[00:00:05] T: Hello.\n[00:00:09] P: Hi.\n", encoding="utf-8")
    code, _, err = run(
        capsys, "import", *p, "--pattern", "{patient}_S{session}",
        "--as", "Lee", "--passphrase-file", str(secret), str(source),
    )  # fmt: skip
    assert code == 0, err
    with coded_db.reading() as session:
        actors = set(session.scalars(select(AuditRow.actor).where(AuditRow.table == "transcripts")))
    # The fixture's own imports ran without anyone signed in; this one names Lee.
    assert actors == {"", "Lee"}
