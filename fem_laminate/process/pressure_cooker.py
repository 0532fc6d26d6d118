"""Pressure cooker test of the patent: the laminate in saturated steam (100 % RH) at 121 C (2 atm) for `hours`
(1,000 h in EP0496334A1), on a copy; reports the moisture state and the stresses it leaves, in steam and back at
room temperature (held dry-sealed: no desorption on the way down, assumption). Adds ``pressure_cooker``.

The patent cuts the laminate to a 1 cm strip first: a polyimide between two foils has no open face, so water
enters through the cut edges (in-plane Fick over the strip's half-width, physics/moisture.edge_ingress)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import Field

from ..physics.models.schedule import change_temperature
from ..post import measure
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


def run(state, spec, record):
    s = state.copy()
    water = condition(s, spec.temperature_C, SATURATED_STEAM_RH_PCT, spec.hours * 3600.0,
                      edge_half_width_m=0.5e-3 * spec.strip_width_mm)
    hot = {**measure.curvature(s), "layers": measure.layer_stress_summary(s)}
    change_temperature(s, spec.after_C)
    after = {**measure.curvature(s), "layers": measure.layer_stress_summary(s)}
    res = {"temperature_C": spec.temperature_C, "rh_pct": SATURATED_STEAM_RH_PCT, "hours": spec.hours, **water,
           "in_steam": hot, f"after_at_{spec.after_C:g}_C": after}
    record.report("pressure_cooker", PressureCookerResult(res))
    return state


KIND = StepKind("pressure_cooker", Spec, run, doc="121 C saturated steam for hours (moisture state, stresses)",
                temperatures=lambda spec: [spec.temperature_C, spec.after_C], on_copy=True,
                result=PressureCookerResult)
