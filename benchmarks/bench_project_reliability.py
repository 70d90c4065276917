"""The lab lead's full per-code reliability table from a project, end to end.

    .venv/bin/python benchmarks/bench_project_reliability.py [--quick] [--check]

500 sessions x 12 five-minute segments x 3 raters, the 3RS-2015 scheme (24 presence
codes + 2 significance ratings + 4 session ratings = 30 items): time to query the codes,
build every units x raters matrix and compute every statistic (issue target <= 1 s
without bootstrap CIs; also reported with 1,000 resamples per item).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

from bench_import import Figure, report
from sqlalchemy import insert, select

from coder.app import projects, reliability
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

SESSIONS, SEGMENTS, RATERS = 500, 12, 3
PRESENCE = [f"W{i}" for i in range(1, 8)] + [f"C{i}" for i in range(1, 8)]
PRESENCE += [f"R{i}" for i in range(1, 11)]


def build(path: Path) -> projects.ProjectDatabase:
    """Rows written directly (importing 500 transcripts would time the importer instead)."""
    rng = random.Random(500)
    db = projects.create_project(path)
    with db.transaction() as s:
        scheme_id = s.scalar(select(SchemeRow.id))
        raters = []
        for name in ("Ada", "Ben", "Cy"):
            row = RaterRow(name=name, initials=name[:2].upper())
            s.add(row)
            s.flush()
            raters.append(row.id)
        patient = PatientRow(code="BIG", attributes={})
        s.add(patient)
        s.flush()
        codes: list[dict[str, object]] = []
        for number in range(1, SESSIONS + 1):
            session = SessionRow(patient_id=patient.id, number=number)
            s.add(session)
            s.flush()
            transcript = TranscriptRow(session_id=session.id, content_hash=f"{number:064d}")
            s.add(transcript)
            s.flush()
            speaker = SpeakerRow(transcript_id=transcript.id, label="T", role="therapist")
            s.add(speaker)
            s.flush()
            s.execute(
                insert(TurnRow),
                [
                    {
                        "transcript_id": transcript.id,
                        "index": i,
                        "speaker_id": speaker.id,
                        "start_ms": (i - 1) * 300_000,
                        "end_ms": None,
                        "text": "x",
                    }
                    for i in range(1, SEGMENTS + 1)
                ],
            )
            seg = SegmentationRow(transcript_id=transcript.id, rule="time_window:300")
            s.add(seg)
            s.flush()
            s.execute(
                insert(SegmentRow),
                [
                    {
                        "segmentation_id": seg.id,
                        "index": i,
                        "kind": "time_window",
                        "first_turn": i,
                        "last_turn": i,
                        "start_ms": (i - 1) * 300_000,
                        "end_ms": i * 300_000,
                        "estimated": False,
                    }
                    for i in range(1, SEGMENTS + 1)
                ],
            )
            for rater in raters:
                for index in range(1, SEGMENTS + 1):
                    truth = [c for c in PRESENCE if rng.random() < 0.06]
                    seen = [c for c in truth if rng.random() < 0.85]
                    for code in seen:
                        codes.append(
                            {
                                "session_id": session.id,
                                "rater_id": rater,
                                "scheme_id": scheme_id,
                                "code_id": code,
                                "unit": "segment",
                                "unit_index": index,
                                "value": 1,
                                "memo": "",
                            }
                        )
                    for rating in ("W_SIG", "C_SIG"):
                        codes.append(
                            {
                                "session_id": session.id,
                                "rater_id": rater,
                                "scheme_id": scheme_id,
                                "code_id": rating,
                                "unit": "segment",
                                "unit_index": index,
                                "value": rng.randint(1, 5),
                                "memo": "",
                            }
                        )
                for rating in ("G_W", "G_C", "G_TCONTRIB", "G_RESOLVED"):
                    codes.append(
                        {
                            "session_id": session.id,
                            "rater_id": rater,
                            "scheme_id": scheme_id,
                            "code_id": rating,
                            "unit": "session",
                            "unit_index": 1,
                            "value": rng.randint(1, 5),
                            "memo": "",
                        }
                    )
        s.execute(insert(CodeApplicationRow), codes)
    return db


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    args = parser.parse_args(argv)
    reps = 2 if args.quick else 5
    with tempfile.TemporaryDirectory(prefix="coder-bench-irr-") as folder:
        db = build(Path(folder) / "irr.sqlite")
        n_codes = projects.counts(db).codes
        plain, boot = [], []
        for _ in range(reps):
            start = time.perf_counter()
            table = reliability.compute(db, None, bootstrap=0)
            plain.append(time.perf_counter() - start)
        for _ in range(max(1, reps // 2)):
            start = time.perf_counter()
            reliability.compute(db, None, bootstrap=1000)
            boot.append(time.perf_counter() - start)
        db.close()
    items = sum(1 for r in table.rows if r.kind in ("code", "rating", "session rating"))
    print(
        f"({SESSIONS} sessions x {SEGMENTS} segments x {RATERS} raters, {n_codes:,} codes, "
        f"{items} items + families/frequencies = {len(table.rows)} rows)"
    )
    figures = [
        Figure("project table, no CIs", plain, "s", 1.0),
        Figure("project table, 1000-resample CIs", boot, "s"),
    ]
    report(figures)
    return 1 if args.check and any(f.passed is False for f in figures) else 0


if __name__ == "__main__":
    sys.exit(main())
