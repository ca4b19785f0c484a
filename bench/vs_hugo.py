#!/usr/bin/env python3
"""Paired cold builds, Hugo and site-builder, on the shared anchors' corpus (same papers, one run each in turn).

    python bench/vs_hugo.py                       # N = 1,000 (7 pairs) and 10,000 (3 pairs)
    python bench/vs_hugo.py --sizes 1000 --pairs 9

Uses ../shared/bench/gen_corpus.py (layouts hugo and listing) and its Hugo site
(../shared/bench/sites/hugo). Hugo builds its minimal pages (index, papers,
tags); site-builder imports the listing once, then builds its full site (also
author pages, feeds' absence aside, papers.json, search.json, papers.bib,
embed pages). Cold = no output folder, no cache: each is moved aside before
its run and deleted after all runs, as ../shared/bench/run_anchors.sh does.
Alternating A B A B on this noisy machine; the ratio is taken pair by pair.
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


def timed(cmd: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000])
    parser.add_argument("--pairs", type=int, default=None, help="pairs per size (default 7, 3 from 10,000)")
    args = parser.parse_args()
    if not shutil.which("hugo"):
        raise SystemExit("hugo is not installed (apt-get install hugo)")
    work = Path(tempfile.mkdtemp(prefix="vs-hugo-"))
    trash = work / "trash"
    trash.mkdir()
    rows = []
    for n in args.sizes:
        corpus = work / f"n{n}"
        subprocess.run([sys.executable, str(SHARED / "gen_corpus.py"), "--n", str(n), "--out", str(corpus),
                        "--layouts", "hugo,listing"], check=True, stdout=subprocess.DEVNULL)
        shutil.copytree(SHARED / "sites" / "hugo", corpus / "hugo", dirs_exist_ok=True)
        site = corpus / "listing"
        (site / "site.yaml").write_text("title: Bench\nurl: https://example.org/\n", encoding="utf-8")
        subprocess.run([sys.executable, "-m", "site_builder", "import", "--quiet"], cwd=site, check=True)
        pairs = args.pairs or (3 if n >= 10000 else 7)
        hugo, ours = [], []
        for run in range(pairs + 1):  # the first pair warms the page cache and is not counted
            for folder in (corpus / "hugo" / "public", corpus / "hugo" / "resources"):
                if folder.exists():
                    os.replace(folder, trash / f"{folder.name}-{n}-{run}")
            h = timed(["hugo", "--quiet"], corpus / "hugo")
            for folder in (site / "output", site / ".cache"):
                if folder.exists():
                    os.replace(folder, trash / f"{folder.name}-{n}-{run}")
            s = timed([sys.executable, "-m", "site_builder", "build", "--quiet"], site)
            if run:
                hugo.append(h)
                ours.append(s)
        hugo_files = sum(len(f) for _r, _d, f in os.walk(corpus / "hugo" / "public"))
        our_files = sum(len(f) for _r, _d, f in os.walk(site / "output"))
        rows.append((n, statistics.median(hugo), statistics.median(ours),
                     statistics.median(s / h for h, s in zip(hugo, ours)), hugo_files, our_files, pairs))
        print(f"N={n:,}: hugo {[round(x, 2) for x in hugo]} site-builder {[round(x, 2) for x in ours]}",
              file=sys.stderr)
    print("| N | Hugo cold s (files) | site-builder cold s (files) | ratio, median of pairs | pairs |")
    print("|---:|---:|---:|---:|---:|")
    for n, h, s, ratio, hf, sf, pairs in rows:
        print(f"| {n:,} | {h:.2f} ({hf:,}) | {s:.2f} ({sf:,}) | {ratio:.2f} | {pairs} |")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
