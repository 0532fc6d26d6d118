"""Interfaces as data: the fracture toughness of each pair of materials that meet in a laminate.

The library (data/materials.toml) has an ``[interfaces]`` table keyed by the two material names in alphabetical
order joined by ``|`` (``[interfaces."copper_ed|pi_IV"]``); a case may add or override entries inline under the
same key (field by field: an inline field replaces the library's, the others stay). Each entry holds

    bonded_toughness_J_per_m2   G_c of the fully bonded interface (the nip's degree of bonding scales it)
    cast_toughness_J_per_m2     G_c of the interface formed by casting and curing one layer on the other
    wet_toughness_loss          a in G_c(c) = G_c,dry (1 - a c / c_sat): the fraction lost at water saturation

each ``{value, source, sd | range, uncertainty}`` in the library. A pair with no entry (or an entry without a
field) takes its class's value from ``[interface_classes]`` ("metal|polymer", "polymer|polymer", "metal|metal"),
and is then labelled an assumption (``Interface.assumed`` names the fields that came from the class). Bond, peel,
solder float, pressure cooker and the window read this one table (docs/interfaces.md).
"""
from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, field
from types import MappingProxyType

from .materials import _bad, library_raw

FIELDS = ("bonded_toughness_J_per_m2", "cast_toughness_J_per_m2", "wet_toughness_loss")
RANGES = {"bonded_toughness_J_per_m2": (0.0, 1e6), "cast_toughness_J_per_m2": (0.0, 1e6),
          "wet_toughness_loss": (0.0, 1.0)}
ENTRY_KEYS = ("value", "source", "sd", "range", "uncertainty")
CLASSES = ("metal|metal", "metal|polymer", "polymer|polymer")


def pair_key(a: str, b: str) -> str:
    """The table key of the interface between materials a and b: names in alphabetical order joined by '|'."""
    return "|".join(sorted((a, b)))


def class_key(mat_a, mat_b) -> str:
    return "|".join(sorted(("metal" if m.is_metal else "polymer") for m in (mat_a, mat_b)))


@dataclass(frozen=True)
class Interface:
    """The data of one interface (SI), where each number came from, and which came from the class fallback."""
    pair: str
    bonded_toughness_J_per_m2: float
    cast_toughness_J_per_m2: float
    wet_toughness_loss: float
    sources: dict = field(default_factory=dict, compare=False, hash=False)
    assumed: tuple = ()  # fields taken from the class fallback (labelled assumption in the summary)

    def label(self, name: str) -> str:
        return "assumption (class fallback)" if name in self.assumed else self.sources.get(name, "")


@dataclass(frozen=True)
class InterfaceTable:
    """Pair entries (field -> value) and the class fallbacks, merged from the library and a case."""
    pairs: MappingProxyType
    classes: MappingProxyType
    sources: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))

    def of(self, mat_a, mat_b) -> Interface:
        key = pair_key(mat_a.name, mat_b.name)
        entry = self.pairs.get(key, {})
        cls = self.classes[class_key(mat_a, mat_b)]
        values, assumed = {}, []
        for name in FIELDS:
            if name in entry:
                values[name] = entry[name]
            else:
                values[name] = cls[name]
                assumed.append(name)
        src = {n: self.sources.get(f"{key}.{n}", "") for n in FIELDS}
        return Interface(key, **values, sources=src, assumed=tuple(assumed))


