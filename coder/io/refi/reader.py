"""Reading ``.qdpx`` projects (and a bare ``project.qde``) and ``.qdc`` codebooks.

Files come from other programs and other people, so nothing is trusted: the archive's
size, member count and compression ratio are bounded before anything is inflated; the
XML is parsed without DTDs, entities or network access; it must validate against the
official schema; every ``internal://`` source must be in the archive; every selection
must lie within its source's text. Any problem raises one :class:`CoderError` naming
the file and the problem, before the caller has written anything.

Positions are characters of the source text as stored (decoded UTF-8, line breaks kept
as they are: a CR/LF counts as two characters), as the standard prescribes.
"""

from __future__ import annotations

import zipfile
from datetime import datetime
from pathlib import Path, PurePosixPath

from lxml import etree

from coder.domain.errors import CoderError
from coder.io.limits import read_regular_file
from coder.io.refi.model import (
    RefiCode,
    RefiCoding,
    RefiNote,
    RefiProject,
    RefiSelection,
    RefiSource,
    RefiUser,
)
from coder.io.refi.schemas import (
    CODEBOOK_NS,
    PROJECT_NS,
    codebook_schema,
    project_schema,
    release_in_pieces,
)

MB = 1024 * 1024
MAX_ARCHIVE_BYTES = 200 * MB
MAX_UNPACKED_BYTES = 500 * MB
MAX_MEMBERS = 10_000
MAX_RATIO = 200
PROJECT_MEMBER = "project.qde"


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
    )


def read_codebook(path: Path) -> tuple[RefiCode, ...]:
    """The codes of a ``.qdc`` file (validated against the codebook schema)."""
    data = read_regular_file(path, 20 * MB, "codebook file")
    root = _parse(data, path, "the codebook")
    if etree.QName(root).namespace != CODEBOOK_NS or etree.QName(root).localname != "CodeBook":
        raise CoderError(f"not a REFI-QDA codebook (root element {root.tag})", path=path)
    _validate(root, codebook_schema(), path)
    codes = root.find(f"{{{CODEBOOK_NS}}}Codes")
    return tuple(_codes(codes, CODEBOOK_NS)) if codes is not None else ()


def read_project(path: Path) -> RefiProject:
    """A ``.qdpx`` archive (or a bare ``.qde`` whose sources hold their text inline)."""
    data = read_regular_file(path, MAX_ARCHIVE_BYTES, "REFI-QDA project")
    members: dict[str, bytes] = {}
    if data.startswith(b"PK"):
        xml, members = _unzip(data, path)
    elif path.suffix.lower() == ".qdpx":
        raise CoderError("not a .qdpx file (not a zip archive)", path=path)
    else:
        xml = data
    root = _parse(xml, path, PROJECT_MEMBER)
    if etree.QName(root).namespace != PROJECT_NS or etree.QName(root).localname != "Project":
        raise CoderError(f"not a REFI-QDA project (root element {root.tag})", path=path)
    _validate(root, project_schema(), path)
    project = _project(root, members, path)
    release_in_pieces(root)
    return project


def _unzip(data: bytes, path: Path) -> tuple[bytes, dict[str, bytes]]:
    import io

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_MEMBERS:
                raise CoderError(f"refused: the archive holds {len(infos):,} members", path=path)
            if sum(i.file_size for i in infos) > MAX_UNPACKED_BYTES:
                raise CoderError("refused: the archive would unpack to over 500 MB", path=path)
            for info in infos:
                if info.file_size > MB and info.file_size / max(info.compress_size, 1) > MAX_RATIO:
                    raise CoderError(
                        f"refused: member {info.filename} is compressed over {MAX_RATIO}:1 "
                        "(a damaged file or a zip bomb)",
                        path=path,
                    )
            names = {i.filename: i for i in infos if not i.is_dir()}
            qde = [n for n in names if n.lower().endswith(".qde") and "/" not in n]
            if not qde:
                raise CoderError(
                    "the archive holds no project.qde (not a REFI-QDA project)", path=path
                )
            main = PROJECT_MEMBER if PROJECT_MEMBER in qde else sorted(qde)[0]
            members = {
                n: archive.read(n)
                for n in names
                if n != main and n.lower().startswith("sources/") and n.lower().endswith(".txt")
            }
            return archive.read(main), members
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        EOFError,
        ValueError,
        NotImplementedError,
    ) as exc:
        raise CoderError(f"corrupt or truncated .qdpx archive ({exc})", path=path) from exc


def _parse(data: bytes, path: Path, what: str) -> etree._Element:
    try:
        root: etree._Element = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise CoderError(f"{what} is not well-formed XML ({exc})", path=path) from exc
    return root


def _validate(root: etree._Element, schema: etree.XMLSchema, path: Path) -> None:
    if not schema.validate(root):
        errors = list(schema.error_log)
        first = errors[0]
        more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
        raise CoderError(
            f"fails the REFI-QDA schema: line {first.line}: {first.message}{more}", path=path
        )


def _q(tag: str, ns: str = PROJECT_NS) -> str:
    return f"{{{ns}}}{tag}"


