"""J2 (von Mises) elastoplasticity with linear isotropic hardening, small strain, vectorised over points.

Strains and stresses are Voigt vectors with engineering shear strain: [xx, yy, zz, xy] in the 2D
cross-sections (eps_zz is whatever the kinematics gives: 0, a + b y, or the B-bar dilatation correction) and
[xx, yy, zz, yz, xz, xy] in 3D; the first three components are normal, the rest shear. Radial return (Simo &
Hughes, Computational Inelasticity, 1998, Box 3.1) with the consistent tangent (Box 3.2):

    s_trial = 2G dev(eps - eps_p),  q_trial = sqrt(3/2) |s_trial|,  f = q_trial - (sigma_y + H alpha)
    f > 0:  dgamma = f / (3G + H),  eps_p += dgamma * 3/2 s_trial / q_trial,  alpha += dgamma
    D = K m m^T + 2G theta I_dev - 2G theta_bar N N^T,  theta = 1 - 3G dgamma / q_trial,
        theta_bar = 1 / (1 + H / 3G) - (1 - theta),  N = s_trial / |s_trial|

sigma_y = inf makes a point purely elastic (the polymer layers and the rolls).

The law object `J2` (switch ``[physics] copper_plasticity``) is what the laminate, the nip and the peel build
from a Material: its yield stress and hardening at a temperature are one number everywhere.
"""
from __future__ import annotations

import numpy as np

from .law import Law, Var, register


def _projectors(ncomp: int):
    """Volumetric vector m and deviatoric projector (acting on engineering shear, giving tensor components)."""
    m = np.zeros(ncomp)
    m[:3] = 1.0
    return m, np.diag([1.0, 1.0, 1.0] + [0.5] * (ncomp - 3)) - np.outer(m, m) / 3.0


M_VOL, I_DEV = _projectors(4)  # the 2D cross-section's (kept for readers of the 2D code)


def _norm(s):
    """Frobenius norm of a symmetric tensor stored as [normal x3, shear...] (tensor components)."""
    out = s[0] ** 2 + s[1] ** 2 + s[2] ** 2
    for k in range(3, len(s)):
        out = out + 2.0 * s[k] ** 2
    return np.sqrt(out)


def _engineering(ncomp: int, ndim: int) -> np.ndarray:
    return np.array([1.0, 1.0, 1.0] + [2.0] * (ncomp - 3)).reshape((ncomp,) + (1,) * ndim)


def return_mapping(eps, eps_p_old, alpha_old, K, G, sigma_y, H):
    """Stress update at many points.

    eps, eps_p_old: (ncomp, ...) Voigt strains (engineering shear; ncomp 4 in 2D, 6 in 3D); alpha_old: (...)
    equivalent plastic strain; K, G, sigma_y, H: broadcastable to (...).
    Returns sigma (ncomp, ...), eps_p (ncomp, ...), alpha (...), D (ncomp, ncomp, ...) consistent tangent.
    """
    eps = np.asarray(eps, float)
    m_vol, i_dev = _projectors(eps.shape[0])
    K, G, sigma_y, H = (np.broadcast_to(np.asarray(v, float), eps.shape[1:]) for v in (K, G, sigma_y, H))
    ee = eps - eps_p_old
    vol = ee[0] + ee[1] + ee[2]
    s_tr = 2.0 * G * np.einsum("ij,j...->i...", i_dev, ee)
    nrm = _norm(s_tr)
    q_tr = np.sqrt(1.5) * nrm
    f = q_tr - (sigma_y + H * alpha_old)
    plastic = f > 0.0
    dgamma = np.where(plastic, f / (3.0 * G + H), 0.0)
    safe_q = np.where(plastic, q_tr, 1.0)
    scale = 1.0 - 3.0 * G * dgamma / safe_q  # radial return factor (1 where elastic)
    s = s_tr * scale
    sigma = s + K * vol * m_vol.reshape((len(m_vol),) + (1,) * vol.ndim)
    flow = 1.5 * s_tr / safe_q  # d eps_p / d dgamma, tensor components
    flow_v = flow * _engineering(len(m_vol), vol.ndim)  # engineering shear
    eps_p = eps_p_old + dgamma * flow_v
    alpha = alpha_old + dgamma

    mm = np.outer(m_vol, m_vol)
    D = np.einsum("ij,...->ij...", mm, K) + np.einsum("ij,...->ij...", i_dev, 2.0 * G * scale)
    N = s_tr / np.where(plastic, nrm, 1.0)
    theta_bar = np.where(plastic, 1.0 / (1.0 + H / (3.0 * G)) - (1.0 - scale), 0.0)
    D = D - 2.0 * G * theta_bar * np.einsum("i...,j...->ij...", N, N)
    return sigma, eps_p, alpha, D


