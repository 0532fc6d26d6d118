"""Etching: the outermost metal foil(s) on a side are removed and equilibrium is re-solved."""
from __future__ import annotations

from typing import Literal

from ..errors import CaseError, ProcessError
from ..physics.thermoelastic import remove_layers
from .step import Strict, StepKind, layers_present_at, step_summary


class Spec(Strict):
    kind: Literal["etch"]
    side: Literal["top", "bottom", "both"]


def _targets(present: list, side: str) -> list[int]:
    return sorted({"top": {len(present) - 1}, "bottom": {0}, "both": {0, len(present) - 1}}[side])


def check(spec, case, index: int) -> None:
    present = layers_present_at(case, index)
    where = f"{case.source}: field 'steps.{index}.side' = {spec.side!r} is not allowed"
    for k in _targets(present, spec.side) if present else []:
        if present[k].material.kind != "metal":
            raise CaseError(f"{where}: the {spec.side} layer {present[k].name!r} there is not a metal foil")
    if len(present) - len(_targets(present, spec.side)) < 1:
        raise CaseError(f"{where}: it would etch every layer of the laminate")


def run(state, spec, record):
    present = state.active_layers()
    if not present:
        raise ProcessError("etch: nothing is present to etch")
    sides = [present[k] for k in _targets(present, spec.side)]
    for i in sides:
        if state.stack.layers[i].material.kind != "metal":
            raise ProcessError(f"etch: the {spec.side} layer '{state.stack.layers[i].name}' is not a metal foil")
    remove_layers(state, sides)
    record.steps.append(step_summary(state, "etch", side=spec.side))
    record.snapshots[f"etched ({spec.side})"] = state.copy()
    return state


KIND = StepKind("etch", Spec, run, check=check, doc="remove the outer metal foil: side = top | bottom | both")
