"""An iterative solver for thin layered plates: conjugate gradients with a two-level column/plate preconditioner.

Why not algebraic or plain geometric multigrid: on a Cu/PI stack tens of micrometres thick and millimetres wide,
the cheap error modes are the plate's bending modes. A smoother that works on nodes, or on the through-thickness
columns of nodes, sees a bending wave of in-plane wavelength ~h as nearly free (its energy relative to the block
diagonal scales like (t/h)^2), so it barely damps it, and every coarse grid with h >> t leaves it worse:
smoothed-aggregation AMG stalled (residual 1e-5 after 500 iterations at 10 k DOF), and a geometric V-cycle with
in-plane semi-coarsening, exact nested prolongation and a column smoother needed 45, 71 and 118 iterations at
100 k DOF as its coarsest level went from 27 k to 6.6 k and 1.9 k unknowns (the coarsest, direct, level must stay
fine enough that h ~ t there). What works is to correct the bending modes exactly, on the fine grid:

- **column smoother**: damped block Jacobi over node columns (all unknowns of the nodes sharing one in-plane
  position, 15-27 of them), inverted in batch: it resolves everything that happens through the thickness;
- **plate coarse space**: per column the five plate motions (u, v, w, and u, v linear in z: the rotations of a
  Reissner-Mindlin plate), so R^T A R is the Galerkin plate stiffness of the 3D mesh: a 2D problem with a
  fifth of the unknowns or fewer, solved directly (PARDISO or SuperLU; 2D fill is mild);
- one symmetric multiplicative cycle (smooth, plate correction, smooth) preconditions CG.

Measured on the benchmark plate (Cu 18 / PI 25 / PI 5 / Cu 18 um, 10 x 10 mm): 20-24 CG iterations (Hex20) and
13 (Hex27) for 1e-8 from 12 k to 318 k DOF. Nothing here needs a structured grid: a column is any set of nodes at one
in-plane position (etched elements simply shorten their columns); constrained unknowns are not among the free ones
and plate motions that constraints forbid entirely drop out.
"""
from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from .parallel import MKL_ABOVE, batched_inv, block_solve, map_blocks, matvec, quiet_openblas, threads
from .symmetric import is_symmetric

NMODES = 5  # plate motions per column: u, v, w, z*u, z*v


def columns(position: np.ndarray) -> np.ndarray:
    """(ncolumns, m) indices of the unknowns at each in-plane position (x, y), padded with n (a dummy slot)."""
    n = position.shape[1]
    scale = max(float(np.ptp(position[:2])), 1e-30)
    xy = np.round(position[:2] / scale * 1e9).astype(np.int64)
    xy -= xy.min(axis=1, keepdims=True)
    # one integer per position (both within 2e9 + 1: the product fits in 63 bits); sorting it is ~5x faster than
    # np.unique over the pairs, the same order (x, then y)
    _, col = np.unique(xy[0] * (int(xy[1].max()) + 1) + xy[1], return_inverse=True)
    col = col.ravel()
    order = np.argsort(col, kind="stable")
    counts = np.bincount(col)
    blocks = np.full((len(counts), counts.max()), n, dtype=np.int64)
    start = np.concatenate([[0], np.cumsum(counts)[:-1]])
    blocks[col[order], np.arange(n) - np.repeat(start, counts)] = order
    return blocks


