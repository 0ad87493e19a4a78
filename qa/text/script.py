"""繁體 → 简体 for matching, keeping positions so quotes can be taken from the original.

The parser, the glossary and users' questions are all in simplified Chinese, so a 繁體
document is parsed through its simplified form. Quotes must stay verbatim from the file,
so the conversion is done line by line and each line records whether the conversion kept
its length (t2s is character-for-character for nearly all text; phrase rules such as
"著名" stay one-to-one too). A line whose length changed is still converted, but callers
are told it is not aligned and fall back to quoting the whole original line.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache

log = logging.getLogger(__name__)

# Characters frequent in budget documents that exist only in the traditional script; the
# count decides whether a document is 繁體 without converting it twice.
_TRAD_MARKERS = set(
    "預決經費機關單財撥會計數據總東區縣於農業衛廣電資產歲開發劃處級員編實臺灣與為")


@dataclass(frozen=True)
class ScriptResult:
    """A text converted to simplified Chinese, line by line.

    Attributes:
        lines: the simplified lines (same count as the input lines).
        aligned: per line, True when the simplified line has the same length as the original,
            so character offsets map one-to-one.
        converted: False when the text was left as it was (not 繁體, or OpenCC unavailable).
    """

    lines: list[str]
    aligned: list[bool]
    converted: bool


_CJK_CHAR = re.compile("[\u4e00-\u9fff]")
# the markers that are CJK characters (all of them are): the ones the share counts
_MARKER_CHAR = re.compile("[" + "".join(sorted(re.escape(c) for c in _TRAD_MARKERS if "\u4e00" <= c <= "\u9fff")) + "]")


@lru_cache(maxsize=1)
def _converter():
    try:
        import opencc  # opencc-python-reimplemented
    except ImportError:  # pragma: no cover - declared dependency; degrade to no conversion
        log.warning("opencc not installed: 繁體 documents are parsed as they are")
        return None
    return opencc.OpenCC("t2s")


def traditional_share(text: str) -> float:
    """Share of CJK characters in text that are typical traditional-only characters.

    Args:
        text: any text.
    """
    # counted by two scans in C rather than a list of every character (tokenising each
    # chunk asks this too): the same counts, so the same share
    head = text[:50000]
    cjk = len(_CJK_CHAR.findall(head))
    if not cjk:
        return 0.0
    return len(_MARKER_CHAR.findall(head)) / cjk


def is_traditional(text: str, threshold: float = 0.02) -> bool:
    """True when the text is written in 繁體 (enough traditional-only characters).

    Args:
        text: the document text.
        threshold: minimum share of traditional markers among CJK characters; simplified
            budget text has none of them, 繁體 budget text has 5-15 %.
    """
    return traditional_share(text) >= threshold


def to_simplified_lines(lines: list[str], force: bool = False) -> ScriptResult:
    """Convert lines to simplified Chinese when the text is 繁體.

    Args:
        lines: the original lines.
        force: convert even when the text does not look traditional.

    Returns:
        ScriptResult; when nothing is converted, lines are returned unchanged and all aligned.
    """
    text = "\n".join(lines)
    conv = _converter()
    if conv is None or not (force or is_traditional(text)):
        return ScriptResult(list(lines), [True] * len(lines), False)
    out: list[str] = []
    aligned: list[bool] = []
    for line in lines:
        s = conv.convert(line) if line else line
        out.append(s)
        aligned.append(len(s) == len(line))
    bad = aligned.count(False)
    if bad:
        log.info("繁體 conversion changed the length of %d of %d lines", bad, len(lines))
    return ScriptResult(out, aligned, True)


def to_simplified(text: str) -> str:
    """Simplified form of a text for matching (no alignment bookkeeping).

    Args:
        text: any text; returned unchanged when OpenCC is unavailable.
    """
    conv = _converter()
    return conv.convert(text) if conv is not None else text


def to_traditional(text: str) -> str:
    """Traditional form of a simplified text (used by the variant generator).

    Args:
        text: simplified text.
    """
    import opencc

    return opencc.OpenCC("s2t").convert(text)
