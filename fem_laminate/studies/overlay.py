"""Overlays: TOML files whose keys are dotted paths into a case, merged into it before it is validated.

    # fitted.toml
    materials.pi_II.E_GPa = 4.2
    steps.1.temperature_C = 380          # integer parts index lists from 0
    interfaces."copper_ed|pi_II".bonded_toughness_J_per_m2 = 310.0

A path is resolved in the case *with the library merged*: ``materials.pi_II`` exists in every case because
``pi_II`` is in the bundled library, even when the case names it only in a layer. Setting such a path writes
the least into the case: ``[materials.pi_II] base = "pi_II"`` plus the one property. Library tables are
found generically (``LIBRARY_FILES``: a case table name -> the data file whose top-level tables it merges), so
a table the library grows later is an overlay target as soon as its data file is listed there.

A path that does not resolve is refused in one line naming the overlay file and the key, with a did-you-mean.
"""
from __future__ import annotations

import copy
import difflib
import functools
import math
import tomllib
from importlib import resources
from pathlib import Path

from ..errors import InputError

# case table -> (library data file, its table holding the entries (None: the top level, less the tables that are
# not materials), how a case entry derived from a library entry of that name starts)
LIBRARY_FILES = {
    "materials": ("data/materials.toml", None, lambda name: {"base": name}),
    "interfaces": ("data/materials.toml", "interfaces", lambda name: {}),
}
MAX_OVERLAY_BYTES = 1_000_000


# -- keys ------------------------------------------------------------------------------------------------------
def parse_key(text: str, where: str) -> tuple[str, ...]:
    """A TOML dotted key (quoted parts allowed: interfaces."a|b".x) -> its parts."""
    if not isinstance(text, str) or not text.strip() or "\n" in text or "=" in text.replace('"', "").replace("'", ""):
        raise InputError(f"{where} = {text!r} is not allowed: a TOML dotted key such as materials.pi_II.E_GPa")
    try:
        parsed = tomllib.loads(f"{text} = 0")
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{where} = {text!r} is not allowed: not a TOML dotted key ({exc})") from None
    parts, node = [], parsed
    while isinstance(node, dict) and len(node) == 1:
        (k, node), = node.items()
        parts.append(k)
    return tuple(parts)


def format_key(parts) -> str:
    """Parts -> a TOML dotted key (parts that are not bare keys quoted)."""
    out = []
    for p in parts:
        p = str(p)
        bare = p and all(c.isalnum() or c in "_-" for c in p) and p.isascii()
        out.append(p if bare else '"' + p.replace("\\", "\\\\").replace('"', '\\"') + '"')
    return ".".join(out)


def is_value_table(v) -> bool:
    """{value = ..., source = ...}: one property with its provenance (a leaf, not a table of paths)."""
    return isinstance(v, dict) and "value" in v


def leaves(d: dict, prefix: tuple = ()) -> list[tuple[tuple[str, ...], object]]:
    """An overlay's (path parts, value) pairs; a {value, source} table is one value."""
    out = []
    for k, v in d.items():
        if isinstance(v, dict) and not is_value_table(v):
            out += leaves(v, prefix + (k,))
        else:
            out.append((prefix + (k,), v))
    return out


def plain(v):
    """The number of a {value, source} table, else v."""
    return v["value"] if is_value_table(v) else v


# -- the library-merged view -----------------------------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def library_tables() -> dict[str, tuple[dict, object]]:
    """case table -> (library entries as in the data file, stub maker) for the data files that exist (read once;
    callers copy what they change)."""
    from ..model.materials import NOT_MATERIALS

    out = {}
    for table, (rel, sub, stub) in LIBRARY_FILES.items():
        res = resources.files("fem_laminate").joinpath(rel)
        if res.is_file():
            data = tomllib.loads(res.read_text())
            entries = data.get(sub, {}) if sub else {k: v for k, v in data.items() if k not in NOT_MATERIALS}
            out[table] = (entries, stub)
    return out


