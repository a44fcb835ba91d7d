"""Load and validate everything in config/: the monitor's TOML file and the rules it points at.

The settings of its tables are settings.py's; here are the file, its feeds and notifiers, and the
masking of the secrets notifier URLs carry. A bad file stops the monitor before anything runs, with
a ConfigError that names the file and the key; the two checks that need a heavy library (the digest
schedule, APScheduler's; an apprise URL, apprise's) run in `check-config` and as the daemon starts
(Config.check_deferred), and otherwise at first use, which a poll's first fetch does not wait for.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from .classify import Ruleset, compile_rules
from .errors import ConfigError
from .settings import EVENTS, FEED_KEYS, NOTIFIER_KEYS, RulesSettings, Settings, build_settings, checked_values, group
from .tallies import TallyTerms, compile_tally_terms

DEFAULT_PATH = Path("config/monitor.toml")


@dataclass(frozen=True)
class Feed:
    name: str
    url: str
    enabled: bool = True
    catch_up: bool = True  # the first successful poll stores silently: no burst of alerts for a new feed
    poll_interval_seconds: int | None = None  # None: schedule.poll_interval_seconds


@dataclass(frozen=True)
class NotifierConfig:
    name: str
    url: str  # secret: never print it; use masked_url()
    events: tuple[str, ...]
    headers: tuple[tuple[str, str], ...] = ()  # structured webhooks only; values are secrets too

    @property
    def masked_url(self) -> str:
        return mask_url(self.url)

    @property
    def display_url(self) -> str:
        """For `check-config`: apprise's own privacy form (slack://T...G/B...G/a...x/%23desk), which shows
        enough to tell targets apart, with any long token apprise leaves whole (a json:// path) masked too.
        Logs keep the scheme-only mask."""
        import apprise  # noqa: PLC0415  (heavy: only when notifiers are configured)

        try:
            plugin = apprise.Apprise.instantiate(self.url)
            shown: str | None = plugin.url(privacy=True) if plugin is not None else None  # type: ignore[no-untyped-call]
        except Exception:  # noqa: BLE001 - a plugin that cannot describe itself is shown masked
            shown = None
        if not shown:
            return self.masked_url
        shown = shown.split("?", 1)[0]  # apprise appends its defaults (retry=0&wait=0.5...): noise here
        for part in _secret_parts(self.url):
            # Token-like: long with a digit, or very long. A mail host or a domain stays readable.
            if (len(part) >= 12 and any(c.isdigit() for c in part)) or len(part) >= 24:
                shown = shown.replace(part, "***")
        return shown


@dataclass(frozen=True)
class Config:
    path: Path
    settings: Settings
    feeds: tuple[Feed, ...]
    notifiers: tuple[NotifierConfig, ...]
    rules: Ruleset
    tally_terms: TallyTerms

    def check_deferred(self) -> None:
        """The checks load leaves to first use (module docstring), now: a bad value is a ConfigError."""
        self.settings.build_deferred()
        for i, n in enumerate(self.notifiers):
            if not n.url.startswith(WEBHOOK_SCHEMES) and not apprise_understands(n.url):
                raise ConfigError(self.path, f"notifiers[{i}].url", apprise_refusal(n.url))

    def interval_of(self, feed: Feed) -> int:
        return feed.poll_interval_seconds or self.settings.schedule.poll_interval_seconds

    @property
    def cycle_seconds(self) -> int:
        """The daemon's tick: the shortest interval of any enabled feed, so each is polled when due."""
        return min(
            [self.settings.schedule.poll_interval_seconds]
            + [f.poll_interval_seconds for f in self.feeds if f.enabled and f.poll_interval_seconds]
        )

    @property
    def store_path(self) -> Path:
        return self._relative(self.settings.storage.path)

    def _relative(self, value: str) -> Path:
        p = Path(value)
        # normpath: "config/../data/monitor.db" is shown, and opened, as "data/monitor.db".
        return Path(os.path.normpath(p if p.is_absolute() else self.path.parent / p))

    def effective(self) -> dict[str, object]:
        """The config as the monitor uses it, secrets masked: for `monitor check-config`."""
        out: dict[str, object] = dict(self.settings.by_section())
        out["feeds"] = [
            {
                "name": f.name,
                "url": f.url,
                "enabled": f.enabled,
                "catch_up": f.catch_up,
                "poll_interval_seconds": self.interval_of(f),
            }
            for f in self.feeds
        ]
        out["notifiers"] = [
            {"name": n.name, "url": n.display_url, "events": list(n.events)}
            | ({"headers": {k: "***" for k, _ in n.headers}} if n.headers else {})
            for n in self.notifiers
        ]
        return out


def mask_url(url: str) -> str:
    """Only the scheme of a notifier URL is safe to show: tokens sit in its host, path, user or query."""
    scheme = url.split("://", 1)[0] if "://" in url else "?"
    return f"{scheme}://***"


def mask_secrets(text: str, config: "Config | None") -> str:
    """Replace every notifier URL, and every part of one that looks like a token, with a mask."""
    if config is None:
        return text
    for n in config.notifiers:
        for form in _forms(n.url):
            text = text.replace(form, n.masked_url)
        for part in _secret_parts(n.url):
            for form in _forms(part):
                text = text.replace(form, "***")
        for _, value in n.headers:
            # The whole value, and any long word of it: "Bearer" alone is no secret, its token is.
            for part in sorted({value, *(p for p in value.split() if len(p) >= 8)}, key=len, reverse=True):
                if len(part) >= 4:
                    text = text.replace(part, "***")
    return text


def _forms(secret: str) -> list[str]:
    """A secret as written, percent-decoded and percent-encoded: a library may log any of them."""
    forms = {secret, unquote(secret), quote(secret, safe=""), quote(unquote(secret), safe="")}
    return sorted((f for f in forms if len(f) >= 8), key=len, reverse=True)


def _secret_parts(url: str) -> list[str]:
    rest = url.split("://", 1)[-1]
    parts = re.split(r"[/@:?&=#]", rest)
    # Hosts and ports of loopback or well-known services are not secrets; long opaque strings are.
    return sorted({p for p in parts if len(p) >= 8 and not re.fullmatch(r"[\d.]+|localhost", p)}, key=len, reverse=True)


_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def _expand(value: str, path: Path, key: str, env: dict[str, str]) -> str:
    def sub(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in env:
            raise ConfigError(path, key, f"environment variable {name} is not set")
        return env[name]

    expanded = _ENV.sub(sub, value)
    if not expanded.strip() and value.strip():
        # compose.yaml passes an unset host variable on as an empty one (${VAR:-}).
        names = ", ".join(_ENV.findall(value))
        raise ConfigError(path, key, f"environment variable {names} is set but empty")
    return expanded


def _expand_all(raw: object, path: Path, key: str, env: dict[str, str]) -> object:
    """Every string value, in every section and table, with ${VAR} replaced, before anything checks it:
    a notifier URL that is all one variable must be expanded before it can be seen to hold '://'."""
    if isinstance(raw, str):
        return _expand(raw, path, key, env) if "${" in raw else raw
    if isinstance(raw, dict):
        return {k: _expand_all(v, path, f"{key}.{k}" if key else k, env) for k, v in raw.items()}
    if isinstance(raw, list):
        return [_expand_all(v, path, f"{key}[{i}]", env) for i, v in enumerate(raw)]
    return raw


def _expanded_file(path: Path, env: dict[str, str], leave_out: tuple[str, ...] = ()) -> dict[str, Any]:
    return {k: _expand_all(v, path, k, env) for k, v in _read_toml(path).items() if k not in leave_out}


def load_config(path: str | os.PathLike[str] | None = None, env: dict[str, str] | None = None) -> Config:
    env = dict(os.environ) if env is None else env
    path = Path(path or env.get("MONITOR_CONFIG") or DEFAULT_PATH)
    raw = _expanded_file(path, env)

    settings = build_settings(path, checked_values(path, raw))
    feeds = _feeds(path, raw.get("feeds", []))
    notifiers = _notifiers(path, raw.get("notifiers", []))
    rules, tally_terms = _rules_files(path, settings.rules)
    return Config(path, settings, feeds, notifiers, rules, tally_terms)


def _rules_files(path: Path, files: RulesSettings) -> tuple[Ruleset, TallyTerms]:
    rules_path = path.parent / files.path
    rules = compile_rules(_read_toml(rules_path), str(rules_path))
    tallies_path = path.parent / files.tallies_path
    tally_terms = compile_tally_terms(_read_toml(tallies_path), str(tallies_path))
    return rules, tally_terms


def load_rules(
    path: str | os.PathLike[str] | None = None, env: dict[str, str] | None = None
) -> tuple[Ruleset, TallyTerms]:
    """Just the rules files the config file points at, for `monitor classify`, `eval` and `explain`:
    they need no feeds or notifiers, so an unset ${VAR} in a notifier URL does not stop them."""
    env = dict(os.environ) if env is None else env
    path = Path(path or env.get("MONITOR_CONFIG") or DEFAULT_PATH)
    raw = _expanded_file(path, env, leave_out=("feeds", "notifiers"))
    return _rules_files(path, group(RulesSettings, "rules", checked_values(path, raw)))


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        raise ConfigError(path, None, "file not found") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(path, None, f"not valid TOML: {e}") from None
    except OSError as e:
        raise ConfigError(path, None, f"cannot be read: {e.strerror}") from None


def _tables(
    path: Path, raw: object, section: str, allowed: dict[str, str]
) -> Iterator[tuple[int, str, dict[str, Any]]]:
    """The [[section]] tables, with their config keys ("feeds[2]"), each checked for unknown keys."""
    if not isinstance(raw, list):
        raise ConfigError(path, section, f"must be an array of tables: [[{section}]]")
    for i, table in enumerate(raw):
        key = f"{section}[{i}]"
        if not isinstance(table, dict):
            raise ConfigError(path, key, "must be a table")
        for k in table:
            if k not in allowed:
                raise ConfigError(path, f"{key}.{k}", "unknown key")
        yield i, key, table


def _feeds(path: Path, raw: object) -> tuple[Feed, ...]:
    feeds, names = [], set()
    for _, key, f in _tables(path, raw, "feeds", FEED_KEYS):
        name, url, enabled = f.get("name"), f.get("url"), f.get("enabled", True)
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(path, f"{key}.name", "a feed needs a name")
        if name in names:
            raise ConfigError(path, f"{key}.name", f"duplicate feed name {name!r}")
        names.add(name)
        if not isinstance(url, str):
            raise ConfigError(path, f"{key}.url", "a feed needs a url")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https", "file") or (parts.scheme != "file" and not parts.netloc):
            raise ConfigError(path, f"{key}.url", f"must be an http, https or file URL, got {url!r}")
        for flag in ("enabled", "catch_up"):
            if not isinstance(f.get(flag, True), bool):
                raise ConfigError(path, f"{key}.{flag}", "must be true or false")
        interval = f.get("poll_interval_seconds")
        if interval is not None and (isinstance(interval, bool) or not isinstance(interval, int) or interval < 10):
            raise ConfigError(
                path,
                f"{key}.poll_interval_seconds",
                f"must be a whole number of seconds, at least 10, got {interval!r}",
            )
        feeds.append(Feed(name, url, enabled, f.get("catch_up", True), interval))
    return tuple(feeds)


def _notifiers(path: Path, raw: object) -> tuple[NotifierConfig, ...]:
    out, names = [], set()
    for i, key, n in _tables(path, raw, "notifiers", NOTIFIER_KEYS):
        url = n.get("url")
        if not isinstance(url, str) or "://" not in url:
            raise ConfigError(path, f"{key}.url", "must be an apprise URL such as json://host/ or mailto://...")
        headers = n.get("headers", {})
        if url.startswith(WEBHOOK_SCHEMES):
            if not urlsplit(url.removeprefix("webhook+")).netloc:
                raise ConfigError(path, f"{key}.url", f"a structured webhook needs a host ({mask_url(url)})")
            if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
                raise ConfigError(path, f"{key}.headers", "must be a table of header names and string values")
        elif "headers" in n:
            raise ConfigError(
                path, f"{key}.headers", "only webhook+http:// and webhook+https:// notifiers take headers"
            )
        events = n.get("events", list(EVENTS))
        if not isinstance(events, list) or not events or not all(e in EVENTS for e in events):
            raise ConfigError(path, f"{key}.events", f"must be a non-empty list of {', '.join(EVENTS)}")
        name = n.get("name", f"{url.split('://', 1)[0]}-{i + 1}")
        if not isinstance(name, str) or not name:
            raise ConfigError(path, f"{key}.name", "must be a non-empty string")
        if name in names:
            raise ConfigError(path, f"{key}.name", f"duplicate notifier name {name!r}")
        names.add(name)
        out.append(NotifierConfig(name, url, tuple(events), tuple(headers.items())))
    return tuple(out)


WEBHOOK_SCHEMES = ("webhook+http://", "webhook+https://")  # webhook.py's: that module loads httpx


def apprise_understands(url: str) -> bool:
    import apprise  # noqa: PLC0415  (heavy: only to check or use an apprise notifier)

    return apprise.Apprise.instantiate(url) is not None


def apprise_refusal(url: str) -> str:
    return f"apprise does not understand this URL ({mask_url(url)})"
