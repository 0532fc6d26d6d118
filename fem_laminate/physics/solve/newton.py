"""One Newton method with load-step control, for every nonlinear solve (nip contact, large deflection).

Two pieces, each small:

- `newton(u, evaluate, correct, ...)`: Newton iterations at a fixed load. `evaluate(u)` gives a `Point`
  (the residual R(u) and whatever the tangent needs), `correct(point)` solves K du = -R. Convergence is
  tested on the residual before a correction (`converged_at`) and/or on the correction after it
  (`converged_after`, which may also call the iteration diverged); an optional `line_search` scales the
  correction. The negative pivots of the last factorisation come back with the result (`inertia`).
- `follow_load_path(step, ...)`: drives a load factor t from 0 to t_end. `step(t, t_new)` solves at t_new
  from the converged state at t and returns (converged, iterations); the caller keeps its own state and
  commits it on success. A failed step is cut in half (from the last converged t), either at most
  `max_cuts` times in all or down to `dt_min`; steps go through fixed `targets` or grow/shrink with the
  iteration count (`adapt`); an optional `until(t)` ends the path early after a converged step (an
  open-ended path such as a peel pulled until its force levels off: `t_end` may be inf).

The nip contact (physics/models/contact.py) uses fixed geometric load targets, a residual test with a stable
active set and a backtracking line search; the large-deflection plate (physics/models/large_deflection.py) uses
adaptive steps, tests on correction and residual and reports the inertia of the tangent.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

CONVERGED, DIVERGED = "converged", "diverged"


def norm(v: np.ndarray) -> float:
    """Euclidean norm without BLAS (a threaded dot is slow on a busy 2-core machine)."""
    return math.sqrt(float(np.sum(v * v)))


@dataclass
class Point:
    """An evaluated iterate: its residual and what the correction needs (tangent pieces, state)."""
    residual: np.ndarray
    data: Any = None


@dataclass
class NewtonResult:
    converged: bool
    u: np.ndarray
    iterations: int  # corrections computed (linear solves)
    point: Point | None  # the evaluation at u, when it was made
    residual_norm: float  # of the last evaluated iterate
    negative_pivots: int | None = None  # of the last factorised tangent, when the solver knows it


def newton(u: np.ndarray, evaluate: Callable[[np.ndarray], Point], correct: Callable[[Point], np.ndarray], *,
           max_iter: int, converged_at: Callable | None = None, converged_after: Callable | None = None,
           line_search: Callable | None = None, inertia: Callable[[], int | None] | None = None,
           residual_norm: Callable[[np.ndarray], float] = norm,
           on_iteration: Callable | None = None) -> NewtonResult:
    """Newton iterations from u at a fixed load.

    converged_at(k, |R|, point) -> bool: tested before the k-th correction (k = 0, 1, ...);
    converged_after(k, u, du, |R|, |R_0|) -> CONVERGED | DIVERGED | None: tested after the k-th correction
    (k = 1, 2, ...), |R| being the residual the correction was computed from;
    line_search(u, du, point, |R|, k) -> (u_new, point at u_new): a scaled step instead of u + du;
    on_iteration(k, |R|, point): progress report before each test.
    """
    point, r0, rn, negp = None, None, math.inf, None
    for k in range(max_iter):
        if point is None:
            point = evaluate(u)
        rn = residual_norm(point.residual)
        r0 = max(rn, 1e-300) if r0 is None else r0
        if on_iteration is not None:
            on_iteration(k, rn, point)
        if converged_at is not None and converged_at(k, rn, point):
            return NewtonResult(True, u, k, point, rn, negp)
        du = correct(point)
        negp = inertia() if inertia is not None else None
        if not np.all(np.isfinite(du)):
            return NewtonResult(False, u, k + 1, point, rn, negp)
        if line_search is not None:
            u, point = line_search(u, du, point, rn, k)
        else:
            u, point = u + du, None
        verdict = converged_after(k + 1, u, du, rn, r0) if converged_after is not None else None
        if verdict == CONVERGED:
            return NewtonResult(True, u, k + 1, point, rn, negp)
        if verdict == DIVERGED:
            return NewtonResult(False, u, k + 1, point, rn, negp)
    return NewtonResult(False, u, max_iter, point, rn, negp)


@dataclass
class LoadPath:
    completed: bool
    t: float  # last converged load factor
    t_failed: float | None = None  # the load factor of the last failed attempt when not completed
    cuts: int = 0


def follow_load_path(step: Callable[[float, float], tuple[bool, int]], *, t_end: float = 1.0,
                     dt0: float | None = None, targets=None, dt_min: float = 0.0, dt_max: float = math.inf,
                     max_cuts: int | None = None, adapt: Callable[[float, int], float] | None = None,
                     until: Callable[[float], bool] | None = None) -> LoadPath:
    """Load stepping from t = 0 to t_end with step cutting on failure.

    targets: load factors to pass through in order (the last one is the end); otherwise steps of dt0,
    changed after each converged step to min(adapt(dt, iterations), dt_max). A failed step to t_new is
    retried at the midpoint of (t, t_new); the path ends unfinished when the cuts exceed max_cuts or the
    step falls below dt_min. until(t) -> True after a converged step (stepping by dt0 only) ends the path
    there, completed.
    """
    t, cuts = 0.0, 0
    if targets is not None:
        pending = [float(x) for x in targets]
        while pending:
            t_new = pending[0]
            ok, _ = step(t, t_new)
            if ok:
                t = t_new
                pending.pop(0)
                continue
            cuts += 1
            if max_cuts is not None and cuts > max_cuts:
                return LoadPath(False, t, t_new, cuts)
            pending.insert(0, 0.5 * (t + t_new))
        return LoadPath(True, t, None, cuts)
    dt = min(dt0, t_end)
    while t < t_end * (1 - 1e-12):
        dt = min(dt, t_end - t)
        t_new = t + dt
        ok, iterations = step(t, t_new)
        if ok:
            t = t_new
            if until is not None and until(t):
                return LoadPath(True, t, None, cuts)
            dt = min(adapt(dt, iterations) if adapt is not None else dt, dt_max)
            continue
        cuts += 1
        dt *= 0.5
        if dt < dt_min or (max_cuts is not None and cuts > max_cuts):
            return LoadPath(False, t, t_new, cuts)
    return LoadPath(True, t, None, cuts)
