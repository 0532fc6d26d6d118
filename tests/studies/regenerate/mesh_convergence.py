"""Mesh-convergence evidence for the elastic core (issue 2 item 7).

Free thermal curl of a 2-layer (Cu 35 / PI-I 24 um, the single-sided base) and a 4-layer
(Cu 18 / PI-I 25 / PI-II 5 / Cu 18 um) stack cooled from a stress-free 250 C to 25 C, measured at the
centre of a 10 mm sample by a paraboloid fit over the central half, against classical lamination theory
(fem_laminate.analytic.multilayer_strain with biaxial moduli E/(1-nu): the 2D model with free out-of-plane
bending and the 3D plate are both equi-biaxial far from the edges). Refined in plane and through the
thickness, 2D (Quad2, and Quad1 for contrast) and 3D (Hex2 vs trilinear Hex1: Hex1 locks in bending when
the elements are much wider than thick, Hex2 does not).

Regenerates the fixture tests/data/mesh_convergence.json read by tests/studies/test_convergence_fixtures.py
(about 3 min on 2 cores; --quick: two meshes per path, a few seconds, run by that test):

    PYTHONPATH=. python -m tests.studies.regenerate.mesh_convergence [--quick] [--out tests/data/mesh_convergence.json]
"""
import argparse
import json
import os
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from fem_laminate.analytic.laminate import biaxial_modulus, multilayer_strain
from fem_laminate.studies.bench import centre_curvature, constrained_dofs
from fem_laminate.model.materials import load_library
from fem_laminate.model.mesh import layered_mesh_2d, layered_mesh_3d
from fem_laminate.physics.fe.elastic import assemble_eigenstrain_load, assemble_stiffness, isotropic_D, make_model
from fem_laminate.physics.fe.solvers import solve

STACKS = {
    "2-layer Cu35/PI-I24": (("copper_ed", 35e-6), ("pi_I", 24e-6)),
    "4-layer Cu18/PI-I25/PI-II5/Cu18": (("copper_ed", 18e-6), ("pi_I", 25e-6), ("pi_II", 5e-6), ("copper_ed", 18e-6)),
}
T_SF_C, T_C, LENGTH_M = 250.0, 25.0, 10e-3
FIXTURE = Path(__file__).resolve().parents[2] / "data" / "mesh_convergence.json"


def reference_curvature(stack) -> float:
    lib = load_library()
    mats = [lib[n] for n, _ in stack]
    E = biaxial_modulus([float(m.E(T_C)) for m in mats], [m.nu for m in mats])
    e = [float(m.thermal_strain(T_C) - m.thermal_strain(T_SF_C)) for m in mats]
    return multilayer_strain(E, [t for _, t in stack], e)[1]


def fe_curvature(stack, dim: int, nx: int, n_per_layer: int, quadratic: bool) -> dict:
    lib = load_library()
    mats = [lib[n] for n, _ in stack]
    z = np.concatenate([[0.0], np.cumsum([t for _, t in stack])])
    if dim == 2:
        lm = layered_mesh_2d(z, LENGTH_M, nx=nx, n_per_layer=n_per_layer, edge_refinement=1.0)
    else:
        lm = layered_mesh_3d(z, LENGTH_M, LENGTH_M, nx=nx, ny=nx, n_per_layer=n_per_layer)
    model = make_model(lm, out_of_plane="free", quadratic=quadratic)
    E = np.array([float(m.E(T_C)) for m in mats])[lm.layer]
    nu = np.array([m.nu for m in mats])[lm.layer]
    D = isotropic_D(E, nu, dim)
    e_in = np.array([float(m.thermal_strain(T_C) - m.thermal_strain(T_SF_C)) for m in mats])[lm.layer]
    e_z = np.array([float(m.thermal_strain_z(T_C) - m.thermal_strain_z(T_SF_C)) for m in mats])[lm.layer]
    eig = np.zeros((len(lm.layer), model.ncomp))
    eig[:, 0] = e_in
    eig[:, 1] = e_z if dim == 2 else e_in  # 2D: y is the thickness; 3D: z is
    eig[:, 2] = e_in if dim == 2 else e_z
    t0 = time.perf_counter()
    K = assemble_stiffness(model, D)
    f = assemble_eigenstrain_load(model, D, eig)
    free = np.setdiff1d(np.arange(model.ndofs), constrained_dofs(model, LENGTH_M))
    x, _ = solve(sp.csr_matrix(K)[free][:, free], f[free])
    u = np.zeros(model.ndofs)
    u[free] = x
    return {"dofs": int(model.ndofs), "seconds": time.perf_counter() - t0,
            "curvature_per_m": centre_curvature(model, u, LENGTH_M)}


def studies(quick: bool):
    """(dim, element, [(nx, n_per_layer), ...]) refinement paths."""
    r2 = [(10, 1), (20, 1), (40, 2), (80, 2), (160, 4)] if not quick else [(10, 1), (40, 2)]
    r3 = [(4, 1), (8, 1), (16, 1), (32, 2)] if not quick else [(4, 1), (8, 1)]
    r3_lin = [(4, 1), (8, 2), (16, 2), (32, 4)] if not quick else [(4, 1), (8, 2)]
    return [(2, "Quad2", True, r2), (2, "Quad1", False, r2), (3, "Hex2", True, r3), (3, "Hex1", False, r3_lin)]


def run(quick: bool, echo=print) -> list[dict]:
    """Every refinement path of every stack: one row per mesh, with the CLT reference and the relative error."""
    rows = []
    echo(f"{'stack':34s} {'dim':>3s} {'elem':5s} {'nx':>4s} {'n/layer':>7s} {'DOFs':>8s} "
         f"{'kappa 1/m':>12s} {'CLT 1/m':>12s} {'rel.err':>9s} {'s':>6s}")
    for sname, stack in STACKS.items():
        k_ref = reference_curvature(stack)
        for dim, ename, quadratic, path in studies(quick):
            for nx, npl in path:
                r = fe_curvature(stack, dim, nx, npl, quadratic)
                err = r["curvature_per_m"] / k_ref - 1
                rows.append({"stack": sname, "dim": dim, "element": ename, "nx": nx, "n_per_layer": npl,
                             "reference_curvature_per_m": k_ref, "relative_error": err, **r})
                echo(f"{sname:34s} {dim:3d} {ename:5s} {nx:4d} {npl:7d} {r['dofs']:8d} "
                     f"{r['curvature_per_m']:12.6g} {k_ref:12.6g} {err:9.2e} {r['seconds']:6.1f}")
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="two meshes per path (a smoke run)")
    ap.add_argument("--out", default=str(FIXTURE))
    a = ap.parse_args()
    rows = run(a.quick, echo=lambda s: print(s, flush=True))
    os.makedirs(os.path.dirname(a.out) or ".", exist_ok=True)
    with open(a.out, "w") as fh:
        json.dump({"length_m": LENGTH_M, "T_stress_free_C": T_SF_C, "T_C": T_C, "rows": rows}, fh, indent=1)


if __name__ == "__main__":
    main()
