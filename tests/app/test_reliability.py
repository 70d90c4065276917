"""Project reliability: matrices built from stored codes match an independent build from
the codes CSV; blinding holds; the CLI project form prints every row."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from backend import project_args

from coder.app import identity, reliability, reliability_format, rounds
from coder.app.access import NotAllowed
from coder.cli import main
from coder.domain.errors import NotFoundError, ValidationError
from coder.stats.reliability import reliability_report
from coder.store.database import ProjectDatabase

REPO = Path(__file__).resolve().parents[2]


def csv_rows() -> list[dict[str, str]]:
    with (REPO / "sample_transcripts" / "codes.csv").open(encoding="utf-8") as fh:
        return [r for r in csv.DictReader(fh) if r["scheme"] in ("", "3rs-2015")]


def test_significance_matrix_matches_an_independent_build(demo_db: ProjectDatabase) -> None:
    table = reliability.compute(demo_db, None, bootstrap=0)
    row = next(r for r in table.rows if r.item == "W_SIG")
    values: dict[tuple[str, str, str], dict[str, float]] = {}
    for r in csv_rows():
        if r["code"] == "W_SIG":
            values.setdefault((r["patient"], r["session"], r["unit_index"]), {})[r["rater"]] = (
                float(r["value"])
            )
    keys = sorted(values, key=lambda k: (k[0], int(k[1]), int(k[2])))
    matrix = np.array(
        [[values[k].get("Ada Lovelace", np.nan), values[k].get("Ben Okafor", np.nan)] for k in keys]
    )
    expected = reliability_report(matrix, "ordinal", bootstrap=0)
    assert row.report.n_units == len(keys) == expected.n_units
    for key in ("percent_agreement", "cohen_kappa", "krippendorff_alpha"):
        assert row.report.stats[key].value == pytest.approx(expected.stats[key].value)
    assert row.report.icc["ICC2"].value == pytest.approx(expected.icc["ICC2"].value)


def test_presence_counts_absent_as_zero_in_coded_sessions(demo_db: ProjectDatabase) -> None:
    table = reliability.compute(demo_db, None, bootstrap=0)
    w1 = next(r for r in table.rows if r.kind == "code" and r.item == "W1")
    present = {
        (r["patient"], r["session"], r["unit_index"], r["rater"])
        for r in csv_rows()
        if r["code"] == "W1" and r["value"] == "1"
    }
    segments = {
        (r["patient"], r["session"], r["unit_index"]) for r in csv_rows() if r["code"] == "W_SIG"
    }
    agree = sum(
        ((p, s, i, "Ada Lovelace") in present) == ((p, s, i, "Ben Okafor") in present)
        for p, s, i in segments
    )
    assert w1.report.n_units == len(segments)
    assert w1.report.stats["percent_agreement"].value == pytest.approx(agree / len(segments))
    kinds = {r.kind for r in table.rows}
    assert {"code", "family", "rating", "session rating", "frequency", "span"} <= kinds
    assert "turn span" not in kinds  # the kappa over marked turns only is gone (issue 10)


def test_blinded_rounds_need_a_lead(demo_db: ProjectDatabase) -> None:
    identity.add_lead(demo_db, "Lee", "LP", "lab passphrase")
    lead = identity.sign_in(demo_db, "Lee", "lab passphrase")
    rounds.create_round(demo_db, lead)
    with pytest.raises(NotAllowed, match="only a lead"):
        reliability.compute(demo_db, identity.sign_in(demo_db, "Ada Lovelace"), bootstrap=0)
    with pytest.raises(NotAllowed):
        reliability.compute(demo_db, None, bootstrap=0)
    assert reliability.compute(demo_db, lead, bootstrap=0).rows
    with pytest.raises(Exception, match="no codes"):
        reliability.compute(
            demo_db, lead, round_number=1, bootstrap=0
        )  # the round holds no codes yet


def test_needs_two_raters(demo_db: ProjectDatabase) -> None:
    with pytest.raises(ValidationError, match="at least two raters"):
        reliability.compute(demo_db, None, raters=["Ada Lovelace"], bootstrap=0)


def test_rater_names_match_exactly(demo_db: ProjectDatabase) -> None:
    with pytest.raises(NotFoundError, match="did you mean 'Ben Okafor'"):
        reliability.compute(demo_db, None, raters=["Ada Lovelace", "ben okafor"], bootstrap=0)
    table = reliability.compute(demo_db, None, raters=["Ada Lovelace", "Ben Okafor"], bootstrap=0)
    assert table.raters == ("Ada Lovelace", "Ben Okafor")


def test_cli_project_form(demo_db: ProjectDatabase, capsys: pytest.CaptureFixture[str]) -> None:
    demo_db.close()
    project = project_args(demo_db)
    with pytest.raises(SystemExit) as info:
        main(["irr", *project, "--json", "--bootstrap", "100"])
    out = capsys.readouterr().out
    assert info.value.code == 0
    data = json.loads(out)
    assert data["raters"] == ["Ada Lovelace", "Ben Okafor"] and data["sessions"] == 6
    w_sig = next(r for r in data["rows"] if r["item"] == "W_SIG")
    assert set(w_sig["icc"]) == {"ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k"}
    assert w_sig["n_raters"] == 2 and w_sig["krippendorff_alpha"]["ci95"] is not None
    with pytest.raises(SystemExit):
        main(["irr", *project, "--format", "csv", "--bootstrap", "0"])
    assert capsys.readouterr().out.startswith("kind,item,unit,level,n_units")
    with pytest.raises(SystemExit):
        main(["irr", *project, "--bootstrap", "0"])
    assert "Koo & Li" in capsys.readouterr().out


def test_sessions_narrow_the_units(
    demo_db: ProjectDatabase, capsys: pytest.CaptureFixture[str]
) -> None:
    every = reliability.compute(demo_db, None, bootstrap=0)
    one_patient = reliability.compute(demo_db, None, sessions=["P01"], bootstrap=0)
    one_session = reliability.compute(demo_db, None, sessions=["P02/3"], bootstrap=0)
    assert (every.sessions, one_patient.sessions, one_session.sessions) == (6, 3, 1)
    units = [
        next(r for r in t.rows if r.item == "W_SIG").report.n_units
        for t in (every, one_patient, one_session)
    ]
    assert units == [34, 16, 6]  # P01 has 6 + 6 + 4 segments, P02 session 3 has 6
    with pytest.raises(ValidationError, match="P01 or P01/2"):
        reliability.compute(demo_db, None, sessions=["P01/x"], bootstrap=0)
    demo_db.close()
    with pytest.raises(SystemExit) as info:
        main(
            [
                "irr",
                *project_args(demo_db),
                "--sessions",
                "P02/3",
                "--json",
                "--bootstrap",
                "0",
            ]
        )
    assert info.value.code == 0 and json.loads(capsys.readouterr().out)["sessions"] == 1


def test_a_statistic_that_fails_leaves_the_rest_of_the_project_table(
    demo_db: ProjectDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 10 part 5: the project table shares the report code, so a statistic that
    raises (as ICC's CI did on swapped codes) must become that statistic's null + note."""
    from coder.stats import reliability as stats_module

    def broken(matrix: object) -> object:
        raise ZeroDivisionError("float division by zero")

    monkeypatch.setattr(stats_module, "icc_all", broken)
    table = reliability.compute(demo_db, None, bootstrap=0)
    row = next(r for r in table.rows if r.item == "W_SIG")
    assert row.report.icc["ICC2"].value is None
    assert "ZeroDivisionError" in (row.report.icc["ICC2"].note or "")
    assert row.report.stats["krippendorff_alpha"].value is not None
    assert "ICC2=—" in reliability_format.as_text(table)


