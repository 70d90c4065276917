"""REFI-QDA files at the io level: what we write validates against the official schemas
(the test copies in tests/data/refi-qda, not the bundled ones), positions are
characters of the stored text (CR/LF counts two), and bad files are refused with the
file and the problem named."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from coder.domain.errors import CoderError
from coder.domain.roles import SpeakerRole
from coder.domain.transcript import Turn
from coder.io.refi import (
    RefiCode,
    RefiCoding,
    RefiProject,
    RefiSelection,
    RefiSource,
    RefiUser,
    stable_guid,
)
from coder.io.refi.model import _NAMESPACE
from coder.io.refi.reader import read_codebook, read_project
from coder.io.refi.source_text import read_turns, write_turns
from coder.io.refi.writer import write_qdc, write_qdpx

DATA = Path(__file__).resolve().parents[1] / "data" / "refi-qda"
NS = "urn:QDA-XML:project:1.0"


def schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(DATA / name)))


def project_qde(path: Path) -> etree._ElementTree:
    with zipfile.ZipFile(path) as archive:
        return etree.parse(io.BytesIO(archive.read("project.qde")))


TURNS = [
    Turn(1, "T", SpeakerRole.THERAPIST, "How was the week?", 5_000, 9_500),
    Turn(2, "P", SpeakerRole.PATIENT, "Fine.\r\nReally: fine.", 12_000, None),
    Turn(3, "T", SpeakerRole.THERAPIST, "Ünïcode ✓ and more", None, None),
]


def sample_project() -> RefiProject:
    text, placed = write_turns(TURNS)
    p2 = placed[1]
    code = RefiCode("11111111-2222-3333-4444-555555555555", "W2 Minimal response", True)
    group = RefiCode("11111111-2222-3333-4444-000000000000", "Withdrawal", False, "", None, (code,))
    user = RefiUser("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", "Ada")
    sel = RefiSelection(
        "99999999-2222-3333-4444-555555555555",
        p2.start + 7,
        p2.end,
        codings=(RefiCoding("88888888-2222-3333-4444-555555555555", code.guid, user.guid),),
    )
    return RefiProject(
        "demo",
        users=(user,),
        codes=(group,),
        sources=(RefiSource("77777777-2222-3333-4444-555555555555", "P01_S1", text, "", (sel,)),),
    )


def test_written_project_validates_and_reads_back_with_crlf_positions(tmp_path: Path) -> None:
    out = write_qdpx(tmp_path / "p.qdpx", sample_project())
    schema("Project-mrt2019.xsd").assertValid(project_qde(out))
    with zipfile.ZipFile(out) as archive:
        stored = archive.read("Sources/77777777-2222-3333-4444-555555555555.txt").decode("utf-8")
    assert "\r\n" in stored
    back = read_project(out)
    source = back.sources[0]
    assert source.text == stored  # nothing normalised: positions stay right
    sel = source.selections[0]
    assert stored[sel.start : sel.end] == "Really: fine."  # after a CR/LF inside the turn
    assert sel.codings[0].user_guid == "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
    assert [c.name for c, _ in back.all_codes()] == ["Withdrawal", "W2 Minimal response"]


def test_same_project_gives_the_same_bytes(tmp_path: Path) -> None:
    a = write_qdpx(tmp_path / "a.qdpx", sample_project()).read_bytes()
    b = write_qdpx(tmp_path / "b.qdpx", sample_project()).read_bytes()
    assert a == b


def test_codebook_validates(tmp_path: Path) -> None:
    out = write_qdc(tmp_path / "c.qdc", sample_project().codes)
    schema("Codebook-mrt2019.xsd").assertValid(etree.parse(str(out)))
    assert read_codebook(out)[0].children[0].name == "W2 Minimal response"


def test_turns_round_trip_through_source_text() -> None:
    text, placed = write_turns(TURNS)
    roles = {"T": SpeakerRole.THERAPIST, "P": SpeakerRole.PATIENT}
    back = read_turns(text, roles)
    assert [p.turn for p in back] == TURNS
    assert [(p.start, p.end) for p in back] == [(p.start, p.end) for p in placed]
    assert all(text[p.start : p.end] == p.turn.text for p in back)


def test_foreign_text_becomes_labelled_or_plain_turns() -> None:
    labelled = read_turns("I: Hello\r\nthere\r\nR: Hi")
    assert [(p.turn.speaker, p.turn.text) for p in labelled] == [
        ("I", "Hello\r\nthere"),
        ("R", "Hi"),
    ]
    plain = read_turns("First paragraph.\r\n\r\nSecond one.")
    assert [(p.turn.speaker, p.start) for p in plain] == [("Text", 0), ("Text", 20)]


# ---- bad files ----------------------------------------------------------------------------
def _zip(path: Path, members: dict[str, str | bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def _qde(source: str = "", selection: str = "") -> str:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="{NS}" name="x"><Sources>
<TextSource guid="{{0A1B2C3D-0000-0000-0000-000000000001}}" name="S"
 plainTextPath="internal://0A1B2C3D-0000-0000-0000-000000000001.txt">{selection}</TextSource>
</Sources></Project>"""


@pytest.mark.parametrize(
    ("name", "members", "problem"),
    [
        ("notzip.qdpx", None, "not a zip archive"),
        ("empty.qdpx", {"readme.txt": "hi"}, "no project.qde"),
        ("missing.qdpx", {"project.qde": _qde()}, "is missing"),
        (
            "range.qdpx",
            {
                "project.qde": _qde(
                    selection='<PlainTextSelection guid="0a1b2c3d-0000-0000-0000-000000000002" '
                    'startPosition="2" endPosition="99"/>'
                ),
                "Sources/0A1B2C3D-0000-0000-0000-000000000001.txt": "short text",
            },
            "out of range",
        ),
        ("schema.qdpx", {"project.qde": f'<Project xmlns="{NS}"/>'}, "fails the REFI-QDA schema"),
        ("xml.qdpx", {"project.qde": "<Project"}, "not well-formed XML"),
    ],
)
def test_bad_files_are_refused_naming_file_and_problem(
    tmp_path: Path, name: str, members: dict[str, str] | None, problem: str
) -> None:
    path = tmp_path / name
    if members is None:
        path.write_bytes(b"this is not a zip")
    else:
        _zip(path, dict(members))
    with pytest.raises(CoderError) as caught:
        read_project(path)
    assert str(path) in str(caught.value)
    assert problem in str(caught.value)


def test_entities_are_not_expanded(tmp_path: Path) -> None:
    bomb = '<?xml version="1.0"?><!DOCTYPE P [<!ENTITY a "aaaa">]><Project name="&a;"/>'
    path = _zip(tmp_path / "bomb.qdpx", {"project.qde": bomb})
    with pytest.raises(CoderError):
        read_project(path)


def test_stable_guids_are_uuid5_and_deterministic() -> None:
    import uuid

    for parts in (("rater", "Ada Lovelace"), ("code", "3rs-2015", "W1"), ("memo", "ü" * 40)):
        expected = str(uuid.uuid5(_NAMESPACE, "/".join(parts)))
        assert stable_guid(*parts) == expected
    assert stable_guid("rater", "Ada") != stable_guid("rater", "Ben")
