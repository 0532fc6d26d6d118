"""Bonding in the nip: intimate contact (squeeze flow of asperities) times healing (reptation).

Pure functions on history arrays ``t_s`` (s), ``T_C`` (interface temperature, C), ``p_Pa`` (interface
pressure, Pa). Parameters and their sources live in ``data/bonding.toml``.

    mu(T)  = mu_ref a_T(T)/a_T(T_ref),  log10 a_T = -C1 (T-Tg)/(C2+T-Tg)   (WLF above Tg; glassy: mu = inf)
    t_r(T) = t_r,ref a_T(T)/a_T(T_r,ref)        (the terminal/reptation time shifts like the melt's viscosity)
    t_r,ref: a measured reptation time of the resin where bonding.toml has one; otherwise the Doi-Edwards
             estimate 12 mu_ref / (pi^2 G_N0) at the viscosity datum, a LOWER BOUND (mu_ref is a processing
             viscosity, shear-thinned below the zero-shear one)
    D_ic   = (1/w*) [1 + 5 w* (a0/b0)^2 Int p/mu dt]^(1/5),  w* = 1 + w0/b0 (Lee-Springer / Dara-Loos)
    D_h    = [Int dt / t_r]^(1/4)                          (Wool; non-isothermal form of Yang-Pitchumani)
    D_b    = D_ic D_h,  peel = D_b peel_full(interface)

All degrees are capped at 1; ``healing_reduced_time`` = Int dt/t_r is reported uncapped (how far past full
healing a history goes). A glassy surface has zero fluidity 1/mu and zero healing rate 1/t_r.
"""
from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Mapping

import numpy as np

from ...model.materials import Material
from ...units import N_PER_KGF

N_PER_MM_PER_KGF_PER_CM = N_PER_KGF / 10.0  # 1 kgf/cm = 0.980665 N/mm
INTERFACES = ("Cu-PI", "PI-PI")


# -- parameters --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Asperities:
    """Rectangular asperity idealisation of Lee & Springer: height a0, width b0, spacing w0 (m)."""
    height_m: float
    width_m: float
    spacing_m: float

    @property
    def w_star(self) -> float:
        return 1.0 + self.spacing_m / self.width_m

    @property
    def a_star(self) -> float:
        return 5.0 * self.w_star * (self.height_m / self.width_m) ** 2


@dataclass(frozen=True)
class BondingParams:
    """Everything the bonding model needs for one surface resin (SI)."""
    material: str
    Tg_C: float | None  # None: no glass transition below decomposition -> never flows
    viscosity_ref_Pa_s: float
    viscosity_ref_T_minus_Tg_K: float
    plateau_modulus_Pa: float
    wlf_C1: float
    wlf_C2_K: float
    reptation_time_ref_s: float  # t_r at Tg + reptation_time_ref_T_minus_Tg_K
    reptation_time_ref_T_minus_Tg_K: float
    reptation_time_basis: str  # "measured" (bonding.toml) | "Doi-Edwards lower bound"
    asperities: Mapping[str, Asperities]  # interface type -> geometry
    peel_full_N_per_mm: Mapping[str, float]  # interface type -> fully bonded peel strength
    sources: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)


@lru_cache(maxsize=1)
def _raw() -> dict:
    return tomllib.loads(resources.files("fem_laminate").joinpath("data/bonding.toml").read_text())


def bonding_data() -> dict:
    """The parsed data file (values with sources), for printing by validate and for provenance tests."""
    return _raw()


def _value(entry) -> float:
    return float(entry["value"])


_FROM_LIBRARY = object()


