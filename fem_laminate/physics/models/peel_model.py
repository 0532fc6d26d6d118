"""The FEM peel model: arm and substrate bodies (fe/total_lagrangian.py), the cohesive interface between them
(laws/cohesive.py at node pairs), the grip and the rigid base; assembly and the Newton solve at one grip
position. Meshes in peel_mesh.py, the pull in peel.py, read-back in peel_post.py.

Full Newton with the consistent tangents (J2: Simo & Hughes Box 3.2; cohesive: derivative of the softening
law) by physics/solve/newton.py; the tangent goes into one CSR pattern built once (physics/fe/assembly.py: arm,
substrate and cohesive node pairs in one element table, bincount scatter).
"""
from __future__ import annotations

import math

import numpy as np
from scipy.sparse import coo_matrix, csc_matrix, csr_matrix
from scipy.sparse.linalg import splu

from ..fe import assembly
from ..fe.total_lagrangian import Body
from ..laws.cohesive import Cohesive
from ..laws.law import PointHistory
from ..solve import newton
from . import peel_post as post
from .peel_mesh import _arm_geometry, _substrate_geometry, straightening_strain
from .peel_spec import PeelFEMSpec, _arm_cells, _elastic_bend_radius, _plane_strain_modulus, check_resolution


class CohesiveInterface:
    """Node pairs along the bonded interface carrying the cohesive law (global frame: opening n = y, t = x),
    integrated at the nodes with Newton-Cotes weights of the quadratic edge (no traction oscillations)."""

    def __init__(self, top_dofs, bot_dofs, weights, law: Cohesive):
        self.top, self.bot, self.w = top_dofs, bot_dofs, weights  # scalar-node global x-DOF indices
        self.law = law
        self.history = PointHistory(law.initial_history(weights.size))

    @property
    def d0(self) -> float:
        return self.law.opening_at_strength

    @property
    def df(self) -> float:
        return self.law.final_opening

    def assemble(self, U):
        """Node-pair forces (n, 4) and tangents (n, 4, 4) on (top x, top y, bottom x, bottom y): f = w [T, -T],
        K = w [[k, -k], [-k, k]]; the trial history is kept for commit()."""
        opening = np.array([U[self.top] - U[self.bot], U[self.top + 1] - U[self.bot + 1]])
        t, k, self.history.trial = self.law.update(opening, self.history.committed)
        T = t.T * self.w[:, None]
        k = np.moveaxis(k, -1, 0) * self.w[:, None, None]
        return np.concatenate([T, -T], axis=1), np.block([[k, -k], [-k, k]])

    def element_dofs(self) -> np.ndarray:
        return np.stack([self.top, self.top + 1, self.bot, self.bot + 1], axis=1)

    def commit(self):
        self.history.commit()

    def failed(self) -> np.ndarray:
        return self.law.failed(self.history.committed)

    def damaged(self) -> np.ndarray:
        return self.law.damaged(self.history.committed)


CHORD_RANGE = 1e4  # chord steps only within this factor of the convergence threshold (quadratic range)
CHORD_RATE = 10.0  # ... and while each correction cuts the residual at least this much


