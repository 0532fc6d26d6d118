"""Sweep speed-up from 1 to 2 Dask workers (issue 6.4), on real cases through fem_laminate.job.run_case.

The base case is a Cu 18 / PI-I 25 um single-sided base cooled 350 -> 25 C on a 2D mesh fine enough
that each point takes a few seconds; the grid varies the PI thickness and the final temperature.
Each run writes into a fresh folder (no resume), on a LocalCluster of 1 and then 2 single-threaded workers.

    PYTHONPATH=. python benchmarks/bench_sweep.py [--points 8] [--nx 600]
    PYTHONPATH=. python benchmarks/bench_sweep.py --example-1 --points 24   # issue 14.6: 24 points of Example 1

Results: benchmarks/results/bench_sweep.json, one entry per run under "runs" (run "plate" or "example_1"; a rerun
replaces the entry of the same label).

With --example-1 the base is cases/example_1.toml (the whole process chain with the full model) and the grid
varies the thermoplastic layer's thickness and the roll temperature.
"""
import argparse
import json
import os
import tempfile
import time
from pathlib import Path

from fem_laminate.studies import sweep


def base_case(nx: int) -> dict:
    return {"name": "sweep bench", "layers": [{"material": "copper_ed", "thickness_um": 18.0},
                                              {"material": "pi_I", "thickness_um": 25.0}],
            "mesh": {"model": "generalized_plane_strain", "length_mm": 10.0, "nx": nx, "n_per_layer": 4},
            "steps": [{"kind": "cool", "from_C": 350.0, "to_C": 25.0}]}


def _warm_up():
    import fem_laminate.job  # noqa: F401  (numpy, scipy, scikit-fem, matplotlib, meshio)
    return True


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--points", type=int, default=8, help="number of sweep points (even)")
    ap.add_argument("--nx", type=int, default=600, help="elements along the sample (sets the cost per point)")
    ap.add_argument("--example-1", action="store_true", help="sweep cases/example_1.toml instead")
    ap.add_argument("--out", default="benchmarks/results/bench_sweep.json", help="results JSON (one entry per run)")
    a = ap.parse_args()
    half = max(1, a.points // 2)
    if a.example_1:
        base = str(Path(__file__).resolve().parent.parent / "cases" / "example_1.toml")
        spec = sweep.spec_from_dict({"base": base,
                                     "grid": {"layers.2.thickness_um": [3.0 + 1.0 * i for i in range(half)],
                                              "steps.2.temperature_C": [380.0, 400.0]}}, source="<bench_sweep>")
    else:
        spec = sweep.spec_from_dict({"base": base_case(a.nx),
                                     "grid": {"layers.1.thickness_um": [10.0 + 5.0 * i for i in range(half)],
                                              "steps.0.to_C": [25.0, 100.0]}}, source="<bench_sweep>")
    timings = {}
    tables = {}
    for workers in (1, 2):
        client = sweep.make_client(workers=workers)
        try:
            client.run(_warm_up)  # imports done on every worker before the clock starts
            with tempfile.TemporaryDirectory() as tmp:
                t0 = time.perf_counter()
                recs = sweep.run_sweep(spec, tmp, client=client, progress=True)
                timings[workers] = time.perf_counter() - t0
                tables[workers] = [{k: v for k, v in r.items() if k != "seconds" and not k.startswith("timing.")}
                                   for r in sweep.read_table(tmp)]
        finally:
            cluster = client.cluster
            client.close()
            cluster.close()
        dofs = recs[0]["summary"]["model"]["dofs"] if recs[0]["status"] == "ok" else None
        print(f"{workers} worker(s): {len(recs)} points of {dofs} DOFs in {timings[workers]:.1f} s "
              f"({sum(r['status'] == 'ok' for r in recs)} ok)", flush=True)
    speedup = timings[1] / timings[2]
    same = tables[1] == tables[2]
    print(f"speed-up 1 -> 2 workers: {speedup:.2f}x on {os.cpu_count()} cores "
          f"(load average {os.getloadavg()[0]:.1f}); tables identical: {same}")
    entry = {"run": "example_1" if a.example_1 else "plate", "points": len(recs), "dofs_per_point": dofs,
             "seconds": timings, "speedup": speedup, "identical_tables": same, "cpu_count": os.cpu_count(),
             "load_average": os.getloadavg()}
    data = json.loads(Path(a.out).read_text()) if os.path.isfile(a.out) else {"runs": []}
    data["runs"] = [r for r in data["runs"] if r.get("run") != entry["run"]] + [entry]
    os.makedirs(os.path.dirname(a.out) or ".", exist_ok=True)
    Path(a.out).write_text(json.dumps(data, indent=1))


if __name__ == "__main__":
    main()
