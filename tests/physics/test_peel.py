"""Peel mechanics: closed form (Kendall limit, bending cycle, inversion), FEM (tangent, resolution check),
the peel step and its calibration (Example 1 only)."""
import math

import numpy as np
import pytest

from fem_laminate.analytic import peel as ap
from fem_laminate.physics import bonding as bd
from fem_laminate.physics import peel as fp

CU = dict(E_Pa=116e9, nu=0.34, thickness_m=35e-6)
PI = [ap.FoundationLayer(3e9, 0.34, 30e-6)]


@pytest.mark.parametrize("angle", [90.0, 180.0])
def test_elastic_arm_obeys_rivlin_kendall_within_1_percent(angle):
    arm = [ap.ArmLayer(**CU)]  # no yield: elastic
    for G in (50.0, 500.0, 3000.0):
        r = ap.steady_peel(G, angle, arm, PI)
        assert r.force_N_per_m * (1 - math.cos(math.radians(angle))) == pytest.approx(G, rel=0.01)
        assert r.plastic_work_J_per_m2 == pytest.approx(0.0, abs=1e-9 * G)
        # the stretch term of Kendall (1975) is the whole remainder
        EA = CU["E_Pa"] / (1 - CU["nu"] ** 2) * CU["thickness_m"]
        assert r.force_N_per_m == pytest.approx(ap.kendall_force(G, angle, EA), rel=1e-8)


def test_elastic_root_curvature_is_the_elastica():
    """Rigid base: E I kappa0^2 / 2 = P (1 - cos theta) (first integral of the elastica)."""
    r = ap.steady_peel(400.0, 90.0, [ap.ArmLayer(**CU)])
    EI = CU["E_Pa"] / (1 - CU["nu"] ** 2) * CU["thickness_m"] ** 3 / 12
    assert 0.5 * EI * r.root_curvature_1_per_m ** 2 == pytest.approx(r.force_N_per_m, rel=2e-3)
    assert r.root_rotation_deg == 0.0


def test_bending_cycle_closed_forms():
    """Elastic-perfectly-plastic section: moment -> sigma_y' h^2 / 4 (fully plastic); an elastic cycle stores and
    returns everything; the cycle work of a deep plastic cycle is ~ 2 M_p kappa0 (loading + reverse bending)."""
    sy = 200e6
    sec = ap.Section([ap.ArmLayer(**CU, yield_Pa=sy)])
    Mp = 2 / math.sqrt(3) * sy * CU["thickness_m"] ** 2 / 4
    M0, C, W = sec.cycle(2000 * sec.kappa_e)
    assert M0 == pytest.approx(Mp, rel=1e-3)
    assert W / (2 * Mp * 2000 * sec.kappa_e) == pytest.approx(1.0, rel=0.01)
    M0, C, W = sec.cycle(0.5 * sec.kappa_e)
    assert W == pytest.approx(0.0, abs=1e-12 * M0 * sec.kappa_e)
    assert C == pytest.approx(0.5 * sec.EI * (0.5 * sec.kappa_e) ** 2, rel=1e-6)


def test_plastic_arm_needs_more_force_and_inversion_round_trips():
    arm = [ap.ArmLayer(**CU, yield_Pa=250e6, hardening_Pa=1e9)]
    el = ap.steady_peel(300.0, 180.0, [ap.ArmLayer(**CU)], PI)
    pl = ap.steady_peel(300.0, 180.0, arm, PI)
    assert pl.force_N_per_m > 2 * el.force_N_per_m and pl.arm_yields
    assert 0.5 < pl.plastic_dissipation_fraction < 1.0
    assert pl.root_rotation_deg > 0.0
    G = ap.toughness_for_force(pl.force_N_per_m, 180.0, arm, PI)
    assert G == pytest.approx(300.0, rel=1e-6)


