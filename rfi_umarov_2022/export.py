"""Exporters: the tables in the formats other tools read, behind one design.

Every format is a writer in :data:`FORMATS`. :func:`export` does the common steps around it:
resolve the tables, check and create the target folder (only that folder, never missing
parents), run the writer, copy the transcript with ``LICENSE`` and ``PROVENANCE.md``, and return
an :class:`ExportReport` whose :meth:`~ExportReport.summary` is one line.

Heavy libraries (spaCy, ``datasets``) are imported inside the writer that needs them; a missing
one is an :class:`ExportError` that names what to install. Stata goes through pandas.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import rfi_umarov_2022 as ds

if TYPE_CHECKING:
    import pandas as pd

ANNO_CONTEXT_URL = "http://www.w3.org/ns/anno.jsonld"
STATA_LABEL_LIMIT = 80
STATA_STR_LIMIT = 2045
INTEROP_EXTRA = "interop"


class ExportError(Exception):
    """An export that cannot be done; the message is one line for the user."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass
class ExportReport:
    """What an export wrote and what it could not carry over."""

    format: str
    target: Path
    tables: list[str]
    files: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line: what went where, then anything not carried over."""
        line = (f"wrote {len(self.tables)} table(s) as {self.format} to {self.target} "
                f"({len(self.files)} files)")
        return line + "".join(f"; {note}" for note in self.notes)


Writer = Callable[[Path, list[str], ExportReport], None]


@dataclass(frozen=True)
class Format:
    """One export target."""

    writer: Writer
    help: str
    requires: tuple[tuple[str, str], ...] = ()  # (module, distribution to pip install)
    copies_transcript: bool = True


# ---------------------------------------------------------------- schema access


def package_descriptor() -> dict[str, Any]:
    """The installed ``datapackage.json`` as a dict (a fresh copy)."""
    return json.loads(ds.datapackage_path().read_text(encoding="utf-8"))


def _resource(name: str) -> dict[str, Any]:
    """One resource of the installed descriptor (the loader's cached copy: read, never change)."""
    try:
        return ds._resource(name)
    except KeyError:
        raise ExportError(f"unknown table {name!r}; the tables are: {', '.join(ds.list_tables())}",
                          2) from None


def table_schema(name: str) -> dict[str, Any]:
    """The Table Schema of one table, inline in the descriptor (read, never change)."""
    return _resource(name)["schema"]


def enum_values(field_: dict[str, Any]) -> list[str] | None:
    """Allowed values of an enum field in schema order: v2 ``categories`` or ``constraints.enum``."""
    categories = field_.get("categories")
    if categories is not None:
        return [c["value"] if isinstance(c, dict) else c for c in categories]
    return field_.get("constraints", {}).get("enum")


def is_ordered(field_: dict[str, Any]) -> bool:
    """Whether the enum is an ordinal scale (Table Schema v2 ``categoriesOrdered``)."""
    return bool(field_.get("categoriesOrdered", False))


def frame(name: str) -> pd.DataFrame:
    """One table from the loader: enums are already Categoricals in schema order (and ordered)."""
    return ds.load(name)


def records(name: str) -> list[dict[str, Any]]:
    """One table as JSON-ready rows: missing = ``None``, dates as ISO strings, enums as strings."""
    table = frame(name)
    types = {f["name"]: f["type"] for f in table_schema(name)["fields"]}
    rows = []
    for row in table.astype(object).itertuples(index=False):
        out = {}
        for column, value in zip(table.columns, row, strict=True):
            out[column] = _plain(value, types.get(column, "string"))
        rows.append(out)
    return rows


def _plain(value: Any, kind: str) -> Any:
    import pandas as pd

    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value):
        return None
    if kind == "date":
        return pd.Timestamp(value).date().isoformat()
    if kind == "integer":
        return int(value)
    if kind == "boolean":
        return bool(value)
    if kind == "number":
        return float(value)
    return str(value)


def _sha256(path: Path) -> str:
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()


# ---------------------------------------------------------------- shared files


def _find_shipped(name: str) -> Path | None:
    """``LICENSE`` or ``PROVENANCE.md``: beside the descriptor or beside the transcript, where both
    the checkout and the wheel's data folder keep them."""
    root = ds.datapackage_path().parent
    folders = [root, *(root / Path(s["path"]).parent for s in package_descriptor().get("sources", [])
                       if "://" not in s.get("path", "://"))]
    return next((folder / name for folder in folders if (folder / name).is_file()), None)


def _local_source(descriptor: dict[str, Any]) -> dict[str, Any] | None:
    for source in descriptor.get("sources", []):
        if "://" not in source.get("path", "://"):
            return source
    return None


