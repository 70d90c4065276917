"""Rupture Coder: coding alliance ruptures in psychotherapy transcripts.

The package is layered (see docs/ARCHITECTURE.md): ``ui`` and ``cli`` call ``app``
services, which use ``io``, ``store`` and ``stats``, all of which build on the pure
``domain``. Only ``ui`` may import Qt.
"""

from __future__ import annotations

from functools import cache


@cache
def _version() -> str:
    # importlib.metadata scans the installed distributions (tens of ms at start-up), so it
    # is asked only when something reads ``coder.__version__`` (tests/test_cli_startup.py).
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("rupture-coder")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0.0.0+source"


def __getattr__(name: str) -> str:
    if name == "__version__":
        return _version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
