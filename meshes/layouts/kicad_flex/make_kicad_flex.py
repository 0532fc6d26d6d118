"""Builds kicad_flex.kicad_pcb, a two-layer flexible circuit drawn for fem_laminate with KiCad's own Python API,
and plots its copper and outline with KiCad's Gerber plotter (X2): kicad_flex-F_Cu.gtl, kicad_flex-B_Cu.gbl,
kicad_flex-Edge_Cuts.gm1. Public domain (CC0).

    /usr/bin/python3 meshes/layouts/kicad_flex/make_kicad_flex.py     # needs KiCad 6 (Debian: apt install kicad)

The board (local coordinates in mm, origin at the board's centre, y up as in the Gerber files):
  - outline: a 40 x 25 mm flex whose connector tail (x < -12) narrows to 13 mm, 45-degree shoulders, filleted corners;
  - a row of 22 connector fingers at 0.5 mm pitch (0.3 x 3 mm, F.Cu), the two outer ones ground (a via to B.Cu);
  - 20 signal traces of 150 um: fan-in at 45 degrees from the 0.5 mm finger pitch to a 0.3 mm bundle, the bundle
    splits and turns 90 degrees on concentric arc tracks (inner radius 1 mm), fans out at 45 degrees to the
    0.5 mm pitch and ends on the pads of two fine-pitch ICs (2 x 10 rounded pads 0.28 x 1.2 mm, exposed pad with
    four thermal vias);
  - from each IC a 200 um trace with 45-degree bends to a round 1.5 mm test pad;
  - a solid ground zone on F.Cu (right end, stitched with vias) and a hatched ground zone on B.Cu (0.2 mm lines,
    0.5 mm gaps, 45 degrees) over the board but for the back of the fingers.
The Gerber origin is the auxiliary origin placed at the board's centre (plot option "use auxiliary origin").
"""
import math
from pathlib import Path

import pcbnew as pn

HERE = Path(__file__).resolve().parent
NAME = "kicad_flex"
X0, Y0 = 100.0, 100.0  # the board's centre on the KiCad page (mm); KiCad's y points down


def pt(x, y):
    """Local mm (y up) -> a KiCad point (nm, y down)."""
    return pn.wxPoint(pn.FromMM(X0 + x), pn.FromMM(Y0 - y))


pn.KIID.SeedGenerator(496334)  # the items' UUIDs from a fixed seed: a rerun writes the same board file
board = pn.BOARD()
ds = board.GetDesignSettings()
ds.SetAuxOrigin(pt(0.0, 0.0))
ds.SetCopperLayerCount(2)
# design rules of a fine-line flex process (assumption: typical subtractive FPC capability, 100 um line and space)
ds.m_MinClearance = pn.FromMM(0.1)
ds.m_TrackMinWidth = pn.FromMM(0.1)
ds.m_ViasMinSize = pn.FromMM(0.45)
ds.m_MinThroughDrill = pn.FromMM(0.2)
ds.m_ViasMinAnnularWidth = pn.FromMM(0.1)
ds.m_HoleClearance = pn.FromMM(0.2)
ds.m_HoleToHoleMin = pn.FromMM(0.25)
ds.SetCopperEdgeClearance(pn.FromMM(0.25))
default_class = ds.GetNetClasses().GetDefault()
default_class.SetClearance(pn.FromMM(0.1))
default_class.SetTrackWidth(pn.FromMM(0.15))
default_class.SetViaDiameter(pn.FromMM(0.5))
default_class.SetViaDrill(pn.FromMM(0.25))

nets = {}


def net(name):
    if name not in nets:
        n = pn.NETINFO_ITEM(board, name)
        board.Add(n)
        nets[name] = n
    return nets[name]


# ---- outline (Edge.Cuts) -------------------------------------------------------------------------

def add_edge_segment(a, b):
    s = pn.PCB_SHAPE(board)
    s.SetShape(pn.SHAPE_T_SEGMENT)
    s.SetStart(pt(*a))
    s.SetEnd(pt(*b))
    s.SetLayer(pn.Edge_Cuts)
    s.SetWidth(pn.FromMM(0.1))
    board.Add(s)


def add_edge_arc(a, m, b):
    s = pn.PCB_SHAPE(board)
    s.SetShape(pn.SHAPE_T_ARC)
    s.SetArcGeometry(pt(*a), pt(*m), pt(*b))
    s.SetLayer(pn.Edge_Cuts)
    s.SetWidth(pn.FromMM(0.1))
    board.Add(s)


