"""Step 5: turn an Outcome into the Answer users see, in the question's language, with
value + unit, the computation and the citations."""

from __future__ import annotations

import re

from dataclasses import replace

from qa.agent import glossary
from qa.agent.context import dept_key
from qa.agent.figures import figures_of
from qa.agent.plan import Outcome
from qa.agent.understand import Program
from qa.tools import ops
from qa.tools.arith import fmt
from qa.types import Answer, ToolResult

_UNIT_EN = {"万元": "万元 (10,000 yuan)", "元": "yuan", "亿元": "亿元 (100 million yuan)", "千元": "thousand yuan",
            "%": "%", "个": "", "人": "people", "辆": "vehicles"}


_COUNT_UNITS = ("人", "辆", "个", "台", "项", "家", "套", "处", "名", "位", "所")


def show(value: float | None, unit: str, operands=None) -> str:
    """A value as printed in answers: as many decimals as the document printed its
    operands with (2 for 万元 amounts like 342.00), 2 for percentages."""
    if value is None:
        return "—"
    if unit == "%":
        return fmt(value, 2)
    if unit in _COUNT_UNITS and float(value).is_integer():
        return fmt(value, 0)  # things are counted whole ("0 辆", not the 0.00 of a price nearby)
    if operands and all(f.unit == unit for f in operands):
        return fmt(value, ops.places_of(operands))
    return fmt(value, ops.places_for([value], unit))


def _unit_en(unit: str) -> str:
    return _UNIT_EN.get(unit, unit)


def who(o: Outcome) -> str:
    if o.doc is None:
        return ""
    d = o.doc.document
    return f"{dept_key(d)}{d.year or ''}年"


def who_en(o: Outcome) -> str:
    if o.doc is None:
        return ""
    d = o.doc.document
    return f"{dept_key(d)} ({d.year or 'year n/a'})"


def _label_en(label: str, q: Program) -> str:
    """English name of a figure's label: the user's own words, the glossary, or the
    Chinese label with a known head term translated ("支出总计" → "total expenditure")."""
    for en, zh in q.en_terms:
        if zh == label:
            return en
    if label in glossary.ZH_TO_EN:
        return glossary.to_english(label)
    for zh in sorted(glossary.ZH_TO_EN, key=len, reverse=True):
        if len(zh) >= 2 and zh in label and label.replace(zh, "") in ("", "总计", "合计"):
            head = glossary.to_english(zh)
            return ("total " + head) if label != zh else head
    return label


def final_value(q: Program, o: Outcome) -> tuple[float | None, str, str | None]:
    """(value, unit, computation) the answer reports, after direction and unit rules."""
    res = o.result
    if o.op == "yoy" and o.derived == "rate" and o.rate is not None:
        v = o.rate.value
        if q.direction and v is not None and ((q.direction == "down") == (v < 0)):
            v = abs(v)
        return v, "%", o.rate.computation
    if res is None:
        return None, "", None
    if q.target_unit and res.unit != q.target_unit:
        res = ops.convert_result(res, q.target_unit)
    v = res.value
    if o.op == "diff" and v is not None and (not q.direction or (q.direction == "down") == (v < 0)):
        v = abs(v)
    if o.op == "yoy" and o.derived == "change" and q.direction and v is not None and ((q.direction == "down") == (v < 0)):
        v = abs(v)
    return v, res.unit, res.computation


def listed_total(o: Outcome) -> ToolResult | None:
    """The sum of a list's items when each is an amount of one unit (a project's 资金分配
    lines, a subject's projects), else None (names, counted things)."""
    rows = o.result.operands if o.result is not None else []
    if o.op not in ("list", "count") or not rows or len(rows) != len(o.items) or rows[0].unit in _COUNT_UNITS \
            or any(f.value is None or f.unit != rows[0].unit for f in rows):
        return None
    whole = ops.total(rows)
    return whole if whole.value is not None else None


