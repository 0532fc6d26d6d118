"""What every step kind is made of, and the record the steps write into.

A step kind is one module of this package holding
- ``Spec``: its typed case-file table (a pydantic model with ``kind: Literal["<name>"]``), units in the names;
- ``run(state, spec, record) -> state``: what it does to the laminate (a test works on a copy);
- optionally ``check(spec, case, index)``: the rules the schema alone cannot state, run when the case loads,
  raising CaseError (so a stack the step cannot act on is refused before any computing);
- optionally ``write(out_dir, payload)``: its output files, for the payloads it handed to ``record.output``;
- optionally ``summarize(summary, record)``: how it shapes the top of summary.json;
and a ``KIND = StepKind(...)`` line. `process/__init__.py` lists the kinds in the patent's order; the case
schema and the runner are built from that list.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Callable

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ..errors import CaseError
from ..physics.models.laminate import LaminateState, give_birth
from ..post import measure


class Strict(BaseModel):
    """A case-file table: unknown keys are errors; strict types: booleans are not numbers (``true`` is not 1 um),
    numbers are not strings, an integer field takes no 80.0; NaN and infinities are refused everywhere."""
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


Temperature = Annotated[float, Field(ge=-100.0, le=600.0)]  # C: from cryogenic storage to above any cure
MaxStep = Annotated[float, Field(ge=0.5, le=100.0)]  # K per thermoelastic increment
MAX_INCREMENTS_PER_STEP = 2000  # thermoelastic increments one step may take (0.5 K over 700 K is 1400)
MAX_INCREMENTS_PER_CASE = 10000  # and all steps together: a few minutes of solves on a default mesh

# A name that becomes a dict key, an interface label "lower/upper" and a legend: no path separators, no markup,
# no control characters, short. Layer and material names.
IDENTIFIER = r"^[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}$"
Identifier = Annotated[str, StringConstraints(pattern=IDENTIFIER)]


@dataclass(frozen=True)
class StepKind:
    name: str
    spec: type
    run: Callable
    check: Callable | None = None
    write: Callable | None = None
    summarize: Callable | None = None
    doc: str = ""


@dataclass
class Frame:
    label: str
    T_C: float
    time_s: float
    u: np.ndarray
    stress_cell: np.ndarray  # (nelements, ncomp) cell-averaged stress, Pa
    active: np.ndarray  # (nlayers,) bool
    element_active: np.ndarray | None = None  # (nelements,) bool, with a patterned etch's holes
    eq_plastic_cell: np.ndarray | None = None  # (nelements,) cell-averaged equivalent plastic strain
    moisture_cell: np.ndarray | None = None  # (nelements,) cell-averaged in-plane hygroscopic strain


@dataclass
class Record:
    """What the steps leave behind: summary blocks, the steps list, ParaView frames, output payloads."""
    results: dict = field(default_factory=dict)  # top-level summary.json blocks contributed by steps
    frames: list = field(default_factory=list)
    steps: list = field(default_factory=list)
    cure_history: list = field(default_factory=list)  # (time_min, T_C)
    base_curl: dict | None = None
    bonded: bool = False
    notes: list = field(default_factory=list)
    snapshots: dict = field(default_factory=dict)  # label -> LaminateState copy, for the stress plots
    outputs: list = field(default_factory=list)  # (step kind, payload) for the kind's `write` hook
    timing: list = field(default_factory=list)  # wall-clock seconds of long steps: timing.json, not summary.json
    total_s: float | None = None

    def frame(self, state: LaminateState, label: str) -> None:
        self.frames.append(Frame(label, state.T_C, state.time_s, state.u.copy(), state.stress.mean(axis=1),
                                 state.active.copy(), state.element_active.copy(),
                                 None if (eqp := state.equivalent_plastic_strain()) is None else eqp.mean(axis=1),
                                 None if (sw := state.history.get("swelling.strain")) is None
                                 else sw[..., 0].mean(axis=1)))

    def output(self, kind: str, payload) -> None:
        """Hand a payload to the step kind's declared `write(out_dir, payload)` hook."""
        self.outputs.append((kind, payload))

    def report(self, kind: str, key: str, res: dict) -> None:
        """A test's result goes into the summary under `key` and into the step list."""
        self.results[key] = res
        self.steps.append({"kind": kind, **res})


def step_summary(state: LaminateState, kind: str, **extra) -> dict:
    """The entry of steps[] every step writes: temperature, curvature, per-layer stresses."""
    out = {"kind": kind, "temperature_C": state.T_C, "layers_present": [state.stack.layers[i].name
                                                                       for i in state.active_layers()]}
    out.update(measure.curvature(state))
    out["layers"] = measure.layer_stress_summary(state)
    eqp = state.equivalent_plastic_strain()
    if eqp is not None:
        for i in state.active_layers():
            el = state.layer_of_element == i
            out["layers"][state.stack.layers[i].name]["equivalent_plastic_strain_max"] = float(eqp[el].max())
    out.update(extra)
    return out


def metal_layers(state: LaminateState) -> list[int]:
    return [i for i in state.active_layers() if state.stack.layers[i].material.kind == "metal"]


def ensure_started(state: LaminateState, T_C: float) -> None:
    """Before the first step: layers without history are born stress-free at T_C (contract of `cool`)."""
    if not state.born.any():
        state.T_C = float(T_C)
        give_birth(state, [i for i, lay in enumerate(state.stack.layers) if lay.origin != "bonded"])


FORMING_KINDS = ("cure", "cool", "bond", "condition", "hold")  # steps that bring the laminate into being (ensure_started / cure)


def require_formed(case, index: int, kind: str) -> None:
    """A test or an etch acts on a laminate that an earlier cure, cool or bond has formed (before that no layer
    exists in the model): CaseError at load otherwise."""
    if not any(st.kind in FORMING_KINDS for st in case.spec.steps[:index]):
        raise CaseError(f"{case.source}: field 'steps.{index}.kind' = {kind!r} is not allowed before the laminate "
                        f"is formed: put a {', '.join(FORMING_KINDS[:-1])} or {FORMING_KINDS[-1]} step before it")


def layers_present_at(case, index: int) -> list:
    """Layers (bottom-up, model.stack.Layer) present before step `index` of the case, from the step list alone."""
    stack = case.full_stack().layers
    present = [lay for lay in stack if lay.origin != "bonded"]
    added = [lay for lay in stack if lay.origin == "bonded"]
    for st in case.spec.steps[:index]:
        if st.kind == "bond":
            present, added = present + added, []
        elif st.kind == "etch" and st.pattern is None:  # a patterned foil stays (in part)
            gone = etched_positions(len(present), st.side)
            present = [lay for k, lay in enumerate(present) if k not in gone]
    return present


def etched_positions(n_present: int, side: str) -> list[int]:
    """Positions (in the bottom-up list of the n present layers) an etch of `side` takes away."""
    if n_present == 0:
        return []
    return sorted({"top": {n_present - 1}, "bottom": {0}, "both": {0, n_present - 1}}[side])
