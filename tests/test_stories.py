"""One story, one alert: syndicated copies and tracking links join a story; separate reports do not;
an article updated in place is read again without a second report alert."""

from __future__ import annotations

from dataclasses import replace

import sqlite_utils
from builders import JORDAN_DRONE, Story, at, page, rss
from conftest import write_config

BODY = (
    "A one-way attack drone struck a base hosting U.S. troops in northeastern Syria early on Thursday, "
    "wounding four American service members, two defense officials said.",
    "The drone was launched by an Iran-backed militia from across the border in Iraq, according to the officials, "
    "who spoke on condition of anonymity to discuss an ongoing assessment.",
    "All four troops were treated for minor injuries and have returned to duty, the officials said, adding that "
    "the base's air defenses had engaged a second drone that crashed outside the perimeter.",
    "The Islamic Resistance in Iraq, an umbrella group of militias aligned with Tehran, claimed responsibility in a "
    "statement posted on its Telegram channel late on Thursday.",
    "Washington has vowed to respond at a time and place of its choosing and has warned Baghdad that it holds "
    "the government responsible for the safety of coalition personnel.",
)
ORIGINAL = Story("wire-1", "Drone attack wounds four US troops in Syria", BODY, at("2024-02-08T09:00:00"))
COPIES = [
    # Another headline and a first paragraph of its own, plus a closing paragraph.
    replace(
        ORIGINAL,
        slug="courier-77",
        title="Four Americans hurt as militia drone hits Syria base",
        paragraphs=("Four U.S. service members were hurt on Thursday when a drone hit their base in Syria.",)
        + BODY[1:]
        + ("Reporting by the Courier's Washington bureau; editing by the night desk.",),
    ),
    # One paragraph dropped.
    replace(
        ORIGINAL,
        slug="daily-5",
        title="Iran-backed militia blamed for drone strike on US base",
        paragraphs=BODY[:2] + BODY[3:],
    ),
    # The same text, behind a link with tracking parameters.
    replace(ORIGINAL, slug="aggregator-9", title="US troops wounded in Syria drone attack (report)"),
]
SEPARATE = Story(
    "wire-2",
    "Rockets fired at Iraqi base housing coalition forces",
    (
        "Two rockets landed inside Ain al-Asad air base in western Iraq on Thursday evening, causing no casualties "
        "among the U.S. and coalition personnel stationed there, an Iraqi security official said.",
        "Iraqi police found the launcher mounted on a truck in a field near the town of al-Baghdadi.",
        "The Islamic Resistance in Iraq, an umbrella group of militias aligned with Tehran, claimed the attack.",
        "It was the second attack on the base in a week, the official said.",
    ),
    at("2024-02-08T19:00:00"),
)


def test_one_story_from_four_outlets_is_one_alert_and_a_separate_report_is_another(
    tmp_path, web, receiver, run_monitor
):
    outlets = ["Wire", "Courier", "Daily", "Aggregator"]
    for name, story in zip(outlets, [ORIGINAL] + COPIES, strict=True):
        link = web.serve(f"/{name.lower()}/{story.slug}", page(story, site=f"The {name}"))
        if name == "Aggregator":
            link += "?utm_source=rss&utm_campaign=world#comments"
        items = [(story, link)]
        if name == "Wire":
            items.append((SEPARATE, web.serve(f"/wire/{SEPARATE.slug}", page(SEPARATE, site="The Wire"))))
        web.serve(f"/{name.lower()}.xml", rss(items), content_type="application/rss+xml")
    config = write_config(
        tmp_path, [(n, web.url(f"/{n.lower()}.xml")) for n in outlets], [{"url": receiver.url, "events": ["report"]}]
    )

    run_monitor(config, "poll")

    # Feeds are stored as their pages come in, in no fixed order: the story's alert carries the
    # title of whichever outlet was stored first.
    assert len(receiver.titles) == 2 and f"[report] {SEPARATE.title}" in receiver.titles
    assert {t for t in receiver.titles if t != f"[report] {SEPARATE.title}"} <= {
        f"[report] {s.title}" for s in [ORIGINAL, *COPIES]
    }
    db = sqlite_utils.Database(tmp_path / "monitor.db")
    stories = {r["story_id"]: [] for r in db["items"].rows}
    for r in db["items"].rows:
        stories[r["story_id"]].append(r["feed"])
    assert sorted(sorted(feeds) for feeds in stories.values()) == [sorted(outlets), ["Wire"]]