class PeelModel:
    """Arm and substrate bodies, the cohesive interface between them, the grip and the base: assembly on one
    element table and Newton at a grip position (`solve_step`); the state is committed only when it converges."""

    def __init__(self, spec: PeelFEMSpec):
        self.spec = spec
        self.n_cz = check_resolution(spec)
        R = spec.bend_radius_m or _elastic_bend_radius(spec)
        arm_mesh, arm_layer, self._end, self.arm_xi, straight = _arm_geometry(spec, R)
        sub_mesh, sub_layer = _substrate_geometry(spec)
        self.arm = Body(arm_mesh, arm_layer, spec.arm, 0,
                        None if straight is None else straightening_strain(arm_mesh, straight))
        self.arm_ny = len(spec.arm) * _arm_cells(spec)  # cells through the arm (vertex sections: +1)
        self.sub = Body(sub_mesh, sub_layer, spec.substrate, self.arm.ndof())
        self.ndof = self.arm.ndof() + self.sub.ndof()
        a, s = self.arm.basis.doflocs, self.sub.basis.doflocs
        h = sum(L.thickness_m for L in spec.arm)
        tol = 1e-6 * h
        ia = np.flatnonzero((np.abs(a[1]) < tol) & (a[0] > -tol))
        is_ = np.flatnonzero(np.abs(s[1]) < tol)
        ia, is_ = ia[np.argsort(a[0, ia])], is_[np.argsort(s[0, is_])]
        if ia.size != is_.size or np.max(np.abs(a[0, ia] - s[0, is_])) > tol:
            raise RuntimeError("arm and substrate interface nodes do not match")
        le = spec.element_length_m
        w = np.zeros(ia.size)
        w[0:-1:2] += le / 6
        w[1::2] += 4 * le / 6
        w[2::2] += le / 6
        Es = _plane_strain_modulus(spec.substrate[0])
        ts = sum(L.thickness_m for L in spec.substrate)
        law = Cohesive.bilinear(spec.strength_Pa, spec.toughness_J_per_m2, spec.penalty_factor * Es / ts)
        self.cz = CohesiveInterface(2 * ia, self.arm.ndof() + 2 * is_, w, law)
        self.cz_x = a[0, ia]
        # boundary conditions: base fixed; grip = end section of the free arm, translated along the pull
        end = self._grip_nodes(R)
        base = np.flatnonzero(np.abs(s[1] + ts) < tol)
        self.grip = np.concatenate([2 * end, 2 * end + 1])
        self.fixed = np.concatenate([self.grip, self.arm.ndof() + 2 * base, self.arm.ndof() + 2 * base + 1])
        th = math.radians(spec.angle_deg)
        self.direction = np.array([-math.cos(th), math.sin(th)])
        self.U = np.zeros(self.ndof)
        self.free = np.setdiff1d(np.arange(self.ndof), self.fixed)
        self._reduction()
        self._build_pattern()
        self.q = np.zeros(self.T.shape[1])
        self._d, self._dq_dd = 0.0, None  # last converged grip position; dq/dd of the last pull step
        self._solver = tangent_solver()  # ordering and symbolic analysis once: the pattern is fixed
        self.factorisations = 0

    def _grip_nodes(self, R):
        """Scalar arm DOFs on the end section of the free arm (where the grip holds it)."""
        a, b = self._end
        p = self.arm.basis.doflocs.T - a
        n = np.linalg.norm(b - a)
        t = (b - a) / n
        off = np.abs(p[:, 0] * t[1] - p[:, 1] * t[0])
        along = p @ t
        tol = 1e-3 * self.spec.element_length_m
        return np.flatnonzero((off < tol) & (along > -tol) & (along < n + tol))

    def _build_pattern(self):
        """One element table: arm and substrate elements (18 DOFs), cohesive node pairs (4, padded with -1); its
        CSR pattern on the unknowns q (U = T q + d g), built once, so Newton assembles the reduced tangent
        T^T K T directly (every row of T has at most one entry: a DOF is free, a grip DOF or fixed)."""
        cz = self.cz.element_dofs()
        pad = np.full((cz.shape[0], 18), -1, dtype=np.int64)
        pad[:, :4] = cz
        table = np.concatenate([self.arm.gdofs.T, self.sub.gdofs.T, pad]).astype(np.int64)
        self._table = table
        self._vec_dofs = np.where(table >= 0, table, self.ndof)  # -1 -> a dump entry past the end
        Tc = self.T.tocoo()
        col, coef = np.full(self.ndof + 1, -1, dtype=np.int64), np.zeros(self.ndof + 1)
        col[Tc.row], coef[Tc.row] = Tc.col, Tc.data  # index ndof: the padding
        self._reduced = assembly.Pattern(col[self._vec_dofs], self.T.shape[1])
        c = coef[self._vec_dofs]
        self._reduced_coef = (c[:, :, None] * c[:, None, :]).reshape(len(table), -1)  # T_ra T_cb per entry
        # the same slots and coefficients without the cohesive pairs' padding (their 4 x 4 block of the 18 x 18)
        nb, used = len(table) - len(cz), (np.arange(18)[:, None] < 4) & (np.arange(18)[None, :] < 4)
        slots = self._reduced.slots
        self._tangent_slots = np.concatenate([slots[:nb].ravel(), slots[nb:][:, used.ravel()].ravel()])
        self._tangent_coef = np.concatenate([self._reduced_coef[:nb].ravel(),
                                             self._reduced_coef[nb:][:, used.ravel()].ravel()])
        self._full = None  # the pattern on all DOFs: built on first use (assemble(), the tangent test)

    def _element_forces(self, U):
        """Element forces (ne, 18) of the one element table at U, and what `_element_tangents` needs."""
        (fa, sa), (fs, ss), (fc, Kc) = self.arm.forces(U), self.sub.forces(U), self.cz.assemble(U)
        fc18 = np.zeros((fc.shape[0], 18))
        fc18[:, :4] = fc
        fe = np.concatenate([fa, fs, fc18])
        self.force_scale = newton.norm(fe)  # size of the element forces that cancel in R (round-off floor)
        return fe, (sa, ss, Kc)

    def _element_tangents(self, state):
        """Element tangents (ne, 18, 18) of the one element table from `_element_forces`' state."""
        Kb, Kc = self._tangent_blocks(state)
        Kc18 = np.zeros((Kc.shape[0], 18, 18))
        Kc18[:, :4, :4] = Kc
        return np.concatenate([Kb, Kc18])

    def _tangent_blocks(self, state):
        """Body element tangents (nb, 18, 18) and cohesive pair tangents (nc, 4, 4)."""
        sa, ss, Kc = state
        return np.concatenate([self.arm.tangent(sa), self.sub.tangent(ss)]), Kc

    def _reduced_tangent_of(self, state):
        """The tangent on the unknowns, T^T K T (CSR), from `_element_forces`' state: one bincount over the
        bodies' 18 x 18 and the cohesive pairs' 4 x 4 entries (no padding)."""
        Kb, Kc = self._tangent_blocks(state)
        P = self._reduced
        w = np.concatenate([Kb.ravel(), Kc.ravel()]) * self._tangent_coef
        return P.csr(np.bincount(self._tangent_slots, weights=w, minlength=P.nnz + 1)[:P.nnz])

    def _element_arrays(self, U):
        """Element forces (ne, 18) and tangents (ne, 18, 18) of the one element table at U."""
        fe, state = self._element_forces(U)
        return fe, self._element_tangents(state)

    def _residual(self, fe):
        return np.bincount(self._vec_dofs.ravel(), weights=fe.ravel(), minlength=self.ndof + 1)[:self.ndof]

    def assemble(self, U):
        """Residual (internal minus cohesive forces, global) and tangent (CSR on all DOFs) at U."""
        fe, Ke = self._element_arrays(U)
        if self._full is None:
            self._full = assembly.Pattern(self._table, self.ndof)
        return self._residual(fe), self._full.matrix(Ke)

    def _reduced_tangent(self, Ke):
        P = self._reduced
        return P.csr(P.data(Ke.reshape(len(Ke), -1) * self._reduced_coef))

    def assemble_reduced(self, U):
        """Residual on all DOFs and the tangent on the unknowns, T^T K T (CSR), at U."""
        fe, Ke = self._element_arrays(U)
        return self._residual(fe), self._reduced_tangent(Ke)

    def _reduction(self):
        """U = T q + d * g: free DOFs are their own unknowns; each grip node slides freely across the pull
        (one unknown along `perp`) and is displaced by d along the pull (a peel fixture keeps the angle)."""
        n_free, n_grip = self.free.size, self.grip.size // 2
        gx, gy = self.grip[:n_grip], self.grip[n_grip:]
        perp = np.array([-self.direction[1], self.direction[0]])
        rows = np.concatenate([self.free, gx, gy])
        cols = np.concatenate([np.arange(n_free), n_free + np.arange(n_grip), n_free + np.arange(n_grip)])
        vals = np.concatenate([np.ones(n_free), np.full(n_grip, perp[0]), np.full(n_grip, perp[1])])
        self.T = coo_matrix((vals, (rows, cols)), shape=(self.ndof, n_free + n_grip)).tocsr()
        self.Tt = self.T.T.tocsr()
        self.g = np.zeros(self.ndof)
        self.g[gx], self.g[gy] = self.direction

    def solve_step(self, d_grip: float, max_iter: int = 15, tol: float = 1e-8) -> int | None:
        """Newton (physics/solve/newton.py) for grip displacement d_grip; returns the corrections made, or None (state
        kept) if it fails. Converged when the reduced residual is below tol x the grip force (or G_c x element,
        or 1e-3 x the element-force norm, whichever is largest)."""
        T, Tt = self.T, self.Tt

        def evaluate(q):
            # the tangent only when a correction is computed from this iterate (not for the converged one, nor
            # for a rejected line-search trial): the state it needs is kept
            U = T @ q + d_grip * self.g
            fe, state = self._element_forces(U)
            R = self._residual(fe)
            return newton.Point(Tt @ R, (U, R, lambda: self._reduced_tangent_of(state)))

        def threshold(point):
            # relative to the grip force, or to the element forces when those are much larger (a stiff arm
            # prestressed on its starting shape: R is then a difference of large numbers)
            R = point.data[1]
            return tol * max(abs(self.g @ R), self.spec.toughness_J_per_m2 * self.spec.element_length_m,
                             1e-3 * self.force_scale)

        def converged_at(k, rn, point):
            return rn < threshold(point)

        chord = {"lu": None, "last": math.inf}

        def correct(point):
            # a chord step (the last factorisation of this grip position, no new tangent) once Newton is in its
            # quadratic range: the residual within CHORD_RANGE of convergence and the last correction having cut
            # it CHORD_RATE-fold; otherwise (or after a chord step that did not) a new tangent. The converged
            # state meets the same residual test either way.
            rn = newton.norm(point.residual)
            if (chord["lu"] is None or rn > CHORD_RANGE * threshold(point) or rn > chord["last"] / CHORD_RATE):
                chord["lu"] = self._solver.factor(point.data[2]())
                self.factorisations += 1
            chord["last"] = rn
            return chord["lu"].solve(-point.residual)

        def backtrack(q, dq, point, rn, k):
            a = 1.0
            while True:
                trial = evaluate(q + a * dq)
                if newton.norm(trial.residual) < rn or a < 1.0 / 32:
                    return q + a * dq, trial
                a *= 0.5

        q0 = self.q.copy()
        if self.spec.extrapolate and self._dq_dd is not None:
            q0 += (d_grip - self._d) * self._dq_dd  # the last step's rate: the root's plastic zone moves on
        res = newton.newton(q0, evaluate, correct, max_iter=max_iter + 1, converged_at=converged_at,
                            line_search=backtrack if self.spec.line_search else None)
        if not res.converged:
            return None
        if d_grip != self._d:
            self._dq_dd = (res.u - self.q) / (d_grip - self._d)
        self.q, self._d = res.u, d_grip
        self.U, self.reaction = res.point.data[0], res.point.data[1]
        for body in (self.arm, self.sub, self.cz):
            body.commit()
        return max(res.iterations, 1)

    def grip_force(self) -> float:
        """Peel force per width along the pull direction (reaction on the grip)."""
        return float(self.g @ self.reaction)

    def crack_tip_x(self) -> float:
        failed = self.cz.failed()
        return float(self.cz_x[failed].max()) if failed.any() else 0.0

    def zone_length(self) -> float:
        """Length of the damaged, not yet failed part of the interface ahead of the crack tip (measured)."""
        damaged = self.cz.damaged()
        return float(self.cz_x[damaged].max() - self.crack_tip_x()) if damaged.any() else 0.0

    # the state read back (peel_post.py)
    def arm_root(self) -> tuple[float, float]:
        return post.arm_root(self)

    def arm_profile(self) -> dict:
        return post.arm_profile(self)

    def root_rotation_deg(self) -> float:
        return post.crack_tip_rotation_deg(self)


