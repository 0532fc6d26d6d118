"""Viscoelastic polyimides: generalized Maxwell (Prony) relaxation with a time-temperature shift.

Relaxation modulus (thermorheologically simple, reduced time ξ = ∫ dt / a_T(T)):

    E(ξ) = E0(T) [g_inf + Σ_i g_i exp(-ξ / τ_i)],      g_inf = 1 - Σ_i g_i,

with E0(T) the instantaneous (glassy) modulus of the material (its E(T) trend without the step through Tg: the drop
at Tg is what the relaxation itself produces). The shift factor, relative to `prony_reference_C`, is

    log10 a(T) = -C1 (T - Tg) / (C2 + T - Tg)                 above Tg   (WLF; Williams, Landel, Ferry 1955)
    log10 a(T) = Q / (R ln 10) (1/T - 1/Tg)                   below Tg   (Arrhenius)
    a_T = a(T) / a(T_ref)

both equal to 1 at Tg, so a_T is continuous there (a material without a Tg uses the Arrhenius branch throughout,
referred to T_ref). Constants per material: `wlf_C1`, `wlf_C2_K`, `shift_activation_kJ_per_mol`.

Time integration: the recursive update of Taylor, Pister & Goudreau (1970) / Simo & Hughes (1998, ch. 10) per
Prony term, with the mechanical strain taken linear in time over an increment,

    h_i(n+1) = e_i h_i(n) + g_i γ_i D(T_{n+1}) Δε_m,    e_i = exp(-Δξ/τ_i),   γ_i = (1 - e_i) τ_i / Δξ,
    σ(n+1)   = g_inf D ε_m(n+1) + Σ_i h_i(n+1),

which is linear in the new displacement: the layer's stiffness is c·D with c = g_inf + Σ g_i γ_i and the history
enters the load as σ_hist = Σ_i (e_i h_i(n) - g_i γ_i D ε_m(n)). Unconditionally stable; exact for a strain that
is linear in reduced time. In the fast limit (a_T → 0 far above Tg) e_i, γ_i → 0 and only g_inf carries stress:
"fully relaxed above Tg" is that limit of the same law. (The whole D relaxes, bulk included; ν is held.)
"""
from __future__ import annotations

import math

import numpy as np

from ...units import GAS_CONSTANT, ZERO_CELSIUS_K
from .law import Law, Var, register

MAX_DECADES_PER_INCREMENT = 1.0  # adaptive stepping: the shift factor may change by at most this per increment
DEFAULT_RATE_K_PER_MIN = 10.0  # a temperature change given no duration (assumption: oven / free cooling of a web)


def has_series(material) -> bool:
    return material.prony is not None


def log10_shift_abs(material, T_C: float) -> float:
    """log10 of the shift factor referred to Tg (or to prony_reference_C without a Tg)."""
    Tg = material.Tg_C
    Tref = Tg if Tg is not None else (material.prony_reference_C if material.prony_reference_C is not None else 25.0)
    if Tg is not None and T_C >= Tg:
        d = T_C - Tg
        return -material.wlf_C1 * d / (material.wlf_C2_K + d)
    Q = material.shift_activation_J_per_mol or 0.0
    return Q / (GAS_CONSTANT * math.log(10.0)) * (1.0 / (T_C + ZERO_CELSIUS_K) - 1.0 / (Tref + ZERO_CELSIUS_K))


def log10_shift(material, T_C: float) -> float:
    """log10 a_T: relaxation times at T_C are a_T times those at prony_reference_C."""
    ref = material.prony_reference_C if material.prony_reference_C is not None else (material.Tg_C or 25.0)
    return log10_shift_abs(material, T_C) - log10_shift_abs(material, ref)


def shift_factor(material, T_C: float) -> float:
    return 10.0 ** min(log10_shift(material, T_C), 300.0)


def relaxation_function(material, t_s: float, T_C: float) -> float:
    """E(t)/E0 at constant temperature T_C."""
    g = np.array([p[0] for p in material.prony])
    tau = np.array([p[1] for p in material.prony]) * shift_factor(material, T_C)
    return float(1.0 - g.sum() + (g * np.exp(-t_s / tau)).sum())


