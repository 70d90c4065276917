"""Analysis exports (issue 12, CSV formats): every format on the demo project checked
against values read straight from the database with plain SQL (not through the export's
own queries), blinding, filters, the data dictionary, Excel BOM, atomic writes."""

from __future__ import annotations

import csv
import os
from collections import Counter, defaultdict
from pathlib import Path

import pytest
import yaml
from backend import NewProject
from sqlalchemy import text

from coder.app import codes, consensus, disagreements, export, raters, rounds
from coder.app.access import IdentityRequired, NotAllowed
from coder.app.export import ExportCancelled, ExportFormat, ExportOptions
from coder.app.export_columns import CODED_RULE
from coder.app.identity import ActingRater
from coder.domain.coding import Unit
from coder.domain.errors import CoderError, FileAccessError
from coder.store.database import ProjectDatabase

REPO = Path(__file__).resolve().parents[2]
FORMATS = list(ExportFormat)


def sql(db: ProjectDatabase, statement: str) -> list[tuple[object, ...]]:
    with db.engine.connect() as conn:
        return [tuple(row) for row in conn.execute(text(statement))]


def session_ids(db: ProjectDatabase) -> dict[tuple[object, int], object]:
    """(patient, session number) -> session id."""
    listed = sql(
        db, "SELECT s.id, p.code, s.number FROM sessions s JOIN patients p ON p.id = s.patient_id"
    )
    return {(p, int(str(n))): sid for sid, p, n in listed}


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def run(
    db: ProjectDatabase, out: Path, coder: ActingRater | None = None, **kw: object
) -> list[dict[str, str]]:
    export.export(db, out, ExportOptions(**kw), coder=coder)  # type: ignore[arg-type]
    return read(out)


# ---- csv-long ------------------------------------------------------------------------------
def test_long_has_one_row_per_code_with_its_context(
    demo_db: ProjectDatabase, tmp_path: Path
) -> None:
    rows = run(demo_db, tmp_path / "long.csv", format=ExportFormat.LONG)
    stored = sql(
        demo_db,
        """SELECT p.code, s.number, r.name, r.role, sc.key, sc.version, sc.revision, a.code_id,
                  a.unit, a.unit_index, a.value, a.memo, a.evidence_turn, a.evidence_start,
                  a.evidence_end, t.text, sp.label, sp.role, seg.start_ms, seg.end_ms,
                  e."index", e.start_turn, e.end_turn
           FROM code_applications a
           JOIN sessions s ON s.id = a.session_id JOIN patients p ON p.id = s.patient_id
           JOIN raters r ON r.id = a.rater_id JOIN schemes sc ON sc.id = a.scheme_id
           LEFT JOIN segments seg ON seg.id = a.segment_id
           LEFT JOIN episodes e ON e.id = a.episode_id
           LEFT JOIN transcripts tr ON tr.session_id = s.id
           LEFT JOIN turns t ON t.transcript_id = tr.id AND t."index" =
                CASE WHEN a.unit = 'turn' THEN a.unit_index ELSE a.evidence_turn END
           LEFT JOIN speakers sp ON sp.id = t.speaker_id""",
    )
    assert len(rows) == len(stored) > 500

    def cell(v: object) -> str:
        return "" if v is None else str(v)

    def hms(ms: object) -> str:
        if ms is None:
            return ""
        s = int(str(ms)) // 1000
        return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"

    expected = Counter()
    for (patient, number, rater, role, key, version, revision, code, unit, index, value, memo,
         ev_turn, ev_start, ev_end, turn_text, speaker, speaker_role, s_ms, e_ms, episode,
         first, last) in stored:  # fmt: skip
        quoted = turn_text[ev_start:ev_end] if ev_start is not None else None  # type: ignore[index]
        turn = index if unit == "turn" else ev_turn
        expected[
            tuple(
                cell(v)
                for v in (
                    patient, number, rater, role, key, version, revision, code, unit, index,
                    "NA" if value is None else value, memo, quoted, turn, speaker if turn else None,
                    speaker_role if turn else None, s_ms, e_ms, hms(s_ms), hms(e_ms), episode,
                    first, last,
                )
            )
        ] += 1  # fmt: skip
    names = [
        "patient",
        "session",
        "rater",
        "rater_role",
        "scheme",
        "scheme_version",
        "scheme_revision",
        "code",
        "unit",
        "unit_index",
        "value",
        "memo",
        "evidence_text",
        "turn",
        "speaker",
        "speaker_role",
        "segment_start_ms",
        "segment_end_ms",
        "segment_start",
        "segment_end",
        "episode",
        "episode_first_turn",
        "episode_last_turn",
    ]
    got = Counter(tuple(r[n] for n in names) for r in rows)
    assert got == expected
    # quoted evidence, speakers and episode bounds really occur in the demo
    assert any(r["evidence_text"] and r["speaker_role"] == "patient" for r in rows)
    assert any(r["episode"] and r["episode_first_turn"] for r in rows)
    assert {r["consensus"] for r in rows} == {"0"} and {r["round"] for r in rows} == {""}