class TangentSolver:
    """K^-1 b for the reduced tangents of one run (one CSR pattern), by SuperLU with the fill-reducing ordering of
    the first factorisation kept for the others.

    The tangent is symmetric (J2's consistent tangent and the geometric stiffness are; the cohesive law's is, its
    damage depending on one effective separation), so the ordering is symmetric: minimum degree on K + K^T
    (Example 1: 0.25 M entries in L + U, COLAMD 0.56 M), applied as P K P^T. SuperLU then factorises the permuted
    matrix in its natural order and symmetric mode (diagonal pivots preferred, threshold 0.1: the ordering's
    fill is kept while a pivot is not much smaller than its column). Keeping the ordering saved no measurable
    time (7.8 ms of CPU either way on Example 1's tangent), it keeps the elimination order of every factorisation
    of a run the same; the permuted matrix is a gather of the CSR data (map built once). The fallback when
    pypardiso is not importable (`tangent_solver`)."""

    def __init__(self):
        self._perm = None

    def _prepare(self, K):
        n = K.shape[0]
        first = splu(csc_matrix((K.data, K.indices, K.indptr), shape=K.shape), permc_spec="MMD_AT_PLUS_A",
                     diag_pivot_thresh=0.1, options=dict(SymmetricMode=True))
        p = np.argsort(first.perm_c)
        # K's data read as the CSC matrix K^T, permuted symmetrically: where each of its entries goes
        M = csc_matrix((np.arange(1.0, K.nnz + 1.0), K.indices, K.indptr), shape=(n, n))[p][:, p].tocsc()
        M.sort_indices()
        self._perm, self._map = p, M.data.astype(np.int64) - 1
        self._indices, self._indptr, self._pattern = M.indices, M.indptr, (K.indptr, K.indices)

    def factor(self, K) -> "PermutedLU":
        if self._perm is None or not (np.array_equal(K.indptr, self._pattern[0])
                                      and np.array_equal(K.indices, self._pattern[1])):
            self._prepare(K)
        Kp = csc_matrix((K.data[self._map], self._indices, self._indptr), shape=K.shape)
        return PermutedLU(splu(Kp, permc_spec="NATURAL", diag_pivot_thresh=0.1, options=dict(SymmetricMode=True)),
                          self._perm)

    def solve(self, K, b):
        return self.factor(K).solve(b)


