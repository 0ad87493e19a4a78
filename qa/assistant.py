"""The one object the CLI, the web app and the evaluator call: question in, Answer out.

Deterministic by default (understand → resolve → plan → verify → compose); with
QA_LLM_MODEL set, qa.agent.llm may choose the tools instead, with numbers still coming only
from the tools and verification and composition staying deterministic.
"""

from __future__ import annotations

import copy
import logging
import re
from dataclasses import replace
from pathlib import Path
from typing import Any, Protocol

from qa.agent import compose as C
from qa.agent import glossary
from qa.agent.context import Context, DocData
from qa.agent.followup import Conversation, rewrite, turn_of
from qa.agent.inside import split_inside
from qa.agent.operations.operands import scope_named, scope_of
from qa.agent.operations.years import OVER_YEARS_OPS, combine, per_year_question
from qa.agent.plan import Outcome, run_one
from qa.agent.aliases import find_mentions, is_abbreviation
from qa.agent.resolve import GENERIC_BODY_RE, POINTING_RE, resolve
from qa.agent.understand import (Program, asks_margin, asks_multiple, figure_and_reason, reason_asked, has_cue, has_cue_word,
                                 names_several_departments, prepare, restated_amounts, second_is_the_answer, settle,
                                 two_asks, understand)
from qa.agent.verify import verify
from qa.config import load_settings
from qa.text.names import split_place
from qa.text.normalize import squeeze
from qa.tools.conflicts import Conflict, find_conflicts, scope_of as disclosure_scope
from qa.tools.facts import column_kind, norm_label, states_amount
from qa.tools import ops
from qa.types import Answer, Citation, ToolResult

log = logging.getLogger(__name__)

# Words every department's documents use: they never tell two candidates apart.
_GENERIC_ITEM_RE = re.compile(r"绩效指标|绩效目标|绩效|指标|目标|项目|支出|预算|经费|资金|情况|明细")


MAX_QUESTION_CHARS = 2000


class AnswerMemo(Protocol):
    """Where an Assistant may keep the answers it gave (a shell's cache; thread-safe)."""

    def get(self, key: Any) -> Answer | None: ...

    def put(self, key: Any, answer: Answer) -> None: ...


def _covers(q: Program, o: Outcome) -> float:
    """How much of the item asked (the part inside a scope, else the metric) the outcome's
    label names: a share of its characters (0 for an outcome with no label)."""
    inside = split_inside(q.metric)
    key = norm_label(inside[1] if inside else q.metric)
    label = norm_label(o.label or "")
    return sum(ch in label for ch in key) / len(key) if key and label else 0.0


def _scope_named(question: str) -> str:
    """The scope a question names (单位 of 单位预算 / "unit budget", 部门 of 部门预算), else ""."""
    return next((scope for scope, name in (("单位", "unit_scope"), ("部门", "department_scope"))
                 if has_cue_word(name, question)), "")


def _followed_by(answer: Answer, text: str, citations: list[Citation]) -> Answer:
    """The answer with another's text after it and the citations of that one it lacks: two
    asks (or a figure and its reason) answered as one."""
    answer.answer = f"{answer.answer}\n{text}"
    answer.citations += [c for c in citations if c not in answer.citations]
    return answer


