"""Wall time of `fem-laminate fit` for one interface toughness on one peel coupon (target: <= 60 s).

The measurement is made by the tool itself (the coupon run at 330 J/m2), the fit starts from the coupon's
value (261.4 J/m2) and runs on a LocalCluster of 2 single-threaded workers (the CLI's default on this machine),
including the cluster's start. Prints the wall time, the case runs and the recovered toughness, and appends the
printout to benchmarks/results/bench_fit.txt.

    PYTHONPATH=. python benchmarks/bench_fit.py
"""
import sys
import tempfile
import time
from pathlib import Path

from _record import Tee, record

from fem_laminate.case import read_case_toml
from fem_laminate.studies import fit
from fem_laminate.studies.evaluate import CaseFile, Evaluator, output_value
from fem_laminate.studies.overlay import parse_key

ROOT = Path(__file__).resolve().parents[1]
PEEL = ROOT / "cases" / "calibration" / "coupon_peel_resin_II.toml"
PATH = 'interfaces."copper_ed|pi_II".bonded_toughness_J_per_m2'


def main():
    sys.stdout = tee = Tee(sys.stdout)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        case = CaseFile("peel", str(PEEL), read_case_toml(PEEL))
        rec = Evaluator(tmp / "truth").run([(case, [parse_key(PATH, "bench")], [330.0])])[0]
        y = output_value(rec["summary"], "peel.kgf_per_cm")
        spec = tmp / "spec.toml"
        spec.write_text(f'[[measurements]]\ncase = "{PEEL}"\noutput = "peel.kgf_per_cm"\nvalue = {y!r}\nsd = 0.05\n'
                        f"[[parameters]]\npath = '{PATH}'\nbounds = [10.0, 2000.0]\n")
        t0 = time.perf_counter()
        res = fit.fit_command(spec, tmp / "fit", workers=2)
        wall = time.perf_counter() - t0
    p = res["parameters"][PATH]
    print(f"fit of one toughness to one peel coupon: {wall:.1f} s wall (LocalCluster 2 workers, start included), "
          f"{res['evaluations']['case_runs']} case runs, {res['evaluations']['least_squares_residuals']} residual "
          f"evaluations; recovered {p['value']:.3f} J/m2 (true 330) +- {p['standard_error']:.3g}")
    sys.stdout = tee.stream
    record("".join(tee.lines), "bench_fit.txt")


if __name__ == "__main__":
    main()
