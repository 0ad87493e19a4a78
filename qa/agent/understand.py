"""Step 1 of the agent: what is asked, about whom, for which year, with which operation.

Cue words in Chinese and English decide the operation; department mentions come from the
automatically derived aliases; the metric phrase is what is left of the question once the
department, the year, the operation and filler words are removed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from qa.agent import glossary
from qa.agent.aliases import is_subsequence
from qa.text import lexicon
from qa.text.normalize import expand_short_years, money_unit, to_halfwidth, to_yuan

OPS = ("lookup", "sum", "sum_all", "diff", "ratio", "yoy", "compare", "count", "list", "rationale", "policy")


@dataclass(frozen=True)
class Program:
    """A question, understood: the one parse every later step reads (never changes).

    Attributes:
        question: the original text.
        lang: "zh" or "en" (answer language).
        text: halfwidth Chinese working form (English department words translated).
        op: one of OPS.
        metric: metric phrase (Chinese), "" if none was found.
        year: year named in the question, if any.
        want: "total" (this year's figure), "prior" (last year's) or "change".
        target_unit: money unit the question asks for ("元", "万元", "亿元") or None.
        largest: for compare, True for 最多/最高/more, False for 最少/less.
        direction: for yoy questions, "down" (少了/减少), "up" (多了/增加) or "".
        narrow: funding-source words mentioned (一般公共预算, 财政拨款, …).
        en_terms: (english, chinese) glossary terms found in an English question.
    """

    question: str
    lang: str
    text: str
    op: str
    metric: str
    year: int | None = None
    want: str = "total"
    target_unit: str | None = None
    largest: bool = True
    direction: str = ""
    narrow: list[str] = field(default_factory=list)
    en_terms: list[tuple[str, str]] = field(default_factory=list)
    code: str = ""  # a 科目编码 named in the question, e.g. 2210201
    count_units: list[str] = field(default_factory=list)  # measure words asked for: 人, 辆 …
    scope_words: list[str] = field(default_factory=list)  # "结转结余里…": narrowing words for every part
    actual: bool = False  # asks for actual spending (决算/实际支出)
    asks_rate: bool = False  # asks for a rate (百分之几, 增幅, by what percent), not an amount
    metric_default: bool = False  # no metric named; the whole budget (收支总预算) assumed
    whole_first: bool = False  # a share named whole first ("政府采购里服务类占多少"): the part is inside it
    excluded: tuple[str, ...] = ()  # parts of the figure left out ("结转的不算"): columns it must not be
    # English operand phrases as linking slots (qa.agent.linking), one tuple per part the
    # question names ("A and B"); link_first when words beyond the glossary terms name the
    # item (a project's own name), so ranking labels beats the glossary's generic terms
    link_parts: tuple[tuple[tuple[str, ...], ...], ...] = ()
    link_first: bool = False
    # amounts the question restates to point at an item ("612万那个项目", "那65.69万"), in 元
    amounts: tuple[float, ...] = ()
    # every year the question names, in order, when it names two or more ("2017年和2018年",
    # "从2017年到2019年"); all_years when it speaks of the body's years together ("这三年")
    years: tuple[int, ...] = ()
    all_years: bool = False


_YEAR_RE = re.compile(r"(?<!\d)(20\d{2}|19\d{2})(?!\d)\s*(?:年度?)?")
_UNIT_RE = re.compile(r"多少(亿元|万元|千元|元)|(?:以|用|按)(亿元|万元|千元|元)(?:计|为单位)?|单位(?:是|为|:)?(亿元|万元|元)")
_EN_UNIT_RE = re.compile(r"\bin (yuan|rmb|ten thousand yuan|10k yuan|wan yuan|hundred million yuan|yi yuan)\b", re.I)
_EN_UNIT = {"yuan": "元", "rmb": "元", "ten thousand yuan": "万元", "10k yuan": "万元", "wan yuan": "万元",
            "hundred million yuan": "亿元", "yi yuan": "亿元"}

LEXICON = lexicon.load()

# where an English question names its next operand: "A and B", "A plus B", "A than B"
_EN_PART_RE = re.compile(r"\band\b|\bplus\b|,|;|—|\?", re.I)
_EN_DIFF_PART_RE = re.compile(r"\bthan\b|\bversus\b|\bvs\.?|\bminus\b|\bcompared (?:with|to)\b|\?", re.I)
_LITERAL_MARKS = re.compile("[「」]")
_PUNCT_RE = re.compile(r"[\s?？!！,，。.:：;；\"“”'‘’]+")
_NARROW_WORDS = ("一般公共预算", "财政拨款", "政府性基金", "国有资本经营")


def has_cue(text: str, lang: str, op: str) -> bool:
    """Whether the question carries the cue words of one operation (e.g. "diff")."""
    pat = LEXICON.cue(lang, op)
    return bool(pat and pat.search(text if lang == "zh" else text.lower()))


def settle(p: Program, departments: int) -> Program:
    """The operation once the departments are known (the one place besides the cue words
    that decides it): "五个部门的三公经费加起来" sums one figure per department; "A 比 B
    多几辆" over two departments is their difference.

    Args:
        p: the program as parsed.
        departments: how many departments the question is about.
    """
    if p.op == "sum_all":
        return replace(p, op="sum")
    if departments > 1 and asks_multiple(p.question) and p.op in ("lookup", "ratio", "diff", "yoy", "count"):
        return replace(p, op="compare")  # "安阳是社保的几倍": the two figures set against each other
    if departments == 1 and asks_multiple(p.question) and p.op == "lookup" and len(p.metric.split()) >= 2:
        return replace(p, op="compare")  # "人员经费是公用经费的几倍": two lines of one department
    if departments > 1 and p.op == "count" and has_cue(p.question, p.lang, "sum"):
        return replace(p, op="sum")  # "两家加起来几辆车": one count per department, added up
    if departments > 1 and p.op == "yoy" and has_cue(p.question, p.lang, "compare"):
        return replace(p, op="compare")  # "which one budgets more, and by how much"
    if departments > 1 and p.op in ("count", "lookup", "yoy") and has_cue(p.question, p.lang, "diff"):
        return replace(p, op="diff")
    return p


def asks_rate(question: str) -> bool:
    """Whether a question asks for a rate (百分之几, 增幅, by what percent), not an amount."""
    pat = LEXICON.cue_words.get("rate")
    return bool(pat and pat.search(question.lower()))


def asks_margin(question: str) -> bool:
    """Whether a comparison of two asks by how much (多多少, by how much): the margin is
    then the answer; else the winner's own figure is."""
    pat = LEXICON.cue_words.get("margin")
    return bool(pat and pat.search(question.lower()))


