"""The patent's process chain, step by step, in the order the patent runs it.

    cure (cast, dry, imidize) -> cool -> bond (hot roll press) -> cool -> tests
    tests: solder_float (350 C, 1 min), dimensional_stability (JIS C 6481), etch, tma (film CTE), curl

Each step is a function ``step(state, spec, record) -> state``. Manufacturing steps change the laminate;
test steps work on a copy of it and only add results. `record` collects results and the frames written to
the ParaView time series.

Model choices (README, "Physics"):
- A cast polyimide layer is born stress-free at the end of the imidization hold (imidization and solvent loss
  are complete there; stress builds on cooling, Ree et al. J. Appl. Phys. 1994); a thermoplastic layer relaxes
  its stress whenever it is above Tg, so in effect it is stress-free at the lower of Tg and the process
  temperature.
- The bonded foil is born stress-free at the bonding temperature, resting on the molten bonding layer.
- Etching removes layers and re-solves equilibrium. TMA and JIS C 6481 measure the distance between two marks
  on the film's mid-plane.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import measure
from .thermoelastic import LaminateState, change_temperature, give_birth, remove_layers


class ProcessError(ValueError):
    """A step that cannot be carried out on the laminate as it is (e.g. etching copper that is not there)."""


@dataclass
class Frame:
    label: str
    T_C: float
    time_s: float
    u: np.ndarray
    stress_cell: np.ndarray  # (nelements, ncomp) cell-averaged stress, Pa
    active: np.ndarray  # (nlayers,) bool


@dataclass
class Record:
    results: dict = field(default_factory=dict)
    frames: list = field(default_factory=list)
    steps: list = field(default_factory=list)
    cure_history: list = field(default_factory=list)  # (time_min, T_C)
    base_curl: dict | None = None
    bonded: bool = False
    notes: list = field(default_factory=list)
    snapshots: dict = field(default_factory=dict)  # label -> LaminateState copy, for the stress plots

    def frame(self, state: LaminateState, label: str) -> None:
        self.frames.append(Frame(label, state.T_C, state.time_s, state.u.copy(), state.stress.mean(axis=1),
                                 state.active.copy()))


def _step_summary(state: LaminateState, kind: str, **extra) -> dict:
    out = {"kind": kind, "temperature_C": state.T_C, "layers_present": [state.stack.layers[i].name
                                                                       for i in state.active_layers()]}
    out.update(measure.curvature(state))
    out["layers"] = measure.layer_stress_summary(state)
    out.update(extra)
    return out


def _metal_layers(state: LaminateState) -> list[int]:
    return [i for i in state.active_layers() if state.stack.layers[i].material.kind == "metal"]


def _report(record: Record, kind: str, key: str, res: dict) -> None:
    """A test's result goes into the summary under `key` and into the step list."""
    record.results[key] = res
    record.steps.append({"kind": kind, **res})


def _ensure_started(state: LaminateState, T_C: float, record: Record) -> None:
    """Before the first step: layers without history are born stress-free at T_C (contract of `cool`)."""
    if not state.born.any():
        state.T_C = float(T_C)
        give_birth(state, [i for i, lay in enumerate(state.stack.layers) if lay.origin != "bonded"])


# ---------------------------------------------------------------------------------------------------
# manufacturing steps
# ---------------------------------------------------------------------------------------------------

def cure_schedule(spec, T0: float) -> list[tuple[float, float]]:
    """(time_min, T_C) corner points of the drying / ramp / hold schedule, starting at T0."""
    t, T, pts = 0.0, T0, [(0.0, T0)]
    for seg in spec.segments:
        target = seg.to_C if seg.action == "ramp" else seg.temperature_C
        if seg.action != "ramp" and target != T:
            pts.append((t, target))  # oven already at temperature: a step change
        t += seg.minutes
        T = target
        pts.append((t, T))
    return pts


