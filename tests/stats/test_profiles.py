"""Rupture profiles on the sample sessions, checked against counts made by hand and by an
independent loop over codes.csv; edge cases and the 3RS-2022 salience path."""

from __future__ import annotations

import csv
import functools
import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from coder.domain.errors import ValidationError
from coder.domain.formulation import METRICS
from coder.domain.scheme import Scheme
from coder.domain.segmentation import build_segments
from coder.io.scheme_file import load_scheme_file
from coder.io.transcripts import read_transcripts
from coder.stats.profiles import (
    SESSION_METRICS,
    PatientProfile,
    ProfileOptions,
    balance,
    build_patient_profile,
    formulation_inputs,
    patient_profile,
    phase_of,
    segments_frame,
    session_profiles,
    therapist_profiles,
)

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "sample_transcripts"
FILES = {
    ("P01", 1): "P01_S1.docx", ("P01", 2): "P01_S2.docx", ("P01", 3): "P01_S3.txt",
    ("P02", 1): "P02_S1.vtt", ("P02", 2): "P02_S2.srt", ("P02", 3): "P02_S3.csv",
}  # fmt: skip
ADA = "Ada Lovelace"


@functools.cache
def scheme(name: str) -> Scheme:
    return load_scheme_file(REPO / "schemes" / f"{name}.yaml")[0]


@pytest.fixture(scope="module")
def schemes() -> list[Scheme]:
    return [scheme("3rs-2015"), scheme("safran-muran-stages")]


@pytest.fixture(scope="module")
def segments(schemes: list[Scheme]) -> pd.DataFrame:
    """Segment tables cut exactly as the app (and build_codes.py) cuts them."""
    frames = []
    for (patient, number), name in FILES.items():
        [parsed] = read_transcripts(SAMPLES / name)
        segs = build_segments(parsed.transcript.turns, schemes[0].segmentation)
        frames.append(segments_frame(number, segs).assign(patient=patient))
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def ada() -> pd.DataFrame:
    codes = pd.read_csv(SAMPLES / "codes.csv")
    return codes[codes["rater"] == ADA].rename(columns={"code": "code_id"})


def profile_of(
    patient: str, ada: pd.DataFrame, segments: pd.DataFrame, schemes: list[Scheme]
) -> PatientProfile:
    return build_patient_profile(
        patient,
        ada[ada["patient"] == patient],
        segments[segments["patient"] == patient],
        schemes,
    )


