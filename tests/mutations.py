"""Mutated case files for the fuzz test (tests/test_cli_fuzz.py) and the larger tests/fuzz/fuzz_cases.py.

`mutant(rnd, base)` takes a bundled case (a dict parsed from cases/*.toml) and a random.Random and returns the
bytes of a mutated case file: keys deleted, wrong types, negative / zero / NaN / infinite / 1e300 values,
unknown kinds and materials, 0 to 500 layers, huge resolutions, odd names, malformed inline materials, shuffled
steps, truncated TOML, binary junk and other encodings. `toml_text` writes the dict back as TOML (inline tables).
"""
from __future__ import annotations

import copy
import math
import random

ODD_NAMES = ["../../evil/name", "a/b", "two\nlines", "tab\tname", "$\\frac{1}{$", "<b>x</b>", "nul\x00", "bell\x07",
             "é ü 漢字", " ", "", "x" * 300, "C:\\win\\path", "name with spaces", "-dash", ".hidden", "%s %d {0}"]
JUNK = [-1, 0, -0.0, 1, 2, 1e-300, 1e300, -1e300, math.nan, math.inf, -math.inf, True, False, "", "x", "35",
        [], [1, 2], [[20.0, 1e-5]], {}, {"value": "pi_I"}, {"value": 3.0, "source": "fuzz"}, 2 ** 63 - 1, -2 ** 40,
        0.001, 1.5, 1e6, 20000, 5000, 50] + ODD_NAMES[:6]
KINDS = ["cure", "cool", "bond", "etch", "tma", "dimensional_stability", "solder_float", "curl", "anneal", "",
         "CURE", "peel"]
MATERIAL_KEYS = ["E_GPa", "nu", "cte_per_K", "cte_mean_table", "cte_z_per_K", "dE_rel_per_K", "Tg_C", "Tg_width_K",
                 "E_rubbery_ratio", "k_W_per_mK", "cp_J_per_kgK", "density_kg_per_m3", "yield_MPa",
                 "yield_rel_per_K", "hardening_MPa", "kind", "description", "base", "colour"]
LIBRARY = ["copper_ed", "steel_roll", "pi_I", "pi_II", "pi_III", "pi_IV", "pi_V", "pi_VI", "pi_VII"]


# -- TOML writer (inline tables; enough for what the mutants hold) -------------------------------------------
def _string(s: str) -> str:
    out = []
    for c in s:
        if c in '"\\':
            out.append("\\" + c)
        elif ord(c) < 0x20 or ord(c) == 0x7F or 0xD800 <= ord(c) <= 0xDFFF:
            out.append(f"\\u{ord(c) & 0xFFFF:04x}" if not 0xD800 <= ord(c) <= 0xDFFF else "?")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def _value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return _string(v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_string(str(k))} = {_value(x)}" for k, x in v.items()) + "}"
    return _string(str(v))


def toml_text(d: dict) -> str:
    return "".join(f"{_string(str(k))} = {_value(v)}\n" for k, v in d.items())


# -- structural mutations -------------------------------------------------------------------------------
def _slots(node, out=None):
    """Every (container, key) pair in a nested dict/list."""
    out = [] if out is None else out
    if isinstance(node, dict):
        for k in list(node):
            out.append((node, k))
            _slots(node[k], out)
    elif isinstance(node, list):
        for i in range(len(node)):
            out.append((node, i))
            _slots(node[i], out)
    return out


def delete_key(r, d):
    slots = [(c, k) for c, k in _slots(d) if isinstance(c, dict)]
    if slots:
        c, k = r.choice(slots)
        del c[k]


def set_junk(r, d):
    slots = _slots(d)
    if slots:
        c, k = r.choice(slots)
        c[k] = copy.deepcopy(r.choice(JUNK))


def scale_number(r, d):
    slots = [(c, k) for c, k in _slots(d) if isinstance(c[k], (int, float)) and not isinstance(c[k], bool)]
    if slots:
        c, k = r.choice(slots)
        c[k] = c[k] * r.choice([-1, 0, 1e-6, 1e-300, 1e3, 1e6, 1e300]) if r.random() < 0.8 else r.choice(
            [math.nan, math.inf, -math.inf])


def wrong_kind(r, d):
    steps = d.get("steps")
    if isinstance(steps, list) and steps:
        st = r.choice(steps)
        if isinstance(st, dict):
            st["kind"] = r.choice(KINDS)


def wrong_material(r, d):
    layers = d.get("layers")
    if isinstance(layers, list) and layers:
        lay = r.choice(layers)
        if isinstance(lay, dict):
            lay["material"] = r.choice(LIBRARY + ["unobtainium", "", "PI_I", "../x"])


def many_layers(r, d):
    layers = d.get("layers")
    if isinstance(layers, list) and layers:
        n = r.choice([0, 1, 2, 3, 49, 50, 51, 100, 500])
        d["layers"] = [copy.deepcopy(layers[i % len(layers)]) for i in range(n)]


