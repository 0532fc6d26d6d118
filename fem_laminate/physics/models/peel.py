"""2D plane-strain FEM of the peel test: elastic-plastic arm at large rotation on polymer layers, cohesive interface.

The model (per unit width):
- the peeled arm (the foil, plus any layers above the failing interface): 9-node quadrilaterals (skfem
  ElementQuad2, 3x3 Gauss), total Lagrangian with Green-Lagrange strain E and 2nd Piola-Kirchhoff stress S from
  the J2 return mapping of physics/laws/plasticity.py applied to E (small strain, large rotation: the arm's strains are
  a few per cent while it turns through the peel angle); plane strain E_zz = 0;
- the layers beneath the interface (polyimide), elastic, same elements, on a rigid base (bottom fixed);
- a cohesive zone along the bonded interface: bilinear traction-separation law (penalty K0 up to the strength
  sigma_c, linear softening to zero at delta_f = 2 G_c / sigma_c), one effective separation for normal opening
  and shear (equal toughness in both modes: an assumption), damage irreversible, no damage in compression;
  integrated at the nodes (Newton-Cotes weights of the quadratic edge), which avoids traction oscillations;
- the free arm is meshed already turned through the peel angle (a stress-free arc of radius R0 then a straight
  tail): a flat arm pushed backwards would buckle before it folds. The grip translates the end section along the
  pull direction (displacement control). The stress-free pre-bend is a transient: the steady force is only read
  once the crack has run past it and the force has levelled off (detected, not assumed).

Newton: full Newton with the consistent tangents (J2: Simo & Hughes Box 3.2; cohesive: derivative of the
softening law) by physics/solve/newton.py (`newton` at each grip position, `follow_load_path` for the pull, open-ended
until the force levels off, and for the prestress ramp); the tangent goes into one CSR pattern built once
(physics/fe/assembly.py: arm, substrate and cohesive node pairs in one element table, bincount scatter).

What holds where: this module composes the run (the prestress ramp, the pull and its plateau detection);
peel_spec.py the input, the result and the section numbers (process-zone length, bending stiffness);
peel_mesh.py the meshes; physics/fe/total_lagrangian.py the element kernel (J2 history as the laminate keys it);
physics/laws/cohesive.py the traction-separation law; peel_model.py the model (bodies, cohesive node pairs, grip,
assembly, Newton at a grip position); peel_post.py the read-back (arm root and profile, fields).
"""
from __future__ import annotations

import math
import time

import numpy as np

from ...analytic.laminate import plane_strain_modulus  # noqa: F401  (re-exported: fp.plane_strain_modulus)
from ..solve import newton
from . import peel_post as post
from .peel_mesh import elastica_shape  # noqa: F401  (re-exported)
from .peel_model import CohesiveInterface, PeelModel, solve_tangent  # noqa: F401  (re-exported)
from .peel_spec import (CohesiveResolutionError, Layer, PeelFEMResult, PeelFEMSpec, PeelNotSteady,  # noqa: F401
                        _arm_EI, _elastic_bend_radius, _plane_strain_modulus, check_resolution,
                        process_zone_length)


# -- steady state ---------------------------------------------------------------------------------------
def plateau(pull, force, window: float, tol: float, period: float = 0.0) -> float | None:
    """Mean force over the last `window` of pull distance if it varies by less than tol (relative), else None.

    The force ripples as the interface fails node by node (one ripple per element of crack advance, a pull
    `period`): the ripple is averaged out with a running mean over one period before the plateau test."""
    pull, force = np.asarray(pull), np.asarray(force)
    if pull.size < 5 or pull[-1] - pull[0] < window + period:
        return None
    if period > 0:
        n = 8
        grid = np.linspace(pull[-1] - window - period, pull[-1], int(round(n * (window + period) / period)) + 1)
        f = np.convolve(np.interp(grid, pull, force), np.full(n, 1.0 / n), mode="valid")
    else:
        sel = pull >= pull[-1] - window
        if sel.sum() < 4:
            return None
        f = force[sel]
    mean = float(f.mean())
    return mean if mean > 0 and (f.max() - f.min()) / mean < tol else None