def _copy_shipped(target: Path, report: ExportReport, transcript: bool) -> None:
    """Copy the transcript (if asked), LICENSE and PROVENANCE.md: the text's terms travel with it."""
    descriptor = package_descriptor()
    source = _local_source(descriptor)
    if transcript and source is not None:
        name = Path(source["path"]).name
        (target / name).write_text(ds.source_text(), encoding="utf-8", newline="")
        report.files.append(name)
    for name in ("LICENSE", "PROVENANCE.md"):
        found = _find_shipped(name)
        if found is None:
            report.notes.append(f"{name} not found in this install, not copied")
            continue
        shutil.copyfile(found, target / name)
        report.files.append(name)


def _transcript_name() -> str:
    source = _local_source(package_descriptor())
    return Path(source["path"]).name if source else "transcript.txt"


# ---------------------------------------------------------------- tabular formats


def _rewrite_descriptor(target: Path, tables: list[str], paths: dict[str, str], fmt: str,
                        mediatype: str, report: ExportReport) -> None:
    """Write a datapackage.json for the exported files: inline schemas, new paths and hashes."""
    package = package_descriptor()
    resources = []
    for resource in package["resources"]:
        if resource["name"] not in tables:
            continue
        schema = resource["schema"]  # a fresh copy from package_descriptor(), safe to change
        schema["foreignKeys"] = [fk for fk in schema.get("foreignKeys", [])
                                 if fk["reference"].get("resource", resource["name"]) in tables]
        if not schema["foreignKeys"]:
            del schema["foreignKeys"]
        path = target / paths[resource["name"]]
        resource.update(schema=schema, path=path.name, format=fmt, mediatype=mediatype,
                        hash=_sha256(path))
        resource.pop("bytes", None)
        resources.append(resource)
    package["resources"] = resources
    source = _local_source(package)
    if source is not None:
        source["path"] = Path(source["path"]).name
    (target / "datapackage.json").write_text(json.dumps(package, indent=2, ensure_ascii=False) + "\n",
                                             encoding="utf-8")
    report.files.append("datapackage.json")


def write_csv(target: Path, tables: list[str], report: ExportReport) -> None:
    """One CSV per table (UTF-8, header, missing = empty), with a rewritten datapackage.json."""
    import csv

    paths = {}
    for name in tables:
        rows = records(name)
        columns = [f["name"] for f in table_schema(name)["fields"]]
        path = target / f"{name}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(columns)
            for row in rows:
                writer.writerow(["" if row[c] is None else _csv_value(row[c]) for c in columns])
        paths[name] = path.name
        report.files.append(path.name)
    _rewrite_descriptor(target, tables, paths, "csv", "text/csv", report)


def _csv_value(value: Any) -> Any:
    return ("true" if value else "false") if isinstance(value, bool) else value


def write_jsonl(target: Path, tables: list[str], report: ExportReport) -> None:
    """One JSON Lines file per table (missing = null), with a rewritten datapackage.json."""
    paths = {}
    for name in tables:
        path = target / f"{name}.jsonl"
        with path.open("w", encoding="utf-8", newline="\n") as handle:
            for row in records(name):
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        paths[name] = path.name
        report.files.append(path.name)
    _rewrite_descriptor(target, tables, paths, "jsonl", "application/jsonl", report)


def write_parquet(target: Path, tables: list[str], report: ExportReport) -> None:
    """The distributed Parquet files, byte for byte, with a rewritten datapackage.json."""
    root = ds.datapackage_path().parent
    paths = {}
    for name in tables:
        path = target / f"{name}.parquet"
        shutil.copyfile(root / _resource(name)["path"], path)
        paths[name] = path.name
        report.files.append(path.name)
    _rewrite_descriptor(target, tables, paths, "parquet", "application/vnd.apache.parquet", report)


# ---------------------------------------------------------------- Stata


