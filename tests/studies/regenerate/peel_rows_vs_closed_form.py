"""The FEM peels of the patent arm (the fixture tests/data/peel_fem_patent_rows.json, written by
tests/studies/regenerate/peel_fem_patent_rows.py) against the closed form, recomputed from each row's recorded inputs
(no FEM is rerun; seconds). tests/physics/test_peel.py imports this module.

For every row with recorded inputs: analytic.peel.steady_peel with the default root and the row's cohesive law
(CohesiveLaw(sigma_c), rigid up to sigma_c as in the peel step), and the closed form's arm mechanics at the FEM's
own root rotation (steady_peel(..., root_rotation_deg=theta0_FEM)). Writes peel_rows_vs_closed_form.json, .md and
peel_arm_diagnostics.png into OUT_DIR (default: a new temporary folder); the copies the docs quote are in
docs/results/ (docs/theory/peel.md).
Usage: PYTHONPATH=. python -m tests.studies.regenerate.peel_rows_vs_closed_form [OUT_DIR]
"""
import json
import math
from pathlib import Path

import numpy as np
from scipy.optimize import brentq

from fem_laminate.analytic import peel as ap

ROWS = Path(__file__).resolve().parents[2] / "data" / "peel_fem_patent_rows.json"


def _arm(inputs):
    return [ap.ArmLayer(L["E_Pa"], L["nu"], L["thickness_m"], L["yield_Pa"], L["hardening_Pa"]) for L in inputs["arm"]]


def _foundation(inputs):
    return [ap.FoundationLayer(L["E_Pa"], L["nu"], L["thickness_m"]) for L in inputs["foundation"]]


def fibre_path(section, kappa0, kappas):
    """Moment of the closed form's fibre law (analytic.peel.Section.cycle: elastic-linear-hardening, isotropic)
    loaded 0 -> kappa0 and unloaded from kappa0 to each of `kappas` (<= kappa0), per width."""
    E, sy, H = section.E, section.sy, section.H
    u = np.abs(section.z)
    Et = E * H / (E + H)
    e0 = u * kappa0
    with np.errstate(invalid="ignore"):
        plastic = e0 > sy / E
        s0 = np.where(plastic, sy + Et * (e0 - np.where(plastic, sy / E, 0.0)), E * e0)
    out = []
    for kap in kappas:
        d = u * (kappa0 - kap)  # strain reversal of the fibre
        s = s0 - E * d
        rev = d > 2 * s0 / E
        s = np.where(rev, -s0 - Et * (d - 2 * s0 / E), s)
        out.append(float(np.sum(s * u) * section.dz))
    return out


def loading_path(section, kappas):
    """Monotonic loading moment of the same fibre law (the bonded arm bending into the root)."""
    E, sy, H = section.E, section.sy, section.H
    u = np.abs(section.z)
    Et = E * H / (E + H)
    out = []
    for kap in kappas:
        e = u * kap
        with np.errstate(invalid="ignore"):
            s = np.where(e > sy / E, sy + Et * (e - sy / E), E * e)
        out.append(float(np.sum(s * u) * section.dz))
    return out


