"""A line grating across its lines, in 2D: the y-z cross-section of an infinitely long grating (lines along the
out-of-plane axis), generalized plane strain with out-of-plane bending (eps_xx = a + b z along the lines).

Why 2D: across the lines the 3D panel's answer is this cross-section's, and the cross-section resolves lines down
to a micrometre with a few thousand elements, so the approach of the curvature across the lines to laminate theory
with the etched foil homogenized (E f along the lines, 0 across) can be followed as the lines get finer.

Laminate: the benchmark stack (Cu 18 / PI-I 25 / PI-II 5 / Cu 18 um), stress-free at 250 C, cooled to 25 C
(elastic), top foil etched to lines = spaces = w. Section width 1 mm (curvature fitted over its central half),
two Quad2 elements per line and per space, one per layer through the thickness (two: --npl 2).

Regenerates the fixture tests/data/grating_cross_section.json (rows of both runs, one and four elements per layer;
about 15 s; read by tests/studies/test_convergence_fixtures.py):

    PYTHONPATH=. python -m tests.studies.regenerate.grating_cross_section [--widths 50 20 10 5 2 1] [--npl 1 4]
"""
import argparse
import json
import time
from pathlib import Path

import numpy as np

from fem_laminate.analytic import laminate as lam
from fem_laminate.model.materials import load_library
from fem_laminate.model.mesh import layered_mesh_2d
from fem_laminate.model.stack import Layer, Stack
from fem_laminate.physics.fe import elastic
from fem_laminate.physics.models.laminate import give_birth, initial_state, remove_elements
from fem_laminate.physics.models.schedule import change_temperature
from fem_laminate.post import measure

STACK = [("copper_ed", 18.0), ("pi_I", 25.0), ("pi_II", 5.0), ("copper_ed", 18.0)]
WIDTH_M = 1e-3
FIXTURE = Path(__file__).resolve().parents[2] / "data" / "grating_cross_section.json"
WIDTHS = {1: [50, 20, 10, 5, 2, 1], 4: [50, 20, 10, 5, 2]}  # um, per elements-per-layer


def clt_across(fraction: float) -> float:
    """kappa_y of laminate theory, lines along x, top foil homogenized (E f along, 0 across)."""
    lib = load_library()
    return float(lam.etched_lines_curvature([(lib[n], t * 1e-6) for n, t in STACK], fraction, "x", 250.0, 25.0)[1])


def section(w_m: float, npl: int = 1) -> dict:
    lib = load_library()
    st = Stack(tuple(Layer(f"{n}_{k}", lib[n], t * 1e-6, "foil") for k, (n, t) in enumerate(STACK)))
    n_per = 2  # elements per line and per space
    nx = int(round(WIDTH_M / w_m)) * n_per
    t0 = time.perf_counter()
    model = elastic.make_model(layered_mesh_2d(st.interfaces_m, WIDTH_M, nx=nx, n_per_layer=npl,
                                               edge_refinement=1.0), out_of_plane="free")
    s = initial_state(st, model, 250.0)
    s.mechanisms = {k: False for k in s.mechanisms}  # the elastic laminate of laminate theory
    give_birth(s, [0, 1, 2, 3])
    change_temperature(s, 25.0)
    mesh = model.lmesh.mesh
    xc = mesh.p[0, mesh.t].mean(axis=0) + 0.5 * WIDTH_M
    space = (np.floor(xc / w_m).astype(int) % 2) == 1
    remove_elements(s, np.flatnonzero(space & (s.layer_of_element == 3)))
    k = measure.curvature(s)["curvature_1_per_m"]
    ref = clt_across(0.5)
    return {"line_um": w_m * 1e6, "n_per_layer": npl, "dofs": int(model.ndofs), "kappa_across_1_per_m": k,
            "clt_homogenized_1_per_m": ref, "error_pct": 100.0 * (k / ref - 1.0),
            "seconds": time.perf_counter() - t0}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--widths", type=float, nargs="+", default=None, help="line widths, um (default: WIDTHS)")
    ap.add_argument("--npl", type=int, nargs="+", default=[1, 4])
    ap.add_argument("--out", default=str(FIXTURE))
    a = ap.parse_args()
    rows = []
    for npl, w in [(n, w) for n in a.npl for w in (a.widths or WIDTHS.get(n, WIDTHS[1]))]:
        r = section(w * 1e-6, npl)
        rows.append(r)
        print(f"line {w:6.2f} um  {r['dofs']:>8,} DOFs  kappa_across {r['kappa_across_1_per_m']:+.5f} 1/m  "
              f"CLT {r['clt_homogenized_1_per_m']:+.5f}  error {r['error_pct']:+.2f} %  {r['seconds']:.1f} s",
              flush=True)
    with open(a.out, "w") as fh:
        json.dump({"rows": rows}, fh, indent=1)


if __name__ == "__main__":
    main()
