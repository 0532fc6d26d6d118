"""What every step kind is made of, and the record the steps write into.

A step kind is one module of this package holding
- ``Spec``: its typed case-file table (a pydantic model with ``kind: Literal["<name>"]``), units in the names;
- ``run(state, spec, record) -> state``: what it does to the laminate (a test works on a copy);
- optionally ``check(spec, case, index)``: the rules the schema alone cannot state, run when the case loads,
  raising CaseError (so a stack the step cannot act on is refused before any computing);
- optionally ``write(out_dir, payload)``: its output files, for the payloads it handed to ``record.output``;
- optionally ``summarize(summary, record)``: how it shapes the top of summary.json;
- its result type, if other steps or the summary read what it found: a small frozen dataclass it hands to
  ``record.put`` (or ``record.report`` for a test's block), with ``blocks()`` giving its summary.json blocks;
and a ``KIND = StepKind(...)`` line that declares what the step needs and does, so that the case (its schema,
full stack and increment count), the stack walk (`layers_present_at`, `require_formed`) and the sizing never
name a step kind:
- ``new_layers(spec, case, counts)``: the layers it brings into the full stack (bond: the second foil);
- ``adds_layers(spec, present, stack)``: which of them join the present layers at this step;
- ``removes_layers(spec, present)``: which present layers go (etch; a patterned etch keeps the foil);
- ``temperatures(spec)``: the temperatures (C) it takes the laminate, or a test's copy, to, in order;
- ``on_copy``: a test on a copy, the laminate is left as it was; ``forms_laminate``: it brings the laminate
  into being (a test or an etch needs one before it);
- ``reads``: the result types of earlier steps it reads from the record; ``result``: the type it puts there;
- ``own_model``: a model of its own, not on the laminate mesh (the curl sample), sized at load;
- ``mesh_patterns(spec, case, index)``: copper patterns the laminate mesh must resolve (a patterned etch).
`process/__init__.py` registers the kinds in the patent's order; the case schema and the runner are built from
the registry. Adding a kind: the module, its line there, and its tests (tests/process/test_step_kinds.py checks
every registered kind's declarations against what its run does on Example 1).
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


def no_layers(spec, *present) -> list:
    return []


def no_temperatures(spec) -> list[float]:
    return []


@dataclass(frozen=True)
class OwnModel:
    """A step that solves a model of its own, not on the laminate mesh (the curl sample): sized at load from the
    layers present, the largest `resolution` that fits suggested when it does not fit."""
    dofs: Callable  # (spec, number of layers present) -> DOFs
    resolution: str  # the spec's integer field that sets the model's resolution
    finest: int  # that field's largest allowed value (the search for what fits starts there)
    coarsest: int  # and its smallest
    describe: Callable  # (spec) -> the model in a message: "the 100 x 100 mm sample"
    none_fits: str  # the advice when not even the coarsest fits
    dim: int = 3


@dataclass(frozen=True)
class StepKind:
    name: str
    spec: type
    run: Callable
    check: Callable | None = None
    write: Callable | None = None
    summarize: Callable | None = None
    doc: str = ""
    # what the step needs and does (module docstring): read by the case, the stack walk and the sizing
    new_layers: Callable = no_layers  # (spec, case, counts) -> [Layer] it brings into the full stack
    adds_layers: Callable = no_layers  # (spec, present, stack) -> [Layer] of the stack joining the present ones
    removes_layers: Callable = no_layers  # (spec, present) -> [Layer] of the present ones that go
    temperatures: Callable = no_temperatures  # (spec) -> [T_C] it goes to, in order
    on_copy: bool = False  # a test on a copy: the laminate and its temperature are left as they were
    forms_laminate: bool = False  # brings the laminate into being (births layers or cures them)
    reads: tuple[type, ...] = ()  # result types of earlier steps it reads from the record
    result: type | None = None  # the type it puts into the record
    own_model: OwnModel | None = None
    mesh_patterns: Callable = no_layers  # (spec, case, index) -> [model.pattern] the laminate mesh must resolve


# The registry (process/__init__.py fills it in the patent's order; a test may register a kind of its own): the
# case schema, the runner and the stack walk below look kinds up here.
STEP_KINDS: dict[str, StepKind] = {}


def register(kind: StepKind) -> StepKind:
    STEP_KINDS[kind.name] = kind
    return kind


def kind_of(spec) -> StepKind:
    return STEP_KINDS[spec.kind]


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


@dataclass(frozen=True)
class Done:
    """A step as run: its kind and spec, and the layers (names) that joined and left the laminate in it."""
    kind: StepKind
    spec: object
    added: tuple[str, ...]
    removed: tuple[str, ...]
    results: tuple  # what it put into the record


@dataclass(frozen=True)
class Report:
    """A test's result: one block of summary.json, under `key`, also its entry of steps[]."""
    value: dict
    key = ""  # class attribute of each test's result type

    def blocks(self) -> dict:
        return {self.key: self.value}


