"""Build the four text-based sample transcripts from ``src/``.

    .venv/bin/python sample_transcripts/build_text.py

* ``P01_S3.txt``  untimed "T: " / "P: " paragraphs, UTF-8, title line, blank line between turns
* ``P02_S1.vtt``  Zoom-style WebVTT: numbered cues, "Name: text", long turns split in 2-3 cues,
                  a few backchannel cues that overlap the end of the previous cue
* ``P02_S2.srt``  SubRip: numbered cues, comma milliseconds, "THERAPIST: " / "CLIENT: " on every
                  cue, long turns split into several cues
* ``P02_S3.csv``  turn,speaker,start,end,text (hh:mm:ss), RFC 4180 quoting, UTF-8, CRLF

Deterministic. All dialogue is invented by the Rupture Coder team (see README.md).
"""

from __future__ import annotations

import csv
import itertools
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import transcript_source as ts  # noqa: E402

Cue = tuple[int, float, float, str]


def cues_for(session: ts.Session, max_words: int, max_cues: int) -> list[Cue]:
    """(turn index, start, end, text) for each cue, long turns split across several cues."""
    cues: list[Cue] = []
    for turn in session.turns:
        chunks = ts.split_for_cues(turn.text, max_words, max_cues)
        total = sum(len(c.split()) for c in chunks)
        span = turn.end - turn.start
        done = 0
        for k, chunk in enumerate(chunks):
            start = turn.start + span * done / total + (0.04 if k else 0.0)
            done += len(chunk.split())
            end = turn.start + span * done / total
            cues.append((turn.index, round(start, 3), round(end, 3), chunk))
    starts = [c[1] for c in cues]
    if any(b <= a for a, b in itertools.pairwise(starts)):
        raise AssertionError(f"{session.name}: cue start times are not increasing")
    return cues


def build_p01_s3() -> Path:
    session = ts.load("P01_S3")
    parts = ["Session 3 — P01"]
    parts += [f"{turn.role}: {turn.text}" for turn in session.turns]
    path = HERE / "P01_S3.txt"
    path.write_text("\n\n".join(parts) + "\n", encoding="utf-8", newline="\n")
    return path


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def build_p02_s1() -> Path:
    session = ts.load("P02_S1", allow_overlap=True)
    names = {"T": "Dr. Alan Park", "P": "Maria Gomez"}
    lines = ["WEBVTT", ""]
    for n, (idx, start, end, text) in enumerate(cues_for(session, 45, 3), start=1):
        role = session.turns[idx - 1].role
        lines += [
            str(n),
            f"{ts.hms_ms(start)} --> {ts.hms_ms(end)}",
            f"{names[role]}: {_vtt_escape(text)}",
            "",
        ]
    path = HERE / "P02_S1.vtt"
    path.write_text("\n".join(lines), encoding="utf-8", newline="\n")
    return path


def build_p02_s2() -> Path:
    session = ts.load("P02_S2")
    names = {"T": "THERAPIST", "P": "CLIENT"}
    lines: list[str] = []
    for n, (idx, start, end, text) in enumerate(cues_for(session, 35, 4), start=1):
        role = session.turns[idx - 1].role
        lines += [
            str(n),
            f"{ts.hms_ms(start, ',')} --> {ts.hms_ms(end, ',')}",
            f"{names[role]}: {text}",
            "",
        ]
    path = HERE / "P02_S2.srt"
    path.write_text("\n".join(lines), encoding="utf-8", newline="\n")
    return path


def build_p02_s3() -> Path:
    session = ts.load("P02_S3")
    names = {"T": "Therapist", "P": "Patient"}
    path = HERE / "P02_S3.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(["turn", "speaker", "start", "end", "text"])
        for turn in session.turns:
            writer.writerow(
                [turn.index, names[turn.role], ts.hms(turn.start), ts.hms(turn.end), turn.text]
            )
    return path


def main() -> None:
    for build in (build_p01_s3, build_p02_s1, build_p02_s2, build_p02_s3):
        path = build()
        print(f"wrote {path.relative_to(HERE.parent)}")


if __name__ == "__main__":
    main()
