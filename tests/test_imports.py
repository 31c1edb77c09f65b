"""The import structure of digest/: no cycles, and light modules stay light.

Cycles are found in the source (every import, those inside functions too, which is where
cycles hide), the weight of a module in a fresh interpreter (what it really loads).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

DIGEST = Path(__file__).resolve().parents[1] / "digest"

# Imports inside a function that close a loop on purpose, each to keep a process light:
# the parent of the worker pool never loads the summariser (digest.workers -> digest.prepare
# runs in workers only), and `eval summaries` loads its --fit code only with --fit.
DELIBERATE = {
    ("digest.workers", "digest.prepare"),
    ("digest.evaluation.summaries", "digest.evaluation.summary_fit"),
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(DIGEST.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The digest modules `path` imports anywhere in it, except under TYPE_CHECKING."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for stmt in node.body
        for inner in ast.walk(stmt)
    }
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*package[: len(package) - node.level + 1], *filter(None, [base])])
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {m for m in found if m in known and m != name}


def _graph() -> dict[str, set[str]]:
    paths = {_module_name(p): p for p in DIGEST.rglob("*.py")}
    known = set(paths)
    return {name: _imports(name, path, known) for name, path in paths.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append([*path[path.index(nxt):], nxt])
            elif nxt not in state:
                visit(nxt, path)
        path.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [])
    return cycles


def test_the_cycle_finder_sees_an_import_inside_a_function(tmp_path: Path) -> None:
    graph = {"digest.a": {"digest.b"}, "digest.b": {"digest.a"}, "digest.c": set()}
    assert _cycles(graph) == [["digest.a", "digest.b", "digest.a"]]
    source = tmp_path / "b.py"
    source.write_text("def f():\n    from digest.a import x\n", encoding="utf-8")
    assert _imports("digest.b", source, {"digest.a", "digest.a.x"}) == {"digest.a", "digest.a.x"}


def test_digest_has_no_import_cycles() -> None:
    graph = _graph()
    assert "digest.cli" in graph and len(graph) > 30  # the walk found the package
    for importer, imported in DELIBERATE:
        assert imported in graph[importer], f"{importer} no longer imports {imported}"
        graph[importer].discard(imported)
    assert _cycles(graph) == []


def test_evaluation_does_not_import_the_cli() -> None:
    graph = _graph()
    evaluation = [name for name in graph if name.startswith("digest.evaluation.")]
    assert len(evaluation) >= 4
    assert [name for name in evaluation if "digest.cli" in graph[name]] == []


def _loaded(statement: str, names: list[str]) -> list[str]:
    """Which of `names` are in sys.modules after `statement`, in a fresh interpreter."""
    code = f"import sys\n{statement}\nprint(','.join(n for n in {names!r} if n in sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True,
    )
    return [n for n in result.stdout.strip().split(",") if n]


@pytest.mark.parametrize(
    ("module", "absent"),
    [
        # Stemming runs in every worker: a word's stem must not cost pydantic-settings.
        ("digest.stemming", ["pydantic_settings", "pydantic", "digest.settings"]),
        # What the workers load.
        ("digest.prepare", ["pydantic_settings", "digest.settings", "digest.storage"]),
        # The parent of the pool: no summariser (see digest.workers).
        ("digest.workers", ["digest.prepare", "sumy"]),
        ("digest.storage", ["pydantic_settings", "digest.settings"]),
        ("digest.schedule", ["pydantic_settings", "digest.settings"]),
    ],
)
def test_light_modules_stay_light(module: str, absent: list[str]) -> None:
    assert _loaded(f"import {module}", [module, *absent]) == [module]


def test_the_evaluation_commands_load_without_the_cli() -> None:
    names = ["digest.evaluation.summaries", "digest.evaluation.summary_fit",
             "digest.evaluation.topics", "digest.evaluation.linking"]
    assert _loaded(f"import {', '.join(names)}", [*names, "digest.cli"]) == names