def glassy_E(material, T_C: float) -> float:
    """Instantaneous modulus E0(T): the glassy trend, without the step through Tg."""
    return float(material.E_Pa * max(1.0 + material.dE_rel_per_K * (T_C - 25.0), 0.05))


def coefficients(material, Ta: float, Tb: float, dt_s: float):
    """(g_inf, g, e, γ) for an increment of length dt_s from Ta to Tb (shift at the geometric mean)."""
    g = np.array([p[0] for p in material.prony])
    tau = np.array([p[1] for p in material.prony])
    if dt_s <= 0.0:
        return 1.0 - g.sum(), g, np.ones_like(g), np.ones_like(g)
    log_a = 0.5 * (log10_shift(material, Ta) + log10_shift(material, Tb))
    x = 10.0 ** np.clip(np.log10(dt_s) - np.log10(tau) - log_a, -300.0, 300.0)  # Δξ / τ_i
    e = np.exp(-np.minimum(x, 700.0))
    gam = np.where(x > 1e-8, -np.expm1(-np.minimum(x, 700.0)) / np.maximum(x, 1e-300), 1.0 - 0.5 * x)
    return 1.0 - g.sum(), g, e, gam


def fastest_shifted_tau(materials, T_C: float) -> float:
    """Smallest relaxation time at T_C over the given materials (inf if none has a series)."""
    out = math.inf
    for m in materials:
        if has_series(m):
            out = min(out, min(p[1] for p in m.prony) * shift_factor(m, T_C))
    return out


def subdivide_for_shift(materials, Ta: float, Tb: float, dt_s: float) -> int:
    """Number of equal sub-increments of a dt_s-long change Ta -> Tb so that log10 a_T changes by at most
    MAX_DECADES_PER_INCREMENT within each, counted only while some Prony term is active there (its Δξ/τ between
    1e-4 and 1e4 at either end): a frozen (glassy) or fully relaxed spectrum needs no resolution."""
    n = 1
    for m in materials:
        if not has_series(m):
            continue
        la, lb = log10_shift(m, Ta), log10_shift(m, Tb)
        taus = np.array([p[1] for p in m.prony])
        x = np.log10(max(dt_s, 1e-30)) - np.log10(taus)[:, None] - np.array([la, lb])[None, :]  # log10 Δξ/τ
        lo, hi = x.min(), x.max()
        if hi < -4.0 or lo > 4.0:
            continue
        # only the part of the shift range where terms are active needs resolving
        d = min(abs(lb - la), (min(hi, 4.0) - max(lo, -4.0)) + 1.0)
        n = max(n, int(math.ceil(d / MAX_DECADES_PER_INCREMENT)))
    return min(n, 200)


RELAXED_AFTER = 40.0  # slowest shifted relaxation times after which every term is gone (exp(-40) = 4e-18)


def slowest_shifted_tau(materials, T_C: float) -> float:
    """Largest relaxation time at T_C over the given materials (0 if none has a series)."""
    out = 0.0
    for m in materials:
        if has_series(m):
            out = max(out, max(p[1] for p in m.prony) * shift_factor(m, T_C))
    return out


def hold_steps(materials, T_C: float, seconds: float, per_decade: int = 4) -> np.ndarray:
    """Increment lengths for a hold at T_C: log-spaced from a tenth of the fastest shifted relaxation time (the
    recursion is exact for constant strain, so steps grow with the time already spent), `per_decade` per decade,
    up to RELAXED_AFTER slowest relaxation times; the rest of the hold is one step (every term has relaxed: the
    series is its equilibrium modulus, and steps there would only repeat the same solve - far above Tg a hold
    otherwise spent tens of increments after its last term had gone)."""
    if seconds <= 0:
        return np.zeros(0)
    t0 = max(0.1 * fastest_shifted_tau(materials, T_C), 1e-6 * seconds)
    t_end = min(seconds, RELAXED_AFTER * slowest_shifted_tau(materials, T_C))
    if not math.isfinite(t0) or t0 >= t_end:
        return np.array([seconds])  # nothing relaxes within the hold, or all of it within its first step
    n = max(1, int(math.ceil(per_decade * math.log10(t_end / t0))))
    t = np.concatenate([[0.0], np.geomspace(t0, t_end, n)] + ([[seconds]] if t_end < seconds else []))
    return np.diff(t)


