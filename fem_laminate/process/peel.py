"""Peel test of a foil (the patent: 1 cm strip, bonded-side foil peeled at 180 deg, kgf/cm). A test on a copy.

The reading of a peel tester is mechanics: the toughness of the interface that fails plus the work the arm
(35 um copper) absorbs in plastic bending at the root, with the compliance of the polyimide beneath it
(analytic/peel.py closed form; physics/models/peel.py FEM with a cohesive zone). Each interface in the peel path
reads its entry of the interface table (model/interfaces.py, data/materials.toml [interfaces]; a case's inline
[interfaces] wins): the roll-bonded line its bonded toughness scaled by the nip history (physics/correlations/
bonding.py: wetted area, and for resin-resin interfaces healing by interdiffusion), an interface formed by casting
its cast toughness. The crack runs along the interface whose energy release rate reaches its own toughness first
as the pull rises, i.e. the one that needs the least force to open, each with its own arm (every layer above it,
elastic-plastic: the foils' J2 data, the polyimides' [polymer_yield]) and foundation (every polymer below it down
to the next foil; none: a rigid base, the stiff limit). The force is then min_i F_i(G_i), non-decreasing in every
toughness. The closed form knows its
range (analytic/peel_range.py); outside it, method "auto" runs the FEM when affordable and otherwise reports the
peel as null with the reason, never the closed form's number (docs/theory/peel.md, validity table).

Reads: the laminate (layers present, temperature), the BondResult. Puts a PeelResult: summary block ``peel``;
its summarize hook gives the bond block the force of the last top-side peel after the bond (``peel_kgf_per_cm``
/ ``peel_N_per_mm``: the bond reports what the test measures); FEM: files
``peel/peel_front.png``, ``peel/peel_force.png|csv``, ``peel/peel_field.vtu``.

A reading a tester would reject is flagged (``valid`` false, ``invalid_reason``, a note; the force is kept, as
the tester's trace would be): the FEM pull found no steady plateau (the force is then the last one of the pull,
not the peel force), or the arm's tensile stress reaches its yield strength (``arm_tensile_stress_MPa``: the
force over the arm's section, shared by its layers in proportion to their plane-strain moduli; a foil that
yields along its length stretches or tears instead of peeling, so the force measures the foil, not the
interface). A polymer layer of the arm is checked against its [polymer_yield] stress.

``interface_toughness_J_per_m2`` in the step replaces the toughness of the interface under the peeled foil (taken
as given, at any temperature); the table is the place for an interface's data (docs/interfaces.md).
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import Field

from ..analytic import peel as ap
from ..analytic import peel_range as pr
from ..errors import CaseError, ProcessError
from ..model.interfaces import library_table, table_of
from ..physics.correlations import bonding as bd
from ..physics.laws.layer_views import arm_layer, foundation_layer
from ..units import kgf_per_cm
from .bond import BondResult
from .step import Report, Strict, StepKind, layers_present_at, produced_before


class Spec(Strict):
    kind: Literal["peel"]
    angle_deg: float = Field(default=180.0, gt=0.0, le=180.0)  # 180: the patent's test; 90: IPC-TM-650 2.4.9
    side: Literal["top", "bottom"] = "top"  # the roll-bonded foil is on top in every bundled case
    width_mm: float = Field(default=10.0, gt=0.0, le=1000.0)  # the patent's 1 cm strip
    # JIS C 6471 peel rate 50 mm/min (IPC-TM-650 2.4.9: 50.8 mm/min); recorded: the model is rate-independent
    rate_mm_per_min: float = Field(default=50.0, gt=0.0, le=10000.0)
    interface_toughness_J_per_m2: float | None = Field(default=None, ge=0.0, le=1e6)
    # "auto": the closed form inside its range, the FEM outside it when affordable, null otherwise (docs/theory/peel.md)
    method: Literal["auto", "analytic", "fem"] = "auto"
    # FEM mesh: None = a quarter of the estimated cohesive zone (resolved); a coarser value is refused
    fem_element_length_um: float | None = Field(default=None, ge=1.0, le=1000.0)
    fem_elements_per_layer: int = Field(default=2, ge=1, le=8)  # through each layer (3 Gauss points each)
    # crack advance available for the plateau: 1 mm leaves Example 1 ~300 um of margin at 90 and 180 deg (the plateau
    # is detected at 477-537 um of crack; the force is the same as with 1.5 mm within 0.01 %, docs/theory/peel.md)
    fem_bonded_length_mm: float = Field(default=1.0, gt=0.0, le=50.0)
    fem_time_limit_s: float = Field(default=300.0, gt=0.0)  # pull stops here; result flagged steady = false


@dataclass(frozen=True)
class PeelResult(Report):
    """The peel test: force, failing interface, arm (summary block ``peel``), and the side peeled."""
    side: str = "top"
    key = "peel"

    @property
    def failing_interface(self) -> str:
        """The interface the crack runs along, as its table key "a|b" (materials in alphabetical order)."""
        return self.value["failing_interface"]


def check(spec, case, index: int) -> None:
    present = layers_present_at(case, index)
    where = f"{case.source}: field 'steps.{index}"
    if not present:
        raise CaseError(f"{where}.kind' = 'peel' is not allowed here: no layers")
    foil = present[-1] if spec.side == "top" else present[0]
    if not foil.material.is_metal:
        raise CaseError(f"{where}.side' = {spec.side!r} is not allowed: the {spec.side} layer is {foil.name!r}, "
                        "not a foil (peel before any etch step)")
    if len(present) < 2:
        raise CaseError(f"{where}.kind' = 'peel' is not allowed here: nothing beneath the foil to peel it from")
    if spec.interface_toughness_J_per_m2 is None and not produced_before(case, index, BondResult):
        raise CaseError(f"{where}.interface_toughness_J_per_m2' = None is not allowed without a bond step before "
                        "the peel: give the toughness of the interface to peel")


# -- toughness of the interfaces in the peel path ---------------------------------------------------------
def interface_data(lo, hi, table=None):
    """The interface table's entry for the materials of layers lo and hi (model/interfaces.py)."""
    return (table or library_table()).of(lo.material, hi.material)


