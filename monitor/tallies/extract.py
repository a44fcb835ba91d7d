"""The tallies of a text: each sentence that may hold one goes through candidates, then period;
a figure said twice is one tally. With a trace, every figure and why it was taken or not."""

from __future__ import annotations

from typing import Final

from bisect import bisect_right
from dataclasses import dataclass, replace
from datetime import date

from ..models import Tally
from ..text import Found, Tokens, lower, normalise, tokenize
from .candidates import _DIGIT, _counts_in, _figure_matches, _may_hold_count
from .clauses import _clause_periods, clause_starts
from .context import _period_nearby, after_target, asked_how_many, attacks_on_others, date_headline_figures
from .context import list_line, list_part, names_the_total, names_us_forces
from .dates import _date_spans
from .numbers import NUMBER_WORDS
from .period import _may_have_start, _period
from .regions import bases_region, counts_at_a_base
from .vocabulary import (
    BASE_AGAIN,
    BASES_OF,
    _ANAPHORS,
    _ATTACK_WORDS,
    _EXCLUDED,
    _OF_THE,
    _ROLLING,
    _TARGETS,
    TallyTerms,
)


def extract_tallies(text: str, published: date | None, terms: TallyTerms) -> list[Tally]:
    """Every reported count of attacks on US or coalition forces in the text, in order, each once."""
    text = normalise(text)
    return tallies_in(Tokens.of(text), 0, published, terms)


@dataclass(frozen=True)
class FigureTrace:
    """One figure the extractor looked at: taken as a tally or not, and why (for `monitor explain`)."""

    sentence: str
    figure: str  # the words of the figure, with its qualifier
    taken: bool
    reason: str
    period_phrase: str | None  # the words that set since or until
    tally: Tally | None


def explain_tallies(title: str, text: str, published: date | None, terms: TallyTerms) -> list[FigureTrace]:
    """Every figure of the article's sentences, taken or not and why, the way classify reads them:
    the headline is read for periods only, the body for tallies."""
    head = normalise(title or "").strip()
    body = normalise(text)
    tokens = Tokens.of(f"{head}\n{body}" if head else body)
    first = (
        next((i for i, s in enumerate(tokens.sentences) if s.start >= len(head)), len(tokens.sentences)) if head else 0
    )
    trace: list[FigureTrace] = []
    tallies_in(tokens, first, published, terms, trace=trace)
    return trace


def _figures(sentence: str, terms: TallyTerms) -> list[str]:
    """The numbers of a sentence, dates and years aside: what a rejected sentence is shown with."""
    low = lower(sentence)
    for start, end in _date_spans(low, tokenize(sentence)):
        low = low[:start] + "#" * (end - start) + low[end:]
    return [m.group() for m in _figure_matches(low, tokenize(sentence), terms)]


