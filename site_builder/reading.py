"""Reading records: the one reader that ``build``, ``check`` and ``serve`` use.

Every ``content/papers/*.md`` (names starting with a dot, such as editors' swap files, are skipped) is
read and checked into a ``Record``, and its body (the abstract, markdown with TeX math) rendered. A
``RecordCache`` passed in keeps what each file gave by its stamp (modification time, size, inode), so a
rebuild reads only the files that changed.
"""
from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISREG
from typing import TYPE_CHECKING, NamedTuple

from .config import SiteConfig
from .problems import Problem, error, warning
from .records import Record, split_record

if TYPE_CHECKING:  # rendering is loaded when there is a body to render (a build with nothing to do reads none)
    from .markup import RenderedText

Stamp = tuple[int, int, int]
NOT_A_FILE = "not a regular file (a FIFO, device or folder named *.md): not read"  # reading one could wait for ever


class RecordFile(NamedTuple):
    """One record file found in the papers folder (a named tuple: a scan makes one per record, 10,000 in a
    few milliseconds)."""

    name: str
    path: str
    stamp: Stamp | None  # None when it cannot be read (``problem`` says why)
    problem: str | None = None


Entry = tuple[Stamp, "Record | None", "RenderedText | None", tuple[Problem, ...]]


@dataclass
class RecordCache:
    """What reading each file gave, by path and stamp, kept by whoever rebuilds (the builder, the dev
    server): a rebuild reads and renders only the files that changed (all of them when the TeX macros did)."""

    entries: dict[str, Entry] = field(default_factory=dict)
    macros: tuple[tuple[str, str], ...] = ()


def stamp_of(st: os.stat_result) -> Stamp:
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def scan_records(config: SiteConfig) -> list[RecordFile]:
    """Every record file of the site, by name, with its stamp (or why it cannot be read)."""
    found = []
    try:
        with os.scandir(config.papers_dir) as entries:  # entries carry their type and stat: no Path per file
            for entry in entries:
                name = entry.name
                if not name.endswith(".md") or name.startswith("."):  # a record, not an editor's swap file
                    continue
                try:
                    st = entry.stat()  # follows symbolic links
                except OSError as exc:
                    found.append(RecordFile(name, entry.path, None, _why(exc)))
                    continue
                if not S_ISREG(st.st_mode):
                    found.append(RecordFile(name, entry.path, None, NOT_A_FILE))
                    continue
                found.append(RecordFile(name, entry.path, stamp_of(st)))
    except (FileNotFoundError, NotADirectoryError):
        return []
    except OSError as exc:
        return [RecordFile("", str(config.papers_dir), None, _why(exc))]
    found.sort(key=lambda f: f.name)
    return found


def _why(exc: OSError) -> str:
    return f"cannot read: {exc.strerror or exc}"


@dataclass(frozen=True)
class Reading:
    """What reading the papers folder gives: the records, each body already rendered, and the problems."""

    records: list[Record]  # sorted by file name; each without its body (see ``abstracts``)
    abstracts: dict[str, RenderedText]  # record digest -> its body rendered
    problems: list[Problem]


def read_records(config: SiteConfig, files: list[RecordFile] | None = None,
                 cache: RecordCache | None = None, jobs: int = 1) -> Reading:
    """Every record of the site (sorted by file name), its body rendered, and every problem found reading them.

    The records come without their bodies (``Record.body`` is empty): the bodies are rendered (on ``jobs``
    forked workers when there are many) and let go, so that the build never holds every abstract twice (its
    markdown and its HTML) and the workers that render pages later do not inherit them (issue 17: peak
    memory).

    ``files``: a scan already made (``scan_records``); ``cache``: what an earlier read found, by file stamp,
    updated in place so that it holds exactly the files read now."""
    files = scan_records(config) if files is None else files
    cache = cache if cache is not None else RecordCache()
    macros = tuple(sorted(config.macros.items()))
    if cache.macros != macros:
        cache.entries, cache.macros = {}, macros
    root = config.root.resolve()
    papers_dir = config.papers_dir
    prefix = (f"{papers_dir.relative_to(config.root).as_posix()}/" if papers_dir.is_relative_to(config.root)
              else f"{papers_dir}/")

    def label_of(file: RecordFile) -> str:
        return prefix + file.name if file.name else str(papers_dir)

    # Each file changed since the last read is parsed here, its body kept aside; the bodies are rendered on
    # the workers (they inherit them: nothing is sent but their positions, and only compressed HTML comes
    # back), then let go.
    parsed: dict[str, tuple[Stamp, str, Record | None, tuple[Problem, ...]]] = {}
    bodies: list[str] = []
    for file in files:
        if file.stamp is None:
            continue
        cached = cache.entries.get(file.path)
        if cached is None or cached[0] != file.stamp:
            label = label_of(file)
            record, body, found_problems = _parse(Path(file.path), label, root, file.stamp[1])
            parsed[file.path] = (file.stamp, label, record, found_problems)
            if record is not None:
                bodies.append(body)
    rendered_bodies = iter(_render_bodies(macros, bodies, jobs))  # ``bodies`` is emptied
    found: dict[str, Entry] = {}
    for path, (stamp, label, record, found_problems) in parsed.items():
        rendered = next(rendered_bodies) if record is not None else None
        if record is not None and rendered is not None and rendered.warnings:
            found_problems = (*found_problems, *(warning(label, record.body_line, message)
                                                 for message in rendered.warnings))
        found[path] = (stamp, record, rendered, found_problems)

    records: list[Record] = []
    abstracts: dict[str, RenderedText] = {}
    problems: list[Problem] = []
    seen: dict[str, Entry] = {}
    for file in files:
        if file.stamp is None:
            problems.append(error(label_of(file), None, file.problem or "cannot read"))
            continue
        entry = found.get(file.path) or cache.entries[file.path]
        seen[file.path] = entry
        _stamp, record, rendered, found_problems = entry
        if record is not None and rendered is not None:
            records.append(record)
            abstracts[record.digest] = rendered
        problems.extend(found_problems)
    cache.entries = seen
    return Reading(records, abstracts, problems)


def _render_bodies(macros: tuple[tuple[str, str], ...], bodies: list[str], jobs: int) -> list[RenderedText]:
    if not bodies:
        return []
    from .abstracts import render_abstract
    from .parallel import parallel_map, release_free_memory

    rendered = parallel_map(functools.partial(render_abstract, macros), bodies, jobs)
    bodies.clear()  # the caller's list: let go before the memory is given back
    release_free_memory()
    return rendered


def _parse(path: Path, label: str, root: Path, size: int) -> tuple[Record | None, str, tuple[Problem, ...]]:
    """(the record without its body, the body, problems)."""
    if path.is_symlink() and root not in path.resolve().parents:
        return None, "", (error(label, None, "is a symbolic link to a file outside the site: not followed"),)
    try:
        text = _read_bytes(path, size).decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, "", (error(label, None, f"not UTF-8 text ({exc.reason} at byte {exc.start})"),)
    except OSError as exc:
        return None, "", (error(label, None, _why(exc)),)
    return split_record(text, path, label, for_display=True)


def _read_bytes(path: Path, size: int) -> bytes:
    """A file's bytes in three system calls (open, read, close) when ``size`` is right. Opened without
    blocking, so that a pipe put in place of a record since the scan cannot stop the build."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK)
    try:
        data = os.read(fd, size + 1)
        if len(data) > size:  # it grew since it was stat'ed
            chunks = [data]
            while chunk := os.read(fd, 1 << 16):
                chunks.append(chunk)
            data = b"".join(chunks)
        return data
    finally:
        os.close(fd)
