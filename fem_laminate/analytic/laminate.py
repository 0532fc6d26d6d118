"""Closed-form references for the layered thermoelastic core (tests and docs/vv/verification.md).

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


def cross_section_curvature(E, nu, t, e, out_of_plane: str) -> float:
    """Curvature k_x of a long 2D cross-section of isotropic layers (lamination theory), for each 2D model.

    In-plane strains eps_x = c_x - k_x z and eps_z = c_z - k_z z (z out of the section's plane), sigma_yy = 0
    through the thickness, layer stresses sigma = Q (eps - e) with the plane-stress Q of `plane_stress_Q`. Always
    N_x = M_x = 0; out of plane:
      "fixed"   (plane strain)                        c_z = k_z = 0
      "uniform" (generalized, no out-of-plane bending) N_z = 0, k_z = 0
      "free"    (generalized with bending)            N_z = M_z = 0   (= the equi-biaxial plate, Hsueh)
    Solved as a 4 x 4 linear system; z from the bottom; sign: top concave positive.
    """
    E, nu, t, e = (np.asarray(a, float) for a in (E, nu, t, e))
    Q = np.array([plane_stress_Q(Ei, ni)[:2, :2] for Ei, ni in zip(E, nu)])  # the (x, z) block
    A, B, D, N, M = _resultants(Q, t, np.stack([e, e], axis=1))
    # unknowns (c_x, c_z, k_x, k_z):  N = A c - B k,  M = B c - D k
    K, r = np.block([[A, -B], [B, -D]]), np.concatenate([N, M])
    rows = {"fixed": [0, 2], "uniform": [0, 2, 1], "free": [0, 2, 1, 3]}[out_of_plane]  # N_x, M_x, N_z, M_z
    fixed = {"fixed": [1, 3], "uniform": [3], "free": []}[out_of_plane]  # c_z, k_z held at 0
    K = np.vstack([K[rows], np.eye(4)[fixed]])
    r = np.concatenate([r[rows], np.zeros(len(fixed))])
    c_x, c_z, k_x, k_z = np.linalg.solve(K, r)
    return float(k_x)


def _resultants(Q, t, e):
    """Stiffness matrices A, B, D and the free-strain resultants N, M of layers with in-plane stiffnesses Q
    (n, m, m), thicknesses t and free strains e (n, m); z from the bottom."""
    z = np.concatenate([[0.0], np.cumsum(t)])
    z0, z1 = z[:-1], z[1:]
    m0, m1, m2 = z1 - z0, (z1**2 - z0**2) / 2, (z1**3 - z0**3) / 3  # moments of z over each layer
    A, B, D = (np.einsum("i,ijk->jk", m, Q) for m in (m0, m1, m2))
    N, M = (np.einsum("i,ijk,ik->j", m, Q, e) for m in (m0, m1))
    return A, B, D, N, M


def plane_stress_Q(E, nu) -> np.ndarray:
    """In-plane stiffness [xx, yy, xy(engineering)] of an isotropic layer in plane stress (3x3)."""
    c = E / (1.0 - nu**2)
    return c * np.array([[1.0, nu, 0.0], [nu, 1.0, 0.0], [0.0, 0.0, 0.5 * (1.0 - nu)]])


def lines_Q(E, fraction: float, direction: str) -> np.ndarray:
    """A foil etched into parallel lines, homogenized direction by direction (rule of mixtures with void):
    along the lines the copper acts in parallel with the gaps, E_par = f E (the lines are free bars: no
    transverse stress, so E and not E/(1-nu^2)); across them copper and gaps act in series, E_perp = 0, and
    so do the Poisson coupling and the in-plane shear."""
    Q = np.zeros((3, 3))
    k = 0 if direction == "x" else 1
    Q[k, k] = fraction * E
    return Q


def etched_lines_curvature(layers, fraction: float, direction: str, T_free_C: float, T_C: float) -> np.ndarray:
    """CLT curvature (kappa_x, kappa_y, kappa_xy) of a plate of `layers` (bottom-up (material, thickness_m);
    materials with E(T), nu, thermal_strain(T)) stress-free at T_free_C and taken to T_C, whose top layer is a foil
    etched into lines along `direction` covering `fraction` of it (lines_Q); elastic at T_C."""
    Q, t, e = [], [], []
    for m, h in layers:
        d = float(m.thermal_strain(T_C) - m.thermal_strain(T_free_C))
        Q.append(plane_stress_Q(m.E(T_C), m.nu))
        t.append(h)
        e.append([d, d, 0.0])
    Q[-1] = lines_Q(layers[-1][0].E(T_C), fraction, direction)
    return clt_curvature(Q, t, e)


def clt_curvature(Q, t, e) -> np.ndarray:
    """Classical laminate theory for a free plate of layers with in-plane stiffnesses Q (n, 3, 3), thicknesses t
    and free (eigen)strains e (n, 3: exx, eyy, gxy): curvature (kappa_x, kappa_y, kappa_xy) in our sign (top
    concave positive, i.e. eps(z) = c - kappa z), z from the bottom."""
    Q, t, e = np.asarray(Q, float), np.asarray(t, float), np.asarray(e, float)
    A, B, D, N, M = _resultants(Q, t, e)
    # unknowns (mid-plane strain, h * curvature) so that the blocks are of one size; least squares because
    # a line-homogenized foil alone carries no shear (rows that nothing resists are dropped)
    h = float(np.sum(t))
    K = np.block([[A, B / h], [B / h, D / h**2]])
    sol = np.linalg.lstsq(K, np.concatenate([N, M / h]), rcond=1e-12)[0]
    return -sol[3:] / h
