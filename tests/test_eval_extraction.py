"""`factcheck eval extraction`: metric arithmetic on small hand-made gold lines (written for
these tests, not taken from any data set), input errors, and one run on the real dev gold."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.evaluate.extraction import (
    design_metrics,
    effect_metrics,
    evaluate,
    macro_f1,
    match_effects,
    numbers_agree,
    sample_size_metrics,
)
from conftest import shared_file


def test_sample_size_metrics() -> None:
    # gold 10 right, gold 20 wrong (25), gold 30 missed (None), gold None but 5 predicted, gold None ok
    m = sample_size_metrics([(10, 10), (20, 25), (30, None), (None, 5), (None, None)])
    assert m["accuracy"] == round(1 / 3, 4)
    assert m["precision"] == round(1 / 3, 4)
    assert m["false_positive_rate"] == 0.5
    assert (m["gold_numbers"], m["gold_nulls"], m["predicted_numbers"]) == (3, 2, 3)


def test_sample_size_metrics_without_denominators_are_null() -> None:
    m = sample_size_metrics([(None, None)])
    assert m["accuracy"] is None and m["precision"] is None and m["false_positive_rate"] == 0.0


def test_macro_f1_counts_every_label_seen() -> None:
    # a: tp 1, fn 1 -> F1 2/3; b: tp 0, fp 1 -> 0; c: tp 1 -> 1
    assert macro_f1([("a", "a"), ("a", "b"), ("c", "c")]) == round((2 / 3 + 0 + 1) / 3, 4)


def test_design_families() -> None:
    m = design_metrics([("rct", "rct"), ("cohort", "case_control"), ("animal", "in_vitro"),
                        ("meta_analysis", "narrative_review")])
    assert m["accuracy"] == 0.25
    assert m["family_accuracy"] == 0.75  # cohort/case_control and animal/in_vitro share a family


@pytest.mark.parametrize("gold, pred, same", [
    (2.3, 2.31, True), (2.3, 2.36, False), (0.55, 0.55, True), (12.0, 12, True),
    (None, None, True), (None, 1.0, False), (-30, -30.0, True), (-30, 30, False),
])
def test_numbers_agree_up_to_rounding(gold, pred, same) -> None:
    assert numbers_agree(gold, pred) is same


def test_effect_matching_by_family_value_and_ci() -> None:
    gold = [{"measure": "OR", "value": 2.3, "ci_low": 1.4, "ci_high": 3.8},
            {"measure": "percent", "value": 67, "ci_low": None, "ci_high": None},
            {"measure": "HR", "value": 0.8, "ci_low": 0.7, "ci_high": 0.9}]
    pred = [{"measure": "RR", "value": 2.3, "ci_low": 1.4, "ci_high": 3.8},   # same family: match
            {"measure": "percent", "value": 67.0, "ci_low": None, "ci_high": None},
            {"measure": "HR", "value": 0.8, "ci_low": 0.6, "ci_high": 0.9},   # wrong CI
            {"measure": "MD", "value": 5.0, "ci_low": None, "ci_high": None}]  # extra
    assert match_effects(gold, pred) == [(0, 0), (1, 1)]
    m = effect_metrics([(gold, pred)])
    assert (m["matched"], m["gold"], m["predicted"]) == (2, 3, 4)
    assert m["precision"] == 0.5 and m["recall"] == round(2 / 3, 4)
    assert m["f1"] == round(2 * 0.5 * 0.6667 / (0.5 + 0.6667), 4)
    assert m["value_only"]["recall"] == 1.0
    assert m["ci_right_when_value_matched"] == round(2 / 3, 4)


def test_one_prediction_matches_one_gold_effect() -> None:
    gold = [{"measure": "percent", "value": 10}, {"measure": "percent", "value": 10}]
    assert len(match_effects(gold, [{"measure": "percent", "value": 10}])) == 1


def hand_made_gold(tmp_path: Path) -> Path:
    lines = [
        {"doc_id": 1, "title": "Ketamine for depression: a randomized trial",
         "abstract": ["We randomly assigned 120 patients to ketamine or placebo.",
                      "RESULTS Response was higher with ketamine (OR 2.3, 95% CI 1.4-3.8; P < .001)."],
         "design": "rct", "sample_size": 120, "n_studies": None,
         "effects": [{"measure": "OR", "value": 2.3, "ci_low": 1.4, "ci_high": 3.8}]},
        {"doc_id": 2, "design": "animal", "sample_size": None, "effects": []},
    ]
    gold = tmp_path / "gold.jsonl"
    gold.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    return gold


def test_cli_with_corpus_for_lines_without_text(tmp_path: Path, capsys) -> None:
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text(json.dumps({"doc_id": 2, "title": "Ketamine in rats",
                                  "abstract": "Rats received ketamine; in these rats, spines grew."}) + "\n")
    errors = tmp_path / "errors.jsonl"
    code = main(["eval", "extraction", "--gold", str(hand_made_gold(tmp_path)), "--corpus", str(corpus),
                 "--errors", str(errors)])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["abstracts"] == 2
    assert out["sample_size"]["gold_numbers"] == 1 and out["effects"]["gold"] == 1
    assert errors.exists()


def test_cli_gold_line_without_text_needs_corpus(tmp_path: Path, capsys) -> None:
    assert main(["eval", "extraction", "--gold", str(hand_made_gold(tmp_path))]) == 2
    assert "doc_id 2" in capsys.readouterr().err


@pytest.mark.parametrize("content", ["not json\n", '["a list"]\n', ""])
def test_cli_bad_gold_is_an_input_error(tmp_path: Path, content: str, capsys) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text(content)
    assert main(["eval", "extraction", "--gold", str(gold)]) == 2
    assert str(gold) in capsys.readouterr().err


def test_evaluate_shapes() -> None:
    out = evaluate([{"design": "rct", "sample_size": 5, "effects": []}],
                   [{"design": "rct", "sample_size": 5, "effects": []}])
    assert out["sample_size"]["accuracy"] == 1.0 and out["design"]["macro_f1"] == 1.0
    assert out["effects"]["f1"] is None  # nothing to find and nothing found


def _fractions(obj, path=""):
    if isinstance(obj, dict):
        for key, value in obj.items():
            yield from _fractions(value, f"{path}.{key}")
    elif isinstance(obj, float):
        yield path, obj


def test_real_dev_gold_metrics_are_well_formed(capsys) -> None:
    gold = shared_file("gold", "extraction_dev.jsonl")
    assert main(["eval", "extraction", "--gold", str(gold)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["abstracts"] == sum(1 for line in gold.open() if line.strip())
    for key in ("sample_size", "design", "effects"):
        assert key in out
    fractions = dict(_fractions(out))
    assert fractions, "no metrics printed"
    for name, value in fractions.items():
        assert 0.0 <= value <= 1.0, name


# Hand-made lines in the EBM-NLP CoNLL layout (TOKEN POS LABEL), not taken from the corpus.
EBM_LINES = """-DOCSTART- -X- O O 111
We PRP N
randomised VBD N
Eighty-three CD 3_p
adults NNS N

