"""Lab scale (issue 15): the everyday actions on a 200-patient, ~1,000,000-code project.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_lab_scale.py [--quick] [--check]
        [--project FILE | --db URL]

The project is ``make_lab_project.py``'s (built once into ``benchmarks/.cache/``, copied to a
temp folder for each run so the daily backup and the hotkey edits never touch the cache);
``--db URL`` measures a PostgreSQL database filled by ``make_lab_project.py --db URL``
instead (no file size, no cold-start line). Each group of figures runs in a fresh
interpreter so its peak RSS is its own:

* core: open the project (the first open of the day also writes the daily backup: shown
  on its own line), list sessions, open a session for coding (``CodingSession``: turns,
  segments, own codes), a hotkey's store (``CodingSession.toggle_code``, one committed
  transaction; the repaint part is ``bench_workspace.py``'s "hotkey -> stored +
  repainted", measured with real widgets over 1M codes), one patient's profile, the full
  per-code reliability table (no CIs, and once with 1,000 bootstrap resamples);
* export: ``csv-long`` of every code;
* gui: from starting the interpreter to the main window shown with the session list
  filled (``coder gui``'s path: open, sign in, build, show), with its phases, then
  opening a session in it; the package is compiled first (as installed) and the project
  opened once untimed before (the first open of the day backs it up: not start-up);
* startup, irr, import (``lab_startup.py``): ``coder --help`` and ``coder info`` on the
  project, ``coder irr --ratings`` on a 20,000 x 10 table against the reference
  libraries, and every transcript format's import against a bare library read.

``--parts core,gui`` runs some groups only (default: all; with ``--db``, those that use
the database: core, export, startup).

Each line prints median, p95 (nearest rank), min and max; CPU seconds (process time) are
given for the cold start because wall times on a shared machine move with other load.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench_import import Figure
from lab_gui_child import PATIENTS, PHASES, RATER, peak_mb
from lab_startup import import_figures, irr_figures, startup_figures

HERE = Path(__file__).resolve().parent
LEAD, LEAD_PASSPHRASE = "Lee Park", "lab passphrase"
PARTS = ("core", "export", "gui", "startup", "irr", "import")


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, -(-len(ordered) * 95 // 100) - 1)]


def timed_ms(work: Callable[[], object], reps: int) -> list[float]:
    out = []
    for _ in range(reps):
        start = time.perf_counter()
        work()
        out.append((time.perf_counter() - start) * 1000)
    return out


def timed_both(work: Callable[[], object], reps: int) -> tuple[list[float], list[float]]:
    """Wall and CPU (process time) milliseconds of each repetition."""
    walls, cpus = [], []
    for _ in range(reps):
        start, cpu = time.perf_counter(), time.process_time()
        work()
        walls.append((time.perf_counter() - start) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return walls, cpus


# ---- children ------------------------------------------------------------------------
def core_child(target: str, is_url: bool, reps: int) -> dict[str, Any]:
    from coder.app import browse, identity, profiles, projects, reliability
    from coder.app.coding import CodingSession

    def open_close() -> None:
        db = projects.open_project(db_url=target) if is_url else projects.open_project(target)
        db.close()

    result: dict[str, Any] = {"first_open_ms": timed_ms(open_close, 1)}
    result["open_ms"] = timed_ms(open_close, reps)
    db = projects.open_project(db_url=target) if is_url else projects.open_project(target)
    lead = identity.sign_in(db, LEAD, LEAD_PASSPHRASE)
    ada = identity.sign_in(db, RATER)
    summaries: list[Any] = []
    result["list_ms"], result["list_cpu_ms"] = timed_both(
        lambda: summaries.append(browse.session_summaries(db)), reps
    )
    result["sessions"] = len(summaries[-1])
    # Sessions spread over the project, whatever its scale (--patients/--sessions).
    listed = [(s.patient, s.session) for s in summaries[-1]]
    patients = sorted({p for p, _ in listed})
    patients = [p for p in PATIENTS if p in patients] or patients[:: max(1, len(patients) // 6)]
    opened = []
    for k in range(reps):
        start = time.perf_counter()
        cs = CodingSession(db, ada, *listed[(k * 997 + 123) % len(listed)])
        opened.append((time.perf_counter() - start) * 1000)
    result["open_session_ms"] = opened
    result["turns_in_session"] = len(cs.transcript.turns)
    cs = CodingSession(db, ada, *listed[-1])  # the last patient is in no round: codable
    presses = []
    for k in range(reps * 10):
        code, segment = ("W1", "C2", "R3", "W5")[k % 4], 1 + k % 12
        start = time.perf_counter()
        cs.toggle_code(code, segment)
        presses.append((time.perf_counter() - start) * 1000)
    result["hotkey_ms"] = presses
    profile_times = [
        timed_both(lambda p=p: profiles.build_report(db, p, rater=RATER, coder=lead), 1)
        for p in (patients * reps)[:reps]
    ]
    result["profile_ms"] = [w[0] for w, _ in profile_times]
    result["profile_cpu_ms"] = [c[0] for _, c in profile_times]
    tables: list[Any] = []
    walls, cpus = timed_both(
        lambda: tables.append(reliability.compute(db, lead, bootstrap=0)), max(1, reps // 3)
    )
    result["irr_s"], result["irr_cpu_s"] = [t / 1000 for t in walls], [t / 1000 for t in cpus]
    result["irr_rows"] = len(tables[-1].rows)
    result["irr_boot_s"] = [
        t / 1000 for t in timed_ms(lambda: reliability.compute(db, lead, bootstrap=1000), 1)
    ]
    result["codes"] = projects.counts(db).codes
    db.close()
    result["peak_mb"] = peak_mb()
    return result


def export_child(target: str, is_url: bool, out: str) -> dict[str, Any]:
    from coder.app import export, identity, projects

    db = projects.open_project(db_url=target) if is_url else projects.open_project(target)
    lead = identity.sign_in(db, LEAD, LEAD_PASSPHRASE)  # the project has a lead: say who
    options = export.ExportOptions(format=export.ExportFormat("csv-long"))
    start, cpu = time.perf_counter(), time.process_time()
    done = export.export(db, Path(out), options, lead)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    db.close()
    return {"export_s": seconds, "export_cpu_s": cpu, "rows": done.rows, "peak_mb": peak_mb()}


def gui_figures(gui: list[dict[str, Any]]) -> list[Figure]:
    figures = [
        Figure("cold start to usable window (wall)", [g["cold_s"] for g in gui], "s", 1.5),
        Figure("cold start to usable window (CPU)", [g["cold_cpu_s"] for g in gui], "s"),
    ]
    for k, phase in enumerate(PHASES):
        figures.append(Figure(f"  {phase} (wall)", [g["phases"][k][0] for g in gui], "s"))
        figures.append(Figure(f"  {phase} (CPU)", [g["phases"][k][1] for g in gui], "s"))
    opens = [v for g in gui for v in g["gui_open_ms"]]
    return [*figures, Figure("open a session in the window", opens, "ms", 300)]


def projects_open_once(target: str) -> None:
    """Open and close the project in a child (the first open of the day backs it up)."""
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from coder.app import projects; "
         "projects.open_project(sys.argv[1]).close()", target],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"opening {target} failed:\n{done.stderr}")


def run_child(kind: str, *args: str) -> dict[str, Any]:
    # The cold start runs in a script that imports only what `coder gui` does (this one
    # imports the import benchmark's python-docx and importers).
    script = str(HERE / "lab_gui_child.py") if kind == "gui" else __file__
    spawned = time.time()
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    done = subprocess.run(
        [sys.executable, script, "--child", kind, str(spawned), *args],
        capture_output=True, text=True, check=False, env=env,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"{kind} child failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# ---- report --------------------------------------------------------------------------
def report(figures: list[Figure]) -> None:
    width = max([34, *(len(f.name) for f in figures)])
    columns = ("median", "p95", "min", "max")
    head = f"{'benchmark':<{width}} {'n':>3} " + " ".join(f"{c:>10}" for c in columns)
    head += f" {'target':>12}  result"
    print(head)
    print("-" * len(head))
    for f in figures:
        cells = [statistics.median(f.values), p95(f.values), min(f.values), max(f.values)]
        shown = [f"{v:.2f} s" if f.unit == "s" else f"{v:.1f} {f.unit}" for v in cells]
        target = "-" if f.target is None else f"<= {f.target:g} {f.unit}"
        verdict = {None: "(report)", True: "PASS", False: "FAIL"}[f.passed]
        print(
            f"{f.name:<{width}} {len(f.values):>3} "
            + " ".join(f"{s:>10}" for s in shown)
            + f" {target:>12}  {verdict}"
        )


def core_figures(core: dict[str, Any]) -> list[Figure]:
    return [
        Figure("open project, first of the day (+backup)", core["first_open_ms"], "ms"),
        Figure("open project", core["open_ms"], "ms", 1000),
        Figure("list sessions", core["list_ms"], "ms", 100),
        Figure("list sessions (CPU)", core["list_cpu_ms"], "ms", 100),
        Figure("open a session for coding (service)", core["open_session_ms"], "ms", 300),
        Figure("hotkey -> stored (toggle_code)", core["hotkey_ms"], "ms", 16),
        Figure("one patient's profile", core["profile_ms"], "ms", 200),
        Figure("one patient's profile (CPU)", core["profile_cpu_ms"], "ms", 200),
        Figure("reliability table, no CIs", core["irr_s"], "s", 3),
        Figure("reliability table, no CIs (CPU)", core["irr_cpu_s"], "s", 3),
        Figure("reliability table, 1000 resamples", core["irr_boot_s"], "s"),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    parser.add_argument("--project", type=Path, help="a lab project file (default: the cache)")
    parser.add_argument("--db", help="a PostgreSQL database filled by make_lab_project.py --db")
    parser.add_argument("--parts", help=f"comma-separated groups of {','.join(PARTS)}")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        kind, _spawned, *rest = args.child
        if kind == "core":
            data = core_child(rest[0], rest[1] == "url", int(rest[2]))
        else:
            data = export_child(rest[0], rest[1] == "url", rest[2])
        print(json.dumps(data))
        return 0
    reps = 3 if args.quick else 9
    parts = set(args.parts.split(",") if args.parts else PARTS)
    if args.db:
        parts -= {"gui", "irr", "import"}
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="coder-bench-lab-") as folder:
        tmp = Path(folder)
        if args.db:
            target, kind, size = args.db, "url", None
        elif not parts & {"core", "export", "gui", "startup"}:
            target, kind, size = "", "file", None  # irr and import need no lab project
        else:
            from make_lab_project import cached_project

            source = args.project or cached_project()
            project = tmp / "lab.sqlite"
            shutil.copyfile(source, project)
            target, kind, size = str(project), "file", project.stat().st_size / 1e6
        if "core" in parts:
            core = run_child("core", target, kind, str(reps))
            print(
                f"({core['sessions']:,} sessions, {core['codes']:,} code applications, "
                f"{core['turns_in_session']} turns per session; "
                + (f"file {size:,.0f} MB" if size else "PostgreSQL")
                + f"; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)",
                flush=True,
            )
            figures += core_figures(core)
        exports = [
            run_child("export", target, kind, str(tmp / f"long{k}.csv"))
            for k in range(0 if "export" not in parts else 1 if args.quick else 3)
        ]
        if exports:
            figures += [
                Figure("csv-long export, all codes", [e["export_s"] for e in exports], "s", 5),
                Figure("csv-long export (CPU)", [e["export_cpu_s"] for e in exports], "s", 5),
            ]
        if "gui" in parts:  # compiled, as installed; the day's backup is not start-up
            compileall.compile_dir(HERE.parent / "coder", quiet=1)
            projects_open_once(target)
        gui = [run_child("gui", target, str(reps)) for _ in range(3 if "gui" in parts else 0)]
        if gui:
            figures += gui_figures(gui)
        if "startup" in parts:
            figures += startup_figures(None if args.db else target, args.db, reps)
        if "irr" in parts:
            figures += irr_figures(tmp, reps)
        if "import" in parts:
            figures += import_figures(tmp, reps)
    peaks = [
        *([core["peak_mb"]] if "core" in parts else []),
        *(e["peak_mb"] for e in exports),
        *(g["peak_mb"] for g in gui),
    ]
    if peaks:
        figures.append(Figure("peak RSS, largest process", [max(peaks)], "MB", 1024))
    if size:
        figures.append(Figure("database file size", [size], "MB"))
    report(figures)
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    failed = [f.name for f in figures if f.passed is False]
    return 1 if args.check and failed else 0


if __name__ == "__main__":
    sys.exit(main())
