"""Settings for a run, read once from the environment and flags and passed explicitly.

No module-level mutable state: every client receives a Settings (unlike Bio.Entrez's globals).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import quote, quote_plus

from pipeline.errors import InputError

DEFAULT_EMAIL = "factcheck-pipeline@users.noreply.github.com"
TOOL_NAME = "factcheck-pipeline"
# Parameters that identify the caller; never part of a cache key, a log line or a report.
SECRET_PARAMS = frozenset({"api_key", "apikey", "email", "tool", "mailto"})
MAX_BACKOFF = 60.0  # seconds; a longer first backoff (or doubling past it) would stall a run
# host:port pairs the URL policy lets through although private (tests' 127.0.0.1 servers only;
# see the README's warning before setting it).
ALLOW_HOSTS = "FACTCHECK_ALLOW_PRIVATE_HOSTS"


@dataclass(frozen=True)
class Settings:
    email: str = field(default=DEFAULT_EMAIL, repr=False)
    tool: str = TOOL_NAME
    api_key: str | None = field(default=None, repr=False)
    cache_path: Path = Path(".cache/factcheck.sqlite")
    offline: bool = False
    eutils_base: str = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"
    crossref_base: str = "https://api.crossref.org/"
    europepmc_base: str = "https://www.ebi.ac.uk/europepmc/webservices/rest/"
    max_body_bytes: int = 20 * 2**20  # a larger answer is refused, not read into memory
    max_results: int = 20  # PMIDs kept per query
    max_tries: int = 5  # attempts per request on 429/5xx/connection errors
    backoff_base: float = 1.0  # seconds; doubled on each retry
    timeout: float = 30.0  # seconds per request
    # host:port pairs that pages named by claims files and articles may be on although the
    # address is loopback or private (tests serving from 127.0.0.1 only; see the README).
    allow_private_hosts: frozenset[str] = frozenset()

    @property
    def requests_per_second(self) -> float:
        """NCBI etiquette: 3 requests/s, 10 with an API key."""
        return 10.0 if self.api_key else 3.0

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: object) -> "Settings":
        env = dict(os.environ if environ is None else environ)
        settings = cls(
            email=env.get("NCBI_EMAIL") or DEFAULT_EMAIL,
            api_key=env.get("NCBI_API_KEY") or None,
            cache_path=Path(env.get("FACTCHECK_CACHE") or ".cache/factcheck.sqlite"),
            eutils_base=env.get("FACTCHECK_EUTILS_URL") or cls.eutils_base,
            crossref_base=env.get("FACTCHECK_CROSSREF_URL") or cls.crossref_base,
            europepmc_base=env.get("FACTCHECK_EUROPEPMC_URL") or cls.europepmc_base,
            max_body_bytes=_whole(env, "FACTCHECK_MAX_BODY_MB", cls.max_body_bytes // 2**20) * 2**20,
            timeout=_seconds(env, "FACTCHECK_TIMEOUT", cls.timeout, low=0.0, high=math.inf),
            max_tries=_whole(env, "FACTCHECK_MAX_TRIES", cls.max_tries),
            backoff_base=_seconds(env, "FACTCHECK_BACKOFF", cls.backoff_base, low=None, high=MAX_BACKOFF),
            allow_private_hosts=_host_ports(env, ALLOW_HOSTS),
        )
        return replace(settings, **{k: v for k, v in overrides.items() if v is not None})


def _whole(env: dict[str, str], name: str, default: int) -> int:
    """A whole number of at least 1 from `name`, or the default when unset."""
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise InputError(f"{name}={raw} is not a whole number of at least 1", f"unset {name} or set it to e.g. {default}")
    return int(raw)


def _seconds(env: dict[str, str], name: str, default: float, low: float | None, high: float) -> float:
    """Seconds from `name`: finite, above `low` (or at least 0 when low is None), at most `high`."""
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    above = f"above {low:g}" if low is not None else "of at least 0"
    within = f" and at most {high:g}" if math.isfinite(high) else ""
    fits = value > low if low is not None else value >= 0
    if not math.isfinite(value) or not fits or value > high:
        raise InputError(f"{name}={raw} is not a number of seconds {above}{within}",
                         f"unset {name} or set it to e.g. {default:g}")
    return value


def _host_ports(env: dict[str, str], name: str) -> frozenset[str]:
    """'127.0.0.1:8080,localhost:9000' -> {'127.0.0.1:8080', 'localhost:9000'} (a port is required)."""
    pairs = frozenset(p.strip().lower() for p in (env.get(name) or "").split(",") if p.strip())
    for pair in pairs:
        host, _, port = pair.rpartition(":")
        if not host or not port.isdigit():
            raise InputError(f"{name}: '{pair}' is not host:port",
                             f"unset {name} (the safe default), or list e.g. 127.0.0.1:8080 for a test server")
    return pairs


def redact(text: str, settings: Settings) -> str:
    """Remove the API key and email from a text that may reach a log, a report or an exception."""
    for secret in (settings.api_key, settings.email):
        if secret:  # as written, and as it appears inside a URL or a form body
            for form in {secret, quote(secret, safe=""), quote_plus(secret)}:
                text = text.replace(form, "***")
    return text
