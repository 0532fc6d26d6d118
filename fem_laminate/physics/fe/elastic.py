"""Small-strain linear thermoelasticity of the layered laminate.

Strain components (Voigt, engineering shear):
  2D cross-section (x along the sample, y through the thickness, z out of plane):
      [e_xx, e_yy, e_zz, g_xy];  e_zz is carried by global degrees of freedom:
      out_of_plane = "fixed"    e_zz = 0                  (classical plane strain)
                   = "uniform"  e_zz = a                  (generalized plane strain)
                   = "free"     e_zz = a + b (y - y_c)    (generalized plane strain with out-of-plane bending:
                                                          a cut sample curls freely in z too; far from the
                                                          edges this is the equi-biaxial plate state)
  3D plate: [e_xx, e_yy, e_zz, g_yz, g_xz, g_xy].

The weak form is the usual one,

    a(u, v) = ∫ ε(v) : D : ε(u) dx,      l(v) = ∫ ε(v) : D : ε* dx,

with an eigenstrain ε* (thermal expansion). `assemble_stiffness_skfem` writes it as scikit-fem forms and is
the readable reference; `assemble_stiffness` is the fast path used everywhere else: it builds element matrices
with batched matrix products, computes each geometrically distinct element only once (a structured layered
mesh has few distinct element shapes per layer) and scatters them through physics/fe/assembly.py. The two are
tested equal (tests/physics/test_fast_paths_vs_forms.py).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from skfem import CellBasis, ElementHex1, ElementHex2, ElementHexS2, ElementQuad1, ElementQuad2, ElementQuadS2

from ..laws.elastic import NCOMP, isotropic_D, lame  # noqa: F401  (the law owns D; kernels use it)
from . import assembly, heap  # noqa: F401  (heap: freed arrays go back to the system)

OUT_OF_PLANE = ("fixed", "uniform", "free")


@dataclass
class ElasticModel:
    """A layered mesh with its quadratic basis and the data the fast assembly needs."""
    lmesh: object  # fem_laminate.mesh.LayeredMesh
    basis: CellBasis  # scalar basis (quadratic by default)
    out_of_plane: str = "free"  # 2D only
    y_c: float = 0.0  # reference height of the out-of-plane bending term

    @property
    def dim(self) -> int:
        return self.lmesh.dim

    @property
    def ncomp(self) -> int:
        return NCOMP[self.dim]

    @property
    def nglobal(self) -> int:
        """Extra global dofs of generalized plane strain (a, b) appended after the nodal dofs."""
        if self.dim == 3:
            return 0
        return {"fixed": 0, "uniform": 1, "free": 2}[self.out_of_plane]

    @property
    def nnodes(self) -> int:
        return self.basis.N

    @property
    def ndofs(self) -> int:
        return self.dim * self.basis.N + self.nglobal

    @property
    def nelements(self) -> int:
        return self.basis.nelems

    def element_dofs(self, elements=None) -> np.ndarray:
        """(nelem, nbfun*dim) global dof indices, interleaved per node (node*dim + component)."""
        ed = self.basis.element_dofs if elements is None else self.basis.element_dofs[:, elements]
        d = self.dim
        return (d * ed.T[:, :, None] + np.arange(d)[None, None, :]).reshape(ed.shape[1], -1)


ELEMENTS = ("lagrange", "serendipity")


def make_model(lmesh, out_of_plane: str = "free", quadratic: bool = True, intorder: int | None = None,
               family: str = "lagrange") -> ElasticModel:
    """family = "lagrange": 9-node quads / 27-node hexes; "serendipity": 8-node quads / 20-node hexes (CalculiX's
    C3D20: about half the unknowns of the 27-node hex on a thin layered plate, same quadratic bending field, so
    it does not lock on thin layers either; tests/physics/test_elastic.py checks it against Hsueh)."""
    if out_of_plane not in OUT_OF_PLANE:
        raise ValueError(f"out_of_plane must be one of {OUT_OF_PLANE}, got {out_of_plane!r}")
    if family not in ELEMENTS:
        raise ValueError(f"element family must be one of {ELEMENTS}, got {family!r}")
    s2 = family == "serendipity"
    if lmesh.dim == 2:
        elem = (ElementQuadS2() if s2 else ElementQuad2()) if quadratic else ElementQuad1()
    else:
        elem = (ElementHexS2() if s2 else ElementHex2()) if quadratic else ElementHex1()
    if intorder is None:
        intorder = 4 if quadratic else 2
    basis = (LeanCellBasis if lmesh.dim == 3 else CellBasis)(lmesh.mesh, elem, intorder=intorder)
    y_c = 0.5 * float(lmesh.interfaces_m[0] + lmesh.interfaces_m[-1])
    return ElasticModel(lmesh=lmesh, basis=basis, out_of_plane=out_of_plane, y_c=y_c)


# ------------------------------------------------------------------------------------------------
# strain-displacement operator
# ------------------------------------------------------------------------------------------------

class LeanCellBasis(CellBasis):
    """A scalar CellBasis that does not keep its shape-function values and gradients at every quadrature point of
    every element (on a 3D Hex20 plate ~1 kB per DOF, as much as the stiffness): `basis` is computed again when
    read. The fast paths here take gradients per element shape instead (`_grads`)."""

    @property
    def basis(self):
        return [self.elem.gbasis(self.mapping, self.X, j, tind=self.tind) for j in range(self.Nbfun)]

    @basis.setter
    def basis(self, value):
        pass  # CellBasis.__init__ computes it once; not kept


def _grad_classes(model: ElasticModel) -> tuple[np.ndarray, np.ndarray]:
    """Shape-function gradients (nb, dim, nclass, nq) of each distinct element shape (a structured layered mesh
    has a few: the same vertex offsets give the same gradients) and the shape of every element (nelements,)."""
    cached = getattr(model, "_grad_cache", None)
    if cached is None:
        b = model.basis
        rep, cls = _shape_classes(model, np.arange(model.nelements), np.zeros(model.nelements, dtype=np.int64))
        fields = [b.elem.gbasis(b.mapping, b.X, a, tind=rep)[0].grad for a in range(b.Nbfun)]
        cached = model._grad_cache = (np.array(fields), cls)
    return cached


def _grads(model: ElasticModel, elements) -> tuple[np.ndarray, np.ndarray]:
    """Shape-function gradients (nb, dim, ne, nq) and weights dx (ne, nq) on the given elements."""
    b = model.basis
    if isinstance(b, LeanCellBasis):
        G, cls = _grad_classes(model)
        return G[:, :, cls[elements]], b.dx[elements]
    G = np.array([[b.basis[a][0].grad[i][elements] for i in range(model.dim)] for a in range(b.Nbfun)])
    return G, b.dx[elements]


# keep B for every element when it is small (increments then cost einsums only): at most B_CACHE_BYTES, and at most
# B_CACHE_BYTES_PER_DOF per unknown, so that it never dominates a chain's memory (a 3D Hex20 B is ~10 kB per DOF)
B_CACHE_BYTES = 400e6
B_CACHE_BYTES_PER_DOF = 2000.0
# elements per batch of the strain operator when it is not cached: B of a batch is ~260 kB per Hex20 element
# (27 points x 6 x 60 doubles), so a batch of 256 is ~70 MB whatever the mesh (was 4000: 1 GB)
B_BATCH = 256


def B_matrix(model: ElasticModel, elements) -> tuple[np.ndarray, np.ndarray]:
    """Strain operator B (ne, nq, ncomp, ndof_e) and weights dx (ne, nq).

    For 2D the element dof vector is the nodal dofs followed by the global e_zz dofs.
    """
    cache = _cached_B(model)
    if cache is not False:
        return cache[0][elements], cache[1][elements]
    return _B_matrix(model, elements)


def _cached_B(model: ElasticModel):
    """(B, dx) of every element when they fit in B_CACHE_BYTES, else False (made on first use)."""
    cache = getattr(model, "_B_cache", None)
    if cache is None:
        nq = model.basis.dx.shape[1]
        size = model.nelements * nq * model.ncomp * (model.basis.Nbfun * model.dim + model.nglobal) * 8
        small = size < min(B_CACHE_BYTES, B_CACHE_BYTES_PER_DOF * model.ndofs)
        cache = model._B_cache = _B_matrix(model, np.arange(model.nelements)) if small else False
    return cache


def _B_matrix(model: ElasticModel, elements) -> tuple[np.ndarray, np.ndarray]:
    G, dx = _grads(model, elements)
    nb, d, ne, nq = G.shape
    nglob = model.nglobal
    B = np.zeros((ne, nq, model.ncomp, nb * d + nglob))
    g = np.moveaxis(G, (2, 3), (0, 1))  # (ne, nq, nb, dim)
    if d == 2:
        B[:, :, 0, 0:2 * nb:2] = g[..., 0]
        B[:, :, 1, 1:2 * nb:2] = g[..., 1]
        B[:, :, 3, 0:2 * nb:2] = g[..., 1]
        B[:, :, 3, 1:2 * nb:2] = g[..., 0]
        if nglob >= 1:
            B[:, :, 2, 2 * nb] = 1.0
        if nglob == 2:
            yq = model.basis.mapping.F(model.basis.X, tind=elements)[1]  # (ne, nq) physical y
            B[:, :, 2, 2 * nb + 1] = yq - model.y_c
    else:
        for i in range(3):
            B[:, :, i, i:3 * nb:3] = g[..., i]
        # g_yz, g_xz, g_xy
        B[:, :, 3, 1:3 * nb:3] = g[..., 2]
        B[:, :, 3, 2:3 * nb:3] = g[..., 1]
        B[:, :, 4, 0:3 * nb:3] = g[..., 2]
        B[:, :, 4, 2:3 * nb:3] = g[..., 0]
        B[:, :, 5, 0:3 * nb:3] = g[..., 1]
        B[:, :, 5, 1:3 * nb:3] = g[..., 0]
    return B, dx


def element_dofs_full(model: ElasticModel, elements) -> np.ndarray:
    dofs = model.element_dofs(elements)
    if model.nglobal:
        glob = model.dim * model.nnodes + np.arange(model.nglobal)
        dofs = np.hstack([dofs, np.broadcast_to(glob, (dofs.shape[0], model.nglobal))])
    return dofs


# ------------------------------------------------------------------------------------------------
# fast assembly
# ------------------------------------------------------------------------------------------------

def _shape_classes(model: ElasticModel, elements: np.ndarray, material_id: np.ndarray):
    """Group elements whose stiffness is identical: same vertex offsets (translation) and material."""
    mesh = model.lmesh.mesh
    t = mesh.t[:, elements]
    rel = mesh.p[:, t] - mesh.p[:, t[0]][:, None, :]  # (dim, nverts, ne)
    scale = max(float(np.ptp(mesh.p, axis=1).max()), 1e-30)
    key = np.round(rel.reshape(-1, len(elements)).T / scale * 1e9).astype(np.int64)
    if model.nglobal == 2:
        # the out-of-plane bending term depends on the element's height too
        key = np.hstack([key, np.round((mesh.p[1, t[0]] - model.y_c) / scale * 1e9).astype(np.int64)[:, None]])
    key = np.hstack([key, material_id[:, None]])
    _, rep, inv = np.unique(key, axis=0, return_index=True, return_inverse=True)
    return rep, inv.ravel()


def element_stiffness(model: ElasticModel, elements: np.ndarray, D: np.ndarray) -> np.ndarray:
    """K_e = sum_q B^T D B dx for each element; D is (ne, ncomp, ncomp)."""
    B, dx = B_matrix(model, elements)
    ne, nq, nc, nd = B.shape
    DB = np.einsum("ekl,eqld->eqkd", D, B) * dx[:, :, None, None]
    return np.matmul(B.reshape(ne, nq * nc, nd).transpose(0, 2, 1), DB.reshape(ne, nq * nc, nd))


def pattern(model: ElasticModel) -> assembly.Pattern:
    """The stiffness pattern of the whole mesh (nodal dofs and the global e_zz dofs), built once per model."""
    if getattr(model, "_pattern", None) is None:
        model._pattern = assembly.Pattern(element_dofs_full(model, np.arange(model.nelements)), model.ndofs)
    return model._pattern


def element_stiffness_classes(model: ElasticModel, D_elem: np.ndarray, elements: np.ndarray,
                              material_id: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(K_e of each distinct element class, class of each of `elements`): few classes on a layered mesh."""
    if material_id is None:
        flat = D_elem.reshape(D_elem.shape[0], -1)
        _, material_id = np.unique(flat, axis=0, return_inverse=True)
        material_id = material_id.ravel()
    rep, inv = _shape_classes(model, elements, material_id[elements])
    return element_stiffness(model, elements[rep], D_elem[elements[rep]]), inv


