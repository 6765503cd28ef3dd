"""Benchmark (not a test): import time, load() against a bare Parquet read, and build time.

    python scripts/bench.py [--repeat 7] [--rounds 101]

- Per process: each table loaded in a fresh Python process, load() against a bare
  ``pq.read_table(path).to_pandas()``. Target: within noise (median ratio <= 1.05).
- In process, warm: every table, summed, loaded again and again in one process, load() and the
  bare read interleaved round by round. Target: median per-round ratio <= 1.25.
- Build: ``python -m rfi_umarov_2022_build --check --no-validate`` against importing its stack
  (pandas, pyarrow, PyYAML, jsonschema, edtf, regex). Target: <= 2.

The two sides of each comparison are interleaved, so that caches and machine load affect both
alike. Medians are printed.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

TIMED = """
import time
start = time.perf_counter()
{body}
print(time.perf_counter() - start)
"""
LOAD = "import rfi_umarov_2022 as ds\nframe = ds.load({name!r})"
BARE = ("import pyarrow.parquet as pq\n"
        "frame = pq.read_table({path!r}).to_pandas()")
IMPORT_PACKAGE = "import rfi_umarov_2022"
IMPORT_STACK = "import pandas, pyarrow, yaml, jsonschema, edtf, regex"


def in_fresh_process(body: str) -> float:
    """Seconds the body takes inside a new interpreter (interpreter start-up excluded)."""
    result = subprocess.run([sys.executable, "-c", TIMED.format(body=body)], capture_output=True,
                            text=True, check=True, cwd=ROOT)
    return float(result.stdout.strip().splitlines()[-1])


def wall(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, capture_output=True, check=True, cwd=ROOT)
    return time.perf_counter() - start


def in_process(ds: Any, rounds: int) -> float:
    """Median per-round ratio of load() to a bare read, summed over every table, warm."""
    import pyarrow.parquet as pq

    paths = {name: str(ds.datapackage_path().parent / "dataset" / f"{name}.parquet")
             for name in ds.list_tables()}

    def loads() -> None:
        for name in paths:
            ds.load(name)

    def bares() -> None:
        for path in paths.values():
            pq.read_table(path).to_pandas()

    def timed(run: Any) -> float:
        start = time.perf_counter()
        run()
        return time.perf_counter() - start

    loads(), bares()  # warm: imports, descriptor, file cache
    pairs = [(timed(loads), timed(bares)) for _ in range(rounds)]
    ratio = statistics.median(load / bare for load, bare in pairs)
    load_ms = statistics.median(load for load, _ in pairs) * 1000
    bare_ms = statistics.median(bare for _, bare in pairs) * 1000
    print(f"\nin process, warm, all {len(paths)} tables summed, {rounds} rounds: load() median "
          f"{load_ms:.1f} ms, bare read {bare_ms:.1f} ms; median per-round ratio {ratio:.3f} "
          "(target <= 1.25)")
    return ratio


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7, help="runs per measurement (default 7)")
    parser.add_argument("--rounds", type=int, default=101,
                        help="rounds of the in-process comparison (default 101)")
    args = parser.parse_args()
    import rfi_umarov_2022 as ds

    imports = [in_fresh_process(IMPORT_PACKAGE) for _ in range(args.repeat)]
    print(f"import rfi_umarov_2022: median {statistics.median(imports) * 1000:.1f} ms")

    print(f"\n{'table':<15} {'load() ms':>10} {'bare ms':>10} {'ratio':>7}")
    ratios = []
    for name in ds.list_tables():
        path = str(ds.datapackage_path().parent / "dataset" / f"{name}.parquet")
        loads, bares = [], []
        for _ in range(args.repeat):
            loads.append(in_fresh_process(LOAD.format(name=name)))
            bares.append(in_fresh_process(BARE.format(path=path)))
        load_ms, bare_ms = statistics.median(loads) * 1000, statistics.median(bares) * 1000
        ratios.append(load_ms / bare_ms)
        print(f"{name:<15} {load_ms:>10.1f} {bare_ms:>10.1f} {load_ms / bare_ms:>7.3f}")
    print(f"median ratio {statistics.median(ratios):.3f}, worst {max(ratios):.3f} (target <= 1.05)")

    in_process(ds, args.rounds)

    builds, stacks = [], []
    for _ in range(max(3, args.repeat // 2)):
        builds.append(wall([sys.executable, "-m", "rfi_umarov_2022_build", "--check", "--no-validate"]))
        stacks.append(wall([sys.executable, "-c", IMPORT_STACK]))
    build_s, stack_s = statistics.median(builds), statistics.median(stacks)
    print(f"\nbuild (python -m rfi_umarov_2022_build --check --no-validate): median {build_s:.2f} s")
    print(f"import pandas, pyarrow, frictionless: median {stack_s:.2f} s")
    print(f"ratio {build_s / stack_s:.2f} (target <= 2)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