def stata_label(text: str, limit: int = STATA_LABEL_LIMIT) -> tuple[str, bool]:
    """A Stata label of at most ``limit`` characters; True if it had to be truncated."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text, False
    return text[: limit - 3].rstrip() + "...", True


def write_stata(target: Path, tables: list[str], report: ExportReport) -> None:
    """One Stata 118 ``.dta`` per table: variable labels, enums as value-labelled int codes (1..n)."""
    import pandas as pd

    truncated: list[str] = []
    long_strings: list[str] = []
    for name in tables:
        schema = table_schema(name)
        table = frame(name)
        labels: dict[str, str] = {}
        value_labels: dict[str, dict[int, str]] = {}
        convert_dates: dict[str, str] = {}
        strl: list[str] = []
        out = pd.DataFrame(index=table.index)
        for field_ in schema["fields"]:
            column = field_["name"]
            if len(column) > 32 or not column.isidentifier():
                raise ExportError(f"{name}.{column} is not a valid Stata variable name")
            label, cut = stata_label(field_.get("description", field_.get("title", "")))
            labels[column] = label
            if cut:
                truncated.append(f"{name}.{column}")
            values = enum_values(field_)
            series = table[column]
            if values is not None:
                codes = pd.Series(series.cat.codes, index=table.index).astype("Int64")
                out[column] = (codes + 1).where(codes >= 0, pd.NA).astype("Int32")
                value_labels[column] = {i + 1: v for i, v in enumerate(values)}
            elif field_["type"] == "date":
                out[column] = pd.to_datetime(series).astype("datetime64[ns]")
                convert_dates[column] = "td"
            elif field_["type"] == "integer":
                out[column] = series.astype("Int64")
            elif field_["type"] == "boolean":
                out[column] = series.astype("Int8")
            else:
                text = series.astype(object).where(series.notna(), "")
                out[column] = text.astype(str)
                if max((len(v.encode("utf-8")) for v in text), default=0) > STATA_STR_LIMIT:
                    strl.append(column)
                    long_strings.append(f"{name}.{column}")
        path = target / f"{name}.dta"
        data_label, _ = stata_label(_resource(name).get("title", name))
        out.to_stata(path, write_index=False, version=118, variable_labels=labels,
                     value_labels=value_labels or None, convert_dates=convert_dates or None,
                     convert_strl=strl or None, data_label=data_label)
        report.files.append(path.name)
    _write_fields_csv(target, tables, report)
    if truncated:
        report.notes.append(f"{len(truncated)} variable labels cut to Stata's {STATA_LABEL_LIMIT} "
                            f"characters (full text in fields.csv): {', '.join(truncated)}")
    if long_strings:
        report.notes.append(f"stored as strL (over {STATA_STR_LIMIT} bytes): {', '.join(long_strings)}")
    report.notes.append("missing text is \"\" in Stata (no string missing value)")


def _write_fields_csv(target: Path, tables: list[str], report: ExportReport) -> None:
    """Full field descriptions and enum values, for tools whose labels are shorter."""
    import csv

    with (target / "fields.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["table", "field", "type", "values", "ordered", "description"])
        for name in tables:
            for field_ in table_schema(name)["fields"]:
                values = enum_values(field_)
                writer.writerow([name, field_["name"], field_["type"], "|".join(values or []),
                                 "true" if is_ordered(field_) else "false",
                                 field_.get("description", "")])
    report.files.append("fields.csv")


# ---------------------------------------------------------------- Hugging Face


HF_LICENSE_NOTE = (
    "The data is under three sets of terms (see LICENSE): the annotations and derived tables are "
    "CC BY 4.0; the code is MIT; the transcript and every text column that quotes it belong to "
    "their publisher and no licence over them is granted. The Hub's `license: other` stands for "
    "that split.")


def _hf_features(name: str) -> Any:
    import datasets

    kinds = {"string": "string", "integer": "int64", "number": "float64", "boolean": "bool",
             "date": "date32"}
    features = {}
    for field_ in table_schema(name)["fields"]:
        values = enum_values(field_)
        if values is not None:
            features[field_["name"]] = datasets.ClassLabel(names=values)
        else:
            features[field_["name"]] = datasets.Value(kinds.get(field_["type"], "string"))
    return datasets.Features(features)


def _hf_yaml_features(features: Any) -> list[dict[str, Any]]:
    import datasets

    out = []
    for column, feature in features.items():
        if isinstance(feature, datasets.ClassLabel):
            dtype: Any = {"class_label": {"names": {str(i): n for i, n in enumerate(feature.names)}}}
        else:
            dtype = feature.dtype
        out.append({"name": column, "dtype": dtype})
    return out


def citation_bibtex() -> str:
    """The dataset's BibTeX entry: Croissant's ``citeAs``, which the build generates from the same
    metadata as CITATION.cff."""
    croissant = ds.datapackage_path().parent / "croissant.json"
    return json.loads(croissant.read_text(encoding="utf-8"))["citeAs"]


def write_hf(target: Path, tables: list[str], report: ExportReport) -> None:
    """A folder for the Hugging Face Hub: README.md dataset card plus ``data/<table>.parquet``."""
    import datasets
    import pandas as pd
    import yaml

    package = package_descriptor()
    (target / "data").mkdir()
    configs, infos = [], []
    for name in tables:
        features = _hf_features(name)
        table = frame(name)
        plain = pd.DataFrame(index=table.index)
        for field_ in table_schema(name)["fields"]:
            column = field_["name"]
            if enum_values(field_) is not None:
                codes = pd.Series(table[column].cat.codes, index=table.index).astype("Int64")
                plain[column] = codes.where(codes >= 0, pd.NA)
            elif field_["type"] == "date":
                plain[column] = table[column].map(lambda v: None if pd.isna(v) else v.date()).astype(object)
            else:
                plain[column] = table[column].astype(object).where(table[column].notna(), None)
        dataset = datasets.Dataset.from_pandas(plain, features=features, preserve_index=False)
        relpath = f"data/{name}.parquet"
        bars = datasets.is_progress_bar_enabled()
        datasets.disable_progress_bars()
        try:
            dataset.to_parquet(str(target / relpath))
        finally:
            if bars:
                datasets.enable_progress_bars()
        report.files.append(relpath)
        configs.append({"config_name": name, "data_files": [{"split": "train", "path": relpath}]})
        infos.append({"config_name": name, "features": _hf_yaml_features(features),
                      "splits": [{"name": "train", "num_bytes": dataset.data.nbytes,
                                  "num_examples": len(table)}]})
    header = {"pretty_name": package.get("title", package["name"]), "license": "other",
              "license_name": "cc-by-4.0-annotations-mit-code-transcript-no-licence",
              "license_link": "LICENSE", "language": ["en"], "tags": package.get("keywords", []),
              "configs": configs, "dataset_info": infos}
    lines = ["---", yaml.safe_dump(header, sort_keys=False, allow_unicode=True, width=100).rstrip(),
             "---", "", f"# {package.get('title', package['name'])}", "", package.get("description", ""),
             "", "## Configurations", "",
             "One configuration per table (`datasets.load_dataset(folder, NAME)`); enum columns are "
             "`ClassLabel` features whose names are in the schema's order; a missing class is null.", ""]
    for name in tables:
        resource = _resource(name)
        lines.append(f"- `{name}`: {resource.get('description', '')}")
    lines += ["", "## Licence", "", HF_LICENSE_NOTE, ""]
    for licence in package.get("licenses", []):
        lines.append(f"- {licence.get('name')}: {licence.get('title', '')} ({licence.get('path', '')})")
    lines += ["", "## Citation", "", "```bibtex", citation_bibtex(), "```", ""]
    (target / "README.md").write_text("\n".join(lines), encoding="utf-8")
    report.files.append("README.md")
    report.notes.append("ordinal order of enums not kept (ClassLabel has none; names are in order)")


# ---------------------------------------------------------------- spaCy


def write_spacy(target: Path, tables: list[str], report: ExportReport) -> None:
    """A spaCy DocBin (one Doc per utterance) and ``alignment.tsv`` listing spans off token bounds."""
    from spacy.tokens import DocBin

    from rfi_umarov_2022.nlp import to_spacy_with_report

    docs, problems = to_spacy_with_report()
    name = f"{package_descriptor()['name']}.spacy"
    DocBin(docs=docs, store_user_data=True).to_disk(target / name)
    report.files.append(name)
    with (target / "alignment.tsv").open("w", encoding="utf-8", newline="\n") as handle:
        handle.write("layer\tid\tquote\tspacy_text\treason\n")
        for p in problems:
            handle.write("\t".join([p.layer, p.span_id, p.quote, p.spacy_text, p.reason]) + "\n")
    report.files.append("alignment.tsv")
    report.tables = ["utterances", "mentions", "claims", "dates", "notes"]
    if problems:
        listed = ", ".join(f"{p.layer}:{p.span_id}" for p in problems)
        report.notes.append(f"{len(problems)} spans not on token boundaries, expanded (alignment.tsv): "
                            f"{listed}")
    else:
        report.notes.append("every span is on token boundaries")


# ---------------------------------------------------------------- brat standoff


def _by_id(rows: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    return {row[key]: row for row in rows}


def _brat_name(value: str) -> str:
    """A brat type/attribute name: letters, digits, ``_`` and ``-`` only."""
    return "".join(c if c.isalnum() or c in "_-" else "_" for c in value)


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def _enum_fields(table: str, exclude: tuple[str, ...] = ()) -> list[tuple[str, list[str]]]:
    return [(f["name"], values) for f in table_schema(table)["fields"]
            if (values := enum_values(f)) is not None and f["name"] not in exclude]


def _pick_anchor(claim: dict[str, Any], candidates: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The mention that best stands for an actor in a claim: inside the quote, else same sentence,
    else same utterance, else the nearest one."""
    if not candidates:
        return None

    def rank(m: dict[str, Any]) -> tuple[int, int, int, int]:
        inside = claim["char_start"] <= m["char_start"] and m["char_end"] <= claim["char_end"]
        return (0 if inside else 1, 0 if m["sentence_id"] == claim["sentence_id"] else 1,
                0 if m["utterance_id"] == claim["utterance_id"] else 1,
                abs(m["char_start"] - claim["char_start"]))

    return min(candidates, key=rank)


