"""Sweeps: spec parsing, stable point ids, atomic results, resume, failures, kill -9, Dask vs serial.

The plumbing tests use small runner functions defined here (a failing point, a slow point, a call
counter); the real-physics sweep through fem_laminate.job runs once job.py/case.py exist.
"""
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import cloudpickle
import pytest

from fem_laminate.studies import sweep

# the runners below live in this test module, which Dask workers cannot import: ship them by value
cloudpickle.register_pickle_by_value(sys.modules[__name__])

BASE = {"name": "toy", "layers": [{"thickness_um": 18.0}, {"thickness_um": 25.0}],
        "steps": [{"kind": "cool", "temperature_C": 25.0}]}


def bimetal_runner(case, source, out_dir):
    """A deterministic function of the case (Timoshenko bimetal curvature, equal moduli), plus a call log."""
    log = case.get("log")
    if log:
        with open(log, "a") as fh:
            fh.write(sweep.point_id(case) + "\n")
    h1, h2 = (lay["thickness_um"] * 1e-6 for lay in case["layers"])
    dT = case["steps"][0]["temperature_C"] - 350.0
    if h2 <= 0:
        raise ValueError(f"layers.1.thickness_um = {h2 * 1e6}: must be > 0")
    m = h1 / h2
    h = h1 + h2
    kappa = 6 * 1e-5 * dT * (1 + m) ** 2 / (h * (3 * (1 + m) ** 2 + (1 + m) * (m ** 2 + 1 / m)))
    time.sleep(float(os.environ.get("SWEEP_TEST_SLEEP_S", "0")))  # slow points for the kill test only
    return {"curvature_per_m": kappa, "layers": [{"h_um": h1 * 1e6}, {"h_um": h2 * 1e6}]}


def make_spec(tmp_path, grid=None, zipped=None, **base_extra):
    base = dict(BASE, **base_extra)
    return sweep.spec_from_dict({"base": base, "grid": grid or {}, "zip": zipped or {}},
                                source=str(tmp_path / "spec.toml"))


def calls(log: Path) -> list[str]:
    return log.read_text().split() if log.exists() else []


# -- spec and points ---------------------------------------------------------------------------------
def test_dotted_paths_and_spec_errors(tmp_path):
    case = sweep.set_dotted(BASE, "layers.1.thickness_um", 50.0)
    assert case["layers"][1]["thickness_um"] == 50.0 and BASE["layers"][1]["thickness_um"] == 25.0
    with pytest.raises(ValueError, match=r"grid\.layers\.5\.thickness_um.*\[0, 1\]"):
        make_spec(tmp_path, grid={"layers.5.thickness_um": [1.0]})
    with pytest.raises(ValueError, match="'step' not found"):
        make_spec(tmp_path, grid={"step.0.temperature_C": [1.0]})
    with pytest.raises(ValueError, match="equal lengths"):
        make_spec(tmp_path, zipped={"layers.0.thickness_um": [1.0, 2.0], "layers.1.thickness_um": [1.0]})
    with pytest.raises(ValueError, match="non-empty list"):
        make_spec(tmp_path, grid={"layers.0.thickness_um": []})
    with pytest.raises(ValueError, match="duplicates"):
        sweep.expand_points(make_spec(tmp_path, grid={"layers.0.thickness_um": [1.0, 1.0]}))


def test_points_grid_times_zip_with_stable_ids(tmp_path):
    spec = make_spec(tmp_path, grid={"layers.0.thickness_um": [12.0, 18.0, 35.0]},
                     zipped={"layers.1.thickness_um": [20.0, 40.0], "steps.0.temperature_C": [25.0, 100.0]})
    pts = sweep.expand_points(spec)
    assert len(pts) == 6
    assert pts[1].params == {"layers.0.thickness_um": 12.0, "layers.1.thickness_um": 40.0,
                             "steps.0.temperature_C": 100.0}
    assert len({p.point_id for p in pts}) == 6
    # the id is a pure function of the resolved case: pinned so that it never drifts between versions
    import hashlib
    assert sweep.point_id({"b": [2.5, "x"], "a": 1}) == hashlib.sha256(
        b'{"a":1,"b":[2.5,"x"]}').hexdigest()[:16]
    assert [p.point_id for p in sweep.expand_points(spec)] == [p.point_id for p in pts]


