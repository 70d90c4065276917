"""coder.ui.worker: what keeps the window responsive beyond running work off the UI
thread — progress reports thinned out, the cyclic garbage collector paused while a job
runs (its full passes held the GIL for half a second on a large project)."""

from __future__ import annotations

import gc
import threading

from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from coder.ui.worker import Job, run_job


def test_progress_reports_are_thinned_but_the_first_and_last_arrive() -> None:
    job = Job()
    seen: list[tuple[int, int]] = []
    job.progressed.connect(lambda done, total, _text: seen.append((done, total)))
    for done in range(0, 10_001):  # as fast as a per-item loop steps
        assert job.step(done, 10_000, "item")
    assert seen[0] == (0, 10_000) and seen[-1] == (10_000, 10_000)
    assert len(seen) < 20  # not ten thousand repaints queued for the window
    job.cancel()
    assert job.step(1, 10_000) is False  # thinned or not, a cancel is always seen


def test_the_collector_is_paused_while_a_job_runs_and_back_after(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    assert gc.isenabled()
    job = run_job(parent, "Work", lambda _job: gc.isenabled())
    qtbot.waitUntil(lambda: job.done, timeout=5000)
    assert job.result is False  # off during the work
    assert gc.isenabled()  # and on again once no job runs


def test_a_failing_job_switches_the_collector_back_on(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    errors: list[BaseException] = []

    def broken(_job: Job) -> None:
        raise RuntimeError("boom")

    job = run_job(parent, "Work", broken, on_error=errors.append)
    qtbot.waitUntil(lambda: job.done, timeout=5000)
    assert [str(e) for e in errors] == ["boom"] and gc.isenabled()


def test_a_job_asks_its_question_on_the_ui_thread_and_goes_on_with_the_answer(
    qtbot: QtBot,
) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    asked_on: list[threading.Thread] = []

    def question() -> str:
        asked_on.append(threading.current_thread())
        return "yes"

    def work(job: Job) -> tuple[str, bool]:
        return job.ask(question), threading.current_thread() is threading.main_thread()

    job = run_job(parent, "Work", work)
    qtbot.waitUntil(lambda: job.done, timeout=5000)
    assert job.result == ("yes", False)  # answered; the work itself ran in the worker
    assert asked_on == [threading.main_thread()]


def test_a_failing_question_fails_the_job(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    errors: list[BaseException] = []

    def question() -> None:
        raise ValueError("no dialog")

    job = run_job(parent, "Work", lambda job: job.ask(question), on_error=errors.append)
    qtbot.waitUntil(lambda: job.done, timeout=5000)
    assert [str(e) for e in errors] == ["no dialog"]
