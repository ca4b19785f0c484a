#!/usr/bin/env python3
"""Benchmark: import, cold build, incremental rebuild and no-op build at N papers.

    python bench/run.py                 # N = 100, 1,000, 10,000, 100,000
    python bench/run.py --quick         # N = 100, 1,000
    python bench/run.py --sizes 1000 --runs 5

For each N: a synthetic listing (bench/gen_listing.py) is imported with
`site-builder import` and built with `site-builder build`, each a fresh process
(cold: no output/, no .cache/). "incremental" edits one record and rebuilds in
the process that built before, as `site-builder serve` does; "no-op" is a second
`site-builder build` with nothing changed (it must write nothing). Peak memory is
the largest resident size of any one command. Medians of --runs runs (100,000:
one run). The table is printed and appended, with the machine, to bench/README.md.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
INCREMENTAL = r"""
import json, statistics, sys, time
from pathlib import Path
from site_builder.build import Builder
from site_builder.config import load_config
root = Path(sys.argv[1]); runs = int(sys.argv[2])
builder = Builder(load_config(root), None, jobs=1, in_place=True)
builder.build()
papers = sorted((root / "content" / "papers").glob("*.md"))
record = papers[len(papers) // 2]
original = record.read_text()
times = []
for i in range(runs):
    record.write_text(original.replace("title: ", f"title: Edited {i} ", 1))
    start = time.perf_counter(); result = builder.build(); times.append(time.perf_counter() - start)
record.write_text(original)
builder.build()
print(json.dumps({"ms": statistics.median(times) * 1000, "rendered": result.rendered}))
"""


def timed(cmd: list[str], cwd: Path) -> tuple[float, float, str]:
    """(wall seconds, peak RSS MiB of the command, stdout) for one fresh process.

    Files earlier commands wrote are flushed to disk first (untimed), so that their write-back is not
    charged to this command."""
    os.sync()
    wrapper = ("import resource, subprocess, sys, time, json\n"
               "t = time.perf_counter(); p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
               "w = time.perf_counter() - t\n"
               "if p.returncode: sys.stderr.write(p.stderr); sys.exit(p.returncode)\n"
               "print(json.dumps([w, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, p.stdout]))")
    proc = subprocess.run([sys.executable, "-c", wrapper, *cmd], cwd=cwd, capture_output=True, text=True)
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stderr}")
    wall, rss, out = json.loads(proc.stdout)
    return wall, rss, out


def site_builder() -> list[str]:
    return [sys.executable, "-m", "site_builder"]


def bench_size(n: int, runs: int, work: Path) -> dict:
    site = work / f"n{n}"
    shutil.rmtree(site, ignore_errors=True)
    subprocess.run([sys.executable, str(HERE / "gen_listing.py"), "--n", str(n), "--out", str(site)], check=True)
    imports, builds, rss = [], [], []
    # Whatever a run leaves (content/, output/, .cache/) is moved aside and deleted after the timed runs,
    # as ../shared/bench/run_anchors.sh does: deleting thousands of files right before a run makes the
    # disk slow for the run that follows (ext4 with online discard), which is not the measured command's cost.
    trash = work / "trash"
    trash.mkdir(exist_ok=True)

    def move_aside(name: str, run: int) -> None:
        if (site / name).exists():
            os.replace(site / name, trash / f"{name}-{n}-{run}")

    for run in range(runs):
        move_aside("content", run)
        wall, peak, _out = timed([*site_builder(), "import", "--quiet"], site)
        imports.append(wall)
        rss.append(peak)
    pages = 0
    for run in range(runs):
        for leftover in ("output", ".cache"):  # cold: no output/, no .cache/
            move_aside(leftover, run)
        wall, peak, out = timed([*site_builder(), "build"], site)
        builds.append(wall)
        rss.append(peak)
        pages = int(re.search(r"(\d+) files", out).group(1))
    noop_wall, peak, out = timed([*site_builder(), "build"], site)
    assert "nothing changed" in out, out
    rss.append(peak)
    inc = subprocess.run([sys.executable, "-c", INCREMENTAL, str(site), str(max(runs, 5))],
                         capture_output=True, text=True, check=True)
    incremental = json.loads(inc.stdout)
    shutil.rmtree(trash, ignore_errors=True)
    cold = statistics.median(builds)
    return {"n": n, "import_s": statistics.median(imports), "cold_s": cold, "pages": pages,
            "pages_per_s": pages / cold, "incremental_ms": incremental["ms"], "noop_s": noop_wall,
            "peak_mb": max(rss), "runs": runs}


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}, {platform.system()} {platform.release()}"


def table(rows: list[dict]) -> str:
    lines = ["| N | import s | cold build s | pages | pages/s | incremental ms | no-op build s | peak MB |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['n']:,} | {r['import_s']:.2f} | {r['cold_s']:.2f} | {r['pages']:,} | {r['pages_per_s']:,.0f} "
                     f"| {r['incremental_ms']:.0f} | {r['noop_s']:.2f} | {r['peak_mb']:.0f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="only N = 100 and 1,000")
    parser.add_argument("--sizes", type=int, nargs="*", help="the N to run (default: 100 1000 10000 100000)")
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement; the median is reported")
    parser.add_argument("--work", type=Path, default=None, help="scratch folder (default: a temporary one)")
    parser.add_argument("--no-readme", action="store_true", help="do not append to bench/README.md")
    args = parser.parse_args()
    sizes = args.sizes or ([100, 1000] if args.quick else [100, 1000, 10000, 100000])
    work = args.work or Path(tempfile.mkdtemp(prefix="site-builder-bench-"))
    rows = []
    for n in sizes:
        started = time.perf_counter()
        rows.append(bench_size(n, 1 if n >= 100000 else args.runs, work))
        print(f"N={n:,} done in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    text = table(rows)
    print(text)
    if not args.no_readme:
        with open(HERE / "README.md", "a", encoding="utf-8") as readme:
            readme.write(f"\n### {dt.date.today().isoformat()}: {machine()}\n\n{text}\n")
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_NOFILE, resource.getrlimit(resource.RLIMIT_NOFILE))
    main()
