"""The rater package file: a zip holding ``manifest.json`` and ``payload.json``.

Why a zip with a separate manifest: the manifest is small and readable by anyone who
unzips the file, and it carries the SHA-256 and byte length of the payload, so a package
that was edited by hand, cut short by a failed copy or an e-mail gateway, or damaged on a
USB stick is refused before a single row is looked at. The payload is plain JSON (no
pickle, nothing executable); what it holds is decided by :mod:`coder.app.packages`.

Writing goes through :mod:`coder.io.atomic`, so a failed export never leaves a half
package where a good one was; reading goes through :mod:`coder.io.limits` (ordinary
files only, a size cap) and caps the unpacked payload too (a zip bomb is refused).
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
import zlib
from pathlib import Path
from typing import Any

from coder.domain.errors import CoderError
from coder.io.atomic import atomic_file
from coder.io.limits import MB, read_regular_file

FORMAT = "rupture-coder-rater-package"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
PAYLOAD = "payload.json"
MAX_PACKAGE_BYTES = 500 * MB
MAX_PAYLOAD_BYTES = 2000 * MB


class PackageFileError(CoderError):
    """The file is not a rater package, or not an intact one."""


def write_package(path: Path, manifest: dict[str, Any], payload: dict[str, Any]) -> Path:
    """Write ``payload`` and ``manifest`` (with the payload's checksum added) to ``path``
    atomically; return ``path``."""
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    head = {
        **manifest,
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "payload": PAYLOAD,
        "payload_bytes": len(data),
        "payload_sha256": hashlib.sha256(data).hexdigest(),
    }
    with atomic_file(path) as fh, zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, json.dumps(head, ensure_ascii=False, indent=2))
        archive.writestr(PAYLOAD, data, compresslevel=6)
    return path


def read_package(path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """(manifest, payload) of the package at ``path``, checked: a zip, our format and a
    version we read, and the payload's length and SHA-256 as the manifest says.
    Every refusal is a :class:`PackageFileError` naming ``path``."""
    raw = read_regular_file(path, MAX_PACKAGE_BYTES, "rater package")
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except zipfile.BadZipFile:
        raise PackageFileError(
            "is not a rater package (not a zip file, or cut short)", path=path
        ) from None
    try:
        with archive:
            names = set(archive.namelist())
            if MANIFEST not in names:
                raise PackageFileError(f"is not a rater package (no {MANIFEST})", path=path)
            manifest = _json(archive.read(MANIFEST), path, MANIFEST)
            if manifest.get("format") != FORMAT:
                raise PackageFileError("is not a rater package (another kind of file)", path=path)
            version = manifest.get("format_version")
            if not isinstance(version, int) or version > FORMAT_VERSION:
                raise PackageFileError(
                    f"was written by a newer version (package format {version}); "
                    "update Rupture Coder to merge it",
                    path=path,
                )
            if PAYLOAD not in names:
                raise PackageFileError(f"is damaged: {PAYLOAD} is missing", path=path)
            if archive.getinfo(PAYLOAD).file_size > MAX_PAYLOAD_BYTES:
                raise PackageFileError("is damaged: its payload is implausibly large", path=path)
            data = archive.read(PAYLOAD)
    except (zipfile.BadZipFile, zlib.error, EOFError, KeyError) as exc:
        raise PackageFileError(f"is damaged or cut short ({exc})", path=path) from None
    if len(data) != manifest.get("payload_bytes") or (
        hashlib.sha256(data).hexdigest() != manifest.get("payload_sha256")
    ):
        raise PackageFileError(
            "is damaged or was changed after export (its checksum does not match); "
            "ask for a fresh package",
            path=path,
        )
    return manifest, _json(data, path, PAYLOAD)


def _json(data: bytes, path: Path, member: str) -> dict[str, Any]:
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PackageFileError(
            f"is damaged: {member} is not valid JSON ({exc})", path=path
        ) from None
    if not isinstance(value, dict):
        raise PackageFileError(f"is damaged: {member} is not a JSON object", path=path)
    return value
