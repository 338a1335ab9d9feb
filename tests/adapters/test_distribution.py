"""coop-adapters stands alone: installed from ./adapters into an empty virtual environment,
every module of the package imports, and nothing else of this repository comes along.

The install takes the versions uv.lock pins for coop-adapters as constraints: they add
nothing that adapters/pyproject.toml does not ask for, so a missing dependency still
shows, but a new release on the index cannot change what this test sees.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from uv import find_uv_bin

REPO = Path(__file__).resolve().parents[2]
INSTALL_TIMEOUT_S = 600

# Run with `python -I` from an empty folder, so that neither the working directory nor
# PYTHONPATH can put this checkout on sys.path.
PROBE = textwrap.dedent(
    """
    import importlib, importlib.util, json, pkgutil, sysconfig
    from pathlib import Path

    import adapters

    failures = {}

    def failed(name):
        failures[name] = "cannot walk the package"

    modules = sorted(
        module.name
        for module in pkgutil.walk_packages(adapters.__path__, "adapters.", onerror=failed)
    )
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception as exc:
            failures[name] = f"{type(exc).__name__}: {exc}"
    package = Path(adapters.__file__).parent
    print(json.dumps({
        "file": adapters.__file__,
        "site_packages": sysconfig.get_paths()["purelib"],
        "modules": modules,
        "failures": failures,
        "files": sorted(str(p.relative_to(package)) for p in package.rglob("*")
                        if p.is_file() and "__pycache__" not in p.parts),
        "importable": {
            name: importlib.util.find_spec(name) is not None
            for name in ("gateway", "simulators", "migrations", "bench", "tests")
        },
    }))
    """
)


def _run(*command: str | Path, cwd: Path) -> str:
    done = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=INSTALL_TIMEOUT_S,
        check=False,
    )
    assert done.returncode == 0, f"{command} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """What the probe found in a fresh venv holding only coop-adapters[contract]."""
    work = tmp_path_factory.mktemp("coop-adapters")
    uv = find_uv_bin()
    constraints = work / "constraints.txt"
    _run(
        uv,
        "export",
        "--frozen",
        "--package=coop-adapters",
        "--extra=contract",
        "--no-emit-workspace",
        "--no-hashes",
        f"--output-file={constraints}",
        "--quiet",
        cwd=REPO,
    )
    venv = work / "venv"
    _run(
        uv, "venv", "--quiet", "--no-python-downloads", f"--python={sys.executable}", venv, cwd=work
    )
    python = venv / "bin" / "python"
    _run(
        uv,
        "pip",
        "install",
        "--quiet",
        f"--python={python}",
        f"--constraints={constraints}",
        f"{REPO / 'adapters'}[contract]",
        cwd=work,
    )
    found: dict[str, Any] = json.loads(_run(python, "-I", "-c", PROBE, cwd=work))
    return found


def test_every_module_of_the_package_imports(installed: dict[str, Any]) -> None:
    assert "adapters.multispeak" in installed["modules"]
    assert {"adapters.payments.http", "adapters.payments.contract"} <= set(installed["modules"])
    assert {"adapters.sms.http", "adapters.sms.contract"} <= set(installed["modules"])
    assert installed["failures"] == {}, "modules that do not import on their own:\n" + "\n".join(
        f"  {name}: {error}" for name, error in installed["failures"].items()
    )


def test_nothing_else_of_the_repository_comes_along(installed: dict[str, Any]) -> None:
    assert installed["importable"] == dict.fromkeys(installed["importable"], False)


def test_the_package_is_the_installed_copy(installed: dict[str, Any]) -> None:
    site_packages = Path(installed["site_packages"]).resolve()
    assert Path(installed["file"]).resolve().is_relative_to(site_packages)


def test_the_wsdls_are_package_data_and_the_project_file_is_not(
    installed: dict[str, Any],
) -> None:
    files = installed["files"]
    assert "cis/CB_Server.wsdl" in files
    assert "oms/OA_Server.wsdl" in files
    assert "pyproject.toml" not in files
