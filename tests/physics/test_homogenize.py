"""Periodic homogenization of an etched laminate plate (physics/models/homogenize.py, docs/homogenization.md).

Closed forms: a full-copper cell is classical laminate theory of the stack to round-off, a bare cell the film's;
the thin ABD plate reproduces a uniform laminate's free state exactly. Resolved reference: the cell of a 50/50 um
line grating against the y-z cross-section of the grating resolved with finite elements (generalized plane strain
with out-of-plane bending, ten lines, free edges) across the lines, where the rule of mixtures is wrong in sign.
"""
import numpy as np

from fem_laminate.model.materials import load_library
from fem_laminate.model.mesh import layered_mesh_2d
from fem_laminate.model.stack import Layer, Stack
from fem_laminate.physics.fe import abd_plate, elastic
from fem_laminate.physics.laws.layer_views import mechanical_constants
from fem_laminate.physics.models import homogenize as hom
from fem_laminate.physics.models.laminate import give_birth, initial_state, remove_elements
from fem_laminate.physics.models.schedule import change_temperature
from fem_laminate.post import measure

STACK = [("copper_ed", 18.0), ("pi_I", 25.0), ("pi_II", 5.0), ("copper_ed", 18.0)]
Z_REF = 33e-6  # mid-height of the polyimide film


def cell_layers():
    """The stack stress-free at 250 C, at 25 C: moduli at 25 C, free strains from the mean CTEs."""
    lib = load_library()
    out = []
    for name, t in STACK:
        m = lib[name]
        E, nu, _, _ = mechanical_constants(m, 25.0)
        e = float(m.thermal_strain(25.0) - m.thermal_strain(250.0))
        out.append(hom.CellLayer(float(E), float(nu), t * 1e-6, e))
    return out


def rel(a, b):
    return float(np.max(np.abs(np.asarray(a) - np.asarray(b))) / np.max(np.abs(b)))


def test_full_and_bare_cells_are_laminate_theory():
    layers = cell_layers()
    grid = (np.array([0.0, 1e-4]), np.array([0.0, 1e-4]))
    full = hom.homogenize_cell(layers, Z_REF, grid, np.ones((1, 1), bool), 3)
    clt = hom.clt_response(layers, Z_REF)
    for a, b in ((full.ABD, clt.ABD), (full.NT, clt.NT), (full.MT, clt.MT)):
        assert rel(a, b) < 1e-9
    bare = hom.homogenize_cell(layers, Z_REF, grid, np.zeros((1, 1), bool), 3)
    film = hom.clt_response(layers[:3], Z_REF)
    for a, b in ((bare.ABD, film.ABD), (bare.NT, film.NT), (bare.MT, film.MT)):
        assert rel(a, b) < 1e-9


def test_plate_reproduces_a_uniform_laminate_exactly():
    r = hom.class_response(cell_layers(), Z_REF, 3, hom.CellClass("lines", 0.5, 100e-6, 0.5), n=10)
    mesh = abd_plate.panel_mesh(2e-3, 1e-3, 8, 4)
    ne = mesh.t.shape[1]
    sol = abd_plate.solve_plate(mesh, np.repeat(r.ABD[None], ne, 0), np.repeat(r.NT[None], ne, 0),
                                np.repeat(r.MT[None], ne, 0))
    state = r.free_state()  # (eps0, kappa) with kappa = -(w_xx, w_yy, 2 w_xy)
    assert rel(sol.kappa_e, np.repeat([[-state[3], -state[4], -0.5 * state[5]]], ne, 0)) < 1e-8
    assert abs(abd_plate.mark_distance(sol, 0, 0.5e-3) / 1e-3 - 1 - state[0]) < 1e-9