def test_spec_file_with_relative_base(tmp_path):
    (tmp_path / "cases").mkdir()
    (tmp_path / "cases" / "base.toml").write_text(
        'name = "toy"\n[[layers]]\nthickness_um = 18.0\n[[layers]]\nthickness_um = 25.0\n'
        '[[steps]]\nkind = "cool"\ntemperature_C = 25.0\n')
    (tmp_path / "spec.toml").write_text(
        'base = "cases/base.toml"\nout = "res"\n[grid]\n"layers.1.thickness_um" = [10.0, 20.0]\n')
    spec = sweep.load_spec(tmp_path / "spec.toml")
    assert spec.base["layers"][0]["thickness_um"] == 18.0 and spec.out == "res"
    rc = sweep.sweep_command(tmp_path / "spec.toml", workers=0, progress=False, runner=bimetal_runner)
    assert rc == 0
    rows = sweep.read_table(tmp_path / "res")
    assert [float(r["param.layers.1.thickness_um"]) for r in rows] == [10.0, 20.0]
    (tmp_path / "bad.toml").write_text('base = "cases/nope.toml"\n')
    assert sweep.sweep_command(tmp_path / "bad.toml", workers=0, progress=False) == 2


# -- failure and resume (serial) ---------------------------------------------------------------------
def test_failing_point_is_recorded_and_resume_skips_finished(tmp_path):
    log = tmp_path / "calls.log"
    spec = make_spec(tmp_path, grid={"layers.1.thickness_um": [10.0, -1.0, 30.0, 40.0]}, log=str(log))
    out = tmp_path / "out"
    recs = sweep.run_sweep(spec, out, runner=bimetal_runner)
    assert [r["status"] for r in recs] == ["ok", "failed", "ok", "ok"]
    assert "layers.1.thickness_um = -1.0" in recs[1]["error"]
    rows = sweep.read_table(out)
    assert rows[1]["status"] == "failed" and rows[1]["error"].startswith("ValueError")
    assert float(rows[0]["curvature_per_m"]) == pytest.approx(recs[0]["summary"]["curvature_per_m"], rel=1e-15)
    assert rows[3]["layers.1.h_um"] == "40.0"
    assert (out / "results.parquet").exists()
    # each finished point has its summary written whole
    for r in recs:
        if r["status"] == "ok":
            assert json.loads((out / r["point_id"] / "summary.json").read_text()) == r["summary"]
    assert len(calls(log)) == 4
    # rerun: the three finished points are skipped, the failed one is retried (and fails again)
    recs2 = sweep.run_sweep(spec, out, runner=bimetal_runner)
    assert len(calls(log)) == 5 and calls(log)[-1] == recs[1]["point_id"]
    assert [r["summary"] for r in recs2] == [r["summary"] for r in recs]
    assert not list(out.glob(".tmp-*")) and not list(out.glob(".old-*"))
    # a grown grid reuses the finished points and lists every row in the new order
    grown = make_spec(tmp_path, grid={"layers.1.thickness_um": [5.0, 10.0, -1.0, 30.0, 40.0]}, log=str(log))
    recs3 = sweep.run_sweep(grown, out, runner=bimetal_runner, retry_failed=False)
    assert len(calls(log)) == 6  # only the new 5 um point ran
    assert [r["index"] for r in recs3] == [0, 1, 2, 3, 4]
    assert [r["params"]["layers.1.thickness_um"] for r in recs3] == [5.0, 10.0, -1.0, 30.0, 40.0]
    assert [row["param.layers.1.thickness_um"] for row in sweep.read_table(out)] == ["5.0", "10.0", "-1.0",
                                                                                    "30.0", "40.0"]


# -- Dask --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def client():
    c = sweep.make_client(workers=2)
    yield c
    cluster = c.cluster
    c.close()
    cluster.close()


