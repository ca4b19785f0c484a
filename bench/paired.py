#!/usr/bin/env python3
"""Paired benchmark: this checkout against another (an older commit), alternating runs on one machine.

    git worktree add /tmp/old e28a27a
    python bench/paired.py --old /tmp/old --n 1000 --runs 3

For N papers (bench/gen_listing.py), each code imports its own copy of the listing, then, run after run
and in turn (old, new; then new, old; ...): a cold CLI build (no output/, no .cache/; what an earlier run
left is moved aside and deleted at the end: deleting thousands of files just before a run slows the disk
for it), its wall time, the largest resident size of any of its processes and its CPU time (user + sys,
all processes); a no-op build; an incremental rebuild after one edit, in process (as bench/run.py).
Medians per code, and the median of the new/old ratios within each pair (the machine's speed drifts
within minutes; a pair's two runs are back to back). Issue 17 asks for cold, incremental, no-op and peak
within 10% of the code before it.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TIMED = ("import resource, subprocess, sys, time, json\n"
         "t = time.perf_counter(); p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
         "w = time.perf_counter() - t; r = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
         "if p.returncode: sys.stderr.write(p.stderr); sys.exit(p.returncode)\n"
         "print(json.dumps([w, r.ru_maxrss / 1024, r.ru_utime + r.ru_stime]))")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--old", type=Path, required=True, help="a checkout of the code to compare with")
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=Path, default=None, help="scratch folder (default: a temporary one)")
    parser.add_argument("--no-incremental", action="store_true",
                        help="skip the rebuild after one edit (it builds the site once more, in one process: "
                        "at 100,000 papers, minutes)")
    args = parser.parse_args()
    code = {"old": str(args.old.resolve()), "new": str(HERE.parent)}
    work = args.work or Path(tempfile.mkdtemp(prefix="site-builder-paired-"))
    trash = work / "trash"
    trash.mkdir(parents=True, exist_ok=True)
    incremental = (HERE / "run.py").read_text().split('INCREMENTAL = r"""', 1)[1].split('"""', 1)[0]
    sites = {}
    for name in code:
        site = sites[name] = work / f"{name}{args.n}"
        if not (site / "content").is_dir():
            subprocess.run([sys.executable, str(HERE / "gen_listing.py"), "--n", str(args.n), "--out", str(site)],
                           check=True, capture_output=True)
            subprocess.run([sys.executable, "-m", "site_builder", "import", "--quiet"], cwd=site, check=True,
                           env={**os.environ, "PYTHONPATH": code[name]})

    def timed(name: str, *cli: str) -> list[float]:
        os.sync()
        before = cpu_ticks()
        out = subprocess.run([sys.executable, "-c", TIMED, sys.executable, "-m", "site_builder", *cli],
                             cwd=sites[name], env={**os.environ, "PYTHONPATH": code[name]}, capture_output=True,
                             text=True, check=True)
        steal.append(steal_share(before, cpu_ticks()))
        return json.loads(out.stdout)

    steal: list[float] = []
    found = {name: {"cold": [], "peak": [], "cpu": [], "noop": [], "inc": []} for name in code}
    for run in range(args.runs):
        for name in (("old", "new") if run % 2 == 0 else ("new", "old")):
            for leftover in ("output", ".cache"):
                if (sites[name] / leftover).exists():
                    os.replace(sites[name] / leftover, trash / f"{name}-{leftover}-{time.time_ns()}")
            cold, peak, cpu = timed(name, "build", "--quiet")
            cold_steal = steal[-1]
            noop = timed(name, "build", "--quiet")[0]
            inc = float("nan") if args.no_incremental else json.loads(subprocess.run(
                [sys.executable, "-c", incremental, str(sites[name]), "5"], env={**os.environ, "PYTHONPATH": code[name]},
                capture_output=True, text=True, check=True).stdout)["ms"]
            for key, value in (("cold", cold), ("peak", peak), ("cpu", cpu), ("noop", noop), ("inc", inc)):
                found[name][key].append(value)
            print(f"N={args.n:,} run {run + 1} {name}: cold {cold:.2f} s (peak {peak:.0f} MB, CPU {cpu:.2f} s), "
                  f"no-op {noop:.2f} s, incremental {inc:.0f} ms; the hypervisor took {cold_steal:.0%} of the cores "
                  "during the cold build", flush=True)
    print(f"\n| N = {args.n:,}, medians of {args.runs} | cold build s | CPU s | incremental ms | no-op s | peak MB |")
    print("|---|---:|---:|---:|---:|---:|")
    for name in code:
        m = {key: statistics.median(values) for key, values in found[name].items()}
        print(f"| {name} ({code[name]}) | {m['cold']:.2f} | {m['cpu']:.2f} | {m['inc']:.0f} | {m['noop']:.2f} "
              f"| {m['peak']:.0f} |")
    # The machine's speed drifts within minutes (the same build's CPU time doubled within ten minutes here):
    # the ratio within each pair of runs (old and new back to back) cancels the drift that medians keep.
    ratios = {key: [n / o for o, n in zip(found["old"][key], found["new"][key])
                   if o and not math.isnan(o) and not math.isnan(n)]
              for key in ("cold", "cpu", "inc", "noop", "peak")}
    print("\nnew / old within each pair, median (range): " + ", ".join(
        f"{key} {statistics.median(r):.3f} ({min(r):.2f}-{max(r):.2f})" for key, r in ratios.items() if r))
    shutil.rmtree(trash, ignore_errors=True)
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)


def cpu_ticks() -> list[int]:
    """The machine's CPU time so far by kind (Linux's /proc/stat: user, nice, system, idle, iowait, irq,
    softirq, steal); empty where there is none."""
    try:
        with open("/proc/stat") as stat:
            return [int(x) for x in stat.readline().split()[1:9]]
    except (OSError, ValueError):
        return []


def steal_share(before: list[int], after: list[int]) -> float:
    """The share of all cores' time that a virtual machine's host gave to others (``steal``) between two
    readings: on a shared host it moves a run's time by tens of percent (0.2-0.5 here during builds, 2026-12-03)."""
    if len(before) < 8 or len(after) < 8:
        return float("nan")
    deltas = [b - a for a, b in zip(before, after)]
    return deltas[7] / sum(deltas) if sum(deltas) else float("nan")


if __name__ == "__main__":
    main()
