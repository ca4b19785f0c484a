"""Issue 18 item 4: an import killed at any point never makes a later import treat its records as hand edits.

A site imports listing v1 (and one record is edited by hand); an import of v2 is killed with SIGKILL at
every step in turn (each file renamed into place, the sync), and at random moments; then v3 is imported.
Every record and the state must then be byte for byte what an uninterrupted v1 -> v2 -> v3 gives.
``make fuzz`` sets SITE_BUILDER_FUZZ_KILLS for more random kills on a bigger listing.
"""
from __future__ import annotations

import os
import random
import shutil
import signal
import time
from pathlib import Path

from conftest import snapshot
from site_builder import fileio
from site_builder.cli import main

WORDS = "sparse private robust federated scalable adaptive efficient causal neural bayesian".split()
NOUNS = "models learning training inference attacks defenses agents graphs kernels transformers".split()
NAMES = ["Ada Lovelace", "Alan Turing", "Grace Hopper", "Mary Somerville", "Emmy Noether", "Kurt Goedel"]
RANDOM_KILLS = int(os.environ.get("SITE_BUILDER_FUZZ_KILLS", "4"))


def listing(indices, version_of) -> str:
    out = []
    for i in indices:
        v = version_of(i)
        title = f"On {WORDS[i % 10].capitalize()} {NOUNS[(i // 10) % 10]} number {i}"
        authors = ", ".join(NAMES[(i + k + v) % 6] for k in range(1 + (i + v) % 3))
        out.append(f"LGMar {1 + (i + v) % 27}, 2024\n{title}{authors}\nAbstract {i} of version {v}.\n")
    return "\n".join(out)


def versions(n: int) -> tuple[str, str, str]:
    """v1: papers 0..n-1; v2 drops two, adds two and changes every other one; v3 changes all of v2's."""
    v1 = listing(range(n), lambda i: 1)
    v2 = listing(range(2, n + 2), lambda i: 2 if i % 2 == 0 else 1)
    v3 = listing(range(2, n + 2), lambda i: 3)
    return v1, v2, v3


def import_quietly(site: Path) -> None:
    assert main(["import", "--site", str(site), "--quiet"]) == 0


def base_site(tmp_path: Path, n: int) -> tuple[Path, tuple[str, str, str]]:
    v1, v2, v3 = versions(n)
    site = tmp_path / "base"
    (site / "seeds").mkdir(parents=True)
    (site / "site.yaml").write_text("title: T\nlisting_date: 2025-01-01\n")
    (site / "seeds" / "papers.txt").write_text(v1)
    import_quietly(site)
    record = site / "content" / "papers" / "on-adaptive-models-number-5.md"
    record.write_text(record.read_text().replace("title: On Adaptive models number 5", "title: My Own Title"))
    return site, (v1, v2, v3)


def reference(tmp_path: Path, base: Path, v2: str, v3: str) -> dict[str, bytes]:
    site = tmp_path / "reference"
    shutil.copytree(base, site)
    (site / "seeds" / "papers.txt").write_text(v2)
    import_quietly(site)
    (site / "seeds" / "papers.txt").write_text(v3)
    import_quietly(site)
    return snapshot(site / "content")


def finish_and_compare(site: Path, v3: str, expected: dict[str, bytes], capsys) -> None:
    (site / "seeds" / "papers.txt").write_text(v3)
    capsys.readouterr()
    assert main(["import", "--site", str(site)]) == 0
    out = capsys.readouterr()
    assert ", 0 kept-edited," in out.out, out  # no record is taken for a hand edit it is not
    assert "kept your edit" not in out.err
    assert snapshot(site / "content") == expected


