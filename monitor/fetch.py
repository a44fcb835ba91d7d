"""Conditional GET of feeds and pages: httpx client passed in, bodies capped, errors explicit.

file:// URLs are read from disk with the same cap, so a feed can also be a local file.
"""

from __future__ import annotations

import email.utils
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import httpx

from . import USER_AGENT
from .errors import PermanentFetchError, TransientFetchError


@dataclass(frozen=True, slots=True)
class Limits:
    timeout_seconds: float = 20
    max_bytes: int = 5_000_000
    max_redirects: int = 5
    user_agent: str = USER_AGENT


@dataclass(frozen=True, slots=True)
class Response:
    url: str  # after redirects
    status: int  # 200, or 304 when the validators matched
    body: bytes
    etag: str | None
    last_modified: str | None
    content_type: str = ""

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def make_client(limits: Limits, concurrency: int) -> httpx.AsyncClient:
    """One long-lived client per process: connection reuse is most of a warm poll's cost."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(limits.timeout_seconds),
        follow_redirects=True,
        max_redirects=limits.max_redirects,
        headers={"User-Agent": limits.user_agent or USER_AGENT, "Accept-Encoding": "gzip, deflate"},
        limits=httpx.Limits(max_connections=max(concurrency, 1) * 2, max_keepalive_connections=max(concurrency, 1)),
    )


async def fetch(
    client: httpx.AsyncClient,
    url: str,
    limits: Limits,
    etag: str | None = None,
    last_modified: str | None = None,
) -> Response:
    if urlsplit(url).scheme == "file":
        return _read_file(url, limits, last_modified)
    check_url(url)
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        async with client.stream("GET", url, headers=headers) as r:
            if r.status_code == 304:
                return Response(str(r.url), 304, b"", etag, last_modified)
            if r.status_code >= 500 or r.status_code in (408, 425, 429):
                raise TransientFetchError(f"HTTP {r.status_code} from {_host(url)}")
            if r.status_code >= 400:
                raise PermanentFetchError(f"HTTP {r.status_code} from {_host(url)}")
            declared = r.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > limits.max_bytes:
                raise PermanentFetchError(f"body of {declared} bytes is over the {limits.max_bytes}-byte cap")
            chunks, size = [], 0
            async for chunk in r.aiter_bytes():
                size += len(chunk)
                if size > limits.max_bytes:
                    raise PermanentFetchError(f"body is over the {limits.max_bytes}-byte cap")
                chunks.append(chunk)
            return Response(
                str(r.url), 200, b"".join(chunks), r.headers.get("ETag"), r.headers.get("Last-Modified"),
                r.headers.get("Content-Type", ""),
            )
    except httpx.TooManyRedirects:
        raise PermanentFetchError(f"more than {limits.max_redirects} redirects") from None
    except httpx.TimeoutException:
        raise TransientFetchError(f"timed out after {limits.timeout_seconds:g} s") from None
    except httpx.TransportError as e:
        raise TransientFetchError(f"cannot connect to {_host(url)}: {type(e).__name__}") from None
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as e:
        raise PermanentFetchError(f"invalid URL: {e}") from None
    except httpx.DecodingError:
        raise PermanentFetchError("the body does not decode as its Content-Encoding says") from None
    except httpx.HTTPError as e:
        raise TransientFetchError(f"request to {_host(url)} failed: {type(e).__name__}") from None


def check_url(url: str) -> None:
    """An http(s) URL with a host and a valid port, or PermanentFetchError: feeds send any string as a link."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a port out of range
    except ValueError as e:
        raise PermanentFetchError(f"invalid URL: {e}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PermanentFetchError("invalid URL: not an http(s) URL with a host")


def _read_file(url: str, limits: Limits, last_modified: str | None) -> Response:
    path = Path(unquote(urlsplit(url).path))
    try:
        stat = path.stat()
    except OSError as e:
        raise PermanentFetchError(f"cannot read {path}: {e.strerror}") from None
    mtime = email.utils.formatdate(stat.st_mtime, usegmt=True)
    if last_modified == mtime:
        return Response(url, 304, b"", None, mtime)
    if stat.st_size > limits.max_bytes:
        raise PermanentFetchError(f"{path} is over the {limits.max_bytes}-byte cap")
    return Response(url, 200, path.read_bytes(), None, mtime)


def _host(url: str) -> str:
    return urlsplit(url).netloc or url
