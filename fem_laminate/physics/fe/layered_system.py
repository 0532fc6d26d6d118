"""The stiffness of the laminate's present body, split by layer, and its linear solves.

K(T) = Σ_l E_l(T) K_l: unit-modulus element matrices per layer are assembled once per body (the layers present
and the elements a patterned etch removed), so a new temperature costs one vector sum. The factorisation of an
earlier K preconditions conjugate gradients while the moduli drift; it is renewed when they have moved too far.
The laminate state is passed in (duck-typed: model, stack, active layers, removed elements, solver choice and
the solver statistics it records).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from . import assembly, elastic, solvers, symmetric


def constrained_dofs(state) -> np.ndarray:
    """A statically determinate support of the active body: removes rigid motion, adds no stress."""
    model = state.model
    d = model.dim
    nodes = state.active_nodes()
    x = model.basis.doflocs[:, nodes]
    h = x[d - 1]
    inplane_dist = np.sqrt((x[:d - 1] ** 2).sum(axis=0))
    col = nodes[inplane_dist <= inplane_dist.min() + 1e-12 * model.lmesh.length_m]
    hc = model.basis.doflocs[d - 1, col]
    lo, hi = col[np.argmin(hc)], col[np.argmax(hc)]
    if d == 2:
        return np.array([2 * lo, 2 * lo + 1, 2 * hi])
    # 3D: a node in the plane of `lo`, on the line through it along x, blocks the rotation about z (the
    # plane of `lo` rather than the lowest one: a patterned bottom foil leaves that plane with holes)
    h_lo, y_lo = model.basis.doflocs[d - 1, lo], model.basis.doflocs[1, lo]
    plane = nodes[np.abs(h - h_lo) < 1e-15 + 1e-9 * np.ptp(h)]
    dy = np.abs(model.basis.doflocs[1, plane] - y_lo)
    on_axis = plane[dy <= dy.min() + 1e-12]
    p2 = on_axis[np.argmax(model.basis.doflocs[0, on_axis])]
    return np.array([3 * lo, 3 * lo + 1, 3 * lo + 2, 3 * hi, 3 * hi + 1, 3 * p2 + 1])


@dataclass
class _System:
    """Stiffness of the present body, split by layer so that K(T) = sum_l E_l(T) K_l costs one vector sum.

    Memory (a panel of a million unknowns holds a few hundred million entries): every entry has one layer in
    `owner` (one byte) whose unit-modulus value is in `base` until K is formed; an entry of an interface plane,
    which two layers share, has its owner's part there and the other layer's in `shared` (positions and values
    per layer), so each shared entry is stored once more, not once per layer.
    The factorisation of an earlier K serves as preconditioner of conjugate gradients while the moduli drift
    with temperature; it is renewed when CG needs more than a few iterations (e.g. through a Tg).
    """
    key: tuple
    free: np.ndarray
    dofs: np.ndarray  # every dof of the present body, supports included
    indices: np.ndarray
    indptr: np.ndarray
    layers: list
    base: np.ndarray | None  # (nnz,) unit-modulus value of each entry's owner layer
    # (let go once K is formed: K's values are then scaled)
    owner: np.ndarray  # (nnz,) int8: the layer (its index in the stack) whose part of the entry `base` holds
    shared: list  # per present layer: (positions, values) of its part of shared entries another layer owns
    factor: object = None
    E_factor: np.ndarray | None = None
    K: sp.csr_matrix | None = None  # the stiffness at the moduli E_K of the last `matrix` call
    E_K: np.ndarray | None = None
    symmetric: bool = False  # the entries are K's upper triangle: `matrix` gives a symmetric.Symmetric
    _sym: object = None

    def matrix(self, E: np.ndarray) -> sp.csr_matrix:
        """K(E), re-formed in place: the same matrix object (and value array) every call, so that a chain holds
        one assembled stiffness (the factorisation and the preconditioner see the new values, as after `use`).
        The first call forms it from the unit-modulus values, which are then let go: later calls take the other
        layers' parts out of the shared entries, scale every entry by its owner's E_l / E_K,l and put the other
        parts back at the new moduli (the last bits move by an ulp or two of the entry per call, whichever
        layer is the stiffer)."""
        E = np.asarray(E, float)
        n = len(self.free)
        nl = len(E)
        if self.K is None:
            self.K = sp.csr_matrix((np.empty(len(self.owner)), self.indices, self.indptr), shape=(n, n))
            if self.symmetric:
                self._sym = symmetric.Symmetric(self.K)
            factor = np.append(E, 0.0)
        else:
            old = self.E_K[self.layers]
            if np.array_equal(E[self.layers], old):
                return self._sym if self.symmetric else self.K
            if np.any(old <= 0.0):
                raise ValueError("layered stiffness: a present layer's modulus is not positive")
            factor = np.zeros(nl + 1)
            factor[self.layers] = E[self.layers] / old
            for (pos, v), k in zip(self.shared, self.layers):
                self.K.data[pos] -= self.E_K[k] * v  # the owner's part alone is left, to be scaled
        vals = self.K.data
        step = 1 << 20  # batches: the int8 owners become machine-size indices there, not over the whole array
        for s in range(0, len(vals), step):
            f = np.take(factor, self.owner[s:s + step], mode="clip")
            if self.base is not None:
                np.multiply(f, self.base[s:s + step], out=vals[s:s + step])
            else:
                vals[s:s + step] *= f
        self.base = None
        for (pos, v), k in zip(self.shared, self.layers):
            vals[pos] += E[k] * v  # positions are unique within a layer
        self.E_K = E.copy()
        return self._sym if self.symmetric else self.K

    @property
    def nbytes(self) -> int:
        arrays = [self.indices, self.indptr, self.owner] + ([self.base] if self.base is not None else []) + \
            ([self.K.data] if self.K is not None else [])
        return sum(a.nbytes for a in arrays) + sum(p.nbytes + v.nbytes for p, v in self.shared)


def build_system(state) -> _System:
    model = state.model
    act_el = state.active_elements()
    lay = state.layer_of_element
    nodes = state.active_nodes()
    d = model.dim
    dofs = (d * nodes[:, None] + np.arange(d)).ravel()
    if model.nglobal:
        dofs = np.concatenate([dofs, d * model.nnodes + np.arange(model.nglobal)])
    free = np.setdiff1d(dofs, constrained_dofs(state))
    dof_map = np.full(model.ndofs, -1, dtype=np.int64)
    dof_map[free] = np.arange(len(free))
    # a body a patterned etch has cut, solved iteratively: the upper triangle alone (symmetric.Symmetric), half the
    # memory of K and of its layer split, where the cut levels of its preconditioner make the chain's peak
    upper = symmetric.SYMMETRIC_STORAGE and d == 3 and state.removed is not None and bool(state.removed.any()) \
        and _method(state, len(free)) == "cg_plate"
    pattern = assembly.Pattern(elastic.element_dofs_full(model, act_el), len(free), dof_map=dof_map, upper=upper)
    # unit-modulus element matrices per layer: K(T) = sum_l E_l(T) K_l is then a sum of data vectors
    nu = np.array([l_.material.nu for l_ in state.stack.layers])
    D_unit = elastic.isotropic_D(np.ones(len(nu)), nu, d)[lay]
    Ke, cls = elastic.element_stiffness_classes(model, D_unit, act_el, material_id=lay)
    layers = state.active_layers()
    sels = [np.flatnonzero(lay[act_el] == i) for i in layers]

    def layer_data(sel):
        return pattern.data(Ke, sel, classes=cls[sel])

    # two passes over the layers, one full-length array at a time (not one per layer): which entries some layer
    # touches, then the values. Entries that vanish in every layer (e.g. x-y couplings a rectangular element's
    # symmetry cancels) are left out: the fill-reducing ordering of the factorisation sees the structural
    # nonzeros only
    keep = np.zeros(pattern.nnz, bool)
    for sel in sels:
        keep |= layer_data(sel) != 0.0
    if not keep.all():
        pattern.keep_only(keep)  # the layer data below are then of the kept entries only (no full-length copy)
    del keep
    indptr, indices = pattern.indptr, pattern.indices
    nkeep = len(indices)
    base = np.zeros(nkeep)
    owner = np.full(nkeep, len(state.stack), dtype=np.int8 if len(state.stack) < 127 else np.int16)
    shared = []
    for i, sel in zip(layers, sels):
        v = layer_data(sel)
        nz = v != 0.0
        first = nz & (owner == len(state.stack))  # the first layer to touch an entry owns it
        base[first], owner[first] = v[first], i
        nz &= ~first
        shared.append((np.flatnonzero(nz).astype(np.int32 if nkeep < 2**31 - 1 else np.int64), v[nz]))
        del v, nz, first  # before the next layer's values: one full-length array at a time
    del pattern
    return _System(body_key(state), free, dofs, indices, indptr, layers, base, owner, shared, symmetric=upper)


def body_key(state) -> tuple:
    """What identifies the present body: its layers and the elements a patterned etch took away."""
    removed = b"" if state.removed is None else np.packbits(state.removed).tobytes()
    return tuple(state.active), removed



def _method(state, n: int) -> str:
    """SuperLU is fastest for the thin 2D cross-sections; PARDISO for 3D plates (SuperLU's 3D fill is heavy), and
    CG with the column/plate preconditioner for those whose factorisation would not fit in memory."""
    if state.solver != "auto":
        return state.solver
    return solvers.choose_method(n, plate3d=True, many_solves=True) if state.model.dim == 3 else "spsolve"


def _factorize(state, system: "_System", K: sp.csr_matrix) -> solvers.Factorized:
    """A factorisation of K; the body's earlier PARDISO factorisation is redone in place (same pattern: its
    ordering is kept) or released, so that replaced factors do not pile up in MKL's memory."""
    old = system.factor
    method = _method(state, K.shape[0])
    if old is not None and old.method == method and old.same_pattern(K):
        factor = old.refactor(K)
    else:
        if old is not None:
            old.free()
        layout = solvers.Layout.of(state.model.basis, system.free, elements=state.active_elements()) \
            if state.model.dim == 3 else None
        factor = solvers.Factorized(K, method, layout=layout)
    state.solver_used = factor.method
    return factor


