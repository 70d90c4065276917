"""A scheme hotkey that is also one of the app's own keys (F8, Ctrl+Z, F1 …).

Two window shortcuts on the same key make Qt fire *neither* (the key is "ambiguous"), so
a scheme with a hotkey ``F8`` would silently break both the code's hotkey and the
Suggestions panel's *Next suggestion*. The app detects this, not scheme validation: a
scheme file is portable between the command line, other tools and versions of this app,
and which keys the desktop app keeps for itself is the app's business (they can change
between versions). The rule is predictable: **the app's own key wins**; the scheme's
hotkey is left unbound in this window and the clash is reported once, in words, naming
the key, the code and the app's command, with the fix (give the code another hotkey in
the scheme). docs/schemes.md documents the keys the app keeps.

:func:`check_soon` runs after the window has built every menu (the scheme's hotkeys are
installed while the window is still being built).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction, QKeySequence

PORTABLE = QKeySequence.SequenceFormat.PortableText


@dataclass(frozen=True, slots=True)
class Clash:
    key: str  # "F8", "Shift+F8"
    item_id: str  # the scheme's code, rating or stage
    command: str  # the app's action on that key ("Next suggestion")


def _plain(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…. ")


def app_keys(window: Any) -> dict[str, str]:
    """Every key the window's own actions use (not the scheme's) -> the action's text."""
    scheme_actions = {id(a) for a in window.hotkey_actions}
    keys: dict[str, str] = {}
    for action in window.findChildren(QAction):
        if id(action) in scheme_actions:
            continue
        for sequence in action.shortcuts():
            if not sequence.isEmpty():
                keys.setdefault(sequence.toString(PORTABLE), _plain(action.text()))
    return keys


def find_clashes(window: Any) -> list[Clash]:
    taken = app_keys(window)
    found = []
    for action in window.hotkey_actions:
        for sequence in action.shortcuts():
            key = sequence.toString(PORTABLE)
            if key in taken:
                found.append(Clash(key, action.text(), taken[key]))
    return found


def message(scheme_label: str, clashes: list[Clash]) -> str:
    lines = [
        f"Hotkey {c.key} of {c.item_id} in the scheme {scheme_label} is also the app's key "
        f"for “{c.command}”."
        for c in clashes
    ]
    return (
        "\n".join(lines)
        + "\n\nThe app's key wins: in this window "
        + ", ".join(c.item_id for c in clashes)
        + " has no key: apply it from the codebook (click, or Enter on it). To use a key, "
        "give it another hotkey in the scheme (Help ▸ Keyboard shortcuts lists the keys the "
        "app uses)."
    )


def resolve(window: Any) -> list[Clash]:
    """Unbind the scheme hotkeys that clash with the app's keys and say so, once per
    distinct clash in this window (reopening a session does not repeat it)."""
    clashes = find_clashes(window)
    if not clashes:
        return []
    clashing = {c.item_id for c in clashes}
    for action in window.hotkey_actions:
        if action.text() in clashing:
            action.setShortcuts([])  # the app's own key stays unambiguous
    window.hotkey_clashes = clashes
    label = window.scheme_key or "of this project"
    # Once per scheme, key and code: the command's text can change ("Undo code W3 …").
    reported: set[tuple[str, str, str]] = getattr(window, "_reported_hotkey_clashes", set())
    window._reported_hotkey_clashes = reported
    new = [c for c in clashes if (label, c.key, c.item_id) not in reported]
    if new:
        reported.update((label, c.key, c.item_id) for c in new)
        window.show_message(
            f"Hotkey clash: {', '.join(f'{c.key} ({c.item_id})' for c in new)} — the app's key wins"
        )
        window.prompter.error("Scheme hotkey clash", message(label, new))
    return clashes


def check_soon(window: Any) -> None:
    """Resolve clashes once the window has finished building its menus."""
    window.hotkey_clashes = []
    QTimer.singleShot(0, window, lambda: resolve(window))
