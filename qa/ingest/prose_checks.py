"""Consistency of the figures stated in the 说明 text with each other.

Three checks over prose facts:
- growth: a sentence stating an amount A, a change C and a rate R must satisfy
  R = C / (A - C) × 100 (to the precision R is printed with);
- share: "X 万元，占 P%" against the total the paragraph introduced ("… 万元，其中：");
- total: listed components against their stated total ("…万元，其中：a、b、c"), and the
  三公 total against 因公出国（境）费 + 公务用车购置及运行费 + 公务接待费.
Table facts are ignored here; integrity.py checks the tables.
"""

from __future__ import annotations

import re

from qa.text.normalize import NUMBER_PATTERN, parse_number, to_halfwidth
from qa.types import Document, Fact, IntegrityIssue

_AMOUNT_COLUMNS = ("预算数", "决算数")
_MONEY = ("元", "千元", "万元", "亿元")
_WINDOW = 10
_TOTAL_RE = re.compile(rf"({NUMBER_PATTERN})\s*(?:亿元|万元|千元|元)\s*[,;:。]?\s*(?:其中|包括)")
_SANGONG_PARTS = ("因公出国(境)费", "公务接待费")
_VEHICLE_TOTAL = "公务用车购置及运行费"
_VEHICLE_PARTS = (("公务用车购置费",), ("公务用车运行费", "公务用车运行维护费"))


def _l2(section: str) -> str:
    return " / ".join(section.split(" / ")[:2])


def _fmt(v: float) -> str:
    return f"{v:,.2f}".rstrip("0").rstrip(".") if abs(v - round(v, 2)) < 1e-9 else f"{v:,.4f}"


def _paren(v: float) -> str:
    return f"({_fmt(v)})" if v < 0 else _fmt(v)


def printed_decimals(quote: str, value: float) -> int:
    """Decimals a percentage is printed with in its sentence (2 when not found)."""
    for m in re.finditer(r"(\d+(?:\.(\d+))?)\s*%", to_halfwidth(quote)):
        v = parse_number(m.group(1))
        if v is not None and abs(v - abs(value)) < 1e-9:
            return len(m.group(2) or "")
    return 2


def _tolerance(decimals: int) -> float:
    # One unit of the last printed digit: documents truncate as often as they round.
    return 10.0 ** -decimals + 0.005


def is_total(fact: Fact) -> bool:
    """Whether the sentence introduces this amount as a total ("3,459.79 万元，其中：")."""
    text = re.sub(r"\s+", "", to_halfwidth(fact.quote))
    for m in _TOTAL_RE.finditer(text):
        v = parse_number(m.group(1))
        if v is not None and abs(v - fact.value) < 1e-9:
            return True
    return False


def _nearest_amount(amounts: list[Fact], label: str, section: str, line: int, own: str = "") -> Fact | None:
    """The latest amount of the label before the line; on one line, the document's own
    column (a 决算 page states "决算为22.59万元，完成预算43.2万元的52.3%": the rate is the 决算's)."""
    best = None
    for a in amounts:
        if a.label == label and _l2(a.section) == section and line - _WINDOW <= a.line <= line:
            if best is None or a.line > best.line or (a.line == best.line and best.column != own):
                best = a
    return best


def _growth_issues(doc: Document, prose: list[Fact], amounts: list[Fact]) -> list[IntegrityIssue]:
    out = []
    own = "决算数" if "决算" in (doc.kind or "") else "预算数"
    changes = [f for f in prose if f.column == "比上年增减" and f.unit in _MONEY]
    for g in (f for f in prose if f.column == "增长率"):
        cands = [c for c in changes if c.label == g.label and _l2(c.section) == _l2(g.section) and g.line - _WINDOW <= c.line <= g.line]
        if not cands:
            continue
        c = max(cands, key=lambda f: f.line)
        a = _nearest_amount(amounts, g.label, _l2(g.section), c.line, own)
        if a is None or a.unit != c.unit:
            continue
        base = a.value - c.value
        if abs(base) < 1e-9:
            continue  # no prior-year amount: any stated rate is a convention (100%)
        computed = c.value / base * 100
        d = printed_decimals(g.quote, g.value)
        if abs(computed - g.value) > _tolerance(d):
            out.append(IntegrityIssue(
                doc=doc.name, table_no="", kind="percent", line=g.line,
                expected=round(computed, 2), stated=g.value,
                message=(f"{g.label}: the text states a change of {_fmt(g.value)}% but "
                         f"{_fmt(c.value)} / ({_fmt(a.value)} − {_paren(c.value)}) × 100 = {computed:.2f}% "
                         f"(amount {_fmt(a.value)}{a.unit}, change {_fmt(c.value)}{c.unit}, line {g.line})"),
            ))
    return out


