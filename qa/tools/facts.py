"""Finding the operands of a question among parsed facts.

Pure functions over ``list[Fact]``: label normalisation, fuzzy label similarity
(公务用车运行费 ≈ 公务用车运行维护费), code matching, column and table preference. The
agent asks "which facts are the figure for <metric>?" and gets them ranked with scores.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Callable, Iterable, TypeVar

from qa.text.lexicon import load as load_lexicon
from qa.text.normalize import to_halfwidth
from qa.types import UNIT_TO_YUAN, Fact

# Columns that carry "the figure" of a row when the question names no column.
TOTAL_COLUMNS = ("合计", "总计", "预算数", "本年预算", "本年预算数", "金额", "小计", "决算数", "数值", "预算", "数量", "")
# A column naming a year is judged against the document's own year (see column_kind).
PRIOR_MARKERS = ("上年", "去年", "上一年")
CHANGE_MARKERS = ("比上年", "增减", "增长", "变动", "变化")
GENERIC_TAILS = ("支出", "费", "费用", "经费", "资金", "项目", "预算", "金额", "数", "人员", "人数")
GENERIC_SUFFIXES = ("项目", "资金", "经费", "预算", "预算数", "金额", "规模", "项目规模", "项目预算", "项目资金",
                    "项目经费", "项目金额")
TOTAL_LABELS = ("合计", "总计", "小计", "收入总计", "支出总计", "收入合计", "支出合计")
# Table titles that narrow a figure to one funding source; a question that does not name
# the source is better answered from the broad table.
NARROWING_TITLE_WORDS = ("一般公共预算", "财政拨款", "政府性基金", "国有资本经营", "结转")

_STRIP_RE = re.compile(r"[\s“”\"'‘’「」『』《》【】\[\]:：;；,，。、.·•*※]")
_NUMBERING_RE = re.compile(r"^(?:[(（]?[一二三四五六七八九十]+[)）、.]|[(（]?\d+[)）、.．]|其中[:：]?)+")
_LEVEL_RE = re.compile(r"[(（](?:类|款|项)[)）]")
_YEAR_COLUMN_RE = re.compile(r"((?:19|20)\d{2})年度?")


@lru_cache(maxsize=50000)
def norm_label(text: str) -> str:
    """Canonical form of a row label or metric phrase for comparison.

    Halfwidth, no whitespace/quotes/punctuation, no leading list numbering or 其中,
    no （类）（款）（项） markers, brackets unified. Case-folded for English.
    """
    t = to_halfwidth(text or "")
    t = _LEVEL_RE.sub("", t)
    t = _NUMBERING_RE.sub("", t.strip())
    t = t.replace("(", "（").replace(")", "）")
    t = _STRIP_RE.sub("", t)
    return t.lower()


@lru_cache(maxsize=200000)
def states_amount(f: Fact, amounts: tuple[float, ...]) -> bool:
    """Whether a money fact is one of the amounts (in 元) a question restates, to the yuan."""
    return f.unit in UNIT_TO_YUAN and any(abs(f.norm_value - a) < 1.0 for a in amounts)


def label_similarity(query: str, label: str) -> float:
    """Similarity in [0, 1] of two already-normalised labels.

    Equal → 1; one inside the other → 0.8–0.95 by length ratio; else the difflib ratio,
    which scores 公务用车运行费 vs 公务用车运行维护费 at 0.875.
    """
    if not query or not label:
        return 0.0
    if query == label:
        return 1.0
    short, long_ = (query, label) if len(query) <= len(label) else (label, query)
    if long_.startswith(short) and long_[len(short):] in GENERIC_TAILS:
        return 0.97  # "初中教育支出" is the row "初中教育"; "教育支出" is only its parent
    if "（" in label and "（" not in query:
        plain = re.sub(r"（[^）]*）", "", label)
        if plain and plain != label:
            return label_similarity(query, plain)  # 因公出国经费 ≈ 因公出国（境）费
    bq, bl = _base(query), _base(label)
    if bq == bl and len(bq) >= 2:
        return 0.96  # 在职人员 ≈ 在职人数
    if short in long_:
        return 0.8 + 0.15 * len(short) / len(long_)
    return SequenceMatcher(None, query, label, autojunk=False).ratio()


def char_pairs(text: str) -> set[str]:
    """The text's runs of two characters (what order-free name matching counts)."""
    return {text[i:i + 2] for i in range(len(text) - 1)}