def interface_toughness(lo, hi, bond: dict | None, T_C: float, table=None, water: float = 0.0) -> float:
    """G_c (J/m^2) of the interface lo/hi at T_C from the interface table: the roll-bonded line its bonded
    toughness scaled by the nip history (bonding model: wetted area, healing), an interface formed by casting
    its cast toughness; both scaled to T_C with the resin's modulus (bonding.toml [peel]
    toughness_follows_resin_modulus) and lowered by water at the interface, G_c (1 - a c/c_sat) with
    `water` = c/c_sat in [0, 1] (the pair's wet_toughness_loss a)."""
    data = interface_data(lo, hi, table)
    if bond and f"{lo.name}/{hi.name}" == bond.get("bond_line"):
        G = data.bonded_toughness_J_per_m2 * bd.degree_of_toughness(
            bond["interface"], bond["degree_intimate_contact"], bond["degree_healing"],
            bd.initial_contact(bond["surface"], bond["interface"]))
    else:
        G = data.cast_toughness_J_per_m2
    polymers = [lay.material for lay in (lo, hi) if not lay.material.is_metal]
    wet = 1.0 - data.wet_toughness_loss * min(max(float(water), 0.0), 1.0)
    return G * bd.toughness_temperature_factor(polymers, T_C) * wet


def peel_path(layers) -> list[str]:
    """Names "lower/upper" of the interfaces from the peeled foil (layers[-1]) down to the next foil."""
    out = []
    for k in range(len(layers) - 1, 0, -1):
        lo, hi = layers[k - 1], layers[k]
        if k < len(layers) - 1 and hi.material.is_metal:
            break  # the next foil down: the crack does not cross it
        out.append(f"{lo.name}/{hi.name}")
        if lo.material.is_metal:
            break
    return out


