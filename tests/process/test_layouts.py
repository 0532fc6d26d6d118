"""Real layouts in: Gerber RS-274X copper layers and DXF drawings as etch patterns, centred on the panel; a bad
file is one line naming it; mesh.etch_pattern_model picks the resolved or the homogenized etch."""
import math

import numpy as np
import pytest

from fem_laminate import job, sizing
from fem_laminate.case import load_case_dict
from fem_laminate.errors import CaseError
from fem_laminate.model import layout_io
from fem_laminate.process import etch

GERBER = """G04 test layer*
%FSLAX46Y46*%
%MOMM*%
%ADD10R,1.000X2.000*%
%ADD11C,0.200*%
%ADD12C,1.000*%
G01*
D10*
X10000000Y10000000D03*
D11*
X20000000Y10000000D02*
X25000000Y10000000D01*
G36*
X30000000Y30000000D02*
X33000000Y30000000D01*
X33000000Y33000000D01*
X30000000Y33000000D01*
X30000000Y30000000D01*
G37*
%LPC*%
D12*
X31500000Y31500000D03*
M02*
"""
# a 1 x 2 mm flash, a 5 mm trace 0.2 mm wide with round ends, a 3 x 3 mm region less a 1 mm clear hole
GERBER_AREA_MM2 = 2.0 + (5 * 0.2 + math.pi * 0.1**2) + (9.0 - math.pi * 0.5**2)


def test_gerber_layer_area_polarity_and_centring(tmp_path):
    f = tmp_path / "top.gtl"
    f.write_text(GERBER)
    g = layout_io.read_gerber(f)
    assert abs(g.area * 1e6 / GERBER_AREA_MM2 - 1) < 2e-3  # arcs as 64-gons
    x0, y0, x1, y1 = g.bounds
    assert np.allclose([x0, y0, x1, y1], [9.5e-3, 9e-3, 33e-3, 33e-3])
    c = layout_io.centred(g)
    assert np.allclose(np.add(c.bounds[:2], c.bounds[2:]), 0.0, atol=1e-15)


def test_dxf_closed_polylines_circles_and_hatches(tmp_path):
    ezdxf = pytest.importorskip("ezdxf")
    doc = ezdxf.new()
    msp = doc.modelspace()
    msp.add_lwpolyline([(0, 0), (2, 0), (2, 2), (0, 2)], close=True)
    msp.add_circle((5, 1), 0.5)
    msp.add_lwpolyline([(0, 5), (3, 5)])  # open: a drawing line, not copper
    h = msp.add_hatch()
    h.paths.add_polyline_path([(10, 0), (11, 0), (11, 1), (10, 1)], is_closed=True)
    f = tmp_path / "layout.dxf"
    doc.saveas(f)
    g = layout_io.read_dxf(f, 1e-3)
    assert abs(g.area * 1e6 / (4.0 + math.pi * 0.25 + 1.0) - 1) < 2e-3


def case(pattern, model="resolved", L_mm=1.0):
    return {"name": "layout", "layers": [{"material": m, "thickness_um": t} for m, t in
                                         [("copper_ed", 18.0), ("pi_I", 25.0), ("pi_II", 5.0), ("copper_ed", 18.0)]],
            "mesh": {"model": "plate3d", "length_mm": L_mm, "width_mm": L_mm, "nx": 4, "ny": 4, "n_per_layer": 1,
                     "etch_pattern_model": model},
            "steps": [{"kind": "cool", "from_C": 250.0, "to_C": 25.0},
                      {"kind": "etch", "side": "top", "pattern": pattern}],
            "physics": {"viscoelastic": False, "copper_plasticity": False, "copper_creep": False, "moisture": False}}