@dataclass
class Record:
    """What the steps leave behind: typed results, the steps list, ParaView frames, output payloads."""
    results: list = field(default_factory=list)  # typed results, in the order the steps put them
    history: list = field(default_factory=list)  # Done, one per step run by process.run
    frames: list = field(default_factory=list)
    steps: list = field(default_factory=list)
    cure_history: list = field(default_factory=list)  # (time_min, T_C)
    notes: list = field(default_factory=list)
    snapshots: dict = field(default_factory=dict)  # label -> LaminateState copy, for the stress plots
    outputs: list = field(default_factory=list)  # (step kind, payload) for the kind's `write` hook
    timing: list = field(default_factory=list)  # wall-clock seconds of long steps: timing.json, not summary.json
    total_s: float | None = None
    peak_elastic_strain: float = 0.0  # largest stress-producing strain seen after any step (small-strain check)

    def put(self, result) -> None:
        self.results.append(result)

    def all(self, kind: type) -> list:
        """Every result of type `kind`, oldest first."""
        return [r for r in self.results if isinstance(r, kind)]

    def latest(self, kind: type):
        """The newest result of type `kind`, None if no step put one."""
        return next((r for r in reversed(self.results) if isinstance(r, kind)), None)

    def laminated(self) -> bool:
        """Whether a step run so far added layers to the laminate (the base became a laminate)."""
        return any(d.added for d in self.history)

    def blocks(self) -> dict:
        """The top-level summary.json blocks of the results, each where it first appeared: a list block collects
        every result's entries (the curl samples), any other block is the newest result's."""
        out = {}
        for r in self.results:
            for key, value in r.blocks().items():
                out[key] = out[key] + value if isinstance(value, list) and key in out else value
        return out

    def frame(self, state: LaminateState, label: str) -> None:
        self.frames.append(Frame(label, state.T_C, state.time_s, state.u.copy(), state.stress.mean(axis=1),
                                 state.active.copy(), state.element_active.copy(),
                                 None if (eqp := state.equivalent_plastic_strain()) is None else eqp.mean(axis=1),
                                 None if (sw := state.history.get("swelling.strain")) is None
                                 else sw[..., 0].mean(axis=1)))
        self.peak_elastic_strain = max(self.peak_elastic_strain, measure.peak_elastic_strain(state))

    def output(self, kind: str, payload) -> None:
        """Hand a payload to the step kind's declared `write(out_dir, payload)` hook."""
        self.outputs.append((kind, payload))

    def report(self, kind: str, result: Report) -> None:
        """A test's result goes into the record (its summary block) and into the step list."""
        self.put(result)
        self.steps.append({"kind": kind, **result.value})


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
    return [i for i in state.active_layers() if state.stack.layers[i].material.is_metal]


def ensure_started(state: LaminateState, T_C: float) -> None:
    """Before the first step: layers without history are born stress-free at T_C (contract of `cool`)."""
    if not state.born.any():
        state.T_C = float(T_C)
        give_birth(state, [i for i, lay in enumerate(state.stack.layers) if lay.origin != "bonded"])


def require_formed(case, index: int, kind: str) -> None:
    """A test or an etch acts on a laminate that an earlier step has formed (a cure, a cool, a bond: before that
    no layer exists in the model): CaseError at load otherwise."""
    if not any(kind_of(st).forms_laminate for st in case.spec.steps[:index]):
        forming = [k.name for k in STEP_KINDS.values() if k.forms_laminate]
        raise CaseError(f"{case.source}: field 'steps.{index}.kind' = {kind!r} is not allowed before the laminate "
                        f"is formed: put a {', '.join(forming[:-1])} or {forming[-1]} step before it")


def produced_before(case, index: int, result: type) -> bool:
    """Whether a step before step `index` of the case puts a result of type `result` into the record."""
    return any(kind_of(st).result is result for st in case.spec.steps[:index])


def layer_name(given, mat, origin: str, counts: dict) -> str:
    """A layer's name: the given one, else after its material and origin, numbered from the second on (`counts`:
    the stems used so far in the stack being built)."""
    if given:
        return given
    stem = {"foil": "cu_foil" if "copper" in mat.name else "foil", "cast": mat.name,
            "bonded": "cu_bonded" if "copper" in mat.name else "bonded_" + mat.name}[origin]
    counts[stem] = counts.get(stem, 0) + 1
    return stem if counts[stem] == 1 else f"{stem}_{counts[stem]}"


def base_layers(layers) -> list:
    """The layers there before any step adds one (the foil and the cast layers): where the stack walk starts."""
    return [lay for lay in layers if lay.origin != "bonded"]


def walk(layers, steps) -> list:
    """Layers (bottom-up, model.stack.Layer) present before each of `steps` and after the last, from the kinds'
    declarations: `layers` is the full stack."""
    present = base_layers(layers)
    out = [present]
    for st in steps:
        kind = kind_of(st)
        present = present + list(kind.adds_layers(st, present, layers))
        gone = kind.removes_layers(st, present)
        present = [lay for lay in present if not any(lay is g for g in gone)]
        out.append(present)
    return out


def patterns(case) -> list:
    """Every copper pattern the case's steps will cut, in step order: the 3D mesh puts element faces on their
    edges."""
    return [p for k, st in enumerate(case.spec.steps) for p in kind_of(st).mesh_patterns(st, case, k)]


def layers_present_at(case, index: int) -> list:
    """Layers (bottom-up, model.stack.Layer) present before step `index` of the case, from the step list alone."""
    return walk(case.full_stack().layers, case.spec.steps[:index])[-1]
