"""Homogenized etch against the resolved one, with the rule of mixtures beside it.

Cases (elastic model; the benchmark laminate stress-free at 250 C, cooled to 25 C, top foil etched):
  lines  cases/circuit_lines_small.toml: 50/50 um lines along x on a 2 x 2 mm panel
  pads   the same laminate with 100 um pads at 250 um pitch on a 1 x 1 mm panel (4 x 4 pads)
Rows: the resolved 3D panel on a refinement sequence (every in-plane element size halved, or 1, 2, 3 elements per
pad; one element per layer, the cell's), its Richardson extrapolation (the observed order p from the three meshes,
f = f_ext + C h^p), the homogenized panel (periodic unit cells, thin plate) and the rule of mixtures (the etched
foil's modulus times its copper fraction). Columns: principal curvatures, corner lift, dimensional change along x
and y. Each resolved mesh's discretisation error is its difference to the extrapolation; each model's error is
against the extrapolation. Appends to benchmarks/results/study_homogenization.txt.

    PYTHONPATH=. python benchmarks/study_homogenization.py [--solver cg_amg] [--only lines|pads] [--reuse]

Each resolved run is kept in benchmarks/results/study_homogenization_resolved.json; --reuse takes them from there
instead of running them again (the lines' 16 x 160 run there is the one of tests/data/etch_pattern_convergence.json,
the same case and settings with the direct solver: its 4 x 40 and 8 x 80 rows agree with this study's own runs
with the iterative solver to 1e-8).
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
PANEL = {"lines": {"length_mm": 2.0, "width_mm": 2.0}, "pads": {"length_mm": 1.0, "width_mm": 1.0}}
# (nx, ny): lines, 1, 2 and 4 element rows per line and space, the elements along the lines halved with them;
# pads, 1, 2 and 3 elements across a pad
MESHES = {"lines": [(4, 40), (8, 80), (16, 160)], "pads": [(10, 10), (20, 20), (30, 30)]}
COLS = ["kappa_x 1/m", "kappa_y 1/m", "lift um", "dL_x %", "dL_y %"]


def row(r):
    w = r["warpage_after"]
    return np.array([w["kappa_x_1_per_m"], w["kappa_y_1_per_m"], w["corner_lift_max_um"],
                     r["dimensional_change_x_pct"], r["dimensional_change_y_pct"]])


def richardson(h, f):
    """Extrapolate f(h) = f0 + C h^p to h = 0 from three meshes h1 > h2 > h3 (any ratios): p from
    (f1 - f2) / (f2 - f3) = (h1^p - h2^p) / (h2^p - h3^p) by bisection on [0.3, 8]. Returns (f0, p); p is nan and
    f0 the finest value when the differences change sign or do not shrink (no asymptotic range)."""
    h1, h2, h3 = h
    f1, f2, f3 = f
    d12, d23 = f1 - f2, f2 - f3
    if d23 == 0.0 or d12 == 0.0:
        return f3, float("nan")
    ratio = d12 / d23

    def g(p):
        return (h1**p - h2**p) / (h2**p - h3**p) - ratio

    lo, hi = 0.3, 8.0
    if ratio <= 0 or g(lo) * g(hi) > 0:
        return f3, float("nan")
    for _ in range(100):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if g(lo) * g(mid) > 0 else (lo, mid)
    p = 0.5 * (lo + hi)
    c = d23 / (h2**p - h3**p)
    return f3 - c * h3**p, p


def pct(a, b):
    return 100.0 * (a - b) / abs(b)


RUNS = ROOT / "benchmarks" / "results" / "study_homogenization_resolved.json"


def cached_runs():
    """The resolved runs kept by earlier runs of this study (pattern -> "nx x ny" -> dofs, values, seconds)."""
    import json
    return json.load(open(RUNS)) if RUNS.is_file() else {}


def keep_run(name, nx, ny, dofs, v, sec):
    import json
    runs = cached_runs()
    runs.setdefault(name, {})[f"{nx} x {ny}"] = {"dofs": int(dofs), "values": [float(x) for x in v],
                                                 "seconds": float(sec), "columns": COLS}
    RUNS.write_text(json.dumps(runs, indent=1))


def spacing(dofs):
    """The in-plane node spacing relative to the panel: (in-plane nodes)^(-1/2), from the DOFs (three per node,
    nine node planes through the four layers at one quadratic element each). The mesher adds grid lines on every
    pattern edge, so the element counts are not exactly the nx, ny asked for."""
    return (dofs / 27.0) ** -0.5


def study(name, spec, base, solver, reuse=False):
    d = copy.deepcopy(base)
    d["steps"][1]["pattern"] = spec
    d["mesh"].update(PANEL[name])
    res = []
    kept = cached_runs().get(name, {})
    for nx, ny in MESHES[name]:
        if reuse and f"{nx} x {ny}" in kept:
            r = kept[f"{nx} x {ny}"]
            res.append((f"resolved {nx} x {ny} ({r['dofs']} DOFs, kept)", np.array(r["values"]), r["seconds"],
                        spacing(r["dofs"])))
            continue
        dm = copy.deepcopy(d)
        dm["mesh"].update(nx=nx, ny=ny, n_per_layer=1, solver=solver)
        t = time.perf_counter()
        _, _, s = job.simulate(load_case_dict(dm, CASE))
        res.append((f"resolved {nx} x {ny} ({s['model']['dofs']} DOFs)", row(s["etch_pattern"]),
                    time.perf_counter() - t, spacing(s["model"]["dofs"])))
        keep_run(name, nx, ny, s["model"]["dofs"], res[-1][1], res[-1][2])
        print(f"  {res[-1][0]}: {res[-1][1]} in {res[-1][2]:.0f} s", flush=True)
    h = [r[3] / res[0][3] for r in res]
    print("  relative spacing h: " + ", ".join(f"{x:.3f}" for x in h))
    F = np.array([r[1] for r in res])
    ext, order = zip(*(richardson(h, F[:, j]) for j in range(F.shape[1])))
    ext = np.array(ext)
    d0 = copy.deepcopy(d)
    d0["steps"] = d0["steps"][:1]
    d0["mesh"].update(nx=4, ny=4)
    state0, _, _ = job.simulate(load_case_dict(d0, CASE))
    p = et.build_pattern(et.Spec(kind="etch", side="top", pattern=spec), CASE, 1)
    top = state0.active_layers()[-1]
    models = []
    for method in ("homogenized", "mixtures"):
        t = time.perf_counter()
        hr = homogenized_etch(state0, [top], p, "top", method=method)
        models.append((f"{method} ({hr['pattern_classes']} class)", row(hr), time.perf_counter() - t))
    print(f"\n{name}: {spec}, {PANEL[name]['length_mm']:g} x {PANEL[name]['width_mm']:g} mm")
    print(f"{'':40s}" + "".join(f"{c:>13s}" for c in COLS) + "   seconds   error against the extrapolation")
    for k, v, sec, _ in res:
        print(f"{k:40s}" + "".join(f"{x:13.5g}" for x in v) + f"{sec:9.1f}   "
              + " ".join(f"{pct(a, b):+7.2f}%" for a, b in zip(v, ext)))
    print(f"{'Richardson extrapolation':40s}" + "".join(f"{x:13.5g}" for x in ext)
          + ("   (order nan: no asymptotic range, the finest mesh quoted)" if np.isnan(order).any() else ""))
    print(f"{'  observed order p':40s}" + "".join(f"{x:13.2f}" for x in order))
    for k, v, sec in models:
        print(f"{k:40s}" + "".join(f"{x:13.5g}" for x in v) + f"{sec:9.1f}   "
              + " ".join(f"{pct(a, b):+7.2f}%" for a, b in zip(v, ext)))
    return res, ext, order, models


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--solver", default="cg_amg", help="linear solver of the resolved runs (mesh.solver)")
    ap.add_argument("--only", choices=list(PATTERNS), help="one pattern only")
    ap.add_argument("--reuse", action="store_true", help="take the resolved runs kept by an earlier run")
    args = ap.parse_args()
    base = tomllib.load(open(CASE, "rb"))
    base["physics"] = ELASTIC
    for name, spec in PATTERNS.items():
        if args.only in (None, name):
            tee = Tee(sys.stdout)  # each pattern recorded as soon as it is done
            sys.stdout = tee
            study(name, spec, base, args.solver, args.reuse)
            print(f"\npeak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
            sys.stdout = tee.stream
            record("".join(tee.lines), "study_homogenization.txt")


if __name__ == "__main__":
    main()
