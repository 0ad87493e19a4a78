"""Amounts written in words or in mixed units, rewritten as one Arabic figure.

Budget speeches and 繁體 records write "三千二百五十亿元", "百分之四点一", "二零一四/一五年度",
"90億5,697萬9,000元" or "6533億"; the fact reader understands "3250亿元", "4.1%",
"2014/15年度", "9056979000元" and "6533亿元". rewrite() returns the line in that form.
Pure functions; the caller keeps the original line for quoting.
"""

from __future__ import annotations

import re
from functools import lru_cache
from decimal import Decimal

_DIGIT = {"零": 0, "〇": 0, "○": 0, "O": 0, "Ｏ": 0, "一": 1, "壹": 1, "二": 2, "贰": 2, "貳": 2, "两": 2, "兩": 2,
          "三": 3, "叁": 3, "參": 3, "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "陸": 6, "七": 7,
          "柒": 7, "八": 8, "捌": 8, "九": 9, "玖": 9}
_SMALL = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_DIGITS = "零〇○一壹二贰貳两兩三叁參四肆五伍六陆陸七柒八捌九玖"
_SMALLS = "十拾百佰千仟"
_NUMERAL = f"[{_DIGITS}{_SMALLS}]"
# 三千二百五十亿元, 一百三十八亿元, 五亿二千九百万元, 六百七十一亿元
_WORD_AMOUNT = re.compile(
    rf"(?<![{_DIGITS}{_SMALLS}\d])((?:{_NUMERAL}+[亿億])?(?:{_NUMERAL}+[万萬])?{_NUMERAL}*)(?:点|點)?([{_DIGITS}]*)"
    r"(亿元|億元|万元|萬元|元|亿|億)")
_WORD_PERCENT = re.compile(rf"百分之({_NUMERAL}+)(?:(?:点|點)([{_DIGITS}]+))?")
# 二零一四/一五年度, 一九九九至二OOO年度
_WORD_YEAR = re.compile(r"([一二三四五六七八九零〇○OＯ]{4})(?=\s*(?:[/／至\-－—]|年))")
_WORD_YEAR_TAIL = re.compile(r"(?<=\d{4}[/／])([一二三四五六七八九零〇○OＯ]{2})(?=\s*年)")
# 90億5,697萬9,000元, 36億0,220萬元, 658萬5,000元
_MIXED = re.compile(
    r"(?<![\d,.])(?:(\d[\d,]*)\s*[億亿])?\s*(?:(\d[\d,]*)\s*[萬万](?!元))?\s*(\d[\d,]*)?\s*(億元|亿元|萬元|万元|元)")
# "1523.26万" at the end of a line: 万元 cut short by the page
_HEADING_START = re.compile(r"^(?:[一二三四五六七八九十]+、|\d+\s*[.、．](?!\d)|第[一二三四五六七八九十\d]+|[（(][一二三四五六七八九十\d]+[)）])")
_BARE_WAN = re.compile(r"(\d(?:[\d,]*\d)?(?:\.\d+)?)\s*[万萬](?=\s*$)")
# 6533億, 1517億 (億 with no 元 after it)
_BARE_YI = re.compile(r"(\d(?:[\d,]*\d)?(?:\.\d+)?)\s*([億亿])(?![元\d])")


def _small_value(text: str) -> int | None:
    """A number below 10000 in words ("三千二百五十" → 3250, "十二" → 12); None if not one."""
    if not text:
        return 0
    total, digit = 0, None
    for ch in text:
        if ch in _DIGIT:
            digit = _DIGIT[ch]
        elif ch in _SMALL:
            total += (1 if digit is None else digit) * _SMALL[ch]
            digit = None
        else:
            return None
    return total + (digit or 0)


def words_to_number(text: str) -> int | None:
    """An integer written in words with 亿/万 groups ("五亿二千九百万" → 529000000)."""
    value = 0
    rest = text
    for mark, mult in (("亿", 10 ** 8), ("億", 10 ** 8), ("万", 10 ** 4), ("萬", 10 ** 4)):
        if mark in rest:
            head, rest = rest.split(mark, 1)
            v = _small_value(head)
            if v is None:
                return None
            value += (v or 1) * mult
    v = _small_value(rest)
    if v is None:
        return None
    return value + v


