"""Write the fine-tuned encoder as int8 per-row deltas over the pinned base weights, and read it back.

Format (the contract with the runtime, pipeline/data/stance_encoder.safetensors):
- each 2-D weight of an encoder layer (HF name): `<name>.delta_q` int8 [out, in] and `<name>.delta_scale`
  float16 [out]; tuned = base + delta_q * delta_scale[:, None];
- each 1-D tensor of the layers (biases, LayerNorm) whole as float16 under its own name;
- `head.weight` float16 [3, 384], `head.bias` float16 [3];
- metadata: base_package, base_sha256, max_length, labels, pooling, decision (JSON).
Embeddings are frozen in training and come from the base package unchanged.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch
from safetensors import safe_open
from safetensors.numpy import load_file, save_file

from encoder_data import Pair
from encoder_model import (
    LABELS, MAX_LENGTH, BaseFiles, CrossEncoder, build_model, hf_name, load_tokenizer,
)
from encoder_train import predict

from pipeline.rating.encoder import BASE_PACKAGE, BASE_VERSION, file_sha256


def quantise_delta(delta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-row symmetric int8: scale = max|row|/127 (stored as float16, and q computed against that rounded scale)."""
    scale = (np.abs(delta).max(axis=1) / 127.0).astype(np.float16)
    safe = np.where(scale.astype(np.float32) > 0, scale.astype(np.float32), 1.0)
    q = np.clip(np.rint(delta / safe[:, None]), -127, 127).astype(np.int8)
    return q, scale


def tensors_of(model: CrossEncoder, base: dict[str, torch.Tensor]) -> dict[str, np.ndarray]:
    """The tensors to write, keyed as the format says."""
    out: dict[str, np.ndarray] = {}
    for name, param in model.named_parameters():
        value = param.detach().float().numpy()
        if name.startswith("head."):
            out[name] = value.astype(np.float16)
        elif name.startswith("layers."):
            key = hf_name(name)
            if value.ndim == 2:
                out[f"{key}.delta_q"], out[f"{key}.delta_scale"] = quantise_delta(value - base[key].numpy())
            else:
                out[key] = value.astype(np.float16)
    return out


def metadata(files: BaseFiles, decision: dict | None) -> dict[str, str]:
    meta = {"base_package": f"{BASE_PACKAGE}=={BASE_VERSION}", "base_sha256": file_sha256(files.weights),
            "max_length": str(MAX_LENGTH), "labels": ",".join(LABELS), "pooling": "mean"}
    if decision is not None:
        meta["decision"] = json.dumps(decision, sort_keys=True)
    return meta


def export(model: CrossEncoder, base: dict[str, torch.Tensor], files: BaseFiles, out: Path,
           decision: dict | None = None) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    save_file(tensors_of(model, base), str(out), metadata=metadata(files, decision))


def read_metadata(path: Path) -> dict[str, str]:
    with safe_open(str(path), "np") as handle:
        return dict(handle.metadata() or {})


def set_decision(path: Path, decision: dict) -> None:
    """Rewrite the file's `decision` metadata, tensors unchanged."""
    meta = read_metadata(path)
    meta["decision"] = json.dumps(decision, sort_keys=True)
    save_file(load_file(str(path)), str(path), metadata=meta)


def load_exported(path: Path, files: BaseFiles) -> CrossEncoder:
    """A CrossEncoder with the base weights plus the file's dequantised deltas, layer tensors and head."""
    if not path.exists():
        raise SystemExit(f"error: no model file at {path}; run `train_encoder.py export` first")
    meta = read_metadata(path)
    if meta.get("base_sha256") != file_sha256(files.weights):
        raise SystemExit(f"error: {path} was trained on other base weights than {files.weights}")
    tensors = load_file(str(path))
    model, base = build_model(files)
    state = {}
    for name in model.state_dict():
        if name.startswith("head."):
            state[name] = torch.from_numpy(tensors[name].astype(np.float32))
        elif name.startswith("layers."):
            key = hf_name(name)
            if f"{key}.delta_q" in tensors:
                delta = tensors[f"{key}.delta_q"].astype(np.float32) * tensors[f"{key}.delta_scale"].astype(np.float32)[:, None]
                state[name] = base[key] + torch.from_numpy(delta)
            else:
                state[name] = torch.from_numpy(tensors[key].astype(np.float32))
    model.load_state_dict(state, strict=False)
    model.eval()
    return model


def agreement(model: CrossEncoder, path: Path, files: BaseFiles, pairs: list[Pair]) -> float:
    """Share of pairs where the exported (dequantised) model picks the same label as the torch model."""
    if not pairs:
        return float("nan")
    tokenizer = load_tokenizer(files.tokenizer)
    claims, sentences = [p.claim for p in pairs], [p.sentence for p in pairs]
    tuned = predict(model, tokenizer, claims, sentences).argmax(1)
    exported = predict(load_exported(path, files), tokenizer, claims, sentences).argmax(1)
    return float((tuned == exported).float().mean())

