"""Slow tier: the wheel in a fresh venv, the sdist rebuild, engines and stock validators."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT

import rfi_umarov_2022 as ds

pytestmark = pytest.mark.slow


def run(*command, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in command], capture_output=True, text=True, **kwargs)


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    result = run(sys.executable, "-m", "build", "--outdir", out, ROOT)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return out


def test_wheel_holds_the_data_and_docs_and_not_the_build(dist):
    names = set(zipfile.ZipFile(next(dist.glob("*.whl"))).namelist())
    data = "rfi_umarov_2022/data/"
    package = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    for rel in ("datapackage.json", "croissant.json", "dataset/source/transcript.txt",
                "dataset/source/PROVENANCE.md", *package["docs"].values()):
        assert data + rel in names, rel
    assert {f"{data}dataset/{p.name}" for p in (ROOT / "dataset").glob("*.parquet")} <= names
    assert not [n for n in names if n.startswith(("scripts/", "tests/", "rfi_umarov_2022_build/"))
                or "annotations" in n]


def test_twine_check_strict(dist):
    result = run(sys.executable, "-m", "twine", "check", "--strict", *dist.iterdir())
    assert result.returncode == 0, result.stdout + result.stderr


def test_wheel_installs_and_every_printed_reference_resolves(dist, tmp_path):
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    result = run(python, "-m", "pip", "install", "-q", "-c", ROOT / "constraints.txt",
                 next(dist.glob("*.whl")))
    assert result.returncode == 0, result.stderr[-2000:]
    info = run(python, "-m", "rfi_umarov_2022", "info", cwd=tmp_path)
    assert info.returncode == 0, info.stderr
    reference = re.search(r"field reference: (\S+)", info.stdout).group(1)
    assert Path(reference).is_file()
    docs = run(python, "-m", "rfi_umarov_2022", "docs", cwd=tmp_path)
    for line in docs.stdout.splitlines():
        assert Path(line.split(maxsplit=1)[1]).is_file(), line
    check = run(python, "-c", "import rfi_umarov_2022 as d; d.verify(); print(d.datapackage_path())",
                cwd=tmp_path)
    assert check.returncode == 0 and "site-packages" in check.stdout
    out = tmp_path / "export"
    exported = run(python, "-m", "rfi_umarov_2022", "export", "--format", "csv", out, cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    assert (out / "LICENSE").is_file() and (out / "PROVENANCE.md").is_file()


def test_sdist_rebuilds_the_dataset(dist, tmp_path):
    with tarfile.open(next(dist.glob("*.tar.gz"))) as archive:
        archive.extractall(tmp_path, filter="data")
    project = next(tmp_path.glob("rfi_umarov_2022-*"))
    result = run(sys.executable, "-m", "rfi_umarov_2022_build", "--check", "--no-validate",
                 "--root", project)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_real_build_is_deterministic_across_environments(tmp_path):
    import os

    for overrides in ({"PYTHONHASHSEED": "0"}, {"PYTHONHASHSEED": "4242", "TZ": "Asia/Tokyo"},
                      {"LC_ALL": "C", "LANG": "C", "TZ": "America/Los_Angeles"}):
        result = run(sys.executable, "-m", "rfi_umarov_2022_build", "--check", "--no-validate",
                     "--root", ROOT, env={**os.environ, **overrides}, cwd=tmp_path)
        assert result.returncode == 0, (overrides, result.stdout + result.stderr)


def test_stock_frictionless_validates_the_descriptor():
    frictionless = pytest.importorskip("frictionless")
    report = frictionless.validate(str(ds.datapackage_path()))
    assert report.valid, report.flatten(["type", "note"])[:5]


@pytest.mark.parametrize("name", ds.list_tables())
def test_duckdb_and_polars_read_every_table_with_categories(name, tables):
    duckdb = pytest.importorskip("duckdb")
    pl = pytest.importorskip("polars")
    path = str(ROOT / "dataset" / f"{name}.parquet")
    assert duckdb.sql(f"select count(*) from read_parquet('{path}')").fetchall()[0][0] == len(tables[name])
    frame = pl.read_parquet(path)
    assert frame.columns == list(tables[name].columns)
    for column in tables[name].columns:
        if str(tables[name][column].dtype) == "category":
            assert frame.schema[column] == pl.Categorical or isinstance(frame.schema[column], pl.Enum)


def test_readme_duckdb_query_runs(tables):
    duckdb = pytest.importorskip("duckdb")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    query = re.search(r"```sql\n(.*?)```", readme, re.DOTALL).group(1)
    connection = duckdb.connect()
    connection.execute(f"SET file_search_path = '{ROOT}'")
    rows = connection.sql(query).fetchall()
    assert rows and {name for name, _ in rows} <= set(tables["actors"].name)


def test_croissant_loads_with_mlcroissant(tables):
    mlcroissant = pytest.importorskip("mlcroissant")
    dataset = mlcroissant.Dataset(jsonld=str(ROOT / "croissant.json"))
    records = list(dataset.records(record_set="claims"))
    assert len(records) == len(tables["claims"])
    croissant = json.loads((ROOT / "croissant.json").read_text(encoding="utf-8"))
    assert croissant["version"] == ds.__version__
    assert len(croissant["license"]) == len(json.loads(ds.datapackage_path().read_text())["licenses"])


def test_figures_are_drawn_from_the_tables(tmp_path):
    pytest.importorskip("matplotlib")
    result = run(sys.executable, ROOT / "scripts" / "figures.py", "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    for name in ("timeline.png", "actor_network.png"):
        assert (tmp_path / name).read_bytes().startswith(b"\x89PNG")


def test_an_autocrlf_clone_builds_and_verifies(tmp_path):
    """A Git-for-Windows style checkout (core.autocrlf=true) keeps the hashed files byte-exact."""
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    clone = tmp_path / "clone"
    result = run("git", "-c", "core.autocrlf=true", "clone", "-q", ROOT, clone)
    assert result.returncode == 0, result.stderr
    result = run(sys.executable, "-m", "rfi_umarov_2022_build", "--check", "--no-validate",
                 "--root", clone)
    assert result.returncode == 0, result.stdout + result.stderr
    check = run(sys.executable, "-c", "import hashlib, json, sys; p = json.load(open('datapackage.json'));"
                "[sys.exit(r['path']) for r in p['resources'] + p['sources'][:1] if 'sha256:' + "
                "hashlib.sha256(open(r['path'], 'rb').read()).hexdigest() != r['hash']]", cwd=clone)
    assert check.returncode == 0, check.stdout + check.stderr
