"""Choosing the figures and lines a question is about: the forms a metric is written in,
the best-matching facts, empty-table (空表) statements, figures stated in prose, blank
table rows, project rows, and how a figure is named in the answer."""

from __future__ import annotations

import re

from qa.agent import glossary
from qa.agent.context import DocData
from qa.agent.linking import chinese_slots, link
from qa.agent.excerpts import Excerpt, lines_matching, sentence_around
from qa.agent.understand import LEXICON, Program
from qa.tools.facts import Match, TOTAL_LABELS, column_kind, find_facts, label_similarity, norm_label
from qa.types import Fact, UNIT_TO_YUAN

ACCEPT = 0.72  # below this a fact is not "the figure for" the metric
COUNTED_ACCEPT = 0.5  # the same among figures already in the unit the question counts in


_WHOLE_BUDGET_RE = re.compile(r"(?:部门|收支|全部|整体)?(?:总预算|预算总[额数计量]|预算总体|收支预算总[额数计])(?:数|额)?")


def metric_forms(metric: str) -> list[str]:
    """The metric phrase joined, its 总X → X总计 reading, then its space-separated pieces
    longest first."""
    joined = re.sub(r"[\s|]", "", metric)
    forms = [joined] if joined else []
    if _WHOLE_BUDGET_RE.fullmatch(joined):
        # "总预算" / "total budget": a sentence stating 收支总预算 if there is one, else the
        # grand total of the 收支 table (收入总计 = 支出总计)
        forms += [f for f in ("收支总预算", "部门预算总额", "收入总计", "支出总计", "收入预算", "支出预算") if f != joined]
    else:
        m = re.fullmatch(r"(?:总|全部|所有|整体)(支出|收入)(?:额|数)?", joined) or \
            re.fullmatch(r"(支出|收入)(?:总额|总数|总量)", joined)
        if m:
            forms.append(m.group(1) + "总计")
    if len(joined) > 4 and joined.endswith("拨款"):
        forms.append(joined[:-2])  # "一般公共预算拨款" is stated as 一般公共预算(收支预算) in the text
    m = re.fullmatch(r"(.{2,}?)(?:总额|总数|总量)", joined)
    if m and m.group(1) not in ("支出", "收入", "预算", "预算总", "收支预算", "部门预算"):
        forms.append(m.group(1))  # "政府采购总额" is the 政府采购 figure
    # longest first, in the question's order among equals (never a set's order: that follows
    # the interpreter's hash seed, so "退休 离休" would answer 退休 on one run and 离休 the next)
    pieces = sorted(dict.fromkeys(p for p in re.split(r"[\s|]", metric) if len(p) >= 2 and p != joined),
                    key=len, reverse=True)
    return forms + pieces


_COUNT_ASKED = re.compile(r"(?:几|多少)(?:个|辆|名|位|人|台|家|项|套|处)|人数|辆数")


def best_matches(dd: DocData, metric: str, want: str, q: Program) -> list[Match]:
    """Best facts for a metric in one document: by the 科目编码 the question names, else
    trying the joined phrase then its pieces. A question about actual spending (实际支出,
    决算) puts the 决算数 column of the same figure first."""
    ms = _best_matches(dd, metric, want, q)
    if q.excluded and ms:
        ms = _without_excluded(dd, ms, q.excluded)
    if q.actual and ms:
        top = ms[0].score
        actual = [m for m in ms if top - m.score <= 0.05 and LEXICON.cue_words["actual_columns"].search(m.fact.column)]
        if actual:
            return actual + [m for m in ms if m not in actual]
    return ms


def in_scope_table(ms: list[Match], scope: str) -> list[Match]:
    """The matches printed in the scope's own table ("基本支出中邮电费": 邮电费 of the
    基本支出预算表), best first."""
    s = norm_label(scope)
    return [m for m in ms if s in norm_label(m.fact.table_title)]


def not_the_scope(ms: list[Match], scope: str) -> list[Match]:
    """The matches of "scope + item" that are not the scope's own total."""
    s = norm_label(scope)
    return [m for m in ms if norm_label(m.fact.label) != s]