def test_an_article_updated_in_place_is_read_again_without_a_second_report(tmp_path, web, receiver, run_monitor):
    first = Story(
        "u-1",
        "Militia attacks on US forces reach 150",
        (
            "Iran-backed militias have attacked U.S. forces in Iraq and Syria 150 times since Oct. 17, officials said.",
            "The latest drone was shot down near a base in eastern Syria.",
        ),
        at("2024-01-20T08:00:00"),
    )
    link = web.serve("/news/u-1", page(first))
    web.serve("/feed.xml", rss([(first, link)]), content_type="application/rss+xml")
    config = write_config(tmp_path, [("Wire", web.url("/feed.xml"))], [{"url": receiver.url}])
    run_monitor(config, "poll")

    updated = replace(
        first,
        title="Militia attacks on US forces reach 151",
        paragraphs=(
            "Iran-backed militias have attacked U.S. forces in Iraq and Syria 151 times since Oct. 17, "
            "officials said on Saturday, after a rocket was fired at a base in Iraq.",
        )
        + first.paragraphs[1:],
    )
    web.serve("/news/u-1", page(updated))
    web.serve("/feed.xml", rss([(updated, link)]), content_type="application/rss+xml")
    run_monitor(config, "poll")

    assert web.hits("/news/u-1") == [200, 200]
    assert receiver.titles == [
        f"[report] {first.title}",
        "[tally] New series: attacks on US forces in Iraq, Syria and Jordan since 2023-10-17: 150",
        "[tally] attacks on US forces in Iraq, Syria and Jordan since 2023-10-17: 150 -> 151 (+1)",
    ]
    (item,) = sqlite_utils.Database(tmp_path / "monitor.db")["items"].rows
    assert item["title"] == updated.title and "151 times" in item["text"]


def test_stories_keep_who_carried_them_and_when(tmp_path, web, run_monitor):
    from monitor.store import Store

    later = replace(COPIES[0], published=at("2024-02-08T11:30:00"))
    for name, story in (("Courier", later), ("Wire", ORIGINAL)):
        web.serve(
            f"/{name}.xml", rss([(story, web.serve(f"/{name}/a", page(story)))]), content_type="application/rss+xml"
        )
    config = write_config(tmp_path, [("Wire", web.url("/Wire.xml")), ("Courier", web.url("/Courier.xml"))])
    run_monitor(config, "poll")

    store = Store(tmp_path / "monitor.db")
    (story_id,) = {i.story_id for i in store.items()}
    outlets = store.story_outlets(story_id)
    store.close()
    assert [(o.outlet, o.carried_at[:16]) for o in outlets] == [
        ("Wire", "2024-02-08T09:00"),
        ("Courier", "2024-02-08T11:30"),
    ]


def test_a_page_that_repeats_its_paragraphs_is_the_same_text_once():
    from monitor.dedupe import fingerprint, resemblance

    once = "\n".join(BODY)
    twice = "\n".join(BODY + BODY)

    assert fingerprint(twice) == fingerprint(once)
    assert resemblance(fingerprint(once), fingerprint(twice)) == 1.0


def _stored(store, n: int, text: str, when) -> int:
    from monitor.dedupe import text_keys
    from monitor.models import Article, Classification, Entry
    from monitor.store import NewItem

    entry = Entry(f"g{n}", f"https://example.org/{n}", f"title {n}", "", when)
    keys = text_keys(text)
    return store.insert_item(
        NewItem(
            "wire",
            Article(entry, entry.link, text, "page"),
            Classification((), (), ()),
            when,
            None,
            text_key=keys.text_key,
            fingerprint=keys.fingerprint,
        )
    )[0]


# A paragraph that closes every text of an outlet, word for word.
BOILERPLATE = "Sign up for our morning briefing and read the stories that matter first"


def _wire_store(tmp_path):
    """A store with the one feed the helpers store items under, and the time they are stored at."""
    from monitor.store import Store

    store = Store(tmp_path / "monitor.db")
    store.record_fetch("wire", "http://127.0.0.1/wire.xml", JORDAN_DRONE.published)
    return store, JORDAN_DRONE.published


def test_near_duplicate_candidates_come_from_the_window_only(tmp_path):
    from datetime import timedelta

    from monitor.dedupe import fingerprint
    from monitor.store import Store

    store = Store(tmp_path / "monitor.db")
    store.record_fetch("wire", "http://127.0.0.1/wire.xml", JORDAN_DRONE.published)
    text = JORDAN_DRONE.text
    when = JORDAN_DRONE.published
    inside = _stored(store, 1, text, when - timedelta(days=6, hours=23))
    _stored(store, 2, text, when - timedelta(days=7, hours=1))  # a day bucket the window touches, but outside it
    _stored(store, 3, text, when - timedelta(days=30))
    window = timedelta(days=7)

    found = store.near_duplicate_candidates(fingerprint(text).sketch, when - window, when + window)

    assert [c.id for c in found] == [inside]
    assert store.sketch_of(found[0].id) == fingerprint(text).sketch


