"""Peel mechanics: closed form (Kendall limit, bending cycle, inversion), FEM (tangent, resolution check),
the peel step and its calibration (Example 1 only)."""
import math

import numpy as np
import pytest

from fem_laminate.analytic import peel as ap
from fem_laminate.physics.correlations import bonding as bd
from fem_laminate.physics.models import peel as fp

CU = dict(E_Pa=116e9, nu=0.34, thickness_m=35e-6)
PI = [ap.FoundationLayer(3e9, 0.34, 30e-6)]
LAW = ap.CohesiveLaw(60e6)  # data/bonding.toml [peel] cohesive_strength_MPa (assumption)


@pytest.mark.parametrize("root", ["cohesive", "cohesive_elastic", "winkler"])
@pytest.mark.parametrize("angle", [90.0, 180.0])
def test_elastic_arm_obeys_rivlin_kendall_within_1_percent(angle, root):
    arm = [ap.ArmLayer(**CU)]  # no yield: elastic
    for G in (50.0, 500.0, 3000.0):
        r = ap.steady_peel(G, angle, arm, PI, root=root, cohesive=LAW)
        assert r.root == root
        assert r.force_N_per_m * (1 - math.cos(math.radians(angle))) == pytest.approx(G, rel=0.01)
        assert r.plastic_work_J_per_m2 == pytest.approx(0.0, abs=1e-9 * G)
        # the stretch term of Kendall (1975) is the whole remainder
        EA = CU["E_Pa"] / (1 - CU["nu"] ** 2) * CU["thickness_m"]
        assert r.force_N_per_m == pytest.approx(ap.kendall_force(G, angle, EA), rel=1e-8)


def test_elastic_root_curvature_is_the_elastica():
    """Rigid base: E I kappa0^2 / 2 = P (1 - cos theta) (first integral of the elastica)."""
    r = ap.steady_peel(400.0, 90.0, [ap.ArmLayer(**CU)], root="winkler")
    EI = CU["E_Pa"] / (1 - CU["nu"] ** 2) * CU["thickness_m"] ** 3 / 12
    assert 0.5 * EI * r.root_curvature_1_per_m ** 2 == pytest.approx(r.force_N_per_m, rel=2e-3)
    assert r.root_rotation_deg == 0.0
    # the cohesive root still rotates on a rigid base (the zone opens delta_f): elastica from theta_0
    c = ap.steady_peel(400.0, 90.0, [ap.ArmLayer(**CU)], cohesive=LAW, root="cohesive_elastic")
    th0 = math.radians(c.root_rotation_deg)
    assert th0 > 0.0 and c.zone_length_m > 0.0
    assert 0.5 * EI * c.root_curvature_1_per_m ** 2 == pytest.approx(c.force_N_per_m * (1 - math.sin(th0)), rel=2e-3)


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
    for root in ("cohesive", "cohesive_elastic", "winkler"):
        el = ap.steady_peel(300.0, 180.0, [ap.ArmLayer(**CU)], PI, root=root, cohesive=LAW)
        pl = ap.steady_peel(300.0, 180.0, arm, PI, root=root, cohesive=LAW)
        assert pl.force_N_per_m > 2 * el.force_N_per_m and pl.arm_yields
        assert 0.5 < pl.plastic_dissipation_fraction < 1.0
        assert pl.root_rotation_deg > 0.0
        G = ap.toughness_for_force(pl.force_N_per_m, 180.0, arm, PI, root=root, cohesive=LAW)
        assert G == pytest.approx(300.0, rel=1e-5)
    with pytest.raises(ValueError, match="cohesive law"):
        ap.steady_peel(300.0, 180.0, arm, PI)


