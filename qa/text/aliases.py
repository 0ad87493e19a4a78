"""Department names as people say them, derived automatically from official names.

For every ingested document's department (e.g. 昌吉回族自治州住房公积金管理中心) we split a
region prefix (昌吉回族自治州) from the body (住房公积金管理中心) and generate variants of
each by general abbreviation rules of the genre: drop 回族自治州/自治州/市/县/区 qualifiers
(昌吉州, 昌吉), 住房公积金→公积金, 管理中心→中心, 住房和城乡建设局→住建局,
机关事务管理局→机关事务局/事务局, 社会保险→社保. Region names also get a pinyin form
(Changji, Anyang) for English questions.

Pure functions of the official name, so the store computes them once at ingest and keeps
them (``to_record`` / ``from_record``, stamped with ``rules_version()``); finding the
mentions in a question is qa.agent.aliases.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from qa.text.orgnames import relative_level
from qa.text.names import LEVEL_SPLIT, ORG_END, REGION_RE, REGION_SUFFIXES, body_abbreviations, place_forms, split_place
from qa.types import Document


@lru_cache(maxsize=1)
def _readings() -> Any:
    """Every reading of each character of a text (pypinyin with heteronyms), None without it."""
    try:
        from pypinyin import Style, pinyin
    except ImportError:  # pragma: no cover - pypinyin is a declared dependency
        return None
    return lambda text: pinyin(text, style=Style.NORMAL, heteronym=True)


@lru_cache(maxsize=1)
def _pinyin() -> Any:
    """pypinyin's lazy_pinyin, imported on first use (its dictionaries take a second to load,
    and answering a question reads stored aliases, never derives them); None without it."""
    try:  # optional: only used for English place names
        from pypinyin import lazy_pinyin
    except ImportError:  # pragma: no cover - pypinyin is a declared dependency
        return None
    return lazy_pinyin


# The body words of central ministries (外交部, 审计署): what comes before them is a common word.
CENTRAL_ENDS = ("部", "署")
# Bodies too generic to name a department on their own.
_GENERIC = {"中心", "局", "委", "办", "管理中心", "管理局", "事务", "社保", "公积金"}


@dataclass
class DepartmentAliases:
    """All the ways to refer to one department."""

    official: str
    region: str = ""
    body: str = ""
    region_forms: set[str] = field(default_factory=set)
    body_forms: set[str] = field(default_factory=set)
    bare_region_forms: set[str] = field(default_factory=set)  # "州" in 州住建局: only right before a body
    latin_region_forms: set[str] = field(default_factory=set)
    generic_body_forms: set[str] = field(default_factory=set)  # "公积金" in 安阳公积金: only after the place


def body_forms(body: str) -> set[str]:
    """Every abbreviation of a department body the rules allow, bar the generic ones."""
    # two characters without the organisation word (财政 of 财政局) are an ordinary word of
    # the budget (财政拨款): generic, naming the body only right after its place
    return {f for f in body_abbreviations(body) if len(f) >= 2 and f not in _GENERIC
            and (len(f) > 2 or ORG_END.search(f))} | ({body} if body else set())


def generic_body_forms(body: str) -> set[str]:
    """The short forms too generic to name a department alone (公积金, 社保, 中心) that
    name it right after its place ("安阳公积金", "昌吉社保")."""
    if not body:
        return set()
    forms = body_abbreviations(body)
    out = {g for g in _GENERIC if any(g in f for f in forms)}
    # the subject of a short form without its organisation word: 住建 of 住建局, 社保 of 社保中心
    for f in forms:
        m = ORG_END.search(f)
        if m and len(f) - len(m.group(0)) >= 2 and len(f) <= 6 and m.group(0) not in CENTRAL_ENDS:
            out.add(f[: m.start()])  # (财政 of 财政部, 外交 of 外交部 are ordinary words)
    # a two-character abbreviation the rules give (人大 of 人大常委会办公厅, 政协 of 政协办公厅)
    out |= {f for f in forms if len(f) == 2 and not ORG_END.search(f)}
    return out


def latin_forms(region_forms_: set[str]) -> set[str]:
    """Pinyin of the core region names (Changji, Anyang) for English questions."""
    lazy_pinyin = _pinyin()
    if lazy_pinyin is None:
        return set()
    out = set()
    readings = _readings()
    for r in region_forms_:
        if any(r.endswith(s) for s in REGION_SUFFIXES):
            continue
        out.add("".join(lazy_pinyin(r)).lower())
        if readings is not None:
            # a character read otherwise in a place name (行 of 闵行 is hang, not xing): every
            # reading, while the name has few
            combos = [""]
            for syl in readings(r):
                combos = [c + x for c in combos for x in dict.fromkeys(syl)][:8]
            out.update(c.lower() for c in combos)
    return out


def build(official: str) -> DepartmentAliases:
    """Derive all aliases of one official department name."""
    region, body = split_place(official)
    level = relative_level(official) if not region else ""
    if level:
        body = body[1:]  # "市国资委": the 国资委 of a city the page never names; 市 only before it
    rf = place_forms(region)
    # A publisher that is a place (a news report from 南川市) is named in English by its
    # pinyin too ("Nanchuan"), like the region prefix of a department.
    m = REGION_RE.match(body) if not region else None
    place = place_forms(body) if m and m.group("region") == body else set()
    if place:
        # a place that publishes ("衢江区", a district-wide release) is named by its short forms too
        rf = rf | place
    forms = body_forms(body)
    if region and body.startswith("委") and len(body) > 3:
        # "中共…区委社会工作部": the party committee's 委 closes the place; the organ is named
        # without it too (社会工作部, 社工部)
        forms |= body_forms(body[1:])
    return DepartmentAliases(
        official=official,
        region=region,
        body=body,
        region_forms=rf,
        body_forms=forms,
        generic_body_forms=generic_body_forms(body),
        latin_region_forms=latin_forms(rf | place),
        bare_region_forms={lvl[-1] for lvl in (LEVEL_SPLIT.findall(region) or [])[-1:] if lvl[-1] in "州市县区省"}
        | ({level} if level else set()),
    )


# the set-valued fields of DepartmentAliases, as stored
_FORM_FIELDS = ("region_forms", "body_forms", "bare_region_forms", "latin_region_forms", "generic_body_forms")


def publisher(d: Document) -> str:
    """Who published a document: its department, else its title (a news report names its
    city there), else its file name. The key aliases are derived from."""
    return d.department or d.title or d.name


def to_record(a: DepartmentAliases) -> dict[str, Any]:
    """A JSON-able form of an alias set (sets as sorted lists)."""
    rec: dict[str, Any] = {"region": a.region, "body": a.body}
    rec.update({k: sorted(getattr(a, k)) for k in _FORM_FIELDS})
    return rec


def from_record(official: str, rec: dict[str, Any]) -> DepartmentAliases:
    """The alias set a stored record describes (inverse of to_record)."""
    return DepartmentAliases(official=official, region=rec.get("region", ""), body=rec.get("body", ""),
                             **{k: set(rec.get(k) or ()) for k in _FORM_FIELDS})


@lru_cache(maxsize=1)
def rules_version() -> str:
    """A fingerprint of the derivation rules (this module, qa.text.names and what it uses,
    pypinyin's presence): stored aliases made under other rules are derived again."""
    here = Path(__file__).resolve().parent
    h = hashlib.sha1()
    for name in ("aliases.py", "names.py", "normalize.py", "orgnames.py"):
        try:
            h.update((here / name).read_bytes())
        except OSError:
            h.update(name.encode())
    h.update(b"pinyin" if importlib.util.find_spec("pypinyin") is not None else b"-")
    return h.hexdigest()[:16]
