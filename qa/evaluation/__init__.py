"""Evaluation suite: gold items, validation, scoring, a RAG baseline and reports.

Modules:
    gold: load gold items and assign the fixed dev/test split.
    validate: check evidence quotes and computations of gold items.
    score: score one answer against one gold item.
    run: run an answer function over items and aggregate per type.
    baseline: a plain LangChain retrieval pipeline scored the same way.
    report: Markdown table and PNG chart.
"""
