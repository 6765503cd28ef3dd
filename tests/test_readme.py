"""The README's code is run as written, and its output checked."""

from __future__ import annotations

import re

import pandas as pd
from conftest import ROOT

import rfi_umarov_2022 as ds

README = (ROOT / "README.md").read_text(encoding="utf-8")


def python_blocks(section: str) -> list[str]:
    body = README.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", body, re.DOTALL)


def run_block(block: str, namespace: dict):
    """Execute a README block; return the value of its last expression."""
    lines = [line for line in block.strip().splitlines()
             if line.strip() and not line.lstrip().startswith("#")]
    *body, last = lines
    exec("\n".join(body), namespace)
    return eval(last.split("  #")[0], namespace)


def test_quick_start_has_exactly_two_commands():
    quick = README.split("## Quick start\n", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```sh\n(.*?)```", quick, re.DOTALL)
    assert len(commands) == 1
    assert len(commands[0].strip().splitlines()) == 2


def test_load_example_runs():
    namespace = {}
    exec(python_blocks("Load the data")[0], namespace)
    assert namespace["row"].quote == namespace["text"][namespace["row"].char_start:namespace["row"].char_end]


def test_table_tour_counts_match_the_data(tables):
    for name, count in re.findall(r"^\| `(\w+)` \| [^|]*\((\d+)\)", README, re.MULTILINE):
        assert len(tables[name]) == int(count), name
    assert set(re.findall(r"^\| `(\w+)` \|", README, re.MULTILINE)) == set(ds.list_tables())


def test_russia_example_output():
    namespace = {"ds": ds, "pd": pd}
    counts = run_block(python_blocks("Tables")[0], namespace)
    assert counts.to_dict() == {"Moscow": 4, "Russia": 11, "Russian": 3}
    comment = re.search(r"# (Moscow.*)", python_blocks("Tables")[0]).group(1)
    assert comment == "Moscow 4, Russia 11, Russian 3"


def test_analyses_outputs(tables):
    namespace = {"ds": ds, "pd": pd}
    by_type, prediction_actors, reported = (run_block(b, namespace) for b in python_blocks("Analyses"))
    claims = tables["claims"]
    assert by_type.loc["temur-umarov"].sum() + by_type.loc["rfi"].sum() == len(claims)
    assert by_type.loc["temur-umarov", "prediction"] == (
        (claims.speaker_id == "temur-umarov") & (claims.claim_type == "prediction")).sum()
    rfi_predictions = claims[(claims.speaker_id == "rfi") & (claims.claim_type == "prediction")]
    assert set(rfi_predictions.claim_id) == {"c035", "c062"}  # an expectation, Medvedev's hint
    assert by_type.loc["rfi", "prediction"] == 2
    assert prediction_actors.index[0] in {"Xi Jinping", "Kazakhstan", "Russia", "China"}
    assert prediction_actors.iloc[0] >= prediction_actors.iloc[-1] > 0
    assert len(reported) == 11  # ten reported claims and the restating headline
    assert set(reported.source_id) == {"china", "china-mfa", "critics-of-china", "dmitry-medvedev",
                                       "russia", "chinese-and-russian-diplomats",
                                       "rahmatulla-nurimbetov", "temur-umarov"}
