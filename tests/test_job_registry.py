"""Every job name written anywhere is registered, and the registry resolves each to its function.

Scans the application's source (core, bot, backoffice, workers) as syntax trees, so a job asked
for under a name nobody runs fails here, not in a worker at night."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from core.jobs import JobName
from workers import registry

ROOT = Path(__file__).resolve().parents[1]
APP = ("core", "bot", "backoffice", "workers")
SOURCES = [(path.relative_to(ROOT).as_posix(), ast.parse(path.read_text(), str(path)))
           for package in APP for path in sorted((ROOT / package).rglob("*.py"))]


def _job_names_used() -> dict[str, str]:
    """Job names written in the code: Job("name", …), Periodic("name", …), JobName.X."""
    used = {}
    for where, tree in SOURCES:
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                    and node.func.id in {"Job", "Periodic"} and node.args:
                first = node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    used[first.value] = f"{where}:{node.lineno}"
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "JobName":
                used[getattr(JobName, node.attr, node.attr)] = f"{where}:{node.lineno}"
    return used


def test_every_job_name_used_is_registered():
    used = _job_names_used()
    assert used, "the scan found no job names: the test no longer looks where jobs are named"
    unregistered = {name: where for name, where in used.items() if name not in registry.JOBS}
    assert not unregistered, f"job names with no registered function: {unregistered}"
    assert set(registry.JOBS) == {str(name) for name in JobName}


@pytest.mark.parametrize("name", sorted(registry.JOBS))
def test_every_registered_job_resolves_to_its_function(name):
    function = registry.resolve(name)
    assert callable(function)
    assert function.__name__ == name
    assert f"{function.__module__}.{function.__name__}" == registry.JOBS[name]


def test_the_registry_imports_nothing_of_ours():
    tree = ast.parse((ROOT / "workers/registry.py").read_text())
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {(node.module or "").split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not imported & set(APP)
