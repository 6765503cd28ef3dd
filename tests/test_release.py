"""Release: sdist and wheel build; the wheel installs into a fresh venv, where the CLI runs;
CITATION.cff validates with cffconvert (in its own venv: it pins jsonschema 3, frictionless 4)."""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT


def run(*command, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in command], capture_output=True, text=True, **kwargs)


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    result = run(sys.executable, "-m", "build", "--outdir", out, ROOT)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return out


def test_wheel_holds_the_data_and_not_the_build(dist):
    wheel = next(dist.glob("*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    data = "rfi_umarov_2022/data/"
    assert f"{data}datapackage.json" in names and f"{data}croissant.json" in names
    assert f"{data}dataset/source/transcript.txt" in names
    assert {f"{data}dataset/{p.name}" for p in (ROOT / "dataset").glob("*.parquet")} <= names
    assert {f"{data}schema/{p.name}" for p in (ROOT / "schema").glob("*.json")} <= names
    assert not [n for n in names if n.startswith(("scripts/", "tests/")) or "annotations" in n]
    assert next(dist.glob("*.tar.gz")).stat().st_size > 0


def test_wheel_installs_and_its_cli_runs(dist, tmp_path):
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    wheel = next(dist.glob("*.whl"))
    result = run(python, "-m", "pip", "install", "-q", "-c", ROOT / "constraints.txt", wheel)
    assert result.returncode == 0, result.stderr[-2000:]
    info = run(python, "-m", "rfi_umarov_2022", "info", cwd=tmp_path)
    assert info.returncode == 0, info.stderr
    assert "claims" in info.stdout and "site-packages" not in info.stderr
    check = run(python, "-c", "import rfi_umarov_2022 as d; d.verify(); print(d.datapackage_path())",
                cwd=tmp_path)
    assert check.returncode == 0 and "site-packages" in check.stdout


def test_citation_cff_validates(tmp_path):
    env_dir = tmp_path / "cff"
    venv.create(env_dir, with_pip=True)
    install = run(env_dir / "bin" / "python", "-m", "pip", "install", "-q", "cffconvert==2.0.0")
    assert install.returncode == 0, install.stderr[-2000:]
    result = run(env_dir / "bin" / "cffconvert", "--validate", "-i", ROOT / "CITATION.cff")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "valid" in (result.stdout + result.stderr).lower()


def test_sdist_rebuilds_the_dataset(dist, tmp_path):
    import tarfile

    with tarfile.open(next(dist.glob("*.tar.gz"))) as archive:
        archive.extractall(tmp_path, filter="data")
    project = next(tmp_path.glob("rfi_umarov_2022-*"))
    assert not (project / ".git").exists()
    result = run(sys.executable, project / "scripts" / "build.py", "--check")
    assert result.returncode == 0, result.stdout + result.stderr
