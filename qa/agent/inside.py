"""Where a question puts one item inside another ("政府采购里工程", "三公经费中公务用车",
"公用经费里哪一项最多"). The words that say so are the lexicon's `within`; this module is
the one place that reads them as a split of a metric phrase."""

from __future__ import annotations

import re
from functools import lru_cache

from qa.agent.understand import LEXICON


@lru_cache(maxsize=8)
def _pattern(min_rest: int) -> re.Pattern[str]:
    within = LEXICON.cue_words["within"].pattern
    return re.compile(rf"^\s*(.{{2,14}}?)(?:{within})(.{{{min_rest},}})$")


@lru_cache(maxsize=1)
def _trailing() -> re.Pattern[str]:
    return re.compile(rf"^(.{{2,}}?)(?:{LEXICON.cue_words['within'].pattern})$")


def split_inside(text: str, min_rest: int = 2) -> tuple[str, str] | None:
    """(scope, item) of "scope里item", the scope 2–14 characters and the item at least
    ``min_rest``; None when the phrase puts nothing inside anything."""
    m = _pattern(min_rest).match(text)
    return (m.group(1), m.group(2)) if m else None


def scope_before_within(text: str) -> str | None:
    """The scope of a phrase that ends in a within word ("公用经费里" → 公用经费)."""
    m = _trailing().match(text)
    return m.group(1) if m else None