def _without_excluded(dd: DocData, ms: list[Match], excluded: tuple[str, ...]) -> list[Match]:
    """Matches with the parts a question leaves out taken away: never a column naming them
    ("财政拨款结转"), nor a row's total (总计, 合计) when its table has such a column (the total
    holds them); the figures left when none remains."""
    words = list(excluded)
    names = lambda f: f.column + f.table_title  # noqa: E731
    holding = {f.table_no for f in dd.facts if f.table_no and any(w in f.column for w in words)}
    kept = [m for m in ms if not any(w in names(m.fact) for w in words)
            and not (m.fact.table_no in holding and column_kind(m.fact.column) == "total"
                     and LEXICON.cue_words["column_totals"].search(m.fact.column))]
    # the table that sets the left-out part apart answers first (its other columns exclude it)
    kept.sort(key=lambda m: m.fact.table_no not in holding)
    return kept or ms


def _best_matches(dd: DocData, metric: str, want: str, q: Program) -> list[Match]:
    if q.code:
        coded = [f for f in dd.facts if f.code == q.code]
        if want != "total":
            # changes and prior figures are stated in prose, which carries no codes
            coded = [f for f in coded if column_kind(f.column) == want]
        if coded:
            ms = find_facts(coded, metric or q.code, want=want, narrow_ok=q.narrow, min_score=0.0)
            key = norm_label(metric)
            ms = [Match(m.fact, max(m.score, 0.97 if (not key or label_similarity(key, norm_label(m.fact.label)) >= 0.8) else 0.8))
                  for m in ms]
            ms.sort(key=lambda m: -m.score)
            if ms:
                return ms
    if q.lang == "en" and q.link_first and q.link_parts and metric == q.metric:
        # an item named in plain English words: the label those words describe best
        linked = link(dd.facts, [s for part in q.link_parts for s in part], want)
        if linked:
            return linked
    # "多少人" / "几辆" asked of a count, or of a difference or sum of counts
    # ("哪家退休的多，多几个": two counts compared)
    counting = bool(q.count_units) and (q.op in ("count", "compare") or bool(_COUNT_ASKED.search(q.text)))
    fallback: list[Match] = []
    for form in metric_forms(metric):
        ms = find_facts(dd.facts, form, want=want, narrow_ok=q.narrow)
        if counting:
            # "多少人": a figure counted in people, not the 退休费 in 万元
            inunit = [m for m in ms if m.fact.unit in q.count_units]
            if inunit and inunit[0].score >= ACCEPT:
                return inunit
            if ms and ms[0].score >= ACCEPT and not fallback:
                fallback = ms
            continue
        if ms and ms[0].score >= ACCEPT:
            return ms
    if counting:
        # "多少辆公务车": only figures counted in that measure word are candidates, so a
        # looser name match is safe (公务车 ≈ 一般公务用车); colloquial names first
        counted = [f for f in dd.facts if f.unit in q.count_units]
        # a count is never of a fee: "公务用车购置及运行费" counts 公务用车
        forms = list(dict.fromkeys(metric_forms(metric) + [
            re.sub(r"(?:购置及运行(?:维护)?|购置|运行(?:维护)?|运维)?(?:经费|费用|费|支出|资金)$", "", f)
            for f in metric_forms(metric)]))
        forms = [f for f in forms if len(f) >= 1]
        forms = [glossary.COUNTED_SYNONYMS[f] for f in forms if f in glossary.COUNTED_SYNONYMS] + forms
        for form in forms:
            ms = find_facts(counted, form, want=want, narrow_ok=q.narrow, min_score=COUNTED_ACCEPT)
            if ms:
                return ms
        # a head or vehicle count is never answered by an amount of money (退休人数 ≠ 退休费)
        return [m for m in fallback if m.fact.unit not in UNIT_TO_YUAN]
    if not fallback and len(norm_label(metric)) >= 4:
        # no label reads like the phrase: the label its character pairs describe best, when
        # one stands out (word order and inserted words do not matter to the ranking)
        return link(dd.facts, chinese_slots(metric), want)
    return fallback


