"""Where the peak memory of a process chain comes from: `fem-laminate run` in this process, its resident memory
sampled every few milliseconds in a thread together with the main thread's call stack, so that every sample is
charged to the innermost fem_laminate function running at that moment. Usage:

    python benchmarks/profile_chain_memory.py CASE.toml [--interval-ms 5] [--top 25]

CASE.toml may be any case file; `--cut` runs the 4 x 4 mm cut of circuit_lines.toml with solver = "cg_plate" that
benchmarks/bench_chain_memory.py writes (its `variant`). Prints the peak and the call stack at the peak, per
(caller > function) the largest resident memory seen while it ran, and a time line of the stretches above half
the peak, all in kB per DOF of the run (interpreter and libraries included).

--tracemalloc also traces the allocations made through Python (numpy's arrays included, not MKL's or PARDISO's own)
and, each time the resident memory passes its last high mark by 2 %, takes a snapshot: the live memory of the
snapshot nearest the peak is then listed by the fem_laminate line that allocated it (what the chain holds there).
"""
from __future__ import annotations

import json
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def _stack(frame) -> list[str]:
    out = []
    while frame is not None:
        f = frame.f_code.co_filename
        if "fem_laminate" in f:
            out.append(f"{Path(f).stem}.{frame.f_code.co_name}:{frame.f_lineno}")
        frame = frame.f_back
    return out[::-1]


def main(argv: list[str]) -> None:
    interval = float(argv[argv.index("--interval-ms") + 1]) / 1e3 if "--interval-ms" in argv else 0.005
    top = int(argv[argv.index("--top") + 1]) if "--top" in argv else 25
    if "--cut" in argv:
        from bench_chain_memory import variant
        case = variant("circuit_lines.toml", Path(tempfile.mkdtemp()), length_mm=4, width_mm=4, nx=16, ny=160,
                       solver="cg_plate")
    else:
        case = Path([a for a in argv if a.endswith(".toml")][0])
    proc = psutil.Process()
    main_id = threading.get_ident()
    samples: list[tuple[float, int, list[str]]] = []
    done = threading.Event()
    traced = "--tracemalloc" in argv
    snap = {"rss": 0, "snapshot": None, "t": 0.0}
    if traced:
        import tracemalloc
        tracemalloc.start(12)

    def sample():
        while not done.is_set():
            frame = sys._current_frames().get(main_id)
            rss = proc.memory_info().rss
            samples.append((time.perf_counter(), rss, _stack(frame)))
            if traced and rss > 1.02 * snap["rss"]:
                snap.update(rss=rss, snapshot=tracemalloc.take_snapshot(), t=time.perf_counter())
            time.sleep(interval)

    from fem_laminate.job import run_case
    from fem_laminate.studies.overlay import load_case_with_overlays

    base = proc.memory_info().rss
    out = Path(tempfile.mkdtemp(prefix="chain_prof_")) / "out"
    th = threading.Thread(target=sample, daemon=True)
    th.start()
    t0 = time.perf_counter()
    s = run_case(load_case_with_overlays(str(case), ()), out)
    wall = time.perf_counter() - t0
    done.set()
    th.join()
    dofs = s["model"]["dofs"]
    kb = 1.0 / dofs  # bytes -> kB per DOF (with the / 1e3 below)
    t_peak, peak, stack = max(samples, key=lambda r: r[1])
    print(f"{case.name}: {dofs} DOFs, wall {wall:.0f} s, interpreter + imports {base / 1e9:.3f} GB "
          f"({base * kb / 1e3:.2f} kB/DOF)")
    print(f"peak RSS {peak / 1e9:.3f} GB = {peak * kb / 1e3:.2f} kB/DOF at t = {t_peak - t0:.1f} s in")
    for f in stack:
        print("   ", f)
    # per function (innermost fem_laminate frame and each of its callers): largest RSS while it ran
    best: dict[str, float] = {}
    for _, rss, st in samples:
        for depth in range(len(st)):
            key = " > ".join(st[max(0, depth - 1):depth + 1])
            best[key] = max(best.get(key, 0), rss)
    print(f"\nlargest RSS while each (caller > function) ran, kB/DOF (top {top}):")
    for key, rss in sorted(best.items(), key=lambda kv: -kv[1])[:top]:
        print(f"  {rss * kb / 1e3:7.2f}  {key}")
    # a time line: RSS at the end of each stretch of the same innermost function
    print("\ntime line (innermost function, RSS max over the stretch, kB/DOF):")
    prev, hi, t_start = None, 0, t0
    lines = []
    for t, rss, st in samples:
        cur = st[-1].rsplit(":", 1)[0] if st else "-"
        if cur != prev and prev is not None:
            lines.append((t_start - t0, prev, hi))
            hi, t_start = 0, t
        prev, hi = cur, max(hi, rss)
    lines.append((t_start - t0, prev, hi))
    merged = []
    for t, f, h in lines:
        if merged and merged[-1][1] == f:
            merged[-1] = (merged[-1][0], f, max(merged[-1][2], h))
        else:
            merged.append((t, f, h))
    for t, f, h in merged:
        if h * kb / 1e3 > 0.5 * peak * kb / 1e3:
            print(f"  {t:7.1f} s  {h * kb / 1e3:6.2f}  {f}")
    if traced:
        _print_snapshot(snap, t0, kb, top)
    print(f"\nresults in {out}")


def _print_snapshot(snap: dict, t0: float, kb: float, top: int) -> None:
    """The live traced memory of the snapshot nearest the peak, by the innermost fem_laminate line that allocated
    it (its caller beside it)."""
    stats = snap["snapshot"].statistics("traceback")
    total = sum(st.size for st in stats)
    print(f"\ntraced live memory at t = {snap['t'] - t0:.1f} s (RSS {snap['rss'] / 1e9:.3f} GB): "
          f"{total / 1e9:.3f} GB, by allocating line, kB/DOF (top {top}):")
    by_site: dict[str, int] = {}
    for st in stats:
        frames = [f"{Path(fr.filename).stem}:{fr.lineno}" for fr in st.traceback if "fem_laminate" in fr.filename]
        key = " < ".join(frames[-1:-3:-1]) if frames else Path(st.traceback[-1].filename).stem
        by_site[key] = by_site.get(key, 0) + st.size
    for key, size in sorted(by_site.items(), key=lambda kv: -kv[1])[:top]:
        print(f"  {size * kb / 1e3:7.3f}  {key}")


if __name__ == "__main__":
    main(sys.argv[1:])
