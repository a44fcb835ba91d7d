"""Render the example digest shown in the README: docs/digest-example.txt and docs/digest-example.png.

    python scripts/digest_example.py

Builds a store in a temporary folder from a local feed of the test stories (file:// feed, texts from
the feed's summaries, no network), then renders the digest of the period as a plain-text target would
get it, with its chart. The feed's first poll holds months of back catalogue (the tally steps) beside
the day's reports, as a newly added feed does; alerts.max_age_days is the shipped 3.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from builders import HOUTHI_SHIP, JORDAN_DRONE, KH_STRIKES, STEPS, at, rss  # noqa: E402
from conftest import write_config  # noqa: E402

from monitor.config import load_config  # noqa: E402
from monitor.digest import Period, build_digest, draw_chart  # noqa: E402
from monitor.digest_render import render_text, title_of  # noqa: E402
from monitor.notify import Notifiers  # noqa: E402
from monitor.pipeline import run_cycle  # noqa: E402
from monitor.store import Store  # noqa: E402


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        feed = tmp / "feed.xml"
        config = load_config(write_config(tmp / "config", [("Example Wire", feed.as_uri())]))
        store = Store(config.store_path)
        notifiers = Notifiers((), console=open("/dev/null", "w"))
        listed = []
        moment = at("2024-02-05T13:00:00")
        recent = [
            replace(JORDAN_DRONE, published=at("2024-02-04T18:00:00")),
            replace(KH_STRIKES, published=at("2024-02-05T08:00:00")),
            HOUTHI_SHIP,
        ]
        for story in [*STEPS[:4], STEPS[5], *recent]:
            listed.append((story, f"https://news.example.org/{story.slug}"))
            feed.write_text(rss(listed))
            os.utime(feed, (moment.timestamp(), moment.timestamp()))  # file times have one-second grain
            run_cycle(config, store, notifiers, lambda at_=moment: at_)
            moment += timedelta(minutes=1)
        period = Period(at("2024-02-05T07:00:00"), at("2024-02-06T07:00:00"))
        digest = build_digest(store, period, 25, max_age_days=3)
        digest.chart = draw_chart(digest.series, tmp / "chart.png")
        tz = ZoneInfo("UTC")
        text = f"{title_of(digest, tz)}\n\n{render_text(digest, tz)}\n"
        (ROOT / "docs" / "digest-example.txt").write_text(text)
        shutil.copy(digest.chart, ROOT / "docs" / "digest-example.png")
        store.close()
        print(text)


if __name__ == "__main__":
    main()