def load_bonding_params(material_name: str, Tg_C=_FROM_LIBRARY) -> BondingParams:
    """Bonding parameters for a surface resin. Tg (None: no Tg) comes from the material library unless given."""
    raw = _raw()
    if Tg_C is _FROM_LIBRARY:
        from ...model.materials import load_library
        lib = load_library()
        if material_name not in lib:
            raise ValueError(f"material={material_name!r} is not in the material library ({sorted(lib)})")
        Tg_C = lib[material_name].Tg_C
    resin = dict(raw["resin"]["default"])
    resin.update(raw["resin"].get(material_name, {}))
    sources = {f"resin.{k}": v["source"] for k, v in resin.items()}
    sources.update({f"wlf.{k}": v["source"] for k, v in raw["wlf"].items()})
    asp, peel = {}, {}
    for name in INTERFACES:
        d = raw["interface"][name]
        asp[name] = Asperities(_value(d["asperity_height_um"]) * 1e-6, _value(d["asperity_width_um"]) * 1e-6,
                               _value(d["asperity_spacing_um"]) * 1e-6)
        peel[name] = _value(d["peel_full_kgf_per_cm"]) * N_PER_MM_PER_KGF_PER_CM
        sources.update({f"interface.{name}.{k}": v["source"] for k, v in d.items()})
    mu_ref, G_N0 = _value(resin["viscosity_ref_Pa_s"]), _value(resin["plateau_modulus_MPa"]) * 1e6
    if "reptation_time_ref_s" in resin:  # a measured terminal relaxation time of this resin
        t_r_ref, dT_ref, basis = (_value(resin["reptation_time_ref_s"]),
                                  _value(resin["reptation_time_ref_T_minus_Tg_K"]), "measured")
    else:  # Doi-Edwards, eta0 = (pi^2/12) G_N0 t_d, on the (shear-thinned) processing viscosity: a lower bound
        t_r_ref, dT_ref, basis = (doi_edwards_reptation_time_s(mu_ref, G_N0),
                                  _value(resin["viscosity_ref_T_minus_Tg_K"]), "Doi-Edwards lower bound")
    return BondingParams(
        material=material_name, Tg_C=Tg_C,
        viscosity_ref_Pa_s=mu_ref,
        viscosity_ref_T_minus_Tg_K=_value(resin["viscosity_ref_T_minus_Tg_K"]),
        plateau_modulus_Pa=G_N0,
        wlf_C1=_value(raw["wlf"]["C1"]), wlf_C2_K=_value(raw["wlf"]["C2_K"]),
        reptation_time_ref_s=t_r_ref, reptation_time_ref_T_minus_Tg_K=dT_ref, reptation_time_basis=basis,
        asperities=asp, peel_full_N_per_mm=peel, sources=sources)


def doi_edwards_reptation_time_s(zero_shear_viscosity_Pa_s: float, plateau_modulus_Pa: float) -> float:
    """Reptation (disengagement) time of the Doi-Edwards tube model, eta0 = (pi^2/12) G_N0 t_d."""
    return 12.0 * zero_shear_viscosity_Pa_s / (math.pi ** 2 * plateau_modulus_Pa)


# -- rheology ----------------------------------------------------------------------------------------
def wlf_log10_shift(T_C, Tg_C: float, C1: float, C2_K: float):
    """log10 a_T relative to Tg (WLF); only meaningful above Tg (callers mask the glass)."""
    dT = np.asarray(T_C, dtype=float) - Tg_C
    return -C1 * dT / (C2_K + np.maximum(dT, 0.0))


def log10_fluidity(T_C, params: BondingParams):
    """log10 of 1/mu (1/(Pa s)); -inf where the surface is glassy."""
    T = np.asarray(T_C, dtype=float)
    if params.Tg_C is None:
        return np.full(T.shape, -np.inf)
    C1, C2 = params.wlf_C1, params.wlf_C2_K
    log_mu_Tg = math.log10(params.viscosity_ref_Pa_s) - float(
        wlf_log10_shift(params.Tg_C + params.viscosity_ref_T_minus_Tg_K, params.Tg_C, C1, C2))
    log_mu = log_mu_Tg + wlf_log10_shift(T, params.Tg_C, C1, C2)
    return np.where(T > params.Tg_C, -log_mu, -np.inf)


def melt_viscosity_Pa_s(T_C, params: BondingParams):
    """Zero-shear melt viscosity mu(T) (Pa s); inf for a glassy surface."""
    return 10.0 ** (-log10_fluidity(T_C, params))


