"""Case files (TOML): a typed schema, converted to SI once, with one-line errors for bad input.

A case lists the layers bottom-up, the mesh, and the process steps in the patent's order:
cure -> cool -> bond -> cool -> (solder_float, dimensional_stability) -> etch -> tma.
Units are in the field names (thickness_um, temperature_C, load_kgf, speed_m_per_min, ...).
"""
from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .materials import ALLOWED_KEYS, RANGES, Material, load_library, material_from_dict
from .stack import Layer, Stack

G_N_PER_KGF = 9.80665


class CaseError(ValueError):
    """Bad case input; the message is one line naming the file, the field, the value and what is allowed."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


Temperature = Annotated[float, Field(ge=-100.0, le=600.0)]


class LayerSpec(_Strict):
    material: str
    thickness_um: float = Field(gt=0.0, le=5000.0)
    name: str | None = None


class MeshSpec(_Strict):
    model: Literal["plane_strain", "plate3d"] = "plane_strain"
    length_mm: float = Field(default=10.0, gt=0.0, le=1000.0)
    width_mm: float = Field(default=10.0, gt=0.0, le=1000.0)
    out_of_plane: Literal["free", "uniform", "fixed"] = "free"
    nx: int = Field(default=80, ge=4, le=20000)
    ny: int = Field(default=16, ge=2, le=5000)
    n_per_layer: int = Field(default=2, ge=1, le=50)
    edge_refinement: float = Field(default=0.25, gt=0.0, le=1.0)
    quadratic: bool = True
    solver: Literal["auto", "pardiso", "spsolve", "cg_amg"] = "auto"
    file: str | None = None  # external mesh in meshes/ (meshio), layers as physical groups


class Segment(_Strict):
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


class CureStep(_Strict):
    kind: Literal["cure"]
    segments: list[Segment] = Field(min_length=1)
    max_step_K: float = Field(default=25.0, gt=0.0, le=100.0)


class CoolStep(_Strict):
    kind: Literal["cool"]
    from_C: Temperature
    to_C: Temperature
    max_step_K: float = Field(default=25.0, gt=0.0, le=100.0)


class BondStep(_Strict):
    kind: Literal["bond"]
    roll_diameter_mm: float = Field(gt=0.0, le=5000.0)
    roll_width_mm: float = Field(gt=0.0, le=10000.0)
    temperature_C: Temperature
    load_kgf: float = Field(gt=0.0, le=1e6)
    speed_m_per_min: float = Field(gt=0.0, le=1000.0)
    foil_material: str = "copper_ed"
    foil_thickness_um: float = Field(default=35.0, gt=0.0, le=5000.0)
    mirror_base: bool = False  # Comparative example 6: a second base pressed resin to resin
    entry_temperature_C: Temperature = 25.0
    preheat_C: Temperature | None = None
    friction: float = Field(default=0.0, ge=0.0, le=2.0)
    nip_method: Literal["fem", "analytic", "none"] = "analytic"  # "fem": contact + plasticity FEM (slower)
    contact_conductance_W_per_m2K: float | None = Field(default=1e5, gt=0.0, le=1e9)  # None: roll T imposed
    max_step_K: float = Field(default=25.0, gt=0.0, le=100.0)


class EtchStep(_Strict):
    kind: Literal["etch"]
    side: Literal["top", "bottom", "both"]


class TmaStep(_Strict):
    kind: Literal["tma"]
    from_C: Temperature = 100.0
    to_C: Temperature = 250.0
    reference_C: Temperature = 25.0


class DimensionalStep(_Strict):
    kind: Literal["dimensional_stability"]
    dry_C: Temperature = 150.0
    dry_minutes: float = Field(default=30.0, ge=0.0)
    condition_C: Temperature = 21.0


class SolderStep(_Strict):
    kind: Literal["solder_float"]
    temperature_C: Temperature = 350.0
    minutes: float = Field(default=1.0, ge=0.0, le=60.0)


class CurlStep(_Strict):
    kind: Literal["curl"]
    length_mm: float = Field(default=100.0, ge=0.1, le=2000.0)
    width_mm: float = Field(default=100.0, ge=0.1, le=2000.0)
    shape: Literal["rectangle", "disc"] = "rectangle"
    table: bool = True
    gravity: bool = False
    n_inplane: int = Field(default=8, ge=2, le=64)  # quadratic hexes along each half side (converged by ~6, bench_curl.py)
    flat_lift_mm: float = Field(default=0.5, ge=0.0, le=100.0)  # below this lift the sample counts as flat


Step = Annotated[Union[CureStep, CoolStep, BondStep, EtchStep, TmaStep, DimensionalStep, SolderStep, CurlStep],
                 Field(discriminator="kind")]


class CaseSpec(_Strict):
    name: str
    description: str = ""
    initial_temperature_C: Temperature = 25.0
    materials: dict[str, dict] = Field(default_factory=dict)
    layers: list[LayerSpec] = Field(min_length=1)
    mesh: MeshSpec = Field(default_factory=MeshSpec)
    steps: list[Step] = Field(min_length=1)
    reference: dict = Field(default_factory=dict)  # e.g. {patent = "EP0496334A1", row = "Example 1"}
    meta: dict = Field(default_factory=dict)  # free-form, for outside tools


class Case:
    """A validated case: the schema plus resolved materials and the full stack (including bonded layers)."""

    def __init__(self, spec: CaseSpec, materials: dict[str, Material], source: str):
        self.spec = spec
        self.materials = materials
        self.source = source

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
            origin = "foil" if mat.kind == "metal" else "cast"
            layers.append(Layer(_layer_name(spec.name, mat, origin, counts), mat, spec.thickness_um * 1e-6, origin))
        return Stack(tuple(layers))

    def full_stack(self) -> Stack:
        """Every layer that will ever exist, bottom-up: the cast base plus whatever bond steps add on top."""
        stack = list(self.base_stack().layers)
        counts = {}
        for step in self.spec.steps:
            if step.kind != "bond":
                continue
            if step.mirror_base:
                base = [lay for lay in self.base_stack().layers]
                for lay in reversed(base):
                    stack.append(Layer(lay.name + "_mirror", lay.material, lay.thickness_m, "bonded"))
            else:
                mat = self.materials[step.foil_material]
                stack.append(Layer(_layer_name(None, mat, "bonded", counts), mat, step.foil_thickness_um * 1e-6,
                                   "bonded"))
        return Stack(tuple(stack))


def _layer_name(given, mat: Material, origin: str, counts: dict) -> str:
    if given:
        return given
    stem = {"foil": "cu_foil" if "copper" in mat.name else "foil", "cast": mat.name,
            "bonded": "cu_bonded" if "copper" in mat.name else "bonded_" + mat.name}[origin]
    counts[stem] = counts.get(stem, 0) + 1
    return stem if counts[stem] == 1 else f"{stem}_{counts[stem]}"


def _fmt_loc(loc) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f".{part}"
        elif part in ("cure", "cool", "bond", "etch", "tma", "dimensional_stability", "solder_float", "curl"):
            continue  # discriminator tag inserted by pydantic
        else:
            out += ("." if out else "") + str(part)
    return out


def _lookup(d, loc):
    cur = d
    for part in loc:
        try:
            cur = cur[part]
        except (KeyError, IndexError, TypeError):
            return None
    return cur


def load_case_dict(d: dict, source: str = "<case>") -> Case:
    """Validate a case given as a dict (as parsed from TOML); raise CaseError with a one-line message."""
    try:
        spec = CaseSpec.model_validate(d)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = [p for p in err["loc"]]
        field = _fmt_loc(loc)
        value = err.get("input", _lookup(d, loc))
        msg = err["msg"]
        if err["type"] == "missing":
            raise CaseError(f"{source}: field '{field}' is missing ({msg})") from None
        raise CaseError(f"{source}: field '{field}' = {value!r} is not allowed: {msg}") from None
    materials = _resolve_materials(spec, source)
    for i, lay in enumerate(spec.layers):
        if lay.material not in materials:
            raise CaseError(f"{source}: field 'layers.{i}.material' = {lay.material!r} is not allowed: "
                            f"use a library material ({', '.join(sorted(load_library()))}) or one under [materials]")
    _check_steps(spec, materials, source)
    return Case(spec, materials, source)


def load_case(path) -> Case:
    path = Path(path)
    if not path.is_file():
        raise CaseError(f"{path}: case file not found")
    try:
        d = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise CaseError(f"{path}: not valid TOML ({exc})") from None
    return load_case_dict(d, str(path))


def _resolve_materials(spec: CaseSpec, source: str) -> dict[str, Material]:
    lib = load_library()
    out = dict(lib)
    for name, raw in spec.materials.items():
        if not isinstance(raw, dict):
            raise CaseError(f"{source}: field 'materials.{name}' must be a table of properties")
        for key, val in raw.items():
            where = f"{source}: field 'materials.{name}.{key}'"
            if key not in ALLOWED_KEYS:
                raise CaseError(f"{where} is not a known property (allowed: {', '.join(ALLOWED_KEYS)})")
            v = val["value"] if isinstance(val, dict) and "value" in val else val
            if key in RANGES:
                lo, hi = RANGES[key]
                if not isinstance(v, (int, float)) or isinstance(v, bool) or not (lo <= v <= hi):
                    raise CaseError(f"{where} = {v!r} is not allowed: must be a number in [{lo:g}, {hi:g}]")
            if key == "kind" and v not in ("metal", "polymer"):
                raise CaseError(f"{where} = {v!r} is not allowed: must be 'metal' or 'polymer'")
        base = None
        if "base" in raw:
            if raw["base"] not in lib:
                raise CaseError(f"{source}: field 'materials.{name}.base' = {raw['base']!r} is not allowed: "
                                f"must be a library material ({', '.join(sorted(lib))})")
            base = lib[raw["base"]]
        else:
            for req in ("E_GPa", "nu"):
                if req not in raw:
                    raise CaseError(f"{source}: field 'materials.{name}.{req}' is missing (needed without 'base')")
        try:
            out[name] = material_from_dict(name, raw, base)
        except ValueError as exc:
            raise CaseError(f"{source}: field 'materials.{name}': {exc}") from None
    return out


def _check_steps(spec: CaseSpec, materials: dict, source: str) -> None:
    """Cross-field rules the schema alone cannot state."""
    nbond = 0
    for i, step in enumerate(spec.steps):
        where = f"{source}: field 'steps.{i}"
        if step.kind == "cool" and step.from_C == step.to_C:
            raise CaseError(f"{where}.to_C' = {step.to_C!r} is not allowed: must differ from from_C")
        if step.kind == "curl" and step.gravity and not step.table:
            raise CaseError(f"{where}.gravity' = True is not allowed with table = false: a free sample under its "
                            f"weight has no equilibrium (set table = true or gravity = false)")
        if step.kind == "curl" and step.gravity:
            used = [lay.material for lay in spec.layers] + [st.foil_material for st in spec.steps[:i] if st.kind == "bond"]
            light = [m for m in used if materials[m].density_kg_per_m3 is None]
            if light:
                raise CaseError(f"{where}.gravity' = True is not allowed: material {light[0]!r} has no "
                                f"density_kg_per_m3 (give one under [materials])")
        if step.kind == "tma" and not step.to_C > step.from_C > -100:
            raise CaseError(f"{where}.to_C' = {step.to_C!r} is not allowed: must be above from_C ({step.from_C})")
        if step.kind == "bond":
            nbond += 1
            if step.foil_material not in materials:
                raise CaseError(f"{where}.foil_material' = {step.foil_material!r} is not allowed: "
                                "must be a library material or one under [materials]")
            if step.temperature_C < step.entry_temperature_C:
                raise CaseError(f"{where}.temperature_C' = {step.temperature_C!r} is not allowed: must be at least "
                                f"the entry temperature ({step.entry_temperature_C} C)")
            if step.foil_thickness_um * 1e-3 >= step.roll_diameter_mm / 2:
                raise CaseError(f"{where}.foil_thickness_um' = {step.foil_thickness_um!r} is not allowed: "
                                "must be smaller than the roll radius")
        if step.kind == "bond":
            _check_nip(spec, materials, step, f"{where}'")
    if nbond > 1:
        raise CaseError(f"{source}: field 'steps' has {nbond} bond steps: at most one is allowed")
    if spec.mesh.model == "plate3d" and spec.mesh.n_per_layer > 4:
        raise CaseError(f"{source}: field 'mesh.n_per_layer' = {spec.mesh.n_per_layer} is not allowed for plate3d: "
                        "must be 1-4 (quadratic hexes need no more)")


def _check_nip(spec: CaseSpec, materials: dict, step, where: str) -> None:
    """The nip's own plausibility rules (layer thicker than the roll allows, preheat below entry, ...)."""
    from .nip import validate_nip
    from .window import nip_spec_for

    stack = Case(spec, materials, "").full_stack()
    try:
        validate_nip(nip_spec_for(stack, step, step.temperature_C, step.speed_m_per_min, step.load_kgf))
    except ValueError as exc:
        raise CaseError(f"{where} (roll nip): {exc}") from None
