"""The synthetic projects of the benchmarks, written with Core inserts.

Importing hundreds of transcripts and 100k codes through the app would time the importers
instead of what a benchmark measures, so ``bench_export``, ``bench_package`` and
``bench_project_reliability`` write their rows directly, through this one builder: one
patient, sessions of timed turns cut into five-minute segments (rule
``time_window:300``), and whatever codes each benchmark asks for per session and rater.
What differs between the benchmarks (turn texts, speakers, the codes) is passed in, so
each keeps its own deterministic data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import insert, select

from coder.app import projects
from coder.store.database import ProjectDatabase
from coder.store.models import (
    CodeApplicationRow,
    PatientRow,
    RaterRow,
    SchemeRow,
    SegmentationRow,
    SegmentRow,
    SessionRow,
    SpeakerRow,
    TranscriptRow,
    TurnRow,
)

SEGMENT_MS = 300_000  # five-minute segments
Row = dict[str, object]


@dataclass(frozen=True)
class Shape:
    """How big the project is and what its transcripts look like.

    ``turns`` per session are spread evenly over ``segments``; turn ``i`` starts at
    ``turn_start_ms(i)`` and is spoken by ``speakers[i % len(speakers)]``
    (label, role)."""

    sessions: int
    segments: int
    turns: int
    raters: Sequence[tuple[str, str]]  # (name, initials)
    patient: str
    speakers: Sequence[tuple[str, str]]
    turn_start_ms: Callable[[int], int]


@dataclass(frozen=True)
class Coded:
    """One session as the code maker sees it: ids to put in code rows, and the texts."""

    session_id: int
    scheme_id: int
    rater_id: int
    segment_ids: dict[int, int]  # segment index -> row id
    texts: list[str]  # turn texts, turn 1 first
    turns_per_segment: int


def build(
    path: Path,
    shape: Shape,
    texts: Callable[[], list[str]],
    codes: Callable[[Coded], Iterable[Row]],
) -> ProjectDatabase:
    """Create the project at ``path`` in one transaction and return it open.

    Per session, ``texts()`` gives the turn texts, then ``codes`` is asked once per
    rater (in the order of ``shape.raters``) for that rater's code rows; callers drawing
    from one random generator therefore get the same data on every run."""
    db = projects.create_project(path)
    per = shape.turns // shape.segments
    with db.transaction() as s:
        scheme_id = s.scalar(select(SchemeRow.id).where(SchemeRow.key == "3rs-2015"))
        assert scheme_id is not None
        rater_ids = []
        for name, initials in shape.raters:
            rater = RaterRow(name=name, initials=initials)
            s.add(rater)
            s.flush()
            rater_ids.append(rater.id)
        patient = PatientRow(code=shape.patient, attributes={})
        s.add(patient)
        s.flush()
        rows: list[Row] = []
        for number in range(1, shape.sessions + 1):
            session = SessionRow(patient_id=patient.id, number=number)
            s.add(session)
            s.flush()
            transcript = TranscriptRow(session_id=session.id, content_hash=f"{number:064d}")
            s.add(transcript)
            s.flush()
            speakers = [
                SpeakerRow(transcript_id=transcript.id, label=label, role=role)
                for label, role in shape.speakers
            ]
            s.add_all(speakers)
            s.flush()
            said = texts()
            s.execute(
                insert(TurnRow),
                [
                    {
                        "transcript_id": transcript.id,
                        "index": i,
                        "speaker_id": speakers[i % len(speakers)].id,
                        "start_ms": shape.turn_start_ms(i),
                        "end_ms": None,
                        "text": said[i - 1],
                    }
                    for i in range(1, shape.turns + 1)
                ],
            )
            segmentation = SegmentationRow(transcript_id=transcript.id, rule="time_window:300")
            s.add(segmentation)
            s.flush()
            s.execute(
                insert(SegmentRow),
                [
                    {
                        "segmentation_id": segmentation.id,
                        "index": i,
                        "kind": "time_window",
                        "first_turn": (i - 1) * per + 1,
                        "last_turn": i * per,
                        "start_ms": (i - 1) * SEGMENT_MS,
                        "end_ms": i * SEGMENT_MS,
                        "estimated": False,
                    }
                    for i in range(1, shape.segments + 1)
                ],
            )
            segment_ids = dict(
                s.execute(
                    select(SegmentRow.index, SegmentRow.id).where(
                        SegmentRow.segmentation_id == segmentation.id
                    )
                ).all()
            )
            for rater_id in rater_ids:
                rows += codes(Coded(session.id, scheme_id, rater_id, segment_ids, said, per))
        s.execute(insert(CodeApplicationRow), rows)
    return db
