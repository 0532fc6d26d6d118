"""Cure shrinkage of a cast polyimide: imidization (and the solvent it releases) shrinks the film as it converts.

State: the degree of conversion x of the polyamic-acid precursor (0 when the varnish is cast, 1 fully imidized;
a film that was never cast in the process, a bonded film, starts at 1). Kinetics: a first-order approach to the
conversion at which the forming polyimide vitrifies at the present temperature,

    dx/dt = k(T) (x_v(T) - x)   while x < x_v(T),     k(T) = k_200 exp(-Q/R (1/T - 1/473.15 K)),
    x_v(T) = r / (λ + (1 - λ) r),   r = clip((T - Tg_p) / (Tg_c - Tg_p), 0, 1),

(the fast first stage of Kreuz et al. 1966; the reaction "slows down very markedly" once the polymer's Tg,
rising with conversion, reaches the temperature, and resumes only above it: studies of the thermal cyclization
of polyamic acids). x_v inverts DiBenedetto's Tg(x) in the form of Pascault & Williams (1990),
(Tg - Tg_p)/(Tg_c - Tg_p) = λx / (1 - (1 - λ) x), between the dried precursor's Tg_p and the cured resin's Tg_c
(λ = 1: Tg linear in x). Integrated exactly over sub-steps at constant temperature, so any increment is stable.

Eigenstrain: ε_cs = -(β_in, β_z) x, a free shrinkage proportional to conversion. The laminate makes a cast
layer stress-free when it forms at the end of the imidization hold (Ree, Chu, Goldberg 1994: the stress-free
state of a cured polyimide is near its cure temperature), so what loads it is the conversion left at
vitrification in the hold, completed when the laminate is later heated above the cure temperature (the roll
press). Switch ``[physics] cure_shrinkage``. Data: the material's table ``[<material>.cure_shrinkage]``.
"""
from __future__ import annotations

import math

import numpy as np

from ...units import GAS_CONSTANT, kelvin
from .law import Law, Var, register, voigt_normal

MAX_CONVERSION_PER_INCREMENT = 0.02  # accuracy of the eigenstrain path: at most this conversion per increment


