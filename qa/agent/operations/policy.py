"""The policy operation: performance indicators (绩效指标) and their targets."""

from __future__ import annotations

import re

from qa.agent.context import DocData
from qa.agent.excerpts import block, lines_matching
from qa.agent.matching import project_rows, to_half
from qa.agent.operations.rationale import retrieve_sentences
from qa.agent.outcome import Outcome, doc_label, doc_label_en, not_found
from qa.agent.understand import Program
from qa.tools.facts import norm_label
from qa.types import Citation, ToolResult

_INDICATOR_LINE = r"[＞>＜<≥≤=]|指标"
_CMP_VALUE = re.compile(r"([＞>＜<≥≤]\s*=?|=)\s*(\d+(?:\.\d+)?)\s*(%|％|‰|[\u4e00-\u9fff]{1,3})?")
_INDICATOR_NOISE = re.compile(r"绩效|指标值|指标|目标值|目标|要求|要达到|达到|设定|是什么|多少|的|项目$")


def project_names(dd: DocData) -> set[str]:
    """Normalised project names of a document, also without a leading year and a trailing
    项目 ("2024年征信信息共享接入项目" is asked as 征信信息共享接入)."""
    names: set[str] = set()
    for f in project_rows(dd):
        lab = norm_label(f.label)
        bare = re.sub(r"^20\d\d年度?", "", lab)
        names.update({lab, bare, re.sub(r"项目$", "", bare)})
    return names


def find_indicator(dd: DocData, metric: str, units: tuple[str, ...] = (), strict: bool = False) -> Outcome | None:
    """A performance indicator's target (e.g. 缴存职工满意度 ＞=95%): the line naming the
    indicator (longest common run with the question ≥ 4 characters) and, on it or within
    the next few lines, a comparator with a value. With units (the measure words a count
    asks for, 人/辆), only a target in one of them, by its value or its name's "（人）".
    Strict (a lookup that found no figure and tries the targets): the run must be at least
    half of the question's words, so four shared characters of a long phrase link nothing."""
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
        if m.size < min(4, len(key)) or m.b >= len(here) or (strict and 2 * m.size < len(key)):
            continue
        # the first comparator with a value after the indicator's name, within five lines
        window = [to_half(lines[x].strip()) for x in nonempty[k:k + 5]]
        first = window[0]
        name_at = first.find(key[m.a: m.a + 2]) if key[m.a: m.a + 2] in first else 0
        joined = first[name_at:] + " " + " ".join(window[1:])
        run = key[m.a: m.a + m.size]
        celled = _next_cell_value(lines[i], run)
        cm = celled or _CMP_VALUE.search(joined)
        if cm and units and not _in_units(cm.group(3), joined[:cm.start()] if not celled else run, units):
            cm = None
        if cm and celled:
            j = i  # a table row of cells: the value is in the cell after the name's
        elif cm:
            upto = len(first[name_at:]) + 1
            j = k
            for n, w in enumerate(window[1:], start=1):
                if cm.end() - 1 < upto:
                    break
                upto += len(w) + 1
                j = k + n
            j = nonempty[j]
        if cm:
            score = m.size * 10 - (j - i)
            if anchors:
                before = [a for a in anchors if a <= i]
                if not before or i - before[-1] > 150:
                    continue
                score -= (i - before[-1]) * 0.02
            if best is None or score > best[0]:
                best = (score, i, j, cm, key[m.a: m.a + m.size])
    if best is None:
        return None
    _, i, j, cm, run = best
    key = _cell_name(lines[i], run) or key
    ex = block(lines, i + 1, j + 1, max_lines=6)
    if ex is None:
        return None
    cites = [Citation(dd.document.name, ex.quote, ex.line)]
    head = max((a for a in anchors if a <= i), default=None)
    if head is not None and head < i and lines[head].strip():
        cites.insert(0, Citation(dd.document.name, lines[head].strip(), head + 1))  # whose indicator it is
    unit = (cm.group(3) or "").replace("％", "%")
    said = cm.group(1).replace(" ", "")
    # ("=" only when the target is a plain value: "9条", not "=9条")
    res = ToolResult(value=float(cm.group(2)), unit=unit, note="" if said == "=" else said)
    return Outcome(status="answered", op="indicator", doc=dd, label=key, result=res, excerpts=[ex], citations=cites)


