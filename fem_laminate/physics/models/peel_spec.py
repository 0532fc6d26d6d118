"""The FEM peel's input and result, and the section numbers every part of it needs (per unit width).

`PeelFEMSpec` (arm and substrate layers, interface toughness and strength, mesh and driver controls),
`PeelFEMResult`; the arm's plane-strain bending stiffness and neutral axis, the cohesive process-zone length
that sets the mesh (`process_zone_length`, `check_resolution`) and the elastic pre-bend radius.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ...analytic.laminate import plane_strain_modulus
from ...analytic.peel import ArmLayer


class CohesiveResolutionError(ValueError):
    """The cohesive zone is resolved by too few elements for the steady force to mean anything."""


class PeelNotSteady(RuntimeError):
    """The force did not level off within the pull distance the mesh allows."""


# a layer of the FEM is the closed form's arm view (E, nu, thickness, yield, hardening; analytic/peel.py), built
# from a stack layer at a temperature by physics/laws/layer_views.arm_layer; substrate layers are elastic ones
Layer = ArmLayer


@dataclass(frozen=True)
class PeelFEMSpec:
    arm: tuple                      # Layer, bottom-up (the layer on the interface first)
    substrate: tuple                # Layer, top-down from the interface to the rigid base
    toughness_J_per_m2: float
    strength_Pa: float              # cohesive strength sigma_c
    angle_deg: float = 180.0
    element_length_m: float = 50e-6
    elements_per_layer: int = 2
    arm_elements_per_layer: int | None = None  # through each arm layer; None: elements_per_layer
    bonded_length_m: float = 6e-3
    bend_radius_m: float | None = None  # pre-bend of the free arm; None: from the elastic root curvature
    tail_length_m: float = 1.0e-3
    min_cohesive_elements: int = 4
    plateau_tolerance: float = 0.01     # (max - min) / mean of the force over the plateau window
    plateau_window_m: float | None = None  # crack advance; None: max(10 elements, 3 process zones)
    max_step_m: float | None = None
    penalty_factor: float = 50.0        # K0 = penalty_factor * E'_substrate / t_substrate
    time_limit_s: float = 120.0
    prebend: bool = True  # False: the free arm starts flat (fine for angles up to 90 deg; 180 would buckle)
    # "elastica": the free arm starts on the elastica of the closed-form steady force and is naturally straight
    # (an initial eigenstrain undoes the bend, so it starts prestressed near equilibrium: short transient);
    # "arc": a stress-free arc of radius bend_radius_m (the arm remembers the arc: long transient)
    initial_shape: str = "elastica"
    # the initial free arm (material that never passes the root) is meshed with elements growing by this factor
    # away from the crack tip, up to free_arm_max_element x element_length_m (1.0: uniform)
    free_arm_grading: float = 1.1
    free_arm_max_element: float = 8.0
    # backtracking line search on the residual norm (halving while |R| grows, down to 1/32 of the step): a
    # deeply plastic arm (35 um copper, kappa0 ~ 80 kappa_e) makes full Newton cycle among active sets; the
    # search lets ~20x larger pull steps converge there (docs/theory/peel.md). Off: the benchmarked elastic runs unchanged.
    line_search: bool = False
    extrapolate: bool = False  # start each pull step's Newton from the last step's rate dq/dd (a predictor)
    # keep pulling until the crack has advanced this far before the plateau may end the run (a check that the
    # detected plateau is the steady state: the force is then read over the last plateau window)
    min_crack_advance_m: float = 0.0


@dataclass
class PeelFEMResult:
    force_N_per_m: float
    steady: bool
    pull_m: np.ndarray
    force_history_N_per_m: np.ndarray
    crack_advance_m: np.ndarray
    plateau_window_m: float
    process_zone_m: float
    cohesive_elements: float
    root_rotation_deg: float            # tangent angle of the arm where its curvature peaks (the closed form's theta_0)
    root_curvature_1_per_m: float       # that peak curvature (the closed form's kappa_0)
    crack_tip_rotation_deg: float       # slope of the arm's bottom line at the traction-free crack tip
    plastic_dissipation_fraction: float
    ndofs: int
    element_length_m: float
    steps: int
    newton_iterations: int
    seconds: float
    fields: dict = field(default_factory=dict, repr=False)  # deformed meshes and plastic strain for output
    arm_profile: dict = field(default_factory=dict, repr=False)  # PeelModel.arm_profile() at the end of the run

    @property
    def force_N_per_mm(self) -> float:
        return self.force_N_per_m * 1e-3


def _plane_strain_modulus(L: Layer) -> float:
    return float(plane_strain_modulus(L.E_Pa, L.nu))


def process_zone_length(spec: PeelFEMSpec) -> float:
    """Cohesive zone length: the smaller of two estimates (the shorter zone sets the mesh).

    - l_E = E* G_c / sigma_c^2 with E* the plane-strain modulus of the layer beneath the interface (Rice /
      Hillerborg estimate for a crack in a body, prefactor 1);
    - l_M = sqrt(2 M_0 / sigma_c): the zone must carry the arm's root moment with tractions <= sigma_c
      (derived here), M_0 = sqrt(2 E I G_c) for an elastic arm (elastica), capped by the arm's fully plastic
      moment sigma_y' h^2 / 4 (sigma_y' = 2 sigma_y / sqrt 3) when the arm yields. For a thin arm on a thin layer
      l_M is the shorter one by a factor of several.
    """
    l_E = _plane_strain_modulus(spec.substrate[0]) * spec.toughness_J_per_m2 / spec.strength_Pa ** 2
    h = sum(L.thickness_m for L in spec.arm)
    EI = _arm_EI(spec)
    M0 = math.sqrt(2.0 * EI * spec.toughness_J_per_m2)
    sy = min(L.yield_Pa for L in spec.arm)
    if math.isfinite(sy):
        M0 = min(M0, 2.0 / math.sqrt(3.0) * sy * h ** 2 / 4.0)
    return min(l_E, math.sqrt(2.0 * M0 / spec.strength_Pa))


def _arm_EI(spec: PeelFEMSpec) -> float:
    """Plane-strain bending stiffness of the arm per width about its elastic neutral axis."""
    zc, z0, EI = _arm_neutral_axis(spec), 0.0, 0.0
    for L in spec.arm:
        c = z0 + L.thickness_m / 2 - zc
        EI += _plane_strain_modulus(L) * (L.thickness_m ** 3 / 12 + L.thickness_m * c ** 2)
        z0 += L.thickness_m
    return EI


def check_resolution(spec: PeelFEMSpec) -> float:
    """Elements across the estimated cohesive zone; raises CohesiveResolutionError below the minimum."""
    n = process_zone_length(spec) / spec.element_length_m
    if n < spec.min_cohesive_elements:
        raise CohesiveResolutionError(
            f"cohesive zone under-resolved: process zone ~ {process_zone_length(spec)*1e6:.3g} "
            f"um spans {n:.2g} elements of {spec.element_length_m*1e6:.3g} um (need >= {spec.min_cohesive_elements}); "
            "refine element_length_m or lower the cohesive strength")
    return n


def _arm_cells(spec: PeelFEMSpec) -> int:
    return spec.arm_elements_per_layer or spec.elements_per_layer


def _arm_neutral_axis(spec: PeelFEMSpec) -> float:
    z0, num, den = 0.0, 0.0, 0.0
    for L in spec.arm:
        num += _plane_strain_modulus(L) * L.thickness_m * (z0 + L.thickness_m / 2)
        den += _plane_strain_modulus(L) * L.thickness_m
        z0 += L.thickness_m
    return num / den


def _elastic_bend_radius(spec: PeelFEMSpec) -> float:
    """Root radius of the elastica at the Kendall force (a sensible pre-bend of the free arm)."""
    h = sum(L.thickness_m for L in spec.arm)
    kappa = math.sqrt(2 * spec.toughness_J_per_m2 / _arm_EI(spec))
    return max(1.0 / kappa, 4 * h)
