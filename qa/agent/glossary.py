"""English ↔ Chinese budget vocabulary (from the genre notes), used to understand English
questions over Chinese documents and to name Chinese figures in English answers."""

from __future__ import annotations

import re

from qa.text import lexicon

_LEX = lexicon.load()
EN_TO_ZH: dict[str, str] = _LEX.en_terms
EN_DEPT_TO_ZH: dict[str, str] = _LEX.en_departments

ZH_TO_EN: dict[str, str] = {}
for _en, _zh in EN_TO_ZH.items():
    ZH_TO_EN.setdefault(_zh, _en)
ZH_TO_EN.update(_LEX.en_names)

_PLURAL_ONLY = _LEX.plural_only


def _compile(table: dict[str, str]) -> list[tuple[re.Pattern[str], str]]:
    keys = sorted(table, key=len, reverse=True)
    out = []
    for k in keys:
        if k in _PLURAL_ONLY:
            out.append((re.compile(r"(?<![a-z])" + re.escape(k) + r"(?![a-z])", re.I), table[k]))
            continue
        base = k[:-1] if k.endswith("s") and not k.endswith("ss") else k
        # singular and plural alike: "office expense(s)", "project(s)"
        # (words apart by any space: a follow-up's pronoun taken out leaves two)
        out.append((re.compile(r"(?<![a-z])" + re.escape(base).replace(r"\ ", r"\s+") + r"s?(?![a-z])", re.I), table[k]))
    return out


_EN_PATTERNS = _compile(EN_TO_ZH)
_DEPT_PATTERNS = _compile(EN_DEPT_TO_ZH)


def is_english(text: str) -> bool:
    """True when the question is mostly Latin letters (answer in English then)."""
    latin = sum(1 for c in text if c.isascii() and c.isalpha())
    cjk = sum(1 for c in text if "\u4e00" <= c <= "\u9fff")
    if latin > 3 * cjk and latin >= 3:
        return True
    # an English sentence naming Chinese terms ("What is the 机关事务局's 三公 budget?"): its
    # words are English, the Chinese only names
    words = len(re.findall(r"[A-Za-z]{2,}", text))
    names = len(re.findall(r"[\u4e00-\u9fff]+", text))
    return words >= 4 and words >= 2 * names


def translate_department_words(text: str) -> str:
    """Replace English department-name phrases with their Chinese forms."""
    for pat, zh in _DEPT_PATTERNS:
        text = pat.sub(zh, text)
    return text


def english_said(question: str, name: str) -> str:
    """How an English question wrote a department name it was translated into ("the Urumqi
    education bureau" for 教育局), with the capitalised words before it (the place); "" when
    no English department words of the question give that name."""
    low = question.lower()
    for en, zh in sorted(EN_DEPT_TO_ZH.items(), key=lambda kv: -len(kv[0])):
        at = low.find(en)
        if at < 0 or not (zh == name or name.endswith(zh)):
            continue
        words = question[:at].split()
        lead = []
        while words and words[-1][:1].isupper() and words[-1].lower() not in ("the", "how", "what", "which", "did", "does"):
            lead.insert(0, words.pop())
        return " ".join(lead + [question[at:at + len(en)]])
    return ""


def english_terms(text: str) -> list[tuple[str, str]]:
    """Budget terms found in an English text, as (english phrase, chinese term), longest
    phrases first and without overlaps."""
    found: list[tuple[int, int, str, str]] = []
    for pat, zh in _EN_PATTERNS:
        for m in pat.finditer(text):
            if any(not (m.end() <= s or m.start() >= e) for s, e, _, _ in found):
                continue
            found.append((m.start(), m.end(), m.group(0), zh))
    # "IT" only in capitals: the pronoun "it" is everywhere in English questions.
    for m in re.finditer(r"\bIT\b", text):
        if not any(not (m.end() <= s or m.start() >= e) for s, e, _, _ in found):
            found.append((m.start(), m.end(), "IT", "信息化建设"))
    found.sort()
    return [(en, zh) for _, _, en, zh in found]


def to_english(term: str) -> str:
    """English name of a Chinese budget term, or the term itself when unknown."""
    return ZH_TO_EN.get(term, term)


# Everyday names of counted things and the row labels documents use for them (read only
# among figures already in the unit the question counts in, e.g. 辆 or 人).
COUNTED_SYNONYMS: dict[str, str] = _LEX.counted
