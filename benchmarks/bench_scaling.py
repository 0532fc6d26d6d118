"""Assembly and solve scaling of the elastic core (the matrix of `fem-laminate bench`): DOFs, seconds, peak memory.

The benchmark plate of fem_laminate.studies.bench (Cu 18 / PI-I 25 / PI-II 5 / Cu 18 um, 10 x 10 mm, cooled
250 -> 25 C), each configuration in a fresh interpreter. Results: benchmarks/results/bench_scaling.json, one entry
per run under "runs" ({"run", "meta", "results"}; a rerun with the same --run label replaces that entry).

    PYTHONPATH=. python benchmarks/bench_scaling.py --run cg_plate --dims 3 --solver cg_plate
    PYTHONPATH=. python benchmarks/bench_scaling.py --run cg_plate_hex20 --dims 3 --solver cg_plate --element serendipity
"""
import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

from fem_laminate.studies.bench import bench_command

OUT = Path(__file__).resolve().parent / "results" / "bench_scaling.json"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", required=True, help="label of this run in the results file")
    ap.add_argument("--sizes", type=float, nargs="+", default=None, help="target DOFs (default: 10k .. 1M)")
    ap.add_argument("--dims", type=int, nargs="+", default=[2, 3])
    ap.add_argument("--solver", default=None, help="only configurations with this solver (pardiso, cg_plate, ...)")
    ap.add_argument("--element", default="lagrange", choices=["lagrange", "serendipity"])
    ap.add_argument("--max-memory-GB", type=float, default=None)
    ap.add_argument("--out", default=str(OUT))
    a = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        part = os.path.join(tmp, "run.json")
        code = bench_command(sizes=a.sizes, out_json=part, dims=tuple(a.dims), max_memory_GB=a.max_memory_GB,
                             family=a.element, solver=a.solver)
        run = json.loads(Path(part).read_text())
    out = Path(a.out)
    data = json.loads(out.read_text()) if out.is_file() else {"runs": []}
    data["runs"] = [r for r in data["runs"] if r.get("run") != a.run] + [{"run": a.run, **run}]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(data, indent=1))
    return code


if __name__ == "__main__":
    sys.exit(main())
