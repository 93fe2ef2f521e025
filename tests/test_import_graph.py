"""The package's import graph has no circles and no arrows that run back up (issue 17), read by
scripts/import_graph.py from the code itself, hidden imports included."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "import_graph.py"


def _graph_module():
    spec = importlib.util.spec_from_file_location("import_graph", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_no_circles_and_no_arrows_running_up():
    graph = _graph_module()
    edges = graph.graph()
    assert sum(map(len, edges.values())) > 100  # it really read the package
    assert graph.circles(edges) == []
    assert graph.upward(edges) == []


def test_the_checker_finds_a_circle_and_an_upward_arrow():
    graph = _graph_module()
    edges = {"pipeline.types": {"pipeline.run"}, "pipeline.run": {"pipeline.types"}}
    assert graph.circles(edges) == [["pipeline.run", "pipeline.types"]]
    assert graph.upward(edges) == [("pipeline.types", "pipeline.run")]


def test_importing_the_cli_loads_no_spacy():
    code = "import sys, pipeline.cli; print(any(m == 'spacy' or m.startswith('spacy.') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