def start_import(site: Path, kill_at: int) -> tuple[int, int]:
    """Fork an ``import`` of ``site`` that SIGKILLs itself at its ``kill_at``-th step (each file renamed into
    place, and the sync; 0: never). Returns (pid, read end of a pipe): "r" when it starts, then one "s" per step."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        try:
            os.close(read_end)
            steps = 0

            def step(real):
                def wrapped(*args, **kwargs):
                    nonlocal steps
                    steps += 1
                    os.write(write_end, b"s")
                    if steps == kill_at:
                        os.kill(os.getpid(), signal.SIGKILL)
                    return real(*args, **kwargs)
                return wrapped

            os.replace = step(os.replace)
            fileio.sync_folder = step(fileio.sync_folder)  # each folder sync is a step too
            fileio.sync_filesystem = step(fileio.sync_filesystem)  # and the flush of the records written
            os.write(write_end, b"r")
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            code = main(["import", "--site", str(site), "--quiet"])
        except BaseException:
            code = 3
        os._exit(code)
    os.close(write_end)
    return pid, read_end


def wait_import(pid: int, read_end: int) -> tuple[int, int]:
    """(exit status or -signal, steps taken)."""
    data = b""
    while chunk := os.read(read_end, 4096):
        data += chunk
    os.close(read_end)
    _pid, status = os.waitpid(pid, 0)
    code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
    return code, data.count(b"s")


def killed_copy(tmp_path: Path, base: Path, v2: str, name: str) -> Path:
    site = tmp_path / name
    shutil.copytree(base, site)
    (site / "seeds" / "papers.txt").write_text(v2)
    return site


def test_kill_at_every_step_of_an_import(tmp_path, capsys):
    base, (_v1, v2, v3) = base_site(tmp_path, 8)
    expected = reference(tmp_path, base, v2, v3)
    code, steps = wait_import(*start_import(killed_copy(tmp_path, base, v2, "probe"), 0))
    assert code == 0
    # the pending state and its folder sync, 5 records (2 created, 3 updated), their flush (syncfs), the state
    # and its folder sync, and what the import found, for the next one, in the cache folder (not synced)
    assert steps == 11
    for kill_at in range(1, steps + 1):
        site = killed_copy(tmp_path, base, v2, f"kill-{kill_at}")
        assert wait_import(*start_import(site, kill_at)) == (-signal.SIGKILL, kill_at)
        finish_and_compare(site, v3, expected, capsys)


def test_random_kills_during_an_import(tmp_path, capsys):
    """Kills at random moments, not only between steps: inside a write, while reading, while deciding.
    Half of them anywhere in the run, half in the writing phase (after a random number of steps)."""
    n = 300 if RANDOM_KILLS > 10 else 40
    base, (_v1, v2, v3) = base_site(tmp_path, n)
    expected = reference(tmp_path, base, v2, v3)
    rng = random.Random(int(os.environ.get("SITE_BUILDER_FUZZ_SEED", "18")))
    # how long an import takes and how many steps it has, to spread the kills over it
    pid, read_end = start_import(killed_copy(tmp_path, base, v2, "probe"), 0)
    os.read(read_end, 1)
    started = time.monotonic()
    code, steps = wait_import(pid, read_end)
    assert code == 0
    span = time.monotonic() - started
    landed = while_writing = 0
    for k in range(RANDOM_KILLS):
        site = killed_copy(tmp_path, base, v2, f"random-{k}")
        pid, read_end = start_import(site, 0)
        assert os.read(read_end, 1) == b"r"
        consumed = 0
        if k % 2:
            for _ in range(rng.randrange(1, steps)):
                consumed += os.read(read_end, 1) == b"s"
            time.sleep(rng.uniform(0, span / steps))
        else:
            time.sleep(rng.uniform(0, span))
        os.kill(pid, signal.SIGKILL)
        code, taken = wait_import(pid, read_end)
        landed += code == -signal.SIGKILL
        while_writing += code == -signal.SIGKILL and taken + consumed > 0
        finish_and_compare(site, v3, expected, capsys)
    with capsys.disabled():
        print(f"\nrandom SIGKILLs of an import of {n} papers ({steps} steps): {RANDOM_KILLS} sent, {landed} before it "
              f"ended, {while_writing} of them while writing; every site recovered byte for byte")
