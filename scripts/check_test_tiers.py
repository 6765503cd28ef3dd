"""Fail when a test passed in no tier: every test must run somewhere in CI.

Usage: python scripts/check_test_tiers.py REPORT.jsonl

REPORT.jsonl is what the test tiers wrote with RFI_TEST_REPORT=REPORT.jsonl set (see
tests/conftest.py): one line per test phase that did not simply pass, and per passed call. The
script collects every test (all tiers, ``-m ""``) and lists each one that passed in none of
them, with what happened to it (skipped, failed, deselected everywhere). Exit 1 if any.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path


def collected(root: Path) -> list[str]:
    """Every test id, whatever its marks."""
    result = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-m", "",
                             "-p", "no:cacheprovider"], cwd=root, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"error: collecting the tests failed:\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
    return [line for line in result.stdout.splitlines() if "::" in line]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path)
    args = parser.parse_args()
    outcomes: dict[str, set[str]] = {}
    for line in args.report.read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        outcomes.setdefault(entry["test"], set()).add(f"{entry['when']}:{entry['outcome']}")
    tests = collected(Path(__file__).resolve().parent.parent)
    missing = [t for t in tests if "call:passed" not in outcomes.get(t, set())]
    for test in missing:
        seen = ", ".join(sorted(outcomes.get(test, set()))) or "deselected in every tier"
        print(f"not run in any tier: {test} ({seen})")
    print(f"{len(tests) - len(missing)} of {len(tests)} tests passed in some tier")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