def block_inverses(A: sp.csr_matrix, blocks: np.ndarray, chunk_rows: int = 100_000) -> np.ndarray:
    """Inverses of the dense diagonal blocks A[b, b] of every column (padding: identity); A may be a
    `symmetric.Symmetric` (each entry of its triangle is written to both places in the block)."""
    mirror = is_symmetric(A)
    if mirror:
        A = A.upper
    n = A.shape[0]
    nb, m = blocks.shape
    valid = blocks < n
    bi, pi = np.nonzero(valid)
    col_of = np.empty(n, dtype=np.int32)
    pos_of = np.empty(n, dtype=np.int32)
    col_of[blocks[valid]], pos_of[blocks[valid]] = bi, pi
    Ab = np.zeros((nb, m, m))
    flat = Ab.reshape(-1)

    def gather(s):  # straight on the CSR arrays: no sliced copies; the chunks write disjoint entries
        e = min(n, s + chunk_rows)
        lo, hi = A.indptr[s], A.indptr[e]
        r = np.repeat(np.arange(s, e, dtype=np.int32), np.diff(A.indptr[s:e + 1]))
        c = A.indices[lo:hi]
        cr = col_of[r]
        same = np.flatnonzero(cr == col_of[c])
        b, pr, pc, v = cr[same].astype(np.int64) * m, pos_of[r[same]], pos_of[c[same]], A.data[lo:hi][same]
        flat[(b + pr) * m + pc] = v
        if mirror:
            flat[(b + pc) * m + pr] = v

    map_blocks(gather, list(range(0, n, chunk_rows)))
    bp, pp = np.nonzero(~valid)
    Ab[bp, pp, pp] = 1.0
    return batched_inv(Ab)


def plate_modes(position: np.ndarray, component: np.ndarray, blocks: np.ndarray) -> sp.csr_matrix:
    """R (n, <= 5 ncolumns): per column the plate motions u, v, w and (z - z_c) u, (z - z_c) v, each scaled to
    unit norm; motions the constraints forbid entirely (a zero column) are left out."""
    n = position.shape[1]
    nb = blocks.shape[0]
    b, pos = np.nonzero(blocks < n)
    dof = blocks[b, pos]
    comp = component[dof]
    z = position[2, dof]
    # rotations about the mean height of that component's unknowns in the column: orthogonal to the translation
    # (never a copy of it, whatever the constraints leave free), zero - and dropped - where only one height is free
    key = NMODES * b + comp
    zc = np.bincount(key, weights=z, minlength=NMODES * nb) / np.maximum(np.bincount(key, minlength=NMODES * nb), 1)
    inplane = comp < 2
    rows = np.concatenate([dof, dof[inplane]])
    cols = np.concatenate([key, key[inplane] + 3])
    vals = np.concatenate([np.ones(len(dof)), z[inplane] - zc[key[inplane]]])
    norms = np.sqrt(np.bincount(cols, weights=vals ** 2, minlength=NMODES * nb))
    scale = np.where(np.arange(NMODES * nb) % NMODES >= 3, max(float(np.ptp(z)), 1e-300), 1.0)
    keep = norms > 1e-9 * scale
    new = np.cumsum(keep) - 1
    sel = keep[cols]
    return sp.csr_matrix((vals[sel] / norms[cols[sel]], (rows[sel], new[cols[sel]])), shape=(n, int(keep.sum())))


def layerwise_modes(position: np.ndarray, component: np.ndarray, blocks: np.ndarray,
                    z_levels: np.ndarray) -> sp.csr_matrix:
    """R (n, <= (1 + 2 L) ncolumns): per column w, and u, v piecewise linear through the thickness between the L
    heights `z_levels` (the element layers' faces: a layerwise, "zigzag" plate), each scaled to unit norm.

    Why: once a foil is etched into lines, the lines slide on the polyimide by shearing it, a motion in which each
    layer turns on its own; the five motions of one Reissner-Mindlin plate per column (`plate_modes`) cannot
    take it, and CG had to find it iteration by iteration (~100 instead of ~25). The hats span the plate motions
    (constant and linear in z are piecewise linear), so nothing is lost; where a layer is absent (etched) its
    heights carry no unknown and those modes drop out.
    """
    n = position.shape[1]
    nb = blocks.shape[0]
    zl = np.asarray(z_levels, float)
    L = len(zl)
    nm = 1 + 2 * L
    b, pos = np.nonzero(blocks < n)
    dof = blocks[b, pos]
    comp = component[dof]
    z = position[2, dof]
    k = np.clip(np.searchsorted(zl, z, side="right") - 1, 0, L - 2)
    s = np.clip((z - zl[k]) / (zl[k + 1] - zl[k]), 0.0, 1.0)
    w_ = comp == 2
    ip = ~w_
    rows = np.concatenate([dof[w_], dof[ip], dof[ip]])
    cols = np.concatenate([nm * b[w_], nm * b[ip] + 1 + 2 * k[ip] + comp[ip],
                           nm * b[ip] + 1 + 2 * (k[ip] + 1) + comp[ip]])
    vals = np.concatenate([np.ones(int(w_.sum())), 1.0 - s[ip], s[ip]])
    nz = vals > 1e-12
    rows, cols, vals = rows[nz], cols[nz], vals[nz]
    norms = np.sqrt(np.bincount(cols, weights=vals ** 2, minlength=nm * nb))
    keep = norms > 1e-9
    new = np.cumsum(keep) - 1
    return sp.csr_matrix((vals / norms[cols], (rows, new[cols])), shape=(n, int(keep.sum())))