def test_bad_layout_files_are_one_line(tmp_path):
    bad = tmp_path / "broken.gbr"
    bad.write_text("%FSLAX46Y46*%\n%MOMM*%\nX1Y1D03*\nthis is not gerber\n")
    with pytest.raises(CaseError) as err:
        load_case_dict(case({"kind": "file", "file": str(bad)}), str(tmp_path / "c.toml"))
    msg = str(err.value)
    assert "\n" not in msg and "broken.gbr" in msg and "steps.1.pattern.file" in msg
    empty = tmp_path / "empty.dxf"
    ezdxf = pytest.importorskip("ezdxf")
    ezdxf.new().saveas(empty)
    with pytest.raises(CaseError, match=r"empty.dxf' is not allowed: the DXF file has no closed"):
        load_case_dict(case({"kind": "file", "file": str(empty)}), str(tmp_path / "c.toml"))


def test_auto_resolves_what_fits_and_homogenizes_what_does_not(monkeypatch):
    monkeypatch.setattr(sizing, "available_bytes", lambda: 1.25e9)  # a machine with 1 GB usable
    lines = {"kind": "lines", "line_um": 50.0, "space_um": 50.0, "direction": "x"}
    c = load_case_dict(case(lines, "auto"))  # 1 mm: 20 lines, about 10 k DOFs resolved (0.4 GB estimated)
    assert c.spec.steps[1]._model == "resolved"
    c = load_case_dict(case(lines, "auto", L_mm=12.0))  # 12 mm: 240 lines, about 0.12 M DOFs resolved (1.4 GB)
    assert c.spec.steps[1]._model == "homogenized"
    assert etch.mesh_patterns(c.spec.steps[1], c, 1) == []  # the 3D mesh does not resolve the lines then


def test_homogenized_etch_through_the_chain():
    lines = {"kind": "lines", "line_um": 50.0, "space_um": 50.0, "direction": "x"}
    _, _, s = job.simulate(load_case_dict(case(lines, "homogenized")))
    res = s["etch_pattern"]
    assert res["model"] == "homogenized" and res["copper_fraction_map"] == pytest.approx(0.5)
    w = res["warpage_after"]
    assert w["kappa_y_1_per_m"] < 0 < w["kappa_x_1_per_m"]  # the resolved panel's signs (tests/process/test_etch.py)
    assert res["dimensional_change_y_pct"] > res["dimensional_change_x_pct"] > 0


def test_a_step_after_a_homogenized_etch_is_refused_at_load():
    lines = {"kind": "lines", "line_um": 50.0, "space_um": 50.0, "direction": "x"}
    d = case(lines, "homogenized")
    d["steps"].append({"kind": "cool", "from_C": 25.0, "to_C": 20.0})
    with pytest.raises(CaseError) as err:
        load_case_dict(d, "panel.toml")
    msg = str(err.value)
    assert "\n" not in msg and "panel.toml" in msg and "step 2" in msg and "homogenized" in msg
    load_case_dict(case(lines, "homogenized"), "panel.toml")  # the etch as the last step stays allowed


def test_homogenized_etch_at_large_deflection_free_and_on_the_table(tmp_path):
    """A 4 mm panel curls by a few um, its own thickness: the large-deflection tile plate agrees with the
    small-deflection one of the same run on the curvature; on the table it rests with its concave side up and its
    weight does not lift it above its free height."""
    d = case({"kind": "lines", "line_um": 50.0, "space_um": 50.0, "direction": "x"}, "homogenized", L_mm=4.0)
    d["steps"][1]["large_deflection"] = True
    _, _, s = job.simulate(load_case_dict(d))
    res = s["etch_pattern"]
    ld = res["large_deflection"]
    k_small = res["warpage_after"]["principal_curvatures_1_per_m"]
    # a 4 mm panel curls little: large and small deflection agree on the curvature
    assert sorted(ld["principal_curvatures_free_1_per_m"]) == pytest.approx(sorted(k_small), rel=0.05)
    assert 0 <= abs(ld["corner_lift_on_table_um"]) <= abs(ld["max_lift_free_um"]) * 1.05