def test_span_rows_are_unitizing_alpha_over_an_independent_build_from_the_csv(
    demo_db: ProjectDatabase,
) -> None:
    """uα of a code's spans equals uα over continua built here from the codes CSV's
    evidence spans (``turn:char``) and the transcripts' turn texts (Python ``len``, not
    the SQL length the service uses), every session both raters coded, end to end."""
    from coder.app.browse import load_transcript
    from coder.stats.unitizing import Continuum, unitizing_alpha

    table = reliability.compute(demo_db, None, bootstrap=0)
    raters = ["Ada Lovelace", "Ben Okafor"]
    rows = csv_rows()
    coded = {(r["patient"], int(r["session"]), r["rater"]) for r in rows}
    sessions = sorted(
        {(p, s) for p, s, _ in coded if all((p, s, name) in coded for name in raters)}
    )
    checked = 0
    for code in ("R5", "W1", "C2"):
        continua = []
        for patient, number in sessions:
            turns = load_transcript(demo_db, patient, number).turns
            offsets = np.concatenate([[0], np.cumsum([len(t.text) for t in turns])])
            units = []
            for r in rows:
                if (r["patient"], int(r["session"]), r["code"]) == (patient, number, code) and r[
                    "evidence_start"
                ]:
                    turn, start = map(int, r["evidence_start"].split(":"))
                    _, end = map(int, r["evidence_end"].split(":"))
                    begin = int(offsets[turn - 1]) + start
                    units.append((raters.index(r["rater"]), begin, end - start))
            continua.append(Continuum(0, int(offsets[-1]), tuple(units)))
        expected = unitizing_alpha(continua, 2).stat
        row = next(r for r in table.rows if r.kind == "span" and r.item == code)
        got = row.report.stats["u_alpha"]
        assert got.value == pytest.approx(expected.value)
        assert got.n_units == expected.n_units == sum(c.length for c in continua)
        assert "turn overlap" in [r.kind for r in table.rows if r.item == code]
        checked += 1
    assert checked == 3


def test_method_note_of_every_row_names_units_and_missing(demo_db: ProjectDatabase) -> None:
    table = reliability.compute(demo_db, None, bootstrap=0)
    for row in table.rows:
        note = reliability_format.method_note(row)
        assert note.startswith("Units: ") and "Missing: " in note, row.kind
    data = reliability_format.as_rows(table)
    assert all(
        d["method"] == reliability_format.method_note(r)
        for d, r in zip(data, table.rows, strict=True)
    )
