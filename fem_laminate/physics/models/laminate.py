"""The laminate along its process: layers that form, relax and go, each point following its layer's laws.

The state carries which layers exist (born, not etched), the displacement, and at every quadrature point a
stress-free strain ε0 (what the material's strain would be, at 25 C, with no stress) and the history of its laws
by name (`history["prony.h"]`, `history["j2.alpha"]`, ...). The strain splits additively,

    ε(u) = ε_el + ε0 + Σ ε_eigen(T, history) + ε_in,      σ = stiffness law(ε_el, history),

with the laws of physics/laws/ (one object per law, chosen per layer from the registry by its material and the
[physics] switches): a stiffness law (elastic E(T), or Prony), eigenstrain laws (thermal expansion, swelling,
cure shrinkage) and inelastic laws (J2 plasticity, creep). An increment Ta -> Tb over dt solves

    K(c E(Tb)) u = ∫ B^T (c D (ε0 + Σ ε_eigen + ε_in) - σ_hist) dx

(total, not rate form: with temperature-dependent moduli a rate form would leave spurious strain behind when
a layer is released), then returns the inelastic laws' points by initial-stiffness iterations (the factorised
K serves every iteration) and commits each law's history. ε0 is set by events:
- a layer is born: ε0 = ε(u) - Σ ε_eigen where it forms, so it is stress-free in the shape it forms in;
- an elastic thermoplastic above Tg relaxes: the same reset at every increment (viscous flow over minutes);
- a layer is etched: its elements leave the assembly and the rest re-equilibrates; a patterned etch removes
  single elements of a layer (`removed`), the copper outside the circuit pattern.
Temperature changes, holds and humid holds walk through increments in physics/models/schedule.py.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field

import numpy as np

from ..fe import elastic
from ..fe.layered_system import body_key, build_system, solve
from ..laws import REGISTRY, Var, laws_for
from ..laws.expansion import ThermalExpansion
from ..laws.law import voigt_normal
from ...model.stack import Stack
from . import moisture
from .newborn import follow_nodes

INELASTIC = "inelastic.strain"  # the inelastic strain every inelastic law of a layer adds to (J2, then creep)


def declaration(key: str) -> Var:
    """The declared history variable behind a state key "law.variable" (the shared inelastic strain included)."""
    if key == INELASTIC:
        return Var(("ncomp",))
    name, var = key.split(".")
    return REGISTRY[name].history[var]


@dataclass(frozen=True)
class LayerLaws:
    """The laws of one layer: its stiffness law, then eigenstrain and inelastic laws in registry order."""
    all: tuple

    @property
    def stiffness(self):
        return next(law for law in self.all if law.role == "stiffness")

    def role(self, role: str) -> tuple:
        return tuple(law for law in self.all if law.role == role)


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
    mechanisms: dict = field(default_factory=dict)  # the [physics] switches; a missing one is off
    water: object = None  # moisture.MoistureField once water has been offered
    increments: int = 0  # thermoelastic increments taken (adaptive stepping is recorded)
    f_ext: np.ndarray | None = None  # (ndofs,) applied nodal forces (the TMA's tensile load); None = free
    history: dict = field(default_factory=dict)  # "law.variable" -> (nelements, nq, ...) arrays, made on first use

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

    def laws(self, i: int) -> LayerLaws:
        """The laws of layer i under the present switches (built from the registry, kept per switch setting)."""
        key = ("laws", tuple(sorted(self.mechanisms.items())))
        table = self.cache.get(key)
        if table is None:
            on = {s: bool(self.mechanisms.get(s, False)) for s in {c.switch for c in REGISTRY.values()} if s}
            table = self.cache[key] = [LayerLaws(laws_for(lay.material, on)) for lay in self.stack.layers]
        return table[i]

    def evolving_laws(self) -> list:
        """[(layer, law), ...] of the laws with a state that evolves with time and temperature (a degree of cure),
        in every layer not etched: a cast varnish converts before it forms."""
        return [(i, law) for i in range(len(self.stack)) if not self.etched[i]
                for law in self.laws(i).all if hasattr(law, "advance")]

    def present_laws(self, role: str) -> list:
        """[(layer, law), ...] of the present layers' laws in `role`."""
        return [(i, law) for i in self.active_layers() for law in self.laws(i).role(role)]

    def hist(self, key: str) -> np.ndarray:
        """The history array `key` ("law.variable"), made on first use from the law's declaration (its initial
        value; a size named in its shape, "nterms" say, is the largest over the stack's instances of the law)."""
        arr = self.history.get(key)
        if arr is None:
            nel, nq, nc = self.stress.shape
            decl = declaration(key)
            name = key.split(".")[0]
            instances = [law for i in range(len(self.stack)) for law in self.laws(i).all if law.name == name]
            shape = tuple(nc if d == "ncomp" else max(getattr(law, d) for law in instances) for d in decl.shape)
            # zeros from the system: the rows of elements whose layer has no such law are never written, and the
            # pages they fill are never made (a Prony series' terms in the copper elements, J2's in the polyimide)
            shape = (nel, nq) + shape
            arr = self.history[key] = np.zeros(shape) if decl.initial == 0.0 else np.full(shape, decl.initial)
        return arr

    def equivalent_plastic_strain(self) -> np.ndarray | None:
        """(nelements, nq) equivalent plastic strain once an inelastic law has run (zero where none yields)."""
        if "j2.alpha" in self.history:
            return self.history["j2.alpha"]
        return np.zeros(self.stress.shape[:2]) if INELASTIC in self.history else None

    def snapshot(self) -> "LaminateState":
        """A copy for the plots (stress profiles, deformed shape): the displacement, stresses and which elements are
        present, without the laws' histories and stress-free strains, which a large plate holds many of."""
        new = copy.copy(self)
        new.born, new.etched = self.born.copy(), self.etched.copy()
        new.u, new.stress = self.u.copy(), self.stress.copy()
        new.eps0 = np.zeros((0,) + self.eps0.shape[1:])
        new.removed = None if self.removed is None else self.removed.copy()
        new.born_at_C, new.mechanisms = dict(self.born_at_C), dict(self.mechanisms)
        new.history, new.f_ext, new.water, new.cache = {}, None, None, {}
        return new

    def copy(self) -> "LaminateState":
        new = copy.copy(self)
        new.born, new.etched = self.born.copy(), self.etched.copy()
        new.u, new.stress, new.eps0 = self.u.copy(), self.stress.copy(), self.eps0.copy()
        new.removed = None if self.removed is None else self.removed.copy()
        new.born_at_C = dict(self.born_at_C)
        new.mechanisms = dict(self.mechanisms)
        new.history = {k: v.copy() for k, v in self.history.items()}
        new.f_ext = None if self.f_ext is None else self.f_ext.copy()
        if self.water is not None:
            new.water = self.water.copy()
        new.cache = {}
        return new


