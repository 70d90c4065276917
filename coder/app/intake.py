"""Intake measures of a patient: store, load and import them.

Only numbers are stored (no item text is ever shipped or kept). Each instrument is one
row per patient, replaced on each save, validated by the domain classes on the way in
and again on the way out, so a hand-edited database cannot feed nonsense to a profile.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

from coder.app.identity import ActingRater
from coder.app.lookup import find_patient
from coder.domain.errors import CoderError, ValidationError, file_error
from coder.domain.intake import (
    IIP,
    OCTANTS,
    PD_CRITERIA,
    SUIPI,
    IIPNorms,
    IIPVersion,
    Intake,
    PDInterview,
    RelationalNote,
)
from coder.store.database import ProjectDatabase
from coder.store.models import IntakeRecordRow, PatientRow

IIP_KEY, SUIP_KEY, PD_KEY, NOTES_KEY, NORMS_KEY = (
    "iip",
    "suip_i",
    "pd_interview",
    "notes",
    "iip_norms",
)


# ---- JSON <-> domain ------------------------------------------------------------------
def iip_to_json(iip: IIP) -> dict[str, Any]:
    if iip.items:
        return {"version": iip.version.value, "items": {str(k): v for k, v in iip.items.items()}}
    return {"version": iip.version.value, "octants": dict(iip.octants)}


def iip_from_json(data: dict[str, Any]) -> IIP:
    version = IIPVersion(data["version"])
    if "items" in data:
        return IIP.from_items(version, {int(k): int(v) for k, v in data["items"].items()})
    return IIP.from_octants(version, {k: float(v) for k, v in data["octants"].items()})


def suip_to_json(s: SUIPI) -> dict[str, Any]:
    return {
        "ratings": list(s.ratings),
        "min": s.scale_min,
        "max": s.scale_max,
        "labels": list(s.labels),
    }


def suip_from_json(data: dict[str, Any]) -> SUIPI:
    return SUIPI(tuple(data["ratings"]), int(data["min"]), int(data["max"]), tuple(data["labels"]))


def pd_to_json(p: PDInterview) -> dict[str, Any]:
    return {"instrument": p.instrument, "ratings": {d: list(v) for d, v in p.ratings.items()}}


def pd_from_json(data: dict[str, Any]) -> PDInterview:
    return PDInterview({d: tuple(v) for d, v in data["ratings"].items()}, data["instrument"])


def notes_to_json(notes: tuple[RelationalNote, ...]) -> dict[str, Any]:
    return {"notes": [{"when": n.when.isoformat(), "text": n.text} for n in notes]}


def notes_from_json(data: dict[str, Any]) -> tuple[RelationalNote, ...]:
    return tuple(RelationalNote(date.fromisoformat(n["when"]), n["text"]) for n in data["notes"])


def norms_to_json(n: IIPNorms) -> dict[str, Any]:
    return {"means": dict(n.means), "sds": dict(n.sds), "label": n.label}


def norms_from_json(data: dict[str, Any]) -> IIPNorms:
    return IIPNorms(data["means"], data["sds"], data.get("label", ""))


# ---- storing ----------------------------------------------------------------------------
def _save(
    db: ProjectDatabase, coder: ActingRater | None, patient: str, key: str, data: dict[str, Any]
) -> None:
    with db.transaction(coder) as session:
        patient_id = find_patient(session, patient).id
        row = session.scalar(
            select(IntakeRecordRow).where(
                IntakeRecordRow.patient_id == patient_id, IntakeRecordRow.instrument == key
            )
        )
        if row is None:
            row = IntakeRecordRow(patient_id=patient_id, instrument=key)
            session.add(row)
        row.data = data
        row.entered_by = coder.rater_id if coder else None


def save_iip(db: ProjectDatabase, coder: ActingRater | None, patient: str, iip: IIP) -> None:
    _save(db, coder, patient, IIP_KEY, iip_to_json(iip))


def save_suip(db: ProjectDatabase, coder: ActingRater | None, patient: str, suip: SUIPI) -> None:
    _save(db, coder, patient, SUIP_KEY, suip_to_json(suip))


def save_pd(db: ProjectDatabase, coder: ActingRater | None, patient: str, pd: PDInterview) -> None:
    _save(db, coder, patient, PD_KEY, pd_to_json(pd))


def save_notes(
    db: ProjectDatabase, coder: ActingRater | None, patient: str, notes: tuple[RelationalNote, ...]
) -> None:
    _save(db, coder, patient, NOTES_KEY, notes_to_json(notes))


def save_norms(
    db: ProjectDatabase, coder: ActingRater | None, patient: str, norms: IIPNorms | None
) -> None:
    _save(db, coder, patient, NORMS_KEY, norms_to_json(norms) if norms else {})


def load_intake(db: ProjectDatabase, patient: str) -> tuple[Intake, IIPNorms | None]:
    """The patient's intake (parts never entered are None) and IIP norms if set."""
    with db.reading() as session:
        patient_id = find_patient(session, patient).id
        rows = {
            r.instrument: r.data
            for r in session.scalars(
                select(IntakeRecordRow).where(IntakeRecordRow.patient_id == patient_id)
            )
        }
    try:
        intake = Intake(
            patient,
            iip=iip_from_json(rows[IIP_KEY]) if rows.get(IIP_KEY) else None,
            suip=suip_from_json(rows[SUIP_KEY]) if rows.get(SUIP_KEY) else None,
            pd=pd_from_json(rows[PD_KEY]) if rows.get(PD_KEY) else None,
            notes=notes_from_json(rows[NOTES_KEY]) if rows.get(NOTES_KEY) else (),
        )
        norms = norms_from_json(rows[NORMS_KEY]) if rows.get(NORMS_KEY) else None
    except (KeyError, TypeError, ValueError) as exc:
        raise CoderError(f"stored intake data of {patient} is damaged: {exc}") from None
    return intake, norms