def test_given_root_rotation_replaces_the_winkler_root():
    """theta_0 given (measured, or from the FEM): the Winkler value reproduces the foundation result, 0 the rigid
    base; a plastic arm's force falls steeply as the root rotates (the sensitivity the FEM comparison meets)."""
    arm = [ap.ArmLayer(10e9, 0.34, 20e-6, 400e6, 100e6)]
    w = ap.steady_peel(200.0, 90.0, arm, PI)
    given = ap.steady_peel(200.0, 90.0, arm, root_rotation_deg=w.root_rotation_deg)
    assert given.force_N_per_m == pytest.approx(w.force_N_per_m, rel=1e-9)
    assert ap.steady_peel(200.0, 90.0, arm, root_rotation_deg=0.0).force_N_per_m == pytest.approx(
        ap.steady_peel(200.0, 90.0, arm).force_N_per_m, rel=1e-9)
    forces = [ap.steady_peel(200.0, 90.0, arm, root_rotation_deg=t).force_N_per_m for t in (5.0, 10.0, 20.0)]
    assert forces[0] > 1.4 * forces[1] and forces[1] > 1.4 * forces[2]  # 567 / 377 / 256 N/m
    elastic = [ap.ArmLayer(10e9, 0.34, 20e-6)]  # an elastic arm does not care (Rivlin/Kendall)
    assert ap.steady_peel(200.0, 90.0, elastic, root_rotation_deg=20.0).force_N_per_m == pytest.approx(
        ap.steady_peel(200.0, 90.0, elastic).force_N_per_m, rel=1e-9)
    with pytest.raises(ValueError, match="root_rotation_deg"):
        ap.steady_peel(200.0, 90.0, arm, root_rotation_deg=90.0)


def test_peel_is_fast():
    import time
    t = time.perf_counter()
    ap.steady_peel(300.0, 180.0, [ap.ArmLayer(**CU, yield_Pa=250e6, hardening_Pa=1e9)], PI)
    assert time.perf_counter() - t < 1.0


def test_calibrated_toughness_reproduces_example_1():
    """The stored Cu-PI toughness is the one whose closed-form peel of Example 1's arm is the published 1.5."""
    from fem_laminate.model.materials import load_library
    from fem_laminate.studies.validate import published

    lib = load_library()
    cu, p4, p1 = lib["copper_ed"], lib["pi_IV"], lib["pi_I"]
    arm = [ap.ArmLayer(float(cu.E(25.0)), cu.nu, 35e-6, cu.yield_stress(25.0), cu.hardening_Pa)]
    found = [ap.FoundationLayer(float(p4.E(25.0)), p4.nu, 6e-6), ap.FoundationLayer(float(p1.E(25.0)), p1.nu, 24e-6)]
    F = published()["rows"]["Example 1"]["peel_kgf_per_cm"] * 9.80665 * 100  # N/m
    G = ap.toughness_for_force(F, 180.0, arm, found)
    raw = bd.bonding_data()["peel"]["toughness_full_Cu-PI_J_per_m2"]
    assert "calibrated on Example 1" in raw["source"]
    assert G == pytest.approx(raw["value"], rel=1e-3)


def test_toughness_by_interface_type():
    G = bd.full_toughness_J_per_m2("Cu-PI")
    assert bd.interface_toughness_J_per_m2("Cu-PI", 1.0, 0.0) == pytest.approx(G)  # no interdiffusion needed
    assert bd.interface_toughness_J_per_m2("PI-PI", 1.0, 0.5) == pytest.approx(0.25 * bd.full_toughness_J_per_m2(
        "PI-PI"))  # Wool: G ~ D_h^2
    assert bd.interface_toughness_J_per_m2("Cu-PI", 0.5, 1.0, initial_contact=0.5) == 0.0  # no flow, no wetting


# -- FEM ------------------------------------------------------------------------------------------------
def _spec(**kw):
    base = dict(arm=(fp.Layer(116e9, 0.34, 35e-6, 250e6, 1e9),), substrate=(fp.Layer(3e9, 0.34, 30e-6),),
                toughness_J_per_m2=1000.0, strength_Pa=1e6, angle_deg=90.0, element_length_m=100e-6,
                bonded_length_m=1.0e-3, tail_length_m=0.3e-3, elements_per_layer=1)
    base.update(kw)
    return fp.PeelFEMSpec(**base)


def test_fem_refuses_an_under_resolved_cohesive_zone():
    with pytest.raises(fp.CohesiveResolutionError, match="cohesive zone under-resolved"):
        fp.PeelModel(_spec(strength_Pa=400e6))  # l_cz ~ 21 um < 4 elements of 100 um


def test_fem_tangent_matches_finite_differences():
    """Newton's tangent (TL geometric + J2 consistent + cohesive softening) is the derivative of the residual."""
    m = fp.PeelModel(_spec())
    rng = np.random.default_rng(0)
    U = 2e-6 * rng.standard_normal(m.ndof)
    U[m.cz.top + 1] += 3.0 * m.cz.d0  # open the interface into softening
    R, K = m.assemble(U)
    dU = 1e-9 * rng.standard_normal(m.ndof)
    R2, _ = m.assemble(U + dU)
    R1, _ = m.assemble(U - dU)
    fd = (R2 - R1) / 2
    assert np.linalg.norm(fd - K @ dU) < 1e-4 * np.linalg.norm(fd)


