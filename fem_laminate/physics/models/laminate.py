"""Thermoelastic analysis of the laminate along a temperature history, with layers that form, relax and go.

The laminate state carries which layers exist (born, not etched), the displacement, and at every quadrature
point a stress-free strain ε0 (what the material's strain would be, at 25 C, with no stress). At temperature T

    σ = D(T) : (ε(u) - ε0 - ε_th(T)),     K(T) u = ∫ B^T D(T) (ε0 + ε_th(T)) dx

(total, not rate form: with temperature-dependent moduli a rate form would leave spurious strain behind when
a layer is released). The history enters only through ε0, which is set by three events:
- a layer is born: ε0 = ε(u) - ε_th(T) where it forms, so it is stress-free in the shape it forms in;
- a thermoplastic layer is above Tg: ε0 = ε(u) - ε_th(T) at every increment (its stress relaxes; viscous flow
  over process times of minutes);
- a layer is etched: its elements leave the assembly and the rest re-equilibrates; a patterned etch removes
  single elements of a layer (`removed`), the copper outside the circuit pattern.
A temperature change is followed in increments (finer through each present Tg) because the relaxation is.

Issue 13 adds, each behind a switch of `state.mechanisms` (all off: exactly the model above), three more
stress-free strains and a clock (`time_s`; increments carry dt):
- ε_sw, hygroscopic swelling from the water field (physics/models/moisture.py; `expose_to_humidity`);
- viscoelastic layers (a Prony series, physics/laws/viscoelastic.py) replace "ε0 reset above Tg" by the recursive
  internal-stress update: stiffness c·D, history as a load (`_viscoelastic_prepare/_update`);
- ε_p of yielding metal foils (J2, physics/laws/plasticity.py), by initial-stiffness iterations (`_plastic_iterations`);
- an applied end load (`apply_uniaxial_load`, the TMA's tensile load).
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from ..fe import assembly, elastic, solvers
from . import moisture
from ..laws import plasticity, viscoelastic
from ...model.stack import Stack

# the mechanisms of issue 13; a bare state is today's elastic model, a case turns them on ([physics] table)
MECHANISMS = ("viscoelastic", "copper_plasticity", "copper_creep", "moisture")


@dataclass
class LaminateState:
    stack: Stack  # every layer that will ever exist, bottom-up
    model: elastic.ElasticModel
    T_C: float
    born: np.ndarray  # (nlayers,) bool
    etched: np.ndarray  # (nlayers,) bool
    u: np.ndarray  # (ndofs,)
    stress: np.ndarray  # (nelements, nq, ncomp) Pa
    eps0: np.ndarray  # (nelements, nq, ncomp) stress-free strain at 25 C (birth and relaxation history)
    solver: str = "auto"
    time_s: float = 0.0
    born_at_C: dict = field(default_factory=dict)  # layer name -> temperature where it formed
    cache: dict = field(default_factory=dict, repr=False)  # stiffness/factorisation of the present body
    solves: int = 0
    solver_used: str = ""
    solver_iterations: int = 0  # iterative solver: most CG iterations of one solve (0 for a direct solver)
    solver_residual: float = 0.0  # iterative solver: largest relative residual ||f - K u|| / ||f|| reached
    removed: np.ndarray | None = None  # (nelements,) bool: elements etched one by one (a patterned etch)
    mechanisms: dict = field(default_factory=lambda: {m: False for m in MECHANISMS})
    eps_sw: np.ndarray | None = None  # (nelements, nq, ncomp) hygroscopic strain; None = dry everywhere
    water: object = None  # moisture.MoistureField once water has been offered
    visco_h: np.ndarray | None = None  # (nelements, nq, ncomp, nterms) Prony internal stresses
    eps_m: np.ndarray | None = None  # (nelements, nq, ncomp) mechanical strain at the end of the last increment
    increments: int = 0  # thermoelastic increments taken (adaptive stepping is recorded)
    f_ext: np.ndarray | None = None  # (ndofs,) applied nodal forces (the TMA's tensile load); None = free
    eps_p: np.ndarray | None = None  # (nelements, nq, ncomp) plastic strain of the metal layers (J2)
    alpha: np.ndarray | None = None  # (nelements, nq) equivalent plastic strain

    @property
    def active(self) -> np.ndarray:
        return self.born & ~self.etched

    @property
    def layer_of_element(self) -> np.ndarray:
        return self.model.lmesh.layer

    @property
    def element_active(self) -> np.ndarray:
        """(nelements,) bool: the element belongs to the present body (its layer is present, it is not etched)."""
        act = self.active[self.layer_of_element]
        return act if self.removed is None else act & ~self.removed

    def active_elements(self) -> np.ndarray:
        return np.flatnonzero(self.element_active)

    def active_nodes(self) -> np.ndarray:
        """Scalar nodes (basis dofs) of the present body."""
        return np.unique(self.model.basis.element_dofs[:, self.active_elements()])

    def active_layers(self) -> list[int]:
        return [i for i in range(len(self.stack)) if self.active[i]]

    def copy(self) -> "LaminateState":
        new = copy.copy(self)
        new.born, new.etched = self.born.copy(), self.etched.copy()
        new.u, new.stress, new.eps0 = self.u.copy(), self.stress.copy(), self.eps0.copy()
        new.removed = None if self.removed is None else self.removed.copy()
        new.born_at_C = dict(self.born_at_C)
        new.mechanisms = dict(self.mechanisms)
        for name in ("eps_sw", "visco_h", "eps_m", "f_ext", "eps_p", "alpha"):
            if getattr(self, name) is not None:
                setattr(new, name, getattr(self, name).copy())
        if self.water is not None:
            new.water = self.water.copy()
        new.cache = {}
        return new


def initial_state(stack: Stack, model: elastic.ElasticModel, T_C: float, solver: str = "auto") -> LaminateState:
    n = len(stack)
    nq = model.basis.dx.shape[1]
    return LaminateState(stack=stack, model=model, T_C=float(T_C), born=np.zeros(n, bool), etched=np.zeros(n, bool),
                         u=np.zeros(model.ndofs), stress=np.zeros((model.nelements, nq, model.ncomp)),
                         eps0=np.zeros((model.nelements, nq, model.ncomp)), solver=solver,
                         removed=np.zeros(model.nelements, bool))


def give_birth(state: LaminateState, layers: list[int]) -> None:
    """Layers form stress-free at the current temperature and in the current shape of what they rest on."""
    before_el = state.element_active
    for i in layers:
        if state.born[i]:
            continue
        state.born[i] = True
        state.born_at_C[state.stack.layers[i].name] = state.T_C
    _follow_nodes(state, before_el)
    newborn = np.flatnonzero(state.element_active & ~before_el)
    _reset_stress_free(state, newborn)


def _reset_stress_free(state: LaminateState, elements: np.ndarray) -> None:
    """Make `elements` stress-free in their present strain at the present temperature."""
    if elements.size == 0:
        return
    eth = layer_thermal_strain(state, 25.0, state.T_C)[state.layer_of_element[elements]]
    state.eps0[elements] = elastic.strain_at_qp(state.model, state.u, elements) - eth[:, None, :]
    if state.eps_sw is not None:
        state.eps0[elements] -= state.eps_sw[elements]
    state.stress[elements] = 0.0
    if state.eps_m is not None:
        state.eps_m[elements] = 0.0
        state.visco_h[elements] = 0.0
    if state.eps_p is not None:
        state.eps_p[elements] = 0.0
        state.alpha[elements] = 0.0


def _follow_nodes(state: LaminateState, before_el: np.ndarray) -> None:
    """Give nodes that only newborn elements touch the displacement of the top-most old node below them,
    rotated with the surface there.

    A new layer is born stress-free in this shape (ε0 = ε(u) - ε_th), so the shape matters: it keeps plots and
    VTU frames of a bonded foil in place, and it makes the layer follow the substrate's curvature in-plane as
    the generalized-plane-strain curvature already does out of plane.
    """
    model = state.model
    d = model.dim
    ed = model.basis.element_dofs
    old = np.zeros(model.nnodes, bool)
    old[np.unique(ed[:, before_el])] = True
    new = np.zeros(model.nnodes, bool)
    new[np.unique(ed[:, state.element_active & ~before_el])] = True
    new &= ~old
    if not new.any() or not old.any():
        return
    x = model.basis.doflocs
    inplane = x[:d - 1]
    h = x[d - 1]
    # the top-most old node in the same column (same in-plane coordinates)
    old_idx = np.flatnonzero(old)
    key_old = np.round(inplane[:, old_idx].T / max(model.lmesh.length_m, 1e-30) * 1e9).astype(np.int64)
    order = np.argsort(h[old_idx], kind="stable")
    table = {}
    for j in order:  # ascending height: the last one written per column is the top-most old node
        table[tuple(key_old[j])] = old_idx[j]
    uu = state.u[:d * model.nnodes].reshape(-1, d)
    slope = _surface_slopes(table, uu, inplane, d)
    for n in np.flatnonzero(new):
        k = tuple(np.round(inplane[:, n] / max(model.lmesh.length_m, 1e-30) * 1e9).astype(np.int64))
        src = table.get(k)
        if src is not None:
            # the column of the surface it rests on, rotated with it (Kirchhoff): a layer formed on a curved
            # substrate is stress-free curved in every in-plane direction, not only out of the plane
            uu[n] = uu[src]
            uu[n, :d - 1] -= (h[n] - h[src]) * slope.get(src, 0.0)
    state.u[:d * model.nnodes] = uu.ravel()


def _surface_slopes(table: dict, uu: np.ndarray, inplane: np.ndarray, d: int) -> dict:
    """Slope of the out-of-plane displacement along each in-plane axis at the surface nodes of `table`.

    Finite differences over the surface columns (2D: along x; 3D: on the tensor grid of a layered plate).
    Returns {node: slope array (d - 1,)}; empty where the columns do not form a grid.
    """
    src = np.array(list(table.values()))
    if src.size < 3:
        return {}
    X = inplane[:, src]
    w = uu[src, d - 1]
    if d == 2:
        order = np.argsort(X[0])
        g = np.empty(src.size)
        g[order] = np.gradient(w[order], X[0, order])
        return {int(n): np.array([gi]) for n, gi in zip(src, g)}
    xs, ix = np.unique(np.round(X[0], 12), return_inverse=True)
    ys, iy = np.unique(np.round(X[1], 12), return_inverse=True)
    if len(xs) * len(ys) != src.size or len(xs) < 3 or len(ys) < 3:
        return {}
    W = np.full((len(xs), len(ys)), np.nan)
    W[ix, iy] = w
    gx, gy = np.gradient(W, xs, ys)
    return {int(n): np.array([gx[i, j], gy[i, j]]) for n, i, j in zip(src, ix, iy)}


def layer_E(state: LaminateState, T_C: float) -> np.ndarray:
    """(nlayers,) Young's moduli at T_C."""
    return np.array([lay.material.E(T_C) for lay in state.stack.layers], dtype=float)


