"""Build ``codes.csv``: two invented raters' codings of the six sample sessions.

    .venv/bin/python sample_transcripts/build_codes.py [--out PATH]   # default: codes.csv here

Import the result with ``coder codes import --project P sample_transcripts/codes.csv`` into a
project holding the six sample transcripts (imported with ``--pattern "{patient}_S{session}"``)
and the schemes ``3rs-2015`` and ``safran-muran-stages``.

Where the codes come from
-------------------------
Everything is derived from the authors' annotations in ``src/*.txt`` (read with
``transcript_source.load``), i.e. from the same data as the coding key in README.md. Segment
numbers are computed exactly as the app computes them: the sample file is read with
``coder.io.transcripts.read_transcripts`` and cut with ``coder.domain.segmentation.build_segments``
under the segmentation rule of the built-in 3rs-2015 scheme. P01_S3 is untimed, so its
segments are the app's word-count estimates.

**Ada Lovelace** codes the key as written:

* 3rs-2015, ``unit=segment``: every firm W/C marker and R strategy of the key, once per
  5-minute segment (a turn belongs to the segment it starts in). Borderline moments (``?W1``)
  are not coded. About a third of these rows carry an evidence span: where ``PHRASES`` holds a
  phrase for (session, turn, code) in that segment, its character offsets are found by
  searching the turn text as the app stores it.
* ``W_SIG`` / ``C_SIG`` for every segment: the highest intended significance among the
  episodes with a marker of that family in the segment, 1 if none (the key's rule).
* ``unit=session``: ``G_W``, ``G_C``, ``G_TCONTRIB``, ``G_RESOLVED`` from ``#@ global``
  (``NA`` for ``G_RESOLVED`` in a session without a rupture episode).
* safran-muran-stages, sessions 3 only (P01_S3 withdrawal, P02_S3 confrontation),
  ``unit=episode``: episode *n* is the key's E*n*. Each stage is coded once per episode, at the
  turn where it first occurs (evidence = a phrase from ``STAGE_PHRASES`` in that turn);
  repeats of a stage (WS2/WS3 and CS2 oscillate) are not written, because the importer
  accepts one row per stage, episode and rater. The key gives stage sequences for E1 only;
  in later episodes stage 1 is placed at the first marker turn and stage 2 at the first
  therapist strategy turn. ``EP_RESOLVED`` = the key's Res; ``EP_TX_META`` when the episode
  has R4, R6 or R7 (the therapist talks about the here-and-now interaction); ``EP_TX_RESP``
  when it has R5 (the therapist owns a part). P01_S3's t90 self-assertion lies outside any
  episode and is not coded as a stage.

**Ben Okafor** starts from Ada's coding and deviates by these fixed rules (one
``random.Random(2026)``, consumed in the order below over sorted candidate lists):

1. *Subtype confusions*: for each pair (W1, W2), (W3, W4), (C1, C6), (C3, C4), one segment
   marker annotated on a single turn of its segment, whose partner is not already in that
   segment (chosen at random), is coded as the partner.
2. *Missed subtle markers*: a segment marker is *clear* when it is annotated on two or more
   turns of the segment or belongs to an episode of significance 4-5, otherwise *subtle*.
   Ben leaves out 15 % (rounded) of the subtle markers, chosen at random.
3. *Missed strategies*: he leaves out 10 % (rounded) of the strategies annotated on a single
   turn of their segment.
4. *Borderline moments*: of the borderline moments that would add a new code to their
   segment, he codes three (chosen at random; memo "borderline") and writes the others as
   explicit ``value=0`` rows (considered, not coded; the importer skips them).
5. *Significance*: his W_SIG/C_SIG follow his own markers (1 without a marker of that family,
   2 for a family he has only through a borderline code, else the key's value). Then in 30 %
   (rounded) of all segments, chosen among those where he has a marker, the significance of
   the family with a marker (the higher one if both) is moved by +1 or -1 (at random; the
   other way if that leaves 1..5).
6. *Session ratings*: P01_S2 G_TCONTRIB 2 (Ada 3) and P02_S1 G_RESOLVED 4 (Ada 3).
7. *Stages*: in P01_S3 episode 1 he does not code WS3 (he reads the hedged complaint at t30
   as part of the withdrawal).
8. *Evidence spans*: he marks whole sentences, so his span is Ada's phrase widened to the
   sentence(s) containing it.

Output: header + rows sorted by patient, session, rater, scheme, unit (segment, session,
episode), unit index and scheme order of the code; UTF-8, ``\\n`` line endings.
All content is invented (see README.md).
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import coding_key as ck  # noqa: E402
import transcript_source as ts  # noqa: E402

from coder.app.schemes import find_builtin  # noqa: E402
from coder.domain.scheme import Scheme  # noqa: E402
from coder.domain.segmentation import build_segments, segment_of_turn  # noqa: E402
from coder.domain.transcript import Transcript  # noqa: E402
from coder.io.transcripts import read_transcripts  # noqa: E402

OUT = HERE / "codes.csv"
COLUMNS = (
    "patient",
    "session",
    "rater",
    "code",
    "unit",
    "unit_index",
    "value",
    "scheme",
    "evidence_start",
    "evidence_end",
    "memo",
)
ADA, BEN = "Ada Lovelace", "Ben Okafor"
THREE_RS, STAGES = "3rs-2015", "safran-muran-stages"
SEED = 2026
CONFUSION_PAIRS = (("W1", "W2"), ("W3", "W4"), ("C1", "C6"), ("C3", "C4"))
MISS_SUBTLE = 0.15
MISS_STRATEGY = 0.10
BORDERLINE_CODED = 3
SIG_SHIFT = 0.30
BEN_SESSION_RATINGS = {("P01_S2", "G_TCONTRIB"): 2, ("P02_S1", "G_RESOLVED"): 4}
BEN_SKIPPED_STAGES = {("P01_S3", 1, "WS3")}
META_STRATEGIES = {"R4", "R6", "R7"}
OWN_PART_STRATEGIES = {"R5"}

# Evidence for segment presence codes: (session, turn, code) -> exact phrase in the turn.
PHRASES: dict[tuple[str, int, str], str] = {
    ("P01_S1", 16, "W2"): "No.",
    ("P01_S1", 18, "W1"): "Nothing really happened.",
    ("P01_S1", 29, "R4"): "I'm wondering what it's like for you, being asked about this right now",
    ("P01_S1", 52, "W4"): "Actually, funny story, this sort of connects",
    ("P01_S1", 57, "R6"): "what I felt when you said it was something heavier",
    ("P01_S1", 72, "W3"): "motivation is kind of a construct",
    ("P01_S1", 74, "W7"): "I'm just lazy. I've always been like this.",
    ("P01_S1", 92, "W5"): "Whatever you think is best.",
    ("P01_S1", 95, "R5"): "I'm not sure I left much room for what you actually want.",
    ("P01_S1", 103, "R4"): "anything that didn't sit right with you?",
    ("P01_S2", 8, "W7"): "It's just pathetic.",
    ("P01_S2", 10, "W6"): "(laughs) Yeah. It's always pretty loud.",
    ("P01_S2", 11, "R1"): "Can I clear something up, though?",
    ("P01_S2", 38, "W4"): "there was this podcast I was listening to, actually, about productivity",
    ("P01_S2", 41, "R10"): "I'm not sure we got to you, in the car, in the rain",
    ("P01_S2", 62, "W1"): "It doesn't bother me.",
    ("P01_S2", 69, "R8"): "you tend to go quiet and let the other person decide",
    ("P01_S2", 77, "R6"): "I'm feeling a bit uneasy",
    ("P01_S2", 79, "R5"): "I think I came in too quickly last week with the homework",
    ("P01_S3", 24, "W2"): "Bedroom. Saturday. Bass.",
    ("P01_S3", 26, "W5"): "Whatever you think goes there.",
    ("P01_S3", 29, "R5"): "I just brought the worksheet out without really asking you",
    ("P01_S3", 34, "W7"): "It's not the worksheet, it's me.",
    ("P01_S3", 43, "R6"): "I felt relieved.",
    ("P01_S3", 68, "W4"): "the next day the removal guy called me by mistake",
    ("P01_S3", 75, "R9"): "It doesn't sound pathetic to me.",
    ("P02_S1", 6, "C4"): "And now I'm getting charged the full amount for that?",
    ("P02_S1", 11, "R3"): "I want to say a bit about why the policy exists",
    ("P02_S1", 12, "C7"): "What I'm asking is whether you're going to waive it. Yes or no.",
    ("P02_S1", 30, "C2"): "Don't psychoanalyse me.",
    ("P02_S1", 35, "R5"): "that's on me, not you",
    ("P02_S1", 68, "C3"): "I'm not writing in a diary about my feelings like a teenager",
    ("P02_S1", 73, "R2"): "What if it wasn't writing?",
    ("P02_S1", 92, "C5"): "Every week I sit here, and then I go home, and nothing's different.",
    ("P02_S1", 102, "C1"): "Try and start on time next week.",
    ("P02_S2", 4, "C3"): "I'm not doing the breathing thing again",
    ("P02_S2", 8, "C7"): "So today, I want to talk about Frank.",
    ("P02_S2", 24, "C1"): "You sit there like one of those little dogs on a dashboard",
    ("P02_S2", 31, "R5"): "something I've been doing, not something you've been doing wrong",
    ("P02_S2", 56, "C2"): "Don't do that.",
    ("P02_S2", 61, "R7"): "something similar might be happening here, with me, right now",
    ("P02_S2", 62, "C6"): "So now it's my fault that therapy isn't working.",
    ("P02_S2", 88, "C4"): "You always end exactly on the hour, like a taxi meter.",
    ("P02_S2", 91, "R5"): "I'll try to do less nodding and say more of what I actually think",
    ("P02_S3", 6, "C5"): "But nothing changes.",
    ("P02_S3", 8, "C4"): "And you called back on Wednesday.",
    ("P02_S3", 11, "R5"): "I didn't, and I'm sorry.",
    ("P02_S3", 22, "C7"): "I want your mobile number.",
    ("P02_S3", 24, "C2"): "A plan. You always have a plan.",
    ("P02_S3", 30, "C6"): "I don't need you to call me.",
    ("P02_S3", 37, "R8"): "It sounded like it was a rule in that kitchen",
    ("P02_S3", 38, "C1"): "And don't look at me like that. With the sad face.",
    ("P02_S3", 76, "C2"): "No. No letters.",
    ("P02_S3", 95, "R6"): "the most important thing you've told me since we started",
}

# Evidence for stage events (always given): (session, turn, stage) -> phrase.
STAGE_PHRASES: dict[tuple[str, int, str], str] = {
    ("P01_S3", 20, "WS1"): "Sure. Yeah, that's good.",
    ("P01_S3", 29, "WS2"): "Can I pause us for a minute? I want to check something.",
    ("P01_S3", 30, "WS3"): "I guess the worksheets feel a bit like school?",
    ("P01_S3", 34, "WS4"): "No, sorry, forget I said it. That was rude.",
    ("P01_S3", 48, "WS5"): "I don't want to do the worksheet today.",
    ("P01_S3", 68, "WS1"): "That's kind of funny, actually, she took the sofa",
    ("P01_S3", 69, "WS2"): "You caught it yourself",
    ("P01_S3", 74, "WS1"): "That's pathetic, isn't it.",
    ("P01_S3", 75, "WS2"): "It doesn't sound pathetic to me.",
    ("P02_S3", 6, "CS1"): "What is the point of this.",
    ("P02_S3", 11, "CS2"): "You're right, I'll just say it plainly.",
    ("P02_S3", 14, "CS3"): "And I said fine. What was I going to say?",
    ("P02_S3", 30, "CS4"): "Forget it. This is stupid. I sound like a child.",
    ("P02_S3", 40, "CS5"): "I'm so tired, Alan.",
    ("P02_S3", 76, "CS1"): "I'm not writing letters, Alan, I'm not a Victorian.",
    ("P02_S3", 77, "CS2"): "Fair enough, no letters.",
}

# Ben's evidence for the borderline moments he codes: (session, turn, code) -> phrase.
BORDERLINE_PHRASES: dict[tuple[str, int, str], str] = {
    ("P02_S1", 56, "W1"): "It's not painful, it's just a fact.",
    ("P02_S1", 96, "W4"): "That's not for now.",
    ("P02_S2", 46, "W1"): "Don't make it into a thing.",
    ("P02_S2", 66, "W4"): "I think I'm tired of this conversation.",
    ("P02_S3", 50, "W6"): "Don't tell anyone about this. I have a reputation.",
}


@dataclass(frozen=True)
class Span:
    turn: int
    start: int
    end: int


@dataclass(frozen=True)
class Row:
    patient: str
    session: int
    rater: str
    code: str
    unit: str
    unit_index: int
    value: str
    scheme: str
    evidence: Span | None = None
    memo: str = ""


@dataclass
class SessionData:
    name: str
    patient: str
    number: int
    source: ts.Session
    transcript: Transcript
    segment_of: dict[int, int]  # turn index -> 3RS segment index
    n_segments: int

    def text(self, turn: int) -> str:
        return self.transcript.turns[turn - 1].text


# ---- reading ---------------------------------------------------------------------------
def load_sessions(scheme: Scheme) -> list[SessionData]:
    sessions = []
    for name, filename, _timed, _cues, overlap in ck.SESSIONS:
        source = ts.load(name, allow_overlap=overlap)
        [parsed] = read_transcripts(HERE / filename)
        transcript = parsed.transcript
        if len(transcript.turns) != len(source.turns):
            raise AssertionError(
                f"{name}: {len(transcript.turns)} turns, the source has {len(source.turns)}"
            )
        for src, turn in zip(source.turns, transcript.turns, strict=True):
            if " ".join(src.text.split()) != " ".join(turn.text.split()):
                raise AssertionError(f"{name} t{turn.index}: text differs from src/{name}.txt")
        segments = build_segments(transcript.turns, scheme.segmentation)
        segment_of = {}
        for turn in transcript.turns:
            segment = segment_of_turn(segments, turn.index)
            assert segment is not None
            segment_of[turn.index] = segment.index
        patient, _, number = name.partition("_S")
        sessions.append(
            SessionData(name, patient, int(number), source, transcript, segment_of, len(segments))
        )
    return sessions


def find_span(data: SessionData, turn: int, phrase: str) -> Span:
    text = data.text(turn)
    start = text.find(phrase)
    if start < 0:
        raise AssertionError(f"{data.name} t{turn}: phrase {phrase!r} not in {text!r}")
    span = Span(turn, start, start + len(phrase))
    if not (0 <= span.start < span.end <= len(text)) or text[span.start : span.end] != phrase:
        raise AssertionError(f"{data.name} t{turn}: bad span for {phrase!r}")
    return span


_SENTENCE_END = re.compile(r"[.?!]+[\"')]*\s+")


def widen_to_sentences(data: SessionData, span: Span) -> Span:
    """Ben's habit: the whole sentence(s) around a phrase."""
    text = data.text(span.turn)
    bounds = [0, *(m.end() for m in _SENTENCE_END.finditer(text)), len(text)]
    start = max(b for b in bounds if b <= span.start)
    end = min(b for b in bounds if b >= span.end)
    while end > span.end and text[end - 1].isspace():
        end -= 1
    return Span(span.turn, start, end)


