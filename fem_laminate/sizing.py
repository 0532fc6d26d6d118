"""How large a case is before anything is allocated: DOFs from the mesh controls, peak memory from a per-DOF
factor, compared with the memory this machine has free. A case that would not fit is refused at load (CaseError,
exit 2) with the estimate and the largest resolution that fits, instead of dying in MemoryError minutes later.

The per-DOF factors were measured with benchmarks/size_calibration.py (peak RSS of job.simulate above the
interpreter after imports, Example 1 with cure + cool, sparse direct solver; benchmarks/results/
size_calibration.txt): 2D 7.5 kB/DOF at 20k DOFs falling to 5.3 kB/DOF at 800k; 3D (Hex27 plate) 24-29 kB/DOF
from 13k to 112k DOFs. The factors below are the largest measured; in 3D the direct factorisation's fill grows
like N^(4/3) (nested dissection), so beyond the largest measured size the factor grows with (N / 112k)^(1/3).
The estimate errs on the safe side. A 3D case whose factorisation would not fit runs with the iterative solver
(physics/solvers.choose_method), whose memory is linear; the estimate takes the smaller of the two. Iterative chain,
measured with benchmarks/bench_chain_memory.py (peak RSS of the whole `fem-laminate run`, benchmarks/results/
chain_memory.json): circuit_lines_small, 38k DOFs, 0.53 GB; circuit_lines.toml cut to 4 x 4 mm, 153k DOFs, cool
then etch into 50/50 um lines, 1.22 GB; the whole circuit_lines.toml, 1.34 M DOFs, 7.96 GB. Above the fixed
allowance these are 5.9, 6.0 and 5.7 kB/DOF (the etched body's stiffness and cut levels kept as triangles,
docs/hpc.md "Chain memory"); 7 kB/DOF covers them with a margin of a sixth (the whole case: estimate 9.6 GB).
One solve alone is 4.3 kB/DOF.
"""
from __future__ import annotations

import logging
import math

from .errors import CaseError
from .model.mesh_io import load_layered_mesh, resolve
from .physics.fe.solvers import available_bytes  # the memory the solver choice also reads (tests patch it here)
from .process.step import STEP_KINDS, layers_present_at, patterns

# peak bytes per DOF (measured, see the module docstring; for the serendipity family, 8/20-node elements, the
# Lagrange node count is used: an over-estimate), and a fixed allowance for the interpreter, plots, VTU
BYTES_PER_DOF = {2: 7500.0, 3: 30000.0}
MEASURED_DOFS_3D = 112_000
BYTES_PER_DOF_ITERATIVE_3D = 7000.0  # process chain with the iterative solver (linear in the DOFs; measured
# 5.7-6.0k above OVERHEAD_BYTES at 38k to 1.34 M DOFs)
OVERHEAD_BYTES = 300e6
USABLE_FRACTION = 0.8  # of the memory psutil reports available: leave room for the OS and the other processes
MAX_DOFS = 20_000_000  # beyond this no bundled solver path finishes in hours, whatever the memory
MAX_MESH_FILE_BYTES = 500e6  # an external mesh is read once at load to check it; larger files are refused


def _nodes(n: int, quadratic: bool) -> int:
    return 2 * n + 1 if quadratic else n + 1


def mesh_dofs(model: str, nlayers: int, nx: int, ny: int, n_per_layer: int, quadratic: bool = True,
              family: str = "lagrange") -> int:
    """DOFs of the generated layered mesh (model/mesh.py + physics/fe/elastic.py's fields): Lagrange Quad9 / Hex27,
    serendipity Quad8 / Hex20 (vertices and edge midpoints only), or linear."""
    if model == "plate3d":
        nz = min(n_per_layer, 4) * nlayers
        if quadratic and family == "serendipity":
            v = (nx + 1) * (ny + 1) * (nz + 1)
            edges = nx * (ny + 1) * (nz + 1) + (nx + 1) * ny * (nz + 1) + (nx + 1) * (ny + 1) * nz
            return 3 * (v + edges)
        return 3 * _nodes(nx, quadratic) * _nodes(ny, quadratic) * _nodes(nz, quadratic)
    nz = n_per_layer * nlayers
    if quadratic and family == "serendipity":
        return 2 * ((nx + 1) * (nz + 1) + nx * (nz + 1) + (nx + 1) * nz) + 2
    return 2 * _nodes(nx, quadratic) * _nodes(nz, quadratic) + 2  # + the out-of-plane strain unknowns


def peak_bytes(dofs: int, dim: int) -> float:
    """Estimated peak resident memory (bytes) of a run with `dofs` unknowns in `dim` dimensions."""
    if dim != 3:
        return OVERHEAD_BYTES + BYTES_PER_DOF[dim] * dofs
    growth = max(1.0, dofs / MEASURED_DOFS_3D) ** (1.0 / 3.0)
    return OVERHEAD_BYTES + min(BYTES_PER_DOF[3] * growth, BYTES_PER_DOF_ITERATIVE_3D) * dofs