def initial_state(stack: Stack, model: elastic.ElasticModel, T_C: float, solver: str = "auto",
                  mechanisms: dict | None = None) -> LaminateState:
    """A laminate with no layer born yet; `mechanisms`: the [physics] switches (None: every law off but the
    elastic ones)."""
    n = len(stack)
    nq = model.basis.dx.shape[1]
    return LaminateState(stack=stack, model=model, T_C=float(T_C), born=np.zeros(n, bool), etched=np.zeros(n, bool),
                         u=np.zeros(model.ndofs), stress=np.zeros((model.nelements, nq, model.ncomp)),
                         eps0=np.zeros((model.nelements, nq, model.ncomp)), solver=solver,
                         removed=np.zeros(model.nelements, bool), mechanisms=dict(mechanisms or {}))


def give_birth(state: LaminateState, layers: list[int]) -> None:
    """Layers form stress-free at the current temperature and in the current shape of what they rest on."""
    before_el = state.element_active
    for i in layers:
        if state.born[i]:
            continue
        state.born[i] = True
        state.born_at_C[state.stack.layers[i].name] = state.T_C
    follow_nodes(state, before_el)
    newborn = np.flatnonzero(state.element_active & ~before_el)
    _reset_stress_free(state, newborn)


def cast(state: LaminateState, layers: list[int]) -> None:
    """The varnish of `layers` is cast (before they form): each law with a material state starts it anew (a degree
    of cure goes to 0)."""
    for i in layers:
        el = np.flatnonzero(state.layer_of_element == i)
        for law in state.laws(i).all:
            if hasattr(law, "start"):
                write_history_view(state, law, el, law.start(history_view(state, law, el)))