SINGLE_SMOOTHER = True


class ColumnSmoother:
    """Damped block Jacobi over the node columns of A: x + omega D^-1 r.

    With SINGLE_SMOOTHER, D^-1 is kept and applied in float32: half the memory and traffic of the largest part of
    the preconditioner; a smoother needs no more digits (the iterations are CG's, in float64, on A)."""

    def __init__(self, A: sp.csr_matrix, position: np.ndarray):
        self.blocks = columns(position)
        inv = block_inverses(A, self.blocks)
        if SINGLE_SMOOTHER:  # symmetrised after rounding: symmetric to the last bit, so the cycle stays symmetric
            inv = inv.astype(np.float32)
            inv = inv + inv.transpose(0, 2, 1)
            inv *= 0.5
        self.inv = inv
        self.omega = 4.0 / (3.0 * self._max_eigenvalue(A))  # a convergent, smoothing damping of block Jacobi
        # A is not kept: the cycle passes its operator (memory: a chain replaces it as the moduli drift)

    def block_solve(self, r: np.ndarray) -> np.ndarray:
        """D^-1 r, D the block diagonal of the node columns."""
        return block_solve(self.inv, self.blocks, r)

    def __call__(self, x: np.ndarray | None, r: np.ndarray) -> np.ndarray:
        """One sweep from x (None = 0) with its residual r."""
        dx = self.omega * self.block_solve(r)
        return dx if x is None else x + dx

    def _max_eigenvalue(self, A, iterations: int = 10) -> float:
        """Largest eigenvalue of D^-1 A by power iteration (an estimate from below: hence 4/3, not 2)."""
        v = np.random.default_rng(0).standard_normal(A.shape[0])
        lam = 1.0
        for _ in range(iterations):
            w = self.block_solve(matvec(A, v))
            lam = float(np.linalg.norm(w) / np.linalg.norm(v))
            v = w / np.linalg.norm(w)
        return lam


class ColumnPlatePreconditioner:
    """M^-1 r for the stiffness A of a layered plate: column block Jacobi, plate correction, column block Jacobi.

    position (3, n): coordinates of the node of each unknown (z through the thickness); component (n,): 0, 1, 2.
    factorize: K -> callable solving K x = b, for the plate operator (physics/solvers passes PARDISO's; default
    SuperLU).
    """

    def __init__(self, A: sp.spmatrix, position: np.ndarray, component: np.ndarray, factorize=None,
                 z_levels: np.ndarray | None = None):
        t0 = time.perf_counter()
        self.A = as_stored(A)
        self.smoother = ColumnSmoother(self.A, position)
        self.R = plate_modes(position, component, self.smoother.blocks) if z_levels is None else \
            layerwise_modes(position, component, self.smoother.blocks, z_levels)
        self.RT = self.R.T.tocsr()  # both factors CSR: no conversion of the large A R to CSC
        factorize = factorize or (lambda K: spla.splu(K.tocsc()).solve)
        self.plate = factorize(galerkin(self.RT, self.A, self.R))
        self.plate_unknowns = self.R.shape[1]
        self.setup_seconds = time.perf_counter() - t0

    def use(self, A: sp.csr_matrix) -> None:
        """Cycle with A (same pattern, moduli drifted a little) in place of the matrix it was built from, which is
        then released: the smoother's blocks and the plate stay those of the original moduli."""
        self.A = A

    def __call__(self, r: np.ndarray) -> np.ndarray:
        x = self.smoother(None, r)
        x += matvec(self.R, self.plate(matvec(self.RT, r - matvec(self.A, x))))
        return self.smoother(x, r - matvec(self.A, x))


