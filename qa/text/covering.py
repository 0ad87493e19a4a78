"""Word lists matched so that their order does not matter.

Python's alternation takes the first alternative that matches, and a scan takes the
leftmost match, so the order of a word list decides what is removed: "分到哪些地方" loses
分到哪 (listed first, starting first) and leaves 些地方 although 哪些地方 is listed too.
Lexicon word lists are data that grow one entry at a time, so the matches kept are the
non-overlapping ones that cover the most text (fewest matches on a tie).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class CoveringAlternation:
    """Patterns whose matches are chosen to cover the most text (``sub``/``finditer``
    as on re.Pattern)."""

    patterns: tuple[re.Pattern[str], ...]
    any_: re.Pattern[str]  # where some pattern can start: one fast scan

    @classmethod
    def compile(cls, patterns: list[str], flags: int = 0) -> "CoveringAlternation":
        compiled = tuple(re.compile(p, flags) for p in patterns)
        return cls(compiled, re.compile("|".join(f"(?:{p})" for p in patterns) or "$^", flags))

    def _starts(self, text: str) -> dict[int, list[re.Match[str]]]:
        out: dict[int, list[re.Match[str]]] = {}
        pos = 0
        while pos < len(text):
            first = self.any_.search(text, pos)
            if first is None:
                break
            at = first.start()
            ms = [m for p in self.patterns if (m := p.match(text, at)) is not None and m.end() > at]
            if ms:
                out[at] = ms
            pos = at + 1
        return out

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        starts = self._starts(text)
        n = len(text)
        # best[i]: (characters covered in text[i:], -matches used), and the match taken at i
        best: list[tuple[int, int]] = [(0, 0)] * (n + 1)
        take: list[re.Match[str] | None] = [None] * (n + 1)
        for i in range(n - 1, -1, -1):
            best[i], take[i] = best[i + 1], None
            for m in starts.get(i, ()):
                cover, neg = best[m.end()]
                cand = (cover + m.end() - i, neg - 1)
                if cand > best[i]:
                    best[i], take[i] = cand, m
        i = 0
        while i < n:
            m = take[i]
            if m is None:
                i += 1
                continue
            yield m
            i = m.end()

    def sub(self, repl: str | Callable[[re.Match[str]], str], text: str) -> str:
        out, last = [], 0
        for m in self.finditer(text):
            out.append(text[last:m.start()])
            out.append(repl(m) if callable(repl) else repl)
            last = m.end()
        out.append(text[last:])
        return "".join(out)
