"""The per-patient Word report: profile tables, plots, intake summary, formulation, overrides.

Input is plain data, so this module needs nothing above ``coder.io``: the report is
``PatientReport.to_dict()`` (the ``coder profile --json`` shape), intake parts are
domain objects, the IIP structural summary is ``SSMResult.to_dict()`` and the plots are
PNG bytes. The caveat of the formulation rules sits in a shaded box right under the
title, before any number, because a reader must meet it before the suggestion.

The file is built in memory and moved into place (:func:`coder.io.docx_common.save_document`),
so a failed export never leaves half a report. Table and heading helpers are shared with
the reliability report (:mod:`coder.io.docx_common`).
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from docx.document import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Inches

from coder.domain.formulation import Override
from coder.domain.formulation_rules import type_text
from coder.domain.intake import OCTANTS, Intake
from coder.io.docx_common import (
    add_table,
    caveat_box,
    new_document,
    pair_lines,
    save_document,
    small_line,
)
from coder.io.profile_text import (
    METRIC_LABELS,
    NONE_TEXT,
    SESSION_COLUMNS,
    approach_note,
    coverage_lines,
    difficulty_label,
    evidence_text,
    fmt,
    session_value,
    vote_text,
)


# ---- sections ----------------------------------------------------------------------------
def _title(doc: Document, report: Mapping[str, Any], consensus: bool, generated: datetime) -> None:
    doc.add_heading(f"Patient {report.get('patient', '?')}: rupture profile and formulation", 0)
    codes = "consensus codes" if consensus else f"codes of {report.get('rater', '?')}"
    formulation = report.get("formulation") or {}
    small_line(
        doc,
        f"Computed from {codes} · scheme {report.get('scheme', '?')} · rules "
        f"{formulation.get('rules', '?')} · generated {generated:%Y-%m-%d %H:%M}",
    )
    if report.get("disagreements_text"):
        note = doc.add_paragraph(
            f"Consensus not final: {report['disagreements_text']}. The units still in "
            "dispute hold no consensus code, so this profile may change when they are settled."
        )
        note.runs[0].bold = True


def _profile(doc: Document, report: Mapping[str, Any]) -> None:
    sessions = list(report.get("sessions") or [])
    doc.add_heading("Profile across sessions", 1)
    if not sessions:
        doc.add_paragraph("No session has segments for this scheme yet.")
    else:
        add_table(
            doc,
            [header for _, header, _ in SESSION_COLUMNS],
            [[fmt(session_value(s, k), spec) for k, _, spec in SESSION_COLUMNS] for s in sessions],
        )
    for line in coverage_lines(report):
        doc.add_paragraph(line)
    doc.add_heading("Trait-like means (mean over sessions with coded segments)", 2)
    trait = report.get("trait_like") or {}
    add_table(
        doc,
        ["Metric", "Patient mean"],
        [[METRIC_LABELS.get(k, k), fmt(v)] for k, v in trait.items()],
    )
    doc.add_heading("Withdrawal/confrontation balance", 2)
    pair_lines(
        doc,
        [
            ("Balance index", fmt(report.get("balance_index"), "+.2f")),
            (
                "Segments summed over sessions",
                f"withdrawal {fmt(report.get('withdrawal_total'), 'd')}, "
                f"confrontation {fmt(report.get('confrontation_total'), 'd')}",
            ),
            ("Definition", str(report.get("balance_definition", ""))),
        ],
    )
    phases = report.get("phases") or {}
    doc.add_heading("Phase clustering", 2)
    by_phase: dict[str, list[str]] = {}
    for number, phase in (phases.get("phase_of_session") or {}).items():
        by_phase.setdefault(phase, []).append(str(number))
    add_table(
        doc,
        ["Phase", "Sessions", "Rupture share"],
        [
            [phase, ", ".join(by_phase.get(phase, [])) or NONE_TEXT, fmt(share)]
            for phase, share in (phases.get("share") or {}).items()
        ],
    )
    doc.add_paragraph(f"Peak phase: {phases.get('peak') or 'none (no ruptures, or a tie)'}")


def _plots(doc: Document, plots: Mapping[str, bytes]) -> None:
    if not plots:
        return
    doc.add_heading("Plots", 1)
    for caption, png in plots.items():
        doc.add_picture(io.BytesIO(png), width=Inches(6.0))
        doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        note = doc.add_paragraph(caption)
        note.alignment = WD_ALIGN_PARAGRAPH.CENTER
        note.runs[0].italic = True


def _intake(
    doc: Document, intake: Intake | None, ssm: Mapping[str, Any] | None, norms: str | None
) -> None:
    doc.add_heading("Intake measures", 1)
    if intake is None or not (intake.iip or intake.suip or intake.pd or intake.notes):
        doc.add_paragraph("No intake measures entered.")
        return
    if intake.iip is not None:
        iip = intake.iip
        doc.add_heading(f"IIP ({iip.version.value})", 2)
        entered = f"{len(iip.items)} item responses" if iip.items else "octant scores"
        doc.add_paragraph(f"Entered as {entered}; octant means on the 0–4 item metric.")
        add_table(doc, list(OCTANTS), [[fmt(iip.octants[o]) for o in OCTANTS]])
        if ssm is not None:
            scale = "z scores against norms" + (f" ({norms})" if norms else "")
            doc.add_paragraph(
                "Structural summary" + (f" on {scale}" if ssm.get("scale") != "raw" else "") + ":"
            )
            add_table(
                doc,
                ["Elevation", "x (communion)", "y (agency)", "Amplitude", "Displacement", "R²"],
                [
                    [
                        fmt(ssm.get("elevation")), fmt(ssm.get("x")), fmt(ssm.get("y")),
                        fmt(ssm.get("amplitude")), fmt(ssm.get("displacement"), ".1f") + "°",
                        fmt(ssm.get("r2")),
                    ]
                ],
            )  # fmt: skip
    if intake.suip is not None:
        suip = intake.suip
        doc.add_heading(f"SUIP-I (ratings {suip.scale_min}–{suip.scale_max})", 2)
        add_table(
            doc,
            ["Insight level", "Rating"],
            [[label, fmt(v, "d")] for label, v in zip(suip.labels, suip.ratings, strict=True)],
        )
        doc.add_paragraph(f"Mean {fmt(suip.mean)}; total {fmt(suip.total, 'd')}")
    if intake.pd is not None:
        doc.add_heading(f"Personality disorder interview ({intake.pd.instrument})", 2)
        add_table(
            doc,
            ["Disorder", "Sum of ratings", "Criteria met (≥ 2)", "DSM threshold", "Meets it"],
            [
                [
                    r.disorder.replace("_", "-"), fmt(r.dimensional, "d"), fmt(r.criteria_met, "d"),
                    fmt(r.threshold, "d"), fmt(r.meets_threshold),
                ]
                for r in intake.pd.results()
            ],
        )  # fmt: skip
    if intake.notes:
        doc.add_heading("Relational episodes", 2)
        for note in intake.notes:
            doc.add_paragraph(f"{note.when.isoformat()}: {note.text}", style="List Bullet")


def _formulation(doc: Document, report: Mapping[str, Any]) -> None:
    formulation = report.get("formulation") or {}
    doc.add_heading("Suggested formulation", 1)
    notice = formulation.get("notice")
    if notice:
        para = doc.add_paragraph(str(notice))
        para.runs[0].bold = True
    if formulation.get("status") == "withheld":
        doc.add_paragraph(
            "No type or difficulty is suggested from incomplete coding. Code the sessions "
            "named above, or record a clinician's decision, or export a provisional "
            "suggestion (coder report --provisional)."
        )
        return
    if formulation.get("label"):
        doc.add_heading(str(formulation["label"]), 2)
    suggested = formulation.get("suggested_type")
    pair_lines(
        doc,
        [
            (
                "Suggested type",
                f"{type_text(suggested) if suggested else 'no suggestion'} "
                f"({formulation.get('type_reason', '')})",
            ),
            (
                "Difficulty",
                f"{difficulty_label(formulation.get('difficulty'))} "
                f"({formulation.get('difficulty_reason', '')})",
            ),
        ],
    )
    fired = list(formulation.get("fired_rules") or [])
    doc.add_heading("Rules that fired", 2)
    if fired:
        add_table(
            doc,
            ["Rule", "Vote", "Reason", "Evidence (sessions, segments)"],
            [
                [
                    f"{r.get('id')}\n{r.get('description', '')}",
                    vote_text(r.get("vote") or {}),
                    str(r.get("reason", "")),
                    evidence_text(r.get("evidence") or []),
                ]
                for r in fired
            ],
        )
    else:
        doc.add_paragraph("No rule fired.")
    undetermined = formulation.get("undetermined_rules") or {}
    if undetermined:
        doc.add_heading("Rules not evaluated (missing data)", 2)
        for rule_id, missing in undetermined.items():
            doc.add_paragraph(f"{rule_id}: needs {', '.join(missing)}", style="List Bullet")
    # The approach for the type and difficulty in force: after a clinician's decision,
    # the decided ones (coder.domain.formulation.approach_in_force), saying so.
    approach = report.get("approach_in_force") or formulation.get("recommended_approach") or {}
    doc.add_heading("Recommended approach", 2)
    note = approach_note(approach)
    if note:
        doc.add_paragraph().add_run(note).italic = True
    texts = [t for t in (approach.get("type"), approach.get("difficulty")) if t]
    for text in texts:
        doc.add_paragraph(str(text))
    if not texts:
        doc.add_paragraph("No approach text: no type or difficulty was suggested or decided.")


def _decision(doc: Document, report: Mapping[str, Any], history: Sequence[Override]) -> None:
    doc.add_heading("Clinician's decision", 1)
    override = report.get("override")
    final = report.get("final") or {}
    if override:
        axis, decided = override.get("difficulty"), override.get("type")
        pair_lines(
            doc,
            [
                ("Type", type_text(decided) if decided else "(suggestion kept)"),
                ("Difficulty", difficulty_label(axis) if axis else "(suggestion kept)"),
                ("Rationale", str(override.get("rationale", ""))),
                ("Decided by", f"{override.get('who')}, {override.get('when')}"),
            ],
        )  # fmt: skip
    else:
        doc.add_paragraph("No override recorded: the suggestion stands.")
    doc.add_paragraph(
        f"In force: type {type_text(final.get('type'))}, difficulty "
        f"{difficulty_label(final.get('difficulty'))} (from the {final.get('source', 'rules')})."
    )
    if history:
        doc.add_heading("Override history", 2)
        add_table(
            doc,
            ["When", "Who", "Type", "Difficulty", "Rationale"],
            [
                [
                    o.when.isoformat(sep=" ", timespec="minutes"), o.who,
                    type_text(o.type) if o.type else NONE_TEXT,
                    difficulty_label(o.difficulty), o.rationale,
                ]
                for o in history
            ],
        )  # fmt: skip


def build_patient_report(
    report: Mapping[str, Any],
    *,
    intake: Intake | None = None,
    ssm: Mapping[str, Any] | None = None,
    norms_label: str | None = None,
    history: Sequence[Override] = (),
    plots: Mapping[str, bytes] | None = None,
    consensus: bool = False,
    generated: datetime | None = None,
) -> Document:
    """The report as a python-docx Document (see :func:`write_patient_report`)."""
    doc = new_document()
    _title(doc, report, consensus, generated or datetime.now())
    caveat = (report.get("formulation") or {}).get("caveat")
    if caveat:
        caveat_box(doc, str(caveat))
    _profile(doc, report)
    _plots(doc, plots or {})
    _intake(doc, intake, ssm, norms_label)
    _formulation(doc, report)
    _decision(doc, report, history)
    return doc


def write_patient_report(
    path: Path,
    report: Mapping[str, Any],
    *,
    intake: Intake | None = None,
    ssm: Mapping[str, Any] | None = None,
    norms_label: str | None = None,
    history: Sequence[Override] = (),
    plots: Mapping[str, bytes] | None = None,
    consensus: bool = False,
    generated: datetime | None = None,
) -> Path:
    """Write the patient report to ``path`` atomically.

    ``report`` is ``PatientReport.to_dict()``; ``intake`` the patient's intake (parts may
    be None); ``ssm`` the IIP structural summary as ``SSMResult.to_dict()``;
    ``history`` the overrides in order (objects with type, difficulty, rationale, who,
    when); ``plots`` caption → PNG bytes, in the order they should appear.
    """
    doc = build_patient_report(
        report, intake=intake, ssm=ssm, norms_label=norms_label, history=history,
        plots=plots, consensus=consensus, generated=generated,
    )  # fmt: skip
    return save_document(doc, path)
