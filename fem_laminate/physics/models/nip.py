"""The hot roll-press nip (EP0496334A1, Table 1): contact pressure, copper plasticity and heating of the strip.

Public API (SI inside):  NipSpec -> validate_nip -> solve_nip -> NipResult (files: post/nip_output.py).

Model choices (details in the physics modules):
- Contact (physics/models/contact.py): plane strain, quasi-static normal loading of the strip between two elastic
  rolls truncated around the nip, penalty contact, frictionless or Coulomb.  Rolling is not simulated:
  at 0.01-20 m/min inertia is negligible and for elastic rolls the rolling pressure equals the static one;
  the rolling-direction asymmetry from friction and from the viscous bonding layer is neglected.
- Layer properties at the temperature each layer has at the nip centre (from the thermal solution):
  shear modulus G = E(T) / 2(1 + nu) follows Material.E(T) (rubbery above Tg); the bulk modulus keeps its
  glassy value K = E_glassy(T) / 3(1 - 2 nu) through Tg (assumption, usual for amorphous polymers: above Tg the
  thermoplastic PI is soft in shear but nearly incompressible, nu_eff -> 0.5; B-bar elements avoid locking).
- Copper: J2 plasticity, yield and linear hardening of its J2 law at the layer's temperature (the numbers the
  laminate's thermal steps use; physics/laws/layer_views.py).  The foil elongation is the plastic in-plane strain
  eps_p_xx of the incoming foil averaged through its thickness at the nip centre: a point rolled through the nip
  is loaded to the peak pressure once, as the centre is here.
- Heat (physics/models/thermal.py): 1D conduction through the strip along its path, t = x / speed, x = 0 at the
  nip centre; both rolls at roll_temperature_C, reached through a contact conductance (assumption, default
  1e5 W/m^2K; None = roll temperature prescribed on the faces) over the contact length; air
  (10 W/m^2K, assumption) before and after.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ...analytic.contact import compliant_strip_contact
from ...model.materials import Material, load_library
from ...units import N_PER_KGF
from . import contact as C
from ...model.stack import Layer
from ..laws.layer_views import bulk_shear_glassy_bulk
from ..laws.plasticity import J2, uniaxial_strain_compression, von_mises
from .thermal import FaceBC, Phase, layered_nodes, solve_transient

AIR_H_W_PER_M2K = 10.0  # assumption: natural convection to still air
FAR_FIELD_GROWTH = 1.3  # element growth away from the contact (Hertz error +0.1 % vs 1.15, half the DOFs)
CONTACT_CONDUCTANCE_W_PER_M2K = 1.0e5  # assumption: metal-metal contact under 10-500 MPa, 1e4-1e6 range


def _steel():
    return load_library()["steel_roll"]


@dataclass
class NipSpec:
    """One roll nip, SI units.  layers bottom-up (base layers, then the incoming foil on top)."""
    roll_radius_m: float
    roll_width_m: float
    load_N: float  # total roll load (load_kgf * N_PER_KGF)
    speed_m_per_s: float
    roll_temperature_C: float
    entry_temperature_C: float = 25.0
    preheat_temperature_C: float | None = None  # strip preheated to this before the nip (None: no preheat)
    friction: float = 0.0  # Coulomb coefficient, 0 = frictionless
    roll_material: Material = field(default_factory=_steel)
    layers: list = field(default_factory=list)  # [(Material, thickness_m), ...] bottom-up
    bond_interface: int | None = None  # between layers[i] and layers[i+1]; None: just below the top layer
    # resolution and model controls
    contact_elements: int = 24  # elements across the contact half-width
    depth_factor: float = 25.0  # roll blocks extend depth_factor * half-width
    load_steps: int = 6
    contact_conductance_W_per_m2K: float | None = CONTACT_CONDUCTANCE_W_PER_M2K
    thermal_steps: int = 200  # time steps in the contact phase
    foil_layer: int | None = None  # the incoming foil (default: top layer)

    @property
    def line_load_N_per_m(self) -> float:
        return self.load_N / self.roll_width_m

    @property
    def bond_index(self) -> int:
        return len(self.layers) - 2 if self.bond_interface is None else int(self.bond_interface)

    @property
    def foil_index(self) -> int:
        return len(self.layers) - 1 if self.foil_layer is None else int(self.foil_layer)


@dataclass
class NipResult:
    half_width_m: float
    peak_pressure_Pa: float
    line_load_N_per_m: float
    dwell_s: float
    interface_temperature_max_C: float
    cu_plastic_strain_max: float
    foil_elongation: float  # relative, plastic eps_xx of the incoming foil (positive = longer)
    x_m: np.ndarray  # pressure profile along the rolling direction, symmetric, 0 = nip centre
    pressure_Pa: np.ndarray  # roll pressure on the incoming foil
    t_s: np.ndarray  # time along the path, t = x / speed, 0 at the nip centre
    interface_temperature_C: np.ndarray
    interface_pressure_Pa: np.ndarray  # roll pressure profile mapped to t (the bonding model integrates it)
    layer_temperature_C: np.ndarray  # per layer at the nip centre (properties were taken there)
    method: str
    points_m: np.ndarray | None = None  # (2, npoints) VTU geometry (full nip, mirrored)
    cells: np.ndarray | None = None  # (4, ncells) quads
    cell_data: dict = field(default_factory=dict)  # stress_Pa (ncells, 4) [xx yy zz xy], plastic_strain, ...
    point_data: dict = field(default_factory=dict)  # temperature_C
    info: dict = field(default_factory=dict)

    def summary(self) -> dict:
        out = {
            "half_width_mm": self.half_width_m * 1e3,
            "peak_pressure_MPa": self.peak_pressure_Pa * 1e-6,
            "line_load_N_per_mm": self.line_load_N_per_m * 1e-3,
            "dwell_s": self.dwell_s,
            "interface_temperature_max_C": self.interface_temperature_max_C,
            "cu_plastic_strain_max": self.cu_plastic_strain_max,
        }
        if "valid" in self.info:  # the analytic path's range checks
            out.update(analytic_validity=self.info["validity"], valid=self.info["valid"],
                       invalid_reason=self.info["invalid_reason"])
        return {"nip": out}


# -------------------------------------------------------------------------------------- validation
def _check(name, value, lo, hi, why, lo_open=True):
    ok = value is not None and math.isfinite(value) and (value > lo if lo_open else value >= lo) and value <= hi
    if not ok:
        br = "(" if lo_open else "["
        raise ValueError(f"nip.{name} = {value!r} is outside {br}{lo:g}, {hi:g}]: {why}")


def validate_nip(spec: NipSpec) -> None:
    """Raise ValueError (one line: field, value, allowed range) for a nip that cannot exist."""
    _check("roll_radius_m", spec.roll_radius_m, 0.0, 10.0, "the roll diameter must be positive")
    _check("roll_width_m", spec.roll_width_m, 0.0, 20.0, "the roll width must be positive")
    _check("load_N", spec.load_N, 0.0, 1e8, "the roll load must be positive")
    _check("speed_m_per_s", spec.speed_m_per_s, 0.0, 100.0, "the line speed must be positive")
    _check("entry_temperature_C", spec.entry_temperature_C, -273.15, 1000.0, "absolute zero to 1000 C", False)
    _check("roll_temperature_C", spec.roll_temperature_C, spec.entry_temperature_C, 1000.0,
           "the heated rolls cannot be colder than the entering strip", False)
    if spec.preheat_temperature_C is not None:
        _check("preheat_temperature_C", spec.preheat_temperature_C, spec.entry_temperature_C, 1000.0,
               "a preheat cannot cool the strip below its entry temperature", False)
    _check("friction", spec.friction, 0.0, 2.0, "Coulomb coefficient", False)
    if not spec.layers or len(spec.layers) < 2:
        raise ValueError(f"nip.layers has {len(spec.layers or [])} layers; allowed: 2 or more (base + incoming foil)")
    for i, (mat, h) in enumerate(spec.layers):
        if not isinstance(mat, Material):
            raise ValueError(f"nip.layers[{i}] material is {type(mat).__name__}; allowed: a Material")
        _check(f"layers[{i}].thickness_m", h, 0.0, 0.2 * spec.roll_radius_m,
               "a layer must be thinner than a fifth of the roll radius (the nip is a thin strip)")
    total = sum(h for _, h in spec.layers)
    _check("layers total thickness_m", total, 0.0, 0.2 * spec.roll_radius_m, "the strip must be thin against the roll radius")
    _check("bond_interface", spec.bond_index, 0, len(spec.layers) - 2, "an interface between two layers", False)
    _check("foil_layer", spec.foil_index, 0, len(spec.layers) - 1, "a layer index", False)
    _check("contact_elements", spec.contact_elements, 4, 400, "elements across the contact half-width", False)
    _check("depth_factor", spec.depth_factor, 5.0, 200.0, "roll block size in half-widths", False)
    _check("load_steps", spec.load_steps, 1, 100, "load increments", False)
    _check("thermal_steps", spec.thermal_steps, 10, 100000, "time steps in the contact phase", False)
    if spec.contact_conductance_W_per_m2K is not None:
        _check("contact_conductance_W_per_m2K", spec.contact_conductance_W_per_m2K, 0.0, 1e9, "W/(m^2 K)")


# ------------------------------------------------------------------------------ material at the nip
def elastic_constants(mat: Material, T_C: float) -> tuple[float, float]:
    """(K, G) at T_C: G follows E(T) (rubbery above Tg), K keeps the glassy value (assumption, see module doc)."""
    return bulk_shear_glassy_bulk(mat, T_C)


def stack_layers(spec: NipSpec) -> list[Layer]:
    """The spec's (material, thickness) pairs as stack layers, bottom-up."""
    return [Layer(f"layer {i}", m, h) for i, (m, h) in enumerate(spec.layers)]


