"""`factcheck eval scifact`: metric arithmetic on hand-made claims, the model file, and a real-data smoke test.

The tiny claims and corpus below are hand-made for these tests; none is copied from SciFact.
"""

from __future__ import annotations

import json
from itertools import islice

import pytest
from conftest import shared_file

from pipeline.cli import main
from pipeline.evaluate.scifact import (
    Doc, GoldClaim, Prediction, Reader, abstract_metrics, load_claims, load_corpus, oracle_metrics, rank_open,
    recall_at, sentence_metrics,
)

CLAIMS = [
    GoldClaim("1", "Aspirin lowers fever.", {"10": ("SUPPORT", frozenset({0})), "11": ("CONTRADICT", frozenset({1, 2}))},
              ("10", "11")),
    GoldClaim("2", "Zinc shortens colds.", {}, ("12",)),
    GoldClaim("3", "Iron raises ferritin.", {"13": ("SUPPORT", frozenset({3}))}, ("13", "14")),
]


def test_abstract_label_only_counts_doc_and_label():
    preds = [
        Prediction("1", "10", "SUPPORT", (0,), 0.9),     # right doc, right label
        Prediction("1", "11", "SUPPORT", (1,), 0.8),     # right doc, wrong label
        Prediction("2", "12", "SUPPORT", (0,), 0.7),     # not evidence
        Prediction("3", "13", "NEI", (3,), 0.9),         # NEI predictions are not pairs
    ]
    m = abstract_metrics(CLAIMS, preds)
    assert m["precision"] == pytest.approx(1 / 3, abs=1e-4)
    assert m["recall"] == pytest.approx(1 / 3, abs=1e-4)
    assert m["f1"] == pytest.approx(1 / 3, abs=1e-4)
    assert abstract_metrics(CLAIMS, []) == {"precision": 0.0, "recall": 0.0, "f1": 0.0}


def test_sentence_level_counts_shown_rationales_against_gold():
    preds = [
        Prediction("1", "10", "SUPPORT", (0, 4), 0.9),   # 1 of 2 shown is gold
        Prediction("1", "11", "CONTRADICT", (2,), 0.8),  # 1 of 1
        Prediction("2", "12", "SUPPORT", (0,), 0.7),     # 0 of 1 (not an evidence doc)
    ]
    m = sentence_metrics(CLAIMS, preds)
    assert m["precision"] == pytest.approx(2 / 4, abs=1e-4)
    assert m["recall"] == pytest.approx(2 / 4, abs=1e-4)  # gold sentences: {0}, {1,2}, {3}
    assert m["docs_with_a_gold_sentence"] == 1.0  # both evidence docs shown got one


def test_oracle_accuracy_macro_f1_and_confusion():
    preds = [
        Prediction("1", "10", "SUPPORT", (), 1),
        Prediction("1", "11", "NEI", (), 1),
        Prediction("2", "12", "NEI", (), 1),
        Prediction("3", "13", "CONTRADICT", (), 1),
        Prediction("3", "14", "NEI", (), 1),
    ]
    m = oracle_metrics(CLAIMS, preds)
    assert m["pairs"] == 5 and m["accuracy"] == pytest.approx(3 / 5)
    # SUPPORT: p 1/1 r 1/2 -> f1 2/3; CONTRADICT: p 0 r 0 -> 0; NEI: p 2/3 r 2/2 -> 0.8
    assert m["macro_f1"] == pytest.approx((2 / 3 + 0 + 0.8) / 3, abs=1e-3)
    assert m["confusion"]["CONTRADICT"]["NEI"] == 1
    assert m["confusion"]["SUPPORT"]["CONTRADICT"] == 1


def test_recall_at_k_over_gold_evidence_docs():
    rankings = {"1": ["99", "10", "98", "11"], "3": ["13"]}
    assert recall_at(CLAIMS, rankings, 1) == pytest.approx(1 / 3, abs=1e-4)
    assert recall_at(CLAIMS, rankings, 3) == pytest.approx(2 / 3, abs=1e-4)
    assert recall_at(CLAIMS, rankings, 10) == 1.0


def _write(tmp_path, name, rows):
    path = tmp_path / name
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


HAND_CORPUS = [
    {"doc_id": 1, "title": "Aspirin and fever in adults",
     "abstract": ["Fever is common.", "Aspirin significantly lowered fever compared with placebo."]},
    {"doc_id": 2, "title": "Zinc lozenges and the common cold",
     "abstract": ["Colds are common.", "Zinc did not shorten the duration of colds."]},
    {"doc_id": 3, "title": "Gardening and mood", "abstract": ["Gardening is popular.", "Mood was measured."]},
]
HAND_CLAIMS = [
    {"id": 1, "claim": "Aspirin lowers fever.", "evidence": {"1": [{"sentences": [1], "label": "SUPPORT"}]},
     "cited_doc_ids": [1]},
    {"id": 2, "claim": "Zinc shortens colds.", "evidence": {"2": [{"sentences": [1], "label": "CONTRADICT"}]},
     "cited_doc_ids": [2]},
    {"id": 3, "claim": "Gardening improves mood.", "evidence": {}, "doc_ids": [3]},
]


