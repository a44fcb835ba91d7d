"""fetch() on its own: what it returns and which error, with what message, for each way a feed or page
fails. Loopback servers stand in for the sites; httpx.MockTransport only for failures of the
transport itself, which a well-behaved server cannot produce on demand."""

from __future__ import annotations

import asyncio
import email.utils
import os
import ssl
from http.server import BaseHTTPRequestHandler

import httpx
import pytest
from builders import JORDAN_DRONE, rss
from conftest import free_port, start_server, stop_server

from monitor.errors import ConfigError, PermanentFetchError, TransientFetchError
from monitor.fetch import Limits, Response, _tls, build_tls_ahead, fetch, make_client

LIMITS = Limits(timeout_seconds=5, max_bytes=1_000, max_redirects=2)
FEED = rss([(JORDAN_DRONE, "http://127.0.0.1/news/a")]).encode()
STAMP = "Mon, 05 Feb 2024 12:00:00 GMT"


def get(url: str, limits: Limits = LIMITS, client: httpx.AsyncClient | None = None, **validators: str) -> Response:
    async def run() -> Response:
        async with client or make_client(limits, 1) as c:
            return await fetch(c, url, limits, **validators)

    return asyncio.run(run())


@pytest.fixture
def site():
    """A loopback site that answers If-Modified-Since, sends a body of unknown length on /unsized,
    and records the headers of each request."""
    seen: list[dict[str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"  # the end of the body is the end of the connection: no length needed

        def log_message(self, *args):
            pass

        def do_GET(self):
            seen.append(dict(self.headers))
            if self.path == "/unsized":
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.end_headers()
                for _ in range(10):
                    self.wfile.write(b"x" * 500)
                return
            if self.headers.get("If-Modified-Since") == STAMP:
                self.send_response(304)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Last-Modified", STAMP)
            self.send_header("Content-Length", str(len(FEED)))
            self.end_headers()
            self.wfile.write(FEED)

    server, base = start_server(Handler)
    yield base, seen
    stop_server(server)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410])
def test_a_client_error_is_permanent_and_names_the_status_and_host(web, status):
    url = web.serve("/feed.xml", "no", status=status)

    with pytest.raises(PermanentFetchError) as caught:
        get(url)

    assert str(caught.value) == f"HTTP {status} from {url.split('/')[2]}"


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503])
def test_a_server_error_or_too_many_requests_is_transient(web, status):
    url = web.serve("/feed.xml", "busy", status=status)

    with pytest.raises(TransientFetchError, match=f"^HTTP {status} from 127.0.0.1:"):
        get(url)


def test_a_body_declared_over_the_cap_is_refused_before_it_is_read(web):
    url = web.serve("/big.xml", b"x" * 5_000)

    with pytest.raises(PermanentFetchError, match="5000 bytes is over the 1000-byte cap"):
        get(url)


def test_a_body_of_unknown_length_is_cut_off_at_the_cap(site):
    base, _ = site

    with pytest.raises(PermanentFetchError, match="over the 1000-byte cap"):
        get(base + "/unsized")


def test_a_body_under_the_cap_is_read_whole_with_its_validators(site):
    base, _ = site

    response = get(base + "/feed.xml", Limits(timeout_seconds=5))

    assert (response.status, response.body, response.last_modified) == (200, FEED, STAMP)
    assert response.url == base + "/feed.xml" and not response.not_modified


def test_if_modified_since_is_sent_and_a_304_keeps_the_validators(site):
    base, seen = site

    response = get(base + "/feed.xml", Limits(timeout_seconds=5), etag='"v1"', last_modified=STAMP)

    assert seen[-1]["If-Modified-Since"] == STAMP and seen[-1]["If-None-Match"] == '"v1"'
    assert response.not_modified and response.body == b""
    assert (response.etag, response.last_modified) == ('"v1"', STAMP)


def test_a_redirect_loop_stops_at_the_limit(web):
    web.redirect("/a", web.url("/b"))
    web.redirect("/b", web.url("/a"))

    with pytest.raises(PermanentFetchError, match="more than 2 redirects"):
        get(web.url("/a"))


