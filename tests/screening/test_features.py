"""The extension point for a second model type: a feature set registered under a name is
trained, written, read back and predicted like the baseline; a file naming a model type
this version lacks is refused in words; the baseline's files keep their old layout."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
import pytest

from coder.screening import features, model_file
from coder.screening.features import FEATURE_SETS, UnitText
from coder.screening.model import CodeData, Settings, fit

WITHDRAW = "I don't want to talk about it"
FILLER = ["the bus was late", "my sister called", "work was long", "we slept badly"]


class Keywords:
    """A toy second model type: presence of the 30 commonest training words."""

    name: ClassVar[str] = "keywords"

    def __init__(self, words: list[str]) -> None:
        self.words = words

    @classmethod
    def fit(cls, units: Sequence[UnitText]) -> Keywords:
        counts = Counter(w for u in units for w in u.text.lower().split())
        return cls([w for w, _ in counts.most_common(30)])

    def transform(self, units: Sequence[UnitText]) -> Any:
        return np.array([[float(w in u.text.lower().split()) for w in self.words] for u in units])

    @property
    def n_features(self) -> int:
        return len(self.words)

    def to_file(self, kind: str) -> tuple[dict[str, Any], dict[str, Any]]:
        return {"words": self.words}, {}

    @classmethod
    def from_file(cls, kind: str, entry: dict[str, Any], arrays: dict[str, Any]) -> Keywords:
        return cls([str(w) for w in entry["words"]])


def _data() -> tuple[list[UnitText], np.ndarray]:
    rng = np.random.default_rng(4)
    labels = rng.random(120) < 0.3
    units = [
        UnitText(f"{FILLER[i % 4]} {WITHDRAW if y else ''}".strip(), "patient")
        for i, y in enumerate(labels)
    ]
    return units, labels


def test_a_registered_model_type_trains_saves_loads_and_predicts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(FEATURE_SETS, Keywords.name, Keywords)
    units, labels = _data()
    model = fit({"turn": units}, [CodeData("W1", "turn", labels)], Settings(features="keywords"))
    assert model.settings["features"] == "keywords" and "word_tfidf" not in model.settings
    assert isinstance(model.features["turn"], Keywords)
    data, digest = model_file.to_bytes(model)
    loaded, again = model_file.from_bytes(data)
    assert again == digest and isinstance(loaded.features["turn"], Keywords)
    before = model.predict({"turn": units})["W1"]
    np.testing.assert_array_equal(before, loaded.predict({"turn": units})["W1"])
    assert np.mean((before >= model.code("W1").threshold) == labels) > 0.9  # it learnt

    monkeypatch.delitem(FEATURE_SETS, Keywords.name)  # a version without that type
    with pytest.raises(model_file.ModelFileError, match="of type 'keywords', which this version"):
        model_file.from_bytes(data)


def test_the_baseline_is_the_default_and_an_unknown_type_is_named() -> None:
    units, labels = _data()
    model = fit({"turn": units}, [CodeData("W1", "turn", labels)])
    assert model.settings["features"] == features.DEFAULT_FEATURES == "tfidf"
    manifest_types = {f.name for f in model.features.values()}
    assert manifest_types == {"tfidf"}
    with pytest.raises(ValueError, match=r"no model type 'bert' in this version \(there is: tfidf"):
        fit({"turn": units}, [CodeData("W1", "turn", labels)], Settings(features="bert"))