def fillet(p0, p1, p2, r):
    """Tangent points and the arc's midpoint of a fillet of radius r at corner p1 between p0-p1 and p1-p2."""
    u = [(p0[i] - p1[i]) / math.dist(p0, p1) for i in (0, 1)]
    v = [(p2[i] - p1[i]) / math.dist(p2, p1) for i in (0, 1)]
    half = 0.5 * math.acos(max(-1.0, min(1.0, u[0] * v[0] + u[1] * v[1])))
    t = r / math.tan(half)  # from the corner to the tangent points
    a = (p1[0] + t * u[0], p1[1] + t * u[1])
    b = (p1[0] + t * v[0], p1[1] + t * v[1])
    w = (u[0] + v[0], u[1] + v[1])
    wn = math.hypot(*w)
    d = r / math.sin(half)  # from the corner to the fillet's centre
    c = (p1[0] + d * w[0] / wn, p1[1] + d * w[1] / wn)
    m = (c[0] - r * w[0] / wn, c[1] - r * w[1] / wn)
    return a, m, b


OUTLINE = [(-20.0, -6.5), (-12.0, -6.5), (-6.0, -12.5), (20.0, -12.5),
           (20.0, 12.5), (-6.0, 12.5), (-12.0, 6.5), (-20.0, 6.5)]
RADII = [0.5, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.5]  # outer corners and tear-stop radii at the shoulders
corners = []
for k, p1 in enumerate(OUTLINE):
    corners.append(fillet(OUTLINE[k - 1], p1, OUTLINE[(k + 1) % len(OUTLINE)], RADII[k]))
for k, (a, m, b) in enumerate(corners):
    add_edge_arc(a, m, b)
    add_edge_segment(b, corners[(k + 1) % len(corners)][0])


# ---- tracks --------------------------------------------------------------------------------------

def _add_segment(t, a, b, width, netname, layer):
    """A straight (PCB_TRACK) or arc (PCB_ARC, its mid point set before) segment from a to b on the board."""
    t.SetStart(pt(*a))
    t.SetEnd(pt(*b))
    t.SetWidth(pn.FromMM(width))
    t.SetLayer(layer)
    t.SetNet(net(netname))
    board.Add(t)


def track(points, width, netname, layer=pn.F_Cu):
    for a, b in zip(points[:-1], points[1:]):
        _add_segment(pn.PCB_TRACK(board), a, b, width, netname, layer)


def arc_track(a, m, b, width, netname, layer=pn.F_Cu):
    t = pn.PCB_ARC(board)
    t.SetMid(pt(*m))
    _add_segment(t, a, b, width, netname, layer)


def via(x, y, netname, size=0.5, drill=0.25):
    v = pn.PCB_VIA(board)
    v.SetPosition(pt(x, y))
    v.SetWidth(pn.FromMM(size))
    v.SetDrill(pn.FromMM(drill))
    v.SetLayerPair(pn.F_Cu, pn.B_Cu)
    v.SetNet(net(netname))
    board.Add(v)


# ---- footprints ----------------------------------------------------------------------------------

def footprint(ref, value, x, y):
    fp = pn.FOOTPRINT(board)
    fp.SetReference(ref)
    fp.SetValue(value)
    fp.Reference().SetVisible(False)
    fp.Value().SetVisible(False)
    fp.SetPosition(pt(x, y))
    fp.SetAttributes(pn.FP_SMD)
    board.Add(fp)
    return fp


def smd_pad(fp, number, dx, dy, w, h, shape, netname=None, rr_ratio=0.25):
    """An SMD pad at (dx, dy) mm from the footprint's anchor (local axes, y up), w along x, h along y."""
    pad = pn.PAD(fp)
    pad.SetNumber(str(number))
    pad.SetShape(shape)
    pad.SetAttribute(pn.PAD_ATTRIB_SMD)
    pad.SetLayerSet(pad.SMDMask())
    pad.SetSize(pn.wxSize(pn.FromMM(w), pn.FromMM(h)))
    if shape == pn.PAD_SHAPE_ROUNDRECT:
        pad.SetRoundRectRadiusRatio(rr_ratio)
    pad.SetPos0(pn.wxPoint(pn.FromMM(dx), pn.FromMM(-dy)))
    pad.SetPosition(fp.GetPosition() + pad.GetPos0())
    if netname:
        pad.SetNet(net(netname))
    fp.Add(pad)
    return pad


