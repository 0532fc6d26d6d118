"""A layer at one temperature, read from its laws: the one conversion from a `model.stack.Layer` (or its
material) at T to the plain numbers of the closed forms' layer views (analytic ArmLayer, FoundationLayer,
PlateLayer: built here, `arm_layer`, `foundation_layer`, `plate_layer`) and of the nip's strip layers
(contact.StripLayer.of, from `bulk_shear_glassy_bulk` and `yield_and_hardening`). The FEM peel's layers are
arm views.

Yield stress and hardening come from the `J2` law at T (a material without one is elastic: yield inf,
hardening 0), the modulus from the `Elastic` law at T (E(T), rubbery above Tg), so every model sees the copper
the laminate's thermal steps see.
"""
from __future__ import annotations

import math
from dataclasses import replace

from ...analytic import curl as ac
from ...analytic import peel as ap
from .elastic import Elastic
from .plasticity import J2


def yield_and_hardening(material, T_C: float) -> tuple[float, float]:
    """(σ_y, H) of the J2 law at T_C; (inf, 0) for a material without one."""
    j2 = J2.of(material)
    if j2 is None:
        return math.inf, 0.0
    return float(j2.yield_stress(T_C)), float(j2.hardening(T_C))


def mechanical_constants(material, T_C: float) -> tuple[float, float, float, float]:
    """(E, ν, σ_y, H) of a material at T_C from its elastic and J2 laws."""
    el = Elastic(material)
    return (el.modulus(T_C), el.nu) + yield_and_hardening(material, T_C)


def bulk_shear_glassy_bulk(material, T_C: float) -> tuple[float, float]:
    """(K, G) at T_C for a squeezed strip: G follows E(T) (rubbery above Tg), K keeps the glassy value (a polymer
    above Tg is soft in shear but nearly incompressible; the nip's assumption, physics/models/nip.py)."""
    E, nu = Elastic(material).modulus(T_C), material.nu
    E_glassy = Elastic(replace(material, Tg_C=None)).modulus(T_C)
    return E_glassy / (3.0 * (1.0 - 2.0 * nu)), E / (2.0 * (1.0 + nu))


_POLYMER_YIELD = None


def polymer_yield(material, T_C: float) -> tuple[float, float]:
    """(σ_y, H) of a polymer bent in a peel arm, from data/materials.toml [polymer_yield.<name>] (linear in T like
    the metals' J2 data, floored at 5 %); (inf, 0) for a polymer without an entry. Kept out of the material's own
    keys so the laminate's thermal steps stay elastic-viscoelastic for polymers (their stresses stay below yield)."""
    global _POLYMER_YIELD
    if _POLYMER_YIELD is None:
        from ...model.interfaces import _library_raw
        raw = _library_raw().get("polymer_yield", {})
        _POLYMER_YIELD = {m: {k: float(v["value"]) for k, v in d.items()} for m, d in raw.items()}
    d = _POLYMER_YIELD.get(material.name)
    if d is None:
        return math.inf, 0.0
    dT = float(T_C) - 25.0
    return (d["yield_MPa"] * 1e6 * max(1.0 + d.get("yield_rel_per_K", 0.0) * dT, 0.05),
            d.get("hardening_MPa", 0.0) * 1e6 * max(1.0 + d.get("hardening_rel_per_K", 0.0) * dT, 0.05))


def arm_layer(layer, T_C: float) -> ap.ArmLayer:
    """The peeled arm's view of a stack layer at T_C (modulus, yield and hardening from its laws; a polymer's
    yield from polymer_yield: whichever interface fails, every layer of the arm bends elastic-plastically)."""
    E, nu, sy, H = mechanical_constants(layer.material, T_C)
    if not layer.material.is_metal and not math.isfinite(sy):
        sy, H = polymer_yield(layer.material, T_C)
    return ap.ArmLayer(E, nu, layer.thickness_m, sy, H)


def foundation_layer(layer, T_C: float) -> ap.FoundationLayer:
    """The foundation's view of a stack layer at T_C (modulus from its elastic law)."""
    E, nu, _, _ = mechanical_constants(layer.material, T_C)
    return ap.FoundationLayer(E, nu, layer.thickness_m)


def plate_layer(layer, T_C: float, eigenstrain: float = 0.0, gradient_per_m: float = 0.0) -> ac.PlateLayer:
    """The plate's view of a stack layer at T_C with its eigenstrain (and through-thickness gradient)."""
    E, nu, _, _ = mechanical_constants(layer.material, T_C)
    return ac.PlateLayer(E, nu, layer.thickness_m, eigenstrain, gradient_per_m)
