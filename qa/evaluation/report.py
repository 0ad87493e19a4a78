"""Write the evaluation report: a Markdown table per type and a PNG bar chart."""

from __future__ import annotations

import datetime as _dt
import json
import logging
import subprocess
from pathlib import Path

from qa.evaluation.gold import TYPES
from qa.evaluation.run import ItemResult, Summary

log = logging.getLogger(__name__)


def _fmt(x: float | None) -> str:
    return "–" if x is None else f"{x:.3f}"


def _cell(text: str, width: int) -> str:
    """One Markdown table cell: no newlines or pipes, cut to width."""
    return text.replace("\n", " ").replace("|", "/")[:width]


def _commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=5)
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def plot(agent: Summary, baseline: Summary | None, path: Path, title: str) -> None:
    """Bar chart of accuracy per type, agent vs baseline (matplotlib, Agg backend).

    Args:
        agent: the agent's summary.
        baseline: the baseline's summary or None.
        path: PNG to write.
        title: chart title.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    types = [t for t in TYPES if t in agent.per_type] + ["overall"]
    a = [agent.per_type[t][1] if t in agent.per_type else agent.accuracy for t in types]
    fig, ax = plt.subplots(figsize=(11, 4.5))
    width = 0.4 if baseline else 0.6
    xs = range(len(types))
    ax.bar([x - (width / 2 if baseline else 0) for x in xs], a, width, label="agent", color="#3b6ea8")
    if baseline:
        b = [baseline.per_type.get(t, (0, 0.0))[1] if t != "overall" else baseline.accuracy for t in types]
        ax.bar([x + width / 2 for x in xs], b, width, label="baseline (RAG, first amount)", color="#c8a04a")
    ax.set_xticks(list(xs))
    ax.set_xticklabels(types, rotation=30, ha="right")
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("accuracy")
    ax.set_title(title)
    ax.legend(loc="upper right")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def markdown(
    split: str,
    source: str,
    agent: Summary,
    agent_results: list[ItemResult],
    baseline: Summary | None,
    png_name: str,
) -> str:
    """The report text.

    Args:
        split: "dev", "test" or "all".
        source: gold file evaluated.
        agent: agent summary.
        agent_results: per-item results (failures are listed).
        baseline: baseline summary or None.
        png_name: chart file name, relative to the report.
    """
    now = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"# Evaluation report — split `{split}`",
        "",
        f"Gold file `{source}`, {agent.n} items, commit `{_commit()}`, {now}. "
        "Split rule: int(sha1(id), 16) % 2 (0 = dev, 1 = test); tune on dev only.",
        "",
        f"**Score (agent accuracy): {agent.accuracy:.3f}**"
        + (f" — baseline {baseline.accuracy:.3f}" if baseline else ""),
        "",
        "| type | n | accuracy | baseline accuracy |",
        "|---|---:|---:|---:|",
    ]
    for t in TYPES:
        if t not in agent.per_type:
            continue
        n, acc = agent.per_type[t]
        b = _fmt(baseline.per_type.get(t, (0, None))[1]) if baseline else "–"
        lines.append(f"| {t} | {n} | {acc:.3f} | {b} |")
    lines.append(f"| **overall** | {agent.n} | {agent.accuracy:.3f} | {_fmt(baseline.accuracy) if baseline else '–'} |")
    lines += ["", "| language | n | accuracy | baseline accuracy |", "|---|---:|---:|---:|"]
    for lang, (n, acc) in agent.per_lang.items():
        b = _fmt(baseline.per_lang.get(lang, (0, None))[1]) if baseline else "–"
        lines.append(f"| {lang} | {n} | {acc:.3f} | {b} |")
    lines += [
        "",
        "| measure | agent | baseline |",
        "|---|---:|---:|",
        f"| citation faithfulness (quotes found in their document) | {_fmt(agent.faithfulness)} ({agent.citations} quotes) | "
        + (f"{_fmt(baseline.faithfulness)} ({baseline.citations} quotes)" if baseline else "–") + " |",
        f"| latency p50 (s) | {agent.latency_p50:.3f} | " + (f"{baseline.latency_p50:.3f}" if baseline else "–") + " |",
        f"| latency p95 (s) | {agent.latency_p95:.3f} | " + (f"{baseline.latency_p95:.3f}" if baseline else "–") + " |",
        f"| errors (exceptions) | {agent.errors} | " + (f"{baseline.errors}" if baseline else "–") + " |",
        "",
        f"![accuracy per type]({png_name})",
        "",
        "## Agent failures",
        "",
    ]
    fails = [r for r in agent_results if not r.correct]
    if not fails:
        lines.append("None.")
    else:
        lines += ["| id | type | question | reason | status | answer (start) |", "|---|---|---|---|---|---|"]
        for r in fails:
            ans = _cell(r.answer.get("answer") or "", 80)
            lines.append(f"| {r.id} | {r.type} | {_cell(r.question, 60)} | {_cell(r.reason, 80)} | "
                         f"{r.answer.get('status')} | {ans} |")
    return "\n".join(lines) + "\n"


def write_report(
    out_dir: str | Path,
    split: str,
    source: str,
    agent: Summary,
    agent_results: list[ItemResult],
    baseline: Summary | None,
) -> Path:
    """Write <split>-latest.md, <split>-latest.png and per-item <split>-latest.jsonl into out_dir.

    Returns:
        The Markdown path.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with (out / f"{split}-latest.jsonl").open("w", encoding="utf-8") as f:
        for r in agent_results:
            a = r.answer
            f.write(json.dumps({"id": r.id, "type": r.type, "correct": r.correct, "reason": r.reason,
                                "latency": round(r.latency, 4), "status": a.get("status"),
                                "value": a.get("value"), "unit": a.get("unit"),
                                "computation": a.get("computation")}, ensure_ascii=False) + "\n")
    png = out / f"{split}-latest.png"
    plot(agent, baseline, png, f"Accuracy per type — {split} split (n={agent.n})")
    md = out / f"{split}-latest.md"
    md.write_text(markdown(split, source, agent, agent_results, baseline, png.name), encoding="utf-8")
    log.info("report written to %s", md)
    return md
