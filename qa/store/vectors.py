"""Dense vectors in Chroma (PersistentClient in <data_dir>/chroma, or a Chroma server given
by URL: `chroma run`, through chromadb's HttpClient), keyed by content hash.

What gets embedded is not the whole chunk: embedding costs about 0.4 s per 1,000 characters
here, and runs of numbers carry no meaning for a sentence embedding. ``dense_text`` keeps the
section title and the chunk's words (prose, headings, 绩效目标表 text), capped in length;
tables of figures get no vector at all (their amounts are facts and their title and row
labels are matched word for word by BM25, so a vector only added a near-duplicate of every
table title to each document's dense ranking); its sha256 is the vector id, so identical text is embedded once and unchanged text is
never embedded again. The publishing department's own names are masked in that text
(qa.text.names: 本部门 / 本地), so wording two departments share hashes alike and is
embedded once however many departments print it; the chunk text shown to people is not
masked, and the department stays as document metadata. Each embedding model gets its own
collection.

chromadb is imported only when vectors are first needed.
"""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path
from typing import Any

from qa.text.names import mask_names
from qa.types import Chunk

log = logging.getLogger(__name__)

# Characters of body text embedded per vector: per sub-section of prose, per 绩效目标表 chunk.
# On 12 hand-written Chinese queries, 100/60 retrieved as well as 120/80 (11/12 hit@3 each).
# On the gold evidence of the 99 rationale and policy questions (qa.evaluation.retrieval,
# corpus/), prose 80 found as much as 100 or more (dense@6 in the document 0.747 vs 0.717,
# hybrid@6 0.899 vs 0.859), 70 and 60 less by dense alone (0.677, 0.646); 80 embeds 12 %
# fewer characters than 100.
PROSE_SEGMENT_CHARS = 80
TABLE_CHARS = 60
DENSE_BODY_CHARS = PROSE_SEGMENT_CHARS
# A number as printed in these documents (thousands separators, decimals, percent), or a run
# of such numbers; removed from dense text because they only add noise to the embedding.
_NUMBER_RUN = re.compile(r"(?<![A-Za-z表第])[-+]?\d[\d,，.．]*[ \t]*[%％]?")
_SPACES = re.compile(r"[ \t\u3000]+")
_HAS_WORD = re.compile(r"[\u4e00-\u9fffA-Za-z]")
# list markers left behind once their numbers are gone ("1、" -> "、")
_LEAD_PUNCT = re.compile(r"^[、.．)）:：\s]+")
_BOILERPLATE = re.compile(r"^(?:编制部门|编制单位|单位|金额单位)\s*[:：]")
_BOILERPLATE_INLINE = re.compile(r"(?:编制部门|编制单位)\s*[:：]\s*\S+|(?:金额)?单位\s*[:：]\s*[千万亿]?元")
# Dot leaders of a table of contents and the page number after them ("三、名词解释 ……… 5"):
# a run of them costs a dozen tokens and says nothing; a contents line read as a heading
# otherwise carries them into the title of every text below it. (Two … are an ellipsis,
# two — a dash: only longer runs are leaders.)
_LEADERS = re.compile(r"(?:…{3,}|[·.．]{4,}|[-—_]{4,})[ \t]*\d{0,3}")
# Headings that open a sub-section inside a prose chunk: 一、 （一） 第一部分.
_SUBHEADING = re.compile(r"^\s*(?:[一二三四五六七八九十]+\s*、|[（(]\s*[一二三四五六七八九十]+\s*[)）]|第[一二三四五六七八九十]+部分)")


def _keep_years(m: re.Match) -> str:
    """Replacement for a number run: kept only when it is a year ("2024年")."""
    token = m.group(0)
    is_year = re.fullmatch(r"(?:19|20)\d\d", token) and m.string[m.end() : m.end() + 1] == "年"
    return token if is_year else " "


