"""Operand linking by ranking: score every fact of a document against a phrase of the
question, instead of cutting the question down to a label.

A phrase is a list of slots; a slot is one word of the question with the Chinese forms it
may take (an English word gives the morphemes of the lexicon's [english.words], a Chinese
phrase gives its own character pairs). A fact's descriptor is its row label (a project's
资金分配 line is "project:item", so both names count). The score is the IDF-weighted share of
the slots the descriptor covers (words every label has, 项目 or 管理, weigh little), times
how much of the label those slots explain, so the label the question best describes wins,
whatever the word order or language. This is schema linking as text-to-SQL systems do it,
with scores instead of a model.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from qa.agent import glossary
from qa.text import lexicon
from qa.tools.facts import Match, column_kind, norm_label, remembered
from qa.types import Fact

_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+|\d+")
_WORD = re.compile(r"[a-z][a-z0-9'-]*[a-z0-9]|\d{2,4}|[a-z]")

Slot = tuple[str, ...]
# glossary terms that name a kind of thing, not the thing: linked word by word instead
GENERIC_TERMS = frozenset({"项目", "服务", "货物", "工程", "收入", "支出"})


def grams(text: str, chars: bool = False) -> frozenset[str]:
    """Character pairs of each Chinese run (a lone character stands for itself) and whole
    numbers (1995); with chars, every single character too (what a label offers a one-
    character word such as 房)."""
    out: set[str] = set()
    for run in _CJK_RUN.findall(text):
        if run.isdigit():
            out.add(run)
            continue
        if len(run) == 1 or chars:
            out.update(run)
        out.update(run[i:i + 2] for i in range(len(run) - 1))
    return frozenset(out)


def english_slots(text: str) -> list[Slot]:
    """One slot per budget term of the glossary (IT → 信息化建设) and per other English
    word the lexicon knows, in question order."""
    words = lexicon.load().en_words
    out: list[Slot] = []
    rest = text
    for en, zh in glossary.english_terms(text):
        if zh not in GENERIC_TERMS:
            out.append((zh,))
            rest = re.sub(re.escape(en), " ", rest, count=1, flags=re.I)
    for w in _WORD.findall(rest.lower()):
        forms = words.get(w) or (words.get(w[:-1]) if w.endswith("s") else None)
        if forms:
            out.append(tuple(forms))
    return out


def chinese_slots(phrase: str) -> list[Slot]:
    """One slot per character pair of a Chinese phrase."""
    return [(g,) for g in sorted(grams(norm_label(phrase)))]


@dataclass(frozen=True)
class Linker:
    """IDF over one document's row labels, and the labels' grams."""

    idf: dict[str, float]
    labels: dict[str, frozenset[str]]  # normalised label -> its grams

    @classmethod
    def of(cls, facts: tuple[Fact, ...]) -> "Linker":
        labels = {norm_label(f.label): grams(norm_label(f.label), chars=True) for f in facts if f.label}
        df: dict[str, int] = {}
        for gs in labels.values():
            for g in gs:
                df[g] = df.get(g, 0) + 1
        n = max(1, len(labels))
        return cls({g: math.log(1 + n / (1 + c)) for g, c in df.items()}, labels)

    def _w(self, g: str) -> float:
        return self.idf.get(g, math.log(1 + len(self.labels)))  # unseen: as rare as can be

    def score(self, slots: list[Slot], label: str) -> float:
        """How well the slots describe one label, in [0, 1] (sums over sets of grams are
        exact, so a score never depends on the order a set is read in: equal labels tie on
        every run, not as the interpreter's hash seed falls)."""
        lg = self.labels.get(label) or grams(label)
        if not lg or not slots:
            return 0.0
        got = total = 0.0
        explained: set[str] = set()
        for slot in slots:
            best_cov, weight = 0.0, 0.0
            for form in slot:
                fg = grams(form)
                if not fg:
                    continue
                mass = math.fsum(self._w(g) for g in fg)
                cov = math.fsum(self._w(g) for g in fg & lg) / mass
                weight = max(weight, mass / len(fg))
                if cov > best_cov:
                    best_cov = cov
                explained |= (fg | set(form)) & lg
            got += weight * best_cov
            total += weight
        if total <= 0:
            return 0.0
        recall = got / total
        precision = math.fsum(self._w(g) for g in explained) / math.fsum(self._w(g) for g in lg)
        return recall * (0.5 + 0.5 * precision)


_LINKERS: dict[tuple[int, int], tuple[list[Fact], Linker]] = {}


def _linker(facts: list[Fact]) -> Linker:
    # one per fact list (a document's, as loaded): built on first use, then reused; the list
    # is kept with it, so a list read again after its document left the cache (a new object
    # that may get the old one's id) never gets another list's linker
    key = (id(facts), len(facts))
    hit = _LINKERS.get(key)
    if hit is None or hit[0] is not facts:
        if len(_LINKERS) > 512:
            _LINKERS.clear()
        hit = _LINKERS[key] = (facts, Linker.of(tuple(facts)))
    return hit[1]


LINK_ACCEPT = 0.45  # below this the best label is not what the phrase describes
LINK_MARGIN = 0.05  # a near tie between two labels is not a link
# a lower score still links when it stands far above every other label
LINK_CLEAR, LINK_CLEAR_MARGIN = 0.3, 0.2


def link(facts: list[Fact], slots: list[Slot], want: str = "total") -> list[Match]:
    """Facts ranked by how well their labels fit the slots; [] unless the best is clear.

    Args:
        facts: one document's facts.
        slots: the phrase (english_slots or chinese_slots).
        want: "total" (this year's figure), "prior" or "change": which column kind counts.
    """
    if not slots:
        return []
    memo = getattr(facts, "found", None)  # a FactList keeps what was ranked over it
    return remembered(memo, ("link", tuple(slots), want), lambda: _link(facts, slots, want))


def _link(facts: list[Fact], slots: list[Slot], want: str) -> list[Match]:
    lk = _linker(facts)
    by_label: dict[str, float] = {}
    for lab in lk.labels:
        by_label[lab] = lk.score(slots, lab)
    ranked = sorted(by_label.items(), key=lambda kv: -kv[1])
    if not ranked:
        return []
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    if ranked[0][1] < LINK_ACCEPT and not (ranked[0][1] >= LINK_CLEAR and ranked[0][1] - runner_up >= LINK_CLEAR_MARGIN):
        return []
    close = [lab for lab, sc in ranked if ranked[0][1] - sc < LINK_MARGIN]
    # a project and its own 资金分配 lines ("项目" and "项目:办公费") tie when the phrase
    # names only the project: the project is meant
    parents = [lab for lab in close if all(o == lab or o.startswith(lab) for o in close)]
    if len(close) > 1 and not parents:
        return []
    best = parents[0] if len(close) > 1 else ranked[0][0]
    rows = [f for f in facts if norm_label(f.label) == best and f.unit != "%"
            and column_kind(f.column) in ((want,) if want != "total" else ("total", "other"))]
    rows.sort(key=lambda f: (column_kind(f.column) != "total", f.line))
    return [Match(f, ranked[0][1]) for f in rows]
