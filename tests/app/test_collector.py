"""The one pause of the garbage collector (coder.app.collector)."""

from __future__ import annotations

import gc
import threading

import pytest

from coder.app.collector import collector_paused


def test_overlapping_pauses_on_two_threads_end_with_the_last() -> None:
    """A worker's job and a reliability read overlap: the first to finish must not switch
    the collector back on under the other (two separate pauses did)."""
    assert gc.isenabled()
    job_started, job_may_end = threading.Event(), threading.Event()
    seen_after_read: list[bool] = []

    def job() -> None:
        with collector_paused:
            job_started.set()
            job_may_end.wait(5)

    worker = threading.Thread(target=job)
    worker.start()
    assert job_started.wait(5)
    with collector_paused:  # the read, on this thread, ends first
        pass
    seen_after_read.append(gc.isenabled())
    job_may_end.set()
    worker.join(5)
    assert seen_after_read == [False]  # still paused: the job runs on
    assert gc.isenabled()  # on again once nothing is paused


def test_an_error_inside_ends_the_pause_and_a_collector_left_off_stays_off() -> None:
    with pytest.raises(RuntimeError), collector_paused:
        raise RuntimeError("boom")
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused:
            pass
        assert not gc.isenabled()  # it was off before: the pause does not switch it on
    finally:
        gc.enable()
