"""Solder float (EP0496334A1 heat resistance: molten solder 350 C, 1 min): interface stress vs bond strength.

Interface strength of a bonded interface at temperature T:

    S(T) = D_b * S_ref * E_resin(T) / E_resin(T_ref)

S_ref is the resin's strength at T_ref (bonding.toml [solder]); scaling with the resin modulus means a
constant failure strain, so a rubbery resin above Tg is weak but also carries little stress. Verdict from
the quadratic interaction criterion on the peak interface tractions (compression does not open a crack):

    f = (<sigma_n>+ / S)^2 + (tau / (r S))^2,   OK if f < 1.

Moisture blistering and resin decomposition are not modelled.
"""
from __future__ import annotations

import math
from typing import Mapping

import numpy as np

from ..model.materials import Material
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
        resins = [materials[n] for n in (lo, hi) if materials[n].kind == "polymer"]
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
        per[name] = {"G_J_per_m2": G, "toughness_J_per_m2": Gc, "G_over_Gc": (G / Gc) if Gc > 0 else None,
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
