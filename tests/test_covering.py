"""Lexicon word lists are matched so that their order does not matter (qa/text/covering.py)."""

from __future__ import annotations

import itertools
import re

from qa.text.covering import CoveringAlternation


def test_the_matches_covering_most_text_win_whatever_the_order():
    words = ["分到哪", "分到", "哪些地方", "都", "了"]
    for perm in itertools.permutations(words):
        pat = CoveringAlternation.compile(list(perm))
        assert [m.group(0) for m in pat.finditer("那120万都分到哪些地方了")] == ["都", "分到", "哪些地方", "了"]
        assert pat.sub(" ", "审批系统都分到哪些地方了") == "审批系统    "


def test_plain_alternation_would_leave_a_fragment():
    # why the lexicon does not use one re alternation: first listed, first taken
    assert re.sub("分到哪|哪些地方", " ", "分到哪些地方") == " 些地方"
    assert CoveringAlternation.compile(["分到哪", "哪些地方", "分到"]).sub(" ", "分到哪些地方") == "  "


def test_ties_take_fewer_matches_and_lookbehinds_see_the_whole_text():
    pat = CoveringAlternation.compile(["多少", "多", "少", r"(?<=花)了"])
    assert [m.group(0) for m in pat.finditer("花了多少")] == ["了", "多少"]
    assert pat.sub("_", "了多少") == "了_"  # 了 not after 花
    assert CoveringAlternation.compile([]).sub(" ", "abc") == "abc"
