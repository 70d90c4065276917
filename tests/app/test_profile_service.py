"""Patient reports: profile from stored codes, intake round trip, overrides with history."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from backend import project_args

from coder.app import identity, intake, profiles, rounds
from coder.app.access import NotAllowed
from coder.cli import main
from coder.domain.errors import CoderError, NotFoundError, ValidationError
from coder.domain.intake import IIP, SUIPI, IIPVersion, PDInterview
from coder.store.database import ProjectDatabase

Uncode = Callable[[ProjectDatabase, str, str, int, range], None]


def test_profile_from_stored_codes_matches_the_pure_computation(demo_db: ProjectDatabase) -> None:
    report = profiles.build_report(demo_db, "P01", rater="Ada Lovelace")
    data = report.to_dict()
    # Hand-checked in tests/stats/test_profiles.py from the CSV: P01 S1 has withdrawal in
    # 5 of 6 segments, mean withdrawal significance 2.333, resolution rate 0.5.
    s1 = data["sessions"][0]
    assert (s1["session"], s1["n_segments"], s1["withdrawal_segments"]) == (1, 6, 5)
    assert s1["mean_withdrawal_significance"] == pytest.approx(7 / 3)
    assert s1["resolution_rate"] == pytest.approx(0.5)
    assert data["balance_index"] == 1.0
    assert data["difficulty"] == "agency_self_definition" and data["reasons"]
    assert data["override"] is None and data["final"]["source"] == "rules"
    json.dumps(data)  # serialisable as the CLI prints it


def test_intake_round_trip_and_validation(demo_db: ProjectDatabase) -> None:
    iip = IIP.from_octants(
        IIPVersion.IIP_32,
        {o: 1.0 + i * 0.25 for i, o in enumerate(("PA", "BC", "DE", "FG", "HI", "JK", "LM", "NO"))},
    )
    intake.save_iip(demo_db, None, "P01", iip)
    intake.save_suip(demo_db, None, "P01", SUIPI((3, 4, 2, None, 5, 1)))
    intake.save_pd(demo_db, None, "P01", PDInterview({"borderline": (2, 2, 3, 0, 1, 2, 2, 0, 0)}))
    loaded, norms = intake.load_intake(demo_db, "P01")
    assert loaded.iip == iip and loaded.suip is not None and loaded.suip.mean == pytest.approx(3.0)
    assert loaded.pd is not None and loaded.pd.results()[0].meets_threshold
    assert norms is None
    with pytest.raises(ValidationError, match="outside the allowed range"):
        IIP.from_octants(
            IIPVersion.IIP_32, {o: 5.0 for o in ("PA", "BC", "DE", "FG", "HI", "JK", "LM", "NO")}
        )
    report = profiles.build_report(demo_db, "P01", rater="Ada Lovelace")
    values = report.formulation.to_dict()
    assert "fired_rules" in values


def test_intake_csv_import(demo_db: ProjectDatabase, tmp_path: Path) -> None:
    rows = ["patient,instrument,item,value"]
    rows += [f"P02,IIP-SC,{i},{(i % 5)}" for i in range(1, 33)]
    rows += [f"P02,SUIP-I,{i},{i % 5 + 1}" for i in range(1, 7)]
    rows += [f"P02,SIDP-IV,borderline:{i},{2 if i < 6 else 0}" for i in range(1, 10)]
    path = tmp_path / "intake.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = intake.import_intake_csv(demo_db, None, path)
    assert result == intake.IntakeImport(("P02",), 3)
    loaded, _ = intake.load_intake(demo_db, "P02")
    assert (
        loaded.iip is not None
        and loaded.iip.version is IIPVersion.IIP_SC
        and len(loaded.iip.items) == 32
    )
    bad = tmp_path / "bad.csv"
    bad.write_text("patient,instrument,item,value\nP02,SUIP-I,7,3\n", encoding="utf-8")
    with pytest.raises(CoderError, match=r"bad.csv.*SUIP-I level '7' must be 1-6"):
        intake.import_intake_csv(demo_db, None, bad)


def test_override_is_stored_with_history_and_the_suggestion_stays(
    demo_db: ProjectDatabase,
) -> None:
    ada = identity.sign_in(demo_db, "Ada Lovelace")
    with pytest.raises(ValidationError, match="rationale"):
        profiles.set_override(demo_db, ada, "P01", "B", None, "  ")
    with pytest.raises(ValidationError, match="must be A, B or C"):
        profiles.set_override(demo_db, ada, "P01", "D", None, "why")
    profiles.set_override(demo_db, ada, "P01", "C", None, "first impression")
    profiles.set_override(demo_db, ada, "P01", "B", "agency_self_definition", "after session 3")
    report = profiles.build_report(demo_db, "P01", rater="Ada Lovelace")
    data = report.to_dict()
    assert data["override"]["type"] == "B" and data["override"]["who"] == "Ada Lovelace"
    assert data["final"] == {
        "type": "B",
        "difficulty": "agency_self_definition",
        "source": "clinician",
    }
    assert data["suggested_type"] == report.formulation.suggested_type  # still shown
    assert [o.type for o in profiles.override_history(demo_db, "P01")] == ["C", "B"]


def test_blinding_applies_to_profiles(demo_db: ProjectDatabase) -> None:
    identity.add_lead(demo_db, "Lee", "LP", "lab passphrase")
    lead = identity.sign_in(demo_db, "Lee", "lab passphrase")
    rounds.create_round(demo_db, lead)
    ada = identity.sign_in(demo_db, "Ada Lovelace")
    with pytest.raises(NotAllowed):
        profiles.build_report(demo_db, "P01", rater="Ben Okafor", coder=ada)
    assert profiles.build_report(demo_db, "P01", coder=ada).rater == "Ada Lovelace"
    assert (
        profiles.build_report(demo_db, "P01", rater="Ben Okafor", coder=lead).rater == "Ben Okafor"
    )
    with pytest.raises(NotFoundError, match="did you mean 'Ben Okafor'"):
        profiles.build_report(demo_db, "P01", rater="ben okafor", coder=lead)


def test_cli_profile_json_keys(
    demo_db: ProjectDatabase, capsys: pytest.CaptureFixture[str]
) -> None:
    demo_db.close()
    project = project_args(demo_db)
    with pytest.raises(SystemExit) as info:
        main(["profile", *project, "--patient", "P02", "--rater", "Ben Okafor", "--json"])
    assert info.value.code == 0
    data = json.loads(capsys.readouterr().out)
    assert {
        "patient",
        "sessions",
        "trait_like",
        "balance_index",
        "suggested_type",
        "difficulty",
        "reasons",
        "override",
    } <= set(data)
    assert set(data["sessions"][0]) >= {
        "session",
        "n_segments",
        "withdrawal_segments",
        "confrontation_segments",
        "mean_withdrawal_significance",
        "mean_confrontation_significance",
        "resolution_rate",
    }
    w = sum(s["withdrawal_segments"] for s in data["sessions"])
    c = sum(s["confrontation_segments"] for s in data["sessions"])
    assert c > w and data["balance_index"] == pytest.approx((w - c) / (w + c))
    with pytest.raises(SystemExit) as info:
        main(
            [
                "override",
                *project,
                "--patient",
                "P02",
                "--type",
                "B",
                "--rationale",
                "good functioning otherwise",
                "--as",
                "Ada Lovelace",
            ]
        )
    assert info.value.code == 0
    with pytest.raises(SystemExit):
        main(["profile", *project, "--patient", "P02", "--rater", "Ben Okafor"])
    out = capsys.readouterr().out
    assert "Clinician's decision: type B" in out and "not yet been empirically validated" in out


# ---- coverage (issue 10) ----------------------------------------------------------------
def test_partly_coded_session_from_stored_codes(
    demo_db: ProjectDatabase, uncode: Uncode, capsys: pytest.CaptureFixture[str]
) -> None:
    """Ada's P01 S2 with segments 3-6 uncoded. Left (codes.csv): seg 1 W5 W6 W7, W_SIG 3;
    seg 2 W3 W4, W_SIG 3. So 2 of 6 coded, both withdrawal: share 2/2 = 1 (not 2/6);
    seg 1 -> 2 stays at 3: unresolved; seg 2's window reaches uncoded seg 3: not
    evaluable; resolution rate 0/1 = 0."""
    uncode(demo_db, "Ada Lovelace", "P01", 2, range(3, 7))
    data = profiles.build_report(demo_db, "P01", rater="Ada Lovelace").to_dict()
    s2 = data["sessions"][1]
    assert s2["coverage"] == {"coded_segments": 2, "total_segments": 6, "share": 2 / 6}
    assert s2["withdrawal_segments"] == 2 and s2["metrics"]["withdrawal_share"] == 1.0
    assert s2["mean_withdrawal_significance"] == 3.0 and s2["resolution_rate"] == 0.0
    assert s2["resolution"]["not_evaluable"] == [2]
    assert data["coverage"]["coded_segments"] == 12 and data["coverage"]["total_segments"] == 16
    assert data["coverage"]["incomplete_sessions"] == ["P01/2: 2 of 6 segments coded"]
    demo_db.close()
    project = project_args(demo_db)
    args = ["profile", *project, "--patient", "P01", "--rater", "Ada Lovelace"]
    with pytest.raises(SystemExit) as info:
        main([*args, "--json"])
    assert info.value.code == 0
    printed = json.loads(capsys.readouterr().out)
    assert [s["coverage"]["coded_segments"] for s in printed["sessions"]] == [6, 2, 4]
    assert {"coded_segments", "total_segments"} <= set(printed["coverage"])
    with pytest.raises(SystemExit) as info:
        main(args)
    out = capsys.readouterr().out
    assert any(line.split()[:3] == ["2", "2/6", "2"] for line in out.splitlines())  # S, cov, W
    assert "Coverage: 12 of 16 segments coded (75%)" in out
    assert "Not fully coded: P01/2: 2 of 6 segments coded." in out


# ---- formulation on incomplete data (issue 10, part 2) ----------------------------------
def test_formulation_is_withheld_below_the_threshold_and_provisional_on_request(
    demo_db: ProjectDatabase, uncode: Uncode, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    complete = profiles.build_report(demo_db, "P02", rater="Ada Lovelace")
    assert complete.formulation.status == "complete" and complete.formulation.suggested_type == "A"
    uncode(demo_db, "Ada Lovelace", "P02", 3, range(2, 7))
    withheld = profiles.build_report(demo_db, "P02", rater="Ada Lovelace")
    f = withheld.formulation
    assert f.withheld and f.suggested_type is None and f.difficulty is None and not f.fired
    assert f.incomplete == ("P02/3: 1 of 6 segments coded",)
    data = withheld.to_dict()
    assert data["suggested_type"] is None and data["formulation_status"] == "withheld"
    assert "P02/3: 1 of 6 segments coded" in data["formulation_notice"]
    assert data["final"] == {"type": None, "difficulty": None, "source": "rules"}
    forced = profiles.build_report(demo_db, "P02", rater="Ada Lovelace", provisional=True)
    assert forced.formulation.provisional and forced.formulation.suggested_type is not None
    assert forced.to_dict()["formulation"]["label"] == "Provisional — computed on incomplete coding"
    # the threshold comes from the rules file
    lenient = tmp_path / "lenient.yaml"
    shipped = profiles.default_rules_path().read_text(encoding="utf-8")
    lenient.write_text(
        shipped.replace("min_session_coverage: 1.0", "min_session_coverage: 0.1"), encoding="utf-8"
    )
    assert (
        profiles.build_report(
            demo_db, "P02", rater="Ada Lovelace", rules_path=lenient
        ).formulation.status
        == "complete"
    )

    demo_db.close()
    args = ["profile", *project_args(demo_db), "--patient", "P02"]
    args += ["--rater", "Ada Lovelace"]
    with pytest.raises(SystemExit):
        main(args)
    out = capsys.readouterr().out
    assert "No suggestion: coding is incomplete." in out and "P02/3: 1 of 6 segments coded" in out
    assert "Suggested type: none (coding incomplete; --provisional to compute one)" in out
    with pytest.raises(SystemExit):
        main([*args, "--provisional"])
    out = capsys.readouterr().out
    assert "Suggested type [Provisional — computed on incomplete coding]: " in out
    with pytest.raises(SystemExit):
        main([*args, "--provisional", "--json"])
    printed = json.loads(capsys.readouterr().out)
    assert printed["formulation"]["provisional"] and printed["formulation_status"] == "provisional"


def test_consensus_profile_says_how_many_disagreements_are_open(
    demo_db: ProjectDatabase, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from coder.app import consensus, disagreements

    identity.add_lead(demo_db, "Lee", "LP", "lab passphrase")
    lead = identity.sign_in(demo_db, "Lee", "lab passphrase")
    consensus.adopt_agreements(demo_db, lead)
    open_p01 = len(
        [
            d
            for d in disagreements.find_disagreements(demo_db, lead, include_settled=False)
            if d.patient == "P01"
        ]
    )
    report = profiles.build_report(demo_db, "P01", consensus=True, coder=lead)
    assert report.open_disagreements == open_p01 > 1
    assert report.disagreements_text == f"{open_p01} disagreements open"
    assert (
        profiles.build_report(demo_db, "P01", rater="Ada Lovelace", coder=lead).open_disagreements
        is None
    )
    demo_db.close()
    passphrase = tmp_path / "pass.txt"
    passphrase.write_text("lab passphrase", encoding="utf-8")
    args = ["profile", *project_args(demo_db), "--patient", "P01"]
    args += ["--consensus", "--as", "Lee", "--passphrase-file", str(passphrase)]
    with pytest.raises(SystemExit):
        main([*args, "--json"])
    printed = json.loads(capsys.readouterr().out)
    assert printed["open_disagreements"] == open_p01
    assert printed["disagreements_text"] == f"{open_p01} disagreements open"
    with pytest.raises(SystemExit):
        main(args)
    assert f"Consensus not final: {open_p01} disagreements open." in capsys.readouterr().out
