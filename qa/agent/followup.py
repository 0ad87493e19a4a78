"""Follow-up questions: what a turn leaves out is taken over from the turn before it.

A conversation keeps one ``Turn`` per answered question: the departments, year, metric,
operation and items it was about. A new question is understood on its own first; the
slots it does not fill (department, metric, operation, year, the items "这几个" points
at) are filled from the previous turn, and the result is written out as one stand-alone
question that the ordinary pipeline answers. So a follow-up is answered by the same
deterministic code as any question, and the answer can say exactly what was taken over.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from qa.agent import glossary
from qa.agent.aliases import is_subsequence
from qa.agent.operations.average import counted_over
from qa.agent.resolve import resolve
from qa.agent.inside import split_inside
from qa.agent.understand import (LEXICON, asks_margin, asks_multiple, has_cue, has_cue_word, names_several_departments,
                                 prepare, understand)
from qa.text.normalize import squeeze
from qa.tools.facts import NARROWING_TITLE_WORDS, norm_label
from qa.text.numerals import words_to_number

def _without_empty(metric: str) -> str:
    """The metric without the lexicon's empty metric words (原因, 这项, 钱 …)."""
    empty = LEXICON.followup.get("empty_metrics")
    return empty.sub("", metric) if empty is not None else metric


def _names_a_figure(metric: str) -> bool:
    """Whether a follow-up's metric names a figure of its own: something of two characters
    or more is left once the lexicon's empty metric words are taken out."""
    return len(_without_empty(metric)) >= 2


def _names_money(metric: str) -> bool:
    """Whether an item's name is a sum of money (…生活费, …补贴, …支出), never a count."""
    heads = LEXICON.cue_words.get("shared_heads")
    m = re.sub(r"[\s「」]", "", metric)
    return heads is not None and bool(re.search("(?:" + heads.pattern + ")$", m))


def _said_shorter(metric: str, last: str) -> str:
    """The item just discussed when a follow-up names it by its head only (公务用车 of
    公务用车运行费, the money words aside), else "". Never a line inside the last item (X中Y)."""
    head = _without_empty(metric)
    if len(head) < 2 or not last or "中" in last or last == head or not last.startswith(head):
        return ""
    return last


def _sibling_part(metric: str, last: str) -> tuple[str, bool]:
    """The part of a whole (lexicon ``wholes``) a follow-up names by one of its words, when the
    item just discussed is that whole ("里面公车那块" after 三公经费) or another of its parts
    ("车呢" after 公务接待费): (the part, whether last was the whole); ("", False) if none."""
    head = _without_empty(metric)
    if not head or len(head) > 4 or not last or head in last:
        return "", False
    # (by the words they share, the whole's generic ones aside: 车 of 车辆 in 公务用车…费)
    said = set(LEXICON.followup["whole_part_generic"].sub("", head))
    for whole, parts in LEXICON.wholes.items():
        forms = [p.split("|") for p in parts]
        is_whole = last == whole
        if not is_whole and not any(last in f or any(x in last for x in f) for f in forms):
            continue
        hits = [f for f in forms if (is_whole or not any(x in last or last in x for x in f))
                and any(said & set(x) for x in f)]
        if len(hits) == 1:
            return hits[0][0], is_whole
    return "", False


def project_of_line(item: str, said: str) -> bool:
    """Whether a whole a follow-up names ("维护费") is the project a line just discussed sits
    in ("“金保工程”系统维护费:…机房托管"), said shorter: its words end that project's name."""
    project, sep, _ = item.replace("：", ":").partition(":")
    head = norm_label(said)
    return bool(sep) and len(head) >= 2 and norm_label(project).endswith(head)


def _is_whole_ref(whole: str) -> bool:
    refs = LEXICON.followup.get("whole_refs")
    return bool(whole) and refs is not None and bool(refs.fullmatch(whole))


def _body_named_back(text: str, talked_about: list[str], discussed: tuple[str, ...] = ()) -> tuple[str, str]:
    """"than the bureau", "the fund centre's figure" in an English turn: the text without
    those words and the one department of the conversation whose name has that kind of
    body, or (text, "")."""
    low = text.lower()
    for words, body in LEXICON.followup_bodies.items():
        i = low.find(words)
        if i < 0 or (i + len(words) < len(low) and low[i + len(words)].isalpha()):
            continue
        fits = [d for d in talked_about if is_subsequence(body, d)]
        if len(fits) == 1:
            j = i + len(words) + (2 if low[i + len(words): i + len(words) + 2] == "'s" else 0)
            return text[:i] + " " + text[j:], fits[0]
    # "The social insurance one." after a name that fitted several: the one whose name holds
    # what the words before "one" translate to
    pat = LEXICON.followup.get("en_named_one")
    for m in (pat.finditer(text) if pat is not None else ()):
        said = [zh for _, zh in glossary.english_terms(m.group("words"))]
        fits = [d for d in dict.fromkeys(talked_about + list(discussed)) if said and all(zh in d for zh in said)]
        if len(fits) == 1:
            return text[:m.start()] + " " + text[m.end():], fits[0]
    return text, ""




def _short_form_named_back(text: str, res, talked_about: list[str], aliases: dict) -> list[tuple[str, tuple[int, int]]]:
    """Departments of the conversation named again by a short form too loose to name one on
    its own beside another name ("安阳是社保的几倍": 社保 is the 社保中心 just discussed), in a
    name's place (followed by 的, 是, 比 … or the end)."""
    if not res.departments:
        return []
    out = []
    for d in dict.fromkeys(talked_about):
        if d in res.departments or d not in aliases:
            continue
        for form in sorted(aliases[d].generic_body_forms, key=len, reverse=True):
            i = text.find(form)
            if len(form) >= 2 and i >= 0 and LEXICON.followup["name_end"].match(text, i + len(form)) \
                    and not any(s <= i < e for s, e in res.spans):
                out.append((d, (i, i + len(form))))
                break
    return out