def arm_mechanics(r: dict) -> dict:
    """The FEM's arm at the end of the run against the closed form's section (its fibre law) at the FEM's own
    peak curvature kappa0: the root moment M0, the far arm after unloading to straight (kappa = 0: the closed
    form's assumption, with a reverse moment M_far) or to zero moment (a residual curl kappa_res); the energy
    balance (the FEM's dissipation P (1 - cos theta) + P^2 / 2EA' - G_c against the fibre cycle's work at the
    FEM's kappa0) and the first integral (int kappa dM = P (1 - cos(theta - theta0)) with the cycle's int kappa dM
    at the FEM's kappa0) with theta0 the FEM's tangent angle at its section of peak moment (where the closed
    form's first integral starts) rather than at its peak curvature."""
    d, i = r["arm"], r["inputs"]
    sec = ap.Section(_arm(i))
    k0 = d["peak_curvature"]["kappa_1_per_m"]
    M0, C, W = sec.cycle(k0)
    M_straight = fibre_path(sec, k0, [0.0])[0]
    k_res = brentq(lambda k: fibre_path(sec, k0, [k])[0], 0.0, k0) if M_straight < 0 else math.nan
    far = d["far_arm"]
    prof = d["profile"]
    a_M = d["peak_moment"]["a_um"]
    phi_M = float(np.interp(a_M, prof["a_um"][::-1], prof["phi_deg"][::-1]))
    st = d["stations"]
    M_at_k0 = float(np.interp(d["peak_curvature"]["a_um"], st["a_um"][::-1], st["moment_N"][::-1]))
    P, G, th = r["force_N_per_m"], i["toughness_J_per_m2"], math.radians(i["angle_deg"])
    W_fem = P * (1 - math.cos(th)) + P ** 2 / (2 * sec.EA) - G
    at_M = (ap.steady_peel(G, i["angle_deg"], _arm(i), root_rotation_deg=phi_M).force_N_per_m
            if 0.0 <= phi_M < i["angle_deg"] else math.nan)
    return {"peak_curvature_a_um": d["peak_curvature"]["a_um"], "peak_moment_a_um": a_M,
            "phi_at_peak_moment_deg": phi_M, "phi_at_peak_curvature_deg": d["peak_curvature"]["phi_deg"],
            "kappa0_fem_1_per_m": k0, "kappa0_over_elastic_limit": k0 / sec.kappa_e,
            "M0_fem_N": d["peak_moment"]["moment_N"], "M0_closed_form_at_fem_kappa0_N": M0,
            "M_fem_at_peak_curvature_N": M_at_k0,
            "plastic_moment_N": d["plastic_moment_N"], "peeled_length_um": d["peeled_length_um"],
            "far_arm_a_um": far["a_um_range"], "far_kappa_fem_1_per_m": far["kappa_mean_1_per_m"],
            "far_moment_fem_N": far["moment_mean_N"], "far_phi_fem_deg": far["phi_deg_mean"],
            "closed_form_M_far_if_straight_N": M_straight, "closed_form_residual_curl_if_moment_free_1_per_m": k_res,
            "dissipation_fem_J_per_m2": W_fem, "cycle_work_closed_form_at_fem_kappa0_J_per_m2": W,
            "first_integral_force_at_fem_kappa0_and_peak_moment_rotation_N_per_m": C / (1 - math.cos(th - math.radians(phi_M))),
            "closed_form_at_fem_peak_moment_rotation_N_per_m": at_M}


def compare_row(key: str, r: dict) -> dict:
    """One FEM row against the closed form recomputed from its recorded inputs."""
    i = r["inputs"]
    G, angle, arm = i["toughness_J_per_m2"], i["angle_deg"], _arm(i)
    cf = ap.steady_peel(G, angle, arm, _foundation(i), cohesive=ap.CohesiveLaw(i["cohesive_strength_Pa"]))
    th0 = r["root_rotation_deg"]
    at_root = (ap.steady_peel(G, angle, arm, root_rotation_deg=th0).force_N_per_m
               if 0.0 <= th0 < angle else math.nan)
    F = r["force_N_per_m"]
    return {"key": key, "row": r["row"], "angle_deg": angle, "copper_um": r["copper_um"],
            "mesh": {"element_um": r["element_um"], "arm_elements_per_layer": r["arm_elements_per_layer"],
                     "bonded_length_mm": r["bonded_length_mm"], "dofs": r["dofs"]},
            "steady": r["steady"], "crack_advance_um": r["crack_advance_um"], "seconds": r["seconds"],
            "fem_N_per_m": F, "closed_form_N_per_m": cf.force_N_per_m, "fem_over_closed_form": F / cf.force_N_per_m,
            "root_rotation_deg": {"fem": th0, "closed_form": cf.root_rotation_deg},
            "root_curvature_1_per_m": {"fem": r["root_curvature_1_per_m"], "closed_form": cf.root_curvature_1_per_m},
            "crack_tip_rotation_deg": {"fem": r["crack_tip_rotation_deg"], "closed_form": cf.crack_tip_rotation_deg},
            "plastic_share": {"fem": r["plastic_share"], "closed_form": cf.plastic_dissipation_fraction},
            "closed_form_at_fem_root_N_per_m": at_root, "fem_over_closed_form_at_fem_root": F / at_root,
            "closed_form_root": cf.root, "closed_form_notes": list(cf.notes),
            "arm": arm_mechanics(r) if "arm" in r else None}


def compare(rows: dict) -> list[dict]:
    """Every row of the patent-arm fixture that records its inputs (entries from before the inputs were recorded are
    left out), in the file's order."""
    return [compare_row(k, r) for k, r in rows.items() if "inputs" in r]


