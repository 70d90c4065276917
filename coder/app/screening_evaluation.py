"""How good a screening model would be: grouped cross-validation of the model against a
source's held-out codes, scored as one more rater with :mod:`coder.stats`
(``coder screen evaluate``, Screening ▸ Evaluate; docs/screening.md).

Evaluating reads the source's codes as training does, so the same rights hold
(:func:`coder.app.screening_corpus.label_source`); the human raters' own agreement,
shown beside the machine's, is computed only for a caller who may see everyone's codes.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from itertools import combinations
from typing import Any, Literal

import numpy as np
from sklearn.metrics import precision_score, recall_score, roc_auc_score
from sklearn.model_selection import GroupKFold
from sqlalchemy import select

from coder.app.access import visible_rater_ids
from coder.app.identity import ActingRater
from coder.app.screening import Progress
from coder.app.screening_corpus import (
    SEGMENT,
    TURN,
    Dataset,
    Source,
    build_dataset,
    read_corpus,
    read_training,
    source_codes,
    subset,
)
from coder.domain.errors import ValidationError
from coder.domain.roles import RaterRole
from coder.domain.scheme import Scheme
from coder.domain.selectors import parse_session_selection
from coder.screening.model import RatingData, Settings, UnitText, fit
from coder.stats.alpha import krippendorff_alpha
from coder.stats.bootstrap import (
    BINARY_STATS,
    ORDINAL_STATS,
    binary_rater_cis,
    ordinal_rater_cis,
)
from coder.stats.cohen import cohen_kappa
from coder.store.database import ProjectDatabase
from coder.store.models import RaterRow


def evaluate(
    db: ProjectDatabase,
    actor: ActingRater | None,
    source: str,
    *,
    folds: int = 5,
    group_by: str = "patient",
    scheme_key: str | None = None,
    sessions: Sequence[str] | None = None,
    settings: Settings | None = None,
    bootstrap: int = 1000,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Grouped cross-validation of the model against ``source``'s held-out codes.

    Groups are patients (no session of a test patient is seen in training), or sessions
    when the data hold one patient or ``group_by="session"``. Per code: Cohen's kappa and
    Krippendorff's alpha (nominal) of machine vs human from :mod:`coder.stats`, precision,
    recall, ROC AUC, units and positives; ``human_kappa`` is the mean pairwise Cohen's kappa
    of the human raters who coded the same sessions (``None`` where fewer than two did,
    or when the caller may not see everyone's codes).

    Each machine figure has a percentile 95% bootstrap interval (``kappa_ci`` ... ``auc_ci``,
    ``[low, high]`` or ``None``) from ``bootstrap`` resamples of whole cross-validation
    groups (patients or sessions), not of single units: turns of one session are not
    independent, and resampling them one by one would make the intervals too narrow.
    ``progress(done, total, what)`` is called after each fold; it may raise to stop."""
    if group_by not in ("patient", "session"):
        raise ValidationError("--group-by must be patient or session")
    if folds < 2:
        raise ValidationError("--folds must be at least 2")
    settings = settings or Settings()
    scheme, _, src, data = read_training(
        db, actor, source, scheme_key, sessions, "evaluate a model"
    )
    patients = {p for p, _ in data.sessions}
    used = group_by if len(patients) > 1 else "session"

    def group(p: str, n: int) -> str:
        return p if used == "patient" else f"{p}/{n}"

    groups = sorted({group(p, n) for p, n in data.sessions})
    k = min(folds, len(groups))
    if k < 2:
        raise ValidationError(f"cross-validation needs at least two {used}s with codes")
    group_ids = {g: i for i, g in enumerate(groups)}
    kinds = list(data.units)
    unit_groups = {
        kind: np.array([group_ids[group(p, n)] for _, p, n, _ in data.keys[kind]], dtype=int)
        for kind in kinds
    }
    # One fold assignment over groups (balanced by their turns), shared by both unit kinds.
    fold_of_group = np.zeros(len(groups), dtype=int)
    splitter = GroupKFold(n_splits=k)
    for f, (_, test) in enumerate(splitter.split(unit_groups[TURN], groups=unit_groups[TURN])):
        fold_of_group[np.unique(unit_groups[TURN][test])] = f
    probs = {c.code: np.zeros(len(c.labels)) for c in data.codes}
    rated_pred = {r.rating: np.full(len(r.values), np.nan) for r in data.ratings}
    preds = {c.code: np.zeros(len(c.labels), dtype=bool) for c in data.codes}
    fold_rows: list[dict[str, Any]] = []
    for f in range(k):
        if progress is not None:
            progress(f, k, f"fold {f + 1} of {k}")
        test_groups = [g for g in groups if fold_of_group[group_ids[g]] == f]
        train_rows = {kind: np.flatnonzero(fold_of_group[unit_groups[kind]] != f) for kind in kinds}
        test_rows = {kind: np.flatnonzero(fold_of_group[unit_groups[kind]] == f) for kind in kinds}
        units, codes, ratings = subset(data, train_rows)
        model = fit(units, codes, settings, ratings)
        test_units = {kind: [data.units[kind][i] for i in test_rows[kind]] for kind in kinds}
        predicted = model.predict(test_units)
        fitted = {cm.code: cm for cm in model.codes}
        for rating, (values, _) in model.predict_ratings(test_units).items():
            rated_pred[rating][test_rows[SEGMENT]] = values
        for c in data.codes:
            if c.code in fitted:
                rows = test_rows[c.unit]
                probs[c.code][rows] = predicted[c.code]
                preds[c.code][rows] = predicted[c.code] >= fitted[c.code].threshold
        train_groups = sorted({groups[g] for g in np.unique(unit_groups[TURN][train_rows[TURN]])})
        fold_rows.append(
            {
                "fold": f + 1,
                "test_groups": test_groups,
                "train_groups": train_groups,
                "n_train_units": {kd: len(train_rows[kd]) for kd in kinds},
                "n_test_units": {kd: len(test_rows[kd]) for kd in kinds},
                "skipped_codes": [s["code"] for s in model.skipped],
            }
        )
    if progress is not None:
        progress(k, k, "scoring")
    human = _human_kappas(db, actor, scheme, data, src)
    out_codes = []
    for c in data.codes:
        rows_role = _evaluation_rows(data.units[c.unit], c.labels)
        y = c.labels[rows_role]
        m = preds[c.code][rows_role]
        p = probs[c.code][rows_role]
        n_pos = int(y.sum())
        entry: dict[str, Any] = {
            "code": c.code,
            "unit": c.unit,
            "n_units": len(y),
            "n_positive": n_pos,
            "kappa": None,
            "alpha": None,
            "precision": None,
            "recall": None,
            "auc": None,
            "human_kappa": human.get(c.code),
        }
        entry.update({f"{stat}_ci": None for stat in BINARY_STATS})
        if n_pos >= 1 and len(y):
            matrix = np.column_stack([m.astype(float), y.astype(float)])
            entry["kappa"] = _value(cohen_kappa(matrix).value)
            entry["alpha"] = _value(krippendorff_alpha(matrix, "nominal").value)
            entry["precision"] = float(precision_score(y, m, zero_division=0))
            entry["recall"] = float(recall_score(y, m, zero_division=0))
            if n_pos < len(y):
                entry["auc"] = float(roc_auc_score(y, p))
            if bootstrap > 0:
                keys = data.keys[c.unit]
                clusters = [group(keys[i][1], keys[i][2]) for i in rows_role]
                cis = binary_rater_cis(
                    m, y, clusters, p if n_pos < len(y) else None, bootstrap, settings.seed
                )
                for stat, ci in cis.items():
                    if entry[stat] is not None and ci.ci95 is not None:
                        entry[f"{stat}_ci"] = [round(ci.ci95[0], 4), round(ci.ci95[1], 4)]
        out_codes.append(entry)
    return {
        "codes": out_codes,
        "ratings": [
            _rating_entry(
                r,
                rated_pred[r.rating],
                [group(p, n) for _, p, n, _ in data.keys[r.unit]],
                bootstrap,
                settings.seed,
            )
            | {"human_weighted_kappa": human.get(r.rating)}
            for r in data.ratings
        ],
        "folds": fold_rows,
        "model": {
            **(settings.as_dict()),
            "scheme": scheme.id,
            "trained_from": src.label,
            "group_by": used,
            "n_folds": k,
            "n_sessions": len(data.sessions),
            "bootstrap": {
                "resamples": bootstrap,
                "resampled": f"whole {used}s (cluster bootstrap), percentile 95% intervals",
            },
        },
    }


