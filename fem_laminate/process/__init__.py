"""The patent's process chain, one module per step kind, in the order the patent runs them:

    cure (cast, dry, imidize) -> cool -> bond (hot roll press) -> cool -> etch
    (hold: dry oven; condition: humid air - anywhere in the chain)
    and the patent's tests on a copy of the laminate: tma (film CTE), dimensional_stability (JIS C 6481),
    solder_float (350 C), pressure_cooker (121 C steam), peel (the foil's peel strength),
    curl (large-deflection curl of a cut sample)

`STEP_KINDS` is the one registry: the case schema (the step union, the tag list in error messages) and the
runner are built from it. A new step kind is a new module with Spec/run/KIND (see `step.py`) added here.
"""
from __future__ import annotations

from . import (bond, condition, cool, cure, curl, dimensional_stability, etch, hold, peel,
               pressure_cooker, solder_float, tma)
from .step import Record, StepKind  # noqa: F401  (Record: what tests and studies build states with)

STEP_KINDS: dict[str, StepKind] = {m.KIND.name: m.KIND for m in (
    cure, cool, bond, etch, hold, condition, tma, dimensional_stability, solder_float, pressure_cooker, peel, curl)}


def run(state, steps, progress=None) -> Record:
    """Run the steps in order on `state`; returns the record of results, frames and output payloads."""
    record = Record()
    record.frame(state, "initial")
    for k, spec in enumerate(steps):
        if progress is not None:
            progress(k, spec.kind)
        state = STEP_KINDS[spec.kind].run(state, spec, record)
        record.frame(state, f"{k}_{spec.kind}")
    return record