def layer_D(state: LaminateState, T_C: float, E: np.ndarray | None = None) -> np.ndarray:
    """(nlayers, ncomp, ncomp) elastic matrices at T_C (moduli E if already evaluated)."""
    E = layer_E(state, T_C) if E is None else E
    nu = np.array([lay.material.nu for lay in state.stack.layers], dtype=float)
    return elastic.isotropic_D(E, nu, state.model.dim)


def instantaneous_D(state: LaminateState, T_C: float) -> np.ndarray:
    """(nlayers, ncomp, ncomp) elastic matrices an instantaneous load meets at T_C: the glassy modulus for
    viscoelastic layers, E(T) otherwise (as `increment` uses them)."""
    E = layer_E(state, T_C)
    for i in viscoelastic_layers(state):
        E[i] = viscoelastic.glassy_E(state.stack.layers[i].material, T_C)
    return layer_D(state, T_C, E)


def layer_thermal_strain(state: LaminateState, Ta: float, Tb: float) -> np.ndarray:
    """(nlayers, ncomp) free thermal strain increment from Ta to Tb (in-plane / through-thickness)."""
    dim, nc = state.model.dim, state.model.ncomp
    out = np.zeros((len(state.stack), nc))
    for i, lay in enumerate(state.stack.layers):
        m = lay.material
        d_in = float(m.thermal_strain(Tb) - m.thermal_strain(Ta))
        d_z = float(m.thermal_strain_z(Tb) - m.thermal_strain_z(Ta))
        if dim == 2:  # x in-plane, y through the thickness, z in-plane (out of the model's plane)
            out[i, :3] = (d_in, d_z, d_in)
        else:
            out[i, :3] = (d_in, d_in, d_z)
    return out


