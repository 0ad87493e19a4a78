"""Arithmetic over several figures: sum, difference and ratio (share of a whole)."""

from __future__ import annotations

import re
from dataclasses import replace

from qa.agent.allocations import allocation_item
from qa.agent.context import DocData
from qa.agent.linking import link
from qa.agent.matching import ACCEPT, label_of, project_rows, best_matches
from qa.agent.operations.change import do_yoy
from qa.agent.operations.lookup import do_lookup, rows_of_scope
from qa.agent.operations.operands import missing_part, restated_operands, scoped, split_metrics
from qa.agent.outcome import Outcome, answered, doc_label, doc_label_en, not_found
from qa.agent.understand import LEXICON, Program, has_cue
from qa.tools import ops
from qa.tools.facts import NARROWING_TITLE_WORDS, TOTAL_LABELS, Match, column_kind, find_facts, label_similarity, norm_label
from qa.text.numerals import words_to_number
from qa.types import UNIT_TO_YUAN, Fact


def linked_parts(q: Program, dd: DocData) -> tuple[list[Fact], list[str]] | None:
    """The operands of an English question naming its parts in plain words ("the self-built
    housing project and the winter heating check project"), each linked on its own; None
    unless every part links."""
    if not (q.lang == "en" and q.link_first and len(q.link_parts) >= 2):
        return None
    facts = []
    for part in q.link_parts:
        ms = link(dd.facts, list(part))
        if not ms:
            return None
        facts.append(ms[0].fact)
    if len({(f.line, f.label) for f in facts}) < len(facts):
        return None
    return facts, [f.label for f in facts]


def do_sum(q: Program, dd: DocData) -> Outcome:
    q = scoped(q)
    split = linked_parts(q, dd) or split_metrics(q, dd)
    if not split and re.fullmatch(r"\s*(?:所有|全部|各)?项目\s*", q.metric):
        rows = project_rows(dd)
        if len(rows) >= 2:
            return answered("sum", dd, ops.total(rows), "项目")
    if not split:
        missing = missing_part(q, dd)
        if missing:
            # "差旅费和培训费一共多少" where 培训费 is not disclosed: not just the 差旅费
            return not_found("sum", f"{doc_label(dd)}未披露“{missing}”这一数字，无法相加。",
                             f"{doc_label_en(dd)} does not disclose a figure for “{missing}”, so the sum cannot be given.", dd)
        row = total_row_named(q, dd)
        if row is not None:
            # "收入合计是多少": one item said with 合计 is the row of that name, not a sum
            return do_lookup(q, dd, row)
        out = do_lookup(q, dd)
        out.op = "sum"
        return out
    facts, names = whole_dropped(*split, q.question)
    facts, unread = in_money(facts, names, dd, q)
    if unread:
        return not_found("sum", f"{doc_label(dd)}未披露“{unread}”的金额，无法相加。",
                         f"{doc_label_en(dd)} gives no amount for “{unread}”, so the sum cannot be given.", dd)
    res = ops.total(facts)
    return answered("sum", dd, res, "、".join(label_of(f, n) for f, n in zip(facts, names)))


def in_money(facts: list[Fact], names: list[str], dd: DocData, q: Program) -> tuple[list[Fact], str]:
    """Parts added or set against each other in money when one is money ("出国和公车一共",
    "房子和车差多少"): a part read as a count (公车 2 辆) is read again as money; the name of a
    part with no amount, if any."""
    if not (any(f.unit in UNIT_TO_YUAN for f in facts) and any(f.unit not in UNIT_TO_YUAN for f in facts)):
        return facts, ""
    again = []
    for f, n in zip(facts, names):
        if f.unit not in UNIT_TO_YUAN:
            money = [m.fact for m in best_matches(dd, n, "total", replace(q, count_units=[])) if m.fact.unit in UNIT_TO_YUAN]
            if not money:
                return facts, n
            f = money[0]
        again.append(f)
    return again, ""