def tallies_in(
    tokens: Tokens,
    first: int,
    published: date | None,
    terms: TallyTerms,
    found_in: Found | None = None,
    trace: list[FigureTrace] | None = None,
    gate: bool = True,
) -> list[Tally]:
    """The tallies of a text already split and tokenised, its terms already found by a lexicon that
    holds the tally lists (else they are looked up). Sentences before index first are the headline:
    read for tallies like the body, and as the last place a figure's period is looked for.

    A figure's period is looked for in this order: its own sentence (see _period); the total before
    it, when the sentence refers back to one ("Of those, 29 ..."); the sentence before it and the
    sentence after it in the same paragraph; the headline. With trace, every figure of every sentence is recorded there, taken or not, and why; with gate
    off, the cheap look for a figure is skipped (the grammar alone decides: for testing the gate)."""
    tallies: list[Tally] = []
    if found_in is None:
        found_in = terms.lexicon.scan(tokens)
    read: set[str] = set()
    base_region: object = _UNKNOWN  # the one region of all the bases the text names, looked up when needed
    taken: list[tuple[Tally, int]] = []  # each tally taken, and its place in trace
    from_headline: set[int] = set()
    sums: set[int] = set()  # the totals made by adding up regional parts
    undated: set[int] = set()  # headline figures with no period stated near them

    def reject(sentence: str, reason: str, figures: list[str] | None = None) -> None:
        if trace is not None:
            trace.extend(
                FigureTrace(sentence, f, False, reason, None, None) for f in (figures or _figures(sentence, terms))
            )

    # Only a sentence with attack words, or one referring back to a total, can hold a tally; or the
    # answer to a question (see asked_how_many), which may hold no term at all.
    answers = (
        {
            i + k
            for i in found_in
            for k in (1, 2)
            if i + k < len(tokens.sentences) and tokens.sentences[i].text.rstrip().endswith("?")
        }
        if "?" in tokens.text
        else set()
    )
    # List lines breaking a total down ("- Iraq: 79"), which may hold no term at all.
    lines = {i for i, x in enumerate(tokens.sentences) if list_line(x.text, terms)} if ":" in tokens.text else set()
    indices = range(len(tokens.sentences)) if trace is not None else sorted({*found_in, *answers, *lines})
    last_total = -9  # the sentence of the last tally taken
    for index in indices:
        names = found_in.get(index, {})
        s = tokens.sentences[index].text
        names_total = _OF_THE in names and bool(tallies) and names_the_total(s, tallies[-1].count)
        part = list_part(s, terms, tallies, index - last_total) if index in lines else None
        if part is not None:
            tallies.append(part)
            taken.append((part, len(trace or ())))
            if trace is not None:
                trace.append(FigureTrace(s, str(part.count), True, "a list line of the total before", None, part))
            last_total = index
            continue
        # The answer to "How many times have U.S. troops been attacked since Oct. 17?" counts them.
        question = asked_how_many(tokens, index, found_in) if index in answers else None
        if _ATTACK_WORDS not in names and _ANAPHORS not in names and not names_total and question is None:
            reject(s, "no attack word in the sentence")
            continue
        # Pages repeat paragraphs (a pull quote, a botched template): the same figure said twice is one tally.
        if s in read:
            reject(s, "the sentence was read before")
            continue
        read.add(s)
        # Something else attacked or counted (ships, ISIS) voids the clauses that name it, not the others:
        # "... attacked U.S. forces 140 times, while the Houthis launched 30 attacks on shipping".
        clauses: tuple[int, ...] = ()
        elsewhere: set[int] = set()
        if _EXCLUDED in names:
            clauses = clause_starts(s, tokens.bounds[index])
            elsewhere = {bisect_right(clauses, q) for q in names[_EXCLUDED]}
            if len(elsewhere) > len(clauses):
                reject(s, "the sentence names something else that is attacked or counted (an excluded term)")
                continue
        has_target = _TARGETS in names or question is not None
        refers_back = bool(tallies) and (_ANAPHORS in names or names_total)
        if not refers_back and _ATTACK_WORDS not in names and question is None:
            reject(s, "refers back to a total, but none was given before")
            continue
        words = tokens.words[index]
        # Without a target, a figure needs a start of its own (below), and _period finds one only
        # where one of these words is: looked at first, so an unrelated sentence costs nothing more.
        if (
            not has_target
            and not refers_back
            and not tallies
            and not _may_have_start(words)
            and not after_target(tokens, index, found_in)
        ):
            reject(s, "no US or coalition target named, and no start of its own")
            continue
        # A start of its own is not enough in an article that never names US or coalition forces
        # ("more than 50 attacks on residential areas since Thursday").
        # ... nor in a sentence of attacks on someone else ("its attacks on Iraqi security forces ...").
        if (
            not has_target
            and not refers_back
            and (attacks_on_others(s, terms) or not any(names_us_forces(here) for here in found_in.values()))
        ):
            reject(s, "the article names no US or coalition forces, or the sentence attacks on someone else")
            continue
        if gate and NUMBER_WORDS.isdisjoint(words) and not _DIGIT.search(s):
            continue
        if gate and not refers_back and question is None and not _may_hold_count(words, terms):
            reject(s, "no number with a counted noun, an ordinal or a figure reached")
            continue
        low = lower(s)
        rejected: list[tuple[str, str]] | None = [] if trace is not None else None
        counts = _counts_in(
            s,
            low,
            words,
            terms,
            after_total=tallies[-1].count if refers_back else 0,
            rejected=rejected,
            answering=question is not None,
        )
        if rejected and trace is not None:
            trace.extend(FigureTrace(s, f, False, why, None, None) for f, why in rejected)
        if elsewhere:
            base = tokens.bounds[index]
            other = [c for c in counts if bisect_right(clauses, base + len(tokenize(s[: c.at]))) in elsewhere]
            reject(
                s,
                "its clause names something else that is attacked or counted (an excluded term)",
                [c.words for c in other],
            )
            counts = [c for c in counts if c not in other]
        if not counts:
            continue
        # A count of attacks on the bases of one region ("the third time in recent weeks that the base has
        # come under attack", all the bases the article names in Iraq) is that region's.
        if (
            len(counts) == 1
            and counts[0].region == "total"
            and (BASE_AGAIN in names or any(name.startswith(BASES_OF) for name in names))
        ):
            if base_region is _UNKNOWN:
                base_region = bases_region(found_in)
            if isinstance(base_region, str) and counts_at_a_base(
                s, counts[0].at, base_region, terms, counts[0].ordinal
            ):
                counts = [replace(counts[0], region=base_region)]
        period = _period(s, low, words, published, terms, rolling=_ROLLING in names)
        if question is not None and period.since is None:
            asked = tokens.sentences[question].text
            in_question = _period(asked, lower(asked), tokens.words[question], published, terms, rolling=False)
            period = replace(
                in_question,
                until=period.until or in_question.until,
                phrase="; ".join(p for p in (in_question.phrase, period.phrase) if p) or None,
            )
        if period.since is None and any(c.increment for c in counts):
            reject(
                s,
                "what was added ('two more attacks'), with no start of its own",
                [c.words for c in counts if c.increment],
            )
            counts = [c for c in counts if not c.increment]
            if not counts:
                continue
        # Nor does the sentence's start pass to it from another clause: "attacked twice on Monday,
        # bringing the total since Oct. 17 to 72".
        if len(counts) > 1 and any(c.increment for c in counts):
            owns = _clause_periods(s, low, [c.at for c in counts], published, terms)
            if any(own is not None for own in owns):
                bare = [c for c, own in zip(counts, owns) if c.increment and (own is None or own.since is None)]
                if bare:
                    reject(s, "what was added ('twice'), with no start in its own clause", [c.words for c in bare])
                    counts = [c for c in counts if c not in bare]
        # Regional parts of the total the sentence before gave: "In Syria alone, militias have struck 48 times".
        parts_of_last = (
            index > first
            and bool(tallies)
            and tallies[-1].sentence == tokens.sentences[index - 1].text
            and all(c.region != "total" and 1 < c.count < tallies[-1].count for c in counts)
        )
        refers_back = refers_back or (parts_of_last and not period.explicit)
        # Without a target named, a figure counts only beside a total already given: the same figure
        # again ("27 attacks in all"), or one with its own start ("83 attacks since Biden took office").
        if (
            not has_target
            and not refers_back
            and period.since is None
            and not any(c.count == t.count for c in counts for t in tallies)
            and not (all(c.ordinal for c in counts) and after_target(tokens, index, found_in))
            # A rolling window's count right after the sentence that gave a total ("... more than 60 times
            # since Oct. 17. In the past week alone, there were nearly a dozen attacks.").
            and not (
                index > 0
                and _ROLLING in names
                and period.explicit
                and bool(tallies)
                and tallies[-1].sentence == tokens.sentences[index - 1].text
            )
        ):
            reject(
                s,
                "no US or coalition target named, no start of its own, and not a figure given before",
                [c.words for c in counts],
            )
            continue
        since, until, phrase = period.since, period.until, period.phrase
        how = "period from its own sentence" if period.explicit else "no period stated"
        # A total named again takes the period of the one before; where that had none (a headline's
        # "now stands at 38"), its neighbours may state it ("The count now stands at 38. The attacks began on Oct. 17").
        # So do regional parts of it under a window that rolls only in name ("a breakdown shared last week
        # put 66 of those in Iraq and 97 in Syria").
        if (
            (not period.explicit or (period.since is None and all(c.region != "total" for c in counts)))
            and refers_back
            and (tallies[-1].since is not None or tallies[-1].until is not None)
        ):
            since, until = tallies[-1].since, period.until or tallies[-1].until
            phrase = next(
                (
                    trace[at].period_phrase
                    for tally, at in reversed(taken)
                    if tally is tallies[-1] and trace is not None
                ),
                None,
            )
            how = "refers back to the total before, and takes its period"
        elif not period.explicit:
            found = _period_nearby(tokens, index, first, found_in, published, terms, tallies, [c.count for c in counts])
            if found:
                where, near = found
                since, until, phrase = near.since, until or near.until, near.phrase
                how = f"period from {where}"
        group = [Tally(c.count, c.qualifier, since, until, c.region, s) for c in counts]
        phrases = [phrase] * len(group)
        if len(counts) > 1:
            # A clause of its own may state its own start: "120 times since Biden took office, and 45 of
            # those attacks came after Hamas' Oct. 7 assault".
            for i, own in enumerate(_clause_periods(s, low, [c.at for c in counts], published, terms)):
                if own is not None:
                    group[i] = replace(group[i], since=own.since, until=own.until or group[i].until)
                    phrases[i] = own.phrase
        figures = [c.words for c in counts]
        totals = [t for t in group if t.region == "total"]
        parts = [t for t in group if t.region != "total"]
        # A total stated beside "at least" parts is itself at least ("at least 14 ... and nine ..., for a total of 23").
        part_qualifiers = {t.qualifier for t in parts}
        if len(part_qualifiers) == 1 and "exact" not in part_qualifiers:
            group = [
                replace(t, qualifier=next(iter(part_qualifiers)))
                if t.region == "total" and t.qualifier == "exact"
                else t
                for t in group
            ]
            totals = [t for t in group if t.region == "total"]
        if len(parts) > 1 and not totals and not refers_back:
            qualifier = next(iter(part_qualifiers)) if len(part_qualifiers) == 1 else "at_least"
            group.append(Tally(sum(t.count for t in parts), qualifier, since, until, "total", s))
            sums.add(id(group[-1]))
            figures.append(" + ".join(c.words for c in counts))
        tallies.extend(group)
        last_total = index
        if index < first:
            from_headline.update(map(id, group))
            if how == "no period stated":
                undated.update(id(t) for t in group if t.since is None and t.until is None)
        if trace is not None:
            for tally, figure, said in zip(group, figures, phrases + [phrase]):
                kind = "the sum of its regional parts" if "+" in figure else (f"a count of attacks ({tally.region})")
                taken.append((tally, len(trace)))
                trace.append(
                    FigureTrace(
                        s,
                        figure,
                        True,
                        f"{kind}; {how if said is phrase else 'period from its own clause'}",
                        said,
                        tally,
                    )
                )
    if undated:
        date_headline_figures(tallies, undated, from_headline, taken, trace)
    # A headline is terse ("27 attacks, six of them since the Oct. 26 strikes"): its figure counts only
    # where the body does not give the same one.
    body_counts = {t.count for t in tallies if id(t) not in from_headline}
    # The sum of parts stands for a total only where the article states none larger for that start
    # ("48 in Iraq ... more than 70 in Syria ... That brings the overall count since Oct. 17 to 127").
    stated = [t for t in tallies if t.region == "total" and id(t) not in sums]
    outgrown = {
        id(t) for t in tallies if id(t) in sums and any(o.since == t.since and o.count > t.count for o in stated)
    }
    out = _one_each(
        [t for t in tallies if (id(t) not in from_headline or t.count not in body_counts) and id(t) not in outgrown]
    )
    if trace is not None:
        for tally, at in taken:
            if not any(tally is o for o in out):
                trace[at] = replace(
                    trace[at],
                    taken=False,
                    tally=None,
                    reason="the sum of parts of a larger total the article states"
                    if id(tally) in outgrown
                    else "the same figure as one given elsewhere in the article: one tally",
                )
    return out


def _one_each(tallies: list[Tally]) -> list[Tally]:
    """The same figure said twice is one tally; where one mention gives its start, keep that one."""
    out: list[Tally] = []
    for t in tallies:
        same = [i for i, o in enumerate(out) if (o.count, o.region) == (t.count, t.region)]
        twin = next((i for i in same if out[i].since == t.since or None in (out[i].since, t.since)), None)
        if twin is None:
            out.append(t)
        elif out[twin].since is None and t.since is not None:
            out[twin] = t
    return out


_UNKNOWN: Final = object()
