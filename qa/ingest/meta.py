"""Document-level metadata: publishing department, budget year, kind and default unit.

Pure functions over the text lines. Each field is read from the strongest evidence the text
offers, and says where it came from and how sure it is:

department
    1. a label line: 编制部门 / 编制单位 / 预算主管部门 / 预算单位 / 部门名称 / 单位名称 / 部门：
       (the most frequent value that is an organisation name);
    2. the title block (the short lines before 目录 or the first heading, which PDF text
       extraction often breaks: "2018 年度江苏省高级" + "人民法院预算公开");
    3. headings (第一部分 X概况, 第二部分 X 2018 年度预算表, 一、2018 年度X收支预算总表);
    4. the place a title starts with, for a city-wide release or a news report;
    5. the organisation name the text mentions most often (qa.text.orgnames);
    6. the file name.
year and kind
    the title block, then headings and table titles, then the first lines, then the file name.

A value is taken only when it reads as what it is: a department is an organisation name (not
a sentence, a breadcrumb, a header row or a heading), see qa.text.orgnames.is_org_name.
"""

from __future__ import annotations

import re
from functools import lru_cache
from collections import Counter
from dataclasses import dataclass, field
from pathlib import PurePath

from qa.text.normalize import normalize_unit, to_halfwidth
from qa.text.orgnames import (canonical, is_full_name, is_org_name, longest_name_prefix, most_frequent_name, names_in_text,
                              own_mentions, squash)

KINDS = ("预算", "决算")

_YEAR = re.compile(r"((?:19|20)\d{2})\s*(?:[/／至\-－]\s*(?:19|20)?\d{2,4}\s*)?年\s*度?")
# a table's header cell on a line of its own (a page saved one cell a line) ends the title
_HEADER_CELL = re.compile(r"(?:项目|項目|科目|科目名称|项目名称|項目名稱|合计|合計|总计|總計)")
# words naming both kinds ("预决算", "预算/决算", "财政预算、决算"): a category, not the page's kind
_BOTH_KINDS = re.compile(r"预决算|预算\s*[/、和与及]\s*决算")
_TITLE_END = re.compile(r"(?:情况说明|公开说明|说明|公开|报告)$")
# "单位：万元" above a table is no title
_UNIT_LINE = re.compile(r"^(?:金额)?[单單]位\s*[:：]\s*(?:亿|億|万|萬|千)?元\s*$")
_SEPARATORS_ONLY = re.compile(r"[\s|｜¦]+")
_YEAR_DIGITS = re.compile(r"(?<![0-9A-Za-z])((?:19|20)\d{2})(?![0-9A-Za-z])")

# Label lines. "部 门:" is how some table covers space the label.
_LABEL = re.compile(
    r"(?:^|(?<=[\s\t表]))(编制(?:部门|单位)(?:[（(]单位[)）])?|预算主管部门|主管部门|预算单位|部门名称|单位名称|"
    r"填报单位|报送单位|部门|单位)\s*[:：]\s*"
)
_LABEL_END = re.compile(r"\t|\s{2,}|\u3000|(?:金额)?单位\s*[:：]|部门编码|单位编码|编码\s*[:：]")
# A page's publisher field, in a metadata grid as often as after a colon ("发布机构 | 昌宁县卡斯镇 |")
_PUBLISHER = re.compile(r"(?:发布机构|发布单位|发文机关|发文单位|信息来源|来源单位)\s*[:：|｜\t]\s*([^|｜\t]{2,40})")

# The title block ends at the table of contents, a heading, a table row or a sentence.
_BLOCK_STOP = re.compile(r"^(?:目\s*录|第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+\s*[、.．]|[(（][一二三四五六七八九十]+[)）]|表\s*\d)")
_PAGE_NO = re.compile(r"^[-—–\s]*\d{1,3}[-—–\s]*$")
_DATE_LINE = re.compile(
    r"^(?:(?:更新|发布|公开|印发|信息)?(?:时间|日期)\s*[:：].*|(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?|"
    r"(?:19|20)\d{2}[-/.]\d{1,2}[-/.]\d{1,2}.*)$")
