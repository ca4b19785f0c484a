"""Per-paper pieces handed from one set of worker processes to the next through files, not memory.

A large build works in two passes of forked workers. The first pass takes the
papers: each worker renders a paper's abstract, its page, its list items and its
pieces of the whole-site exports (papers.json, search.json, papers.bib, the embed
fragment). The pieces the second pass needs are appended to the worker's own
spool file, and only where they are (file, offset, lengths) goes back to the
parent. The second pass renders the list pages and exports, reading each piece
from the spool when a page asks for it. So no process holds every abstract and
every list item at once: memory stays flat as the site grows.

The spool folder lives inside the new output folder and is deleted before that
folder is swapped in.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator, Mapping

from markupsafe import Markup

from .markup import RenderedText
from .output import write_all

Where = tuple[str, int, tuple[int, ...]]  # spool file name, offset of the first piece, length of each piece

# The order of a paper's pieces in the spool.
ABSTRACT_HTML, ABSTRACT_TEXT, ITEM, COMPACT_ITEM = 0, 1, 2, 3
EXPORTS_START = 4


class Spool:
    """Append-only files in ``folder``, one per writing process; any process reads them by offset."""

    def __init__(self, folder: Path | None = None):
        self.folder = folder  # set before the first write
        self._writer: tuple[int, int, str] | None = None  # (pid, fd, file name) of this process's file
        self._size = 0  # bytes written to it
        self._readers: dict[str, int] = {}
        self._reader_pid = os.getpid()

    def write(self, pieces: list[str]) -> Where:
        pid = os.getpid()
        if self._writer is None or self._writer[0] != pid:  # a forked worker opens its own file
            name = f"{pid}.spool"
            fd = os.open(self.folder / name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
            self._writer, self._size = (pid, fd, name), 0
        _pid, fd, name = self._writer
        data = [piece.encode("utf-8", "surrogatepass") for piece in pieces]
        blob = b"".join(data)
        write_all(fd, blob)
        offset, self._size = self._size, self._size + len(blob)  # this process is the file's only writer
        return name, offset, tuple(len(d) for d in data)

    def read(self, where: Where, index: int) -> str:
        name, offset, lengths = where
        if self._reader_pid != os.getpid():  # descriptors of the parent are not this process's to share
            self._readers, self._reader_pid = {}, os.getpid()
        fd = self._readers.get(name)
        if fd is None:
            fd = self._readers[name] = os.open(self.folder / name, os.O_RDONLY | os.O_CLOEXEC)
        start = offset + sum(lengths[:index])
        return os.pread(fd, lengths[index], start).decode("utf-8", "surrogatepass")

    def close(self) -> None:
        """Close what this process opened (the parent, once both passes are done)."""
        if self._writer is not None and self._writer[0] == os.getpid():
            os.close(self._writer[1])
        self._writer = None
        if self._reader_pid == os.getpid():
            for fd in self._readers.values():
                os.close(fd)
        self._readers = {}


class SpooledAbstract:
    """A paper's abstract in a large build: rendered by the first pass, read from the spool in the second.

    ``value`` is set in the worker that renders it; ``where`` in the parent, from that worker's answer.
    Warnings are reported by the first pass, so a read-back abstract has none."""

    __slots__ = ("spool", "body", "render", "value", "where")

    def __init__(self, spool: Spool, body: str, render):
        self.spool = spool
        self.body = body
        self.render = render  # body -> RenderedText, for the rare reader that comes before the first pass
        self.value: RenderedText | None = None
        self.where: Where | None = None

    def _get(self) -> RenderedText:
        if self.value is None:
            if self.where is not None:
                self.value = RenderedText(Markup(self.spool.read(self.where, ABSTRACT_HTML)), (),
                                          self.spool.read(self.where, ABSTRACT_TEXT))
            else:
                self.value = self.render(self.body)
        return self.value

    @property
    def html(self) -> Markup:
        return self._get().html  # type: ignore[return-value]

    @property
    def text(self) -> str:
        return self._get().text

    @property
    def warnings(self) -> tuple[str, ...]:
        return self.value.warnings if self.value is not None else ()


class SpooledPieces(Mapping):
    """A read-only view of spooled pieces as a cache: ``key(fingerprint)`` -> the text of one piece kind;
    anything stored in it afterwards (pieces of other kinds, computed by the second pass) is kept here."""

    def __init__(self, spool: Spool, where: dict[str, Where], kinds: dict[str, int]):
        self.spool = spool
        self.where = where  # fingerprint -> Where
        self.kinds = kinds  # key prefix -> piece index
        self.local: dict = {}

    def _locate(self, key) -> tuple[Where, int] | None:
        if isinstance(key, tuple):  # list items: (fingerprint, heading level); level 3 is spooled
            fingerprint, level = key
            kind = self.kinds.get(f"item{level}")
        else:
            prefix, _, fingerprint = str(key).rpartition(":")
            kind = self.kinds.get(prefix + ":")
        where = self.where.get(fingerprint)
        return (where, kind) if where is not None and kind is not None else None

    def __getitem__(self, key):
        if key in self.local:
            return self.local[key]
        found = self._locate(key)
        if found is None:
            raise KeyError(key)
        return self.spool.read(*found)

    def __setitem__(self, key, value) -> None:
        self.local[key] = value

    def __contains__(self, key) -> bool:
        return key in self.local or self._locate(key) is not None

    def __iter__(self) -> Iterator:
        return iter(self.local)

    def __len__(self) -> int:
        return len(self.local)
