"""Encryption at rest (SQLCipher, the optional [encryption] extra): create, close, reopen
with the key; a wrong or missing key is refused in words and changes nothing; backups,
restores and migrations keep working, their copies encrypted with the same key."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine

from coder.app import projects, raters
from coder.cli import cli
from coder.domain.errors import ProjectError
from coder.store import backups, cipher, migrate
from coder.store.database import ProjectDatabase, make_engine, sqlite_url

pytestmark = [
    pytest.mark.skipif(
        not cipher.available(),
        reason="SQLCipher is not installed (pip install 'rupture-coder[encryption]')",
    ),
    # Encryption at rest is of project files (SQLCipher); a server's data is protected
    # by its TLS and disk encryption (docs/security.md).
    pytest.mark.sqlite_only,
]
KEY = "a long lab passphrase ' with a quote"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def files_beside(path: Path) -> set[str]:
    return {p.name for p in path.parent.rglob("*")}


@pytest.fixture
def encrypted(tmp_path: Path) -> Path:
    path = tmp_path / "secret.sqlite"
    with projects.create_project(path, key=KEY) as db:
        raters.add_rater(db, "Ada", "AL")
    return path


def test_create_close_reopen_with_the_key(encrypted: Path) -> None:
    head = encrypted.read_bytes()[:16]
    assert head != cipher.SQLITE_MAGIC and b"SQLite" not in encrypted.read_bytes()
    assert b"Ada" not in encrypted.read_bytes()  # names are not readable in the file
    with projects.open_project(encrypted, key=KEY) as db:
        assert db.encrypted and KEY not in repr(db)
        assert [r.name for r in raters.list_raters(db)] == ["Ada"]
        raters.add_rater(db, "Ben", "BO")
    with projects.open_project(encrypted, key=KEY) as db:
        assert [r.name for r in raters.list_raters(db)] == ["Ada", "Ben"]


@pytest.mark.parametrize("key", [None, "not the key at all"])
def test_a_missing_or_wrong_key_is_refused_and_nothing_is_written(
    encrypted: Path, key: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(cipher.ENV_KEY_FILE, raising=False)
    with projects.open_project(encrypted, key=KEY):
        pass  # today's automatic backup exists: a refused open must not add one
    before, listing = digest(encrypted), files_beside(encrypted)
    with pytest.raises(ProjectError) as refused:
        projects.open_project(encrypted, key=key)
    message = str(refused.value)
    assert str(encrypted) in message
    if key is None:
        assert isinstance(refused.value, cipher.KeyNeeded)
        assert "encrypted" in message and "--key-file" in message
    else:
        assert isinstance(refused.value, cipher.WrongKey)
        assert "wrong key or not a Rupture Coder project" in message
    assert digest(encrypted) == before and files_beside(encrypted) == listing


def test_the_key_from_coder_key_file(
    encrypted: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key_file = tmp_path / "key.txt"
    key_file.write_text(KEY + "\n", encoding="utf-8")
    monkeypatch.setenv(cipher.ENV_KEY_FILE, str(key_file))
    with projects.open_project(encrypted) as db:
        assert db.encrypted


def test_plain_files_are_still_told_apart(tmp_path: Path) -> None:
    junk = tmp_path / "junk.sqlite"
    junk.write_text("not a database at all")
    with pytest.raises(ProjectError, match="not a SQLite database"):
        projects.open_project(junk, key=KEY)
    plain = tmp_path / "plain.sqlite"
    projects.create_project(plain).close()
    with projects.open_project(plain, key=KEY) as db:  # a key for a plain file: unused
        assert not db.encrypted


def test_backups_are_encrypted_copies(encrypted: Path, tmp_path: Path) -> None:
    with projects.open_project(encrypted, key=KEY):
        pass
    (auto,) = backups.auto_backups(encrypted)
    manual = projects.backup(encrypted, tmp_path / "manual.sqlite", key=KEY)
    for copy in (auto, manual):
        assert not cipher.is_plain_sqlite(copy)
        assert backups.check_backup(copy, key=KEY) == migrate.head_revision()
        with pytest.raises(cipher.WrongKey):
            backups.check_backup(copy, key="wrong wrong wrong")
    with projects.open_project(encrypted, key=KEY) as db:
        raters.add_rater(db, "Cleo", "CL")
    kept = projects.restore(encrypted, manual, key=KEY)
    assert not cipher.is_plain_sqlite(kept)
    with projects.open_project(encrypted, key=KEY) as db:
        assert [r.name for r in raters.list_raters(db)] == ["Ada"]
    plain = tmp_path / "plain.sqlite"
    projects.create_project(plain).close()
    with pytest.raises(ProjectError, match="project is encrypted and the backup is not"):
        projects.restore(encrypted, projects.backup(plain), key=KEY)


def test_an_old_encrypted_project_is_upgraded_after_an_encrypted_backup(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    engine = make_engine(sqlite_url(path), KEY)
    migrate.upgrade(engine, None, target="0005")
    engine.dispose()
    with ProjectDatabase.open(sqlite_url(path), key=KEY) as db:
        assert migrate.current_revision(db.engine) == migrate.head_revision()
        assert db.backup_path is not None
        before_upgrade = db.backup_path
    assert not cipher.is_plain_sqlite(before_upgrade)
    with pytest.raises(Exception, match="file is not a database"):
        plain = create_engine(sqlite_url(before_upgrade))
        with plain.connect() as conn:
            conn.exec_driver_sql("SELECT * FROM sqlite_master").fetchall()
    check = make_engine(sqlite_url(before_upgrade), KEY)
    assert migrate.current_revision(check) == "0005"
    check.dispose()


def test_cli_init_encrypt_and_key_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(cipher.ENV_KEY_FILE, raising=False)
    runner = CliRunner()
    path, key_file = tmp_path / "study.sqlite", tmp_path / "key.txt"
    key_file.write_text(KEY + "\n", encoding="utf-8")
    made = runner.invoke(cli, ["init", str(path), "--encrypt", "--passphrase-file", str(key_file)])
    assert made.exit_code == 0, made.output
    assert "(encrypted)" in made.output and not cipher.is_plain_sqlite(path)
    info = runner.invoke(cli, ["info", "--project", str(path), "--key-file", str(key_file)])
    assert info.exit_code == 0, info.output
    monkeypatch.delenv(cipher.ENV_KEY_FILE, raising=False)  # --key-file set it for the run
    without = runner.invoke(cli, ["info", "--project", str(path)])
    assert without.exit_code != 0 and "--key-file" in str(without.exception)
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("a different passphrase")
    refused = runner.invoke(cli, ["info", "--project", str(path), "--key-file", str(wrong)])
    assert "wrong key or not a Rupture Coder project" in str(refused.exception)
    monkeypatch.delenv(cipher.ENV_KEY_FILE, raising=False)
    short = tmp_path / "short.txt"
    short.write_text("short")
    too_short = runner.invoke(
        cli, ["init", str(tmp_path / "b.sqlite"), "--encrypt", "--passphrase-file", str(short)]
    )
    assert too_short.exit_code != 0 and "too short" in str(too_short.exception)
    assert not (tmp_path / "b.sqlite").exists()
    backup = runner.invoke(cli, ["backup", "--project", str(path), "--key-file", str(key_file)])
    assert backup.exit_code == 0, backup.output
