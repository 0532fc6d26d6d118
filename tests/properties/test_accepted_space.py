"""Properties over the accepted input space: any case the schema accepts either is refused at load in one line
or runs to finite outputs within physical bounds (or a flagged null); monotone where physics says so.

Hypothesis, derandomized (fixed seed) and bounded (CI-sized: about a minute in all); `tests/fuzz/properties.py`
runs the same draws at a larger scale and reports what it finds. Each perturbation changes one to three fields
of a quick patent row to values inside the ranges the case schema accepts.
"""
import json
import math
import tomllib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fem_laminate.case import load_case_dict
from fem_laminate.errors import InputError
from fem_laminate.job import simulate
from fem_laminate.post.output import strict_json

ROOT = Path(__file__).resolve().parents[2]
BASES = ("example_1", "example_5", "comparative_3", "comparative_6")


def _base(name: str) -> dict:
    d = tomllib.loads((ROOT / "cases" / f"{name}.toml").read_text())
    d["mesh"]["nx"] = 24  # coarse: these are properties, not numbers
    return d


def _step(d: dict, kind: str) -> dict | None:
    return next((s for s in d["steps"] if s["kind"] == kind), None)


# (what, how to set it on a case dict, low, high, log-uniform): values inside the schema's accepted ranges
def _set_thickness(k):
    return lambda d, v: d["layers"][min(k, len(d["layers"]) - 1)].__setitem__("thickness_um", v)


def _set_step(kind, key):
    def f(d, v):
        s = _step(d, kind)
        if s is not None:
            s[key] = v
    return f


def _set_material(name, key):
    def f(d, v):
        d.setdefault("materials", {}).setdefault(name, {"base": name})[key] = v
    return f


def _set_hold(d, v):
    for seg in _step(d, "cure")["segments"]:
        if seg["action"] == "hold":
            seg["temperature_C"] = v


def _insert_after_first_cool(step: dict):
    def f(d, v):
        k = next(i for i, s in enumerate(d["steps"]) if s["kind"] == "cool") + 1
        d["steps"].insert(k, {**step, "temperature_C": v})
    return f


PERTURBATIONS = {
    "a dry hold at temperature_C (30 min)": (_insert_after_first_cool({"kind": "hold", "minutes": 30.0}),
                                             25.0, 450.0, False),
    "a humid condition at temperature_C (85 % RH, 24 h)": (
        _insert_after_first_cool({"kind": "condition", "rh_pct": 85.0, "hours": 24.0}), 5.0, 95.0, False),
    "foil thickness_um": (_set_thickness(0), 5.0, 200.0, True),
    "first polyimide thickness_um": (_set_thickness(1), 2.0, 200.0, True),
    "cure hold temperature_C": (_set_hold, 200.0, 450.0, False),
    "bond temperature_C": (_set_step("bond", "temperature_C"), 250.0, 550.0, False),
    "bond load_kgf": (_set_step("bond", "load_kgf"), 10.0, 1e4, True),
    "bond speed_m_per_min": (_set_step("bond", "speed_m_per_min"), 0.01, 50.0, True),
    "bonded foil_thickness_um": (_set_step("bond", "foil_thickness_um"), 2.0, 70.0, True),
    "copper yield_MPa": (_set_material("copper_ed", "yield_MPa"), 20.0, 1000.0, True),
    "copper hardening_MPa": (_set_material("copper_ed", "hardening_MPa"), 0.0, 5000.0, False),
    "pi_I E_GPa": (_set_material("pi_I", "E_GPa"), 0.5, 20.0, True),
    "pi_I cte_per_K": (_set_material("pi_I", "cte_per_K"), -5e-6, 1e-4, False),
    "peel angle_deg": (_set_step("peel", "angle_deg"), 30.0, 180.0, False),
}  # every step kind of the patent rows is in the bases; the curl step's own properties are in tests/physics/test_curl.py


@st.composite
def accepted_cases(draw):
    d = _base(draw(st.sampled_from(BASES)))
    keys = draw(st.lists(st.sampled_from(sorted(PERTURBATIONS)), min_size=1, max_size=3, unique=True))
    changed = {}
    for k in keys:
        setter, lo, hi, log = PERTURBATIONS[k]
        u = draw(st.floats(0.0, 1.0))
        v = float(math.exp(math.log(max(lo, 1e-9)) + u * (math.log(hi) - math.log(max(lo, 1e-9))))) if log \
            else float(lo + u * (hi - lo))
        setter(d, v)
        changed[k] = v
    return d, changed


def _finite_tree(x, where="summary"):
    """Every number is finite (strict JSON would refuse NaN and infinities)."""
    if isinstance(x, dict):
        for k, v in x.items():
            _finite_tree(v, f"{where}.{k}")
    elif isinstance(x, (list, tuple)):
        for i, v in enumerate(x):
            _finite_tree(v, f"{where}[{i}]")
    elif isinstance(x, float):
        assert math.isfinite(x), where


def _in(value, lo, hi, what):
    assert value is None or lo <= value <= hi, f"{what} = {value} outside [{lo}, {hi}]"


