"""Screening ▸ Train a model… / Evaluate the model… / Run the model on sessions…: the
lead's ``coder screen train``, ``evaluate`` and ``run`` from the desktop app, in the
background with progress and Cancel (:mod:`coder.ui.worker`). The services decide who
may do what (a blinded rater may train on their own codes only; only a lead runs a
model); a refusal is shown in words.

Training writes the model file only after every code is learnt (atomically), so Cancel
leaves no file; evaluating writes nothing, and a cancelled evaluation shows nothing.
Running stores the machine rater's codes through the same service as ``coder screen
run``, in one transaction: Cancel (checked before each session) rolls it back whole.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QDialog, QTextBrowser, QVBoxLayout

from coder.ui.host import WindowHost
from coder.ui.session_picker import SessionPicker
from coder.ui.worker import Job, run_job


def install(window: WindowHost) -> None:
    """Add the Screening menu to the main window's menu bar."""
    menu = window.menuBar().addMenu("&Screening")
    train = menu.addAction("&Train a model…")
    train.triggered.connect(lambda: train_model(window))
    evaluate = menu.addAction("&Evaluate the model…")
    evaluate.triggered.connect(lambda: evaluate_model(window))
    run = menu.addAction("&Run the model on sessions…")
    run.triggered.connect(lambda: run_model(window))
    menu.addSeparator()
    allow = menu.addAction("&Let raters see suggestions")
    allow.setCheckable(True)
    allow.setToolTip("A lead's decision (as `coder project suggestions on|off`); off by default")
    allow.triggered.connect(lambda on: set_suggestions(window, bool(on)))
    menu.aboutToShow.connect(lambda: allow.setChecked(suggestions_on(window)))
    window.suggestions_action = allow
    window.screening_jobs = []


def _source(window: WindowHost, doing: str) -> str | None:
    if window.coder is None:
        window.show_message("Choose who you are first (File ▸ Switch rater)")
        return None
    return window.prompter.text(
        doing, "Learn from (consensus, or rater names separated by commas):", "consensus"
    )


def _progress(job: Job) -> Any:
    def report(done: int, total: int, what: str) -> None:
        job.check()  # Cancel stops at the next code or fold, before anything is written
        job.step(done, total, what)

    return report


def train_model(window: WindowHost) -> Job | None:
    source = _source(window, "Train a screening model")
    if not source:
        return None
    out = window.prompter.save_file("Save the model as", "Screening model (*.model)", "lab.model")
    if out is None:
        return None
    from coder.app import screening

    db, coder, key = window.db, window.coder, window.scheme_key

    def work(job: Job) -> object:
        return screening.train(
            db, coder, source, Path(out), scheme_key=key, progress=_progress(job)
        )

    def done(result: object) -> None:
        if result is None:
            window.show_message("Training cancelled: no model was written")
            return
        trained = ", ".join(c["code"] for c in result.trained)  # type: ignore[attr-defined]
        skipped = ", ".join(s["code"] for s in result.skipped)  # type: ignore[attr-defined]
        window.show_message(
            f"Wrote {out} (model {result.model_hash[:8]}): learnt {trained}"  # type: ignore[attr-defined]
            + (f"; skipped (too few examples) {skipped}" if skipped else "")
        )

    job = run_job(
        window, "Training a screening model", work, on_done=done, on_error=_refused(window)
    )
    window.screening_jobs.append(job)
    return job


def evaluate_model(window: WindowHost) -> Job | None:
    source = _source(window, "Evaluate the screening model")
    if not source:
        return None
    from coder.app import screening_evaluation

    db, coder, key = window.db, window.coder, window.scheme_key

    def work(job: Job) -> object:
        return screening_evaluation.evaluate(
            db, coder, source, scheme_key=key, progress=_progress(job)
        )

    def done(result: object) -> None:
        if result is None:
            window.show_message("Evaluation cancelled")
            return
        show_evaluation(window, result)  # type: ignore[arg-type]

    job = run_job(
        window, "Evaluating the screening model", work, on_done=done, on_error=_refused(window)
    )
    window.screening_jobs.append(job)
    return job


def run_model(window: WindowHost) -> SessionPicker | None:
    """Choose a model file, then sessions in a :class:`SessionPicker`; Run starts
    :func:`start_run`. The model is checked (hash, format) before sessions are chosen."""
    if window.coder is None:
        window.show_message("Choose who you are first (File ▸ Switch rater)")
        return None
    path = window.prompter.open_file("Choose a screening model", "Screening model (*.model)")
    if path is None:
        return None
    from coder.app import browse, screening

    try:
        _, digest = screening.load_model(Path(path))
    except screening.ModelRefused as exc:
        window.prompter.error("Screening", str(exc))
        return None
    picker = SessionPicker(
        browse.session_summaries(window.db), screening.machine_name(digest), window
    )
    picker.accepted.connect(
        lambda: start_run(window, Path(path), picker.chosen(), picker.machine_name())
    )
    window.child_windows.append(picker)
    picker.open()
    return picker