def log10_healing_rate(T_C, params: BondingParams):
    """log10 of 1/t_r (1/s): t_r(T) = t_r,ref a_T(T)/a_T(Tg + dT_ref); -inf where the surface is glassy."""
    T = np.asarray(T_C, dtype=float)
    if params.Tg_C is None:
        return np.full(T.shape, -np.inf)
    C1, C2, Tg = params.wlf_C1, params.wlf_C2_K, params.Tg_C
    log_tr_Tg = math.log10(params.reptation_time_ref_s) - float(
        wlf_log10_shift(Tg + params.reptation_time_ref_T_minus_Tg_K, Tg, C1, C2))
    return np.where(T > Tg, -(log_tr_Tg + wlf_log10_shift(T, Tg, C1, C2)), -np.inf)


def reptation_time_s(T_C, params: BondingParams):
    """Reptation (terminal relaxation) time t_r(T) (s); inf for a glassy surface."""
    return 10.0 ** (-log10_healing_rate(T_C, params))


# -- history integrals -------------------------------------------------------------------------------
def _check_history(t_s, T_C, p_Pa=None):
    t = np.asarray(t_s, dtype=float)
    T = np.asarray(T_C, dtype=float)
    if t.ndim != 1 or t.size < 2:
        raise ValueError(f"t_s must be a 1-D history of at least 2 times, got shape {t.shape}")
    if T.shape != t.shape:
        raise ValueError(f"T_C must have the shape of t_s {t.shape}, got {T.shape}")
    if not np.all(np.isfinite(t)) or np.any(np.diff(t) < 0):
        raise ValueError("t_s must be finite and non-decreasing (allowed: t[i+1] >= t[i])")
    if not np.all(np.isfinite(T)) or T.min() < -273.15:
        raise ValueError(f"T_C must be finite and >= -273.15 C, got min {T.min()}")
    if p_Pa is None:
        return t, T
    p = np.asarray(p_Pa, dtype=float)
    if p.shape != t.shape:
        raise ValueError(f"p_Pa must have the shape of t_s {t.shape}, got {p.shape}")
    if not np.all(np.isfinite(p)):
        raise ValueError("p_Pa must be finite")
    return t, T, np.maximum(p, 0.0)  # tension (p < 0) does not squeeze the asperities


def _cumtrapz(f, t):
    return np.concatenate([[0.0], np.cumsum(0.5 * (f[1:] + f[:-1]) * np.diff(t))])


def pressure_over_viscosity_integral(t_s, T_C, p_Pa, params: BondingParams):
    """Cumulative Int_0^t p/mu dt (dimensionless) along the history."""
    t, T, p = _check_history(t_s, T_C, p_Pa)
    return _cumtrapz(p * 10.0 ** log10_fluidity(T, params), t)


def degree_intimate_contact(t_s, T_C, p_Pa, params: BondingParams, interface: str = "Cu-PI"):
    """D_ic(t) along the history (Lee-Springer), starting at the initial contact 1/w*, capped at 1."""
    asp = _asperities(params, interface)
    integral = pressure_over_viscosity_integral(t_s, T_C, p_Pa, params)
    return np.minimum((1.0 + asp.a_star * integral) ** 0.2 / asp.w_star, 1.0)


def healing_reduced_time(t_s, T_C, params: BondingParams):
    """Cumulative Int_0^t dt/t_r(T) along the history (uncapped; D_h^4 until full healing at 1)."""
    t, T = _check_history(t_s, T_C)
    return _cumtrapz(10.0 ** log10_healing_rate(T, params), t)  # rate 0 where glassy


def degree_healing(t_s, T_C, params: BondingParams):
    """D_h(t) = [Int dt/t_r(T)]^(1/4) along the history (non-isothermal reptation), capped at 1."""
    return np.minimum(healing_reduced_time(t_s, T_C, params) ** 0.25, 1.0)


def time_above_Tg_s(t_s, T_C, Tg_C: float | None) -> float:
    """Time the history spends above Tg (s), T taken linear between samples."""
    t, T = _check_history(t_s, T_C)
    if Tg_C is None:
        return 0.0
    e0, e1, dt = T[:-1] - Tg_C, T[1:] - Tg_C, np.diff(t)
    hot = np.maximum(e0, e1)  # the part of a segment above Tg: all of it, or the hot end's share of a crossing
    share = np.where(np.minimum(e0, e1) > 0.0, 1.0, np.clip(hot, 0.0, None) / np.maximum(np.abs(e1 - e0), 1e-300))
    return float(np.sum(dt * np.minimum(share, 1.0)))


