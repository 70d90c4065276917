"""The screening model: per code, TF-IDF features -> logistic regression -> Platt scaling.

Features of a unit (a turn, or a segment's turns joined), the baseline feature set
(:mod:`coder.screening.features`, where another model type plugs in):

* word 1-2-gram and character 2-5-gram (within word boundaries) TF-IDF of its text,
  sublinear term frequency, fitted on the training units;
* the previous and the next unit's text through the same word vocabulary, at half weight
  (what was said just before and after: a client's answer follows a question);
* the speaker role of the unit and of the previous unit, one-hot.

Per code, an L2-regularised logistic regression (``class_weight="balanced"``) gives a
score. It is solved in liblinear's *dual* form: with ~100k n-gram features and a few
thousand units per code the dual problem has one variable per unit instead of one per
feature, and the same optimum is reached about 10x faster (the primal took 100 of the
110 s of training on 100 AnnoMI sessions; benchmarks/README.md). The probability is
calibrated by Platt scaling on out-of-fold scores (3 folds), the procedure of
scikit-learn's ``CalibratedClassifierCV(method="sigmoid", ensemble=False)``, done by
hand so that the same out-of-fold probabilities also choose the code's decision
threshold (the one that maximises Cohen's kappa on them). The final regression is refitted
on all training units.

A fitted model is plain data (:class:`ScreeningModel`): vocabularies, idf vectors,
coefficients, Platt parameters; prediction is a sparse matrix product and needs nothing
else, so a model file never holds code (see :mod:`coder.screening.model_file`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from coder.screening.features import (
    CHAR_PARAMS,
    CONTEXT_WEIGHT,
    DEFAULT_FEATURES,
    WORD_PARAMS,
    FeatureSet,
    feature_set,
)
from coder.screening.features import UnitText as UnitText  # its import path since the start

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
MIN_POSITIVE = 10
SEGMENT_ROLE = "segment"


@dataclass(frozen=True)
class Settings:
    c: float = 2.0
    calibration_folds: int = 3
    min_positive: int = MIN_POSITIVE
    seed: int = 2026
    features: str = DEFAULT_FEATURES  # the model type: a name in FEATURE_SETS

    def as_dict(self) -> dict[str, Any]:
        tfidf = self.features == DEFAULT_FEATURES
        return {
            "features": self.features,
            "classifier": "logistic regression (L2, balanced class weights, liblinear dual)",
            "C": self.c,
            "calibration": f"Platt scaling on {self.calibration_folds}-fold out-of-fold scores",
            "threshold": "maximises Cohen's kappa on the out-of-fold probabilities",
            "min_positive": self.min_positive,
            **({"word_tfidf": WORD_PARAMS, "char_tfidf": CHAR_PARAMS} if tfidf else {}),
            "context_weight": CONTEXT_WEIGHT,
            "seed": self.seed,
        }


@dataclass
class CodeModel:
    code: str
    unit: str  # "turn" or "segment"
    roles: list[str]  # speaker roles of the units the code is given on
    n_units: int
    n_positive: int
    coef: FloatArray
    intercept: float
    platt_a: float
    platt_b: float
    threshold: float

    def probabilities(self, x: Any) -> FloatArray:
        scores = np.asarray(x @ self.coef, dtype=np.float64) + self.intercept
        return _expit(self.platt_a * scores + self.platt_b)


@dataclass
class RatingModel:
    """An ordinal rating as cumulative binary classifiers (Frank & Hall 2001): cut k
    gives P(value > levels[k]), each a :class:`CodeModel` on the same features. The
    predicted value is the median of the implied distribution."""

    rating: str
    unit: str
    levels: list[int]
    cuts: list[CodeModel]
    n_units: int

    def predict(self, x: Any) -> tuple[npt.NDArray[np.int64], FloatArray]:
        """Predicted value per unit and the probability of that value."""
        n = x.shape[0]
        above = np.ones((n, len(self.cuts) + 2))
        above[:, -1] = 0.0
        for k, cut in enumerate(self.cuts):
            above[:, k + 1] = cut.probabilities(x)
        above = np.minimum.accumulate(above, axis=1)  # P(> level) never rises with level
        index = (above[:, 1:-1] >= 0.5).sum(axis=1)
        levels = np.asarray(self.levels, dtype=np.int64)
        chance = above[np.arange(n), index] - above[np.arange(n), index + 1]
        return levels[index], np.asarray(chance, dtype=np.float64)


@dataclass(frozen=True)
class RatingData:
    """Training data of one rating: each unit's value (NaN where it was not rated)."""

    rating: str
    unit: str
    values: FloatArray