def write_brat(target: Path, tables: list[str], report: ExportReport) -> None:
    """brat standoff: ``<document>.txt`` + ``.ann``, ``annotation.conf``, ``visual.conf``, ``tools.conf``."""
    text = ds.source_text()
    actors = _by_id(records("actors"), "actor_id")
    documents = records("documents")
    doc_name = _brat_name(documents[0]["document_id"]) if documents else "document"
    lines: list[str] = []
    counters = {"T": 0, "R": 0, "A": 0, "N": 0, "#": 0}
    tid: dict[tuple[str, str], str] = {}

    def new(prefix: str) -> str:
        counters[prefix] += 1
        return f"{prefix}{counters[prefix]}"

    def textbound(layer: str, row_id: str, type_: str, start: int, end: int) -> str:
        ident = new("T")
        tid[(layer, row_id)] = ident
        lines.append(f"{ident}\t{type_} {start} {end}\t{text[start:end]}")
        return ident

    def attribute(name: str, ident: str, value: Any) -> None:
        if value is not None:
            lines.append(f"{new('A')}\t{name} {ident} {_brat_name(str(value))}")

    def note(ident: str, **values: Any) -> None:
        body = "; ".join(f"{k}={v}" for k, v in values.items() if v is not None)
        lines.append(f"{new('#')}\tAnnotatorNotes {ident}\t{' '.join(body.split())}")

    mentions = records("mentions")
    actor_type = {a: row["actor_type"] for a, row in actors.items()}
    for m in mentions:
        ident = textbound("mentions", m["mention_id"], _brat_name(actor_type[m["actor_id"]]),
                          m["char_start"], m["char_end"])
        attribute("MentionType", ident, m["mention_type"])
        wikidata = actors[m["actor_id"]].get("wikidata_id")
        if wikidata:
            name = actors[m["actor_id"]]["name"]
            lines.append(f"{new('N')}\tReference {ident} Wikidata:{wikidata}\t{name}")
        note(ident, mention_id=m["mention_id"], actor_id=m["actor_id"])
    dates = records("dates")
    date_enums = _enum_fields("dates")
    for d in dates:
        ident = textbound("dates", d["date_id"], "Date", d["char_start"], d["char_end"])
        for column, _ in date_enums:
            attribute(_camel(column), ident, d[column])
        note(ident, date_id=d["date_id"], timex_value=d["timex_value"], edtf=d["edtf"],
             earliest=d["earliest"], latest=d["latest"], refers_to=d["refers_to"])
    claims = records("claims")
    claim_enums = _enum_fields("claims")
    claim_actors = records("claim_actors")
    for c in claims:
        ident = textbound("claims", c["claim_id"], "Claim", c["char_start"], c["char_end"])
        for column, _ in claim_enums:
            attribute(_camel(column), ident, c[column])
        roles_text = ",".join(f"{a['role']}:{a['actor_id']}" for a in claim_actors
                              if a["claim_id"] == c["claim_id"])
        note(ident, claim_id=c["claim_id"], speaker_id=c["speaker_id"], source_id=c["source_id"],
             actors=roles_text or None, paraphrase=c["paraphrase"], hedge=c["hedge"],
             reporting_cue=c["reporting_cue"])
    cue_enums = _enum_fields("claim_cues", exclude=("cue_type",))
    for cue in records("claim_cues"):
        ident = textbound("claim_cues", f"{cue['claim_id']}/{cue['cue_type']}",
                          _camel(cue["cue_type"]), cue["char_start"], cue["char_end"])
        for column, _ in cue_enums:
            attribute(_camel(column), ident, cue[column])
        lines.append(f"{new('R')}\tCue Arg1:{tid[('claims', cue['claim_id'])]} Arg2:{ident}")
    notes = records("notes")
    note_enums = _enum_fields("notes")
    for n in notes:
        ident = textbound("notes", n["note_id"], "Note", n["char_start"], n["char_end"])
        for column, _ in note_enums:
            attribute(_camel(column), ident, n[column])
        note(ident, note_id=n["note_id"], suggestion=n["suggestion"], explanation=n["explanation"])
    # relations
    by_actor: dict[str, list[dict[str, Any]]] = {}
    for m in mentions:
        by_actor.setdefault(m["actor_id"], []).append(m)
    claim_rows = _by_id(claims, "claim_id")
    unanchored = 0
    roles = next((v for f, v in _enum_fields("claim_actors") if f == "role"), [])
    for link in claim_actors:
        anchor = _pick_anchor(claim_rows[link["claim_id"]], by_actor.get(link["actor_id"], []))
        if anchor is None:
            unanchored += 1
            continue
        lines.append(f"{new('R')}\t{_camel(link['role'])} Arg1:{tid[('claims', link['claim_id'])]} "
                     f"Arg2:{tid[('mentions', anchor['mention_id'])]}")
    for link in records("claim_dates"):
        lines.append(f"{new('R')}\t{_camel(link['relation'])} Arg1:{tid[('claims', link['claim_id'])]} "
                     f"Arg2:{tid[('dates', link['date_id'])]}")
    for c in claims:
        for column, relation in (("restates_claim_id", "Restates"), ("frame_claim_id", "Frame")):
            if c.get(column):
                lines.append(f"{new('R')}\t{relation} Arg1:{tid[('claims', c['claim_id'])]} "
                             f"Arg2:{tid[('claims', c[column])]}")
    for d in dates:
        if d.get("anchor_date_id"):
            lines.append(f"{new('R')}\tAnchor Arg1:{tid[('dates', d['date_id'])]} "
                         f"Arg2:{tid[('dates', d['anchor_date_id'])]}")
    (target / f"{doc_name}.txt").write_text(text, encoding="utf-8", newline="")
    (target / f"{doc_name}.ann").write_text("\n".join(lines) + "\n", encoding="utf-8", newline="")
    report.files += [f"{doc_name}.txt", f"{doc_name}.ann"]
    actor_types = [_brat_name(v) for v in enum_values(
        next(f for f in table_schema("actors")["fields"] if f["name"] == "actor_type")) or []]
    cue_types = [_camel(v) for v in dict(_enum_fields("claim_cues"))["cue_type"]]
    date_relations = [_camel(v) for v in dict(_enum_fields("claim_dates"))["relation"]]
    _write_brat_conf(target, actor_types, cue_types, date_relations, date_enums, claim_enums,
                     note_enums, roles, report)
    report.tables = ["actors", "mentions", "dates", "claims", "claim_actors", "claim_dates",
                     "claim_cues", "notes"]
    if unanchored:
        report.notes.append(f"{unanchored} claim-actor roles have no mention of the actor to point a "
                            "relation at (kept in the claim's AnnotatorNotes)")
    report.notes.append("claim-actor relations point at the actor's mention in the quote, else the "
                        "nearest one; utterances and sentences are not annotated")


