"""Reports and plots on disk: the use cases behind the patient view's *Export report…*
and *Export plots…*, ``coder report``, the reliability window's *Export report…* and
``coder irr --project … --docx``.

Patient reports are built with :func:`coder.app.profiles.build_report` (so blinding
applies exactly as in the patient view), plots rendered with :mod:`coder.io.plots`, and
both written with :mod:`coder.io.report_docx`. The reliability report is computed with
:func:`coder.app.reliability.compute` (which enforces blinding) and written with
:mod:`coder.io.reliability_docx`. Nothing here draws or formats; it only gathers plain
data for the writers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from coder.app import intake as intake_service
from coder.app import profiles, projects, reliability, reliability_format
from coder.app.access import visible_rater_ids
from coder.app.identity import ActingRater
from coder.app.lookup import find_patient
from coder.app.profiles import PatientReport
from coder.app.reliability import ReliabilityRow, ReliabilityTable
from coder.app.rounds import list_rounds
from coder.domain.errors import CoderError
from coder.domain.intake import IIPNorms, Intake
from coder.domain.roles import RaterRole
from coder.io import plots
from coder.io.atomic import write_atomically
from coder.io.reliability_docx import write_reliability_report
from coder.io.report_docx import write_patient_report
from coder.stats.circumplex import iip_ssm
from coder.stats.reliability import BOOTSTRAP_HOW, TITLES, Stat, how_computed
from coder.stats.result import (
    CICCHETTI,
    KOO_LI,
    KRIPPENDORFF,
    LANDIS_KOCH,
    BandScale,
    interpret_all,
    scales_for,
)
from coder.store.database import ProjectDatabase
from coder.store.models import CodeApplicationRow, RaterRow, SessionRow

REPORT_SUFFIX = ".docx"
PLOT_FORMATS = plots.FORMATS
PlotFormat = plots.Format


@dataclass(frozen=True, slots=True)
class ProfileSource:
    """One entry of the patient view's "codes of" chooser."""

    label: str
    rater: str | None  # rater name; None for the consensus
    consensus: bool = False


def profile_sources(
    db: ProjectDatabase, coder: ActingRater | None, patient: str
) -> list[ProfileSource]:
    """Whose codes ``coder`` may profile for ``patient``: every rater (and the consensus)
    with codes on the patient's sessions that blinding lets them see, the acting rater
    first. A lead sees everyone; while a round is blinded a rater sees only their own.
    When nobody visible has coded the patient yet, the acting rater's own (empty) profile
    is offered, so intake and formulation can still be worked on."""
    with db.reading() as session:
        patient_id = find_patient(session, patient).id
        coded = set(
            session.scalars(
                select(CodeApplicationRow.rater_id)
                .join(SessionRow, CodeApplicationRow.session_id == SessionRow.id)
                .where(SessionRow.patient_id == patient_id)
                .distinct()
            )
        )
        rows = session.execute(select(RaterRow.id, RaterRow.name, RaterRow.role)).all()
        allowed = visible_rater_ids(session, coder)
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
    coder: ActingRater | None,
    patient: str,
    path: Path,
    *,
    rater: str | None = None,
    consensus: bool = False,
    scheme_key: str | None = None,
    rules_path: Path | None = None,
    provisional: bool = False,
) -> Path:
    """Build ``patient``'s report from ``rater``'s codes (or the consensus, or the acting
    rater's own) and write it to ``path`` (.docx). Blinding applies (``NotAllowed``).
    ``provisional``: suggest a type on incomplete coding too, labelled as such."""
    report = profiles.build_report(
        db, patient, rater=rater, consensus=consensus, coder=coder, scheme_key=scheme_key,
        rules_path=rules_path, provisional=provisional,
    )  # fmt: skip
    return write_report(db, report, path, consensus=consensus)


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._") or "x"


def plot_paths(folder: Path, prefix: str, fmt: plots.Format) -> dict[str, Path]:
    """Where :func:`export_plots` writes each plot: ``PREFIX-NAME.FMT`` in ``folder``."""
    return {name: folder / f"{_safe(prefix)}-{name}.{fmt}" for name in plots.PLOTS}


def save_report_plots(
    report: PatientReport,
    folder: Path,
    fmt: plots.Format = "png",
    prefix: str | None = None,
    before_write: Callable[[], None] | None = None,
) -> list[Path]:
    """Write the four plots of an already built report; returns the files written.

    All four are rendered before the first is written; ``before_write()`` runs in
    between, so a cancel it raises (the desktop's) leaves no plot file at all."""
    if fmt not in plots.FORMATS:
        raise CoderError(f"plot format {fmt!r} must be png or svg")
    if not folder.is_dir():
        raise CoderError("folder does not exist", path=folder)
    chosen = prefix or f"{report.patient}-{report.rater}"
    rendered = plots.render_all(report.profile, fmt)
    if before_write is not None:
        before_write()
    return [
        write_atomically(path, rendered[name])
        for name, path in plot_paths(folder, chosen, fmt).items()
    ]


