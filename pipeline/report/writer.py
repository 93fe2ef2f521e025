"""The report stage: a RunResult to `<slug>.html`, `.md` and `.json`.

`report_json()` is the single view of a run: the templates render that dict and nothing else,
so the three files always say the same thing. Rendering is pure; `render()` is the thin I/O
edge that writes all three files atomically (render everything first, then replace).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined

from pipeline.designs import DESIGNS, NONCLINICAL
from pipeline.report.naming import report_name
from pipeline.report.plots import (
    PANELS,
    forest_plot,
    forest_rows,
    stance_glyph,
    weight_bar,
    weight_totals,
)
from pipeline.rating.source import is_retracted
from pipeline.serialize import to_jsonable
from pipeline.text import counted
from pipeline.types import (
    VERDICTS,
    Assessment,
    Check,
    Claim,
    Effect,
    Finding,
    Record,
    RunResult,
    SearchResult,
    SourceAssessment,
)

REPORT_MODE = 0o644
SMALL_SAMPLE = 30  # n below this is flagged: too few participants to carry a clinical claim

VERDICT_LABELS: dict[str, str] = {
    "supported": "Supported",
    "partly_supported": "Partly supported",
    "mixed": "Mixed",
    "not_supported": "Not supported",
    "contradicted": "Contradicted",
    "unverifiable": "Unverifiable",
}
NOT_CHECKED = "not_checked"  # a claim with no assessment at all (not a verdict of the rating)

VERDICT_MEANINGS: dict[str, str] = {
    "supported": "adequate studies support the claim as stated; nothing of similar weight against",
    "partly_supported": "evidence supports a narrower or weaker version of the claim",
    "mixed": "credible evidence points both ways",
    "not_supported": "studies that test the claim were found, and they do not show it",
    "contradicted": "adequate evidence contradicts the claim",
    "unverifiable": "no study that tests the claim was found in the sources searched, or the claim "
                    "rests on a source, quote or number that could not be located",
}

STANCE_LABELS: dict[str, str] = {
    "supports": "supports",
    "contradicts": "contradicts",
    "neutral": "says nothing on it",
}


MEASURE_LABELS: dict[str, str] = {"percent": "", "percent_change": "change", "other": ""}


# --- small pure formatters ----------------------------------------------------------------


def verdict_label(verdict: str | None) -> str:
    if not verdict:
        return "Not checked"
    return VERDICT_LABELS.get(verdict, verdict.replace("_", " ").capitalize())


def design_label(design: str | None) -> str:
    if not design:
        return "unknown"
    return DESIGNS[design].label if design in DESIGNS else design.replace("_", " ")


def confidence_label(confidence: float | None) -> str:
    """Words with the number, so an editor need not know what 0.62 means."""
    if confidence is None:
        return "n/a"
    word = "high" if confidence >= 0.75 else "medium" if confidence >= 0.5 else "low"
    return f"{word} ({confidence:.2f})"


def _num(value: float) -> str:
    return f"{value:g}"


def format_effect(effect: Effect) -> str:
    """One effect as an editor reads it: 'OR 1.52 (CI 1.1 to 2.1), p<0.001'."""
    measure = MEASURE_LABELS.get(effect.measure, effect.measure)
    unit = effect.unit or ("%" if effect.measure in ("percent", "percent_change") else "")
    sep = "" if unit in ("%", "") else " "
    text = f"{measure} {_num(effect.value)}{sep}{unit}".strip()
    if effect.ci_low is not None and effect.ci_high is not None:
        text += f" (CI {_num(effect.ci_low)} to {_num(effect.ci_high)})"
    if effect.p_value is not None:
        text += f", p{effect.p_operator or '='}{_num(effect.p_value)}"
    return text


def safe_url(url: str | None) -> str | None:
    """An http(s) URL made safe for an href or a Markdown link; anything else is dropped.

    Text from sources can hold `javascript:` or spaces and brackets; those never become links.
    """
    if not url:
        return None
    url = url.strip()
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    if scheme not in ("http", "https"):
        return None
    return quote(url, safe=":/?#@!$&*+,;=%-._~")


def pubmed_url(pmid: str | None) -> str | None:
    return f"https://pubmed.ncbi.nlm.nih.gov/{quote(pmid.strip(), safe='')}/" if pmid else None


def doi_url(doi: str | None) -> str | None:
    return f"https://doi.org/{quote(doi.strip(), safe='/:;.-_()')}" if doi else None


@lru_cache(maxsize=4096)
def _terms_pattern(terms: tuple[str, ...]) -> re.Pattern[str] | None:
    words = sorted({t.strip() for t in terms if t and t.strip()}, key=len, reverse=True)
    if not words:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in words) + r")(?!\w)", re.IGNORECASE)


def mark_terms(text: str, terms: list[str] | tuple[str, ...]) -> list[tuple[str, bool]]:
    """`text` cut into (piece, is_key_word) pieces: the matched terms, found case-insensitively
    on word boundaries, are the key words an editor's eye should land on."""
    pattern = _terms_pattern(tuple(terms))
    if pattern is None:
        return [(text, False)] if text else []
    pieces: list[tuple[str, bool]] = []
    at = 0
    for match in pattern.finditer(text):
        if match.start() > at:
            pieces.append((text[at:match.start()], False))
        pieces.append((match.group(0), True))
        at = match.end()
    if at < len(text):
        pieces.append((text[at:], False))
    return pieces


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 3)


