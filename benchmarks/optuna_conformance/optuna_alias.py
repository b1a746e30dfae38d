"""Make ``import optuna`` import sk_hpo: a name map, nothing implemented.

``install(sdist_root)`` puts a finder first on ``sys.meta_path`` so that

- ``optuna`` and ``optuna.X.Y`` are the modules ``sk_hpo`` and ``sk_hpo.X.Y`` themselves
  (after :data:`MODULE_RENAMES`), so ``mock.patch("optuna.study._optimize...")`` patches sk_hpo;
- ``optuna.testing.*`` (Optuna's test helpers, shipped inside its package) is loaded from the
  downloaded source distribution, except ``optuna.testing.storages`` whose fixture builds
  Optuna's storages: :mod:`storage_fixture` builds ours instead;
- a module or a name sk_hpo does not have becomes a *placeholder* that raises
  ``NotImplementedError("sk_hpo has no optuna.X")`` when it is used, so a test file that merely
  imports it still collects and only the tests that use it fail (and are counted).
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import os
import sys
import types

__all__ = ["install", "missing_names"]

# Optuna module name -> sk_hpo module name, where the two differ.
MODULE_RENAMES = {
    "optuna.study.study": "sk_hpo.study",  # Optuna defines Study and create_study there
    "optuna.study._study_direction": "sk_hpo._direction",
    "optuna.trial._frozen": "sk_hpo.trial._frozen",
    "optuna.trial._state": "sk_hpo.trial._state",
}

# Optuna's private constants (``optuna.study._constrained_optimization._CONSTRAINTS_KEY``,
# ``optuna.study.study._SYSTEM_ATTR_METRIC_NAMES``) -> sk_hpo's constant of the same value.
NAME_RENAMES = {
    "_CONSTRAINTS_KEY": ("sk_hpo.trial._constraints", "CONSTRAINTS_KEY"),
    "_SYSTEM_ATTR_METRIC_NAMES": ("sk_hpo.study._study", "METRIC_NAMES_KEY"),
}

_PREFIX = "optuna"
_missing: set[str] = set()


def missing_names() -> list[str]:
    """Optuna names a test asked for that sk_hpo does not have."""
    return sorted(_missing)


class _MissingMeta(type):
    def __call__(cls, *args, **kwargs):
        raise NotImplementedError(f"sk_hpo has no {cls.__qualname__}")

    def __getattr__(cls, name):
        if name.startswith("__"):
            raise AttributeError(name)
        raise NotImplementedError(f"sk_hpo has no {cls.__qualname__}.{name}")


def _placeholder(qualname: str) -> type:
    _missing.add(qualname)
    if qualname.endswith("Warning"):  # a warning class nothing emits: filters still accept it
        return type(qualname, (Warning,), {"__module__": "optuna_alias.missing"})
    return _MissingMeta(qualname, (), {"__module__": "optuna_alias.missing"})


class _MissingModule(types.ModuleType):
    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        if name in NAME_RENAMES:
            target, attr = NAME_RENAMES[name]
            return getattr(importlib.import_module(target), attr)
        value = _placeholder(f"{self.__name__}.{name}")
        setattr(self, name, value)
        return value


def _fallback_getattr(module: types.ModuleType, optuna_name: str) -> None:
    """Let ``from optuna.X import absent`` yield a placeholder instead of an ImportError."""
    previous = module.__dict__.get("__getattr__")

    def __getattr__(name):
        if previous is not None:
            try:
                return previous(name)
            except AttributeError:
                pass
        if name.startswith("__"):
            raise AttributeError(name)
        if name in NAME_RENAMES:
            target, attr = NAME_RENAMES[name]
            return getattr(importlib.import_module(target), attr)
        try:  # a submodule not imported yet: ``from optuna.study import _optimize``
            return importlib.import_module(f"{module.__name__}.{name}")
        except ModuleNotFoundError:
            return _placeholder(f"{optuna_name}.{name}")

    if getattr(previous, "_optuna_alias", False):
        return
    __getattr__._optuna_alias = True
    module.__getattr__ = __getattr__


class _AliasLoader(importlib.abc.Loader):
    def __init__(self, target: str | None) -> None:
        self.target = target

    def create_module(self, spec):
        if self.target is None:
            _missing.add(spec.name)
            return _MissingModule(spec.name)
        module = importlib.import_module(self.target)
        _fallback_getattr(module, spec.name)
        # sk_hpo's own imports loaded other modules already (``optuna.exceptions`` is then
        # reached as an attribute, never through this finder): give them the fallback too
        for name, loaded in list(sys.modules.items()):
            if name == "sk_hpo" or name.startswith("sk_hpo."):
                _fallback_getattr(loaded, _PREFIX + name[len("sk_hpo") :])
        # The import system stamps its own __spec__ (and __path__) on the module it is given:
        # keep sk_hpo's, so the module stays what it was.
        self.saved = {k: module.__dict__[k] for k in ("__spec__", "__loader__", "__path__")
                      if k in module.__dict__}
        return module

    def exec_module(self, module):
        if self.target is None:
            return
        for key in ("__spec__", "__loader__", "__path__"):
            if key in self.saved:
                setattr(module, key, self.saved[key])
            elif key in module.__dict__:
                delattr(module, key)


class _Finder(importlib.abc.MetaPathFinder):
    def __init__(self, sdist_root: str, fixture_dir: str) -> None:
        self.sdist_root = sdist_root
        self.fixture_dir = fixture_dir

    def _is_optuna_module(self, fullname: str) -> bool:
        base = os.path.join(self.sdist_root, *fullname.split("."))
        return os.path.isdir(base) or os.path.exists(base + ".py")

    def find_spec(self, fullname, path=None, target=None):
        if fullname != _PREFIX and not fullname.startswith(_PREFIX + "."):
            return None
        if fullname == "optuna.testing.storages":
            location = os.path.join(self.fixture_dir, "storage_fixture.py")
            return importlib.util.spec_from_file_location(fullname, location)
        if fullname == "optuna.testing" or fullname.startswith("optuna.testing."):
            parts = fullname.split(".")
            base = os.path.join(self.sdist_root, *parts)
            if os.path.isdir(base):
                return importlib.util.spec_from_file_location(
                    fullname, os.path.join(base, "__init__.py"), submodule_search_locations=[base]
                )
            return importlib.util.spec_from_file_location(fullname, base + ".py")
        target = MODULE_RENAMES.get(fullname, "sk_hpo" + fullname[len(_PREFIX) :])
        try:
            found = importlib.util.find_spec(target)
        except ModuleNotFoundError:
            found = None
        if not found and not self._is_optuna_module(fullname):
            return None  # not a module in Optuna either (e.g. mock.patch probing a class)
        spec = importlib.util.spec_from_loader(
            fullname, _AliasLoader(target if found else None), is_package=True
        )
        return spec


def install(sdist_root: str) -> None:
    """Route ``optuna`` imports to sk_hpo (and Optuna's test helpers to ``sdist_root``).

    Idempotent: the plugin and ``sitecustomize`` may both call it.
    """
    if any(isinstance(f, _Finder) for f in sys.meta_path):
        return
    for name in [n for n in sys.modules if n == _PREFIX or n.startswith(_PREFIX + ".")]:
        del sys.modules[name]
    sys.meta_path.insert(0, _Finder(sdist_root, os.path.dirname(os.path.abspath(__file__))))
