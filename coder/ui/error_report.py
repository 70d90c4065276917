"""No silent failures: every exception that escapes is logged and shown to the user.

PySide6 hands an exception escaping a slot (a menu action, a button, a timer) to
``sys.excepthook``; Python hands one escaping a worker thread to ``threading.excepthook``.
Left alone, both print a traceback on a terminal nobody watches. :func:`install_exception_hook`
replaces both, so such an exception

* is written with its traceback to the error log (``coder.app.logs``: the stdlib
  ``logging`` module, a rotating file in the user data folder), and
* is shown in a dialog: what happened in plain words, the details to copy for the lab's
  developer, and where the log is.

A :class:`~coder.domain.errors.CoderError` that gets this far is not a crash: it is shown
as the plain message it is. Code that catches an unexpected exception itself (to clean up
first) passes it to :func:`report_exception`, which does the same.

The dialog is asked for through the :class:`~coder.ui.prompter.Prompter` of the window
the user is in, as every modal question is, so tests answer it with their fake prompter.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType

import PySide6
from PySide6.QtCore import QObject, QThread, Signal, qVersion
from PySide6.QtWidgets import (
    QApplication,
    QWidget,
)

from coder.app import logs
from coder.domain.errors import CoderError
from coder.ui.error_dialog import ERROR_TITLE
from coder.ui.prompter import Prompter

log = logging.getLogger(__name__)

DEFAULT_CONTEXT = "carrying out your last action"
# Reaching the hook, the same failure again this soon after its dialog closed is logged,
# not shown: an error in a paint event would otherwise reopen the dialog for ever.
# (report_exception always shows: its caller knows one action failed once.)
REPEAT_QUIET_SECONDS = 3.0

_previous_sys_hook: Callable[..., object] | None = None
_previous_thread_hook: Callable[[threading.ExceptHookArgs], object] | None = None
_relay: _Relay | None = None
_showing = False
_closed_at: dict[tuple[str, str, int], float] = {}


class _Relay(QObject):
    """Carries a report from a worker thread to the GUI thread (a queued signal), because
    widgets may only be made there."""

    report = Signal(object, str, bool)


# ---- the public API ----------------------------------------------------------------------
def install_exception_hook() -> None:
    """Route uncaught exceptions (Qt slots, the main thread, worker threads) to the log
    and the error dialog. Idempotent: calling it again changes nothing."""
    global _previous_sys_hook, _previous_thread_hook, _relay
    logs.enable_file_log()
    if sys.excepthook is not _sys_hook:
        _previous_sys_hook = sys.excepthook
        sys.excepthook = _sys_hook
    if threading.excepthook is not _thread_hook:
        _previous_thread_hook = threading.excepthook
        threading.excepthook = _thread_hook
    if _relay is None and QApplication.instance() is not None:
        _relay = _Relay()
        _relay.report.connect(_relay_received)


def uninstall_exception_hook() -> None:
    """Put back the hooks :func:`install_exception_hook` replaced and close the log
    (for tests, and for an embedding application that ends the UI)."""
    global _previous_sys_hook, _previous_thread_hook, _relay
    if sys.excepthook is _sys_hook:
        sys.excepthook = _previous_sys_hook or sys.__excepthook__
    if threading.excepthook is _thread_hook:
        threading.excepthook = _previous_thread_hook or threading.__excepthook__
    _previous_sys_hook = _previous_thread_hook = None
    if _relay is not None:
        _relay.deleteLater()
        _relay = None
    _closed_at.clear()
    logs.disable_file_log()


def report_exception(exc: BaseException, context: str, parent: QWidget | None = None) -> None:
    """Log ``exc`` and tell the user, for code that caught an unexpected exception itself.

    ``context`` completes "Something went wrong while …" (e.g. "undoing the last code").
    ``parent`` is a widget of the window the user is in (its prompter asks); without one,
    the active window's. A :class:`CoderError` is shown as its plain message. Safe to call
    from any thread: the dialog is shown from the GUI thread.
    """
    _report(exc, context, parent, quiet_repeats=False)


# ---- what the user sees ------------------------------------------------------------------
def summary_text(exc: BaseException, context: str) -> str:
    """The plain-words part of the dialog."""
    message = str(exc).strip()
    what = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    return (
        f"Something went wrong while {context}.\n\n{what}\n\n"
        "What you had already done is saved (every code is stored as you make it); "
        "the last action may not have finished."
    )


def details_text(exc: BaseException, context: str) -> str:
    """What a developer needs: versions, platform, time, the traceback. Never project
    data: a traceback holds source lines and the exception's message, not variables."""
    lines = [
        *logs.environment(),
        f"PySide6 {PySide6.__version__}, Qt {qVersion()}",
        f"Time {datetime.now().isoformat(timespec='seconds')}",
        f"While {context}",
        "",
    ]
    return "\n".join(lines) + "".join(traceback.format_exception(exc))


