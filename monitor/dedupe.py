"""Keys that say two items are the same: canonical URLs, exact text keys, and fingerprints
that say two texts are copies of one story."""

from __future__ import annotations

import hashlib
import heapq
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import xxhash

if TYPE_CHECKING:
    from .models import Classification, Entry
    from .store import Store


def canonical_url(url: str) -> str:
    """Scheme and host in lower case, tracking parameters (utm_*, fbclid, ...) and fragments dropped,
    the remaining query sorted: one article, one key, however a feed decorates its link."""
    if not url:
        return ""
    from courlan import normalize_url  # noqa: PLC0415 - 90 ms of imports (urllib3) that a poll of unchanged feeds never needs

    try:
        normal = normalize_url(url.strip(), strict=False)
    except (ValueError, AttributeError):
        normal = url.strip()
    parts = urlsplit(normal)
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query, ""))


# ---------------------------------------------------------------- near duplicates
#
# A fingerprint is a bottom-k sketch: the k smallest 64-bit hashes of the text's word shingles.
# Two sketches estimate the Jaccard resemblance of the shingle sets (the share of the k smallest
# hashes of their union found in both); with the exact set sizes that gives the containment of the
# smaller text in the larger, which an added or dropped paragraph barely moves. The sketch values
# are indexed in the store, so candidates come from index lookups, never from a scan.

SKETCH_SIZE = 64
SHINGLE_WORDS = 4


@dataclass(frozen=True, slots=True)
class Fingerprint:
    sketch: tuple[int, ...]  # the smallest shingle hashes, ascending, 63-bit (they fit SQLite's signed integers)
    shingles: int  # how many distinct shingles the text has

    @property
    def empty(self) -> bool:
        return not self.sketch


@dataclass(frozen=True, slots=True)
class TextKeys:
    """Both keys of one text, from one pass over its words."""

    text_key: str
    fingerprint: Fingerprint


def text_keys(text: str) -> TextKeys:
    paragraphs = _paragraphs(text)
    return TextKeys(_key_of(b" ".join(b" ".join(words) for words in paragraphs if words)), _fingerprint_of(paragraphs))


def fingerprint(text: str) -> Fingerprint:
    return _fingerprint_of(_paragraphs(text))


def _paragraphs(text: str) -> list[list[bytes]]:
    """The words of each paragraph: what shingles are made of (they do not cross a paragraph's end)."""
    return [_words(p) for p in _plain(text.lower(), _LINE_BREAKS).splitlines()]


def text_key(text: str) -> str:
    """Exact duplicates: the same words, whatever the spacing, case and punctuation."""
    return _key_of(b" ".join(_words(_plain(text.lower()))))


# The words of a text are the runs of letters and digits (str.isalnum, the regular expression
# [^\W_]+), found in C rather than by that expression, which costs 0.35 ms for every 10 KB: the
# other characters outside ASCII (quotes, dashes) are made spaces one kind at a time, then the text
# is split as UTF-8 bytes with every ASCII separator made a space.
_NOT_ASCII = re.compile(r"[^\x00-\x7f]")
_LINE_BREAKS = "\x85\u2028\u2029"  # the line breaks of str.splitlines outside ASCII
_ASCII_SEPARATORS = bytes(c if c >= 0x80 or chr(c).isalnum() else 0x20 for c in range(256))


def _plain(text: str, keep: str = "") -> str:
    """The text with each character outside ASCII that is not a letter or digit made a space (but those in keep)."""
    if text.isascii():
        return text
    for c in set(_NOT_ASCII.findall(text)):
        if not c.isalnum() and c not in keep:
            text = text.replace(c, " ")
    return text


def _words(plain: str) -> list[bytes]:
    """The words of a text made plain, UTF-8 encoded."""
    return plain.encode().translate(_ASCII_SEPARATORS).split()


