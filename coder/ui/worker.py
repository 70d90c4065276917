"""Long work off the UI thread, with a progress dialog and Cancel.

:func:`run_job` runs ``work(job)`` on ``QThreadPool``'s threads and returns the
:class:`Job` at once; the window stays responsive. ``work`` reports with
``job.step(done, total, text)`` and stops early when ``job.cancelled`` (a
``threading.Event``, so reading it is safe from the worker) is set, leaving nothing
half-written: each service it calls commits whole units (an import one transaction per
file; a report is written atomically, after the computing, so a cancel before the write
leaves no file). ``on_done(result)`` / ``on_error(exc)`` run back on the UI thread.

Database work needs nothing special: a :class:`~coder.store.database.ProjectDatabase`
shares its engine (a connection pool) between threads, and every service opens its own
short-lived SQLAlchemy session per call, so no session ever crosses threads.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar, cast

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from coder.app.collector import collector_paused

T = TypeVar("T")
STEP_INTERVAL_S = 0.1  # progress reports are thinned to this interval (see Job.step)


class Cancelled(Exception):
    """Raised inside ``work`` (by :meth:`Job.check`) to stop at a safe point."""


class Job(QObject):
    progressed = Signal(int, int, str)
    asked = Signal(object)  # (question, answer box, answered event): see ask()
    succeeded = Signal(object)
    errored = Signal(object)
    finished = Signal()  # after succeeded/errored, in every case

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.cancelled = threading.Event()
        self._last_step = -1e9  # monotonic time of the last progress report sent
        self.done = False
        self.result: Any = None
        self.error: BaseException | None = None
        self.dialog: QProgressDialog | None = None  # run_job's progress dialog

    # ---- called from the worker thread ----------------------------------------------------
    def step(self, done: int, total: int, text: str = "") -> bool:
        """Report progress; returns False once the user cancelled (stop then).

        At most one report per :data:`STEP_INTERVAL_S` reaches the dialog (and the first
        and last always do): a job stepping per item would otherwise queue hundreds of
        repaints a second, and the UI thread, working through them, would freeze."""
        now = time.monotonic()
        if now - self._last_step >= STEP_INTERVAL_S or done == 0 or done >= total > 0:
            self._last_step = now
            self.progressed.emit(done, total, text)
        return not self.cancelled.is_set()

    def ask(self, question: Callable[[], T]) -> T:
        """Run ``question()`` (a dialog) on the UI thread and wait for its answer: work
        that finds out in the background what it must ask (the import's uncertain
        speaker roles) asks without handing back and starting again."""
        box: dict[str, Any] = {}
        answered = threading.Event()
        self.asked.emit((question, box, answered))
        answered.wait()
        if "error" in box:
            raise box["error"]
        return box["value"]  # type: ignore[no-any-return]

    def check(self) -> None:
        if self.cancelled.is_set():
            raise Cancelled

    # ---- UI thread -----------------------------------------------------------------------
    def cancel(self) -> None:
        self.cancelled.set()

    def _finish_ok(self, result: object) -> None:
        self.result, self.done = result, True
        self.finished.emit()

    def _finish_error(self, error: object) -> None:
        self.error = error if isinstance(error, BaseException) else RuntimeError(str(error))
        self.done = True
        self.finished.emit()


class _Runnable(QRunnable):
    def __init__(self, job: Job, work: Callable[[Job], object]) -> None:
        super().__init__()
        self.job, self.work = job, work
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            with collector_paused:  # a job's objects: see coder.app.collector
                result = self.work(self.job)
        except BaseException as exc:  # handed to the UI thread, never lost
            self.job.errored.emit(exc)
        else:
            self.job.succeeded.emit(result)


def run_job(
    parent: QWidget,
    title: str,
    work: Callable[[Job], object],
    *,
    on_done: Callable[[object], None] | None = None,
    on_error: Callable[[BaseException], None] | None = None,
    label: str = "Working…",
    cancellable: bool = True,
    show_after_ms: int = 300,
    discard_on_cancel: bool = False,
) -> Job:
    """Start ``work(job)`` in the background under a progress dialog on ``parent``.

    ``discard_on_cancel``: a result that arrives after Cancel (work that cannot stop
    part-way, such as a computation that writes nothing) is dropped: ``on_done(None)``."""
    job = Job(parent)
    dialog = QProgressDialog(label, "Cancel" if cancellable else "", 0, 0, parent)
    dialog.setWindowTitle(title)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(show_after_ms)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    if not cancellable:
        dialog.setCancelButton(None)
    dialog.canceled.connect(job.cancel)
    dialog.canceled.connect(lambda: dialog.setLabelText("Cancelling after the current step…"))
    job.dialog = dialog

    def progressed(done: int, total: int, text: str) -> None:
        if job.cancelled.is_set():
            return
        dialog.setMaximum(max(total, 0))
        dialog.setValue(min(done, total) if total else 0)
        if text:
            dialog.setLabelText(text)

    def close_dialog() -> None:
        dialog.canceled.disconnect()  # closing a progress dialog emits canceled
        dialog.close()
        dialog.deleteLater()

    def succeeded(result: object) -> None:
        close_dialog()
        if discard_on_cancel and job.cancelled.is_set():
            result = None  # the user no longer wants it (nothing was written: see above)
        job._finish_ok(result)
        if on_done is not None:
            on_done(result)

    def errored(error: object) -> None:
        close_dialog()
        job._finish_error(error)
        if isinstance(error, Cancelled):
            if on_done is not None:
                on_done(None)
            return
        if on_error is not None and isinstance(error, BaseException):
            on_error(error)
        elif isinstance(error, BaseException):
            from coder.ui.error_report import report_exception

            report_exception(error, title.lower(), parent)

    def answer(asked: object) -> None:
        question, box, answered = cast(
            tuple[Callable[[], object], dict[str, object], threading.Event], asked
        )
        shown = dialog.isVisible()
        dialog.hide()  # the question, not the progress, is what the user deals with now
        try:
            box["value"] = question()
        except BaseException as exc:  # raised in the worker, which reports it
            box["error"] = exc
        finally:
            if shown and not job.done:
                dialog.show()
            answered.set()

    job.asked.connect(answer, Qt.ConnectionType.QueuedConnection)
    job.progressed.connect(progressed, Qt.ConnectionType.QueuedConnection)
    job.succeeded.connect(succeeded, Qt.ConnectionType.QueuedConnection)
    job.errored.connect(errored, Qt.ConnectionType.QueuedConnection)
    QThreadPool.globalInstance().start(_Runnable(job, work))
    return job
