"""Case files (TOML): a typed schema, converted to SI once, with one-line errors for bad input.

A case lists the layers bottom-up, the mesh, and the process steps in the patent's order:
cure -> cool -> bond -> cool -> (solder_float, dimensional_stability) -> etch -> tma.
Units are in the field names (thickness_um, temperature_C, load_kgf, speed_m_per_min, ...).
"""
from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated, Literal, Union

from pydantic import Field, ValidationError

from .errors import CaseError
from .model.materials import ALLOWED_KEYS, RANGES, Material, load_library, material_from_dict
from .model.stack import Layer, Stack
from .process import STEP_KINDS
from .process.etch import PATTERN_KINDS
from .process.step import Strict as _Strict
from .process.step import Temperature



class LayerSpec(_Strict):
    material: str
    thickness_um: float = Field(gt=0.0, le=5000.0)
    name: str | None = None


class MeshSpec(_Strict):
    # plane_strain: eps_zz = 0 (Abaqus CPE, CalculiX, ANSYS); generalized_plane_strain: eps_zz = a + b y with
    # free a, b (Abaqus CPEG: free out-of-plane strain and bending, the equi-biaxial state of a cut sample);
    # plate3d: 3D plate. No default: the meaning of "plane_strain" changed in 0.2 (it was generalized).
    model: Literal["plane_strain", "generalized_plane_strain", "plate3d"]
    length_mm: float = Field(default=10.0, gt=0.0, le=1000.0)
    width_mm: float = Field(default=10.0, gt=0.0, le=1000.0)
    out_of_plane: Literal["bending", "uniform"] | None = None  # generalized_plane_strain only (default bending)
    nx: int = Field(default=80, ge=4, le=20000)
    ny: int = Field(default=16, ge=2, le=5000)
    n_per_layer: int = Field(default=2, ge=1, le=50)
    edge_refinement: float = Field(default=0.25, gt=0.0, le=1.0)
    quadratic: bool = True
    element: Literal["lagrange", "serendipity"] = "lagrange"  # quadratic family: 9/27-node or 8/20-node
    solver: Literal["auto", "pardiso", "spsolve", "cg_amg"] = "auto"
    file: str | None = None  # external mesh in meshes/ (meshio), layers as physical groups


class PhysicsSpec(_Strict):
    """Which time- and moisture-dependent mechanisms run (issue 13); all on by default. All off is the elastic
    model of 0.2 (thermoplastic layers fully relaxed above Tg, dry films)."""
    viscoelastic: bool = True  # Prony relaxation of the materials that have a series
    copper_plasticity: bool = True  # J2 yield of the metal foils in thermal steps (2D models)
    moisture: bool = True  # water uptake and swelling in condition / pressure_cooker / hold steps


Step = Annotated[Union[tuple(k.spec for k in STEP_KINDS.values())], Field(discriminator="kind")]


class CaseSpec(_Strict):
    name: str
    description: str = ""
    initial_temperature_C: Temperature = 25.0
    materials: dict[str, dict] = Field(default_factory=dict)
    layers: list[LayerSpec] = Field(min_length=1)
    mesh: MeshSpec
    steps: list[Step] = Field(min_length=1)
    physics: PhysicsSpec = Field(default_factory=PhysicsSpec)
    reference: dict = Field(default_factory=dict)  # e.g. {patent = "EP0496334A1", row = "Example 1"}
    meta: dict = Field(default_factory=dict)  # free-form, for outside tools


class Case:
    """A validated case: the schema plus resolved materials and the full stack (including bonded layers)."""

    def __init__(self, spec: CaseSpec, materials: dict[str, Material], source: str):
        self.spec = spec
        self.materials = materials
        self.source = source
        self.notes: list[str] = []  # one-line remarks for the user (printed by the CLI, kept in summary.json)

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
    for k, part in enumerate(loc):
        if isinstance(part, int):
            out += f".{part}"
        elif part in STEP_KINDS or (k and loc[k - 1] == "pattern" and part in PATTERN_KINDS):
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


LEGACY_MODEL = ("write model = 'generalized_plane_strain' for the former default (free out-of-plane strain and "
                "bending, the curl of a cut sample), 'plane_strain' for eps_zz = 0, or 'plate3d'")


def _legacy_mesh(d: dict, source: str) -> None:
    """Cases written before 0.2 (when "plane_strain" meant generalized plane strain) get told what to write."""
    mesh = d.get("mesh") if isinstance(d, dict) else None
    if not isinstance(mesh, dict) or "model" not in mesh:
        raise CaseError(f"{source}: field 'mesh.model' is missing: {LEGACY_MODEL}")
    oop = mesh.get("out_of_plane")
    if oop in ("free", "fixed") or (oop == "uniform" and mesh.get("model") == "plane_strain"):
        new = {"free": "model = 'generalized_plane_strain' (out_of_plane = 'bending', the default)",
               "uniform": "model = 'generalized_plane_strain' with out_of_plane = 'uniform'",
               "fixed": "model = 'plane_strain' without out_of_plane"}[oop]
        raise CaseError(f"{source}: field 'mesh.out_of_plane' = {oop!r} is not allowed since 0.2: write {new}")


def load_case_dict(d: dict, source: str = "<case>") -> Case:
    """Validate a case given as a dict (as parsed from TOML); raise CaseError with a one-line message."""
    _legacy_mesh(d, source)
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
    case = Case(spec, materials, source)
    _check_mesh(case)
    if spec.mesh.model == "plane_strain":
        case.notes.append(f"{source}: mesh.model = 'plane_strain' is classical plane strain (eps_zz = 0) since 0.2; "
                          "the former meaning (free out-of-plane strain and bending) is 'generalized_plane_strain'")
    _check_steps(case)
    return case


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
    """The 2D out-of-plane state physics/elastic.py builds for the case's model."""
    if mesh_spec.model == "plane_strain":
        return "fixed"
    return {"bending": "free", "uniform": "uniform", None: "free"}[mesh_spec.out_of_plane]


def _check_steps(case: Case) -> None:
    """Cross-field rules the schema alone cannot state: each step kind's own `check`."""
    for i, step in enumerate(case.spec.steps):
        kind = STEP_KINDS[step.kind]
        if kind.check is not None:
            kind.check(step, case, i)
