"""Log lines of the monitor: text or JSON on stderr, our own loggers' level set by -v and -q, and notifier
secrets masked in every record, whoever logs it."""

from __future__ import annotations

import json
import logging
import sys

from .config import Config, mask_secrets

log = logging.getLogger("monitor")


class SecretFilter(logging.Filter):
    """Masks notifier URLs and their tokens in every log record, once the config that holds them is loaded."""

    def __init__(self) -> None:
        super().__init__()
        self.config: Config | None = None

    def filter(self, record: logging.LogRecord) -> bool:
        if self.config is not None:
            record.msg = mask_secrets(record.getMessage(), self.config)
            record.args = None
            if record.exc_info and not record.exc_text:
                record.exc_text = logging.Formatter().formatException(record.exc_info)
            if record.exc_text:
                record.exc_text = mask_secrets(record.exc_text, self.config)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line; a record's traceback stays with it, as the field `traceback`."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["traceback"] = record.exc_text
        return json.dumps(line)


def setup_logging(fmt: str, verbose: bool, quiet: bool = False) -> SecretFilter:
    """Route every log record to stderr; the filter returned masks secrets once it is given the config."""
    secret_filter = SecretFilter()
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(secret_filter)
    handler.setFormatter(
        JsonFormatter() if fmt == "json" else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    # Libraries say only warnings; -v and -q move our own lines (the "monitor" loggers) alone.
    root.setLevel(logging.WARNING)
    log.setLevel(logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO)
    # apprise logs every delivery at INFO, with target hosts; our own lines say what matters.
    logging.getLogger("apprise").setLevel(logging.ERROR if not verbose else logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.getLogger("trafilatura").setLevel(logging.ERROR)
    return secret_filter
