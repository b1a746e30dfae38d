"""The documentation's code runs and its links lead somewhere.

Each page's ```python blocks run in order in one namespace, in a temporary directory (pages
write SQLite files and plots). A block preceded by ``<!-- not run -->`` is shown, not run
(it needs something the tests do not have, such as a second terminal).
"""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib
import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted((ROOT / "docs").glob("*.md")) + [ROOT / "README.md"]
FENCE = re.compile(r"(<!-- not run -->\s*\n)?```python\n(.*?)```", re.DOTALL)
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def python_blocks(page: Path) -> list[str]:
    return [code for skip, code in FENCE.findall(page.read_text()) if not skip]


def test_every_page_is_reachable_from_the_index():
    index = (ROOT / "docs" / "index.md").read_text()
    linked = set(LINK.findall(index))
    for page in PAGES:
        if page.parent.name == "docs" and page.name != "index.md":
            assert page.name in linked, f"docs/index.md does not link {page.name}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_relative_links_exist(page):
    for target in LINK.findall(page.read_text()):
        if "://" in target or target.startswith("mailto:"):
            continue
        assert (page.parent / target).exists(), f"{page.name} links to missing {target}"


RUN_PAGES = [p for p in PAGES if p.name != "README.md" and python_blocks(p)]


@pytest.mark.parametrize("page", RUN_PAGES, ids=lambda p: p.name)
def test_code_blocks_run(page, tmp_path, monkeypatch):
    matplotlib.use("Agg")
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "__docs__"}
    for i, code in enumerate(python_blocks(page)):
        try:
            exec(compile(code, f"{page.name}[block {i}]", "exec"), namespace)
        except Exception as e:  # pragma: no cover - the message is the point
            raise AssertionError(f"{page.name}, code block {i} failed:\n{code}") from e
    import matplotlib.pyplot as plt

    plt.close("all")


def test_the_block_parser_skips_marked_blocks(tmp_path):
    page = tmp_path / "p.md"
    page.write_text(
        "```python\nrun = 1\n```\n<!-- not run -->\n```python\nshown = 1\n```\n"
    )
    assert python_blocks(page) == ["run = 1\n"]
