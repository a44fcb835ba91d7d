"""Sentences of an article, their tokens, and the lexicon that finds term lists in them."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from typing import Any, Final, NamedTuple

# A period after one of these does not end a sentence ("U.S. forces", "Oct. 17", "Brig. Gen. Ryder").
ABBREVIATIONS: Final = frozenset(
    """u.s u.k u.n u.s.-led a.m p.m jan feb mar apr jun jul aug sep sept oct nov dec
    gen lt col brig maj capt sgt spc adm cmdr mr mrs ms dr st sen rep gov pres jr sr
    no vs etc inc corp co mt ft d.c""".split()
)

# A candidate sentence end: end marks and closing quotes or brackets followed by spaces (not a line
# break), with the first character after them (group 1). A text without "!" or "?" is searched with
# the same pattern opening with a literal ".", which the regex engine finds as fast as str.find
# (a set of characters costs it a test of each character); line breaks are found apart.
_END: Final = re.compile(r"[.!?][.!?]*[\"'”’)]*(?=[^\S\n]+(\S?))")
_END_DOT: Final = re.compile(r"\.[.!?]*[\"'”’)]*(?=[^\S\n]+(\S?))")


class Sentence(NamedTuple):
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
    """A line break always ends a sentence; an end mark ends one unless it closes an abbreviation
    or a lower-case word follows. Each sentence is stripped of the spaces around it."""
    sentences = []
    start = 0
    for cut, end, after in _breaks(text):
        if after is not None:
            if after.islower():
                continue
            before = text[start:cut].rsplit(None, 1)
            if before and before[-1].lower().rstrip(".").lstrip("(\"'") in ABBREVIATIONS:
                continue
            cut = end
        piece = text[start:cut]
        core = piece.strip()
        if core:
            sentences.append(Sentence(core, cut - len(piece.lstrip())))
        start = end
    piece = text[start:]
    core = piece.strip()
    if core:
        sentences.append(Sentence(core, len(text) - len(piece.lstrip())))
    return sentences


def _breaks(text: str) -> list[tuple[int, int, str | None]]:
    """Each line break and candidate sentence end, in order: where it starts and ends, and for an end
    the first character after the spaces that follow it (None for a line break). An end never holds
    a line break, so the two are found apart."""
    ends = _END if "!" in text or "?" in text else _END_DOT
    found: list[tuple[int, int, str | None]] = [(m.start(), m.end(), m.group(1)) for m in ends.finditer(text)]
    at = text.find("\n")
    while at >= 0:
        found.append((at, at + 1, None))
        at = text.find("\n", at + 1)
    found.sort()
    return found


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


class WordStart:
    r"""A regex that matches only where the character before is none of `before` (a set's inside,
    as in [...]): r"\w" for a word's start. Python's re tries a pattern that opens with a
    look-behind or \b at every offset of a text, but skips in C to each character of a set that
    opens one: so the matches are found with [^before](?=body), the offsets after such a
    character where the body matches, then each is matched from there, as search and finditer
    would (the start of the text is tried on its own). first, if given, is what every match opens
    with (a cheaper pattern that fails sooner: "a digit or one of these words")."""

    def __init__(self, body: str, before: str = r"\w", flags: int = 0, first: str = ""):
        self._args = (body, before, flags, first)
        self.pattern = re.compile(f"(?<![{before}])(?:{body})", flags)
        self._after = re.compile(f"[^{before}]" + (f"(?={first})" if first else "") + f"(?=(?:{body}))", flags)

    def __reduce__(self) -> tuple[type[WordStart], tuple[str, str, int, str]]:
        # Compiled (mypyc), a class is unpickled without its constructor's arguments: rebuild it.
        return (WordStart, self._args)

    def search(self, text: str, pos: int = 0) -> re.Match[str] | None:
        """What self.pattern.search(text, pos) finds."""
        if pos == 0:
            m = self.pattern.match(text)
            if m:
                return m
        after = self._after.search(text, max(pos - 1, 0))
        return self.pattern.match(text, after.end()) if after else None

    def finditer(self, text: str, pos: int = 0) -> list[re.Match[str]]:
        """What self.pattern.finditer(text, pos) finds, as a list (the body matches no empty text)."""
        found = []
        end = pos
        if pos == 0:
            m = self.pattern.match(text)
            if m:
                found.append(m)
                end = m.end()
        for after in self._after.finditer(text, max(pos - 1, 0)):
            if after.end() >= end:
                m = self.pattern.match(text, after.end())
                if m:
                    found.append(m)
                    end = m.end()
        return found


def term_starts(terms: list[str]) -> str:
    """A look-ahead for the characters that the terms' regexes (term_regex) can open with, to put
    before their alternation: where none of them is at hand, the alternation fails at once instead
    of trying each term. Empty where a term may open with anything else."""
    chars = set()
    for term in terms:
        word = re.split(r"[\s-]+", term.strip())[0]
        if word.upper() in ("US", "U.S.", "U.S", "UK", "U.K."):
            chars.add("U")
        elif word[:1].isalnum():
            chars.add(word[0])
        elif word[:1] == "'":
            chars.update("'’")
        else:
            return ""
    return "(?=[" + "".join(sorted(chars)) + "])" if chars else ""


# Tokens are runs of letters and digits, with inner apostrophes ("Iran's"); hyphens and spaces both
# separate them, so "Iran-backed" and "Iran backed" match alike. Upper-case "US"/"U.S." (and UK)
# become a token of their own before lower-casing, so the pronoun "us" never matches them.
# It opens with a literal "U" (the look-behind comes after it), so the regex engine skips to each U.
_US_UK: Final = re.compile(r"U(?<![A-Za-z.]U)(?:\.([SK])\.?|([SK]))(?![A-Za-z])")
_NON_ASCII: Final = re.compile(r"[^\x00-\x7f]")
_NON_WORD: Final = re.compile(r"[^\w\s']+")
# An apostrophe is part of a token only between two word characters ("Iran's"); quotes are not.
_STRAY_APOSTROPHE: Final = re.compile(r"'(?:(?<!\w')|(?!\w))")
# Lower-case letters and digits, keep "_" and "'", and make every other ASCII character a space:
# one C-speed pass that leaves each token between spaces, at its offset in the text.
_ASCII_WORDS: Final = str.maketrans({c: (c.lower() if c.isalnum() or c in "_'" else " ") for c in map(chr, range(128))})


def _us_uk_token(m: re.Match[str]) -> str:
    # "u_" and "k_" never come out of real text: "US" and the pronoun "us" stay apart.
    return ("u_" if (m.group(1) or m.group(2)) == "S" else "k_").ljust(len(m.group()))


@lru_cache(maxsize=4096)
def _folded(ch: str) -> str:
    """A non-ASCII character as one ASCII letter where it is an accented Latin one ("é" -> "e"),
    a space where it is no word character; any other letter stays."""
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    if len(base) == 1 and base.isascii() and base.isalnum():
        return base
    return ch if is_word_character(ch) else " "


def is_word_character(ch: str) -> bool:
    """What \\w matches, without the cost of a regex call."""
    return ch.isalnum() or ch == "_"


def _prepare(text: str) -> str:
    """The text lower-cased, accents folded, upper-case US/UK made tokens of their own, and every
    character that is no part of a token a space, so that splitting on spaces gives the tokens;
    each character keeps its offset."""
    if not text.isascii():
        for ch in set(_NON_ASCII.findall(text)):
            text = text.replace(ch, _folded(ch))
    text = _US_UK.sub(_us_uk_token, text)
    if text.isascii():
        prepared = text.translate(_ASCII_WORDS)
    else:
        prepared = lower(_NON_WORD.sub(lambda m: " " * len(m.group()), text))
    return _STRAY_APOSTROPHE.sub(" ", prepared) if "'" in prepared else prepared


def lower(text: str) -> str:
    """Lower case at the same offsets: a letter whose lower case is longer ("İ") is kept as it is."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def tokenize(text: str) -> list[str]:
    return _prepare(text).split()


