"""claims.yaml loading and validation: every problem names file, line and fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.claims import load, parse
from pipeline.errors import ClaimsFileInvalid
from pipeline.text import normalize_quotes, normalize_space

from conftest import REPO, shared_file

GOOD = """\
article:
  title: A test article
  checked: 2026-11-27
claims:
  - id: one
    quote: "Drug X cuts pain in half."
    claim: Drug X halves pain.
    kind: efficacy
    intervention: [drug x]
    outcome: pain
    numbers:
      - {value: 50, unit: "%", about: pain reduction}
    cites: {journal: Journal of Pain, year: 2021}
"""


def problems(text: str) -> list[tuple[int | None, str]]:
    with pytest.raises(ClaimsFileInvalid) as info:
        parse(text, "claims.yaml")
    return [(e.line, e.problem) for e in info.value.errors]


def test_good_file_parses_into_typed_claims() -> None:
    claims_file = parse(GOOD)
    claim = claims_file.claims[0]
    assert claims_file.article.checked == "2026-11-27"
    assert claim.intervention == ("drug x",) and claim.outcome == ("pain",)
    assert claim.numbers[0].value == 50.0 and claim.numbers[0].unit == "%"
    assert claim.cites[0].journal == "Journal of Pain" and claim.cites[0].year == 2021
    assert claim.line == 5


def test_unknown_key_names_line_and_suggests_fix() -> None:
    [(line, message)] = problems(GOOD.replace("    outcome: pain", "    outcom: pain"))
    assert line == 10 and "unknown key 'outcom'" in message
    with pytest.raises(ClaimsFileInvalid, match="did you mean 'outcome'"):
        parse(GOOD.replace("    outcome: pain", "    outcom: pain"))


def test_duplicate_id_points_at_second_use() -> None:
    text = GOOD + '  - id: one\n    quote: "q"\n    claim: c\n'
    [(line, message)] = problems(text)
    assert line == 14 and "duplicate claim id 'one' (first used on line 5)" in message


def test_wrong_types_are_reported_each_with_its_line() -> None:
    text = GOOD.replace("value: 50", "value: fifty").replace("year: 2021", "year: soon")
    found = problems(text)
    assert {line for line, _ in found} == {12, 13}
    assert any("must be a number" in m for _, m in found) and any("whole number" in m for _, m in found)


def test_missing_quote_and_claim() -> None:
    found = problems("article: {title: t}\nclaims:\n  - id: a\n    kind: efficacy\n")
    assert [m for _, m in found] == ["claim 'a' has no 'quote'", "claim 'a' has no 'claim'"]


@pytest.mark.parametrize("text, fragment", [
    ("", "empty"),
    ("   \n# only a comment\n", "empty"),
    ("article: [unclosed\n", "not valid YAML"),
    ("- just\n- a list\n", "must be a mapping"),
    ("article: {title: t}\nclaims: []\n", "claims list is empty"),
    ("claims:\n  - {id: a, quote: q, claim: c}\n", "no 'article:'"),
    ("article: {title: t}\nclaims:\n  - {id: ../../x, quote: q, claim: c}\n", "not a short name"),
    ("article: {title: t}\nclaims:\n  - {id: a, quote: q, claim: c, kind: efficasy}\n", "did you mean 'efficacy'"),
])
def test_bad_files_give_a_clear_error(text: str, fragment: str) -> None:
    with pytest.raises(ClaimsFileInvalid, match=fragment.replace("(", r"\(").replace(".", r"\.")):
        parse(text)


def test_not_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "claims.yaml"
    path.write_bytes(b"article:\n  title: caf\xe9\n")
    with pytest.raises(ClaimsFileInvalid) as info:
        load(path)
    assert info.value.errors[0].line == 2 and "UTF-8" in info.value.errors[0].problem


def test_quote_must_be_in_the_article_file(tmp_path: Path) -> None:
    (tmp_path / "article.txt").write_text("Drug X cuts pain \u201cin half\u201d.\n", encoding="utf-8")
    text = GOOD.replace("  checked: 2026-11-27", "  file: article.txt").replace(
        '"Drug X cuts pain in half."', "'Drug X cuts pain \"in half\".'")
    (tmp_path / "claims.yaml").write_text(text, encoding="utf-8")
    assert load(tmp_path / "claims.yaml").claims[0].id == "one"  # typographic quotes still match
    (tmp_path / "claims.yaml").write_text(text.replace("cuts pain", "cures pain"), encoding="utf-8")
    with pytest.raises(ClaimsFileInvalid, match="quote of claim 'one' is not in article.txt"):
        load(tmp_path / "claims.yaml")


def test_project_claims_file_is_valid_and_quotes_are_verbatim() -> None:
    article = shared_file("..", "seed", "ketamine-first-responders.txt")
    claims_file = load(REPO / "claims.yaml")  # load() itself checks quotes against article.file
    text = normalize_space(normalize_quotes(article.read_text(encoding="utf-8")))
    for claim in claims_file.claims:
        assert normalize_space(normalize_quotes(claim.quote)) in text, claim.id
        assert claim.text and claim.kind
    assert len({c.id for c in claims_file.claims}) == len(claims_file.claims)