def run_peel_fem(spec: PeelFEMSpec, progress=None) -> PeelFEMResult:
    """Pull the arm until the force levels off; raises PeelNotSteady if the bonded length runs out first."""
    t0 = time.perf_counter()
    model = PeelModel(spec)
    th = math.radians(spec.angle_deg)
    lcz = process_zone_length(spec)
    # pull distance per crack advance ~ (1 - cos theta) (+ the arm's stretch, small)
    per_crack = max(1.0 - math.cos(th), 0.2)
    window = (spec.plateau_window_m or max(10 * spec.element_length_m, 3 * lcz)) * per_crack
    period = spec.element_length_m * per_crack
    d_max_step = spec.max_step_m or spec.element_length_m * max(1.0 - math.cos(th), 0.3) / 2
    iters = _prestress(model)
    pulls, forces, cracks = [0.0], [model.grip_force()], [model.crack_tip_x()]
    steady_force, counts = None, {"steps": 0, "iterations": iters}

    def pull_to(d_old, d_new):
        it = model.solve_step(d_new)
        if it is None:
            return False, 0
        counts["steps"] += 1
        counts["iterations"] += it
        pulls.append(d_new)
        forces.append(model.grip_force())
        cracks.append(model.crack_tip_x())
        if progress:
            progress(d_new, forces[-1], cracks[-1])
        return True, it

    def done(d):
        nonlocal steady_force
        if cracks[-1] > max(R_past(spec, model), spec.min_crack_advance_m):
            steady_force = plateau(pulls, forces, window, spec.plateau_tolerance, period)
            if steady_force is not None:
                return True
        # the process zone reaching the end of the bonded strip: no longer the steady problem
        return (cracks[-1] + model.zone_length() > spec.bonded_length_m - 10 * spec.element_length_m
                or time.perf_counter() - t0 > spec.time_limit_s)

    path = newton.follow_load_path(pull_to, t_end=math.inf, dt0=d_max_step / 4, dt_min=d_max_step * 1e-4,
                                   dt_max=d_max_step, adapt=lambda dt, it: dt * 1.5 if it <= 4 else dt, until=done)
    if not path.completed:
        raise RuntimeError(f"peel FEM: Newton failed at pull {path.t*1e6:.4g} um even with tiny steps")
    nsteps, iters = counts["steps"], counts["iterations"]
    pulls, forces, cracks = map(np.array, (pulls, forces, cracks))
    steady = steady_force is not None
    F = steady_force if steady else float(forces[-1])
    root = model.arm_root()
    stretch = F ** 2 / (2 * sum(_plane_strain_modulus(L) * L.thickness_m for L in spec.arm))
    external = F * (1 - math.cos(th)) + stretch
    res = PeelFEMResult(
        force_N_per_m=F, steady=steady, pull_m=pulls, force_history_N_per_m=forces, crack_advance_m=cracks,
        plateau_window_m=window, process_zone_m=lcz, cohesive_elements=model.n_cz,
        root_rotation_deg=root[0], root_curvature_1_per_m=root[1], crack_tip_rotation_deg=model.root_rotation_deg(),
        plastic_dissipation_fraction=max(0.0, 1.0 - spec.toughness_J_per_m2 / external) if external > 0 else 0.0,
        ndofs=int(model.ndof), element_length_m=spec.element_length_m, steps=int(nsteps), newton_iterations=iters,
        seconds=time.perf_counter() - t0)
    res.fields = post.fields(model)
    res.arm_profile = model.arm_profile()
    return res


def _prestress(model: PeelModel, max_cuts: int = 6) -> int:
    """Grip held, ramp the arm's straightening eigenstrain from 0 (stress-free bent arm, in equilibrium) to 1
    (naturally straight arm on the elastica): the arm tensions and the cohesive zone opens under the root
    moment. A plastic arm may refuse the full elastic prestress (the elastica is the elastic arm's shape): the
    ramp then stops at the last converged fraction (model.prestress_fraction) and the pull starts from there
    (a longer transient, still detected). Returns Newton iterations."""
    arm, total = model.arm, 0
    model.reaction = np.zeros(model.ndof)
    model.prestress_fraction = 0.0
    if not np.any(arm.eps_p0):
        return 0
    full, h = arm.eps_p0.copy(), arm.history
    h.committed = {**h.committed, "strain": np.zeros_like(full)}  # the eigenstrain is the J2 history's strain

    def ramp(lam_old, lam_new):
        keep = h.committed["strain"]
        h.committed = {**h.committed, "strain": keep + (lam_new - lam_old) * full}
        it = model.solve_step(0.0)
        if it is None:
            h.committed = {**h.committed, "strain": keep}
            return False, 0
        nonlocal total
        total += it
        return True, it

    path = newton.follow_load_path(ramp, t_end=1.0, dt0=0.25, max_cuts=max_cuts,
                                   adapt=lambda dt, it: dt * 1.5 if it <= 5 else dt)
    lam = path.t
    arm.eps_p0 = lam * full  # the eigenstrain applied, not plasticity (for the plastic strain output)
    model.prestress_fraction = lam
    return total


def R_past(spec: PeelFEMSpec, model: PeelModel) -> float:
    """Crack advance after which the stress-free pre-bent arc has left the root region."""
    if not spec.prebend or spec.initial_shape == "elastica":
        return 2.0 * process_zone_length(spec)  # the starting shape is the steady one: only the zone must form
    R = spec.bend_radius_m or _elastic_bend_radius(spec)
    return 0.5 * R * math.radians(spec.angle_deg)
