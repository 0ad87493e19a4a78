"""File loaders: one seam that turns a file of any supported format into text.

A loader is a function ``load(path: Path) -> LoadedText``. Loaders are found by file suffix:
built-in modules are listed in ``_MODULES`` and imported only when a file of theirs is met
(so PDF/DOCX libraries never load for a .txt ingest); other code may call ``register``.
A loader module defines ``load(path)``; it may also define ``SUFFIXES``.

Errors are raised as ``LoadError`` with a one-line message that names the file.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

log = logging.getLogger(__name__)


class LoadError(Exception):
    """A file could not be turned into text; str(err) is one line naming the file."""


@dataclass
class LoadedText:
    """A file's text plus what the loader knows about where each line came from.

    Attributes:
        name: file name as ingested (what citations name).
        text: the decoded text; line numbers are 1-based over text.splitlines().
        content_hash: sha256 of the raw file bytes.
        encoding: how the bytes were decoded ("utf-8", "gb18030", "pdf", ...).
        path: absolute path read.
        notes: remarks worth showing the user (e.g. "decoded as GB18030").
        pages: page number per text line (paginated formats), else None.
        locations: a location string per text line (e.g. "Sheet1!C7"), else None.
    """

    name: str
    text: str
    content_hash: str
    encoding: str = "utf-8"
    path: str = ""
    notes: list[str] = field(default_factory=list)
    pages: list[int | None] | None = None
    locations: list[str | None] | None = None


Loader = Callable[[Path], LoadedText]

# suffix -> module that provides load(path); imported on first use.
_MODULES: dict[str, str] = {
    ".txt": "qa.ingest.loaders.text",
    ".md": "qa.ingest.loaders.text",
    ".markdown": "qa.ingest.loaders.text",
    ".pdf": "qa.ingest.loaders.pdf",
    ".docx": "qa.ingest.loaders.docx",
    ".xlsx": "qa.ingest.loaders.xlsx",
    ".xlsm": "qa.ingest.loaders.xlsx",
    ".html": "qa.ingest.loaders.html",
    ".htm": "qa.ingest.loaders.html",
}
_REGISTERED: dict[str, Loader] = {}


def register(suffixes: str | list[str] | tuple[str, ...], loader: Loader | None = None):
    """Register a loader for one or more suffixes (usable as a decorator).

    Args:
        suffixes: ".pdf" or several; case-insensitive, leading dot optional.
        loader: the function; omit to use as ``@register(".pdf")``.
    """
    if isinstance(suffixes, str):
        suffixes = [suffixes]
    norm = [s.lower() if s.startswith(".") else "." + s.lower() for s in suffixes]

    def deco(fn: Loader) -> Loader:
        for s in norm:
            _REGISTERED[s] = fn
        return fn

    return deco(loader) if loader is not None else deco


def _module_available(modname: str) -> bool:
    try:
        return importlib.util.find_spec(modname) is not None
    except (ImportError, ValueError):
        return False


def supported_suffixes() -> set[str]:
    """Suffixes a loader exists for (modules are checked for presence, not imported)."""
    found = set(_REGISTERED)
    found.update(s for s, m in _MODULES.items() if _module_available(m))
    return found


def loader_for(path: Path) -> Loader | None:
    """The loader for a path's suffix, importing its module if needed; None if unsupported.

    Args:
        path: the file.
    """
    suffix = path.suffix.lower()
    if suffix in _REGISTERED:
        return _REGISTERED[suffix]
    modname = _MODULES.get(suffix)
    if modname is None or not _module_available(modname):
        return None
    module = importlib.import_module(modname)
    fn = getattr(module, "load", None)
    if fn is None:
        return _REGISTERED.get(suffix)
    _REGISTERED.setdefault(suffix, fn)
    return fn


def file_hash(path: Path) -> str:
    """sha256 of a file's bytes (what decides whether a document changed).

    Args:
        path: the file.
    """
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def load(path: str | Path) -> LoadedText:
    """Load one file as text.

    Args:
        path: the file.

    Raises:
        LoadError: missing, unsupported, empty, binary or undecodable input.
    """
    p = Path(path)
    if not p.exists():
        raise LoadError(f"{p}: no such file")
    if p.is_dir():
        raise LoadError(f"{p}: is a directory")
    fn = loader_for(p)
    if fn is None:
        raise LoadError(
            f"{p}: unsupported file type '{p.suffix or '(none)'}' "
            f"(supported: {', '.join(sorted(supported_suffixes()))})"
        )
    try:
        return fn(p)
    except LoadError:
        raise
    except Exception as exc:  # a loader's library error still has to name the file
        log.debug("loader failed for %s", p, exc_info=True)
        raise LoadError(f"{p}: cannot read ({type(exc).__name__}: {exc})") from exc