def constrained_dofs(state: LaminateState) -> np.ndarray:
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


def relax_rubbery(state: LaminateState, T_C: float) -> None:
    """Thermoplastic layers above Tg relax their stress (viscous flow over process times of minutes)."""
    for i, lay in enumerate(state.stack.layers):
        if state.active[i] and lay.material.is_rubbery(T_C) and not is_viscoelastic(state, i):
            _reset_stress_free(state, np.flatnonzero((state.layer_of_element == i) & state.element_active))


def is_viscoelastic(state: LaminateState, i: int) -> bool:
    """Layer i follows its Prony series (viscoelasticity on and the material has one)."""
    return bool(state.mechanisms.get("viscoelastic")) and viscoelastic.has_series(state.stack.layers[i].material)


def plastic_layers(state: LaminateState) -> list[int]:
    """Present metal layers that yield or creep (copper_plasticity on and a yield stress given, or copper_creep on
    and a creep law given); 2D cross-sections and 3D plates alike."""
    return sorted(set(_yielding_layers(state)) | set(creeping_layers(state)))


def _yielding_layers(state: LaminateState) -> list[int]:
    if not state.mechanisms.get("copper_plasticity"):
        return []
    return [i for i in state.active_layers() if state.stack.layers[i].material.kind == "metal"
            and state.stack.layers[i].material.yield_Pa is not None]


def creeping_layers(state: LaminateState) -> list[int]:
    """Present metal layers with a power-law creep law, copper_creep on."""
    if not state.mechanisms.get("copper_creep"):
        return []
    return [i for i in state.active_layers() if state.stack.layers[i].material.kind == "metal"
            and plasticity.creep_law(state.stack.layers[i].material) is not None]


def viscoelastic_layers(state: LaminateState) -> list[int]:
    return [i for i in state.active_layers() if is_viscoelastic(state, i)]


