"""Calculation tools over facts: lookup, sum, difference, share, year-over-year change,
compare, count, list, unit conversion.

Each returns a ToolResult carrying the operand facts (whose quotes become citations) and
the computation string from the safe evaluator. Pure functions: no store access here.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Sequence

from qa.text import rounding
from qa.tools.arith import ArithError, Result, execute, fmt
from qa.types import UNIT_TO_YUAN, Fact, ToolResult


def places_for(values: Sequence[float], unit: str) -> int:
    """Decimals to print amounts with: 2 for fractional money and percentages, 0 when
    every operand is a whole number (安阳's tables print 7, 4, 3)."""
    if unit == "%":
        return 2
    if all(float(v).is_integer() for v in values):
        return 0
    return 2


def _printed(q: str, shown: str, decimals_after: bool = False) -> bool:
    """Whether ``shown`` occurs in q as a whole number (no digit or point before it, no
    digit after it), or with decimals_after, followed by a point and a digit. (A search for
    each figure's own pattern would compile thousands of patterns over a corpus.)"""
    i = q.find(shown)
    while i >= 0:
        j = i + len(shown)
        if i == 0 or not (q[i - 1].isdecimal() or q[i - 1] == "."):
            if decimals_after:
                if j + 1 < len(q) and q[j] == "." and q[j + 1].isdecimal():
                    return True
            elif j == len(q) or not q[j].isdecimal():
                return True
        i = q.find(shown, i + 1)
    return False


def fact_places(f: Fact) -> int:
    """Decimals the document printed this figure with (2 for "342.00", 0 for "7")."""
    return _places(f.quote or "", f.value, f.unit)


@lru_cache(maxsize=65536)
def _places(quote: str, value: float, unit: str) -> int:
    q = quote.replace(",", "").replace("，", "")
    v = abs(value)
    for places in (2, 1, 0):
        shown = fmt(v, places)
        if _printed(q, shown):
            if places == 0 and _printed(q, shown, decimals_after=True):
                continue
            return places
    return places_for([value], unit)


def places_of(facts: Sequence[Fact]) -> int:
    """Decimals for a computation over facts: the most precise operand's."""
    return max((fact_places(f) for f in facts), default=2)


def _operand(f: Fact, places: int) -> str:
    return fmt(f.value, places)


def _same_unit(facts: Sequence[Fact]) -> list[Fact]:
    """Bring operands to the first operand's unit (money units only)."""
    if not facts:
        return []
    unit = facts[0].unit
    out = []
    for f in facts:
        if f.unit != unit and f.unit in UNIT_TO_YUAN and unit in UNIT_TO_YUAN:
            v = f.norm_value / UNIT_TO_YUAN[unit]
            f = Fact(**{**f.to_dict(), "value": v, "unit": unit})
        out.append(f)
    return out


def lookup(fact: Fact) -> ToolResult:
    """The figure itself, cited."""
    return ToolResult(value=fact.value, unit=fact.unit, operands=[fact], computation=None)


def total(facts: Sequence[Fact]) -> ToolResult:
    """Sum of several figures ("198.19 + 64.57 + 94.71 = 357.47")."""
    if not facts:
        return ToolResult(None, "", note="nothing to add")
    fs = _same_unit(facts)
    p = places_of(fs)
    r = execute(("add", [_operand(f, p) for f in fs]), p)
    return ToolResult(value=float(r.value), unit=fs[0].unit, operands=list(facts), computation=r.text)


def mean(facts: Sequence[Fact]) -> ToolResult:
    """The average of several figures ("(17996.68 + 21955.35 + 24169.74) / 3 = 21373.92")."""
    if not facts:
        return ToolResult(None, "", note="nothing to average")
    fs = _same_unit(facts)
    p = places_of(fs)
    try:
        r = execute(("div", [("add", [_operand(f, p) for f in fs]), str(len(fs))]), max(p, 2))
    except ArithError as exc:
        return ToolResult(None, fs[0].unit, operands=list(facts), note=str(exc))
    return ToolResult(value=float(r.value), unit=fs[0].unit, operands=list(facts), computation=r.text)


def ordered_apart(a: Fact, b: Fact) -> bool:
    """Whether b is the larger of two figures in one measure (money in any money unit)."""
    x, y = _same_unit([a, b])
    return x.unit == y.unit and x.value is not None and y.value is not None and y.value > x.value


def difference(a: Fact, b: Fact) -> ToolResult:
    """a − b in a's unit."""
    x, y = _same_unit([a, b])
    p = places_of([x, y])
    r = execute(("sub", [_operand(x, p), _operand(y, p)]), p)
    return ToolResult(value=float(r.value), unit=x.unit, operands=[a, b], computation=r.text)


def margin(a: ToolResult, b: ToolResult) -> ToolResult | None:
    """How much a's figure exceeds b's, where each is one figure or the sum of its operands
    ("三公经费" added up from its parts): (a1 + a2 …) − (b1 + b2 …) in a's unit; None when a
    side is neither (a share, a count of names)."""
    sides = []
    for r in (a, b):
        fs = _same_unit(r.operands) if r.operands else []
        if not fs or r.value is None or any(f.value is None for f in fs) or fs[0].unit != r.unit:
            return None
        if abs(sum(f.value for f in fs) - r.value) > 0.005 * max(1.0, abs(r.value)):
            return None  # not a sum of its operands
        sides.append(fs)
    if sides[0][0].unit != sides[1][0].unit:
        return None
    p = places_of(sides[0] + sides[1])
    terms = [_operand(fs[0], p) if len(fs) == 1 else ("add", [_operand(f, p) for f in fs]) for fs in sides]
    r = execute(("sub", terms), p)
    return ToolResult(value=float(r.value), unit=sides[0][0].unit, operands=sides[0] + sides[1], computation=r.text)


def prior_by_rate(current: Fact, rate: Fact) -> ToolResult:
    """Last year's figure from this year's and its stated growth rate: current × 100 /
    (100 + rate) ("444.16 同比下降19%" → 548.35), to 2 decimals."""
    p = places_of([current])
    try:
        r = execute(("round", [("div", [("mul", [_operand(current, p), "100"]),
                                        ("add", ["100", fmt(rate.value)])]), 2]))
    except ArithError as exc:
        return ToolResult(None, current.unit, operands=[current, rate], note=str(exc))
    return ToolResult(value=float(r.value), unit=current.unit, operands=[current, rate], computation=r.text)


def _of_two(op: str, a: Fact, b: Fact, unit: str, suffix: str = "") -> ToolResult:
    """a op b in one unit, to 2 decimals (a ratio in %, a multiple)."""
    x, y = _same_unit([a, b])
    p = places_of([x, y])
    try:
        r = execute((op, [_operand(x, p), _operand(y, p)]), 2)
    except ArithError as exc:
        return ToolResult(None, unit, operands=[a, b], note=str(exc))
    return ToolResult(value=float(r.value), unit=unit, operands=[a, b], computation=r.text + suffix)


def times(a: Fact, b: Fact) -> ToolResult:
    """a / b as a multiple ("22.35 / 7 = 3.19 倍"), to 2 decimals."""
    return _of_two("div", a, b, "倍", " 倍")


def share(part: Fact, whole: Fact) -> ToolResult:
    """part / whole × 100 %, to 2 decimals."""
    return _of_two("ratio", part, whole, "%")


def share_of_sum(parts: Sequence[Fact], whole: Fact) -> ToolResult:
    """(p1 + p2 …) / whole × 100 %, to 2 decimals: several items together as a share."""
    fs = _same_unit([*parts, whole])
    p = places_of(fs)
    try:
        r = execute(("ratio", [("add", [_operand(f, p) for f in fs[:-1]]), _operand(fs[-1], p)]), 2)
    except ArithError as exc:
        return ToolResult(None, "%", operands=[*parts, whole], note=str(exc))
    return ToolResult(value=float(r.value), unit="%", operands=[*parts, whole], computation=r.text)


def per_item(amount: Fact, count: Fact) -> ToolResult:
    """An amount per counted thing ("940.78 / 21 = 44.80"), in the amount's unit, to 2 decimals;
    in 元 when that would show less than one 万元 ("127.44万元 / 885人" is 1440.00 元, not 0.14)."""
    unit, text = amount.unit, _operand(amount, places_of([amount]))
    if amount.unit in UNIT_TO_YUAN and amount.unit != "元" and count.value and abs(amount.value / count.value) < 1:
        unit, text = "元", fmt(amount.norm_value, 2)
    try:
        r = execute(("div", [text, _operand(count, fact_places(count))]), 2)
    except ArithError as exc:
        return ToolResult(None, unit, operands=[amount, count], note=str(exc))
    return ToolResult(value=float(r.value), unit=unit, operands=[amount, count], computation=r.text)


def growth(current: Fact, prior: Fact) -> tuple[ToolResult, ToolResult | None]:
    """Year-over-year change: (current − prior, and the growth rate when prior ≠ 0)."""
    diff = difference(current, prior)
    x, y = _same_unit([current, prior])
    p = places_of([x, y])
    try:
        r = execute(("change_ratio", [_operand(x, p), _operand(y, p)]), 2)
        rate = ToolResult(value=float(r.value), unit="%", operands=[current, prior], computation=r.text)
    except ArithError:
        rate = None
    return diff, rate


def convert_result(res: ToolResult, to_unit: str) -> ToolResult:
    """Express a money result in another unit ("22.35 万元 × 10000 = 223500 元")."""
    if res.value is None or res.unit == to_unit or res.unit not in UNIT_TO_YUAN or to_unit not in UNIT_TO_YUAN:
        return res
    a, b = UNIT_TO_YUAN[res.unit], UNIT_TO_YUAN[to_unit]
    src = fmt(res.value, places_for([res.value], res.unit))
    if a >= b:
        factor = fmt(a / b)
        r: Result = execute(("mul", [src, factor]))
        shown = fmt(r.value)
        text = f"{src} {res.unit} × {factor} = {shown} {to_unit}"
    else:
        factor = fmt(b / a)
        r = execute(("div", [src, factor]), 6)
        shown = fmt(r.value)
        text = f"{src} {res.unit} ÷ {factor} = {shown} {to_unit}"
    comp = f"{res.computation}; {text}" if res.computation else text
    return ToolResult(value=float(r.value), unit=to_unit, operands=res.operands, computation=comp, note=res.note)


def compare(named: Sequence[tuple[str, ToolResult]], largest: bool = True) -> tuple[str, ToolResult] | None:
    """Pick the largest (or smallest) of several departments' results, compared in 元.

    Returns the winning (name, result) with a computation listing every value, or None
    when fewer than one result has a value.
    """
    have = [(n, r) for n, r in named if r.value is not None]
    if not have:
        return None

    def key(item: tuple[str, ToolResult]) -> float:
        r = item[1]
        return r.value * UNIT_TO_YUAN.get(r.unit, 1.0)

    ranked = sorted(have, key=key, reverse=largest)
    sign = " > " if largest else " < "
    text = sign.join(f"{n} {fmt(r.value, places_of(r.operands) if r.operands else places_for([r.value], r.unit))} {r.unit}"
                     for n, r in ranked)
    name, best = ranked[0]
    operands = [f for _, r in ranked for f in r.operands]
    return name, ToolResult(value=best.value, unit=best.unit, operands=operands, computation=text)


def count(items: Sequence[str], unit: str = "个") -> ToolResult:
    """How many items a list has (the operand is the list's quote, cited by the caller)."""
    return ToolResult(value=float(len(items)), unit=unit, computation=None, note="、".join(items))


def rate_from_change(current: Fact, change: Fact) -> ToolResult | None:
    """Growth rate when only this year's figure and the stated change are known:
    change / (current − change) × 100 %."""
    x, c = _same_unit([current, change])
    p = places_of([x, c])
    try:
        r = execute(("ratio", [_operand(c, p), ("sub", [_operand(x, p), _operand(c, p)])]), 2)
    except ArithError:
        return None
    return ToolResult(value=float(r.value), unit="%", operands=[current, change], computation=r.text)


def rate_rounding(current: Fact, other: Fact, other_is_change: bool) -> float:
    """Percentage points a growth rate from these two printed figures can be off by their
    rounding (qa.text.rounding.rate_rounding); both read in the current figure's unit."""
    x, o = _same_unit([current, other])
    return rounding.rate_rounding(x.value, o.value, min(fact_places(current), fact_places(other)), other_is_change)
