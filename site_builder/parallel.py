"""Map a function over many items on every core, with forked workers.

Workers are forked, so they inherit the function and the items (a closure over
a Jinja environment and the site model is fine): only item indices go to the
workers and only results come back. Small jobs, one core, or a platform
without fork run in this process.
"""
from __future__ import annotations

import ctypes
import functools
import gc
import multiprocessing
import os
from typing import Callable, Sequence, TypeVar

T = TypeVar("T")

MIN_ITEMS = 256  # below this, forking costs more than it saves
CHUNK = 64

# Set in each forked worker by _init_worker, never in the parent.
_WORKER_JOB: tuple[Callable, Sequence, bool] | None = None


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
    try:
        return ctypes.CDLL(None).malloc_trim
    except (AttributeError, OSError):
        return None


def _init_worker(func: Callable, items: Sequence, batched: bool = False) -> None:
    global _WORKER_JOB
    _WORKER_JOB = (func, items, batched)
    # A collection would write to the header of every object inherited from the parent, copying
    # every page of it (copy-on-write): a worker lives for one map, so it does without.
    gc.disable()


def _run_chunk(bounds: tuple[int, int]) -> list:
    assert _WORKER_JOB is not None
    func, items, batched = _WORKER_JOB
    start, end = bounds
    if batched:
        return func(items[start:end])
    return [func(items[i]) for i in range(start, end)]


def forks(items: int, jobs: int) -> bool:
    """Whether ``parallel_map`` of ``items`` items on ``jobs`` workers forks workers (else it runs here)."""
    return jobs > 1 and items >= MIN_ITEMS and "fork" in multiprocessing.get_all_start_methods()


def in_worker(func: Callable[[], T]) -> T:
    """``func()`` in one forked worker, so that what it loads and leaves behind does not stay in this process
    (and in every worker forked from it later); here where there is no fork."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return func()
    release_free_memory()
    with multiprocessing.get_context("fork").Pool(processes=1, initializer=_init_worker,
                                                  initargs=(lambda _item: func(), [None])) as pool:
        return pool.apply(_run_chunk, ((0, 1),))[0]


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
    if not forks(total, jobs):
        results: list = []
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
    context = multiprocessing.get_context("fork")
    release_free_memory()
    bounds = [(i, min(i + chunk, total)) for i in range(0, total, chunk)]
    results = []
    with context.Pool(processes=min(jobs, os.cpu_count() or 1), initializer=_init_worker,
                      initargs=(func, items, batched)) as pool:
        for chunk in pool.imap(_run_chunk, bounds):
            results.extend(map(then, chunk) if then else chunk)
            if progress:
                progress(len(results), total)
    return results