# ---- Ada: the key as written ---------------------------------------------------------------
@dataclass
class SegmentCoding:
    """One rater's 3RS coding of one segment."""

    codes: dict[str, list[int]]  # code -> annotated turns of the segment (in order)
    sig: dict[str, int]  # "W"/"C" -> significance
    evidence: dict[str, Span]
    memo: dict[str, str]


def is_marker(code: str) -> bool:
    return code[0] in "WC"


def ada_segments(data: SessionData) -> dict[int, SegmentCoding]:
    s = data.source
    out: dict[int, SegmentCoding] = {}
    for index in range(1, data.n_segments + 1):
        seg_turns = [t for t in s.turns if data.segment_of[t.index] == index]
        codes: dict[str, list[int]] = {}
        for turn in seg_turns:
            for code in turn.codes:
                if any(ck._is(code, kind) for kind in "WCR"):
                    codes.setdefault(code, []).append(turn.index)
        evidence = {}
        for code, turns in codes.items():
            for turn in turns:
                phrase = PHRASES.get((data.name, turn, code))
                if phrase is not None:
                    evidence[code] = find_span(data, turn, phrase)
                    break
        sig = {kind: int(ck._seg_sig(s, seg_turns, kind)) for kind in "WC"}
        out[index] = SegmentCoding(codes, sig, evidence, {})
    used = {
        (data.name, span.turn, code) for seg in out.values() for code, span in seg.evidence.items()
    }
    unused = {k for k in PHRASES if k[0] == data.name} - used
    if unused:
        raise AssertionError(f"phrases never used (wrong turn or code?): {sorted(unused)}")
    return out