def history_view(state: LaminateState, law, elements: np.ndarray) -> dict:
    return {v: state.hist(f"{law.name}.{v}")[elements] for v in law.history}


def write_history_view(state: LaminateState, law, elements: np.ndarray, view: dict) -> None:
    for v in law.history:
        state.hist(f"{law.name}.{v}")[elements] = view[v]


def advance_states(state: LaminateState, Ta: float, Tb: float, dt_s: float, unborn_only: bool = False) -> None:
    """Material states that evolve with time and temperature (degree of cure) follow the path Ta -> Tb over dt_s
    (`unborn_only`: those of layers not formed yet, which need no equilibrium solve)."""
    for i, law in state.evolving_laws():
        if unborn_only and state.born[i]:
            continue
        el = np.flatnonzero(state.layer_of_element == i)
        write_history_view(state, law, el, law.advance(history_view(state, law, el), Ta, Tb, dt_s))


def eigenstrain(state: LaminateState, elements: np.ndarray, T_C: float) -> list[np.ndarray]:
    """The eigenstrain contributions (nel, nq or 1, ncomp) at `elements`, one per eigenstrain law kind in registry
    order (a law with a history contributes once its history exists)."""
    lay = state.layer_of_element[elements]
    d, nc = state.model.dim, state.model.ncomp
    out = []
    for name, cls in REGISTRY.items():
        if cls.role != "eigenstrain":
            continue
        if any(f"{name}.{v}" not in state.history and var.initial == 0.0 for v, var in cls.history.items()):
            continue  # not made yet and zero until it is: contributes nothing (swelling before any water)
        contrib = None
        for i in np.unique(lay):
            law = next((law for law in state.laws(i).role("eigenstrain") if law.name == name), None)
            if law is None:
                continue
            if contrib is None:  # a law without a history is the same at every point of a layer: one row
                contrib = np.zeros((elements.size, state.stress.shape[1] if cls.history else 1, nc))
            k = lay == i
            contrib[k] = law.strain(history_view(state, law, elements[k]), T_C, d, nc)
        if contrib is not None:
            out.append(contrib)
    return out


def _reset_stress_free(state: LaminateState, elements: np.ndarray) -> None:
    """Make `elements` stress-free in their present strain at the present temperature (their mechanical
    histories start anew; states of the material, water or cure, are kept)."""
    if elements.size == 0:
        return
    eps0 = elastic.strain_at_qp(state.model, state.u, elements)
    for e in eigenstrain(state, elements, state.T_C):
        eps0 = eps0 - e
    state.eps0[elements] = eps0
    state.stress[elements] = 0.0
    for key, arr in state.history.items():
        if declaration(key).mechanical:
            arr[elements] = 0.0


def layer_E(state: LaminateState, T_C: float) -> np.ndarray:
    """(nlayers,) Young's moduli E(T) of the materials at T_C (the step through Tg included)."""
    return np.array([lay.material.E(T_C) for lay in state.stack.layers], dtype=float)


def layer_D(state: LaminateState, T_C: float, E: np.ndarray | None = None) -> np.ndarray:
    """(nlayers, ncomp, ncomp) elastic matrices at T_C (moduli E if already evaluated)."""
    E = layer_E(state, T_C) if E is None else E
    nu = np.array([state.laws(i).stiffness.nu for i in range(len(state.stack))], dtype=float)
    return elastic.isotropic_D(E, nu, state.model.dim)


def stiffness_moduli(state: LaminateState, T_C: float) -> np.ndarray:
    """(nlayers,) the moduli each layer's stiffness law meets an increment with at T_C (E(T) of an elastic layer,
    the instantaneous modulus of a viscoelastic one)."""
    return np.array([state.laws(i).stiffness.modulus(T_C) for i in range(len(state.stack))], dtype=float)


def instantaneous_D(state: LaminateState, T_C: float) -> np.ndarray:
    """(nlayers, ncomp, ncomp) elastic matrices an instantaneous load meets at T_C."""
    E = np.array([state.laws(i).stiffness.instantaneous_modulus(T_C) for i in range(len(state.stack))], dtype=float)
    return layer_D(state, T_C, E)


