"""Conditional GET of feeds and pages: httpx client passed in, every limit enforced here.

- Time: one total deadline per request (connect, every redirect hop and the whole body), so a
  server that trickles a byte at a time is cut at the deadline, not at the next read timeout.
- Memory: the body's Content-Encodings are undone here, a bounded piece at a time, and the decoded
  bytes are counted against the cap: a few KB of stacked gzip never inflate to gigabytes.
- Addresses: links come from feeds and are untrusted. Every hop is resolved first; one that reaches
  a loopback, private, link-local or otherwise non-public address is refused unless it is on the
  trusted origin (the feed's own scheme, host and port) or its host is in `fetch.allow_hosts`.

file:// URLs are read from disk with the same cap, so a feed can also be a local file.
"""

from __future__ import annotations

import asyncio
import email.utils
import ipaddress
import os
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import httpx

from . import USER_AGENT
from .errors import ConfigError, PermanentFetchError, TransientFetchError


@dataclass(frozen=True, slots=True)
class Limits:
    timeout_seconds: float = 20  # total, for connect, redirects and the whole body
    max_bytes: int = 5_000_000  # decoded
    max_redirects: int = 5
    user_agent: str = USER_AGENT
    allow_hosts: frozenset[str] = frozenset()  # hosts fetched even at non-public addresses


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


REDIRECTS = (301, 302, 303, 307, 308)


def make_client(limits: Limits, concurrency: int) -> httpx.AsyncClient:
    """One long-lived client per process: connection reuse is most of a warm poll's cost. Redirects
    are followed by fetch, which checks each hop's address."""
    return httpx.AsyncClient(
        verify=_tls(),
        timeout=httpx.Timeout(limits.timeout_seconds),
        follow_redirects=False,
        headers={"User-Agent": limits.user_agent, "Accept-Encoding": "gzip, deflate"},
        limits=httpx.Limits(max_connections=max(concurrency, 1) * 2, max_keepalive_connections=max(concurrency, 1)),
    )


def _tls() -> ssl.SSLContext:
    """The TLS settings a client would build for itself (certifi's roots), built once: loading the
    roots costs some 25 ms of CPU, and a client is made for every cycle."""
    return build_tls_ahead().result()


@cache
def build_tls_ahead() -> Future[ssl.SSLContext]:
    """Start building the TLS settings (_tls) in a thread of their own. Loading the roots is C work
    that lets the GIL go, so begun before a poll imports the pipeline and reads its config and store,
    it is done on the other core by the time the first feed is fetched."""
    ahead: Future[ssl.SSLContext] = Future()

    def build() -> None:
        try:
            ahead.set_result(httpx.create_ssl_context())
        except OSError as e:  # ssl.SSLError too: roots that are missing or unreadable
            ahead.set_exception(_roots_error(e))
        except BaseException as e:  # noqa: BLE001 - raised again where the settings are used
            ahead.set_exception(e)

    threading.Thread(target=build, name="monitor-tls", daemon=True).start()
    return ahead


def _roots_error(e: OSError) -> ConfigError:
    """What names the roots that could not be loaded: the variable httpx read them from, or certifi."""
    reason = e.strerror or str(e)
    for name in ("SSL_CERT_FILE", "SSL_CERT_DIR"):  # httpx's order
        if os.environ.get(name):
            return ConfigError(f"{name}={os.environ[name]}", None, f"no TLS roots could be loaded ({reason})")
    return ConfigError("certifi's bundle", None, f"no TLS roots could be loaded ({reason})")


async def fetch(
    client: httpx.AsyncClient,
    url: str,
    limits: Limits,
    etag: str | None = None,
    last_modified: str | None = None,
    trusted_origin: str | None = None,
) -> Response:
    """GET url within limits. trusted_origin: a URL whose scheme, host and port may be fetched
    whatever address they resolve to: the feed's own, which the user chose; by default url's own."""
    if urlsplit(url).scheme == "file":
        return _read_file(url, limits, last_modified)
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        async with asyncio.timeout(limits.timeout_seconds):
            return await _follow(client, url, limits, headers, trusted_origin or url)
    except TimeoutError:
        raise TransientFetchError(f"timed out after {limits.timeout_seconds:g} s") from None
    except httpx.TimeoutException:
        raise TransientFetchError(f"timed out after {limits.timeout_seconds:g} s") from None
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as e:
        raise PermanentFetchError(f"invalid URL: {e}") from None
    except (httpx.DecodingError, zlib.error):
        raise PermanentFetchError("the body does not decode as its Content-Encoding says") from None
    except httpx.TransportError as e:
        raise TransientFetchError(f"cannot connect to {_host(url)}: {type(e).__name__}") from None
    except httpx.HTTPError as e:
        raise TransientFetchError(f"request to {_host(url)} failed: {type(e).__name__}") from None


