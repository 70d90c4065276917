"""Who is coding: rater identity and the lab passphrase that protects the lead role.

The passphrase is stored as a salted scrypt hash (stdlib ``hashlib.scrypt``) in the
project settings. It is a guard against a rater *accidentally* opening the lead's
unblinded views, not encryption: the project file itself is not encrypted.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from coder.domain.errors import CoderError, NotFoundError, ValidationError
from coder.domain.project import Rater
from coder.domain.roles import RaterRole
from coder.store.database import ProjectDatabase
from coder.store.models import ProjectMeta, RaterRow

_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
MIN_PASSPHRASE = 8


class AccessDenied(CoderError):
    """Wrong or missing lab passphrase."""


@dataclass(frozen=True, slots=True)
class Coder:
    """The acting rater, stamped on every write and used for blinding."""

    rater_id: int
    name: str
    initials: str
    role: RaterRole

    @property
    def is_lead(self) -> bool:
        return self.role is RaterRole.LEAD


def hash_passphrase(passphrase: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(passphrase.encode("utf-8"), salt=salt, **_SCRYPT)
    return f"scrypt${salt.hex()}${digest.hex()}"


def verify_passphrase(passphrase: str, stored: str) -> bool:
    try:
        scheme, salt_hex, digest_hex = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    candidate = hash_passphrase(passphrase, bytes.fromhex(salt_hex)).split("$")[2]
    return hmac.compare_digest(candidate, digest_hex)


def has_lab_passphrase(db: ProjectDatabase) -> bool:
    with db.reading() as session:
        meta = session.get(ProjectMeta, 1)
        return bool(meta and meta.settings.get("lead_passphrase"))


def set_lab_passphrase(db: ProjectDatabase, new: str, current: str | None = None) -> None:
    """Set the lab passphrase; changing an existing one needs the current one."""
    if len(new) < MIN_PASSPHRASE:
        raise ValidationError(f"the lab passphrase needs at least {MIN_PASSPHRASE} characters")
    with db.transaction() as session:
        meta = _meta(session)
        stored = meta.settings.get("lead_passphrase")
        if stored and (current is None or not verify_passphrase(current, stored)):
            raise AccessDenied("the current lab passphrase is wrong")
        meta.settings = {**meta.settings, "lead_passphrase": hash_passphrase(new)}


def check_lab_passphrase(db: ProjectDatabase, passphrase: str | None) -> None:
    with db.reading() as session:
        stored = _meta(session).settings.get("lead_passphrase")
    if stored is None:
        raise AccessDenied("no lab passphrase is set yet; set one when adding the first lead")
    if passphrase is None or not verify_passphrase(passphrase, stored):
        raise AccessDenied("wrong lab passphrase")


def add_lead(db: ProjectDatabase, name: str, initials: str, passphrase: str) -> Rater:
    """Add a lead. The first lead sets the lab passphrase; later ones must know it.

    The rater and (for the first lead) the passphrase are written in one transaction,
    so a refused name never leaves a passphrase set without a lead.
    """
    rater = Rater(name, initials, RaterRole.LEAD)
    with db.transaction() as session:
        meta = _meta(session)
        stored = meta.settings.get("lead_passphrase")
        if stored:
            if not verify_passphrase(passphrase, stored):
                raise AccessDenied("wrong lab passphrase")
        elif len(passphrase) < MIN_PASSPHRASE:
            raise ValidationError(f"the lab passphrase needs at least {MIN_PASSPHRASE} characters")
        clash = session.scalar(
            select(RaterRow).where(func.lower(RaterRow.name) == rater.name.lower())
        )
        if clash is not None:
            raise ValidationError(f"a rater named {clash.name!r} already exists")
        session.add(RaterRow(name=rater.name, initials=rater.initials, role=rater.role.value))
        if not stored:
            meta.settings = {**meta.settings, "lead_passphrase": hash_passphrase(passphrase)}
    return rater


def sign_in(db: ProjectDatabase, name: str, passphrase: str | None = None) -> Coder:
    """Become ``name``; a lead must give the lab passphrase."""
    with db.reading() as session:
        row = session.scalar(
            select(RaterRow).where(func.lower(RaterRow.name) == name.strip().lower())
        )
        if row is None:
            raise NotFoundError(f"no rater named {name!r}")
        coder = Coder(row.id, row.name, row.initials, RaterRole(row.role))
    if coder.is_lead:
        check_lab_passphrase(db, passphrase)
    return coder


def consensus_coder(db: ProjectDatabase) -> Coder:
    """The pseudo-rater holding agreed codes (created on first use)."""
    with db.transaction() as session:
        row = session.scalar(select(RaterRow).where(RaterRow.role == RaterRole.CONSENSUS.value))
        if row is None:
            row = RaterRow(name="Consensus", initials="CONS", role=RaterRole.CONSENSUS.value)
            session.add(row)
            session.flush()
        return Coder(row.id, row.name, row.initials, RaterRole.CONSENSUS)


def _meta(session: Any) -> ProjectMeta:
    meta = session.get(ProjectMeta, 1)
    if meta is None:
        raise CoderError("the project has no settings row; is it a Rupture Coder project?")
    return meta  # type: ignore[no-any-return]
