"""One sparse assembly layer under every hand-written fast path.

A fast path computes its element matrices K_e (ne, nd, nd) and element vectors f_e (ne, nd) in batches;
this module puts them into global arrays. The sparsity pattern depends only on the element dof table, so
it is built once,

    P = E^T E            (E: element-dof incidence, ne x n; a sparse product, no sort of ne nd^2 entries)

and every entry (e, a, b) of the batch gets its slot in P's CSR data once. Assembling is then one
weighted `bincount` into those slots, and a Newton iteration re-uses pattern and slots.

Options: `dof_map` maps global dofs to the unknowns kept (-1 drops a constrained dof: the free-free
block comes out directly), `upper=True` keeps the upper triangle only (PARDISO's symmetric modes).
Dropped entries land in one dump slot past the end.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

try:  # scipy's C++ lookup of (row, col) -> CSR offset; the fancy-indexing fallback is slower
    from scipy.sparse._sparsetools import csr_sample_offsets as _csr_sample_offsets
except ImportError:  # pragma: no cover - private scipy API moved
    _csr_sample_offsets = None

CHUNK_ENTRIES = 1 << 22  # element-matrix entries per lookup batch (bounds the temporaries)


class Pattern:
    """CSR pattern of an element dof table, with the slot of every element-matrix entry."""

    def __init__(self, element_dofs: np.ndarray, n: int, dof_map: np.ndarray | None = None,
                 upper: bool = False):
        ed = np.asarray(element_dofs)
        if dof_map is not None:
            ed = np.asarray(dof_map)[ed]
            n = int(n)
        self.element_dofs = ed  # (ne, nd) unknown index per entry, -1 = dropped
        self.n, self.upper = int(n), upper
        ne, nd = ed.shape
        self.nd = nd
        keep = ed >= 0
        idx = np.int32 if self.n < 2**31 - 1 else np.int64
        counts = keep.sum(axis=1)
        # boolean values: the product's structure is all that is kept (float values would be 8 bytes per entry
        # of a temporary as large as the stiffness)
        E = sp.csr_matrix((np.ones(int(counts.sum()), dtype=bool), ed[keep].astype(idx),
                           np.concatenate([[0], np.cumsum(counts)])), shape=(ne, self.n))
        P = (E.T.tocsr() @ E).tocsr()
        if upper:
            P = sp.triu(P, format="csr")
        P.sort_indices()
        self.indptr, self.indices, self.nnz = P.indptr, P.indices, P.nnz
        self.slots = self._slots(ed, P)  # (ne, nd * nd) slot in data, nnz = dump
        self.dropped = upper or bool((ed < 0).any())  # some slots are the dump

    def _slots(self, ed: np.ndarray, P: sp.csr_matrix) -> np.ndarray:
        ne, nd = ed.shape
        slots = np.empty((ne, nd * nd), dtype=np.int64 if self.nnz >= 2**31 - 1 else np.int32)
        # scipy's lookup binary-searches the sorted rows only when a batch holds more than nnz / 10 samples (else it
        # scans each row linearly: 3-6x slower on 3D quadratic rows of ~170 entries), so batches are at least that
        step = max(1, max(CHUNK_ENTRIES, self.nnz // 10 + 1) // (nd * nd) + 1)
        itype = P.indices.dtype
        ed = ed.astype(itype)
        checked = self.upper or bool((ed < 0).any())
        for s in range(0, ne, step):
            d = ed[s:s + step]
            r = np.repeat(d, nd, axis=1).ravel()
            c = np.tile(d, (1, nd)).ravel()
            if checked:
                drop = (r < 0) | (c < 0)
                if self.upper:
                    drop |= r > c
                r[drop], c[drop] = 0, 0
            off = np.empty(r.size, dtype=itype)
            if _csr_sample_offsets is not None:
                _csr_sample_offsets(self.n, self.n, P.indptr, P.indices, r.size, r, c, off)
            else:  # pragma: no cover
                Q = sp.csr_matrix((np.arange(P.nnz, dtype=float), P.indices, P.indptr), shape=P.shape)
                off[:] = np.asarray(Q[r, c]).ravel()
            if checked:
                off[drop] = self.nnz
            slots[s:s + step] = off.reshape(len(d), -1)
        return slots

    def data(self, Ke: np.ndarray, elements: np.ndarray | None = None,
             classes: np.ndarray | None = None) -> np.ndarray:
        """CSR data of sum_e K_e over all elements of the table, or over `elements` (indices into it).

        classes: K_e is given once per class (nclass, nd, nd) and element i takes Ke[classes[i]]
        (a structured layered mesh has few distinct elements); gathered in batches.
        """
        slots = self.slots if elements is None else self.slots[elements]
        if classes is None:
            return np.bincount(slots.ravel(), weights=np.asarray(Ke).ravel(), minlength=self.nnz + 1)[:self.nnz]
        Ke = np.asarray(Ke).reshape(len(Ke), -1)
        out = np.zeros(self.nnz)
        step = max(1, CHUNK_ENTRIES // Ke.shape[1])  # ~4 M entries: ~120 MB of temporaries
        for s in range(0, len(slots), step):
            # a batch of neighbouring elements fills a narrow band of slots: sum into that band only (a
            # full-length bincount per batch would cost a pass over all nnz entries, and its memory, every time)
            sl = slots[s:s + step].ravel()
            w = Ke[classes[s:s + step]].ravel()
            if self.dropped:
                live = sl < self.nnz
                sl, w = sl[live], w[live]
            if sl.size == 0:
                continue
            lo, hi = int(sl.min()), int(sl.max()) + 1
            out[lo:hi] += np.bincount(sl - lo, weights=w, minlength=hi - lo)
        return out

    def keep_only(self, keep: np.ndarray) -> None:
        """Drop the entries where `keep` (nnz,) is False from the pattern: their element entries go to the dump
        slot, the others move to their place among the kept ones (in place, batch by batch)."""
        place = np.empty(self.nnz + 1, dtype=self.slots.dtype)
        np.cumsum(keep, dtype=place.dtype, out=place[:-1])
        place[:-1] -= 1
        nkeep = int(place[-2]) + 1 if self.nnz else 0
        place[:-1][~keep] = nkeep
        place[-1] = nkeep
        step = max(1, CHUNK_ENTRIES // self.slots.shape[1])
        for s in range(0, len(self.slots), step):
            self.slots[s:s + step] = place[self.slots[s:s + step]]
        del place
        self.indptr = np.concatenate([[0], np.cumsum(np.add.reduceat(keep, self.indptr[:-1]) *
                                                     (np.diff(self.indptr) > 0))]).astype(self.indptr.dtype)
        self.indices = self.indices[keep]
        self.nnz = nkeep
        self.dropped = self.dropped or nkeep < len(keep)

    def csr(self, data: np.ndarray) -> sp.csr_matrix:
        return sp.csr_matrix((data, self.indices, self.indptr), shape=(self.n, self.n))

    def matrix(self, Ke: np.ndarray, elements: np.ndarray | None = None) -> sp.csr_matrix:
        return self.csr(self.data(Ke, elements))

    def diagonal_slots(self, rows: np.ndarray) -> np.ndarray:
        """Data slot of the diagonal entry of each row (the first entry of an upper-triangle row)."""
        rows = np.asarray(rows)
        if self.upper:
            return self.indptr[rows]
        return np.array([self.indptr[r] + np.searchsorted(self.indices[self.indptr[r]:self.indptr[r + 1]], r)
                         for r in rows], dtype=np.int64)


def vector(element_dofs: np.ndarray, fe: np.ndarray, n: int) -> np.ndarray:
    """Global vector sum_e f_e from element vectors fe (ne, nd) on the dof table (ne, nd)."""
    return np.bincount(np.asarray(element_dofs).ravel(), weights=np.asarray(fe).ravel(), minlength=n)