def csv_rows(patient: str, session: int) -> Iterator[dict[str, str]]:
    with (SAMPLES / "codes.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if (row["rater"], row["patient"], row["session"]) == (ADA, patient, str(session)):
                yield row


def hand_count(patient: str, session: int) -> dict[str, object]:
    """An independent count from the raw CSV, by the 3RS-2015 id spelling (W1..W7, C1..C7)."""
    w_segs: set[int] = set()
    c_segs: set[int] = set()
    w_sig: list[int] = []
    for row in csv_rows(patient, session):
        if row["unit"] != "segment" or row["value"] == "0":
            continue
        code, seg = row["code"], int(row["unit_index"])
        if code[0] == "W" and code[1:].isdigit():
            w_segs.add(seg)
        elif code[0] == "C" and code[1:].isdigit():
            c_segs.add(seg)
        elif code == "W_SIG":
            w_sig.append(int(row["value"]))
    return {"W": len(w_segs), "C": len(c_segs), "mean_w_sig": sum(w_sig) / len(w_sig)}


def test_p01_session_1_by_hand(
    ada: pd.DataFrame, segments: pd.DataFrame, schemes: list[Scheme]
) -> None:
    """P01 S1 (Ada), read off codes.csv:

    seg 1: W1 W2 W5 | R3 R4        | W_SIG 3
    seg 2: -        | -            | W_SIG 1
    seg 3: W1 W3 W4 W6 | R4 R6 R9  | W_SIG 3
    seg 4: W2 W3 W4 W6 W7 | R3 R9 R10 | W_SIG 3
    seg 5: W1 W2 W5 W7 | R2 R4 R5 R7 | W_SIG 3
    seg 6: W5       | R4           | W_SIG 1          (C_SIG 1 everywhere, no C markers)

    withdrawal segments {1,3,4,5,6} = 5 of 6; confrontation 0;
    marker applications 3+4+5+4+1 = 17 over 6 five-minute windows = 30 min -> 5.667 / 10 min;
    mean W significance (3+1+3+3+3+1)/6 = 14/6 = 2.333, max 3;
    resolution (window 1): seg 1 -> seg 2 drops 3 -> 1 with R3/R4: resolved; seg 3 -> 4 and
    seg 4 -> 5 stay at 3: unresolved; seg 5 -> 6 drops 3 -> 1 with R2...: resolved; seg 6 is
    the last segment: not evaluable. Rate 2 / 4 = 0.5.
    """
    s1 = profile_of("P01", ada, segments, schemes).sessions[0]
    assert s1.session == 1 and s1.n_segments == 6
    assert s1.withdrawal_segment_indexes == (1, 3, 4, 5, 6)
    assert (s1.withdrawal_segments, s1.confrontation_segments) == (5, 0)
    assert s1.withdrawal_markers == 17 and s1.duration_min == 30.0
    m = s1.metrics()
    assert m["withdrawal_share"] == pytest.approx(5 / 6)
    assert m["withdrawal_per_10min"] == pytest.approx(17 / 30 * 10)
    assert m["mean_withdrawal_significance"] == pytest.approx(14 / 6)
    assert m["max_withdrawal_significance"] == 3
    assert m["mean_confrontation_significance"] == 1.0
    assert m["mean_rupture_significance"] == pytest.approx((3 + 3 + 3 + 3 + 1) / 5)
    assert s1.resolution.resolved == (1, 5) and s1.resolution.unresolved == (3, 4)
    assert s1.resolution.not_evaluable == (6,) and s1.resolution.rate == 0.5
    assert s1.marker_counts["W5"] == 3 and s1.marker_counts["C1"] == 0
    assert s1.strategy_counts["R4"] == 4
    assert dict(s1.globals) == {"G_W": 3, "G_C": 1, "G_TCONTRIB": 2, "G_RESOLVED": 2}
    assert s1.duration_source == "segments" and not s1.duration_estimated


@pytest.mark.parametrize(("patient", "session"), list(FILES))
def test_every_session_matches_an_independent_count(
    patient: str, session: int, ada: pd.DataFrame, segments: pd.DataFrame, schemes: list[Scheme]
) -> None:
    profile = profile_of(patient, ada, segments, schemes)
    [s] = [p for p in profile.sessions if p.session == session]
    expected = hand_count(patient, session)
    assert s.withdrawal_segments == expected["W"]
    assert s.confrontation_segments == expected["C"]
    assert s.metrics()["mean_withdrawal_significance"] == pytest.approx(expected["mean_w_sig"])


def test_patient_level_p01_and_p02(
    ada: pd.DataFrame, segments: pd.DataFrame, schemes: list[Scheme]
) -> None:
    p01 = profile_of("P01", ada, segments, schemes)
    assert [s.withdrawal_segments for s in p01.sessions] == [5, 5, 3]
    assert p01.trait_like["withdrawal_segments"] == pytest.approx(13 / 3)
    assert p01.trait_like["withdrawal_share"] == pytest.approx((5 / 6 + 5 / 6 + 3 / 4) / 3)
    assert p01.trait_like["resolution_rate"] == pytest.approx((0.5 + 0.2 + 2 / 3) / 3)
    assert p01.withdrawal_total == 13 and p01.confrontation_total == 0
    assert p01.balance_index == 1.0  # only withdrawal
    # state-like parts are deviations from the patient mean, so they sum to 0
    assert sum(p01.state_like[n]["withdrawal_segments"] or 0 for n in (1, 2, 3)) == pytest.approx(0)
    assert p01.phases.phase_of_session == {1: "early", 2: "middle", 3: "late"}
    assert p01.phases.share["early"] == pytest.approx(5 / 6)
    assert p01.phases.peak is None  # early and middle tie at 5/6
    # P01 S3 is untimed: 4 estimated windows; three stage episodes, all resolved
    s3 = p01.sessions[2]
    assert s3.n_segments == 4 and s3.duration_estimated
    assert [(e.pathway, e.highest_stage) for e in s3.episodes] == [
        ("withdrawal", "WS5"), ("withdrawal", "WS2"), ("withdrawal", "WS2"),
    ]  # fmt: skip
    assert s3.episodes[0].reached_final and s3.metrics()["episodes_resolved_share"] == 1.0

    p02 = profile_of("P02", ada, segments, schemes)
    assert [s.confrontation_segments for s in p02.sessions] == [6, 4, 4]
    assert p02.balance_index == -1.0
    assert p02.phases.peak == "early"  # 6/6 vs 4/6 and 4/6
    assert [e.highest_stage for e in p02.sessions[2].episodes] == ["CS5", "CS2"]


def test_json_keys_for_the_cli(
    ada: pd.DataFrame, segments: pd.DataFrame, schemes: list[Scheme]
) -> None:
    data = profile_of("P02", ada, segments, schemes).to_dict()
    text = json.dumps(data, allow_nan=False)  # strictly JSON
    assert json.loads(text)["patient"] == "P02"
    assert {"patient", "sessions", "trait_like", "balance_index"} <= set(data)
    first = data["sessions"][0]  # type: ignore[index]
    for key in (
        "session", "n_segments", "withdrawal_segments", "confrontation_segments",
        "mean_withdrawal_significance", "mean_confrontation_significance", "resolution_rate",
    ):  # fmt: skip
        assert key in first
    assert set(data["trait_like"]) == set(SESSION_METRICS)  # type: ignore[arg-type]


def test_rules_vocabulary_uses_existing_metrics() -> None:
    trait = {m.removeprefix("trait_like.") for m in METRICS if m.startswith("trait_like.")}
    assert trait <= set(SESSION_METRICS)


def test_session_duration_overrides_segment_span(ada, segments, schemes: list[Scheme]) -> None:
    codes, segs = ada[ada["patient"] == "P01"], segments[segments["patient"] == "P01"]
    [s1, *_] = session_profiles(codes, segs, schemes, durations_ms={1: 1_593_000})
    assert s1.duration_source == "session" and s1.duration_min == pytest.approx(26.55)
    assert s1.metrics()["withdrawal_per_10min"] == pytest.approx(17 / 26.55 * 10)


def empty_codes() -> pd.DataFrame:
    return pd.DataFrame(columns=["session", "unit", "unit_index", "code_id", "value"])


def grid(session: int, n: int, window_ms: int = 60_000) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "session": session,
            "segment": range(1, n + 1),
            "start_ms": [i * window_ms for i in range(n)],
            "end_ms": [(i + 1) * window_ms for i in range(n)],
            "estimated": False,
        }
    )


