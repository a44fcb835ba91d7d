"""The one exception tree of the monitor.

    MonitorError
    ├── ConfigError       bad config or rules file: names the file and the key
    ├── FetchError        a feed or page could not be fetched
    │   ├── TransientFetchError   timeouts, connection errors, 5xx, 408, 425, 429
    │   └── PermanentFetchError   other 4xx, too large, too many redirects, an invalid URL
    ├── ParseError        a feed body that is not a feed
    └── StoreError        the SQLite store cannot be opened, has a schema this version cannot use,
                          or refuses the first write of a cycle or of a health check

Stages raise these; the pipeline records fetch and parse errors per feed; only the CLI turns
them into messages and exit codes.
"""

from os import PathLike


class MonitorError(Exception):
    """Base class of every error the monitor raises on purpose."""


class ConfigError(MonitorError):
    def __init__(self, path: str | PathLike[str], key: str | None, message: str):
        self.path = str(path)
        self.key = key
        self.message = message
        where = f"{self.path}: {key}" if key else self.path
        super().__init__(f"{where}: {message}")


class FetchError(MonitorError):
    pass


class TransientFetchError(FetchError):
    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after  # seconds the server asked us to wait (Retry-After), if it said


class PermanentFetchError(FetchError):
    pass


class ParseError(MonitorError):
    pass


class StoreError(MonitorError):
    pass