def _strip_layers(spec: NipSpec, T_layers, n_elem=None):
    """Each layer's strip view at its temperature (elastic constants and J2 law at T)."""
    return [C.StripLayer.of(lay, T, None if n_elem is None else n_elem(lay.thickness_m))
            for lay, T in zip(stack_layers(spec), T_layers)]


def _roll_constants(spec):
    return elastic_constants(spec.roll_material, spec.roll_temperature_C)


def _E_star(spec):
    K, G = _roll_constants(spec)
    E = 9 * K * G / (3 * K + G)
    nu = (3 * K - 2 * G) / (2 * (3 * K + G))
    return E / (2 * (1 - nu * nu)), E, nu


def _strip_compliance(spec, T_layers):
    """Winkler compliance of the strip, sum h / (K + 4G/3) (m/Pa)."""
    return sum(h / (L.K_Pa + 4 * L.G_Pa / 3) for (_, h), L in zip(spec.layers, _strip_layers(spec, T_layers)))


# --------------------------------------------------------------------------------------- thermal
def _thermal(spec: NipSpec, half_width_m: float):
    """Conduction through the strip along the path; returns (ThermalSolution, t offset, interface height)."""
    v = spec.speed_m_per_s
    dwell = 2 * half_width_m / v
    hs = [h for _, h in spec.layers]
    n = [int(np.clip(math.ceil(h / 2e-6), 4, 20)) for h in hs]
    z, lay = layered_nodes(hs, n)
    mats = [m for m, _ in spec.layers]
    k_e = [mats[i].k_W_per_mK for i in lay]
    rc_e = [mats[i].density_kg_per_m3 * mats[i].cp_J_per_kgK for i in lay]
    alpha_min = min(m.k_W_per_mK / (m.density_kg_per_m3 * m.cp_J_per_kgK) for m in mats)
    post = max(4 * dwell, 2 * sum(hs) ** 2 / alpha_min)
    air = FaceBC("robin", spec.entry_temperature_C, AIR_H_W_PER_M2K)
    hc = spec.contact_conductance_W_per_m2K
    roll = FaceBC("dirichlet", spec.roll_temperature_C) if hc is None else FaceBC("robin", spec.roll_temperature_C, hc)
    T0 = spec.entry_temperature_C if spec.preheat_temperature_C is None else spec.preheat_temperature_C
    phases = [Phase(0.5 * dwell, air, air, 20), Phase(dwell, roll, roll, spec.thermal_steps),
              Phase(post, air, air, spec.thermal_steps)]
    sol = solve_transient(z, k_e, rc_e, T0, phases)
    t_offset = -dwell  # path time: contact from -dwell/2 to +dwell/2, centred on the nip
    z_bond = float(np.concatenate([[0.0], np.cumsum(hs)])[spec.bond_index + 1])
    return sol, t_offset, z_bond, lay