def entry_key(entry: Entry) -> str:
    """What a feed says of an item; when it changes, the item is read again. The feed's own link, not the
    publisher's URL resolved from it, so a link decoded in one cycle and not in the next is no change."""
    return text_key(f"{entry.title}\n{entry.summary}\n{entry.via or entry.link}")


def _key_of(words: bytes) -> str:
    """The key of a text's words, joined by one space."""
    return hashlib.sha1(words).hexdigest()


def _fingerprint_of(paragraphs: list[list[bytes]]) -> Fingerprint:
    hashes = _shingle_hashes(paragraphs)
    return Fingerprint(tuple(h >> 1 for h in _smallest(hashes)), len(hashes))


def _shingle_hashes(paragraphs: list[list[bytes]]) -> set[int]:
    # Shingles stay within a paragraph and form a set: a page that repeats its own paragraphs,
    # or moves them around, has the same fingerprint as one that says each once. Joining and
    # hashing run in C (map over bytes.join and xxh3): a Python call per shingle cost 1.2 ms a text.
    # The set of hashes of every shingle is that of the distinct ones, so no set of shingles is built.
    hashes: set[int] = set()
    for words in paragraphs:
        if len(words) <= SHINGLE_WORDS:
            if words:
                hashes.add(xxhash.xxh3_64_intdigest(b" ".join(words)))
            continue
        hashes.update(map(xxhash.xxh3_64_intdigest, map(b" ".join, zip(*(words[i:] for i in range(SHINGLE_WORDS))))))
    return hashes


def _smallest(hashes: set[int]) -> list[int]:
    """The SKETCH_SIZE smallest hashes, ascending. The hashes are uniform over 64 bits, so those under
    a cutoff that about 3 * SKETCH_SIZE of them pass hold the smallest (a quarter cheaper than
    heapq.nsmallest over 1,700 hashes); in the unlikely case that fewer pass, all are looked at."""
    if len(hashes) > 4 * SKETCH_SIZE:
        cutoff = (3 * SKETCH_SIZE << 64) // len(hashes)
        below = [h for h in hashes if h < cutoff]
        if len(below) >= SKETCH_SIZE:
            return sorted(below)[:SKETCH_SIZE]
    return heapq.nsmallest(SKETCH_SIZE, hashes)


def resemblance(a: Fingerprint, b: Fingerprint) -> float:
    """Estimated share of the smaller text's shingles found in the larger one (containment), 0..1."""
    if a.empty or b.empty:
        return 0.0
    in_a, in_b = set(a.sketch), set(b.sketch)
    both = in_a & in_b
    if not both:
        return 0.0
    union_bottom = sorted(in_a | in_b)[:SKETCH_SIZE]
    jaccard = len(both.intersection(union_bottom)) / len(union_bottom)
    if jaccard == 0:
        return 0.0
    return _containment(jaccard, a.shingles, b.shingles)


def shingles(text: str) -> set[int]:
    """The hashes of every shingle of a text: what containment counts."""
    return _shingle_hashes(_paragraphs(text))


