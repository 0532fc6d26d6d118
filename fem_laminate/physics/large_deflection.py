"""Geometrically nonlinear (total Lagrangian, small strain / large rotation) layered plate.

St.Venant-Kirchhoff solid with an additive eigenstrain on the Green-Lagrange strain:
    F = I + grad u,  E = (F^T F - I)/2,  S = lam tr(E - t E*) I + 2 mu (E - t E*),  P = F S,
where t is the load factor (0 -> 1) and E* = diag(e*_x, e*_y, e*_z) is constant in each layer.
Quadratic 27-node hexes (ElementHex2) on the linear layered MeshHex: they reproduce constant
curvature exactly, so they do not lock in (small-deflection) bending. At large rotation the fully
integrated element locks in membrane (a flat quadratic element cannot follow an arc stretch-free);
PlateModel.membrane_tying selects the MITC9-tied version of physics/ans.py, which does not.

The readable weak forms (`internal_force_form`, `tangent_form`) are assembled by scikit-fem and
serve as the reference; the hot path (`Assembler`) evaluates the same integrals with batched
matrix products and scatters them into a fixed CSR pattern of the free DOFs (upper triangle, for
a symmetric sparse direct solve). tests/test_curl_nonlinear.py checks one against the other.

Newton with adaptive load stepping on t and a secant predictor. The symmetric (spherical) branch
is left through a small imperfection in the eigenstrain (e*_x, e*_y) = e*(1 + d, 1 - d); the
number of negative pivots of the tangent (PARDISO inertia) reports where the symmetric state
stops being stable.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from skfem import Basis, BilinearForm, ElementHex2, LinearForm
from skfem.helpers import ddot, eye, grad, mul, trace, transpose

try:  # a sparse direct solver: PARDISO if present, SuperLU otherwise
    from pypardiso import PyPardisoSolver
except Exception:  # pragma: no cover - depends on the platform
    PyPardisoSolver = None


# ---- readable reference: the weak forms ----------------------------------------------------------

def _stress(F, w):
    E = 0.5 * (mul(transpose(F), F) - eye(np.ones_like(F[0, 0]), 3)) - w["t"] * w["estar"]
    return w["lam"] * trace(E) * eye(np.ones_like(F[0, 0]), 3) + 2.0 * w["mu"] * E


@LinearForm
def internal_force_form(v, w):
    """int P : grad v dV with P = F S."""
    F = eye(np.ones_like(w["u"].grad[0, 0]), 3) + grad(w["u"])
    return ddot(mul(F, _stress(F, w)), grad(v))


@BilinearForm
def tangent_form(du, v, w):
    """Material part  C : sym(F^T grad du) : sym(F^T grad v)  plus geometric part  (grad du S) : grad v."""
    F = eye(np.ones_like(w["u"].grad[0, 0]), 3) + grad(w["u"])
    S = _stress(F, w)
    one = np.ones_like(F[0, 0])
    dEu = 0.5 * (mul(transpose(F), grad(du)) + transpose(mul(transpose(F), grad(du))))
    dEv = 0.5 * (mul(transpose(F), grad(v)) + transpose(mul(transpose(F), grad(v))))
    dS = w["lam"] * trace(dEu) * eye(one, 3) + 2.0 * w["mu"] * dEu
    return ddot(dS, dEv) + ddot(mul(grad(du), S), grad(v))


@LinearForm
def body_force_form(v, w):
    """int b . v dV for a uniform body force density b (N/m^3) along z."""
    return w["bz"] * v[2]


# ---- fast path -----------------------------------------------------------------------------------

@dataclass
class PlateModel:
    """Discretised layered plate: geometry, materials per element, eigenstrain per element."""
    mesh: object
    vbasis: object  # skfem Basis(ElementVector(ElementHex2))
    lam: np.ndarray  # (nel,) Lame lambda
    mu: np.ndarray  # (nel,) shear modulus
    estar: np.ndarray  # (nel, 3) or per quadrature point (nel, nq, 3): eigenstrain diagonal (x, y, z) at t = 1
    free: np.ndarray  # bool (ndofs,)
    bz: np.ndarray | None = None  # (nel,) body force density along z (N/m^3), None = no gravity
    # rigid table by penalty: z DOFs of the table-facing surface, their reference height minus the
    # table height times the side (+1: table below, -1: table above), penalty stiffness (N/m per DOF)
    contact_dofs: np.ndarray | None = None
    contact_gap0_m: np.ndarray | None = None
    contact_side: int = 1
    contact_k_N_per_m: float = 0.0
    # MITC9 membrane tying (physics/ans.py) against membrane locking at large rotation; needs the
    # basis built on ans.gauss_27()
    membrane_tying: bool = False

    @property
    def ndofs(self) -> int:
        return self.vbasis.N

    def estar_qp(self) -> np.ndarray:
        """Eigenstrain diagonal at the quadrature points, (nel, nq, 3)."""
        if self.estar.ndim == 3:
            return self.estar
        return np.repeat(self.estar[:, None, :], self.vbasis.X.shape[1], axis=1)

    def weights(self, u, t):
        """The w dict for the readable forms."""
        nq = self.vbasis.X.shape[1]
        es = np.zeros((3, 3, self.mesh.nelements, nq))
        for i in range(3):
            es[i, i] = self.estar_qp()[..., i]
        return dict(u=self.vbasis.interpolate(u), t=t, estar=es,
                    lam=np.repeat(self.lam[:, None], nq, 1), mu=np.repeat(self.mu[:, None], nq, 1))


class Assembler:
    """Internal force and tangent by batched matrix products, scattered into a fixed CSR pattern.

    The pattern holds the upper triangle of the free-free block (PARDISO mtype -2 convention).
    """

    def __init__(self, model: PlateModel):
        self.model = model
        vb = model.vbasis
        self.nb = 27
        self.edofs = vb.element_dofs.T.copy()  # (nel, 81), local ordering (a, i) -> 3 a + i
        self._estar = model.estar_qp()
        self._init_element()
        self._build_pattern()
        if model.bz is not None:
            bz = np.repeat(model.bz[:, None], vb.X.shape[1], 1)
            self.f_body = body_force_form.assemble(vb, bz=bz)
        else:
            self.f_body = np.zeros(vb.N)

    def _init_element(self):
        vb = self.model.vbasis
        sb = Basis(self.model.mesh, ElementHex2(), quadrature=(vb.X, vb.W))
        # g[e, q, a, J]: reference gradients; wq[e, q]: quadrature weight * det J
        self.g = np.stack([sb.basis[a][0].grad for a in range(self.nb)], axis=0).transpose(2, 3, 0, 1).copy()
        self.wq = np.asarray(sb.dx)

    def _build_pattern(self):
        m = self.model
        free_idx = -np.ones(m.ndofs, dtype=np.int64)
        free_idx[m.free] = np.arange(int(m.free.sum()))
        self.free_idx = free_idx
        nf = int(m.free.sum())
        ed = free_idx[self.edofs]  # (nel, 81)
        r = np.broadcast_to(ed[:, :, None], ed.shape + (ed.shape[1],)).ravel()
        c = np.broadcast_to(ed[:, None, :], ed.shape + (ed.shape[1],)).ravel()
        keep = (r >= 0) & (c >= 0) & (r <= c)
        key = r[keep] * nf + c[keep]
        ukey = np.unique(key)
        rows = ukey // nf
        cols = ukey % nf
        indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=nf))])
        self.indptr, self.indices, self.nnz, self.nfree = indptr, cols.astype(np.int32), len(ukey), nf
        scatter = np.full(r.shape[0], len(ukey), dtype=np.int64)  # dump slot for dropped entries
        scatter[np.flatnonzero(keep)] = np.searchsorted(ukey, key)
        self.scatter = scatter

    def _kinematics(self, u, t):
        m = self.model
        U = u[self.edofs].reshape(-1, self.nb, 3)  # (e, a, i)
        H = np.einsum("eai,eqaJ->eqiJ", U, self.g, optimize=True)
        F = H + np.eye(3)
        E = 0.5 * (np.einsum("eqiI,eqiJ->eqIJ", F, F) - np.eye(3))
        for i in range(3):
            E[..., i, i] -= t * self._estar[..., i]
        trE = np.trace(E, axis1=2, axis2=3)
        S = 2.0 * m.mu[:, None, None, None] * E
        for i in range(3):
            S[..., i, i] += m.lam[:, None] * trE
        return F, S

    def internal_force(self, u, t):
        F, S = self._kinematics(u, t)
        P = np.einsum("eqiK,eqKJ->eqiJ", F, S) * self.wq[..., None, None]
        fe = np.einsum("eqiJ,eqaJ->eai", P, self.g, optimize=True).reshape(len(self.edofs), -1)
        f = np.bincount(self.edofs.ravel(), weights=fe.ravel(), minlength=self.model.ndofs)
        return f + self._contact(u)[0]

    def _contact(self, u):
        """Penalty table: force k min(gap, 0) pushing back, stiffness k on the touching DOFs."""
        m = self.model
        f = np.zeros(m.ndofs)
        if m.contact_dofs is None or m.contact_k_N_per_m <= 0:
            return f, None
        gap = m.contact_gap0_m + m.contact_side * u[m.contact_dofs]
        touching = gap < 0
        f[m.contact_dofs] = m.contact_k_N_per_m * np.minimum(gap, 0.0) * m.contact_side
        return f, m.contact_dofs[touching]

    def force_and_tangent(self, u, t):
        """(f_int over all DOFs, K free-free upper-triangle CSR)."""
        m = self.model
        ne, nb = len(self.edofs), self.nb
        F, S = self._kinematics(u, t)
        w = self.wq
        P = np.einsum("eqiK,eqKJ->eqiJ", F, S) * w[..., None, None]
        fe = np.einsum("eqiJ,eqaJ->eai", P, self.g, optimize=True).reshape(ne, -1)
        f = np.bincount(self.edofs.ravel(), weights=fe.ravel(), minlength=m.ndofs)
        # Fg[e,q,a,i] = F_iJ g_aJ  (variation of E is sym(F^T e_i (x) g_a))
        Fg = np.einsum("eqiJ,eqaJ->eqai", F, self.g, optimize=True).reshape(ne, -1, 3 * nb)
        M = np.matmul(Fg.transpose(0, 2, 1) * w[:, None, :], Fg)  # (e, (a,i), (b,j))
        K = m.lam[:, None, None] * M
        M5 = M.reshape(ne, nb, 3, nb, 3)
        K5 = K.reshape(ne, nb, 3, nb, 3)
        K5 += m.mu[:, None, None, None, None] * M5.transpose(0, 1, 4, 3, 2)
        # mu (F F^T)_ij g_a.g_b  and  delta_ij g_a S g_b
        C = np.einsum("eqiJ,eqjJ->eqij", F, F)
        gT = self.g.transpose(0, 2, 1, 3).reshape(ne, nb, -1)  # (e, a, (q,J))
        Sg = np.einsum("eqJK,eqaK->eaqJ", S * w[..., None, None], self.g, optimize=True).reshape(ne, nb, -1)
        G_S = np.matmul(Sg, gT.transpose(0, 2, 1))
        for i in range(3):
            for j in range(i, 3):
                wc = (w * C[..., i, j] * m.mu[:, None])
                Gij = np.matmul(gT * np.repeat(wc, 3, axis=1)[:, None, :], gT.transpose(0, 2, 1))
                if i == j:
                    Gij = Gij + G_S
                K5[:, :, i, :, j] += Gij
                if i != j:
                    K5[:, :, j, :, i] += Gij
        return self._with_contact(f, K, u)

    def _with_contact(self, f, K, u):
        """Scatter the element matrices K (nel, 81, 81) into the CSR pattern and add the table's penalty."""
        data = np.bincount(self.scatter, weights=K.ravel(), minlength=self.nnz + 1)[: self.nnz]
        fc, touching = self._contact(u)
        if touching is not None:
            f += fc
            fi = self.free_idx[touching]
            fi = fi[fi >= 0]
            data[self.indptr[fi]] += self.model.contact_k_N_per_m  # the diagonal leads each upper-triangle row
        return f, sp.csr_matrix((data, self.indices, self.indptr), shape=(self.nfree, self.nfree))


