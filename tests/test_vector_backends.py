"""The vector store on both Chroma deployments: embedded (PersistentClient in the data dir)
and a `chroma run` server of the test session's own, behind one VectorStore interface."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.store.vectors import VectorStore, server_address


@pytest.fixture(params=["embedded", "server"])
def make_store(request, tmp_path: Path):
    url = request.getfixturevalue("chroma_server").url if request.param == "server" else None

    def make(model_id: str) -> VectorStore:
        # a server is shared by the session: a collection name of this test's own
        return VectorStore(tmp_path / "chroma", f"{model_id}-{tmp_path.name}", url=url)

    make.kind = request.param
    return make


def _vec(i: int, dim: int = 8) -> list[float]:
    v = [0.0] * dim
    v[i % dim] = 1.0
    v[(i + 1) % dim] = 0.5
    return v


def test_round_trip_query_and_delete(make_store, tmp_path: Path) -> None:
    vs = make_store("model-a")
    ids = [f"id{i}" for i in range(6)]
    vs.add(ids, [_vec(i) for i in range(6)], [f"text {i}" for i in range(6)])
    vs.add(ids[:2], [_vec(0), _vec(1)], ["text 0", "text 1"])  # upsert: a retried ingest is harmless
    assert vs.count() == 6
    assert vs.existing(["id1", "id5", "nope"]) == {"id1", "id5"}
    got = vs.get(["id3", "nope"])
    assert list(got) == ["id3"] and [round(x, 3) for x in got["id3"]] == _vec(3)
    hits = vs.query(_vec(2), n=3)
    assert hits[0][0] == "id2" and hits[0][1] == pytest.approx(1.0, abs=1e-5)
    assert [h[1] for h in hits] == sorted((h[1] for h in hits), reverse=True)
    other = make_store("model-b")
    assert other.count() == 0, "each embedding model has its own collection"
    vs.delete(["id0", "nope"])
    assert vs.count() == 5
    assert vs.delete_except({"id1", "id2"}) == 3 and vs.existing(ids) == {"id1", "id2"}
    if make_store.kind == "server":
        assert not (tmp_path / "chroma").exists(), "a server keeps nothing in the data dir"


def test_server_addresses() -> None:
    assert server_address("http://127.0.0.1:8123") == ("127.0.0.1", 8123, False)
    assert server_address("localhost") == ("localhost", 8000, False)
    assert server_address("https://chroma.example") == ("chroma.example", 443, True)
    with pytest.raises(ValueError):
        server_address("ftp://x")
