"""Enumerating operations: how many (count) and which ones (list), from enumerations,
project rows, numbered lists and '包括…' sentences."""

from __future__ import annotations

import re
from dataclasses import replace
from difflib import SequenceMatcher

from qa.agent.allocations import allocation_items
from qa.agent.context import DocData
from qa.agent.excerpts import Excerpt, block, lines_matching, sentence_around
from qa.agent.inside import scope_before_within
from qa.agent.matching import best_matches, is_heading_line, label_of, project_rows, to_half
from qa.agent.operations.lookup import do_lookup
from qa.agent.operations.operands import scoped, split_metrics
from qa.agent.operations.policy import find_indicator
from qa.agent.outcome import Outcome, answered, doc_label, doc_label_en, not_found
from qa.agent.understand import LEXICON, Program
from qa.tools import ops
from qa.tools.facts import GENERIC_SUFFIXES, column_kind, label_similarity, norm_label
from qa.types import UNIT_TO_YUAN, Citation, Fact, ToolResult

_INTERNAL_UNITS = ("处室", "科室", "内设机构", "机构", "部门", "管理部", "下属单位", "单位", "中心")


def of_kind(item: str, kind: str) -> bool:
    """Whether a listed name is of the kind asked for: "市区管理一部" is a 管理部 (ends in its
    last character and holds the rest), "客户服务部" is not."""
    n = norm_label(item)
    return n.endswith(kind) or (len(kind) >= 2 and n.endswith(kind[-1]) and kind[:-1] in n)


def _enumeration_for(dd: DocData, metric: str):
    m = norm_label(metric)
    best, best_s = None, 0.0
    for e in dd.enumerations:
        lab = norm_label(e.label)
        s = label_similarity(m, lab) if m else 0.0
        if lab in m or (m and m in lab):
            s = max(s, 0.9)
        if lab in _INTERNAL_UNITS and any(u in m for u in _INTERNAL_UNITS):
            s = max(s, 0.85)
        key = m.split(" ")[-1] if m else ""
        if len(key) >= 2 and sum(1 for i in e.items if of_kind(i, key)) >= 2:
            s = max(s, 0.8)  # "有哪些管理部": a list whose items are of that kind
        if s > best_s:
            best, best_s = e, s
    return best if best_s >= 0.6 else None


def _names_mostly(metric: str, name: str) -> bool:
    """Whether the metric is mostly the name ("金保工程系统维护费" of "“金保工程”系统维护费"), not
    the name and more ("…运维服务项目要覆盖县市(园区)": a target of the project, not its lines)."""
    key, n = norm_label(metric), norm_label(name)
    m = SequenceMatcher(None, key, n, autojunk=False).find_longest_match(0, len(key), 0, len(n))
    rest = key[:m.a] + key[m.a + m.size:]
    for word in sorted(GENERIC_SUFFIXES + ("分配",), key=len, reverse=True):
        rest = rest.replace(word, "")
    return bool(key) and m.size >= 0.6 * len(key) and len(rest) < 2


def _allocation_lines(op: str, dd: DocData, project: str, rows: list[Fact]) -> Outcome:
    """A project's 资金分配 lines, listed or counted. The items keep whole labels
    ("信息化建设:邮电费"): what "这几项加起来" in a later turn points at."""
    res = ops.count([f.label.split(":", 1)[1] for f in rows])
    res.operands = rows
    return Outcome(status="answered", op=op, doc=dd, label=f"{project}资金分配", result=res,
                   items=[f.label for f in rows], citations=list(dict.fromkeys(Citation.of(f) for f in rows)))