def _suggest(word: str, choices) -> str:
    same = [c for c in choices if str(c).lower() == str(word).lower()]
    close = same or difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.5)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _number(where: str, name: str, raw) -> tuple[float, str]:
    """A field is a plain number or {value, source, sd | range, uncertainty}; returns (value, source)."""
    src = "case file"
    if isinstance(raw, dict):
        extra = [k for k in raw if k not in ENTRY_KEYS]
        if extra or "value" not in raw:
            bad = extra[0] if extra else "value"
            raise _bad(f"{where}.{bad}" if extra else where, raw.get(bad, raw) if extra else raw,
                       f"a number or a table with keys {', '.join(ENTRY_KEYS)} (value required)"
                       + (_suggest(bad, ENTRY_KEYS) if extra else ""))
        src = raw.get("source", src)
        if not isinstance(src, str):
            raise _bad(f"{where}.source", src, "a text")
        raw = raw["value"]
    lo, hi = RANGES[name]
    if not isinstance(raw, (int, float)) or isinstance(raw, bool) or not math.isfinite(raw) or not lo <= raw <= hi:
        raise _bad(where, raw, f"must be a number in [{lo:g}, {hi:g}]")
    return float(raw), src


def _entries(raw: dict, where: str, known_key) -> tuple[dict, dict]:
    """{key: {field: value}} and {key.field: source} from a TOML table; ValueError (one line) for bad input."""
    if not isinstance(raw, dict):
        raise _bad(where, raw, "a table of interfaces keyed \"a|b\"")
    pairs, sources = {}, {}
    for key, entry in raw.items():
        known_key(key)
        if not isinstance(entry, dict):
            raise _bad(f"{where}.{key}", entry, f"a table with fields {', '.join(FIELDS)}")
        out = {}
        for name, value in entry.items():
            if name not in FIELDS:
                raise _bad(f"{where}.{key}.{name}", value,
                           f"not an interface field (allowed: {', '.join(FIELDS)}){_suggest(name, FIELDS)}")
            out[name], sources[f"{key}.{name}"] = _number(f"{where}.{key}.{name}", name, value)
        pairs[key] = out
    return pairs, sources


def _library_raw() -> dict:
    return library_raw()


_LIBRARY: InterfaceTable | None = None


def library_table() -> InterfaceTable:
    """The bundled interface table and class fallbacks (data/materials.toml)."""
    global _LIBRARY
    if _LIBRARY is None:
        raw = _library_raw()

        def any_key(key):
            if "|" not in str(key):
                raise _bad(f"interfaces.{key}", key, "a key \"a|b\"")

        pairs, src = _entries(raw.get("interfaces", {}), "interfaces", any_key)
        classes, _ = _entries(raw.get("interface_classes", {}), "interface_classes", any_key)
        missing = [c for c in CLASSES if c not in classes or set(classes[c]) != set(FIELDS)]
        if missing:
            raise ValueError(f"materials.toml: [interface_classes] needs every field for {', '.join(missing)}")
        _LIBRARY = InterfaceTable(MappingProxyType(pairs), MappingProxyType(classes), MappingProxyType(src))
    return _LIBRARY


def merged_table(inline: dict, material_names, where: str = "interfaces") -> InterfaceTable:
    """The library table with a case's inline [interfaces] merged field by field (the case's fields win).
    Keys are checked: two known material names, alphabetical order, joined by '|'; fields by name and range."""
    names = sorted(material_names)
    lib = library_table()

    def known_key(key):
        parts = str(key).split("|")
        if len(parts) != 2 or not all(parts):
            raise _bad(f"{where}.{key}", key, "a key \"a|b\": two material names joined by '|'"
                       + _suggest(key, lib.pairs))
        for p in parts:
            if p not in names:
                raise _bad(f"{where}.{key}", key, f"{p!r} is not a material of the library or the case"
                           + _suggest(p, names))
        if parts != sorted(parts):
            raise _bad(f"{where}.{key}", key, f"names in alphabetical order (did you mean {pair_key(*parts)!r}?)")

    pairs, src = _entries(inline or {}, where, known_key)
    merged = {k: dict(v) for k, v in lib.pairs.items()}
    for key, entry in pairs.items():
        merged[key] = {**merged.get(key, {}), **entry}
    return InterfaceTable(MappingProxyType(merged), lib.classes, MappingProxyType({**lib.sources, **src}))


def table_of(stack) -> InterfaceTable:
    """The interface table a stack carries (its case's), the library's if it carries none."""
    return getattr(stack, "interfaces", None) or library_table()