_LITERAL_RE = re.compile("「[^」]*」")


def _literal(name: str) -> str:
    """A name as the document printed it, marked so the question parser never rewrites its
    words (冬季清洁取暖项目 keeps 取暖; qa.text.lexicon.Lexicon.formalize)."""
    return f"「{name}」"


def _items_metric(items: tuple[str, ...] | list[str]) -> str:
    """The items a turn points at, as one metric: lines of one project ("信息化建设:邮电费", …)
    named inside it ("信息化建设中「邮电费」、「维修(护)费」"), else each name as printed."""
    heads = {i.split(":", 1)[0] for i in items if ":" in i}
    if len(heads) == 1 and all(":" in i for i in items):
        return next(iter(heads)) + "中" + "、".join(_literal(i.split(":", 1)[1]) for i in items)
    return "、".join(_literal(x) for x in items)


def _against_last(metric: str, last: str, core: str) -> str:
    """The two sides ("A、B") of a difference that names one item against the one just
    discussed ("X比它", "X比这个项目", "X比" once the pointing word is gone, "比Y多多少"), or ""
    when it names both sides itself."""
    a, said, b = metric.partition("比")
    if not said and re.search(r"比\s+", core):
        a, said, b = metric, "比", ""  # "X比它少多少": 它 taken out, nothing left after 比
    kinds = LEXICON.followup["pointed_scopes"]
    a = re.sub("^(?:" + kinds.pattern + ")", "", a.strip())  # ("另一个项目住房公积金管理服务比…")
    refs = LEXICON.followup.get("whole_refs")
    b = b.strip()
    points_back = not b or (refs is not None and refs.fullmatch(b)) or kinds.fullmatch(b) \
        or LEXICON.followup["department_refs"].fullmatch(b)
    if said and len(a) < 2 and not points_back and _names_a_figure(b) and b != last:
        # "比基本工资多多少" after 其他工资福利支出: the one discussed against the one named (a
        # part inside a whole, X中Y, is its part Y)
        return f"{last.partition('中')[2] or last}、{b}"
    if not said or len(a) < 2 or a == last or not points_back:
        return ""
    return f"{a}、{last}"


def _line_of_its_project(item: str, inherited: list[str]) -> tuple[str, str]:
    """A project's line ("信息化建设:维修(护)费") as the part and its project as the whole of a
    share (metric, whole); the whole is noted among what was taken over."""
    head, _, line = item.partition(":")
    inherited.append("整体：" + head)
    return f"{_literal(head)}中{_literal(line)}", _literal(head)


def _ordinal(text: str) -> tuple[str, int | None]:
    """The text without an ordinal word ("第一个项目多少钱") and the place it names (1, 2 …,
    -1 for the last), or None."""
    text, places = _ordinals(text)
    return text, (places[0] if places else None)


def _ordinals(text: str) -> tuple[str, list[int]]:
    """The text without its ordinal words and the places they name, in the order said
    ("第一个比第二个多多少" → [1, 2])."""
    low = text.lower()
    found: list[tuple[int, int, int]] = []  # (start, end, place)
    for word, place in sorted(LEXICON.ordinals.items(), key=lambda kv: -len(kv[0])):
        for m in re.finditer(re.escape(word), low):
            if not any(a < m.end() and m.start() < b for a, b, _ in found):
                found.append((m.start(), m.end(), place))
    found.sort()
    for a, b, _ in reversed(found):
        text = text[:a] + " " + text[b:]
        low = text.lower()
    return text, [p for _, _, p in found]


def _at(listed: tuple[str, ...], place: int) -> str:
    """The item at an ordinal's place in a list (1 is the first, -1 the last), or ""."""
    k = place - 1 if place > 0 else place
    return listed[k] if listed and -len(listed) <= k < len(listed) else ""


def _each_named_back(core: str, spans: list[tuple[int, int]], talked: set[str], aliases: dict) -> list[str]:
    """The departments of the conversation that several loose names say back, one per name
    ("安阳是昌吉的几倍" after both were discussed), or [] when a name fits none or several."""
    picks: list[str] = []
    for a, b in sorted(set(spans)):
        one = resolve(core[a:b], aliases)
        fits = [d for d in (one.departments or one.ambiguous) if d in talked]
        if len(fits) != 1:
            return []
        picks.append(fits[0])
    return list(dict.fromkeys(picks))