def huge_mesh(r, d):
    mesh = d.setdefault("mesh", {})
    if isinstance(mesh, dict):
        key = r.choice(["nx", "ny", "n_per_layer", "length_mm", "width_mm", "edge_refinement", "model", "quadratic"])
        mesh[key] = r.choice({"nx": [4, 3, 20000, 20001, 5000, 100000], "ny": [2, 5000, 5001, 1000],
                              "n_per_layer": [1, 4, 50, 51], "length_mm": [0.1, 1e-300, 1000.0, 1e300],
                              "width_mm": [0.1, 1000.0, 1e-9], "edge_refinement": [1e-9, 1.0, 2.0],
                              "model": ["plate3d", "plane_strain", "generalized_plane_strain", "shell"],
                              "quadratic": [False, True, 1]}[key])


def odd_name(r, d):
    where = r.choice(["case", "layer", "material", "key"])
    name = r.choice(ODD_NAMES + ["x" * 200_000])
    if where == "case":
        d["name"] = name
    elif where == "layer" and isinstance(d.get("layers"), list) and d["layers"]:
        lay = r.choice(d["layers"])
        if isinstance(lay, dict):
            lay["name"] = name
    elif where == "material" and isinstance(d.get("layers"), list) and d["layers"]:
        d.setdefault("materials", {})
        if isinstance(d["materials"], dict):
            d["materials"][name] = {"base": r.choice(LIBRARY)}
            lay = r.choice(d["layers"])
            if isinstance(lay, dict):
                lay["material"] = name
    else:
        d[name] = 1


def inline_material(r, d):
    mat = {}
    if r.random() < 0.7:
        mat["base"] = r.choice(LIBRARY + [["pi_I"], {"value": "pi_I"}, "nope", 5])
    for key in r.sample(MATERIAL_KEYS, r.randint(0, 5)):
        mat[key] = r.choice([r.choice(JUNK), 3.0, 0.34, 3e-5, 300.0, 1e-6, {"value": 3.0, "source": "fuzz"},
                             [[20.0, 3e-5], [100.0, 3.1e-5]], [[100.0, 3e-5], [20.0, 3e-5]], [[20.0, 3e-5]],
                             "metal", "polymer", {"value": "metal"}])
    d["materials"] = {"fz": mat}
    layers = d.get("layers")
    if isinstance(layers, list) and layers:
        lay = r.choice(layers)
        if isinstance(lay, dict):
            lay["material"] = "fz"


def shuffle_steps(r, d):
    steps = d.get("steps")
    if not isinstance(steps, list) or not steps:
        return
    op = r.choice(["drop", "dup", "swap", "cut", "etch_all"])
    if op == "drop":
        steps.pop(r.randrange(len(steps)))
    elif op == "dup":
        steps.insert(r.randrange(len(steps) + 1), copy.deepcopy(r.choice(steps)))
    elif op == "swap" and len(steps) > 1:
        i, j = r.sample(range(len(steps)), 2)
        steps[i], steps[j] = steps[j], steps[i]
    elif op == "cut":
        del steps[r.randrange(len(steps)):]
    else:
        steps += [{"kind": "etch", "side": r.choice(["top", "bottom", "both"])} for _ in range(r.randint(1, 3))]


def stack_of(r, d):
    cu = {"material": "copper_ed", "thickness_um": 35.0}
    pi = {"material": "pi_I", "thickness_um": 24.0}
    tpi = {"material": "pi_IV", "thickness_um": 6.0}
    d["layers"] = copy.deepcopy(r.choice([[cu], [cu, dict(cu, thickness_um=12.0)], [pi], [tpi], [pi, cu],
                                          [cu, tpi, cu], [tpi, pi, cu], [cu, pi, tpi]]))


STRUCTURAL = [delete_key, set_junk, set_junk, scale_number, scale_number, wrong_kind, wrong_material, many_layers,
              huge_mesh, odd_name, inline_material, shuffle_steps, stack_of]


# -- text-level mutations --------------------------------------------------------------------------------
def text_mutation(r, text: str) -> bytes:
    op = r.choice(["truncate", "junk", "insert", "utf16", "latin1", "bom", "dup_line"])
    if op == "truncate":
        return text[:r.randrange(max(1, len(text)))].encode()
    if op == "junk":
        return bytes(r.randrange(256) for _ in range(r.randint(1, 2000)))
    if op == "insert":
        b = text.encode()
        k = r.randrange(len(b) + 1)
        return b[:k] + bytes(r.randrange(256) for _ in range(r.randint(1, 8))) + b[k:]
    if op == "utf16":
        return text.encode("utf-16")
    if op == "latin1":
        return text.replace('name = "', 'name = "Prüfstück ', 1).encode("latin-1", errors="replace")
    if op == "bom":
        return b"\xef\xbb\xbf" + text.encode()
    lines = text.splitlines(keepends=True)
    i = r.randrange(len(lines)) if lines else 0
    return "".join(lines[:i + 1] + lines[i:]).encode()


def mutant(r: random.Random, base: dict) -> bytes:
    """One mutated case file (bytes), 1-3 structural mutations, sometimes a text-level one on top."""
    d = copy.deepcopy(base)
    for _ in range(r.choice([1, 1, 2, 3])):
        r.choice(STRUCTURAL)(r, d)
    text = toml_text(d)
    if r.random() < 0.15:
        return text_mutation(r, text)
    return text.encode()
