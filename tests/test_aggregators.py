"""Aggregator links resolve to the publisher's page: Google News ids that carry the URL decode offline,
Bing News gives it in a parameter, and a link that cannot be decoded falls back to the summary, saying
why. The link forms are built as the aggregators build them; nothing leaves 127.0.0.1."""

from __future__ import annotations

import base64
from dataclasses import replace

from builders import JORDAN_DRONE, KH_STRIKES, page, rss
from conftest import write_config

from monitor.aggregators import BING_NEWS, GOOGLE_NEWS, Resolution, resolve_offline
from monitor.config import load_config
from monitor.notify import Notifiers
from monitor.pipeline import run_cycle
from monitor.store import Store


def google_link(inner: str, path: str = "rss/articles") -> str:
    """A Google News link as its feeds give them: the id is protobuf (field 1 = 19, field 4 = the URL or an
    opaque key, then a trailer) in URL-safe base64."""
    data = inner.encode()
    raw = b"\x08\x13\x22" + bytes([len(data)]) + data + b"\xd2\x01\x00"
    return f"https://news.google.com/{path}/{base64.urlsafe_b64encode(raw).decode().rstrip('=')}?oc=5"


def bing_link(url: str) -> str:
    from urllib.parse import quote

    return (
        f"http://www.bing.com/news/apiclick.aspx?ref=FexRss&aid=&tid=6a1b2c3d&url={quote(url, safe='')}"
        "&c=1234567890&mkt=en-us"
    )


def test_recorded_link_forms_resolve_to_the_publisher():
    article = "https://www.example.org/world/2024/02/05/attacks-on-us-forces-reach-169"

    assert resolve_offline(google_link(article)).url == article
    assert resolve_offline(google_link(article, "articles")).url == article
    assert resolve_offline(google_link(article, "read")).url == article
    assert resolve_offline(bing_link(article)) == Resolution(BING_NEWS, article)
    opaque = resolve_offline(google_link("AU_yqLPh3mN0tR0ut3dK3yThatOnlyGoogleCanTurnIntoAUrl"))
    assert opaque.aggregator == GOOGLE_NEWS and opaque.url is None and "decoding endpoint" in opaque.reason
    assert resolve_offline(article) == Resolution(None, article)


def test_an_aggregated_item_is_read_from_the_publisher_and_folds_with_the_direct_copy(tmp_path, web, receiver):
    article = web.serve("/news/jordan-drone", page(JORDAN_DRONE))
    web.serve("/google.xml", rss([(JORDAN_DRONE, google_link(article))]), content_type="application/rss+xml")
    web.serve("/bing.xml", rss([(JORDAN_DRONE, bing_link(article))]), content_type="application/rss+xml")
    web.serve("/wire.xml", rss([(JORDAN_DRONE, article)]), content_type="application/rss+xml")
    notifiers = [{"url": receiver.url, "events": ["report"]}]
    settings = {"fetch": {"google_news_decodes": 0}}
    config = load_config(write_config(tmp_path, [("Google", web.url("/google.xml"))], notifiers, settings=settings))
    store = Store(config.store_path)
    run_cycle(config, store, Notifiers(config.notifiers, config=config))
    config = load_config(
        write_config(
            tmp_path,
            [("Google", web.url("/google.xml")), ("Bing", web.url("/bing.xml")), ("Wire", web.url("/wire.xml"))],
            notifiers,
            settings=settings,
        )
    )

    run_cycle(config, store, Notifiers(config.notifiers, config=config))  # two more outlets carry it

    items = store.items()
    store.close()
    # Feeds are stored as their pages come in, in no fixed order.
    assert sorted((i.feed, i.text_source, i.url) for i in items) == [
        ("Bing", "page", article),
        ("Google", "page", article),
        ("Wire", "page", article),
    ]
    assert len({i.story_id for i in items}) == 1 and len(web.hits("/news/jordan-drone")) == 1
    assert receiver.titles == [f"[report] {JORDAN_DRONE.title}"]
    assert article in receiver.received[0]["message"] and "news.google.com" not in receiver.received[0]["message"]


def test_a_google_link_that_cannot_be_decoded_falls_back_to_the_summary_and_says_why(tmp_path, web):
    story = replace(KH_STRIKES, summary=KH_STRIKES.paragraphs[0])
    web.serve(
        "/google.xml",
        rss([(story, google_link("AU_yqLPh3mN0tR0ut3dK3yThatOnlyGoogleCanTurnIntoAUrl"))]),
        content_type="application/rss+xml",
    )
    config = load_config(
        write_config(tmp_path, [("Google", web.url("/google.xml"))], settings={"fetch": {"google_news_decodes": 0}})
    )  # no request to Google in a test
    store = Store(config.store_path)

    run_cycle(config, store, Notifiers((), console=open("/dev/null", "w")))

    item = store.items()[0]
    store.close()
    assert item.text_source == "summary" and item.categories == ["strike"]
    assert item.text_note.startswith("Google News decoding budget of this cycle spent (fetch.google_news_decodes)")
    assert "the feed's summary is used" in item.text_note