def words_held(query: str, label: str) -> float:
    """How well a label holds every word of a long question phrase in any order
    ("政府采购给中小企业预留" in 面向中小企业预留政府采购项目预算金额), in [0, 0.95]; 0 for
    short phrases and for labels that hold less than three quarters of its character pairs.

    difflib reads two names in one order only, and a short label inside the phrase
    (政府采购) covers a part of it: a label that holds all of it is the better reading."""
    if len(query) < 6 or len(label) < 4:
        return 0.0
    q, lab = char_pairs(query), char_pairs(label)
    held = len(q & lab) / len(q)
    if held < 0.75:
        return 0.0
    return min(0.95, 0.75 + 0.2 * held * (len(q & lab) / len(lab)) ** 0.5)


def words_apart(query: str, label: str) -> float:
    """A short phrase of two words a label holds apart or the other way round ("服务采购"
    in 政府采购服务, "征信项目" in 2024年征信信息共享接入项目), in [0.78, 0.88]; 0 otherwise."""
    if not 4 <= len(query) <= 5 or query in label:
        return 0.0
    for cut in {2, len(query) - 2}:
        a, b = query[:cut], query[cut:]
        if len(a) >= 2 and len(b) >= 2 and a in label and b in label:
            return 0.78 + 0.1 * len(query) / max(len(label), len(query))
    return 0.0


def kind_kept(query: str, label: str) -> float:
    """A project named by a word of its name and its kind ("征信项目" for 2024年征信信息共享
    接入项目, "大厅改造项目"): the word inside a label of that kind, in [0.8, 0.9]; else 0."""
    kind = "项目"
    head = query[: -len(kind)] if query.endswith(kind) else ""
    if len(head) < 2 or not label.endswith(kind) or head not in label or query in label:
        return 0.0
    return 0.8 + 0.1 * len(head) / max(1, len(label) - len(kind))


def without_generic_suffix(text: str) -> str:
    """A phrase without one trailing generic word ("信息化建设项目" → "信息化建设")."""
    t = text.strip()
    for suf in sorted(GENERIC_SUFFIXES, key=len, reverse=True):
        if t.endswith(suf) and len(t) > len(suf) + 1:
            return t[: -len(suf)]
    return t


def _base(text: str) -> str:
    """A label without one generic tail (人数, 人员, 经费 …)."""
    for tail in sorted(GENERIC_TAILS, key=len, reverse=True):
        if text.endswith(tail) and len(text) > len(tail) + 1:
            return text[: -len(tail)]
    return text


def column_kind(column: str, year: int | None = None) -> str:
    """Classify a column name: 'total', 'prior', 'change', 'percent' or 'other'.

    Args:
        column: the column name as stored.
        year: the year of the document the column is from (Fact.year). A column naming the
            year before it ("Y-1年预算数" in a year-Y document) is 'prior'; one naming the
            document's own year is classified by the rest of its name ("Y年预算数" is
            'total'); any other year is 'other'. Without it, a column naming a year is
            classified by its name alone (never 'prior').
    """
    c = norm_label(column)
    if c.startswith("比预算"):
        return "other"  # against the budget ("比预算增减"), not against the year before
    if c.startswith("比") and c[1:5].isdigit() and (year is None or int(c[1:5]) != year - 1):
        return "other"  # against another year ("比2019年增减"), not the year before
    if any(m in c for m in ("增长率", "增幅", "占比", "比重", "%")):
        return "percent"
    if any(m in c for m in CHANGE_MARKERS):
        return "change"
    if any(m in c for m in PRIOR_MARKERS):
        return "prior"
    m = _YEAR_COLUMN_RE.search(c) if year is not None else None
    if m:
        named = int(m.group(1))
        if named == year - 1:
            return "prior"
        rest = (c[:m.start()] + c[m.end():]).strip()
        if named == year:
            return column_kind(rest) if rest else "total"  # the year alone ("Y年") is its figure
        return "other"
    if c in TOTAL_COLUMNS or c.endswith("合计") or c.endswith("总计"):
        return "total"
    return "other"


def in_its_own_year(column: str) -> str:
    """A column named against the year before ("上年预算数", "2023年预算数") in the terms of that
    year ("预算数"); the column itself when nothing is left."""
    m = re.match("(?:" + "|".join(PRIOR_MARKERS) + ")度?", column) or _YEAR_COLUMN_RE.match(column)
    return (column[m.end():] if m else column) or column


def fact_column_kind(fact: Fact) -> str:
    """column_kind of a fact's column, judged against the fact's document year."""
    return column_kind(fact.column, fact.year)


@dataclass(frozen=True)
class Match:
    """A fact with the score it got for a metric phrase."""

    fact: Fact
    score: float


