"""Closed forms for the roll nip: line contact and transient conduction.

They serve the verification tests, the documentation and the cheap ``method="analytic"`` nip path.
All arguments SI (N/m for line loads, m, Pa, s, K or C).

References
- Hertz line contact (two cylinders, plane strain): K. L. Johnson, Contact Mechanics (CUP 1985), eqs. 4.43-4.45.
- Thin compressible layer bonded to a rigid base (elastic-foundation limit, layer thin against the
  contact width, nu not close to 1/2): Johnson (1985) Ch. 5 (thin layer / Winkler foundation):
  p(x) = (M / h) (delta - x^2 / 2R), M = E (1 - nu) / ((1 + nu)(1 - 2 nu)).
- Semi-infinite solid, step surface temperature and surface convection: Carslaw & Jaeger, Conduction of Heat
  in Solids (1959) 2.5 and 2.7.
- Composite slab, eigenfunction series: M. N. Ozisik, Heat Conduction (1993) Ch. 10 (orthogonal expansion with
  weight rho*c, eigenvalues from continuity of T and k dT/dz).
"""
from __future__ import annotations

import math

import numpy as np
from scipy.optimize import brentq
from scipy.special import erf, erfcx


# --------------------------------------------------------------------------------- contact mechanics
def hertz_line_contact(load_N_per_m: float, R1_m: float, R2_m: float, E1_Pa: float, nu1: float,
                       E2_Pa: float, nu2: float) -> tuple[float, float]:
    """Half-width a (m) and peak pressure p0 (Pa) of two parallel elastic cylinders (Johnson 4.43-4.45).

    A radius of math.inf is a flat; a modulus of math.inf is a rigid body.
    """
    inv_R = (0.0 if math.isinf(R1_m) else 1.0 / R1_m) + (0.0 if math.isinf(R2_m) else 1.0 / R2_m)
    inv_E = (0.0 if math.isinf(E1_Pa) else (1 - nu1 ** 2) / E1_Pa) + (0.0 if math.isinf(E2_Pa) else (1 - nu2 ** 2) / E2_Pa)
    R, E_star = 1.0 / inv_R, 1.0 / inv_E
    a = math.sqrt(4.0 * load_N_per_m * R / (math.pi * E_star))
    return a, 2.0 * load_N_per_m / (math.pi * a)


def hertz_pressure(x_m, a_m: float, p0_Pa: float):
    """Elliptical Hertz pressure p0 sqrt(1 - x^2/a^2), zero outside |x| < a."""
    x = np.asarray(x_m, dtype=float)
    return p0_Pa * np.sqrt(np.clip(1.0 - (x / a_m) ** 2, 0.0, None))


def oedometric_modulus(E_Pa: float, nu: float) -> float:
    """Uniaxial-strain (confined) modulus M = K + 4G/3."""
    return E_Pa * (1 - nu) / ((1 + nu) * (1 - 2 * nu))


def thin_layer_contact(load_N_per_m: float, R_m: float, thickness_m: float, E_Pa: float,
                       nu: float) -> tuple[float, float]:
    """Rigid cylinder on a thin compressible layer bonded to a rigid base (Winkler limit, Johnson Ch. 5).

    p(x) = M (a^2 - x^2) / (2 R h); the load P = 2 M a^3 / (3 R h) gives a; returns (a, p0).
    """
    M = oedometric_modulus(E_Pa, nu)
    a = (1.5 * load_N_per_m * R_m * thickness_m / M) ** (1.0 / 3.0)
    return a, M * a * a / (2.0 * R_m * thickness_m)


def compliant_strip_contact(load_N_per_m: float, R_m: float, E_star_Pa: float, strip_compliance_m_per_Pa: float,
                            n: int = 121) -> tuple[np.ndarray, np.ndarray]:
    """Two elastic half-spaces (combined plane-strain modulus E*, combined radius R) squeezing a thin strip
    modelled as a Winkler layer of compliance c = sum(h_i / M_i) (m/Pa).

    Solves the discretised integral equation
        (2 / (pi E*)) * int p(s) ln|x - s| ds ... + c p(x) = delta - x^2 / 2R  where p > 0,  int p = load
    with piecewise-constant pressure on a uniform grid and an active-set loop.  c = 0 reproduces Hertz to about
    0.5 % with n = 121.  Returns (x_m, pressure_Pa) on the grid (symmetric about 0).
    """
    a_h, _ = hertz_line_contact(load_N_per_m, 2 * R_m, 2 * R_m, 2 * E_star_Pa, 0.0, 2 * E_star_Pa, 0.0)
    # the strip widens the contact: start from the larger of the Hertz and Winkler-only half-widths
    a_w = (1.5 * load_N_per_m * R_m * strip_compliance_m_per_Pa) ** (1.0 / 3.0) if strip_compliance_m_per_Pa > 0 else 0.0
    L = 1.3 * max(a_h, a_w)
    for _ in range(10):
        x, p = _strip_contact_on_grid(load_N_per_m, R_m, E_star_Pa, strip_compliance_m_per_Pa, L, n,
                                      0.9 * max(a_h, a_w))
        if p[-1] == 0.0 and p[-2] == 0.0:
            return x, p
        L *= 1.5  # the contact reached the end of the grid: widen it
    raise RuntimeError("compliant_strip_contact: contact wider than the search window")


