"""Speed benchmarks of the elastic core (library side of `fem-laminate bench`).

The workload is the real one: a Cu 18 / PI-I 25 / PI-II 5 / Cu 18 um laminate plate (3D, quadratic hexes)
or cross-section (2D, quadratic quads, free out-of-plane bending) cooled from a stress-free 250 C to 25 C,
held only by symmetry (u_x = 0 on x = 0, u_y = 0 on y = 0 in 3D) and one point in the thickness direction.
Each configuration runs in a fresh Python process so that its peak resident memory is its own.

Compared, on the same mesh: the fast vectorised assembly (physics.elastic.assemble_stiffness) against
scikit-fem's generic BilinearForm path (assemble_stiffness_skfem), and the solvers PARDISO (1 and 2 threads),
SuperLU (scipy spsolve, scikit-fem's default), CG preconditioned by the column smoother and plate coarse space
(physics/fe/twolevel.py, "cg_plate") and CG preconditioned by smoothed-aggregation AMG with the rigid-body modes as
near-null space. The iterative runs assemble the constrained system directly (no unconstrained copy).
"""
from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from dataclasses import asdict, astuple, dataclass

import numpy as np

STACK = (("copper_ed", 18e-6), ("pi_I", 25e-6), ("pi_II", 5e-6), ("copper_ed", 18e-6))
T_STRESS_FREE_C, T_C = 250.0, 25.0
LENGTH_M = 10e-3  # plate / cross-section length (and width in 3D)
SIZES_2D = (10_000, 100_000, 1_000_000)
SIZES_3D = (10_000, 100_000, 300_000, 1_000_000)
SIZES_LARGE_3D = (3_000_000, 10_000_000)
# beyond these the slow paths need hours or tens of GB; the table says "skipped" and why
MAX_SKFEM_DOFS = {2: 300_000, 3: 100_000}
MAX_SPSOLVE_DOFS = {2: 2_000_000, 3: 100_000}
MAX_AMG_DOFS = 300_000  # CG+AMG needs hundreds of iterations on these thin, high-contrast stacks
MAX_DIRECT_3D_DOFS = 300_000  # PARDISO: ~13-18 kB per DOF and growing; the iterative solver takes over above
ITERATIVE_TOL = 1e-8  # relative residual of the iterative solvers
MAX_THREADS_COMPARE_DOFS = 300_000
AMG_MAXITER = 500


@dataclass
class Config:
    dim: int
    target_dofs: int
    assembly: str = "fast"  # "fast" | "skfem"
    solver: str = "pardiso"  # "pardiso" | "spsolve" | "cg_plate" | "cg_amg"
    threads: int = 1
    quadratic: bool = True
    out_of_plane: str = "free"  # 2D: "free" (plate-like far from edges) or "fixed" (plane strain)
    family: str = "lagrange"  # quadratic elements: "lagrange" (Hex27) or "serendipity" (Hex20, CalculiX's C3D20)
    nx: int = 0  # > 0: this grid (nx = ny) instead of the one closest to target_dofs

    @property
    def model(self) -> str:
        """The case files' name of this model ([mesh] model; out_of_plane = 'bending' is the default)."""
        if self.dim == 3:
            return "plate3d"
        return {"fixed": "plane_strain", "free": "generalized_plane_strain",
                "uniform": "generalized_plane_strain/uniform"}[self.out_of_plane]

    @property
    def label(self) -> str:
        ps = f" {self.model}" if self.dim == 2 else ""
        s2 = " S2" if self.family == "serendipity" else ""
        return f"{self.dim}D {self.assembly}+{self.solver} t{self.threads}{ps}{s2}"


def mesh_divisions(dim: int, target_dofs: int, quadratic: bool = True, family: str = "lagrange") -> dict:
    """Divisions of the layered mesh whose number of dofs is close to target_dofs."""
    p = 2 if quadratic else 1  # nodes per element edge - 1
    if dim == 2:
        n_per_layer = 4
        rows = p * n_per_layer * len(STACK) + 1
        nx = max(4, round((target_dofs / (2 * rows) - 1) / p))
        return {"nx": int(nx), "n_per_layer": n_per_layer}
    n_per_layer = 1 if quadratic else 2
    if quadratic and family == "serendipity":  # 3 n^2 (4 L + 3) dofs for L layers of 20-node hexes
        n = max(2, round(np.sqrt(target_dofs / (3 * (4 * len(STACK) + 3)))))
        n += n % 2
        return {"nx": int(n), "ny": int(n), "n_per_layer": 1}
    rows = p * n_per_layer * len(STACK) + 1
    n = max(2, round((np.sqrt(target_dofs / (3 * rows)) - 1) / p))
    n += n % 2  # a node row on x = 0 and y = 0 for the symmetry conditions
    return {"nx": int(n), "ny": int(n), "n_per_layer": n_per_layer}