def fact_score(
    fact: Fact,
    metric: str,
    *,
    column: str | None = None,
    want: str = "total",
    narrow_ok: Iterable[str] = (),
) -> float:
    """Score how well a fact answers "the <want> figure of <metric>".

    Args:
        fact: candidate.
        metric: normalised metric phrase (see norm_label).
        column: normalised column the question names (e.g. "项目支出"), if any.
        want: 'total' (this year's figure), 'prior' (last year's) or 'change'.
        narrow_ok: title words (e.g. "一般公共预算") the question itself mentions, so
            tables narrowed to them are not penalised.
    """
    return _score(fact.label, fact.column, fact.table_title, _scope_words(fact), fact.code, fact.year,
                  fact.unit, fact.table_no, metric, column, want, tuple(narrow_ok))


def _scope_words(fact: Fact) -> tuple[str, ...]:
    """The funding-source words that scope a fact: its section's, and for a sentence its own
    ("机关运行经费财政拨款预算为 67.77 万元"), as a table's title does for a row."""
    own = _narrowing_in(fact.section)
    if fact.table_no:
        return own
    return own + _said_with(fact.label, fact.quote)


@lru_cache(maxsize=50000)
def _said_with(label: str, quote: str) -> tuple[str, ...]:
    """Funding-source words a sentence writes against the label itself (机关运行经费财政拨款,
    财政拨款机关运行经费), not elsewhere in it. Cached on the fact's own strings: every ranking
    of a document's facts asks, and sentence-long quotes stay out of norm_label's cache."""
    label, quote = norm_label(label), norm_label.__wrapped__(quote)
    return tuple(w for w in NARROWING_TITLE_WORDS if label and (label + w in quote or w + label in quote))


@lru_cache(maxsize=50000)
def _narrowing_in(section: str) -> tuple[str, ...]:
    """The funding-source words a fact's section names (all the score reads of a section,
    so facts of many documents that differ only in their sections' other words share
    scores)."""
    sec = norm_label(section)
    return tuple(w for w in NARROWING_TITLE_WORDS if w in sec)


_LABEL_YEAR_RE = re.compile(r"^(?:19|20)\d{2}年度?")
_LABEL_COLUMN_RE = re.compile(r"(?:预算数|决算数|执行数|预算|决算)$")


def _contrasted(metric: str, label: str) -> bool:
    """Whether the label names the other of a contrast the metric names one of (上年结转结余
    against 年终结转结余; lexicon ``contrasts``)."""
    for group in _contrasts():
        asked = [w for w in group if w in metric]
        if asked and not any(w in label for w in asked) and any(w in label for w in group):
            return True
    return False


@lru_cache(maxsize=1)
def _contrasts() -> tuple[tuple[str, ...], ...]:
    return load_lexicon().contrasts  # (read once, on the first label scored)


def _bare_label(label: str) -> str:
    """A label without the year it opens with and the column word it ends with."""
    return _LABEL_COLUMN_RE.sub("", _LABEL_YEAR_RE.sub("", label))


# A fact's score depends only on these fields and the question's: the same row of the same
# table in many documents (every department prints the same standard tables) is scored once.
@lru_cache(maxsize=131072)
def _score(fact_label: str, fact_column: str, fact_title: str, section_words: tuple[str, ...], code: str,
           year: int | None, unit: str, table_no: str, metric: str, column: str | None, want: str,
           narrow_ok: tuple[str, ...]) -> float:
    label = norm_label(fact_label)
    col = norm_label(fact_column)
    title = norm_label(fact_title)
    m = metric
    bonus = 0.0
    col_named = False
    for w in NARROWING_TITLE_WORDS:
        # "一般公共预算项目支出": the funding source is the table's or section's scope
        if w in m and w not in label and m != w:
            if w in title or w in section_words:
                m = m.replace(w, "") or m
                bonus += 0.02
            else:
                bonus -= 0.05
    if column:
        if col == column or (column in col and len(column) >= 2):
            bonus += 0.05
            col_named = True
        elif col and column_kind(fact_column, year) != "other" and column not in label:
            return 0.0
        elif column in label:
            pass
        else:
            return 0.0
    elif col and col in m and col != m and len(col) >= 2:
        # the metric phrase names the column: 住房保障支出项目支出
        rest = m.replace(col, "")
        m = rest or m
        bonus += 0.05
        col_named = True
    if not col_named and col and col == m and label in TOTAL_LABELS:
        # "项目支出" is the 项目支出 column of the table's total row
        s, bonus, col_named = 0.9, bonus + 0.05, True
    elif code and code == m:
        s = 1.0
    elif label and any(m == label + suf for suf in GENERIC_SUFFIXES):
        s = 0.99  # "住房公积金管理服务项目" names the row "住房公积金管理服务"
    elif m and _bare_label(label) == m != label:
        s = 0.98  # a header naming its year and column ("2024年机关运行经费预算数") names the item
    elif label in TOTAL_LABELS and m and m in title:
        s = 0.93
    else:
        s = max(label_similarity(m, label), words_held(m, label), kind_kept(m, label), words_apart(m, label))
        if m and label and m == col and label in TOTAL_LABELS:
            s = max(s, 0.9)
        elif _contrasted(m, label):
            s *= 0.6
    if s <= 0:
        return 0.0
    kind = column_kind(fact_column, year) if not col_named else "total"
    if want == "total":
        factor = {"total": 1.0, "other": 0.85, "prior": 0.5, "change": 0.3, "percent": 0.2}[kind]
        if unit == "%":
            factor = min(factor, 0.2)
    elif want == "prior":
        factor = {"prior": 1.0, "total": 0.2, "other": 0.2, "change": 0.2, "percent": 0.1}[kind]
    elif want == "percent":
        factor = {"percent": 1.0, "change": 0.3, "prior": 0.1, "total": 0.1, "other": 0.1}[kind]
    else:
        factor = {"change": 1.0, "percent": 0.2, "prior": 0.1, "total": 0.1, "other": 0.1}[kind]
    if table_no:
        narrowing = [w for w in NARROWING_TITLE_WORDS if w in title and w not in narrow_ok and w not in m]
        if narrowing and not (m and m in title):
            factor *= 0.97
        factor *= 1.0 - min(int(table_no) if table_no.isdigit() else 0, 30) * 0.001
    else:
        factor *= 0.96  # tables first; prose restatements serve as cross-checks
        if any(w not in narrow_ok and w not in m for w in section_words):
            factor *= 0.97  # a figure of the 一般公共预算 section is narrower than the one asked
    return min(1.0, s * factor + bonus)