def assemble_stiffness(model: ElasticModel, D_elem: np.ndarray, elements: np.ndarray | None = None,
                       material_id: np.ndarray | None = None) -> sp.csr_matrix:
    """Global stiffness over `elements` (default all) with per-element elastic matrices D_elem (nelem_total, n, n).

    material_id (nelem_total,) tells which elements share D; by default every distinct D is its own id.
    The matrix has the pattern of the whole mesh (explicit zeros outside `elements`).
    """
    elements = np.arange(model.nelements) if elements is None else np.asarray(elements)
    Ke, cls = element_stiffness_classes(model, D_elem, elements, material_id)
    P = pattern(model)
    return P.csr(P.data(Ke, elements, classes=cls))


def assemble_eigenstrain_load(model: ElasticModel, D_elem: np.ndarray, eig_elem: np.ndarray,
                              elements: np.ndarray | None = None) -> np.ndarray:
    """l(v) = ∫ ε(v) : D : ε* dx with a per-element constant eigenstrain eig_elem (nelem_total, ncomp).

    The element vectors are computed once per class of identical elements (same shape, same stress D ε*), as for
    the stiffness: on a layered plate a handful instead of one per element.
    """
    if elements is None:
        elements = np.arange(model.nelements)
    stress = np.einsum("ekl,el->ek", D_elem[elements], eig_elem[elements])
    _, stress_id = np.unique(stress, axis=0, return_inverse=True)
    rep, cls = _shape_classes(model, elements, stress_id.ravel())
    B, dx = B_matrix(model, elements[rep])
    fe = np.einsum("eqkd,ek,eq->ed", B, stress[rep], dx)
    f = np.zeros(model.ndofs)
    for s in range(0, len(elements), 20000):
        el = slice(s, s + 20000)
        f += assembly.vector(element_dofs_full(model, elements[el]), fe[cls[el]], model.ndofs)
    return f