def export_plots(
    db: ProjectDatabase,
    coder: ActingRater | None,
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


# ---- reliability report --------------------------------------------------------------------
BAND_SCALES: tuple[tuple[BandScale, str], ...] = (
    (LANDIS_KOCH, "Cohen's, weighted and Fleiss' κ, Gwet's AC1, PABAK"),
    (KOO_LI, "ICC (the band of ratings, frequencies and episodes)"),
    (CICCHETTI, "ICC (shown beside Koo & Li)"),
    (KRIPPENDORFF, "Krippendorff's α (all levels) and unitizing uα (text spans)"),
)
"""Every interpretation scale the report names, with what it applies to."""

MISSING_TEXT = (
    "A rater who did not code a session is missing for every unit of that session, not 0 "
    "(absent): counting them as absent would inflate agreement on sessions only one rater "
    "coded. A rater who coded a session but did not apply a code in one of its segments "
    "gave 0 there. Cohen's κ and ICC drop units missing a rating; Fleiss' κ, AC1, PABAK and "
    "percent agreement leave units rated once out of the observed agreement; α leaves "
    "unpairable values out."
)
PRESENCE_TEXT = (
    "A code is present in a segment when the rater applied it there, and a code family "
    "when the rater applied any of its codes; with span coding, a family is present in a "
    "turn when a span of one of its codes lies in that turn. Text spans are compared as "
    "units on the character continuum of each transcript (Krippendorff's unitizing α: a "
    "span one rater marked inside another's unmarked text is a disagreement); the share "
    "of marked turns that every rater marked is shown beside it as a descriptive figure "
    "only. Rare codes make κ and α "
    "prevalence-sensitive (a code present in 3% of segments can have 96% agreement and κ "
    "near 0), so read them next to percent agreement, PABAK and AC1."
)
BANDS_TEXT = (
    "The band of ratings, session ratings, frequencies and episodes is that of ICC(2,1) "
    "(McGraw & Wong ICC(A,1): two-way random effects, absolute agreement, single rater) "
    "under Koo & Li (2016), with Cicchetti (1994) beside it; the band of presence codes "
    "and families is that of Cohen's κ (two raters) or Fleiss' κ (three or more) under "
    "Landis & Koch (1977); the band of text spans is that of uα under Krippendorff's (2004) "
    "standards for the α family. Percent agreement and the turn overlap are descriptive "
    "(not chance-corrected) and get no band. Bands are conventions, not tests: judge the "
    "whole 95% CI."
)


def _ci_text(bootstrap: int, seed: int | None) -> str:
    icc = "ICC: F-based 95% CIs (Shrout & Fleiss 1979; McGraw & Wong 1996), no bootstrap."
    if not bootstrap:
        return "No bootstrap CIs (0 resamples). " + icc
    return (
        f"95% CIs for percent agreement, κ, α, AC1 and PABAK: percentile bootstrap over units "
        f"({bootstrap} resamples of the units, with replacement, seed {seed}); all statistics "
        "of a line share the resamples, and resamples in which a statistic is undefined are "
        "left out (the remarks count them). The bootstrap treats units as independent; "
        "segments of one session are not, so with many segments from few sessions the "
        "intervals are too narrow. uα of text spans: percentile bootstrap over sessions "
        "(whole transcripts resampled). " + icc
    )


def _stat_data(key: str, stat: Stat | None) -> dict[str, Any] | None:
    if stat is None:
        return None
    return {
        "title": reliability_format.HEADLINE_TITLES[key],
        "value": stat.value,
        "ci95": list(stat.ci95) if stat.ci95 is not None else None,
        "note": stat.note,
    }


def _row_data(row: ReliabilityRow, columns: Sequence[str]) -> dict[str, Any]:
    stats = dict(reliability_format.headline(row))
    name, main = reliability_format.band_statistic(row)
    no_band = main.value is not None and not scales_for(name)
    return {
        "no_band": "no band (descriptive, not chance-corrected)" if no_band else None,
        "item": row.item,
        "label": row.label,
        "n_units": row.report.n_units,
        "n_raters": row.report.n_raters,
        "stats": [_stat_data(key, stats.get(key)) for key in columns],
        "band": [{"label": label, "source": src} for label, src in interpret_all(name, main.value)],
        "band_note": None if main.value is not None else main.note,
    }


def _thresholds(scale: BandScale) -> str:
    parts = []
    for above, band in zip((None, *scale.bands), scale.bands, strict=False):
        if band.low == float("-inf"):
            sign = "<" if above is None or above.includes_low else "≤"
            parts.append(f"{band.label} {sign} {above.low:.2f}" if above else band.label)
        else:
            parts.append(f"{band.label} {'≥' if band.includes_low else '>'} {band.low:.2f}")
    return " · ".join(parts)


def reliability_report_data(
    table: ReliabilityTable,
    *,
    project: str = "",
    round_label: str | None = None,
    session_filter: Sequence[str] | None = None,
) -> dict[str, Any]:
    """The plain data :func:`coder.io.reliability_docx.write_reliability_report` lays out:
    the heading facts, the methods paragraphs, one section per kind of row with its
    headline statistics and band, the how-computed texts and the band scales."""
    first = table.rows[0].report if table.rows else None
    bootstrap, seed = (first.bootstrap, first.seed) if first else (0, None)
    sections: list[dict[str, Any]] = []
    units: list[str] = []
    kinds = [k for k in reliability_format.KINDS if any(r.kind == k for r in table.rows)]
    kinds += sorted({r.kind for r in table.rows} - set(kinds))  # none today; never lose a row
    for kind in kinds:
        rows = [r for r in table.rows if r.kind == kind]
        used = {key for r in rows for key, _ in reliability_format.headline(r)}
        columns = [key for key in reliability_format.HEADLINE_TITLES if key in used]
        title, unit = reliability_format.KINDS.get(kind, (kind, rows[0].unit))
        band_name, _ = reliability_format.band_statistic(rows[0])
        names: list[str | None] = [scale.name for scale in scales_for(band_name)]
        primary, *also = names or [None]
        sections.append(
            {
                "kind": kind,
                "title": title,
                "unit": unit,
                "missing": reliability_format.MISSING.get(kind),
                "level": rows[0].report.level,
                "band": (
                    f"{reliability_format.HEADLINE_TITLES[band_name]} under {primary}"
                    + "".join(f" ({name} beside it)" for name in also)
                    if primary
                    else "none (descriptive, not chance-corrected)"
                ),
                "columns": [reliability_format.HEADLINE_TITLES[key] for key in columns],
                "rows": [_row_data(r, columns) for r in rows],
            }
        )
        units.append(f"{title}: {unit}.")
    order = list(reliability_format.HEADLINE_TITLES)
    used_methods = {
        stat.method: order.index(key)
        for row in table.rows
        for key, stat in reliability_format.headline(row)
    }
    methods_used = sorted(used_methods, key=lambda m: used_methods[m])  # stable: first seen
    return {
        "project": project,
        "scheme": table.scheme,
        "raters": list(table.raters),
        "sessions": table.sessions,
        "round": round_label,
        "session_filter": ", ".join(session_filter) if session_filter else None,
        "bootstrap": bootstrap,
        "seed": seed,
        "methods": {
            "units": units,
            "missing": MISSING_TEXT,
            "presence": PRESENCE_TEXT,
            "intervals": _ci_text(bootstrap, seed),
            "bands": BANDS_TEXT,
        },
        "sections": sections,
        "how_computed": [
            {"title": TITLES.get(method, method), "text": how_computed(method)}
            for method in methods_used
        ]
        + ([{"title": "Bootstrap 95% CI", "text": BOOTSTRAP_HOW}] if bootstrap else []),
        "bands": [
            {
                "name": scale.name,
                "applies_to": applies,
                "thresholds": _thresholds(scale),
                "reference": scale.source,
            }
            for scale, applies in BAND_SCALES
        ],
    }


def _round_label(db: ProjectDatabase, number: int | None) -> str | None:
    if number is None:
        return None
    for rnd in list_rounds(db):
        if rnd.number == number:
            name = f" — {rnd.name}" if rnd.name else ""
            return f"{rnd.number}{name} ({rnd.status.value})"
    return str(number)


def export_reliability_report(
    db: ProjectDatabase,
    coder: ActingRater | None,
    path: Path,
    *,
    scheme_key: str | None = None,
    raters: Sequence[str] | None = None,
    round_number: int | None = None,
    sessions: Sequence[str] | None = None,
    bootstrap: int = 1000,
    seed: int | None = 2026,
    generated: datetime | None = None,
    proceed: Callable[[], bool] | None = None,
) -> Path | None:
    """Compute inter-rater reliability (:func:`coder.app.reliability.compute`: a blinded
    round needs a lead, ``NotAllowed``) and write it to ``path`` as a Word report (.docx).
    Nothing is written when computing fails, nor (returning None) when ``proceed``,
    asked between computing and writing, says no (the desktop's Cancel)."""
    if path.suffix.lower() != REPORT_SUFFIX:
        raise CoderError("the report is a Word file: give it the .docx suffix", path=path)
    table = reliability.compute(
        db, coder, scheme_key=scheme_key, raters=raters, round_number=round_number,
        sessions=sessions, bootstrap=bootstrap, seed=seed,
    )  # fmt: skip
    if proceed is not None and not proceed():
        return None
    project = projects.project_name(db)
    data = reliability_report_data(
        table,
        project=project,
        round_label=_round_label(db, round_number),
        session_filter=[s.strip() for s in sessions or () if s.strip()] or None,
    )
    title = "Inter-rater reliability" + (f": {project}" if project else "")
    return write_reliability_report(path, data, title=title, generated=generated)
