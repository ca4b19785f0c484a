"""Issue 18, build and serve: SIGKILL at points spread over whole builds and whole dev-server rebuilds, runs
at the same time (two builds, build and serve, serve started and stopped during a build), unwritable folders.

After every kill the output folder is the last good site or the new one, whole (never a mix), the next build
repairs it and its summary tells the truth ("nothing changed" only when the site was already whole), and no
temporary file or folder is left. ``make test`` sends a few kills; ``make fuzz`` sets SITE_BUILDER_FUZZ_KILLS
(kills of each kind) and SITE_BUILDER_FUZZ_RUNS (concurrent runs of each kind). SITE_BUILDER_FAULT_SEED
replays one run's kill times. Each test prints its figures (run with -s).

The sites are small where size adds nothing and no smaller where it does: the build's site has few papers
(each paper costs its Cite box) but many authors, so a whole build renders more pages than
``parallel.MIN_ITEMS`` and its forked workers write the new folder (asserted); the dev server renders in its
own process, so its site is smaller still. Each site is imported once per module and copied for each test.
"""
from __future__ import annotations

import os
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from browser import ServerProcess, free_port
from conftest import snapshot
from site_builder.cli import main
from site_builder.parallel import MIN_ITEMS

KILLS = int(os.environ.get("SITE_BUILDER_FUZZ_KILLS", "4"))
RUNS = int(os.environ.get("SITE_BUILDER_FUZZ_RUNS", "2"))
SEED = int(os.environ.get("SITE_BUILDER_FAULT_SEED", str(random.randrange(1 << 30))))
FIRST = "Ada Alan Grace Mary Emmy Kurt Sofia Niels Lise Paul Marie Carl Hedy John Rosalind Max".split()
LAST = ("Lovelace Turing Hopper Somerville Noether Goedel Kovalevskaya Bohr Meitner Dirac Curie Gauss Lamarr "
        "Neumann Franklin Planck").split()
WORDS = "sparse private robust federated scalable adaptive efficient causal neural bayesian".split()
NOUNS = "models learning training inference attacks defenses agents graphs kernels transformers".split()
# papers, authors of each, the template the tests toggle: 36 paper pages and 288 author pages (more than
# MIN_ITEMS), whose paper template changes; 16 papers whose every page changes (base.html)
BUILD_SITE = (36, 8, "paper.html")
SERVE_SITE = (16, 2, "base.html")
RECORD = Path("content") / "papers" / "on-sparse-models-number-0.md"
LEFTOVER_FOLDER = re.compile(r"^\.output\.(tmp|old)-")
LEFTOVER_FILE = re.compile(r"^\..*\.[0-9a-f]{8}\.tmp$")  # fileio.atomic_write's temporary files

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not Path("/proc/self/stat").is_file(), reason="kill points are read from /proc")]


def _listing(papers: int, authors: int) -> str:
    def byline(i: int) -> str:
        return ", ".join(f"{FIRST[(i * authors + k) % 16]} {LAST[(i * authors + k) // 16 % 16]}"
                         for k in range(authors))
    return "\n".join(
        f"LGMar {1 + i % 27}, 2024\nOn {WORDS[i % 10].capitalize()} {NOUNS[(i // 10) % 10]} number {i}"
        f"{byline(i)}\nAbstract {i}: $x_{i}$ and more.\n"
        for i in range(papers))


class Bases:
    """Sites of imported papers with a template override (imported once, never built), by size."""

    def __init__(self, folder: Path):
        self.folder, self.made = folder, {}

    def __call__(self, size: tuple[int, int, str]) -> Path:
        if size not in self.made:
            site = self.folder / f"base-{size[0]}-{size[1]}"
            (site / "seeds").mkdir(parents=True)
            (site / "templates").mkdir()
            (site / "site.yaml").write_text("title: Fault Lab\nurl: https://lab.example.org/pubs/\n"
                                            "listing_date: 2025-01-01\n")
            (site / "seeds" / "papers.txt").write_text(_listing(*size[:2]))
            assert main(["import", "--site", str(site), "--quiet"]) == 0
            self.made[size] = site
        return self.made[size]


