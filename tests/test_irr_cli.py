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


# ---- --spans: Krippendorff's unitizing alpha ------------------------------------------------
KRIPPENDORFF_2004_SPANS = """rater,begin,length,category
i,225,70,c
i,370,30,c
j,220,80,c
j,355,20,c
j,400,20,c
i,180,60,k
i,300,50,k
j,180,60,k
j,300,50,k
"""


def test_spans_json_reproduces_krippendorff_2004(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Krippendorff (2004, p. 254; DKPro ``Krippendorff2004Test``): c .7286, k 1."""
    path = write(tmp_path, KRIPPENDORFF_2004_SPANS, "spans.csv")
    data = _irr_json(capsys, "--spans", path, "--continuum", "150,450")
    assert data["n_raters"] == 2
    alpha = data["u_alpha"]
    assert isinstance(alpha, dict) and list(alpha) == ["c", "k"]
    assert set(alpha["c"]) == {"value", "d_o", "d_e", "note"}
    assert alpha["c"]["value"] == pytest.approx(0.7286, abs=5e-5)
    assert alpha["c"]["d_o"] == pytest.approx(0.0144, abs=5e-5)
    assert alpha["c"]["d_e"] == pytest.approx(0.0532, abs=5e-5)
    assert alpha["k"] == {"value": 1.0, "d_o": 0.0, "d_e": pytest.approx(0.0490, abs=5e-5),
                          "note": None}  # fmt: skip


def test_spans_default_continuum_is_smallest_begin_to_largest_end(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write(tmp_path, KRIPPENDORFF_2004_SPANS, "spans.csv")
    default = _irr_json(capsys, "--spans", path)
    explicit = _irr_json(capsys, "--spans", path, "--continuum", "180,420")
    assert default == explicit
    assert default["u_alpha"]["c"]["value"] != pytest.approx(0.7286, abs=5e-5)  # type: ignore[index]
    code, out, _ = run(capsys, "irr", "--spans", path)
    assert code == 0 and "continuum 180,420" in out and "tentative" in out


def test_spans_one_rater_and_one_rater_only_categories(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    one = write(tmp_path, "rater,begin,length,category\nA,0,5,X\nA,10,4,X\n", "one.csv")
    data = _irr_json(capsys, "--spans", one)
    assert data["n_raters"] == 1
    x = data["u_alpha"]["X"]  # type: ignore[index]
    assert x["value"] is None and "two raters" in x["note"]
    text = "rater,begin,length,category\nA,0,5,X\nB,0,5,X\nB,10,2,Y\n"
    data = _irr_json(capsys, "--spans", write(tmp_path, text, "two.csv"), "--continuum", "0,20")
    y = data["u_alpha"]["Y"]  # type: ignore[index]
    assert y["value"] is not None and "only 1 of 2 raters" in y["note"]
    assert data["u_alpha"]["X"]["value"] == 1.0  # type: ignore[index]


@pytest.mark.parametrize(
    ("text", "extra", "message"),
    [
        ("rater,begin,length,category\nA,0,5,X\nA,3,4,X\n", [], "line 3: A's X unit at 3 overlaps"),
        ("rater,begin,length,category\nA,0,x,X\n", [], "line 2, column 'length': 'x' is not"),
        ("rater,begin,length,category\nA,0,0,X\n", [], "line 2, column 'length': 0"),
        ("rater,begin,length\nA,0,1\n", [], "line 1: missing column(s) category"),
        ("rater,begin,length,category\nA,0,5,X\n", ["--continuum", "2,9"], "line 2: unit 0..5"),
        ("rater,begin,length,category\n,0,5,X\n", [], "line 2: the rater is empty"),
        ("rater,begin,length,category\nA,0,5,X\n", ["--continuum", "9,2"], "--continuum"),
    ],
)
def test_spans_errors_name_the_file_and_line(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    text: str,
    extra: list[str],
    message: str,
) -> None:
    path = write(tmp_path, text, "spans.csv")
    code, out, err = run(capsys, "irr", "--spans", path, *extra)
    assert code == 2 and out == ""
    assert err.startswith("coder: error: ") and message in err
    assert err.count("\n") == 1
    if "--continuum" not in message:
        assert "spans.csv" in err


def test_spans_does_not_mix_with_other_forms(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write(tmp_path, KRIPPENDORFF_2004_SPANS, "spans.csv")
    code, _, err = run(capsys, "irr", "--spans", path, "--level", "nominal")
    assert code == 2 and "--spans" in err
    code, _, err = run(capsys, "irr", "--ratings", path, "--continuum", "0,5", "--level", "nominal")
    assert code == 2 and "--continuum goes with --spans" in err
