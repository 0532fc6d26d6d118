"""The layered plate in total Lagrangian form: model, readable weak forms, plain Hex27 fast assembler.

St.Venant-Kirchhoff solid with an additive eigenstrain on the Green-Lagrange strain:
    F = I + grad u,  E = (F^T F - I)/2,  S = lam tr(E - t E*) I + 2 mu (E - t E*),  P = F S,
where t is the load factor (0 -> 1) and E* = diag(e*_x, e*_y, e*_z) is constant in each layer (or given
per quadrature point). The readable weak forms (`internal_force_form`, `tangent_form`) are assembled by
scikit-fem and are the reference; `Assembler` evaluates the same integrals with batched matrix products
and scatters them through physics/fe/assembly.py into the upper triangle of the free-free block.
tests/physics/test_fast_paths_vs_forms.py checks one against the other; physics/fe/ans.py derives the MITC9 element
from `Assembler`, physics/models/large_deflection.py follows the load path.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from skfem import Basis, BilinearForm, ElementHex2, LinearForm
from skfem.helpers import ddot, eye, grad, mul, trace, transpose

from . import assembly


# ---- readable reference: the weak forms ----------------------------------------------------------

def _stress(F, w):
    E = 0.5 * (mul(transpose(F), F) - eye(np.ones_like(F[0, 0]), 3)) - w["t"] * w["estar"]
    return w["lam"] * trace(E) * eye(np.ones_like(F[0, 0]), 3) + 2.0 * w["mu"] * E


@LinearForm
def internal_force_form(v, w):
    """int P : grad v dV with P = F S."""
    F = eye(np.ones_like(w["u"].grad[0, 0]), 3) + grad(w["u"])
    return ddot(mul(F, _stress(F, w)), grad(v))


@BilinearForm
def tangent_form(du, v, w):
    """Material part  C : sym(F^T grad du) : sym(F^T grad v)  plus geometric part  (grad du S) : grad v."""
    F = eye(np.ones_like(w["u"].grad[0, 0]), 3) + grad(w["u"])
    S = _stress(F, w)
    one = np.ones_like(F[0, 0])
    dEu = 0.5 * (mul(transpose(F), grad(du)) + transpose(mul(transpose(F), grad(du))))
    dEv = 0.5 * (mul(transpose(F), grad(v)) + transpose(mul(transpose(F), grad(v))))
    dS = w["lam"] * trace(dEu) * eye(one, 3) + 2.0 * w["mu"] * dEu
    return ddot(dS, dEv) + ddot(mul(grad(du), S), grad(v))


@LinearForm
def body_force_form(v, w):
    """int b . v dV for a uniform body force density b (N/m^3) along z."""
    return w["bz"] * v[2]


# ---- fast path -----------------------------------------------------------------------------------

@dataclass
class PlateModel:
    """Discretised layered plate: geometry, materials per element, eigenstrain per element."""
    mesh: object
    vbasis: object  # skfem Basis(ElementVector(ElementHex2))
    lam: np.ndarray  # (nel,) Lame lambda
    mu: np.ndarray  # (nel,) shear modulus
    estar: np.ndarray  # (nel, 3) or per quadrature point (nel, nq, 3): eigenstrain diagonal (x, y, z) at t = 1
    free: np.ndarray  # bool (ndofs,)
    bz: np.ndarray | None = None  # (nel,) body force density along z (N/m^3), None = no gravity
    # rigid table by penalty: z DOFs of the table-facing surface, their reference height minus the
    # table height times the side (+1: table below, -1: table above), penalty stiffness (N/m per DOF)
    contact_dofs: np.ndarray | None = None
    contact_gap0_m: np.ndarray | None = None
    contact_side: int = 1
    contact_k_N_per_m: float = 0.0
    # MITC9 membrane tying (physics/fe/ans.py) against membrane locking at large rotation; needs the
    # basis built on ans.gauss_27()
    membrane_tying: bool = False

    @property
    def ndofs(self) -> int:
        return self.vbasis.N

    def estar_qp(self) -> np.ndarray:
        """Eigenstrain diagonal at the quadrature points, (nel, nq, 3)."""
        if self.estar.ndim == 3:
            return self.estar
        return np.repeat(self.estar[:, None, :], self.vbasis.X.shape[1], axis=1)

    def weights(self, u, t):
        """The w dict for the readable forms."""
        nq = self.vbasis.X.shape[1]
        es = np.zeros((3, 3, self.mesh.nelements, nq))
        for i in range(3):
            es[i, i] = self.estar_qp()[..., i]
        return dict(u=self.vbasis.interpolate(u), t=t, estar=es,
                    lam=np.repeat(self.lam[:, None], nq, 1), mu=np.repeat(self.mu[:, None], nq, 1))


class Assembler:
    """Internal force and tangent by batched matrix products, scattered into a fixed CSR pattern.

    The pattern holds the upper triangle of the free-free block (PARDISO mtype -2 convention).
    """

    def __init__(self, model: PlateModel):
        self.model = model
        vb = model.vbasis
        self.nb = 27
        self.edofs = vb.element_dofs.T.copy()  # (nel, 81), local ordering (a, i) -> 3 a + i
        self._estar = model.estar_qp()
        self._init_element()
        self._build_pattern()
        if model.bz is not None:
            bz = np.repeat(model.bz[:, None], vb.X.shape[1], 1)
            self.f_body = body_force_form.assemble(vb, bz=bz)
        else:
            self.f_body = np.zeros(vb.N)

    def _init_element(self):
        vb = self.model.vbasis
        sb = Basis(self.model.mesh, ElementHex2(), quadrature=(vb.X, vb.W))
        # g[e, q, a, J]: reference gradients; wq[e, q]: quadrature weight * det J
        self.g = np.stack([sb.basis[a][0].grad for a in range(self.nb)], axis=0).transpose(2, 3, 0, 1).copy()
        self.wq = np.asarray(sb.dx)

    def _build_pattern(self):
        m = self.model
        free_idx = -np.ones(m.ndofs, dtype=np.int64)
        free_idx[m.free] = np.arange(int(m.free.sum()))
        self.free_idx = free_idx
        self.pattern = assembly.Pattern(self.edofs, int(m.free.sum()), dof_map=free_idx, upper=True)

    def _kinematics(self, u, t):
        m = self.model
        U = u[self.edofs].reshape(-1, self.nb, 3)  # (e, a, i)
        H = np.einsum("eai,eqaJ->eqiJ", U, self.g, optimize=True)
        F = H + np.eye(3)
        E = 0.5 * (np.einsum("eqiI,eqiJ->eqIJ", F, F) - np.eye(3))
        for i in range(3):
            E[..., i, i] -= t * self._estar[..., i]
        trE = np.trace(E, axis1=2, axis2=3)
        S = 2.0 * m.mu[:, None, None, None] * E
        for i in range(3):
            S[..., i, i] += m.lam[:, None] * trE
        return F, S

    def internal_force(self, u, t):
        F, S = self._kinematics(u, t)
        P = np.einsum("eqiK,eqKJ->eqiJ", F, S) * self.wq[..., None, None]
        fe = np.einsum("eqiJ,eqaJ->eai", P, self.g, optimize=True).reshape(len(self.edofs), -1)
        return assembly.vector(self.edofs, fe, self.model.ndofs) + self._contact(u)[0]

    def _contact(self, u):
        """Penalty table: force k min(gap, 0) pushing back, stiffness k on the touching DOFs."""
        m = self.model
        f = np.zeros(m.ndofs)
        if m.contact_dofs is None or m.contact_k_N_per_m <= 0:
            return f, None
        gap = m.contact_gap0_m + m.contact_side * u[m.contact_dofs]
        touching = gap < 0
        f[m.contact_dofs] = m.contact_k_N_per_m * np.minimum(gap, 0.0) * m.contact_side
        return f, m.contact_dofs[touching]

    def force_and_tangent(self, u, t):
        """(f_int over all DOFs, K free-free upper-triangle CSR)."""
        m = self.model
        ne, nb = len(self.edofs), self.nb
        F, S = self._kinematics(u, t)
        w = self.wq
        P = np.einsum("eqiK,eqKJ->eqiJ", F, S) * w[..., None, None]
        fe = np.einsum("eqiJ,eqaJ->eai", P, self.g, optimize=True).reshape(ne, -1)
        f = assembly.vector(self.edofs, fe, m.ndofs)
        # Fg[e,q,a,i] = F_iJ g_aJ  (variation of E is sym(F^T e_i (x) g_a))
        Fg = np.einsum("eqiJ,eqaJ->eqai", F, self.g, optimize=True).reshape(ne, -1, 3 * nb)
        M = np.matmul(Fg.transpose(0, 2, 1) * w[:, None, :], Fg)  # (e, (a,i), (b,j))
        K = m.lam[:, None, None] * M
        M5 = M.reshape(ne, nb, 3, nb, 3)
        K5 = K.reshape(ne, nb, 3, nb, 3)
        K5 += m.mu[:, None, None, None, None] * M5.transpose(0, 1, 4, 3, 2)
        # mu (F F^T)_ij g_a.g_b  and  delta_ij g_a S g_b
        C = np.einsum("eqiJ,eqjJ->eqij", F, F)
        gT = self.g.transpose(0, 2, 1, 3).reshape(ne, nb, -1)  # (e, a, (q,J))
        Sg = np.einsum("eqJK,eqaK->eaqJ", S * w[..., None, None], self.g, optimize=True).reshape(ne, nb, -1)
        G_S = np.matmul(Sg, gT.transpose(0, 2, 1))
        for i in range(3):
            for j in range(i, 3):
                wc = (w * C[..., i, j] * m.mu[:, None])
                Gij = np.matmul(gT * np.repeat(wc, 3, axis=1)[:, None, :], gT.transpose(0, 2, 1))
                if i == j:
                    Gij = Gij + G_S
                K5[:, :, i, :, j] += Gij
                if i != j:
                    K5[:, :, j, :, i] += Gij
        return self._with_contact(f, K, u)

    def _with_contact(self, f, K, u):
        """Scatter the element matrices K (nel, 81, 81) into the CSR pattern and add the table's penalty."""
        data = self.pattern.data(K)
        fc, touching = self._contact(u)
        if touching is not None:
            f += fc
            fi = self.free_idx[touching]
            data[self.pattern.diagonal_slots(fi[fi >= 0])] += self.model.contact_k_N_per_m
        return f, self.pattern.csr(data)