@dataclass(frozen=True)
class Turn:
    """What one answered question was about (the context for the next one).

    Attributes:
        question: the stand-alone question that was answered.
        departments: official names of the departments it was about.
        year: the year it named (None: the documents' own).
        metric: the metric phrase.
        op: the operation.
        want: "total", "prior" or "change".
        items: the named things of the answer (list items, summed parts).
    """

    question: str
    departments: tuple[str, ...]
    year: int | None
    metric: str
    op: str
    want: str
    items: tuple[str, ...] = ()
    base_op: str = "lookup"  # the last figure question's operation (reasons and lists pass it on)
    # the items of this turn and the one before ("最大的" then "最小的": "这两个" is both)
    recent_items: tuple[str, ...] = ()
    # the departments of the turn before when this one switched ("换成社保中心看看" then
    # "哪个更多" compares the two)
    other_departments: tuple[str, ...] = ()
    # the lines of the last ranking in order ("其中哪项最多" then "第二个呢" is its second)
    ranking: tuple[str, ...] = ()
    scope: str = ""  # what the ranking ranked (its metric; ``metric`` is the line answered)
    # the list an ordinal of this turn picked from ("第一个怎么分的" then "第二个呢": the second
    # of the same list, asked the same way)
    picked: tuple[str, ...] = ()
    # every department discussed so far, the most recent last ("三家加起来" adds up the last three)
    history: tuple[str, ...] = ()
    # the items answered about so far, the most recent last (of a ranking, the one it picked):
    # "这两个加起来" after "最大的是哪个" and "最小的呢" is those two
    talked_items: tuple[str, ...] = ()
    # the figures asked so far, as asked (their metric phrases), the most recent last: "两个差多少"
    # after 项目支出 and then its 一般公共预算 part is those two readings
    asked: tuple[str, ...] = ()


@dataclass(frozen=True)
class Standalone:
    """A follow-up written out as a stand-alone question.

    Attributes:
        question: the question to answer.
        lang: the language to answer in (the follow-up's own).
        inherited: what was taken over, as readable slot names and values.
        otherwise: the reading to try when this one finds nothing ("服务多少？" after
            政府采购: the item inside the one just discussed), or None.
        item: the item this reading asks for, which an answer to it must name ("" when
            any answer will do).
    """

    question: str
    lang: str
    inherited: tuple[str, ...] = field(default_factory=tuple)
    otherwise: "Standalone | None" = None
    item: str = ""
    picked: tuple[str, ...] = ()  # the list an ordinal picked its item from

    def answered_by(self, text: str) -> bool:
        """Whether an answer's text names the item asked for, so that a figure of the whole it
        was looked for in does not pass for it."""
        return not self.item or squeeze(self.item) in squeeze(text)


def _strip(pattern: re.Pattern[str], text: str) -> tuple[str, bool]:
    out, n = pattern.subn(" ", text)
    return out, n > 0


def _metric_of(metric: str) -> str:
    return re.sub(r"[\s|]", "", metric)


def _part_and_whole(metric: str) -> tuple[str, str]:
    part, _, whole = metric.partition("|")
    return _metric_of(part), _metric_of(whole)


