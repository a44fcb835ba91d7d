"""The settings of the config file's tables: one table, SETTINGS, drives their validation, their
defaults and the README's reference (reference.py), and `Settings` holds them typed, with what is
built from them (the zone, the fetch limits) built once at load; the digest trigger is built at its
first use. The keys of a feed's and a notifier's table are here too, with their help.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from . import USER_AGENT
from .errors import ConfigError

if TYPE_CHECKING:
    from apscheduler.triggers.cron import CronTrigger

    from .fetch import Limits


@dataclass(frozen=True)
class Setting:
    key: str  # section.name
    kind: type | tuple[type, ...]
    default: object
    help: str  # Markdown: the README's table is made from it
    minimum: float | None = None


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "storage.path",
        str,
        "data/monitor.db",
        "SQLite file of the store, relative to the config file's folder unless absolute (the shipped config "
        'says `"../data/monitor.db"`).',
    ),
    Setting(
        "storage.retention_days",
        (int, float),
        0,
        "Days an item's text and fingerprint are kept; titles, links, categories, stories, tally reports and "
        "alerts are kept always. 0 = keep everything. `monitor prune` applies it, and `monitor run` daily. "
        "Keep it above `dedupe.window_days`.",
        0,
    ),
    Setting(
        "schedule.poll_interval_seconds",
        int,
        900,
        "Seconds between two polling cycles of `monitor run` (at least 10).",
        10,
    ),
    Setting(
        "schedule.timezone",
        str,
        "UTC",
        "Timezone of the digest schedule and of the times shown in alerts (IANA name).",
    ),
    Setting(
        "schedule.digest",
        str,
        "0 7 * * *",
        "When digests are sent: a crontab expression (minute hour day month weekday) in `schedule.timezone`, "
        "or one of crontab's nicknames `@hourly`, `@daily` (midnight), `@weekly` (Sunday midnight), "
        "`@monthly`; empty = no digests.",
    ),
    Setting(
        "digest.send_empty",
        bool,
        True,
        'Send a short "nothing new" digest when a period had nothing to report.',
    ),
    Setting(
        "digest.max_stories",
        int,
        25,
        'Most stories listed in one digest; the rest are counted ("... and 3 more stories not shown"), '
        "never dropped silently.",
        1,
    ),
    Setting(
        "alerts.max_age_days",
        (int, float),
        3,
        "Items published longer ago than this are stored but raise no alert; 0 = no limit.",
        0,
    ),
    Setting(
        "health.max_failed_cycles",
        int,
        3,
        "`monitor health` fails when every enabled feed has failed this many times in a row (at least 1): "
        "the daemon is up but reads nothing.",
        1,
    ),
    Setting(
        "alerts.send_timeout_seconds",
        (int, float),
        30,
        "Most time one alert may take to reach one notifier (apprise runs in a thread with this deadline); "
        "a notifier that fails or takes longer is skipped for the rest of that delivery round, the others go on.",
        1,
    ),
    Setting(
        "alerts.ops_after_failures",
        int,
        3,
        "Failures in a row after which a feed raises one `[ops]` alert, and one more when it recovers.",
        1,
    ),
    Setting(
        "fetch.timeout_seconds",
        (int, float),
        20,
        "Total time one HTTP request may take: connecting, every redirect hop and the whole body (a server "
        "that trickles bytes is cut here).",
        1,
    ),
    Setting(
        "fetch.backoff_max_seconds",
        int,
        21600,
        "Longest wait before a failing feed is polled again. After n failures in a row a feed waits 2^(n-1) "
        "poll intervals (the next cycle, then one skipped, then three, then seven, ...) up to this cap.",
        60,
    ),
    Setting(
        "fetch.max_bytes",
        int,
        5_000_000,
        "Largest feed or page body read, counted after decoding (however many `Content-Encoding`s are "
        "stacked); a larger one is an error for that feed, or a summary fallback for that page.",
        1024,
    ),
    Setting("fetch.max_redirects", int, 5, "Most redirects followed for one request.", 0),
    Setting("fetch.concurrency", int, 8, "Feeds and pages fetched at once.", 1),
    Setting(
        "fetch.google_news_decodes",
        int,
        20,
        "Google News links decoded online per cycle (two requests to news.google.com each); 0 = never: such "
        "items are classified on the feed's summary. Links that carry the URL decode offline and do not count.",
        0,
    ),
    Setting(
        "fetch.workers",
        int,
        0,
        "Processes that extract article text from pages while the fetching goes on; 0 = one per core.",
        0,
    ),
    Setting(
        "fetch.user_agent",
        str,
        "",
        f"User-Agent header; empty = monitor's own (`{USER_AGENT}`; no URL: the project has no public "
        "address to give).",
    ),
    Setting(
        "fetch.allow_hosts",
        list,
        [],
        "Hosts whose links (and redirects) are fetched even when they resolve to a loopback, private, "
        "link-local or other non-public address. A feed's own origin (scheme, host, port) always is.",
    ),
    Setting(
        "dedupe.window_days",
        (int, float),
        7,
        "A new item joins a story seen within this many days of it (before or after); 0 = only the same moment.",
        0,
    ),
    Setting(
        "dedupe.threshold",
        float,
        0.5,
        "How alike two texts must be to be one story: the estimated share of the shorter text's 4-word "
        "shingles found in the other (0-1).",
        0.05,
    ),
    Setting("rules.path", str, "rules.toml", "Keyword rules file, relative to the config file's folder."),
    Setting("rules.tallies_path", str, "tallies.toml", "Tally words file, relative to the config file's folder."),
)
BY_KEY = {s.key: s for s in SETTINGS}
EVENTS = ("report", "tally", "digest", "ops")
# The keys of a [[feeds]] and of a [[notifiers]] table, with their help (Markdown) for the README.
FEED_KEYS = {
    "name": "Short unique name, shown in alerts as the outlet.",
    "url": "`http`, `https` or `file` URL of an RSS or Atom feed.",
    "enabled": "`false` keeps a feed in the file without polling it (default `true`).",
    "poll_interval_seconds": "Seconds between two polls of this feed (at least 10), instead of "
    "`schedule.poll_interval_seconds`. The daemon's cycle runs at the shortest interval of any feed; a feed "
    'with a longer one is skipped ("not due") until its interval has passed since its last attempt '
    "(`poll --force` polls it anyway). Backoff after failures counts in this feed's interval.",
    "catch_up": "`true` (default): the feed's first successful poll stores its items and reported totals "
    "without report or tally alerts, so a new feed's back catalogue does not flood the targets and its series "
    "start from the current figures; from the next poll on, what is new alerts. `false`: alert from the first "
    "poll. Items stored so are counted in the next digest as older articles, never as new reports.",
}
NOTIFIER_KEYS = {
    "url": "Any apprise URL (`slack://…`, `mailtos://…`, `json://…`, …), or `webhook+http(s)://…` for a "
    "structured webhook (below). `${VAR}` is replaced from the environment, so tokens stay out of the file.",
    "events": f"Which alerts it gets, of {', '.join(f'`{e}`' for e in EVENTS)} (default all).",
    "name": "Name shown in logs and the store instead of the URL (default: scheme and position).",
    "headers": "`webhook+http(s)://` notifiers only: HTTP headers sent with each document, e.g. "
    '`{ Authorization = "Bearer ${TOKEN}" }`; values are secrets.',
}
SECTIONS = sorted({s.key.split(".")[0] for s in SETTINGS})
# crontab's nicknames, as cron(8) reads them; digests run at these in schedule.timezone.
CRON_NICKNAMES = {
    "@hourly": "0 * * * *",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@weekly": "0 0 * * 0",
    "@monthly": "0 0 1 * *",
}


@dataclass(frozen=True, slots=True)
class StorageSettings:
    path: str
    retention_days: float


@dataclass(frozen=True, slots=True)
class ScheduleSettings:
    poll_interval_seconds: int
    timezone: str
    digest: str  # a crontab expression (a nickname written out), or empty
    zone: ZoneInfo
    config_path: Path  # the file a bad digest expression is named in

    @property
    def digest_trigger(self) -> CronTrigger | None:
        """When digests are due; None: no digests. Built at first use, as APScheduler's imports would
        delay a poll's first fetch; the daemon's start and check-config ask, so a bad one is named early."""
        return digest_trigger(self.config_path, self.digest, self.timezone)


@dataclass(frozen=True, slots=True)
class DigestSettings:
    send_empty: bool
    max_stories: int


@dataclass(frozen=True, slots=True)
class AlertsSettings:
    max_age_days: float
    send_timeout_seconds: float
    ops_after_failures: int


@dataclass(frozen=True, slots=True)
class HealthSettings:
    max_failed_cycles: int


@dataclass(frozen=True, slots=True)
class FetchSettings:
    timeout_seconds: float
    backoff_max_seconds: int
    max_bytes: int
    max_redirects: int
    concurrency: int
    google_news_decodes: int
    workers: int  # 0: one per core
    user_agent: str  # as written; empty = monitor's own, which limits carries
    allow_hosts: tuple[str, ...]
    limits: Limits


@dataclass(frozen=True, slots=True)
class DedupeSettings:
    window_days: float
    threshold: float


@dataclass(frozen=True, slots=True)
class RulesSettings:
    path: str
    tallies_path: str


@dataclass(frozen=True, slots=True)
class Settings:
    storage: StorageSettings
    schedule: ScheduleSettings
    digest: DigestSettings
    alerts: AlertsSettings
    health: HealthSettings
    fetch: FetchSettings
    dedupe: DedupeSettings
    rules: RulesSettings

    def build_deferred(self) -> None:
        """Build what load leaves to its first use (the digest trigger): a bad value raises ConfigError now."""
        self.schedule.digest_trigger  # noqa: B018 - a property that builds, and checks, the trigger

    def by_section(self) -> dict[str, dict[str, object]]:
        """The table's settings as written in the file (after defaults), section by section: for
        `monitor check-config`, which shows what the monitor uses."""
        out: dict[str, dict[str, object]] = {}
        for s in SETTINGS:
            section, name = s.key.split(".")
            value = getattr(getattr(self, section), name)
            out.setdefault(section, {})[name] = list(value) if isinstance(value, tuple) else value
        return out


def check_value(path: Path, key: str, value: object) -> object:
    setting = BY_KEY[key]
    kinds = setting.kind if isinstance(setting.kind, tuple) else (setting.kind,)
    if (isinstance(value, bool) and bool not in kinds) or not isinstance(value, kinds):
        names = " or ".join(k.__name__ for k in kinds)
        raise ConfigError(path, key, f"must be {names}, got {type(value).__name__} {value!r}")
    if isinstance(value, list) and not all(isinstance(v, str) for v in value):
        raise ConfigError(path, key, f"must be a list of strings, got {value!r}")
    if setting.minimum is not None and isinstance(value, int | float) and value < setting.minimum:
        raise ConfigError(path, key, f"must be at least {setting.minimum}, got {value!r}")
    return value


def checked_values(path: Path, raw: dict[str, Any]) -> dict[str, object]:
    """The settings of the config file's tables, checked, with defaults for those it leaves out."""
    values = {s.key: s.default for s in SETTINGS}
    for section, body in raw.items():
        if section in ("feeds", "notifiers"):
            continue
        if section not in SECTIONS:
            raise ConfigError(
                path, section, f"unknown section; expected one of {', '.join(SECTIONS + ['feeds', 'notifiers'])}"
            )
        if not isinstance(body, dict):
            raise ConfigError(path, section, "must be a table")
        for name, value in body.items():
            key = f"{section}.{name}"
            if key not in BY_KEY:
                raise ConfigError(path, key, "unknown key")
            values[key] = check_value(path, key, value)
    return values