@pytest.fixture(scope="module")
def bases(tmp_path_factory) -> Bases:
    return Bases(tmp_path_factory.mktemp("faults"))


def set_state(site: Path, state: tuple[int, int], size: tuple[int, int, str] = BUILD_SITE) -> None:
    """Two things the tests toggle: a record's title (one page and the lists), a template (every paper page,
    or every page)."""
    title, look = state
    record = site / RECORD
    text = record.read_text()
    text = re.sub(r"^title: .*$", f"title: On Sparse models number 0, version {title}", text, count=1, flags=re.M)
    record.write_text(text)
    template = size[2]
    (site / "templates" / template).write_text(f'{{% extends "theme/{template}" %}}\n'
                                               f'{{% block title %}}Look {look} · {{{{ super() }}}}{{% endblock %}}\n')


class References:
    """The output of an uninterrupted clean build of each site in each state, made once in a copy."""

    def __init__(self, bases: Bases, folder: Path):
        self.bases, self.folder, self.made = bases, folder, {}

    def __call__(self, size: tuple[int, int, str], state: tuple[int, int]) -> dict[str, bytes]:
        if (size, state) not in self.made:
            site = self.folder / f"ref-{size[0]}-{size[1]}-{state[0]}-{state[1]}"
            shutil.copytree(self.bases(size), site)
            set_state(site, state, size)
            assert main(["build", "--site", str(site), "--quiet"]) == 0
            self.made[size, state] = snapshot(site / "output")
            shutil.rmtree(site)
        return self.made[size, state]


@pytest.fixture(scope="module")
def references(bases, tmp_path_factory) -> References:
    return References(bases, tmp_path_factory.mktemp("references"))


def copy_of(bases: Bases, size: tuple[int, int, str], folder: Path) -> Path:
    copy = folder / "site"
    shutil.copytree(bases(size), copy)
    return copy


@pytest.fixture
def site(bases, tmp_path) -> Path:
    return copy_of(bases, BUILD_SITE, tmp_path)


