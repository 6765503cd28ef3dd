"""Reading curated files: YAML with line numbers, checked against the file's declared shape.

Every curated file has a JSON Schema in ``schema/curated/`` (its shape: types, required and
allowed keys, value formats). A file is parsed once, checked against that schema, and every
problem is a :class:`BuildError` that names the file, the line, the record and the field.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

CURATED_SCHEMAS = "schema/curated"


class BuildError(Exception):
    """A problem in the inputs, reported as one line: file[:line], record, field, message."""

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
        return ": ".join([*parts, self.message]).replace("\n", " ")


@dataclass(frozen=True)
class Origin:
    """Where a table row comes from: a curated file and the line of its record."""

    file: str
    line: int | None = None


class Row(dict):
    """A table row that carries its origin, so that a late error still points at the input."""

    origin: Origin | None = None


class Record(dict):
    """A YAML mapping that remembers the line it starts on and the line of each key."""

    line: int | None = None
    key_lines: dict[Any, int]

    def line_of(self, key: Any) -> int | None:
        return getattr(self, "key_lines", {}).get(key, self.line)


# The C parser (libyaml) when present: same results, several times faster.
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_BaseLoader):
    """Safe loader that keeps line numbers, refuses duplicate keys, and reads dates as text.

    Dates stay strings (no implicit timestamps): an impossible date such as 2020-02-30 is then
    reported against the file's schema with its line, instead of crashing the YAML parser.
    """

    yaml_implicit_resolvers = {  # noqa: RUF012 - the class attribute PyYAML reads
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
    }

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> Record:
        mapping = Record()
        mapping.line = node.start_mark.line + 1
        mapping.key_lines = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise yaml.constructor.ConstructorError(
                    None, None, "YAML merge keys (<<) are not supported: write the fields out",
                    key_node.start_mark)
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool) and key is not None:
                raise yaml.constructor.ConstructorError(
                    None, None, "a mapping key must be a plain value", key_node.start_mark)
            if key in mapping:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark)
            mapping[key] = self.construct_object(value_node, deep=True)
            mapping.key_lines[key] = key_node.start_mark.line + 1
        return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
                            _LineLoader.construct_mapping)


def read_bytes(root: Path, relpath: str, what: str = "file") -> bytes:
    """A regular file inside the project; anything else is a one-line error, never a read
    outside ``root`` (a symbolic link that leads out) or a hang (a FIFO)."""
    path = root / relpath
    if not path.exists() and not path.is_symlink():
        raise BuildError(relpath, None, None, f"{what} is missing")
    if not path.resolve().is_relative_to(root.resolve()):
        raise BuildError(relpath, None, None, f"{what} leads outside the project")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        raise BuildError(relpath, None, None, f"cannot read: {error.strerror}") from None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise BuildError(relpath, None, None, f"{what} is not a regular file")
        try:
            return handle.read()
        except OSError as error:
            raise BuildError(relpath, None, None, f"cannot read: {error.strerror}") from None


def read_text(root: Path, relpath: str, what: str = "file") -> str:
    """A UTF-8 file as text; missing, unreadable or non-UTF-8 files are one-line errors."""
    data = read_bytes(root, relpath, what)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BuildError(relpath, None, None,
                         f"not UTF-8: byte {error.object[error.start]:#04x} at offset {error.start}"
                         ) from None


def _refuse_features(text: str, label: str) -> None:
    """Refuse, with their line, the YAML features that hide what a record holds: anchors and
    aliases (they copy records silently) and explicit tags (``!!timestamp``, ``!!int``, ...,
    which turn text into other types and crash on bad values)."""
    if not any(mark in text for mark in "&*!"):
        return
    for event in yaml.parse(text, Loader=_BaseLoader):
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            kind = "alias" if isinstance(event, yaml.AliasEvent) else "anchor"
            raise BuildError(label, None, None,
                             f"YAML {kind} {'*' if kind == 'alias' else '&'}{anchor} is not "
                             "supported: write each record out in full",
                             line=event.start_mark.line + 1)
        implicit = getattr(event, "implicit", True)
        explicit = implicit is False or (isinstance(implicit, tuple) and not any(implicit))
        if getattr(event, "tag", None) is not None and explicit:
            raise BuildError(label, None, None, f"explicit YAML tag {event.tag} is not supported: "
                             "write the value plainly (quote it if it is text)",
                             line=event.start_mark.line + 1)


def read_yaml(root: Path, relpath: str) -> Any:
    """Parse a curated YAML file; syntax errors, anchors, missing or empty files are errors."""
    text = read_text(root, relpath, "annotation file")
    try:
        _refuse_features(text, relpath)
        data = yaml.load(text, Loader=_LineLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        kind = "YAML" if isinstance(error, yaml.constructor.ConstructorError) else "YAML syntax error"
        line = mark.line + 1 if mark is not None else None
        raise BuildError(relpath, None, None, f"{kind}: {problem}", line=line) from None
    if data is None or data == [] or data == {}:
        raise BuildError(relpath, None, None, "annotation file is empty")
    return data


@cache
def _validator(schema_text: str) -> Any:
    import jsonschema

    schema = json.loads(schema_text)
    base = jsonschema.validators.validator_for(schema)
    base.check_schema(schema)
    # an integer is an int: JSON Schema would also accept 1.0, which then breaks indexing
    strict = base.TYPE_CHECKER.redefine(
        "integer", lambda _, value: isinstance(value, int) and not isinstance(value, bool))
    cls = jsonschema.validators.extend(base, type_checker=strict)
    return cls(schema, format_checker=base.FORMAT_CHECKER)


def curated_schema(root: Path, relpath: str, derived: dict[str, Any] | None = None) -> tuple[str, str]:
    """(path, text) of the JSON Schema that declares the shape of curated file ``relpath``:
    ``schema/curated/<stem>.json``, or, where there is none, the ``derived`` shape."""
    schema_rel = f"{CURATED_SCHEMAS}/{Path(relpath).stem}.json"
    if derived is not None and not (root / schema_rel).exists():
        return f"the shape derived from schema/{Path(relpath).stem}.json", json.dumps(derived)
    return schema_rel, read_text(root, schema_rel, "shape declaration")


def _locate(data: Any, path: list[Any], id_fields: tuple[str, ...]) -> tuple[int | None, str | None]:
    """(line, record id) of the deepest mapping on a JSON path into the parsed YAML."""
    line, record, node = None, None, data
    for step in path:
        if isinstance(node, Record):
            line = node.line_of(step)
            for id_field in id_fields:
                if record is None and isinstance(node.get(id_field), str):
                    record = node[id_field]
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(node, Record):
            line = node.line or line
    if isinstance(node, Record):
        for id_field in id_fields:
            if record is None and isinstance(node.get(id_field), str):
                record = node[id_field]
    return line, record


def check_shape(root: Path, relpath: str, data: Any, derived: dict[str, Any] | None = None) -> dict[str, Any]:
    """Check parsed data against its declared shape; the first problem is a BuildError.

    Returns the shape declaration (a JSON Schema), for the checks that come after.
    """
    import jsonschema

    schema_rel, schema_text = curated_schema(root, relpath, derived)
    try:
        validator = _validator(schema_text)
    except json.JSONDecodeError as error:
        raise BuildError(schema_rel, None, None, f"JSON syntax error: {error.msg}",
                         line=error.lineno) from None
    except jsonschema.SchemaError as error:
        raise BuildError(schema_rel, None, "/".join(map(str, error.path)) or None,
                         f"not a valid JSON Schema: {error.message}") from None
    errors = sorted(validator.iter_errors(data), key=lambda e: (list(map(str, e.absolute_path)),
                                                                 e.message))
    if not errors:
        return validator.schema
    unknown = [e for e in errors if e.validator == "additionalProperties"]
    error = unknown[0] if unknown else jsonschema.exceptions.best_match(errors)
    path = list(error.absolute_path)
    id_fields = tuple(validator.schema.get("x-id-fields", ()))
    line, record = _locate(data, path, id_fields)
    field = next((str(step) for step in reversed(path) if isinstance(step, str)), None)
    message = error.message
    if error.validator == "additionalProperties":
        field = message.split("'")[1] if "'" in message else field
        line = _locate(data, [*path, field], id_fields)[0] or line
        message = f"unknown field ({message})"
    elif error.validator == "pattern" and error.schema.get("description"):
        message = f"{error.instance!r} does not match: {error.schema['description']}"
    elif error.validator == "required":
        field = message.split("'")[1] if "'" in message else field
        message = "required field is missing"
    if len(message) > 300:
        message = message[:300] + "..."
    raise BuildError(relpath, record, field, message, line=line)


def check_unique_ids(relpath: str, data: Any, shape: dict[str, Any]) -> None:
    """Ids declared unique by the shape (``x-unique-ids``: section -> id field) do not repeat."""
    for section, id_field in shape.get("x-unique-ids", {}).items():
        seen: dict[Any, int | None] = {}
        for record in data.get(section) or []:
            value = record[id_field]
            if value in seen:
                raise BuildError(relpath, str(value), id_field,
                                 f"duplicate id (first at line {seen[value]})",
                                 line=record.line_of(id_field))
            seen[value] = record.line


def _edge(value: str) -> str | None:
    """The first character at either end that is whitespace or invisible (a format character
    such as U+FEFF or U+200B), Unicode-aware, or None."""
    for char in (value[:1], value[-1:]):
        if char and (char.isspace() or unicodedata.category(char) == "Cf"):
            return char
    return None


def text_problem(value: str, verbatim: bool = False) -> str | None:
    """Why a curated string is not clean text: empty or invisible, not NFC, or (unless it is
    verbatim text that may end in a space, like a printed speaker label) padded."""
    visible = "".join(c for c in value if not (c.isspace() or unicodedata.category(c) == "Cf"))
    if not visible:
        return f"{value!r} has no visible character"
    if not unicodedata.is_normalized("NFC", value):
        return f"{value!r} is not in Unicode normal form NFC (write it composed)"
    edge = _edge(value)
    if edge is not None and not verbatim:
        return f"{value!r} starts or ends with U+{ord(edge):04X} ({unicodedata.name(edge, 'control')})"
    return None


def check_text(relpath: str, data: Any, shape: dict[str, Any]) -> None:
    """Every string of a curated file is clean text (``text_problem``); keys the shape lists under
    ``x-verbatim`` may keep spaces at their ends."""
    verbatim = set(shape.get("x-verbatim", ()))
    id_fields = tuple(shape.get("x-id-fields", ()))

    def walk(node: Any, path: list[Any], keys: frozenset[Any]) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, [*path, key], keys | {key})
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, [*path, index], keys)
        elif isinstance(node, str):
            problem = text_problem(node, bool(keys & verbatim))
            if problem:
                line, record = _locate(data, path, id_fields)
                field = next((str(step) for step in reversed(path) if isinstance(step, str)), None)
                raise BuildError(relpath, record, field, problem, line=line)

    walk(data, [], frozenset())


class Curated:
    """One curated file, parsed and shape-checked, with errors pointing back into it."""

    def __init__(self, root: Path, relpath: str, derived: dict[str, Any] | None = None) -> None:
        self.label = relpath
        self.data = read_yaml(root, relpath)
        shape = check_shape(root, relpath, self.data, derived)
        check_unique_ids(relpath, self.data, shape)
        check_text(relpath, self.data, shape)

    def error(self, record: Record | None, record_id: str | None, field: str | None,
              message: str) -> BuildError:
        line = None
        if isinstance(record, Record):
            line = record.line_of(field) if field is not None else record.line
        return BuildError(self.label, record_id, field, message, line=line)

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default) if isinstance(self.data, dict) else default

    def records(self, key: str) -> list[Record]:
        """The mappings of a list section (the shape check has made sure of their form)."""
        return list(self.get(key) or [])

    def row(self, record: Record | None, **values: Any) -> Row:
        """A table row whose origin is ``record`` in this file."""
        row = Row(values)
        row.origin = Origin(self.label, record.line if isinstance(record, Record) else None)
        return row


def as_date(value: Any) -> dt.date | None:
    """An ISO date string (already shape-checked) as a date; None stays None."""
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)