def path_toughness(layers, bond: dict | None, override: float | None, T_C: float = 25.0, table=None,
                   water: dict | None = None) -> dict[str, float]:
    """Toughness (J/m^2) of each interface from the peeled foil (layers[-1]) down to the next foil, at T_C;
    `override` replaces the toughness of the interface under the foil (taken as given, at any temperature);
    `water`: c/c_sat at each interface (pressure cooker), none for a dry laminate."""
    by_name = {f"{lo.name}/{hi.name}": (lo, hi) for lo, hi in zip(layers[:-1], layers[1:])}
    out = {}
    for k, name in enumerate(peel_path(layers)):
        lo, hi = by_name[name]
        out[name] = (float(override) if override is not None and k == 0
                     else interface_toughness(lo, hi, bond, T_C, table, (water or {}).get(name, 0.0)))
    return out


def arm_and_foundation(layers, failing: str, T_C: float):
    """Arm = layers above the failing interface (bottom-up), foundation = polymers below it to the next foil
    (none: the interface lies on a foil, a rigid base)."""
    names = [f"{lo.name}/{hi.name}" for lo, hi in zip(layers[:-1], layers[1:])]
    k = names.index(failing) + 1  # first arm layer
    arm = [arm_layer(lay, T_C) for lay in layers[k:]]
    found = []
    for lay in reversed(layers[:k]):
        if lay.material.is_metal:
            break
        found.append(foundation_layer(lay, T_C))
    return arm, found


def opening_force(G: float, angle_deg: float, arm, found) -> float:
    """Steady force per width (N/m) that opens an interface of toughness G under `arm` (closed form; where it
    finds no steady peel, the tightest-fold bound, a limit it never exceeds). 0 for an unbonded interface."""
    if G <= 0.0:
        return 0.0
    try:
        return closed_form(G, angle_deg, arm, found).force_N_per_m
    except ValueError:
        return pr.force_bounds_N_per_m(G, angle_deg, arm)[1]


def failing_interface(layers, tough: dict[str, float], angle_deg: float, T_C: float) -> tuple[str, dict]:
    """The interface whose energy release rate reaches its own toughness first as the pull rises: the one that
    needs the least force to open (each with its own arm, the layers above it, and foundation). The force is
    then min_i F_i(G_i), non-decreasing in every G_i. Ties go to the interface nearest the pulled foil."""
    forces = {n: opening_force(G, angle_deg, *arm_and_foundation(layers, n, T_C)) for n, G in tough.items()}
    return min(forces, key=lambda n: forces[n]), forces


def _oriented(state, side: str):
    layers = [state.stack.layers[i] for i in state.active_layers()]
    return layers if side == "top" else list(reversed(layers))


def peel_laminate(layers, T_C: float, spec, bond: dict | None, table=None,
                  water: dict | None = None) -> tuple[dict, object]:
    tough = path_toughness(layers, bond, spec.interface_toughness_J_per_m2, T_C, table, water)
    failing, forces = failing_interface(layers, tough, spec.angle_deg, T_C)
    G = tough[failing]
    arm, found = arm_and_foundation(layers, failing, T_C)
    by_name = {f"{a.name}/{b.name}": (a, b) for a, b in zip(layers[:-1], layers[1:])}
    data = interface_data(*by_name[failing], table)
    assumed = {}  # every interface of the path whose data came (partly) from its class: labelled assumption
    for name in tough:
        d = interface_data(*by_name[name], table)
        if d.assumed:
            assumed[name] = f"{d.pair}: {', '.join(d.assumed)} from its class (assumption)"
    res = {"angle_deg": spec.angle_deg, "width_mm": spec.width_mm, "rate_mm_per_min": spec.rate_mm_per_min,
           "method": spec.method, "temperature_C": T_C, "failing_interface": data.pair, "failing_layers": failing,
           "interface_toughness_J_per_m2": G, "interface_toughnesses_J_per_m2": tough,
           "interface_opening_forces_N_per_mm": {n: F * 1e-3 for n, F in forces.items()},
           "interface_data": {"pair": data.pair,
                              "assumed": list(data.assumed),
                              "note": (f"{', '.join(data.assumed)} of {data.pair}: class fallback (assumption)"
                                       if data.assumed else None)},
           "interfaces_assumed": assumed or None,
           "arm": [lay.name for lay in layers[len(layers) - len(arm):]]}
    peel, fem = peel_arm(arm, found, G, spec)
    return {**res, **peel}, fem


