"""Print (or write into README.md) the authors' coding key for the sample transcripts.

    .venv/bin/python sample_transcripts/coding_key.py          # print the key
    .venv/bin/python sample_transcripts/coding_key.py --write  # refresh the block in README.md

The key is derived from the ``## codes`` and ``#EP`` annotations in ``src/*.txt``, so it always
matches the generated files.  Turn numbers count turns from 1 in file order (after merging
consecutive cues of the same speaker in the VTT/SRT files).  5-minute segments are assigned
by the start time of the coded turn.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import build_text  # noqa: E402
import transcript_source as ts  # noqa: E402

SESSIONS = [
    # name, output file, timed?, cue settings (max words, max cues) or None, overlap
    ("P01_S1", "P01_S1.docx", True, None, False),
    ("P01_S2", "P01_S2.docx", True, None, False),
    ("P01_S3", "P01_S3.txt", False, None, False),
    ("P02_S1", "P02_S1.vtt", True, (45, 3), True),
    ("P02_S2", "P02_S2.srt", True, (35, 4), False),
    ("P02_S3", "P02_S3.csv", True, None, False),
]
START, END = "<!-- coding-key:start -->", "<!-- coding-key:end -->"


def _order(code: str) -> tuple[int, int, int]:
    borderline = int(code.startswith("?"))
    code = code.lstrip("?")
    prefix = {"W": 0, "C": 1, "R": 2}
    if code[:2] in ("WS", "CS"):
        return (borderline, 3, int(code[2:]))
    return (borderline, prefix[code[0]], int(code[1:]))


def _is(code: str, kind: str) -> bool:
    """kind: 'W', 'C', 'R' (firm codes only) or 'S' (stage events)."""
    if code.startswith("?"):
        return False
    if kind == "S":
        return code[:2] in ("WS", "CS")
    return code[0] == kind and code[:2] not in ("WS", "CS")


def _group(turns: list[ts.Turn], kinds: tuple[str, ...]) -> str:
    found: dict[str, list[int]] = {}
    for turn in turns:
        for code in turn.codes:
            if any(_is(code, k) for k in kinds):
                found.setdefault(code, []).append(turn.index)
    if not found:
        return "—"
    return "; ".join(f"{c} (t{', '.join(map(str, found[c]))})" for c in sorted(found, key=_order))


def _stage_sequence(turns: list[ts.Turn]) -> str:
    """Stage events in order; repeats of the same stage within one episode are merged."""
    runs: list[list] = []  # [code, first turn, last turn, episode]
    for turn in turns:
        for code in turn.codes:
            if _is(code, "S"):
                if runs and runs[-1][0] == code and runs[-1][3] == turn.episode:
                    runs[-1][2] = turn.index
                else:
                    runs.append([code, turn.index, turn.index, turn.episode])
    parts = []
    for code, a, b, _ep in runs:
        parts.append(f"{code} (t{a})" if a == b else f"{code} (t{a}–{b})")
    return " → ".join(parts)


def _seg_codes(seg_turns: list[ts.Turn], kind: str) -> list[str]:
    return sorted({c for t in seg_turns for c in t.codes if _is(c, kind)}, key=_order)


def _seg_sig(s: ts.Session, seg_turns: list[ts.Turn], kind: str) -> str:
    sigs = [
        s.episodes[t.episode].sig
        for t in seg_turns
        if t.episode and any(_is(c, kind) for c in t.codes)
    ]
    return str(max(sigs)) if sigs else "1"


def session_key(name: str, filename: str, timed: bool, cue_cfg, overlap: bool) -> list[str]:
    s = ts.load(name, allow_overlap=overlap)
    cue_of: dict[int, tuple[int, int]] = {}
    if cue_cfg:
        for n, (idx, *_rest) in enumerate(build_text.cues_for(s, *cue_cfg), start=1):
            first, _last = cue_of.get(idx, (n, n))
            cue_of[idx] = (first, n)
    out = [f"### {name} — `{filename}`", ""]
    span = f"{ts.hms(s.turns[0].start)}–{ts.hms(s.duration)}" if timed else "untimed"
    out.append(
        f"{len(s.turns)} turns, {s.words} words, {span}. Intended session ratings: "
        + ", ".join(f"{k} {v}" for k, v in s.globals.items())
        + "."
    )
    out.append("")
    head = "| Ep | Type | Turns |"
    rule = "|---|---|---|"
    if timed:
        head += " Time |"
        rule += "---|"
    if cue_cfg:
        head += " Cues |"
        rule += "---|"
    head += " Markers (turns) | Sig | Res | Resolution strategies (turns) | Episode |"
    rule += "---|---|---|---|---|"
    out += [head, rule]
    for ep in s.episodes.values():
        turns = [s.turns[i - 1] for i in ep.turns]
        a, b = turns[0], turns[-1]
        row = f"| {ep.id} | {ep.kind} | {a.index}–{b.index} |"
        if timed:
            row += f" {ts.hms(a.start)}–{ts.hms(b.end)} |"
        if cue_cfg:
            row += f" {cue_of[a.index][0]}–{cue_of[b.index][1]} |"
        row += (
            f" {_group(turns, ('W', 'C'))} | {ep.sig} | {ep.resolved} |"
            f" {_group(turns, ('R',))} | {ep.label} |"
        )
        out.append(row)
    outside = [
        t for t in s.turns if t.episode is None and any(not c.startswith("?") for c in t.codes)
    ]
    if outside:
        out.append("")
        out.append(
            "Codes outside episodes (follow-up work, no marker): "
            + "; ".join(
                f"t{t.index}: {' '.join(c for c in sorted(t.codes, key=_order) if c[0] != '?')}"
                for t in outside
            )
        )
    border = [t for t in s.turns if any(c.startswith("?") for c in t.codes)]
    if border:
        out.append("")
        out.append(
            "Borderline moments the authors intend NOT to be coded (brief, not functioning as "
            "movement away): "
            + "; ".join(
                f"t{t.index} {' '.join(c[1:] for c in t.codes if c[0] == '?')}" for t in border
            )
        )
    stages = _stage_sequence(s.turns)
    if stages:
        out += ["", f"Stage sequence: {stages}"]
    if timed:
        out += [
            "",
            "Codes by 5-minute segment (half-open windows; segment = start time of the coded "
            "turn; significance = highest intended significance among episodes with a marker "
            "of that type in the segment, 1 if none):",
            "",
            "| Seg | Window | Withdrawal | W sig | Confrontation | C sig | Resolution |",
            "|---|---|---|---|---|---|---|",
        ]
        n_seg = int(s.duration // 300) + 1
        for k in range(n_seg):
            seg_turns = [t for t in s.turns if k * 300 <= int(t.start) < (k + 1) * 300]

            w, c, r = (_seg_codes(seg_turns, k) for k in "WCR")
            window = f"{ts.hms(k * 300)}–{ts.hms(min((k + 1) * 300, s.duration))}"
            out.append(
                f"| {k + 1} | {window} | {' '.join(w) or '—'} | {_seg_sig(s, seg_turns, 'W')} | "
                f"{' '.join(c) or '—'} | {_seg_sig(s, seg_turns, 'C')} | {' '.join(r) or '—'} |"
            )
    out.append("")
    out.append("<details><summary>Every coded turn</summary>")
    out.append("")
    for t in s.turns:
        if t.codes:
            when = f" {ts.hms(t.start)}" if timed else ""
            snippet = t.text if len(t.text) <= 70 else t.text[:67].rstrip() + "..."
            out.append(
                f"- t{t.index}{when} {t.role} [{t.episode or '—'}] "
                f"{' '.join(sorted(t.codes, key=_order))}: “{snippet}”"
            )
    out += ["", "</details>", ""]
    return out


def render() -> str:
    lines: list[str] = []
    for cfg in SESSIONS:
        lines += session_key(*cfg)
    return "\n".join(lines).rstrip() + "\n"


def main() -> None:
    text = render()
    if "--write" in sys.argv:
        readme = HERE / "README.md"
        body = readme.read_text(encoding="utf-8")
        head, _, rest = body.partition(START)
        _, _, tail = rest.partition(END)
        readme.write_text(f"{head}{START}\n{text}{END}{tail}", encoding="utf-8")
        print(f"updated {readme.relative_to(HERE.parent)}")
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
