"""Machine pre-screening (issue 16): train, run, evaluate on a small synthetic project."""

from __future__ import annotations

import socket
from pathlib import Path

import numpy as np
import pytest
from backend import project_args
from screening_data import FILLER, PASSPHRASE, WITHDRAW
from sqlalchemy import func, select

from coder.app import identity, screening, screening_evaluation
from coder.app.access import NotAllowed, visible_rater_ids
from coder.app.disagreements import find_disagreements
from coder.app.identity import AccessDenied, ActingRater
from coder.cli import main
from coder.domain.roles import RaterRole
from coder.screening import model_file
from coder.screening.model import CodeData, UnitText, fit
from coder.store.database import ProjectDatabase
from coder.store.models import AuditRow, CodeApplicationRow, RaterRow


def _count_codes(db: ProjectDatabase) -> int:
    with db.reading() as session:
        return int(session.scalar(select(func.count(CodeApplicationRow.id))) or 0)


def test_training_skips_rare_codes_and_records_provenance(
    screen_db: ProjectDatabase, lee: ActingRater, tmp_path: Path
) -> None:
    out = tmp_path / "m.model"
    result = screening.train(screen_db, lee, "Ada", out)
    trained = {c["code"]: c for c in result.trained}
    assert set(trained) == {"W1"} and trained["W1"]["unit"] == "turn"
    assert trained["W1"]["roles"] == ["patient"]  # learnt on patient turns only
    skipped = {s["code"]: s for s in result.skipped}
    assert skipped["C1"]["n_positive"] == 1 and "at least 10" in skipped["C1"]["reason"]
    assert "W2" in skipped  # no examples at all: listed, not guessed
    model, digest = model_file.load(out)
    assert digest == result.model_hash
    assert model.meta["scheme"]["key"] == "3rs-2015" and model.meta["scheme"]["revision"] == 1
    assert model.meta["raters"] == ["Ada"] and len(model.meta["sessions"]) == 8


def test_model_round_trips_through_its_file() -> None:
    rng = np.random.default_rng(1)
    units = [
        UnitText(f"{FILLER[i % 5]} {WITHDRAW if i % 3 == 0 else ''}", "patient") for i in range(90)
    ]
    labels = np.array([i % 3 == 0 for i in range(90)]) ^ (rng.random(90) < 0.05)
    model = fit({"turn": units}, [CodeData("W1", "turn", labels)])
    data, digest = model_file.to_bytes(model)
    loaded, digest2 = model_file.from_bytes(data)
    assert digest == digest2
    before = model.predict({"turn": units})["W1"]
    after = loaded.predict({"turn": units})["W1"]
    np.testing.assert_array_equal(before, after)
    assert 0.0 < before.min() < before.max() < 1.0