_BREADCRUMB = re.compile(r"(您当前的位置|您现在的位置|当前位置|您的位置|所在位置|首页\s*[>›»/|]|网站首页|^首页$|\|.*\||"
                         r"跳到主要内容|跳转到主要内容|跳过导航|无障碍浏览|返回顶部)")
_CRUMB_SEP = re.compile(r"\s*[>›»]\s*")
_SENTENCE = re.compile(r"[，。；！？,;]")

# "<org>(年度)(区级)(部门|单位)(预算|决算|概况|收支…)": the name in a title or a heading.
_NAME_BEFORE = re.compile(
    r"^(?:关于)?(.+?)(?:年度?|度)?(?:(?:省|市|区|县|州)?级)?(?:部门|单位)?(?:（单位）|\(单位\))?[“\"]?"
    r"(?:概况|预算|决算|收支|收入|支出|财政拨款|一般公共预算|政府性基金|国有资本|“三公”|\"三公\"|三公|政府采购|机关运行"
    # a performance report of a body's projects or whole spending ("…第四中学专项资金绩效自评价报告")
    r"|专项资金|项目资金|项目支出|整体支出|部门整体|绩效自评|绩效评价)"
)
# A place at the head of a title ("南川市2024年市级部门预算集中公开"): the publisher of a
# news report or a government-wide release that has no 编制部门.
_REGION_HEAD = re.compile(
    r"^(?:关于)?(?:(?:19|20)\d{2}年度?)?(?!关于|[我本该全各])([\u4e00-\u9fff]{1,15}?(?:特别行政区|自治区|自治州|自治县|省|市|州|地区|盟|县|旗|区|镇|乡))"
    r"(?=(?:19|20)\d{2}年|(?:省|市|州|县|区|乡|镇)?(?:本级|级)|部门|预算|决算)")

# "2021年区本级一般公共预算", "2014/15年度财政预算": a year followed by what it budgets; a year
# after 与/比/较 ("与2020年预算基本持平") is the one compared with, not the one covered.
_BUDGET_YEAR = re.compile(
    r"((?:19|20)\d{2})(?:[/／]\d{2,4})?年度?(?:(?:全|本)?(?:省|市|区|县|州|旗)?(?:本级|级)?)"
    r"(?:部门|单位|预算|决算|（单位）|\(单位\)|年初|收支|一般公共|政府采购|政府性基金|财政拨款|财政预算|“三公”|\"三公\"|三公)")
_FINAL_STATED = re.compile(r"(?:支出)?决算(?:数|总额)?为\s*\d|实际支出[^。；]{0,12}决算|决算支出\s*\d"
                           r"|万元\s*[,，]\s*比年初预算(?:数)?(?:增加|减少)")  # only what was spent is set against its budget
_YEAR_AFTER_COMPARATOR = re.compile(r"(?:与|比|较|同|至|到)\s*$")

# How sure each source makes a value (0..1).
CONFIDENCE = {
    "label": 0.95, "title": 0.9, "heading": 0.85, "heading-once": 0.75, "publisher": 0.7, "region": 0.6,
    "text": 0.55, "text-once": 0.3, "table-title": 0.8, "title-line": 0.75, "first-lines": 0.5, "counts": 0.5,
    "file-name": 0.3, "text-relative": 0.25, "user": 1.0, "none": 0.0,
}
SOURCE_NAMES = {
    "label": "label line", "publisher": "publisher field", "title": "title", "heading": "headings", "heading-once": "a heading",
    "region": "place in title", "text": "frequent name", "text-once": "one mention",
    "table-title": "table titles", "title-line": "title line", "first-lines": "first lines",
    "counts": "word counts", "file-name": "file name", "text-relative": "frequent short name", "user": "set by user", "none": "not found",
}


@dataclass(frozen=True)
class Meta:
    """What read_metadata finds.

    Attributes:
        department: publishing department, full name ("" when not found).
        year: budget year covered (None when not found).
        kind: "预算", "决算" or "其他".
        unit: default money unit of the tables ("万元" unless the tables say otherwise).
        title: the document's title line ("" when none stands out).
        confidence: per field ("department", "year", "kind") how sure the reading is, 0..1.
        sources: per field which evidence gave it (a key of SOURCE_NAMES).
    """

    department: str
    year: int | None
    kind: str
    unit: str
    title: str
    confidence: dict[str, float] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)

    @property
    def overall(self) -> float:
        """The least sure of department, year and kind."""
        vals = [self.confidence.get(k, 0.0) for k in ("department", "year", "kind")]
        return round(min(vals), 2) if vals else 0.0

    def describe(self) -> str:
        """Where each field came from: "department: title (0.90); year: title (0.90); …"."""
        parts = []
        for k in ("department", "year", "kind"):
            src = self.sources.get(k, "none")
            parts.append(f"{k}: {SOURCE_NAMES.get(src, src)} ({self.confidence.get(k, 0.0):.2f})")
        return "; ".join(parts)


