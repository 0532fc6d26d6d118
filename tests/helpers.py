"""Small builders shared by the verification tests: a layered model solved for one eigenstrain load."""
import numpy as np

from fem_laminate.model.materials import Material
from fem_laminate.model.mesh import layered_mesh_2d, layered_mesh_3d
from fem_laminate.physics.fe import elastic
from fem_laminate.model.stack import Layer, Stack
from fem_laminate.physics.models.laminate import give_birth, initial_state
from fem_laminate.physics.models.schedule import change_temperature
from fem_laminate.post import measure


def stack_of(E_GPa, nu, cte, t_um, Tg=None):
    layers = []
    for i, (E, n, a, t) in enumerate(zip(E_GPa, nu, cte, t_um)):
        tg = None if Tg is None else Tg[i]
        m = Material(name=f"m{i}", kind="polymer", E_Pa=E * 1e9, nu=n, cte_per_K=a, Tg_C=tg)
        layers.append(Layer(f"l{i}", m, t * 1e-6, "foil"))
    return Stack(tuple(layers))


def cooled_state(stack, T0=350.0, T1=25.0, dim=2, out_of_plane="free", length_mm=10.0, nx=60, n_per_layer=2,
                 quadratic=True, ny=None):
    if dim == 2:
        lm = layered_mesh_2d(stack.interfaces_m, length_mm * 1e-3, nx=nx, n_per_layer=n_per_layer)
    else:
        lm = layered_mesh_3d(stack.interfaces_m, length_mm * 1e-3, length_mm * 1e-3, nx=nx, ny=ny or nx,
                             n_per_layer=n_per_layer)
    model = elastic.make_model(lm, out_of_plane=out_of_plane, quadratic=quadratic)
    st = initial_state(stack, model, T0)
    give_birth(st, list(range(len(stack))))
    change_temperature(st, T1, max_step_K=1000.0)
    return st


def fem_curvature(st):
    return measure.curvature(st)
