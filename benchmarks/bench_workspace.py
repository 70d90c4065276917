"""Workspace benchmarks with real widgets (offscreen): opening a long transcript and the
latency of a code hotkey in a project holding 1,000,000 code applications.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_workspace.py [--quick] [--check]

"Hotkey" is measured from the key event to the code being committed in SQLite and every
view that changed repainted (all pending paint events processed), i.e. what the rater
waits for. Half the presses code a text selection (the transcript row repaints), half
toggle a code in the current segment (the grid row repaints).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench_import import WORDS, Figure, hms, report
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtTest import QTest
from sqlalchemy import insert, select

from coder.app import identity, importing, projects, raters
from coder.app.importing import ImportOptions
from coder.store.models import (
    CodeApplicationRow,
    PatientRow,
    RaterRow,
    SchemeRow,
    SessionRow,
)
from coder.ui.launch import application
from coder.ui.main_window import MainWindow

TURNS = 2000


def long_transcript(path: Path, turns: int = TURNS) -> None:
    """A 2,000-turn session (about 3 hours of talk) as T:/P: text with timestamps."""
    rng = random.Random(2000)
    lines = []
    for i in range(turns):
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 60)))
        lines.append(f"[{hms(i * 5)}] {'T' if i % 2 == 0 else 'P'}: {words.capitalize()}.")
    path.write_text("\n".join(lines), encoding="utf-8")


def fill_codes(db: projects.ProjectDatabase, total: int) -> None:
    """Add ``total`` code applications spread over 1,000 other sessions (Core insert)."""
    with db.transaction() as s:
        scheme_id = s.scalar(select(SchemeRow.id).limit(1))
        rater_id = s.scalar(select(RaterRow.id).limit(1))
        patient = PatientRow(code="BULK", attributes={})
        s.add(patient)
        s.flush()
        s.execute(
            insert(SessionRow), [{"patient_id": patient.id, "number": n} for n in range(1000)]
        )
        ids = list(s.scalars(select(SessionRow.id).where(SessionRow.patient_id == patient.id)))
    codes = [f"W{i}" for i in range(1, 8)] + [f"C{i}" for i in range(1, 8)]
    batch = 100_000
    for start in range(0, total, batch):
        rows = [
            {
                "session_id": ids[i % len(ids)],
                "rater_id": rater_id,
                "scheme_id": scheme_id,
                "code_id": codes[i % len(codes)],
                "unit": "segment",
                "unit_index": 1 + i % 12,
                "value": 1,
                "memo": "",
            }
            for i in range(start, min(total, start + batch))
        ]
        with db.transaction() as s:
            s.execute(insert(CodeApplicationRow), rows)


def bench(tmp: Path, opens: int, presses: int, total_codes: int) -> list[Figure]:
    app = application()
    source = tmp / "P01_S1.txt"
    long_transcript(source)
    db = projects.create_project(tmp / "big.sqlite")
    result = importing.import_file(
        db,
        source,
        ImportOptions(
            pattern="{patient}_S{session}", roles=importing.parse_role_map("T=therapist,P=patient")
        ),
    )
    assert result.ok and result.sessions[0].turns == TURNS, result.error
    raters.add_rater(db, "Ada Lovelace", "AL")
    fill_codes(db, total_codes)
    assert projects.counts(db).codes >= total_codes
    coder = identity.sign_in(db, "Ada Lovelace")

    open_times = []
    for _ in range(opens):
        window = MainWindow(db)
        window.set_coder(coder)
        window.resize(1440, 900)
        window.show()
        app.processEvents()
        start = time.perf_counter()
        window.open_session("P01", 1)
        app.processEvents()
        open_times.append((time.perf_counter() - start) * 1000)
        window.close()
        window.deleteLater()
        app.processEvents()

    window = MainWindow(db)
    window.set_coder(coder)
    window.resize(1440, 900)
    window.show()
    window.activateWindow()
    app.processEvents()
    window.open_session("P01", 1)
    app.processEvents()
    latencies = []
    for i in range(presses):
        window.transcript.show_turn(1 + (i * 37) % TURNS)
        app.processEvents()
        editor = window.transcript.editor()
        if i % 2 == 0 and editor is not None and len(editor.toPlainText()) > 8:
            cursor = editor.textCursor()  # a span code: the turn's row must repaint
            cursor.setPosition(0)
            cursor.setPosition(8, QTextCursor.MoveMode.KeepAnchor)
            editor.setTextCursor(cursor)
            editor.setFocus()
        else:
            window.transcript.setFocus()  # no selection: toggle in the current segment
        app.processEvents()
        target = app.focusWidget() or window
        start = time.perf_counter()
        QTest.keyClick(target, "1" if i % 4 < 2 else "2", Qt.KeyboardModifier.NoModifier)
        app.processEvents()  # delivers the pending paints of every view that changed
        latencies.append((time.perf_counter() - start) * 1000)
    stored = len(window.ws.cs.own_codes()) if window.ws else 0
    window.close()
    db.close()
    if stored == 0 and presses:
        raise SystemExit("hotkeys stored nothing: the benchmark did not exercise coding")
    p95 = sorted(latencies)[max(0, int(len(latencies) * 0.95) - 1)]
    return [
        Figure(f"open {TURNS}-turn transcript", open_times, "ms", 300),
        Figure("hotkey -> stored + repainted", latencies, "ms", 16),
        Figure("hotkey p95", [p95], "ms", 50),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions, 100k codes")
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    args = parser.parse_args(argv)
    opens, presses, total = (3, 60, 100_000) if args.quick else (7, 300, 1_000_000)
    with tempfile.TemporaryDirectory(prefix="coder-bench-ui-") as folder:
        figures = bench(Path(folder), opens, presses, total)
    print(f"(project holds {total:,} code applications)")
    report(figures)
    failed = [f.name for f in figures if f.passed is False]
    return 1 if args.check and failed else 0


if __name__ == "__main__":
    sys.exit(main())