def test_long_names_and_groups_come_from_the_scheme(
    demo_db: ProjectDatabase, tmp_path: Path
) -> None:
    scheme = yaml.safe_load((REPO / "schemes" / "3rs-2015.yaml").read_text(encoding="utf-8"))
    names = {c["id"]: (c["name"], g["id"]) for g in scheme["code_groups"] for c in g["codes"]}
    names |= {r["id"]: (r["label"], f"{r['scope']} rating") for r in scheme["ratings"]}
    rows = run(demo_db, tmp_path / "long.csv")
    seen = 0
    for row in rows:
        if row["scheme"] == "3rs-2015":
            assert (row["code_name"], row["code_group"]) == names[row["code"]]
            assert row["item_kind"] == (
                "rating" if row["code"] in {r["id"] for r in scheme["ratings"]} else "code"
            )
            seen += 1
    assert seen > 400
    # one spelling per group
    groups = defaultdict(set)
    for row in rows:
        groups[row["code"]].add(row["code_group"])
    assert all(len(v) == 1 for v in groups.values())


def test_long_shares_its_columns_with_codes_export(
    demo_db: ProjectDatabase, tmp_path: Path
) -> None:
    """Row-set equality on the columns both tables have (so csv-long re-imports with
    `coder codes import`)."""
    codes.export_codes(demo_db, tmp_path / "codes.csv")
    plain = read(tmp_path / "codes.csv")
    rows = run(demo_db, tmp_path / "long.csv")
    shared = [c for c in plain[0] if c in rows[0] and c != "scheme_version"]
    assert len(shared) >= 16
    assert Counter(tuple(r[c] for c in shared) for r in plain) == Counter(
        tuple(r[c] for c in shared) for r in rows
    )
    assert {r["scheme_version"] for r in plain} == {
        f"{r['scheme_version']} rev {r['scheme_revision']}" for r in rows
    }


# ---- csv-wide and csv-sessions ---------------------------------------------------------------
def _segment_marks(
    db: ProjectDatabase,
) -> tuple[dict[int, list[tuple[int, int, int]]], dict, dict]:
    """Independently from the database: segments per session, and per (session, rater)
    segment -> {item: value} (turn codes placed in their segment), session ratings."""
    segments: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for sid, index, first, last in sql(
        db,
        """SELECT tr.session_id, seg."index", seg.first_turn, seg.last_turn FROM segments seg
           JOIN segmentations sg ON sg.id = seg.segmentation_id
           JOIN transcripts tr ON tr.id = sg.transcript_id WHERE sg.rule = 'time_window:300'""",
    ):
        segments[sid].append((index, first, last))  # type: ignore[index,arg-type]
    marks: dict = defaultdict(lambda: defaultdict(dict))
    session_ratings: dict = defaultdict(dict)
    for sid, rater, code, unit, index, value in sql(
        db,
        """SELECT a.session_id, r.name, a.code_id, a.unit, a.unit_index, a.value
           FROM code_applications a JOIN raters r ON r.id = a.rater_id
           JOIN schemes sc ON sc.id = a.scheme_id WHERE sc.key = '3rs-2015'""",
    ):
        key = (sid, rater)
        marks[key]  # a rater with only session ratings still has rows
        if unit == "segment":
            marks[key][index][code] = value
        elif unit == "turn":
            seg = next(i for i, f, last in segments[sid] if f <= index <= last)  # type: ignore[operator]
            marks[key][seg][code] = value
        elif unit == "session":
            session_ratings[key][code] = value
    return segments, marks, session_ratings


