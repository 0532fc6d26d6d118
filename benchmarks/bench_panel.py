"""The 250 x 250 mm panel with a real layout (cases/panel_250mm.toml: nine flex circuits from a Gerber layer,
cooled from 250 C, top foil etched, homogenized): wall-clock seconds and peak memory of `fem-laminate run`, and the
warpage it reports. Appends to benchmarks/results/bench_panel.txt.

    PYTHONPATH=. python benchmarks/bench_panel.py
"""
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _record import record  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def main():
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "panel"
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "fem_laminate.cli", "run", str(ROOT / "cases" / "panel_250mm.toml"),
                        "--out", str(out), "--quiet"], check=True)
        seconds = time.perf_counter() - t
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        s = json.loads((out / "summary.json").read_text())
        files = sorted(p.name for p in out.iterdir())
    e = s["etch_pattern"]
    w = e["warpage_after"]
    text = (f"panel_250mm: {seconds:.1f} s wall, peak RSS {peak_mb:.0f} MB, {e['tiles'][0]} x {e['tiles'][1]} tiles, "
            f"{e['pattern_classes']} pattern classes, copper {100 * e['copper_fraction_map']:.1f} %\n"
            f"  after the etch: principal curvatures {w['principal_curvatures_1_per_m'][0]:.4g}, "
            f"{w['principal_curvatures_1_per_m'][1]:.4g} 1/m, corner lift {w['corner_lift_max_um'] / 1e3:.4g} mm "
            f"(small-deflection plate), dimensional change x {e['dimensional_change_x_pct']:.4g} %, "
            f"y {e['dimensional_change_y_pct']:.4g} %\n  files: {', '.join(files)}\n")
    print(text, end="")
    record(text, "bench_panel.txt")


if __name__ == "__main__":
    main()