# connector fingers J1: 22 at 0.5 mm pitch, the outer two ground
N_FINGERS, FINGER_PITCH = 22, 0.5
FINGER_X0, FINGER_X1 = -19.5, -16.5
j1 = footprint("J1", "FPC_22P_0.5mm", 0.5 * (FINGER_X0 + FINGER_X1), 0.0)
finger_y = [(-0.5 * (N_FINGERS - 1) + i) * FINGER_PITCH for i in range(N_FINGERS)]
for i, yf in enumerate(finger_y):
    name = "GND" if i in (0, N_FINGERS - 1) else f"D{i}"
    smd_pad(j1, i + 1, 0.0, yf, FINGER_X1 - FINGER_X0, 0.3, pn.PAD_SHAPE_RECT, name)
for yf in (finger_y[0], finger_y[-1]):
    track([(FINGER_X1, yf), (-15.6, yf)], 0.3, "GND")
    via(-15.6, yf, "GND")

# two fine-pitch ICs: 2 x 10 pads at 0.5 mm pitch, rows 4 mm apart, exposed pad with thermal vias
IC_X, IC_Y = 4.35, 9.0  # U1 at +IC_Y, U2 at -IC_Y
IC_PITCH, IC_ROW = 0.5, 2.0  # pad pitch, row offset from the IC's centre
ics = {}
for ref, s in (("U1", 1.0), ("U2", -1.0)):
    fp = footprint(ref, "IC_SSOP20_0.5mm", IC_X, s * IC_Y)
    for k in range(10):
        dx = (k - 4.5) * IC_PITCH
        # pins 1..10 on the row facing the bundle, 11..20 on the far row (counted back)
        smd_pad(fp, k + 1, dx, -s * IC_ROW, 0.28, 1.2, pn.PAD_SHAPE_ROUNDRECT)
        smd_pad(fp, 20 - k, dx, s * IC_ROW, 0.28, 1.2, pn.PAD_SHAPE_ROUNDRECT)
    smd_pad(fp, 21, 0.0, 0.0, 3.0, 1.6, pn.PAD_SHAPE_RECT, "GND")
    for vx in (-1.0, 1.0):
        for vy in (-0.4, 0.4):
            via(IC_X + vx, s * IC_Y + vy, "GND", size=0.45, drill=0.2)
    ics[ref] = fp

# ---- the signal bundle ---------------------------------------------------------------------------
W_SIG, BUNDLE_PITCH = 0.15, 0.3
FAN_IN_X = -14.0  # the fan-in's 45-degree bends start here
TURN_X, R_IN = 2.0, 1.0  # the bundle turns on arcs about (TURN_X, +-(2.85 + R_IN))
FAN_OUT_END = 5.2  # |y| where the fan-out's 45-degree bends end
signals = list(range(1, N_FINGERS - 1))  # finger indices 1..20
bundle_y = [(-0.5 * (len(signals) - 1) + j) * BUNDLE_PITCH for j in range(len(signals))]
y_edge = bundle_y[-1]  # 2.85: the outermost trace of a half bundle
for j, i in enumerate(signals):
    yf, yb = finger_y[i], bundle_y[j]
    s = 1.0 if yb > 0 else -1.0
    m = round((y_edge - abs(yb)) / BUNDLE_PITCH)  # 0: the trace on the inside of the turn
    r = R_IN + m * BUNDLE_PITCH
    yc = s * (y_edge + R_IN)  # the turn's centre
    xv = TURN_X + r  # the run towards the IC after the turn
    dx_pad = (m - 4.5) * (IC_PITCH - BUNDLE_PITCH)  # fan-out from 0.3 to 0.5 mm pitch
    x_pad = xv + dx_pad
    ref = "U1" if s > 0 else "U2"
    pad = [p for p in ics[ref].Pads() if p.GetNumber() == str(m + 1)][0]
    pad.SetNet(net(f"D{i}"))
    y_pad = s * (IC_Y - IC_ROW)
    pts = [(FINGER_X1, yf), (FAN_IN_X, yf), (FAN_IN_X + abs(yf - yb), yb), (TURN_X, yb)]
    track(pts, W_SIG, f"D{i}")
    c45 = math.cos(math.pi / 4)
    arc_track((TURN_X, yb), (TURN_X + r * c45, yc - s * r * c45), (xv, yc), W_SIG, f"D{i}")
    y_bend = s * (FAN_OUT_END - abs(dx_pad))
    track([(xv, yc), (xv, y_bend), (x_pad, s * FAN_OUT_END), (x_pad, y_pad)], W_SIG, f"D{i}")

