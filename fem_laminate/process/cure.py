"""Cast, dry and imidize (the patent's first stage): the foil follows the oven; the cast layers form at the
end of the imidization hold.

A cast polyimide layer is born stress-free at the end of the hold: imidization and solvent loss are complete
there and stress builds on cooling (Ree, Chu, Goldberg, J. Appl. Phys. 1994). A thermoplastic layer born above
its Tg relaxes at once (physics/models/laminate.py). Stress built during drying is neglected (assumption).
"""
from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from ..errors import CaseError
from ..physics.models.laminate import cast, give_birth
from ..physics.models.schedule import change_temperature
from .step import MaxStep, Strict, StepKind, Temperature, step_summary


class Segment(Strict):
    action: Literal["dry", "ramp", "hold"]
    temperature_C: Temperature | None = None  # dry/hold temperature
    to_C: Temperature | None = None  # ramp end
    minutes: float = Field(ge=0.0, le=10000.0)

    @model_validator(mode="after")
    def _check(self):
        if self.action == "ramp" and self.to_C is None:
            raise ValueError("a ramp segment needs to_C")
        if self.action in ("dry", "hold") and self.temperature_C is None:
            raise ValueError(f"a {self.action} segment needs temperature_C")
        return self


class Spec(Strict):
    kind: Literal["cure"]
    segments: list[Segment] = Field(min_length=1, max_length=100)
    max_step_K: MaxStep = 25.0


def cure_schedule(spec, T0: float) -> list[tuple[float, float]]:
    """(time_min, T_C) corner points of the drying / ramp / hold schedule, starting at T0."""
    t, T, pts = 0.0, T0, [(0.0, T0)]
    for seg in spec.segments:
        target = seg.to_C if seg.action == "ramp" else seg.temperature_C
        if seg.action != "ramp" and target != T:
            pts.append((t, target))  # oven already at temperature: a step change
        t += seg.minutes
        T = target
        pts.append((t, T))
    return pts


def check(spec, case, index: int) -> None:
    where = f"{case.source}: field 'steps.{index}.kind' = 'cure' is not allowed"
    base = case.base_stack().layers
    if not any(lay.origin == "cast" for lay in base):
        raise CaseError(f"{where}: the stack has no polymer layer to cast and imidize")
    if not any(lay.origin == "foil" for lay in base):
        raise CaseError(f"{where}: the stack has no metal foil to cast the polymer on (the varnish is cast onto "
                        "the copper foil)")


def run(state, spec, record):
    if not state.born.any():  # the foil is there from the start, stress-free at room temperature
        give_birth(state, [i for i, lay in enumerate(state.stack.layers) if lay.origin == "foil"])
    cast(state, [i for i, lay in enumerate(state.stack.layers) if lay.origin == "cast" and not state.born[i]])
    sched = cure_schedule(spec, state.T_C)
    t_start = state.time_s
    for (t0, T0), (t1, T1) in zip(sched[:-1], sched[1:]):
        change_temperature(state, T1, spec.max_step_K, seconds=60.0 * (t1 - t0))
        state.time_s = t_start + 60.0 * t1
    record.cure_history += [(t_start / 60.0 + t, T) for t, T in sched]
    formed = [i for i, lay in enumerate(state.stack.layers) if lay.origin == "cast" and not state.born[i]]
    give_birth(state, formed)
    change_temperature(state, state.T_C)  # a thermoplastic layer born above its Tg relaxes at once
    record.steps.append(step_summary(state, "cure", imidized_at_C=state.T_C,
                                     formed=[state.stack.layers[i].name for i in formed]))
    return state


def temperatures(spec) -> list[float]:
    return [seg.to_C if seg.action == "ramp" else seg.temperature_C for seg in spec.segments]


KIND = StepKind("cure", Spec, run, check=check, doc="drying and imidization schedule (segments dry/ramp/hold)",
                temperatures=temperatures, forms_laminate=True)
