"""The house rules of CONTRIBUTING.md that a machine can check.

- the twin contract: ``X.py`` and ``X_torch.py`` export the same names, except the ones autograd
  replaces, which the torch twin lists in ``__twin_omits__`` with a reason;
- one home for input checks: no check helper is defined in two modules (they live in
  ``dlbook._checks``), and no module imports another module's private names;
- no re-exports: a name in a module's ``__all__`` is defined in that module;
- tests mirror the package: ``dlbook/<part>/X.py`` is tested in ``tests/<part>/test_X.py``, and a
  torch twin in ``test_X_torch.py`` (the NumPy tests do not import it);
- hypothesis tests filter with ``assume()``, never with an early ``return``.
"""

from __future__ import annotations

import ast
import importlib
import re
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "dlbook"
TESTS = ROOT / "tests"
MODULE_FILES = sorted(p for p in PACKAGE.rglob("*.py") if p.name != "__init__.py")
#: Name endings a torch twin may leave out (autograd computes them); see CONTRIBUTING.md.
AUTOGRAD_SUFFIXES = ("_backward", "_derivative", "_grad", "_value_and_grad", "_jacobian",
                     "_forward")
#: Private helpers that check or convert arguments: these belong in dlbook/_checks.py.
CHECK_HELPER = re.compile(r"^_(check|as_|positive|pair$|int$|number|real|array|valid|ensure|"
                          r"require|same_shape|shape$|pos_int|probability|fraction|count$)")


def _dotted(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _all_of(path: Path) -> list[str] | None:
    for node in _tree(path).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__all__"
                                                for t in node.targets):
            return [ast.literal_eval(e) for e in node.value.elts]
    return None


TWIN_PAIRS = [(p.with_name(p.name[:-len("_torch.py")] + ".py"), p)
              for p in MODULE_FILES if p.name.endswith("_torch.py")
              and p.with_name(p.name[:-len("_torch.py")] + ".py").exists()]


@pytest.mark.parametrize("numpy_file, torch_file", TWIN_PAIRS,
                         ids=[_dotted(t) for _, t in TWIN_PAIRS])
def test_twins_export_the_same_names(numpy_file, torch_file):
    numpy_mod = importlib.import_module(_dotted(numpy_file))
    torch_mod = importlib.import_module(_dotted(torch_file))
    np_names, t_names = set(numpy_mod.__all__), set(torch_mod.__all__)
    omits = getattr(torch_mod, "__twin_omits__", {})
    assert isinstance(omits, dict) and all(isinstance(v, str) and v for v in omits.values()), \
        "__twin_omits__ must map each omitted name to the reason it is left out"
    wrong = [n for n in omits if not n.endswith(AUTOGRAD_SUFFIXES)]
    assert not wrong, f"{torch_mod.__name__} omits names autograd does not replace: {wrong}"
    stale = sorted(set(omits) - np_names)
    assert not stale, f"{torch_mod.__name__}.__twin_omits__ lists names NumPy lacks: {stale}"
    only_numpy = sorted(np_names - t_names - set(omits))
    only_torch = sorted(t_names - np_names)
    assert not only_numpy and not only_torch, (
        f"{numpy_mod.__name__} and {torch_mod.__name__} differ: only in NumPy {only_numpy}, "
        f"only in torch {only_torch}")


def test_no_check_helper_is_defined_twice():
    where = defaultdict(list)
    for path in MODULE_FILES:
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.FunctionDef) and CHECK_HELPER.match(node.name):
                where[node.name].append(_dotted(path))
    twice = {name: mods for name, mods in where.items() if len(mods) > 1}
    assert not twice, f"check helpers defined in several modules (use dlbook._checks): {twice}"


def test_no_private_names_cross_modules():
    crossing = []
    for path in MODULE_FILES + sorted(TESTS.rglob("*.py")):
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("dlbook"):
                # dlbook._checks is the one shared module of checks: importing it is the rule
                private = [a.name for a in node.names
                           if a.name.startswith("_") and a.name != "_checks"]
                if private:
                    crossing.append(f"{path.relative_to(ROOT)}: {node.module} {private}")
    assert not crossing, "private names imported from another module:\n" + "\n".join(crossing)


@pytest.mark.parametrize("path", MODULE_FILES, ids=[_dotted(p) for p in MODULE_FILES])
def test_all_names_are_defined_here(path):
    names = _all_of(path)
    if names is None:
        return  # modules without __all__ export nothing by this rule (tests/test_package.py)
    tree = _tree(path)
    defined = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)):
            defined.add(node.name)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                names_ = target.elts if isinstance(target, ast.Tuple) else [target]
                defined.update(t.id for t in names_ if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            defined.add(node.target.id)
    imported = sorted(set(names) - defined)
    assert not imported, f"{_dotted(path)} re-exports {imported}: import them where defined"


def _test_file(path: Path) -> Path:
    rel = path.relative_to(PACKAGE)
    return TESTS.joinpath(*rel.parts[:-1]) / f"test_{rel.stem.lstrip('_')}.py"


@pytest.mark.parametrize("path", MODULE_FILES, ids=[_dotted(p) for p in MODULE_FILES])
def test_every_module_has_its_test_file(path):
    assert _test_file(path).is_file(), \
        f"{_dotted(path)} is tested in {_test_file(path).relative_to(ROOT)}, which is missing"


@pytest.mark.parametrize("numpy_file, torch_file", TWIN_PAIRS,
                         ids=[_dotted(t) for _, t in TWIN_PAIRS])
def test_numpy_tests_leave_the_torch_twin_to_its_own_file(numpy_file, torch_file):
    test = _test_file(numpy_file)
    if not test.is_file():
        pytest.fail(f"{test.relative_to(ROOT)} is missing")
    torch_name = _dotted(torch_file)
    for node in ast.walk(_tree(test)):
        mods = []
        if isinstance(node, ast.ImportFrom):
            mods = [node.module or ""] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            mods = [a.name for a in node.names]
        assert torch_name not in mods, (f"{test.relative_to(ROOT)} imports {torch_name}: its "
                                        f"tests go in {_test_file(torch_file).name}")


def _returns_early(func: ast.FunctionDef) -> bool:
    """A ``return`` inside the test body itself (not in a nested function)."""
    stack = list(func.body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Return):
            return True
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        stack.extend(ast.iter_child_nodes(node))
    return False


def test_hypothesis_tests_filter_with_assume():
    offenders = []
    for path in sorted(TESTS.rglob("test_*.py")):
        for node in ast.walk(_tree(path)):
            if not isinstance(node, ast.FunctionDef):
                continue
            given = any(isinstance(d, ast.Call)
                        and getattr(d.func, "id", getattr(d.func, "attr", "")) == "given"
                        for d in node.decorator_list)
            if given and _returns_early(node):
                offenders.append(f"{path.relative_to(ROOT)}::{node.name}")
    assert not offenders, "hypothesis tests that return early (use assume()):\n" + \
        "\n".join(offenders)