def total_row_named(q: Program, dd: DocData) -> str | None:
    """The metric with its total word back ("收入" → "收入合计") when the question says the one
    item asked for right before that word and the document has a row of that name."""
    pat = LEXICON.cue_words.get("row_total")
    pieces = q.metric.split()
    if pat is None or not pieces:
        return None
    last = pieces[-1]
    m = re.search(re.escape(last) + f"(?:{pat.pattern})", q.text.replace(" ", ""))
    if m is None:
        return None
    row = norm_label(m.group(0))
    if not any(norm_label(f.label) == row for f in dd.facts):
        return None
    return " ".join(pieces[:-1] + [m.group(0)])


def whole_dropped(facts: list[Fact], names: list[str], question: str = "") -> tuple[list[Fact], list[str]]:
    """"The procurement budget for goods and services": a part that equals the sum of all
    the others is their whole, named as the scope, not one more thing to add; so is one
    that holds the others when the question counts one part fewer ("发工资那块，基本工资、津贴补贴、
    奖金三项合计")."""
    pat = LEXICON.cue_words.get("items_counted")
    said = pat.search(question) if pat is not None and question else None
    n = said and (int(said.group("n")) if said.group("n").isdigit() else words_to_number(said.group("n")))
    if n and len(facts) == n + 1 and len({g.unit for g in facts}) == 1:
        big = max(range(len(facts)), key=lambda i: facts[i].value)
        if facts[big].value >= sum(g.value for j, g in enumerate(facts) if j != big) - 0.006:
            return [g for j, g in enumerate(facts) if j != big], [x for j, x in enumerate(names) if j != big]
    if len(facts) >= 3:
        for i, f in enumerate(facts):
            rest = [g for j, g in enumerate(facts) if j != i]
            if len({g.unit for g in facts}) == 1 and abs(f.value - sum(g.value for g in rest)) <= 0.006:
                return rest, [n for j, n in enumerate(names) if j != i]
    return facts, names


def _standing_alone(text: str, word: str) -> int:
    """Where word stands between separators of a difference (lexicon diff_separators, or a
    part already taken, |) or the text's ends; -1 if nowhere."""
    sep = LEXICON.cue_words["diff_separators"]
    ends = {0} | {m.end() for m in sep.finditer(text)} | {i + 1 for i, ch in enumerate(text) if ch in "|、"}
    for m in re.finditer(re.escape(word), text):
        after = m.end() == len(text) or text[m.end()] in "|、" or sep.match(text, m.end()) is not None
        if m.start() in ends and after:
            return m.start()
    return -1


def _columns_named(dd: DocData, text: str) -> list[tuple[str, str]]:
    """Columns of the document's tables named in the text, as (column, words used), longest
    first and not overlapping: "决算数比年初预算多多少" → 决算数, 年初预算数."""
    t = norm_label(text)
    cols = sorted({f.column for f in dd.facts if len(norm_label(f.column)) >= 3}, key=lambda c: (-len(norm_label(c)), c))
    found: list[tuple[str, str]] = []
    used = t
    for c in cols:
        nc = norm_label(c)
        for form in (nc, nc[:-1] if nc.endswith("数") else None):
            if form and len(form) >= 3 and form in used:
                found.append((c, form))
                used = used.replace(form, "|")
                break
            # "年初预算和决算": a two-character column word counts where it stands as a word
            # of its own between the separators of a difference (预算 inside 一般公共预算 names no column)
            at = _standing_alone(used, form) if form and len(form) == 2 and found else -1
            if at >= 0:
                found.append((c, form))
                used = used[:at] + "|" + used[at + len(form):]
                break
    if len(found) > 2:
        # "一般公共预算财政拨款支出，年初预算和决算": a column that is also a row of the
        # document names the row asked here, not a column
        labels = {norm_label(f.label) for f in dd.facts}
        found = [cf for cf in found if norm_label(cf[0]) not in labels] or found
    found.sort(key=lambda cf: t.find(cf[1]))  # in the order the question names them
    return found


def _row_by_columns(q: Program, dd: DocData, pair: list[tuple[str, str]]) -> tuple[Fact, Fact, str] | None:
    """The same row read in two named columns (决算数 vs 年初预算数)."""
    row = norm_label(q.metric)
    for _, form in pair:
        row = row.replace(form, "")
    row = re.sub(r"完成|比|和|与|相比|的", "", row)
    if len(row) < 2:
        return None
    a = find_facts(dd.facts, row, column=pair[0][0], narrow_ok=q.narrow, min_score=ACCEPT)
    b = find_facts(dd.facts, row, column=pair[1][0], narrow_ok=q.narrow, min_score=ACCEPT)
    if not a or not b:
        return None
    return a[0].fact, b[0].fact, row