def containment(a: set[int], b: set[int]) -> float:
    """The share of the smaller text's shingles (see shingles) found in the larger one, counted over
    every shingle: what resemblance estimates from two sketches. The estimate rests on the values of
    the smaller text that fall among the smallest of both, only a handful when one text is many times
    the other's length (an article and a long page): a sentence they share can then make a near copy
    of two different texts. Counted for the candidates the estimate accepts (a millisecond a pair)."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def _containment(jaccard: float, a: int, b: int) -> float:
    intersection = jaccard * (a + b) / (1 + jaccard)
    return min(1.0, intersection / min(a, b))


def resemblance_at_most(a: Fingerprint, b: Fingerprint) -> float:
    """An upper bound of resemblance(a, b) from the values both sketches hold, without sorting their
    union: of the bottom of the union, at most every shared value is shared. Containment rises with
    the Jaccard estimate, so a pair whose bound is under the threshold is under it too."""
    if a.empty or b.empty:
        return 0.0
    return _bound(a, len(set(a.sketch).intersection(b.sketch)), len(b.sketch), b.shingles)


def resemblance_bound(a: Fingerprint, shared_at_most: int, shingles: int) -> float:
    """An upper bound of resemblance_at_most(a, b) from how many values b's sketch may share with a's
    and b's shingle count alone (its sketch holds the smallest SKETCH_SIZE of that many values): the
    bound rises with the values shared, so a pair under it is under the other too."""
    if a.empty or not shingles:
        return 0.0
    size = min(SKETCH_SIZE, shingles)
    return _bound(a, min(shared_at_most, len(a.sketch), size), size, shingles)


def _bound(a: Fingerprint, both: int, size: int, shingles: int) -> float:
    if not both:
        return 0.0
    union_bottom = min(SKETCH_SIZE, len(a.sketch) + size - both)
    return _containment(min(1.0, both / union_bottom), a.shingles, shingles)


def conflicting_totals(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> bool:
    """Two reports that give different figures for the same series are different stories,
    however alike their wording (two write-ups of one briefing, a day apart)."""
    figures_a = {(t["since"], t["region"]): t["count"] for t in a if t.get("since")}
    return any(
        t.get("since") and (t["since"], t["region"]) in figures_a and figures_a[(t["since"], t["region"])] != t["count"]
        for t in b
    )


def find_story(
    store: Store,
    fp: Fingerprint,
    c: Classification,
    published: datetime,
    window: timedelta,
    threshold: float,
    text: str | None = None,
) -> int | None:
    """The story this text is a copy of: the most alike stored text within the window, if alike enough
    and not reporting a different figure for the same series. Given the text, a candidate the sketches
    find alike enough is counted exactly (containment) before it is taken."""
    best, best_score = None, threshold
    tallies = [t.as_label() for t in c.tallies]
    mine: set[int] | None = None  # the text's shingles, counted once, for the first candidate that needs them
    for candidate in store.near_duplicate_candidates(fp.sketch, published - window, published + window):
        # Most candidates share a few stock phrases: the values the lookup counted turn them away
        # before their sketch is read, then the values both sketches hold before the exact estimate.
        if resemblance_bound(fp, candidate.shared_at_most, candidate.shingles) < best_score:
            continue
        other = Fingerprint(store.sketch_of(candidate.id), candidate.shingles)
        if resemblance_at_most(fp, other) < best_score:
            continue
        score = resemblance(fp, other)
        if score < best_score:
            continue
        stored = store.item_text(candidate.id) if text else None
        if stored:  # none once retention pruned it: the estimate stands
            if mine is None:
                mine = shingles(text or "")
            score = containment(mine, shingles(stored))
        if score < best_score:
            continue
        story_id, theirs = store.story_and_tallies(candidate.id)
        if not conflicting_totals(tallies, theirs):
            best, best_score = story_id, score
    return best


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a new item goes: a story (story_id, None for a new one of its own), or nowhere, because
    its outlet already carries it (same_as: that item)."""

    story_id: int | None = None
    same_as: int | None = None


def place(
    store: Store,
    feed: str,
    guid: str,
    url: str,
    keys: TextKeys,
    c: Classification,
    published: datetime,
    window: timedelta,
    threshold: float,
    text: str | None = None,
) -> Placement:
    """The story of a new item: the one its very text is in, else the one it is a near copy of
    (text: the item's, to count a near copy exactly; see find_story)."""
    earlier = store.stored_entry(feed, guid, url)
    if earlier:  # stored by this feed earlier in the cycle under another GUID
        return Placement(same_as=earlier.id)
    same = store.same_text(keys.text_key, published - window, published + window)
    mine = [row for row in same if row.feed == feed]
    if mine:  # this outlet already carries this very text
        return Placement(same_as=mine[0].id)
    if same:
        return Placement(story_id=same[0].story_id)
    return Placement(story_id=find_story(store, keys.fingerprint, c, published, window, threshold, text))
