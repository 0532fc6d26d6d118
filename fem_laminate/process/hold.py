"""A hold at temperature_C for `minutes` in a dry oven (e.g. the 150 C / 30 min drying of JIS C 6481).

The oven air is taken as 0 % RH at the hold temperature (assumption: ambient water vapour is a negligible
fraction of the saturation pressure at 100 C and above), so water that was taken up leaves the film; viscoelastic
layers relax meanwhile."""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from .condition import condition
from .step import MaxStep, Strict, StepKind, Temperature, ensure_started, step_summary

OVEN_RH_PCT = 0.0


class Spec(Strict):
    kind: Literal["hold"]
    temperature_C: Temperature
    minutes: float = Field(gt=0.0, le=100000.0)
    max_step_K: MaxStep = 25.0


def run(state, spec, record):
    ensure_started(state, spec.temperature_C)
    water = condition(state, spec.temperature_C, OVEN_RH_PCT, spec.minutes * 60.0, spec.max_step_K)
    record.steps.append(step_summary(state, "hold", minutes=spec.minutes, **water))
    return state


KIND = StepKind("hold", Spec, run, doc="dry hold: temperature_C, minutes (dries, relaxes)",
                temperatures=lambda spec: [spec.temperature_C], forms_laminate=True)
