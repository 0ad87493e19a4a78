"""The layering rules of the README, checked on the code's own imports: text helpers →
ingest → store → tools → agent → assistant → shells, each layer importing only from
itself and the layers below; no private name imported across modules."""

from __future__ import annotations

import ast
from pathlib import Path

QA = Path(__file__).resolve().parents[1] / "qa"

# module prefix → layer (lower may not import higher); longest prefix wins
LAYERS = {
    "qa.types": 0, "qa.text": 0, "qa.config": 0,
    "qa.ingest": 1,
    # the pipeline is the one ingest module that writes: parse, then store (it sits with
    # the store); the embedding models are what the vector store computes with
    "qa.ingest.pipeline": 2, "qa.embeddings": 2,
    # its parse workers: the pipeline's stages in several processes
    "qa.ingest.parallel": 2,
    "qa.store": 2,
    "qa.tools": 3, "qa.retrieval": 3, "qa.quotes": 3,
    "qa.agent": 4,
    "qa.assistant": 5,
    "qa.cli": 6, "qa.ask_cli": 6, "qa.eval_cli": 6, "qa.web": 6, "qa.evaluation": 6, "qa.bench": 6,
    "qa.testing": 6, "qa": 6,
}


def layer(module: str) -> int:
    best = max((p for p in LAYERS if module == p or module.startswith(p + ".")), key=len)
    return LAYERS[best]


def module_name(path: Path) -> str:
    rel = path.relative_to(QA.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("qa"):
            yield node.module, [a.name for a in node.names], node.lineno
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("qa"):
                    yield a.name, [], node.lineno


def test_layers_only_look_down():
    bad = []
    for path in sorted(QA.rglob("*.py")):
        me = module_name(path)
        for target, _, line in imports(path):
            if layer(target) > layer(me):
                bad.append(f"{me}:{line} imports {target}")
    assert not bad, "\n".join(bad)


def test_no_private_name_imported_across_modules():
    bad = []
    for path in sorted(QA.rglob("*.py")):
        me = module_name(path)
        for target, names, line in imports(path):
            for n in names:
                if n.startswith("_") and target != me:
                    bad.append(f"{me}:{line} imports {target}.{n}")
    assert not bad, "\n".join(bad)


def test_the_checker_sees_a_violation():
    assert layer("qa.agent.plan") > layer("qa.ingest.tables")
    assert layer("qa.text.lexicon") == 0 and layer("qa.web.ui") == 6
