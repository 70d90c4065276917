"""Rounds ▸ Blinding…: the lead chooses when raters see only their own codes.

The rule itself lives in :mod:`coder.app.access`; this module only asks and reports.
"""

from __future__ import annotations

from coder.app import access
from coder.domain.coding import BlindingPolicy
from coder.domain.errors import CoderError
from coder.ui.host import WindowHost

DESCRIPTIONS = {
    BlindingPolicy.ALWAYS: "Always: raters see only their own codes (recommended)",
    BlindingPolicy.DURING_ROUNDS: "During rounds: while a coding round is open or locked",
    BlindingPolicy.NEVER: "Never: everyone sees everyone's codes (one coder, teaching)",
}


def change_blinding(w: WindowHost) -> None:
    policies = list(DESCRIPTIONS)
    current = access.read_blinding_policy(w.db)
    choice = w.prompter.choose(
        "Blinding",
        "When should raters see only their own codes?",
        [DESCRIPTIONS[p] for p in policies],
        policies.index(current),
    )
    if choice is None or policies[choice] is current:
        return
    try:
        access.set_blinding_policy(w.db, w.coder, policies[choice])
    except CoderError as exc:
        w.prompter.error("Blinding", str(exc))
        return
    for ws in w.workspaces.values():
        ws.reload()
    w.refresh_status()
    w.show_message(f"Blinding is now: {DESCRIPTIONS[policies[choice]]}")