_DESCRIBED = re.compile(r"(department|year|kind): (.+?) \((\d+(?:\.\d+)?)\)")
FIELDS = ("department", "year", "kind")


def parse_description(text: str) -> dict[str, tuple[str, float]]:
    """Read back what Meta.describe wrote: {field: (source text, confidence)}.

    Args:
        text: a Document.meta_source string.
    """
    return {m.group(1): (m.group(2), float(m.group(3))) for m in _DESCRIBED.finditer(text or "")}


def user_fields(meta_source: str) -> set[str]:
    """The fields of a Document.meta_source the user set (qa ingest --year, qa docs set)."""
    return {k for k, (src, _) in parse_description(meta_source).items() if src == SOURCE_NAMES["user"]}


def with_user_fields(meta_source: str, fields: set[str] | list[str]) -> tuple[str, float]:
    """A Document.meta_source and confidence after the user set some fields.

    Args:
        meta_source: the document's current meta_source ("" when not recorded).
        fields: the fields the user set.

    Returns:
        (new meta_source, new overall confidence).
    """
    known = parse_description(meta_source)
    parts, confs = [], []
    for k in FIELDS:
        src, conf = (SOURCE_NAMES["user"], 1.0) if k in fields else known.get(k, (SOURCE_NAMES["none"], 0.0))
        parts.append(f"{k}: {src} ({conf:.2f})")
        confs.append(conf)
    return "; ".join(parts), round(min(confs), 2)


# --- department -----------------------------------------------------------------------------------
def _label_value(rest: str) -> str:
    """The organisation name at the start of what follows a label ("" when it is no name)."""
    m = _LABEL_END.search(rest)
    value = rest[:m.start()] if m else rest
    value = canonical(value)
    if is_org_name(value, label=True):
        return value
    return canonical(longest_name_prefix(value, label=True))


def _label_text(line: str) -> str:
    t = to_halfwidth(line).replace("：", ":")
    t = re.sub(r"部\s+门(?=\s*:)", "部门", t)
    return re.sub(r"单\s+位(?=\s*:)", "单位", t)


def publishers(lines: list[str]) -> list[str]:
    """Organisation names a page's publisher field gives (信息来源：X, 发布机构 | X), in order:
    the site that put the page up, which is the department only when nothing names it."""
    found = []
    for line in lines:
        for m in _PUBLISHER.finditer(to_halfwidth(line)):
            value = _label_value(m.group(1).strip())
            if value:
                found.append(value)
    return found


def departments_from_labels(lines: list[str]) -> list[str]:
    """Organisation names printed after a label (编制部门：X, 预算单位：X, 部门：X …), in order.

    Args:
        lines: text lines.
    """
    found = []
    for line in lines:
        if "：" not in line and ":" not in line:
            continue
        t = _label_text(line)
        for m in _LABEL.finditer(t):
            value = _label_value(t[m.end():])
            if value:
                found.append(value)
    return found


def _is_noise(t: str) -> bool:
    return bool(_PAGE_NO.match(t) or _DATE_LINE.match(t) or _BREADCRUMB.search(t) or _UNIT_LINE.match(t))


def title_block(lines: list[str]) -> list[str]:
    """The short lines at the top that make up the title (broken over lines by PDF extraction).

    Page numbers, dates, breadcrumbs and blank lines are skipped; the block ends at 目录, a
    heading, a table row, a label line (编制部门：…), a sentence, or after five lines.

    Args:
        lines: text lines.
    """
    block: list[str] = []
    for line in lines[:40]:
        t = re.sub(r"\s+", " ", to_halfwidth(line)).strip()
        if not t or _is_noise(t):
            continue
        if (_BLOCK_STOP.match(t) or "\t" in line or _SENTENCE.search(t) or _HEADER_CELL.fullmatch(squash(t)) or _LABEL.search(_label_text(t))
                or len(squash(t)) > 40 or not re.search(r"[\u4e00-\u9fff\d]", t) or re.search(r"[A-Za-z]{3}", t)):
            break
        block.append(t)
        if len(block) >= 5:
            break
    if not block or len(squash("".join(block))) > 80:
        return []
    return block


