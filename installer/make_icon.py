"""Render installer/rupture-coder.svg to PNG (256 px) with Qt: `python installer/make_icon.py OUT.png`."""

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

app = QGuiApplication(sys.argv[:1])
svg = Path(__file__).with_name("rupture-coder.svg")
out = Path(sys.argv[1]) if len(sys.argv) > 1 else svg.with_suffix(".png")
size = 256
image = QImage(size, size, QImage.Format.Format_ARGB32)
image.fill(Qt.GlobalColor.transparent)
painter = QPainter(image)
QSvgRenderer(str(svg)).render(painter)
painter.end()
if not image.save(str(out)):
    sys.exit(f"could not write {out}")
print(out)
