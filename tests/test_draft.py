"""factcheck draft: article reading, check-worthiness, field guesses, the YAML and the CLI."""

from __future__ import annotations

import json
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from pipeline.claims import load, parse
from pipeline.cli import main
from pipeline.draft.article import HEADING, REFERENCE, from_html, from_text, read_file
from pipeline.draft.drafter import draft, split_sentences
from pipeline.draft.cites import find_cites
from pipeline.draft.figures import find_numbers
from pipeline.draft.pico import article_topic, guess_pico
from pipeline.draft.lexicon import THRESHOLD
from pipeline.draft.worthiness import sentence_nlp, worthiness

ARTICLES = Path(__file__).resolve().parent / "fixtures" / "articles"
HTML_PAGE = ARTICLES / "page-with-boilerplate.html"

SMALL_ARTICLE = """Creatine and Memory in Older Adults

Creatine is best known as a supplement for athletes.

What the research says

In a 2019 trial published in the Journal of Aging Research, older adults who took 5 g of creatine a day for 8 weeks improved their memory scores by 12% compared with placebo.

Dr. Lena Ortiz, director of the Harbor Memory Clinic, explains:

"Creatine raises energy stores in brain cells, which helps them cope with demanding tasks."

(Source: Harbor Health Review)

The future looks bright, and we absolutely love this amazing supplement!

Sources:
Journal of Aging Research
"""


def _drafted_quotes(text: str) -> list[str]:
    return [c.quote for c in draft(from_text(text)).claims]


# --- reading articles ------------------------------------------------------------------------


def test_html_keeps_the_article_body_and_drops_boilerplate():
    article = from_html(HTML_PAGE.read_bytes())
    text = article.as_text()
    assert article.title == "Walking After Meals Lowers Blood Sugar"
    assert [b.text for b in article.blocks if b.kind == HEADING] == ["What the study found", "Should you try it?"]
    for boilerplate in ("Latest research news", "dataLayer", "cookies", "Related stories", "superfoods",
                        "Copyright", "Share this article", "color: red"):
        assert boilerplate not in text
    assert "Journal of Exercise Physiology, adults" in text  # inline <em> joined without a stray space


def test_html_draft_finds_the_study_and_the_quote_but_not_the_boilerplate():
    result = draft(from_html(HTML_PAGE.read_bytes()))
    quotes = " ".join(c.quote for c in result.claims)
    assert "22%" in quotes and "Muscles take up glucose" in quotes
    assert "100% happy" not in quotes and "superfoods" not in quotes


def test_plain_text_paragraphs_headings_and_sources_list():
    article = from_text(SMALL_ARTICLE)
    assert article.title == "Creatine and Memory in Older Adults"
    kinds = {b.text: b.kind for b in article.blocks}
    assert kinds["What the research says"] == HEADING
    assert kinds["Journal of Aging Research"] == REFERENCE  # after 'Sources:' nothing is a claim
    one_per_line = from_text("Title here\nA Heading\nFirst paragraph is a sentence.\nSecond one too.\n")
    assert [b.kind for b in one_per_line.blocks] == [HEADING, "paragraph", "paragraph"]