@dataclass
class _System:
    """Stiffness of the present body, split by layer so that K(T) = sum_l E_l(T) K_l costs one vector sum.

    The factorisation of an earlier K serves as preconditioner of conjugate gradients while the moduli drift
    with temperature; it is renewed when CG needs more than a few iterations (e.g. through a Tg).
    """
    key: tuple
    free: np.ndarray
    dofs: np.ndarray  # every dof of the present body, supports included
    indices: np.ndarray
    indptr: np.ndarray
    layers: list
    data: list  # per layer: (positions in the pattern's data, values) of the entries the layer touches
    factor: object = None
    E_factor: np.ndarray | None = None

    def matrix(self, E: np.ndarray) -> sp.csr_matrix:
        vals = np.zeros(len(self.indices))
        for (pos, v), k in zip(self.data, self.layers):
            vals[pos] += E[k] * v  # positions are unique within a layer
        n = len(self.free)
        return sp.csr_matrix((vals, self.indices, self.indptr), shape=(n, n))


def _build_system(state: LaminateState) -> _System:
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
    pattern = assembly.Pattern(elastic.element_dofs_full(model, act_el), len(free), dof_map=dof_map)
    # unit-modulus element matrices per layer: K(T) = sum_l E_l(T) K_l is then a sum of data vectors
    nu = np.array([l_.material.nu for l_ in state.stack.layers])
    D_unit = elastic.isotropic_D(np.ones(len(nu)), nu, d)[lay]
    Ke, cls = elastic.element_stiffness_classes(model, D_unit, act_el, material_id=lay)
    layers = state.active_layers()
    data = []
    for i in layers:
        sel = np.flatnonzero(lay[act_el] == i)
        data.append(pattern.data(Ke, sel, classes=cls[sel]))
    # entries that vanish in every layer (e.g. x-y couplings a rectangular element's symmetry cancels) are
    # left out: the fill-reducing ordering of the factorisation sees the structural nonzeros only
    keep = np.zeros(pattern.nnz, bool)
    for d_ in data:
        keep |= d_ != 0.0
    indptr = np.concatenate([[0], np.cumsum(np.add.reduceat(keep, pattern.indptr[:-1]) * (np.diff(pattern.indptr) > 0))])
    # memory: each layer keeps only the entries it touches (positions, values), not a full-length array
    touched = [(np.flatnonzero(v), v[v != 0.0]) for v in (d_[keep] for d_ in data)]
    return _System(_body_key(state), free, dofs, pattern.indices[keep], indptr.astype(pattern.indptr.dtype),
                   layers, touched)


def _body_key(state: LaminateState) -> tuple:
    """What identifies the present body: its layers and the elements a patterned etch took away."""
    removed = b"" if state.removed is None else np.packbits(state.removed).tobytes()
    return tuple(state.active), removed



def _method(state: LaminateState, n: int) -> str:
    """SuperLU is fastest for the thin 2D cross-sections; PARDISO for 3D plates (SuperLU's 3D fill is heavy), and
    CG with the column/plate preconditioner for those whose factorisation would not fit in memory."""
    if state.solver != "auto":
        return state.solver
    return solvers.choose_method(n, plate3d=True, many_solves=True) if state.model.dim == 3 else "spsolve"


def _factorize(state: LaminateState, system: "_System", K: sp.csr_matrix) -> solvers.Factorized:
    layout = solvers.Layout.of(state.model.basis, system.free) if state.model.dim == 3 else None
    factor = solvers.Factorized(K, _method(state, K.shape[0]), layout=layout)
    state.solver_used = factor.method
    return factor


def _note_iterations(state: LaminateState, factor: solvers.Factorized) -> None:
    state.solver_iterations = max(state.solver_iterations, factor.iterations)
    state.solver_residual = max(state.solver_residual, factor.residual)


PCG_MAX_LOG_DRIFT = 0.3  # |ln(E / E_factorised)| beyond which a new factorisation beats preconditioned CG


def _solve(state: LaminateState, system: _System, E: np.ndarray, f: np.ndarray) -> np.ndarray:
    K = system.matrix(E)
    if system.factor is None:
        system.factor = _factorize(state, system, K)
        system.E_factor = E.copy()
        x = system.factor(f)
        _note_iterations(state, system.factor)
        return x
    if np.allclose(E[system.layers], system.E_factor[system.layers], rtol=1e-12):
        x = system.factor(f)
        _note_iterations(state, system.factor)
        return x
    drift = np.abs(np.log(E[system.layers] / system.E_factor[system.layers])).max()
    if system.factor.method == "cg_plate":
        if drift >= PCG_MAX_LOG_DRIFT:  # a preconditioner for the present moduli (a relaxed layer is decades softer)
            system.factor = _factorize(state, system, K)
            system.E_factor = E.copy()
        x = system.factor(f, K)  # CG on the present stiffness
        _note_iterations(state, system.factor)
        return x
    x = None
    # a relaxing layer's stiffness moves by decades: CG would stall, factorise anew (the elastic model keeps its
    # CG-first path, so that its numbers stay those of 0.2 bit for bit)
    if drift < PCG_MAX_LOG_DRIFT or not viscoelastic_layers(state):
        x, its = solvers.pcg(K, f, system.factor, tol=1e-9, maxiter=8)
    if x is None:  # moduli moved too far from the factorised ones: factorise anew
        system.factor = _factorize(state, system, K)
        system.E_factor = E.copy()
        x = system.factor(f)
    _note_iterations(state, system.factor)
    return x