@dataclass(frozen=True, slots=True)
class Tokens:
    """A text's sentences and their normalised tokens, computed once and shared by every lexicon."""

    sentences: list[Sentence]
    words: list[list[str]]  # the tokens of each sentence
    bounds: list[int]  # index in the text of each sentence's first token; one more at the end
    text: str = ""  # the text itself: where its paragraphs break

    @classmethod
    def of(cls, text: str) -> "Tokens":
        """The sentences of text and the tokens of each; the text is prepared once for all of them."""
        prepared = _prepare(text)
        sentences = split_sentences(text)
        words = [prepared[start : start + len(sentence)].split() for sentence, start in sentences]
        bounds = [0, *accumulate(map(len, words))]
        return cls(sentences, words, bounds, text)

    def same_paragraph(self, a: int, b: int) -> bool:
        """Whether sentences a < b are in one paragraph: no line break between them."""
        first, last = self.sentences[a], self.sentences[b]
        return "\n" not in self.text[first.start + len(first.text) : last.start]


# Where a text's sentences hold terms: sentence index -> term list -> token indices in the text
# (word distances are token distances). Only sentences with a term are keys.
Found = dict[int, dict[str, list[int]]]


class Lexicon:
    """Named term lists, matched in one pass over the tokens of a text. Terms are a trie of tokens,
    walked from each token that starts one. Overlapping terms all match ("retaliatory airstrikes"
    is both a retaliatory strike and an airstrike)."""

    def __init__(self, lists: dict[str, list[str]]):
        self.lists = lists
        trie: dict[Any, Any] = {}  # token -> subtree; the key None holds the lists whose terms end here
        wild: dict[tuple[tuple[str, ...], str], set[str]] = {}
        for name, terms in lists.items():
            for term in terms:
                raw = term.strip()
                tokens = tuple(tokenize(raw.rstrip("*")))
                if not tokens:
                    continue
                if raw.endswith("*"):
                    wild.setdefault((tokens[:-1], tokens[-1]), set()).add(name)
                    continue
                node = trie
                for token in tokens:
                    node = node.setdefault(token, {})
                node.setdefault(None, set()).add(name)
        self._wild = [(head, prefix, tuple(sorted(v))) for (head, prefix), v in wild.items()]
        # token -> (its trie node, the wildcard terms it ends), or None for a token that starts
        # nothing. Tokens are learnt as they are first seen, so that one dict lookup a word serves.
        self._first: dict[str, _Start | None] = {
            token: _Start(*_node(child), self._ends(token)) for token, child in trie.items()
        }

    def __reduce__(self) -> tuple[type[Lexicon], tuple[dict[str, list[str]]]]:
        # Compiled (mypyc), a class is unpickled without its constructor's arguments: rebuild it.
        return (Lexicon, (self.lists,))

    def joined(self, other: "Lexicon") -> "Lexicon":
        """One lexicon for the lists of both, so a text is scanned once for both."""
        return Lexicon({**self.lists, **other.lists})

    def _ends(self, token: str) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
        return [(head, names) for head, prefix, names in self._wild if token.startswith(prefix)]

    def _learn(self, token: str) -> _Start | None:
        """A token seen for the first time: the wildcard terms it ends, if any. Remembered while
        fewer than _MAX_LEARNT tokens are (numbers and names keep coming)."""
        ends = self._ends(token)
        entry = _Start(None, _NO_NEXT, ends) if ends else None
        if len(self._first) < _MAX_LEARNT:
            self._first[token] = entry
        return entry

    def scan(self, toks: Tokens) -> Found:
        first = self._first
        found: Found = {}
        for s, words in enumerate(toks.words):
            base, n = toks.bounds[s], len(words)
            here: dict[str, list[int]] = {}
            for j, word in enumerate(words):
                entry = first.get(word, _UNSEEN)
                if entry is None:
                    continue
                if entry is _UNSEEN:
                    entry = self._learn(word)
                    if entry is None:
                        continue
                names = entry.names
                children = entry.children
                ends = entry.ends
                if names:
                    _add(here, names, base + j)
                k = j + 1
                # Most tokens that start a term are its first word ("the", "of"): one look at the next token.
                while children and k < n:
                    node = children.get(words[k])
                    if node is None:
                        break
                    names, children = node
                    if names:
                        _add(here, names, base + j)
                    k += 1
                if ends:
                    for head, names in ends:
                        back = len(head)
                        if j >= back and tuple(words[j - back : j]) == head:
                            _add(here, names, base + j - back)
            if here:
                found[s] = here
        return found


