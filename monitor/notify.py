"""Alerts to their targets: the notifiers (apprise, or structured webhooks), the store's outbox,
delivery. What an alert says is alerts.py's.

An alert is queued in the same transaction as the item that caused it, claimed before it is sent
and marked sent only when apprise says it was delivered; one that failed is tried again after a
growing wait, and marked failed after ALERT_ATTEMPTS. With no notifier configured, alerts go to the
console so a newcomer sees them.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from . import webhook
from .alerts import Alert
from .config import Config, NotifierConfig, apprise_refusal, mask_secrets
from .send_thread import run_within
from .store import OutboxAlert, OutboxRow, Store, iso

if TYPE_CHECKING:
    import apprise
    import httpx

log = logging.getLogger("monitor.notify")
CONSOLE = "console"


class Notifiers:
    """The configured targets. Each one's apprise object is built on its first use and kept for the
    life of this object, which the daemon makes once: building one costs ~170 ms."""

    def __init__(
        self, configs: tuple[NotifierConfig, ...], console: TextIO | None = None, config: Config | None = None
    ) -> None:
        self.configs = {n.name: n for n in configs}
        self.deadline = float(config.settings.alerts.send_timeout_seconds) if config is not None else 30.0
        # A claim older than this belongs to a sender that died: twice the deadline and a margin.
        self.claim_expiry = timedelta(seconds=2 * self.deadline + 60)
        self._apprise: dict[str, apprise.Apprise] = {}
        self._building = threading.Lock()  # the cycle and Meanwhile's thread may ask for one at once
        self._http: httpx.Client | None = None  # made for the first structured webhook
        self.console = console or sys.stdout
        self._config = config

    def format_of(self, name: str) -> str:
        """The body format a target takes natively: html (email), markdown (Slack and the like) or text."""
        n = self.configs.get(name)
        if n is None or webhook.is_webhook(n.url):
            return "text"
        target = self._target(name)
        if not target:  # a URL apprise took no target from
            return "text"
        plugin = target[0]
        # apprise 2 declares several formats per plugin and resolves the one in use (a ?format= in the URL wins).
        fmt = plugin.resolve_format() if hasattr(plugin, "resolve_format") else getattr(plugin, "notify_format", "text")
        fmt = fmt[0] if isinstance(fmt, tuple) else fmt
        return str(getattr(fmt, "value", fmt))

    def takes_attachments(self, name: str) -> bool:
        """Whether apprise's plugin for this target sends attachments. Slack's plugin says yes, but only its
        bot mode does: webhooks refuse them, with a warning on every digest."""
        if name == CONSOLE or name not in self.configs:
            return False
        target = self._target(name)
        if not target:
            return False
        plugin = target[0]
        mode = str(getattr(getattr(plugin, "mode", ""), "value", getattr(plugin, "mode", "")))
        return bool(getattr(plugin, "attachment_support", False)) and "hook" not in mode.lower()

    def targets_all(self) -> list[str]:
        return list(self.configs) or [CONSOLE]

    def targets(self, kind: str) -> list[str]:
        if not self.configs:
            return [CONSOLE]
        return [name for name, n in self.configs.items() if kind in n.events]

    def is_webhook(self, name: str) -> bool:
        n = self.configs.get(name)
        return n is not None and webhook.is_webhook(n.url)

    def post(self, name: str, document: dict[str, Any]) -> tuple[bool, str | None]:
        """POST a structured webhook's document (webhook.py); the same outbox row, retries and id as any alert."""
        import httpx  # noqa: PLC0415

        if self._http is None:
            timeout = self._config.settings.fetch.timeout_seconds if self._config is not None else 20
            self._http = httpx.Client(timeout=timeout, follow_redirects=False)
        n = self.configs[name]
        ok, error = webhook.post(self._http, n.url, dict(n.headers), document)
        return ok, mask_secrets(error, self._config) if error else None

    def _target(self, name: str) -> apprise.Apprise | None:
        """The apprise object of a configured target, built on first use and kept; None if not configured."""
        n = self.configs.get(name)
        if n is None:
            return None
        with self._building:
            target = self._apprise.get(name)
            if target is None:
                import apprise  # noqa: PLC0415

                target = apprise.Apprise(asset=_asset())
                target.add(n.url)
                self._apprise[name] = target
        return target

    def within_deadline(
        self,
        name: str,
        call: Callable[..., tuple[bool, str | None]],
        *args: Any,
        stop: threading.Event | None = None,
        **kwargs: Any,
    ) -> tuple[bool, str | None]:
        """call(*args) in a thread the deadline watches (send_thread), given self.deadline seconds in all: a target
        that trickles or never answers costs at most that, and is reported as failed (it may still deliver later:
        at least once)."""
        outcome: list[tuple[bool, str | None]] = []

        def run() -> None:
            threading.current_thread().name = f"notify-{name}"
            try:
                outcome.append(call(*args, **kwargs))
            except Exception as e:  # noqa: BLE001 - reported like a refusal
                outcome.append((False, mask_secrets(f"{type(e).__name__}: {e}", self._config)))

        run_within(run, self.deadline, stop)
        if not outcome:
            if stop is not None and stop.is_set():
                return False, "stopped (SIGTERM) while sending"
            return False, f"no answer within {self.deadline:g} s"
        return outcome[0]

    def send(
        self,
        name: str,
        title: str,
        body: str,
        attach: str | None = None,
        body_format: str = "text",
        uid: str | None = None,
    ) -> tuple[bool, str | None]:
        if name == CONSOLE:
            print(f"{title}\n{body}\n", file=self.console, flush=True)
            return True, None
        target = self._target(name)
        if target is None:
            return False, "notifier no longer configured"
        if not target:  # a URL apprise takes no target from: load leaves that check to first use
            return False, apprise_refusal(self.configs[name].url)
        import apprise  # noqa: PLC0415

        fmt = {"html": apprise.NotifyFormat.HTML, "markdown": apprise.NotifyFormat.MARKDOWN}.get(
            body_format, apprise.NotifyFormat.TEXT
        )
        if uid:
            _stamp(target, uid)
        with apprise.LogCapture(level=logging.WARNING, fmt="%(message)s") as captured:  # type: ignore[no-untyped-call]
            ok = target.notify(title=title, body=body, body_format=fmt, attach=attach)
        if ok:
            return True, None
        return False, mask_secrets(delivery_error(captured.getvalue()), self._config)


