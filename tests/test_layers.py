"""The package's layering, read from the import statements of every module, chapter and test.

- Benchmarks are leaves: nothing imports a module of ``mlprivacy_lab.benchmarks`` (the registry finds them by
  name with importlib), and only benchmark modules register a benchmark.
- ``config``, ``data``, ``models``, ``plots``, ``errors``, ``api`` and ``widget_timing`` are the bottom layer; ``crypto`` imports
  only itself and the bottom; ``protocols`` builds on ``crypto``; ``attacks``, ``privacy``, ``robust`` and
  ``compressive`` sit beside each other, above the bottom; ``synthesis`` (chapter 11's table) and ``exercises`` sit
  on top (they may use them all but the benchmarks).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "mlprivacy_lab"
BENCHMARKS = "mlprivacy_lab.benchmarks"

BOTTOM = {"config", "data", "models", "plots", "errors", "api", "widget_timing"}
BESIDE = {"attacks", "privacy", "robust", "compressive"}
#: For each part of the package (its first name below ``mlprivacy_lab``): the parts it may import.
ALLOWED = {
    **{name: BOTTOM for name in BOTTOM},
    "crypto": BOTTOM | {"crypto"},
    "protocols": BOTTOM | {"crypto", "protocols"},
    **{name: BOTTOM | BESIDE for name in BESIDE},
    "benchmarks": BOTTOM | BESIDE | {"crypto", "protocols", "bench_registry"},
    "exercises": BOTTOM | BESIDE | {"crypto", "protocols", "exercises", "synthesis"},
    "synthesis": BOTTOM | BESIDE | {"crypto", "protocols"},
    "bench_registry": set(),
    "__main__": {"bench_registry", "config"},
    "__init__": set(),
}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, source: str | None = None) -> set[str]:
    """Absolute names of every module that ``path`` imports (relative imports resolved, names from
    ``from X import name`` counted as ``X.name`` too, since ``name`` may be a submodule)."""
    tree = ast.parse(path.read_text(encoding="utf-8") if source is None else source, filename=str(path))
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[:len(package) - node.level + 1] + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def package_part(module: str) -> str | None:
    """``mlprivacy_lab.crypto.ot.base`` -> ``crypto``; None outside the package."""
    parts = module.split(".")
    if parts[0] != "mlprivacy_lab":
        return None
    return parts[1] if len(parts) > 1 else "__init__"


PACKAGE_FILES = sorted(PACKAGE.rglob("*.py"))
OTHER_FILES = sorted((ROOT / "notebooks").glob("*.py")) + sorted((ROOT / "tests").glob("*.py"))


@pytest.mark.parametrize("path", PACKAGE_FILES + OTHER_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_benchmark_modules_are_leaves(path):
    importer = module_name(path) if path.is_relative_to(PACKAGE) else None
    for module in imported_modules(path):
        if module == BENCHMARKS or module.startswith(BENCHMARKS + "."):
            assert False, (f"{path.relative_to(ROOT)} imports {module}: benchmarks are leaves. Move what it needs "
                           "into the library module that owns the idea, and let the benchmark import that "
                           "(tests reach a benchmark through mlprivacy_lab.bench_registry or the CLI)")
    if importer is None or not importer.startswith(BENCHMARKS + "."):
        assert "register(" not in path.read_text(encoding="utf-8") or path.name == "bench_registry.py" \
            or path.is_relative_to(ROOT / "tests"), \
            f"{path.relative_to(ROOT)} registers a benchmark: only modules of {BENCHMARKS} do"


def layer_breaks(path: Path, source: str | None = None) -> list[str]:
    """One message per import of ``path`` that its layer does not allow."""
    part = package_part(module_name(path))
    if part not in ALLOWED:
        return [f"{path.relative_to(ROOT)} is in no layer: add {part!r} to ALLOWED in tests/test_layers.py "
                "(and to the README's layout)"]
    return [f"{path.relative_to(ROOT)} imports {module}: the {part!r} layer may import only "
            f"{sorted(ALLOWED[part]) or 'nothing else'}"
            for module in sorted(imported_modules(path, source))
            if package_part(module) not in (None, part, "__init__") and package_part(module) not in ALLOWED[part]]


@pytest.mark.parametrize("path", PACKAGE_FILES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_each_layer_imports_only_what_is_below_or_beside_it(path):
    assert not layer_breaks(path)


@pytest.mark.parametrize(("path", "source"), [
    ("crypto/ot/base.py", "from ...protocols.private_pca import pca_share"),
    ("crypto/paillier.py", "import mlprivacy_lab.attacks.membership"),
    ("models.py", "from .robust import certify"),
    ("robust/training.py", "from ..protocols import smpc"),
    ("attacks/metrics.py", "from ..benchmarks import mia"),
])
def test_the_layer_check_sees_a_break(path, source):
    """The checker itself: each of these imports, added to the file, would be caught."""
    assert layer_breaks(PACKAGE / path, source), f"{source!r} in {path} went unnoticed"