def has_cue_word(name: str, text: str) -> bool:
    """Whether the text carries one of the lexicon's cue words of that name."""
    pat = LEXICON.cue_words.get(name)
    return bool(pat and pat.search(text.lower()))


def asks_multiple(question: str) -> bool:
    """Whether a comparison asks how many times one figure is the other (几倍, how many times)."""
    pat = LEXICON.cue_words.get("multiple")
    return bool(pat and pat.search(question.lower()))


def names_several_departments(text: str) -> bool:
    """Whether the question is about several departments at once (两个…, 三家…, both …)."""
    pat = LEXICON.cue_words.get("several_departments")
    return bool(pat and pat.search(text))


def detect_op(text: str, lang: str) -> str:
    """The operation a question asks for, from cue words (first matching rule wins)."""
    cues = LEXICON.en_cues if lang == "en" else LEXICON.zh_cues
    t = text if lang == "zh" else text.lower()
    if re.search(r"(?:所有|全部|各|[两三四五六七八九十\d]+个)部门|all (?:the )?departments|every department|all (?:five|\d+) departments", t, re.I) \
            and re.search(r"合计|一共|加起来|总共|之和|共计|总和|combined|in total|altogether|total", t, re.I):
        return "sum_all"
    if lang == "zh" and re.search(r"(?:谁|哪个|哪家|哪一个|哪个部门|哪个单位).{0,14}(?:最|更)|(?:最|更)(?:多|少|高|低|大|小)的是(?:谁|哪)", t):
        return "compare"
    alone = LEXICON.cue_words.get("superlative_alone")
    if lang == "zh" and alone is not None and alone.search(t):
        return "compare"
    for op, pat in cues:
        if pat.search(t):
            if op == "compare" and lang == "zh" and not re.search(r"谁|哪", t):
                # 最多/更多 without 谁/哪 is a superlative inside a lookup ("最多的是")
                continue
            counted = LEXICON.cue_words.get("counts_projects")
            if op == "policy" and lang == "zh" and counted is not None and counted.search(t):
                return "count"
            return op
    if lang == "en" and re.search(r"\bwhat (?:are|were) the\b", t) and re.search(r"\bitems?\b|\bnames?\b", t):
        return "list"
    return "lookup"


def _second_ask(text: str, which_first: bool = False) -> re.Match[str] | None:
    """The separator after which a second asking clause begins, or None. With which_first, a
    first clause that asks which one or lists ("哪块最多？", "钱怎么分的？") asks too."""
    pat = LEXICON.cue_words.get("first_ask")
    if pat is None:
        return None
    listing = LEXICON.cue("zh", "list")
    which = LEXICON.cue_words.get("asks_which")
    for m in re.finditer(r"[？?，,；;、]", text):
        head, rest = text[:m.start()], text[m.end():]
        if len(re.findall(r"[(（]", head)) > len(re.findall(r"[)）]", head)):
            continue  # a list in brackets ("几样开销（水费、电费）"), not a second ask
        asked = bool(pat.search(head)) or (which_first and (
            (which is not None and which.search(head)) or (listing is not None and listing.search(head))))
        # ("有几辆车，都是啥车": the count first, the kinds after it)
        # ("…多少？两家合计": the sum of what was just asked and before asks too)
        again = bool(pat.search(rest)) or (listing is not None and bool(listing.search(rest))) or (
            which_first and which is not None and bool(which.search(rest))) or has_cue(rest, "zh", "sum")
        if asked and again and len(rest.strip(" ？?")) >= 2:
            return m
    return None


def first_ask(text: str) -> str:
    """The first of two asking clauses ("决算多少？完成预算比例？", "收入多少，占比多少"), the
    rest blanked out (same length, so department spans stay valid); the text itself when it
    asks one thing."""
    m = _second_ask(text)
    return text if m is None else text[:m.start()] + " " * (len(text) - m.start())


