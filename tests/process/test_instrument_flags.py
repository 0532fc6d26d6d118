"""Simulated tests flag what the instrument would flag: a TMA scan the load deformed, a JIS C 6481 reading and
what moved its marks, a solder-float verdict outside its correlations' range, a peel without a plateau or with
a broken arm. Small meshes and only the steps each test needs."""
import json
import tomllib

import pytest

from fem_laminate import process
from fem_laminate.case import load_case_dict
from fem_laminate.job import simulate
from fem_laminate.physics.models.laminate import apply_uniaxial_load, relaxing_layers
from fem_laminate.physics.models.schedule import change_temperature
from fem_laminate.post import measure
from fem_laminate.process import tma

CHAIN = ("cure", "cool", "bond", "etch", "tma")


def _small(cases_dir, name, keep=CHAIN):
    d = tomllib.loads((cases_dir / f"{name}.toml").read_text())
    d["mesh"].update(nx=12, n_per_layer=1)
    d["steps"] = [s for s in d["steps"] if s["kind"] in keep]
    return d


def _tester_case(cases_dir):
    """The outside tester's Comparative 5: pi_IV's Prony series referred to 0.13 C (it flows at the scan's
    temperatures) and 8.84 N on the 4 mm strip (74 MPa)."""
    d = _small(cases_dir, "comparative_5")
    d["materials"] = {"pi_IV": {"base": "pi_IV", "prony_reference_C": 0.13}}
    d["steps"][-1]["load_N"] = 8.84
    return d


# -- TMA ------------------------------------------------------------------------------------------------
def test_tester_tma_case_is_invalid_with_reason_and_null_cte(cases_dir):
    _, record, s = simulate(load_case_dict(_tester_case(cases_dir), "tester.toml"))
    film = s["film"]
    assert film["valid"] is False and film["cte_per_K"] is None and film["cte_ppm_per_K"] is None
    assert "creep" in film["invalid_reason"] and "10 %" in film["invalid_reason"]
    # the strip crept some 350 % during the scan, the thermal part is the film's own 3.1e-5/K
    assert film["creep_strain"] > 1.0
    assert film["thermal_strain"] / 150.0 == pytest.approx(3.1e-5, rel=0.05)
    assert film["measured_strain"] == pytest.approx(
        film["thermal_strain"] + film["load_elastic_strain"] + film["creep_strain"], rel=1e-12)
    notes = [n for n in record.notes if n.startswith("tma:")]
    assert len(notes) == 1 and "\n" not in notes[0] and "invalid" in notes[0]
    json.dumps(s, allow_nan=False)  # strict JSON: the null is a null


def _unflagged_cte(state, spec):
    """The TMA as it was computed before the flags: one loaded scan, the marks' change over the window."""
    s = state.copy()
    layers = s.active_layers()
    change_temperature(s, spec.reference_C)
    timed = bool(relaxing_layers(s))
    if timed:
        thick = sum(s.stack.layers[i].thickness_m for i in layers)
        apply_uniaxial_load(s, spec.load_N / (spec.sample_width_mm * 1e-3 * thick), layers)
        change_temperature(s, spec.reference_C, seconds=0.0)
    rate = spec.rate_K_per_min / 60.0
    L_ref = measure.mark_distance(s, layers)
    change_temperature(s, spec.from_C, seconds=abs(spec.from_C - s.T_C) / rate if timed else None)
    L1 = measure.mark_distance(s, layers)
    change_temperature(s, spec.to_C, seconds=abs(spec.to_C - s.T_C) / rate if timed else None)
    return (measure.mark_distance(s, layers) - L1) / (L_ref * (spec.to_C - spec.from_C))


@pytest.mark.parametrize("name", ["example_1", "comparative_3"])
def test_patent_tma_scans_stay_valid_and_unchanged(cases_dir, name):
    case = load_case_dict(_small(cases_dir, name), f"{name}.toml")
    spec = case.steps[-1]
    case.spec = case.spec.model_copy(update={"steps": case.spec.steps[:-1]})
    state, _, _ = simulate(case)
    record = process.Record()
    tma.run(state, spec, record)
    film = record.latest(tma.FilmResult).value
    assert film["valid"] is True and film["invalid_reason"] is None and not record.notes
    assert film["cte_per_K"] == pytest.approx(_unflagged_cte(state, spec), rel=1e-12)
    # the default 0.05 N load is far below the limit
    assert abs(film["creep_strain"]) < 0.01 * film["thermal_strain"]
    assert abs(film["load_elastic_strain"]) < 0.01 * film["thermal_strain"]