@register
class Prony(Law):
    """The stiffness law of a layer with a Prony series (switch ``[physics] viscoelastic``): D(t) = E0(T) ·
    [g_inf + Σ g_i exp(-ξ/τ_i)] · D(ν), by the recursion above; history: the internal stresses h_i and the
    mechanical strain of the last increment."""
    name = "prony"
    switch = "viscoelastic"
    role = "stiffness"
    history = {"h": Var(("ncomp", "nterms")), "eps_m": Var(("ncomp",))}
    rate_dependent = True
    path_dependent = True

    @classmethod
    def of(cls, material):
        return cls(material) if has_series(material) else None

    @property
    def nu(self) -> float:
        return self.material.nu

    @property
    def nterms(self) -> int:
        return len(self.material.prony)

    def modulus(self, T_C: float) -> float:
        return glassy_E(self.material, T_C)

    instantaneous_modulus = modulus

    def relaxes_at(self, T_C: float) -> bool:
        return False  # the series itself relaxes

    def coefficients(self, Ta: float, Tb: float, dt_s: float):
        g_inf, g, e, gam = coefficients(self.material, Ta, Tb, dt_s)
        return g_inf + float((g * gam).sum()), (g_inf, g, e, gam)

    def history_stress(self, history: dict, D: np.ndarray, coef) -> np.ndarray:
        """σ_hist = Σ_i (e_i h_i(n) - g_i γ_i D ε_m(n)): the load the history puts on the increment."""
        _, g, e, gam = coef
        Dm = np.einsum("ekl,eql->eqk", D, history["eps_m"])
        return np.einsum("eqct,t->eqc", history["h"][..., :len(g)], e) - float((g * gam).sum()) * Dm

    def commit(self, history: dict, D: np.ndarray, eps_m: np.ndarray, coef) -> tuple[np.ndarray, dict]:
        """h_i(n+1) = e_i h_i(n) + g_i γ_i D Δε_m;  σ = g_inf D ε_m(n+1) + Σ h_i(n+1)."""
        g_inf, g, e, gam = coef
        dDe = np.einsum("ekl,eql->eqk", D, eps_m - history["eps_m"])
        h = history["h"][..., :len(g)] * e + dDe[..., None] * (g * gam)
        stress = g_inf * np.einsum("ekl,eql->eqk", D, eps_m) + h.sum(axis=-1)
        new_h = history["h"].copy()
        new_h[..., :len(g)] = h
        return stress, {"h": new_h, "eps_m": eps_m}

    def update(self, strain, history: dict, T_C: float, dt_s: float = 0.0):
        """Point update at constant T over dt_s: strain (ncomp, ...) -> stress, tangent c·D, history."""
        from .elastic import DIM_OF_NCOMP, isotropic_D
        strain = np.asarray(strain, float)
        D = isotropic_D(self.modulus(T_C), self.nu, DIM_OF_NCOMP[strain.shape[0]])
        c, coef = self.coefficients(T_C, T_C, dt_s)
        pts = np.moveaxis(strain, 0, -1).reshape(1, -1, strain.shape[0])
        hist = {"h": np.moveaxis(history["h"], 0, -2).reshape(1, -1, strain.shape[0], history["h"].shape[-1]),
                "eps_m": np.moveaxis(history["eps_m"], 0, -1).reshape(1, -1, strain.shape[0])}
        stress, new = self.commit(hist, D[None], pts, coef)
        shape = strain.shape[1:]
        back = {"h": np.moveaxis(new["h"].reshape(shape + new["h"].shape[-2:]), -2, 0),
                "eps_m": np.moveaxis(new["eps_m"].reshape(shape + (strain.shape[0],)), -1, 0)}
        return np.moveaxis(stress.reshape(shape + (strain.shape[0],)), -1, 0), c * D, back

    @classmethod
    def subdivisions(cls, items, Ta, Tb, dt_s):
        return subdivide_for_shift([law.material for law, _ in items], Ta, Tb, dt_s)

    @classmethod
    def hold_steps(cls, items, T_C, seconds):
        return hold_steps([law.material for law, _ in items], T_C, seconds)
