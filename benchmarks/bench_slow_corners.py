"""The slow corners: 3D plate chains with an added dry hold (and humid conditioning), every [physics] law on.

Run: PYTHONPATH=. python benchmarks/bench_slow_corners.py [--quick]   (--quick: the small circuit-lines pair only)
Each chain runs twice, as bundled and with the steps added, each in its own process (its peak memory is its own):
- circuit_lines_small (38 k DOF): + a 0.56 min dry hold at 454 C after the cool;
- example_1_plate3d (29 k DOF): + a 0.56 min dry hold at 454 C and 4 h at 21 C / 50 % RH after the second cool.
Prints and keeps DOFs, wall and CPU seconds, peak memory (RSS), thermoelastic increments and linear solves; the
runs are appended to benchmarks/results/bench_slow_corners.json.
"""
import argparse
import json
import multiprocessing as mp
import resource
import time
import tomllib
from pathlib import Path

CASES = Path(__file__).resolve().parents[1] / "cases"
OUT = Path(__file__).resolve().parent / "results" / "bench_slow_corners.json"
HOLD = {"kind": "hold", "temperature_C": 454.0, "minutes": 0.56}
CONDITION = {"kind": "condition", "temperature_C": 21.0, "rh_pct": 50.0, "hours": 4.0}
# (case, steps added, after which step kind's n-th occurrence)
CORNERS = {"circuit_lines_small": ([HOLD], ("cool", 1)),
           "example_1_plate3d": ([HOLD, CONDITION], ("cool", 2))}


def _with_steps(d: dict, added: list, after: tuple) -> dict:
    kind, nth = after
    at = [i for i, s in enumerate(d["steps"]) if s["kind"] == kind][nth - 1] + 1
    return {**d, "steps": d["steps"][:at] + added + d["steps"][at:]}


def _run(name: str, added: bool, queue) -> None:
    """One chain in this (child) process: its counts, seconds and peak memory go back through `queue`."""
    from fem_laminate.case import load_case_dict
    from fem_laminate.job import simulate
    d = tomllib.loads((CASES / f"{name}.toml").read_text())
    if added:
        d = _with_steps(d, *CORNERS[name])
    case = load_case_dict(d, source=name)
    c0, w0 = time.process_time(), time.perf_counter()
    state, _, summary = simulate(case)
    queue.put({"case": name, "with_hold_condition": added, "dofs": summary["model"]["dofs"],
               "seconds": time.perf_counter() - w0, "cpu_seconds": time.process_time() - c0,
               "peak_MB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
               "increments": state.increments, "solves": state.solves})


def measure(name: str, added: bool) -> dict:
    ctx = mp.get_context("spawn")  # a fresh process: peak memory and caches are this run's only
    q = ctx.Queue()
    p = ctx.Process(target=_run, args=(name, added, q))
    p.start()
    row = q.get()
    p.join()
    return row


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="the circuit-lines pair only")
    args = ap.parse_args()
    names = ["circuit_lines_small"] + ([] if args.quick else ["example_1_plate3d"])
    rows = []
    for n in names:
        for added in (False, True):
            r = measure(n, added)
            rows.append(r)
            print(f"{n:<20} {'+hold/condition' if added else 'bundled':<16} {r['dofs']:>6} dofs "
                  f"{r['increments']:>4} increments {r['solves']:>4} solves {r['seconds']:7.1f} s "
                  f"(cpu {r['cpu_seconds']:6.1f} s) {r['peak_MB']:6.0f} MB", flush=True)
        base, corner = rows[-2], rows[-1]
        print(f"{n:<20} ratio with/without: cpu {corner['cpu_seconds'] / base['cpu_seconds']:.2f}, "
              f"increments {corner['increments'] / base['increments']:.2f}")
    runs = json.loads(OUT.read_text())["runs"] if OUT.is_file() else []
    runs.append({"date": time.strftime("%Y-%m-%dT%H:%MZ", time.gmtime()), "rows": rows})
    OUT.write_text(json.dumps({"runs": runs}, indent=2) + "\n")


if __name__ == "__main__":
    main()
