"""Who is coding: rater identity, the lab passphrase that protects the lead role, and
each rater's optional PIN.

Every code is stamped with the signed-in rater, so signing in must mean something: the
name must match exactly, a lead gives the lab passphrase, a rater who chose a PIN (or
passphrase) gives it, and a project can require every rater to have one. Secrets are
stored as salted scrypt hashes (stdlib ``hashlib.scrypt``): the lab passphrase in the
project settings, a rater's PIN in ``raters.passphrase_hash``. They guard against
someone *accidentally or casually* coding as, or looking through the eyes of, someone
else; they are not encryption: the project file itself is not encrypted.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import shlex
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from coder.app.raters import CONSENSUS_NAME, check_new_name, rater_row
from coder.domain.errors import CoderError, ValidationError
from coder.domain.project import Rater
from coder.domain.roles import RaterRole
from coder.store.database import ProjectDatabase
from coder.store.models import ProjectMeta, RaterRow

_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
MIN_PASSPHRASE = 8
MIN_PIN = 4
REQUIRE_SIGN_IN = "require_rater_sign_in"  # key in ProjectMeta.settings


_MACHINE_REFUSED = (
    "{name!r} holds a screening model's suggestions (a machine rater) and is nobody's "
    "identity: sign in as yourself"
)
_CONSENSUS_REFUSED = (
    f"{CONSENSUS_NAME!r} holds the codes agreed in consensus meetings and is nobody's "
    "identity: sign in as yourself (a lead records consensus decisions)"
)


class AccessDenied(CoderError):
    """Wrong or missing secret, or an identity nobody may act as."""


class SignInNeed(StrEnum):
    """What a name needs to sign in, so a dialog or command asks for exactly that."""

    NOTHING = "nothing"  # a rater without a PIN, in a project that does not require one
    LAB_PASSPHRASE = "lab passphrase"  # every lead
    PIN = "PIN"  # a rater who has set a PIN (or passphrase)
    NEW_PIN = "new PIN"  # the project requires sign-in and this rater has no PIN yet


def set_pin_hint(name: str) -> str:
    """How a rater without a PIN gets one (used in messages of every interface)."""
    return (
        f"choose one with `coder raters set-pin {shlex.quote(name)}` or in the app's sign-in dialog"
    )


@dataclass(frozen=True, slots=True)
class ActingRater:
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
        check_new_name(session, rater.name)
        session.add(RaterRow(name=rater.name, initials=rater.initials, role=rater.role.value))
        if not stored:
            meta.settings = {**meta.settings, "lead_passphrase": hash_passphrase(passphrase)}
    return rater


def sign_in_need(db: ProjectDatabase, name: str) -> SignInNeed:
    """What signing in as ``name`` (matched exactly) asks for.

    Raises for a name nobody can sign in as (unknown, or the consensus pseudo-rater), so
    a command fails before prompting for a secret that could not help.
    """
    with db.reading() as session:
        return _need(session, rater_row(session, name))


def sign_in(db: ProjectDatabase, name: str, secret: str | None = None) -> ActingRater:
    """Become the rater named exactly ``name`` (surrounding spaces ignored).

    A lead must give the lab passphrase; a rater with a PIN must give it; when the
    project requires sign-in, a rater without a PIN must choose one first. The consensus
    pseudo-rater is nobody's identity. A wrong or missing secret is :class:`AccessDenied`.
    """
    with db.reading() as session:
        row = rater_row(session, name)
        need = _need(session, row)
        coder = ActingRater(row.id, row.name, row.initials, RaterRole(row.role))
        stored = row.passphrase_hash
    if need is SignInNeed.LAB_PASSPHRASE:
        check_lab_passphrase(db, secret)
    elif need is SignInNeed.PIN:
        if not secret:
            raise AccessDenied(f"{coder.name} signs in with a PIN: give it")
        if stored is None or not verify_passphrase(secret, stored):
            raise AccessDenied(f"wrong PIN for {coder.name}")
    elif need is SignInNeed.NEW_PIN:
        raise AccessDenied(
            f"this project requires every rater to sign in with a PIN and {coder.name} has "
            f"none yet: {set_pin_hint(coder.name)}"
        )
    return coder


def set_rater_secret(
    db: ProjectDatabase,
    actor: ActingRater | None,
    rater_name: str,
    new_secret: str,
    current: str | None = None,
) -> None:
    """Set or change a rater's PIN (or passphrase), hashed like the lab passphrase.

    ``actor`` is who asks: the rater themself (or None: the rater named, not signed in
    yet, which is how a rater without a PIN gets their first one when the project
    requires sign-in), or a lead, who may set or reset anyone's PIN without knowing it
    (a forgotten PIN must not lock a rater out of their work). Changing one's own
    existing PIN needs the current one, so a session left signed in cannot be taken
    over. Leads sign in with the lab passphrase and the consensus pseudo-rater is
    nobody's identity, so neither gets a PIN.
    """
    if len(new_secret) < MIN_PIN:
        raise ValidationError(f"a PIN needs at least {MIN_PIN} characters")
    if new_secret != new_secret.strip():
        raise ValidationError("a PIN must not start or end with a space")
    with db.transaction(actor) as session:
        row = rater_row(session, rater_name)
        role = RaterRole(row.role)
        if role is RaterRole.CONSENSUS:
            raise AccessDenied(_CONSENSUS_REFUSED)
        if role is RaterRole.MACHINE:
            raise AccessDenied(_MACHINE_REFUSED.format(name=row.name))
        if role is RaterRole.LEAD:
            raise ValidationError(
                f"{row.name} is a lead: leads sign in with the lab passphrase, not a PIN"
            )
        own = actor is None or actor.rater_id == row.id
        if not own and not _acting_lead(session, actor):
            raise AccessDenied(f"only {row.name} or a lead can set {row.name}'s PIN")
        if own and row.passphrase_hash:
            if current is None:
                raise AccessDenied(
                    f"{row.name} already has a PIN: give the current one to change it "
                    "(a lead can reset it)"
                )
            if not verify_passphrase(current, row.passphrase_hash):
                raise AccessDenied(f"the current PIN for {row.name} is wrong")
        row.passphrase_hash = hash_passphrase(new_secret)


def require_rater_sign_in(db: ProjectDatabase) -> bool:
    """Whether every rater must have (and give) a PIN to sign in."""
    with db.reading() as session:
        return bool(_meta(session).settings.get(REQUIRE_SIGN_IN, False))


def set_require_rater_sign_in(db: ProjectDatabase, actor: ActingRater, on: bool) -> list[str]:
    """Require (or stop requiring) a PIN from every rater; only a signed-in lead may.

    Returns the raters who have no PIN yet: with the setting on, each must choose one
    the next time they sign in, which the lead will want to tell them.
    """
    with db.transaction(actor) as session:
        if not _acting_lead(session, actor):
            raise AccessDenied("only a lead can change whether raters must sign in")
        meta = _meta(session)
        meta.settings = {**meta.settings, REQUIRE_SIGN_IN: bool(on)}
        without = session.scalars(
            select(RaterRow.name)
            .where(RaterRow.role == RaterRole.RATER.value, RaterRow.passphrase_hash.is_(None))
            .order_by(RaterRow.name)
        )
        return list(without)


def consensus_coder(db: ProjectDatabase) -> ActingRater:
    """The pseudo-rater holding agreed codes (created on first use)."""
    with db.transaction() as session:
        row = session.scalar(select(RaterRow).where(RaterRow.role == RaterRole.CONSENSUS.value))
        if row is None:
            row = RaterRow(name=CONSENSUS_NAME, initials="CONS", role=RaterRole.CONSENSUS.value)
            session.add(row)
            session.flush()
        return ActingRater(row.id, row.name, row.initials, RaterRole.CONSENSUS)


def _need(session: OrmSession, row: RaterRow) -> SignInNeed:
    role = RaterRole(row.role)
    if role is RaterRole.CONSENSUS:
        raise AccessDenied(_CONSENSUS_REFUSED)
    if role is RaterRole.MACHINE:
        raise AccessDenied(_MACHINE_REFUSED.format(name=row.name))
    if role is RaterRole.LEAD:
        return SignInNeed.LAB_PASSPHRASE
    if row.passphrase_hash:
        return SignInNeed.PIN
    if _meta(session).settings.get(REQUIRE_SIGN_IN, False):
        return SignInNeed.NEW_PIN
    return SignInNeed.NOTHING


def _acting_lead(session: OrmSession, actor: ActingRater | None) -> bool:
    """Whether ``actor`` is a lead according to the project itself, not only the
    :class:`ActingRater` value handed in (which any caller could construct)."""
    if actor is None or not actor.is_lead:
        return False
    row = session.get(RaterRow, actor.rater_id)
    return row is not None and row.role == RaterRole.LEAD.value


def _meta(session: Any) -> ProjectMeta:
    meta = session.get(ProjectMeta, 1)
    if meta is None:
        raise CoderError("the project has no settings row; is it a Rupture Coder project?")
    return meta  # type: ignore[no-any-return]
