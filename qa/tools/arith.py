"""A tiny safe evaluator over numbers: the only place answers' arithmetic happens.

No text is ever evaluated. Callers build small expression trees from numbers they took
from facts (``("add", [a, b, c])``), and :func:`execute` walks the tree with Decimal
arithmetic, returning both the value and a readable computation string such as
``"198.19 + 64.57 + 94.71 = 357.47"``. Modelled on TAT-QA's TAGOP executor: a closed set
of operators, each checked for arity and domain.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Sequence, Union

Number = Union[int, float, str, Decimal]

OPERATORS = ("add", "sub", "mul", "div", "ratio", "change", "change_ratio", "avg", "round", "neg")


class ArithError(ValueError):
    """Raised for malformed expressions, unknown operators or undefined results."""


def to_decimal(x: Number) -> Decimal:
    """Convert a number to Decimal through its shortest printed form.

    Args:
        x: int, float, Decimal or a plain numeric string ("1,234.5" allowed).

    Floats go through ``repr`` so 0.1 stays 0.1 rather than its binary expansion.
    Booleans, NaN and infinities are rejected.
    """
    if isinstance(x, bool):
        raise ArithError("booleans are not numbers here")
    if isinstance(x, Decimal):
        d = x
    elif isinstance(x, int):
        d = Decimal(x)
    elif isinstance(x, float):
        d = Decimal(repr(x))
    elif isinstance(x, str):
        s = x.strip().replace(",", "")
        if not s or len(s) > 40 or any(c not in "0123456789.-+eE" for c in s):
            raise ArithError(f"not a number: {x!r}")
        try:
            d = Decimal(s)
        except InvalidOperation as exc:
            raise ArithError(f"not a number: {x!r}") from exc
    else:
        raise ArithError(f"unsupported operand type {type(x).__name__}")
    if not d.is_finite():
        raise ArithError("non-finite number")
    return d


def decimals_of(x: Number) -> int:
    """Number of decimal places a value is printed with (0 for integers)."""
    d = to_decimal(x).normalize()
    exp = d.as_tuple().exponent
    return max(0, -int(exp)) if isinstance(exp, int) else 0


def round_half_up(x: Number, places: int = 2) -> Decimal:
    """Round like the documents do (half away from zero), e.g. 2.345 -> 2.35."""
    if places < 0 or places > 10:
        raise ArithError("places must be between 0 and 10")
    q = Decimal(1).scaleb(-places)
    return to_decimal(x).quantize(q, rounding=ROUND_HALF_UP)


def fmt(x: Number, places: int | None = None) -> str:
    """Print a number plainly: no exponent, no thousands separator, trailing zeros of
    integers dropped; with ``places`` rounded and padded to exactly that many decimals."""
    d = to_decimal(x)
    if places is not None:
        d = round_half_up(d, places)
        if places == 0:
            return f"{d:f}".replace("-0", "0") if d == 0 else f"{d:f}"
        s = f"{d:f}"
        return "0" + s[s.index(".") :] if d == 0 and s.startswith("-") else s
    d = d.normalize()
    s = f"{d:f}"
    return "0" if s in ("-0", "0") else s


@dataclass(frozen=True)
class Result:
    """Value and how it was computed."""

    value: Decimal
    text: str

    def as_float(self) -> float:
        return float(self.value)


Expr = Union[Number, tuple]


def _wrap(text: str, inner: bool) -> str:
    return f"({text})" if inner and (" " in text) else text


def _eval(expr: Expr, inner: bool) -> tuple[Decimal, str]:
    if not isinstance(expr, tuple):
        d = to_decimal(expr)
        # Leaves print as given, so "2440.10" keeps the document's two decimals.
        return d, f"{d:f}"
    if len(expr) != 2 or not isinstance(expr[0], str):
        raise ArithError(f"malformed expression: {expr!r}")
    op, args = expr
    if op not in OPERATORS:
        raise ArithError(f"unknown operator {op!r}")
    if op == "round":
        if not (isinstance(args, (list, tuple)) and len(args) == 2 and isinstance(args[1], int)):
            raise ArithError("round takes (expr, places)")
        v, t = _eval(args[0], inner)
        return round_half_up(v, args[1]), t
    if not isinstance(args, (list, tuple)):
        raise ArithError(f"{op} needs a list of operands")
    vals = [_eval(a, True) for a in args]
    nums = [v for v, _ in vals]
    # a negative operand after the first prints in brackets: "0 - (-40)", never "0 - -40"
    texts = [t if i == 0 or not t.startswith("-") else f"({t})" for i, (_, t) in enumerate(vals)]
    if op in ("add", "avg"):
        if not nums:
            raise ArithError(f"{op} needs at least one operand")
        total = sum(nums, Decimal(0))
        if op == "add":
            return total, _wrap(" + ".join(texts), inner)
        return total / len(nums), f"({' + '.join(texts)}) / {len(nums)}"
    if op == "neg":
        _arity(op, nums, 1)
        return -nums[0], f"-{texts[0]}"
    if op == "mul":
        if len(nums) < 2:
            raise ArithError("mul needs at least two operands")
        out = Decimal(1)
        for n in nums:
            out *= n
        return out, _wrap(" × ".join(texts), inner)
    _arity(op, nums, 2)
    a, b = nums
    ta, tb = texts
    if op == "sub":
        return a - b, _wrap(f"{ta} - {tb}", inner)
    if op == "change":
        return a - b, _wrap(f"{ta} - {tb}", inner)
    if b == 0:
        raise ArithError("division by zero")
    if op == "div":
        return a / b, _wrap(f"{ta} / {tb}", inner)
    if op == "ratio":
        return a / b * 100, f"{ta} / {tb} × 100%"
    # change_ratio: growth of a over b in percent
    return (a - b) / b * 100, f"({ta} - {tb}) / {tb} × 100%"


def _arity(op: str, nums: Sequence[Decimal], n: int) -> None:
    if len(nums) != n:
        raise ArithError(f"{op} takes {n} operand(s), got {len(nums)}")


def execute(expr: Expr, places: int | None = None) -> Result:
    """Evaluate an expression tree.

    Args:
        expr: a number, or ``(op, [operands...])`` with op in OPERATORS; operands may be
            nested expressions. ``("round", [expr, places])`` rounds half-up.
        places: decimals of the printed (and returned) result; None keeps the exact value
            and prints it plainly.

    Returns:
        Result with the value (rounded when places is given) and the text
        "<expression> = <result>".

    Raises:
        ArithError: unknown operator, wrong arity, non-numbers, division by zero.
    """
    value, text = _eval(expr, False)
    if places is not None:
        value = round_half_up(value, places)
    if value == 0:
        value = abs(value)  # never print "-0.00"
    shown = fmt(value, places)
    suffix = "%" if isinstance(expr, tuple) and expr[0] in ("ratio", "change_ratio") else ""
    return Result(value=value, text=f"{text} = {shown}{suffix}")


def result_places(*operands: Number, minimum: int = 0) -> int:
    """Decimals to print a sum/difference with: as many as the most precise operand."""
    return max([minimum] + [decimals_of(o) for o in operands])
