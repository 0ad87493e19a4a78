"""The ways a document prints its own publisher's name, for masking it out of embedded text.

A budget disclosure names its department in every heading and in many sentences
(昌吉回族自治州住房公积金管理中心无下属预算单位…, 昌吉州住建局…). Two departments' documents
share most of their wording apart from those names, so the store embeds the text with the
names replaced by 本部门 (the department, in any of its forms) and 本地 (its place alone):
text that differs only by the publisher then hashes to one vector and is embedded once.
The department stays as document metadata; questions are scoped to documents by it.

Forms: the official name; its place prefix split off (昌吉回族自治州) and that place's usual
short forms (昌吉州, 昌吉); the body (住房公积金管理中心) and its abbreviations by the genre's
rules (公积金中心, 住建局, 社保中心); each place form joined to each body form. A body form
masks alone only when it ends like an organisation (局, 中心, 委, ...), so 住建 or 机关事务
inside ordinary wording stay.

The place and body rules here are the only ones: qa/agent/aliases.py derives the names
people use in questions from the same split_place / place_forms / body_abbreviations.
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache

from qa.text import lexicon
from qa.text.normalize import to_halfwidth

DEPARTMENT_MASK = "本部门"
PLACE_MASK = "本地"

REGION_RE = re.compile(
    r"^(?P<region>(?:[\u4e00-\u9fff]{2,8}?(?:维吾尔自治区|壮族自治区|回族自治区|自治区|省|特别行政区))?"
    r"(?:[\u4e00-\u9fff]{1,8}?(?:[\u4e00-\u9fff]{1,4}族)*(?:自治州|地区|盟|市|州))?"
    r"(?:[\u4e00-\u9fff]{1,6}?(?:自治县|县|区|旗))?)"
)
# (a level word right before another is part of the name: 杭州市 is one level, not 杭州 + 市…)
LEVEL_SPLIT = re.compile(
    r".+?(?:维吾尔自治区|壮族自治区|回族自治区|自治区|特别行政区|自治州|自治县|地区|省|市|州|县|区|盟|旗)(?![市县区])")
REGION_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "特别行政区", "自治州", "自治县",
                    "地区", "省", "市", "州", "县", "区", "盟", "旗")
_ETHNIC = ("回|蒙古|藏|维吾尔|壮|哈萨克|朝鲜|土家|苗|彝|布依|侗|瑶|白|哈尼|傣|黎|傈僳|佤|畲|拉祜|水|东乡|纳西|"
           "景颇|柯尔克孜|土|达斡尔|仫佬|羌|布朗|撒拉|毛南|仡佬|锡伯|阿昌|普米|塔吉克|怒|乌孜别克|俄罗斯|"
           "鄂温克|德昂|保安|裕固|京|塔塔尔|独龙|鄂伦春|赫哲|门巴|珞巴|基诺|各")
_ETHNIC_RE = re.compile(f"(?:(?:{_ETHNIC})族)+$")
# how staff and auditors shorten a body's name (住房和城乡建设局 → 住建局): words, so lexicon data
BODY_RULES: tuple[tuple[str, str], ...] = lexicon.load().body_abbreviations
_GENERIC = {"中心", "局", "委", "办", "管理中心", "管理局", "事务局", "办公室", "人民政府"}
ORG_END = re.compile(r"(局|委员会|委|中心|办公室|办|厅|院|所|站|馆|队|处|会|社|校|园|公司|集团|部|署)$")


def split_place(name: str) -> tuple[str, str]:
    """(place prefix, body) of an official name; ("", name) when no place leads it."""
    n = re.sub(r"\s+", "", to_halfwidth(name))
    if n.startswith("中共") and len(n) > 4:
        n = n[2:]  # 中共湛江市委宣传部: the party's body of the place 湛江市
    m = REGION_RE.match(n)
    place = m.group("region") if m else ""
    body = n[len(place):]
    if place.endswith("州") and body.startswith("市") and len(body) > 2:
        place, body = place + "市", body[1:]  # 梧州市…: the city, not a 州 followed by 市…
    return (place, body) if body else ("", n)


def place_forms(place: str) -> set[str]:
    """昌吉回族自治州 → {昌吉回族自治州, 昌吉州, 昌吉, 昌吉自治州}; 安阳市 → {安阳市, 安阳}."""
    if not place:
        return set()
    forms = {place}
    levels = LEVEL_SPLIT.findall(place) or [place]
    last = levels[-1]
    core = last
    for suf in REGION_SUFFIXES:
        if core.endswith(suf) and len(core) > len(suf) + 1:
            core = core[: -len(suf)]
            break
    core = _ETHNIC_RE.sub("", core)
    lower = {last}
    if len(core) >= 2:
        lower.add(core)
        if last.endswith("州"):
            lower |= {core + "州", core + "自治州"}
        elif last[-1] in "县市区":
            lower.add(core + last[-1])
    forms |= lower
    if len(levels) > 1:
        forms |= {"".join(levels[:-1]) + f for f in lower}
    return {f for f in forms if len(f) >= 2}


def body_abbreviations(body: str) -> set[str]:
    """The body and every abbreviation of it the rules allow (generic ones included:
    callers decide which are too generic to stand alone)."""
    forms = {body}
    applicable = [r for r in BODY_RULES if r[0] in body]
    for k in range(1, len(applicable) + 1):
        for combo in itertools.combinations(applicable, k):
            b = body
            for old, new in combo:
                if old in b:
                    b = b.replace(old, new)
            forms.add(b)
    # 住房公积金管理中心 → 住房公积金中心 too (管理 dropped inside)
    forms |= {f.replace("管理中心", "中心") for f in forms} | {f.replace("公积金管理", "公积金") for f in forms}
    # a body of a town named with its town (明达镇天台完全小学) is said without it too (天台小学)
    forms |= {m.group(1) for f in list(forms)
              if (m := _IN_TOWN.match(f)) and len(m.group(1)) >= 4 and m.group(1) not in _GENERIC}
    return forms


_IN_TOWN = re.compile(r"^[\u4e00-\u9fff]{1,4}?(?:镇|乡|街道)(.+)$")


def body_forms(body: str) -> set[str]:
    """The body and its abbreviations that can name it alone in a document's text."""
    return {f for f in body_abbreviations(body) if len(f) >= 2 and f not in _GENERIC} | ({body} if body else set())


