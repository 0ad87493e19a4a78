"""Steps 2–3 of the agent: choose the tool for the understood question and run it over
one document's facts, producing an Outcome (not yet text)."""

from __future__ import annotations

import contextvars
import logging
import re
from dataclasses import dataclass, field

from qa.agent import glossary
from qa.agent.context import Context, DocData, dept_key
from qa.agent.excerpts import ITEM_START, Excerpt, block, lines_matching, sentence_around, sentence_matching
from qa.agent.understand import Query
from qa.tools import ops
from qa.tools.facts import NARROWING_TITLE_WORDS, Match, TOTAL_LABELS, column_kind, find_facts, label_similarity, norm_label
from qa.types import UNIT_TO_YUAN, Citation, Fact, ToolResult

log = logging.getLogger(__name__)

ACCEPT = 0.72  # below this a fact is not "the figure for" the metric
COUNTED_ACCEPT = 0.5  # the same among figures already in the unit the question counts in
_SPLIT_RE = re.compile(r"\s+|和|与|及|以及|、|加上|加|跟|同|,|，")
_PERCENT_Q = re.compile(r"百分之|百分比|%|％|增长率|增幅|降幅|幅度|percent|percentage|rate", re.I)
_PRIOR_Q = re.compile(r"上年(?!结转|结余)|去年|上一年|last year|previous year", re.I)
_INTERNAL_UNITS = ("处室", "科室", "内设机构", "机构", "部门", "管理部", "下属单位", "单位", "中心")


