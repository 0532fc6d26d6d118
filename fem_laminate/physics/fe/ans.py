"""Hex27 without membrane locking at large rotation: assumed natural membrane strains (MITC9 tying).

Why: a flat quadratic element bent into an arc of angle theta = kappa * size cannot stretch-free follow
the arc; its membrane strain error ~ theta^2 competes with the bending strain kappa h once
size > sqrt(h / kappa). A 65 um laminate curled to R = 80 mm then needs elements below ~2 mm over the
whole sample, and fully integrated Hex27 converge from far below (corner lift 10.6 / 15.0 mm at
n = 12 / 20 against 17.9 mm). Sampling the in-plane covariant strains at the points where that error
vanishes removes it, as in the MITC9 shell (Bucalem & Bathe, Int. J. Numer. Meth. Eng. 36 (1993) 3729):
    E_rr from 2 x 3 tying points (2 Gauss points along r, 3 along s),
    E_ss from 3 x 2, E_rs from 2 x 2, each at the 3 Gauss levels through the thickness,
interpolated (Lagrange) to the 3 x 3 x 3 Gauss points; the other components (E_tt, E_rt, E_st, t the
thickness axis) are taken at the Gauss points. The counts (6 + 6 + 4 per level against 15 non-rigid
in-plane modes of a 9-node layer) leave no spurious zero-energy mode; tests/physics/test_curl.py checks
the element's null space, the tangent against the derivative of the force, and the linear limit.

Total Lagrangian with covariant components in the reference element coordinates xi:
    a_r = dx/dxi_r, A_r = dX/dxi_r,   Et_rs = (a_r . a_s - A_r . A_s) / 2,
    E = J^-T Et J^-1 (physical),  S = lam tr(E - t E*) I + 2 mu (E - t E*),
    delta W = int S : delta E dV = int St^rs delta Et_rs dV,  St = J^-1 S J^-T.
"""
from __future__ import annotations

import numpy as np
from skfem import ElementHex2

from . import assembly
from .plate import Assembler

_G2 = np.array([0.5 - 0.5 / np.sqrt(3.0), 0.5 + 0.5 / np.sqrt(3.0)])
_G3 = np.array([0.5 - 0.5 * np.sqrt(0.6), 0.5, 0.5 + 0.5 * np.sqrt(0.6)])
_W3 = np.array([5.0, 8.0, 5.0]) / 18.0
PAIRS = [(0, 0), (1, 1), (2, 2), (1, 2), (0, 2), (0, 1)]  # symmetric (r, s) pairs, Voigt order


def gauss_27():
    """3 x 3 x 3 Gauss rule on the unit cube, point index q = 9 i0 + 3 i1 + i2 (i_k along xi_k)."""
    X = np.array(np.meshgrid(_G3, _G3, _G3, indexing="ij")).reshape(3, -1)
    W = np.einsum("i,j,k->ijk", _W3, _W3, _W3).ravel()
    return X, W


def _lagrange(nodes, x):
    """L[i, j] = l_j(x_i): Lagrange polynomials on nodes evaluated at x."""
    L = np.ones((len(x), len(nodes)))
    for j, xj in enumerate(nodes):
        for m, xm in enumerate(nodes):
            if m != j:
                L[:, j] *= (x - xm) / (xj - xm)
    return L


def _tying(pair, thickness_axis):
    """Tying points (3, n_p) and interpolation T (27, n_p) to the Gauss points for one strain pair."""
    r, s = pair
    rule = []
    for k in range(3):
        in_plane_membrane = k != thickness_axis and r != thickness_axis and s != thickness_axis
        # along an in-plane axis that the component differentiates once (r == s == k: E_kk) or that it
        # pairs with the other in-plane axis (E_rs): the 2-point (Barlow) rule; otherwise the 3 Gauss points
        reduced = in_plane_membrane and (k == r or k == s)
        rule.append(_G2 if reduced else _G3)
    P = np.array(np.meshgrid(*rule, indexing="ij")).reshape(3, -1)
    L = [_lagrange(rule[k], _G3) for k in range(3)]  # (3 Gauss, n_k)
    T = np.einsum("ia,jb,kc->ijkabc", *L).reshape(27, -1)
    return P, T


