"""The material laws as objects (physics/laws/): the registry, each law's point update against its closed form,
and the claim that a new law is one module: a law registered at runtime acts in the laminate with no other edit."""
import ast
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from fem_laminate.case import PhysicsSpec
from fem_laminate.model.materials import Material, load_library
from fem_laminate.model.mesh import layered_mesh_2d
from fem_laminate.model.stack import Layer, Stack
from fem_laminate.physics import laws
from fem_laminate.physics.fe import elastic
from fem_laminate.physics.laws.law import REGISTRY, ROLES, Law, register, voigt_normal
from fem_laminate.physics.laws.viscoelastic import Prony
from fem_laminate.physics.models.laminate import give_birth, initial_state
from fem_laminate.physics.models.schedule import change_temperature
from fem_laminate.post import measure

LAWS = Path(laws.__file__).parent


def test_one_law_per_module_and_every_role_known():
    """Each module of physics/laws/ other than law.py and layer_views.py registers exactly one law class."""
    for path in sorted(LAWS.glob("*.py")):
        if path.name in ("__init__.py", "law.py", "layer_views.py"):
            continue
        tree = ast.parse(path.read_text())
        registered = [n.name for n in tree.body if isinstance(n, ast.ClassDef)
                      and any(getattr(d, "id", None) == "register" for d in n.decorator_list)]
        assert len(registered) == 1, (path.name, registered)
    assert all(cls.role in ROLES for cls in REGISTRY.values())


def test_the_physics_table_is_the_registry_switches():
    assert tuple(PhysicsSpec.model_fields) == laws.switches()
    assert set(laws.switches()) == {"viscoelastic", "copper_plasticity", "copper_creep", "moisture",
                                    "cure_shrinkage"}


def test_elastic_update_is_hookes_law():
    cu = load_library()["copper_ed"]
    law = laws.laws_for(cu)[0]
    eps = np.array([1e-3, -2e-4, 0.0, 5e-4])[:, None]
    sigma, D, _ = law.update(eps, {}, 200.0)
    E, nu = float(cu.E(200.0)), cu.nu
    lam, mu = E * nu / ((1 + nu) * (1 - 2 * nu)), E / (2 * (1 + nu))
    assert sigma[0, 0] == pytest.approx(lam * 8e-4 + 2 * mu * 1e-3, rel=1e-12)
    assert sigma[3, 0] == pytest.approx(mu * 5e-4, rel=1e-12)


def test_prony_point_update_relaxes_as_the_relaxation_function():
    """A strain held constant: σ(t)/σ(0) = g_inf + Σ g_i exp(-t/τ_i a_T), exactly (the recursion is exact for
    constant strain), in any number of steps."""
    pi = load_library()["pi_IV"]
    law = Prony.of(pi)
    T = 310.0
    eps = np.zeros((4, 1))
    eps[0] = 1e-3
    h = {"h": np.zeros((4, 1, law.nterms)), "eps_m": np.zeros((4, 1))}
    s0, _, h = law.update(eps, h, T, 0.0)
    t = 0.0
    from fem_laminate.physics.laws.viscoelastic import relaxation_function
    for dt in (0.5, 2.0, 10.0, 60.0, 600.0):
        s, tangent, h = law.update(eps, h, T, dt)
        t += dt
        assert s[0, 0] / s0[0, 0] == pytest.approx(relaxation_function(pi, t, T), rel=1e-10)


@dataclass(frozen=True)
class _ConstantShrink(Law):
    """A toy eigenstrain law with a data table of its own: ε = -s, acting above 100 C only through its table."""
    name = "toy_shrink"
    role = "eigenstrain"
    parameters = {"strain": (0.0, 0.1, "free shrinkage")}

    @classmethod
    def of(cls, material):
        return cls(material) if "toy_shrink" in material.law_data else None

    def strain(self, history, T_C, dim, ncomp):
        s = self.material.law_data["toy_shrink"]["strain"] * (T_C > 100.0)
        return voigt_normal(-s, -s, dim, ncomp)


def test_a_law_registered_at_runtime_acts_in_the_laminate_with_no_other_edit():
    """Registering one class is all it takes: a film with the toy law's table, formed at 150 C on a rigid
    substrate and cooled to 25 C (where the toy shrinkage vanishes), carries σ = -E/(1 - ν) s."""
    register(_ConstantShrink)
    try:
        film = Material(name="film", kind="polymer", E_Pa=5e9, nu=0.3, cte_per_K=0.0,
                        law_data={"toy_shrink": {"strain": 0.002}})
        sub = Material(name="rigid", kind="metal", E_Pa=1e14, nu=0.3, cte_per_K=0.0)
        st = Stack((Layer("sub", sub, 200e-6, "foil"), Layer("film", film, 1e-6, "cast")))
        model = elastic.make_model(layered_mesh_2d(st.interfaces_m, 1e-3, nx=16, n_per_layer=2))
        s = initial_state(st, model, 150.0)
        give_birth(s, [0, 1])
        change_temperature(s, 25.0)
        sigma = measure.layer_stress_summary(s)["film"]["stress_xx_centre_MPa"] * 1e6
        assert sigma == pytest.approx(-5e9 / 0.7 * 0.002, rel=1e-3)
    finally:
        REGISTRY.pop("toy_shrink")


def test_a_switch_off_removes_its_law_and_a_missing_datum_means_no_law():
    lib = load_library()
    names = lambda m, on=None: [law.name for law in laws.laws_for(m, on)]  # noqa: E731
    assert names(lib["copper_ed"]) == ["elastic", "expansion", "j2", "creep"]
    assert names(lib["copper_ed"], {"copper_plasticity": False, "copper_creep": False}) == ["elastic", "expansion"]
    assert names(lib["pi_IV"])[0] == "prony" and names(lib["pi_IV"], {"viscoelastic": False})[0] == "elastic"
    assert names(lib["steel_roll"]) == ["elastic", "expansion"]  # no yield datum: no J2
    assert math.isinf(lib["steel_roll"].yield_stress(25.0))
