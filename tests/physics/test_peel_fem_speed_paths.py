"""The FEM peel's fast paths against the plain ones they replace (same run, same state): the elastic body's fixed
tangent against the J2 return mapping, the reduced tangent without the cohesive padding against the padded
assembly, and the tangent solvers (PARDISO symmetric indefinite or SuperLU with a kept ordering) against SuperLU."""
import math

import numpy as np
import pytest

from fem_laminate.analytic import peel as ap
from fem_laminate.physics.models import peel as fp
from fem_laminate.physics.models import peel_model as pm

CU = dict(E_Pa=110e9, nu=0.34, thickness_m=35e-6)


@pytest.fixture(scope="module")
def model():
    """A plastic copper arm on two polyimide layers, displaced off equilibrium so that copper points yield and cohesive
    pairs soften (the tangent is evaluated at any state; it need not be converged)."""
    spec = fp.PeelFEMSpec(arm=(ap.ArmLayer(**CU, yield_Pa=250e6, hardening_Pa=1e9),),
                          substrate=(fp.Layer(3.5e9, 0.34, 24e-6), fp.Layer(8e9, 0.34, 6e-6)),
                          toughness_J_per_m2=260.0, strength_Pa=60e6, angle_deg=90.0, element_length_m=10e-6,
                          bonded_length_m=0.4e-3, tail_length_m=0.2e-3, initial_shape="arc", bend_radius_m=100e-6,
                          line_search=True)
    m = pm.PeelModel(spec)
    rng = np.random.default_rng(1)
    m.U = m.T @ (1e-7 * rng.standard_normal(m.T.shape[1])) + 3e-6 * m.g
    _, state = m._element_forces(m.U)
    assert np.any(m.arm.history.trial["alpha"] > 0.0)  # copper yields
    assert np.any(m.cz.history.trial["max_opening"] > m.cz.d0)  # and the interface softens
    return m


def test_elastic_body_fast_path_is_the_return_mapping(model):
    sub = model.sub
    assert sub._D_elastic is not None and model.arm._D_elastic is None
    U = model.U + 1e-7 * np.sin(np.arange(model.ndof))
    f_fast, K_fast = sub.assemble(U)
    D_keep, sub._D_elastic = sub._D_elastic, None
    try:
        f_j2, K_j2 = sub.assemble(U)
    finally:
        sub._D_elastic = D_keep
    assert np.abs(f_fast - f_j2).max() <= 1e-10 * np.abs(f_j2).max()
    assert np.abs(K_fast - K_j2).max() <= 1e-10 * np.abs(K_j2).max()


def test_reduced_tangent_without_padding_is_the_padded_one(model):
    U = model.U
    fe, state = model._element_forces(U)
    K_new = model._reduced_tangent_of(state).toarray()
    K_old = model.assemble_reduced(U)[1].toarray()
    assert np.abs(K_new - K_old).max() <= 1e-12 * np.abs(K_old).max()
    assert np.abs(K_old - K_old.T).max() <= 1e-9 * np.abs(K_old).max()  # symmetric: what the solvers rely on


@pytest.mark.parametrize("solver", ["pardiso", "superlu"])
def test_tangent_solvers_agree_with_superlu(model, solver):
    from fem_laminate.physics.fe.solvers import HAVE_PARDISO

    if solver == "pardiso" and not HAVE_PARDISO:
        pytest.skip("pypardiso not importable")
    _, K = model.assemble_reduced(model.U)
    s = pm.PardisoTangentSolver() if solver == "pardiso" else pm.TangentSolver()
    b = np.cos(np.arange(K.shape[0]))
    x_ref = pm.solve_tangent(K, b)
    for scale in (1.0, 2.0):  # a second factorisation of the same pattern reuses the analysis / ordering
        x = s.factor(K * scale).solve(b)
        assert np.linalg.norm(x * scale - x_ref) <= 1e-8 * np.linalg.norm(x_ref)
    assert math.isfinite(float(np.linalg.norm(x)))