@dataclass
class EpisodeCoding:
    stages: list[tuple[str, Span]]
    resolved: int
    features: list[str]
    memo: str


def ada_episodes(data: SessionData) -> dict[int, EpisodeCoding]:
    s = data.source
    episodes: dict[int, EpisodeCoding] = {}
    if not any(ck._is(c, "S") for t in s.turns for c in t.codes):
        return episodes
    for n, ep in enumerate(s.episodes.values(), start=1):
        turns = [s.turns[i - 1] for i in ep.turns]
        first: dict[str, int] = {}
        for turn in turns:
            for code in turn.codes:
                if ck._is(code, "S"):
                    first.setdefault(code, turn.index)
        if not first:  # no stage sequence in the key: stage 1 at the marker, 2 at the response
            prefix = "WS" if ep.kind == "withdrawal" else "CS"
            marker = next(t for t in turns if any(is_marker(c) and c[1] != "S" for c in t.codes))
            response = next(t for t in turns if t.index > marker.index and t.role == "T")
            first = {f"{prefix}1": marker.index, f"{prefix}2": response.index}
        stages = [
            (code, find_span(data, turn, STAGE_PHRASES[(data.name, turn, code)]))
            for code, turn in sorted(first.items(), key=lambda kv: (kv[1], kv[0]))
        ]
        strategies = {c for t in turns for c in t.codes if ck._is(c, "R")}
        features = []
        if strategies & META_STRATEGIES:
            features.append("EP_TX_META")
        if strategies & OWN_PART_STRATEGIES:
            features.append("EP_TX_RESP")
        episodes[n] = EpisodeCoding(stages, ep.resolved, features, f"{ep.id}: {ep.label}")
    return episodes


