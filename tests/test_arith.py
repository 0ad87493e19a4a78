"""The safe evaluator: every operator, rounding, formatting and every refusal."""

from decimal import Decimal

import pytest

from qa.tools.arith import (
    ArithError,
    decimals_of,
    execute,
    fmt,
    result_places,
    round_half_up,
    to_decimal,
)


@pytest.mark.parametrize(
    "expr, places, value, text",
    [
        (("add", ["198.19", "64.57", "94.71"]), 2, "357.47", "198.19 + 64.57 + 94.71 = 357.47"),
        (("add", [7]), None, "7", "7 = 7"),
        (("sub", ["3459.79", "3394.10"]), 2, "65.69", "3459.79 - 3394.10 = 65.69"),
        (("sub", [7, 9]), None, "-2", "7 - 9 = -2"),
        (("mul", ["22.35", 10000]), None, "223500", "22.35 × 10000 = 223500"),
        (("div", [1, 3]), 4, "0.3333", "1 / 3 = 0.3333"),
        (("ratio", ["2440.10", "3459.79"]), 2, "70.53", "2440.10 / 3459.79 × 100% = 70.53%"),
        (("change_ratio", [7, 9]), 2, "-22.22", "(7 - 9) / 9 × 100% = -22.22%"),
        (("avg", [1, 2, 4]), 2, "2.33", "(1 + 2 + 4) / 3 = 2.33"),
        (("neg", ["0.35"]), None, "-0.35", "-0.35 = -0.35"),
        (("add", [7, ("sub", [3, 1])]), None, "9", "7 + (3 - 1) = 9"),
        (("round", [("div", [2, 3]), 1]), None, "0.7", "2 / 3 = 0.7"),
    ],
)
def test_operators(expr, places, value, text):
    r = execute(expr, places)
    assert r.value == Decimal(value)
    assert r.text == text


def test_float_operands_keep_their_printed_digits():
    # binary floats must not leak: 0.1 + 0.2 is exactly 0.3 here
    assert execute(("add", [0.1, 0.2])).value == Decimal("0.3")
    assert execute(("add", [204.72, 72.35, 3117.03]), 2).value == Decimal("3394.10")


def test_rounding_is_half_up_like_the_documents():
    assert round_half_up("2.345", 2) == Decimal("2.35")
    assert round_half_up("-2.345", 2) == Decimal("-2.35")
    assert round_half_up("2.344", 2) == Decimal("2.34")
    assert round_half_up("0.5", 0) == Decimal("1")


def test_negative_zero_is_printed_as_zero():
    r = execute(("sub", ["-0.001", 0]), 2)
    assert r.text.endswith("= 0.00")
    assert not r.value.is_signed()


def test_fmt_and_decimals():
    assert fmt(3459.79) == "3459.79"
    assert fmt(7.0) == "7"
    assert fmt("2440.1", 2) == "2440.10"
    assert fmt(1e-7, 2) == "0.00"
    assert decimals_of("2440.10") == 1  # normalised: trailing zeros do not count
    assert decimals_of(7) == 0
    assert result_places("1.5", "2.25") == 2
    assert to_decimal("1,234.50") == Decimal("1234.50")


@pytest.mark.parametrize(
    "bad",
    [
        ("pow", [2, 3]),  # unknown operator
        ("sub", [1]),  # arity
        ("ratio", [1, 2, 3]),
        ("div", [1, 0]),  # division by zero
        ("ratio", [1, 0]),
        ("change_ratio", [1, 0]),
        ("add", []),
        ("mul", [2]),
        ("add", ["1+1"]),  # text is never evaluated
        ("add", ["__import__('os')"]),
        ("add", [True]),
        ("add", [float("nan")]),
        ("add", [float("inf")]),
        ("add", [None]),
        ("add", "12"),
        ("round", [1, "2"]),
        ("add", [1], "extra"),
        "abc",
    ],
)
def test_refusals(bad):
    with pytest.raises(ArithError):
        execute(bad)


def test_round_places_bounds():
    with pytest.raises(ArithError):
        round_half_up(1, -1)
    with pytest.raises(ArithError):
        round_half_up(1, 11)


def test_last_years_figure_from_this_years_and_its_rate():
    from qa.tools import ops
    from qa.types import Fact
    cur = Fact(doc="d", department="x", year=2023, table_no="", table_title="", section="", code="", label="三公经费",
               column="预算数", value=444.16, unit="万元", norm_value=4441600.0, line=1, quote="q", source="prose")
    rate = Fact(doc="d", department="x", year=2023, table_no="", table_title="", section="", code="", label="三公经费",
                column="增长率", value=-19.0, unit="%", norm_value=-19.0, line=1, quote="q", source="prose")
    r = ops.prior_by_rate(cur, rate)
    assert r.value == 548.35 and r.unit == "万元" and "444.16" in r.computation and "-19" in r.computation
