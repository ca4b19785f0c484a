#!/usr/bin/env python3
"""Paired cold builds on the shared anchors' corpus: site-builder and Hugo (Pelican and Jekyll on request), in turn.

    python bench/vs_anchors.py                       # Hugo; N = 1,000 (7 rounds) and 10,000 (3 rounds)
    python bench/vs_anchors.py --tools hugo pelican jekyll --sizes 1000 --rounds 5

Uses ../shared/bench/gen_corpus.py (one layout per tool, plus `listing`) and its
sites (../shared/bench/sites/<tool>), as ../shared/bench/run_anchors.sh does.
Hugo and Jekyll run from PATH (apt-get install hugo jekyll); Pelican from the
virtualenv that script makes (--pelican; pip install pelican==4.12.0
Markdown==3.11.3). The other tools build their minimal sites (index, papers,
tags); site-builder imports the listing once, then builds its whole site with
`url:` set (also author pages, papers.json, search.json, papers.bib, feeds,
sitemap, embed pages). Cold = no output folder, no cache: each is moved aside
before its run and deleted after all runs. Each round runs every tool once, one
after the other, on this noisy machine; each ratio (site-builder's time over the
tool's) is taken round by round, and the median is reported.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared" / "bench"
DEFAULT_PELICAN = Path(os.environ.get("TMPDIR", "/tmp")) / "pelican-venv" / "bin" / "pelican"


def tools(pelican: Path) -> dict[str, tuple[list[str], tuple[str, ...], str]]:
    """name -> (cold build command, what to move aside first, the output folder)."""
    return {
        "hugo": (["hugo", "--quiet"], ("public", "resources"), "public"),
        "pelican": ([str(pelican), "-q", "-s", "pelicanconf.py"], ("output", "cache"), "output"),
        "jekyll": (["jekyll", "build", "-q"], ("_site", ".jekyll-cache"), "_site"),
    }


def timed(cmd: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def files_in(folder: Path) -> int:
    return sum(len(files) for _root, _dirs, files in os.walk(folder))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000])
    parser.add_argument("--tools", nargs="*", default=["hugo"], choices=["hugo", "pelican", "jekyll"])
    parser.add_argument("--rounds", type=int, default=None, help="rounds per size (default 7, 3 from 10,000)")
    parser.add_argument("--pelican", type=Path, default=DEFAULT_PELICAN, help="the pelican command")
    args = parser.parse_args()
    commands = tools(args.pelican)
    for tool in args.tools:
        if not shutil.which(commands[tool][0][0]):
            raise SystemExit(f"{tool} is not installed (see this script's help)")
    work = Path(tempfile.mkdtemp(prefix="vs-anchors-"))
    trash = work / "trash"
    trash.mkdir()
    rows = []
    for n in args.sizes:
        corpus = work / f"n{n}"
        layouts = ",".join([*args.tools, "listing"])
        subprocess.run([sys.executable, str(SHARED / "gen_corpus.py"), "--n", str(n), "--out", str(corpus),
                        "--layouts", layouts], check=True, stdout=subprocess.DEVNULL)
        for tool in args.tools:
            shutil.copytree(SHARED / "sites" / tool, corpus / tool, dirs_exist_ok=True)
        site = corpus / "listing"
        (site / "site.yaml").write_text("title: Bench\nurl: https://example.org/\n", encoding="utf-8")
        subprocess.run([sys.executable, "-m", "site_builder", "import", "--quiet"], cwd=site, check=True)
        rounds = args.rounds or (3 if n >= 10000 else 7)
        runs: dict[str, list[float]] = {tool: [] for tool in [*args.tools, "site-builder"]}
        builds = {tool: (commands[tool][0], corpus / tool, commands[tool][1]) for tool in args.tools}
        builds["site-builder"] = ([sys.executable, "-m", "site_builder", "build", "--quiet"], site, ("output", ".cache"))
        for run in range(rounds + 1):  # the first round warms the page cache and is not counted
            for tool, (cmd, folder, aside) in builds.items():
                for name in aside:
                    if (folder / name).exists():
                        os.replace(folder / name, trash / f"{tool}-{name}-{n}-{run}")
                os.sync()  # earlier runs' writes are not charged to this one
                seconds = timed(cmd, folder)
                if run:
                    runs[tool].append(seconds)
        ours = runs["site-builder"]
        for tool in args.tools:
            ratio = statistics.median(s / t for s, t in zip(ours, runs[tool]))
            rows.append((n, tool, statistics.median(runs[tool]), files_in(corpus / tool / commands[tool][2]),
                         statistics.median(ours), files_in(site / "output"), ratio, rounds))
        print(f"N={n:,}: " + "; ".join(f"{tool} {[round(x, 2) for x in times]}" for tool, times in runs.items()),
              file=sys.stderr)
        shutil.rmtree(trash, ignore_errors=True)
        trash.mkdir()
    print("| N | tool | tool cold s (files) | site-builder cold s (files) | site-builder ÷ tool, median of rounds | rounds |")
    print("|---:|---|---:|---:|---:|---:|")
    for n, tool, theirs, their_files, ours_s, our_files, ratio, rounds in rows:
        print(f"| {n:,} | {tool} | {theirs:.2f} ({their_files:,}) | {ours_s:.2f} ({our_files:,}) | {ratio:.2f} | {rounds} |")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