Group = TypeVar("Group")


def group(cls: type[Group], section: str, values: dict[str, object], **built: object) -> Group:
    """One section's settings as its typed group; built: the fields made from them."""
    table: dict[str, Any] = {k.split(".")[1]: v for k, v in values.items() if k.startswith(f"{section}.")}
    return cls(**table, **built)


def build_settings(path: Path, values: dict[str, object]) -> Settings:
    """Settings from checked values; the zone is built here, so a bad one is a ConfigError at load
    rather than a crash at the first alert (the digest trigger: see ScheduleSettings.digest_trigger)."""
    from .fetch import Limits  # noqa: PLC0415  (httpx: only for commands that load the whole config)

    timezone, digest = str(values["schedule.timezone"]), str(values["schedule.digest"])
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(path, "schedule.timezone", f"unknown timezone {timezone!r}") from None
    values = values | {"schedule.digest": CRON_NICKNAMES.get(digest.strip(), digest)}
    fetch: dict[str, Any] = {k.split(".")[1]: v for k, v in values.items() if k.startswith("fetch.")}
    limits = Limits(
        timeout_seconds=fetch["timeout_seconds"],
        max_bytes=fetch["max_bytes"],
        max_redirects=fetch["max_redirects"],
        user_agent=fetch["user_agent"] or USER_AGENT,
        allow_hosts=frozenset(h.lower() for h in fetch["allow_hosts"]),
    )
    return Settings(
        storage=group(StorageSettings, "storage", values),
        schedule=group(ScheduleSettings, "schedule", values, zone=zone, config_path=path),
        digest=group(DigestSettings, "digest", values),
        alerts=group(AlertsSettings, "alerts", values),
        health=group(HealthSettings, "health", values),
        fetch=FetchSettings(**fetch | {"allow_hosts": tuple(fetch["allow_hosts"]), "limits": limits}),
        dedupe=group(DedupeSettings, "dedupe", values),
        rules=group(RulesSettings, "rules", values),
    )


@cache
def digest_trigger(path: Path, digest: str, timezone: str) -> CronTrigger | None:
    """The trigger of a schedule.digest crontab expression in a timezone; None when it is empty."""
    if not digest.strip():
        return None
    from apscheduler.triggers.cron import CronTrigger  # noqa: PLC0415  (only when a digest is asked for)

    try:
        return CronTrigger.from_crontab(digest, timezone=timezone)
    except ValueError as e:
        raise ConfigError(path, "schedule.digest", f"not a crontab expression ({e})") from None