def make_assembler(model: PlateModel):
    """The fast assembler the model asks for: plain Hex27, or Hex27 with MITC9 membrane tying."""
    if model.membrane_tying:
        from .ans import ANSAssembler
        return ANSAssembler(model)
    return Assembler(model)


# ---- linear solve with inertia -------------------------------------------------------------------

class SymmetricSolver:
    """Solve K x = b for the upper-triangle CSR K of a fixed pattern; reports the number of negative
    pivots (PARDISO inertia) when known. The symbolic analysis is done once per pattern."""

    def __init__(self):
        self.negative_pivots = None
        self._pardiso = PyPardisoSolver(mtype=-2) if PyPardisoSolver is not None else None
        self._analysed_pattern = None

    def solve(self, Kup, b):
        if self._pardiso is not None:
            s = self._pardiso
            key = (Kup.shape[0], Kup.nnz)
            if self._analysed_pattern != key:
                s._check_A(Kup)
                s.set_phase(11)  # reordering and symbolic factorisation, once per pattern
                s._call_pardiso(Kup, np.zeros((Kup.shape[0], 1)))
                self._analysed_pattern = key
            s.set_phase(23)  # numerical factorisation and solve
            x = s._call_pardiso(Kup, np.asfortranarray(np.asarray(b, float)[:, None])).ravel()
            self.negative_pivots = int(s.iparm[22])
            return x
        from scipy.sparse.linalg import splu
        Kf = (Kup + sp.triu(Kup, 1).T).tocsc()
        self.negative_pivots = None
        return splu(Kf).solve(b)


