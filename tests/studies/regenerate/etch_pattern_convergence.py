"""Patterned etching: mesh convergence of the warpage, and a line grating against laminate theory.

1. Mesh convergence: cases/circuit_lines_small.toml (2 x 2 mm, top foil etched to 50/50 um lines along x),
   refined in plane (elements along the lines, element rows per line) and through the thickness; warpage
   (kappa_x, kappa_y, corner lift) and dimensional change after the etch.
2. Grating: the same plate with lines of 50, 20, 10 (and with --fine 5) um, against classical laminate theory
   with the etched foil homogenized direction by direction (E f along the lines, 0 across).

Prints one row per run (DOFs, seconds, peak RSS of this process so far) and writes JSON.

Regenerates the fixture tests/data/etch_pattern_convergence.json (about 13 min on 2 cores; read by
tests/studies/test_convergence_fixtures.py):

    PYTHONPATH=. python -m tests.studies.regenerate.etch_pattern_convergence [--quick] [--fine]
"""
import argparse
import json
import os
import resource
import time
import tomllib
from pathlib import Path

import numpy as np

from fem_laminate import job
from fem_laminate.analytic import laminate as lam
from fem_laminate.case import load_case_dict
from fem_laminate.model.materials import load_library

ROOT = Path(__file__).resolve().parents[3]
CASE = str(ROOT / "cases" / "circuit_lines_small.toml")


def base():
    with open(CASE, "rb") as f:
        return tomllib.load(f)


def run(d):
    t = time.perf_counter()
    _, _, s = job.simulate(load_case_dict(d, CASE))
    res = s["etch_pattern"]
    w = res["warpage_after"]
    return {"dofs": s["model"]["dofs"], "seconds": time.perf_counter() - t,
            "peak_rss_MB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "kappa_x_1_per_m": w["kappa_x_1_per_m"], "kappa_y_1_per_m": w["kappa_y_1_per_m"],
            "corner_lift_um": w["corner_lift_max_um"], "dimensional_change_x_pct": res["dimensional_change_x_pct"],
            "dimensional_change_y_pct": res["dimensional_change_y_pct"]}


def clt_lines(d, fraction):
    lib = load_library()
    layers = [(lib[lay["material"]], lay["thickness_um"] * 1e-6) for lay in d["layers"]]
    return lam.etched_lines_curvature(layers, fraction, "x", 250.0, 25.0)


def mesh_convergence(quick: bool):
    rows = []
    # (nx, ny, n_per_layer): ny = 40 leaves one element row per line/space (50 um), 80 two, 160 four
    grid = [(4, 40, 1), (8, 40, 1), (16, 40, 1), (8, 80, 1), (8, 40, 2)]
    if not quick:
        grid += [(32, 40, 1), (16, 160, 1), (16, 80, 2)]
    print("mesh convergence, 2 x 2 mm, 50/50 um lines along x (top foil)")
    print(f"{'nx':>4} {'ny':>4} {'npl':>3} {'DOFs':>9} {'s':>7} {'RSS MB':>7} {'kappa_x':>10} {'kappa_y':>10} "
          f"{'lift um':>9} {'dL_x %':>10} {'dL_y %':>10}")
    for nx, ny, npl in grid:
        d = base()
        d["mesh"].update(nx=nx, ny=ny, n_per_layer=npl)
        r = {"nx": nx, "ny": ny, "n_per_layer": npl, **run(d)}
        rows.append(r)
        print(f"{nx:>4} {ny:>4} {npl:>3} {r['dofs']:>9,} {r['seconds']:>7.1f} {r['peak_rss_MB']:>7.0f} "
              f"{r['kappa_x_1_per_m']:>10.5f} {r['kappa_y_1_per_m']:>10.5f} {r['corner_lift_um']:>9.4f} "
              f"{r['dimensional_change_x_pct']:>10.6f} {r['dimensional_change_y_pct']:>10.6f}", flush=True)
    return rows


def grating(fine: bool):
    rows = []
    d0 = base()
    k = clt_lines(d0, 0.5)
    print(f"\ngrating on a 2 x 2 mm panel vs laminate theory (homogenized lines): kappa_x {k[0]:.5f}, "
          f"kappa_y {k[1]:.5f} 1/m")
    print(f"{'line um':>8} {'DOFs':>9} {'s':>7} {'kappa_x':>10} {'err':>7} {'kappa_y':>10} {'err':>7}")
    widths = [50.0, 20.0, 10.0] + ([5.0] if fine else [])
    for w in widths:
        d = base()
        d["mesh"].update(nx=6, ny=6)
        d["steps"][1]["pattern"].update(line_um=w, space_um=w)
        r = {"line_um": w, **run(d), "clt_kappa_x": float(k[0]), "clt_kappa_y": float(k[1])}
        r["err_x"] = r["kappa_x_1_per_m"] / k[0] - 1
        r["err_y"] = r["kappa_y_1_per_m"] / k[1] - 1
        rows.append(r)
        print(f"{w:>8g} {r['dofs']:>9,} {r['seconds']:>7.1f} {r['kappa_x_1_per_m']:>10.5f} {r['err_x']:>+7.3f} "
              f"{r['kappa_y_1_per_m']:>10.5f} {r['err_y']:>+7.3f}", flush=True)
    return rows


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--fine", action="store_true", help="add 5 um lines (about 0.5 M DOF)")
    ap.add_argument("--out", default=str(ROOT / "tests" / "data" / "etch_pattern_convergence.json"))
    a = ap.parse_args()
    load = os.getloadavg()
    out = {"load_average_at_start": load, "mesh": mesh_convergence(a.quick), "grating": grating(a.fine),
           "load_average_at_end": os.getloadavg()}
    print(f"load average at start {load[0]:.2f}, at end {out['load_average_at_end'][0]:.2f}")
    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    with open(a.out, "w") as f:
        json.dump(out, f, indent=1)
