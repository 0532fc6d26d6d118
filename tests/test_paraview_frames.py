"""The ParaView frames of a 3D plate are valid VTK hexahedra: scikit-fem numbers a hexahedron's vertices in
another order than VTK, and a frame written in scikit-fem's order shows twisted cells of zero or negative volume."""
import numpy as np

from fem_laminate.case import load_case_dict
from fem_laminate.job import simulate
from fem_laminate.post.vtk_series import frame_grid


def test_plate_frames_are_valid_hexahedra_filling_the_plate():
    pv = __import__("pyvista")
    case = load_case_dict({
        "name": "plate", "initial_temperature_C": 100.0,
        "layers": [{"material": "pi_I", "thickness_um": 25.0}, {"material": "copper_ed", "thickness_um": 18.0}],
        "mesh": {"model": "plate3d", "length_mm": 2.0, "width_mm": 1.0, "nx": 4, "ny": 4, "n_per_layer": 1},
        "physics": {"viscoelastic": False, "copper_plasticity": False, "copper_creep": False, "moisture": False,
                    "cure_shrinkage": False},
        "steps": [{"kind": "cool", "from_C": 100.0, "to_C": 25.0}]}, source="test")
    state, record, _ = simulate(case)
    grid = frame_grid(state, record.frames[-1], "1_cool", "cool")
    volumes = grid.compute_cell_sizes(length=False, area=False, volume=True).cell_data["Volume"]
    assert np.all(volumes > 0)
    assert volumes.sum() == np.float64(volumes.sum())  # finite
    assert abs(volumes.sum() - 2e-3 * 1e-3 * 43e-6) < 1e-9 * 2e-3 * 1e-3 * 43e-6 * 1e3