def rewrite(question: str, prev: Turn | None, aliases: dict) -> Standalone | None:
    """The stand-alone form of a follow-up question, or None when it stands alone.

    Args:
        question: the new question as typed.
        prev: the previous turn of the conversation (None: first turn).
        aliases: the loaded departments' alias sets (as Context.aliases).
    """
    if prev is None:
        return None
    fu = LEXICON.followup
    en = glossary.is_english(question)
    text = prepare(question)
    back = ""
    if en:
        text, back = _body_named_back(text, list(dict.fromkeys(list(prev.departments) + list(prev.other_departments))),
                                      prev.history)
        core, inside = _strip(fu["en_sub_item_refs"], text)
        item_ref = bool(fu["en_item_refs"].search(core))
        # (a year said inside a budget term is the term's: "carried over from last year")
        termless = core
        for phrase, _ in glossary.english_terms(core):
            termless = termless.replace(phrase, " ")
        prior = bool(fu["en_prior"].search(termless))
        adding = bool(fu["en_add_refs"].search(core))
        for name in ("en_item_refs", "en_department_refs", "en_turn_words", "en_add_refs"):
            core = fu[name].sub(" ", core)
    else:
        core, adding = _strip(fu["add_refs"], text)  # (prepare dropped the demonstratives)
        core, inside = _strip(fu["sub_item_refs"], core)
        core, item_ref = _strip(fu["item_refs"], core)
        core, _ = _strip(fu["department_refs"], core)
        core, _ = _strip(fu["turn_words"], core)
        # (the departments counted name no item: "两家这项预算差多少")
        core, _ = _strip(LEXICON.cue_words["several_departments"], core)
        prior = False
    core, places = _ordinals(core)
    place = places[0] if places else None
    pointed_one = ""
    pointed_two: tuple[str, ...] = ()  # "第一个比第二个多多少": two of the list, in the order said
    listed: tuple[str, ...] = ()
    if place is not None:
        listed = prev.picked or (prev.ranking if len(prev.ranking) > 1 and len(prev.items) <= 1
                                 else prev.items if len(prev.items) > 1 or len(prev.asked) < 2
                                 else prev.asked[-2:])  # ("后面这个" of the two figures just asked)
        pointed_one = _at(listed, place)  # "第一个项目": the first listed
        picked_two = tuple(dict.fromkeys(_at(listed, p) for p in places))
        if len(places) == 2 and len(picked_two) == 2 and all(picked_two):
            pointed_two, pointed_one = picked_two, ""
    res = resolve(core, aliases)
    said_back = _short_form_named_back(core, res, list(prev.departments) + list(prev.other_departments), aliases)
    if said_back:  # "安阳是社保的几倍"
        res = replace(res, departments=list(res.departments) + [d for d, _ in said_back],
                      spans=list(res.spans) + [span for _, span in said_back])
    if back and back not in res.departments:
        res = replace(res, departments=list(res.departments) + [back])  # "than the bureau"
    by_kind = False  # a loose place name read as the one of the kind just discussed
    if res.ambiguous and prev.departments:
        # "What about the Changji one?": the place's department of the kind just discussed;
        # "the fund centre's figure" (beside another named anew: "公积金中心是机关事务局的几倍"):
        # the one of the conversation a loose name fits
        kinds = set().union(*(aliases[d].body_forms for d in prev.departments if d in aliases))
        talked = set(prev.departments) | set(prev.other_departments) | set(prev.history)
        fits = [d for d in res.ambiguous if d in talked] or \
            ([d for d in res.ambiguous if d in aliases and aliases[d].body_forms & kinds] if not res.departments else [])
        if len(fits) == 1:
            res = replace(res, departments=[d for d in res.departments if d != fits[0]] + fits, ambiguous=[])
            by_kind = True
        elif len(fits) > 1 and len(named := _each_named_back(core, res.spans, talked, aliases)) > 1:
            res = replace(res, departments=named, ambiguous=[])
            by_kind = True
    # an English turn is read as English (its department words are Chinese by now)
    q = understand(question if en else core, res.spans, core)
    metric = _metric_of(q.metric)
    named_two = [w for w in q.metric.split() if len(w) >= 2]
    if len(named_two) == 2 and "|" not in q.metric and (asks_multiple(question) or q.op == "diff") \
            and not names_several_departments(text):  # ("两家车的总价值差多少": one item, two departments)
        metric = "、".join(named_two)  # "公车的钱是请客吃饭的几倍", "How much more is 物业 than 交通": two items
    named_dept = bool(res.departments or res.ambiguous or res.not_loaded)
    if back and list(res.departments) == [back] and list(prev.departments) == [back] and not res.ambiguous:
        named_dept = False  # "the center" is the one being discussed: named back, not anew
        # (of several discussed, it is the one chosen: "The social insurance one.")
    own_metric = _names_a_figure(metric) and not q.metric_default
    # "按一般公共预算口径呢" / "按财政拨款算呢": only a funding scope said, for the item discussed
    scope_only = [w for w in q.narrow if w not in prev.metric]
    rest = re.sub("|".join(map(re.escape, q.narrow)) or "^$", "", metric)
    if scope_only and (q.metric_default or not _names_a_figure(rest)):
        own_metric = False
    else:
        scope_only = []
    # (after "哪个最大" among named items, the first of them is the one answered)
    pointed_back = bool(fu["last_item_refs"].search(question)) and bool(prev.metric) and (
        len(prev.items) <= 1 or prev.op == "compare")
    # (what is left once the words naming the item's kind are gone: "项目的钱" names none)
    kind_free = fu["pointed_scopes"].sub("", metric)
    if pointed_back and not _names_a_figure(kind_free):
        own_metric = False  # "这个项目的钱怎么分的": the item just answered
    if pointed_one and len(set(listed)) == 2 and (asks_multiple(question) or q.op == "diff"):
        # "How many times bigger is the first?" of two: the one pointed at against the other
        pointed_two = (pointed_one, next(x for x in listed if x != pointed_one))
        pointed_one = ""
    if (pointed_one or pointed_two) and not _names_a_figure(kind_free):
        own_metric = False  # "那第一个项目覆盖多少人": the item pointed at, asked of
    said_shorter = _said_shorter(metric, _part_and_whole(prev.metric)[0]) if own_metric and not q.count_units else ""
    if said_shorter:
        metric = said_shorter  # "那公积金中心的公车钱" after 公务用车运行费: the item discussed, said shorter
    sibling, of_whole = _sibling_part(metric, _part_and_whole(prev.metric)[0]) \
        if own_metric and not said_shorter and not q.count_units else ("", False)
    if inside and not of_whole:
        sibling = ""  # (a line inside an item that is no whole of the lexicon is that item's own)
    if sibling:
        metric = sibling  # "车呢" after 公务接待费: the other part of the whole discussed
    # "和昌吉州公积金中心比，谁的在职人数多": one department named against the one discussed
    against = ((q.op in ("compare", "diff") or (q.op == "count" and asks_margin(question)))
               and len(res.departments) == 1 and not res.ambiguous
               and bool(prev.departments) and res.departments[0] not in prev.departments)
    if named_dept and own_metric and not (item_ref or adding or against or by_kind or said_shorter or inside):
        return None  # a question of its own
    last_item = _part_and_whole(prev.metric)[0]
    # one item just discussed, not several (A和B) nor one inside another (X中Y)
    inner_reading = (own_metric and not inside and not named_dept and not sibling and q.op in ("lookup", "count")
                     and bool(last_item) and metric != last_item and not fu["compound_item"].search(last_item))
    if res.not_loaded and not res.departments:
        return None  # "换成财政局": not loaded; the ordinary refusal says so
    inherited: list[str] = []
    prev_part, prev_whole = _part_and_whole(prev.metric)
    if prev.ranking and prev.scope and q.op in ("compare", "lookup") and place is None \
            and not _names_a_figure(_metric_of(q.metric)):
        prev_part = prev.scope  # "最小的呢" after "最大的是哪个": ranked in the same lines
    # the department(s): named anew, added to the earlier ones ("再加上社保中心", "比昌吉公积金
    # 中心少多少"), or taken over
    departments = list(res.departments)
    if by_kind:
        inherited.append("部门：" + "、".join(departments))
    if (named_dept and (q.op in ("diff", "compare") or asks_multiple(question)) and not own_metric
            and prev.other_departments and set(res.departments) <= set(prev.departments)):
        # "How much bigger is Anyang's?" right after switching to it: the two just discussed
        departments = list(dict.fromkeys(list(prev.other_departments) + departments))
        inherited.append("部门：" + "、".join(departments))
    elif named_dept and (adding or against or (not own_metric and (q.op in ("diff", "compare", "sum") or asks_multiple(question)))):
        # ("跟机关事务局的加一块是多少": the one named added to the one discussed)
        departments = list(dict.fromkeys(list(prev.departments) + departments))
        inherited.append("部门：" + "、".join(prev.departments))
    elif not named_dept:
        departments = list(prev.departments)
        counted = departments_counted(text)
        if counted and counted > 1 and len(prev.history) >= counted:
            departments = list(prev.history[-counted:])  # "三家加起来多少": the last three discussed
        elif names_several_departments(text) and prev.other_departments:
            # "两家单位的…加起来": the two just discussed
            departments = list(dict.fromkeys(list(prev.other_departments) + departments))
        which = fu.get("which_department")
        if q.op in ("compare", "diff") and prev.other_departments and (
                not own_metric or (which is not None and which.search(question))):
            # "哪个更多" right after switching department: the two just discussed
            departments = list(dict.fromkeys(list(prev.other_departments) + departments))
        if departments:
            inherited.append("部门：" + "、".join(departments))
    # the operation: a cue of the turn's own, else what was asked before (a reason question
    # in between does not count: "项目支出呢？" after "原因呢？" asks the figure again)
    op = q.op
    if against and op == "count":
        op = "compare"  # "how many more … than the bureau": two counts compared, by how much
    asks_figure = bool(fu["figure_questions"].search(core))
    # "So what was the 2023 total?": a figure asked of another year is that year's figure
    asks_itself = (own_metric and (bool(q.year) or asks_figure)) or (
        asks_figure and bool(q.year) and q.year != prev.year)
    if q.op == "lookup" and q.want == "total" and not prior and not asks_itself and not asks_multiple(question):
        # (an average is over what the last turn counted: a new item of its own is a figure;
        # "第二个呢" after an ordinal pick is asked as the pick was)
        if pointed_one and prev.picked and not own_metric:
            op = prev.op
        elif prev.base_op == "ratio" and own_metric and not named_dept:
            op = "lookup"  # "那请客吃饭的钱呢" after a share: that item's figure (a share is asked again in words)
        elif prev.base_op == "ratio" and not own_metric and fu["amount_of_share"].search(question):
            op = "lookup"  # "金额是？" after a share: the part's own amount
        elif prev.base_op == "compare" and own_metric and not named_dept and not inside and prev.items:
            op = "lookup"  # "征信那个项目呢" after "哪个最贵": that item's figure (ranked again only when said)
        elif prev.base_op == "count" and own_metric and not named_dept and _names_money(metric):
            op = "lookup"  # "那95年以前退休人员生活费呢" after "补多少人": that item's money
        else:
            op = "lookup" if prev.base_op == "list" or (prev.base_op == "average" and own_metric) else prev.base_op
        if op != "lookup":
            inherited.append("问法：" + LEXICON.op_names.get(op, op))
    # the metric: the items "这几个" points at, an item inside the last one ("其中维修费"),
    # the last one plus a new one ("再加上…"), a new one, or the last one
    whole = ""
    pointed = prev.items if len(prev.items) > 1 or len(prev.recent_items) < 2 else prev.recent_items
    amount = LEXICON.followup_amount
    # (unless it points at several items listed: "这两个项目加起来多少钱" adds them up)
    rest_of = fu.get("rest_refs")
    if rest_of is not None and rest_of.search(question) and not own_metric and "中" in prev_part:
        # "And the rest?" after a part of a whole: the whole less that part
        whole_said, _, part_said = prev_part.partition("中")
        metric, op = f"{whole_said}减去{part_said}", "diff"
        inherited = [x for x in inherited if not x.startswith("问法：")] + ["整体：" + whole_said]
    elif prev.op == "count" and amount is not None and amount.search(text) and prev_part \
            and not (item_ref and len(pointed) > 1) and q.op != "average":
        # "涉及多少钱" after "有几个项目": the amount stated beside the count (项目金额)
        metric, op = f"{prev_part}金额", "lookup"
        inherited = [x for x in inherited if not x.startswith("问法：")] + ["指标：" + prev_part]
    elif pointed_two and not own_metric:
        metric = "、".join(_literal(x) for x in pointed_two)  # "第一个比第二个多多少"
        inherited.append("项目：" + "、".join(pointed_two))
    elif pointed_one and (inner := split_inside(metric)) and fu["pointed_scopes"].fullmatch(inner[0].strip()):
        # "第一个项目里咨询费": a line inside the item pointed at
        metric = f"{_literal(pointed_one)}中{inner[1].strip()}"
        inherited.append("项目：" + pointed_one)
        op = "lookup" if op in ("count", "list") else op
    elif pointed_one and not own_metric:
        metric = _literal(pointed_one)
        inherited.append("项目：" + pointed_one)
        if op == "compare" and not q.op == "compare":
            # "第二个呢" after "最大的那个多少钱": the one picked is asked its figure, not ranked
            op = "lookup"
            inherited = [x for x in inherited if not x.startswith("问法：")]
        if op == "count" and not q.count_units:
            op = "lookup"  # "第一个项目有多少" after "有哪些项目": that item's figure (its people
            # are counted still: "第一个项目覆盖多少人")
            inherited = [x for x in inherited if not x.startswith("问法：")]
    elif op in ("compare", "sum") and not own_metric and prev.op in ("list", "count") and len(prev.items) > 1:
        # "最大的那个多少钱" / "加起来多少" after "有哪些项目" or "有几个项目": the items just listed
        heads = {i.split(":", 1)[0] for i in prev.items if ":" in i}
        if op == "compare" and len(heads) == 1 and all(":" in i for i in prev.items):
            metric = f"{_literal(next(iter(heads)))}中"  # one project's lines: ranked inside it
        else:
            metric = _items_metric(prev.items)
        inherited.append("项目：" + "、".join(prev.items))
    elif item_ref and pointed:
        pointed = _pointed_back(text, pointed, prev.talked_items)
        if len(set(pointed)) < 2 and len(prev.asked) > 1:
            # "两个差多少" after one item read two ways (项目支出, then its 一般公共预算 part):
            # the figures just asked
            pointed = _pointed_back(text, prev.asked[-2:], prev.asked)
        if op in ("sum", "lookup", "compare") and not q.count_units:
            # "这两个加起来多少" after "补多少人" and another item's money: the items, not the
            # count stated of the first (州直…采暖费:补贴人数 is the 采暖费's people)
            counted = fu["count_fields"].pattern
            pointed = tuple(dict.fromkeys(re.sub(r":[^:]*(?:" + counted + ")$", "", i) for i in pointed))
        metric = _items_metric(pointed)
        inherited.append("项目：" + "、".join(pointed))
        if op in ("count", "lookup", "compare") and len(pointed) > 1:
            op = "sum"  # "这几个加起来多少": the items added up
    elif adding and own_metric and not named_dept:
        metric = f"{prev_part}、{metric}"
        inherited.append("项目：" + prev_part)
        op = "sum"
    elif op == "diff" and own_metric and not named_dept and prev_part and "、" not in metric \
            and (against_last := _against_last(metric, prev_part, core)):
        # "那破产企业…采暖费比它少多少": the item named, against the one just discussed
        metric = against_last
        inherited.append("项目：" + prev_part)
    elif inside and own_metric and prev_part:
        metric = f"{prev_part}中{metric}"  # "信息化建设" + "其中维修（护）费": inside the last item
        inherited.append("所属：" + prev_part)
    elif inside and not own_metric and prev_part and op == "compare":
        metric = f"{prev_part}中"  # "其中哪项最多" after 公用经费: the largest item inside it
        inherited.append("所属：" + prev_part)
    elif pointed_back and not own_metric and prev.op == "compare" and prev.items:
        metric = _literal(prev.items[0])  # "这个项目的钱怎么分的" after "哪个最大": the largest
        inherited.append("项目：" + prev.items[0])
    elif not own_metric:
        # (projects inside a line that is no project itself: never a project's own lines)
        kind_said = metric if op in ("list", "count") and pointed_back and metric == "项目" \
            and "项目" not in prev_part else ""
        # "这笔钱分成哪几个项目": the projects inside the item just answered
        # (the line answered inside its whole: 社会保障和就业支出中其他生活救助 → 其他生活救助)
        metric = f"{prev_part.partition('中')[2] or prev_part}里{kind_said}" if kind_said else prev_part
        if scope_only and metric:
            metric = "".join(scope_only) + metric  # (the scope said now, on the item discussed)
        elif op == "lookup" and prev.base_op == "ratio" and metric:
            # the part's amount in the funding scope of the whole it was a share of
            # ("社保就业支出占一般公共预算拨款多少" then "金额是？": its 一般公共预算 figure)
            metric = "".join(w for w in NARROWING_TITLE_WORDS if w in prev_whole and w not in metric) + metric
        if op == "ratio" and prev.op == "ratio":
            whole = prev_whole
        if metric:
            inherited.append("指标：" + metric)
    if op == "ratio" and not whole:
        # "占多少" / "X占多少" leave the whole to the context; "占总支出多少" the part
        part, named_whole = _part_and_whole(q.metric)
        share_of = LEXICON.cue_words["share_of"].search(question.lower()) if en else None
        if share_of and part and not named_whole and not item_ref and prev_part:
            # "What share of total revenue is it?": the term right after "share of" is the
            # whole ("What share of it is basic expenditure?" names the part after "is")
            after = re.sub(r"^\s*(?:the\s+)?", "", question.lower()[share_of.end():])
            if any(after.startswith(e.lower()) and _metric_of(z) == part for e, z in q.en_terms):
                part, named_whole = "", part
        project_line = [i for i in prev.items if ":" in i] if len(prev.items) == 1 else []
        if not part and _is_whole_ref(named_whole) and project_line:
            # "维修费给了多少？占这个项目几成？": a project's line, of that project
            metric, whole = _line_of_its_project(project_line[0], inherited)
        elif not part and _is_whole_ref(named_whole):
            # "占这个项目几成": the whole is what the last item sits in, else the last item
            scope, _, inner = prev_part.partition("中")
            metric, whole = (prev_part, scope) if inner else (prev_part, prev_whole or prev_part)
        elif not part and named_whole and project_of_line(prev_part, named_whole):
            # "它占维护费多少" after a line of the 金保工程系统维护费 project: of that project
            metric, whole = _line_of_its_project(prev_part, inherited)
        elif not part and named_whole:
            metric, whole = (metric if item_ref else prev_part), named_whole
        elif not part and not named_whole and pointed_one and ":" in pointed_one:
            # "第二个占多少" after a project's lines were listed: of that project
            metric, whole = _line_of_its_project(pointed_one, inherited)
        elif not part and not named_whole and "中" in metric:
            whole = metric.partition("中")[0]  # "What share is that?" of X中Y: of X
            inherited.append("整体：" + whole)
        elif part and named_whole and not _is_whole_ref(named_whole):
            metric, whole = part, named_whole  # both named ("网络系统维护费占项目支出多少")
        elif part:
            # "社保和就业呢？" after a share: another part of the same whole (left to the
            # answering when the last share named none, as it was then)
            # (the last item inside a whole, X中Y: another part of X)
            whole = prev_whole if prev.op == "ratio" else prev_part.partition("中")[0]
            metric = part
            if whole:
                inherited.append("整体：" + whole)
    want = "prior" if prior else q.want
    if want == "total" and op == prev.op and not own_metric and prev.want == "prior" \
            and not has_cue_word("this_year", question):
        want = "prior"  # ("换成机关事务局呢，今年交多少": this year's, said so)
    year = q.year or prev.year
    if not q.year and any(d not in prev.departments for d in departments) and len(departments) > 1:
        # "跟社保中心比谁的…高": another department brought in answers from its own year's
        # document (the year said before was the first one's)
        year = None
    if year and not q.year:
        inherited.append(f"年度：{year}")
    if not departments or not metric and op not in ("list", "count"):
        return None
    inherited = [re.sub("[「」]", "", x) for x in inherited]  # the note shows names as printed
    lang = "en" if en else "zh"
    over = counted_over(question, "en" if en else "zh") if op == "average" else None
    if op == "average" and not over and prev.op == "average":
        over = counted_over(prev.question, "zh")  # "What about the social insurance center?": over the same
    per = over[1] if over else ""
    # (a bare 人均 is left to the answering, which counts the item's own people before the
    # department's staff: "人均每年多少钱" after "它覆盖多少人")
    over_label = over[0] if over and over != counted_over(over[1], "zh") else ""
    asked = "purpose" if op == "rationale" and LEXICON.cue_words["asks_purpose"].search(question) else op
    if op == "compare" and len(departments) > 1 and has_cue_word("growth_compared", question):
        asked = "growth"  # "两家谁涨得快"
    if op == "count" and len(departments) > 1 and has_cue(question, lang, "sum"):
        asked = "count_sum"  # "两家加起来几辆车": each department's count, added up
        metric = metric + ("|" + q.count_units[0] if q.count_units else "")
    alone = Standalone(render(departments, year, metric, asked, want, whole, q.largest, q.asks_rate,
                              asks_margin(question), per, over_label, asks_multiple(question),
                              q.count_units[0] if q.count_units and op in ("compare", "count") else ""), lang,
                              tuple(inherited),
                       picked=tuple(listed) if pointed_one else ())
    if not (inner_reading and "中" not in metric):
        return alone
    # a new item the department may state only inside the last one ("服务多少？" after
    # 政府采购): read there too; a fragment of a name (服务) there first, a name of its own
    # (公用经费) alone first
    inner = Standalone(render(departments, year, f"{prev_part}中{metric}", asked, want, whole, q.largest,
                              q.asks_rate, asks_margin(question)), lang,
                       tuple(inherited) + ("所属：" + prev_part,), item=metric)
    if len(metric) <= 3:
        return replace(inner, otherwise=alone)
    return replace(alone, otherwise=inner)


