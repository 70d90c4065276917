"""What a screening model learns from: the project's transcripts and one source's codes
as labelled units (shared by training, running and evaluating; docs/screening.md).

Units: a code whose stored applications mostly point at a turn (a text span, or
``unit=turn``) is learnt on turns (a turn is positive when the rater's code touches it);
any other presence code on the scheme's segments (text = the segment's turns).
Segment ratings are learnt as ordinal values on the segments the rater rated
(:class:`coder.screening.model.RatingModel`). A session counts as coded by a rater when
the rater has any code of the scheme in it; then all its units are that rater's examples.

Whose codes may be the labels is decided here (:func:`label_source`) through
:mod:`coder.app.access`: a blinded rater may learn only from their own codes; the
consensus or another rater's codes need a lead in a project that has one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from coder.app import schemes as scheme_service
from coder.app.access import (
    NotAllowed,
    project_has_lead,
    require_identity,
    require_lead,
    visible_rater_ids,
)
from coder.app.browse import scheme_segments
from coder.app.identity import ActingRater
from coder.app.raters import check_spelling, exact_names
from coder.domain.errors import NotFoundError, ValidationError
from coder.domain.roles import RaterRole
from coder.domain.scheme import Scheme, Scope
from coder.domain.selectors import SessionSelection, parse_session_selection
from coder.screening.model import CodeData, RatingData, UnitText
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


# ---- reading the project ------------------------------------------------------------------
@dataclass
class Corpus:
    """Turns ``(index, role, text)`` and segments ``(index, first, last)`` per session."""

    turns: dict[SessionKey, list[tuple[int, str, str]]]
    segments: dict[SessionKey, list[tuple[int, int, int]]]
    session_ids: dict[SessionKey, int]
    segment_ids: dict[tuple[SessionKey, int], int] = field(default_factory=dict)


def read_corpus(session: OrmSession, scheme: Scheme, wanted: SessionSelection | None) -> Corpus:
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


def turn_units(turns: list[tuple[int, str, str]]) -> list[UnitText]:
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


def segment_units(
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


def label_source(session: OrmSession, actor: ActingRater | None, source: str, what: str) -> Source:
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


def source_codes(
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


def build_dataset(corpus: Corpus, scheme: Scheme, codes: list[tuple[Any, ...]]) -> Dataset:
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
            units[TURN] += turn_units(turns)
            keys[TURN] += [(rid, key[0], key[1], t[0]) for t in turns]
            units[SEGMENT] += segment_units(turns, segs)
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


def subset(
    data: Dataset, kind_rows: dict[str, np.ndarray]
) -> tuple[dict[str, list[UnitText]], list[CodeData], list[RatingData]]:
    units = {k: [data.units[k][i] for i in kind_rows[k]] for k in data.units}
    codes = [CodeData(c.code, c.unit, c.labels[kind_rows[c.unit]]) for c in data.codes]
    ratings = [RatingData(r.rating, r.unit, r.values[kind_rows[r.unit]]) for r in data.ratings]
    return units, codes, ratings


def latest_scheme_row(session: OrmSession, scheme: Scheme) -> SchemeRow:
    row = session.scalar(
        select(SchemeRow)
        .where(SchemeRow.key == scheme.id)
        .order_by(SchemeRow.revision.desc())
        .limit(1)
    )
    if row is None:
        raise NotFoundError(f"the project has no scheme {scheme.id!r}")
    return row


def read_training(
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
        src = label_source(session, actor, source, what)
        row = latest_scheme_row(session, scheme)
        corpus = read_corpus(session, scheme, wanted)
        codes = source_codes(session, scheme.id, list(src.rater_ids))
    codes = [c for c in codes if (c[0], c[1]) in corpus.turns]
    if not codes:
        raise NotFoundError(
            f"{src.label} has no codes of scheme {scheme.id}"
            + (" in the chosen sessions" if wanted else "")
        )
    return scheme, row, src, build_dataset(corpus, scheme, codes)
