"""What more threads can buy the iterative plate solver on this machine: the memory bandwidth, and each part of the
1 M DOF solve (set-up and CG of `cg_plate` on the benchmark plate) timed at 1 and N threads.

Why: a sparse matrix-vector product reads every stored entry once (8 bytes of value and 4 of column index) and does
two flops with it; a triangular solve with a sparse factor likewise. Such kernels run at the speed of memory, not of
the cores, and a second thread helps only as far as one core leaves memory bandwidth unused. So this measures:

1. streaming bandwidth (numpy triad a = b + s c, 3 x 320 MB) in one process and in N processes at once (each
   process one thread: the aggregate is what N cores can draw);
2. the stiffness product K x (MKL's sparse BLAS, `physics/fe/parallel.matvec`) at 1 ... N threads, in GB/s;
3. the plate operator's PARDISO factorisation and one solve (forward and back substitution) at 1 ... N threads;
4. the preconditioner set-up and the CG iterations of the whole solve at 1 ... N threads, and how many cores were busy
   meanwhile (the process's CPU seconds over the wall seconds: near N, the threads are not waiting on one another
   but each runs slower, held by memory).

Usage (run it on a quiet machine; each part is the best of `--repeats`):

    python benchmarks/bench_bandwidth.py [--size 1000000] [--threads 1,2] [--repeats 3]

Results: benchmarks/results/bench_bandwidth.json (appended), a table on stdout.
"""
from __future__ import annotations

import json
import multiprocessing as mp
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "benchmarks" / "results" / "bench_bandwidth.json"
TRIAD_N = 40_000_000


def arg(argv, name, default):
    return argv[argv.index(name) + 1] if name in argv else default


def _triad(q, repeats):
    a, b, c = np.empty(TRIAD_N), np.random.rand(TRIAD_N), np.random.rand(TRIAD_N)
    np.multiply(c, 3.0, out=a)
    best = np.inf
    for _ in range(repeats):
        t = time.perf_counter()
        np.multiply(c, 3.0, out=a)
        np.add(a, b, out=a)
        best = min(best, time.perf_counter() - t)
    q.put(4 * 8 * TRIAD_N / best / 1e9)  # bytes moved: c read, a written; a and b read, a written


def triad_GBps(nproc: int, repeats: int) -> float:
    """Aggregate streaming bandwidth of nproc single-threaded processes running at once (GB/s)."""
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    procs = [ctx.Process(target=_triad, args=(q, repeats)) for _ in range(nproc)]
    for p in procs:
        p.start()
    rates = [q.get() for _ in procs]
    for p in procs:
        p.join()
    return float(sum(rates))


def best_of(fn, repeats: int) -> float:
    best = np.inf
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def busy(fn):
    """fn wrapped to add its wall and process CPU seconds to a running sum (sums[0], sums[1])."""
    sums = [0.0, 0.0]

    def run():
        w, c = time.perf_counter(), time.process_time()
        fn()
        sums[0] += time.perf_counter() - w
        sums[1] += time.process_time() - c
    return run, sums