def test_wide_has_a_row_per_session_segment_rater(demo_db: ProjectDatabase, tmp_path: Path) -> None:
    rows = run(demo_db, tmp_path / "wide.csv", format=ExportFormat.WIDE)
    segments, marks, _ = _segment_marks(demo_db)
    ids = session_ids(demo_db)
    code_columns = [c for c in rows[0] if c[:1] in "WCR" and c[1:].isdigit()]
    assert len(code_columns) == 24 and "W_SIG" in rows[0] and "C_SIG" in rows[0]
    assert len(rows) == sum(len(segments[sid]) for sid, _ in marks)
    for row in rows:
        sid = ids[row["patient"], int(row["session"])]
        given = marks[sid, row["rater"]].get(int(row["segment"]))
        assert row["coded"] == ("1" if given else "0")
        for code in code_columns:
            want = "" if not given else ("1" if code in given else "0")
            assert row[code] == want, (row["patient"], row["session"], row["segment"], code)
        for rating in ("W_SIG", "C_SIG"):
            value = (given or {}).get(rating)
            assert row[rating] == ("" if value is None else str(value))


def test_sessions_counts_segments_and_session_ratings(
    demo_db: ProjectDatabase, tmp_path: Path
) -> None:
    rows = run(demo_db, tmp_path / "sessions.csv", format=ExportFormat.SESSIONS)
    segments, marks, ratings = _segment_marks(demo_db)
    totals = dict(
        ((sid, rater), n)
        for sid, rater, n in sql(
            demo_db,
            """SELECT a.session_id, r.name, count(*) FROM code_applications a
               JOIN raters r ON r.id = a.rater_id JOIN schemes sc ON sc.id = a.scheme_id
               WHERE sc.key = '3rs-2015' GROUP BY 1, 2""",
        )
    )
    ids = session_ids(demo_db)
    assert len(rows) == len(marks) > 4
    for row in rows:
        key = (ids[row["patient"], int(row["session"])], row["rater"])
        coded = len([s for s in marks[key] if marks[key][s]])
        assert int(row["segments"]) == len(segments[key[0]])
        assert int(row["coded_segments"]) == coded
        assert int(row["uncoded_segments"]) == len(segments[key[0]]) - coded
        assert int(row["codes_total"]) == totals[key]
        for rating in ("G_W", "G_C", "G_TCONTRIB", "G_RESOLVED"):
            value = ratings[key].get(rating)
            assert row[rating] == ("" if value is None else str(value))
        assert int(row["W1_segments"]) == sum(1 for m in marks[key].values() if "W1" in m)


# ---- csv-codebook ----------------------------------------------------------------------------
def test_codebook_lists_every_item_of_every_scheme(
    demo_db: ProjectDatabase, tmp_path: Path
) -> None:
    rows = run(demo_db, tmp_path / "book.csv", format=ExportFormat.CODEBOOK)
    for key in ("3rs-2015", "safran-muran-stages"):
        scheme = yaml.safe_load((REPO / "schemes" / f"{key}.yaml").read_text(encoding="utf-8"))
        ids = [c["id"] for g in scheme.get("code_groups", []) for c in g["codes"]]
        ids += [r["id"] for r in scheme.get("ratings", [])]
        ids += [s["id"] for p in scheme.get("pathways", []) for s in p["stages"]]
        mine = [r for r in rows if r["scheme"] == key]
        assert sorted(r["code"] for r in mine) == sorted(ids)
    w1 = next(r for r in rows if r["code"] == "W1")
    assert (w1["group"], w1["name"], w1["hotkey"], w1["scale"]) == (
        "withdrawal",
        "Denial",
        "1",
        "0/1",
    )
    assert w1["definition"].startswith("The patient says a feeling")
    sig = next(r for r in rows if r["code"] == "W_SIG")
    assert sig["scale"] == "1-5" and sig["scale_anchors"].startswith("1=No rupture")


