"""Plain text and Markdown loader, with the encoding policy every text-like input shares.

Policy: UTF-8 (with or without BOM) first; UTF-16 when it carries a BOM; else GB18030 if the
bytes decode strictly and the result is mostly CJK/ASCII (accepted with a note naming the
encoding); else a one-line error. Empty, binary and undecodable files are errors.
"""

from __future__ import annotations

import hashlib
import unicodedata
from pathlib import Path
from typing import Any

from qa.ingest.loaders import LoadedText, LoadError

SUFFIXES = (".txt", ".md", ".markdown")

# Signatures of formats that are not text, so the error can say what the file looks like.
_MAGIC = {
    b"%PDF": "a PDF",
    b"PK\x03\x04": "a ZIP/Office document",
    b"\xd0\xcf\x11\xe0": "an old Office document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\x7fELF": "an executable",
}
# Share of characters that must be CJK, ASCII or common punctuation for a GB18030 decode to
# count as real text: strict GB18030 decoding accepts many arbitrary byte pairs.
_MIN_TEXTLIKE = 0.95


def _is_textlike(ch: str) -> bool:
    o = ord(ch)
    if ch in "\t\n\r\f" or 0x20 <= o < 0x7F:
        return True
    if 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0x20000 <= o <= 0x2FA1F:
        return True  # CJK ideographs
    if 0x3000 <= o <= 0x303F or 0xFF00 <= o <= 0xFFEF or 0x2000 <= o <= 0x206F:
        return True  # CJK punctuation, fullwidth forms, general punctuation
    cat = unicodedata.category(ch)
    return cat[0] in "LNPSZ" and cat != "Co"


def _textlike_share(text: str) -> float:
    sample = text[:20000]
    if not sample:
        return 0.0
    return sum(1 for ch in sample if _is_textlike(ch)) / len(sample)


def _control_share(text: str) -> float:
    sample = text[:20000]
    if not sample:
        return 0.0
    bad = sum(1 for ch in sample if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f\v")
    return bad / len(sample)


def decode_text(data: bytes, label: str) -> tuple[str, str, list[str]]:
    """Decode a text file's bytes under the shared encoding policy.

    Args:
        data: raw bytes.
        label: how to name the file in messages (usually its path).

    Returns:
        (text, encoding, notes).

    Raises:
        LoadError: empty, binary or undecodable input.
    """
    if not data.strip():
        raise LoadError(f"{label}: empty file")
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            raise LoadError(f"{label}: binary file (looks like {what}), not text")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16", ["decoded as UTF-16"]
        except UnicodeDecodeError as exc:
            raise LoadError(f"{label}: invalid UTF-16 text at byte {exc.start}") from exc
    if b"\x00" in data[:65536]:
        raise LoadError(f"{label}: binary file (contains NUL bytes), not text")
    try:
        text = data.decode("utf-8-sig")
        encoding, notes = "utf-8", []
    except UnicodeDecodeError as utf8_err:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            text = ""
        if not text or _textlike_share(text) < _MIN_TEXTLIKE:
            raise LoadError(
                f"{label}: not UTF-8 or GB18030 text (invalid byte 0x{data[utf8_err.start]:02x} "
                f"at offset {utf8_err.start})"
            ) from utf8_err
        encoding, notes = "gb18030", ["decoded as GB18030 (not UTF-8)"]
    if _control_share(text) > 0.01:
        raise LoadError(f"{label}: binary file (control characters), not text")
    if not text.strip():
        raise LoadError(f"{label}: empty file")
    return text, encoding, notes


def load(path: Path) -> LoadedText:
    """Load a .txt/.md file.

    Args:
        path: the file.

    Raises:
        LoadError: see decode_text.
    """
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise LoadError(f"{p}: cannot read ({exc.strerror or exc})") from exc
    text, encoding, notes = decode_text(data, str(p))
    from qa.ingest.loaders.html import html_to_text, looks_like_html

    if looks_like_html(text):
        # a web page saved as text: read its markup, not the tags as words
        converted = html_to_text(text)
        if converted:
            text, notes = converted, notes + ["HTML markup read as a page"]
    return loaded(p, data, text, encoding, notes)


def loaded(path: Path, data: bytes, text: str, encoding: str, notes: list[str], **more: Any) -> LoadedText:
    """The LoadedText of a file read whole: its name, the hash of its bytes and its absolute
    path filled in.

    Args:
        path: the file.
        data: its bytes.
        text: the text read from them.
        encoding: how they were read.
        notes: remarks for the user.
        more: other LoadedText fields (locations, pages, seen_tables).
    """
    return LoadedText(name=path.name, text=text, content_hash=hashlib.sha256(data).hexdigest(), encoding=encoding,
                      path=str(path.resolve()), notes=notes, **more)