_CELL_VALUE = re.compile(r"^\s*(?:[＞>＜<≥≤]\s*=?|=)?\s*\d+(?:\.\d+)?\s*(?:%|％|‰|[\u4e00-\u9fff]{1,3})?\s*$")


def _next_cell_value(line: str, run: str) -> re.Match[str] | None:
    """In a row of tab-separated cells (名称, 值, 名称, 值 …), the value in the cell right after
    the one naming the indicator ("单位本地设置驻场工程师\t100000元"), read as a comparator
    match ("=" when the cell states none); None when the row has no such cell."""
    if "\t" not in line or not run:
        return None
    cells = line.split("\t")
    for c, cell in enumerate(cells[:-1]):
        if run in norm_label(cell) and _CELL_VALUE.match(cells[c + 1]):
            value = to_half(cells[c + 1].strip())
            return _CMP_VALUE.search(value if re.match(r"[＞>＜<≥≤=]", value) else "=" + value)
    return None


def _in_units(unit: str | None, name: str, units: tuple[str, ...]) -> bool:
    """Whether a target is counted in one of the units: its own unit, or the unit its
    indicator's name gives in brackets ("退休人数（人）" with a bare "=885")."""
    if unit:
        return any(unit.startswith(u) for u in units)
    return any(f"({u})" in to_half(name) for u in units)


# second-level indicator categories (二级指标) and the first-level ones (一级指标) they sit under
_CATEGORY_CORES = ("数量", "质量", "时效", "成本", "效益", "满意度", "可持续影响", "产出")
_OUTPUT_CORES = {"数量", "质量", "时效", "成本"}
_CATEGORY_EN = (("timeliness", "时效"), ("timely", "时效"), ("quantity", "数量"), ("quality", "质量"),
                ("satisfaction", "满意度"), ("cost", "成本"), ("benefit", "效益"), ("output", "产出"))
_CATEGORY_HEAD = re.compile(r"^(?:\S{2,8}\s+)?(?:经济|社会|生态|服务对象)?(数量|质量|时效|成本|效益|满意度|可持续影响|产出)指标")


def asked_category(question: str) -> str:
    """The indicator category a question asks for ("…项目的时效指标" → 时效), "" if none."""
    m = re.search(r"(数量|质量|时效|成本|效益|满意度|可持续影响|产出)指标", question)
    if m:
        return m.group(1)
    low = question.lower()
    if re.search(r"indicator|target|goal", low):
        for en, zh in _CATEGORY_EN:
            if en in low:
                return zh
    return ""


def _category_at(nonempty: list[str], k: int) -> str:
    """The category whose header starts at non-empty line k ("时效指标", or "时效" with
    "指标" on the next line as in wrapped cells), "" if none."""
    s = nonempty[k].strip()
    m = _CATEGORY_HEAD.match(s)
    if m:
        return m.group(1)
    core = re.sub(r"^(?:经济|社会|生态|服务对象)", "", s)
    if core in _CATEGORY_CORES and k + 1 < len(nonempty) and nonempty[k + 1].strip() == "指标":
        return core
    return ""