def _asset() -> apprise.AppriseAsset:
    """apprise's settings for a target: no deadline of its own where it has one (2.3 on). Every send is
    already bounded by ours (Notifiers.within_deadline), and apprise's would hand each send to a
    thread of its pool and wait there: 0.25 ms more CPU per alert (1.30 against 1.05) in the
    process that stores the feeds."""
    import apprise  # noqa: PLC0415

    if hasattr(apprise.AppriseAsset, "_service_timeout"):
        return apprise.AppriseAsset(service_timeout=0)  # 0: none
    return apprise.AppriseAsset()


def delivery_error(apprise_log: str) -> str:
    """apprise's own words on a failed delivery, as one line of ours: its messages without their
    timestamps, the first (why) and the last (the status) when they differ, at most 200 characters."""
    lines = [" ".join(line.split()) for line in apprise_log.splitlines() if line.strip()]
    if not lines:
        return "apprise reported failure"
    said = lines[0] if len(lines) == 1 or lines[0] == lines[-1] else f"{lines[0]} ({lines[-1]})"
    return said if len(said) <= 200 else said[:199] + "…"


def _stamp(target: Iterable[Any], uid: str) -> None:
    """Put the alert's id where the target carries extra fields: a header (email, json, webhooks of
    apprise) and the JSON payload (json://)."""
    for plugin in target:
        if isinstance(getattr(plugin, "headers", None), dict):
            plugin.headers["X-Monitor-Alert-Id"] = uid
        if isinstance(getattr(plugin, "payload_extras", None), dict):
            plugin.payload_extras["alert_id"] = uid


