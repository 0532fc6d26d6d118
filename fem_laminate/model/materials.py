"""Materials: temperature-dependent thermoelastic (and thermal) properties with provenance.

The library lives in ``data/materials.toml``; every number there is ``{value, source}``.
Inside the code everything is SI (Pa, 1/K, W/(m K), ...); temperatures are passed in degrees
Celsius because every process schedule is written that way, and only differences enter the physics.
"""
from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass, field, replace
from importlib import resources

import numpy as np

from ..suggest import did_you_mean

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
    # power-law (dislocation) creep of a metal foil, Mukherjee-Bird-Dorn form (physics/laws/creep.py)
    creep_dorn_A: float | None = None
    creep_stress_exponent: float | None = None
    creep_D0_m2_per_s: float | None = None  # self-diffusion pre-exponential
    creep_activation_J_per_mol: float | None = None
    burgers_vector_m: float | None = None
    # water (physics/models/moisture.py); a material without them takes up no water
    moisture_diffusivity_m2_per_s: float | None = None  # at 25 C
    moisture_activation_J_per_mol: float | None = None
    moisture_saturation_wt_pct_per_rh_pct: float | None = None  # Henry's law: equilibrium uptake per %RH
    hygroscopic_expansion_per_wt_pct: float | None = None  # in-plane swelling strain per mass % water
    hygroscopic_expansion_z_per_wt_pct: float | None = None  # through the thickness (default: in-plane value)
    # viscoelasticity (physics/laws/viscoelastic.py): generalized Maxwell series and time-temperature shift
    prony: tuple[tuple[float, float], ...] | None = None  # ((g_i, tau_i at prony_reference_C in s), ...)
    prony_reference_C: float | None = None
    wlf_C1: float = 17.44  # WLF above Tg, reference Tg (Williams, Landel, Ferry 1955 "universal" constants)
    wlf_C2_K: float = 51.6
    shift_activation_J_per_mol: float | None = None  # Arrhenius below Tg (and everywhere without a Tg)
    description: str = ""
    sources: dict = field(default_factory=dict, compare=False, hash=False)
    # data of the material laws that keep their own table (physics/laws: a law's `parameters`), e.g.
    # law_data["cure_shrinkage"]["precursor_Tg_C"]; numbers in the table's units, checked by the law at load
    law_data: dict = field(default_factory=dict, hash=False)

    @property
    def is_metal(self) -> bool:
        """A foil or a roll (the kinds are "metal" and "polymer": not a metal is a polymer)."""
        return self.kind == "metal"

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
    "creep_dorn_A": ("creep_dorn_A", 1.0),
    "creep_stress_exponent": ("creep_stress_exponent", 1.0),
    "creep_D0_m2_per_s": ("creep_D0_m2_per_s", 1.0),
    "creep_activation_kJ_per_mol": ("creep_activation_J_per_mol", 1e3),
    "burgers_vector_nm": ("burgers_vector_m", 1e-9),
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
    "E_GPa": (1e-3, 1e4),  # from a soft elastomer (1 MPa) to diamond
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
    "yield_MPa": (1.0, 1e4),  # below 1 MPa no metal foil carries a roll nip (and the plastic solve degenerates)
    "yield_rel_per_K": (-0.1, 0.1),
    "hardening_MPa": (0.0, 1e6),
    "hardening_rel_per_K": (-0.1, 0.1),
    "creep_dorn_A": (1e-10, 1e20),
    "creep_stress_exponent": (1.0, 12.0),
    "creep_D0_m2_per_s": (1e-12, 1.0),
    "creep_activation_kJ_per_mol": (10.0, 1000.0),
    "burgers_vector_nm": (0.1, 1.0),
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


NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}$")  # as process.step.IDENTIFIER
KINDS = ("metal", "polymer")
TABLE_T_RANGE = (-273.15, 2000.0)  # C, rows of a mean-CTE table
MAX_TABLE_ROWS = 200
MAX_DESCRIPTION = 500


def _short(v) -> str:
    r = repr(v)
    return r if len(r) <= 60 else r[:57] + "..."


def _bad(key: str, value, allowed: str) -> ValueError:
    return ValueError(f"field '{key}' = {_short(value)} is not allowed: {allowed}")


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


UNCERTAINTY_KEYS = ("sd", "range", "sd_rel")  # one of them, with `uncertainty` (why), beside value and source


