"""Threads for the iterative plate solver: sparse products and column blocks split over a pool of threads.

The CG iterations of `cg_plate` (physics/fe/twolevel.py, multigrid.py) spend their time in sparse matrix-vector
products (the stiffness, the prolongations) and in the batched solves of the column blocks; scipy's sparse product
runs on one thread. Here a large product is cut into one block of rows per thread (equal stored entries, views
into the matrix's arrays: no copy), and each block goes through MKL's inspector-executor sparse BLAS (the MKL
that PARDISO already loads, found through `sparse_dot_mkl`) on one thread of the pool, with a handle made once and
kept on the block, writing into the block's rows of the result (ctypes and numpy release the interpreter lock). Why not MKL's own threads: on the 1 M DOF benchmark stiffness they gave 1.21x on 2 cores, the
row blocks 1.9x (benchmarks/bench_bandwidth.py). The column blocks are cut alike. Each row's sum is done by one thread
in a fixed order, so the result does not depend on how many threads there are; it may differ from scipy's in the
last bits.

How many threads: `set_threads(n)` (the `--threads` option of `fem-laminate bench`), else the environment variable
FEM_LAMINATE_THREADS, else every core this process may run on. Without sparse_dot_mkl (or MKL) the products fall back
to scipy's, on one thread.
"""
from __future__ import annotations

import contextlib
import ctypes
import functools
import glob
import os
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import scipy.sparse as sp

try:
    from threadpoolctl import ThreadpoolController
except ImportError:  # pragma: no cover - a dependency; without it OpenBLAS keeps its threads
    ThreadpoolController = None

ENV = "FEM_LAMINATE_THREADS"
_state = {"threads": None, "pool": None, "pool_n": 0}


# MKL's OpenMP threads spin for 200 ms after each parallel region by default: between two sparse products the
# interpreter's own work (vector updates, the plate solve's set-up) then competes with a spinning thread for the same
# cores. Sleeping at once costs microseconds per product of ~0.1 s. Set before MKL starts its threads.
os.environ.setdefault("KMP_BLOCKTIME", "0")


class _MatrixDescr(ctypes.Structure):
    """MKL's struct matrix_descr: a symmetric matrix given by its upper triangle, diagonal stored."""
    _fields_ = [("type", ctypes.c_int), ("mode", ctypes.c_int), ("diag", ctypes.c_int)]


_SYMMETRIC_UPPER = (21, 41, 50)  # SPARSE_MATRIX_TYPE_SYMMETRIC, SPARSE_FILL_MODE_UPPER, SPARSE_DIAG_NON_UNIT
_GENERAL = (20, 0, 0)  # SPARSE_MATRIX_TYPE_GENERAL (fill mode and diagonal unused)


@functools.cache
def _mkl_rt():
    """MKL's runtime library (the one MKL_RT names, set by _load_mkl), its symmetric product's signature declared."""
    lib = ctypes.CDLL(os.environ.get("MKL_RT", "libmkl_rt.so"))
    lib.mkl_sparse_d_mv.argtypes = [ctypes.c_int, ctypes.c_double, ctypes.c_void_p, _MatrixDescr,
                                    ctypes.c_void_p, ctypes.c_double, ctypes.c_void_p]
    return lib


def _load_mkl():
    """sparse_dot_mkl, pointed at the MKL runtime of this environment (its own search misses a versioned
    libmkl_rt.so.N in the environment's lib folder); None where it cannot load."""
    if "MKL_RT" not in os.environ:
        found = sorted(glob.glob(os.path.join(sys.prefix, "lib", "libmkl_rt.so*")))
        if found:
            os.environ["MKL_RT"] = found[0]
    try:
        import sparse_dot_mkl
        # MKL's own allocator keeps the buffers of every product for reuse: on a chain of a million unknowns that
        # is gigabytes held after each Galerkin product; without it a buffer goes back when it is freed
        try:
            _mkl_rt().mkl_disable_fast_mm()
        except (OSError, AttributeError):
            pass
        return sparse_dot_mkl
    except Exception:  # ImportError, or MKL failing to load
        return None


_mkl = _load_mkl()
HAVE_MKL_SPARSE = _mkl is not None


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def threads() -> int:
    """The number of threads the plate solver uses."""
    if _state["threads"] is None:
        env = os.environ.get(ENV, "").strip()
        set_threads(int(env) if env.isdigit() and int(env) > 0 else cores())
    return _state["threads"]


def set_threads(n: int) -> None:
    """Use n threads for the sparse products and column blocks (and MKL's other kernels in this process)."""
    n = max(1, int(n))
    _state["threads"] = n
    if _mkl is not None:
        _mkl.mkl_set_num_threads(n)


@contextlib.contextmanager
def quiet_openblas():
    """OpenBLAS (numpy's and scipy's: the dot products and norms of CG) on one thread while the plate solver runs, as
    it was after. Why: after each threaded call OpenBLAS's workers spin, waiting for the next, on the cores the next
    sparse product needs; a 1 M DOF product on two threads took 50 ms after a dot product against 30 ms without one.
    On one solver thread they would spin on the other cores (those of the cases running beside it in a sweep). Its
    threads would gain nothing here: a dot product of two vectors is one pass over memory."""
    if ThreadpoolController is None:
        yield
        return
    with ThreadpoolController().select(internal_api="openblas").limit(limits=1):
        yield