def plot(rows: dict, keys, png):
    """Arm diagnostics of recorded runs: curvature and moment along the arm, and the moment-curvature path of a
    section (the FEM's profile read as the history of one section in the steady state) against the closed form's
    fibre cycle loaded to the FEM's peak curvature."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    res = rows
    fig, ax = plt.subplots(len(keys), 2, figsize=(11, 3.6 * len(keys)), squeeze=False)
    for row_ax, key in zip(ax, keys):
        e, d = res[key], res[key]["arm"]
        sec = ap.Section([ap.ArmLayer(**L) for L in e["inputs"]["arm"]])
        a, k = np.array(d["profile"]["a_um"]), np.array(d["profile"]["kappa_1_per_m"])
        sa, M = np.array(d["stations"]["a_um"]), np.array(d["stations"]["moment_N"])
        l1 = row_ax[0]
        l1.plot(a, k / 1e3, "C0", label="curvature (1/mm)")
        l1.axvline(0, color="k", lw=0.5)
        l1.axvline(d["peeled_length_um"], color="k", lw=0.5, ls=":")
        l1.set_xlabel("arc length from the crack tip (um; < 0 bonded, dotted: end of the peeled material)", fontsize=8)
        l1.set_ylabel("curvature (1/mm)", color="C0")
        r2 = l1.twinx()
        r2.plot(sa, M, "C1", label="moment")
        r2.set_ylabel("bending moment (N m/m)", color="C1")
        l1.set_title(f"{e['row']} {e['angle_deg']:g} deg, Cu {e['copper_um']:g} um: FEM {e['force_N_per_m']:.0f} N/m, "
                     f"closed form {e['closed_form_N_per_m']:.0f}", fontsize=9)
        # M-kappa path of a section: ahead of the root (loading) then behind it (unloading), as the FEM has it
        kp = np.interp(sa, a[::-1], k[::-1])
        k0 = d["peak_curvature"]["kappa_1_per_m"]
        lp = row_ax[1]
        steady = sa <= 0.75 * d["peeled_length_um"]  # not the material peeled at initiation, nor the starting arc
        lp.plot(kp[steady] / 1e3, M[steady], "k.", ms=3, label="FEM, along the arm up to 3/4 of the peeled length")
        kl = np.linspace(0, k0, 80)
        lp.plot(kl / 1e3, loading_path(sec, kl), "C2", label="closed form fibres: loading to FEM kappa0")
        ku = np.linspace(k0, min(kp.min(), 0.0), 80)
        lp.plot(ku / 1e3, fibre_path(sec, k0, ku), "C3", label="closed form fibres: unloading")
        lp.set_xlabel("curvature (1/mm)")
        lp.set_ylabel("bending moment (N m/m)")
        lp.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(png, dpi=110)
    plt.close(fig)


def _f(x, fmt):
    return "—" if x is None or (isinstance(x, float) and not math.isfinite(x)) else format(x, fmt)


def markdown(table: list[dict]) -> str:
    head = ("| row | angle | Cu (µm) | mesh (el µm / through Cu / bonded mm / DOF) | steady | FEM (N/m) | closed form "
            "(N/m) | FEM / closed form | θ0 FEM / closed form (°) | κ0 FEM / closed form (1/mm) | tip slope FEM / "
            "closed form (°) | plastic share FEM / closed form | closed form at FEM θ0 (N/m) | s |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for t in table:
        m = t["mesh"]
        lines.append(
            f"| {t['row']} | {t['angle_deg']:g}° | {t['copper_um']:g} | {m['element_um']:.1f} / "
            f"{m['arm_elements_per_layer']} / {m['bonded_length_mm']:g} / {m['dofs'] / 1e3:.1f} k | "
            f"{'yes' if t['steady'] else 'no'} | {t['fem_N_per_m']:.1f} | {t['closed_form_N_per_m']:.1f} | "
            f"**{t['fem_over_closed_form']:.3f}** | {t['root_rotation_deg']['fem']:.1f} / "
            f"{t['root_rotation_deg']['closed_form']:.1f} | {t['root_curvature_1_per_m']['fem'] / 1e3:.1f} / "
            f"{t['root_curvature_1_per_m']['closed_form'] / 1e3:.1f} | {_f(t['crack_tip_rotation_deg']['fem'], '.1f')} / "
            f"{_f(t['crack_tip_rotation_deg']['closed_form'], '.1f')} | {t['plastic_share']['fem']:.2f} / "
            f"{t['plastic_share']['closed_form']:.2f} | {_f(t['closed_form_at_fem_root_N_per_m'], '.0f')} | "
            f"{t['seconds']:.0f} |")
    return "\n".join(lines) + "\n"


def arm_markdown(table: list[dict]) -> str:
    head = ("| row | angle | Cu (µm) | mesh | crack / peeled (µm) | κ0 FEM (1/mm, × κe) at a (µm) | M peak FEM (N) at a "
            "(µm) | M FEM at peak κ (N) | M0 closed form at FEM κ0 (N) | far arm a (µm) | far κ FEM (1/mm) | far M FEM (N) | closed form "
            "M_far if straight (N) | closed form curl if M = 0 (1/mm) | φ at peak M / at peak κ FEM (°) | dissipation FEM / "
            "fibre cycle at FEM κ0 (J/m²) | P from first integral at FEM κ0, φ(peak M) (N/m) | closed form at "
            "φ(peak M) (N/m) |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for t in table:
        d, m = t["arm"], t["mesh"]
        if d is None:
            continue
        far = d["far_arm_a_um"]
        lines.append(
            f"| {t['row']} | {t['angle_deg']:g}° | {t['copper_um']:g} | {m['element_um']:.1f} µm × "
            f"{m['arm_elements_per_layer']}, {m['bonded_length_mm']:g} mm | {t['crack_advance_um']:.0f} / "
            f"{d['peeled_length_um']:.0f} | {d['kappa0_fem_1_per_m'] / 1e3:.1f} ({d['kappa0_over_elastic_limit']:.0f}) "
            f"at {d['peak_curvature_a_um']:.0f} | {d['M0_fem_N']:.3f} at {d['peak_moment_a_um']:.0f} | "
            f"{d['M_fem_at_peak_curvature_N']:.3f} | {d['M0_closed_form_at_fem_kappa0_N']:.3f} | {_f(far and far[0], '.0f')}–{_f(far and far[1], '.0f')} | "
            f"{_f(d['far_kappa_fem_1_per_m'] and d['far_kappa_fem_1_per_m'] / 1e3, '.2f')} | "
            f"{_f(d['far_moment_fem_N'], '.3f')} | {d['closed_form_M_far_if_straight_N']:.3f} | "
            f"{_f(d['closed_form_residual_curl_if_moment_free_1_per_m'] / 1e3, '.1f')} | "
            f"{d['phi_at_peak_moment_deg']:.1f} / {d['phi_at_peak_curvature_deg']:.1f} | "
            f"{d['dissipation_fem_J_per_m2']:.0f} / {d['cycle_work_closed_form_at_fem_kappa0_J_per_m2']:.0f} | "
            f"{d['first_integral_force_at_fem_kappa0_and_peak_moment_rotation_N_per_m']:.0f} | "
            f"{_f(d['closed_form_at_fem_peak_moment_rotation_N_per_m'], '.0f')} |")
    return "\n".join(lines) + "\n"


def diagnostic_keys(rows: dict) -> list[str]:
    """The rows drawn in the PNG: Example 1 (35 um) at 180 and 90 deg, the longest bonded length recorded."""
    out = []
    for angle in (180.0, 90.0):
        cand = [k for k, r in rows.items() if "arm" in r and r["angle_deg"] == angle and r["copper_um"] == 35.0
                and r["refine"] == 1.0 and r["arm_elements_per_layer"] == 2]
        if cand:
            out.append(max(cand, key=lambda k: (rows[k]["bonded_length_mm"], rows[k]["crack_advance_um"])))
    return out


def main(out_dir=None):
    import tempfile

    out = Path(out_dir or tempfile.mkdtemp(prefix="peel_rows_vs_closed_form_"))
    out.mkdir(parents=True, exist_ok=True)
    rows = json.loads(ROWS.read_text())
    table = compare(rows)
    (out / "peel_rows_vs_closed_form.json").write_text(json.dumps(table, indent=1))
    keys = diagnostic_keys(rows)
    if keys:
        plot(rows, keys, out / "peel_arm_diagnostics.png")
    md = ("FEM peel of the patent arm (tests/studies/regenerate/peel_fem_patent_rows.py) against the closed form "
          "recomputed from the recorded inputs (tests/studies/regenerate/peel_rows_vs_closed_form.py; cohesive root, "
          "sigma_c recorded, K0 rigid).\n\n"
          + markdown(table) + "\nArm at the end of each run (a: arc length from the crack tip, > 0 into the free arm; "
          "far arm: the last quarter of the material peeled in the run; peel_arm_diagnostics.png: "
          + ", ".join(keys) + ").\n\n" + arm_markdown(table))
    (out / "peel_rows_vs_closed_form.md").write_text(md)
    print(md)
    print(f"-> {out}")
    return table


if __name__ == "__main__":
    import sys

    main(sys.argv[1] if len(sys.argv) > 1 else None)