def _rating_entry(
    r: RatingData, predicted: np.ndarray, clusters: list[str], bootstrap: int, seed: int
) -> dict[str, Any]:
    """An ordinal rating, machine vs held-out human values on the units both rated:
    quadratic-weighted Cohen's kappa and ordinal Krippendorff's alpha (project engine),
    exact agreement; ``None`` where the model skipped the rating in every fold. Each has
    a 95% interval from resampling whole ``clusters`` (as the presence codes')."""
    both = ~np.isnan(r.values) & ~np.isnan(predicted)
    entry: dict[str, Any] = {
        "rating": r.rating,
        "n_units": int((~np.isnan(r.values)).sum()),
        "n_predicted": int(both.sum()),
        "weighted_kappa": None,
        "alpha_ordinal": None,
        "exact_agreement": None,
        **{f"{stat}_ci": None for stat in ORDINAL_STATS},
    }
    if both.sum() >= 2:
        matrix = np.column_stack([predicted[both], r.values[both]])
        entry["weighted_kappa"] = _value(cohen_kappa(matrix, weights="quadratic").value)
        entry["alpha_ordinal"] = _value(krippendorff_alpha(matrix, "ordinal").value)
        entry["exact_agreement"] = float(np.mean(predicted[both] == r.values[both]))
        if bootstrap > 0:
            picked = [c for c, keep in zip(clusters, both, strict=True) if keep]
            cis = ordinal_rater_cis(predicted[both], r.values[both], picked, bootstrap, seed)
            for stat, ci in cis.items():
                if entry[stat] is not None and ci.ci95 is not None:
                    entry[f"{stat}_ci"] = [round(ci.ci95[0], 4), round(ci.ci95[1], 4)]
    return entry


