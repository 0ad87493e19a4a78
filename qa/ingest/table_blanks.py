"""Blank cells that mean zero in a "三公" table.

The genre prints "—", "-" or nothing for a zero amount. In a 三公经费 table an item with a
blank cell (因公出国（境）费 most often) otherwise gives no fact at all, so "how much for
overseas travel?" finds nothing although the table says: none. A blank is read as 0 only
when the table's own arithmetic confirms it: the column's 合计 equals the sum of the other
items (for the vehicle sub-items: 公务用车购置及运行费 equals the other sub-item). The
zero fact quotes the item's row (or, when items run across, the header naming the item
down to the row of amounts), so the answer can show where the blank is.
"""

from __future__ import annotations

import re
from dataclasses import replace

from qa.text.normalize import to_halfwidth
from qa.ingest.table_layout import Region, cell_text
from qa.types import Fact

_TOL = 0.005
_TOP = ("abroad", "vehicle", "reception")
_SUB = ("purchase", "operation")


def three_role(label: str) -> str:
    """Which standard 三公 item a row label or header cell names ("" for none).

    Args:
        label: a row label or header cell as printed or normalised.
    """
    s = re.sub(r"\s+", "", to_halfwidth(label)).replace("“", "").replace("”", "").replace('"', "")
    s = re.sub(r"^(?:其中|[一二三四五六七八九十]+、|\d+[.、])[:：]?", "", s)
    if re.fullmatch(r"(?:三公经费)?(?:合计|总计)|三公经费", s):
        return "total"
    if "出国" in s and "费" in s or s in ("因公出国(境)", "因公出国"):
        return "abroad"
    if "接待" in s:
        return "reception"
    if "购置及运行" in s or "购置和运行" in s:
        return "vehicle"
    if s.startswith("公务用车购置") or s == "购置费":
        return "purchase"
    if s.startswith("公务用车运行") or s in ("运行费", "运行维护费"):
        return "operation"
    return ""


def _is_blank_row_line(raw: str) -> bool:
    """A row line holding only its label, or its label and dash/blank cells."""
    cells = [c.strip() for c in re.split(r"\t|\s{2,}| (?=[-—–])", raw.strip()) if c.strip()]
    rest = cells[1:]
    return bool(cells) and not re.search(r"\d", cells[0]) and all(re.fullmatch(r"[-—–－]+", c) for c in rest)


def _row_lines(lines: list[str], region: Region) -> dict[str, int]:
    """role -> 0-based line of an items-down row that carries no amount."""
    out: dict[str, int] = {}
    for j in range(region.body_start, region.end):
        raw = lines[j]
        if not raw.strip() or not _is_blank_row_line(raw):
            continue
        label = re.split(r"\t|\s{2,}| (?=[-—–])", raw.strip())[0]
        role = three_role(label)
        if role and role != "total" and role not in out:
            out[role] = j
    return out


def _header_lines(lines: list[str], region: Region, row_line: int) -> dict[str, int]:
    """role -> 0-based header line naming it, for items that run across (one amount row)."""
    out: dict[str, int] = {}
    for j in range(region.body_start, row_line):
        raw = lines[j]
        for cell in (raw.split("\t") if "\t" in raw else cell_text(raw).split()):
            role = three_role(cell)
            if role and role != "total" and role not in out:
                out[role] = j
    return out


def zero_facts(lines: list[str], region: Region, facts: list[Fact], sections: list[str]) -> list[Fact]:
    """Zero-valued facts for standard 三公 items left blank, where the total confirms them.

    Args:
        lines: the document's lines (0-based index = line number - 1).
        region: the 三公 table's region.
        facts: the facts already read from that table.
        sections: section path per line.

    Returns:
        New facts (value 0) to add; empty when nothing is blank or the arithmetic disagrees.
    """
    by_col: dict[str, dict[str, Fact]] = {}
    for f in facts:
        role = three_role(f.label)
        if role:
            by_col.setdefault(f.column, {}).setdefault(role, f)
    if not by_col:
        return []
    down = _row_lines(lines, region)
    out: list[Fact] = []
    for col, roles in by_col.items():
        total = roles.get("total")
        if total is None or total.unit == "%":
            continue
        missing: list[str] = []
        top = [r for r in _TOP if r not in roles]
        present = sum(roles[r].value for r in _TOP if r in roles)
        if top and len(top) < len(_TOP) and abs(total.value - present) < _TOL:
            missing += top
        vehicle = roles.get("vehicle")
        subs = [r for r in _SUB if r not in roles]
        if vehicle is not None and len(subs) == 1:
            other = next(roles[r] for r in _SUB if r in roles)
            if abs(vehicle.value - other.value) < _TOL:
                missing += subs
        if not missing:
            continue
        amount_lines = {f.line for f in roles.values()}
        across = len(amount_lines) == 1
        heads = _header_lines(lines, region, total.line - 1) if across else {}
        for role in missing:
            if across and role in heads:
                start, end = heads[role], total.line - 1
            elif not across and role in down:
                start = end = down[role]
            else:
                continue
            quote = "\n".join(x.strip() for x in lines[start:end + 1] if x.strip())
            label = (label_of(lines[down[role]]) if not across else _header_label(lines[start], role))
            if not label:
                continue
            out.append(replace(total, label=label, code="", value=0.0, norm_value=0.0, line=start + 1,
                               quote=quote, section=sections[start] if start < len(sections) else total.section))
    return out


def label_of(raw: str) -> str:
    from qa.ingest.tables import normalize_label

    return normalize_label(re.split(r"\t|\s{2,}| (?=[-—–])", raw.strip())[0])


def _header_label(raw: str, role: str) -> str:
    from qa.ingest.tables import normalize_label

    cells = re.split(r"\t+|\s{2,}", raw.strip()) if "\t" in raw else raw.split()
    for c in cells:
        if three_role(c) == role:
            label = normalize_label(c)
            return label if label.endswith("费") else label + "费"
    return ""