def _text(element: etree._Element | None) -> str:
    return "" if element is None or element.text is None else str(element.text)


def _time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _guid(value: str) -> str:
    """GUIDs compare case-insensitively and with or without braces."""
    return value.strip("{}").lower()


def _codes(parent: etree._Element, ns: str) -> list[RefiCode]:
    found = []
    for element in parent.findall(_q("Code", ns)):
        found.append(
            RefiCode(
                guid=_guid(element.get("guid", "")),
                name=element.get("name", ""),
                codable=element.get("isCodable") in ("true", "1"),
                description=_text(element.find(_q("Description", ns))),
                color=element.get("color"),
                children=tuple(_codes(element, ns)),
            )
        )
    return found


def _project(root: etree._Element, members: dict[str, bytes], path: Path) -> RefiProject:
    skipped: list[str] = []
    users = tuple(
        RefiUser(_guid(u.get("guid", "")), u.get("name") or u.get("id") or u.get("guid", ""))
        for u in root.iterfind(f"{_q('Users')}/{_q('User')}")
    )
    codes_el = root.find(f"{_q('CodeBook')}/{_q('Codes')}")
    codes = tuple(_codes(codes_el, PROJECT_NS)) if codes_el is not None else ()
    sources: list[RefiSource] = []
    sources_el = root.find(_q("Sources"))
    if sources_el is not None:
        for element in sources_el:
            kind = etree.QName(element).localname
            if kind != "TextSource":
                skipped.append(f"{kind} {element.get('name') or element.get('guid')}")
                continue
            sources.append(_source(element, members, path))
    notes = tuple(
        RefiNote(
            _guid(n.get("guid", "")),
            _note_text(n, members),
            _guid(n.get("creatingUser", "")) or None,
            n.get("name", ""),
        )
        for n in root.iterfind(f"{_q('Notes')}/{_q('Note')}")
    )
    return RefiProject(
        name=root.get("name", ""),
        users=users,
        codes=codes,
        sources=tuple(sources),
        notes=notes,
        description=_text(root.find(_q("Description"))),
        origin=root.get("origin", ""),
        skipped=tuple(skipped),
    )


def _member_name(reference: str) -> str | None:
    """``internal://abc.txt`` → ``Sources/abc.txt``; other schemes are not in the archive."""
    if not reference.startswith("internal://"):
        return None
    name = PurePosixPath(reference[len("internal://") :]).name
    return f"sources/{name}".lower()


def _member_text(reference: str, members: dict[str, bytes]) -> str | None:
    wanted = _member_name(reference)
    if wanted is None:
        return None
    for name, data in members.items():
        if name.lower() == wanted:
            return data.decode("utf-8-sig")
    return None


def _note_text(note: etree._Element, members: dict[str, bytes]) -> str:
    inline = note.find(_q("PlainTextContent"))
    if inline is not None:
        return _text(inline)
    try:
        return _member_text(note.get("plainTextPath", ""), members) or ""
    except UnicodeDecodeError:
        return ""


def _source(element: etree._Element, members: dict[str, bytes], path: Path) -> RefiSource:
    name = element.get("name") or element.get("guid", "")
    inline = element.find(_q("PlainTextContent"))
    if inline is not None:
        text = _text(inline)
    else:
        reference = element.get("plainTextPath", "")
        try:
            found = _member_text(reference, members)
        except UnicodeDecodeError as exc:
            raise CoderError(
                f"source {name!r} ({reference}) is not UTF-8 text (byte {exc.start})", path=path
            ) from None
        if found is None:
            where = reference or "no plainTextPath"
            raise CoderError(
                f"source {name!r} is missing: its text ({where}) is not in the archive", path=path
            )
        text = found
    selections = []
    for sel in element.findall(_q("PlainTextSelection")):
        start, end = int(sel.get("startPosition", "0")), int(sel.get("endPosition", "0"))
        if not 0 <= start <= end <= len(text):
            raise CoderError(
                f"source {name!r}: selection {sel.get('guid')} at {start}-{end} is out of "
                f"range (the text has {len(text)} characters)",
                path=path,
            )
        codings = tuple(
            RefiCoding(
                _guid(c.get("guid", "")),
                _guid(c.find(_q("CodeRef")).get("targetGUID", "")),
                _guid(c.get("creatingUser", "")) or None,
                _time(c.get("creationDateTime")),
            )
            for c in sel.findall(_q("Coding"))
        )
        selections.append(
            RefiSelection(
                guid=_guid(sel.get("guid", "")),
                start=start,
                end=end,
                description=_text(sel.find(_q("Description"))),
                user_guid=_guid(sel.get("creatingUser", "")) or None,
                created=_time(sel.get("creationDateTime")),
                codings=codings,
                note_guids=tuple(
                    _guid(n.get("targetGUID", "")) for n in sel.findall(_q("NoteRef"))
                ),
            )
        )
    return RefiSource(
        guid=_guid(element.get("guid", "")),
        name=name,
        text=text,
        description=_text(element.find(_q("Description"))),
        selections=tuple(selections),
    )
