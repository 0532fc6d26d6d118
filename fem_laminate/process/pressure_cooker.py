"""Pressure cooker test of the patent: the laminate in saturated steam (100 % RH) at 121 C (2 atm) for `hours`
(1,000 h in EP0496334A1), on a copy; reports the moisture state and the stresses it leaves, in steam and back at
room temperature (held dry-sealed: no desorption on the way down, assumption). Adds ``pressure_cooker``.

The patent cuts the laminate to a 1 cm strip first: a polyimide between two foils has no open face, so water
enters through the cut edges (in-plane Fick over the strip's half-width, physics/moisture.edge_ingress).

Then the patent peels the bonded-side foil of the wet strip (``peel``, on by default when a bond step came before
and the top layer is a foil): the peel step's mechanics (the failing interface is the one the least force opens)
with every interface's toughness lowered by the water at it, G_c (1 - a c/c_sat) (the pair's wet_toughness_loss
a in the interface table, c/c_sat the water activity at the interface: Henry's law, saturation at 100 % RH;
docs/interfaces.md). Reported under ``pressure_cooker.peel``; the closed form only (null outside its range)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import Field

from ..model.interfaces import table_of
from ..physics.models.schedule import change_temperature
from ..post import measure
from .bond import BondResult
from .condition import condition
from .step import Report, Strict, StepKind, Temperature

SATURATED_STEAM_RH_PCT = 100.0


@dataclass(frozen=True)
class PressureCookerResult(Report):
    key = "pressure_cooker"


class Spec(Strict):
    kind: Literal["pressure_cooker"]
    temperature_C: Temperature = 121.0
    hours: float = Field(default=1000.0, gt=0.0, le=100000.0)
    after_C: Temperature = 25.0
    strip_width_mm: float = Field(default=10.0, gt=0.0, le=1000.0)  # EP0496334A1: cut to a width of 1 cm
    peel: bool = True  # the patent's peel of the wet strip (after a bond step, top layer a foil)


def run(state, spec, record):
    s = state.copy()
    water = condition(s, spec.temperature_C, SATURATED_STEAM_RH_PCT, spec.hours * 3600.0,
                      edge_half_width_m=0.5e-3 * spec.strip_width_mm)
    hot = {**measure.curvature(s), "layers": measure.layer_stress_summary(s)}
    change_temperature(s, spec.after_C)
    after = {**measure.curvature(s), "layers": measure.layer_stress_summary(s)}
    res = {"temperature_C": spec.temperature_C, "rh_pct": SATURATED_STEAM_RH_PCT, "hours": spec.hours, **water,
           "in_steam": hot, f"after_at_{spec.after_C:g}_C": after}
    peel = wet_peel(s, spec, record)
    if peel is not None:
        res["peel"] = peel
    record.report("pressure_cooker", PressureCookerResult(res))
    return state


def interface_water(state) -> dict[str, float]:
    """c/c_sat at each interface of the present stack ("lower/upper" -> water activity at the shared node, the
    polymer side's: Henry's law, c/c_sat = a at saturation in 100 % RH); {} for a dry laminate."""
    field = state.water
    if field is None:
        return {}
    present = state.active_layers()
    out = {}
    for i, j in zip(present[:-1], present[1:]):
        lo, hi = state.stack.layers[i], state.stack.layers[j]
        out[f"{lo.name}/{hi.name}"] = float(min(max(field.a[field.layer_start[j]], 0.0), 1.0))
    return out


def wet_peel(state, spec, record) -> dict | None:
    """The 180 deg peel of the top foil of the wet strip (closed form), or None where the patent's test does not
    apply (no bond before, top layer not a foil, or peel = false)."""
    from .peel import Spec as PeelSpec
    from .peel import peel_laminate, range_notes

    bonded = record.latest(BondResult)
    layers = [state.stack.layers[i] for i in state.active_layers()]
    if not spec.peel or bonded is None or bonded.bond is None or len(layers) < 2 or not layers[-1].material.is_metal:
        return None
    water = interface_water(state)
    res, _ = peel_laminate(layers, float(state.T_C), PeelSpec(kind="peel", method="analytic"), bonded.bond,
                           table_of(state.stack), water)
    notes = range_notes(res)
    record.notes.extend(n.replace("peel:", "pressure_cooker peel:", 1) for n in notes)
    res["interface_water_fraction_of_saturation"] = water
    return res


KIND = StepKind("pressure_cooker", Spec, run,
                doc="121 C saturated steam for hours (moisture state, stresses, peel of the wet strip)",
                temperatures=lambda spec: [spec.temperature_C, spec.after_C], on_copy=True,
                reads=(BondResult,), result=PressureCookerResult)