def _layer_temperatures_at_centre(spec, sol, t_offset, lay):
    i = int(np.argmin(np.abs(sol.t_s + t_offset)))
    Tz = sol.T_C[i]
    Te = 0.5 * (Tz[:-1] + Tz[1:])
    return np.array([Te[lay == k].mean() for k in range(len(spec.layers))])


def air_cooling_time_constant_s(spec: NipSpec) -> float:
    """Newton cooling of the strip after the nip, both faces in still air: tau = sum(rho c h) / (2 h_air).

    Lumped: the Biot number h_air H / k is ~1e-2 for the patent's 0.1 mm strips, so the strip cools nearly
    uniformly (its conduction time H^2/alpha ~ 0.1 s is far below tau ~ 10 s).
    """
    heat_capacity = sum(m.density_kg_per_m3 * m.cp_J_per_kgK * h for m, h in spec.layers)  # J/(m^2 K)
    return heat_capacity / (2.0 * AIR_H_W_PER_M2K)


def air_cooling_tail(spec: NipSpec, T_start_C: float, until_C: float, n: int = 192):
    """(t_s, T_C) of the strip cooling in air from T_start_C (t = 0) down to until_C, log-spaced in time.

    T(t) = T_air + (T_start - T_air) exp(-t/tau), T_air = the entry (ambient) temperature. Empty arrays if the
    strip is already at or below until_C, or if until_C is at or below the air temperature (never reached).
    """
    T_air = spec.entry_temperature_C
    if T_start_C <= until_C or until_C <= T_air:
        return np.zeros(0), np.zeros(0)
    tau = air_cooling_time_constant_s(spec)
    t_end = tau * math.log((T_start_C - T_air) / (until_C - T_air))
    t = np.concatenate([[0.0], np.geomspace(t_end * 1e-4, t_end, n - 1)])
    return t, T_air + (T_start_C - T_air) * np.exp(-t / tau)