def _fmt(d: Decimal) -> str:
    s = format(d.normalize(), "f")
    return s.rstrip("0").rstrip(".") if "." in s else s


def _word_amount(m: re.Match[str]) -> str:
    whole, frac, unit = m.group(1), m.group(2), m.group(3)
    if not whole or not any(c in _DIGIT for c in whole):
        return m.group(0)  # "千元", "百万元": a unit, not an amount
    before = m.string[max(0, m.start() - 1):m.start()]
    if len(whole) == 1 and re.match(r"[\u4e00-\u9fff]", before):
        return m.group(0)  # "统一元首": one numeral inside a word is no amount
    n = words_to_number(whole)
    if n is None:
        return m.group(0)
    unit = {"億元": "亿元", "萬元": "万元", "亿": "亿元", "億": "亿元"}.get(unit, unit)
    digits = "".join(str(_DIGIT[c]) for c in frac) if frac else ""
    value = Decimal(n)
    if unit == "元" and whole[-1] in "亿億":
        value, unit = value / Decimal(10 ** 8), "亿元"  # 三千二百五十亿元
    elif unit == "元" and whole[-1] in "万萬":
        value, unit = value / Decimal(10 ** 4), "万元"  # 五亿二千九百万元
    return _fmt(value) + ("." + digits if digits else "") + unit


def _word_percent(m: re.Match[str]) -> str:
    n = words_to_number(m.group(1))
    if n is None:
        return m.group(0)
    frac = "".join(str(_DIGIT[c]) for c in m.group(2)) if m.group(2) else ""
    return f"{n}{'.' + frac if frac else ''}%"


def _year_digits(text: str) -> str:
    return "".join(str(_DIGIT.get(c, 0)) for c in text)


def _mixed(m: re.Match[str]) -> str:
    yi, wan, rest, unit = m.group(1), m.group(2), m.group(3), m.group(4)
    if sum(1 for x in (yi, wan, rest) if x) < 2:
        return m.group(0)  # one figure with its unit ("3250亿元") is already plain
    def num(x: str | None) -> int:
        return int(x.replace(",", "")) if x else 0
    if unit in ("元",):
        total = num(yi) * 10 ** 8 + num(wan) * 10 ** 4 + num(rest)
        return f"{total}元"
    if unit in ("萬元", "万元") and not rest:
        return f"{num(yi) * 10 ** 4 + num(wan)}万元"
    if unit in ("萬元", "万元") and yi and not wan:
        return f"{num(yi) * 10 ** 4 + num(rest)}万元"
    return m.group(0)


def close_cut_wan(line: str, next_line: str | None) -> str:
    """A line ending in "1523.26万" whose 元 is not on the next line (the page was cut there):
    the amount in 万元.

    Args:
        line: one line.
        next_line: the line after it (None at the end of the text).
    """
    if next_line is not None and not _HEADING_START.match(next_line.strip()):
        return line  # 万 / 元 wrapped over two lines, or 万条 / 万人 (a count)
    return _BARE_WAN.sub(lambda m: f"{m.group(1)}万元", line)


# Whether a line may hold a word numeral / a figure before 億 or 萬 (compiled once: rewrite
# runs on every line of every document).
_ANY_NUMERAL = re.compile(_NUMERAL)
_FIGURE_BEFORE_UNIT = re.compile(r"\d\s*[億亿萬万]")


@lru_cache(maxsize=65536)
def rewrite(line: str) -> str:
    """The line with word numerals, mixed 億/萬 amounts and bare 億 as Arabic figures.

    Memoised: a pure function of the line, and headers, table labels and set phrases recur
    from document to document (一 of 一般公共预算 alone sends most lines through the word
    numeral rewrites).

    Args:
        line: one line of text.
    """
    if not line:
        return line
    t = line
    if _ANY_NUMERAL.search(t):
        t = _WORD_YEAR.sub(lambda m: _year_digits(m.group(1)), t)
        t = _WORD_YEAR_TAIL.sub(lambda m: _year_digits(m.group(1)), t)
        t = _WORD_PERCENT.sub(_word_percent, t)
        t = _WORD_AMOUNT.sub(_word_amount, t)
    if _FIGURE_BEFORE_UNIT.search(t):
        t = _MIXED.sub(_mixed, t)
        t = _BARE_YI.sub(lambda m: f"{m.group(1)}亿元", t)
    return t
