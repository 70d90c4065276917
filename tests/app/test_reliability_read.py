"""The reliability table's column reads (``reliability_read``) against the row reads they
replaced and an independent build of the span continua, on the back end under test: a
session with spans, a coded session without any, a session only one rater coded, a code
with spans, one without and a span one rater marked twice (overlapping)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from coder.app import browse, identity, importing, reliability, schemes
from coder.app.coding import CodingSession
from coder.app.identity import ActingRater
from coder.app.importing import ImportOptions
from coder.app.lookup import session_or_none
from coder.app.reliability_read import read_codes, read_turn_lengths
from coder.domain.coding import TextSpan
from coder.stats.unitizing import Continuum, unitizing_alpha
from coder.store.database import ProjectDatabase

RATERS = ("Ada", "Ben")
THIRD = """\
[00:00:05] T: What would you like to start with today?
[00:00:40] P: The week, I suppose. It was long.
[00:03:10] T: Long in what way?
"""


@pytest.fixture
def spans_db(coded_db: ProjectDatabase, tmp_path: Path) -> ProjectDatabase:
    """P01/1: both raters, W1 spans (Ada's two overlap), R5 spans by Ada only, W4 without
    spans. P01/2: both raters, codes but no span. P01/3: Ada only."""
    path = tmp_path / "P01_S3.txt"
    path.write_text(THIRD, encoding="utf-8")
    options = ImportOptions(pattern="{patient}_S{session}")
    assert importing.import_file(coded_db, path, options).ok
    ada, ben = (identity.sign_in(coded_db, name) for name in RATERS)
    one = {
        name: CodingSession(coded_db, who, "P01", 1)
        for name, who in zip(RATERS, (ada, ben), strict=True)
    }
    one["Ada"].apply_code("W1", span=TextSpan(4, 0, 20))
    one["Ada"].apply_code("W1", span=TextSpan(4, 10, 40))  # overlaps the first: joined
    one["Ben"].apply_code("W1", span=TextSpan(4, 5, 30))
    one["Ben"].apply_code("W1", span=TextSpan(6, 0, 12))
    one["Ada"].apply_code("R5", span=TextSpan(5, 3, 9))
    for coding in one.values():
        coding.apply_code("W4", segment=1)
    for name, who in zip(RATERS, (ada, ben), strict=True):
        CodingSession(coded_db, who, "P01", 2).apply_code("W4", segment=2 if name == "Ada" else 1)
    CodingSession(coded_db, ada, "P01", 3).apply_code("W1", span=TextSpan(2, 0, 4))
    return coded_db


def test_codes_read_as_columns_are_the_rows_raters_codes_returns(
    spans_db: ProjectDatabase,
) -> None:
    scheme = schemes.load_project_scheme(spans_db, None)
    with spans_db.reading() as session:
        rows = browse.raters_codes(session, scheme)
        columns = read_codes(session, scheme, None, None)
    rebuilt = [
        (
            *columns.session_keys[s],
            columns.rater_names[r],
            columns.code_names[c],
            columns.unit_names[u],
            i,
            *(None if np.isnan(x) else int(x) for x in (v, t, b, e)),
        )
        for s, r, c, u, i, v, t, b, e in zip(
            columns.session.tolist(), columns.rater.tolist(), columns.code.tolist(),
            columns.unit.tolist(), columns.index.tolist(), columns.value.tolist(),
            columns.turn.tolist(), columns.start.tolist(), columns.end.tolist(), strict=True,
        )
    ]  # fmt: skip
    assert sorted(rebuilt, key=repr) == sorted(rows, key=repr) and len(rows) == 10


def test_turn_lengths_are_the_turns_characters(spans_db: ProjectDatabase) -> None:
    """Per-turn lengths where spans need offsets, only the total elsewhere; a session
    without a transcript is absent."""
    texts = {n: [t.text for t in browse.load_transcript(spans_db, "P01", n).turns] for n in (1, 2)}
    with spans_db.reading() as session:
        ids = {n: session_or_none(session, "P01", n) for n in (1, 2)}
        turns = read_turn_lengths(session, [ids[1].id], [ids[2].id, 10_000])  # type: ignore[union-attr]
    assert turns.lengths[ids[1].id].tolist() == [len(t) for t in texts[1]]  # type: ignore[union-attr]
    assert list(turns.lengths) == [ids[1].id]  # type: ignore[union-attr]
    assert turns.totals == {i.id: sum(map(len, texts[n])) for n, i in ids.items()}  # type: ignore[union-attr]


def brute_force_continua(db: ProjectDatabase, code: str) -> list[Continuum]:
    """The definition, step by step: sessions both raters coded (P01/1, P01/2), each
    one's turns end to end (Python ``len``), each rater's spans of ``code`` with
    overlapping ones joined."""
    continua = []
    for number in (1, 2):
        turns = browse.load_transcript(db, "P01", number).turns
        offsets = np.concatenate([[0], np.cumsum([len(t.text) for t in turns])])
        units = []
        for col, name in enumerate(RATERS):
            coding = CodingSession(db, identity.sign_in(db, name), "P01", number)
            spans = sorted(
                (int(offsets[c.evidence.turn - 1]) + c.evidence.start,
                 int(offsets[c.evidence.turn - 1]) + c.evidence.end)
                for c in coding.own_codes() if c.code_id == code and c.evidence
            )  # fmt: skip
            joined: list[list[int]] = []
            for b, e in spans:
                if joined and b < joined[-1][1]:
                    joined[-1][1] = max(joined[-1][1], e)
                else:
                    joined.append([b, e])
            units += [(col, b, e - b) for b, e in joined]
        continua.append(Continuum(0, int(offsets[-1]), tuple(units)))
    return continua


def test_span_rows_match_the_definition_and_say_what_was_left_out(
    spans_db: ProjectDatabase, lead: ActingRater
) -> None:
    table = reliability.compute(spans_db, lead, bootstrap=0)
    for code in ("W1", "R5"):
        expected = unitizing_alpha(brute_force_continua(spans_db, code), 2).stat
        row = next(r for r in table.rows if r.kind == "span" and r.item == code)
        got = row.report.stats["u_alpha"]
        assert (got.value, got.n_units) == (expected.value, expected.n_units)
        assert "1 session(s) not coded by every rater left out" in (got.note or "")
    w1 = next(r for r in table.rows if r.kind == "span" and r.item == "W1")
    assert "1 overlapping span(s) of one rater joined" in (w1.report.stats["u_alpha"].note or "")
    assert not [r for r in table.rows if r.kind == "span" and r.item == "W4"]  # no spans
    overlap = next(r for r in table.rows if r.kind == "turn overlap" and r.item == "W1")
    assert overlap.report.stats["turn_overlap"].value == pytest.approx(1 / 2)  # turn 4 of 4, 6
    w4 = next(r for r in table.rows if r.kind == "code" and r.item == "W4")
    scheme = schemes.load_project_scheme(spans_db, None)
    with spans_db.reading() as session:
        segments = browse.scheme_segments(session, scheme)
    assert w4.report.n_units == len(segments) == 7  # 3 + 3 + the short third session's 1


def test_named_raters_and_one_session_narrow_the_columns(
    spans_db: ProjectDatabase, lead: ActingRater
) -> None:
    """The raters' IN list and the session filter on the driver's cursor (both back ends)."""
    table = reliability.compute(
        spans_db, lead, raters=list(RATERS), sessions=["P01/1"], bootstrap=0
    )
    one = brute_force_continua(spans_db, "W1")[:1]
    row = next(r for r in table.rows if r.kind == "span" and r.item == "W1")
    expected = unitizing_alpha(one, 2).stat
    assert (row.report.stats["u_alpha"].value, row.report.n_units) == (
        expected.value,
        expected.n_units,
    )
    assert table.sessions == 1 and table.raters == RATERS