def _cached_span(model: ElasticModel, el: np.ndarray):
    """(B, dx, rows) as views of the cached B over the span of the sorted elements `el` when they fill most of it
    (rows: their places in the span), else None: the increments then read B in place instead of copying a
    gathered B (the copy cost 10x the products on a 3D plate)."""
    cache = _cached_B(model)
    if cache is False or el.size == 0:
        return None
    a, b = int(el[0]), int(el[-1]) + 1
    if b - a > 2 * el.size or np.any(np.diff(el) <= 0):
        return None
    return cache[0][a:b], cache[1][a:b], el - a


def _batches(model: ElasticModel, n: int):
    """Slices of at most B_BATCH elements (all at once where B is cached) covering range(n)."""
    step = n if _cached_B(model) is not False else B_BATCH
    return [slice(s, s + step) for s in range(0, n, max(step, 1))]


def internal_force(model: ElasticModel, stress_q: np.ndarray, elements: np.ndarray) -> np.ndarray:
    """∫ B^T σ dx over `elements`; stress_q is (len(elements), nq, ncomp)."""
    f = np.zeros(model.ndofs)
    for s in range(0, len(elements), 4000):  # one global sum per 4000 elements; B in smaller batches
        el4 = elements[s:s + 4000]
        fe = np.empty(el4.shape + (model.basis.Nbfun * model.dim + model.nglobal,))
        for b in _batches(model, len(el4)):
            el, sig_q = el4[b], stress_q[s:s + 4000][b]
            span = _cached_span(model, el)
            if span is None:
                B, dx = B_matrix(model, el)
                fe[b] = np.einsum("eqkd,eqk,eq->ed", B, sig_q, dx)
            else:
                B, dx, rows = span
                sig = np.zeros(B.shape[:3])
                sig[rows] = sig_q
                fe[b] = np.einsum("eqkd,eqk,eq->ed", B, sig, dx)[rows]
        f += assembly.vector(element_dofs_full(model, el4), fe, model.ndofs)
    return f