def test_given_root_rotation_replaces_the_winkler_root():
    """theta_0 given (measured, or from the FEM): the Winkler value reproduces the foundation result, 0 the rigid
    base; a plastic arm's force falls steeply as the root rotates (the sensitivity the FEM comparison meets)."""
    arm = [ap.ArmLayer(10e9, 0.34, 20e-6, 400e6, 100e6)]
    w = ap.steady_peel(200.0, 90.0, arm, PI, root="winkler")
    given = ap.steady_peel(200.0, 90.0, arm, root_rotation_deg=w.root_rotation_deg)
    assert given.force_N_per_m == pytest.approx(w.force_N_per_m, rel=1e-9)
    assert ap.steady_peel(200.0, 90.0, arm, root_rotation_deg=0.0).force_N_per_m == pytest.approx(
        ap.steady_peel(200.0, 90.0, arm, root="winkler").force_N_per_m, rel=1e-9)
    forces = [ap.steady_peel(200.0, 90.0, arm, root_rotation_deg=t).force_N_per_m for t in (5.0, 10.0, 20.0)]
    assert forces[0] > 1.4 * forces[1] and forces[1] > 1.4 * forces[2]  # 567 / 377 / 256 N/m
    elastic = [ap.ArmLayer(10e9, 0.34, 20e-6)]  # an elastic arm does not care (Rivlin/Kendall)
    assert ap.steady_peel(200.0, 90.0, elastic, root_rotation_deg=20.0).force_N_per_m == pytest.approx(
        ap.steady_peel(200.0, 90.0, elastic, root="winkler").force_N_per_m, rel=1e-9)
    with pytest.raises(ValueError, match="root_rotation_deg"):
        ap.steady_peel(200.0, 90.0, arm, root_rotation_deg=90.0)


def test_calibrated_toughness_reproduces_example_1():
    """The stored Cu-PI toughness is the one whose closed-form peel of Example 1's arm is the published 1.5."""
    from fem_laminate.model.materials import load_library
    from fem_laminate.studies.validate import published

    lib = load_library()
    cu, p4, p1 = lib["copper_ed"], lib["pi_IV"], lib["pi_I"]
    arm = [ap.ArmLayer(float(cu.E(25.0)), cu.nu, 35e-6, cu.yield_stress(25.0), cu.hardening_Pa)]
    found = [ap.FoundationLayer(float(p4.E(25.0)), p4.nu, 6e-6), ap.FoundationLayer(float(p1.E(25.0)), p1.nu, 24e-6)]
    F = published()["rows"]["Example 1"]["peel_kgf_per_cm"] * 9.80665 * 100  # N/m
    G = ap.toughness_for_force(F, 180.0, arm, found, cohesive=ap.CohesiveLaw(bd.cohesive_strength_Pa()))
    from fem_laminate.model.interfaces import library_table
    table = library_table()
    assert "calibrated on Example 1" in table.sources["copper_ed|pi_IV.bonded_toughness_J_per_m2"]
    assert G == pytest.approx(table.pairs["copper_ed|pi_IV"]["bonded_toughness_J_per_m2"], rel=1e-3)


# -- the cohesive-zone root ------------------------------------------------------------------------------
SCALED = dict(E_Pa=10e9, nu=0.34, thickness_m=20e-6)  # the scaled arm of tests/studies/regenerate/peel_fem_scaled_arm.py
K_PI = ap.winkler_stiffness(PI)


