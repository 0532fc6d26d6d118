"""Case files (TOML): a typed schema, converted to SI once, with one-line errors for bad input.

A case lists the layers bottom-up, the mesh, and the process steps in the patent's order:
cure -> cool -> bond -> cool -> (solder_float, dimensional_stability) -> etch -> tma.
Units are in the field names (thickness_um, temperature_C, load_kgf, speed_m_per_min, ...).
"""
from __future__ import annotations

import functools
import math
import tomllib
from pathlib import Path
from types import UnionType
from typing import Annotated, Literal, Union, get_args, get_origin

from pydantic import BaseModel, Field, StringConstraints, ValidationError, create_model

from .errors import CaseError
from .model.interfaces import merged_table
from .model.materials import Material, load_library, material_from_dict
from .model.stack import Layer, Stack
from .physics.laws import check_material, switches
from .process import STEP_KINDS
from .process.etch import PATTERN_KINDS
from .process.step import MAX_INCREMENTS_PER_CASE, MAX_INCREMENTS_PER_STEP, Identifier, layer_name
from .process.step import Strict as _Strict
from .process.step import Temperature
from .sizing import check_size
from .suggest import did_you_mean

MAX_LAYERS = 50  # the patent's laminates have 2-7; 50 keeps the mesh and the interface tables sane
MAX_STEPS = 100
MAX_CASE_BYTES = 1_000_000  # a case file is a few kB; anything near a MB is not a case file
# The case name is free text (it titles plots and the summary) but one printable line of sane length.
CaseName = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f-\x9f]*$")]
Description = Annotated[str, StringConstraints(max_length=5000, pattern=r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f]*$")]



class LayerSpec(_Strict):
    material: Identifier = Field(description="A library material (`fem-laminate materials`) or one defined under "
                                             "[materials].")
    thickness_um: float = Field(ge=0.1, le=5000.0, description="Layer thickness, micrometres.")  # a seed layer: 0.1 um
    name: Identifier | None = Field(default=None, description="Layer name in results (default: from the material).")


class MeshSpec(_Strict):
    # plane_strain: eps_zz = 0 (Abaqus CPE, CalculiX, ANSYS); generalized_plane_strain: eps_zz = a + b y with
    # free a, b (Abaqus CPEG: free out-of-plane strain and bending, the equi-biaxial state of a cut sample);
    # plate3d: 3D plate. No default: the meaning of "plane_strain" changed in 0.2 (it was generalized).
    model: Literal["plane_strain", "generalized_plane_strain", "plate3d"] = Field(
        description="plane_strain: eps_zz = 0; generalized_plane_strain: free out-of-plane strain and bending (a cut "
                    "sample); plate3d: 3D plate.")
    length_mm: float = Field(default=10.0, ge=0.1, le=1000.0, description="Sample length, millimetres.")
    width_mm: float = Field(default=10.0, ge=0.1, le=1000.0, description="Sample width (plate3d), millimetres.")
    out_of_plane: Literal["bending", "uniform"] | None = Field(
        default=None, description="generalized_plane_strain only: 'bending' (default) or 'uniform' out-of-plane "
                                  "strain.")
    nx: int = Field(default=80, ge=4, le=20000, description="Elements along the length.")
    ny: int = Field(default=16, ge=2, le=5000, description="Elements along the width (plate3d).")
    n_per_layer: int = Field(default=2, ge=1, le=50, description="Elements through each layer's thickness.")
    edge_refinement: float = Field(default=0.25, gt=0.0, le=1.0,
                                   description="Element size at the free edges relative to the middle (1: uniform).")
    quadratic: bool = Field(default=True, description="Quadratic elements (false: linear).")
    element: Literal["lagrange", "serendipity"] = Field(  # quadratic family: 9/27-node or 8/20-node
        default="lagrange", description="Quadratic element family: lagrange (9/27-node) or serendipity (8/20-node).")
    solver: Literal["auto", "pardiso", "spsolve", "cg_plate", "cg_amg"] = Field(
        default="auto", description="Linear solver (auto: chosen by size and model).")
    etch_pattern_model: Literal["resolved", "homogenized", "auto"] = Field(
        default="resolved", description="A patterned etch: resolved in the 3D mesh, homogenized (periodic unit cells "
                                        "on a thin plate), or auto (resolved where it fits this machine's memory).")
    file: Annotated[str, StringConstraints(min_length=1, max_length=1000)] | None = Field(  # external mesh
        default=None, description="External mesh file (meshio) with the layers as physical groups, relative to the "
                                  "case file.")
    # in meshes/ (meshio), layers as physical groups


# [physics]: one switch per switchable material law of the registry (physics/laws), all on by default; a law
# runs where the material has its data. All off is the elastic model (thermoplastic layers fully relaxed above
# Tg, dry films, no yield, no cure shrinkage). viscoelastic: Prony relaxation; copper_plasticity: J2 yield;
# copper_creep: power-law creep in timed steps; moisture: water uptake and swelling; cure_shrinkage: the
# imidization shrinkage of cast polyimides.
PhysicsSpec = create_model("PhysicsSpec", __base__=_Strict, **{
    s: (bool, Field(default=True, description=f"The {s.replace('_', ' ')} law where a material has its data "
                                              "(false: off).")) for s in switches()})


def _steps_union(specs: tuple):
    return Annotated[Union[specs], Field(discriminator="kind")]


Step = _steps_union(tuple(k.spec for k in STEP_KINDS.values()))


class CaseSpec(_Strict):
    name: CaseName = Field(description="Case name (titles the summary and plots).")
    description: Description = Field(default="", description="Free text.")
    initial_temperature_C: Temperature = Field(default=25.0, description="Temperature the case starts at, degrees "
                                                                         "Celsius.")
    materials: dict[Identifier, dict] = Field(
        default_factory=dict, max_length=100,
        description="Materials of this case by name: properties with units in their names (E_GPa, nu, cte_per_K, "
                    "Tg_C, ...), optionally 'base' = a library material whose other properties are kept.")
    interfaces: dict[Annotated[str, StringConstraints(max_length=200)], dict] = Field(
        default_factory=dict, max_length=200,
        description="Interface data by the two material names in alphabetical order joined by '|' (e.g. "
                    "'copper_ed|pi_IV'): bonded_toughness_J_per_m2, cast_toughness_J_per_m2, ...; merged field by "
                    "field over the library's [interfaces].")
    layers: list[LayerSpec] = Field(min_length=1, max_length=MAX_LAYERS, description="The layers, bottom-up.")
    mesh: MeshSpec = Field(description="Model and mesh.")
    steps: list[Step] = Field(min_length=1, max_length=MAX_STEPS, description="Process steps and tests, in order.")
    physics: PhysicsSpec = Field(default_factory=PhysicsSpec, description="Material laws on/off (all on by default).")
    reference: dict = Field(default_factory=dict,  # e.g. {patent = "EP0496334A1", row = "Example 1"}
                            description="Where the case comes from, e.g. {patent = 'EP0496334A1', row = 'Example 1'}.")
    meta: dict = Field(default_factory=dict, description="Free-form, for outside tools.")


@functools.lru_cache(maxsize=8)
def _schema(specs: tuple) -> type:
    return create_model("CaseSpec", __base__=CaseSpec,
                        steps=(list[_steps_union(specs)], Field(min_length=1, max_length=MAX_STEPS,
                                                                description="Process steps and tests, in order.")))


def case_schema() -> type:
    """The case schema for the step kinds registered now (CaseSpec unless a kind was registered since import)."""
    specs = tuple(k.spec for k in STEP_KINDS.values())
    return CaseSpec if specs == _IMPORTED_SPECS else _schema(specs)


_IMPORTED_SPECS = tuple(k.spec for k in STEP_KINDS.values())


class Case:
    """A validated case: the schema plus resolved materials and the full stack (including bonded layers)."""

    def __init__(self, spec: CaseSpec, materials: dict[str, Material], source: str):
        self.spec = spec
        self.materials = materials
        self.source = source
        self.notes: list[str] = []  # one-line remarks for the user (printed by the CLI, kept in summary.json)
        self.external_mesh = None  # the [mesh] file as read (and checked) when the case loaded
        self.interfaces = None  # the interface table, library merged with the case's [interfaces]

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def steps(self):
        return self.spec.steps

    @property
    def layers(self):
        return self.spec.layers

    def base_stack(self) -> Stack:
        layers, counts = [], {}
        for spec in self.spec.layers:
            mat = self.materials[spec.material]
            origin = "foil" if mat.is_metal else "cast"
            layers.append(Layer(layer_name(spec.name, mat, origin, counts), mat, spec.thickness_um * 1e-6, origin))
        return Stack(tuple(layers), interfaces=self.interfaces)

    def full_stack(self) -> Stack:
        """Every layer that will ever exist, bottom-up: the cast base plus whatever the steps bring on top (their
        kinds' `new_layers`: a bond's foil)."""
        stack = list(self.base_stack().layers)
        counts = {}  # generated names, numbered across the steps
        for step in self.spec.steps:
            stack += STEP_KINDS[step.kind].new_layers(step, self, counts)
        return Stack(tuple(stack), interfaces=self.interfaces)


def _schema_message(errors: list, d: dict, source: str) -> str:
    """The one line for pydantic's errors. An unknown key comes first (it is usually why a field "is missing"), then
    an unknown step kind, then the first error as pydantic orders them; each with a "did you mean" where one fits."""
    first = (next((e for e in errors if e["type"] == "extra_forbidden"), None)
             or next((e for e in errors if e["type"] == "union_tag_invalid"), None) or errors[0])
    loc = list(first["loc"])
    if first["type"] == "extra_forbidden":
        where, key = _fmt_loc(loc[:-1]), loc[-1]
        allowed = _fields_at(loc[:-1])
        hint = did_you_mean(key, allowed)
        if not hint and allowed:
            hint = f" (allowed: {', '.join(allowed)})"
        return f"{source}: {where + ': ' if where else ''}unknown field {_short(str(key), 42)}{hint}"
    if first["type"] == "union_tag_invalid":
        where, tag = _fmt_loc(loc), first.get("ctx", {}).get("tag")
        kinds = PATTERN_KINDS if loc and loc[-1] == "pattern" else tuple(STEP_KINDS)
        what = "pattern kind" if kinds is PATTERN_KINDS else "step kind"
        return (f"{source}: {where}: unknown {what} {_short(tag, 42)}{did_you_mean(tag, kinds)} "
                f"(allowed: {', '.join(kinds)})")
    field = _fmt_loc(loc)
    value = first.get("input", _lookup(d, loc))
    if first["type"] == "missing":
        return f"{source}: field '{field}' is missing ({first['msg']})"
    return f"{source}: field '{field}' = {_short(value)} is not allowed: {_clean(first['msg'], 400)}"


def _unknown_top_level(d: dict, source: str) -> None:
    """An unknown top-level key or table, named before anything else (a misspelt [mesh] is not a missing one)."""
    allowed = list(case_schema().model_fields)
    for key, value in d.items():
        if key not in allowed:
            if isinstance(value, dict):
                hint = did_you_mean(key, allowed, "[{}]")
                raise CaseError(f"{source}: unknown table [{_clean(key, 40)}]{hint or ' (allowed: ' + ', '.join(allowed) + ')'}")
            if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
                hint = did_you_mean(key, allowed, "[[{}]]")
                raise CaseError(f"{source}: unknown table [[{_clean(key, 40)}]]{hint or ' (allowed: ' + ', '.join(allowed) + ')'}")
            hint = did_you_mean(key, allowed)
            raise CaseError(f"{source}: unknown field {_short(key, 42)}{hint or ' (allowed: ' + ', '.join(allowed) + ')'}")


def _models(tp) -> list:
    """The pydantic models a field's type holds (through Annotated, Optional/Union and list), not free dicts."""
    origin = get_origin(tp)
    if origin is Annotated:
        return _models(get_args(tp)[0])
    if origin in (Union, UnionType, list, tuple):
        return [m for a in get_args(tp) for m in _models(a)]
    return [tp] if isinstance(tp, type) and issubclass(tp, BaseModel) else []


def _tag_of(model) -> str | None:
    f = model.model_fields.get("kind")
    args = get_args(f.annotation) if f is not None else ()
    return args[0] if len(args) == 1 and isinstance(args[0], str) else None


def _fields_at(loc) -> list[str]:
    """The keys allowed in the table at a pydantic error location (step kind tags and list indices included)."""
    models = [case_schema()]
    for part in loc:
        if isinstance(part, int):
            continue
        tagged = [m for m in models if _tag_of(m) == part]
        if len(models) > 1 and tagged:
            models = tagged
            continue
        models = [m for c in models if part in c.model_fields for m in _models(c.model_fields[part].annotation)]
    return list(models[0].model_fields) if len(models) == 1 else []


def _fmt_loc(loc) -> str:
    out = ""
    for k, part in enumerate(loc):
        if isinstance(part, int):
            out += f".{part}"
        elif part in STEP_KINDS or (k and loc[k - 1] == "pattern" and part in PATTERN_KINDS):
            continue  # discriminator tag inserted by pydantic
        else:
            text = str(part)
            if len(text) > 40 or not text.isprintable():  # a key is user text too: shown escaped and cut
                text = _short(text, 40)
            out += ("." if out else "") + text
    return out


def _lookup(d, loc):
    cur = d
    for part in loc:
        try:
            cur = cur[part]
        except (KeyError, IndexError, TypeError):
            return None
    return cur


LEGACY_MODEL = ("write model = 'generalized_plane_strain' for the former default (free out-of-plane strain and "
                "bending, the curl of a cut sample), 'plane_strain' for eps_zz = 0, or 'plate3d'")


def _legacy_mesh(d: dict, source: str) -> None:
    """Cases written before 0.2 (when "plane_strain" meant generalized plane strain) get told what to write."""
    mesh = d.get("mesh") if isinstance(d, dict) else None
    if isinstance(mesh, dict) and "model" not in mesh:
        for key in mesh:  # a misspelt model = ... is named as the unknown key it is
            if key not in MeshSpec.model_fields:
                raise CaseError(f"{source}: mesh: unknown field {_short(str(key), 42)}"
                                f"{did_you_mean(key, MeshSpec.model_fields)}")
    if not isinstance(mesh, dict) or "model" not in mesh:
        raise CaseError(f"{source}: field 'mesh.model' is missing: {LEGACY_MODEL}")
    oop = mesh.get("out_of_plane")
    if oop in ("free", "fixed") or (oop == "uniform" and mesh.get("model") == "plane_strain"):
        new = {"free": "model = 'generalized_plane_strain' (out_of_plane = 'bending', the default)",
               "uniform": "model = 'generalized_plane_strain' with out_of_plane = 'uniform'",
               "fixed": "model = 'plane_strain' without out_of_plane"}[oop]
        raise CaseError(f"{source}: field 'mesh.out_of_plane' = {oop!r} is not allowed since 0.2: write {new}")


def _short(v, n: int = 60) -> str:
    """A value as it appears in a message: its repr, cut (a 200,000-character name is not echoed whole)."""
    r = repr(v)
    return r if len(r) <= n else r[:n - 3] + "..."


def _clean(text: str, n: int) -> str:
    """A message part on one line: control characters escaped (a tag may hold a newline), cut to n characters."""
    flat = "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(text))
    return flat if len(flat) <= n else flat[:n - 3] + "..."


def load_case_dict(d: dict, source: str = "<case>") -> Case:
    """Validate a case given as a dict (as parsed from TOML).

    Everything a run could trip over is refused here, before any allocation: types and ranges (schema),
    materials, names, the stack each step acts on (the kinds' `check`), the number of thermoelastic increments,
    and the size of the mesh against the memory of this machine (sizing.py).

    Parameters
    ----------
    d : dict
        The case's tables as Python dicts and lists (units in the key names, as in a case file).
    source : str
        What the messages call the case (a file name).

    Returns
    -------
    Case
        The validated case: its typed spec, its materials (library and own) and its full stack.

    Raises
    ------
    CaseError
        One line naming the source, the field, its value and what is allowed.
    """
    if not isinstance(d, dict):
        raise CaseError(f"{source}: a case is a table of fields, got {type(d).__name__}")
    _unknown_top_level(d, source)
    _legacy_mesh(d, source)
    try:
        spec = case_schema().model_validate(d)
    except ValidationError as exc:
        raise CaseError(_schema_message(exc.errors(), d, source)) from None
    materials = _resolve_materials(spec, source)
    for i, lay in enumerate(spec.layers):
        if lay.material not in materials:
            raise CaseError(f"{source}: field 'layers.{i}.material' = {lay.material!r} is not allowed"
                            f"{did_you_mean(lay.material, materials)}: use a library material "
                            f"({', '.join(sorted(load_library()))}) or one under [materials]")
    for i, step in enumerate(spec.steps):
        foil = getattr(step, "foil_material", None)
        if foil is not None and foil not in materials:
            raise CaseError(f"{source}: field 'steps.{i}.foil_material' = {_short(foil)} is not allowed"
                            f"{did_you_mean(foil, materials)}: must be a library material or one under [materials]")
    case = Case(spec, materials, source)
    try:
        case.interfaces = merged_table(spec.interfaces, materials)
    except ValueError as exc:
        raise CaseError(f"{source}: {exc}") from None
    _check_layer_names(case)
    _check_mesh(case)
    if spec.mesh.model == "plane_strain":
        case.notes.append(f"{source}: mesh.model = 'plane_strain' is classical plane strain (eps_zz = 0) since 0.2; "
                          "the former meaning (free out-of-plane strain and bending) is 'generalized_plane_strain'")
    _check_steps(case)
    _check_increments(case)
    check_size(case)
    return case


def load_case(path) -> Case:
    """Read and validate a case file (TOML).

    Parameters
    ----------
    path : str or pathlib.Path
        The case file.

    Returns
    -------
    Case
        The validated case (see `load_case_dict`).

    Raises
    ------
    CaseError
        One line: a file that is missing, unreadable, too large, not UTF-8 or not TOML, and every field
        `load_case_dict` refuses.
    """
    return load_case_dict(read_case_toml(path), str(path))


def read_case_toml(path) -> dict:
    """The raw table of a case file (not validated); CaseError for a missing, unreadable, oversized, non-UTF-8
    or non-TOML file."""
    path = Path(path)
    if not path.is_file():
        raise CaseError(f"{path}: case file not found")
    try:
        size = path.stat().st_size
        if size > MAX_CASE_BYTES:
            raise CaseError(f"{path}: the file has {size} bytes: not a case file (allowed: at most "
                            f"{MAX_CASE_BYTES} bytes of UTF-8 TOML)")
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CaseError(f"{path}: not a UTF-8 text file (byte {exc.start}: {exc.reason}); save the case as "
                        "UTF-8 TOML") from None
    except OSError as exc:
        raise CaseError(f"{path}: cannot read the case file ({exc.strerror or exc})") from None
    try:
        d = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CaseError(f"{path}: not valid TOML ({exc})") from None
    except RecursionError:
        raise CaseError(f"{path}: not valid TOML (nested too deeply)") from None
    return d


def _resolve_materials(spec: CaseSpec, source: str) -> dict[str, Material]:
    """Library materials plus the case's [materials]; every key, type and range checked (model/materials.py)."""
    lib = load_library()
    out = dict(lib)
    for name, raw in spec.materials.items():
        if not isinstance(raw, dict):
            raise CaseError(f"{source}: field 'materials.{name}' = {_short(raw)} is not allowed: must be a table "
                            "of properties")
        base = None
        if "base" in raw:
            b = raw["base"]
            if not isinstance(b, str) or b not in lib:
                raise CaseError(f"{source}: field 'materials.{name}.base' = {_short(b)} is not allowed"
                                f"{did_you_mean(b, lib)}: must be the name of a library material "
                                f"({', '.join(sorted(lib))})")
            base = lib[b]
        try:
            out[name] = material_from_dict(name, raw, base)
            check_material(out[name])  # the laws' own data tables
        except ValueError as exc:
            msg = str(exc)
            if msg.startswith("field '") and not msg.startswith("field 'materials."):
                msg = msg.replace("field '", f"field 'materials.{name}.", 1)
            raise CaseError(f"{source}: {msg}" if msg.startswith("field ") else
                            f"{source}: field 'materials.{name}': {msg}") from None
    return out


def _check_layer_names(case: Case) -> None:
    """Layer names key the summary, the interface labels "lower/upper" and the external mesh's groups:
    each must be unique in the full stack (given names and the generated ones)."""
    seen = {}
    for k, lay in enumerate(case.full_stack().layers):
        if lay.name in seen:
            raise CaseError(f"{case.source}: layer name {lay.name!r} is used twice (layers {seen[lay.name]} and {k} "
                            "of the full stack, bonded foils included): give each layer its own name")
        seen[lay.name] = k


def _check_increments(case: Case) -> None:
    """A temperature step of max_step_K over a long span, or a cure of many segments, must not turn into hours
    of thermoelastic increments: refuse more than MAX_INCREMENTS_PER_STEP (and per case) at load."""
    T, total = case.spec.initial_temperature_C, 0
    for i, step in enumerate(case.spec.steps):
        targets = _temperature_targets(step)
        max_step = getattr(step, "max_step_K", None)
        n = 0
        for target in targets:
            if max_step:
                n += math.ceil(abs(target - T) / max_step)
            T = target
        if n > MAX_INCREMENTS_PER_STEP:
            raise CaseError(f"{case.source}: field 'steps.{i}.max_step_K' = {max_step!r} is not allowed here: the "
                            f"step would take up to {n} thermoelastic increments (allowed: at most "
                            f"{MAX_INCREMENTS_PER_STEP}; use a larger max_step_K or fewer segments)")
        total += n
        if total > MAX_INCREMENTS_PER_CASE:
            raise CaseError(f"{case.source}: field 'steps' is not allowed: up to step {i} the case would take "
                            f"{total} thermoelastic increments (allowed: at most {MAX_INCREMENTS_PER_CASE}; use "
                            "larger max_step_K values)")


def _temperature_targets(step) -> list[float]:
    """The temperatures a process step drives the laminate through, in order (a test on a copy: none)."""
    kind = STEP_KINDS[step.kind]
    return [] if kind.on_copy else list(kind.temperatures(step))


def _check_mesh(case: Case) -> None:
    """The mesh controls' cross-field rules, and what an old case (before 0.2) must now write."""
    m, source = case.spec.mesh, case.source
    if m.model == "plane_strain" and m.out_of_plane is not None:
        raise CaseError(f"{source}: field 'mesh.out_of_plane' = {m.out_of_plane!r} is not allowed with model = "
                        "'plane_strain' (eps_zz = 0): for free out-of-plane strain write model = "
                        "'generalized_plane_strain'")
    if m.model == "plate3d" and m.out_of_plane is not None:
        raise CaseError(f"{source}: field 'mesh.out_of_plane' = {m.out_of_plane!r} is not allowed with model = "
                        "'plate3d' (2D models only)")
    if m.model == "plate3d" and m.n_per_layer > 4:
        raise CaseError(f"{source}: field 'mesh.n_per_layer' = {m.n_per_layer} is not allowed for plate3d: "
                        "must be 1-4 (quadratic hexes need no more)")


def out_of_plane(mesh_spec) -> str:
    """The 2D out-of-plane state physics/fe/elastic.py builds for the case's model."""
    if mesh_spec.model == "plane_strain":
        return "fixed"
    return {"bending": "free", "uniform": "uniform", None: "free"}[mesh_spec.out_of_plane]


def _check_steps(case: Case) -> None:
    """Cross-field rules the schema alone cannot state: each step kind's own `check`."""
    for i, step in enumerate(case.spec.steps):
        kind = STEP_KINDS[step.kind]
        if kind.check is not None:
            kind.check(step, case, i)
