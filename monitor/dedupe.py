"""Keys that say two items are the same: canonical URLs, exact text keys, and fingerprints
that say two texts are copies of one story."""

from __future__ import annotations

import hashlib
import heapq
import re
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from courlan import normalize_url


def canonical_url(url: str) -> str:
    """Scheme and host in lower case, tracking parameters (utm_*, fbclid, ...) and fragments dropped,
    the remaining query sorted: one article, one key, however a feed decorates its link."""
    if not url:
        return ""
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
_WORDS = re.compile(r"[^\W_]+")


@dataclass(frozen=True, slots=True)
class Fingerprint:
    sketch: tuple[int, ...]  # the smallest shingle hashes, ascending, as signed 64-bit ints for SQLite
    shingles: int  # how many distinct shingles the text has

    @property
    def empty(self) -> bool:
        return not self.sketch


def _hash(shingle: str) -> int:
    return int.from_bytes(hashlib.blake2b(shingle.encode(), digest_size=8).digest(), "big", signed=True)


def fingerprint(text: str) -> Fingerprint:
    # Shingles stay within a paragraph and form a set: a page that repeats its own paragraphs,
    # or moves them around, has the same fingerprint as one that says each once.
    shingles: set[str] = set()
    for paragraph in text.lower().splitlines():
        words = _WORDS.findall(paragraph)
        if len(words) <= SHINGLE_WORDS:
            if words:
                shingles.add(" ".join(words))
            continue
        shingles.update(" ".join(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1))
    hashes = {_hash(s) for s in shingles}
    return Fingerprint(tuple(heapq.nsmallest(SKETCH_SIZE, hashes)), len(hashes))


def resemblance(a: Fingerprint, b: Fingerprint) -> float:
    """Estimated share of the smaller text's shingles found in the larger one (containment), 0..1."""
    if a.empty or b.empty:
        return 0.0
    union_bottom = heapq.nsmallest(SKETCH_SIZE, set(a.sketch) | set(b.sketch))
    both = set(a.sketch) & set(b.sketch)
    jaccard = sum(1 for h in union_bottom if h in both) / len(union_bottom)
    if jaccard == 0:
        return 0.0
    intersection = jaccard * (a.shingles + b.shingles) / (1 + jaccard)
    return min(1.0, intersection / min(a.shingles, b.shingles))


def text_key(text: str) -> str:
    """Exact duplicates: the same words, whatever the spacing, case and punctuation."""
    return hashlib.sha1(" ".join(_WORDS.findall(text.lower())).encode()).hexdigest()


def conflicting_totals(a: list[dict], b: list[dict]) -> bool:
    """Two reports that give different figures for the same series are different stories,
    however alike their wording (two write-ups of one briefing, a day apart)."""
    figures_a = {(t["since"], t["region"]): t["count"] for t in a if t.get("since")}
    return any(
        t.get("since") and (t["since"], t["region"]) in figures_a and figures_a[(t["since"], t["region"])] != t["count"]
        for t in b
    )
