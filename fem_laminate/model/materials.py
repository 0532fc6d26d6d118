"""Materials: temperature-dependent thermoelastic (and thermal) properties with provenance.

The library lives in ``data/materials.toml``; every number there is ``{value, source}``.
Inside the code everything is SI (Pa, 1/K, W/(m K), ...); temperatures are passed in degrees
Celsius because every process schedule is written that way, and only differences enter the physics.
"""
from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field, replace
from importlib import resources

import numpy as np

T_REF_C = 25.0  # thermal strains are measured from 25 C (the patent's TMA reference length)


@dataclass(frozen=True)
class Material:
    name: str
    kind: str  # "metal" | "polymer"
    E_Pa: float  # Young's modulus at 25 C (glassy)
    nu: float
    cte_per_K: float | None = None  # in-plane CTE (constant), or None when a mean-CTE table is given
    cte_mean_table: tuple[tuple[float, float], ...] | None = None  # ((T_C, mean CTE from 20 C), ...)
    cte_z_per_K: float | None = None  # through-thickness CTE; defaults to in-plane
    dE_rel_per_K: float = 0.0
    Tg_C: float | None = None
    Tg_width_K: float = 10.0
    E_rubbery_ratio: float = 0.01
    k_W_per_mK: float | None = None
    cp_J_per_kgK: float | None = None
    density_kg_per_m3: float | None = None
    yield_Pa: float | None = None
    yield_rel_per_K: float = 0.0
    hardening_Pa: float | None = None
    hardening_rel_per_K: float = 0.0
    # water (physics/moisture.py); a material without them takes up no water
    moisture_diffusivity_m2_per_s: float | None = None  # at 25 C
    moisture_activation_J_per_mol: float | None = None
    moisture_saturation_wt_pct_per_rh_pct: float | None = None  # Henry's law: equilibrium uptake per %RH
    hygroscopic_expansion_per_wt_pct: float | None = None  # in-plane swelling strain per mass % water
    hygroscopic_expansion_z_per_wt_pct: float | None = None  # through the thickness (default: in-plane value)
    # viscoelasticity (physics/viscoelastic.py): generalized Maxwell series and time-temperature shift
    prony: tuple[tuple[float, float], ...] | None = None  # ((g_i, tau_i at prony_reference_C in s), ...)
    prony_reference_C: float | None = None
    wlf_C1: float = 17.44  # WLF above Tg, reference Tg (Williams, Landel, Ferry 1955 "universal" constants)
    wlf_C2_K: float = 51.6
    shift_activation_J_per_mol: float | None = None  # Arrhenius below Tg (and everywhere without a Tg)
    description: str = ""
    sources: dict = field(default_factory=dict, compare=False, hash=False)

    # -- elasticity -------------------------------------------------------------------------------
    def E(self, T_C):
        """Young's modulus (Pa) at temperature T_C; drops through Tg to the rubbery plateau."""
        T = np.asarray(T_C, dtype=float)
        glassy = self.E_Pa * np.maximum(1.0 + self.dE_rel_per_K * (T - T_REF_C), 0.05)
        if self.Tg_C is None:
            return glassy
        # smooth step: 1 below Tg, E_rubbery_ratio above (tanh over Tg_width_K)
        s = 0.5 * (1.0 - np.tanh((T - self.Tg_C) / self.Tg_width_K))
        return glassy * (self.E_rubbery_ratio + (1.0 - self.E_rubbery_ratio) * s)

    def is_rubbery(self, T_C) -> bool:
        """True at and above the glass transition (the layer relaxes its stress there)."""
        return self.Tg_C is not None and float(T_C) >= self.Tg_C

    # -- thermal expansion ------------------------------------------------------------------------
    def thermal_strain(self, T_C):
        """In-plane free thermal strain relative to 25 C."""
        return self._strain(np.asarray(T_C, dtype=float)) - self._strain(np.asarray(T_REF_C))

    def thermal_strain_z(self, T_C):
        """Through-thickness free thermal strain relative to 25 C (transversely isotropic films)."""
        a_z = self.cte_z_per_K
        if a_z is None:
            return self.thermal_strain(T_C)
        return a_z * (np.asarray(T_C, dtype=float) - T_REF_C)

    def _strain(self, T):
        if self.cte_mean_table is not None:
            tab = np.asarray(self.cte_mean_table, dtype=float)
            alpha_mean = np.interp(T, tab[:, 0], tab[:, 1], left=tab[0, 1], right=None)
            # linear extrapolation above the table
            if np.any(T > tab[-1, 0]):
                slope = (tab[-1, 1] - tab[-2, 1]) / (tab[-1, 0] - tab[-2, 0])
                alpha_mean = np.where(T > tab[-1, 0], tab[-1, 1] + slope * (T - tab[-1, 0]), alpha_mean)
            return alpha_mean * (T - 20.0)
        return self.cte_per_K * T

    def cte(self, T_C, dT=0.5):
        """Instantaneous in-plane CTE (1/K) at T_C."""
        return (self.thermal_strain(T_C + dT) - self.thermal_strain(T_C - dT)) / (2 * dT)

    # -- plasticity (metal foils) -----------------------------------------------------------------
    def yield_stress(self, T_C):
        if self.yield_Pa is None:
            return math.inf
        return self.yield_Pa * max(1.0 + self.yield_rel_per_K * (float(T_C) - T_REF_C), 0.05)

    def hardening(self, T_C):
        """Linear isotropic hardening modulus (Pa) at T_C (0 without data)."""
        if self.hardening_Pa is None:
            return 0.0
        return self.hardening_Pa * max(1.0 + self.hardening_rel_per_K * (float(T_C) - T_REF_C), 0.05)