def _asperities(params: BondingParams, interface: str) -> Asperities:
    if interface not in INTERFACES:
        raise ValueError(f"interface={interface!r} is not one of {INTERFACES}")
    return params.asperities[interface]


# -- bond quality and peel ---------------------------------------------------------------------------
@dataclass(frozen=True)
class BondResult:
    interface: str
    degree_intimate_contact: float
    degree_healing: float
    degree_bonding: float
    peel_N_per_mm: float
    peel_kgf_per_cm: float
    peak_temperature_C: float
    min_viscosity_Pa_s: float
    min_reptation_time_s: float
    healing_reduced_time: float = 0.0  # Int dt/t_r from first contact, uncapped (> 1: fully healed, by that factor)
    time_above_Tg_s: float = 0.0  # from first contact, of the controlling (glassier) surface
    history: dict = field(default_factory=dict, compare=False, repr=False)  # D_ic(t), D_h(t), D_b(t)


def slower_resin(a: BondingParams, b: BondingParams) -> BondingParams:
    """For a resin-resin interface the glassier (higher Tg) side limits flow and interdiffusion."""
    if a.Tg_C is None:
        return a
    if b.Tg_C is None:
        return b
    return a if a.Tg_C >= b.Tg_C else b


def bond_quality(t_s, T_C, p_Pa, surface: Material, params: BondingParams | None = None,
                 interface: str = "Cu-PI", counter_surface: Material | None = None) -> BondResult:
    """Degree of bonding and peel strength of one interface formed along a nip history.

    ``surface`` is the resin surface of the one-side base; for a PI-PI interface ``counter_surface`` is the
    other resin (defaults to the same), and the glassier of the two controls flow and healing. Healing counts
    from the first contact (p > 0) to the end of the history, pressed or not (the contact persists).
    """
    if params is None:
        params = load_bonding_params(surface.name, surface.Tg_C)
    if interface == "PI-PI" and counter_surface is not None and counter_surface.name != surface.name:
        params = slower_resin(params, load_bonding_params(counter_surface.name, counter_surface.Tg_C))
    d_ic = degree_intimate_contact(t_s, T_C, p_Pa, params, interface)
    # the healing clock starts when the surfaces first touch (first p > 0); after that contact persists
    touched = np.flatnonzero(np.asarray(p_Pa, dtype=float) > 0.0)
    reduced, above = np.zeros(d_ic.shape), 0.0
    if touched.size and touched[0] < reduced.size - 1:
        i0 = touched[0]
        t_c, T_c = np.asarray(t_s, dtype=float)[i0:], np.asarray(T_C, dtype=float)[i0:]
        reduced[i0:] = healing_reduced_time(t_c, T_c, params)
        above = time_above_Tg_s(t_c, T_c, params.Tg_C)
    d_h = np.minimum(reduced ** 0.25, 1.0)
    d_b = d_ic * d_h
    peel = float(d_b[-1]) * params.peel_full_N_per_mm[interface]
    T = np.asarray(T_C, dtype=float)
    return BondResult(
        interface=interface, degree_intimate_contact=float(d_ic[-1]), degree_healing=float(d_h[-1]),
        degree_bonding=float(d_b[-1]), peel_N_per_mm=peel, peel_kgf_per_cm=peel / N_PER_MM_PER_KGF_PER_CM,
        peak_temperature_C=float(T.max()),
        min_viscosity_Pa_s=float(melt_viscosity_Pa_s(T.max(), params)),
        min_reptation_time_s=float(reptation_time_s(T.max(), params)),
        healing_reduced_time=float(reduced[-1]), time_above_Tg_s=above,
        history={"t_s": np.asarray(t_s, dtype=float), "D_ic": d_ic, "D_h": d_h, "D_b": d_b})


