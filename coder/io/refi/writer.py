"""Writing ``.qdpx`` projects and ``.qdc`` codebooks.

The XML is built with lxml and validated against the bundled official schema before
anything is written, so a bug in our mapping can never leave an invalid file for
another program to choke on. Archives are deterministic (fixed member times, fixed
order): the same project exported twice gives the same bytes, so exports diff and hash
cleanly. Files go through :mod:`coder.io.atomic`: a failure leaves no partial file.
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from lxml import etree

from coder.domain.errors import CoderError
from coder.io.atomic import atomic_file
from coder.io.refi.model import RefiCode, RefiProject, RefiSelection, RefiSource
from coder.io.refi.schemas import (
    CODEBOOK_NS,
    PROJECT_NS,
    codebook_schema,
    project_schema,
    release_in_pieces,
)

ORIGIN = "Rupture Coder"
SOURCES_DIR = "Sources"
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_LOCATIONS = {
    PROJECT_NS: "http://schema.qdasoftware.org/versions/Project/v1.0/Project.xsd",
    CODEBOOK_NS: "http://schema.qdasoftware.org/versions/Codebook/v1.0/Codebook.xsd",
}


def source_member(source: RefiSource) -> str:
    """The archive member holding a source's text (``internal://`` names it)."""
    return f"{SOURCES_DIR}/{source.guid}.txt"


def _stamp(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:  # stored times are UTC without a zone
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _root(tag: str, ns: str, **attrs: str) -> etree._Element:
    root = etree.Element(f"{{{ns}}}{tag}", nsmap={None: ns, "xsi": _XSI})
    root.set(f"{{{_XSI}}}schemaLocation", f"{ns} {_LOCATIONS[ns]}")
    for key, value in attrs.items():
        root.set(key, value)
    return root


def _sub(
    parent: etree._Element, tag: str, text: str | None = None, **attrs: str | None
) -> etree._Element:
    """A child in the parent's namespace, with the attributes that are not ``None``."""
    qualified = parent.tag[: parent.tag.index("}") + 1] + tag
    element = etree.SubElement(parent, qualified, {k: v for k, v in attrs.items() if v is not None})
    if text is not None:
        element.text = text
    return element


def _code(parent: etree._Element, code: RefiCode, *, in_project: bool) -> None:
    element = _sub(
        parent,
        "Code",
        guid=code.guid,
        name=code.name,
        isCodable="true" if code.codable else "false",
        color=code.color,
    )
    if code.description:
        _sub(element, "Description", code.description)
    for child in code.children:
        _code(element, child, in_project=in_project)


def _selection(parent: etree._Element, sel: RefiSelection, source: RefiSource) -> None:
    element = _sub(
        parent,
        "PlainTextSelection",
        guid=sel.guid,
        name=_excerpt(source.text[sel.start : sel.end]),
        startPosition=str(sel.start),
        endPosition=str(sel.end),
        creatingUser=sel.user_guid,
        creationDateTime=_stamp(sel.created),
    )
    if sel.description:
        _sub(element, "Description", sel.description)
    for coding in sel.codings:
        c = _sub(
            element,
            "Coding",
            guid=coding.guid,
            creatingUser=coding.user_guid,
            creationDateTime=_stamp(coding.created),
        )
        _sub(c, "CodeRef", targetGUID=coding.code_guid)
    for note in sel.note_guids:
        _sub(element, "NoteRef", targetGUID=note)


def _excerpt(text: str, limit: int = 80) -> str:
    """The selection's name: its text on one line, shortened (as ATLAS.ti names them)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def project_xml(project: RefiProject) -> bytes:
    """``project.qde`` for ``project``, validated against the official schema."""
    root = _root("Project", PROJECT_NS, name=project.name, origin=project.origin or ORIGIN)
    if project.users:
        users = _sub(root, "Users")
        for user in project.users:
            _sub(users, "User", guid=user.guid, name=user.name)
    if project.codes:
        codes = _sub(_sub(root, "CodeBook"), "Codes")
        for code in project.codes:
            _code(codes, code, in_project=True)
    if project.variables:
        variables = _sub(root, "Variables")
        for variable in project.variables:
            element = _sub(
                variables,
                "Variable",
                guid=variable.guid,
                name=variable.name,
                typeOfVariable=variable.type,
            )
            if variable.description:
                _sub(element, "Description", variable.description)
    if project.sources:
        sources = _sub(root, "Sources")
        for source in project.sources:
            element = _sub(
                sources,
                "TextSource",
                guid=source.guid,
                name=source.name,
                plainTextPath=f"internal://{source.guid}.txt",
            )
            if source.description:
                _sub(element, "Description", source.description)
            for sel in source.selections:
                _selection(element, sel, source)
            for variable_guid, value in source.values:
                holder = _sub(element, "VariableValue")
                _sub(holder, "VariableRef", targetGUID=variable_guid)
                kind = "IntegerValue" if isinstance(value, int) else "TextValue"
                _sub(holder, kind, str(value))
    if project.notes:
        notes = _sub(root, "Notes")
        for note in project.notes:
            element = _sub(
                notes, "Note", guid=note.guid, name=note.name or None, creatingUser=note.user_guid
            )
            _sub(element, "PlainTextContent", note.text)
    if project.description:
        _sub(root, "Description", project.description)
    data = _validated(root, project_schema(), "project.qde")
    release_in_pieces(root)
    return data


def codebook_xml(codes: tuple[RefiCode, ...]) -> bytes:
    """A ``.qdc`` codebook, validated against the official schema."""
    root = _root("CodeBook", CODEBOOK_NS, origin=ORIGIN)
    element = _sub(root, "Codes")
    for code in codes:
        _code(element, code, in_project=False)
    return _validated(root, codebook_schema(), "codebook")


def _validated(root: etree._Element, schema: etree.XMLSchema, what: str) -> bytes:
    if not schema.validate(root):
        error = schema.error_log.last_error
        raise CoderError(f"internal error: the {what} we built fails the REFI-QDA schema ({error})")
    # Serialised through a Python-level writer, so lxml hands over the text in pieces
    # and other threads (the desktop's window) run in between; one ``tostring`` call
    # held the GIL for the whole document (a quarter second on a large project).
    pieces = _Pieces()
    etree.ElementTree(root).write(pieces, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return b"".join(pieces.parts)


class _Pieces:
    """A file object written in Python, so that each piece lets other threads run."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.parts.append(data)


def write_qdpx(path: Path, project: RefiProject) -> Path:
    """Write the archive: ``project.qde`` and one UTF-8 text file per source."""
    xml = project_xml(project)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open(_member("project.qde"), "w") as member:
            for at in range(0, len(xml), _PIECE):  # in pieces: see _validated
                member.write(xml[at : at + _PIECE])
        for source in project.sources:
            archive.writestr(_member(source_member(source)), source.text.encode("utf-8"))
    with atomic_file(path) as fh:
        fh.write(buffer.getvalue())
    return path


def write_qdc(path: Path, codes: tuple[RefiCode, ...]) -> Path:
    data = codebook_xml(codes)
    with atomic_file(path) as fh:
        fh.write(data)
    return path


_PIECE = 1 << 20  # bytes compressed at a time


def _member(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info
