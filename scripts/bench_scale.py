"""Benchmark (not a test): build time as the number of claims grows (1x, 10x, 100x).

    python scripts/bench_scale.py [--factors 1 10 100] [--root .]

Copies the project into a temporary folder, repeats every curated claim under new ids (with a
paraphrase marked as a copy, so that no claim duplicates another), and times a full build in
a fresh process. The cost should stay linear; the target is at most 15 s for 10,000 claims.
"""

from __future__ import annotations

import argparse
import copy as copying
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

CLAIMS = "dataset/annotations/claims.yaml"
COPIED = ("schema", "dataset", "docs", "rfi_umarov_2022/__init__.py")


def project_copy(root: Path, target: Path) -> None:
    for rel in COPIED:
        source = root / rel
        if source.is_dir():
            shutil.copytree(source, target / rel, ignore=shutil.ignore_patterns("*.parquet"))
        else:
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target / rel)
    shutil.copyfile(root / "datapackage.json", target / "datapackage.json")


def multiply_claims(path: Path, factor: int) -> int:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    claims = data["claims"]
    copies = []
    for copy in range(1, factor):
        for claim in claims:
            twin = dict(copying.deepcopy(claim), claim_id=f"c{copy:03d}{claim['claim_id'][1:]}",
                        paraphrase=f"{claim['paraphrase']} (copy {copy})")
            twin.pop("restates_claim_id", None)
            copies.append(twin)
    data["claims"] = claims + copies
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return len(data["claims"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--factors", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("--root", type=Path, default=Path.cwd())
    args = parser.parse_args()
    print(f"{'claims':>8} {'build s':>8} {'ms/claim':>9}")
    for factor in args.factors:
        with tempfile.TemporaryDirectory() as tmp:
            target = Path(tmp)
            project_copy(args.root, target)
            n = multiply_claims(target / CLAIMS, factor)
            start = time.perf_counter()
            result = subprocess.run([sys.executable, "-m", "rfi_umarov_2022_build", "--root",
                                     str(target)], capture_output=True, text=True)
            elapsed = time.perf_counter() - start
            if result.returncode != 0:
                print(result.stderr, file=sys.stderr)
                return 1
            print(f"{n:>8} {elapsed:>8.2f} {elapsed / n * 1000:>9.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
