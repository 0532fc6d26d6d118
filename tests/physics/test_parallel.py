"""Threaded kernels of the plate solver (physics/fe/parallel.py): the same numbers as scipy / numpy on one thread."""
import numpy as np
import pytest
import scipy.sparse as sp

from fem_laminate.physics.fe import parallel


@pytest.fixture
def two_threads():
    before = parallel.threads()
    parallel.set_threads(2)
    yield
    parallel.set_threads(before)


def _spd(n, seed=0):
    """A banded random SPD matrix (40 entries a row) and a vector."""
    rng = np.random.default_rng(seed)
    rows = np.repeat(np.arange(n), 20)
    cols = np.clip(rows + rng.integers(-500, 500, rows.size), 0, n - 1)
    A = sp.csr_matrix((rng.random(rows.size), (rows, cols)), shape=(n, n))
    return (A + A.T + sp.identity(n) * 50).tocsr(), rng.standard_normal(n)


def test_threaded_products_equal_scipys(two_threads):
    A, x = _spd(20_000)
    assert A.nnz > parallel.MKL_ABOVE
    y = parallel.matvec(A, x)
    assert np.abs(y - A @ x).max() <= 1e-12 * np.abs(A @ x).max()
    blocks = parallel._row_blocks(A, 2)  # one block of rows per thread, views into A's arrays
    assert [b[:2] for b in blocks] == [(0, blocks[0][1]), (blocks[0][1], A.shape[0])]
    assert all(np.shares_memory(b[2].data, A.data) for b in blocks)
    assert abs(blocks[0][2].nnz - blocks[1][2].nnz) < 100  # balanced by stored entries
    A.data[:] *= 2.0  # in place (a chain re-forming its stiffness): the views see it
    assert np.abs(parallel.matvec(A, x) - A @ x).max() <= 1e-12 * np.abs(A @ x).max()
    parallel.set_threads(1)  # one product of the whole matrix: the same numbers
    assert np.abs(parallel.matvec(A, x) - 2.0 * y).max() <= 1e-12 * np.abs(y).max()


def test_products_follow_arrays_replaced_and_refuse_a_wrong_length(two_threads):
    """A product's MKL handle is kept on the matrix: a matrix whose arrays are replaced (not changed in place) gets a
    new one, and a vector of the wrong length is refused before MKL could read past its end."""
    A, x = _spd(20_000, seed=3)
    for nt in (2, 1):
        parallel.set_threads(nt)
        parallel.matvec(A, x)  # handles made and kept
        A.data = A.data * 3.0  # a new array
        assert np.abs(parallel.matvec(A, x) - A @ x).max() <= 1e-12 * np.abs(A @ x).max()
        with pytest.raises(ValueError, match="dimension mismatch"):
            parallel._product(A, x[:-1])


def test_galerkin_by_row_blocks_equals_the_product(two_threads, monkeypatch):
    from fem_laminate.physics.fe.twolevel import galerkin

    A, _ = _spd(20_000)
    rng = np.random.default_rng(1)
    R = sp.csr_matrix((rng.random(60_000), (rng.integers(0, 20_000, 60_000), rng.integers(0, 900, 60_000))),
                      shape=(20_000, 900))
    want = (R.T @ A @ R).toarray()
    monkeypatch.setattr("fem_laminate.physics.fe.twolevel.GALERKIN_CHUNK", 100_000)  # several blocks
    got = galerkin(R.T.tocsr(), A, R)
    assert got.shape == want.shape
    assert np.abs(got.toarray() - want).max() <= 1e-12 * np.abs(want).max()


def test_column_blocks_over_threads_equal_numpy(two_threads):
    rng = np.random.default_rng(2)
    Ab = rng.standard_normal((5000, 6, 6)) + 6 * np.eye(6)
    inv = parallel.batched_inv(Ab)
    assert np.abs(inv - np.linalg.inv(Ab)).max() < 1e-12
    # blocks of shuffled unknowns, the last slot of every tenth block empty (index len(r))
    n = 5000 * 6 - 500
    blocks = np.full((5000, 6), n)
    slots = np.ones((5000, 6), bool)
    slots[::10, 5] = False
    blocks[slots] = rng.permutation(n)
    r = rng.standard_normal(n)
    want = np.zeros(n + 1)
    want[blocks.ravel()] = np.matmul(inv, np.append(r, 0.0)[blocks][:, :, None]).ravel()
    assert 5000 // 2 > 2 * parallel.SUB_BATCH  # each thread's batch is solved in several pieces, the last one short
    got = parallel.block_solve(inv, blocks, r)
    assert got.shape == (n,)
    assert np.abs(got - want[:-1]).max() < 1e-12
    parallel.set_threads(1)
    assert np.array_equal(parallel.block_solve(inv, blocks, r), got)  # the same sums whatever the threads


def test_thread_count_from_the_environment(monkeypatch):
    monkeypatch.setitem(parallel._state, "threads", None)
    monkeypatch.setenv(parallel.ENV, "3")
    assert parallel.threads() == 3
    monkeypatch.setitem(parallel._state, "threads", None)
    monkeypatch.setenv(parallel.ENV, "many")
    assert parallel.threads() == parallel.cores()
    parallel.set_threads(parallel.cores())


def test_openblas_on_one_thread_while_the_solver_runs(two_threads):
    """numpy's and scipy's OpenBLAS on one thread inside `quiet_openblas` (the preconditioner's set-up and CG),
    as it was after it: its idle workers would spin on the cores the sparse products use."""
    threadpoolctl = pytest.importorskip("threadpoolctl")
    import scipy.linalg  # noqa: F401  (scipy's own OpenBLAS loaded, as the solver's imports do)

    openblas = threadpoolctl.ThreadpoolController().select(internal_api="openblas")
    if not openblas.lib_controllers:
        pytest.skip("no OpenBLAS in this environment")

    def counts():
        return [lib["num_threads"] for lib in threadpoolctl.threadpool_info() if lib["internal_api"] == "openblas"]

    try:
        openblas.limit(limits=2)  # as a fresh process on two cores starts (the tests' own setting is one)
        with parallel.quiet_openblas():
            assert set(counts()) == {1}
        assert set(counts()) == {2}
        parallel.set_threads(1)  # one solver thread: OpenBLAS's workers would spin on the other cores
        with parallel.quiet_openblas():
            assert set(counts()) == {1}
        assert set(counts()) == {2}
    finally:
        openblas.limit(limits=1)
