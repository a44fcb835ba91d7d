"""Sentences of an article, with their offsets, for rules and tallies."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

# A period after one of these does not end a sentence ("U.S. forces", "Oct. 17", "Brig. Gen. Ryder").
ABBREVIATIONS = frozenset(
    """u.s u.k u.n u.s.-led a.m p.m jan feb mar apr jun jul aug sep sept oct nov dec
    gen lt col brig maj capt sgt spc adm cmdr mr mrs ms dr st sen rep gov pres jr sr
    no vs etc inc corp co mt ft d.c""".split()
)

_CANDIDATE_END = re.compile(r"[.!?]+[\"'”’)]*(?=\s)")
_WORD = re.compile(r"[\w][\w'’.-]*")


@dataclass(frozen=True, slots=True)
class Sentence:
    text: str
    start: int  # offset in the article text


def normalise(text: str) -> str:
    """Fold typographic quotes and non-breaking spaces, so rules see one spelling."""
    return (
        text.replace("\u2019", "'")
        .replace("\u2018", "'")
        .replace("\u201c", '"')
        .replace("\u201d", '"')
        .replace("\u00a0", " ")
        .replace("\u2013", "-")
        .replace("\u2014", " - ")
    )


def split_sentences(text: str) -> list[Sentence]:
    sentences: list[Sentence] = []
    for para in re.finditer(r"[^\n]+", text):
        chunk, base = para.group(), para.start()
        start = 0
        for end_match in _CANDIDATE_END.finditer(chunk):
            end = end_match.end()
            before = chunk[start:end_match.start()].rsplit(None, 1)
            last_word = before[-1].lower().rstrip(".") if before else ""
            if last_word.lstrip("(\"'") in ABBREVIATIONS:
                continue
            following = chunk[end:].lstrip()
            if following and following[0].islower():
                continue
            _append(sentences, chunk, base, start, end)
            start = end
        _append(sentences, chunk, base, start, len(chunk))
    return sentences


def _append(out: list[Sentence], chunk: str, base: int, start: int, end: int) -> None:
    piece = chunk[start:end]
    stripped = piece.strip()
    if stripped:
        out.append(Sentence(stripped, base + start + (len(piece) - len(piece.lstrip()))))


def term_regex(term: str) -> str:
    """A rules-file term as a regex: whole words, '-' = space, 'US' upper case only, trailing * = any ending."""
    parts = []
    for word in re.split(r"[\s-]+", term.strip()):
        if word.upper() in ("US", "U.S.", "U.S"):
            # Upper case only: "us" the pronoun is no actor.
            parts.append(r"(?-i:U\.?S\.?)")
        elif word.upper() in ("UK", "U.K."):
            parts.append(r"(?-i:U\.?K\.?)")
        else:
            wild = word.endswith("*")
            core = re.escape(word.rstrip("*")).replace("'", "['’]")
            parts.append(core + (r"\w*" if wild else ""))
    body = r"[\s-]+".join(parts)
    tail = "" if body.endswith(r"\.?") else r"(?!\w)"
    return r"(?<![\w-])" + body + tail


# Tokens are runs of letters and digits, with inner apostrophes ("Iran's"); hyphens and spaces both
# separate them, so "Iran-backed" and "Iran backed" match alike. Upper-case "US"/"U.S." (and UK)
# become a token of their own before lower-casing, so the pronoun "us" never matches them.
_TOKEN = re.compile(r"\w+(?:'\w+)*")
# One pattern for U.S./US and U.K./UK; it opens with a literal "U", which the regex engine can skip to.
_US_UK = re.compile(r"(?<![A-Za-z.])U(?:\.([SK])\.?|([SK]))(?![A-Za-z])")
_US_TOKEN, _UK_TOKEN = "ǔs", "ǔk"


def _prepare(text: str) -> str:
    """Lower-cased, with upper-case US/UK made tokens of their own, padded so every offset stays put."""
    return _US_UK.sub(lambda m: ("ǔ" + (m.group(1) or m.group(2)).lower()).ljust(len(m.group())), text).lower()


def tokenize(text: str) -> list[str]:
    """Split and lower-case in C: a few regex passes, no Python call per token."""
    return _TOKEN.findall(_prepare(text))


@dataclass(frozen=True, slots=True)
class Tokens:
    """A text's sentences and their normalised tokens, computed once and shared by every lexicon."""

    sentences: list[Sentence]
    tokens: list[str]
    bounds: list[int]  # index of each sentence's first token; one more at the end
    positions: dict[str, list[int]]  # token -> where it occurs

    @classmethod
    def of(cls, sentences: list[Sentence], text: str | None = None) -> "Tokens":
        """The tokens of each sentence; given the text the sentences were split from, it is prepared once."""
        tokens: list[str] = []
        bounds = [0]
        prepared = _prepare(text) if text is not None else None
        if prepared is not None and len(prepared) != len(text):
            prepared = None  # lower() changed a length (rare scripts): tokenise sentence by sentence
        for sentence in sentences:
            if prepared is not None:
                tokens += _TOKEN.findall(prepared, sentence.start, sentence.start + len(sentence.text))
            else:
                tokens += tokenize(sentence.text)
            bounds.append(len(tokens))
        positions: dict[str, list[int]] = {}
        for i, t in enumerate(tokens):
            positions.setdefault(t, []).append(i)
        return cls(sentences, tokens, bounds, positions)


