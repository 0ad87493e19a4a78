"""HTML loader (BeautifulSoup): block text as lines, tables as tab-separated rows.

Scripts, styles and navigation chrome are dropped; inline markup (<b>, <span>) stays
inside its line so "收入 <b>3,394.10</b> 万元" reads as one sentence. Decoding follows the
shared text policy (UTF-8, else GB18030) unless the page declares a charset.
"""

from __future__ import annotations

import re
from pathlib import Path

from qa.ingest.loaders import LoadedText, LoadError
from qa.ingest.loaders.text import decode_text, loaded

SUFFIXES = (".html", ".htm")

_BLOCK = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "section",
          "article", "header", "footer", "tr", "table", "blockquote", "pre", "dt", "dd", "caption",
          "title"}
_DROP = {"script", "style", "noscript", "template", "svg", "iframe", "nav"}


def _decode(data: bytes, label: str) -> tuple[str, str, list[str]]:
    m = re.search(rb"<meta[^>]+charset=[\"']?([A-Za-z0-9_-]+)", data[:4096], re.IGNORECASE)
    if m:
        enc = m.group(1).decode("ascii").lower()
        if enc in ("gb2312", "gbk", "gb18030"):
            enc = "gb18030"
        try:
            return data.decode(enc), enc, ([] if enc.startswith("utf") else [f"decoded as {enc}"])
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_text(data, label)


def _span(td, attr: str) -> int:
    v = str(td.get(attr) or "1").strip()
    return max(1, min(int(v), 100)) if v.isdigit() else 1


def _table_rows(table) -> list[str]:
    """Rows of one table as tab-joined cells, rowspan/colspan expanded to empty cells so
    every value stays under its column header."""
    rows: list[str] = []
    pending: dict[int, int] = {}  # column -> rows still covered by a rowspan from above
    for tr in table.find_all("tr"):
        if tr.find_parent("table") is not table:
            continue
        cells: list[str] = []
        col = 0

        def fill_spans() -> None:
            nonlocal col
            while pending.get(col, 0) > 0:
                pending[col] -= 1
                cells.append("")
                col += 1

        for td in tr.find_all(["td", "th"]):
            if td.find_parent("tr") is not tr:
                continue
            fill_spans()
            text = " ".join(td.get_text(" ").split())
            cs, rs = _span(td, "colspan"), _span(td, "rowspan")
            for k in range(cs):
                cells.append(text if k == 0 else "")
                if rs > 1:
                    pending[col] = rs - 1
                col += 1
        fill_spans()
        if any(cells):
            rows.append("\t".join(cells).rstrip("\t"))
    return rows


def looks_like_html(text: str) -> bool:
    """Whether decoded text is HTML markup (a page saved as .txt): it opens with a tag, or
    block tags (<p>, <br>, <div>, <td>, <title>) are a visible share of its lines."""
    head = text.lstrip()[:2000].lower()
    if re.match(r"<(?:!doctype\s+html|html|head|body)\b", head):
        return True
    tags = len(re.findall(r"</?(?:p|br|div|span|td|tr|table|title|li|h[1-6])\b[^>]*>", text[:200000], re.I))
    lines = max(1, text.count("\n") + 1)
    return tags >= 5 and tags >= lines * 0.5


def html_to_text(html: str) -> str:
    """Block text of an HTML document as lines, tables as tab-separated rows.

    Args:
        html: the decoded markup.

    Returns:
        The text ("" when the page holds none), lines separated by "\n".
    """
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup.find_all(_DROP):
        tag.decompose()
    # Innermost tables first so a nested table becomes rows of its own.
    for table in reversed(soup.find_all("table")):
        rows = _table_rows(table)
        table.replace_with("\n" + "\n".join(rows) + "\n")
    for tag in soup.find_all(_BLOCK):
        tag.insert_after("\n")
        if tag.name == "br":
            tag.replace_with("\n")
    root = soup.body or soup
    text = root.get_text("")
    if soup.body is not None and soup.title is not None and soup.title.get_text(strip=True):
        title = soup.title.get_text(" ", strip=True)
        if title not in text[:500]:
            text = title + "\n" + text  # the page's title names its publisher
    lines: list[str] = []
    for line in text.splitlines():
        # Tabs separate table cells; other whitespace runs are layout.
        cells = [" ".join(c.split()) for c in line.split("\t")]
        joined = "\t".join(cells).rstrip("\t")
        if joined.strip() or (lines and lines[-1] != ""):
            lines.append(joined if joined.strip() else "")
    if not any(l.strip() for l in lines):
        return ""
    return "\n".join(lines).strip("\n") + "\n"


def load(path: Path) -> LoadedText:
    """Load an HTML page.

    Args:
        path: the file.

    Raises:
        LoadError: empty/undecodable, or no text in the page.
    """
    p = Path(path)
    data = p.read_bytes()
    if not data.strip():
        raise LoadError(f"{p}: empty file")
    html, encoding, notes = _decode(data, str(p))
    text = html_to_text(html)
    if not text:
        raise LoadError(f"{p}: no text in the page")
    return loaded(p, data, text, encoding, notes + ["HTML page"])