def render(departments: list[str], year: int | None, metric: str, op: str, want: str, whole: str = "",
           largest: bool = True, rate: bool = False, margin: bool = False, per: str = "",
           over: str = "", multiple: bool = False, counted: str = "") -> str:
    """One stand-alone Chinese question for the slots (what the pipeline reads best)."""
    who = "和".join(departments)
    when = f"{year}年" if year else ""
    several = len(departments) > 1
    if op == "rationale":
        return f"{who}{when}{metric}变化的原因是什么"
    if op == "purpose":  # "它的钱都用在哪": what the item is for, not why it changed
        return f"{who}{when}{metric}的用途是什么"
    if op == "policy":
        return f"{who}{when}{metric}的绩效目标是什么"
    if op == "list":
        return f"{who}{when}有哪些{metric or '项目'}"
    if want == "prior" and op == "count" and counted:
        return f"{who}{metric}上年有多少{counted}"  # "那去年退休的有几个": counted still
    if want == "prior" and op in ("lookup", "count", "sum"):
        return f"{who}{metric}上年是多少"  # ("那上年三公一共多少": last year's total)
    if op == "growth":
        return f"{who}{when}{metric}哪个涨得快"
    if op == "count_sum":
        item, _, unit = metric.partition("|")
        return f"{who}{when}{item}加起来一共有多少{unit or '个'}"
    if op == "count":
        return f"{who}{when}{metric}有多少{counted or '个'}"
    if op == "average":
        by = f"按{over}算" if over else ""  # "在职人均": over the serving staff
        return f"{who}{when}{metric}{by}平均每{per or '辆'}是多少"
    if op == "ratio":
        # no whole named: the answering picks it (the one a share the text states is of)
        return f"{who}{when}{metric}占{whole}的比例是多少" if whole else f"{who}{when}{metric}占比是多少"
    if op == "yoy" or want == "change":
        return f"{who}{when}{metric}比上年增长了百分之多少" if rate else f"{who}{when}{metric}比上年增加了多少"
    if op == "sum":
        return f"{who}{when}{metric}合计是多少"
    if op == "diff" and "、" in metric:
        a, b = metric.split("、", 1)
        return f"{who}{when}{a}比{b}多多少"
    if op == "compare" and not several and metric.endswith("中"):
        return f"{who}{when}{metric[:-1]}里哪一项最{'多' if largest else '少'}"
    if op == "compare" and not several and "中" in metric:
        scope, _, item = metric.partition("中")  # "其中最大的一个项目": the largest such item inside
        return f"{who}{when}{scope}里哪个{item}最{'多' if largest else '少'}"
    if op == "compare" and not several:
        # "最大的是哪个？" after the projects were counted: the largest of them
        return f"{who}{when}哪个{metric}最{'多' if largest else '少'}"
    if not several and multiple and "、" in metric:
        a, b = metric.split("、", 1)
        return f"{who}{when}{a}是{b}的几倍"
    if several and multiple and op in ("compare", "ratio", "lookup", "diff"):
        return f"{who}{when}{metric}哪个多，是几倍"  # "安阳是社保的几倍"
    if op == "compare" or several:
        # ("哪家退休的多，多几个": counted, so asked in its measure word)
        by = (f"，{'多' if largest else '少'}几{counted}" if counted else f"，{'多' if largest else '少'}多少") if margin else ""
        if counted and not margin:
            by = f"，各有几{counted}"
        return f"{who}{when}{metric}哪个{'多' if largest else '少'}{by}"
    if want == "prior":
        return f"{who}{metric}上年是多少"
    return f"{who}{when}{metric}是多少"