@register
class CureShrinkage(Law):
    name = "cure_shrinkage"
    switch = "cure_shrinkage"
    role = "eigenstrain"
    history = {"degree": Var((), mechanical=False, initial=1.0)}
    rate_dependent = True
    path_dependent = True
    # data keys of the material's [cure_shrinkage] table: (low, high, what)
    parameters = {
        "shrinkage_per_conversion": (0.0, 0.3, "free linear shrinkage in-plane per unit conversion"),
        "shrinkage_z_per_conversion": (0.0, 0.5, "the same through the thickness (default: in-plane)"),
        "rate_per_s_at_200C": (1e-8, 1e3, "first-order rate constant at 200 C (1/s)"),
        "activation_kJ_per_mol": (10.0, 400.0, "activation energy of imidization"),
        "precursor_Tg_C": (-100.0, 500.0, "Tg of the dried precursor film: conversion starts above it"),
        "cured_Tg_C": (-100.0, 700.0, "Tg of the fully imidized resin (default: the material's Tg_C)"),
        "dibenedetto_lambda": (0.05, 1.0, "DiBenedetto's lambda of Tg(x) (1: Tg linear in the conversion)"),
    }
    required = ("shrinkage_per_conversion", "rate_per_s_at_200C", "activation_kJ_per_mol", "precursor_Tg_C")

    @classmethod
    def of(cls, material):
        data = material.law_data.get(cls.name)
        if not data:
            return None
        if data.get("cured_Tg_C") is None and material.Tg_C is None:
            return None  # checked at load: a table without a cured Tg is refused there
        return cls(material)

    def _p(self, key: str) -> float:
        return self.material.law_data[self.name][key]

    @property
    def shrinkage(self) -> tuple[float, float]:
        b_in = self._p("shrinkage_per_conversion")
        b_z = self.material.law_data[self.name].get("shrinkage_z_per_conversion", b_in)
        return b_in, b_z

    def rate(self, T_C: float) -> float:
        Q = self._p("activation_kJ_per_mol") * 1e3
        return self._p("rate_per_s_at_200C") * math.exp(-Q / GAS_CONSTANT * (1.0 / kelvin(T_C) - 1.0 / kelvin(200.0)))

    def vitrification_degree(self, T_C: float) -> float:
        """x_v(T): the conversion at which the forming resin's Tg reaches T_C (DiBenedetto's Tg(x) inverted)."""
        data = self.material.law_data[self.name]
        Tg_p = data["precursor_Tg_C"]
        Tg_c = data.get("cured_Tg_C", self.material.Tg_C)
        lam = data.get("dibenedetto_lambda", 1.0)
        r = float(np.clip((T_C - Tg_p) / max(Tg_c - Tg_p, 1e-9), 0.0, 1.0))
        return r / (lam + (1.0 - lam) * r) if r > 0.0 else 0.0

    def advance(self, history: dict, Ta: float, Tb: float, dt_s: float) -> dict:
        """The degree after dt_s along the linear path Ta -> Tb (exact at constant T over each sub-step)."""
        x = history["degree"]
        if dt_s <= 0.0:
            return history
        n = max(1, int(math.ceil(abs(Tb - Ta) / 1.0)))  # sub-steps of at most 1 K
        for j in range(n):
            T = Ta + (Tb - Ta) * (j + 0.5) / n
            xv = self.vitrification_degree(T)
            x = np.where(x < xv, xv - (xv - x) * math.exp(-self.rate(T) * dt_s / n), x)
        return {**history, "degree": x}

    def start(self, history: dict) -> dict:
        """The varnish is cast: unconverted."""
        return {**history, "degree": np.zeros_like(history["degree"])}

    def strain(self, history: dict, T_C: float, dim: int, ncomp: int) -> np.ndarray:
        b_in, b_z = self.shrinkage
        x = history["degree"]
        return voigt_normal(-b_in * x, -b_z * x, dim, ncomp)

    def update(self, strain, history: dict, T_C: float, dt_s: float = 0.0):
        """Advance the degree over dt_s at T_C; returns the free strain (..., ncomp) of the 3D convention."""
        new = self.advance(history, T_C, T_C, dt_s)
        return self.strain(new, T_C, 3, 6), None, new

    @classmethod
    def subdivisions(cls, items, Ta, Tb, dt_s):
        """Enough increments for the conversion that can happen on the way (none where every point is already
        past the vitrification degree of both ends, e.g. on cooling)."""
        dx = 0.0
        for law, view in items:
            if view["degree"].size:
                reach = max(law.vitrification_degree(Ta), law.vitrification_degree(Tb))
                dx = max(dx, reach - float(view["degree"].min()))
        return max(1, int(math.ceil(dx / MAX_CONVERSION_PER_INCREMENT)))

    @classmethod
    def max_time_step(cls, items, T_C: float) -> float:
        """Time for the fastest layer to convert MAX_CONVERSION_PER_INCREMENT toward its vitrification limit."""
        dt = np.inf
        for law, view in items:
            x = view["degree"]
            if not x.size:
                continue
            gap = law.vitrification_degree(T_C) - float(x.min())
            if gap > MAX_CONVERSION_PER_INCREMENT:
                dt = min(dt, -math.log(1.0 - MAX_CONVERSION_PER_INCREMENT / gap) / law.rate(T_C))
        return dt

    @classmethod
    def check(cls, material) -> None:
        """Refuse a malformed [cure_shrinkage] table in one line (field, value, allowed range)."""
        data = material.law_data[cls.name]
        where = f"materials.{material.name}.{cls.name}"
        for key, value in data.items():
            if key not in cls.parameters:
                raise ValueError(f"field '{where}.{key}' is not a known parameter (allowed: "
                                 f"{', '.join(cls.parameters)})")
            lo, hi, what = cls.parameters[key]
            if not (isinstance(value, (int, float)) and not isinstance(value, bool) and lo <= value <= hi):
                raise ValueError(f"field '{where}.{key}' = {value!r} is not allowed: {what}, a number in "
                                 f"[{lo:g}, {hi:g}]")
        for key in cls.required:
            if key not in data:
                raise ValueError(f"field '{where}.{key}' is missing ({cls.parameters[key][2]})")
        if "cured_Tg_C" not in data and material.Tg_C is None:
            raise ValueError(f"field '{where}.cured_Tg_C' is missing (the material has no Tg_C to default to)")
        Tg_c = data.get("cured_Tg_C", material.Tg_C)
        if Tg_c <= data["precursor_Tg_C"]:
            raise ValueError(f"field '{where}.cured_Tg_C' = {Tg_c!r} is not allowed: above precursor_Tg_C "
                             f"({data['precursor_Tg_C']!r})")