def check_physical_bounds(summary: dict) -> None:
    """The bounds each output must keep, on the summary as written (strict JSON: a value that is not finite, the
    failure index of an unbonded interface or the reptation time of an interface that never passed its Tg, is
    null there)."""
    s = strict_json(summary)
    json.dumps(s, allow_nan=False)
    _finite_tree(s)
    curl = s.get("curl") or {}
    # small-strain theory: the surface strain of the curl, |κ| h/2, stays below 5 % for any stack it accepts
    h = sum(layer["thickness_um"] for layer in s["stack"]) * 1e-6
    _in(abs(curl.get("curvature_1_per_m", 0.0)) * h / 2, 0.0, 0.05, "curl surface strain")
    film = s.get("film") or {}
    if film:
        _in(film.get("cte_per_K"), -1e-3, 1e-3, "film CTE (per K; the schema's own CTE range)")
    _in(s.get("dimensional_change_pct"), -5.0, 5.0, "dimensional change (%)")
    bond = s.get("bond") or {}
    for key in ("degree_intimate_contact", "degree_healing", "degree_bonding"):
        _in(bond.get(key), 0.0, 1.0, f"bond.{key}")
    nip = s.get("nip") or {}
    if nip.get("half_width_mm") is not None:
        assert nip["half_width_mm"] > 0.0 and nip["peak_pressure_MPa"] > 0.0
    peel = s.get("peel") or {}
    if peel.get("force_N_per_mm") is not None:
        assert peel["force_N_per_mm"] >= 0.0
    for block in ("pressure_cooker", "dimensional_stability"):
        up = (s.get(block) or {}).get("moisture_uptake_wt_pct")
        _in(up, 0.0, 10.0, f"{block} moisture uptake (wt%)")


@settings(derandomize=True, database=None, max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(accepted_cases())
def test_any_accepted_case_gives_finite_outputs_within_physical_bounds(drawn):
    d, changed = drawn
    try:
        case = load_case_dict(d, "perturbed.toml")
    except InputError as exc:  # refused at load in one line: a valid answer for a combination the steps refuse
        assert "\n" not in str(exc)
        return
    _, _, s = simulate(case)
    check_physical_bounds(s)


# -- monotone where physics says so --------------------------------------------------------------------------
def _bilayer_curvature(T_formed: float) -> float:
    from fem_laminate.model.materials import load_library
    from fem_laminate.model.mesh import layered_mesh_2d
    from fem_laminate.model.stack import Layer, Stack
    from fem_laminate.physics.fe import elastic
    from fem_laminate.physics.models.laminate import give_birth, initial_state
    from fem_laminate.physics.models.schedule import change_temperature
    from fem_laminate.post import measure

    lib = load_library()
    st_ = Stack((Layer("cu", lib["copper_ed"], 35e-6, "foil"), Layer("pi", lib["pi_I"], 25e-6, "cast")))
    model = elastic.make_model(layered_mesh_2d(st_.interfaces_m, 5e-3, nx=16, n_per_layer=2))
    s = initial_state(st_, model, T_formed)
    give_birth(s, [0, 1])
    change_temperature(s, 25.0)
    return measure.curvature(s)["curvature_1_per_m"]


@settings(derandomize=True, database=None, max_examples=8, deadline=None)
@given(st.floats(30.0, 400.0), st.floats(30.0, 400.0))
def test_bilayer_curl_grows_with_its_temperature_drop(Ta, Tb):
    lo, hi = sorted((Ta, Tb))
    if hi - lo < 1.0:
        return
    assert abs(_bilayer_curvature(hi)) > abs(_bilayer_curvature(lo))


@settings(derandomize=True, database=None, max_examples=10, deadline=None)
@given(st.floats(250.0, 500.0), st.floats(250.0, 500.0))
def test_degree_of_bonding_does_not_fall_with_the_bond_temperature(Ta, Tb):
    from fem_laminate.model.materials import load_library
    from fem_laminate.physics.correlations import bonding

    lo, hi = sorted((Ta, Tb))
    resin = load_library()["pi_IV"]
    t = np.linspace(0.0, 0.2, 200)
    p = 50e6 * np.sin(np.pi * t / 0.2) ** 2

    def degree(T):
        return bonding.bond_quality(t, np.full_like(t, T), p, resin).degree_bonding

    assert degree(hi) >= degree(lo) - 1e-12


@settings(derandomize=True, database=None, max_examples=6, deadline=None)
@given(st.floats(60.0, 240.0), st.floats(5.0, 100.0))
def test_tma_expansion_grows_with_the_scan_range(to_C, extra):
    from fem_laminate.case import load_case_dict as load

    def expansion(top):
        d = _base("preparation_1")
        d["steps"] = [s for s in d["steps"] if s["kind"] != "tma"] + [
            {"kind": "tma", "from_C": 50.0, "to_C": top}]
        _, _, s = simulate(load(d, "tma.toml"))
        return s["film"]["cte_per_K"] * (top - 50.0)

    assert expansion(min(to_C + extra, 300.0)) > expansion(to_C)