def sentence(q: Program, o: Outcome) -> str:
    """The answer sentence for an answered outcome."""
    v, unit, _ = final_value(q, o)
    en = q.lang == "en"
    label = o.label
    for w in q.narrow:
        # say which funding scope the figure is ("一般公共预算项目支出")
        if w not in label and o.op in ("lookup", "yoy", "sum", "diff") and "占" not in label:
            label = w + label
            break
    if o.op in ("count", "list") and o.items:
        # a project's lines are said by their own names (the project is in the label)
        shown = [i.split(":", 1)[1] if ":" in i else i for i in o.items]
        whole = listed_total(o)
        total = ""
        if whole is not None:
            # a project's lines and a subject's projects are amounts: each is said with its
            # own figure, and their sum, as an auditor reads them off the table
            shown = [f"{s} {show(f.value, f.unit, [f])} {f.unit}" for s, f in zip(shown, whole.operands)]
            total = f"，合计 {show(whole.value, whole.unit, whole.operands)} {whole.unit}" if not en else \
                f"; together {show(whole.value, whole.unit, whole.operands)} {_unit_en(whole.unit)}"
        items = ("；" if any("、" in i for i in shown) else "、").join(shown)
        n = len(o.items)
        if en:
            return f"{who_en(o)}: {n} {_label_en(label, q)} — {', '.join(shown)}{total}."
        return f"{who(o)}{label}共 {n} 个：{items}{total}。"
    if o.op in ("rationale", "policy"):
        quotes = "\n".join(f"“{e.quote}”（第{e.line}行）" if not en else f"“{e.quote}” (line {e.line})" for e in o.excerpts)
        if en:
            head = "Reason / basis" if o.op == "rationale" else "Performance indicators"
            return f"{head} for {_label_en(label, q)} in {who_en(o)}, as stated in the document:\n{quotes}"
        head = "原因/依据" if o.op == "rationale" else "绩效指标"
        return f"{who(o)}关于“{label}”的{head}，原文如下：\n{quotes}"
    if o.op == "indicator" and o.result is not None:
        r = o.result
        quote = o.excerpts[0].quote.replace("\n", " ") if o.excerpts else ""
        if en:
            return f"{who_en(o)}: the target for “{label}” is {r.note}{fmt(r.value)}{r.unit} — “{quote}” (line {o.excerpts[0].line})."
        return f"{who(o)}“{label}”的指标值为 {r.note}{fmt(r.value)}{r.unit}。原文：“{quote}”（第{o.excerpts[0].line}行）"
    if o.derived == "blank":
        return (f"{who_en(o)}: {_label_en(label, q)} is 0 — the table lists it with no amount."
                if en else f"{who(o)}{label}为 0（表中列有该项，金额为空）。")
    if o.derived == "empty":
        return (f"{who_en(o)}: {_label_en(label, q)} is 0 — the document states the table is empty / no such spending."
                if en else f"{who(o)}{label}为 0（文件说明该表为空表/没有此项支出）。")
    operands = o.result.operands if o.result else None
    vs = show(v, unit, operands)
    if o.derived == "prior":
        # (a count's last year too: "35 - 1 = 34" is last year's 退休人数, never this year's)
        return (f"{who_en(o)}: last year's {_label_en(label, q)} was {vs} {_unit_en(unit)}." if en
                else f"{who(o)}{label}的上年数为 {vs} {unit}。")
    if o.op == "yoy":
        change = o.change
        if change is not None:
            word_zh = "增加" if change > 0 else "减少" if change < 0 else "持平，变化"
            word_en = "up" if change > 0 else "down" if change < 0 else "unchanged, a change of"
            amount = show(abs(change), o.result.unit if o.result else unit, operands)
            rate = ""
            if o.rate is not None and o.rate.value is not None:
                r = o.rate.value
                rate_zh = f"，{'增长' if r > 0 else '下降' if r < 0 else '变化'} {show(abs(r), '%')}%"
                rate_en = f" ({show(r, '%')}%)"
            else:
                rate_zh = rate_en = ""
            if en:
                return f"{who_en(o)}: {_label_en(label, q)} is {word_en} {amount} {_unit_en(o.result.unit if o.result else unit)} on last year{rate_en}."
            return f"{who(o)}{label}比上年{word_zh} {amount} {o.result.unit if o.result else unit}{rate_zh}。"
        if o.derived == "rate" and o.rate is not None and o.rate.value is not None:
            # only the rate is stated ("同比增长5%"): the answer says which way it moved
            r = o.rate.value
            if en:
                return f"{who_en(o)}: {_label_en(label, q)} is {'up' if r > 0 else 'down' if r < 0 else 'unchanged'} {show(abs(r), '%')}% on last year."
            return f"{who(o)}{label}比上年{'增长' if r > 0 else '下降' if r < 0 else '变化'} {show(abs(r), '%')}%。"
    if o.op == "ratio":
        if en and "占" in label:
            part, whole = label.split("占", 1)
            return f"{who_en(o)}: {_label_en(part, q)} is {vs}% of {_label_en(whole, q)}."
        if en:
            return f"{who_en(o)}: {label} = {vs}%."
        if re.search(r"率$", label):
            return f"{who(o)}{label}为 {vs}%。"  # 预算完成率 names a rate already
        return f"{who(o)}{label}的{'比例' if '占' in label else '占比'}为 {vs}%。"
    if o.op == "sum":
        return (f"{who_en(o)}: {_label_en(label, q)} total {vs} {_unit_en(unit)}." if en
                else f"{who(o)}{label}合计 {vs} {unit}。")
    if o.op == "diff":
        return (f"{who_en(o)}: the difference ({label}) is {vs} {_unit_en(unit)}." if en
                else f"{who(o)}{label}相差 {vs} {unit}。")
    return (f"{who_en(o)}: {_label_en(label, q)} is {vs} {_unit_en(unit)}." if en
            else f"{who(o)}{label}为 {vs} {unit}。")


