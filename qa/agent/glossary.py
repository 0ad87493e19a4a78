"""English ↔ Chinese budget vocabulary (from the genre notes), used to understand English
questions over Chinese documents and to name Chinese figures in English answers."""

from __future__ import annotations

import re

# Longest English phrases first when matching; values are the Chinese metric words.
EN_TO_ZH: dict[str, str] = {
    "three public expenses": "三公经费",
    "three public expenditures": "三公经费",
    "three public consumption": "三公经费",
    "three official expenses": "三公经费",
    "sangong": "三公经费",
    "overseas travel": "因公出国（境）费",
    "travel abroad": "因公出国（境）费",
    "official vehicle purchase": "公务用车购置费",
    "vehicle purchase": "公务用车购置费",
    "purchase of official vehicles": "公务用车购置费",
    "official vehicle operation": "公务用车运行费",
    "official vehicle operating": "公务用车运行费",
    "vehicle operation": "公务用车运行费",
    "vehicle operating": "公务用车运行费",
    "vehicle running": "公务用车运行费",
    "vehicle maintenance": "公务用车运行维护费",
    "official vehicles": "公务用车购置及运行费",
    "official vehicle": "公务用车购置及运行费",
    "official hospitality": "公务接待费",
    "official reception": "公务接待费",
    "hospitality": "公务接待费",
    "basic expenditure": "基本支出",
    "basic expenditures": "基本支出",
    "basic spending": "基本支出",
    "personnel expenses": "人员经费",
    "personnel expenditure": "人员经费",
    "personnel costs": "人员经费",
    "personnel": "人员经费",
    "operating expenses": "公用经费",
    "public expenses": "公用经费",
    "operating costs": "公用经费",
    "administrative operating costs": "机关运行经费",
    "administrative operating expenses": "机关运行经费",
    "administrative operation": "机关运行经费",
    "project expenditure": "项目支出",
    "project expenditures": "项目支出",
    "project spending": "项目支出",
    "general public budget": "一般公共预算",
    "government fund budget": "政府性基金预算",
    "government funds budget": "政府性基金预算",
    "government fund": "政府性基金预算",
    "state capital operation budget": "国有资本经营预算",
    "state capital operations budget": "国有资本经营预算",
    "state capital": "国有资本经营预算",
    "fiscal appropriation": "财政拨款",
    "fiscal appropriations": "财政拨款",
    "carry-over from last year": "上年结转",
    "carried over from last year": "上年结转",
    "carryover from last year": "上年结转",
    "carry-over": "上年结转",
    "carryover": "上年结转",
    "carried over": "上年结转",
    "unit's own funds": "单位资金",
    "own funds": "单位资金",
    "unit funds": "单位资金",
    "unit's funds": "单位资金",
    "government procurement": "政府采购",
    "procurement": "政府采购",
    "performance targets": "绩效目标",
    "performance target": "绩效目标",
    "performance indicators": "绩效指标",
    "performance indicator": "绩效指标",
    # the words of common indicators in 绩效目标表 (产出 / 效益 / 满意度)
    "training sessions": "培训次数",
    "satisfaction rate": "满意度",
    "satisfaction": "满意度",
    "accuracy rate": "正确率",
    "accuracy": "正确率",
    "completion rate": "完成率",
    "pass rate": "合格率",
    "qualification rate": "合格率",
    "response time": "响应时间",
    "authorised headcount": "编制数",
    "authorized headcount": "编制数",
    "authorised staff": "编制数",
    "authorized staff": "编制数",
    "staffing quota": "编制数",
    "actual staff": "实有人数",
    "staff": "实有人数",
    "employees": "实有人数",
    "people": "实有人数",
    "retirees count": "退休",
    "actual headcount": "实有人数",
    "total revenue": "收入总计",
    "total income": "收入总计",
    "total expenditure": "支出总计",
    "total spending": "支出总计",
    "total budget": "收支总预算",
    "revenue": "收入",
    "income": "收入",
    "social security and employment": "社会保障和就业支出",
    "health": "卫生健康支出",
    "housing security": "住房保障支出",
    "housing support": "住房保障支出",
    "education": "教育支出",
    # functional classification (类) names as English budget summaries render them
    "urban and rural community": "城乡社区支出",
    "urban-rural community": "城乡社区支出",
    "general public services": "一般公共服务支出",
    "public security": "公共安全支出",
    "public safety": "公共安全支出",
    "science and technology": "科学技术支出",
    "energy conservation and environmental protection": "节能环保支出",
    "agriculture, forestry and water": "农林水支出",
    "transportation": "交通运输支出",
    "other expenditure": "其他支出",
    "operating budget for government agencies": "机关运行经费",
    "government agency operating": "机关运行经费",
    "agency operating": "机关运行经费",
    "housing provident fund": "住房公积金",
    "housing fund": "住房公积金",
    "provident fund": "住房公积金",
    "social insurance": "社会保险",
    "information technology": "信息化建设",
    "informatization": "信息化建设",
    "office expenses": "办公费",
    "office costs": "办公费",
    "travel expenses": "差旅费",
    "training": "培训费",
    "retirees": "退休",
    "retirement": "退休",
    "in-service staff": "在职",
    "serving staff": "在职",
    "retired": "退休",
    "vehicles": "车辆",
    "cars": "车辆",
    "internal departments": "处室",
    "internal divisions": "处室",
    "internal units": "处室",
    "divisions": "处室",
    "offices": "处室",
    "sections": "科室",
    "projects": "项目",
    "services": "服务",
    "main functions": "主要职能",
    "functions": "主要职能",
    "main responsibilities": "主要职责",
    "responsibilities": "主要职责",
    "duties": "主要职责",
    "printing": "印刷费",
    "printing costs": "印刷费",
    "water": "水费",
    "electricity": "电费",
    "postage and telecommunications": "邮电费",
    "telecommunications": "邮电费",
    "property management": "物业管理费",
    "rent": "租赁费",
    "rental": "租赁费",
    "repairs": "维修(护)费",
    "repair and maintenance": "维修(护)费",
    "official vehicle operation and maintenance": "公务用车运行维护费",
    "vehicle operation and maintenance": "公务用车运行维护费",
    "vehicle operating and maintenance": "公务用车运行维护费",
    "meetings": "会议费",
    "conference": "会议费",
    "labour services": "劳务费",
    "labor services": "劳务费",
    "commissioned services": "委托业务费",
    "trade union": "工会经费",
    "welfare": "福利费",
    "basic salary": "基本工资",
    "basic salaries": "基本工资",
    "allowances": "津贴补贴",
    "bonuses": "奖金",
    "pension insurance": "机关事业单位基本养老保险缴费",
    "occupational annuity": "职业年金缴费",
    "medical insurance": "医疗保险缴费",
    "heating": "取暖费",
    "goods": "货物",
    "works": "工程",
}