def _gb(b: float) -> str:
    return f"{b / 1e9:.3g} GB"


def _largest(fits, hi: int) -> int:
    """The largest n in [1, hi] with fits(n) (fits is monotone), 0 if none."""
    lo = 0
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if fits(mid):
            lo = mid
        else:
            hi = mid - 1
    return lo


def external_mesh_dofs(case) -> tuple[int, int]:
    """Read (and so check, at load: layer groups, thickness) the case's external mesh; its DOFs and dimension."""
    m = case.spec.mesh
    try:
        size = resolve(m.file, case.source).stat().st_size
    except (FileNotFoundError, OSError):
        size = 0  # load_layered_mesh says it is missing, in one line
    if size > MAX_MESH_FILE_BYTES:
        raise CaseError(f"{case.source}: field 'mesh.file' = {m.file!r} is not allowed: {size / 1e6:.0f} MB (at most "
                        f"{MAX_MESH_FILE_BYTES / 1e6:.0f} MB)")
    skfem_log = logging.getLogger("skfem")
    level = skfem_log.level
    skfem_log.setLevel(logging.ERROR)  # "Failure to parse tags": mesh_io reads the gmsh layer groups itself
    try:
        lm = load_layered_mesh(m.file, case.full_stack(), source=case.source)
    finally:
        skfem_log.setLevel(level)
    case.external_mesh = lm  # read once: the run meshes from this
    mesh = lm.mesh
    if not m.quadratic:
        nodes = mesh.nvertices
    elif lm.dim == 2:  # Quad2: vertices, edge midpoints, centres
        nodes = mesh.nvertices + mesh.nfacets + mesh.nelements
    else:  # Hex2 (27 nodes): vertices, edges, faces, centres
        nodes = mesh.nvertices + mesh.nedges + mesh.nfacets + mesh.nelements
    return int(lm.dim * nodes + (2 if lm.dim == 2 else 0)), lm.dim


MAX_PATTERN_EDGES = 1_000_000


def _grid_elements(case, axis: int, span_m: float, n: int, pats=None) -> int:
    """Elements along one axis of a plate whose grid has a line on every edge of the case's circuit patterns
    (model.pattern.grid_with_breaks): counted from the break positions, which are first counted without
    building them (2 per pitch for lines and pads) so that a micron pitch over a metre is refused, not built."""
    pats = patterns(case) if pats is None else pats
    if not pats:
        return n
    count = 0
    for p in pats:
        pitch = getattr(p, "pitch_m", None)
        if pitch and getattr(p, "across", axis) == axis:
            count += 2 * int(math.ceil(span_m / pitch)) + 4
    if count > MAX_PATTERN_EDGES:
        return n + count
    import numpy as np

    lo, hi = -0.5 * span_m, 0.5 * span_m
    b = np.unique(np.concatenate([[lo, hi]] + [p.breaks(axis, lo, hi) for p in pats]))
    h = span_m / max(n, 1)
    return int(np.maximum(1, np.ceil(np.diff(b) / h - 1e-9)).sum())


def _plate_dofs(case, m, nl, family, nx: int, ny: int) -> int:
    gx = _grid_elements(case, 0, m.length_mm * 1e-3, nx)
    gy = _grid_elements(case, 1, m.width_mm * 1e-3, ny)
    return mesh_dofs(m.model, nl, gx, gy, m.n_per_layer, m.quadratic, family)


def _largest_plate(case, m, nl, family, ok) -> str:
    """The finest plate grid that fits, keeping the case's nx : ny ratio, with the circuit pattern's grid lines
    counted (they stay whatever nx, ny are); a sentence for the error message."""
    def scaled(k):  # k/1000 of the requested divisions
        return max(1, round(m.nx * k / 1000)), max(1, round(m.ny * k / 1000))

    def fits(k):
        return ok(_plate_dofs(case, m, nl, family, *scaled(k)), 3)

    best = _largest(fits, 1000)
    if best == 0:
        return ("none at any nx, ny: the etch pattern's own grid lines (or the layers) alone need more: use a "
                "smaller panel, a coarser pattern, fewer layers or n_per_layer")
    nx, ny = scaled(best)
    return f"nx = {nx}, ny = {ny} (the same nx : ny)"


def resolved_pattern_fits(case, pats) -> bool:
    """Whether the plate mesh with a grid line on every edge of `pats` fits this machine (etch_pattern_model =
    'auto' resolves the pattern then, and homogenizes it otherwise)."""
    m = case.spec.mesh
    nl = len(case.full_stack().layers)
    gx = _grid_elements(case, 0, m.length_mm * 1e-3, m.nx, pats)
    gy = _grid_elements(case, 1, m.width_mm * 1e-3, m.ny, pats)
    dofs = mesh_dofs(m.model, nl, gx, gy, m.n_per_layer, m.quadratic, getattr(m, "element", "lagrange"))
    return dofs <= MAX_DOFS and peak_bytes(dofs, 3) <= USABLE_FRACTION * available_bytes()


