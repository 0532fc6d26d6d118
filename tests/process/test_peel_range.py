"""The peel closed form knows its range: the four checks at its solution, and what the peel step reports outside it
(docs/theory/peel.md, validity table). Example 1's arm (35 um ED copper, sigma_y 250 MPa) on its polyimides at the
calibrated Cu-PI toughness, with the copper's hardening and thickness changed as an outside tester did."""
import json
import math

import pytest

from fem_laminate.analytic import peel as ap
from fem_laminate.analytic import peel_range as pr
from fem_laminate.physics.correlations import bonding as bd
from fem_laminate.process import peel as pp

G_FULL = 261.4  # J/m2, the calibrated Cu-PI toughness (docs/theory/peel.md, Calibration)


def _arm(H_MPa=1000.0, h_um=35.0):
    from fem_laminate.model.materials import load_library

    lib = load_library()
    cu = lib["copper_ed"]
    arm = [ap.ArmLayer(float(cu.E(25.0)), cu.nu, h_um * 1e-6, cu.yield_stress(25.0), H_MPa * 1e6)]
    found = [ap.FoundationLayer(float(lib[m].E(25.0)), lib[m].nu, t) for m, t in (("pi_IV", 6e-6), ("pi_I", 24e-6))]
    return arm, found


def _closed(H_MPa=1000.0, h_um=35.0, angle=180.0):
    arm, found = _arm(H_MPa, h_um)
    return ap.steady_peel(G_FULL, angle, arm, found, cohesive=ap.CohesiveLaw(bd.cohesive_strength_Pa())), arm


def test_patent_arm_is_inside_the_range():
    r, arm = _closed(1000.0)
    v = pr.check(r, arm)
    assert v.valid and v.reason is None
    assert v.values["root_radius_over_thickness"] == pytest.approx(2.77, abs=0.02)
    assert v.values["root_rotation_deg"] < 30.0 and v.values["arm_tension_over_yield"] < 0.2
    assert r.force_N_per_m / 9.80665e2 == pytest.approx(1.50, abs=0.01)  # kgf/cm, the calibration


@pytest.mark.parametrize("H_MPa, failing", [
    (100.0, {"root radius", "hardening"}),
    (10.0, {"root radius", "hardening"}),
    (0.3, {"root radius", "root rotation", "arm tension", "hardening"}),
    (0.0, {"root radius", "root rotation", "arm tension", "hardening"}),
])
def test_soft_hardening_is_flagged(H_MPa, failing):
    """The tester's rows: 3.5 / 10 / 69 / 108 kgf/cm from the closed form; each is outside at least two checks."""
    r, arm = _closed(H_MPa)
    v = pr.check(r, arm)
    assert not v.valid
    assert {f for f in ("root radius", "root rotation", "arm tension", "hardening")
            if any(x.startswith(f) for x in v.reasons)} == failing
    json.dumps(v.summary(), allow_nan=False)


def test_minimum_hardening_is_the_derived_bound():
    """24 G_c / h - 12 sigma_y'^2 / E' (plane-strain tangent, module docstring) against the section's exact
    complementary energy at kappa = 1/h: within 1 %; a perfectly plastic section stores at most M_p kappa_e."""
    arm, _ = _arm()
    a = arm[0]
    Ep, sy = a.E_Pa / (1 - a.nu ** 2), 2 * a.yield_Pa / math.sqrt(3)
    Et = 24 * G_FULL / a.thickness_m - 12 * sy ** 2 / Ep
    H_formula = 0.75 * Et * Ep / (Ep - Et)  # uniaxial H from H' = E' E_t / (E' - E_t) = 4 H / 3
    assert pr.minimum_hardening_Pa(arm, G_FULL) == pytest.approx(H_formula, rel=0.01)
    sec = ap.Section(_arm(0.0)[0])
    Mp_ke = sy ** 2 * a.thickness_m / (2 * Ep)
    assert pr.loading_complementary_energy(sec, 1e3 * sec.kappa_e) == pytest.approx(Mp_ke, rel=0.01)
    assert Mp_ke < 0.05 * G_FULL  # no finite root for a perfectly plastic 35 um arm