# ---- Newton with load stepping -------------------------------------------------------------------

@dataclass
class PathPoint:
    t: float
    u: np.ndarray
    iterations: int
    negative_pivots: int | None


@dataclass
class NewtonResult:
    u: np.ndarray  # last converged displacement (all DOFs)
    t: float  # last converged load factor
    converged: bool
    message: str
    path: list = field(default_factory=list)  # list[PathPoint]
    seconds: float = 0.0
    newton_iterations: int = 0


def _newton(asm, solver, free, u_try, t_new, tol, max_iter, size, verbose, rtol=1e-6, loads=None):
    """Newton iterations at fixed load factor; returns (ok, u, iterations, negative pivots).

    loads(t) -> (eigenstrain factor, body-force factor); default (t, 1).
    """
    t_eig, g = loads(t_new) if loads is not None else (t_new, 1.0)
    r0, negp = None, None
    for it in range(1, max_iter + 1):
        f, K = asm.force_and_tangent(u_try, t_eig)
        rf = (g * asm.f_body - f)[free]
        rn = float(np.linalg.norm(rf))
        r0 = max(rn, 1e-300) if r0 is None else r0
        du = solver.solve(K, rf)
        negp = solver.negative_pivots
        if not np.all(np.isfinite(du)):
            return False, u_try, it, negp
        u_try[free] += du
        scale = max(float(np.abs(u_try).max()), 1e-3 * size)
        step = float(np.abs(du).max()) / scale
        if verbose:
            print(f"    t={t_new:.5g} it={it} |r|={rn:.3e} |du|/scale={step:.3e} neg={negp}")
        if step <= tol and (rn <= rtol * r0 or step <= 1e-3 * tol):
            return True, u_try, it, negp
        if it >= 3 and step > 10:  # diverging
            return False, u_try, it, negp
    return False, u_try, max_iter, negp