# ------------------------------------------------------------------------------------------ solve
def solve_nip(spec: NipSpec, method: str = "fem", progress=None) -> NipResult:
    """Solve one nip.

    method="fem": conduction -> layer properties at the nip centre -> FEM contact with J2 copper (seconds).
    method="analytic": two elastic half-spaces squeezing the strip as a Winkler layer (compliance sum h/M,
    M = K + 4G/3) by a small boundary-element solve, plus the same 1D conduction; 0.05-0.5 s.  Against the FEM
    path (patent Examples 1 and 3, steel rolls, 400 C): with elastic copper the half-width agrees within 6 % and
    the peak pressure within 3 %; with the default yielding copper the FEM contact is wider and its peak lower
    (Example 3: a 1.11 vs 0.86 mm, p0 214 vs 310 MPa), because the foil flows.  The analytic copper plastic strain
    is the confined (uniaxial-strain) value at the peak pressure, a lower bound (Example 3: 0.0005 vs FEM 0.05);
    info["cu_plastic_strain_upper_bound"] gives the free plane-strain-compression value, an upper bound.
    """
    validate_nip(spec)
    if method not in ("fem", "analytic"):
        raise ValueError(f"solve_nip method = {method!r}; allowed: 'fem', 'analytic'")
    P = spec.line_load_N_per_m
    E_star, E_roll, nu_roll = _E_star(spec)
    R_eff = 0.5 * spec.roll_radius_m
    # first pass with every layer at roll temperature, then at the temperatures the thermal solution gives
    T_layers = np.full(len(spec.layers), spec.roll_temperature_C)
    for _ in range(2):
        x, p = compliant_strip_contact(P, R_eff, E_star, _strip_compliance(spec, T_layers))
        a = C.contact_half_width(x[x >= 0], p[x >= 0])
        th, t_off, z_bond, lay = _thermal(spec, a)
        T_layers = _layer_temperatures_at_centre(spec, th, t_off, lay)
    info = {}
    if method == "analytic":
        peak = float(p.max())
        cu = [L for (m, _), L in zip(spec.layers, _strip_layers(spec, T_layers)) if math.isfinite(L.yield_Pa)]
        ep = max([uniaxial_strain_compression(peak, L.K_Pa, L.G_Pa, L.yield_Pa, L.hardening_Pa) for L in cu] + [0.0])
        # free foil in plane-strain compression: von Mises stress sqrt(3)/2 p, linear hardening
        ep_up = max([max(0.0, (math.sqrt(3) / 2 * peak - L.yield_Pa) / L.hardening_Pa) if L.hardening_Pa > 0
                     else (math.inf if math.sqrt(3) / 2 * peak > L.yield_Pa else 0.0) for L in cu] + [0.0])
        info = {"cu_plastic_strain_upper_bound": ep_up,
                **analytic_validity(spec, a, peak, R_eff, _strip_layers(spec, T_layers))}
        x_full, p_full = x, p
        foil_el, fields = 0.0, {}
    else:
        sol, model = _fem_contact(spec, a, T_layers, progress)
        itf = model.interfaces[-1]  # top roll on the incoming foil
        p_half = sol.pressure[-1]
        a_fem = C.contact_half_width(itf.x, p_half)
        if a_fem > 1.4 * a:  # yielding spread the contact past the refined zone: mesh again around it
            sol, model = _fem_contact(spec, a_fem, T_layers, progress)
            itf, p_half = model.interfaces[-1], sol.pressure[-1]
            a_fem = C.contact_half_width(itf.x, p_half)
        a = a_fem
        peak = float(p_half.max())
        x_full = np.concatenate([-itf.x[::-1], itf.x[1:]])
        p_full = np.concatenate([p_half[::-1], p_half[1:]])
        metal = np.array([J2.of(m) is not None for m, _ in spec.layers])  # the layers that can yield
        in_metal = (model.layer >= 0) & metal[np.maximum(model.layer, 0)]
        ep = float(sol.history["alpha"][in_metal].max()) if in_metal.any() else 0.0
        foil_el = _foil_elongation(sol, model, spec.foil_index)
        # the dwell changed with the FEM half-width: redo the (cheap) conduction
        th, t_off, z_bond, lay = _thermal(spec, a)
        fields = _fields(spec, sol, model, th, t_off)
        R_bottom = _bottom_reaction(sol, model)
        info = {"newton_iterations": sol.newton_iterations, "dofs": model.ndof,
                "reaction_line_load_N_per_m": R_bottom,
                "load_equilibrium_rel": C.line_load_from_pressure(itf.x, p_half) / P - 1.0}
    dwell = 2 * a / spec.speed_m_per_s
    t = th.t_s + t_off
    T_if = th.at_height(z_bond)
    p_t = np.interp(t * spec.speed_m_per_s, x_full, p_full, left=0.0, right=0.0)
    res = NipResult(half_width_m=a, peak_pressure_Pa=peak, line_load_N_per_m=P, dwell_s=dwell,
                    interface_temperature_max_C=float(T_if.max()), cu_plastic_strain_max=float(ep),
                    foil_elongation=float(foil_el), x_m=x_full, pressure_Pa=p_full, t_s=t,
                    interface_temperature_C=T_if, interface_pressure_Pa=p_t, layer_temperature_C=T_layers,
                    method=method, info=info, **fields)
    return res


