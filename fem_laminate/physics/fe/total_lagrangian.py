"""Total-Lagrangian plane-strain element kernel with J2 at the Gauss points (the FEM peel's arm and substrate).

Small strain, large rotation: the Green-Lagrange strain E of the deformation gradient goes through the J2
return mapping (laws/plasticity.py) as if it were a small strain, giving the 2nd Piola-Kirchhoff stress S and
its consistent tangent; plane strain E_zz = 0. Internal forces and tangents (material + geometric) per element,
element-major arrays so that each element's Gauss-point sum is one matrix product; the model scatters them.
"""
from __future__ import annotations

import math

import numpy as np
from skfem import Basis, ElementQuad2

from ..laws.law import PointHistory
from ..laws.plasticity import equivalent_plastic_strain, initial_history, update_history


INPLANE = np.array([0, 1, 3])  # Voigt rows xx, yy, xy of [xx, yy, zz, xy]


class Body:
    """One body of Q2 quadrilaterals (Gauss order 4) in plane strain, total Lagrangian,
    J2 at the Gauss points; its DOFs start at `offset` in the global vector. layers[k] gives the constants of
    cells with cell_layer == k (E_Pa, nu, yield_Pa, hardening_Pa; a layer without yield_Pa is elastic);
    eps0 (4, nel, nqp): an initial eigenstrain held as plastic strain (None: zero)."""

    def __init__(self, mesh, cell_layer, layers, offset: int, eps0=None):
        self.basis = Basis(mesh, ElementQuad2(), intorder=4)
        b = self.basis
        self.offset = offset
        self.N = b.N
        grad = np.array([b.basis[j][0].grad for j in range(9)])  # (9, 2, nel, nqp)
        # element-major copies, fixed for the run: the Gauss-point sums become one matrix product per element
        ne, nq = grad.shape[2:]
        self.gx, self.gy = (np.ascontiguousarray(np.transpose(grad[:, b], (1, 2, 0))) for b in range(2))  # (e, q, 9)
        self.gj = np.ascontiguousarray(np.transpose(grad, (2, 0, 3, 1)).reshape(ne, 9, 2 * nq))  # (e, j, (q, b))
        self.gT = np.ascontiguousarray(np.transpose(grad, (2, 3, 1, 0)).reshape(ne, 2 * nq, 9))  # (e, (q, b), j)
        self.dx = b.dx  # (nel, nqp)
        self.dofs = b.element_dofs  # (9, nel) scalar
        nq = self.dx.shape[1]
        prop = lambda f: np.repeat(np.array([f(layers[k]) for k in cell_layer])[:, None], nq, axis=1)  # noqa
        E, nu = prop(lambda L: L.E_Pa), prop(lambda L: L.nu)
        self.K, self.G = E / (3 * (1 - 2 * nu)), E / (2 * (1 + nu))
        self.sy = prop(lambda L: getattr(L, "yield_Pa", math.inf))
        self.H = prop(lambda L: getattr(L, "hardening_Pa", 0.0))
        self.history = PointHistory(initial_history(4, self.dx.shape))  # J2, keyed as the laminate's
        if eps0 is not None:
            self.history.committed["strain"] = np.array(eps0, dtype=float)
        self.eps_p0 = self.history.committed["strain"].copy()  # an initial eigenstrain, not plasticity
        # global vector DOFs of each element: (18, nel), ordered (node j, component a) -> 2 j + a
        self.gdofs = (offset + 2 * self.dofs[:, None, :] + np.arange(2)[None, :, None]).reshape(18, -1)
        # an elastic body without an eigenstrain (the substrate): its in-plane tangent, fixed, (e, q, 3, 3)
        self._D_elastic = None
        if not np.any(np.isfinite(self.sy)) and not np.any(self.eps_p0):
            lam2 = self.K - 2.0 * self.G / 3.0
            D = np.zeros(self.dx.shape + (3, 3))
            D[..., 0, 0] = D[..., 1, 1] = lam2 + 2.0 * self.G
            D[..., 0, 1] = D[..., 1, 0] = lam2
            D[..., 2, 2] = self.G  # engineering shear
            self._D_elastic = D

    def ndof(self) -> int:
        return 2 * self.N

    def assemble(self, U):
        """Element internal forces (nel, 18) and tangents (nel, 18, 18) of the body at displacement U (global),
        on the element DOF table self.gdofs.T; the trial J2 history is kept for commit()."""
        f, state = self.forces(U)
        return f, self.tangent(state)

    def forces(self, U):
        """Element internal forces (nel, 18) at U and the state the tangent needs (`tangent(state)`): a Newton
        iterate that converges, or a rejected line-search trial, needs no tangent. The trial J2 history is kept
        for commit().

        Element-major arrays (e, q, ...): each element's sum over its Gauss points is one matrix product
        (B^T over the stacked points times w D B), not one small product per point then a sum. Only the in-plane
        Voigt rows (xx, yy, xy) enter: E_zz = 0, so S_zz does no virtual work."""
        gx, gy, w = self.gx, self.gy, self.dx  # (e, q, 9), (e, q, 9), (e, q)
        ne, nq = w.shape
        (F00, F01, F10, F11), E = self._strain(U)
        if self._D_elastic is not None:  # an elastic body: S = D E, D fixed (no return mapping)
            Sw = np.einsum("eqvk,keq->eqv", self._D_elastic, E[INPLANE]) * w[..., None]
            Dw = self._D_elastic * w[..., None, None]
            self.history.trial = self.history.committed
        else:
            S, D, self.history.trial = update_history(E, self.history.committed, self.K, self.G, self.sy, self.H)
            Sw = np.moveaxis(S[INPLANE], 0, -1) * w[..., None]  # (e, q, 3)
            Dw = np.moveaxis(D[np.ix_(INPLANE, INPLANE)], (0, 1), (-2, -1)) * w[..., None, None]  # (e, q, 3, 3)
        # B[e, q, v, j, a]: variation of Voigt E (v = xx, yy, xy) by node j, component a
        B = np.empty((ne, nq, 3, 9, 2))
        B[:, :, 0, :, 0], B[:, :, 0, :, 1] = gx * F00[..., None], gx * F10[..., None]
        B[:, :, 1, :, 0], B[:, :, 1, :, 1] = gy * F01[..., None], gy * F11[..., None]
        B[:, :, 2, :, 0] = gy * F00[..., None] + gx * F01[..., None]
        B[:, :, 2, :, 1] = gy * F10[..., None] + gx * F11[..., None]
        B = B.reshape(ne, nq * 3, 18)
        f = (Sw.reshape(ne, 1, 3 * nq) @ B)[:, 0]
        return f, (B, Dw, Sw)

    def tangent(self, state):
        """Element tangents (nel, 18, 18), material + geometric, from the state `forces` returned."""
        B, Dw, Sw = state
        gx, gy = self.gx, self.gy
        ne, nq = Sw.shape[:2]
        DBw = Dw @ B.reshape(ne, nq, 3, 18)  # (e, q, 3, 18)
        K = (np.swapaxes(B, 1, 2) @ DBw.reshape(ne, 3 * nq, 18)).reshape(ne, 9, 2, 9, 2)
        # geometric stiffness: sum_q w g S g^T, the same for both components
        s0, s1, s2 = Sw[..., 0, None], Sw[..., 1, None], Sw[..., 2, None]
        gS = np.stack([gx * s0 + gy * s2, gx * s2 + gy * s1], -1)  # (e, q, 9, 2)
        Kg = np.transpose(gS, (0, 2, 1, 3)).reshape(ne, 9, 2 * nq) @ self.gT  # (e, 9, 9)
        K[:, :, 0, :, 0] += Kg
        K[:, :, 1, :, 1] += Kg
        return K.reshape(ne, 18, 18)

    def _strain(self, U):
        """Deformation gradient components (F00, F01, F10, F11) and Voigt Green-Lagrange strain (4, e, q) at U."""
        ne, nq = self.dx.shape
        u = U[self.gdofs].reshape(9, 2, -1).transpose(2, 1, 0)  # (e, a, j)
        Hd = (u @ self.gj).reshape(ne, 2, nq, 2)  # du_a/dX_b at (e, a, q, b)
        F00, F01, F10, F11 = Hd[:, 0, :, 0] + 1, Hd[:, 0, :, 1], Hd[:, 1, :, 0], Hd[:, 1, :, 1] + 1
        E = np.array([(F00 * F00 + F10 * F10 - 1) / 2, (F01 * F01 + F11 * F11 - 1) / 2, np.zeros((ne, nq)),
                      F00 * F01 + F10 * F11])  # engineering shear
        return (F00, F01, F10, F11), E

    def stress(self, U):
        """2nd Piola-Kirchhoff stress (4, e, q) at U from the committed J2 history (history untouched)."""
        return update_history(self._strain(U)[1], self.history.committed, self.K, self.G, self.sy, self.H)[0]

    def commit(self):
        self.history.commit()

    def plastic_strain_cells(self) -> np.ndarray:
        """Equivalent plastic strain per cell (mean of its Gauss points), the initial eigenstrain taken off."""
        return equivalent_plastic_strain(self.history.committed["strain"] - self.eps_p0).mean(axis=1)
