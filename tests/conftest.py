"""Shared fixtures: the project, its curated files, and the tables as the installed package loads them."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import rfi_umarov_2022 as ds  # noqa: E402

ANNOTATIONS = ROOT / "dataset" / "annotations"
OUTPUTS = ["datapackage.json", "docs/tables.md"]


def curated(name: str):
    return yaml.safe_load((ANNOTATIONS / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def text() -> str:
    return ds.source_text()


@pytest.fixture(scope="session")
def tables():
    return ds.load_all()


def output_files(root: Path) -> dict[str, bytes]:
    """Every build output under ``root`` with its bytes."""
    paths = [root / rel for rel in OUTPUTS] + sorted((root / "dataset").glob("*.parquet"))
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in paths}


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """A throwaway copy of everything the build reads and writes."""
    target = tmp_path / "project"
    for rel in ("scripts", "schema", "dataset", "docs"):
        shutil.copytree(ROOT / rel, target / rel,
                        ignore=shutil.ignore_patterns("__pycache__", ".build-tmp-*"))
    (target / "rfi_umarov_2022").mkdir()
    shutil.copyfile(ROOT / "rfi_umarov_2022" / "__init__.py", target / "rfi_umarov_2022" / "__init__.py")
    shutil.copyfile(ROOT / "datapackage.json", target / "datapackage.json")
    return target
