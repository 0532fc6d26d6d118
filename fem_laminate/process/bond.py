"""Hot roll-press bonding of the second foil (the patent's second stage, Table 1).

The base is heated to the roll temperature; the new foil (or, for Comparative example 6, a second base turned
over, resin to resin) is pressed on in the roll nip. The nip (physics/models/nip.py: contact, copper plasticity, heat
through the strip) gives the bonding interface its pressure and temperature histories; after the nip the strip
cools in still air (physics/models/nip.py air_cooling_tail) and the interface keeps healing until it is glassy again;
the bonding model (physics/correlations/bonding.py: intimate contact and healing) turns the whole history into a degree of
bonding and a peel strength.
The bonded foil is born stress-free at the bonding temperature, resting on the molten bonding layer.

Reads: the laminate state, the step's roll geometry and operating point. Puts a BondResult (summary blocks
``nip`` and ``bond``; the peel step's force joins the bond block in peel.summarize); files
``nip/nip_pressure.csv|png``, ``nip/nip_temperature.csv|png``, ``nip/nip_field.vtu`` (FEM nip).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import Field

from ..errors import CaseError, ProcessError
from ..model.materials import Material
from ..model.stack import Layer
from ..model.interfaces import table_of
from ..physics.correlations import bonding as bd
from ..physics.models.nip import NipSpec, air_cooling_tail, solve_nip, validate_nip
from ..physics.models.laminate import give_birth
from ..physics.models.schedule import change_temperature
from ..units import N_PER_KGF
from .step import (MaxStep, Strict, StepKind, Temperature, base_layers, ensure_started, layer_name,
                   layers_present_at, step_summary)


class Spec(Strict):
    kind: Literal["bond"]
    roll_diameter_mm: float = Field(gt=0.0, le=5000.0)
    roll_width_mm: float = Field(gt=0.0, le=10000.0)
    temperature_C: Temperature
    load_kgf: float = Field(gt=0.0, le=1e6)
    speed_m_per_min: float = Field(gt=0.0, le=1000.0)
    foil_material: str = Field(default="copper_ed", max_length=64)
    foil_thickness_um: float = Field(default=35.0, ge=0.1, le=5000.0)
    mirror_base: bool = False  # Comparative example 6: a second base pressed resin to resin
    entry_temperature_C: Temperature = 25.0
    preheat_C: Temperature | None = None
    friction: float = Field(default=0.0, ge=0.0, le=2.0)
    # "auto": the analytic nip inside its range (elastic strip, thin against the contact, contact small against the
    # roll), the contact + plasticity FEM outside it; "analytic" keeps the closed form and flags it; "fem" always
    nip_method: Literal["auto", "fem", "analytic", "none"] = "auto"
    contact_conductance_W_per_m2K: float | None = Field(default=1e5, gt=0.0, le=1e9)  # None: roll T imposed
    max_step_K: MaxStep = 25.0


@dataclass(frozen=True)
class BondResult:
    """The nip and the bond it made, as predict_bond gives it (bond line, interface, surface, degrees of contact,
    healing and bonding, peel); both None with nip_method = "none" (nothing computed)."""
    nip: dict | None
    bond: dict | None

    def blocks(self) -> dict:
        return {} if self.bond is None else {"nip": dict(self.nip), "bond": dict(self.bond)}


def new_layers(spec, case, counts: dict) -> list[Layer]:
    """The layers the nip presses on: the foil, or (mirror_base) the base turned over."""
    if spec.mirror_base:
        return [Layer(lay.name + "_mirror", lay.material, lay.thickness_m, "bonded")
                for lay in reversed(case.base_stack().layers)]
    mat = case.materials[spec.foil_material]
    return [Layer(layer_name(None, mat, "bonded", counts), mat, spec.foil_thickness_um * 1e-6, "bonded")]


def adds_layers(spec, present, stack) -> list[Layer]:
    """Every layer no step has brought in yet joins in the nip (the case has one bond step)."""
    return [lay for lay in stack if lay not in base_layers(stack) and not any(lay is p for p in present)]


# -- what the bonding model needs from the laminate ------------------------------------------------------
@dataclass(frozen=True)
class BondSetup:
    """The resin surface(s), the interface type and the bond step."""
    surface: Material
    counter_surface: Material | None
    interface: str  # "Cu-PI" | "PI-PI"
    cast_interfaces: dict  # name -> interface type, the other interfaces in the peel path (fully bonded)
    step: object  # Spec
    bond_line: str = "bond line"  # name of the interface the nip forms, "lower/upper" layer names


def bond_setup(case) -> BondSetup:
    """The setup of a case's (single) bond step."""
    steps = [s for s in case.steps if s.kind == "bond"]
    if not steps:
        raise CaseError(f"{case.source}: case {case.name!r} has no bond step (allowed: exactly one)")
    return bond_setup_from_stack(case.full_stack(), steps[0])


