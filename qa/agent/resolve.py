"""Which loaded department(s) a question is about: one, several (compare), ambiguous, or
a department that is not loaded."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from qa.agent.aliases import DepartmentAliases, Mention, candidates, find_mentions
from qa.text import lexicon

_ORG_RE = re.compile(r"[\u4e00-\u9fff]{2,14}?(?:局|委员会|厅|管理中心|服务中心|中心|办公室|医院|学校|法院|检察院|研究院|协会)")
# an office's item, not an office: "office running costs", "office supplies"
_EN_ITEM_AFTER = re.compile(r"\s+(?:running|operating|costs?|expenses|supplies|space|rent|equipment|buildings?)\b", re.I)
_EN_ORG_RE = re.compile(r"(?:\b[A-Za-z-]+\s+){0,3}\b(?:bureau|commission|department of \w+|centre|center|administration|office|ministry)\b", re.I)
# (a year's 年 or a conjunction never begins a place: "2018年省委办公厅" names no place 年省)
_REGION_BEFORE_RE = re.compile(r"((?:(?![年月日的和与及])[\u4e00-\u9fff]){2,8}?(?:省|市|州|县|区|盟|旗))\s*$")
_LATIN_BEFORE_RE = re.compile(r"\b([A-Z][a-z]{2,})\s*$")
_EN_STOP = {"The", "For", "How", "What", "Which", "Did", "Does", "Is", "Of", "In", "By", "To", "And", "Was"}


@dataclass
class Resolution:
    """Outcome of department resolution.

    Attributes:
        departments: resolved official names, in order of mention.
        ambiguous: candidate names when one mention fits several departments.
        not_loaded: a department-like name in the question that matches nothing loaded.
        spans: character spans of the mentions (removed from the metric phrase).
        places: spans of place names the question gives that no loaded department has.
        deictic: spans of words pointing at the body ("这个单位", "该局").
    """

    departments: list[str] = field(default_factory=list)
    ambiguous: list[str] = field(default_factory=list)
    not_loaded: str = ""
    spans: list[tuple[int, int]] = field(default_factory=list)
    places: list[tuple[int, int]] = field(default_factory=list)
    deictic: list[tuple[int, int]] = field(default_factory=list)


def _words(name: str) -> str:
    """A lexicon word list as a regex alternation (longest first)."""
    return "|".join(sorted(_LEX.cue_words[name].pattern.split("|"), key=len, reverse=True))


_LEX = lexicon.load()
_CJK = "[\u4e00-\u9fff]"
_DEICTIC_RE = re.compile(
    rf"(?:{_words('pointing')})(?:{_CJK}{{0,6}}?(?:{_words('body_words')})|(?:{_words('place_levels')}))?(?={_CJK}|\d|$)")
_WEAK_POINTING = set(_LEX.cue_words["pointing_weak"].pattern.split("|"))
_LEADING_BODY_RE = re.compile(rf"^{_CJK}{{0,6}}?(?:{_words('body_words')})(?=\s*(?:19|20)\d{{2}}\s*年)")
_PLACE_IN_QUESTION_RE = re.compile(
    rf"(?:^|(?<=[^\u4e00-\u9fff]))({_CJK}{{2,8}}?(?:{_words('place_levels')}))(?={_CJK}|\d)")
_NOT_PLACE_RE = re.compile(rf"^(?:{_words('not_place_start')})|{_words('not_in_place')}")
_SUB_PLACE_RE = re.compile(rf"(?!{_words('not_place_start')}){_CJK}{{2,4}}?(?:{_words('sub_place_levels')})(?={_CJK}|\d)")
POINTING_RE = re.compile(rf"^(?:{_words('pointing')})")
GENERIC_BODY_RE = re.compile(rf"(?:{_words('generic_body_words')})$")


def deictic_spans(text: str, taken: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans of words that point at the body asked about instead of naming it ("这个单位",
    "该局", "这家保健院", "他们", a place's level: "该县", "本市"): never part of the item asked for. A weak pointing word
    (本, 其, 该) points only when a body word follows it (本单位, 该局; not 本年, 其中)."""
    out = []
    for m in _DEICTIC_RE.finditer(text):
        a, b = m.span()
        word = m.group(0)
        lead = POINTING_RE.match(word)
        if lead and lead.group(0) in _WEAK_POINTING and len(word) <= len(lead.group(0)) + 1 and \
                not (len(word) > len(lead.group(0)) and re.fullmatch(f"{_words('body_words')}|{_words('place_levels')}",
                                                                     word[len(lead.group(0)):])):
            continue  # 本年, 其中, 其他: not a body
        if any(a < e and s < b for s, e in taken):
            continue
        out.append((a, b))
    return out


