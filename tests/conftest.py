"""Shared fixtures: the real tables as the package loads them, and a small fixture project.

With RFI_TEST_REPORT=FILE set, every test's outcome is appended to FILE as JSON lines, so that
``.ci/run`` can check that each test ran (passed) in at least one tier.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

import rfi_umarov_2022 as ds
from rfi_umarov_2022 import descriptor, registry

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).resolve().parent / "fixture"
REPORT_ENV = "RFI_TEST_REPORT"


def schema_files(root: Path = ROOT) -> dict[str, dict]:
    """The Table Schemas as written in ``schema/*.json``: the tests' one source of truth."""
    return {p.stem: json.loads(p.read_text(encoding="utf-8"))
            for p in sorted((root / "schema").glob("*.json"))}


SCHEMAS = schema_files()
SPAN_TABLES = [s.name for s in registry.span_tables(SCHEMAS)]
LAYERS = [s.name for s in registry.layers(SCHEMAS)]


@pytest.fixture(scope="session")
def text() -> str:
    return ds.source_text()


@pytest.fixture(scope="session")
def tables():
    return ds.load_all()


def copy_fixture(target: Path) -> Path:
    """The fixture project (tests/fixture) with the real Table Schemas, copied to ``target``."""
    shutil.copytree(FIXTURE, target)
    shutil.copytree(ROOT / "schema", target / "schema")
    return target


def output_files(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` with its bytes (outputs and inputs alike)."""
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="session")
def built_fixture(tmp_path_factory) -> Path:
    """The fixture project, built once; tests copy it rather than build it again."""
    from rfi_umarov_2022_build.pipeline import run

    root = copy_fixture(tmp_path_factory.mktemp("fixture") / "project")
    assert run(root) == 0
    return root


@pytest.fixture
def project(built_fixture, tmp_path) -> Path:
    """A throwaway copy of the built fixture project."""
    target = tmp_path / "project"
    shutil.copytree(built_fixture, target)
    return target


@pytest.fixture
def loader_at(monkeypatch):
    """Point the installed loader at another data folder: ``loader_at(root)``."""

    def point(root: Path) -> None:
        monkeypatch.setattr(descriptor, "data_root", lambda: root)
        descriptor.clear()

    yield point
    descriptor.clear()


def pytest_collection_modifyitems(config, items):
    """Tests under tests/slow/ are the slow tier: run them with -m slow."""
    for item in items:
        if "slow" in Path(str(item.fspath)).parts:
            item.add_marker(pytest.mark.slow)


def pytest_runtest_logreport(report):
    path = os.environ.get(REPORT_ENV)
    if not path or not (report.when == "call" or report.outcome != "passed"):
        return
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps({"test": report.nodeid, "when": report.when,
                                 "outcome": report.outcome}) + "\n")
