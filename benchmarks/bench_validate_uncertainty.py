"""Wall time of `fem-laminate validate --uncertainty 64` over the 18 patent rows (target: <= 15 min on 2 cores).

Runs the CLI in a subprocess into a fresh folder (no runs to read back) and prints the wall time, the number of
one-at-a-time runs and the headline of validation.md; appends the printout to
benchmarks/results/bench_validate_uncertainty.txt. Give --samples to change N (it does not change the run count:
the bands are N samples of the first-order model; see fem_laminate/studies/validate_bands.py).

    PYTHONPATH=. python benchmarks/bench_validate_uncertainty.py [--samples 64] [--workers 2]
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _record import Tee, record

ROOT = Path(__file__).resolve().parents[1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=int, default=64)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    sys.stdout = tee = Tee(sys.stdout)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "validation"
        t0 = time.perf_counter()
        env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
        res = subprocess.run([sys.executable, "-m", "fem_laminate.cli", "validate", "--cases", str(ROOT / "cases"),
                              "--out", str(out), "--uncertainty", str(args.samples), "--workers", str(args.workers)],
                             env=env, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        runs = len(list((out / "uncertainty" / "evals").glob("*/point.json")))
        head = (out / "validation.md").read_text().splitlines()[:4] if res.returncode == 0 else [res.stderr[-500:]]
    load = os.getloadavg()[0]
    print(f"validate --uncertainty {args.samples}: {wall:.0f} s wall ({wall / 60:.1f} min), exit {res.returncode}, "
          f"{runs} one-at-a-time runs on {args.workers} workers, {os.cpu_count()} cores, load average {load:.1f}")
    print("\n".join(head))
    sys.stdout = tee.stream
    record("".join(tee.lines), "bench_validate_uncertainty.txt")


if __name__ == "__main__":
    main()
