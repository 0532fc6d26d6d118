"""The root of a peel with a softening interface: the arm's own (elastic-plastic) beam on the cohesive zone.

Ahead of the traction-free crack tip the arm is still bonded: a beam (x >= 0 ahead of the tip, opening w, small
slopes) on the bilinear cohesive law in series with the Winkler spring of the layers beneath,

    M' = V + N w',   V' = -sigma(w),   w'' = kappa(M, history),   N = P cos(theta) (axial force, tension > 0),
    sigma = k_e w  (w <= w_p = sigma_c / k_e),   s* (delta_f - w)  (w_p < w < delta_f),   0 beyond,

with delta_f = 2 G_c / sigma_c, s = sigma_c / (delta_f - sigma_c / K0), s* = s / (1 - s/k) and k_e = (1/k + 1/K0)^-1
(analytic/peel.py). N is the pull's component along the bonded arm, carried through the zone (the copper's shear-lag
length on the polyimide, ~0.3 mm, is longer than the zone): compression at 180 deg, none at 90 deg; with it the zone
and the free arm's first integral agree (J below). Unlike the elastic zone beam of peel_root.CohesiveRoot, kappa(M)
follows the arm's section: the loading branch of the fibre law (Section.cycle) while the moment grows, elastic
unloading from the largest moment a section has carried once it falls. A material section travels from far ahead (straight) toward the tip, so the
equations are integrated in that direction, from the decaying elastic solution far ahead (one free phase psi), to
the section where the law is fully open, w = delta_f: that is the tip, where the shear is the tip load Q.
This beam conserves J = Int kappa dM - V w' - N w'^2/2 - Int sigma dw along x (for the loading branch), so at
Q = 0 the arm enters the tip with Int kappa dM = G_c + N w'(0)^2/2, the free arm's first integral (2) to second
order in the root rotation (checked in the tests).

What the peel needs from it is the largest curvature a section of the arm reaches, kappa_peak(Q) (at x*, where
V = 0): every fibre then runs the cycle straight -> kappa_peak -> straight, and the energy balance (1) of
analytic/peel.py gives the force without the arm's first integral or a root rotation. The root rotation reported
is the traction-weighted slope between the tip and x* (equation (4) of analytic/peel.py).
Derived here; the FEM of physics/models/peel.py is its check (docs/theory/peel.md).
"""
from __future__ import annotations

import math

import numpy as np

from .peel_root import zone_law


