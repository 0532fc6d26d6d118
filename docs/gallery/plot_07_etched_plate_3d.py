"""
An etched circuit pattern curls the panel (3D, rendered off screen)
===================================================================

A 3 × 3 mm panel of copper 18 µm on PI I 25 µm, stress-free at 350 °C and cooled to 25 °C, then the copper is
etched into lines 300 µm wide at a 600 µm pitch along x (a patterned ``etch`` step on a ``plate3d`` mesh: the
copper elements outside the pattern are removed and equilibrium is solved again). The lines stiffen the panel
along x only, so the etched panel curls more across the lines than along them. The last ParaView frame
(``fem_laminate.post.vtk_series.frame_grid``, the same data ``process.pvd`` holds) is rendered with PyVista off screen,
the displacement magnified 10 times.
"""
# %%
import pyvista as pv

from fem_laminate.case import load_case_dict
from fem_laminate.job import simulate
from fem_laminate.post.vtk_series import frame_grid

pv.OFF_SCREEN = True
case = load_case_dict({
    "name": "etched lines",
    "initial_temperature_C": 350.0,
    "layers": [{"material": "pi_I", "thickness_um": 25.0}, {"material": "copper_ed", "thickness_um": 18.0}],
    "mesh": {"model": "plate3d", "length_mm": 3.0, "width_mm": 3.0, "nx": 10, "ny": 10, "n_per_layer": 1,
             "element": "serendipity"},
    "physics": {"viscoelastic": False, "copper_plasticity": False, "copper_creep": False, "moisture": False,
                "cure_shrinkage": False},
    "steps": [{"kind": "cool", "from_C": 350.0, "to_C": 25.0},
              {"kind": "etch", "side": "top",
               "pattern": {"kind": "lines", "line_um": 300.0, "space_um": 300.0, "direction": "x"}}],
}, source="gallery")
state, record, summary = simulate(case)
ep = summary["etch_pattern"]
print("copper fraction meshed:", round(ep["copper_fraction_meshed"], 3))
print("principal curvatures before / after the etch (1/m):",
      ep["warpage_before"]["principal_curvatures_1_per_m"], ep["warpage_after"]["principal_curvatures_1_per_m"])

# %%
# The etched panel, coloured by von Mises stress, with the deformation magnified.
grid = frame_grid(state, record.frames[-1], "2_etch", "etch")
grid.points *= 1e3  # mm
grid.points[:, 2] *= 5.0  # the thickness drawn 5x
warped = grid.warp_by_vector("displacement_m", factor=10.0 * 1e3)  # the displacement (m) drawn 10x, in mm
plotter = pv.Plotter(off_screen=True, window_size=[900, 550])
plotter.add_mesh(warped, scalars="von_mises_Pa", cmap="viridis", show_edges=True,
                 scalar_bar_args={"title": "von Mises (Pa)"})
plotter.add_text("Cu lines on PI I after etching (displacement x10, thickness x5)", font_size=10)
plotter.view_isometric()
plotter.show()