@dataclass
class ScreeningModel:
    """Everything a prediction needs, plus where the model came from (``meta``)."""

    features: dict[str, FeatureSet]  # unit kind -> fitted feature set (vocabularies …)
    codes: list[CodeModel]
    skipped: list[dict[str, Any]]  # {"code", "unit", "n_positive", "reason"}
    settings: dict[str, Any]
    meta: dict[str, Any] = field(default_factory=dict)
    ratings: list[RatingModel] = field(default_factory=list)

    def code(self, code_id: str) -> CodeModel:
        return next(c for c in self.codes if c.code == code_id)

    def predict(self, units: Mapping[str, Sequence[UnitText]]) -> dict[str, FloatArray]:
        """Probability per code for each unit of its kind (``units`` by kind); units of a
        role the code is never given on get probability 0."""
        matrices = {
            kind: self.features[kind].transform(rows)
            for kind, rows in units.items()
            if kind in self.features and len(rows)
        }
        out: dict[str, FloatArray] = {}
        for cm in self.codes:
            rows = units.get(cm.unit, ())
            if cm.unit not in matrices:
                out[cm.code] = np.zeros(len(rows))
                continue
            probs = cm.probabilities(matrices[cm.unit])
            allowed = np.array([u.role in cm.roles for u in rows], dtype=bool)
            out[cm.code] = np.where(allowed, probs, 0.0)
        return out

    def predict_ratings(
        self, units: Mapping[str, Sequence[UnitText]]
    ) -> dict[str, tuple[npt.NDArray[np.int64], FloatArray]]:
        """Per rating: the predicted value of each unit of its kind and its probability."""
        out = {}
        for rm in self.ratings:
            rows = units.get(rm.unit, ())
            if rm.unit in self.features and len(rows):
                out[rm.rating] = rm.predict(self.features[rm.unit].transform(rows))
        return out


@dataclass(frozen=True)
class CodeData:
    """Training data of one code: which units of its kind are positive."""

    code: str
    unit: str
    labels: BoolArray


def fit(
    units: Mapping[str, Sequence[UnitText]],
    data: Sequence[CodeData],
    settings: Settings | None = None,
    ratings: Sequence[RatingData] = (),
    progress: Callable[[int, int, str], None] | None = None,
) -> ScreeningModel:
    """Fit one classifier per code with at least ``settings.min_positive`` positive units,
    and one ordinal model per rating with at least that many rated units and two values;
    the others are listed in ``skipped``, never guessed. ``progress(done, total, what)``
    is called before each code and rating; it may raise to stop (nothing is returned)."""
    settings = settings or Settings()
    fit_ratings = []
    rating_skips: list[dict[str, Any]] = []
    for rd in ratings:
        rated = ~np.isnan(rd.values)
        n_rated = int(rated.sum())
        if n_rated < settings.min_positive or len(np.unique(rd.values[rated])) < 2:
            reason = (
                f"{n_rated} rated units (at least {settings.min_positive} needed)"
                if n_rated < settings.min_positive
                else "every rated unit has the same value: nothing to tell apart"
            )
            rating_skips.append(
                {"code": rd.rating, "unit": rd.unit, "n_positive": n_rated, "reason": reason}
            )
        else:
            fit_ratings.append(rd)
    skipped: list[dict[str, Any]] = []
    fit_codes: list[CodeData] = []
    for cd in data:
        n_pos = int(cd.labels.sum())
        if n_pos < settings.min_positive:
            reason = f"{n_pos} positive units (at least {settings.min_positive} needed)"
            skipped.append(
                {"code": cd.code, "unit": cd.unit, "n_positive": n_pos, "reason": reason}
            )
        elif n_pos == len(cd.labels):
            reason = "every unit is positive: nothing to tell apart"
            skipped.append(
                {"code": cd.code, "unit": cd.unit, "n_positive": n_pos, "reason": reason}
            )
        else:
            fit_codes.append(cd)
    kinds = sorted({cd.unit for cd in fit_codes} | {rd.unit for rd in fit_ratings})
    kind_of_features = feature_set(settings.features)
    features = {kind: kind_of_features.fit(units[kind]) for kind in kinds}
    matrices = {kind: features[kind].transform(units[kind]) for kind in kinds}
    codes: list[CodeModel] = []
    total = len(fit_codes) + len(fit_ratings)
    for step, cd in enumerate(fit_codes):
        if progress is not None:
            progress(step, total, f"learning {cd.code}")
        rows = units[cd.unit]
        roles = _roles_of_positives([r.role for r in rows], cd.labels)
        keep = np.array([r.role in roles for r in rows], dtype=bool)
        x = matrices[cd.unit][np.flatnonzero(keep)]
        y = cd.labels[keep]
        if int((~y).sum()) < 2:
            skipped.append(
                {
                    "code": cd.code,
                    "unit": cd.unit,
                    "n_positive": int(y.sum()),
                    "reason": "too few negative units",
                }
            )
            continue
        codes.append(_fit_code(cd, roles, x, y, settings))
    rating_models = []
    for step, rd in enumerate(fit_ratings, start=len(fit_codes)):
        if progress is not None:
            progress(step, total, f"learning {rd.rating}")
        rating_models.append(_fit_rating(rd, matrices[rd.unit], settings))
    return ScreeningModel(
        features, codes, skipped + rating_skips, settings.as_dict(), {}, rating_models
    )