def find_category(q: Program, dd: DocData) -> Outcome | None:
    """All indicators of one category (e.g. a project's 时效指标): the rows between that
    category's header and the next header, inside the asked project's target table (or the
    first table having the category when no project is named)."""
    cat = asked_category(q.question)
    if not cat:
        return None
    lines = dd.search_lines
    qn = norm_label(q.question)
    names = project_names(dd) | _target_table_projects(lines)
    project = max((p for p in names if len(p) >= 4 and p in qn), key=len, default="")
    if not project:
        from difflib import SequenceMatcher

        # a project named without its place prefix or suffix: the name sharing the most
        # characters (in runs of ≥ 2, one run ≥ 6) with the question stands for it
        scored = []
        for p in names:
            blocks = [b.size for b in SequenceMatcher(None, qn, p, autojunk=False).get_matching_blocks() if b.size >= 2]
            if blocks and max(blocks) >= 6:
                scored.append((sum(blocks), -len(p), p))
        project = max(scored)[2] if scored else ""
    if not project:
        return _category_block(lines, 0, len(lines), cat, "", dd)
    # the project's name appears in the 说明 text too: try every 项目名称 line naming it
    for start, l in enumerate(lines):
        if "项目名称" in l and any(project in norm_label(x) for x in lines[start: start + 4]):
            later = [i for i in range(start + 4, len(lines)) if "项目名称" in lines[i] or "绩效目标表" in lines[i]]
            out = _category_block(lines, start, later[0] if later else len(lines), cat, project, dd)
            if out is not None:
                return out
    return None


def _target_table_projects(lines: list[str]) -> set[str]:
    """Projects named by 项目名称 cells (on the same line, or the next one in one-cell-per-line
    tables): target tables also cover projects that are no budget table row."""
    out: set[str] = set()
    for i, l in enumerate(lines):
        if "项目名称" not in l:
            continue
        rest = re.split(r"项目负责人|\t", l.split("项目名称", 1)[1].lstrip("：: \t"))[0]
        if not rest.strip() and i + 1 < len(lines):
            rest = lines[i + 1]
        name = norm_label(rest)
        if 4 <= len(name) <= 40 and not re.search(r"[\d.,]{4,}|总计|合计", name):
            out.update({name, re.sub(r"项目$", "", name)})
    return out


def _category_block(lines: list[str], start: int, stop: int, cat: str, project: str, dd: DocData) -> Outcome | None:
    """The first block of category cat's indicator rows between lines start and stop."""
    idx = [i for i in range(start, stop) if lines[i].strip()]
    nonempty = [lines[i] for i in idx]
    for k in range(len(nonempty)):
        if _category_at(nonempty, k) != cat:
            continue
        end = len(nonempty)
        for n in range(k + 1, len(nonempty)):
            other = _category_at(nonempty, n)
            if other and not (cat == "产出" and other in _OUTPUT_CORES):
                end = n
                break
        if not any(_CMP_VALUE.search(to_half(x)) for x in nonempty[k:end]):
            continue
        ex = block(lines, idx[k] + 1, idx[end - 1] + 1, max_lines=40)
        if ex is None:
            return None
        cites = [Citation(dd.document.name, ex.quote, ex.line)]
        label = f"{project}{cat}指标" if project else f"{cat}指标"
        return Outcome(status="answered", op="policy", doc=dd, label=label, excerpts=[ex], citations=cites)
    return None


def _cell_name(line: str, run: str) -> str:
    """The indicator's name as the document writes it: the cell of line holding the run the
    question shared with it, cut before its comparator ("预算调整率" for a question that
    said 调整率), "" when no single cell holds the whole run (a wrapped name)."""
    for cell in re.split(r"\t|\s+", to_half(line).strip()):
        name = re.split(r"[<>=≤≥]", cell)[0].strip()
        if run and run in norm_label(name) and len(name) <= 30:
            return name
    return ""


def do_policy(q: Program, dd: DocData, index=None) -> Outcome:
    """Performance indicators (绩效指标): one indicator's target when the question names
    one, else the indicator table of a project or of the department."""
    metric = re.sub(r"项目$|项目(?=\s)|绩效|指标|目标", "", q.metric).strip()
    category = find_category(q, dd)
    one = find_indicator(dd, q.metric)
    if category is not None:
        rest = norm_label(one.label) if one is not None else ""
        for word in [asked_category(q.question), *project_names(dd)]:
            rest = rest.replace(word, "")
        if len(rest) < 3 or re.search(r"哪些|所有|\bindicators\b|\ball\b", q.question, re.I):
            # the question names a category (or asks for all its indicators), not one indicator
            return category
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
