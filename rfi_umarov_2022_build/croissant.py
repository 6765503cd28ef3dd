"""Croissant (MLCommons, 1.0) metadata generated from the same Table Schemas as the descriptor."""

from __future__ import annotations

from typing import Any

from rfi_umarov_2022_build.citation import bibtex, creators
from rfi_umarov_2022_build.schemas import TableSchema

CONTEXT = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/",
    "equivalentProperty": "cr:equivalentProperty",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "parentField": "cr:parentField",
    "path": "cr:path",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "samplingRate": "cr:samplingRate",
    "sc": "https://schema.org/",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
}
DATA_TYPES = {"string": "sc:Text", "integer": "sc:Integer", "number": "sc:Float",
              "boolean": "sc:Boolean", "date": "sc:Date"}


def croissant(package: dict[str, Any], schemas: dict[str, TableSchema], meta: dict[str, Any]
              ) -> dict[str, Any]:
    """The Croissant document: one FileObject (with sha256) and one RecordSet per table.

    Foreign keys are not written as Croissant ``references``: mlcroissant 1.1 turns them into
    joins that fail on these tables (and self-references into cycles). The Frictionless
    descriptor declares them; here each record set keeps its key.
    """
    distribution = []
    record_sets = []
    for resource in package["resources"]:
        name = resource["name"]
        file_id = f"{name}.parquet"
        distribution.append({
            "@type": "cr:FileObject", "@id": file_id, "name": file_id,
            "description": resource["description"], "contentUrl": resource["path"],
            "encodingFormat": "application/x-parquet",
            "sha256": resource["hash"].removeprefix("sha256:"),
        })
        schema = schemas[name]
        fields = []
        for field in schema.fields:
            entry: dict[str, Any] = {
                "@type": "cr:Field", "@id": f"{name}/{field.name}", "name": field.name,
                "description": field.description, "dataType": DATA_TYPES[field.type],
                "source": {"fileObject": {"@id": file_id}, "extract": {"column": field.name}},
            }
            fields.append(entry)
        key = [{"@id": f"{name}/{column}"} for column in schema.primary_key]
        record_sets.append({
            "@type": "cr:RecordSet", "@id": name, "name": name,
            "description": resource["description"],
            "key": key[0] if len(key) == 1 else key, "field": fields,
        })
    return {
        "@context": CONTEXT,
        "@type": "sc:Dataset",
        "conformsTo": "http://mlcommons.org/croissant/1.0",
        "name": package["name"],
        "description": package["description"],
        "version": package["version"],
        "datePublished": str(meta["date_published"]),
        "license": [lic.get("path", lic["name"]) for lic in meta["licenses"]],
        "citeAs": bibtex(meta, package["version"]),
        "keywords": package.get("keywords", []),
        "creator": [{"@type": "sc:Organization", "name": name} for name in creators(meta)],
        "distribution": distribution,
        "recordSet": record_sets,
    }