def session_ratings(data: SessionData) -> dict[str, str]:
    ratings = {k: str(v) for k, v in data.source.globals.items()}
    if not data.source.episodes:
        ratings["G_RESOLVED"] = "NA"
    return ratings


# ---- Ben: the rules in the module docstring ---------------------------------------------
def ben_segments(
    sessions: Sequence[SessionData],
    ada: dict[str, dict[int, SegmentCoding]],
    rng: random.Random,
) -> tuple[dict[str, dict[int, SegmentCoding]], list[Row]]:
    ben = {
        name: {
            i: SegmentCoding(
                {c: list(t) for c, t in seg.codes.items()},
                dict(seg.sig),
                dict(seg.evidence),
                {},
            )
            for i, seg in segs.items()
        }
        for name, segs in ada.items()
    }
    by_name = {d.name: d for d in sessions}
    sig_of_episode = {
        (d.name, t.index): d.source.episodes[t.episode].sig
        for d in sessions
        for t in d.source.turns
        if t.episode
    }
    order = [(d.name, i) for d in sessions for i in range(1, d.n_segments + 1)]

    # 1. subtype confusions
    for a, b in CONFUSION_PAIRS:
        candidates = [
            (name, i, code)
            for name, i in order
            for code in sorted(ben[name][i].codes, key=ck._order)
            if code in (a, b)
            and len(ben[name][i].codes[code]) == 1
            and (b if code == a else a) not in ben[name][i].codes
        ]
        name, i, code = rng.choice(candidates)
        partner = b if code == a else a
        seg = ben[name][i]
        seg.codes[partner] = seg.codes.pop(code)
        if code in seg.evidence:
            seg.evidence[partner] = seg.evidence.pop(code)
    confused = {(n, i, c) for n, i in order for c in ben[n][i].codes} - {
        (n, i, c) for n, i in order for c in ada[n][i].codes
    }

    # 2. missed subtle markers
    subtle = [
        (name, i, code)
        for name, i in order
        for code in sorted(ben[name][i].codes, key=ck._order)
        if is_marker(code)
        and (name, i, code) not in confused
        and len(ben[name][i].codes[code]) == 1
        and sig_of_episode[(name, ben[name][i].codes[code][0])] < 4
    ]
    for name, i, code in rng.sample(subtle, round(MISS_SUBTLE * len(subtle))):
        del ben[name][i].codes[code]
        ben[name][i].evidence.pop(code, None)

    # 3. missed single-turn strategies
    single = [
        (name, i, code)
        for name, i in order
        for code in sorted(ben[name][i].codes, key=ck._order)
        if code[0] == "R" and len(ben[name][i].codes[code]) == 1
    ]
    for name, i, code in rng.sample(single, round(MISS_STRATEGY * len(single))):
        del ben[name][i].codes[code]
        ben[name][i].evidence.pop(code, None)

    # 4. borderline moments
    borderline = []
    for d in sessions:
        for t in d.source.turns:
            for code in t.codes:
                if code.startswith("?"):
                    i = d.segment_of[t.index]
                    if code[1:] not in ada[d.name][i].codes:
                        borderline.append((d.name, i, code[1:], t.index))
    coded = set(rng.sample(borderline, BORDERLINE_CODED))
    considered: list[Row] = []
    for name, i, code, turn in borderline:
        d = by_name[name]
        if (name, i, code, turn) in coded:
            seg = ben[name][i]
            seg.codes[code] = [turn]
            phrase = BORDERLINE_PHRASES[(name, turn, code)]
            seg.evidence[code] = widen_to_sentences(d, find_span(d, turn, phrase))
            seg.memo[code] = f"borderline (t{turn}); reads as movement away to me"
        else:
            considered.append(
                Row(d.patient, d.number, BEN, code, "segment", i, "0", THREE_RS,
                    memo=f"borderline (t{turn}) considered, not coded")
            )  # fmt: skip

    # 5. significance
    for name, i in order:
        seg, ada_seg = ben[name][i], ada[name][i]
        for kind in "WC":
            has = [c for c in seg.codes if c[0] == kind]
            if not has:
                seg.sig[kind] = 1
            elif not any(c[0] == kind for c in ada_seg.codes):
                seg.sig[kind] = 2
    with_marker = [(n, i) for n, i in order if any(is_marker(c) for c in ben[n][i].codes)]
    for name, i in rng.sample(with_marker, round(SIG_SHIFT * len(order))):
        seg = ben[name][i]
        kinds = [k for k in "WC" if any(c[0] == k for c in seg.codes)]
        kind = max(kinds, key=lambda k: (seg.sig[k], k == "W"))
        step = rng.choice((-1, 1))
        if not 1 <= seg.sig[kind] + step <= 5:
            step = -step
        seg.sig[kind] += step

    # 8. whole sentences
    for name, i in order:
        seg = ben[name][i]
        seg.evidence = {c: widen_to_sentences(by_name[name], sp) for c, sp in seg.evidence.items()}
    return ben, considered