@pytest.mark.parametrize("yield_Pa", [math.inf, 400e6])
def test_cohesive_root_reduces_to_the_winkler_root_as_the_zone_vanishes(yield_Pa):
    """sigma_c -> sqrt(2 G_c k) (above it the softening is unstable against the spring, the zone vanishes): zone
    length -> 0, the tip slope is Hetenyi's (3) for the same tip loads within 1 %, theta_0 (traction-weighted,
    ends at the peak-moment section just inside the spring) within 4 % and the force within 1.5 % of the Winkler
    root's; above the limit the Winkler root is used, with a note."""
    arm = [ap.ArmLayer(**SCALED, yield_Pa=yield_Pa, hardening_Pa=100e6 if math.isfinite(yield_Pa) else 0.0)]
    w = ap.steady_peel(200.0, 90.0, arm, PI, root="winkler")
    limit = math.sqrt(2 * 200.0 * K_PI)
    c = ap.steady_peel(200.0, 90.0, arm, PI, cohesive=ap.CohesiveLaw(0.99 * limit), root="cohesive_elastic")
    assert c.zone_length_m < 0.5e-6
    assert c.force_N_per_m == pytest.approx(w.force_N_per_m, rel=0.015)
    assert c.root_rotation_deg == pytest.approx(w.root_rotation_deg, rel=0.04)
    zone = ap.CohesiveRoot(ap.Section(arm).EI, K_PI, 200.0, ap.CohesiveLaw(0.99 * limit))
    Q = c.force_N_per_m
    M_tip = float(np.interp(Q, zone.Q, zone.M_tip))
    assert c.crack_tip_rotation_deg == pytest.approx(math.degrees(
        ap.WinklerRoot(ap.Section(arm).EI, K_PI).rotation(Q, M_tip)), rel=0.01)
    for root in ("cohesive", "cohesive_elastic"):
        far = ap.steady_peel(200.0, 90.0, arm, PI, cohesive=ap.CohesiveLaw(1.01 * limit), root=root)
        assert far.force_N_per_m == pytest.approx(w.force_N_per_m, rel=1e-12) and "Winkler root used" in far.notes[0]
        # and the zone grows, the root turns more, as the interface gets weaker (the soft hinge)
        turns = [ap.steady_peel(200.0, 90.0, arm, PI, cohesive=ap.CohesiveLaw(s), root=root).root_rotation_deg
                 for s in (100e6, 40e6, 20e6)]
        assert w.root_rotation_deg < turns[0] < turns[1] < turns[2]


def test_cohesive_zone_is_in_equilibrium_and_opens_delta_f():
    """The beam-on-zone solutions: tractions sum to the tip shear Q (vertical equilibrium, within 0.1 % of
    sigma_c x zone length: the trapezoid rule over 240 points), and the
    bonded beam's peak moment equals the arm's M0 for an elastic arm (first integral, < 2 % at 90 deg)."""
    sec = ap.Section([ap.ArmLayer(**SCALED)])
    zone = ap.CohesiveRoot(sec.EI, K_PI, 200.0, ap.CohesiveLaw(40e6))
    on = zone.Q > 0.1 * zone.Q[-1]
    assert np.allclose(zone.traction_sum[on], zone.Q[on], rtol=0.0, atol=1e-3 * 40e6 * zone.c[-1])
    r = ap.steady_peel(200.0, 90.0, [ap.ArmLayer(**SCALED)], PI, cohesive=ap.CohesiveLaw(40e6),
                       root="cohesive_elastic")
    assert r.zone_peak_moment_N == pytest.approx(r.root_moment_N, rel=0.02)


def test_closed_form_against_the_recorded_fem_peels():
    """The FEM peels of the fixture tests/data/peel_fem_scaled_arm.json, regenerated row by row by
    tests/studies/regenerate/peel_fem_scaled_arm.py (data, not rerun: 200-450 s each): scaled arm, linear hardening 100 MPa, 90 deg, 3 elements per layer, steady detected. The
    closed form with the cohesive root (the elastic-plastic zone beam and the energy balance; the FEM's law:
    sigma_c and its penalty K0 = 50 E'/t) is within 7 % of every row (sigma_y 400/450/500/600 MPa at sigma_c
    40 MPa, and sigma_c 20/100 MPa at 500 MPa; worst 5.5 % at 450 MPa, 6.4 % with the elastic zone beam) and
    closer than the Winkler root in every row; the issue's 10 % holds for all four yield stresses."""
    import json
    from pathlib import Path

    bench = json.loads((Path(__file__).resolve().parents[1] / "data" / "peel_fem_scaled_arm.json").read_text())
    rows = {n: r for n, r in bench.items() if n.startswith("plastic") and r.get("elements_per_layer") == 3}
    assert {r["yield_MPa"] for r in rows.values()} >= {400.0, 450.0, 500.0, 600.0}
    within_10 = set()
    for name, r in rows.items():
        assert r["steady"], name
        arm = [ap.ArmLayer(**SCALED, yield_Pa=r["yield_MPa"] * 1e6, hardening_Pa=100e6)]
        law = ap.CohesiveLaw(r["strength_MPa"] * 1e6, 50.0 * K_PI)
        new = ap.steady_peel(200.0, r["angle_deg"], arm, PI, cohesive=law).force_N_per_m
        old = ap.steady_peel(200.0, r["angle_deg"], arm, PI, root="winkler").force_N_per_m
        fem = r["fem_force_N_per_m"]
        assert abs(fem / new - 1) < 0.07, (name, fem, new)
        assert abs(fem / new - 1) < abs(fem / old - 1), name
        if r["strength_MPa"] == 40.0 and abs(fem / new - 1) < 0.10:
            within_10.add(r["yield_MPa"])
    assert len(within_10) >= 3


