"""Layered meshes of the laminate: 2D cross-sections (x along the sample, y through the thickness)
and 3D plates (x, y in plane, z through the thickness), plus external meshes through meshio.

Geometry is carried by linear quads/hexes (the layered box is exactly trilinear); the displacement
field uses quadratic Lagrange elements (ElementQuad2 / ElementHex2) on top of it, which do not lock
when a thin layer bends (plain bilinear/trilinear elements do: tests/physics/test_elastic.py,
test_trilinear_hexes_lock_quadratic_do_not).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from skfem import MeshHex, MeshQuad

from .pattern import grid_with_breaks


@dataclass
class LayeredMesh:
    mesh: object  # skfem MeshQuad (2D) or MeshHex (3D), linear geometry
    layer: np.ndarray  # (nelements,) layer index of each element, 0 = bottom
    dim: int  # 2 or 3
    interfaces_m: np.ndarray  # layer boundaries through the thickness, 0 at the bottom
    length_m: float
    width_m: float | None = None

    @property
    def nlayers(self) -> int:
        return len(self.interfaces_m) - 1

    @property
    def thickness_coord(self) -> np.ndarray:
        """Through-thickness coordinate of the mesh vertices."""
        return self.mesh.p[self.dim - 1]


def _edge_graded(a: float, b: float, n: int, edge_fraction: float) -> np.ndarray:
    """Points on [a, b] uniform in the middle and geometrically refined toward both ends.

    edge_fraction is the ratio of the end element to the mid element (<= 1).
    """
    if edge_fraction >= 1.0 or n < 6:
        return np.linspace(a, b, n + 1)
    # element sizes follow a cosine bump between edge_fraction and 1
    s = (np.arange(n) + 0.5) / n
    h = edge_fraction + (1 - edge_fraction) * np.sin(np.pi * s) ** 0.5
    x = np.concatenate([[0.0], np.cumsum(h)])
    return a + (b - a) * x / x[-1]


def _through_thickness(interfaces_m, n_per_layer, interface_grading: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Node coordinates through the thickness and the layer index of each element row."""
    interfaces_m = np.asarray(interfaces_m, dtype=float)
    nl = len(interfaces_m) - 1
    if np.isscalar(n_per_layer):
        n_per_layer = [int(n_per_layer)] * nl
    if len(n_per_layer) != nl:
        raise ValueError(f"n_per_layer has {len(n_per_layer)} entries for {nl} layers")
    zs, lay = [interfaces_m[:1]], []
    for i in range(nl):
        n = int(n_per_layer[i])
        if n < 1:
            raise ValueError("each layer needs at least one element through its thickness")
        z0, z1 = interfaces_m[i], interfaces_m[i + 1]
        if interface_grading > 1.0 and n >= 3:
            # finer next to the interfaces, where the stress jumps
            zz = _edge_graded(z0, z1, n, 1.0 / interface_grading)
        else:
            zz = np.linspace(z0, z1, n + 1)
        zs.append(zz[1:])
        lay += [i] * n
    return np.concatenate(zs), np.array(lay, dtype=int)


def layered_mesh_2d(interfaces_m, length_m: float, nx: int = 80, n_per_layer=2,
                    edge_refinement: float = 0.25, interface_grading: float = 1.0) -> LayeredMesh:
    """Cross-section x in [-L/2, L/2], y in [0, h]; elements ordered row-major through the layers."""
    x = _edge_graded(-0.5 * length_m, 0.5 * length_m, int(nx), edge_refinement)
    y, lay_rows = _through_thickness(interfaces_m, n_per_layer, interface_grading)
    mesh = MeshQuad.init_tensor(x, y)
    # element layer from its centroid height
    yc = mesh.p[1, mesh.t].mean(axis=0)
    layer = np.searchsorted(np.asarray(interfaces_m)[1:-1], yc, side="right")
    return LayeredMesh(mesh=mesh, layer=layer.astype(int), dim=2,
                       interfaces_m=np.asarray(interfaces_m, float), length_m=float(length_m))


def layered_mesh_3d(interfaces_m, length_m: float, width_m: float, nx: int = 20, ny: int = 20,
                    n_per_layer=1, edge_refinement: float = 1.0, interface_grading: float = 1.0,
                    pattern=None) -> LayeredMesh:
    """Plate x in [-L/2, L/2], y in [-W/2, W/2], z in [0, h].

    With a copper `pattern` (model.pattern) every edge of the pattern is a grid line and the spans between edges
    are divided into elements no longer than L/nx (W/ny): the etched geometry is resolved, not smeared.
    """
    if pattern is not None:
        x = grid_with_breaks(-0.5 * length_m, 0.5 * length_m, nx, pattern.breaks(0, -0.5 * length_m, 0.5 * length_m))
        y = grid_with_breaks(-0.5 * width_m, 0.5 * width_m, ny, pattern.breaks(1, -0.5 * width_m, 0.5 * width_m))
    else:
        x = _edge_graded(-0.5 * length_m, 0.5 * length_m, int(nx), edge_refinement)
        y = _edge_graded(-0.5 * width_m, 0.5 * width_m, int(ny), edge_refinement)
    z, _ = _through_thickness(interfaces_m, n_per_layer, interface_grading)
    mesh = MeshHex.init_tensor(x, y, z)
    zc = mesh.p[2, mesh.t].mean(axis=0)
    layer = np.searchsorted(np.asarray(interfaces_m)[1:-1], zc, side="right")
    return LayeredMesh(mesh=mesh, layer=layer.astype(int), dim=3,
                       interfaces_m=np.asarray(interfaces_m, float), length_m=float(length_m),
                       width_m=float(width_m))