def increment(state: LaminateState, Ta: float, Tb: float, dt_s: float = 0.0) -> None:
    """Advance from Ta to Tb over dt_s seconds: relax what is above Tg at Ta (elastic thermoplastics), then solve
    equilibrium at Tb (Ta == Tb allowed). Viscoelastic layers follow their Prony recursion over dt_s instead."""
    model = state.model
    act_el = state.active_elements()
    relax_rubbery(state, Ta)
    lay = state.layer_of_element[act_el]
    E = layer_E(state, Tb)
    ve_layers = viscoelastic_layers(state)
    for i in ve_layers:
        E[i] = viscoelastic.glassy_E(state.stack.layers[i].material, Tb)
    D_el = layer_D(state, Tb, E)[lay]
    eth = layer_thermal_strain(state, 25.0, Tb)[lay]
    free_strain = state.eps0[act_el] + eth[:, None, :]
    if state.eps_sw is not None:
        free_strain = free_strain + state.eps_sw[act_el]
    if state.eps_p is not None:
        free_strain = free_strain + state.eps_p[act_el]
    sig_rhs = np.einsum("ekl,eql->eqk", D_el, free_strain)
    E_solve = E
    ve = None
    if ve_layers:
        ve = _viscoelastic_prepare(state, ve_layers, act_el, lay, D_el, Ta, Tb, dt_s)
        E_solve = E.copy()
        for i, (c, *_rest) in ve["coef"].items():
            E_solve[i] = c * E[i]
        sel = ve["sel"]
        sig_rhs[sel] = ve["c_el"][:, None, None] * sig_rhs[sel] - ve["hist"]
    f = elastic.internal_force(model, sig_rhs, act_el)
    if state.f_ext is not None:
        f = f + state.f_ext
    system = state.cache.get("system")
    if system is None or system.key != _body_key(state):
        system = state.cache["system"] = _build_system(state)
    u = np.zeros(model.ndofs)
    u[system.free] = _solve(state, system, E_solve, f[system.free])
    state.solves += 1
    state.increments += 1
    strain = elastic.strain_at_qp(model, u, act_el)
    pl = plastic_layers(state)
    if pl:
        u, strain, free_strain = _plastic_iterations(state, system, E_solve, f, u, strain, act_el, lay, D_el,
                                                     free_strain, Tb, pl, dt_s)
    state.stress[act_el] = np.einsum("ekl,eql->eqk", D_el, strain - free_strain)
    if ve is not None:
        _viscoelastic_update(state, ve, act_el, D_el, strain - free_strain)
    # nodes of absent layers keep their last displacement (for plots); present ones take the solution
    state.u[system.dofs] = u[system.dofs]
    state.T_C = float(Tb)
    state.time_s += float(dt_s)


PLASTIC_TOL = 1e-10  # converged when the plastic strain changes by less than this between iterations
PLASTIC_MAX_ITER = 300


def _plastic_iterations(state, system, E_solve, f, u, strain, act_el, lay, D_el, free_strain, T_C, pl, dt_s=0.0):
    """J2 return mapping (physics/laws/plasticity.py, shared with the nip) at the metal layers' points, then the
    power-law creep of the increment's dt_s (backward Euler along the same radial direction), equilibrium by
    initial-stiffness iterations: the inelastic strain is one more stress-free strain, so the factorised elastic
    stiffness serves every iteration (no tangent assembly); backward Euler from the increment's start.
    Returns (u, strain, free strain including the inelastic strain)."""
    model = state.model
    if state.eps_p is None:
        nq = state.stress.shape[1]
        state.eps_p = np.zeros((model.nelements, nq, model.ncomp))
        state.alpha = np.zeros((model.nelements, nq))
    sel = np.isin(lay, pl)
    el = act_el[sel]
    mats = [state.stack.layers[i].material for i in lay[sel]]
    E = np.array([m.E(T_C) for m in mats], dtype=float)[:, None]
    nu = np.array([m.nu for m in mats])[:, None]
    K, G = E / (3 * (1 - 2 * nu)), E / (2 * (1 + nu))
    yielding = set(_yielding_layers(state))
    sy = np.array([m.yield_stress(T_C) if i in yielding else np.inf for i, m in zip(lay[sel], mats)])[:, None]
    H = np.array([m.hardening(T_C) for m in mats])[:, None]
    creeping = set(creeping_layers(state)) if dt_s > 0 else set()
    laws = {i: plasticity.creep_law(state.stack.layers[i].material) for i in creeping}
    ep_old, a_old = state.eps_p[el], state.alpha[el]
    ep, alpha = ep_old.copy(), a_old
    fs0 = free_strain[sel] - ep_old  # thermal + birth (+ swelling): f already carries D ep_old
    for _ in range(PLASTIC_MAX_ITER):
        e_mech = np.moveaxis(strain[sel] - fs0, -1, 0)
        _, ep_new, alpha, _ = plasticity.return_mapping(e_mech, np.moveaxis(ep_old, -1, 0), a_old, K, G, sy, H)
        for i, law in laws.items():  # creep from the plastically returned state (inside the yield surface)
            k = lay[sel] == i
            ep_k, _ = plasticity.creep_return(e_mech[:, k], ep_new[:, k], G[k], law, T_C, dt_s)
            ep_new[:, k] = ep_k
        ep_new = np.moveaxis(ep_new, 0, -1)
        change = np.abs(ep_new - ep).max()
        ep = ep_new
        if change <= PLASTIC_TOL:
            break
        fp = elastic.internal_force(model, np.einsum("ekl,eql->eqk", D_el[sel], ep - ep_old), el)
        u = np.zeros(model.ndofs)
        u[system.free] = _solve(state, system, E_solve, (f + fp)[system.free])
        state.solves += 1
        strain = elastic.strain_at_qp(model, u, act_el)
    state.eps_p[el], state.alpha[el] = ep, alpha
    free_strain = free_strain.copy()
    free_strain[sel] = fs0 + ep
    return u, strain, free_strain


