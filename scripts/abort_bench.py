"""Do fresh processes that load every table always exit cleanly? A stress run, not a unit test.

    python scripts/abort_bench.py [--runs 500] [--jobs 2] [--busy N]

Each run is a new interpreter that imports the installed ``rfi_umarov_2022``, loads every table
with ``load()`` and exits. Arrow threads that outlive a read can abort an interpreter at exit
("terminate called without an active exception", exit -6), rarely and mostly under CPU
contention, so the runs go ``--jobs`` at a time and ``--busy`` adds N busy-looping processes.
Prints the exit codes seen; exits 1 if any run did not exit 0.
"""

from __future__ import annotations

import argparse
import collections
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

SNIPPET = "import rfi_umarov_2022 as ds\nfor name in ds.list_tables():\n    ds.load(name)\n"
BUSY = "while True:\n    pass\n"


def run_once(_: int) -> tuple[int, str]:
    result = subprocess.run([sys.executable, "-c", SNIPPET], capture_output=True, text=True)
    return result.returncode, result.stderr.strip().splitlines()[-1] if result.stderr.strip() else ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--busy", type=int, default=0, help="busy-looping processes beside the runs")
    args = parser.parse_args(argv)
    busy = [subprocess.Popen([sys.executable, "-c", BUSY]) for _ in range(args.busy)]
    start = time.monotonic()
    try:
        with ThreadPoolExecutor(args.jobs) as pool:
            results = list(pool.map(run_once, range(args.runs)))
    finally:
        for process in busy:
            process.kill()
            process.wait()
    codes = collections.Counter(code for code, _ in results)
    messages = collections.Counter(message for code, message in results if code != 0)
    failed = sum(n for code, n in codes.items() if code != 0)
    print(f"{args.runs} fresh processes loaded every table in {time.monotonic() - start:.0f} s "
          f"({args.jobs} at a time, {args.busy} busy): exit codes {dict(sorted(codes.items()))}")
    for message, n in messages.most_common():
        print(f"  {n} x {message}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
