"""What every material law is: a small object built from a Material, declaring its history, updating points.

A law is one module of this package holding one class derived from `Law`, registered with `@register`:

- ``name``: the registry key, and the prefix of its history variables in a laminate state ("j2.alpha");
- ``switch``: the ``[physics]`` key that selects it (None: always on);
- ``role``: where it sits in the additive split of the strain, ε = ε_el + Σ ε_eigen + ε_in:
    "stiffness"   the stress of the elastic strain (elastic(T), Prony): one per layer, the first that applies;
    "eigenstrain" a stress-free strain (thermal expansion, swelling, cure shrinkage);
    "inelastic"   a strain the stress drives (J2 plasticity, power-law creep), by return mapping;
    "interface"   a traction from the opening of a bonded interface (the cohesive law): built from the
                  interface's numbers, not a material (its `of` is None, so `laws_for` never returns it);
- ``history``: its variables per quadrature point, name -> `Var` (shape after the point axes; whether it is a
  mechanical memory, wiped when the layer is born or relaxes, or a state of the material that survives that);
- ``of(material)``: the law for that material, or None when the material has no data for it;
- ``update(strain, history, T_C, dt_s) -> (stress, tangent, history)``: the point update (vectorised over the
  trailing point axes; strains and stresses Voigt with engineering shear, component axis first).

The laminate, nip, peel and curl models build their laws from the registry (`laws_for`), so a property at a
temperature is one number everywhere. Adding a law touches its module, its data keys and its tests.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

REGISTRY: dict[str, type["Law"]] = {}
ROLES = ("stiffness", "eigenstrain", "inelastic", "interface")


@dataclass(frozen=True)
class Var:
    """A history variable per quadrature point: `shape` after the point axes ("ncomp" is the strain vector's
    length); `mechanical` variables are memories of stress, wiped where a layer is born or relaxes."""
    shape: tuple = ()
    mechanical: bool = True
    initial: float = 0.0  # its value before the law has acted (a bonded film is fully cured: degree 1)


@dataclass(frozen=True)
class Law:
    material: object  # model.materials.Material

    name: ClassVar[str] = ""
    switch: ClassVar[str | None] = None
    role: ClassVar[str] = ""
    history: ClassVar[dict[str, Var]] = {}
    rate_dependent: ClassVar[bool] = False  # needs a clock: a temperature change given no duration gets one
    path_dependent: ClassVar[bool] = False  # a temperature change is followed in increments

    parameters: ClassVar[dict] = {}  # keys of the material's [<law name>] data table: (low, high, what)

    @classmethod
    def of(cls, material) -> "Law | None":
        return cls(material)

    @classmethod
    def check(cls, material) -> None:
        """Refuse malformed data of this law in `material` (ValueError, one line); called when a case loads."""

    def update(self, strain, history: dict, T_C: float, dt_s: float = 0.0):
        raise NotImplementedError(f"law {self.name!r} has no point update")

    # stepping hints, over every present instance of a law class (they share one clock)
    @classmethod
    def subdivisions(cls, items, Ta: float, Tb: float, dt_s: float) -> int:
        """Equal sub-increments a change Ta -> Tb over dt_s needs for these laws' accuracy; `items` as for
        `max_time_step`."""
        return 1

    @classmethod
    def hold_steps(cls, items, T_C: float, seconds: float):
        """Increment lengths for a hold, or None when these laws set no schedule; `items` as for
        `max_time_step`."""
        return None

    @classmethod
    def max_time_step(cls, items, T_C: float) -> float:
        """Longest accurate time step given [(law, view), ...], a view per layer: {"stress": (npts, ncomp), and
        the law's history variables} (inf: no limit)."""
        return np.inf


@dataclass
class PointHistory:
    """A law's history at points during a Newton solve: the committed state (the last converged one) and the
    trial of the iteration in progress. Evaluate from `committed`, keep the result as `trial`, `commit()` once
    the solve has converged (the nip's contact, the peel's bodies and cohesive zone)."""
    committed: dict
    trial: dict | None = None

    def commit(self) -> None:
        if self.trial is not None:
            self.committed, self.trial = self.trial, None


def register(cls: type[Law]) -> type[Law]:
    """Add a law class to the registry (decorator). Order matters within a role: for "stiffness" the first
    registered law that applies to a material is its stiffness law."""
    if cls.role not in ROLES:
        raise ValueError(f"law {cls.name!r}: role must be one of {ROLES}")
    REGISTRY[cls.name] = cls
    return cls


def switches() -> tuple[str, ...]:
    """Every [physics] switch a registered law answers to."""
    return tuple(dict.fromkeys(c.switch for c in REGISTRY.values() if c.switch))


def laws_for(material, on: dict | None = None) -> tuple[Law, ...]:
    """The laws of `material` with the switches `on` ([physics] table; a missing key counts as on): one
    stiffness law, then the eigenstrain and inelastic laws in registry order."""
    on = {} if on is None else on
    out, stiffness = [], None
    for cls in REGISTRY.values():
        if cls.switch is not None and not on.get(cls.switch, True):
            continue
        if cls.role == "stiffness" and stiffness is not None:
            continue
        law = cls.of(material)
        if law is None:
            continue
        if cls.role == "stiffness":
            stiffness = law
        out.append(law)
    return tuple(out)


def voigt_normal(in_plane, through, dim: int, ncomp: int) -> np.ndarray:
    """A transversely isotropic normal strain as a Voigt vector (last axis): 2D cross-sections are x in-plane,
    y through the thickness, z in-plane; 3D plates x, y in-plane and z through the thickness."""
    a, b = np.broadcast_arrays(np.asarray(in_plane, float), np.asarray(through, float))
    out = np.zeros(a.shape + (ncomp,))
    if dim == 2:
        out[..., 0], out[..., 1], out[..., 2] = a, b, a
    else:
        out[..., 0], out[..., 1], out[..., 2] = a, a, b
    return out


def check_material(material) -> None:
    """Every law data table of `material` names a registered law and holds what that law accepts."""
    for table in material.law_data:
        cls = REGISTRY.get(table)
        if cls is None or not cls.parameters:
            known = [n for n, c in REGISTRY.items() if c.parameters]
            raise ValueError(f"field 'materials.{material.name}.{table}' is not a known law table (allowed: "
                             f"{', '.join(known)})")
    for cls in REGISTRY.values():
        if cls.name in material.law_data:
            cls.check(material)