# -- the elastic-plastic zone beam (analytic/peel_zone.py) ------------------------------------------------
def _patent_arm(h=35e-6):
    from fem_laminate.model.materials import load_library

    lib = load_library()
    cu = lib["copper_ed"]
    arm = [ap.ArmLayer(float(cu.E(25.0)), cu.nu, h, cu.yield_stress(25.0), cu.hardening_Pa)]
    found = [ap.FoundationLayer(float(lib[m].E(25.0)), lib[m].nu, t) for m, t in (("pi_IV", 6e-6), ("pi_I", 24e-6))]
    return arm, found


def test_zone_beam_of_an_elastic_arm_is_the_closed_form_zone_beam():
    """An elastic arm: the shot zone beam (RK4 from far ahead) and the closed-form elastic zone beam (5x5 solves)
    solve the same problem: tip slope, traction-weighted theta_0, zone length and peak moment agree within 1-2 %
    along the branch (Q from 0 to 2 Kendall forces)."""
    arm = [ap.ArmLayer(**SCALED)]
    sec = ap.Section(arm)
    law = ap.CohesiveLaw(40e6, 50.0 * K_PI)
    shot = ap.ZoneBeam(sec, K_PI, 200.0, law)
    exact = ap.CohesiveRoot(sec.EI, K_PI, 200.0, law)
    for Q in (0.0, 100.0, 200.0, 400.0):
        a, b = shot.state(Q), exact.state(Q)
        assert a["crack_tip_rotation_rad"] == pytest.approx(b["crack_tip_rotation_rad"], rel=0.01)
        assert a["zone_length_m"] == pytest.approx(b["zone_length_m"], rel=0.02)
        assert a["zone_peak_moment_N"] == pytest.approx(b["zone_peak_moment_N"], rel=0.01)
        if Q > 0.0:
            assert float(shot.rotation(Q)) == pytest.approx(float(exact.rotation(Q)), rel=0.02)


@pytest.mark.parametrize("N", [0.0, -1300.0])
def test_zone_beam_conserves_j_the_arm_enters_with_the_toughness(N):
    """J = Int kappa dM - V w' - N w'^2/2 - Int sigma dw is conserved along the bonded beam: at the tip of a 180 deg
    peel (Q = 0) the arm's Int kappa dM along its path (loading to the peak moment, elastic unloading to the tip
    moment) is G_c + N phi^2/2 (phi the tip slope), within 2 % of G_c. 35 um copper, deeply plastic."""
    arm, found = _patent_arm()
    sec = ap.Section(arm)
    G = 300.0
    zone = ap.ZoneBeam(sec, ap.winkler_stiffness(found), G, ap.CohesiveLaw(60e6), N=N)
    k0 = float(zone.peak_curvature(0.0))
    assert k0 > 50 * sec.kappa_e
    _, C, W = sec.cycle(k0)
    st = zone.state(0.0)
    dM = st["zone_peak_moment_N"] - st["tip_moment_N"]
    path = (C - W) - (k0 * dM - dM ** 2 / (2.0 * sec.EI))  # C - W = Int_0^M0 kappa dM on the loading branch
    assert path == pytest.approx(G + 0.5 * N * st["crack_tip_rotation_rad"] ** 2, abs=0.02 * G)
    # compression moves the peak moment ahead of the tip (M' = V + N w' > 0 there); without it the peak is the tip
    assert dM > 0.02 * st["zone_peak_moment_N"] if N < 0.0 else abs(dM) < 0.01 * st["zone_peak_moment_N"]


