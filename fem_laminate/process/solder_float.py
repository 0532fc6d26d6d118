"""350 C solder float (the patent's heat resistance test): interface stresses of the bonded laminate at the bath
temperature against the strength the bond reached (cast interfaces: fully bonded). A test on a copy; adds
``solder_float``."""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from ..physics.solder import solder_float_from_process
from ..physics.thermoelastic import change_temperature
from ..post import measure
from .step import Strict, StepKind, Temperature


class Spec(Strict):
    kind: Literal["solder_float"]
    temperature_C: Temperature = 350.0
    minutes: float = Field(default=1.0, ge=0.0, le=60.0)


def verdict(state, interfaces, record) -> dict:
    bond = record.results.get("bond")
    if not bond:
        return {"verdict": None, "note": "no bond computed: no verdict"}
    mats = {lay.name: lay.material for lay in state.stack.layers}
    return solder_float_from_process(interfaces, mats, {bond["bond_line"]: bond["degree_bonding"]}, state.T_C)


def run(state, spec, record):
    s = state.copy()
    change_temperature(s, spec.temperature_C, seconds=60.0 * spec.minutes)  # heated within the float time
    present = s.active_layers()
    interfaces = {}
    for a, b in zip(present[:-1], present[1:]):
        interfaces[f"{s.stack.layers[a].name}/{s.stack.layers[b].name}"] = measure.interface_stress(s, a)
    res = {"temperature_C": spec.temperature_C, "minutes": spec.minutes, "interfaces": interfaces}
    res.update(verdict(s, interfaces, record))
    record.report("solder_float", "solder_float", res)
    return state


KIND = StepKind("solder_float", Spec, run, doc="350 C solder float (temperature_C, minutes)")
