"""Facts and named lists stated in the 说明 text.

Sentences such as "一般公共预算 3,394.10 万元，占 98.10%，比上年预算增加 89.09 万元，增长
2.70%，主要原因是……" become one Fact per figure (amount, share, change, growth rate), all
quoting the sentence verbatim. The scanner walks the clauses of a sentence keeping the
"current subject", because later clauses ("比上年预算增加…", "增长…%") leave it implicit.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from typing import Any

from qa.text.normalize import money_unit, parse_number, to_halfwidth, to_yuan
from qa.ingest.paragraphs import Block, prose_blocks, sentence_spans
from qa.ingest.sections import leaf_title, scan_sections
from qa.types import Document, Enumeration, Fact

log = logging.getLogger(__name__)

_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_MONEY_UNITS = ("亿元", "万元", "千元", "元")
_COUNT_UNITS = ("台(套)", "平方米", "人次", "批次", "人", "辆", "个", "台", "处", "件", "家", "套", "名", "所")
_MENTION_RE = re.compile(
    rf"(?<![\d.])(?<!\d,)(?P<num>{_NUM})\s*(?P<unit>亿元|万元|千元|元|(?:亿|万)(?=\s*(?:[,;:。、)!?]|$))|%|台\(套\)|平方米|人次|批次|人|辆|个|台|处|件|家|套|名|所(?![属需有以谓在得]))?"
)
_BOUND_AFTER_RE = re.compile(rf"\s*(?:以上|以下|以内|/|及\s*(?:(?:{_NUM})\s*(?:亿元|万元|千元|元)?)?\s*(?:以上|以下))")
_PER_RE = re.compile(r"(?:\s*[/／]\s*(?:年|月|日|天|人次|人|辆|次|台|户|个|平方米))+")
_KEY_BEFORE_RE = re.compile(r"([\u4e00-\u9fff]{2,12})\s*:\s*$")
_DELIMS = set(",;:。、!?")
# A year as sentences write it: 2024年, 2014/15年度 (a fiscal year).
_YEAR_TOKEN = r"\d{4}\s*(?:[/／]\s*\d{2,4}\s*)?年"
# "1995年以前退休人员": a year a name is bounded by, never the year a figure is of
_BEFORE_AFTER = r"(?:以前|以后|之前|之后|前|后)"
# News puts the amount before what it is: "涉及约183亿元经营开支", "动用96500万元推行新计划".
_NAMED_AFTER_RE = re.compile(r"\s*([\u4e00-\u9fff]{2,10}?(?:开支|支出|收入|经费|资金))(?=[,;:。及和、]|$)")
_VERB_ONLY_RE = re.compile(r"(?:共|约|合共|共涉及|涉及|动用|预留|需要|需|花费|投入|拨出|耗费|安排)+")
_TREND_TAIL_RE = re.compile(r"(?:微幅|略有|有所|大幅|小幅|明显|持续)?(?:增长|增加|下降|减少|上升|下跌|回落)了?$")
# "公务接待费支出决算比预算无增减变化": the item, then that it did not change against something
_NO_CHANGE_TAIL_RE = re.compile(r"(?:比|较|与)[\u4e00-\u9fff]{0,6}?(?:无增减变化|无增减|无变化|(?:基本)?持平)$")
_TREND_ITEM_RE = re.compile(r"[\u4e00-\u9fff()（）]{2,14}(?:支出|费|经费|收入|开支|费用)")
_DOWN_VERBS = ("减少", "下降", "降低", "减", "下跌", "下滑", "回落", "减收", "减支")
_CHANGE_VERB_RE = re.compile(
    r"(?:(?:同口径|同比口径)?(?:比|较|与)\s*(?:上年|去年|上一年|" + _YEAR_TOKEN + r")(?:度)?(?:的)?(?:年初|修订|调整)?"
    r"(?:预算执行数|预算数?|同期|决算数?|执行数)?(?:相比)?,?|同比"
    r"|(?P<budget>(?:比|较|与)\s*(?:年初|调整|全年)?预算(?:数)?(?:相比)?,?))?\s*各?\s*"
    r"(?P<verb>增加|减少|下降|降低|增长|上升|下跌|上涨|下滑|回落|增收|减收|增支|减支|减|增)了?\s*$"
)
_COMPARED_YEAR_RE = re.compile(r"(?:比|较|与)((?:19|20)\d{2})年")
_COMPARATOR_RE = re.compile(r"(?:比|较|与)\s*(?:上年|去年|上一年|" + _YEAR_TOKEN + ")")
_SHARE_RE = re.compile(r"占(?:比|比重|全部|总)?(?:[\u4e00-\u9fff]{0,12}的)?(?:比例|比重)?为?\s*$")
_REASON_RE = re.compile(r"^(?:主要|其)?(?:增加|减少|增长|下降|变动|变化)?原因")
_REASON_CONTINUE_RE = re.compile(r"^[一二三四五六七八九十]是")
_LEADING_RE = re.compile(
    r"^(?:\d+\s*[、.]|\(\s*[一二三四五六七八九十\d]+\s*\)[.、]?|[一二三四五六七八九十]+[、是]|其中|包括|主要用于|主要包括|"
    r"分别是|分别为|具体为|具体是|即|含|以及|和|及|另|共有|共计|合计为|资金分配情况为|资金分配情况是|录得|惟|加上|主要是)\s*"
)
_SELF_RE = re.compile(r"^(?:我部门|我单位|本部门|本单位|我中心|本中心|我局|本局|该部门|该单位)")
_YEAR_RE = re.compile(r"^(?:(?:截至|截止)?\s*" + _YEAR_TOKEN + r"(?!\s*" + _BEFORE_AFTER + r")(?:度|底|末|初)?|本年度|本年(?!(?:收入|支出)(?!合计|总计))|当年|今年)(?:的)?\s*")
# A year inside a subject ("项目支出2022年预算"), and the 第N款/项/目 markers of a budget bill.
_INNER_YEAR_RE = re.compile(_YEAR_TOKEN + r"度?(?=预算|决算|的|全|本级|[省市区县州]级|$)")
_BILL_MARK_RE = re.compile(r"第\s*\d+\s*[款项目]\s*")
# "医疗卫生方面的经常开支", "教育范畴的经常开支": the field, then the item.
_FIELD_OF_RE = re.compile(r"(?<=[\u4e00-\u9fff])(?:方面|范畴|领域)的?(?=[\u4e00-\u9fff])")
# The year a clause states a figure for: a year token not after a comparator (比2022年),
# not a date (2022年12月31日) and not inside a cited title.
_STATED_YEAR_RE = re.compile(r"(?<![\d/／])(?P<y>(?:19|20)\d{2})(?:\s*[/／]\s*\d{2,4})?\s*年(?:度)?(?!\s*\d{1,2}\s*月|\s*[末底初]|\s*" + _BEFORE_AFTER + ")")
_ITEM_MARK_RE = re.compile(r"\s*(?:\d+\s*[.．、]|[（(]\s*[\d一二三四五六七八九十]+\s*[)）][.、]?|[一二三四五六七八九十]+、)\s*")
_REASON_WORDS_RE = re.compile(r"主要|原因|由于|因为|为了|根据|按照|依据|随着|开展|实施")
_YEAR_COMPARATOR_RE = re.compile(r"(?:比|较|与|同|相比|对比|至|到|截至|截止|从|自)\s*$")
_ORG_RE = re.compile(
    r"^[\u4e00-\u9fff]{1,10}?(?:省|市|州|县|区|自治州|自治区|旗|盟)[\u4e00-\u9fff]{0,24}?"
    r"(?:管理局|局|中心|委员会|办公室|厅|院|站|大队|支队)(?:本级|机关)?(?:及下属各预算单位)?"
)
_TRAILING_RE = re.compile(
    r"(?:预计为|预计|录得|高达|攀升至|升至|增至|降至|涉及开支|"
    r"年初预算数为|年初预算为|预算数为|预算数是|预算数|预算为|预算安排为|安排为|总额为|金额为|决算数为|决算为|决算数|"
    r"实际支出|均为|为|是|达到|达|约|各|共有|共|均|的)$"
)
# "全市一般公共预算支出", "本级“三公”经费", "市本级…": the scope is the document's, not the item's.
_SCOPE_RE = re.compile(r"^(?:全(?:省|市|州|县|区|旗|年)|(?:省|市|州|县|区)(?:级|本级)|本级|部门(?=[^收支]*费))(?=[\u4e00-\u9fff])")
# (全年 says when, "全年一般公共预算总收入完成255亿元": the item is 一般公共预算总收入)
# "公务接待费支出决算", "因公出国(境)费预算": the item is the 费, the rest says which column.
_ITEM_TAIL_RE = re.compile(r"(?<=费)(?:支出)?(?:预算|决算)(?:数)?$|(?<=费)支出$")
_SANGONG_ITEM_RE = re.compile(r"三公|因公出国|公务接待|公务用车")
# News: "一般公共预算支出完成 356.8 亿元".
_DONE_RE = re.compile(r"(?:完成|实现|累计完成)$")
_COLUMN_CUES = (
    (re.compile(r"年初预算(?:数)?为?$"), "年初预算数"),
    (re.compile(r"(?:调整|全年)预算(?:数)?为?$"), "全年预算数"),
    (re.compile(r"决算(?:支出)?(?:数)?为?$|实际支出(?:数)?为?$|执行数为?$|实际执行$"), "决算数"),
    # 决算 pages state the budget too: "“三公”经费预算数为 45.6 万元，实际支出决算数为 38.9 万元".
    (re.compile(r"预算数为?$|(?<!公共)(?<!基金)(?<!经营)预算为$"), "预算数"),
)
# "与上年持平", "与2022年预算持平", "同比持平": a change of zero for the clause's subject.
_LEVEL_RE = re.compile(
    r"(?:(?:同口径)?(?:比|较|与)\s*(?:上年|去年|上一年|" + _YEAR_TOKEN + r")(?:度)?(?:年初)?(?:预算数?|同期|决算数?)?(?:相比)?|同比)\s*(?:基本)?持平"
)
_LEVEL_LEAD_RE = re.compile(r"^(?:" + _LEVEL_RE.pattern + r")[,;]?")
_AMOUNT_COLUMNS = ("预算数", "决算数", "年初预算数", "全年预算数", "数量", "面积", "价值")
# A sentence or clause that starts with its comparison has no subject of its own.
_COMPARISON_START_RE = re.compile(r"^(?:同口径|同比口径)?(?:比|较|与|同比)")
_NO_SUBJECT_START_RE = re.compile(r"^(?:(?:同口径|同比口径)?(?:比|较|与|同比)|完成|决算数|预算数|执行数|占)")
# Words that end a reason: the next top-level item of an enumeration ("三、…"; a reason's own
# breakdown "具体为：（1）…" stays inside it), or an item of the 三公
# restated with its amount ("…主要原因是严控“三公”经费，公务用车购置费0万元").
_ENUM_MARK_RE = re.compile(r"(?:^|[,;。])\s*[一二三四五六七八九十]+、")
# a reason's clause "（一是）住房公积金（预算）（较去年）增加" right before its amount: the
# subject is what the clause begins with after a separator or an ordinal word
_REASON_CHANGE_RE = re.compile(
    r"(?:^|[,;:。、]|[一二三四五六七八九十]是)\s*(?P<subj>[\u4e00-\u9fff()（）“”\"]{3,24}?)\s*"
    r"(?:预算)?\s*(?:较去年|较上年|比上年|比去年|同比)?\s*(?P<verb>增加|减少|增长|下降)了?\s*$")
# what a budget line's name ends in (never "经研究决定减少2万元")
_LINE_NAME_END_RE = re.compile(r"(?:费|费用|经费|支出|资金|补贴|补助|缴费|奖励金|公积金|收入|结转|结余)$")
_REASON_CHANGE_COLUMN = "比上年增减"
_ITEM_RESTATED_RE = re.compile(r"(?:因公出国|公务接待|公务用车)[\u4e00-\u9fff()（）]{0,12}(?:费|经费|费用)(?:预算|决算)?(?:数)?(?:为)?\s*$")
# The three 三公 items named together are the 三公 total.
_THREE_ITEMS = ("因公出国", "公务用车", "公务接待")
_OVER_BUDGET_RE = re.compile(r"(?:决算(?:数)?|实际支出|执行数)?(大于|高于|超过|超出|小于|低于)(?:年初|调整|全年)?预算(?:数)?$")
# "X及Y分别为A和B", "分别减少A、B、C"
_RESPECTIVELY_RE = re.compile(
    r"(?P<subj>[\u4e00-\u9fff()（）、]{0,40}?)分别(?:为|是|达到|达|(?P<verb>增加|减少|增长|下降))了?\s*"
    rf"(?P<list>(?:(?:{_NUM})\s*(?:亿元|万元|千元|元|%|人次|批次|人|辆|个|台|处|件|家|套|名)\s*(?:、|和|及|与|,)\s*)+"
    rf"(?:{_NUM})\s*(?:亿元|万元|千元|元|%|人次|批次|人|辆|个|台|处|件|家|套|名))")
_COMPLETION_RE = re.compile(r"(?:完成(?:了)?|为)(?:年初|全年|调整|年度)?(?:预算)(?:收入|支出)?(?:计划)?(?:数)?的?\s*$"
                            r"|完成(?:了)?(?:年初|全年|调整|年度)?(?:预算)?(?:收入|支出)?(?:计划)?(?:数)?的?\s*$")
# "支出决算为62.07万元，完成全年预算84.82万元的73.2%": the amount after 完成…预算 is the
# subject's budget, the rate after it the subject's completion of that budget.
_COMPLETED_BUDGET_RE = re.compile(r"完成(?:了)?(?P<which>年初|全年|调整|年度)?预算(?:数)?\s*$")
_COMPLETED_OF_RE = re.compile(
    r"完成(?:了)?(?:年初|全年|调整|年度)?预算(?:数)?\s*(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?\s*(?:亿元|万元|千元|元)\s*的\s*$")
# the number a numbered line opens with: (一), 一、, 2.
_LINE_NUMBER = r"\s*(?:\(\s*[一二三四五六七八九十\d]+\s*\)|[一二三四五六七八九十]+、|\d+[.、])\s*"
_DEFINITION_HEAD_RE = re.compile(_LINE_NUMBER + r"(?P<head>[\u4e00-\u9fff]{2,12})\s*:")
_STOPPED_HEAD_RE = re.compile(_LINE_NUMBER + r"(?P<head>[\u4e00-\u9fff()（）]{2,16})\s*。")
# "较2022年决算数688.84万元", "比上年决算数50万元": the figure of the year compared with
_COMPARED_FIGURE_RE = re.compile(r"(?:比|较|与)(?:(?P<y>(?:19|20)\d{2})年度?|上年度?|去年)的?(?P<kind>决算|预算)(?:数)?为?$")
# "比预算数少0.35亿元": 少/多 after a comparison are a change (never 至少, 较少 alone)
_SHORT_CHANGE_RE = re.compile(r"((?:比|较)\s*(?:上年|去年|上一年|" + _YEAR_TOKEN + r"|(?:年初|调整|全年)?预算)[^,;:。]{0,8}?)(少|多)(了)?\s*$")
_GENERIC = {"", "整体", "总体", "预算数", "预算", "年初预算", "本年预算", "预算安排", "金额", "资金", "预算金额", "其中", "合计", "总计", "共计", "预算支出",
            "年初", "按同口径", "同口径", "按可比口径", "可比口径",
            "决算", "支出决算", "决算支出", "决算支出数", "支出决算数", "实际支出数", "调整预算", "全年预算", "当年", "支出", "收入", "实际"}
# the verbs that introduce a body's parts ("中心内设9个部门", "下辖12所完全小学")
_JOINED_COUNT_RE = re.compile(r"\s*[、和及与,]\s*")
_SETS_UP_RE = re.compile(r"(?:内设|下设|下辖|设有|管辖)$")
_BARE_PARTS_RE = re.compile(r"部门|单位|机构")
_COUNT_SUBJECT_RE = re.compile(r"编制|人数|在职|退休|离休|车|设备|房屋|处室|科室|项目|绩效目标|人员|机构|单位|团组|批次|人次|"
                               r"接待|教职工|职工|幼儿|学生|床位|派出|部门|学校|小学|中学|初中|幼儿园|教学点|法庭")
_PERSONS = {"在职": "在职人数", "退休": "退休人数", "离休": "离休人数", "在编": "在编人数"}
_CHAIN_RE = re.compile(r"\((类|款|项)\)")
_STAFF_RE = re.compile(rf"(编制(?:数|人数)?|核定编制)\s*(?:为)?\s*(?P<num>{_NUM})\s*(?P<unit>个|人|名)?")
_ENUM_INTRO_RE = re.compile(
    r"(?:下设|内设|设有|设立|下辖|设)\s*(?P<groups>(?:\d+\s*个\s*[\u4e00-\u9fff]{1,6}?(?:[、,和及与]\s*)?)+)"
    r"[^:。]{0,30}?(?:分别是|分别为|包括|具体为|即|为|有)?\s*:"
)
_ENUM_GROUP_RE = re.compile(r"(\d+)\s*个\s*([\u4e00-\u9fff]{1,6}?)(?=[、,和及与:]|\s|分别|包括|具体|$|即|为|有)")
_ENUM_NAMED_RE = re.compile(
    r"(?P<label>下属(?:预算)?单位|所属(?:预算)?单位|内设机构|内设科室|内设处室|处室|科室)(?:共\s*\d+\s*个)?,?"
    r"(?:分别是|分别为|包括|有)\s*:?"
)
# "X下设办公室、财务室、种子管理组等": a list of the body's units with no count before it
_ENUM_BARE_RE = re.compile(r"(?:下设|内设|设有|(?<=[院站所局校心])设)\s*(?=[\u4e00-\u9fff]{2,12}、)")
_COUNT_AFTER_ITEMS_RE = re.compile(r"(\d+)个([\u4e00-\u9fff]{2,8})$")
_ORG_ITEM_END_RE = re.compile(r"(?:科|室|部|处|中心|队|所|站|局|组|办|股|院|馆|会|厅|委|司|点|团|社|校|库|分局|支队|大队|中队)$")


@dataclass
class _Mention:
    start: int
    end: int
    value: float
    unit: str
    text: str


def _change_verb(pre: str) -> tuple[str, re.Match[str] | None]:
    """The change verb closing a clause head, with 比…少/多 read as 减少/增加; returns the
    head (so rewritten at its end only) and the match."""
    sm = _SHORT_CHANGE_RE.search(pre)
    if sm and not sm.group(1).endswith(("减", "增")):
        pre = pre[:sm.start()] + sm.group(1) + ("减少" if sm.group(2) == "少" else "增加")
    return pre, _CHANGE_VERB_RE.search(pre)


# "2023年4月至2024年3月1995年以前退休人员生活补贴": the period a grant covers opens its name;
# a year inside a name (1995年以前) is part of it, never a stray figure
# Sections of the budget template whose every figure is a part of the one whole they are
# named for (the 上年结转结余 section lists what was carried over, and what it goes to).
_PARTS_SECTIONS = ("上年结转结余",)
_PERIOD_RE = re.compile(r"^(?:(?:19|20)\d{2}年)?\d{1,2}月(?:至|到|-|—|~)(?:(?:19|20)\d{2}年)?\d{1,2}月(?:份)?")
_YEAR_WORDS_RE = re.compile(r"(?:19|20)\d{2}年(?:度|底|末|初|" + _BEFORE_AFTER + ")?")


_ITEM_HEADING_RE = re.compile(r"^\s*(?:[一二三四五六七八九十]+[、.．]|[(（][一二三四五六七八九十\d]+[)）]|\d+[、.．])\s*"
                              r"([\u4e00-\u9fff()（）]{2,12}(?:费|经费|费用|支出|收入))\s*$")


def _item_heading(leaf: str) -> str:
    """"三、公务接待费" above "2016年预算安排8万元": a numbered heading naming one item names
    the figures its paragraph states without a subject."""
    m = _ITEM_HEADING_RE.match(to_halfwidth(leaf or ""))
    return re.sub(r"\s+", "", m.group(1)) if m else ""


def _clean_subject(text: str, department: str) -> str:
    s = re.sub(r"\s+", "", text)
    s = s.replace("“", "").replace("”", "").replace('"', "")
    s = re.sub(r"\((?:类|款|项)\)", "", s)
    for _ in range(4):
        before = s
        s = _PERIOD_RE.sub("", s)
        s = _LEADING_RE.sub("", s)
        if "持平" in s:
            s = _LEVEL_LEAD_RE.sub("", s)  # "…,与上年持平公务接待费…" (a page that lost its comma)
        if department and s.startswith(department):
            s = s[len(department):]
        s = _ORG_RE.sub("", s) if len(s) > 6 else s
        s = _SELF_RE.sub("", s)
        s = _YEAR_RE.sub("", s)
        if s.startswith("去年"):
            s = _LAST_YEAR_RE.sub("", s)
        s = s.lstrip("的,、")
        if s.startswith("(") and ")" not in s:
            s = s[1:]
        s = _SCOPE_RE.sub("", s) if len(s) > 4 else s
        if "第" in s:
            s = _BILL_MARK_RE.sub("", s)
        if "年" in s and len(s) > 6:
            s = _INNER_YEAR_RE.sub("", s)
        if "方面" in s or "范畴" in s or "领域" in s:
            s = _FIELD_OF_RE.sub("", s)
        if s == before:
            break
    for _ in range(3):
        before = s
        s = _TRAILING_RE.sub("", s)
        s = _ITEM_TAIL_RE.sub("", s) if _SANGONG_ITEM_RE.search(s) else s
        s = _DONE_RE.sub("", s) if len(s) > 4 else s
        if s == before:
            break
    return s.replace("、", "") if re.fullmatch(r"[\u4e00-\u9fff]、[\u4e00-\u9fff]+", s) else s


_PUBLIC_CAR_RE = re.compile(r"公车(?!务)")
_BOTH_TOTALS_RE = re.compile(r"(?:收、?)?支总计|收入支出总体|收支总体|收入、支出总计|收入和支出总计")
_LAST_YEAR_RE = re.compile(r"^去年(?=[\u4e00-\u9fff]{2})")


def _canonical(label: str, section_leaf: str) -> str:
    if "三公" in label:
        return "三公经费"
    if "公车" in label:
        label = _PUBLIC_CAR_RE.sub("公务用车", label)  # 公车购置及运行费 is the 公务用车购置及运行费
    if "支" in label and _BOTH_TOTALS_RE.fullmatch(label):
        return "收支总计"
    if re.search(r"运行经费|运转经费", section_leaf) and re.search(r"运行经费|运转经费", label):
        return "机关运行经费"
    m = re.fullmatch(r"政府采购(货物|工程|服务)?(?:预算|预算安排|预算金额)?(?:安排)?", label)
    if m:
        return "政府采购" + (m.group(1) or "")
    m = re.fullmatch(r"(.+?)财政拨款预算", label)
    if m:
        return m.group(1)
    return label


def _in_project(label: str, project: str) -> str:
    """A figure stated in a project's section is that project's line ("project:item")."""
    return f"{project}:{label}" if project and label != project else label


def _mentions(norm: str) -> list[_Mention]:
    out = []
    for m in _MENTION_RE.finditer(norm):
        value = parse_number(m.group("num"))
        if value is None:
            continue
        unit = (m.group("unit") or "").replace("台(套)", "台")
        unit = money_unit(unit)  # "系统对接优化8万；"
        if not unit:
            after = norm[m.end():m.end() + 2]
            before = norm[max(0, m.start() - 1):m.start()]
            # Years, dates and list markers ("2024 年", "1.", "1、") are not figures.
            if re.match(r"\s*(?:年|月|日|号|、|\.|．|\)|-)", after) or before in ("(", "【", "[", "第"):
                continue
        if re.match(r"\s*[/／]\s*\d{2,4}\s*年", norm[m.end():m.end() + 8]):
            continue  # 2014/15年度: a fiscal year, not a figure
        per = _PER_RE.match(norm, m.end()) if unit in _MONEY_UNITS else None
        if per:
            # "补贴标准：120 元/月/人": a standard per person and month, not an amount
            unit += re.sub(r"\s+", "", per.group(0)).replace("／", "/")
            out.append(_Mention(m.start(), per.end(), value, unit, norm[m.start():per.end()]))
            continue
        out.append(_Mention(m.start(), m.end(), value, unit, m.group(0)))
    return out


def _clause_start(norm: str, pos: int, lo: int, masks: list[tuple[int, int]]) -> int:
    i = pos - 1
    while i >= lo:
        if norm[i] in _DELIMS and not any(a <= i < b for a, b in masks):
            # A 、 ends a clause only right after a figure ("办公费 22.78 万元、咨询费…"); between
            # words it joins them into one item ("节能宣传、培训经费 10万元", "收、支总计").
            if norm[i] == "、" and not any(b <= i and not norm[b:i].strip() for a, b in masks):
                i -= 1
                continue
            return i + 1
        i -= 1
    return lo


def _chain(norm: str, lo: int, hi: int) -> tuple[str, list[str]] | None:
    """(label, [类, 款, 项 names]) when a sentence names a functional-classification chain."""
    head = norm[lo:hi]
    marks = list(_CHAIN_RE.finditer(head))
    if not marks:
        return None
    names: list[str] = []
    prev = 0
    for mk in marks:
        name = head[prev:mk.start()]
        name = re.sub(r"^\s*(?:\d+\s*[、.]|\(\s*[一二三四五六七八九十\d]+\s*\))\s*", "", name)
        names.append(re.sub(r"\s+", "", name))
        prev = mk.end()
    return (names[-1] if names else ""), names


# Patterns of build_code_names, compiled once (it reads every line of a document).
_CODE_TOKEN = re.compile(r"\d{2,7}")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_WHITE = re.compile(r"\s+")
_CLASS_NAME = re.compile(r"(?<!\d)(2\d{2})\s+([\u4e00-\u9fff]{2,20}支出)")


def build_code_names(lines: list[str]) -> dict[str, str]:
    """科目编码 -> name, read from table rows printed anywhere in the document."""
    codes: dict[str, str] = {}
    for raw in lines:
        toks = raw.split()
        if not toks:
            continue
        digits: list[str] = []
        k = 0
        while k < len(toks) and _CODE_TOKEN.fullmatch(toks[k]) and len(digits) < 3:
            digits.append(toks[k])
            k += 1
        if digits and k < len(toks) and _HAN.search(toks[k]):
            code = "".join(digits)
            if len(code) in (3, 5, 7) and len(digits[0]) in (3, 5, 7):
                codes.setdefault(code, _WHITE.sub("", to_halfwidth(toks[k])))
        for m in _CLASS_NAME.finditer(raw):
            codes.setdefault(m.group(1), m.group(2))
    # One cell per line ("\t208", "\t05", "\t01", "\t<name>"): read the cells as a stream.
    cells = [ln.strip() for ln in lines if ln.startswith("\t")]
    for k, cell in enumerate(cells):
        if not re.fullmatch(r"\d{3}", cell):
            continue
        digits = [cell]
        j = k + 1
        while j < len(cells) and j <= k + 2 and re.fullmatch(r"\d{2}|", cells[j]):
            if cells[j]:
                digits.append(cells[j])
            j += 1
        if j < len(cells) and re.search(r"[\u4e00-\u9fff]", cells[j]) and not re.search(r"\d", cells[j]):
            codes.setdefault("".join(digits), re.sub(r"\s+", "", to_halfwidth(cells[j])))
    return codes


def _name_match(a: str, b: str) -> bool:
    a, b = a.replace("支出", ""), b.replace("支出", "")
    return bool(a and b) and (a == b or a in b or b in a)


def _pick(pool: list[str], name: str, codes: dict[str, str]) -> list[str]:
    exact = [c for c in pool if codes[c] == name]
    return exact or [c for c in pool if _name_match(name, codes[c])]


def resolve_code(names: list[str], codes: dict[str, str]) -> str:
    """Code of the deepest level of a 类/款/项 chain, or "" when the tables do not name it.

    The deepest name is looked up under the class first (款 names are the least reliably
    printed), then level by level.
    """
    if not names:
        return ""
    classes = _pick([c for c in codes if len(c) == 3], names[0], codes)
    if not classes:
        return ""
    if len(names) == 1:
        return classes[0] if len(classes) == 1 else ""
    width = 3 + 2 * (min(len(names), 3) - 1)
    direct = _pick([c for c in codes if len(c) == width and c[:3] in classes], names[min(len(names), 3) - 1], codes)
    if len(direct) == 1:
        return direct[0]
    candidates = classes
    for depth, name in enumerate(names[1:3], start=1):
        width = 3 + 2 * depth
        nxt = _pick([c for c in codes if len(c) == width and any(c.startswith(p) for p in candidates)], name, codes)
        if not nxt:
            return ""
        candidates = nxt
    return candidates[0] if len(candidates) == 1 else ""


class _Extractor:
    def __init__(self, doc: Document, sections: list[str], codes: dict[str, str]):
        self.doc = doc
        self.sections = sections
        self.codes = codes
        self.department = re.sub(r"\s+", "", doc.department or "")
        self.amount_column = "决算数" if "决算" in (doc.kind or "") else "预算数"
        self.facts: list[Fact] = []
        self._seen: set[tuple] = set()
        self._vs_year: int | None = None  # the other year the sentence's last change was against
        self._vs_budget = False  # the last change clause of the sentence compared with the budget
        self._compared_end = -1  # where the last figure of a compared year ("较2022年决算数X") ends
        self._amounts: list[tuple[int, int, Fact]] = []  # (id of block, position, amount fact)
        self._amount_at: list[tuple[int, int]] = []  # (id of block, position) of every amount read
        self._whole = ""  # the total that the items after 其中 break down
        self._gap = ""  # the text between the previous figure and the one being read
        self._years_of: tuple[int, list[tuple[int, int]]] = (0, [])  # (id of block, its stated years)
        self._last_count: tuple[int, int, str] = (0, -1, "")  # (id of block, end, label) of the last count read
        self._reason_changes: set[int] = set()  # indexes of facts read from reasons (_reason_change)

    def _block_years(self, block: Block) -> list[tuple[int, int]]:
        """(position, year) of every year the paragraph states a figure for, in order: not
        a comparison (比2022年), a date, a year inside a reason or a listed item's name, or
        one inside a cited title. Read once per paragraph."""
        key = id(block)
        if self._years_of[0] == key:
            return self._years_of[1]
        text = block.norm
        out: list[tuple[int, int]] = []
        for ym in _STATED_YEAR_RE.finditer(text):
            if _YEAR_COMPARATOR_RE.search(text[max(0, ym.start() - 4):ym.start()]):
                continue
            clause_at = max(text.rfind(c, 0, ym.start()) for c in ",;:。") + 1
            head = text[clause_at:ym.start()]
            if _REASON_WORDS_RE.search(head):
                continue  # "主要是2016年开展公车改革": a year inside a reason
            if _ITEM_MARK_RE.fullmatch(head):
                continue  # "2．2023年国有企业办…待遇0.08万元": the year names a listed item
            if text.count("《", 0, ym.start()) > text.count("》", 0, ym.start()):
                continue
            out.append((ym.start(), int(ym.group("y"))))
        self._years_of = (key, out)
        return out

    def _stated_year(self, block: Block, start: int, pos: int, line: int) -> int | None:
        """The year the figure at pos is stated for: the last year named before it in its
        paragraph (see _block_years), else its section's."""
        found = None
        for at, year in self._block_years(block):
            if at >= pos:
                break
            found = year
        if found is None and 0 < line <= len(self.sections):
            leaf = leaf_title(self.sections[line - 1])
            for ym in _STATED_YEAR_RE.finditer(leaf):
                if not _YEAR_COMPARATOR_RE.search(leaf[max(0, ym.start() - 4):ym.start()]):
                    found = int(ym.group("y"))
        return found

    def column_for(self, leaf: str) -> str:
        """The column an amount is in by default: the document's, unless the section says
        otherwise (a 预算 page's "二、2021年“三公”经费决算情况" holds 决算数)."""
        if self.amount_column == "预算数" and "决算" in leaf:
            return "决算数"
        if self.amount_column == "决算数" and re.search(r"预算(?:安排)?情况", leaf) and "决算" not in leaf:
            return "预算数"
        return self.amount_column

    def add(self, block: Block, pos: int, quote_span: tuple[int, int], label: str, column: str,
            value: float, unit: str, code: str = "") -> None:
        label = label.strip()
        # (a project's allocation line is "project:item": the item's own name is what is long)
        if not label or len(label.rsplit(":", 1)[-1]) > 40 or len(re.findall(r"[\u4e00-\u9fff]", label)) < 2:
            return
        line = block.line_of[min(pos, len(block.line_of) - 1)]
        year = self._stated_year(block, quote_span[0], pos, line)
        if year and self.doc.year and year != self.doc.year:
            # a figure of another year (the 2021 决算 on a 2022 budget page): its column says so
            if column not in _AMOUNT_COLUMNS:
                return
            column = ("上年" if year == self.doc.year - 1 else f"{year}年") + column
        key = (label, column, value, unit, line)
        if key in self._seen:
            return
        self._seen.add(key)
        quote = block.raw[quote_span[0]:quote_span[1]].strip()
        self.facts.append(Fact(
            doc=self.doc.name, department=self.doc.department, year=self.doc.year,
            table_no="", table_title="", section=self.sections[line - 1] if line - 1 < len(self.sections) else block.section,
            code=code, label=label, column=column, value=value, unit=unit,
            norm_value=to_yuan(value, unit) if unit in _MONEY_UNITS else value,
            line=line, quote=quote, source="prose",
        ))
        if unit in _MONEY_UNITS and column in ("预算数", "决算数", "年初预算数", "全年预算数"):
            self._amounts.append((id(block), pos, self.facts[-1]))
        if unit in _MONEY_UNITS and not column.startswith(("比", "增", "占")):
            self._amount_at.append((id(block), pos))

    def block(self, block: Block) -> None:
        spans = sentence_spans(block.norm)
        leaf = leaf_title(block.section)
        project = ""
        pm = re.search(r"项目名称[：:]\s*(.+)$", leaf)
        if pm:
            project = re.sub(r"\s+", "", to_halfwidth(pm.group(1)))
        else:
            whole = next((w for w in _PARTS_SECTIONS if w in re.sub(r"\s+", "", leaf)), "")
            project = whole  # "上年结转结余预算情况说明": its figures are parts of that whole
        carried = ""
        self._whole = ""
        for si, (lo, hi) in enumerate(spans):
            reason_end = hi
            # "同口径比2018年减少830万元" right after "X为N。其中：A…，B…。": the change is X's
            if self._whole and _COMPARISON_START_RE.match(block.norm[lo:hi].strip()):
                carried = self._whole
            self._whole = ""
            if si + 1 < len(spans):
                nlo, nhi = spans[si + 1]
                if _REASON_RE.match(block.norm[nlo:nhi].strip()):
                    reason_end = nhi
            self._vs_budget = False
            self._vs_year = None
            carried = self.sentence(block, lo, hi, reason_end, leaf, project, carried)
            self._level(block, lo, hi)

    def _level(self, block: Block, lo: int, hi: int) -> None:
        """"与上年持平" after an amount: a 比上年增减 of 0 for that amount's subject."""
        for lm in _LEVEL_RE.finditer(block.norm, lo, hi):
            before = [(p, f) for b, p, f in self._amounts if b == id(block) and lo <= p < lm.start()]
            if not before:
                continue
            pos, amount = before[-1]
            if re.search(r"(?:增加|减少|增长|下降|降低)", block.norm[pos:lm.start()]):
                continue
            self.add(block, lm.start(), (lo, hi), amount.label, "比上年增减", 0.0, amount.unit, amount.code)

    def sentence(self, block: Block, lo: int, hi: int, reason_end: int, leaf: str, project: str,
                 carried: str = "") -> str:
        """Read one sentence; returns its last explicit subject for the next sentence."""
        norm = block.norm
        text = norm[lo:hi]
        mentions = [m for m in _mentions(text)]
        if not mentions:
            return carried
        for m in mentions:
            m.start += lo
            m.end += lo
        masks = [(m.start, m.end) for m in mentions]
        chain = _chain(norm, lo, hi)
        subject = carried
        code = ""
        if chain:
            subject = chain[0]
            code = resolve_code(chain[1], self.codes)
        last_count_subject = ""
        reason_mode = False
        seg_start = lo
        prev_end_in_clause: dict[int, int] = {}
        done = self._respectively(block, lo, hi, mentions, leaf)
        for idx, m in enumerate(mentions):
            cstart = _clause_start(norm, m.start, lo, masks)
            if m.start in done:
                continue
            # Clause boundaries passed since the previous mention: reset or enter reason mode.
            between_lo = mentions[idx - 1].end if idx else lo
            gap = norm[between_lo:m.start]
            tail = gap
            if ";" in gap:
                seg_start = between_lo + gap.rindex(";") + 1
                tail = gap[gap.rindex(";") + 1:]
                seg_end = norm.find(";", m.start)
                segment = norm[seg_start:seg_end if 0 <= seg_end < hi else hi]
                # Inside a reason, a new clause is a new statement only if it is a full one
                # (with its own growth rate), as in the 三公 paragraph.
                if not reason_mode or re.search(r"(?:增长|下降|降低|减少|增加)\s*[\d.]+\s*%", segment):
                    reason_mode = False
                    # "…完成预算的100%;较上年增加0.61万元": a clause that starts with its
                    # comparison goes on about the same subject
                    if not chain and not _NO_SUBJECT_START_RE.match(tail.strip()):
                        subject = ""
            if any(_REASON_RE.match(p.strip()) for p in re.split(r"[,:。]", tail)):
                reason_mode = True
            clause_head = norm[cstart:m.start].strip()
            self._gap = gap
            if subject and not self._whole and re.search(r"(?:^|[,;:。])\s*其中", gap):
                self._whole = subject  # the items after 其中 break this total down
            if reason_mode and m.unit in _MONEY_UNITS and (
                    _ENUM_MARK_RE.search(gap) or _ITEM_RESTATED_RE.search(clause_head)):
                reason_mode = False  # the reason is over: a new item is stated
            if reason_mode:
                if m.unit in _MONEY_UNITS:
                    self._reason_change(block, m, norm[cstart:m.start], lo, hi, seg_start, leaf, project)
                continue
            after = norm[m.end:m.end + 3]
            if not m.unit and re.match(r"\s*(?:年|月|日|号|条|次|项|天|期)", after):
                continue
            pre = clause_head
            # Keep only the text after an earlier number in the same clause.
            prior = [p for p in mentions[:idx] if p.start >= cstart]
            qualifier = False
            prior = [p for p in prior if p.unit]
            if prior:
                cut = prior[-1].end
                rest = norm[cut:m.start]
                if re.match(r"\s*(?:以上|以下|及以上|以内)", rest):
                    qualifier = True
                else:
                    pre = rest.strip()
            quote_span = self._quote_span(norm, lo, hi, seg_start, m.start)
            if m.unit == "%":
                self._percent(block, m, pre, subject, code, quote_span, reason_end)
                continue
            # a bound ("100万元及以上", "100万元及100万元以上"), not a figure; "6万元及信息化建设
            # 4万元" is two
            if _BOUND_AFTER_RE.match(norm, m.end):
                continue
            if "/" in m.unit:
                cleaned = _clean_subject(pre, self.department)
                key = _KEY_BEFORE_RE.search(norm, lo, m.start)
                if not cleaned and key:
                    cleaned = key.group(1)  # "补贴标准：120 元/月/人": the key names the standard
                label = cleaned if cleaned and cleaned not in _GENERIC and not re.search(r"\d", cleaned) else subject
                self.add(block, m.start, quote_span, _in_project(label, project) if label else label, "标准",
                         m.value, m.unit)
                continue
            if m.unit in _MONEY_UNITS:
                new_subject = self._money(block, m, pre, subject, code, quote_span, reason_end, leaf, project,
                                          last_count_subject, chain[0] if chain else "")
                if new_subject is not None:
                    subject = new_subject
                continue
            if m.unit:
                got = self._count(block, m, pre, subject, quote_span, reason_end, qualifier, norm, cstart, project)
                if got:
                    subject = last_count_subject = got
                continue
            # Unitless number: a subject-setting clause ("非财政拨款结转结余80") or 编制数.
            sm = _STAFF_RE.search(norm[cstart:m.end + 2])
            if sm and abs((cstart + sm.start("num")) - m.start) == 0:
                self.add(block, m.start, quote_span, "编制数", "数量", m.value, "人")
                continue
            cleaned = _clean_subject(pre, self.department)
            if cleaned and not re.search(r"\d", cleaned) and cleaned not in _GENERIC and len(cleaned) <= 20:
                subject = _canonical(cleaned, leaf)
        return subject

    def _reason_change(self, block: Block, m: _Mention, head: str, lo: int, hi: int, seg_start: int,
                       leaf: str, project: str) -> None:
        """"主要原因：一是住房公积金增加529.95万元；…": a reason that names a line and how much it
        moved states that line's change on the year before. Recorded only as "比上年增减" of a
        line the document gives no change of elsewhere (extract_prose_facts drops it then)."""
        cm = _REASON_CHANGE_RE.search(head)
        if cm is None or head[:cm.start("subj")].rstrip().endswith(("、", "和", "及")):
            return  # ("A、B、C经费减少97万元": one change of several lines, none of them alone)
        label = _canonical(_clean_subject(cm.group("subj"), self.department), leaf)
        if not label or label in _GENERIC or re.search(r"\d", label) or len(label) < 3 \
                or not _LINE_NAME_END_RE.search(label):
            return
        sign = -1.0 if cm.group("verb") in _DOWN_VERBS else 1.0
        before = len(self.facts)
        self.add(block, m.start, self._quote_span(block.norm, lo, hi, seg_start, m.start),
                 _in_project(label, project), _REASON_CHANGE_COLUMN, sign * m.value, m.unit)
        self._reason_changes.update(range(before, len(self.facts)))

    def _definition_head(self, block: Block, pos: int, paragraph: bool = False) -> str:
        """"(一)收入预算:2022年年初预算数646.16万元": what a line that opens with its own head
        and a colon states, for a figure the sentence (or the paragraph) names no subject of."""
        start = 0 if paragraph else block.norm.rfind("。", 0, pos) + 1
        hm = _DEFINITION_HEAD_RE.match(block.norm, start)
        if hm is None or hm.end() > pos:
            return ""
        head = _clean_subject(hm.group("head"), self.department)
        return head if head and head not in _GENERIC else ""

    def _stopped_head(self, block: Block, pos: int) -> str:
        """"2.公务接待费。2016年预算数54万元": a numbered head closed by its own full stop names
        the sentence right after it, whatever subject the paragraph carried before."""
        start = block.norm.rfind("。", 0, pos) + 1
        if start <= 0:
            return ""
        before = block.norm.rfind("。", 0, start - 1) + 1
        hm = _STOPPED_HEAD_RE.match(block.norm, before)
        if hm is None or hm.end() != start:
            return ""
        head = _clean_subject(hm.group("head"), self.department)
        return head if head and head not in _GENERIC else ""

    def _add_dated(self, block: Block, m: _Mention, quote_span: tuple[int, int], label: str, column: str,
                   code: str) -> None:
        """A figure whose column already names its year (no reading of the clause's year)."""
        line = block.line_of[min(m.start, len(block.line_of) - 1)]
        key = (label, column, m.value, m.unit, line)
        if key in self._seen:
            return
        self._seen.add(key)
        self.facts.append(Fact(
            doc=self.doc.name, department=self.doc.department, year=self.doc.year,
            table_no="", table_title="", section=self.sections[line - 1] if line - 1 < len(self.sections) else block.section,
            code=code, label=label, column=column, value=m.value, unit=m.unit,
            norm_value=to_yuan(m.value, m.unit), line=line,
            quote=block.raw[quote_span[0]:quote_span[1]].strip(), source="prose",
        ))

    def _actual_compared(self, block: Block, label: str, pos: int) -> None:
        """"支出总额为8,237.23万元，比年初预算增加1317.14万元": a figure compared with its
        budget is the actual one, whatever the page's kind (its column was read as 预算数)."""
        for i in range(len(self._amounts) - 1, -1, -1):
            b, p, f = self._amounts[i]
            if b != id(block) or p >= pos:
                continue
            if f.label != label or f.column != "预算数" or re.search(r"预算", block.norm[p - 8:p]):
                return
            if re.search(r"[。]", block.norm[p:pos]):
                return
            new = replace(f, column="决算数")
            self.facts = [new if x is f else x for x in self.facts]
            self._amounts[i] = (b, p, new)
            return

    def _last_amount_end(self, block: Block, pos: int) -> int:
        """Where the last amount read before pos in this block ends (0 when none)."""
        ends = [p for b, p in self._amount_at if b == id(block) and p < pos]
        return max(ends) + 1 if ends else 0

    def _respectively(self, block: Block, lo: int, hi: int, mentions: list[_Mention], leaf: str) -> set[int]:
        """Figures given 分别 (respectively), one per item named before them: "公务用车购置数及
        保有量分别为1辆和130辆", or changes of the items just stated ("与2012年相比，分别减少
        0.29亿元、0.33亿元、0.64亿元"). Returns the start positions of the mentions read."""
        norm = block.norm
        done: set[int] = set()
        if "分别" not in norm[lo:hi]:
            return done
        for rm in _RESPECTIVELY_RE.finditer(norm, lo, hi):
            listed = [m for m in mentions if rm.start("list") <= m.start < rm.end("list") and m.unit]
            if len(listed) < 2 or len({m.unit for m in listed}) > 1:
                continue
            verb = rm.group("verb") or ""
            quote = (lo, hi)
            if verb in ("增加", "减少", "增长", "下降"):
                sign = -1.0 if verb in ("减少", "下降") else 1.0
                before = [f for b, p, f in self._amounts if b == id(block) and p < rm.start()]
                if len(before) < len(listed) or listed[0].unit == "%":
                    continue
                column = "比预算增减" if re.search(r"预算(?:数)?相比$|比预算", norm[max(lo, rm.start() - 20):rm.start()]) \
                    and not re.search(r"年", norm[max(lo, rm.start() - 20):rm.start()]) else "比上年增减"
                for f, m in zip(before[-len(listed):], listed):
                    self.add(block, m.start, quote, f.label, column, sign * m.value, m.unit, f.code)
                    done.add(m.start)
                continue
            subj = re.sub(r"^年度?", "", re.sub(r"\s+", "", rm.group("subj")))
            parts = [x for x in re.split(r"及|和|与|、", subj) if x]
            if len(parts) != len(listed):
                continue
            head = parts[0]
            labels = []
            for k, part in enumerate(parts):
                if k and len(part) < len(head) and len(head) - len(part) >= 2:
                    part = head[:len(head) - len(part)] + part  # 公务用车购置数及保有量: 公务用车保有量
                labels.append(_canonical(_clean_subject(part, self.department), leaf))
            for lab, m in zip(labels, listed):
                if m.unit in _MONEY_UNITS:
                    self.add(block, m.start, quote, lab, self.column_for(leaf), m.value, m.unit)
                elif m.unit != "%":
                    self.add(block, m.start, quote, lab, "面积" if m.unit == "平方米" else "数量", m.value,
                             "人" if m.unit in ("名", "人次") else m.unit)
                else:
                    continue
                done.add(m.start)
        return done

    def _quote_span(self, norm: str, lo: int, hi: int, seg_start: int, pos: int) -> tuple[int, int]:
        if hi - lo <= 220:
            return lo, hi
        end = norm.find(";", pos)
        end = hi if end < 0 or end > hi else end + 1
        return seg_start, end

    def _trend_subject(self) -> str:
        """The item of a clause that states a trend without a figure, right before a change
        clause with no subject of its own ("公车支出微幅增长，增加了0.89%")."""
        parts = [x.strip() for x in re.split(r"[,;:。]", self._gap) if x.strip()]
        if len(parts) < 2:
            return ""
        cand = re.sub(r"^(?:不过|但是|但|同时|另外|而|其中)", "", parts[-2])
        cand = _NO_CHANGE_TAIL_RE.sub("", _TREND_TAIL_RE.sub("", cand))
        cand = _canonical(_clean_subject(cand, self.department), "")
        return cand if _TREND_ITEM_RE.fullmatch(cand) else ""

    def _percent(self, block: Block, m: _Mention, pre: str, subject: str, code: str,
                 quote_span: tuple[int, int], reason_end: int) -> None:
        completed_of = pre.strip() in ("的", "") and _COMPLETED_OF_RE.search(block.norm[max(0, m.start - 40):m.start])
        if (_COMPLETION_RE.search(pre) or completed_of) and subject:
            self.add(block, m.start, quote_span, subject, "预算完成率", m.value, "%", code)
            return
        if _SHARE_RE.search(pre):
            head = _clean_subject(_SHARE_RE.sub("", pre).rstrip(","), self.department)
            label = head if head and head not in _GENERIC else subject
            self.add(block, m.start, quote_span, label, "占比", m.value, "%", code if label == subject else "")
            return
        pre, cm = _change_verb(pre)
        if cm:
            head = pre[:cm.start()]
            head_clean = _canonical(_clean_subject(head, self.department), "")
            label = head_clean if head_clean and head_clean not in _GENERIC and not re.search(r"\d", head_clean) else (
                self._trend_subject() or subject)
            sign = -1.0 if cm.group("verb") in _DOWN_VERBS else 1.0
            span = (quote_span[0], max(quote_span[1], reason_end)) if reason_end > quote_span[1] else quote_span
            compared = cm.group("budget") or (self._vs_budget and cm.group("verb") == cm.group(0).strip().rstrip("了"))
            other_year = self._other_year(pre)
            column = "比预算增减率" if compared else f"比{other_year}年增长率" if other_year else "增长率"
            self.add(block, m.start, span, label, column, sign * m.value, "%", code)

    def _other_year(self, head: str) -> int | None:
        """The year a change is measured against when it is not the year before ("比2019年
        (疫情前)决算数减少24.87万元"): its rate follows it bare ("降低28.6%"), so the year is kept
        for the sentence; None for 上年 or no year."""
        ym = _COMPARED_YEAR_RE.search(re.sub(r"\s+", "", head))
        if ym:
            year = int(ym.group(1))
            self._vs_year = year if self.doc.year and year not in (self.doc.year - 1, self.doc.year) else None
        elif _COMPARATOR_RE.search(head) or "上年" in head or "同比" in head:
            self._vs_year = None
        return self._vs_year

    def _money(self, block: Block, m: _Mention, pre: str, subject: str, code: str, quote_span: tuple[int, int],
               reason_end: int, leaf: str, project: str, last_count_subject: str, chain_label: str = "") -> str | None:
        cb = _COMPLETED_BUDGET_RE.search(re.sub(r"\s+", "", pre))
        if cb and subject:
            # "决算为62.07万元，完成全年预算84.82万元的73.2%": the subject's budget
            column = {"年初": "年初预算数", "全年": "全年预算数", "调整": "全年预算数"}.get(cb.group("which") or "", "预算数")
            self.add(block, m.start, quote_span, subject, column, m.value, m.unit, code)
            return None
        compared = _COMPARED_FIGURE_RE.search(re.sub(r"\s+", "", pre))
        if compared and subject and self.doc.year:
            # "较2022年决算数688.84万元": the subject's figure of the year compared with
            year = int(compared.group("y")) if compared.group("y") else self.doc.year - 1
            kind = compared.group("kind") or self.amount_column[:2]
            if year != self.doc.year:
                column = ("上年" if year == self.doc.year - 1 else f"{year}年") + kind + "数"
                self._add_dated(block, m, quote_span, subject, column, code)
                self._compared_end = m.end
                return None
        if not pre.strip() and subject and 0 <= self._compared_end and not block.norm[self._compared_end:m.start].strip():
            # "较2022年决算数688.84万元131.49万元,增长19.09%": a page that lost the verb; the
            # rate's verb after it says which way
            verb = re.match(r"\s*,?\s*(增长|增加|上升|下降|减少|降低)", block.norm[m.end:m.end + 8])
            self._compared_end = -1
            if verb:
                sign = -1.0 if verb.group(1) in _DOWN_VERBS else 1.0
                self.add(block, m.start, quote_span, subject, "比上年增减", sign * m.value, m.unit, code)
                return None
        self._compared_end = -1
        over = _OVER_BUDGET_RE.search(pre)
        if over and subject:
            # "决算数大于预算数55.93万元": the subject's final figure against its budget
            sign = -1.0 if over.group(1) in ("小于", "低于") else 1.0
            span = (quote_span[0], max(quote_span[1], reason_end))
            self.add(block, m.start, span, subject, "比预算增减", sign * m.value, m.unit, code)
            return None
        pre, cm = _change_verb(pre)
        if cm:
            head = pre[:cm.start()]
            head_clean = _canonical(_clean_subject(head, self.department), leaf)
            use_subject = not head_clean or head_clean in _GENERIC or re.search(r"\d", head_clean)
            if head_clean in ("收入", "支出"):
                # "(一)收入预算:…。收入较2021年增加40.62万元": the paragraph's head
                own = self._definition_head(block, m.start, paragraph=True)
                if own.startswith(head_clean):
                    head_clean, use_subject = own, False
            trend = self._trend_subject() if use_subject else ""
            label = (trend or subject) if use_subject else head_clean
            sign = -1.0 if cm.group("verb") in _DOWN_VERBS else 1.0
            span = (quote_span[0], max(quote_span[1], reason_end))
            if cm.group(0).strip().rstrip("了") != cm.group("verb"):
                # a bare 减少 after "比预算数减少…;" compares with what the sentence last compared with
                self._vs_budget = bool(cm.group("budget"))
            if self._vs_budget:
                self._actual_compared(block, label, m.start)
            other_year = self._other_year(pre)
            column = "比预算增减" if self._vs_budget else f"比{other_year}年增减" if other_year else "比上年增减"
            self.add(block, m.start, span, label, column, sign * m.value, m.unit, code if use_subject else "")
            return trend or (None if use_subject else label)
        cleaned = _clean_subject(pre, self.department)
        if cleaned.endswith("万") or "*" in cleaned:
            return None
        named_after = _NAMED_AFTER_RE.match(block.norm[m.end:m.end + 14])
        if named_after and (not cleaned or _VERB_ONLY_RE.fullmatch(cleaned) or cleaned.endswith(("及", "和", "、"))):
            cleaned = named_after.group(1)  # "共涉及约183亿元经营开支及21亿元非经营开支"
        since = block.norm[max(quote_span[0], self._last_amount_end(block, m.start)):m.start]
        if all(w in since for w in _THREE_ITEMS):
            cleaned = "三公经费"  # "因公出国（境）费、公务用车购置及运行费和公务接待费的财政拨款预算数"
        elif cleaned in ("收入", "支出"):
            if subject.endswith(("收入", "支出")) and not subject.endswith(cleaned):
                cleaned = subject[:-2] + cleaned  # "非经营帐目收入355亿，支出1872亿"
            elif not subject:
                cleaned += "合计"  # "本单位收入为1687.45万元，其中：…"
        column = self.column_for(leaf)
        compact = re.sub(r"\s+", "", pre)
        for cue, col in _COLUMN_CUES:
            if cue.search(compact):
                # on a budget page its year-start budget is the page's own figure (预算数)
                column = "预算数" if col == "年初预算数" and self.amount_column == "预算数" else col
                break
        label_code = ""
        if cleaned == "价值" or (cleaned.endswith("价值") and len(cleaned) > 2):
            column = "价值"
            cleaned = cleaned[:-2]
            label = cleaned or last_count_subject or subject
            self.add(block, m.start, quote_span, label, column, m.value, m.unit)
            return None
        if re.fullmatch(r"涉及(?:预算)?(?:金额|资金)", cleaned) and last_count_subject:
            self.add(block, m.start, quote_span, f"{last_count_subject}金额", column, m.value, m.unit)
            return None
        if chain_label and cleaned == chain_label:
            label_code = code
        if cleaned in _GENERIC or re.fullmatch(r"预算安排规模|年度预算总额|预算规模|项目资金", cleaned):
            if project and re.fullmatch(r"预算安排规模|年度预算总额|预算规模|项目资金|", cleaned):
                label = project
            else:
                label = (self._stopped_head(block, m.start) or subject or self._definition_head(block, m.start)
                         or _item_heading(leaf))
                label_code = code
        else:
            label = _in_project(_canonical(cleaned, leaf), project)
        if not label or re.search(r"\d{2,}", _YEAR_WORDS_RE.sub("", label)):
            return None
        self.add(block, m.start, quote_span, label, column, m.value, m.unit, label_code)
        return label if not project else subject

    def _count(self, block: Block, m: _Mention, pre: str, subject: str, quote_span: tuple[int, int],
               reason_end: int, qualifier: bool, norm: str, cstart: int, project: str = "") -> str | None:
        unit = m.unit
        column = "面积" if unit == "平方米" else "数量"
        cm = _CHANGE_VERB_RE.search(pre)
        if cm and unit == "人":
            head_clean = _clean_subject(pre[:cm.start()], self.department)
            label = _PERSONS.get(head_clean, head_clean) if head_clean and head_clean not in _GENERIC else subject
            if label:
                sign = -1.0 if cm.group("verb") in _DOWN_VERBS else 1.0
                self.add(block, m.start, quote_span, label, "比上年增减", sign * m.value, unit)
            return None
        if qualifier:
            cleaned = re.sub(r"\s+", "", norm[cstart:m.start])
            cleaned = _clean_subject(cleaned, self.department)
        else:
            cleaned = _clean_subject(pre, self.department)
        if unit in ("个", "所"):
            # "下设 16个处室", "下辖12所完全小学": the noun follows the number
            after = re.match(r"\s*([\u4e00-\u9fff]{1,8}?)(?=[,，、:;。和及与\s\d]|分别|包括|$)", norm[m.end:m.end + 12])
            if after and (unit == "个" or not cleaned or _SETS_UP_RE.search(cleaned)):
                verb = _SETS_UP_RE.search(cleaned)
                # a noun that names nothing alone keeps its verb: 内设部门 (not 部门)
                keep = verb and _BARE_PARTS_RE.fullmatch(after.group(1))
                cleaned = (verb.group(0) if keep else "") + after.group(1)
        if "的" in cleaned and len(cleaned) > 20:
            # "纳入…决算编制范围的二级预算单位0个": after a long description, what is counted
            # follows the last 的
            tail = cleaned[cleaned.rindex("的") + 1:]
            if len(tail) >= 2 and _COUNT_SUBJECT_RE.search(tail):
                cleaned = tail
        if unit == "人" and not cleaned:
            cleaned = subject
        last_block, last_end, last_label = self._last_count
        if not cleaned and last_block == id(block) and 0 <= m.start - last_end <= 6 \
                and _JOINED_COUNT_RE.fullmatch(norm[last_end:m.start]):
            cleaned = last_label  # "接待 2 批次、26 人次": the same thing counted in another unit
        cleaned = _PERSONS.get(cleaned, cleaned)
        if cleaned.startswith("编制"):
            unit = "人"
        if not cleaned or not _COUNT_SUBJECT_RE.search(cleaned) or len(cleaned) > 30:
            # "补贴人数：按照文件要求核实补贴发放 885 人": the field the line opens with names it
            key = _KEY_BEFORE_RE.search(norm, max(0, cstart - 14), cstart)
            if key is None or not _COUNT_SUBJECT_RE.search(key.group(1)):
                return None
            cleaned = _in_project(key.group(1), project)
        self.add(block, m.start, quote_span, cleaned, column, m.value, "人" if unit == "名" else unit)
        self._last_count = (id(block), m.end, cleaned)
        return cleaned