@dataclass(frozen=True, slots=True)
class Hit:
    sentence: int  # index of the sentence it is in
    token: int  # token index in the text: word distances are token distances
    lists: frozenset[str]


class Lexicon:
    """Named term lists, matched in one pass over the tokens of a text: a dict from a term's first
    token to the terms that start with it. Overlapping terms all match ("retaliatory airstrikes"
    is both a retaliatory strike and an airstrike)."""

    def __init__(self, lists: dict[str, list[str]]):
        by_first: dict[str, dict[tuple[str, ...], set[str]]] = {}
        wild: dict[tuple[tuple[str, ...], str], set[str]] = {}
        for name, terms in lists.items():
            for term in terms:
                raw = term.strip()
                tokens = tuple(tokenize(raw.rstrip("*")))
                if not tokens:
                    continue
                if raw.endswith("*"):
                    wild.setdefault((tokens[:-1], tokens[-1]), set()).add(name)
                else:
                    by_first.setdefault(tokens[0], {}).setdefault(tokens, set()).add(name)
        self._exact = {k: [(seq, frozenset(v)) for seq, v in d.items()] for k, d in by_first.items()}
        self._wild = [(head, prefix, frozenset(v)) for (head, prefix), v in wild.items()]
        self._prefixes = tuple(prefix for _, prefix, _ in self._wild)
        self._entries: dict[str, list] = {}

    def _entries_for(self, token: str) -> list:
        """Terms a token can complete or start, exact and wildcard alike, memoised per token."""
        entries = self._entries.get(token)
        if entries is None:
            entries = [(seq, names, 0) for seq, names in self._exact.get(token, ())]
            entries += [(head, names, len(head)) for head, prefix, names in self._wild if token.startswith(prefix)]
            if len(self._entries) < 200_000:
                self._entries[token] = entries
        return entries

    def scan(self, toks: Tokens) -> list[Hit]:
        tokens, bounds = toks.tokens, toks.bounds
        present = toks.positions.keys()
        # Only the tokens that can start (or, for wildcards, end) a term are visited.
        visit = self._exact.keys() & present
        if self._prefixes:
            visit |= {t for t in present if t.startswith(self._prefixes)}
        hits = []
        for token in visit:
            entries = self._entries_for(token)
            for i in toks.positions[token]:
                for seq, names, back in entries:
                    if back:  # a wildcard term: its head precedes this token
                        if i >= back and tuple(tokens[i - back : i]) == seq:
                            hits.append(Hit(bisect_right(bounds, i - back) - 1, i - back, names))
                    elif len(seq) == 1 or tuple(tokens[i : i + len(seq)]) == seq:
                        hits.append(Hit(bisect_right(bounds, i) - 1, i, names))
        hits.sort(key=lambda h: h.token)
        return hits
