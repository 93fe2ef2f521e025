"""PubMed syntax -> FTS5 (pure): `to_fts` renders a Query, or an editor's raw PubMed syntax, into
an FTS5 MATCH expression over the local index's columns and says which parts it could not honour."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from pipeline.phrases import mesh_as_text
from pipeline.text import normalize_space
from pipeline.types import Query, QueryArm

# Stored in mesh when a record has none, so a filter like humans[mh] can keep records that were
# never indexed with MeSH instead of silently dropping a whole corpus.
NO_MESH = "zznomeshzz"
TEXT_COLUMNS = "{title abstract mesh}"


# --- pure: Query -> FTS5 --------------------------------------------------------------------


def _phrase(text: str, prefix: bool = False) -> str | None:
    """A user phrase as an FTS5 string; None when it has no word characters to match.

    Quoting every term (and doubling inner quotes) means NEAR, *, -, ( and : in user text are
    plain characters, never FTS5 syntax.
    """
    text = normalize_space(text.replace("\x00", " "))
    if not any(ch.isalnum() for ch in text):
        return None
    quoted = '"' + text.replace('"', '""') + '"'
    return f"{quoted} *" if prefix else quoted


def render_arm(arm: QueryArm) -> str | None:
    """One concept: its phrases and MeSH headings ORed over title, abstract and MeSH."""
    terms: list[str] = []
    for text in (*arm.free_text, *arm.mesh, *map(mesh_as_text, arm.mesh)):
        quoted = _phrase(text)
        if quoted and quoted not in terms:
            terms.append(quoted)
    return f"{TEXT_COLUMNS} : ({' OR '.join(terms)})" if terms else None


@dataclass(frozen=True)
class _Term:
    text: str
    tag: str = ""  # lower-case PubMed field tag without brackets, "" when untagged
    prefix: bool = False


@dataclass(frozen=True)
class _Op:
    op: Literal["AND", "OR", "NOT"]
    left: _Node
    right: _Node


_Node = _Term | _Op
_TOKEN = re.compile(r'"[^"]*"?|\[[^\]]*\]?|\(|\)|[^\s()\[\]"]+')


def _tokens(raw: str) -> list[tuple[str, str]]:
    """PubMed syntax as (kind, value): phrase, word, tag, op, paren."""
    out: list[tuple[str, str]] = []
    for tok in _TOKEN.findall(raw):
        if tok.startswith('"'):
            out.append(("phrase", tok.strip('"')))
        elif tok.startswith("["):
            out.append(("tag", tok.strip("[]")))
        elif tok in "()":
            out.append(("paren", tok))
        elif tok in ("AND", "OR", "NOT"):
            out.append(("op", tok))
        else:
            out.append(("word", tok))
    return out


def _norm_tag(tag: str) -> str:
    tag = normalize_space(tag.lower())
    return tag.split(":")[0] if tag.split(":")[0] in ("mh", "majr", "mesh") else tag


def _terms(tokens: list[tuple[str, str]]) -> list[tuple[str, object]]:
    """Attach [tags] to terms. A run of bare words followed by a tag is one tagged phrase,
    as PubMed reads `treatment resistant depression[tiab]`."""
    out: list[tuple[str, object]] = []
    run: list[int] = []  # indexes in out of the current run of untagged bare words
    for kind, value in tokens:
        if kind == "tag":
            if out and out[-1][0] == "term":
                last = out[-1][1]
                assert isinstance(last, _Term)
                if run and len(run) > 1 and run[-1] == len(out) - 1:
                    words = [out[i][1].text for i in run]  # type: ignore[union-attr]
                    del out[run[0]:]
                    out.append(("term", _Term(" ".join(words), _norm_tag(value), last.prefix)))
                else:
                    out[-1] = ("term", _Term(last.text, _norm_tag(value), last.prefix))
            run = []
        elif kind in ("word", "phrase"):
            term = _Term(value.rstrip("*"), "", value.endswith("*"))
            out.append(("term", term))
            run = run + [len(out) - 1] if kind == "word" else []
        else:
            out.append((kind, value))
            run = []
    return out


class _Parser:
    """PubMed Boolean syntax: evaluated left to right, parentheses first (no precedence)."""

    def __init__(self, items: list[tuple[str, object]], notes: list[str]) -> None:
        self.items, self.pos, self.notes = items, 0, notes

    def peek(self) -> tuple[str, object] | None:
        return self.items[self.pos] if self.pos < len(self.items) else None

    def parse(self) -> _Node | None:
        node = self.expr()
        while self.peek() is not None:  # a stray ')' ends expr early: skip it and go on
            self.notes.append("ignored an unmatched ')'")
            self.pos += 1
            rest = self.expr()
            node = rest if node is None else (node if rest is None else _Op("AND", node, rest))
        return node

    def expr(self) -> _Node | None:
        node = self.primary()
        while (item := self.peek()) is not None and item != ("paren", ")"):
            op: Literal["AND", "OR", "NOT"] = "AND"
            if item[0] == "op":
                op = item[1]  # type: ignore[assignment]
                self.pos += 1
                if op == "AND" and self.peek() == ("op", "NOT"):  # "AND NOT" is NOT
                    op = "NOT"
                    self.pos += 1
            right = self.primary()
            if right is None:
                self.notes.append(f"ignored a dangling {op}")
                continue
            if node is None:
                if op == "NOT":
                    self.notes.append("ignored a NOT with nothing before it")
                    continue
                node = right
                continue
            node = _Op(op, node, right)
        return node

    def primary(self) -> _Node | None:
        item = self.peek()
        if item is None or item == ("paren", ")"):
            return None
        self.pos += 1
        if item == ("paren", "("):
            node = self.expr()
            if self.peek() == ("paren", ")"):
                self.pos += 1
            else:
                self.notes.append("closed an unclosed '('")
            return node
        if item[0] == "term":
            return item[1]  # type: ignore[return-value]
        if item[0] == "op":  # operator where a term should be ("AND OR x")
            self.notes.append(f"ignored a misplaced {item[1]}")
            return self.primary()
        return None


_TEXT_TAGS = {
    "": TEXT_COLUMNS, "tw": TEXT_COLUMNS, "text word": TEXT_COLUMNS, "all": TEXT_COLUMNS,
    "all fields": TEXT_COLUMNS, "tiab": "{title abstract}", "title/abstract": "{title abstract}",
    "ti": "title", "title": "title", "ab": "abstract", "abstract": "abstract",
    "ta": "journal", "journal": "journal", "jour": "journal", "jt": "journal",
}
_MESH_TAGS = frozenset({"mh", "mesh", "mesh terms", "majr", "mesh major topic", "sh"})
_PT_TAGS = frozenset({"pt", "publication type", "ptyp"})
_DATE_TAGS = frozenset({"dp", "pdat", "publication date", "date - publication"})
Mode = Literal["normal", "filter", "neg"]


@dataclass
class _Render:
    """Rendering state: notes of what was dropped or approximated, and a year range."""

    notes: list[str] = field(default_factory=list)
    years: tuple[int | None, int | None] = (None, None)

    def term(self, term: _Term, mode: Mode) -> str | None:
        shown = f'"{term.text}"' if " " in term.text else term.text
        shown += "*" if term.prefix else ""
        shown += f"[{term.tag}]" if term.tag else ""
        if term.tag in _DATE_TAGS:
            if mode == "filter":
                return self._years(term.text, shown)
            self.notes.append(f"ignored {shown}: a date can only be a filter ANDed to the query")
            return None
        phrase = _phrase(term.text, term.prefix)
        if phrase is None:
            if term.tag:
                self.notes.append(f"ignored {shown}: no word to search for")
            return None
        if term.tag in _TEXT_TAGS:
            return f"{_TEXT_TAGS[term.tag]} : {phrase}"
        if term.tag in _MESH_TAGS:
            if mode == "filter":
                self.notes.append(f"filter {shown} applied to records with MeSH; records without MeSH kept")
                return f'(mesh : {phrase} OR mesh : "{NO_MESH}")'
            if mode == "neg":
                return f"mesh : {phrase}"
            self.notes.append(f"{shown} searched as MeSH and as words in title/abstract")
            return f"(mesh : {phrase} OR {{title abstract}} : {phrase})"
        if term.tag in _PT_TAGS:
            # One rule for `run` and `search`: a record without a publication type does not pass.
            if mode == "filter":
                self.notes.append(f"filter {shown}: records without a publication type are left out")
            return f"pub_types : {phrase}"
        self.notes.append(f"ignored {shown}: the local index has no [{term.tag}] field")
        return None

    def _years(self, text: str, shown: str) -> None:
        found = [int(y) for y in re.findall(r"(?<!\d)(1\d{3}|2\d{3}|3000)(?!\d)", text)]
        if not found:
            self.notes.append(f"ignored {shown}: no year in it")
            return None
        low, high = min(found), max(found)
        old_low, old_high = self.years
        self.years = (
            low if old_low is None else max(low, old_low),
            high if old_high is None else min(high, old_high),
        )
        self.notes.append(f"filter {shown} applied as years {low}-{high}; records without a year kept")
        return None

    def node(self, node: _Node | None, mode: Mode) -> str | None:
        if node is None:
            return None
        if isinstance(node, _Term):
            return self.term(node, mode)
        if node.op == "NOT":
            left = self.node(node.left, "normal" if mode == "filter" else mode)
            right = self.node(node.right, "neg")
            if left is None:
                return None
            return f"({left} NOT {right})" if right else left
        sub: Mode = "normal" if mode == "filter" else mode
        left, right = self.node(node.left, sub), self.node(node.right, sub)
        if left and right:
            return f"({left} {node.op} {right})"
        return left or right


def _split(node: _Node | None) -> tuple[list[_Node], list[_Node]]:
    """Top-level (ANDed, NOTed) parts: (A AND B) NOT C is A, B and NOT C."""
    if node is None:
        return [], []
    if isinstance(node, _Op) and node.op in ("AND", "NOT"):
        pos, neg = _split(node.left)
        if node.op == "AND":
            more, less = _split(node.right)
            return pos + more, neg + less
        return pos, neg + [node.right]
    return [node], []


# MeSH check tags: who was studied, not what. ANDed to a query they act as filters.
_CHECK_TAGS = frozenset({
    "humans", "animals", "male", "female", "pregnancy", "mice", "rats", "infant",
    "infant, newborn", "child", "child, preschool", "adolescent", "young adult", "adult",
    "middle aged", "aged", "aged, 80 and over",
})


def _is_filter(node: _Node, in_filters: bool) -> bool:
    """A top-level ANDed term such as humans[mh], 2015:2020[dp] or rct[pt] restricts the
    results rather than searching; in a raw query other MeSH terms still search."""
    if not isinstance(node, _Term):
        return in_filters
    if node.tag in _PT_TAGS | _DATE_TAGS:
        return True
    if node.tag in _MESH_TAGS:
        return in_filters or normalize_space(node.text.lower()) in _CHECK_TAGS
    return in_filters and node.tag != ""


_DATE_RANGE = re.compile(
    r'"?(\d{4}[\d/]*)"?\s*\[(dp|pdat|publication date)\]\s*:\s*"?(\d{4}[\d/]*)"?\s*\[\2\]', re.I
)


def _render_parts(text: str, state: _Render, in_filters: bool) -> tuple[list[str], list[str]]:
    """(positive parts, negated parts) of one PubMed-syntax string."""
    notes: list[str] = []
    # "2015/01/01"[dp] : "2020"[dp] is one range, not two ANDed dates.
    stripped = _DATE_RANGE.sub(r"\1:\3[\2]", text.strip())
    negated = in_filters and stripped.upper().startswith("NOT ")
    tree = _Parser(_terms(_tokens(stripped[4:] if negated else stripped)), notes).parse()
    state.notes.extend(notes)
    positive: list[str] = []
    negative: list[str] = []
    conjuncts, negated_parts = _split(tree)
    if negated:  # a filter "NOT x": x as a whole excludes ("NOT (animals NOT humans)" keeps humans)
        conjuncts, negated_parts = [], [tree]
    for part in negated_parts:
        rendered = state.node(part, "neg")
        if rendered:
            negative.append(rendered)
    for conjunct in conjuncts:
        if in_filters and isinstance(conjunct, _Term) and conjunct.tag == "":
            state.notes.append(f"ignored filter {conjunct.text}: the local index cannot apply it")
            continue
        mode: Mode = "filter" if _is_filter(conjunct, in_filters) else "normal"
        rendered = state.node(conjunct, mode)
        if rendered:
            positive.append(rendered)
    return positive, negative


@dataclass(frozen=True)
class FtsQuery:
    """A Query rendered for the local index."""

    match: str  # the FTS5 MATCH expression; "" when nothing searchable was left
    years: tuple[int | None, int | None] = (None, None)
    notes: tuple[str, ...] = ()


def render(query: Query) -> FtsQuery:
    """A Query as FTS5 MATCH text plus a year range and notes. Pure.

    The editor's raw PubMed syntax, when set, is the query (as for PubMed); otherwise arms are
    ANDed and filters applied where stored fields allow.
    """
    state = _Render()
    positive: list[str] = []
    negative: list[str] = []
    if query.raw and query.raw.strip():
        positive, negative = _render_parts(query.raw, state, in_filters=False)
    else:
        for arm in query.arms:
            if arm.concept == "comparator":
                continue  # the comparator ranks the records (LocalIndex.search), it never filters them
            rendered = render_arm(arm)
            if rendered:
                positive.append(rendered)
            else:
                state.notes.append(f"ignored the {arm.concept} arm: it has no term")
        if positive:
            for text in query.filters:
                more, less = _render_parts(text, state, in_filters=True)
                positive += more
                negative += less
    match = " AND ".join(positive)
    if match and negative:
        match = f"({match}) NOT ({' OR '.join(negative)})"
    if not match:
        state.notes.append("nothing searchable in the query")
    return FtsQuery(match, state.years, tuple(dict.fromkeys(state.notes)))


def to_fts(query: Query) -> tuple[str, tuple[str, ...]]:
    """The FTS5 MATCH expression for a Query and notes on what it ignored. Pure."""
    rendered = render(query)
    return rendered.match, rendered.notes
