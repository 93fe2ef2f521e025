"""Settings for a run, read once from the environment and flags and passed explicitly.

No module-level mutable state: every client receives a Settings (unlike Bio.Entrez's globals).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import quote, quote_plus

from pipeline.errors import InputError

DEFAULT_EMAIL = "factcheck-pipeline@users.noreply.github.com"
TOOL_NAME = "factcheck-pipeline"
# Parameters that identify the caller; never part of a cache key, a log line or a report.
SECRET_PARAMS = frozenset({"api_key", "apikey", "email", "tool", "mailto"})


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
            max_body_bytes=_positive_int(env, "FACTCHECK_MAX_BODY_MB", cls.max_body_bytes // 2**20) * 2**20,
            timeout=_positive_float(env, "FACTCHECK_TIMEOUT", cls.timeout),
            max_tries=_positive_int(env, "FACTCHECK_MAX_TRIES", cls.max_tries),
            backoff_base=_positive_float(env, "FACTCHECK_BACKOFF", cls.backoff_base),
        )
        return replace(settings, **{k: v for k, v in overrides.items() if v is not None})


def _positive_int(env: dict[str, str], name: str, default: int) -> int:
    value = _positive_float(env, name, default)
    if value != int(value) or value < 1:
        raise InputError(f"{name}={env[name]} is not a whole number of at least 1", f"unset {name} or set it to e.g. {default}")
    return int(value)


def _positive_float(env: dict[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if value < 0:
        raise InputError(f"{name}={raw} is not a non-negative number", f"unset {name} or set it to e.g. {default}")
    return value


def redact(text: str, settings: Settings) -> str:
    """Remove the API key and email from a text that may reach a log, a report or an exception."""
    for secret in (settings.api_key, settings.email):
        if secret:  # as written, and as it appears inside a URL or a form body
            for form in {secret, quote(secret, safe=""), quote_plus(secret)}:
                text = text.replace(form, "***")
    return text
