"""Rater packages (issue 12 item 3): lossless round trip compared as row sets read with
plain SQL (not through the package code's own queries), idempotency, every conflict
reported with nothing written, refusal of packages that do not belong, access rules."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from backend import NewProject, query
from sqlalchemy import text

from coder.app import identity, packages, rounds
from coder.app.access import IdentityRequired
from coder.app.coding import CodingSession
from coder.app.packages import PackageRefused
from coder.domain.coding import RoundStatus
from coder.domain.errors import CoderError, FileAccessError
from coder.io.package_file import PackageFileError
from coder.store.database import ProjectDatabase

ADA = "Ada Lovelace"
BEN = "Ben Okafor"
CopyProject = Callable[[ProjectDatabase, str], ProjectDatabase]  # the copy_project fixture

# Everything a code application is, with row ids replaced by what they point at.
ROWS = """
SELECT a.uid, p.code, s.number, r.name, sc.key, sc.revision, cr.number, a.code_id, a.unit,
       a.unit_index, sg.rule, seg."index", e."index", e.pathway_id, e.start_turn, e.end_turn,
       e.memo, a.value, a.evidence_turn, a.evidence_start, a.evidence_end, a.memo,
       a.probability, a.created_at, a.updated_at
FROM code_applications a
JOIN sessions s ON s.id = a.session_id JOIN patients p ON p.id = s.patient_id
JOIN raters r ON r.id = a.rater_id JOIN schemes sc ON sc.id = a.scheme_id
LEFT JOIN coding_rounds cr ON cr.id = a.round_id
LEFT JOIN segments seg ON seg.id = a.segment_id
LEFT JOIN segmentations sg ON sg.id = seg.segmentation_id
LEFT JOIN episodes e ON e.id = a.episode_id
"""


def rows(db: ProjectDatabase, rater: str | None = None) -> set[tuple[object, ...]]:
    with db.engine.connect() as conn:
        if rater is None:
            return {tuple(r) for r in conn.execute(text(ROWS))}
        return {tuple(r) for r in conn.execute(text(ROWS + " WHERE r.name = :n"), {"n": rater})}


def execute(db: ProjectDatabase, statement: str, **params: object) -> None:
    """A change made past the program (no audit entry), as another tool would make it."""
    with db.engine.begin() as conn:
        conn.execute(text(statement), params)


@pytest.fixture
def source(demo_db: ProjectDatabase) -> ProjectDatabase:
    """The demo project (two raters, segment, session and episode codes, memos,
    evidence), with a machine-style probability on one of Ada's codes."""
    execute(
        demo_db,
        "UPDATE code_applications SET probability = 0.8125 WHERE id = (SELECT MIN(a.id) "
        "FROM code_applications a JOIN raters r ON r.id = a.rater_id WHERE r.name = :n)",
        n=ADA,
    )
    return demo_db


@pytest.fixture
def lab(source: ProjectDatabase, copy_project: CopyProject) -> ProjectDatabase:
    """A copy of the project without Ada's codes and episodes."""
    db = copy_project(source, "lab")
    execute(db, "DELETE FROM code_applications WHERE rater_id = "
                "(SELECT id FROM raters WHERE name = :n)", n=ADA)  # fmt: skip
    execute(db, "DELETE FROM episodes WHERE rater_id = "
                "(SELECT id FROM raters WHERE name = :n)", n=ADA)  # fmt: skip
    return db


def export(source: ProjectDatabase, out: Path, rater: str = ADA) -> packages.PackageExport:
    return packages.export_package(source, rater, out)


def merge(project: ProjectDatabase, *files: Path, dry_run: bool = False) -> packages.MergeResult:
    return packages.merge_packages(project, list(files), dry_run=dry_run)


def test_round_trip_is_lossless_and_merging_twice_adds_nothing(
    source: ProjectDatabase, lab: ProjectDatabase, tmp_path: Path
) -> None:
    package = tmp_path / "ada.rcpkg"
    made = export(source, package)
    wanted = rows(source, ADA)
    assert made.codes == len(wanted) > 200 and made.episodes == 5
    assert any(r[22] == 0.8125 for r in wanted)  # the probability travels
    assert any(r[12] is not None for r in wanted)  # so do episodes
    bens = rows(lab, BEN)
    assert rows(lab, ADA) == set()

    preview = merge(lab, package, dry_run=True)
    assert preview.added == len(wanted) and not preview.committed and not preview.problems
    assert rows(lab, ADA) == set()  # a dry run writes nothing

    result = merge(lab, package)
    assert result.committed and result.added == len(wanted) and result.unchanged == 0
    assert rows(lab, ADA) == wanted
    assert rows(lab, BEN) == bens

    again = merge(lab, package)
    assert again.added == 0 and again.unchanged == len(wanted)
    assert rows(lab) == rows(source)