def do_diff(q: Program, dd: DocData) -> Outcome:
    q = scoped(q)
    cols = _columns_named(dd, q.metric)
    if len(cols) >= 2:
        got = _row_by_columns(q, dd, cols[:2])
        if got:
            a, b, row = got
            return answered("diff", dd, ops.difference(a, b), f"{a.label}{cols[0][0]}与{cols[1][0]}")
    split = restated_operands(q, dd) or linked_parts(q, dd) or split_metrics(q, dd, LEXICON.cue_words["diff_separators"], generic_as_total=True)
    if not split or len(split[0]) != 2:
        return do_yoy(q, dd)
    (a, b), names = split
    (a, b), unread = in_money([a, b], names, dd, q)
    if unread:
        return not_found("diff", f"{doc_label(dd)}未披露“{unread}”的金额，无法相减。",
                         f"{doc_label_en(dd)} gives no amount for “{unread}”, so the difference cannot be given.", dd)
    if not q.direction and ops.ordered_apart(a, b):
        (a, b), names = (b, a), names[::-1]  # "房子和车差多少" says no side: the gap from the larger
    res = ops.difference(a, b)
    return answered("diff", dd, res, f"{label_of(a, names[0])}与{label_of(b, names[1])}")


def _whole_for(dd: DocData, part: Fact) -> Fact | None:
    """The denominator of a share: the same row's 合计 when the part is a column of a total
    row; else the table's total row in the same column; for a prose figure, the larger
    total stated just before it in the same paragraph."""
    if not part.table_no:
        near = [f for f in dd.facts if f.source == "prose" and part.line - 10 <= f.line <= part.line
                and f.unit == part.unit and f.value > part.value and f.label != part.label
                and column_kind(f.column) == "total" and re.search(r"总|合计|预算", f.label)]
        return max(near, key=lambda f: (f.line, -f.value)) if near else None
    if norm_label(part.label) in TOTAL_LABELS and column_kind(part.column) != "total":
        same_row = [f for f in dd.facts if f.table_no == part.table_no and f.line == part.line
                    and column_kind(f.column) == "total" and f.value >= part.value]
        if same_row:
            return same_row[0]
    side = "支出" if "支出" in part.label else "收入" if "收入" in part.label else ""
    best = None
    for f in dd.facts:
        if f.table_no == part.table_no and f.table_no and f.column == part.column and norm_label(f.label) in TOTAL_LABELS:
            if f is not part and abs(f.value) >= abs(part.value):
                # two-sided 收支 tables: an expenditure's whole is 支出总计, not 收入总计
                key = (0 if side and side in f.label else 1, f.line)
                if best is None or key < best[0]:
                    best = (key, f)
    return best[1] if best else None


def _stated_share_operands(dd: DocData, part_name: str, whole_name: str, q: Program) -> tuple[Fact, Fact] | None:
    """The figures behind a share the text states ("收入预算 1,703.00 万元，其中：一般公共
    预算 1,603.18 万元，占 94.14%"): the part stated with its share and the total stated
    just before it in the paragraph. The text's part can differ from a table row of the
    same name (the 一般财力 inside 一般公共预算拨款), and the stated share is what it means."""
    for m in find_facts(dd.facts, part_name, want="percent", narrow_ok=q.narrow, min_score=0.9, limit=5):
        pct = m.fact
        if pct.source != "prose" or pct.unit != "%" or "占" not in pct.column:
            continue
        same = [f for f in dd.facts if f.line == pct.line and f.label == pct.label and f.unit != "%"
                and column_kind(f.column) == "total"]
        if not same:
            continue
        whole = _whole_for(dd, same[0])
        if whole is None:
            continue
        wn, wl = norm_label(whole_name), norm_label(whole.label)
        if wn and not (wn in wl or wl in wn or label_similarity(wn, wl) >= 0.75):
            continue  # the question names another whole than the one the text's share is of
        return same[0], whole
    return None