def test_no_codes_gives_missing_not_zeros() -> None:
    """A session nobody coded has no metrics: before issue 10 its counts, shares and rate
    per 10 minutes were 0 ("no rupture"), which is exactly the bug."""
    [s] = session_profiles(empty_codes(), grid(1, 5), [scheme("3rs-2015")])
    m = s.metrics()
    assert (m["withdrawal_segments"], m["confrontation_segments"], m["rupture_share"]) == (
        None, None, None,
    )  # fmt: skip
    assert m["withdrawal_per_10min"] is None and m["n_episodes"] is None
    assert m["n_segments"] == 5 and (s.coverage.coded, s.coverage.total) == (0, 5)
    assert m["mean_withdrawal_significance"] is None and m["resolution_rate"] is None
    assert m["episodes_resolved_share"] is None and s.episodes == ()
    profile = patient_profile("X", [s])
    assert profile.balance_index is None and profile.phases.peak is None
    assert profile.phases.share["middle"] is None  # no coded segment: not a share of 0
    assert profile.trait_like["resolution_rate"] is None
    assert profile.trait_like["rupture_share"] is None
    data = profile.to_dict()
    assert data["sessions"][0]["withdrawal_segments"] is None  # type: ignore[index]
    json.dumps(data, allow_nan=False)


@given(st.integers(0, 500), st.integers(0, 500))
def test_balance_index_properties(w: int, c: int) -> None:
    value = balance(w, c)
    if w == c == 0:
        assert value is None
        return
    assert value is not None and -1.0 <= value <= 1.0
    assert balance(c, w) == pytest.approx(-value)
    if c == 0:
        assert value == 1.0