_SECTION_PREFIX = re.compile(r"^(?:第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+[、.．]|[(（][一二三四五六七八九十]+[)）])")
_YEAR_WORD_START = re.compile(r"^年?度?")
_YEAR_WORD_END = re.compile(r"年度?$")


@lru_cache(maxsize=65536)
def _name_in_title(text: str) -> str:
    """The organisation a title or heading names ("" when none).

    Memoised (a pure function of the text): the heading scan asks it of every short line of
    a document's first 800, and table labels recur within and across documents."""
    if "|" in text or "\t" in text:
        # a page's field row ("标题 | …2024年单位预算情况说明 |"): the name is in a cell, never
        # the field's label
        return next((n for cell in re.split(r"[|\t]", text) if cell.strip() and (n := _name_in_title(cell))), "")
    t = squash(text)
    t = _CRUMB_SEP.split(t)[-1]  # a breadcrumb's last crumb
    t = _SECTION_PREFIX.sub("", t)
    # (a year said inside the name goes with its 年: "雷州市2018年龙门镇人民政府…")
    t = _YEAR_WORD_START.sub("", _YEAR_DIGITS.sub("", re.sub(r"(?<=[\u4e00-\u9fff])(?:19|20)\d{2}\s*年度?(?=[\u4e00-\u9fff])", "", t)))
    m = _NAME_BEFORE.match(t)
    if not m:
        return ""
    cand = canonical(_YEAR_WORD_END.sub("", m.group(1)))
    return cand if is_org_name(cand) else ""


def _department_from_headings(lines: list[str]) -> tuple[str, int]:
    counts: Counter[str] = Counter()
    for line in lines[:800]:
        t = squash(line)
        if not t or len(t) > 60 or _SENTENCE.search(t):
            continue
        name = _name_in_title(line if re.search(r"[|\t]", line) else t)
        if name:
            counts[name] += 1
    if not counts:
        return "", 0
    return counts.most_common(1)[0]


def _region_from_title(lines: list[str]) -> str:
    """The place a title starts with, for documents that name no department."""
    for line in lines[:20]:
        t = squash(line)
        if not t or len(t) > 60 or not re.search(r"(预算|决算)", t) or _BREADCRUMB.search(t):
            continue
        m = _REGION_HEAD.match(t)
        if m:
            return m.group(1)
    return ""


# A place whose whole budget a page reports, named in its first sentences: "衢江区2016年一般公共
# 预算…", "2017年渝中区一般公共预算…", "经井研县财政局汇总" (the finance bureau compiles the place's
# figures).
_PLACE = r"((?![全本各我该市区县省州度])[\u4e00-\u9fff]{2,6}?(?:自治区|自治县|自治州|省|区|县|市|州|旗|镇|乡|街道))"
_PLACE_IN_TEXT = (
    # ("现将焦石镇2020年度…公布如下": the place a notice announces its figures for)
    re.compile(r"(?:^|[,，。:：;；的])(?:现将|现就|特将|将)?" + _PLACE + r"(?=(?:本级)?(?:19|20)\d{2}年)"),
    re.compile(r"(?:19|20)\d{2}年度?" + _PLACE +
               r"(?=一般公共|本级|部门|(?:区|县|市)级|“三公”|\"三公\"|三公|财政|行政单位|各部门|预算|决算)"),
    re.compile(r"经" + _PLACE + r"财政局汇总"),
)


def _region_from_text(lines: list[str]) -> str:
    """The place the first sentences report on, for a page that names no department."""
    for line in lines[:8]:
        t = squash(line)
        if not re.search(r"(预算|决算|三公)", t) or _BREADCRUMB.search(t):
            continue
        for rx in _PLACE_IN_TEXT:
            m = rx.search(t)
            if m and not _NOT_PLACE.search(m.group(1)):
                return m.group(1)
    return ""