def _exceeds(part: Fact, whole: Fact) -> bool:
    """A part larger than its whole, both positive amounts in one unit."""
    return (part.unit == whole.unit and part.value is not None and whole.value is not None
            and 0 < whole.value < part.value)


def _share_of_parts(q: Program, dd: DocData, m: list[str]) -> Outcome | None:
    """"「A」、「B」占一般公共预算拨款的比例": the items named added up, as a share of the
    whole; None unless the part names several items that each link, and the whole links."""
    if len(m) != 2 or not norm_label(m[1]) or not ("、" in m[0] or has_cue(q.question, q.lang, "sum")):
        return None
    split = split_metrics(replace(q, metric=m[0]), dd)
    if not split or len(split[0]) < 2:
        return None
    parts, names = split
    wh = [x for x in best_matches(dd, m[1], "total", q) if x.score >= ACCEPT]
    if not wh or any(f.unit != wh[0].fact.unit or _exceeds(f, wh[0].fact) for f in parts):
        return None
    res = ops.share_of_sum(parts, wh[0].fact)
    if res.value is None:
        return None
    label = "、".join(label_of(f, n) for f, n in zip(parts, names))
    return answered("ratio", dd, res, f"{label}合计占{label_of(wh[0].fact, m[1])}")


def _in_column_of(dd: DocData, part: Fact, whole: Fact) -> Fact:
    """The whole read in the part's own column when the page states it in that column too: a
    final-accounts sentence gives 三公经费 as 预算数 and as 决算数, and 公务接待费's 决算数 is a share of
    the 决算数 (never of the budget)."""
    if part.column == whole.column or part.doc != whole.doc or "prose" not in (part.source, whole.source):
        return whole  # (a table's columns are its own: the whole's row is read where it stands)
    same = [f for f in dd.facts if f.source == "prose" and f.column == part.column and f.unit == whole.unit and f.value is not None
            and norm_label(f.label) == norm_label(whole.label) and f.value >= part.value]
    return min(same, key=lambda f: abs(f.line - whole.line)) if same else whole