def build_problem(dim: int, target_dofs: int, quadratic: bool = True, out_of_plane: str = "free",
                  family: str = "lagrange", nx: int = 0):
    """Mesh, elastic model, per-element D and eigenstrain for the benchmark laminate."""
    from ..model.materials import load_library
    from ..model.mesh import layered_mesh_2d, layered_mesh_3d
    from ..physics.fe.elastic import isotropic_D, make_model

    lib = load_library()
    mats = [lib[name] for name, _ in STACK]
    interfaces = np.concatenate([[0.0], np.cumsum([t for _, t in STACK])])
    div = mesh_divisions(dim, target_dofs, quadratic, family)
    if nx and dim == 3:
        div.update(nx=nx, ny=nx)
    if dim == 2:
        lmesh = layered_mesh_2d(interfaces, LENGTH_M, nx=div["nx"], n_per_layer=div["n_per_layer"],
                                edge_refinement=1.0)
    else:
        lmesh = layered_mesh_3d(interfaces, LENGTH_M, LENGTH_M, nx=div["nx"], ny=div["ny"],
                                n_per_layer=div["n_per_layer"])
    model = make_model(lmesh, out_of_plane=out_of_plane, quadratic=quadratic, family=family)
    E = np.array([float(m.E(T_C)) for m in mats])[lmesh.layer]
    nu = np.array([m.nu for m in mats])[lmesh.layer]
    D = isotropic_D(E, nu, dim)
    e_in = np.array([float(m.thermal_strain(T_C) - m.thermal_strain(T_STRESS_FREE_C)) for m in mats])
    e_z = np.array([float(m.thermal_strain_z(T_C) - m.thermal_strain_z(T_STRESS_FREE_C)) for m in mats])
    eig = np.zeros((lmesh.mesh.t.shape[1], model.ncomp))
    if dim == 2:  # [e_xx, e_yy (thickness), e_zz (out of plane), g_xy]
        eig[:, 0], eig[:, 1], eig[:, 2] = e_in[lmesh.layer], e_z[lmesh.layer], e_in[lmesh.layer]
    else:
        eig[:, 0], eig[:, 1], eig[:, 2] = e_in[lmesh.layer], e_in[lmesh.layer], e_z[lmesh.layer]
    return lmesh, model, E, nu, D, eig


def constrained_dofs(model, length_m: float = LENGTH_M) -> np.ndarray:
    """Symmetry planes through the centre plus one thickness-direction point: no rigid-body motion left."""
    X = model.basis.doflocs
    d = model.dim
    tol = 1e-9 * length_m
    fixed = [d * np.flatnonzero(np.abs(X[0]) < tol) + 0]
    if d == 3:
        fixed.append(d * np.flatnonzero(np.abs(X[1]) < tol) + 1)
    centre = np.flatnonzero((np.abs(X[:d - 1]) < tol).all(axis=0) & (np.abs(X[d - 1]) < tol))
    if len(centre) != 1:
        raise ValueError(f"benchmark mesh has {len(centre)} nodes at the bottom centre, expected 1")
    fixed.append(d * centre + (d - 1))
    return np.unique(np.concatenate(fixed))


def centre_curvature(model, u: np.ndarray, length_m: float = LENGTH_M) -> float:
    """Curvature of the bottom surface over the central half, from a least-squares paraboloid fit.

    Sign: positive when the top is concave (the ends lift), as in fem_laminate.analytic.
    """
    X = model.basis.doflocs
    d = model.dim
    w = u[d * np.arange(X.shape[1]) + d - 1]
    inplane = X[:d - 1]
    sel = (np.abs(X[d - 1]) < 1e-12) & (np.abs(inplane) <= 0.25 * length_m + 1e-12).all(axis=0)
    r2 = (inplane[:, sel] ** 2).sum(axis=0)
    A = np.column_stack([np.ones(sel.sum()), 0.5 * r2])
    coef, *_ = np.linalg.lstsq(A, w[sel], rcond=None)
    return float(coef[1])


