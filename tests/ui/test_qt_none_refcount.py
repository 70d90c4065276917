"""Guard for the PySide6 pin (<6.12 in pyproject.toml): PySide6 6.12.0 on Python 3.11
dropped a reference to None each time a Python model's data() returned None, and the
process aborted with "none_dealloc" minutes into a coding session.

The guard provokes that crash itself: a subprocess (so an abort is a failed test, not a
crashed run) calls data() through Qt more times than None has references, so a binding
that drops one reference per call, or even one per twenty calls, takes None's count to
zero and the interpreter aborts. A control run drops the references on purpose
(``Py_DecRef(None)`` in data()) and must abort, which shows the probe can fail here.

Python 3.12 made None immortal (PEP 683): its count never reaches zero, so neither the
bug nor the guard exists there; the tests skip with that reason instead of passing
without checking anything. They run wherever the suite runs on 3.11 (the CI machine's
python3, which ``.ci/run`` and ``make test`` use).
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(
    sys.version_info >= (3, 12),
    reason="None is immortal from Python 3.12 (PEP 683): the none_dealloc crash cannot happen",
)

PROBE = r"""
import ctypes, gc, sys
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtWidgets import QApplication
app = QApplication([])
DROP = sys.argv[1] == "drop"

class Model(QAbstractTableModel):
    def rowCount(self, parent=QModelIndex()):
        return 10
    def columnCount(self, parent=QModelIndex()):
        return 10
    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if DROP:  # the control: what the broken binding did
            ctypes.pythonapi.Py_DecRef(ctypes.py_object(None))
        return None

model = Model()  # kept alive: an index outlives nothing it points into
index = model.index(1, 1)
gc.collect()
before = sys.getrefcount(None)
calls = 20 * before + 100_000
print("calls", calls, flush=True)
for _ in range(calls):
    index.data()  # through QModelIndex::data, i.e. Qt calling the Python override
gc.collect()
print("delta", sys.getrefcount(None) - before, flush=True)
"""


def run_probe(mode: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, "-c", PROBE, mode],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_the_probe_aborts_when_data_drops_a_reference_to_none() -> None:
    result = run_probe("drop")
    assert result.returncode != 0, result.stdout
    assert "none_dealloc" in result.stderr
    assert "delta" not in result.stdout  # it died inside the loop


def test_returning_none_from_a_model_does_not_crash_or_leak_none() -> None:
    result = run_probe("plain")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "none_dealloc" not in result.stderr
    lines = dict(line.split() for line in result.stdout.splitlines())
    assert int(lines["calls"]) > 100_000
    assert int(lines["delta"]) >= 0
