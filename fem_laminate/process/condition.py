"""Conditioning in humid air (e.g. 21 C / 50 % RH / 4 h of JIS C 6481): the laminate is brought to temperature_C,
then its open polymer faces take up water at rh_pct for `hours` (Fickian diffusion, Henry's law, swelling:
physics/models/moisture.py). The steps[] entry reports the uptake and its fraction of the equilibrium at rh_pct."""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from ..physics.models.schedule import change_temperature, expose_to_humidity
from .step import MaxStep, Strict, StepKind, Temperature, ensure_started, step_summary


class Spec(Strict):
    kind: Literal["condition"]
    temperature_C: Temperature
    rh_pct: float = Field(ge=0.0, le=100.0)
    hours: float = Field(gt=0.0, le=100000.0)
    max_step_K: MaxStep = 25.0


def condition(state, temperature_C: float, rh_pct: float, seconds: float, max_step_K: float = 25.0,
              edge_half_width_m: float | None = None) -> dict:
    """Bring to temperature, then hold in humid air; returns the moisture block (shared with other steps)."""
    if state.T_C != temperature_C:
        change_temperature(state, temperature_C, max_step_K)
    return expose_to_humidity(state, rh_pct, seconds, edge_half_width_m=edge_half_width_m)


def run(state, spec, record):
    ensure_started(state, spec.temperature_C)
    water = condition(state, spec.temperature_C, spec.rh_pct, spec.hours * 3600.0, spec.max_step_K)
    record.steps.append(step_summary(state, "condition", rh_pct=spec.rh_pct, hours=spec.hours, **water))
    return state


KIND = StepKind("condition", Spec, run, doc="humid conditioning: temperature_C, rh_pct, hours (water uptake)",
                temperatures=lambda spec: [spec.temperature_C], forms_laminate=True)
