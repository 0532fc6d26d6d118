"""Temperature and time paths: where the increments of a temperature change or a hold end.

Pure functions of the temperatures, the glass transitions present and the laws' own stepping hints
(`Law.subdivisions`, `Law.hold_steps`, `Law.max_time_step`); the laminate model walks the paths they return.
"""
from __future__ import annotations

import numpy as np


def temperature_path(Ta: float, T_to: float, tgs: list[float], max_step_K: float = 25.0) -> np.ndarray:
    """Increment end temperatures from Ta to T_to for a path-independent (elastic) laminate.

    The total form is path-independent wherever no layer relaxes, so steps are needed only where a present
    thermoplastic layer is at or above its Tg (every step there relaxes it), and a step lands exactly on
    each Tg crossed so that the layer becomes stress-free at Tg.
    """
    if T_to == Ta:
        return np.array([T_to])
    lo, hi = min(Ta, T_to), max(Ta, T_to)
    pts = [T_to]
    if tgs:
        n = max(1, int(np.ceil((hi - lo) / max_step_K)))
        grid = np.linspace(Ta, T_to, n + 1)[1:]
        pts += [t for t in grid if t >= min(tgs)]
        pts += [tg for tg in tgs if lo < tg < hi]
    pts = np.unique(np.round(pts, 9))
    return pts[::-1] if T_to < Ta else pts


def history_path(Ta: float, T_to: float, tgs: list[float], max_step_K: float, seconds: float,
                 subdivisions) -> np.ndarray:
    """Increment end temperatures for a path-dependent laminate: at most max_step_K each, landing on every Tg
    crossed, each cut into `subdivisions(Ta, Tb, dt)` equal parts (the laws' accuracy: e.g. a Prony series wants
    its shift factor to change by at most a decade within one increment)."""
    lo, hi = min(Ta, T_to), max(Ta, T_to)
    n = max(1, int(np.ceil((hi - lo) / max_step_K)))
    pts = list(np.linspace(Ta, T_to, n + 1)[1:])
    pts += [tg for tg in tgs if lo < tg < hi]
    pts = np.unique(np.round(pts, 9))
    pts = pts[::-1] if T_to < Ta else pts
    out, prev = [], Ta
    for Tb in pts:
        dt = seconds * abs(float(Tb) - prev) / abs(T_to - Ta)
        k = subdivisions(prev, float(Tb), dt)
        out += list(np.linspace(prev, Tb, k + 1)[1:])
        prev = float(Tb)
    return np.array(out)


def humidity_chunks(seconds: float, chunks: int, relaxing: bool) -> np.ndarray:
    """Intervals of a humid hold: log-spaced when something relaxes meanwhile (one otherwise: the elastic response
    to the water is path independent)."""
    if relaxing and chunks > 1 and seconds > 0:
        t = np.concatenate([[0.0], np.geomspace(seconds * 10.0 ** -(chunks - 1), seconds, chunks)])
        return np.diff(t)
    return np.array([seconds])