THIN_STRIP = 0.5  # Winkler strip: its thickness at most half the contact half-width (else it spreads the load)
SMALL_CONTACT = 0.1  # Hertz half-spaces: the contact half-width at most a tenth of the effective roll radius


def analytic_validity(spec: NipSpec, a: float, peak_Pa: float, R_eff: float, strip_layers) -> dict:
    """Where the analytic nip holds: an elastic strip (no layer reaches its yield under the free plane-strain
    compression of the peak pressure, von Mises √3/2 p0: beyond it the foil flows and the FEM contact is wider,
    docs/theory/nip_bonding.md), a strip thin against the contact (Winkler springs), a contact small against the roll (half-spaces).
    Returns {"validity": {...}, "valid": bool, "invalid_reason": str | None}."""
    h = sum(t for _, t in spec.layers)
    yield_ratio = max([math.sqrt(3) / 2 * peak_Pa / L.yield_Pa for L in strip_layers] + [0.0])
    checks = {"strip_yield_ratio": yield_ratio, "strip_thickness_over_half_width": h / a,
              "half_width_over_roll_radius": a / R_eff}
    reasons = []
    if yield_ratio > 1.0:
        reasons.append(f"the foil yields under the peak pressure (√3/2 p0 is {yield_ratio:.2f} of its yield stress)")
    if h / a > THIN_STRIP:
        reasons.append(f"the strip is thick against the contact (h/a = {h / a:.2f} > {THIN_STRIP})")
    if a / R_eff > SMALL_CONTACT:
        reasons.append(f"the contact is wide against the roll (a/R = {a / R_eff:.2f} > {SMALL_CONTACT})")
    return {"validity": checks, "valid": not reasons, "invalid_reason": "; ".join(reasons) or None}