def _unwrap(key: str, raw):
    """A property is a plain value or ``{value = ..., source = "..."}``, optionally with an uncertainty (one of
    sd, range, sd_rel, and `uncertainty`, its reason); returns (value, source)."""
    if isinstance(raw, dict):
        extra = set(raw) - {"value", "source", "uncertainty", *UNCERTAINTY_KEYS}
        if "value" not in raw or extra:
            raise _bad(key, raw, "a value or a table {value = ..., source = \"...\"} (optional: one of sd, range, "
                                 "sd_rel, with uncertainty = \"why\")")
        src = raw.get("source", "")
        if not isinstance(src, str) or len(src) > 2000:
            raise _bad(key + ".source", src, "a text of at most 2000 characters")
        check_uncertainty(key, raw)
        return raw["value"], src
    return raw, "case file"


def check_uncertainty(key: str, raw: dict) -> None:
    """sd > 0, range [lo, hi] holding the value, or sd_rel in (0, 1) on a table; with a one-line reason."""
    given = [k for k in UNCERTAINTY_KEYS if k in raw]
    if not given and "uncertainty" not in raw:
        return
    if len(given) != 1:
        raise _bad(key, {k: raw[k] for k in given}, "exactly one of sd, range, sd_rel beside uncertainty")
    why = raw.get("uncertainty")
    if not isinstance(why, str) or not why.strip() or len(why) > 300 or not why.isprintable():
        raise _bad(key + ".uncertainty", why, "a one-line reason for the spread (at most 300 characters)")
    kind, u, v = given[0], raw[given[0]], raw["value"]
    if kind == "sd" and not (_is_number(u) and u > 0 and _is_number(v)):
        raise _bad(key + ".sd", u, "a number > 0 (one standard deviation, in the key's units) of a number")
    if kind == "sd_rel" and not (_is_number(u) and 0 < u < 1):
        raise _bad(key + ".sd_rel", u, "a number in (0, 1): the relative sd of a common factor on a table")
    if kind == "range" and not (isinstance(u, list) and len(u) == 2 and all(_is_number(x) for x in u)
                                and _is_number(v) and u[0] <= v <= u[1] and u[0] < u[1]):
        raise _bad(key + ".range", u, f"[low, high] with low < high holding the value {_short(v)}")


def _check_number(key: str, v) -> float:
    lo, hi = RANGES.get(key, (-math.inf, math.inf))
    if not _is_number(v) or not (lo <= v <= hi):
        raise _bad(key, v, f"must be a number in [{lo:g}, {hi:g}]" if key in RANGES else "must be a finite number")
    return float(v)


def _check_rows(key: str, v) -> tuple:
    """A table property other than the CTE table: a non-empty list of rows of finite numbers."""
    if not isinstance(v, (list, tuple)) or not 1 <= len(v) <= MAX_TABLE_ROWS or not all(
            isinstance(row, (list, tuple)) and row and all(_is_number(x) for x in row) for row in v):
        raise _bad(key, v, f"a list of 1 to {MAX_TABLE_ROWS} rows of finite numbers")
    return tuple(tuple(float(x) for x in row) for row in v)


def _check_table(key: str, v) -> tuple:
    """A mean-CTE table: at least two rows [T_C, mean CTE], temperatures strictly increasing."""
    allowed = (f"a list of 2 to {MAX_TABLE_ROWS} rows [T_C, mean CTE per K], temperatures strictly increasing in "
               f"[{TABLE_T_RANGE[0]:g}, {TABLE_T_RANGE[1]:g}] C, CTEs in [-1e-3, 1e-3]")
    if not isinstance(v, (list, tuple)) or not 2 <= len(v) <= MAX_TABLE_ROWS:
        raise _bad(key, v, allowed)
    rows = []
    for row in v:
        if not isinstance(row, (list, tuple)) or len(row) != 2 or not all(_is_number(x) for x in row):
            raise _bad(key, v, allowed)
        T, a = float(row[0]), float(row[1])
        if not (TABLE_T_RANGE[0] <= T <= TABLE_T_RANGE[1] and -1e-3 <= a <= 1e-3):
            raise _bad(key, v, allowed)
        rows.append((T, a))
    if any(t1 <= t0 for (t0, _), (t1, _) in zip(rows[:-1], rows[1:])):
        raise _bad(key, v, allowed)
    return tuple(rows)


def check_name(name) -> None:
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        raise ValueError(f"material name {_short(name)} is not allowed: 1-64 characters A-Z a-z 0-9 _ . + - "
                         "(starting with a letter or digit)")