def ben_episodes(data: SessionData, ada: dict[int, EpisodeCoding]) -> dict[int, EpisodeCoding]:
    out = {}
    for n, ep in ada.items():
        stages = [
            (code, widen_to_sentences(data, span))
            for code, span in ep.stages
            if (data.name, n, code) not in BEN_SKIPPED_STAGES
        ]
        out[n] = replace(ep, stages=stages, memo="")
    return out


# ---- rows ------------------------------------------------------------------------------
def segment_rows(d: SessionData, rater: str, segs: dict[int, SegmentCoding]) -> Iterable[Row]:
    for i, seg in segs.items():
        for code in seg.codes:
            yield Row(d.patient, d.number, rater, code, "segment", i, "1", THREE_RS,
                      seg.evidence.get(code), seg.memo.get(code, ""))  # fmt: skip
        for kind in "WC":
            yield Row(d.patient, d.number, rater, f"{kind}_SIG", "segment", i, str(seg.sig[kind]),
                      THREE_RS)  # fmt: skip


def episode_rows(d: SessionData, rater: str, eps: dict[int, EpisodeCoding]) -> Iterable[Row]:
    for n, ep in eps.items():
        for code, span in ep.stages:
            yield Row(d.patient, d.number, rater, code, "episode", n, "1", STAGES, span)
        for code in ep.features:
            yield Row(d.patient, d.number, rater, code, "episode", n, "1", STAGES)
        yield Row(d.patient, d.number, rater, "EP_RESOLVED", "episode", n, str(ep.resolved),
                  STAGES, memo=ep.memo)  # fmt: skip


