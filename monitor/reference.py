"""The README's reference tables (settings, feed keys, notifier keys), written from settings.py's
tables by scripts/config_reference.py; a test fails while the README's differ."""

from __future__ import annotations

import json
from collections.abc import Callable

from .settings import FEED_KEYS, NOTIFIER_KEYS, SETTINGS


def _kind_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join("list of str" if k is list else k.__name__ for k in kinds)


def _toml(value: object) -> str:
    return json.dumps(value)  # TOML writes these (strings, numbers, booleans, lists of strings) as JSON does


def reference_table() -> str:
    """The README's table of settings, in Markdown, from SETTINGS."""
    lines = ["| key | type | default | meaning |", "| --- | --- | --- | --- |"]
    lines += [f"| `{s.key}` | {_kind_name(s.kind)} | `{_toml(s.default)}` | {s.help} |" for s in SETTINGS]
    return "\n".join(lines) + "\n"


def _keys_table(keys: dict[str, str]) -> str:
    lines = ["| key | meaning |", "| --- | --- |"] + [f"| `{key}` | {help} |" for key, help in keys.items()]
    return "\n".join(lines) + "\n"


# Each README table written from here, after its mark.
REFERENCES: dict[str, Callable[[], str]] = {
    "settings reference": reference_table,
    "feed keys": lambda: _keys_table(FEED_KEYS),
    "notifier keys": lambda: _keys_table(NOTIFIER_KEYS),
}


def reference_mark(name: str) -> str:
    return f"<!-- {name}: written by scripts/config_reference.py (monitor/reference.py) -->"


def with_references(readme: str) -> str:
    """The README with each of its tables of REFERENCES, the one after its mark, made again from here."""
    for name, table in REFERENCES.items():
        before, mark, after = readme.partition(reference_mark(name) + "\n")
        if not mark:
            raise ValueError(f"the README has no line {reference_mark(name)!r} to put the table after")
        lines = after.splitlines(keepends=True)
        table_end = next((i for i, line in enumerate(lines) if not line.startswith("|")), len(lines))
        readme = before + mark + table() + "".join(lines[table_end:])
    return readme
