"""Sphinx extension: the case-file field reference and the step-kind reference, generated from the code at every
build (the pydantic models of fem_laminate/case.py and the StepKind registry of fem_laminate/process/step.py), so the
documentation cannot drift from what the case loader accepts.

Writes ``guide/_generated/case_fields.md`` and ``guide/_generated/step_kinds.md`` (MyST tables) before Sphinx reads
the sources; the guide pages include them."""
from __future__ import annotations

import inspect
import re
import types
import typing
from pathlib import Path

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

GENERATED = Path("guide") / "_generated"
COMMENT = re.compile(r"^\s+(\w+)\s*:[^#]*#\s?(.*)$")
CONTINUATION = re.compile(r"^\s+#\s?(.*)$")


def field_comments(model: type) -> dict[str, str]:
    """A field's comments in the model's source: the trailing `name: type = default  # comment`, a comment block
    right above the field (leading), and a comment block below it that no field follows (its continuation)."""
    try:
        lines = inspect.getsource(model).splitlines()
    except (OSError, TypeError):
        return {}
    field = re.compile(r"^\s+(\w+)\s*:")
    out: dict[str, str] = {}
    block: list[str] = []
    last = None  # the field line just before the comment block
    for line in lines + [""]:
        c = CONTINUATION.match(line)
        if c:
            block.append(c.group(1).strip())
            continue
        m = field.match(line)
        if m:
            name = m.group(1)
            trailing = COMMENT.match(line)
            parts = block + ([trailing.group(2).strip()] if trailing else [])
            if parts:
                out[name] = " ".join(parts)
            last = name
        else:
            if block and last is not None:
                out[last] = (out.get(last, "") + " " + " ".join(block)).strip()
            last = None
        block = []
    return out


def _models_in(annotation) -> list[type]:
    """The pydantic models named anywhere inside a type annotation (list[Segment], A | B, Annotated[...])."""
    if inspect.isclass(annotation) and issubclass(annotation, BaseModel):
        return [annotation]
    found = []
    for arg in typing.get_args(annotation):
        found += _models_in(arg)
    return found


def type_name(annotation) -> str:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Literal:
        return " \\| ".join(f'`"{a}"`' if isinstance(a, str) else f"`{a}`" for a in args)
    if origin is typing.Annotated:
        return type_name(args[0])
    if origin in (typing.Union, types.UnionType):
        parts = [type_name(a) for a in args if a is not type(None)]
        return " \\| ".join(parts) + (" (optional)" if type(None) in args else "")
    if origin in (list, tuple):
        return "list of " + (type_name(args[0]) if args else "values")
    if origin is dict:
        return "table"
    if inspect.isclass(annotation):
        if issubclass(annotation, BaseModel):
            return f"table `{annotation.__name__}`"
        return {"float": "number", "int": "integer", "str": "text", "bool": "true \\| false"}.get(
            annotation.__name__, annotation.__name__)
    return str(annotation).replace("typing.", "")


def _metadata(field) -> list:
    """Constraints on the field and inside its type (an Annotated alias such as Temperature, also when optional)."""
    found = list(field.metadata)
    stack = [field.annotation]
    while stack:
        a = stack.pop()
        for m in getattr(a, "__metadata__", ()):
            found += list(getattr(m, "metadata", ())) + [m]
        stack += list(typing.get_args(a))
    return found


def bounds(field) -> str:
    parts = []
    for meta in _metadata(field):
        for key, sym in (("ge", "≥"), ("gt", ">"), ("le", "≤"), ("lt", "<"), ("min_length", "length ≥"),
                         ("max_length", "length ≤")):
            v = getattr(meta, key, None)
            if v is not None:
                parts.append(f"{sym} {v:g}" if isinstance(v, float) else f"{sym} {v}")
        pattern = getattr(meta, "pattern", None)
        if pattern:
            if "A-Za-z0-9" in pattern:
                parts.append("a name: `A-Z a-z 0-9 _ . + -`")
            elif "\\x0b" in pattern:
                parts.append("text without control characters")
            else:
                parts.append("one line of text")
    return ", ".join(dict.fromkeys(parts))