def cast_interface_peel_N_per_mm(interface: str, params: BondingParams) -> float:
    """Peel of an interface formed by casting and imidising in place (fully bonded, see bonding.toml [cast])."""
    _asperities(params, interface)  # validates the interface type
    return _value(_raw()["cast"]["D_b"]) * params.peel_full_N_per_mm[interface]


def first_failing_interface(interface_peels_N_per_mm: Mapping[str, float]) -> tuple[str, float]:
    """The weakest interface in the peel path (name, peel N/mm); ties go to the first listed (the bond line)."""
    if not interface_peels_N_per_mm:
        raise ValueError("interface_peels_N_per_mm must name at least one interface")
    name = min(interface_peels_N_per_mm, key=lambda k: interface_peels_N_per_mm[k])
    return name, float(interface_peels_N_per_mm[name])


def laminate_peel(bonded: BondResult, cast_interfaces: Mapping[str, str], params: BondingParams,
                  bonded_name: str = "bond line") -> dict:
    """Peel test of the bonded-side foil: the crack runs along the weakest interface in its path.

    ``cast_interfaces`` maps a name (e.g. "Cu/pi_I (cast)") to its type ("Cu-PI" | "PI-PI").
    """
    peels = {bonded_name: bonded.peel_N_per_mm}
    peels.update({n: cast_interface_peel_N_per_mm(kind, params) for n, kind in cast_interfaces.items()})
    name, value = first_failing_interface(peels)
    return {"peel_N_per_mm": value, "peel_kgf_per_cm": value / N_PER_MM_PER_KGF_PER_CM,
            "first_failing_interface": name, "interface_peels_N_per_mm": peels}


# -- calibration -------------------------------------------------------------------------------------
def calibrated_peel_full_kgf_per_cm(t_s, T_C, p_Pa, surface: Material, measured_peel_kgf_per_cm: float,
                                    interface: str = "Cu-PI") -> float:
    """The only free parameter: peel_full = measured peel / model D_b for a published row (Example 1)."""
    result = bond_quality(t_s, T_C, p_Pa, surface, interface=interface)
    if result.degree_bonding <= 0.0:
        raise ValueError(f"degree_bonding={result.degree_bonding} for the calibration row; must be > 0")
    return measured_peel_kgf_per_cm / result.degree_bonding


def provenance_rows() -> list[dict]:
    """Every bonding parameter as {key, value, source, kind} with kind calibrated | assumption | literature.

    ``validate`` prints these so the calibrated values, the rows used and every assumption are visible.
    """
    rows = []

    def walk(d, path):
        for k, v in d.items():
            if isinstance(v, dict) and "value" in v:
                src = v.get("source", "")
                kind = ("calibrated" if src.startswith("calibrated") else
                        "assumption" if src.startswith("assumption") else "literature")
                rows.append({"key": path + k, "value": v["value"], "source": src, "kind": kind})
            elif isinstance(v, dict):
                walk(v, f"{path}{k}.")

    walk(_raw(), "")
    from ...model.interfaces import _library_raw
    lib = _library_raw()
    walk({"interfaces": lib.get("interfaces", {}), "interface_classes": lib.get("interface_classes", {})}, "")
    return rows


def calibration_summary() -> str:
    """One line per calibrated parameter and the rows it was calibrated on (for validate's printout)."""
    cal = [r for r in provenance_rows() if r["kind"] == "calibrated"]
    lines = [f"bonding: {r['key']} = {r['value']} ({r['source'].split(':')[0]})" for r in cal]
    n_assume = sum(r["kind"] == "assumption" for r in provenance_rows())
    lines.append(f"bonding: calibration rows used: Example 1 only (peel 1.5 kgf/cm; it sets both parameters above: "
                 "the reported peel is the peel step's mechanics with "
                 f"interfaces.copper_ed|pi_IV.bonded_toughness_J_per_m2); Comparative 1 and 2 "
                 f"must and do come out 0 from the glassy-surface physics (no flow: no wetted area); {n_assume} "
                 "parameters are labelled assumption")
    return "\n".join(lines)


