"""Shared reader for the invented sample-transcript sources in ``src/``.

Each ``src/<patient>_S<n>.txt`` file holds one session as plain text:

* ``T: text`` is a therapist turn and ``P: text`` a patient turn.  ``T~:`` / ``P~:`` marks a
  backchannel that overlaps the end of the previous turn (only rendered as an overlap in
  formats with millisecond times).
* `` ## W2 R4 WS3`` at the end of a turn lists the codes the authors intended for that turn
  (3RS marker subtypes, resolution strategies, stage events).  A leading ``?`` (``?W1``) marks
  a borderline moment the authors intend NOT to be coded.  Never written to the outputs.
* ``#EP <id> <withdrawal|confrontation> sig=<1-5> res=<0-2> :: <label>`` opens an episode
  (``res``: 0 not, 1 partially, 2 resolved) and ``#/EP <id>`` closes it.
* ``#@ global G_W=3 G_C=1 G_TCONTRIB=2 G_RESOLVED=2`` holds the intended session ratings.
* ``@gap <seconds>`` adds silence before the next turn.
* ``#@ rate T 150`` / ``#@ rate P 120`` set speaking rates (words per minute),
  ``#@ start`` the first turn's start time in seconds, ``#@ seed`` the seed for the
  small inter-turn gaps.  Other lines starting with ``#`` are comments.

Timing is deterministic: duration = words / rate, plus fixed allowances for notations such
as ``(pause)``; gaps come from a seeded ``random.Random``.  Nothing here is real data.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE / "src"

CODE_RE = re.compile(r"^\??(W[1-7]|C[1-7]|R(10|[1-9])|WS[1-5]|CS[1-5])$")
NOTATION_SECONDS = {
    "(long pause)": 7.0,
    "(pause)": 3.0,
    "(laughs)": 1.0,
    "(sighs)": 1.2,
    "(crying)": 2.0,
    "[inaudible]": 1.5,
    "[crosstalk]": 0.5,
}
MIN_TURN_SECONDS = 0.6
MIN_START_STEP = 1.0  # starts at least 1 s apart, so hh:mm:ss starts strictly increase


@dataclass
class Turn:
    index: int  # 1-based, file order
    role: str  # "T" or "P"
    text: str
    codes: list[str]
    overlap: bool
    episode: str | None
    start: float = 0.0
    end: float = 0.0

    @property
    def words(self) -> int:
        return len(self.text.split())


@dataclass
class Episode:
    id: str
    kind: str
    sig: int
    resolved: int
    label: str
    turns: list[int] = field(default_factory=list)


@dataclass
class Session:
    name: str
    turns: list[Turn]
    episodes: dict[str, Episode]
    globals: dict[str, int] = field(default_factory=dict)

    @property
    def words(self) -> int:
        return sum(t.words for t in self.turns)

    @property
    def duration(self) -> float:
        return max(t.end for t in self.turns)


def speech_words(text: str) -> int:
    stripped = text
    for note in NOTATION_SECONDS:
        stripped = stripped.replace(note, " ")
    return len(stripped.split())


def load(name: str, *, allow_overlap: bool = False) -> Session:
    path = SRC / f"{name}.txt"
    rates = {"T": 150.0, "P": 140.0}
    start = 3.0
    seed = 0
    raw: list[tuple[str, str, list[str], bool, str | None, float]] = []
    episodes: dict[str, Episode] = {}
    current: str | None = None
    pending_gap = 0.0
    globals_: dict[str, int] = {}
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.rstrip()
        if not line:
            continue
        if line.startswith("#@"):
            parts = line[2:].split()
            if parts[0] == "rate":
                rates[parts[1]] = float(parts[2])
            elif parts[0] == "start":
                start = float(parts[1])
            elif parts[0] == "seed":
                seed = int(parts[1])
            elif parts[0] == "global":
                globals_.update({k: int(v) for k, v in (p.split("=") for p in parts[1:])})
            else:
                raise ValueError(f"{path.name}:{lineno}: unknown directive {parts[0]}")
            continue
        if line.startswith("#EP "):
            head, _, label = line[4:].partition("::")
            ep_id, kind, *pairs = head.split()
            attrs = dict(p.split("=") for p in pairs)
            if current is not None:
                raise ValueError(f"{path.name}:{lineno}: episode {current} still open")
            episodes[ep_id] = Episode(
                ep_id, kind, int(attrs["sig"]), int(attrs["res"]), label.strip()
            )
            current = ep_id
            continue
        if line.startswith("#/EP "):
            if line[5:].strip() != current:
                raise ValueError(f"{path.name}:{lineno}: closing {line[5:]} but {current} is open")
            current = None
            continue
        if line.startswith("#"):
            continue
        if line.startswith("@gap "):
            pending_gap += float(line[5:])
            continue
        m = re.match(r"^([TP])(~?): (.+)$", line)
        if not m:
            raise ValueError(f"{path.name}:{lineno}: cannot parse {line!r}")
        text, _, tags = m.group(3).partition(" ## ")
        if "#" in text:
            raise ValueError(f"{path.name}:{lineno}: stray '#' in turn text")
        codes = tags.split()
        for code in codes:
            if not CODE_RE.match(code):
                raise ValueError(f"{path.name}:{lineno}: bad code {code}")
        raw.append((m.group(1), text.strip(), codes, m.group(2) == "~", current, pending_gap))
        pending_gap = 0.0
    if current is not None:
        raise ValueError(f"{path.name}: episode {current} never closed")

    rng = random.Random(seed)
    turns: list[Turn] = []
    t = start
    prev: Turn | None = None
    for i, (role, text, codes, overlap, ep, extra_gap) in enumerate(raw, start=1):
        gap = rng.uniform(0.35, 1.3)
        if prev is not None and prev.role == "T" and prev.text.rstrip().endswith("?"):
            gap += rng.uniform(0.3, 1.0)  # thinking time after a question
        duration = speech_words(text) * 60.0 / rates[role]
        for note, secs in NOTATION_SECONDS.items():
            duration += text.count(note) * secs
        duration = max(duration, MIN_TURN_SECONDS)
        turn = Turn(i, role, text, codes, overlap and allow_overlap, ep)
        if prev is None:
            turn.start = t
        elif turn.overlap:
            turn.start = max(prev.start + 0.4, prev.end - rng.uniform(0.5, 0.9))
        else:
            base = max(x.end for x in turns)
            if prev.text.endswith("--"):
                gap = rng.uniform(0.05, 0.2)  # the next speaker cut in
            turn.start = max(base + gap + extra_gap, prev.start + MIN_START_STEP)
        turn.start = round(turn.start, 3)
        turn.end = round(turn.start + duration, 3)
        if ep is not None:
            episodes[ep].turns.append(i)
        turns.append(turn)
        prev = turn
    return Session(name, turns, episodes, globals_)


def hms(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def hms_ms(seconds: float, sep: str = ".") -> str:
    ms = round(seconds * 1000)
    s, ms = divmod(ms, 1000)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}{sep}{ms:03d}"


def split_for_cues(text: str, max_words: int, max_cues: int = 3) -> list[str]:
    """Split a long turn into up to ``max_cues`` pieces at sentence (or clause) boundaries."""
    words = text.split()
    if len(words) <= max_words:
        return [text]
    n = min(max_cues, -(-len(words) // max_words))
    pieces = re.split(r"(?<=[.?!])\s+", text)
    if len(pieces) < n:
        pieces = re.split(r"(?<=[.?!,])\s+", text)
    if len(pieces) < n:
        return [text]
    target = len(words) / n
    chunks: list[str] = []
    cur: list[str] = []
    count = 0
    for k, piece in enumerate(pieces):
        cur.append(piece)
        count += len(piece.split())
        remaining_pieces = len(pieces) - k - 1
        remaining_chunks = n - len(chunks) - 1
        if remaining_chunks > 0 and (
            count >= target * (len(chunks) + 1) * 0.95 or remaining_pieces == remaining_chunks
        ):
            chunks.append(" ".join(cur))
            cur = []
    if cur:
        chunks.append(" ".join(cur))
    return chunks
