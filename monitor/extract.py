"""Article page -> article text, with trafilatura. No text is a value (None), not an error:
the pipeline then uses the feed's summary and says so in the record."""

from __future__ import annotations

import os
import threading
import time


def load_extractor():
    """trafilatura, imported on first use: it costs a quarter of a second that a warm poll never needs."""
    import trafilatura  # noqa: PLC0415

    return trafilatura


def watch_parent() -> None:
    """In an extraction process: exit when the monitor that started it is gone (killed with -9, say),
    instead of waiting forever for pages that will not come."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.2)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


def extract_text(page: bytes | str, url: str = "") -> str | None:
    trafilatura = load_extractor()
    # deduplicate=True keeps a process-wide cache that would drop repeated text across articles
    # of a long-running daemon; comments and tables are not the story.
    text = trafilatura.extract(
        page,
        url=url or None,
        include_comments=False,
        include_tables=False,
        deduplicate=False,
        with_metadata=False,
        favor_precision=True,
    )
    if not text or len(text.split()) < 20:
        return None
    return text
