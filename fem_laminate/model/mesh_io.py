"""External meshes through meshio: layers are physical groups (gmsh) or cell sets named after the layers.

A group is matched to a layer by the layer's name in the case's full stack (e.g. "cu_foil", "pi_I",
"cu_bonded") or by "layer_<i>" (0 = bottom). Linear quads (2D) and hexahedra (3D) are accepted; the
quadratic field is built on top as for the generated meshes.
"""
from __future__ import annotations

from pathlib import Path

import meshio
import numpy as np
from skfem.io.meshio import from_meshio

from .mesh import LayeredMesh


def resolve(path: str, case_source: str | None) -> Path:
    """Look for the mesh beside the case file, then in the working folder, then in meshes/."""
    p = Path(path)
    cands = [p]
    if case_source:
        cands.insert(0, Path(case_source).parent / p)
        cands.append(Path(case_source).parent.parent / "meshes" / p.name)
    cands.append(Path("meshes") / p.name)
    for c in cands:
        if c.is_file():
            return c
    raise FileNotFoundError(path)


def load_layered_mesh(path: str, stack, source: str | None = None) -> LayeredMesh:
    """Read a mesh and assign each element to a layer of `stack`; ValueError with a one-line reason."""
    from ..errors import CaseError

    try:
        f = resolve(path, source)
    except FileNotFoundError:
        raise CaseError(f"{source}: field 'mesh.file' = {path!r} is not allowed: file not found "
                        "(looked beside the case file and in meshes/)") from None
    try:
        m = meshio.read(f)
        mesh = from_meshio(m)
    except Exception as exc:  # meshio raises many types for unreadable files
        raise CaseError(f"{source}: field 'mesh.file' = {path!r} is not allowed: cannot read it ({exc})") from None
    dim = mesh.p.shape[0]
    if type(mesh).__name__ not in ("MeshQuad1", "MeshHex1"):
        raise CaseError(f"{source}: field 'mesh.file' = {path!r} is not allowed: needs linear quads (2D) or "
                        f"hexahedra (3D), got {type(mesh).__name__}")
    names = {lay.name: i for i, lay in enumerate(stack.layers)}
    names.update({f"layer_{i}": i for i in range(len(stack.layers))})
    layer = -np.ones(mesh.nelements, dtype=int)
    ctype = "quad" if dim == 2 else "hexahedron"
    block = [k for k, c in enumerate(m.cells) if c.type == ctype]
    if "gmsh:physical" in m.cell_data and block:
        tags = np.concatenate([m.cell_data["gmsh:physical"][k] for k in block])
        tag_name = {int(v[0]): n for n, v in m.field_data.items() if int(v[1]) == dim}
        for tag in np.unique(tags):
            if tag_name.get(int(tag)) in names:
                layer[tags == tag] = names[tag_name[int(tag)]]
    elif "layer" in m.cell_data and block:  # e.g. a .vtu written by fem_laminate
        layer = np.concatenate([m.cell_data["layer"][k] for k in block]).astype(int)
        layer[(layer < 0) | (layer >= len(stack.layers))] = -1
    if (layer < 0).any():
        raise CaseError(f"{source}: field 'mesh.file' = {path!r} is not allowed: {int((layer < 0).sum())} elements "
                        f"are in no layer group; name the groups {', '.join(lay.name for lay in stack.layers)}")
    h = mesh.p[dim - 1]
    if abs(np.ptp(h) - stack.thickness_m) > 1e-3 * stack.thickness_m:
        raise CaseError(f"{source}: field 'mesh.file' = {path!r} is not allowed: its thickness "
                        f"{np.ptp(h) * 1e6:.3g} um differs from the stack's {stack.thickness_m * 1e6:.3g} um "
                        "(coordinates in metres, thickness along the last axis)")
    mesh = mesh.translated([0.0] * (dim - 1) + [-h.min()])
    x = mesh.p[0]
    mesh = mesh.translated([-0.5 * (x.max() + x.min())] + ([-0.5 * (mesh.p[1].max() + mesh.p[1].min())]
                                                           if dim == 3 else []) + [0.0])
    return LayeredMesh(mesh=mesh, layer=layer, dim=dim, interfaces_m=stack.interfaces_m,
                       length_m=float(np.ptp(mesh.p[0])), width_m=float(np.ptp(mesh.p[1])) if dim == 3 else None)


def write_layered_mesh(lmesh: LayeredMesh, names: list[str], path) -> None:
    """Write a layered mesh as gmsh 2.2 with one physical group per layer (how meshes/ files are made)."""
    mesh = lmesh.mesh
    dim = lmesh.dim
    pts = np.zeros((mesh.p.shape[1], 3))
    pts[:, :dim] = mesh.p.T
    if dim == 2:
        cells = [("quad", mesh.t.T)]
    else:
        from skfem.io.meshio import HEX_MAPPING
        cells = [("hexahedron", mesh.t[HEX_MAPPING[:8]].T)]
    tags = (lmesh.layer + 1).astype(np.int32)
    m = meshio.Mesh(pts, cells, cell_data={"gmsh:physical": [tags], "gmsh:geometrical": [tags]},
                    field_data={n: np.array([i + 1, dim]) for i, n in enumerate(names)})
    meshio.write(path, m, file_format="gmsh22", binary=False)
