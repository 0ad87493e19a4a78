"""The average operation: a money figure per counted thing ("车均价值", "人均经费",
"how much per vehicle"), both operands found as figures and divided by the executor."""

from __future__ import annotations

import re
from dataclasses import replace

from qa.agent.context import DocData
from qa.agent.matching import best_matches
from qa.agent.outcome import Outcome, answered, doc_label, doc_label_en, not_found
from qa.agent.understand import LEXICON, Program
from qa.tools import ops
from qa.tools.facts import norm_label
from qa.types import UNIT_TO_YUAN


def counted_over(question: str, lang: str) -> tuple[str, str] | None:
    """The row counting what an average is over and its measure word (车辆, 辆), read from
    the question's average cue first, then from the whole question; None if it names none."""
    cue = LEXICON.cue(lang, "average")
    text = question if lang == "zh" else question.lower()
    m = cue.search(text) if cue is not None else None
    # (the words in the lexicon's order, the more particular first: "在职人均" is over the
    # serving staff although the cue 人均 says 人)
    for word, over in LEXICON.average_over.items():
        for where in ([m.group(0)] if m else []) + [text]:
            if (word in where) if lang == "zh" else re.search(r"\b" + re.escape(word) + r"s?\b", where):
                return over
    return None


def _without_cue(metric: str, lang: str) -> str:
    cue = LEXICON.cue(lang, "average")
    return norm_label(cue.sub("", metric) if cue is not None else metric)


def _stated_count(question: str, dd: DocData, amount, measure: str):
    """The page's count a question names ("按885人算"), the one beside the amount's item
    first; None when the question names none or the page states no such count."""
    pat = LEXICON.cue_words.get("stated_count")
    m = pat.search(question) if pat is not None else None
    if m is None:
        return None
    n = float(m.group("n"))
    same = [f for f in dd.facts if f.value == n and f.unit in (measure, "人" if m.group("unit") == "名" else m.group("unit"))]
    same.sort(key=lambda f: (norm_label(f.label.split(":", 1)[0]) != norm_label(amount.label.split(":", 1)[0]),
                             abs(f.line - amount.line)))
    return same[0] if same else None


def do_average(q: Program, dd: DocData) -> Outcome:
    # (a follow-up written out in Chinese may be answered in English: read it as written)
    over = counted_over(q.question, "zh") or counted_over(q.question, "en")
    if over is None:
        return not_found("average", "没能从问题中看出是按什么平均。", "I could not tell what the average is per.", dd)
    label, measure = over
    counted = Program(**{**q.__dict__, "metric": label, "op": "count", "count_units": [measure]})
    counts = [m for m in best_matches(dd, label, "total", counted) if m.fact.unit == measure]
    item = _without_cue(_without_cue(q.metric, "zh"), "en")
    amounts, found = [], label
    # "车均价值": the value of the 车辆, or a figure named by the words alone ("车均运行费":
    # 公务用车运行费), whichever reads better; the counted thing's first on a tie
    for form in dict.fromkeys([item if item.startswith(label) else label + item, item] if item else [label]):
        if len(form) < 2:
            continue
        # (the amount is money: "按在职人数算" names the count, it asks no count)
        got = [m for m in best_matches(dd, form, "total", replace(q, metric=form, count_units=[]))
               if m.fact.unit in UNIT_TO_YUAN]
        if got and (not amounts or got[0].score > amounts[0].score + 0.02):
            amounts, found = got, form
    if not counts or not amounts:
        what = f"{item or label}/{label}"
        return not_found("average", f"{doc_label(dd)}未披露计算“{what}”平均数所需的数字。",
                         f"{doc_label_en(dd)} does not disclose the figures for an average of {what}.", dd)
    amount, count = amounts[0].fact, counts[0].fact
    own = [f for f in dd.facts if f.unit == measure and ":" in f.label
           and norm_label(f.label.split(":", 1)[0]) == norm_label(amount.label)]
    if own:
        count = own[0]  # "人均一年多少" of a subsidy: over the people it is paid to (补贴人数), not the staff
    said = _stated_count(q.question, dd, amount, measure)
    if said is not None:
        count = said  # "按885人算": the page's figure of the count the question names
    res = ops.per_item(amount, count)
    if res.value is None:
        return not_found("average", f"{doc_label(dd)}的{label}为 0，无法平均。", f"{label} is 0 in {doc_label_en(dd)}.", dd)
    return answered("average", dd, res, f"{found}平均每{measure}")