# Which TOML keys map to which field, with the factor to SI.
_FIELDS = {
    "E_GPa": ("E_Pa", 1e9),
    "nu": ("nu", 1.0),
    "cte_per_K": ("cte_per_K", 1.0),
    "cte_mean_table": ("cte_mean_table", None),
    "cte_z_per_K": ("cte_z_per_K", 1.0),
    "dE_rel_per_K": ("dE_rel_per_K", 1.0),
    "Tg_C": ("Tg_C", 1.0),
    "Tg_width_K": ("Tg_width_K", 1.0),
    "E_rubbery_ratio": ("E_rubbery_ratio", 1.0),
    "k_W_per_mK": ("k_W_per_mK", 1.0),
    "cp_J_per_kgK": ("cp_J_per_kgK", 1.0),
    "density_kg_per_m3": ("density_kg_per_m3", 1.0),
    "yield_MPa": ("yield_Pa", 1e6),
    "yield_rel_per_K": ("yield_rel_per_K", 1.0),
    "hardening_MPa": ("hardening_Pa", 1e6),
    "hardening_rel_per_K": ("hardening_rel_per_K", 1.0),
    "moisture_diffusivity_m2_per_s": ("moisture_diffusivity_m2_per_s", 1.0),
    "moisture_activation_kJ_per_mol": ("moisture_activation_J_per_mol", 1e3),
    "moisture_saturation_wt_pct_per_rh_pct": ("moisture_saturation_wt_pct_per_rh_pct", 1.0),
    "hygroscopic_expansion_per_wt_pct": ("hygroscopic_expansion_per_wt_pct", 1.0),
    "hygroscopic_expansion_z_per_wt_pct": ("hygroscopic_expansion_z_per_wt_pct", 1.0),
    "prony": ("prony", "prony"),
    "prony_reference_C": ("prony_reference_C", 1.0),
    "wlf_C1": ("wlf_C1", 1.0),
    "wlf_C2_K": ("wlf_C2_K", 1.0),
    "shift_activation_kJ_per_mol": ("shift_activation_J_per_mol", 1e3),
}
ALLOWED_KEYS = tuple(_FIELDS) + ("kind", "description", "base")

