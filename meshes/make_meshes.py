"""Regenerate the bundled external meshes (gmsh 2.2 with one physical group per layer)."""
from pathlib import Path

from fem_laminate.case import load_case
from fem_laminate.model.mesh import layered_mesh_2d
from fem_laminate.model.mesh_io import write_layered_mesh

HERE = Path(__file__).resolve().parent

if __name__ == "__main__":
    stack = load_case(HERE.parent / "cases" / "example_1.toml").full_stack()
    lm = layered_mesh_2d(stack.interfaces_m, 10e-3, nx=60, n_per_layer=2)
    write_layered_mesh(lm, [lay.name for lay in stack.layers], HERE / "example_1_2d.msh")