_TABLE_WORDS = re.compile(r"情况表|情况|预算表|表|数据|明细|20\d\d年?")


def empty_table_statement(dd: DocData, metric: str, strict: bool = False) -> Excerpt | None:
    """If the metric names a table the document states is empty (空表), that statement.

    Args:
        dd: the document.
        metric: metric phrase.
        strict: only when the metric closely names an empty table's title (checked before
            looking up figures, so the 空表 sentence is what gets cited).
    """
    return dd.derived(("empty_table_statement", metric, strict), lambda: _empty_table_statement(dd, metric, strict))


def _empty_table_statement(dd: DocData, metric: str, strict: bool) -> Excerpt | None:
    m = _TABLE_WORDS.sub("", norm_label(metric))
    if len(m) < 3:
        return None
    hit = None
    for t in dd.tables:
        title = _TABLE_WORDS.sub("", norm_label(t.get("title", "")))
        sim = label_similarity(m, title) if title else 0.0
        if t.get("empty") and title and (sim >= 0.85 if strict else (m in title or sim >= 0.6)):
            hit = t
            break
    if strict and hit is None:
        return None
    probes = [m[:6], m[:4]]
    for ex in lines_matching(dd.search_lines, r"空表|没有|无.{0,6}支出|未安排"):
        line_text = norm_label(ex.quote)
        if any(p and p in line_text for p in probes) or (hit and "空表" in ex.quote):
            s = sentence_around(dd.search_lines, ex.line)
            if s and any(p in norm_label(s.quote) for p in probes):
                return s
    return None


_MONEY_AFTER = r"[^，。；;\d]{0,14}?(\d[\d,]*(?:\.\d+)?)\s*(万元|亿元|千元|元)"


def prose_figure(dd: DocData, metric: str) -> Fact | None:
    """A money figure stated right after the metric in a sentence the prose parser did not
    turn into a fact ("机构运转经费支出预算285.56万元"): read from the line, quoted whole."""
    from qa.text.normalize import parse_number
    from qa.types import UNIT_TO_YUAN

    key = re.sub(r"\s", "", metric)
    if len(key) < 4:
        return None
    for i, raw in enumerate(dd.search_lines, start=1):
        line = to_half(raw)
        k = line.find(key)
        if k < 0:
            continue
        m = re.match(_MONEY_AFTER, line[k + len(key):])
        if not m:
            continue
        v = parse_number(m.group(1))
        if v is None:
            continue
        ex = sentence_around(dd.search_lines, i) or Excerpt(raw.strip(), i)
        quote = ex.quote if m.group(1) in to_half(ex.quote) else raw.strip()
        unit = m.group(2)
        d = dd.document
        return Fact(doc=d.name, department=d.department, year=d.year, table_no="", table_title="", section="",
                    code="", label=key, column="预算数", value=v, unit=unit, norm_value=v * UNIT_TO_YUAN.get(unit, 1.0),
                    line=ex.line if quote == ex.quote else i, quote=quote, source="prose")
    return None


def blank_table_row(dd: DocData, metric: str) -> Excerpt | None:
    """A table row named exactly like the metric whose amount cell is blank ("—", "-" or
    nothing before the next label or code): the table lists the item with nothing in it."""
    m = norm_label(metric)
    if len(m) < 3:
        return None
    for t in dd.tables:
        lo, hi = t.get("line_start") or 0, t.get("line_end") or 0
        for i in range(max(1, lo), min(hi, len(dd.search_lines)) + 1):
            raw = to_half(dd.search_lines[i - 1])
            k = norm_label(raw).find(m)
            if k < 0:
                continue
            # locate the label in the raw line and look at what follows it
            pos = raw.find(m[-2:])
            rest = raw[pos + 2:] if pos >= 0 else ""
            label_here = re.sub(r"^[\s\d、.()（）其中:：一二三四五六七八九十]+", "", raw[:pos + 2] if pos >= 0 else "")
            if norm_label(label_here) != m:
                continue
            if re.match(r"\s*(?:[-—–]+\s*)?(?:$|\d{3}(?:\s\d{2}){0,2}\s+[\u4e00-\u9fff]|[\u4e00-\u9fff])", rest):
                return Excerpt(dd.search_lines[i - 1].strip(), i)
    return None


