"""Cooling (after the cure, and after bonding): a uniform temperature change of the whole present stack.

The cool that ends the single-sided stage gives the base's curl, the patent's first measured quantity.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import Field

from ..errors import CaseError
from ..physics.models.schedule import change_temperature
from ..post.summary import curl_block
from .step import MaxStep, Strict, StepKind, Temperature, ensure_started, step_summary


class Spec(Strict):
    kind: Literal["cool"]
    from_C: Temperature
    to_C: Temperature
    max_step_K: MaxStep = 25.0
    minutes: float | None = Field(default=None, gt=0.0, le=100000.0)  # duration; None: instantaneous in the elastic
    # model, viscoelastic.DEFAULT_RATE_K_PER_MIN when a layer relaxes


@dataclass(frozen=True)
class CoolResult:
    """The laminate's curl after the cool; `of_base`: no step has added layers yet (the single-sided base, whose
    last cool before bonding gives the summary's curl block)."""
    curl: dict  # curvature entries of the step summary and temperature_C
    of_base: bool

    def blocks(self) -> dict:
        return {}


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
    base = not record.laminated()
    record.snapshots[("base" if base else "laminate") + f" at {state.T_C:g} °C"] = state.snapshot()
    curl = {k: summary[k] for k in summary if "curvature" in k or k.startswith("kappa")}
    curl["temperature_C"] = state.T_C
    record.put(CoolResult(curl, base))
    return state


def summarize(summary: dict, record) -> None:
    """The curl block is the base's, measured after its last cool before bonding, if there is one."""
    base = [r for r in record.all(CoolResult) if r.of_base]
    if base:
        summary["curl"] = curl_block(base[-1].curl, "single-sided base after its last cool before bonding")


KIND = StepKind("cool", Spec, run, check=check, summarize=summarize,
                doc="uniform temperature change from_C -> to_C",
                temperatures=lambda spec: [spec.from_C, spec.to_C], forms_laminate=True, result=CoolResult)