# ---- dictionary, BOM, files ---------------------------------------------------------------
@pytest.mark.parametrize("fmt", FORMATS)
def test_the_dictionary_describes_every_column(
    demo_db: ProjectDatabase, tmp_path: Path, fmt: ExportFormat
) -> None:
    out = tmp_path / "x.csv"
    result = export.export(demo_db, out, ExportOptions(format=fmt, with_dictionary=True))
    assert result.dictionary == tmp_path / "x.dictionary.csv"
    header = next(csv.reader(out.open(encoding="utf-8")))
    described = read(result.dictionary)
    assert [d["column"] for d in described] == header
    for d in described:
        assert d["type"] and d["allowed"] and len(d["meaning"]) > 8, d
    if fmt in (ExportFormat.WIDE, ExportFormat.SESSIONS):
        assert any(CODED_RULE in d["meaning"] for d in described)


@pytest.mark.parametrize("fmt", FORMATS)
def test_excel_files_start_with_a_bom(
    demo_db: ProjectDatabase, tmp_path: Path, fmt: ExportFormat
) -> None:
    out = tmp_path / "x.csv"
    export.export(demo_db, out, ExportOptions(format=fmt, excel=True, with_dictionary=True))
    assert out.read_bytes().startswith(
        b"\xef\xbb\xbfpatient" if fmt != ExportFormat.CODEBOOK else b"\xef\xbb\xbfscheme"
    )
    assert (tmp_path / "x.dictionary.csv").read_bytes().startswith(b"\xef\xbb\xbfcolumn")
    plain = tmp_path / "plain.csv"
    export.export(demo_db, plain, ExportOptions(format=fmt))
    assert not plain.read_bytes().startswith(b"\xef\xbb\xbf")
    assert out.read_bytes()[3:] == plain.read_bytes()


