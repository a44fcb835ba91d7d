"""The cycle's single writer and its courier: only the writer writes while a cycle runs; the courier
sends, and the writer records what became of each alert, between two feeds. The pool's workers
work first for the writer, and yield the cores to it."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from datetime import datetime, timedelta

import pytest

from builders import Clock, at
from conftest import write_config

from monitor.config import load_config
from monitor.notify import Notifiers, deliver_pending
from monitor.store import OutboxAlert, Store
from monitor.workers import LARGE_FEED_BYTES, WORKER_NICENESS, Workers
from monitor.writer import Courier, Writer


def queued_store(tmp_path, receiver, alerts: int, settings: dict | None = None) -> tuple[Store, Notifiers]:
    config = load_config(write_config(tmp_path, [], [{"url": receiver.url, "name": "json"}], settings))
    store = Store(config.store_path)
    for n in range(alerts):
        store.add_alert(
            OutboxAlert("report", f"story:{n}", None, "json", f"[report] story {n}", "body"), at("2024-02-05T12:00")
        )
    return store, Notifiers(config.notifiers, config=config)


def statuses(store: Store) -> list[tuple[str, int]]:
    return [(row.status, row.attempts) for row in store.alerts()]


def test_a_job_given_first_goes_ahead_of_the_feeds_waiting(tmp_path):
    writer = Writer(tmp_path / "monitor.db")
    started, busy, order = threading.Event(), threading.Event(), []

    def job(name: str):
        def run(store: Store) -> str:
            if name == "feed 1":
                started.set()
                busy.wait(10)
            order.append(name)
            return name

        return run

    first_feed = writer.submit(job("feed 1"))
    assert started.wait(10)
    later = [writer.submit(job(name)) for name in ("feed 2", "feed 3")]
    courier = writer.submit(job("courier's claims"), first=True)
    busy.set()
    assert courier.result(10) == "courier's claims"
    writer.close()

    assert first_feed.done() and all(f.done() for f in later)
    assert order == ["feed 1", "courier's claims", "feed 2", "feed 3"]


def test_a_job_that_fails_fails_alone(tmp_path):
    writer = Writer(tmp_path / "monitor.db")

    def broken(store: Store) -> None:
        raise ValueError("a feed the writer could not store")

    failed = writer.submit(broken)
    after = writer.submit(lambda store: store.alerts())
    writer.close()

    assert isinstance(failed.exception(), ValueError) and after.result() == []


def test_the_courier_sends_and_the_writer_records_each_alert_sent(tmp_path, receiver):
    store, notifiers = queued_store(tmp_path, receiver, 12)
    writer = Writer(store.path)
    courier = Courier(writer, notifiers, Clock("2024-02-05T12:01"), None, set())
    courier.wake()
    sent = courier.close()
    writer.close()

    assert sent == 12 and sorted(receiver.titles) == sorted(f"[report] story {n}" for n in range(12))
    assert statuses(store) == [("sent", 1)] * 12


def test_the_courier_and_another_sender_send_each_alert_once(tmp_path, receiver):
    store, notifiers = queued_store(tmp_path, receiver, 40)
    writer = Writer(store.path)
    courier = Courier(writer, notifiers, Clock("2024-02-05T12:01"), None, set())

    def other_sender() -> None:
        with Store(store.path) as own:
            deliver_pending(own, notifiers, at("2024-02-05T12:01"))

    other = threading.Thread(target=other_sender)
    other.start()
    courier.wake()
    courier.close()
    writer.close()
    other.join(60)

    assert sorted(receiver.titles) == sorted(f"[report] story {n}" for n in range(40))
    assert statuses(store) == [("sent", 1)] * 40


def test_a_refused_alert_waits_for_its_retry_and_the_rest_of_its_target_is_released_unsent(tmp_path, receiver):
    store, notifiers = queued_store(tmp_path, receiver, 5)
    receiver.status = 500
    skipped: set[str] = set()
    writer = Writer(store.path)
    courier = Courier(writer, notifiers, Clock("2024-02-05T12:01"), None, skipped)
    courier.wake()
    assert courier.close() == 0
    writer.close()

    rows = store.alerts()
    assert receiver.refused == 1 and skipped == {"json"}
    assert [(r.status, r.attempts) for r in rows] == [("pending", 1)] + [("pending", 0)] * 4
    assert rows[0].next_attempt_at is not None and "500" in (rows[0].last_error or "")


def test_a_stopped_courier_sends_nothing_and_claims_nothing(tmp_path, receiver):
    store, notifiers = queued_store(tmp_path, receiver, 3)
    stop = threading.Event()
    stop.set()
    writer = Writer(store.path)
    courier = Courier(writer, notifiers, Clock("2024-02-05T12:01"), stop, set())
    courier.wake()
    courier.close()
    writer.close()

    assert receiver.received == [] and statuses(store) == [("pending", 0)] * 3


def test_alerts_are_claimed_together_once_and_released_only_while_claimed(tmp_path, receiver):
    store, _ = queued_store(tmp_path, receiver, 4)
    ids = [row.id for row in store.alerts()]
    now = at("2024-02-05T12:01")

    assert store.claim_alerts(ids[:3], now) == set(ids[:3])
    assert store.claim_alerts(ids, now) == {ids[3]}  # the others were taken first
    store.mark_alert(ids[0], now, sent=True)
    store.release_alerts(ids)

    assert [row.status for row in store.alerts()] == ["sent", "pending", "pending", "pending"]


def large_feed() -> bytes:
    items = "".join(
        f"<item><title>Valley notes {n}</title><guid>note-{n}</guid><description>"
        + " ".join(f"ledger{n}entry{k}" for k in range(300))
        + "</description></item>"
        for n in range(30)
    )
    body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>Notes</title>{items}</channel></rss>'.encode()
    assert len(body) >= LARGE_FEED_BYTES
    return body


def test_the_texts_of_a_feed_read_are_analysed_before_the_feeds_still_waiting_are_read(tmp_path):
    config = load_config(write_config(tmp_path, [], []))
    workers = Workers(1, config.rules, config.tally_terms)
    body, finished = large_feed(), []

    async def feed(n: int) -> None:
        await workers.read_feed(body)
        finished.append(f"feed {n} read")
        if n == 0:
            await workers.analyse_many([("Valley notes 0", "ledger entries", None)])
            finished.append("feed 0 analysed")

    async def cycle() -> None:
        await asyncio.gather(*(feed(n) for n in range(4)))

    try:
        asyncio.run(cycle())
    finally:
        workers.close()

    assert finished.index("feed 0 analysed") < finished.index("feed 3 read")


def test_a_cycle_that_expects_pages_starts_every_worker_before_its_first_page(tmp_path):
    config = load_config(write_config(tmp_path, [], []))
    workers = Workers(2, config.rules, config.tally_terms)

    async def expecting_pages() -> tuple[int, list[int], list]:
        workers.expect_pages()
        pool = workers._pool
        workers.expect_pages()  # a second feed with pages: the same pool
        assert workers._pool is pool and workers._starting is not None
        await workers._starting
        started = sorted(process.pid for process in pool._processes.values())
        # The first page goes to a worker already started, and no third one is made for it.
        pid = await workers._run("probe", os.getpid)
        return pid, started, sorted(process.pid for process in pool._processes.values())

    try:
        pid, started, after_a_page = asyncio.run(expecting_pages())
    finally:
        workers.close()
    assert len(started) == 2 and pid in started and after_a_page == started


def test_a_cycle_closed_while_its_workers_start_ends_cleanly(tmp_path):
    config = load_config(write_config(tmp_path, [], []))
    workers = Workers(2, config.rules, config.tally_terms)

    async def closed_at_once() -> None:
        workers.expect_pages()
        workers.close()
        await asyncio.sleep(0)

    asyncio.run(closed_at_once())
    assert workers._pool is None and workers._starting is None


def test_the_workers_run_at_a_lower_priority_than_the_writer(tmp_path):
    config = load_config(write_config(tmp_path, [], []))
    workers = Workers(1, config.rules, config.tally_terms)

    async def niceness_in_a_worker() -> int:
        return await workers._run("probe", os.nice, 0)

    try:
        assert asyncio.run(niceness_in_a_worker()) == min(19, os.nice(0) + WORKER_NICENESS)
    finally:
        workers.close()


def test_alerts_are_due_when_pending_and_due_or_claimed_by_a_sender_that_died(tmp_path, receiver):
    store, _ = queued_store(tmp_path, receiver, 2)
    first, second = (row.id for row in store.alerts())
    now = at("2024-02-05T12:01")
    store.mark_alert(first, now, sent=False, error="refused", next_attempt=at("2024-02-05T12:30"))
    store.mark_alert(second, now, sent=True)
    assert not store.alerts_due(now, claimed_before=now)  # one waits for its retry, one is sent

    assert store.alerts_due(at("2024-02-05T12:30"), claimed_before=now)  # its retry is due
    assert store.claim_alerts([first], at("2024-02-05T12:30")) == {first}
    assert not store.alerts_due(at("2024-02-05T12:31"), claimed_before=at("2024-02-05T12:29"))  # its sender is at it
    assert store.alerts_due(at("2024-02-05T12:40"), claimed_before=at("2024-02-05T12:38"))  # its sender died


def test_a_closed_writer_refuses_a_job_instead_of_leaving_it_waiting(tmp_path):
    writer = Writer(tmp_path / "monitor.db")
    writer.close()

    with pytest.raises(RuntimeError, match="writer is closed"):
        writer.submit(lambda store: store.alerts())


def test_a_round_ends_after_one_send_deadline_and_the_next_claims_the_rest_afresh(tmp_path, receiver):
    # A claim older than the claim expiry reads as a dead sender's: a round that claimed everything
    # and then sent slowly would let another sender take what it has not sent yet.
    store, notifiers = queued_store(tmp_path, receiver, 4, {"alerts": {"send_timeout_seconds": 1}})
    receiver.before_answer = lambda document: time.sleep(0.6)
    clock = Clock("2024-02-05T12:01")

    def ticking() -> datetime:
        clock.now += timedelta(minutes=1)
        return clock.now

    writer = Writer(store.path)
    courier = Courier(writer, notifiers, ticking, None, set())
    courier.wake()
    assert courier.close() == 4
    writer.close()

    rows = store.alerts()
    assert [(r.status, r.attempts) for r in rows] == [("sent", 1)] * 4 and len(receiver.titles) == 4
    assert len({r.claimed_at for r in rows}) >= 2  # claimed in more than one round
