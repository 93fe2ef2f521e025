"""The torch-free stance encoder: the forward pass against the plain base model, batching and
padding, the committed file format, and the typed errors of a missing or wrong model."""

from __future__ import annotations

import json
from importlib import metadata

import numpy as np
import pytest

from pipeline.cli import main
from pipeline.rating import encoder
from pipeline.rating.encoder import (
    LABELS, Decision, ModelError, apply_deltas, base_files, gelu, load_base, load_encoder,
)

try:
    base_files()
    HAVE_BASE = True
except ModelError:
    HAVE_BASE = False
needs_base = pytest.mark.skipif(not HAVE_BASE, reason="the base weights package is not installed (run `make install`)")

CLAIM = "Vitamin D supplementation reduces the risk of hip fractures in older adults."
SENTENCES = ("Vitamin D did not lower the incidence of fractures.",
             "Participants were recruited from 12 clinics over three years and followed for a median of 5.2 "
             "years, with annual visits and telephone interviews between them.",
             "Hip fractures fell.")


@pytest.fixture(scope="module")
def stance_file(tmp_path_factory):
    from encoder_files import write_stance_file
    return write_stance_file(tmp_path_factory.mktemp("enc") / "stance.safetensors", noise=True)


def test_gelu_matches_erf_definition():
    x = np.linspace(-6, 6, 2001, dtype=np.float32)
    from math import erf, sqrt
    ref = np.array([0.5 * v * (1 + erf(v / sqrt(2))) for v in x.astype(float)])
    assert np.abs(gelu(x) - ref).max() < 1e-5


@needs_base
def test_base_embeddings_put_paraphrases_closer_than_unrelated_sentences():
    model = load_base()
    e = model.embed(["A man is eating food.", "A man is eating a piece of bread.",
                     "The stock market fell sharply today.", "Share prices dropped steeply this morning."])
    e /= np.linalg.norm(e, axis=1, keepdims=True)
    sim = e @ e.T
    assert sim[0, 1] > sim[0, 2] + 0.3 and sim[2, 3] > sim[2, 1] + 0.3


@needs_base
def test_scores_are_probabilities_and_batching_and_padding_do_not_change_them(stance_file):
    model = load_encoder(stance_file)
    pairs = [(CLAIM, s) for s in SENTENCES]
    together = model.score(pairs, batch=3)  # padded to the longest sentence
    alone = np.vstack([model.score([p]) for p in pairs])
    assert together.shape == (3, len(LABELS))
    assert np.allclose(together.sum(axis=1), 1.0, atol=1e-5)
    assert np.allclose(together, alone, atol=1e-5)
    assert np.allclose(model.score(pairs, batch=2), alone, atol=1e-5)
    assert model.score([]).shape == (0, 3)


@needs_base
def test_the_sentence_and_its_order_matter(stance_file):
    model = load_encoder(stance_file)
    a, b = model.score([(CLAIM, SENTENCES[0]), (CLAIM, SENTENCES[2])])
    assert not np.allclose(a, b, atol=1e-4)


def test_deltas_are_added_per_row_and_1d_tensors_replaced():
    base = {"w": np.ones((2, 3), np.float32), "b": np.zeros(2, np.float32), "emb": np.full((4, 2), 7, np.float32)}
    tuned = {"w.delta_q": np.array([[1, -2, 0], [3, 0, 0]], np.int8), "w.delta_scale": np.array([0.5, 2], np.float16),
             "b": np.array([1.5, -1], np.float16)}
    out = apply_deltas(base, tuned)
    assert np.allclose(out["w"], [[1.5, 0, 1], [7, 1, 1]])
    assert np.allclose(out["b"], [1.5, -1]) and out["b"].dtype == np.float32
    assert out["emb"] is base["emb"] and "w.delta_scale" not in out


def test_the_decision_rule_takes_the_surest_sentence_above_its_threshold():
    rule = Decision("max_sentence", 0.6)
    probs = np.array([[0.5, 0.2, 0.3], [0.1, 0.7, 0.2], [0.65, 0.05, 0.3]])
    assert rule.label(probs) == ("contradict", 1)
    assert rule.label(probs[[0]]) == ("nothing", 0)
    assert rule.label(np.zeros((0, 3))) == ("nothing", -1)


def test_a_missing_base_package_is_a_typed_error_with_the_fix(monkeypatch):
    def absent(name):
        raise metadata.PackageNotFoundError(name)
    monkeypatch.setattr(encoder.metadata, "distribution", absent)
    with pytest.raises(ModelError) as err:
        base_files()
    assert "make install" in str(err.value) and "--no-deps" in str(err.value)


@needs_base
def test_a_base_with_another_hash_is_refused(monkeypatch, stance_file):
    monkeypatch.setattr(encoder, "BASE_SHA256", "0" * 64)
    with pytest.raises(ModelError, match="sha256"):
        encoder.load_base_weights(base_files())


@needs_base
def test_a_file_for_another_base_or_rule_is_refused(tmp_path):
    from encoder_files import write_stance_file
    other = write_stance_file(tmp_path / "other.safetensors", base_sha256="f" * 64)
    with pytest.raises(ModelError, match="pinned base"):
        load_encoder(other)
    rule = write_stance_file(tmp_path / "rule.safetensors", decision=json.dumps({"rule": "vote", "threshold": 1}))
    with pytest.raises(ModelError, match="decision rule"):
        load_encoder(rule)


def test_a_missing_or_broken_model_file_names_the_file(tmp_path):
    with pytest.raises(ModelError, match="missing"):
        load_encoder(tmp_path / "absent.safetensors")
    junk = tmp_path / "junk.safetensors"
    junk.write_bytes(b"not a model")
    with pytest.raises(ModelError, match="junk.safetensors"):
        load_encoder(junk)


def test_the_cli_turns_a_missing_model_into_exit_2(tmp_path, monkeypatch, capsys):
    from pipeline.rating import score_cache
    monkeypatch.setattr(encoder, "ENCODER_PATH", tmp_path / "absent.safetensors")
    score_cache._scorer.cache_clear()  # a scorer loaded by an earlier test holds the committed file
    claims = tmp_path / "c.jsonl"
    claims.write_text(json.dumps({"id": 1, "claim": "A lowers B.", "evidence": {}, "cited_doc_ids": [1]}) + "\n")
    corpus = tmp_path / "d.jsonl"
    corpus.write_text(json.dumps({"doc_id": 1, "title": "A and B", "abstract": ["A lowered B."]}) + "\n")
    monkeypatch.setenv("FACTCHECK_STANCE_CACHE", "off")
    code = main(["eval", "stance", "--claims", str(claims), "--corpus", str(corpus)])
    assert code == 2
    assert "absent.safetensors" in capsys.readouterr().err


@needs_base
def test_the_score_cache_key_follows_the_weights_not_the_decision_rule(tmp_path):
    from encoder_files import write_stance_file
    a = load_encoder(write_stance_file(tmp_path / "a.safetensors", seed=1, threshold=0.5))
    b = load_encoder(write_stance_file(tmp_path / "b.safetensors", seed=1, threshold=0.7))
    c = load_encoder(write_stance_file(tmp_path / "c.safetensors", seed=2, threshold=0.5))
    assert a.model_hash == b.model_hash and a.decision != b.decision
    assert c.model_hash != a.model_hash
