"""A symmetric matrix kept as its upper triangle: the same products, blocks, Galerkin operators and chain results
as the whole matrix, in half the memory."""
import numpy as np
import pytest
import scipy.sparse as sp

from fem_laminate.case import load_case_dict
from fem_laminate.physics.fe import layered_system, multigrid, parallel, symmetric, twolevel
from fem_laminate.physics.fe.symmetric import Symmetric, upper_entries


def spd(n=400, seed=0):
    """A random sparse symmetric positive definite matrix, rows of a few dozen entries."""
    rng = np.random.default_rng(seed)
    B = sp.random(n, n, density=0.03, random_state=rng, format="csr")
    A = (B + B.T + sp.identity(n) * n).tocsr()
    A.sort_indices()
    return A


def test_product_full_matrix_and_storage_match_the_whole_matrix(monkeypatch):
    A = spd()
    S = Symmetric.of(A)
    assert S.nnz == (A.nnz + A.shape[0]) // 2  # the triangle and the diagonal
    assert S.nbytes < 0.6 * (A.data.nbytes + A.indices.nbytes + A.indptr.nbytes)
    full = S.full()
    assert full.nnz == A.nnz and abs(full - A).max() == 0.0
    x = np.random.default_rng(1).standard_normal(A.shape[0])
    ref = A @ x
    y = parallel.matvec(S, x)
    assert np.abs(y - ref).max() <= 1e-13 * np.abs(ref).max()
    assert np.abs(S @ x - ref).max() <= 1e-13 * np.abs(ref).max()
    monkeypatch.setattr(parallel, "_mkl", None)  # the scipy path: U x + U^T x - D x
    assert np.abs(parallel.matvec(S, x) - ref).max() <= 1e-13 * np.abs(ref).max()


def test_values_changed_in_place_are_seen_by_the_product():
    """A chain re-forms K's values in place: MKL's handle reads the same arrays."""
    A = spd(300, seed=2)
    S = Symmetric.of(A)
    x = np.ones(A.shape[0])
    y1 = parallel.matvec(S, x)
    S.upper.data *= 3.0
    assert np.allclose(parallel.matvec(S, x), 3.0 * y1, rtol=1e-13, atol=0)
    S.upper.data = S.upper.data * 2.0  # a new array: the product follows it (a new handle)
    assert np.allclose(parallel.matvec(S, x), 6.0 * y1, rtol=1e-13, atol=0)


def test_needs_a_square_upper_triangle_with_its_diagonal():
    with pytest.raises(ValueError, match="square"):
        Symmetric(sp.csr_matrix(np.ones((2, 3))))
    with pytest.raises(ValueError, match="diagonal"):
        Symmetric(sp.csr_matrix(np.array([[0.0, 1.0], [0.0, 2.0]])))


def test_upper_entries_in_row_chunks():
    A = spd(257, seed=3)
    rows = np.repeat(np.arange(A.shape[0]), np.diff(A.indptr))
    assert np.array_equal(upper_entries(A.indptr, A.indices, chunk_rows=10), A.indices >= rows)


def test_column_blocks_and_galerkin_operator_from_the_triangle():
    A = spd(300, seed=4)
    S = Symmetric.of(A)
    blocks = np.arange(300).reshape(-1, 6)  # 50 "columns" of six unknowns
    assert np.allclose(twolevel.block_inverses(S, blocks), twolevel.block_inverses(A, blocks), rtol=1e-13, atol=0)
    R = sp.random(300, 40, density=0.05, random_state=np.random.default_rng(5), format="csr")
    RT = R.T.tocsr()
    G, Gs = twolevel.galerkin(RT, A, R), twolevel.galerkin(RT, S, R)
    assert abs(G - Gs).max() <= 1e-13 * abs(G).max()


def lines_chain(solver):
    """circuit_lines' stack, 1 x 1 mm, cooled 250 -> 25 C with the polyimide's relaxation, then its top foil
    etched into 50 / 50 um lines along x (two element rows per line: the cut levels are built)."""
    from fem_laminate.studies.bench import STACK

    return {"name": "lines", "layers": [{"material": m, "thickness_um": t * 1e6} for m, t in STACK],
            "mesh": {"model": "plate3d", "length_mm": 1.0, "width_mm": 1.0, "nx": 4, "ny": 40, "n_per_layer": 1,
                     "solver": solver},
            "steps": [{"kind": "cool", "from_C": 250.0, "to_C": 25.0},
                      {"kind": "etch", "side": "top",
                       "pattern": {"kind": "lines", "line_um": 50.0, "space_um": 50.0, "direction": "x"}}],
            "physics": {"viscoelastic": True, "copper_plasticity": False, "copper_creep": False, "moisture": False}}


def test_an_etched_body_keeps_the_triangle_and_the_chain_the_same_numbers(monkeypatch):
    """cg_plate after a patterned etch: the stiffness and the cut levels are triangles, and the displacement is
    the one with whole matrices (CG to 1e-10 both ways)."""
    from fem_laminate import job

    built = []
    real_build = layered_system.build_system
    monkeypatch.setattr(layered_system, "build_system", lambda st: built.append(real_build(st)) or built[-1])
    levels = []
    real_mg = multigrid.PlateMultigrid.__init__

    def spy(self, *a, **k):
        real_mg(self, *a, **k)
        levels.append([type(lev[0]).__name__ for lev in self.levels] + [self.sizes])

    monkeypatch.setattr(multigrid.PlateMultigrid, "__init__", spy)
    from fem_laminate.physics.models import laminate
    monkeypatch.setattr(laminate, "build_system", layered_system.build_system)
    monkeypatch.setattr(multigrid, "EXACT_CUT_LEVEL_UP_TO", 3000)  # the first cut level coarsened again
    runs = {}
    for label, storage in (("triangle", True), ("whole", False)):
        monkeypatch.setattr(symmetric, "SYMMETRIC_STORAGE", storage)
        built.clear()
        levels.clear()
        state, _, summary = job.simulate(load_case_dict(lines_chain("cg_plate"), "<test>"))
        runs[label] = (state, [s.symmetric for s in built], list(levels))
    _, kinds, lv = runs["triangle"]
    assert kinds == [False, True]  # the intact body whole, the etched one a triangle
    assert lv[-1][:-1] == ["Symmetric"] * (len(lv[-1]) - 1) and len(lv[-1]) >= 3, lv  # fine and cut levels
    assert runs["whole"][1] == [False, False] and all("Symmetric" not in x for x in runs["whole"][2])
    u = {k: v[0].u for k, v in runs.items()}
    assert np.abs(u["triangle"] - u["whole"]).max() <= 1e-8 * np.abs(u["whole"]).max()