def extract_prose_facts(lines: list[str], doc: Document, sections: list[str], tables: list[dict[str, Any]]) -> list[Fact]:
    """Figures stated in the text parts, as Facts with source="prose".

    Args:
        lines: the document's text lines.
        doc: the Document (name, department, year, kind are copied into facts).
        sections: section path per line (from section_paths).
        tables: table dicts with 1-based "line_start"/"line_end"; their lines are skipped.

    Returns:
        Facts whose quote is the stating sentence (plus its 主要原因 sentence for changes).
    """
    scan = scan_sections(lines)
    blocks = prose_blocks(lines, sections, tables, scan)
    ex = _Extractor(doc, sections, build_code_names(lines))
    for block in blocks:
        try:
            ex.block(block)
        except Exception:  # one odd paragraph must not lose the document
            log.exception("prose facts: failed on lines %d-%d of %s", block.line_start, block.line_end, doc.name)
    # a change read from a reason stands only for a line the page states no change of otherwise
    stated = {f.label for i, f in enumerate(ex.facts) if f.column == _REASON_CHANGE_COLUMN and i not in ex._reason_changes}
    stated |= {f.label for t in tables for f in t.get("facts", ()) if getattr(f, "column", "") == _REASON_CHANGE_COLUMN}
    return [f for i, f in enumerate(ex.facts) if i not in ex._reason_changes or f.label not in stated]