def _words(text: str) -> str:
    """Text without number runs and table boilerplate, one cleaned line per source line."""
    # years and table numbers carry meaning ("2024年", "表3"); other numbers do not
    body = _LEADERS.sub(" ", text)
    body = re.sub(r"(\d{4})\s*年", r"\1年", body)
    body = re.sub(r"([表第])\s*(\d{1,2})", r"\1\2", body)
    body = _NUMBER_RUN.sub(_keep_years, body)
    body = _SPACES.sub(" ", body)
    kept = []
    for line in body.splitlines():
        line = _LEAD_PUNCT.sub("", line.strip())
        # 编制部门/单位 lines repeat under every table and say nothing a question asks about
        if _HAS_WORD.search(line) and not _BOILERPLATE.match(line):
            line = _BOILERPLATE_INLINE.sub(" ", line).strip()
            if line:
                kept.append(line)
    return "\n".join(kept)


def _segments(text: str) -> list[str]:
    """Split prose at sub-section headings, so each topic gets its own vector."""
    parts: list[list[str]] = []
    for line in text.splitlines():
        if not parts or (_SUBHEADING.match(line) and any(p.strip() for p in parts[-1])):
            parts.append([])
        parts[-1].append(line)
    return ["\n".join(p) for p in parts]


def _with_title(title: str, body: str, chars: int) -> str:
    if title and _squeeze(body[: len(title) + 8]).startswith(_squeeze(title)):
        title = ""
    text = (title + "\n" + body[:chars]).strip() if title else body[:chars].strip()
    return text if _HAS_WORD.search(text) else ""


def dense_texts(chunk: Chunk, prose_chars: int = PROSE_SEGMENT_CHARS,
                table_chars: int = TABLE_CHARS, department: str = "") -> list[str]:
    """The texts embedded for a chunk (one vector each), without number runs.

    A prose chunk gives one text per sub-section it contains (heading + the start of its
    words; the first also carries the chunk's section title), so a question about 三公经费
    finds the chunk even when that sub-section starts half-way down it. A 绩效目标表 chunk
    ("targets") gives one text: section title, table title and its first words. A table of
    figures gives none: facts answer its amounts and BM25 its title and row labels, and
    its vectors were a sixth of the characters embedded. Years are kept. The department's
    names, when given, are masked (本部门, 本地) before anything is cut.

    Args:
        chunk: the chunk.
        prose_chars: body characters per prose sub-section.
        table_chars: body characters for a 绩效目标表 chunk.
        department: the publishing department (Document.department), "" for no masking.

    Returns:
        Distinct non-empty texts, possibly none (a chunk of bare numbers).
    """
    if chunk.kind == "table":
        return []
    title = chunk.section.split(" / ")[-1] if chunk.section else ""
    title = _SPACES.sub(" ", _LEADERS.sub(" ", title)).strip()
    body = chunk.text
    if department:
        title, body = mask_names(title, department), mask_names(body, department)
    if chunk.kind == "targets":
        texts = [_with_title(title, _words(body), table_chars)]
    else:
        texts = []
        for i, seg in enumerate(_segments(body)):
            words = _words(seg)
            own_heading = bool(_SUBHEADING.match(seg.lstrip()))
            texts.append(_with_title("" if (i and own_heading) else title, words, prose_chars))
    out: list[str] = []
    for t in texts:
        if t and t not in out:
            out.append(t)
    return out


def dense_text(chunk: Chunk, body_chars: int = PROSE_SEGMENT_CHARS) -> str:
    """The first text `dense_texts` embeds for a chunk ("" when none).

    Args:
        chunk: the chunk.
        body_chars: body characters kept.
    """
    texts = dense_texts(chunk, body_chars, body_chars)
    return texts[0] if texts else ""


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def text_hash(text: str) -> str:
    """Vector id of a text: sha256 hex of its UTF-8 bytes.

    Args:
        text: the embedded text.
    """
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def collection_name(model_id: str) -> str:
    """A Chroma collection name for a model: 3-63 chars of [a-z0-9._-], alnum at both ends.

    Args:
        model_id: the embeddings' model id.
    """
    slug = re.sub(r"[^a-z0-9._-]+", "-", model_id.lower()).strip("-._")
    name = f"chunks-{slug}"
    if len(name) > 63:
        name = name[:54].rstrip("-._") + "-" + hashlib.sha1(slug.encode()).hexdigest()[:8]
    return name


