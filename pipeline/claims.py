"""Read and validate claims.yaml. Every problem is reported with its file, line and a fix.

The YAML is composed into nodes first (not loaded straight to dicts) so that each value keeps
the line it came from; duplicate keys, unknown keys and wrong types are all caught here.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from pathlib import Path
from typing import Any

import yaml

from pipeline.errors import ClaimsError, ClaimsFileInvalid, FileRefused
from pipeline.files import read_capped
from pipeline.text import normalize_quotes, normalize_space
from pipeline.types import Article, Citation, Claim, ClaimNumber, ClaimsFile

MAX_BYTES = 5 * 1024 * 1024  # a claims file is hand-written; anything bigger is a mistake
MAX_CLAIMS = 1000  # one article's claims; more is a generated or wrong file (and slow to compose)
MAX_EVENTS = 100_000  # YAML events (keys, values, lists); ~15 per claim in practice
# libyaml when PyYAML was built with it: composing nodes is ~6x faster than the pure-Python loader.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
KINDS = ("efficacy", "safety", "mechanism", "statistic", "citation", "quote", "background", "population")
CONCEPTS = ("population", "intervention", "comparator", "outcome")
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")

TOP_KEYS = {"article": "the article the claims come from", "claims": "the list of claims"}
ARTICLE_KEYS = {"title", "url", "checked", "file", "outlet", "published", "authors"}
CLAIM_KEYS = {
    "id", "quote", "claim", "kind", "population", "intervention", "comparator", "outcome",
    "numbers", "cites", "queries", "mesh", "notes",
}
NUMBER_KEYS = {"value", "unit", "about"}
CITE_KEYS = {"journal", "year", "outlet", "person", "title", "authors", "doi", "pmid", "url"}

_Node = yaml.Node
# The tags a claims file may carry: plain values, lists and mappings. Any other tag (such as
# !!python/object/apply) is refused, not dropped: it shows a file written to attack a parser.
SAFE_TAGS = {"!", *(f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq"))}


class _Checker:
    """Walks the composed YAML, collecting every problem instead of stopping at the first."""

    def __init__(self, path: str, loader: yaml.SafeLoader) -> None:
        self.path = path
        self.loader = loader
        self.errors: list[ClaimsError] = []

    def error(self, node: _Node | None, message: str, hint: str = "") -> None:
        line = node.start_mark.line + 1 if node is not None else None
        self.errors.append(ClaimsError(self.path, line, message, hint))

    def scalar(self, node: _Node) -> Any:
        return self.loader.construct_object(node, deep=True)

    def mapping(self, node: _Node, allowed: set[str], what: str) -> dict[str, _Node]:
        if not isinstance(node, yaml.MappingNode):
            self.error(node, f"{what} must be a mapping of keys to values", f"write it as 'key: value' lines under {what}")
            return {}
        result: dict[str, _Node] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key is None:
                self.error(key_node, f"{what} has a key that is not plain text", "use simple words as keys")
            elif key in result:
                self.error(key_node, f"duplicate key '{key}' in {what}", "keep one of them; YAML would silently drop the first")
            elif key not in allowed:
                close = difflib.get_close_matches(key, sorted(allowed), n=1)
                hint = f"did you mean '{close[0]}'?" if close else f"allowed keys: {', '.join(sorted(allowed))}"
                self.error(key_node, f"unknown key '{key}' in {what}", hint)
            else:
                result[key] = value_node
        return result

    def text(self, node: _Node | None, what: str, required: bool = False) -> str | None:
        if node is None or (isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null")):
            if required:
                self.error(node, f"{what} is missing or empty", f"add '{what.split()[-1]}: ...' with a non-empty value")
            return None
        if not isinstance(node, yaml.ScalarNode):
            self.error(node, f"{what} must be text, not a {'list' if isinstance(node, yaml.SequenceNode) else 'mapping'}", "write a single line of text (quote it if it contains ':' or '#')")
            return None
        value = self.scalar(node)
        if isinstance(value, (dt.date, dt.datetime)):
            return value.isoformat()
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.error(node, f"{what} must be text, got {value!r}", "put the value in quotes")
            return None
        value = str(value).strip()
        if required and not value:
            self.error(node, f"{what} is empty", "give it a value")
            return None
        return value or None

    def link(self, node: _Node | None, what: str) -> str | None:
        """An http(s) address: anything else (javascript:, data:) would become a link in the report."""
        value = self.text(node, what)
        if value and not re.match(r"https?://[^\s/]", value, re.IGNORECASE):
            self.error(node, f"{what} must start with http:// or https://, got {value[:40]!r}",
                       "give the page's web address, or leave the url out")
            return None
        return value

    def text_list(self, node: _Node | None, what: str) -> tuple[str, ...]:
        """A string or a list of strings (synonyms)."""
        if node is None:
            return ()
        if isinstance(node, yaml.SequenceNode):
            return tuple(t for item in node.value if (t := self.text(item, f"an item of {what}")))
        single = self.text(node, what)
        return (single,) if single else ()

    def integer(self, node: _Node, what: str) -> int | None:
        value = self.scalar(node) if isinstance(node, yaml.ScalarNode) else None
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(node, f"{what} must be a whole number", "write digits only, e.g. 2021")
            return None
        return value

    def number(self, node: _Node, what: str) -> float | None:
        value = self.scalar(node) if isinstance(node, yaml.ScalarNode) else None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.error(node, f"{what} must be a number", "write it without units, e.g. 'value: 87' and 'unit: \"%\"'")
            return None
        return float(value)

    def sequence(self, node: _Node | None, what: str) -> list[_Node]:
        if node is None:
            return []
        if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null"):
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.error(node, f"{what} must be a list", "start each item on its own line with '- '")
            return []
        return list(node.value)


def _article(checker: _Checker, node: _Node | None) -> Article | None:
    if node is None:
        checker.error(None, "the file has no 'article:' section", "add 'article:' with at least 'title:' at the top")
        return None
    fields = checker.mapping(node, ARTICLE_KEYS, "article")
    title = checker.text(fields.get("title"), "article title", required=True)
    if "title" not in fields and isinstance(node, yaml.MappingNode):
        checker.error(node, "article has no title", "add 'title: <the article's headline>'")
    return Article(
        title=title or "untitled article",
        url=checker.link(fields.get("url"), "article url"),
        checked=checker.text(fields.get("checked"), "article checked date"),
        file=checker.text(fields.get("file"), "article file"),
    )


def _numbers(checker: _Checker, node: _Node | None) -> tuple[ClaimNumber, ...]:
    numbers = []
    for item in checker.sequence(node, "numbers"):
        if isinstance(item, yaml.ScalarNode):  # shorthand: "- 87" means just a value
            value = checker.number(item, "a number")
            if value is not None:
                numbers.append(ClaimNumber(value=value))
            continue
        fields = checker.mapping(item, NUMBER_KEYS, "a number")
        if "value" not in fields:
            checker.error(item, "a number has no 'value'", "add 'value: 87' (and 'unit', 'about')")
            continue
        value = checker.number(fields["value"], "number value")
        if value is not None:
            numbers.append(ClaimNumber(
                value=value,
                unit=checker.text(fields.get("unit"), "number unit") or "",
                about=checker.text(fields.get("about"), "number about") or "",
            ))
    return tuple(numbers)


def _citation(checker: _Checker, node: _Node) -> Citation | None:
    fields = checker.mapping(node, CITE_KEYS, "a citation")
    if not fields:
        return None
    year = checker.integer(fields["year"], "citation year") if "year" in fields else None
    pmid = checker.text(fields.get("pmid"), "citation pmid")
    if pmid and not pmid.isdigit():
        checker.error(fields["pmid"], f"citation pmid '{pmid}' is not a PubMed ID", "a PMID is digits only, e.g. 29768149")
    return Citation(
        journal=checker.text(fields.get("journal"), "citation journal"),
        year=year,
        outlet=checker.text(fields.get("outlet"), "citation outlet"),
        person=checker.text(fields.get("person"), "citation person"),
        title=checker.text(fields.get("title"), "citation title"),
        authors=checker.text_list(fields.get("authors"), "citation authors"),
        doi=checker.text(fields.get("doi"), "citation doi"),
        pmid=pmid,
        url=checker.link(fields.get("url"), "citation url"),
    )


def _cites(checker: _Checker, node: _Node | None) -> tuple[Citation, ...]:
    if isinstance(node, yaml.MappingNode):  # a single citation may be written without a list
        items: list[_Node] = [node]
    else:
        items = checker.sequence(node, "cites")
    return tuple(c for item in items if (c := _citation(checker, item)))


def _mesh(checker: _Checker, node: _Node | None) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if node is None:
        return ()
    fields = checker.mapping(node, set(CONCEPTS), "mesh")
    return tuple((concept, checker.text_list(value, f"mesh {concept}")) for concept, value in fields.items())


def _claim(checker: _Checker, node: _Node, seen: dict[str, int]) -> Claim | None:
    fields = checker.mapping(node, CLAIM_KEYS, "a claim")
    if not fields:
        if isinstance(node, yaml.MappingNode) and not node.value:  # '- {}': nothing else would report it
            checker.error(node, "a claim is empty", "give it 'id:', 'quote:' and 'claim:'")
        return None
    claim_id = checker.text(fields.get("id"), "claim id", required=True)
    if "id" not in fields:
        checker.error(node, "a claim has no id", "add 'id: short-name' (lowercase letters, digits, '-')")
    line = node.start_mark.line + 1
    if claim_id is not None:
        if not ID_PATTERN.match(claim_id):
            checker.error(fields["id"], f"claim id '{claim_id}' is not a short name",
                          "use lowercase letters, digits, '-' and '_' only (it becomes part of file names and links)")
        elif claim_id in seen:
            checker.error(fields["id"], f"duplicate claim id '{claim_id}' (first used on line {seen[claim_id]})",
                          "give every claim its own id")
        else:
            seen[claim_id] = line
    for key in ("quote", "claim"):
        if key not in fields:
            checker.error(node, f"claim '{claim_id or '?'}' has no '{key}'",
                          "add 'quote:' (verbatim from the article)" if key == "quote" else "add 'claim:' (the checkable statement in plain words)")
    kind = checker.text(fields.get("kind"), "claim kind") or "efficacy"
    if "kind" in fields and kind not in KINDS:
        close = difflib.get_close_matches(kind, KINDS, n=1)
        checker.error(fields["kind"], f"unknown kind '{kind}'",
                      f"did you mean '{close[0]}'?" if close else f"use one of: {', '.join(KINDS)}")
    queries = checker.sequence(fields.get("queries"), "queries")
    return Claim(
        id=claim_id or "",
        text=checker.text(fields.get("claim"), "claim", required="claim" in fields) or "",
        quote=checker.text(fields.get("quote"), "quote", required="quote" in fields) or "",
        kind=kind,
        population=checker.text_list(fields.get("population"), "population"),
        intervention=checker.text_list(fields.get("intervention"), "intervention"),
        comparator=checker.text_list(fields.get("comparator"), "comparator"),
        outcome=checker.text_list(fields.get("outcome"), "outcome"),
        numbers=_numbers(checker, fields.get("numbers")),
        cites=_cites(checker, fields.get("cites")),
        queries=tuple(q for item in queries if (q := checker.text(item, "a query"))),
        mesh=_mesh(checker, fields.get("mesh")),
        line=line,
    )


def _check_quotes(checker: _Checker, base_dir: Path, article: Article, claims: list[Claim],
                  claim_nodes: dict[str, _Node]) -> None:
    """Every quote must appear verbatim (up to typography and spacing) in the article file."""
    if not article.file:
        return
    article_path = (base_dir / article.file).resolve()
    if not article_path.exists():
        return  # the article copy is optional (e.g. ../shared absent in a fresh clone); nothing to compare
    try:  # capped like the claims file: an article, not a corpus or a device
        article_text = read_capped(article_path, MAX_BYTES, "the article as a text file").decode("utf-8")
    except FileRefused as exc:
        checker.error(None, f"article file {exc.message}",
                      "fix 'file:' under 'article:' (relative to the claims file) or remove it")
        return
    except UnicodeDecodeError as exc:
        checker.error(None, f"article file {article_path} cannot be read ({exc.__class__.__name__})",
                      "fix 'file:' under 'article:' (relative to the claims file) or remove it")
        return
    haystack = normalize_space(normalize_quotes(article_text))
    for claim in claims:
        if claim.quote and normalize_space(normalize_quotes(claim.quote)) not in haystack:
            checker.error(claim_nodes.get(claim.id), f"quote of claim '{claim.id}' is not in {article.file}",
                          "copy the sentence verbatim from the article (typographic quotes and spacing may differ)")


def _check_scale(text: str, path: str) -> None:
    """Refuse, from the cheap YAML event stream, a file too large to be one article's claims,
    or one using aliases, before the slow composing into nodes (a 10,000-claim file would
    take many seconds; aliases can make a few lines expand into a huge structure)."""

    def refuse(event: yaml.Event, message: str, hint: str) -> ClaimsFileInvalid:
        return ClaimsFileInvalid(path, [ClaimsError(path, event.start_mark.line + 1, message, hint)])

    depth, is_key, key, in_claims, claims = 0, True, None, False, 0
    for number, event in enumerate(yaml.parse(text, Loader=_LOADER), 1):
        if number > MAX_EVENTS:
            raise refuse(event, f"the file holds more than {MAX_EVENTS} YAML values",
                         "a claims file lists one article's claims; check you passed the right file")
        tag = getattr(event, "tag", None)
        if tag and tag not in SAFE_TAGS:
            raise refuse(event, f"YAML tag '{tag}' is not allowed in a claims file",
                         "remove the tag: a claims file holds plain text, numbers and lists")
        if isinstance(event, yaml.AliasEvent):
            raise refuse(event, f"YAML alias '*{event.anchor}' is not allowed in a claims file",
                         "write the value out in full instead of '&name' / '*name'")
        starts = isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent))
        if (starts or isinstance(event, yaml.ScalarEvent)) and depth == 1:  # top-level keys and values
            if is_key:
                key = event.value if isinstance(event, yaml.ScalarEvent) else None
            else:
                in_claims = key == "claims" and isinstance(event, yaml.SequenceStartEvent)
            is_key = not is_key
        elif (starts or isinstance(event, yaml.ScalarEvent)) and depth == 2 and in_claims:
            claims += 1
            if claims > MAX_CLAIMS:
                raise refuse(event, f"more than {MAX_CLAIMS} claims",
                             "a claims file lists one article's claims; split it into one file per article")
        if starts:
            depth += 1
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


def parse(text: str, path: str = "claims.yaml", base_dir: Path | None = None) -> ClaimsFile:
    """Parse claims YAML text; raises ClaimsFileInvalid listing every problem."""
    loader = _LOADER(text)
    checker = _Checker(path, loader)
    try:
        _check_scale(text, path)
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise ClaimsFileInvalid(path, [ClaimsError(path, line, f"not valid YAML: {exc.problem or exc}",
                                                   "check indentation and quoting near that line")]) from None
    except yaml.YAMLError as exc:
        raise ClaimsFileInvalid(path, [ClaimsError(path, None, f"not valid YAML: {exc}", "check the file's syntax")]) from None
    finally:
        loader.dispose()
    if root is None:
        raise ClaimsFileInvalid(path, [ClaimsError(path, None, "the file is empty",
                                                   "start from the claims.yaml in the repository: 'article:' then 'claims:'")])
    top = checker.mapping(root, set(TOP_KEYS), "the top level")
    article = _article(checker, top.get("article")) if isinstance(root, yaml.MappingNode) else None
    claim_nodes = checker.sequence(top.get("claims"), "claims")
    if isinstance(root, yaml.MappingNode) and "claims" not in top:
        checker.error(root, "the file has no 'claims:' list", "add 'claims:' with one '- id: ...' item per claim")
    elif isinstance(root, yaml.MappingNode) and not claim_nodes and not checker.errors:
        checker.error(top["claims"], "the claims list is empty", "add at least one claim")
    seen: dict[str, int] = {}
    claims: list[Claim] = []
    node_of: dict[str, _Node] = {}
    for node in claim_nodes:
        if claim := _claim(checker, node, seen):
            claims.append(claim)
            node_of.setdefault(claim.id, node)
    if article is not None and base_dir is not None:
        _check_quotes(checker, base_dir, article, claims, node_of)
    if checker.errors:
        raise ClaimsFileInvalid(path, checker.errors)
    assert article is not None
    return ClaimsFile(article=article, claims=tuple(claims), path=path)


def warnings(claims_file: ClaimsFile) -> list[ClaimsError]:
    """What does not stop a run but leaves a claim unchecked: an efficacy or safety claim that names
    no intervention (it would be searched on its outcome alone, so `run` does not check it)."""
    return [ClaimsError(claims_file.path, claim.line or None,
                        f"warning: {claim.kind} claim '{claim.id}' names no intervention, so it cannot be checked",
                        "add an intervention: the treatment or exposure it is about, e.g. 'intervention: [melatonin]'")
            for claim in claims_file.claims if claim.kind in ("efficacy", "safety") and not claim.intervention]


def load(path: str | Path) -> ClaimsFile:
    """Read and validate a claims file; quotes are checked against `article.file` when given."""
    path = Path(path)
    try:
        raw = read_capped(path, MAX_BYTES, "a claims file (YAML)")
    except FileRefused as exc:
        hint = "check the path, or run from the repository root" if exc.problem == "no such file" else exc.hint
        raise ClaimsFileInvalid(str(path), [ClaimsError(str(path), None, exc.problem, hint)]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ClaimsFileInvalid(str(path), [ClaimsError(str(path), line, "the file is not UTF-8 text",
                                                        "save it as UTF-8 in your editor")]) from None
    return parse(text, str(path), base_dir=path.parent)

