"""The Gerbers KiCad's plotter wrote for the bundled flexible circuit (meshes/layouts/kicad_flex) read as the copper
the board file holds: the layout reader's copper against the same layer rebuilt, without KiCad, from the
.kicad_pcb's own items (tracks and arc tracks with their widths, pads, vias, the zones' filled polygons)."""
import math
from pathlib import Path

import numpy as np
import pytest
import shapely

from fem_laminate.model import layout_io

HERE = Path(__file__).resolve().parents[2] / "meshes" / "layouts" / "kicad_flex"
PCB = HERE / "kicad_flex.kicad_pcb"
QUAD = 32  # 128 segments per turn: a finer polygon than the reader's 64, so the two approximations differ


def sexpr(text: str):
    """A KiCad S-expression file as nested lists of strings."""
    stack, cur, i, n = [], [], 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "(":
            stack.append(cur)
            cur = []
            i += 1
        elif ch == ")":
            done, cur = cur, stack.pop()
            cur.append(done)
            i += 1
        elif ch.isspace():
            i += 1
        elif ch == '"':
            j = i + 1
            while text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            cur.append(text[i + 1:j])
            i = j + 1
        else:
            j = i
            while j < n and not text[j].isspace() and text[j] not in '()"':
                j += 1
            cur.append(text[i:j])
            i = j
    return cur[0]


def child(node, key):
    return next((c for c in node if isinstance(c, list) and c and c[0] == key), None)


def children(node, key):
    return [c for c in node if isinstance(c, list) and c and c[0] == key]


def nums(node, k=2):
    return [float(v) for v in node[1:1 + k]]


def arc_polyline(a, m, b):
    """The circle through a, m, b sampled from a over m to b."""
    (ax, ay), (mx, my), (bx, by) = a, m, b
    d = 2 * (ax * (my - by) + mx * (by - ay) + bx * (ay - my))
    ux = ((ax**2 + ay**2) * (my - by) + (mx**2 + my**2) * (by - ay) + (bx**2 + by**2) * (ay - my)) / d
    uy = ((ax**2 + ay**2) * (bx - mx) + (mx**2 + my**2) * (ax - bx) + (bx**2 + by**2) * (mx - ax)) / d
    r = math.hypot(ax - ux, ay - uy)
    t0, tm, t1 = (math.atan2(p[1] - uy, p[0] - ux) for p in (a, m, b))
    sweep = (t1 - t0) % (2 * math.pi)
    if (tm - t0) % (2 * math.pi) > sweep:  # the arc runs the other way round
        sweep -= 2 * math.pi
    t = t0 + np.linspace(0.0, sweep, max(3, int(abs(sweep) / (0.5 * math.pi) * QUAD) + 1))
    return np.c_[ux + r * np.cos(t), uy + r * np.sin(t)]


def pad_shape(pad):
    shape = pad[3]
    w, h = nums(child(pad, "size"))
    if shape == "circle":
        return shapely.Point(0, 0).buffer(0.5 * w, quad_segs=QUAD)
    if shape == "rect":
        return shapely.box(-0.5 * w, -0.5 * h, 0.5 * w, 0.5 * h)
    if shape == "roundrect":
        r = float(child(pad, "roundrect_rratio")[1]) * min(w, h)
        return shapely.box(-0.5 * w + r, -0.5 * h + r, 0.5 * w - r, 0.5 * h - r).buffer(r, quad_segs=QUAD)
    raise AssertionError(f"pad shape {shape} not in the bundled board")


def board_copper(layer: str):
    """The copper of `layer` from the .kicad_pcb in mm, in the Gerber's frame (auxiliary origin, y up)."""
    pcb = sexpr(PCB.read_text())
    ox, oy = nums(child(child(pcb, "setup"), "aux_axis_origin"))
    parts = []
    for s in children(pcb, "segment"):
        if child(s, "layer")[1] == layer:
            line = shapely.LineString([nums(child(s, "start")), nums(child(s, "end"))])
            parts.append(line.buffer(0.5 * float(child(s, "width")[1]), quad_segs=QUAD))
    for a in children(pcb, "arc"):
        if child(a, "layer")[1] == layer:
            pts = arc_polyline(*(nums(child(a, k)) for k in ("start", "mid", "end")))
            parts.append(shapely.LineString(pts).buffer(0.5 * float(child(a, "width")[1]), quad_segs=QUAD))
    for v in children(pcb, "via"):
        if layer in child(v, "layers")[1:]:
            parts.append(shapely.Point(nums(child(v, "at"))).buffer(0.5 * float(child(v, "size")[1]), quad_segs=QUAD))
    for fp in children(pcb, "footprint"):
        at = child(fp, "at")
        fx, fy = nums(at)
        assert len(at) == 3, "the bundled footprints are not rotated"
        for pad in children(fp, "pad"):
            if layer in child(pad, "layers")[1:]:
                pat = child(pad, "at")
                assert len(pat) == 3 or float(pat[3]) == 0.0
                px, py = nums(pat)
                parts.append(shapely.affinity.translate(pad_shape(pad), fx + px, fy + py))
    for z in children(pcb, "zone"):
        for fpoly in children(z, "filled_polygon"):
            if child(fpoly, "layer")[1] == layer:
                pts = [nums(p) for p in children(child(fpoly, "pts"), "xy")]
                parts.append(shapely.make_valid(shapely.Polygon(pts)))
    geom = shapely.union_all(parts)
    return shapely.affinity.affine_transform(geom, [1, 0, 0, -1, -ox, oy])  # KiCad's y points down


@pytest.mark.parametrize("layer, gerber, pieces", [("F.Cu", "kicad_flex-F_Cu.gtl", 45),
                                                    ("B.Cu", "kicad_flex-B_Cu.gbl", 1)])
def test_kicad_gerbers_read_as_the_board_file_copper(layer, gerber, pieces):
    """Area within 0.1 %, the copper in the same place (the symmetric difference under 0.5 % of the area), and the
    same number of separate copper pieces: on F.Cu one per net the traces join (20 signal lines finger to IC pad,
    2 monitor lines to their test pads, 2 ground fingers with their vias, 2 exposed pads with theirs, the F.Cu
    ground zone with its stitching vias) plus the 18 unconnected IC pads; on B.Cu the hatched ground zone."""
    read = shapely.affinity.scale(layout_io.read_gerber(HERE / gerber), 1e3, 1e3, origin=(0.0, 0.0))
    ref = board_copper(layer)
    assert abs(read.area / ref.area - 1) < 1e-3, (read.area, ref.area)
    assert shapely.symmetric_difference(read, ref).area < 5e-3 * ref.area
    n = len(read.geoms) if hasattr(read, "geoms") else 1
    assert n == pieces