def cure(state: LaminateState, spec, record: Record) -> LaminateState:
    """Cast, dry and imidize: the foil follows the oven; the cast layers form at the end of the hold."""
    if not state.born.any():  # the foil is there from the start, stress-free at room temperature
        give_birth(state, [i for i, lay in enumerate(state.stack.layers) if lay.origin == "foil"])
    sched = cure_schedule(spec, state.T_C)
    t_start = state.time_s
    for (t0, T0), (t1, T1) in zip(sched[:-1], sched[1:]):
        change_temperature(state, T1, spec.max_step_K)
        state.time_s = t_start + 60.0 * t1
    record.cure_history += [(t_start / 60.0 + t, T) for t, T in sched]
    cast = [i for i, lay in enumerate(state.stack.layers) if lay.origin == "cast" and not state.born[i]]
    give_birth(state, cast)
    # a thermoplastic layer born above its Tg relaxes at once
    change_temperature(state, state.T_C)
    record.steps.append(_step_summary(state, "cure", imidized_at_C=state.T_C,
                                      formed=[state.stack.layers[i].name for i in cast]))
    return state


def cool(state: LaminateState, spec, record: Record) -> LaminateState:
    """Uniform temperature change of the whole present stack from from_C to to_C."""
    _ensure_started(state, spec.from_C, record)
    if abs(state.T_C - spec.from_C) > 0.5:
        record.notes.append(f"cool: laminate was at {state.T_C:g} C, brought to from_C = {spec.from_C:g} C first")
        change_temperature(state, spec.from_C, spec.max_step_K)
    change_temperature(state, spec.to_C, spec.max_step_K)
    summary = _step_summary(state, "cool", from_C=spec.from_C, to_C=spec.to_C)
    record.steps.append(summary)
    record.snapshots[("laminate" if record.bonded else "base") + f" at {state.T_C:g} °C"] = state.copy()
    if not record.bonded:
        record.base_curl = {k: summary[k] for k in summary if "curvature" in k or k.startswith("kappa")}
        record.base_curl["temperature_C"] = state.T_C
    return state


def bond(state: LaminateState, spec, record: Record) -> LaminateState:
    """Hot roll-press bonding: heat the base to the roll temperature, press the new foil on in the nip."""
    _ensure_started(state, spec.entry_temperature_C, record)
    change_temperature(state, spec.temperature_C, spec.max_step_K)
    new = [i for i, lay in enumerate(state.stack.layers) if lay.origin == "bonded" and not state.born[i]]
    if not new:
        raise ProcessError("bond: no layer left to bond (the case has one bond step per added foil)")
    extra = {"line_load_N_per_mm": spec.load_kgf * 9.80665 / spec.roll_width_mm,
             "line_load_kgf_per_cm": spec.load_kgf / (spec.roll_width_mm / 10.0)}
    from . import nip_bond  # the nip and bonding physics, kept apart from the thermoelastic core
    extra.update(nip_bond.press(state, spec, new, record))
    give_birth(state, new)
    record.bonded = True
    record.steps.append(_step_summary(state, "bond", **extra))
    return state


def etch(state: LaminateState, spec, record: Record) -> LaminateState:
    """Etch away the outermost metal foil(s) on the given side."""
    present = state.active_layers()
    if not present:
        raise ProcessError("etch: nothing is present to etch")
    sides = {"top": [present[-1]], "bottom": [present[0]], "both": [present[0], present[-1]]}[spec.side]
    for i in sides:
        if state.stack.layers[i].material.kind != "metal":
            raise ProcessError(f"etch: the {spec.side} layer '{state.stack.layers[i].name}' is not a metal foil")
    remove_layers(state, sorted(set(sides)))
    record.steps.append(_step_summary(state, "etch", side=spec.side))
    record.snapshots[f"etched ({spec.side})"] = state.copy()
    return state


# ---------------------------------------------------------------------------------------------------
# the patent's tests (on a copy of the laminate)
# ---------------------------------------------------------------------------------------------------

