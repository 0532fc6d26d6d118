"""Assembly and solve scaling of the elastic core, 2D and 3D, 10 k to >= 1 M DOF (issue 2 item 8, issue 6.4).

Prints one row per configuration as it finishes (DOFs, assembly s, solve s, CG iterations, peak MB) and
writes everything to JSON. Each configuration runs in its own Python process (fem_laminate.studies.bench), so the
peak memory is that configuration's. Compares the fast vectorised assembly with scikit-fem's generic
BilinearForm path on the same mesh, PARDISO on 1 and 2 threads, SuperLU (scipy spsolve) and CG+AMG.

    PYTHONPATH=. python benchmarks/bench_scaling.py                 # this machine: up to 1 M DOF
    PYTHONPATH=. python benchmarks/bench_scaling.py --large         # HPC node: adds 3 M and 10 M DOF in 3D
    PYTHONPATH=. python benchmarks/bench_scaling.py --dims 3 --sizes 100000 1000000
"""
import argparse
import sys

from fem_laminate.studies.bench import bench_command

if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", help="target DOFs (replaces the default lists)")
    ap.add_argument("--dims", type=int, nargs="+", default=[2, 3], choices=[2, 3])
    ap.add_argument("--large", action="store_true", help="add 3 M and 10 M DOF 3D runs; lift the slow-path caps")
    ap.add_argument("--no-skfem", action="store_true", help="skip scikit-fem's generic-form assembly")
    ap.add_argument("--max-memory-GB", type=float, help="stop a configuration above this RSS (default: half the RAM)")
    ap.add_argument("--out", default="benchmarks/results/bench_scaling.json")
    a = ap.parse_args()
    import os
    os.makedirs(os.path.dirname(a.out) or ".", exist_ok=True)
    sys.exit(bench_command(sizes=a.sizes, out_json=a.out, large=a.large, dims=tuple(a.dims),
                           compare_skfem=not a.no_skfem, max_memory_GB=a.max_memory_GB))
