"""Slow tier: the build's own run of stock frictionless (``--check``, or ``--validate``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rfi_umarov_2022_build import pipeline

pytestmark = pytest.mark.slow


def test_check_validates_with_the_local_sources_beside_the_outputs(project, monkeypatch, capsys):
    """``--check`` on the fixture passes stock frictionless. While frictionless runs, every local
    source of the new descriptor (a path without "://") lies beside it, as published; the copies
    are gone again before the build lists its outputs."""
    frictionless = pytest.importorskip("frictionless")
    real_validate, real_outputs = frictionless.validate, pipeline.outputs
    local: list[str] = []
    present: dict[str, bool] = {}
    left: list[str] = []

    def validate(source, *args, **kwargs):
        folder = Path(source).parent
        package = json.loads(Path(source).read_text(encoding="utf-8"))
        local.extend(s["path"] for s in package["sources"] if "://" not in s["path"])
        present.update({rel: (folder / rel).is_file() for rel in local})
        return real_validate(source, *args, **kwargs)

    def outputs(folder):
        left.extend(rel for rel in local if (folder / rel).exists())
        return real_outputs(folder)

    monkeypatch.setattr(frictionless, "validate", validate)
    monkeypatch.setattr(pipeline, "outputs", outputs)
    assert pipeline.run(project, check=True) == 0, capsys.readouterr()
    assert local and all(present.values()), present
    assert left == []