async def _follow(
    client: httpx.AsyncClient, url: str, limits: Limits, headers: dict[str, str], trusted_origin: str
) -> Response:
    for _ in range(limits.max_redirects + 1):
        check_url(url)
        await check_address(url, trusted_origin, limits.allow_hosts)
        async with client.stream("GET", url, headers=headers) as r:
            if r.status_code in REDIRECTS and r.headers.get("Location"):
                url = urljoin(str(r.url), r.headers["Location"])
                continue
            if r.status_code == 304:
                # It has no body; reading its end returns the connection to the pool for the next
                # feed (closed unread, it was dropped: a warm cycle opened one connection per feed).
                await r.aread()
                return Response(str(r.url), 304, b"", headers.get("If-None-Match"), headers.get("If-Modified-Since"))
            if r.status_code >= 500 or r.status_code in (408, 425, 429):
                raise TransientFetchError(
                    f"HTTP {r.status_code} from {_host(url)}", retry_after=retry_after(r.headers.get("Retry-After"))
                )
            if r.status_code >= 400:
                raise PermanentFetchError(f"HTTP {r.status_code} from {_host(url)}")
            declared = r.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > limits.max_bytes:
                raise PermanentFetchError(f"body of {declared} bytes is over the {limits.max_bytes}-byte cap")
            decoder = Decoder(r.headers.get("Content-Encoding", ""))
            chunks, size = [], 0
            async for raw in r.aiter_raw():
                for piece in decoder.decode(raw):
                    size += len(piece)
                    if size > limits.max_bytes:
                        raise PermanentFetchError(f"body is over the {limits.max_bytes}-byte cap")
                    chunks.append(piece)
            return Response(
                str(r.url),
                200,
                b"".join(chunks),
                r.headers.get("ETag"),
                r.headers.get("Last-Modified"),
                r.headers.get("Content-Type", ""),
            )
    raise PermanentFetchError(f"more than {limits.max_redirects} redirects")


def check_url(url: str) -> None:
    """An http(s) URL with a host and a valid port, or PermanentFetchError: feeds send any string as a link."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a port out of range
    except ValueError as e:
        raise PermanentFetchError(f"invalid URL: {e}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PermanentFetchError("invalid URL: not an http(s) URL with a host")


def origin(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), parts.port or (443 if scheme == "https" else 80)


async def check_address(url: str, trusted_origin: str | None, allow_hosts: frozenset[str]) -> None:
    """Refuse a URL whose host resolves to a non-public address, unless it is trusted or allowed."""
    scheme, host, port = origin(url)
    if (trusted_origin and origin(trusted_origin) == (scheme, host, port)) or host in allow_hosts:
        return
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as e:
        raise TransientFetchError(f"cannot resolve {host}: {e}") from None
    for *_, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
        if address.version == 6 and address.ipv4_mapped:
            address = address.ipv4_mapped
        if not address.is_global:
            raise PermanentFetchError(
                f"refused: {host} is at {address}, not a public address, and not the "
                "feed's own origin or in fetch.allow_hosts"
            )


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds a server asks us to wait (Retry-After: seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment is None:
        return None
    return max(0.0, moment.timestamp() - (time.time() if now is None else now))


# ---------------------------------------------------------------- decoding

PIECE = 64 * 1024  # most bytes one decoding step may produce


class Decoder:
    """Undoes a body's Content-Encodings (last applied, first undone), yielding at most PIECE bytes
    per step of each layer, so the caller can count decoded bytes and stop before they pile up."""

    def __init__(self, header: str):
        names = [n.strip().lower() for n in header.split(",") if n.strip() and n.strip().lower() != "identity"]
        self.layers = [_Inflater(name) for name in reversed(names)]

    def decode(self, data: bytes) -> Iterator[bytes]:
        return self._through(data, 0)

    def _through(self, data: bytes, layer: int) -> Iterator[bytes]:
        if layer == len(self.layers):
            if data:
                yield data
            return
        for piece in self.layers[layer].pieces(data):
            yield from self._through(piece, layer + 1)


class _Inflater:
    def __init__(self, name: str):
        if name in ("gzip", "x-gzip"):
            self.wbits = 16 + zlib.MAX_WBITS
        elif name == "deflate":
            self.wbits = zlib.MAX_WBITS  # zlib-wrapped, as the standard says; raw deflate tried on failure
        else:
            raise PermanentFetchError(f"unsupported Content-Encoding {name!r}")
        self.name = name
        self.started = False
        self.d = zlib.decompressobj(self.wbits)

    def pieces(self, data: bytes) -> Iterator[bytes]:
        while not self.d.eof:  # bytes after the end of the stream are ignored, as httpx does
            try:
                out = self.d.decompress(data, PIECE)
            except zlib.error:
                if self.name != "deflate" or self.started:
                    raise
                self.wbits, self.started = -zlib.MAX_WBITS, True
                self.d = zlib.decompressobj(self.wbits)
                continue
            self.started = True
            if out:
                yield out
            data = self.d.unconsumed_tail
            if not data and len(out) < PIECE:
                return


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