def second_is_the_answer(first_op: str, second_op: str) -> bool:
    """Whether a question asking two things in turn is answered by the second: a share,
    difference, multiple or average worked out from the first ("给了多少？占几成？", "一共多少？比昌吉少
    多少？"), or the largest of what the first listed ("钱怎么分的？最大那块是啥？"). A second ask
    beside the first ("有几辆车？一般公务用车有几辆？", "补多少人？每人每月多少？") leaves the
    first as the answer, the second said after it."""
    return second_op in ("ratio", "diff", "multiple", "average", "sum") or (second_op == "compare" and first_op == "list")


def two_asks(question: str) -> tuple[str, str] | None:
    """The two asking clauses of a Chinese question that asks a second thing after a first
    ("维修费给了多少？占这个项目几成？", "钱怎么分的？最大那块是啥？"), or None. (A reason
    asked after a figure is figure_and_reason's.)"""
    if figure_and_reason(question) is not None:
        return None
    if glossary.is_english(question):
        return _two_asks_en(question)
    t = prepare(question)
    m = _second_ask(t, which_first=True)
    if m is None:
        return None
    head, rest = t[:m.start()].strip() + "？", t[m.end():].strip()
    if asks_rate(rest) and has_cue(head, "zh", "yoy"):
        return None  # "少了多少，降了百分之几": the change's rate, which its answer states beside it
    if asks_margin(rest) and detect_op(head, "zh") == "compare" and len(strip_to_metric(rest, [])) <= 1:
        return None  # "哪家退休的多，多几个": one comparison, asked by how much
    return head, rest


def _two_asks_en(question: str) -> tuple[str, str] | None:
    """"What was X in 2024, and how much of the adjusted budget was that?": both clauses ask."""
    sep, ask = LEXICON.cue_words.get("en_second_ask"), LEXICON.cue_words.get("figure_asked_en")
    if sep is None or ask is None:
        return None
    for m in sep.finditer(question):
        head, rest = question[:m.start()].strip(" ,"), question[m.end():].strip()
        if ask.search(head) and ask.search(rest) and len(rest.split()) >= 3:
            return head + "?", rest[:1].upper() + rest[1:]
    return None


def reason_asked(question: str) -> str:
    """The clauses of a question that ask a reason ("…多了多少，为啥？" → "为啥？"), "" if none."""
    lang = "en" if glossary.is_english(question) else "zh"
    sep = r"[？?，,；;。]" if lang == "zh" else r"[?;,]|\band\b(?=\s+why\b)"
    why = [c.strip() for c in re.split(sep, prepare(question), flags=re.I) if c and has_cue(c, lang, "rationale")]
    return (" ".join(why) + "?") if lang == "en" and why else ("，".join(why) + "？" if why else "")


def figure_and_reason(question: str) -> str | None:
    """The clauses that ask a figure, when a question asks a figure and, in a clause of its
    own, the reason ("…比上年多了多少？为啥？", "how much did it fall, and why?"): both are
    answered. None when it asks one of them only."""
    lang = "en" if glossary.is_english(question) else "zh"
    t = prepare(question)
    ask = LEXICON.cue_words.get("first_ask" if lang == "zh" else "figure_asked_en")
    if ask is None:
        return None
    sep = r"[？?，,；;。]" if lang == "zh" else r"[?;,]|\band\b(?=\s+why\b)"
    clauses = [c for c in re.split(sep, t, flags=re.I) if c and c.strip(" ？?")]
    why = [c for c in clauses if has_cue(c, lang, "rationale")]
    figure = [c for c in clauses if c not in why]
    # ("比去年少了？为啥": a change asked without 多少 asks the figure too)
    if not why or not figure or not any(ask.search(c) or (has_cue(c, lang, "yoy") and not restated_amounts(c))
                                        for c in figure):  # ("少了2389万多，为啥": the change is said, not asked)
        return None
    if lang == "en":
        return " ".join(c.strip() for c in figure).strip() + "?"
    return "，".join(c.strip() for c in figure) + "？"


_BRACKETED = re.compile(r"[(（]([^()（）]{3,})[)）]")
_AFTER_COLON = re.compile(r"(?:[:：]|—+)([^，,？?；;。]+)")  # a dash introduces a list as a colon does
_LIST_SEP = re.compile(r"、|(?<!\d)[，,]|[，,](?!\d)")
_NAMED = re.compile(r"[\u4e00-\u9fff]{2,}")


def enumeration(text: str, spans: list[tuple[int, int]]) -> str:
    """The items a question lists in brackets or after a colon, when it lists two or more
    ("两个补贴（95年前退休人员生活费、破产企业采暖费）"); "" otherwise. Punctuation, not
    wording: what stands before the list only names the kind of its items. A list of the
    departments (``spans``) is not one of items."""
    blank = list(text)
    for s, e in spans:
        blank[s:e] = " " * (e - s)
    text = "".join(blank)
    for rx in (_BRACKETED, _AFTER_COLON):
        m = rx.search(text)
        if m and rx is _AFTER_COLON and re.search(r"[:：]", m.group(1)):
            continue  # "信息化建设:邮电费、信息化建设:维修(护)费": names with colons, not a list after one
        if m and len([p for p in _LIST_SEP.split(m.group(1)) if _NAMED.search(strip_to_metric(p, []))]) >= 2:
            return m.group(1)
    return ""