# ---- importing a long table ------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class IntakeImport:
    patients: tuple[str, ...]
    instruments: int


def import_intake_csv(db: ProjectDatabase, coder: ActingRater | None, path: Path) -> IntakeImport:
    """Read ``patient, instrument, item, value`` rows and store each instrument.

    ``instrument`` is IIP-64 / IIP-32 / IIP-SC (``item`` an item number, or an octant code
    PA…NO for octant means), SUIP-I (``item`` 1–6), or SIDP-IV / SCID-5-PD (``item``
    ``disorder:criterion``, e.g. ``borderline:3``). Everything is validated before the
    first write; then all instruments go in one transaction.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise file_error(exc, path, writing=False, what="intake table") from None
    except UnicodeDecodeError:
        raise CoderError("not UTF-8 text", path=path) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    needed = ["patient", "instrument", "item", "value"]
    if not reader.fieldnames or any(c not in reader.fieldnames for c in needed):
        raise CoderError(f"needs columns {', '.join(needed)}", path=path)
    grouped: dict[tuple[str, str], list[tuple[int, str, str]]] = {}
    for record in reader:
        group = ((record["patient"] or "").strip(), (record["instrument"] or "").strip().upper())
        grouped.setdefault(group, []).append(
            (reader.line_num, (record["item"] or "").strip(), (record["value"] or "").strip())
        )
    built: list[tuple[str, str, dict[str, Any]]] = []
    for (patient, instrument), rows in grouped.items():
        try:
            built.append((patient, *_build(instrument, rows)))
        except (ValidationError, ValueError) as exc:
            first = rows[0][0]
            raise CoderError(
                f"{patient} {instrument} (from line {first}): {exc}", path=path
            ) from None
    with db.transaction(coder, source=path.name) as session:
        ids = {code: pid for pid, code in session.execute(select(PatientRow.id, PatientRow.code))}
        for patient, key, data in built:
            if patient not in ids:
                raise CoderError(f"no patient {patient!r} in the project", path=path)
            row = session.scalar(
                select(IntakeRecordRow).where(
                    IntakeRecordRow.patient_id == ids[patient], IntakeRecordRow.instrument == key
                )
            )
            if row is None:
                row = IntakeRecordRow(patient_id=ids[patient], instrument=key)
                session.add(row)
            row.data = data
            row.entered_by = coder.rater_id if coder else None
    return IntakeImport(tuple(sorted({p for p, _, _ in built})), len(built))


def _build(instrument: str, rows: list[tuple[int, str, str]]) -> tuple[str, dict[str, Any]]:
    def number(line: int, value: str) -> float:
        try:
            return float(value)
        except ValueError:
            raise ValidationError(f"line {line}: value {value!r} is not a number") from None

    if instrument in {v.value.upper() for v in IIPVersion}:
        version = next(v for v in IIPVersion if v.value.upper() == instrument)
        if all(item.upper() in OCTANTS for _, item, _ in rows):
            iip = IIP.from_octants(version, {item.upper(): number(ln, v) for ln, item, v in rows})
        else:
            items = {}
            for line, item, value in rows:
                if not item.isdigit():
                    raise ValidationError(
                        f"line {line}: item {item!r} is not an item number or octant"
                    )
                items[int(item)] = int(number(line, value))
            iip = IIP.from_items(version, items)
        return IIP_KEY, iip_to_json(iip)
    if instrument == "SUIP-I":
        ratings: list[int | None] = [None] * 6
        for line, item, value in rows:
            if not item.isdigit() or not 1 <= int(item) <= 6:
                raise ValidationError(f"line {line}: SUIP-I level {item!r} must be 1-6")
            ratings[int(item) - 1] = int(number(line, value))
        return SUIP_KEY, suip_to_json(SUIPI(tuple(ratings)))
    if instrument in {"SIDP-IV", "SCID-5-PD"}:
        by_disorder: dict[str, dict[int, int]] = {}
        for line, item, value in rows:
            disorder, _, criterion = item.partition(":")
            if disorder not in PD_CRITERIA or not criterion.isdigit():
                raise ValidationError(
                    f"line {line}: item {item!r} must be disorder:criterion "
                    f"(disorders: {', '.join(PD_CRITERIA)})"
                )
            by_disorder.setdefault(disorder, {})[int(criterion)] = int(number(line, value))
        ratings_by = {}
        for disorder, values in by_disorder.items():
            n = PD_CRITERIA[disorder][0]
            if sorted(values) != list(range(1, n + 1)):
                raise ValidationError(f"{disorder}: criteria 1-{n} are all needed")
            ratings_by[disorder] = tuple(values[i] for i in range(1, n + 1))
        original = "SIDP-IV" if instrument == "SIDP-IV" else "SCID-5-PD"
        return PD_KEY, pd_to_json(PDInterview(ratings_by, original))
    raise ValidationError(
        f"unknown instrument {instrument!r} (IIP-64, IIP-32, IIP-SC, SUIP-I, SIDP-IV)"
    )
