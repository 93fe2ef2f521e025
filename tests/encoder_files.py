"""Writes stance encoder files in the committed format, for tests (no training, no torch).

`write_stance_file` takes the installed base's 2-D layer weights and gives each an int8 delta
(zero, or seeded noise) with a float16 row scale, copies the 1-D tensors, and adds a seeded random
3-way head: a file `encoder.load_encoder` reads exactly as it reads the trained one.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from safetensors.numpy import save_file

from pipeline.rating.encoder import BASE_PACKAGE, BASE_SHA256, HIDDEN, LABELS, base_files, load_base_weights


def write_stance_file(path: Path, *, seed: int = 0, noise: bool = False, threshold: float = 0.5,
                      **meta_overrides: str) -> Path:
    base = load_base_weights(base_files())
    rng = np.random.default_rng(seed)
    tensors: dict[str, np.ndarray] = {}
    for name, value in base.items():
        if not name.startswith("encoder.layer."):
            continue
        if value.ndim == 2:
            delta = rng.integers(-3, 4, size=value.shape) if noise else np.zeros(value.shape)
            tensors[name + ".delta_q"] = delta.astype(np.int8)
            tensors[name + ".delta_scale"] = np.full(value.shape[0], 1e-3, dtype=np.float16)
        else:
            tensors[name] = value.astype(np.float16)
    tensors["head.weight"] = (rng.standard_normal((len(LABELS), HIDDEN)) * 0.5).astype(np.float16)
    tensors["head.bias"] = np.zeros(len(LABELS), dtype=np.float16)
    meta = {"base_package": BASE_PACKAGE, "base_sha256": BASE_SHA256, "max_length": "128",
            "labels": json.dumps(list(LABELS)), "pooling": "mean",
            "decision": json.dumps({"rule": "max_sentence", "threshold": threshold})}
    meta.update(meta_overrides)
    save_file(tensors, str(path), metadata=meta)
    return path