def test_files_get_normal_permissions_and_folders_are_refused(
    demo_db: ProjectDatabase, tmp_path: Path
) -> None:
    out = tmp_path / "long.csv"
    export.export(demo_db, out, ExportOptions())
    mask = os.umask(0)
    os.umask(mask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~mask
    folder = tmp_path / "folder"
    folder.mkdir()
    with pytest.raises(FileAccessError, match="is a folder; choose a file name"):
        export.export(demo_db, folder, ExportOptions())
    assert list(folder.iterdir()) == []


def test_cancel_leaves_nothing(demo_db: ProjectDatabase, tmp_path: Path) -> None:
    folder = tmp_path / "exports"  # not tmp_path: a project file may live there
    folder.mkdir()
    out = folder / "long.csv"
    calls: list[int] = []

    def stop() -> bool:
        calls.append(1)
        return True

    with pytest.raises(ExportCancelled):
        export.export(demo_db, out, ExportOptions(), progress=export.cancel_after(stop))
    assert calls and list(folder.iterdir()) == []
    out.write_text("previous export")
    with pytest.raises(ExportCancelled):
        export.export(demo_db, out, ExportOptions(), progress=export.cancel_after(stop))
    assert out.read_text() == "previous export" and list(folder.iterdir()) == [out]


# ---- blinding and filters ------------------------------------------------------------------
CODES = """\
patient,session,rater,code,unit,unit_index,value,evidence_start,evidence_end,memo
P01,1,Ada,W2,segment,1,1,2:0,2:5,terse
P01,1,Ada,W_SIG,segment,1,3,,,
P01,1,Ada,G_RESOLVED,session,1,2,,,
P01,2,Ada,W4,segment,2,1,,,
P01,1,Ben,W2,segment,1,1,,,
P01,1,Ben,C1,segment,2,1,,,
"""


@pytest.fixture
def coded(coded_db: ProjectDatabase, lead: ActingRater, tmp_path: Path) -> ProjectDatabase:
    source = tmp_path / "codes-in.csv"
    source.write_text(CODES, encoding="utf-8")
    codes.import_codes(coded_db, source, lead)  # the lead imports everyone's codes
    return coded_db


def raters_in(
    db: ProjectDatabase, out: Path, coder: ActingRater | None, **kw: object
) -> Counter[str]:
    return Counter(r["rater"] for r in run(db, out, coder, **kw))


@pytest.mark.parametrize("fmt", [ExportFormat.LONG, ExportFormat.WIDE, ExportFormat.SESSIONS])
def test_a_blinded_rater_exports_only_their_own_codes(
    coded: ProjectDatabase, ada: ActingRater, lead: ActingRater, tmp_path: Path, fmt: ExportFormat
) -> None:
    out = tmp_path / "x.csv"
    assert set(raters_in(coded, out, ada, format=fmt)) == {"Ada"}
    assert set(raters_in(coded, out, lead, format=fmt)) == {"Ada", "Ben"}
    with pytest.raises(NotAllowed, match="blinded"):
        export.export(coded, out, ExportOptions(format=fmt, rater="Ben"), coder=ada)
    with pytest.raises(IdentityRequired):
        export.export(coded, out, ExportOptions(format=fmt))
    assert set(raters_in(coded, out, ada, format=fmt, rater="Ada")) == {"Ada"}


def test_long_counts_under_blinding(
    coded: ProjectDatabase, ada: ActingRater, ben: ActingRater, tmp_path: Path
) -> None:
    out = tmp_path / "x.csv"
    assert raters_in(coded, out, ada) == {"Ada": 4}
    assert raters_in(coded, out, ben) == {"Ben": 2}
    rows = run(coded, out, ada)
    w2 = next(r for r in rows if r["code"] == "W2")
    assert (w2["evidence_text"], w2["turn"], w2["speaker"], w2["speaker_role"], w2["memo"]) == (
        "Fine.", "2", "P", "patient", "terse")  # fmt: skip


def test_the_codebook_needs_no_identity(coded: ProjectDatabase, tmp_path: Path) -> None:
    assert run(coded, tmp_path / "b.csv", format=ExportFormat.CODEBOOK)


def test_rater_and_round_filters(coded: ProjectDatabase, lead: ActingRater, tmp_path: Path) -> None:
    out = tmp_path / "x.csv"
    assert raters_in(coded, out, lead, rater="Ben") == {"Ben": 2}
    with pytest.raises(CoderError, match="did you mean 'Ben'"):
        export.export(coded, out, ExportOptions(rater="ben"), coder=lead)
    with pytest.raises(CoderError, match="no round 1"):
        export.export(coded, out, ExportOptions(round=1), coder=lead)
    rounds.create_round(coded, lead, "calibration")
    with coded.transaction() as s:  # Ada's session-1 codes were made in round 1
        s.execute(
            text(
                "UPDATE code_applications SET round_id = (SELECT id FROM coding_rounds) "
                "WHERE rater_id = (SELECT id FROM raters WHERE name = 'Ada') AND session_id = "
                "(SELECT s.id FROM sessions s WHERE s.number = 1)"
            )
        )
    rows = run(coded, out, lead, round=1)
    assert Counter(r["rater"] for r in rows) == {"Ada": 3}
    assert {r["round"] for r in rows} == {"1"}
    wide = run(coded, out, lead, round=1, format=ExportFormat.WIDE)
    assert {r["rater"] for r in wide} == {"Ada"} and {r["session"] for r in wide} == {"1"}


def test_consensus_codes_say_how_they_were_reached(
    coded: ProjectDatabase, lead: ActingRater, tmp_path: Path
) -> None:
    d = disagreements.Disagreement(
        "P01", 1, Unit.SEGMENT, 2, "C1", "C1", {"Ada": "absent", "Ben": 1}
    )
    consensus.settle(coded, lead, d, 1, memo="Ben is right")
    consensus.adopt_agreements(coded, lead)
    out = tmp_path / "x.csv"
    rows = run(coded, out, lead, consensus=True)
    by_code = {r["code"]: r for r in rows}
    assert set(by_code) == {"C1", "W2"}
    c1, w2 = by_code["C1"], by_code["W2"]
    assert (c1["consensus"], c1["rater_role"], c1["consensus_how"]) == (
        "1",
        "consensus",
        "decision",
    )
    assert c1["consensus_rater_values"] == "Ada=absent; Ben=1"
    assert c1["consensus_decided_by"] == "Lee" and c1["memo"] == "Ben is right"
    assert (w2["consensus_how"], w2["consensus_rater_values"], w2["consensus_decided_by"]) == (
        "agreement", "", "")  # fmt: skip
    everyone = run(coded, out, lead)
    assert {r["consensus_how"] for r in everyone if r["consensus"] == "0"} == {""}
    wide = run(coded, out, lead, consensus=True, format=ExportFormat.WIDE)
    assert {(r["rater"], r["consensus"]) for r in wide} == {(raters.CONSENSUS_NAME, "1")}


def test_docs_tables_match_the_column_specs() -> None:
    from coder.app import export_columns as spec

    doc = (REPO / "docs" / "exporting.md").read_text(encoding="utf-8")
    for columns in (
        spec.LONG,
        spec.WIDE_FIXED,
        spec.SESSIONS_FIXED,
        spec.CODEBOOK,
        spec.DICTIONARY,
    ):
        assert spec.markdown_table(columns) in doc


def test_long_by_scheme(demo_db: ProjectDatabase, tmp_path: Path) -> None:
    everything = run(demo_db, tmp_path / "all.csv")
    stages = run(demo_db, tmp_path / "st.csv", scheme="safran-muran-stages")
    assert stages and {r["scheme"] for r in stages} == {"safran-muran-stages"}
    assert len(stages) == sum(r["scheme"] == "safran-muran-stages" for r in everything)
    with pytest.raises(CoderError, match="no scheme 'nope'"):
        export.export(demo_db, tmp_path / "x.csv", ExportOptions(scheme="nope"))


def test_every_format_and_its_dictionary_are_0644_under_umask_022(
    demo_db: ProjectDatabase, tmp_path: Path
) -> None:
    folder = tmp_path / "exports"  # not tmp_path: a project file may live there
    folder.mkdir()
    old = os.umask(0o022)
    try:
        for fmt in FORMATS:
            export.export(
                demo_db, folder / f"{fmt}.csv", ExportOptions(format=fmt, with_dictionary=True)
            )
    finally:
        os.umask(old)
    written = sorted(folder.iterdir())
    assert len(written) == 2 * len(FORMATS)
    assert {p.name: p.stat().st_mode & 0o777 for p in written} == {p.name: 0o644 for p in written}


@pytest.mark.parametrize("scheme", ["3rs-2015", "3rs-2022", "safran-muran-stages"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_the_dictionary_matches_the_header_for_every_built_in_scheme(
    tmp_path: Path, scheme: str, fmt: ExportFormat, new_project: NewProject
) -> None:
    """The columns of csv-wide and csv-sessions come from the scheme: each built-in
    scheme's header is described row for row (not only the demo's scheme)."""

    db = new_project("p", scheme_ids=("3rs-2015", "3rs-2022", "safran-muran-stages"))
    try:
        out = tmp_path / "x.csv"
        result = export.export(
            db, out, ExportOptions(format=fmt, scheme=scheme, with_dictionary=True)
        )
    finally:
        db.close()
    header = next(csv.reader(out.open(encoding="utf-8")))
    assert result.dictionary is not None
    described = read(result.dictionary)
    assert [d["column"] for d in described] == header and len(header) > 5
    for d in described:
        assert d["type"] and d["allowed"] and len(d["meaning"]) > 8, d