def test_refuses_a_tampered_truncated_or_foreign_model(
    screen_db: ProjectDatabase, lee: ActingRater, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "m.model"
    screening.train(screen_db, lee, "Ada", good)
    data = good.read_bytes()
    n = _count_codes(screen_db)
    tampered = tmp_path / "tampered.model"
    tampered.write_bytes(data[:-200] + bytes([data[-200] ^ 1]) + data[-199:])
    truncated = tmp_path / "truncated.model"
    truncated.write_bytes(data[: len(data) // 2])
    model, _ = model_file.from_bytes(data)
    model.meta["scheme"]["revision"] = 7
    foreign = tmp_path / "foreign.model"
    foreign.write_bytes(model_file.to_bytes(model)[0])
    pickled = tmp_path / "pickle.model"
    pickled.write_bytes(b"\x80\x04\x95")
    for path, words in (
        (tampered, "does not match its hash"),
        (truncated, "does not match its hash"),
        (foreign, "revision 7"),
        (pickled, "not a Rupture Coder screening model"),
    ):
        with pytest.raises(screening.ModelRefused, match=words):
            screening.run(screen_db, lee, path, ["P01/1"])
        assert _count_codes(screen_db) == n  # nothing written
    pass_file = tmp_path / "pass.txt"
    pass_file.write_text(PASSPHRASE, encoding="utf-8")
    with pytest.raises(SystemExit) as info:
        main(["screen", "run", *project_args(screen_db), "--model",
              str(tampered), "--sessions", "P01/1", "--as", "Lee", "--passphrase-file",
              str(pass_file)])  # fmt: skip
    err = capsys.readouterr().err
    assert info.value.code == 2 and err.count("\n") == 1 and "hash" in err


def test_run_stores_machine_codes_with_probabilities_blinded(
    screen_db: ProjectDatabase, lee: ActingRater, tmp_path: Path
) -> None:
    out = tmp_path / "m.model"
    trained = screening.train(screen_db, lee, "Ada", out)
    ada = identity.sign_in(screen_db, "Ada")
    with pytest.raises(NotAllowed, match="only a lead"):
        screening.run(screen_db, ada, out, ["P01/1"])
    with screen_db.reading() as session:
        last_entry = session.scalar(select(func.max(AuditRow.id))) or 0
    result = screening.run(screen_db, lee, out, ["P01", "P02/2"])
    assert result.rater == f"Machine · {trained.model_hash[:8]}" and result.sessions == 3
    assert result.codes > 0
    with screen_db.reading() as session:
        machine = session.scalar(select(RaterRow).where(RaterRow.name == result.rater))
        assert machine is not None and machine.role == RaterRole.MACHINE.value
        rows = session.scalars(
            select(CodeApplicationRow).where(CodeApplicationRow.rater_id == machine.id)
        ).all()
        assert rows and all(r.code_id == "W1" and r.probability is not None for r in rows)
        assert all(r.evidence_turn is not None and r.unit == "segment" for r in rows)
        # blinded like any rater: Ada sees only her own codes, never the machine's
        assert visible_rater_ids(session, ada) == [ada.rater_id]
        assert visible_rater_ids(session, lee) is None
    # The audit trail names the lead and summarises each session's suggestions in one
    # entry (a per-code entry cost more than the model itself).
    with screen_db.reading() as session:
        entries = session.execute(
            select(AuditRow.actor, AuditRow.action).where(
                AuditRow.table == "code_applications", AuditRow.id > last_entry
            )
        ).all()
    assert entries and set(entries) == {("Lee", "insert")} and len(entries) <= 3
    # running again replaces, never doubles
    assert screening.run(screen_db, lee, out, ["P01", "P02/2"]).codes == result.codes
    with pytest.raises(AccessDenied, match="machine rater"):
        identity.sign_in(screen_db, result.rater)
    # never in a consensus unless named
    found = find_disagreements(screen_db, lee)
    assert all(result.rater not in d.values for d in found)


def test_training_respects_blinding(screen_db: ProjectDatabase, tmp_path: Path) -> None:
    ada = identity.sign_in(screen_db, "Ada")
    with pytest.raises(NotAllowed):
        screening.train(screen_db, ada, "Ben", tmp_path / "x.model")
    with pytest.raises(NotAllowed):
        screening.train(screen_db, None, "Ada", tmp_path / "x.model")
    screening.train(screen_db, ada, "Ada", tmp_path / "own.model")  # one's own codes: fine
    assert not (tmp_path / "x.model").exists()


def test_nothing_goes_over_the_network(
    screen_db: ProjectDatabase, lee: ActingRater, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("screening opened a socket")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    out = tmp_path / "m.model"
    screening.train(screen_db, lee, "Ada", out)
    assert screening.run(screen_db, lee, out, ["P03/1"]).codes > 0
    assert screening_evaluation.evaluate(screen_db, lee, "Ada", folds=2)["codes"]


def test_ratings_are_trained_stored_and_evaluated_as_ordinal(
    screen_db: ProjectDatabase, lee: ActingRater, tmp_path: Path
) -> None:
    """W_SIG rated by Ada on every segment: the model lists it with its values, the
    machine rates every segment it screens, and evaluate scores it as ordinal."""
    from coder.screening.model import Settings

    with screen_db.transaction() as session:
        ada_id = session.scalar(select(RaterRow.id).where(RaterRow.name == "Ada"))
        rows = session.scalars(
            select(CodeApplicationRow).where(
                CodeApplicationRow.rater_id == ada_id, CodeApplicationRow.code_id == "W1"
            )
        ).all()
        sessions = sorted({r.session_id for r in rows})
        scheme_id = rows[0].scheme_id
        ben_id = session.scalar(select(RaterRow.id).where(RaterRow.name == "Ben"))
        for i, sid in enumerate(sessions):
            for rater_id in (ada_id, ben_id) if i < 2 else (ada_id,):  # Ben: the first two
                session.add(
                    CodeApplicationRow(
                        session_id=sid, rater_id=rater_id, scheme_id=scheme_id, code_id="W_SIG",
                        unit="segment", unit_index=1, value=1 + 2 * (i % 2),
                    )
                )  # fmt: skip
    settings = Settings(min_positive=4)
    out = tmp_path / "m.model"
    trained = screening.train(screen_db, lee, "Ada", out, settings=settings)
    w_sig = next(c for c in trained.trained if c["code"] == "W_SIG")
    assert w_sig["levels"] == [1, 3] and w_sig["n_units"] == len(sessions)
    assert "C_SIG" in {s["code"] for s in trained.skipped}  # never rated: listed, not guessed
    result = screening.run(screen_db, lee, out, ["P03/1"])
    with screen_db.reading() as session:
        rated = session.execute(
            select(CodeApplicationRow.value, CodeApplicationRow.probability)
            .join(RaterRow, CodeApplicationRow.rater_id == RaterRow.id)
            .where(RaterRow.name == result.rater, CodeApplicationRow.code_id == "W_SIG")
        ).all()
    assert len(rated) == 1 and rated[0][0] in (1, 3) and 0 < rated[0][1] <= 1
    evaluation = screening_evaluation.evaluate(
        screen_db, lee, "Ada", folds=2, settings=settings, bootstrap=300
    )
    entry = next(r for r in evaluation["ratings"] if r["rating"] == "W_SIG")
    assert entry["n_units"] == len(sessions) and entry["n_predicted"] == len(sessions)
    assert set(entry) >= {"weighted_kappa", "alpha_ordinal", "exact_agreement"}
    # Next to it, the humans' own agreement on the segments two of them rated (Ada, Ben).
    assert entry["human_weighted_kappa"] == pytest.approx(1.0)
    # Ratings get cluster-bootstrap intervals too, around their own point estimates.
    low, high = entry["exact_agreement_ci"]
    assert 0 <= low <= entry["exact_agreement"] <= high <= 1
    for stat in ("weighted_kappa", "alpha_ordinal"):
        ci = entry[f"{stat}_ci"]
        assert ci is None or ci[0] <= entry[stat] <= ci[1], stat
    no_boot = screening_evaluation.evaluate(
        screen_db, lee, "Ada", folds=2, settings=settings, bootstrap=0
    )
    assert (
        next(r for r in no_boot["ratings"] if r["rating"] == "W_SIG")["exact_agreement_ci"] is None
    )


def test_run_reports_each_session_and_a_raising_callback_writes_nothing(
    screen_db: ProjectDatabase, lee: ActingRater, tmp_path: Path
) -> None:
    """What the desktop app's Run job needs: one call before each session, and Cancel
    (the callback raising) rolls the one transaction back: no codes, no machine rater."""
    out = tmp_path / "m.model"
    screening.train(screen_db, lee, "Ada", out)
    calls: list[tuple[int, int, str]] = []
    screening.run(screen_db, lee, out, ["P03/1", "P04/1"], progress=lambda *a: calls.append(a))
    assert calls == [(0, 2, "session P03/1"), (1, 2, "session P04/1")]
    n = _count_codes(screen_db)

    class Cancelled(Exception):
        pass

    def cancel_second(done: int, total: int, what: str) -> None:
        if done == 1:
            raise Cancelled

    with pytest.raises(Cancelled):
        screening.run(screen_db, lee, out, ["P01/1", "P02/1"], as_name="M2", progress=cancel_second)
    assert _count_codes(screen_db) == n
    with screen_db.reading() as session:
        assert session.scalar(select(RaterRow.id).where(RaterRow.name == "M2")) is None


def test_too_few_units_or_a_rater_without_codes_exit_2_writing_nothing(
    screen_db: ProjectDatabase, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Bad input from the command line: one clear line on stderr, exit 2, no model file."""
    from coder.app import raters

    raters.add_rater(screen_db, "Cy", "CY")  # a rater who coded nothing
    pass_file = tmp_path / "pass.txt"
    pass_file.write_text(PASSPHRASE, encoding="utf-8")
    project = [*project_args(screen_db), "--as", "Lee",
               "--passphrase-file", str(pass_file)]  # fmt: skip
    out = tmp_path / "m.model"
    for args, words in (
        (["screen", "train", "--from", "Ben", "--out", str(out)], "no code has enough"),
        (["screen", "train", "--from", "Cy", "--out", str(out)], "Cy has no codes"),
        (["screen", "evaluate", "--from", "Cy"], "Cy has no codes"),
        (["screen", "train", "--from", "Nobody", "--out", str(out)], "no rater named 'Nobody'"),
    ):
        n = _count_codes(screen_db)
        with pytest.raises(SystemExit) as info:
            main([*args, *project])
        err = capsys.readouterr().err
        assert info.value.code == 2 and err.count("\n") == 1 and words in err, (args, err)
        assert not out.exists() and _count_codes(screen_db) == n
