"""Guard against Qt bindings that lose references to None (PySide6 6.12.0 on Python
3.11 aborted a long coding session with 'none_dealloc'). Runs in a subprocess so a
crash is a test failure, not a crashed test run."""

from __future__ import annotations

import os
import subprocess
import sys

PROBE = r"""
import gc, sys
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtWidgets import QApplication
app = QApplication([])

class Model(QAbstractTableModel):
    def rowCount(self, parent=QModelIndex()):
        return 10
    def columnCount(self, parent=QModelIndex()):
        return 10
    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        return None

model = Model()  # kept alive: an index outlives nothing it points into
index = model.index(1, 1)
gc.collect()
before = sys.getrefcount(None)
for _ in range(300_000):
    index.data()
gc.collect()
print(sys.getrefcount(None) - before)
"""


def test_returning_none_from_a_model_does_not_leak_none_references() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert int(result.stdout.strip().splitlines()[-1]) >= 0
