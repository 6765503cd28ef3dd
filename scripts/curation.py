"""Reading curated annotation files, with errors that name the file, the record and the field."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import yaml


class BuildError(Exception):
    """A problem in the inputs, reported as one line: file, record, field, message."""

    def __init__(self, file: str | Path, record: str | None, field: str | None, message: str,
                 line: int | None = None) -> None:
        self.file = str(file)
        self.record = record
        self.field = field
        self.message = message
        self.line = line
        super().__init__(self.one_line())

    def one_line(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        parts = [where]
        if self.record is not None:
            parts.append(f"record {self.record}")
        if self.field is not None:
            parts.append(f"field {self.field}")
        return ": ".join([*parts, self.message])


class Record(dict):
    """A YAML mapping that remembers the line it starts on."""

    line: int | None = None


# The C parser (libyaml) when present: same results, several times faster.
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_BaseLoader):
    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> Record:
        keys = [self.construct_object(key, deep=True) for key, _ in node.value]
        duplicated = {key for key in keys if keys.count(key) > 1}
        if duplicated:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {sorted(map(str, duplicated))[0]!r}", node.start_mark)
        mapping = Record(super().construct_mapping(node, deep=True))
        mapping.line = node.start_mark.line + 1
        return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
                            _LineLoader.construct_mapping)


def read_yaml(path: Path, label: str) -> Any:
    """Parse a YAML file; a syntax error, a missing or an empty file is a BuildError."""
    if not path.is_file():
        raise BuildError(label, None, None, "annotation file is missing")
    text = path.read_text(encoding="utf-8")
    try:
        data = yaml.load(text, Loader=_LineLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        line = mark.line + 1 if mark is not None else None
        raise BuildError(label, None, None, f"YAML syntax error: {problem}", line=line) from None
    if data is None or data == [] or data == {}:
        raise BuildError(label, None, None, "annotation file is empty")
    return data


class Curated:
    """One curated file: typed access to its records, with errors pointing back into it."""

    def __init__(self, root: Path, relpath: str) -> None:
        self.label = relpath
        self.data = read_yaml(root / relpath, relpath)

    def error(self, record: Record | None, record_id: str | None, field: str | None,
              message: str) -> BuildError:
        line = record.line if isinstance(record, Record) else None
        return BuildError(self.label, record_id, field, message, line=line)

    def section(self, key: str, *, required: bool = True) -> Any:
        if not isinstance(self.data, dict):
            raise BuildError(self.label, None, None, "expected a mapping at the top level")
        if key not in self.data:
            if required:
                raise BuildError(self.label, None, key, "section is missing")
            return None
        return self.data[key]

    def records(self, key: str | None, id_field: str, allowed: Iterable[str],
                required: Iterable[str] = (), *, may_be_empty: bool = False) -> Iterator[Record]:
        """Yield the mappings of a list section, checking keys, required fields and unique ids."""
        items = self.data if key is None else self.section(key)
        if items is None and may_be_empty:
            return
        where = key or "top level"
        if not isinstance(items, list):
            raise BuildError(self.label, None, key, f"expected a list at {where}")
        if not items and not may_be_empty:
            raise BuildError(self.label, None, key, "list is empty")
        allowed = set(allowed)
        required = list(required)
        seen: dict[str, int | None] = {}
        for index, item in enumerate(items, start=1):
            if not isinstance(item, dict):
                raise BuildError(self.label, f"#{index} of {where}", None, "expected a mapping")
            record_id = str(item.get(id_field, f"#{index} of {where}"))
            for field in item:
                if field not in allowed:
                    raise self.error(item, record_id, str(field),
                                     f"unknown field (allowed: {', '.join(sorted(allowed))})")
            for field in required:
                if item.get(field) is None:
                    raise self.error(item, record_id, field, "required field is missing or null")
            if id_field in item:
                if record_id in seen:
                    raise self.error(item, record_id, id_field,
                                     f"duplicate id (first at line {seen[record_id]})")
                seen[record_id] = getattr(item, "line", None)
            yield item


def as_date(value: Any, error: BuildError) -> dt.date | None:
    """A YAML date or an ISO string as a date; anything else raises ``error``."""
    if value is None:
        return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise error
