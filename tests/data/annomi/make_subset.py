"""Write the two AnnoMI extracts in this folder from the upstream files (see README.md).

    python tests/data/annomi/make_subset.py ../shared/data/annomi

Rows are copied, never edited: the CSV writer reproduces the upstream files byte for byte
(checked below), so the extracts keep every quirk the import tests look for.
"""

from __future__ import annotations

import csv
import hashlib
import io
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# 0: the first transcript; 38: the malformed timestamp "00:09:025"; 114: a newline inside
# a quoted field; 7 and 27: coded by all ten experts; 69: the shortest conversation.
SIMPLE_TRANSCRIPTS = ("0", "7", "27", "38", "69", "114")
LABELS = ("main_therapist_behaviour", "client_talk_type", "reflection_subtype",
          "question_subtype")  # fmt: skip
KEYS = ("transcript_id", "utterance_id", "interlocutor", "annotator_id")


def read(path: Path) -> tuple[str, list[list[str]]]:
    raw = path.read_text(encoding="utf-8")
    return raw, list(csv.reader(io.StringIO(raw, newline="")))


def write(path: Path, rows: list[list[str]]) -> str:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8", newline="")
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main(source: Path) -> None:
    raw, simple = read(source / "AnnoMI-simple.csv")
    check = io.StringIO(newline="")
    csv.writer(check, lineterminator="\n").writerows(simple)
    assert check.getvalue() == raw, "the CSV writer would change upstream rows"
    header, body = simple[0], simple[1:]
    tid = header.index("transcript_id")
    kept = [header, *(r for r in body if r[tid] in SIMPLE_TRANSCRIPTS)]
    print("annomi-simple-subset.csv", write(HERE / "annomi-simple-subset.csv", kept))

    _, full = read(source / "AnnoMI-full.csv")
    header, body = full[0], full[1:]
    at = {name: header.index(name) for name in (*KEYS, *LABELS)}
    experts: dict[str, set[str]] = {}
    for row in body:
        experts.setdefault(row[at["transcript_id"]], set()).add(row[at["annotator_id"]])
    ten = {t for t, who in experts.items() if len(who) == 10}
    labels = [[*KEYS, *LABELS]] + [
        [row[at[name]] for name in (*KEYS, *LABELS)]
        for row in body
        if row[at["transcript_id"]] in ten
    ]
    print("annomi-full-10-expert-labels.csv",
          write(HERE / "annomi-full-10-expert-labels.csv", labels))  # fmt: skip


if __name__ == "__main__":
    main(Path(sys.argv[1]))
