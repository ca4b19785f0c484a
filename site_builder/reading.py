"""Reading records: the one reader that ``build``, ``check`` and ``serve`` use.

Every ``content/papers/*.md`` (names starting with a dot, such as editors' swap files, are skipped) is
read and checked into a ``Record``, and its body (the abstract, markdown with TeX math) rendered. A
``RecordCache`` passed in keeps what each file gave by its stamp (modification time, size, inode), so a
rebuild reads only the files that changed.
"""
from __future__ import annotations

import dataclasses
import errno
import functools
import os
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISREG
from typing import TYPE_CHECKING, Callable, NamedTuple, Sequence

from .config import SiteConfig
from .problems import Problem, error, warning
from .records import Record, parse_record, record_of

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
    link: bool = False  # a symbolic link: followed only to a file inside the site


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
                    link = entry.is_symlink()  # known from the folder's listing: no system call
                except OSError as exc:
                    found.append(RecordFile(name, entry.path, None, _why(exc)))
                    continue
                if not S_ISREG(st.st_mode):
                    found.append(RecordFile(name, entry.path, None, NOT_A_FILE))
                    continue
                found.append(RecordFile(name, entry.path, stamp_of(st), None, link))
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

    The records come without their bodies (``Record.body`` is empty): each file is read, checked and its
    body rendered in one step, on ``jobs`` forked workers when there are many, and only the record, its
    rendered body (compressed) and its problems come back; the build never holds the bodies (issue 17: peak
    memory), and reading them does not wait on this process.

    ``files``: a scan already made (``scan_records``); ``cache``: what an earlier read found, by file stamp,
    updated in place so that it holds exactly the files read now."""
    files = scan_records(config) if files is None else files
    cache = cache if cache is not None else RecordCache()
    macros = tuple(sorted(config.macros.items()))
    if cache.macros != macros:
        cache.entries, cache.macros = {}, macros
    papers_dir = config.papers_dir
    prefix = (f"{papers_dir.relative_to(config.root).as_posix()}/" if papers_dir.is_relative_to(config.root)
              else f"{papers_dir}/")

    changed = [file for file in files if file.stamp is not None
               and ((cached := cache.entries.get(file.path)) is None or cached[0] != file.stamp)]
    found: dict[str, Entry] = {}
    if changed:
        from .abstracts import render_abstract  # loaded before the workers fork: each would load it again
        from .markup import RenderedText
        from .parallel import parallel_map

        reader = _Reader(config.root.resolve(), prefix, functools.partial(render_abstract, macros))
        back = iter(changed)

        def entry_of(sent: Sent) -> Entry:
            """What a worker sent back (plain data) made into a record, as it comes, in file order."""
            file = next(back)
            row, packed, warnings, problems = sent
            if row is None:
                return file.stamp, None, None, problems
            return file.stamp, record_of(papers_dir / file.name, row), RenderedText(packed, warnings), problems

        entries = parallel_map(reader.read, changed, jobs, batched=True, then=entry_of)
        found = {file.path: entry for file, entry in zip(changed, entries)}

    records: list[Record] = []
    abstracts: dict[str, RenderedText] = {}
    problems: list[Problem] = []
    seen: dict[str, Entry] = {}
    for file in files:
        if file.stamp is None:
            problems.append(error(prefix + file.name if file.name else str(papers_dir), None,
                                  file.problem or "cannot read"))
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


# What reading one file sends back: the record as a row (``records.parse_record``) or None, its body rendered
# (the compressed HTML and the warnings) and its problems.
Sent = tuple["tuple | None", bytes, tuple[str, ...], tuple[Problem, ...]]


@dataclass(frozen=True)
class _Reader:
    """Reads, checks and renders one record file (in a forked worker, or here for a few files)."""

    root: Path  # resolved: a symbolic link must lead inside it
    prefix: str  # of the files' names in problems
    render: Callable[[str], RenderedText]  # a body to HTML

    def read(self, files: Sequence[RecordFile]) -> list[Sent]:
        """A run of files (a worker's chunk): every one parsed, then every body rendered. One step at a time
        keeps its code and data in the processor's caches: 8-10% less CPU than both steps file by file
        (1,000 and 10,000 papers, in this process and on two workers)."""
        parsed = []
        for file in files:
            label = self.prefix + file.name
            parsed.append((label, *_parse(file, label, self.root)))
        sent: list[Sent] = []
        for label, row, body, problems in parsed:
            if row is None:
                sent.append((None, b"", (), problems))
                continue
            rendered = self.render(body)
            if rendered.warnings:
                body_line = row[_BODY_LINE]
                problems = (*problems, *(warning(label, body_line, message) for message in rendered.warnings))
            sent.append((row, rendered.packed, rendered.warnings, problems))
        return sent


_BODY_LINE = [f.name for f in dataclasses.fields(Record)].index("body_line") - 1  # in a row: no src_path


def _parse(file: RecordFile, label: str, root: Path) -> tuple[tuple | None, str, tuple[Problem, ...]]:
    """(the record as a row, without its body; the body; problems)."""
    assert file.stamp is not None
    link = file.link
    while True:
        if link and root not in Path(file.path).resolve().parents:
            return None, "", (error(label, None, "is a symbolic link to a file outside the site: not followed"),)
        try:
            data = _read_bytes(file.path, file.stamp[1], follow=link)
            break
        except OSError as exc:
            if not link and exc.errno in (errno.ELOOP, errno.EMLINK):  # made a symbolic link since the scan
                link = True
                continue
            return None, "", (error(label, None, _why(exc)),)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, "", (error(label, None, f"not UTF-8 text ({exc.reason} at byte {exc.start})"),)
    return parse_record(text, file.name, label, for_display=True)


def _read_bytes(path: str, size: int, follow: bool) -> bytes:
    """A file's bytes in three system calls (open, read, close) when ``size`` is right. Opened without
    blocking, so that a pipe put in place of a record since the scan cannot stop the build; a symbolic link
    is followed only when ``follow`` (else the open fails: ELOOP)."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK | (0 if follow else os.O_NOFOLLOW))
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