# Physical ranges: (low, high) inclusive, used to reject bad input with a clear message.
RANGES = {
    "E_GPa": (1e-6, 1e4),
    "nu": (-0.99, 0.4999),
    "cte_per_K": (-1e-3, 1e-3),
    "cte_z_per_K": (-1e-3, 1e-3),
    "dE_rel_per_K": (-0.1, 0.1),
    "Tg_C": (-273.15, 1000.0),
    "Tg_width_K": (0.1, 200.0),
    "E_rubbery_ratio": (1e-6, 1.0),
    "k_W_per_mK": (1e-4, 1e4),
    "cp_J_per_kgK": (1.0, 1e5),
    "density_kg_per_m3": (1.0, 1e5),
    "yield_MPa": (1e-3, 1e5),
    "yield_rel_per_K": (-0.1, 0.1),
    "hardening_MPa": (0.0, 1e6),
    "hardening_rel_per_K": (-0.1, 0.1),
    "moisture_diffusivity_m2_per_s": (1e-20, 1e-8),
    "moisture_activation_kJ_per_mol": (0.0, 300.0),
    "moisture_saturation_wt_pct_per_rh_pct": (0.0, 1.0),
    "hygroscopic_expansion_per_wt_pct": (0.0, 0.1),
    "hygroscopic_expansion_z_per_wt_pct": (0.0, 0.1),
    "prony_reference_C": (-273.15, 1000.0),
    "wlf_C1": (0.1, 100.0),
    "wlf_C2_K": (1.0, 1000.0),
    "shift_activation_kJ_per_mol": (1.0, 2000.0),
}


def material_from_dict(name: str, d: dict, base: Material | None = None) -> Material:
    """Build a Material from TOML-style keys (values either plain or ``{value, source}``)."""
    kwargs, sources = {}, {}
    for key, raw in d.items():
        if key in ("kind", "description"):
            kwargs[key] = raw
            continue
        if key == "base":
            continue
        value, source = (raw["value"], raw.get("source", "")) if isinstance(raw, dict) else (raw, "case file")
        attr, factor = _FIELDS[key]
        if factor == "prony":
            value = prony_terms(name, value)
        elif factor is None:
            value = tuple(tuple(float(x) for x in row) for row in value)
        else:
            value = float(value) * factor
        kwargs[attr] = value
        sources[key] = source
    if base is not None:
        merged = dict(base.sources)
        merged.update(sources)
        if "cte_per_K" in kwargs:
            kwargs.setdefault("cte_mean_table", None)
        return replace(base, name=name, sources=merged, **kwargs)
    kwargs.setdefault("kind", "polymer")
    if "cte_per_K" not in kwargs and "cte_mean_table" not in kwargs:
        raise ValueError(f"material {name!r} needs cte_per_K or cte_mean_table")
    return Material(name=name, sources=sources, **kwargs)


def prony_terms(name: str, value) -> tuple[tuple[float, float], ...]:
    """[{g, tau_s}, ...] -> ((g, tau_s), ...); the g are fractions of the instantaneous modulus, sum below 1."""
    try:
        terms = tuple((float(t["g"]), float(t["tau_s"])) for t in value)
    except (TypeError, KeyError, ValueError):
        raise ValueError(f"material {name!r}: prony must be a list of {{ g = ..., tau_s = ... }} tables")
    if not terms or any(not (0.0 < g < 1.0) or not (tau > 0.0) for g, tau in terms) or sum(g for g, _ in terms) >= 1.0:
        raise ValueError(f"material {name!r}: prony needs 0 < g < 1, tau_s > 0 and a sum of g below 1")
    return terms


_LIBRARY: dict[str, Material] | None = None


def load_library() -> dict[str, Material]:
    """The bundled material library, name -> Material."""
    global _LIBRARY
    if _LIBRARY is None:
        text = resources.files("fem_laminate").joinpath("data/materials.toml").read_text()
        raw = tomllib.loads(text)
        _LIBRARY = {name: material_from_dict(name, d) for name, d in raw.items()}
    return dict(_LIBRARY)


def library_sources() -> dict[str, dict]:
    """name -> {key: (value, source)} straight from the data file, for listing and provenance tests."""
    text = resources.files("fem_laminate").joinpath("data/materials.toml").read_text()
    return tomllib.loads(text)
