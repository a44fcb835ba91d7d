"""Article page -> article text, with trafilatura (in the pool of workers.py). No text is a value
(None), not an error: the pipeline then uses the feed's summary and says so in the record."""

from __future__ import annotations

from types import ModuleType


def load_extractor() -> ModuleType:
    """trafilatura, imported on first use: it costs a quarter of a second that a warm poll never needs."""
    import trafilatura  # noqa: PLC0415

    return trafilatura


def extract_text(page: bytes | str, url: str = "") -> str | None:
    trafilatura = load_extractor()
    # deduplicate=True keeps a process-wide cache that would drop repeated text across articles
    # of a long-running daemon; comments and tables are not the story.
    text: str | None = trafilatura.extract(
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