@dataclass
class Outcome:
    """What executing a plan produced for one document (or a comparison)."""

    status: str  # answered | not_found | ambiguous
    op: str
    doc: DocData | None = None
    label: str = ""
    result: ToolResult | None = None
    citations: list[Citation] = field(default_factory=list)
    reason: str = ""  # not_found: why (Chinese)
    reason_en: str = ""
    items: list[str] = field(default_factory=list)
    excerpts: list[Excerpt] = field(default_factory=list)
    rate: ToolResult | None = None
    change: float | None = None  # signed change for yoy
    derived: str = ""  # e.g. "prior", "change", "rate"
    per_department: list[tuple[str, "Outcome"]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    winner: str = ""
    stated_rate: Fact | None = None  # the document's own stated growth rate, to check


def not_found(op: str, zh: str, en: str, doc: DocData | None = None) -> Outcome:
    return Outcome(status="not_found", op=op, doc=doc, reason=zh, reason_en=en)


# --- fact selection --------------------------------------------------------------------
_WHOLE_BUDGET_RE = re.compile(r"(?:部门|收支|全部|整体)?(?:总预算|预算总[额数计量]|预算总体|收支预算总[额数计])(?:数|额)?")


def metric_forms(metric: str) -> list[str]:
    """The metric phrase joined, its 总X → X总计 reading, then its space-separated pieces
    longest first."""
    joined = re.sub(r"[\s|]", "", metric)
    forms = [joined] if joined else []
    if _WHOLE_BUDGET_RE.fullmatch(joined):
        # "总预算" / "total budget": a sentence stating 收支总预算 if there is one, else the
        # grand total of the 收支 table (收入总计 = 支出总计)
        forms += [f for f in ("收支总预算", "部门预算总额", "收入总计", "支出总计") if f != joined]
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
    pieces = sorted({p for p in re.split(r"[\s|]", metric) if len(p) >= 2 and p != joined}, key=len, reverse=True)
    return forms + pieces


_COUNT_ASKED = re.compile(r"(?:几|多少)(?:个|辆|名|位|人|台|家|项|套|处)|人数|辆数")


def best_matches(dd: DocData, metric: str, want: str, q: Query) -> list[Match]:
    """Best facts for a metric in one document: by the 科目编码 the question names, else
    trying the joined phrase then its pieces."""
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
    # "多少人" / "几辆" asked of a count, or of a difference or sum of counts
    counting = bool(q.count_units) and (q.op == "count" or bool(_COUNT_ASKED.search(q.text)))
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
    return fallback


def empty_table_statement(dd: DocData, metric: str, strict: bool = False) -> Excerpt | None:
    """If the metric names a table the document states is empty (空表), that statement.

    Args:
        dd: the document.
        metric: metric phrase.
        strict: only when the metric closely names an empty table's title (checked before
            looking up figures, so the 空表 sentence is what gets cited).
    """
    strip_re = r"情况表|情况|预算表|表|数据|明细|20\d\d年?"
    m = re.sub(strip_re, "", norm_label(metric))
    if len(m) < 3:
        return None
    hit = None
    for t in dd.tables:
        title = re.sub(strip_re, "", norm_label(t.get("title", "")))
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
    from qa.ingest.normalize import parse_number
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


def _answer(op: str, dd: DocData, res: ToolResult, label: str) -> Outcome:
    return Outcome(status="answered", op=op, doc=dd, label=label, result=res, citations=list(res.citations))


def _label_of(f: Fact, metric: str) -> str:
    """How to name a figure in the answer: its row label, unless that is a bare 合计/总计
    (then the metric the question used)."""
    if _WHOLE_BUDGET_RE.fullmatch(re.sub(r"[\s|]", "", metric)):
        return re.sub(r"[\s|]", "", metric)  # 收入总计 read as the 总预算 asked for
    if norm_label(f.label) in ("合计", "总计", "小计", "") and (metric or f.table_title):
        return metric.replace(" ", "") or f.table_title
    return f.label


# --- operations -----------------------------------------------------------------------
def do_lookup(q: Query, dd: DocData, metric: str | None = None) -> Outcome:
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
    scoped = re.match(r"^\s*(.{2,14}?)(?:里面|里|之中|当中|中)(.{2,})$", metric)
    if scoped:
        # "基本支出中人员经费": the item inside the scope, when it is a row of its own
        inner = best_matches(dd, scoped.group(2), "total", q)
        if inner and inner[0].score >= 0.9:
            f = inner[0].fact
            return _answer("lookup", dd, ops.lookup(f), _label_of(f, scoped.group(2)))
    if re.search(r"分别|各自|各是|各为|各有|\beach\b|respectively", q.question, re.I):
        # "人员经费和公用经费各是多少": every item's figure, side by side
        split = _split_metrics(_scoped(Query(**{**q.__dict__, "metric": metric})), dd)
        if split:
            facts, names = split
            subs = [(_label_of(f, n), _answer("lookup", dd, ops.lookup(f), _label_of(f, n))) for f, n in zip(facts, names)]
            out = Outcome(status="answered", op="each", doc=dd, label=metric.replace(" ", ""), per_department=subs,
                          result=ToolResult(None, facts[0].unit))
            out.citations = [c for _, o in subs for c in o.citations]
            return out
    ms = best_matches(dd, metric, "total", q)
    if ms and q.op == "count":
        # "几辆" / "多少人": prefer the figure counted in that measure word
        counted = [m for m in ms if m.fact.unit in q.count_units]
        ms = counted or ms
    if ms:
        f = ms[0].fact
        return _answer("lookup", dd, ops.lookup(f), _label_of(f, metric))
    ex = empty_table_statement(dd, metric)
    if ex:
        res = ToolResult(value=0.0, unit=dd.document.unit or "万元", computation=None, note="empty table")
        out = Outcome(status="answered", op="lookup", doc=dd, label=metric.replace(" ", ""), result=res,
                      citations=[Citation(dd.document.name, ex.quote, ex.line)], derived="empty")
        return out
    scoped = re.match(r"^\s*(.{2,14}?)(?:里面|里|之中|当中|中|内)(.{2,})$", metric)
    if scoped and not re.search(r"其中", metric):
        inner = best_matches(dd, scoped.group(2), "total", q)
        if inner and inner[0].score >= 0.9:
            f = inner[0].fact
            return _answer("lookup", dd, ops.lookup(f), _label_of(f, scoped.group(2)))
    stated = prose_figure(dd, metric)
    if stated is not None:
        return _answer("lookup", dd, ops.lookup(stated), metric.replace(" ", ""))
    blank = blank_table_row(dd, metric)
    if blank is not None:
        res = ToolResult(value=0.0, unit=dd.document.unit or "万元", note="blank row")
        return Outcome(status="answered", op="lookup", doc=dd, label=metric.replace(" ", ""), result=res,
                       citations=[Citation(dd.document.name, blank.quote, blank.line)], derived="blank")
    return not_found(
        "lookup",
        f"{doc_label(dd)}未披露“{metric.replace(' ', '')}”这一数字。",
        f"{doc_label_en(dd)} does not disclose a figure for “{metric.replace(' ', '')}”.",
        dd,
    )


def _change_fact(dd: DocData, metric: str, q: Query) -> Fact | None:
    ms = best_matches(dd, metric, "change", q)
    for m in ms:
        if column_kind(m.fact.column) == "change" and m.fact.unit != "%":
            return m.fact
    return None


def _rate_fact(dd: DocData, metric: str, q: Query, near: Fact | None) -> Fact | None:
    for form in metric_forms(metric):
        for m in find_facts(dd.facts, form, want="percent", narrow_ok=q.narrow, min_score=ACCEPT, limit=20):
            f = m.fact
            if f.unit == "%" and column_kind(f.column) in ("percent", "change") and "占" not in f.column:
                if near is None or (f.line - near.line) in range(-1, 4):
                    return f
    return None


def _prior_fact(dd: DocData, metric: str, q: Query) -> Fact | None:
    ms = best_matches(dd, metric, "prior", q)
    for m in ms:
        if column_kind(m.fact.column) == "prior":
            return m.fact
    return None


# The documents loaded alongside the one being read (per thread / task, for cross-year
# lookups), set by run_one.
_CTX: contextvars.ContextVar[Context | None] = contextvars.ContextVar("qa_plan_ctx", default=None)


def _previous_year_doc(dd: DocData) -> DocData | None:
    """Another loaded document of the same department for the year before."""
    d = dd.document
    if not d.year:
        return None
    ctx = _CTX.get()
    for other in (ctx.by_department(d.department) if ctx is not None else []):
        if other.document.year == d.year - 1 and other.document.name != d.name:
            return other
    return None


def _prior_from_previous_doc(q: Query, dd: DocData, metric: str) -> Fact | None:
    prev = _previous_year_doc(dd)
    if prev is None:
        return None
    ms = best_matches(prev, metric, "total", q)
    return ms[0].fact if ms else None


def do_prior(q: Query, dd: DocData, metric: str) -> Outcome:
    """Last year's figure: a 上年 column, or this year's figure minus the stated change,
    or the figure in last year's document of the same department."""
    pf = _prior_fact(dd, metric, q) or _prior_from_previous_doc(q, dd, metric)
    if pf:
        out = _answer("yoy", dd, ops.lookup(pf), _label_of(pf, metric))
        out.derived = "prior"
        return out
    cur = best_matches(dd, metric, "total", q)
    ch = _change_fact(dd, metric, q)
    if cur and ch:
        res = ops.difference(cur[0].fact, ch)
        out = _answer("yoy", dd, res, _label_of(cur[0].fact, metric))
        out.derived = "prior"
        return out
    return not_found(
        "yoy",
        f"{doc_label(dd)}未披露上年的“{metric.replace(' ', '')}”。",
        f"{doc_label_en(dd)} does not disclose last year's “{metric.replace(' ', '')}”.",
        dd,
    )


def do_yoy(q: Query, dd: DocData) -> Outcome:
    metric = q.metric
    if not metric:
        return not_found("yoy", "没能从问题中识别出要比较的指标。", "I could not tell which figure to compare.", dd)
    if _PRIOR_Q.search(q.question) and not re.search(
            r"比|较|相比|同比|增|减|少|多|变化|change|grow|rise|fall|drop|compare|increase|decrease|up|down|more|less|differ",
            q.question, re.I):
        return do_prior(q, dd, metric)
    cur = best_matches(dd, metric, "total", q)
    ch = _change_fact(dd, metric, q)
    prior = _prior_fact(dd, metric, q)
    if prior is None and ch is None:
        prior = _prior_from_previous_doc(q, dd, metric)
    cur_f = cur[0].fact if cur else None
    if ch is not None and ch.source == "prose":
        # the figure stated in the same sentence as the change is the one it refers to
        same = [f for f in dd.facts if f.line == ch.line and f.label == ch.label and f.unit == ch.unit
                and column_kind(f.column) == "total"]
        if same:
            cur_f = same[0]
    out: Outcome | None = None
    if cur_f and prior:
        diff, rate = ops.growth(cur_f, prior)
        out = _answer("yoy", dd, diff, _label_of(cur_f, metric))
        out.rate = rate
        out.change = diff.value
        if ch:
            out.citations.append(Citation.of(ch))
    elif ch:
        res = ops.lookup(ch)
        out = _answer("yoy", dd, res, _label_of(cur_f or ch, metric))
        out.change = ch.value
        if cur_f:
            out.rate = ops.rate_from_change(cur_f, ch)
            out.citations.append(Citation.of(cur_f))
        rf = _rate_fact(dd, metric, q, ch)
        if rf is not None:
            out.citations.append(Citation.of(rf))
            out.stated_rate = rf
            out.rate = out.rate or ops.lookup(rf)
    if out is None:
        return not_found(
            "yoy",
            f"{doc_label(dd)}没有披露“{metric.replace(' ', '')}”与上年的比较。",
            f"{doc_label_en(dd)} does not compare “{metric.replace(' ', '')}” with last year.",
            dd,
        )
    if _PERCENT_Q.search(q.question) and out.rate is not None and out.rate.value is not None:
        out.derived = "rate"
    else:
        out.derived = "change"
    return out


_STRONG_SEP = re.compile(r"[、,，+|]|加上|以及|加")
_WEAK_SEP = re.compile(r"\s+|和|与|跟|同|(?<!以)及")


def _scoped(q: Query) -> Query:
    """"上年结转结余里财政拨款比非财政拨款…": a leading scope applies to every part, read
    as a narrowing word (结转, 一般公共预算 …) on each."""
    m = re.match(r"^\s*(.{2,14}?)(?:里面|里|之中|当中|中|内)(.{4,})$", q.metric)
    if not m:
        return q
    scope = norm_label(m.group(1))
    words = [w for w in NARROWING_TITLE_WORDS if w in scope]
    rest = m.group(2)
    if not words:
        # "基本支出中人员经费和公用经费": the scope only says where the parts sit
        return Query(**{**q.__dict__, "metric": rest})
    return Query(**{**q.__dict__, "metric": rest, "narrow": list(dict.fromkeys(q.narrow + words)),
                    "scope_words": words})


def _label_runs(word: str, weak: re.Pattern[str], score) -> list[str]:
    """The word cut at weak separators into the longest runs that are each a label
    ("住房保障支出和社会保障和就业支出" → 住房保障支出, 社会保障和就业支出); [] unless every
    run is one.

    Args:
        word: a metric phrase without spaces.
        weak: separators that may also sit inside a label (和 与 及).
        score: how well a text reads as one label (0..1).
    """
    segs = re.split(f"({weak.pattern})", word)
    tokens = segs[0::2]
    runs: list[str] = []
    i = 0
    while i < len(tokens):
        for j in range(len(tokens) - 1, i - 1, -1):
            cand = "".join(segs[2 * i: 2 * j + 1])
            if len(norm_label(cand)) >= 2 and score(cand) >= 0.9:
                runs.append(cand)
                i = j + 1
                break
        else:
            return []
    return runs if len(runs) > 1 else []


def _split_metrics(q: Query, dd: DocData, weak: re.Pattern[str] = _WEAK_SEP) -> tuple[list[Fact], list[str]] | None:
    """Read the metric phrase as several metrics, each matching a fact.

    Strong separators (、 加 以及) always split; weak ones (和 与 spaces) only where the
    piece is not itself a label ("社会保障和就业支出" stays whole). A short part borrows the
    first part's prefix ("政府采购货物和服务" → 政府采购服务).
    """
    joined = re.sub(r"[\s|]", "", q.metric)

    def as_one(text: str) -> float:
        # the phrase read whole, never through its pieces
        ms = find_facts(dd.facts, text, narrow_ok=q.narrow, limit=1)
        return ms[0].score if ms else 0.0

    if as_one(joined) >= 0.95:
        return None
    parts: list[str] = []
    for piece in _STRONG_SEP.split(q.metric):
        piece = piece.strip()
        if len(norm_label(piece)) < 2:
            continue
        if as_one(re.sub(r"\s", "", piece)) >= 0.9:
            parts.append(piece)
            continue
        # a space-separated word that is itself a label stays whole ("社会保障和就业支出
        # 卫生健康支出" from an English question is two names, not three)
        sub = []
        for word in piece.split():
            if len(norm_label(word)) < 2:
                continue
            if as_one(word) >= 0.9:
                sub.append(word)
                continue
            xs = _label_runs(word, weak, as_one) or [x for x in weak.split(word) if len(norm_label(x)) >= 2]
            sub.extend(xs if len(xs) > 1 else [word])
        parts.extend(sub if len(sub) > 1 else [piece])
    generic = {"项目", "经费", "资金", "支出", "费用", "预算", "金额", "钱"}
    parts = [p for p in dict.fromkeys(parts) if norm_label(p) not in generic]
    if len(parts) < 2:
        return None
    facts, names = [], []
    first = norm_label(parts[0])
    # "一般公共预算和政府性基金预算上年结转": a funding scope on the last part applies to all
    tail_words = [w for w in ("结转",) if w in norm_label(parts[-1])]
    for i, p in enumerate(parts):
        ms = []
        scope_words = list(getattr(q, "scope_words", []))
        scope_words += [w for w in tail_words if w not in norm_label(p) and w not in scope_words]
        for w in scope_words:
            ms = best_matches(dd, w + p, "total", q)  # read inside the scope's tables first
            if ms:
                break
        ms = ms or best_matches(dd, p, "total", q)
        np_ = norm_label(p)
        if i and len(np_) <= 3 and (not ms or ms[0].score < 0.9) and len(first) > len(np_):
            borrowed = first[: len(first) - len(np_)] + np_
            ms2 = best_matches(dd, borrowed, "total", q)
            if ms2:
                ms, p = ms2, borrowed
        if not ms:
            return None
        facts.append(ms[0].fact)
        names.append(p)
    if len({(f.line, f.label, f.column) for f in facts}) < len(facts):
        return None  # two names for one figure: not a sum of different things
    return facts, names


def _missing_part(q: Query, dd: DocData) -> str:
    """A part of a several-part metric ("A和B") the document has no figure for, when the
    phrase is not itself one label and some other part is found; else ""."""
    joined = re.sub(r"[\s|]", "", q.metric)
    whole = best_matches(dd, joined, "total", q)
    if not re.search(r"、|和|与|及|加", joined) or (whole and whole[0].score >= 0.9):
        return ""  # "社会保障和就业支出" is one label
    parts = [p for p in re.split(r"、|和|与|以及|及|加上|加|\s+", q.metric) if len(norm_label(p)) >= 2]
    if len(parts) < 2:
        return ""
    found = [bool(best_matches(dd, p, "total", q)) for p in parts]
    if any(found) and not all(found):
        return parts[found.index(False)].strip()
    return ""


def do_sum(q: Query, dd: DocData) -> Outcome:
    q = _scoped(q)
    split = _split_metrics(q, dd)
    if not split and re.fullmatch(r"\s*(?:所有|全部|各)?项目\s*", q.metric):
        rows = _project_rows(dd)
        if len(rows) >= 2:
            return _answer("sum", dd, ops.total(rows), "项目")
    if not split:
        missing = _missing_part(q, dd)
        if missing:
            # "差旅费和培训费一共多少" where 培训费 is not disclosed: not just the 差旅费
            return not_found("sum", f"{doc_label(dd)}未披露“{missing}”这一数字，无法相加。",
                             f"{doc_label_en(dd)} does not disclose a figure for “{missing}”, so the sum cannot be given.", dd)
        out = do_lookup(q, dd)
        out.op = "sum"
        return out
    facts, names = split
    res = ops.total(facts)
    return _answer("sum", dd, res, "、".join(_label_of(f, n) for f, n in zip(facts, names)))


def _columns_named(dd: DocData, text: str) -> list[tuple[str, str]]:
    """Columns of the document's tables named in the text, as (column, words used), longest
    first and not overlapping: "决算数比年初预算多多少" → 决算数, 年初预算数."""
    t = norm_label(text)
    cols = sorted({f.column for f in dd.facts if len(norm_label(f.column)) >= 3}, key=lambda c: -len(norm_label(c)))
    found: list[tuple[str, str]] = []
    used = t
    for c in cols:
        nc = norm_label(c)
        for form in (nc, nc[:-1] if nc.endswith("数") else None):
            if form and len(form) >= 3 and form in used:
                found.append((c, form))
                used = used.replace(form, "|")
                break
    found.sort(key=lambda cf: t.find(cf[1]))  # in the order the question names them
    return found


def _row_by_columns(q: Query, dd: DocData, pair: list[tuple[str, str]]) -> tuple[Fact, Fact, str] | None:
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


def do_diff(q: Query, dd: DocData) -> Outcome:
    q = _scoped(q)
    cols = _columns_named(dd, q.metric)
    if len(cols) >= 2:
        got = _row_by_columns(q, dd, cols[:2])
        if got:
            a, b, row = got
            return _answer("diff", dd, ops.difference(a, b), f"{a.label}{cols[0][0]}与{cols[1][0]}")
    split = _split_metrics(q, dd, re.compile(r"\s*比\s*|\s*和\s*|\s*与\s*|\s*相差\s*|\s*减去\s*|\s*减掉\s*|\s*扣除\s*|\s+"))
    if not split or len(split[0]) != 2:
        return do_yoy(q, dd)
    (a, b), names = split
    res = ops.difference(a, b)
    return _answer("diff", dd, res, f"{_label_of(a, names[0])}与{_label_of(b, names[1])}")


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


def _stated_share_operands(dd: DocData, part_name: str, whole_name: str, q: Query) -> tuple[Fact, Fact] | None:
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


def do_ratio(q: Query, dd: DocData) -> Outcome:
    mm = re.match(r"^(.{2,}?)(?:之中|中|里|当中)(.{2,}?)\|\s*$", q.metric)
    if mm:
        # "三公经费中公务用车运行费占多少": the whole comes first
        q = Query(**{**q.__dict__, "metric": f"{mm.group(2)}|{mm.group(1)}"})
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
                return _answer("ratio", dd, res, f"{a.label}{cols[0][0]}占{cols[1][0]}")
    m = q.metric.split("|", 1)
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
        pa = pa or best_matches(dd, m[0], "total", q)
        if pa and wh:
            part_f, whole_f = pa[0].fact, wh[0].fact
            part_name, whole_name = m[0], m[1]
    if part_f is None and q.lang == "en" and len(q.en_terms) >= 2:
        # "what share of <whole> is <part>" names the whole first; "<part> as a share of
        # <whole>" names it last. A short part may borrow the whole's words (procurement →
        # services = 政府采购服务).
        terms = [zh for _, zh in q.en_terms]
        whole_first = bool(re.search(r"(?:share|percentage|proportion|fraction|percent) of", q.question, re.I)) and \
            re.search(r"(?:share|percentage|proportion|fraction|percent) of", q.question, re.I).start() < \
            q.question.lower().find(q.en_terms[0][0].lower())
        totals = [t for t in terms if "总" in t or "合计" in t]
        if totals:
            wname = totals[0]
        else:
            wname = terms[0] if whole_first else terms[-1]
        pname = next(t for t in terms if t != wname)
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
        split = _split_metrics(q, dd)
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
    res = ops.share(part_f, whole_f)
    if res.value is None:
        return not_found("ratio", "分母为零，无法计算占比。", "The total is zero, so no share can be computed.", dd)
    whole_label = _label_of(whole_f, whole_name) if whole_name else _label_of(whole_f, whole_f.table_title)
    out = _answer("ratio", dd, res, f"{_label_of(part_f, part_name)}占{whole_label}")
    return out


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
        if s > best_s:
            best, best_s = e, s
    return best if best_s >= 0.6 else None


def _project_rows(dd: DocData, carry_over: bool = False) -> list[Fact]:
    """Rows of the project-expenditure table (项目支出), one fact per project.

    Project rows are those whose label is not a 科目 name used elsewhere for the same code
    (the functional class rows) nor a unit's own name (the unit subtotal row)."""
    subject_names = {(f.code, norm_label(f.label)) for f in dd.facts
                     if f.code and f.table_no and "项目" not in f.table_title}
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
        if f.code and ((f.code, lab) in subject_names or len(f.code) < 7):
            continue
        if any(u.startswith(lab) or lab.startswith(u) for u in units if len(lab) >= 6):
            continue
        if column_kind(f.column) in ("total", "other") and lab not in rows:
            rows[lab] = f
    return list(rows.values())


def do_count(q: Query, dd: DocData) -> Outcome:
    if re.search(r"和|与|及|、|加", q.metric):
        split = _split_metrics(_scoped(q), dd)
        if split and len({f.unit for f in split[0]}) == 1:
            # "在职和退休人员一共多少人": a sum of counts
            facts, names = split
            return _answer("sum", dd, ops.total(facts), "、".join(_label_of(f, n) for f, n in zip(facts, names)))
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
            sub = [i for i in items if norm_label(i).endswith(key)]
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
    generic_projects = re.fullmatch(r"(?:预算|支出|项目支出|一般公共预算|财政拨款|上年|结转|结余|明细|表|的|共|有|列|里|中|安排|都|具体)*项目(?:支出|经费|名称)?(?:共|总共|一共|都)?",
                                    norm_label(q.metric))
    if generic_projects:
        rows = _project_rows(dd, carry_over="结转" in q.metric)
        if rows:
            res = ops.count([f.label for f in rows])
            res.operands = rows
            return Outcome(status="answered", op="count", doc=dd, label="项目", result=res,
                           items=[f.label for f in rows], citations=[Citation.of(f) for f in rows])
    out = do_lookup(q, dd)
    if q.count_units and (out.status != "answered" or (out.result is not None and out.result.unit not in q.count_units)):
        # "项目要覆盖多少个县市": not a figure in the tables but a performance target counted
        # in that measure word
        ind = find_indicator(dd, q.metric)
        if ind is not None and ind.result is not None and (ind.result.unit in q.count_units or out.status != "answered"):
            return ind
    out.op = "count"
    if out.derived in ("empty", "blank") and out.result is not None:
        out.result.unit = "个"  # "没有专项转移支付项目": none of them
    return out


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
                elif items and _is_heading_line(t):
                    break
                elif not items and j > i + 6:
                    break
            j += 1
        if len(items) >= 2 and first:
            ex = block(lines, first, last, max_lines=60, max_chars=4000)
            if ex:
                return items, ex
    return None


def _is_heading_line(t: str) -> bool:
    return bool(re.match(r"^\s*(?:[一二三四五六七八九十]+、|第[一二三四五六七八九十]+部分)", t))


def included_list(dd: DocData, metric: str) -> tuple[list[str], Excerpt] | None:
    """"公用经费主要包括什么": the items of the sentence stating what the item includes
    ("公用经费 121.55 万元，主要包括：办公费、水费、…"), quoted whole."""
    if not re.search(r"包括|包含", metric):
        return None
    key = norm_label(re.sub(r"(?:主要)?(?:包括|包含)", "", metric))
    if len(key) < 2:
        return None
    for ex in lines_matching(dd.search_lines, re.escape(key)):
        s = sentence_around(dd.search_lines, ex.line, max_lines=8)
        if s is None:
            continue
        flat = re.sub(r"\s+", "", to_half(s.quote))
        k = flat.find(key)
        m = re.search(r"(?:主要)?(?:包括|包含)[:：]?(.+?)(?:等(?:支出|费用)?)?[。；;]?$", flat[k:] if k >= 0 else "")
        if m:
            items = [x for x in re.split(r"[、，,]", m.group(1)) if x]
            if len(items) >= 2:
                return items, s
    return None


def do_list(q: Query, dd: DocData) -> Outcome:
    out = do_count(q, dd)
    if out.status == "answered" and out.items:
        out.op = "list"
        return out
    included = included_list(dd, q.metric)
    if included is not None:
        items, ex = included
        return Outcome(status="answered", op="list", doc=dd, label=re.sub(r"(?:主要)?(?:包括|包含)", "", q.metric).replace(" ", ""),
                       items=items, result=ops.count(items), citations=[Citation(dd.document.name, ex.quote, ex.line)])
    numbered = numbered_list(dd, q.metric)
    if numbered is not None:
        items, ex = numbered
        return Outcome(status="answered", op="list", doc=dd, label=q.metric.replace(" ", ""), items=items,
                       result=ops.count(items), citations=[Citation(dd.document.name, ex.quote, ex.line)])
    return not_found("list", f"{doc_label(dd)}没有列出“{q.metric.replace(' ', '')}”。",
                     f"{doc_label_en(dd)} does not list “{q.metric.replace(' ', '')}”.", dd)


_REASON_RE = r"主要原因|原因[是为：:]|主要用于|用于|依据"


def withheld_statement(q: Query, dd: DocData) -> Excerpt | None:
    """The document's own statement that the item the question names by its identifier
    ("特定目标 8310002B …，完全不予公开") is not disclosed."""
    ids = [t for t in re.findall(r"[0-9A-Za-z]{5,}", to_half(q.question))
           if re.search(r"\d", t) and not re.fullmatch(r"(?:19|20)\d\d", t)]
    if not ids:
        return None
    for ex in lines_matching(dd.search_lines, r"不予公开|不公开|涉密"):
        s = sentence_around(dd.search_lines, ex.line) or ex
        if any(t in re.sub(r"\s", "", s.quote) for t in ids):
            return s
    return None


def do_rationale(q: Query, dd: DocData, index=None) -> Outcome:
    """The reason (or basis) sentence for an item: from the paragraph of its prose figure or
    of a line naming it, stopping at the next item; else hybrid retrieval."""
    metric = q.metric.replace(" ", "")
    withheld = withheld_statement(q, dd)
    if withheld is not None:
        return not_found("rationale", f"{doc_label(dd)}注明该项不予公开：“{withheld.quote}”（第{withheld.line}行）。",
                         f"{doc_label_en(dd)} states that this item is not disclosed: “{withheld.quote}” (line {withheld.line}).", dd)
    # "为什么设立" asks for the project's 设立的政策依据, not a change's 主要原因
    asks_basis = bool(re.search(r"依据|basis|设立|why (?:was|is) .{0,40}(?:set up|established|created)", q.question, re.I))
    pat = r"依据" if asks_basis else (
        r"主要原因|原因[是为：:]" if re.search(r"为什么|为何|原因|why|reason", q.question, re.I) else _REASON_RE)
    forms = metric_forms(re.sub(r"政策|设立|项目(?=$|\s)", " ", q.metric).strip()) or metric_forms(q.metric)
    for form in forms:
        anchors: list[tuple[int, Fact | None]] = []
        if not asks_basis:
            cands = [m for m in find_facts(dd.facts, form, want="change", narrow_ok=q.narrow, min_score=0.55, limit=30)
                     if m.fact.source == "prose" and column_kind(m.fact.column) == "change"]
            cands.sort(key=lambda m: -m.score)
            anchors += [(m.fact.line, m.fact) for m in cands]
        anchors += [(ex.line, None) for ex in lines_matching(dd.search_lines, re.escape(form))[:15]
                    if not re.search(r"\d+\.\d\d\s+\d", ex.quote)]  # prose lines, not table rows
        for line, fact in anchors:
            ex = sentence_matching(dd.search_lines, line, pat, max_lines=8, stop=ITEM_START)
            if ex and fact is None and _is_heading_line(dd.search_lines[line - 1].strip()) \
                    and norm_label(form)[:4] not in norm_label(ex.quote):
                continue  # a heading a page break left beside another item's reason
            if ex:
                cites = [Citation(dd.document.name, ex.quote, ex.line)]
                if fact is not None:
                    cites.insert(0, Citation.of(fact))
                return Outcome(status="answered", op="rationale", doc=dd, label=form, excerpts=[ex], citations=cites)
    if index is not None:
        out = retrieve_sentences(q, dd, index, pat)
        if out:
            return out
    return not_found("rationale", f"{doc_label(dd)}没有说明“{metric}”的原因或依据。",
                     f"{doc_label_en(dd)} gives no reason or basis for “{metric}”.", dd)


def retrieve_sentences(q: Query, dd: DocData, index, pattern: str, k: int = 6) -> Outcome | None:
    """Hybrid retrieval inside one document, then the first matching sentence."""
    from qa.retrieval import hybrid_search

    query = (q.metric.replace(" ", "") or q.question) + " " + ("原因" if "原因" in pattern else "")
    if q.lang == "en":
        query = q.question + " " + query  # the multilingual embeddings read the English too
    try:
        hits = hybrid_search(index, query, k=k, docs=[dd.document.name], dense=True)
    except Exception as exc:  # retrieval is a fallback; never fail the answer on it
        log.warning("retrieval failed: %s", exc)
        return None
    key = norm_label(q.metric.split(" ")[0]) if q.metric else ""
    if not key:
        return None  # without the item's name a retrieved reason may be anyone's
    for chunk, _ in hits:
        for ln in range(chunk.line_start, chunk.line_end + 1):
            if key and key not in norm_label(dd.search_lines[ln - 1]) and ln == chunk.line_start:
                pass
            ex = sentence_matching(dd.search_lines, ln, pattern, max_lines=4, stop=ITEM_START)
            # the item itself must be named nearby: two characters ("事业") also match
            # 机关事业单位 and let anyone's reason through
            probe = key if len(key) <= 6 else key[:4]
            # …in the text itself, not in a section heading a page break dropped next to
            # another item's reason
            near = [x for x in dd.search_lines[max(0, ln - 3):ln + 3] if not _is_heading_line(x.strip())]
            if ex and (not key or probe in norm_label(" ".join(near))):
                return Outcome(status="answered", op="rationale", doc=dd, label=q.metric.replace(" ", ""),
                               excerpts=[ex], citations=[Citation(dd.document.name, ex.quote, ex.line)])
    return None


_INDICATOR_LINE = r"[＞>＜<≥≤=]|指标"
_CMP_VALUE = re.compile(r"([＞>＜<≥≤]\s*=?|=)\s*(\d+(?:\.\d+)?)\s*(%|％|‰|[\u4e00-\u9fff]{1,3})?")
_INDICATOR_NOISE = re.compile(r"绩效|指标值|指标|目标值|目标|要求|要达到|达到|设定|是什么|多少|的|项目$")


def project_names(dd: DocData) -> set[str]:
    """Normalised project names of a document, also without a leading year and a trailing
    项目 ("2024年征信信息共享接入项目" is asked as 征信信息共享接入)."""
    names: set[str] = set()
    for f in _project_rows(dd):
        lab = norm_label(f.label)
        bare = re.sub(r"^20\d\d年度?", "", lab)
        names.update({lab, bare, re.sub(r"项目$", "", bare)})
    return names


def find_indicator(dd: DocData, metric: str) -> Outcome | None:
    """A performance indicator's target (e.g. 缴存职工满意度 ＞=95%): the line naming the
    indicator (longest common run with the question ≥ 4 characters) and, on it or within
    the next few lines, a comparator with a value."""
    from difflib import SequenceMatcher

    key = _INDICATOR_NOISE.sub("", norm_label(metric))
    project = ""
    names = project_names(dd)
    for piece in re.split(r"[\s|]+", metric.strip())[:-1]:
        # "消防安全专项资金 培训次数": a separately named item the document has, before the
        # indicator's words (which come last), is the project
        p = re.sub(r"[（）()]", "", _INDICATOR_NOISE.sub("", norm_label(piece)))
        if len(p) >= 4 and len(key) - len(p) >= 3 and any(p in norm_label(l) for l in dd.search_lines):
            names.add(p)
            key = re.sub(r"[（）()]", "", key)
    for p in sorted(names, key=len, reverse=True):
        if len(p) >= 4 and p in key and len(key) - len(p) >= 3:
            key = re.sub(r"^项目", "", key.replace(p, "", 1))  # the indicator's own words, not its project's name
            project = p
            break
    else:
        # a project named loosely ("…系统运维服务项目" for "…系统运营维护项目"): the longest
        # run it shares with a project's name stands for the project
        runs = []
        for p in names:
            mm = SequenceMatcher(None, key, p, autojunk=False).find_longest_match(0, len(key), 0, len(p))
            if mm.size >= 6 and len(key) - mm.size >= 3:
                runs.append(key[mm.a: mm.a + mm.size])
        if runs:
            project = max(runs, key=len)
            key = key.replace(project, "", 1)
            key = re.sub(r"^[\u4e00-\u9fff]{0,6}?项目(?:要|的|需|需要|应)?", "", key) or key
    if len(key) < 3:
        return None
    lines = dd.search_lines
    # the project's rows in the indicator tables: the indicator asked for is the one under them
    anchors = [i for i, l in enumerate(lines) if project and project in norm_label(l)]
    nonempty = [i for i, l in enumerate(lines) if l.strip()]
    best = None
    for k, i in enumerate(nonempty):
        here = norm_label(lines[i])
        nxt = norm_label(lines[nonempty[k + 1]]) if k + 1 < len(nonempty) else ""
        text = here + nxt
        m = SequenceMatcher(None, key, text, autojunk=False).find_longest_match(0, len(key), 0, len(text))
        if m.size < min(4, len(key)) or m.b >= len(here):
            continue
        # the first comparator with a value after the indicator's name, within five lines
        window = [to_half(lines[x].strip()) for x in nonempty[k:k + 5]]
        first = window[0]
        name_at = first.find(key[m.a: m.a + 2]) if key[m.a: m.a + 2] in first else 0
        joined = first[name_at:] + " " + " ".join(window[1:])
        cm = _CMP_VALUE.search(joined)
        if cm:
            upto = len(first[name_at:]) + 1
            j = k
            for n, w in enumerate(window[1:], start=1):
                if cm.end() - 1 < upto:
                    break
                upto += len(w) + 1
                j = k + n
            j = nonempty[j]
            score = m.size * 10 - (j - i)
            if anchors:
                before = [a for a in anchors if a <= i]
                if not before or i - before[-1] > 150:
                    continue
                score -= (i - before[-1]) * 0.02
            if best is None or score > best[0]:
                best = (score, i, j, cm)
    if best is None:
        return None
    _, i, j, cm = best
    ex = block(lines, i + 1, j + 1, max_lines=6)
    if ex is None:
        return None
    cites = [Citation(dd.document.name, ex.quote, ex.line)]
    head = max((a for a in anchors if a <= i), default=None)
    if head is not None and head < i and lines[head].strip():
        cites.insert(0, Citation(dd.document.name, lines[head].strip(), head + 1))  # whose indicator it is
    unit = (cm.group(3) or "").replace("％", "%")
    res = ToolResult(value=float(cm.group(2)), unit=unit, note=cm.group(1).replace(" ", ""))
    return Outcome(status="answered", op="indicator", doc=dd, label=key, result=res, excerpts=[ex], citations=cites)


def to_half(text: str) -> str:
    from qa.ingest.normalize import to_halfwidth

    return to_halfwidth(text)


def do_policy(q: Query, dd: DocData, index=None) -> Outcome:
    """Performance indicators (绩效指标): one indicator's target when the question names
    one, else the indicator table of a project or of the department."""
    metric = re.sub(r"项目$|项目(?=\s)|绩效|指标|目标", "", q.metric).strip()
    one = find_indicator(dd, q.metric)
    if one is not None and norm_label(one.label) not in project_names(dd):
        # a single indicator, unless the "indicator" found is only the project's own name
        return one
    key = metric.replace(" ", "")
    lines = dd.search_lines
    starts = []
    if key:
        for ex in lines_matching(lines, re.escape(key)):
            window = " ".join(lines[max(0, ex.line - 3): ex.line + 2])
            if "项目名称" in window or "绩效" in window or (re.search(r"[＞>＜<≥≤]", ex.quote) and "\t" in ex.quote):
                starts.append(ex.line)
    else:
        starts = [ex.line for ex in lines_matching(lines, r"部门整体绩效目标|整体绩效目标表")]
    for start in starts:
        row = lines[start - 1]
        if re.search(r"[＞>＜<≥≤]|%|％", row) and row[:1].strip() and "\t" in row:
            # a tab table with one project per row: its indicators are the row and the
            # continuation rows under it (first cell empty)
            end = start
            while end < len(lines) and lines[end][:1] in ("\t", " ") and lines[end].strip():
                end += 1
            ex = block(lines, start, end)
            if ex:
                return Outcome(status="answered", op="policy", doc=dd, label=key, excerpts=[ex],
                               citations=[Citation(dd.document.name, ex.quote, ex.line)])
    for start in starts:
        block_end = min(len(lines), start + 200)
        nxt = [e.line for e in lines_matching(lines, r"项目名称|项目支出绩效目标表|部门整体绩效目标表|^第[一二三四五六七八九十]+部分", start + 1, block_end)]
        if nxt:
            block_end = nxt[0] - 1
        head = lines_matching(lines, r"一级指标|三级指标|一级$", start, block_end)
        first = head[0].line if head else start
        rows = [e for e in lines_matching(lines, _INDICATOR_LINE, first + 1, block_end)
                if re.search(r"[\u4e00-\u9fff]{2,}", e.quote)]
        if len(rows) >= 2:
            ex = block(lines, first, rows[-1].line)
            if ex:
                return Outcome(status="answered", op="policy", doc=dd, label=key or "部门整体", excerpts=[ex],
                               citations=[Citation(dd.document.name, ex.quote, ex.line)])
    if index is not None:
        out = retrieve_sentences(q, dd, index, r"指标|目标")
        if out:
            out.op = "policy"
            return out
    return not_found("policy", f"{doc_label(dd)}没有找到“{key}”的绩效指标。",
                     f"{doc_label_en(dd)} has no performance indicators for “{key}”.", dd)


def doc_label(dd: DocData) -> str:
    d = dd.document
    return f"{dept_key(d)}{d.year or ''}年{d.kind or ''}文件"


def doc_label_en(dd: DocData) -> str:
    d = dd.document
    kind = "budget" if d.kind == "预算" else "final accounts" if d.kind == "决算" else "document"
    return f"The {d.year or ''} {kind} of {dept_key(d)}"


def run_one(q: Query, dd: DocData, ctx: Context) -> Outcome:
    """Execute the question's operation against one document."""
    token = _CTX.set(ctx)
    try:
        out = _run(q, dd, ctx)
    finally:
        _CTX.reset(token)
    if dd.search_lines is not dd.lines:
        # quotes found in the simplified form of a 繁體 document, cited in its own script
        out.excerpts = [Excerpt(dd.original(e.quote, e.line), e.line) for e in out.excerpts]
        out.citations = [Citation(c.doc, dd.original(c.quote, c.line), c.line) for c in out.citations]
    return out


_PROJECT_WHICH = re.compile(r"哪(?:个|一个|一项|项)项目|which project|what project", re.I)


def _run(q: Query, dd: DocData, ctx: Context) -> Outcome:
    op = q.op
    if q.actual and dd.document.kind == "预算":
        return not_found(op, f"{doc_label(dd)}是预算，不披露实际支出（决算）数。",
                         f"{doc_label_en(dd)} is a budget: it does not disclose actual spending (final accounts).", dd)
    if op == "compare" and _PROJECT_WHICH.search(q.question):
        # "哪个项目最多": the largest (smallest) of this document's project rows
        rows = [f for f in _project_rows(dd) if f.unit != "%"]
        if rows:
            f = (max if q.largest else min)(rows, key=lambda x: x.norm_value)
            tag = ("largest project" if q.largest else "smallest project") if q.lang == "en" else \
                ("最多的项目" if q.largest else "最少的项目")
            return _answer("lookup", dd, ops.lookup(f), f"{f.label}（{tag}）")
    if op == "compare":
        op = "lookup"
    if op in ("lookup", "compare"):
        return do_lookup(q, dd)
    if op == "sum":
        return do_sum(q, dd)
    if op == "diff":
        return do_diff(q, dd)
    if op == "ratio":
        return do_ratio(q, dd)
    if op == "yoy":
        return do_yoy(q, dd)
    if op == "count":
        return do_count(q, dd)
    if op == "list":
        return do_list(q, dd)
    if op == "rationale":
        return do_rationale(q, dd, ctx.index)
    if op == "policy":
        return do_policy(q, dd, ctx.index)
    return do_lookup(q, dd)
