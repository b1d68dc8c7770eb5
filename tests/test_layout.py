"""The layout of scripts/ is the architecture: packages in the order data flows, read from the imports.

frameworks/ → serve → check → load → measure (the JSON result) → report → site. A package may
import the facts every job reads (scripts.frameworks, scripts.scenarios), itself and packages
earlier in the flow, never a later one; and no two modules import each other, even by a detour.
"""

from __future__ import annotations

import ast
from pathlib import Path

from scripts.frameworks import ROOT

SCRIPTS = ROOT / "scripts"
FLOW = ("serve", "check", "load", "measure", "report", "site")
FACTS = {"frameworks", "scenarios"}
# One job that does not split (the site check walks every page), or a module a little over the
# line; each is named so that a new one does not slip past.
LONG = 460


def modules() -> dict[str, Path]:
    return {".".join(path.relative_to(ROOT).with_suffix("").parts): path for path in SCRIPTS.rglob("*.py")}


def imports(path: Path) -> set[str]:
    """The scripts modules that `path` imports, top-level and inside functions alike."""
    found: set[str] = set()
    known = modules()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("scripts"):
            for alias in node.names:
                child = f"{node.module}.{alias.name}"
                found.add(child if child in known else node.module)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("scripts")}
    return {name.removesuffix(".__init__") for name in found}


def package(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 else parts[1].removesuffix(".py")


def test_the_top_level_holds_only_the_facts() -> None:
    top = sorted(path.stem for path in SCRIPTS.glob("*.py"))
    assert top == ["__init__", *sorted(FACTS)]
    assert sorted(path.name for path in SCRIPTS.iterdir() if path.is_dir() and path.name != "__pycache__") == sorted(
        FLOW
    )


def test_every_package_says_what_it_does_and_what_it_may_use() -> None:
    for name in FLOW:
        docstring = ast.get_docstring(ast.parse((SCRIPTS / name / "__init__.py").read_text()))
        assert docstring and "May use" in docstring, name


def test_data_flows_one_way() -> None:
    wrong = []
    for module, path in modules().items():
        here = package(module)
        for target in imports(path):
            there = package(target)
            if there == here or there in FACTS:
                continue
            if here in FACTS or FLOW.index(there) > FLOW.index(here):
                wrong.append(f"{module} imports {target}")
    assert wrong == []


def test_no_import_cycle() -> None:
    known = modules()
    graph = {module: {target for target in imports(path) if target in known and target != module}
             for module, path in known.items()}  # fmt: skip

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for step in graph.get(start, ()):
            if step == goal or (step not in seen and not seen.add(step) and reaches(step, goal, seen)):
                return True
        return False

    cycles = sorted(module for module in graph if reaches(module, module, set()))
    assert cycles == []


def test_no_module_holds_two_jobs_by_its_length() -> None:
    lengths = {module: len(path.read_text().splitlines()) for module, path in modules().items()}
    assert {module: n for module, n in lengths.items() if n > LONG} == {}
