"""Fixtures for the transcript readers: files are written into tmp_path at test time."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import docx
import pytest
from docx.document import Document

WriteFile = Callable[[str, str | bytes], Path]
MakeDocx = Callable[[Callable[[Document], object]], Path]


@pytest.fixture
def write_file(tmp_path: Path) -> WriteFile:
    """Write text (UTF-8, newlines kept as given) or bytes to ``tmp_path / name``."""

    def write(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        data = content.encode("utf-8") if isinstance(content, str) else content
        path.write_bytes(data)
        return path

    return write


def _docx_bytes(build: Callable[[Document], object]) -> bytes:
    document = docx.Document()
    build(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def docx_bytes() -> Callable[[Callable[[Document], object]], bytes]:
    """The bytes of a .docx built with python-docx (for tests that damage them)."""
    return _docx_bytes


@pytest.fixture
def make_docx(tmp_path: Path) -> MakeDocx:
    """Build a .docx with python-docx: ``make_docx(lambda d: d.add_paragraph("T: hi"))``."""
    counter = iter(range(1, 1000))

    def make(build: Callable[[Document], object]) -> Path:
        path = tmp_path / f"doc{next(counter)}.docx"
        path.write_bytes(_docx_bytes(build))
        return path

    return make