# Meanings of the fields whose source carries no comment (the field list itself always comes from the models).
MEANING = {
    "name": "the case's name: titles the plots and the summary",
    "description": "free text, copied into the summary",
    "initial_temperature_C": "temperature of the stack when the process starts",
    "materials": "inline materials `[materials.<name>]`, overriding or extending the library key by key "
                 "(`base = \"<library material>\"` starts from one)",
    "layers": "the stack, bottom-up",
    "mesh": "the finite-element model and its resolution",
    "steps": "the process steps in order, one `kind` each (see the step reference)",
    "physics": "the material-law switches",
    "LayerSpec.name": "the layer's name in the summary and the plots (default: made from the material)",
    "material": "a library material (`fem-laminate materials`) or one of `[materials]`",
    "thickness_um": "layer thickness",
    "length_mm": "section length (2D) or plate length along x (plate3d)",
    "width_mm": "plate width along y (plate3d)",
    "nx": "elements along the length",
    "ny": "elements along the width (plate3d)",
    "n_per_layer": "elements through each layer",
    "edge_refinement": "grading of the 2D mesh toward the free edges (1: uniform)",
    "quadratic": "quadratic elements (linear ones lock in bending; for tests)",
    "solver": "linear solver: auto picks PARDISO or SuperLU, and the plate CG for large 3D plates",
    "Spec.kind": "the step kind",
    "kind": "selects this table's variant",
    "side": "which outer foil: top or bottom (etch: or both)",
    "line_um": "copper line width",
    "space_um": "gap between the lines",
    "pad_um": "side of a square pad",
    "pitch_um": "pad pitch (one pad on the centre)",
    "file": "path of the file, relative to the case file",
    "unit": "unit of the file's coordinates",
    "max_step_K": "largest temperature change per thermoelastic increment",
    "from_C": "start temperature",
    "to_C": "end temperature",
}


def default(field) -> str:
    if field.is_required():
        return "**required**"
    if field.default is PydanticUndefined or field.default is None:
        return "–" if field.default_factory is None else "(empty)"
    d = field.default
    if isinstance(d, bool):
        return f"`{str(d).lower()}`"
    if isinstance(d, str):
        return f'`"{d}"`'
    return f"`{d}`"


def _unit(name: str) -> str:
    units = {"_um": "µm", "_mm": "mm", "_C": "°C", "_K": "K", "_kgf": "kgf", "_m_per_min": "m/min", "_pct": "%",
             "_N": "N", "_MPa": "MPa", "_GPa": "GPa", "_s": "s", "_deg": "°", "_J_per_m2": "J/m²",
             "_W_per_m2K": "W/(m² K)", "_per_min": "1/min", "_K_per_min": "K/min", "_mm_per_min": "mm/min",
             "_hours": "h", "minutes": "min", "hours": "h", "_m2_per_s": "m²/s"}
    for suffix in sorted(units, key=len, reverse=True):
        if name.endswith(suffix):
            return units[suffix]
    return ""


def model_table(model: type, title: str, seen: set, level: int = 3, parent: str = "") -> list[str]:
    """One table per model, then the tables of the models its fields hold (once each)."""
    seen.add(model)
    comments = field_comments(model)
    doc = inspect.getdoc(model) or ""
    if doc.startswith(("A base class", "Usage docs")) or model.__module__.startswith("pydantic"):
        doc = ""
    out = [f"{'#' * level} {title}", ""]
    if doc and "case-file table: unknown keys" not in doc:
        out += [doc.split("\n\n")[0].replace("\n", " "), ""]
    out += ["| field | type | default | allowed | unit | meaning |", "|---|---|---|---|---|---|"]
    nested = []
    for name, field in model.model_fields.items():
        known = MEANING.get(f"{model.__name__}.{name}", MEANING.get(name, "") if model.__name__ != "LayerSpec"
                            or name != "name" else "")
        meaning = field.description or "; ".join(p for p in (known, comments.get(name, "")) if p)
        meaning = meaning.replace("|", "\\|")
        out.append(f"| `{name}` | {type_name(field.annotation)} | {default(field)} | {bounds(field)} | "
                   f"{_unit(name)} | {meaning} |")
        nested += [m for m in _models_in(field.annotation) if m not in seen and m not in nested]
    out.append("")
    for m in nested:
        if m not in seen:
            out += model_table(m, f"`{m.__name__}` (in {parent or '`' + model.__name__ + '`'})", seen, level, parent)
    return out