def do_count(q: Program, dd: DocData) -> Outcome:
    if re.search(r"和|与|及|、|加", q.metric):
        split = split_metrics(scoped(q), dd)
        if split and len({f.unit for f in split[0]}) == 1:
            # "在职和退休人员一共多少人": a sum of counts
            facts, names = split
            return answered("sum", dd, ops.total(facts), "、".join(label_of(f, n) for f, n in zip(facts, names)))
    # (projects are counted in 个/项: "…生活费项目有多少人" counts the people it covers)
    under = projects_under(dd, q) if set(q.count_units) <= {"个", "项"} else None
    if under is not None:
        subject, rows = under
        res = ops.count([f.label for f in rows])
        res.operands = rows
        return Outcome(status="answered", op="count", doc=dd, label=f"{subject.label}项目", result=res,
                       items=[f.label for f in rows], citations=[Citation.of(subject)] + [Citation.of(f) for f in rows])
    alloc = allocation_items(dd, q.metric) if set(q.count_units) <= {"个", "项"} else None
    if alloc is not None and _names_mostly(q.metric, alloc[0]):
        return _allocation_lines("count", dd, *alloc)  # "金保工程系统维护费那65万分成了几块"
    listed_units = ("个", "家", "处", "所")
    e = None
    if not q.count_units or any(u in listed_units for u in q.count_units):
        # named lists (处室, 科室) are counted in 个; "几台设备" / "几辆车" are figures
        e = _enumeration_for(dd, q.metric)
    if e is not None:
        items, label = list(e.items), e.label
        key = norm_label(q.metric.split(" ")[-1]) if q.metric else ""
        stated = None
        if len(key) >= 2:
            # "几个管理部": only the items of that kind, when the list mixes kinds; a count the
            # text states ("8个管理部") wins over counting names
            sub = [i for i in items if of_kind(i, key)]
            if 0 < len(sub) < len(items):
                items, label = sub, key
            near = norm_label("".join(dd.search_lines[max(0, e.line - 2): e.line + 1]))
            m = re.search(r"(\d+)个" + re.escape(key), near)
            if m and int(m.group(1)) != len(e.items):
                stated = int(m.group(1))
                label = key
        res = ops.count(items)
        if stated is not None:
            res = ToolResult(value=float(stated), unit="个", note=f"{stated}个{key}")
            if len(items) != stated:
                items = []
        out = Outcome(status="answered", op="count", doc=dd, label=label, result=res, items=items,
                      citations=[Citation(dd.document.name, e.quote, e.line)])
        return out
    if _names_all_projects(q.metric):
        rows = project_rows(dd, carry_over="结转" in q.metric)
        if rows:
            res = ops.count([f.label for f in rows])
            res.operands = rows
            return Outcome(status="answered", op="count", doc=dd, label="项目", result=res,
                           items=[f.label for f in rows], citations=[Citation.of(f) for f in rows])
    out = do_lookup(q, dd)
    if q.count_units and (out.status != "answered" or (out.result is not None and out.result.unit not in q.count_units)):
        # "项目要覆盖多少个县市": not a figure in the tables but a performance target counted
        # in that measure word
        ind = find_indicator(dd, q.metric, tuple(q.count_units))
        if ind is not None and ind.result is not None:
            return ind
        if out.status == "answered" and out.result is not None and out.result.unit in UNIT_TO_YUAN \
                and out.derived not in ("empty", "blank"):
            # "How many official vehicles": the money item named, its things counted where the
            # page counts them (车辆 in 辆)
            counted = next((row for row, unit in LEXICON.average_over.values() if unit == q.count_units[0]), "")
            if counted and counted != q.metric:
                by_thing = do_lookup(replace(q, metric=counted), dd)
                if by_thing.status == "answered" and by_thing.result is not None \
                        and by_thing.result.unit in q.count_units:
                    by_thing.op = "count"
                    return by_thing
            # "有几辆公车" over a page stating only 公务用车 50 万元: money counts no cars
            return not_found("count", f"{doc_label(dd)}没有披露“{q.metric.replace(' ', '')}”的数量（只有金额）。",
                             f"{doc_label_en(dd)} states no number of “{q.metric.replace(' ', '')}” (only an amount).", dd)
    if not q.count_units and out.status == "answered" and out.result is not None \
            and out.result.unit in UNIT_TO_YUAN and out.derived not in ("empty", "blank"):
        # "How many provident fund loans…": an amount of money counts none of them
        return not_found("count", f"{doc_label(dd)}没有披露“{q.metric.replace(' ', '')}”的数量（只有金额）。",
                         f"{doc_label_en(dd)} states no number of “{q.metric.replace(' ', '')}” (only an amount).", dd)
    out.op = "count"
    if out.derived in ("empty", "blank") and out.result is not None:
        out.result.unit = "个"  # "没有专项转移支付项目": none of them
    return out


def _names_all_projects(metric: str) -> bool:
    """Whether a metric asks for all the projects: 项目 with only the lexicon's all_projects
    words around it ("一般公共预算项目", "财政安排项目")."""
    cue = LEXICON.cue_words
    words, kind, close = cue.get("all_projects"), cue.get("all_projects_kind"), cue.get("all_projects_close")
    key = norm_label(metric)
    if words is None or kind is None or close is None or "项目" not in key:
        return False
    head, _, tail = key.rpartition("项目")
    k = kind.match(tail)
    tail = tail[k.end():] if k else tail
    return not words.sub("", head) and (not tail or bool(close.fullmatch(tail)))