def layer_thermal_strain(state: LaminateState, Ta: float, Tb: float) -> np.ndarray:
    """(nlayers, ncomp) free thermal strain increment from Ta to Tb (in-plane / through-thickness)."""
    comps = [ThermalExpansion(lay.material).components(Ta, Tb) for lay in state.stack.layers]
    return np.array([voigt_normal(a, b, state.model.dim, state.model.ncomp) for a, b in comps])


def relax_rubbery(state: LaminateState, T_C: float) -> None:
    """Layers whose stiffness law relaxes fully at T_C (elastic thermoplastics above Tg) become stress-free."""
    for i in state.active_layers():
        if state.laws(i).stiffness.relaxes_at(T_C):
            _reset_stress_free(state, np.flatnonzero((state.layer_of_element == i) & state.element_active))


def relaxing_layers(state: LaminateState) -> list[int]:
    """Present layers whose stiffness relaxes over time (a Prony series): their response needs a clock."""
    return [i for i in state.active_layers() if state.laws(i).stiffness.rate_dependent]


def increment(state: LaminateState, Ta: float, Tb: float, dt_s: float = 0.0) -> None:
    """Advance from Ta to Tb over dt_s seconds: relax what relaxes fully at Ta, then solve equilibrium at Tb
    (Ta == Tb allowed) with every law of every present layer."""
    model = state.model
    act_el = state.active_elements()
    relax_rubbery(state, Ta)
    lay = state.layer_of_element[act_el]
    advance_states(state, Ta, Tb, dt_s)
    E = stiffness_moduli(state, Tb)
    D_el = layer_D(state, Tb, E)[lay]
    free_strain = state.eps0[act_el]
    for e in eigenstrain(state, act_el, Tb):
        free_strain = free_strain + e
    if INELASTIC in state.history:
        free_strain = free_strain + state.history[INELASTIC][act_el]
    sig_rhs = np.einsum("ekl,eql->eqk", D_el, free_strain)
    # stiffness laws with a history (Prony): the layer's stiffness is c·D and its history is a load
    E_solve, coefs = E, {}
    for i in state.active_layers():
        law = state.laws(i).stiffness
        if not law.history:
            continue
        c, coef = law.coefficients(Ta, Tb, dt_s)
        coefs[i] = coef
        if E_solve is E:
            E_solve = E.copy()
        E_solve[i] = c * E[i]
        for b in _element_batches(lay == i):
            sig_rhs[b] = c * sig_rhs[b] - law.history_stress(history_view(state, law, act_el[b]), D_el[b], coef)
    f = elastic.internal_force(model, sig_rhs, act_el)
    if state.f_ext is not None:
        f = f + state.f_ext
    system = state.cache.get("system")
    if system is None or system.key != body_key(state):
        system = state.cache["system"] = build_system(state)
    relaxing = bool(relaxing_layers(state))
    u = np.zeros(model.ndofs)
    u[system.free] = solve(state, system, E_solve, f[system.free], relaxing, x0=state.u[system.free])
    state.solves += 1
    state.increments += 1
    strain = elastic.strain_at_qp(model, u, act_el)
    if state.present_laws("inelastic"):
        u, strain, free_strain = _inelastic_iterations(state, system, E_solve, f, u, strain, act_el, lay, D_el,
                                                       free_strain, Tb, dt_s, relaxing)
    state.stress[act_el] = np.einsum("ekl,eql->eqk", D_el, strain - free_strain)
    for i, coef in coefs.items():
        law = state.laws(i).stiffness
        for b in _element_batches(lay == i):
            eb = act_el[b]
            state.stress[eb], new = law.commit(history_view(state, law, eb), D_el[b], strain[b] - free_strain[b], coef)
            write_history_view(state, law, eb, new)
    # nodes of absent layers keep their last displacement (for plots); present ones take the solution
    state.u[system.dofs] = u[system.dofs]
    state.T_C = float(Tb)
    state.time_s += float(dt_s)


HISTORY_BATCH = 4096  # elements per batch of a stiffness law's history (its copies, not the whole layer's at once)