def choose_pattern_models(case) -> None:
    """mesh.etch_pattern_model = 'auto': each patterned etch is resolved if its pattern's mesh fits, else
    homogenized (kept on the step's spec, read by process/etch.pattern_model)."""
    if getattr(case.spec.mesh, "etch_pattern_model", "resolved") != "auto" or case.spec.mesh.model != "plate3d":
        return
    for i, step in enumerate(case.spec.steps):
        # while a step's model is still the default ("resolved"), its kind names the patterns the mesh would cut
        pats = STEP_KINDS[step.kind].mesh_patterns(step, case, i)
        if not pats:
            continue
        step._model = "resolved" if resolved_pattern_fits(case, pats) else "homogenized"
        if step._model == "homogenized" and getattr(step, "side", None) == "both":
            raise CaseError(f"{case.source}: field 'steps.{i}.side' = 'both' is not allowed here: the resolved "
                            "pattern does not fit this machine and the homogenized etch takes one side a step")


def check_size(case) -> None:
    """Refuse (CaseError) a case whose mesh or curl samples would not fit in memory or exceed MAX_DOFS."""
    m = case.spec.mesh
    budget = USABLE_FRACTION * available_bytes()
    choose_pattern_models(case)

    def ok(dofs, dim):
        return dofs <= MAX_DOFS and peak_bytes(dofs, dim) <= budget

    if m.file:
        dofs, dim = external_mesh_dofs(case)
        if not ok(dofs, dim):
            raise CaseError(f"{case.source}: field 'mesh.file' = {m.file!r} is not allowed on this machine: the mesh "
                            f"has about {dofs:,} DOFs and needs about {_gb(peak_bytes(dofs, dim))} at its peak, "
                            f"{_gb(budget)} is usable (at most {MAX_DOFS:,} DOFs); use a coarser mesh")
    else:
        nl = len(case.full_stack().layers)
        dim = 3 if m.model == "plate3d" else 2
        family = getattr(m, "element", "lagrange")
        gx = _grid_elements(case, 0, m.length_mm * 1e-3, m.nx) if dim == 3 else m.nx
        gy = _grid_elements(case, 1, m.width_mm * 1e-3, m.ny) if dim == 3 else m.ny
        dofs = mesh_dofs(m.model, nl, gx, gy, m.n_per_layer, m.quadratic, family)
        if not ok(dofs, dim):
            if dim == 3:
                fit = _largest_plate(case, m, nl, family, ok)
                field = f"mesh.nx' = {m.nx}, 'mesh.ny' = {m.ny}"
            else:
                best = _largest(lambda n: ok(mesh_dofs(m.model, nl, n, m.ny, m.n_per_layer, m.quadratic, family), 2), 20000)
                fit = f"nx = {best} with n_per_layer = {m.n_per_layer}" if best >= 4 else \
                    "none: use fewer layers or n_per_layer"
                field = f"mesh.nx' = {m.nx}"
            grid = (f"with a grid line on every etch-pattern edge the plate mesh is {gx:,} x {gy:,} elements, "
                    if dim == 3 and (gx, gy) != (m.nx, m.ny) else "")
            raise CaseError(f"{case.source}: field '{field} is not allowed on this machine: {grid}the mesh has about "
                            f"{dofs:,} DOFs and needs about {_gb(peak_bytes(dofs, dim))} at its peak, "
                            f"{_gb(budget)} is usable (at most {MAX_DOFS:,} DOFs); the largest resolution that "
                            f"fits: {fit}")
    for i, step in enumerate(case.spec.steps):  # the steps that solve a model of their own (a curl sample)
        own = STEP_KINDS[step.kind].own_model
        if own is None:
            continue
        nl = max(1, len(layers_present_at(case, i)))
        dofs = own.dofs(step, nl)
        if not ok(dofs, own.dim):
            best = _largest(lambda n: ok(own.dofs(step.model_copy(update={own.resolution: n}), nl), own.dim),
                            own.finest)
            fit = f"{own.resolution} = {best}" if best >= own.coarsest else own.none_fits
            raise CaseError(f"{case.source}: field 'steps.{i}.{own.resolution}' = {getattr(step, own.resolution)} is "
                            f"not allowed on this machine: {own.describe(step)} has about {dofs:,} DOFs "
                            f"and needs about {_gb(peak_bytes(dofs, own.dim))}, {_gb(budget)} is usable (at most "
                            f"{MAX_DOFS:,} DOFs); the largest that fits: {fit}")
