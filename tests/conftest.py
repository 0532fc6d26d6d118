import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Under pytest-xdist (-n 2 --dist loadfile in pyproject's addopts) each worker is one process on one core: BLAS, OpenMP and
# PARDISO get one thread each, so two workers do not fight over the cores. Set before any solver library loads
# (and inherited by the CLI subprocesses the tests start); threadpoolctl caps the libraries already loaded.
THREAD_VARS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")
if os.environ.get("PYTEST_XDIST_WORKER"):
    for _var in THREAD_VARS:
        os.environ.setdefault(_var, "1")


@pytest.fixture(scope="session", autouse=True)
def _one_blas_thread_per_worker():
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        yield
        return
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        yield


@pytest.fixture(scope="session")
def cases_dir():
    return ROOT / "cases"