def projects_under(dd: DocData, q: Program) -> tuple[Fact, list[Fact]] | None:
    """"社会保险经办机构下面有哪些项目": the projects whose 科目编码 is the named 科目's (the
    subject's fact and the project rows), None unless the words before 项目 name a coded
    科目 that has projects of its own."""
    words = norm_label(q.metric)
    if not words.endswith("项目") or len(words) < 6:
        return None
    name = words[: -len("项目")]
    # (the subject is money: "分成哪几个项目" counts the projects, not the subject)
    subjects = [m for m in best_matches(dd, name, "total", Program(**{**q.__dict__, "metric": name, "count_units": []}))
                if m.score >= 0.9 and len(m.fact.code) >= 3 and m.fact.table_no]
    if not subjects:
        return None
    subject = subjects[0].fact
    rows = [f for f in project_rows(dd) if f.code.startswith(subject.code) and norm_label(f.label) != norm_label(subject.label)]
    return (subject, rows) if rows else None


_NUMBERED = re.compile(r"^\s*(?:[（(]\s*[一二三四五六七八九十\d]+\s*[)）]|\d+[、.．](?!\d)|[-•·]\s)")
_SYNONYM_HEADS = {"职责": ("职责", "职能"), "职能": ("职能", "职责")}


def numbered_list(dd: DocData, metric: str) -> tuple[list[str], Excerpt] | None:
    """A heading naming the metric ("一、主要职能") followed by numbered lines: the items
    (each line's first clause) and the block quoted."""
    key = norm_label(metric)
    if len(key) < 2:
        return None
    heads = [key]
    for k, alts in _SYNONYM_HEADS.items():
        if k in key:
            heads += [key.replace(k, a) for a in alts]
    lines = dd.search_lines
    for i, raw in enumerate(lines):
        s = raw.strip()
        if not s or len(s) > 40 or not any(h in norm_label(s) for h in heads):
            continue
        items, first, last = [], None, None
        j = i + 1
        while j < len(lines) and j < i + 120:
            t = lines[j].strip()
            if t:
                if _NUMBERED.match(t):
                    body = _NUMBERED.sub("", t)
                    items.append(re.split(r"[。；;，,]", body)[0][:40])
                    first = first or j + 1
                    last = j + 1
                elif items and is_heading_line(t):
                    break
                elif not items and j > i + 6:
                    break
            j += 1
        if len(items) >= 2 and first:
            ex = block(lines, first, last, max_lines=60, max_chars=4000)
            if ex:
                return items, ex
    return None


def included_list(dd: DocData, metric: str) -> tuple[list[str], Excerpt, str] | None:
    """"公用经费主要包括什么": the items of the sentence stating what the item includes
    ("公用经费 121.55 万元，主要包括：办公费、水费、…"), quoted whole."""
    if not re.search(r"包括|包含", metric):
        return None
    key = norm_label(re.sub(r"(?:主要)?(?:包括|包含)", "", metric))
    # "专项业务经费包括啥项目": the item is what comes before the kind of thing asked
    keys = list(dict.fromkeys([key, re.sub(r"(?:啥|什么|哪些)?(?:项目|内容|事项)?$", "", key)]))
    for key in keys:
        if len(key) < 2:
            continue
        for ex in lines_matching(dd.search_lines, re.escape(key)):
            # a long paragraph line states several things: the clause where the item's 包括 is
            raw = dd.search_lines[ex.line - 1]
            flat_key = r"\s*".join(map(re.escape, key))
            m = re.search(flat_key + r"[^。；;]{0,30}?(?:主要)?(?:包括|包含)[:：]?([^。]+?)(?:等(?:支出|费用)?)?。", raw)
            if m:
                items = _included_items(re.sub(r"\s+", "", to_half(m.group(1))))
                if len(items) >= 2:
                    return items, Excerpt(quote=m.group(0).strip()[:400], line=ex.line), key
            s = sentence_around(dd.search_lines, ex.line, max_lines=8)
            if s is None:
                continue
            flat = re.sub(r"\s+", "", to_half(s.quote))
            k = flat.find(key)
            m = re.search(r"(?:主要)?(?:包括|包含)[:：]?(.+?)(?:等(?:支出|费用)?)?[。]?$", flat[k:] if k >= 0 else "")
            if m:
                items = _included_items(m.group(1))
                if len(items) >= 2:
                    return items, s, key
    return None


_ENUM_MARK = re.compile(r"(?:^|(?<=[；;，,。]))(?:\d{1,2}|[一二三四五六七八九十]{1,2})[、.](?!\d)")


def _included_items(body: str) -> list[str]:
    """The things an "包括：…" sentence names: numbered clauses ("1、A90万元；2、B120万元")
    or a plain enumeration ("办公费、水费、电费"), each without the amount it states."""
    numbered = bool(_ENUM_MARK.search(body))
    body = _ENUM_MARK.sub("", body)
    parts = re.split(r"[；;]" if numbered else r"[、，,；;]", body)
    items = [re.sub(r"[\d,.]+(?:万元|元|万)$", "", x).strip() for x in parts]
    return [x for x in items if x]


