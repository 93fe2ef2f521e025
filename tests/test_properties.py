"""Property-based tests (hypothesis): arbitrary input never raises anything but the project's errors.

The claims loader, the number parser and the PubMed XML parser are fed random text and bytes,
random YAML built from claim-like keys, and real files cut and mangled at random places.
"""

from __future__ import annotations

import io
import math
import os

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import SHARED_DATA
from pipeline.claims import CLAIM_KEYS, load, parse
from pipeline.errors import PipelineError
from pipeline.nlp import numbers
from pipeline.sources.pubmed import iter_pubmed_xml, parse_esearch, parse_pubmed_xml, split_articles
from pipeline.types import ClaimsFile

# The same examples every run (conftest's profile); set HYPOTHESIS_EXAMPLES=5000 to explore more.
FAST = settings(max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", 150)), deadline=None,
                suppress_health_check=[HealthCheck.too_slow])


def _only_our_errors(call, *args):
    try:
        return call(*args)
    except PipelineError as exc:
        assert str(exc)  # every error says something
        return exc


# --- claims loader ------------------------------------------------------------------------------

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=30),
                    st.dates())
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.text(max_size=10), inner, max_size=4), max_leaves=12)
claim_keys = st.sampled_from(sorted(CLAIM_KEYS) + ["colour", "Id", ""])
claims = st.lists(st.dictionaries(claim_keys, values, max_size=8), max_size=4)
documents = st.fixed_dictionaries(
    {"article": st.one_of(values, st.fixed_dictionaries({"title": values}))},
    optional={"claims": st.one_of(claims, values), "extra": values},
)


@FAST
@given(st.text(max_size=400))
def test_claims_parse_any_text(text):
    result = _only_our_errors(parse, text, "prop.yaml")
    assert isinstance(result, (ClaimsFile, PipelineError))


@FAST
@given(documents)
@example({"article": {"title": 0}, "claims": [{}]})  # an empty claim once slipped through with no error
def test_claims_parse_claim_like_yaml(document):
    text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
    result = _only_our_errors(parse, text, "prop.yaml")
    if isinstance(result, ClaimsFile):  # whatever is accepted holds well-formed claims
        assert result.claims and all(c.id and c.claim for c in result.claims)


@FAST
@given(st.binary(max_size=400))
def test_claims_load_any_bytes(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("p") / "claims.yaml"
    path.write_bytes(data)
    _only_our_errors(load, path)


# --- number parser ---------------------------------------------------------------------------------


@FAST
@given(st.text(max_size=200))
def test_number_finders_never_raise_and_spans_are_inside_the_text(text):
    value = numbers.parse_number(text)
    assert value is None or isinstance(value, float)
    for found in (numbers.find_ranges(text), numbers.find_cis(text), numbers.find_p_values(text)):
        for item in found:
            start, end = item.span
            assert 0 <= start < end <= len(text)
    for _, (start, end) in numbers.find_percentages(text):
        assert 0 <= start < end <= len(text)


@FAST
@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False), st.sampled_from([",", ""]), st.integers(0, 4))
def test_parse_number_reads_numbers_as_printed(value, thousands, places):
    written = format(value, f"{thousands}.{places}f")
    parsed = numbers.parse_number(written)
    assert parsed is not None and math.isclose(parsed, float(written.replace(",", "")), rel_tol=1e-12, abs_tol=1e-12)


@FAST
@given(st.integers(0, 99))
def test_number_words(n):
    units = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
             "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
    tens = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
    word = units[n] if n < 20 else tens[n // 10] + ("-" + units[n % 10] if n % 10 else "")
    assert numbers.parse_number(word.capitalize()) == float(n)


# --- PubMed XML parser -----------------------------------------------------------------------------

_SAMPLES = [SHARED_DATA / "eutils-samples" / "entrez" / f"pubmed{n}.xml" for n in (1, 2, 4, 5, 6)]
REAL = [p.read_bytes() for p in _SAMPLES if p.exists()] or [b"<PubmedArticleSet></PubmedArticleSet>"]


def _parse_all(data: bytes):
    for parser in (parse_pubmed_xml, split_articles, parse_esearch, lambda d: list(iter_pubmed_xml(io.BytesIO(d)))):
        _only_our_errors(parser, data)


@FAST
@given(st.binary(max_size=600))
def test_pubmed_parsers_any_bytes(data):
    _parse_all(data)


@FAST
@given(st.sampled_from(REAL), st.floats(0, 1), st.binary(max_size=40), st.floats(0, 1))
def test_pubmed_parsers_real_xml_cut_and_mangled(real, cut, junk, where):
    data = real[: int(len(real) * cut)]
    at = int(len(data) * where)
    _parse_all(data)
    _parse_all(data[:at] + junk + data[at:])


@FAST
@given(st.sampled_from(REAL), st.text(max_size=60))
def test_pubmed_parser_keeps_every_article_whatever_text_is_in_a_title(real, title):
    """Text (escaped as XML) inside an ArticleTitle never breaks the parse or loses an article."""
    from xml.sax.saxutils import escape

    clean = "".join(ch for ch in title if ch in "\t\n\r" or (0x20 <= ord(ch) < 0xD800) or 0xE000 <= ord(ch) < 0xFFFE)
    before = len(parse_pubmed_xml(real))
    mangled = real.replace(b"<ArticleTitle>", b"<ArticleTitle>" + escape(clean).encode(), 1)
    assert len(parse_pubmed_xml(mangled)) == before
