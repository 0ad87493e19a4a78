"""The lexicon (qa/text/lexicon.toml), loaded once: cue words per operation, filler words,
everyday ↔ formal budget terms, English terms, counted things.

Words live in the data file, not in code, so that a new phrasing is met by one entry
there. This module only reads and compiles; it decides nothing about a question.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from qa.text.covering import CoveringAlternation
from qa.text.normalize import to_halfwidth
from qa.text.words import word_starts

LEXICON_PATH = Path(__file__).with_name("lexicon.toml")


@dataclass(frozen=True)
class Lexicon:
    """The parsed lexicon.

    Attributes:
        zh_cues: (operation, compiled alternation) in the order they are tried.
        en_cues: the same for English questions (matched on the lower-cased text).
        cue_words: operation → extra cue patterns that are not tried in order
            (e.g. "each", "sum_all", "which_project") keyed by name.
        filler: the Chinese filler words, matched to cover the most text (their order does not matter).
        colloquial: (everyday phrase, formal term), longest phrase first.
        en_terms: English term → Chinese term.
        en_departments: English department words → Chinese.
        en_names: Chinese term → English name for answers (overrides).
        plural_only: English terms matched only as written.
        counted: everyday name of a counted thing → the documents' row label.
        formal_terms: every formal term the lexicon rewrites to (never rewritten inside).
        followup: name → alternation of the words a follow-up turn uses (references
            back to a department or to items, turn-taking words, relative years).
        followup_amount: words asking, after a count, the money the counted things involve.
        followup_bodies: English words that point back at a department of the conversation
            by its kind of body ("the bureau" → 局).
        ordinals: words that point at one item of the previous answer by its place
            (第一个 → 1, 最后一个 → -1).
        reason_context: kind ("baselines", "directions") → name → words; what a reason
            is stated against (上年, 预算) and which way the figure moved (增加, 减少).
        average_over: word naming a counted thing → (the row counting it, its measure
            word), for averages ("车均" → 车辆, 辆).
        excluded_as: English word for a part of a figure → the documents' column word.
        headlines: title word → the figure a page with that title reports, tried in order.
        wholes: a figure defined as the sum of parts → those parts.
    """

    zh_cues: tuple[tuple[str, re.Pattern[str]], ...]
    en_cues: tuple[tuple[str, re.Pattern[str]], ...]
    cue_words: dict[str, re.Pattern[str]]
    filler: CoveringAlternation
    colloquial: tuple[tuple[str, str], ...]
    en_terms: dict[str, str]
    en_departments: dict[str, str]
    en_names: dict[str, str]
    plural_only: frozenset[str]
    counted: dict[str, str]
    size: int
    formal_terms: re.Pattern[str]
    followup: dict[str, re.Pattern[str]]
    op_names: dict[str, str]
    en_words: dict[str, tuple[str, ...]]
    en_count_terms: tuple[str, ...]
    en_fallback_terms: dict[str, str]
    ordinals: dict[str, int] = field(default_factory=dict)
    followup_bodies: dict[str, str] = field(default_factory=dict)
    followup_amount: re.Pattern[str] | None = None
    reason_context: dict[str, dict[str, re.Pattern[str]]] = field(default_factory=dict)
    average_over: dict[str, tuple[str, str]] = field(default_factory=dict)
    excluded_as: dict[str, str] = field(default_factory=dict)
    # a word of a page's title → the figure such a page reports ("三公" → 三公经费), in order
    headlines: tuple[tuple[str, str], ...] = ()
    # a figure defined as the sum of its parts (三公经费 → its three items)
    wholes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # words that set one item apart from another of the same kind (上年 vs 年终): a label
    # with one is never the other's
    contrasts: tuple[tuple[str, ...], ...] = ()
    # (part of an official body name, how it is shortened): 住房和城乡建设局 → 住建局
    body_abbreviations: tuple[tuple[str, str], ...] = ()
    # the English head-count term the others narrow (实有人数 beside 在职人数)
    en_generic_count_terms: tuple[str, ...] = ()

    def formalize(self, text: str) -> str:
        """Everyday words for budget items rewritten to the documents' formal terms
        ("出差的钱" → "差旅费的钱"), longest phrase first, never where the formal term is
        already written (so "因公出国（境）费" is not rewritten through its 出国)."""
        bare = _QUOTES.sub("", text)  # "“三公”经费" writes the formal 三公经费 too
        for phrase, formal in self.colloquial:
            rest = bare.replace(phrase, " ")  # the formal term inside the phrase itself (买服务) is not written
            if phrase in text and formal not in phrase and re.search(re.escape(phrase) + r"\s*的?\s*" + re.escape(formal), text):
                # "坐车出差的差旅费": the everyday words describe the formal term they stand before
                text = re.sub(re.escape(phrase) + r"\s*的?\s*(?=" + re.escape(formal) + ")", "", text)
                continue
            if phrase not in text or formal in rest or to_halfwidth(formal) in rest:
                continue
            # 「…」 holds a name as the document prints it (a follow-up's items): never rewritten
            covered = self._formal_spans(text) + [(m.start(), m.end() + 1) for m in _LITERAL.finditer(text)]
            out, pos = [], 0
            for m in re.finditer(re.escape(phrase), text):
                if any(s <= m.start() and m.end() <= e and e - s > len(phrase) for s, e in covered):
                    continue  # "用车" inside "公务用车购置费" is already formal
                if _begins_formal(text, m.start(), m.end(), phrase, formal):
                    continue  # "因公出国(境)计划": the formal term's own words, cut short
                if _CJK.match(phrase) and m.start() not in word_starts(text):
                    continue  # "支出差了多少": 出差 would begin inside 支出
                if len(phrase) == 1 and m.end() not in word_starts(text):
                    continue  # one character is a word only alone: 车 of 房子、车、家具, never of 车型
                out += [text[pos:m.start()], formal]
                pos = m.end()
            text = "".join(out) + text[pos:]
        return text

    def _formal_spans(self, text: str) -> list[tuple[int, int]]:
        return [(m.start(), m.end()) for m in self.formal_terms.finditer(text)]

    def cue(self, lang: str, op: str) -> re.Pattern[str] | None:
        """The compiled cue alternation of one operation in one language."""
        for name, pat in self.zh_cues if lang == "zh" else self.en_cues:
            if name == op:
                return pat
        return None


_LITERAL = re.compile("「[^」]*」")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_QUOTES = re.compile("[\"'“”‘’「」『』]")


def _alternation(patterns: list[str], flags: int = 0) -> re.Pattern[str]:
    return re.compile("|".join(patterns), flags)


def parse(data: dict) -> Lexicon:
    """Build a Lexicon from the TOML document's data (pure; see load)."""
    cues = data.get("cues", {})
    zh = tuple((c["op"], _alternation(c["patterns"])) for c in cues.get("zh", []))
    en = tuple((c["op"], _alternation(c["patterns"], re.I)) for c in cues.get("en", []))
    words = {name: _alternation(pats, re.I) for name, pats in data.get("cue_words", {}).items()}
    colloquial = sorted(data.get("colloquial", {}).items(), key=lambda kv: -len(kv[0]))
    english = data.get("english", {})
    size = (sum(len(c["patterns"]) for c in cues.get("zh", []) + cues.get("en", []))
            + sum(len(p) for p in data.get("cue_words", {}).values())
            + len(data.get("filler", {}).get("zh", [])) + len(colloquial)
            + len(english.get("terms", {})) + len(english.get("departments", {}))
            + len(english.get("names", {})) + len(data.get("counted", {}))
            + len(english.get("words", {})))
    return Lexicon(
        zh_cues=zh,
        en_cues=en,
        cue_words=words,
        filler=CoveringAlternation.compile(data.get("filler", {}).get("zh", ["$^"])),
        colloquial=tuple(colloquial),
        en_terms=dict(english.get("terms", {})),
        en_departments=dict(english.get("departments", {})),
        en_names=dict(english.get("names", {})),
        plural_only=frozenset(english.get("plural_only", [])),
        counted=dict(data.get("counted", {})),
        size=size + sum(len(v) for v in data.get("followup", {}).values()) + len(data.get("ordinals", {})) + len(data.get("followup_bodies", {}))
        + len(data.get("followup_amount", {}).get("words", []))
        + sum(len(ws) for names in data.get("reason_context", {}).values() for ws in names.values())
        + len(data.get("average_over", {})) + len(data.get("excluded_as", {}))
        + len(data.get("body_abbreviations", {}).get("rules", [])),
        op_names=dict(data.get("op_names", {})),
        en_count_terms=tuple(english.get("count_terms", [])),
        en_generic_count_terms=tuple(english.get("generic_count_terms", [])),
        en_fallback_terms=dict(english.get("fallback_terms", {})),
        en_words={w: tuple(v.split()) for w, v in english.get("words", {}).items()},
        followup={name: _alternation(sorted(words, key=len, reverse=True), re.I)
                  for name, words in data.get("followup", {}).items()},
        followup_amount=_alternation(data["followup_amount"]["words"], re.I) if data.get("followup_amount", {}).get("words") else None,
        followup_bodies=dict(sorted(data.get("followup_bodies", {}).items(), key=lambda kv: -len(kv[0]))),
        average_over={w: tuple(v.split("|", 1)) for w, v in data.get("average_over", {}).items()},
        excluded_as=dict(data.get("excluded_as", {})),
        headlines=tuple(data.get("headlines", {}).items()),
        wholes={k: tuple(v) for k, v in data.get("wholes", {}).items()},
        contrasts=tuple(tuple(g) for g in data.get("contrasts", {}).get("groups", [])),
        body_abbreviations=tuple((a, b) for a, b in data.get("body_abbreviations", {}).get("rules", [])),
        reason_context={kind: {name: _alternation([re.escape(w) for w in ws], re.I) for name, ws in names.items()}
                        for kind, names in data.get("reason_context", {}).items()},
        ordinals={w: int(i) for w, i in sorted(data.get("ordinals", {}).items(), key=lambda kv: -len(kv[0]))},
        formal_terms=_alternation(sorted(
            {re.escape(form) for t in [v for _, v in colloquial] + list(english.get("terms", {}).values())
             + list(data.get("counted", {}).values()) if len(t) >= 2
             for form in (t, to_halfwidth(t))}, key=len, reverse=True) or ["$^"]),
    )


def _begins_formal(text: str, start: int, end: int, phrase: str, formal: str) -> bool:
    """Whether the phrase at text[start:end] is part of the formal term written out further
    than the phrase itself ("因公出国(境)" of 因公出国（境）费)."""
    f = to_halfwidth(formal)
    at = f.find(phrase)
    if at < 0 or start - at < 0 or to_halfwidth(text[start - at:start]) != f[:at]:
        return False
    k = at + len(phrase)
    return k < len(f) and to_halfwidth(text[end:end + 1]) == f[k:k + 1] and not f[k:k + 1].isspace()


@lru_cache(maxsize=4)
def load(path: str | None = None) -> Lexicon:
    """The lexicon, read and compiled once per path.

    Args:
        path: a TOML file (default: the packaged qa/text/lexicon.toml).
    """
    p = Path(path) if path else LEXICON_PATH
    with p.open("rb") as fh:
        return parse(tomllib.load(fh))