def section_curvature_across(line_m, width_m=1e-3, per_line=4):
    """The y-z section of a grating of lines along x, resolved: curvature across the lines (elastic model)."""
    lib = load_library()
    st = Stack(tuple(Layer(f"{n}_{k}", lib[n], t * 1e-6, "foil") for k, (n, t) in enumerate(STACK)))
    nx = 2 * per_line * int(round(width_m / (2 * line_m))) * 1
    model = elastic.make_model(layered_mesh_2d(st.interfaces_m, width_m, nx=nx, n_per_layer=1,
                                               edge_refinement=1.0), out_of_plane="free")
    s = initial_state(st, model, 250.0)
    give_birth(s, [0, 1, 2, 3])
    change_temperature(s, 25.0)
    mesh = model.lmesh.mesh
    xc = mesh.p[0, mesh.t].mean(axis=0) + 0.5 * width_m
    space = (np.floor(xc / line_m + 1e-9).astype(int) % 2) == 1
    remove_elements(s, np.flatnonzero(space & (s.layer_of_element == 3)))
    return measure.curvature(s)["curvature_1_per_m"]


def test_line_cell_against_the_resolved_grating_and_the_rule_of_mixtures():
    layers = cell_layers()
    cell = hom.class_response(layers, Z_REF, 3, hom.CellClass("lines", 0.5, 100e-6), n=20)
    kappa = -cell.free_state()[3:5]  # (along, across) the lines, top concave positive
    resolved = section_curvature_across(50e-6)
    assert abs(kappa[1] / resolved - 1) < 0.01  # measured 0.1 %
    mixtures = -hom.clt_response(layers, Z_REF, [1, 1, 1, 0.5]).free_state()[3:5]
    assert abs(mixtures[0] - mixtures[1]) < 1e-9 * abs(mixtures[0])  # isotropic: blind to the direction
    assert np.sign(mixtures[1]) != np.sign(resolved)  # across the lines it even bends the wrong way
    # the etched laminate's in-plane expansion is direction dependent (lines carry load along x only)
    eps = cell.free_state()[:2]
    assert abs(eps[0] - eps[1]) > 0.005 * abs(eps[1])  # measured 1.6 %; the rule of mixtures: 0


def test_batched_stiffness_is_the_readable_form():
    from skfem import Basis, ElementHex2, ElementVector

    layers = cell_layers()
    grid = (np.array([0.0, 4e-5, 1e-4]), np.array([0.0, 1e-4]))
    mesh, layer = hom.cell_mesh(layers, *grid, np.array([[True, False]]), 3)
    vb = Basis(mesh, ElementVector(ElementHex2()))
    E = np.array([c.E for c in layers])[layer]
    nu = np.array([c.nu for c in layers])[layer]
    lam, mu = E * nu / ((1 + nu) * (1 - 2 * nu)), E / (2 * (1 + nu))
    nq = vb.X.shape[1]
    K_ref = hom._stiffness.assemble(vb, lam=np.repeat(lam[:, None], nq, 1), mu=np.repeat(mu[:, None], nq, 1))
    sb = Basis(mesh, ElementHex2())
    g = np.stack([sb.basis[a][0].grad for a in range(27)], axis=0).transpose(2, 3, 0, 1)
    edofs = (3 * sb.element_dofs.T[:, :, None] + np.arange(3)).reshape(len(layer), -1)
    K = hom._stiffness_matrix(np.ascontiguousarray(g), np.asarray(sb.dx), lam, mu, edofs, 3 * sb.N)
    # the vector basis numbers component i of scalar DOF s as 3 s + i too
    assert np.array_equal(vb.element_dofs.T, edofs)
    assert abs(K - K_ref).max() < 1e-9 * abs(K_ref).max()


def test_lines_laid_along_y_are_the_cell_turned():
    layers = cell_layers()
    along_x = hom.class_response(layers, Z_REF, 3, hom.CellClass("lines", 0.5, 100e-6, 0.0), n=10)
    along_y = hom.class_response(layers, Z_REF, 3, hom.CellClass("lines", 0.5, 100e-6, 0.5 * np.pi), n=10)
    swap = [1, 0, 2, 4, 3, 5]
    assert rel(along_y.ABD, along_x.ABD[np.ix_(swap, swap)]) < 1e-9
    assert rel(np.concatenate([along_y.NT, along_y.MT]), np.concatenate([along_x.NT, along_x.MT])[swap]) < 1e-9
