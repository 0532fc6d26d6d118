"""
Peel strength against foil and thermoplastic thickness
======================================================

The closed-form peel (180 deg, fully wetted Cu-PI at the calibrated toughness, cohesive root) against the copper
foil thickness (12, 18, 35 um) and the thermoplastic (pi_IV) layer thickness (2-20 um) on Example 1's 24 um PI I:
no patent row covers these. 18 closed-form peels, a few seconds.

Writes peel_thickness_study.csv and peel_vs_thickness.png into the folder given as the first argument (default: a
new temporary folder). The copies the docs quote: docs/results/peel_thickness_study.csv, docs/peel_vs_thickness.png.

    PYTHONPATH=. python docs/examples/peel_thickness_study.py [OUT_DIR]
"""
# %%
# Set-up: materials, toughness, output folder
# -------------------------------------------
import csv
import sys
import tempfile
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from fem_laminate.analytic import peel as ap  # noqa: E402
from fem_laminate.model.materials import load_library  # noqa: E402
from fem_laminate.physics.correlations.bonding import cohesive_strength_Pa, full_toughness_J_per_m2  # noqa: E402
from fem_laminate.units import kgf_per_cm  # noqa: E402

OUT = Path(sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp(prefix="peel_thickness_study_"))
OUT.mkdir(parents=True, exist_ok=True)
T = 25.0
lib = load_library()
cu, tpi, pi1 = lib["copper_ed"], lib["pi_IV"], lib["pi_I"]
G = full_toughness_J_per_m2("Cu-PI")

# %%
# The closed-form peels
# ---------------------
t0 = time.perf_counter()
rows = []
for foil_um in (12, 18, 35):
    arm = [ap.ArmLayer(float(cu.E(T)), cu.nu, foil_um * 1e-6, cu.yield_stress(T), cu.hardening_Pa)]
    for tpi_um in (2, 4, 6, 10, 15, 20):
        found = [ap.FoundationLayer(float(tpi.E(T)), tpi.nu, tpi_um * 1e-6),
                 ap.FoundationLayer(float(pi1.E(T)), pi1.nu, 24e-6)]
        r = ap.steady_peel(G, 180.0, arm, found, cohesive=ap.CohesiveLaw(cohesive_strength_Pa()))
        rows.append({"foil_um": foil_um, "tpi_um": tpi_um, "kgf_per_cm": kgf_per_cm(r.force_N_per_mm),
                     "plastic_share": r.plastic_dissipation_fraction, "root_rotation_deg": r.root_rotation_deg})
dt = time.perf_counter() - t0
print(f"{len(rows)} closed-form peels in {dt:.3f} s")
for r in rows:
    print(r)

# %%
# Table and figure
# ----------------
out = OUT / "peel_thickness_study.csv"
with open(out, "w", newline="") as fh:
    w = csv.DictWriter(fh, fieldnames=list(rows[0]))
    w.writeheader()
    w.writerows(rows)
fig, ax = plt.subplots(1, 2, figsize=(10, 4))
for foil_um in (12, 18, 35):
    sel = [r for r in rows if r["foil_um"] == foil_um]
    ax[0].plot([r["tpi_um"] for r in sel], [r["kgf_per_cm"] for r in sel], "o-", label=f"Cu {foil_um} um")
    ax[1].plot([r["tpi_um"] for r in sel], [r["plastic_share"] for r in sel], "o-", label=f"Cu {foil_um} um")
ax[0].set_ylabel("180 deg peel (kgf/cm)")
ax[1].set_ylabel("share of peel work in arm bending")
for a in ax:
    a.set_xlabel("thermoplastic (pi_IV) thickness (um), on 24 um pi_I")
    a.legend()
fig.suptitle(f"Closed-form peel at the calibrated Cu-PI toughness G_c = {G:.0f} J/m2")
fig.tight_layout()
fig.savefig(OUT / "peel_vs_thickness.png", dpi=110)
print(f"-> {OUT}")
