"""Writing the built site: into a fresh folder beside ``output/``, swapped in when complete.

* A build renders every page in memory first; only then is anything written.
* Files go to ``.<output>.tmp-*`` beside the output folder; when all are written,
  the old folder is renamed aside and the new one renamed into place, so the
  output folder is always a complete build. A failure removes the temporary
  folder and leaves the old output untouched.
* A marker file says the folder is ours: a non-empty folder without it is never
  replaced. Output folders that hold or are the site's own sources are refused.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterable

from .config import CONFIG_NAME, SiteConfig
from .fileio import UMASK, atomic_write, write_all
from .problems import UserError

MARKER = ".site-builder"
MARKER_TEXT = "This folder is written by site-builder; it is replaced on every build.\n"


def check_output_dir(config: SiteConfig) -> Path:
    """The resolved output folder, or UserError when it would clobber the site's sources."""
    try:
        return _check_output_dir(config)
    except OSError as exc:  # cannot even look at it
        raise UserError(f"output_dir {config.output_dir!r}: cannot read {exc.filename or config.output_path}: "
                        f"{exc.strerror or exc}", path=CONFIG_NAME) from None


def _check_output_dir(config: SiteConfig) -> Path:
    out = config.output_path
    root = config.root.resolve()
    protected = {
        "the site folder": root,
        "content/": config.content_dir.resolve(),
        "seeds/": config.seeds_dir.resolve(),
        "themes/": config.themes_dir.resolve(),
        "templates/": config.templates_dir.resolve(),
        "static/": config.static_dir.resolve(),
    }
    for name, folder in protected.items():
        if out == folder or out in folder.parents:
            raise UserError(f"output_dir {config.output_dir!r} is {name} or a folder holding it: "
                            "refusing to replace it; choose a folder such as output", path=CONFIG_NAME)
        if name != "the site folder" and folder in out.parents:
            raise UserError(f"output_dir {config.output_dir!r} is inside {name}: choose a folder such as output",
                            path=CONFIG_NAME)
    if out.exists() and not out.is_dir():
        raise UserError(f"output_dir {config.output_dir!r} exists and is not a folder", path=CONFIG_NAME)
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise UserError(f"output_dir {config.output_dir!r}: {out} is not empty and was not made by site-builder: "
                        "move it away or choose another output_dir, so that none of its files are lost",
                        path=CONFIG_NAME)
    return out


def recover(out: Path) -> None:
    """Finish or undo a swap that a killed build left half done, and drop stale temp folders."""
    parent = out.parent
    if not parent.is_dir():
        return
    old = sorted(parent.glob(f".{out.name}.old-*"))
    if not out.exists() and old:
        os.replace(old[-1], out)
        old = old[:-1]
    for leftover in [*old, *parent.glob(f".{out.name}.tmp-*")]:
        shutil.rmtree(leftover, ignore_errors=True)


def _check_url(url: str) -> list[str]:
    """The parts of ``url``, or UserError unless it is a plain relative path (no '', '.', '..', '\\', NUL)."""
    parts = url.split("/")
    if "\\" in url or "\x00" in url or any(p in ("", ".", "..") for p in parts):
        raise UserError(f"refusing to write {url!r}: not a plain path inside the output folder")
    return parts


def _safe_target(base: Path, url: str) -> Path:
    return base.joinpath(*_check_url(url))


def write_error(out: Path, exc: OSError) -> UserError:
    where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
    return UserError(f"cannot write the site to {out}: {exc.strerror or exc}{where}; the previous output is untouched",
                     path=str(getattr(exc, "filename", None) or out))


