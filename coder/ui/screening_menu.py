"""Screening ▸ Train a model… / Evaluate the model…: the lead's ``coder screen train`` and
``coder screen evaluate`` from the desktop app, in the background with progress and
Cancel (:mod:`coder.ui.worker`). The services decide who may do what (a blinded rater
may train on their own codes only); a refusal is shown in words.

Training writes the model file only after every code is learnt (atomically), so Cancel
leaves no file; evaluating writes nothing, and a cancelled evaluation shows nothing.
Running a model (storing its suggestions) stays on the command line: it writes a
machine rater's codes into the project, a step a lead takes deliberately.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QDialog, QTextBrowser, QVBoxLayout

from coder.ui.worker import Job, run_job


def install(window: Any) -> None:
    """Add the Screening menu to the main window's menu bar."""
    menu = window.menuBar().addMenu("&Screening")
    train = menu.addAction("&Train a model…")
    train.triggered.connect(lambda: train_model(window))
    evaluate = menu.addAction("&Evaluate the model…")
    evaluate.triggered.connect(lambda: evaluate_model(window))
    window.screening_jobs = []


def _source(window: Any, doing: str) -> str | None:
    if window.coder is None:
        window.show_message("Choose who you are first (File ▸ Switch rater)")
        return None
    return window.prompter.text(  # type: ignore[no-any-return]
        doing, "Learn from (consensus, or rater names separated by commas):", "consensus"
    )


def _progress(job: Job) -> Any:
    def report(done: int, total: int, what: str) -> None:
        job.check()  # Cancel stops at the next code or fold, before anything is written
        job.step(done, total, what)

    return report


def train_model(window: Any) -> Job | None:
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


def evaluate_model(window: Any) -> Job | None:
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


def _refused(window: Any) -> Any:
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
    return (
        f"<p>{model['n_folds']}-fold cross-validation by {escape(model['group_by'])} against "
        f"{escape(model['trained_from'])} ({model['n_sessions']} sessions). κ with a 95% "
        f"interval from resampling whole {escape(model['group_by'])}s.</p>"
        "<table border=1 cellpadding=3><tr><th>code</th><th>units</th><th>positive</th>"
        "<th>κ [95% CI]</th><th>α</th><th>precision</th><th>recall</th><th>AUC</th>"
        f"<th>human κ</th></tr>{rows}</table>"
        "<p>The model is a screening aid, never a rater: see docs/screening.md.</p>"
    )


def show_evaluation(window: Any, result: dict[str, Any]) -> QDialog:
    dialog = QDialog(window)
    dialog.setWindowTitle("Screening model evaluation")
    browser = QTextBrowser()
    browser.setHtml(evaluation_html(result))
    QVBoxLayout(dialog).addWidget(browser)
    dialog.resize(760, 420)
    window.child_windows.append(dialog)  # closed with the identity that opened it
    dialog.show()
    return dialog