def compose(q: Program, o: Outcome) -> Answer:
    """Build the Answer for one outcome (answered or not_found)."""
    en = q.lang == "en"
    if o.status == "not_found":
        return Answer(status="not_found", answer=o.reason_en if en else o.reason, warnings=list(o.warnings))
    if o.per_department and o.op in ("compare", "diff_departments", "each", "years_mean", "years_change"):
        return _compose_compare(q, o)
    v, unit, comp = final_value(q, o)
    text, lead = sentence(q, o), _lead(q, o)
    if lead:
        text = text[:-1] + lead + text[-1] if text.endswith(("。", ".")) else text + lead
    if comp:
        text += ("\nComputation: " if en else "\n计算：") + comp
    if o.warnings:
        text += ("\nWarning: " if en else "\n注意：") + " ".join(o.warnings)
    # a list asked for by how many ("内设几个科室？列出来"): the count is its value too; a
    # list of amounts asked by name has their sum for its value
    numeric = o.op not in ("rationale", "policy", "list") or (o.op == "list" and bool(q.count_units) and bool(o.items))
    if o.op == "list" and not numeric and (whole := listed_total(o)) is not None:
        numeric, v, unit, comp = True, whole.value, whole.unit, comp or whole.computation
    return Answer(
        status="answered",
        answer=text,
        value=v if numeric else None,
        unit=unit if numeric and v is not None else None,
        computation=comp,
        citations=list(o.citations),
        warnings=list(o.warnings),
        items=list(o.items) or [x for x in (o.label or "").split("、") if x],
        figures=figures_of(o),
        margin=_margin(o),
        ranking=list(o.ranking),
        rate=o.rate.value if o.op == "yoy" and o.rate is not None and o.derived != "prior" else None,
        change=o.result.value if o.op == "yoy" and o.derived == "rate" and o.result is not None else None,
        change_unit=(o.result.unit or None) if o.op == "yoy" and o.derived == "rate" and o.result is not None else None,
    )


def _margin(o: Outcome) -> float | None:
    return abs(o.margin.value) if o.margin is not None and o.margin.value is not None else None


