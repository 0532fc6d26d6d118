"""Every hand-written fast path against a readable scikit-fem form of the same integral.

The fast paths (batched element matrices scattered by physics/fe/assembly.py) are what the solvers use; the
forms below are short statements of the maths, assembled by scikit-fem's generic machinery on small meshes.
Tolerance: 1e-9 relative to the largest entry unless stated (the two differ only by rounding).

- linear elasticity (physics/fe/elastic.py): 2D with e_zz fixed, uniform (a) and free (a + b (y - y_c)),
  3D, and the eigenstrain load vector (2D free, 3D);
- the mean-dilatation B-bar stiffness of the nip contact (physics/models/contact.py);
- the large-deflection internal force and tangent (physics/fe/plate.py, total Lagrangian Hex27);
- the MITC9-tied Hex27 (physics/fe/ans.py): on undistorted box elements its force at u = 0 is the plain
  element's, and its tangent acts like the plain one on the fields the tying reproduces (uniform strain,
  pure bending); entry by entry the two differ (~4e-5), which is the point of the tying.
"""
import numpy as np
import pytest
import scipy.sparse as sp
from skfem import (Basis, BilinearForm, ElementHex2, ElementQuad1, ElementVector, Functional, LinearForm,
                   MeshHex, MeshQuad)
from skfem.helpers import ddot, div, eye, sym_grad, trace

from fem_laminate.model.mesh import layered_mesh_2d, layered_mesh_3d
from fem_laminate.physics.fe import ans, elastic, plate
from fem_laminate.physics.models import contact as C
from fem_laminate.physics.models.large_deflection import make_assembler
from fem_laminate.physics.laws.plasticity import return_mapping

RTOL = 1e-9
INTERFACES = [0.0, 35e-6, 60e-6, 65e-6]
E_LAYER, NU_LAYER = np.array([116e9, 7e9, 2e9]), np.array([0.34, 0.33, 0.4])
EIG_IN, EIG_Z = np.array([-3.7e-3, -2.0e-3, -8e-3]), np.array([-3.7e-3, -9e-3, -12e-3])


def rel(a, b) -> float:
    a, b = (x.toarray() if sp.issparse(x) else np.asarray(x) for x in (a, b))
    return float(np.abs(a - b).max() / np.abs(b).max())


# ---- readable forms of linear elasticity -------------------------------------------------------------

@BilinearForm
def elasticity(u, v, w):
    """ε(v) : (2 μ ε(u) + λ tr ε(u) I), in 2D the in-plane part of plane strain (e_zz from the global dofs)."""
    lam, mu = elastic.lame(w.E, w.nu)
    eps = sym_grad(u)
    return ddot(2 * mu * eps + lam * eye(trace(eps), eps.shape[0]), sym_grad(v))


@LinearForm
def ezz_coupling(v, w):
    """∂/∂g ∫ σ_zz-coupling: a global e_zz mode φ couples to div v through λ."""
    lam, _ = elastic.lame(w.E, w.nu)
    return lam * div(v) * w.phi


@Functional
def ezz_stiffness(w):
    """∫ (λ + 2μ) φ_a φ_b: the global e_zz modes among themselves."""
    lam, mu = elastic.lame(w.E, w.nu)
    return (lam + 2 * mu) * w.phi_a * w.phi_b


@LinearForm
def eigenstrain_load(v, w):
    """ε(v) : σ*, σ* = 2 μ ε* + λ tr ε* I with the out-of-plane e*_zz in the trace (2D) or in ε* (3D)."""
    lam, mu = elastic.lame(w.E, w.nu)
    tr = trace(w.estar) + w.ezz
    return ddot(2 * mu * w.estar + lam * eye(tr, w.estar.shape[0]), sym_grad(v))


@Functional
def eigenstrain_load_ezz(w):
    """∫ σ*_zz φ: the load on a global e_zz mode φ, σ*_zz = (λ + 2μ) e*_zz + λ (e*_xx + e*_yy)."""
    lam, mu = elastic.lame(w.E, w.nu)
    return ((lam + 2 * mu) * w.ezz + lam * trace(w.estar)) * w.phi


def layered_model(dim, out_of_plane="fixed"):
    if dim == 2:
        lm = layered_mesh_2d(INTERFACES, 1e-3, nx=3, n_per_layer=1)
    else:
        lm = layered_mesh_3d(INTERFACES, 1e-3, 0.8e-3, nx=2, ny=2, n_per_layer=1)
    model = elastic.make_model(lm, out_of_plane=out_of_plane)
    vb = Basis(lm.mesh, ElementVector(model.basis.elem), quadrature=model.basis.quadrature)
    nq = vb.X.shape[1]
    qp = lambda a: np.repeat(np.asarray(a, float)[lm.layer][:, None], nq, axis=1)  # noqa: E731
    return model, vb, qp


