"""The lab-scale benchmark's start-up and side-by-side figures (issue 15), for
``bench_lab_scale.py``:

* command-line start-up: ``coder --help`` and ``coder info`` on the lab project, each in
  a fresh interpreter (wall time, and CPU = user + system of the child);
* ``coder irr --ratings`` on a 20,000 units x 10 raters table against a script that
  reads the same table with pandas and calls the reference libraries (``krippendorff``'s
  alpha, scikit-learn's Cohen's kappa for every pair of raters), both fresh interpreters;
* import side by side: every transcript format, 400 turns, parse + store into a fresh
  project against two baselines: the *bare read* of the same file by the library a script
  would use (the issue's wording: python-docx for Word, ``csv.reader``, and
  ``read_text().splitlines()`` for subtitles and ``.txt``, which parses nothing), and the
  *script parse*, what a short standard-library script would write to get (time, speaker,
  text) out of this very file (``csv.DictReader`` rows; a regex over the lines of the
  ``.txt``; blocks, a timing regex and ``Name: text`` for ``.srt``/``.vtt``, since neither
  ``srt`` nor ``webvtt-py`` is installed; python-docx again for Word). Every repetition is
  timed on the wall clock and in CPU (process) time; the ratios are given in both, CPU
  being the steadier one on a shared machine.

Child processes run with compiled bytecode (``compileall`` on the package first), as an
installed copy or the bundle does: the shared machine sets ``PYTHONDONTWRITEBYTECODE``,
and compiling every module from source on each start added ~0.5 s.
"""

from __future__ import annotations

import compileall
import csv
import gc
import random
import re
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bench_import import Figure, filler, hms

ROOT = Path(__file__).resolve().parents[1]
TURNS = 400
UNITS, RATERS = 20_000, 10


def child_run(args: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of one fresh interpreter running ``args``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, check=False, cwd=ROOT
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def repeated(args: list[str], reps: int) -> tuple[list[float], list[float]]:
    walls, cpus = [], []
    for _ in range(reps):
        wall, cpu = child_run(args)
        walls.append(wall)
        cpus.append(cpu)
    return walls, cpus


def startup_figures(project: str | None, db_url: str | None, reps: int) -> list[Figure]:
    compileall.compile_dir(ROOT / "coder", quiet=1)
    figures = []
    walls, cpus = repeated(["-m", "coder", "--help"], reps)
    figures += [
        Figure("coder --help (wall)", walls, "s", 0.5),
        Figure("coder --help (CPU)", cpus, "s", 0.5),
    ]
    where = ["--db", db_url] if db_url else ["--project", str(project)]
    child_run(["-m", "coder", "info", *where])  # the day's backup is not start-up
    walls, cpus = repeated(["-m", "coder", "info", *where], reps)
    figures += [
        Figure("coder info, lab project (wall)", walls, "s", 0.5),
        Figure("coder info, lab project (CPU)", cpus, "s", 0.5),
    ]
    return figures


# ---- coder irr --ratings against the reference libraries ------------------------------
REFERENCE = """
import itertools, sys
import krippendorff, pandas as pd
from sklearn.metrics import cohen_kappa_score
table = pd.read_csv(sys.argv[1], index_col=0)
data = table.to_numpy(dtype=float)
print(krippendorff.alpha(reliability_data=data.T, level_of_measurement="nominal"))
kappas = []
for a, b in itertools.combinations(range(data.shape[1]), 2):
    both = ~(pd.isna(data[:, a]) | pd.isna(data[:, b]))
    kappas.append(cohen_kappa_score(data[both, a], data[both, b]))
print(sum(kappas) / len(kappas))
"""


def write_ratings(path: Path) -> None:
    """20,000 units x 10 raters, 0/1 presence with 25 % prevalence, 8 % rater noise and
    3 % missing cells (seeded)."""
    rng = random.Random(20_000)
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["unit", *(f"R{r:02d}" for r in range(1, RATERS + 1))])
        for u in range(UNITS):
            truth = int(rng.random() < 0.25)
            cells = [
                "" if rng.random() < 0.03 else str(truth ^ int(rng.random() < 0.08))
                for _ in range(RATERS)
            ]
            out.writerow([f"U{u:05d}", *cells])


