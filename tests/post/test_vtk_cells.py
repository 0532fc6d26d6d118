"""The ParaView cells are the solver's elements: scikit-fem's node order mapped to VTK's, checked with VTK itself.

On a distorted mesh (non-affine, so a wrong node order shows), for each element family: every cell's VTK area
(2D) or volume (3D) equals the element's measure from scikit-fem's quadrature, VTK's shape functions
reproduce a quadratic (linear elements: linear) field exactly at random points of every cell, and every cell is
positively oriented (VTK's Jacobian at its centre).
"""
import dataclasses

import numpy as np
import pytest

pv = pytest.importorskip("pyvista")

from fem_laminate.model.mesh import layered_mesh_2d, layered_mesh_3d  # noqa: E402
from fem_laminate.physics.fe import elastic  # noqa: E402
from fem_laminate.post.vtk_series import vtk_cells  # noqa: E402

ELEMENTS = [(2, "lagrange", True, 28), (2, "serendipity", True, 23), (2, "lagrange", False, 9),
            (3, "lagrange", True, 29), (3, "serendipity", True, 25), (3, "lagrange", False, 12)]


def distorted_model(dim: int, family: str, quadratic: bool):
    itf = [0.0, 20e-6, 50e-6]
    if dim == 2:
        lm = layered_mesh_2d(itf, 1e-4, nx=5, n_per_layer=2, edge_refinement=0.5)
        x, y = lm.mesh.p
        p = np.vstack([x + 3e-6 * np.sin(2e5 * y), y + 2e-6 * np.sin(7e4 * x)])
    else:
        lm = layered_mesh_3d(itf, 1e-4, 8e-5, nx=3, ny=2, n_per_layer=1)
        x, y, z = lm.mesh.p
        # in-plane only, each coordinate after the other: every face stays planar (a prism over a quad), so a
        # tetrahedral split measures the exact trilinear volume
        p = np.vstack([x + 4e-6 * np.sin(9e4 * y), y + 3e-6 * np.sin(7e4 * x), z])
    mesh = type(lm.mesh)(p, lm.mesh.t)
    return elastic.make_model(dataclasses.replace(lm, mesh=mesh), quadratic=quadratic, family=family)


def _sub():
    from vtkmodules.vtkCommonCore import reference
    return reference(0)  # vtkCell.EvaluateLocation's subId (an int& in C++)


def field(x, quadratic: bool):
    """A full quadratic (or linear) polynomial of the coordinates, scaled to order 1."""
    x = np.asarray(x) * 1e4
    lin = 0.3 + x[..., 0] - 2.0 * x[..., 1] + 0.5 * x[..., 2]
    if not quadratic:
        return lin
    return lin + x[..., 0] ** 2 - 0.7 * x[..., 0] * x[..., 1] + 1.3 * x[..., 1] ** 2 + 0.4 * x[..., 2] ** 2 \
        - 0.9 * x[..., 1] * x[..., 2] + 0.6 * x[..., 0] * x[..., 2]


@pytest.mark.parametrize("dim,family,quadratic,vtk_type", ELEMENTS)
def test_vtk_cells_are_the_elements(dim, family, quadratic, vtk_type):
    model = distorted_model(dim, family, quadratic)
    ctype, conn = vtk_cells(model.basis)
    assert ctype == vtk_type and conn.shape == (model.nelements, model.basis.elem.doflocs.shape[0])
    pts = np.zeros((model.nnodes, 3))
    pts[:, :dim] = model.basis.doflocs.T
    grid = pv.UnstructuredGrid({ctype: conn}, pts)
    grid.point_data["f"] = field(pts, quadratic)

    sizes = grid.compute_cell_sizes(length=False, area=dim == 2, volume=dim == 3)
    vtk_measure = sizes.cell_data["Area" if dim == 2 else "Volume"]
    fem_measure = model.basis.dx.sum(axis=1)  # |det J| times the quadrature weights
    np.testing.assert_allclose(vtk_measure, fem_measure, rtol=1e-9)

    rng = np.random.default_rng(3)
    for i in range(grid.n_cells):
        cell = grid.GetCell(i)
        n = cell.GetNumberOfPoints()
        f_nodes = np.array([grid.point_data["f"][cell.GetPointId(k)] for k in range(n)])
        for pc in list(rng.random((4, 3))) + [np.full(3, 0.5)]:
            if dim == 2:
                pc[2] = 0.0
            x, w = [0.0, 0.0, 0.0], [0.0] * n
            cell.EvaluateLocation(_sub(), list(pc), x, w)
            assert np.dot(w, f_nodes) == pytest.approx(float(field(np.array(x), quadratic)), abs=1e-9)
        # orientation: VTK's map from parametric to physical space has a positive Jacobian at the centre
        h = 1e-4
        cols = []
        for a in range(dim):
            lo, hi = np.full(3, 0.5), np.full(3, 0.5)
            if dim == 2:
                lo[2] = hi[2] = 0.0
            lo[a] -= h
            hi[a] += h
            xl, xh, w = [0.0] * 3, [0.0] * 3, [0.0] * n
            cell.EvaluateLocation(_sub(), list(lo), xl, w)
            cell.EvaluateLocation(_sub(), list(hi), xh, w)
            cols.append((np.array(xh) - np.array(xl))[:dim] / (2 * h))
        assert np.linalg.det(np.array(cols).T) > 0, f"cell {i} is inverted"
