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
    """Per present layer, the in-plane stress-free strain (ε0 + ε_th) at the present temperature, at the layer's
    mid-plane over its central elements: what a sample cut from the laminate and held flat is loaded by."""
    return layer_mismatch_profile(state)[0]


def layer_mismatch_profile(state) -> tuple[list[float], list[float]]:
    """(mid-plane values, gradients through the thickness in 1/m) of each present layer's in-plane stress-free
    strain ε0 + ε_th at the present temperature, fitted over the layer's central elements.

    A layer that formed on a curved substrate (a bonded foil, a layer relaxed above Tg) is stress-free curved:
    its ε0 varies through its thickness, and the gradient loads a cut sample with a moment. The in-plane
    components are averaged (equi-biaxial; the curl solver takes one strain per layer and depth).
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
    zq = model.basis.mapping.F(model.basis.X)[d - 1]  # (nel, nq) height of the quadrature points
    itf = state.stack.interfaces_m
    mids, grads = [], []
    for i in state.active_layers():
        el = np.flatnonzero((lay == i) & central)
        e = state.eps0[el][..., list(inplane)].mean(axis=-1).ravel()
        z = zq[el].ravel() - 0.5 * (itf[i] + itf[i + 1])
        A = np.stack([np.ones_like(z), z], axis=1)
        (a, g), *_ = np.linalg.lstsq(A, e, rcond=None)
        mids.append(float(a + eth[i, inplane[0]]))
        grads.append(float(g))
    return mids, grads


def curl_of_sample(state, spec, record) -> dict:
    """Large-deflection curl of a sample of the given size and shape cut from the laminate as it is now."""
    from .curl import curl_sample
    from .curl_output import write_curl_outputs

    present = state.active_layers()
    layers = [(state.stack.layers[i].material, state.stack.layers[i].thickness_m) for i in present]
    strains, gradients = layer_mismatch_profile(state)
    res = curl_sample(layers, strains, state.T_C, spec.length_mm * 1e-3, spec.width_mm * 1e-3,
                      shape=spec.shape, table=spec.table, gravity=spec.gravity, n_inplane=spec.n_inplane,
                      flat_lift_m=spec.flat_lift_mm * 1e-3, gradient_per_m=gradients)
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