def do_ratio(q: Program, dd: DocData) -> Outcome:
    cols = _columns_named(dd, q.metric)
    if len(cols) == 1 and re.search(r"完成|执行", q.question):
        # "完成调整预算的百分之多少": the final figure over the named budget column
        final = [(c, norm_label(c)) for c in {f.column for f in dd.facts} if "决算" in c]
        if final:
            cols = [final[0], cols[0]]
    if len(cols) >= 2:
        got = _row_by_columns(q, dd, cols[:2])
        if got:
            a, b, row = got
            res = ops.share(a, b)
            if res.value is not None:
                return answered("ratio", dd, res, f"{a.label}{cols[0][0]}占{cols[1][0]}")
    m = q.metric.split("|", 1)
    if len(m) == 2 and m[1].strip() and m[0].strip().startswith(m[1].strip() + "中"):
        m[0] = m[0].strip()[len(m[1].strip()) + 1:]  # "政府采购中服务占政府采购": 服务, inside it
    together = _share_of_parts(q, dd, m)
    if together is not None:
        return together
    part_f = whole_f = None
    part_name, whole_name = q.metric, ""
    stated = _stated_share_operands(dd, m[0], m[1] if len(m) == 2 else "", q) if norm_label(m[0]) else None
    if stated is not None:
        part_f, whole_f = stated
        part_name, whole_name = m[0], (m[1] if len(m) == 2 else "")
    elif len(m) == 2 and norm_label(m[0]) and norm_label(m[1]):
        wh = best_matches(dd, m[1], "total", q)
        pa = []
        for w in NARROWING_TITLE_WORDS:
            # "住房保障支出占一般公共预算…": the part is read in the whole's funding scope
            if w in m[1] and w not in m[0]:
                pa = best_matches(dd, w + m[0].strip(), "total", q)
                break
        line = allocation_item(dd, m[1], m[0]) if not pa else None
        if line is not None and wh:
            # "信息化建设项目里维修（护）费占多少": the project's own 资金分配 line
            pa = [Match(line, 1.0)]
        if not pa and len(norm_label(m[0])) <= 3:
            # "政府采购里服务类占比", "服务占政府采购几成": a short part is a row of the whole's
            # own (政府采购服务) when the document has one
            own = best_matches(dd, m[1].strip() + m[0].strip(), "total", q)
            pa = [x for x in own[:1] if x.score >= 0.85 and x.fact is not wh[0].fact] if wh else []
        pa = pa or best_matches(dd, m[0], "total", q)
        if wh and not (pa and pa[0].score >= 0.95 and pa[0].fact.unit == wh[0].fact.unit
                       and not _exceeds(pa[0].fact, wh[0].fact)):
            # "三公经费里公车占多少": the whole's own row the part's name begins (公务用车购置及
            # 运行费, which holds 购置费 and 运行费), not the nearest label elsewhere
            within = rows_of_scope(dd, m[1], m[0], q)
            if within is not None:
                pa = [Match(within, 1.0)]
        if pa and wh:
            # a part named inside its whole ("政府采购里服务") is never larger than it: a
            # bigger figure is another item's that shares a word (一般公共服务支出)
            inside = [x for x in pa if not _exceeds(x.fact, wh[0].fact)]
            # nor counted in another unit (5 辆 is no share of 22.35 万元)
            inside = [x for x in inside if x.fact.unit == wh[0].fact.unit]
            if inside:
                part_f, whole_f = inside[0].fact, wh[0].fact
                part_name, whole_name = m[0], m[1]
    if part_f is None and q.lang == "en" and len(q.en_terms) >= 2:
        # "what share of <whole> is <part>" names the whole first; "<part> as a share of
        # <whole>" names it last. A short part may borrow the whole's words (procurement →
        # services = 政府采购服务).
        terms = [zh for _, zh in q.en_terms]
        share_of = LEXICON.cue_words["share_of"].search(q.question.lower())
        whole_first = bool(share_of) and share_of.start() < q.question.lower().find(q.en_terms[0][0].lower())
        totals = [t for t in terms if "总" in t or "合计" in t]
        low = q.question.lower()
        after = [zh for en, zh in q.en_terms if share_of and low.find(en.lower(), share_of.end()) >= 0]
        if totals:
            wname = totals[0]
        elif whole_first and after:
            wname = after[0]  # the term right after "share of" (not a word of the body's name before it)
        else:
            wname = terms[0] if whole_first else terms[-1]
        pname = next((t for t in (after if whole_first else []) if t != wname), None) \
            or next(t for t in terms if t != wname)
        wh = best_matches(dd, wname, "total", q)
        pa = best_matches(dd, wname + pname, "total", q) if len(pname) <= 3 else []
        if pa and pa[0].score >= 0.9:
            pname = wname + pname
        else:
            pa = best_matches(dd, pname, "total", q)
        if pa and wh:
            part_f, whole_f = pa[0].fact, wh[0].fact
            part_name, whole_name = pname, wname
    if part_f is None:
        split = split_metrics(q, dd)
        if split and len(split[0]) == 2:
            (a, b), names = split
            part_f, whole_f = (a, b) if abs(a.value) <= abs(b.value) else (b, a)
            part_name, whole_name = (names[0], names[1]) if part_f is a else (names[1], names[0])
    if part_f is None:
        pa = best_matches(dd, q.metric.replace("|", " "), "total", q)
        for cand in pa[:4]:
            # the best-named figure whose whole can be found (a table row's total row, or
            # the total stated before a sentence's figure)
            if cand.score < pa[0].score - 0.05:
                break
            whole = _whole_for(dd, cand.fact)
            if whole is not None:
                part_f, whole_f = cand.fact, whole
                break
    if part_f is None or whole_f is None:
        return not_found("ratio", f"{doc_label(dd)}中找不到计算该占比所需的数字。",
                         f"{doc_label_en(dd)} does not give the figures needed for that share.", dd)
    whole_f = _in_column_of(dd, part_f, whole_f)
    res = ops.share(part_f, whole_f)
    if res.value is None:
        return not_found("ratio", "分母为零，无法计算占比。", "The total is zero, so no share can be computed.", dd)
    whole_label = label_of(whole_f, whole_name) if whole_name else label_of(whole_f, whole_f.table_title)
    out = answered("ratio", dd, res, f"{label_of(part_f, part_name)}占{whole_label}")
    return out
