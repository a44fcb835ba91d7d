"""Feed lists: read and write OPML (the format feed readers export), and add feeds to the config
file without losing its comments or layout.

OPML is parsed with the standard library's ElementTree through defusedxml, which refuses entity
expansion and external entities (an OPML file comes from elsewhere); OPML needs no more than that,
so no feed-list library. The config is edited with tomlkit, which keeps comments and order.
"""

from __future__ import annotations

import os
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import defusedxml.ElementTree as SafeET
import tomlkit
from defusedxml import DefusedXmlException

from .config import Feed, load_config
from .errors import ConfigError


@dataclass(frozen=True, slots=True)
class ListedFeed:
    name: str
    url: str


@dataclass(frozen=True, slots=True)
class ImportResult:
    added: list[ListedFeed]
    duplicates: list[ListedFeed]  # their URL is in the config already (or earlier in the file)
    refused: list[tuple[ListedFeed, str]]  # not a feed the monitor can poll, and why


def read_opml(path: str | Path) -> list[ListedFeed]:
    """Every outline with an xmlUrl, in document order, whatever the folders; its name is its
    title, else its text, else the feed's host."""
    path = Path(path)
    try:
        root = SafeET.parse(path).getroot()
    except FileNotFoundError:
        raise ConfigError(path, None, "file not found") from None
    except (ET.ParseError, DefusedXmlException) as e:
        raise ConfigError(path, None, f"not an OPML file: {e}") from None
    if root is None or root.tag != "opml":
        found = "missing" if root is None else f"<{root.tag}>"
        raise ConfigError(path, None, f"not an OPML file: the root element is {found}, not <opml>")
    feeds = []
    for outline in root.iter("outline"):
        url = (outline.get("xmlUrl") or "").strip()
        if url:
            name = (outline.get("title") or outline.get("text") or urlsplit(url).netloc or url).strip()
            feeds.append(ListedFeed(" ".join(name.split()), url))
    return feeds


def write_opml(feeds: list[Feed], title: str = "monitor feeds") -> str:
    opml = ET.Element("opml", version="2.0")
    ET.SubElement(ET.SubElement(opml, "head"), "title").text = title
    body = ET.SubElement(opml, "body")
    for f in feeds:
        ET.SubElement(body, "outline", type="rss", text=f.name, title=f.name, xmlUrl=f.url)
    ET.indent(opml)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(opml, encoding="unicode") + "\n"


def _why_not(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return "not an http or https URL"
    return None


def add_feeds(config_path: str | Path, listed: list[ListedFeed], dry_run: bool = False) -> ImportResult:
    """Append the feeds whose URL the config lacks as [[feeds]] tables. The new file is checked like
    any config (the whole of load_config) before it replaces the old one, so a failed import
    leaves the file as it was."""
    config_path = Path(config_path)
    config = load_config(config_path)  # refuse to edit a config that is already broken
    text = config_path.read_text(encoding="utf-8")
    doc = tomlkit.parse(text)
    urls = {f.url for f in config.feeds}
    names = {f.name for f in config.feeds}
    added, duplicates, refused = [], [], []
    for feed in listed:
        if feed.url in urls:
            duplicates.append(feed)
            continue
        reason = _why_not(feed.url)
        if reason:
            refused.append((feed, reason))
            continue
        name, n = feed.name, 2
        while name in names:
            name, n = f"{feed.name} ({n})", n + 1
        urls.add(feed.url)
        names.add(name)
        added.append(ListedFeed(name, feed.url))
    if not added or dry_run:
        return ImportResult(added, duplicates, refused)
    if "feeds" not in doc:
        doc.append("feeds", tomlkit.aot())
    for feed in added:
        table = tomlkit.table()
        table.add("name", feed.name)
        table.add("url", feed.url)
        table.trivia.indent = "\n"  # a blank line before each [[feeds]], as the file's own have
        doc["feeds"].append(table)
    _replace_checked(config_path, tomlkit.dumps(doc))
    return ImportResult(added, duplicates, refused)


def import_opml(opml_path: str | Path, config_path: str | Path, dry_run: bool = False) -> ImportResult:
    """`monitor feeds import`: the feeds of an OPML file added to the config file (or only counted, dry_run)."""
    return add_feeds(config_path, read_opml(opml_path), dry_run)


def _replace_checked(config_path: Path, text: str) -> None:
    fd, temp = tempfile.mkstemp(prefix=".import-", suffix=".toml", dir=config_path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        load_config(temp)  # beside the original, so its relative paths resolve the same
        os.replace(temp, config_path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