def build_rows() -> list[Row]:
    schemes = {key: find_builtin(key)[0] for key in (THREE_RS, STAGES)}
    sessions = load_sessions(schemes[THREE_RS])
    rng = random.Random(SEED)
    ada_segs = {d.name: ada_segments(d) for d in sessions}
    ben_segs, considered = ben_segments(sessions, ada_segs, rng)
    rows: list[Row] = list(considered)
    for d in sessions:
        ratings = session_ratings(d)
        ada_eps = ada_episodes(d)
        for rater, segs, eps in (
            (ADA, ada_segs[d.name], ada_eps),
            (BEN, ben_segs[d.name], ben_episodes(d, ada_eps)),
        ):
            rows += segment_rows(d, rater, segs)
            for code, value in ratings.items():
                if rater == BEN:
                    value = str(BEN_SESSION_RATINGS.get((d.name, code), value))
                rows.append(Row(d.patient, d.number, rater, code, "session", 1, value, THREE_RS))
            rows += episode_rows(d, rater, eps)
    check(rows, schemes, {(d.patient, d.number): d for d in sessions})
    return sorted(rows, key=lambda r: sort_key(r, schemes))


def sort_key(row: Row, schemes: dict[str, Scheme]) -> tuple[object, ...]:
    scheme = schemes[row.scheme]
    ids = [s.id for p in scheme.pathways for s in p.stages]
    ids += [c.id for c in scheme.codes()] + [r.id for r in scheme.ratings]
    span = (row.evidence.turn, row.evidence.start) if row.evidence else (0, 0)
    return (
        row.patient,
        row.session,
        row.rater,
        (THREE_RS, STAGES).index(row.scheme),
        ("segment", "session", "episode").index(row.unit),
        row.unit_index,
        ids.index(row.code),
        span,
        row.value,
    )


