"""CG iterations of the cg_plate preconditioner as the in-plane element size h drops below the plate thickness t.

The benchmark laminate (Cu 18 / PI-I 25 / PI-II 5 / Cu 18 um, t = 66 um, physics/fe/twolevel.py + physics/fe/multigrid.py)
on square plates of side L with n x n Hex27 elements, symmetry constraints, relative residual 1e-8: the column/plate
two-level method alone against the same with geometric in-plane levels (PlateMultigrid). Prints a table and writes
benchmarks/results/bench_thin_mesh_levels.json. Usage: PYTHONPATH=. python benchmarks/bench_thin_mesh_levels.py
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

import numpy as np

from fem_laminate.physics.fe import multigrid, twolevel
from fem_laminate.physics.fe.elastic import assemble_eigenstrain_load, assemble_stiffness
from fem_laminate.studies import bench

CASES = [(10e-3, 16), (2e-3, 16), (2e-3, 32), (1e-3, 32), (0.5e-3, 32)]  # (L, n)


def run(L: float, n: int) -> dict:
    bench.LENGTH_M = L
    _, model, _, _, D, eig = bench.build_problem(3, 1000, nx=n)
    K, f = assemble_stiffness(model, D), assemble_eigenstrain_load(model, D, eig)
    free = np.setdiff1d(np.arange(model.ndofs), bench.constrained_dofs(model, L))
    Kf, ff = K[free][:, free].tocsr(), f[free]
    row = {"L_mm": L * 1e3, "n": n, "h_um": L / n * 1e6, "dofs": int(model.ndofs), "load_1min": os.getloadavg()[0]}
    for name, M in (("two_level", lambda: twolevel.ColumnPlatePreconditioner(Kf, model.basis.doflocs[:, free // 3],
                                                                             free % 3)),
                    ("with_levels", lambda: multigrid.PlateMultigrid(Kf, model.basis, free))):
        t0 = time.perf_counter()
        P = M()
        _, its, res = twolevel.pcg(Kf, ff, P, tol=1e-8)
        row[name] = {"iterations": its, "residual": res, "seconds": time.perf_counter() - t0,
                     "levels": getattr(P, "sizes", [Kf.shape[0]])}
    return row


if __name__ == "__main__":
    rows = []
    print(f"{'L mm':>5} {'n':>3} {'h um':>5} {'DOFs':>7} {'two-level its':>14} {'with levels its':>16}  level sizes")
    for L, n in CASES:
        r = run(L, n)
        rows.append(r)
        print(f"{r['L_mm']:5.1f} {n:3d} {r['h_um']:5.0f} {r['dofs']:7d} {r['two_level']['iterations']:14d} "
              f"{r['with_levels']['iterations']:16d}  {r['with_levels']['levels']}", flush=True)
    out = Path(__file__).parent / "results" / "bench_thin_mesh_levels.json"
    out.write_text(json.dumps({"plate_thickness_um": 66, "rows": rows}, indent=1))
