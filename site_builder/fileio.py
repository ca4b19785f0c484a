"""The one way a file is written safely: a finished temporary file renamed over the old one."""
from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path
from typing import Iterable, Iterator


def _read_umask() -> int:
    """The process's umask (read by setting it: there is no other way; set back at once, when the module
    is imported, before any thread of ours runs)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


UMASK = _read_umask()


def atomic_write(path: Path, data: str | bytes | Iterable[str], durable: bool = True) -> None:
    """Write ``path`` so that readers see the old file or the new one, never half of one.

    The file keeps the mode it had, else gets the usual mode for new files (0666 less the umask), like any
    file the user makes. ``data`` may come as pieces of text, written as they come.
    ``durable``: True flushes the file and its folder to disk before returning; False flushes nothing (files a
    crash may lose, such as build output that a marker says is being written)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _replace(os.fspath(path), data.encode("utf-8") if isinstance(data, str) else data, durable)
    if durable:
        sync_folder(path.parent)


def _replace(name: str, payload: bytes | Iterable[str], durable: bool) -> None:
    """Write ``payload`` to a new temporary file beside ``name`` (an existing folder), then rename it over
    ``name``. Plain system calls: a first import makes hundreds of files, and a Python file object costs more
    than the write."""
    tmp = _stage(name, payload, durable)
    try:
        os.replace(tmp, name)
    except BaseException:
        _unlink(tmp)
        raise


def _stage(name: str, payload: bytes | Iterable[str], durable: bool) -> str:
    """``payload`` in a new temporary file beside ``name`` (``.NAME.*.tmp``, with the mode ``name`` has or a new
    file gets), whose name is returned: the first half of ``_replace``."""
    folder, base = os.path.split(name)
    tmp = os.path.join(folder, f".{base}.{secrets.token_hex(4)}.tmp")
    try:
        mode: int | None = stat.S_IMODE(os.stat(name).st_mode)
    except OSError:
        mode = None  # a new file: created with 0666, less the umask, as any new file
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666 if mode is None else 0o600)
    try:
        try:
            if mode is not None:
                os.fchmod(fd, mode)
            for data in ((payload,) if isinstance(payload, bytes) else utf8_chunks(payload)):
                write_all(fd, data)
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
    except BaseException:
        _unlink(tmp)
        raise
    return tmp


def write_all(fd: int, data: bytes, offset: int | None = None) -> None:
    """All of ``data`` to ``fd`` (a write may take less than it is given); at ``offset`` when one is given
    (``pwrite``: the file's position is left alone), else where the file's position is."""
    view = memoryview(data)
    while view:
        done = os.write(fd, view) if offset is None else os.pwrite(fd, view, offset + len(data) - len(view))
        view = view[done:]


def utf8_chunks(pieces: Iterable[str | bytes], size: int = 1 << 18) -> Iterator[bytes]:
    """Pieces of text as UTF-8, a few hundred kB at a time: small pieces joined (the whole-site exports come as
    one small piece a paper, and encoding each alone cost more than writing it), a long one in slices (never
    all of it twice). A piece already in bytes is UTF-8 already."""
    pending: list[str] = []
    ready: list[bytes] = []
    length = 0
    for piece in pieces:
        if type(piece) is bytes:
            if pending:
                ready.append("".join(pending).encode("utf-8"))
                pending = []
            ready.append(piece)
            length += len(piece)
            if length >= size:
                yield b"".join(ready)
                ready, length = [], 0
            continue
        if len(piece) > size:
            if pending or ready:
                yield b"".join(ready) + "".join(pending).encode("utf-8")
                pending, ready, length = [], [], 0
            for start in range(0, len(piece), size):
                yield piece[start:start + size].encode("utf-8")
            continue
        pending.append(piece)
        length += len(piece)
        if length >= size:
            yield b"".join(ready) + "".join(pending).encode("utf-8")
            pending, ready, length = [], [], 0
    if pending or ready:
        yield b"".join(ready) + "".join(pending).encode("utf-8")


def _unlink(name: str) -> None:
    try:
        os.unlink(name)
    except FileNotFoundError:
        pass


def sync_filesystem(folder: Path) -> bool:
    """Flush every file of the file system holding ``folder`` in one call (Linux ``syncfs``); False where the
    system has none."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        syncfs = libc.syncfs
    except (OSError, AttributeError):
        return False
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        return syncfs(fd) == 0
    finally:
        os.close(fd)


class Batch:
    """Many files written into one folder, each atomically, then flushed to disk at once (``commit``).

    ``add`` writes a file's text to a temporary file beside it at once, so the caller never holds more than one
    of them (an import of 100,000 records would hold 400 MB); ``commit`` renames them all into place and
    flushes the file system holding them in one call (``syncfs``: only that file system, unlike ``sync``), or,
    where there is no such call, each file and then the folder. One file at a time with its own flush costs a
    disk round trip per file (about 9 ms each here: 8 s for 911 records). ``discard`` (or an exception inside
    ``with``) removes what was added and not committed."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.staged: list[tuple[str, str]] = []  # (temporary file, file)

    def add(self, path: Path, data: str | bytes) -> None:
        if path.parent != self.folder or not self.staged:
            path.parent.mkdir(parents=True, exist_ok=True)
        name = os.fspath(path)
        self.staged.append((_stage(name, data.encode("utf-8") if isinstance(data, str) else data, False), name))

    def commit(self) -> None:
        staged, self.staged = self.staged, []
        for n, (tmp, name) in enumerate(staged):
            try:
                os.replace(tmp, name)
            except BaseException:
                for left, _name in staged[n:]:
                    _unlink(left)
                raise
        if staged and not sync_filesystem(self.folder):
            for _tmp, name in staged:
                try:
                    fd = os.open(name, os.O_RDONLY | os.O_CLOEXEC)
                except OSError:
                    continue
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
            sync_folder(self.folder)

    def discard(self) -> None:
        for tmp, _name in self.staged:
            _unlink(tmp)
        self.staged = []

    def __enter__(self) -> "Batch":
        return self

    def __exit__(self, kind, exc, traceback) -> None:
        if exc is not None:
            self.discard()


def sync_folder(folder: Path) -> None:
    """Flush a folder's entries (the names of files renamed into it) to disk."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
