"""Geometric in-plane levels above the column/plate preconditioner, for meshes finer in plane than the plate is thick.

The column/plate two-level method (physics/fe/twolevel.py) needs 13-16 CG iterations while the in-plane element size h
is above the plate thickness t, but its column smoother weakens once h < t (the through-thickness modes of
neighbouring columns then couple strongly): measured 16, 22, 38, 71 iterations at h / t = 1.9, 0.94, 0.47, 0.24.
That is the regime where plain geometric multigrid works, so the two are stacked: in-plane semi-coarsening levels
(a coarse element = 2 x 2 fine elements in plane, 3 where a count is odd, same through-thickness nodes; in each
direction only while the coarse elements stay no wider than COARSEN_UP_TO x t), each smoothed by the column
smoother, and the column/plate two-level cycle as the coarse solve of the last one.

The quadratic spaces (Hex27 Lagrange and Hex20 serendipity on axis-aligned bricks) are nested under this
coarsening, so the prolongation P is exact: the coarse shape functions evaluated at the fine nodes (graded grids and
pattern breaks included). Coarse operators are Galerkin, P^T A P (material jumps and etched elements come with A);
a coarse unknown is left out where it sits on a fine unknown that is not free (constrained or of an absent element)
or where nothing free lies in its support. Needs a structured grid of bricks (model/mesh.layered_mesh_3d); any other
mesh gets the two-level method alone.
"""
from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sp
from skfem import CellBasis, MeshHex

from .twolevel import ColumnPlatePreconditioner, ColumnSmoother

COARSEN_UP_TO = 2.0  # in-plane coarse element width, in plate thicknesses, up to which a geometric level is added


def tensor_axes(mesh) -> tuple | None:
    """Vertex coordinates of a MeshHex tensor grid along x, y, z; None if the mesh is not one."""
    if not isinstance(mesh, MeshHex):
        return None
    axes = tuple(np.unique(mesh.p[i]) for i in range(3))
    n = [len(a) - 1 for a in axes]
    if mesh.t.shape[1] != n[0] * n[1] * n[2] or mesh.p.shape[1] != (n[0] + 1) * (n[1] + 1) * (n[2] + 1):
        return None
    return axes


def coarse_indices(n: int) -> np.ndarray:
    """Vertices kept when n divisions are merged in pairs (the last three together when n is odd)."""
    idx = np.arange(0, n + 1, 2)
    if n % 2:
        idx[-1] = n
    return idx


def prolongation_scalar(fine: CellBasis, coarse: CellBasis, axes_c) -> sp.csr_matrix:
    """P[i, j] = coarse shape function j at fine node i (nested spaces: exact interpolation)."""
    X = fine.doflocs
    mesh = coarse.mesh
    dims = [len(a) - 1 for a in axes_c]
    # the coarse element holding each fine node, found from its lowest vertex on the tensor axes
    lo = np.array([np.clip(np.searchsorted(a, X[i], side="right") - 1, 0, len(a) - 2) for i, a in enumerate(axes_c)])
    corner = np.array([np.searchsorted(a, mesh.p[i, mesh.t].min(axis=0)) for i, a in enumerate(axes_c)])
    cell_of = np.empty(int(np.prod(dims)), dtype=np.int64)
    cell_of[np.ravel_multi_index(corner, dims)] = np.arange(mesh.t.shape[1])
    cells = cell_of[np.ravel_multi_index(lo, dims)]
    pts = coarse.mapping.invF(X[:, :, None], tind=cells)
    phi = np.array([np.asarray(coarse.elem.gbasis(coarse.mapping, pts, k, tind=cells)[0]).ravel()
                    for k in range(coarse.Nbfun)]).ravel()
    rows = np.tile(np.arange(X.shape[1]), coarse.Nbfun)
    cols = coarse.element_dofs[:, cells].ravel()
    keep = np.abs(phi) > 1e-12
    return sp.csr_matrix((phi[keep], (rows[keep], cols[keep])), shape=(X.shape[1], coarse.N))


def coarse_level(fine: CellBasis, free: np.ndarray, axes_c):
    """Coarse basis, its free unknowns and the prolongation (fine free -> coarse free) of interleaved 3D dofs."""
    coarse = CellBasis(MeshHex.init_tensor(*axes_c), fine.elem, intorder=1)
    P = sp.kron(prolongation_scalar(fine, coarse, axes_c), sp.identity(3, format="csr"), format="csr")
    absent = np.setdiff1d(np.arange(P.shape[0]), free)
    sub = P[absent].tocoo()
    sitting = np.unique(sub.col[np.abs(sub.data - 1.0) < 1e-9])  # on a fine unknown that is not free
    P = P[free].tocsc()
    used = np.flatnonzero(np.diff(P.indptr) > 0)
    free_c = np.setdiff1d(used, sitting)
    return coarse, free_c, P[:, free_c].tocsr()


def _coarsened(a: np.ndarray, limit: float) -> np.ndarray:
    """Vertex coordinates of one axis after merging pairs of divisions, or unchanged if a merged division would be
    wider than `limit` (each direction on its own: a grid fine across circuit lines and coarse along them)."""
    if len(a) < 3:
        return a
    c = a[coarse_indices(len(a) - 1)]
    return c if np.diff(c).max() <= limit else a


class PlateMultigrid:
    """V-cycle: column smoothing on in-plane levels, the column/plate two-level cycle at the bottom.

    A: the stiffness on the unknowns `dofs` (interleaved node*3 + component) of the scalar basis `basis`.
    """

    def __init__(self, A: sp.spmatrix, basis: CellBasis, dofs: np.ndarray, factorize=None):
        t0 = time.perf_counter()
        A = sp.csr_matrix(A)
        self.levels = []  # (A, smoother, P) from the finest
        axes = tensor_axes(basis.mesh)
        fine, free = basis, np.asarray(dofs)
        limit = COARSEN_UP_TO * np.ptp(axes[2]) if axes is not None else 0.0
        while axes is not None:
            wx, wy = np.diff(axes[0]).max(), np.diff(axes[1]).max()
            # the narrower direction first (semi-coarsening toward square elements: anisotropy weakens the smoother)
            axes_c = (_coarsened(axes[0], limit) if wx <= 1.5 * wy else axes[0],
                      _coarsened(axes[1], limit) if wy <= 1.5 * wx else axes[1], axes[2])
            if len(axes_c[0]) == len(axes[0]) and len(axes_c[1]) == len(axes[1]):
                break
            coarse, free_c, P = coarse_level(fine, free, axes_c)
            self.levels.append((A, ColumnSmoother(A, fine.doflocs[:, free // 3]), P))
            A = (P.T @ (A @ P)).tocsr()
            fine, free, axes = coarse, free_c, axes_c
        self.bottom = ColumnPlatePreconditioner(A, fine.doflocs[:, free // 3], free % 3, factorize)
        self.sizes = [lev[0].shape[0] for lev in self.levels] + [A.shape[0]]
        self.plate_unknowns = self.bottom.plate_unknowns
        self.setup_seconds = time.perf_counter() - t0

    def __call__(self, r: np.ndarray, k: int = 0) -> np.ndarray:
        if k == len(self.levels):
            return self.bottom(r)
        A, smooth, P = self.levels[k]
        x = smooth(None, r)
        x += P @ self(P.T @ (r - A @ x), k + 1)
        return smooth(x, r - A @ x)