# ---- internals ---------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Logged:
    """An exception already written to the log, on its way to the GUI thread."""

    exc: BaseException
    log_file: Path | None


def _report(
    exc: BaseException, context: str, parent: QWidget | None, *, quiet_repeats: bool
) -> None:
    if isinstance(exc, CoderError):
        log.warning("%s (while %s)", exc, context)
        if _in_gui_thread():
            _prompter_for(parent).error(ERROR_TITLE, str(exc))
        elif _relay is not None:
            _relay.report.emit(exc, context, quiet_repeats)
        return
    log_file = _log(exc, context)
    if _in_gui_thread():
        _show(exc, context, parent, log_file, quiet_repeats)
    elif _relay is not None:  # the GUI thread shows it (the log already has it)
        _relay.report.emit(_Logged(exc, log_file), context, quiet_repeats)


def _sys_hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    if issubclass(exc_type, KeyboardInterrupt):  # Ctrl+C in the terminal: not a crash
        sys.__excepthook__(exc_type, exc, tb)
        return
    if exc.__traceback__ is None and tb is not None:
        exc = exc.with_traceback(tb)
    if sys.stderr is not None and not isinstance(exc, CoderError):
        traceback.print_exception(exc, file=sys.stderr)  # for a developer's terminal
    _report(exc, DEFAULT_CONTEXT, None, quiet_repeats=True)


def _thread_hook(args: threading.ExceptHookArgs) -> None:
    if issubclass(args.exc_type, SystemExit):  # as the default hook: a normal thread end
        return
    exc = args.exc_value if args.exc_value is not None else args.exc_type()
    name = args.thread.name if args.thread is not None else "a background task"
    _report(exc, f"running {name} in the background", None, quiet_repeats=True)


def _log(exc: BaseException, context: str) -> Path | None:
    """Write ``exc`` with its traceback to the error log; return the log file."""
    log_file = logs.enable_file_log()
    environment = "; ".join([*logs.environment(), f"PySide6 {PySide6.__version__}"])
    log.error(
        "Unexpected error while %s [%s]",
        context,
        environment,
        exc_info=(type(exc), exc, exc.__traceback__),
    )
    return log_file


def _in_gui_thread() -> bool:
    app = QApplication.instance()
    return app is not None and QThread.currentThread() == app.thread()


def _show(
    exc: BaseException,
    context: str,
    parent: QWidget | None,
    log_file: Path | None,
    quiet_repeats: bool,
) -> None:
    """The dialog, one at a time (an error while it is open is only logged)."""
    global _showing
    key = _signature(exc)
    recent = time.monotonic() - _closed_at.get(key, -1e9) < REPEAT_QUIET_SECONDS
    if _showing or (quiet_repeats and recent):
        return  # logged already
    _showing = True
    try:
        _prompter_for(parent).unexpected_error(
            summary_text(exc, context), details_text(exc, context), log_file
        )
    except Exception:  # the dialog itself failed: the log has the original
        log.exception("could not show the error dialog")
    finally:
        _showing = False
        _closed_at[key] = time.monotonic()


def _signature(exc: BaseException) -> tuple[str, str, int]:
    """Type and innermost place of an exception: "the same failure again"."""
    frames = traceback.extract_tb(exc.__traceback__)
    last = frames[-1] if frames else None
    return type(exc).__name__, last.filename if last else "", (last.lineno or 0) if last else 0


def _prompter_for(parent: QWidget | None) -> Prompter:
    """The prompter of the window the user is in: ``parent``'s, else the active window's,
    else a visible top-level window's; a plain one if none has a prompter."""
    candidates: list[QWidget | None] = [parent, QApplication.activeWindow()]
    candidates += [w for w in QApplication.topLevelWidgets() if w.isVisible()]
    for widget in candidates:
        while widget is not None:
            prompter = getattr(widget, "prompter", None)
            if isinstance(prompter, Prompter):
                return prompter
            widget = widget.parentWidget()
    return Prompter(QApplication.activeWindow())


def _relay_received(exc: object, context: str, quiet_repeats: bool) -> None:
    """Slot of the relay, in the GUI thread."""
    if isinstance(exc, CoderError):
        _prompter_for(None).error(ERROR_TITLE, str(exc))
    elif isinstance(exc, _Logged):
        _show(exc.exc, context, None, exc.log_file, quiet_repeats)