def skfem_stiffness(model, E_elem: np.ndarray, nu_elem: np.ndarray):
    """scikit-fem's default path: a generic BilinearForm on a vector basis, per-element E and nu.

    a(u, v) = ∫ (2 mu ε(u) + lambda tr ε(u) I) : ε(v) dx; 3D, or 2D classical plane strain. The vector
    basis numbers dofs node-major (node*dim + component), as the fast path does.
    """
    from skfem import Basis, BilinearForm, ElementVector
    from skfem.helpers import ddot, eye, sym_grad, trace

    from ..physics.fe.elastic import lame

    if model.dim == 2 and model.nglobal:
        raise ValueError(f"out_of_plane = {model.out_of_plane!r}: the generic path covers 'fixed' only in 2D")

    @BilinearForm
    def stiffness(u, v, w):
        lam, mu = lame(w.E, w.nu)
        eps = sym_grad(u)
        return ddot(2 * mu * eps + lam * eye(trace(eps), eps.shape[0]), sym_grad(v))

    vb = Basis(model.lmesh.mesh, ElementVector(model.basis.elem), quadrature=model.basis.quadrature)
    nq = vb.X.shape[1]
    return stiffness.assemble(vb, E=np.repeat(E_elem[:, None], nq, axis=1),
                              nu=np.repeat(nu_elem[:, None], nq, axis=1)).tocsr()


def benchmark_system(cfg: Config):
    """The benchmark's constrained system as `run_config` assembles it: (model, K_free, f_free, free, nnz, seconds)
    with seconds = (mesh, assembly, load)."""
    import scipy.sparse as sp

    from ..physics.fe import assembly
    from ..physics.fe.elastic import (assemble_eigenstrain_load, assemble_stiffness, element_dofs_full,
                                   element_stiffness_classes)

    t0 = time.perf_counter()
    lmesh, model, E, nu, D, eig = build_problem(cfg.dim, cfg.target_dofs, cfg.quadratic, cfg.out_of_plane,
                                                cfg.family, cfg.nx)
    t_mesh = time.perf_counter() - t0
    model._B_cache = False  # one solve: strain operators are built chunk by chunk, never kept for every element
    fixed = constrained_dofs(model)
    free = np.setdiff1d(np.arange(model.ndofs), fixed)
    t0 = time.perf_counter()
    if cfg.assembly == "fast" and cfg.solver == "cg_plate":
        # memory: the free-free block straight from the element matrices, 32-bit indices, pattern dropped after
        dof_map = np.full(model.ndofs, -1, dtype=np.int64)
        dof_map[free] = np.arange(len(free))
        P = assembly.Pattern(element_dofs_full(model, np.arange(model.nelements)), len(free), dof_map=dof_map)
        Ke, cls = element_stiffness_classes(model, D, np.arange(model.nelements))
        Kf = P.csr(P.data(Ke, classes=cls))
        del P
        nnz = int(Kf.nnz)
    else:
        if cfg.assembly == "fast":
            K = assemble_stiffness(model, D)
        elif cfg.assembly == "skfem":  # generic forms; in 2D they cover classical plane strain only
            K = skfem_stiffness(model, E, nu)
        else:
            raise ValueError(f"assembly = {cfg.assembly!r}: allowed 'fast' or 'skfem'")
        nnz = int(K.nnz)
        Kf = sp.csr_matrix(K)[free][:, free]
        del K  # memory: only the constrained system stays
        model._pattern = None
    t_asm = time.perf_counter() - t0
    t0 = time.perf_counter()
    ff = assemble_eigenstrain_load(model, D, eig)[free]
    t_load = time.perf_counter() - t0
    return model, Kf, ff, free, nnz, (t_mesh, t_asm, t_load)


def run_config(cfg: Config) -> dict:
    """Run one configuration in this process; returns dofs, seconds, iterations and the curvature."""
    from ..physics.fe.solvers import Layout, rigid_body_modes, solve

    model, Kf, ff, free, nnz, (t_mesh, t_asm, t_load) = benchmark_system(cfg)
    near_null, layout = None, None
    if cfg.solver == "cg_amg":
        if model.nglobal:
            raise ValueError("cg_amg benchmark runs in 3D only (2D has dense generalized-plane-strain rows)")
        near_null = rigid_body_modes(model.basis.doflocs)[free]
    if cfg.solver == "cg_plate":
        layout = Layout.of(model.basis, free)
    t0 = time.perf_counter()
    x, info = solve(Kf, ff, method=cfg.solver, near_null=near_null, tol=ITERATIVE_TOL, maxiter=AMG_MAXITER,
                    layout=layout)
    t_solve = time.perf_counter() - t0
    u = np.zeros(model.ndofs)
    u[free] = x
    res = float(np.linalg.norm(Kf @ x - ff) / np.linalg.norm(ff))
    return {"dofs": int(model.ndofs), "elements": int(model.nelements), "nnz": nnz,
            "mesh_s": t_mesh, "assembly_s": t_asm, "load_s": t_load, "solve_s": t_solve,
            "iterations": int(info.iterations), "residual": res, "curvature_per_m": centre_curvature(model, u)}