BRAT_COLOURS = ["#8dd3c7", "#ffffb3", "#bebada", "#fb8072", "#80b1d3", "#fdb462", "#b3de69",
                "#fccde5", "#d9d9d9", "#bc80bd", "#ccebc5", "#ffed6f"]


def _write_brat_conf(target: Path, actor_types: list[str], cue_types: list[str],
                     date_relations: list[str], date_enums: list[tuple[str, list[str]]],
                     claim_enums: list[tuple[str, list[str]]], note_enums: list[tuple[str, list[str]]],
                     roles: list[str], report: ExportReport) -> None:
    actors = "|".join(actor_types)
    conf = ["[entities]", *actor_types, "Date", "Claim", *cue_types, "Note", "", "[relations]",
            *[f"{_camel(role)}\tArg1:Claim, Arg2:{actors}" for role in roles],
            *[f"{relation}\tArg1:Claim, Arg2:Date" for relation in date_relations],
            f"Cue\tArg1:Claim, Arg2:{'|'.join(cue_types)}",
            "Restates\tArg1:Claim, Arg2:Claim", "Frame\tArg1:Claim, Arg2:Claim",
            "Anchor\tArg1:Date, Arg2:Date",
            "<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>", "", "[events]", "",
            "[attributes]", f"MentionType\tArg:{actors}, Value:" + "|".join(
                _brat_name(v) for v in enum_values(next(
                    f for f in table_schema("mentions")["fields"] if f["name"] == "mention_type")) or [])]
    for type_, enums in (("Date", date_enums), ("Claim", claim_enums), ("Note", note_enums)):
        for column, values in enums:
            conf.append(f"{_camel(column)}\tArg:{type_}, Value:" + "|".join(_brat_name(v) for v in values))
    (target / "annotation.conf").write_text("\n".join(conf) + "\n", encoding="utf-8")
    visual = ["[labels]", *[f"{t} | {t.replace('_', ' ')}" for t in actor_types],
              "Date | Date", "Claim | Claim", *[f"{t} | {t}" for t in cue_types], "Note | Note",
              "", "[drawing]",
              *[f"{t}\tbgColor:{BRAT_COLOURS[i % len(BRAT_COLOURS)]}" for i, t in enumerate(actor_types)],
              "Date\tbgColor:#7fc97f", "Claim\tbgColor:#fdc086",
              *[f"{t}\tbgColor:#f0027f" for t in cue_types], "Note\tbgColor:#e0e0e0"]
    (target / "visual.conf").write_text("\n".join(visual) + "\n", encoding="utf-8")
    tools = ["[normalization]",
             "Wikidata\tDB:none, <URL>:https://www.wikidata.org/, <URLBASE>:https://www.wikidata.org/wiki/%s"]
    (target / "tools.conf").write_text("\n".join(tools) + "\n", encoding="utf-8")
    report.files += ["annotation.conf", "visual.conf", "tools.conf"]