def peel_arm(arm, found, G: float, spec) -> tuple[dict, object]:
    """The peel of `arm` from `found` at toughness G: the closed form's range checks, the model `choose_method`
    picks, its force (None outside every model's reach) and the bounds any steady force lies within."""
    if G <= 0.0:
        res = dict(force_N_per_mm=0.0, arm_plastic_dissipation_fraction=0.0, root_rotation_deg=0.0,
                   method_used="none", valid=True, invalid_reason=None, peel_null_reason=None,
                   note="interface not bonded: nothing to peel")
        return _with_force(res, spec), None
    try:
        cf = closed_form(G, spec.angle_deg, arm, found)
        ok = pr.check(cf, arm)
    except ValueError as exc:  # no steady closed-form peel (the fully plastic hinge limit): out of its range
        cf, ok = None, pr.Validity({}, {}, [f"no steady closed-form peel ({' '.join(str(exc).split())[:200]})"])
    lo, hi = pr.force_bounds_N_per_m(G, spec.angle_deg, arm)
    res = dict(validity=ok.summary(), valid=ok.valid, invalid_reason=ok.reason, range_notes=ok.reasons,
               force_bounds_N_per_mm={"elastic_kendall": lo * 1e-3, "tightest_fold": hi * 1e-3})
    used, why = choose_method(spec, ok, arm, found, G)
    fem = None
    if used == "analytic":
        res.update(_closed_form_block(cf))
    elif used == "fem":
        try:
            fem = _peel_fem(arm, found, G, spec, _start_curvature(cf, arm, ok))
        except RuntimeError as exc:  # "auto" reports a null peel with the reason; "fem" asked for the FEM: fails
            if spec.method != "auto":
                raise
            msg = " ".join(str(exc).split())[:200]
            used, why = None, f"closed form outside its range and the FEM peel failed ({msg})"
    if used == "fem":
        res.update(_fem_block(fem, cf if ok.valid else None))
        if not fem.steady and spec.method == "auto":
            mean = oscillating_mean(fem)
            if mean is None:
                used, why = None, f"the FEM peel reached no steady force in {spec.fem_time_limit_s:g} s"
            else:
                res.update(mean)
    if used is None:
        res.update(force_N_per_mm=None, arm_plastic_dissipation_fraction=None, root_rotation_deg=None)
    res.update(method_used=used, peel_null_reason=why)
    res = _with_force(res, spec)
    if res["force_N_per_mm"] is not None:  # the reading itself, whichever model made it
        res.update(arm_tension(res["force_N_per_mm"] * 1e3, arm))
        reading = invalid_reason({**res, "steady": res.get("steady") if "fem_steady_by" not in res else True})
        res.update(valid=reading is None, invalid_reason=reading)
    else:
        res.update(valid=False, invalid_reason=why)
    return res, fem


def _with_force(res: dict, spec) -> dict:
    F = res["force_N_per_mm"]
    return {**res, "force_N": None if F is None else F * spec.width_mm,
            "kgf_per_cm": None if F is None else kgf_per_cm(F)}


# cost of the FEM peel that "auto" accepts: elements along the bonded length and tail (Example 1: ~100 elements,
# 5.3 k DOF, ~20 s; 400 is ~4x that, minutes on the shared 2-core machine; a 1.5 um foil needs ~2300)
FEM_MAX_ELEMENTS_ALONG = 400


def fem_elements_along(arm, found, G: float, spec) -> float:
    fs = fem_spec(arm, found, G, spec)
    return (fs.bonded_length_m + fs.tail_length_m) / fs.element_length_m