def bond_setup_from_stack(stack, step) -> BondSetup:
    """Surface resin = top layer of the base; PI-PI when the step presses a mirrored base."""
    base = [lay for lay in stack.layers if lay.origin != "bonded"]
    added = [lay for lay in stack.layers if lay.origin == "bonded"]
    if not base:
        raise ValueError("stack has no base layers to bond onto (allowed: at least one cast/foil layer)")
    surface = base[-1].material
    if surface.is_metal:
        raise ValueError(f"top layer {base[-1].name!r} of the base is {surface.name!r}: must be a polymer to bond")

    def interfaces_of(layers):
        return {f"{lo.name}/{hi.name}": "Cu-PI" if lo.material.is_metal or hi.material.is_metal else "PI-PI"
                for lo, hi in zip(layers[:-1], layers[1:])}

    cast = interfaces_of(base)
    line = f"{base[-1].name}/{added[0].name}" if added else "bond line"
    if step.mirror_base:
        cast.update(interfaces_of(added))  # the mirrored base was cast too
        return BondSetup(surface, surface, "PI-PI", cast, step, line)
    return BondSetup(surface, None, "Cu-PI", cast, step, line)


def nip_spec_for(stack, step, temperature_C: float, speed_m_per_min: float, load_kgf: float) -> NipSpec:
    """The nip of a Stack (base + layers the nip adds, bottom-up) under a bond step at one operating point."""
    layers = list(stack.layers)
    n_base = sum(lay.origin != "bonded" for lay in layers)
    return NipSpec(roll_radius_m=step.roll_diameter_mm * 1e-3 / 2.0, roll_width_m=step.roll_width_mm * 1e-3,
                   load_N=load_kgf * N_PER_KGF, speed_m_per_s=speed_m_per_min / 60.0,
                   roll_temperature_C=temperature_C, entry_temperature_C=step.entry_temperature_C,
                   preheat_temperature_C=step.preheat_C, friction=step.friction,
                   layers=[(lay.material, lay.thickness_m) for lay in layers], bond_interface=n_base - 1,
                   contact_conductance_W_per_m2K=getattr(step, "contact_conductance_W_per_m2K", 1e5))


def healing_Tg_C(setup: BondSetup) -> float | None:
    """Tg of the surface that controls healing (the glassier one of a resin-resin pair); None: never heals."""
    Tgs = [m.Tg_C for m in (setup.surface, setup.counter_surface) if m is not None]
    return None if any(Tg is None for Tg in Tgs) else max(Tgs)


def bond_history(t_s, T_C, p_Pa, spec: NipSpec, setup: BondSetup):
    """The nip's interface history continued after the nip by the strip's cooling in still air (p = 0) until the
    interface is below the controlling Tg: the interface heals for as long as it is above Tg, not only in the
    nip (the nip's own history stops a few dwells after the contact, ~100 K above Tg at 400 C).

    Returns (t_s, T_C, p_Pa, after_nip_s) with after_nip_s the added time.
    """
    t, T, p = (np.asarray(a, dtype=float) for a in (t_s, T_C, p_Pa))
    Tg = healing_Tg_C(setup)
    if Tg is None:
        return t, T, p, 0.0
    t_tail, T_tail = air_cooling_tail(spec, float(T[-1]), Tg)
    if t_tail.size < 2:
        return t, T, p, 0.0
    return (np.concatenate([t, t[-1] + t_tail[1:]]), np.concatenate([T, T_tail[1:]]),
            np.concatenate([p, np.zeros(t_tail.size - 1)]), float(t_tail[-1]))