class ANSAssembler(Assembler):
    """Internal force and tangent of Hex27 with MITC9 membrane tying; same interface as Assembler.

    The model's basis must use the 3 x 3 x 3 Gauss rule of gauss_27() (its quadrature weights and
    Jacobians are not used here: the element geometry is rebuilt from the nodes).
    """

    def __init__(self, model, thickness_axis: int | None = None):
        self._thickness_axis = thickness_axis
        super().__init__(model)

    def _init_element(self):
        model, thickness_axis = self.model, self._thickness_axis
        vb = model.vbasis
        el = ElementHex2()
        nb = 27
        Xe = vb.doflocs[:, self.edofs[:, ::3]].transpose(1, 2, 0)  # (e, a, 3) node coordinates
        self.Xe = Xe
        Xq, Wq = gauss_27()
        dNq = np.stack([el.lbasis(Xq, a)[1] for a in range(nb)], 0)  # (a, r, q)
        Jq = np.einsum("eai,arq->eqir", Xe, dNq)  # dX_i/dxi_r
        if thickness_axis is None:
            # the reference axis most aligned with global z, the same for every element
            zshare = np.abs(Jq[:, :, 2, :]).mean(axis=1) / np.linalg.norm(Jq, axis=2).mean(axis=1)
            axes = np.argmax(zshare, axis=1)
            if not np.all(axes == axes[0]):
                raise ValueError("ANS Hex27: elements disagree on which reference axis is the thickness")
            thickness_axis = int(axes[0])
        self.thickness_axis = thickness_axis
        detJ = np.abs(np.linalg.det(Jq))  # MeshHex's reference frame may be left-handed
        if np.any(detJ <= 1e-12 * detJ.max()):
            raise ValueError("ANS Hex27: an element has a degenerate Jacobian")
        self.Jinv = np.linalg.inv(Jq)  # (e, q, r, i): dxi_r/dX_i
        self.wdet = detJ * Wq[None, :]
        # per pair: tying points, interpolation to the Gauss points, shape-function derivatives there
        self.ty = []
        for pair in PAIRS:
            P, T = _tying(pair, thickness_axis)
            dN = np.stack([el.lbasis(P, a)[1] for a in range(nb)], 0)  # (a, r, p)
            A = np.einsum("eai,arp->epir", Xe, dN)  # reference covariant base vectors at the tying points
            r, s = pair
            AA = np.einsum("epi,epi->ep", A[..., r], A[..., s])
            self.ty.append((P, T, dN, AA))
        # geometric stiffness kernels: G[k, q, a, b] = sum_p T[q,p] (dN_a,r dN_b,s + dN_a,s dN_b,r)(p)/2
        G = np.zeros((6, 27, nb, nb))
        for k, ((r, s), (P, T, dN, _)) in enumerate(zip(PAIRS, self.ty)):
            g = 0.5 * (np.einsum("ap,bp->pab", dN[:, r], dN[:, s]) + np.einsum("ap,bp->pab", dN[:, s], dN[:, r]))
            G[k] = np.einsum("qp,pab->qab", T, g)
        self.Gker = G.reshape(6 * 27, nb * nb)
        # covariant -> physical (Voigt, tensor components): E_v = M[v, k] Et_k
        Ji = self.Jinv
        M = np.zeros(Ji.shape[:2] + (6, 6))
        for v, (I, J) in enumerate(PAIRS):
            for k, (r, s) in enumerate(PAIRS):
                M[..., v, k] = Ji[..., r, I] * Ji[..., s, J] + (r != s) * Ji[..., s, I] * Ji[..., r, J]
        self.M = M  # the model's basis uses gauss_27(): model.estar_qp() is at these points, in this order

    def _strains(self, u):
        """Covariant strains at the Gauss points after tying, and their variations B (e, q, 6, a, i)."""
        ne, nb = len(self.edofs), self.nb
        xe = self.Xe + u[self.edofs].reshape(ne, nb, 3)
        Et = np.empty((ne, 27, 6))
        Bt = np.empty((ne, 27, 6, nb, 3))
        for k, ((r, s), (P, T, dN, AA)) in enumerate(zip(PAIRS, self.ty)):
            a_r = np.matmul(xe.transpose(0, 2, 1), dN[:, r]).transpose(0, 2, 1)  # (e, p, i)
            a_s = a_r if r == s else np.matmul(xe.transpose(0, 2, 1), dN[:, s]).transpose(0, 2, 1)
            e_p = 0.5 * (np.einsum("epi,epi->ep", a_r, a_s) - AA)
            # delta Et_rs at p: (a_r . dN_a,s + a_s . dN_a,r) / 2 per (a, i)
            b_p = 0.5 * (a_r[:, :, None, :] * dN[:, s].T[None, :, :, None] +
                         a_s[:, :, None, :] * dN[:, r].T[None, :, :, None])
            if T.shape[1] == 27 and np.array_equal(T, np.eye(27)):  # taken at the Gauss points themselves
                Et[:, :, k] = e_p
                Bt[:, :, k] = b_p
            else:
                Et[:, :, k] = e_p @ T.T
                Bt[:, :, k] = np.matmul(T, b_p.reshape(ne, -1, 3 * nb)).reshape(ne, 27, nb, 3)
        return Et, Bt

    def _stress(self, Et, t):
        """Physical strain and stress (Voigt tensor components) at the Gauss points."""
        m = self.model
        E = np.einsum("eqvk,eqk->eqv", self.M, Et)
        E[..., :3] -= t * self._estar
        tr = E[..., :3].sum(-1)
        S = 2.0 * m.mu[:, None, None] * E
        S[..., :3] += (m.lam[:, None] * tr)[..., None]
        return S

    def _force_from(self, S, Bt):
        ne = len(self.edofs)
        # S : delta E = sum_v S_v (2 - [v normal]) delta E_v with delta E_v = M[v, k] delta Et_k
        Sw = S * np.array([1, 1, 1, 2, 2, 2.0]) * self.wdet[..., None]
        St = np.einsum("eqv,eqvk->eqk", Sw, self.M)  # conjugate to the covariant strains
        fe = np.einsum("eqk,eqkai->eai", St, Bt, optimize=True).reshape(ne, -1)
        return assembly.vector(self.edofs, fe, self.model.ndofs), St

    def internal_force(self, u, t):
        Et, Bt = self._strains(u)
        f, _ = self._force_from(self._stress(Et, t), Bt)
        return f + self._contact(u)[0]

    def force_and_tangent(self, u, t):
        m = self.model
        ne, nb = len(self.edofs), self.nb
        Et, Bt = self._strains(u)
        S = self._stress(Et, t)
        f, St = self._force_from(S, Bt)
        # material part, W = lam/2 tr(E)^2 + mu E:E, as K = R^T R with the rows R = W M Bt:
        # sqrt(lam) tr, sqrt(2 mu) E_normal, 2 sqrt(mu) E_shear (times sqrt(w det J)), M covariant -> physical
        sl = np.sqrt(m.lam[:, None] * self.wdet)
        smu = np.sqrt(2.0 * m.mu[:, None] * self.wdet)
        Wr = np.zeros(sl.shape + (7, 6))
        Wr[..., 0, :3] = sl[..., None]
        for v in range(6):
            Wr[..., 1 + v, v] = smu * (1.0 if v < 3 else np.sqrt(2.0))
        R = np.matmul(Wr @ self.M, Bt.reshape(ne, 27, 6, -1)).reshape(ne, -1, 3 * nb)
        K = np.matmul(R.transpose(0, 2, 1), R)
        # geometric part: delta_ij sum_q sum_k St_k G_k(q)[a, b]
        Gg = (St.transpose(0, 2, 1).reshape(ne, -1) @ self.Gker).reshape(ne, nb, nb)
        K5 = K.reshape(ne, nb, 3, nb, 3)
        for i in range(3):
            K5[:, :, i, :, i] += Gg
        return self._with_contact(f, K, u)
