"""Whose codes a codes table holds: the file's rater names matched against the project,
whether the acting identity may import each one's codes, and the raters an import may
create (the consensus with its reserved role, never as an ordinary rater).

Each name is judged once, with all its lines (:func:`line_list`), because a misspelt
name or someone else's codes is one mistake, not hundreds. Used by
:func:`coder.app.codes.import_code_records`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import get_close_matches

from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from coder.app.identity import ActingRater
from coder.app.raters import CONSENSUS_NAME
from coder.domain.project import Rater
from coder.domain.roles import RaterRole
from coder.io.codes_csv import CodeRecord
from coder.store.models import RaterRow


@dataclass
class Who:
    """A rater named in the file, as the import stores them (``id`` is ``None`` until a
    rater the import may create has been created)."""

    name: str
    id: int | None
    role: RaterRole
    create: bool = False

    @property
    def is_consensus(self) -> bool:
        return self.role is RaterRole.CONSENSUS


@dataclass
class FileRaters:
    """The outcome of matching the file's rater names against the project."""

    who: dict[str, Who]  # name as written in the file -> who stores the rows
    refused: list[tuple[int, str]]  # (first line, problem): not this actor's to import
    unknown: list[tuple[int, str]]  # (first line, problem): names the project lacks


def raters_in_file(
    session: OrmSession, records: Sequence[CodeRecord], actor: ActingRater | None, create: bool
) -> FileRaters:
    """Match every rater name (exactly, after trimming) and decide whether ``actor`` may
    import their codes. Each name is reported once, with all its lines, because a
    misspelt name or someone else's codes is one mistake, not hundreds."""
    lines: dict[str, list[int]] = {}
    for rec in records:
        lines.setdefault(rec.rater, []).append(rec.line)
    stored = session.execute(select(RaterRow.id, RaterRow.name, RaterRow.role)).all()
    by_name = {name: (rid, RaterRole(role)) for rid, name, role in stored}
    by_lower = {name.lower(): name for name in by_name}
    consensus = next(
        (name for name, (_, role) in by_name.items() if role is RaterRole.CONSENSUS), None
    )
    result = FileRaters({}, [], [])
    creating: dict[str, str] = {}  # lower-case name -> spelling being created
    for name, at in lines.items():
        where = line_list(at)
        if name in (CONSENSUS_NAME, consensus):
            if actor is None or not actor.is_lead:
                result.refused.append(
                    (at[0], f"{where}: {name!r} is the consensus; only a lead can import its codes")
                )
            elif consensus is not None:
                result.who[name] = Who(consensus, by_name[consensus][0], RaterRole.CONSENSUS)
            elif name in by_name:
                result.unknown.append(
                    (
                        at[0],
                        f"{where}: {name!r} is an ordinary rater in this project (made by an "
                        "older import), so these rows cannot be stored as consensus codes",
                    )
                )
            else:
                result.who[name] = Who(name, None, RaterRole.CONSENSUS, create=True)
            continue
        if name in by_name:
            rid, role = by_name[name]
            if actor is not None and not actor.is_lead and rid != actor.rater_id:
                result.refused.append((at[0], f"{where}: {_not_yours(name, role, actor)}"))
            else:
                result.who[name] = Who(name, rid, role)
            continue
        clash = by_lower.get(name.lower()) or creating.get(name.lower())
        if not create or clash is not None or name.lower() == CONSENSUS_NAME.lower():
            result.unknown.append(
                (at[0], f"{where}: {_unknown(name, clash, list(by_name), create)}")
            )
        elif actor is not None and not actor.is_lead:
            result.refused.append((at[0], f"{where}: {_not_yours(name, RaterRole.RATER, actor)}"))
        else:
            creating[name.lower()] = name
            result.who[name] = Who(name, None, RaterRole.RATER, create=True)
    return result


def _not_yours(name: str, role: RaterRole, actor: ActingRater) -> str:
    whose = "a lead's codes" if role is RaterRole.LEAD else "someone else's codes"
    return (
        f"these are {name!r}'s codes: {actor.name} can import only their own "
        f"({whose} only a lead can import)"
    )


def _unknown(name: str, clash: str | None, names: Sequence[str], create: bool) -> str:
    text = f"no rater named {name!r} in the project"
    if name.lower() == CONSENSUS_NAME.lower() and clash is None:
        return f"{text}; {CONSENSUS_NAME!r} (spelt so) is reserved for the consensus"
    guess = clash or next(iter(get_close_matches(name, list(names), n=1, cutoff=0.8)), None)
    if guess is not None:
        text += f"; did you mean {guess!r}?"
        if create and clash is not None:
            text += " (names must match exactly; a name differing only in case is not created)"
        return text
    return text + " (add the rater first, or let the import create raters: --create-raters)"


def line_list(lines: Sequence[int], limit: int = 8) -> str:
    """``line 4`` or ``lines 2-9, 12``: compact, because a whole rater's rows may be
    refused at once."""
    ranges: list[list[int]] = []
    for n in sorted(lines):
        if ranges and n <= ranges[-1][1] + 1:
            ranges[-1][1] = n
        else:
            ranges.append([n, n])
    parts = [str(a) if a == b else f"{a}-{b}" for a, b in ranges]
    shown = ", ".join(parts[:limit])
    if len(parts) > limit:
        shown += f", ... ({len(lines)} lines in all)"
    return f"{'line' if len(lines) == 1 else 'lines'} {shown}"


def add_new_raters(session: OrmSession, people: Iterable[Who]) -> list[str]:
    """Create the raters the import may create; the consensus is created with its role,
    never as an ordinary rater. Returns the new (ordinary) raters' names."""
    created = []
    for who in people:
        if who.create and who.id is None:
            who.id = _new_rater(session, who.name, who.role)
            if not who.is_consensus:
                created.append(who.name)
    return created


def as_consensus(rater_id: int) -> ActingRater:
    """The consensus as the acting identity: its codes are checked by the consensus's own
    rules (:func:`coder.app.access.check_editable`), whoever imports them."""
    return ActingRater(rater_id, CONSENSUS_NAME, "CONS", RaterRole.CONSENSUS)


def _new_rater(session: OrmSession, name: str, role: RaterRole = RaterRole.RATER) -> int:
    """Create a rater named in the file; initials from the name's words."""
    words = re.findall(r"[A-Za-z]+", name)
    rater = Rater(name, "".join(w[0] for w in words)[:4].upper() or "R", role)
    row = RaterRow(name=rater.name, initials=rater.initials, role=rater.role.value)
    session.add(row)
    session.flush()
    return row.id