def _element_batches(mask: np.ndarray, size: int = HISTORY_BATCH) -> list:
    """The positions where mask holds, in batches of `size`: a law's state is a few dozen numbers per point, and
    its view, update and new values over a whole layer of a large plate were the peak of the chain (a Prony
    law's commit, J2's tangent)."""
    idx = np.flatnonzero(mask)
    return [idx[s:s + size] for s in range(0, len(idx), size)]


INELASTIC_TOL = 1e-10  # converged when the inelastic strain changes by less than this between iterations
INELASTIC_MAX_ITER = 300
INELASTIC_BATCH = 1024  # elements per batch of the inelastic laws' update


def _inelastic_iterations(state, system, E_solve, f, u, strain, act_el, lay, D_el, free_strain, T_C, dt_s, relaxing):
    """Each present layer's inelastic laws (J2 return, then creep over dt_s) at its points, equilibrium by
    initial-stiffness iterations: the inelastic strain is one more stress-free strain, so the factorised elastic
    stiffness serves every iteration (no tangent assembly); backward Euler from the increment's start.
    Returns (u, strain, free strain including the inelastic strain)."""
    model = state.model
    layers = {i: state.laws(i).role("inelastic") for i in state.active_layers() if state.laws(i).role("inelastic")}
    eps_in = state.hist(INELASTIC)
    own = {f"{law.name}.{v}" for laws in layers.values() for law in laws for v in law.history}
    for key in own:
        state.hist(key)
    sel = np.flatnonzero(np.isin(lay, list(layers)))
    el = act_el[sel]
    lay_sel = lay[sel]
    ep_old = eps_in[el]
    # the laws' own states at the increment's start are read from the state, batch by batch (written back only
    # at the end); the iterates are kept for these elements alone
    own_new = {key: state.history[key][el] for key in own}
    ep = ep_old.copy()
    fs0 = free_strain[sel] - ep_old  # eigenstrains + birth: f already carries D ep_old
    for _ in range(INELASTIC_MAX_ITER):
        ep_new = np.empty_like(ep)
        change = 0.0
        for i, laws in layers.items():
            # in batches of elements: a law's update makes a few arrays per point (J2's tangent: 36 numbers), which
            # over a whole foil of a large plate would be as much memory as the stiffness
            for k in _element_batches(lay_sel == i, INELASTIC_BATCH):
                e_mech = np.moveaxis(strain[sel[k]] - fs0[k], -1, 0)
                h = {"strain": np.moveaxis(ep_old[k], -1, 0)}
                for law in laws:
                    if law.rate_dependent and dt_s <= 0.0:
                        continue  # a rate law has nothing to do in no time
                    view = {**h, **{v: state.history[f"{law.name}.{v}"][el[k]] for v in law.history}}
                    _, _, out = law.update(e_mech, view, T_C, dt_s)
                    h["strain"] = out["strain"]
                    for v in law.history:
                        own_new[f"{law.name}.{v}"][k] = out[v]
                ep_new[k] = np.moveaxis(h["strain"], 0, -1)
                change = max(change, float(np.abs(ep_new[k] - ep[k]).max(initial=0.0)))
        ep = ep_new
        if change <= INELASTIC_TOL:
            break
        fp = elastic.internal_force(model, np.einsum("ekl,eql->eqk", D_el[sel], ep - ep_old), el)
        x0 = u[system.free]
        u = np.zeros(model.ndofs)
        u[system.free] = solve(state, system, E_solve, (f + fp)[system.free], relaxing, x0=x0)
        state.solves += 1
        strain = elastic.strain_at_qp(model, u, act_el)
    eps_in[el] = ep
    for key, arr in own_new.items():
        state.history[key][el] = arr
    free_strain = free_strain.copy()
    free_strain[sel] = fs0 + ep
    return u, strain, free_strain


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


def update_swelling(state: LaminateState) -> None:
    """The swelling law's strain at the quadrature points from the water field (then re-solve to see it)."""
    if state.water is None:
        return
    model = state.model
    h = getattr(model, "_height_qp", None)
    if h is None:
        h = model._height_qp = model.basis.mapping.F(model.basis.X)[model.dim - 1]
    state.history["swelling.strain"] = moisture.swelling_strain_at_qp(
        state.stack, state.water, state.layer_of_element, h, model.dim, model.ncomp, state.active)
