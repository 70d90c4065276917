"""Evaluating a screening model (issue 16): grouped cross-validation against held-out
codes, its JSON shape, grouping by patient or session, progress and cancelling."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from backend import project_args
from screening_data import PASSPHRASE

from coder.app import screening_evaluation
from coder.app.identity import ActingRater
from coder.cli import main
from coder.store.database import ProjectDatabase


def test_evaluate_json_shape_and_grouping(
    screen_db: ProjectDatabase, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pass_file = tmp_path / "pass.txt"
    pass_file.write_text(PASSPHRASE, encoding="utf-8")
    with pytest.raises(SystemExit) as info:
        main(["screen", "evaluate", *project_args(screen_db), "--from", "Ada",
              "--folds", "2", "--json", "--as", "Lee", "--passphrase-file", str(pass_file)])  # fmt: skip
    assert info.value.code == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result) == {"codes", "ratings", "folds", "model"}
    assert result["model"]["group_by"] == "patient" and len(result["folds"]) == 2
    for fold in result["folds"]:
        assert fold["test_groups"] and not set(fold["test_groups"]) & set(fold["train_groups"])
    tested = sorted(g for f in result["folds"] for g in f["test_groups"])
    assert tested == ["P01", "P02", "P03", "P04"]
    w1 = next(c for c in result["codes"] if c["code"] == "W1")
    keys = {"code", "n_units", "n_positive", "kappa", "alpha", "precision", "recall", "auc",
            "human_kappa"}  # fmt: skip
    assert keys <= set(w1)
    assert w1["n_units"] == 8 * 15  # patient turns only
    assert w1["kappa"] > 0.8 and w1["auc"] > 0.9
    for stat in ("kappa", "alpha", "precision", "recall", "auc"):  # resampling patients
        low, high = w1[f"{stat}_ci"]
        assert low <= w1[stat] <= high <= 1.0
    assert result["model"]["bootstrap"]["resamples"] == 1000
    assert 0 < w1["human_kappa"] < 1  # Ada and Ben on P01's sessions
    c1 = next(c for c in result["codes"] if c["code"] == "C1")
    assert c1["n_positive"] == 1


def test_evaluate_groups_by_session_for_one_patient(
    screen_db: ProjectDatabase, lee: ActingRater
) -> None:
    result = screening_evaluation.evaluate(
        screen_db, lee, "Ada", folds=2, sessions=["P01", "P02"], group_by="session"
    )
    assert result["model"]["group_by"] == "session"
    assert result["model"]["n_sessions"] == 4
    result = screening_evaluation.evaluate(screen_db, lee, "Ada", folds=2, sessions=["P01"])
    assert result["model"]["group_by"] == "session"
    assert sorted(g for f in result["folds"] for g in f["test_groups"]) == ["P01/1", "P01/2"]


def test_evaluate_reports_progress_and_stops_when_the_callback_raises(
    screen_db: ProjectDatabase, lee: ActingRater
) -> None:
    """What a background job needs: one call per fold and one before scoring, and a
    callback that raises (Cancel) stops the evaluation there."""
    calls: list[tuple[int, int, str]] = []
    screening_evaluation.evaluate(
        screen_db,
        lee,
        "Ada",
        folds=2,
        bootstrap=0,
        progress=lambda done, total, what: calls.append((done, total, what)),
    )
    assert calls == [(0, 2, "fold 1 of 2"), (1, 2, "fold 2 of 2"), (2, 2, "scoring")]

    class Cancelled(Exception):
        pass

    def cancel(done: int, total: int, what: str) -> None:
        if done == 1:
            raise Cancelled

    with pytest.raises(Cancelled):
        screening_evaluation.evaluate(screen_db, lee, "Ada", folds=2, bootstrap=0, progress=cancel)


def test_model_type_is_chosen_on_the_command_line_and_named_in_the_evaluation(
    screen_db: ProjectDatabase, lee: ActingRater, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Another model type is evaluated in the very same cross-validation as the baseline
    (its name in ``model.features``); an unknown one is bad input, exit 2."""
    from coder.screening.model import Settings

    base = screening_evaluation.evaluate(screen_db, lee, "Ada", folds=2, bootstrap=0)
    assert base["model"]["features"] == "tfidf"
    same = screening_evaluation.evaluate(
        screen_db, lee, "Ada", folds=2, bootstrap=0, settings=Settings(features="tfidf")
    )
    assert same["folds"] == base["folds"]  # same groups, same folds: comparable
    pass_file = tmp_path / "pass.txt"
    pass_file.write_text(PASSPHRASE, encoding="utf-8")
    with pytest.raises(SystemExit) as info:
        main(["screen", "evaluate", *project_args(screen_db), "--from", "Ada",
              "--model-type", "bert", "--as", "Lee", "--passphrase-file", str(pass_file)])  # fmt: skip
    err = capsys.readouterr().err
    assert info.value.code == 2 and err.count("\n") == 1 and "no model type 'bert'" in err