def _note_iterations(state, factor: solvers.Factorized) -> None:
    state.solver_iterations = max(state.solver_iterations, factor.iterations)
    state.solver_residual = max(state.solver_residual, factor.residual)


PCG_MAX_LOG_DRIFT = 0.3  # |ln(E / E_factorised)| beyond which a new factorisation beats preconditioned CG


def solve(state, system: _System, E: np.ndarray, f: np.ndarray, relaxing: bool = False,
          x0: np.ndarray | None = None) -> np.ndarray:
    """K(E) x = f on the free dofs, reusing the factorisation while the moduli drift little; `relaxing`: some
    layer's stiffness relaxes over time (its modulus moves by decades, so CG on an old factor would stall);
    x0: a guess (the last solution) that the iterative solver starts from where it is the nearer start."""
    K = system.matrix(E)
    if system.factor is None:
        system.factor = _factorize(state, system, K)
        system.E_factor = E.copy()
        x = system.factor(f, x0=x0)
        _note_iterations(state, system.factor)
        return x
    if np.allclose(E[system.layers], system.E_factor[system.layers], rtol=1e-12):
        x = system.factor(f, x0=x0)
        _note_iterations(state, system.factor)
        return x
    drift = np.abs(np.log(E[system.layers] / system.E_factor[system.layers])).max()
    if system.factor.method == "cg_plate":
        if drift >= PCG_MAX_LOG_DRIFT:  # a preconditioner for the present moduli (a relaxed layer is decades softer)
            system.factor = _factorize(state, system, K)
            system.E_factor = E.copy()
        x = system.factor(f, K, x0=x0)  # CG on the present stiffness
        _note_iterations(state, system.factor)
        return x
    x = None
    # a relaxing layer's stiffness moves by decades: CG would stall, factorise anew (the elastic model keeps its
    # CG-first path, so that its numbers stay those of 0.2 bit for bit)
    if drift < PCG_MAX_LOG_DRIFT or not relaxing:
        x, its = solvers.pcg(K, f, system.factor, tol=1e-9, maxiter=8)
    if x is None:  # moduli moved too far from the factorised ones: factorise anew
        system.factor = _factorize(state, system, K)
        system.E_factor = E.copy()
        x = system.factor(f)
    _note_iterations(state, system.factor)
    return x