def project_lines(q: Program, dd: DocData) -> Outcome | None:
    """"信息化建设那笔钱都花在哪些科目上": the 资金分配 lines ingest recorded under the project
    the question names (labels "project:item"), in document order; None when the metric
    names no project with lines."""
    ms = best_matches(dd, q.metric, "total", q)
    if not ms:
        return None
    parent = norm_label(ms[0].fact.label.replace("：", ":").split(":", 1)[0])
    if len(parent) < 2:
        return None
    seen: dict[str, Fact] = {}
    for f in sorted(dd.facts, key=lambda x: x.line):
        lab = f.label.replace("：", ":")
        if ":" in lab and norm_label(lab.split(":", 1)[0]) == parent \
                and column_kind(f.column) in ("total", "other"):
            seen.setdefault(lab.split(":", 1)[1], f)
    if len(seen) < 2:
        return None
    items = list(seen)
    return Outcome(status="answered", op="list", doc=dd, label=ms[0].fact.label, items=items,
                   result=ops.count(items), citations=[Citation.of(f) for f in seen.values()])


def _moved_parts(q: Program, dd: DocData) -> Outcome | None:
    """"三公里哪几项比上年增加了": the parts of a whole (lexicon ``wholes``) whose stated
    change against last year goes the way asked; None when the question asks no direction,
    names no such whole, or the page states no part's change."""
    if q.direction not in ("up", "down"):
        return None
    last = q.metric.split()[-1] if q.metric.split() else ""
    key = norm_label(scope_before_within(last) or last)  # "三公经费里" → 三公经费
    parts = LEXICON.wholes.get(key)
    if not parts:
        return None
    moved, stated, cites = [], 0, []
    asked = replace(q, op="yoy", count_units=[], metric=key)  # (哪几项 counts nothing here)
    changes: dict[str, Fact] = {}
    for part in parts:
        for form in part.split("|"):
            # (a part the page breaks down, 公务用车购置费 and 公务用车运行维护费, is read as its pieces)
            for m in best_matches(dd, form, "change", asked)[:4]:
                f = m.fact
                if m.score >= 0.75 and column_kind(f.column) == "change" and f.unit in UNIT_TO_YUAN \
                        and norm_label(f.label) != key:
                    changes.setdefault(norm_label(f.label), f)
    for ch in changes.values():
        stated += 1
        if (ch.value > 0) if q.direction == "up" else (ch.value < 0):
            moved.append(ch)
            cites.append(Citation(dd.document.name, ch.quote, ch.line))
    if stated < 2:
        return None
    items = [f"{f.label}（{'+' if f.value > 0 else ''}{f.value:g}{f.unit}）" for f in moved]
    return Outcome(status="answered", op="list", doc=dd, label=key, items=items, result=ops.count(items),
                   citations=cites)


def without_scope_words(q: Program) -> Program:
    """The metric without a word that is only the funding scope already read as a narrowing
    ("项目 一般公共预算里" → 项目, narrowed to 一般公共预算): a scope is no item's name."""
    words = q.metric.split()
    kept = [w for w in words if norm_label(scope_before_within(w) or w) not in q.narrow]
    return replace(q, metric=" ".join(kept)) if kept and len(kept) < len(words) else q


def do_list(q: Program, dd: DocData) -> Outcome:
    q = without_scope_words(q)
    moved = _moved_parts(q, dd)
    if moved is not None:
        return moved
    alloc = allocation_items(dd, q.metric)
    if alloc is not None and not re.search(r"项目(?:有|是|都|叫|名称)", q.metric):
        return _allocation_lines("list", dd, *alloc)
    out = do_count(q, dd)
    if out.status == "answered" and out.items:
        out.op = "list"
        return out
    # ("收入有哪几块": what the document says the item 包括, asked without that word)
    included = included_list(dd, q.metric) or included_list(dd, q.metric.strip() + "包括")
    if included is not None:
        items, ex, key = included
        return Outcome(status="answered", op="list", doc=dd, label=key,
                       items=items, result=ops.count(items), citations=[Citation(dd.document.name, ex.quote, ex.line)])
    lines = project_lines(q, dd)
    if lines is not None:
        return lines
    numbered = numbered_list(dd, q.metric)
    if numbered is not None:
        items, ex = numbered
        return Outcome(status="answered", op="list", doc=dd, label=q.metric.replace(" ", ""), items=items,
                       result=ops.count(items), citations=[Citation(dd.document.name, ex.quote, ex.line)])
    return not_found("list", f"{doc_label(dd)}没有列出“{q.metric.replace(' ', '')}”。",
                     f"{doc_label_en(dd)} does not list “{q.metric.replace(' ', '')}”.", dd)
