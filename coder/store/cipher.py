"""Encryption at rest for SQLite projects, with SQLCipher (optional).

An encrypted project is a SQLite file whose every page, the header included, is
encrypted with a key derived from the project's passphrase (SQLCipher 4: AES-256,
PBKDF2-HMAC-SHA512, an HMAC per page). The driver is the ``sqlcipher3`` module, from the
optional extra ``rupture-coder[encryption]`` (wheels ``sqlcipher3-binary`` on x86-64 and
``sqlcipher3-wheels`` on ARM64, each bundling SQLCipher). Without it, plain projects work
as before and an encrypted one is refused in words.

The key is given as the passphrase itself (``--key-file FILE``, ``$CODER_KEY_FILE``, typed
at a terminal, or asked by the desktop app); it is never stored by the program.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import ModuleType
from typing import Any

from coder.domain.errors import ProjectError, file_error

ENV_KEY_FILE = "CODER_KEY_FILE"
SQLITE_MAGIC = b"SQLite format 3\x00"
INSTALL_HINT = "install the optional encryption support: pip install 'rupture-coder[encryption]'"
KEY_HINT = "give its key with --key-file FILE (or set CODER_KEY_FILE)"


class KeyNeeded(ProjectError):
    """The file looks like an encrypted project and no key was given."""


class WrongKey(ProjectError):
    """The key does not open the file (or the file is not a project at all)."""


def driver() -> ModuleType:
    """The SQLCipher DB-API module, or a ProjectError saying how to install it."""
    try:
        from sqlcipher3 import dbapi2  # type: ignore[import-untyped,unused-ignore]
    except ImportError:
        raise ProjectError(f"encrypted projects need SQLCipher: {INSTALL_HINT}") from None
    module: ModuleType = dbapi2
    return module


def available() -> bool:
    try:
        driver()
    except ProjectError:
        return False
    return True


def errors() -> tuple[type[BaseException], ...]:
    """The driver's exception base class, when it is installed (for ``except``)."""
    try:
        return (driver().Error,)
    except ProjectError:
        return ()


def key_pragma(key: str) -> str:
    """``PRAGMA key='…'`` with the passphrase as a quoted SQL string."""
    if not key:
        raise ProjectError("the encryption key is empty")
    if "\x00" in key:
        raise ProjectError("the encryption key contains a NUL character")
    return "PRAGMA key = '" + key.replace("'", "''") + "'"


def apply_key(dbapi_conn: Any, key: str) -> None:
    """Key a fresh SQLCipher connection: must be the first statement on it. Quiets
    SQLCipher's own logging on stderr (a wrong key is reported by us, in words)."""
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA cipher_log_level = NONE")
    cursor.execute(key_pragma(key))
    cursor.close()


def connect(target: str | Path, key: str, **kwargs: Any) -> Any:
    """A keyed SQLCipher connection (``target`` may be a ``file:…?mode=ro`` URI with
    ``uri=True``)."""
    conn = driver().connect(str(target), **kwargs)
    apply_key(conn, key)
    return conn


def might_be_encrypted(path: Path) -> bool:
    """A file that is not plain SQLite but could be an encrypted project: its header is
    random (the salt) and its size whole pages. Only reads."""
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(len(SQLITE_MAGIC))
    except OSError:
        return False
    return head != SQLITE_MAGIC and size >= 1024 and size % 512 == 0


def is_plain_sqlite(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC
    except OSError:
        return False


def key_from_environment() -> str | None:
    """The key in the file ``$CODER_KEY_FILE`` names (``--key-file`` sets it), if any."""
    name = os.environ.get(ENV_KEY_FILE)
    if not name:
        return None
    path = Path(name).expanduser()
    try:
        return path.read_text(encoding="utf-8").strip("\r\n")
    except OSError as exc:
        raise file_error(exc, path, writing=False, what="key file") from None


def key_for(path: Path, key: str | None) -> str | None:
    """The key to open ``path`` with: ``key``, else the one from the environment, for a
    file that is not plain SQLite; None for a plain one. Refuses, in words, an encrypted
    file without a key. Only reads."""
    if is_plain_sqlite(path) or not path.exists():
        return None
    if not might_be_encrypted(path):
        raise ProjectError("is not a Rupture Coder project (not a SQLite database)", path=path)
    key = key or key_from_environment()
    if not key:
        raise KeyNeeded(f"is encrypted (or is not a SQLite database): {KEY_HINT}", path=path)
    driver()
    return key


def is_wrong_key(exc: BaseException) -> bool:
    """SQLCipher's answer to a wrong key: the first page does not decrypt."""
    return "file is not a database" in str(exc).lower()


def open_file(path: str | Path, key: str | None, *, readonly: bool = False, **kwargs: Any) -> Any:
    """A DB-API connection to a SQLite project file: plain ``sqlite3``, or keyed
    SQLCipher when ``key`` is given. ``readonly`` opens it with ``mode=ro``."""
    import sqlite3

    target: str | Path = f"file:{path}?mode=ro" if readonly else path
    if readonly:
        kwargs["uri"] = True
    if key is None:
        return sqlite3.connect(target, **kwargs)
    return connect(target, key, **kwargs)


def db_errors() -> tuple[type[BaseException], ...]:
    """``sqlite3.Error`` and, when installed, SQLCipher's: for ``except`` clauses."""
    import sqlite3

    return (sqlite3.Error, *errors())