def _viscoelastic_prepare(state, ve_layers, act_el, lay, D_el, Ta, Tb, dt_s) -> dict:
    """Recursion coefficients per viscoelastic layer and the history stress of their elements."""
    nterms = max(len(state.stack.layers[i].material.prony) for i in ve_layers)
    if state.visco_h is None or state.visco_h.shape[-1] < nterms:
        nq = state.stress.shape[1]
        state.visco_h = np.zeros((state.model.nelements, nq, state.model.ncomp, nterms))
        state.eps_m = np.zeros((state.model.nelements, nq, state.model.ncomp))
    sel = np.isin(lay, ve_layers)
    el = act_el[sel]
    coef, c_el = {}, np.zeros(el.size)
    hist = np.zeros((el.size,) + state.stress.shape[1:])
    for i in ve_layers:
        g_inf, g, e, gam = viscoelastic.coefficients(state.stack.layers[i].material, Ta, Tb, dt_s)
        c = g_inf + float((g * gam).sum())
        coef[i] = (c, g, e, gam)
        k = lay[sel] == i
        c_el[k] = c
        Dm = np.einsum("ekl,eql->eqk", D_el[sel][k], state.eps_m[el[k]])
        h = state.visco_h[el[k]][..., :len(g)]
        hist[k] = np.einsum("eqct,t->eqc", h, e) - float((g * gam).sum()) * Dm
    return {"sel": sel, "el": el, "coef": coef, "c_el": c_el, "hist": hist}


def _viscoelastic_update(state, ve, act_el, D_el, eps_m_new) -> None:
    """h_i(n+1) = e_i h_i(n) + g_i γ_i D Δε_m;  σ = g_inf D ε_m + Σ h_i."""
    sel, el = ve["sel"], ve["el"]
    lay = state.layer_of_element[el]
    for i, (c, g, e, gam) in ve["coef"].items():
        k = lay == i
        ek = el[k]
        dDe = np.einsum("ekl,eql->eqk", D_el[sel][k], eps_m_new[sel][k] - state.eps_m[ek])
        h = state.visco_h[ek][..., :len(g)] * e + dDe[..., None] * (g * gam)
        state.visco_h[ek, ..., :len(g)] = h
        g_inf = 1.0 - float(g.sum())
        state.stress[ek] = g_inf * np.einsum("ekl,eql->eqk", D_el[sel][k], eps_m_new[sel][k]) + h.sum(axis=-1)
        state.eps_m[ek] = eps_m_new[sel][k]


def temperature_path(state: LaminateState, T_to: float, max_step_K: float = 25.0) -> np.ndarray:
    """Increment end temperatures from the current temperature to T_to.

    The total form is path-independent wherever no layer relaxes, so steps are needed only where a present
    thermoplastic layer is at or above its Tg (every step there relaxes it), and a step lands exactly on
    each Tg crossed so that the layer becomes stress-free at Tg.
    """
    Ta = state.T_C
    if T_to == Ta:
        return np.array([T_to])
    lo, hi = min(Ta, T_to), max(Ta, T_to)
    tgs = [lay.material.Tg_C for i, lay in enumerate(state.stack.layers)
           if state.active[i] and lay.material.Tg_C is not None]
    pts = [T_to]
    if tgs:
        n = max(1, int(np.ceil((hi - lo) / max_step_K)))
        grid = np.linspace(Ta, T_to, n + 1)[1:]
        pts += [t for t in grid if t >= min(tgs)]
        pts += [tg for tg in tgs if lo < tg < hi]
    pts = np.unique(np.round(pts, 9))
    return pts[::-1] if T_to < Ta else pts


