"""Verification of the thermoelastic solver against closed forms (stated tolerances)."""
import numpy as np
import pytest

from fem_laminate.analytic import laminate as analytic
from fem_laminate.model.mesh import layered_mesh_3d
from fem_laminate.physics.fe import elastic

from helpers import cooled_state, stack_of

DT = -325.0
CU = dict(E=116.0, nu=0.34, a=17e-6)


def _closed_form(stack, out_of_plane):
    E = np.array([l.material.E_Pa for l in stack.layers])
    nu = np.array([l.material.nu for l in stack.layers])
    a = np.array([l.material.cte_per_K for l in stack.layers])
    t = stack.thicknesses_m
    if out_of_plane == "free":
        return analytic.hsueh_curvature(analytic.biaxial_modulus(E, nu), t, a * DT)
    if out_of_plane == "fixed":
        return analytic.hsueh_curvature(analytic.plane_strain_modulus(E, nu), t, (1 + nu) * a * DT)
    raise ValueError


@pytest.mark.parametrize("out_of_plane", ["free", "fixed"])
def test_bilayer_matches_timoshenko_2d(out_of_plane):
    st = stack_of([CU["E"], 5.0], [0.34, 0.34], [CU["a"], 31e-6], [35, 30])
    k = cooled_state(st, dim=2, out_of_plane=out_of_plane)
    E = np.array([116e9, 5e9]); nu = np.array([0.34, 0.34]); a = np.array([17e-6, 31e-6])
    if out_of_plane == "free":
        Es, e = analytic.biaxial_modulus(E, nu), a * DT
    else:
        Es, e = analytic.plane_strain_modulus(E, nu), (1 + nu) * a * DT
    kt = analytic.timoshenko_curvature(Es[0], 35e-6, e[0], Es[1], 30e-6, e[1])
    from fem_laminate.post import measure
    assert measure.curvature(k)["curvature_1_per_m"] == pytest.approx(kt, rel=0.01)


def test_four_layers_match_hsueh_2d():
    st = stack_of([116, 9.1, 5.0, 116], [0.34] * 4, [17e-6, 15e-6, 31e-6, 17e-6], [35, 24, 6, 18])
    from fem_laminate.post import measure
    k = measure.curvature(cooled_state(st, dim=2))["curvature_1_per_m"]
    assert k == pytest.approx(_closed_form(st, "free"), rel=0.01)


@pytest.mark.parametrize("model,out_of_plane", [("plane_strain", "fixed"),
                                                ("generalized_plane_strain (uniform)", "uniform"),
                                                ("generalized_plane_strain (bending)", "free")])
def test_each_2d_model_matches_its_lamination_theory(model, out_of_plane):
    """The model table of docs/guide/case_files.md: each 2D model against lamination theory with its out-of-plane constraint, 1e-4.
    (Plane strain and generalized plane strain differ by ~30 % on this stack, so the test tells them apart.)"""
    from fem_laminate.post import measure
    E, nu, a, t = [116, 9.1, 5.0, 116], [0.34, 0.3, 0.35, 0.34], [17e-6, 15e-6, 31e-6, 17e-6], [35, 24, 6, 18]
    st = stack_of(E, nu, a, t)
    k = measure.curvature(cooled_state(st, dim=2, out_of_plane=out_of_plane))["curvature_1_per_m"]
    kc = analytic.cross_section_curvature(np.array(E) * 1e9, nu, np.array(t) * 1e-6, np.array(a) * DT, out_of_plane)
    assert k == pytest.approx(kc, rel=1e-4)  # measured: 2e-9 / 7e-8 / 2e-5 (nx = 60)
    if out_of_plane == "free":  # the equi-biaxial plate
        assert kc == pytest.approx(_closed_form(st, "free"), rel=1e-9)
    if out_of_plane == "fixed":
        assert kc == pytest.approx(_closed_form(st, "fixed"), rel=1e-9)


def test_plate3d_matches_hsueh_and_is_spherical():
    st = stack_of([116, 9.1, 5.0], [0.34] * 3, [17e-6, 15e-6, 31e-6], [35, 24, 6])
    from fem_laminate.post import measure
    c = measure.curvature(cooled_state(st, dim=3, nx=12, n_per_layer=1, length_mm=5.0))
    kh = _closed_form(st, "free")
    assert c["kappa_x_1_per_m"] == pytest.approx(kh, rel=0.01)
    assert c["kappa_y_1_per_m"] == pytest.approx(kh, rel=0.01)
    assert abs(c["kappa_xy_1_per_m"]) < 1e-3 * abs(kh)