def test_thin_foil_is_flagged():
    r, arm = _closed(1000.0, h_um=1.5)
    v = pr.check(r, arm)
    assert not v.valid and v.values["root_rotation_deg"] > 180.0 and v.values["root_radius_over_thickness"] < 1.0


def test_force_bounds_hold_the_valid_closed_form():
    r, arm = _closed(1000.0)
    lo, hi = pr.force_bounds_N_per_m(G_FULL, 180.0, arm)
    assert lo < r.force_N_per_m < hi
    _, hi0 = pr.force_bounds_N_per_m(G_FULL, 180.0, _arm(0.0)[0])
    a = arm[0]
    assert hi0 == pytest.approx((G_FULL + 2 * a.yield_Pa / math.sqrt(3) * a.thickness_m) / 2, rel=0.02)
    assert _closed(0.0)[0].force_N_per_m > 10 * hi0  # the closed form's 108 kgf/cm is impossible


# -- the peel step --------------------------------------------------------------------------------------------
def _peel(H_MPa=1000.0, h_um=35.0, **spec):
    arm, found = _arm(H_MPa, h_um)
    return pp.peel_arm(arm, found, G_FULL, pp.Spec(kind="peel", **spec))[0]


def test_step_inside_the_range_is_the_closed_form():
    res = _peel(method="auto")
    r, _ = _closed(1000.0)
    assert res["method_used"] == "analytic" and res["valid"] and res["invalid_reason"] is None
    assert res["force_N_per_mm"] == r.force_N_per_mm
    json.dumps(res, allow_nan=False)


@pytest.mark.parametrize("H_MPa", [0.3, 0.0])
def test_step_analytic_outside_the_range_is_null_with_the_reason(H_MPa):
    res = _peel(H_MPa, method="analytic")
    assert res["force_N_per_mm"] is None and res["kgf_per_cm"] is None and res["method_used"] is None
    assert not res["valid"] and "root radius" in res["peel_null_reason"]
    notes = pp.range_notes(res)
    assert len(notes) == 4 and all(n.startswith("peel: closed form out of its range") for n in notes)
    json.dumps(res, allow_nan=False)


def test_step_auto_on_a_thin_foil_is_null_the_fem_too_costly():
    res = _peel(1000.0, 1.5, method="auto")
    assert res["force_N_per_mm"] is None and "too costly" in res["peel_null_reason"]
    assert len(pp.range_notes(res)) == 4


def test_validate_row_of_a_null_peel_shows_the_reason():
    from fem_laminate.studies.validate import _fmt

    res = _peel(0.0, method="analytic")
    assert _fmt(res["kgf_per_cm"]) == "–" and "outside its range" in res["peel_null_reason"]


@pytest.mark.slow  # the FEM peel of a perfectly plastic and a nearly perfectly plastic arm: minutes each
@pytest.mark.parametrize("H_MPa", [0.0, 0.3])
def test_step_auto_outside_the_range_is_the_fem(H_MPa):
    """Example 1's arm at hardening 0 / 0.3 MPa: auto reports the FEM (measured 3.37 N/mm = 3.44 kgf/cm, a steady
    oscillation of +-4 %), finite, between Kendall's force and the tightest fold (0.13-5.25 N/mm)."""
    res = _peel(H_MPa, method="auto")
    assert res["method_used"] == "fem" and (res["steady"] or res["fem_steady_by"])
    b = res["force_bounds_N_per_mm"]
    assert math.isfinite(res["force_N_per_mm"]) and b["elastic_kendall"] < res["force_N_per_mm"] < b["tightest_fold"]
    assert res["closed_form_N_per_mm"] is None and len(pp.range_notes(res)) == 4
    json.dumps(res, allow_nan=False)
