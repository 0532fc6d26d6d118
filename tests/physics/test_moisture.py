"""Water in the polyimides (physics/models/moisture.py): Fick's law, Henry's law, swelling in the stress-free strain."""
from dataclasses import replace

import numpy as np
import pytest

from fem_laminate.analytic import laminate as analytic
from fem_laminate.model.materials import load_library
from fem_laminate.model.mesh import layered_mesh_2d
from fem_laminate.model.stack import Layer, Stack
from fem_laminate.physics.fe import elastic
from fem_laminate.physics.models import moisture
from fem_laminate.physics.models.laminate import give_birth, initial_state
from fem_laminate.physics.models.schedule import expose_to_humidity
from fem_laminate.post import measure

LIB = load_library()
PI = LIB["pi_III"]  # Kapton HN type: the data-sheet moisture values


def _state(stack, nx=40, n_per_layer=2):
    model = elastic.make_model(layered_mesh_2d(stack.interfaces_m, 10e-3, nx=nx, n_per_layer=n_per_layer))
    s = initial_state(stack, model, 25.0)
    s.mechanisms["moisture"] = True
    give_birth(s, list(range(len(stack))))
    return s


@pytest.mark.parametrize("Dt_over_h2", [0.02, 0.1, 0.3, 1.0])
def test_free_film_uptake_follows_the_fick_series(Dt_over_h2):
    """Both faces open: M_t/M_inf of the FE/backward-Euler solution vs Crank eq. 4.18 within 1 %."""
    t = 25e-6
    stack = Stack((Layer("f", PI, t, "cast"),))
    D = moisture.diffusivity(PI, 25.0)
    seconds = Dt_over_h2 * t ** 2 / D
    field = moisture.dry_field(stack)
    moisture.diffuse(stack, np.array([True]), field, 25.0, 50.0, seconds)
    got = moisture.polymer_uptake(stack, np.array([True]), field, 50.0)["moisture_fraction_of_equilibrium"]
    ref = moisture.fick_series_uptake_fraction(D, t / 2, seconds)
    assert got == pytest.approx(ref, rel=0.01)


def test_copper_face_is_impermeable():
    """PI on Cu takes up water through one face: the uptake of a film twice as thick open on both faces."""
    t = 20e-6
    stack = Stack((Layer("cu", LIB["copper_ed"], 35e-6, "foil"), Layer("f", PI, t, "cast")))
    D = moisture.diffusivity(PI, 25.0)
    seconds = 0.2 * t ** 2 / D
    field = moisture.dry_field(stack)
    moisture.diffuse(stack, np.array([True, True]), field, 25.0, 50.0, seconds)
    got = moisture.polymer_uptake(stack, np.array([True, True]), field, 50.0)["moisture_fraction_of_equilibrium"]
    assert got == pytest.approx(moisture.fick_series_uptake_fraction(D, t, seconds), rel=0.01)


def test_diffusivity_is_arrhenius():
    Q = PI.moisture_activation_J_per_mol
    ratio = moisture.diffusivity(PI, 121.0) / moisture.diffusivity(PI, 25.0)
    assert ratio == pytest.approx(np.exp(-Q / 8.314462618 * (1 / 394.15 - 1 / 298.15)), rel=1e-12)


def test_equilibrium_swelling_of_a_free_film_is_coefficient_times_uptake():
    s = _state(Stack((Layer("f", PI, 25e-6, "cast"),)))
    L0 = measure.mark_distance(s)
    water = expose_to_humidity(s, 50.0, 200 * 3600.0)
    assert water["moisture_fraction_of_equilibrium"] == pytest.approx(1.0, abs=1e-6)
    assert water["moisture_uptake_wt_pct"] == pytest.approx(PI.moisture_saturation_wt_pct_per_rh_pct * 50, rel=1e-6)
    strain = measure.mark_distance(s) / L0 - 1.0
    assert strain == pytest.approx(PI.hygroscopic_expansion_per_wt_pct * water["moisture_uptake_wt_pct"], rel=1e-3)


