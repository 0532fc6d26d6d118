"""Film CTE by TMA as the patent defines it: expansion from from_C to to_C over the length at 25 C and the span.

A test: it works on a copy of the laminate and adds ``film`` to the summary.

With viscoelastic layers ([physics] viscoelastic) the test is the instrument's: the film is heated at
`rate_K_per_min` (5 K/min, the heating rate of ASTM E831 for linear thermal expansion by TMA) under a small
tensile load (`load_N` on a strip `sample_width_mm` wide: film TMA runs in tension with a few grams to keep the
strip straight; 0.05 N on 4 mm is an assumption of that order), so creep of a layer nearing its Tg reads as
expansion, as in a real trace. With viscoelasticity off it is today's quasi-static, unloaded measurement.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..errors import CaseError
from pydantic import Field

from ..physics.models.laminate import apply_uniaxial_load, relaxing_layers
from ..physics.models.schedule import change_temperature
from ..post import measure
from .step import Report, Strict, StepKind, Temperature, layers_present_at, metal_layers, require_formed


@dataclass(frozen=True)
class FilmResult(Report):
    """The film's CTE as the patent measures it (summary block ``film``)."""
    key = "film"


class Spec(Strict):
    kind: Literal["tma"]
    from_C: Temperature = 100.0
    to_C: Temperature = 250.0
    reference_C: Temperature = 25.0
    rate_K_per_min: float = Field(default=5.0, gt=0.0, le=100.0)  # ASTM E831
    load_N: float = Field(default=0.05, ge=0.0, le=10.0)  # tensile load on the strip (assumption)
    sample_width_mm: float = Field(default=4.0, gt=0.0, le=100.0)


def check(spec, case, index: int) -> None:
    require_formed(case, index, "tma")
    if not spec.to_C > spec.from_C:
        raise CaseError(f"{case.source}: field 'steps.{index}.to_C' = {spec.to_C!r} is not allowed: must be above "
                        f"from_C ({spec.from_C})")
    if not any(not lay.material.is_metal for lay in layers_present_at(case, index)):
        raise CaseError(f"{case.source}: field 'steps.{index}.kind' = 'tma' is not allowed here: no polymer film "
                        "is present to measure")


def run(state, spec, record):
    s = state.copy()
    if metal_layers(s):
        record.notes.append("tma: metal foil still present; the CTE reported is that of the laminate")
    layers = s.active_layers()
    change_temperature(s, spec.reference_C)
    instrument = bool(relaxing_layers(s))
    extra = {"mode": "quasi-static, unloaded"}
    if instrument:
        thick = sum(s.stack.layers[i].thickness_m for i in layers)
        stress = spec.load_N / (spec.sample_width_mm * 1e-3 * thick)
        apply_uniaxial_load(s, stress, layers)
        change_temperature(s, spec.reference_C, seconds=0.0)  # the sample mounted and loaded at reference_C
        extra = {"mode": "instrument: heated at rate under tensile load", "rate_K_per_min": spec.rate_K_per_min,
                 "load_N": spec.load_N, "load_stress_MPa": stress / 1e6}
    rate = spec.rate_K_per_min / 60.0
    L_ref = measure.mark_distance(s, layers)
    n0 = s.increments
    change_temperature(s, spec.from_C, seconds=abs(spec.from_C - s.T_C) / rate if instrument else None)
    L1 = measure.mark_distance(s, layers)
    change_temperature(s, spec.to_C, seconds=abs(spec.to_C - s.T_C) / rate if instrument else None)
    L2 = measure.mark_distance(s, layers)
    cte = (L2 - L1) / (L_ref * (spec.to_C - spec.from_C))
    res = {"cte_per_K": cte, "cte_ppm_per_K": cte * 1e6, "from_C": spec.from_C, "to_C": spec.to_C,
           "reference_C": spec.reference_C, "layers": [s.stack.layers[i].name for i in layers], **extra}
    if instrument:
        res["increments"] = s.increments - n0
    record.report("tma", FilmResult(res))
    return state


KIND = StepKind("tma", Spec, run, check=check, doc="film CTE (from_C, to_C, default 100 -> 250 C)",
                temperatures=lambda spec: [spec.reference_C, spec.from_C, spec.to_C], on_copy=True,
                result=FilmResult)
