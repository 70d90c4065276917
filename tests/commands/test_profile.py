"""``coder profile``: the per-session table has the columns of the report and the
patient view (it once dropped markers per 10 minutes)."""

from __future__ import annotations

import json

import pytest
from backend import project_args

from coder.cli import main
from coder.commands.profile import session_table
from coder.io.profile_text import SESSION_COLUMNS
from coder.store.database import ProjectDatabase


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    with pytest.raises(SystemExit) as info:
        main(list(args))
    assert info.value.code == 0
    return capsys.readouterr().out


def test_profile_prints_every_session_column_with_the_json_values(
    demo_db: ProjectDatabase, capsys: pytest.CaptureFixture[str]
) -> None:
    demo_db.close()
    args = ["profile", *project_args(demo_db), "--patient", "P01"]
    args += ["--rater", "Ada Lovelace"]
    data = json.loads(_run(capsys, *args, "--json"))
    lines = _run(capsys, *args).splitlines()
    header = next(i for i, line in enumerate(lines) if "Markers/10 min" in line)
    for _key, title, _spec in SESSION_COLUMNS:
        assert title in lines[header]
    rows = lines[header + 1 : header + 1 + len(data["sessions"])]
    column = [key for key, _, _ in SESSION_COLUMNS].index("markers_per_10min")
    for session, row in zip(data["sessions"], rows, strict=True):
        cells = row.split()
        assert cells[0] == str(session["session"])
        markers = session["metrics"].get("markers_per_10min", session.get("markers_per_10min"))
        expected = "—" if markers is None else f"{markers:.2f}"
        # "Coded / segments" is one cell ("6/6"), so cells line up with the columns
        assert cells[column] == expected


def test_session_table_aligns_columns_and_shows_missing_values_as_a_dash() -> None:
    sessions: list[dict[str, object]] = [
        {"session": 1, "coverage": {"coded_segments": 6, "total_segments": 6}, "metrics": {}},
        {
            "session": 12,
            "coverage": {"coded_segments": 2, "total_segments": 6},
            "metrics": {"markers_per_10min": 1.5, "withdrawal_segments": 2},
        },
    ]
    header, first, second = session_table(sessions)
    assert len(header) == len(first) == len(second)
    assert second.split() == ["12", "2/6", "2", "—", "—", "—", "1.50", "—"]
    assert first.split()[:2] == ["1", "6/6"]
