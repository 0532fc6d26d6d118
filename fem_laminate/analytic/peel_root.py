"""Root models of the steady peel (analytic/peel.py equations (3) and (4)): where the bonded arm lets the root turn.

WinklerRoot: (3), the end of a semi-infinite elastic beam on the Winkler spring of the layers beneath, intact up
to the crack tip (Hetenyi 1946; KLW 1994). CohesiveRoot: (4), an elastic beam on the softening cohesive zone in
series with that spring (root="cohesive_elastic"). The elastic-plastic zone beam, the default, is
analytic/peel_zone.py. The equations are written out in analytic/peel.py's docstring and docs/theory/peel.md.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq


@dataclass(frozen=True)
class CohesiveLaw:
    """Bilinear traction-separation law of the peeled interface (the toughness is steady_peel's G_c)."""
    strength_Pa: float
    stiffness_Pa_per_m: float = math.inf  # initial stiffness K0 (inf: rigid up to sigma_c; the FEM uses a penalty)


@dataclass(frozen=True)
class ZoneLaw:
    """The bilinear law in series with the Winkler spring k, as the bonded beam feels it (total opening w):
    sigma = k_e w up to the peak sigma_c, then softening(delta_f - w) to zero at delta_f."""
    strength_Pa: float
    k_e: float                # (1/k + 1/K0)^-1
    delta_f: float            # 2 G_c / sigma_c: fully open
    delta_0: float            # sigma_c / K0: the law's own opening at the peak
    brittle_above_Pa: float   # sqrt(2 G_c k_e): above it the softening is unstable against the spring
    valid: bool
    softening: float = math.nan  # s* = s / (1 - s/k), s = sigma_c / (delta_f - delta_0)


def zone_law(k: float, G: float, law: CohesiveLaw) -> ZoneLaw:
    sc, K0 = float(law.strength_Pa), float(law.stiffness_Pa_per_m)
    if not (sc > 0.0 and K0 > 0.0):
        raise ValueError(f"cohesive strength {sc!r} and stiffness {K0!r} must be > 0")
    ke = 1.0 / (1.0 / k + 1.0 / K0) if (math.isfinite(k) or math.isfinite(K0)) else math.inf
    df, d0 = 2.0 * G / sc, sc / K0
    brittle = math.sqrt(2.0 * G * ke) if math.isfinite(ke) else math.inf
    if not (sc < brittle and df > d0):
        return ZoneLaw(sc, ke, df, d0, brittle, False)
    s = sc / (df - d0)
    return ZoneLaw(sc, ke, df, d0, brittle, True, s / (1.0 - s / k) if math.isfinite(k) else s)


class WinklerRoot:
    """(3): semi-infinite elastic beam on the Winkler spring, end loads Q and M0 at the crack tip (Hetenyi)."""
    name = "winkler"

    def __init__(self, EI: float, k: float):
        self.k = k
        self.lam = (k / (4.0 * EI)) ** 0.25 if math.isfinite(k) else math.inf

    def rotation(self, Q, M0):
        if not math.isfinite(self.k):
            return np.zeros_like(np.asarray(Q, dtype=float))
        return 2.0 * self.lam ** 2 / self.k * (Q + 2.0 * self.lam * M0)


class CohesiveRoot:
    """(4), root="cohesive_elastic": elastic beam on the softening zone in series with the Winkler spring, then on
    the spring alone.

    The root depends on the tip shear Q only (the tip moment follows from w(0) = delta_f). The zone states are
    computed once along the zone length c (the linear problem at given c is a 5x5 solve): Q(c) rises from -inf
    to a maximum; for Q on that branch, theta_0(Q) is interpolated. Q beyond the maximum: no steady zone.
    """
    name = "cohesive_elastic"
    N_C, N_X = 400, 240

    def __init__(self, EI: float, k: float, G: float, law: CohesiveLaw):
        z = zone_law(k, G, law)
        self.ke, self.df, self.d0 = z.k_e, z.delta_f, z.delta_0
        self.brittle_above_Pa, self.valid = z.brittle_above_Pa, z.valid
        if not self.valid:
            return
        self.b = b = (z.softening / EI) ** 0.25
        self.EI, self.sp, self.sc = EI, z.softening, z.strength_Pa
        c = np.linspace(1e-3, 0.999, self.N_C) * math.pi / b
        self._tabulate(c)
        # theta_0 falls like sqrt(Q) from the tip slope as Q leaves 0 (the tractions start from 0 at the tip, so
        # x* ~ sqrt(Q)): put the zone length of Q = 0 (a 180 deg peel) in the table, and points graded away from it
        if self.Q[0] < 0.0 < self.Q[-1]:
            j = int(np.searchsorted(self.Q, 0.0))
            c0 = brentq(lambda x: float(self._shear(np.array([x]))[0]), self.c[j - 1], self.c[j], xtol=1e-15)
            dc = 8.0 * (c[1] - c[0])
            graded = c0 + dc * np.concatenate([[0.0], np.geomspace(1e-6, 1.0, 60)])
            self._tabulate(np.unique(np.concatenate([c, graded])))

    def _solve(self, c):
        """Coefficients (A, B, C, D, F) of the zone and spring solutions for each zone length c, given w(0) and
        continuity at c; Q = EI w'''(0) is the output (zone: w = delta_f + A ch + B sh + C cos + D sin of b x)."""
        b, n, ke = self.b, c.size, self.ke
        ch, sh, co, si = np.cosh(b * c), np.sinh(b * c), np.cos(b * c), np.sin(b * c)
        z, o = np.zeros(n), np.ones(n)
        if math.isfinite(ke):  # spring part: w = exp(-l (x-c)) (E cos + F sin), E = sigma_c / k_e
            lam, E = (ke / (4.0 * self.EI)) ** 0.25, self.sc / ke
            rows = [[ch, sh, co, si, z], [b * sh, b * ch, -b * si, b * co, -lam * o],
                    [b * b * ch, b * b * sh, -b * b * co, -b * b * si, 2 * lam ** 2 * o],
                    [b ** 3 * sh, b ** 3 * ch, b ** 3 * si, -b ** 3 * co, -2 * lam ** 3 * o], [o, z, o, z, z]]
            rhs = [E - self.df, -lam * E, 0.0, 2 * lam ** 3 * E, 0.0]
        else:  # rigid foundation and rigid law: clamped flat beyond c (w = w' = w'' = 0; a point reaction)
            lam = E = math.inf
            rows = [[ch, sh, co, si, z], [b * sh, b * ch, -b * si, b * co, z],
                    [b * b * ch, b * b * sh, -b * b * co, -b * b * si, z], [z, z, z, z, o], [o, z, o, z, z]]
            rhs = [-self.df, 0.0, 0.0, 0.0, 0.0]
        R = np.array(rows).transpose(2, 0, 1)
        coef = np.linalg.solve(R, np.broadcast_to(np.array(rhs), (n, 5))[..., None])[..., 0]
        return coef, lam, E

    def _shear(self, c):
        coef = self._solve(c)[0]
        return self.EI * self.b ** 3 * (coef[:, 1] - coef[:, 3])

    def _tabulate(self, c):
        coef, lam, E = self._solve(c)
        A, B, C, D, F = coef.T
        b, EI = self.b, self.EI
        Q = EI * b ** 3 * (B - D)
        top = int(np.argmax(Q))
        rising = np.flatnonzero(np.diff(Q[: top + 1]) > 0)
        i0 = int(rising[0]) if rising.size else top
        sl = slice(i0, top + 1)
        A, B, C, D, F, c, Q = A[sl], B[sl], C[sl], D[sl], F[sl], c[sl], Q[sl]
        t = np.linspace(0.0, 1.0, self.N_X)[None, :]
        x = c[:, None] * t
        fz = lambda f: f(A[:, None], B[:, None], C[:, None], D[:, None], b * x)  # noqa: E731
        w = fz(lambda A, B, C, D, u: self.df + A * np.cosh(u) + B * np.sinh(u) + C * np.cos(u) + D * np.sin(u))
        wp = fz(lambda A, B, C, D, u: b * (A * np.sinh(u) + B * np.cosh(u) - C * np.sin(u) + D * np.cos(u)))
        M = fz(lambda A, B, C, D, u: EI * b * b * (A * np.cosh(u) + B * np.sinh(u) - C * np.cos(u) - D * np.sin(u)))
        sig = self.sp * (self.df - w)
        if math.isfinite(lam):  # the spring part, to 8 / lambda past the zone
            xe = np.linspace(0.0, 8.0 / lam, self.N_X)[None, 1:]
            e, cs, sn = np.exp(-lam * xe), np.cos(lam * xe), np.sin(lam * xe)
            we = e * (E * cs + F[:, None] * sn)
            wpe = lam * e * (-(E - F[:, None]) * cs - (E + F[:, None]) * sn)
            Me = EI * 2 * lam ** 2 * e * (-F[:, None] * cs + E * sn)
            x, wp, M = np.hstack([x, c[:, None] + xe]), np.hstack([wp, wpe]), np.hstack([M, Me])
            sig = np.hstack([sig, self.ke * we])
        S = np.concatenate([np.zeros((c.size, 1)), np.cumsum(0.5 * (sig[:, 1:] + sig[:, :-1]) * np.diff(x), 1)], 1)
        g = np.abs(wp) * sig
        T = np.concatenate([np.zeros((c.size, 1)), np.cumsum(0.5 * (g[:, 1:] + g[:, :-1]) * np.diff(x), 1)], 1)
        # the section of peak moment x*: V = Q - Int_0^x sigma = 0 (x* = 0 when Q <= 0: the moment peaks at the tip)
        past = S >= np.maximum(Q, 0.0)[:, None]
        j = np.where(past.any(1), np.argmax(past, 1), S.shape[1] - 1)
        jm = np.maximum(j - 1, 0)
        r = np.arange(c.size)
        dS = S[r, j] - S[r, jm]
        f = np.where(dS > 0, (np.maximum(Q, 0.0) - S[r, jm]) / np.where(dS > 0, dS, 1.0), 0.0)
        Tstar = T[r, jm] + f * (T[r, j] - T[r, jm])
        tip = -wp[:, 0]
        self.Q, self.c = Q, c
        self.theta0 = np.where(Q > 1e-9 * EI * b ** 3 * self.df, Tstar / np.where(Q > 0, Q, 1.0), tip)
        self.tip = tip
        self.M_peak = M[r, jm] + f * (M[r, j] - M[r, jm])
        self.M_tip = M[:, 0]
        self.traction_sum = S[:, -1]  # Int sigma dx over the zone and 8/lambda of spring: = Q (equilibrium check)

    def covers(self, Q) -> bool:
        return self.valid and bool(np.all(np.asarray(Q) <= self.Q[-1]))

    def rotation(self, Q, M0=None):
        return np.interp(Q, self.Q, self.theta0)

    def state(self, Q) -> dict:
        """Zone length, tip slope and the bonded beam's peak moment at tip shear Q."""
        return {"zone_length_m": float(np.interp(Q, self.Q, self.c)),
                "crack_tip_rotation_rad": float(np.interp(Q, self.Q, self.tip)),
                "zone_peak_moment_N": float(np.interp(Q, self.Q, self.M_peak))}