# Department-name words: translated before alias matching.
EN_DEPT_TO_ZH: dict[str, str] = {
    "housing and urban-rural development bureau": "住房和城乡建设局",
    "housing and urban rural development bureau": "住房和城乡建设局",
    "housing and construction bureau": "住建局",
    "construction bureau": "住建局",
    "housing provident fund management centre": "住房公积金管理中心",
    "housing provident fund management center": "住房公积金管理中心",
    "housing provident fund centre": "公积金中心",
    "housing provident fund center": "公积金中心",
    "housing fund centre": "公积金中心",
    "housing fund center": "公积金中心",
    "provident fund centre": "公积金中心",
    "provident fund center": "公积金中心",
    "government offices administration": "机关事务管理局",
    "government affairs administration": "机关事务管理局",
    "government offices bureau": "机关事务管理局",
    "social insurance centre": "社会保险中心",
    "social insurance center": "社会保险中心",
    "social security centre": "社会保险中心",
    "social security center": "社会保险中心",
    "prefecture": "州",
}

ZH_TO_EN: dict[str, str] = {}
for _en, _zh in EN_TO_ZH.items():
    ZH_TO_EN.setdefault(_zh, _en)
ZH_TO_EN.update({
    "支出预算": "the expenditure budget",
    "收入预算": "the revenue budget",
    "部门收入预算": "the department's revenue budget",
    "部门支出预算": "the department's expenditure budget",
    "支出": "expenditure",
    "收入": "revenue",
    "政府采购服务": "government procurement of services",
    "政府采购货物": "government procurement of goods",
    "政府采购工程": "government procurement of works",
    "三公经费": "the “three public expenses”",
    "因公出国（境）费": "overseas travel",
    "公务用车购置及运行费": "official vehicle purchase and operation",
    "公务用车运行维护费": "official vehicle operation and maintenance",
    "合计": "total",
    "总计": "total",
})


