"""Solder float with absorbed water: saturation pressure (IAPWS-IF97), the pressurised unbonded patch's energy
release rate against the beam's compliance, and the process step's bookkeeping (dry = the mismatch G alone)."""
import numpy as np
import pytest

from fem_laminate.model.materials import load_library
from fem_laminate.model.mesh import layered_mesh_2d
from fem_laminate.model.stack import Layer, Stack
from fem_laminate.physics.fe import elastic
from fem_laminate.physics.models import moisture
from fem_laminate.physics.correlations.solder import (bending_stiffness, blister_G, combined_G, saturated_vapour_pressure_Pa,
                                         vapour_pressure_Pa)
from fem_laminate.physics.models.laminate import give_birth, initial_state
from fem_laminate.process import solder_float


@pytest.mark.parametrize("T_K, p_MPa", [(300.0, 0.353658941e-2), (500.0, 0.263889776e1), (600.0, 0.123443146e2)])
def test_saturation_pressure_matches_the_if97_verification_table(T_K, p_MPa):
    """IAPWS-IF97, Table 35 (computer-program verification values of eq. 30)."""
    assert saturated_vapour_pressure_Pa(T_K - 273.15) == pytest.approx(p_MPa * 1e6, rel=1e-8)


def test_vapour_pressure_is_activity_times_saturation_and_bounded():
    assert vapour_pressure_Pa(0.5, 350.0) == pytest.approx(0.5 * saturated_vapour_pressure_Pa(350.0))
    assert vapour_pressure_Pa(1.7, 100.0) == pytest.approx(saturated_vapour_pressure_Pa(100.0))
    assert vapour_pressure_Pa(0.0, 350.0) == 0.0
    with pytest.raises(ValueError):
        saturated_vapour_pressure_Pa(400.0)


def test_blister_G_is_the_compliance_derivative_of_a_clamped_strip():
    """Clamped-clamped strip of span L = 2a under pressure p: w(x) = p x^2 (L - x)^2 / 24D; the work released per
    unit growth of one edge is d(p V / 2)/dL, V = ∫w dx (numerical integral, central difference)."""
    p, D, a = 3e6, 2.5e-5, 150e-6

    def volume(L):
        x = np.linspace(0.0, L, 20001)
        w = p * x ** 2 * (L - x) ** 2 / (24.0 * D)
        return np.trapezoid(w, x)

    L, h = 2 * a, 1e-9
    G_num = 0.5 * p * (volume(L + h) - volume(L - h)) / (2 * h)
    assert blister_G(p, a, D) == pytest.approx(G_num, rel=1e-6)


def test_bending_stiffness_of_one_layer_and_of_a_split_layer():
    E, nu, h = 116e9, 0.34, 35e-6
    D1 = E * h ** 3 / (12 * (1 - nu ** 2))
    assert bending_stiffness([(E, nu, h)]) == pytest.approx(D1, rel=1e-12)
    assert bending_stiffness([(E, nu, h / 2), (E, nu, h / 2)]) == pytest.approx(D1, rel=1e-12)


def test_combined_G_adds_stress_intensities():
    assert combined_G(4.0, 0.0) == 4.0
    assert combined_G(4.0, 9.0) == pytest.approx(25.0)


def test_step_dry_interface_has_no_vapour_and_wet_one_has_its_activity():
    lib = load_library()
    st = Stack((Layer("cu", lib["copper_ed"], 35e-6, "foil"), Layer("pi", lib["pi_I"], 24e-6, "cast"),
                Layer("tpi", lib["pi_IV"], 6e-6, "cast")))
    model = elastic.make_model(layered_mesh_2d(st.interfaces_m, 2e-3, nx=10, n_per_layer=1))
    s = initial_state(st, model, 350.0)
    give_birth(s, [0, 1, 2])
    present = s.active_layers()
    dry = solder_float.vapour(s, 0, present, 100e-6)
    assert dry["vapour_pressure_MPa"] == 0.0 and dry["G_vapour_J_per_m2"] == 0.0
    s.water = moisture.dry_field(st)
    s.water.a[:] = 0.5
    wet = solder_float.vapour(s, 0, present, 100e-6)
    assert wet["water_activity"] == pytest.approx(0.5)
    assert wet["vapour_pressure_MPa"] == pytest.approx(0.5 * saturated_vapour_pressure_Pa(350.0) * 1e-6)
    # the polyimide above the Cu/PI interface is the compliant side: it bulges
    T = 350.0
    D_pi = bending_stiffness([(float(m.E(T)), m.nu, h) for m, h in ((lib["pi_I"], 24e-6), (lib["pi_IV"], 6e-6))])
    assert wet["G_vapour_J_per_m2"] == pytest.approx(blister_G(wet["vapour_pressure_MPa"] * 1e6, 100e-6, D_pi))


def test_interface_toughness_follows_the_resin_modulus_to_the_bath_temperature():
    """bonding.toml [peel] toughness_follows_resin_modulus (assumption): G_c(T) = G_c(25 C) x min over the polymer
    sides of E(T)/E(25 C). At 25 C the calibrated toughness; a cast Cu/PI I interface at 350 C keeps the glassy
    PI I's ratio; the thermoplastic PI IV (Tg 300 C) above its Tg keeps ~1 % of it; PI-PI takes the softer side."""
    from fem_laminate.physics.correlations import bonding as bd
    from fem_laminate.process.peel import interface_toughness

    lib = load_library()
    cu, pi1, pi4 = (Layer(n, lib[m], 10e-6, "cast") for n, m in (("cu", "copper_ed"), ("pi", "pi_I"),
                                                                   ("tpi", "pi_IV")))
    G = bd.cast_interface_toughness_J_per_m2("Cu-PI")
    assert interface_toughness(cu, pi1, None, 25.0) == pytest.approx(G, rel=1e-12)
    ratio1 = float(lib["pi_I"].E(350.0) / lib["pi_I"].E(25.0))
    ratio4 = float(lib["pi_IV"].E(350.0) / lib["pi_IV"].E(25.0))
    assert interface_toughness(cu, pi1, None, 350.0) == pytest.approx(G * ratio1, rel=1e-12)
    assert ratio4 < 0.05 * ratio1  # above its Tg
    assert interface_toughness(pi1, pi4, None, 350.0) == pytest.approx(
        bd.cast_interface_toughness_J_per_m2("PI-PI") * ratio4, rel=1e-12)
    assert bd.toughness_temperature_factor([], 350.0) == 1.0  # metal-metal: not an interface the model peels
