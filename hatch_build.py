"""Wheel hook: ship the data package (descriptor, Parquet, source text) and its docs in the wheel.

The data files come from ``datapackage.json`` so that nothing is listed twice; paths are kept
relative under ``rfi_umarov_2022/data/`` so that the installed descriptor still validates and
every reference the package prints (docs/codebook.md, LICENSE, PROVENANCE.md) resolves there.
"""

from __future__ import annotations

import json
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

DATA_PREFIX = "rfi_umarov_2022/data"


def packaged_paths(root: Path) -> list[str]:
    """Relative paths of every file the descriptor needs: itself, resources, schemas, sources,
    and the documents it lists under ``docs`` (from package.yaml)."""
    descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    paths = ["datapackage.json", "croissant.json", *descriptor.get("docs", {}).values()]
    for resource in descriptor["resources"]:
        paths.append(resource["path"])
        if isinstance(resource.get("schema"), str):
            paths.append(resource["schema"])
    for source in descriptor.get("sources", []):
        if "path" in source and "://" not in source["path"]:
            paths.append(source["path"])
            paths.append(str(Path(source["path"]).parent / "PROVENANCE.md"))
    return sorted(set(paths))


class DataPackageHook(BuildHookInterface):
    def initialize(self, version: str, build_data: dict) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        root = Path(self.root)
        for rel in packaged_paths(root):
            if not (root / rel).is_file():
                raise FileNotFoundError(
                    f"{rel} is missing: run python -m rfi_umarov_2022_build before building the wheel")
            build_data["force_include"][str(root / rel)] = f"{DATA_PREFIX}/{rel}"
