"""Patient reports and plots on disk: the use cases behind *Export report…*, *Export
plots…* and ``coder report``.

Each function builds the patient report with :func:`coder.app.profiles.build_report`
(so blinding applies exactly as in the patient view), renders the plots with
:mod:`coder.io.plots` and writes with :mod:`coder.io.report_docx`. Nothing here draws or
formats; it only gathers plain data for the writers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from coder.app import intake as intake_service
from coder.app import profiles
from coder.app.identity import Coder
from coder.app.profiles import PatientReport
from coder.app.rounds import visible_rater_ids
from coder.domain.errors import CoderError, NotFoundError
from coder.domain.intake import IIPNorms, Intake
from coder.domain.roles import RaterRole
from coder.io import plots
from coder.io.report_docx import write_patient_report
from coder.stats.circumplex import iip_ssm
from coder.store.database import ProjectDatabase
from coder.store.models import CodeApplicationRow, PatientRow, RaterRow, SessionRow

REPORT_SUFFIX = ".docx"
PLOT_FORMATS = plots.FORMATS
PlotFormat = plots.Format


@dataclass(frozen=True, slots=True)
class ProfileSource:
    """One entry of the patient view's "codes of" chooser."""

    label: str
    rater: str | None  # rater name; None for the consensus
    consensus: bool = False


def profile_sources(db: ProjectDatabase, coder: Coder | None, patient: str) -> list[ProfileSource]:
    """Whose codes ``coder`` may profile for ``patient``: every rater (and the consensus)
    with codes on the patient's sessions that blinding lets them see, the acting rater
    first. A lead sees everyone; while a round is blinded a rater sees only their own.
    When nobody visible has coded the patient yet, the acting rater's own (empty) profile
    is offered, so intake and formulation can still be worked on."""
    with db.reading() as session:
        patient_id = session.scalar(select(PatientRow.id).where(PatientRow.code == patient))
        if patient_id is None:
            raise NotFoundError(f"no patient {patient!r}")
        coded = set(
            session.scalars(
                select(CodeApplicationRow.rater_id)
                .join(SessionRow, CodeApplicationRow.session_id == SessionRow.id)
                .where(SessionRow.patient_id == patient_id)
                .distinct()
            )
        )
        rows = session.execute(select(RaterRow.id, RaterRow.name, RaterRow.role)).all()
        allowed = visible_rater_ids(session, coder) if coder is not None else None
    mine = coder.rater_id if coder is not None else None
    ranked: list[tuple[int, str, ProfileSource]] = []
    for rater_id, name, role in rows:
        if rater_id not in coded or (allowed is not None and rater_id not in allowed):
            continue
        if role == RaterRole.CONSENSUS.value:
            ranked.append((2, name.lower(), ProfileSource(f"Consensus ({name})", None, True)))
        elif rater_id == mine:
            ranked.append((0, "", ProfileSource(f"{name} (you)", name)))
        else:
            ranked.append((1, name.lower(), ProfileSource(name, name)))
    sources = [source for *_, source in sorted(ranked, key=lambda r: r[:2])]
    if not sources and coder is not None:
        sources.append(ProfileSource(f"{coder.name} (you)", coder.name))
    return sources


def intake_ssm(intake: Intake, norms: IIPNorms | None) -> dict[str, Any] | None:
    """The IIP structural summary (on norm z scores when norms are set), or None."""
    return None if intake.iip is None else dict(iip_ssm(intake.iip, norms).to_dict())


def render_plots(report: PatientReport, fmt: plots.Format = "png") -> dict[str, bytes]:
    """Every profile plot of the report: plot name → PNG bytes or SVG (UTF-8)."""
    return plots.render_all(report.profile, fmt)


def write_report(
    db: ProjectDatabase,
    report: PatientReport,
    path: Path,
    *,
    consensus: bool = False,
    generated: datetime | None = None,
) -> Path:
    """Write an already built report (the patient view has one) as a Word file."""
    if path.suffix.lower() != REPORT_SUFFIX:
        raise CoderError("the report is a Word file: give it the .docx suffix", path=path)
    intake, norms = intake_service.load_intake(db, report.patient)
    rendered = render_plots(report)
    return write_patient_report(
        path,
        report.to_dict(),
        intake=intake,
        ssm=intake_ssm(intake, norms),
        norms_label=(norms.label or "lab norms") if norms else None,
        history=profiles.override_history(db, report.patient),
        plots={plots.PLOTS[name][0]: png for name, png in rendered.items()},
        consensus=consensus,
        generated=generated,
    )


def export_patient_report(
    db: ProjectDatabase,
    coder: Coder | None,
    patient: str,
    path: Path,
    *,
    rater: str | None = None,
    consensus: bool = False,
    scheme_key: str | None = None,
    rules_path: Path | None = None,
) -> Path:
    """Build ``patient``'s report from ``rater``'s codes (or the consensus, or the acting
    rater's own) and write it to ``path`` (.docx). Blinding applies (``NotAllowed``)."""
    report = profiles.build_report(
        db, patient, rater=rater, consensus=consensus, coder=coder, scheme_key=scheme_key,
        rules_path=rules_path,
    )  # fmt: skip
    return write_report(db, report, path, consensus=consensus)


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._") or "x"


def plot_paths(folder: Path, prefix: str, fmt: plots.Format) -> dict[str, Path]:
    """Where :func:`export_plots` writes each plot: ``PREFIX-NAME.FMT`` in ``folder``."""
    return {name: folder / f"{_safe(prefix)}-{name}.{fmt}" for name in plots.PLOTS}


def save_report_plots(
    report: PatientReport, folder: Path, fmt: plots.Format = "png", prefix: str | None = None
) -> list[Path]:
    """Write the four plots of an already built report; returns the files written."""
    if fmt not in plots.FORMATS:
        raise CoderError(f"plot format {fmt!r} must be png or svg")
    if not folder.is_dir():
        raise CoderError("folder does not exist", path=folder)
    chosen = prefix or f"{report.patient}-{report.rater}"
    rendered = plots.render_all(report.profile, fmt)
    return [
        plots.write_atomically(path, rendered[name])
        for name, path in plot_paths(folder, chosen, fmt).items()
    ]


def export_plots(
    db: ProjectDatabase,
    coder: Coder | None,
    patient: str,
    folder: Path,
    fmt: plots.Format = "png",
    *,
    rater: str | None = None,
    consensus: bool = False,
    prefix: str | None = None,
    scheme_key: str | None = None,
) -> list[Path]:
    """Write the four profile plots of ``patient`` as PNG or SVG files into ``folder``
    (named ``PATIENT-RATER-sessions.png`` … unless ``prefix`` is given)."""
    report = profiles.build_report(
        db, patient, rater=rater, consensus=consensus, coder=coder, scheme_key=scheme_key
    )
    return save_report_plots(report, folder, fmt, prefix)
