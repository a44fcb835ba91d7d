"""A sentence's clauses: where they part, and the start each clause of several counts states."""

from __future__ import annotations

from typing import Final

import re
from datetime import date
from functools import lru_cache

from ..text import tokenize
from .period import _period, _Period
from .vocabulary import TallyTerms

# ... and what a count leaves out: "..., not counting the drones they launched at Eilat".
_CLAUSE_SPLIT: Final = re.compile(
    r";|,\s+(?:and|but|while|whereas)\s+|\s+-\s+|,\s+(?=not\s+counting|not\s+including|excluding)"
)
# A figure's own clause for its period also ends at ", including": "74 since Oct. 17, including 30 since mid-November".
# So does a participle that carries a new total: "twice on Wednesday, raising the total since Oct. 17 to 46".
_PERIOD_CLAUSE_SPLIT: Final = re.compile(
    r";|,\s+(?:and|but|while|whereas|including|bringing|raising|pushing|lifting|taking)\s+|\s+-\s+"
    # and a part counted out of it: "at least five since Tuesday, three of them in the past 24 hours"
    r"|,\s+(?=[\w-]+\s+of\s+(?:them|those|these)\b)"
)


@lru_cache(maxsize=64)  # the rules ask again for the same sentence, once per rule
def clause_starts(sentence: str, first_token: int) -> tuple[int, ...]:
    """The index (in the text's tokens) of the first token of each clause of a sentence after its
    first ("; ", " - ", ", and/but/while/whereas ", and the comma after an opening "After Hamas' Oct. 7
    attack on Israel,"); first_token is the sentence's own first token."""
    opener = _OPENER.match(sentence)
    cuts = sorted({*(m.start() for m in _CLAUSE_SPLIT.finditer(sentence)), *((opener.end() - 1,) if opener else ())})
    return tuple(first_token + len(tokenize(sentence[:at])) for at in cuts)


# A sentence's opening phrase of time, its own clause: "After Hamas' Oct. 7 attack on Israel, militias ...".
_OPENER: Final = re.compile(r"(?:After|Since|Following|Amid|During|In the wake of)\s[^,;]{3,80},")


def _clause_periods(
    sentence: str, low: str, starts: list[int], published: date | None, terms: TallyTerms
) -> list[_Period | None]:
    """For each count (where it starts in the sentence), the start its own clause states, where the
    sentence has more than one clause with counts; else None (the sentence's period holds)."""
    cuts = [m.start() for m in _PERIOD_CLAUSE_SPLIT.finditer(low)]
    if not cuts:
        return [None] * len(starts)
    bounds = [0, *cuts, len(sentence)]
    clause_of = [next(i for i in range(len(bounds) - 1) if bounds[i] <= at < bounds[i + 1]) for at in starts]
    if len(set(clause_of)) < 2:
        return [None] * len(starts)
    own: dict[int, _Period | None] = {}
    for i in set(clause_of):
        text = sentence[bounds[i] : bounds[i + 1]]
        period = _period(text, low[bounds[i] : bounds[i + 1]], tokenize(text), published, terms, rolling=False)
        # A start of its own, or a window that rolls ("- eight of them in the past week"): no start.
        own[i] = period if period.explicit else None
    return [own[i] for i in clause_of]
