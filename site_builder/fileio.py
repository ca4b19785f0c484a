"""The one way a file is written safely: a finished temporary file renamed over the old one."""
from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path
from typing import Iterable


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
    file the user makes. ``data`` may come in pieces (text), written as they come.
    ``durable``: True flushes the file and its folder to disk before returning; False flushes nothing (files a
    crash may lose, such as build output that a marker says is being written)."""
    tmp = stage(path, data, durable)
    try:
        os.replace(tmp, path)
    except BaseException:
        discard([(tmp, path)])
        raise
    if durable:
        sync_folder(path.parent)


def stage(path: Path, data: str | bytes | Iterable[str], durable: bool = False) -> Path:
    """The first half of ``atomic_write``: ``data`` in a new temporary file beside ``path`` (``.NAME.*.tmp``,
    with the mode ``path`` has or would get), returned; renaming it over ``path`` is the second half.
    ``durable``: flushed to disk before returning."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        mode = 0o666 & ~UMASK
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            if isinstance(data, (str, bytes)):
                handle.write(data.encode("utf-8") if isinstance(data, str) else data)
            else:
                pending: list[str] = []
                for piece in data:  # small pieces (a JSON encoder's): written a few thousand at a time
                    pending.append(piece)
                    if len(pending) == 4096:
                        handle.write("".join(pending).encode("utf-8"))
                        pending.clear()
                handle.write("".join(pending).encode("utf-8"))
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return tmp


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


def commit_staged(staged: list[tuple[Path, Path]], folder: Path) -> None:
    """Rename each staged file (``stage``) over its target, then flush them and the folder to disk at once.

    One file at a time with its own flush costs a disk round trip per file (about 9 ms each here: 8 s for 911
    records). Here the file system holding them is flushed in one call (``syncfs``: only that file system,
    unlike ``sync``), or, where there is no such call, each file and then the folder. The files were written
    when they were staged, so the caller held no more than one of them in memory at a time."""
    for n, (tmp, path) in enumerate(staged):
        try:
            os.replace(tmp, path)
        except BaseException:
            discard(staged[n:])
            raise
    if staged and not sync_filesystem(folder):
        for _tmp, path in staged:
            try:
                fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
            except OSError:
                continue
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        sync_folder(folder)


def discard(staged: list[tuple[Path, Path]]) -> None:
    """Remove staged files that will not be renamed into place (the write failed or was given up)."""
    for tmp, _path in staged:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass


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
