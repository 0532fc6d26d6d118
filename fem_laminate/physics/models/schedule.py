"""The laminate through temperature and time: a temperature change, a hold, a humid hold, walked in increments.

Where the increments end comes from physics/solve/paths.py and from the present layers' laws (their stepping
hints: `subdivisions`, `hold_steps`, `max_time_step`); each increment is `laminate.increment`. A layer not formed
yet has no increments of its own: its material state (a degree of cure) follows the same path exactly.
"""
from __future__ import annotations

import numpy as np

from ..laws import Law
from ..solve import paths
from . import moisture
from .laminate import LaminateState, advance_states, history_view, increment, update_swelling

DEFAULT_RATE_K_PER_MIN = 10.0  # a temperature change given no duration with rate-dependent laws (assumption: oven /
# free cooling of a web)


def _pass_time(state: LaminateState, Ta: float, Tb: float, seconds: float) -> None:
    """The clock moves with no increment (nothing present depends on the rate): layers not formed yet still
    convert."""
    state.time_s += float(seconds)
    if seconds > 0.0:
        advance_states(state, Ta, Tb, seconds, unborn_only=True)


def _stepping_laws(state: LaminateState) -> list:
    """[(layer, law)] the stepping answers to: the present layers' laws (a layer not formed yet converts along
    the same path, exactly, with no solve: its state needs no increments of its own)."""
    return [(i, law) for i in state.active_layers() for law in state.laws(i).all]


def _present_classes(state: LaminateState, attr: str) -> list:
    """The classes of the stepping laws that have the class flag `attr` set, in the order the layers meet them."""
    return list(dict.fromkeys(type(law) for _, law in _stepping_laws(state) if getattr(law, attr)))


def rate_dependent(state: LaminateState) -> bool:
    return bool(_present_classes(state, "rate_dependent"))


def path_dependent(state: LaminateState) -> bool:
    return bool(_present_classes(state, "path_dependent"))


def _tgs(state: LaminateState) -> list[float]:
    return [lay.material.Tg_C for i, lay in enumerate(state.stack.layers)
            if state.active[i] and lay.material.Tg_C is not None]


def temperature_path(state: LaminateState, T_to: float, max_step_K: float = 25.0) -> np.ndarray:
    """Increment end temperatures from the present temperature to T_to (paths.temperature_path)."""
    return paths.temperature_path(state.T_C, T_to, _tgs(state), max_step_K)


def change_temperature(state: LaminateState, T_to: float, max_step_K: float = 25.0,
                       seconds: float | None = None) -> None:
    """Follow a uniform temperature change of the whole present stack, then re-equilibrate at T_to.

    `seconds` is the duration of the change (None: instantaneous for rate-independent laws; with a rate-dependent
    law present the default rate DEFAULT_RATE_K_PER_MIN applies, since relaxation needs a clock).
    """
    T0 = state.T_C
    if path_dependent(state):  # follow the path in increments
        _change_temperature_with_history(state, T_to, max_step_K, seconds)
        return
    moved = False
    for Tb in temperature_path(state, T_to, max_step_K):
        if Tb != state.T_C:
            increment(state, state.T_C, float(Tb))
            moved = True
    rubbery = any(state.stack.layers[i].material.is_rubbery(state.T_C) for i in state.active_layers())
    if rubbery or not moved:
        increment(state, state.T_C, state.T_C)  # relax at the end temperature (or just re-equilibrate)
    if seconds:
        _pass_time(state, T0, T_to, seconds)


def _items(state: LaminateState, cls) -> list:
    """[(law, view)] of the stepping laws of class `cls`: a view per layer, {"stress": ..., and its history}."""
    items = []
    for i, law in _stepping_laws(state):
        if type(law) is cls:
            el = np.flatnonzero(state.element_active & (state.layer_of_element == i))
            items.append((law, {"stress": state.stress[el], **history_view(state, law, el)}))
    return items


def _subdivisions(state: LaminateState):
    groups = _present_classes(state, "path_dependent")
    return lambda Ta, Tb, dt: max([1] + [cls.subdivisions(_items(state, cls), Ta, Tb, dt) for cls in groups])


def _change_temperature_with_history(state, T_to, max_step_K, seconds) -> None:
    T0 = state.T_C
    rate = rate_dependent(state)
    if seconds is None and not rate:
        seconds = 0.0  # rate-independent laws (plasticity) need no clock
    if seconds is None:
        seconds = abs(T_to - T0) / DEFAULT_RATE_K_PER_MIN * 60.0
    if T_to == T0:
        if rate:
            hold(state, seconds)
        else:
            increment(state, T0, T0)
            _pass_time(state, T0, T0, seconds)
        return
    for Tb in paths.history_path(T0, T_to, _tgs(state), max_step_K, seconds, _subdivisions(state)):
        dt = seconds * abs(Tb - state.T_C) / abs(T_to - T0)
        _timed_increment(state, float(Tb), dt)
    if any(state.laws(i).stiffness.relaxes_at(state.T_C) for i in state.active_layers()):
        increment(state, state.T_C, state.T_C)  # an elastic thermoplastic above Tg relaxes at the end