def turn_of(question: str, answer_items: list[str], aliases: dict, prev: Turn | None = None,
            ranking: list[str] | tuple[str, ...] = (), picked: tuple[str, ...] = ()) -> Turn:
    """The context an answered stand-alone question leaves for the next turn (after a ranking,
    "它" is the line it answered, and the order is kept for "第二个" until another ranking)."""
    text = prepare(question)
    res = resolve(text, aliases, want_all=True)
    q = understand(question, res.spans, text)
    departments = tuple(res.departments or res.ambiguous)
    base = q.op if q.op not in ("rationale", "policy", "list") else (prev.base_op if prev else "lookup")
    recent = tuple(dict.fromkeys((prev.items if prev else ()) + tuple(answer_items)))
    others = ()
    if prev is not None and prev.departments and prev.departments != departments:
        others = prev.departments
    metric, scope = q.metric, ""
    named = _LITERAL_RE.findall(question)
    if len(named) > 1 and "中「" not in question:
        metric = "、".join(named)  # the names as printed, for "最少的呢" to rank the same lines
    part, _, whole = metric.partition("|")
    if q.op == "ratio" and len(answer_items) == 1 and "占" in answer_items[0] and len(_metric_of(part)) <= 4:
        # "车的费用占几成" answered of 公务用车购置及运行费: "it" is that line from now on
        metric = _literal(answer_items[0].split("占", 1)[0]) + ("|" + whole if whole else "")
    if ranking and answer_items:
        metric, scope = answer_items[0], metric
    elif prev is not None and len(answer_items) == 1 and answer_items[0] in prev.ranking:
        ranking, scope = prev.ranking, prev.scope  # "第二个呢" answered: "第三个呢" counts on
    if not picked and prev is not None and len(answer_items) <= 1:
        picked = prev.picked  # "第二个多少钱", "发给多少人", "那第一个项目呢": the same list still
    return Turn(question=question, departments=departments, year=q.year, metric=metric, op=q.op,
                want=q.want, items=tuple(answer_items), base_op=base, recent_items=recent,
                other_departments=others, ranking=tuple(ranking), scope=scope, picked=picked,
                history=_discussed((prev.history if prev else ()), departments),
                talked_items=_discussed((prev.talked_items if prev else ()),
                                        tuple(answer_items[:1]) if q.op == "compare" else tuple(answer_items)),
                asked=_discussed((prev.asked if prev else ()), _figures_asked(q.op, metric)))


