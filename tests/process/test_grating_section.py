"""A fine line grating across its lines against laminate theory with the etched foil homogenized (issue 14.5).

The y-z cross-section of an infinitely long grating (lines along the out-of-plane axis; generalized plane strain
with out-of-plane bending) is the 3D panel's answer across the lines, and resolves micrometre lines cheaply. With
four elements per layer through the thickness (the tall, narrow ribs deform at their base) the curvature across
the lines approaches the homogenized limit as the lines get finer (tests/studies/regenerate/grating_cross_section.py, fixture tests/data/grating_cross_section.json:
-23 / -8.9 / -4.9 / -3.1 % at 50 / 20 / 10 / 5 um with one element per layer; -2.1 / -1.0 % at 5 / 2 um with four).
"""
import numpy as np
import pytest

from fem_laminate.analytic import laminate as lam
from fem_laminate.model.materials import load_library
from fem_laminate.model.mesh import layered_mesh_2d
from fem_laminate.model.stack import Layer, Stack
from fem_laminate.physics.fe import elastic
from fem_laminate.physics.models.laminate import give_birth, initial_state, remove_elements
from fem_laminate.physics.models.schedule import change_temperature
from fem_laminate.post import measure

STACK = [("copper_ed", 18.0), ("pi_I", 25.0), ("pi_II", 5.0), ("copper_ed", 18.0)]
WIDTH_M = 0.5e-3


def clt_across(fraction):
    lib = load_library()
    return float(lam.etched_lines_curvature([(lib[n], t * 1e-6) for n, t in STACK], fraction, "x", 250.0, 25.0)[1])


def across_lines_curvature(line_m, n_per_layer=4):
    lib = load_library()
    st = Stack(tuple(Layer(f"{n}_{k}", lib[n], t * 1e-6, "foil") for k, (n, t) in enumerate(STACK)))
    nx = 2 * int(round(WIDTH_M / line_m))  # two elements per line and per space: faces on every edge
    model = elastic.make_model(layered_mesh_2d(st.interfaces_m, WIDTH_M, nx=nx, n_per_layer=n_per_layer,
                                               edge_refinement=1.0), out_of_plane="free")
    s = initial_state(st, model, 250.0)
    give_birth(s, [0, 1, 2, 3])
    change_temperature(s, 25.0)
    mesh = model.lmesh.mesh
    xc = mesh.p[0, mesh.t].mean(axis=0) + 0.5 * WIDTH_M
    space = (np.floor(xc / line_m + 1e-9).astype(int) % 2) == 1
    remove_elements(s, np.flatnonzero(space & (s.layer_of_element == 3)))
    return measure.curvature(s)["curvature_1_per_m"]


def test_fine_grating_across_the_lines_approaches_homogenized_laminate_theory():
    ref = clt_across(0.5)
    err = {w: across_lines_curvature(w * 1e-6) / ref - 1.0 for w in (20.0, 5.0, 2.0)}
    assert abs(err[2.0]) < 0.02  # measured -1.0 %
    assert abs(err[2.0]) < abs(err[5.0]) < abs(err[20.0])  # the finer the lines, the closer
    # and it sits between the two laminates it interpolates: fully etched (f = 0) and unetched (f = 1)
    k = across_lines_curvature(2e-6)
    lo, hi = sorted((clt_across(0.0), clt_across(1.0)))
    assert lo < k < hi
