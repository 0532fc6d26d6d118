"""End-to-end speed of the patent cases: cure -> cool -> bond (nip + bonding) -> cool -> tests, outputs written.

Run: PYTHONPATH=. python benchmarks/bench_cases.py [--all]    (--all adds the 7 preparation films)
Prints per case: DOFs, linear solves, seconds; then the total and the peak memory (RSS); writes
benchmarks/results/bench_cases.json.
"""
import argparse
import json
import resource
import tempfile
import time
from pathlib import Path

from fem_laminate.job import run_case
from fem_laminate.studies.validate import PATENT_CASES

CASES = Path(__file__).resolve().parents[1] / "cases"


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--all", action="store_true", help="include the preparation films")
    ap.add_argument("--json", default=str(Path(__file__).resolve().parent / "results" / "bench_cases.json"),
                    help="write the rows as JSON")
    args = ap.parse_args()
    names = PATENT_CASES if args.all else [n for n in PATENT_CASES if not n.startswith("preparation")]
    rows, t_all = [], time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for n in names:
            t0 = time.perf_counter()
            s = run_case(CASES / f"{n}.toml", Path(tmp) / n)
            dt = time.perf_counter() - t0
            rows.append({"case": n, "dofs": s["model"]["dofs"], "solves": s["model"]["solves"], "seconds": dt})
            print(f"{n:<16} {s['model']['dofs']:>7} dofs {s['model']['solves']:>4} solves {dt:7.2f} s", flush=True)
    total = time.perf_counter() - t_all
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{len(names)} cases end to end: {total:.1f} s, peak memory {peak:.0f} MB")
    if args.json:
        Path(args.json).write_text(json.dumps({"rows": rows, "total_s": total, "peak_MB": peak}, indent=2))


if __name__ == "__main__":
    main()
