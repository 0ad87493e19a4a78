"""Reading the operands of a question: the table a question is scoped to, and a metric
naming several things (A和B, A、B) split into the facts for each."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Callable

from qa.agent.allocations import allocation_item, allocation_items, held_in_order, project_of_amount
from qa.agent.context import DocData
from qa.agent.inside import scope_before_within, split_inside
from qa.agent.matching import best_matches, in_scope_table, not_the_scope
from qa.agent.understand import LEXICON, Program
from qa.tools.facts import NARROWING_TITLE_WORDS, TOTAL_LABELS, Match, find_facts, norm_label, states_amount, without_generic_suffix
from qa.types import Fact

_SPLIT_RE = re.compile(r"\s+|和|与|及|以及|、|加上|加|跟|同|,|，")


_STRONG_SEP = re.compile(r"[、,，+|]|加上|以及|加")
_WEAK_SEP = re.compile(r"\s+|和|与|跟|同|(?<!以)及")


def scope_of(metric: str) -> str:
    """The scope a metric phrase puts its item in ("住房公积金管理服务项目里 差旅费" →
    住房公积金管理服务项目), "" if none."""
    inside = split_inside(metric)
    return inside[0].strip() if inside else ""


def scope_named(dd: DocData, scope: str) -> bool:
    """Whether a document names a scope, as written or without its generic suffix."""
    forms = {scope, without_generic_suffix(scope), re.sub(r"项目$", "", scope)}
    return any(len(f) >= 2 and dd.mentions(f) for f in forms)


def scoped(q: Program) -> Program:
    """"上年结转结余里财政拨款比非财政拨款…": a leading scope applies to every part, read
    as a narrowing word (结转, 一般公共预算 …) on each."""
    inside = split_inside(q.metric, min_rest=4)
    words = q.metric.split()
    if not inside and len(words) >= 2 and (tail := scope_before_within(words[-1])):
        # "请保安加上维修保洁，…公共经办服务保障经费里合计多少": the scope said after the parts
        inside = (tail, " ".join(words[:-1]))
    if not inside:
        return q
    scope = norm_label(inside[0])
    words = [w for w in NARROWING_TITLE_WORDS if w in scope]
    rest = inside[1]
    if not words:
        # "基本支出中人员经费和公用经费": the scope says where the parts sit; a part that
        # is a row of the scope's own ("政府采购里服务比货物" → 政府采购服务) is read there first
        return Program(**{**q.__dict__, "metric": rest, "scope_words": [scope]})
    # the scope itself first: a whole whose parts the text states under its name
    # ("上年结转结余：财政拨款 1,662.80 万元"), then its narrowing words on each part
    return Program(**{**q.__dict__, "metric": rest, "narrow": list(dict.fromkeys(q.narrow + words)),
                    "scope_words": [scope] + words})


def _label_runs(word: str, weak: re.Pattern[str], score) -> list[str]:
    """The word cut at weak separators into the longest runs that are each a label
    ("住房保障支出和社会保障和就业支出" → 住房保障支出, 社会保障和就业支出); [] unless every
    run is one.

    Args:
        word: a metric phrase without spaces.
        weak: separators that may also sit inside a label (和 与 及).
        score: how well a text reads as one label (0..1).
    """
    segs = re.split(f"({weak.pattern})", word)
    tokens = segs[0::2]
    runs: list[str] = []
    i = 0
    while i < len(tokens):
        for j in range(len(tokens) - 1, i - 1, -1):
            cand = "".join(segs[2 * i: 2 * j + 1])
            if len(norm_label(cand)) >= 2 and score(cand) >= 0.9:
                runs.append(cand)
                i = j + 1
                break
        else:
            return []
    return runs if len(runs) > 1 else []


def segment_labels(text: str, labels: set[str]) -> list[str]:
    """The text cut into two or more consecutive row labels, fewest pieces first; [] when
    it is not such a run. Labels of one character never count."""
    n = len(text)
    best: list[list[str] | None] = [None] * (n + 1)
    best[0] = []
    for i in range(n):
        if best[i] is None:
            continue
        for j in range(i + 2, n + 1):
            piece = text[i:j]
            if piece in labels and (best[j] is None or len(best[j]) > len(best[i]) + 1):
                best[j] = best[i] + [piece]
    out = best[n]
    return out if out and len(out) >= 2 else []


def _two_named(text: str, weak: re.Pattern[str], best_one: Callable[[str], Match | None]) -> bool:
    """Whether a phrase matching one row whole is two names all the same: the row is a child
    row ("上年结转结余:一般公共预算拨款") whose parent and child the question names on either
    side of its separator ("上年结转结余比一般公共预算拨款" asks one against the other)."""
    pieces = [x for x in weak.split(text.strip()) if len(norm_label(x)) >= 2]
    if len(pieces) != 2 or not all((m := best_one(x)) is not None and m.score >= 0.9 for x in pieces):
        return False
    whole = best_one(re.sub(r"[\s|]", "", text))
    if whole is None:
        return False
    # (or a row and a column the question names apart: "人员经费减去住房公积金" is the 人员经费
    # less its 住房公积金, not the 住房公积金 row's 人员经费 cell)
    named = {norm_label(x) for x in pieces}
    return ":" in whole.fact.label or {norm_label(whole.fact.column), norm_label(whole.fact.label)} == named


def split_metrics(q: Program, dd: DocData, weak: re.Pattern[str] = _WEAK_SEP,
                  generic_as_total: bool = False) -> tuple[list[Fact], list[str]] | None:
    """Read the metric phrase as several metrics, each matching a fact.

    Strong separators (、 加 以及) always split; weak ones (和 与 spaces) only where the
    piece is not itself a label ("社会保障和就业支出" stays whole). A short part borrows the
    first part's prefix ("政府采购货物和服务" → 政府采购服务).
    """
    joined = re.sub(r"[\s|]", "", q.metric)
    # a funding scope said before every part, or outside the parts, narrows all of them; one
    # said inside a later part ("项目支出总数比一般公共预算的项目支出") narrows that part only
    said = norm_label(joined)
    shared = tuple(w for w in q.narrow if said.startswith(w) or w not in said)

    found: dict[str, Match | None] = {}

    def best_one(text: str) -> Match | None:
        # the phrase read whole, never through its pieces (each phrase searched once a call)
        if text not in found:
            narrow = tuple(dict.fromkeys(shared + tuple(w for w in q.narrow if w in text)))
            ms = find_facts(dd.facts, text, narrow_ok=narrow, limit=1)
            found[text] = ms[0] if ms else None
        return found[text]

    def as_one(text: str) -> float:
        m = best_one(text)
        return m.score if m else 0.0

    if as_one(joined) >= 0.95 and not _two_named(q.metric, weak, best_one):
        return None

    label_set: set[str] = set()

    def labels() -> set[str]:
        # built on first need, once: asked per word and again for the whole phrase
        if not label_set:
            label_set.update(norm_label(f.label) for f in dd.facts if f.label)
        return label_set
    parts: list[str] = []
    for piece in _STRONG_SEP.split(q.metric):
        piece = piece.strip()
        if len(norm_label(piece)) < 2:
            continue
        if as_one(re.sub(r"\s", "", piece)) >= 0.9 and not _two_named(piece, weak, best_one):
            parts.append(piece)
            continue
        # a space-separated word that is itself a label stays whole ("社会保障和就业支出
        # 卫生健康支出" from an English question is two names, not three)
        sub = []
        for word in piece.split():
            if len(norm_label(word)) < 2:
                continue
            if as_one(word) >= 0.9 and not _two_named(word, weak, best_one):
                sub.append(word)
                continue
            xs = _label_runs(word, weak, as_one) or [x for x in weak.split(word) if len(norm_label(x)) >= 2]
            w = norm_label(word)
            if len(xs) <= 1 and not any(w in lab for lab in labels()):
                # "水费电费、取暖费": labels written one after another inside one part (a
                # word some label holds, as 上年结转结余, is that label's)
                xs = segment_labels(w, labels()) or xs
            sub.extend(xs if len(xs) > 1 else [word])
        parts.extend(sub if len(sub) > 1 else [piece])
    generic = {"项目", "经费", "资金", "支出", "费用", "预算", "金额", "钱"}
    # a generic word set against another part in a difference ("支出比收入多多少") is the
    # page's total of it
    totals = {p: t for p in parts if generic_as_total and norm_label(p) in generic
              and (t := next((p.strip() + w for w in TOTAL_LABELS if as_one(p.strip() + w) >= 0.95), ""))}
    parts = [totals.get(p, p) for p in dict.fromkeys(parts) if norm_label(p) not in generic or p in totals]
    heads = LEXICON.cue_words.get("shared_heads")
    if len(parts) >= 3 and heads is not None and heads.fullmatch(norm_label(parts[-1])) \
            and as_one(re.sub(r"\s", "", parts[-1])) < 0.9:
        # "养老保险和职业年金缴费": a short head said once after the parts is every part's
        tail = re.sub(r"\s", "", parts[-1])
        parts = [p if norm_label(p).endswith(norm_label(tail)) or as_one(p) >= as_one(p + tail) else p + tail
                 for p in parts[:-1]]
    if len(parts) >= 3 and norm_label(parts[0]) in NARROWING_TITLE_WORDS:
        parts = parts[1:]  # "一般公共预算安排的会议费和培训费": the funding scope of both, not a part
    for i in range(len(parts) - 2, 0, -1):
        if any(norm_label(parts[i]).endswith(w) for w in NARROWING_TITLE_WORDS) and len(norm_label(parts[i])) <= 8:
            # "项目支出总数比一般公共预算的项目支出": a funding scope after the first part is the
            # next part's own
            parts[i:i + 2] = [parts[i].strip() + parts[i + 1].strip()]
    if len(parts) >= 3:
        # "政府采购，服务类比货物类": a whole named first, then its parts (政府采购服务, 政府采购货物)
        head = re.sub(r"\s", "", parts[0])
        inner = [head + re.sub(r"\s", "", p) for p in parts[1:]]
        if all(as_one(x) >= 0.9 and as_one(x) > as_one(re.sub(r"\s", "", p)) for x, p in zip(inner, parts[1:])):
            parts = inner
    if len(parts) < 2:
        # "水费电费": labels written one after another with nothing between them
        parts = segment_labels(norm_label(joined), labels())
    if len(parts) < 2:
        return None
    facts, names = [], []
    first = norm_label(parts[0])
    # "612万那个项目里咨询费和委托业务费": the parts are lines of the project the amount names
    pointed = project_of_amount(dd, getattr(q, "amounts", ()))
    if len(parts) >= 3:
        # "那个管理服务项目，出差的钱和培训的钱哪个多": the parts are lines of the project the
        # question names, when it names one whose lines they are (the one its amount points at,
        # if it restates one: "管理服务项目（612万那个），福利费加咨询费")
        named = allocation_items(dd, parts[0])
        if named is not None and pointed in (None, named[0]) \
                and all(allocation_item(dd, named[0], p) is not None for p in parts[1:]):
            pointed, parts = named[0], parts[1:]  # (the project's own name is no part)
    # "一般公共预算和政府性基金预算上年结转": a funding scope on the last part applies to all
    tail_words = [w for w in ("结转",) if w in norm_label(parts[-1])]
    for i, p in enumerate(parts):
        line = allocation_item(dd, pointed, p) if pointed else None
        if line is None and not pointed:
            # "管理服务项目里，差旅费和其他交通费用": a line of the project the scope names
            line = next((x for w in getattr(q, "scope_words", []) if (x := allocation_item(dd, w, p)) is not None), None)
        if line is not None:
            facts.append(line)
            names.append(p)
            continue
        ms = []
        qp = q if set(shared) == set(q.narrow) else \
            replace(q, narrow=list(dict.fromkeys(shared + tuple(w for w in q.narrow if w in norm_label(p)))))
        plain = best_matches(dd, p, "total", qp)
        scope_words = list(getattr(q, "scope_words", []))
        scope_words += [w for w in tail_words if w not in norm_label(p) and w not in scope_words]
        for w in scope_words:
            # read inside the scope first: a line of the scope's own table (基本支出表's 电费),
            # else the scope's words read with the part; never the scope's own total
            ms = in_scope_table(plain, w) or not_the_scope(best_matches(dd, w + p, "total", q), w)
            if ms:
                break
        ms = ms or plain
        np_ = norm_label(p)
        if i and len(np_) <= 3 and (not ms or ms[0].score < 0.9) and len(first) > len(np_):
            borrowed = first[: len(first) - len(np_)] + np_
            ms2 = best_matches(dd, borrowed, "total", q)
            if ms2 and not any(ms2[0].fact is f for f in facts) and (not ms or ms2[0].score > ms[0].score):
                ms, p = ms2, borrowed  # (never a reading that is the first part again)
        if not ms and without_generic_suffix(p) != p.strip():
            ms = best_matches(dd, without_generic_suffix(p), "total", q)  # "信息化项目": the project 信息化建设
        if not ms:
            held = held_in_order(dd, p)  # "95年前生活费": a name said with words left out
            ms = [Match(held, 0.9)] if held is not None else []
        if not ms:
            return None
        facts.append(ms[0].fact)
        names.append(p)
    if len({(f.line, f.label, f.column) for f in facts}) < len(facts):
        return None  # two names for one figure: not a sum of different things
    return _in_one_measure(facts, names, dd, q), names


_MEASURES = ("价值", "面积", "数量")


def _in_one_measure(facts: list[Fact], names: list[str], dd: DocData, q: Program) -> list[Fact]:
    """"房子、车、家具和其他资产价值": a measure said once after the parts (价值, 面积) is
    every part's; a part first read in another measure (房屋's 面积, 车辆's 数量) is read again in it."""
    said = norm_label(q.metric)
    measure = next((m for m in _MEASURES if said.endswith(m)), facts[-1].column)
    if measure not in _MEASURES or all(f.column == measure for f in facts):
        return facts
    out = []
    for f, p in zip(facts, names):
        if f.column != measure:
            again = best_matches(dd, (p if norm_label(p).endswith(measure) else p + measure), "total", q)
            f = again[0].fact if again and again[0].fact.column == measure else f
        out.append(f)
    return out