def _figures_asked(op: str, metric: str) -> tuple[str, ...]:
    """The figures a turn asked for, by their metric phrases ("A、B" is two; a share's is its
    part), none for a question that asks no figure (a reason, a list)."""
    if op in ("rationale", "policy", "list", "purpose"):
        return ()
    part = re.sub("[「」]", "", _metric_of(metric.partition("|")[0]))
    return tuple(x for x in part.split("、") if x) if part else ()


def _discussed(before: tuple[str, ...], now: tuple[str, ...]) -> tuple[str, ...]:
    """The departments discussed, each once, the most recently named last."""
    return tuple(d for d in before if d not in now) + tuple(now)


def _pointed_back(text: str, pointed: tuple[str, ...], talked: tuple[str, ...]) -> tuple[str, ...]:
    """The items "这两个项目" points at: the last ones discussed, as many as it says, whole
    items (not a line of one, X:Y) when it names their kind (项目); else ``pointed``."""
    pat = LEXICON.cue_words.get("items_counted")
    m = pat.search(text) if pat is not None else None
    if m is None:
        return pointed
    said = m.group("n")
    n = 2 if said == "俩" else int(said) if said.isdigit() else words_to_number(said)
    if not n or len(pointed) == n:
        return pointed
    whole_items = "项目" in text[m.end():m.end() + 4]
    # (a line X:Y discussed stands for its project X)
    heads = [i.split(":", 1)[0] for i in talked] if whole_items else list(talked)
    pool = [h for k, h in enumerate(heads) if h not in heads[k + 1:]]  # each once, where last said
    return tuple(pool[-n:]) if len(pool) >= n else pointed


def departments_counted(text: str) -> int | None:
    """How many departments a question says it is about ("三家加起来" → 3), or None."""
    pat = LEXICON.cue_words.get("departments_counted")
    m = pat.search(text) if pat is not None else None
    if m is None:
        return None
    said = m.group("n").lower()
    en = {"two": 2, "three": 3, "four": 4, "five": 5}
    return en.get(said) or (int(said) if said.isdigit() else words_to_number(said))


@dataclass
class Conversation:
    """The turns of one chat so far (one per browser session, CLI prompt or batch session).

    Mutable on purpose: it is the state a shell keeps between questions; the assistant
    appends a Turn after each answer.
    """

    turns: list[Turn] = field(default_factory=list)

    @property
    def last(self) -> Turn | None:
        return self.turns[-1] if self.turns else None
