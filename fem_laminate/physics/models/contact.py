"""Plane-strain FEM contact of a layered strip squeezed between two rolls (the bonding nip).

Model (x = rolling direction, y = through the thickness, half model x >= 0 with symmetry u_x = 0 at x = 0):
- each roll is an elastic block truncated to a region of a few tens of contact half-widths around the nip
  (``depth_factor``); its curved surface enters through the initial gap x^2 / 2R (the Hertz half-space
  assumption; checked against Hertz in tests/physics/test_nip_contact.py).  The bottom roll's far face is held in y,
  the top roll's far face moves as one (a single master DOF that carries the applied load, so the load is
  imposed exactly).  A roll may also be rigid (two DOFs), and the strip may instead be bonded to a rigid base.
- the strip: layers bottom-up, bilinear quads with mean-dilatation B-bar (no volumetric locking when the
  rubbery bonding layer is nearly incompressible), J2 plasticity where a yield stress is given.
- contact: node-to-node penalty on conforming interface grids (small sliding; tangential slip is microns,
  below the element size), trapezoidal (lumped) weights, semi-smooth Newton on the active set;
  Coulomb friction by a tangential penalty with return mapping (stick/slip), history carried over load steps.
The load is applied in ``n_steps`` geometric increments from 2 % (plasticity and friction are path
dependent); each increment is a semi-smooth Newton solve (physics/solve/newton.py) with a residual safeguard (halve a step that
blows the residual up; require descent after a few iterations, which ends stick/slip flip-flops).
The penalty is kappa = 100 max(K + 4G/3) / h (h: contact element size): its compliance is ~1e-3 of the
contact's, checked by the Hertz test; the stick spring is 0.05 kappa (TANGENTIAL_PENALTY_RATIO).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from skfem import Basis, ElementQuad1, ElementVector, MeshQuad

from ..fe import assembly
from ..solve import newton
from ..laws.layer_views import bulk_shear_glassy_bulk, yield_and_hardening
from ..laws.plasticity import initial_history, update_history
from ..fe.solvers import direct_solve


# tangential penalty / normal penalty: a softer stick spring (its elastic slip stays ~1 % of the surface
# displacements) makes the stick/slip set settle in fewer Newton iterations
TANGENTIAL_PENALTY_RATIO = 0.05


@dataclass
class Roll:
    radius_m: float
    K_Pa: float = 0.0
    G_Pa: float = 0.0
    rigid: bool = False


@dataclass
class StripLayer:
    thickness_m: float
    K_Pa: float
    G_Pa: float
    yield_Pa: float = math.inf
    hardening_Pa: float = 0.0
    n_elements: int | None = None  # through the thickness; None: from the contact element size

    @classmethod
    def of(cls, layer, T_C: float, n_elements: int | None = None) -> "StripLayer":
        """The strip view of a `model.stack.Layer` at T_C: K, G of the squeezed strip (glassy bulk modulus),
        yield and hardening of its J2 law (elastic without one)."""
        K, G = bulk_shear_glassy_bulk(layer.material, T_C)
        sy, H = yield_and_hardening(layer.material, T_C)
        return cls(layer.thickness_m, K, G, sy, H, n_elements)


@dataclass
class Interface:
    """Node pairs of one contact interface: lower surface node a, upper surface node b, same x."""
    x: np.ndarray
    weight: np.ndarray  # lumped (trapezoidal) length per pair, m
    lo_x: np.ndarray
    lo_y: np.ndarray
    up_x: np.ndarray
    up_y: np.ndarray
    g0: np.ndarray  # initial gap (curvature of the roll surfaces)
    kappa: float  # penalty, Pa/m
    slip: np.ndarray = None  # committed tangential slip (friction history)

    def __post_init__(self):
        if self.slip is None:
            self.slip = np.zeros_like(self.x)


@dataclass
class ContactModel:
    mesh: MeshQuad
    basis: Basis
    body: np.ndarray  # per element: 0 bottom roll, 1 strip, 2 top roll
    layer: np.ndarray  # per element: strip layer index, -1 in the rolls
    K: np.ndarray
    G: np.ndarray
    yield_Pa: np.ndarray
    hardening_Pa: np.ndarray
    Bbar: np.ndarray  # (4, Nbfun, nel, nqp) B-bar strain operator, engineering shear
    dx: np.ndarray  # (nel, nqp) quadrature weights * Jacobian
    ndof: int  # full DOFs: mesh DOFs + 4 rigid-body DOFs (bottom ux, uy, top ux, uy)
    T: sp.csr_matrix  # full = T @ reduced
    master: int  # reduced index of the load DOF (top roll vertical motion)
    interfaces: list[Interface]
    strip_interfaces_m: np.ndarray  # strip layer boundaries (y), 0 at the strip bottom


@dataclass
class ContactSolution:
    model: ContactModel
    u: np.ndarray  # full displacement vector
    sigma: np.ndarray  # (4, nel, nqp) Pa
    history: dict  # J2 history as the laminate keys it: "strain" (4, nel, nqp) plastic, "alpha" (nel, nqp)
    pressure: list[np.ndarray]  # per interface, nodal contact pressure (Pa)
    shear: list[np.ndarray]  # per interface, tangential traction (Pa)
    approach_m: float  # top roll's far-face displacement (negative = down)
    newton_iterations: int
    load_N_per_m: float

    @property
    def eps_p(self) -> np.ndarray:
        return self.history["strain"]

    @property
    def alpha(self) -> np.ndarray:
        """Equivalent plastic strain (nel, nqp)."""
        return self.history["alpha"]


# ---------------------------------------------------------------------------------------- geometry
def graded_grid(h0: float, fine_to: float, length: float, growth: float = 1.15) -> np.ndarray:
    """0 .. length: uniform spacing h0 up to fine_to, then geometric growth."""
    n_f = max(int(math.ceil(fine_to / h0)), 1)
    pts = list(np.linspace(0.0, n_f * h0, n_f + 1))
    h = h0
    while pts[-1] < length:
        h *= growth
        pts.append(pts[-1] + h)
    pts[-1] = max(pts[-1], length)
    return np.array(pts)


def build_model(x_grid: np.ndarray, strip_x_max: float, layers: list[StripLayer], bottom: Roll | str,
                top: Roll, roll_depth_m: float, h_y0: float, penalty: float = 100.0,
                growth: float = 1.15, intorder: int = 2) -> ContactModel:
    """Assemble the geometry, materials, constraints and contact pairs.

    bottom: a Roll (elastic or rigid) or "bonded" (strip bottom fixed, rigid base).  layers may be empty
    (two rolls in direct contact, the Hertz check).  penalty: kappa = penalty * max(M) / h, M the
    confined modulus K + 4G/3 of the two sides, h the contact element size.
    """
    blocks, offset = [], 0
    pts, elems, body, layer, Ks, Gs, sys_, Hs = [], [], [], [], [], [], [], []

    def add_block(x, y, b_id, row_props):
        nonlocal offset
        m = MeshQuad.init_tensor(x, y)
        pts.append(m.p)
        elems.append(m.t + offset)
        yc = m.p[1, m.t].mean(axis=0)
        props = row_props(yc)
        body.append(np.full(m.t.shape[1], b_id))
        for store, v in zip((layer, Ks, Gs, sys_, Hs), props):
            store.append(v)
        idx = np.arange(m.p.shape[1]) + offset
        offset += m.p.shape[1]
        blocks.append((b_id, m.p, idx))
        return m.p, idx

    depth_y = graded_grid(h_y0, 3 * h_y0, roll_depth_m, growth)
    h_strip = sum(L.thickness_m for L in layers)
    y_if = np.concatenate([[0.0], np.cumsum([L.thickness_m for L in layers])])

    def uniform(K, G):
        return lambda yc: (np.full(len(yc), -1), np.full(len(yc), K), np.full(len(yc), G),
                           np.full(len(yc), math.inf), np.zeros(len(yc)))

    surf = {}
    if isinstance(bottom, Roll) and not bottom.rigid:
        p, idx = add_block(x_grid, -depth_y[::-1], 0, uniform(bottom.K_Pa, bottom.G_Pa))
        surf["bot_top"] = _edge(p, idx, 1, 0.0)
        surf["bot_far"] = _edge(p, idx, 1, -depth_y[-1])
    if layers:
        xs = x_grid[x_grid <= strip_x_max + 1e-15]
        ys = [0.0]
        for L in layers:
            n = L.n_elements or int(np.clip(math.ceil(L.thickness_m / h_y0), 2, 8))
            ys += list(np.linspace(ys[-1], ys[-1] + L.thickness_m, n + 1)[1:])
        ys = np.array(ys)

        def strip_props(yc):
            li = np.searchsorted(y_if[1:-1], yc, side="right")
            return (li, np.array([layers[i].K_Pa for i in li]), np.array([layers[i].G_Pa for i in li]),
                    np.array([layers[i].yield_Pa for i in li]), np.array([layers[i].hardening_Pa for i in li]))

        p, idx = add_block(xs, ys, 1, strip_props)
        surf["strip_bot"] = _edge(p, idx, 1, 0.0)
        surf["strip_top"] = _edge(p, idx, 1, ys[-1])
    if not top.rigid:
        p, idx = add_block(x_grid, h_strip + depth_y, 2, uniform(top.K_Pa, top.G_Pa))
        surf["top_bot"] = _edge(p, idx, 1, h_strip)
        surf["top_far"] = _edge(p, idx, 1, h_strip + depth_y[-1])

    mesh = MeshQuad(np.hstack(pts), np.hstack(elems))
    basis = Basis(mesh, ElementVector(ElementQuad1()), intorder=intorder)
    nmesh = basis.N
    ndof = nmesh + 4
    RB = {"bot_ux": nmesh, "bot_uy": nmesh + 1, "top_ux": nmesh + 2, "top_uy": nmesh + 3}
    ux = lambda nodes: basis.nodal_dofs[0, nodes]
    uy = lambda nodes: basis.nodal_dofs[1, nodes]

    # constraints: fixed DOFs and the slaved top face
    fixed = [ux(np.flatnonzero(np.isclose(mesh.p[0], 0.0)))]  # symmetry plane
    fixed.append([RB["bot_ux"], RB["top_ux"]])
    if isinstance(bottom, Roll) and bottom.rigid:
        fixed.append([RB["bot_uy"]])
    elif isinstance(bottom, Roll):
        fixed.append(uy(surf["bot_far"][1]))
        fixed.append([RB["bot_ux"], RB["bot_uy"]])
    else:  # bonded to a rigid base
        fixed.append(ux(surf["strip_bot"][1]))
        fixed.append(uy(surf["strip_bot"][1]))
        fixed.append([RB["bot_uy"]])
    slaved = [RB["top_uy"]]
    if not top.rigid:
        slaved = list(uy(surf["top_far"][1])) + slaved
    fixed = np.unique(np.concatenate([np.atleast_1d(np.asarray(f, dtype=int)) for f in fixed]))
    fixed = np.setdiff1d(fixed, slaved)
    free = np.setdiff1d(np.arange(ndof), np.concatenate([fixed, slaved]))
    nred = len(free) + 1
    rows = np.concatenate([free, slaved])
    cols = np.concatenate([np.arange(len(free)), np.full(len(slaved), nred - 1)])
    T = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(ndof, nred))

    # materials per element, B-bar operator
    K = np.concatenate(Ks); G = np.concatenate(Gs)
    model_Bbar, dx = bbar_operator(basis)

    # contact interfaces (lower surface, upper surface)
    def surface(name, rigid_key):
        if name in surf:
            xs_, nodes = surf[name]
            return xs_, ux(nodes), uy(nodes)
        return None, RB[rigid_key + "_ux"], RB[rigid_key + "_uy"]

    def roll_curv(r):
        return 0.0 if math.isinf(r.radius_m) else 0.5 / r.radius_m

    M = lambda K_, G_: K_ + 4.0 * G_ / 3.0
    interfaces = []
    if layers:
        pairs = []
        if isinstance(bottom, Roll):
            pairs.append((surface("bot_top", "bot"), surface("strip_bot", ""), roll_curv(bottom),
                          max(M(layers[0].K_Pa, layers[0].G_Pa), 0 if bottom.rigid else M(bottom.K_Pa, bottom.G_Pa))))
        pairs.append((surface("strip_top", ""), surface("top_bot", "top"), roll_curv(top),
                      max(M(layers[-1].K_Pa, layers[-1].G_Pa), 0 if top.rigid else M(top.K_Pa, top.G_Pa))))
    else:
        c = (0.0 if bottom == "bonded" else roll_curv(bottom)) + roll_curv(top)
        Ms = [M(r.K_Pa, r.G_Pa) for r in (bottom, top) if isinstance(r, Roll) and not r.rigid]
        pairs = [(surface("bot_top", "bot"), surface("top_bot", "top"), c, max(Ms))]
    for lo, up, curv, Mmax in pairs:
        # the strip may be shorter than the roll blocks: pair the common prefix of the (shared) x grid
        sizes = [len(s_[0]) for s_ in (lo, up) if s_[0] is not None]
        n = min(sizes)
        xs_ = (lo[0] if lo[0] is not None else up[0])[:n]
        lo = (None, np.atleast_1d(lo[1])[:n] if lo[0] is not None else lo[1], np.atleast_1d(lo[2])[:n] if lo[0] is not None else lo[2])
        up = (None, np.atleast_1d(up[1])[:n] if up[0] is not None else up[1], np.atleast_1d(up[2])[:n] if up[0] is not None else up[2])
        h = np.diff(xs_)
        w = np.zeros(n)
        w[:-1] += 0.5 * h
        w[1:] += 0.5 * h
        bcast = lambda d: np.broadcast_to(d, (n,)).astype(int)
        interfaces.append(Interface(x=xs_, weight=w, lo_x=bcast(lo[1]), lo_y=bcast(lo[2]), up_x=bcast(up[1]),
                                    up_y=bcast(up[2]), g0=curv * xs_ ** 2, kappa=penalty * Mmax / h[0]))
    return ContactModel(mesh=mesh, basis=basis, body=np.concatenate(body), layer=np.concatenate(layer), K=K, G=G,
                        yield_Pa=np.concatenate(sys_), hardening_Pa=np.concatenate(Hs), Bbar=model_Bbar, dx=dx,
                        ndof=ndof, T=T, master=nred - 1, interfaces=interfaces, strip_interfaces_m=y_if)


def _edge(p, idx, axis, value):
    """Nodes of a block on the line p[axis] == value, sorted by the other coordinate."""
    m = np.isclose(p[axis], value, rtol=0, atol=1e-12 + 1e-9 * abs(value))
    other = p[1 - axis, m]
    order = np.argsort(other)
    return other[order], idx[m][order]


# ------------------------------------------------------------------------------ element operators
def bbar_operator(basis: Basis) -> tuple[np.ndarray, np.ndarray]:
    """Mean-dilatation B-bar strain operator (4, Nbfun, nel, nqp) with rows [xx, yy, zz, gamma_xy].

    Standard strains plus the element-mean dilatation replacing the pointwise one (Hughes, The Finite Element
    Method, 1987, 4.5): eps_bar_ii = eps_ii + (theta_mean - theta) / 3, i = x, y, z.
    """
    dx = basis.dx
    B = np.zeros((4, basis.Nbfun) + dx.shape)
    for j in range(basis.Nbfun):
        g = basis.basis[j][0].grad  # (2, 2, nel, nqp): g[i, k] = d u_i / d x_k
        B[0, j] = g[0, 0]
        B[1, j] = g[1, 1]
        B[3, j] = g[0, 1] + g[1, 0]
    theta = B[0] + B[1]
    theta_mean = (theta * dx).sum(axis=-1, keepdims=True) / dx.sum(axis=-1, keepdims=True)
    for i in range(3):
        B[i] += (theta_mean - theta) / 3.0
    return B, dx


def strains(model: ContactModel, u: np.ndarray) -> np.ndarray:
    ue = u[model.basis.element_dofs]  # (Nbfun, nel)
    return np.einsum("iaeq,ae->ieq", model.Bbar, ue)


def internal_force(model: ContactModel, sigma: np.ndarray) -> np.ndarray:
    fe = np.einsum("iaeq,ieq,eq->ae", model.Bbar, sigma, model.dx)
    return assembly.vector(model.basis.element_dofs, fe, model.ndof)


def tangent_stiffness(model: ContactModel, D: np.ndarray) -> sp.csr_matrix:
    """K = sum_e sum_q Bbar^T D Bbar dx (vectorised fast path; tests compare it with skfem forms)."""
    Bt = np.ascontiguousarray(model.Bbar.transpose(2, 3, 0, 1))  # (nel, nqp, 4, Nbfun)
    DB = np.matmul(np.ascontiguousarray(D.transpose(2, 3, 0, 1)), Bt)
    Ke = np.matmul((Bt * model.dx[:, :, None, None]).transpose(0, 1, 3, 2), DB).sum(axis=1)
    if getattr(model, "_pattern", None) is None:
        model._pattern = assembly.Pattern(model.basis.element_dofs.T, model.ndof)
    return model._pattern.matrix(Ke)


# ---------------------------------------------------------------------------------------- contact
def contact_forces(itf: Interface, u: np.ndarray, friction: float, force_active=None):
    """Penalty contact: force vector entries and tangent triplets for one interface.

    Gap g = u_y(up) - u_y(lo) + g0 (< 0 is penetration), p = kappa <-g>;  slip s = u_x(up) - u_x(lo),
    tangential traction t = kappa (s - s_slip) limited to |t| <= friction p (Coulomb).
    Returns (dofs, forces) for the external-force vector, tangent triplets (rows, cols, vals) of
    -d(force)/du, pressure p, traction t and the trial slip to commit.
    """
    g = u[itf.up_y] - u[itf.lo_y] + itf.g0
    s = u[itf.up_x] - u[itf.lo_x]
    active = g < 0.0
    if force_active is not None:
        active = active | force_active
    k, w = itf.kappa, itf.weight
    k_t = TANGENTIAL_PENALTY_RATIO * k
    p = np.where(g < 0.0, -k * g, 0.0)
    t_trial = k_t * (s - itf.slip)
    cap = friction * p
    stick = active & (np.abs(t_trial) <= cap) & (friction > 0)
    sgn = np.sign(t_trial)
    t = np.where(stick, t_trial, np.where(active & (friction > 0), cap * sgn, 0.0))
    new_slip = s - t / k_t
    dofs = np.concatenate([itf.up_y, itf.lo_y, itf.up_x, itf.lo_x])
    forces = np.concatenate([w * p, -w * p, -w * t, w * t])
    # tangent of -force (a stiffness): normal penalty springs on the active pairs
    ka = np.where(active, w * k, 0.0)
    kt = np.where(stick, w * k_t, 0.0)
    ks = np.where(active & ~stick & (friction > 0), w * k * friction * sgn, 0.0)  # slip: t = -mu k g sgn
    r, c, v = [], [], []
    for (a, b, val) in ((itf.up_y, itf.up_y, ka), (itf.up_y, itf.lo_y, -ka), (itf.lo_y, itf.up_y, -ka), (itf.lo_y, itf.lo_y, ka),
                        (itf.up_x, itf.up_x, kt), (itf.up_x, itf.lo_x, -kt), (itf.lo_x, itf.up_x, -kt), (itf.lo_x, itf.lo_x, kt),
                        (itf.up_x, itf.up_y, -ks), (itf.up_x, itf.lo_y, ks), (itf.lo_x, itf.up_y, ks), (itf.lo_x, itf.lo_y, -ks)):
        r.append(a); c.append(b); v.append(val)
    return dofs, forces, (np.concatenate(r), np.concatenate(c), np.concatenate(v)), p, t, new_slip, active


def solve_contact(model: ContactModel, load_N_per_m: float, friction: float = 0.0, n_steps: int = 6,
                  a_guess_m: float | None = None, tol: float = 1e-8, max_iter: int = 30,
                  first_fraction: float = 0.02, strict_after: int = 6, max_cuts: int = 8,
                  progress=None) -> ContactSolution:
    """Apply the (full-model) line load in n_steps geometric increments from first_fraction to 1; Newton with
    active-set and plastic updates (physics/solve/newton.py).  An increment that does not converge in max_iter
    iterations is halved (from the last converged state), at most max_cuts times in all; then RuntimeError.

    Converged when the residual is below tol times the half-model load and the active set did not change
    in the last correction.  The half model carries load_N_per_m / 2.
    """
    nel, nqp = model.dx.shape
    K_q, G_q = model.K[:, None], model.G[:, None]
    sy_q, H_q = model.yield_Pa[:, None], model.hardening_Pa[:, None]
    T = model.T
    F = np.zeros(T.shape[1])
    P_half = 0.5 * load_N_per_m
    # converged state: displacement, plastic history, friction history (committed by a converged step)
    s = {"u": np.zeros(model.ndof), "history": initial_history(4, (nel, nqp)), "lam": 0.0, "iterations": 0, "results": None, "residual": math.inf}

    def evaluate(u, lam, predictor):
        """Residual (reduced), tangent pieces and state at displacement u."""
        eps = strains(model, u)
        sigma, D, history = update_history(eps, s["history"], K_q, G_q, sy_q, H_q)
        f_c = np.zeros(model.ndof)
        trip, actives, results = [], [], []
        for itf in model.interfaces:
            force_active = None
            if predictor:  # a few pairs held in contact so that the first solve is not singular
                a0 = (a_guess_m or 3 * itf.x[1]) * math.sqrt(lam)
                force_active = itf.x <= max(a0, itf.x[2])
            dofs, forces, tri, p, t, slip, act = contact_forces(itf, u, friction, force_active)
            np.add.at(f_c, dofs, forces)
            trip.append(tri); actives.append(act); results.append((p, t, slip))
        R = T.T @ (internal_force(model, sigma) - f_c) - F
        return newton.Point(R, (D, trip, np.concatenate(actives), results, (sigma, history)))

    def correct(point):
        D, trip = point.data[:2]
        r_, c_, v_ = (np.concatenate([t_[k] for t_ in trip]) for k in range(3))
        Kc = sp.coo_matrix((v_, (r_, c_)), shape=(model.ndof, model.ndof)).tocsr()
        A = (T.T @ (tangent_stiffness(model, D) + Kc) @ T).tocsr()
        s["iterations"] += 1
        return T @ direct_solve(A, -point.residual)

    def step(lam_done, lam):
        F[model.master] = -P_half * lam
        prev = {"active": None}

        def on_iteration(k, rn, point):
            if progress:
                progress(f"load {lam:.4f} it {k} residual {rn / max(P_half, 1e-300):.2e} "
                         f"active {int(point.data[2].sum())}")

        def converged_at(k, rn, point):
            active = point.data[2]
            done = (k > 0 and rn / max(P_half, 1e-300) < tol and prev["active"] is not None
                    and np.array_equal(active, prev["active"]))
            prev["active"] = active
            return done

        def line_search(u, du, point, rn, k):
            # halve a step that blows the residual up (active-set cycling), but keep full Newton steps at
            # first - a strict descent test makes the active set creep by one pair per iteration; after a
            # few iterations require descent (ends stick/slip flip-flops)
            step_len = 1.0
            growth = 10.0 if k < strict_after else 1.0 - 1e-4
            while True:
                trial = evaluate(u + step_len * du, lam, False)
                if newton.norm(trial.residual) < growth * rn or step_len < 1.0 / 64 or k == 0:
                    return u + step_len * du, trial
                step_len *= 0.5

        res = newton.newton(s["u"].copy(), lambda u: evaluate(u, lam, lam_done == 0.0), correct,
                            max_iter=max_iter, converged_at=converged_at, line_search=line_search,
                            on_iteration=on_iteration)
        s["residual"] = res.residual_norm / max(P_half, 1e-300)
        if res.converged:
            results, state = res.point.data[3:]
            s["u"], s["lam"], s["results"] = res.u, lam, results
            s["sigma"], s["history"] = state
            for itf, (_, _, slip) in zip(model.interfaces, results):
                itf.slip = slip
        return res.converged, res.iterations

    targets = list(np.geomspace(first_fraction, 1.0, n_steps)) if n_steps > 1 else [1.0]
    path = newton.follow_load_path(step, targets=targets, max_cuts=max_cuts)
    if not path.completed:
        raise RuntimeError(f"nip contact: Newton did not converge at load fraction {path.t_failed:.3f} "
                           f"after {max_cuts} step cuts (residual {s['residual']:.1e})")
    u, results = s["u"], s["results"]
    return ContactSolution(model=model, u=u, sigma=s["sigma"], history=s["history"],
                           pressure=[r[0] for r in results], shear=[r[1] for r in results],
                           approach_m=float(u[model.ndof - 1]), newton_iterations=s["iterations"],
                           load_N_per_m=load_N_per_m)


def contact_half_width(x: np.ndarray, p: np.ndarray) -> float:
    """Edge of the contact from nodal pressures: p^2 extrapolated linearly to zero past the last loaded node
    (p ~ sqrt(a - x) at a smooth contact edge), kept within the next grid interval."""
    idx = np.flatnonzero(p > 0)
    if len(idx) == 0:
        return 0.0
    i = idx[-1]
    if i == 0 or i + 1 >= len(x):
        return float(x[i])
    p1, p0 = p[i] ** 2, p[i - 1] ** 2
    if p0 <= p1:
        return float(x[i])
    xe = x[i] + p1 * (x[i] - x[i - 1]) / (p0 - p1)
    return float(min(xe, x[i + 1]))


def line_load_from_pressure(x: np.ndarray, p: np.ndarray) -> float:
    """Full-model line load (N/m) of a half-model nodal pressure profile (trapezoid, both halves)."""
    return 2.0 * float(np.trapezoid(p, x))