def server_address(url: str) -> tuple[str, int, bool]:
    """(host, port, ssl) of a Chroma server URL; the port defaults to 8000 (chroma run's) for
    http and 443 for https.

    Args:
        url: "http://host:port" or "https://host[:port]".

    Raises:
        ValueError: not an http(s) URL with a host.
    """
    from urllib.parse import urlsplit

    parts = urlsplit(url if "://" in url else "http://" + url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"QA_CHROMA_URL: not an http(s) URL with a host: {url!r}")
    ssl = parts.scheme == "https"
    return parts.hostname, parts.port or (443 if ssl else 8000), ssl


class VectorStore:
    """Content-addressed vectors for one embedding model.

    Args:
        path: the Chroma directory (<data_dir>/chroma), used when there is no url.
        model_id: names the collection, so different models never share one.
        url: a Chroma server ("http://127.0.0.1:8000"), instead of the embedded store at path.
    """

    def __init__(self, path: str | Path, model_id: str, url: str | None = None) -> None:
        self.path = Path(path)
        self.url = url or None
        self.model_id = model_id
        self.name = collection_name(model_id)
        self._client: Any = None
        self._collection: Any = None

    @property
    def client(self) -> Any:
        if self._client is None:
            import chromadb
            from chromadb.config import Settings as ChromaSettings

            settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
            if self.url:
                host, port, ssl = server_address(self.url)
                self._client = chromadb.HttpClient(host=host, port=port, ssl=ssl, settings=settings)
            else:
                self.path.mkdir(parents=True, exist_ok=True)
                self._client = chromadb.PersistentClient(path=str(self.path), settings=settings)
        return self._client

    @property
    def collection(self) -> Any:
        if self._collection is None:
            # embedding_function=None: we always hand Chroma precomputed vectors; its default
            # function would try to download a model.
            self._collection = self.client.get_or_create_collection(
                self.name,
                embedding_function=None,
                configuration={"hnsw": {"space": "cosine"}},
                metadata={"model_id": self.model_id},
            )
        return self._collection

    def count(self) -> int:
        return int(self.collection.count())

    def existing(self, ids: list[str]) -> set[str]:
        """Which of these ids already have vectors.

        Args:
            ids: vector ids.
        """
        if not ids:
            return set()
        found: set[str] = set()
        for i in range(0, len(ids), 1000):
            got = self.collection.get(ids=ids[i : i + 1000], include=[])
            found.update(got["ids"])
        return found

    def add(self, ids: list[str], vectors: list[list[float]], texts: list[str]) -> None:
        """Store vectors (upsert, so a retried ingest is harmless).

        Args:
            ids: text hashes.
            vectors: one per id.
            texts: the embedded texts (kept for inspection).
        """
        for i in range(0, len(ids), 1000):
            self.collection.upsert(
                ids=ids[i : i + 1000], embeddings=vectors[i : i + 1000], documents=texts[i : i + 1000]
            )

    def get(self, ids: list[str]) -> dict[str, list[float]]:
        """Vectors by id (missing ids are left out).

        Args:
            ids: text hashes.
        """
        out: dict[str, list[float]] = {}
        for i in range(0, len(ids), 1000):
            got = self.collection.get(ids=ids[i : i + 1000], include=["embeddings"])
            for vid, vec in zip(got["ids"], got["embeddings"]):
                out[vid] = vec
        return out

    def query(self, vector: list[float], n: int) -> list[tuple[str, float]]:
        """Nearest ids with cosine similarity, best first.

        Args:
            vector: the query vector.
            n: how many.
        """
        total = self.count()
        if total == 0 or n <= 0:
            return []
        res = self.collection.query(query_embeddings=[vector], n_results=min(n, total), include=["distances"])
        return [(vid, 1.0 - float(d)) for vid, d in zip(res["ids"][0], res["distances"][0])]

    def delete(self, ids: list[str]) -> None:
        """Drop vectors by id (absent ids are ignored).

        Args:
            ids: text hashes.
        """
        for i in range(0, len(ids), 1000):
            self.collection.delete(ids=ids[i : i + 1000])

    def delete_except(self, keep: set[str]) -> int:
        """Drop vectors no chunk refers to any more; returns how many.

        Args:
            keep: ids still referenced.
        """
        all_ids = self.collection.get(include=[])["ids"]
        stale = [i for i in all_ids if i not in keep]
        for i in range(0, len(stale), 1000):
            self.collection.delete(ids=stale[i : i + 1000])
        return len(stale)