def test_quasi_static_tma_has_no_load_parts(cases_dir):
    d = _small(cases_dir, "example_1")
    d["physics"] = {"viscoelastic": False}
    _, _, s = simulate(load_case_dict(d, "elastic.toml"))
    film = s["film"]
    assert film["valid"] is True and film["mode"] == "quasi-static, unloaded"
    assert film["load_elastic_strain"] == 0.0 and film["creep_strain"] == 0.0
    assert film["cte_per_K"] * 150.0 == pytest.approx(film["thermal_strain"], rel=1e-12)


def _parts(creep=0.0, elastic=0.0, thermal=1e-3):
    return {"thermal_strain": thermal, "load_elastic_strain": elastic, "creep_strain": creep,
            "measured_strain": thermal + elastic + creep}


@pytest.mark.parametrize("parts, valid", [
    (_parts(creep=0.1e-3), True),  # at the limit: still the film's expansion
    (_parts(creep=0.1e-3 * (1 + 1e-9)), False),
    (_parts(creep=-0.1e-3 * (1 + 1e-9)), False),  # shrinking under load counts as well
    (_parts(elastic=0.1e-3), True),
    (_parts(elastic=0.1e-3 * (1 + 1e-9)), False),
    (_parts(thermal=0.0), True),  # nothing expands and nothing deforms: a zero CTE, measured
    (_parts(thermal=0.0, creep=1e-9), False),
])
def test_tma_threshold_edges(parts, valid):
    why = tma.invalid_reason(parts)
    assert (why is None) is valid
    if why:
        assert "10 %" in why and "\n" not in why


def test_validation_table_shows_dash_and_reason_for_an_invalid_scan(cases_dir):
    from fem_laminate.studies import validate
    case = load_case_dict(_tester_case(cases_dir), "tester.toml")
    why = "the load's creep over the window (3.5) is 75000 % of the thermal expansion (0.0047), above the 10 % limit"
    s = {"film": {"cte_per_K": None, "valid": False, "invalid_reason": why}, "curl": {"curvature_1_per_m": 0.0}}
    row = validate._row(case, "comparative_5", s, {"film_cte_per_K": 3.0e-5})
    assert row["film CTE (1e-5/K) predicted"] is None and row["film CTE (1e-5/K) error (%)"] is None
    assert row["film CTE not reported because"] == why
    assert row[validate.PATENT_DS_COLUMN] is None
    table = validate.markdown_table([row], list(row))
    line = next(ln for ln in table.splitlines() if ln.startswith("| comparative_5"))  # the predictions table
    assert "| – |" in line and why in line


# -- the patent's rows: every test's reading valid -------------------------------------------------------------
TESTS = ("cure", "cool", "bond", "solder_float", "dimensional_stability", "peel")


@pytest.fixture(scope="module")
def example_1_tests(cases_dir):
    return simulate(load_case_dict(_small(cases_dir, "example_1", TESTS), "example_1.toml"))


def test_patent_row_readings_are_valid(example_1_tests):
    _, record, s = example_1_tests
    assert s["peel"]["valid"] is True and s["peel"]["invalid_reason"] is None
    assert 0.0 < s["peel"]["arm_tension_over_yield"] < 1.0
    assert not [n for n in record.notes if "invalid" in n]


# -- peel --------------------------------------------------------------------------------------------------
def test_peel_without_plateau_is_invalid(example_1_tests, monkeypatch, cases_dir):
    from types import SimpleNamespace

    from fem_laminate.process import peel
    state, record, _ = example_1_tests
    unsteady = SimpleNamespace(force_N_per_mm=1.2, plastic_dissipation_fraction=0.5, root_rotation_deg=10.0,
                               root_curvature_1_per_m=1e4, steady=False, ndofs=10, seconds=1.0,
                               element_length_m=1e-6, process_zone_m=1e-5)
    monkeypatch.setattr(peel, "_peel_fem", lambda *a, **k: unsteady)
    spec = peel.Spec(kind="peel", method="fem")
    rec = process.Record(results=list(record.results))
    peel.run(state, spec, rec)
    res = rec.latest(peel.PeelResult).value
    assert res["valid"] is False and "plateau" in res["invalid_reason"]
    assert [n for n in rec.notes if n.startswith("peel:")] == [f"peel: reading invalid: {res['invalid_reason']}"]


@pytest.mark.parametrize("share, valid", [(1 - 1e-9, True), (1 + 1e-9, False), (1.5, False)])
def test_peel_arm_yielding_in_tension_is_invalid(share, valid):
    from fem_laminate.analytic.peel import ArmLayer
    from fem_laminate.process import peel
    cu = ArmLayer(E_Pa=116e9, nu=0.34, thickness_m=35e-6, yield_Pa=200e6)
    arm = peel.arm_tension(share * 200e6 * 35e-6, [cu])
    assert arm["arm_tension_over_yield"] == pytest.approx(share, rel=1e-12)
    assert arm["arm_tensile_stress_MPa"] == pytest.approx(share * 200.0, rel=1e-12)
    why = peel.invalid_reason({**arm, "steady": True})
    assert (why is None) is valid
    if why:
        assert "yield" in why


