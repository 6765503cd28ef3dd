"""The README's code runs as written; its claims about the data are computed, not retyped."""

from __future__ import annotations

import re

import pandas as pd
from conftest import ROOT

import rfi_umarov_2022 as ds

README = (ROOT / "README.md").read_text(encoding="utf-8")
#: What marks a block that needs a library only the slow tier installs.
SLOW_LIBRARIES = ("load_dataset", "to_spacy", "pyld", "ds.duckdb(", "ds.polars(")


def section(title: str) -> str:
    return README.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


def python_blocks(title: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", section(title), re.DOTALL)


def run_block(block: str, namespace: dict):
    """Execute a README block; return the value of its last expression."""
    lines = [line for line in block.strip().splitlines()
             if line.strip() and not line.lstrip().startswith("#")]
    *body, last = lines
    exec("\n".join(body), namespace)
    return eval(last.split("  #")[0], namespace)


def test_quick_start_has_exactly_two_commands():
    commands = re.findall(r"```sh\n(.*?)```", section("Quick start"), re.DOTALL)
    assert len(commands) == 1
    assert len(commands[0].strip().splitlines()) == 2


def test_load_example_runs():
    namespace: dict = {}
    exec(python_blocks("Load the data")[0], namespace)
    row = namespace["row"]
    assert row.quote == namespace["text"][row.char_start:row.char_end]


def test_table_tour_is_the_generated_one(tables):
    tour = README.split("<!-- table tour", 1)[1].split("<!-- end of table tour -->", 1)[0]
    for name, count in re.findall(r"^\| `(\w+)` \| (\d+) \|", tour, re.MULTILINE):
        assert len(tables[name]) == int(count), name
    assert set(re.findall(r"^\| `(\w+)` \|", tour, re.MULTILINE)) == set(ds.list_tables())


def test_every_python_block_runs():
    for title in re.findall(r"^## (.+)$", README, re.MULTILINE):
        namespace = {"ds": ds, "pd": pd}
        for block in python_blocks(title):
            if any(needs in block for needs in SLOW_LIBRARIES):
                continue  # a library of the slow tier: tests/slow/test_interop.py runs these blocks
            run_block(block, namespace)


def test_printed_numbers_are_not_retyped():
    """Outputs in comments would go stale when a curator fixes a row: the README shows none."""
    for block in re.findall(r"```python\n(.*?)```", README, re.DOTALL):
        for comment in re.findall(r"#(.*)$", block, re.MULTILINE):
            assert not re.search(r"\b[A-Z][a-z]+ \d+\b", comment), comment


def test_every_pip_install_names_something_that_installs():
    """Each `pip install` the project prints or documents installs a local path, a wheel
    path, or a distribution pinned in constraints.txt: never the unpublished package by name."""
    pinned = {re.split(r"[=<>]", line)[0].strip().lower().replace("_", "-")
              for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines()
              if line.strip() and not line.startswith("#")}
    sources = [ROOT / "README.md", *(ROOT / "docs").glob("*.md"),
               *(ROOT / "rfi_umarov_2022").glob("*.py")]
    found = 0
    for path in sources:
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"pip install ", text):
            for raw in text[match.end():].split("\n", 1)[0].split():
                word = raw.strip("`'\"()").rstrip(".,;:").strip("`'\"()")
                if raw.startswith("(") or not re.fullmatch(r"[-.\w\[\]/*{}=]+", word):
                    break  # prose after the command
                if not (word.startswith("-") or word == "constraints.txt"):
                    found += 1
                    local = word.startswith(".") or "/" in word or word.isupper() or "{" in word
                    name = re.sub(r"\[[\w,-]+\]$", "", word).lower()  # an extra installs its base
                    assert local or name in pinned, (path.name, word)
                if re.search(r"[`),.;:]['\"]?$", raw):
                    break  # the command ends here
    assert found
