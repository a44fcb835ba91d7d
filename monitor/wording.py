"""How counts and times read in what the monitor says to people: "1 failure", "3 failures", and stored
UTC times shown in schedule.timezone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    return f"{count} {noun if count == 1 else nouns or noun + 's'}"


def local_time(moment: datetime | str | None, tz: ZoneInfo, missing: str = "never") -> str:
    """A stored time (ISO text or datetime) as "2024-02-05 13:00 CET" in the configured zone."""
    if not moment:
        return missing
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z")
