"""Shared fixtures: scratch sites in tmp_path, and the CLI run in-process or as a process."""
from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from browser import browser, page  # noqa: F401 (fixtures shared by every test module)
from site_builder.cli import main

ROOT = Path(__file__).resolve().parent.parent


def pytest_addoption(parser):
    parser.addoption("--refresh-golden", action="store_true", default=False,
                     help="rewrite tests/golden/expected/ from the current build (see tests/test_golden.py)")


# Modules whose tests each start servers or processes, run external checkers or many generated examples.
SLOW_MODULES = {"test_serve.py", "test_serve_safety.py", "test_packaging.py", "test_publish.py", "test_hostile.py"}


def pytest_collection_modifyitems(config, items):
    """Tests that drive Chromium are marked ``browser``, and those of SLOW_MODULES ``slow``
    (``make test-fast`` leaves both out)."""
    for item in items:
        if {"browser", "page"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)
        if item.path.name in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)
SEED = ROOT / "seeds" / "publications.txt"

SMALL_LISTING = """\
LGMar 9, 2024Code
Sparse Models Are Fast: A StudyAda Lovelace, Alan Turing et al. · cambridge
We show $\\varepsilon \\le 1$ and release code at https://github.com/ada/sparse_models.
CRJun 12, 2022
Private Learning at ScaleGrace Hopper, Ada Lovelace
Differential privacy with $<5\\%$ overhead. See \\href{https://example.org/a_b}{the page}.
CVJan 5, 2023
Seeing ThingsAlan Turing
An \\emph{important} ''result''.
"""

SMALL_CONFIG = """\
title: Test Lab
owner: Ada Lovelace
url: https://example.github.io/repo/
listing_date: 2025-01-01
"""


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def run(capsys, monkeypatch):
    """Run the CLI in this process: run(site_dir, "build") -> CliResult."""

    def _run(cwd: Path, *args: str) -> CliResult:
        monkeypatch.chdir(cwd)
        capsys.readouterr()
        code = main(list(args))
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return _run


def run_process(cwd: Path, *args: str) -> CliResult:
    proc = subprocess.run([sys.executable, "-m", "site_builder", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)
    return CliResult(proc.returncode, proc.stdout, proc.stderr)


def make_site(path: Path, listing: str = SMALL_LISTING, config: str = SMALL_CONFIG) -> Path:
    (path / "seeds").mkdir(parents=True, exist_ok=True)
    (path / "content" / "papers").mkdir(parents=True, exist_ok=True)
    (path / "site.yaml").write_text(config, encoding="utf-8")
    (path / "seeds" / "papers.txt").write_text(listing, encoding="utf-8")
    return path


@pytest.fixture
def small_site(tmp_path: Path) -> Path:
    return make_site(tmp_path / "site")


def make_seed_site(site: Path) -> Path:
    """A copy of this repository's own site at ``site``: site.yaml and the real seed listing."""
    (site / "seeds").mkdir(parents=True)
    (site / "content" / "papers").mkdir(parents=True)
    shutil.copy(ROOT / "site.yaml", site / "site.yaml")
    shutil.copy(SEED, site / "seeds" / "publications.txt")
    return site


@pytest.fixture
def seed_site(tmp_path: Path) -> Path:
    """A copy of this repository's own site: site.yaml and the real seed listing."""
    return make_seed_site(tmp_path / "seedsite")


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` (relative POSIX path -> bytes)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
