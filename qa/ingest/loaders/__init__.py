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


@dataclass(frozen=True)
class SeenTable:
    """A table as the file's own table reader saw it, before any reshaping.

    What a coverage count compares the parsed facts with (qa.ingest.coverage): for a PDF
    the rows of pdfplumber's ``find_tables()`` on one page, for a workbook one sheet.

    Attributes:
        where: "p<page>" for a PDF page, the sheet name for a workbook.
        rows: cell texts per row ("" for an empty cell).
    """

    where: str
    rows: tuple[tuple[str, ...], ...]


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
        seen_tables: the tables as the format's reader saw them (for coverage counts),
            None when the loader does not record them.
    """

    name: str
    text: str
    content_hash: str
    encoding: str = "utf-8"
    path: str = ""
    notes: list[str] = field(default_factory=list)
    pages: list[int | None] | None = None
    locations: list[str | None] | None = None
    seen_tables: list[SeenTable] | None = None


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
    ".xls": "qa.ingest.loaders.xls",
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


# Files a folder carries about itself (README.md, LICENSE.txt, ...): read when named, not
# when a folder is walked, since they describe the documents rather than being one.
FOLDER_NOTES = frozenset({"readme", "license", "licence", "changelog", "changes", "contributing", "authors",
                          "notice", "copying"})


def is_folder_note(path: Path) -> bool:
    """True for a README / LICENSE / CHANGELOG … file (any suffix, any case)."""
    return path.stem.lower() in FOLDER_NOTES


@dataclass(frozen=True)
class FoundFiles:
    """What a list of paths names: files to read, files passed over, paths that failed.

    Attributes:
        files: supported files in a stable order, each once.
        skipped: (file, reason) for files of a folder that are not documents.
        missing: (path, message) for paths that do not exist or hold nothing supported.
    """

    files: tuple[Path, ...]
    skipped: tuple[tuple[Path, str], ...] = ()
    missing: tuple[tuple[Path, str], ...] = ()


def find_files(paths) -> FoundFiles:
    """The files to read from files and folders given.

    Folders are walked recursively for supported suffixes (hidden entries skipped, and a
    folder's own README / LICENSE notes passed over); files named directly are kept as given.

    Args:
        paths: files or folders (str or Path).
    """
    files: list[Path] = []
    skipped: list[tuple[Path, str]] = []
    missing: list[tuple[Path, str]] = []
    suffixes: set[str] | None = None
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            if suffixes is None:
                suffixes = supported_suffixes()
            found = sorted(
                f for f in p.rglob("*")
                if f.is_file() and f.suffix.lower() in suffixes
                and not any(part.startswith(".") for part in f.relative_to(p).parts)
            )
            notes = [f for f in found if is_folder_note(f)]
            skipped.extend((f, "notes about the folder, not a document (name the file to read it)") for f in notes)
            found = [f for f in found if not is_folder_note(f)]
            if not found:
                missing.append((p, f"{p}: no supported files in folder"))
            files.extend(found)
        elif p.exists():
            files.append(p)
        else:
            missing.append((p, f"{p}: no such file or directory"))
    seen: set[Path] = set()
    unique = []
    for f in files:
        key = f.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return FoundFiles(tuple(unique), tuple(skipped), tuple(missing))


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