class ZoneBeam:
    """Elastic-plastic bonded arm on the cohesive zone + Winkler spring: kappa_peak, theta_0, zone length vs Q."""
    name = "cohesive"
    MAX_STEPS = 8000
    START, LENGTH = 0.01, 16.0  # far-field amplitude / w_p, and the longest shot in units of 1/lambda
    N_PSI = 384  # phases of the far solution (~180 on the branch that reaches the tip): the force to ~1e-3

    def __init__(self, section, k: float, G: float, law, N: float = 0.0):
        z = zone_law(k, G, law)
        self.ke, self.df, self.d0 = z.k_e, z.delta_f, z.delta_0
        self.brittle_above_Pa, self.valid = z.brittle_above_Pa, z.valid
        # a rigid law on a rigid base (k_e = inf) has no decaying far field to shoot from: the step h would be 0
        self.rigid = not math.isfinite(self.ke)
        if not self.valid or self.rigid:
            self.valid = False
            return
        self.sp, self.sc, self.wp = z.softening, z.strength_Pa, z.strength_Pa / z.k_e
        self.EI, self.N = section.EI, float(N)
        self.lam = (self.ke / (4.0 * self.EI)) ** 0.25
        self.k_L, self.M_L = section.loading_branch  # tabulated once per section (the N iteration rebuilds zones)
        self.elastic = not math.isfinite(section.kappa_e)
        EIt = max(float(np.min(np.diff(self.M_L) / np.diff(self.k_L))), 1e-4 * self.EI)
        scale = min((self.EI / self.sp) ** 0.25, (EIt / self.sp) ** 0.25 * 4.0, 1.0 / self.lam)
        # RK4 step: ~75 per length of the softening beam (the force moves by < 1e-4 from 75 to 300), at most
        # MAX_STEPS over the LENGTH/lambda of the shot (a zone much shorter than the spring's length, near the
        # brittle limit, is then under-resolved, but it no longer matters: the root is the spring's)
        self.h = max(scale / 75.0, self.LENGTH / self.lam / self.MAX_STEPS)
        self._tabulate()

    # -- the section (loading branch M_L(kappa), elastic unloading) and the law ----------------------------------
    def kappa(self, M, M_max, k_max):
        if self.elastic:
            return M / self.EI
        loading = np.where(M > 0.0, np.interp(np.maximum(M, 0.0), self.M_L, self.k_L), M / self.EI)
        return np.where(M >= M_max, loading, k_max - (M_max - M) / self.EI)

    def sigma(self, w):
        return np.minimum(self.ke * w, np.maximum(self.sp * (self.df - w), 0.0))  # the bilinear law (and w < 0)

    # -- shooting from far ahead to the tip -----------------------------------------------------------------
    def _shoot(self, psi):
        """For each phase psi of the far decaying solution: (Q, kappa_peak, M_peak, theta_0, tip slope, c, M_tip);
        NaN rows for the phases that never open the law fully."""
        lam, EI, h = self.lam, self.EI, self.h
        # far ahead: amplitude START x w_p, where the moment (~ START sigma_c (EI/4k)^1/2) is far below yield
        a, b = self.START * self.wp * np.cos(psi), self.START * self.wp * np.sin(psi)
        y = [a, lam * (b - a), -2.0 * EI * lam ** 2 * b, 2.0 * EI * lam ** 3 * (a + b)]  # w, w', M, V at x0
        M_max = np.maximum(y[2], 0.0)
        k_max = self.kappa(M_max, M_max, M_max)  # on the loading branch

        def rhs(w, wp, M, V):  # d/ds, s = x0 - x: toward the tip
            return -wp, -self.kappa(M, M_max, k_max), -(V + self.N * wp), self.sigma(w)

        hist = [np.array([*y, self.kappa(y[2], M_max, k_max)])]
        for _ in range(int(self.LENGTH / lam / h)):
            k1 = rhs(*y)
            k2 = rhs(*[u + 0.5 * h * d for u, d in zip(y, k1)])
            k3 = rhs(*[u + 0.5 * h * d for u, d in zip(y, k2)])
            k4 = rhs(*[u + h * d for u, d in zip(y, k3)])
            y = [u + h / 6.0 * (d1 + 2 * d2 + 2 * d3 + d4) for u, d1, d2, d3, d4 in zip(y, k1, k2, k3, k4)]
            up = y[2] > M_max
            k_max = np.where(up, self.kappa(y[2], y[2], k_max), k_max)
            M_max = np.where(up, y[2], M_max)
            hist.append(np.array([*y, self.kappa(y[2], M_max, k_max)]))
            if np.all((y[0] >= self.df) | (y[0] < -self.df)):  # at the tip, or crushing the foundation: off branch
                break
        H = np.array(hist)  # (steps, 5, n): w, w', M, V, kappa
        out = np.full((psi.size, 7), np.nan)
        for j in range(psi.size):
            hit = np.flatnonzero(H[:, 0, j] >= self.df)
            crushed = np.flatnonzero(H[:, 0, j] < -self.df)
            if not hit.size or (crushed.size and crushed[0] < hit[0]):
                continue
            w, wp, M, V, kap = H[: hit[0] + 1, :, j][::-1].T  # from the tip (x = 0) ahead, step h
            sig = self.sigma(w)
            i = int(np.argmax(M))  # x*: the section of peak moment (V = 0)
            S = np.sum(0.5 * (sig[1:i + 1] + sig[:i]) * h)
            g = np.abs(wp) * sig
            T = np.sum(0.5 * (g[1:i + 1] + g[:i]) * h)
            zone = np.flatnonzero(w >= self.wp)
            M_pk, k_pk = M[i], kap[i]
            if 0 < i < M.size - 1:  # the peak between the steps (parabola): kappa_peak smooth in Q
                d2 = M[i - 1] - 2.0 * M[i] + M[i + 1]
                M_pk = M[i] - 0.125 * (M[i + 1] - M[i - 1]) ** 2 / d2 if d2 < 0.0 else M[i]
                k_pk = float(self.kappa(np.array(M_pk), np.array(M_pk), np.array(0.0)))
            out[j] = [V[0], k_pk, M_pk, T / S if S > 0.0 else -wp[0], -wp[0], zone[-1] * h if zone.size else 0.0,
                      M[0]]
        return out

    def _tabulate(self):
        tab = self._shoot(np.linspace(0.0, 2.0 * math.pi, self.N_PSI, endpoint=False))
        Q = tab[:, 0]
        if np.count_nonzero(np.isfinite(Q)) < 8:
            self.valid = False
            return
        # the steady branch: consecutive phases (cyclic) along which Q rises to its largest value
        top = int(np.nanargmax(Q))
        rows = [top]
        while len(rows) < Q.size and np.isfinite(Q[rows[-1] - 1]) and Q[rows[-1] - 1] < Q[rows[-1]]:
            rows.append(rows[-1] - 1)
        tab = tab[np.array(rows[::-1]) % Q.size]
        # a branch that never carries a positive tip shear is no steady zone (a foundation so stiff that the
        # shooting's far field is below the step: k ~ 1e18 N/m^3); the caller falls back to the Winkler root
        self.valid = tab.shape[0] >= 8 and bool(tab[-1, 0] > 0.0)
        self.Q, self.kappa_peak, self.M_peak, self.theta0, self.tip, self.c, self.M_tip = tab.T

    def covers(self, Q) -> bool:
        return self.valid and bool(np.all(np.asarray(Q) <= self.Q[-1]))

    def peak_curvature(self, Q):
        return np.interp(Q, self.Q, self.kappa_peak)

    def rotation(self, Q, M0=None):
        return np.interp(Q, self.Q, self.theta0)

    def state(self, Q) -> dict:
        return {"zone_length_m": float(np.interp(Q, self.Q, self.c)),
                "crack_tip_rotation_rad": float(np.interp(Q, self.Q, self.tip)),
                "zone_peak_moment_N": float(np.interp(Q, self.Q, self.M_peak)),
                "tip_moment_N": float(np.interp(Q, self.Q, self.M_tip))}
