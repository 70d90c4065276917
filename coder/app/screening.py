"""Machine pre-screening: train a model on the lab's own codes, store its suggestions as a
rater of role *machine*, and evaluate it as one more rater (issue 16; docs/screening.md).

Who may do what (decided by :mod:`coder.app.access`, as everywhere):

* training and evaluating read the codes of the chosen source, so a blinded rater may
  train only on their own codes; training from the consensus or from another rater needs
  a lead in a project that has one;
* running a model writes a machine rater's codes, which only a lead may do in a project
  with a lead; the codes are checked like any write (:func:`access.check_editable`: a
  session of a locked round takes none) and are blinded like any rater's.

Units: a code whose stored applications mostly point at a turn (a text span, or
``unit=turn``) is learnt on turns (a turn is positive when the rater's code touches it);
any other presence code on the scheme's segments (text = the segment's turns).
Segment ratings are learnt as ordinal values on the segments the rater rated
(:class:`coder.screening.model.RatingModel`). A session counts as coded by a rater when
the rater has any code of the scheme in it; then all its units are that rater's examples.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any, Literal, cast

import numpy as np
from sklearn.metrics import precision_score, recall_score, roc_auc_score
from sklearn.model_selection import GroupKFold
from sqlalchemy import Table, delete, insert, select
from sqlalchemy.orm import Session as OrmSession

from coder.app import schemes as scheme_service
from coder.app.access import (
    NotAllowed,
    check_editable,
    project_has_lead,
    require_identity,
    require_lead,
    visible_rater_ids,
)
from coder.app.browse import scheme_segments
from coder.app.identity import ActingRater
from coder.app.raters import check_new_name, check_spelling, exact_names
from coder.domain.errors import CoderError, NotFoundError, ValidationError
from coder.domain.roles import RaterRole
from coder.domain.scheme import Scheme, Scope
from coder.domain.selectors import SessionSelection, parse_session_selection
from coder.io.atomic import write_atomically
from coder.screening import model_file
from coder.screening.model import (
    CodeData,
    RatingData,
    ScreeningModel,
    Settings,
    UnitText,
    fit,
)
from coder.stats.alpha import krippendorff_alpha
from coder.stats.bootstrap import (
    BINARY_STATS,
    ORDINAL_STATS,
    binary_rater_cis,
    ordinal_rater_cis,
)
from coder.stats.cohen import cohen_kappa
from coder.store.clock import utcnow
from coder.store.database import ProjectDatabase
from coder.store.models import (
    CodeApplicationRow,
    PatientRow,
    RaterRow,
    SchemeRow,
    SessionRow,
    SpeakerRow,
    TranscriptRow,
    TurnRow,
)

CONSENSUS_SOURCE = "consensus"
TURN, SEGMENT = "turn", "segment"
SessionKey = tuple[str, int]
Progress = Callable[[int, int, str], None]  # (done, total, what); may raise to cancel


class ModelRefused(CoderError):
    """A model file this project cannot use (damaged, another scheme revision)."""


# ---- reading the project ------------------------------------------------------------------
@dataclass
class Corpus:
    """Turns ``(index, role, text)`` and segments ``(index, first, last)`` per session."""

    turns: dict[SessionKey, list[tuple[int, str, str]]]
    segments: dict[SessionKey, list[tuple[int, int, int]]]
    session_ids: dict[SessionKey, int]
    segment_ids: dict[tuple[SessionKey, int], int] = field(default_factory=dict)


def _corpus(session: OrmSession, scheme: Scheme, wanted: SessionSelection | None) -> Corpus:
    def chosen(p: str, n: int) -> bool:
        return wanted is None or wanted.selects(p, n)

    turns: dict[SessionKey, list[tuple[int, str, str]]] = defaultdict(list)
    ids: dict[SessionKey, int] = {}
    rows = session.connection().execute(
        select(
            PatientRow.code,
            SessionRow.number,
            SessionRow.id,
            TurnRow.index,
            SpeakerRow.role,
            TurnRow.text,
        )
        .join(SessionRow, SessionRow.patient_id == PatientRow.id)
        .join(TranscriptRow, TranscriptRow.session_id == SessionRow.id)
        .join(TurnRow, TurnRow.transcript_id == TranscriptRow.id)
        .join(SpeakerRow, TurnRow.speaker_id == SpeakerRow.id)
        .order_by(PatientRow.code, SessionRow.number, TurnRow.index)
    )
    for p, n, sid, index, role, text in rows:
        if chosen(p, n):
            turns[(p, n)].append((index, role, text))
            ids[(p, n)] = sid
    segments: dict[SessionKey, list[tuple[int, int, int]]] = defaultdict(list)
    seg_ids: dict[tuple[SessionKey, int], int] = {}
    for g in scheme_segments(session, scheme):
        if (g.patient, g.session) in ids:
            segments[(g.patient, g.session)].append((g.index, g.first_turn, g.last_turn))
            seg_ids[((g.patient, g.session), g.index)] = g.id
    return Corpus(dict(turns), dict(segments), ids, seg_ids)


def _turn_units(turns: list[tuple[int, str, str]]) -> list[UnitText]:
    out = []
    for i, (_, role, text) in enumerate(turns):
        prev = turns[i - 1] if i > 0 else None
        nxt = turns[i + 1] if i + 1 < len(turns) else None
        out.append(
            UnitText(
                text,
                role,
                prev[2] if prev else "",
                nxt[2] if nxt else "",
                prev[1] if prev else "none",
            )
        )
    return out


def _segment_units(
    turns: list[tuple[int, str, str]], segments: list[tuple[int, int, int]]
) -> list[UnitText]:
    by_index = {t[0]: t for t in turns}
    texts = [
        " ".join(by_index[i][2] for i in range(first, last + 1) if i in by_index)
        for _, first, last in segments
    ]
    return [
        UnitText(
            texts[i],
            SEGMENT,
            texts[i - 1][-300:] if i > 0 else "",
            texts[i + 1][:300] if i + 1 < len(texts) else "",
            SEGMENT if i > 0 else "none",
        )
        for i in range(len(texts))
    ]


@dataclass
class Source:
    label: str  # "consensus" or the raters' names
    rater_ids: dict[int, str]


def _source(session: OrmSession, actor: ActingRater | None, source: str, what: str) -> Source:
    """The raters whose codes are the labels, checked against who is asking."""
    require_identity(session, actor, what)
    lead_project = project_has_lead(session)
    if source.strip().lower() == CONSENSUS_SOURCE:
        if lead_project or actor is not None:
            require_lead(actor, f"{what} from the consensus")
        rows = session.execute(
            select(RaterRow.id, RaterRow.name).where(RaterRow.role == RaterRole.CONSENSUS.value)
        ).all()
        if not rows:
            raise NotFoundError("the project has no consensus codes yet")
        return Source(CONSENSUS_SOURCE, {rid: name for rid, name in rows})
    names = [n for n in exact_names(source.split(",")) if n]
    if not names:
        raise ValidationError("--from needs 'consensus' or one or more rater names")
    check_spelling(session, names)
    ids: dict[int, str] = {
        rid: name
        for rid, name in session.execute(
            select(RaterRow.id, RaterRow.name).where(RaterRow.name.in_(names))
        )
    }
    missing = [n for n in names if n not in ids.values()]
    if missing:
        raise NotFoundError(f"no rater named {', '.join(map(repr, missing))} in the project")
    others = [name for rid, name in ids.items() if actor is None or rid != actor.rater_id]
    if others and (lead_project or actor is not None) and not (actor and actor.is_lead):
        raise NotAllowed(f"only a lead can {what} from another rater's codes ({', '.join(others)})")
    visible = visible_rater_ids(session, actor, list(ids))
    if visible is not None and set(visible) != set(ids):
        raise NotAllowed(f"raters are blinded: only a lead can {what} from others' codes")
    return Source(",".join(names), ids)


def _source_codes(
    session: OrmSession, scheme_key: str, rater_ids: Sequence[int]
) -> list[tuple[Any, ...]]:
    """(patient, session, rater_id, code, unit, unit_index, evidence_turn, value)."""
    return [
        tuple(r)
        for r in session.connection().execute(
            select(
                PatientRow.code,
                SessionRow.number,
                CodeApplicationRow.rater_id,
                CodeApplicationRow.code_id,
                CodeApplicationRow.unit,
                CodeApplicationRow.unit_index,
                CodeApplicationRow.evidence_turn,
                CodeApplicationRow.value,
            )
            .join(SessionRow, CodeApplicationRow.session_id == SessionRow.id)
            .join(PatientRow, SessionRow.patient_id == PatientRow.id)
            .join(SchemeRow, CodeApplicationRow.scheme_id == SchemeRow.id)
            .where(SchemeRow.key == scheme_key, CodeApplicationRow.rater_id.in_(list(rater_ids)))
        )
    ]


# ---- the labelled units -------------------------------------------------------------------
@dataclass
class Dataset:
    units: dict[str, list[UnitText]]
    keys: dict[str, list[tuple[int, str, int, int]]]  # kind -> (rater id, patient, session, index)
    codes: list[CodeData]
    sessions: list[SessionKey]
    ratings: list[RatingData] = field(default_factory=list)


def presence_codes(scheme: Scheme) -> list[str]:
    return [c.id for g in scheme.groups if g.scope is Scope.SEGMENT for c in g.codes]


def segment_ratings(scheme: Scheme) -> list[str]:
    """Ratings learnt as ordinal values on segments (a session rating has one value per
    session: far too few units to learn from)."""
    return [r.id for r in scheme.ratings_for(Scope.SEGMENT)]


def _dataset(corpus: Corpus, scheme: Scheme, codes: list[tuple[Any, ...]]) -> Dataset:
    wanted = set(presence_codes(scheme))
    coded: dict[int, set[SessionKey]] = defaultdict(set)
    for p, n, rid, *_ in codes:
        if (p, n) in corpus.turns:
            coded[rid].add((p, n))
    # Unit kind per code: turns when most of its applications point at a turn.
    on_turn: dict[str, list[bool]] = defaultdict(list)
    for _, _, _, code, unit, _, ev_turn, _ in codes:
        on_turn[code].append(unit == TURN or ev_turn is not None)
    kind_of = {c: TURN if np.mean(on_turn[c]) >= 0.5 else SEGMENT for c in on_turn}
    units: dict[str, list[UnitText]] = {TURN: [], SEGMENT: []}
    keys: dict[str, list[tuple[int, str, int, int]]] = {TURN: [], SEGMENT: []}
    seg_of_turn: dict[SessionKey, dict[int, int]] = {}
    for rid in sorted(coded):
        for key in sorted(coded[rid]):
            turns = corpus.turns[key]
            segs = corpus.segments.get(key, [])
            units[TURN] += _turn_units(turns)
            keys[TURN] += [(rid, key[0], key[1], t[0]) for t in turns]
            units[SEGMENT] += _segment_units(turns, segs)
            keys[SEGMENT] += [(rid, key[0], key[1], s[0]) for s in segs]
            seg_of_turn[key] = {t: s[0] for s in segs for t in range(s[1], s[2] + 1)}
    row = {kind: {k: i for i, k in enumerate(keys[kind])} for kind in keys}
    labels: dict[str, np.ndarray] = {}
    rating_ids = segment_ratings(scheme)
    rating_values = {r: np.full(len(keys[SEGMENT]), np.nan) for r in rating_ids}
    for p, n, rid, code, unit, index, ev_turn, value in codes:
        if code in rating_values and unit == SEGMENT and value is not None:
            at = row[SEGMENT].get((rid, p, n, index))
            if at is not None:
                rating_values[code][at] = float(value)
        if code not in wanted or (p, n) not in corpus.turns:
            continue
        kind = kind_of[code]
        target: int | None
        if kind == TURN:
            target = index if unit == TURN else ev_turn
        elif unit == TURN:
            target = seg_of_turn.get((p, n), {}).get(index)
        else:
            target = index if unit == SEGMENT else None
        i = row[kind].get((rid, p, n, target)) if target is not None else None
        if i is None:
            continue
        if code not in labels:
            labels[code] = np.zeros(len(keys[kind]), dtype=bool)
        labels[code][i] = True
    data = [
        CodeData(
            c,
            kind_of.get(c, SEGMENT),
            labels.get(c, np.zeros(len(keys[kind_of.get(c, SEGMENT)]), dtype=bool)),
        )
        for c in presence_codes(scheme)
    ]
    sessions = sorted({k for s in coded.values() for k in s})
    ratings = [RatingData(r, SEGMENT, rating_values[r]) for r in rating_ids]
    return Dataset(units, keys, data, sessions, ratings)


def _subset(
    data: Dataset, kind_rows: dict[str, np.ndarray]
) -> tuple[dict[str, list[UnitText]], list[CodeData], list[RatingData]]:
    units = {k: [data.units[k][i] for i in kind_rows[k]] for k in data.units}
    codes = [CodeData(c.code, c.unit, c.labels[kind_rows[c.unit]]) for c in data.codes]
    ratings = [RatingData(r.rating, r.unit, r.values[kind_rows[r.unit]]) for r in data.ratings]
    return units, codes, ratings


def _scheme_row(session: OrmSession, scheme: Scheme) -> SchemeRow:
    row = session.scalar(
        select(SchemeRow)
        .where(SchemeRow.key == scheme.id)
        .order_by(SchemeRow.revision.desc())
        .limit(1)
    )
    if row is None:
        raise NotFoundError(f"the project has no scheme {scheme.id!r}")
    return row


# ---- training -----------------------------------------------------------------------------
@dataclass(frozen=True)
class TrainResult:
    path: Path
    model_hash: str
    trained: list[dict[str, Any]]  # {"code", "unit", "n_units", "n_positive", "threshold"}
    skipped: list[dict[str, Any]]
    n_sessions: int
    seconds: float


def _read_training(
    db: ProjectDatabase,
    actor: ActingRater | None,
    source: str,
    scheme_key: str | None,
    sessions: Sequence[str] | None,
    what: str,
) -> tuple[Scheme, SchemeRow, Source, Dataset]:
    scheme = scheme_service.load_project_scheme(db, scheme_key)
    wanted = parse_session_selection(sessions)
    with db.reading() as session:
        src = _source(session, actor, source, what)
        row = _scheme_row(session, scheme)
        corpus = _corpus(session, scheme, wanted)
        codes = _source_codes(session, scheme.id, list(src.rater_ids))
    codes = [c for c in codes if (c[0], c[1]) in corpus.turns]
    if not codes:
        raise NotFoundError(
            f"{src.label} has no codes of scheme {scheme.id}"
            + (" in the chosen sessions" if wanted else "")
        )
    return scheme, row, src, _dataset(corpus, scheme, codes)


def train(
    db: ProjectDatabase,
    actor: ActingRater | None,
    source: str,
    out: Path,
    *,
    scheme_key: str | None = None,
    sessions: Sequence[str] | None = None,
    settings: Settings | None = None,
    progress: Progress | None = None,
) -> TrainResult:
    """Fit a model on ``source``'s codes ("consensus" or rater names, comma-separated) and
    write it to ``out``. Codes with too few positive units are listed and skipped; if no
    code has enough, nothing is written. ``progress`` is called before each code is
    learnt; raising from it stops training before anything is written."""
    started = time.perf_counter()
    _, row, src, data = _read_training(db, actor, source, scheme_key, sessions, "train a model")
    model = fit(data.units, data.codes, settings, data.ratings, progress)
    if not model.codes and not model.ratings:
        listed = ", ".join(f"{s['code']} ({s['n_positive']})" for s in model.skipped)
        raise ValidationError(
            f"no code has enough coded units to learn from (positive units: {listed}); "
            "nothing was written"
        )
    model.meta = {
        "scheme": {
            "key": row.key,
            "revision": row.revision,
            "content_hash": row.content_hash,
            "version": row.version,
        },
        "trained_from": src.label,
        "raters": sorted(set(src.rater_ids.values())),
        "sessions": [f"{p}/{n}" for p, n in data.sessions],
        "created_at": utcnow().isoformat(timespec="seconds"),
    }
    payload, digest = model_file.to_bytes(model)
    write_atomically(out, payload)
    trained = [
        {
            "code": c.code,
            "unit": c.unit,
            "roles": c.roles,
            "n_units": c.n_units,
            "n_positive": c.n_positive,
            "threshold": c.threshold,
        }
        for c in model.codes
    ] + [
        {
            "code": r.rating,
            "unit": r.unit,
            "roles": [SEGMENT],
            "n_units": r.n_units,
            "n_positive": r.n_units,
            "levels": r.levels,
        }
        for r in model.ratings
    ]
    return TrainResult(
        out, digest, trained, model.skipped, len(data.sessions), time.perf_counter() - started
    )


def load_model(path: Path) -> tuple[ScreeningModel, str]:
    try:
        return model_file.load(path)
    except model_file.ModelFileError as exc:
        raise ModelRefused(f"{path}: {exc}") from None


# ---- suggesting ---------------------------------------------------------------------------
@dataclass(frozen=True)
class RunResult:
    rater: str
    sessions: int
    codes: int
    seconds: float


def machine_name(model_hash: str) -> str:
    return f"Machine · {model_hash[:8]}"


def run(
    db: ProjectDatabase,
    actor: ActingRater | None,
    model_path: Path,
    sessions: Sequence[str],
    *,
    as_name: str | None = None,
    threshold: float | None = None,
    progress: Progress | None = None,
) -> RunResult:
    """Store ``model_path``'s suggestions for ``sessions`` as the codes of a machine rater
    (created on first use), each with its probability. Running again replaces that
    rater's codes in those sessions. ``threshold`` overrides each code's own cut.
    ``progress(done, total, what)`` is called before each session; if it raises (Cancel),
    the one transaction is rolled back and nothing is written."""
    started = time.perf_counter()
    model, digest = load_model(model_path)
    if threshold is not None and not 0.0 < threshold < 1.0:
        raise ValidationError("--threshold must lie between 0 and 1")
    meta_scheme = model.meta.get("scheme", {})
    key = str(meta_scheme.get("key", ""))
    scheme = scheme_service.load_project_scheme(db, key) if key else None
    if scheme is None:
        raise ModelRefused(f"{model_path}: the model names no scheme")
    wanted = parse_session_selection(sessions)
    if wanted is None:
        raise ValidationError("say which sessions to screen (--sessions P01,P02/3)")
    name = (as_name or machine_name(digest)).strip()
    with db.transaction(actor) as session:  # the audit trail names the lead who ran it
        if project_has_lead(session) or actor is not None:
            require_lead(actor, "store a screening model's suggestions")
        row = _scheme_row(session, scheme)
        if (row.revision, row.content_hash) != (
            meta_scheme.get("revision"),
            meta_scheme.get("content_hash"),
        ):
            raise ModelRefused(
                f"{model_path}: the model was trained on scheme {key} revision "
                f"{meta_scheme.get('revision')}, but this project's {key} is revision "
                f"{row.revision}: train a model on this revision"
            )
        corpus = _corpus(session, scheme, wanted)
        if not corpus.turns:
            raise NotFoundError("none of the chosen sessions has a transcript")
        machine = _machine_rater(session, name)
        coder = ActingRater(machine.id, machine.name, machine.initials, RaterRole.MACHINE)
        stored = 0
        now = utcnow()
        for done, key_ in enumerate(sorted(corpus.turns)):
            if progress is not None:
                progress(done, len(corpus.turns), f"session {key_[0]}/{key_[1]}")
            sid = corpus.session_ids[key_]
            check_editable(session, coder, sid, owner_id=machine.id)
            turns = corpus.turns[key_]
            segs = corpus.segments.get(key_, [])
            seg_units = _segment_units(turns, segs)
            probs = model.predict({TURN: _turn_units(turns), SEGMENT: seg_units})
            session.execute(
                delete(CodeApplicationRow).where(
                    CodeApplicationRow.session_id == sid,
                    CodeApplicationRow.rater_id == machine.id,
                    CodeApplicationRow.scheme_id == row.id,
                )
            )
            seg_of_turn = {t: s[0] for s in segs for t in range(s[1], s[2] + 1)}
            rows: list[dict[str, Any]] = []
            base = {"session_id": sid, "rater_id": machine.id, "scheme_id": row.id}
            segment_ids = {i: corpus.segment_ids.get((key_, i)) for i, _, _ in segs}
            seg_id = segment_ids.get

            for cm in model.codes:
                cut = cm.threshold if threshold is None else threshold
                p = probs[cm.code]
                for i in np.flatnonzero(p >= cut):
                    if cm.unit == TURN:
                        t_index, _, text = turns[i]
                        seg = seg_of_turn.get(t_index)
                        unit, index = (SEGMENT, seg) if seg else (TURN, t_index)
                        evidence = (t_index, 0, len(text))
                        rows.append(
                            _machine_row(base, now, cm.code, unit, index, seg_id(seg or 0),
                                         1, float(p[i]), evidence)
                        )  # fmt: skip
                    else:
                        s_index = segs[i][0]
                        rows.append(
                            _machine_row(base, now, cm.code, SEGMENT, s_index, seg_id(s_index),
                                         1, float(p[i]), None)
                        )  # fmt: skip
            # Ratings: the machine rates every segment, like a rater (value, probability).
            for rating, (values, chance) in model.predict_ratings({SEGMENT: seg_units}).items():
                for (s_index, _, _), value, prob in zip(segs, values, chance, strict=True):
                    rows.append(
                        _machine_row(base, now, rating, SEGMENT, s_index, seg_id(s_index),
                                     int(value), float(prob), None)
                    )  # fmt: skip
            if rows:
                # One multi-row insert per session: the audit trail records it as one
                # entry (how many codes, for whom), not one entry per suggestion, which
                # cost more than the model itself (cProfile of a 598-turn session).
                session.execute(insert(cast(Table, CodeApplicationRow.__table__)), rows)
            stored += len(rows)
    return RunResult(name, len(corpus.turns), stored, time.perf_counter() - started)


def _machine_row(
    base: dict[str, Any],
    now: Any,
    code: str,
    unit: str,
    index: int,
    segment_id: int | None,
    value: int,
    probability: float,
    evidence: tuple[int, int, int] | None,
) -> dict[str, Any]:
    """One machine code as a row of the multi-row insert (every row has every column)."""
    turn, start, end = evidence if evidence else (None, None, None)
    return {
        **base,
        "round_id": None,
        "code_id": code,
        "unit": unit,
        "unit_index": index,
        "segment_id": segment_id,
        "evidence_turn": turn,
        "evidence_start": start,
        "evidence_end": end,
        "value": value,
        "probability": probability,
        "memo": "",
        "created_at": now,
        "updated_at": now,
    }


def _machine_rater(session: OrmSession, name: str) -> RaterRow:
    row = session.scalar(select(RaterRow).where(RaterRow.name == name))
    if row is not None:
        if row.role != RaterRole.MACHINE.value:
            raise ValidationError(
                f"{name!r} is a person's name in this project, not a machine rater"
            )
        return row
    check_new_name(session, name)
    row = RaterRow(name=name, initials="MC", role=RaterRole.MACHINE.value)
    session.add(row)
    session.flush()
    return row


# ---- evaluation ---------------------------------------------------------------------------
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
    scheme, _, src, data = _read_training(
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
        units, codes, ratings = _subset(data, train_rows)
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
        corpus = _corpus(session, scheme, parse_session_selection(sessions))
        codes = _source_codes(session, scheme.id, list(humans))
    if len(humans) < 2 or not codes:
        return {}
    per_rater = _dataset(corpus, scheme, codes)
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
