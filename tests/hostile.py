"""A loopback server that behaves like a hostile or broken internet: each route writes its own raw
answer (false Content-Encoding, stacked compression, a trickle of bytes, no answer at all)."""

from __future__ import annotations

import gzip
import struct
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler

from conftest import start_server, stop_server

Answer = Callable[[BaseHTTPRequestHandler], None]


def plain(
    body: bytes | str,
    status: int = 200,
    content_type: str = "text/html; charset=utf-8",
    headers: dict[str, str] | None = None,
) -> Answer:
    data = body.encode() if isinstance(body, str) else body

    def answer(h: BaseHTTPRequestHandler) -> None:
        h.send_response(status)
        h.send_header("Content-Type", content_type)
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)

    return answer


def false_gzip(body: bytes | str, content_type: str = "application/rss+xml") -> Answer:
    """Says gzip, sends the body as it is."""
    return plain(body, content_type=content_type, headers={"Content-Encoding": "gzip"})


def gzip_bomb(decoded_mib: int) -> bytes:
    """decoded_mib MiB of zeros gzipped twice: about 2 KB per GiB, to be sent as `gzip, gzip`.

    Deflating a GiB took 4 s. After a full flush a deflate stream starts afresh, so each MiB of zeros
    deflates to the same bytes: deflate one MiB, repeat it, and frame it as gzip with the whole's CRC."""
    zeros = bytes(1 << 20)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    one_mib = deflate.compress(zeros) + deflate.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(decoded_mib):
        crc = zlib.crc32(zeros, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"  # gzip, deflate, no name, no time, best compression
    final_empty_block = b"\x03\x00"
    size = (decoded_mib << 20) & 0xFFFFFFFF
    inner = header + one_mib * decoded_mib + final_empty_block + struct.pack("<II", crc, size)
    return gzip.compress(inner, compresslevel=9)


def trickle(body: bytes | str, every: float, stop: threading.Event, chunk: int = 1) -> Answer:
    """Slowloris: the body a byte at a time, one chunk every `every` seconds, until sent or the test ends."""
    data = body.encode() if isinstance(body, str) else body

    def answer(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/rss+xml")
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        for i in range(0, len(data), chunk):
            h.wfile.write(data[i : i + chunk])
            h.wfile.flush()
            if stop.wait(every):
                return

    return answer


def hang(stop: threading.Event) -> Answer:
    """Accepts the request and never answers (until the test ends)."""

    def answer(h: BaseHTTPRequestHandler) -> None:
        stop.wait(120)

    return answer


@dataclass
class Hostile:
    base: str
    stop: threading.Event
    routes: dict[str, Answer] = field(default_factory=dict)
    hits: list[str] = field(default_factory=list)

    def route(self, path: str, answer: Answer) -> str:
        self.routes[path] = answer
        return self.base + path

    def url(self, path: str) -> str:
        return self.base + path


def serve_hostile() -> tuple[Hostile, Callable[[], None]]:
    state: dict = {}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _answer(self):
            site: Hostile = state["site"]
            site.hits.append(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            answer = site.routes.get(self.path) or site.routes.get(self.path.split("?")[0])
            try:
                (answer or plain("not found", 404, "text/plain"))(self)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up, as it should

        do_GET = do_POST = _answer

    server, base = start_server(Handler)
    stop = threading.Event()
    state["site"] = Hostile(base, stop)

    def close() -> None:
        stop.set()
        stop_server(server)

    return state["site"], close


def wait_until(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()