def solve_load_path(model: PlateModel, t_end: float = 1.0, dt0: float = 0.05, dt_min: float = 1e-5,
                    dt_max: float = 0.2, tol: float = 1e-5, max_iter: int = 12, target_iter: int = 5,
                    callback=None, progress=None, keep_states: bool = False, verbose: bool = False,
                    perturb=None, rtol: float = 1e-4, secant_predictor: bool = True,
                    ramp: str = "eigenstrain", body_factor: float = 1.0, u0=None) -> NewtonResult:
    """Follow the stable equilibrium path from t = 0 to t_end by Newton's method.

    ramp = "eigenstrain": the load factor t scales the eigenstrain, the body force acts times body_factor
    throughout; ramp = "gravity": the eigenstrain acts in full and t scales the body force (lay the
    curled sample down on the table and let its weight act). u0: starting state (default zero).

    Convergence: the Newton correction below tol times the largest displacement (floor 1e-3 of the
    plate size) and the residual below rtol times the step's first residual (or a correction 1000x
    below tol). callback(t, u, negative
    pivots) is called at each converged step. perturb(u) -> u: when a converged state has negative
    pivots (an unstable branch, e.g. the spherical shape past the bifurcation), Newton is restarted
    from perturb(u) (a push along the bifurcation mode) and the stable state is kept if it is found.
    """
    t0 = time.perf_counter()
    asm = make_assembler(model)
    solver = SymmetricSolver()
    free = model.free
    size = float(np.ptp(model.mesh.p, axis=1).max())
    if ramp not in ("eigenstrain", "gravity"):
        raise ValueError(f"ramp = {ramp!r}: allowed 'eigenstrain' or 'gravity'")
    loads = (lambda t: (t, body_factor)) if ramp == "eigenstrain" else (lambda t: (1.0, t))
    u = np.zeros(model.ndofs) if u0 is None else np.array(u0, dtype=float)
    u_prev, t_prev = None, None
    t, dt = 0.0, min(dt0, t_end)
    path = [PathPoint(0.0, u.copy() if keep_states else None, 0, 0)]
    n_newton = 0
    while t < t_end * (1 - 1e-12):
        dt = min(dt, t_end - t)
        t_new = t + dt
        # secant predictor along the path
        if secant_predictor and u_prev is not None and t - t_prev > 0:
            u_try = u + (t_new - t) / (t - t_prev) * (u - u_prev)
        else:
            u_try = u.copy()
        switched = False
        try:
            ok, u_try, it, negp = _newton(asm, solver, free, u_try, t_new, tol, max_iter, size, verbose, rtol,
                                          loads)
            n_newton += it
            if ok and negp and perturb is not None:
                ok2, u2, it2, negp2 = _newton(asm, solver, free, perturb(u_try.copy()), t_new, tol,
                                              2 * max_iter, size, verbose, rtol, loads)
                n_newton += it2
                if ok2 and negp2 == 0:
                    u_try, negp, switched = u2, 0, True  # new branch: restart the secant predictor
        except (np.linalg.LinAlgError, RuntimeError, ValueError):
            ok = False
        if ok:
            u_prev, t_prev = (None, None) if switched else (u, t)
            u, t = u_try, t_new
            path.append(PathPoint(t, u.copy() if keep_states else None, it, negp))
            if callback is not None:
                callback(t, u, negp)
            if progress is not None:
                progress(t, it)
            dt = min(dt * (1.5 if it <= target_iter else 0.7 if it > target_iter + 2 else 1.0), dt_max)
        else:
            dt *= 0.5
            if dt < dt_min:
                msg = (f"Newton failed to converge at load factor {t + 2 * dt:.6g} (last converged "
                       f"{t:.6g}) after step cuts below {dt_min:g}; the last converged state is returned")
                return NewtonResult(u, t, False, msg, path, time.perf_counter() - t0, n_newton)
    unstable = [p.t for p in path if p.negative_pivots]
    msg = "converged" if not unstable else \
        f"converged, but {len(unstable)} states have negative pivots (unstable), first at t = {unstable[0]:.4g}"
    return NewtonResult(u, t, True, msg, path, time.perf_counter() - t0, n_newton)


def lowest_eigenvalue(model: PlateModel, u, t) -> float:
    """Eigenvalue of the free-free tangent closest to zero (sign change = loss of stability).

    Uses a shift-invert Lanczos solve with the full matrix: meant for verification-size models.
    """
    from scipy.sparse.linalg import eigsh
    asm = make_assembler(model)
    _, K = asm.force_and_tangent(u, t)
    Kf = (K + sp.triu(K, 1).T).tocsc()
    scale = float(np.abs(Kf.diagonal()).mean())
    vals = eigsh(Kf / scale, k=1, sigma=0.0, which="LM", return_eigenvectors=False)
    return float(vals[0]) * scale
