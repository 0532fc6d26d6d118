"""Mismatch strains of a stack cured stress-free (thermoplastic layers forming at their Tg), and the study of
curl against the thickness ratio of the two polyimide layers of the single-sided base."""
from __future__ import annotations

from ..analytic.laminate import multilayer_strain as ac_multilayer_strain
from ..physics.models.curl import curl_sample
from ..model.materials import Material


def cure_eigenstrains(layers, cure_C: float, room_C: float) -> list[float]:
    """Mismatch strains at room_C of a stack formed stress-free at cure_C, in one common reference (the
    stack's flat shape at cure_C).

    A thermoplastic layer with Tg below cure_C relaxes until it cools to Tg, so it forms at Tg on the stack
    below it: its reference is that stack's top-surface strain at Tg (the glassy layers below cooled from
    cure_C, moduli at Tg), not its own length at cure_C. This is what the process chain's incremental
    analysis does layer by layer (tested against it).
    """
    out = []
    for i, (m, _) in enumerate(layers):
        forms_at = min(cure_C, m.Tg_C) if m.Tg_C is not None else cure_C
        birth = 0.0
        if forms_at < cure_C and i > 0:
            below = [(mm, tt, forms_at_mm) for (mm, tt), forms_at_mm in
                     zip(layers[:i], [min(cure_C, mm.Tg_C) if mm.Tg_C is not None else cure_C
                                      for mm, _ in layers[:i]])]
            E = [float(mm.E(forms_at)) / (1 - mm.nu) if f_mm > forms_at else float(mm.E(forms_at)) * 1e-6
                 for mm, _, f_mm in below]
            e = [out[j] - float(layers[j][0].thermal_strain(room_C) - layers[j][0].thermal_strain(forms_at))
                 for j in range(i)]
            c, k = ac_multilayer_strain(E, [tt for _, tt, _ in below], e)
            birth = c - k * sum(tt for _, tt, _ in below)
        elif forms_at < cure_C:
            birth = float(m.thermal_strain(forms_at) - m.thermal_strain(cure_C))  # free film: no stack below
        out.append(float(birth + m.thermal_strain(room_C) - m.thermal_strain(forms_at)))
    return out


def thickness_ratio_study(cu: Material, pi_a: Material, pi_b: Material, cu_um: float, total_pi_um: float,
                          fractions_b, length_m=0.1, width_m=0.1, cure_C=350.0, room_C=25.0, n_inplane=12,
                          progress=None, gravity=False):
    """Corner lift against the thickness fraction of the second polyimide (pi_b on top of pi_a on Cu).

    Returns a list of dicts with fraction_b, thickness_a_um, thickness_b_um, linear curvature, corner lift,
    principal curvatures, shape. gravity: the sample lies on the table under its weight.
    """
    rows = []
    for fb in fractions_b:
        ta, tb = total_pi_um * (1 - fb), total_pi_um * fb
        layers = [(cu, cu_um * 1e-6)]
        if ta > 0:
            layers.append((pi_a, ta * 1e-6))
        if tb > 0:
            layers.append((pi_b, tb * 1e-6))
        eps = cure_eigenstrains(layers, cure_C, room_C)
        r = curl_sample(layers, eps, room_C, length_m, width_m, n_inplane=n_inplane, gravity=gravity)
        rows.append(dict(fraction_b=fb, thickness_a_um=ta, thickness_b_um=tb,
                         linear_curvature_1_per_m=r.linear_curvature_1_per_m, corner_lift_m=r.corner_lift_m,
                         k1=r.principal_curvatures_1_per_m[0], k2=r.principal_curvatures_1_per_m[1],
                         shape=r.shape, converged=r.converged, seconds=r.seconds))
        if progress:
            progress(rows[-1])
    return rows