def strain_at_qp(model: ElasticModel, u: np.ndarray, elements: np.ndarray) -> np.ndarray:
    """Total strain (len(elements), nq, ncomp) of the displacement vector u."""
    out = np.empty((len(elements), model.basis.dx.shape[1], model.ncomp))
    for s in range(0, len(elements), 4000):
        el4 = elements[s:s + 4000]
        for b in _batches(model, len(el4)):
            el, rows_out = el4[b], slice(s + b.start, s + min(b.stop, len(el4)))
            span = _cached_span(model, el)
            if span is None:
                B, _ = B_matrix(model, el)
                out[rows_out] = np.einsum("eqkd,ed->eqk", B, u[element_dofs_full(model, el)])
            else:
                B, _, rows = span
                ue = np.zeros(B.shape[::3])
                ue[rows] = u[element_dofs_full(model, el)]
                out[rows_out] = np.einsum("eqkd,ed->eqk", B, ue)[rows]
    return out


# ------------------------------------------------------------------------------------------------
# readable reference path (scikit-fem forms)
# ------------------------------------------------------------------------------------------------

def assemble_stiffness_skfem(model: ElasticModel, E_elem: np.ndarray, nu_elem: np.ndarray) -> sp.csr_matrix:
    """The same stiffness written as a scikit-fem BilinearForm (3D, or 2D with out_of_plane='fixed').

    Slow for quadratic vector elements; kept as the readable statement of the physics and as a test oracle.
    """
    from skfem import Basis, BilinearForm, ElementVector
    from skfem.helpers import ddot, sym_grad, trace, eye

    if model.dim == 2 and model.out_of_plane != "fixed":
        raise ValueError("the skfem reference path covers 3D and classical plane strain only")
    vb = Basis(model.lmesh.mesh, ElementVector(model.basis.elem), intorder=model.basis.intorder
               if hasattr(model.basis, "intorder") else 4)

    @BilinearForm
    def stiffness(u, v, w):
        lam, mu = lame(w.E, w.nu)
        eps_u, eps_v = sym_grad(u), sym_grad(v)
        sigma = 2.0 * mu * eps_u + lam * eye(trace(eps_u), eps_u.shape[0])
        return ddot(sigma, eps_v)

    nq = vb.X.shape[1]
    E = np.repeat(np.asarray(E_elem, float)[:, None], nq, axis=1)
    nu = np.repeat(np.asarray(nu_elem, float)[:, None], nq, axis=1)
    K = stiffness.assemble(vb, E=E, nu=nu)
    # skfem orders vector dofs node-major (node*dim + comp) for ElementVector on a nodal element
    return K.tocsr(), vb