def test_merge_is_audited_as_one_change_per_session(
    source: ProjectDatabase, lab: ProjectDatabase, tmp_path: Path
) -> None:
    package = tmp_path / "ada.rcpkg"
    export(source, package)
    (before,) = query(lab, "SELECT COUNT(*) FROM audit_log")[0]
    merge(lab, package)
    entries = query(
        lab,
        f'SELECT "table", after FROM audit_log WHERE id > {before} '
        "AND \"table\" = 'code_applications'",
    )
    assert entries and all("ada.rcpkg" in str(after) for _t, after in entries)


def test_every_conflict_is_reported_and_nothing_is_written(
    source: ProjectDatabase, lab: ProjectDatabase, tmp_path: Path
) -> None:
    package = tmp_path / "ada.rcpkg"
    export(source, package)
    first, second = query(
        source,
        "SELECT a.uid FROM code_applications a JOIN raters r ON r.id = a.rater_id "
        f"WHERE r.name = '{ADA}' AND a.unit = 'segment' ORDER BY a.id LIMIT 2",
    )
    merge(lab, package)
    execute(lab, "UPDATE code_applications SET memo = 'changed in the lab' WHERE uid = :u",
            u=first[0])  # fmt: skip
    execute(lab, "UPDATE code_applications SET value = 7 WHERE uid = :u", u=second[0])
    execute(lab, "DELETE FROM code_applications WHERE uid NOT IN (:a, :b) AND rater_id = "
                 "(SELECT id FROM raters WHERE name = :n) AND unit = 'session'",
            a=first[0], b=second[0], n=ADA)  # fmt: skip
    before = rows(lab)
    with pytest.raises(PackageRefused) as caught:
        merge(lab, package)
    problems = caught.value.problems
    assert len(problems) == 2, problems
    assert any(first[0][:8] in p and "memo" in p and "changed in the lab" in p for p in problems)
    assert any(second[0][:8] in p and "value 7" in p for p in problems)
    assert all(p.startswith("ada.rcpkg: P0") for p in problems)  # file and session named
    assert rows(lab) == before  # the session codes that were missing were not added either

    preview = merge(lab, package, dry_run=True)
    assert len(preview.problems) == 2 and preview.added > 0


def test_a_package_from_another_project_is_refused(
    source: ProjectDatabase, new_project: NewProject, tmp_path: Path
) -> None:
    package = tmp_path / "ada.rcpkg"
    export(source, package)
    other = new_project("other")
    before = rows(other)
    with pytest.raises(PackageRefused, match="comes from another project"):
        merge(other, package)
    assert rows(other) == before


