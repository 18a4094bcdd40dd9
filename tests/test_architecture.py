"""The layout keeps its rules (docs/developers.md, "Layout"): layers that run one way, no view
module importing another, no import circle (imports inside functions included), every
module placed in a layer, and no module over 400 lines."""

from __future__ import annotations

import configparser
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("goals", "projects", "config")
MAX_LINES = 400
# Modules that hold no rule and no request handling: app configs and the django-axes app.
UNPLACED = {"apps", "axes_app"}


@pytest.fixture(scope="module")
def graph():
    sys.path.insert(0, str(ROOT))
    return grimp.build_graph(*PACKAGES, cache_dir=None)


def contracts() -> configparser.ConfigParser:
    config = configparser.ConfigParser()
    config.read(ROOT / ".importlinter", encoding="utf-8")
    return config


def listed(section: str, option: str) -> list[str]:
    text = contracts()[f"importlinter:contract:{section}"][option]
    return [name.strip() for line in text.splitlines() for name in line.split(":") if name.strip()]


def test_the_import_contracts_hold():
    result = subprocess.run(  # noqa: S603
        [str(Path(sys.executable).parent / "lint-imports"), "--no-logo", "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_no_module_is_in_an_import_circle(graph):
    # Tarjan's strongly connected components over every import, those inside functions too.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                component.append(item)
                if item == module:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    assert circles == []


def test_every_module_has_its_place_in_a_layer(graph):
    layers = listed("layers", "layers")
    unplaced = [
        module
        for module in sorted(graph.modules)
        if module.startswith("goals.")
        and module.rsplit(".", 1)[-1] not in UNPLACED
        and not module.startswith("goals.migrations")
        and not any(module == layer or module.startswith(layer + ".") for layer in layers)
        # a package's __init__ that only groups its modules
        and not any(layer.startswith(module + ".") for layer in layers)
    ]
    assert unplaced == [], "place these modules in a layer of .importlinter"


def test_every_view_module_is_in_the_independence_contract(graph):
    views = set(listed("views", "modules"))
    found = {
        module
        for module in graph.modules
        if module.startswith("goals.")
        and (module.endswith(".views") or ".views." in module)
        and not graph.find_children(module)
    }
    assert found == views


def test_no_module_is_longer_than_400_lines():
    long = {}
    for folder in ("goals", "projects", "config", "bench", "scripts"):
        for path in (ROOT / folder).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            lines = path.read_text(encoding="utf-8").count("\n")
            if lines > MAX_LINES:
                long[str(path.relative_to(ROOT))] = lines
    assert long == {}
