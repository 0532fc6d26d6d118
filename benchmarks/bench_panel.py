"""The 250 x 250 mm panel with a real layout (cases/panel_250mm.toml: nine flex circuits from a Gerber layer,
cooled from 250 C, top foil etched, homogenized): wall-clock seconds and peak memory of `fem-laminate run`, and the
warpage it reports. Appends to benchmarks/results/bench_panel.txt.

    PYTHONPATH=. python benchmarks/bench_panel.py [--large-deflection]

--large-deflection runs the same case with the etch's large_deflection = true (the tile plate at large deflection,
free and on a table under its weight) under /usr/bin/time -v and reports its corner lifts.
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
    large = "--large-deflection" in sys.argv[1:]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "panel"
        case = ROOT / "cases" / "panel_250mm.toml"
        if large:
            text = case.read_text().replace('file = "../meshes', f'file = "{ROOT}/meshes')
            case = Path(tmp) / "panel_large_deflection.toml"
            case.write_text(text.replace('pattern = { kind = "file"', 'large_deflection = true\npattern = { kind = "file"'))
        t = time.perf_counter()
        subprocess.run(["/usr/bin/time", "-v", sys.executable, "-m", "fem_laminate.cli", "run", str(case),
                        "--out", str(out), "--quiet"], check=True, stderr=open(Path(tmp) / "time.txt", "w"))
        seconds = time.perf_counter() - t
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        for line in (Path(tmp) / "time.txt").read_text().splitlines():
            if "Maximum resident set size" in line:
                peak_mb = int(line.split(":")[-1]) / 1024
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
    if large:
        ld = e["large_deflection"]
        text += (f"  large deflection: {ld['curl_shape']}, principal curvatures "
                 f"{ld['principal_curvatures_free_1_per_m'][0]:.4g}, {ld['principal_curvatures_free_1_per_m'][1]:.4g}"
                 f" 1/m, corner lift free {ld['corner_lift_free_um'] / 1e3:.4g} mm, on the table "
                 f"{ld.get('corner_lift_on_table_um', float('nan')) / 1e3:.4g} mm\n")
    print(text, end="")
    record(text, "bench_panel.txt")


if __name__ == "__main__":
    main()
