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
or where nothing free lies in its support.

An etched pattern (copper lines on polyimide) breaks this coarse space: a coarse element spanning a line and the
space beside it gives each line's top nodes functions shared with the next line, so no coarse motion slides one
line alone (measured ~200 CG iterations on the grid of circuit_lines.toml). The first level therefore cuts every
coarse function into the connected pieces of its support over the present elements (`split_by_islands`: one
function per line where a function spanned several). That cut level is solved directly (factorised once) while its
factor's estimated memory fits a budget (`exact_cut_level_up_to`), and the fine level gets two column sweeps each
side (four sweeps): 21-26 iterations on the etched grids at every size measured. A cut level above the budget is coarsened again,
each coarser level cut anew over the finest grid's present elements (its prolongation from the level above follows
from the two: `pieces_between`, exact on these nested spaces), down to one that fits and is factorised; then every
level gets five sweeps and the cut levels a W-cycle (about the same iterations; a V-cycle needed 38-42). Only
where even the coarsest cut level is too large does the two-level cycle with a layerwise plate
(physics/fe/twolevel.layerwise_modes) stand in at the bottom (40-50 iterations). Needs a structured grid of bricks
(model/mesh.layered_mesh_3d); any other mesh gets the two-level method alone.
"""
from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from scipy.sparse.csgraph import connected_components
from skfem import CellBasis, MeshHex

from . import symmetric
from .parallel import matvec
from .twolevel import ColumnPlatePreconditioner, ColumnSmoother, as_stored, galerkin

COARSEN_UP_TO = 2.0  # in-plane coarse element width, in plate thicknesses, up to which a geometric level is added
# an etched body: a cut level is factorised directly while its factor's estimated memory stays within
# CUT_FACTOR_BUDGET_BYTES (and a fraction of the memory available); a larger one is coarsened again with its own cuts
# down to one that is (cut levels below the first may coarsen in plane up to CUT_COARSEN_UP_TO x t), in a W-cycle
CUT_FACTOR_BUDGET_BYTES = 3.0e9
CUT_FACTOR_AVAILABLE_FRACTION = 0.3
# PARDISO's factor of a cut level (circuit_lines grid, benchmarks/bench_etched_lines.py): 5.6 kB per unknown at
# 21.8 k unknowns, 7.5 kB at 184 k; the fill grows like that of a 2D problem, bytes ~ n^1.14
CUT_FACTOR_BYTES_AT = (21_837, 5.6e3)
CUT_FACTOR_EXPONENT = 0.14
EXACT_CUT_LEVEL_UP_TO: int | None = None  # a fixed limit in unknowns in place of the memory budget (tests)
CUT_COARSEN_UP_TO = 4.0
CUT_CYCLES = 2  # coarse corrections per visit of a cut level (2: W-cycle)
ETCHED_SWEEPS = 4  # column-smoother sweeps before and after each coarse correction over an etched pattern
RECURSIVE_SWEEPS = 5  # the same where the cut level is coarsened again


def cut_factor_bytes(n: int) -> float:
    """Estimated memory of the direct factor of a cut level of n unknowns."""
    n0, b0 = CUT_FACTOR_BYTES_AT
    return b0 * n * max(1.0, n / n0) ** CUT_FACTOR_EXPONENT


def exact_cut_level_up_to() -> int:
    """The most unknowns of a cut level that is factorised directly: EXACT_CUT_LEVEL_UP_TO if set, else the size
    whose estimated factor fits the budget (and CUT_FACTOR_AVAILABLE_FRACTION of the memory available)."""
    if EXACT_CUT_LEVEL_UP_TO is not None:
        return EXACT_CUT_LEVEL_UP_TO
    import psutil

    budget = min(CUT_FACTOR_BUDGET_BYTES, CUT_FACTOR_AVAILABLE_FRACTION * psutil.virtual_memory().available)
    n0, b0 = CUT_FACTOR_BYTES_AT
    if budget <= b0 * n0:
        return int(budget / b0)
    return int(n0 * (budget / (b0 * n0)) ** (1.0 / (1.0 + CUT_FACTOR_EXPONENT)))


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


def split_by_islands(P0: sp.csr_matrix, fine: CellBasis, coarse: CellBasis, axes_c, act: np.ndarray):
    """Each coarse function of P0 (fine nodes x coarse nodes) cut into the connected pieces of its support over the
    present fine elements `act`; (the cut P0, the coarse node each piece comes from, whether any was cut).

    Why: a coarse element that spans an etched line and the space beside it gives the line's top nodes functions
    shared with the next line, so the coarse space cannot move one line alone on the polyimide (the slip the
    etched state needs: ~200 CG iterations instead of ~20 on 50/50 um lines). A function whose support falls
    apart into pieces (the tops of two lines, only joined through absent copper) becomes one function per piece;
    on an intact body every support is one piece and nothing changes.
    """
    from scipy.sparse._sparsetools import csr_sample_offsets

    P0 = P0.tocsr()
    P0.sort_indices()
    en = fine.element_dofs[:, act].T  # (ne, fine nodes per element)
    # the coarse element holding each present fine element (nested grids), and its coarse nodes
    centre = fine.mesh.p[:, fine.mesh.t[:, act]].mean(axis=1)
    dims = [len(a_) - 1 for a_ in axes_c]
    lo = np.array([np.clip(np.searchsorted(a_, centre[i], side="right") - 1, 0, dims[i] - 1) for i, a_ in enumerate(axes_c)])
    cm = coarse.mesh
    corner = np.array([np.searchsorted(a_, cm.p[i, cm.t].min(axis=0)) for i, a_ in enumerate(axes_c)])
    cell_of = np.empty(int(np.prod(dims)), dtype=np.int64)
    cell_of[np.ravel_multi_index(corner, dims)] = np.arange(cm.t.shape[1])
    cn = coarse.element_dofs[:, cell_of[np.ravel_multi_index(lo, dims)]].T  # (ne, coarse nodes per element)
    ne, nf = en.shape
    nc = cn.shape[1]
    # a graph on the nonzeros of P0 and one hub per (present fine element, coarse function over it): a nonzero
    # (i, J) joins the hub (e, J) of every present element e at node i; the pieces are its connected components
    ps, hubs = [], []
    step = max(1, 4_000_000 // (nf * nc))
    for s0 in range(0, ne, step):
        e = np.arange(s0, min(ne, s0 + step))
        i = np.repeat(en[e], nc, axis=1).ravel()
        jl = np.tile(np.arange(nc), (len(e), nf)).ravel()
        J = cn[e][np.repeat(np.arange(len(e)), nf * nc), jl]
        off = np.empty(i.size, dtype=P0.indices.dtype)
        csr_sample_offsets(P0.shape[0], P0.shape[1], P0.indptr, P0.indices.astype(P0.indptr.dtype, copy=False),
                           i.size, i.astype(P0.indptr.dtype), J.astype(P0.indptr.dtype), off)
        hit = off >= 0
        ps.append(off[hit])
        hubs.append((np.repeat(e, nf * nc) * nc + jl)[hit])
    p, hub = np.concatenate(ps), np.concatenate(hubs)
    nv = P0.nnz + ne * nc
    G = sp.csr_matrix((np.ones(p.size, np.int8), (p, P0.nnz + hub)), shape=(nv, nv))
    _, label = connected_components(G, directed=False)
    label = label[:P0.nnz].astype(np.int64)
    nl = int(label.max()) + 1
    piece = P0.indices.astype(np.int64) * nl + label
    key, col = np.unique(piece, return_inverse=True)
    rows = np.repeat(np.arange(P0.shape[0]), np.diff(P0.indptr))
    # cut: a coarse function with two pieces on the present body (a piece at absent nodes only, the top of a layer
    # not born yet, is no cut: it has no free unknown and drops out)
    live = np.zeros(P0.nnz, bool)
    live[p] = True
    cut = bool((np.bincount(np.unique(piece[live]) // nl, minlength=P0.shape[1]) > 1).any())
    return sp.csr_matrix((P0.data, (rows, col.ravel())), shape=(P0.shape[0], len(key))), key // nl, cut


def scalar_space(fine: CellBasis, axes_c, elements: np.ndarray | None = None):
    """Coarse basis on the axes `axes_c`, the scalar prolongation P0 (fine nodes x coarse functions) and, where a
    function fell apart over the present fine elements `elements`, P0 cut into its pieces and the coarse node of each
    piece (`split_by_islands`; parent None: nothing cut)."""
    coarse = CellBasis(MeshHex.init_tensor(*axes_c), fine.elem, intorder=1)
    P0 = prolongation_scalar(fine, coarse, axes_c)
    parent = None
    if elements is not None and len(elements) < fine.mesh.nelements:
        P0_cut, parent, cut = split_by_islands(P0, fine, coarse, axes_c, elements)
        if cut:
            P0 = P0_cut
        else:
            parent = None  # nothing fell apart: the nodes' functions as they are
    return coarse, P0, parent


def free_columns(P: sp.spmatrix, free: np.ndarray):
    """(P restricted to the free fine unknowns and the coarse unknowns kept, those unknowns): a coarse unknown is left
    out where it sits on a fine unknown that is not free, or where nothing free lies in its support."""
    P = sp.csr_matrix(P)
    absent = np.setdiff1d(np.arange(P.shape[0]), free)
    sub = P[absent].tocoo()
    sitting = np.unique(sub.col[np.abs(sub.data - 1.0) < 1e-9])  # on a fine unknown that is not free
    P = P[free].tocsc()
    used = np.flatnonzero(np.diff(P.indptr) > 0)
    free_c = np.setdiff1d(used, sitting)
    return P[:, free_c].tocsr(), free_c


def pieces_between(Pa: sp.spmatrix, parent_a: np.ndarray, basis_a: CellBasis, Pb: sp.spmatrix,
                   parent_b: np.ndarray, basis_b: CellBasis, axes_b) -> sp.csr_matrix:
    """The scalar prolongation from the pieces of a coarser cut space b to those of a cut space a (both given on the
    finest nodes: Pa, Pb; their coarse nodes parent_a, parent_b on the bases basis_a, basis_b).

    Nested: a piece of a node function of a lies within one piece of each node function of b that is not zero at
    that node (it is connected over the present elements, and inside that function's support), so the piece J of
    b is the sum over the pieces j of a it overlaps of phi_b(node of j) times piece j; overlap is read off the finest
    nodes the two share (|Pa|^T |Pb|)."""
    Pn = prolongation_scalar(basis_a, basis_b, axes_b).tocsr()  # node functions of b at the nodes of a
    Aa, Ab = abs(sp.csr_matrix(Pa)), abs(sp.csr_matrix(Pb))
    O = (Aa.T.tocsr() @ Ab).tocoo()
    r, c = O.row, O.col
    vals = np.asarray(Pn[parent_a[r], parent_b[c]]).ravel()
    keep = vals != 0.0
    return sp.csr_matrix((vals[keep], (r[keep], c[keep])), shape=(Pa.shape[1], Pb.shape[1]))


def _coarsened(a: np.ndarray, limit: float) -> np.ndarray:
    """Vertex coordinates of one axis after merging pairs of divisions, or unchanged if a merged division would be
    wider than `limit` (each direction on its own: a grid fine across circuit lines and coarse along them)."""
    if len(a) < 3:
        return a
    c = a[coarse_indices(len(a) - 1)]
    return c if np.diff(c).max() <= limit else a


class PlateMultigrid:
    """V-cycle: column smoothing on in-plane levels, the column/plate two-level cycle at the bottom.

    A: the stiffness on the unknowns `dofs` (interleaved node*3 + component) of the scalar basis `basis`;
    elements: the present elements of its mesh (None: all; a patterned etch leaves some out); factorize(K,
    upper=False): the direct solve of the bottom level (solvers._plate_factorization; None: SuperLU).
    """

    def __init__(self, A: sp.spmatrix, basis: CellBasis, dofs: np.ndarray, factorize=None,
                 elements: np.ndarray | None = None):
        t0 = time.perf_counter()
        A = as_stored(A)
        self.levels = []  # (A, smoother, P, P^T) from the finest
        axes = tensor_axes(basis.mesh)
        fine, free = basis, np.asarray(dofs)
        node = free // 3
        limit = COARSEN_UP_TO * np.ptp(axes[2]) if axes is not None else 0.0
        etched = False
        exact_up_to = exact_cut_level_up_to()
        self.first_cut = np.inf
        cut = None  # below a cut level: (its basis, its pieces on the finest nodes, the node of each piece)
        while axes is not None:
            if cut is not None and A.shape[0] <= exact_up_to:
                break  # a cut level small enough to be factorised
            lim = limit if cut is None else CUT_COARSEN_UP_TO * np.ptp(axes[2])
            wx, wy = np.diff(axes[0]).max(), np.diff(axes[1]).max()
            # the narrower direction first (semi-coarsening toward square elements: anisotropy weakens the smoother)
            axes_c = (_coarsened(axes[0], lim) if wx <= 1.5 * wy else axes[0],
                      _coarsened(axes[1], lim) if wy <= 1.5 * wx else axes[1], axes[2])
            if len(axes_c[0]) == len(axes[0]) and len(axes_c[1]) == len(axes[1]):
                break
            if cut is None:
                # the first level sees the present elements; where coarse functions fall apart over an etched
                # pattern they are cut into pieces (split_by_islands)
                coarse, P0, parent = scalar_space(fine, axes_c, None if self.levels else elements)
                P, free_c = free_columns(sp.kron(P0, sp.identity(3, format="csr"), format="csr"), free)
                etched = parent is not None
                node_c = parent[free_c // 3] if etched else free_c // 3
                if etched:
                    cut = (coarse, P0, parent)
            else:
                # below a cut level the unknowns are pieces: the next level is cut anew over the finest grid's
                # present elements, and its prolongation from the level above follows from the two (nested)
                coarse, P0b, parent_b = scalar_space(basis, axes_c, elements)
                if parent_b is None:
                    parent_b = np.arange(P0b.shape[1])
                basis_a, P0a, parent_a = cut
                P12 = pieces_between(P0a, parent_a, basis_a, P0b, parent_b, coarse, axes_c)
                _, free_c = free_columns(sp.kron(P0b, sp.identity(3, format="csr"), format="csr"), dofs)
                P = sp.kron(P12, sp.identity(3, format="csr"), format="csr")[free][:, free_c].tocsr()
                node_c = parent_b[free_c // 3]
                cut = (coarse, P0b, parent_b)
            self.levels.append((A, ColumnSmoother(A, fine.doflocs[:, node]), P, P.T.tocsr()))
            if etched and self.first_cut > len(self.levels):
                self.first_cut = len(self.levels)  # the index of the first cut level
            A = galerkin(self.levels[-1][3], A, P)
            if etched and symmetric.SYMMETRIC_STORAGE:  # cut levels kept as their upper triangles: half the memory
                A = symmetric.Symmetric.of(A)
            fine, free, node, axes = coarse, free_c, node_c, axes_c
        # an etched body: the last cut level solved directly where its factor fits the budget, else the two-level
        # cycle with the layerwise plate (u, v piecewise linear through the layers) for the lines that turn on their own
        self.layerwise = etched
        self.exact_bottom = etched and A.shape[0] <= exact_up_to
        if self.exact_bottom:
            self.plate_unknowns = A.shape[0]
            sym = symmetric.is_symmetric(A)
            if factorize is None:
                self.bottom = spla.splu((A.full() if sym else A).tocsc()).solve
            else:  # the upper triangle only, the whole cut-level matrix let go before PARDISO's factorisation (the
                # chain's peak: ~0.4 kB per fine DOF on circuit_lines.toml)
                A = A.upper if sym else sp.triu(A, format="csr")
                self.bottom = factorize(A, upper=True)
        else:
            z_levels = np.unique(basis.mesh.p[2]) if etched else None
            self.bottom = ColumnPlatePreconditioner(A, fine.doflocs[:, node], free % 3, factorize, z_levels)
            self.plate_unknowns = self.bottom.plate_unknowns
        # over an etched pattern four column sweeps before and after the coarse correction: the cut level holds the
        # lines' slip, and what is left is the fine level's (the etch of the circuit_lines grid at 1 x 1 mm: 1, 2, 3,
        # 4 sweeps 37, 33, 29, 26 iterations for the same time: the cut level's direct solve dominates); below a cut
        # level too large to factorise, five sweeps on every level and a W-cycle over the cut levels (the same etch,
        # three cut levels: 28; four sweeps 30; a V-cycle 38)
        self.sweeps = (ETCHED_SWEEPS if self.first_cut == len(self.levels) else RECURSIVE_SWEEPS) if etched else 1
        self.sizes = [lev[0].shape[0] for lev in self.levels] + [A.shape[0]]
        self.setup_seconds = time.perf_counter() - t0

    def use(self, A: sp.csr_matrix) -> None:
        """Cycle with A (same pattern, moduli drifted a little) on the finest level in place of the matrix it was
        built from, which is then released; the coarse levels stay those of the original moduli."""
        if self.levels:
            self.levels[0] = (as_stored(A),) + self.levels[0][1:]
        else:
            self.bottom.use(A)

    def __call__(self, r: np.ndarray, k: int = 0) -> np.ndarray:
        if k == len(self.levels):
            return self.bottom(r)
        A, smooth, P, PT = self.levels[k]
        sweeps = self.sweeps
        x = smooth(None, r)
        for _ in range(sweeps - 1):
            x = smooth(x, r - matvec(A, x))
        for c in range(CUT_CYCLES if k >= self.first_cut else 1):  # a cut level: W-cycle
            if c:
                for _ in range(sweeps):
                    x = smooth(x, r - matvec(A, x))
            x += matvec(P, self(matvec(PT, r - matvec(A, x)), k + 1))
        for _ in range(sweeps):
            x = smooth(x, r - matvec(A, x))
        return x
