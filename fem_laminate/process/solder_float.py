"""350 C solder float (the patent's heat resistance test), by fracture mechanics: at the bath temperature the
mismatch stresses of the layers on either side of each interface give a steady-state delamination energy release
rate (physics/solder.py, Hutchinson & Suo 1992), compared with that interface's toughness (the peel step's
toughness model: nip history for the bond line, cast interfaces fully bonded; temperature dependence of the
toughness not modelled). The former traction-vs-strength check is kept under ``strength_check``. Moisture
(vapour pressure in the resin) is not included. A test on a copy; adds ``solder_float``."""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from ..physics import bonding as bd
from ..physics.solder import fracture_verdict, solder_float_from_process, steady_delamination_G
from ..physics.thermoelastic import change_temperature
from ..post import measure
from ..errors import CaseError
from .step import Strict, StepKind, Temperature, layers_present_at, require_formed


class Spec(Strict):
    kind: Literal["solder_float"]
    temperature_C: Temperature = 350.0
    minutes: float = Field(default=1.0, ge=0.0, le=60.0)


def check(spec, case, index: int) -> None:
    require_formed(case, index, "solder_float")
    if len(layers_present_at(case, index)) < 2:
        raise CaseError(f"{case.source}: field 'steps.{index}.kind' = 'solder_float' is not allowed here: a single "
                        "layer has no interface to load")


def verdict(state, interfaces, record) -> dict:
    bond = record.results.get("bond")
    if not bond:
        return {"verdict": None, "note": "no bond computed: no verdict"}
    mats = {lay.name: lay.material for lay in state.stack.layers}
    return solder_float_from_process(interfaces, mats, {bond["bond_line"]: bond["degree_bonding"]}, state.T_C)


def interface_toughness(lo, hi, name: str, bond: dict | None) -> float:
    if bond and name == bond.get("bond_line"):
        return bd.interface_toughness_J_per_m2(bond["interface"], bond["degree_intimate_contact"],
                                               bond["degree_healing"], bd.initial_contact(bond["surface"],
                                                                                           bond["interface"]))
    kind = "Cu-PI" if "metal" in (lo.material.kind, hi.material.kind) else "PI-PI"
    return bd.cast_interface_toughness_J_per_m2(kind)


def fracture(state, record) -> dict:
    """G_ss of each interface (the larger of freeing the stack above or below it) against its toughness."""
    bond = record.results.get("bond")
    if not bond:
        return {"verdict": None, "note": "no bond computed: no verdict"}
    present = state.active_layers()
    stress = measure.layer_stress_summary(state)
    T = state.T_C

    def freed(idx):
        out = []
        for i in idx:
            lay = state.stack.layers[i]
            out.append((stress[lay.name]["stress_xx_centre_MPa"] * 1e6, float(lay.material.E(T)), lay.material.nu,
                        lay.thickness_m))
        return steady_delamination_G(out)

    inter = {}
    for k in range(len(present) - 1):
        lo, hi = state.stack.layers[present[k]], state.stack.layers[present[k + 1]]
        if "polymer" not in (lo.material.kind, hi.material.kind):
            continue
        name = f"{lo.name}/{hi.name}"
        inter[name] = {"G_J_per_m2": max(freed(present[k + 1:]), freed(present[:k + 1])),
                       "toughness_J_per_m2": interface_toughness(lo, hi, name, bond)}
    return fracture_verdict(inter)


def run(state, spec, record):
    s = state.copy()
    change_temperature(s, spec.temperature_C, seconds=60.0 * spec.minutes)  # heated within the float time
    present = s.active_layers()
    interfaces = {}
    for a, b in zip(present[:-1], present[1:]):
        interfaces[f"{s.stack.layers[a].name}/{s.stack.layers[b].name}"] = measure.interface_stress(s, a)
    res = {"temperature_C": spec.temperature_C, "minutes": spec.minutes, "interfaces": interfaces}
    res["strength_check"] = verdict(s, interfaces, record)
    res.update(fracture(s, record))
    record.report("solder_float", "solder_float", res)
    return state


KIND = StepKind("solder_float", Spec, run, check=check, doc="350 C solder float (temperature_C, minutes)")