def test_peel_polymer_arm_layer_shares_the_pull_but_has_no_yield():
    from fem_laminate.analytic.peel import ArmLayer
    from fem_laminate.process import peel
    pi = ArmLayer(E_Pa=5e9, nu=0.34, thickness_m=6e-6)
    cu = ArmLayer(E_Pa=116e9, nu=0.34, thickness_m=35e-6, yield_Pa=200e6)
    F = 1e3  # N/m
    arm = peel.arm_tension(F, [pi, cu])
    Ep = [a.E_Pa / (1 - a.nu ** 2) for a in (pi, cu)]
    strain = F / (Ep[0] * 6e-6 + Ep[1] * 35e-6)
    assert arm["arm_tension_over_yield"] == pytest.approx(Ep[1] * strain / 200e6, rel=1e-12)


# -- solder float ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def wet_open_laminate(cases_dir):
    """Example 1 bonded, its top foil etched and the film conditioned at 50 % RH: water in the resin."""
    d = _small(cases_dir, "example_1", ("cure", "cool", "bond"))
    d["steps"] += [{"kind": "etch", "side": "top"},
                   {"kind": "condition", "temperature_C": 21, "rh_pct": 50, "hours": 4}]
    state, record, _ = simulate(load_case_dict(d, "wet.toml"))
    return state, record


def _float(wet_open_laminate, **kw):
    from fem_laminate.process import solder_float
    state, record = wet_open_laminate
    rec = process.Record(results=list(record.results))
    solder_float.run(state, solder_float.Spec(kind="solder_float", **kw), rec)
    return rec.latest(solder_float.SolderFloatResult).value, rec.notes


def test_solder_float_above_the_critical_point_of_water_is_flagged(wet_open_laminate):
    res, notes = _float(wet_open_laminate, temperature_C=380.0, unbonded_patch_um=1.0)
    assert res["valid"] is False and "critical point" in res["invalid_reason"]
    assert res["verdict"] in ("OK", "FAIL")  # kept, marked
    assert notes == [f"solder_float: verdict outside its correlations' range: {res['invalid_reason']}"]


def test_solder_float_blister_beyond_small_deflection_is_flagged(wet_open_laminate):
    res, _ = _float(wet_open_laminate, temperature_C=350.0, unbonded_patch_um=100.0)
    worst = max(v["blister_deflection_over_thickness"] for v in res["per_interface"].values())
    assert worst > 1.0 and res["valid"] is False and "small-deflection" in res["invalid_reason"]
    res, notes = _float(wet_open_laminate, temperature_C=350.0, unbonded_patch_um=1.0)  # a pinhole: in range
    assert res["valid"] is True and res["invalid_reason"] is None and not notes


def test_patent_row_solder_float_is_valid(example_1_tests):
    assert example_1_tests[2]["solder_float"]["valid"] is True


@pytest.mark.parametrize("T_C, water, deflection, valid", [
    (373.946, 0.5, 0.0, True),  # at the critical point: the saturation line still holds
    (373.947, 0.5, 0.0, False),
    (400.0, 0.0, 0.0, True),  # dry resin: no vapour, no correlation to leave
    (350.0, 0.5, 1.0, True),  # deflection equal to the thickness: the plate still bends
    (350.0, 0.5, 1.0 + 1e-9, False),
])
def test_solder_float_range_edges(T_C, water, deflection, valid):
    from fem_laminate.process import solder_float
    per = {"a/b": {"water_activity": water, "blister_deflection_over_thickness": deflection}}
    assert (solder_float.invalid_reason(per, T_C) is None) is valid


# -- JIS C 6481 dimensional stability --------------------------------------------------------------------
def test_dimensional_stability_states_what_moved_the_marks(example_1_tests):
    ds = example_1_tests[2]["dimensional_stability"]
    parts = ds["moved_by"]
    assert set(parts) == {"etch_release_pct", "moisture_swelling_pct", "relaxation_pct"}
    assert sum(parts.values()) == pytest.approx(ds["dimensional_change_pct"], rel=1e-9)
    assert ds["moved_mostly_by"] == max(parts, key=lambda k: abs(parts[k])).removesuffix("_pct")
    assert parts["moisture_swelling_pct"] > 0.0 and parts["etch_release_pct"] != 0.0  # water in, stress out


def test_dimensional_stability_without_moisture_has_no_swelling_part(cases_dir):
    d = _small(cases_dir, "comparative_3", ("cure", "cool", "bond", "dimensional_stability"))
    d["physics"] = {"moisture": False}
    ds = simulate(load_case_dict(d, "dry.toml"))[2]["dimensional_stability"]
    assert ds["moved_by"]["moisture_swelling_pct"] == 0.0
    assert ds["moved_mostly_by"] == "etch_release"
