"""Import benchmarks: docx session, AnnoMI CSV (time + peak RSS), 100k-row codes table.

    .venv/bin/python benchmarks/bench_import.py [--quick] [--check]

Every figure times the real app services on a real SQLite project in a temp folder; all
inputs except AnnoMI are generated here from deterministic invented filler text.
Prints median/min/max per figure; ``--check`` exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TypeVar

from docx import Document

from coder.app import codes, importing, projects
from coder.app.importing import ImportOptions
from coder.io.transcripts import ReadOptions, read_transcripts

ANNOMI = Path(__file__).resolve().parents[2] / "shared/data/annomi/AnnoMI-simple.csv"
ANNOMI_COLUMNS = {
    "session": "transcript_id",
    "speaker": "interlocutor",
    "start": "timestamp",
    "text": "utterance_text",
}
ANNOMI_SESSIONS = 133
FILLER = (
    "well I think that the week was kind of long and we talked about work again but "
    "maybe it is not the same as before you said something last time about your sister "
    "and how it felt when she called I do not know really it is hard to say what I mean "
    "so perhaps we could stay with that for a moment and notice what comes up now"
)
WORDS = FILLER.split()
PRESENCE = [f"W{i}" for i in range(1, 8)] + [f"C{i}" for i in range(1, 8)]
PRESENCE += [f"R{i}" for i in range(1, 11)]
T = TypeVar("T")
CODE_ROWS, CODE_SESSIONS, CODE_SEGMENTS = 100_000, 50, 12


@dataclass
class Figure:
    name: str
    values: list[float]
    unit: str
    target: float | None = None  # an upper bound in ``unit``

    @property
    def passed(self) -> bool | None:
        return None if self.target is None else statistics.median(self.values) <= self.target


def hms(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def filler(rng: random.Random, n_words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(n_words))
    return text[0].upper() + text[1:] + "."


def timed(work: Callable[[], T]) -> tuple[float, T]:
    """Seconds taken by ``work()`` (after a full GC, so garbage of earlier runs is not
    charged to it) and its result."""
    gc.collect()
    start = time.perf_counter()
    result = work()
    return time.perf_counter() - start, result


def checked(result: importing.FileImport, sessions: int) -> importing.FileImport:
    if not result.ok or len(result.sessions) != sessions:
        raise SystemExit(f"benchmark input did not import cleanly: {result.error or result}")
    return result


# ---- 1. one 60-minute docx session --------------------------------------------------------
def build_docx(path: Path, turns: int = 400, words: int = 10_000) -> None:
    rng = random.Random(2015)
    doc = Document()
    table = doc.add_table(rows=1, cols=3)
    for cell, title in zip(table.rows[0].cells, ("Time", "Speaker", "Text"), strict=True):
        cell.text = title
    for i in range(turns):
        cells = table.add_row().cells
        cells[0].text = hms(i * 3600 // turns + 2)
        cells[1].text = "Therapist" if i % 2 == 0 else "Client"
        cells[2].text = filler(rng, words // turns + rng.randint(-10, 10))
    doc.save(str(path))


def bench_docx(tmp: Path, reps: int) -> list[Figure]:
    source = tmp / "session60.docx"
    build_docx(source)
    options = ImportOptions(patient="P01", session=1)
    parse = [timed(partial(read_transcripts, source, options.read))[0] for _ in range(reps)]
    full: list[float] = []
    for rep in range(reps):
        db = projects.create_project(tmp / f"docx{rep}.sqlite")
        seconds, result = timed(partial(importing.import_file, db, source, options))
        full.append(seconds)
        checked(result, 1)
        db.close()
    return [
        Figure("docx 60 min: parse + store", [t * 1000 for t in full], "ms", 150),
        Figure("docx 60 min: parse only", [t * 1000 for t in parse], "ms"),
    ]


# ---- 2. AnnoMI: 133 transcripts in one CSV, in a fresh process ---------------------------
def annomi_child(folder: Path) -> None:
    """Run in a fresh interpreter: print one JSON line with time and peak RSS (KiB)."""
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    db = projects.create_project(folder / "annomi.sqlite")
    options = ImportOptions(patient="ANNOMI", read=ReadOptions(columns=ANNOMI_COLUMNS))
    seconds, result = timed(partial(importing.import_file, db, ANNOMI, options))
    checked(result, ANNOMI_SESSIONS)
    db.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "baseline_kib": baseline, "peak_kib": peak}))


def bench_annomi(tmp: Path, reps: int) -> list[Figure]:
    if not ANNOMI.is_file():
        print(f"skipped: AnnoMI benchmark, {ANNOMI} not found")
        return []
    runs: list[dict[str, float]] = []
    for rep in range(reps):
        folder = tmp / f"annomi{rep}"
        folder.mkdir()
        child = subprocess.run(
            [sys.executable, __file__, "--annomi-child", str(folder)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if child.returncode != 0:
            raise SystemExit(f"AnnoMI child failed:\n{child.stderr}")
        runs.append(json.loads(child.stdout.strip().splitlines()[-1]))
    peak = [r["peak_kib"] * 1024 / 1e6 for r in runs]  # ru_maxrss is KiB on Linux; MB = 10^6 B
    base = [r["baseline_kib"] * 1024 / 1e6 for r in runs]
    added = [p - b for p, b in zip(peak, base, strict=True)]
    return [
        Figure("AnnoMI 133 sessions: import", [r["seconds"] for r in runs], "s", 5),
        Figure("AnnoMI: child peak RSS", peak, "MB", 300),
        Figure("AnnoMI: child RSS after imports", base, "MB"),
        Figure("AnnoMI: RSS added by import", added, "MB"),
    ]


# ---- 3. 100k-row codes table ---------------------------------------------------------------
def build_codes_project(tmp: Path) -> Path:
    """50 one-hour sessions with a turn every 30 s: 12 five-minute segments each."""
    path = tmp / "codes-base.sqlite"
    db = projects.create_project(path)
    rng = random.Random(2022)
    for number in range(1, CODE_SESSIONS + 1):
        source = tmp / f"S{number}.txt"
        lines = [
            f"[{hms(5 + 30 * i)}] {'T' if i % 2 == 0 else 'P'}: {filler(rng, 12)}"
            for i in range(120)
        ]
        source.write_text("\n".join(lines) + "\n", encoding="utf-8")
        options = ImportOptions(patient="P01", session=number)
        checked(importing.import_file(db, source, options), 1)
    db.close()
    return path


def build_codes_csv(path: Path) -> None:
    rng = random.Random(3)
    rows = ["patient,session,rater,code,unit,unit_index,value"]
    for rater in (f"Rater {chr(65 + r)}" for r in range(8)):
        for session in range(1, CODE_SESSIONS + 1):
            for segment in range(1, CODE_SEGMENTS + 1):
                for code in PRESENCE:
                    rows.append(f"P01,{session},{rater},{code},segment,{segment},1")
                for rating in ("W_SIG", "C_SIG"):
                    rows.append(f"P01,{session},{rater},{rating},segment,{segment},"
                                f"{rng.randint(1, 5)}")  # fmt: skip
    path.write_text("\n".join(rows[: CODE_ROWS + 1]) + "\n", encoding="utf-8")


def bench_codes(tmp: Path, reps: int) -> list[Figure]:
    base = build_codes_project(tmp)
    table = tmp / "codes100k.csv"
    build_codes_csv(table)
    imports: list[float] = []
    exports: list[float] = []
    for rep in range(reps):
        copy = tmp / f"codes{rep}.sqlite"
        shutil.copyfile(base, copy)
        db = projects.open_project(copy)
        seconds, stored = timed(partial(codes.import_codes, db, table, create_raters=True))
        imports.append(seconds)
        _expect_rows(stored.rows)
        out = tmp / f"export{rep}.csv"
        seconds, written = timed(partial(codes.export_codes, db, out))
        exports.append(seconds)
        _expect_rows(written)
        db.close()
    return [
        Figure("codes CSV 100k rows: import", imports, "s", 3),
        Figure("codes 100k rows: export", exports, "s"),
    ]


def _expect_rows(n: int) -> None:
    if n != CODE_ROWS:
        raise SystemExit(f"expected {CODE_ROWS} code rows, got {n}")


# ---- report ----------------------------------------------------------------------------------
def report(figures: list[Figure]) -> None:
    """The table every benchmark prints (the name column fits the longest name)."""
    width = max([34, *(len(f.name) for f in figures)])
    columns = ("median", "min", "max")
    head = f"{'benchmark':<{width}} {'n':>2} " + " ".join(f"{c:>10}" for c in columns)
    head += f" {'target':>11}  result"
    print(head)
    print("-" * len(head))
    for f in figures:
        cells = [statistics.median(f.values), min(f.values), max(f.values)]
        shown = [f"{v:.2f} s" if f.unit == "s" else f"{v:.1f} {f.unit}" for v in cells]
        target = "-" if f.target is None else f"<= {f.target:g} {f.unit}"
        verdict = {None: "(report)", True: "PASS", False: "FAIL"}[f.passed]
        print(
            f"{f.name:<{width}} {len(f.values):>2} {shown[0]:>10} {shown[1]:>10} {shown[2]:>10} "
            f"{target:>11}  {verdict}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    parser.add_argument("--annomi-child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.annomi_child is not None:
        annomi_child(args.annomi_child)
        return 0
    few, many = (1, 3) if args.quick else (3, 7)
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="coder-bench-") as folder:
        tmp = Path(folder)
        figures += bench_docx(tmp, many)
        figures += bench_annomi(tmp, few)
        figures += bench_codes(tmp, few)
    report(figures)
    failed = [f.name for f in figures if f.passed is False]
    return 1 if args.check and failed else 0


if __name__ == "__main__":
    sys.exit(main())