_NOT_PLACE = re.compile(r"(?:按照|根据|关于|推进|工作|政府|部门|单位|经费|预算|决算|汇总|年)")


def _stem(name: str) -> str:
    return PurePath(name).stem if name else ""


def _department_from_file_name(name: str) -> str:
    stem = squash(_stem(name))
    if not re.search(r"[\u4e00-\u9fff]", stem):
        return ""
    stem = re.sub(r"^[^\u4e00-\u9fff]+", "", stem)
    return _name_in_title(stem) or canonical(longest_name_prefix(_YEAR_DIGITS.sub("", stem)))


def department_candidates(name: str, lines: list[str], block: list[str] | None = None) -> list[tuple[str, str]]:
    """Every reading of the department, strongest source first, as (name, source).

    Sources (keys of CONFIDENCE): label, title, heading / heading-once, region, text,
    file-name, text-once. A source that finds nothing is left out.

    Args:
        name: file name.
        lines: text lines.
        block: the title block (computed when None).
    """
    block = title_block(lines) if block is None else block
    out: list[tuple[str, str]] = []
    labels = departments_from_labels(lines)
    if labels:
        out.append((Counter(labels).most_common(1)[0][0], "label"))
    in_title = _name_in_title("".join(block)) if block else ""
    if in_title:
        out.append((in_title, "title"))
    heading, n = _department_from_headings(lines)
    if heading:
        out.append((heading, "heading" if n >= 2 else "heading-once"))
    published = publishers(lines)
    if published:
        out.append((Counter(published).most_common(1)[0][0], "publisher"))
    region = _region_from_title(lines) or _region_from_text(lines)
    if region:
        out.append((region, "region"))
    frequent, n = most_frequent_name(lines)
    if frequent and n >= 2:
        out.append((frequent, "text"))
    from_name = _department_from_file_name(name)
    if from_name:
        out.append((from_name, "file-name"))
    own = own_mentions(lines)
    if not frequent:
        # every body named once (a street office and the sections it lists as 内设): the one the
        # text speaks of as its subject, when only one is
        subjects = [x for x in own if is_full_name(x)]
        if len(subjects) == 1:
            frequent, n = subjects[0], 1
    if frequent and n == 1 and frequent in own:
        # a single mention counts only when the text names no other body and speaks of it as
        # the subject of its figures ("X下设…", "X2024年部门预算"), not in passing
        out.append((frequent, "text-once"))
    if not out:
        # nothing names the body in full: the organisation the text speaks of most, when it
        # is named as the place's own ("县文化广电旅游局" three times), is better than the file name
        relative = [(n, c) for n, c in names_in_text(lines).most_common(2) if c >= 2]
        if relative and (len(relative) == 1 or relative[0][1] > relative[1][1]):
            out.append((relative[0][0], "text-relative"))
    return out


def _same_body(a: str, b: str) -> bool:
    return bool(a and b) and (a == b or a.endswith(b) or b.endswith(a))


def read_department(name: str, lines: list[str], block: list[str] | None = None) -> tuple[str, str, float]:
    """The publishing department, the source it came from and how sure it is.

    The strongest source wins; each other source that names the same body (or a short form
    of it) adds 0.04 to the source's confidence.

    Args:
        name: file name (the last resort).
        lines: text lines.
        block: the title block (computed when None).
    """
    cands = department_candidates(name, lines, block)
    if not cands:
        return "", "none", 0.0
    dept, src = cands[0]
    agree = len({s for d, s in cands[1:] if _same_body(d, dept) and s != "region"})
    return dept, src, round(min(0.99, CONFIDENCE[src] + 0.04 * agree), 2)


# --- year -------------------------------------------------------------------------------------------
def _years_in(text: str) -> list[int]:
    t = squash(text)
    t = re.sub(r"(?:19|20)\d{2}年\d{1,2}月(?:\d{1,2}日)?", "", t)  # a date is when, not which year
    return [int(m.group(1)) for m in _YEAR_DIGITS.finditer(t)]


