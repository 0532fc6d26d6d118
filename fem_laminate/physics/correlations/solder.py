"""Solder float (EP0496334A1 heat resistance: molten solder 350 C, 1 min): interface stress vs bond strength.

Interface strength of a bonded interface at temperature T:

    S(T) = D_b * S_ref * E_resin(T) / E_resin(T_ref)

S_ref is the resin's strength at T_ref (bonding.toml [solder]); scaling with the resin modulus means a
constant failure strain, so a rubbery resin above Tg is weak but also carries little stress. Verdict from
the quadratic interaction criterion on the peak interface tractions (compression does not open a crack):

    f = (<sigma_n>+ / S)^2 + (tau / (r S))^2,   OK if f < 1.

The fracture-mechanics verdict (below) is the one the solder_float step reports; it includes the vapour pressure
of absorbed water in an unbonded patch (blistering). Resin decomposition is not modelled.
"""
from __future__ import annotations

import math
from typing import Mapping

import numpy as np

from ...model.materials import Material
from .bonding import bonding_data


def _solder_value(key: str) -> float:
    return float(bonding_data()["solder"][key]["value"])


def interface_strength_Pa(degree_bonding: float, resin: Material, temperature_C: float | None = None) -> float:
    """Tensile strength of an interface with degree of bonding D_b on the resin side, at temperature_C."""
    if not 0.0 <= degree_bonding <= 1.0:
        raise ValueError(f"degree_bonding={degree_bonding} must be in [0, 1]")
    T = _solder_value("temperature_C") if temperature_C is None else float(temperature_C)
    T_ref = _solder_value("strength_ref_temperature_C")
    ratio = float(resin.E(T)) / float(resin.E(T_ref))
    return degree_bonding * _solder_value("strength_ref_MPa") * 1e6 * ratio


def _peak(stress, name: str, positive_part: bool) -> float:
    a = np.asarray(stress, dtype=float)
    if a.size == 0 or not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be a finite scalar or non-empty array (Pa), got {stress!r}")
    a = np.maximum(a, 0.0) if positive_part else np.abs(a)
    return float(a.max())


def solder_float_verdict(normal_stress_Pa, shear_stress_Pa, degree_bonding: float, resin: Material,
                         temperature_C: float | None = None) -> dict:
    """Verdict for one interface from its normal (tension positive) and shear tractions at the float.

    The stresses may be arrays along the interface (the peak is used) or scalar peaks.
    """
    T = _solder_value("temperature_C") if temperature_C is None else float(temperature_C)
    sn = _peak(normal_stress_Pa, "normal_stress_Pa", positive_part=True)
    tau = _peak(shear_stress_Pa, "shear_stress_Pa", positive_part=False)
    S = interface_strength_Pa(degree_bonding, resin, T)
    r = _solder_value("shear_to_normal_strength_ratio")
    if S <= 0.0:
        index = math.inf
    else:
        index = (sn / S) ** 2 + (tau / (r * S)) ** 2
    ok = index < 1.0
    if S <= 0.0:
        reason = "interface not bonded (D_b = 0)"
    elif ok:
        reason = "interface tractions below the interface strength"
    else:
        reason = "interface tractions exceed the interface strength: blister/peel expected"
    return {"verdict": "OK" if ok else "FAIL", "failure_index": index,
            "margin": (1.0 / math.sqrt(index)) if 0.0 < index < math.inf else (math.inf if index == 0 else 0.0),
            "peak_normal_stress_Pa": sn, "peak_shear_stress_Pa": tau, "interface_strength_Pa": S,
            "degree_bonding": degree_bonding, "resin": resin.name, "temperature_C": T,
            "time_s": _solder_value("time_s"), "reason": reason}


