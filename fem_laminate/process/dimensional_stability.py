"""JIS C 6481 dimensional stability as the patent runs it: marks on the laminate, etch all foil, dry 150 C /
30 min, condition 21 C / 50 % RH / 4 h, re-measure. A test on a copy; adds ``dimensional_stability`` and
``dimensional_change_pct``. With moisture on, the free film's change includes its hygroscopic swelling (both
faces open after etching); viscoelastic layers relax during the drying and conditioning holds.

Which physics moved the marks (``moved_by``, each part in % of the original span, summing to the change):
- ``etch_release_pct``: the film springing back the instant the foil is etched (the residual stress it held);
- ``moisture_swelling_pct``: the change of the film's free hygroscopic strain from then to the end (the layers'
  in-plane swelling strain averaged with weights E h, as a free stack of bonded layers takes it);
- ``relaxation_pct``: the rest, what moved during the dry and the conditioning holds with no water: the film's
  relaxation (creep) of the stress left after the release, and any thermal hysteresis of the bake;
``moved_mostly_by`` names the largest."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import Field

from ..errors import CaseError, ProcessError
from ..physics.models.laminate import remove_layers
from ..physics.models.schedule import change_temperature
from ..post import measure
from .condition import condition
from .hold import OVEN_RH_PCT
from .step import Report, Strict, StepKind, Temperature, layers_present_at, metal_layers, require_formed


@dataclass(frozen=True)
class DimensionalStabilityResult(Report):
    """The JIS C 6481 test (block ``dimensional_stability``) and its headline ``dimensional_change_pct``."""
    key = "dimensional_stability"

    def blocks(self) -> dict:
        return {"dimensional_change_pct": self.value["dimensional_change_pct"], self.key: self.value}


class Spec(Strict):
    kind: Literal["dimensional_stability"]
    dry_C: Temperature = 150.0
    dry_minutes: float = Field(default=30.0, ge=0.0, le=10000.0)
    condition_C: Temperature = 21.0
    rh_pct: float = Field(default=50.0, ge=0.0, le=100.0)
    condition_hours: float = Field(default=4.0, gt=0.0, le=10000.0)


def check(spec, case, index: int) -> None:
    require_formed(case, index, "dimensional_stability")
    present = layers_present_at(case, index)
    where = f"{case.source}: field 'steps.{index}.kind' = 'dimensional_stability' is not allowed here"
    if not any(lay.material.is_metal for lay in present):
        raise CaseError(f"{where}: the laminate has no metal foil left to etch")
    if not any(not lay.material.is_metal for lay in present):
        raise CaseError(f"{where}: no film would remain after etching the foil")


def film_swelling_strain(state) -> float:
    """The film's free in-plane hygroscopic strain: each layer's mean, weighted by E h (0 with moisture off)."""
    sw = state.history.get("swelling.strain")
    if sw is None:
        return 0.0
    num = den = 0.0
    for i in measure.polymer_layers(state):
        lay = state.stack.layers[i]
        el = (state.layer_of_element == i) & state.element_active
        w = float(lay.material.E(state.T_C)) * lay.thickness_m
        num, den = num + w * float(sw[el][..., 0].mean()), den + w
    return num / den if den else 0.0


def moved_by(before: float, released: float, after: float, swelling: float) -> dict:
    """The change split by the physics that made it (module docstring), in % of the original span."""
    total = (after - before) / before * 100.0
    release = (released - before) / before * 100.0
    moisture = swelling * 100.0
    return {"etch_release_pct": release, "moisture_swelling_pct": moisture,
            "relaxation_pct": total - release - moisture}


def run(state, spec, record):
    s = state.copy()
    change_temperature(s, spec.condition_C)
    before = measure.mark_distance(s)
    metals = metal_layers(s)
    if not metals:
        raise ProcessError("dimensional_stability: the laminate has no metal foil left to etch")
    remove_layers(s, metals)
    released = measure.mark_distance(s)
    swollen = film_swelling_strain(s)
    dried = condition(s, spec.dry_C, OVEN_RH_PCT, spec.dry_minutes * 60.0)
    if dried.get("moisture_uptake_wt_pct") is None:  # moisture off: today's path (dry, back to condition_C)
        change_temperature(s, spec.condition_C)
        water = dried
    else:
        water = condition(s, spec.condition_C, spec.rh_pct, spec.condition_hours * 3600.0)
    after = measure.mark_distance(s)
    pct = (after - before) / before * 100.0
    moved = moved_by(before, released, after, film_swelling_strain(s) - swollen)
    res = {"dimensional_change_pct": pct, "moved_by": moved,
           "moved_mostly_by": max(moved, key=lambda k: abs(moved[k])).removesuffix("_pct"), "condition_C": spec.condition_C, "dry_C": spec.dry_C,
           "rh_pct": spec.rh_pct, "condition_hours": spec.condition_hours, **water}
    record.report("dimensional_stability", DimensionalStabilityResult(res))
    return state


KIND = StepKind("dimensional_stability", Spec, run, check=check,
                doc="JIS C 6481: marks, etch all foil, dry 150 C, condition 21 C",
                temperatures=lambda spec: [spec.condition_C, spec.dry_C, spec.condition_C], on_copy=True,
                result=DimensionalStabilityResult)
