"""The data folder and its descriptor (``datapackage.json``): found, read, checked and confined.

Every path the loader takes from the descriptor must be a relative path that resolves inside the
data folder and names a regular file; anything else is a :class:`DataIntegrityError`, never a
read elsewhere, and never a hang on a FIFO or a device. The descriptor is read again when the
file changes on disk (a checkout that was rebuilt while a session had it loaded).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Any

from rfi_umarov_2022.errors import DataIntegrityError

DESCRIPTOR = "datapackage.json"
JOURNAL = ".build-journal.json"
TABLE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")


@cache
def data_root() -> Path:
    """Folder holding ``datapackage.json``: inside the installed wheel, or the source checkout.

    Cached: resolving it costs about as much as converting a small table.
    """
    here = Path(__file__).resolve().parent
    for folder in (here / "data", here.parent):
        if (folder / DESCRIPTOR).is_file():
            return folder
    raise DataIntegrityError(f"{DESCRIPTOR} not found next to the package; in a checkout, run "
                             "`python -m rfi_umarov_2022_build`")


def broken(message: str) -> DataIntegrityError:
    return DataIntegrityError(f"{message}. Run rfi_umarov_2022.verify() to check the data files, "
                              "and reinstall the package (or rebuild the checkout) if they differ")


def relative_path(value: Any, what: str) -> str:
    """A descriptor path, refused unless it is relative, POSIX and stays below its folder."""
    if not isinstance(value, str) or not value:
        raise broken(f"{DESCRIPTOR}: {what} has no path (found {value!r})")
    parts = PurePosixPath(value).parts
    if (value.startswith("/") or "\\" in value or re.match(r"^[A-Za-z]:", value)
            or any(part in ("..", ".") for part in parts) or "//" in value):
        raise broken(f"{DESCRIPTOR}: {what} path {value!r} is not a relative path inside the data "
                     "folder")
    return value


def resolve(rel: str, what: str) -> Path:
    """The file ``rel`` names, refused unless it resolves inside the data folder."""
    root = data_root()
    path = root / relative_path(rel, what)
    if not path.resolve().is_relative_to(root.resolve()):
        raise broken(f"{DESCRIPTOR}: {what} path {rel!r} leads outside the data folder")
    return path


def read_regular(path: Path) -> bytes:
    """A regular file's bytes; a FIFO, device or folder is refused without blocking."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise broken(f"missing: {path}") from None
    except OSError as error:
        raise broken(f"cannot read {path}: {error.strerror}") from None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise broken(f"not a regular file: {path}")
        try:
            return handle.read()
        except OSError as error:
            raise broken(f"cannot read {path}: {error.strerror}") from None


def matches(data: bytes, digest: str) -> bool:
    """Do these bytes have the sha256 the descriptor records ("sha256:<hex>")?"""
    return hashlib.sha256(data).hexdigest() == digest.removeprefix("sha256:")


def read_verified(rel: str, digest: str, what: str) -> bytes:
    """A data file's bytes, refused unless confined, regular, and of the recorded sha256."""
    path = resolve(rel, what)
    data = read_regular(path)
    if not matches(data, digest):
        raise broken(f"modified: {path} (its sha256 differs from {DESCRIPTOR})")
    return data


def _problem(descriptor: Any) -> str | None:
    """What makes a parsed descriptor unusable, or None."""
    if not isinstance(descriptor, dict):
        return "not a JSON object"
    resources = descriptor.get("resources")
    if not isinstance(resources, list) or not resources:
        return "no list of resources"
    names: set[str] = set()
    for index, resource in enumerate(resources):
        if not isinstance(resource, dict):
            return f"resource {index} is not an object"
        name = resource.get("name")
        if not isinstance(name, str) or not TABLE_NAME.fullmatch(name):
            return f"resource {index} has no valid name ({name!r})"
        if name in names:
            return f"resource name {name!r} repeats"
        names.add(name)
        if not isinstance(resource.get("hash"), str) or not DIGEST.fullmatch(resource["hash"]):
            return f"resource {name!r} has no sha256 hash"
        relative_path(resource.get("path"), f"resource {name!r}")
        schema = resource.get("schema")
        if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list) or not all(
                isinstance(f, dict) and isinstance(f.get("name"), str) and isinstance(f.get("type"), str)
                for f in schema["fields"]):
            return f"resource {name!r} has no valid inline schema"
    sources = descriptor.get("sources", [])
    if not isinstance(sources, list) or not all(isinstance(s, dict) for s in sources):
        return "sources is not a list of objects"
    for source in local_sources(descriptor):
        relative_path(source.get("path"), "source")
        if not isinstance(source.get("hash"), str) or not DIGEST.fullmatch(source["hash"]):
            return f"source {source.get('path')!r} has no sha256 hash"
    return None


def local_sources(descriptor: dict[str, Any]) -> list[dict[str, Any]]:
    """The descriptor's sources that are files shipped with the data (not web addresses)."""
    return [s for s in descriptor.get("sources", [])
            if not (isinstance(s.get("path"), str) and "://" in s["path"])]


_CACHE: dict[str, Any] = {}


def descriptor() -> dict[str, Any]:
    """The checked descriptor (read again when the file changes; never modify the result)."""
    path = data_root() / DESCRIPTOR
    try:
        info = os.stat(path)
    except OSError as error:
        raise broken(f"{path} is not readable ({error.strerror})") from None
    key = (info.st_ino, info.st_mtime_ns, info.st_size)
    if _CACHE.get("key") != key:
        try:
            parsed = json.loads(read_regular(path))
        except (ValueError, RecursionError) as error:
            raise broken(f"{path} is not a readable data package descriptor ({type(error).__name__})"
                         ) from None
        problem = _problem(parsed)
        if problem:
            raise broken(f"{path} is not a usable data package descriptor: {problem}")
        _CACHE.clear()
        _CACHE.update(key=key, descriptor=parsed,
                      resources={r["name"]: r for r in parsed["resources"]})
    return _CACHE["descriptor"]


def resources() -> dict[str, dict[str, Any]]:
    """Resources by name, in the descriptor's order."""
    descriptor()
    return _CACHE["resources"]


def resource(name: str) -> dict[str, Any]:
    known = resources()
    if name not in known:
        raise KeyError(f"unknown table {name!r}; the tables are: {', '.join(known)}")
    return known[name]


def clear() -> None:
    """Forget the cached descriptor (tests that point the loader at another folder)."""
    _CACHE.clear()
