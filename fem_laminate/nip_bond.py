"""Glue between the thermoelastic process chain and the nip, bonding, solder-float and curl physics.

Each function takes the laminate state and the step's spec and returns plain result dicts for summary.json.
"""
from __future__ import annotations

from .nip import solve_nip, validate_nip, write_nip_outputs
from .solder import solder_float_from_process
from .window import bond_setup_from_stack, nip_spec_for, predict_bond


def press(state, spec, new_layers, record) -> dict:
    """The roll nip (contact, heat transfer) and the bond it makes; results go under nip.* and bond.*."""
    if spec.nip_method == "none":
        record.notes.append("bond: nip_method = 'none', nip and bonding not computed")
        return {}
    nip_spec = nip_spec_for(state.stack, spec, spec.temperature_C, spec.speed_m_per_min, spec.load_kgf)
    validate_nip(nip_spec)
    nip = solve_nip(nip_spec, method=spec.nip_method)
    bond = predict_bond(None, nip.t_s, nip.interface_temperature_C, nip.interface_pressure_Pa,
                        setup=bond_setup_from_stack(state.stack, spec))
    bond["failing_interface"] = bond.get("first_failing_interface")
    nip_summary = nip.summary()["nip"]
    nip_summary["method"] = nip.method
    record.results["nip"] = nip_summary
    record.results["bond"] = bond
    record.results.setdefault("_writers", []).append(lambda out, _nip=nip: write_nip_outputs(_nip, out / "nip"))
    return {"nip": nip_summary, "peel_kgf_per_cm": bond["peel_kgf_per_cm"]}


def solder_verdict(state, interfaces, record) -> dict:
    """Interface stresses at the bath temperature against the strength the bond reached (cast ones: fully)."""
    bond = record.results.get("bond")
    if not bond:
        return {"verdict": None, "note": "no bond computed: no verdict"}
    mats = {lay.name: lay.material for lay in state.stack.layers}
    return solder_float_from_process(interfaces, mats, {bond["bond_line"]: bond["degree_bonding"]}, state.T_C)


def curl_of_sample(state, spec, record) -> dict:
    raise NotImplementedError("the large-deflection curl step is not wired yet")