Pain NN N
fell VBD N
-DOCSTART- -X- O O 222
Arms NNS N
of IN N
40 CD 3_p
and CC N
42 CD 3_p
children NNS N
-DOCSTART- -X- O O 333
Nothing NN N
""".splitlines()


def test_ebm_documents_and_labelled_numbers() -> None:
    from pipeline.evaluate.extraction import ebm_documents, labelled_numbers
    docs = list(ebm_documents(EBM_LINES))
    assert [d[0] for d in docs] == ["111", "222", "333"]
    assert docs[0][1] == "We randomised Eighty-three adults\nPain fell"
    assert docs[1][2] == ["40", "42"]
    assert labelled_numbers(docs[0][2]) == [83] and labelled_numbers(docs[1][2]) == [40, 42]
    assert labelled_numbers(docs[2][2]) == []


def test_loose_sample_size_metrics() -> None:
    from pipeline.evaluate.extraction import loose_sample_size_metrics
    m = loose_sample_size_metrics([([83], 83), ([40, 42], 82), ([40, 42], 40), ([10], 7), ([5], None), ([], 9)])
    assert m["abstracts_with_size_tokens"] == 5 and m["predicted_numbers"] == 4
    # right: 83 (the only number), 82 (the sum), 40 (the first); wrong: 7
    assert m["loose_accuracy"] == 0.6 and m["loose_precision"] == 0.75
    assert m["precision_any_labelled_number"] == 0.75


def test_cli_ebm_nlp(tmp_path: Path, capsys) -> None:
    path = tmp_path / "ebm.txt"
    path.write_text("\n".join(EBM_LINES) + "\n")
    assert main(["eval", "extraction", "--ebm-nlp", str(path)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["abstracts"] == 3 and out["sample_size"]["abstracts_with_size_tokens"] == 2


def test_cli_ebm_nlp_without_documents_is_an_input_error(tmp_path: Path, capsys) -> None:
    path = tmp_path / "ebm.txt"
    path.write_text("just words\n")
    assert main(["eval", "extraction", "--ebm-nlp", str(path)]) == 2


def test_the_halves_are_fixed_by_the_doc_id_and_split_a_gold_file_about_evenly() -> None:
    from pipeline.evaluate.extraction import HALVES, half_of

    ids = [str(i) for i in range(1000)] + [12345, "doc:7"]
    assert [half_of(i) for i in ids] == [half_of(i) for i in ids]  # the same on every call
    assert {half_of(i) for i in ids} == set(HALVES)
    assert 400 < sum(half_of(i) == "tune" for i in ids) < 600


def test_eval_extraction_measures_only_the_half_asked_for(tmp_path: Path, capsys) -> None:
    from pipeline.evaluate.extraction import half_of

    lines = [{"doc_id": i, "abstract": "We enrolled 40 adults.", "sample_size": 40, "design": "other",
              "effects": []} for i in range(20)]
    gold = tmp_path / "gold.jsonl"
    gold.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    assert main(["eval", "extraction", "--gold", str(gold), "--half", "check"]) == 0
    metrics = json.loads(capsys.readouterr().out)
    assert metrics["half"] == "check"
    assert metrics["abstracts"] == sum(half_of(i) == "check" for i in range(20))


def test_evidence_passages_keep_valid_rows_of_the_split_once() -> None:
    from pipeline.evaluate.extraction import evidence_passages

    rows = [{"Valid Label": "True", "PMCID": "1", "Annotations": "OR 2.1 (95% CI 1.1-3.0)"},
            {"Valid Label": "True", "PMCID": "1", "Annotations": "OR 2.1 (95% CI 1.1-3.0)"},
            {"Valid Label": "False", "PMCID": "1", "Annotations": "invalid"},
            {"Valid Label": "True", "PMCID": "2", "Annotations": "other split"}]
    assert evidence_passages(rows, {"PMC1": "train", "PMC2": "validation"}, "train") == ["OR 2.1 (95% CI 1.1-3.0)"]


def test_ci_recall_counts_each_labelled_ci_once() -> None:
    from pipeline.evaluate.extraction import evidence_inference_metrics

    metrics = evidence_inference_metrics([(2, 1, 1), (1, 3, 3), (0, 0, 2)])
    assert (metrics["labelled_cis"], metrics["cis_carried_by_an_effect"], metrics["ci_recall"]) == (3, 2, 0.6667)
    assert (metrics["passages_with_ci"], metrics["passages_with_an_effect"]) == (2, 3)