def predict_bond(t_s, T_C, p_Pa, setup: BondSetup) -> dict:
    """Bond prediction from interface histories: D_ic, D_h, D_b, peel and the first failing interface."""
    params = bd.load_bonding_params(setup.surface.name, setup.surface.Tg_C)
    res = bd.bond_quality(t_s, T_C, p_Pa, setup.surface, params, setup.interface, setup.counter_surface)
    peel = bd.laminate_peel(res, setup.cast_interfaces, params, bonded_name=setup.bond_line)
    out = {"interface": setup.interface, "surface": setup.surface.name, "bond_line": setup.bond_line,
           "degree_intimate_contact": res.degree_intimate_contact, "degree_healing": res.degree_healing,
           "degree_bonding": res.degree_bonding, "bond_line_peel_kgf_per_cm": res.peel_kgf_per_cm,
           "healing_reduced_time": res.healing_reduced_time, "time_above_Tg_s": res.time_above_Tg_s,
           "reptation_time_at_peak_s": res.min_reptation_time_s, **peel}
    if not math.isfinite(res.min_reptation_time_s):
        out["reptation_time_note"] = "surface glassy at the peak interface temperature: no healing"
    return out


def bond_line_toughness(stack, spec, setup: BondSetup, bond: dict) -> dict:
    """The bond line's entry of the interface table and its toughness at the test temperature's reference:
    the pair's bonded toughness scaled by the nip's degree of toughness (wetted area, healing)."""
    counter = setup.counter_surface or stack.layers[[lay.origin for lay in stack.layers].index("bonded")].material
    data = table_of(stack).of(setup.surface, counter)
    degree = bd.degree_of_toughness(setup.interface, bond["degree_intimate_contact"], bond["degree_healing"],
                                    bd.initial_contact(setup.surface.name, setup.interface))
    return {"bond_line_pair": data.pair, "bond_line_toughness_J_per_m2": degree * data.bonded_toughness_J_per_m2,
            "bond_line_toughness_source": data.label("bonded_toughness_J_per_m2")}


# -- the step --------------------------------------------------------------------------------------------
def check(spec, case, index: int) -> None:
    where = f"{case.source}: field 'steps.{index}"
    if spec.foil_material not in case.materials:
        raise CaseError(f"{where}.foil_material' = {spec.foil_material!r} is not allowed: must be a library "
                        "material or one under [materials]")
    if sum(st.kind == "bond" for st in case.spec.steps) > 1:
        raise CaseError(f"{case.source}: field 'steps' has {sum(st.kind == 'bond' for st in case.spec.steps)} "
                        "bond steps: at most one is allowed")
    if spec.temperature_C < spec.entry_temperature_C:
        raise CaseError(f"{where}.temperature_C' = {spec.temperature_C!r} is not allowed: must be at least the "
                        f"entry temperature ({spec.entry_temperature_C} C)")
    if spec.foil_thickness_um * 1e-3 >= spec.roll_diameter_mm / 2:
        raise CaseError(f"{where}.foil_thickness_um' = {spec.foil_thickness_um!r} is not allowed: must be smaller "
                        "than the roll radius")
    present = layers_present_at(case, index)
    if not present or present[-1].material.is_metal:
        top = repr(present[-1].name) if present else "nothing"
        raise CaseError(f"{where}.kind' = 'bond' is not allowed here: the top of the laminate is {top}; the foil "
                        "bonds onto a polymer (thermoplastic) surface")
    stack = case.full_stack()
    if spec.nip_method != "none":
        for lay in stack.layers:
            missing = [key for key, v in (("k_W_per_mK", lay.material.k_W_per_mK),
                                          ("cp_J_per_kgK", lay.material.cp_J_per_kgK),
                                          ("density_kg_per_m3", lay.material.density_kg_per_m3)) if v is None]
            if missing:
                raise CaseError(f"{where}.nip_method' = {spec.nip_method!r} is not allowed with material "
                                f"{lay.material.name!r}: the nip's heat transfer needs its {', '.join(missing)} "
                                "(give them under [materials], or a 'base', or nip_method = 'none')")
    try:
        validate_nip(nip_spec_for(stack, spec, spec.temperature_C, spec.speed_m_per_min, spec.load_kgf))
    except ValueError as exc:
        raise CaseError(f"{where}' (roll nip): {exc}") from None