def tma(state: LaminateState, spec, record: Record) -> LaminateState:
    """Film CTE as the patent defines it: expansion from from_C to to_C over the length at 25 C and the span."""
    s = state.copy()
    if _metal_layers(s):
        record.notes.append("tma: metal foil still present; the CTE reported is that of the laminate")
    layers = s.active_layers()
    change_temperature(s, spec.reference_C)
    L_ref = measure.mark_distance(s, layers)
    change_temperature(s, spec.from_C)
    L1 = measure.mark_distance(s, layers)
    change_temperature(s, spec.to_C)
    L2 = measure.mark_distance(s, layers)
    cte = (L2 - L1) / (L_ref * (spec.to_C - spec.from_C))
    res = {"cte_per_K": cte, "cte_ppm_per_K": cte * 1e6, "from_C": spec.from_C, "to_C": spec.to_C,
           "reference_C": spec.reference_C, "layers": [s.stack.layers[i].name for i in layers]}
    _report(record, "tma", "film", res)
    return state


def dimensional_stability(state: LaminateState, spec, record: Record) -> LaminateState:
    """JIS C 6481 as the patent runs it: marks on the laminate, etch all foil, dry, condition, re-measure."""
    s = state.copy()
    change_temperature(s, spec.condition_C)
    before = measure.mark_distance(s)
    metals = _metal_layers(s)
    if not metals:
        raise ProcessError("dimensional_stability: the laminate has no metal foil left to etch")
    remove_layers(s, metals)
    change_temperature(s, spec.dry_C)
    change_temperature(s, spec.condition_C)
    after = measure.mark_distance(s)
    pct = (after - before) / before * 100.0
    res = {"dimensional_change_pct": pct, "condition_C": spec.condition_C, "dry_C": spec.dry_C,
           "note": "humidity uptake at 50 % RH is not modelled"}
    record.results["dimensional_change_pct"] = pct
    _report(record, "dimensional_stability", "dimensional_stability", res)
    return state


def solder_float(state: LaminateState, spec, record: Record) -> LaminateState:
    """350 C solder float: interface stresses of the bonded laminate at the bath temperature."""
    s = state.copy()
    change_temperature(s, spec.temperature_C)
    present = s.active_layers()
    interfaces = {}
    for a, b in zip(present[:-1], present[1:]):
        name = f"{s.stack.layers[a].name}/{s.stack.layers[b].name}"
        interfaces[name] = measure.interface_stress(s, a)
    from . import nip_bond
    res = {"temperature_C": spec.temperature_C, "minutes": spec.minutes, "interfaces": interfaces}
    res.update(nip_bond.solder_verdict(s, interfaces, record))
    _report(record, "solder_float", "solder_float", res)
    return state


def curl(state: LaminateState, spec, record: Record) -> LaminateState:
    """Large-deflection curl of a sample cut from the laminate as it is now."""
    from . import nip_bond
    res = nip_bond.curl_of_sample(state, spec, record)
    kinds = [st.get("kind") for st in record.steps]
    bonded = "bond" in kinds
    etched = "etch" in kinds[kinds.index("bond"):] if bonded else "etch" in kinds
    res["cut_from"] = ("etched laminate" if etched else "double-sided laminate") if bonded else \
        ("etched base" if etched else "single-sided base")
    record.results.setdefault("curl_sample", []).append(res)
    record.steps.append({"kind": "curl", **res})
    return state


STEPS = {"cure": cure, "cool": cool, "bond": bond, "etch": etch, "tma": tma,
         "dimensional_stability": dimensional_stability, "solder_float": solder_float, "curl": curl}


def run(state: LaminateState, steps, progress=None) -> Record:
    """Run the steps in order on `state`; returns the record of results and frames."""
    record = Record()
    record.frame(state, "initial")
    for k, spec in enumerate(steps):
        if progress is not None:
            progress(k, spec.kind)
        state = STEPS[spec.kind](state, spec, record)
        record.frame(state, f"{k}_{spec.kind}")
    return record