def _excluded(text: str) -> tuple[str, ...]:
    """The parts of a figure a question leaves out ("结转的不算" → 结转), from the lexicon's
    excluding and excludable words; () when it leaves nothing out."""
    cue = LEXICON.cue_words
    if cue.get("excluding") is None or cue.get("excludable") is None or not cue["excluding"].search(text):
        return ()
    return tuple(dict.fromkeys(LEXICON.excluded_as.get(m.group(0), m.group(0))
                               for m in cue["excludable"].finditer(text.lower())))


def _figure_of_the_year_before(text: str, lang: str = "zh") -> int | None:
    """The year whose figure a question asks in a later clause after stating a change
    itself ("…比2024年少了2389万多，那2024年预算是多少", "…went up by 107.62 — what was
    the 2024 budget then?"), or None."""
    clauses = re.split(r"[，,；;？?]|\s[—–-]+\s|—", text)
    stated = restated_amounts(text) if lang == "zh" else re.search(r"\d+(?:\.\d+)?(?!\d*\s*(?:年|\b20))", clauses[0])
    if not stated:
        return None
    ask = LEXICON.cue_words.get("first_ask" if lang == "zh" else "asks_figure_en")
    for clause in clauses[1:]:
        years = [int(y) for y in _YEAR_RE.findall(clause)]
        if years and ask is not None and ask.search(clause) and not has_cue(clause, lang, "yoy"):
            return years[0]
    return None


def _prior_asked_then(text: str, lang: str = "zh") -> bool:
    """Whether a later clause asks last year's figure after an earlier one stated the change
    ("…比上年多了三百多万，那上年基本支出预算是多少", "少了99万，那去年是多少")."""
    if lang != "zh":
        return False
    clauses = [c for c in re.split(r"[，,；;？?]", text) if c.strip()]
    ask, last = LEXICON.cue_words.get("first_ask"), LEXICON.cue_words.get("prior_year_said")
    if ask is None or last is None or len(clauses) < 2:
        return False
    said = any(has_cue(c, lang, "yoy") or LEXICON.cue_words["direction_down"].search(c) for c in clauses[:-1])
    then = clauses[-1]
    return said and bool(last.search(then)) and bool(ask.search(then)) and not has_cue(then, lang, "yoy")


def _leaving_out(text: str) -> str:
    """A whole less a named part ("X除去Y剩下多少"), written as the difference "X 减去 Y" (same
    length, so department spans stay valid); the text itself when it leaves nothing out or
    says nothing of what remains."""
    cue = LEXICON.cue_words
    out, rest = cue.get("excluding"), cue.get("remainder_words")
    if out is None or rest is None or not rest.search(text):
        return text
    m = out.search(text)
    if m is None or not re.search(r"[\u4e00-\u9fff]{2}", text[:m.start()]):
        return text
    said = m.end() - m.start()
    t = text[:m.start()] + ("减去" + " " * (said - 2) if said >= 2 else "减") + text[m.end():]
    if text[m.start() - 1] in "里中":
        t = t[:m.start() - 1] + " " + t[m.start():]  # ("人员经费里除去…": the whole, not a scope)
    return rest.sub(lambda r: " " * len(r.group(0)), t)


def strip_to_metric(text: str, spans: list[tuple[int, int]], keep_share: bool = False) -> str:
    """Remove department mentions, years and filler words; what remains is the metric.

    Args:
        text: working text.
        spans: department mention spans to blank out.
        keep_share: keep 占 as a "|" separator between part and whole (ratio questions).
    """
    chars = list(text)
    for s, e in spans:
        for i in range(s, min(e, len(chars))):
            chars[i] = " "
    t = "".join(chars)
    t = _YEAR_RE.sub(" ", t)
    t = _UNIT_RE.sub(" ", t)
    if keep_share:
        tail = LEXICON.cue_words.get("share_tail")
        t = re.sub(r"所?占(?:了)?" + (f"(?:{tail.pattern})?" if tail is not None else ""), "|", t, count=1)
    for name, by in (("operand_joins", "、"), ("operand_count", " ")):
        pat = LEXICON.cue_words.get(name)
        if pat is not None:
            t = pat.sub(by, t)  # before the filler words take 有 out of 还有
    t = LEXICON.filler.sub(" ", LEXICON.filler.sub(" ", t))  # twice: "花多少" leaves 花 once 多少 is gone
    if LEXICON.cue_words.get("excluding") is not None and LEXICON.cue_words["excluding"].search(t):
        # "结转的不算" (a bracketed "（不算项目）" is filler already): what is left out names
        # no part of the metric
        t = LEXICON.cue_words["excluding"].sub(" ", LEXICON.cue_words["excludable"].sub(" ", t))
    t = _PUNCT_RE.sub(" ", t)
    # a comparison word left dangling once the year after it is gone ("收入总计比 2023年")
    dangling = LEXICON.cue_words["comparison_words"].pattern
    t = re.sub(r"(?:(?<=[\u4e00-\u9fff])|(?<=\s)|^)(?:" + dangling + r")(?=\s|$)", " ", t)
    return re.sub(r"\s+", " ", t).strip()


