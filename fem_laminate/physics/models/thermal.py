"""Transient conduction through the thickness of the layered strip (1D FEM, implicit time stepping).

    rho c dT/dt = d/dz (k dT/dz)  in the layers,  continuity of T and k dT/dz at the interfaces,
    each face: insulated, prescribed T, or -k dT/dn = h (T - T_inf) (contact conductance / air)

The boundary conditions change in phases (approach, roll contact, exit); time = distance / speed along the
strip path.  Linear elements, theta method: Crank-Nicolson with two backward-Euler steps at the start of each
phase (Rannacher start-up, damps the jump in the boundary data).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import splu
from skfem import Basis, BilinearForm, ElementLineP1, MeshLine
from skfem.helpers import dot, grad


@dataclass
class FaceBC:
    """One face's condition: kind "insulated", "dirichlet" (T_C) or "robin" (h_W_per_m2K, T_C)."""
    kind: str = "insulated"
    T_C: float = 0.0
    h_W_per_m2K: float = 0.0


@dataclass
class Phase:
    duration_s: float
    bottom: FaceBC
    top: FaceBC
    n_steps: int = 100


@dataclass
class ThermalSolution:
    z_m: np.ndarray  # node heights, 0 at the strip bottom
    t_s: np.ndarray  # times (from the start of the first phase)
    T_C: np.ndarray  # (len(t), len(z))

    def at_height(self, z_m: float) -> np.ndarray:
        """Temperature history at one height (linear interpolation between nodes)."""
        return np.array([np.interp(z_m, self.z_m, row) for row in self.T_C])


def layered_nodes(thicknesses_m, n_per_layer) -> tuple[np.ndarray, np.ndarray]:
    """Node heights (refined uniformly per layer) and the layer index of each element."""
    z, lay = [0.0], []
    for i, (h, n) in enumerate(zip(thicknesses_m, n_per_layer)):
        z += list(np.linspace(z[-1], z[-1] + h, int(n) + 1)[1:])
        lay += [i] * int(n)
    return np.array(z), np.array(lay)


@BilinearForm
def conduction(u, v, w):
    return w.k * dot(grad(u), grad(v))


@BilinearForm
def capacity(u, v, w):
    return w.rho_c * u * v


def conduction_matrices(z_m, k_e, rho_c_e):
    """Stiffness (conductance) and consistent capacity matrices for element-wise constant k, rho*c."""
    basis = Basis(MeshLine(np.asarray(z_m, float)), ElementLineP1())
    nq = basis.X.shape[-1]
    k = np.repeat(np.asarray(k_e, float)[:, None], nq, axis=1)
    rc = np.repeat(np.asarray(rho_c_e, float)[:, None], nq, axis=1)
    return conduction.assemble(basis, k=k), capacity.assemble(basis, rho_c=rc)


def solve_transient(z_m, k_e, rho_c_e, T_init_C, phases: list[Phase], scheme: str = "backward_euler") -> ThermalSolution:
    """March the phases in order from the initial profile (scalar or per node).

    scheme "backward_euler" (default) uses the lumped capacity: the system matrix is then an M-matrix and the
    discrete maximum principle holds (no overshoot above the roll temperature, whatever the step); first order
    in time.  "crank_nicolson" (consistent capacity, two backward-Euler start-up steps per phase) is second
    order but can overshoot slightly when the step is long against h^2/alpha.
    """
    if scheme not in ("backward_euler", "crank_nicolson"):
        raise ValueError(f"thermal scheme = {scheme!r}; allowed: 'backward_euler', 'crank_nicolson'")
    z = np.asarray(z_m, float)
    n = len(z)
    Kc, Mc = conduction_matrices(z, k_e, rho_c_e)
    if scheme == "backward_euler":
        Mc = sp.diags(np.asarray(Mc.sum(axis=1)).ravel())
    T = np.broadcast_to(np.asarray(T_init_C, float), (n,)).copy()
    times, hist, t = [0.0], [T.copy()], 0.0
    ends = (0, n - 1)
    for ph in phases:
        dt = ph.duration_s / ph.n_steps
        H = np.zeros(n)
        q = np.zeros(n)
        fixed = {}
        for node, bc in zip(ends, (ph.bottom, ph.top)):
            if bc.kind == "robin":
                H[node] += bc.h_W_per_m2K
                q[node] += bc.h_W_per_m2K * bc.T_C
            elif bc.kind == "dirichlet":
                fixed[node] = bc.T_C
            elif bc.kind != "insulated":
                raise ValueError(f"thermal boundary kind {bc.kind!r} not in (insulated, dirichlet, robin)")
        A = (Kc + sp.diags(H)).tocsr()
        free = np.setdiff1d(np.arange(n), list(fixed))
        fx = np.array(list(fixed), dtype=int)
        Tfix = np.array([fixed[i] for i in fx]) if len(fx) else np.zeros(0)
        lus = {}
        for th in (1.0, 0.5):
            L = (Mc / dt + th * A).tocsr()
            lus[th] = (splu(L[free][:, free].tocsc()), L[free][:, fx], (Mc / dt - (1 - th) * A).tocsr())
        if len(fx):
            T[fx] = Tfix
        for k in range(ph.n_steps):
            th = 1.0 if (k < 2 or scheme == "backward_euler") else 0.5
            lu, Lfx, R = lus[th]
            rhs = R @ T + q
            rhs_f = rhs[free] - (Lfx @ Tfix if len(fx) else 0.0)
            T[free] = lu.solve(rhs_f)
            t += dt
            times.append(t)
            hist.append(T.copy())
    return ThermalSolution(z_m=z, t_s=np.array(times), T_C=np.array(hist))
