"""Copper patterns left by a patterned etch: where the foil stays (lines, pads, polygons from a file).

A pattern is a region of the panel's plane (x, y in metres, panel centred on the origin). It tells
- `contains(x, y)`: whether a point keeps its copper (the etch removes every foil element whose centroid is
  outside), and
- `breaks(axis, lo, hi)`: the coordinates of its edges along x or y, so that the 3D plate mesh puts element
  faces on them and the etched geometry is resolved exactly (Manhattan patterns; a slanted polygon edge is
  followed to within one element, as a staircase).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class LinesPattern:
    """Parallel copper lines of width `line_m`, gaps `space_m`; `direction` is the axis the lines run along.

    Lines are centred on the panel: one line straddles the centre line, the others repeat at the pitch.
    """
    line_m: float
    space_m: float
    direction: str  # "x" or "y"

    @property
    def pitch_m(self) -> float:
        return self.line_m + self.space_m

    @property
    def across(self) -> int:
        """The axis across the lines (0 = x, 1 = y)."""
        return 1 if self.direction == "x" else 0

    def contains(self, x, y) -> np.ndarray:
        s = np.asarray(y if self.across == 1 else x, float)
        r = np.abs(s - self.pitch_m * np.round(s / self.pitch_m))
        return r <= 0.5 * self.line_m

    def breaks(self, axis: int, lo: float, hi: float) -> np.ndarray:
        if axis != self.across:
            return np.zeros(0)
        k = np.arange(np.floor(lo / self.pitch_m) - 1, np.ceil(hi / self.pitch_m) + 2)
        b = np.concatenate([k * self.pitch_m - 0.5 * self.line_m, k * self.pitch_m + 0.5 * self.line_m])
        return np.sort(b[(b > lo) & (b < hi)])

    def describe(self) -> dict:
        return {"kind": "lines", "line_um": round(self.line_m * 1e6, 9), "space_um": round(self.space_m * 1e6, 9),
                "direction": self.direction, "copper_fraction_nominal": self.line_m / self.pitch_m}


@dataclass(frozen=True)
class PadsPattern:
    """A square array of square pads (side `pad_m`) at `pitch_m`, one pad on the panel centre."""
    pad_m: float
    pitch_m: float

    def contains(self, x, y) -> np.ndarray:
        out = np.ones(np.broadcast(np.asarray(x), np.asarray(y)).shape, bool)
        for s in (np.asarray(x, float), np.asarray(y, float)):
            out &= np.abs(s - self.pitch_m * np.round(s / self.pitch_m)) <= 0.5 * self.pad_m
        return out

    def breaks(self, axis: int, lo: float, hi: float) -> np.ndarray:
        k = np.arange(np.floor(lo / self.pitch_m) - 1, np.ceil(hi / self.pitch_m) + 2)
        b = np.concatenate([k * self.pitch_m - 0.5 * self.pad_m, k * self.pitch_m + 0.5 * self.pad_m])
        return np.sort(b[(b > lo) & (b < hi)])

    def describe(self) -> dict:
        return {"kind": "pads", "pad_um": round(self.pad_m * 1e6, 9), "pitch_um": round(self.pitch_m * 1e6, 9),
                "copper_fraction_nominal": (self.pad_m / self.pitch_m) ** 2}


@dataclass(frozen=True)
class PolygonPattern:
    """Copper where a set of polygons is (shapely geometry in metres), e.g. read from GeoJSON or a gmsh mesh."""
    geometry: object  # shapely (Multi)Polygon
    source: str = ""

    def contains(self, x, y) -> np.ndarray:
        import shapely

        x, y = np.broadcast_arrays(np.asarray(x, float), np.asarray(y, float))
        return shapely.contains_xy(self.geometry, x, y)

    def breaks(self, axis: int, lo: float, hi: float) -> np.ndarray:
        import shapely

        c = shapely.get_coordinates(self.geometry.boundary)[:, axis] if not self.geometry.is_empty else np.zeros(0)
        c = np.unique(np.round(c, 12))
        return c[(c > lo) & (c < hi)]

    def describe(self) -> dict:
        return {"kind": "file", "file": self.source, "polygons": _count_polygons(self.geometry)}


def _count_polygons(g) -> int:
    return 0 if g.is_empty else len(getattr(g, "geoms", [g]))


def read_geojson(path, unit_m: float):
    """Union of the Polygon / MultiPolygon features of a GeoJSON file, coordinates scaled by unit_m to metres."""
    import json

    import shapely
    from shapely.geometry import shape

    data = json.loads(open(path, encoding="utf-8").read())
    feats = data.get("features", [data]) if data.get("type") == "FeatureCollection" else [data]
    geoms = []
    for f in feats:
        g = shape(f.get("geometry", f))
        if g.geom_type not in ("Polygon", "MultiPolygon"):
            raise ValueError(f"feature of type {g.geom_type} (only Polygon and MultiPolygon describe copper)")
        geoms.append(g)
    geom = shapely.union_all(geoms) if geoms else shapely.Polygon()
    return shapely.affinity.scale(geom, unit_m, unit_m, origin=(0.0, 0.0))


def read_gmsh(path, unit_m: float, group: str = "copper"):
    """Union of the 2D cells (triangles, quads) of physical group `group` in a gmsh .msh file, in metres."""
    import meshio
    import shapely

    m = meshio.read(path)
    if group not in m.field_data:
        raise ValueError(f"no physical group {group!r} (has: {', '.join(m.field_data) or 'none'})")
    tag = m.field_data[group][0]
    phys = m.cell_data.get("gmsh:physical")
    if phys is None:
        raise ValueError("the mesh carries no physical groups")
    polys = []
    for block, ids in zip(m.cells, phys):
        if block.type not in ("triangle", "quad"):
            continue
        for conn in block.data[np.asarray(ids) == tag]:
            polys.append(shapely.Polygon(m.points[conn, :2] * unit_m))
    return shapely.union_all(polys) if polys else shapely.Polygon()


@dataclass(frozen=True)
class PatternSet:
    """Several patterns cut into one panel (top and bottom foil): the mesh needs the edges of all of them."""
    patterns: tuple

    def breaks(self, axis: int, lo: float, hi: float) -> np.ndarray:
        return np.unique(np.concatenate([np.zeros(0)] + [p.breaks(axis, lo, hi) for p in self.patterns]))


def grid_with_breaks(lo: float, hi: float, n: int, breaks=()) -> np.ndarray:
    """Node coordinates on [lo, hi]: every break is a node, each span between breaks is divided evenly into
    elements no longer than (hi - lo) / n (at least one)."""
    pts = np.unique(np.concatenate([[lo, hi], np.asarray(breaks, float)]))
    tol = 1e-9 * (hi - lo)
    keep = np.concatenate([[True], np.diff(pts) > tol])  # breaks closer than round-off merge
    pts = pts[keep]
    pts[-1] = hi
    h = (hi - lo) / max(int(n), 1)
    out = [pts[:1]]
    for a, b in zip(pts[:-1], pts[1:]):
        m = max(1, int(np.ceil((b - a) / h - 1e-9)))
        out.append(np.linspace(a, b, m + 1)[1:])
    return np.concatenate(out)
