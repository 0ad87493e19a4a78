"""Imported by the parse workers' fork server, once: parses a few lines and derives their
tokens, so the parser's lazily loaded parts (the layout preparation, jieba's dictionary and
the genre terms) are loaded before the workers are forked from it and every worker starts
ready, instead of each loading them again (about 1.6 s of CPU apiece here)."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)

_TEXT = "\n".join([
    "某某局2024年部门预算", "第一部分 部门概况", "一、主要职能", "负责本部门管理工作。",
    "表1 部门收支总表", "单位：万元", "项目 预算数", "一般公共预算拨款 1.00", "合计 1.00",
])


def warm() -> None:
    """Parse and derive a small made-up document (errors only logged: this is a speed-up)."""
    try:
        from qa.ingest.loaders import LoadedText
        from qa.ingest.pipeline import parse_loaded
        from qa.store.index import derive

        derive(parse_loaded(LoadedText("warm-up.txt", _TEXT, "warm-up")))
    except Exception:  # a worker then loads what it needs itself
        log.debug("parse worker warm-up failed", exc_info=True)


warm()
