"""Threads for the iterative plate solver: sparse products through MKL's sparse BLAS, column blocks over a pool.

The CG iterations of `cg_plate` (physics/fe/twolevel.py, multigrid.py) spend their time in sparse matrix-vector
products (the stiffness, the prolongations) and in the batched solves of the column blocks; scipy's sparse product
runs on one thread. Here the products go through MKL's inspector-executor sparse BLAS (`sparse_dot_mkl`, the MKL that
PARDISO already loads), which splits the rows over threads, and the column blocks are cut into one batch per thread
(numpy releases the interpreter lock inside matmul). Each row's sum is done by one thread in a fixed order, so the
result does not depend on how many threads there are; it may differ from scipy's in the last bits.

How many threads: `set_threads(n)` (the `--threads` option of `fem-laminate bench`), else the environment variable
FEM_LAMINATE_THREADS, else every core this process may run on. Without sparse_dot_mkl (or MKL) the products fall back
to scipy's, on one thread.
"""
from __future__ import annotations

import glob
import os
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import scipy.sparse as sp

ENV = "FEM_LAMINATE_THREADS"
_state = {"threads": None, "pool": None, "pool_n": 0}


# MKL's OpenMP threads spin for 200 ms after each parallel region by default: between two sparse products the
# interpreter's own work (vector updates, the plate solve's set-up) then competes with a spinning thread for the same
# cores. Sleeping at once costs microseconds per product of ~0.1 s. Set before MKL starts its threads.
os.environ.setdefault("KMP_BLOCKTIME", "0")


def _load_mkl():
    """sparse_dot_mkl, pointed at the MKL runtime of this environment (its own search misses a versioned
    libmkl_rt.so.N in the environment's lib folder); None where it cannot load."""
    if "MKL_RT" not in os.environ:
        found = sorted(glob.glob(os.path.join(sys.prefix, "lib", "libmkl_rt.so*")))
        if found:
            os.environ["MKL_RT"] = found[0]
    try:
        import ctypes

        import sparse_dot_mkl
        # MKL's own allocator keeps the buffers of every product for reuse: on a chain of a million unknowns that
        # is gigabytes held after each Galerkin product; without it a buffer goes back when it is freed
        try:
            ctypes.CDLL(os.environ.get("MKL_RT", "libmkl_rt.so")).mkl_disable_fast_mm()
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


def _pool() -> ThreadPoolExecutor:
    n = threads()
    if _state["pool"] is None or _state["pool_n"] != n:
        if _state["pool"] is not None:
            _state["pool"].shutdown(wait=False)
        _state["pool"], _state["pool_n"] = ThreadPoolExecutor(max_workers=n), n
    return _state["pool"]


MKL_ABOVE = 20_000  # stored entries: below, scipy's product is as fast (MKL's per-call set-up dominates)


def matvec(A: sp.csr_matrix, x: np.ndarray) -> np.ndarray:
    """A @ x for a CSR matrix A and a vector x: MKL's threaded product for large A, else scipy's."""
    if _mkl is None or A.nnz < MKL_ABOVE or x.ndim != 1 or A.dtype != np.float64 or x.dtype != np.float64:
        return A @ x
    return _mkl.dot_product_mkl(A, np.ascontiguousarray(x))


def batched_solve(inv: np.ndarray, rb: np.ndarray) -> np.ndarray:
    """inv[k] @ rb[k] for every block k ((nb, m, m) and (nb, m)), split into one batch per thread."""
    n = threads()
    nb = inv.shape[0]
    if n == 1 or nb < 2000:
        return np.matmul(inv, rb[:, :, None])[:, :, 0]
    out = np.empty(rb.shape)
    cuts = np.linspace(0, nb, n + 1).astype(int)

    def part(k):
        s, e = cuts[k], cuts[k + 1]
        np.matmul(inv[s:e], rb[s:e, :, None], out=out[s:e, :, None])

    list(_pool().map(part, range(n)))
    return out


def matmat(A: sp.spmatrix, B: sp.spmatrix) -> sp.csr_matrix:
    """A @ B for two sparse matrices (the Galerkin products R^T A R, P^T A P): MKL's threaded product for large ones."""
    A, B = sp.csr_matrix(A), sp.csr_matrix(B)
    if _mkl is None or threads() == 1 or max(A.nnz, B.nnz) < MKL_ABOVE or A.dtype != np.float64 or \
            B.dtype != np.float64:
        return (A @ B).tocsr()
    C = _mkl.dot_product_mkl(A, B)
    C.sort_indices()
    return C


def batched_inv(Ab: np.ndarray) -> np.ndarray:
    """np.linalg.inv of a stack of small matrices, one batch per thread."""
    n = threads()
    nb = Ab.shape[0]
    if n == 1 or nb < 2000:
        return np.linalg.inv(Ab)
    out = np.empty_like(Ab)
    cuts = np.linspace(0, nb, n + 1).astype(int)

    def part(k):
        out[cuts[k]:cuts[k + 1]] = np.linalg.inv(Ab[cuts[k]:cuts[k + 1]])

    list(_pool().map(part, range(n)))
    return out