def test_trilinear_hexes_lock_quadratic_do_not():
    """The reason the meshes use quadratic elements: a 35 um layer under a 5 mm sample."""
    st = stack_of([116, 5.0], [0.34] * 2, [17e-6, 31e-6], [35, 30])
    from fem_laminate.post import measure
    kh = _closed_form(st, "free")
    k1 = measure.curvature(cooled_state(st, dim=3, nx=12, n_per_layer=2, length_mm=5.0, quadratic=False))
    k2 = measure.curvature(cooled_state(st, dim=3, nx=12, n_per_layer=1, length_mm=5.0, quadratic=True))
    err1 = abs(k1["kappa_x_1_per_m"] / kh - 1)
    err2 = abs(k2["kappa_x_1_per_m"] / kh - 1)
    assert err1 > 0.5, f"trilinear hexes were expected to lock (error {err1:.1%})"
    assert err2 < 0.01


def test_stoney_limit_fem():
    """A 0.5 um film on a 100 um substrate: FEM within 1 % of Hsueh, which is within 1 % of Stoney."""
    st = stack_of([130.0, 70.0], [0.28, 0.3], [3e-6, 20e-6], [100, 0.5])
    from fem_laminate.post import measure
    k = measure.curvature(cooled_state(st, dim=2, n_per_layer=2))["curvature_1_per_m"]
    Es = 130e9 / (1 - 0.28); Ef = 70e9 / (1 - 0.3)
    sigma_f = Ef * (3e-6 - 20e-6) * DT
    ks = analytic.stoney_curvature(Es, 100e-6, sigma_f, 0.5e-6)
    assert k == pytest.approx(_closed_form(st, "free"), rel=0.01)
    assert k == pytest.approx(ks, rel=0.02)


def test_symmetric_stack_does_not_curl():
    st = stack_of([116, 5.0, 116], [0.34] * 3, [17e-6, 31e-6, 17e-6], [35, 30, 35])
    from fem_laminate.post import measure
    k = measure.curvature(cooled_state(st, dim=2))["curvature_1_per_m"]
    scale = abs(_closed_form(stack_of([116, 5.0], [0.34] * 2, [17e-6, 31e-6], [35, 30]), "free"))
    assert abs(k) < 1e-6 * scale


def test_mesh_convergence_2d():
    """Curvature error falls as the mesh is refined along the sample (central-region fit)."""
    st = stack_of([116, 5.0], [0.34] * 2, [17e-6, 31e-6], [35, 30])
    from fem_laminate.post import measure
    kh = _closed_form(st, "free")
    errs = [abs(measure.curvature(cooled_state(st, dim=2, nx=nx, n_per_layer=1))["curvature_1_per_m"] / kh - 1)
            for nx in (8, 16, 48)]
    assert errs[-1] < 1e-3
    assert errs[-1] <= errs[0]


def test_serendipity_hex20_does_not_lock_on_thin_layers():
    """The 20-node hex (CalculiX's C3D20), one element per layer of the benchmark laminate (Cu 18 / PI 25 /
    PI 5 / Cu 18 um) on a 10 mm plate: curvature within 1e-4 of Hsueh, as the 27-node hex, with about half the
    unknowns."""
    from fem_laminate.physics.models.laminate import give_birth, initial_state
    from fem_laminate.physics.models.schedule import change_temperature
    from fem_laminate.post import measure
    st = stack_of([116, 9.1, 3.5, 116], [0.34] * 4, [17e-6, 15e-6, 33e-6, 17e-6], [18, 25, 5, 18])
    lm = layered_mesh_3d(st.interfaces_m, 10e-3, 10e-3, nx=16, ny=16, n_per_layer=1)
    model = elastic.make_model(lm, family="serendipity")
    assert type(model.basis.elem).__name__ == "ElementHexS2" and model.basis.Nbfun == 20
    s = initial_state(st, model, 350.0)
    give_birth(s, [0, 1, 2, 3])
    change_temperature(s, 25.0, max_step_K=1000.0)
    c = measure.curvature(s)
    kh = _closed_form(st, "free")
    assert abs(c["kappa_x_1_per_m"] / kh - 1) < 1e-4
    assert abs(c["kappa_y_1_per_m"] / kh - 1) < 1e-4
    n27 = elastic.make_model(lm).ndofs
    assert model.ndofs < 0.6 * n27
