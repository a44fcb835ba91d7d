"""The alert outbox and the record of digests: an alert is queued once per notifier, claimed before it
is sent, and marked sent, failed or dropped. Part of the store layer (the only modules that speak
SQL); Store inherits these queries."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from .store_base import Params, Queries, iso

PENDING, SENDING, SENT, FAILED, DROPPED = "pending", "sending", "sent", "failed", "dropped"


@dataclass(frozen=True, slots=True)
class OutboxAlert:
    """An alert for one notifier, as queued: facts is the JSON document a structured webhook receives."""

    kind: str
    key: str
    item_id: int | None
    notifier: str
    title: str
    body: str
    attach: str | None = None
    facts: str | None = None


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """An alert in the outbox, as stored: for one notifier, with its delivery so far."""

    id: int
    kind: str
    key: str
    item_id: int | None
    notifier: str
    title: str
    body: str
    created_at: str
    status: str
    attempts: int
    last_attempt_at: str | None
    last_error: str | None
    sent_at: str | None
    attach: str | None
    facts: str | None
    claimed_at: str | None
    next_attempt_at: str | None


# Named, not *: a store upgraded in place has its columns in the order they were added.
_OUTBOX_COLUMNS = ", ".join(OutboxRow.__dataclass_fields__)


@dataclass(frozen=True, slots=True)
class DigestRecord:
    """A digest as recorded: the period it covered, when, and its chart (None once pruned)."""

    id: int
    period_start: str
    period_end: str
    created_at: str
    stories: int
    chart: str | None


class OutboxQueries(Queries):
    def add_alert(self, alert: OutboxAlert, now: datetime) -> bool:
        """Queue an alert for its notifier; False when that alert was queued before."""
        a = alert
        cursor = self.db.execute(
            """INSERT OR IGNORE INTO alerts (kind, key, item_id, notifier, title, body, created_at, attach, facts)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [a.kind, a.key, a.item_id, a.notifier, a.title, a.body, iso(now), a.attach, a.facts],
        )
        return cursor.rowcount == 1

    def pending_alerts(self, now: datetime | None = None) -> list[OutboxRow]:
        """Alerts waiting to be sent whose next attempt is due by now (all pending ones without now)."""
        if now is None:
            return self._outbox("status = 'pending'", [])
        return self._outbox("status = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= ?)", [iso(now)])

    def alerts_due(self, now: datetime, claimed_before: datetime) -> bool:
        """Whether any alert waits to be sent by now: pending and due, or claimed before claimed_before
        by a sender that died (release_claims)."""
        return (
            self._one(
                """SELECT 1 FROM alerts WHERE (status = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= ?))
                   OR (status = 'sending' AND claimed_at < ?) LIMIT 1""",
                [iso(now), iso(claimed_before)],
            )
            is not None
        )

    def claim_alert(self, alert_id: int, now: datetime) -> bool:
        """Take a pending alert for sending; False when another process took it first (one atomic UPDATE)."""
        cursor = self.db.execute(
            "UPDATE alerts SET status = 'sending', claimed_at = ? WHERE id = ? AND status = 'pending'",
            [iso(now), alert_id],
        )
        return cursor.rowcount == 1

    def claim_alerts(self, alert_ids: list[int], now: datetime) -> set[int]:
        """Take several pending alerts for sending in one statement; returns those taken (the others
        were taken or settled by another sender first)."""
        return {
            row[0]
            for row in self.db.execute(
                """UPDATE alerts SET status = 'sending', claimed_at = ?
                   WHERE status = 'pending' AND id IN (SELECT value FROM json_each(?)) RETURNING id""",
                [iso(now), json.dumps(alert_ids)],
            )
        }

    def release_alerts(self, alert_ids: list[int]) -> None:
        """Claimed alerts this sender will not send after all (stopped, or their target failed): pending again."""
        self.db.execute(
            "UPDATE alerts SET status = 'pending' WHERE status = 'sending' AND id IN (SELECT value FROM json_each(?))",
            [json.dumps(alert_ids)],
        )

    def release_claims(self, claimed_before: datetime | None = None) -> int:
        """Alerts claimed by a process that died before it knew whether they went out: pending again
        (at least once). All claims when claimed_before is None: only for the store's lock holder."""
        if claimed_before is None:
            cursor = self.db.execute("UPDATE alerts SET status = 'pending' WHERE status = 'sending'")
        else:
            cursor = self.db.execute(
                "UPDATE alerts SET status = 'pending' WHERE status = 'sending' AND claimed_at < ?",
                [iso(claimed_before)],
            )
        return int(cursor.rowcount)

    def mark_alert(
        self,
        alert_id: int,
        now: datetime,
        sent: bool,
        error: str | None = None,
        status: str | None = None,
        next_attempt: datetime | None = None,
    ) -> None:
        self.db.execute(
            """UPDATE alerts SET attempts = attempts + 1, last_attempt_at = ?, status = ?, last_error = ?,
               sent_at = CASE WHEN ? THEN ? ELSE sent_at END, next_attempt_at = ? WHERE id = ?""",
            [iso(now), status or (SENT if sent else PENDING), error, sent, iso(now), iso(next_attempt), alert_id],
        )

    def alerts(self, statuses: tuple[str, ...] = ()) -> list[OutboxRow]:
        """The outbox, oldest first: every alert, or those in one of these statuses."""
        if not statuses:
            return self._outbox("1", [])
        return self._outbox(f"status IN ({','.join('?' * len(statuses))})", list(statuses))

    def _outbox(self, where: str, params: Params) -> list[OutboxRow]:
        return [
            OutboxRow(*row)
            for row in self.db.execute(f"SELECT {_OUTBOX_COLUMNS} FROM alerts WHERE {where} ORDER BY id", params)
        ]

    # ------------------------------------------------------------ digests

    def last_digest(self) -> DigestRecord | None:
        row = self._one(
            "SELECT id, period_start, period_end, created_at, stories, chart FROM digests ORDER BY period_end DESC LIMIT 1",
            [],
        )
        return DigestRecord(*row) if row else None

    def record_digest(self, start: datetime, end: datetime, now: datetime, stories: int, chart: str | None) -> int:
        return self._insert(
            "INSERT INTO digests (period_start, period_end, created_at, stories, chart) VALUES (?, ?, ?, ?, ?)",
            [iso(start), iso(end), iso(now), stories, chart],
        )
