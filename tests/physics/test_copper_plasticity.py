"""Copper plasticity in thermal steps: the J2 return mapping of physics/laws/plasticity.py inside the thermoelastic
increments, against an elastic-plastic closed form of a thin film on a rigid substrate."""
import numpy as np
import pytest

from fem_laminate.model.materials import Material
from fem_laminate.model.mesh import layered_mesh_2d
from fem_laminate.model.stack import Layer, Stack
from fem_laminate.physics.fe import elastic
from fem_laminate.physics.models.laminate import give_birth, initial_state
from fem_laminate.physics.models.schedule import change_temperature
from fem_laminate.post import measure

CU = Material(name="cu", kind="metal", E_Pa=116e9, nu=0.34, cte_per_K=17e-6, dE_rel_per_K=-3e-4, yield_Pa=250e6,
              yield_rel_per_K=-1.5e-3, hardening_Pa=1e9, hardening_rel_per_K=-1.5e-3)
SUB = Material(name="rigid", kind="polymer", E_Pa=1e14, nu=0.3, cte_per_K=0.0)


def film_on_rigid_substrate_closed_form(temps):
    """Equi-biaxial film held at zero in-plane strain: mechanical strain e = -alpha (T - 25), plastic strain p in x
    and z (-2p through the thickness), equivalent plastic strain 2|dp| accumulated, linear isotropic hardening:
    sigma = M(T) (e - p), |sigma| <= sigma_y(T) + H(T) kappa, M = E/(1 - nu). Backward Euler on a fine path."""
    p, kappa, out = 0.0, 0.0, []
    for T in temps:
        M = CU.E(T) / (1 - CU.nu)
        e = -CU.cte_per_K * (T - 25.0)
        trial = M * (e - p)
        f = abs(trial) - (CU.yield_stress(T) + CU.hardening(T) * kappa)
        if f > 0:
            dp = f / (M + 2 * CU.hardening(T)) * np.sign(trial)
            p += dp
            kappa += 2 * abs(dp)
        out.append(M * (e - p))
    return np.array(out), p, kappa


def test_thin_copper_film_yields_in_a_thermal_cycle_as_the_closed_form():
    st = Stack((Layer("sub", SUB, 100e-6, "foil"), Layer("cu", CU, 1e-6, "foil")))
    model = elastic.make_model(layered_mesh_2d(st.interfaces_m, 1e-3, nx=20, n_per_layer=2))
    s = initial_state(st, model, 25.0)
    s.mechanisms["copper_plasticity"] = True
    give_birth(s, [0, 1])
    path_up, path_down = np.linspace(25, 300, 12)[1:], np.linspace(300, 25, 12)[1:]
    ref, *_ = film_on_rigid_substrate_closed_form(np.concatenate([np.linspace(25, 300, 2751),
                                                                  np.linspace(300, 25, 2751)]))
    change_temperature(s, 300.0, max_step_K=25.0)
    hot = measure.layer_stress_summary(s)["cu"]["stress_xx_centre_MPa"] * 1e6
    assert hot == pytest.approx(ref[2750], rel=0.02)
    assert np.abs(hot) < 0.5 * CU.E(300) / (1 - CU.nu) * CU.cte_per_K * 275  # it did yield
    change_temperature(s, 25.0, max_step_K=25.0)
    cold = measure.layer_stress_summary(s)["cu"]["stress_xx_centre_MPa"] * 1e6
    assert cold == pytest.approx(ref[-1], rel=0.02)
    eqp = s.history["j2.alpha"][s.layer_of_element == 1].mean()
    assert eqp > 0.0


def test_elastic_below_yield_is_untouched():
    """A copper foil under a compliant polyimide does not yield on cooling: the plastic strain stays zero and the
    curvature equals the elastic one."""
    pi = Material(name="pi", kind="polymer", E_Pa=5e9, nu=0.34, cte_per_K=31e-6)
    st = Stack((Layer("cu", CU, 35e-6, "foil"), Layer("pi", pi, 30e-6, "foil")))
    ks = []
    for on in (False, True):
        model = elastic.make_model(layered_mesh_2d(st.interfaces_m, 5e-3, nx=30, n_per_layer=2))
        s = initial_state(st, model, 350.0)
        s.mechanisms["copper_plasticity"] = on
        give_birth(s, [0, 1])
        change_temperature(s, 25.0)
        ks.append(measure.curvature(s)["curvature_1_per_m"])
    assert "j2.alpha" in s.history and not s.history["j2.alpha"].any()
    assert ks[1] == pytest.approx(ks[0], rel=1e-6)  # increments solved by preconditioned CG to 1e-9
