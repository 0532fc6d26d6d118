"""One J2 everywhere: the nip's strip layers, the closed-form peel arm, the FEM peel's layers and the laminate's
thermal steps see the same copper yield stress and hardening at the same temperature (the J2 law at T)."""
import math

import numpy as np
import pytest

from fem_laminate.analytic import peel as ap
from fem_laminate.model.materials import load_library
from fem_laminate.model.stack import Layer, Stack
from fem_laminate.physics.models import laminate as lam
from fem_laminate.physics.models import nip
from fem_laminate.process.peel import Spec as PeelSpec
from fem_laminate.process.peel import arm_and_foundation, fem_spec


def _stack():
    lib = load_library()
    return Stack((Layer("pi", lib["pi_I"], 24e-6, "cast"), Layer("cu", lib["copper_ed"], 35e-6)))


def _laminate_j2(stack, T_C):
    """The J2 law of the copper layer as the laminate's thermal steps get it (state.laws(i))."""
    n = len(stack)
    state = lam.LaminateState(stack=stack, model=None, T_C=T_C, born=np.ones(n, bool), etched=np.zeros(n, bool),
                              u=np.zeros(0), stress=np.zeros(0), eps0=np.zeros(0),
                              mechanisms={"copper_plasticity": True})
    return next(law for law in state.laws(1).role("inelastic") if law.name == "j2")


@pytest.mark.parametrize("T_C", [25.0, 200.0, 350.0])
def test_copper_yield_and_hardening_are_one_number_at_temperature(T_C):
    stack = _stack()
    cu = stack.layers[1].material
    j2 = _laminate_j2(stack, T_C)
    sy, H = j2.yield_stress(T_C), j2.hardening(T_C)
    assert H < cu.hardening_Pa or T_C == 25.0  # hardening softens with temperature: not the raw 1000 MPa

    spec = nip.NipSpec(roll_radius_m=0.1, roll_width_m=0.3, load_N=1e4, speed_m_per_s=0.01, roll_temperature_C=T_C,
                       layers=[(lay.material, lay.thickness_m) for lay in stack.layers])
    strip = nip._strip_layers(spec, [T_C, T_C])
    arm, found = arm_and_foundation(list(stack.layers), "pi/cu", T_C)
    fem_arm = fem_spec(arm, found, 500.0, PeelSpec(kind="peel"), 1e4).arm[0]  # the FEM peel's layers
    for view in (strip[1], arm[0], fem_arm):
        assert (view.yield_Pa, view.hardening_Pa) == (sy, H)
    # elastic layers: no J2 law
    assert (strip[0].yield_Pa, strip[0].hardening_Pa) == (math.inf, 0.0)
    # stiffness from the same material at the same temperature
    K, G = j2.bulk_shear(T_C)
    assert strip[1].K_Pa == pytest.approx(K, rel=1e-12) and strip[1].G_Pa == pytest.approx(G, rel=1e-12)
    assert arm[0].E_Pa == fem_arm.E_Pa == float(cu.E(T_C)) and fem_arm.nu == cu.nu
    assert found[0] == ap.FoundationLayer(float(stack.layers[0].material.E(T_C)), stack.layers[0].material.nu, 24e-6)