def _strip_contact_on_grid(load_N_per_m, R_m, E_star_Pa, c_strip, L, n, a0):
    x = np.linspace(-L, L, n)
    b = 0.5 * (x[1] - x[0])

    def F(t):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(t == 0.0, 0.0, t * np.log(np.abs(t)) - t)

    d = x[:, None] - x[None, :]
    # displacement (approach) at x_i from unit pressure on cell j; the log kernel is defined up to a constant,
    # which the unknown approach delta absorbs
    C = -(2.0 / (math.pi * E_star_Pa)) * (F(d + b) - F(d - b)) + c_strip * np.eye(n)
    g0 = x * x / (2.0 * R_m)
    active = np.abs(x) < min(a0, 0.9 * L)
    for _ in range(100):
        idx = np.flatnonzero(active)
        m = len(idx)
        A = np.zeros((m + 1, m + 1))
        A[:m, :m] = C[np.ix_(idx, idx)]
        A[:m, m] = -1.0
        A[m, :m] = 2 * b
        sol = np.linalg.solve(A, np.concatenate([-g0[idx], [load_N_per_m]]))
        p = np.zeros(n)
        p[idx] = sol[:m]
        gap = C @ p - sol[m] + g0  # > 0 where the surfaces separate
        new_active = (p > 0) & active | (~active & (gap < 0))
        if np.array_equal(new_active, active):
            break
        active = new_active
    return x, np.clip(p, 0.0, None)


# ---------------------------------------------------------------------------------------- conduction
def semi_infinite_step(z_m, t_s: float, alpha_m2_per_s: float, T0: float, Ts: float):
    """Surface held at Ts from t = 0, initial T0: T = Ts + (T0 - Ts) erf(z / 2 sqrt(alpha t))."""
    z = np.asarray(z_m, dtype=float)
    return Ts + (T0 - Ts) * erf(z / (2.0 * math.sqrt(alpha_m2_per_s * t_s)))


def semi_infinite_convection(z_m, t_s: float, k_W_per_mK: float, alpha_m2_per_s: float, h_W_per_m2K: float,
                             T0: float, T_inf: float):
    """Surface exchanging heat with T_inf through conductance h (Carslaw & Jaeger 2.7)."""
    z = np.asarray(z_m, dtype=float)
    s = math.sqrt(alpha_m2_per_s * t_s)
    eta = z / (2 * s)
    B = eta + h_W_per_m2K * s / k_W_per_mK
    # exp(hz/k + h^2 alpha t / k^2) erfc(B) = exp(-eta^2) erfcx(B)  (stable form)
    theta = np.exp(-eta * eta) * (erfcx(eta) - erfcx(B))
    return T0 + (T_inf - T0) * theta


def _slab_transfer(beta: float, layers) -> tuple[np.ndarray, list[np.ndarray]]:
    """Transfer of the state (X, k X') through the layers for eigenvalue beta; returns final and per-layer start states."""
    state = np.array([0.0, 1.0])  # X(0) = 0 (Dirichlet), k X'(0) = 1 (normalisation)
    starts = []
    for k, rc, h in layers:
        starts.append(state.copy())
        lam = beta * math.sqrt(rc / k)
        c, s = math.cos(lam * h), math.sin(lam * h)
        X0, q0 = state
        state = np.array([X0 * c + q0 * s / (k * lam), -X0 * k * lam * s + q0 * c])
    return state, starts


def layered_slab_series(z_m, t_s: float, layers, T0: float, Ts: float, n_terms: int = 60):
    """Composite slab (layers bottom-up as (k, rho*c, thickness)), uniform T0 at t = 0, both faces held at Ts.

    Orthogonal eigenfunction expansion (Ozisik Ch. 10): T = Ts + sum c_n X_n(z) exp(-beta_n^2 t),
    X_n = A cos(lam_i z') + B sin(lam_i z') in layer i with lam_i = beta sqrt(rho c / k)_i; the eigenvalues are the
    roots of X(H; beta) = 0, bracketed on a fine scan.
    """
    z = np.asarray(z_m, dtype=float)
    H = sum(h for _, _, h in layers)
    tau = sum(h * math.sqrt(rc / k) for k, rc, h in layers)  # beta spacing ~ pi / tau
    f = lambda b: _slab_transfer(b, layers)[0][0]
    grid = np.linspace(1e-9, (n_terms + 2) * math.pi / tau * 1.5, 40 * (n_terms + 2))
    vals = np.array([f(b) for b in grid])
    roots = [brentq(f, grid[i], grid[i + 1]) for i in range(len(grid) - 1) if vals[i] * vals[i + 1] < 0][:n_terms]
    bounds = np.concatenate([[0.0], np.cumsum([h for _, _, h in layers])])

    def X(beta, zz):
        _, starts = _slab_transfer(beta, layers)
        out = np.zeros_like(zz)
        for i, (k, rc, h) in enumerate(layers):
            lam = beta * math.sqrt(rc / k)
            X0, q0 = starts[i]
            zl = zz - bounds[i]
            m = (zz >= bounds[i]) & (zz <= bounds[i + 1])
            out[m] = X0 * np.cos(lam * zl[m]) + q0 * np.sin(lam * zl[m]) / (k * lam)
        return out

    zq = np.linspace(0.0, H, 4001)
    w_rc = np.zeros_like(zq)
    for i, (k, rc, h) in enumerate(layers):
        w_rc[(zq >= bounds[i]) & (zq <= bounds[i + 1])] = rc
    T = np.full_like(z, Ts, dtype=float)
    for beta in roots:
        Xq = X(beta, zq)
        cn = (T0 - Ts) * np.trapezoid(w_rc * Xq, zq) / np.trapezoid(w_rc * Xq * Xq, zq)
        T += cn * X(beta, z) * math.exp(-beta * beta * t_s)
    return T