# -- interface toughness for the peel mechanics -------------------------------------------------------
# The toughness values live in the interface table (data/materials.toml [interfaces], model/interfaces.py);
# the functions by type below read its class fallbacks ("Cu-PI" = metal|polymer, "PI-PI" = polymer|polymer).
_CLASS_OF = {"Cu-PI": "metal|polymer", "PI-PI": "polymer|polymer"}


def full_toughness_J_per_m2(interface: str) -> float:
    """Toughness of a fully bonded interface of this type (the interface table's class fallback)."""
    if interface not in INTERFACES:
        raise ValueError(f"interface={interface!r} is not one of {INTERFACES}")
    from ...model.interfaces import library_table
    return library_table().classes[_CLASS_OF[interface]]["bonded_toughness_J_per_m2"]


def degree_of_toughness(interface: str, degree_intimate_contact: float, degree_healing: float,
                        initial_contact: float = 0.0) -> float:
    """G_c / G_c,full of a nip-formed interface from the area the resin wetted by flowing in the nip,
    D_wet = (D_ic - D_ic0) / (1 - D_ic0) with D_ic0 = 1/w* the asperity-tip contact before any flow (assumption:
    a glassy tip touching the foil carries no load in peel; only area wetted by flow bonds):
    Cu-PI: D_wet (the resin wets and keys into the treated foil; no interdiffusion into copper);
    PI-PI: D_wet D_h^2 (Wool: fracture energy ~ (t/t_r)^(1/2) = D_h^2)."""
    d_ic, d_h, d0 = float(degree_intimate_contact), float(degree_healing), float(initial_contact)
    if not (0.0 <= d_ic <= 1.0 and 0.0 <= d_h <= 1.0 and 0.0 <= d0 < 1.0):
        raise ValueError(f"degrees must be in [0, 1], got D_ic={d_ic}, D_h={d_h}, D_ic0={d0}")
    wet = max(0.0, (d_ic - d0) / (1.0 - d0))
    heal = 1.0 if interface == "Cu-PI" else d_h ** healing_toughness_exponent()
    return wet * heal


def interface_toughness_J_per_m2(interface: str, degree_intimate_contact: float, degree_healing: float,
                                 initial_contact: float = 0.0) -> float:
    """G_c of a nip-formed interface of a type: degree_of_toughness x the type's full toughness."""
    return (degree_of_toughness(interface, degree_intimate_contact, degree_healing, initial_contact)
            * full_toughness_J_per_m2(interface))


def healing_toughness_exponent() -> float:
    """n in G_c ~ D_h^n for a resin-resin interface (Wool: fracture energy ~ (t/t_r)^(1/2), so n = 2)."""
    return _value(_raw()["peel"]["healing_toughness_exponent"])


def initial_contact(material_name: str, interface: str) -> float:
    """D_ic0 = 1/w*: the contact of the asperity tips before any flow."""
    return 1.0 / load_bonding_params(material_name).asperities[interface].w_star


def cast_interface_toughness_J_per_m2(interface: str) -> float:
    """Toughness of an interface of this type formed by casting and curing (the interface table's class
    fallback)."""
    from ...model.interfaces import library_table
    return library_table().classes[_CLASS_OF[interface]]["cast_toughness_J_per_m2"]


def cohesive_strength_Pa() -> float:
    return _value(_raw()["peel"]["cohesive_strength_MPa"]) * 1e6


def toughness_temperature_factor(polymers, T_C: float) -> float:
    """G_c(T) / G_c(T_ref) of an interface with these polymer sides (bonding.toml [peel], an assumption): the
    interface's strength follows the resin's modulus through Tg (as the solder strength check assumed) at a fixed
    critical opening, so G_c = sigma_c delta_f / 2 scales as min over the sides of E(T)/E(T_ref); T_ref is the
    peel test's temperature at which G_full was calibrated. 1 at T_ref; ~0.01 on a thermoplastic above its Tg."""
    raw = _raw()["peel"]
    if not raw["toughness_follows_resin_modulus"]["value"] or not polymers:
        return 1.0
    T_ref = _value(raw["toughness_reference_C"])
    return float(min(m.E(T_C) / m.E(T_ref) for m in polymers))
