"""The closed forms agree with each other where they must (they are the oracles of the FEM tests)."""
import numpy as np
import pytest

from fem_laminate.analytic import laminate as analytic


def test_hsueh_equals_timoshenko_for_two_layers():
    E1, E2, t1, t2, e1, e2 = 160e9, 7e9, 35e-6, 30e-6, -5.5e-3, -1.0e-2
    kt = analytic.timoshenko_curvature(E1, t1, e1, E2, t2, e2)
    kh = analytic.hsueh_curvature([E1, E2], [t1, t2], [e1, e2])
    km = analytic.multilayer_strain([E1, E2], [t1, t2], [e1, e2])[1]
    assert kh == pytest.approx(kt, rel=1e-10)
    assert km == pytest.approx(kt, rel=1e-10)
    assert kt > 0  # top layer shrinks more: top concave is positive


def test_hsueh_n_layers_equals_direct_equilibrium():
    E, t, e = [117e9, 9e9, 5e9, 117e9], [35e-6, 24e-6, 6e-6, 18e-6], [-5e-3, -4e-3, -8e-3, -5.2e-3]
    assert analytic.hsueh_curvature(E, t, e) == pytest.approx(analytic.multilayer_strain(E, t, e)[1], rel=1e-10)


@pytest.mark.parametrize("ratio", [1e-2, 1e-3])
def test_stoney_is_the_thin_film_limit(ratio):
    Es, Ef, ts = 130e9, 70e9, 500e-6
    tf = ratio * ts
    mismatch = 1e-3  # film wants to be shorter: tensile film
    sigma_f = Ef * mismatch
    ks = analytic.stoney_curvature(Es, ts, sigma_f, tf)
    kh = analytic.hsueh_curvature([Es, Ef], [ts, tf], [0.0, -mismatch])
    # Stoney's relative error is of order 4 (Ef/Es)(tf/ts) for thin films
    assert kh == pytest.approx(ks, rel=5 * (Ef / Es) * ratio)


def test_symmetric_stack_has_no_curvature():
    assert analytic.multilayer_strain([117e9, 5e9, 117e9], [35e-6, 30e-6, 35e-6], [-5e-3, -9e-3, -5e-3])[1] == \
        pytest.approx(0.0, abs=1e-9)