@lru_cache(maxsize=4096)
def mask_pattern(department: str) -> tuple[re.Pattern[str], dict[str, str]] | None:
    """A regex over every form of a department's name and what each form becomes.

    Args:
        department: the official name (Document.department); "" gives None.
    """
    if not department or len(department) < 2:
        return None
    place, body = split_place(department)
    places = place_forms(place)
    bodies = body_forms(body)
    out: dict[str, str] = {re.sub(r"\s+", "", to_halfwidth(department)): DEPARTMENT_MASK}
    for p, b in itertools.product(places | {""}, bodies):
        if p or ORG_END.search(b):
            out.setdefault(p + b, DEPARTMENT_MASK)
    for p in places:
        out.setdefault(p, PLACE_MASK)
    out.pop("", None)
    # longest first, so 昌吉回族自治州住房公积金管理中心 is taken whole before 昌吉
    alternation = "|".join(re.escape(f) for f in sorted(out, key=len, reverse=True))
    return re.compile(alternation), out


def mask_names(text: str, department: str) -> str:
    """Text with its department's names replaced by 本部门 and its place by 本地.

    Args:
        text: any text of the department's document.
        department: the official name.
    """
    compiled = mask_pattern(department)
    if compiled is None or not text:
        return text
    pattern, repl = compiled
    return pattern.sub(lambda m: repl[m.group(0)], text)
