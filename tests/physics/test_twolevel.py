"""The iterative solver for thin layered plates (physics/twolevel.py, solvers 'cg_plate'; issue 14 items 2-3).

Checks, on the benchmark laminate (Cu 18 / PI-I 25 / PI-II 5 / Cu 18 um, real moduli, cooled 250 -> 25 C):
CG with the column/plate preconditioner reaches the direct solution (relative displacement error < 1e-6,
curvature < 1e-6) for Hex27 and Hex20, with an iteration count that does not grow as the mesh doubles; constraints
that forbid whole plate motions; odd, graded grids with a clamped edge; the automatic choice by size and memory;
a whole plate3d case (patterned etch) through the thermoelastic increments and summary.json.
"""
import numpy as np
import pytest
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from fem_laminate.case import load_case_dict
from fem_laminate.model.materials import load_library
from fem_laminate.model.mesh import layered_mesh_3d
from fem_laminate.physics import solvers, twolevel
from fem_laminate.physics.elastic import assemble_eigenstrain_load, assemble_stiffness, isotropic_D, make_model
from fem_laminate.studies.bench import STACK, build_problem, centre_curvature, constrained_dofs

TOL = 1e-10


def bench_system(target, family):
    lmesh, model, E, nu, D, eig = build_problem(3, target, family=family)
    K = assemble_stiffness(model, D)
    f = assemble_eigenstrain_load(model, D, eig)
    fixed = constrained_dofs(model)
    free = np.setdiff1d(np.arange(model.ndofs), fixed)
    return model, K[free][:, free].tocsr(), f[free], free


@pytest.mark.parametrize("family", ["lagrange", "serendipity"])
def test_cg_plate_matches_the_direct_solve_and_iterations_stay_flat(family):
    its = []
    for target in (2500, 5000):  # the in-plane grid 1.4x finer each way: twice the unknowns
        model, K, f, free = bench_system(target, family)
        x, info = solvers.solve(K, f, method="cg_plate", tol=TOL, layout=solvers.Layout.of(model.basis.doflocs, free))
        x_ref = spla.spsolve(K.tocsc(), f)
        assert info.method == "cg_plate" and info.residual <= 10 * TOL
        assert np.abs(x - x_ref).max() / np.abs(x_ref).max() < 1e-6
        u, u_ref = np.zeros(model.ndofs), np.zeros(model.ndofs)
        u[free], u_ref[free] = x, x_ref
        assert abs(centre_curvature(model, u) / centre_curvature(model, u_ref) - 1) < 1e-6
        its.append(info.iterations)
    assert its[1] <= its[0] + 3 and max(its) <= 35, its


def test_plate_motions_forbidden_by_constraints_drop_out():
    """u_x fixed on a whole column removes its u and z*u motions; the plate operator stays nonsingular."""
    model, K, f, free = bench_system(2500, "lagrange")
    lay = solvers.Layout.of(model.basis.doflocs, free)
    blocks = twolevel.columns(lay.position)
    R = twolevel.plate_modes(lay.position, lay.component, blocks)
    ncol = blocks.shape[0]
    assert R.shape[1] < twolevel.NMODES * ncol  # the symmetry planes remove motions
    assert np.all(np.diff(R.tocsc().indptr) > 0)  # no empty motion
    on_plane = np.abs(lay.position[0]) < 1e-12
    assert not np.any(lay.component[on_plane] == 0)  # u_x is not among the free unknowns on x = 0
    AR = (R.T @ K @ R).tocsc()
    assert np.all(np.abs(spla.splu(AR).U.diagonal()) > 0)


