"""Copper layouts from CAD files: Gerber RS-274X / X2 copper layers (gerbonara) and DXF (ezdxf), as shapely
geometry in metres.

A Gerber layer is drawn in order: dark objects add copper, clear objects remove it (the polarity of the file's
LP statements); lines and arcs are swept with their aperture, flashes are the aperture's shape, regions are
filled outlines. A DXF file gives copper as its closed polylines, circles and hatches (an open polyline is a
drawing line, not an area, and is skipped). Errors are ValueError with one line saying what is wrong.
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np

GERBER_SUFFIXES = (".gbr", ".gtl", ".gbl", ".ger")
DXF_SUFFIXES = (".dxf",)
ARC_SEGMENT_RAD = math.pi / 32  # arcs and circles as polygons of 64 sides per turn (area within 0.2 %)


def layout_format(path, declared: str | None = None) -> str:
    """'gerber', 'dxf', 'gmsh' or 'geojson' from the declared format or the file's extension."""
    if declared:
        return declared
    suffix = Path(path).suffix.lower()
    if suffix in GERBER_SUFFIXES:
        return "gerber"
    if suffix in DXF_SUFFIXES:
        return "dxf"
    if suffix == ".msh":
        return "gmsh"
    return "geojson"


# ---- Gerber ---------------------------------------------------------------------------------------

def _arc_points(cx, cy, x1, y1, x2, y2, clockwise: bool) -> np.ndarray:
    """Points along a circular arc from (x1, y1) to (x2, y2) about (cx, cy) (a full turn if they coincide)."""
    r = math.hypot(x1 - cx, y1 - cy)
    a0, a1 = math.atan2(y1 - cy, x1 - cx), math.atan2(y2 - cy, x2 - cx)
    sweep = (a0 - a1) if clockwise else (a1 - a0)
    sweep %= 2 * math.pi
    if sweep < 1e-12:
        sweep = 2 * math.pi
    n = max(2, int(math.ceil(sweep / ARC_SEGMENT_RAD)) + 1)
    a = a0 + (-1 if clockwise else 1) * np.linspace(0.0, sweep, n)
    return np.c_[cx + r * np.cos(a), cy + r * np.sin(a)]


def _primitive_geometry(p):
    """A gerbonara graphic primitive (in mm) as a shapely polygon."""
    import shapely
    from gerbonara import graphic_primitives as gp

    q = math.ceil(0.5 * math.pi / ARC_SEGMENT_RAD)  # segments per quarter circle of round caps
    if isinstance(p, gp.Circle):
        return shapely.Point(p.x, p.y).buffer(p.r, quad_segs=q)
    if isinstance(p, gp.Line):
        if p.width <= 0:
            return shapely.Polygon()
        if math.hypot(p.x2 - p.x1, p.y2 - p.y1) == 0:
            return shapely.Point(p.x1, p.y1).buffer(0.5 * p.width, quad_segs=q)
        return shapely.LineString([(p.x1, p.y1), (p.x2, p.y2)]).buffer(0.5 * p.width, quad_segs=q)
    if isinstance(p, gp.Arc):
        pts = _arc_points(p.cx, p.cy, p.x1, p.y1, p.x2, p.y2, p.clockwise)
        return shapely.LineString(pts).buffer(0.5 * p.width, quad_segs=q) if p.width > 0 else shapely.Polygon()
    if isinstance(p, gp.Rectangle):
        r = shapely.box(p.x - p.w / 2, p.y - p.h / 2, p.x + p.w / 2, p.y + p.h / 2)
        return shapely.affinity.rotate(r, p.rotation, origin=(p.x, p.y), use_radians=True) if p.rotation else r
    if isinstance(p, gp.ArcPoly):
        pts = []
        for (x1, y1), (x2, y2), (clockwise, (cx, cy)) in p.segments:
            if clockwise is None:
                pts.append((x1, y1))
            else:
                pts.extend(map(tuple, _arc_points(cx, cy, x1, y1, x2, y2, clockwise)[:-1]))
        if len(pts) < 3:
            return shapely.Polygon()
        return shapely.make_valid(shapely.Polygon(pts)).buffer(0)
    raise ValueError(f"Gerber primitive {type(p).__name__} is not supported")


