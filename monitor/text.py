"""Sentences of an article, with their offsets, for rules and tallies."""

from __future__ import annotations

import re
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
