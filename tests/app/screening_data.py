"""The small synthetic screening project's transcripts (see tests/app/conftest.py)."""

from __future__ import annotations

import numpy as np

PASSPHRASE = "correct horse battery"  # as in tests/conftest.py
MACHINE = "Machine · test"  # the machine rater of the machine_codes fixture (conftest.py)

WITHDRAW = "I don't want to talk about it, can we change the subject"
CONFRONT = "these sessions are not helping me at all"
FILLER = [
    "I went to work and it was a long day",
    "my sister called on Sunday about the dinner",
    "I slept badly but the weekend was quiet",
    "we talked about the holiday plans again",
    "the bus was late so I walked to the office",
]
QUESTIONS = ["How was your week?", "What happened then?", "How did that feel?"]


def transcript(patient: int, session: int) -> tuple[str, list[int], list[int]]:
    """30 alternating turns; returns the text and the patient turns with W1 / C1."""
    rng = np.random.default_rng(patient * 10 + session)
    lines, w1, c1 = [], [], []
    for t in range(1, 31):
        ts = f"[00:{t // 60:02d}:{t % 60:02d}]"  # all in the first 5-minute segment
        if t % 2:
            lines.append(f"{ts} T: {QUESTIONS[int(rng.integers(3))]}")
            continue
        text = FILLER[int(rng.integers(len(FILLER)))]
        if rng.random() < 0.3:
            text = f"{text}. {WITHDRAW}"
            w1.append(t)
        elif t == 10 and patient == 1 and session == 1:
            text = CONFRONT  # C1: too rare to learn
            c1.append(t)
        lines.append(f"{ts} P: {text}")
    return "\n".join(lines) + "\n", w1, c1
