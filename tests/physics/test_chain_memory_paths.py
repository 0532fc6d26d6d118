"""The memory-saving paths of the process chain give what the plain ones give: gradients per element shape (the
3D basis keeps none), the stiffness scaled in place at new moduli, the layered split assembled into the kept
entries only, strains and forces in small batches."""
import numpy as np
import pytest
import scipy.sparse as sp
from skfem import CellBasis

from fem_laminate.model.mesh import layered_mesh_3d
from fem_laminate.model.pattern import LinesPattern, PatternSet
from fem_laminate.physics.fe import assembly, elastic
from fem_laminate.physics.fe.layered_system import build_system
from fem_laminate.physics.models.laminate import give_birth, initial_state

from tests.helpers import stack_of


def _model(family="serendipity"):
    stack = stack_of([120, 5, 4, 120], [0.34, 0.3, 0.3, 0.34], [17e-6, 20e-6, 30e-6, 17e-6], [18, 25, 5, 18])
    # a line pattern makes elements of several widths: several shape classes
    pat = PatternSet((LinesPattern(line_m=0.3e-3, space_m=0.2e-3, direction="x"),))
    lm = layered_mesh_3d(stack.interfaces_m, 2e-3, 2e-3, nx=3, ny=5, n_per_layer=1, pattern=pat)
    return stack, elastic.make_model(lm, family=family)


@pytest.mark.parametrize("family", ["serendipity", "lagrange"])
def test_gradients_per_element_shape_equal_the_full_basis(family):
    _, model = _model(family)
    assert isinstance(model.basis, elastic.LeanCellBasis)
    full = CellBasis(model.lmesh.mesh, model.basis.elem, intorder=4)
    el = np.arange(model.nelements)
    G = np.array([[full.basis[a][0].grad[i] for i in range(3)] for a in range(full.Nbfun)])
    G_lean, dx = elastic._grads(model, el)
    assert len(np.unique(elastic._grad_classes(model)[1])) > 1
    assert np.abs(G_lean - G).max() <= 1e-10 * np.abs(G).max()
    assert np.array_equal(dx, full.dx)
    # the basis itself is still there when read (computed again)
    assert np.allclose(model.basis.basis[3][0].grad, full.basis[3][0].grad, rtol=1e-12, atol=0)


def test_batched_strain_and_force_equal_one_batch():
    _, model = _model()
    rng = np.random.default_rng(1)
    u = rng.standard_normal(model.ndofs)
    el = np.arange(model.nelements)
    model._B_cache = False  # batches of B_BATCH elements
    old = elastic.B_BATCH
    try:
        elastic.B_BATCH = 7
        eps = elastic.strain_at_qp(model, u, el)
        f = elastic.internal_force(model, eps, el)
        elastic.B_BATCH = 10 ** 6
        assert np.array_equal(elastic.strain_at_qp(model, u, el), eps)
        assert np.array_equal(elastic.internal_force(model, eps, el), f)
    finally:
        elastic.B_BATCH = old


def _state():
    stack, model = _model()
    st = initial_state(stack, model, 25.0, solver="spsolve")
    give_birth(st, list(range(len(stack))))
    return st


def _fresh(system, E):
    """K(E) straight from the unit-modulus split (what `matrix` did before it scaled in place)."""
    vals = np.append(E, 0.0)[system.owner] * system.base
    for (pos, v), k in zip(system.shared, system.layers):
        vals[pos] += E[k] * v
    n = len(system.free)
    return sp.csr_matrix((vals, system.indices, system.indptr), shape=(n, n))


def test_stiffness_scaled_in_place_equals_the_one_formed_anew():
    st = _state()
    E0 = np.array([120e9, 5e9, 4e9, 120e9])
    fresh = build_system(st)
    K = build_system(st)
    first = K.matrix(E0)
    assert K.base is None  # let go once K is formed
    for E in (E0 * [0.9, 0.5, 1.3, 1.01], E0 * [1.1, 0.01, 2.0, 0.95], E0):
        Kin = K.matrix(E)
        assert Kin is first  # the same matrix, re-formed in place
        ref = _fresh(fresh, E)
        assert np.abs(Kin.data - ref.data).max() <= 1e-13 * np.abs(ref.data).max()
    # and the same as the plain assembly of the whole body at those moduli
    D = elastic.isotropic_D(E0, np.array([0.34, 0.3, 0.3, 0.34]), 3)[st.layer_of_element]
    full = elastic.assemble_stiffness(st.model, D)[K.free][:, K.free]
    assert abs(full - Kin).max() <= 1e-11 * abs(full).max()


def test_shared_entries_are_stored_once_more_not_once_per_layer():
    """An interface entry's first layer keeps its part in the owner/base arrays; only the others' parts are in
    `shared`: as many values there as entries two layers touch (the layers' own assemblies counted anew)."""
    st = _state()
    system = build_system(st)
    n = len(system.free)
    touched = np.zeros(len(system.indices), np.int8)
    for i in system.layers:
        D = elastic.isotropic_D(np.where(np.arange(4) == i, 1.0, 0.0), np.array([0.34, 0.3, 0.3, 0.34]), 3)
        el = np.flatnonzero(st.layer_of_element == i)
        Ki = elastic.assemble_stiffness(st.model, D[st.layer_of_element], elements=el)[system.free][:, system.free]
        Ki = sp.csr_matrix(Ki)
        Ki.sort_indices()
        probe = sp.csr_matrix((np.arange(1, len(system.indices) + 1, dtype=float), system.indices, system.indptr),
                              shape=(n, n))
        hit = probe.multiply(Ki != 0).tocsr().data.astype(int) - 1  # positions of layer i's nonzeros in K
        touched[hit] += 1
    assert touched.max() == 2 and (touched >= 1).all()
    assert sum(len(pos) for pos, _ in system.shared) == int((touched == 2).sum()) > 0
    assert all(len(pos) == len(np.unique(pos)) for pos, _ in system.shared)


def test_kept_entries_of_an_etched_body_match_the_full_pattern():
    """After a patterned etch the split drops entries no present element touches; the kept stiffness equals the
    plain assembly over the present elements."""
    st = _state()
    top = np.flatnonzero(st.layer_of_element == 3)
    st.removed[top[::2]] = True
    st.cache.pop("system", None)
    system = build_system(st)
    E = np.array([120e9, 5e9, 4e9, 120e9])
    K = system.matrix(E)
    D = elastic.isotropic_D(E, np.array([0.34, 0.3, 0.3, 0.34]), 3)[st.layer_of_element]
    full = elastic.assemble_stiffness(st.model, D, elements=st.active_elements())[system.free][:, system.free]
    assert abs(full - K).max() <= 1e-11 * abs(full).max()


def test_pattern_keep_only_moves_slots_to_kept_entries():
    ed = np.array([[0, 1, 2], [2, 3, 4]])
    p = assembly.Pattern(ed, 5)
    Ke = np.arange(1.0, 10.0).reshape(1, 3, 3).repeat(2, axis=0)
    ref = p.matrix(Ke)
    keep = np.ones(p.nnz, bool)
    keep[[1, 5]] = False  # two entries left out
    p.keep_only(keep)
    got = p.csr(p.data(Ke))
    expect = ref.tolil()
    rows, cols = ref.nonzero()
    for r, c in zip(rows[~keep], cols[~keep]):
        expect[r, c] = 0.0
    assert p.nnz == keep.sum()
    assert abs(got - expect.tocsr()).max() == 0.0