def read_gerber(path) -> object:
    """The copper of a Gerber RS-274X/X2 layer in metres (units from the file's MO/FS statements)."""
    import warnings

    import shapely
    from gerbonara import GerberFile
    from gerbonara.utils import MM

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # gerbonara warns about unknown statements it skips
            g = GerberFile.open(path)
            runs, cur, dark = [], [], None
            for obj in g.objects:
                for prim in obj.to_primitives(unit=MM):
                    if prim.polarity_dark != dark and cur:
                        runs.append((dark, cur))
                        cur = []
                    dark = prim.polarity_dark
                    cur.append(_primitive_geometry(prim))
            if cur:
                runs.append((dark, cur))
    except ValueError:
        raise
    except Exception as exc:  # gerbonara raises SyntaxError, KeyError, ... on a broken file
        raise ValueError(f"not a readable Gerber file ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else 'no detail'})") from None
    if not runs:
        raise ValueError("the Gerber file draws nothing (no flashes, lines, arcs or regions)")
    geom = shapely.Polygon()
    for dark, parts in runs:
        piece = shapely.union_all(parts)
        geom = shapely.union(geom, piece) if dark else shapely.difference(geom, piece)
    return shapely.affinity.scale(geom, 1e-3, 1e-3, origin=(0.0, 0.0))


# ---- DXF ------------------------------------------------------------------------------------------

def read_dxf(path, unit_m: float) -> object:
    """The copper of a DXF drawing in metres: closed LWPOLYLINE / POLYLINE, CIRCLE and HATCH entities of the
    model space (coordinates in `unit_m`)."""
    import ezdxf
    import shapely
    from ezdxf import path as dxfpath

    try:
        doc = ezdxf.readfile(str(path))
    except (OSError, ezdxf.DXFError) as exc:
        raise ValueError(f"not a readable DXF file ({type(exc).__name__}: {exc})") from None
    polys = []
    for e in doc.modelspace():
        kind = e.dxftype()
        if kind in ("LWPOLYLINE", "POLYLINE") and e.is_closed:
            pts = [(v.x, v.y) for v in dxfpath.make_path(e).flattening(1e-3 * _extent(e) + 1e-12)]
            if len(pts) >= 3:
                polys.append(shapely.make_valid(shapely.Polygon(pts)).buffer(0))
        elif kind == "CIRCLE":
            polys.append(shapely.Point(e.dxf.center.x, e.dxf.center.y).buffer(e.dxf.radius, quad_segs=16))
        elif kind == "HATCH":
            for p in dxfpath.from_hatch(e):
                pts = [(v.x, v.y) for v in p.flattening(1e-4)]  # 1e-4 drawing units: far below any copper feature
                if len(pts) >= 3:
                    polys.append(shapely.make_valid(shapely.Polygon(pts)).buffer(0))
    if not polys:
        raise ValueError("the DXF file has no closed polyline, circle or hatch (copper areas) in its model space")
    geom = shapely.union_all(polys)
    return shapely.affinity.scale(geom, unit_m, unit_m, origin=(0.0, 0.0))


def _extent(e) -> float:
    pts = np.array([v[:2] for v in e.vertices()]) if e.dxftype() == "POLYLINE" else np.array(e.get_points("xy"))
    return float(np.ptp(pts, axis=0).max()) if len(pts) else 1.0


def centred(geom):
    """The geometry moved so that its bounding box is centred on the origin (the panel's centre)."""
    import shapely

    if geom.is_empty:
        return geom
    x0, y0, x1, y1 = geom.bounds
    return shapely.affinity.translate(geom, -0.5 * (x0 + x1), -0.5 * (y0 + y1))