def send_test(
    notifiers: Notifiers, names: list[str], now: datetime, config_path: Path
) -> list[tuple[str, bool, str | None]]:
    """A [test] message to each named target, sent at once and stored nowhere. Returns (name, accepted, error)."""
    results = []
    for name in names:
        body = (
            f"A test message from monitor, sent {now:%Y-%m-%d %H:%M UTC} to the notifier {name!r} of {config_path}.\n"
            "If you read this, alerts will reach you here. Nothing was recorded: no digest or alert counts it."
        )
        ok, error = notifiers.within_deadline(
            name, notifiers.send, name, f"[test] monitor: notifier {name} works", body
        )
        results.append((name, ok, error))
    return results


def queue(store: Store, notifiers: Notifiers, alert: Alert, now: datetime) -> int:
    """Put an alert in the outbox for every notifier that wants its kind; returns how many were new."""
    return sum(
        store.add_alert(
            OutboxAlert(
                alert.kind,
                alert.key,
                alert.item_id,
                name,
                alert.title,
                alert.body,
                facts=json.dumps(alert.facts, ensure_ascii=False) if alert.facts else None,
            ),
            now,
        )
        for name in notifiers.targets(alert.kind)
    )


# A failed alert waits 30 s * (2^(n-1) - 1) after its n-th attempt (the next cycle, 30 s, 90 s, ...),
# at most an hour; after ALERT_ATTEMPTS attempts (about 13 hours) it is marked failed, shown in `status`.
ALERT_ATTEMPTS = 20
ALERT_WAIT_CAP = timedelta(hours=1)


def alert_backoff(attempts: int) -> timedelta:
    return min(timedelta(seconds=30 * (2 ** min(attempts - 1, 20) - 1)), ALERT_WAIT_CAP)


def alert_uid(row: OutboxRow) -> str:
    """The id a receiver drops repeats by: the same for every retry of one alert to one target."""
    return f"monitor-alert-{row.id}"


@dataclass(frozen=True, slots=True)
class Attempt:
    """What became of one try at sending an alert, as the outbox records it: sent, to be tried again at
    next_attempt, or given up (status "failed")."""

    alert_id: int
    at: datetime
    sent: bool
    error: str | None = None
    status: str | None = None
    next_attempt: datetime | None = None

    @property
    def pending(self) -> bool:
        return not self.sent and self.status is None

    def record(self, store: Store) -> None:
        store.mark_alert(self.alert_id, self.at, self.sent, self.error, self.status, self.next_attempt)


def unconfigured(notifiers: Notifiers, row: OutboxRow, now: datetime) -> Attempt | None:
    """The record of an alert whose notifier was removed from the configuration: dropped, not sent."""
    if row.notifier == CONSOLE or row.notifier in notifiers.configs:
        return None
    log.warning("alert %s dropped: notifier %s is no longer configured", row.id, row.notifier)
    return Attempt(row.id, now, sent=False, error="notifier no longer configured", status="dropped")


def attempt(
    store: Store, notifiers: Notifiers, row: OutboxRow, now: datetime, stop: threading.Event | None, skipped: set[str]
) -> Attempt:
    """Send one claimed alert; a target that fails joins skipped, for the rest of the round."""
    name = row.notifier
    ok, error = _send_row(store, notifiers, row, stop)
    if ok:
        log.info("alert %s sent to %s: %s", row.id, name, row.title)
        return Attempt(row.id, now, sent=True)
    skipped.add(name)
    attempts = row.attempts + 1
    if attempts >= ALERT_ATTEMPTS:
        log.error("alert %s to %s failed %d times, given up: %s", row.id, name, attempts, error)
        return Attempt(row.id, now, sent=False, error=error, status="failed")
    retry = now + alert_backoff(attempts)
    log.warning("alert %s to %s not delivered, will retry: %s (next attempt %s)", row.id, name, error, iso(retry))
    return Attempt(row.id, now, sent=False, error=error, next_attempt=retry)