def test_peel_step_refused_after_etch_and_without_toughness(tmp_path):
    from fem_laminate.case import load_case_dict
    from fem_laminate.errors import CaseError

    base = {"name": "t", "layers": [{"material": "copper_ed", "thickness_um": 35},
                                    {"material": "pi_I", "thickness_um": 24}],
            "mesh": {"model": "generalized_plane_strain", "length_mm": 5, "nx": 10, "n_per_layer": 1}}
    with pytest.raises(CaseError, match="interface_toughness_J_per_m2"):
        load_case_dict({**base, "steps": [{"kind": "peel", "side": "bottom"}]})
    with pytest.raises(CaseError, match="not a foil"):
        load_case_dict({**base, "steps": [{"kind": "peel", "side": "top", "interface_toughness_J_per_m2": 100}]})


def test_fem_peel_outputs_written(tmp_path):
    """A very short (not steady) FEM pull: the write hook produces the PNGs, CSV and VTU."""
    from fem_laminate.post.peel_output import write_peel_outputs

    spec = _spec(time_limit_s=5.0)
    res = fp.run_peel_fem(spec)
    paths = write_peel_outputs(res, tmp_path / "peel")
    assert all(p.is_file() and p.stat().st_size > 0 for p in paths)
    assert res.force_history_N_per_m.size >= 1 and not res.steady


def test_solder_float_fracture_criterion():
    from fem_laminate.physics.solder import fracture_verdict, steady_delamination_G

    # Hutchinson & Suo plane-strain steady-state delamination of one film
    assert steady_delamination_G([(100e6, 116e9, 0.34, 35e-6)]) == pytest.approx(
        (1 - 0.34 ** 2) * 1e16 * 35e-6 / (2 * 116e9))
    v = fracture_verdict({"a/b": {"G_J_per_m2": 1.0, "toughness_J_per_m2": 100.0},
                          "b/c": {"G_J_per_m2": 0.0, "toughness_J_per_m2": 0.0}})
    assert v["verdict"] == "FAIL" and v["worst_interface"] == "b/c" and v["G_over_Gc"] is None
    import json
    json.dumps(v, allow_nan=False)  # strict JSON
    assert fracture_verdict({"a/b": {"G_J_per_m2": 1.0, "toughness_J_per_m2": 100.0}})["verdict"] == "OK"


def _scaled_elastic(angle_deg, **kw):
    """The scaled arm of benchmarks/bench_peel.py (E 10 GPa, 20 um on 30 um PI, G_c 200 J/m2, sigma_c 10 MPa)."""
    base = dict(arm=(fp.Layer(10e9, 0.34, 20e-6),), substrate=(fp.Layer(3e9, 0.34, 30e-6),),
                toughness_J_per_m2=200.0, strength_Pa=10e6, angle_deg=angle_deg, element_length_m=25e-6,
                bonded_length_m=1.2e-3, tail_length_m=0.3e-3, elements_per_layer=1, max_step_m=50e-6,
                time_limit_s=60.0)
    base.update(kw)
    return fp.PeelFEMSpec(**base)


def test_fem_elastic_peel_reaches_a_detected_steady_state_at_the_kendall_force():
    """Arm started on the elastica: the plateau is detected and P (1 - cos theta) + P^2/(2 EA') = G_c within 1 %."""
    spec = _scaled_elastic(90.0)
    res = fp.run_peel_fem(spec)
    assert res.steady
    EA = 10e9 / (1 - 0.34 ** 2) * 20e-6
    G = res.force_N_per_m + res.force_N_per_m ** 2 / (2 * EA)
    assert abs(G / 200.0 - 1) < 0.01
    assert res.crack_advance_m[-1] > 0.2e-3  # the crack ran: a steady peel, not the initiation peak


def test_peel_step_fem_refuses_an_unresolved_zone():
    """The peel step's FEM: a user element length coarser than a quarter of the cohesive zone (~54 um for 35 um
    Cu, 262 J/m2, 60 MPa) stops with the resolution message as a ProcessError (one line), before any solve."""
    from fem_laminate.errors import ProcessError
    from fem_laminate.process import peel as pp

    arm = [ap.ArmLayer(**CU, yield_Pa=250e6, hardening_Pa=1e9)]
    with pytest.raises(ProcessError, match="cohesive zone under-resolved"):
        pp._peel_fem(arm, PI, 262.0, pp.Spec(kind="peel", method="fem", fem_element_length_um=50.0))