def _fem_contact(spec, a_guess, T_layers, progress):
    h = a_guess / spec.contact_elements
    L = spec.depth_factor * a_guess
    x_grid = C.graded_grid(h, 1.6 * a_guess, L, growth=FAR_FIELD_GROWTH)
    K_r, G_r = _roll_constants(spec)
    roll = C.Roll(spec.roll_radius_m, K_r, G_r)
    layers = _strip_layers(spec, T_layers, lambda t: int(np.clip(math.ceil(t / h), 3, 8)))
    model = C.build_model(x_grid, 6.0 * a_guess, layers, roll, roll, L, h, growth=FAR_FIELD_GROWTH)
    sol = C.solve_contact(model, spec.line_load_N_per_m, friction=spec.friction, n_steps=spec.load_steps,
                          a_guess_m=a_guess, progress=progress)
    return sol, model


def _element_mean(model, q):
    return (q * model.dx).sum(axis=-1) / model.dx.sum(axis=-1)


def _foil_elongation(sol, model, foil):
    """Through-thickness mean plastic eps_xx of the foil at the nip centre column (x = 0)."""
    m = model.layer == foil
    xc = model.mesh.p[0, model.mesh.t].mean(axis=0)
    area = model.dx.sum(axis=-1)
    col = m & np.isclose(xc, xc[m].min())
    epxx = _element_mean(model, sol.history["strain"][0])
    return float((epxx[col] * area[col]).sum() / area[col].sum())


def _bottom_reaction(sol, model):
    """Full-model line load carried by the bottom roll's fixed face (equilibrium check)."""
    f = C.internal_force(model, sol.sigma)
    y = model.mesh.p[1]
    bottom = np.isclose(y, y.min())
    return float(2.0 * f[model.basis.nodal_dofs[1, bottom]].sum())


def _fields(spec, sol, model, th, t_off):
    """Mirror the half model to the full nip and attach cell and point data for the VTU."""
    p, t = model.mesh.p, model.mesh.t
    n = p.shape[1]
    pm = p.copy()
    pm[0] *= -1
    pts = np.hstack([p, pm])
    cells = np.hstack([t, t[[1, 0, 3, 2]] + n])  # mirrored quads keep counter-clockwise order
    sig = _element_mean(model, sol.sigma).T  # (nel, 4)
    sig_m = sig.copy()
    sig_m[:, 3] *= -1  # shear changes sign under the mirror
    ep = _element_mean(model, sol.history["alpha"])
    vm = _element_mean(model, von_mises(sol.sigma))
    # temperature: strip nodes from the thermal history at t = x / v; roll nodes at the roll temperature
    body_node = np.full(n, 0)
    body_node[t.ravel()] = np.repeat(model.body, 4)
    T = np.full(2 * n, spec.roll_temperature_C, dtype=float)
    strip = np.flatnonzero(body_node == 1)
    tt = th.t_s + t_off
    for sgn, off in ((1.0, 0), (-1.0, n)):
        ti = sgn * p[0, strip] / spec.speed_m_per_s
        it = np.clip(np.searchsorted(tt, ti), 0, len(tt) - 1)
        T[strip + off] = [np.interp(y, th.z_m, th.T_C[k]) for y, k in zip(p[1, strip], it)]
    return {"points_m": pts, "cells": cells,
            "cell_data": {"stress_Pa": np.vstack([sig, sig_m]), "von_mises_Pa": np.concatenate([vm, vm]),
                          "plastic_strain": np.concatenate([ep, ep]), "layer": np.concatenate([model.layer] * 2),
                          "body": np.concatenate([model.body] * 2)},
            "point_data": {"temperature_C": T}}


def spec_from_patent(diameter_mm: float, width_mm: float, temperature_C: float, load_kgf: float,
                     speed_m_per_min: float, layers, **kw) -> NipSpec:
    """Convenience: a NipSpec from the units of the patent's Table 1."""
    return NipSpec(roll_radius_m=0.5e-3 * diameter_mm, roll_width_m=1e-3 * width_mm, load_N=load_kgf * N_PER_KGF,
                   speed_m_per_s=speed_m_per_min / 60.0, roll_temperature_C=temperature_C, layers=list(layers), **kw)