def merged_view(case: dict) -> dict:
    """The case with the library merged in: every library entry appears under its table; a case entry with a
    `base` shows the base's properties under its own."""
    return _view(case, deep=True)


def _view(case: dict, deep: bool) -> dict:
    """merged_view; deep=False shares the case's and the library's tables (for reading only: fast)."""
    view = copy.deepcopy(case) if deep else dict(case)
    cp = copy.deepcopy if deep else (lambda x: x)
    for table, (lib, _) in library_tables().items():
        mine = view.get(table)
        if not isinstance(mine, dict):
            mine = {}
        merged = {name: cp(entry) for name, entry in lib.items()}
        for name, entry in mine.items():
            base = entry.get("base") if isinstance(entry, dict) else None
            if isinstance(base, str) and isinstance(lib.get(base), dict):
                merged[name] = _merge(copy.deepcopy(lib[base]), entry)
            else:
                merged[name] = entry
        view[table] = merged
    return view


def _merge(base: dict, over: dict) -> dict:
    """over on top of base; a sub-table (a law's data table) merged key by key, as the material loader does."""
    for k, v in over.items():
        if isinstance(v, dict) and not is_value_table(v) and isinstance(base.get(k), dict) \
                and not is_value_table(base[k]):
            base[k] = _merge(base[k], v)
        else:
            base[k] = copy.deepcopy(v)
    return base


def _child(node, part: str):
    """(found, child) of a table or list."""
    if isinstance(node, dict):
        return (part in node), node.get(part)
    if isinstance(node, list):
        if part.isdigit() and int(part) < len(node):
            return True, node[int(part)]
        return False, None
    return False, None


def _suggest(node, part: str) -> str:
    keys = [str(k) for k in node] if isinstance(node, dict) else [str(i) for i in range(len(node))] \
        if isinstance(node, list) else []
    if "|" in part:  # an interface "a|b" is keyed with its two sides in alphabetical order
        ordered = "|".join(sorted(part.split("|")))
        if ordered in keys and ordered != part:
            return f"; did you mean '{ordered}' (sides in alphabetical order)?"
    close = difflib.get_close_matches(part, keys, n=1, cutoff=0.5)
    if close:
        return f"; did you mean '{close[0]}'?"
    shown = ", ".join(keys[:12]) + (", ..." if len(keys) > 12 else "")
    return f" (there: {shown})" if keys else ""


def _settable_fields(parent_path: tuple, view: dict) -> set[str]:
    """Fields a case accepts at parent_path though it does not write them (schema defaults): a step's fields,
    a material's properties, the mesh and physics switches."""
    from ..case import MeshSpec, PhysicsSpec
    from ..model.materials import ALLOWED_KEYS
    from ..process import STEP_KINDS

    if len(parent_path) == 2 and parent_path[0] == "steps":
        ok, step = _child(view.get("steps"), parent_path[1])
        kind = STEP_KINDS.get(step.get("kind")) if ok and isinstance(step, dict) else None
        return set(kind.spec.model_fields) if kind else set()
    if len(parent_path) == 2 and parent_path[0] == "materials":
        return set(ALLOWED_KEYS)
    if parent_path == ("mesh",):
        return set(MeshSpec.model_fields)
    if parent_path == ("physics",):
        return set(PhysicsSpec.model_fields)
    return set()