def deliver_pending(
    store: Store,
    notifiers: Notifiers,
    now: datetime,
    stop: threading.Event | None = None,
    skipped: set[str] | None = None,
) -> tuple[int, int]:
    """Try every due pending alert once; returns (sent, still pending).

    Each alert is claimed (one atomic UPDATE) before it is sent, so two processes never send it
    twice. A target that fails or does not answer within its deadline is skipped for the rest of
    this round; the others go on. At least once: an alert whose sender died mid-send is sent again,
    and carries the same id (alert_uid) so the receiver can drop the repeat."""
    sent = pending = 0
    # Targets that failed or stalled in this round; a cycle that delivers after each feed passes one
    # set to all its rounds, so a dead target costs one deadline a cycle.
    skipped = set() if skipped is None else skipped
    store.release_claims(claimed_before=now - notifiers.claim_expiry)
    for row in store.pending_alerts(now):
        if (stop is not None and stop.is_set()) or row.notifier in skipped:
            pending += 1
            continue
        dropped = unconfigured(notifiers, row, now)
        if dropped is not None:
            dropped.record(store)
            continue
        if not store.claim_alert(row.id, now):
            continue  # another process is sending it
        done = attempt(store, notifiers, row, now, stop, skipped)
        done.record(store)
        sent += done.sent
        pending += done.pending
    return sent, pending


class Meanwhile:
    """Alerts already queued when a cycle starts (retries, those left by a stop) are delivered in a
    thread of their own while the cycle's feeds are read, so a slow feed delays none of them. The
    thread has its own store connection (one per thread); claims keep it from sending what the
    cycle's own delivery sends."""

    def __init__(self, store: Store, notifiers: Notifiers, now: datetime, stop: threading.Event | None = None) -> None:
        self.sent = 0
        self._thread: threading.Thread | None = None
        if not store.alerts_due(now, now - notifiers.claim_expiry):
            return  # most cycles: no thread, no connection, no write, beside the fetching
        self._thread = threading.Thread(
            target=self._run, args=(store.path, notifiers, now, stop), name="deliver-queued", daemon=True
        )
        self._thread.start()

    def _run(self, store_path: Path, notifiers: Notifiers, now: datetime, stop: threading.Event | None) -> None:
        try:
            with Store(store_path) as store:
                self.sent, _ = deliver_pending(store, notifiers, now, stop)
        except Exception:
            log.exception("delivering the alerts already queued failed; the cycle's own delivery tries them")

    def join(self) -> int:
        """Wait for it (each stalled target costs one deadline at most); returns how many it sent."""
        if self._thread is not None:
            self._thread.join()
        return self.sent


def _send_row(
    store: Store, notifiers: Notifiers, row: OutboxRow, stop: threading.Event | None = None
) -> tuple[bool, str | None]:
    try:
        attach = row.attach
        if attach and not Path(attach).exists():
            log.warning("alert %s: attachment %s is gone; sending without it", row.id, attach)
            attach = None
        if notifiers.is_webhook(row.notifier):
            story = store.story_of(row.item_id) if row.item_id else None
            document = webhook.document(row, story)
            return notifiers.within_deadline(row.notifier, notifiers.post, row.notifier, document, stop=stop)
        # Digests were rendered in each target's own format; the other alerts are plain text everywhere.
        body_format = notifiers.format_of(row.notifier) if row.kind == "digest" else "text"
        return notifiers.within_deadline(
            row.notifier,
            notifiers.send,
            row.notifier,
            row.title,
            row.body,
            attach=attach,
            body_format=body_format,
            uid=alert_uid(row),
            stop=stop,
        )
    except Exception as e:  # a target that breaks is skipped for the round, like one that refuses
        log.warning("alert %s to %s: %s", row.id, row.notifier, type(e).__name__, exc_info=True)
        return False, mask_secrets(f"{type(e).__name__}: {e}", notifiers._config)
