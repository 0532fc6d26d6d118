"""The patent's process chain, one module per step kind, in the order the patent runs them:

    cure (cast, dry, imidize) -> cool -> bond (hot roll press) -> cool -> etch
    (hold: dry oven; condition: humid air - anywhere in the chain)
    and the patent's tests on a copy of the laminate: tma (film CTE), dimensional_stability (JIS C 6481),
    solder_float (350 C), pressure_cooker (121 C steam), peel (the foil's peel strength),
    curl (large-deflection curl of a cut sample)

`STEP_KINDS` is the one registry: the case schema (the step union, the tag list in error messages), the stack
walk, the sizing and the runner are built from it and ask each kind's declarations, never its name.

Adding a step kind:
1. one module here with ``Spec`` (``kind: Literal["<name>"]``), ``run(state, spec, record) -> state`` and
   ``KIND = StepKind(...)`` declaring what it needs and does (step.py: the layers it brings, adds or removes, the
   temperatures it goes to, whether it works on a copy or forms the laminate, the results it reads and puts,
   a model of its own); optionally ``check``, ``write``, ``summarize``;
2. its module in the tuple below (the order is the patent's, and the order of the summary hooks);
3. its tests; tests/process/test_step_kinds.py already checks its declarations against what its run does.
"""
from __future__ import annotations

from . import (bond, condition, cool, cure, curl, dimensional_stability, etch, hold, peel,
               pressure_cooker, solder_float, tma)
from .step import STEP_KINDS, Done, Record, StepKind, base_layers, register  # noqa: F401  (Record: for tests, studies)

for _m in (cure, cool, bond, etch, hold, condition, tma, dimensional_stability, solder_float, pressure_cooker, peel,
           curl):
    register(_m.KIND)


def run(state, steps, progress=None) -> Record:
    """Run the steps in order on `state`; returns the record of results, frames and output payloads."""
    record = Record()
    record.frame(state, "initial")
    for k, spec in enumerate(steps):
        if progress is not None:
            progress(k, spec.kind)
        kind = STEP_KINDS[spec.kind]
        before, n = set(state.active_layers()), len(record.results)
        state = kind.run(state, spec, record)
        after = set(state.active_layers())
        # a base layer born here (the cure, the first step) is not added: the base is there from the start
        base = {lay.name for lay in base_layers(state.stack.layers)}
        names = [lay.name for lay in state.stack.layers]
        record.history.append(Done(kind, spec, tuple(names[i] for i in sorted(after - before) if names[i] not in base),
                                   tuple(names[i] for i in sorted(before - after)), tuple(record.results[n:])))
        record.frame(state, f"{k}_{spec.kind}")
        # the plots read displacement and stress of the states kept for them: memory for the rest is given back
        record.snapshots = {key: s.snapshot() if s.history or len(s.eps0) else s for key, s in record.snapshots.items()}
    return record
