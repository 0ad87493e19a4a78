"""The lookup operation: one figure for the metric (or several joined by 和), with
empty-table, blank-row and prose fallbacks."""

from __future__ import annotations

import re

from qa.agent.allocations import allocation_item, held_in_order
from qa.agent.context import DocData
from qa.agent.inside import split_inside
from qa.agent.matching import (ACCEPT, best_matches, blank_table_row, empty_table_statement, in_scope_table, label_of,
                               not_the_scope, one_character_off, prose_figure)
from qa.agent.operations.change import do_prior
from qa.agent.operations.operands import scoped, split_metrics
from qa.agent.operations.policy import find_indicator
from qa.agent.outcome import Outcome, answered, doc_label, doc_label_en, not_found
from qa.agent.understand import LEXICON, Program, has_cue
from qa.tools import ops
from qa.tools.facts import Match, column_kind, label_similarity, norm_label, without_generic_suffix
from qa.types import UNIT_TO_YUAN, Citation, Fact, ToolResult


def _without_head(name: str) -> str:
    """An item's name without a money word that ends it (车辆费用 → 车辆)."""
    heads = LEXICON.cue_words.get("shared_heads")
    m = heads.search(name[1:]) if heads is not None else None
    return name[: m.start() + 1] if m and m.end() == len(name) - 1 else name


_PARTS_FOLLOW = 4  # lines after a whole's sentence that may state its parts


def rows_of_scope(dd: DocData, scope: str, item: str, q: Program):
    """"三公经费中公务用车", "政府采购中服务": the figure the item's name begins (alone or after
    the scope's name) among those stated with the scope's own figure, in its table or its
    sentence; of several (公务用车购置及运行费, 公务用车购置费, 公务用车运行费) the largest,
    which holds the others. None when nothing stated with the scope fits."""
    name = norm_label(item)
    if not name:
        return None
    named = [m for m in best_matches(dd, scope, "total", q) if m.score >= 0.9]
    # a table lists all of the scope's parts; a sentence may state only some of them
    for m in sorted(named, key=lambda m: m.fact.source != "table"):
        top = m.fact
        heads = (name, norm_label(top.label) + name)

        def beside(f) -> bool:
            if top.source == "table":
                return f.table_no == top.table_no and f.column == top.column
            # a sentence's parts may follow in the lines after it ("其中，因公出国(境)经费326万元…"
            # opening the next paragraphs of a report)
            return f.source == "prose" and top.line <= f.line <= top.line + _PARTS_FOLLOW

        parts = [f for f in dd.facts if f.unit == top.unit and (f.line, f.label) != (top.line, top.label)
                 and beside(f)]
        rows = [f for f in parts if norm_label(f.label).startswith(heads)] if len(name) >= 2 else []
        short = _without_head(name)
        known = LEXICON.wholes.get(norm_label(scope), ())
        if not rows and short and len(short) <= 3 and known:
            # a short everyday word ("车" of "其中车的占几成", "车的费用") names the part of a
            # whole the lexicon knows (三公经费's 公务用车…) whose name holds its head character
            forms = [norm_label(x) for part in known for x in part.split("|") if short[0] in x]
            rows = [f for f in parts if any(label_similarity(x, norm_label(f.label)) >= 0.75 for x in forms)]
        if rows:
            return max(rows, key=lambda f: f.value)
    return None


def _sum_of_parts(q: Program, dd: DocData, metric: str) -> Outcome | None:
    """A whole the page never states but defines as its parts (三公经费 = 因公出国（境）费 +
    公务用车购置及运行费 + 公务接待费, lexicon ``wholes``): the sum of the parts it states, when
    it states every one, in one unit."""
    whole = re.sub(r"\s", "", metric)
    parts = LEXICON.wholes.get(whole)
    if not parts:
        return None
    facts = []
    for part in parts:
        ms = next((ms for form in part.split("|")
                   if (ms := [m for m in best_matches(dd, form, "total", q) if m.score >= ACCEPT])), None)
        if not ms:
            return None
        facts.append(ms[0].fact)
    if len({f.unit for f in facts}) != 1 or len({(f.line, f.label) for f in facts}) < len(facts):
        return None
    names = "、".join(f.label for f in facts)
    return answered("sum", dd, ops.total(facts), f"{whole}（{names}之和）")