def read_year(name: str, lines: list[str], block: list[str] | None = None) -> tuple[int | None, str]:
    """The budget year covered and the source it came from.

    Args:
        name: file name (the last resort).
        lines: text lines.
        block: the title block (computed when None).
    """
    block = title_block(lines) if block is None else block
    in_block = _years_in("".join(block)) if block else []
    if in_block:
        return Counter(in_block).most_common(1)[0][0], "title"
    counts: Counter[int] = Counter()
    for i, line in enumerate(lines):
        t = squash(line)
        if not re.search(r"(预算|决算)", t):
            continue
        # Headings and titles carry the covered year; body sentences also cite "截至2023年底".
        weight = 3 if (len(t) <= 40 or re.search(r"(部分|公开表|公开说明|预算表|决算表)", t)) else 1
        years = [int(m.group(1)) for m in _BUDGET_YEAR.finditer(t)
                 if not _YEAR_AFTER_COMPARATOR.search(t[max(0, m.start() - 3):m.start()])]
        if years:
            # "2023年预算数 2024年预算数", "2018年…比2017年增加": the line is about its latest year
            counts[max(years)] += weight
        if i > 400 and counts:
            break
    if counts:
        return counts.most_common(1)[0][0], "table-title"
    for line in lines[:50]:
        m = _YEAR.search(to_halfwidth(line))
        if m:
            return int(m.group(1)), "first-lines"
    in_name = _years_in(_stem(name))
    if in_name:
        return in_name[0], "file-name"
    return None, "none"


# --- kind -------------------------------------------------------------------------------------------
def read_kind(name: str, lines: list[str], block: list[str] | None = None) -> tuple[str, str]:
    """"预算", "决算" or "其他", and the source it came from.

    Args:
        name: file name (the last resort).
        lines: text lines.
        block: the title block (computed when None).
    """
    block = title_block(lines) if block is None else block
    b = squash("".join(block))
    if "决算" in b:
        return "决算", "title"
    if "预算" in b:
        return "预算", "title"
    # The title names the kind; 决算 documents also say 预算 a lot (年初预算数, 调整预算).
    for line in lines[:10]:
        t = _BOTH_KINDS.sub("", re.sub(r"\s+", "", line))
        if _is_noise(t):
            continue  # a breadcrumb's 预算/决算 names the site's section, not the page's kind
        if "决算" in t and ("公开" in t or "报告" in t or len(t) <= 40):
            return "决算", "title-line"
        if "预算" in t and ("公开" in t or len(t) <= 40) and "决算" not in t:
            return "预算", "title-line"
    for line in lines[10:40]:
        # a title further down, below a page's list of its metadata ("…2022年部门预算情况说明")
        t = _BOTH_KINDS.sub("", re.sub(r"\s+", "", line))
        if len(t) <= 40 and not _SENTENCE.search(t) and _TITLE_END.search(t):
            if "决算" in t:
                return "决算", "title-line"
            if "预算" in t:
                return "预算", "title-line"
    # Headings and table titles: a 决算 has 收入支出决算总表, 一般公共预算财政拨款支出决算表 …
    n_final = n_budget = 0
    for line in lines[:800]:
        t = squash(line).replace("预决算", "")
        if not t or len(t) > 40 or _SENTENCE.search(t):
            continue
        if "决算" in t:
            n_final += 1
        elif "预算" in t:
            n_budget += 1
    if n_final >= 2 and n_final * 2 >= n_budget:
        return "决算", "table-title"
    if n_budget >= 2 and n_final == 0:
        return "预算", "table-title"
    head = re.sub(r"\s+", "", "".join(lines[:120]))
    n_budget = head.count("预算")
    n_final = head.count("决算")
    if (n_final or "比年初预算" in head) and _FINAL_STATED.search(head):
        # a page that states what was spent ("实际支出…决算为 22.62 万元") reports final accounts
        return "决算", "counts"
    if n_final > n_budget and n_final > 0:
        return "决算", "counts"
    if n_budget > 0:
        return "预算", "counts"
    stem = _stem(name)
    if "决算" in stem:
        return "决算", "file-name"
    if "预算" in stem:
        return "预算", "file-name"
    return "其他", "none"


