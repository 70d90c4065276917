"""The columns of every analysis export: one list per format, the single source of truth.

Each format's header, its data dictionary (``FILE.dictionary.csv``) and the column
tables of docs/exporting.md are all built from these :class:`Column` specs, so a column
cannot be written without being described. ``csv-wide`` and ``csv-sessions`` add one
column per code or rating of the exported scheme; those are described by
:func:`wide_item_columns` and :func:`session_item_columns` from the scheme itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from coder.domain.scheme import Scheme, Scope

TEXT, INTEGER, DATE, DATETIME, HMS, FLAG = (
    "text",
    "integer",
    "date",
    "datetime",
    "time",
    "integer 0/1",
)


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: str
    allowed: str
    meaning: str


CODED_RULE = (
    "A segment counts as coded by a rater when that rater gave any code or rating in it "
    "(a segment-level code or rating, or a turn-level code on one of its turns)."
)
EMPTY = "empty"

LONG: tuple[Column, ...] = (
    Column("patient", TEXT, "any", "Patient code"),
    Column("session", INTEGER, ">= 0", "Session number of the patient"),
    Column("session_date", DATE, "YYYY-MM-DD or empty", "Date of the session, if recorded"),
    Column(
        "rater",
        TEXT,
        "rater names",
        "Who made the code (the consensus pseudo-rater for consensus codes)",
    ),
    Column("rater_role", TEXT, "rater, lead, consensus", "The rater's role in the project"),
    Column("consensus", FLAG, "0, 1", "1 for a consensus code, 0 for an individual rater's"),
    Column(
        "round",
        INTEGER,
        ">= 1 or empty",
        "Coding round the code was made in; empty when made outside rounds",
    ),
    Column("scheme", TEXT, "scheme ids", "Scheme id (e.g. 3rs-2015)"),
    Column("scheme_version", TEXT, "any", "Version declared in the scheme file"),
    Column(
        "scheme_revision",
        INTEGER,
        ">= 1",
        "Revision of that scheme stored in the project (a changed scheme file is a new revision)",
    ),
    Column("code", TEXT, "ids of the scheme", "Code, rating or stage id (W1, W_SIG, WS3…)"),
    Column("code_name", TEXT, "any", "Name of the code, rating or stage in its scheme"),
    Column(
        "code_group",
        TEXT,
        "group ids; 'segment rating', 'session rating', 'episode rating'; 'PATHWAY pathway'",
        "Code group id (one spelling per group: the id from the scheme file); ratings "
        "and stages are grouped by scope and pathway",
    ),
    Column("item_kind", TEXT, "code, rating, stage", "Presence code, rating, or resolution stage"),
    Column("unit", TEXT, "segment, turn, session, episode", "What the code was given for"),
    Column(
        "unit_index",
        INTEGER,
        ">= 1",
        "1-based segment number, turn number, 1 for the session, or the rater's episode number",
    ),
    Column(
        "segment_start_ms",
        INTEGER,
        ">= 0 or empty",
        "Start of the segment in milliseconds from the start of the recording (segment units only)",
    ),
    Column("segment_end_ms", INTEGER, ">= 0 or empty", "End of the segment in milliseconds"),
    Column("segment_start", HMS, "hh:mm:ss or empty", "segment_start_ms as hh:mm:ss"),
    Column("segment_end", HMS, "hh:mm:ss or empty", "segment_end_ms as hh:mm:ss"),
    Column(
        "turn",
        INTEGER,
        ">= 1 or empty",
        "The turn the code is about: unit_index for a "
        "turn-level code, else the turn of the quoted evidence",
    ),
    Column("speaker", TEXT, "speaker labels", "Speaker label of that turn"),
    Column("speaker_role", TEXT, "therapist, patient, other, unknown", "Speaker role of that turn"),
    Column(
        "evidence_start",
        TEXT,
        "TURN:CHAR or empty",
        "Start of the marked evidence (turn, 0-based character), as in the codes table",
    ),
    Column(
        "evidence_end",
        TEXT,
        "TURN:CHAR or empty",
        "End of the marked evidence (character position is exclusive)",
    ),
    Column("evidence_text", TEXT, "any", "The quoted evidence: the marked text of the turn"),
    Column(
        "episode",
        INTEGER,
        ">= 1 or empty",
        "Episode number (of this rater in this session) for stage codes and episode ratings",
    ),
    Column("episode_first_turn", INTEGER, ">= 1 or empty", "First turn of that episode"),
    Column(
        "episode_last_turn",
        INTEGER,
        ">= 1 or empty",
        "Last turn of that episode (empty while open)",
    ),
    Column(
        "value",
        TEXT,
        "1; the rating's scale; NA",
        "1 for a present code; the rating value; NA where the scale allows 'not applicable'",
    ),
    Column("memo", TEXT, "any", "The rater's memo on the code"),
    Column(
        "consensus_how",
        TEXT,
        "decision, agreement, empty",
        "For a consensus code: "
        "'decision' when a lead settled a disagreement (consensus_decisions), "
        "'agreement' when all raters agreed and the code was adopted; empty otherwise",
    ),
    Column(
        "consensus_rater_values",
        TEXT,
        "RATER=VALUE; …",
        "For a decided consensus code: what each rater had (absent = not marked)",
    ),
    Column(
        "consensus_decided_by",
        TEXT,
        "lead names",
        "For a decided consensus code: the lead who decided",
    ),
    Column("created_at", DATETIME, "ISO 8601 (UTC)", "When the code was made"),
    Column("updated_at", DATETIME, "ISO 8601 (UTC)", "When the code was last changed"),
)

WIDE_FIXED: tuple[Column, ...] = (
    Column("patient", TEXT, "any", "Patient code"),
    Column("session", INTEGER, ">= 0", "Session number of the patient"),
    Column("session_date", DATE, "YYYY-MM-DD or empty", "Date of the session"),
    Column("scheme", TEXT, "scheme ids", "Scheme whose segments and codes are exported"),
    Column("segment", INTEGER, ">= 1", "Segment number within the session"),
    Column("segment_start_ms", INTEGER, ">= 0 or empty", "Start of the segment (ms)"),
    Column("segment_end_ms", INTEGER, ">= 0 or empty", "End of the segment (ms)"),
    Column("segment_start", HMS, "hh:mm:ss or empty", "Start of the segment as hh:mm:ss"),
    Column("segment_end", HMS, "hh:mm:ss or empty", "End of the segment as hh:mm:ss"),
    Column("first_turn", INTEGER, ">= 1", "First turn of the segment"),
    Column("last_turn", INTEGER, ">= 1", "Last turn of the segment"),
    Column("rater", TEXT, "rater names", "Whose codes the row holds"),
    Column("consensus", FLAG, "0, 1", "1 when the row holds consensus codes"),
    Column("coded", FLAG, "0, 1", f"1 when the rater coded this segment. {CODED_RULE}"),
)

SESSIONS_FIXED: tuple[Column, ...] = (
    Column("patient", TEXT, "any", "Patient code"),
    Column("session", INTEGER, ">= 0", "Session number of the patient"),
    Column("session_date", DATE, "YYYY-MM-DD or empty", "Date of the session"),
    Column("scheme", TEXT, "scheme ids", "Scheme whose codes are counted"),
    Column("rater", TEXT, "rater names", "Whose codes the row summarises"),
    Column("consensus", FLAG, "0, 1", "1 when the row summarises consensus codes"),
    Column("segments", INTEGER, ">= 0", "Segments of the session under the scheme"),
    Column("coded_segments", INTEGER, ">= 0", f"Segments the rater coded. {CODED_RULE}"),
    Column("uncoded_segments", INTEGER, ">= 0", "segments − coded_segments"),
    Column(
        "codes_total",
        INTEGER,
        ">= 0",
        "Code applications of the rater in this "
        "session under the scheme (codes, ratings and stages, every unit)",
    ),
)

CODEBOOK: tuple[Column, ...] = (
    Column("scheme", TEXT, "scheme ids", "Scheme id"),
    Column("scheme_version", TEXT, "any", "Version declared in the scheme file"),
    Column("scheme_revision", INTEGER, ">= 1", "Revision stored in the project"),
    Column("item_kind", TEXT, "code, rating, stage", "Presence code, rating, or stage"),
    Column(
        "group",
        TEXT,
        "group ids",
        "Code group id, rating scope ('segment rating', "
        "'session rating', 'episode rating') or 'PATHWAY pathway'",
    ),
    Column("group_label", TEXT, "any", "Label of the group or pathway"),
    Column(
        "family", TEXT, "withdrawal, confrontation, resolution, other", "What the item is about"
    ),
    Column("scope", TEXT, "segment, session, episode", "The unit the item is given for"),
    Column("code", TEXT, "ids", "Code, rating or stage id"),
    Column("name", TEXT, "any", "Name (label) of the item"),
    Column("definition", TEXT, "any", "Definition (the team's paraphrase)"),
    Column("hotkey", TEXT, "a key or empty", "Key that applies it in the desktop app"),
    Column(
        "scale",
        TEXT,
        "'0/1', 'MIN-MAX', 'order N'",
        "Values: 0/1 presence, the rating's range, or the stage's order in its pathway",
    ),
    Column("scale_anchors", TEXT, "VALUE=ANCHOR; …", "Labelled points of a rating scale"),
    Column("allows_na", FLAG, "0, 1", "1 when a rating may be NA (not applicable)"),
)


def scale_text(scheme: Scheme, item_id: str) -> str:
    """'0/1' for a code, 'MIN-MAX' (with NA) for a rating, 'order N' for a stage."""
    if scheme.is_code(item_id):
        return "0/1"
    if scheme.is_rating(item_id):
        scale = scheme.rating(item_id).scale
        return f"{scale.min}-{scale.max}" + (", NA" if scale.allow_na else "")
    return f"order {scheme.stage(item_id)[1].order}"


def wide_items(scheme: Scheme) -> list[str]:
    """Ids that get a column in ``csv-wide``: segment-level codes, then segment ratings."""
    codes = [c.id for g in scheme.groups if g.scope is Scope.SEGMENT for c in g.codes]
    ratings = [r.id for r in scheme.ratings_for(Scope.SEGMENT)]
    return codes + ratings


def wide_item_columns(scheme: Scheme) -> list[Column]:
    columns: list[Column] = []
    for item in wide_items(scheme):
        if scheme.is_code(item):
            code = scheme.code(item)
            columns.append(
                Column(
                    item,
                    FLAG,
                    "0, 1, empty",
                    f"{code.name} ({code.group_id}): 1 = marked in this segment, 0 = the "
                    "segment was coded without it, empty = segment not coded",
                )
            )
        else:
            rating = scheme.rating(item)
            columns.append(
                Column(
                    item,
                    INTEGER,
                    f"{scale_text(scheme, item)}, empty",
                    f"{rating.label}: the rating given for this segment; empty = not "
                    "rated (or NA where allowed)",
                )
            )
    return columns


def session_items(scheme: Scheme) -> tuple[list[str], list[str]]:
    """Session ratings, and the codes whose per-session totals ``csv-sessions`` gives."""
    ratings = [r.id for r in scheme.ratings_for(Scope.SESSION)]
    codes = [c.id for g in scheme.groups if g.scope is Scope.SEGMENT for c in g.codes]
    return ratings, codes


def session_item_columns(scheme: Scheme) -> list[Column]:
    ratings, codes = session_items(scheme)
    columns = [
        Column(
            r,
            INTEGER,
            f"{scale_text(scheme, r)}, empty",
            f"{scheme.rating(r).label}: the session-level rating; empty = not rated (or NA)",
        )
        for r in ratings
    ]
    columns += [
        Column(
            f"{c}_segments",
            INTEGER,
            ">= 0",
            f"Segments in which {c} ({scheme.code(c).name}) was marked (a turn-level {c} "
            "counts for the segment holding the turn)",
        )
        for c in codes
    ]
    return columns


DICTIONARY: tuple[Column, ...] = (
    Column("column", TEXT, "column names", "A column of the exported file"),
    Column("type", TEXT, ", ".join((TEXT, INTEGER, DATE, DATETIME, HMS, FLAG)), "Its type"),
    Column("allowed", TEXT, "any", "The values it may hold"),
    Column("meaning", TEXT, "any", "What it means"),
)


def dictionary_rows(columns: Sequence[Column]) -> list[list[str]]:
    return [[c.name, c.type, c.allowed, c.meaning] for c in columns]


def markdown_table(columns: Sequence[Column]) -> str:
    """The column table of docs/exporting.md (kept in step by a test)."""
    lines = ["| column | type | allowed | meaning |", "|---|---|---|---|"]
    for c in columns:
        cells = (f"`{c.name}`", c.type, c.allowed, c.meaning)
        lines.append("| " + " | ".join(x.replace("|", "\\|") for x in cells) + " |")
    return "\n".join(lines)