class FreshFolder:
    """A new output folder written beside ``out`` and swapped in whole by ``commit``.

    ``write`` may be called from forked workers: each file lands in the temporary
    folder directly, so a large site never sits in memory all at once.
    """

    def __init__(self, out: Path):
        self.out = out
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            recover(out)
            self.tmp = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.tmp-"))
            # mkdtemp makes it 0700; a site is for reading: the normal mode, as the umask says
            os.chmod(self.tmp, 0o777 & ~UMASK)
        except OSError as exc:  # the folder holding the output is not writable, or not there
            raise write_error(out, exc) from None
        self._made: set[str] = {""}  # folders made in tmp (by this process; workers keep their own)

    def write(self, url: str, chunks: Iterable[bytes]) -> None:
        """A file made of ``chunks`` (written as they come: a large export is never whole in memory)."""
        _check_url(url)  # refuses anything but a plain path inside the folder
        folder, _, _name = url.rpartition("/")
        if folder not in self._made:
            path = os.path.join(self.tmp, folder)
            try:
                os.mkdir(path)  # one system call when the parent exists, as it mostly does
            except FileNotFoundError:
                os.makedirs(path, exist_ok=True)
            except FileExistsError:
                pass  # made by another worker
            self._made.add(folder)
        fd = os.open(os.path.join(self.tmp, url), os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666)
        try:
            pending: list[bytes] = []
            size = 0
            for chunk in chunks:
                pending.append(chunk)
                size += len(chunk)
                if size >= 1 << 20:  # a megabyte at a time: few system calls, little memory
                    write_all(fd, b"".join(pending))
                    pending, size = [], 0
            write_all(fd, b"".join(pending))
        finally:
            os.close(fd)

    def link(self, url: str) -> None:
        """Carry a file that did not change over from the current output (a hard link, else a copy)."""
        source, target = _safe_target(self.out, url), _safe_target(self.tmp, url)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)

    def copy(self, url: str, source: Path) -> None:
        target = _safe_target(self.tmp, url)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)

    workers_write = True  # forked workers write files straight into the folder

    def finish(self, written: set[str], static: dict[str, Path], manifest: dict[str, str], removed: list[str],
               build_id: str) -> None:
        """Complete the folder (changed static files, every unchanged file carried over) and swap it in."""
        for url, source in static.items():
            self.copy(url, source)
        for url in manifest:
            if url not in written and url not in static:
                self.link(url)
        self.commit(build_id)

    def commit(self, build_id: str) -> None:
        (self.tmp / MARKER).write_text(f"{MARKER_TEXT}build {build_id or 'none'}\n", encoding="utf-8")
        _swap(self.tmp, self.out)

    def abort(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self) -> "FreshFolder":
        return self

    def __exit__(self, kind, exc, traceback) -> None:
        """Any failure before ``commit`` removes the new folder; an OSError becomes one clear message."""
        if exc is None:
            return
        self.abort()
        if isinstance(exc, OSError):
            raise write_error(self.out, exc) from None


class InPlace:
    """Pages written into the existing output file by file (the dev server's small changes): every page
    is rendered into memory first, then each file replaced atomically (see ``update_in_place``)."""

    workers_write = False

    def __init__(self, out: Path):
        self.out = out
        self.files: dict[str, bytes] = {}

    def write(self, url: str, chunks: Iterable[bytes]) -> None:
        _check_url(url)
        self.files[url] = b"".join(chunks)

    def finish(self, written: set[str], static: dict[str, Path], manifest: dict[str, str], removed: list[str],
               build_id: str) -> None:
        if self.files or static or removed:
            update_in_place(self.out, self.files, static, removed, build_id)

    def abort(self) -> None:
        self.files.clear()

    def __enter__(self) -> "InPlace":
        return self

    def __exit__(self, kind, exc, traceback) -> None:
        if exc is not None:
            self.abort()


def update_in_place(out: Path, files: dict[str, bytes], static: dict[str, Path], removed: list[str],
                    build_id: str) -> None:
    """Apply a small change to an existing output: each file replaced atomically by rename.

    The marker says "dirty" while files change, so a build killed half way is noticed by the
    next one, which then renders everything; every file is whole at every moment.
    """
    marker = out / MARKER
    try:
        atomic_write(marker, f"{MARKER_TEXT}build dirty\n", durable=False)  # never an empty marker, even if killed
        for url, source in static.items():
            atomic_write(_safe_target(out, url), Path(source).read_bytes(), durable=False)
        for url in sorted(files):
            atomic_write(_safe_target(out, url), files[url], durable=False)
        for url in removed:
            target = _safe_target(out, url)
            try:
                target.unlink()
            except FileNotFoundError:
                pass
            parent = target.parent
            while parent != out and parent.is_dir() and not any(parent.iterdir()):
                parent.rmdir()
                parent = parent.parent
        atomic_write(marker, f"{MARKER_TEXT}build {build_id}\n", durable=False)
    except OSError as exc:
        raise UserError(f"cannot write the site to {out}: {exc.strerror or exc}"
                        f"{' (' + str(exc.filename) + ')' if getattr(exc, 'filename', None) else ''}; "
                        "the next build will write it whole", path=str(exc.filename or out)) from None


def _swap(new: Path, out: Path) -> None:
    if not out.exists():
        os.replace(new, out)
        return
    old = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.old-"))
    os.rmdir(old)
    os.replace(out, old)
    try:
        os.replace(new, out)
    except OSError:
        os.replace(old, out)
        raise
    shutil.rmtree(old, ignore_errors=True)