def test_energy_balance_and_first_integral_agree_with_the_axial_force():
    """With zone_axial_force (a beam-column zone, N = P cos theta) the force from the energy balance (1) at the
    zone's peak curvature and the free arm's first integral (2) from the peak-moment section with the
    traction-weighted theta_0 (4), which the energy route does not use, agree within 1 % (180 deg: 0.1 % here).
    Without the axial force (the default, which the FEM follows) they disagree by more than 3 % (4.6 %)."""
    arm, found = _patent_arm()
    sec = ap.Section(arm)
    r = ap.steady_peel(300.0, 180.0, arm, found, cohesive=LAW, zone_axial_force=True)
    C = sec.cycle(r.root_curvature_1_per_m)[1]
    assert r.force_N_per_m * (1 + math.cos(math.radians(r.root_rotation_deg))) == pytest.approx(C, rel=0.01)
    free = ap.ZoneBeam(sec, ap.winkler_stiffness(found), 300.0, LAW, N=0.0)
    k_free = float(free.peak_curvature(0.0))
    P_free = (300.0 + sec.cycle(k_free)[2]) / 2.0
    assert abs(P_free * (1 + math.cos(float(free.rotation(0.0)))) / sec.cycle(k_free)[1] - 1.0) > 0.03


def test_zone_beam_root_against_the_fem_of_the_patent_arm():
    """The FEM peels of the patent's arm recorded with their inputs in the fixture tests/data/peel_fem_patent_rows.json
    (regenerated run by run by tests/studies/regenerate/peel_fem_patent_rows.py; Example 1's polyimides, G_c 273.98
    J/m2, sigma_c 60 MPa; data, not rerun; tests/studies/regenerate/peel_rows_vs_closed_form.py recomputes the
    closed form): every steady 35 um run (90/120/150/180 deg, elements halved, 2-8 through the copper, 1-3 mm
    bonded) within 5 % of the closed form (0.965-1.011) and its peak curvature within 5 %; the elastic zone beam
    read 0.657 at 90 deg. 18 / 12 um at 180 deg: within 12 / 20 % (0.898 / 0.840; the limit stated in docs/theory/peel.md: the
    arm bends to 1.1-1.7 x its thickness), their peak curvature within 7 %."""
    import importlib
    import json
    from pathlib import Path

    mod = importlib.import_module("tests.studies.regenerate.peel_rows_vs_closed_form")
    data = Path(__file__).resolve().parents[1] / "data"
    recorded = json.loads((data / "peel_fem_patent_rows.json").read_text())
    rows = {k: r for k, r in recorded.items() if "inputs" in r and r["steady"]}
    table = {t["key"]: t for t in mod.compare(rows)}
    assert {(t["angle_deg"], t["copper_um"]) for t in table.values()} >= {
        (90.0, 35.0), (120.0, 35.0), (150.0, 35.0), (180.0, 35.0), (180.0, 18.0), (180.0, 12.0)}
    for key, t in table.items():
        force_tol, kappa_tol = {35.0: (0.05, 0.05), 18.0: (0.12, 0.07), 12.0: (0.20, 0.07)}[t["copper_um"]]
        assert t["fem_over_closed_form"] == pytest.approx(1.0, abs=force_tol), key
        k = t["root_curvature_1_per_m"]
        assert k["fem"] == pytest.approx(k["closed_form"], rel=kappa_tol), key
    old = ap.steady_peel(273.97912991302695, 90.0, *_patent_arm(), cohesive=LAW, root="cohesive_elastic")
    assert recorded["example1_90_arc_ls1_ex1_step2_90s"]["last_force_N_per_m"] / old.force_N_per_m < 0.7


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


