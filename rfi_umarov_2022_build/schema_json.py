"""Reading a Table Schema file strictly: JSON without NaN or repeated keys, then every keyword
checked against ``schema/meta/table-schema.json``, the part of Table Schema v2 the build
implements. A misspelt key, a number written as a string or a boolean written as text is one
line naming the file and the field, never a key silently ignored or read as true.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from rfi_umarov_2022_build.curated import BuildError, read_text

META = "schema/meta/table-schema.json"


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"key {key!r} is written twice")
        out[key] = value
    return out


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def parse(root: Path, relpath: str, what: str) -> Any:
    """Strict JSON: NaN, Infinity and repeated keys are errors with the file's name."""
    text = read_text(root, relpath, what)
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        raise BuildError(relpath, None, None, f"JSON syntax error: {error.msg}", line=error.lineno) from None
    except (ValueError, RecursionError) as error:
        raise BuildError(relpath, None, None, f"not strict JSON: {error}") from None


@cache
def _validator(meta_text: str) -> Any:
    import jsonschema

    meta = json.loads(meta_text)
    return jsonschema.validators.validator_for(meta)(meta)


def check(root: Path, relpath: str, descriptor: Any) -> None:
    """The schema's keywords are the ones the build implements, each of the right type."""
    import jsonschema

    validator = _validator(read_text(root, META, "Table Schema profile"))
    errors = list(validator.iter_errors(descriptor))
    if not errors:
        return
    error = jsonschema.exceptions.best_match(errors)
    path = list(error.absolute_path)
    field = None
    if len(path) >= 2 and path[0] == "fields" and isinstance(path[1], int):
        raw = descriptor["fields"][path[1]]
        field = raw.get("name") if isinstance(raw, dict) else None
    where = "/".join(map(str, path[2:] if field else path)) or None
    message = error.message
    if error.validator == "required" and not field:
        where = message.split("'")[1] if "'" in message else where
    if error.validator == "additionalProperties":
        message = f"unknown key ({message}); see {META}"
    raise BuildError(relpath, None, field or where, f"{where + ': ' if field and where else ''}{message}")
