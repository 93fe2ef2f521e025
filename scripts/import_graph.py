"""Print the package's import graph problems: circles, and arrows that run back up the floors.

Reads every `import` in pipeline/ with ast, including those inside functions and under
TYPE_CHECKING (a hidden import is still an arrow). Floors, low to high: what a module may import
is on its own floor or below.

    python scripts/import_graph.py          exit 1 when a circle or an upward arrow exists
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "pipeline"

# The room a module lives in, and its floor. A module's room is its first dotted part below
# pipeline (pipeline.rating.stance -> rating); top-level modules are rooms of their own.
FLOORS: dict[str, int] = {
    "types": 0, "errors": 0, "text": 0, "serialize": 0, "config": 0, "designs": 0,
    "cache": 1, "cache_policy": 0, "http": 1,
    "nlp": 2, "sources": 2, "queries": 2, "claims": 2,
    "rating": 3,
    "report": 4, "draft": 4,
    "run": 5, "evaluate": 5,
    "cli": 6, "__main__": 7,
}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, name: str) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base]) if base else ".".join(anchor)
            found.add(base)
            found.update(f"{base}.{a.name}" for a in node.names)
    return {m for m in found if m == PACKAGE or m.startswith(PACKAGE + ".")}


def graph() -> dict[str, set[str]]:
    files = {module_name(p): p for p in (ROOT / PACKAGE).rglob("*.py")}
    edges: dict[str, set[str]] = defaultdict(set)
    for name, path in files.items():
        for target in imports_of(path, name):
            while target not in files and "." in target:
                target = target.rpartition(".")[0]  # `from pkg import name`: name is not a module
            if target in files and target != name and not name.startswith(target + "."):
                edges[name].add(target)
    return edges


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


# Sideways arrows that are refused although the floors allow them: rating reads findings and
# records (types), never the readers that make them; sources never need the spaCy pipeline.
# A leaf module that needs no spaCy (nlp.sections, nlp.numbers) is open to all.
SIDEWAYS = {("rating", "sources"), ("rating", "nlp"), ("sources", "nlp")}
LEAVES = {"pipeline.nlp.sections", "pipeline.nlp.numbers"}


def room(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def upward(edges: dict[str, set[str]]) -> list[tuple[str, str]]:
    return sorted((a, b) for a, targets in edges.items() for b in targets
                  if FLOORS.get(room(b), 0) > FLOORS.get(room(a), 0)
                  or ((room(a), room(b)) in SIDEWAYS and b not in LEAVES))


def main() -> int:
    sys.setrecursionlimit(10_000)
    edges = graph()
    found_circles = circles(edges)
    found_up = upward(edges)
    print(f"{len(edges)} modules import others; {sum(map(len, edges.values()))} arrows")
    for c in found_circles:
        print("circle:", " <-> ".join(c))
    for a, b in found_up:
        print(f"upward or sideways: {a} -> {b}")
    return 1 if found_circles or found_up else 0


if __name__ == "__main__":
    raise SystemExit(main())