def test_fem_reduced_tangent_is_the_projected_tangent():
    """Newton assembles the tangent on the unknowns (free DOFs, grip sliding across the pull) directly: it must be
    T^T K T of the full tangent, and the linear solve must invert it."""
    m = fp.PeelModel(_spec())
    rng = np.random.default_rng(1)
    U = 2e-6 * rng.standard_normal(m.ndof)
    U[m.cz.top + 1] += 3.0 * m.cz.d0
    R, K = m.assemble(U)
    R2, Kq = m.assemble_reduced(U)
    A = (m.Tt @ K @ m.T).toarray()
    assert np.array_equal(R, R2)
    assert np.abs(Kq.toarray() - A).max() < 1e-12 * np.abs(A).max()
    b = rng.standard_normal(A.shape[0])
    assert np.linalg.norm(A @ fp.solve_tangent(Kq, b) - b) < 1e-8 * np.linalg.norm(b)


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
    from fem_laminate.physics.correlations.solder import fracture_verdict, steady_delamination_G

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
    """The scaled arm of tests/studies/regenerate/peel_fem_scaled_arm.py (E 10 GPa, 20 um on 30 um PI, G_c 200 J/m2, sigma_c 10 MPa)."""
    base = dict(arm=(fp.Layer(10e9, 0.34, 20e-6),), substrate=(fp.Layer(3e9, 0.34, 30e-6),),
                toughness_J_per_m2=200.0, strength_Pa=10e6, angle_deg=angle_deg, element_length_m=25e-6,
                bonded_length_m=1.2e-3, tail_length_m=0.3e-3, elements_per_layer=1, max_step_m=50e-6,
                time_limit_s=3600.0)  # the plateau ends the pull, not the machine's load
    base.update(kw)
    return fp.PeelFEMSpec(**base)


@pytest.mark.parametrize("line_search", [False, True])
def test_fem_elastic_peel_reaches_a_detected_steady_state_at_the_kendall_force(line_search):
    """Arm started on the elastica: the plateau is detected and P (1 - cos theta) + P^2/(2 EA') = G_c within 1 %
    (with and without the backtracking line search, which must not change the converged answer)."""
    spec = _scaled_elastic(90.0, line_search=line_search)
    res = fp.run_peel_fem(spec)
    assert res.steady
    EA = 10e9 / (1 - 0.34 ** 2) * 20e-6
    G = res.force_N_per_m + res.force_N_per_m ** 2 / (2 * EA)
    assert abs(G / 200.0 - 1) < 0.01
    assert res.crack_advance_m[-1] > 0.2e-3  # the crack ran: a steady peel, not the initiation peak
    # the arm profile (moment and axial force from the stresses) of this elastic, naturally straight arm: M = E I
    # kappa where it is bent (median within 2 %, 90 % of the stations within 5 %), and the straight free arm carries
    # the grip force as axial tension (within 3 %)
    p = res.arm_profile
    a, k, sa, M, N = (p[n] for n in ("a_m", "kappa_1_per_m", "station_a_m", "moment_N", "axial_N_per_m"))
    EIk = fp._arm_EI(spec) * np.interp(sa, a[::-1], k[::-1])
    bent = np.abs(EIk) > 0.2 * np.abs(EIk).max()
    ratio = M[bent] / EIk[bent]
    assert bent.sum() > 20 and abs(np.median(ratio) - 1) < 0.02 and np.mean(abs(ratio - 1) < 0.05) > 0.9
    tail = sa > 0.5 * sa.max()
    assert np.all(abs(N[tail] / res.force_N_per_m - 1) < 0.03)


def test_peel_step_fem_refuses_an_unresolved_zone():
    """The peel step's FEM: a user element length coarser than a quarter of the cohesive zone (~54 um for 35 um
    Cu, 262 J/m2, 60 MPa) stops with the resolution message as a ProcessError (one line), before any solve."""
    from fem_laminate.errors import ProcessError
    from fem_laminate.process import peel as pp

    arm = [ap.ArmLayer(**CU, yield_Pa=250e6, hardening_Pa=1e9)]
    with pytest.raises(ProcessError, match="cohesive zone under-resolved"):
        pp._peel_fem(arm, PI, 262.0, pp.Spec(kind="peel", method="fem", fem_element_length_um=50.0))


