"""A thin laminate plate at large deflection (von Karman: small strain, moderate rotation) with A, B, D, N_T, M_T
per element of a rectangular grid, free or lying on a rigid table under its own weight.

    Pi(u, w) = 1/2 int [eps; kappa]^T [[A, B], [B, D]] [eps; kappa] dA - int [eps; kappa] . [N_T; M_T] dA
               + int s q w dA + 1/2 k int min(s w, 0)^2 dA          (on the table only)
    eps = (u_x,x + w_,x^2 / 2,  u_y,y + w_,y^2 / 2,  u_x,y + u_y,x + w_,x w_,y),   kappa = -(w_,xx, w_,yy, 2 w_,xy)

(the signs of physics/fe/abd_plate.py, so that at small load the two agree). u_x, u_y and w are bicubic Hermite
(Bogner-Fox-Schmit) on rectangles: C1, so the curvature and the rotation squared are integrable, and the same
space for the three fields, so the membrane strain of a curved plate is not locked by a poorer in-plane field.
Each node carries (f, f_,x, f_,y, f_,xy) of every field.

Free: the centre node holds u_x, u_y, u_y,x (in-plane rigid motion) and w, w_,x, w_,y (lift and tilt). On the table
(z = 0 below, gravity down; s = +1 when the free plate is concave up, else s = -1: the panel is laid on its convex
side, as one lays a curled sample down) only the in-plane hold stays; the table holds w through the penalty k and
the weight q = rho g h per area pushes it down. The load is followed by Newton's method with load steps; the
square plate's bifurcation (spherical -> cylindrical, Hyer 1981) is taken by a small imperfection in N_T, M_T.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .abd_plate import _solve

GRAVITY_M_PER_S2 = 9.81
_GAUSS = np.polynomial.legendre.leggauss(4)


def _hermite(s, h):
    """1D cubic Hermite on [0, 1] for an interval of length h: values, d/dx, d2/dx2 of (f0, f0', f1, f1')."""
    H = np.stack([1 - 3 * s**2 + 2 * s**3, h * (s - 2 * s**2 + s**3), 3 * s**2 - 2 * s**3, h * (-s**2 + s**3)])
    dH = np.stack([-6 * s + 6 * s**2, h * (1 - 4 * s + 3 * s**2), 6 * s - 6 * s**2, h * (-2 * s + 3 * s**2)]) / h
    ddH = np.stack([-6 + 12 * s, h * (-4 + 6 * s), 6 - 12 * s, h * (-2 + 6 * s)]) / h**2
    return H, dH, ddH


def _element_basis(hx, hy, points=None):
    """Values and derivatives of the 16 BFS functions at the quadrature points: dict of (nq, 16), weights (nq)."""
    g, wg = _GAUSS
    s = 0.5 * (g + 1) if points is None else np.asarray(points[0])
    t = 0.5 * (g + 1) if points is None else np.asarray(points[1])
    Hx, dHx, ddHx = _hermite(s, hx)
    Hy, dHy, ddHy = _hermite(t, hy)
    # local node a = (i, j) at (i hx, j hy), order (0,0), (1,0), (1,1), (0,1); dofs f, f_x, f_y, f_xy
    nodes = [(0, 0), (1, 0), (1, 1), (0, 1)]
    out = {k: [] for k in ("N", "x", "y", "xx", "yy", "xy")}
    for i, j in nodes:
        for cx, cy in ((0, 0), (1, 0), (0, 1), (1, 1)):
            ax, ay = 2 * i + cx, 2 * j + cy
            X = (Hx[ax], dHx[ax], ddHx[ax])
            Y = (Hy[ay], dHy[ay], ddHy[ay])
            if points is None:
                X = [np.repeat(v, len(t)) for v in X]  # x index slow, y fast
                Y = [np.tile(v, len(s)) for v in Y]
            out["N"].append(X[0] * Y[0])
            out["x"].append(X[1] * Y[0])
            out["y"].append(X[0] * Y[1])
            out["xx"].append(X[2] * Y[0])
            out["yy"].append(X[0] * Y[2])
            out["xy"].append(X[1] * Y[1])
    basis = {k: np.array(v).T for k, v in out.items()}
    w = np.outer(wg, wg).ravel() * 0.25 * hx * hy if points is None else None
    return basis, w


@dataclass
class Grid:
    """nx x ny rectangles over [-L/2, L/2] x [-W/2, W/2]; 12 DOFs a node: (u_x, u_y, w) x (f, f_x, f_y, f_xy)."""
    length_m: float
    width_m: float
    nx: int
    ny: int

    @property
    def hx(self):
        return self.length_m / self.nx

    @property
    def hy(self):
        return self.width_m / self.ny

    @property
    def nnodes(self):
        return (self.nx + 1) * (self.ny + 1)

    @property
    def ndofs(self):
        return 12 * self.nnodes

    def node(self, i, j):
        return j * (self.nx + 1) + i

    def element_dofs(self) -> np.ndarray:
        """(nel, 48): field-major (u_x 16, u_y 16, w 16), elements row by row in y (index j * nx + i)."""
        j, i = np.divmod(np.arange(self.nx * self.ny), self.nx)
        nodes = np.stack([self.node(i, j), self.node(i + 1, j), self.node(i + 1, j + 1), self.node(i, j + 1)], 1)
        out = [12 * nodes[:, :, None] + 4 * f + np.arange(4)[None, None, :] for f in range(3)]
        return np.concatenate([o.reshape(len(nodes), 16) for o in out], axis=1)

    def node_xy(self):
        x = np.linspace(-0.5 * self.length_m, 0.5 * self.length_m, self.nx + 1)
        y = np.linspace(-0.5 * self.width_m, 0.5 * self.width_m, self.ny + 1)
        X, Y = np.meshgrid(x, y)
        return X.ravel(), Y.ravel()

    def w(self, U):
        return U[8::12]

    def centre(self):
        return self.node(self.nx // 2, self.ny // 2)


@dataclass
class Loads:
    ABD: np.ndarray  # (nel, 6, 6)
    NT: np.ndarray  # (nel, 3)
    MT: np.ndarray  # (nel, 3)
    q: np.ndarray | None = None  # weight per area (nel,), N/m^2, on the table
    side: float = 1.0  # s: +1 the table below a concave-up panel, -1 a concave-down one laid on its other face
    penalty: float = 0.0  # k, N/m^3


class Plate:
    """Residual and tangent of the grid plate; vectorised over elements and quadrature points."""

    def __init__(self, grid: Grid):
        self.g = grid
        self.bas, self.wq = _element_basis(grid.hx, grid.hy)
        self.edofs = grid.element_dofs()
        nd = self.edofs.shape[1]
        self.rows = np.repeat(self.edofs, nd, axis=1).ravel()
        self.cols = np.tile(self.edofs, (1, nd)).ravel()

    def _ops(self, Ue):
        b = self.bas
        nq, nb = b["N"].shape
        ne = Ue.shape[0]
        uu, uv, uw = Ue[:, :16], Ue[:, 16:32], Ue[:, 32:]
        wx, wy = uw @ b["x"].T, uw @ b["y"].T  # (ne, nq)
        eps = np.stack([uu @ b["x"].T + 0.5 * wx**2, uv @ b["y"].T + 0.5 * wy**2,
                        uu @ b["y"].T + uv @ b["x"].T + wx * wy], axis=-1)
        kap = -np.stack([uw @ b["xx"].T, uw @ b["yy"].T, 2 * uw @ b["xy"].T], axis=-1)
        # d[eps; kappa]/dU_e: (ne, nq, 6, 48)
        Bm = np.zeros((ne, nq, 6, 3 * nb))
        Bm[:, :, 0, :16] = b["x"]
        Bm[:, :, 1, 16:32] = b["y"]
        Bm[:, :, 2, :16] = b["y"]
        Bm[:, :, 2, 16:32] = b["x"]
        Bm[:, :, 0, 32:] = wx[..., None] * b["x"]
        Bm[:, :, 1, 32:] = wy[..., None] * b["y"]
        Bm[:, :, 2, 32:] = wx[..., None] * b["y"] + wy[..., None] * b["x"]
        Bm[:, :, 3, 32:] = -b["xx"]
        Bm[:, :, 4, 32:] = -b["yy"]
        Bm[:, :, 5, 32:] = -2 * b["xy"]
        return np.concatenate([eps, kap], axis=-1), Bm, uw @ b["N"].T

    def force_and_tangent(self, U, loads: Loads, t_thermal=1.0, t_weight=1.0):
        """Internal minus external force (the gradient of Pi) and its tangent, at the load factors."""
        Ue = U[self.edofs]
        e, Bm, w = self._ops(Ue)
        R = np.einsum("eij,eqj->eqi", loads.ABD, e) - t_thermal * np.concatenate([loads.NT, loads.MT], 1)[:, None]
        wq = self.wq[None, :]
        Bw = Bm * self.wq[None, :, None, None]
        fe = np.einsum("eqi,eqia->ea", R, Bw, optimize=True)
        CB = np.matmul(loads.ABD[:, None], Bm)  # (ne, nq, 6, 48)
        Ke = np.matmul(Bw.reshape(len(Bm), -1, Bm.shape[-1]).transpose(0, 2, 1), CB.reshape(len(Bm), -1, Bm.shape[-1]))
        b = self.bas
        N = R[..., :3] * self.wq[None, :, None]  # (ne, nq, 3) membrane force times weight: the geometric stiffness
        G = (np.einsum("eq,qa,qb->eab", N[..., 0], b["x"], b["x"]) + np.einsum("eq,qa,qb->eab", N[..., 1], b["y"], b["y"])
             + np.einsum("eq,qa,qb->eab", N[..., 2], b["x"], b["y"]) + np.einsum("eq,qa,qb->eab", N[..., 2], b["y"], b["x"]))
        Ke[:, 32:, 32:] += G
        if loads.q is not None:
            s = loads.side
            gap = s * w  # height above the table
            pen = np.minimum(gap, 0.0)
            fe[:, 32:] += np.einsum("eq,qa->ea", (s * t_weight * loads.q[:, None] + s * loads.penalty * pen) * wq, b["N"])
            act = (gap < 0).astype(float) * loads.penalty * wq
            Ke[:, 32:, 32:] += np.einsum("eq,qa,qb->eab", act, b["N"], b["N"])
        n = self.g.ndofs
        f = np.bincount(self.edofs.ravel(), fe.ravel(), minlength=n)
        K = sp.csr_matrix((Ke.ravel(), (self.rows, self.cols)), shape=(n, n))
        return f, K

    def element_curvature(self, U, at=(0.5, 0.5)):
        """(nel, 3) w_,xx, w_,yy, w_,xy at a point of each element (local coordinates in [0, 1]^2)."""
        b, _ = _element_basis(self.g.hx, self.g.hy, ([at[0]], [at[1]]))
        uw = U[self.edofs][:, 32:]
        return np.stack([uw @ b["xx"][0], uw @ b["yy"][0], uw @ b["xy"][0]], axis=1)


def _held(grid: Grid, free: bool) -> np.ndarray:
    c = 12 * grid.centre()
    held = [c + 0, c + 4, c + 5]  # u_x, u_y, u_y,x
    if free:
        held += [c + 8, c + 9, c + 10]  # w, w_x, w_y
    return np.array(held)


def _newton(plate, U, loads, held, t_th, t_wt, ref, rtol=1e-9, max_iter=25):
    """Newton at fixed load factors; converged when the residual is below rtol times ref (the norm of the full
    load on the unloaded plate: the DOFs mix metres and slopes, so the residual is the common measure)."""
    free = np.setdiff1d(np.arange(plate.g.ndofs), held)
    for k in range(max_iter):
        f, K = plate.force_and_tangent(U, loads, t_th, t_wt)
        rn = float(np.linalg.norm(f[free]))
        if rn <= rtol * ref:
            return U, True, k
        if not np.isfinite(rn) or rn > 1e3 * ref:  # diverging: a smaller load step
            return U, False, k
        du = _solve(K[free][:, free], -f[free])
        if not np.all(np.isfinite(du)):
            return U, False, k
        U = U.copy()
        U[free] += du
    return U, False, max_iter


def _load_norm(plate, loads, held):
    free = np.setdiff1d(np.arange(plate.g.ndofs), held)
    f, _ = plate.force_and_tangent(np.zeros(plate.g.ndofs), loads, 1.0, 1.0)
    return max(float(np.linalg.norm(f[free])), 1e-300)


def _follow(plate, U, loads, held, which, steps0=10, t_start=0.0):
    """Newton along t in [t_start, 1] on the thermal ('thermal') or weight ('weight') load, halving failed steps."""
    t, dt, its = t_start, (1.0 - t_start) / steps0, 0
    ref = _load_norm(plate, loads, held)
    while t < 1.0 - 1e-12:
        tn = min(1.0, t + dt)
        th, wt = (tn, 0.0) if which == "thermal" else (1.0, tn)
        Un, ok, k = _newton(plate, U, loads, held, th, wt, ref)
        its += k
        if ok:
            U, t = Un, tn
            dt = min(dt * (1.5 if k <= 4 else 1.0), 0.25)
        else:
            dt *= 0.5
            if dt < 1e-4:
                raise RuntimeError(f"von Karman plate: no equilibrium past load factor {t:.4g}")
    return U, its


@dataclass
class CurlShape:
    U: np.ndarray
    grid: Grid
    curvature_centre: tuple  # (w_xx, w_yy, w_xy) at the centre, 1/m
    principal_curvatures: tuple  # (k1, k2), 1/m, |k1| >= |k2|
    corner_lift_m: float  # free: largest |w| at a corner above the centre's tangent plane; table: largest lift
    newton_iterations: int
    side: float = 1.0  # on the table: +1 laid as computed, -1 turned over (w measured down); free: 1

    @property
    def w(self):
        return self.grid.w(self.U)

    @property
    def height(self):
        """Height of each node above the table (on the table; free: w)."""
        return self.side * self.w


def _shape(plate, U, its, table: bool, side: float) -> CurlShape:
    g = plate.g
    c_el = [(g.ny // 2 - dj) * g.nx + g.nx // 2 - di for di in (0, 1) for dj in (0, 1)]
    corners = [(0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0)]  # the centre node in each of the four elements
    kc = np.mean([plate.element_curvature(U, at)[e] for e, at in zip(c_el, corners)], axis=0)
    lam = np.linalg.eigvalsh(np.array([[kc[0], kc[2]], [kc[2], kc[1]]]))
    lam = tuple(sorted(lam, key=abs, reverse=True))
    w = g.w(U)
    cn = [g.node(i, j) for i in (0, g.nx) for j in (0, g.ny)]
    if table:
        lift = float((side * w).max())
    else:
        lift = float(w[cn][np.argmax(np.abs(w[cn]))])
    return CurlShape(U, g, tuple(float(v) for v in kc), tuple(float(v) for v in lam), lift, its,
                     side if table else 1.0)


def imperfect(loads: Loads, d: float) -> Loads:
    """N_T, M_T times (1 + d, 1 - d, 1) in (x, y, xy): a push off the symmetric branch past its bifurcation."""
    f = np.array([1 + d, 1 - d, 1.0])
    return Loads(loads.ABD, loads.NT * f, loads.MT * f, loads.q, loads.side, loads.penalty)


def solve_free(grid: Grid, loads: Loads, imperfection: float = 1e-3, steps: int = 10) -> CurlShape:
    """The free plate under N_T, M_T at large deflection."""
    plate = Plate(grid)
    lp = imperfect(Loads(loads.ABD, loads.NT, loads.MT), imperfection)
    held = _held(grid, True)
    U, its = _follow(plate, np.zeros(grid.ndofs), lp, held, "thermal", steps)
    # the imperfection taken away at the end (from the stable branch it chose)
    base = Loads(loads.ABD, loads.NT, loads.MT)
    U2, ok, k = _newton(plate, U, base, held, 1.0, 0.0, _load_norm(plate, base, held))
    # deep past the bifurcation Newton may not reach the perfect plate from the imperfect one in one go: the
    # imperfect state (loads within the imperfection) is kept then
    return _shape(plate, U2 if ok else U, its + k, False, 1.0)


def solve_on_table(grid: Grid, loads: Loads, free: CurlShape, areal_mass_kg_per_m2: np.ndarray,
                   penetration_m: float = 1e-7, steps: int = 8) -> CurlShape:
    """The curled plate laid on a rigid table (its convex side down) and loaded by its weight.

    The penalty k = q / penetration_m lets the plate sink about penetration_m where its full weight rests; the
    plate starts from the free shape lowered onto the table (touching at its lowest point) and the weight is
    ramped on. A weak spring (1e-2 of the weight per metre of height change) on every point, about the lowered free
    shape, removes the rigid tilt and roll that the first touching point or line leaves free; its force is below
    1e-4 x the weight where the weight moves a point by 10 mm.
    """
    plate = Plate(grid)
    side = 1.0 if free.corner_lift_m >= 0 else -1.0
    q = np.asarray(areal_mass_kg_per_m2, float) * GRAVITY_M_PER_S2 * np.ones(grid.nx * grid.ny)
    k = float(q.max()) / penetration_m
    U = free.U.copy()
    w = grid.w(U)
    U[8::12] = w - side * (side * w).min()  # lowered to touch
    table = Loads(loads.ABD, loads.NT, loads.MT, q, side, k)
    held = _held(grid, False)
    U, its = _follow_table(plate, U, table, held, float(q.mean()) * 1e-2, steps)
    return _shape(plate, U, its, True, side)


def _follow_table(plate, U, loads, held, spring, steps):
    """The weight ramped on (load steps, halved on failure); where that fails, a continuation in the spring instead:
    the full weight against a spring 10^5 times stiffer, softened tenfold a stage down to `spring`."""
    try:
        return _table_stages(plate, U, loads, held, [spring], steps)
    except RuntimeError:
        return _table_stages(plate, U, loads, held, [spring * 10.0**k for k in range(5, -1, -1)], 1)


def _table_stages(plate, U, loads, held, springs, steps):
    free = np.setdiff1d(np.arange(plate.g.ndofs), held)
    wdofs = np.arange(8, plate.g.ndofs, 12)
    # a lumped weak spring on the nodal w, about the start: it only fixes the tilt and lift the table leaves free
    area = plate.g.hx * plate.g.hy
    w0 = U[wdofs].copy()
    ref = _load_norm(plate, loads, held)
    its = 0
    for stage, spring in enumerate(springs):
        t, dt = (0.0, 1.0 / steps) if stage == 0 else (0.0, 1.0)
        while t < 1.0 - 1e-12:
            tn = min(1.0, t + dt)
            Un, ok = U.copy(), False
            for k in range(40):
                f, K = plate.force_and_tangent(Un, loads, 1.0, tn)
                f[wdofs] += spring * area * (Un[wdofs] - w0)
                rn = np.linalg.norm(f[free])
                if rn <= 1e-8 * ref:
                    ok = True
                    break
                if not np.isfinite(rn) or rn > 1e6 * ref:
                    break
                K = K + sp.csr_matrix((np.full(len(wdofs), spring * area), (wdofs, wdofs)), shape=K.shape)
                du = _solve(K[free][:, free], -f[free])
                Un[free] += du
                its += 1
            if ok:
                U, t = Un, tn
            else:
                dt *= 0.5
                if dt < 1e-3:
                    raise RuntimeError(f"von Karman plate on the table: no equilibrium past weight factor {t:.4g}")
    return U, its


def areal_mass(layers_kg_m3_thick: list[tuple[float, float]]) -> float:
    """rho h summed over the layers present (kg/m^2)."""
    return float(sum(r * h for r, h in layers_kg_m3_thick))