def _add(here: dict[str, list[int]], names: tuple[str, ...], at: int) -> None:
    """Each list of names found at token at (no setdefault: compiled, that is a generic method call)."""
    for name in names:
        found = here.get(name)
        if found is None:
            here[name] = [at]
        else:
            found.append(at)


# A trie node: the lists of the terms that end here, and the next tokens.
_Node = tuple[tuple[str, ...] | None, dict[str, "_Node"]]


class _Start:
    """What a token starts: the lists of the one-word terms it is, the next tokens of the longer ones,
    and the wildcard terms it ends (their heads before it). A class, not a tuple: compiled (mypyc),
    a tuple is copied in and out of the dict, so it has no identity to test (_UNSEEN)."""

    __slots__ = ("names", "children", "ends")

    def __init__(
        self,
        names: tuple[str, ...] | None,
        children: dict[str, _Node],
        ends: list[tuple[tuple[str, ...], tuple[str, ...]]],
    ):
        self.names = names
        self.children = children
        self.ends = ends


_NO_NEXT: Final[dict[str, _Node]] = {}
_UNSEEN: Final = _Start(None, _NO_NEXT, [])
_MAX_LEARNT: Final = 100_000


def _node(branch: dict[Any, Any]) -> _Node:
    names = branch.get(None)
    return (tuple(sorted(names)) if names else None, {k: _node(v) for k, v in branch.items() if k is not None})