def case_fields_md() -> str:
    from fem_laminate.case import CaseSpec, LayerSpec, MeshSpec, PhysicsSpec
    from fem_laminate.physics.laws import switches
    seen = {CaseSpec}
    lines = ["Generated at build time from the pydantic models in `fem_laminate/case.py`.", ""]
    top = ["| field | type | default | allowed | meaning |", "|---|---|---|---|---|"]
    comments = field_comments(CaseSpec)
    for name, field in CaseSpec.model_fields.items():
        kind = "list of step tables" if name == "steps" else type_name(field.annotation)
        top.append(f"| `{name}` | {kind} | {default(field)} | {bounds(field)} | "
                   f"{comments.get(name) or MEANING.get(name, '')} |")
    lines += ["### Top level of a case file", ""] + top + [""]
    lines += model_table(LayerSpec, "`[[layers]]` (bottom-up)", seen)
    lines += model_table(MeshSpec, "`[mesh]`", seen)
    lines += ["### `[physics]`", "", "One switch per switchable material law of the registry (`physics/laws/`); "
              "all default to `true`; all `false` is the elastic model.", "",
              "| switch | default |", "|---|---|"]
    lines += [f"| `{s}` | `true` |" for s in switches()] + [""]
    seen.add(PhysicsSpec)
    return "\n".join(lines)


def step_kinds_md() -> str:
    from fem_laminate.process import STEP_KINDS
    lines = ["Generated at build time from the `STEP_KINDS` registry (`fem_laminate/process/step.py`), "
             "in the order the patent runs them.", "",
             "| kind | what it does | works on | result |", "|---|---|---|---|"]
    for name, kind in STEP_KINDS.items():
        where = "a copy (a test)" if kind.on_copy else "the laminate"
        result = f"`{kind.result.__name__}`" if kind.result is not None else "–"
        lines.append(f"| [`{name}`](#step-{name}) | {kind.doc.replace('|', chr(92) + '|')} | {where} | {result} |")
    lines.append("")
    for name, kind in STEP_KINDS.items():
        module = inspect.getmodule(kind.run)
        doc = (inspect.getdoc(module) or "").split("\n\n")[0].replace("\n", " ")
        lines += [f"(step-{name})=", f"## `kind = \"{name}\"`", "", doc, "",
                  f"Module: `fem_laminate/process/{module.__name__.rsplit('.', 1)[-1]}.py`. "
                  f"Reads the results of: {', '.join(f'`{t.__name__}`' for t in kind.reads) or 'none'}.", ""]
        lines += model_table(kind.spec, f"Fields of `{name}`", set(), level=3, parent=f"`{name}`")
    return "\n".join(lines)


def generate(app) -> None:
    out = Path(app.srcdir) / GENERATED
    out.mkdir(parents=True, exist_ok=True)
    for fname, text in (("case_fields.md", case_fields_md()), ("step_kinds.md", step_kinds_md())):
        path = out / fname
        if not path.exists() or path.read_text() != text:  # unchanged files keep Sphinx's cache valid
            path.write_text(text)


BULLET = re.compile(r"^(\s*)([-*]|\d+\.) ")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def plain_docstring(lines: list[str]) -> list[str]:
    """The package's docstrings are prose for readers of the code (indented equations, `|x|`, lists that wrap),
    not strict reStructuredText: blank lines go around every change of indentation (an indented equation becomes a
    block quote) and `|` is escaped (no substitutions), so that every docstring renders without a docutils error."""
    out: list[str] = []
    bullet = None  # the indentation of the list item being continued
    for line in lines:
        line = line.replace("|", "\\|")
        if not line.strip():
            bullet = None
            out.append(line)
            continue
        prev = out[-1] if out and out[-1].strip() else None
        ind = _indent(line)
        is_item = BULLET.match(line) is not None
        if prev is not None:
            if is_item:
                if bullet is None or ind != bullet:
                    out.append("")
            elif bullet is not None:
                if ind != bullet + 2:
                    out.append("")
                    bullet = None
            elif ind != _indent(prev) and not prev.rstrip().endswith("::"):
                out.append("")
        if is_item:
            bullet = ind
        out.append(line)
    return out


def _process_docstring(app, what, name, obj, options, lines):
    lines[:] = plain_docstring(lines)


def setup(app):
    app.connect("builder-inited", generate)
    app.connect("autodoc-process-docstring", _process_docstring)
    return {"version": "1.0", "parallel_read_safe": True}