def _lead(q: Program, o: Outcome) -> str:
    """"（比机关事务局多 0.41 万元）": by how much the winner of two leads, said whenever
    two figures are compared (who is larger is asked; by how much is what one reads next)."""
    m = _margin(o)
    if m is None or not o.runner_up:
        return ""
    res = o.margin
    amount = f"{show(m, res.unit, res.operands)} {res.unit if q.lang != 'en' else _unit_en(res.unit)}"
    if res.unit == "%":  # two rates apart by points, not by a per cent of either
        amount = f"{show(m, res.unit, res.operands)} {'percentage points' if q.lang == 'en' else '个百分点'}"
    if q.lang == "en":
        return f" ({'more' if q.largest else 'less'} than {o.runner_up} by {amount})"
    return f"（比{o.runner_up}{'多' if q.largest else '少'} {amount}）"


def _compose_compare(q: Program, o: Outcome) -> Answer:
    en = q.lang == "en"
    res = o.result or ToolResult(None, "")
    parts = []
    for name, sub in o.per_department:
        if sub.status == "answered" and sub.result is not None:
            parts.append(f"{name} {show(sub.result.value, sub.result.unit, sub.result.operands)} {sub.result.unit}")
        else:
            parts.append(f"{name}: {'not disclosed' if en else '未披露'}")
    value = res.value
    if o.op == "each":
        lines = [f"{name}: {show(sub.result.value, sub.result.unit, sub.result.operands)} {sub.result.unit}"
                 if sub.status == "answered" and sub.result is not None and sub.result.value is not None
                 else f"{name}: {'not disclosed' if en else '未披露'}" for name, sub in o.per_department]
        text = "\n".join(lines)
        if o.warnings:
            text += ("\nWarning: " if en else "\n注意：") + " ".join(o.warnings)
        return Answer(status="answered", answer=text, value=None, unit=None, computation=None,
                      citations=list(o.citations), warnings=list(o.warnings), figures=figures_of(o))
    if o.op == "diff_departments" and res.computation and " + " in res.computation:
        head = (f"Together: {show(value, res.unit, res.operands)} {_unit_en(res.unit)}." if en
                else f"合计 {show(value, res.unit, res.operands)} {res.unit}。")
    elif o.op == "years_mean":
        head = (f"Average per year: {show(value, res.unit, res.operands)} {_unit_en(res.unit)}." if en
                else f"平均每年 {show(value, res.unit, res.operands)} {res.unit}。")
    elif o.op == "years_change":
        first, last = o.per_department[0][0], o.per_department[-1][0]
        other = o.rate
        said = f"{show(other.value, other.unit, other.operands)} {other.unit}" if other is not None and other.value is not None else ""
        down = value is not None and value < 0
        shown = show(abs(value), res.unit, res.operands) if value is not None else "—"
        if en:
            head = (f"From {first} to {last}: {'down' if down else 'up'} {shown} {_unit_en(res.unit)}"
                    + (f" ({said})." if said else "."))
        else:
            word = ("下降" if down else "增长") if res.unit == "%" else ("减少" if down else "增加")
            head = f"{first}至{last}{word} {shown} {res.unit}" + (f"（{said}）。" if said else "。")
        if other is not None and other.computation:
            res = replace(res, computation=f"{res.computation}; {other.computation}" if res.computation else other.computation)
    elif o.op == "diff_departments":
        if value is not None and (not q.direction or (q.direction == "down") == (value < 0)):
            value = abs(value)  # "相差多少" / "少多少" ask for a magnitude
        head = (f"Difference: {show(value, res.unit, res.operands)} {_unit_en(res.unit)}." if en
                else f"两者相差 {show(value, res.unit, res.operands)} {res.unit}。")
    elif o.derived == "multiple":
        other = next((n for n, _ in o.per_department if n != o.winner), "")
        head = (f"{o.winner}'s figure is {show(value, res.unit, res.operands)} times {other}'s." if en
                else f"{o.winner}是{other}的 {show(value, res.unit, res.operands)} 倍。")
    elif o.derived == "margin":
        value = abs(value) if value is not None else None
        loser = next((n for n, _ in o.per_department if n != o.winner), "")
        more = q.largest
        head = (f"{o.winner} has the {'larger' if more else 'smaller'} figure, by {show(value, res.unit, res.operands)} {_unit_en(res.unit)} ({'more' if more else 'less'} than {loser})."
                if en else f"{o.winner}{'更多' if more else '更少'}，比{loser}{'多' if more else '少'} {show(value, res.unit, res.operands)} {res.unit}。")
    else:
        head = (f"{o.winner} has the {'largest' if q.largest else 'smallest'} figure: {show(res.value, res.unit, res.operands)} {_unit_en(res.unit)}{_lead(q, o)}."
                if en else f"{o.winner}{_superlative(q)}，为 {show(res.value, res.unit, res.operands)} {res.unit}{_lead(q, o)}。")
    text = head + ("\n" + ("; ".join(parts)))
    if res.computation:
        text += ("\nComputation: " if en else "\n计算：") + res.computation
    if o.warnings:
        text += ("\nWarning: " if en else "\n注意：") + " ".join(o.warnings)
    ans = Answer(status="answered", answer=text, value=value, unit=res.unit or None,
                 computation=res.computation, citations=list(o.citations), warnings=list(o.warnings),
                 figures=figures_of(o), margin=abs(value) if o.derived == "margin" and value is not None else _margin(o))
    if o.op == "years_change" and value is not None:
        # a change over the years, from the first year to the last, with the rate or the
        # amount beside it as a yoy answer carries them
        other = o.rate.value if o.rate is not None else None
        if res.unit == "%":
            ans.rate, ans.change = value, other
            ans.change_unit = o.rate.unit if o.rate is not None else None
        else:
            ans.rate = other
    return ans