def main(argv: list[str]) -> None:
    from fem_laminate.physics.fe import parallel
    from fem_laminate.physics.fe.solvers import Layout, _plate_factorization
    from fem_laminate.physics.fe.twolevel import pcg
    from fem_laminate.studies.bench import ITERATIVE_TOL, Config, benchmark_system

    size = int(float(arg(argv, "--size", "1000000")))
    threads = [int(t) for t in arg(argv, "--threads", "1,2").split(",")]
    repeats = int(arg(argv, "--repeats", "3"))
    row = {"date_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "cores": parallel.cores(),
           "load_1min_at_start": os.getloadavg()[0], "size": size, "parts": {}}
    parts = row["parts"]
    for n in threads:
        parts.setdefault("triad_GB_per_s", {})[n] = triad_GBps(n, 5)
        print(f"triad, {n} process(es): {parts['triad_GB_per_s'][n]:.1f} GB/s", flush=True)

    model, K, f, free, nnz, _ = benchmark_system(Config(3, size, "fast", "cg_plate", max(threads)))
    layout = Layout.of(model.basis, free)
    x = np.random.default_rng(0).standard_normal(K.shape[0])
    bytes_K = K.nnz * (K.data.itemsize + K.indices.itemsize) + K.shape[0] * 16
    row.update(dofs=int(K.shape[0]), nnz=int(K.nnz))
    captured = {}

    def capture(P, upper=False):  # the plate operator the preconditioner factorises, factorised as it does
        captured["P"] = P
        return _plate_factorization(P, upper)

    for n in threads:
        parallel.set_threads(n)
        t_mv = best_of(lambda: parallel.matvec(K, x), 5 * repeats)
        parts.setdefault("K_product_s", {})[n] = t_mv
        parts.setdefault("K_product_GB_per_s", {})[n] = bytes_K / t_mv / 1e9
        run_setup, s_setup = busy(lambda: captured.update(M=_setup(K, layout, capture)))
        t_setup = best_of(run_setup, repeats)
        M = captured["M"]
        its = []
        run_cg, s_cg = busy(lambda: its.append(pcg(K, f, M, tol=ITERATIVE_TOL)[1]))
        t_cg = best_of(run_cg, repeats)
        parts.setdefault("cores_busy_setup_and_cg", {})[n] = (s_setup[1] + s_cg[1]) / (s_setup[0] + s_cg[0])
        P = captured["P"]
        fac = {}
        t_fac = best_of(lambda: fac.update(F=_plate_factorization(P)), repeats)
        b = np.random.default_rng(1).standard_normal(P.shape[0])
        t_psolve = best_of(lambda: fac["F"](b), 3 * repeats)
        parts.setdefault("setup_s", {})[n] = t_setup
        parts.setdefault("cg_s", {})[n] = t_cg
        parts.setdefault("plate_factor_s", {})[n] = t_fac
        parts.setdefault("plate_solve_s", {})[n] = t_psolve
        row.setdefault("cg_iterations", its[-1])
        row["plate_unknowns"] = int(P.shape[0])
        print(f"{n} thread(s): K x {t_mv * 1e3:.1f} ms ({bytes_K / t_mv / 1e9:.1f} GB/s), set-up {t_setup:.2f} s, "
              f"CG {t_cg:.2f} s ({its[-1]} its), plate factorisation {t_fac:.2f} s, plate solve "
              f"{t_psolve * 1e3:.0f} ms, {parts['cores_busy_setup_and_cg'][n]:.2f} cores busy", flush=True)
        del M, fac
        captured.clear()

    base = threads[0]
    print(f"\n{'part':<26}" + "".join(f"{f'{n} thr':>11}" for n in threads) + f"{'speed-up':>10}")
    for name, vals in parts.items():
        up = vals[threads[-1]] / vals[base] if name.endswith(("per_s", "busy_setup_and_cg")) else \
            vals[base] / vals[threads[-1]]
        print(f"{name:<26}" + "".join(f"{vals[n]:>11.3f}" for n in threads) + f"{up:>10.2f}")
    total = {n: parts["setup_s"][n] + parts["cg_s"][n] for n in threads}
    print(f"{'set-up + CG, s':<26}" + "".join(f"{total[n]:>11.3f}" for n in threads) +
          f"{total[base] / total[threads[-1]]:>10.2f}")
    row["load_1min_at_end"] = os.getloadavg()[0]
    old = json.loads(OUT.read_text()) if OUT.exists() else []
    OUT.write_text(json.dumps(old + [row], indent=1) + "\n")


def _setup(K, layout, capture):
    from fem_laminate.physics.fe import solvers

    orig = solvers._plate_factorization
    solvers._plate_factorization = capture
    try:
        return solvers.plate_preconditioner(K, layout)
    finally:
        solvers._plate_factorization = orig


if __name__ == "__main__":
    main(sys.argv[1:])
