"""Test inputs written for this project: short articles in our own words, pages with site
boilerplate around them, and RSS and Atom feeds that list them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import format_datetime
from html import escape


@dataclass(frozen=True)
class Story:
    slug: str
    title: str
    paragraphs: tuple[str, ...]
    published: datetime
    summary: str = ""

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)


def page(story: Story, site: str = "Example Wire") -> str:
    """An article page as news sites serve it: navigation, share buttons, related links and a footer around the story."""
    body = "\n".join(f"<p>{escape(p)}</p>" for p in story.paragraphs)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(story.title)} | {site}</title></head>
<body>
<header><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a> <a href="/subscribe">Subscribe now</a></nav></header>
<div class="share">Share on social media. Sign up for our newsletter to get the top stories every morning.</div>
<main><article>
<h1>{escape(story.title)}</h1>
<p class="byline">By Staff Reporter, {site}</p>
{body}
</article></main>
<aside><h2>Most read</h2><ul><li><a href="/a">Ten recipes for the holidays you must try this winter</a></li>
<li><a href="/b">Markets close higher as tech shares rally on strong earnings</a></li></ul></aside>
<footer><p>Copyright {site}. All rights reserved. Terms of use. Privacy policy. Contact us.</p></footer>
</body></html>"""


def rss(items: list[tuple[Story, str]], title: str = "Example Wire") -> str:
    """RSS 2.0 with a GUID, link, date and summary per item."""
    entries = "\n".join(
        f"""<item><title>{escape(s.title)}</title><link>{escape(link)}</link>
<guid isPermaLink="false">{escape(s.slug)}</guid><pubDate>{format_datetime(s.published)}</pubDate>
<description>{escape(s.summary or s.paragraphs[0])}</description></item>"""
        for s, link in items
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>{escape(title)}</title><link>http://example.org/</link>
<description>News</description>
{entries}
</channel></rss>"""


def atom(items: list[tuple[Story, str]], title: str = "Example Atom") -> str:
    entries = "\n".join(
        f"""<entry><title>{escape(s.title)}</title><link href="{escape(link)}"/><id>tag:example.org,2024:{escape(s.slug)}</id>
<published>{s.published.isoformat()}</published><updated>{s.published.isoformat()}</updated>
<summary>{escape(s.summary or s.paragraphs[0])}</summary></entry>"""
        for s, link in items
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>{escape(title)}</title><id>tag:example.org,2024:feed</id>
<updated>2024-02-05T12:00:00Z</updated>
{entries}
</feed>"""


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


class Clock:
    """The time the code under test reads, set by the test: pass it where the code takes a clock."""

    def __init__(self, start: datetime | str):
        self.now = at(start) if isinstance(start, str) else start

    def __call__(self) -> datetime:
        return self.now


# ---------------------------------------------------------------- stories

JORDAN_DRONE = Story(
    "jordan-drone",
    "Drone kills three American soldiers at base in Jordan",
    (
        "A one-way drone launched by Iran-backed militants slammed into a small U.S. outpost in northeastern Jordan on Sunday, killing three American soldiers and wounding dozens more, defense officials said.",
        "The outpost sits near the borders with Syria and Iraq and supports the campaign against the remnants of the Islamic State group.",
        "President Joe Biden blamed radical militias backed by Iran and said Washington would answer at a time of its choosing.",
        "An umbrella group of Iraqi militias said it had launched drones at several positions used by American forces in the region.",
    ),
    at("2024-01-28T18:00:00"),
)

KH_STRIKES = Story(
    "kh-strikes",
    "US warplanes hit Kataib Hezbollah depots in western Iraq",
    (
        "U.S. fighter jets struck weapons depots and a command post used by Kataib Hezbollah in western Iraq overnight, the Pentagon said on Wednesday.",
        "Officials described the raids as a response to a string of rocket attacks on bases that host coalition personnel.",
        "Iraq's government condemned the operation as a violation of its sovereignty and summoned a senior American diplomat.",
    ),
    at("2024-01-24T08:00:00"),
)

HEART_ATTACK = Story(
    "heart-attack",
    "Veteran senator recovering after heart attack",
    (
        "A veteran senator who chairs the armed services panel is recovering in hospital after suffering a heart attack at his home on Saturday, his office said.",
        "Doctors inserted a stent and expect him to return to the Capitol within weeks, in time for hearings on U.S. troops in Iraq and Syria.",
        "Colleagues from both parties wished him a quick recovery.",
    ),
    at("2024-02-03T10:00:00"),
)

CYBERATTACK = Story(
    "cyberattack",
    "Hackers tied to Iran claim cyberattack on US water utility",
    (
        "A hacking group linked to Iran's Revolutionary Guards claimed a cyberattack on a small water utility in Pennsylvania, federal officials said.",
        "The attackers took control of a pump controller and left a message criticising American support for Israel; no drinking water was affected.",
        "Officials urged operators of U.S. facilities to change default passwords on industrial equipment.",
    ),
    at("2024-02-02T15:00:00"),
)

FOOTBALL = Story(
    "football",
    "Iraq stun Japan to reach Asian Cup knockouts",
    (
        "Iraq beat Japan 2-1 on Friday as their striker scored twice, attacking every loose ball in a ferocious first half.",
        "Japan pressed forward in waves of attacks after the break but the Iraqi defence held firm to seal a place in the last 16.",
        "Thousands of fans celebrated in the streets of Baghdad and Basra late into the night.",
    ),
    at("2024-01-19T21:00:00"),
)

HOUTHI_SHIP = Story(
    "houthi-ship",
    "Houthi missile strikes cargo ship in Gulf of Aden",
    (
        "Yemen's Iran-backed Houthi rebels fired an anti-ship missile at a cargo vessel in the Gulf of Aden on Tuesday, setting it ablaze, the U.S. military said.",
        "U.S. forces later shot down two drones launched toward a destroyer in the Red Sea; no American personnel were hurt.",
        "The rebels say their attacks on shipping will continue until the war in Gaza ends.",
    ),
    at("2024-02-06T09:00:00"),
)


def tally_story(slug: str, title: str, sentence: str, published: str, extra: str = "") -> Story:
    """A short report built around one sentence that gives a running total."""
    return Story(
        slug,
        title,
        (
            sentence,
            "The militias, which are backed by Iran, say the attacks answer Washington's support for Israel.",
            extra or "Most of the drones and rockets were shot down or missed their targets, officials said.",
        ),
        at(published),
    )


# One running total as it was reported over time: a new series, rises, a syndicated copy and a
# look-back that repeats an older figure. The tally and digest tests both read it.
STEPS = [
    tally_story(
        "t13",
        "Pentagon: troops attacked at least 13 times",
        "U.S. and coalition forces in Iraq and Syria have been attacked at least 13 times since Oct. 17, a Pentagon spokesman said.",
        "2023-10-24T15:00:00",
    ),
    tally_story(
        "t23",
        "Attacks on US bases climb to 23",
        "Iran-backed militias have attacked U.S. forces 23 times since Oct. 17, a senior defense official said on Monday.",
        "2023-10-30T15:00:00",
    ),
    tally_story(
        "t23-syndicated",
        "Official: 23 attacks on American troops",
        "Iran-backed militias have attacked U.S. forces 23 times since Oct. 17, a senior defense official said on Monday.",
        "2023-10-31T09:00:00",
        extra="The official spoke to reporters at the Pentagon on condition of anonymity.",
    ),
    tally_story(
        "t103",
        "US strikes back after 103rd attack",
        "There have been 103 attacks on U.S. troops in Iraq and Syria since Oct. 17, according to U.S. military officials.",
        "2023-12-26T12:00:00",
    ),
    tally_story(
        "t23-lookback",
        "How the militia campaign began",
        "Looking back, U.S. forces had already been attacked 23 times since Oct. 17 by the end of that month, officials recalled.",
        "2024-01-15T12:00:00",
    ),
    tally_story(
        "t169",
        "Attacks on US forces reach 169",
        "Iranian proxies have attacked U.S. troops in Iraq, Syria and Jordan 169 times since Oct. 17, a defense official said.",
        "2024-02-05T12:00:00",
    ),
]
