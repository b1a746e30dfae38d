"""pytest plugin for the Optuna conformance run: alias ``optuna`` to sk_hpo, deselect by rule.

Loaded with ``-p conformance_plugin`` by :mod:`run`; reads the source distribution's root from
``SK_HPO_OPTUNA_SDIST``, the rules from ``deselect.toml`` and writes every test's outcome as JSON
to ``SK_HPO_CONFORMANCE_OUT``.
"""

from __future__ import annotations

import json
import os
import re
import tomllib

import optuna_alias

optuna_alias.install(os.environ["SK_HPO_OPTUNA_SDIST"])

_HERE = os.path.dirname(os.path.abspath(__file__))


def load_rules() -> dict:
    with open(os.path.join(_HERE, "deselect.toml"), "rb") as f:
        return tomllib.load(f)


_RULES = load_rules()["rule"]
_outcomes: dict[str, str] = {}
_deselected: dict[str, str] = {}


def reason_for(nodeid: str) -> str | None:
    """The reason of the first rule matching ``nodeid``, or None when the test is in scope."""
    for rule in _RULES:
        if any(re.search(pattern, nodeid) for pattern in rule["match"]):
            return rule["reason"]
    return None


def pytest_collection_modifyitems(config, items):
    kept, dropped = [], []
    for item in items:
        reason = reason_for(item.nodeid)
        if reason is None:
            kept.append(item)
        else:
            _deselected[item.nodeid] = reason
            dropped.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def pytest_runtest_logreport(report):
    if report.when == "call" or report.outcome != "passed":
        if report.outcome == "failed" or _outcomes.get(report.nodeid) != "failed":
            _outcomes[report.nodeid] = "skipped" if report.skipped else report.outcome


def pytest_collectreport(report):
    if report.failed:
        _outcomes[report.nodeid] = "error"


def pytest_sessionfinish(session):
    out = os.environ.get("SK_HPO_CONFORMANCE_OUT")
    if out:
        with open(out, "w") as f:
            json.dump(
                {
                    "outcomes": _outcomes,
                    "deselected": _deselected,
                    "missing": optuna_alias.missing_names(),
                },
                f,
                indent=1,
            )
