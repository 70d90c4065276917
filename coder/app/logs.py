"""The error log: where it lives, and the handler that writes it.

An unexpected error in the desktop app must leave a trace the lab's developer can read
after the fact, so every record of the ``coder`` logger (warnings and worse) goes to
``<data folder>/logs/errors.log``, the data folder being the one the demo project uses
(``$CODER_HOME`` overrides it). The stdlib ``RotatingFileHandler`` keeps the file small;
any module that does ``logging.getLogger(__name__).exception(...)`` lands there too,
because every module's logger is a child of ``coder``.

Nothing here imports Qt: the desktop app's exception hook (``coder.ui.error_report``)
uses it, and a command could too.
"""

from __future__ import annotations

import logging
import platform
from logging.handlers import RotatingFileHandler
from pathlib import Path

import coder
from coder.app.demo import data_dir

LOGGER = "coder"
LOG_FILE = "errors.log"
MAX_BYTES = 1_000_000  # about a thousand tracebacks; then errors.log.1 … .3
BACKUPS = 3
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

_handler: RotatingFileHandler | None = None


def log_dir() -> Path:
    """``<data folder>/logs``, created if needed (raises ``OSError`` if it cannot be)."""
    folder = data_dir() / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def log_path() -> Path:
    """The error log file (it may not exist yet: it is created on the first record)."""
    return log_dir() / LOG_FILE


def enable_file_log() -> Path | None:
    """Attach the rotating error-log handler to the ``coder`` logger; return its file.

    Idempotent: a second call keeps the handler unless the data folder changed (tests
    give every test its own ``$CODER_HOME``), then the handler follows it. Returns None
    if the log folder cannot be created (a read-only home): reporting an error must never
    fail because of the log.
    """
    global _handler
    try:
        path = log_path()
    except OSError:
        return None
    if _handler is not None and Path(_handler.baseFilename) == path.resolve():
        return path
    disable_file_log()
    handler = RotatingFileHandler(
        path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8", delay=True
    )
    handler.setLevel(logging.WARNING)
    handler.setFormatter(logging.Formatter(FORMAT))
    logging.getLogger(LOGGER).addHandler(handler)
    _handler = handler
    return path


def disable_file_log() -> None:
    """Detach and close the handler :func:`enable_file_log` attached, if any."""
    global _handler
    if _handler is not None:
        logging.getLogger(LOGGER).removeHandler(_handler)
        _handler.close()
        _handler = None


def environment() -> list[str]:
    """Versions and platform, for an error report: what a developer needs to reproduce a
    problem, and nothing from the project (no names, no transcript text)."""
    return [
        f"Rupture Coder {coder.__version__}",
        f"Python {platform.python_version()} ({platform.python_implementation()})",
        f"Platform {platform.platform()}",
    ]
