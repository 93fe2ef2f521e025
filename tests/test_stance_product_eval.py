"""`factcheck eval stance` (alias product-stance): the product's per-source stance against gold labels.

The claims and abstracts are hand-made for these tests; none is copied from SciFact.
"""

from __future__ import annotations

import json

from conftest import shared_file

from pipeline.cli import main
from pipeline.evaluate.product_stance import Outcome, metrics

CORPUS = [
    {"doc_id": 1, "title": "Aspirin for fever in adults: a randomised trial",
     "abstract": ["Fever is common in adults.", "RESULTS Aspirin significantly reduced fever compared with "
                  "placebo (p<0.001)."]},
    {"doc_id": 2, "title": "Zinc lozenges for the common cold in adults",
     "abstract": ["Colds are common.", "RESULTS Zinc did not reduce the duration of colds compared with placebo."]},
    {"doc_id": 3, "title": "Gardening and mood", "abstract": ["Gardening is popular.", "Mood was measured."]},
]
CLAIMS = [
    {"id": 1, "claim": "Aspirin reduces fever.", "evidence": {"1": [{"sentences": [1], "label": "SUPPORT"}]},
     "cited_doc_ids": [1]},
    {"id": 2, "claim": "Zinc reduces the duration of colds.",
     "evidence": {"2": [{"sentences": [1], "label": "CONTRADICT"}]}, "cited_doc_ids": [2]},
    {"id": 3, "claim": "Gardening improves mood.", "evidence": {}, "cited_doc_ids": [3]},
]


def _write(tmp_path, name, rows):
    path = tmp_path / name
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _outcome(gold: str, predicted: str, *signals: str) -> Outcome:
    return Outcome("c", "d", "claim", gold, predicted, signals, ())


def test_metrics_count_agreement_per_stance_and_why_evidence_read_as_neutral():
    outcomes = [_outcome("supports", "supports"), _outcome("supports", "neutral", "low relevance"),
                _outcome("contradicts", "contradicts"), _outcome("contradicts", "supports"),
                _outcome("neutral", "neutral"), _outcome("neutral", "contradicts")]
    m = metrics(outcomes)
    assert m["pairs"] == 6 and m["accuracy"] == 0.5
    assert m["confusion"]["contradicts"] == {"supports": 1, "contradicts": 1, "neutral": 0}
    assert m["per_class"]["supports"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5}
    assert m["evidence_read_as_neutral_because"] == {"low relevance": 1}
    assert metrics([])["accuracy"] == 0.0


def test_command_runs_each_pair_through_the_product_and_dumps_them(tmp_path, capsys):
    claims, corpus = _write(tmp_path, "claims.jsonl", CLAIMS), _write(tmp_path, "corpus.jsonl", CORPUS)
    dump = tmp_path / "pairs.jsonl"
    assert main(["eval", "stance", "--claims", str(claims), "--corpus", str(corpus),
                 "--dump", str(dump)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["claims"] == 3 and out["pairs"] == 3
    rows = [json.loads(line) for line in dump.read_text(encoding="utf-8").splitlines()]
    by_doc = {r["doc_id"]: r for r in rows}
    assert [by_doc[d]["gold"] for d in ("1", "2", "3")] == ["supports", "contradicts", "neutral"]
    assert by_doc["1"]["predicted"] == "supports" and by_doc["1"]["rationale"]
    assert by_doc["2"]["predicted"] == "contradicts"
    assert abs(sum(by_doc["1"]["probs"]) - 1) < 1e-3 and by_doc["1"]["probs"][0] > by_doc["1"]["probs"][1]
    # the old name is an alias of the same command
    assert main(["eval", "product-stance", "--claims", str(claims), "--corpus", str(corpus),
                 "--every", "2"]) == 0
    assert json.loads(capsys.readouterr().out)["claims"] == 2


def test_bad_arguments_and_a_missing_doc_are_input_errors(tmp_path, capsys):
    claims, corpus = _write(tmp_path, "claims.jsonl", CLAIMS), _write(tmp_path, "corpus.jsonl", CORPUS[:2])
    common = ["eval", "product-stance", "--claims", str(claims), "--corpus", str(corpus)]
    assert main(common + ["--every", "0"]) == 2
    assert "--every 0" in capsys.readouterr().err
    assert main(common) == 2
    err = capsys.readouterr().err
    assert "doc 3 is not in" in err and "Traceback" not in err


def test_scifact_train_runs_through_the_product_path(capsys):
    claims = shared_file("scifact", "claims_train.jsonl")
    corpus = shared_file("scifact", "corpus.jsonl")
    assert main(["eval", "product-stance", "--claims", str(claims), "--corpus", str(corpus), "--every", "40"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["pairs"] >= out["claims"] > 10
    assert sum(sum(row.values()) for row in out["confusion"].values()) == out["pairs"]


def test_heldout_keeps_a_fixed_tenth_of_claim_groups_and_keeps_groups_whole():
    from pipeline.evaluate.product_stance import held_out
    from pipeline.evaluate.scifact import GoldClaim
    claims = [GoldClaim(str(i), "c", {}, (str(i // 2), str(1000 + i))) for i in range(4000)]
    kept = [c for c in claims if held_out(c, "scifact")]
    assert 300 < len(kept) < 500
    pairs = {}
    for c in claims:  # claims 2k and 2k+1 share their first cited doc: one group, one side
        pairs.setdefault(int(c.id) // 2, set()).add(held_out(c, "scifact"))
    assert all(len(sides) == 1 for sides in pairs.values())
    assert [c.id for c in kept] != [c.id for c in claims if held_out(c, "healthver")]