def _total_memory_GB() -> float:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30


def peak_rss_MB() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux reports KiB


def run_isolated(cfg: Config, timeout_s: float = 3600.0, max_memory_GB: float | None = None) -> dict:
    """Run a configuration in a fresh interpreter with cfg.threads BLAS/PARDISO threads.

    The child is killed when its resident memory passes max_memory_GB (default: half this machine's RAM),
    so a too-large case fails alone instead of waking the kernel's OOM killer on a shared machine.
    """
    import psutil

    limit = (max_memory_GB or 0.5 * _total_memory_GB()) * 2**30
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "FEM_LAMINATE_THREADS"):
        env[var] = str(cfg.threads)
    row = asdict(cfg)
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "fem_laminate.studies.bench", json.dumps(asdict(cfg))],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    child, killed = psutil.Process(proc.pid), None
    while proc.poll() is None:
        try:
            rss = child.memory_info().rss
        except psutil.NoSuchProcess:
            break
        if rss > limit:
            killed = f"stopped: resident memory passed {limit / 2**30:.1f} GB"
        elif time.perf_counter() - t0 > timeout_s:
            killed = f"timeout after {timeout_s:.0f} s"
        if killed:
            proc.kill()
            break
        time.sleep(0.2)
    out, err = proc.communicate()
    row["wall_s"] = time.perf_counter() - t0
    if killed:
        return {**row, "status": killed}
    if proc.returncode != 0:
        last = (err.strip().splitlines() or [f"exit code {proc.returncode}"])[-1]
        return {**row, "status": f"failed: {last}"}
    return {**row, **json.loads(out.strip().splitlines()[-1]), "status": "ok"}


def default_configs(sizes_2d=SIZES_2D, sizes_3d=SIZES_3D, large: bool = False,
                    compare_skfem: bool = True, family: str = "lagrange") -> list[Config]:
    """The benchmark matrix; the slow paths stop at the sizes in MAX_* (all sizes run with large=True)."""
    sizes_3d = tuple(sizes_3d) + (SIZES_LARGE_3D if large else ())
    cap = (lambda limit: float("inf")) if large else (lambda limit: limit)  # noqa: E731
    cfgs = []
    for n in sizes_2d:
        cfgs.append(Config(2, n, "fast", "pardiso", 2))
        if n <= cap(MAX_THREADS_COMPARE_DOFS):
            cfgs.append(Config(2, n, "fast", "pardiso", 1))
        if n <= cap(MAX_SPSOLVE_DOFS[2]):
            cfgs.append(Config(2, n, "fast", "spsolve", 1))
        if compare_skfem and n <= MAX_SKFEM_DOFS[2]:  # side by side on the same plane-strain problem
            cfgs += [Config(2, n, "fast", "spsolve", 1, out_of_plane="fixed"),
                     Config(2, n, "skfem", "spsolve", 1, out_of_plane="fixed")]
    for n in sizes_3d:
        cfgs.append(Config(3, n, "fast", "cg_plate", 2))
        if n <= cap(MAX_DIRECT_3D_DOFS):
            cfgs.append(Config(3, n, "fast", "pardiso", 2))
        if n <= cap(MAX_THREADS_COMPARE_DOFS):
            cfgs.append(Config(3, n, "fast", "pardiso", 1))
        if n <= cap(MAX_AMG_DOFS):
            cfgs.append(Config(3, n, "fast", "cg_amg", 1))
        if n <= cap(MAX_SPSOLVE_DOFS[3]):
            cfgs.append(Config(3, n, "fast", "spsolve", 1))
        if compare_skfem and n <= MAX_SKFEM_DOFS[3]:
            cfgs.append(Config(3, n, "skfem", "spsolve", 1))
    if family != "lagrange":  # the quadratic element family of every configuration (3D and 2D alike)
        cfgs = [Config(**{**asdict(c), "family": family}) for c in cfgs if c.quadratic]
    return cfgs


LABEL_W = 48  # "2D fast+spsolve t1 generalized_plane_strain S2"


