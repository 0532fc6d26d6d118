"""Calibrate the memory factor of fem_laminate/sizing.py: peak resident memory per DOF of a case run.

Each point runs `job.simulate` for Example 1 (2D) or its plate3d variant at a given resolution in a fresh
subprocess and records DOFs, seconds and the peak RSS (ru_maxrss) above the interpreter's baseline after
imports. Usage: python benchmarks/size_calibration.py [--quick]; results in benchmarks/results/size_calibration.txt.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHILD = r'''
import json, resource, sys, time, tomllib
import fem_laminate.case as C
from fem_laminate import job
C.check_size = lambda case: None  # measure, do not refuse
load_case_dict = C.load_case_dict
d = tomllib.loads(open(sys.argv[1]).read())
d["mesh"].update(json.loads(sys.argv[2]))
d["steps"] = [s for s in d["steps"] if s["kind"] in ("cure", "cool")][:2]  # the thermoelastic chain
case = load_case_dict(d, sys.argv[1])
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
t0 = time.perf_counter()
state, record, summary = job.simulate(case)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"dofs": summary["model"]["dofs"], "seconds": time.perf_counter() - t0,
                  "peak_bytes": peak - base, "baseline_bytes": base}))
'''


def run(case: str, mesh: dict) -> dict:
    env = {"PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg", "PATH": "/usr/bin:/bin"}
    r = subprocess.run([sys.executable, "-c", CHILD, str(ROOT / "cases" / case), json.dumps(mesh)],
                       capture_output=True, text=True, env=env, cwd=ROOT)
    if r.returncode:
        raise SystemExit(r.stderr)
    return json.loads(r.stdout)


def main(quick: bool = False) -> None:
    points = [("example_1.toml", {"nx": nx, "n_per_layer": 4}) for nx in ((200, 800) if quick else (200, 800, 3200, 8000))]
    points += [("example_1_plate3d.toml", {"nx": n, "ny": n}) for n in ((12, 24) if quick else (12, 24, 36))]
    lines = [f"{'case':<24} {'mesh':<28} {'dofs':>9} {'s':>7} {'peak MB':>8} {'bytes/dof':>9}"]
    for case, mesh in points:
        r = run(case, mesh)
        lines.append(f"{case:<24} {json.dumps(mesh):<28} {r['dofs']:>9} {r['seconds']:7.2f} "
                     f"{r['peak_bytes'] / 1e6:8.1f} {r['peak_bytes'] / r['dofs']:9.0f}")
        print(lines[-1], flush=True)
    out = ROOT / "benchmarks" / "results" / "size_calibration.txt"
    out.write_text("\n".join(lines) + "\n")
    print(f"-> {out}")


if __name__ == "__main__":
    main("--quick" in sys.argv)