def leading_body_span(text: str, taken: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The span of a body word that opens the question before its year ("保健院2020年…",
    "军休单位2021年…"): said of the one page loaded, it names that page's body."""
    m = _LEADING_BODY_RE.match(text)
    if not m or any(s < m.end() for s, _ in taken if s == 0):
        return []
    return [m.span()]


def place_spans(text: str, taken: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans of place names in a question outside the spans already taken.

    A place is a run of two or more characters ending in a level word (lexicon
    place_levels) at the start of the question or after a non-Chinese character, and
    followed by more of the question ("广州白云区2013年…", "涪陵区2023年…"); scopes and
    times (区本级, 全市, 上半年) are not places.
    """
    out = []
    for m in _PLACE_IN_QUESTION_RE.finditer(text):
        a, b = m.span(1)
        if _NOT_PLACE_RE.search(m.group(1)):
            continue
        if any(a < e and s < b for s, e in taken):
            continue
        out.append((a, b))
    return out


def _names_body(span: str) -> bool:
    """Whether a run ending in an organisation word names a body: "审批系统升级改造项目里网厅"
    is an item's 网厅 (online hall), what follows the item's own words is too short a name."""
    words = lexicon.load().cue_words.get("item_before_body")
    tail = words.split(span)[-1] if words is not None else span
    return len(tail) >= 3


def _body_span(text: str, m: Mention) -> tuple[int, int]:
    i = text.find(m.body, m.start)
    return (i, i + len(m.body)) if i >= 0 else (m.start, m.end)


def _foreign_region(text: str, start: int, group: list[Mention], aliases: dict[str, DepartmentAliases]) -> str:
    """A place name right before the mention that belongs to none of the candidates (never
    for a body whose page names no place of its own: "市国资委" may be 南通's)."""
    if any(not aliases[x.official].region and aliases[x.official].bare_region_forms for x in group):
        return ""
    before = text[:start]
    m = _REGION_BEFORE_RE.search(before)
    if m:
        # "换成州社保中心": the words that switch a conversation over begin no place
        turn = lexicon.load().followup.get("turn_words")
        place = m.group(1)
        while turn is not None and (lead := turn.match(place)):
            place = place[lead.end():]
        if len(place) < 2:
            return ""
        forms = set().union(*(aliases[x.official].region_forms for x in group))
        if not any(place.endswith(f) or f.endswith(place) for f in forms):
            return place
    m = _LATIN_BEFORE_RE.search(before)
    if m and m.group(1) not in _EN_STOP:
        forms = set().union(*(aliases[x.official].latin_region_forms for x in group))
        if m.group(1).lower() not in forms:
            return m.group(1)
    return ""


def _elliptic(text: str, mentions: list[Mention], named: list[str],
              aliases: dict[str, DepartmentAliases]) -> list[str]:
    """Departments named by their place alone after a body was named ("昌吉的公积金中心和安阳的",
    "Changji's housing fund centre or Anyang's"): where a place occurs outside every mention,
    its one loaded department of the same kind as a department already named."""
    taken = [(m.start, m.end) for m in mentions if m.region]
    kinds = set().union(*(aliases[n].body_forms for n in named))
    low = text.lower()
    by_place: dict[int, list[str]] = {}
    for d in aliases.values():
        if d.official in named or not d.body_forms & kinds:
            continue
        found = [(text.find(f), f) for f in d.region_forms if len(f) >= 2 and text.find(f) >= 0]
        found += [(m.start(), f) for f in d.latin_region_forms
                  for m in [re.search(r"(?<![a-z])" + re.escape(f) + r"(?![a-z])", low)] if m]
        for i, f in found:
            if not any(s <= i < e for s, e in taken):
                by_place.setdefault(i, []).append(d.official)
                break
    return [ds[0] for _, ds in sorted(by_place.items()) if len(set(ds)) == 1]


def _unnamed_place_before(text: str, m, aliases: dict[str, DepartmentAliases]) -> int:
    """Where a place said right before a body whose page names no place starts ("南通市" of
    南通市国资委 for the page's 市国资委, "Daying " in English), else the mention's start."""
    a = aliases.get(m.official)
    if a is None or a.region or not a.bare_region_forms:
        return m.start
    before = text[:m.start]
    # (a place said bare, "南通国资委", opens the question or follows a pause)
    hit = _REGION_BEFORE_RE.search(before) or _LATIN_BEFORE_RE.search(before) \
        or re.search(r"(?:^|[\s,，、])([\u4e00-\u9fff]{2,3})$", before)
    if hit is None or (hit.re is _LATIN_BEFORE_RE and hit.group(1) in _EN_STOP):
        return m.start
    return hit.start(1)


def _with_prefix(text: str, m) -> int:
    """Where a mention starts, taking in the words of the official name just before what
    matched ("中共" of 中共江苏省委办公厅 matched as 江苏省委办公厅): never left in the metric."""
    said = text[m.start:m.end]
    at = m.official.find(said)
    for k in range(min(at, m.start), 0, -1):
        if at > 0 and text[m.start - k:m.start] == m.official[at - k:at]:
            return m.start - k
    return m.start


def resolve(text: str, aliases: dict[str, DepartmentAliases], *, want_all: bool = False) -> Resolution:
    """Resolve department mentions in a prepared question text.

    Args:
        text: halfwidth question with English department words translated.
        aliases: alias sets by official name (the loaded departments); an AliasIndex
            examines only those whose forms occur in the text.
        want_all: the question compares departments ("哪个部门…最多"): no mention means all.
    """
    res = Resolution()
    mentions = find_mentions(text, candidates(aliases, text))
    res.spans = [(min(_unnamed_place_before(text, m, aliases), _with_prefix(text, m)), m.end) for m in mentions]
    res.places = place_spans(text, res.spans)

    res.deictic = deictic_spans(text, res.spans + res.places)
    if not mentions:
        res.deictic += leading_body_span(text, res.spans + res.places + res.deictic)
    with_body = [m for m in mentions if m.body]
    if with_body:
        clusters: list[list[Mention]] = []
        for m in sorted(with_body, key=lambda x: _body_span(text, x)):
            s, e = _body_span(text, m)
            for c in clusters:
                cs, ce = _body_span(text, c[0])
                if s < ce and cs < e:
                    c.append(m)
                    break
            else:
                clusters.append([m])
        for c in clusters:
            regional = [m for m in c if m.region]
            pick = regional or c
            if len({m.region for m in regional}) > 1:
                # "安阳与昌吉两个公积金中心": every place named is meant
                res.departments.extend(x.official for x in regional if x.official not in res.departments)
                continue
            best = max(x.strength for x in pick)
            pick = [x for x in pick if x.strength == best]
            if not regional:
                foreign = _foreign_region(text, _body_span(text, c[0])[0], c, aliases)
                if foreign:
                    res.not_loaded = foreign + c[0].body
                    return res
            if len(pick) == 1:
                if pick[0].official not in res.departments:
                    res.departments.append(pick[0].official)
            elif want_all:
                res.departments.extend(x.official for x in pick if x.official not in res.departments)
            else:
                res.ambiguous = sorted({x.official for x in pick})
        if res.ambiguous and res.departments and not want_all:
            # "省委办公厅…党委办公厅事务": a bare body word inside an item's name (a word runs
            # into it), weaker than the department named, names nobody
            amb = [m for m in mentions if m.official in res.ambiguous]
            strong = min(m.strength for m in mentions if m.official in res.departments)
            if amb and all(not m.region and m.strength < strong and _inside_a_word(text, m) for m in amb):
                inner = {(m.start, m.end) for m in amb}
                res.spans = [sp for sp in res.spans if sp not in inner]
                res.ambiguous = []
        if res.ambiguous and res.departments and not want_all:
            # "公积金中心和机关事务局的房子": a loose name beside a body of one place is that
            # place's (in the order the question names them)
            places = set().union(*(aliases[d].region_forms for d in res.departments if d in aliases))
            same = [d for d in res.ambiguous if d in aliases and aliases[d].region_forms & places]
            if len(same) == 1:
                first = {m.official: m.start for m in reversed(mentions)}
                res.departments = sorted(res.departments + same, key=lambda d: first.get(d, len(text)))
                res.ambiguous = []
        if res.departments and not res.ambiguous:
            res.departments.extend(x for x in _elliptic(text, mentions, res.departments, aliases)
                                   if x not in res.departments)
        return res
    regional = [m for m in mentions if m.region]
    if regional:
        # "昌吉州财政局" / "the Changji education bureau": a place we know, followed by an
        # organisation we do not have
        after = text[max(m.end for m in regional):]
        org = _ORG_RE.match(after.lstrip()) or _ORG_RE.search(after[:16])
        en_org = _EN_ORG_RE.match(after.lstrip())
        if org is None and en_org and len(en_org.group(0).split()) >= 2:
            org = en_org  # "Changji education bureau" names a body; "the Changji centre" does not
        if org and not want_all:
            res.not_loaded = text[min(m.start for m in regional):max(m.end for m in regional)] + org.group(0)
            return res
        sub = _SUB_PLACE_RE.match(after)
        if sub and not want_all and not any(sub.group(0) in f or f in sub.group(0)
                                            for m in regional for f in aliases[m.official].region_forms | {m.official}):
            # "重庆江北区": a district of the place we know, not the body we have there
            res.not_loaded = text[min(m.start for m in regional):max(m.end for m in regional)] + sub.group(0)
            res.places = [p for p in res.places if p[0] >= max(m.end for m in regional) + len(sub.group(0))]
            return res
        names = sorted({m.official for m in regional})
        if len(names) == 1 or want_all:
            res.departments = names
        else:
            res.ambiguous = names
        return res
    # nothing matched: a named organisation we do not have? (never a run of words that ends in
    # a pointing word's body word: "…运行费占该局" points at the page, it names nobody)
    org = next((o for o in _ORG_RE.finditer(text)
                if not any(o.start() < e and s < o.end() for s, e in res.deictic) and _names_body(o.group(0))), None)
    if org and not want_all:
        res.not_loaded = org.group(0)
    else:
        named = _en_org_named(text)
        if named and not want_all:
            res.not_loaded = named
    return res


def _inside_a_word(text: str, m) -> bool:
    """A mention a Chinese word runs into from the left ("党委" + 办公厅), not one that opens
    the question or follows a joining word or particle."""
    before = text[m.start - 1] if m.start > 0 else ""
    return bool(re.match(r"[\u4e00-\u9fff]", before)) and not _LEX.cue_words["name_openers"].fullmatch(before)


def _en_org_named(text: str) -> str:
    """An English organisation a question names ("the Urumqi education bureau"), or "" when
    its words only point ("the center", "this office") or name an item ("office running costs")."""
    for m in _EN_ORG_RE.finditer(text):
        words = re.sub(r"^(?:\w+\s+)*(?:the|this|that|its|their|our|of|for|in|at|by|does|do|is|are|did)\s+",
                       "", m.group(0), flags=re.I).split()
        if len(words) < 2 or _EN_ITEM_AFTER.match(text[m.end():]):
            continue
        return " ".join(words)
    return ""