def do_lookup(q: Program, dd: DocData, metric: str | None = None) -> Outcome:
    metric = q.metric if metric is None else metric
    if not metric:
        return not_found("lookup", "没能从问题中识别出要查的指标。", "I could not tell which figure the question asks for.", dd)
    if q.want == "prior" or (q.year and dd.document.year and q.year == dd.document.year - 1):
        return do_prior(q, dd, metric)
    ex = empty_table_statement(dd, metric, strict=True)
    if ex:
        res = ToolResult(value=0.0, unit=dd.document.unit or "万元", computation=None, note="empty table")
        return Outcome(status="answered", op="lookup", doc=dd, label=metric.replace(" ", ""), result=res,
                       citations=[Citation(dd.document.name, ex.quote, ex.line)], derived="empty")
    inside = split_inside(metric)
    if inside:
        # "信息化建设中维修（护）费": the scope's own line first (a project's 资金分配 row)
        line = allocation_item(dd, inside[0], inside[1])
        if line is not None:
            return answered("lookup", dd, ops.lookup(line), label_of(line, line.label))
        # "基本支出中邮电费": the item's line in the scope's own table (基本支出预算表)
        inner = best_matches(dd, inside[1], "total", q)
        titled = [m for m in in_scope_table(inner, inside[0]) if m.score >= 0.9]
        if titled:
            f = titled[0].fact
            return answered("lookup", dd, ops.lookup(f), label_of(f, inside[1]))
        for scope in dict.fromkeys([inside[0], without_generic_suffix(inside[0])]):
            own = not_the_scope(best_matches(dd, scope + inside[1], "total", q), scope)
            if own and own[0].score >= 0.95:
                f = own[0].fact
                return answered("lookup", dd, ops.lookup(f), label_of(f, scope + inside[1]))
        # "基本支出中人员经费": the item inside the scope, when it is a row of its own
        if inner and inner[0].score >= 0.9:
            f = inner[0].fact
            return answered("lookup", dd, ops.lookup(f), label_of(f, inside[1]))
        within = rows_of_scope(dd, inside[0], inside[1], q)
        if within is not None:
            return answered("lookup", dd, ops.lookup(within), label_of(within, inside[1]))
    if re.search(r"分别|各自|各是|各为|各有|\beach\b|respectively", q.question, re.I):
        # "人员经费和公用经费各是多少": every item's figure, side by side
        split = split_metrics(scoped(Program(**{**q.__dict__, "metric": metric})), dd)
        if split:
            facts, names = split
            subs = [(label_of(f, n), answered("lookup", dd, ops.lookup(f), label_of(f, n))) for f, n in zip(facts, names)]
            out = Outcome(status="answered", op="each", doc=dd, label=metric.replace(" ", ""), per_department=subs,
                          result=ToolResult(None, facts[0].unit))
            out.citations = [c for _, o in subs for c in o.citations]
            return out
    ms = best_matches(dd, metric, "total", q)
    if "、" in metric and not (ms and ms[0].score >= 0.95):
        # "水电暖多少" (水费、电费和取暖费): several items asked as one figure are added up
        split = split_metrics(scoped(Program(**{**q.__dict__, "metric": metric})), dd)
        if split and len(split[0]) >= 2:
            return answered("sum", dd, ops.total(split[0]), "、".join(split[1]))
    if re.sub(r"\s", "", metric) in LEXICON.wholes and not (ms and ms[0].score >= 0.9):
        # "水电暖": a whole said in everyday words is its parts added up, not the first part
        parts = _sum_of_parts(q, dd, metric)
        if parts is not None:
            return parts
    money = LEXICON.cue_words.get("money_asked")
    if ms and money is not None and (money.search(re.sub(r"\s", "", metric)) or money.search(q.question)):
        # "车辆价值", "worth": the figure in money of an item also counted (车辆 21 辆)
        ms = [m for m in ms if m.fact.unit in UNIT_TO_YUAN] or ms
    per = LEXICON.cue_words.get("per_unit_asked")
    if ms and per is not None and per.search(q.question.lower()):
        # "标准是每人每月多少钱": the figure stated per person and month, not the project's total
        per_ms = [m for m in ms if "/" in m.fact.unit]
        if not per_ms:
            # "破产企业退休职工取暖费每人一年给多少": the standard stated inside the item found
            # (its "项目:补贴标准" line), not the item's total
            head = norm_label(ms[0].fact.label.split(":", 1)[0])
            per_ms = [Match(f, ms[0].score) for f in dd.facts
                      if "/" in f.unit and ":" in f.label and norm_label(f.label.split(":", 1)[0]) == head]
        # a standard the question states itself ("按每人每月120元算，一年多少") is not what it asks
        said = {float(x) for x in re.findall(r"\d+(?:\.\d+)?", q.question)}
        per_ms = [m for m in per_ms if m.fact.value not in said]
        ms = per_ms or ms
    if ms and q.count_units:
        # "几辆" / "多少人": prefer the figure counted in that measure word; a figure in
        # money does not answer "推送多少期" when an indicator's target is counted in 期
        counted = [m for m in ms if m.fact.unit in q.count_units]
        if not counted and q.op != "count" and has_cue(q.question, q.lang, "count"):
            target = find_indicator(dd, metric, tuple(q.count_units), strict=True)
            if target is not None:
                return target
        ms = counted or ms
    if ms:
        f = ms[0].fact
        return answered("lookup", dd, ops.lookup(f), label_of(f, metric))
    ex = empty_table_statement(dd, metric)
    if ex and q.count_units and not all(norm_label(p) in norm_label(ex.quote) for p in metric.split() if len(norm_label(p)) >= 2):
        ex = None  # a statement about amounts says nothing about a count of what it does not name (几个团组)
    if ex:
        res = ToolResult(value=0.0, unit=dd.document.unit or "万元", computation=None, note="empty table")
        out = Outcome(status="answered", op="lookup", doc=dd, label=metric.replace(" ", ""), result=res,
                      citations=[Citation(dd.document.name, ex.quote, ex.line)], derived="empty")
        return out
    inside = split_inside(metric)
    if inside and not re.search(r"其中", metric):
        inner = best_matches(dd, inside[1], "total", q)
        if inner and inner[0].score >= 0.9:
            f = inner[0].fact
            return answered("lookup", dd, ops.lookup(f), label_of(f, inside[1]))
    stated = prose_figure(dd, metric)
    if stated is not None:
        return answered("lookup", dd, ops.lookup(stated), metric.replace(" ", ""))
    parts = _sum_of_parts(q, dd, metric)
    if parts is not None:
        return parts
    # (only where the question counts or names a target: a figure of the tables asked in
    # other words is not an indicator that shares some of them)
    target = find_indicator(dd, metric, tuple(q.count_units), strict=True) \
        if q.count_units or has_cue(q.question, q.lang, "policy") or LEXICON.cue_words["target_asked"].search(q.question) \
        else None
    if target is not None:
        # "满意度目标定的多少", "推送多少期": a figure the document states only as a
        # performance indicator's target
        return target
    blank = blank_table_row(dd, metric)
    stem = norm_label(metric)[:-2]
    if blank is not None and len(stem) >= 3:
        # the table leaves the row blank, the text states it under a sibling name ("上年结转
        # 结余" blank, "上年结转资金为54.91万元"): the stated figure is the answer
        stated = [m for m in best_matches(dd, stem, "total", q)
                  if m.fact.source == "prose" and norm_label(m.fact.label).startswith(stem) and m.score >= ACCEPT]
        if stated:
            return answered("lookup", dd, ops.lookup(stated[0].fact), stated[0].fact.label)
    if blank is not None:
        res = ToolResult(value=0.0, unit=dd.document.unit or "万元", note="blank row")
        return Outcome(status="answered", op="lookup", doc=dd, label=metric.replace(" ", ""), result=res,
                       citations=[Citation(dd.document.name, blank.quote, blank.line)], derived="blank")
    # a name said with words left out ("金保工程电力网络" of “金保工程”系统运行电力保障、网络线路
    # 租用等费用): the one money label holding its characters in order
    held = held_in_order(dd, metric)
    if held is not None:
        return answered("lookup", dd, ops.lookup(held), held.label)
    # (the corrected metric holds the label, so it is never corrected again)
    fixed = one_character_off(dd, metric)
    if fixed:
        out = do_lookup(q, dd, fixed)
        if out.status == "answered":
            return out
    return not_found(
        "lookup",
        f"{doc_label(dd)}未披露“{metric.replace(' ', '')}”这一数字。",
        f"{doc_label_en(dd)} does not disclose a figure for “{metric.replace(' ', '')}”.",
        dd,
    )
