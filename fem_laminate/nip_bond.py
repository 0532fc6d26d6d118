"""Glue between the thermoelastic process chain and the nip, bonding, solder-float and curl physics.

Each function takes the laminate state and the step's spec and returns plain result dicts for summary.json.
"""
from __future__ import annotations

from .nip import solve_nip, write_nip_outputs
from .solder import solder_float_from_process
from .window import bond_setup_from_stack, nip_spec_for, predict_bond


def press(state, spec, new_layers, record) -> dict:
    """The roll nip (contact, heat transfer) and the bond it makes; results go under nip.* and bond.*."""
    if spec.nip_method == "none":
        record.notes.append("bond: nip_method = 'none', nip and bonding not computed")
        return {}
    nip_spec = nip_spec_for(state.stack, spec, spec.temperature_C, spec.speed_m_per_min, spec.load_kgf)
    nip = solve_nip(nip_spec, method=spec.nip_method)
    bond = predict_bond(None, nip.t_s, nip.interface_temperature_C, nip.interface_pressure_Pa,
                        setup=bond_setup_from_stack(state.stack, spec))
    bond["failing_interface"] = bond.get("first_failing_interface")
    nip_summary = nip.summary()["nip"]
    nip_summary["method"] = nip.method
    nip_summary["foil_elongation"] = nip.foil_elongation
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


def layer_mismatch_strains(state) -> list[float]:
    """Per present layer, the in-plane stress-free strain at the present temperature (ε0 + ε_th), averaged over
    the layer's central elements: what a sample cut from the laminate and held flat would be loaded by.

    A layer that formed on a curved substrate has a gradient of ε0 through its thickness; the average drops it
    (the curl solver takes one equi-biaxial strain per layer).
    """
    import numpy as np

    from .thermoelastic import layer_thermal_strain

    model = state.model
    d = model.dim
    mesh = model.lmesh.mesh
    lay = state.layer_of_element
    cent = np.sqrt((mesh.p[:d - 1, mesh.t].mean(axis=1) ** 2).sum(axis=0))
    central = cent <= 0.25 * model.lmesh.length_m
    eth = layer_thermal_strain(state, 25.0, state.T_C)
    inplane = (0, 2) if d == 2 else (0, 1)
    out = []
    for i in state.active_layers():
        el = np.flatnonzero((lay == i) & central)
        e0 = state.eps0[el][..., list(inplane)].mean()
        out.append(float(e0 + eth[i, inplane[0]]))
    return out


def curl_of_sample(state, spec, record) -> dict:
    """Large-deflection curl of a sample of the given size and shape cut from the laminate as it is now."""
    from .curl import curl_sample
    from .curl_output import write_curl_outputs

    present = state.active_layers()
    layers = [(state.stack.layers[i].material, state.stack.layers[i].thickness_m) for i in present]
    res = curl_sample(layers, layer_mismatch_strains(state), state.T_C, spec.length_mm * 1e-3, spec.width_mm * 1e-3,
                      shape=spec.shape, table=spec.table, gravity=spec.gravity, n_inplane=spec.n_inplane,
                      flat_lift_m=spec.flat_lift_mm * 1e-3)
    k = len(record.results.get("curl_sample", []))
    record.results.setdefault("_writers", []).append(
        lambda out, _r=res, _k=k: write_curl_outputs(_r, out / (f"curl_{_k}" if _k else "curl")))
    out = {"corner_lift_mm": res.corner_lift_m * 1e3, "shape": res.shape,
           "principal_curvatures_1_per_m": list(res.principal_curvatures_1_per_m),
           "centre_curvatures_1_per_m": list(res.centre_curvatures_1_per_m),
           "linear_curvature_1_per_m": res.linear_curvature_1_per_m,
           "length_mm": spec.length_mm, "width_mm": spec.width_mm, "sample_shape": spec.shape, "table": spec.table,
           "gravity": spec.gravity,
           "layers": [state.stack.layers[i].name for i in present], "temperature_C": state.T_C,
           "converged": res.converged, "message": res.message, "dofs": res.ndofs, "seconds": res.seconds}
    if not res.converged:
        record.notes.append(f"curl: {res.message}")
    return out