def _fit_rating(rd: RatingData, matrix: Any, settings: Settings) -> RatingModel:
    """One calibrated binary model per cut between observed values; a cut with fewer
    than 2 units on a side is a constant (the share above it)."""
    rated = np.flatnonzero(~np.isnan(rd.values))
    x, values = matrix[rated], rd.values[rated]
    levels = sorted(int(v) for v in np.unique(values))
    cuts = []
    for level in levels[:-1]:
        y = values > level
        cd = CodeData(f"{rd.rating}>{level}", rd.unit, y)
        if min(int(y.sum()), int((~y).sum())) >= 2:
            cuts.append(_fit_code(cd, [SEGMENT_ROLE], x, y, settings))
        else:
            share = float(np.clip(y.mean(), 1e-3, 1 - 1e-3))
            cuts.append(
                CodeModel(cd.code, rd.unit, [SEGMENT_ROLE], len(y), int(y.sum()),
                          np.zeros(x.shape[1]), 0.0, 0.0, float(np.log(share / (1 - share))), 0.5)
            )  # fmt: skip
    return RatingModel(rd.rating, rd.unit, levels, cuts, len(rated))


def _fit_code(
    cd: CodeData, roles: list[str], x: Any, y: BoolArray, settings: Settings
) -> CodeModel:
    def classifier() -> LogisticRegression:
        return LogisticRegression(
            C=settings.c,
            class_weight="balanced",
            solver="liblinear",
            dual=True,
            max_iter=1000,
        )

    folds = max(2, min(settings.calibration_folds, int(y.sum()), int((~y).sum())))
    cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=settings.seed)
    scores = cross_val_predict(classifier(), x, y, cv=cv, method="decision_function")
    platt = LogisticRegression(C=1e6, solver="lbfgs").fit(scores.reshape(-1, 1), y)
    a, b = float(platt.coef_[0, 0]), float(platt.intercept_[0])
    threshold = best_threshold(_expit(a * scores + b), y)
    final = classifier().fit(x, y)
    return CodeModel(
        code=cd.code,
        unit=cd.unit,
        roles=roles,
        n_units=len(y),
        n_positive=int(y.sum()),
        coef=np.asarray(final.coef_[0], dtype=np.float64),
        intercept=float(final.intercept_[0]),
        platt_a=a,
        platt_b=b,
        threshold=threshold,
    )


def best_threshold(probs: FloatArray, y: BoolArray) -> float:
    """The probability cut (0.05 ... 0.95) that maximises Cohen's kappa; 0.5 on a tie."""
    best, best_kappa = 0.5, -np.inf
    for t in np.round(np.arange(0.05, 0.96, 0.05), 2):
        k = binary_kappa(probs >= t, y)
        if k > best_kappa + 1e-12 or (
            abs(k - best_kappa) <= 1e-12 and abs(t - 0.5) < abs(best - 0.5)
        ):
            best, best_kappa = float(t), k
    return best


def binary_kappa(a: BoolArray, b: BoolArray) -> float:
    """Cohen's kappa of two presence vectors (threshold choice only; reported figures use
    :mod:`coder.stats.cohen`)."""
    n = len(a)
    if n == 0:
        return 0.0
    po = float(np.mean(a == b))
    pa, pb = float(np.mean(a)), float(np.mean(b))
    pe = pa * pb + (1 - pa) * (1 - pb)
    return 0.0 if pe >= 1 else (po - pe) / (1 - pe)


def _roles_of_positives(roles: list[str], labels: BoolArray, share: float = 0.05) -> list[str]:
    """Speaker roles a code is given on: those holding at least ``share`` of its positive
    units (a therapist code is learnt and suggested on therapist turns only)."""
    pos = Counter(r for r, y in zip(roles, labels, strict=True) if y)
    total = sum(pos.values())
    return sorted(r for r, n in pos.items() if n >= share * total)


def _expit(x: FloatArray) -> FloatArray:
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(x, -500, 500))), dtype=np.float64)