def _value(v: float | None) -> float | None:
    return None if v is None or not np.isfinite(v) else float(v)


def _evaluation_rows(units: list[UnitText], labels: np.ndarray) -> np.ndarray:
    """Units of the speaker roles the code is given on (by the human labels): a therapist
    code is scored on therapist turns."""
    pos_roles = Counter(u.role for u, y in zip(units, labels, strict=True) if y)
    total = sum(pos_roles.values())
    roles = {r for r, n in pos_roles.items() if n >= 0.05 * total}
    if not roles:
        return np.arange(len(units))
    return np.flatnonzero([u.role in roles for u in units])


def _human_kappas(
    db: ProjectDatabase, actor: ActingRater | None, scheme: Scheme, data: Dataset, src: Source
) -> dict[str, float | None]:
    """Mean pairwise Cohen's kappa of the human raters on the units two of them coded."""
    with db.reading() as session:
        if visible_rater_ids(session, actor) is not None:
            return {}
        humans = dict(
            session.execute(
                select(RaterRow.id, RaterRow.name).where(
                    RaterRow.role.in_([RaterRole.RATER.value, RaterRole.LEAD.value])
                )
            ).all()
        )
        sessions = [f"{p}/{n}" for p, n in data.sessions]
        corpus = read_corpus(session, scheme, parse_session_selection(sessions))
        codes = source_codes(session, scheme.id, list(humans))
    if len(humans) < 2 or not codes:
        return {}
    per_rater = build_dataset(corpus, scheme, codes)
    out: dict[str, float | None] = {}
    for c in per_rater.codes:
        out[c.code] = _mean_pairwise_kappa(per_rater.keys[c.unit], c.labels, humans, None)
    for r in per_rater.ratings:  # a rating's human figure: quadratic-weighted, like the machine's
        out[r.rating] = _mean_pairwise_kappa(per_rater.keys[r.unit], r.values, humans, "quadratic")
    return out


def _mean_pairwise_kappa(
    keys: list[tuple[int, str, int, int]],
    values: np.ndarray,
    humans: dict[int, str],
    weights: Literal["quadratic"] | None,
) -> float | None:
    """Mean Cohen's kappa over pairs of humans on the units both coded (rated: not NaN)."""
    table: dict[tuple[str, int, int], dict[int, float]] = defaultdict(dict)
    for (rid, p, n, index), v in zip(keys, values, strict=True):
        if not np.isnan(v):
            table[(p, n, index)][rid] = float(v)
    found = []
    for a, b in combinations(sorted(humans), 2):
        pairs = [(t[a], t[b]) for t in table.values() if a in t and b in t]
        if len(pairs) >= 2:
            kappa = cohen_kappa(np.array(pairs, dtype=float), weights=weights).value
            if kappa is not None and np.isfinite(kappa):
                found.append(kappa)
    return float(np.mean(found)) if found else None
