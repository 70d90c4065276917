"""``coder irr --ratings``: the JSON object, the table, and one-line errors (exit 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coder.cli import main

STATS = [
    "percent_agreement",
    "cohen_kappa",
    "weighted_kappa_linear",
    "weighted_kappa_quadratic",
    "fleiss_kappa",
    "krippendorff_alpha",
    "gwet_ac1",
    "pabak",
]
FORMS = ["ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k"]
SHROUT_FLEISS = """target,J1,J2,J3,J4
1,9,2,5,8
2,6,1,3,2
3,8,4,6,8
4,7,1,2,6
5,10,5,6,9
6,6,2,4,7
"""
# Cohen (1960) Table 1 would be 200 rows; a small two-rater presence table instead.
PRESENCE = "segment,Ana,Ben\n" + "".join(
    f"s{i},{a},{b}\n"
    for i, (a, b) in enumerate(
        [(1, 1)] * 4 + [(0, 0)] * 12 + [(1, 0)] * 2 + [(0, 1)] * 2 + [(1, "")]
    )
)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(list(args))
    out, err = capsys.readouterr()
    code = info.value.code
    return (code if isinstance(code, int) else 1), out, err


def write(tmp_path: Path, text: str, name: str = "ratings.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _irr_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    code, out, err = run(capsys, "irr", *args, "--json")
    assert code == 0, err
    data = json.loads(out)
    assert isinstance(data, dict)
    return data


def test_json_keys_and_shrout_fleiss_values(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    data = _irr_json(capsys, "--ratings", write(tmp_path, SHROUT_FLEISS), "--level", "interval")
    assert list(data) == ["n_units", "n_raters", *STATS, "icc"]
    assert data["n_units"] == 6 and data["n_raters"] == 4
    for key in STATS:
        assert set(data[key]) == {"value", "ci95", "note"}  # type: ignore[arg-type]
    icc = data["icc"]
    assert isinstance(icc, dict) and list(icc) == FORMS
    printed = {
        "ICC1": 0.17,
        "ICC2": 0.29,
        "ICC3": 0.71,
        "ICC1k": 0.44,
        "ICC2k": 0.62,
        "ICC3k": 0.91,
    }
    for form, value in printed.items():
        assert set(icc[form]) == {"value", "ci95", "note"}
        assert round(icc[form]["value"], 2) == value
    assert [round(x, 3) for x in icc["ICC2"]["ci95"]] == [0.019, 0.761]
    # Cohen's kappa with four raters: null with a reason.
    cohen = data["cohen_kappa"]
    assert cohen == {
        "value": None,
        "ci95": None,
        "note": "Cohen's kappa compares exactly two raters (this table has 4); "
        "use Fleiss' kappa or Krippendorff's alpha",
    }
    alpha = data["krippendorff_alpha"]
    assert isinstance(alpha, dict) and alpha["value"] is not None and len(alpha["ci95"]) == 2


def test_nominal_presence_codes(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = write(tmp_path, PRESENCE)
    data = _irr_json(
        capsys, "--ratings", path, "--level", "nominal", "--categories", "0,1", "--seed", "1"
    )
    assert data["n_units"] == 21 and data["n_raters"] == 2
    # 16 of 20 complete units agree; p_e = (6/20)(6/20) + (14/20)(14/20) = 0.58.
    assert data["percent_agreement"]["value"] == pytest.approx(0.8)  # type: ignore[index]
    assert data["cohen_kappa"]["value"] == pytest.approx((0.8 - 0.58) / 0.42)  # type: ignore[index]
    assert "1 unit(s) rated by only one rater" in data["cohen_kappa"]["note"]  # type: ignore[index]
    assert data["pabak"]["value"] == pytest.approx(0.6)  # type: ignore[index]
    for key in ("weighted_kappa_linear", "weighted_kappa_quadratic"):
        entry = data[key]
        assert entry == {"value": None, "ci95": None, "note": entry["note"]}  # type: ignore[index]
        assert "nominal" in entry["note"]  # type: ignore[index]
    for form in FORMS:
        entry = data["icc"][form]  # type: ignore[index]
        assert entry["value"] is None and "nominal" in entry["note"]
    lo, hi = data["cohen_kappa"]["ci95"]  # type: ignore[index]
    assert lo < data["cohen_kappa"]["value"] < hi  # type: ignore[index]


def test_seed_and_bootstrap_options(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = write(tmp_path, PRESENCE)
    base = ["--ratings", path, "--level", "ordinal", "--bootstrap", "200"]
    first = _irr_json(capsys, *base, "--seed", "5")
    again = _irr_json(capsys, *base, "--seed", "5")
    other = _irr_json(capsys, *base, "--seed", "6")
    assert first == again and first != other
    assert first["weighted_kappa_linear"]["value"] is not None  # type: ignore[index]
    none = _irr_json(capsys, "--ratings", path, "--level", "ordinal", "--bootstrap", "0")
    assert all(none[key]["ci95"] is None for key in STATS)  # type: ignore[index]


def test_labels_in_nominal_data(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = write(tmp_path, "seg,A,B,C\n1,yes,yes,no\n2,no,no,no\n3,yes,yes,yes\n4,no,,no\n")
    data = _irr_json(capsys, "--ratings", path, "--level", "nominal", "--bootstrap", "0")
    assert data["n_raters"] == 3
    assert data["fleiss_kappa"]["value"] is not None  # type: ignore[index]
    assert data["cohen_kappa"]["value"] is None  # type: ignore[index]


def test_readable_table(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = write(tmp_path, SHROUT_FLEISS)
    code, out, err = run(
        capsys, "irr", "--ratings", path, "--level", "interval", "--bootstrap", "100"
    )
    assert code == 0, err
    assert "6 units x 4 raters (J1, J2, J3, J4), level interval" in out
    line = next(row for row in out.splitlines() if row.startswith("ICC(2,1)"))
    assert "0.290" in line and "[0.019, 0.761]" in line and "poor, Koo & Li (2016)" in line
    assert "Cohen's kappa compares exactly two raters" in out
    assert "100 resamples, seed 2026" in out


def test_csv_format(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = write(tmp_path, SHROUT_FLEISS)
    code, out, _ = run(
        capsys,
        "irr",
        "--ratings",
        path,
        "--level",
        "interval",
        "--format",
        "csv",
        "--bootstrap",
        "0",
    )
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("statistic,value,ci_low,ci_high,n_units")
    assert len(lines) == 1 + len(STATS) + len(FORMS)
    assert any(row.startswith("ICC2,0.2897") for row in lines)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--level", "interval", "--ratings", "{missing}"], "missing.csv: no such file"),
        (
            ["--level", "interval", "--ratings", "{bad}"],
            "line 3, column 'B': 'x' is not a number (--level interval needs numbers)",
        ),
        (["--level", "binary", "--ratings", "{bad}"], "'binary' is not one of"),
        (["--ratings", "{bad}"], "--level is required with --ratings"),
        (
            ["--level", "nominal", "--ratings", "{bad}", "--categories", "1,2"],
            "line 3, column 'A': '3' is not one of the categories 1, 2",
        ),
        (
            ["--level", "nominal", "--ratings", "{bad}", "--round", "1"],
            "--ratings reads a table file",
        ),
        (["--level", "nominal"], "--level and --categories go with --ratings FILE"),
        (["--level", "nominal", "--ratings", "{bad}", "--bootstrap", "-1"], "--bootstrap"),
    ],
)
def test_errors_are_one_line_with_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, args: list[str], message: str
) -> None:
    paths = {
        "missing": str(tmp_path / "missing.csv"),
        "bad": write(tmp_path, "unit,A,B\nu1,1,2\nu2,3,x\n", "bad.csv"),
    }
    code, out, err = run(capsys, "irr", *[a.format(**paths) for a in args])
    assert code == 2 and out == ""
    assert err.startswith("coder: error: ") and message in err
    assert err.count("\n") == 1


def test_swapped_presence_codes_at_interval_level_print_every_statistic(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Issue 10 part 5: MSR = MSC = 0 made the ICC CI divide by zero and the whole run
    exit with "internal error"; now each statistic is shown, ICC(·,k) null with a note."""
    path = write(tmp_path, "segment,A,B\ns1,1,0\ns2,0,1\ns3,1,0\ns4,0,1\n")
    for level in ("ordinal", "interval"):
        data = _irr_json(capsys, "--ratings", path, "--level", level, "--bootstrap", "20")
        icc = data["icc"]
        assert isinstance(icc, dict)
        assert icc["ICC2"]["value"] == pytest.approx(-2.0)
        assert icc["ICC2"]["ci95"] is None and "Satterthwaite" in icc["ICC2"]["note"]
        assert icc["ICC1k"]["value"] is None and "MSR is 0" in icc["ICC1k"]["note"]
        alpha = data["krippendorff_alpha"]
        assert isinstance(alpha, dict) and alpha["value"] is not None
    code, out, err = run(capsys, "irr", "--ratings", path, "--level", "interval")
    assert code == 0 and "internal error" not in err and "ICC(2,1)" in out
