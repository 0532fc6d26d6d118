"""A symmetric sparse matrix kept as its upper triangle: half the memory of the whole.

The stiffness of a large plate and the coarse levels of its preconditioner are symmetric; storing both triangles
holds every off-diagonal value and column index twice. `Symmetric` keeps the upper triangle U (CSR, diagonal
included) and multiplies by A = U + U^T - diag(U) in one pass over U with MKL's symmetric product on MKL's threads
(`parallel.matvec`; without MKL, two scipy products). Half the bytes are read per product, but on two threads it is
slower than the whole matrix cut into row blocks (the transposed half of each row is a scattered write), and its
last bits may change with the number of threads (MKL sums the transposed parts per thread): so it is used where
the memory is, the etched body of a chain and its cut levels (docs/hpc.md, "Chain memory"). A Galerkin product
takes the triangle as it is (`twolevel.galerkin`); SuperLU asks for the whole matrix with `full()`, a temporary.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp


def is_symmetric(A) -> bool:
    """Whether A is a `Symmetric` (its upper triangle), not a whole sparse matrix."""
    return getattr(A, "format", None) == Symmetric.format


# an etched body's stiffness in a cg_plate chain and the cut levels of its preconditioner kept as triangles (where
# the chain's peak is); an intact body keeps whole matrices, whose products are faster
SYMMETRIC_STORAGE = True


class Symmetric:
    """A = U + U^T - diag(U), U the upper triangle in CSR (sorted indices, the diagonal stored in every row)."""

    format = "sym"

    def __init__(self, upper: sp.csr_matrix):
        if upper.shape[0] != upper.shape[1]:
            raise ValueError(f"Symmetric: a square matrix, got shape {upper.shape}")
        if not upper.has_sorted_indices:
            upper.sort_indices()
        if upper.nnz < 2**31 - 1 and upper.indices.dtype != np.int32:  # MKL's 32-bit interface
            upper.indices, upper.indptr = upper.indices.astype(np.int32), upper.indptr.astype(np.int32)
        self.upper = upper
        # the diagonal is the first stored entry of each row of an upper triangle (kept for D x in the product;
        # positions, not values: the values may be re-formed in place)
        first = upper.indptr[:-1]
        n = upper.shape[0]
        if np.any(np.diff(upper.indptr) == 0) or not np.array_equal(upper.indices[first], np.arange(n)):
            raise ValueError("Symmetric: every row needs its diagonal entry, first in the row (an upper triangle)")
        self._diag = first.astype(np.int64)

    @classmethod
    def of(cls, A: sp.spmatrix) -> "Symmetric":
        """The upper triangle of a symmetric matrix A (its lower triangle is not read), taken from its CSR arrays
        directly (scipy's triu goes through a COO copy with 64-bit row and column indices)."""
        A = sp.csr_matrix(A)
        A.sum_duplicates()  # sorted and canonical
        keep = upper_entries(A.indptr, A.indices)
        counts = np.concatenate([[0], np.cumsum(keep, dtype=np.int64)])
        indptr = counts[A.indptr]
        return cls(sp.csr_matrix((A.data[keep], A.indices[keep], indptr), shape=A.shape))

    @property
    def shape(self) -> tuple:
        return self.upper.shape

    @property
    def dtype(self):
        return self.upper.dtype

    @property
    def nnz(self) -> int:
        """Stored entries (of the triangle)."""
        return self.upper.nnz

    @property
    def nbytes(self) -> int:
        u = self.upper
        return u.data.nbytes + u.indices.nbytes + u.indptr.nbytes + self._diag.nbytes

    def diagonal(self) -> np.ndarray:
        return self.upper.data[self._diag]

    def strict_lower(self) -> sp.csr_matrix:
        """U^T as a new CSR matrix with its diagonal (the last entry of each row) set to zero: U + this is A."""
        lower = self.upper.T.tocsr()
        lower.data[lower.indptr[1:] - 1] = 0.0
        return lower

    def full(self) -> sp.csr_matrix:
        """The whole matrix, as a new CSR matrix (a temporary: twice the memory of this one; scipy's sum stores
        no zero results, so the diagonal is stored once)."""
        return self.upper + self.strict_lower()

    def __matmul__(self, x: np.ndarray) -> np.ndarray:
        from .parallel import matvec

        return matvec(self, x)


def upper_entries(indptr: np.ndarray, indices: np.ndarray, chunk_rows: int = 200_000) -> np.ndarray:
    """(nnz,) bool: which entries of a CSR pattern lie on or above the diagonal (in row chunks: no row index of
    every entry at once)."""
    n = len(indptr) - 1
    keep = np.empty(len(indices), bool)
    for s in range(0, n, chunk_rows):
        e = min(n, s + chunk_rows)
        lo, hi = indptr[s], indptr[e]
        rows = np.repeat(np.arange(s, e, dtype=indices.dtype), np.diff(indptr[s:e + 1]))
        keep[lo:hi] = indices[lo:hi] >= rows
    return keep