def _one_mkl_thread() -> None:
    """A pool thread runs its block on one MKL thread (the pool is the parallelism)."""
    if _mkl is not None:
        try:
            _mkl_rt().MKL_Set_Num_Threads_Local(1)
        except (OSError, AttributeError):
            pass


def _pool() -> ThreadPoolExecutor:
    n = threads()
    if _state["pool"] is None or _state["pool_n"] != n:
        if _state["pool"] is not None:
            _state["pool"].shutdown(wait=False)
        _state["pool"], _state["pool_n"] = ThreadPoolExecutor(max_workers=n, initializer=_one_mkl_thread), n
    return _state["pool"]


MKL_ABOVE = 20_000  # stored entries: below, scipy's product is as fast (MKL's per-call set-up dominates)


def _row_blocks(A: sp.csr_matrix, n: int) -> list:
    """A cut into n blocks of rows with equal stored entries: (first row, last row + 1, CSR view); kept on A."""
    key = (n, A.indptr.ctypes.data, A.indices.ctypes.data, A.data.ctypes.data, A.shape)
    cached = getattr(A, "_fl_row_blocks", None)
    if cached is not None and cached[0] == key:
        return cached[1]
    cuts = np.searchsorted(A.indptr, np.linspace(0, A.nnz, n + 1)[1:-1])
    cuts = np.concatenate([[0], np.clip(cuts, 0, A.shape[0]), [A.shape[0]]]).astype(np.int64)
    blocks = []
    for s, e in zip(cuts[:-1], cuts[1:]):
        lo, hi = A.indptr[s], A.indptr[e]
        # the arrays set on an empty matrix: the constructor would copy a view of a larger array (scipy prunes it)
        view = sp.csr_matrix((e - s, A.shape[1]), dtype=A.dtype)
        view.data, view.indices, view.indptr = A.data[lo:hi], A.indices[lo:hi], A.indptr[s:e + 1] - lo
        blocks.append((s, e, view))
    A._fl_row_blocks = (key, blocks)
    return blocks


