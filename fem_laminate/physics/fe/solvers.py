"""Sparse linear solvers, chosen deliberately.

- "pardiso": Intel MKL PARDISO through pypardiso (x86-64): multithreaded supernodal LU, the fastest direct
  solver available from PyPI; used by default where it imports.
- "spsolve": scipy's SuperLU; always available, fine for 2D cross-sections.
- "cg_plate": conjugate gradients preconditioned by a column smoother and a plate coarse space
  (physics/fe/twolevel.py): converges in 13-25 iterations on thin layered 3D plates, memory linear in the size.
  It needs the position and component of every unknown (`layout`).
- "cg_amg": conjugate gradients preconditioned by pyamg smoothed aggregation with the rigid-body modes as
  near-null space; kept for comparison: it stalls on thin, high-contrast stacks.
`solve(..., method="auto")` picks (`choose_method`) cg_plate for a 3D plate above ITERATIVE_ABOVE unknowns or when
the direct factorisation's estimated memory exceeds what is available, else pardiso when present, else spsolve;
the choice, iterations and residual are reported back (SolveInfo).

Nonlinear solves (physics/solve/newton.py) use `direct_solve` (general, possibly unsymmetric tangent: the nip
contact with friction) or `SymmetricSolver` (upper triangle of a symmetric indefinite tangent: the
large-deflection plate), which also reports the inertia: the number of negative pivots says where an
equilibrium stops being stable (`negative_pivot_note`). PARDISO is detected here and nowhere else.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from .parallel import quiet_openblas
from .symmetric import is_symmetric

try:  # pragma: no cover - platform dependent
    import pypardiso  # noqa: F401
    HAVE_PARDISO = True
except Exception:  # ImportError, or MKL failing to load
    HAVE_PARDISO = False

METHODS = ("auto", "pardiso", "spsolve", "cg_plate", "cg_amg")
# 3D plates: above this many unknowns CG + column/plate preconditioner beats PARDISO (measured on the benchmark
# plate, 2 threads, loaded machine: 100 k DOF Hex27 4.7 s against 4.5-6.7 s; 318 k Hex20 20 s against 37 s)
ITERATIVE_ABOVE = 100_000
# PARDISO's peak memory on a 3D plate, bytes per unknown at 100 k, growing like n^(1/3) (nested dissection fill;
# measured 1.8 GB at 100 k Hex27, 4.98 GB at 372 k Hex20: 18 and 13 kB per DOF)
DIRECT_BYTES_PER_DOF_3D = 18e3


@dataclass
class SolveInfo:
    method: str
    seconds: float
    iterations: int = 0
    residual: float = 0.0


def default_method() -> str:
    return "pardiso" if HAVE_PARDISO else "spsolve"


def direct_memory_bytes(n: int) -> float:
    """Estimated peak memory of a direct factorisation of a 3D plate with n unknowns."""
    return DIRECT_BYTES_PER_DOF_3D * n * max(1.0, n / 100_000) ** (1.0 / 3.0)


def available_bytes() -> float:
    import psutil

    return float(psutil.virtual_memory().available)


def choose_method(n: int, plate3d: bool, many_solves: bool = False) -> str:
    """The solver for `n` unknowns: the iterative plate solver for a large 3D plate (or one whose direct
    factorisation would not fit in the memory available), else the direct default.

    many_solves: a process chain re-uses one factorisation for many increments, where a direct solver wins
    (measured: Example 1 as a 13 k DOF plate, 31 solves, 23 s direct against 56 s iterative); there the iterative
    solver is chosen only when the factorisation would not fit in memory.
    """
    # a chain holds stresses, history and the stiffness split by layer beside the factor: 28.5 against 18 kB per DOF
    # measured (sizing.py), so its direct estimate is 1.6x that of one solve
    too_big = direct_memory_bytes(n) * (1.6 if many_solves else 1.0) > 0.8 * available_bytes()
    if plate3d and (too_big or (n > ITERATIVE_ABOVE and not many_solves)):
        return "cg_plate"
    return default_method()


@dataclass
class Layout:
    """Where each unknown sits: node coordinates (3, n), z through the thickness, and component (n,) 0/1/2; with the
    scalar basis and the unknowns' dof numbers, a structured plate also gets geometric in-plane levels."""
    position: np.ndarray
    component: np.ndarray
    basis: object = None
    dofs: np.ndarray | None = None
    elements: np.ndarray | None = None  # the present elements of the basis's mesh (None: all)

    @classmethod
    def of(cls, basis, dofs: np.ndarray, dim: int = 3, elements: np.ndarray | None = None) -> "Layout":
        """Layout of the interleaved dofs `dofs` (node*dim + component) of a scalar basis (its doflocs)."""
        dofs = np.asarray(dofs)
        return cls(basis.doflocs[:, dofs // dim], dofs % dim, basis, dofs, elements)


def plate_preconditioner(K: sp.spmatrix, layout: Layout):
    """The cg_plate preconditioner: geometric in-plane levels where the mesh is finer than the plate is thick
    (physics/fe/multigrid.py, needs the basis), over the column/plate two-level cycle (physics/fe/twolevel.py)."""
    with quiet_openblas():
        if layout.basis is not None:
            from .multigrid import PlateMultigrid

            return PlateMultigrid(K, layout.basis, layout.dofs, _plate_factorization, layout.elements)
        from .twolevel import ColumnPlatePreconditioner

        return ColumnPlatePreconditioner(K, layout.position, layout.component, _plate_factorization)


def solve(K: sp.spmatrix, f: np.ndarray, method: str = "auto", near_null: np.ndarray | None = None,
          tol: float = 1e-10, maxiter: int = 2000, layout: Layout | None = None) -> tuple[np.ndarray, SolveInfo]:
    """Solve K x = f (K symmetric positive definite after constraints). f may be (n,) or (n, k).

    layout: positions and components of the unknowns of a 3D plate; needed by "cg_plate" (and by "auto" to
    consider it). tol: relative residual of the iterative methods.
    """
    if method not in METHODS:
        raise ValueError(f"solver method must be one of {METHODS}, got {method!r}")
    if method == "auto":
        method = choose_method(K.shape[0], layout is not None)
    t0 = time.perf_counter()
    K = K.tocsr()
    if method == "cg_plate":
        if layout is None:
            raise ValueError("solver 'cg_plate' needs the layout of the unknowns (a 3D plate)")
        from .twolevel import pcg

        M = plate_preconditioner(K, layout)
        cols = [f] if f.ndim == 1 else [f[:, j] for j in range(f.shape[1])]
        out = [pcg(K, c, M, tol=tol, maxiter=maxiter) for c in cols]
        res = max(o[2] for o in out)
        if res > 10 * tol:
            raise RuntimeError(f"CG (column/plate preconditioner) did not converge in {maxiter} iterations "
                               f"(relative residual {res:.2e})")
        x = out[0][0] if f.ndim == 1 else np.column_stack([o[0] for o in out])
        return x, SolveInfo("cg_plate", time.perf_counter() - t0, max(o[1] for o in out), res)
    if method == "pardiso":
        if not HAVE_PARDISO:
            raise ValueError("solver 'pardiso' requested but pypardiso is not importable on this machine")
        solver = _pardiso_spd()
        Ku = sp.triu(K, format="csr")
        x = solver.solve(Ku, np.ascontiguousarray(f))
        solver.free_memory(everything=True)
        return x, SolveInfo("pardiso", time.perf_counter() - t0)
    if method == "spsolve":
        x = spla.spsolve(K.tocsc(), f)
        return x, SolveInfo("spsolve", time.perf_counter() - t0)
    # cg + smoothed-aggregation AMG
    import pyamg
    B = near_null if near_null is not None else None
    ml = pyamg.smoothed_aggregation_solver(K, B=B, strength=("symmetric", {"theta": 0.0}),
                                           smooth="jacobi", max_coarse=500)
    M = ml.aspreconditioner(cycle="V")
    its = [0]

    def cb(_):
        its[0] += 1

    rhs = f if f.ndim == 1 else f[:, 0]
    x, info = spla.cg(K, rhs, rtol=tol, maxiter=maxiter, M=M, callback=cb)
    res = float(np.linalg.norm(K @ x - rhs) / max(np.linalg.norm(rhs), 1e-300))
    if info != 0:
        raise RuntimeError(f"CG+AMG did not converge in {maxiter} iterations (relative residual {res:.2e})")
    return x, SolveInfo("cg_amg", time.perf_counter() - t0, its[0], res)


def pcg(K, f, precond, tol: float = 1e-10, maxiter: int = 8):
    """Conjugate gradients preconditioned by an earlier factorisation; (x, iterations) or (None, maxiter)."""
    x = precond(f)
    r = f - K @ x
    fn = np.linalg.norm(f)
    if fn == 0.0:
        return np.zeros_like(f), 0
    z = precond(r)
    p = z.copy()
    rz = r @ z
    for it in range(1, maxiter + 1):
        if np.linalg.norm(r) <= tol * fn:
            return x, it - 1
        Kp = K @ p
        alpha = rz / (p @ Kp)
        x += alpha * p
        r -= alpha * Kp
        z = precond(r)
        rz_new = r @ z
        p = z + (rz_new / rz) * p
        rz = rz_new
    if np.linalg.norm(r) <= tol * fn:
        return x, maxiter
    return None, maxiter


DIRECT_SMALL = 100_000  # below this many dofs SuperLU beats PARDISO's per-call set-up


def _pardiso_spd():
    """PARDISO in real symmetric positive definite mode (mtype 2) on the upper triangle: about half the
    memory of the unsymmetric LU pypardiso uses by default (measured 2.6 -> 1.7 GB at 100 k DOF in 3D)."""
    import os

    import pypardiso
    # pypardiso looks for mkl_rt by globbing the whole environment on every construction when find_library
    # fails (0.4 s each); its documented variable names it: the runtime parallel.py found, else the one found here
    if "PYPARDISO_MKL_RT" not in os.environ and os.environ.get("MKL_RT"):
        os.environ["PYPARDISO_MKL_RT"] = os.environ["MKL_RT"]
    solver = pypardiso.PyPardisoSolver(mtype=2)
    os.environ.setdefault("PYPARDISO_MKL_RT", getattr(solver.libmkl, "_name", "") or "")
    if not os.environ["PYPARDISO_MKL_RT"]:
        del os.environ["PYPARDISO_MKL_RT"]
    return solver


class Factorized:
    """A factorisation reused for several right-hand sides (one per load increment at fixed stiffness).

    With method "cg_plate" (needs `layout`) the preconditioner is built once and each call runs CG to `tol`;
    `iterations` and `residual` hold the largest seen.
    """

    def __init__(self, K: sp.spmatrix, method: str = "auto", layout: Layout | None = None, tol: float = 1e-10,
                 upper: bool = False, refine: bool = True):
        """upper: K is the upper triangle of the symmetric matrix (PARDISO reads nothing else: no full copy is
        made or kept; the other methods rebuild the whole matrix). refine: PARDISO's iterative refinement (up to
        two steps, its default); off for a factor inside a preconditioner (`_plate_factorization`)."""
        if method == "auto":
            method = default_method() if K.shape[0] > DIRECT_SMALL else "spsolve"
        if method == "cg_amg" or (method == "cg_plate" and layout is None):
            method = "spsolve"  # increments re-use a direct factorisation; AMG is for one-off large solves
        self.method = method
        sym = is_symmetric(K)
        if sym and method != "cg_plate":  # a direct method takes the triangle as an upper-triangle K
            K, upper, sym = K.upper, True, False
        if upper and method == "pardiso":
            self.K, self._Ku = None, sp.csr_matrix(K)
        elif sym:  # cg_plate multiplies by the triangle as it is
            self.K = K
        else:
            K = (K + sp.triu(K, 1).T) if upper else K
            self.K = K.tocsr()
        self.iterations, self.residual, self.tol = 0, 0.0, tol
        t0 = time.perf_counter()
        if method == "cg_plate":
            self._precond = plate_preconditioner(self.K, layout)
        elif method == "pardiso":
            if self.K is not None:
                self._Ku = sp.triu(self.K, format="csr")
            self._solver = _pardiso_spd()
            self._pardiso_phase(12, np.zeros((K.shape[0], 1)))
            if not refine:
                self._solver.iparm[7] = 0  # iparm(8): no refinement steps (phase 12 filled in the default, 2)
        else:
            self._lu = spla.splu(self.K.tocsc())
        self.factor_seconds = time.perf_counter() - t0

    def same_pattern(self, K: sp.spmatrix) -> bool:
        return self.method == "pardiso" and self.K is not None and not is_symmetric(K) and \
            K.shape == self.K.shape and K.nnz == self.K.nnz and \
            np.array_equal(K.indptr, self.K.indptr) and np.array_equal(K.indices, self.K.indices)

    def refactor(self, K: sp.spmatrix) -> "Factorized":
        """This PARDISO factorisation redone for K, a matrix of the same pattern (`same_pattern`) with other
        values: the ordering and symbolic analysis are kept, only the numbers are factorised (phase 22)."""
        Ku = sp.triu(K.tocsr(), format="csr") if self.method == "pardiso" else None
        if Ku is None or not (np.array_equal(Ku.indptr, self._Ku.indptr) and
                              np.array_equal(Ku.indices, self._Ku.indices)):
            raise ValueError("refactor: a PARDISO factorisation of the same pattern only")
        t0 = time.perf_counter()
        self.K, self._Ku = K.tocsr(), Ku
        self._pardiso_phase(22, np.zeros((Ku.shape[0], 1)))
        self.factor_seconds = time.perf_counter() - t0
        return self

    def _pardiso_phase(self, phase: int, b: np.ndarray) -> np.ndarray:
        """One PARDISO phase on the kept upper triangle, straight through pypardiso's call: its `solve` would keep
        a copy of the matrix (or hash it on every call) to tell whether it is already factorised; here it is."""
        s, Ku = self._solver, self._Ku
        if phase != 33:  # pypardiso's own checks (it takes float64 only)
            if not Ku.has_sorted_indices:
                Ku.sort_indices()
            if not np.diff(Ku.indptr).all():
                raise ValueError("PARDISO: the matrix is singular (an empty row)")
            s.set_iparm(12, 0)  # CSR, not transposed
        s.set_phase(phase)
        b = np.asfortranarray(b, dtype=np.float64)
        return s._call_pardiso(Ku, b)

    def free(self) -> None:
        """Release PARDISO's factors (kept by MKL until asked: a replaced factorisation would otherwise stay in
        memory for the life of the process)."""
        if self.method == "pardiso" and getattr(self, "_solver", None) is not None:
            self._solver.free_memory(everything=True)
            self._solver = None

    def __del__(self):
        try:
            self.free()
        except Exception:  # interpreter shutdown: MKL may be gone already
            pass

    def __call__(self, f: np.ndarray, K: sp.spmatrix | None = None, x0: np.ndarray | None = None) -> np.ndarray:
        """K^-1 f for the factorised K; "cg_plate" also takes a nearby K (other moduli, same pattern): its
        preconditioner serves as it is, and x0, a guess to start CG from (the direct methods ignore it)."""
        if self.method == "cg_plate":
            from .twolevel import pcg

            if K is not None and K is not self.K:  # the nearby K replaces the factorised one (memory: one copy)
                self.K = K if is_symmetric(K) else K.tocsr()
                self._precond.use(self.K)
            x, its, res = pcg(self.K, f, self._precond, tol=self.tol, maxiter=2000, x0=x0)
            if res > 10 * self.tol:
                raise RuntimeError(f"CG (column/plate preconditioner) stopped at relative residual {res:.2e}")
            self.iterations, self.residual = max(self.iterations, its), max(self.residual, res)
            return x
        if self.method == "pardiso":
            x = self._pardiso_phase(33, f if f.ndim == 2 else f[:, None])
            return x if f.ndim == 2 else x[:, 0]
        return self._lu.solve(f)


def _plate_factorization(K: sp.spmatrix, upper: bool = False) -> "Factorized":
    """The direct solver of the plate operator inside cg_plate (2D-like: PARDISO, else SuperLU); upper: K is the
    upper triangle of the symmetric operator.

    Without iterative refinement: PARDISO's two default steps repeat the forward and back substitution twice, with
    a product by K each, and leave the residual of a Cholesky factor where it was (the 1 M DOF benchmark's plate,
    185 k unknowns: 1.5e-10 either way, 164 -> 50 ms per solve on one thread, 119 -> 29 ms on two); CG, not the
    preconditioner, sets the answer's accuracy."""
    return Factorized(K, default_method(), upper=upper, refine=False)


def rigid_body_modes(coords: np.ndarray) -> np.ndarray:
    """Rigid-body modes of nodes at coords (dim, n), interleaved dof order; for AMG near-null space."""
    dim, n = coords.shape
    if dim == 2:
        B = np.zeros((2 * n, 3))
        B[0::2, 0] = 1
        B[1::2, 1] = 1
        B[0::2, 2] = -coords[1]
        B[1::2, 2] = coords[0]
        return B
    B = np.zeros((3 * n, 6))
    x, y, z = coords
    for i in range(3):
        B[i::3, i] = 1
    B[1::3, 3], B[2::3, 3] = -z, y
    B[0::3, 4], B[2::3, 4] = z, -x
    B[0::3, 5], B[1::3, 5] = -y, x
    return B


SERIAL_DIRECT_BELOW = 50_000  # unknowns: below, SuperLU (serial, so the same bits on every run; PARDISO's threads
# reorder its sums and move the last digits from run to run, and a system this small gains nothing from them)


def direct_solve(A: sp.spmatrix, b: np.ndarray) -> np.ndarray:
    """One sparse direct solve of a general square system: PARDISO (unsymmetric LU) for large systems, SuperLU
    below SERIAL_DIRECT_BELOW unknowns (reproducible to the bit)."""
    if HAVE_PARDISO and A.shape[0] >= SERIAL_DIRECT_BELOW:
        import pypardiso
        return pypardiso.spsolve(A.tocsr(), b)
    return spla.spsolve(A.tocsc(), b)


class SymmetricSolver:
    """Solve K x = b for the upper-triangle CSR K of a fixed pattern (symmetric, possibly indefinite).

    With PARDISO (mtype -2, Bunch-Kaufman pivoting) the symbolic analysis is done once per pattern and
    `negative_pivots` holds the inertia of the last factorisation; with SuperLU it stays None (unknown).
    """

    def __init__(self):
        self.negative_pivots = None
        self._pardiso = None
        if HAVE_PARDISO:
            import pypardiso
            self._pardiso = pypardiso.PyPardisoSolver(mtype=-2)
        self._analysed_pattern = None

    def solve(self, Kup: sp.csr_matrix, b: np.ndarray) -> np.ndarray:
        if self._pardiso is not None:
            s = self._pardiso
            key = (Kup.shape[0], Kup.nnz)
            if self._analysed_pattern != key:
                s._check_A(Kup)
                s.set_phase(11)  # reordering and symbolic factorisation, once per pattern
                s._call_pardiso(Kup, np.zeros((Kup.shape[0], 1)))
                self._analysed_pattern = key
            s.set_phase(23)  # numerical factorisation and solve
            x = s._call_pardiso(Kup, np.asfortranarray(np.asarray(b, float)[:, None])).ravel()
            self.negative_pivots = int(s.iparm[22])
            return x
        Kf = (Kup + sp.triu(Kup, 1).T).tocsc()
        self.negative_pivots = None
        return spla.splu(Kf).solve(b)


def negative_pivot_note(loads, negative_pivots) -> str:
    """How many converged states had negative pivots (unstable equilibria) and where the first was; '' if none."""
    unstable = [t for t, n in zip(loads, negative_pivots) if n]
    if not unstable:
        return ""
    return f"{len(unstable)} states have negative pivots (unstable), first at t = {unstable[0]:.4g}"