def _fem_peel_of_row(name, tmp_path):
    """A bundled patent case run up to its peel step with method = "fem" (the user's path: bonding model ->
    toughness, the case's arm and foundation, the peel step's mesh)."""
    import tomllib
    from pathlib import Path

    from fem_laminate.case import load_case_dict
    from fem_laminate.job import run_case

    d = tomllib.loads((Path(__file__).resolve().parents[2] / "cases" / f"{name}.toml").read_text())
    k = next(i for i, s in enumerate(d["steps"]) if s["kind"] == "peel")
    d["steps"] = d["steps"][:k + 1]
    # no wall-clock limit that matters: on a loaded machine a 90 s limit stopped the pull before its plateau
    d["steps"][k].update(method="fem", fem_time_limit_s=3600.0)
    return run_case(load_case_dict(d, source=name), tmp_path / name, plots=False)["peel"]


@pytest.mark.slow  # ~20 s each on a quiet 2-core machine (docs/theory/peel.md): the FEM peel of two patent rows in CI
@pytest.mark.parametrize("name", ["example_1", "example_4"])
def test_fem_peel_of_patent_rows_against_the_closed_form(name, tmp_path):
    """35 um ED copper (plastic, kappa0 ~ 85 kappa_e) peeled at 180 deg from the row's polyimides at the bonding
    model's toughness: the FEM reaches a detected plateau, and its force is within 5 % of the closed form (zone-beam
    root); measured 0.970 (Example 1, G_c 261 J/m2), and so is its peak curvature, which decides the force."""
    p = _fem_peel_of_row(name, tmp_path)
    assert p["method"] == "fem" and p["steady"]
    assert p["arm"] == ["cu_bonded"] and p["interface_toughness_J_per_m2"] > 200.0
    assert p["force_N_per_mm"] / p["closed_form_N_per_mm"] == pytest.approx(1.0, abs=0.05)
    assert p["root_curvature_1_per_mm"] == pytest.approx(p["closed_form_root_curvature_1_per_mm"], rel=0.05)
    assert p["arm_plastic_dissipation_fraction"] > 0.8  # the copper's plastic bending carries the peel


def test_patent_arm_fem_rows_against_the_closed_form_table_is_well_formed():
    """tests/studies/regenerate/peel_rows_vs_closed_form.py recomputes the closed form for every FEM row recorded with
    its inputs in the fixture tests/data/peel_fem_patent_rows.json (regenerated by
    tests/studies/regenerate/peel_fem_patent_rows.py; no FEM rerun, ~1 s): every row comes back complete and finite, the
    ratio is the FEM force over the recomputed closed form, and the closed form at the FEM's own root rotation is
    the arm mechanics given theta0. Agreement levels are not asserted here (docs/theory/peel.md)."""
    import importlib
    import json
    from pathlib import Path

    mod = importlib.import_module("tests.studies.regenerate.peel_rows_vs_closed_form")
    data = Path(__file__).resolve().parents[1] / "data"
    rows = json.loads((data / "peel_fem_patent_rows.json").read_text())
    table = mod.compare(rows)
    assert len(table) == sum("inputs" in r for r in rows.values()) >= 8
    assert {t["angle_deg"] for t in table} >= {90.0, 120.0, 150.0, 180.0}
    assert {t["copper_um"] for t in table} >= {12.0, 18.0, 35.0}
    for t in table:
        r = rows[t["key"]]
        for v in (t["fem_N_per_m"], t["closed_form_N_per_m"], t["root_rotation_deg"]["closed_form"],
                  t["root_curvature_1_per_m"]["fem"], t["plastic_share"]["closed_form"]):
            assert math.isfinite(v) and v >= 0.0, t["key"]
        assert t["fem_over_closed_form"] == pytest.approx(r["force_N_per_m"] / t["closed_form_N_per_m"], rel=1e-12)
        assert t["closed_form_at_fem_root_N_per_m"] == pytest.approx(ap.steady_peel(
            r["inputs"]["toughness_J_per_m2"], t["angle_deg"], mod._arm(r["inputs"]),
            root_rotation_deg=t["root_rotation_deg"]["fem"]).force_N_per_m, rel=1e-9)
    assert "| row | angle |" in mod.markdown(table)
