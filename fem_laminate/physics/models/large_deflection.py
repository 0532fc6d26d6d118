"""Geometrically nonlinear (total Lagrangian, small strain / large rotation) layered plate: the load path.

The plate, its weak forms and the plain Hex27 assembler are in physics/fe/plate.py; the MITC9-tied element
against membrane locking at large rotation in physics/fe/ans.py (PlateModel.membrane_tying selects it).
Quadratic 27-node hexes reproduce constant curvature exactly, so they do not lock in small-deflection
bending; at large rotation the fully integrated element locks in membrane (a flat quadratic element cannot
follow an arc stretch-free), the MITC9 one does not.

The load path is followed by the Newton method of physics/solve/newton.py with adaptive load stepping on t and a
secant predictor. The symmetric (spherical) branch is left through a small imperfection in the eigenstrain
(e*_x, e*_y) = e*(1 + d, 1 - d); the number of negative pivots of the tangent (PARDISO inertia,
physics/solvers.SymmetricSolver) reports where the symmetric state stops being stable.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from ..solve import newton
from ..fe.ans import ANSAssembler
from ..fe.plate import Assembler, PlateModel, body_force_form, internal_force_form, tangent_form  # noqa: F401
from ..fe.solvers import SymmetricSolver, negative_pivot_note


def make_assembler(model: PlateModel):
    """The fast assembler the model asks for: plain Hex27, or Hex27 with MITC9 membrane tying."""
    return ANSAssembler(model) if model.membrane_tying else Assembler(model)


@dataclass
class PathPoint:
    t: float
    u: np.ndarray
    iterations: int
    negative_pivots: int | None


@dataclass
class NewtonResult:
    u: np.ndarray  # last converged displacement (all DOFs)
    t: float  # last converged load factor
    converged: bool
    message: str
    path: list = field(default_factory=list)  # list[PathPoint]
    seconds: float = 0.0
    newton_iterations: int = 0


def _equilibrium(asm, solver, free, u_try, t_new, tol, max_iter, size, verbose, rtol=1e-6, loads=None):
    """Newton at a fixed load factor; returns (ok, u, iterations, negative pivots).

    loads(t) -> (eigenstrain factor, body-force factor); default (t, 1). Converged when the correction is
    below tol times the largest displacement (floor 1e-3 of the plate size) and the residual below rtol
    times the first one (or the correction 1000x below tol); diverged when the correction exceeds 10 times
    that scale after 3 iterations.
    """
    t_eig, g = loads(t_new) if loads is not None else (t_new, 1.0)

    def evaluate(u):
        f, K = asm.force_and_tangent(u, t_eig)
        rf = (g * asm.f_body - f)[free]  # = -R
        return newton.Point(rf, K)

    def correct(point):
        du = np.zeros_like(u_try)
        du[free] = solver.solve(point.data, point.residual)
        return du

    def converged_after(k, u, du, rn, r0):
        scale = max(float(np.abs(u).max()), 1e-3 * size)
        step = float(np.abs(du).max()) / scale
        if verbose:
            print(f"    t={t_new:.5g} it={k} |r|={rn:.3e} |du|/scale={step:.3e} neg={solver.negative_pivots}")
        if step <= tol and (rn <= rtol * r0 or step <= 1e-3 * tol):
            return newton.CONVERGED
        if k >= 3 and step > 10:
            return newton.DIVERGED
        return None

    res = newton.newton(u_try, evaluate, correct, max_iter=max_iter, converged_after=converged_after,
                        inertia=lambda: solver.negative_pivots,
                        residual_norm=lambda r: float(np.linalg.norm(r)))
    return res.converged, res.u, res.iterations, res.negative_pivots


def solve_load_path(model: PlateModel, t_end: float = 1.0, dt0: float = 0.05, dt_min: float = 1e-5,
                    dt_max: float = 0.2, tol: float = 1e-5, max_iter: int = 12, target_iter: int = 5,
                    callback=None, progress=None, keep_states: bool = False, verbose: bool = False,
                    perturb=None, rtol: float = 1e-4, secant_predictor: bool = True,
                    ramp: str = "eigenstrain", body_factor: float = 1.0, u0=None) -> NewtonResult:
    """Follow the stable equilibrium path from t = 0 to t_end by Newton's method.

    ramp = "eigenstrain": the load factor t scales the eigenstrain, the body force acts times body_factor
    throughout; ramp = "gravity": the eigenstrain acts in full and t scales the body force (lay the
    curled sample down on the table and let its weight act). u0: starting state (default zero).

    Convergence: the Newton correction below tol times the largest displacement (floor 1e-3 of the
    plate size) and the residual below rtol times the step's first residual (or a correction 1000x
    below tol). callback(t, u, negative
    pivots) is called at each converged step. perturb(u) -> u: when a converged state has negative
    pivots (an unstable branch, e.g. the spherical shape past the bifurcation), Newton is restarted
    from perturb(u) (a push along the bifurcation mode) and the stable state is kept if it is found.
    """
    t0 = time.perf_counter()
    asm = make_assembler(model)
    solver = SymmetricSolver()
    free = model.free
    size = float(np.ptp(model.mesh.p, axis=1).max())
    if ramp not in ("eigenstrain", "gravity"):
        raise ValueError(f"ramp = {ramp!r}: allowed 'eigenstrain' or 'gravity'")
    loads = (lambda t: (t, body_factor)) if ramp == "eigenstrain" else (lambda t: (1.0, t))
    s = {"u": np.zeros(model.ndofs) if u0 is None else np.array(u0, dtype=float), "u_prev": None, "t_prev": None,
         "newton": 0}
    path = [PathPoint(0.0, s["u"].copy() if keep_states else None, 0, 0)]

    def step(t, t_new):
        u, u_prev, t_prev = s["u"], s["u_prev"], s["t_prev"]
        # secant predictor along the path
        if secant_predictor and u_prev is not None and t - t_prev > 0:
            u_try = u + (t_new - t) / (t - t_prev) * (u - u_prev)
        else:
            u_try = u.copy()
        switched, it = False, 0
        try:
            ok, u_try, it, negp = _equilibrium(asm, solver, free, u_try, t_new, tol, max_iter, size, verbose, rtol,
                                               loads)
            s["newton"] += it
            if ok and negp and perturb is not None:
                ok2, u2, it2, negp2 = _equilibrium(asm, solver, free, perturb(u_try.copy()), t_new, tol,
                                                   2 * max_iter, size, verbose, rtol, loads)
                s["newton"] += it2
                if ok2 and negp2 == 0:
                    u_try, negp, switched = u2, 0, True  # new branch: restart the secant predictor
        except (np.linalg.LinAlgError, RuntimeError, ValueError):
            ok = False
        if not ok:
            return False, it
        s["u_prev"], s["t_prev"] = (None, None) if switched else (u, t)
        s["u"] = u_try
        path.append(PathPoint(t_new, u_try.copy() if keep_states else None, it, negp))
        if callback is not None:
            callback(t_new, u_try, negp)
        if progress is not None:
            progress(t_new, it)
        return True, it

    def adapt(dt, it):
        return dt * (1.5 if it <= target_iter else 0.7 if it > target_iter + 2 else 1.0)

    lp = newton.follow_load_path(step, t_end=t_end, dt0=dt0, dt_min=dt_min, dt_max=dt_max, adapt=adapt)
    u, t = s["u"], lp.t
    if not lp.completed:
        msg = (f"Newton failed to converge at load factor {lp.t_failed:.6g} (last converged "
               f"{t:.6g}) after step cuts below {dt_min:g}; the last converged state is returned")
        return NewtonResult(u, t, False, msg, path, time.perf_counter() - t0, s["newton"])
    note = negative_pivot_note([p.t for p in path], [p.negative_pivots for p in path])
    msg = "converged" if not note else f"converged, but {note}"
    return NewtonResult(u, t, True, msg, path, time.perf_counter() - t0, s["newton"])


def lowest_eigenvalue(model: PlateModel, u, t) -> float:
    """Eigenvalue of the free-free tangent closest to zero (sign change = loss of stability).

    Uses a shift-invert Lanczos solve with the full matrix: meant for verification-size models.
    """
    from scipy.sparse.linalg import eigsh
    asm = make_assembler(model)
    _, K = asm.force_and_tangent(u, t)
    Kf = (K + sp.triu(K, 1).T).tocsc()
    scale = float(np.abs(Kf.diagonal()).mean())
    vals = eigsh(Kf / scale, k=1, sigma=0.0, which="LM", return_eigenvectors=False)
    return float(vals[0]) * scale