def choose_method(spec, validity, arm, found, G: float) -> tuple[str | None, str | None]:
    """Which model reports the peel, and why the peel is null if none does. "analytic": the closed form, null
    outside its range; "fem": the FEM always; "auto": the closed form inside its range, the FEM outside it when
    its mesh is affordable (FEM_MAX_ELEMENTS_ALONG), null otherwise."""
    if spec.method == "fem":
        return "fem", None
    if validity.valid:
        return "analytic", None
    if spec.method == "analytic":
        return None, f"closed form outside its range ({validity.reason}); method = \"auto\" or \"fem\" runs the FEM"
    try:
        n = fem_elements_along(arm, found, G, spec)
    except ProcessError as exc:  # an under-resolved zone with a user element length
        return None, f"closed form outside its range and the FEM cannot run: {exc}"
    if n > FEM_MAX_ELEMENTS_ALONG:
        return None, (f"closed form outside its range and the FEM too costly ({n:.0f} elements along the bonded "
                      f"length, limit {FEM_MAX_ELEMENTS_ALONG})")
    return "fem", None


OSCILLATION_MEAN_TOL = 0.02  # the two halves of the window's mean force agree within this (relative)


def oscillating_mean(fem) -> dict | None:
    """A perfectly plastic arm peels in a steady oscillation (Example 1's copper at hardening 0: +-4 % about
    3.37 N/mm, period ~200 um of crack) that the FEM's 1 % plateau never accepts. Its steady force is the mean
    over the pull for the second half of the crack advance, when the two halves of that window agree within
    OSCILLATION_MEAN_TOL and the window spans at least 10 elements and 3 process zones of crack; None otherwise."""
    crack, pull, force = (np.asarray(x) for x in (fem.crack_advance_m, fem.pull_m, fem.force_history_N_per_m))
    sel = crack >= 0.5 * crack[-1]
    if np.count_nonzero(sel) < 8 or 0.5 * crack[-1] < max(10 * fem.element_length_m, 3 * fem.process_zone_m):
        return None
    p, f = pull[sel], force[sel]
    mid = 0.5 * (p[0] + p[-1])

    def mean(lo, hi):
        m = (p >= lo) & (p <= hi)
        return float(np.trapezoid(f[m], p[m]) / (p[m][-1] - p[m][0])) if np.count_nonzero(m) > 2 else math.nan

    a, b, whole = mean(p[0], mid), mean(mid, p[-1]), mean(p[0], p[-1])
    if not (abs(a - b) <= OSCILLATION_MEAN_TOL * whole):
        return None
    return {"force_N_per_mm": whole * 1e-3, "fem_force_band_N_per_mm": [float(f.min()) * 1e-3, float(f.max()) * 1e-3],
            "fem_steady_by": "mean over the oscillation (second half of the crack advance)"}


def _start_curvature(cf, arm, validity) -> float:
    """The FEM's start: an arc of the closed form's root radius, at least 4 arm thicknesses when the closed form is
    out of range (its radius there, down to a fraction of the thickness, is not a shape to mesh)."""
    h = sum(a.thickness_m for a in arm)
    if cf is None:
        return 1.0 / (4.0 * h)
    k = cf.root_curvature_1_per_m
    return k if validity.valid else min(k, 1.0 / (4.0 * h))


def _closed_form_block(r) -> dict:
    return dict(force_N_per_mm=r.force_N_per_mm, arm_plastic_dissipation_fraction=r.plastic_dissipation_fraction,
                root_rotation_deg=r.root_rotation_deg, root_curvature_1_per_mm=r.root_curvature_1_per_m * 1e-3,
                arm_yields=r.arm_yields, notes=r.notes, root_model=r.root, cohesive_zone_um=r.zone_length_m * 1e6,
                crack_tip_rotation_deg=r.crack_tip_rotation_deg)


def _fem_block(fem, cf) -> dict:
    """The FEM's result and its check against the closed form (the force, and the peak curvature that decides it;
    None where the closed form is out of its range)."""
    return dict(force_N_per_mm=fem.force_N_per_mm, arm_plastic_dissipation_fraction=fem.plastic_dissipation_fraction,
                root_rotation_deg=fem.root_rotation_deg, root_curvature_1_per_mm=fem.root_curvature_1_per_m * 1e-3,
                steady=fem.steady, fem_dofs=fem.ndofs, fem_seconds=fem.seconds,
                fem_element_length_um=fem.element_length_m * 1e6, process_zone_um=fem.process_zone_m * 1e6,
                closed_form_N_per_mm=None if cf is None else cf.force_N_per_mm,
                closed_form_root_rotation_deg=None if cf is None else cf.root_rotation_deg,
                closed_form_root_curvature_1_per_mm=None if cf is None else cf.root_curvature_1_per_m * 1e-3)


