"""The forked workers of ``parallel``: results in order, a worker's error raised in the builder, a dead worker
reported, no threads in the builder, and no worker left behind, whether the map ends, fails or its process
is killed."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from site_builder import parallel

ROOT = Path(__file__).resolve().parent.parent


FORKED: list[int] = []  # the workers forked by the test running


@pytest.fixture(autouse=True)
def fork_small_maps(monkeypatch):
    monkeypatch.setattr(parallel, "MIN_ITEMS", 1)
    fork = os.fork

    def noted_fork():
        pid = fork()
        if pid:
            FORKED.append(pid)
        return pid
    FORKED.clear()
    monkeypatch.setattr(os, "fork", noted_fork)


def _no_children_left() -> bool:
    """Whether every worker the test forked has ended and been reaped (other tests in this process may have
    children of their own)."""
    assert FORKED
    for pid in FORKED:
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            continue  # reaped: no longer this process's child
        return False
    return True


def _gone(pid: int) -> bool:
    """Whether ``pid`` has ended (a zombie whose parent is gone counts: it runs no more)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except FileNotFoundError:
        return True


def test_results_come_back_in_order_from_two_workers_with_no_thread_in_this_process():
    threads = []

    def then(result):
        threads.append(threading.active_count())
        return result

    results = parallel.parallel_map(lambda n: (n * n, os.getpid()), list(range(500)), 2, chunk=7, then=then)
    assert [value for value, _pid in results] == [n * n for n in range(500)]
    workers = {pid for _value, pid in results}
    assert len(workers) == 2 and os.getpid() not in workers
    # multiprocessing.Pool ran three threads here, one of them busy each time a result waited in the pipe
    assert set(threads) == {threading.active_count()}
    assert _no_children_left()


def test_a_workers_exception_is_raised_here_and_the_workers_are_reaped():
    def func(n):
        if n == 123:
            raise ValueError(f"bad item {n}")
        return n

    with pytest.raises(ValueError, match="bad item 123"):
        parallel.parallel_map(func, list(range(400)), 2, chunk=10)
    assert _no_children_left()


def test_an_exception_that_cannot_be_sent_back_comes_as_a_worker_error_with_its_traceback():
    class Local(Exception):  # defined in a function: pickle cannot find it by name
        pass

    def func(n):
        if n == 7:
            raise Local("cannot travel")
        return n

    with pytest.raises(parallel.WorkerError, match=r"(?s)Traceback.*in func.*Local: cannot travel"):
        parallel.parallel_map(func, list(range(50)), 2, chunk=5)
    assert _no_children_left()


def test_a_killed_worker_is_reported_not_waited_for():
    def func(n):
        if n == 30:
            os.kill(os.getpid(), signal.SIGKILL)
        return n

    started = time.monotonic()
    with pytest.raises(parallel.WorkerDied, match="ended before finishing its work"):
        parallel.parallel_map(func, list(range(60)), 2, chunk=5)
    assert time.monotonic() - started < 30
    assert _no_children_left()


def test_background_runs_in_another_process_and_raises_its_errors():
    with parallel.Background(os.getpid) as worker:
        assert worker.result() != os.getpid()
    with parallel.Background(lambda: {}["missing"], start=False) as worker:
        with pytest.raises(KeyError):
            worker.result()
    with parallel.Background(os.getpid):  # never asked for: killed and reaped on leaving
        pass
    assert _no_children_left()


def test_workers_end_when_the_process_that_forked_them_is_killed(tmp_path):
    """A build killed mid-way (tests/test_faults.py) leaves no worker running: each sees its task pipe closed."""
    script = textwrap.dedent(f"""
        import os, sys, time
        sys.path.insert(0, {str(ROOT)!r})
        from site_builder import parallel
        parallel.MIN_ITEMS = 1
        def func(n):
            open(os.path.join({str(tmp_path)!r}, f"{{os.getpid()}}.pid"), "w").close()
            time.sleep(0.05)
            return n
        parallel.parallel_map(func, list(range(100000)), 2, chunk=1)
    """)
    parent = subprocess.Popen([sys.executable, "-c", script])
    try:
        deadline = time.monotonic() + 30
        while len(list(tmp_path.glob("*.pid"))) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        workers = [int(p.stem) for p in tmp_path.glob("*.pid")]
        assert len(workers) == 2 and parent.pid not in workers
        assert not any(_gone(pid) for pid in workers)
    finally:
        parent.kill()
        parent.wait()
    deadline = time.monotonic() + 10
    while not all(_gone(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert all(_gone(pid) for pid in workers)