def salience_codes(rows: list[tuple[int, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        [(1, "segment", seg, code, value) for seg, code, value in rows],
        columns=["session", "unit", "unit_index", "code_id", "value"],
    )


def test_3rs_2022_salience_threshold_and_therapist_side() -> None:
    s22 = scheme("3rs-2022")
    rows = [
        (1, "WD_P", 3), (1, "CF_P", 1), (1, "WD_T", 2), (1, "CF_T", 1),
        (2, "WD_P", 1), (2, "CF_P", 2), (2, "WD_T", 1), (2, "CF_T", 3),
        (3, "WD_P", 1), (3, "CF_P", 1), (3, "WD_SHUT", 1),  # a form tag alone is not a rupture
        (4, "WD_P", float("nan")),
    ]  # fmt: skip
    [s] = session_profiles(salience_codes(rows), grid(1, 4), [s22])
    assert s.withdrawal_segment_indexes == (1,) and s.confrontation_segment_indexes == (2,)
    assert s.significance["withdrawal"].mean == pytest.approx(5 / 3)  # NaN = not given
    assert s.therapist_ratings["CF_T"].mean == 2.0 and s.therapist_ratings["WD_T"].max == 2
    [strict] = session_profiles(
        salience_codes(rows), grid(1, 4), [s22], options=ProfileOptions(salience_threshold=3)
    )
    assert strict.withdrawal_segments == 1 and strict.confrontation_segments == 0
    [t] = therapist_profiles({"P9": [s]}, {("P9", 1): "Dr. Park"})
    assert t.therapist == "Dr. Park" and t.rupture_segments == 2
    assert t.therapist_ratings["CF_T"] == pytest.approx(2.0)


def test_resolution_window_and_missing_ratings() -> None:
    s15 = scheme("3rs-2015")
    rows = [
        (1, "W2", 1), (1, "W_SIG", 4), (1, "C_SIG", 1),
        (2, "W_SIG", 4), (2, "C_SIG", 1),
        (3, "R4", 1), (3, "W_SIG", 2), (3, "C_SIG", 1),
        (4, "C1", 1), (4, "C_SIG", 3),  # no W_SIG: max of what is given
        (5, "W_SIG", 1),
    ]  # fmt: skip
    codes = salience_codes(rows)
    [one] = session_profiles(codes, grid(1, 5), [s15])
    # seg 1 -> 2: no drop (window 1): unresolved; seg 4 -> 5: drop 3 -> 1 but no strategy
    assert one.resolution.unresolved == (1, 4) and one.resolution.rate == 0.0
    [two] = session_profiles(codes, grid(1, 5), [s15], options=ProfileOptions(resolution_window=2))
    # window 2: seg 1 reaches seg 3 (R4 and 2 < 4): resolved
    assert two.resolution.resolved == (1,) and two.resolution.unresolved == ()
    assert two.resolution.not_evaluable == (4,)  # window runs past the last segment
    assert two.resolution.rate == 1.0


def test_turn_codes_land_in_their_segment() -> None:
    segs = grid(1, 2).assign(first_turn=[1, 6], last_turn=[5, 9])
    codes = pd.DataFrame(
        [(1, "turn", 7, "C3", 1.0), (1, "turn", 30, "C3", 1.0)],
        columns=["session", "unit", "unit_index", "code_id", "value"],
    )
    [s] = session_profiles(codes, segs, [scheme("3rs-2015")])
    assert s.confrontation_segment_indexes == (2,) and s.unplaced_turn_codes == 1


def test_bad_input_is_refused() -> None:
    s15 = scheme("3rs-2015")
    unknown = salience_codes([(1, "WD_P", 2)])
    with pytest.raises(ValidationError, match="not in the given schemes: WD_P"):
        session_profiles(unknown, grid(1, 2), [s15])
    with pytest.raises(ValidationError, match="names segment 9"):
        session_profiles(salience_codes([(9, "W1", 1)]), grid(1, 2), [s15])
    with pytest.raises(ValidationError, match="lacks column"):
        session_profiles(empty_codes().drop(columns="value"), grid(1, 2), [s15])
    with pytest.raises(ValidationError, match="phase_cuts"):
        ProfileOptions(phase_cuts=(0.7, 0.3))


@pytest.mark.parametrize(
    ("n", "expected"),
    [(1, ["middle"]), (2, ["early", "late"]), (3, ["early", "middle", "late"]),
     (6, ["early", "early", "middle", "middle", "late", "late"])],
)  # fmt: skip
def test_phase_positions(n: int, expected: list[str]) -> None:
    assert [phase_of(r, n, (1 / 3, 2 / 3)) for r in range(n)] == expected


MARKERS = [f"W{i}" for i in range(1, 8)] + [f"C{i}" for i in range(1, 8)]
STRATEGIES = [f"R{i}" for i in range(1, 11)]


@given(
    st.integers(1, 8),
    st.lists(st.tuples(st.integers(1, 8), st.sampled_from(MARKERS + STRATEGIES)), max_size=40),
    st.lists(st.integers(1, 5), min_size=8, max_size=8),
)
def test_counts_match_a_set_computation(
    n: int, applications: list[tuple[int, str]], sig: list[int]
) -> None:
    s15 = scheme("3rs-2015")
    present = {(seg, code) for seg, code in applications if seg <= n}
    rows = [(seg, code, 1.0) for seg, code in sorted(present)]
    rows += [(seg, "W_SIG", float(sig[seg - 1])) for seg in range(1, n + 1)]
    [s] = session_profiles(salience_codes(rows), grid(1, n), [s15])
    w = {seg for seg, code in present if code.startswith("W")}
    c = {seg for seg, code in present if code.startswith("C")}
    assert s.withdrawal_segment_indexes == tuple(sorted(w))
    assert s.confrontation_segment_indexes == tuple(sorted(c))
    assert s.withdrawal_markers == sum(1 for _, code in present if code.startswith("W"))
    m = s.metrics()
    assert m["rupture_share"] == pytest.approx(len(w | c) / n)
    rate = s.resolution.rate
    assert rate is None or 0.0 <= rate <= 1.0
    outcomes = s.resolution.resolved + s.resolution.unresolved + s.resolution.not_evaluable
    assert sorted(outcomes) == sorted(w | c)
    assert n in s.resolution.not_evaluable or n not in (w | c)  # the last one is censored


# ---- coverage: uncoded segments are missing, not segments without a rupture (issue 10) --
def partly_coded() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Three 1-minute-window sessions of one patient, coded in part:

    S1 (3 segments): only segment 2 coded: W1, W_SIG 3, C_SIG 1.
    S2 (4 segments): all coded. seg 1 C2, C_SIG 4, W_SIG 1 | seg 2 R1, C_SIG 2, W_SIG 1 |
        seg 3 W_SIG 1, C_SIG 1 | seg 4 only "W1 = 0" (considered, not present).
    S3 (2 segments): nothing coded.
    """
    rows = [
        (1, "segment", 2, "W1", 1.0), (1, "segment", 2, "W_SIG", 3.0), (1, "segment", 2, "C_SIG", 1.0),
        (2, "segment", 1, "C2", 1.0), (2, "segment", 1, "C_SIG", 4.0), (2, "segment", 1, "W_SIG", 1.0),
        (2, "segment", 2, "R1", 1.0), (2, "segment", 2, "C_SIG", 2.0), (2, "segment", 2, "W_SIG", 1.0),
        (2, "segment", 3, "W_SIG", 1.0), (2, "segment", 3, "C_SIG", 1.0),
        (2, "segment", 4, "W1", 0.0),
    ]  # fmt: skip
    codes = pd.DataFrame(rows, columns=["session", "unit", "unit_index", "code_id", "value"])
    return codes, pd.concat([grid(1, 3), grid(2, 4), grid(3, 2)], ignore_index=True)


def test_partly_coded_sessions_by_hand() -> None:
    """S1: 1 coded segment holding a withdrawal: rupture share 1/1, not 1/3; its minute is
    the only coded minute: 1 marker per coded minute = 10 per 10 min (not 3.33); its
    rupture's window reaches uncoded segment 3: not evaluable, rate None.
    S2: fully coded, 1 confrontation segment of 4 (the W1 = 0 segment counts as coded),
    seg 1 (sig 4) -> seg 2 (sig 2, R1): resolved, rate 1.
    S3: nothing coded: every count, share and rate is None.
    Patient: trait rupture share = mean(1, 1/4) = 0.625 (S3 left out; the old reading
    (1/3 + 1/4 + 0) / 3 = 0.19 was "few ruptures"); coverage 5 of 9."""
    codes, segs = partly_coded()
    s1, s2, s3 = session_profiles(codes, segs, [scheme("3rs-2015")])
    assert (s1.coverage.coded, s1.coverage.total, s1.coded_segment_indexes) == (1, 3, (2,))
    m1 = s1.metrics()
    assert m1["rupture_share"] == 1.0 and m1["withdrawal_share"] == 1.0
    assert m1["withdrawal_segments"] == 1 and m1["confrontation_share"] == 0.0
    assert s1.duration_min == 3.0 and s1.coded_duration_min == pytest.approx(1.0)
    assert m1["withdrawal_per_10min"] == pytest.approx(10.0)
    assert m1["mean_withdrawal_significance"] == 3.0 and m1["mean_confrontation_significance"] == 1
    assert s1.resolution.not_evaluable == (2,) and m1["resolution_rate"] is None
    m2 = s2.metrics()
    assert s2.coverage.complete and s2.coded_duration_min == s2.duration_min == 4.0
    assert m2["rupture_share"] == pytest.approx(0.25) and m2["confrontation_segments"] == 1
    assert m2["confrontation_per_10min"] == pytest.approx(1 / 4 * 10)
    assert s2.resolution.resolved == (1,) and m2["resolution_rate"] == 1.0
    m3 = s3.metrics()
    assert (s3.coverage.coded, s3.coverage.total) == (0, 2)
    assert all(m3[k] is None for k in m3 if k != "n_segments")

    profile = patient_profile("X", [s1, s2, s3])
    assert profile.trait_like["rupture_share"] == pytest.approx(0.625)
    assert profile.trait_like["withdrawal_segments"] == pytest.approx(0.5)
    assert profile.trait_like["n_segments"] == pytest.approx(3.0)  # a transcript fact
    assert profile.state_like[3]["rupture_share"] is None
    assert (profile.coverage.coded, profile.coverage.total) == (5, 9)
    assert profile.balance_index == 0.0  # W 1, C 1
    assert profile.phases.share == {"early": 1.0, "middle": 0.25, "late": None}
    assert profile.phases.peak == "early"
    assert profile.incomplete_sessions() == [
        "X/1: 1 of 3 segments coded",
        "X/3: 0 of 2 segments coded",
    ]
    assert profile.incomplete_sessions(0.3) == ["X/3: 0 of 2 segments coded"]
    data = json.loads(json.dumps(profile.to_dict(), allow_nan=False))
    assert data["coverage"]["coded_segments"] == 5 and data["coverage"]["total_segments"] == 9
    assert data["coverage"]["coded_sessions"] == 2
    assert data["coverage"]["incomplete_sessions"][0] == "X/1: 1 of 3 segments coded"
    assert [s["coverage"]["coded_segments"] for s in data["sessions"]] == [1, 4, 0]
    assert [s["coverage"]["total_segments"] for s in data["sessions"]] == [3, 4, 2]
    assert data["sessions"][2]["withdrawal_segments"] is None

    inputs = formulation_inputs(profile)
    assert inputs.values["profile.n_sessions"] == 2.0  # sessions with a coded segment
    assert inputs.values["trait_like.rupture_share"] == pytest.approx(0.625)
    assert inputs.incomplete(1.0) == ("X/1: 1 of 3 segments coded", "X/3: 0 of 2 segments coded")

    [t] = therapist_profiles({"X": [s1, s2, s3]}, {("X", n): "Dr. Park" for n in (1, 2, 3)})
    assert (t.n_segments, t.coded_segments, t.rupture_segments) == (9, 5, 2)
    assert t.rupture_share == pytest.approx(2 / 5)  # not 2 / 9
    assert t.to_dict()["coverage"] == {"coded_segments": 5, "total_segments": 9, "share": 5 / 9}


def test_what_makes_a_segment_coded() -> None:
    """A turn-level code on one of its turns, a presence code of value 0 and an N/A rating
    all make a segment coded; a session rating or an episode code does not."""
    s15 = scheme("3rs-2015")
    segs = grid(1, 5).assign(first_turn=[1, 4, 7, 10, 13], last_turn=[3, 6, 9, 12, 15])
    codes = pd.DataFrame(
        [
            (1, "turn", 5, "W3", 1.0),  # segment 2
            (1, "segment", 3, "W2", 0.0),  # considered, not present
            (1, "segment", 4, "W_SIG", float("nan")),  # N/A
            (1, "session", 1, "G_W", 2.0),
        ],
        columns=["session", "unit", "unit_index", "code_id", "value"],
    )
    [s] = session_profiles(codes, segs, [s15])
    assert s.coded_segment_indexes == (2, 3, 4)
    assert s.metrics()["withdrawal_share"] == pytest.approx(1 / 3)


def test_untimed_partly_coded_session_prorates_its_duration_by_count() -> None:
    """1 of 4 untimed segments coded in a 40-minute session: 10 coded minutes, 1 marker."""
    segs = grid(1, 4).assign(start_ms=None, end_ms=None)
    codes = salience_codes([(1, "W1", 1.0)])
    [s] = session_profiles(codes, segs, [scheme("3rs-2015")], durations_ms={1: 40 * 60_000})
    assert s.duration_min == 40.0 and s.coded_duration_min == pytest.approx(10.0)
    assert s.metrics()["withdrawal_per_10min"] == pytest.approx(1.0)  # not 0.25
