"""The manual: the site builds strictly, and every shell block in README.md and docs/ either
runs here on demo data or says, on its first line (``# needs: ...``), what it needs that the
tests do not have (real data, a GPU, the network, hours). The README's two set-up blocks are
what CI itself runs."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)
NEEDS = re.compile(r"^# needs: \S")
# Placeholder syntax a reader cannot paste: optional flags in brackets, <angle> holders, "...".
PLACEHOLDER = re.compile(r"\[--|<[A-Za-z_ -]+>|\.\.\.")
# Pages whose runnable blocks make what later pages use (the demo data), in this order.
ORDER = ["README.md", "datasets.md"]


def _blocks(page: Path) -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in FENCE.finditer(page.read_text(encoding="utf-8"))]


def _runnable(page: Path) -> list[str]:
    out = []
    for lang, body in _blocks(page):
        if lang != "bash" or NEEDS.match(body) or "python3 -m venv .venv" in body:
            continue
        out.append(body)
    return out


def test_every_shell_block_runs_here_or_says_what_it_needs() -> None:
    for page in PAGES:
        for lang, body in _blocks(page):
            if lang in ("bash", "sh", "shell", "console"):
                assert lang == "bash", f"{page.name}: use ```bash for shell blocks"
                assert not PLACEHOLDER.search(body), f"{page.name}: placeholder syntax in\n{body}"
                if not NEEDS.match(body) and "python3 -m venv .venv" not in body:
                    assert ".venv/bin/" in body or body.startswith("benchmarks/"), (page.name, body)


def test_readme_is_a_front_door() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 150
    assert "## Quick start" in readme
    for page in re.findall(r"\]\(docs/([\w.-]+\.md)\)", readme):
        assert (REPO / "docs" / page).is_file(), page
    assert (REPO / "LICENSE").is_file() and (REPO / "CITATION.cff").is_file()


def test_the_site_builds_strictly(tmp_path: Path) -> None:
    mkdocs = Path(sys.executable).parent / "mkdocs"
    if not mkdocs.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("mkdocs is not installed: pip install -e '.[test]' installs it")
        pytest.skip("mkdocs is not installed (pip install -e '.[test]')")
    done = subprocess.run(
        [str(mkdocs), "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "site" / "evaluate" / "index.html").is_file()


def test_the_runnable_blocks_run_on_demo_data(tmp_path: Path) -> None:
    """In a fresh folder beside the repository's `.venv`, each page's blocks in turn."""
    (tmp_path / ".venv").symlink_to(Path(sys.executable).parent.parent)
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    pages = sorted(PAGES, key=lambda p: (p.name not in ORDER, ORDER.index(p.name) if p.name in ORDER else 0))
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    ran = 0
    for page in pages:
        for lang, body in _blocks(page):
            if lang == "python" and page.name == "README.md":
                done = subprocess.run(
                    [sys.executable, "-c", body], cwd=tmp_path, capture_output=True, text=True, env=env
                )
            elif lang == "bash" and body in _runnable(page):
                done = subprocess.run(
                    ["bash", "-euo", "pipefail", "-c", body],
                    cwd=tmp_path,
                    capture_output=True,
                    text=True,
                    env=env,
                )
            else:
                continue
            assert done.returncode == 0, f"{page.name}:\n{body}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
            ran += 1
    assert ran >= 8