def check(rows: Sequence[Row], schemes: dict[str, Scheme], sessions: dict) -> None:
    """The importer's rules, checked here so a bad edit fails at build time."""
    seen: set[tuple[object, ...]] = set()
    for row in rows:
        scheme = schemes[row.scheme]
        if not scheme.has_id(row.code):
            raise AssertionError(f"{row}: {row.code} is not in {row.scheme}")
        d = sessions[(row.patient, row.session)]
        if row.unit == "segment" and not 1 <= row.unit_index <= d.n_segments:
            raise AssertionError(f"{row}: no such segment")
        if row.evidence is not None:
            text = d.text(row.evidence.turn)
            if not 0 <= row.evidence.start < row.evidence.end <= len(text):
                raise AssertionError(f"{row}: evidence out of bounds")
            if row.unit == "segment" and d.segment_of[row.evidence.turn] != row.unit_index:
                raise AssertionError(f"{row}: evidence turn outside the segment")
        key = (row.patient, row.session, row.rater, row.scheme, row.code, row.unit, row.unit_index)
        if key in seen:
            raise AssertionError(f"{row}: given twice")
        seen.add(key)


def write_csv(rows: Sequence[Row], out: Path) -> None:
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(COLUMNS)
        for r in rows:
            ev = r.evidence
            writer.writerow(
                [
                    r.patient,
                    r.session,
                    r.rater,
                    r.code,
                    r.unit,
                    r.unit_index,
                    r.value,
                    r.scheme,
                    f"{ev.turn}:{ev.start}" if ev else "",
                    f"{ev.turn}:{ev.end}" if ev else "",
                    r.memo,
                ]
            )


def main(out: Path | None = None) -> list[Row]:
    """Write the codes table to ``out`` (default: ``codes.csv`` next to this file)."""
    rows = build_rows()
    write_csv(rows, OUT if out is None else Path(out))
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    written = main(args.out)
    counts = {r: sum(1 for w in written if w.rater == r and w.value != "0") for r in (ADA, BEN)}
    print(
        f"wrote {len(written)} rows to {args.out} "
        + ", ".join(f"{k}: {v} stored" for k, v in counts.items())
        + f", {sum(1 for w in written if w.value == '0')} value-0"
    )
