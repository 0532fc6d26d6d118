"""A thin laminate plate with its stiffness given by A, B, D and its load by N_T, M_T per element (small
deflection, Kirchhoff): membrane displacement on P1 triangles, deflection on Morley triangles (the nonconforming
Kirchhoff element: its curvature is constant per triangle, quadratics are exact).

    Pi(u, w) = 1/2 int [eps; kappa]^T [[A, B], [B, D]] [eps; kappa] dA - int [eps; kappa] . [N_T; M_T] dA
    eps = (u_x,x, u_y,y, u_x,y + u_y,x),   kappa = -(w_,xx, w_,yy, 2 w_,xy)

The plate is free: the six rigid motions are held by pinning three vertices (a uniform field is then exact and
the tilt they leave is taken out when the warpage is measured about the centre's tangent plane).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from skfem import Basis, ElementTriMorley, ElementTriP1, ElementVector, MeshTri, condense


@dataclass
class PlateSolution:
    mesh: object
    ub: object
    wb: object
    u: np.ndarray  # P1 vector DOFs (membrane displacement of the reference surface)
    w: np.ndarray  # Morley DOFs
    kappa_e: np.ndarray  # (nel, 3) element curvature (w_xx, w_yy, w_xy) in the warpage sign (top concave > 0)

    @property
    def vertex_w(self) -> np.ndarray:
        return self.w[self.wb.nodal_dofs[0]]


def panel_mesh(length_m: float, width_m: float, nx: int, ny: int) -> MeshTri:
    """Structured triangles on the panel centred on the origin (nx, ny even: nodes on the centre lines)."""
    x = np.linspace(-0.5 * length_m, 0.5 * length_m, nx + 1)
    y = np.linspace(-0.5 * width_m, 0.5 * width_m, ny + 1)
    return MeshTri.init_tensor(x, y)


def _strain_ops(ub, wb):
    """Element-wise operators at the (single, element-constant) quadrature point: eps = Bu u_e, kappa = Bw w_e."""
    ne = ub.nelems
    Bu = np.zeros((ne, 3, ub.Nbfun))
    for a in range(ub.Nbfun):
        G = ub.basis[a][0].grad[..., 0]  # (component, derivative, e)
        Bu[:, 0, a] = G[0, 0]
        Bu[:, 1, a] = G[1, 1]
        Bu[:, 2, a] = G[0, 1] + G[1, 0]
    Bw = np.zeros((ne, 3, wb.Nbfun))
    for a in range(wb.Nbfun):
        h = wb.basis[a][0].hess[..., 0]  # (2, 2, e)
        Bw[:, 0, a] = -h[0, 0]
        Bw[:, 1, a] = -h[1, 1]
        Bw[:, 2, a] = -2.0 * h[0, 1]
    return Bu, Bw


def solve_plate(mesh: MeshTri, ABD: np.ndarray, NT: np.ndarray, MT: np.ndarray) -> PlateSolution:
    """Equilibrium of the free plate; ABD (nel, 6, 6), NT and MT (nel, 3) per triangle."""
    ub = Basis(mesh, ElementVector(ElementTriP1()), intorder=0)
    wb = Basis(mesh, ElementTriMorley(), intorder=0)
    Bu, Bw = _strain_ops(ub, wb)
    area = np.asarray(ub.dx)[:, 0] / ub.W[0] * ub.W.sum()
    nu_, nw_ = ub.N, wb.N
    Bfull = np.concatenate([np.concatenate([Bu, np.zeros((len(Bu), 3, Bw.shape[2]))], axis=2),
                            np.concatenate([np.zeros((len(Bu), 3, Bu.shape[2])), Bw], axis=2)], axis=1)
    Ke = np.einsum("eki,ekl,elj->eij", Bfull, ABD * area[:, None, None], Bfull, optimize=True)
    fe = np.einsum("eki,ek->ei", Bfull, np.concatenate([NT, MT], axis=1) * area[:, None])
    dofs = np.concatenate([ub.element_dofs.T, nu_ + wb.element_dofs.T], axis=1)
    n = nu_ + nw_
    nd = dofs.shape[1]
    K = sp.csr_matrix((Ke.ravel(), (np.repeat(dofs, nd, axis=1).ravel(), np.tile(dofs, (1, nd)).ravel())),
                      shape=(n, n))
    f = np.bincount(dofs.ravel(), fe.ravel(), minlength=n)
    # pins: centre (u, v, w), the vertex on +x (v, w), the vertex on +y (w)
    p = mesh.p
    c = int(np.argmin(p[0] ** 2 + p[1] ** 2))
    on_x = np.flatnonzero(np.abs(p[1]) < 1e-12 * np.ptp(p[0]))
    on_y = np.flatnonzero(np.abs(p[0]) < 1e-12 * np.ptp(p[1]))
    ex, ey = on_x[np.argmax(p[0, on_x])], on_y[np.argmax(p[1, on_y])]
    fixed = [ub.nodal_dofs[0, c], ub.nodal_dofs[1, c], ub.nodal_dofs[1, ex],
             nu_ + wb.nodal_dofs[0, c], nu_ + wb.nodal_dofs[0, ex], nu_ + wb.nodal_dofs[0, ey]]
    Kc, fc, x, I = condense(K, f, D=np.array(fixed))
    x[I] = _solve(Kc, fc)
    u, w = x[:nu_], x[nu_:]
    kap = -np.einsum("eki,ei->ek", Bw, w[wb.element_dofs.T])  # (w_xx, w_yy, 2 w_xy)
    kap[:, 2] *= 0.5
    return PlateSolution(mesh, ub, wb, u, w, kap)


def _solve(K, f):
    """Sparse symmetric solve (PARDISO where installed; SuperLU with a fill-reducing order otherwise)."""
    try:
        import pypardiso
    except ImportError:  # pragma: no cover - platforms without MKL
        import scipy.sparse.linalg as spla
        return spla.spsolve(K.tocsc(), f, permc_spec="MMD_AT_PLUS_A")
    return pypardiso.spsolve(K.tocsr(), f)


def levelled_w(sol: PlateSolution, length_m: float, width_m: float, fit_fraction: float = 0.5) -> np.ndarray:
    """Vertex deflection above the centre's tangent plane (the pins' tilt taken out), as a table would see it."""
    return sol.vertex_w - _central_fit(sol, length_m, width_m, fit_fraction)[1]


def _central_fit(sol: PlateSolution, length_m: float, width_m: float, fit_fraction: float):
    """Quadratic fit of the vertex w over the central part: its coefficients (1, x, y, x^2/2, y^2/2, xy) and the
    centre's tangent plane at every vertex."""
    p = sol.mesh.p
    w = sol.vertex_w
    sel = (np.abs(p[0]) <= 0.5 * fit_fraction * length_m) & (np.abs(p[1]) <= 0.5 * fit_fraction * width_m)
    X, Y = p[0, sel], p[1, sel]
    c = np.linalg.lstsq(np.c_[np.ones_like(X), X, Y, 0.5 * X**2, 0.5 * Y**2, X * Y], w[sel], rcond=None)[0]
    centre = int(np.argmin(p[0] ** 2 + p[1] ** 2))
    return c, w[centre] + c[1] * (p[0] - p[0, centre]) + c[2] * (p[1] - p[1, centre])


