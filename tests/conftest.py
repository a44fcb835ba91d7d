"""Real parts for the tests: a loopback web server for feeds and pages, a loopback receiver
for apprise's json:// alerts, a local SMTP server, and config files in a temporary folder."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import cli

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


def pytest_configure(config: pytest.Config) -> None:
    """An editable install compiles the classifier in place (setup.py): a module edited since would be
    tested as it was, so the run stops and says how to rebuild."""
    stale = sorted(
        str(built.relative_to(REPO))
        for built in (REPO / "monitor").rglob("*.so")
        if (source := built.with_name(built.name.split(".")[0] + ".py")).exists()
        and source.stat().st_mtime > built.stat().st_mtime
    )
    if stale:
        pytest.exit(f"compiled before their source was edited: {', '.join(stale)}; run pip install -e . again", 2)


@dataclass
class Route:
    body: bytes
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    etag: str | None = None
    location: str | None = None  # for redirects
    stall: float = 0.0  # seconds the server takes before answering: a slow upstream


@dataclass
class Web:
    """A loopback HTTP server whose routes a test sets and changes; it answers If-None-Match with 304."""

    base: str
    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[tuple[str, int]] = field(default_factory=list)  # (path, status answered)
    # Called with each request's path before it is answered, while the client waits: a test acts at that moment.
    before_answer: Callable[[str], None] | None = None

    def serve(
        self,
        path: str,
        body: str | bytes,
        status: int = 200,
        content_type: str = "text/html; charset=utf-8",
        etag: str | None = None,
    ) -> str:
        data = body.encode() if isinstance(body, str) else body
        self.routes[path] = Route(data, status, content_type, etag)
        return self.base + path

    def redirect(self, path: str, to: str, status: int = 302) -> str:
        self.routes[path] = Route(b"", status, "text/plain", location=to)
        return self.base + path

    def stalled(self, path: str, body: str, seconds: float) -> str:
        self.routes[path] = Route(body.encode(), stall=seconds)
        return self.base + path

    def url(self, path: str) -> str:
        return self.base + path

    def hits(self, path: str) -> list[int]:
        return [status for p, status in self.requests if p.split("?")[0] == path.split("?")[0]]


# shutdown() waits for serve_forever's next poll: at the default 0.5 s that was a third of the suite's time.
SHUTDOWN_POLL_SECONDS = 0.05


class LoopbackServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        # A client under test that gives up (a timeout, a size cap) closes its end mid-answer: expected, not a
        # server fault. socketserver would print the traceback to sys.stderr whenever the handler thread hits it,
        # which may be seconds later, inside another test's captured command output.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


def start_server(handler_cls) -> tuple[ThreadingHTTPServer, str]:
    server = LoopbackServer(("127.0.0.1", 0), handler_cls)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": SHUTDOWN_POLL_SECONDS}, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def stop_server(server: ThreadingHTTPServer) -> None:
    server.shutdown()
    server.server_close()


@pytest.fixture
def web():
    state: dict = {}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            site: Web = state["web"]
            route = site.routes.get(self.path) or site.routes.get(self.path.split("?")[0])
            if route is None:
                status, body, headers = 404, b"not found", {"Content-Type": "text/plain"}
            elif route.etag and self.headers.get("If-None-Match") == route.etag:
                status, body, headers = 304, b"", {"ETag": route.etag}
            else:
                status, body = route.status, route.body
                headers = {"Content-Type": route.content_type}
                if route.etag:
                    headers["ETag"] = route.etag
                if route.location:
                    headers["Location"] = route.location
                if route.stall:
                    # Slow on purpose (the client's timeout is under test), and no longer than the test lasts.
                    ending.wait(route.stall)
            site.requests.append((self.path, status))
            if site.before_answer:
                site.before_answer(self.path)
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    ending = threading.Event()
    server, base = start_server(Handler)
    state["web"] = Web(base)
    yield state["web"]
    ending.set()
    stop_server(server)


@dataclass
class Receiver:
    """What apprise's json:// target posts: one JSON document per alert. status can be set to fail."""

    url: str
    status: int = 200
    received: list[dict] = field(default_factory=list)
    refused: int = 0
    # Called with each alert taken, before it is acknowledged and after, while the sender waits on the first.
    before_answer: Callable[[dict], None] | None = None
    after_answer: Callable[[dict], None] | None = None
    answered: threading.Condition = field(default_factory=threading.Condition)

    @property
    def titles(self) -> list[str]:
        return [r["title"] for r in self.received]

    def wait_for(self, condition: Callable[[Receiver], bool], seconds: float = 30) -> bool:
        """Whether condition came true within seconds: looked at again as each post is answered, not polled."""
        with self.answered:
            return self.answered.wait_for(lambda: condition(self), timeout=seconds)