def _share_issues(doc: Document, prose: list[Fact], amounts: list[Fact]) -> list[IntegrityIssue]:
    out = []
    totals = [a for a in amounts if is_total(a)]
    for s in (f for f in prose if f.column == "占比"):
        a = _nearest_amount(amounts, s.label, _l2(s.section), s.line)
        if a is None:
            continue
        cands = [t for t in totals if t is not a and _l2(t.section) == _l2(s.section) and t.line <= a.line
                 and t.unit == a.unit and t.value >= a.value and t.label != a.label]
        if not cands:
            continue
        t = max(cands, key=lambda f: f.line)
        if abs(t.value) < 1e-9:
            continue
        computed = a.value / t.value * 100
        d = printed_decimals(s.quote, s.value)
        if abs(computed - s.value) > _tolerance(d):
            out.append(IntegrityIssue(
                doc=doc.name, table_no="", kind="percent", line=s.line,
                expected=round(computed, 2), stated=s.value,
                message=(f"{s.label}: the text states a share of {_fmt(s.value)}% but "
                         f"{_fmt(a.value)} / {_fmt(t.value)} ({t.label}) × 100 = {computed:.2f}% (line {s.line})"),
            ))
    return out


def _groups(amounts: list[Fact]) -> list[list[Fact]]:
    """Amount facts of one sentence, in order; a sentence starting "其中" joins the previous one."""
    groups: list[list[Fact]] = []
    for f in amounts:
        q = f.quote.strip()
        if groups and (groups[-1][0].quote == f.quote or (q.startswith("其中") and f.line - groups[-1][-1].line <= 3)):
            groups[-1].append(f)
        else:
            groups.append([f])
    return groups


def _sum_issue(doc: Document, total: Fact, parts: list[Fact], what: str) -> IntegrityIssue | None:
    s = sum(p.value for p in parts)
    if abs(s - total.value) <= 0.015:
        return None
    expr = " + ".join(_fmt(p.value) for p in parts)
    return IntegrityIssue(
        doc=doc.name, table_no="", kind="total", line=total.line, expected=round(s, 2), stated=total.value,
        message=(f"{total.label}: the text states {_fmt(total.value)}{total.unit} but its {what} "
                 f"({', '.join(p.label for p in parts)}) add up to {expr} = {_fmt(s)}{total.unit} (line {total.line})"),
    )


def _total_issues(doc: Document, amounts: list[Fact]) -> list[IntegrityIssue]:
    out = []
    for group in _groups(amounts):
        flags = [is_total(f) for f in group]
        for i, f in enumerate(group):
            if not flags[i]:
                continue
            parts = []
            for j in range(i + 1, len(group)):
                parts.append(group[j])
                if flags[j]:
                    break  # a nested total: what follows it belongs to it
            if any(p.label == _VEHICLE_TOTAL for p in parts):
                # "公务用车购置及运行费55.2万元（其中公务用车购置费0万元，公务用车运行费55.2万元）":
                # the vehicle breakdown is inside its own total, not another component.
                vehicle_parts = {lb for lbs in _VEHICLE_PARTS for lb in lbs}
                parts = [p for p in parts if p.label not in vehicle_parts]
            if len(parts) >= 2 and all(p.unit == f.unit and p.column == f.column for p in parts):
                issue = _sum_issue(doc, f, parts, "components")
                if issue:
                    out.append(issue)
    return out


def _sangong_issues(doc: Document, amounts: list[Fact]) -> list[IntegrityIssue]:
    out = []
    for total in (a for a in amounts if a.label == "三公经费"):
        # the parts of the same column: a 决算 page states the 预算数 total beside the 决算数 items
        scope = [a for a in amounts if _l2(a.section) == _l2(total.section) and a.line >= total.line
                 and a.unit == total.unit and a.column == total.column]

        def first(*labels: str) -> Fact | None:
            hits = [a for a in scope if a.label in labels]
            return min(hits, key=lambda f: f.line) if hits else None

        parts = [p for p in (first(lb) for lb in _SANGONG_PARTS) if p]
        vehicle = first(_VEHICLE_TOTAL)
        if vehicle:
            parts.append(vehicle)
        else:
            parts += [p for p in (first(*lbs) for lbs in _VEHICLE_PARTS) if p]
        if len(parts) >= 3:
            issue = _sum_issue(doc, total, sorted(parts, key=lambda f: f.line), "“三公” components")
            if issue:
                out.append(issue)
        break
    return out


def check_prose(doc: Document, facts: list[Fact]) -> list[IntegrityIssue]:
    """Check the 说明 text's stated rates, shares and totals against its own figures.

    Args:
        doc: the Document the facts belong to.
        facts: all facts of the document (table facts are ignored).

    Returns:
        One IntegrityIssue per mismatch, kind "percent" or "total".
    """
    prose = [f for f in facts if f.source == "prose" and f.doc == doc.name]
    amounts = [f for f in prose if f.column in _AMOUNT_COLUMNS]
    issues = _growth_issues(doc, prose, amounts) + _share_issues(doc, prose, amounts)
    issues += _total_issues(doc, amounts) + _sangong_issues(doc, amounts)
    seen: set[tuple] = set()
    out = []
    for i in issues:
        key = (i.kind, i.line, i.stated)
        if key not in seen:
            seen.add(key)
            out.append(i)
    return sorted(out, key=lambda i: i.line)
