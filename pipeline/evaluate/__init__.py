"""Evaluation harnesses behind `factcheck eval NAME`: each prints JSON metrics on stdout.

Each module in EVALUATIONS defines HELP, add_arguments(parser) and run(args) -> exit code, and
may define ALIASES (other names of the same command).
"""

from __future__ import annotations

EVALUATIONS = {
    "extraction": "pipeline.evaluate.extraction",
    "scifact": "pipeline.evaluate.scifact",
    "draft": "pipeline.evaluate.draft",
    "stance": "pipeline.evaluate.product_stance",
}
