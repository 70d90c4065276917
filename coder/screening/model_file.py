"""The model file: a header, a SHA-256 hash, then a NumPy ``.npz`` payload.

::

    RUPTURE-CODER-SCREENING-MODEL 1\\n
    sha256:<64 hex digits of the payload>\\n
    <payload: .npz archive of plain float arrays + one JSON manifest as bytes>

Loading checks the header, the format version and the hash of the whole payload before
reading anything from it, so a truncated or edited file is refused as a whole; the payload
is read with ``allow_pickle=False`` and the manifest is JSON, so loading never runs code
from the file (no pickle, no joblib). The hash also names the model ("Machine · 3f9c2a1b").
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path
from typing import Any

import numpy as np

from coder.screening.features import DEFAULT_FEATURES, FEATURE_SETS
from coder.screening.model import CodeModel, RatingModel, ScreeningModel

MAGIC = b"RUPTURE-CODER-SCREENING-MODEL"
FORMAT_VERSION = 1
MAX_BYTES = 512 * 1024 * 1024


class ModelFileError(ValueError):
    """A file that is not a usable model (wrong kind, newer format, damaged)."""


def model_hash(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()


def to_bytes(model: ScreeningModel) -> tuple[bytes, str]:
    """The file's bytes and the model's hash."""
    arrays: dict[str, np.ndarray] = {}
    features: dict[str, Any] = {}
    for kind, f in sorted(model.features.items()):
        entry, named = f.to_file(kind)
        features[kind] = {**entry, "type": f.name}
        arrays.update(named)
    codes = []
    for i, c in enumerate(model.codes):
        arrays[f"coef_{i}"] = c.coef
        codes.append(_code_entry(c, f"coef_{i}"))
    ratings = []
    for i, r in enumerate(model.ratings):
        cuts = []
        for k, c in enumerate(r.cuts):
            arrays[f"rcoef_{i}_{k}"] = c.coef
            cuts.append(_code_entry(c, f"rcoef_{i}_{k}"))
        ratings.append(
            {
                "rating": r.rating,
                "unit": r.unit,
                "levels": r.levels,
                "n_units": r.n_units,
                "cuts": cuts,
            }
        )
    manifest = {
        "format": FORMAT_VERSION,
        "ratings": ratings,
        "meta": model.meta,
        "settings": model.settings,
        "features": features,
        "codes": codes,
        "skipped": model.skipped,
    }
    text = json.dumps(manifest, ensure_ascii=False, sort_keys=True).encode("utf-8")
    arrays["manifest"] = np.frombuffer(text, dtype=np.uint8)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)  # type: ignore[arg-type]
    payload = buffer.getvalue()
    digest = model_hash(payload)
    header = MAGIC + f" {FORMAT_VERSION}\n".encode() + f"sha256:{digest}\n".encode()
    return header + payload, digest


def from_bytes(data: bytes) -> tuple[ScreeningModel, str]:
    """The model and its hash; :class:`ModelFileError` for anything else."""
    first, sep, rest = data.partition(b"\n")
    if not sep or not first.startswith(MAGIC + b" "):
        raise ModelFileError("not a Rupture Coder screening model")
    version = first[len(MAGIC) + 1 :]
    if not version.isdigit() or int(version) != FORMAT_VERSION:
        raise ModelFileError(
            f"model file format {version.decode(errors='replace')!s} is not the one this "
            f"version reads ({FORMAT_VERSION})"
        )
    line, sep, payload = rest.partition(b"\n")
    if not sep or not line.startswith(b"sha256:"):
        raise ModelFileError("the model file has no hash line: it is damaged")
    expected = line[len(b"sha256:") :].decode(errors="replace")
    digest = model_hash(payload)
    if digest != expected:
        raise ModelFileError(
            "the model file does not match its hash: it is truncated or was changed "
            "after training; train it again"
        )
    try:
        with np.load(io.BytesIO(payload), allow_pickle=False) as npz:
            arrays = {name: np.array(npz[name]) for name in npz.files}
        manifest = json.loads(arrays.pop("manifest").tobytes().decode("utf-8"))
        return _model(manifest, arrays), digest
    except (ValueError, KeyError, TypeError, OSError) as exc:  # hash fine, content not
        raise ModelFileError(f"the model file is damaged: {exc}") from None


def _model(manifest: dict[str, Any], arrays: dict[str, np.ndarray]) -> ScreeningModel:
    if manifest.get("format") != FORMAT_VERSION:
        raise ModelFileError("the model's manifest has another format version")
    features = {}
    for kind, f in manifest["features"].items():
        name = str(f.get("type", DEFAULT_FEATURES))  # files from before the choice: tfidf
        if name not in FEATURE_SETS:
            raise ModelFileError(
                f"the model is of type {name!r}, which this version does not have "
                f"(it has: {', '.join(sorted(FEATURE_SETS))})"
            )
        features[kind] = FEATURE_SETS[name].from_file(kind, f, arrays)
    codes = [_code_model(c, arrays) for c in manifest["codes"]]
    ratings = [
        RatingModel(
            rating=str(r["rating"]),
            unit=str(r["unit"]),
            levels=[int(v) for v in r["levels"]],
            cuts=[_code_model(c, arrays) for c in r["cuts"]],
            n_units=int(r["n_units"]),
        )
        for r in manifest.get("ratings", [])  # absent in files written before ratings
    ]
    for c in codes + [cut for r in ratings for cut in r.cuts]:
        f = features.get(c.unit)
        if f is None or len(c.coef) != f.n_features:
            raise ModelFileError(f"the model's code {c.code} does not fit its features")
    for r in ratings:
        if len(r.cuts) != len(r.levels) - 1:
            raise ModelFileError(f"the model's rating {r.rating} does not fit its values")
    return ScreeningModel(
        features,
        codes,
        list(manifest["skipped"]),
        manifest["settings"],
        dict(manifest["meta"]),
        ratings,
    )


def _code_entry(c: CodeModel, coef_name: str) -> dict[str, Any]:
    """A presence code's (or a rating cut's) manifest entry; its coefficients are the
    array ``coef_name`` (:func:`_code_model` reads it back)."""
    return {
        "code": c.code,
        "unit": c.unit,
        "roles": c.roles,
        "n_units": c.n_units,
        "n_positive": c.n_positive,
        "intercept": c.intercept,
        "platt_a": c.platt_a,
        "platt_b": c.platt_b,
        "threshold": c.threshold,
        "coef": coef_name,
    }


def _code_model(c: dict[str, Any], arrays: dict[str, np.ndarray]) -> CodeModel:
    """The model of one manifest entry written by :func:`_code_entry`."""
    return CodeModel(
        code=str(c["code"]),
        unit=str(c["unit"]),
        roles=[str(r) for r in c["roles"]],
        n_units=int(c["n_units"]),
        n_positive=int(c["n_positive"]),
        coef=arrays[c["coef"]].astype(np.float64),
        intercept=float(c["intercept"]),
        platt_a=float(c["platt_a"]),
        platt_b=float(c["platt_b"]),
        threshold=float(c["threshold"]),
    )


def load(path: Path) -> tuple[ScreeningModel, str]:
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise ModelFileError(f"{size} bytes is more than a model file can be")
    return from_bytes(path.read_bytes())
