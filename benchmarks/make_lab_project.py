"""A realistic lab-scale project for the benchmarks (issue 15), deterministic and invented.

    .venv/bin/python benchmarks/make_lab_project.py OUT.sqlite [--patients 200] [--sessions 20]
    .venv/bin/python benchmarks/make_lab_project.py --db postgresql+psycopg://...  (empty database)

200 patients x 20 sessions; each session's recording runs about 59 minutes (a 50-minute
therapy hour plus arrival and goodbye, so its 5-minute 3RS-2015 grid has 12 segments) with
240 timed turns of invented filler text (two speakers, roles confirmed). Three raters
(Ada, Ben, Cy) code every session: the 24 presence codes from a shared "truth" with rater
noise (~4.6 per segment), both significance ratings in every segment, the four session
ratings, and 0-2 rupture-resolution episodes per rater and session (2-4 stage events and
the episode rating each, Safran & Muran stages scheme) = about 1,050,000 code
applications. Plus a lead (Lee, passphrase ``lab passphrase``), IIP-32 and SUIP-I intake
numbers for every patient, two coding rounds (1: calibration, unblinded, patients 1-10
sessions 1-2; 2: reliability, open, patients 11-30 session 3) with their assignments, and
each rater's last position. Every fifth presence code quotes 20 characters of a turn of
its segment, every fiftieth has a memo.

Why rows go in with Core ``insert()`` in big batches (one transaction per 10 patients)
rather than through the importer and ``CodingSession``: those would take hours for a
million codes and would time the importer, not the project. The one thing this skips is
the audit trail's entries for the bulk rows (the app would have written one per
transcript and one per code edit); the benchmarks never read the trail.

Seeded (``--seed``, default 15): the same arguments give the same rows, timestamps and
uids. ``cached_project()`` builds the default project once into ``benchmarks/.cache/`` (named
by generator and schema version) and reuses it.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, insert, select, text

from coder.app import identity, intake, projects, raters
from coder.domain.segmentation import time_windows
from coder.store.migrate import head_revision
from coder.store.models import (
    AssignmentRow,
    CodeApplicationRow,
    EpisodeRow,
    PatientRow,
    RaterPositionRow,
    RaterRow,
    RoundRow,
    SchemeRow,
    SegmentationRow,
    SegmentRow,
    SessionRow,
    SpeakerRow,
    TranscriptRow,
    TurnRow,
)

GENERATOR_VERSION = 1  # bump when the rows change, so cached projects are rebuilt
CACHE = Path(__file__).resolve().parent / ".cache"
PATIENTS, SESSIONS, SEGMENTS, TURNS = 200, 20, 12, 240
TURN_SPACING_MS = 14_750  # 240 turns x 14.75 s = 59 min: 12 five-minute windows
RATER_NAMES = (("Ada Lovelace", "AL"), ("Ben Okafor", "BO"), ("Cy Tran", "CT"))
LEAD, LEAD_PASSPHRASE = ("Lee Park", "LP"), "lab passphrase"
WITHDRAWAL = [f"W{i}" for i in range(1, 8)]
CONFRONTATION = [f"C{i}" for i in range(1, 8)]
RESOLUTION = [f"R{i}" for i in range(1, 11)]
# Per-segment prevalence of each presence code in the shared "truth" (sum ~3.8).
PREVALENCE = dict(
    zip(
        WITHDRAWAL + CONFRONTATION + RESOLUTION,
        (
            *(0.30, 0.22, 0.18, 0.25, 0.20, 0.08, 0.12),
            *(0.12, 0.10, 0.08, 0.10, 0.06, 0.05, 0.07),
            *(0.25, 0.20, 0.15, 0.18, 0.12, 0.10, 0.15, 0.12, 0.10, 0.14),
        ),
        strict=True,
    )
)
NOISE = 0.05  # chance a rater differs from the truth on one code in one segment
SESSION_RATINGS = ("G_W", "G_C", "G_TCONTRIB", "G_RESOLVED")
PATHWAYS = {"withdrawal": [f"WS{i}" for i in range(1, 6)], "confrontation": []}
PATHWAYS["confrontation"] = [f"CS{i}" for i in range(1, 6)]
FILLER = (
    "well I think that the week was kind of long and we talked about work again but maybe "
    "it is not the same as before you said something last time about your sister and how "
    "it felt when she called I do not know really it is hard to say what I mean so perhaps "
    "we could stay with that for a moment and notice what comes up now fine sure okay "
    "right whatever tired angry quiet mother job sleep friends weekend plans"
)
WORDS = FILLER.split()
BATCH_PATIENTS = 10
START = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Built:
    target: str
    patients: int
    sessions: int
    turns: int
    codes: int
    episodes: int
    seconds: float


class Generator:
    """Holds the seeded random stream and the ids every batch refers to."""

    def __init__(self, conn: Connection, seed: int, patients: int, sessions: int) -> None:
        self.conn = conn
        self.rng = random.Random(seed)
        self.seed = seed
        self.n_patients, self.n_sessions = patients, sessions
        self.sentences = [self._sentence() for _ in range(3000)]
        self.uid_counter = 0
        self.scheme = dict(conn.execute(select(SchemeRow.key, SchemeRow.id)).all())
        names = [name for name, _ in RATER_NAMES]
        rows = conn.execute(select(RaterRow.name, RaterRow.id).where(RaterRow.name.in_(names)))
        by_name: dict[str, int] = {name: rid for name, rid in rows}
        self.raters = [by_name[name] for name in names]
        self.rounds: dict[int, int] = {}
        self.round_of: dict[tuple[int, int], int] = {}  # (patient no, session no) -> round id
        self.codes = self.turns = self.episodes = 0

    def _sentence(self) -> str:
        words = [self.rng.choice(WORDS) for _ in range(self.rng.randint(4, 16))]
        return " ".join(words).capitalize() + self.rng.choice(".?.,")[0]

    def uid(self) -> str:
        self.uid_counter += 1
        return f"{self.seed:04x}{self.uid_counter:028x}"

    # ---- rounds ----------------------------------------------------------------------
    def make_rounds(self) -> None:
        for number, name, status in ((1, "calibration", "unblinded"), (2, "reliability", "open")):
            self.rounds[number] = self.conn.execute(
                insert(RoundRow).returning(RoundRow.id),
                [{"number": number, "name": name, "status": status, "created_at": START}],
            ).scalar_one()
        for p in range(1, min(10, self.n_patients) + 1):
            for s in (1, 2):
                self.round_of[(p, s)] = self.rounds[1]
        for p in range(11, min(30, self.n_patients) + 1):
            self.round_of[(p, 3)] = self.rounds[2]

    # ---- one batch of patients -------------------------------------------------------
    def batch(self, first: int, last: int) -> None:
        conn, rng = self.conn, self.rng
        patient_rows = [
            {
                "code": f"P{p:03d}",
                "attributes": {
                    "therapist": f"Dr. T{(p - 1) % 12 + 1:02d}",
                    "site": "A" if p % 3 else "B",
                },
            }
            for p in range(first, last + 1)
        ]
        patient_ids = list(
            conn.execute(
                insert(PatientRow).returning(PatientRow.id, sort_by_parameter_order=True),
                patient_rows,
            ).scalars()
        )
        keys = [(p, s) for p in range(first, last + 1) for s in range(1, self.n_sessions + 1)]
        session_rows = [
            {
                "patient_id": patient_ids[p - first],
                "number": s,
                "label": None,
                "date": (START + timedelta(days=7 * (s - 1) + p % 7)).date(),
                "duration_s": TURNS * TURN_SPACING_MS // 1000,
            }
            for p, s in keys
        ]
        session_ids = self._ids(SessionRow, session_rows)
        transcript_ids = self._ids(
            TranscriptRow,
            [
                {
                    "session_id": sid,
                    "source_name": f"P{p:03d}_S{s:02d}.docx",
                    "source_format": "docx",
                    "encoding": None,
                    "content_hash": f"{self.seed:04x}{p:05d}{s:03d}".ljust(64, "0"),
                    "imported_at": self._when(p, s),
                    "warnings": {"import": []},
                }
                for (p, s), sid in zip(keys, session_ids, strict=True)
            ],
        )
        speaker_ids = self._ids(
            SpeakerRow,
            [
                {"transcript_id": tid, "label": label, "role": role, "role_confirmed": True}
                for tid in transcript_ids
                for label, role in (("Therapist", "therapist"), ("Patient", "patient"))
            ],
        )
        turn_rows: list[dict[str, Any]] = []
        segmentations: list[dict[str, Any]] = []
        starts_of: list[list[int]] = []
        texts_of: list[list[str]] = []
        for n, tid in enumerate(transcript_ids):
            starts = [2000 + (i * TURN_SPACING_MS) + rng.randint(0, 4000) for i in range(TURNS)]
            texts = []
            for i in range(TURNS):
                k = rng.randint(1, 4) if i % 2 == 0 else rng.randint(1, 3)
                texts.append(" ".join(rng.choice(self.sentences) for _ in range(k)))
            for i in range(TURNS):
                end = starts[i + 1] - 300 if i + 1 < TURNS else starts[i] + 9000
                turn_rows.append(
                    {
                        "transcript_id": tid,
                        "index": i + 1,
                        "speaker_id": speaker_ids[2 * n + i % 2],
                        "start_ms": starts[i],
                        "end_ms": end,
                        "text": texts[i],
                    }
                )
            starts_of.append(starts)
            texts_of.append(texts)
            segmentations += [
                {"transcript_id": tid, "rule": "time_window:300"},
                {"transcript_id": tid, "rule": "whole_session"},
            ]
        conn.execute(insert(TurnRow), turn_rows)
        self.turns += len(turn_rows)
        segmentation_ids = self._ids(SegmentationRow, segmentations)
        segment_rows: list[dict[str, Any]] = []
        windows_of = []
        for n, starts in enumerate(starts_of):
            windows = time_windows(starts, 300_000, estimated=False)
            assert len(windows) == SEGMENTS, len(windows)
            windows_of.append(windows)
            for w in windows:
                segment_rows.append(
                    {
                        "segmentation_id": segmentation_ids[2 * n],
                        "index": w.index,
                        "kind": w.kind.value,
                        "first_turn": w.first_turn,
                        "last_turn": w.last_turn,
                        "start_ms": w.start_ms,
                        "end_ms": w.end_ms,
                        "estimated": False,
                    }
                )
            segment_rows.append(
                {
                    "segmentation_id": segmentation_ids[2 * n + 1],
                    "index": 1,
                    "kind": "whole_session",
                    "first_turn": 1,
                    "last_turn": TURNS,
                    "start_ms": starts[0],
                    "end_ms": starts[-1] + 9000,
                    "estimated": False,
                }
            )
        segment_ids = self._ids(SegmentRow, segment_rows)
        codes: list[dict[str, Any]] = []
        episodes: list[dict[str, Any]] = []
        episode_codes: list[tuple[int, dict[str, Any]]] = []  # (position in episodes, row)
        for n, ((p, s), sid) in enumerate(zip(keys, session_ids, strict=True)):
            round_id = self.round_of.get((p, s))
            when = self._when(p, s)
            windows = windows_of[n]
            seg_ids = segment_ids[n * (SEGMENTS + 1) : n * (SEGMENTS + 1) + SEGMENTS]
            truth = [
                {c: rng.random() < prevalence for c, prevalence in PREVALENCE.items()}
                for _ in range(SEGMENTS)
            ]
            for rater in self.raters:
                common = {
                    "session_id": sid,
                    "rater_id": rater,
                    "round_id": round_id,
                    "probability": None,
                    "created_at": when,
                    "updated_at": when,
                }
                for w, seg_id, true in zip(windows, seg_ids, truth, strict=True):
                    present = [c for c, t in true.items() if t != (rng.random() < NOISE)]
                    for code in present:
                        quoted = self.codes % 5 == 0
                        turn = rng.randint(w.first_turn, w.last_turn)
                        length = len(texts_of[n][turn - 1])
                        codes.append(
                            common
                            | self._segment_code(code, 1, w.index, seg_id)
                            | {
                                "evidence_turn": turn if quoted else None,
                                "evidence_start": 0 if quoted else None,
                                "evidence_end": min(20, length) if quoted else None,
                                "memo": "check with the video" if self.codes % 50 == 0 else "",
                            }
                        )
                    for rating, family in (("W_SIG", "W"), ("C_SIG", "C")):
                        hit = any(c.startswith(family) for c in present)
                        value = rng.randint(2, 5) if hit else 1
                        codes.append(common | self._segment_code(rating, value, w.index, seg_id))
                for rating in SESSION_RATINGS:
                    codes.append(
                        common | self._code("3rs-2015", rating, "session", 1, rng.randint(1, 5))
                    )
                for index in range(1, rng.choice((0, 1, 1, 2)) + 1):
                    pathway = rng.choice(("withdrawal", "confrontation"))
                    start = rng.randint(1, TURNS - 45)
                    end = start + rng.randint(10, 40)
                    episodes.append(
                        {
                            "session_id": sid,
                            "rater_id": rater,
                            "scheme_id": self.scheme["safran-muran-stages"],
                            "round_id": round_id,
                            "index": index,
                            "pathway_id": pathway,
                            "start_turn": start,
                            "end_turn": end,
                            "memo": "",
                            "created_at": when,
                            "updated_at": when,
                        }
                    )
                    stages = PATHWAYS[pathway][: rng.randint(2, 4)]
                    turns = sorted(rng.sample(range(start, end + 1), len(stages)))
                    for stage, turn in zip(stages, turns, strict=True):
                        length = len(texts_of[n][turn - 1])
                        row = common | self._code("safran-muran-stages", stage, "episode", index, 1)
                        row |= {"evidence_turn": turn, "evidence_start": 0,
                                "evidence_end": min(20, length)}  # fmt: skip
                        episode_codes.append((len(episodes) - 1, row))
                    rating = self._code(
                        "safran-muran-stages", "EP_RESOLVED", "episode", index, rng.randint(0, 2)
                    )
                    episode_codes.append((len(episodes) - 1, common | rating))
        episode_ids = self._ids(EpisodeRow, episodes) if episodes else []
        for position, row in episode_codes:
            row["episode_id"] = episode_ids[position]
            codes.append(row)
        for start in range(0, len(codes), 50_000):
            conn.execute(insert(CodeApplicationRow), codes[start : start + 50_000])
        self.codes += len(codes)
        self.episodes += len(episodes)
        assignments = [
            {"rater_id": r, "session_id": sid, "round_id": self.round_of[key]}
            for key, sid in zip(keys, session_ids, strict=True)
            if key in self.round_of
            for r in self.raters
        ]
        if assignments:
            conn.execute(insert(AssignmentRow), assignments)

    def _segment_code(self, code: str, value: int, index: int, seg_id: int) -> dict[str, Any]:
        return self._code("3rs-2015", code, "segment", index, value) | {"segment_id": seg_id}

    def _code(self, scheme: str, code: str, unit: str, index: int, value: int) -> dict[str, Any]:
        return {
            "uid": self.uid(),
            "scheme_id": self.scheme[scheme],
            "code_id": code,
            "unit": unit,
            "unit_index": index,
            "segment_id": None,
            "episode_id": None,
            "value": value,
            "evidence_turn": None,
            "evidence_start": None,
            "evidence_end": None,
            "memo": "",
        }

    def _ids(self, model: type, rows: list[dict[str, Any]]) -> list[int]:
        table = model.__table__  # type: ignore[attr-defined]
        statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        return list(self.conn.execute(statement, rows).scalars())

    def _when(self, p: int, s: int) -> datetime:
        return START + timedelta(days=7 * (s - 1) + p % 7, hours=3, minutes=p % 60)


def build(
    target: str,
    *,
    is_url: bool = False,
    patients: int = PATIENTS,
    sessions: int = SESSIONS,
    seed: int = 15,
    progress: bool = True,
) -> Built:
    """Create the project at ``target`` (a new file, or an empty database with ``is_url``)."""
    started = time.perf_counter()
    db = projects.create_project(
        target, scheme_ids=("3rs-2015", "safran-muran-stages"), is_url=is_url, name="Lab scale"
    )
    try:
        for name, initials in RATER_NAMES:
            raters.add_rater(db, name, initials)
        identity.add_lead(db, *LEAD, LEAD_PASSPHRASE)
        with db.engine.begin() as conn:
            gen = Generator(conn, seed, patients, sessions)
            gen.make_rounds()
        for first in range(1, patients + 1, BATCH_PATIENTS):
            last = min(patients, first + BATCH_PATIENTS - 1)
            with db.engine.begin() as conn:
                gen.conn = conn
                gen.batch(first, last)
            if progress:
                elapsed = time.perf_counter() - started
                print(f"  patients {last}/{patients}: {gen.codes:,} codes, {elapsed:.0f} s",
                      flush=True)  # fmt: skip
        with db.engine.begin() as conn:
            first_session = conn.execute(select(SessionRow.id).order_by(SessionRow.id)).scalar()
            conn.execute(
                insert(RaterPositionRow),
                [
                    {"rater_id": r, "session_id": first_session, "scheme_key": "3rs-2015",
                     "turn": 1 + 17 * k, "updated_at": START}
                    for k, r in enumerate(gen.raters)
                ],
            )  # fmt: skip
        lead = identity.sign_in(db, LEAD[0], LEAD_PASSPHRASE)
        with tempfile.TemporaryDirectory() as folder:
            table = Path(folder) / "intake.csv"
            write_intake(table, patients, random.Random(seed + 1))
            intake.import_intake_csv(db, lead, table)
        if db.engine.dialect.name == "sqlite":
            with db.engine.connect() as conn:
                conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    finally:
        db.close()
    return Built(
        target, patients, patients * sessions, gen.turns, gen.codes, gen.episodes,
        time.perf_counter() - started,
    )  # fmt: skip


def write_intake(path: Path, patients: int, rng: random.Random) -> None:
    """IIP-32 items (0-4) and SUIP-I levels (1-5) for every patient: numbers only."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["patient", "instrument", "item", "value"])
        for p in range(1, patients + 1):
            for item in range(1, 33):
                writer.writerow([f"P{p:03d}", "IIP-32", item, rng.randint(0, 4)])
            for level in range(1, 7):
                writer.writerow([f"P{p:03d}", "SUIP-I", level, rng.randint(1, 5)])


