"""Department names as people say them, derived automatically from official names.

For every ingested document's department (e.g. 昌吉回族自治州住房公积金管理中心) we split a
region prefix (昌吉回族自治州) from the body (住房公积金管理中心) and generate variants of
each by general abbreviation rules of the genre: drop 回族自治州/自治州/市/县/区 qualifiers
(昌吉州, 昌吉), 住房公积金→公积金, 管理中心→中心, 住房和城乡建设局→住建局,
机关事务管理局→机关事务局/事务局, 社会保险→社保. Region names also get a pinyin form
(Changji, Anyang) for English questions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from qa.text.names import LEVEL_SPLIT, ORG_END, REGION_RE, REGION_SUFFIXES, body_abbreviations, place_forms, split_place

try:  # optional: only used for English place names
    from pypinyin import lazy_pinyin
except ImportError:  # pragma: no cover - pypinyin is a declared dependency
    lazy_pinyin = None

# The body words of central ministries (外交部, 审计署): what comes before them is a common word.
CENTRAL_ENDS = ("部", "署")
# Bodies too generic to name a department on their own.
_GENERIC = {"中心", "局", "委", "办", "管理中心", "管理局", "事务", "社保", "公积金"}


@dataclass
class DepartmentAliases:
    """All the ways to refer to one department."""

    official: str
    region: str = ""
    body: str = ""
    region_forms: set[str] = field(default_factory=set)
    body_forms: set[str] = field(default_factory=set)
    bare_region_forms: set[str] = field(default_factory=set)  # "州" in 州住建局: only right before a body
    latin_region_forms: set[str] = field(default_factory=set)
    generic_body_forms: set[str] = field(default_factory=set)  # "公积金" in 安阳公积金: only after the place


def body_forms(body: str) -> set[str]:
    """Every abbreviation of a department body the rules allow, bar the generic ones."""
    return {f for f in body_abbreviations(body) if len(f) >= 2 and f not in _GENERIC} | ({body} if body else set())


def generic_body_forms(body: str) -> set[str]:
    """The short forms too generic to name a department alone (公积金, 社保, 中心) that
    name it right after its place ("安阳公积金", "昌吉社保")."""
    if not body:
        return set()
    forms = body_abbreviations(body)
    out = {g for g in _GENERIC if any(g in f for f in forms)}
    # the subject of a short form without its organisation word: 住建 of 住建局, 社保 of 社保中心
    for f in forms:
        m = ORG_END.search(f)
        if m and len(f) - len(m.group(0)) >= 2 and len(f) <= 6 and m.group(0) not in CENTRAL_ENDS:
            out.add(f[: m.start()])  # (财政 of 财政部, 外交 of 外交部 are ordinary words)
    return out


def latin_forms(region_forms_: set[str]) -> set[str]:
    """Pinyin of the core region names (Changji, Anyang) for English questions."""
    if lazy_pinyin is None:
        return set()
    out = set()
    for r in region_forms_:
        if any(r.endswith(s) for s in REGION_SUFFIXES):
            continue
        out.add("".join(lazy_pinyin(r)).lower())
    return out


def build(official: str) -> DepartmentAliases:
    """Derive all aliases of one official department name."""
    region, body = split_place(official)
    rf = place_forms(region)
    # A publisher that is a place (a news report from 南川市) is named in English by its
    # pinyin too ("Nanchuan"), like the region prefix of a department.
    m = REGION_RE.match(body) if not region else None
    place = place_forms(body) if m and m.group("region") == body else set()
    if place:
        # a place that publishes ("衢江区", a district-wide release) is named by its short forms too
        rf = rf | place
    return DepartmentAliases(
        official=official,
        region=region,
        body=body,
        region_forms=rf,
        body_forms=body_forms(body),
        generic_body_forms=generic_body_forms(body),
        latin_region_forms=latin_forms(rf | place),
        bare_region_forms={lvl[-1] for lvl in (LEVEL_SPLIT.findall(region) or [])[-1:] if lvl[-1] in "州市县区"},
    )


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
                m = re.search(r"(?<![a-z])" + re.escape(f) + r"(?![a-z])", ql)
                if m:
                    best_region, rs, re_ = f, m.start(), m.end()
                    break
        best_body, bs, be = "", -1, -1
        attached = ""
        for f in sorted(d.body_forms, key=len, reverse=True):
            if best_body and len(f) < len(best_body):
                break
            for occ in re.finditer(re.escape(f), q):
                # a region form of this department ending right before this occurrence
                before = q[max(0, occ.start() - 14): occ.start()]
                reg = next((r for r in sorted(d.region_forms, key=len, reverse=True)
                            if re.search(re.escape(r) + r"(?:[与和、及][\u4e00-\u9fff]{2,8}?(?:两个|二个|这两个|各)?)?.{0,3}$",
                                         before)), "")
                if not reg:
                    reg = next((r for r in d.latin_region_forms
                                if re.search(r"(?<![a-z])" + re.escape(r) + r"(?:'s)?\s{0,2}$", before.lower())), "")
                if not reg:
                    reg = next((r for r in d.bare_region_forms
                                if re.search(r"(?:^|[^\u4e00-\u9fff]|的|和|与|比)" + re.escape(r) + r"$", before)), "")
                if not best_body or (reg and not attached):
                    best_body, bs, be = f, occ.start(), occ.end()
                    attached = reg
                    if reg:
                        j = before.rfind(reg)
                        rs, re_ = occ.start() - len(before) + j, occ.start() - len(before) + j + len(reg)
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
            if g:
                best_body, bs, be, attached = g, re_, re_ + len(g), best_region
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
