"""Rupture Coder: coding alliance ruptures in psychotherapy transcripts.

The package is layered (see docs/ARCHITECTURE.md): ``ui`` and ``cli`` call ``app``
services, which use ``io``, ``store`` and ``stats``, all of which build on the pure
``domain``. Only ``ui`` may import Qt.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("rupture-coder")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
