"""A project's 资金分配 lines: the prose facts ingest labels "project:item" (办公费 22.78 万元、
咨询费 117.12 万元 … under 项目名称：住房公积金管理服务), found by the project's name."""

from __future__ import annotations

from difflib import SequenceMatcher

from qa.agent.context import DocData
from qa.tools.facts import char_pairs, column_kind, norm_label, states_amount
from qa.types import UNIT_TO_YUAN, Fact


def _lines_by_project(facts: list[Fact]) -> dict[str, list[Fact]]:
    """A document's 资金分配 lines by project, in document order (grouped once per document:
    every share and every lookup inside a scope asks)."""
    by_project: dict[str, list[Fact]] = {}
    for f in facts:
        # (money lines only: a project's 补贴人数 or 补贴标准 is no line its money is split into)
        if f.source == "prose" and ":" in f.label and f.unit in UNIT_TO_YUAN:
            by_project.setdefault(f.label.split(":", 1)[0], []).append(f)
    return by_project


def allocation_items(dd: DocData, metric: str) -> tuple[str, list[Fact]] | None:
    """The 资金分配 lines of the project a metric names ("信息化建设项目的342万都分给了哪些开支"):
    the prose facts labelled "project:item", for the project sharing the longest run (≥ 4
    characters) with the metric."""
    key = norm_label(metric)
    if key.endswith("项目") and len(key) > 4:
        key = key[:-2]  # ("管理服务项目": a project said short, the word 项目 names none of it)
    by_project = dd.derived(("allocation_lines",), lambda: _lines_by_project(dd.facts))
    best, size, shared = None, 2, 0
    pairs = char_pairs(key)
    for p in by_project:
        n = norm_label(p)
        m = SequenceMatcher(None, key, n, autojunk=False).find_longest_match(0, len(key), 0, len(n))
        # (a tie in the longest run goes to the name holding more of the metric's words:
        # "审批系统升级改造" is the 升级改造项目, not the 运营维护项目 of the same system)
        held = len(pairs & char_pairs(n))
        if m.size > size or (m.size == size and best is not None and (
                held > shared or (held == shared and len(n) < len(norm_label(best))))):
            best, size, shared = p, m.size, held
    # most of the project's name, or all of a name said short (宣传费 of 社会保险宣传费)
    if best is None or (size < min(6, len(norm_label(best)) - 1) and not (size == len(key) >= 3)):
        # or its words in order with words left out ("公物仓项目" of 公物仓维护管理项目), or a
        # two-character word of its name, when only one project's name holds them so
        loose = [p for p in by_project if (len(key) >= 4 and in_order(key, norm_label(p)))
                 or (len(key) == 2 and key in norm_label(p))]  # "结转的那65.69万": 上年结转结余
        if len(loose) != 1:
            return None
        best = loose[0]
    rows = list({f.label: f for f in by_project[best]}.values())
    return (best, rows) if len(rows) >= 2 else None


def in_order(key: str, name: str) -> bool:
    """Whether every character of key occurs in name, in key's order, the first three in a run."""
    if key[:3] not in name:
        return False
    it = iter(name[name.find(key[:3]) + 3:])
    return all(ch in it for ch in key[3:])


def project_of_amount(dd: DocData, amounts: tuple[float, ...]) -> str | None:
    """The one project with 资金分配 lines whose own figure the question restates ("612万那个
    项目" → 住房公积金管理服务, 612.00 万元); None when no or several projects have it."""
    if not amounts:
        return None
    by_project = dd.derived(("allocation_lines",), lambda: _lines_by_project(dd.facts))
    keys = {norm_label(p): p for p in by_project}
    hits = {keys[norm_label(f.label)] for f in dd.facts if norm_label(f.label) in keys and states_amount(f, amounts)}
    return next(iter(hits)) if len(hits) == 1 else None


def allocation_item(dd: DocData, scope: str, item: str) -> Fact | None:
    """The 资金分配 line of the project ``scope`` names that ``item`` names ("住房公积金管理服务
    项目里咨询费", "宣传费里抖音托管"): the line whose item name holds most of the item's
    characters (at least three quarters, and all of them for two-character items)."""
    alloc = allocation_items(dd, scope)
    key = norm_label(item)
    if alloc is None or len(key) < 2:
        return None
    best, cover, best_name = None, 0.0, ""
    for f in alloc[1]:
        name = norm_label(f.label.split(":", 1)[1])
        c = sum(1 for ch in key if ch in name) / len(key)
        han = [ch for ch in name if "\u4e00" <= ch <= "\u9fff"]
        if 0.6 <= c < 0.75 and len(key) > 2 and han and sum(ch in key for ch in han) / len(han) >= 0.75:
            c = 0.75  # "系统维修维护" of 维修（护）费: most of the line's name, in more words
        # on a tie the line whose name is nearest the item's (财政拨款, not 非财政拨款)
        if c > cover or (c == cover and best is not None and len(name) < len(best_name)):
            best, cover, best_name = f, c, name
    need = 1.0 if len(key) <= 2 else 0.75
    return best if best is not None and cover >= need else None


def held_in_order(dd: DocData, name: str) -> Fact | None:
    """The one money figure whose label holds the name's characters in order, the first three
    in a run ("金保工程电力网络" of “金保工程”系统运行电力保障、网络线路租用等费用, "95年前生活费" of
    95年以前退休人员生活费); None when no label or several do. A name printed with and without
    its quotes is one label."""
    key = norm_label(name)
    if len(key) < 5:
        return None
    held: dict[str, Fact] = {}
    for f in dd.facts:
        if f.unit in UNIT_TO_YUAN and column_kind(f.column) == "total" and ":" not in f.label \
                and in_order(key, norm_label(f.label)):
            held.setdefault(norm_label(f.label), f)
    return next(iter(held.values())) if len(held) == 1 else None