def test_swollen_cu_pi_bilayer_curls_as_hsueh_predicts():
    """Cu / PI at equilibrium in 85 % RH: curvature of the moisture mismatch strain (Hsueh) within 1 %."""
    cu = replace(LIB["copper_ed"], dE_rel_per_K=0.0)
    pi = replace(PI, dE_rel_per_K=0.0)
    tc, tp = 35e-6, 25e-6
    s = _state(Stack((Layer("cu", cu, tc, "foil"), Layer("pi", pi, tp, "cast"))), nx=60, n_per_layer=3)
    water = expose_to_humidity(s, 85.0, 1000 * 3600.0)
    e_sw = pi.hygroscopic_expansion_per_wt_pct * water["moisture_uptake_wt_pct"]
    Es = analytic.biaxial_modulus([cu.E_Pa, pi.E_Pa], [cu.nu, pi.nu])
    k_ref = analytic.hsueh_curvature(Es, [tc, tp], [0.0, e_sw])
    assert measure.curvature(s)["curvature_1_per_m"] == pytest.approx(k_ref, rel=0.01)


def test_drying_returns_the_water():
    s = _state(Stack((Layer("f", PI, 25e-6, "cast"),)))
    expose_to_humidity(s, 50.0, 48 * 3600.0)
    dry = expose_to_humidity(s, 0.0, 48 * 3600.0)
    assert dry["moisture_uptake_wt_pct"] < 1e-6
    assert np.abs(s.history["swelling.strain"]).max() < 1e-9


def test_moisture_off_leaves_the_film_dry():
    s = _state(Stack((Layer("f", PI, 25e-6, "cast"),)))
    s.mechanisms["moisture"] = False
    out = expose_to_humidity(s, 50.0, 3600.0)
    assert out["moisture_uptake_wt_pct"] is None and "swelling.strain" not in s.history


def test_sealed_polyimide_takes_water_through_the_cut_edges():
    """Cu / PI / Cu: no open face; a strip 2w wide takes water in through its edges as the plane-sheet series."""
    cu = LIB["copper_ed"]
    stack = Stack((Layer("a", cu, 35e-6, "foil"), Layer("p", PI, 25e-6, "cast"), Layer("b", cu, 35e-6, "bonded")))
    act = np.array([True, True, True])
    field = moisture.dry_field(stack)
    moisture.diffuse(stack, act, field, 121.0, 100.0, 3600.0)
    assert moisture.polymer_uptake(stack, act, field, 100.0)["moisture_uptake_wt_pct"] == 0.0  # sealed faces
    w, t = 5e-3, 100 * 3600.0
    assert moisture.edge_ingress(stack, act, field, 121.0, 100.0, t, w) == ["p"]
    got = moisture.polymer_uptake(stack, act, field, 100.0)["moisture_fraction_of_equilibrium"]
    assert got == pytest.approx(moisture.fick_series_uptake_fraction(moisture.diffusivity(PI, 121.0), w, t),
                                rel=1e-9)


def test_dry_film_in_a_dry_oven_is_one_hold():
    """No water can move (dry film, 0 % RH): the humid hold is one plain hold, same increments and state as
    `hold` (computed in the same run)."""
    from fem_laminate.model.materials import load_library
    from fem_laminate.model.mesh import layered_mesh_2d
    from fem_laminate.model.stack import Layer, Stack
    from fem_laminate.physics.fe import elastic
    from fem_laminate.physics.models.laminate import give_birth, initial_state
    from fem_laminate.physics.models.schedule import expose_to_humidity, hold
    lib = load_library()
    stack = Stack((Layer("cu", lib["copper_ed"], 18e-6, "foil"), Layer("pi", lib["pi_II"], 25e-6, "cast")))
    states = []
    for humid in (True, False):
        model = elastic.make_model(layered_mesh_2d(stack.interfaces_m, 2e-3, nx=8, n_per_layer=1))
        s = initial_state(stack, model, 320.0, mechanisms={"viscoelastic": True, "moisture": True})
        give_birth(s, [0, 1])
        if humid:
            expose_to_humidity(s, 0.0, 60.0)
        else:
            hold(s, 60.0)
        states.append(s)
    wet, dry = states
    assert wet.increments == dry.increments > 1
    np.testing.assert_allclose(wet.u, dry.u, rtol=1e-9, atol=1e-18)