def irr_figures(tmp: Path, reps: int) -> list[Figure]:
    table = tmp / "ratings.csv"
    write_ratings(table)
    script = tmp / "reference.py"
    script.write_text(REFERENCE, encoding="utf-8")
    ours = ["-m", "coder", "irr", "--ratings", str(table), "--level", "nominal"]
    plain_w, plain_c = repeated([*ours, "--bootstrap", "0"], reps)
    ref_w, ref_c = repeated([str(script), str(table)], reps)
    boot_w, boot_c = repeated(ours, max(1, reps // 3))
    ratio = [a / b for a, b in zip(sorted(plain_c), sorted(ref_c), strict=True)]
    return [
        Figure("irr --ratings 20k x 10, no CIs (wall)", plain_w, "s"),
        Figure("irr --ratings 20k x 10, no CIs (CPU)", plain_c, "s"),
        Figure("reference script, same table (wall)", ref_w, "s"),
        Figure("reference script, same table (CPU)", ref_c, "s"),
        Figure("irr --ratings / reference (CPU)", ratio, "x", 1.0),
        Figure("irr --ratings, 1000-resample CIs (CPU)", boot_c, "s"),
        Figure("irr --ratings, 1000-resample CIs (wall)", boot_w, "s"),
    ]


# ---- import side by side --------------------------------------------------------------
def _turns(seed: int) -> list[tuple[int, str, str]]:
    rng = random.Random(seed)
    return [
        (9 * k, ("Therapist", "Client")[k % 2], filler(rng, rng.randint(8, 42)))
        for k in range(TURNS)
    ]


def write_inputs(folder: Path) -> dict[str, Path]:
    """The same 400 invented turns (60 minutes) in every format."""
    from bench_import import build_docx
    from docx import Document

    turns = _turns(400)
    files = {"docx (table)": folder / "P01_S1.docx"}
    build_docx(files["docx (table)"], turns=TURNS)
    doc = Document()
    for _, who, text in turns:
        doc.add_paragraph(f"{who}: {text}")
    files["docx (paragraphs)"] = folder / "P01_S2.docx"
    doc.save(str(files["docx (paragraphs)"]))
    files["txt"] = folder / "P01_S3.txt"
    files["txt"].write_text(
        "".join(f"[{hms(t)}] {who}: {text}\n" for t, who, text in turns), encoding="utf-8"
    )
    files["csv"] = folder / "P01_S4.csv"
    with files["csv"].open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["turn", "speaker", "start", "end", "text"])
        for k, (t, who, text) in enumerate(turns, 1):
            out.writerow([k, who, hms(t), hms(t + 8), text])

    def cue(t: int, sep: str) -> str:
        return f"{hms(t)}{sep}000 --> {hms(t + 8)}{sep}000"

    files["srt"] = folder / "P01_S5.srt"
    files["srt"].write_text(
        "".join(
            f"{k}\n{cue(t, ',')}\n{who}: {text}\n\n" for k, (t, who, text) in enumerate(turns, 1)
        ),
        encoding="utf-8",
    )
    files["vtt"] = folder / "P01_S6.vtt"
    files["vtt"].write_text(
        "WEBVTT\n\n" + "".join(f"{cue(t, '.')}\n{who}: {text}\n\n" for t, who, text in turns),
        encoding="utf-8",
    )
    return files


def bare_read(kind: str, path: Path) -> Callable[[], object]:
    if kind.startswith("docx"):
        from docx import Document

        def docx_read() -> object:
            doc = Document(str(path))
            if kind == "docx (table)":
                return [[cell.text for cell in row.cells] for row in doc.tables[0].rows]
            return [p.text for p in doc.paragraphs]

        return docx_read
    if kind == "csv":

        def csv_read() -> object:
            with path.open(newline="", encoding="utf-8") as handle:
                return list(csv.reader(handle))

        return csv_read
    return lambda: path.read_text(encoding="utf-8").splitlines()


_TXT_LINE = re.compile(r"^\[(\d+):(\d\d):(\d\d)\] ([^:]+): (.*)$")
_CUE_TIME = re.compile(r"(\d+):(\d\d):(\d\d)[,.](\d{3}) --> (\d+):(\d\d):(\d\d)[,.](\d{3})")


def _ms(h: str, m: str, s: str, f: str = "0") -> int:
    return ((int(h) * 60 + int(m)) * 60 + int(s)) * 1000 + int(f)


def script_parse(kind: str, path: Path) -> Callable[[], object]:
    """What a short standard-library script would write for this file (see docstring)."""
    if kind.startswith("docx"):
        return bare_read(kind, path)
    if kind == "csv":

        def csv_rows() -> object:
            with path.open(newline="", encoding="utf-8") as handle:
                return list(csv.DictReader(handle))

        return csv_rows
    if kind == "txt":

        def txt_turns() -> object:
            lines = path.read_text(encoding="utf-8").splitlines()
            found = (_TXT_LINE.match(line) for line in lines)
            return [(_ms(*m.group(1, 2, 3)), m[4], m[5]) for m in found if m]

        return txt_turns

    def cues() -> object:
        out = []
        for block in path.read_text(encoding="utf-8").split("\n\n"):
            lines = block.splitlines()
            timing = next((i for i, line in enumerate(lines) if "-->" in line), None)
            if timing is None:
                continue  # the WEBVTT header
            m = _CUE_TIME.match(lines[timing])
            if m is None:
                continue
            speaker, _, text = " ".join(lines[timing + 1 :]).partition(": ")
            out.append((_ms(*m.group(1, 2, 3, 4)), _ms(*m.group(5, 6, 7, 8)), speaker, text))
        return out

    return cues


def both_clocks(work: Callable[[], object], reps: int) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds of each run of ``work`` (after a full collection)."""
    walls, cpus = [], []
    for _ in range(reps):
        gc.collect()
        start, cpu = time.perf_counter(), time.process_time()
        work()
        walls.append((time.perf_counter() - start) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return walls, cpus


def _ratio(top: list[float], bottom: list[float]) -> list[float]:
    return [a / b for a, b in zip(sorted(top), sorted(bottom), strict=True)]


def import_figures(tmp: Path, reps: int) -> list[Figure]:
    from coder.app import importing, projects
    from coder.app.importing import ImportOptions
    from coder.io.transcripts import read_transcripts

    files = write_inputs(tmp)
    figures = []
    for kind, path in files.items():
        bare, bare_cpu = both_clocks(bare_read(kind, path), reps)
        script, script_cpu = both_clocks(script_parse(kind, path), reps)
        parse, parse_cpu = both_clocks(lambda p=path: read_transcripts(p), reps)
        stored, stored_cpu = [], []
        for k in range(reps):
            db = projects.create_project(tmp / f"import-{path.stem}-{k}.sqlite")
            results: list[importing.FileImport] = []
            wall, cpu = both_clocks(
                lambda d=db, p=path, r=results: r.append(
                    importing.import_file(d, p, ImportOptions(pattern="{patient}_S{session}"))
                ),
                1,
            )
            db.close()
            if not results[0].ok or results[0].sessions[0].turns != TURNS:
                raise SystemExit(f"{path.name} did not import {TURNS} turns: {results[0]}")
            stored += wall
            stored_cpu += cpu
        figures += [
            Figure(f"import {kind}: bare library read", bare, "ms"),
            Figure(f"import {kind}: bare library read (CPU)", bare_cpu, "ms"),
            *(
                []
                if kind.startswith("docx")
                else [
                    Figure(f"import {kind}: script parse", script, "ms"),
                    Figure(f"import {kind}: script parse (CPU)", script_cpu, "ms"),
                ]
            ),
            Figure(f"import {kind}: parse only", parse, "ms"),
            Figure(f"import {kind}: parse only (CPU)", parse_cpu, "ms"),
            Figure(f"import {kind}: parse + store", stored, "ms"),
            Figure(f"import {kind}: parse + store (CPU)", stored_cpu, "ms"),
            Figure(f"import {kind}: parse + store / bare", _ratio(stored, bare), "x", 1.5),
            Figure(
                f"import {kind}: parse + store / bare (CPU)",
                _ratio(stored_cpu, bare_cpu),
                "x",
                1.5,
            ),
        ]
        if not kind.startswith("docx"):
            figures += [
                Figure(f"import {kind}: parse only / script (CPU)", _ratio(parse_cpu, script_cpu),
                       "x"),
                Figure(f"import {kind}: parse + store / script (CPU)",
                       _ratio(stored_cpu, script_cpu), "x", 1.5),
            ]  # fmt: skip
    return figures