def material_from_dict(name: str, d: dict, base: Material | None = None) -> Material:
    """Build a Material from TOML-style keys (values either plain or ``{value, source}``).

    Every key, type and range is checked; ValueError "field 'KEY' = VALUE is not allowed: WHAT IS" (one line)
    for anything else, so a malformed inline material is refused when the case loads, never mid-run."""
    check_name(name)
    if not isinstance(d, dict):
        raise ValueError(f"material {name!r} must be a table of properties, got {_short(d)}")
    kwargs, sources, law_data = {}, {}, {}
    for key, raw in d.items():
        if isinstance(raw, dict) and "value" not in raw and NAME_PATTERN.match(str(key)):
            law_data[key] = _law_table(name, key, raw, sources)  # a law's own table (checked by the law)
            continue
        if key not in ALLOWED_KEYS:
            raise ValueError(f"field {_short(key)} is not a known property{did_you_mean(key, ALLOWED_KEYS)} "
                             f"(allowed: {', '.join(ALLOWED_KEYS)})")
        if key == "base":
            continue
        value, source = _unwrap(key, raw)
        if key == "kind":
            if value not in KINDS:
                raise _bad(key, value, "must be 'metal' or 'polymer'")
            kwargs[key] = value
            continue
        if key == "description":
            if not isinstance(value, str) or len(value) > MAX_DESCRIPTION or not value.isprintable():
                raise _bad(key, value, f"a one-line text of at most {MAX_DESCRIPTION} printable characters")
            kwargs[key] = value
            continue
        attr, factor = _FIELDS[key]
        if factor == "prony":
            try:
                kwargs[attr] = prony_terms(name, value)
            except (TypeError, ValueError, IndexError, KeyError) as exc:
                raise _bad(key, value, f"a Prony series ({' '.join(str(exc).split())[:200]})") from None
        elif factor is None:
            kwargs[attr] = _check_table(key, value) if key == "cte_mean_table" else _check_rows(key, value)
        else:
            kwargs[attr] = _check_number(key, value) * factor
        sources[key] = source
    if base is not None:
        merged = dict(base.sources)
        merged.update(sources)
        if law_data:
            kwargs["law_data"] = {**base.law_data, **{k: {**base.law_data.get(k, {}), **v} for k, v in law_data.items()}}
        if "cte_per_K" in kwargs:
            kwargs.setdefault("cte_mean_table", None)
        return replace(base, name=name, sources=merged, **kwargs)
    kwargs.setdefault("kind", "polymer")
    for req in ("E_GPa", "nu"):
        if req not in d:
            raise ValueError(f"field '{req}' is missing (needed without 'base')")
    if "cte_per_K" not in kwargs and "cte_mean_table" not in kwargs:
        raise ValueError("field 'cte_per_K' is missing: give cte_per_K or cte_mean_table (or a 'base')")
    return Material(name=name, sources=sources, law_data=law_data, **kwargs)


def _law_table(name: str, table: str, raw: dict, sources: dict) -> dict:
    """A law's data table: numbers, each plain or {value, source}; sources recorded as 'table.key'."""
    out = {}
    for key, item in raw.items():
        value, source = _unwrap(f"{table}.{key}", item)
        if not _is_number(value):
            raise _bad(f"{table}.{key}", value, "must be a finite number")
        out[key] = float(value)
        sources[f"{table}.{key}"] = source
    return out


def prony_terms(name: str, value) -> tuple[tuple[float, float], ...]:
    """[{g, tau_s}, ...] -> ((g, tau_s), ...); the g are fractions of the instantaneous modulus, sum below 1."""
    try:
        terms = tuple((float(t["g"]), float(t["tau_s"])) for t in value)
    except (TypeError, KeyError, ValueError):
        raise ValueError(f"material {name!r}: prony must be a list of {{ g = ..., tau_s = ... }} tables")
    if not terms or any(not (0.0 < g < 1.0) or not (tau > 0.0) for g, tau in terms) or sum(g for g, _ in terms) >= 1.0:
        raise ValueError(f"material {name!r}: prony needs 0 < g < 1, tau_s > 0 and a sum of g below 1")
    return terms


# tables of data/materials.toml that are not materials: the interfaces (model/interfaces.py) and the polymers'
# yield in the peel arm (physics/laws/layer_views.py)
NOT_MATERIALS = ("interfaces", "interface_classes", "polymer_yield")

_LIBRARY: dict[str, Material] | None = None


def library_raw() -> dict:
    """data/materials.toml as parsed TOML (a fresh dict each call): materials and the tables in NOT_MATERIALS."""
    return tomllib.loads(resources.files("fem_laminate").joinpath("data/materials.toml").read_text())


def load_library() -> dict[str, Material]:
    """The bundled material library, name -> Material."""
    global _LIBRARY
    if _LIBRARY is None:
        raw = library_raw()
        _LIBRARY = {name: material_from_dict(name, d) for name, d in raw.items() if name not in NOT_MATERIALS}
    return dict(_LIBRARY)


def library_sources() -> dict[str, dict]:
    """name -> {key: (value, source)} straight from the data file, for listing and provenance tests."""
    return {k: v for k, v in library_raw().items() if k not in NOT_MATERIALS}
