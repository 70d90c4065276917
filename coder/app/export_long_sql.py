"""``csv-long`` on SQLite: SQLite writes each whole CSV line.

Gluing and quoting 36 values per row in Python (``csv.writer``) was three quarters of
the time of a million-row export. Here the values that repeat (what a rater, round,
scheme revision, code, segment, episode and consensus decision write) are formatted
once by ``csv.writer`` itself into small TEMP tables, and one query per therapy session
joins them to the code applications and writes the line with one ``printf``, quoting
the free text (memos, quoted evidence, speaker labels, unknown code ids) in SQL exactly
as ``csv.writer`` does (enum values such as the unit or speaker role need none): a field
holding a comma, a double quote or a line break is put in double quotes with its quotes
doubled (which characters force quoting is asked of the running Python's ``csv`` module,
see :data:`FORCES_QUOTES`). The TEMP tables live on the read transaction's connection
and are dropped at the end; nothing is written to the project.

The bytes are those of :func:`coder.app.export_long.long_rows` + ``csv.writer``
(``tests/app/test_output_pinned.py`` runs both against the same pinned files), with
one documented limit: a non-integral ``value`` (never stored by the app: values are
integers) would be written with SQLite's 15 significant digits instead of Python's
shortest round-trip form.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy.orm import Session as OrmSession

from coder.app.export_common import hms
from coder.app.export_long import LongContext
from coder.io.csv_export import CHUNK

_TEMP = ("x_rater", "x_round", "x_scheme", "x_item", "x_segment", "x_episode", "x_decision")


def _forces_quotes() -> str:
    """The characters that make ``csv.writer`` (as the export configures it) quote a
    field: asked of the running Python, whose rules have changed between versions."""
    found = ""
    for char in ',"\n\r\t\x0b\x0c\x00 ;|':
        buffer = io.StringIO()
        try:
            csv.writer(buffer, lineterminator="\n").writerow([f"a{char}b", "c"])
        except csv.Error:
            continue
        if buffer.getvalue().startswith('"'):
            found += char
    return found


FORCES_QUOTES = _forces_quotes()


class Fragments:
    """Values as ``csv.writer`` writes them inside a row (no line end), one writer for
    many calls (tens of thousands of segments). A trailing empty field is added and cut
    off again: ``csv.writer`` writes a row of one empty field as ``""``, which inside a
    longer row it would not."""

    def __init__(self) -> None:
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, lineterminator="\n")

    def __call__(self, values: Sequence[object]) -> str:
        self._buffer.seek(0)
        self._buffer.truncate()
        self._writer.writerow([*values, ""])
        return self._buffer.getvalue()[:-2]


def _quoted(expr: str) -> str:
    """SQL for a text expression as ``csv.writer`` writes it (NULL → empty)."""
    pattern = "*[" + FORCES_QUOTES.replace("'", "''") + "]*"
    return (
        f"CASE WHEN ({expr}) GLOB '{pattern}' "
        f"THEN '\"' || replace({expr}, '\"', '\"\"') || '\"' ELSE coalesce({expr}, '') END"
    )


def _stamp(column: str) -> tuple[str, list[str]]:
    """SQLAlchemy's stored 'YYYY-MM-DD HH:MM:SS.ffffff' as ``datetime.isoformat()``
    writes it (no '.000000'), as a ``printf`` format and its arguments."""
    return "%.*s", [
        f"CASE WHEN {column} GLOB '*.000000' THEN 19 ELSE 26 END",
        f"replace({column}, ' ', 'T')",
    ]


def _hms(ms: str) -> str:
    """SQL for :func:`coder.app.export_common.hms` of a time >= 0 (NULL stays NULL)."""
    seconds = f"({ms} / 1000)"
    return (
        f"CASE WHEN {ms} IS NOT NULL THEN printf('%02d:%02d:%02d', "
        f"{seconds} / 3600, {seconds} / 60 % 60, {seconds} % 60) END"
    )


def _position(column: str) -> str:
    return (
        f"CASE WHEN a.evidence_turn IS NOT NULL AND {column} IS NOT NULL "
        f"THEN a.evidence_turn || ':' || {column} END"
    )


_TURN = "CASE WHEN a.unit = 'turn' THEN a.unit_index ELSE a.evidence_turn END"
_EVIDENCE = (
    "CASE WHEN a.evidence_start IS NOT NULL "
    "THEN substr(t.text, a.evidence_start + 1, a.evidence_end - a.evidence_start) END"
)
# The line as one printf (one allocation per row; ``||`` made one per piece, and the
# string building was most of the query's time). printf writes NULL as an empty field.
_PIECES: list[tuple[str, list[str]]] = [
    ("%s", ["?"]),  # patient, session, session_date (one fragment per session)
    ("%s", ["xr.txt"]),  # rater, rater_role, consensus
    ("%s", ["xo.txt"]),  # round
    ("%s", ["xs.txt"]),  # scheme, scheme_version, scheme_revision
    ("%s", [f"coalesce(xi.txt, {_quoted('a.code_id')} || ',,,')"]),  # code .. item_kind
    ("%s", ["a.unit"]),  # an enum value (segment, turn, ...): nothing to quote
    ("%s", ["a.unit_index"]),
    ("%s", ["coalesce(xg.txt, ',,,')"]),  # segment_start_ms .. segment_end
    ("%s", [_TURN]),
    ("%s", [_quoted("sp.label")]),
    ("%s", ["sp.role"]),  # an enum value (therapist, patient, ...): nothing to quote
    ("%s", [_position("a.evidence_start")]),
    ("%s", [_position("a.evidence_end")]),
    ("%s", [_quoted(_EVIDENCE)]),
    ("%s", ["coalesce(xe.txt, ',,')"]),  # episode, its first and last turn
    ("%s", ["coalesce(a.value, 'NA')"]),
    ("%s", [_quoted("a.memo")]),
    ("%s", ["CASE WHEN xr.consensus THEN coalesce(xd.txt, 'agreement,,') ELSE ',,' END"]),
    _stamp("a.created_at"),
    _stamp("a.updated_at"),
]
_LINE = "printf('{}', {})".format(
    ",".join(f for f, _ in _PIECES) + "\n",
    ", ".join(arg for _, args in _PIECES for arg in args),
)
_QUERY = f"""
SELECT {_LINE}
FROM code_applications a
JOIN temp.x_rater xr ON xr.id = a.rater_id
JOIN temp.x_scheme xs ON xs.id = a.scheme_id
LEFT JOIN temp.x_round xo ON xo.id = a.round_id
LEFT JOIN temp.x_item xi ON xi.scheme_id = a.scheme_id AND xi.code_id = a.code_id
LEFT JOIN temp.x_segment xg ON xg.id = a.segment_id
LEFT JOIN temp.x_episode xe ON xe.id = a.episode_id
LEFT JOIN temp.x_decision xd ON xd.id = a.id
LEFT JOIN turns t ON t.transcript_id = ? AND t."index" = ({_TURN})
LEFT JOIN speakers sp ON sp.id = t.speaker_id
WHERE a.session_id = ?"""
_ORDER = """
ORDER BY a.rater_id, a.unit, a.unit_index, a.code_id, a.evidence_turn, a.evidence_start, a.id"""


def long_lines(
    ctx: LongContext,
    session: OrmSession,
    rater_ids: list[int] | None,
    round_id: int | None,
    scheme_key: str | None = None,
) -> Iterator[list[str]]:
    """The ``csv-long`` lines (each ending in ``\\n``), in chunks of up to ``CHUNK``."""
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    where = ""
    filters: list[object] = []
    if rater_ids is not None:
        where += f" AND a.rater_id IN ({', '.join('?' for _ in rater_ids)})"
        filters += rater_ids
    if round_id is not None:
        where += " AND a.round_id = ?"
        filters.append(round_id)
    if scheme_key is not None:
        where += " AND a.scheme_id IN (SELECT id FROM schemes WHERE key = ?)"
        filters.append(scheme_key)
    _fill(ctx, cursor)
    try:
        sql = _QUERY + where + _ORDER
        fragment = Fragments()
        for patient, number, day, session_id, transcript_id in ctx.sessions:
            head = fragment((patient, number, day))
            cursor.execute(sql, [head, transcript_id, session_id, *filters])
            while chunk := cursor.fetchmany(CHUNK):
                yield [row[0] for row in chunk]
    finally:
        for name in _TEMP:
            cursor.execute(f"DROP TABLE IF EXISTS temp.{name}")


def _fill(ctx: LongContext, cursor: Any) -> None:
    """The TEMP tables of pre-formatted fragments, from ``ctx`` and the project."""
    fragment = Fragments()
    for name in _TEMP:
        cursor.execute(f"DROP TABLE IF EXISTS temp.{name}")

    def table(name: str, columns: str, rows: Iterable[Sequence[object]]) -> None:
        cursor.execute(f"CREATE TEMP TABLE {name} ({columns})")
        marks = ", ".join("?" for _ in columns.split(","))
        cursor.executemany(f"INSERT INTO temp.{name} VALUES ({marks})", rows)

    table(
        "x_rater",
        "id INTEGER PRIMARY KEY, txt TEXT, consensus INTEGER",
        ((rid, fragment((n, role, int(c))), int(c)) for rid, (n, role, c) in ctx.raters.items()),
    )
    table(
        "x_round",
        "id INTEGER PRIMARY KEY, txt TEXT",
        ((rid, fragment((n,))) for rid, n in ctx.rounds.items()),
    )
    table(
        "x_scheme",
        "id INTEGER PRIMARY KEY, txt TEXT",
        ((sid, fragment(parts)) for sid, parts in ctx.schemes.items()),
    )
    used = [sid for (sid,) in cursor.execute("SELECT DISTINCT scheme_id FROM code_applications")]
    cursor.execute(
        "CREATE TEMP TABLE x_item (scheme_id INTEGER, code_id TEXT, txt TEXT, "
        "PRIMARY KEY (scheme_id, code_id)) WITHOUT ROWID"
    )
    cursor.executemany(
        "INSERT INTO temp.x_item VALUES (?, ?, ?)",
        (
            (sid, code_id, fragment((code_id, *described)))
            for sid in used
            if sid in ctx.schemes
            for code_id, described in ctx.names(sid).items()
        ),
    )
    # Segment bounds and their hh:mm:ss, tens of thousands of them, formatted by SQLite
    # (as export_common.hms does for times >= 0; negative ones, never stored by the app,
    # where SQLite's division would round the other way, by hms itself).
    cursor.execute("CREATE TEMP TABLE x_segment (id INTEGER PRIMARY KEY, txt TEXT)")
    cursor.execute(
        f"""INSERT INTO temp.x_segment
        SELECT id, printf('%s,%s,%s,%s', start_ms, end_ms, {_hms("start_ms")}, {_hms("end_ms")})
        FROM segments WHERE coalesce(start_ms, 0) >= 0 AND coalesce(end_ms, 0) >= 0"""
    )
    cursor.executemany(
        "INSERT INTO temp.x_segment VALUES (?, ?)",
        [
            (sid, fragment((s, e, hms(s), hms(e))))
            for sid, s, e in cursor.execute(
                "SELECT id, start_ms, end_ms FROM segments WHERE start_ms < 0 OR end_ms < 0"
            ).fetchall()
        ],
    )
    episodes = cursor.execute('SELECT id, "index", start_turn, end_turn FROM episodes').fetchall()
    table(
        "x_episode",
        "id INTEGER PRIMARY KEY, txt TEXT",
        ((eid, fragment(parts)) for eid, *parts in episodes),
    )
    table(
        "x_decision",
        "id INTEGER PRIMARY KEY, txt TEXT",
        ((aid, fragment(how)) for aid, how in ctx.decisions.items()),
    )