class Assistant:
    """Answers questions over one Index.

    Attributes:
        index: the qa.store.index.Index it reads.
        ctx: the catalogue of documents and aliases; a document's rows are read when a
            question first needs them (qa.agent.context).
        memo: optional cache of stand-alone answers: the deterministic path answers a
            question the same way for as long as the Context is unchanged, so a shell that
            keeps one memo per loaded Context (the web app) answers a repeated question
            without working it out again. Never used with a language model.
    """

    def __init__(self, index, ctx: Context | None = None, memo: AnswerMemo | None = None) -> None:
        self.index = index
        self.ctx = ctx if ctx is not None else Context.load(index)
        self.memo = memo
        self.conflicts = self._find_conflicts()
        self._llm = None  # optional tool-calling agent (QA_LLM_MODE=tools)
        self._parser = None  # optional model that fills the Program (QA_LLM_MODE=parse)
        self._text_cache: dict[str, str] = {}  # document → its text in comparison form

    @classmethod
    def open(cls, data_dir: str | Path | None = None) -> "Assistant":
        """Open the index in data_dir (default from QA_DATA_DIR / .qa) and read its catalogue.

        Args:
            data_dir: the data directory.
        """
        from qa.store.index import Index

        settings = load_settings(data_dir)
        inst = cls(Index(settings.data_dir))
        if settings.llm_model:
            try:
                from langchain_openai import ChatOpenAI

                model = ChatOpenAI(model=settings.llm_model, base_url=settings.llm_base_url,
                                   api_key=settings.llm_api_key or "unused", temperature=0, timeout=30)
                if settings.llm_mode == "tools":
                    from qa.agent.llm import LLMAgent

                    inst._llm = LLMAgent(inst, model)
                else:
                    from qa.agent.llm_parse import LLMParser

                    inst._parser = LLMParser(model)
            except Exception as exc:  # the deterministic path must keep working
                log.warning("LLM unavailable (%s); using the deterministic parser", exc)
        return inst

    def reload(self) -> None:
        """Re-read the index (after an ingest)."""
        self.ctx = Context.load(self.index)
        self.memo = None  # its answers were of the old Context
        self.conflicts = self._find_conflicts()

    def _find_conflicts(self) -> list[Conflict]:
        """Loaded documents claiming one department, year, kind and scope."""
        docs = getattr(self.ctx, "docs", None) or {}
        # the catalogue's documents, without making a DocData of each (DocMap.document)
        doc_of = getattr(docs, "document", None) or (lambda n: docs[n].document)
        return find_conflicts([doc_of(n) for n in docs], lambda n: docs[n].facts)

    def _note_conflicts(self, answer: Answer, question: str, lang: str | None) -> Answer:
        """Name the documents that claim the same disclosure as a cited one (unless they
        only complement each other) and warn: which one answered depends on file names."""
        cited = {c.doc for c in answer.citations}
        en = (lang or ("en" if glossary.is_english(question) else "zh")) == "en"
        for c in self.conflicts:
            used = sorted(cited & set(c.docs))
            if not used or c.severity == "parts":
                continue
            if en:
                note = (f"{c.describe('en')}; this answer cites {', '.join(used)}. "
                        "Remove or replace one (qa remove NAME) to settle it.")
            else:
                note = f"{c.describe('zh')}；本答案引用 {'、'.join(used)}。请删除或替换其一（qa remove 文件名）。"
            answer.warnings.append(note)
            answer.answer += ("\nWarning: " if en else "\n注意：") + note
        return answer

    # ------------------------------------------------------------------------------
    def ask(self, question: str, conversation: Conversation | None = None) -> Answer:
        """Answer one question, as a follow-up of the conversation's earlier turns if given.

        Args:
            question: Chinese or English text.
            conversation: the chat so far; updated with this turn. None: stand-alone.
        """
        question = (question or "").strip()
        if not question:
            return Answer(status="not_found", answer="问题为空。")
        if len(question) > MAX_QUESTION_CHARS:
            # refused before any parsing: a pasted document is not a question, and reading
            # it would hold the answering thread for everyone
            return Answer(status="not_found", answer=(
                f"问题过长（{len(question)} 字），请限制在 {MAX_QUESTION_CHARS} 字以内。/ "
                f"The question is too long ({len(question)} characters); the limit is {MAX_QUESTION_CHARS}."))
        asks = two_asks(question) if self.ctx.docs and self._llm is None else None
        if asks is None and conversation is not None and conversation.turns and self.ctx.docs and self._llm is None:
            # "比去年少了？为啥" in a chat: the figure asked of what came before, then its reason
            figure = figure_and_reason(question)
            why = reason_asked(question) if figure else ""
            if figure and why:
                asks = (figure, why)
        if asks is not None:
            # (worked on a copy: a chain that does not hold leaves the conversation as it was)
            trial = Conversation(list(conversation.turns) if conversation is not None else [])
            chained = self._ask_in_turn(*asks, trial)
            if chained is not None:
                if conversation is not None:
                    conversation.turns[:] = trial.turns
                return chained
        if conversation is None:
            return self._ask_one(question)
        follow = rewrite(question, conversation.last, self.ctx.aliases) if self.ctx.docs else None
        if follow is None:
            ans = self._ask_one(question)
            asked = question
        else:
            ans = self._ask_one(follow.question, lang=follow.lang)
            if follow.otherwise is not None and not self._found(follow, ans):
                other = self._ask_one(follow.otherwise.question, lang=follow.otherwise.lang)
                # a reading whose answer does not name its item found another figure: never
                # answered with it
                if self._found(follow.otherwise, other) or follow.item or ans.status == "not_found":
                    follow, ans = follow.otherwise, other
            asked = follow.question
            ans.followup = {"question": follow.question, "inherited": list(follow.inherited)}
            note = ("Taken from the conversation: " if follow.lang == "en" else "按上文：") + "；".join(follow.inherited)
            ans.answer = f"{note}\n{ans.answer}" if follow.inherited else ans.answer
        if ans.status != "not_found" or follow is None:
            conversation.turns.append(turn_of(asked, ans.items, self.ctx.aliases, conversation.last, ans.ranking,
                                              follow.picked if follow is not None else ()))
        return ans

    @staticmethod
    def _found(reading, ans: Answer) -> bool:
        """Whether an answer to one reading of a follow-up found what that reading asks."""
        return ans.status != "not_found" and reading.answered_by(ans.answer)

    def cached(self, question: str) -> Answer | None:
        """The memo's answer to a stand-alone question answered before, else None; works
        nothing out (a shell may call it where answering would be too slow)."""
        memo = self.memo if self._parser is None and self._llm is None else None
        question = (question or "").strip()
        if memo is None or not question or len(question) > MAX_QUESTION_CHARS:
            return None
        hit = memo.get((question, None))
        return copy.deepcopy(hit) if hit is not None else None

    def _ask_one(self, question: str, lang: str | None = None) -> Answer:
        memo = self.memo if self._parser is None and self._llm is None else None
        if memo is None:
            return self._ask_fresh(question, lang)
        hit = memo.get((question, lang))
        if hit is None:
            hit = self._ask_fresh(question, lang)
            memo.put((question, lang), copy.deepcopy(hit))
            return hit
        return copy.deepcopy(hit)  # callers add to an answer (follow-up notes): never share one

    def _ask_fresh(self, question: str, lang: str | None = None) -> Answer:
        if self._parser is not None and lang is None and self.ctx.docs:
            written = self._parser.standalone(question, self.ctx.aliases)
            if written:
                user_lang = "en" if glossary.is_english(question) else "zh"
                return self._ask_text(written, user_lang)
        return self._ask_text(question, lang)

    def _ask_text(self, question: str, lang: str | None = None) -> Answer:
        if self._llm is not None:
            try:
                ans = self._llm.ask(question) if lang is None else None
                if ans is not None:
                    return self._note_conflicts(self._finalise(ans), question, lang)
            except Exception as exc:
                log.warning("LLM agent failed (%s); falling back to the deterministic planner", exc)
        try:
            return self._note_conflicts(self._finalise(self._ask(question, lang)), question, lang)
        except Exception:  # one bad question must not take the service down
            log.exception("failed to answer %r", question)
            return Answer(status="not_found", answer="内部错误：无法回答该问题。/ Internal error: could not answer.")

    def _finalise(self, answer: Answer) -> Answer:
        """Cite each quote once, at the line where it starts.

        Facts record the line of their value; a sentence quote often starts lines earlier,
        and the same sentence can back several operands.
        """
        seen: set[tuple[str, str]] = set()
        cites: list[Citation] = []
        for c in answer.citations:
            key = (c.doc, squeeze(c.quote))
            if key in seen:
                continue
            seen.add(key)
            line = self.ctx.docs[c.doc].quote_line(c.quote, c.line) if c.doc in self.ctx.docs else c.line
            cites.append(Citation(c.doc, c.quote, line))
        answer.citations = cites
        return answer

    def _ask(self, question: str, lang: str | None = None) -> Answer:
        figure = figure_and_reason(question)
        if figure is None:
            return self._ask_one_thing(question, lang)
        # "…多了多少？为啥？": the figure answered, the stated reason after it
        fig = self._ask_one_thing(figure, lang)
        why = self._ask_one_thing(question, lang)
        if fig.status != "answered":
            return why
        if why.status == "answered" and why.answer not in fig.answer:
            _followed_by(fig, why.answer, why.citations)
        return fig

    def _ask_in_turn(self, first: str, then: str, conv: Conversation) -> Answer | None:
        """"维修费给了多少？占这个项目几成？": the second ask read as a follow-up of the first
        (what it leaves out is the first's), both asked in the conversation (the first as a
        follow-up of what came before it); the answer is the second's when it is worked out
        from the first or the first only asks whether there is any ("有没有…？X多少？"), headed by
        the first's; else the first's, the second said after it (a second question of its own
        too). None when either is not answered."""
        one = self.ask(first, conv)
        if one.status != "answered" or not conv.turns:
            return None
        own = rewrite(then, conv.last, self.ctx.aliases) is None
        two = self.ask(then, conv)
        if two.status != "answered":
            return None
        note = (two.followup or {}).get("inherited") or []
        said = two.answer.split("\n", 1)[1] if note and "\n" in two.answer else two.answer
        leads = has_cue_word("asks_existence", first)
        if not own and not leads:
            asked = understand((two.followup or {}).get("question") or then)
            second_op = "multiple" if asks_multiple(then) else (
                "diff" if asked.op == "compare" and asks_margin(then) else asked.op)  # (比昌吉少多少: by how much)
            leads = second_is_the_answer(understand(first).op, second_op)
        if not leads:
            return _followed_by(one, said, two.citations)
        cites = two.citations
        two.answer, two.citations = one.answer, list(one.citations)  # headed by the first's
        _followed_by(two, said, cites)
        if not own:
            two.followup = one.followup  # (what the first took over from earlier turns, if any)
        return two

    def _ask_one_thing(self, question: str, lang: str | None = None) -> Answer:
        text = prepare(question)
        q0 = understand(question, [], text, lang=lang)
        if not self.ctx.docs:
            return C.compose_refusal(q0, "尚未加载任何文件。", "No documents are loaded.")
        res = resolve(text, self.ctx.aliases,
                      want_all=q0.op in ("compare", "sum_all") or names_several_departments(text))
        spans = res.spans + self._loose_places(res) + res.deictic
        q = understand(question, spans, text, lang=lang)
        sole = self._sole_match(res.not_loaded) if res.not_loaded else None
        typo = self._misspelt(res.not_loaded) if res.not_loaded and sole is None else None
        if typo is not None:
            # "机关事物局": one character off a loaded department's name, and no other's
            at = text.find(res.not_loaded)
            if at >= 0:
                q = understand(question, spans + [(at, at + len(res.not_loaded))], text, lang=lang)
            ans = self._single(settle(q, 1), typo)
            ans.warnings.append(f"问题中的“{res.not_loaded}”按“{typo}”作答（疑为笔误）。" if q.lang == "zh" else
                                f"“{res.not_loaded}” was read as {typo} (a likely typo).")
            return ans
        if sole is not None:
            # one body loaded and the name asked for is not another body: answer from it
            ans = self._single(settle(q, 1), sole)
            d = self.ctx.by_department(sole)[0].document
            ans.warnings.append(
                (f"已加载的唯一文件（{d.name}）未写明编制部门，按其作答。" if not d.department else
                 f"问题中的“{res.not_loaded}”按已加载的唯一部门“{sole}”作答。") if q.lang == "zh" else
                (f"The only loaded document ({d.name}) names no department; answered from it." if not d.department else
                 f"“{res.not_loaded}” was read as the only loaded department, {sole}."))
            return ans
        named = self._named_in_text(q, text, res) if len(self.ctx.aliases) > 1 and (
            res.not_loaded or (not res.departments and not res.ambiguous and q.op not in ("compare", "sum_all"))) else None
        if named is not None:
            # the name (or a distinctive phrase) asked for occurs in one loaded page only
            key, word = named
            ans = self._single(settle(q, 1), key)
            ans.warnings.append(f"问题中的“{word}”只见于{key}的文件，按其作答。" if q.lang == "zh" else
                                f"“{word}” occurs only in the document of {key}; answered from it.")
            return ans
        if res.not_loaded:
            return C.compose_refusal(
                q,
                f"未加载“{res.not_loaded}”的文件，无法回答；已加载的部门：{'、'.join(self.ctx.aliases)}。",
                f"No document of “{glossary.english_said(question, res.not_loaded) or res.not_loaded}” is loaded; "
                f"loaded departments: {', '.join(self.ctx.aliases)}.",
            )
        departments = res.departments
        if len(departments) > 1 and q.amounts and not names_several_departments(text):
            # "公积金管理服务那个612万的项目，哪一项最多": a short name fitting several, and an
            # amount only one of them states (a ranking inside that one's item, not across them)
            stating = [d for d in self._stating(q.amounts, q.year) if d in departments]
            if len(stating) == 1:
                departments = stating
        if res.ambiguous:
            only = self._only_one_names(q, res.ambiguous)
            if only is None:
                return self._ambiguous(q, res.ambiguous)
            others = "、".join(x for x in res.ambiguous if x != only)
            ans = self._single(q, only)
            if ans.status == "answered":
                # say so in the answer itself, with what each other candidate gives
                ans.answer = self._with_other_candidates(q, text, res.ambiguous, only, ans.answer)
                ans.warnings.append(
                    f"问题中的部门名称也可指{others}，但只有{only}的文件含有所问的项目，按其作答。"
                    if q.lang == "zh" else
                    f"The department name also fits {others}, but only {only}'s documents contain the item asked about.")
                return ans
            return self._ambiguous(q, res.ambiguous)
        if not departments and q.amounts and len(self.ctx.aliases) > 1:
            by_amount = self._stating(q.amounts, q.year)
            if len(by_amount) == 1:
                # "612万里面咨询费和福利费哪个多": the one department whose documents state it
                ans = self._single(settle(q, 1), by_amount[0])
                ans.warnings.append(f"问题中的金额只见于{by_amount[0]}的文件，按其作答。" if q.lang == "zh" else
                                    f"The amount asked about occurs only in the documents of {by_amount[0]}; answered from them.")
                return ans
        if not departments:
            if len(self.ctx.aliases) == 1:
                departments = list(self.ctx.aliases)
            elif q.op in ("compare", "sum_all"):
                departments = list(self.ctx.aliases)
            else:
                return self._ambiguous(q, sorted(self.ctx.aliases), named_several=False)
        q = settle(q, len(departments))
        if len(departments) == 1 and (which := self._which_year(q, departments[0])) is not None:
            return which  # "江苏检察院的三公经费" with 2017–2019 loaded: each year, say which
        if len(departments) == 1 and (over := self._over_years(q, departments[0])) is not None:
            return over  # "江苏检察院2017年和2018年…", "这三年…": each year from its own document
        if q.op == "compare" and len(departments) == 1:
            return self._single(q, departments[0])  # lines inside one department compared or ranked
        if q.op == "compare" or (len(departments) > 1 and q.op in ("diff", "lookup", "sum", "count")):
            return self._across(q, departments)
        return self._single(q, departments[0])

    def _with_other_candidates(self, q: Program, text: str, candidates: list[str], only: str, answer: str) -> str:
        """The answer for the one candidate that has the item, headed by the candidates the
        name fits and followed by each other candidate's answer (or 未披露)."""
        en = q.lang == "en"
        if en:
            said = find_mentions(text, [self.ctx.aliases[k] for k in candidates])[:1]
            name = f"“{said[0].body}”" if said and said[0].body else "The name"
            head = f"{name} fits {len(candidates)} departments: {'; '.join(candidates)}. "
        else:
            head = f"问题中的部门名称对应 {len(candidates)} 个部门：{'、'.join(candidates)}。"
        tails = []
        for name in candidates:
            if name == only:
                continue
            other = self._single(q, name)
            first = other.answer.split("\n")[0] if other.status == "answered" else (
                "not disclosed." if en else "未披露。")
            tails.append(f"{name}: {first}" if en else f"{name}：{first}")
        return head + "\n" + answer + ("\n" + "\n".join(tails) if tails else "")

    def _stating(self, amounts: tuple[float, ...], year: int | None) -> list[str]:
        """The departments whose documents (of the year asked) state one of the amounts as
        a figure of their own (not a change or a share)."""
        out = []
        for key in self.ctx.aliases:
            for dd in self.ctx.by_department(key):
                if year and dd.document.year and dd.document.year != year:
                    continue
                if any(column_kind(f.column) == "total" and states_amount(f, amounts) for f in dd.facts):
                    out.append(key)
                    break
        return out

    def _named_in_text(self, q: Program, text: str, res) -> tuple[str, str] | None:
        """The one department whose pages contain what the question names, when its pages
        print no name the aliases know: a body or place asked for (梧州市…检测中心, 白云区,
        中央本级), else a distinctive phrase of the item (驻外侨务单位基本行政工作维持). Pages
        of another year than the one asked are left out. (department, the words found) or None.
        """
        words: list[str] = []
        for a, b in res.places:
            if not any(self._dept_text_has(k, norm_label(text[a:b]), q.year) for k in self.ctx.aliases):
                return None  # a place no page prints (北京市…): none of these pages is meant
            words.append(text[a:b])
        if res.not_loaded:
            place, body = split_place(res.not_loaded)
            words.append(res.not_loaded)
            if not place:
                words.append(body)  # "检测中心": the body alone, when no place comes with it
            else:
                # "北京市公积金中心": the body alone counts only on a page that prints the place too
                having = [k for k in self.ctx.aliases
                          if self._dept_text_has(k, norm_label(place), q.year) and self._dept_text_has(k, norm_label(body), q.year)]
                if len(having) == 1:
                    return having[0], res.not_loaded
        for a, b in res.deictic:
            core = GENERIC_BODY_RE.sub("", POINTING_RE.sub("", text[a:b]))
            if len(core) >= 2:
                words.append(core)  # 这个军休单位: 军休
        words += [p for p in (_GENERIC_ITEM_RE.sub("", norm_label(x)) for x in re.split(r"[\s|]", q.metric)) if len(p) >= 6]
        words = [norm_label(w) for w in dict.fromkeys(words) if w and len(norm_label(w)) >= 2]
        if not words:
            return None
        for w in words:
            having = [k for k in self.ctx.aliases if self._dept_text_has(k, w, q.year)]
            if len(having) == 1:
                return having[0], w
        if res.not_loaded or res.places:
            return None  # a body or place named that no page prints: not another page's item
        # runs of four or more characters of the item's words, longest first ("中央本级" of
        # 中央本级三公经费实际支出): a run one page has and no other
        pieces = [_GENERIC_ITEM_RE.sub(" ", norm_label(x)) for x in re.split(r"[\s|]", q.metric)]
        runs = sorted({p[i:i + n] for part in pieces for p in part.split() for n in range(4, min(len(p), 8) + 1)
                       for i in range(len(p) - n + 1)}, key=len, reverse=True)
        for w in runs:
            having = [k for k in self.ctx.aliases if self._dept_text_has(k, w, q.year)]
            if len(having) == 1:
                return having[0], w
        return None

    def _dept_text_has(self, key: str, word: str, year: int | None) -> bool:
        """Whether a department's page for the year asked (or the year after it, which states
        the year before) contains the word."""
        for dd in self.ctx.by_department(key):
            y = dd.document.year
            if year and y and year not in (y, y - 1):
                continue
            cache = self._text_cache.get(dd.document.name)
            if cache is None:
                cache = self._text_cache[dd.document.name] = norm_label("".join(dd.search_lines))
            if word in cache:
                return True
        return False

    def _loose_places(self, res) -> list[tuple[int, int]]:
        """Place names the question gives that only say where the one loaded page is from:
        the index holds one department and it names no place of its own (a page that prints
        no 编制部门, a central body), so "涪陵区2023年三公预算" asks that page's 三公预算."""
        if not res.places or len(self.ctx.aliases) != 1 or res.departments and len(res.departments) != 1:
            return []
        (key, al), = self.ctx.aliases.items()
        docs = self.ctx.by_department(key)
        if docs and docs[0].document.department and al.region_forms:
            return []
        return list(res.places)

    def _misspelt(self, name: str) -> str | None:
        """The one loaded department a name asked for misspells: its body (or a short form of
        it) of four characters or more with one character replaced (机关事物局 for 机关事务局)."""
        asked = split_place(name)[1] or name
        if len(asked) < 4:
            return None
        hits = {key for key, al in self.ctx.aliases.items()
                for f in al.body_forms | {al.body}
                if len(f) == len(asked) and sum(a != b for a, b in zip(f, asked)) == 1}
        return next(iter(hits)) if len(hits) == 1 else None

    def _sole_match(self, name: str) -> str | None:
        """The one loaded department, when the index holds one and the name asked for may be
        it: the document names no department, or the name's body (司法局 of 某市司法局) is
        the loaded one's. None otherwise (another body is asked about: refuse)."""
        if len(self.ctx.aliases) != 1:
            return None
        (key, al), = self.ctx.aliases.items()
        docs = self.ctx.by_department(key)
        if not docs:
            return None
        if not docs[0].document.department:
            return key
        if re.search(r"[A-Za-z]{3}", name) and any(f in name.lower() for f in al.latin_region_forms if len(f) >= 4):
            return key  # "the Qiantang administrative approval bureau": the one loaded, of that place
        asked = split_place(name)[1] or name
        body = al.body or key
        if asked and (asked in body or body.endswith(asked) or body in asked):
            return key
        # a short form keeping some of the body's characters (质监局, 教体局, 农技中心)
        return key if asked and any(is_abbreviation(asked, f) for f in al.body_forms | {body}) else None

    def _only_one_names(self, q: Program, candidates: list[str]) -> str | None:
        """The single candidate whose documents contain the question's distinctive item
        phrase ("公积金中心信息化建设项目的绩效指标": only one 公积金中心 has that project),
        else None (stay ambiguous).

        A phrase is distinctive when it is at least four characters once generic words
        (绩效指标, 项目, 支出 …) are removed, so a shared figure name like 三公经费 never
        picks a department.
        """
        amounts = restated_amounts(q.text)
        if amounts:
            # "那个612万的项目": the one whose pages state that amount
            stating = [n for n in candidates
                       if any(states_amount(f, amounts) for d in self.ctx.by_department(n) for f in d.facts)]
            if len(stating) == 1:
                return stating[0]
        phrases = [p for p in (_GENERIC_ITEM_RE.sub("", norm_label(x)) for x in re.split(r"[\s|]", q.metric)) if len(p) >= 4]
        if not phrases:
            return None
        having = []
        for name in candidates:
            texts = [d.label_text for d in self.ctx.by_department(name)]
            if any(p in t for p in phrases for t in texts):
                having.append(name)
        return having[0] if len(having) == 1 else None

    def _pick_doc(self, q: Program, department: str) -> tuple[DocData | None, Program, str, str]:
        """The department's document for the question's year, the program to run on it
        (the year asked being that document's prior year asks its 上年 figure), or None with
        the reason in Chinese and English."""
        docs = self.ctx.by_department(department)
        if not docs:
            return None, q, f"未加载{department}的文件。", f"No document of {department} is loaded."
        if q.year:
            exact = [d for d in docs if d.document.year == q.year]
            if exact:
                return exact[0].of_year(q.year) or exact[0], q, "", ""
            # a report of one year's execution and the next year's budget states both years
            stating = [v for d in docs if (v := d.of_year(q.year)) is not None]
            if stating:
                return stating[0], q, "", ""
            prior = [d for d in docs if d.document.year and d.document.year - 1 == q.year]
            if prior:
                asked = replace(q, want="prior") if q.op in ("lookup", "count", "compare") else q
                return prior[0], asked, "", ""
            years = "、".join(str(d.document.year) for d in docs if d.document.year)
            return None, q, (f"已加载的{department}文件只涵盖 {years} 年，没有 {q.year} 年的数据。"), (
                f"The loaded documents of {department} cover {years} only, not {q.year}.")
        latest = max(docs, key=lambda d: d.document.year or 0)
        return latest.of_year(None) or latest, q, "", ""

    def _outcome(self, q: Program, department: str) -> Outcome:
        dd, q, zh, en = self._pick_doc(q, department)
        if dd is None:
            return Outcome(status="not_found", op=q.op, reason=zh, reason_en=en)
        twins = [d for d in self.ctx.by_department(department)
                 if d is not dd and d.document.year == dd.document.year and d.document.kind == dd.document.kind]
        named = _scope_named(q.question)
        if twins and named:
            # "the unit budget" / "部门预算里": the document of the scope the question names
            of_scope = [d for d in [dd] + twins if disclosure_scope(d.document) == named]
            if of_scope:
                dd, twins = of_scope[0], of_scope[1:]
        if not twins:
            return verify(run_one(q, dd, self.ctx), q.lang)
        # a narrative PDF and its tables PDF of one body and year: the one that answers what
        # was asked (邮电费 in the tables, not the 基本支出 total the narrative states)
        outs = [verify(run_one(q, d, self.ctx), q.lang) for d in [dd] + twins]
        return max(outs, key=lambda o: (o.status == "answered", _covers(q, o)))

    def _which_year(self, q: Program, department: str) -> Answer | None:
        """Each year's answer when the body is loaded for several years and the question names
        none (今年 / this year is the latest); None otherwise, or when the years give one answer."""
        if q.year or q.years or q.all_years or has_cue_word("this_year", q.question):
            return None
        docs = self.ctx.by_department(department)
        if any(d.of_year(None) is not None and d.of_year(None) is not d for d in docs):
            return None  # (a report of two years answers each by the year asked)
        if q.year:
            return None
        years = sorted({d.document.year for d in docs if d.document.year}, reverse=True)
        if len(years) < 2:
            return None
        subs = []
        for y in years:
            kinds = "/".join(sorted({d.document.kind for d in docs if d.document.year == y and d.document.kind}))
            subs.append((f"{department}（{y}年{kinds}）", self._single(replace(q, year=y), department)))
        answered = [a for _, a in subs if a.status == "answered"]
        if len(answered) < 2 or len({(a.value, a.unit) for a in answered}) < 2:
            return None  # one disclosure holds what is asked, or all say the same: it answers
        return C.compose_which_year(q, department, subs)

    def _over_years(self, q: Program, department: str) -> Answer | None:
        """The body's figure in each of the years asked, each from that year's own document,
        combined as asked; None unless two or more of its documents are of those years."""
        had = sorted({d.document.year for d in self.ctx.by_department(department) if d.document.year})
        years = list(q.years) if q.years else (had if q.all_years else [])
        if len(years) < 2 or not set(years) <= set(had) or q.op not in OVER_YEARS_OPS:
            return None
        if q.op in ("yoy", "diff") and len(years) == 2 and abs(years[0] - years[1]) == 1:
            # two years in a row: the later document's own comparison with its year before
            # (its 上年 column, its "比上年" sentence) first; two documents only where it has none
            own = self._single(replace(q, years=(), year=max(years)), department)
            if own.status == "answered" and own.value is not None:
                return own
        per_year = [(y, self._outcome(per_year_question(q, y), department)) for y in years]
        if not any(o.status == "answered" for _, o in per_year):
            return None
        ans = C.compose(q, combine(q, per_year))
        label = next((o.label for _, o in per_year if o.status == "answered" and o.label), q.metric)
        ans.answer = f"{department}（{label}）:\n{ans.answer}" if q.lang == "en" else f"{department}（{label}）：\n{ans.answer}"
        return ans

    def _single(self, q: Program, department: str) -> Answer:
        return C.compose(q, self._outcome(q, department))

    def _ambiguous(self, q: Program, candidates: list[str], named_several: bool = True) -> Answer:
        subs = []
        cites: list[Citation] = []
        if q.op in ("lookup", "sum", "yoy", "ratio", "count", "diff", "list", "policy", "average") or not named_several:
            for name in candidates:
                a = self._single(q, name)
                subs.append((name, a))
                if a.status == "answered":
                    cites.extend(a.citations)
        if subs and not any(a.status == "answered" for _, a in subs) and not named_several:
            # nothing named a department and no document has the figure: not a question
            # about these documents (or a figure none of them discloses)
            return C.compose_refusal(
                q, "已加载的文件中找不到与该问题对应的数字或内容。",
                "None of the loaded documents has a figure or passage answering this question.")
        answered = [(n, a) for n, a in subs if a.status == "answered"]
        scope = scope_of(q.metric)
        if len(answered) > 1 and scope:
            # "住房公积金管理服务项目里差旅费": the department-wide 差旅费 of a department
            # without that project is not what was asked
            within = [(n, a) for n, a in answered if any(scope_named(d, scope) for d in self.ctx.by_department(n))]
            answered = within or answered
        if len(answered) == 1 and len(subs) > 1:
            # only one candidate's documents hold what is asked ("95年以前退休人员生活费这个项目"
            # names no department, but one document has that project): that one, said so
            name, ans = answered[0]
            others = "、".join(n for n, _ in subs if n != name)
            ans.warnings.append(
                f"问题未能确定部门（也可指{others}），只有{name}的文件含有所问内容，按其作答。" if q.lang == "zh" else
                f"The question does not settle the department (it may also mean {others}); only {name}'s documents hold what is asked.")
            return ans
        ans = C.compose_ambiguous(q, candidates, subs, named=named_several)
        ans.citations = cites
        return ans

    def _across(self, q: Program, departments: list[str]) -> Answer:
        # each department's figure, then compare/subtract across
        counted = bool(q.count_units) and has_cue(q.question, q.lang, "count")  # "how many more retirees"
        # "哪家车最多": a thing people count (车, 编制) compared is its number, not its price
        counted = counted or norm_label(q.metric) in glossary.COUNTED_SYNONYMS
        each = replace(q, op="count" if counted else "lookup") if q.op in ("diff", "compare", "sum") else q
        growth = q.op == "compare" and has_cue_word("growth_compared", q.question)
        if growth:
            each = replace(q, op="yoy", want="change", asks_rate=True)  # "两家谁涨得快": their growth rates
        subs = [(name, self._outcome(each, name)) for name in departments]
        if growth:
            subs = [(n, replace(o, result=o.rate) if o.rate is not None else replace(o, status="not_found")) for n, o in subs]
        named = [(n, o.result) for n, o in subs if o.status == "answered" and o.result is not None and o.result.value is not None]
        if not named:
            return C.compose(q, subs[0][1]) if len(subs) == 1 else C.compose_refusal(
                q, "所涉部门的文件都没有披露该数字。", "None of these departments' documents disclose that figure.")
        out = Outcome(status="answered", op="compare", per_department=[(n, o) for n, o in subs])
        if q.op == "sum" and len(named) >= 2:
            singles = [r.operands[0] for _, r in named if len(r.operands) == 1]
            if len(singles) == len(named):
                out.op = "diff_departments"
                out.result = ops.total(singles)
        if q.op == "diff" and len(named) == 2:
            (na, ra), (nb, rb) = named
            fa, fb = ra.operands[0], rb.operands[0]
            if not q.direction and ops.ordered_apart(fa, fb):
                fa, fb = fb, fa  # "两家差多少" says no side: the gap from the larger, never below zero
            diff = ops.difference(fa, fb) if len(ra.operands) == 1 and len(rb.operands) == 1 else None
            if diff is not None:
                out.op = "diff_departments"
                out.result = diff
        if out.result is None and re.search(r"分别|各自|各是|respectively|\beach\b", q.question, re.I):
            out.op = "each"  # "A 和 B 分别是多少": every value, no winner
            out.result = ToolResult(None, named[0][1].unit)
        if out.result is None:
            picked = ops.compare(named, largest=q.largest)
            if picked is None:
                return C.compose_refusal(q, "无法比较。", "Nothing to compare.")
            out.winner, out.result = picked
            if len(named) == 2 and all(r.operands for _, r in named):
                # "A和B谁多": who, and by how much (the winner's figure minus the other's;
                # either may be a sum of parts)
                (na, ra), (nb, rb) = named
                (first, second), loser = ((ra, rb), nb) if out.winner == na else ((rb, ra), na)
                margin = ops.difference(first.operands[0], second.operands[0]) \
                    if len(first.operands) == 1 and len(second.operands) == 1 else ops.margin(first, second)
                if asks_multiple(q.question) and len(first.operands) == 1 and len(second.operands) == 1:
                    # "安阳是社保的几倍": the larger figure as a multiple of the other
                    multiple = ops.times(first.operands[0], second.operands[0])
                    if multiple.value is not None:
                        out.result, out.derived = multiple, "multiple"
                if out.derived:
                    pass
                elif margin is not None and margin.value is not None and asks_margin(q.question):
                    out.result, out.derived = margin, "margin"
                elif margin is not None and margin.value is not None:
                    out.margin, out.runner_up = margin, loser
        for _, o in subs:
            out.citations.extend(o.citations)
            out.warnings.extend(o.warnings)
        return C.compose(q, out)