def arm_tension(force_N_per_m: float, arm) -> dict:
    """The arm's tensile stress far from the root (the pull over its section; layers strained alike, so each
    carries its share E'_i / sum E'_j h_j) and its worst ratio to the layer's yield strength."""
    if not arm:
        return {"arm_tensile_stress_MPa": 0.0, "arm_tension_over_yield": 0.0}
    moduli = [a.E_Pa / (1.0 - a.nu ** 2) for a in arm]
    strain = force_N_per_m / sum(E * a.thickness_m for E, a in zip(moduli, arm))
    ratio = max(E * strain / a.yield_Pa for E, a in zip(moduli, arm))  # inf yield: 0
    return {"arm_tensile_stress_MPa": force_N_per_m / sum(a.thickness_m for a in arm) * 1e-6,
            "arm_tension_over_yield": ratio}


def invalid_reason(res: dict) -> str | None:
    """Why the peel reading is not the interface's peel strength (None: it is)."""
    if res.get("steady") is False:
        return ("no steady plateau in the FEM pull: the force is the last of the pull, not the peel force "
                "(longer fem_bonded_length_mm or fem_time_limit_s)")
    if res["arm_tension_over_yield"] >= 1.0:
        return (f"the arm's tensile stress ({res['arm_tensile_stress_MPa']:.3g} MPa) reaches its yield strength "
                f"({res['arm_tension_over_yield'] * 100:.0f} % of it): the foil stretches or tears instead of peeling")
    return None


def closed_form(G: float, angle_deg: float, arm, found):
    """The closed form with the cohesive-zone root: the interface's strength from data/bonding.toml [peel]."""
    r = _closed_form(float(G), float(angle_deg), tuple(arm), tuple(found), bd.cohesive_strength_Pa())
    return replace(r, notes=list(r.notes))  # the cached result stays as computed


@functools.lru_cache(maxsize=256)  # ~0.1-0.7 s each; window maps and validate repeat the saturated rows' peel
def _closed_form(G, angle_deg, arm, found, strength_Pa):
    return ap.steady_peel(G, angle_deg, list(arm), list(found), cohesive=ap.CohesiveLaw(strength_Pa))


def fem_spec(arm, found, G: float, spec, root_curvature_1_per_m: float | None = None):
    """The FEM peel's spec: the arm views as its layers, the foundation elastic. A plastic arm starts as a
    stress-free arc of the closed form's root radius 1/kappa0 (the peeled arm's bend; the elastic elastica start
    bends 35 um copper far past yield and stalls), with the backtracking line search and the pull-rate predictor
    (docs/theory/peel.md: what made the patent rows run)."""
    from ..physics.models import peel as fp

    plastic = any(math.isfinite(a.yield_Pa) for a in arm)
    start = (dict(initial_shape="arc", bend_radius_m=1.0 / root_curvature_1_per_m)
             if plastic and root_curvature_1_per_m else {})

    fspec = fp.PeelFEMSpec(
        arm=tuple(arm),  # the FEM's layers are the closed form's arm views
        substrate=tuple(fp.Layer(f.E_Pa, f.nu, f.thickness_m) for f in found) or (fp.Layer(1e12, 0.3, 1e-6),),
        toughness_J_per_m2=G, strength_Pa=bd.cohesive_strength_Pa(), angle_deg=spec.angle_deg,
        elements_per_layer=spec.fem_elements_per_layer, bonded_length_m=spec.fem_bonded_length_mm * 1e-3,
        tail_length_m=0.3e-3, time_limit_s=spec.fem_time_limit_s, line_search=True, extrapolate=True, **start)
    le = (spec.fem_element_length_um * 1e-6 if spec.fem_element_length_um is not None
          else fp.process_zone_length(fspec) / (1.01 * fspec.min_cohesive_elements))
    return replace(fspec, element_length_m=le, max_step_m=2.0 * le)