# ---------------------------------------------------------------- W3C Web Annotation


def anno_context_path() -> Path:
    """The W3C Web Annotation JSON-LD context shipped with the package (never fetched)."""
    return Path(__file__).resolve().parent / "contexts" / "anno.jsonld"


def jsonld_document_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """A pyld document loader that serves the W3C anno context from the package and refuses the rest."""
    if url.rstrip("/").replace("https://", "http://") != ANNO_CONTEXT_URL:
        raise ValueError(f"refusing to fetch {url}: only {ANNO_CONTEXT_URL} is served, from the package")
    document = json.loads(anno_context_path().read_text(encoding="utf-8"))
    return {"contextUrl": None, "documentUrl": url, "document": document}


def _selectors(text: str, start: int, end: int, context: int = 32) -> list[dict[str, Any]]:
    return [{"type": "TextPositionSelector", "start": start, "end": end},
            {"type": "TextQuoteSelector", "exact": text[start:end],
             "prefix": text[max(0, start - context):start], "suffix": text[end:end + context]}]


def write_webanno(target: Path, tables: list[str], report: ExportReport) -> None:
    """A W3C Web Annotation AnnotationCollection (JSON-LD) over the transcript."""
    package = package_descriptor()
    text = ds.source_text()
    source = _transcript_name()
    vocab = f"urn:{package['name']}:"
    actors = _by_id(records("actors"), "actor_id")

    def wikidata(actor_id: str) -> str:
        qid = actors[actor_id].get("wikidata_id")
        return f"http://www.wikidata.org/entity/{qid}" if qid else f"{vocab}actor:{actor_id}"

    def fields(layer: str, row: dict[str, Any]) -> dict[str, Any]:
        skip = {"char_start", "char_end"}
        return {"type": "Dataset", "data:table": layer,
                **{f"data:{k}": v for k, v in row.items() if v is not None and k not in skip}}

    def annotation(layer: str, row_id: str, row: dict[str, Any], motivation: str,
                   bodies: list[dict[str, Any]]) -> dict[str, Any]:
        return {"id": f"#{layer}/{row_id}", "type": "Annotation", "motivation": motivation,
                "body": [fields(layer, row), *bodies],
                "target": {"source": source,
                           "selector": _selectors(text, row["char_start"], row["char_end"])}}

    items = []
    for m in records("mentions"):
        items.append(annotation("mentions", m["mention_id"], m, "identifying", [
            {"id": wikidata(m["actor_id"]), "purpose": "identifying"},
            {"type": "TextualBody", "purpose": "classifying", "value": actors[m["actor_id"]]["actor_type"]}]))
    for d in records("dates"):
        items.append(annotation("dates", d["date_id"], d, "classifying", [
            {"type": "TextualBody", "purpose": "classifying", "value": d["timex_type"]}]))
    roles: dict[str, list[dict[str, Any]]] = {}
    for link in records("claim_actors"):
        roles.setdefault(link["claim_id"], []).append(
            {"type": "SpecificResource", "source": wikidata(link["actor_id"]), "purpose": "linking",
             "data:role": link["role"], "data:actor_id": link["actor_id"]})
    for c in records("claims"):
        items.append(annotation("claims", c["claim_id"], c, "describing", [
            {"type": "TextualBody", "purpose": "classifying", "value": c["claim_type"]},
            {"type": "TextualBody", "purpose": "describing", "value": c["paraphrase"], "language": "en"},
            *roles.get(c["claim_id"], [])]))
    for cue in records("claim_cues"):
        items.append(annotation("claim_cues", f"{cue['claim_id']}/{cue['cue_type']}", cue, "highlighting", [
            {"type": "TextualBody", "purpose": "classifying", "value": cue["cue_type"]},
            {"type": "SpecificResource", "source": f"#claims/{cue['claim_id']}", "purpose": "linking"}]))
    for n in records("notes"):
        bodies = [{"type": "TextualBody", "purpose": "commenting", "value": n["explanation"],
                   "language": "en"}]
        if n.get("suggestion"):
            bodies.append({"type": "TextualBody", "purpose": "editing", "value": n["suggestion"]})
        items.append(annotation("notes", n["note_id"], n, "editing" if n.get("suggestion") else "commenting",
                                bodies))
    collection = {
        "@context": [ANNO_CONTEXT_URL, {"data": vocab}],
        "id": "#collection", "type": "AnnotationCollection", "label": package.get("title", package["name"]),
        "total": len(items),
        "first": {"id": "#page1", "type": "AnnotationPage", "startIndex": 0, "items": items},
    }
    name = "annotations.jsonld"
    (target / name).write_text(json.dumps(collection, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    report.files.append(name)
    shutil.copyfile(anno_context_path(), target / "anno.jsonld")
    report.files.append("anno.jsonld")
    report.tables = ["actors", "mentions", "dates", "claims", "claim_actors", "claim_cues", "notes"]
    report.notes.append(f"ids and the source are relative IRIs (resolve against {name}'s location); "
                        f"field terms use the local prefix data: = {vocab}")


# ---------------------------------------------------------------- registry and driver


FORMATS: dict[str, Format] = {
    "csv": Format(write_csv, "CSV per table + datapackage.json"),
    "jsonl": Format(write_jsonl, "JSON Lines per table + datapackage.json"),
    "parquet": Format(write_parquet, "Parquet per table + datapackage.json"),
    "stata": Format(write_stata, "Stata 118 .dta per table, labelled", requires=(("pandas", "pandas"),)),
    "hf": Format(write_hf, "Hugging Face dataset folder (card + Parquet)",
                 requires=(("datasets", "datasets"), ("yaml", "pyyaml"))),
    "spacy": Format(write_spacy, "spaCy DocBin, one Doc per utterance", requires=(("spacy", "spacy"),)),
    "brat": Format(write_brat, "brat standoff (.txt/.ann/.conf)", copies_transcript=False),
    "webanno": Format(write_webanno, "W3C Web Annotation JSON-LD"),
}
WHOLE_DATASET = {"spacy", "brat", "webanno"}


def _check_target(target: Path) -> None:
    if target.is_file() or (target.exists() and not target.is_dir()):
        raise ExportError(f"{target} is a file; give a new or empty folder", 2)
    if target.is_dir() and any(target.iterdir()):
        raise ExportError(f"{target} is not empty; give a new or empty folder", 2)
    if not target.exists() and not target.parent.is_dir():
        raise ExportError(f"{target.parent} does not exist; export creates only the folder it is given "
                          "(give a new or empty folder)", 2)


def export(fmt: str, target: Path | str, tables: list[str] | None = None) -> ExportReport:
    """Export ``tables`` (default: all) as ``fmt`` into the new or empty folder ``target``."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}", 2)
    spec = FORMATS[fmt]
    target = Path(target)
    known = ds.list_tables()
    for name in tables or []:
        if name not in known:
            raise ExportError(f"unknown table {name!r}; the tables are: {', '.join(known)}", 2)
    if tables and fmt in WHOLE_DATASET:
        raise ExportError(f"--table does not apply to {fmt}: it exports the annotated text as a whole", 2)
    missing = [dist for module, dist in spec.requires if importlib.util.find_spec(module) is None]
    if missing:
        raise ExportError(f"--format {fmt} needs {', '.join(missing)}: pip install {' '.join(missing)} "
                          f"(or, in a clone of the repository, pip install '.[{INTEROP_EXTRA}]')")
    _check_target(target)
    created = not target.exists()
    try:
        target.mkdir(exist_ok=True)
    except OSError as error:
        raise ExportError(f"cannot create {target}: {error.strerror or error}") from error
    report = ExportReport(fmt, target, list(tables or known))
    try:
        spec.writer(target, report.tables, report)
        _copy_shipped(target, report, spec.copies_transcript)
    except BaseException:
        if created:
            shutil.rmtree(target, ignore_errors=True)
        else:
            for child in target.iterdir():
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        raise
    return report