DECIDING = 2  # sources shown on the first screen of a claim card; the rest are one click away


# --- the view: report_json ----------------------------------------------------------------


def is_animal(finding: Finding | None, source: SourceAssessment) -> bool:
    """True when the source is an animal or in-vitro study (never establishes a clinical claim)."""
    if finding is not None and (finding.humans is False or finding.design in NONCLINICAL):
        return True
    return any("animal" in s.lower() or "in vitro" in s.lower() for s in source.signals)


def _source_json(
    source: SourceAssessment, record: Record | None, finding: Finding | None
) -> dict[str, Any]:
    pmid = record.pmid if record else None
    doi = record.doi if record else None
    link = record.link if record else None
    sample_size = finding.sample_size if finding else None
    animal = is_animal(finding, source)
    retracted = bool(record and is_retracted(record))
    flags: list[str] = []
    if retracted:
        flags.append("retracted")
    if animal:
        flags.append("animal or in-vitro study")
    if sample_size is not None and sample_size < SMALL_SAMPLE:
        flags.append(f"small sample (n={sample_size})")
    effects = finding.effects if finding else ()
    return {
        "record_id": source.record_id,
        "source": record.source if record else None,
        "pmid": pmid,
        "doi": doi,
        "link": link,
        "pubmed_url": pubmed_url(pmid),
        "doi_url": doi_url(doi),
        "title": record.title if record else f"(record {source.record_id} not available)",
        "journal": (record.journal or record.journal_abbrev) if record else None,
        "year": record.year if record else None,
        "pub_types": list(record.pub_types) if record else [],
        "design": finding.design if finding else None,
        "design_label": design_label(finding.design if finding else None),
        "sample_size": sample_size,
        "sample_size_text": finding.sample_size_text if finding else None,
        "n_studies": finding.n_studies if finding else None,
        "humans": finding.humans if finding else None,
        "animal": animal,
        "effects": [
            {k: v for k, v in to_jsonable(e).items() if k != "span"} for e in effects
        ],
        "key_figures": [format_effect(e) for e in effects[:3]],
        "stance": source.stance,
        "stance_label": STANCE_LABELS.get(source.stance, source.stance),
        "relevance": _round(source.relevance),
        "tests_claim": source.tests_claim,
        "gate_reason": source.gate_reason,
        "population": source.population,
        "weight": _round(source.weight),
        "retracted": retracted,
        "notices": to_jsonable(record.notices) if record else [],
        "reasons": list(source.reasons),
        "signals": list(source.signals),
        "matched_terms": list(source.matched_terms),
        "rationale_sentences": [
            {"text": s.text, "section": s.section} for s in source.rationale_sentences
        ],
        "flags": flags,
    }