def missing_part(q: Program, dd: DocData) -> str:
    """A part of a several-part metric ("A和B") the document has no figure for, when the
    phrase is not itself one label and some other part is found; else ""."""
    joined = re.sub(r"[\s|]", "", q.metric)
    whole = best_matches(dd, joined, "total", q)
    if not re.search(r"、|和|与|及|加", joined) or (whole and whole[0].score >= 0.9):
        return ""  # "社会保障和就业支出" is one label
    parts = [p for p in re.split(r"、|和|与|以及|及|加上|加|\s+", q.metric) if len(norm_label(p)) >= 2]
    if len(parts) < 2:
        return ""
    found = [bool(best_matches(dd, p, "total", q)) for p in parts]
    if any(found) and not all(found):
        return parts[found.index(False)].strip()
    return ""


def restated_operands(q: Program, dd: DocData) -> tuple[list[Fact], list[str]] | None:
    """"一般公共预算增加了731.48万，可总收支才加了664.48万，差多少": the figures a question
    restates are its operands, each the document's own figure of that amount (its table row
    before a sentence restating it); None unless every amount is one the document states."""
    amounts = getattr(q, "amounts", ())
    if len(amounts) < 2:
        return None
    facts: list[Fact] = []
    for a in amounts:
        hits = [f for f in dd.facts if states_amount(f, (a,))]
        if not hits:
            return None
        facts.append(min(hits, key=lambda f: (f.source != "table", f.line)))
    if len({(f.line, f.label, f.column) for f in facts}) < len(facts):
        return None
    return facts, [f.label for f in facts]