# ---- test pads -----------------------------------------------------------------------------------
for ref, s in (("U1", 1.0), ("U2", -1.0)):
    tp = footprint(f"TP{1 if s > 0 else 2}", "TestPoint_1.5mm", 13.0, s * 9.5)
    smd_pad(tp, 1, 0.0, 0.0, 1.5, 1.5, pn.PAD_SHAPE_CIRCLE, f"MON{ref[-1]}")
    pad = [p for p in ics[ref].Pads() if p.GetNumber() == "11"][0]
    pad.SetNet(net(f"MON{ref[-1]}"))
    x11 = IC_X + 4.5 * IC_PITCH
    y11 = s * (IC_Y + IC_ROW)
    track([(x11, y11), (x11 + 1.2, y11), (x11 + 1.2 + abs(y11 - s * 9.5) , s * 9.5), (13.0, s * 9.5)],
          0.2, f"MON{ref[-1]}")

# ---- ground zones --------------------------------------------------------------------------------

def zone(points, layer, hatched):
    z = pn.ZONE(board)
    z.SetLayer(layer)
    z.SetNet(net("GND"))
    z.SetLocalClearance(pn.FromMM(0.25))
    z.SetMinThickness(pn.FromMM(0.15))
    z.SetThermalReliefGap(pn.FromMM(0.25))
    z.SetThermalReliefSpokeWidth(pn.FromMM(0.25))
    z.SetPadConnection(pn.ZONE_CONNECTION_FULL)
    if hatched:
        z.SetFillMode(pn.ZONE_FILL_MODE_HATCH_PATTERN)
        z.SetHatchThickness(pn.FromMM(0.2))
        z.SetHatchGap(pn.FromMM(0.5))
        z.SetHatchOrientation(45.0)
    else:
        z.SetFillMode(pn.ZONE_FILL_MODE_POLYGONS)
    outline = z.Outline()
    outline.NewOutline()
    for x, y in points:
        outline.Append(pn.FromMM(X0 + x), pn.FromMM(Y0 - y))
    board.Add(z)
    return z


zone([(9.5, -6.0), (19.5, -6.0), (19.5, 6.0), (9.5, 6.0)], pn.F_Cu, hatched=False)
for vx in (11.0, 14.0, 17.0):
    for vy in (-4.0, 0.0, 4.0):
        via(vx, vy, "GND")
zone([(-16.0, -6.0), (-12.2, -6.0), (-6.2, -12.0), (19.5, -12.0),
      (19.5, 12.0), (-6.2, 12.0), (-12.2, 6.0), (-16.0, 6.0)], pn.B_Cu, hatched=True)

# ---- save, fill the zones, plot ------------------------------------------------------------------
pcb = HERE / f"{NAME}.kicad_pcb"
board.SetFileName(str(pcb))
pn.SaveBoard(str(pcb), board)
board = pn.LoadBoard(str(pcb))  # the zone filler needs a board loaded with its project settings
board.BuildConnectivity()
pn.ZONE_FILLER(board).Fill(board.Zones())
pn.SaveBoard(str(pcb), board)
# KiCad's design-rule check against the rules above (the report is kept beside the board)
rpt = HERE / f"{NAME}-drc.rpt"
pn.WriteDRCReport(board, str(rpt), pn.EDA_UNITS_MILLIMETRES, True)
rpt.write_text(rpt.read_text().replace(str(HERE) + "/", ""))  # the board's name, not this machine's path

pc = pn.PLOT_CONTROLLER(board)
po = pc.GetPlotOptions()
po.SetOutputDirectory(str(HERE))
po.SetFormat(pn.PLOT_FORMAT_GERBER)
po.SetUseGerberProtelExtensions(True)
po.SetUseGerberX2format(True)
po.SetUseGerberAttributes(True)
po.SetIncludeGerberNetlistInfo(True)
po.SetCreateGerberJobFile(False)
po.SetUseAuxOrigin(True)
po.SetPlotFrameRef(False)
po.SetExcludeEdgeLayer(True)  # each copper file holds its layer only
po.SetGerberPrecision(6)
for layer, suffix, what in ((pn.F_Cu, "F_Cu", "top copper"), (pn.B_Cu, "B_Cu", "bottom copper"),
                            (pn.Edge_Cuts, "Edge_Cuts", "board outline")):
    pc.SetLayer(layer)
    pc.OpenPlotfile(suffix, pn.PLOT_FORMAT_GERBER, what)
    if not pc.PlotLayer():
        raise SystemExit(f"KiCad could not plot {suffix}")
    pc.ClosePlot()
(HERE / f"{NAME}.kicad_prl").unlink(missing_ok=True)  # KiCad's per-user view settings, not part of the design
print("wrote", pcb.name, *sorted(p.name for p in HERE.glob(f"{NAME}-*.g*")))