def test_empty_text_is_a_typed_error(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n", encoding="utf-8")
    assert main(["draft", str(empty)]) == 2


# --- check-worthiness ----------------------------------------------------------------------


def test_rhetoric_and_opinion_are_not_drafted():
    quotes = _drafted_quotes(SMALL_ARTICLE)
    assert not any("future looks bright" in q for q in quotes)
    assert not any(q.startswith("Sources") or q == "Journal of Aging Research" for q in quotes)
    assert any("12%" in q for q in quotes)


def test_scores_rank_a_study_result_above_background_and_rhetoric():
    nlp = sentence_nlp()
    topic = article_topic("Creatine and Memory", "")
    result = worthiness(nlp("A 2019 trial found that creatine improved memory scores by 12% in older adults.")[:], topic)
    background = worthiness(nlp("Creatine is a white powder sold in tubs.")[:], topic)
    rhetoric = worthiness(nlp("Why not give it a try this week?")[:], topic)
    assert result.score >= THRESHOLD > background.score > rhetoric.score
    assert {"percent", "study", "effect-verb"} <= set(result.signals)
    assert "question" in rhetoric.signals


def test_sentence_split_keeps_opening_quotes_with_their_sentence():
    parts = split_sentences(sentence_nlp(), '"It works," Smith says. "Try it." Dr. Jones agrees. (Source: X)')
    assert parts == ['"It works," Smith says.', '"Try it."', "Dr. Jones agrees.", "(Source: X)"]


# --- fields ----------------------------------------------------------------------------------


def test_quote_with_attribution_gets_person_institution_and_outlet():
    claims = draft(from_text(SMALL_ARTICLE)).claims
    quote = next(c for c in claims if c.quote.startswith("Creatine raises energy"))
    assert quote.kind == "quote"
    assert any(c.person == "Dr. Lena Ortiz" and c.outlet == "Harbor Memory Clinic" for c in quote.cites)
    assert any(c.outlet == "Harbor Health Review" and not c.person for c in quote.cites)
    assert "Dr. Lena Ortiz" in quote.claim
    assert not any(c.quote.endswith("explains:") for c in claims)  # the lead-in is not a claim


def test_citation_with_journal_and_year():
    cites = find_cites("A 2021 study published in the Journal of Traumatic Stress found that 87% improved.")
    assert cites[0].journal == "Journal of Traumatic Stress" and cites[0].year == 2021
    review = find_cites("A 2020 review in Obesity Science Reviews pooled 19 studies.")
    assert review[0].journal == "Obesity Science Reviews" and review[0].year == 2020
    assert find_cites("The study in mice was small.") == ()  # 'Mice' is not a journal; no year either


def test_numbers_with_units():
    numbers = find_numbers("87% of participants with PTSD improved after just three KAP sessions.")
    assert [(n.value, n.unit) for n in numbers] == [(87, "%"), (3, "sessions")]
    assert numbers[0].about == "participants with PTSD"
    rng = find_numbers("symptoms fell in as little as one to two sessions")
    assert [(n.value, n.unit) for n in rng] == [(1, "sessions"), (2, "sessions")]
    mixed = find_numbers("In a 2022 trial, HbA1c fell by 0.9 percentage points and weight by 4.1 kg over 12 weeks.")
    assert [(n.value, n.unit) for n in mixed] == [(0.9, "percentage points"), (4.1, "kg"), (12, "weeks")]
    assert [(n.value, n.unit) for n in find_numbers("A trial of 300 children found it.")] == [(300, "children")]


def test_pico_guesses_from_sentence_and_topic():
    topic = article_topic("Ketamine-Assisted Psychotherapy for First Responders",
                          "ketamine-assisted psychotherapy (KAP) is new")
    assert topic.intervention == "ketamine-assisted psychotherapy" and "KAP" in topic.aliases
    pico = guess_pico("Unlike traditional antidepressants, ketamine reduces depressive symptoms in "
                      "individuals with PTSD.", topic)
    assert pico.intervention == ("ketamine",)
    assert pico.comparator == ("traditional antidepressants",)
    assert "depressive symptoms" in pico.outcome and "PTSD" in pico.population


# --- the YAML and the command ------------------------------------------------------------------


def test_draft_of_text_validates_and_quotes_are_checked(tmp_path):
    article = tmp_path / "article.txt"
    article.write_text(SMALL_ARTICLE, encoding="utf-8")
    out = tmp_path / "drafts" / "claims.yaml"
    assert main(["draft", str(article), "--out", str(out)]) == 0
    assert main(["validate", str(out)]) == 0
    loaded = load(out)
    assert (out.parent / loaded.article.file).resolve() == article.resolve()  # relative to the draft
    text = out.read_text(encoding="utf-8")
    assert "# score " in text and "signals" not in yaml.safe_dump(yaml.safe_load(text))  # comments, not keys
    # quotes really are checked: a changed quote fails validation
    broken = text.replace("Creatine raises energy", "Creatine raises lots of energy")
    with pytest.raises(Exception, match="not in"):
        parse(broken, str(out), base_dir=out.parent)


def test_out_refuses_to_overwrite_without_force(tmp_path, capsys):
    article = tmp_path / "article.txt"
    article.write_text(SMALL_ARTICLE, encoding="utf-8")
    out = tmp_path / "claims.yaml"
    out.write_text("keep me\n", encoding="utf-8")
    assert main(["draft", str(article), "--out", str(out)]) == 2
    assert out.read_text(encoding="utf-8") == "keep me\n"
    assert "--force" in capsys.readouterr().err
    assert main(["draft", str(article), "--out", str(out), "--force"]) == 0
    assert out.read_text(encoding="utf-8").startswith("# Draft claims")


def test_html_draft_has_no_file_unless_a_text_copy_is_written(tmp_path, capsys):
    assert main(["draft", str(HTML_PAGE)]) == 0
    assert "file:" not in capsys.readouterr().out.split("claims:")[0]
    out, copy = tmp_path / "claims.yaml", tmp_path / "article.txt"
    assert main(["draft", str(HTML_PAGE), "--out", str(out), "--text-out", str(copy)]) == 0
    assert load(out).article.file == "article.txt"
    assert main(["validate", str(out)]) == 0  # every quote is found in the text copy


def test_url_is_fetched_through_the_cache(tmp_path, capsys, monkeypatch):
    handler = partial(SimpleHTTPRequestHandler, directory=str(ARTICLES))
    handler.log_message = lambda *args: None  # type: ignore[method-assign]
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/{HTML_PAGE.name}"
    monkeypatch.setenv("FACTCHECK_ALLOW_PRIVATE_HOSTS", f"127.0.0.1:{server.server_address[1]}")  # the opt-in
    cache = str(tmp_path / "cache.sqlite")
    try:
        assert main(["draft", url, "--cache", cache]) == 0
    finally:
        server.shutdown()
        server.server_close()
    first = capsys.readouterr().out
    assert f"url: \"{url}\"" in first and "22%" in first
    assert main(["draft", url, "--cache", cache, "--offline"]) == 0  # served from the cache
    assert capsys.readouterr().out == first


# --- eval draft ----------------------------------------------------------------------------------


def test_eval_metric_arithmetic_on_hand_made_quotes():
    from pipeline.evaluate.draft import overlaps, score_quotes

    gold = ["Ketamine reduces depressive symptoms within two sessions.",
            "Fasting improves insulin sensitivity in adults.",
            "Walking lowers blood sugar after meals.",
            "Sleep improves with ketamine treatment over weeks."]
    drafted = ["Ketamine reduces depressive symptoms within two sessions.",  # gold 0
               "Studies show fasting improves insulin sensitivity in adults.",  # gold 1 (6 of 8 words)
               "The weather was lovely.",
               "Dogs bark at night.",
               "Walking lowers blood sugar after meals, and so do many other habits people enjoy daily."]  # too long
    result = score_quotes(gold, drafted)
    assert (result.gold, result.drafted, result.recalled, result.matched_drafts) == (4, 5, 2, 2)
    assert result.missed == (2, 3) and result.extra == (2, 3, 4)
    assert result.recall == 0.5 and result.precision == 0.4 and result.ratio == 1.25
    assert overlaps(gold[2], drafted[4], threshold=0.4)  # 7 of 16 drafted words: enough at 0.4
    assert not overlaps("", "anything") and score_quotes([], []).recall == 0.0


def _eval(capsys, article: Path, claims: Path) -> dict:
    assert main(["eval", "draft", "--article", str(article), "--claims", str(claims)]) == 0
    return json.loads(capsys.readouterr().out)


def _well_formed(report: dict, gold: int) -> None:
    assert report["gold_claims"] == gold
    assert 0 <= report["recall"] <= 1 and 0 <= report["precision"] <= 1
    assert report["recalled"] == gold - len(report["missed"])
    assert report["drafted_matching_gold"] + report["drafted_not_in_gold"] == report["drafted_claims"]
    assert len(report["not_in_gold"]) == report["drafted_not_in_gold"]


@pytest.mark.parametrize("name", ["fasting-diabetes", "fasting-weight"])
def test_eval_draft_on_our_own_articles(capsys, name):
    claims = ARTICLES / f"{name}.claims.yaml"
    _well_formed(_eval(capsys, ARTICLES / f"{name}.txt", claims), len(load(claims).claims))


def test_eval_draft_on_the_seed(capsys):
    repo = Path(__file__).resolve().parent.parent
    seed = repo.parent / "shared" / "seed" / "ketamine-first-responders.txt"
    if not seed.exists():
        pytest.skip(f"{seed} is absent: the seed article lives in ../shared beside the repository")
    _well_formed(_eval(capsys, seed, repo / "claims.yaml"), len(load(repo / "claims.yaml").claims))


def test_read_file_reports_a_missing_file(tmp_path):
    from pipeline.errors import InputError

    with pytest.raises(InputError, match="no such file"):
        read_file(tmp_path / "nope.txt")


def test_draft_never_writes_over_the_article(tmp_path):
    article = tmp_path / "article.txt"
    article.write_text(SMALL_ARTICLE, encoding="utf-8")
    assert main(["draft", str(article), "--out", str(article), "--force"]) == 2
    assert article.read_text(encoding="utf-8") == SMALL_ARTICLE


def test_page_title_without_site_name():
    page = "<html><head><title>Coffee and Sleep | Example News</title></head><body><p>Coffee delays sleep by 40 minutes in adults, a 2020 study found.</p></body></html>"
    article = from_html(page)
    assert article.title == "Coffee and Sleep"
    assert article.blocks[0].text.startswith("Coffee delays sleep")


def test_first_wording_of_a_claim():
    from pipeline.draft.pico import Pico
    from pipeline.draft.wording import reword

    kap = Pico(intervention=("ketamine-assisted psychotherapy",))
    assert reword("In a 2021 study published in the Journal of X, researchers found that 87% improved.",
                  "statistic", kap, ()) == "A 2021 study published in the Journal of X found that 87% improved."
    assert reword("This method enhances the therapy.", "efficacy", kap, ()) == \
        "ketamine-assisted psychotherapy enhances the therapy.".capitalize()
    assert reword("According to the ADF, more than 30% have tried fasting.", "statistic", Pico(), ()) == \
        "More than 30% have tried fasting (according to the ADF)."
