"""Periodic homogenization of a laminate plate with an etched foil: the effective A, B, D and N_T, M_T of a
unit cell of the pattern (lines, pads), from a 3D periodic cell solved with finite elements.

The cell is a box a x b in plane through the whole stack; the patterned foil has copper only where the cell's
mask says so. The displacement is the plate's macroscopic field plus a fluctuation w periodic in x and y:
    eps(x) = eps_M(z) + sym grad w,   eps_M,ab(z) = eps0_ab + (z - z_ref) kappa_ab   (a, b in {x, y}),
    sigma = C (eps - e* I),           int_cell sigma : sym grad v dV = 0  for every periodic v,
with free top and bottom faces (natural conditions). The resultants per unit area of plate,
    N = <int sigma_ab dz>,  M = <int (z - z_ref) sigma_ab dz>,
are linear in (eps0, kappa, e*): N = A eps0 + B kappa - N_T, M = B eps0 + D kappa - M_T (Voigt order xx, yy, xy
with engineering shear; kappa = -w_xx, -w_yy, -2 w_xy, the mechanics sign). Six unit macroscopic strains and
one eigenstrain load case give the 6 x 6 ABD and (N_T, M_T). Hex27 elements (quadratic through each layer) make
a uniform layer exact, so a full-copper cell reproduces classical laminate theory to round-off.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from skfem import Basis, BilinearForm, ElementHex2, MeshHex
from skfem.helpers import ddot, sym_grad, trace


@dataclass(frozen=True)
class CellLayer:
    """One layer of the cell: modulus (Pa), Poisson's ratio, thickness (m), in-plane free strain e* (-) and its
    through-thickness value (None: the same; a polyimide expands more through its thickness)."""
    E: float
    nu: float
    thickness_m: float
    eigenstrain: float = 0.0
    eigenstrain_z: float | None = None

    @property
    def ez(self) -> float:
        return self.eigenstrain if self.eigenstrain_z is None else self.eigenstrain_z


@dataclass(frozen=True)
class PlateResponse:
    """Effective plate response: N = A eps0 + B kappa - N_T, M = B eps0 + D kappa - M_T (about z_ref)."""
    ABD: np.ndarray  # (6, 6)
    NT: np.ndarray  # (3,)
    MT: np.ndarray  # (3,)

    @property
    def A(self):
        return self.ABD[:3, :3]

    @property
    def B(self):
        return self.ABD[:3, 3:]

    @property
    def D(self):
        return self.ABD[3:, 3:]

    def rotated(self, theta: float) -> "PlateResponse":
        """The response in axes turned by -theta (a cell built along x, laid along the direction theta)."""
        T = strain_rotation(theta)  # local strains = T global strains
        R = np.zeros((6, 6))
        R[:3, :3] = R[3:, 3:] = T
        return PlateResponse(R.T @ self.ABD @ R, T.T @ self.NT, T.T @ self.MT)

    def free_state(self) -> np.ndarray:
        """Mid-surface strain and curvature (eps0, kappa) of a free plate: ABD [eps0; kappa] = [N_T; M_T]."""
        return np.linalg.solve(self.ABD, np.concatenate([self.NT, self.MT]))


def strain_rotation(theta: float) -> np.ndarray:
    """Voigt (engineering shear) strain transformation into axes turned by theta."""
    c, s = math.cos(theta), math.sin(theta)
    return np.array([[c * c, s * s, c * s], [s * s, c * c, -c * s], [-2 * c * s, 2 * c * s, c * c - s * s]])


# ---- closed form: classical laminate theory -------------------------------------------------------

def clt_response(layers: list[CellLayer], z_ref: float, fractions=None) -> PlateResponse:
    """Classical laminate theory of uniform isotropic layers (plane stress), z from the bottom of the stack,
    moments about z_ref; `fractions` scales each layer's stiffness (the rule of mixtures for a partly etched
    foil: its modulus times its copper fraction, its free strain unchanged)."""
    ABD = np.zeros((6, 6))
    NT, MT = np.zeros(3), np.zeros(3)
    z0 = -z_ref
    f = np.ones(len(layers)) if fractions is None else np.asarray(fractions, float)
    for lay, fi in zip(layers, f):
        z1 = z0 + lay.thickness_m
        c = fi * lay.E / (1 - lay.nu**2)
        Q = c * np.array([[1, lay.nu, 0], [lay.nu, 1, 0], [0, 0, 0.5 * (1 - lay.nu)]])
        m0, m1, m2 = z1 - z0, (z1**2 - z0**2) / 2, (z1**3 - z0**3) / 3
        ABD[:3, :3] += Q * m0
        ABD[:3, 3:] += Q * m1
        ABD[3:, :3] += Q * m1
        ABD[3:, 3:] += Q * m2
        e = lay.eigenstrain * np.array([1.0, 1.0, 0.0])
        NT += Q @ e * m0
        MT += Q @ e * m1
        z0 = z1
    return PlateResponse(ABD, NT, MT)


# ---- the periodic cell ----------------------------------------------------------------------------

@BilinearForm
def _stiffness(u, v, w):
    eu, ev = sym_grad(u), sym_grad(v)
    return w["lam"] * trace(eu) * trace(ev) + 2.0 * w["mu"] * ddot(eu, ev)


def cell_mesh(layers: list[CellLayer], x: np.ndarray, y: np.ndarray, mask: np.ndarray, patterned: int,
              n_per_layer: int = 1):
    """Box mesh of the cell on the node lines x, y (from 0 to the period) without the etched voxels: `mask`
    (len(y) - 1, len(x) - 1) says where the `patterned` layer keeps its copper; returns (MeshHex, layer index
    per element)."""
    ny, nx = mask.shape
    zi = np.concatenate([[0.0], np.cumsum([lay.thickness_m for lay in layers])])
    z = np.unique(np.concatenate([np.linspace(a, b, n_per_layer + 1) for a, b in zip(zi[:-1], zi[1:])]))
    m = MeshHex.init_tensor(x, y, z)
    c = m.p[:, m.t].mean(axis=1)
    layer = np.clip(np.searchsorted(zi, c[2]) - 1, 0, len(layers) - 1)
    ix = np.clip(np.searchsorted(x, c[0]) - 1, 0, nx - 1)
    iy = np.clip(np.searchsorted(y, c[1]) - 1, 0, ny - 1)
    keep = (layer != patterned) | mask[iy, ix]
    t = m.t[:, keep]
    used = np.unique(t)
    idx = -np.ones(m.p.shape[1], dtype=np.int64)
    idx[used] = np.arange(len(used))
    return MeshHex(np.ascontiguousarray(m.p[:, used]), np.ascontiguousarray(idx[t])), layer[keep]


def homogenize_cell(layers: list[CellLayer], z_ref: float, grid: tuple, mask: np.ndarray, patterned: int,
                    n_per_layer: int = 1) -> PlateResponse:
    """A, B, D, N_T, M_T of the periodic cell (see the module docstring) on the node lines grid = (x, y) (each
    from 0 to its period); moments about z_ref (from the bottom)."""
    mask = np.asarray(mask, bool)
    x, y = (np.asarray(v, float) for v in grid)
    size_m = (x[-1], y[-1])
    mesh, layer = cell_mesh(layers, x, y, mask, patterned, n_per_layer)
    sb = Basis(mesh, ElementHex2())  # 3-point Gauss per direction: exact stiffness on boxes
    E = np.array([lay.E for lay in layers])[layer]
    nu = np.array([lay.nu for lay in layers])[layer]
    lam_e, mu_e = E * nu / ((1 + nu) * (1 - 2 * nu)), E / (2 * (1 + nu))
    nq = sb.X.shape[1]
    lam, mu = np.repeat(lam_e[:, None], nq, 1), np.repeat(mu_e[:, None], nq, 1)
    g = np.ascontiguousarray(np.stack([sb.basis[a][0].grad for a in range(27)], axis=0).transpose(2, 3, 0, 1))
    wq = np.asarray(sb.dx)
    # vector DOF 3 s + i: component i at scalar DOF s; element ordering (a, i) -> 3 a + i
    edofs = (3 * sb.element_dofs.T[:, :, None] + np.arange(3)).reshape(len(layer), -1)
    ndof = 3 * sb.N
    K = _stiffness_matrix(g, wq, lam_e, mu_e, edofs, ndof)
    # periodic fluctuation: DOFs at the same (x mod a, y mod b, z, component) are one unknown
    comp = np.tile(np.arange(3), sb.N)
    loc = np.repeat(sb.doflocs, 3, axis=1)
    h = 1e-7 * min(size_m)
    per = [int(np.rint(a / h)) for a in size_m]
    keys = np.stack([np.rint(loc[0] / h).astype(np.int64) % per[0], np.rint(loc[1] / h).astype(np.int64) % per[1],
                     np.rint(loc[2] / h).astype(np.int64), comp], axis=1)
    _, red = np.unique(keys, axis=0, return_inverse=True)
    red = red.ravel()
    nr = int(red.max()) + 1
    P = sp.csr_matrix((np.ones(ndof), (np.arange(ndof), red)), shape=(ndof, nr))
    Kr = (P.T @ K @ P).tocsc()
    # the three translations are free: hold the DOFs of one node
    anchor = red[np.flatnonzero(np.all(keys[:, :3] == keys[np.argmin(loc[2] + loc[0] + loc[1]), :3], axis=1))]
    free = np.setdiff1d(np.arange(nr), anchor)
    Kff = Kr[free][:, free]
    # macroscopic strain at the quadrature points for the 6 unit modes and the eigenstrain case
    zq = sb.mapping.F(sb.X)[2] - z_ref  # (nel, nq)
    one = np.ones_like(zq)
    eps_modes = []
    for k in range(6):
        e = np.zeros((3, 3) + zq.shape)
        f = one if k < 3 else zq
        i = k % 3
        if i < 2:
            e[i, i] = f
        else:
            e[0, 1] = e[1, 0] = 0.5 * f
        eps_modes.append(e)
    estar = np.repeat(np.array([lay.eigenstrain for lay in layers])[layer][:, None], nq, 1)
    estar_z = np.repeat(np.array([lay.ez for lay in layers])[layer][:, None], nq, 1)
    e_th = np.zeros((3, 3) + zq.shape)
    e_th[0, 0] = e_th[1, 1] = -estar  # eps_M - e* with eps_M = 0
    e_th[2, 2] = -estar_z
    eps_modes.append(e_th)
    rhs = np.zeros((len(free), len(eps_modes)))
    for k, e in enumerate(eps_modes):
        fe = np.einsum("ijeq,eq,eqaj->eai", _sigma(e, lam, mu), wq, g, optimize=True).reshape(len(edofs), -1)
        rhs[:, k] = -(P.T @ np.bincount(edofs.ravel(), fe.ravel(), minlength=ndof))[free]
    sol = _solve(Kff, rhs)
    dx = wq
    area = size_m[0] * size_m[1]
    cols = []
    for k, e in enumerate(eps_modes):
        wr = np.zeros(nr)
        wr[free] = sol[:, k]
        eps = e + _sym_grad(g, (P @ wr)[edofs])
        s = _sigma(eps, lam, mu)
        N = np.array([np.sum(s[0, 0] * dx), np.sum(s[1, 1] * dx), np.sum(s[0, 1] * dx)]) / area
        M = np.array([np.sum(s[0, 0] * zq * dx), np.sum(s[1, 1] * zq * dx), np.sum(s[0, 1] * zq * dx)]) / area
        cols.append(np.concatenate([N, M]))
    ABD = np.stack(cols[:6], axis=1)
    th = cols[6]
    return PlateResponse(0.5 * (ABD + ABD.T), -th[:3], -th[3:])


def _sigma(e, lam, mu):
    tr = e[0, 0] + e[1, 1] + e[2, 2]
    s = 2.0 * mu * e
    for i in range(3):
        s[i, i] = s[i, i] + lam * tr
    return s


def _sym_grad(g, ue):
    """sym grad of the field with element DOFs ue (nel, 81) at the quadrature points, (3, 3, nel, nq)."""
    U = ue.reshape(len(ue), -1, 3)  # (e, a, i)
    H = np.einsum("eai,eqaj->ijeq", U, g, optimize=True)
    return 0.5 * (H + H.transpose(1, 0, 2, 3))


def _solve(K, rhs):
    """Sparse symmetric solve with several right-hand sides (PARDISO where it is installed)."""
    try:
        import pypardiso
    except ImportError:  # pragma: no cover - platforms without MKL
        return spla.splu(K.tocsc()).solve(rhs)
    return pypardiso.spsolve(K.tocsr(), np.asfortranarray(rhs)).reshape(rhs.shape)


def _stiffness_matrix(g, wq, lam, mu, edofs, n):
    """Isotropic elasticity K_(a i)(b j) = int lam g_ai g_bj + mu (g_aj g_bi + delta_ij g_a . g_b) dV, batched
    over elements (the readable form is _stiffness)."""
    ne, nb = g.shape[0], g.shape[2]
    gf = g.reshape(ne, g.shape[1], -1)  # (e, q, (a, i))
    M = np.matmul((gf * wq[:, :, None]).transpose(0, 2, 1), gf).reshape(ne, nb, 3, nb, 3)  # int g_ai g_bj
    G = np.einsum("eaibi->eab", M)
    K = lam[:, None, None, None, None] * M + mu[:, None, None, None, None] * M.transpose(0, 3, 2, 1, 4)
    for i in range(3):
        K[:, :, i, :, i] += mu[:, None, None] * G
    K = K.reshape(ne, 3 * nb, 3 * nb)
    rows = np.repeat(edofs, 3 * nb, axis=1).ravel()
    cols = np.tile(edofs, (1, 3 * nb)).ravel()
    return sp.csr_matrix((K.ravel(), (rows, cols)), shape=(n, n))


# ---- pattern classes --------------------------------------------------------------------------------

@dataclass(frozen=True)
class CellClass:
    """A pattern class the cache is keyed on: kind 'lines' (copper fraction, pitch, direction of the lines in
    radians from x), 'pads' (a square pad centred in a square cell), 'grid' (copper with a square hole per cell:
    a hatch), or 'full' / 'bare'."""
    kind: str
    fraction: float = 1.0
    pitch_m: float = 0.0
    theta: float = 0.0


def cell_grid(cls: CellClass, n: int) -> tuple[tuple[np.ndarray, np.ndarray], np.ndarray]:
    """((x, y) node lines, mask (ny, nx)) of a class with about n elements across its period and a node line on
    every copper edge (lines: one element along the line)."""
    p = cls.pitch_m
    if cls.kind == "lines":
        y = _lines_with_breaks(p, [0.5 * (1 - cls.fraction) * p, 0.5 * (1 + cls.fraction) * p], n)
        yc = 0.5 * (y[1:] + y[:-1])
        m = np.abs(yc - 0.5 * p) <= 0.5 * cls.fraction * p
        return (np.array([0.0, p / n]), y), m[:, None]
    if cls.kind in ("pads", "grid"):
        # pads: a square of copper centred in the cell; grid: copper with a square hole (a hatch, a mesh)
        a = math.sqrt(cls.fraction if cls.kind == "pads" else 1.0 - cls.fraction)
        t = _lines_with_breaks(p, [0.5 * (1 - a) * p, 0.5 * (1 + a) * p], n)
        tc = 0.5 * (t[1:] + t[:-1])
        inside = np.abs(tc - 0.5 * p) <= 0.5 * a * p
        sq = inside[:, None] & inside[None, :]
        return (t, t), (sq if cls.kind == "pads" else ~sq)
    return (np.array([0.0, 1e-4]), np.array([0.0, 1e-4])), np.full((1, 1), cls.kind == "full")


def _lines_with_breaks(p: float, breaks, n: int) -> np.ndarray:
    from ...model.pattern import grid_with_breaks

    return grid_with_breaks(0.0, p, n, [b for b in breaks if 0 < b < p])


@functools.lru_cache(maxsize=512)
def _class_response(layers: tuple, z_ref: float, patterned: int, cls: CellClass, n: int) -> PlateResponse:
    grid, mask = cell_grid(CellClass(cls.kind, cls.fraction, cls.pitch_m, 0.0), n)
    return homogenize_cell(list(layers), z_ref, grid, mask, patterned)


def class_response(layers: list[CellLayer], z_ref: float, patterned: int, cls: CellClass, n: int = 20) -> PlateResponse:
    """The homogenized response of a pattern class (cached per stack, class and resolution), in panel axes."""
    r = _class_response(tuple(layers), float(z_ref), int(patterned), CellClass(cls.kind, cls.fraction, cls.pitch_m),
                        int(n))
    return r.rotated(cls.theta) if cls.kind == "lines" and cls.theta else r