def test_changed_transcript_unknown_rater_and_other_scheme_are_each_named(
    source: ProjectDatabase, lab: ProjectDatabase, tmp_path: Path
) -> None:
    package = tmp_path / "ada.rcpkg"
    export(source, package)
    execute(lab, "UPDATE turns SET text = text || ' (edited)' WHERE id = (SELECT t.id FROM turns t "
                 "JOIN transcripts tr ON tr.id = t.transcript_id JOIN sessions s ON "
                 "s.id = tr.session_id JOIN patients p ON p.id = s.patient_id "
                 "WHERE p.code = 'P02' AND s.number = 1 AND t.\"index\" = 3)")  # fmt: skip
    with pytest.raises(PackageRefused, match=r"the transcript of P02/1 differs"):
        merge(lab, package)
    execute(lab, "UPDATE schemes SET content_hash = 'x' WHERE key = '3rs-2015'")
    with pytest.raises(PackageRefused, match=r"scheme 3rs-2015 revision 1 differs"):
        merge(lab, package)
    execute(lab, "UPDATE raters SET name = 'Ada L.' WHERE name = :n", n=ADA)
    with pytest.raises(PackageRefused, match="rater 'Ada Lovelace' is not in this project"):
        merge(lab, package)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("truncate", "not a zip file, or cut short"),
        ("tamper", "checksum does not match"),
        ("not-zip", "not a zip file"),
        ("foreign-zip", "no manifest.json"),
    ],
)
def test_damaged_packages_are_refused_naming_the_file(
    source: ProjectDatabase, lab: ProjectDatabase, tmp_path: Path, damage: str, message: str
) -> None:
    package = tmp_path / "ada.rcpkg"
    export(source, package)
    data = package.read_bytes()
    if damage == "truncate":
        package.write_bytes(data[: len(data) // 2])
    elif damage == "tamper":
        with zipfile.ZipFile(package) as z:
            manifest, payload = z.read("manifest.json"), z.read("payload.json")
        payload = payload.replace(b'"Ada Lovelace"', b'"Ada Lovelacf"', 1)
        with zipfile.ZipFile(package, "w") as z:
            z.writestr("manifest.json", manifest)
            z.writestr("payload.json", payload)
    elif damage == "not-zip":
        package.write_text("patient,session\n", encoding="utf-8")
    else:
        with zipfile.ZipFile(package, "w") as z:
            z.writestr("project.qde", "<Project/>")
    before = rows(lab)
    with pytest.raises(PackageFileError, match=message) as caught:
        merge(lab, package)
    assert str(caught.value).startswith(str(package))
    assert rows(lab) == before


def test_export_to_a_folder_or_missing_folder_writes_nothing(
    source: ProjectDatabase, tmp_path: Path
) -> None:
    folder = tmp_path / "exports"  # not tmp_path: a project file may live there
    folder.mkdir()
    with pytest.raises(FileAccessError, match="is a folder"):
        export(source, folder)
    with pytest.raises(FileAccessError, match="folder does not exist"):
        export(source, folder / "nowhere" / "ada.rcpkg")
    assert list(folder.iterdir()) == []


def test_access_rules_hold(coded_db: ProjectDatabase, tmp_path: Path) -> None:
    """A rater merges only their own package; anonymous merges are refused in a project
    with a lead; a locked round takes no merged codes; the lead merges anyone's."""
    ada = identity.sign_in(coded_db, "Ada")
    ben = identity.sign_in(coded_db, "Ben")
    lead = identity.sign_in(coded_db, "Lee", "correct horse battery")
    rounds.create_round(coded_db, lead, "calibration")
    rounds.assign(coded_db, lead, "Ada", "P01", 1, 1)
    CodingSession(coded_db, ada, "P01", 1).apply_code("W1", segment=1, memo="silence")
    package = tmp_path / "ada.rcpkg"
    packages.export_package(coded_db, "Ada", package, ada)
    # The lab copy is this project before Ada's code: take it out again.
    uid = CodingSession(coded_db, ada, "P01", 1).own_codes()[0].uid
    CodingSession(coded_db, ada, "P01", 1).remove([uid])

    with pytest.raises(IdentityRequired):
        packages.merge_packages(coded_db, [package])
    with pytest.raises(PackageRefused, match="you \\(Ben\\) can merge only your own"):
        packages.merge_packages(coded_db, [package], ben)
    rounds.set_round_status(coded_db, lead, 1, RoundStatus.LOCKED)
    with pytest.raises(PackageRefused, match="round 1 is locked"):
        packages.merge_packages(coded_db, [package], lead)
    rounds.set_round_status(coded_db, lead, 1, RoundStatus.OPEN)
    done = packages.merge_packages(coded_db, [package], ada)
    assert done.added == 1
    (code,) = CodingSession(coded_db, ada, "P01", 1).own_codes()
    assert (code.uid, code.memo) == (uid, "silence")


def test_a_blinded_rater_cannot_export_someone_elses_package(
    coded_db: ProjectDatabase, tmp_path: Path
) -> None:
    ben = identity.sign_in(coded_db, "Ben")
    with pytest.raises(CoderError, match="blinded"):
        packages.export_package(coded_db, "Ada", tmp_path / "x.rcpkg", ben)
    assert not (tmp_path / "x.rcpkg").exists()


def test_consensus_codes_merge_into_a_locked_round_s_sessions_for_a_lead(
    coded_db: ProjectDatabase, tmp_path: Path
) -> None:
    """Consensus codes are made after a round is locked: their package merges there
    (written as the consensus, as the consensus service writes), by a lead only."""
    from coder.app.identity import consensus_coder

    ada = identity.sign_in(coded_db, "Ada")
    lead = identity.sign_in(coded_db, "Lee", "correct horse battery")
    rounds.create_round(coded_db, lead, "calibration")
    rounds.assign(coded_db, lead, "Ada", "P01", 1, 1)
    CodingSession(coded_db, ada, "P01", 1).apply_code("W1", segment=1)
    rounds.set_round_status(coded_db, lead, 1, RoundStatus.LOCKED)
    agreed = consensus_coder(coded_db)
    CodingSession(coded_db, agreed, "P01", 1).apply_code("W1", segment=1, memo="agreed")
    package = tmp_path / "consensus.rcpkg"
    packages.export_package(coded_db, agreed.name, package, lead)
    (code,) = CodingSession(coded_db, agreed, "P01", 1).own_codes()
    CodingSession(coded_db, agreed, "P01", 1).remove([code.uid])

    with pytest.raises(PackageRefused, match="holds Consensus's codes: you \\(Ada\\)"):
        packages.merge_packages(coded_db, [package], ada)
    assert packages.merge_packages(coded_db, [package], lead).added == 1
    (back,) = CodingSession(coded_db, agreed, "P01", 1).own_codes()
    assert (back.uid, back.memo) == (code.uid, "agreed")