def start_run(window: WindowHost, path: Path, sessions: list[str], name: str | None) -> Job:
    """Store the model's codes for ``sessions`` as a machine rater, in the background."""
    from coder.app import screening

    db, coder = window.db, window.coder

    def work(job: Job) -> object:
        return screening.run(db, coder, path, sessions, as_name=name, progress=_progress(job))

    def done(result: object) -> None:
        if result is None:
            window.show_message("Run cancelled: no machine codes were stored")
            return
        window.show_message(
            f"Stored {result.codes} code(s) as {result.rater} on "  # type: ignore[attr-defined]
            f"{result.sessions} session(s)"  # type: ignore[attr-defined]
        )
        window.refresh_sessions()
        if window.ws is not None:
            window.ws.reload()

    job = run_job(
        window, "Running the screening model", work, on_done=done, on_error=_refused(window)
    )
    window.screening_jobs.append(job)
    return job


def suggestions_on(window: WindowHost) -> bool:
    from coder.app.access import suggestions_enabled

    with window.db.reading() as session:
        return suggestions_enabled(session)


def set_suggestions(window: WindowHost, on: bool) -> bool:
    """Turn suggestions on or off for the project (a lead's decision; anyone else is
    told so and nothing changes). Open Suggestions panels ask again at once."""
    from coder.app.access import set_suggestions_enabled
    from coder.domain.errors import CoderError

    try:
        set_suggestions_enabled(window.db, window.coder, on)
    except CoderError as exc:
        window.prompter.error("Screening", str(exc))
        window.suggestions_action.setChecked(suggestions_on(window))
        return False
    window.show_message(
        "Raters now see suggestions while coding (never in an open round)"
        if on
        else "Suggestions are off for every rater"
    )
    window.refresh_suggestions()
    return True


def _refused(window: WindowHost) -> Any:
    from coder.domain.errors import CoderError
    from coder.ui.error_report import report_exception

    def failed(exc: BaseException) -> None:
        if isinstance(exc, CoderError):
            window.prompter.error("Screening", str(exc))
        else:
            report_exception(exc, "screening", window)

    return failed


def evaluation_html(result: dict[str, Any]) -> str:
    """The evaluation as a table: the machine against held-out human codes."""

    def fmt(v: float | None, ci: list[float] | None = None) -> str:
        if v is None:
            return "—"
        return f"{v:.2f}" + (f" [{ci[0]:.2f}, {ci[1]:.2f}]" if ci else "")

    model = result["model"]
    rows = "".join(
        f"<tr><td>{escape(c['code'])}</td><td>{c['n_units']}</td><td>{c['n_positive']}</td>"
        f"<td>{fmt(c['kappa'], c.get('kappa_ci'))}</td><td>{fmt(c['alpha'])}</td>"
        f"<td>{fmt(c['precision'])}</td><td>{fmt(c['recall'])}</td><td>{fmt(c['auc'])}</td>"
        f"<td>{fmt(c['human_kappa'])}</td></tr>"
        for c in result["codes"]
    )
    ratings = "".join(
        f"<tr><td>{escape(r['rating'])}</td><td>{r['n_units']}</td>"
        f"<td>{fmt(r['weighted_kappa'], r.get('weighted_kappa_ci'))}</td>"
        f"<td>{fmt(r['alpha_ordinal'], r.get('alpha_ordinal_ci'))}</td>"
        f"<td>{fmt(r['exact_agreement'], r.get('exact_agreement_ci'))}</td>"
        f"<td>{fmt(r.get('human_weighted_kappa'))}</td></tr>"
        for r in result.get("ratings", [])
    )
    if ratings:
        ratings = (
            "<p>Ratings (ordinal), machine vs held-out human values:</p>"
            "<table border=1 cellpadding=3><tr><th>rating</th><th>rated</th>"
            "<th>κ quadratic [95% CI]</th><th>α ordinal [95% CI]</th>"
            "<th>exact agreement [95% CI]</th><th>human κ quadratic</th></tr>"
            f"{ratings}</table>"
        )
    return (
        f"<p>{model['n_folds']}-fold cross-validation by {escape(model['group_by'])} against "
        f"{escape(model['trained_from'])} ({model['n_sessions']} sessions). κ with a 95% "
        f"interval from resampling whole {escape(model['group_by'])}s.</p>"
        "<table border=1 cellpadding=3><tr><th>code</th><th>units</th><th>positive</th>"
        "<th>κ [95% CI]</th><th>α</th><th>precision</th><th>recall</th><th>AUC</th>"
        f"<th>human κ</th></tr>{rows}</table>{ratings}"
        "<p>The model is a screening aid, never a rater: see docs/screening.md.</p>"
    )


def show_evaluation(window: WindowHost, result: dict[str, Any]) -> QDialog:
    dialog = QDialog(window)
    dialog.setWindowTitle("Screening model evaluation")
    browser = QTextBrowser()
    browser.setHtml(evaluation_html(result))
    QVBoxLayout(dialog).addWidget(browser)
    dialog.resize(760, 420)
    window.child_windows.append(dialog)  # closed with the identity that opened it
    dialog.show()
    return dialog