def test_local_cluster_two_workers_matches_serial(tmp_path, client):
    spec = make_spec(tmp_path, grid={"layers.0.thickness_um": [12.0, 35.0]},
                     zipped={"layers.1.thickness_um": [10.0, 25.0], "steps.0.temperature_C": [25.0, -40.0]})
    assert len(client.scheduler_info()["workers"]) == 2
    serial = sweep.run_sweep(spec, tmp_path / "serial", runner=bimetal_runner)
    dask = sweep.run_sweep(spec, tmp_path / "dask", client=client, runner=bimetal_runner)
    assert len(dask) == 4 and all(r["status"] == "ok" for r in dask)
    assert [r["summary"] for r in dask] == [r["summary"] for r in serial]  # bit for bit
    strip = lambda rows: [{k: v for k, v in r.items() if k != "seconds"} for r in rows]  # noqa: E731
    assert strip(sweep.read_table(tmp_path / "dask")) == strip(sweep.read_table(tmp_path / "serial"))
    # the workers did the work: a point that raises on a worker is recorded, the others finish
    spec_bad = make_spec(tmp_path, grid={"layers.1.thickness_um": [0.0, 5.0]})
    recs = sweep.run_sweep(spec_bad, tmp_path / "bad", client=client, runner=bimetal_runner)
    assert [r["status"] for r in recs] == ["failed", "ok"]


KILL_SCRIPT = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {tests!r})
    from fem_laminate.studies import sweep
    from test_sweep import bimetal_runner, make_spec
    from pathlib import Path
    if __name__ == "__main__":
        spec = make_spec(Path({tmp!r}), grid={{"layers.1.thickness_um": [float(i + 1) for i in range(40)]}},
                         log={log!r})
        client = sweep.make_client(workers=2)
        sweep.run_sweep(spec, {out!r}, client=client, runner=bimetal_runner)