def _whole_first(t: str) -> str:
    """"X里Y|" (the part inside a whole named first, nothing after 占) as "Y|X"."""
    within = LEXICON.cue_words.get("within")
    part, bar, whole = t.partition("|")
    if within is None or not bar or whole.strip():
        return t
    part = part.strip()
    m = within.search(part)  # the first: "三公经费中公务用车运行费" splits after the whole
    if m is None or not part[: m.start()].strip():
        return t
    if not part[m.end():].strip():
        # "取暖费在公用经费里": the part, then where it sits
        at = LEXICON.cue_words.get("located_in")
        a = at.search(part, 0, m.start()) if at is not None else None
        if a is None or not part[: a.start()].strip() or not part[a.end(): m.start()].strip():
            return t
        return f"{part[: a.start()].strip()}|{part[a.end(): m.start()].strip()}"
    return f"{part[m.end():].strip()}|{part[: m.start()].strip()}"


_CODE_RE = re.compile(r"[(（]\s*([2-5]\d{2}(?:\s?\d{2}){0,2})\s*[)）]|(?<![\d.])([2-5]\d{4}(?:\d{2})?)(?![\d.])")
_ACTUAL_RE = re.compile(r"决算|实际支出|实际发放|实际花|实际用|执行数|actual(?:ly)? spen|final account", re.I)


def _count_units(text: str, question: str) -> list[str]:
    """Measure words the question counts in (几辆 → 辆; how many people → 人); words that
    name several departments ("几家单位比一比") count departments, not the figure."""
    several = LEXICON.cue_words.get("several_departments")
    if several is not None:
        text = several.sub(" ", text)
    rate = LEXICON.cue_words.get("rate")
    if rate is not None:
        text = rate.sub(" ", text)  # 几个点 asks a rate in points: 个 counts nothing
    measure = LEXICON.cue_words["measure_words"]
    many = "(?:" + LEXICON.cue_words["how_many"].pattern + ")"
    units = list(dict.fromkeys(re.findall(many + "(" + measure.pattern + ")", text)))
    if "个" in units and (re.search(many + "个人", text) or LEXICON.cue_words["people_counted"].search(text)):
        units = [u for u in units if u != "个"] + ["人"]  # 几个人, "退休的多几个": people counted
    if re.search(many + "[名位]", text):
        units.append("人")  # 名 / 位 count people; documents state people in 人
    low = question.lower()
    times = LEXICON.cue_words.get("multiple")
    if times is not None:
        low = times.sub(" ", low)  # "how many times bigger" counts nothing
    # English names what is counted only when it asks how many ("the bonus budget for
    # staff" asks for money, "how many staff" for people)
    counting = has_cue(low, "en", "count")
    if counting and re.search(r"\bpeople\b|\bstaff\b|\bheadcount\b|\bemployees\b|\bretirees\b|\bpersons?\b", low):
        units.append("人")
    if counting and re.search(r"\bvehicles?\b|\bcars?\b", low):
        units.append("辆")
    if LEXICON.cue_words["people_asked"].search(text):
        units.append("人")  # (never the 职工 of an item's name: "退休职工采暖费最多")
    area = LEXICON.cue_words.get("area_asked")
    if area is not None and area.search(text if not counting else low) and "平方米" not in units:
        units.append("平方米")  # "多大面积", "floor space": an area, stated in 平方米
    return units