def test_a_sketch_value_shared_by_very_many_texts_is_followed_to_a_bounded_number(tmp_path):
    from monitor.dedupe import fingerprint
    from monitor.store import SKETCH_FANOUT

    store, when = _wire_store(tmp_path)
    with store.transaction():
        for n in range(SKETCH_FANOUT * 3):
            _stored(
                store, n, f"Unrelated report number {n} word{n} about weather{n} and markets{n}\n{BOILERPLATE}", when
            )
    rows = []
    probe = fingerprint(BOILERPLATE).sketch
    for h in probe:
        rows += store.db.execute("SELECT COUNT(*) FROM sketches WHERE hash = ?", [h]).fetchall()

    found = store.near_duplicate_candidates(probe, when, when, min_shared=1, limit=10_000)

    assert all(count == SKETCH_FANOUT * 3 for (count,) in rows)  # every stored text has the boilerplate values
    assert len(found) == SKETCH_FANOUT


def test_a_syndicated_copy_inside_the_window_joins_the_story_and_one_outside_it_does_not(tmp_path):
    from datetime import timedelta

    from monitor.dedupe import find_story, text_keys
    from monitor.models import Classification
    from monitor.store import Store

    store = Store(tmp_path / "monitor.db")
    original_at = ORIGINAL.published
    store.record_fetch("wire", "http://127.0.0.1/wire.xml", original_at)
    original = _stored(store, 1, ORIGINAL.text, original_at)
    (story_id,) = {i.story_id for i in store.items()}
    copy = text_keys("\n".join(COPIES[1].paragraphs)).fingerprint
    window = timedelta(days=7)

    inside = find_story(store, copy, Classification((), (), ()), original_at + timedelta(days=6, hours=23), window, 0.5)
    outside = find_story(store, copy, Classification((), (), ()), original_at + timedelta(days=7, hours=1), window, 0.5)
    store.close()

    assert original and inside == story_id
    assert outside is None


def test_a_short_report_sharing_one_sentence_with_a_long_page_is_not_its_copy(tmp_path):
    """Sketches of an article and of a page forty times its length meet on a handful of values: here
    two values of the shared sentence make the estimate pass, and the exact count turns it away."""
    import random
    from datetime import timedelta

    from monitor.dedupe import containment, find_story, fingerprint, resemblance, shingles
    from monitor.models import Classification
    from monitor.store import Store

    rng = random.Random(26)  # a draw where two of the sentence's values fall among the page's smallest
    vocabulary = ["".join(rng.choice(letters) for letters in ("bdfgkmnprst", "aeiou") * 2) for _ in range(3000)]

    def paragraph(words: int) -> str:
        return " ".join(rng.choice(vocabulary) for _ in range(words)) + "."

    sentence = paragraph(40)
    long_page = "\n".join([*(paragraph(80) for _ in range(200)), sentence])
    report = "\n".join([*(paragraph(60) for _ in range(6)), sentence])
    when = ORIGINAL.published
    nothing = Classification((), (), ())
    store = Store(tmp_path / "monitor.db")
    store.record_fetch("wire", "http://127.0.0.1/wire.xml", when)
    _stored(store, 1, long_page, when)
    (story_id,) = {i.story_id for i in store.items()}

    by_estimate = find_story(store, fingerprint(report), nothing, when, timedelta(days=1), 0.5)
    counted = find_story(store, fingerprint(report), nothing, when, timedelta(days=1), 0.5, report)
    store.close()

    assert (
        resemblance(fingerprint(report), fingerprint(long_page))
        >= 0.5
        > 0.1
        > containment(shingles(report), shingles(long_page))
    )
    assert by_estimate == story_id  # what the sketches alone say
    assert counted is None


def test_the_bound_that_turns_candidates_away_is_never_under_the_resemblance():
    import random

    from monitor.dedupe import fingerprint, resemblance, resemblance_at_most

    rng = random.Random(3)
    paragraphs = [*BODY, *SEPARATE.paragraphs, *COPIES[0].paragraphs, *JORDAN_DRONE.paragraphs]
    texts = ["\n".join(rng.sample(paragraphs, rng.randint(1, len(paragraphs)))) for _ in range(60)]
    prints = [fingerprint(t) for t in texts]

    pairs = [(a, b) for a in prints for b in prints]
    scores = [(resemblance(a, b), resemblance_at_most(a, b)) for a, b in pairs]

    assert all(bound >= exact for exact, bound in scores)
    assert any(0 < exact < 1 for exact, _ in scores) and any(bound < 0.5 for _, bound in scores)