""")


def test_kill_minus_9_loses_no_finished_point(tmp_path):
    log, out = tmp_path / "calls.log", tmp_path / "out"
    script = tmp_path / "run.py"
    script.write_text(KILL_SCRIPT.format(tests=str(Path(__file__).parent), tmp=str(tmp_path), log=str(log),
                                         out=str(out)))
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).parents[2]), SWEEP_TEST_SLEEP_S="0.4")
    proc = subprocess.Popen([sys.executable, str(script)], env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len([d for d in out.glob("*") if d.is_dir()
                                                   and not d.name.startswith(".")]) < 4:
            assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
            time.sleep(0.1)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the sweep, its scheduler and both workers, mid-flight
        proc.wait()
    finished = [d for d in out.iterdir() if d.is_dir() and not d.name.startswith(".")]
    assert 4 <= len(finished) < 40
    for d in finished:  # whatever is under a final name is complete
        rec = json.loads((d / "point.json").read_text())
        assert rec["status"] == "ok" and rec["point_id"] == d.name
        assert json.loads((d / "summary.json").read_text()) == rec["summary"]
    n_before = len(calls(log))
    # resume (serially, same spec, without the sleep): only the unfinished points run
    spec = make_spec(tmp_path, grid={"layers.1.thickness_um": [float(i + 1) for i in range(40)]}, log=str(log))
    recs = sweep.run_sweep(spec, out, runner=bimetal_runner)
    assert len(recs) == 40 and all(r["status"] == "ok" for r in recs)
    resumed = calls(log)[n_before:]
    finished_ids = {d.name for d in finished}
    assert len(resumed) == 40 - len(finished)
    assert set(resumed) == {r["point_id"] for r in recs} - finished_ids
    assert not list(out.glob(".tmp-*"))


# -- the real runner (fem_laminate.job.run_case) on a tiny 2-layer cool-only case ---------------------
REAL_BASE = {"name": "bilayer", "layers": [{"material": "copper_ed", "thickness_um": 18.0},
                                           {"material": "pi_I", "thickness_um": 25.0}],
             "mesh": {"model": "generalized_plane_strain", "length_mm": 5.0, "nx": 8, "n_per_layer": 1},
             "steps": [{"kind": "cool", "from_C": 350.0, "to_C": 25.0}]}


def _without_timing(rows):
    return [{k: v for k, v in r.items() if k != "seconds" and not k.startswith("timing.")} for r in rows]


def test_real_cases_on_two_workers_match_serial_and_bad_case_is_recorded(tmp_path, client):
    spec = sweep.spec_from_dict({"base": REAL_BASE, "grid": {"layers.1.thickness_um": [12.0, 25.0]},
                                 "zip": {"steps.0.to_C": [25.0, 100.0]}}, source=str(tmp_path / "s.toml"))
    dask = sweep.run_sweep(spec, tmp_path / "dask", client=client)
    serial = sweep.run_sweep(spec, tmp_path / "serial")
    assert [r["status"] for r in dask] == ["ok"] * 4, [r["error"] for r in dask]
    assert _without_timing(sweep.read_table(tmp_path / "dask")) == _without_timing(
        sweep.read_table(tmp_path / "serial"))
    # physics sanity through the table: a Cu/PI-I bilayer cooled further curls more
    k = [r["summary"]["curl"]["curvature_1_per_m"] for r in dask]
    assert abs(k[0]) > abs(k[1]) > 0 and abs(k[2]) > abs(k[3]) > 0
    for r in dask:
        assert (tmp_path / "dask" / r["point_id"] / "summary.json").exists()
    # a case the schema rejects fails alone, with the CaseError's one-line message in the table
    bad = sweep.spec_from_dict({"base": REAL_BASE, "grid": {"layers.0.thickness_um": [-5.0, 18.0]}},
                               source=str(tmp_path / "bad.toml"))
    recs = sweep.run_sweep(bad, tmp_path / "bad", client=client)
    assert [r["status"] for r in recs] == ["failed", "ok"]
    assert recs[0]["error"].startswith("CaseError") and "layers.0.thickness_um" in recs[0]["error"]


def crashing_runner(case, source, out_dir):
    """Kills its worker process outright on one point (as an out-of-memory kill would)."""
    if case["layers"][1]["thickness_um"] == 13.0:
        os._exit(1)
    return bimetal_runner(case, source, out_dir)


def test_a_point_that_kills_its_worker_is_recorded_and_the_others_finish(tmp_path, client):
    """With no retries on the scheduler, a point queued on the worker that point 13 kills is failed by Dask too
    (a race that made this test flaky); the sweep reruns killed points alone, so only the killer is failed."""
    def set_allowed_failures(n, dask_scheduler=None):
        old, dask_scheduler.allowed_failures = dask_scheduler.allowed_failures, n
        return old

    old = client.run_on_scheduler(set_allowed_failures, 0)  # give up on the first death (default 3)
    try:
        spec = make_spec(tmp_path, grid={"layers.1.thickness_um": [11.0, 12.0, 13.0, 14.0]})
        recs = sweep.run_sweep(spec, tmp_path / "out", client=client, runner=crashing_runner)
    finally:
        client.run_on_scheduler(set_allowed_failures, old)
    assert [r["status"] for r in recs] == ["ok", "ok", "failed", "ok"]
    assert recs[2]["error"].startswith("KilledWorker")
    assert sweep.read_table(tmp_path / "out")[2]["status"] == "failed"
    client.wait_for_workers(2, timeout=30)  # the nanny restarts the worker for later tests


def test_sweep_points_skip_plots_unless_asked(tmp_path):
    """PNG plots cost more than a small point's simulation: sweep points write summary and VTU only, unless
    the spec says plots = true."""
    base = {"name": "p", "layers": [{"material": "copper_ed", "thickness_um": 18.0},
                                    {"material": "pi_I", "thickness_um": 25.0}],
            "mesh": {"model": "generalized_plane_strain", "length_mm": 5.0, "nx": 8, "n_per_layer": 1},
            "steps": [{"kind": "cool", "from_C": 350.0, "to_C": 25.0}]}
    for plots in (False, True):
        raw = {"base": base, "grid": {"layers.1.thickness_um": [25.0]}}
        if plots:
            raw["plots"] = True
        spec = sweep.spec_from_dict(raw, source=str(tmp_path / "s.toml"))
        recs = sweep.run_sweep(spec, tmp_path / f"out_{plots}")
        assert recs[0]["status"] == "ok", recs[0]["error"]
        folder = tmp_path / f"out_{plots}" / recs[0]["point_id"]
        assert (folder / "summary.json").exists() and (folder / "process.pvd").exists()
        assert (folder / "deformed.png").exists() == plots
    with pytest.raises(ValueError, match="plots"):
        sweep.spec_from_dict({"base": base, "plots": "yes"}, source="s.toml")