def change_temperature(state: LaminateState, T_to: float, max_step_K: float = 25.0,
                       seconds: float | None = None) -> None:
    """Follow a uniform temperature change of the whole present stack, then re-equilibrate at T_to.

    `seconds` is the duration of the change (None: instantaneous for the elastic model; with viscoelastic layers
    present the default rate viscoelastic.DEFAULT_RATE_K_PER_MIN applies, since relaxation needs a clock).
    """
    if viscoelastic_layers(state) or plastic_layers(state):  # path dependent: follow it in increments
        _change_temperature_viscoelastic(state, T_to, max_step_K, seconds)
        return
    moved = False
    for Tb in temperature_path(state, T_to, max_step_K):
        if Tb != state.T_C:
            increment(state, state.T_C, float(Tb))
            moved = True
    rubbery = any(state.active[i] and lay.material.is_rubbery(state.T_C) for i, lay in enumerate(state.stack.layers))
    if rubbery or not moved:
        increment(state, state.T_C, state.T_C)  # relax at the end temperature (or just re-equilibrate)
    if seconds:
        state.time_s += float(seconds)


def viscoelastic_path(state: LaminateState, T_to: float, max_step_K: float, seconds: float) -> np.ndarray:
    """Adaptive increment end temperatures with viscoelastic layers present: at most max_step_K each, landing on
    every Tg crossed, and subdivided so that no layer's shift factor changes by more than
    viscoelastic.MAX_DECADES_PER_INCREMENT decades within an increment (the recursion takes a_T constant)."""
    Ta = state.T_C
    lo, hi = min(Ta, T_to), max(Ta, T_to)
    n = max(1, int(np.ceil((hi - lo) / max_step_K)))
    pts = list(np.linspace(Ta, T_to, n + 1)[1:])
    pts += [lay.material.Tg_C for i, lay in enumerate(state.stack.layers)
            if state.active[i] and lay.material.Tg_C is not None and lo < lay.material.Tg_C < hi]
    pts = np.unique(np.round(pts, 9))
    pts = pts[::-1] if T_to < Ta else pts
    mats = [state.stack.layers[i].material for i in viscoelastic_layers(state)]
    out, prev = [], Ta
    for Tb in pts:
        dt = seconds * abs(float(Tb) - prev) / abs(T_to - Ta)
        k = viscoelastic.subdivide_for_shift(mats, prev, float(Tb), dt)
        out += list(np.linspace(prev, Tb, k + 1)[1:])
        prev = float(Tb)
    return np.array(out)


def _change_temperature_viscoelastic(state, T_to, max_step_K, seconds) -> None:
    T0 = state.T_C
    if seconds is None and not viscoelastic_layers(state) and not creeping_layers(state):
        seconds = 0.0  # plasticity alone is rate independent
    if seconds is None:
        seconds = abs(T_to - T0) / viscoelastic.DEFAULT_RATE_K_PER_MIN * 60.0
    if T_to == T0:
        if viscoelastic_layers(state) or creeping_layers(state):
            hold(state, seconds)
        else:
            increment(state, T0, T0)
            state.time_s += seconds
        return
    for Tb in viscoelastic_path(state, T_to, max_step_K, seconds):
        dt = seconds * abs(Tb - state.T_C) / abs(T_to - T0)
        _timed_increment(state, float(Tb), dt)
    if any(state.active[i] and lay.material.is_rubbery(state.T_C) and not is_viscoelastic(state, i)
           for i, lay in enumerate(state.stack.layers)):
        increment(state, state.T_C, state.T_C)  # an elastic thermoplastic above Tg relaxes at the end


CREEP_STEP_FRACTION = 0.1  # a creep increment is at most this fraction of the copper's present relaxation time
CREEP_MAX_SUBSTEPS = 400  # per hold or ramp increment; past it the rest is one (stable, backward-Euler) step


def creep_time_step(state: LaminateState) -> float:
    """The longest time step that keeps the creep of every creeping layer's points within CREEP_STEP_FRACTION of
    its present relaxation time q / (3 G rate(q)) (inf when nothing creeps): backward Euler is stable at any
    step, this keeps it accurate (tested against the closed-form relaxation of a film on a rigid substrate)."""
    dt = np.inf
    for i in creeping_layers(state):
        m = state.stack.layers[i].material
        el = np.flatnonzero(state.element_active & (state.layer_of_element == i))
        q = plasticity.von_mises(state.stress[el], axis=-1)
        if not q.size or q.max() <= 0.0:
            continue
        G = float(m.E(state.T_C)) / (2.0 * (1.0 + m.nu))
        rate = plasticity.creep_law(m).rate(q.max(), G, state.T_C)
        if rate > 0.0:
            dt = min(dt, CREEP_STEP_FRACTION * q.max() / (3.0 * G * rate))
    return dt


def _timed_increment(state: LaminateState, Tb: float, dt: float) -> None:
    """One increment Ta -> Tb over dt, cut into sub-increments where copper creep needs a finer clock."""
    Ta, left, n = state.T_C, float(dt), 0
    while left > 0.0:
        step = left if n >= CREEP_MAX_SUBSTEPS else min(left, max(creep_time_step(state), left * 1e-12))
        T_end = Tb if step >= left else Ta + (Tb - Ta) * (1.0 - (left - step) / dt)
        increment(state, state.T_C, float(T_end), step)
        left -= step
        n += 1
    if dt <= 0.0:
        increment(state, state.T_C, float(Tb), 0.0)


