"""House rules that hold for every module of dlbook (CONTRIBUTING.md).

- every public function and class has a docstring with a doctest (``>>>``), except
  exceptions and dataclass records without methods;
- every module is documented on the API reference page of both editions.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest

import dlbook

ROOT = Path(__file__).resolve().parents[1]


def _modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(dlbook.__path__, prefix="dlbook."):
        if not info.ispkg:
            names.append(info.name)
    return sorted(names)


def _public_objects(module):
    exported = getattr(module, "__all__", None)
    for name, obj in vars(module).items():
        if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
            continue
        if exported is not None and name not in exported:
            continue
        if inspect.isfunction(obj):
            yield name, obj
        elif inspect.isclass(obj) and not _is_record(obj):
            yield name, obj


def _is_record(cls) -> bool:
    """Exceptions and plain dataclass records carry data, not behaviour: no doctest needed."""
    if issubclass(cls, Exception):
        return True
    if dataclasses.is_dataclass(cls):
        own = [n for n, v in vars(cls).items() if inspect.isfunction(v) and not n.startswith("_")]
        return not own
    return False


MODULES = _modules()


@pytest.mark.parametrize("module_name", MODULES)
def test_every_public_function_has_a_doctest(module_name):
    module = importlib.import_module(module_name)
    missing = [name for name, obj in _public_objects(module)
               if ">>>" not in (inspect.getdoc(obj) or "")]
    assert not missing, f"{module_name}: public objects without a doctest: {missing}"


@pytest.mark.parametrize("lang", ["en", "zh-TW"])
def test_every_module_is_on_the_api_page(lang):
    text = (ROOT / "book" / lang / "api.md").read_text(encoding="utf-8")
    missing = [m for m in MODULES if f".. automodule:: {m}\n" not in text + "\n"]
    assert not missing, f"book/{lang}/api.md does not document {missing}"

