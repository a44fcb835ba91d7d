"""Keys that say two items are the same: canonical URLs and GUIDs."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from courlan import normalize_url


def canonical_url(url: str) -> str:
    """Scheme and host in lower case, tracking parameters (utm_*, fbclid, ...) and fragments dropped,
    the remaining query sorted: one article, one key, however a feed decorates its link."""
    if not url:
        return ""
    try:
        normal = normalize_url(url.strip(), strict=False)
    except (ValueError, AttributeError):
        normal = url.strip()
    parts = urlsplit(normal)
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query, ""))
