"""Finding the departments a question mentions, among the loaded ones.

The names people use for a department (its alias set: 公积金中心, 昌吉州, Changji …) are
derived from the official name by qa.text.aliases, once per department at ingest, and kept
in the store. ``AliasIndex`` holds the loaded sets by official name with an index from
every form to the departments that have it, so only the few departments whose forms occur
in a question are examined, however many are loaded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Iterator

from qa.text.aliases import DepartmentAliases, body_forms, build, generic_body_forms, latin_forms
from qa.text import lexicon
from qa.text.names import ORG_END

__all__ = ["AliasIndex", "DepartmentAliases", "Mention", "body_forms", "build", "candidates", "find_mentions",
           "generic_body_forms", "latin_forms"]


# below this many departments every alias set is examined (abbreviations included)
_ALL_BELOW = 64


class AliasIndex(dict):
    """Alias sets by official name (a dict, in load order) with an index of their forms.

    ``candidates(text)`` is the alias sets that could be mentioned in a text: those with a
    region, body or short form occurring in it (Latin forms in its lower case), in load
    order. find_mentions over them finds what it finds over all of them, because a
    department none of whose forms occurs yields no mention.
    """

    def __init__(self, items: Iterable[tuple[str, DepartmentAliases]] = ()) -> None:
        super().__init__(items)
        self._forms: dict[str, list[int]] | None = None
        self._order: list[DepartmentAliases] = []
        self._longest = 0

    def __setitem__(self, key: str, value: DepartmentAliases) -> None:
        super().__setitem__(key, value)
        self._forms = None

    def __delitem__(self, key: str) -> None:
        super().__delitem__(key)
        self._forms = None

    def _build(self) -> dict[str, list[int]]:
        forms: dict[str, list[int]] = {}
        self._order = list(self.values())
        for i, a in enumerate(self._order):
            for f in a.region_forms | a.body_forms | a.generic_body_forms | {x.lower() for x in a.latin_region_forms}:
                if f:
                    forms.setdefault(f, []).append(i)
        self._longest = max((len(f) for f in forms), default=0)
        self._forms = forms
        return forms

    def candidates(self, text: str) -> list[DepartmentAliases]:
        """The alias sets with a form occurring in text (or its lower case), in load order;
        all of them while there are few (an abbreviation such as 质监局 keeps only some of
        its body's characters, so no stored form occurs in it)."""
        if len(self) <= _ALL_BELOW:
            return list(self.values())
        forms = self._forms if self._forms is not None else self._build()
        hit: set[int] = set()
        longest = self._longest
        for t in {text, text.lower()}:
            n = len(t)
            for i in range(n):
                for j in range(i + 1, min(n, i + longest) + 1):
                    ids = forms.get(t[i:j])
                    if ids:
                        hit.update(ids)
        return [self._order[i] for i in sorted(hit)]


def candidates(aliases: dict[str, DepartmentAliases], text: str) -> list[DepartmentAliases]:
    """The alias sets of ``aliases`` that may be mentioned in text: through the form index
    of an AliasIndex, else all of them."""
    if isinstance(aliases, AliasIndex):
        return aliases.candidates(text)
    return list(aliases.values())


def is_subsequence(short: str, long_: str) -> bool:
    """Whether short's characters occur in long_ in order."""
    it = iter(long_)
    return all(ch in it for ch in short)


def is_abbreviation(short: str, body: str) -> bool:
    """Whether `short` abbreviates a body form by keeping some of its characters in order
    (质监局 of 质量技术监督局, 教体局 of 教育体育局, 人大办公厅 of 全国人大常委会办公厅,
    农技中心 of 农业综合技术服务中心): it ends in the same organisation word, starts with
    the body's first character or a pair of characters the body has, and is shorter.

    Args:
        short: the name as asked.
        body: a body form of a loaded department.
    """
    if not (2 <= len(short) < len(body)):
        return False
    ms, mb = ORG_END.search(short), ORG_END.search(body)
    if not ms or not mb or ms.group(0) != mb.group(0) or len(short) - len(ms.group(0)) < 1:
        return False
    if not (short[0] == body[0] or (len(short) >= 3 and short[:2] in body)):
        return False
    return is_subsequence(short, body)


def find_abbreviation(question: str, body_forms_: set[str]) -> tuple[int, int, str] | None:
    """The longest span of the question that abbreviates one of the body forms, as
    (start, end, form), or None."""
    best: tuple[int, int, str] | None = None
    forms = [f for f in body_forms_ if len(f) >= 3]
    for e in range(len(question), 1, -1):
        for s_ in range(max(0, e - 9), e - 1):
            cand = question[s_:e]
            if not re.fullmatch(r"[\u4e00-\u9fff]+", cand):
                continue
            for f in forms:
                if is_abbreviation(cand, f) and (best is None or e - s_ > best[1] - best[0]):
                    best = (s_, e, f)
    return best


@dataclass(frozen=True)
class Mention:
    """How a department is mentioned in a question."""

    official: str
    body: str  # the body form found ("" if only the region matched)
    region: str  # the region form found ("" if none)
    start: int
    end: int

    @property
    def strength(self) -> int:
        return len(self.body) * 2 + (3 if self.region else 0)


# What may follow a department's place before its body (昌吉与安阳两个公积金中心, 昌吉的中心),
# and an English place's possessive; matched from where the place ends, so no pattern is
# compiled per place (thousands of places would overflow the re module's cache).
_REGION_TAIL = re.compile(r"(?:[与和、及][\u4e00-\u9fff]{2,8}?(?:两个|二个|这两个|各)?)?.{0,3}$")
# (an English level word may stand between the place and the body: "Putuo District 财政局")
_LATIN_TAIL = re.compile(r"(?:'s)?\s{0,2}(?:(?:%s)\s{1,2})?$" % lexicon.load().cue_words["en_place_levels"].pattern, re.I)
_END = re.compile(r"$")
_BARE_AFTER = re.compile(r"[^\u4e00-\u9fff]|的|和|与|比")
_COORDINATORS = "和与跟、及同"  # what joins two bodies named after one place


def _occurrences(text: str, form: str) -> Iterator[int]:
    """Start of each non-overlapping occurrence of form, left to right (re.finditer's)."""
    i = text.find(form)
    while i >= 0:
        yield i
        i = text.find(form, i + len(form))


def _starts(text: str, form: str) -> Iterator[int]:
    """Start of every occurrence of form, overlapping ones too (where re.search tries)."""
    i = text.find(form)
    while i >= 0:
        yield i
        i = text.find(form, i + 1)


def _latin(ch: str) -> bool:
    return "a" <= ch <= "z"


def _latin_word_at(text: str, form: str) -> int:
    """First occurrence of form not inside a longer lower-case Latin word, -1 if none."""
    for i in _starts(text, form):
        j = i + len(form)
        if (i == 0 or not _latin(text[i - 1])) and (j == len(text) or not _latin(text[j])):
            return i
    return -1


def _ends_with_form(before: str, form: str, tail: re.Pattern[str], latin: bool = False) -> bool:
    """Whether form occurs in before followed only by what tail allows up to the end (for a
    Latin form, not inside a longer word)."""
    return any((not latin or i == 0 or not _latin(before[i - 1])) and tail.match(before, i + len(form))
               for i in _starts(before, form))


def _bare_before(before: str, level: str) -> bool:
    """Whether before ends with a bare level character (州 of 州住建局) at its start or after
    a non-Chinese character or 的/和/与/比."""
    return any(_END.match(before, i + len(level)) and (i == 0 or _BARE_AFTER.match(before, i - 1))
               for i in _starts(before, level))


def find_mentions(question: str, departments: list[DepartmentAliases]) -> list[Mention]:
    """Every department whose body or region forms occur in the question.

    Args:
        question: halfwidth question text (English department words already translated).
        departments: alias sets of the loaded departments.
    """
    q = question
    ql = q.lower()
    out = []
    weak: list[Mention] = []
    for d in departments:
        best_region, rs, re_ = "", -1, -1
        for f in d.region_forms:
            i = q.find(f)
            if i >= 0 and len(f) > len(best_region):
                best_region, rs, re_ = f, i, i + len(f)
        if not best_region:
            for f in d.latin_region_forms:
                i = _latin_word_at(ql, f)
                if i >= 0:
                    best_region, rs, re_ = f, i, i + len(f)
                    break
        best_body, bs, be = "", -1, -1
        attached = ""
        for f in sorted(d.body_forms, key=len, reverse=True):
            if best_body and len(f) < len(best_body):
                break
            for occ in _occurrences(q, f):
                # a region form of this department ending right before this occurrence
                before = q[max(0, occ - 14): occ]
                reg = next((r for r in sorted(d.region_forms, key=len, reverse=True)
                            if _ends_with_form(before, r, _REGION_TAIL)), "")
                if not reg:
                    # (English words are longer: "Jiangsu Provincial " before the body)
                    wide = q[max(0, occ - 32): occ].lower()
                    reg = next((r for r in d.latin_region_forms
                                if _ends_with_form(wide, r, _LATIN_TAIL, latin=True)), "")
                    before = wide if reg else before
                if not reg:
                    reg = next((r for r in d.bare_region_forms if _bare_before(before, r)), "")
                if not best_body or (reg and not attached):
                    best_body, bs, be = f, occ, occ + len(f)
                    attached = reg
                    if reg:
                        j = before.lower().rfind(reg)
                        rs, re_ = occ - len(before) + j, occ - len(before) + j + len(reg)
                        best_region = reg
                        break
        if not best_body:
            # an abbreviation that keeps some characters of the body (质监局, 教体局, 人大办公厅)
            ab = find_abbreviation(q, d.body_forms)
            if ab is not None:
                best_body, bs, be = q[ab[0]:ab[1]], ab[0], ab[1]
                reg = next((r for r in sorted(d.region_forms, key=len, reverse=True)
                            if q[max(0, bs - len(r) - 3):bs].endswith(r) or re.search(re.escape(r) + r".{0,3}$", q[max(0, bs - 14):bs])), "")
                if reg:
                    attached = reg
                    j = q.rfind(reg, 0, bs)
                    best_region, rs, re_ = reg, j, j + len(reg)
        if not best_body and best_region and re_ >= 0:
            # "安阳公积金": a generic short form right after this department's place
            tail = q[re_:re_ + 6]
            g = max((f for f in d.generic_body_forms if tail.startswith(f)), key=len, default="")
            if not g:
                # "昌吉公积经": a short form of three characters or more with one mistyped,
                # right after the place (never its first character: that would be another body)
                g = max((tail[:len(f)] for f in d.body_forms | d.generic_body_forms if len(f) >= 3
                         and tail[:1] == f[:1] and sum(a != b for a, b in zip(tail[:len(f)], f)) == 1
                         and len(tail) >= len(f)), key=len, default="")
            if g:
                best_body, bs, be, attached = g, re_, re_ + len(g), best_region
            else:
                # "江苏政协和人大": a short form joined to another body named after the same
                # place shares that place
                for g in sorted(d.generic_body_forms, key=len, reverse=True):
                    occ = next((o for o in _occurrences(q, g)
                                if re_ < o <= re_ + 12 and q[o - 1] in _COORDINATORS), -1)
                    if len(g) >= 2 and occ >= 0:
                        best_body, bs, be, attached = g, occ, occ + len(g), best_region
                        break
        if not best_body:
            # "江苏省政协和省人大": a generic short form after a bare level character of this
            # department's place (省 of 江苏省) names it too
            for g in sorted(d.generic_body_forms, key=len, reverse=True):
                if len(g) < 2:
                    continue
                occ = next((o for o in _occurrences(q, g)
                            if any(_bare_before(q[max(0, o - 14):o], r) for r in d.bare_region_forms)), -1)
                if occ >= 0:
                    best_body, bs, be, attached = g, occ - 1, occ + len(g), "bare"
                    break
        if best_body and best_region and not attached and 0 <= bs - re_ <= 12 and q[bs - 1] in _COORDINATORS:
            attached = best_region  # "昌吉社保中心和公积金中心": one place for both bodies
        if best_body and best_region and not attached and q[be:rs].strip() in ("(", "（", ",", "，"):
            attached = best_region  # "那个公积金中心（昌吉的）": the place said after the body
        if best_body and best_region and not attached and not 0 <= bs - re_ <= 4:
            # the place names another department ("昌吉社保中心 … 安阳公积金中心")
            best_region, rs, re_ = "", -1, -1
        if not best_body and not best_region:
            # "社保那边": a short form too generic to attach to a place on its own still names
            # the departments it abbreviates, when it carries a subject (not 中心 or 局 alone)
            # and nothing else in the question names a department (住房公积金 is an item too)
            for g in sorted(d.generic_body_forms, key=len, reverse=True):
                if len(g) >= 2 and not ORG_END.search(g):
                    i = q.find(g)
                    if i < 0:
                        continue
                    longer = q[max(0, i - 2):i] + g
                    if not (longer != g and any(f.startswith(longer) for f in d.body_forms)):
                        # (住房 + 公积金 is the item 住房公积金, not the centre)
                        weak.append(Mention(d.official, g, "", i, i + len(g)))
                        break
        if best_body or best_region:
            starts = [x for x in (bs, rs) if x >= 0]
            ends = [x for x in (be, re_) if x >= 0]
            out.append(Mention(d.official, best_body, best_region, min(starts), max(ends)))
    if not out:
        # a weak form inside a longer word of the question is that word's, not a name
        out = [m for m in weak if not any(o is not m and o.start <= m.start and m.end <= o.end
                                          and (o.end - o.start) > (m.end - m.start) for o in weak)]
    return out
