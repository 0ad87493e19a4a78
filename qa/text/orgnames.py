"""Organisation names: what a publishing body's name looks like, and finding one in text.

Pure functions used by qa.ingest.meta (which body published a document); qa.text.names
holds the forms one known name takes (place and body abbreviations, masking). A name ends in an organisation word (局, 委员会, 中心,
办公室, 办公厅, 院, 所, 街道办事处, 人民政府, 法院, 检察院, …), is bounded in length and is
not a clause: no ，。；, no verbs such as 按照 / 根据 / 经汇总, no budget words (预算, 公开,
情况, 表 …), no digits. A site breadcrumb, a table header row, a section heading or the first
sentence of a page is therefore never taken for a department.
"""

from __future__ import annotations

import re
from functools import lru_cache
from collections import Counter

from qa.text.normalize import to_halfwidth

MIN_LEN = 4
MAX_LEN = 30

# Multi-character words first: the alternation tries them before the single characters.
_SUFFIX_WORDS = ("街道办事处", "人民政府", "办事处", "办公厅", "办公室", "委员会", "常委会", "管理局",
                 "检察院", "法院", "中心", "政府", "监狱", "公司", "集团", "联合会", "基金会", "协会",
                 "学会", "研究会", "党校", "报社", "广播电视台", "电视台", "气象台", "电台", "小学", "中学",
                 "大学", "工商联", "社科联", "妇联", "残联", "侨联", "文联", "科协", "政协", "作协")
_SUFFIX_CHARS = "局厅委办院所站馆队处部会社校园团署"
SUFFIX_RE = re.compile("(?:" + "|".join(_SUFFIX_WORDS) + f"|[{_SUFFIX_CHARS}])")
_ENDS_WITH_SUFFIX = re.compile("(?:" + "|".join(_SUFFIX_WORDS) + f"|[{_SUFFIX_CHARS}])$")

# Words that make a span a clause, a heading or a table cell rather than a name.
_NOT_IN_NAME = re.compile(
    r"(按照|根据|依据|经汇总|汇总|为了|关于|通过|进行|加强|推进|负责|开展|实施|落实|完成|包括|其中|以及|"
    r"纳入|属于|您|当前|位置|首页|预算|决算|公开|说明|情况|概况|合计|总计|小计|年度|本年|上年|"
    r"支出|收入|经费|万元|金额|职能|主要|本级|的|是|了|等|(?<!代)表|"
    r"围绕|贯彻|坚持|认真|紧紧|深入|积极|组建|成立|撤销|选举|任免|审议|设立|设有|承担|协助|配合|做好|加快|"
    r"提高|确保|参与|部门|下设|内设|现在|继续|分别|加上|需要|鼓励|宣布|报道|显示|记者|"
    # a body speaking of itself (我校, 我局) and a numbered item ("(二)资金…") are no name
    r"我|[(（][一二三四五六七八九十]+[)）])"
)
# Starts that refer to a body rather than name it (本部门, 各单位, 所属单位, 下设科室 …).
_BAD_START = re.compile(r"^(本|各|该|其|指(?!挥)|全(?!国)|所属|下属|下设|内设|有关|相关|上述|以上|我|即|由|对|在|将|与|及|或|经|按|据|为|"
                        r"共(?!青)|含|此|这|个|级|原(?=[省市区县]))")
# A label's value is a name unless it refers to a body ("编制单位：本单位").
_BAD_LABEL_START = re.compile(r"^(本|各|该|所属|下属|有关|相关|上述|以上)")
# A place alone publishes too ("编制单位：西河镇"): a township, a county or a district.
_PLACE_ONLY = re.compile(r"^(?:中共)?[\u4e00-\u9fff]{2,15}(?:镇|乡|街道|县|区|市|旗|州)$")
# Words that end in an organisation character without naming one (布局, 内部, 社会, 网站 …).
_BAD_END = re.compile(r"(社会|机会|布局|格局|大局|结局|全部|内部|外部|干部|局部|场所|住所|处所|网站|平台|举办|承办|主办|协办|"
                      r"好处|此处|之处|到处|集团化|总部|关联|互联|串联|失联|妥协|开会|散会|闭会|休会|体会|理会|照会|"
                      r"部署|公署|签署|专署)$")
# A central body's name may be three characters (外交部, 审计署, 财政部): a two-character subject
# and 部 or 署.
_SHORT_CENTRAL = re.compile(r"^[\u4e00-\u9fff]{2}[部署]$")
# Bare body words that are not a name on their own.
_GENERIC = {"人民政府", "办公室", "办公厅", "委员会", "常委会", "管理局", "检察院", "法院", "中心", "政府",
            "事业单位", "行政单位", "机关", "部门", "单位", "主管部门", "预算单位", "财政部门", "财政局",
            "人民法院", "人民检察院", "党委", "机关本级"}