def format_table(rows: list[dict]) -> str:
    head = (f"{'case':{LABEL_W}s} {'DOFs':>10s} {'assembly s':>11s} {'solve s':>9s} {'iters':>6s} {'peak MB':>9s} "
            f"{'load':>5s}  status")
    lines = [head, "-" * len(head)]
    for r in rows:
        if r.get("status") == "ok":
            lines.append(f"{Config(**{k: r[k] for k in Config.__dataclass_fields__}).label:{LABEL_W}s} "
                         f"{r['dofs']:10d} {r['assembly_s']:11.2f} {r['solve_s']:9.2f} "
                         f"{r['iterations'] or '-':>6} {r['peak_MB']:9.0f} {r.get('load_1min', 0.0):5.1f}  ok")
        else:
            lines.append(f"{Config(**{k: r[k] for k in Config.__dataclass_fields__}).label:{LABEL_W}s} "
                         f"{r['target_dofs']:10d} {'':11s} {'':9s} {'':6s} {'':9s} {'':5s}  {r['status']}")
    return "\n".join(lines)


def bench_command(sizes=None, out_json: str | None = "bench.json", large: bool = False, dims=(2, 3),
                  compare_skfem: bool = True, sizes_2d=SIZES_2D, sizes_3d=SIZES_3D,
                  configs: list[Config] | None = None, max_memory_GB: float | None = None, echo=print,
                  family: str = "lagrange", solver: str | None = None, wait_s: float | None = None,
                  threads: tuple | None = None) -> int:
    """CLI entry: run the benchmark matrix, print rows as they finish and the table, write JSON.

    sizes (target DOFs) replaces both size lists; dims picks 2D and/or 3D; a configuration whose memory
    passes max_memory_GB (default half the RAM) is stopped and reported; threads: run every configuration once
    with each of these thread counts (instead of its own). Returns 0 if every row ran.
    """
    if sizes is not None:
        sizes_2d = sizes_3d = tuple(int(n) for n in sizes)
    for n in (*sizes_2d, *sizes_3d):
        if not 100 <= int(n) <= 100_000_000:
            raise ValueError(f"size = {n} DOFs: must be in [100, 1e8]")
    if not set(dims) <= {2, 3}:
        raise ValueError(f"dims = {dims}: allowed 2 and/or 3")
    cfgs = configs or default_configs(sizes_2d if 2 in dims else (), sizes_3d if 3 in dims else (),
                                      large, compare_skfem, family)
    if solver is not None:
        cfgs = [c for c in cfgs if c.solver == solver]
        if not cfgs:
            raise ValueError(f"solver = {solver!r}: no configuration of these sizes and dims uses it")
    if threads:
        if not all(1 <= int(t) <= 1024 for t in threads):
            raise ValueError(f"threads = {threads}: each must be in [1, 1024]")
        seen, out = set(), []
        for c in cfgs:
            for t in threads:
                key = (*astuple(c)[:4], int(t), *astuple(c)[5:])
                if key not in seen:
                    seen.add(key)
                    out.append(Config(**{**asdict(c), "threads": int(t)}))
        cfgs = out
    from ..post.folder import locked

    if not out_json:
        return _bench(cfgs, None, max_memory_GB, echo)
    with locked(out_json, "--json", wait_s):  # another bench writing the same JSON: refused, or waited for
        return _bench(cfgs, out_json, max_memory_GB, echo)


def _bench(cfgs: list[Config], out_json: str | None, max_memory_GB: float | None, echo) -> int:
    rows = []
    meta = {"cpu_count": os.cpu_count(), "python": sys.version.split()[0], "machine": os.uname().machine,
            "date_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "load_average_at_start": os.getloadavg(), "total_memory_GB": _total_memory_GB(),
            "stack": [f"{name} {t * 1e6:g} um" for name, t in STACK], "length_m": LENGTH_M}
    echo("\n".join(format_table([]).splitlines()[:2]))  # the header; then each row once, as it finishes
    for cfg in cfgs:
        load = os.getloadavg()[0]  # the machine may be shared: the load beside each timing
        rows.append({**run_isolated(cfg, max_memory_GB=max_memory_GB), "load_1min": load, "model": cfg.model})
        echo(format_table(rows[-1:]).splitlines()[-1])
        if out_json:
            with open(out_json + ".tmp", "w") as fh:
                json.dump({"meta": meta, "results": rows}, fh, indent=1)
            os.replace(out_json + ".tmp", out_json)
    ok = sum(r["status"] == "ok" for r in rows)
    echo(f"{ok} of {len(rows)} configurations ran" + (f"; results in {out_json}" if out_json else ""))
    return 0 if ok == len(rows) else 1


if __name__ == "__main__":  # one isolated configuration: JSON config in, JSON result out
    cfg = Config(**json.loads(sys.argv[1]))
    out = run_config(cfg)
    out["peak_MB"] = peak_rss_MB()
    ru = resource.getrusage(resource.RUSAGE_SELF)
    out["cpu_s"] = ru.ru_utime + ru.ru_stime  # the whole process; on a shared machine wall time depends on the load
    print(json.dumps(out))