# Words whose singular is an everyday verb or noun with another meaning ("work at",
# "a service"): matched only as written.
_PLURAL_ONLY = {"works"}


def _compile(table: dict[str, str]) -> list[tuple[re.Pattern[str], str]]:
    keys = sorted(table, key=len, reverse=True)
    out = []
    for k in keys:
        if k in _PLURAL_ONLY:
            out.append((re.compile(r"(?<![a-z])" + re.escape(k) + r"(?![a-z])", re.I), table[k]))
            continue
        base = k[:-1] if k.endswith("s") and not k.endswith("ss") else k
        # singular and plural alike: "office expense(s)", "project(s)"
        out.append((re.compile(r"(?<![a-z])" + re.escape(base) + r"s?(?![a-z])", re.I), table[k]))
    return out


_EN_PATTERNS = _compile(EN_TO_ZH)
_DEPT_PATTERNS = _compile(EN_DEPT_TO_ZH)


def is_english(text: str) -> bool:
    """True when the question is mostly Latin letters (answer in English then)."""
    latin = sum(1 for c in text if c.isascii() and c.isalpha())
    cjk = sum(1 for c in text if "\u4e00" <= c <= "\u9fff")
    return latin > 3 * cjk and latin >= 3


def translate_department_words(text: str) -> str:
    """Replace English department-name phrases with their Chinese forms."""
    for pat, zh in _DEPT_PATTERNS:
        text = pat.sub(zh, text)
    return text


def english_terms(text: str) -> list[tuple[str, str]]:
    """Budget terms found in an English text, as (english phrase, chinese term), longest
    phrases first and without overlaps."""
    found: list[tuple[int, int, str, str]] = []
    for pat, zh in _EN_PATTERNS:
        for m in pat.finditer(text):
            if any(not (m.end() <= s or m.start() >= e) for s, e, _, _ in found):
                continue
            found.append((m.start(), m.end(), m.group(0), zh))
    # "IT" only in capitals: the pronoun "it" is everywhere in English questions.
    for m in re.finditer(r"\bIT\b", text):
        if not any(not (m.end() <= s or m.start() >= e) for s, e, _, _ in found):
            found.append((m.start(), m.end(), "IT", "信息化建设"))
    found.sort()
    return [(en, zh) for _, _, en, zh in found]


def to_english(term: str) -> str:
    """English name of a Chinese budget term, or the term itself when unknown."""
    return ZH_TO_EN.get(term, term)


# Everyday names of counted things and the row labels documents use for them (read only
# among figures already in the unit the question counts in, e.g. 辆 or 人).
COUNTED_SYNONYMS: dict[str, str] = {
    "公务车": "公务用车",
    "公车": "公务用车",
    "车": "车辆",
    "车子": "车辆",
    "员工": "在职人数",
    "职工": "在职人数",
    "工作人员": "在职人数",
    "在编人员": "编制数",
    "编制": "编制数",
    "退休人员": "退休人数",
    "退休职工": "退休人数",
}
