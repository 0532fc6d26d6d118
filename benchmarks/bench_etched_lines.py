"""Iterations, time and memory of cg_plate on the etched state of circuit_lines.toml cut to smaller panels.

The stiffness is that of the etched state (top foil etched into 50/50 um lines, moduli at 25 C, the chain's own
system: physics/fe/layered_system.build_system), the load that of cooling 250 -> 25 C (thermal eigenstrain of the
present elements); nothing of the chain is run. Each size runs in its own process under `/usr/bin/time -v` (peak
resident memory). Usage:

    python benchmarks/bench_etched_lines.py [--sizes 1,2,4] [--limit N] [--direct] [--threads 1]
    python benchmarks/bench_etched_lines.py --chain [--threads 2]   # the whole chain at 4 x 4 mm, cg_plate

--limit: multigrid.EXACT_CUT_LEVEL_UP_TO for this run (default: the memory budget); --direct: also a PARDISO
solve for the error of CG (memory!); --threads: of MKL and the plate solver (default 1: a shared machine's timings
are steadier on one). Seconds are wall and CPU of this process, the load average beside them. BENCH_SOURCE=DIR runs
the package found in DIR instead (an earlier version, e.g. `git archive REV fem_laminate | tar -x -C DIR`).
Results are appended to benchmarks/results/bench_etched_lines.json.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results" / "bench_etched_lines.json"


def etched_system(size_mm: float):
    """(K, f, basis, free, present elements) of circuit_lines.toml cut to size_mm x size_mm, same element sizes."""
    import tomllib

    import numpy as np

    from fem_laminate.case import load_case_dict
    from fem_laminate.job import build_state
    from fem_laminate.physics.fe import elastic, layered_system
    from fem_laminate.physics.models.laminate import layer_D, stiffness_moduli
    from fem_laminate.process.etch import build_pattern

    d = tomllib.loads((ROOT / "cases" / "circuit_lines.toml").read_text())
    m = d["mesh"]
    scale = size_mm / m["length_mm"]
    m.update(length_mm=size_mm, width_mm=size_mm, nx=max(1, round(m["nx"] * scale)), ny=max(1, round(m["ny"] * scale)))
    case = load_case_dict(d, "circuit_lines.toml")
    state = build_state(case)
    state.born[:] = True
    etch = case.steps[1]
    pattern = build_pattern(etch, "<bench>", 1)
    mesh = state.model.lmesh.mesh
    cx, cy = mesh.p[0, mesh.t].mean(axis=0), mesh.p[1, mesh.t].mean(axis=0)
    top = len(state.stack) - 1
    state.removed = (state.layer_of_element == top) & ~pattern.contains(cx, cy)
    system = layered_system.build_system(state)
    K = system.matrix(stiffness_moduli(state, 25.0))
    # the load of cooling 250 -> 25 C on the present elements
    D = layer_D(state, 25.0)[state.layer_of_element]
    D[state.removed] = 0.0
    eps = np.array([float(state.stack.layers[i].material.thermal_strain(25.0) -
                          state.stack.layers[i].material.thermal_strain(250.0)) for i in range(len(state.stack))])
    eig = np.zeros((state.model.nelements, 6))
    eig[:, :3] = eps[state.layer_of_element][:, None]
    f = elastic.assemble_eigenstrain_load(state.model, D, eig)[system.free]
    return K, f, state.model.basis, system.free, state.active_elements()


def one(size_mm: float, limit: int | None, direct: bool) -> dict:
    import numpy as np

    from fem_laminate.physics.fe import multigrid, solvers, twolevel

    if limit is not None:
        multigrid.EXACT_CUT_LEVEL_UP_TO = limit
    t0 = time.perf_counter()
    K, f, basis, free, act = etched_system(size_mm)
    t_build = time.perf_counter() - t0
    t0, c0 = time.perf_counter(), time.process_time()
    M = multigrid.PlateMultigrid(K, basis, free, solvers._plate_factorization, act)
    t_setup, c_setup = time.perf_counter() - t0, time.process_time() - c0
    t0, c0 = time.perf_counter(), time.process_time()
    x, its, res = twolevel.pcg(K, f, M, tol=1e-10, maxiter=500)
    t_cg, c_cg = time.perf_counter() - t0, time.process_time() - c0
    row = {"size_mm": size_mm, "dofs": K.shape[0], "level_sizes": [int(s) for s in M.sizes],
           "bottom": "direct" if M.exact_bottom else "layerwise two-level", "sweeps": M.sweeps,
           "cut_cycles": multigrid.CUT_CYCLES if len(M.sizes) > 2 else 1,
           "iterations": its, "residual": res, "build_s": round(t_build, 2), "setup_s": round(t_setup, 2),
           "cg_s": round(t_cg, 2),
           "setup_cpu_s": round(c_setup, 2), "cg_cpu_s": round(c_cg, 2),
           "exact_cut_level_up_to": multigrid.exact_cut_level_up_to() if hasattr(multigrid, "exact_cut_level_up_to")
           else multigrid.EXACT_CUT_LEVEL_UP_TO}  # (an earlier version: a fixed limit)
    b = M.bottom
    if getattr(b, "method", None) == "pardiso":  # MKL's own count: peak of analysis, factor + solve (kB)
        ip = b._solver.iparm
        row["pardiso_peak_MB"] = round(max(int(ip[14]), int(ip[15]) + int(ip[16])) / 1e3, 1)
        row["pardiso_factor_MB"] = round((int(ip[15]) + int(ip[16])) / 1e3, 1)
    if direct:
        x_ref, _ = solvers.solve(K, f, method="pardiso")
        row["max_error_rel"] = float(np.abs(x - x_ref).max() / np.abs(x_ref).max())
    return row


def chain(threads: int) -> None:
    """The whole chain (cool, etch) of circuit_lines.toml cut to 4 x 4 mm with solver = "cg_plate", as
    benchmarks/bench_chain_memory.py runs it; its row goes to benchmarks/results/bench_etched_lines_chain.json."""
    import tempfile

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_chain_memory import run, variant

    case = variant("circuit_lines.toml", Path(tempfile.mkdtemp(prefix="etched_chain_")), length_mm=4, width_mm=4,
                   nx=16, ny=160, solver="cg_plate")
    out = OUT.with_name("bench_etched_lines_chain.json")
    rows = json.loads(out.read_text()) if out.exists() else []
    rows.append(run(case, threads))
    print(json.dumps(rows[-1]))
    out.write_text(json.dumps(rows, indent=1) + "\n")


def main(argv: list[str]) -> None:
    if "--chain" in argv:
        chain(int(argv[argv.index("--threads") + 1]) if "--threads" in argv else 2)
        return
    if argv and argv[0] == "--one":
        size, limit, direct = float(argv[1]), (None if argv[2] == "-" else int(argv[2])), argv[3] == "1"
        print("ROW " + json.dumps(one(size, limit, direct)))
        return
    sizes = [float(s) for s in (argv[argv.index("--sizes") + 1] if "--sizes" in argv else "1,2,4").split(",")]
    limit = argv[argv.index("--limit") + 1] if "--limit" in argv else "-"
    direct = "1" if "--direct" in argv else "0"
    threads = argv[argv.index("--threads") + 1] if "--threads" in argv else "1"
    source = os.environ.get("BENCH_SOURCE", str(ROOT))  # another checkout's package (an earlier version)
    rows = json.loads(OUT.read_text()) if OUT.exists() else []
    for s in sizes:
        load = os.getloadavg()[0]
        env = {**os.environ, "PYTHONPATH": source, "MPLBACKEND": "Agg", "FEM_LAMINATE_THREADS": threads,
               "OMP_NUM_THREADS": threads, "MKL_NUM_THREADS": threads, "OPENBLAS_NUM_THREADS": threads}
        r = subprocess.run(["/usr/bin/time", "-v", sys.executable, __file__, "--one", str(s), limit, direct],
                           capture_output=True, text=True, cwd=ROOT, env=env)
        m = re.search(r"^ROW (.*)$", r.stdout, re.M)
        if m is None:
            print(r.stdout[-2000:], r.stderr[-3000:])
            continue
        row = json.loads(m.group(1))
        row["peak_GB"] = round(int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", r.stderr).group(1))
                               * 1024 / 1e9, 3)
        row.update(source="this tree" if source == str(ROOT) else source, threads=int(threads),
                   load_1min_at_start=load, date_utc=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
        print(json.dumps(row))
        rows.append(row)
        OUT.write_text(json.dumps(rows, indent=1) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