class PermutedLU:
    """The factors of P K^T P^T; solve(b) = K^-1 b."""

    def __init__(self, lu, perm):
        self.lu, self.perm = lu, perm

    def solve(self, b):
        x = np.empty_like(b)
        x[self.perm] = self.lu.solve(b[self.perm], trans="T")
        return x


class PardisoTangentSolver:
    """K^-1 b for the reduced tangents of one run by MKL PARDISO in its real symmetric indefinite mode (mtype -2:
    Bunch-Kaufman pivoting on the upper triangle, half the work of an LU; the tangent is symmetric, see
    TangentSolver), the ordering and symbolic analysis done once for the run's fixed pattern (phase 11), each
    tangent a numerical factorisation (phase 22). One thread, set for the calling thread only around each call:
    the same bits on every run, and on the shared 2-core machine a second thread only waits (Example 1's
    tangent, 4.8 k unknowns: 3.3 ms of CPU per factorisation and solve against 8.3 ms for SuperLU). A factor is
    valid until the next `factor` (PARDISO keeps one set of factors)."""

    def __init__(self):
        from ..fe.solvers import _pardiso_spd

        self._solver = _pardiso_spd()
        self._solver.set_matrix_type(-2)
        lib = self._solver.libmkl
        self._set_local = getattr(lib, "MKL_Set_Num_Threads_Local", None) or lib.mkl_set_num_threads_local
        self._pattern = None

    def _call(self, phase, A, b):
        prev = self._set_local(1)
        try:
            self._solver.set_phase(phase)
            return self._solver._call_pardiso(A, b)
        finally:
            self._set_local(prev)

    def factor(self, K) -> "PardisoTangentSolver":
        if self._pattern is None or not (np.array_equal(K.indptr, self._pattern[0])
                                         and np.array_equal(K.indices, self._pattern[1])):
            rows = np.repeat(np.arange(K.shape[0]), np.diff(K.indptr))
            self._upper = K.indices >= rows  # CSR data entries of the upper triangle (indices sorted per row)
            U = csr_matrix((K.data[self._upper], K.indices[self._upper],
                            np.concatenate([[0], np.cumsum(np.bincount(rows[self._upper], minlength=K.shape[0]))])),
                           shape=K.shape)
            self._U = U
            self._pattern = (K.indptr.copy(), K.indices.copy())
            self._call(11, U, np.zeros(K.shape[0]))
        self._U.data[:] = K.data[self._upper]
        self._call(22, self._U, np.zeros(K.shape[0]))
        return self

    def solve(self, b):
        return self._call(33, self._U, np.ascontiguousarray(b, dtype=float))

    def __del__(self):
        """Release MKL's memory for this solver (it keeps its factors and analysis until asked)."""
        try:
            if self._pattern is not None:
                self._solver.free_memory(everything=True)
        except Exception:  # interpreter shutdown: MKL may be gone already
            pass


def tangent_solver():
    """PARDISO's symmetric indefinite factorisation when pypardiso is importable, else SuperLU (TangentSolver)."""
    from ..fe.solvers import HAVE_PARDISO

    return PardisoTangentSolver() if HAVE_PARDISO else TangentSolver()


def solve_tangent(K, b):
    """K^-1 b for the reduced tangent K (CSR) by SuperLU. Minimum degree on K + K^T, not scipy's default
    COLAMD: the tangent is structurally symmetric, and this ordering fills the LU about half as much (Example 1:
    0.36 M against 0.85 M entries) and halves the time of a solve, the largest single cost of a peel. The CSR
    arrays are read as the CSC matrix K^T (no conversion) and the transposed system is solved."""
    Kt = csc_matrix((K.data, K.indices, K.indptr), shape=K.shape)
    return splu(Kt, permc_spec="MMD_AT_PLUS_A").solve(b, trans="T")