def _peel_fem(arm, found, G: float, spec, root_curvature_1_per_m: float | None = None):
    """The FEM peel (fem_spec); an under-resolved cohesive zone is a process error."""
    from ..physics.models import peel as fp

    try:
        return fp.run_peel_fem(fem_spec(arm, found, G, spec, root_curvature_1_per_m))
    except fp.CohesiveResolutionError as exc:
        raise ProcessError(f"peel (fem): {exc}") from None


def run(state, spec, record):
    layers = _oriented(state, spec.side)
    if not layers[-1].material.is_metal:
        raise ProcessError(f"peel: the {spec.side} layer {layers[-1].name!r} is not a foil")
    bonded = record.latest(BondResult)
    res, fem = peel_laminate(layers, float(state.T_C), spec, bonded.bond if bonded else None,
                             table_of(state.stack))
    if bonded is not None and bonded.nip is not None and spec.side == "top":
        res["press_effects"] = press_effects(res, layers, float(state.T_C), spec, bonded.nip)
    record.notes.extend(range_notes(res))
    record.notes.extend(f"peel: interface {n}: no entry in the interface table, {why}"
                        for n, why in (res["interfaces_assumed"] or {}).items())
    record.report("peel", PeelResult(res, spec.side))
    if res["invalid_reason"] and res["force_N_per_mm"] is not None:  # a null peel's reason is in its range notes
        record.notes.append(f"peel: reading invalid: {res['invalid_reason']}")
    if fem is not None:
        record.output("peel", fem)
    return state


def press_effects(res: dict, layers, T_C: float, spec, nip: dict) -> dict | None:
    """What the nip-worked foil (its plastic elongation from the FEM nip: cold work and thinning) adds to the
    closed-form force of this peel, by mechanism (analytic/peel_press.py); None without a bonded, peeled arm or
    without the foil's elongation (the analytic nip does not compute it)."""
    from ..analytic import peel_press

    G = res["interface_toughness_J_per_m2"]
    if not G > 0.0 or res["force_N_per_mm"] is None or not nip.get("foil_elongation"):
        return None
    arm, found = arm_and_foundation(layers, res["failing_layers"], T_C)
    strength = bd.cohesive_strength_Pa()

    def force(a, f):
        return _closed_form(float(G), float(spec.angle_deg), tuple(a), tuple(f), strength).force_N_per_m * 1e-3

    out = peel_press.press_effects(G, spec.angle_deg, arm, found, strength, nip["foil_elongation"], force=force)
    return {**out, "from": f"closed form, the foil's plastic elongation from the {nip.get('method', 'fem')} nip"}


def range_notes(res: dict) -> list[str]:
    """One note line per failed range check of the closed form, each saying what the step reported instead."""
    reasons = res.pop("range_notes", None) or []
    then = {"fem": "the FEM peel reported", None: "peel reported null", "analytic": "closed form reported"}
    return [f"peel: closed form out of its range: {r}; {then[res['method_used']]}" for r in reasons]


def summarize(summary: dict, record) -> None:
    """The bond block reports the peel the test measures: the last top-side peel after the bond."""
    bonded = [k for k, r in enumerate(record.results) if isinstance(r, BondResult) and r.bond is not None]
    if not bonded:
        return
    peels = [r for r in record.results[bonded[-1]:] if isinstance(r, PeelResult) and r.side == "top"]
    if not peels:
        return
    res = peels[-1].value
    summary["bond"] = {**summary["bond"], "peel_N_per_mm": res["force_N_per_mm"], "peel_kgf_per_cm": res["kgf_per_cm"],
                       "failing_interface": res["failing_interface"], "failing_layers": res["failing_layers"],
                       "peel_from": f"peel step ({res['method_used'] or 'null'}, {res['angle_deg']:g} deg)",
                       "peel_null_reason": res.get("peel_null_reason")}


def write(out: Path, fem) -> None:
    from ..post.peel_output import write_peel_outputs

    write_peel_outputs(fem, Path(out) / "peel")


KIND = StepKind("peel", Spec, run, check=check, write=write, summarize=summarize,
                doc="peel test: angle_deg (180), side, width_mm, rate_mm_per_min, method auto|analytic|fem",
                on_copy=True, reads=(BondResult,), result=PeelResult)