def warpage(sol: PlateSolution, length_m: float, width_m: float, fit_fraction: float = 0.5) -> dict:
    """Principal curvatures (quadratic fit of w over the central part, as measured on the resolved plate) and the
    corner lift above the centre's tangent plane (um)."""
    p = sol.mesh.p
    w = sol.vertex_w
    c, plane = _central_fit(sol, length_m, width_m, fit_fraction)
    kx, ky, kxy = (float(v) for v in c[3:6])
    k1, k2 = np.linalg.eigvalsh([[kx, kxy], [kxy, ky]])[::-1]
    lifts = []
    for sx, sy in ((-1, -1), (1, -1), (1, 1), (-1, 1)):
        k = int(np.argmax(sx * p[0] + sy * p[1]))
        lifts.append(float((w[k] - plane[k]) * 1e6))
    return {"principal_curvatures_1_per_m": [float(k1), float(k2)], "kappa_x_1_per_m": kx, "kappa_y_1_per_m": ky,
            "kappa_xy_1_per_m": kxy, "corner_lift_um": lifts, "corner_lift_max_um": max(lifts, key=abs)}


def mark_distance(sol: PlateSolution, axis: int, half_m: float) -> float:
    """Distance between marks at -half_m and +half_m on the centre line along `axis`, on the reference surface."""
    pts = np.zeros((2, 2))
    pts[axis] = (-half_m, half_m)
    d = Basis(sol.mesh, ElementTriP1()).probes(pts) @ sol.u[sol.ub.nodal_dofs[axis]]
    return float(2 * half_m + d[1] - d[0])
