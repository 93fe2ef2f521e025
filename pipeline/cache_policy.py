"""The cache policy every client follows, as pure functions (as requests-cache's policy/actions.py):
serve what is cached, refuse to send when offline, otherwise ask the service; and of an answer,
store only what was asked for, one copy each, the copy the run used.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Plan(Generic[T]):
    """What to do about one request: serve the cached answer, refuse (offline miss) or send."""

    cached: T | None
    offline: bool

    @property
    def serve(self) -> bool:
        return self.cached is not None

    @property
    def miss(self) -> bool:
        """Offline and not cached: nothing may be sent."""
        return self.cached is None and self.offline

    @property
    def send(self) -> bool:
        return self.cached is None and not self.offline


def plan(cached: T | None, offline: bool) -> Plan[T]:
    return Plan(cached, offline)


def to_store(asked: Collection[str], answered: Mapping[str, T]) -> dict[str, T]:
    """Of an answer keyed by id, what may be stored: the ids asked for only (an answer cannot plant
    other records in the cache), in the answer's own order."""
    wanted = set(asked)
    return {key: value for key, value in answered.items() if key in wanted}
