"""Slow tier: the full kill matrix of the swap, and every bit flip of one table.

The default tier runs one representative kill and a few flips; these sweep every step.
"""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from test_build import kill_at, outputs, verify_at

import rfi_umarov_2022 as ds
from rfi_umarov_2022_build import pipeline, swap
from rfi_umarov_2022_build.swap import JOURNAL


def test_a_kill_at_any_step_of_the_swap_leaves_one_complete_set(built_fixture, tmp_path, loader_at):
    """SIGKILL before each os.replace of the build (journal writes and renames alike); after
    recovery, verify() passes on the old or the new set, and no file of the swap is left."""
    old = outputs(built_fixture)
    step = 0
    while True:
        root = tmp_path / f"kill-{step}"
        result = kill_at(built_fixture, root, step)
        if result.returncode == 0:
            break
        assert result.returncode == -9, result.stderr
        if not (root / JOURNAL).is_file():
            verify_at(root, loader_at)  # killed before the journal, or after the commit point
        swap.recover(root, pipeline.is_output)
        verify_at(root, loader_at)
        assert outputs(root) == old or pipeline.run(root, check=True, validate=False) == 0
        assert not [p for p in root.rglob(".*build-*") if p.is_file()]
        assert pipeline.run(root) == 0
        step += 1
    assert step >= 4, "the swap should have several steps"


def test_every_bit_flip_of_a_table_is_refused(tmp_path, loader_at):
    """A sweep over every byte of one Parquet file: load() never returns different data."""
    root = tmp_path / "data"
    shutil.copytree(ds.datapackage_path().parent / "dataset", root / "dataset",
                    ignore=shutil.ignore_patterns("annotations"))
    shutil.copyfile(ds.datapackage_path(), root / "datapackage.json")
    loader_at(root)
    path = root / "dataset" / "claim_dates.parquet"
    original = path.read_bytes()
    expected = ds.load("claim_dates")
    for offset in range(len(original)):
        flipped = bytearray(original)
        flipped[offset] ^= 1 << (offset % 8)
        path.write_bytes(bytes(flipped))
        with pytest.raises(ds.DataIntegrityError):
            ds.load("claim_dates")
    path.write_bytes(original)
    pd.testing.assert_frame_equal(ds.load("claim_dates"), expected)