def _superlative(q: Program) -> str:
    """最多/最少, or 最高/最低 and 最大/最小 when the question says so."""
    for hi, lo in (("高", "低"), ("大", "小")):
        if re.search(f"[最更]{hi}|[最更]{lo}", q.question):
            return "最" + (hi if q.largest else lo)
    return "最多" if q.largest else "最少"


def compose_ambiguous(q: Program, candidates: list[str], subs: list[tuple[str, Answer]],
                      named: bool = True) -> Answer:
    """A name fits several departments (or none was named): list them, with each one's
    answer when we have it."""
    en = q.lang == "en"
    if named:
        head = ("The question fits several departments; please say which one: " if en
                else "问题中的部门名称对应多个部门，请指明是哪一个：")
    else:
        head = ("The question names no department; the loaded ones are: " if en
                else "问题没有指明部门，请指明是哪一个：")
    head += "; ".join(candidates) if en else "；".join(candidates)
    lines = [head] + [f"- {line}" for _, line in _first_lines(subs)]
    return Answer(status="ambiguous", answer="\n".join(lines), candidates=list(candidates))


def _first_lines(subs: list[tuple[str, Answer]]) -> list[tuple[str, str]]:
    """Each answered candidate's answer in one line (its first, and the next when it gives
    no figure of its own: a passage quoted)."""
    out = []
    for name, a in subs:
        if a.status == "answered":
            parts = a.answer.split("\n")
            out.append((name, parts[0] + (" " + parts[1] if a.value is None and len(parts) > 1 else "")))
    return out


def compose_which_year(q: Program, department: str, subs: list[tuple[str, Answer]]) -> Answer:
    """A body loaded for several years and a question that names none: each year's answer,
    and a request to say which."""
    en = q.lang == "en"
    names = [n for n, _ in subs]
    head = (f"{department} is loaded for several years; please say which: " + "; ".join(names) if en
            else f"已加载{department}多个年度的文件，请指明是哪一年：" + "；".join(names))
    lines = [head] + [f"- {name}: {line}" for name, line in _first_lines(subs)]
    cites = [c for _, a in subs if a.status == "answered" for c in a.citations]
    return Answer(status="ambiguous", answer="\n".join(lines), candidates=names, citations=cites)


def compose_refusal(q: Program, zh: str, en: str) -> Answer:
    return Answer(status="not_found", answer=en if q.lang == "en" else zh)
