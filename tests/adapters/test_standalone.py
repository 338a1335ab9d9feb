"""`adapters` is a distribution of its own: nothing of ours outside it, and contract
suites that a co-op can import whole into its own tests.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import adapters

PACKAGE = Path(adapters.__file__).parent
OURS_OUTSIDE = ("gateway", "simulators", "bench", "tests")
CONTRACT_MODULES = sorted(
    ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    for path in PACKAGE.rglob("contract*.py")
)


def imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


@pytest.mark.parametrize(
    "path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE))
)
def test_a_module_imports_nothing_of_ours_outside_adapters(path: Path) -> None:
    outside = {name for name in imported_modules(path) if name.split(".")[0] in OURS_OUTSIDE}

    assert outside == set()


def test_every_system_has_a_contract_suite() -> None:
    systems = {name.split(".")[1] for name in CONTRACT_MODULES}

    assert systems >= {"cis", "oms", "meters", "email", "payments", "sms"}


@pytest.mark.parametrize("name", CONTRACT_MODULES)
def test_a_star_import_brings_every_test_of_the_suite(name: str) -> None:
    module = importlib.import_module(name)
    tests = {
        attribute
        for attribute, value in vars(module).items()
        if attribute.startswith("test_") and callable(value)
    }

    assert tests
    assert tests <= set(module.__all__)
    assert all(hasattr(module, attribute) for attribute in module.__all__)
