"""Memory and time of the process chain on patterned (etched) plates with the iterative solver.

Each case runs as `fem-laminate run` in its own process under `/usr/bin/time -v` (peak resident memory of the whole
process, wall and CPU seconds), with the load average beside it (the machine may be shared). The DOFs, solver and CG
iterations come from the run's summary.json. Usage:

    python benchmarks/bench_chain_memory.py [CASE.toml ...] [--threads N]

default cases: circuit_lines_small with solver = "cg_plate" and a 4 x 4 mm cut of circuit_lines; circuit_lines.toml
itself (1.34 M DOF, minutes) only when named. Results are appended to benchmarks/results/chain_memory.json.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results" / "chain_memory.json"


def _toml(d: dict) -> str:
    """The few TOML shapes of a case file (tables, arrays of tables, inline tables)."""
    def val(v):
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, str):
            return json.dumps(v)
        if isinstance(v, dict):
            return "{ " + ", ".join(f"{k} = {val(x)}" for k, x in v.items()) + " }"
        return repr(v)

    lines = [f"{k} = {val(v)}" for k, v in d.items() if not isinstance(v, (dict, list))]
    for k, v in d.items():
        if isinstance(v, dict):
            lines += [f"[{k}]"] + [f"{a} = {val(b)}" for a, b in v.items()]
        elif isinstance(v, list):
            for item in v:
                lines += [f"[[{k}]]"] + [f"{a} = {val(b)}" for a, b in item.items()]
    return "\n".join(lines) + "\n"


def variant(case: str, folder: Path, **mesh) -> Path:
    d = tomllib.loads((ROOT / "cases" / case).read_text())
    d["mesh"].update(mesh)
    path = folder / f"{Path(case).stem}_{'_'.join(f'{k}{v}' for k, v in mesh.items())}.toml"
    path.write_text(_toml(d))
    return path


def run(case: Path, threads: int) -> dict:
    out = Path(tempfile.mkdtemp(prefix="chain_mem_")) / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg", "FEM_LAMINATE_THREADS": str(threads)}
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    r = subprocess.run(["/usr/bin/time", "-v", sys.executable, "-m", "fem_laminate.cli", "run", str(case),
                        "--out", str(out), "--quiet"], capture_output=True, text=True, env=env, cwd=ROOT)
    wall = time.perf_counter() - t0
    peak_kB = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", r.stderr).group(1))
    cpu = sum(float(x) for x in re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", r.stderr))
    row = {"case": case.name, "threads": threads, "exit": r.returncode, "wall_s": round(wall, 1),
           "cpu_s": round(cpu, 1), "peak_GB": round(peak_kB * 1024 / 1e9, 3), "load_1min_at_start": load,
           "load_1min_at_end": os.getloadavg()[0], "date_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    if r.returncode == 0:
        m = json.loads((out / "summary.json").read_text())["model"]
        row.update(dofs=m["dofs"], solver=m.get("solver"), cg_iterations_max=m.get("solver_iterations_max"),
                   bytes_per_dof=round(peak_kB * 1024 / m["dofs"]))
    else:
        row["stderr"] = r.stderr.strip().splitlines()[-25:]
    return row


def main(argv: list[str]) -> None:
    threads = int(argv[argv.index("--threads") + 1]) if "--threads" in argv else (os.cpu_count() or 1)
    names = [a for a in argv if a.endswith(".toml")]
    folder = Path(tempfile.mkdtemp(prefix="chain_cases_"))
    cases = [Path(n) if Path(n).exists() else ROOT / "cases" / n for n in names] or [
        variant("circuit_lines_small.toml", folder, solver="cg_plate"),
        variant("circuit_lines.toml", folder, length_mm=4, width_mm=4, nx=16, ny=160),
        variant("circuit_lines.toml", folder, length_mm=4, width_mm=4, nx=16, ny=160, solver="cg_plate")]
    rows = json.loads(OUT.read_text()) if OUT.exists() else []
    for c in cases:
        rows.append(run(c, threads))
        print(json.dumps(rows[-1]), flush=True)
        OUT.write_text(json.dumps(rows, indent=1) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