def understand(question: str, department_spans: list[tuple[int, int]] | None = None, text: str | None = None,
               lang: str | None = None) -> Program:
    """Understand a question.

    Args:
        question: as the user typed it.
        department_spans: character spans of department mentions in ``text`` (removed
            from the metric phrase).
        text: the working text the spans refer to (defaults to prepare(question)).
        lang: the answer language when the caller knows it (a follow-up written out in
            Chinese is answered in the language it was asked in); read from the question
            otherwise.
    """
    answer_lang = lang
    whole_first = metric_default = False
    lang = "en" if glossary.is_english(question) else "zh"
    t = text if text is not None else prepare(question)
    excluded = _excluded(t)  # over the whole question: "…多少？结转的不算" leaves it out after the ask
    if lang == "zh":
        t = first_ask(t)
    code = ""
    cm = _CODE_RE.search(t)
    if cm:
        code = (cm.group(1) or cm.group(2)).replace(" ", "")
        # blank the code out (same length, so department spans stay valid)
        t_metric = t[: cm.start()] + " " * (cm.end() - cm.start()) + t[cm.end():]
    else:
        t_metric = t
    op = detect_op(t if lang == "zh" else question, lang)
    if op == "lookup" and lang == "zh" and not excluded:
        left = _leaving_out(t_metric)
        if left != t_metric:
            op, t_metric = "diff", left  # "人员经费里除去住房公积金，剩下的还有多少": the whole less the part
    if op == "yoy" and len(restated_amounts(t)) >= 2 and has_cue(t if lang == "zh" else question, lang, "diff"):
        op = "diff"  # "增加了731万，可总收支才加了664万，差多少": two figures said, their difference asked
    year = None
    base = LEXICON.cue_words.get("baseline_before_year")
    for ym in _YEAR_RE.finditer(t):
        if base is not None and base.search(t[max(0, ym.start() - 16): ym.start()]) and op in ("yoy", "diff"):
            continue  # "跟2023年预算比增加了多少": the year compared with, not the year asked
        year = int(ym.group(1))
        break
    # ("…预算27万，那17年是多少": a figure stated, another year's asked)
    asked_then = _figure_of_the_year_before(t if lang == "zh" else question, lang) if op in ("yoy", "lookup") else None
    if asked_then is not None:
        # "比2024年少了2389万多，那2024年预算是多少": the change is said, that year's figure asked
        op, year = "lookup", asked_then
    elif op in ("yoy", "diff", "lookup") and _prior_asked_then(t, lang):
        op = "lookup"  # "…比上年多了三百多万，那上年是多少": last year's figure (read as 上年)
    target_unit = None
    um = _UNIT_RE.search(t)
    if um:
        target_unit = next(g for g in um.groups() if g)
    elif lang == "en":
        em = _EN_UNIT_RE.search(question)
        if em:
            target_unit = _EN_UNIT[em.group(1).lower()]
    en_terms: list[tuple[str, str]] = []
    if lang == "en":
        en_cue = LEXICON.cue("en", "average") if op == "average" else None
        # ("per in-service employee" says what the average is over, it names no item)
        en_terms = glossary.english_terms(_distribute_and(en_cue.sub(" ", t) if en_cue is not None else t))
        if len(en_terms) > 1 and not has_cue(question, "en", "count"):
            # "the bonus budget for staff" asks for money: a head-count term only qualifies
            counted = set(LEXICON.en_count_terms)
            en_terms = [x for x in en_terms if x[1] not in counted] or en_terms
        if len(en_terms) > 1:
            # "Anyang housing fund's 'three public expenses'": what owns the item is the body
            owners = {en.lower() for en, _ in en_terms if re.search(re.escape(en) + r"\s*['’]s\b", t, re.I)}
            en_terms = [x for x in en_terms if x[0].lower() not in owners] or en_terms
        seen: set[str] = set()
        # ("still working, not retired": one item said twice)
        en_terms = [x for x in en_terms if not (x[1] in seen or seen.add(x[1]))]
        heads = [x for x in en_terms if x[1] in LEXICON.en_count_terms]
        if len(heads) > 1 and not LEXICON.cue_words["en_counts_joined"].search(t):
            # "staff actually on the job": the narrower head count ("staff, in post and
            # retired" asks them all)
            en_terms = [x for x in en_terms if x[1] not in LEXICON.en_generic_count_terms] or en_terms
        unnamed = t_metric  # (the department's own name quoted in Chinese is no item)
        for s0, e0 in department_spans or []:
            if 0 <= s0 < e0 <= len(unnamed):
                unnamed = unnamed[:s0] + " " * (e0 - s0) + unnamed[e0:]
        cjk = [c for c in re.findall(r"[\u4e00-\u9fff][\u4e00-\u9fff（）()]*", unnamed)
               if c not in glossary.EN_DEPT_TO_ZH.values()]  # (交通 of an item, not 交通运输局)
        if cjk:  # an English question quoting the Chinese item name
            metric = " ".join(cjk)
            if op == "policy":
                # "(消防安全专项资金) how many training sessions": the project quoted, the
                # indicator named in English
                extra = [zh for _, zh in en_terms if zh not in ("项目", "绩效目标", "绩效指标") and zh not in metric]
                metric = " ".join([metric] + extra)
        elif not en_terms and LEXICON.en_fallback_terms:
            # "the combined budget of both offices": a bare word that names the whole only
            # when nothing more specific is named
            low_t = t.lower()
            metric = next((zh for en, zh in LEXICON.en_fallback_terms.items()
                           if re.search(r"\b" + re.escape(en) + r"s?\b", low_t)), "")
        else:
            metric = " ".join(zh for _, zh in _join_qualifiers(t, en_terms) if zh not in ("收入",) or len(en_terms) == 1)
            outside = t
            for en, _ in en_terms:
                outside = re.sub(re.escape(en), " ", outside, flags=re.I)
            if op == "lookup" and len(en_terms) >= 2 and re.search(r"\band\b", outside, re.I):
                # "water and electricity budget" asks one figure for two things, like
                # 水费和电费: never the best fuzzy match of either name alone
                metric = "和".join(metric.split())
    else:
        metric = strip_to_metric(t_metric, department_spans or [], keep_share=op == "ratio")
        listed = enumeration(t_metric, department_spans or []) if op in ("sum", "lookup", "compare") else ""
        if listed:
            # "两个补贴（A、B）合起来", "发工资那几块：A、B、C": the parts are the ones listed
            metric = strip_to_metric(listed, [])
        if op == "average":
            cue = LEXICON.cue("zh", "average")
            metric = re.sub(r"\s+", " ", cue.sub(" ", metric)).strip() if cue is not None else metric
            # "在职人均人员经费": who the average is over is no part of the item
            spread = LEXICON.cue_words["spread_over"].pattern
            for word in (w for w in LEXICON.average_over if len(w) >= 2 and re.fullmatch(r"[\u4e00-\u9fff]+", w)):
                # ("按在职的人头平均": 按 only says what it is spread over)
                metric = re.sub(r"(?:^|(?<=\s))(?:" + spread + ")?" + word, "", metric).strip()
        if op == "rationale":
            moved = LEXICON.cue_words["reason_direction"].pattern
            metric = re.sub(r"(?:(?<=[\u4e00-\u9fff])|(?<=\s)|^)(?:" + moved + r")(?=\s|$)", " ", metric)
            metric = re.sub(r"\s+", " ", metric).strip()
        if op == "ratio":
            swapped = _whole_first(metric)
            whole_first, metric = swapped != metric, swapped
        if op == "lookup" and re.search(r"(?:多少|几)(?:个|名|位)?[\u4e00-\u9fff]{0,6}(?:人员|人数|职工|员工)", t):
            op = "count"  # "有多少退休人员" counts people
        if op == "count" and re.search(r"比.{1,30}(?:多|少|高|低)(?:多少|几)", t):
            op = "diff"  # "在职人员比退休人员多多少人": a difference of two counts
            metric = re.sub(r"(?<=[\u4e00-\u9fff])[多少高低]$", "", metric).strip()
        if not metric.strip() and re.search(r"预算|多少钱", t) and op in ("lookup", "sum", "yoy", "rationale"):
            metric, metric_default = "收支总预算", True  # "一共有多少预算": the whole budget
        if op == "count" and len(metric.replace(" ", "").replace("车", "")) <= 1:
            # "几辆车" / "多少人": the counted thing is named by the measure word
            # (a default the question did not name: "补多少人" after an item counts its people)
            # (a word of the row said is no default: "实有多少人" names 实有人数)
            rest = metric.replace(" ", "")
            if re.search(r"辆", t):
                metric, metric_default = "车辆", "车" not in rest
            elif re.search(r"人", t):
                metric, metric_default = "实有人数", not (rest and rest in "实有人数")
    want = "total"
    if op == "yoy":
        want = "change"
    elif (has_cue_word("prior_year_said", t) or (
            lang == "en" and re.search(r"(?<!carry-over from )(?<!carried over from )(?<!carryover from )\blast year\b|\bprevious year\b", question, re.I))) \
            and not (year and has_cue_word("year_glossed", t if lang == "zh" else question)):
        # ("去年（2024年）": the year is named, 去年 is only how the user places it)
        want = "prior"
    direction = ""
    low = question.lower()
    t_nd = re.sub(r"多少|几", "", t)  # 多少 asks, it does not say "less"
    if LEXICON.cue_words["direction_down"].search(t_nd) or re.search(r"decreas|fell|fall|drop|less|lower|cut|down|declin|reduc|shr[iu]nk", low):
        direction = "down"
    elif LEXICON.cue_words["direction_up"].search(t_nd) or re.search(r"increas|grew|grow|more|higher|rise|rose", low):
        direction = "up"
    smaller = LEXICON.cue_words.get("smaller")
    # 多少 asks, it does not say "less": Chinese is read without it (t_nd), English as written
    said = t_nd if lang == "zh" else low
    least = smaller.search(said) if smaller is not None else None
    most = LEXICON.cue_words["larger"].search(said) if "larger" in LEXICON.cue_words else None
    largest = least is None or (most is not None and most.start() < least.start())
    narrow = [w for w in _NARROW_WORDS if w in t or w in metric]
    link_parts: tuple = ()
    link_first = False
    if lang == "en":
        from qa.agent.linking import GENERIC_TERMS, english_slots

        splitter = _EN_DIFF_PART_RE if op in ("diff", "compare") else _EN_PART_RE
        pieces = [p for p in splitter.split(t) if p.strip()]
        link_parts = tuple(tuple(sl) for sl in (english_slots(p) for p in pieces) if sl)
        named = sum(1 for _, zh in en_terms if zh not in GENERIC_TERMS)
        link_first = sum(len(p) for p in link_parts) - named >= 2
    units = _count_units(t, question)
    if "平方米" in units and op == "lookup":
        op = "count"  # "占着多大面积的房子": an area, read as the count of 平方米
    return Program(
        link_parts=link_parts,
        link_first=link_first,
        question=question,
        lang=answer_lang or lang,
        text=t,
        op=op,
        metric=metric,
        year=year,
        want=want,
        target_unit=target_unit,
        largest=largest,
        direction=direction,
        narrow=narrow,
        en_terms=en_terms,
        code=code,
        actual=bool(_ACTUAL_RE.search(t if lang == "zh" else question)),
        asks_rate=asks_rate(t if lang == "zh" else question),
        whole_first=whole_first,
        metric_default=metric_default,
        excluded=excluded,
        count_units=units,
        amounts=restated_amounts(t),
        years=years_named(t),
        all_years=has_cue_word("all_years", t if lang == "zh" else question),
    )


