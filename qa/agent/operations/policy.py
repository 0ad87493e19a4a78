"""The policy operation: performance indicators (绩效指标) and their targets."""

from __future__ import annotations

import re

from qa.agent.context import DocData
from qa.agent.excerpts import block, lines_matching
from qa.agent.matching import _project_rows, to_half
from qa.agent.operations.rationale import retrieve_sentences
from qa.agent.outcome import Outcome, doc_label, doc_label_en, not_found
from qa.agent.understand import Query
from qa.tools.facts import norm_label
from qa.types import Citation, ToolResult

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
