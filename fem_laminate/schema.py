"""The case format as JSON Schema, generated from the pydantic models that validate case files (case.py and each
step kind's Spec), for editors (Taplo / Even Better TOML: a `#:schema` line) and for readers.

A field without a description of its own is described by the unit its name ends in (thickness_um: micrometres),
so every number in the schema says its unit. The package ships the result as data/case.schema.json; a test keeps
that file equal to what this module generates.
"""
from __future__ import annotations

import json
from importlib import resources

SCHEMA_FILE = "data/case.schema.json"
SCHEMA_ID = "https://fem-laminate.invalid/case.schema.json"  # a name, not a place: editors use the file

# unit suffixes of field names, longest first where one ends another
UNITS = [
    ("_J_per_m2", "J/m^2"), ("_W_per_m2K", "W/(m^2 K)"), ("_W_per_mK", "W/(m K)"), ("_kg_per_m3", "kg/m^3"),
    ("_m_per_min", "m/min"), ("_m2_per_s", "m^2/s"), ("_N_per_mm", "N/mm"), ("_kgf_per_cm", "kgf/cm"),
    ("_kJ_per_mol", "kJ/mol"), ("_per_K", "1/K"), ("_per_s", "1/s"), ("_um", "micrometres"),
    ("_mm", "millimetres"), ("_nm", "nanometres"), ("_C", "degrees Celsius"), ("_K", "kelvin"),
    ("_kgf", "kilogram-force"), ("_MPa", "MPa"), ("_GPa", "GPa"), ("_Pa", "Pa"), ("_deg", "degrees"),
    ("_pct", "percent"), ("_s", "seconds"), ("_min", "minutes"), ("_h", "hours"), ("_N", "newtons"),
]
WHOLE_NAMES = {"minutes": "minutes", "hours": "hours", "seconds": "seconds"}


def unit_of(name: str) -> str | None:
    if name in WHOLE_NAMES:
        return WHOLE_NAMES[name]
    for suffix, unit in UNITS:
        if name.endswith(suffix):
            return unit
    return None


def _describe_units(node) -> None:
    """Give every property without a description the unit its name carries."""
    if isinstance(node, dict):
        props = node.get("properties")
        if isinstance(props, dict):
            for name, prop in props.items():
                unit = unit_of(name)
                if isinstance(prop, dict) and unit and "description" not in prop:
                    prop["description"] = f"Unit: {unit}."
        for value in node.values():
            _describe_units(value)
    elif isinstance(node, list):
        for value in node:
            _describe_units(value)


def case_json_schema() -> dict:
    """The JSON Schema of a case file (TOML read as JSON), from the models that validate it."""
    from .case import case_schema

    schema = case_schema().model_json_schema(mode="validation")
    _describe_units(schema)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID,
            "title": "fem-laminate case file", **{k: v for k, v in schema.items() if k != "title"}}


def schema_text() -> str:
    return json.dumps(case_json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def shipped_schema_path():
    """The schema file shipped with the package (a Traversable; a real path in an ordinary install)."""
    return resources.files("fem_laminate").joinpath(SCHEMA_FILE)
