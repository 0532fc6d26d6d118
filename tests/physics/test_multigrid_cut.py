"""The cut levels of the plate multigrid below a cut level too large to factorise (physics/fe/multigrid.py).

On the grid of circuit_lines.toml (50/50 um lines, two element rows each, Hex20) cut to 1 x 1 mm, with the size
that is factorised directly lowered so that the first cut level is above it: that level is coarsened again, cut
again over the present elements, down to a level that is factorised. Checks: the prolongation between two cut
levels reproduces the coarser level's pieces exactly (nested spaces), and CG reaches the direct solution in at most
30 iterations (measured 23, 22 with the whole cut level factorised; 42 in a V-cycle with two sweeps, 43 with
the layerwise two-level cycle at the first cut level, as before above the old limit).
"""
import numpy as np
import pytest
import scipy.sparse.linalg as spla

from fem_laminate.case import load_case_dict
from fem_laminate.job import build_state
from fem_laminate.physics.fe import elastic, layered_system, multigrid, twolevel
from fem_laminate.physics.models.laminate import layer_D, stiffness_moduli
from fem_laminate.process.etch import build_pattern
from fem_laminate.studies.bench import STACK


@pytest.fixture(scope="module")
def etched_lines():
    """The stiffness of the etched 1 x 1 mm panel at 25 C, the load of cooling it from 250 C, its basis, free
    unknowns and present elements."""
    d = {"name": "lines", "layers": [{"material": m, "thickness_um": t * 1e6} for m, t in STACK],
         "mesh": {"model": "plate3d", "element": "serendipity", "length_mm": 1.0, "width_mm": 1.0, "nx": 4,
                  "ny": 40, "n_per_layer": 1},
         "steps": [{"kind": "cool", "from_C": 250.0, "to_C": 25.0},
                   {"kind": "etch", "side": "top",
                    "pattern": {"kind": "lines", "line_um": 50.0, "space_um": 50.0, "direction": "x"}}],
         "physics": {"viscoelastic": False, "copper_plasticity": False, "copper_creep": False, "moisture": False}}
    case = load_case_dict(d, "<test>")
    state = build_state(case)
    state.born[:] = True
    mesh = state.model.lmesh.mesh
    keep = build_pattern(case.steps[1], "<test>", 1).contains(mesh.p[0, mesh.t].mean(axis=0),
                                                               mesh.p[1, mesh.t].mean(axis=0))
    state.removed = (state.layer_of_element == len(STACK) - 1) & ~keep
    system = layered_system.build_system(state)
    K = system.matrix(stiffness_moduli(state, 25.0))
    # the load of cooling 250 -> 25 C on the present elements
    D = layer_D(state, 25.0)[state.layer_of_element]
    D[state.removed] = 0.0
    eps = np.array([float(lay.material.thermal_strain(25.0) - lay.material.thermal_strain(250.0))
                    for lay in state.stack.layers])
    eig = np.zeros((state.model.nelements, 6))
    eig[:, :3] = eps[state.layer_of_element][:, None]
    f = elastic.assemble_eigenstrain_load(state.model, D, eig)[system.free]
    return K, f, state.model.basis, system.free, state.active_elements()


def test_prolongation_between_cut_levels_is_exact(etched_lines):
    K, f, basis, free, act = etched_lines
    axes = multigrid.tensor_axes(basis.mesh)
    lim = multigrid.COARSEN_UP_TO * np.ptp(axes[2])
    a1 = (axes[0], multigrid._coarsened(axes[1], lim), axes[2])
    a2 = (axes[0], multigrid._coarsened(a1[1], lim), axes[2])
    ca, Pa, pa = multigrid.scalar_space(basis, a1, act)
    cb, Pb, pb = multigrid.scalar_space(basis, a2, act)
    assert pa is not None and pb is not None  # both levels are cut
    assert Pa.shape[1] > ca.N  # more pieces than coarse nodes
    P12 = multigrid.pieces_between(Pa, pa, ca, Pb, pb, cb, a2)
    assert abs(Pa @ P12 - Pb).max() < 1e-12


def test_cut_levels_below_a_cut_level_too_large_to_factorise(etched_lines, monkeypatch):
    K, f, basis, free, act = etched_lines
    x_ref = spla.spsolve(K.tocsc(), f)
    direct = multigrid.PlateMultigrid(K, basis, free, elements=act)
    assert len(direct.sizes) == 2 and direct.exact_bottom  # the whole cut level is factorised
    monkeypatch.setattr(multigrid, "EXACT_CUT_LEVEL_UP_TO", direct.sizes[1] // 2)
    M = multigrid.PlateMultigrid(K, basis, free, elements=act)
    assert len(M.sizes) >= 4 and M.exact_bottom and M.sizes[-1] <= direct.sizes[1] // 2
    x, its, res = twolevel.pcg(K, f, M, tol=1e-10, maxiter=100)
    assert np.abs(x - x_ref).max() / np.abs(x_ref).max() < 1e-8
    assert its <= 30, its
    # as few as with the whole cut level factorised (a harder load, a uniform force, takes 40 and 41)
    _, its_direct, _ = twolevel.pcg(K, f, direct, tol=1e-10, maxiter=100)
    assert its <= its_direct + 2, (its, its_direct)


def test_the_size_factorised_directly_follows_the_memory_budget(monkeypatch):
    """The largest cut level factorised directly has an estimated factor at the budget; half the budget, fewer
    unknowns; a fixed limit overrides it."""
    import psutil

    monkeypatch.setattr(psutil, "virtual_memory", lambda: type("vm", (), {"available": 1e12})())
    for budget in (0.1e9, 3e9):
        monkeypatch.setattr(multigrid, "CUT_FACTOR_BUDGET_BYTES", budget)
        n = multigrid.exact_cut_level_up_to()
        assert multigrid.cut_factor_bytes(n) <= budget < multigrid.cut_factor_bytes(int(n * 1.01) + 1)
    monkeypatch.setattr(psutil, "virtual_memory", lambda: type("vm", (), {"available": 1e9})())
    assert multigrid.cut_factor_bytes(multigrid.exact_cut_level_up_to()) <= 0.3e9 * 1.000001
    monkeypatch.setattr(multigrid, "EXACT_CUT_LEVEL_UP_TO", 1234)
    assert multigrid.exact_cut_level_up_to() == 1234
