"""Film CTE by TMA as the patent defines it: expansion from from_C to to_C over the length at 25 C and the span.

A test: it works on a copy of the laminate and adds ``film`` to the summary.
"""
from __future__ import annotations

from typing import Literal

from ..errors import CaseError
from ..physics.thermoelastic import change_temperature
from ..post import measure
from .step import Strict, StepKind, Temperature, layers_present_at, metal_layers


class Spec(Strict):
    kind: Literal["tma"]
    from_C: Temperature = 100.0
    to_C: Temperature = 250.0
    reference_C: Temperature = 25.0


def check(spec, case, index: int) -> None:
    if not spec.to_C > spec.from_C:
        raise CaseError(f"{case.source}: field 'steps.{index}.to_C' = {spec.to_C!r} is not allowed: must be above "
                        f"from_C ({spec.from_C})")
    if not any(lay.material.kind == "polymer" for lay in layers_present_at(case, index)):
        raise CaseError(f"{case.source}: field 'steps.{index}.kind' = 'tma' is not allowed here: no polymer film "
                        "is present to measure")


def run(state, spec, record):
    s = state.copy()
    if metal_layers(s):
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
    record.report("tma", "film", res)
    return state


KIND = StepKind("tma", Spec, run, check=check, doc="film CTE (from_C, to_C, default 100 -> 250 C)")