def cached_project(patients: int = PATIENTS, sessions: int = SESSIONS) -> Path:
    """The default lab project, built once into ``benchmarks/.cache/`` and reused (the
    name carries the generator version and schema revision, so a change rebuilds it)."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"lab-g{GENERATOR_VERSION}-r{head_revision()}-{patients}x{sessions}.sqlite"
    if path.exists():
        return path
    partial = path.with_suffix(".building")
    for stale in CACHE.glob(partial.name + "*"):
        stale.unlink()
    print(f"building {path.name} (once; reused afterwards)", flush=True)
    built = build(str(partial), patients=patients, sessions=sessions)
    for leftover in CACHE.glob(partial.name + "-*"):  # -wal/-shm after a clean close: none
        leftover.unlink()
    partial.rename(path)
    print(f"built {built.codes:,} codes in {built.seconds:.0f} s", flush=True)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, help="new project file")
    parser.add_argument("--db", help="an empty PostgreSQL database URL instead of a file")
    parser.add_argument("--patients", type=int, default=PATIENTS)
    parser.add_argument("--sessions", type=int, default=SESSIONS)
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args(argv)
    if (args.out is None) == (args.db is None):
        parser.error("give a new project file or --db URL (not both)")
    target = args.db or str(args.out)
    built = build(
        target, is_url=args.db is not None, patients=args.patients, sessions=args.sessions,
        seed=args.seed,
    )  # fmt: skip
    print(
        f"{projects.describe(target) if args.db else target}: {built.patients} patients, "
        f"{built.sessions:,} sessions, {built.turns:,} turns, {built.codes:,} code applications, "
        f"{built.episodes:,} episodes in {built.seconds:.0f} s"
    )
    if args.out is not None:
        print(f"file size: {args.out.stat().st_size / 1e6:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
