"""Real multi-rater data: AnnoMI's 7 conversations coded by all 10 experts.

The label table ships in tests/data/annomi/ (utterance ids x expert codes, no transcript
text; provenance in its README.md), so these checks run on every clone.

Expected values: the Fleiss' kappas (3 decimals) that the shared-data maintainers computed
and printed in ../shared/data/annomi/README.md ("Multiple annotators"); they are not from
the AnnoMI papers. Each is also recomputed here with Fleiss' (1971) formula written out
independently of coder.stats (:func:`fleiss_by_formula`), which must agree to 1e-12.
"""

from __future__ import annotations

import json
from pathlib import Path

import krippendorff
import numpy as np
import pandas as pd
import pytest

from coder.cli import main
from coder.stats.reliability import fleiss_kappa, krippendorff_alpha

LABELS = Path(__file__).resolve().parents[1] / "data/annomi/annomi-full-10-expert-labels.csv"

REFERENCE = [  # (label, speaker, printed Fleiss' kappa, printed item count)
    ("main_therapist_behaviour", "therapist", 0.737, 216),
    ("client_talk_type", "client", 0.467, 212),
    ("reflection_subtype", "therapist", 0.496, 216),
    ("question_subtype", "therapist", 0.740, 216),
]


def wide(label: str, speaker: str) -> pd.DataFrame:
    data = pd.read_csv(LABELS, keep_default_na=False, dtype=str)
    multi = data.groupby("transcript_id")["annotator_id"].nunique()
    data = data[
        data["transcript_id"].isin(multi[multi == 10].index) & (data["interlocutor"] == speaker)
    ]
    return data.pivot_table(
        index=["transcript_id", "utterance_id"],
        columns="annotator_id",
        values=label,
        aggfunc="first",
    )


def codes(table: pd.DataFrame) -> np.ndarray:
    categories = sorted(set(table.to_numpy().ravel()))
    lookup = {c: float(i) for i, c in enumerate(categories)}
    return np.vectorize(lookup.get)(table.to_numpy()).astype(float)


@pytest.mark.parametrize(("label", "speaker", "kappa", "items"), REFERENCE)
def test_fleiss_kappa_reproduces_the_printed_values(
    label: str, speaker: str, kappa: float, items: int
) -> None:
    table = wide(label, speaker)
    assert table.shape == (items, 10)
    result = fleiss_kappa(codes(table))
    assert (result.n_units, result.n_raters) == (items, 10)
    assert result.value is not None and round(result.value, 3) == kappa
    assert result.value == pytest.approx(fleiss_by_formula(table), abs=1e-12)


def fleiss_by_formula(table: pd.DataFrame) -> float:
    """Fleiss (1971): kappa = (P - Pe) / (1 - Pe) from the per-item category counts n_ij,
    with P the mean of (sum_j n_ij^2 - n) / (n (n - 1)) and Pe = sum_j p_j^2."""
    counts = np.array([row.value_counts().to_numpy() for _, row in table.iterrows()], object)
    n = table.shape[1]
    agreement = np.mean([((c**2).sum() - n) / (n * (n - 1)) for c in counts])
    totals = table.stack().value_counts().to_numpy() / table.size
    chance = (totals**2).sum()
    return float((agreement - chance) / (1 - chance))


def test_alpha_matches_the_krippendorff_package_on_real_data() -> None:
    matrix = codes(wide("main_therapist_behaviour", "therapist"))
    ours = krippendorff_alpha(matrix, "nominal")
    package = krippendorff.alpha(reliability_data=matrix.T, level_of_measurement="nominal")
    assert ours.value == pytest.approx(float(package), abs=1e-12)


def test_irr_cli_on_a_spreadsheet_of_the_same_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    table = wide("client_talk_type", "client")
    path = tmp_path / "ratings.csv"
    table.reset_index(drop=True).rename_axis("unit").to_csv(path)
    with pytest.raises(SystemExit) as info:
        main(["irr", "--ratings", str(path), "--level", "nominal", "--json", "--bootstrap", "200"])
    assert info.value.code == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["n_units"], data["n_raters"]) == (212, 10)
    assert data["fleiss_kappa"]["value"] == pytest.approx(0.467, abs=0.0005)
    low, high = data["fleiss_kappa"]["ci95"]
    assert low < 0.467 < high
    assert (
        data["cohen_kappa"]["value"] is None and "exactly two raters" in data["cohen_kappa"]["note"]
    )


def test_the_shipped_label_table_holds_labels_only() -> None:
    """AnnoMI-full has no licence text of its own: only ids and codes may be shipped
    (tests/data/annomi/README.md), never the utterances, titles or video links."""
    header = LABELS.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header == [
        "transcript_id",
        "utterance_id",
        "interlocutor",
        "annotator_id",
        "main_therapist_behaviour",
        "client_talk_type",
        "reflection_subtype",
        "question_subtype",
    ]
