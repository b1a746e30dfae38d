"""Fixtures shared by several test files."""

import subprocess
import sys

import pytest


@pytest.fixture
def run_workers():
    """``run_workers(script, *args, n=2)``: run ``n`` Python processes of ``script`` at once.

    Each gets ``args`` as ``sys.argv[1:]``; the test fails, showing a worker's stderr, when
    one exits with an error or does not finish within 120 s. Returns their stdouts.
    """

    def run(script, *args, n=2):
        workers = [
            subprocess.Popen(
                [sys.executable, "-c", script, *map(str, args)],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            )
            for _ in range(n)
        ]
        outputs = []
        for w in workers:
            out, err = w.communicate(timeout=120)
            assert w.returncode == 0, err
            outputs.append(out)
        return outputs

    return run