class FactList(list):
    """A document's facts, as the agent holds them while the document is loaded, with room
    for what find_facts computed over them (the same phrase asked of the same document,
    e.g. by every question that lists all departments, is ranked once). The facts of a
    FactList are never changed once it is made."""

    __slots__ = ("found",)

    def __init__(self, facts: Iterable[Fact] = ()) -> None:
        super().__init__(facts)
        self.found: dict[tuple, list[Match]] = {}


# results a FactList (or the agent's LineList) keeps, at most
_FOUND_LIMIT = 256
T = TypeVar("T")


def remembered(memo: dict[tuple, list[T]] | None, key: tuple, compute: Callable[[], list[T]]) -> list[T]:
    """compute(), kept in memo under key: a list of its own to each caller. The memo is
    emptied when it is full; None computes every time.

    Args:
        memo: results kept so far (a FactList's or LineList's ``found``), or None.
        key: what the result depends on besides the list itself.
        compute: makes the result.
    """
    if memo is None:
        return compute()
    hit = memo.get(key)
    if hit is not None:
        return list(hit)
    out = compute()
    if len(memo) >= _FOUND_LIMIT:
        memo.clear()
    memo[key] = out
    return list(out)


def find_facts(
    facts: Iterable[Fact],
    metric: str,
    *,
    column: str | None = None,
    want: str = "total",
    narrow_ok: Iterable[str] = (),
    min_score: float = 0.6,
    limit: int = 10,
) -> list[Match]:
    """Rank facts for a metric phrase, best first.

    Args:
        facts: facts of the documents in scope.
        metric: metric phrase as the user wrote it (normalised here).
        column: column named by the question, if any.
        want: 'total', 'prior' or 'change' (see fact_score).
        narrow_ok: funding-source words the question mentions.
        min_score: drop matches below this.
        limit: at most this many.
    """
    m = norm_label(metric)
    c = norm_label(column) if column else None
    narrow = tuple(narrow_ok)
    memo = facts.found if isinstance(facts, FactList) else None

    def rank() -> list[Match]:
        out = []
        for f in facts:
            s = _score(f.label, f.column, f.table_title, _scope_words(f), f.code, f.year, f.unit,
                       f.table_no, m, c, want, narrow)
            if s >= min_score:
                out.append(Match(f, s))
        out.sort(key=lambda x: (-x.score, x.fact.line))
        return out[:limit]

    return remembered(memo, (m, c, want, narrow, min_score, limit), rank)


def same_figure(a: Fact, b: Fact, tol: float = 0.006) -> bool:
    """True when two facts state the same amount (compared in 元 for money units)."""
    if a.unit == b.unit:
        return abs(a.value - b.value) <= tol
    return abs(a.norm_value - b.norm_value) <= max(tol * 1e4, 1e-6)


def corroborating(facts: Iterable[Fact], chosen: Fact, metric: str, min_score: float = 0.75) -> list[Fact]:
    """Other facts (typically prose restatements) giving the same figure for the metric."""
    m = norm_label(metric)
    out = []
    for f in facts:
        if f is chosen or f.line == chosen.line:
            continue
        if f.doc == chosen.doc and same_figure(f, chosen) and label_similarity(m, norm_label(f.label)) >= min_score:
            out.append(f)
    return out
