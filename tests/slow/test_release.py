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
def test_duckdb_and_polars_routes_type_every_category_in_schema_order(name, tables):
    import polars as pl

    frame = ds.polars(name)
    assert frame.columns == list(tables[name].columns) and frame.height == len(tables[name])
    con = ds.duckdb()
    view = con.sql(f'SELECT * FROM "{name}"')
    assert view.columns == list(tables[name].columns)  # every table's view, casts or none
    assert len(view.fetchall()) == len(tables[name])
    described = {row[0]: row[1] for row in con.sql(f'DESCRIBE "{name}"').fetchall()}
    for field in json.loads(ds.datapackage_path().read_text(encoding="utf-8"))["resources"][
            ds.list_tables().index(name)]["schema"]["fields"]:
        if "categories" in field:
            assert frame.schema[field["name"]] == pl.Enum(field["categories"])
            quoted = ", ".join("'" + v.replace("'", "''") + "'" for v in field["categories"])
            assert described[field["name"]] == f"ENUM({quoted})"


def test_readme_duckdb_query_runs(tables):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    query = re.search(r"```sql\n(.*?)```", readme, re.DOTALL).group(1)
    rows = ds.duckdb().sql(query).fetchall()
    assert rows and {name for name, _ in rows} <= set(tables["actors"].name)


ORDINAL_R = """
suppressPackageStartupMessages({library(jsonlite); library(readr)})
dir <- commandArgs(trailingOnly = TRUE)[[1]]
pkg <- fromJSON(file.path(dir, "datapackage.json"), simplifyVector = FALSE)
col_for <- function(f) {
  lv <- if (!is.null(f$categories)) unlist(f$categories) else unlist(f$constraints$enum)
  if (!is.null(lv)) return(col_factor(levels = lv, ordered = isTRUE(f$categoriesOrdered)))
  switch(f$type, integer = col_integer(), number = col_double(), boolean = col_logical(),
         date = col_date(), col_character())
}
res <- Filter(function(r) r$name == "claims", pkg$resources)[[1]]
types <- setNames(lapply(res$schema$fields, col_for), sapply(res$schema$fields, `[[`, "name"))
claims <- read_csv(file.path(dir, res$path), col_types = do.call(cols, types), na = "")
cat("likely", sort(claims$claim_id[claims$certainty >= "probable"]), "\n")
cat("topics", as.character(claims$claim_id[order(claims$topic, claims$claim_id)]), "\n")
"""


def test_the_same_ordinal_and_topic_queries_give_the_same_rows_in_every_engine(tables, tmp_path):
    """certainty >= probable, and claims sorted by topic (codebook order, then id): pandas,
    DuckDB, Polars and R (the README's routes) agree row for row."""
    import shutil

    import polars as pl

    from rfi_umarov_2022 import exports

    claims = tables["claims"]
    pandas_likely = sorted(claims[claims.certainty >= "probable"].claim_id)
    pandas_topics = list(claims.sort_values(["topic", "claim_id"]).claim_id)
    con = ds.duckdb()
    duck_likely = sorted(r[0] for r in con.sql(
        "SELECT claim_id FROM claims WHERE certainty >= 'probable'::claims_certainty").fetchall())
    duck_topics = [r[0] for r in con.sql("SELECT claim_id FROM claims ORDER BY topic, claim_id")
                   .fetchall()]
    frame = ds.polars("claims")
    polars_likely = sorted(frame.filter(pl.col("certainty") >= "probable")["claim_id"].to_list())
    polars_topics = frame.sort(["topic", "claim_id"])["claim_id"].to_list()
    assert pandas_likely == duck_likely == polars_likely
    assert pandas_topics == duck_topics == polars_topics
    assert len(pandas_likely) > sum(claims.certainty == "probable")  # the certain ones count too
    if shutil.which("Rscript") is None:
        pytest.fail("Rscript not found (apt-get install r-base-core r-cran-readr r-cran-jsonlite)")
    exports.export("csv", tmp_path / "csv")
    script = tmp_path / "ordinal.R"
    script.write_text(ORDINAL_R, encoding="utf-8")
    result = run("Rscript", script, tmp_path / "csv")
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(" ", 1) for line in result.stdout.strip().splitlines())
    assert lines["likely"].split() == pandas_likely
    assert lines["topics"].split() == pandas_topics


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
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = set(re.findall(r"\(docs/figures/([\w.-]+\.png)\)", readme)) - {"reader.png"}
    drawn = {path.name for path in tmp_path.glob("*.png")}
    assert shown == drawn, "the README shows exactly the figures the script draws"
    for name in drawn:  # same tables and pinned versions: the committed figures, byte for byte
        assert (tmp_path / name).read_bytes() == (ROOT / "docs" / "figures" / name).read_bytes(), name


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
