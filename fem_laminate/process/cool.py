"""Cooling (after the cure, and after bonding): a uniform temperature change of the whole present stack.

The cool that ends the single-sided stage gives the base's curl, the patent's first measured quantity.
"""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from ..errors import CaseError
from ..physics.models.laminate import change_temperature
from .step import MaxStep, Strict, StepKind, Temperature, ensure_started, step_summary


class Spec(Strict):
    kind: Literal["cool"]
    from_C: Temperature
    to_C: Temperature
    max_step_K: MaxStep = 25.0
    minutes: float | None = Field(default=None, gt=0.0, le=100000.0)  # duration; None: instantaneous in the elastic
    # model, viscoelastic.DEFAULT_RATE_K_PER_MIN when a layer relaxes


def check(spec, case, index: int) -> None:
    if spec.from_C == spec.to_C:
        raise CaseError(f"{case.source}: field 'steps.{index}.to_C' = {spec.to_C!r} is not allowed: must differ "
                        "from from_C")


def run(state, spec, record):
    ensure_started(state, spec.from_C)
    if abs(state.T_C - spec.from_C) > 0.5:
        record.notes.append(f"cool: laminate was at {state.T_C:g} C, brought to from_C = {spec.from_C:g} C first")
        change_temperature(state, spec.from_C, spec.max_step_K)
    n0, t0 = state.increments, state.time_s
    change_temperature(state, spec.to_C, spec.max_step_K, seconds=None if spec.minutes is None else 60 * spec.minutes)
    summary = step_summary(state, "cool", from_C=spec.from_C, to_C=spec.to_C, minutes=(state.time_s - t0) / 60.0,
                           increments=state.increments - n0)
    record.steps.append(summary)
    record.snapshots[("laminate" if record.bonded else "base") + f" at {state.T_C:g} °C"] = state.copy()
    if not record.bonded:
        record.base_curl = {k: summary[k] for k in summary if "curvature" in k or k.startswith("kappa")}
        record.base_curl["temperature_C"] = state.T_C
    return state


KIND = StepKind("cool", Spec, run, check=check, doc="uniform temperature change from_C -> to_C")