def _split_items(text: str) -> list[str]:
    parts = re.split(r"[、;,]", text)
    return [p.strip().rstrip("。.").strip() for p in parts if p.strip().rstrip("。.").strip()]


def _valid_items(items: list[str]) -> bool:
    if len(items) < 2:
        return False
    for it in items:
        core = re.sub(r"\(.*?\)$", "", it)
        if not (2 <= len(it) <= 25) or re.search(r"\d|:", it) or not _ORG_ITEM_END_RE.search(core):
            return False
    return True


def extract_enumerations(lines: list[str], doc: Document, sections: list[str]) -> list[Enumeration]:
    """Named lists in the text ("下设 16个处室，分别是：…").

    Args:
        lines: the document's text lines.
        doc: the Document.
        sections: section path per line.

    Returns:
        Enumerations with items in document order and the verbatim sentence as quote.
    """
    scan = scan_sections(lines)
    out: list[Enumeration] = []
    for block in prose_blocks(lines, sections, None, scan):
        for lo, hi in sentence_spans(block.norm):
            sent = block.norm[lo:hi]
            m = _ENUM_INTRO_RE.search(sent)
            label = ""
            start = None
            if m:
                groups = _ENUM_GROUP_RE.findall(sent[m.start():m.end()])
                start = m.end()
                items_text = sent[start:]
                items = _split_items(re.sub(r"\s+", "", items_text.split("。")[0]))
                counts = [int(c) for c, _ in groups]
                if groups:
                    label = groups[0][1] if len(items) == counts[0] else "内设机构"
            else:
                m = _ENUM_NAMED_RE.search(sent)
                if m:
                    label = m.group("label")
                else:
                    m = _ENUM_BARE_RE.search(sent)
                    if not m:
                        continue
                    label = "内设机构"
                start = m.end()
                items = _split_items(re.sub(r"\s+", "", sent[start:].split("。")[0]))
                for k, item in enumerate(items):
                    counted = _COUNT_AFTER_ITEMS_RE.search(item)
                    if counted and counted.start() >= 2:
                        # "设内科、外科、中医科3个临床科室": the count and what the items are close the list
                        items = items[:k] + [item[:counted.start()]]
                        label = counted.group(2)
                        if int(counted.group(1)) != len(items):
                            items = []
                        break
                if items and items[-1].endswith("等") and len(items[-1]) > 3:
                    items[-1] = items[-1][:-1]  # "…、土壤肥料组等"
            if not _valid_items(items):
                continue
            line = block.line_of[lo + m.start()]
            out.append(Enumeration(
                doc=doc.name, department=doc.department, year=doc.year, label=label,
                items=tuple(items), line=line, quote=block.raw[lo:hi].strip(),
                section=sections[line - 1] if line - 1 < len(sections) else block.section,
            ))
    return out