def solder_float_summary(interfaces: Mapping[str, Mapping]) -> dict:
    """Laminate verdict from several interfaces.

    ``interfaces`` maps a name to {"normal_stress_Pa", "shear_stress_Pa", "degree_bonding", "resin"}; the
    laminate passes only if every interface passes; the worst one is named.
    """
    if not interfaces:
        raise ValueError("interfaces must name at least one interface")
    per = {name: solder_float_verdict(d["normal_stress_Pa"], d["shear_stress_Pa"], d["degree_bonding"],
                                      d["resin"], d.get("temperature_C"))
           for name, d in interfaces.items()}
    worst = max(per, key=lambda n: per[n]["failure_index"])
    return {"verdict": "OK" if all(v["verdict"] == "OK" for v in per.values()) else "FAIL",
            "worst_interface": worst, "failure_index": per[worst]["failure_index"],
            "reason": per[worst]["reason"], "interfaces": per}


def solder_float_from_process(interfaces: Mapping[str, Mapping[str, float]], materials: Mapping[str, Material],
                              degree_bonding: Mapping[str, float] | None = None,
                              temperature_C: float | None = None) -> dict:
    """Adapter for process.solder_float: interfaces named "lower/upper" (layer names) with
    ``peel_stress_max_MPa`` and ``shear_stress_max_MPa``; ``materials`` maps layer name -> Material;
    ``degree_bonding`` maps interface name -> D_b (the bond line); others are cast (bonding.toml [cast]).
    The resin of an interface is its polymer side; with two polymers the one weaker at temperature_C.
    """
    cast_db = float(bonding_data()["cast"]["D_b"]["value"])
    degree_bonding = degree_bonding or {}
    T = _solder_value("temperature_C") if temperature_C is None else float(temperature_C)
    spec = {}
    for name, st in interfaces.items():
        lo, _, hi = name.partition("/")
        if lo not in materials or hi not in materials:
            raise ValueError(f"interface {name!r}: both layer names must be in materials ({sorted(materials)})")
        resins = [materials[n] for n in (lo, hi) if not materials[n].is_metal]
        if not resins:
            continue  # metal-metal: not a bonded interface of this laminate
        resin = min(resins, key=lambda m: interface_strength_Pa(1.0, m, T))
        spec[name] = {"normal_stress_Pa": st["peel_stress_max_MPa"] * 1e6,
                      "shear_stress_Pa": st["shear_stress_max_MPa"] * 1e6,
                      "degree_bonding": degree_bonding.get(name, cast_db), "resin": resin, "temperature_C": T}
    return solder_float_summary(spec)


# -- fracture mechanics verdict (Hutchinson & Suo 1992) -------------------------------------------------------
def steady_delamination_G(layers_stress) -> float:
    """Steady-state energy release rate of an interface crack that frees the layers on one side of it:
    G_ss = sum_i (1 - nu_i^2) sigma_i^2 h_i / (2 E_i) (plane strain; Hutchinson & Suo, Adv. Appl. Mech. 29 (1992)
    63, steady-state delamination of a film with uniform mismatch stress, summed over the freed layers — bending of
    the freed stack is neglected, an upper bound for a symmetric stress state). ``layers_stress``: iterable of
    (sigma_Pa, E_Pa, nu, h_m)."""
    return float(sum((1.0 - nu ** 2) * s ** 2 * h / (2.0 * E) for s, E, nu, h in layers_stress))


def fracture_verdict(interfaces: Mapping[str, Mapping[str, float]]) -> dict:
    """Each interface: {"G_J_per_m2", "toughness_J_per_m2"}; FAIL if G >= G_c anywhere. Strict JSON (no inf):
    the ratio G/G_c is None for an unbonded interface (G_c = 0), which fails."""
    per = {}
    for name, d in interfaces.items():
        G, Gc = float(d["G_J_per_m2"]), float(d["toughness_J_per_m2"])
        ok = Gc > 0.0 and G < Gc
        extra = {k: v for k, v in d.items() if k not in ("G_J_per_m2", "toughness_J_per_m2")}
        per[name] = {"G_J_per_m2": G, **extra, "toughness_J_per_m2": Gc, "G_over_Gc": (G / Gc) if Gc > 0 else None,
                     "verdict": "OK" if ok else "FAIL",
                     "reason": ("not bonded (toughness 0)" if Gc <= 0 else
                                "mismatch energy release rate below the interface toughness" if ok else
                                "mismatch energy release rate reaches the interface toughness: delamination")}
    if not per:
        return {"verdict": None, "note": "no polymer interface"}
    worst = max(per, key=lambda n: math.inf if per[n]["G_over_Gc"] is None else per[n]["G_over_Gc"])
    return {"verdict": "OK" if all(v["verdict"] == "OK" for v in per.values()) else "FAIL",
            "worst_interface": worst, "G_over_Gc": per[worst]["G_over_Gc"], "reason": per[worst]["reason"],
            "per_interface": per, "criterion": "steady-state delamination G_ss vs interface toughness"}