def test_command_prints_well_formed_metrics_in_both_settings(tmp_path, capsys):
    claims = _write(tmp_path, "claims.jsonl", HAND_CLAIMS)
    corpus = _write(tmp_path, "corpus.jsonl", HAND_CORPUS)
    common = ["eval", "scifact", "--claims", str(claims), "--corpus", str(corpus), "--cache", str(tmp_path / "c")]
    assert main(common + ["--oracle"]) == 0
    oracle = json.loads(capsys.readouterr().out)
    assert oracle["pairs"] == 3 and 0 <= oracle["macro_f1"] <= 1
    assert sum(sum(row.values()) for row in oracle["confusion"].values()) == 3
    assert main(common) == 0
    open_ = json.loads(capsys.readouterr().out)
    assert open_["setting"] == "open" and open_["claims"] == 3
    for key in ("recall@3", "recall@10", "bm25_recall@3"):
        assert 0 <= open_["retrieval"][key] <= 1
    assert set(open_["abstract_label_only"]) == {"precision", "recall", "f1"}


def test_bad_claims_file_is_an_input_error_naming_the_line(tmp_path, capsys):
    claims = tmp_path / "claims.jsonl"
    claims.write_text('{"id": 1, "claim": "x", "evidence": {}}\nnot json\n', encoding="utf-8")
    corpus = _write(tmp_path, "corpus.jsonl", HAND_CORPUS)
    assert main(["eval", "scifact", "--claims", str(claims), "--corpus", str(corpus), "--oracle"]) == 2
    err = capsys.readouterr().err
    assert f"{claims}:2" in err and "Traceback" not in err


def test_missing_doc_is_an_input_error(tmp_path, capsys):
    claims = _write(tmp_path, "claims.jsonl", [{"id": 1, "claim": "x", "evidence": {}, "cited_doc_ids": [77]}])
    corpus = _write(tmp_path, "corpus.jsonl", HAND_CORPUS)
    assert main(["eval", "scifact", "--claims", str(claims), "--corpus", str(corpus), "--oracle"]) == 2
    assert "not in" in capsys.readouterr().err


def test_open_ranking_puts_the_surest_sided_doc_first_and_keeps_bm25_order_on_ties():
    from types import SimpleNamespace

    from pipeline.types import Sentence

    surety = {"10": (0.2, 0.1, 0.7), "11": (0.1, 0.85, 0.05), "12": (0.2, 0.1, 0.7), "13": (0.05, 0.05, 0.9)}

    class Stub(Reader):
        def rate(self, claim, doc_id):
            p = surety[doc_id]
            label = "contradict" if p[1] > 0.6 else "nothing"
            shown = (Sentence(self.corpus[doc_id].sentences[0], 0, 1, ""),) if label != "nothing" else ()
            return SimpleNamespace(reading=SimpleNamespace(label=label, sentence_probs=(p,), rationale=shown))

    corpus = {d: Doc(d, "t", (f"sentence of {d}.",)) for d in surety}
    ranked = rank_open(Stub(corpus), CLAIMS[0], ["13", "12", "10", "11"])
    assert [p.doc_id for p in ranked] == ["11", "12", "10", "13"]
    assert ranked[0].label == "CONTRADICT" and ranked[0].rationale == (0,)
    assert [p.label for p in ranked[1:]] == ["NEI"] * 3


# --- real data --------------------------------------------------------------------------------

def test_real_scifact_slice_gives_well_formed_oracle_metrics():
    claims_file = shared_file("scifact", "claims_train.jsonl")
    corpus = load_corpus(shared_file("scifact", "corpus.jsonl"))
    claims = list(islice(load_claims(claims_file), 8))
    from pipeline.evaluate.scifact import evaluate_oracle

    m = evaluate_oracle(Reader(corpus), claims)
    assert m["pairs"] == sum(len(c.cited) for c in claims)
    assert 0 <= m["accuracy"] <= 1 and 0 <= m["macro_f1"] <= 1
    for key in ("precision", "recall", "f1"):
        assert 0 <= m["sentence_level"][key] <= 1
    assert set(m["per_class"]) == {"SUPPORT", "CONTRADICT", "NEI"}