def press(state, spec, record) -> dict:
    """The roll nip (contact, heat transfer) and the bond it makes; results go under nip.* and bond.*."""
    if spec.nip_method == "none":
        record.notes.append("bond: nip_method = 'none', nip and bonding not computed")
        record.put(BondResult(None, None))
        return {}
    nip_spec = nip_spec_for(state.stack, spec, spec.temperature_C, spec.speed_m_per_min, spec.load_kgf)
    nip = solve_nip(nip_spec, method="analytic" if spec.nip_method == "auto" else spec.nip_method)
    if nip.info.get("valid") is False:
        if spec.nip_method == "auto":
            try:
                fem = solve_nip(nip_spec, method="fem")
                record.notes.append(f"bond: analytic nip out of its range ({nip.info['invalid_reason']}); the FEM "
                                    "nip reported")
                nip = fem
            except RuntimeError as exc:  # the contact FEM did not converge: the closed form stays, flagged
                record.notes.append(f"bond: analytic nip out of its range ({nip.info['invalid_reason']}) and the "
                                    f"FEM nip failed ({' '.join(str(exc).split())[:200]}); the analytic nip reported")
        else:
            record.notes.append(f"bond: analytic nip out of its range ({nip.info['invalid_reason']}); reported "
                                "as computed (nip_method = \"auto\" or \"fem\" runs the contact FEM)")
    setup = bond_setup_from_stack(state.stack, spec)
    *history, after_nip_s = bond_history(nip.t_s, nip.interface_temperature_C, nip.interface_pressure_Pa,
                                         nip_spec, setup)
    bond = predict_bond(*history, setup)
    bond.update(bond_line_toughness(state.stack, spec, setup, bond))
    bond["healing_after_nip_s"] = after_nip_s
    bond["failing_interface"] = bond.get("first_failing_interface")
    nip_summary = nip.summary()["nip"]
    nip_summary["method"] = nip.method
    nip_summary["foil_elongation"] = nip.foil_elongation
    record.put(BondResult(nip_summary, bond))
    record.output("bond", nip)
    return {"nip": nip_summary, "peel_kgf_per_cm": bond["peel_kgf_per_cm"]}


def run(state, spec, record):
    ensure_started(state, spec.entry_temperature_C)
    change_temperature(state, spec.temperature_C, spec.max_step_K)
    new = [i for i, lay in enumerate(state.stack.layers) if lay.origin == "bonded" and not state.born[i]]
    if not new:
        raise ProcessError("bond: no layer left to bond (the case has one bond step per added foil)")
    extra = {"line_load_N_per_mm": spec.load_kgf * N_PER_KGF / spec.roll_width_mm,
             "line_load_kgf_per_cm": spec.load_kgf / (spec.roll_width_mm / 10.0)}
    extra.update(press(state, spec, record))
    give_birth(state, new)
    record.steps.append(step_summary(state, "bond", **extra))
    return state


def write(out: Path, nip) -> None:
    from ..post.nip_output import write_nip_outputs

    write_nip_outputs(nip, Path(out) / "nip")


KIND = StepKind("bond", Spec, run, check=check, write=write,
                doc="hot roll press: roll_diameter_mm, roll_width_mm, temperature_C, load_kgf, speed_m_per_min",
                new_layers=new_layers, adds_layers=adds_layers, temperatures=lambda spec: [spec.temperature_C],
                forms_laminate=True, result=BondResult)