def test_a_redirect_within_the_limit_gives_the_final_url(web):
    final = web.serve("/feed.xml", FEED, content_type="application/rss+xml")
    web.redirect("/old.xml", final, status=301)

    response = get(web.url("/old.xml"), Limits(timeout_seconds=5))

    assert response.url == final and response.body == FEED


def test_a_refused_connection_is_transient_and_names_the_host():
    port = free_port()  # bound and released: nothing listens there now

    with pytest.raises(TransientFetchError, match=f"cannot connect to 127.0.0.1:{port}"):
        get(f"http://127.0.0.1:{port}/feed.xml")


def test_an_invalid_url_is_permanent():
    with pytest.raises(PermanentFetchError, match="^invalid URL: "):
        get("http://127.0.0.1/\x00feed.xml")


@pytest.mark.parametrize("failure", [httpx.ConnectTimeout, httpx.ReadTimeout])
def test_a_timeout_is_transient_and_says_how_long_it_waited(failure):
    def fail(request: httpx.Request) -> httpx.Response:
        raise failure("no answer", request=request)

    with pytest.raises(TransientFetchError, match=r"^timed out after 5 s$"):
        get("http://127.0.0.1/feed.xml", client=httpx.AsyncClient(transport=httpx.MockTransport(fail)))


def test_a_connection_dropped_mid_answer_is_a_fetch_error_naming_the_host():
    def fail(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadError("connection reset by peer", request=request)

    with pytest.raises(TransientFetchError, match="127.0.0.1:8080"):
        get("http://127.0.0.1:8080/feed.xml", client=httpx.AsyncClient(transport=httpx.MockTransport(fail)))


# ---------------------------------------------------------------- file:// feeds


def test_a_local_file_is_read_and_then_not_modified_until_it_changes(tmp_path):
    feed = tmp_path / "feed.xml"
    feed.write_bytes(FEED)
    os.utime(feed, (1_707_134_400, 1_707_134_400))  # 2024-02-05 12:00 UTC

    first = get(feed.as_uri())
    again = get(feed.as_uri(), last_modified=first.last_modified)
    os.utime(feed, (1_707_138_000, 1_707_138_000))
    changed = get(feed.as_uri(), last_modified=first.last_modified)

    assert (first.status, first.body, first.last_modified) == (200, FEED, STAMP)
    assert again.not_modified and again.body == b""
    assert changed.status == 200 and changed.last_modified == email.utils.formatdate(1_707_138_000, usegmt=True)


def test_a_missing_local_file_is_permanent_and_names_the_path(tmp_path):
    missing = tmp_path / "gone.xml"

    with pytest.raises(PermanentFetchError, match=f"cannot read {missing}: No such file or directory"):
        get(missing.as_uri())


def test_a_local_file_over_the_cap_is_not_read(tmp_path):
    big = tmp_path / "big.xml"
    big.write_bytes(b"x" * 5_000)

    with pytest.raises(PermanentFetchError, match="over the 1000-byte cap"):
        get(big.as_uri())


def test_the_tls_settings_begun_ahead_are_the_ones_each_client_is_given():
    ahead = build_tls_ahead()
    assert build_tls_ahead() is ahead  # begun once a process
    settings = ahead.result(timeout=10)
    assert isinstance(settings, ssl.SSLContext)
    assert settings.verify_mode == ssl.CERT_REQUIRED and settings.check_hostname
    assert _tls() is settings  # what make_client passes as verify=
    client = make_client(LIMITS, 1)
    asyncio.run(client.aclose())


def test_tls_roots_that_cannot_be_loaded_are_named_where_a_client_is_made(monkeypatch, tmp_path):
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "no-such-roots.pem"))
    build_tls_ahead.cache_clear()
    try:
        build_tls_ahead()  # the error stays in its thread until the settings are asked for
        with pytest.raises(ConfigError, match=r"SSL_CERT_FILE=.*no-such-roots\.pem: no TLS roots could be loaded"):
            make_client(LIMITS, 1)
    finally:
        build_tls_ahead.cache_clear()
