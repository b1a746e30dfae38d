"""Run Optuna 5.0.0's public-API tests against sk_hpo and print passed/failed/deselected.

Usage (from the repository root, with the repository on ``PYTHONPATH``)::

    python benchmarks/optuna_conformance/run.py [--cache-dir DIR] [--show-failures]
        [--json PATH] [-- extra pytest arguments]

Optuna's source distribution is downloaded with ``pip download`` into the cache directory
(outside the repository; default ``~/.cache/sk_hpo/optuna_conformance``); its ``tests/`` is copied
to a temporary directory and run there. Nothing of Optuna's is written into the repository.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import tomllib

OPTUNA_VERSION = "5.0.0"
HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))


def fetch_sdist(cache_dir: str) -> str:
    """Download and extract Optuna's source distribution once; return its root directory."""
    root = os.path.join(cache_dir, f"optuna-{OPTUNA_VERSION}")
    if os.path.isdir(os.path.join(root, "tests")):
        return root
    os.makedirs(cache_dir, exist_ok=True)
    archive = os.path.join(cache_dir, f"optuna-{OPTUNA_VERSION}.tar.gz")
    if not os.path.exists(archive):
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
             f"optuna=={OPTUNA_VERSION}", "-d", cache_dir],
            check=True,
        )
    with tarfile.open(archive) as tar:
        tar.extractall(cache_dir, filter="data")
    return root


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--cache-dir",
        default=os.path.join(os.path.expanduser("~"), ".cache", "sk_hpo", "optuna_conformance"),
    )
    parser.add_argument("--show-failures", action="store_true", help="list each failing test")
    parser.add_argument("--json", help="write every outcome and deselection reason here")
    parser.add_argument("pytest_args", nargs="*", help="passed to pytest (after --)")
    args = parser.parse_args(argv)

    sdist = fetch_sdist(args.cache_dir)
    with open(os.path.join(HERE, "deselect.toml"), "rb") as f:
        files = tomllib.load(f)["files"]

    with tempfile.TemporaryDirectory(prefix="sk_hpo_optuna_conformance_") as tmp:
        shutil.copytree(os.path.join(sdist, "tests"), os.path.join(tmp, "tests"))
        with open(os.path.join(tmp, "pytest.ini"), "w") as f:
            f.write("[pytest]\nmarkers =\n    slow: slow tests\n")
        # Processes the tests spawn (multiprocessing) import optuna too: map it there as well.
        with open(os.path.join(tmp, "sitecustomize.py"), "w") as f:
            f.write(
                "import os\nimport optuna_alias\n\n"
                "optuna_alias.install(os.environ['SK_HPO_OPTUNA_SDIST'])\n"
            )
        out = os.path.join(tmp, "outcomes.json")
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            [tmp, HERE, REPO] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])
        )
        env["SK_HPO_OPTUNA_SDIST"] = sdist
        env["SK_HPO_CONFORMANCE_OUT"] = out
        command = [sys.executable, "-m", "pytest", "-p", "conformance_plugin", "-q",
                   "-p", "no:cacheprovider", "--tb=line", "-rN", *files, *args.pytest_args]
        subprocess.run(command, cwd=tmp, env=env)
        with open(out) as f:
            result = json.load(f)

    outcomes = result["outcomes"]
    counts = collections.Counter(outcomes.values())
    reasons = collections.Counter(result["deselected"].values())
    if args.show_failures:
        for nodeid, outcome in sorted(outcomes.items()):
            if outcome in ("failed", "error"):
                print(f"{outcome.upper():6} {nodeid}")
    print(f"\nOptuna {OPTUNA_VERSION} public-API tests against sk_hpo:")
    print(f"  passed:     {counts['passed']}")
    print(f"  failed:     {counts['failed'] + counts['error']}")
    print(f"  skipped:    {counts['skipped']}")
    print(f"  deselected: {len(result['deselected'])}")
    for reason, n in reasons.most_common():
        print(f"    {n:5d}  {reason}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)
    return 1 if counts["failed"] + counts["error"] else 0


if __name__ == "__main__":
    sys.exit(main())