def ezz_modes(model, vb):
    """The global e_zz shapes at the quadrature points: 1 and y - y_c."""
    y = vb.mapping.F(vb.X)[1]
    return [np.ones_like(y), y - model.y_c][:model.nglobal]


@pytest.mark.parametrize("out_of_plane", ["fixed", "uniform", "free"])
def test_2d_stiffness_equals_plane_strain_forms_with_ezz_modes(out_of_plane):
    model, vb, qp = layered_model(2, out_of_plane)
    E, nu = qp(E_LAYER), qp(NU_LAYER)
    n = vb.N
    blocks = [[elasticity.assemble(vb, E=E, nu=nu), None], [None, None]]
    modes = ezz_modes(model, vb)
    if modes:
        coupling = np.column_stack([ezz_coupling.assemble(vb, E=E, nu=nu, phi=p) for p in modes])
        among = np.array([[ezz_stiffness.assemble(vb, E=E, nu=nu, phi_a=a, phi_b=b) for b in modes] for a in modes])
        blocks = [[blocks[0][0], sp.csr_matrix(coupling)], [sp.csr_matrix(coupling.T), sp.csr_matrix(among)]]
    K_ref = sp.bmat(blocks).tocsr()
    K_fast = elastic.assemble_stiffness(model, elastic.isotropic_D(E_LAYER[model.lmesh.layer],
                                                                   NU_LAYER[model.lmesh.layer], 2))
    assert K_fast.shape == K_ref.shape == (n + model.nglobal,) * 2
    assert rel(K_fast, K_ref) < RTOL


def test_3d_stiffness_equals_form():
    model, vb, qp = layered_model(3)
    K_ref = elasticity.assemble(vb, E=qp(E_LAYER), nu=qp(NU_LAYER))
    lay = model.lmesh.layer
    K_fast = elastic.assemble_stiffness(model, elastic.isotropic_D(E_LAYER[lay], NU_LAYER[lay], 3))
    assert rel(K_fast, K_ref) < RTOL


@pytest.mark.parametrize("dim", [2, 3])
def test_eigenstrain_load_equals_form(dim):
    model, vb, qp = layered_model(dim, "free")
    lay = model.lmesh.layer
    nq = vb.X.shape[1]
    eig = np.zeros((len(lay), model.ncomp))
    estar = np.zeros((dim, dim, len(lay), nq))
    if dim == 2:  # [xx, yy (thickness), zz (out of plane), xy]
        eig[:, 0], eig[:, 1], eig[:, 2] = EIG_IN[lay], EIG_Z[lay], EIG_IN[lay]
        estar[0, 0], estar[1, 1], ezz = qp(EIG_IN), qp(EIG_Z), qp(EIG_IN)
    else:
        eig[:, 0], eig[:, 1], eig[:, 2] = EIG_IN[lay], EIG_IN[lay], EIG_Z[lay]
        estar[0, 0], estar[1, 1], estar[2, 2], ezz = qp(EIG_IN), qp(EIG_IN), qp(EIG_Z), 0.0 * qp(EIG_Z)
    w = dict(E=qp(E_LAYER), nu=qp(NU_LAYER), estar=estar, ezz=ezz)
    f_ref = eigenstrain_load.assemble(vb, **w)
    if dim == 2:
        f_ref = np.concatenate([f_ref, [eigenstrain_load_ezz.assemble(vb, phi=p, **w) for p in ezz_modes(model, vb)]])
    f_fast = elastic.assemble_eigenstrain_load(model, elastic.isotropic_D(E_LAYER[lay], NU_LAYER[lay], dim), eig)
    assert rel(f_fast, f_ref) < RTOL


# ---- nip contact: mean-dilatation B-bar ---------------------------------------------------------------

