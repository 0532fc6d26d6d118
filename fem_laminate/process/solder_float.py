"""350 C solder float (the patent's heat resistance test), by fracture mechanics: at the bath temperature the
mismatch stresses of the layers on either side of each interface give a steady-state delamination energy release
rate (physics/correlations/solder.py, Hutchinson & Suo 1992), compared with that interface's toughness (the peel step's
toughness model: nip history for the bond line, cast interfaces fully bonded; scaled to the bath temperature with
the resin's modulus, process/peel.interface_toughness). Water the resin holds adds the pressure of its vapour in an unbonded patch at the
interface (`unbonded_patch_um` half-width): the patch's energy release rate p^2 a^4 / 18D joins the mismatch one,
G = (sqrt G_ss + sqrt G_vap)^2 (physics/correlations/solder.py). The former traction-vs-strength check is kept under
``strength_check``. A test on a copy; adds ``solder_float``.

A verdict computed outside its correlations' range is flagged (``valid`` false, ``invalid_reason``, a note; the
verdict is kept, marked): water in the resin above the critical point of water (373.946 C), where the saturation
line (IAPWS-IF97) ends and the vapour pressure is only bounded by the critical pressure; or an unbonded patch whose
pressurized blister deflects more than the freed stack is thick (``blister_deflection_over_thickness``, the
clamped strip's w = p a^4 / 24D over the thickness of the side that lifts), where the small-deflection plate
behind p^2 a^4 / 18D no longer holds (membrane stretching carries the pressure beyond about one thickness:
Timoshenko & Woinowsky-Krieger, Theory of Plates and Shells, large deflections of plates)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import Field

from ..physics.correlations.solder import (bending_stiffness, blister_G, combined_G, fracture_verdict, solder_float_from_process,
                              steady_delamination_G, vapour_pressure_Pa, CRITICAL_T_C)
from ..physics.models.schedule import change_temperature
from ..post import measure
from ..errors import CaseError
from .bond import BondResult
from ..model.interfaces import table_of
from .peel import interface_toughness
from .step import Report, Strict, StepKind, Temperature, layers_present_at, require_formed


class Spec(Strict):
    kind: Literal["solder_float"]
    temperature_C: Temperature = 350.0
    minutes: float = Field(default=1.0, ge=0.0, le=60.0)
    # half-width of an unbonded patch at each interface in which absorbed water turns to vapour (assumption: a
    # void about the size that passes visual/AOI inspection of a laminate, 0.1-0.2 mm across)
    unbonded_patch_um: float = Field(default=100.0, gt=0.0, le=10000.0)


@dataclass(frozen=True)
class SolderFloatResult(Report):
    key = "solder_float"


def _bond(record) -> dict | None:
    """The bond prediction (bond line, degrees of contact, healing, bonding), None if none was computed."""
    bonded = record.latest(BondResult)
    return bonded.bond if bonded else None


def check(spec, case, index: int) -> None:
    require_formed(case, index, "solder_float")
    if len(layers_present_at(case, index)) < 2:
        raise CaseError(f"{case.source}: field 'steps.{index}.kind' = 'solder_float' is not allowed here: a single "
                        "layer has no interface to load")


def verdict(state, interfaces, record) -> dict:
    bond = _bond(record)
    if not bond:
        return {"verdict": None, "note": "no bond computed: no verdict"}
    mats = {lay.name: lay.material for lay in state.stack.layers}
    return solder_float_from_process(interfaces, mats, {bond["bond_line"]: bond["degree_bonding"]}, state.T_C)


def _elastic(state, idx) -> list[tuple[float, float, float]]:
    """(E at the present temperature, nu, thickness) of the layers idx."""
    return [(float(state.stack.layers[i].material.E(state.T_C)), state.stack.layers[i].material.nu,
             state.stack.layers[i].thickness_m) for i in idx]


def vapour(state, k_interface: int, present, patch_m: float) -> dict:
    """Vapour pressure of the water at the interface above present[k] (its activity in the moisture field, as it
    was when the float began: water does not leave a bonded interface in the seconds blistering takes) and the
    energy release rate it gives the more compliant side of an unbonded patch."""
    if state.water is None:
        return {"water_activity": 0.0, "vapour_pressure_MPa": 0.0, "G_vapour_J_per_m2": 0.0,
                "blister_deflection_over_thickness": 0.0}
    node = state.water.layer_start[present[k_interface + 1]]
    a = float(state.water.a[node])
    p = vapour_pressure_Pa(a, state.T_C)
    # the side that lifts is the more compliant one
    D, h = min((bending_stiffness(_elastic(state, side)), sum(state.stack.layers[i].thickness_m for i in side))
               for side in (present[k_interface + 1:], present[:k_interface + 1]))
    return {"water_activity": a, "vapour_pressure_MPa": p * 1e-6, "G_vapour_J_per_m2": blister_G(p, patch_m, D),
            "blister_deflection_over_thickness": p * patch_m ** 4 / (24.0 * D) / h}


def invalid_reason(per_interface: dict, T_C: float) -> str | None:
    """Why the verdict rests on correlations used outside their range (None: it does not)."""
    for name, d in per_interface.items():
        if d.get("water_activity", 0.0) > 0.0 and T_C > CRITICAL_T_C:
            return (f"{name}: water in the resin at {T_C:g} C, above the critical point of water "
                    f"({CRITICAL_T_C} C): its vapour pressure is outside the saturation-line correlation")
        if d.get("blister_deflection_over_thickness", 0.0) > 1.0:
            return (f"{name}: the vapour blister deflects {d['blister_deflection_over_thickness']:.3g} times the "
                    "thickness of the side it lifts: outside the small-deflection plate behind G_vapour")
    return None


def fracture(state, record, patch_m: float) -> dict:
    """G_ss of each interface (the larger of freeing the stack above or below it), with the vapour pressure of
    absorbed water in an unbonded patch of half-width patch_m, against its toughness."""
    bond = _bond(record)
    if not bond:
        return {"verdict": None, "note": "no bond computed: no verdict"}
    present = state.active_layers()
    stress = measure.layer_stress_summary(state)

    def freed(idx):
        sig = [stress[state.stack.layers[i].name]["stress_xx_centre_MPa"] * 1e6 for i in idx]
        return steady_delamination_G([(s, *props) for s, props in zip(sig, _elastic(state, idx))])

    inter = {}
    for k in range(len(present) - 1):
        lo, hi = state.stack.layers[present[k]], state.stack.layers[present[k + 1]]
        if "polymer" not in (lo.material.kind, hi.material.kind):
            continue
        name = f"{lo.name}/{hi.name}"
        G_ss = max(freed(present[k + 1:]), freed(present[:k + 1]))
        vap = vapour(state, k, present, patch_m)
        inter[name] = {"G_J_per_m2": combined_G(G_ss, vap["G_vapour_J_per_m2"]), "G_mismatch_J_per_m2": G_ss,
                       **vap, "toughness_J_per_m2": interface_toughness(lo, hi, bond, state.T_C,
                                                                                 table_of(state.stack))}
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
    res["unbonded_patch_um"] = spec.unbonded_patch_um
    res.update(fracture(s, record, spec.unbonded_patch_um * 1e-6))
    why = invalid_reason(res.get("per_interface", {}), spec.temperature_C)
    res.update(valid=why is None, invalid_reason=why)
    if why:
        record.notes.append(f"solder_float: verdict outside its correlations' range: {why}")
    record.report("solder_float", SolderFloatResult(res))
    return state


KIND = StepKind("solder_float", Spec, run, check=check, doc="350 C solder float (temperature_C, minutes)",
                temperatures=lambda spec: [spec.temperature_C], on_copy=True, reads=(BondResult,),
                result=SolderFloatResult)
