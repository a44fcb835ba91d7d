"""A send runs in a thread its deadline watches: one kept between the sends of each thread that
sends, replaced when a send outlives its deadline, and gone with the thread that kept it."""

from __future__ import annotations

import gc
import threading

from monitor.send_thread import run_within


def where_it_runs(seconds: float = 5.0) -> tuple[bool, threading.Thread | None]:
    ran: list[threading.Thread] = []
    finished = run_within(lambda: ran.append(threading.current_thread()), seconds)
    return finished, ran[0] if ran else None


def test_the_sends_of_one_thread_run_one_after_another_in_one_kept_thread():
    first, second = where_it_runs(), where_it_runs()

    assert first[0] and second[0]
    assert first[1] is second[1] and first[1] is not threading.current_thread()
    assert first[1] is not None and first[1].daemon


def test_a_send_past_its_deadline_is_left_alone_and_the_next_one_gets_a_new_thread():
    release = threading.Event()
    stuck: list[threading.Thread] = []

    def hangs() -> None:
        stuck.append(threading.current_thread())
        release.wait(30)

    assert run_within(hangs, 0.2) is False
    finished, fresh = where_it_runs()
    release.set()
    stuck[0].join(5)

    assert finished and fresh is not stuck[0]
    assert not stuck[0].is_alive()  # it ended once its send did


def test_a_stop_ends_the_wait_before_the_deadline():
    stop, release = threading.Event(), threading.Event()
    stop.set()

    assert run_within(lambda: release.wait(30), 30, stop) is False
    release.set()


def test_two_threads_that_send_do_not_wait_for_each_other():
    release = threading.Event()
    outcomes: list[bool] = []
    other = threading.Thread(target=lambda: outcomes.append(run_within(lambda: release.wait(30), 30)))
    other.start()

    finished, _ = where_it_runs(seconds=2)  # while the other thread's send hangs
    release.set()
    other.join(5)

    assert finished and outcomes == [True]


def test_the_kept_thread_ends_with_the_thread_that_kept_it():
    kept: list[threading.Thread | None] = []
    caller = threading.Thread(target=lambda: kept.append(where_it_runs()[1]))
    caller.start()
    caller.join(5)
    gc.collect()
    assert kept[0] is not None
    kept[0].join(5)

    assert not kept[0].is_alive()
