"""fem_laminate against CalculiX on the same mesh (issue 14 item 1).

The benchmark plate of fem_laminate.studies.bench: Cu 18 / PI-I 25 / PI-II 5 / Cu 18 um, 10 x 10 mm, stress-free
at 250 C and cooled to 25 C, symmetry planes x = 0 and y = 0 plus one point in z, one quadratic element per
layer. The CalculiX deck uses 20-node C3D20 bricks (full 27-point integration) on exactly the element grid
fem_laminate uses; materials are linear elastic at 25 C with the constant secant CTE that gives the same
thermal strain 250 -> 25 C in plane and through the thickness (*EXPANSION, TYPE=ORTHO). `ccx` runs when it is
installed (Debian: apt-get install calculix-ccx; SPOOLES solver, threads from OMP_NUM_THREADS).

Rows: DOFs, wall time of the whole process (start-up, input, solve, output), peak resident memory, centre
curvature (paraboloid over the central half of the bottom surface). fem_laminate runs each configuration in a
fresh interpreter (studies.bench.run_isolated): Hex27 (the 27-node Lagrange hex) and Hex20 (serendipity,
the same element as C3D20), PARDISO, or CG with the column/plate preconditioner (codes hex27_cg, hex20_cg).

    PYTHONPATH=. python benchmarks/bench_calculix.py [--sizes 100000 300000] [--threads 1 2] [--repeat 1] [--run NAME]

Results: benchmarks/results/bench_calculix.json, one entry per run under "runs" (a rerun with the same --run
label replaces that entry).
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import tempfile
import time

import numpy as np

from fem_laminate.studies.bench import (LENGTH_M, STACK, T_C, T_STRESS_FREE_C, Config, mesh_divisions,
                                        run_isolated)


def c3d20_mesh(nx: int, ny: int, z: np.ndarray):
    """Nodes (n, 3) and C3D20 connectivity (ne, 20), 0-based, on the tensor grid of the benchmark plate."""
    x = np.linspace(-LENGTH_M / 2, LENGTH_M / 2, nx + 1)
    y = np.linspace(-LENGTH_M / 2, LENGTH_M / 2, ny + 1)
    X0, Y0, Z0 = np.meshgrid(x[:-1], y[:-1], z[:-1], indexing="ij")
    X1, Y1, Z1 = np.meshgrid(x[1:], y[1:], z[1:], indexing="ij")
    lo = np.stack([X0.ravel(), Y0.ravel(), Z0.ravel()], 1)
    hi = np.stack([X1.ravel(), Y1.ravel(), Z1.ravel()], 1)
    # CalculiX/Abaqus order: bottom corners, top corners, bottom edge mids, top edge mids, vertical edge mids
    r = [(0, 0, 0), (1, 0, 0), (1, 1, 0), (0, 1, 0), (0, 0, 1), (1, 0, 1), (1, 1, 1), (0, 1, 1),
         (.5, 0, 0), (1, .5, 0), (.5, 1, 0), (0, .5, 0), (.5, 0, 1), (1, .5, 1), (.5, 1, 1), (0, .5, 1),
         (0, 0, .5), (1, 0, .5), (1, 1, .5), (0, 1, .5)]
    r = np.array(r, float)
    pts = lo[:, None, :] + r[None, :, :] * (hi - lo)[:, None, :]  # (ne, 20, 3)
    scale = 1e-9 * min(np.diff(z).min(), LENGTH_M / max(nx, ny))
    key = np.round(pts.reshape(-1, 3) / scale).astype(np.int64)
    uniq, first, inv = np.unique(key, axis=0, return_index=True, return_inverse=True)
    nodes = pts.reshape(-1, 3)[first]
    return nodes, inv.reshape(-1, 20), (Z0.ravel() + Z1.ravel()) / 2


def write_deck(path: str, nx: int) -> dict:
    from fem_laminate.model.materials import load_library

    lib = load_library()
    mats = [lib[n] for n, _ in STACK]
    z = np.concatenate([[0.0], np.cumsum([t for _, t in STACK])])
    nodes, conn, zc = c3d20_mesh(nx, nx, z)
    layer = np.searchsorted(z[1:-1], zc, side="right")
    tol = 1e-9 * LENGTH_M
    out = []
    out.append("*HEADING\nfem_laminate benchmark plate, Cu 18 / PI-I 25 / PI-II 5 / Cu 18 um, 250 -> 25 C\n*NODE")
    out += [f"{i + 1},{p[0]:.12e},{p[1]:.12e},{p[2]:.12e}" for i, p in enumerate(nodes)]
    for k in range(len(STACK)):
        out.append(f"*ELEMENT, TYPE=C3D20, ELSET=L{k}")
        el = np.flatnonzero(layer == k)
        for e in el:
            c = conn[e] + 1
            out.append(f"{e + 1}," + ",".join(map(str, c[:15])) + ",\n" + ",".join(map(str, c[15:])))
    def nset(name, ids):
        out.append(f"*NSET, NSET={name}")
        ids = np.asarray(ids) + 1
        out.extend(",".join(map(str, ids[i:i + 16])) for i in range(0, len(ids), 16))
    nset("NALL", np.arange(len(nodes)))
    nset("XSYM", np.flatnonzero(np.abs(nodes[:, 0]) < tol))
    nset("YSYM", np.flatnonzero(np.abs(nodes[:, 1]) < tol))
    centre = np.flatnonzero((np.abs(nodes[:, :2]) < tol).all(1) & (np.abs(nodes[:, 2]) < tol))
    assert len(centre) == 1
    nset("ZFIX", centre)
    bottom = np.flatnonzero((np.abs(nodes[:, 2]) < 1e-12) & (np.abs(nodes[:, :2]) <= 0.25 * LENGTH_M + 1e-12).all(1))
    nset("BOTC", bottom)
    dT = T_C - T_STRESS_FREE_C
    for k, m in enumerate(mats):
        a_in = float(m.thermal_strain(T_C) - m.thermal_strain(T_STRESS_FREE_C)) / dT
        a_z = float(m.thermal_strain_z(T_C) - m.thermal_strain_z(T_STRESS_FREE_C)) / dT
        out.append(f"*MATERIAL, NAME=M{k}\n*ELASTIC\n{float(m.E(T_C)):.10e},{m.nu}\n"
                   f"*EXPANSION, TYPE=ORTHO, ZERO={T_STRESS_FREE_C}\n{a_in:.10e},{a_in:.10e},{a_z:.10e}")
        out.append(f"*SOLID SECTION, ELSET=L{k}, MATERIAL=M{k}")
    out.append(f"*BOUNDARY\nXSYM,1,1\nYSYM,2,2\nZFIX,3,3\n*INITIAL CONDITIONS, TYPE=TEMPERATURE\nNALL,{T_STRESS_FREE_C}")
    out.append(f"*STEP\n*STATIC, SOLVER=SPOOLES\n*TEMPERATURE\nNALL,{T_C}\n*NODE PRINT, NSET=BOTC\nU\n*END STEP")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")
    return {"dofs": 3 * len(nodes), "elements": len(conn), "nodes_xyz": nodes[bottom]}


def run_ccx(workdir: str, nx: int, threads: int) -> dict:
    info = write_deck(os.path.join(workdir, "plate.inp"), nx)
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), CCX_NPROC_EQUATION_SOLVER=str(threads))
    t0 = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-v", "ccx", "-i", "plate"], cwd=workdir, env=env, capture_output=True,
                       text=True)
    wall = time.perf_counter() - t0
    if p.returncode != 0 or "Job finished" not in p.stdout:
        return {"status": "failed: " + (p.stdout + p.stderr).strip().splitlines()[-1]}
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr).group(1)) / 1024
    # the .dat file: node, ux, uy, uz for the central bottom nodes, in the order of the set
    rows = []
    for line in open(os.path.join(workdir, "plate.dat")):
        parts = line.split()
        if len(parts) == 4 and parts[0].isdigit():
            rows.append([float(v) for v in parts[1:]])
    uz = np.array(rows)[:, 2]
    xy = info["nodes_xyz"][:, :2]
    kappa = fit_curvature(xy, uz)
    return {"status": "ok", "dofs": info["dofs"], "wall_s": wall, "peak_MB": rss, "curvature_per_m": kappa}


def fit_curvature(xy, w):
    """w = a + kappa r^2 / 2 over the central half: as studies.bench.centre_curvature."""
    r2 = (xy ** 2).sum(1)
    A = np.column_stack([np.ones(len(w)), 0.5 * r2])
    return float(np.linalg.lstsq(A, w, rcond=None)[0][1])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 300_000],
                    help="target DOFs of the Hex27 grid (the grid is then shared by every code)")
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--repeat", type=int, default=1, help="run each row this many times (noisy machine)")
    ap.add_argument("--codes", nargs="+", default=["ccx", "hex27", "hex20"],
                    help="ccx, hex27, hex20 (PARDISO), hex27_cg, hex20_cg (CG with the column/plate preconditioner)")
    ap.add_argument("--run", default=None, help="label of this run in the results file (default: the codes)")
    ap.add_argument("--out", default="benchmarks/results/bench_calculix.json")
    a = ap.parse_args()
    have_ccx = shutil.which("ccx") is not None
    rows = []
    print(f"{'grid':>9} {'thr':>3} {'code':>22} {'DOFs':>9} {'wall s':>7} {'peak GB':>7} {'curvature 1/m':>14} {'load':>5}")
    for size in a.sizes:
        nx = mesh_divisions(3, size)["nx"]
        for threads in a.threads:
            for rep in range(a.repeat):
                for code in a.codes:
                    load = os.getloadavg()[0]
                    if code == "ccx":
                        if not have_ccx:
                            print(f"{nx:>4}x{nx:<4} {threads:>3} {'CalculiX':>22}  skipped: ccx not installed")
                            continue
                        with tempfile.TemporaryDirectory() as d:
                            r = run_ccx(d, nx, threads)
                        label = "CalculiX C3D20 SPOOLES"
                    else:
                        fam = "serendipity" if code.startswith("hex20") else "lagrange"
                        solver = "cg_plate" if code.endswith("_cg") else "pardiso"
                        r = run_isolated(Config(3, size, "fast", solver, threads, family=fam, nx=nx))
                        label = (f"fem_laminate {'Hex20' if fam == 'serendipity' else 'Hex27'} "
                                 f"{'CG-plate' if solver == 'cg_plate' else 'PARDISO'}")
                    r.update(code=code, label=label, grid=f"{nx}x{nx}", threads=threads, repeat=rep, load_1min=load)
                    rows.append(r)
                    if r.get("status") == "ok":
                        print(f"{nx:>4}x{nx:<4} {threads:>3} {label:>22} {r['dofs']:>9,} {r['wall_s']:>7.1f} "
                              f"{r['peak_MB'] / 1024:>7.2f} {r['curvature_per_m']:>14.7f} {load:>5.2f}", flush=True)
                    else:
                        print(f"{nx:>4}x{nx:<4} {threads:>3} {label:>22}  {r.get('status')}", flush=True)
                    record_run(a.out, a.run or "_".join(a.codes),
                               {"date_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                                "cpu_count": os.cpu_count(), "rows": rows})


def record_run(path: str, run: str, entry: dict) -> None:
    """Put this run's entry into the results file's "runs" list (replacing an entry of the same label)."""
    data = json.load(open(path)) if os.path.isfile(path) else {"runs": []}
    data["runs"] = [r for r in data["runs"] if r.get("run") != run] + [{"run": run, **entry}]
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path + ".tmp", "w") as f:
        json.dump(data, f, indent=1)
    os.replace(path + ".tmp", path)


if __name__ == "__main__":
    main()
