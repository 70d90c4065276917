"""Patient attributes and per-therapist summaries."""

from __future__ import annotations

import json

import pytest
from backend import project_args

from coder.app import patients, profiles
from coder.cli import main
from coder.domain.errors import NotFoundError, ValidationError
from coder.store.database import ProjectDatabase


def test_attributes_set_and_remove(demo_db: ProjectDatabase) -> None:
    patients.set_attribute(demo_db, "P01", "site", " Vienna ")
    assert patients.attributes(demo_db)["P01"] == {"therapist": "Dr. Lee", "site": "Vienna"}
    patients.set_attribute(demo_db, "P01", "site", None)
    assert "site" not in patients.attributes(demo_db)["P01"]
    with pytest.raises(NotFoundError):
        patients.set_attribute(demo_db, "P99", "site", "x")
    with pytest.raises(ValidationError):
        patients.set_attribute(demo_db, "P01", " ", "x")


def test_session_specific_therapist_wins(demo_db: ProjectDatabase) -> None:
    patients.set_attribute(demo_db, "P01", "therapist_S3", "Dr. Cho")
    mapping = patients.therapist_of_sessions(demo_db)
    assert mapping[("P01", 1)] == "Dr. Lee" and mapping[("P01", 3)] == "Dr. Cho"


def test_therapist_summaries_add_up_the_patient_profiles(demo_db: ProjectDatabase) -> None:
    found = {t.therapist: t for t in profiles.therapist_summaries(demo_db, rater="Ada Lovelace")}
    assert set(found) == {"Dr. Lee", "Dr. Alan Park"}
    p01 = profiles.build_report(demo_db, "P01", rater="Ada Lovelace").profile
    lee = found["Dr. Lee"]
    assert lee.patients == ("P01",) and lee.n_sessions == 3
    assert lee.withdrawal_segments == sum(s.withdrawal_segments for s in p01.sessions)
    assert lee.n_segments == sum(s.n_segments for s in p01.sessions)
    rates = [s.resolution.rate for s in p01.sessions if s.resolution.rate is not None]
    assert lee.mean_resolution_rate == pytest.approx(sum(rates) / len(rates))


def test_cli(demo_db: ProjectDatabase, capsys: pytest.CaptureFixture[str]) -> None:
    demo_db.close()
    project = project_args(demo_db)
    with pytest.raises(SystemExit):
        main(["patients", "set", *project, "P02", "arm", "CBT"])
    with pytest.raises(SystemExit):
        main(["patients", "list", *project, "--json"])
    out = capsys.readouterr().out
    assert json.loads(out[out.index("{") :])["P02"]["arm"] == "CBT"
    with pytest.raises(SystemExit) as info:
        main(["profile", *project, "--therapists", "--rater", "Ben Okafor", "--json"])
    assert info.value.code == 0
    data = json.loads(capsys.readouterr().out)
    assert [t["therapist"] for t in data] == ["Dr. Alan Park", "Dr. Lee"]
    with pytest.raises(SystemExit) as info:
        main(["profile", *project])
    assert info.value.code == 2 and "--patient" in capsys.readouterr().err
