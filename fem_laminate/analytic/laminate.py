"""Closed-form references for the layered thermoelastic core (tests and the README's verification section).

Sign convention throughout fem_laminate: curvature is positive when the TOP layer is on the concave side
(the sample "smiles", its ends lift). Layers are listed bottom-up; `e` is each layer's free (eigen)strain and
`E` its effective modulus: E/(1-nu) for an equi-biaxial plate (or the 2D model with free out-of-plane
bending), E/(1-nu^2) for classical plane strain (then e = (1+nu)·alpha·dT).
"""
from __future__ import annotations

import numpy as np


def biaxial_modulus(E, nu):
    return np.asarray(E, float) / (1.0 - np.asarray(nu, float))


def plane_strain_modulus(E, nu):
    return np.asarray(E, float) / (1.0 - np.asarray(nu, float) ** 2)


def multilayer_strain(E, t, e) -> tuple[float, float]:
    """Uniform strain c and curvature k of a free multilayer beam/plate with strain eps(z) = c - k z.

    Solves force and moment equilibrium directly (2x2 system); z from the bottom.
    """
    E, t, e = (np.asarray(a, float) for a in (E, t, e))
    z = np.concatenate([[0.0], np.cumsum(t)])
    z0, z1 = z[:-1], z[1:]
    A = np.sum(E * t)
    Bm = np.sum(E * (z1**2 - z0**2) / 2)
    Dm = np.sum(E * (z1**3 - z0**3) / 3)
    P = np.sum(E * e * t)
    Q = np.sum(E * e * (z1**2 - z0**2) / 2)
    c, k = np.linalg.solve([[A, -Bm], [Bm, -Dm]], [P, Q])
    return float(c), float(k)


def hsueh_curvature(E, t, e) -> float:
    """Hsueh's closed form for an n-layer system (C.H. Hsueh, Thin Solid Films 418 (2002) 182, eqs. 6-8).

    c = sum E_i t_i e_i / sum E_i t_i ;  t_b = sum E_i t_i (2 h_{i-1} + t_i) / (2 sum E_i t_i) ;
    1/r = 3 sum E_i t_i (c - e_i)(2 h_{i-1} + t_i) /
          sum E_i t_i [6 h_{i-1}^2 + 6 h_{i-1} t_i + 2 t_i^2 - 3 t_b (2 h_{i-1} + t_i)]
    with h_{i-1} the height of the bottom of layer i. Returned with our sign (top concave positive).
    """
    E, t, e = (np.asarray(a, float) for a in (E, t, e))
    h = np.concatenate([[0.0], np.cumsum(t)])[:-1]
    c = np.sum(E * t * e) / np.sum(E * t)
    tb = np.sum(E * t * (2 * h + t)) / (2 * np.sum(E * t))
    num = 3 * np.sum(E * t * (c - e) * (2 * h + t))
    den = np.sum(E * t * (6 * h**2 + 6 * h * t + 2 * t**2 - 3 * tb * (2 * h + t)))
    # with e_i the free strains (Hsueh writes alpha_i dT) this sign already matches ours: top concave > 0
    return float(num / den)


def timoshenko_curvature(E1, t1, e1, E2, t2, e2) -> float:
    """Timoshenko's bimetal (J. Opt. Soc. Am. 11 (1925) 233): layer 1 bottom, layer 2 top.

    k = 6 (e1 - e2)(1+m)^2 / ( h [3(1+m)^2 + (1+m n)(m^2 + 1/(m n))] ),  m = t1/t2, n = E1/E2, h = t1 + t2.
    """
    m, n, h = t1 / t2, E1 / E2, t1 + t2
    return float(6 * (e1 - e2) * (1 + m) ** 2 / (h * (3 * (1 + m) ** 2 + (1 + m * n) * (m**2 + 1 / (m * n)))))


def stoney_curvature(E_sub, t_sub, sigma_film, t_film) -> float:
    """Stoney (Proc. R. Soc. A 82 (1909) 172): thin film (stress sigma_film) on top of a thick substrate.

    k = 6 sigma_f t_f / (E_s t_s^2), E_s the substrate's biaxial modulus; tensile film -> top concave (k > 0).
    """
    return float(6.0 * sigma_film * t_film / (E_sub * t_sub**2))


def film_cte_rule_of_mixtures(E, t, alpha) -> float:
    """Effective in-plane CTE of a free, flat multilayer film: modulus-thickness weighted mean."""
    E, t, alpha = (np.asarray(a, float) for a in (E, t, alpha))
    return float(np.sum(E * t * alpha) / np.sum(E * t))
