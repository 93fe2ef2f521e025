"""An article as blocks of text: HTML, plain text or a URL -> title, headings, paragraphs.

HTML keeps the article body only (BeautifulSoup drops navigation, scripts, footers, asides,
cookie banners and the like). Plain text is split into lines or blank-line paragraphs; short
lines without end punctuation are headings. Block text is what quotes are copied from, so
`ArticleText.as_text()` is the copy an HTML draft's quotes are checked against.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from bs4 import BeautifulSoup, Tag

from pipeline.errors import FileRefused, InputError
from pipeline.files import read_capped
from pipeline.text import normalize_space

MAX_BYTES = 5 * 2**20  # an article, not a corpus

HEADING, PARAGRAPH, QUOTATION, REFERENCE = "heading", "paragraph", "quotation", "reference"


@dataclass(frozen=True)
class Block:
    kind: str  # heading | paragraph | quotation (a blockquote) | reference (a sources list line)
    text: str


@dataclass(frozen=True)
class ArticleText:
    title: str
    blocks: tuple[Block, ...]

    def as_text(self) -> str:
        """The article as plain text: the title, then one block per line."""
        return "\n".join([self.title, *(b.text for b in self.blocks)]) + "\n"


# --- plain text ------------------------------------------------------------------------------

_END_PUNCT = tuple('.!?:;,"\u201d\u2019)')
_REFERENCES = re.compile(r"^(?:sources?|references?|further reading|bibliography)\s*:?$", re.IGNORECASE)


def looks_like_heading(line: str) -> bool:
    """A short line that does not end like a sentence: 'How Ketamine-Assisted Psychotherapy Works'."""
    words = line.split()
    return 0 < len(words) <= 14 and not line.rstrip().endswith(_END_PUNCT) and not line.startswith(('"', "\u201c", "("))


def _mark_references(blocks: list[Block]) -> tuple[Block, ...]:
    """Everything after a 'Sources:' / 'References' line lists sources; it makes no claims."""
    out: list[Block] = []
    in_refs = False
    for block in blocks:
        if _REFERENCES.match(block.text):
            in_refs = True
        out.append(Block(REFERENCE, block.text) if in_refs else block)
    return tuple(out)


def from_text(text: str) -> ArticleText:
    """Plain text: the first line is the title; with blank lines a paragraph spans several lines."""
    text = text.replace("\r\n", "\n").lstrip("\ufeff")
    chunks = re.split(r"\n\s*\n", text) if re.search(r"\n\s*\n", text.strip()) else text.split("\n")
    blocks: list[Block] = []
    for chunk in chunks:
        lines = [ln.strip() for ln in chunk.split("\n") if ln.strip()]
        if not lines:
            continue
        if _REFERENCES.match(lines[0]):  # a sources list: one source a line
            blocks.extend(Block(PARAGRAPH, line) for line in lines)
            continue
        if len(lines) > 1 and looks_like_heading(lines[0]):  # a heading line on top of its paragraph
            blocks.append(Block(HEADING, lines[0]))
            lines = lines[1:]
        joined = " ".join(lines)
        blocks.append(Block(HEADING if looks_like_heading(joined) else PARAGRAPH, joined))
    if not blocks:
        raise InputError("the article is empty", "give a text file with the article's title on the first line")
    title, *rest = blocks
    return ArticleText(title=title.text, blocks=_mark_references(rest))


# --- HTML ------------------------------------------------------------------------------------

_DROP_TAGS = ("script", "style", "noscript", "nav", "footer", "aside", "form", "iframe", "svg",
              "button", "template", "figure", "menu")
_DROP_ROLES = re.compile(r"^(?:navigation|contentinfo|complementary|banner|search|dialog)$")
_DROP_CLASS = re.compile(
    r"(?:^|[-_ ])(?:nav|navbar|menu|footer|sidebar|share|sharing|social|comments?|cookie|newsletter|"
    r"subscribe|advert|ads?|promo|related|breadcrumbs?|byline-share|popup|modal)(?:$|[-_ ])",
    re.IGNORECASE,
)
_BLOCK_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "blockquote")


def _is_boilerplate(tag: Tag) -> bool:
    if tag.name in _DROP_TAGS:
        return True
    attrs = tag.attrs
    if not attrs:  # most tags: nothing to match
        return False
    if _DROP_ROLES.match(str(attrs.get("role", ""))):
        return True
    names = " ".join(attrs.get("class", []) or []) + " " + str(attrs.get("id", ""))
    return bool(_DROP_CLASS.search(names))


def _root(soup: BeautifulSoup) -> Tag:
    """The first <article>, else the first <main>, else role=main, else <body>: one pass."""
    first: dict[str, Tag] = {}
    for tag in soup.find_all(True):
        kind = tag.name if tag.name in ("article", "main") else "role" if tag.get("role") == "main" else None
        if kind and kind not in first:
            first[kind] = tag
            if kind == "article":
                break
    for candidate in (first.get("article"), first.get("main"), first.get("role"), soup.body):
        if isinstance(candidate, Tag):
            return candidate
    return soup


def _outer_blocks(root: Tag) -> list[Tag]:
    """The outermost block tags under `root` in document order, with boilerplate taken out.

    One walk over the tree that never enters a boilerplate subtree: linear time at any
    nesting depth. (Asking a tag for an attribute bs4 does not have, such as `decomposed` on
    some versions, searches its whole subtree for a tag of that name: quadratic when deep.)
    A block inside a block is not listed: its text is part of the enclosing block already.
    """
    blocks: list[Tag] = []
    doomed: list[Tag] = []
    stack: list[tuple[Tag, bool]] = [(root, False)]  # (tag, inside a block)
    while stack:
        tag, in_block = stack.pop()
        if tag is not root and _is_boilerplate(tag):
            doomed.append(tag)
            continue
        if not in_block and tag.name in _BLOCK_TAGS:
            blocks.append(tag)
            in_block = True
        stack.extend([(child, in_block) for child in reversed(tag.contents) if isinstance(child, Tag)])
    for tag in doomed:
        tag.decompose()
    return blocks


def from_html(html: str | bytes) -> ArticleText:
    """The article body of an HTML page: headings, paragraphs, list items and blockquotes."""
    soup = BeautifulSoup(html, "lxml")
    # "Headline | Site Name": the site's name is not part of the headline
    page_title = re.split(r"\s+[|\u2013\u2014]\s+", normalize_space(soup.title.get_text()))[0] if soup.title else ""
    root = _root(soup)
    blocks: list[Block] = []
    for tag in _outer_blocks(root):
        text = normalize_space(tag.get_text(" "))
        text = re.sub(r" ([,.;:!?])", r"\1", text)  # "word ," left by inline tags joined with spaces
        if not text:
            continue
        kind = HEADING if tag.name.startswith("h") else QUOTATION if tag.name == "blockquote" else PARAGRAPH
        blocks.append(Block(kind, text))
    h1 = next((b.text for b in blocks if b.kind == HEADING), "")
    title = h1 or page_title
    if not title and not blocks:
        raise InputError("the page has no article text", "save the article page itself, or give its text as a .txt file")
    if blocks and blocks[0].text == title:
        blocks = blocks[1:]
    return ArticleText(title=title or "untitled article", blocks=_mark_references(blocks))


def looks_like_html(data: str) -> bool:
    return bool(re.search(r"<(?:!doctype html|html|body|p|div|article|h1)\b", data[:4096], re.IGNORECASE))


def read_file(path: Path) -> tuple[ArticleText, bool]:
    """A saved page (.html/.htm) or a text file; the flag says it is plain text (quotable as is)."""
    try:
        raw = read_capped(path, MAX_BYTES, "one article as .html or .txt")
    except FileRefused as exc:
        hint = "check the path, or give a URL starting with http(s)://" if exc.problem == "no such file" else exc.hint
        raise InputError(exc.message, hint) from None
    if path.suffix.lower() in (".html", ".htm", ".xhtml"):
        return from_html(raw), False
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(f"{path}:{line}: not UTF-8 text", "save the article as UTF-8, or as .html") from None
    return (from_html(text), False) if looks_like_html(text) else (from_text(text), True)


def from_body(body: bytes) -> ArticleText:
    """A fetched page: HTML, or plain text when it does not look like HTML."""
    text = body.decode("utf-8", errors="replace")
    return from_html(body) if looks_like_html(text) else from_text(text)
