"""Lexical retrieval: BM25 (bm25s) over jieba tokens of the full chunk text.

Tokens are computed once per chunk at ingest and kept in SQLite (chunks.tokens), so opening
an index only has to build the BM25 matrix from stored tokens, which takes milliseconds for
hundreds of chunks; no BM25 file needs to be kept in step with the database.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from functools import lru_cache
from typing import Sequence

from qa.text.words import jieba_cutter

log = logging.getLogger(__name__)

_STOP = set("的 了 和 与 及 或 在 为 是 等 其中 对 按 从 中 上 下 以 由 于 年 共 各 其 该 本 个 万元 元".split())
_WORD = re.compile(r"[\w\u4e00-\u9fff]")



def _simplified(text: str) -> str:
    """繁體 text in its simplified form, so 公務接待費 and 公务接待费 match each other."""
    try:
        from qa.text.script import is_traditional, to_simplified
    except ImportError:
        return text
    return to_simplified(text) if is_traditional(text) else text


def tokenize(text: str) -> list[str]:
    """Search tokens of a text: NFKC-normalised, lower-cased jieba search-mode words.

    Traditional-script text is matched through its simplified form. Search mode also emits the parts of long words (三公经费 -> 三公, 经费, 三公经费), so a
    question that names only part of a term still matches.

    Args:
        text: any text.
    """
    norm = unicodedata.normalize("NFKC", _simplified(text)).lower()
    # Thousands separators would split "2,440.10" into pieces that match unrelated numbers.
    norm = _THOUSANDS.sub("", norm)
    jieba = jieba_cutter()
    out: list[str] = []
    # jieba cuts each run of its word characters on its own (and everything between them
    # character by character), so the tokens of a text are those of its runs in order: each
    # run is cut once per process (table labels and set phrases recur in every document)
    for block in jieba.re_han_default.split(norm):
        if block:
            out.extend(_block_tokens(block))
    return out


_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3})")


@lru_cache(maxsize=200000)
def _block_tokens(block: str) -> tuple[str, ...]:
    """The kept search tokens of one block of jieba.cut (one run, or what lies between)."""
    out = []
    for tok in jieba_cutter().cut_for_search(block):
        tok = tok.strip()
        if tok and tok not in _STOP and _WORD.search(tok):
            out.append(tok)
    return tuple(out)


class LexicalIndex:
    """In-memory BM25 over pre-tokenised chunks.

    Args:
        token_lists: one token list per chunk, in the caller's chunk order.
    """

    def __init__(self, token_lists: Sequence[Sequence[str]]) -> None:
        import bm25s

        # bm25s sets its own logger to DEBUG, which would print through any root handler
        # (the CLI's) on every first search.
        logging.getLogger("bm25s").setLevel(logging.WARNING)
        self.size = len(token_lists)
        self._retriever = None
        self._vocab: dict[str, int] = {}
        if not self.size:
            return
        # bm25s wants every document non-empty; a token no query produces fills the gap.
        docs = [list(toks) or ["\x00"] for toks in token_lists]
        retriever = bm25s.BM25()
        retriever.index(docs, show_progress=False)
        self._vocab = retriever.vocab_dict
        self._retriever = retriever

    def scores(self, query_tokens: Sequence[str]) -> list[float]:
        """BM25 score of every chunk for the query tokens (0 where nothing matches).

        Args:
            query_tokens: tokens from `tokenize`.
        """
        if self._retriever is None:
            return []
        known = [t for t in query_tokens if t in self._vocab]
        if not known:
            return [0.0] * self.size
        return [float(s) for s in self._retriever.get_scores(known)]