def _start_receiver() -> tuple[ThreadingHTTPServer, Receiver]:
    state: dict = {}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            rec: Receiver = state["rec"]
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            document = json.loads(body)
            if rec.status == 200:
                rec.received.append(document)
            else:
                rec.refused += 1
            if rec.before_answer:
                rec.before_answer(document)
            self.send_response(rec.status)
            self.send_header("Content-Length", "0")
            self.end_headers()
            if rec.after_answer:
                rec.after_answer(document)
            with rec.answered:
                rec.answered.notify_all()

    server, base = start_server(Handler)
    state["rec"] = Receiver(base.replace("http://", "json://") + "/")
    return server, state["rec"]


@pytest.fixture
def receiver():
    server, rec = _start_receiver()
    yield rec
    stop_server(server)


@pytest.fixture
def other_receiver():
    """A second json:// target, for tests where two targets answer differently."""
    server, rec = _start_receiver()
    yield rec
    stop_server(server)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Mailbox:
    port: int
    messages: list = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"mailto://127.0.0.1:{self.port}?from=a@example.org&to=b@example.org&mode=insecure"

    @property
    def subjects(self) -> list[str]:
        return [m["Subject"] for m in self.messages]


@pytest.fixture
def smtp(monkeypatch):
    from aiosmtpd.controller import Controller
    from apprise.plugins.email import NotifyEmail

    # apprise spaces the mails one target sends 5.5 s apart (NotifyBase.request_rate_per_sec), a courtesy to
    # real mail servers that the loopback one does not need: a second mail was most of two tests' time.
    monkeypatch.setattr(NotifyEmail, "request_rate_per_sec", 0)
    box = Mailbox(free_port())

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            box.messages.append(message_from_bytes(envelope.content, policy=default_policy))
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=box.port)
    controller.start()
    yield box
    controller.stop()


def write_config(
    folder: Path,
    feeds: list[tuple[str, str]],
    notifiers: list[dict] | None = None,
    settings: dict[str, dict] | None = None,
    catch_up: bool = False,
) -> Path:
    """A config in folder, with the shipped rules beside it; settings are merged over test defaults.
    Feeds alert from their first poll unless catch_up (the shipped default) is asked for."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("rules.toml", "tallies.toml"):
        shutil.copy(REPO / "config" / name, folder / name)
    sections = {"storage": {"path": "monitor.db"}, "alerts": {"max_age_days": 0}, "fetch": {"timeout_seconds": 5}}
    for section, values in (settings or {}).items():
        sections.setdefault(section, {}).update(values)
    lines = []
    for section, values in sections.items():
        lines += [f"[{section}]"] + [f"{k} = {json.dumps(v)}" for k, v in values.items()] + [""]
    for name, url in feeds:
        lines += [
            "[[feeds]]",
            f"name = {json.dumps(name)}",
            f"url = {json.dumps(url)}",
            f"catch_up = {json.dumps(catch_up)}",
            "",
        ]
    for n in notifiers or []:
        lines += ["[[notifiers]]"] + [f"{k} = {json.dumps(v)}" for k, v in n.items()] + [""]
    path = folder / "monitor.toml"
    path.write_text("\n".join(lines))
    return path


@pytest.fixture
def run_monitor():
    """The real command, in process: run_monitor(config_path, 'poll') -> click Result."""

    def run(config: Path | None, *args: str, input: str | None = None):
        base = ["--config", str(config)] if config else []
        return CliRunner().invoke(cli, base + list(args), input=input, catch_exceptions=False)

    return run


@contextmanager
def read_only(path: Path) -> Iterator[None]:
    """The file at path cannot be written for as long as the block runs.

    A file mode stops everyone but root, who writes through it; for root the file is made immutable
    (chattr +i), which root cannot write through either. Skips, saying why, where that cannot be done."""
    if os.geteuid() != 0:
        mode = path.stat().st_mode
        path.chmod(0o444)
        try:
            yield
        finally:
            path.chmod(mode)
        return
    if shutil.which("chattr") is None:
        pytest.skip(
            "running as root, who ignores file modes, and chattr (e2fsprogs) is not installed to make a file immutable"
        )
    made = subprocess.run(["chattr", "+i", str(path)], capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"running as root, who ignores file modes, and chattr +i failed here: {made.stderr.strip()}")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


@pytest.fixture(scope="session", autouse=True)
def image_built_in_the_background(request, tmp_path_factory):
    """When the run has install tests, the image is built beside the other tests from the start, so no
    worker sits waiting for it (image.installed_once lets one build and the others wait)."""
    if any("installed" in item.fixturenames for item in request.session.items):
        from image import installed_once, shared_folder

        shared = shared_folder(tmp_path_factory)
        # A failure here is raised again where a test asks for the image, which then builds it itself.
        threading.Thread(target=lambda: _quietly(installed_once, shared), daemon=True).start()
    yield


def _quietly(build, *args) -> None:
    try:
        build(*args)
    except Exception:  # noqa: BLE001 - the install test's own fixture builds again and reports the error
        pass


def needs_shared():
    return pytest.mark.skipif(
        not (SHARED / "corpus").is_dir(),
        reason="../shared/corpus is not beside this clone: the labelled corpus is for development, not shipped",
    )