def years_named(text: str) -> tuple[int, ...]:
    """The distinct years a question names, in order; () unless it names two or more."""
    ys = tuple(dict.fromkeys(int(m.group(1)) for m in _YEAR_RE.finditer(text)))
    return ys if len(ys) >= 2 else ()


def restated_amounts(text: str) -> tuple[float, ...]:
    """Amounts the question states of an item it points at ("612万那个管理服务项目里…", "那
    65.69万准备花在哪"), in 元 (lexicon ``restated_amount``; never a bound such as 10万元以上)."""
    pat = LEXICON.cue_words.get("restated_amount")
    if pat is None:
        return ()
    out = []
    for m in pat.finditer(text):
        value = float(m.group("num"))
        unit = m.group("unit")
        out.append(to_yuan(value, money_unit(unit)))
    return tuple(out)


def _join_qualifiers(text: str, terms: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """A term directly followed by a short qualifier term names one thing: "government
    procurement goods budget" is 政府采购货物, not 政府采购 and 货物 (a later bare
    "services" then borrows the 政府采购 prefix when the parts are matched)."""
    out: list[tuple[str, str]] = []
    pos, prev_end = 0, -1
    low = text.lower()
    for en, zh in terms:
        i = low.find(en.lower(), pos)
        if i < 0:
            out.append((en, zh))
            continue
        if out and len(zh) <= 2 and prev_end >= 0 and not text[prev_end:i].strip():
            pen, pzh = out[-1]
            out[-1] = (f"{pen} {en}", pzh + zh)
        else:
            out.append((en, zh))
        pos = prev_end = i + len(en)
    return out


def _distribute_and(text: str) -> str:
    """"personnel and public expenses" → "personnel expenses and public expenses", unless
    the "X and Y" is itself one glossary name ("social security and employment expenditure")."""
    joined = [en.lower() for en, _ in glossary.english_terms(text) if " and " in en.lower()]

    def repl(m: re.Match) -> str:
        pair = f"{m.group(1)} and {m.group(2)}".lower()
        if any(pair in j for j in joined):
            return m.group(0)
        return f"{m.group(1)} {m.group(3)} and {m.group(2)} {m.group(3)}"

    return re.sub(r"\b([a-z]+) and ([a-z]+) (expenditures?|expenses?|costs?|funds?|budgets?)\b", repl, text, flags=re.I)


def prepare(question: str) -> str:
    """Working form: halfwidth, English department words translated to Chinese."""
    t = expand_short_years(to_halfwidth(question).strip())
    from qa.text.script import is_traditional, to_simplified

    if is_traditional(t):
        t = to_simplified(t)  # 繁體 question over simplified facts and aliases
    if glossary.is_english(t):
        # "the Golden Security (金保工程) projects": the Chinese a user adds in brackets is a
        # name of its own, not a bracket inside one; a gloss of the words before it, which
        # the glossary already translates ("housing security expenditure (住房保障支出)",
        # "the Government Offices Administration (机关事务局)", an abbreviation), is dropped
        def gloss(m: re.Match[str]) -> str:
            zh = m.group(1).strip()
            before = t[max(0, m.start() - 60): m.start()]
            known = {c for _, c in glossary.english_terms(before)} | {glossary.translate_department_words(before)}
            return " " if any(zh in k or (len(zh) >= 3 and is_subsequence(zh, k)) for k in known) else f" {zh} "

        t = re.sub(r"\(\s*([\u4e00-\u9fff][^()]*?)\s*\)", gloss, t)
        # an English word or two in brackets glosses the words around it ("public (office)
        # expenses", "the Government Offices Administration (GOA)"): the term is what is left
        t = re.sub(r"\s*\(\s*[A-Za-z][A-Za-z -]{0,24}\)", "", t)
        return glossary.translate_department_words(t)
    # "昌吉那个中心": a demonstrative between a place and a body says nothing of either
    t = LEXICON.followup["demonstratives"].sub("", t) if "demonstratives" in LEXICON.followup else t
    # "我想问下，…差不多多少": hedges and politeness ask nothing (差不多多少 is no 多多少)
    hedges = LEXICON.cue_words.get("hedges")
    t = hedges.sub("", t) if hedges is not None else t
    # "“住房公积金管理服务”项目里": a user's quotes around a name are no part of it
    t = re.sub(r"[“”\"](?=[^“”\"]{2,30}[“”\"])|(?<=[\u4e00-\u9fff])[“”\"]", "", t)
    switch = LEXICON.followup.get("switch_words")
    if switch is not None and (lead := switch.match(t)):
        t = t[lead.end():]  # "换成州社保中心呢": the place begins after the switching word
    return _LITERAL_MARKS.sub("", _LITERAL_SPAN.sub(_years_kept, LEXICON.formalize(t)))


_LITERAL_SPAN = re.compile("「[^」]*」")
_FULLWIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")


def _years_kept(m: re.Match[str]) -> str:
    """A name as printed keeps the year it begins with ("2024年征信信息共享接入项目", not the
    carry-over line 征信信息共享接入项目): its digits are written full-width, which the question's
    year reading passes over and label matching (halfwidth) reads as printed."""
    # (its 、 becomes ·, which labels drop as they drop 、, so a list of such names is never
    # split inside one: 「运行电力保障、网络线路租用等费用」)
    kept = _YEAR_RE.sub(lambda y: y.group(0).translate(_FULLWIDTH_DIGITS), m.group(0))
    return kept.replace("、", "·")
