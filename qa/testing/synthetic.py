"""Synthetic corpus for scale tests: N distinct documents grown from the shipped corpus.

Document i is template ``i % len(templates)`` with its place renamed (昌吉 → 青原, so
昌吉回族自治州住房公积金管理中心 → 青原回族自治州住房公积金管理中心, 昌吉州 → 青原州, 昌吉管理部 →
青原管理部) and every money figure multiplied by a per-document whole factor ``i + 2``.
Money figures are numbers printed with two decimals or thousands separators (3,394.10),
numbers right before a money unit (42万元, 35.7 万元; not thresholds such as 50万元以上), and
bare table cells whose value the parser read as money on that line (127, 31.5); percentages,
counts, codes, years and table numbers are left alone.
Scaling by one whole factor keeps a document's own arithmetic exact: totals still equal
the sum of their parts, shares and growth rates stay as printed. It also multiplies the
cent-level rounding gaps the originals already have (a total 0.01 off its parts is k cents
off in copy k), so `qa check` finds more of them in the copies than in the originals.
The department's body (住房公积金管理中心) is kept, so the short forms people use (公积金中心,
住建局) still name it; the place makes every department name unique.

Usage: ``python -m qa.testing.synthetic corpus/ OUT_DIR --n 200``.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from qa.ingest.loaders import load
from qa.ingest.meta import read_metadata

# Two lists of characters that make unremarkable two-character place names (none is a
# region suffix such as 州/市/县/区, so the region rules split the names as they split 昌吉).
_FIRST = "青云松柳桐梅兰竹枫槐杉榆桦柏樟楠杏桃梨荷"
_SECOND = "原川岭湾溪泉峰宁林滩坪塘冈源浦坝堡岗屯垣"
_THIRD = "甲乙丙丁戊己庚辛壬癸"

# The place at the head of a department name, without its level (昌吉回族自治州 → 昌吉).
_PLACE = re.compile(r"^([\u4e00-\u9fff]{2,4}?)(?:[\u4e00-\u9fff]{1,4}族)?(?:自治州|自治县|地区|盟|市|州|县|区|旗)")
# A money figure: thousands-separated or two-decimal numbers, or a number before a money unit.
_MONEY = re.compile(
    r"(?<![\d.,A-Za-z])(?:\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+\.\d{2})(?![\d.%％])(?!\s*[%％])"
    r"|(?<![\d.,A-Za-z])\d+(?:\.\d+)?(?=\s*(?:万元|千元|亿元|元))(?!\s*(?:万元|千元|亿元|元)(?:以[上下]|及))"
)


def place_name(i: int) -> str:
    """A unique place name for document i (two characters up to 400, then three)."""
    a, b = _FIRST[i % len(_FIRST)], _SECOND[(i // len(_FIRST)) % len(_SECOND)]
    k = i // (len(_FIRST) * len(_SECOND))
    if k == 0:
        return a + b
    if k > len(_THIRD):
        raise ValueError(f"too many documents for the place-name scheme: {i + 1}")
    return a + b + _THIRD[k - 1]


def factor(i: int) -> Decimal:
    """The money factor of document i: 2, 3, 4, ... A whole number keeps every sum, share and
    growth rate the document prints exact (a factor such as 1.03 rounds 0.01 + 0.57 apart)."""
    return Decimal(i + 2)


def scale_figure(text: str, f: Decimal) -> str:
    """One printed money figure times f, printed the same way (separators, decimals).

    Args:
        text: the figure as printed ("3,394.10", "42").
        f: the factor.
    """
    raw = text.replace(",", "")
    decimals = len(raw.split(".")[1]) if "." in raw else 0
    value = Decimal(raw) * f
    places = max(decimals, 0 if value == value.to_integral_value() else 2)
    q = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    out = f"{q:,.{places}f}" if "," in text else f"{q:.{places}f}"
    return out


_BARE = re.compile(r"(?<![\d.,A-Za-z])\d+(?:\.\d+)?(?![\d.,%％])")
_CJK = re.compile(r"[\u4e00-\u9fff]")
MONEY_UNITS = {"元", "千元", "万元", "亿元"}


def scale_line(line: str, f: Decimal, money_values: set[float] = frozenset()) -> str:
    """Every money figure of a line times f.

    Args:
        line: one text line.
        f: the factor.
        money_values: values the parser read as money on this line; a bare number after the
            line's first label (table cells such as ``127`` or ``31.5``) with one of these
            values is money too. Codes (``205 03 05``) come before the label and stay.
    """
    spans = [m.span() for m in _MONEY.finditer(line)]
    if money_values:
        first = _CJK.search(line)
        taken = {s for s, _ in spans}
        spans += [m.span() for m in _BARE.finditer(line, first.end() if first else 0)
                  if m.start() not in taken and float(m.group(0)) in money_values]
    out, pos = [], 0
    for start, end in sorted(spans):
        out.append(line[pos:start])
        out.append(scale_figure(line[start:end], f))
        pos = end
    out.append(line[pos:])
    return "".join(out)


def scale_text(text: str, f: Decimal, money_values: dict[int, set[float]] | None = None) -> str:
    """Every money figure of a text times f (see scale_line).

    Args:
        text: the document.
        f: the factor.
        money_values: per 1-based line number, the money values parsed there.
    """
    lines = text.split("\n")
    return "\n".join(scale_line(line, f, (money_values or {}).get(i, frozenset()))
                     for i, line in enumerate(lines, start=1))


@dataclass(frozen=True)
class Template:
    """One source document and the place its department is named after."""

    name: str
    text: str
    department: str
    place: str
    money_values: dict[int, set[float]]


@dataclass(frozen=True)
class SyntheticDoc:
    """One generated document.

    Attributes:
        name: file name written.
        template: source file name.
        department: the renamed department (what ingest should find).
        original_department: the template's department.
        place: the new place name; original_place: the one it replaced.
        factor: money factor applied.
    """

    name: str
    template: str
    department: str
    original_department: str
    place: str
    original_place: str
    factor: Decimal


def load_templates(corpus: str | Path) -> list[Template]:
    """The corpus documents that name a department with a place in front, each parsed once
    to learn which bare numbers of its tables are money."""
    from qa.ingest.pipeline import parse_loaded

    out = []
    for path in sorted(Path(corpus).glob("*.txt")):
        loaded = load(path)
        meta = read_metadata(path.name, loaded.text.splitlines())
        m = _PLACE.match(meta.department)
        if not m:
            continue
        money: dict[int, set[float]] = {}
        for fact in parse_loaded(loaded).facts:
            if fact.unit in MONEY_UNITS:
                money.setdefault(fact.line, set()).add(abs(float(fact.value)))
        out.append(Template(path.name, loaded.text, meta.department, m.group(1), money))
    if not out:
        raise ValueError(f"{corpus}: no .txt document names a department with a place")
    return out


def make_corpus(corpus: str | Path, out_dir: str | Path, n: int) -> list[SyntheticDoc]:
    """Write n synthetic documents into out_dir (created) and describe them.

    Args:
        corpus: folder of template .txt documents.
        out_dir: where to write syn_<i>_<template>.txt.
        n: how many documents.
    """
    templates = load_templates(corpus)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    docs = []
    for i in range(n):
        t = templates[i % len(templates)]
        place, f = place_name(i), factor(i)
        if place in t.text:
            raise ValueError(f"place name {place} already occurs in {t.name}")
        text = scale_text(t.text.replace(t.place, place), f, t.money_values)
        name = f"syn_{i:05d}_{Path(t.name).stem[:3]}.txt"
        (out / name).write_text(text, encoding="utf-8")
        docs.append(SyntheticDoc(name, t.name, t.department.replace(t.place, place), t.department,
                                 place, t.place, f))
    return docs


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m qa.testing.synthetic", description=__doc__)
    p.add_argument("corpus")
    p.add_argument("out")
    p.add_argument("--n", type=int, default=20)
    args = p.parse_args(argv)
    for d in make_corpus(args.corpus, args.out, args.n):
        print(f"{d.name}\t{d.department}\t×{d.factor}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
