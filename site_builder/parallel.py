"""Map a function over many items on every core, with forked workers.

Workers are forked, so they inherit the function and the items (a closure over
a Jinja environment and the site model is fine): only item ranges go to the
workers and only results come back. Small jobs, one core, or a platform
without fork run in this process.

The workers are ours, not ``multiprocessing.Pool``'s: a pool runs three threads in this process, and
one of them (the worker handler) wakes up each time a result is waiting in the pipe, until another
thread has read it. At 10,000 papers that loop took 1.2 s of CPU from the workers, on two cores. Here
each worker has a pipe for its tasks and one for its results, and this process waits on them in one
thread.
"""
from __future__ import annotations

import functools
import gc
import os
import pickle
import select
import signal
import struct
from typing import Callable, Iterator, Sequence, TypeVar

from .fileio import write_all

T = TypeVar("T")

MIN_ITEMS = 256  # below this, forking costs more than it saves
CHUNK = 64
MAX_DEFAULT_JOBS = 8  # a build's workers unless told: each holds what the builder held when it forked
AHEAD = 2  # tasks given to a worker before its first result is back: it never waits for the next


def release_free_memory() -> None:
    """Give the memory freed so far back to the system (glibc keeps it for later use). A forked worker counts
    every resident page of its parent as its own, so what the parent let go (every record's body, once
    rendered: 17 MB at 10,000 papers) would otherwise be counted again in each worker. Where the C library is
    not glibc, nothing is done."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.lru_cache(maxsize=1)
def _malloc_trim():
    import ctypes  # here: the builder loads this module even when it has nothing to build

    try:
        return ctypes.CDLL(None).malloc_trim
    except (AttributeError, OSError):
        return None


def usable_cpus() -> int:
    """The cores this process may run on: its CPU affinity (what ``taskset`` or a container's cpuset allows),
    else every core of the machine."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):  # no affinity on this platform
        return os.cpu_count() or 1


def default_jobs() -> int:
    """How many workers a build uses unless told: one per usable core, at most ``MAX_DEFAULT_JOBS``."""
    return min(MAX_DEFAULT_JOBS, usable_cpus())


def can_fork() -> bool:
    return hasattr(os, "fork") and hasattr(os, "waitpid")


def forks(items: int, jobs: int) -> bool:
    """Whether ``parallel_map`` of ``items`` items on ``jobs`` workers forks workers (else it runs here)."""
    return jobs > 1 and items >= MIN_ITEMS and can_fork()


class WorkerError(RuntimeError):
    """An exception a worker raised that could not be sent back as itself; its text has the worker's traceback."""


class WorkerDied(RuntimeError):
    """A worker ended without sending back the results of its tasks (killed, or out of memory)."""


_SIZE = struct.Struct("Q")


def _send(fd: int, data: bytes) -> None:
    """One message: its length, then its bytes."""
    write_all(fd, _SIZE.pack(len(data)) + data)


def _receive(fd: int) -> bytes:
    """One message; EOFError when the other end is closed (before or within it)."""
    size = _SIZE.unpack(_read(fd, _SIZE.size))[0]
    return _read(fd, size)


def _read(fd: int, size: int) -> bytes:
    parts = []
    while size:
        part = os.read(fd, min(size, 1 << 20))
        if not part:
            raise EOFError
        parts.append(part)
        size -= len(part)
    return b"".join(parts)


def _run(func: Callable, items: Sequence, batched: bool, start: int, end: int) -> list:
    if batched:
        return func(items[start:end])
    return [func(items[i]) for i in range(start, end)]


def _serve(func: Callable, items: Sequence, batched: bool, tasks: int, results: int) -> None:
    """A worker's life: run each task (a range of items) and send back its results, until there are no more."""
    while True:
        try:
            start, end = struct.unpack("qq", _receive(tasks))
        except EOFError:  # the parent closed the pipe: no more tasks (or the parent is gone)
            return
        try:
            data = pickle.dumps((True, _run(func, items, batched, start, end)), pickle.HIGHEST_PROTOCOL)
        except BaseException as exc:  # sent back and raised there, as the same map in one process would
            try:
                data = pickle.dumps((False, exc), pickle.HIGHEST_PROTOCOL)
                pickle.loads(data)
            except BaseException:
                import traceback

                data = pickle.dumps((False, WorkerError("".join(traceback.format_exception(exc)))))
        _send(results, data)


class _Worker:
    __slots__ = ("pid", "tasks", "results", "pending")

    def __init__(self, pid: int, tasks: int, results: int):
        self.pid = pid
        self.tasks = tasks  # a pipe this process writes to
        self.results = results  # a pipe this process reads from
        self.pending: list[int] = []  # the tasks given and not yet answered, in order


class Workers:
    """``jobs`` forked workers running ``func`` over ranges of ``items``; ``map`` gives each range's results in
    order. Used as a context manager: on leaving, the workers are told to stop (or, after an error, killed)
    and reaped."""

    def __init__(self, func: Callable, items: Sequence, jobs: int, batched: bool = False):
        release_free_memory()
        self.workers: list[_Worker] = []
        try:
            for _ in range(jobs):
                self._start(func, items, batched)
        except BaseException:
            self.end(kill=True)
            raise

    def _start(self, func: Callable, items: Sequence, batched: bool) -> None:
        task_reader, task_writer = os.pipe()
        result_reader, result_writer = os.pipe()
        pid = os.fork()
        if pid == 0:  # the worker
            code = 1
            try:
                # the parent decides what Ctrl-C does (it stops the workers); a handler the parent set for
                # SIGTERM (the dev server's) is not the worker's
                try:
                    signal.signal(signal.SIGINT, signal.SIG_IGN)
                    signal.signal(signal.SIGTERM, signal.SIG_DFL)
                except ValueError:  # forked from a thread Python does not count as the main one
                    pass
                # the other ends, and the other workers' pipes: a worker must see end of file when the parent
                # closes its task pipe, or dies
                for fd in (task_writer, result_reader, *(fd for w in self.workers for fd in (w.tasks, w.results))):
                    os.close(fd)
                # A collection would write to the header of every object inherited from the parent, copying
                # every page of it (copy-on-write): a worker lives for one map, so it does without.
                gc.disable()
                _serve(func, items, batched, task_reader, result_writer)
                code = 0
            finally:
                os._exit(code)  # no atexit handlers, no flushing of the parent's buffers: they are the parent's
        os.close(task_reader)
        os.close(result_writer)
        self.workers.append(_Worker(pid, task_writer, result_reader))

    def map(self, bounds: Sequence[tuple[int, int]]) -> Iterator[list]:
        """The results of each range in ``bounds``, in order; a worker's exception is raised here. The first
        tasks are given now (the workers start at once); the results are read as they are asked for."""
        following = iter(range(len(bounds)))
        by_reader = {w.results: w for w in self.workers}

        def died(worker: _Worker) -> WorkerDied:
            return WorkerDied(f"a worker (process {worker.pid}) ended before finishing its work")

        def give(worker: _Worker) -> None:
            task = next(following, None)
            if task is not None:
                worker.pending.append(task)
                try:
                    _send(worker.tasks, struct.pack("qq", *bounds[task]))
                except BrokenPipeError:
                    raise died(worker) from None

        def results() -> Iterator[list]:
            done: dict[int, list] = {}
            wanted = 0
            while wanted < len(bounds):
                if wanted in done:
                    yield done.pop(wanted)
                    wanted += 1
                    continue
                poll = select.poll()
                for worker in self.workers:
                    if worker.pending:
                        poll.register(worker.results, select.POLLIN)
                for reader, _event in poll.poll():
                    worker = by_reader[reader]
                    try:
                        ok, value = pickle.loads(_receive(reader))
                    except EOFError:
                        raise died(worker) from None
                    if not ok:
                        raise value
                    done[worker.pending.pop(0)] = value
                    give(worker)

        for _ in range(AHEAD):
            for worker in self.workers:
                give(worker)
        return results()

    def end(self, kill: bool) -> None:
        """Stop the workers (at once with ``kill``, else when they have done their tasks) and reap them."""
        for worker in self.workers:
            if kill:
                try:
                    os.kill(worker.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            os.close(worker.tasks)
        for worker in self.workers:
            os.close(worker.results)
            try:
                os.waitpid(worker.pid, 0)
            except ChildProcessError:  # reaped already
                pass
        self.workers = []

    def __enter__(self) -> "Workers":
        return self

    def __exit__(self, kind, exc, tb) -> None:
        self.end(kill=exc is not None)


class Background:
    """``func()`` in a forked worker, while this process goes on: started now, or with ``start=False`` when
    its result is first asked for. ``result()`` waits for it and gives what it returned (or raises what it
    raised); where there is no fork, ``func()`` runs in ``result()``. Used as a context manager: leaving it
    reaps the worker (killed if its result was never asked for)."""

    def __init__(self, func: Callable[[], T], start: bool = True):
        self.func = func
        self.workers: Workers | None = None
        self.results: Iterator[list] | None = None
        self.taken = False
        if start:
            self._start()

    def _start(self) -> None:
        if can_fork() and self.workers is None:
            self.workers = Workers(lambda _item: self.func(), [None], 1)
            self.results = self.workers.map([(0, 1)])

    def result(self) -> T:
        self.taken = True
        self._start()
        if self.results is None:
            return self.func()
        try:
            return next(self.results)[0]
        finally:  # its work is done: it ends now, not with the block (workers forked later would hold its pipes)
            self.workers.end(kill=False)

    def __enter__(self) -> "Background":
        return self

    def __exit__(self, kind, exc, tb) -> None:
        if self.workers is not None:
            self.workers.end(kill=exc is not None or not self.taken)


def parallel_map(func: Callable, items: Sequence[T], jobs: int,
                 progress: Callable[[int, int], None] | None = None, chunk: int | None = None,
                 batched: bool = False, then: Callable | None = None) -> list:
    """``[func(item) for item in items]`` on ``jobs`` workers, ``chunk`` items at a time (smaller chunks
    balance items of very different cost better). ``batched``: ``func`` takes a run of items and returns
    their results, one each (so it can do one step for every item, then the next). ``then``: called in this
    process on each result, in order, as it comes back; what it returns is kept instead (so that what a
    worker sends, plain data, is made into objects one chunk at a time, never all at once)."""
    total = len(items)
    chunk = chunk or CHUNK
    results: list = []
    if not forks(total, jobs):
        if batched:
            for start in range(0, total, chunk):
                done = func(items[start:start + chunk])
                results.extend(map(then, done) if then else done)
                if progress:
                    progress(len(results), total)
            return results
        for i, item in enumerate(items, start=1):
            results.append(then(func(item)) if then else func(item))
            if progress and (i % CHUNK == 0 or i == total):
                progress(i, total)
        return results
    bounds = [(i, min(i + chunk, total)) for i in range(0, total, chunk)]
    with Workers(func, items, min(jobs, usable_cpus()), batched) as workers:
        for part in workers.map(bounds):
            results.extend(map(then, part) if then else part)
            if progress:
                progress(len(results), total)
    return results
