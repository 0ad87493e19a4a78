"""Score one answer (Answer.to_dict() form) against one gold item.

Rules by item kind:
    numeric (item has "value"): status answered and the value within 0.01 (in the gold
        unit) after unit conversion (元/千元/万元/亿元 via qa.text.normalize.convert;
        % and counts as they are; a % gold written to fewer than 2 decimals is met by an
        answer that rounds to it); for yoy/diff/compare the magnitude is scored, a compare
        also by the margin the answer states (who leads, by how much) and a yoy % gold by
        the rate the answer states beside the amount (and a yoy amount gold by the amount
        stated beside a rate).
    unanswerable: status == "not_found".
    ambiguous: status == "ambiguous" and every gold candidate named (substring either
        way, after normalisation) in the answer's candidates or text.
    list: recall of "items" over answer text + citation quotes >= LIST_RECALL.
    text: every "must_include" string present in answer text or citation quotes; a
        string "a|b" accepts either alternative.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from qa.text.normalize import convert, squeeze, to_halfwidth
from qa.types import UNIT_TO_YUAN

LIST_RECALL = 0.8
SIGNLESS_TYPES = ("yoy", "diff", "compare")
# Absolute tolerance in the gold unit: gold figures are printed to 2 decimals, so an
# answer that rounds the other way at the last printed digit still counts.
ABS_TOL = 0.01
REL_TOL = 1e-6


@dataclass(frozen=True)
class ItemScore:
    """Outcome for one item."""

    correct: bool
    reason: str


def norm(text: str) -> str:
    """Comparison form: halfwidth, no whitespace, lower case, unified quotes."""
    t = squeeze(to_halfwidth(text or "")).lower()
    return re.sub(r"[“”\"'‘’「」]", "", t)


def _haystack(answer: dict[str, Any]) -> str:
    parts = [answer.get("answer") or "", answer.get("computation") or ""]
    parts += [c.get("quote", "") for c in answer.get("citations") or []]
    parts += list(answer.get("candidates") or [])
    return norm(" ".join(parts))


def _units_compatible(gold_unit: str, unit: str | None) -> bool:
    """Money converts to money; % only matches %; counts (人/个/辆/名/期…) match each other.
    A rate per thing (元/年/人, 万元/辆) is read by what it measures in (元, 万元)."""
    if not unit or unit == gold_unit:
        return True
    gold_unit, unit = gold_unit.split("/", 1)[0], unit.split("/", 1)[0]
    money = (gold_unit in UNIT_TO_YUAN, unit in UNIT_TO_YUAN)
    if any(money):
        return all(money)
    pct = (gold_unit == "%", unit == "%")
    return not any(pct)


def _tolerance(item: dict[str, Any], gold_unit: str) -> float:
    """ABS_TOL, or for a percentage half a unit of the gold's last written digit: a gold
    written 46.4 (%) is met by 46.36, as a reader rounding to the gold's precision would."""
    gold = float(item["value"])
    tol = ABS_TOL + REL_TOL * abs(gold)
    if gold_unit == "%":
        written = repr(item["value"])
        decimals = len(written.split(".", 1)[1]) if "." in written and "e" not in written else 0
        if decimals < 2:
            tol = max(tol, 0.5 * 10 ** -decimals + REL_TOL * abs(gold))
    return tol


def score_numeric(item: dict[str, Any], answer: dict[str, Any]) -> ItemScore:
    """Numeric item: answered, compatible unit, value within tolerance (or, for a change or
    a comparison, the rate or margin the answer states beside its value)."""
    if answer.get("status") != "answered":
        return ItemScore(False, f"status {answer.get('status')}")
    got = answer.get("value")
    if got is None:
        return ItemScore(False, "no value")
    gold_unit = item.get("unit") or ""
    gold = float(item["value"])
    tol = _tolerance(item, gold_unit)
    # "比上年涨了多少" is answered by the amount and the rate beside it; a gold may hold either
    rate = answer.get("rate")
    if item.get("type") == "yoy" and gold_unit == "%" and rate is not None and abs(abs(float(rate)) - abs(gold)) <= tol:
        return ItemScore(True, "rate ok")
    change, change_unit = answer.get("change"), answer.get("change_unit")
    if item.get("type") == "yoy" and change is not None and change_unit and gold_unit != "%" \
            and _units_compatible(gold_unit, change_unit) \
            and abs(abs(convert(float(change), change_unit, gold_unit)) - abs(gold)) <= tol:
        return ItemScore(True, "change ok")  # "降了多少" answered by the rate, the amount beside it
    unit = answer.get("unit")
    if not _units_compatible(gold_unit, unit):
        return ItemScore(False, f"unit {unit} vs {gold_unit}")
    got_conv = convert(float(got), unit, gold_unit) if unit else float(got)
    if abs(got_conv - gold) <= tol:
        return ItemScore(True, "value ok")
    # "比去年少了多少" may be answered as -2 or as 2 with the word 减少: the direction is
    # carried by the wording, so changes and differences are scored on magnitude.
    if item.get("type") in SIGNLESS_TYPES and abs(abs(got_conv) - abs(gold)) <= tol:
        return ItemScore(True, "value ok (magnitude)")
    # "A和B哪个多" is answered by who and by how much; a gold may hold either figure
    margin = answer.get("margin")
    if item.get("type") == "compare" and margin is not None and unit:
        if abs(abs(convert(float(margin), unit, gold_unit)) - abs(gold)) <= tol:
            return ItemScore(True, "margin ok")
    return ItemScore(False, f"value {got_conv:.4f} vs {gold}")