def test_bbar_stiffness_equals_selective_reduced_integration():
    """Vectorised B-bar stiffness == readable skfem forms: 2G dev:dev (2x2 Gauss) + K div div (1 point)."""
    mesh = MeshQuad.init_tensor(np.array([0, 1.0, 2.5, 3.0]) * 1e-5, np.array([0, 0.5, 2.0]) * 1e-5)
    e = ElementVector(ElementQuad1())
    basis = Basis(mesh, e, intorder=2)
    basis0 = Basis(mesh, e, quadrature=(np.array([[0.5], [0.5]]), np.array([1.0])))  # centroid rule
    K, G = 3.0e9, 0.1e9

    @BilinearForm
    def deviatoric(u, v, w):
        eu, ev = sym_grad(u), sym_grad(v)
        tu, tv = trace(eu), trace(ev)
        # plane strain: 3D deviator of (eps, eps_zz = 0): in-plane part plus the zz component -tr/3
        return 2 * G * (ddot(eu, ev) - tu * tv / 3.0)

    @BilinearForm
    def volumetric(u, v, w):
        return K * trace(sym_grad(u)) * trace(sym_grad(v))

    A_readable = deviatoric.assemble(basis) + volumetric.assemble(basis0)
    Bbar, dx = C.bbar_operator(basis)
    model = C.ContactModel(mesh=mesh, basis=basis, body=None, layer=None, K=None, G=None, yield_Pa=None,
                           hardening_Pa=None, Bbar=Bbar, dx=dx, ndof=basis.N, T=None, master=0, interfaces=[],
                           strip_interfaces_m=None)
    _, _, _, D = return_mapping(np.zeros((4,) + dx.shape), np.zeros((4,) + dx.shape), np.zeros(dx.shape),
                                K, G, np.inf, 0.0)
    A_fast = C.tangent_stiffness(model, D)
    assert abs(A_fast - A_readable).max() < 1e-10 * abs(A_readable).max()


# ---- large deflection: total Lagrangian Hex27, plain and MITC9 ---------------------------------------

@pytest.fixture(scope="module")
def plate_box():
    """Two layers on 2 x 1 box elements in plane, a few constrained dofs (the rest free)."""
    m = MeshHex.init_tensor(np.linspace(0, 2e-3, 3), np.linspace(0, 1.5e-3, 2), np.array([0, 30e-6, 65e-6]))
    vb = Basis(m, ElementVector(ElementHex2()), quadrature=ans.gauss_27())
    layer = (m.p[2, m.t].mean(axis=0) > 30e-6).astype(int)
    lam, mu = elastic.lame(np.array([116e9, 7e9])[layer], np.array([0.34, 0.33])[layer])
    e = np.array([-3e-3, 1e-3])[layer]
    free = np.ones(vb.N, bool)
    free[:3] = False

    def model(tying):
        return plate.PlateModel(mesh=m, vbasis=vb, lam=lam, mu=mu, estar=np.stack([1.01 * e, 0.99 * e, e], -1),
                                free=free, membrane_tying=tying)
    return model, np.flatnonzero(free)


def full(K_upper):
    return K_upper + sp.triu(K_upper, 1).T


def test_large_deflection_force_and_tangent_equal_forms(plate_box):
    """Rotations of order 0.1 at load factor 0.7: residual and tangent (free-free block)."""
    make_model, idx = plate_box
    model = make_model(False)
    u = np.random.default_rng(0).normal(size=model.ndofs) * 1e-5
    f, K = make_assembler(model).force_and_tangent(u, 0.7)
    w = model.weights(u, 0.7)
    assert rel(f, plate.internal_force_form.assemble(model.vbasis, **w)) < RTOL
    K_ref = plate.tangent_form.assemble(model.vbasis, **w).tocsr()[idx][:, idx]
    assert rel(full(K), K_ref) < RTOL


def test_mitc9_force_and_tangent_against_plain_forms_on_box_elements(plate_box):
    make_model, idx = plate_box
    model = make_model(True)
    asm = make_assembler(model)
    assert isinstance(asm, ans.ANSAssembler)
    u0 = np.zeros(model.ndofs)
    f = asm.internal_force(u0, 1.0)  # the pre-strained, undeformed plate
    assert rel(f, plate.internal_force_form.assemble(model.vbasis, **model.weights(u0, 1.0))) < 1e-10
    _, K = asm.force_and_tangent(u0, 0.0)
    K_plain = plate.tangent_form.assemble(model.vbasis, **model.weights(u0, 0.0)).tocsr()[idx][:, idx]
    K = full(K)
    assert rel(K, K_plain) > 1e-6  # the tying changes the element, entry by entry
    x, y, z = model.vbasis.doflocs
    comp = np.arange(model.ndofs) % 3
    uniform = np.choose(comp, [1e-3 * x, -2e-3 * y + 1e-3 * x, 5e-4 * z])
    bending = np.choose(comp, [-x * (z - 30e-6), 0.0 * x, 0.5 * x ** 2])
    for field in (uniform, bending):
        assert rel(K @ field[idx], K_plain @ field[idx]) < 1e-9
