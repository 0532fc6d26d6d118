"""Thread scaling of the iterative plate solver (cg_plate): the benchmark plate at one size, 1 and 2 (or more)
threads, each run in a fresh process, repeated and alternated so that a burst of load from other jobs hits both; the
best of the repeats is the measure (and all repeats are kept). Usage:

    python benchmarks/bench_threads.py [--size 1000000] [--threads 1,2] [--repeats 3] [--element lagrange]

Results: benchmarks/results/bench_threads.json (appended), a table on stdout.
"""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "benchmarks" / "results" / "bench_threads.json"


def arg(argv, name, default):
    return argv[argv.index(name) + 1] if name in argv else default


def main(argv: list[str]) -> None:
    from fem_laminate.studies.bench import Config, run_isolated

    size = int(float(arg(argv, "--size", "1000000")))
    threads = [int(t) for t in arg(argv, "--threads", "1,2").split(",")]
    repeats = int(arg(argv, "--repeats", "3"))
    family = arg(argv, "--element", "lagrange")
    rows = []
    for rep in range(repeats):
        for t in (threads if rep % 2 == 0 else threads[::-1]):
            load = os.getloadavg()[0]
            r = run_isolated(Config(3, size, "fast", "cg_plate", t, family=family), max_memory_GB=12)
            r.update(load_1min_at_start=load, load_1min_at_end=os.getloadavg()[0], repeat=rep,
                     date_utc=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
            rows.append(r)
            print(json.dumps({k: r.get(k) for k in ("threads", "dofs", "assembly_s", "solve_s", "iterations",
                                                    "peak_MB", "cpu_s", "wall_s", "load_1min_at_start", "status")}),
                  flush=True)
    best = {t: min((r for r in rows if r["threads"] == t and r["status"] == "ok"), key=lambda r: r["solve_s"],
                   default=None) for t in threads}
    print(f"{'threads':>7} {'DOFs':>9} {'solve s (best)':>15} {'speed-up':>9} {'assembly s':>11} {'peak MB':>8}")
    base = best[threads[0]]
    for t, r in best.items():
        if r is None:
            print(f"{t:>7} failed")
            continue
        print(f"{t:>7} {r['dofs']:>9} {r['solve_s']:>15.2f} {base['solve_s'] / r['solve_s']:>9.2f} "
              f"{r['assembly_s']:>11.2f} {r['peak_MB']:>8.0f}")
    old = json.loads(OUT.read_text()) if OUT.exists() else []
    OUT.write_text(json.dumps(old + rows, indent=1) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
