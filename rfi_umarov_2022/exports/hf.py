"""A Hugging Face dataset folder: a card (README.md) with one config per table, and Parquet files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rfi_umarov_2022 import descriptor as dp
from rfi_umarov_2022 import loader, registry
from rfi_umarov_2022.exports.common import ExportReport, schema

HF_LICENSE_NOTE = (
    "The data is under three sets of terms (see LICENSE): the annotations and derived tables are "
    "CC BY 4.0; the code is MIT; the transcript and every text column that quotes it belong to "
    "their publisher and no licence over them is granted. The Hub's `license: other` stands for "
    "that split.")
KINDS = {"string": "string", "integer": "int64", "number": "float64", "boolean": "bool",
         "date": "date32"}


def features(name: str) -> Any:
    """``datasets.Features`` of a table: categories as ``ClassLabel`` in schema order."""
    import datasets

    out = {}
    for field in schema(name)["fields"]:
        values = registry.categories(field)
        out[field["name"]] = (datasets.ClassLabel(names=list(values)) if values is not None
                              else datasets.Value(KINDS[field["type"]]))
    return datasets.Features(out)


def _yaml_features(features_: Any) -> list[dict[str, Any]]:
    import datasets

    out = []
    for column, feature in features_.items():
        if isinstance(feature, datasets.ClassLabel):
            dtype: Any = {"class_label": {"names": {str(i): n for i, n in enumerate(feature.names)}}}
        else:
            dtype = feature.dtype
        out.append({"name": column, "dtype": dtype})
    return out


def citation_bibtex() -> str:
    """The dataset's BibTeX entry: Croissant's ``citeAs``, generated from the same metadata as
    CITATION.cff."""
    croissant = dp.data_root() / "croissant.json"
    return json.loads(croissant.read_text(encoding="utf-8"))["citeAs"]


def _dataset(name: str) -> Any:
    """The table as a ``datasets.Dataset``: dictionary columns become ClassLabel codes."""
    import datasets
    import pyarrow as pa
    import pyarrow.compute as pc

    table = loader.load_table(name)
    columns = []
    for column in table.columns:
        if pa.types.is_dictionary(column.type):
            column = pc.cast(column.combine_chunks().indices, pa.int64())
        columns.append(column)
    plain = pa.table(columns, names=table.column_names)
    return datasets.Dataset(plain).cast(features(name))


def write_hf(target: Path, tables: list[str], report: ExportReport) -> None:
    """A folder for the Hugging Face Hub: README.md dataset card plus ``data/<table>.parquet``."""
    import datasets
    import yaml

    package = dp.descriptor()
    (target / "data").mkdir()
    configs, infos = [], []
    bars = datasets.is_progress_bar_enabled()
    datasets.disable_progress_bars()
    try:
        for name in tables:
            dataset = _dataset(name)
            relpath = f"data/{name}.parquet"
            dataset.to_parquet(str(target / relpath))
            report.files.append(relpath)
            configs.append({"config_name": name, "data_files": [{"split": "train", "path": relpath}]})
            infos.append({"config_name": name, "features": _yaml_features(dataset.features),
                          "splits": [{"name": "train", "num_bytes": dataset.data.nbytes,
                                      "num_examples": dataset.num_rows}]})
    finally:
        if bars:
            datasets.enable_progress_bars()
    header = {"pretty_name": package.get("title", package["name"]), "license": "other",
              "license_name": "cc-by-4.0-annotations-mit-code-transcript-no-licence",
              "license_link": "LICENSE", "language": ["en"], "tags": package.get("keywords", []),
              "configs": configs, "dataset_info": infos}
    lines = ["---", yaml.safe_dump(header, sort_keys=False, allow_unicode=True, width=100).rstrip(),
             "---", "", f"# {package.get('title', package['name'])}", "", package.get("description", ""),
             "", "## Configurations", "",
             "One configuration per table (`datasets.load_dataset(folder, NAME)`); categorical "
             "columns are `ClassLabel` features whose names are in the schema's order; a missing "
             "class is null. Ordinal scales (`categoriesOrdered` in `datapackage.json` of the "
             "Parquet or CSV export) compare by their class index.", ""]
    for name in tables:
        lines.append(f"- `{name}`: {dp.resource(name).get('description', '')}")
    lines += ["", "## Licence", "", HF_LICENSE_NOTE, ""]
    for licence in package.get("licenses", []):
        lines.append(f"- {licence.get('name')}: {licence.get('title', '')} ({licence.get('path', '')})")
    lines += ["", "## Citation", "", "```bibtex", citation_bibtex(), "```", ""]
    (target / "README.md").write_text("\n".join(lines), encoding="utf-8")
    report.files.append("README.md")
    ordinal = [f"{name}.{f['name']}" for name in tables for f in schema(name)["fields"]
               if registry.is_ordered(f)]
    if ordinal:
        report.leave_out(f"the ordinal flag of {', '.join(ordinal)} (ClassLabel has none; its names "
                         "are in scale order)")
    report.leave_out("primary and foreign keys (a dataset config has none)")