def label_of(f: Fact, metric: str) -> str:
    """How to name a figure in the answer: its row label, unless that is a bare 合计/总计
    (then the metric the question used)."""
    if _WHOLE_BUDGET_RE.fullmatch(re.sub(r"[\s|]", "", metric)):
        return re.sub(r"[\s|]", "", metric)  # 收入总计 read as the 总预算 asked for
    if norm_label(f.label) in ("合计", "总计", "小计", "") and (metric or f.table_title):
        return metric.replace(" ", "") or f.table_title
    return f.label


def project_rows(dd: DocData, carry_over: bool = False) -> list[Fact]:
    """Rows of the project-expenditure table (项目支出), one fact per project.

    Project rows are those whose label is not a 科目 name used elsewhere for the same code
    (the functional class rows) nor a unit's own name (the unit subtotal row)."""
    # a 科目 name is one printed under its code in some other table (a table listing projects
    # under their 科目 codes, as 上年结转资金表, names no 科目 by its own rows)
    subject_names: dict[tuple[str, str], set[str]] = {}
    for f in dd.facts:
        if f.code and f.table_no and "项目" not in f.table_title:
            subject_names.setdefault((f.code, norm_label(f.label)), set()).add(f.table_no)
    units = {norm_label(dd.document.department)}
    rows: dict[str, Fact] = {}
    for f in dd.facts:
        if carry_over:
            if not (f.table_no and "结转" in f.table_title):
                continue
        elif not (f.table_no and "项目" in f.table_title and "绩效" not in f.table_title
                  and "结转" not in f.table_title and "经济分类" not in f.table_title):
            continue
        lab = norm_label(f.label)
        if not lab or lab in TOTAL_LABELS or f.unit == "%" or lab in units:
            continue
        if f.code and (subject_names.get((f.code, lab), set()) - {f.table_no} or len(f.code) < 7):
            continue
        if any(u.startswith(lab) or lab.startswith(u) for u in units if len(lab) >= 6):
            continue
        if column_kind(f.column) in ("total", "other") and lab not in rows:
            rows[lab] = f
    return list(rows.values())


def is_heading_line(t: str) -> bool:
    return bool(re.match(r"^\s*(?:[一二三四五六七八九十]+、|第[一二三四五六七八九十]+部分)", t))


def to_half(text: str) -> str:
    from qa.text.normalize import to_halfwidth

    return to_halfwidth(text)


def one_character_off(dd: DocData, metric: str) -> str | None:
    """The metric with a mistyped character put right ("取暧费" → 取暖费, "办工费" → 办公费): a
    run of the metric that differs from one of the document's row labels (three characters
    or more) in exactly one character; the longest such label. None when there is none."""
    from qa.text.words import is_word, word_starts

    text = norm_label(metric)
    labels = sorted({norm_label(f.label) for f in dd.facts if len(norm_label(f.label)) >= 3},
                    key=lambda x: (-len(x), x))
    if any(lab in text for lab in labels):
        return None  # a label written as it is: nothing mistyped
    bounds = word_starts(text)  # (办公用房 is one word: its 办公用 is no mistyped 办公费)
    for lab in labels:
        for i in range(len(text) - len(lab) + 1):
            window = text[i:i + len(lab)]
            if not (i in bounds and i + len(lab) in bounds) or sum(a != b for a, b in zip(window, lab)) != 1 \
                    or is_word(window):  # (办公室 is a word of its own, not a mistyped 办公费)
                continue
            at = next(k for k, (a, b) in enumerate(zip(window, lab)) if a != b)
            if at in (0, len(lab) - 1) and is_word(window[1:] if at == 0 else window[:-1]):
                continue  # "和电费" is 和 + 电费, no mistyped 邮电费
            return text[:i] + lab + text[i + len(lab):]
    return None