def _product(A: sp.csr_matrix, x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """A @ x, into out if given: through MKL's handle of A kept on it (no copy of A, no temporary of the result: the
    product writes where it is asked to), else sparse_dot_mkl, else scipy."""
    if x.shape != (A.shape[1],):  # MKL would read past the end of x
        raise ValueError(f"dimension mismatch: a {A.shape} matrix times a vector of shape {x.shape}")
    if _mkl is None or A.nnz < MKL_ABOVE or A.dtype != np.float64 or x.dtype != np.float64:
        y = A @ x
    elif _takes_handle(A):
        return _kept_handle(A).mv(x, out)
    else:  # 64-bit indices: sparse_dot_mkl picks MKL's interface for them
        y = _mkl.dot_product_mkl(A, x)
    if out is None:
        return y
    out[:] = y
    return out


def matvec(A: sp.csr_matrix, x: np.ndarray) -> np.ndarray:
    """A @ x for a CSR matrix A (or a `symmetric.Symmetric`) and a vector x: one block of rows per thread for
    large A, else one product."""
    if getattr(A, "format", None) == "sym":  # a symmetric.Symmetric (which imports this module for its `@`)
        return _symmetric_matvec(A, x)
    n = threads()
    if x.ndim != 1 or getattr(A, "format", None) != "csr" or A.nnz < MKL_ABOVE * n or n == 1:
        return _product(A, np.ascontiguousarray(x)) if x.ndim == 1 else A @ x
    x = np.ascontiguousarray(x)
    y = np.empty(A.shape[0], dtype=np.result_type(A.dtype, x.dtype))

    def part(block):
        s, e, view = block
        _product(view, x, y[s:e])

    list(_pool().map(part, _row_blocks(A, n)))
    return y


class MklHandle:
    """MKL's handle of a CSR matrix (its arrays, not a copy: values changed in place are seen), destroyed with it."""

    def __init__(self, A: sp.csr_matrix):
        self._lib = _mkl_rt()
        self.arrays = (A.indptr, A.indices, A.data)  # kept alive: MKL reads them where they are
        self.handle = ctypes.c_void_p()
        p = ctypes.c_void_p
        status = self._lib.mkl_sparse_d_create_csr(
            ctypes.byref(self.handle), 0, ctypes.c_int(A.shape[0]), ctypes.c_int(A.shape[1]),
            p(A.indptr.ctypes.data), p(A.indptr.ctypes.data + A.indptr.itemsize), p(A.indices.ctypes.data),
            p(A.data.ctypes.data))
        if status != 0:
            raise RuntimeError(f"MKL could not take the matrix (sparse status {status})")

    def reads(self, A: sp.csr_matrix) -> bool:
        """Whether this handle still reads A's arrays (values changed in place: yes; arrays replaced: no)."""
        return all(a is b for a, b in zip(self.arrays, (A.indptr, A.indices, A.data)))

    def mv(self, x: np.ndarray, out: np.ndarray | None = None, symmetric: bool = False) -> np.ndarray:
        """A x into out (a new vector if None; a contiguous slice of a larger one is fine); symmetric: A is the upper
        triangle of a symmetric matrix."""
        y = np.empty(len(self.arrays[0]) - 1) if out is None else out
        status = self._lib.mkl_sparse_d_mv(10, 1.0, self.handle,  # SPARSE_OPERATION_NON_TRANSPOSE
                                           _MatrixDescr(*(_SYMMETRIC_UPPER if symmetric else _GENERAL)),
                                           x.ctypes.data, 0.0, y.ctypes.data)
        if status != 0:
            raise RuntimeError(f"MKL sparse product failed (sparse status {status})")
        return y

    def __del__(self):
        try:
            self._lib.mkl_sparse_destroy(self.handle)
        except Exception:  # interpreter shutdown
            pass


def _takes_handle(A: sp.csr_matrix) -> bool:
    """Whether MKL's 32-bit interface can read A's arrays where they are (int32 indices, contiguous arrays)."""
    arrays = (A.indptr, A.indices, A.data)
    return A.indptr.dtype == A.indices.dtype == np.int32 and all(a.flags.c_contiguous for a in arrays)


def _kept_handle(A: sp.csr_matrix) -> MklHandle:
    """MKL's handle of A, made once and kept on A (made anew when A's arrays have been replaced)."""
    handle = getattr(A, "_fl_mkl_handle", None)
    if handle is None or not handle.reads(A):
        handle = A._fl_mkl_handle = MklHandle(A)
    return handle


def _symmetric_matvec(S, x: np.ndarray) -> np.ndarray:
    """A x for A kept as its upper triangle U (`symmetric.Symmetric`): MKL's symmetric product, one pass over U
    on MKL's threads (row blocks would need the transposed part of each block summed apart); without MKL, U x +
    U^T x - diag(U) x through scipy."""
    U = S.upper
    x = np.ascontiguousarray(x, dtype=np.float64)
    if _mkl is not None and U.dtype == np.float64 and _takes_handle(U):
        return _kept_handle(U).mv(x, symmetric=True)
    y = U @ x
    y += U.T @ x
    y -= S.diagonal() * x
    return y


def block_solve(inv: np.ndarray, blocks: np.ndarray, r: np.ndarray) -> np.ndarray:
    """y with y[blocks[k]] = inv[k] @ r[blocks[k]] for every block k (inv (nb, m, m); blocks (nb, m), indices into r,
    len(r) marking an empty slot), in inv's precision; each unknown in one block. One batch of blocks per thread,
    each gathering, solving and scattering its own part (the gather and scatter are half the work: threading the
    products alone left them on one thread), SUB_BATCH blocks at a time (the gathered residuals and their solutions
    then stay in the core's cache: 16 -> 12 ms on one thread for the 1 M DOF benchmark plate's 37 k blocks)."""
    cuts = _batch_cuts(inv.shape[0])
    rr = np.append(r.astype(inv.dtype, copy=False), np.zeros(1, inv.dtype))
    out = np.zeros(len(r) + 1)

    def part(k):
        for s in range(cuts[k], cuts[k + 1], SUB_BATCH):
            e = min(cuts[k + 1], s + SUB_BATCH)
            idx = blocks[s:e]
            out[idx.ravel()] = np.matmul(inv[s:e], rr[idx][:, :, None]).ravel()  # empty slots all write out[-1]

    map_blocks(part, range(len(cuts) - 1))
    return out[:-1]


SUB_BATCH = 1024  # blocks solved at once within a thread's batch (block_solve)
SMALL_STACK = 2000  # blocks below which a stack is handled in one batch (handing it to the pool costs more)


def _batch_cuts(nb: int) -> np.ndarray:
    """Bounds of the batches a stack of nb small blocks is cut into: one per thread, or one for a small stack."""
    return np.linspace(0, nb, (threads() if nb >= SMALL_STACK else 1) + 1).astype(int)


def map_blocks(fn, blocks: list) -> list:
    """[fn(b) for b in blocks], over the pool's threads when there are several (fn must release the interpreter
    lock to gain: scipy's sparse products and numpy's kernels do)."""
    if threads() == 1 or len(blocks) < 2:
        return [fn(b) for b in blocks]
    return list(_pool().map(fn, blocks))


def batched_inv(Ab: np.ndarray) -> np.ndarray:
    """np.linalg.inv of a stack of small matrices, one batch per thread."""
    cuts = _batch_cuts(Ab.shape[0])
    if len(cuts) == 2:
        return np.linalg.inv(Ab)
    out = np.empty_like(Ab)

    def part(k):
        out[cuts[k]:cuts[k + 1]] = np.linalg.inv(Ab[cuts[k]:cuts[k + 1]])

    map_blocks(part, range(len(cuts) - 1))
    return out
