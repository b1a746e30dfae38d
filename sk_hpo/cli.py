"""The ``sk-hpo`` command: list the studies of a storage, write a study's HTML report.

Examples (shell)::

    sk-hpo studies sqlite:///hpo.db
    sk-hpo report sqlite:///hpo.db --study svc-digits -o report.html
    sk-hpo storage upgrade sqlite:///hpo.db      # migrate a database of an older sk_hpo

Passwords in storage URLs are never printed (``***``).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sk_hpo.exceptions import StorageInternalError, StudyNotFoundError
from sk_hpo.storages._url import mask_url

if TYPE_CHECKING:
    from sk_hpo.storages import BaseStorage

__all__ = ["main"]

_PROG = "sk-hpo"
_SQLITE_PREFIX = "sqlite:///"


class _UsageError(Exception):
    """A mistake of the user's that the command reports in one line (exit status 2)."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``sk-hpo`` command line; return its exit status.

    Exit status 0 on success, 2 on a usage error (unknown study, bad storage URL, missing
    database file), printed as one line on stderr without a traceback.

    Examples
    --------
    >>> main(["studies", "mysql://nowhere"])
    2
    """
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except (
        _UsageError, StudyNotFoundError, StorageInternalError, ValueError, ImportError, OSError,
        LookupError,
    ) as e:
        text = e.args[0] if isinstance(e, KeyError) and e.args else e  # no KeyError quotes
        print(f"{_PROG}: error: {mask_url(text)}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    from sk_hpo import __version__

    parser = argparse.ArgumentParser(
        prog=_PROG, description="Inspect sk_hpo studies kept in a storage."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    studies = commands.add_parser(
        "studies", help="list the studies with their trial counts and best values"
    )
    studies.add_argument("storage", metavar="URL", help="storage URL, e.g. sqlite:///hpo.db")
    studies.set_defaults(run=_studies)

    report = commands.add_parser("report", help="write a self-contained HTML report of a study")
    report.add_argument("storage", metavar="URL", help="storage URL, e.g. sqlite:///hpo.db")
    report.add_argument(
        "--study", metavar="NAME", help="study name (optional when the storage holds one study)"
    )
    report.add_argument(
        "-o", "--output", metavar="FILE", default="report.html",
        help="HTML file to write (default: report.html)",
    )
    report.add_argument("--title", help="page title (default: 'Study NAME')")
    report.add_argument(
        "--no-plots", action="store_true", help="text only (does not need matplotlib)"
    )
    report.set_defaults(run=_report)

    storage = commands.add_parser("storage", help="maintain a storage (schema upgrades)")
    storage_commands = storage.add_subparsers(dest="storage_command", required=True,
                                              metavar="ACTION")
    upgrade = storage_commands.add_parser(
        "upgrade", help="migrate a database written by an older sk_hpo, in one transaction"
    )
    upgrade.add_argument("storage", metavar="URL", help="storage URL, e.g. sqlite:///hpo.db")
    upgrade.set_defaults(run=_upgrade)
    return parser


def _open_storage(url: str) -> BaseStorage:
    from sk_hpo.storages import get_storage

    _check_file(url)
    return get_storage(url)


def _check_file(url: str) -> None:
    """A one-line error for a missing or empty SQLite file (reading never creates one)."""
    if url.startswith(_SQLITE_PREFIX):
        path = url[len(_SQLITE_PREFIX):]
        if path != ":memory:" and not os.path.exists(path):
            raise _UsageError(
                f"no database file at {path!r} (from {url!r}); check the path — relative "
                "paths are from the current directory, use sqlite:////abs/path.db for an "
                "absolute one."
            )
        if os.path.isfile(path) and os.path.getsize(path) == 0:
            raise _UsageError(
                f"the database file {path!r} (from {url!r}) is empty (0 bytes): it holds no "
                "study; check the path, or the file was truncated."
            )


def _studies(args: argparse.Namespace) -> int:
    storage = _open_storage(args.storage)
    summaries = storage.get_all_studies()
    if not summaries:
        print(f"No study in {mask_url(args.storage)}.")
        return 0
    rows = [("NAME", "DIRECTION", "TRIALS", "STALE", "BEST VALUE")]
    for s in summaries:
        best = "-" if s.best_value is None or math.isnan(s.best_value) else f"{s.best_value:.6g}"
        directions = s.directions or [s.direction]
        # RUNNING trials whose process stopped beating: dead, until someone fails them.
        stale = len(storage.get_stale_trial_numbers(s.study_id))
        rows.append((s.study_name, ",".join(d.value for d in directions), str(s.n_trials),
                     str(stale) if stale else "-", best))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
    return 0


def _report(args: argparse.Namespace) -> int:
    import sk_hpo
    from sk_hpo.pruners import NopPruner
    from sk_hpo.samplers import RandomSampler

    storage = _open_storage(args.storage)
    # Reading needs no search policy: cheap placeholders instead of the default sampler.
    study = sk_hpo.load_study(
        study_name=args.study, storage=storage, sampler=RandomSampler(), pruner=NopPruner()
    )
    sk_hpo.report(study, args.output, title=args.title, plots=not args.no_plots)
    n = len(study.get_trials(deepcopy=False))
    print(f"Wrote {args.output} (study {study.study_name!r}, {n} trials).")
    return 0


def _upgrade(args: argparse.Namespace) -> int:
    from sk_hpo.storages import upgrade_storage

    _check_file(args.storage)
    old, new = upgrade_storage(args.storage)
    url = mask_url(args.storage)
    if old == new:
        print(f"{url} is up to date (schema version {new}).")
    else:
        print(f"Upgraded {url} from schema version {old} to {new}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
