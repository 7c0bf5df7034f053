"""The shape of the code: no import cycle between apps.

Each app's modules are read with ``ast`` (every ``import``, at the top or inside a function). An
app depends on another when one of its modules imports it. The modules that compose several apps
into pages or commands (views, admin, urls, forms, template tags, management commands) may import
anything and are left out; migrations are generated. Any other import that closes a loop between
apps is a cycle, and fails the test with the modules that make it.
"""

from __future__ import annotations

import ast
from pathlib import Path

from django.apps import apps
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
COMPOSERS = {"views", "admin", "urls", "forms"}
COMPOSER_DIRS = {"templatetags", "commands", "migrations"}


def project_apps() -> set[str]:
    return {config.name for config in apps.get_app_configs() if Path(config.path).is_relative_to(ROOT)}


def composes(path: Path) -> bool:
    """Whether a module composes several apps (a page, the admin, a command) and may import anything."""
    stem = path.stem
    return stem in COMPOSERS or stem.startswith("views_") or any(part in COMPOSER_DIRS for part in path.parts)


def imported_apps(path: Path, known: set[str]) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return {name.split(".")[0] for name in names} & known


def app_imports(known: set[str]) -> dict[tuple[str, str], list[str]]:
    """(app, other app) -> the modules of ``app`` that import ``other app``."""
    edges: dict[tuple[str, str], list[str]] = {}
    for app in sorted(known):
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if composes(relative):
                continue
            for other in imported_apps(path, known) - {app}:
                edges.setdefault((app, other), []).append(str(relative))
    return edges


def cycles(edges) -> list[list[str]]:
    """The strongly connected groups of more than one app (Tarjan)."""
    graph: dict[str, set[str]] = {}
    for a, b in edges:
        graph.setdefault(a, set()).add(b)
        graph.setdefault(b, set())
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def describe(group, edges) -> str:
    links = [
        f"  {a} -> {b}: {', '.join(modules)}" for (a, b), modules in sorted(edges.items()) if a in group and b in group
    ]
    return f"cycle between {', '.join(group)}:\n" + "\n".join(links)


def test_no_import_cycle_between_apps():
    edges = app_imports(project_apps())
    found = cycles(edges)
    assert not found, "\n".join(describe(group, edges) for group in found)


def test_the_cycle_check_finds_a_cycle():
    edges = {("a", "b"): ["a/services.py"], ("b", "c"): ["b/selectors.py"], ("c", "a"): ["c/models.py"]}
    assert cycles(edges) == [["a", "b", "c"]]
    assert "b -> c: b/selectors.py" in describe(["a", "b", "c"], edges)


def test_composing_modules_are_left_out():
    assert composes(Path("escalations/views.py")) and composes(Path("core/templatetags/govuk.py"))
    assert composes(Path("demo/management/commands/demo_data.py"))
    assert not composes(Path("children/selectors.py"))
