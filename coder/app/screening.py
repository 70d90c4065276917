"""Machine pre-screening: train a model on the lab's own codes, store its suggestions as a
rater of role *machine*, and evaluate it as one more rater (issue 16; docs/screening.md).

Who may do what (decided by :mod:`coder.app.access`, as everywhere):

* training and evaluating read the codes of the chosen source, so a blinded rater may
  train only on their own codes; training from the consensus or from another rater needs
  a lead in a project that has one;
* running a model writes a machine rater's codes, which only a lead may do in a project
  with a lead; the codes are checked like any write (:func:`access.check_editable`: a
  session of a locked round takes none) and are blinded like any rater's.

What the model learns from is read in :mod:`coder.app.screening_corpus`; its evaluation
by cross-validation is :mod:`coder.app.screening_evaluation`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import numpy as np
from sqlalchemy import Table, delete, insert, select
from sqlalchemy.orm import Session as OrmSession

from coder.app import schemes as scheme_service
from coder.app.access import check_editable, project_has_lead, require_lead
from coder.app.identity import ActingRater
from coder.app.raters import check_new_name
from coder.app.screening_corpus import (
    SEGMENT,
    TURN,
    latest_scheme_row,
    read_corpus,
    read_training,
    segment_units,
    turn_units,
)
from coder.domain.errors import CoderError, NotFoundError, ValidationError
from coder.domain.roles import RaterRole
from coder.domain.selectors import parse_session_selection
from coder.io.atomic import write_atomically
from coder.screening import model_file
from coder.screening.model import ScreeningModel, Settings, fit
from coder.store.clock import utcnow
from coder.store.database import ProjectDatabase
from coder.store.models import CodeApplicationRow, RaterRow

Progress = Callable[[int, int, str], None]  # (done, total, what); may raise to cancel


class ModelRefused(CoderError):
    """A model file this project cannot use (damaged, another scheme revision)."""


# ---- training -----------------------------------------------------------------------------
@dataclass(frozen=True)
class TrainResult:
    path: Path
    model_hash: str
    trained: list[dict[str, Any]]  # {"code", "unit", "n_units", "n_positive", "threshold"}
    skipped: list[dict[str, Any]]
    n_sessions: int
    seconds: float


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
    _, row, src, data = read_training(db, actor, source, scheme_key, sessions, "train a model")
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
        row = latest_scheme_row(session, scheme)
        if (row.revision, row.content_hash) != (
            meta_scheme.get("revision"),
            meta_scheme.get("content_hash"),
        ):
            raise ModelRefused(
                f"{model_path}: the model was trained on scheme {key} revision "
                f"{meta_scheme.get('revision')}, but this project's {key} is revision "
                f"{row.revision}: train a model on this revision"
            )
        corpus = read_corpus(session, scheme, wanted)
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
            seg_units = segment_units(turns, segs)
            probs = model.predict({TURN: turn_units(turns), SEGMENT: seg_units})
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
