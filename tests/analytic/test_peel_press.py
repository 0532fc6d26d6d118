"""The nip-worked foil in the peel (analytic/peel_press.py): cold work as a pre-strain of the arm's linear
isotropic hardening, thinning at constant volume, and their named contributions to the steady peel force
(Winkler root here, 10 ms a solve; the peel step uses the cohesive root)."""
import math

import pytest

from fem_laminate.analytic import peel as ap
from fem_laminate.analytic import peel_press as pp

FOUND = [ap.FoundationLayer(5e9, 0.34, 6e-6), ap.FoundationLayer(9.1e9, 0.34, 24e-6)]


def cu(yield_Pa=250e6, hardening_Pa=1e9, thickness_m=35e-6):
    return ap.ArmLayer(116e9, 0.34, thickness_m, yield_Pa, hardening_Pa)


def effects(G, elongation, **kw):
    def force(a, f):
        return ap.steady_peel(G, 180.0, a, f, root="winkler").force_N_per_m * 1e-3

    return pp.press_effects(G, 180.0, [cu()], FOUND, 60e6, elongation, force=force, **kw)


def test_prestrain_thinning_and_plane_strain_equivalent_strain():
    assert pp.equivalent_plastic_strain(0.03) == pytest.approx(0.03 * 2 / math.sqrt(3), rel=1e-12)
    worked = pp.cold_worked(cu(), 0.02)
    assert worked.yield_Pa == pytest.approx(250e6 + 1e9 * 0.02, rel=1e-12)
    elastic = ap.ArmLayer(3e9, 0.34, 10e-6)
    assert pp.cold_worked(elastic, 0.02) == elastic
    assert pp.thinned(cu(), 0.05).thickness_m * 1.05 == pytest.approx(35e-6, rel=1e-12)  # volume kept


def test_an_unworked_foil_contributes_nothing():
    r = effects(261.0, 0.0)
    assert r["force_with_press_effects_N_per_mm"] == r["force_virgin_foil_N_per_mm"]
    assert all(v == 0.0 for k, v in r["contributions_N_per_mm"].items() if v is not None)


def test_contributions_add_up_and_recovery_removes_the_cold_work():
    r = effects(261.0, 0.02)
    c = r["contributions_N_per_mm"]
    total = c["cold_work"] + c["foil_thinning"] + c["interaction"]
    assert r["force_with_press_effects_N_per_mm"] - r["force_virgin_foil_N_per_mm"] == pytest.approx(total, rel=1e-9)
    assert c["bond_line_thinning"] is None and c["residual_stress"] is None  # not modelled: said so, not zero
    annealed = effects(261.0, 0.02, retained=0.0)
    assert annealed["contributions_N_per_mm"]["cold_work"] == 0.0
    assert annealed["contributions_N_per_mm"]["foil_thinning"] == pytest.approx(c["foil_thinning"], rel=1e-12)
    with pytest.raises(ValueError, match="retained"):
        effects(261.0, 0.02, retained=1.5)


@pytest.mark.parametrize("G, sign", [(261.0, +1), (12.0, -1)])
def test_cold_work_raises_the_force_of_a_deeply_plastic_arm_and_lowers_it_near_the_elastic_limit(G, sign):
    """The bending cycle's work is zero for a string and for an elastic arm: the patent's copper at G_c ~ 260
    J/m^2 (root ~80 x its elastic-limit curvature) dissipates more when harder, the same foil at 12 J/m^2 (~7 x)
    less; thinning does the opposite in each (the smaller section moves the arm the other way)."""
    c = effects(G, 0.01)["contributions_N_per_mm"]
    assert sign * c["cold_work"] > 0.0
    assert sign * c["foil_thinning"] < 0.0
