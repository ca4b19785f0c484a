"""One run at a time per site: builds, imports and the dev server's rebuilds take the site's lock.

Two runs at once used to ruin each other's work: the second build's recovery removed the first one's new
folder, the first then swapped in what was left of it. The lock is an advisory ``flock`` on
``.cache/site-builder/lock``, so the system releases it when its holder dies however it dies (a
``SIGKILL`` leaves no stale lock behind). The file says which run holds it, for the message a waiting
run prints; it is never deleted (deleting a lock file while it is held is how two runs end up holding
"the" lock), and a run that finds the file replaced under it takes the new one.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Callable, TextIO

from .config import cache_dir_of
from .problems import UserError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no locking, as before
    fcntl = None  # type: ignore[assignment]

LOCK_NAME = "lock"
POLL_SECONDS = 0.1


def lock_path(root: Path) -> Path:
    return cache_dir_of(root) / LOCK_NAME


class SiteLock:
    """The lock of the site in ``root``; ``what`` names this run in the message others see."""

    def __init__(self, root: Path, what: str):
        self.path = lock_path(root)
        self.what = what
        self.fd: int | None = None

    def _open(self) -> int:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            return os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
        except OSError as exc:
            raise UserError(f"cannot make the lock file {self.path}: {exc.strerror or exc}; "
                            "is the site folder writable?", path=str(self.path.parent)) from None

    def try_acquire(self) -> bool:
        """Take the lock if it is free; True when this run holds it."""
        if self.fd is not None:
            return True
        if fcntl is None:
            self.fd = -1
            return True
        while True:
            fd = self._open()
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                return False
            except OSError:  # a file system without locks (ENOLCK, EOPNOTSUPP): carry on unlocked, as before
                os.close(fd)
                self.fd = -1
                return True
            try:
                same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            except OSError:
                same = False
            if not same:  # removed or replaced (make clean) between open and flock: lock the file now there
                os.close(fd)
                continue
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()} {self.what}\n".encode())
            self.fd = fd
            return True

    def holder(self) -> str:
        """Who holds the lock, as its file says: 'site-builder build (pid 123)'."""
        try:
            pid, _, what = self.path.read_text(encoding="utf-8").strip().partition(" ")
        except OSError:
            return "another site-builder run"
        return f"site-builder {what or 'run'} (pid {pid})" if pid.isdigit() else "another site-builder run"

    def acquire(self, say: Callable[[str], None] | None = None, timeout: float | None = None) -> None:
        """Wait for the lock, saying once who holds it; UserError after ``timeout`` seconds."""
        if self.try_acquire():
            return
        started = time.monotonic()
        if say is not None:
            say(f"waiting for {self.holder()} to finish with this site ({self.path})")
        while not self.try_acquire():
            if timeout is not None and time.monotonic() - started >= timeout:
                raise UserError(f"{self.holder()} is working on this site; try again when it has finished "
                                f"(lock: {self.path})", path=str(self.path))
            time.sleep(POLL_SECONDS)

    def release(self) -> None:
        fd, self.fd = self.fd, None
        if fd is not None and fd >= 0:
            os.close(fd)  # closing the descriptor drops the flock

    def __enter__(self) -> "SiteLock":
        self.acquire(_stderr_line)
        return self

    def __exit__(self, *_exc) -> None:
        self.release()


def _stderr_line(text: str, stream: TextIO | None = None) -> None:
    print(text, file=stream or sys.stderr, flush=True)
