"""Article text -> the running totals of attacks on US forces that it reports.

A tally is a count ("at least 23 attacks", "169 times", "the 144th attack") with its qualifier,
the period it covers (since, until, resolved against the publication date) and its region. The
words (what is counted, targets, regions, rolling windows, named events) come from
config/tallies.toml (vocabulary); the grammar is in steps, each a module:

- numbers: a figure as written (digits, words, ordinals, dozens) and its qualifier;
- candidates: which figures of a sentence count attacks (a counted noun, "times", a figure reached,
  a regional part of a total), with target: whether they are attacks on US or coalition forces;
- period: since and until, from the clause, the sentence, its neighbours, then the headline
  (dates: calendar dates in text);
- regions: the one region a figure counts, else the total;
- extract: the steps over a whole text, one tally per figure, and the trace `monitor explain` shows.
"""

from .extract import FigureTrace, explain_tallies, extract_tallies, tallies_in
from .numbers import NUMBER_WORDS, ORDINAL_WORDS, parse_number
from .clauses import clause_starts
from .vocabulary import LEXICON_PREFIX, Event, TallyTerms, compile_tally_terms

__all__ = [
    "LEXICON_PREFIX",
    "NUMBER_WORDS",
    "ORDINAL_WORDS",
    "Event",
    "FigureTrace",
    "TallyTerms",
    "clause_starts",
    "compile_tally_terms",
    "explain_tallies",
    "extract_tallies",
    "parse_number",
    "tallies_in",
]