# --- unit and title ---------------------------------------------------------------------------------
def _title(lines: list[str], block: list[str]) -> str:
    joined = "".join(block)
    if block and re.search(r"(预算|决算)", joined):
        # lines broken inside a name join without a space: "2018 年度江苏省高级" + "人民法院预算公开"
        return re.sub(r"\s+", " ", joined).strip()
    for line in lines[:60]:
        t = line.strip()
        if not t or _is_noise(t) or "\t" in t or _LABEL.search(_label_text(t)) or _BLOCK_STOP.match(t) and "部分" not in t:
            continue
        s = re.sub(r"\s+", "", t)
        if (re.search(r"(预算|决算)", s) and re.search(r"(公开|说明|报告|情况)", s) and len(s) <= 60
                and not _SENTENCE.search(s)):
            return re.sub(r"\s+", " ", t)
    for line in lines[:5]:
        t = re.sub(r"\s+", " ", line).strip()
        if not t or _is_noise(t) or "\t" in line:
            continue
        if _HEADER_CELL.fullmatch(squash(t)):
            break  # the page opens with a table, one cell a line: it has no title
        m = _LABEL.search(_label_text(t))
        if m:
            t = t[:m.start()].strip()  # "收支预算总表 公开表一 部门：X 单位：万元"
        if t and len(squash(t)) <= 40 and not _SENTENCE.search(t) and not (_BLOCK_STOP.match(t) and "部分" not in t):
            return t
        return ""
    return ""


def _unit(lines: list[str]) -> str:
    counts: Counter[str] = Counter()
    for line in lines:
        if "单位" in line:
            u = normalize_unit(line)
            if u:
                counts[u] += 1
    if counts:
        return counts.most_common(1)[0][0]
    # No table unit printed (a news item, a letter): the unit the amounts are written in.
    for line in lines:
        for m in re.finditer(r"\d\s*(亿元|万元|千元|元)", to_halfwidth(line)):
            counts[m.group(1)] += 1
    return counts.most_common(1)[0][0] if counts else "万元"


_HEADER_LINES = 6
_FIELD_LABEL = re.compile(r"^\s*(?:TITLE|Title|title|标题|题目|文章标题)\s*[:：]\s*")
_ADDRESS_LINE = re.compile(r"^\s*(?:URL|Url|url|网址|来源网址|链接)\s*[:：]|^\s*https?://")


def read_metadata(name: str, lines: list[str], overrides: dict | None = None) -> Meta:
    """Read department, year, kind, unit and title from a document's lines.

    Args:
        name: file name (the last resort for department, year and kind; the title when the
            text has none).
        lines: the document's text lines.
        overrides: values the user gave ({"department": …, "year": …, "kind": …}); a value
            that is not None replaces what the text says, with confidence 1.

    Returns:
        Meta with each field from its strongest source (see the module docstring), the
        confidence and source per field, and the most common table unit.
    """
    overrides = {k: v for k, v in (overrides or {}).items() if v is not None}
    # a page saved one table cell a line opens with lines of separators only ("|"): no title,
    # and no line that counts among its first
    lines = [line for line in lines if not _SEPARATORS_ONLY.fullmatch(line)]
    # a saved page's header fields ("TITLE: …", "标题：…", "URL: …"): the title's words, and
    # no address among the first lines
    head = [_FIELD_LABEL.sub("", line) for line in lines[:_HEADER_LINES] if not _ADDRESS_LINE.match(line)]
    lines = head + lines[_HEADER_LINES:]
    block = title_block(lines)
    if "department" in overrides:
        department, dsrc, dconf = str(overrides["department"]).strip(), "user", CONFIDENCE["user"]
    else:
        department, dsrc, dconf = read_department(name, lines, block)
    if "year" in overrides:
        year, ysrc = int(overrides["year"]), "user"
    else:
        year, ysrc = read_year(name, lines, block)
    if "kind" in overrides:
        kind, ksrc = str(overrides["kind"]), "user"
    else:
        kind, ksrc = read_kind(name, lines, block)
    confidence = {
        "department": dconf,
        "year": CONFIDENCE[ysrc],
        "kind": CONFIDENCE[ksrc],
    }
    return Meta(
        department=department,
        year=year,
        kind=kind,
        unit=_unit(lines),
        title=_title(lines, block) or name,
        confidence=confidence,
        sources={"department": dsrc, "year": ysrc, "kind": ksrc},
    )
