"""Writes flex_panel_top.gtl: the top copper layer (Gerber RS-274X) of a 240 x 240 mm production panel of nine
identical flexible circuits, drawn for fem_laminate (public domain, CC0): per circuit a bundle of 24 traces
(100 um lines, 100 um spaces) along x that turns to run along y, a row of 24 connector fingers (0.3 x 3 mm at
0.5 mm pitch), a cross-hatched ground area (0.2 mm lines at 1 mm pitch, +-45 degrees), a solid shield pad and a
ring of round test pads; a copper frame rims the panel (clear polarity cuts the frame's slots).

    python meshes/layouts/flex_panel/make_flex_panel.py
"""
from pathlib import Path

OUT = Path(__file__).with_name("flex_panel_top.gtl")


def c(v_mm: float) -> str:
    return str(int(round(v_mm * 1e6)))  # format 4.6, mm


def circuit(x0: float, y0: float) -> list[str]:
    out = ["D10*"]  # 0.1 mm traces
    for k in range(24):
        y = y0 + 10 + 0.2 * k
        xt = x0 + 55 - 0.2 * k
        out += [f"X{c(x0 + 8)}Y{c(y)}D02*", f"X{c(xt)}Y{c(y)}D01*", f"X{c(xt)}Y{c(y0 + 60)}D01*"]
    out.append("D11*")  # connector fingers, flashed
    for k in range(24):
        out.append(f"X{c(x0 + 5)}Y{c(y0 + 10 + 0.5 * k)}D03*")
    out.append("D12*")  # 0.2 mm hatch lines at +-45 degrees over a 20 x 20 mm ground area
    gx, gy, s = x0 + 10, y0 + 25, 20.0
    for k in range(-19, 20):
        a = k * 1.0 * 2 ** 0.5
        for sign in (1, -1):
            pts = []
            for t in (0.0, s):
                yy = (t - a) if sign > 0 else (s - t + a)
                pts.append((t, yy))
            (xa, ya), (xb, yb) = pts
            # clip the line to the square
            def clip(xa, ya, xb, yb):
                import numpy as np
                tt = np.linspace(0, 1, 2001)
                xs, ys = xa + (xb - xa) * tt, ya + (yb - ya) * tt
                ok = (xs >= 0) & (xs <= s) & (ys >= 0) & (ys <= s)
                if not ok.any():
                    return None
                i, j = np.flatnonzero(ok)[[0, -1]]
                return xs[i], ys[i], xs[j], ys[j]
            seg = clip(xa, ya, xb, yb)
            if seg:
                out += [f"X{c(gx + seg[0])}Y{c(gy + seg[1])}D02*", f"X{c(gx + seg[2])}Y{c(gy + seg[3])}D01*"]
    out += ["G36*", f"X{c(x0 + 35)}Y{c(y0 + 30)}D02*", f"X{c(x0 + 45)}Y{c(y0 + 30)}D01*",
            f"X{c(x0 + 45)}Y{c(y0 + 40)}D01*", f"X{c(x0 + 35)}Y{c(y0 + 40)}D01*", f"X{c(x0 + 35)}Y{c(y0 + 30)}D01*",
            "G37*", "D13*"]
    for k in range(8):
        out.append(f"X{c(x0 + 62)}Y{c(y0 + 10 + 6 * k)}D03*")
    return out


def main() -> None:
    lines = ["G04 fem_laminate flex panel, top copper (CC0)*", "%TF.FileFunction,Copper,L1,Top*%", "%FSLAX46Y46*%",
             "%MOMM*%", "%LPD*%", "%ADD10C,0.100*%", "%ADD11R,0.300X3.000*%", "%ADD12C,0.200*%", "%ADD13C,1.500*%",
             "%ADD14C,5.000*%", "G01*"]
    for i in range(3):
        for j in range(3):
            lines += circuit(10 + 75 * i, 10 + 75 * j)
    # copper frame 5 mm wide around the 240 mm panel, slots cut with clear polarity
    lines += ["D14*", f"X{c(2.5)}Y{c(2.5)}D02*", f"X{c(237.5)}Y{c(2.5)}D01*", f"X{c(237.5)}Y{c(237.5)}D01*",
              f"X{c(2.5)}Y{c(237.5)}D01*", f"X{c(2.5)}Y{c(2.5)}D01*", "%LPC*%", "D12*"]
    for k in range(1, 24):
        lines += [f"X{c(10 * k)}Y{c(1)}D02*", f"X{c(10 * k)}Y{c(4)}D01*"]
    lines += ["%LPD*%", "M02*"]
    OUT.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