_ENUM_PREFIX = re.compile(r"^(?:第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+[、.．]|[(（][一二三四五六七八九十\d]+[)）]|\d+[、.．])\s*")
# A name that begins with a bare level word refers to "the province's / the city's" body.
_RELATIVE_START = re.compile(r"^(?:省|市|区|县|州|镇|乡)(?!委员会)")
# 江苏省委办公厅 is the party committee's office: its full name starts with 中共.
_PARTY_BODY = re.compile(r"^(?!中共)([\u4e00-\u9fff]{2,10}?(?:省|市|自治区|自治州|州|区|县|旗))委(?!员会)")

# Words that may follow a name in running text ("江苏省政协办公厅本年收入…", "…是省人民代表大会…").
_TERMINATORS = ("本级", "本年", "年度", "部门", "单位", "预算", "决算", "概况", "收入", "支出", "财政", "一般",
                "主要", "机关", "关于", "下设", "内设", "所属", "及其", "和所属", "作为", "负责", "共", "是",
                "的", "为", "在", "将", "对", "于", "按", "根据", "等", "系", "现", "有", "设", "已", "拥有",
                "贯彻", "坚持", "认真", "紧紧", "围绕", "全年", "今年", "当年", "公开", "编制", "职能", "政府采购",
                "三公", "机构", "人员", "基本", "项目")
# Words after which a name starts inside a segment ("纳入重庆市交通委员会…", "即省政协办公厅").
_STARTERS = re.compile(r"(?:纳入|按照|根据|依据|包括|经汇总|汇总|附件|即|由|对|向|在|与|和|及|为|是|将|据|经)")

_SEGMENT = re.compile(r"[\u4e00-\u9fff（）()]+")


_WHITE = re.compile(r"\s+")
_WRAPPED_GAP = re.compile(r"(?<=[\u4e00-\u9fff]) (?=[\u4e00-\u9fff])")


@lru_cache(maxsize=65536)
def squash(text: str) -> str:
    """Halfwidth, no whitespace (PDF text wraps names: "规划和自然 资源局")."""
    return _WHITE.sub("", to_halfwidth(text or ""))


def canonical(name: str) -> str:
    """The full form of a name: "江苏省委办公厅" -> "中共江苏省委办公厅" (a party committee body)."""
    n = squash(name).strip(":：,，。;；、")
    n = _ENUM_PREFIX.sub("", n)
    if _PARTY_BODY.match(n):
        n = "中共" + n
    return n


def is_org_name(text: str, *, label: bool = False) -> bool:
    """Whether a span reads as the name of a public body.

    Args:
        text: the span (whitespace ignored).
        label: the span was printed after a label (编制部门：…), so it is meant as a name:
            only references such as "本单位" are refused at its start, and a place alone
            ("西河镇") is a name.

    Returns:
        True for "江苏省人民检察院", "上海市普陀区规划和自然资源局"; False for sentences,
        breadcrumbs, header rows, headings ("三、…情况"), generic words ("本部门", "办公室").
    """
    t = squash(text)
    if label and _PLACE_ONLY.match(t) and not _NOT_IN_NAME.search(t) and not _BAD_LABEL_START.match(t):
        return MIN_LEN - 1 <= len(t) <= MAX_LEN
    if not (MIN_LEN <= len(t) <= MAX_LEN):
        if not (len(t) == MIN_LEN - 1 and _SHORT_CENTRAL.match(t) and not _BAD_START.match(t)
                and not _NOT_IN_NAME.search(t) and not _BAD_END.search(t) and t not in _GENERIC):
            return False
    if not re.fullmatch(r"[\u4e00-\u9fff（）()]+", t):
        return False  # digits, punctuation, '>' of a breadcrumb, Latin letters
    if t.count("（") != t.count("）") or t.count("(") != t.count(")"):
        return False
    # "…集中区(管委会)": the organ named in brackets after the place ends the name
    t = re.sub(r"[（(]([\u4e00-\u9fff]{2,6})[)）]$", r"\1", t)
    if not _ENDS_WITH_SUFFIX.search(t) or t in _GENERIC:
        return False
    if _NOT_IN_NAME.search(t) or _BAD_END.search(t) or (_BAD_LABEL_START if label else _BAD_START).match(t):
        return False
    # something must precede the body word: "检察院" alone names nobody
    m = _ENDS_WITH_SUFFIX.search(t)
    return m is not None and m.start() >= 2


def relative_level(name: str) -> str:
    """The level a name opens with when it names its body relative to a place it leaves out
    ("市国资委", "县文化广电旅游局" → 市, 县), else ""."""
    t = squash(name)
    return t[0] if _RELATIVE_START.match(t) and is_org_name(t) else ""


def is_full_name(text: str) -> bool:
    """An organisation name that starts with a proper name, not "市财政局" / "省政协办公厅"."""
    t = squash(text)
    return is_org_name(t) and not _RELATIVE_START.match(t)


def longest_name_prefix(text: str, *, label: bool = False) -> str:
    """The longest prefix of text that is an organisation name ("" when none).

    "上海市普陀区司法局部门编码" -> "上海市普陀区司法局".

    Args:
        text: the text.
        label: as for is_org_name.
    """
    t = squash(text)
    best = ""
    for m in SUFFIX_RE.finditer(t):
        cand = t[:m.end()]
        if len(cand) > MAX_LEN:
            break
        if is_org_name(cand, label=label):
            best = cand
    return best


