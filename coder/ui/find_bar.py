"""Find in transcript: every match highlighted, the current one stronger, "n of m".

Typing in the find box (Ctrl+F) highlights every occurrence at once; Enter / F3 go to
the next match, Shift+F3 to the previous one (wrapping), and the label beside the box
says which match is shown ("3 of 12") or that there is none.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QLabel, QToolBar

from coder.ui.host import WindowHost
from coder.ui.models.turns_model import Highlight
from coder.ui.style import FIND_CURRENT_COLOUR, FIND_MATCH_COLOUR


class FindController(QObject):
    def __init__(self, w: WindowHost) -> None:
        super().__init__(w)
        self.w = w
        self.matches: list[tuple[int, int, int]] = []
        self.current = -1
        self.label = QLabel()
        self.label.setObjectName("find-count")
        self.label.setMinimumWidth(70)
        bar = w.findChild(QToolBar, "coding-toolbar")
        if isinstance(bar, QToolBar):
            actions = bar.actions()
            box = next((a for a in actions if bar.widgetForAction(a) is w.search_box), None)
            after = actions[actions.index(box) + 1] if box and box is not actions[-1] else None
            if after is not None:
                bar.insertWidget(after, self.label)
            else:
                bar.addWidget(self.label)
        w.search_box.textChanged.connect(self.search)
        w.transcript.turns.modelReset.connect(lambda: self.search(w.search_box.text()))

    def search(self, needle: str) -> None:
        self.matches = self.w.transcript.turns.matches(needle.strip())
        self.current = -1
        self._paint()

    def step(self, backwards: bool = False) -> bool:
        """Go to the next (previous) match after the current turn; False if none."""
        if not self.matches:
            needle = self.w.search_box.text()
            self.w.show_message(f"Not found: {needle}" if needle else "Type what to find")
            self._paint()
            return False
        n = len(self.matches)
        if self.current < 0:
            here = self.w.transcript.current_turn()
            after = [i for i, (t, _, _) in enumerate(self.matches) if t >= here]
            before = [i for i, (t, _, _) in enumerate(self.matches) if t <= here]
            if backwards:
                self.current = before[-1] if before else n - 1
            else:
                self.current = after[0] if after else 0
        else:
            self.current = (self.current + (-1 if backwards else 1)) % n
        turn = self.matches[self.current][0]
        self.w.transcript.show_turn(turn)
        self._paint()
        return True

    def _paint(self) -> None:
        found: dict[int, list[Highlight]] = {}
        for i, (turn, start, end) in enumerate(self.matches):
            colour = FIND_CURRENT_COLOUR if i == self.current else FIND_MATCH_COLOUR
            found.setdefault(turn, []).append(Highlight(start, end, colour, "find"))
        self.w.transcript.turns.set_found(found)
        needle = self.w.search_box.text().strip()
        if not needle:
            self.label.setText("")
        elif not self.matches:
            self.label.setText("no matches")
        elif self.current < 0:
            self.label.setText(f"{len(self.matches)} matches")
        else:
            self.label.setText(f"{self.current + 1} of {len(self.matches)}")