def update_history(strain, history: dict, K, G, sigma_y, H):
    """`return_mapping` on a history dict keyed as the laminate keeps J2's ({"strain": plastic strain (ncomp, ...),
    "alpha": equivalent plastic strain (...)}): (stress, consistent tangent, new history). The J2 law's update
    and the nip's and peel's point-wise constants (K, G, σ_y, H per point) share it."""
    sigma, eps_p, alpha, D = return_mapping(strain, history["strain"], history["alpha"], K, G, sigma_y, H)
    return sigma, D, {**history, "strain": eps_p, "alpha": alpha}


def initial_history(ncomp: int, points: tuple) -> dict:
    """Virgin J2 history at points of shape `points`."""
    return {"strain": np.zeros((ncomp,) + tuple(points)), "alpha": np.zeros(tuple(points))}


def von_mises(sigma, axis: int = 0):
    """Equivalent stress sqrt(3/2 s:s) of Voigt stresses [xx, yy, zz, shear...] (4 components in plane
    strain, 6 in 3D) stored along `axis`."""
    s = np.moveaxis(np.asarray(sigma, dtype=float), axis, 0)
    mean = (s[0] + s[1] + s[2]) / 3.0
    ss = (s[0] - mean) ** 2 + (s[1] - mean) ** 2 + (s[2] - mean) ** 2
    for k in range(3, len(s)):
        ss = ss + 2.0 * s[k] ** 2
    return np.sqrt(1.5) * np.sqrt(ss)


def equivalent_plastic_strain(eps_p):
    """sqrt(2/3 eps_p:eps_p) of a Voigt plastic strain with engineering shear (ncomp, ...)."""
    e = eps_p.copy()
    e[3:] = 0.5 * e[3:]
    return np.sqrt(2.0 / 3.0) * _norm(e)


def uniaxial_strain_compression(pressure_Pa: float, K: float, G: float, sigma_y: float, H: float) -> float:
    """Closed form: equivalent plastic strain of a point compressed in uniaxial strain to axial stress -p.

    Elastic while 2G|eps| <= sigma_y, p = (K + 4G/3)|eps|; after yield q = 2G|eps| - 3G eps_p = sigma_y + H eps_p
    and p = K|eps| + 2q/3, linear in |eps|.  (Used by the tests and the analytic nip path.)
    """
    e_y = sigma_y / (2.0 * G)
    p_y = (K + 4.0 * G / 3.0) * e_y
    if pressure_Pa <= p_y:
        return 0.0
    # p = K e + 2/3 (sigma_y + H (2G e - sigma_y) / (3G + H))
    c = H / (3.0 * G + H)
    e = (pressure_Pa - 2.0 / 3.0 * sigma_y * (1.0 - c)) / (K + 4.0 / 3.0 * G * c)
    return (2.0 * G * e - sigma_y) / (3.0 * G + H)


@register
class J2(Law):
    """von Mises plasticity with linear isotropic hardening, σ_y(T) and H(T) from the material (yield_MPa,
    hardening_MPa and their temperature slopes). History: the equivalent plastic strain; the plastic strain is
    the layer's inelastic strain (shared with creep)."""
    name = "j2"
    switch = "copper_plasticity"
    role = "inelastic"
    history = {"alpha": Var(())}
    path_dependent = True

    @classmethod
    def of(cls, material):
        return cls(material) if material.yield_Pa is not None else None

    def yield_stress(self, T_C: float) -> float:
        return self.material.yield_stress(T_C)

    def hardening(self, T_C: float) -> float:
        return self.material.hardening(T_C)

    def bulk_shear(self, T_C: float) -> tuple[float, float]:
        E, nu = float(self.material.E(T_C)), self.material.nu
        return E / (3 * (1 - 2 * nu)), E / (2 * (1 + nu))

    def update(self, strain, history: dict, T_C: float, dt_s: float = 0.0):
        """Radial return from (inelastic strain, alpha) at the increment's start: strain (ncomp, ...) is the
        mechanical strain (total minus stress-free strains). Returns (stress, consistent tangent, history)."""
        K, G = self.bulk_shear(T_C)
        return update_history(strain, history, K, G, self.yield_stress(T_C), self.hardening(T_C))
