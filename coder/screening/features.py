"""What the classifier sees of a unit: the feature sets, and the extension point for a
second model type (docs/screening.md, "Another model type").

The baseline, :class:`Features` ("tfidf"), is described in :mod:`coder.screening.model`.
Every other part of a model — one calibrated, regularised logistic regression per code,
Platt scaling, the kappa-maximising threshold, ordinal ratings, the model file's hash and
manifest, evaluation — works on any feature matrix, so a second model type is a second
*feature set*: a class with the methods of :class:`FeatureSet`, added to
:data:`FEATURE_SETS` under a short name. ``coder screen train/evaluate --features NAME``
then trains and evaluates it in exactly the same cross-validation as the baseline, and it
is adopted only if it beats the baseline there.

A model file names its feature set (``"type"`` in the manifest; absent in files written
before there was a choice: "tfidf"); loading looks the name up in this registry and
refuses one it does not know. The file never supplies code: a feature set stores plain
arrays and JSON (vocabularies, weights) and its code ships with the app, so a feature set
that uses word vectors must take them from an installed package that ships them, never
download them (a test blocks sockets during train, run and evaluate).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

import numpy as np
import numpy.typing as npt
from scipy import sparse  # type: ignore[import-untyped]
from sklearn.feature_extraction.text import TfidfVectorizer

FloatArray = npt.NDArray[np.float64]

ROLES = ("therapist", "patient", "other", "unknown", "segment", "none")
CONTEXT_WEIGHT = 0.5

WORD_PARAMS: dict[str, Any] = {
    "analyzer": "word",
    "ngram_range": [1, 2],
    "lowercase": True,
    "token_pattern": r"(?u)\b\w+\b",
    "min_df": 2,
    "max_features": 40000,
    "sublinear_tf": True,
}
CHAR_PARAMS: dict[str, Any] = {
    "analyzer": "char_wb",
    "ngram_range": [2, 5],
    "lowercase": True,
    "min_df": 2,
    "max_features": 60000,
    "sublinear_tf": True,
}


@dataclass(frozen=True, slots=True)
class UnitText:
    """One unit to classify: its text, its neighbours' texts and speaker roles."""

    text: str
    role: str
    prev_text: str = ""
    next_text: str = ""
    prev_role: str = "none"


@dataclass
class Features:
    """The baseline feature set ("tfidf"): the fitted vocabularies of one unit kind
    (turn or segment). Its arrays keep the names model files have always used."""

    name: ClassVar[str] = "tfidf"

    word_vocabulary: list[str]
    word_idf: FloatArray
    char_vocabulary: list[str]
    char_idf: FloatArray
    _word: TfidfVectorizer | None = field(default=None, repr=False)
    _char: TfidfVectorizer | None = field(default=None, repr=False)

    @classmethod
    def fit(cls, units: Sequence[UnitText]) -> Features:
        texts = [u.text for u in units]
        word = _vectorizer(WORD_PARAMS).fit(texts)
        char = _vectorizer(CHAR_PARAMS).fit(texts)
        return cls(
            _vocabulary(word),
            np.asarray(word.idf_, dtype=np.float64),
            _vocabulary(char),
            np.asarray(char.idf_, dtype=np.float64),
            word,
            char,
        )

    def _vectorizers(self) -> tuple[TfidfVectorizer, TfidfVectorizer]:
        if self._word is None or self._char is None:
            self._word = _restore(WORD_PARAMS, self.word_vocabulary, self.word_idf)
            self._char = _restore(CHAR_PARAMS, self.char_vocabulary, self.char_idf)
        return self._word, self._char

    @property
    def n_features(self) -> int:
        return 3 * len(self.word_vocabulary) + len(self.char_vocabulary) + 2 * len(ROLES)

    def transform(self, units: Sequence[UnitText]) -> Any:
        word, char = self._vectorizers()
        blocks = [
            word.transform([u.text for u in units]),
            char.transform([u.text for u in units]),
            word.transform([u.prev_text for u in units]) * CONTEXT_WEIGHT,
            word.transform([u.next_text for u in units]) * CONTEXT_WEIGHT,
            _one_hot([u.role for u in units]),
            _one_hot([u.prev_role for u in units]),
        ]
        return sparse.hstack(blocks, format="csr", dtype=np.float64)

    def to_file(self, kind: str) -> tuple[dict[str, Any], dict[str, FloatArray]]:
        entry = {"word_vocabulary": self.word_vocabulary, "char_vocabulary": self.char_vocabulary}
        return entry, {f"idf_word_{kind}": self.word_idf, f"idf_char_{kind}": self.char_idf}

    @classmethod
    def from_file(cls, kind: str, entry: dict[str, Any], arrays: dict[str, Any]) -> Features:
        return cls(
            [str(t) for t in entry["word_vocabulary"]],
            np.asarray(arrays[f"idf_word_{kind}"], dtype=np.float64),
            [str(t) for t in entry["char_vocabulary"]],
            np.asarray(arrays[f"idf_char_{kind}"], dtype=np.float64),
        )


class FeatureSet(Protocol):
    """What a model type provides for one unit kind (turns, or segments)."""

    name: ClassVar[str]  # the key in FEATURE_SETS and in model files

    @classmethod
    def fit(cls, units: Sequence[UnitText]) -> FeatureSet:
        """Learn what the features need from the training units (vocabularies …)."""
        ...

    def transform(self, units: Sequence[UnitText]) -> Any:
        """A (units x n_features) matrix, dense or scipy-sparse."""
        ...

    @property
    def n_features(self) -> int: ...

    def to_file(self, kind: str) -> tuple[dict[str, Any], dict[str, FloatArray]]:
        """JSON-safe values and named plain arrays (names unique to ``kind``)."""
        ...

    @classmethod
    def from_file(cls, kind: str, entry: dict[str, Any], arrays: dict[str, Any]) -> FeatureSet:
        """The inverse of :meth:`to_file`; raise KeyError/ValueError on missing parts."""
        ...


FEATURE_SETS: dict[str, type[FeatureSet]] = {Features.name: Features}
DEFAULT_FEATURES = Features.name


def feature_set(name: str) -> type[FeatureSet]:
    """The registered feature set ``name``; a clear error naming the ones there are."""
    try:
        return FEATURE_SETS[name]
    except KeyError:
        known = ", ".join(sorted(FEATURE_SETS))
        raise ValueError(f"no model type {name!r} in this version (there is: {known})") from None


def _vectorizer(params: dict[str, Any], vocabulary: list[str] | None = None) -> TfidfVectorizer:
    kwargs = {**params, "ngram_range": tuple(params["ngram_range"]), "dtype": np.float64}
    if vocabulary is not None:
        kwargs.pop("min_df")
        kwargs.pop("max_features")
        kwargs["vocabulary"] = {term: i for i, term in enumerate(vocabulary)}
    return TfidfVectorizer(**kwargs)


def _restore(params: dict[str, Any], vocabulary: list[str], idf: FloatArray) -> TfidfVectorizer:
    vec = _vectorizer(params, vocabulary)
    vec.idf_ = idf
    return vec


def _vocabulary(vec: TfidfVectorizer) -> list[str]:
    terms = [""] * len(vec.vocabulary_)
    for term, i in vec.vocabulary_.items():
        terms[i] = term
    return terms


def _one_hot(roles: list[str]) -> Any:
    index = {r: i for i, r in enumerate(ROLES)}
    cols = np.array([index.get(r, index["unknown"]) for r in roles], dtype=np.int64)
    data = np.ones(len(roles))
    return sparse.csr_matrix((data, (np.arange(len(roles)), cols)), shape=(len(roles), len(ROLES)))