def build_process(site: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "site_builder", "build", "--quiet", *args], cwd=site,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def build_to_the_end(site: Path) -> str:
    """A build run to its end; its summary line."""
    proc = subprocess.run([sys.executable, "-m", "site_builder", "build"], cwd=site,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    return proc.stdout


def repair_and_check(site: Path, seen: dict[str, bytes] | None, expected: dict[str, bytes], what: str) -> None:
    """The build after a kill: it gives exactly ``expected``, says "nothing changed" only if the output
    already was ``expected`` (``seen``: the output found after the kill), and leaves nothing temporary."""
    said = build_to_the_end(site)
    assert snapshot(site / "output") == expected, what
    if "nothing changed" in said:
        assert seen == expected, f"{what}: the build said nothing changed, but the site was not whole: {said}"
    else:
        assert re.search(r"\b[1-9]\d* written\b", said), f"{what}: {said}"
    no_leftovers(site)


def no_leftovers(site: Path) -> None:
    assert [p.name for p in site.iterdir() if LEFTOVER_FOLDER.match(p.name)] == []
    for folder in (site / "output", site / ".cache", site / "content"):
        assert [p for p in folder.rglob("*") if LEFTOVER_FILE.match(p.name)] == []


def spread(rng: random.Random, n: int) -> list[float]:
    """``n`` fractions of a run, one in each n-th of it, in random order: the kills cover the whole run."""
    fractions = [(k + rng.random()) / n for k in range(n)]
    rng.shuffle(fractions)
    return fractions


# Kill points are set in CPU time for the computing phases (on a loaded machine a run's wall time varies
# several times over, the work done before a point does not) and in wall time for the phases spent waiting for
# the disk (writing files, removing the old folder), where CPU time hardly moves.
TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_seconds(pid: int) -> float:
    """CPU time used so far by process ``pid`` and its children (a build's forked workers), from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except (OSError, IndexError):
        return 0.0  # gone
    own = sum(int(x) for x in fields[11:15]) / TICK  # utime, stime, and those of the children it waited for
    return own + sum(cpu_seconds(int(child)) for child in children)


def kill_after(proc: subprocess.Popen, cpu: float, since: float = 0.0, done=lambda: False) -> bool:
    """SIGKILL ``proc`` once it has used ``cpu`` seconds more than ``since`` (or ``done()``: its work is over);
    False if it ended before."""
    deadline = time.monotonic() + 120
    while proc.poll() is None and cpu_seconds(proc.pid) - since < cpu and not done() \
            and time.monotonic() < deadline:
        time.sleep(0.002)
    finished = proc.poll() is not None
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return not finished


def kill_at_wall(proc: subprocess.Popen, seconds: float) -> bool:
    """SIGKILL ``proc`` ``seconds`` after now; False if it ended before."""
    try:
        proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        pass
    finished = proc.poll() is not None
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return not finished


def measured_build(site: Path, *args: str) -> tuple[float, float]:
    """A build run to its end; the CPU time it took (its workers included) and its wall time."""
    before, started = resource.getrusage(resource.RUSAGE_CHILDREN), time.monotonic()
    proc = build_process(site, *args)
    _out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, time.monotonic() - started


# ---------------------------------------------------------------- SIGKILL during builds

def test_builds_killed_at_points_spread_over_the_whole_run_leave_the_last_good_site_or_the_new_one(
        site, references, capsys):
    rng = random.Random(SEED)
    ref = lambda state: references(BUILD_SITE, state)  # noqa: E731
    state = (0, 0)
    set_state(site, state)
    # How much CPU and wall time the two kinds of run take (process start to exit, workers included): the kill
    # points are spread over each, every other one by CPU time, the others by wall time. A whole build must be
    # big enough for the forked workers to write it.
    took = {"whole": measured_build(site)}
    assert len(ref(state)) > MIN_ITEMS
    state = (1, 1)
    set_state(site, state)
    took["incremental"] = measured_build(site)
    outcomes: dict[str, int] = {}
    fractions = spread(rng, KILLS)  # a kill that comes after the run's end is not counted: it is tried again
    kill = landed = 0
    while landed < KILLS:
        assert kill < 3 * KILLS, f"only {landed} of {kill} kills landed during a build: {outcomes}"
        if kill >= len(fractions):
            fractions.append(rng.uniform(0, 0.8))
        before = state
        state = (rng.randrange(3), rng.randrange(3)) if kill % 3 else before
        clean = state == before or rng.random() < 0.5  # no change: a --clean build, else the run is empty
        set_state(site, state)
        old, new = ref(before), ref(state)
        cpu, wall = took["whole" if clean else "incremental"]
        proc = build_process(site, *(("--clean",) if clean else ()))
        if kill % 2:
            at, clock = fractions[kill] * 1.1 * wall, "wall"
            finished = not kill_at_wall(proc, at)
        else:
            at, clock = fractions[kill] * 1.1 * cpu, "CPU"
            finished = not kill_after(proc, at)
        what = f"kill {kill} at {at:.2f} s {clock} (seed {SEED})"
        out = site / "output"
        beside = {m.group(1) for p in site.iterdir() if (m := LEFTOVER_FOLDER.match(p.name))}
        if out.exists():
            seen = snapshot(out)
            assert seen in (old, new), f"{what}: a mixed site"
            outcome = "finished" if finished else (
                "new site, old folder not yet removed" if "old" in beside else "new site" if seen == new != old
                else "old site, new folder half written" if "tmp" in beside else "old site, nothing written yet")
        else:  # killed between the two renames of the swap: the old folder waits beside it
            assert "old" in beside, f"{what}: output lost"
            seen, outcome = None, "between the two renames"
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        landed += outcome != "finished"
        kill += 1
        repair_and_check(site, seen, new, what)
    with capsys.disabled():
        print(f"\nbuild kills survived: {landed} landed during a build, of {kill} sent, on {len(ref(state))} files (seed {SEED}; a whole build "
              f"takes {took['whole'][0]:.2f} s CPU ({took['whole'][1]:.1f} s wall), an incremental one "
              f"{took['incremental'][0]:.2f} s ({took['incremental'][1]:.1f} s); {outcomes})")


# ---------------------------------------------------------------- SIGKILL during the dev server's rebuilds

def is_dirty(site: Path) -> bool:
    try:
        return (site / "output" / ".site-builder").read_bytes().endswith(b"build dirty\n")
    except OSError:
        return False


def rebuilt(server: ServerProcess) -> int:
    """How many builds the server has reported so far (``...: 54 pages rendered, ...`` or ``build failed``)."""
    return sum(" pages rendered, " in line or ": build failed" in line for line in server.output().splitlines())


def test_dev_server_killed_at_points_spread_over_its_rebuilds_never_leaves_a_torn_file(bases, references, tmp_path,
                                                                                       capsys):
    rng = random.Random(SEED + 1)
    site = copy_of(bases, SERVE_SITE, tmp_path)
    ref = lambda state: references(SERVE_SITE, state)  # noqa: E731
    state = (0, 0)
    set_state(site, state, SERVE_SITE)
    # An edit's rebuild renders every page it changes in memory, then replaces the files one by one with the
    # marker saying "dirty". How much CPU the rendering takes the server (an idle server uses next to none) and
    # how long the writing lasts: every other kill falls at a point of the rendering's CPU time after the edit,
    # the others at a point of the writing's wall time after the marker turns dirty (both a little beyond).
    server = ServerProcess(site, "--port", str(free_port()))
    try:
        state = (0, 1)
        since, rebuilds = cpu_seconds(server.proc.pid), rebuilt(server)
        set_state(site, state, SERVE_SITE)  # base.html: every page
        while not is_dirty(site) and rebuilt(server) == rebuilds:  # (a fast disk may write before a look)
            time.sleep(0.002)
        rendering, dirty_at = cpu_seconds(server.proc.pid) - since, time.monotonic()
        while is_dirty(site):
            time.sleep(0.002)
        writing = time.monotonic() - dirty_at
        server.wait_for_line(f"templates/{SERVE_SITE[2]}: ")  # "templates/base.html: 54 pages rendered, ..."
    finally:
        assert server.stop() == 0
    outcomes: dict[str, int] = {}
    checked = 0
    fractions = spread(rng, KILLS)  # a kill that comes after the rebuild's end is not counted: it is tried again
    kill = landed = 0
    while landed < KILLS:
        assert kill < 3 * KILLS, f"only {landed} of {kill} kills landed during a rebuild: {outcomes}"
        if kill >= len(fractions):
            fractions.append(rng.uniform(0, 0.8))
        server = ServerProcess(site, "--port", str(free_port()))
        try:
            before = state
            while state == before:
                state = (rng.randrange(3), before[1]) if rng.random() < 0.5 else (before[0], rng.randrange(3))
            since = cpu_seconds(server.proc.pid)
            rebuilds = rebuilt(server)
            done = lambda: rebuilt(server) > rebuilds  # noqa: E731
            set_state(site, state, SERVE_SITE)
            if kill % 2:
                at, clock = fractions[kill] * 1.2 * writing, "wall after the marker turned dirty"
                deadline = time.monotonic() + 120
                while not is_dirty(site) and not done() and time.monotonic() < deadline:
                    time.sleep(0.002)
                kill_at_wall(server.proc, at)
            else:
                at, clock = fractions[kill] * 1.1 * rendering, "CPU after the edit"
                kill_after(server.proc, at, since, done=done)
        finally:
            server.proc.send_signal(signal.SIGKILL)
            server.proc.wait()
        what = f"kill {kill} at {at:.3f} s {clock} (seed {SEED})"
        old, new = ref(before), ref(state)
        out = site / "output"
        changed, dirty = 0, False
        for path in sorted(out.rglob("*")):
            if path.is_dir() or LEFTOVER_FILE.match(path.name):
                continue  # a temporary file: never published, the next build starts afresh
            rel = path.relative_to(out).as_posix()
            data = path.read_bytes()
            if rel == ".site-builder":
                dirty = data.endswith(b"build dirty\n")
                assert data in (old[rel], new[rel]) or dirty, f"{what}: the marker is {data!r}"
            else:
                assert data in (old.get(rel), new.get(rel)), f"{what}: {rel} is torn or foreign"
                changed += data != old.get(rel)
            checked += 1
        seen = snapshot(out)
        outcome = ("rebuild half done (marker: dirty)" if dirty else "rebuild done" if seen == new
                   else "before the rebuild wrote anything" if changed == 0 else "a mix without a dirty marker")
        assert outcome != "a mix without a dirty marker", what
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        landed += outcome != "rebuild done"
        kill += 1
        repair_and_check(site, seen, new, what)
    with capsys.disabled():
        print(f"\ndev-server rebuild kills survived: {landed} landed during a rebuild, of {kill} sent (seed {SEED}; an edit's "
              f"rebuild renders in {rendering:.2f} s CPU, writes in {writing:.2f} s wall; {checked} files checked whole; {outcomes})")


# ---------------------------------------------------------------- runs at the same time

def wait_for_new_folder(site: Path, proc: subprocess.Popen) -> None:
    """Until the build ``proc`` has made its new output folder (or ended)."""
    while proc.poll() is None and not any(p.name.startswith(".output.tmp-") for p in site.iterdir()):
        time.sleep(0.002)


def test_two_builds_at_once_both_finish_with_a_whole_site(site, references, capsys):
    rng = random.Random(SEED + 2)
    set_state(site, (0, 0))
    expected = references(BUILD_SITE, (0, 0))
    # The second starts at a point spread over the first one's whole run; or (every other run) the first is
    # paused (SIGSTOP) as soon as its new folder appears, and resumed only when the second has ended or says it
    # waits for the lock: the moment where, without the lock, the second's clean-up removed the first's new
    # folder (the first then failed or swapped in half a site). A slow disk or a big site gives the same order.
    _cpu, took = measured_build(site, "--clean")
    offsets = [f * 1.1 * took for f in spread(rng, RUNS)]
    for run in range(RUNS):
        first = build_process(site, "--clean")
        if run % 2:
            wait_for_new_folder(site, first)
            first.send_signal(signal.SIGSTOP)
            second = build_process(site)
            try:
                said = second.stderr.readline()  # "waiting for site-builder build (pid ...) ..." or its end
                assert said == "" or "waiting for" in said, said  # "": it ended without a word
            finally:
                first.send_signal(signal.SIGCONT)
        else:
            time.sleep(offsets[run])
            second = build_process(site)
        for proc in (first, second):
            _out, err = proc.communicate(timeout=600)
            assert proc.returncode == 0 and "Traceback" not in err, err
        assert snapshot(site / "output") == expected, f"run {run}"
        no_leftovers(site)
        # and the next build vouches only for a whole site
        result = subprocess.run([sys.executable, "-m", "site_builder", "build"], cwd=site, capture_output=True,
                                text=True, timeout=600)
        assert result.returncode == 0 and "nothing changed" in result.stdout
    with capsys.disabled():
        print(f"\nconcurrent build + build runs: {RUNS}, every one whole ({RUNS // 2} with the first paused at its new "
              f"folder; the others with the second started 0 to {1.1 * took:.1f} s after the first, a --clean build "
              f"taking {took:.1f} s wall)")


def test_build_while_serving_and_serve_started_and_stopped_during_builds(site, references, capsys):
    rng = random.Random(SEED + 3)
    set_state(site, (0, 0))
    tried = 0
    _cpu, took = measured_build(site, "--clean")
    offsets = [f * 1.1 * took for f in spread(rng, RUNS)]
    for run in range(RUNS):
        # a build already running when the server starts (at a point spread over the build, or as soon as its
        # new folder appears): the server waits
        builder = build_process(site, "--clean")
        if run % 2:
            wait_for_new_folder(site, builder)
        else:
            time.sleep(offsets[run])
        server = ServerProcess(site, "--port", str(free_port()))
        try:
            _out, err = builder.communicate(timeout=600)
            assert builder.returncode == 0, err
            # edits while a CLI build runs beside the server
            state = (1 + run % 2, run % 3)  # the record changes in every run: the server's line names it
            set_state(site, state)
            builder = build_process(site, "--clean")
            _out, err = builder.communicate(timeout=600)
            assert builder.returncode == 0, err
            server.wait_for_line(RECORD.as_posix())
            # stopped while another build runs: its stop must not touch that build's new folder
            builder = build_process(site, "--clean")
            wait_for_new_folder(site, builder) if run % 2 else time.sleep(rng.uniform(0, took))
        finally:
            assert server.stop() == 0, server.output()
        _out, err = builder.communicate(timeout=600)
        assert builder.returncode == 0, err
        assert "Traceback" not in server.output()
        build_to_the_end(site)
        assert snapshot(site / "output") == references(BUILD_SITE, state), f"run {run} (seed {SEED})"
        no_leftovers(site)
        tried += 3
    with capsys.disabled():
        print(f"\nconcurrent build + serve runs: {tried}, every one whole")


def test_import_while_serving_a_listing_edit_gives_the_records_of_one_import(bases, tmp_path, capsys):
    """The listing changes: the server imports it again and rebuilds while ``site-builder import`` runs from
    the command line (both take the site's lock); the records, the import state and the site are then exactly
    what one import of the last listing and one build give."""
    rng = random.Random(SEED + 4)
    site = copy_of(bases, SERVE_SITE, tmp_path)
    listing = site / "seeds" / "papers.txt"
    original = listing.read_text()
    server = ServerProcess(site, "--port", str(free_port()))
    try:
        for run in range(RUNS):
            rebuilds = rebuilt(server)
            listing.write_text(original.replace(" and more.", f" and more, version {run + 1}."))
            time.sleep(rng.uniform(0, 0.5))
            proc = subprocess.run([sys.executable, "-m", "site_builder", "import", "--quiet"], cwd=site,
                                  capture_output=True, text=True, timeout=600)
            assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
            deadline = time.monotonic() + 120
            while rebuilt(server) == rebuilds and time.monotonic() < deadline:
                time.sleep(0.05)
            assert rebuilt(server) > rebuilds, server.output()
    finally:
        assert server.stop() == 0, server.output()
    assert "Traceback" not in server.output() and "build failed" not in server.output(), server.output()
    build_to_the_end(site)
    reference = tmp_path / "reference"
    shutil.copytree(bases(SERVE_SITE), reference)
    (reference / "seeds" / "papers.txt").write_text(listing.read_text())
    assert main(["import", "--site", str(reference), "--quiet"]) == 0
    assert main(["build", "--site", str(reference), "--quiet"]) == 0
    assert snapshot(site / "content") == snapshot(reference / "content")
    assert snapshot(site / "output") == snapshot(reference / "output")
    no_leftovers(site)
    with capsys.disabled():
        print(f"\nconcurrent import + serve runs: {RUNS}, the records and the site those of one import")


# ---------------------------------------------------------------- unwritable folders

@pytest.mark.parametrize("where", ["cache", "output"])
def test_folders_that_cannot_be_written_give_one_clean_message_and_keep_the_last_good_site(site, where):
    """``cache``: the site's .cache cannot hold the lock (a file is in the way); ``output``: output_dir lies
    in a folder that cannot be made (a file is in the way; a root-owned folder is the same for a user, but
    these tests may run as root, who may write anywhere). ``/proc``: see test_hardening."""
    assert main(["build", "--site", str(site), "--quiet"]) == 0
    good = snapshot(site / "output")
    set_state(site, (5, 5))
    if where == "cache":
        shutil.rmtree(site / ".cache")
        (site / ".cache").write_text("not a folder")
        expected = "cannot make the lock file"
    else:
        (site / "blocker").write_text("not a folder")
        (site / "site.yaml").write_text("title: Fault Lab\nlisting_date: 2025-01-01\noutput_dir: blocker/out\n")
        expected = "cannot write the site to"
    proc = subprocess.run([sys.executable, "-m", "site_builder", "build"], cwd=site, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert proc.stderr.count("\n") == 1 and expected in proc.stderr, proc.stderr
    assert snapshot(site / "output") == good
