"""FEM peel benchmark: the peel step's FEM of a patent row (EP0496334A1 Example 1 by default: 35 um ED copper
peeled at 180 deg from the row's polyimides at the bonding model's toughness, the peel step's mesh).

The case runs up to its peel step to build the FEM's spec (bond -> toughness -> arm and foundation); then the FEM
peel runs twice in this process on that spec: "fast" (the defaults: PARDISO symmetric indefinite factorisation
with the analysis kept, chord steps in Newton's quadratic range) and "plain" (a new SuperLU factorisation for
every correction, as before the speed-up). Prints DOFs, steps, Newton corrections, factorisations, wall and CPU
seconds, peak RSS and the steady force of each, and the force change against the plain run and against the
force the code before the speed-up gave (REFERENCE below).

Run:  PYTHONPATH=. python benchmarks/bench_peel_fem.py [example_1 example_4 ...] [--fast-only]
(appends the printout to benchmarks/results/bench_peel_fem.txt)
"""
import resource
import sys
import time
import tomllib
from pathlib import Path

from _record import Tee, record  # benchmarks/_record.py (run as a script: its folder is on the path)

ROOT = Path(__file__).resolve().parents[1]
# steady force (N/m) of the FEM peel before the speed-up (full Newton, SuperLU every correction, the
# pre-vectorisation kernel), same spec, measured on this machine: the answer must not move by more than the
# FEM's mesh-convergence tolerance (elements halved: +0.12 %, docs/theory/peel_checks.md)
REFERENCE = {"example_1": 1426.6581}
TOLERANCE = 0.0012


def fem_spec_of(name: str):
    """The spec the peel step gives its FEM for bundled case `name` (the case runs up to the peel)."""
    from fem_laminate.case import load_case_dict
    from fem_laminate.job import run_case
    from fem_laminate.physics.models import peel as fp

    captured = {}

    class Captured(Exception):
        pass

    def capture(spec, progress=None):
        captured["spec"] = spec
        raise Captured

    d = tomllib.loads((ROOT / "cases" / f"{name}.toml").read_text())
    k = next(i for i, s in enumerate(d["steps"]) if s["kind"] == "peel")
    d["steps"] = d["steps"][:k + 1]
    d["steps"][k].update(method="fem")
    run_peel = fp.run_peel_fem
    fp.run_peel_fem = capture
    try:
        run_case(load_case_dict(d, source=name), Path("/tmp") / f"bench_peel_fem_{name}", plots=False)
    except Captured:
        pass
    finally:
        fp.run_peel_fem = run_peel
    return captured["spec"]


def run(name: str, spec, plain: bool) -> float:
    from fem_laminate.physics.models import peel as fp
    from fem_laminate.physics.models import peel_model as pm

    saved = pm.CHORD_RANGE, pm.tangent_solver
    if plain:
        pm.CHORD_RANGE, pm.tangent_solver = 0.0, pm.TangentSolver
    models = []
    init = pm.PeelModel.__init__

    def keep(self, *a, **k):
        init(self, *a, **k)
        models.append(self)

    pm.PeelModel.__init__ = keep
    try:
        t0, c0 = time.perf_counter(), time.process_time()
        r = fp.run_peel_fem(spec)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    finally:
        pm.CHORD_RANGE, pm.tangent_solver = saved
        pm.PeelModel.__init__ = init
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{name:10s} {'plain' if plain else 'fast':5s} dofs={r.ndofs} steps={r.steps} corrections={r.newton_iterations} "
          f"factorisations={models[-1].factorisations} wall_s={wall:6.2f} cpu_s={cpu:6.2f} peak_rss_MiB={rss:.0f} "
          f"steady={r.steady} force_N_per_m={r.force_N_per_m:.4f}")
    return r.force_N_per_m


def main():
    names = [a for a in sys.argv[1:] if not a.startswith("--")] or ["example_1"]
    with open("/proc/loadavg") as fh:
        print(f"load average at start: {fh.read().split()[0]} (2 cores, shared)")
    for name in names:
        spec = fem_spec_of(name)
        fast = run(name, spec, plain=False)
        if "--fast-only" not in sys.argv:
            plain = run(name, spec, plain=True)
            print(f"{name}: fast / plain - 1 = {fast / plain - 1:+.2e}")
        if name in REFERENCE:
            rel = fast / REFERENCE[name] - 1
            print(f"{name}: fast / before the speed-up - 1 = {rel:+.2e} (tolerance {TOLERANCE:.1e}: "
                  f"{'ok' if abs(rel) <= TOLERANCE else 'EXCEEDED'})")


if __name__ == "__main__":
    sys.stdout = Tee(sys.stdout)
    main()
    record("".join(sys.stdout.lines), "bench_peel_fem.txt")