def test_the_bound_from_the_values_the_lookup_counted_is_never_under_the_bound_from_both_sketches():
    import random

    from monitor.dedupe import fingerprint, resemblance_at_most, resemblance_bound

    rng = random.Random(4)
    paragraphs = [*BODY, *SEPARATE.paragraphs, *COPIES[0].paragraphs, *JORDAN_DRONE.paragraphs]
    texts = ["\n".join(rng.sample(paragraphs, rng.randint(1, len(paragraphs)))) for _ in range(40)]
    texts += ["Five words and no more", "one"]  # sketches shorter than SKETCH_SIZE
    prints = [fingerprint(t) for t in texts]

    for a in prints:
        for b in prints:
            shared = len(set(a.sketch) & set(b.sketch))
            at_most = resemblance_at_most(a, b)
            # the lookup counts the values shared, or more (a value it followed no further may be shared)
            assert all(resemblance_bound(a, shared + extra, b.shingles) >= at_most for extra in (0, 1, 5, 100))
    assert resemblance_bound(prints[0], 0, prints[1].shingles) == 0.0


def test_a_candidates_fingerprint_is_read_from_an_index_not_from_the_row_that_holds_its_text(tmp_path):
    from datetime import timedelta

    from monitor.dedupe import fingerprint

    store, when = _wire_store(tmp_path)
    stored = _stored(store, 1, JORDAN_DRONE.text, when)
    statements: list[str] = []
    store.db.conn.set_trace_callback(statements.append)

    found = store.near_duplicate_candidates(fingerprint(JORDAN_DRONE.text).sketch, when - timedelta(days=7), when)

    store.db.conn.set_trace_callback(None)
    assert [(c.id, c.shingles) for c in found] == [(stored, fingerprint(JORDAN_DRONE.text).shingles)]
    plans = [row[3] for sql in statements for row in store.db.execute("EXPLAIN QUERY PLAN " + sql).fetchall()]
    on_items = [plan for plan in plans if plan.startswith(("SEARCH items", "SCAN items"))]
    assert on_items and all("USING COVERING INDEX items_fingerprint" in plan for plan in on_items), plans


def test_a_value_followed_to_the_most_items_counts_as_perhaps_shared_by_every_candidate(tmp_path):
    from monitor.dedupe import fingerprint
    from monitor.store import SKETCH_FANOUT

    store, when = _wire_store(tmp_path)
    with store.transaction():
        for n in range(SKETCH_FANOUT + 5):
            _stored(store, n, f"{JORDAN_DRONE.text}\nNote {n} word{n}\n{BOILERPLATE}", when)
    probe = fingerprint(f"{JORDAN_DRONE.text}\nAnother note\n{BOILERPLATE}").sketch
    capped = sum(
        store.db.execute("SELECT COUNT(*) FROM sketches WHERE hash = ?", [h]).fetchone()[0] >= SKETCH_FANOUT
        for h in set(probe)
    )

    found = store.near_duplicate_candidates(probe, when, when, limit=10_000)

    assert capped > 0
    assert all(c.shared_at_most == c.shared + capped for c in found)


def test_the_items_of_one_story_and_its_reports_are_asked_for_by_name_not_by_sql(tmp_path):
    from monitor.dedupe import text_keys
    from monitor.models import Article, Classification, Entry
    from monitor.store import NewItem, Store

    when = ORIGINAL.published
    with Store(tmp_path / "monitor.db") as store:
        store.record_fetch("wire", "http://127.0.0.1/wire.xml", when)
        stories = []
        for n, categories in enumerate([("attack",), (), ("attack",)]):
            entry = Entry(f"g{n}", f"https://example.org/{n}", f"title {n}", "", when)
            text = f"Report number {n}: " + ORIGINAL.text
            keys = text_keys(text)
            item_id, story_id = store.insert_item(
                NewItem(
                    "wire",
                    Article(entry, entry.link, text, "page"),
                    Classification(categories, (), ()),
                    when,
                    stories[0] if stories else None,
                    text_key=keys.text_key,
                    fingerprint=keys.fingerprint,
                )
            )
            stories.append(story_id)
        _stored(store, 9, SEPARATE.text, SEPARATE.published)  # a story of its own

        assert [i.title for i in store.items(story_id=stories[0])] == ["title 0", "title 1", "title 2"]
        assert [i.title for i in store.items(story_id=stories[0], reports_only=True)] == ["title 0", "title 2"]
        assert [i.title for i in store.items(reports_only=True)] == ["title 0", "title 2"]
        assert len(store.items()) == 4
