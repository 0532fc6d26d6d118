"""Homogenized etch against the resolved one, with the rule of mixtures beside it.

Cases (elastic model; the benchmark laminate stress-free at 250 C, cooled to 25 C, top foil etched):
  lines  cases/circuit_lines_small.toml: 50/50 um lines along x on a 2 x 2 mm panel
  pads   the same panel with 100 um pads at 250 um pitch (--fine: 1 x 1 mm)
Rows: the resolved 3D panel (mesh as given; --fine refines it), the homogenized panel (periodic unit cells, thin
plate) and the rule of mixtures (the etched foil's modulus times its copper fraction). Columns: principal curvatures, corner lift, dimensional change along x and y, and each model's error
against the resolved panel. Appends to benchmarks/results/study_homogenization.txt.

    PYTHONPATH=. python benchmarks/study_homogenization.py [--fine]
"""
import argparse
import copy
import resource
import sys
import time
import tomllib
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _record import Tee, record  # noqa: E402

from fem_laminate import job  # noqa: E402
from fem_laminate.case import load_case_dict  # noqa: E402
from fem_laminate.process import etch as et  # noqa: E402
from fem_laminate.process.etch_homogenized import homogenized_etch  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CASE = str(ROOT / "cases" / "circuit_lines_small.toml")
ELASTIC = {"viscoelastic": False, "copper_plasticity": False, "copper_creep": False, "moisture": False}
PATTERNS = {"lines": {"kind": "lines", "line_um": 50.0, "space_um": 50.0, "direction": "x"},
            "pads": {"kind": "pads", "pad_um": 100.0, "pitch_um": 250.0}}
# --fine: two element rows per line and space (the lines); a 1 mm panel of 4 x 4 pads with two elements per pad
FINE = {"lines": {"nx": 8, "ny": 80}, "pads": {"nx": 20, "ny": 20, "length_mm": 1.0, "width_mm": 1.0}}


def row(r):
    w = r["warpage_after"]
    k1, k2 = sorted(w["principal_curvatures_1_per_m"], key=abs, reverse=True)
    return np.array([w["kappa_x_1_per_m"], w["kappa_y_1_per_m"], w["corner_lift_max_um"],
                     r["dimensional_change_x_pct"], r["dimensional_change_y_pct"]])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fine", action="store_true", help="finer resolved panels (FINE)")
    args = ap.parse_args()
    tee = Tee(sys.stdout)
    sys.stdout = tee
    base = tomllib.load(open(CASE, "rb"))
    base["physics"] = ELASTIC
    cols = ["kappa_x 1/m", "kappa_y 1/m", "lift um", "dL_x %", "dL_y %"]
    for name, spec in PATTERNS.items():
        d = copy.deepcopy(base)
        d["steps"][1]["pattern"] = spec
        if args.fine:
            d["mesh"].update(FINE[name])
        t = time.perf_counter()
        _, _, s = job.simulate(load_case_dict(d, CASE))
        t_res = time.perf_counter() - t
        rows = {f"resolved 3D ({s['model']['dofs']} DOFs)": (row(s["etch_pattern"]), t_res)}
        d0 = copy.deepcopy(d)
        d0["steps"] = d0["steps"][:1]
        d0["mesh"].update(nx=4, ny=4)
        state0, _, _ = job.simulate(load_case_dict(d0, CASE))
        p = et.build_pattern(et.Spec(kind="etch", side="top", pattern=spec), CASE, 1)
        top = state0.active_layers()[-1]
        for method in ("homogenized", "mixtures"):
            t = time.perf_counter()
            h = homogenized_etch(state0, [top], p, "top", method=method)
            rows[f"{method} ({h['pattern_classes']} class)"] = (row(h), time.perf_counter() - t)
        ref = next(iter(rows.values()))[0]
        print(f"\n{name}: {spec}")
        print(f"{'model':34s}" + "".join(f"{c:>13s}" for c in cols) + "   seconds   error against the resolved panel")
        for k, (v, sec) in rows.items():
            err = " ".join(f"{100 * (a - b) / abs(b):+7.1f}%" for a, b in zip(v, ref))
            print(f"{k:34s}" + "".join(f"{x:13.5g}" for x in v) + f"{sec:9.1f}   {err}")
    print(f"\npeak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    sys.stdout = tee.stream
    record("".join(tee.lines), "study_homogenization.txt")


if __name__ == "__main__":
    main()
