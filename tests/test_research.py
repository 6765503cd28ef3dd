"""The researcher's front door: engines, Croissant, CLI, docs, figures, one version."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import duckdb
import polars as pl
import pytest
import yaml
from conftest import ROOT
from tableschema import load_schemas

import rfi_umarov_2022 as ds

SCHEMAS = load_schemas(ROOT)


@pytest.mark.parametrize("name", list(SCHEMAS))
def test_duckdb_and_polars_read_every_table(name, tables):
    path = str(ROOT / "dataset" / f"{name}.parquet")
    count = duckdb.sql(f"select count(*) from read_parquet('{path}')").fetchall()[0][0]
    assert count == len(tables[name])
    frame = pl.read_parquet(path)
    assert frame.height == len(tables[name])
    assert frame.columns == list(tables[name].columns)


def test_readme_duckdb_query_joins_claims_to_actors(tables):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    query = re.search(r"```sql\n(.*?)```", readme, re.DOTALL).group(1)
    connection = duckdb.connect()
    connection.execute(f"SET file_search_path = '{ROOT}'")
    rows = connection.sql(query).fetchall()
    links = tables["claim_actors"].merge(tables["claims"], on="claim_id")
    agents = links[(links.role == "agent") & (links.claim_type == "prediction")]
    expected = agents.groupby("actor_id", observed=True).size().sort_values(ascending=False)
    assert rows[0][1] == expected.iloc[0]
    assert {name for name, _ in rows} <= set(tables["actors"].name)


def test_croissant_loads_with_mlcroissant(tables):
    mlcroissant = pytest.importorskip("mlcroissant")
    dataset = mlcroissant.Dataset(jsonld=str(ROOT / "croissant.json"))
    records = list(dataset.records(record_set="claims"))
    assert len(records) == len(tables["claims"])
    first = records[0]
    assert first["claims/claim_id"].decode() == tables["claims"].claim_id.iloc[0]
    dates = list(dataset.records(record_set="dates"))
    assert len(dates) == len(tables["dates"])


def test_croissant_matches_the_descriptor():
    croissant = json.loads((ROOT / "croissant.json").read_text(encoding="utf-8"))
    package = json.loads(ds.datapackage_path().read_text(encoding="utf-8"))
    assert croissant["version"] == package["version"] == ds.__version__
    files = {f["contentUrl"]: f["sha256"] for f in croissant["distribution"]}
    for resource in package["resources"]:
        assert files[resource["path"]] == resource["hash"].removeprefix("sha256:")
    for record_set in croissant["recordSet"]:
        schema = SCHEMAS[record_set["name"]]
        assert [f["name"] for f in record_set["field"]] == schema.field_names
        keys = record_set["key"] if isinstance(record_set["key"], list) else [record_set["key"]]
        assert [k["@id"].split("/")[1] for k in keys] == schema.primary_key
    assert croissant["citeAs"].startswith("@misc{")


def test_one_version_everywhere():
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'path = "rfi_umarov_2022/__init__.py"' in pyproject
    assert yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))["version"] == ds.__version__
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.search(r"^## \[?(\d+\.\d+\.\d+)", changelog, re.MULTILINE).group(1) == ds.__version__


def test_every_table_and_field_is_documented():
    reference = (ROOT / "docs" / "tables.md").read_text(encoding="utf-8")
    codebook = (ROOT / "docs" / "codebook.md").read_text(encoding="utf-8")
    datasheet = (ROOT / "docs" / "datasheet.md").read_text(encoding="utf-8")
    for name, schema in SCHEMAS.items():
        assert f"## {name}\n" in reference
        assert f"| `{name}` |" in datasheet
        section = reference.split(f"## {name}\n", 1)[1].split("\n## ", 1)[0]
        for field in schema.fields:
            assert len(field["description"]) > 10, (name, field["name"])
            assert f"| `{field['name']}` |" in section, (name, field["name"])
    # every coded vocabulary of the claims is defined in the codebook, value by value
    for field in SCHEMAS["claims"].fields + SCHEMAS["claim_actors"].fields:
        for value in field.get("constraints", {}).get("enum", []):
            assert re.search(rf"(\| |\*\*){value}(\*\*| \|)", codebook), (field["name"], value)


def cli(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rfi_umarov_2022", *args], capture_output=True,
                          text=True, cwd=cwd)


def test_cli_help_and_info(tables):
    help_text = cli("--help").stdout
    for command in ("info", "validate", "export"):
        assert command in help_text
    assert "examples:" in help_text
    info = cli("info").stdout
    for name, frame in tables.items():
        assert re.search(rf"^{name}\s+{len(frame)} rows", info, re.MULTILINE), name


def test_cli_validate():
    result = cli("validate")
    assert result.returncode == 0, result.stderr
    assert "every file matches its sha256" in result.stdout


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_cli_export_writes_a_valid_package(fmt, tmp_path, tables):
    frictionless = pytest.importorskip("frictionless")
    out = tmp_path / "export"
    result = cli("export", "--format", fmt, str(out))
    assert result.returncode == 0, result.stderr
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    assert {r["path"] for r in package["resources"]} == {f"{n}.{fmt}" for n in tables}
    report = frictionless.validate(str(out / "datapackage.json"))
    assert report.valid, report.flatten(["type", "note"])[:5]
    for resource in package["resources"]:
        rows = (out / resource["path"]).read_text(encoding="utf-8").count("\n")
        assert rows == len(tables[resource["name"]]) + (1 if fmt == "csv" else 0)


def test_cli_export_refuses_a_non_empty_folder(tmp_path):
    (tmp_path / "keep.txt").write_text("x", encoding="utf-8")
    result = cli("export", str(tmp_path))
    assert result.returncode == 2
    assert "not empty" in result.stderr and "new or empty folder" in result.stderr


def test_cli_rejects_an_unknown_format(tmp_path):
    result = cli("export", "--format", "xlsx", str(tmp_path / "x"))
    assert result.returncode == 2 and "invalid choice" in result.stderr


def test_figures_are_drawn_from_the_tables(tmp_path):
    pytest.importorskip("matplotlib")
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "figures.py"), "--out",
                             str(tmp_path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    for name in ("timeline.png", "actor_network.png"):
        data = (tmp_path / name).read_bytes()
        assert data.startswith(b"\x89PNG") and len(data) > 20_000
        assert (ROOT / "docs" / "figures" / name).is_file()
