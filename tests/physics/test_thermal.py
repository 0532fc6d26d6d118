"""Conduction through the strip: FEM (physics/models/thermal.py) against erfc, convective semi-infinite and
layered-slab series solutions (fem_laminate/analytic/contact.py); errors relative to the temperature step."""
import math

import numpy as np
import pytest

from fem_laminate.analytic import contact as AC
from fem_laminate.physics.models import nip
from fem_laminate.model.materials import load_library
from fem_laminate.physics.models.thermal import FaceBC, Phase, layered_nodes, solve_transient

K_PI, RC_PI = 0.29, 1470 * 1090.0
T0, TS = 25.0, 400.0


def semi_infinite_run(bc, n=120, steps=200, t_end=0.05):
    alpha = K_PI / RC_PI
    L = 12 * math.sqrt(alpha * t_end)  # deep enough that the insulated bottom does not matter
    z, _ = layered_nodes([L], [n])
    sol = solve_transient(z, [K_PI], [RC_PI], T0, [Phase(t_end, FaceBC(), bc, steps)])
    return L - z, sol, alpha, t_end  # depth below the heated (top) face


def test_semi_infinite_step_erfc():
    depth, sol, alpha, t = semi_infinite_run(FaceBC("dirichlet", TS))
    exact = AC.semi_infinite_step(depth, t, alpha, T0, TS)
    assert np.abs(sol.T_C[-1] - exact).max() < 0.01 * (TS - T0)
    # also half-way through
    i = len(sol.t_s) // 2
    exact = AC.semi_infinite_step(depth, sol.t_s[i], alpha, T0, TS)
    assert np.abs(sol.T_C[i] - exact).max() < 0.01 * (TS - T0)


def test_semi_infinite_contact_conductance():
    h = 2.0e4
    depth, sol, alpha, t = semi_infinite_run(FaceBC("robin", TS, h))
    exact = AC.semi_infinite_convection(depth, t, K_PI, alpha, h, T0, TS)
    assert np.abs(sol.T_C[-1] - exact).max() < 0.01 * (TS - T0)
    assert sol.T_C[-1, -1] < TS - 10  # the conductance really limits the surface temperature


@pytest.mark.parametrize("scheme", ["backward_euler", "crank_nicolson"])
def test_layered_slab_series_example1_stack(scheme):
    """Cu 35 / PI-I 24 / PI-IV 6 / Cu 35 um, both faces stepped to 400 C: FEM within 1 % of the series."""
    lib = load_library()
    mats = [lib["copper_ed"], lib["pi_I"], lib["pi_IV"], lib["copper_ed"]]
    hs = [35e-6, 24e-6, 6e-6, 35e-6]
    layers = [(m.k_W_per_mK, m.density_kg_per_m3 * m.cp_J_per_kgK, h) for m, h in zip(mats, hs)]
    z, lay = layered_nodes(hs, [8, 12, 6, 8])
    sol = solve_transient(z, [layers[i][0] for i in lay], [layers[i][1] for i in lay], T0,
                          [Phase(0.01, FaceBC("dirichlet", TS), FaceBC("dirichlet", TS), 1000)], scheme=scheme)
    for t in (5e-4, 2e-3, 5e-3):
        i = int(np.argmin(np.abs(sol.t_s - t)))
        exact = AC.layered_slab_series(z, sol.t_s[i], layers, T0, TS, n_terms=80)
        assert np.abs(sol.T_C[i] - exact).max() < 0.01 * (TS - T0)
    # the series itself: a homogeneous slab of two equal layers equals the one-layer Fourier series
    one = AC.layered_slab_series(np.linspace(0, 1e-4, 11), 1e-2, [(K_PI, RC_PI, 1e-4)], T0, TS)
    two = AC.layered_slab_series(np.linspace(0, 1e-4, 11), 1e-2, [(K_PI, RC_PI, 5e-5)] * 2, T0, TS)
    zz, H, a = np.linspace(0, 1e-4, 11), 1e-4, K_PI / RC_PI
    fourier = TS + (T0 - TS) * sum(4 / (math.pi * (2 * k + 1)) * np.sin((2 * k + 1) * math.pi * zz / H)
                                   * math.exp(-((2 * k + 1) * math.pi / H) ** 2 * a * 1e-2) for k in range(50))
    assert np.allclose(one, fourier, atol=1e-6 * (TS - T0)) and np.allclose(two, fourier, atol=1e-6 * (TS - T0))


def test_nip_heating_history_preheat_and_conductance():
    """Along the nip path: preheat starts the strip hotter; a lower conductance heats the interface less."""
    lib = load_library()
    layers = [(lib["copper_ed"], 35e-6), (lib["pi_I"], 24e-6), (lib["pi_IV"], 6e-6), (lib["copper_ed"], 35e-6)]
    base = dict(layers=layers)
    cold = nip.solve_nip(nip.spec_from_patent(100, 300, 400, 1500, 20.0, **base), method="analytic")
    warm = nip.solve_nip(nip.spec_from_patent(100, 300, 400, 1500, 20.0, preheat_temperature_C=200.0, **base),
                         method="analytic")
    poor = nip.solve_nip(nip.spec_from_patent(100, 300, 400, 1500, 20.0, contact_conductance_W_per_m2K=1e3, **base),
                         method="analytic")
    assert cold.interface_temperature_C[0] == pytest.approx(25.0) and warm.interface_temperature_C[0] == pytest.approx(200.0)
    assert warm.interface_temperature_max_C > cold.interface_temperature_max_C > poor.interface_temperature_max_C
    assert np.all(np.diff(cold.t_s) > 0)
    assert cold.interface_temperature_max_C <= 400.0 + 1e-6


def test_no_overshoot_with_long_steps():
    """Lumped backward Euler keeps the discrete maximum principle: long steps never heat past the roll."""
    lib = load_library()
    mats = [lib["copper_ed"], lib["pi_I"], lib["pi_IV"], lib["copper_ed"]]
    hs = [35e-6, 24e-6, 6e-6, 35e-6]
    z, lay = layered_nodes(hs, [18, 12, 4, 18])
    k = [mats[i].k_W_per_mK for i in lay]
    rc = [mats[i].density_kg_per_m3 * mats[i].cp_J_per_kgK for i in lay]
    roll = FaceBC("robin", TS, 1e5)
    sol = solve_transient(z, k, rc, T0, [Phase(0.7, roll, roll, 200), Phase(2.0, FaceBC(), FaceBC(), 50)])
    assert sol.T_C.max() <= TS + 1e-9 and sol.T_C.min() >= T0 - 1e-9
    assert sol.T_C[-1].min() > TS - 1.0  # and it does reach the roll temperature