def hold(state: LaminateState, seconds: float) -> None:
    """Time passes at constant temperature: viscoelastic layers relax (log-spaced increments from a tenth of the
    fastest shifted relaxation time), creeping copper in increments its relaxation time sets; the elastic model
    only advances the clock."""
    ve = viscoelastic_layers(state)
    creep = creeping_layers(state)
    if not (ve or creep) or seconds <= 0:
        state.time_s += max(float(seconds), 0.0)
        return
    steps = (viscoelastic.hold_steps([state.stack.layers[i].material for i in ve], state.T_C, seconds) if ve
             else [float(seconds)])
    for dt in steps:
        _timed_increment(state, state.T_C, float(dt))


def apply_uniaxial_load(state: LaminateState, stress_Pa: float, layers: list[int]) -> None:
    """A tensile end load along x carried by `layers`: the consistent nodal forces of a uniform σ_xx over them
    (∫ B^T σ0 dx of a uniform stress is exactly its traction on the end faces); 0 removes the load."""
    if stress_Pa == 0.0:
        state.f_ext = None
        return
    el = np.flatnonzero(np.isin(state.layer_of_element, layers) & state.active[state.layer_of_element])
    sig = np.zeros((el.size,) + state.stress.shape[1:])
    sig[..., 0] = stress_Pa
    state.f_ext = elastic.internal_force(state.model, sig, el)


def update_swelling(state: LaminateState) -> None:
    """Hygroscopic strain at the quadrature points from the water field (then re-solve to see it)."""
    if state.water is None:
        return
    model = state.model
    h = getattr(model, "_height_qp", None)
    if h is None:
        h = model._height_qp = model.basis.mapping.F(model.basis.X)[model.dim - 1]
    state.eps_sw = moisture.swelling_strain_at_qp(state.stack, state.water, state.layer_of_element, h,
                                                  model.dim, model.ncomp, state.active)


def remove_layers(state: LaminateState, layers: list[int]) -> None:
    """Etch layers away and re-solve equilibrium of what remains."""
    for i in layers:
        state.etched[i] = True
        state.stress[state.layer_of_element == i] = 0.0
    state.cache.pop("system", None)
    increment(state, state.T_C, state.T_C)


def remove_elements(state: LaminateState, elements: np.ndarray) -> None:
    """Etch single elements away (the copper outside a circuit pattern) and re-solve what remains.

    A layer left with no element is etched as a whole, so that it is no longer listed as present.
    """
    elements = np.asarray(elements, dtype=int)
    if elements.size == 0:
        return  # nothing etched: the body and its equilibrium are unchanged
    if state.removed is None:
        state.removed = np.zeros(state.model.nelements, bool)
    state.removed[elements] = True
    state.stress[elements] = 0.0
    lay = state.layer_of_element
    for i in state.active_layers():
        if not np.any(state.element_active[lay == i]):
            state.etched[i] = True
    state.cache.pop("system", None)
    increment(state, state.T_C, state.T_C)


def expose_to_humidity(state: LaminateState, rh_pct: float, seconds: float, chunks: int = 6,
                       edge_half_width_m: float | None = None) -> dict:
    """Hold at the present temperature with the open polymer faces at rh_pct for `seconds`: water diffuses
    (physics/models/moisture.py), the swelling enters the stress-free strain, viscoelastic layers relax meanwhile.

    `edge_half_width_m`: a strip of that half-width also takes water in through its cut edges into layers no open
    face reaches (moisture.edge_ingress). The hold is split into `chunks` log-spaced intervals (one when nothing relaxes: the elastic response is path
    independent); each ends with an equilibrium solve. Returns the uptake block of the step's summary entry.
    Moisture off: only the clock (and relaxation) advance, and the block says the uptake was not modelled.
    """
    if not state.mechanisms.get("moisture"):
        hold(state, seconds)
        return {"moisture_uptake_wt_pct": None, "moisture_fraction_of_equilibrium": None,
                "moisture_note": "moisture off ([physics] moisture = false)"}
    if state.water is None:
        state.water = moisture.dry_field(state.stack)
    if (viscoelastic_layers(state) or creeping_layers(state)) and chunks > 1 and seconds > 0:
        t = np.concatenate([[0.0], np.geomspace(seconds * 10.0 ** -(chunks - 1), seconds, chunks)])
        steps = np.diff(t)
    else:
        steps = np.array([seconds])
    edge = []
    for dt in steps:
        moisture.diffuse(state.stack, state.active, state.water, state.T_C, rh_pct, float(dt))
        if edge_half_width_m is not None:
            edge = moisture.edge_ingress(state.stack, state.active, state.water, state.T_C, rh_pct, float(dt),
                                         edge_half_width_m)
        update_swelling(state)
        if viscoelastic_layers(state) or creeping_layers(state):
            hold(state, float(dt))
        else:
            increment(state, state.T_C, state.T_C)
            state.time_s += float(dt)
    out = moisture.polymer_uptake(state.stack, state.active, state.water, rh_pct)
    if edge:
        out["moisture_from_cut_edges"] = edge
    return out
