"""Every repository path named in the code, the tests, the benchmarks, the docs examples and gallery, docs/**/*.md, README.md and
the bundled cases exists: tokens such as `tests/.../x.py`, `benchmarks/...`, `fem_laminate/...py`, `docs/...`,
`cases/...toml`, `meshes/...`, a module path relative to fem_laminate/ (`physics/fe/twolevel.py`) and a module run
with `python -m tests.x.y`. Brace lists (`x.{json,md}`) are expanded and globs must match at least one file.
Paths a program writes at run time, not stored, are listed in ALLOWED with the reason."""
import itertools
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "fem_laminate"

SCANNED = ["fem_laminate/**/*.py", "tests/**/*.py", "benchmarks/**/*.py", "docs/examples/**/*.py", "docs/gallery/*.py", "docs/**/*.md",
           "README.md", "cases/*.toml", "meshes/*.py", "meshes/*.md"]

# path named -> why it need not exist in the repository
ALLOWED = {
    "benchmarks/results/bench_bonding.txt": "written by benchmarks/bench_bonding.py on its first recorded run",
    "cases/base.toml": "tests/studies/test_sweep.py: a sweep spec's base, relative to the test's temporary folder",
    "cases/nope.toml": "tests/studies/test_sweep.py: a missing base, on purpose",
    "docs/_build/html": "written by the docs build (README's docs command)",
    "docs/_build/html/index.html": "written by the docs build (README's docs command)",
}

# broken mentions inside fem_laminate/physics and fem_laminate/process, which are being rewritten elsewhere: the
# path named -> the path meant (to be fixed there; listed so that nothing else may break)
PENDING = {}  # (file, mention) -> the path meant, for mentions awaiting a fix in files being edited elsewhere
SELF = Path(__file__).resolve()

ROOTS = ("fem_laminate", "tests", "benchmarks", "docs", "cases", "meshes")
SUBPACKAGES = tuple(p.name for p in PACKAGE.iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))
TOKEN = re.compile(r"(?<![\w./\-])((?:%s)/[\w./{},*\-]*[\w*}/])" % "|".join(ROOTS + SUBPACKAGES))
MODULE = re.compile(r"python -m (tests(?:\.\w+)+)(?![\w.<])")  # not a pattern like tests.x.<name>
TEST_FILE = re.compile(r"(?<![\w/.\-])(test_\w+\.py)")  # a test module named without its folder
TEST_NAMES = {p.name for p in (ROOT / "tests").rglob("test_*.py")}


def expand(token: str) -> list[str]:
    """`a.{json,md}` -> [a.json, a.md] (every brace group)."""
    parts = re.split(r"\{([^{}]*)\}", token)
    if len(parts) == 1:
        return [token]
    fixed, choices = parts[0::2], [p.split(",") for p in parts[1::2]]
    return ["".join(itertools.chain.from_iterable(itertools.zip_longest(fixed, combo, fillvalue="")))
            for combo in itertools.product(*choices)]


def exists(path: str) -> bool:
    path = path.rstrip("/")
    bases = [ROOT] if path.split("/")[0] in ROOTS else [PACKAGE]
    for base in bases:
        if "*" in path:
            if any(base.glob(path)):
                return True
        elif (base / path).exists():
            return True
    return False


def mentions(text: str):
    for m in TOKEN.finditer(text):
        token = m.group(1).rstrip(".,:;")
        if token.split("/")[0] in SUBPACKAGES and not token.endswith(".py"):
            continue  # bare words like "process/step" in prose: only module files are checked relative to the package
        if token in ALLOWED:
            continue
        yield token, expand(token)
    for m in MODULE.finditer(text):
        mod = m.group(1).replace(".", "/")
        yield m.group(1), [mod + ".py"]
    for m in TEST_FILE.finditer(text):
        if m.group(1) not in TEST_NAMES:
            yield m.group(1), ["tests/" + m.group(1)]


def broken_paths() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    files = sorted({p for pattern in SCANNED for p in ROOT.glob(pattern) if p.is_file() and p.resolve() != SELF})
    for f in files:
        rel = f.relative_to(ROOT).as_posix()
        for lineno, line in enumerate(f.read_text(errors="replace").splitlines(), 1):
            for token, paths in mentions(line):
                if (rel, token) not in PENDING and not all(exists(p) for p in paths):
                    out.setdefault(token, []).append(f"{rel}:{lineno}")
    return out


def test_expand_and_exists():
    assert expand("docs/results/mechanisms.{json,md}") == ["docs/results/mechanisms.json", "docs/results/mechanisms.md"]
    assert exists("physics/fe/twolevel.py") and exists("tests/data/*.json") and not exists("tests/nowhere.py")
    assert [t for t, _ in mentions("see `tests/physics/test_peel.py`, then physics/fe/elastic.py.")] == [
        "tests/physics/test_peel.py", "physics/fe/elastic.py"]


def test_pending_fixes_name_existing_paths():
    assert all(exists(meant) for meant in PENDING.values())


def test_every_named_repository_path_exists():
    broken = broken_paths()
    assert not broken, "\n".join(f"{token}: {', '.join(where)}" for token, where in sorted(broken.items()))