def test_odd_graded_grid_with_a_clamped_edge():
    """Nothing assumes a structured or even grid: 7 x 5 graded elements, 2 per layer, clamped at x = -L/2."""
    lib = load_library()
    mats = [lib[name] for name, _ in STACK]
    interfaces = np.concatenate([[0.0], np.cumsum([t for _, t in STACK])])
    lmesh = layered_mesh_3d(interfaces, 4e-3, 3e-3, nx=7, ny=5, n_per_layer=2, edge_refinement=0.5)
    model = make_model(lmesh)
    E = np.array([float(m.E(25.0)) for m in mats])[lmesh.layer]
    D = isotropic_D(E, np.array([m.nu for m in mats])[lmesh.layer], 3)
    e = np.array([float(m.thermal_strain(25.0) - m.thermal_strain(250.0)) for m in mats])[lmesh.layer]
    eig = np.zeros((model.nelements, 6))
    eig[:, 0] = eig[:, 1] = eig[:, 2] = e
    K, f = assemble_stiffness(model, D), assemble_eigenstrain_load(model, D, eig)
    X = model.basis.doflocs
    clamped = np.flatnonzero(np.abs(X[0] + 2e-3) < 1e-12)
    free = np.setdiff1d(np.arange(model.ndofs), (3 * clamped[:, None] + np.arange(3)).ravel())
    Kf, ff = K[free][:, free].tocsr(), f[free]
    x, info = solvers.solve(Kf, ff, method="cg_plate", tol=TOL, layout=solvers.Layout.of(X, free))
    x_ref = spla.spsolve(Kf.tocsc(), ff)
    assert np.abs(x - x_ref).max() / np.abs(x_ref).max() < 1e-6
    assert info.iterations <= 40


def test_auto_chooses_by_size_and_memory(monkeypatch):
    monkeypatch.setattr(solvers, "available_bytes", lambda: 64e9)
    assert solvers.choose_method(solvers.ITERATIVE_ABOVE + 1, plate3d=True) == "cg_plate"
    assert solvers.choose_method(solvers.ITERATIVE_ABOVE, plate3d=True) == solvers.default_method()
    assert solvers.choose_method(10 * solvers.ITERATIVE_ABOVE, plate3d=False) == solvers.default_method()
    # a process chain re-uses a factorisation: direct while it fits
    assert solvers.choose_method(2 * solvers.ITERATIVE_ABOVE, plate3d=True, many_solves=True) == solvers.default_method()
    monkeypatch.setattr(solvers, "available_bytes", lambda: 100e6)  # a direct factorisation would not fit
    assert solvers.choose_method(20_000, plate3d=True) == "cg_plate"
    assert solvers.choose_method(20_000, plate3d=True, many_solves=True) == "cg_plate"
    # solve(auto) without a layout (2D, or no positions given) stays direct
    K = sp.identity(5, format="csr") * 2.0
    x, info = solvers.solve(K, np.ones(5))
    assert info.method in ("pardiso", "spsolve") and np.allclose(x, 0.5)


def test_cg_plate_needs_a_layout():
    with pytest.raises(ValueError, match="layout"):
        solvers.solve(sp.identity(3, format="csr"), np.ones(3), method="cg_plate")


def test_patterned_etch_case_runs_with_cg_plate_and_reports_it():
    """The thermoelastic increments (cool, then etch of a line pattern) through the iterative solver."""
    from fem_laminate import job

    base = {"name": "lines", "layers": [{"material": m, "thickness_um": t * 1e6} for m, t in STACK],
            "mesh": {"model": "plate3d", "length_mm": 1.0, "width_mm": 1.0, "nx": 4, "ny": 4, "n_per_layer": 1},
            "steps": [{"kind": "cool", "from_C": 250.0, "to_C": 25.0},
                      {"kind": "etch", "side": "top",
                       "pattern": {"kind": "lines", "line_um": 100, "space_um": 100, "direction": "x"}}],
            "physics": {"viscoelastic": False, "copper_plasticity": False, "moisture": False}}
    out = {}
    for method in ("cg_plate", "spsolve"):
        d = {**base, "mesh": {**base["mesh"], "solver": method}}
        state, _, summary = job.simulate(load_case_dict(d, "<test>"))
        out[method] = (state, summary)
    s_it, sum_it = out["cg_plate"]
    s_ref, sum_ref = out["spsolve"]
    assert sum_it["model"]["solver"] == "cg_plate"
    assert 0 < sum_it["model"]["solver_iterations_max"] <= 40
    assert sum_it["model"]["solver_residual_max"] <= 1e-9
    assert "solver_iterations_max" not in sum_ref["model"]
    assert np.abs(s_it.u - s_ref.u).max() / np.abs(s_ref.u).max() < 1e-6
    k_it, k_ref = sum_it["curl"]["curvature_1_per_m"], sum_ref["curl"]["curvature_1_per_m"]
    assert abs(k_it / k_ref - 1) < 1e-6