# -- vapour pressure of absorbed water (blistering) ----------------------------------------------------------------
# IAPWS-IF97 (Wagner et al., J. Eng. Gas Turbines Power 122 (2000) 150), region 4, eq. 30-31: the saturation
# pressure of water from the triple point to the critical point (273.16-647.096 K)
_IF97 = (0.11670521452767e4, -0.72421316598320e6, -0.17073846940092e2, 0.12020824702470e5, -0.32325550322333e7,
         0.14915108613530e2, -0.48232657361591e4, 0.40511340542057e6, -0.23855557567849, 0.65017534844798e3)
CRITICAL_T_C = 373.946


def saturated_vapour_pressure_Pa(T_C: float) -> float:
    """Saturation pressure of water (Pa) at T_C, IAPWS-IF97 eq. 30 (0.01-373.946 C)."""
    if not 0.01 <= T_C <= CRITICAL_T_C:
        raise ValueError(f"temperature {T_C} C outside the saturation line of water (0.01-{CRITICAL_T_C} C)")
    n = _IF97
    T = T_C + 273.15
    th = T + n[8] / (T - n[9])
    A = th * th + n[0] * th + n[1]
    B = n[2] * th * th + n[3] * th + n[4]
    C = n[5] * th * th + n[6] * th + n[7]
    return float((2.0 * C / (-B + math.sqrt(B * B - 4.0 * A * C))) ** 4 * 1e6)


def vapour_pressure_Pa(water_activity: float, T_C: float) -> float:
    """Pressure of the vapour in a void at an interface whose resin holds water at activity a (Henry's law:
    the void's relative humidity is the resin's water activity, solubility taken independent of temperature):
    p = min(a, 1) p_sat(T). Above the critical point the critical pressure bounds it."""
    a = min(max(float(water_activity), 0.0), 1.0)
    return a * saturated_vapour_pressure_Pa(min(float(T_C), CRITICAL_T_C))


def bending_stiffness(layers) -> float:
    """Plane-strain bending stiffness (N m) of a layered beam per unit width about its neutral axis;
    ``layers``: iterable of (E_Pa, nu, h_m) bottom-up."""
    Ep = np.array([E / (1.0 - nu ** 2) for E, nu, _ in layers])
    h = np.array([h for *_, h in layers])
    z = np.concatenate([[0.0], np.cumsum(h)])
    zc = 0.5 * (z[:-1] + z[1:])
    zn = float((Ep * h * zc).sum() / (Ep * h).sum())
    return float((Ep * (h ** 3 / 12.0 + h * (zc - zn) ** 2)).sum())


def blister_G(pressure_Pa: float, half_width_m: float, bending_stiffness_Nm: float) -> float:
    """Energy release rate at the edge of a straight unbonded patch of half-width a under internal pressure p,
    the freed stack a clamped plate strip (plane strain): edge moment M = p a^2 / 3, G = M^2 / (2D) =
    p^2 a^4 / (18 D) (Hutchinson & Suo 1992: G = M^2/2D for an interface crack loaded by a bending moment on a
    much stiffer substrate)."""
    return float(pressure_Pa ** 2 * half_width_m ** 4 / (18.0 * bending_stiffness_Nm))


def combined_G(G_mismatch: float, G_vapour: float) -> float:
    """Both loads open the same crack: stress intensities add, so G = (sqrt G1 + sqrt G2)^2 (equal mode mix
    assumed, the upper bound)."""
    return float((math.sqrt(max(G_mismatch, 0.0)) + math.sqrt(max(G_vapour, 0.0))) ** 2)