# Words after a name that make the sentence about that body (its budget, its make-up), as
# against a body merely mentioned ("公务员事务局已鼓励…", "启德新医院、北区医院扩建…").
_OWN_CONTEXT = ("本级", "年度", "部门", "单位", "预算", "决算", "概况", "收入", "支出", "财政", "机关", "下设", "内设",
                "所属", "及其", "和所属", "主要职", "职能", "三公", "机构", "编制", "人员", "基本情况", "无下属", "设有")


def own_mentions(lines: list[str]) -> set[str]:
    """Names (canonical) the text speaks of as the subject of its figures or its make-up:
    followed by 本级 / 年度 / 预算 / 下设 … or a year ("渠县农业综合技术服务中心下设办公室…",
    "X2024年部门预算"), or standing alone on a line.

    Args:
        lines: text lines.
    """
    out: set[str] = set()
    for line in lines:
        t = re.sub(r"(?<=[\u4e00-\u9fff]) (?=[\u4e00-\u9fff])", "", to_halfwidth(line)).strip()
        for m in re.finditer(r"[\u4e00-\u9fff（）()]+", t):
            seg = m.group(0)
            for end in _ends(seg):
                rest = seg[end:]
                after = t[m.start() + end:m.start() + end + 6]
                # (or opening a line that says what it is: "忻州市第二实验小学是…事业单位")
                if not (rest.startswith(_OWN_CONTEXT) or re.match(r"\s*(?:19|20)\d{2}\s*年", after)
                        or (not rest and m.start() == 0 and m.end() == len(t))
                        or (rest.startswith("是") and m.start() == 0)):
                    continue
                for s in range(0, end - MIN_LEN + 2):
                    if is_org_name(seg[s:end]):
                        out.add(canonical(seg[s:end]))
                        break
    return out


def _ends(segment: str) -> list[int]:
    """End offsets in a segment where a name may end: an organisation word followed by the
    segment's end or by a word that does not continue a name."""
    out = []
    for m in SUFFIX_RE.finditer(segment):
        rest = segment[m.end():]
        if not rest or rest.startswith(_TERMINATORS) or rest[0] in "（(":
            out.append(m.end())
    return out


_DATE_WORD = re.compile(r"^(?:年度?|月|日)(?=[\u4e00-\u9fff])")


@lru_cache(maxsize=None)
def _digit_before(char: str) -> re.Pattern[str]:
    """A digit, maybe spaces, then char. Kept here: one pattern per character a segment
    starts with would otherwise crowd the re module's own cache of 512 patterns and make
    every module recompile the patterns it passes as strings."""
    return re.compile(r"\d\s*" + re.escape(char))


def names_in_text(lines: list[str]) -> Counter[str]:
    """Count the organisation names that occur in running text.

    A name starts at the start of a run of Chinese characters (after punctuation, a space,
    a digit or a tab) or right after a word like 纳入 / 按照 / 即 inside the run, and ends at
    an organisation word followed by the run's end or by a word that does not continue a name.
    Names are counted in their canonical form.

    Args:
        lines: text lines.
    """
    counts: Counter[str] = Counter()
    for line in lines:
        t = to_halfwidth(line)
        # a name wrapped by PDF extraction keeps a space between Chinese characters
        t = _WRAPPED_GAP.sub("", t)
        if not SUFFIX_RE.search(t):
            # no organisation word, so no segment has a place a name could end (most lines
            # of a document: table rows, sentences about money); one scan instead of many
            continue
        for seg in _SEGMENT.findall(t):
            # "2018年龙泉市…": a segment after a year starts after 年
            seg = _DATE_WORD.sub("", seg) if _digit_before(seg[:1]).search(t) else seg
            if len(seg) < MIN_LEN - 1:
                continue
            starts = {0} | {m.end() for m in _STARTERS.finditer(seg)}
            for end in _ends(seg):
                found = ""
                for s in sorted(starts):
                    if s >= end:
                        break
                    cand = seg[s:end]
                    if is_org_name(cand):
                        found = cand
                        break  # the longest name ending here
                if found:
                    counts[canonical(found)] += 1
    return counts


def most_frequent_name(lines: list[str]) -> tuple[str, int]:
    """The organisation name the text mentions most often, as (name, count).

    Only full names count ("市财政局" refers to a body, it does not name it); a tie goes to
    the longer name. ("", 0) when the text names none.
    """
    counts = names_in_text(lines)
    full = [(n, c) for n, c in counts.items() if is_full_name(n)]
    if not full:
        return "", 0
    # a full name also gets the mentions of its short forms ("省政协办公厅" in "江苏省政协办公厅")
    scored = []
    for n, c in full:
        short = sum(c2 for n2, c2 in counts.items() if n2 != n and len(n2) >= MIN_LEN and n.endswith(n2)
                    and _RELATIVE_START.match(n2))
        scored.append((c + short, len(n), n, c))
    scored.sort(reverse=True)
    total, _, name, _ = scored[0]
    if len(scored) > 1 and scored[1][0] == total:
        return "", 0  # a tie names nobody in particular
    return name, total