def as_stored(A):
    """A as the cycles keep it: a `symmetric.Symmetric` as it is, anything else as CSR."""
    return A if is_symmetric(A) else sp.csr_matrix(A)


GALERKIN_CHUNK = 20_000_000  # stored entries of R^T A computed at a time (bounds the temporary of R^T A R)


def galerkin(RT: sp.csr_matrix, A: sp.csr_matrix, R: sp.csr_matrix) -> sp.csr_matrix:
    """R^T A R, a block of R^T's rows at a time, the blocks over the threads (`parallel.row_blocks_map`).

    Why rows of R^T first: (R^T)_k A reads each row of A that the k-th coarse function touches, and the block of the
    result is a set of whole rows, stacked at the end for nothing; A R by blocks of columns needed A's whole pattern
    for every block and a column-wise stack: 4.9 s against 1.1 s on one thread for the 1 M DOF benchmark plate.
    A `symmetric.Symmetric` (upper triangle U) is multiplied as (R^T)_k U + (R^T)_k L with L its strict lower
    triangle, made once as CSR (a temporary of the triangle's size, not of the whole matrix).
    """
    lower = None
    if is_symmetric(A):
        A, lower = A.upper, A.strict_lower()
    ncol = RT.shape[0]
    nnz = A.nnz if lower is None else 2 * A.nnz - A.shape[0]  # of the whole matrix
    per_row = max(1.0, nnz / max(A.shape[0], 1) * RT.nnz / max(ncol, 1))  # entries of R^T A per row, roughly
    step = max(1, int(GALERKIN_CHUNK / per_row))
    if RT.nnz * per_row > MKL_ABOVE:
        step = min(step, -(-ncol // threads()))  # at least one block per thread
    blocks = [(s, min(ncol, s + step)) for s in range(0, ncol, step)]
    if lower is None:
        parts = map_blocks(lambda b: sp.csr_matrix(RT[b[0]:b[1]] @ A @ R), blocks)
    else:
        parts = map_blocks(lambda b: sp.csr_matrix((RT[b[0]:b[1]] @ A + RT[b[0]:b[1]] @ lower) @ R), blocks)
    return parts[0] if len(parts) == 1 else sp.vstack(parts, format="csr")


def pcg(A: sp.spmatrix, b: np.ndarray, M, tol: float = 1e-8, maxiter: int = 500, x0: np.ndarray | None = None):
    """Preconditioned conjugate gradients until ||b - A x|| <= tol ||b|| (the same stop whatever the start), from
    x0 where it is nearer than x = 0 (a residual below ||b||: the last increment's solution), else from 0;
    returns (x, iterations, relative residual recomputed from x). OpenBLAS on one thread meanwhile
    (`parallel.quiet_openblas`)."""
    with quiet_openblas():
        return _pcg(as_stored(A), b, M, tol, maxiter, x0)


def _pcg(A, b: np.ndarray, M, tol: float, maxiter: int, x0: np.ndarray | None):
    bn = np.linalg.norm(b)
    x = np.zeros_like(b)
    if bn == 0.0:
        return x, 0, 0.0
    r = b.copy()
    if x0 is not None:
        r0 = b - matvec(A, x0)
        if np.linalg.norm(r0) < bn:
            x[:], r = x0, r0
        del r0
    z = M(r)
    p = z.copy()
    rz = r @ z
    it = 0
    for it in range(1, maxiter + 1):
        Ap = matvec(A, p)
        alpha = rz / (p @ Ap)
        x += alpha * p
        r -= alpha * Ap
        if np.linalg.norm(r) <= tol * bn:
            break
        z = M(r)
        rz_new = r @ z
        p = z + (rz_new / rz) * p
        rz = rz_new
    return x, it, float(np.linalg.norm(b - matvec(A, x)) / bn)
