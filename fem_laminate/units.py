"""Physical constants and unit conversions: the only place they are written down.

Inside the package everything is SI; case files and reports carry the unit in the field name
(thickness_um, load_kgf, speed_m_per_min, ...) and convert here.
"""
from __future__ import annotations

STANDARD_GRAVITY = 9.80665  # m/s^2 (CGPM 1901); 1 kgf = 9.80665 N
N_PER_KGF = STANDARD_GRAVITY
GAS_CONSTANT = 8.314462618  # J/(mol K), CODATA 2018
BOLTZMANN = 1.380649e-23  # J/K, exact (SI 2019)
ZERO_CELSIUS_K = 273.15

UM = 1e-6  # m per micrometre
MM = 1e-3  # m per millimetre
MPA = 1e6  # Pa per MPa
GPA = 1e9  # Pa per GPa


def kelvin(T_C):
    """Celsius -> kelvin."""
    return T_C + ZERO_CELSIUS_K


def m_per_s(speed_m_per_min):
    """Line speed m/min -> m/s."""
    return speed_m_per_min / 60.0


def newton(load_kgf):
    """Force kgf -> N."""
    return load_kgf * N_PER_KGF


def kgf_per_cm(force_N_per_mm):
    """Line force N/mm -> kgf/cm (the patent's peel unit)."""
    return force_N_per_mm * 10.0 / N_PER_KGF


def N_per_mm(force_kgf_per_cm):
    """Line force kgf/cm -> N/mm."""
    return force_kgf_per_cm * N_PER_KGF / 10.0