def resolve(view: dict, parts: tuple, where: str):
    """The value at parts in the library-merged view; InputError (with a did-you-mean) when it is not there.
    A field the schema accepts but the case leaves at its default resolves to None."""
    node = view
    for i, part in enumerate(parts):
        found, child = _child(node, part)
        if not found:
            if i == len(parts) - 1 and isinstance(node, dict) and part in _settable_fields(parts[:-1], view):
                return None
            here = format_key(parts[:i + 1])
            raise InputError(f"{where}: key '{format_key(parts)}' is not in the case (library merged): "
                             f"'{here}' not found{_suggest(node, part)}")
        if i < len(parts) - 1 and (not isinstance(child, (dict, list)) or is_value_table(child)):
            raise InputError(f"{where}: key '{format_key(parts)}' is not in the case: "
                             f"'{format_key(parts[:i + 1])}' is a value, not a table")
        node = child
    if isinstance(node, dict) and not is_value_table(node):
        raise InputError(f"{where}: key '{format_key(parts)}' is a table, not a value: name one of its keys"
                         f"{_suggest(node, '')}")
    return plain(node)


def set_path(case: dict, parts: tuple, value, where: str) -> dict:
    """A copy of the case with the value at parts set (checked against the library-merged view first)."""
    resolve(_view(case, deep=False), parts, where)
    out = copy.deepcopy(case)
    libs = library_tables()
    node = out
    for i, part in enumerate(parts[:-1]):
        if isinstance(node, list):
            node = node[int(part)]
            continue
        if part not in node or not isinstance(node[part], (dict, list)):
            if i == 1 and parts[0] in libs:  # a library entry the case does not name yet
                node[part] = libs[parts[0]][1](part)
            else:
                node[part] = {}
        node = node[part]
    last = parts[-1]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        old = node.get(last)
        if is_value_table(old) and not is_value_table(value):
            value = {**old, "value": value}  # keep its source beside the new number
            value.pop("sd", None), value.pop("range", None), value.pop("sd_rel", None)
            value["source"] = f"overlay ({where}); was: {old.get('source', '')}"[:1900]
        node[last] = value
    return out


def get_path(case: dict, parts: tuple, where: str):
    """The (plain) value at parts of the library-merged case."""
    return resolve(_view(case, deep=False), parts, where)


# -- overlay files ---------------------------------------------------------------------------------------------
def read_toml(path, label: str, what: str, max_bytes: int) -> dict:
    """A TOML file of this tool's own formats (an overlay, a fit spec); InputError, one line naming `label`
    (how the user gave the file) and the problem, for a file that is missing, too large, not UTF-8 or not TOML."""
    path = Path(path)
    try:
        if path.stat().st_size > max_bytes:
            raise InputError(f"{label}: not {what} (over {max_bytes} bytes)")
        return tomllib.loads(path.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        raise InputError(f"{label}: {what.split(' ', 1)[-1]} file not found") from None
    except UnicodeDecodeError:
        raise InputError(f"{label}: not a UTF-8 text file") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{label}: not valid TOML ({exc})") from None
    except OSError as exc:
        raise InputError(f"{label}: cannot read the {what.split(' ', 1)[-1]} ({exc.strerror or exc})") from None


def read_overlay(path) -> dict:
    return read_toml(path, f"--with {path}", "an overlay", MAX_OVERLAY_BYTES)


def apply_overlay(case: dict, overlay: dict, where: str) -> dict:
    """The case with every leaf of the overlay set; a key that does not resolve is refused (InputError)."""
    for parts, value in leaves(overlay):
        if isinstance(value, float) and not math.isfinite(value):
            raise InputError(f"{where}: key '{format_key(parts)}' = {value!r} is not allowed: a finite number")
        case = set_path(case, parts, value, where)
    return case


def case_with_overlays(case_path, overlay_paths) -> dict:
    """The raw case dict of case_path with the overlays merged in order (later ones win)."""
    from ..case import read_case_toml

    d = read_case_toml(case_path)
    for p in overlay_paths:
        d = apply_overlay(d, read_overlay(p), str(p))
    return d


def load_case_with_overlays(case_path, overlay_paths=()):
    """The validated Case of case_path with the overlays merged (the case keeps its own path as source)."""
    from ..case import load_case, load_case_dict

    if not overlay_paths:
        return load_case(case_path)
    return load_case_dict(case_with_overlays(case_path, overlay_paths), str(case_path))