def deciding_sources(sources: list[dict[str, Any]], limit: int = DECIDING) -> list[dict[str, Any]]:
    """The sources an editor sees first: those that test the claim and take a side, heaviest
    first (a source that does not test the claim never decides it, however it reads)."""
    bearing = [s for s in sources if s["tests_claim"] and s["stance"] != "neutral"]
    return sorted(bearing, key=lambda s: -(s["weight"] or 0))[:limit]


def unique_queries(queries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each search once: a relaxed query that came out the same as an earlier one is not listed again."""
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    for q in queries:
        seen.setdefault((q["source"], q["term"]), q)
    return list(seen.values())


def _query_json(result: SearchResult) -> dict[str, Any]:
    return {
        "term": result.term,
        "source": result.source,
        "count": result.count,
        "ids": list(result.ids),
        "notes": list(result.notes),
        "from_cache": result.from_cache,
        "purpose": result.query.purpose,
        "raw": result.query.raw is not None,
    }


# A check status that means the article's own citation, number or quote did not hold up.
FAILED_CHECKS = {"not_found": "not found", "differs": "differs from the sources",
                 "absent": "not found in the sources"}


FLAG_LABELS = {
    "retracted": "retracted source",
    "animal_only": "animal or in-vitro evidence only",
    "small_sample": "small sample",
    "no_sources": "no study that tests it found",
    "error": "not checked",
    "not_checked": "not checked",
}


def flag_label(kind: str) -> str:
    """A flag's kind in a few words, for the summary's 'look at these first' list."""
    for status, words in FAILED_CHECKS.items():  # '<check kind>_<status>', e.g. number_absent
        if kind.endswith("_" + status):
            return f"{kind[: -len(status) - 1].replace('_', ' ')} {words}"
    return FLAG_LABELS.get(kind, kind.replace("_", " "))


MINOR_FLAGS = {"small_sample"}  # worth a look, but listed on one line so the serious ones stand out


def attention(claims: list[dict[str, Any]]) -> dict[str, Any]:
    """The summary's 'look at these first': claims with serious flags (with the flags in a few
    words), then the ids of claims whose only flag is a small sample."""
    serious, minor = [], []
    for claim in claims:
        kinds = list(dict.fromkeys(f["kind"] for f in claim["flags"]))
        major = [flag_label(k) for k in kinds if k not in MINOR_FLAGS]
        if major:
            serious.append({"id": claim["id"], "flags": major + [flag_label(k) for k in kinds if k in MINOR_FLAGS]})
        elif kinds:
            minor.append(claim["id"])
    return {"serious": serious, "small_sample": minor}


def _check_json(check: Check) -> dict[str, Any]:
    """Every field of the Check but its kind (the key it is grouped under), so fields added
    to Check later reach the report without a change here."""
    return {k: v for k, v in to_jsonable(check).items() if k != "kind"}


def _claim_flags(
    assessment: Assessment | None, sources: list[dict[str, Any]], unchecked: bool, kind: str | None = None
) -> list[dict[str, str]]:
    """What an editor must not miss: retracted sources, animal-only or tiny evidence,
    a citation, number or quote that did not check out, errors."""
    flags: list[dict[str, str]] = []
    if assessment is None:
        flags.append({"kind": "not_checked", "text": "Not checked: the run produced no assessment."})
        return flags
    if assessment.error:
        flags.append({"kind": "error", "text": f"Not checked: {assessment.error}"})
    elif unchecked:
        flags.append({"kind": "not_checked", "text": "Not checked: the run listed this claim as unchecked."})
    if not sources and not assessment.error:
        flags.append({"kind": "no_sources", "text": "No study that tests this claim was found."})
    for check in assessment.checks:
        # A figure with nothing to compare it with is a flag only where the claim is the figure.
        if check.kind == "number" and check.status == "absent" and kind != "statistic":
            continue
        if check.status in FAILED_CHECKS:
            flags.append({
                "kind": f"{check.kind}_{check.status}",
                "text": f"{check.kind.capitalize()} {FAILED_CHECKS[check.status]}: {check.detail}",
            })
    for src in sources:
        if src["retracted"]:
            flags.append({"kind": "retracted", "text": f"Retracted source: {src['title']}"})
    # Neutral sources do not bear on the verdict; judge the evidence by the ones that do.
    bearing = [s for s in sources if s["stance"] != "neutral"]
    if bearing and all(s["animal"] for s in bearing):
        flags.append({"kind": "animal_only", "text": "Animal or in-vitro evidence only: it cannot establish a clinical claim."})
    for src in bearing:
        n = src["sample_size"]
        if n is not None and n < SMALL_SAMPLE:
            flags.append({"kind": "small_sample", "text": f"Small sample (n={n}): {src['title']}"})
    return flags


def _claim_json(
    claim: Claim | None, claim_id: str, assessment: Assessment | None, result: RunResult
) -> dict[str, Any]:
    rated = [
        _source_json(s, result.records.get(s.record_id), result.findings.get(s.record_id))
        for s in (assessment.sources if assessment else ())
    ]
    # Records that fail the relevance gate are not evidence: listed apart, never as "says nothing".
    sources = [s for s in rated if s["tests_claim"]]
    off_topic = [s for s in rated if not s["tests_claim"]]
    checks: dict[str, list[dict[str, Any]]] = {}
    for check in assessment.checks if assessment else ():
        checks.setdefault(check.kind, []).append(_check_json(check))
    verdict = assessment.verdict if assessment else None
    return {
        "id": claim_id,
        "quote": claim.quote if claim else "",
        "claim": claim.text if claim else "",
        "kind": claim.kind if claim else None,
        "comparator": list(claim.comparator) if claim else [],
        "verdict": verdict,
        "verdict_label": verdict_label(verdict),
        "confidence": _round(assessment.confidence) if assessment else None,
        "confidence_label": confidence_label(assessment.confidence if assessment else None),
        "reasons": list(assessment.reasons) if assessment else [],
        "checks": checks,
        "sources": sources,
        "off_topic": off_topic,
        "evidence_weight": weight_totals(sources),
        "queries": unique_queries([_query_json(q) for q in (assessment.queries if assessment else ())]),
        "error": assessment.error if assessment else "no assessment was produced",
        "checked": assessment is not None and not assessment.error
        and claim_id not in result.unchecked,
        "flags": _claim_flags(assessment, sources, claim_id in result.unchecked, claim.kind if claim else None),
    }


def overall_line(claims: list[dict[str, Any]]) -> str:
    """'3 of 11 claims are supported; 4 unverifiable' (zero counts are left out)."""
    total = len(claims)
    if total == 0:
        return "No claims were checked."
    counts = Counter(c["verdict"] or NOT_CHECKED for c in claims)
    supported = counts.get("supported", 0)
    head = (
        f"{supported} of {counted(total, 'claim')} "
        f"{'is' if supported == 1 or total == 1 else 'are'} supported"
    )
    rest = [
        f"{counts[v]} {verdict_label(v).lower()}"
        for v in (*VERDICTS, NOT_CHECKED)
        if v != "supported" and counts.get(v)
    ]
    failed = sum(1 for c in claims if not c["checked"])
    if failed:
        rest.append(f"{failed} could not be checked")
    return head + ("; " + ", ".join(rest) if rest else "") + "."


def report_json(result: RunResult) -> dict[str, Any]:
    """The whole report as plain JSON values (the stable top level of design.md, plus extras)."""
    article = result.claims_file.article
    by_id = {a.claim_id: a for a in result.assessments}
    claim_ids = [c.id for c in result.claims_file.claims]
    # An assessment for a claim the file does not list is still shown, never dropped.
    claim_ids += [a.claim_id for a in result.assessments if a.claim_id not in set(claim_ids)]
    claims_by_id = {c.id: c for c in result.claims_file.claims}
    claims = [_claim_json(claims_by_id.get(cid), cid, by_id.get(cid), result) for cid in claim_ids]
    counts = Counter(c["verdict"] or NOT_CHECKED for c in claims)
    not_checked = [
        {"id": c["id"], "reason": c["error"] or "listed as unchecked by the run"}
        for c in claims
        if not c["checked"]
    ]
    return {
        "article": {
            "title": article.title,
            "url": article.url,
            "checked": article.checked,
            "file": article.file,
            "slug": article.slug,
            "claims_file": result.claims_file.path,
        },
        "generated": result.generated,
        "source": result.source,
        "searched": result.searched,
        "versions": {name: version for name, version in result.versions},
        "summary": {
            "total": len(claims),
            "counts": {v: counts.get(v, 0) for v in (*VERDICTS, NOT_CHECKED)},
            "overall": overall_line(claims),
            # Checked claims for which no source passed the relevance gate.
            "untested": [c["id"] for c in claims if c["checked"] and not c["sources"]],
        },
        "unchecked": not_checked,
        "claims": claims,
    }


# --- rendering ----------------------------------------------------------------------------


class MdSafe(str):
    """Markdown that is already built (links, code spans): not escaped again."""


_MD_NEEDS = re.compile(r"[\\`*_\[\]<>|~&]")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")
_MD_ENTITY = re.compile(r"&(?=#?\w+;)")
_MD_LINE_START = re.compile(r"^(\s*|\s*\d+(?=[.)](?:\s|$)))([#+=.)-])")


def md_escape(value: Any) -> str:
    """Text for a Markdown paragraph or table cell: one line, punctuation backslash-escaped.

    `\\<` keeps a CMS from treating `<script>` as raw HTML; `\\|` keeps a table cell whole.
    """
    if value is None:
        return ""
    if isinstance(value, MdSafe):
        return value
    return _MD_LINE_START.sub(r"\1\\\2", _md_inline(" ".join(str(value).split())))


def _md_inline(text: str) -> str:
    """Markdown punctuation and entities backslash-escaped; whitespace left as it is."""
    if not _MD_NEEDS.search(text):  # most values: nothing to escape
        return text
    return _MD_ENTITY.sub(r"\\&", _MD_SPECIAL.sub(r"\\\1", text))


def md_marked(text: str, terms: list[str] | tuple[str, ...]) -> MdSafe:
    """A sentence with its key words in bold, everything escaped (see mark_terms)."""
    pieces = mark_terms(" ".join(str(text).split()), terms)
    return MdSafe("".join(f"**{_md_inline(p)}**" if key else _md_inline(p) for p, key in pieces))


def md_code(value: Any) -> MdSafe:
    """An inline code span whose fence is longer than any backtick run inside it."""
    text = " ".join(str(value).split())
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or longest else ""
    return MdSafe(f"{fence}{pad}{text}{pad}{fence}")


def flat_text(value: Any) -> str:
    """A JSON value on one line: lists joined with '; ', mappings as 'key: value'."""
    if isinstance(value, dict):
        return "; ".join(f"{k.replace('_', ' ')}: {flat_text(v)}" for k, v in value.items()
                         if v not in (None, "", [], {}))
    if isinstance(value, (list, tuple)):
        return "; ".join(flat_text(v) for v in value)
    return "" if value is None else str(value)


def md_link(text: Any, url: str | None) -> MdSafe:
    """[text](<url>) when the URL is safe, otherwise the escaped text alone."""
    href = safe_url(url)
    label = md_escape(text)
    return MdSafe(f"[{label}](<{href}>)" if href else label)


def _finalize_md(value: Any) -> str:
    return md_escape(value)


@lru_cache(maxsize=None)
def environment(kind: str) -> Environment:
    """One Jinja environment per output kind; HTML escapes everything, Markdown too (finalize)."""
    common: dict[str, Any] = {
        "loader": PackageLoader("pipeline", "report/templates"),
        "undefined": StrictUndefined,
        "trim_blocks": True,
        "lstrip_blocks": True,
        "keep_trailing_newline": True,
    }
    if kind == "html":
        env = Environment(autoescape=True, **common)
    else:
        env = Environment(autoescape=False, finalize=_finalize_md, **common)
        env.filters["code"] = md_code
        env.filters["link"] = md_link
        env.filters["raw"] = MdSafe
        env.filters["flat"] = flat_text
        env.filters["marked"] = md_marked
        env.globals.update(forest_rows=forest_rows, PANELS=PANELS)
    env.filters["safe_url"] = safe_url
    env.filters["marks"] = mark_terms
    env.filters["attention"] = attention
    env.filters["counted"] = counted
    env.filters["deciding"] = deciding_sources
    env.globals.update(forest_plot=forest_plot, weight_bar=weight_bar, stance_glyph=stance_glyph,
                       STANCE_LABELS=STANCE_LABELS)
    env.globals["VERDICT_MEANINGS"] = VERDICT_MEANINGS
    env.globals["verdict_label"] = verdict_label
    return env


def html_text(view: dict[str, Any]) -> str:
    """The self-contained HTML report (inline CSS and SVG, every value escaped; one tiny inline
    script only opens the folded parts before printing)."""
    return environment("html").get_template("report.html.j2").render(report=view)


def markdown_text(view: dict[str, Any]) -> str:
    """The Markdown report: same content as the HTML, for a CMS or a pull-request diff."""
    return environment("md").get_template("report.md.j2").render(report=view)


def json_text(view: dict[str, Any]) -> str:
    return json.dumps(view, indent=2, ensure_ascii=False) + "\n"


def render_html(result: RunResult) -> str:
    return html_text(report_json(result))


def render_markdown(result: RunResult) -> str:
    return markdown_text(report_json(result))


def render_json(result: RunResult) -> str:
    return json_text(report_json(result))


def render(result: RunResult, out_dir: Path, partial: bool = False) -> list[Path]:
    """Write `<slug>.html`, `.md`, `.json` into out_dir and return their paths.

    `partial` (some claims could not be checked) writes `<slug>.partial.*` instead, so an
    incomplete run never replaces the last complete report.

    All three are rendered before anything is written, and each file is replaced from a
    temporary file in the same directory, so a failure leaves the previous reports whole.
    """
    slug = report_name(result.claims_file, Path(out_dir)) + (".partial" if partial else "")
    view = report_json(result)  # built once: the three files are three renderings of it
    texts = {".html": html_text(view), ".md": markdown_text(view), ".json": json_text(view)}
    return write_atomic(Path(out_dir), {f"{slug}{suffix}": text for suffix, text in texts.items()})


def write_atomic(out_dir: Path, texts: dict[str, str]) -> list[Path]:
    """Write each name -> text into out_dir; every file is replaced from a temporary file in
    the same directory, and a failure removes the temporary files and leaves old files whole."""
    out_dir.mkdir(parents=True, exist_ok=True)
    temps: dict[str, str] = {}
    try:
        for name, text in texts.items():
            fd, tmp = tempfile.mkstemp(dir=out_dir, prefix=f".{name}.", suffix=".tmp")
            temps[name] = tmp
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, REPORT_MODE)  # mkstemp makes 0600; a report is a document others read
        paths = []
        for name, tmp in temps.items():
            target = out_dir / name
            os.replace(tmp, target)
            paths.append(target)
        return paths
    finally:
        for tmp in temps.values():
            if os.path.exists(tmp):
                os.unlink(tmp)