_NO_LIMIT = Law.max_time_step.__func__
MAX_SUBSTEPS = 400  # per hold or ramp increment; past it the rest is one (stable, backward-Euler) step


def max_time_step(state: LaminateState) -> float:
    """The longest time step the present laws allow for accuracy (inf when none limits it)."""
    dt = np.inf
    for cls in _present_classes(state, "rate_dependent"):
        if getattr(cls.max_time_step, "__func__", None) is _NO_LIMIT:
            continue  # this law sets no time step (skip gathering its stresses)
        dt = min(dt, cls.max_time_step(_items(state, cls), state.T_C))
    return dt


def _timed_increment(state: LaminateState, Tb: float, dt: float) -> None:
    """One increment Ta -> Tb over dt, cut into sub-increments where a law needs a finer clock."""
    Ta, left, n = state.T_C, float(dt), 0
    while left > 0.0:
        step = left if n >= MAX_SUBSTEPS else min(left, max(max_time_step(state), left * 1e-12))
        T_end = Tb if step >= left else Ta + (Tb - Ta) * (1.0 - (left - step) / dt)
        increment(state, state.T_C, float(T_end), step)
        left -= step
        n += 1
    if dt <= 0.0:
        increment(state, state.T_C, float(Tb), 0.0)


def hold(state: LaminateState, seconds: float) -> None:
    """Time passes at constant temperature: rate-dependent laws follow it in the increments they ask for (a Prony
    series: log-spaced from a tenth of its fastest shifted relaxation time; creep: its relaxation time); without
    one only the clock advances."""
    groups = _present_classes(state, "rate_dependent")
    if not groups or seconds <= 0:
        _pass_time(state, state.T_C, state.T_C, max(float(seconds), 0.0))
        return
    steps = None
    for cls in groups:
        steps = cls.hold_steps(_items(state, cls), state.T_C, seconds) if steps is None else steps
    for dt in ([float(seconds)] if steps is None else steps):
        _timed_increment(state, state.T_C, float(dt))


def _water_at_equilibrium(state: LaminateState, rh_pct: float) -> bool:
    """Every water-absorbing present layer holds exactly the activity of rh_pct: diffusion and edge ingress leave
    the field as it is (so the swelling does not change during the hold)."""
    a = state.water.a
    for i in range(len(state.stack)):
        if state.active[i] and moisture.takes_up_water(state.stack.layers[i].material):
            if np.any(a[state.water.layer_nodes(i)] != rh_pct / 100.0):
                return False
    return True


def expose_to_humidity(state: LaminateState, rh_pct: float, seconds: float, chunks: int = 6,
                       edge_half_width_m: float | None = None) -> dict:
    """Hold at the present temperature with the open polymer faces at rh_pct for `seconds`: water diffuses
    (physics/models/moisture.py), the swelling law turns it into a stress-free strain, rate-dependent laws relax
    meanwhile.

    `edge_half_width_m`: a strip of that half-width also takes water in through its cut edges into layers no open
    face reaches (moisture.edge_ingress). The hold is split into `chunks` log-spaced intervals (one when nothing
    relaxes: the elastic response is path independent); each ends with an equilibrium solve. Returns the uptake
    block of the step's summary entry. Moisture off: only the clock (and relaxation) advance, and the block says
    the uptake was not modelled.
    """
    if not state.mechanisms.get("moisture"):
        hold(state, seconds)
        return {"moisture_uptake_wt_pct": None, "moisture_fraction_of_equilibrium": None,
                "moisture_note": "moisture off ([physics] moisture = false)"}
    if state.water is None:
        state.water = moisture.dry_field(state.stack)
    edge = []
    if _water_at_equilibrium(state, rh_pct):
        chunks = 1  # no water moves (a dry film in a dry oven): one hold, not a hold restarted at every chunk
    for dt in paths.humidity_chunks(seconds, chunks, rate_dependent(state)):
        moisture.diffuse(state.stack, state.active, state.water, state.T_C, rh_pct, float(dt))
        if edge_half_width_m is not None:
            edge = moisture.edge_ingress(state.stack, state.active, state.water, state.T_C, rh_pct, float(dt),
                                         edge_half_width_m)
        update_swelling(state)
        if rate_dependent(state):
            hold(state, float(dt))
        else:
            increment(state, state.T_C, state.T_C)
            _pass_time(state, state.T_C, state.T_C, float(dt))
    out = moisture.polymer_uptake(state.stack, state.active, state.water, rh_pct)
    if edge:
        out["moisture_from_cut_edges"] = edge
    return out
