"""The house rules of docs/ARCHITECTURE.md that a reader would otherwise have to trust.

The import directions themselves are import-linter contracts (``[tool.importlinter]`` in
pyproject.toml, run by ``make test``); here we check that those contracts would catch each
cycle the portal once had, and the rules no contract can express.
"""
from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PORTAL = ROOT / "portal"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
#: A route on a blueprint (``@backoffice_bp.route(…)``, ``@api_bp.get(…)``): what makes a module a page.
_ROUTE = re.compile(r"^@\w+_bp\.(route|get|post|put|patch|delete)\(", re.MULTILINE)
#: The modules that draw pages: every one with a route of its own, and the responses pages share.
PAGE_MODULES = sorted(
    {path for path in PORTAL.rglob("*.py") if _ROUTE.search(path.read_text(encoding="utf-8"))} | {PORTAL / "responses.py"}
)


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _lint(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=root, capture_output=True, text=True, timeout=120,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
    )


def test_the_import_contracts_hold():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "BROKEN" not in result.stdout and " KEPT" in result.stdout


def test_every_module_of_the_portal_has_a_layer():
    """A module outside the layers contract could import anything and be imported by anything
    (``portal.pgcursor`` was, for a while): each package and module at the top of ``portal/`` is
    in exactly one layer, as the picture in docs/ARCHITECTURE.md shows it."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    layers = next(c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers")["layers"]
    layered = [name.strip() for layer in layers for name in layer.split("|")]
    modules = {p.stem for p in PORTAL.glob("*.py") if p.stem != "__init__"}  # the app factory sits above them all
    packages = {p.parent.name for p in PORTAL.glob("*/__init__.py")}
    assert sorted(layered) == sorted(modules | packages)
    picture = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8").split("```")[1]
    assert [name for name in layered if not re.search(rf"\b{name}\b", picture)] == []


def test_every_page_module_is_in_the_contract_that_keeps_pages_apart():
    """"No page imports another package's pages" holds only for the modules the independence
    contract names: a page module left out of it (the back office's refunds and result pages
    were) could be imported by any other page."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    named = next(c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "independence")["modules"]
    pages = [".".join(path.relative_to(ROOT).with_suffix("").parts) for path in PAGE_MODULES
             if path != PORTAL / "responses.py"]
    assert len(pages) >= 20
    assert [page for page in pages if not any(page == name or page.startswith(f"{name}.") for name in named)] == []


# Each cycle the portal had before issue 14, as the import that would bring it back.
CYCLES = {
    "dossiers -> workflow": ("portal/dossiers/models.py", "import portal.workflow.transitions"),
    "dossiers -> payments": ("portal/dossiers/display.py", "import portal.payments.models"),
    "notifications -> workflow": ("portal/notifications/operations.py", "import portal.workflow.clock"),
    "notifications -> payments": ("portal/notifications/messages.py", "import portal.payments.operations"),
    "catalog <- deadlines": ("portal/deadlines/engine.py", "import portal.catalog.service"),
    "deadlines -> flask": ("portal/deadlines/calendar.py", "import flask"),
    "payments -> submission": ("portal/payments/models.py", "import portal.submission.operations"),
    "payments -> workflow": ("portal/payments/operations.py", "import portal.workflow.transitions"),
    "stats -> backoffice views": ("portal/stats/views.py", "import portal.backoffice.views"),
    "api -> tracking views": ("portal/api/views.py", "import portal.tracking.views"),
}


@pytest.fixture(scope="module")
def copy_of_the_house(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("house")
    shutil.copytree(PORTAL, root / "portal", ignore=shutil.ignore_patterns("__pycache__", "translations"))
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    return root


@pytest.mark.parametrize("name", CYCLES)
def test_the_contracts_catch_a_cycle_coming_back(copy_of_the_house: Path, name: str):
    relative, line = CYCLES[name]
    module = copy_of_the_house / relative
    original = module.read_text(encoding="utf-8")
    module.write_text(f"{original}\n{line}  # noqa\n", encoding="utf-8")
    try:
        result = _lint(copy_of_the_house)
    finally:
        module.write_text(original, encoding="utf-8")
    assert result.returncode != 0 and "BROKEN" in result.stdout, result.stdout[-2000:]


def test_pages_never_commit_or_roll_back():
    """Operations own the unit of work; the request commits once (portal/__init__.py)."""
    found = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in PAGE_MODULES
        for node in ast.walk(_tree(path))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("commit", "rollback", "begin_nested")
    ]
    assert not found


def test_no_module_imports_another_package_inside_a_function():
    """A function-level import to dodge a cycle is the cycle (the app factory excepted)."""
    found = []
    for path in PORTAL.rglob("*.py"):
        if path == PORTAL / "__init__.py":
            continue
        package = path.relative_to(PORTAL).parts[0].removesuffix(".py")
        for function in ast.walk(_tree(path)):
            if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("portal."):
                    if node.module.split(".")[1] != package:
                        found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.module}")
    assert not found


def test_nothing_imports_the_app_factory():
    """The root package builds the app from every module; a module importing it is a cycle."""
    found = []
    for path in PORTAL.rglob("*.py"):
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.Import) and any(alias.name == "portal" for alias in node.names):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
            if isinstance(node, ast.ImportFrom) and node.module == "portal":
                modules = {p.stem for p in PORTAL.iterdir() if p.suffix == ".py" or p.is_dir()}
                found += [f"{path.relative_to(ROOT)}:{node.lineno} {a.name}" for a in node.names if a.name not in modules]
    assert not found


def _imported(tree: ast.Module) -> list[tuple[int, str]]:
    """Every module ``tree`` imports, wherever the import stands (a function's too), with its line."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def test_the_portal_never_imports_the_benchmarks():
    """``bench/`` adds pages of its own to the app it measures (bench.floor, served only by
    bench.floor_app): the portal importing it would serve them. The analysed package of the
    import contracts is ``portal``, so this rule about a folder beside it is checked here."""
    found = [f"{path.relative_to(ROOT)}:{line} {name}" for path in PORTAL.rglob("*.py")
             for line, name in _imported(_tree(path)) if name == "bench" or name.startswith("bench.")]
    assert not found


def test_the_rule_on_the_benchmarks_sees_any_import_of_them():
    sources = ["import bench.floor", "from bench.floor import FLOOR_PATH", "def f():\n    from bench import floor\n",
               "import os, bench"]
    assert [[name for _, name in _imported(ast.parse(source))] for source in sources] == [
        ["bench.floor"], ["bench.floor"], ["bench"], ["os", "bench"]]


def test_no_python_file_is_over_600_lines():
    long = {
        str(path.relative_to(ROOT)): n
        for path in PORTAL.rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > 600
    }
    assert not long
