"""Ordinal ratings in the screening model: cumulative binary models (P(value > k)) whose
median is the prediction; they learn an ordered signal and survive the model file."""

from __future__ import annotations

import numpy as np

from coder.screening import model_file
from coder.screening.model import RatingData, Settings, UnitText, fit

WORDS = {1: "a little bit annoyed", 3: "quite upset about it", 5: "extremely furious, livid"}
FILLER = ["we talked about work", "the weekend was quiet", "my sister called", "I slept badly"]


def _units(n: int, seed: int) -> tuple[list[UnitText], np.ndarray]:
    rng = np.random.default_rng(seed)
    values = rng.choice([1, 3, 5], size=n)
    units = [
        UnitText(f"{FILLER[int(rng.integers(4))]} and I was {WORDS[int(v)]}", "segment")
        for v in values
    ]
    return units, values.astype(float)


def test_an_ordinal_rating_is_learnt_predicted_and_saved() -> None:
    units, values = _units(120, 1)
    values[::7] = np.nan  # unrated units are left out, not counted as a value
    model = fit({"segment": units}, [], Settings(), [RatingData("W_SIG", "segment", values)])
    (rating,) = model.ratings
    assert rating.levels == [1, 3, 5] and len(rating.cuts) == 2
    assert rating.n_units == int((~np.isnan(values)).sum())
    test_units, truth = _units(60, 2)
    predicted, chance = model.predict_ratings({"segment": test_units})["W_SIG"]
    assert np.mean(predicted == truth) > 0.9
    assert ((chance > 0) & (chance <= 1)).all()
    loaded, _ = model_file.from_bytes(model_file.to_bytes(model)[0])
    again, again_chance = loaded.predict_ratings({"segment": test_units})["W_SIG"]
    np.testing.assert_array_equal(predicted, again)
    np.testing.assert_allclose(chance, again_chance)


def test_a_rating_with_too_few_units_or_one_value_is_skipped() -> None:
    units, _ = _units(30, 3)
    few = np.full(30, np.nan)
    few[:5] = 3
    same = np.full(30, 2.0)
    model = fit(
        {"segment": units},
        [],
        Settings(),
        [RatingData("W_SIG", "segment", few), RatingData("C_SIG", "segment", same)],
    )
    assert model.ratings == []
    reasons = {s["code"]: s["reason"] for s in model.skipped}
    assert "5 rated units" in reasons["W_SIG"] and "same value" in reasons["C_SIG"]