def _present(needle: str, hay: str) -> bool:
    return any(norm(alt) and norm(alt) in hay for alt in needle.split("|"))


def score_text(item: dict[str, Any], answer: dict[str, Any]) -> ItemScore:
    """Text item: all must_include strings present."""
    if answer.get("status") != "answered":
        return ItemScore(False, f"status {answer.get('status')}")
    hay = _haystack(answer)
    missing = [s for s in item.get("must_include") or [] if not _present(s, hay)]
    return ItemScore(not missing, "all present" if not missing else f"missing {missing}")


_AMOUNT = re.compile(r"[约共计合]*\d[\d,.]*\s*(?:万元|亿元|千元|元|万|个|人|辆|项|台|%)?")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff][\u4e00-\u9fff（）()“”]*[\u4e00-\u9fff）)]")


def answer_items(text: str) -> list[str]:
    """The names a gold answer lists when the item gives no "items" ("7个科室：办公室、城建科…",
    "…(公共机构节能项目, 20万元) and …"): the Chinese runs after its first colon, amounts
    and bracketed amounts removed."""
    body = re.split(r"[：:]", text, maxsplit=1)[-1]
    body = re.sub(r"[（(]\s*[\d,.]+\s*(?:万元|万|元|%)?\s*[)）]", " ", body)
    body = _AMOUNT.sub(" ", body)
    out = []
    for run in _CJK_RUN.findall(body):
        run = run.strip("（()）“”")
        if len(run) >= 2 and run not in ("万元", "亿元", "合计", "共计") and run not in out:
            out.append(run)
    return out


def score_list(item: dict[str, Any], answer: dict[str, Any]) -> ItemScore:
    """List item: recall of gold items >= LIST_RECALL (items read from the gold answer's
    text when the item gives none)."""
    if answer.get("status") != "answered":
        return ItemScore(False, f"status {answer.get('status')}")
    hay = _haystack(answer)
    gold = item.get("items") or answer_items(str(item.get("answer") or ""))
    found = sum(1 for s in gold if _present(s, hay))
    recall = found / len(gold) if gold else 0.0
    return ItemScore(recall >= LIST_RECALL, f"recall {recall:.2f}")


# Common abbreviations of department names, so "昌吉州公积金中心" names
# "昌吉回族自治州住房公积金管理中心". Applied to both sides before comparing; dropping
# 市/州/县 loses little when whole department names are compared.
_DEPT_ABBREV = (
    ("回族自治州", ""), ("自治州", ""), ("住房和城乡建设局", "住建局"),
    ("住房公积金管理中心", "公积金中心"), ("社会保险中心", "社保中心"),
    ("机关事务管理局", "机关事务局"), ("市", ""), ("州", ""), ("县", ""),
)


def dept_key(name: str) -> str:
    """Department name in abbreviated comparison form."""
    k = norm(name)
    for full, short in _DEPT_ABBREV:
        k = k.replace(full, short)
    return k


def _candidate_named(cand: str, named: list[str], text: str) -> bool:
    c = dept_key(cand)
    keys = [dept_key(n) for n in named]
    return any(k and (c in k or k in c) for k in keys) or c in dept_key(text)


def score_ambiguous(item: dict[str, Any], answer: dict[str, Any]) -> ItemScore:
    """Ambiguous item: status ambiguous and every gold candidate named."""
    if answer.get("status") != "ambiguous":
        return ItemScore(False, f"status {answer.get('status')}")
    named = list(answer.get("candidates") or [])
    text = norm(answer.get("answer") or "")
    missing = [c for c in item.get("candidates") or [] if not _candidate_named(c, named, text)]
    return ItemScore(not missing, "candidates named" if not missing else f"missing {missing}")


def score_item(item: dict[str, Any], answer: dict[str, Any]) -> ItemScore:
    """Score one answer dict against one gold item (dispatch by kind).

    Args:
        item: the gold item.
        answer: Answer.to_dict() of the system's answer.
    """
    typ = item.get("type")
    if typ == "unanswerable":
        ok = answer.get("status") == "not_found"
        return ItemScore(ok, f"status {answer.get('status')}")
    if typ == "ambiguous":
        return score_ambiguous(item, answer)
    if item.get("value") is not None:
        return score_numeric(item, answer)
    if typ == "list" or item.get("items"):
        return score_list(item, answer)
    return score_text(item, answer)


def faithful_citations(answer: dict[str, Any], doc_squeezed) -> tuple[int, int]:
    """Count citation quotes found verbatim (apart from whitespace) in their document.

    Args:
        answer: Answer.to_dict().
        doc_squeezed: document name -> full text with whitespace removed (see
            qa.text.normalize.squeeze), or None when the document is unknown.

    Returns:
        (found, total).
    """
    found = total = 0
    for c in answer.get("citations") or []:
        total += 1
        text = doc_squeezed(c.get("doc", ""))
        q = squeeze(c.get("quote", ""))
        if text is not None and q and q in text:
            found += 1
    return found, total
