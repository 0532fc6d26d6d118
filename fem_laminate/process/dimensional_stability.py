"""JIS C 6481 dimensional stability as the patent runs it: marks on the laminate, etch all foil, dry,
condition, re-measure. A test on a copy; adds ``dimensional_stability`` and ``dimensional_change_pct``."""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from ..errors import CaseError, ProcessError
from ..physics.thermoelastic import change_temperature, remove_layers
from ..post import measure
from .step import Strict, StepKind, Temperature, layers_present_at, metal_layers


class Spec(Strict):
    kind: Literal["dimensional_stability"]
    dry_C: Temperature = 150.0
    dry_minutes: float = Field(default=30.0, ge=0.0, le=10000.0)
    condition_C: Temperature = 21.0


def check(spec, case, index: int) -> None:
    present = layers_present_at(case, index)
    where = f"{case.source}: field 'steps.{index}.kind' = 'dimensional_stability' is not allowed here"
    if not any(lay.material.kind == "metal" for lay in present):
        raise CaseError(f"{where}: the laminate has no metal foil left to etch")
    if not any(lay.material.kind != "metal" for lay in present):
        raise CaseError(f"{where}: no film would remain after etching the foil")


def run(state, spec, record):
    s = state.copy()
    change_temperature(s, spec.condition_C)
    before = measure.mark_distance(s)
    metals = metal_layers(s)
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
    record.report("dimensional_stability", "dimensional_stability", res)
    return state


KIND = StepKind("dimensional_stability", Spec, run, check=check,
                doc="JIS C 6481: marks, etch all foil, dry 150 C, condition 21 C")
