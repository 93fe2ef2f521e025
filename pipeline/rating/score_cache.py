"""Stance scores kept on disk: (model hash, claim, sentence) -> P(support, contradict, nothing).

The encoder is the slow part of a run (tens of pairs a second); a warm run asks it nothing. The
scores live in their own SQLite file beside the HTTP cache (`stance.sqlite` in the folder of
FACTCHECK_CACHE, or FACTCHECK_STANCE_CACHE; "off" keeps them in memory only). A new model file has
a new hash, so its scores never mix with an old one's.
"""

from __future__ import annotations

import os
import sqlite3
import struct
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from pipeline.config import Settings
from pipeline.rating.encoder import CrossEncoder, load_encoder

_SCHEMA = """CREATE TABLE IF NOT EXISTS stance_scores (
    model TEXT NOT NULL, claim TEXT NOT NULL, sentence TEXT NOT NULL, probs BLOB NOT NULL,
    PRIMARY KEY (model, claim, sentence)) WITHOUT ROWID"""
_PACK = struct.Struct("<3f")


class CachedScorer:
    """Scores (claim, sentence) pairs with the encoder, asking it only for pairs not yet stored."""

    def __init__(self, encoder: CrossEncoder, path: Path | None) -> None:
        self.encoder = encoder
        self.decision = encoder.decision
        self.path = path
        self._memory: dict[tuple[str, str], np.ndarray] = {}
        self._db: sqlite3.Connection | None = None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(path), timeout=30)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(_SCHEMA)
        self._loaded: set[str] = set()

    def _load_claim(self, claim: str) -> None:
        """Every stored score of this claim at once: one query, not one per sentence."""
        if self._db is None or claim in self._loaded:
            return
        self._loaded.add(claim)
        rows = self._db.execute("SELECT sentence, probs FROM stance_scores WHERE model = ? AND claim = ?",
                                (self.encoder.model_hash, claim))
        for sentence, blob in rows:
            self._memory[(claim, sentence)] = np.array(_PACK.unpack(blob), dtype=np.float32)

    def __call__(self, claim: str, sentences: Sequence[str]) -> np.ndarray:
        """[n, 3] probabilities, one row per sentence."""
        self._load_claim(claim)
        todo = list(dict.fromkeys(s for s in sentences if (claim, s) not in self._memory))
        if todo:
            scores = self.encoder.score([(claim, s) for s in todo])
            for sentence, row in zip(todo, scores):
                self._memory[(claim, sentence)] = row
            if self._db is not None:
                with self._db:
                    self._db.executemany(
                        "INSERT OR REPLACE INTO stance_scores VALUES (?, ?, ?, ?)",
                        [(self.encoder.model_hash, claim, s, _PACK.pack(*map(float, r))) for s, r in zip(todo, scores)])
        out = np.zeros((len(sentences), 3), dtype=np.float32)
        for i, s in enumerate(sentences):
            out[i] = self._memory[(claim, s)]
        return out


def cache_path() -> Path | None:
    """Where the scores are kept: FACTCHECK_STANCE_CACHE, else stance.sqlite beside the HTTP cache."""
    explicit = os.environ.get("FACTCHECK_STANCE_CACHE")
    if explicit:
        return None if explicit == "off" else Path(explicit)
    http_cache = Settings.from_env().cache_path
    return None if str(http_cache) == ":memory:" else http_cache.parent / "stance.sqlite"


def default_scorer() -> CachedScorer:
    """The committed encoder with the cache the environment names (one per path per process)."""
    return _scorer(cache_path())


@lru_cache(maxsize=4)
def _scorer(path: Path | None) -> CachedScorer:
    return CachedScorer(load_encoder(), path)
