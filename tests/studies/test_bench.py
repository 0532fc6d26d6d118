"""The benchmark harness on tiny sizes: its workload is right (fast path = scikit-fem generic forms,
curvature = classical lamination theory), its constraints leave no rigid-body mode, and the isolated
runner reports DOFs, seconds and peak memory in JSON."""
import json

import numpy as np
import pytest

from fem_laminate.studies import bench
from fem_laminate.analytic.laminate import biaxial_modulus, multilayer_strain
from fem_laminate.model.materials import load_library
from fem_laminate.physics.fe.elastic import assemble_stiffness


def clt_curvature() -> float:
    lib = load_library()
    mats = [lib[name] for name, _ in bench.STACK]
    E = biaxial_modulus([float(m.E(bench.T_C)) for m in mats], [m.nu for m in mats])
    e = [float(m.thermal_strain(bench.T_C) - m.thermal_strain(bench.T_STRESS_FREE_C)) for m in mats]
    return multilayer_strain(E, [t for _, t in bench.STACK], e)[1]


@pytest.mark.parametrize("dim,target", [(2, 3000), (3, 10_000), (3, 50_000), (3, 1_000_000), (2, 1_000_000)])
def test_mesh_divisions_hit_the_target_size(dim, target):
    div = bench.mesh_divisions(dim, target)
    rows = 2 * div["n_per_layer"] * len(bench.STACK) + 1
    dofs = 2 * rows * (2 * div["nx"] + 1) + 2 if dim == 2 else 3 * rows * (2 * div["nx"] + 1) ** 2
    assert abs(dofs / target - 1) < 0.25
    if dim == 3:
        assert div["nx"] % 2 == 0  # a node plane on x = 0 for the symmetry condition


@pytest.mark.parametrize("dim", [2, 3])
def test_fast_assembly_equals_scikit_fem_generic_forms(dim):
    _, model, E, nu, D, _ = bench.build_problem(dim, 1500, out_of_plane="fixed" if dim == 2 else "free")
    K_fast = assemble_stiffness(model, D)
    K_ref = bench.skfem_stiffness(model, E, nu)
    assert abs(K_fast - K_ref).max() <= 1e-12 * abs(K_ref).max()


def test_symmetry_constraints_remove_all_rigid_body_modes():
    from fem_laminate.physics.fe.solvers import rigid_body_modes
    for dim in (2, 3):
        _, model, *_ = bench.build_problem(dim, 1500)
        fixed = bench.constrained_dofs(model)
        R = rigid_body_modes(model.basis.doflocs)
        # no combination of rigid modes vanishes on every constrained dof
        assert np.linalg.matrix_rank(R[fixed]) == R.shape[1]


@pytest.mark.parametrize("dim,target", [(2, 4000), (3, 5000)])
def test_benchmark_curvature_matches_lamination_theory(dim, target):
    """Cu/PI/TPI/Cu cooled 225 K: the free-plate curvature of classical lamination theory (biaxial moduli)."""
    out = bench.run_config(bench.Config(dim, target, "fast", "spsolve"))
    k_ref = clt_curvature()
    tol = 1e-4 if dim == 2 else 5e-3  # 3D at 5 k DOF has 4x4 elements in plane; 2e-5 at 20 k DOF (see benchmarks/)
    assert out["curvature_per_m"] == pytest.approx(k_ref, rel=tol)
    assert out["residual"] < 1e-10 and out["dofs"] > 0.5 * target


def test_isolated_run_and_command_write_json(tmp_path):
    cfgs = [bench.Config(2, 2000, "fast", "pardiso" if _have_pardiso() else "spsolve", 1),
            bench.Config(2, 2000, "skfem", "spsolve", 1, out_of_plane="fixed")]
    lines = []
    rc = bench.bench_command(out_json=str(tmp_path / "b.json"), configs=cfgs, echo=lines.append)
    assert rc == 0
    data = json.loads((tmp_path / "b.json").read_text())
    rows = data["results"]
    assert [r["status"] for r in rows] == ["ok", "ok"]
    for r in rows:
        assert r["dofs"] > 1000 and r["assembly_s"] > 0 and r["solve_s"] > 0 and 20 < r["peak_MB"] < 4000
    assert data["meta"]["cpu_count"] >= 1
    text = "\n".join(lines)  # the header, each row once (labelled with the case files' model names), a last line
    assert text.count("DOFs") == 1 and text.count("2D skfem+spsolve t1 plane_strain ") == 1
    assert text.count("2D fast+") == 1 and "generalized_plane_strain" in text and "free" not in text
    assert lines[-1] == f"2 of 2 configurations ran; results in {tmp_path / 'b.json'}"
    assert [r["model"] for r in rows] == ["generalized_plane_strain", "plane_strain"]
    with pytest.raises(ValueError, match="size = 5 DOFs"):
        bench.bench_command(sizes=[5], out_json=None)


def _have_pardiso():
    from fem_laminate.physics.fe.solvers import HAVE_PARDISO
    return HAVE_PARDISO


def test_a_configuration_over_the_memory_limit_is_stopped_alone():
    row = bench.run_isolated(bench.Config(2, 2000, "fast", "spsolve"), max_memory_GB=0.03)
    assert row["status"].startswith("stopped: resident memory passed 0.0 GB") and "dofs" not in row


def test_serendipity_benchmark_hits_its_size_and_the_curvature():
    """Hex20 configurations (fem-laminate bench --element serendipity, benchmarks/bench_calculix.py): the grid
    for a target size accounts for the 20-node element; the curvature is lamination theory's."""
    solver = "pardiso" if _have_pardiso() else "spsolve"
    out20 = bench.run_config(bench.Config(3, 8000, "fast", solver, family="serendipity"))
    assert abs(out20["dofs"] / 8000 - 1) < 0.25
    assert out20["curvature_per_m"] == pytest.approx(clt_curvature(), rel=5e-3)


def test_iterative_benchmark_row_matches_the_direct_one():
    """The cg_plate configuration (constrained system assembled directly) gives the direct solve's curvature,
    reports its iterations, and `--solver` keeps only its rows."""
    out_it = bench.run_config(bench.Config(3, 5000, "fast", "cg_plate"))
    out_d = bench.run_config(bench.Config(3, 5000, "fast", "spsolve"))
    assert out_it["dofs"] == out_d["dofs"] and out_it["nnz"] < out_d["nnz"]  # no constrained rows kept
    assert 0 < out_it["iterations"] <= 30 and out_it["residual"] <= bench.ITERATIVE_TOL
    assert out_it["curvature_per_m"] == pytest.approx(out_d["curvature_per_m"], rel=1e-6)
    cfgs = bench.default_configs((), (10_000, 1_000_000), compare_skfem=False)
    assert {c.target_dofs for c in cfgs if c.solver == "cg_plate"} == {10_000, 1_000_000}
    assert all(c.target_dofs <= bench.MAX_DIRECT_3D_DOFS for c in cfgs if c.solver == "pardiso")
    with pytest.raises(ValueError, match="no configuration"):
        bench.bench_command(sizes=[5000], dims=(2,), solver="cg_plate", out_json=None)
