"""The one way a file is written safely: a finished temporary file renamed over the old one."""
from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path


def _read_umask() -> int:
    """The process's umask (read by setting it: there is no other way; set back at once, when the module
    is imported, before any thread of ours runs)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


UMASK = _read_umask()


FILE_ONLY = "file"  # ``durable=FILE_ONLY``: see atomic_write


def atomic_write(path: Path, data: str | bytes, durable: bool | str = True) -> None:
    """Write ``path`` so that readers see the old file or the new one, never half of one.

    The file keeps the mode it had, else gets the usual mode for new files (0666 less the umask), like any
    file the user makes.
    ``durable``: True flushes the file and its folder to disk before returning; ``FILE_ONLY`` flushes the
    file before it is renamed into place, and a writer of many files into one folder calls ``sync_folder``
    once at the end (so a power cut never leaves a new name on old or empty data); False flushes nothing
    (files a crash may lose, such as build output that a marker says is being written)."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
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
            handle.write(payload)
            if durable:  # True or FILE_ONLY
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    if durable is True:
        sync_folder(path.parent)


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
