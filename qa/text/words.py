"""Word boundaries of Chinese text: jieba, taught the genre's own terms, loaded once."""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

# Budget-disclosure terms jieba's general dictionary splits badly; they are genre vocabulary,
# not document-specific, so they help any department's documents.
GENRE_TERMS = (
    "三公经费", "因公出国（境）费", "公务用车购置及运行费", "公务用车运行费", "公务用车购置费",
    "公务接待费", "一般公共预算", "政府性基金预算", "国有资本经营预算", "财政拨款", "基本支出",
    "项目支出", "机关运行经费", "政府采购", "绩效目标", "住房公积金", "社会保障和就业",
    "机关事业单位基本养老保险缴费", "职业年金缴费", "事业运行", "行政运行", "一般行政管理事务",
    "上年结转", "年初结转和结余", "年末结转和结余", "收支总表", "收入总表", "支出总表",
    "国有资产占用情况", "部门预算", "部门决算", "预算数", "决算数", "比上年",
)


@lru_cache(maxsize=1)
def jieba_cutter() -> Any:
    """The jieba module with the genre terms added (its dictionary loads on first use)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    for term in GENRE_TERMS:
        jieba.add_word(term, freq=20000)
    return jieba


@lru_cache(maxsize=1024)
def word_starts(text: str) -> frozenset[int]:
    """Offsets in ``text`` where a word begins (and its end): a phrase found at any other
    offset straddles a word ("出差" in "项目支出差了多少" begins inside 支出)."""
    starts, pos = {0}, 0
    for tok in jieba_cutter().cut(text):
        pos += len(tok)
        starts.add(pos)
    # jieba glues a comparison word to the verb after it ("比买" of 比买货物): 比/跟/较 end a word
    starts.update(i + 1 for i, ch in enumerate(text) if ch in _COMPARATORS)
    # …and a year's 年 to the word after it ("年养" of 2023年养车费): a year ends where 年 does
    starts.update(i + 1 for i, ch in enumerate(text) if ch == "年" and i and text[i - 1].isdigit())
    return frozenset(starts)


_COMPARATORS = "比跟较"


def is_word(text: str) -> bool:
    """Whether jieba's dictionary (with the genre terms) has the text as a word: 办公室 is one,
    a mistyped 办工费 is not."""
    jb = jieba_cutter()
    jb.dt.check_initialized()
    return bool(jb.dt.FREQ.get(text))
