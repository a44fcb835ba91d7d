"""The search index holds every stored item, and only those: a transaction's new items enter it as
it commits (in one statement), an item whose savepoint was undone never does, and an item written
outside a transaction enters at once. FTS5's own integrity check compares the index with the items."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone

import pytest

from monitor.models import Article, Classification, Entry
from monitor.store import ItemFilter, NewItem, Store

WHEN = datetime(2024, 2, 8, 9, tzinfo=timezone.utc)


def new_item(n: int, text: str) -> NewItem:
    entry = Entry(f"g{n}", f"https://wire.example/{n}", f"Dispatch {n}", "", WHEN)
    return NewItem("wire", Article(entry, entry.link, text, "page"), Classification((), (), ()), WHEN)


def found(store: Store, query: str) -> set[int]:
    return {m["item_id"] for m in store.search_matches(query, ItemFilter(), 100)}


def index_matches_items(store: Store) -> bool:
    try:
        store.db.execute("INSERT INTO items_fts (items_fts, rank) VALUES ('integrity-check', 1)")
    except sqlite3.DatabaseError:
        return False
    return True


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "monitor.db") as opened:
        opened.record_fetch("wire", "https://wire.example/feed.xml", WHEN)
        yield opened


def test_a_transactions_items_are_searchable_once_it_commits_and_an_undone_one_never(store):
    with store.transaction():
        first, _ = store.insert_item(new_item(1, "Rockets struck the airfield at dawn."))
        with pytest.raises(RuntimeError), store.savepoint():
            store.insert_item(new_item(2, "Drones circled the harbour all night."))
            raise RuntimeError("this item fails after its row was written")
        third, _ = store.insert_item(new_item(3, "Drones hit the depot before dawn."))
        assert store.unindexed == {first, third}

    assert store.unindexed == set()
    assert found(store, "dawn") == {first, third}
    assert found(store, "drones") == {third}
    assert found(store, "harbour") == set()
    assert index_matches_items(store)


def test_a_transaction_that_fails_leaves_nothing_to_index(store):
    with pytest.raises(RuntimeError), store.transaction():
        store.insert_item(new_item(1, "Rockets struck the airfield at dawn."))
        raise RuntimeError("the feed's transaction fails")

    assert store.unindexed == set()
    with store.transaction():
        kept, _ = store.insert_item(new_item(2, "Drones hit the depot before dawn."))
    assert found(store, "dawn") == {kept}
    assert index_matches_items(store)


def test_an_item_written_outside_a_transaction_is_searchable_at_once(store):
    item_id, _ = store.insert_item(new_item(1, "Rockets struck the airfield at dawn."))

    assert found(store, "airfield") == {item_id}
    with store.savepoint():  # outside a transaction, a savepoint is one
        other, _ = store.insert_item(new_item(2, "Drones hit the depot before dawn."))
    assert found(store, "depot") == {other}
    assert index_matches_items(store)


def test_an_item_updated_in_the_transaction_that_wrote_it_is_indexed_as_updated(store):
    from monitor.dedupe import text_keys

    with store.transaction():
        item_id, _ = store.insert_item(new_item(1, "Rockets struck the airfield at dawn."))
        article = new_item(1, "Drones hit the depot before dawn.").article
        keys = text_keys(article.text)
        store.update_item(item_id, article, Classification((), (), ()), WHEN, keys.text_key, keys.fingerprint, "k")

    assert found(store, "airfield") == set()
    assert found(store, "depot") == {item_id}
    assert index_matches_items(store)


def test_a_feeds_search_segment_is_not_merged_with_the_last_few_as_it_commits(tmp_path):
    import random

    def index_bytes(automerge: int | None) -> int:
        rng = random.Random(1)
        with Store(tmp_path / f"{automerge}.db") as store:
            store.record_fetch("wire", "https://wire.example/feed.xml", WHEN)
            if automerge is not None:  # 4: FTS5's own default
                store.db.execute("INSERT INTO items_fts (items_fts, rank) VALUES ('automerge', ?)", [automerge])
            for feed in range(30):
                with store.transaction():
                    for n in range(5):
                        words = " ".join(f"w{rng.randrange(3000)}" for _ in range(400))
                        store.insert_item(new_item(feed * 10 + n, f"{words} dawn"))
            assert store.db.execute("SELECT COUNT(*) FROM items_fts('dawn')").fetchone()[0] == 150
            assert index_matches_items(store)
            return int(store.db.execute("SELECT SUM(length(block)) FROM items_fts_data").fetchone()[0])

    # Merged segments hold each word once, not once a segment: FTS5's default merges as it writes.
    assert index_bytes(automerge=None) > index_bytes(automerge=4)
