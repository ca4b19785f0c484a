"""What a build remembers for the next one: the key of every file it wrote, the templates each page
template loaded, and the stamps of its inputs (``.cache/site-builder/state.pickle`` for the CLI, memory
for the dev server).

Nothing here is trusted for correctness beyond what it promises: a missing, damaged or foreign state
file only makes the next build render everything again. Parsed records and rendered abstracts are not
kept here (see ``reading.RecordCache``): reading them back would cost
about what making them does.
"""
from __future__ import annotations

import dataclasses
import os
import pickle
import sys
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .config import SiteConfig
from .digest import digest
from .fileio import atomic_write
from .reading import RecordFile, stamp_of

# Bump the last number whenever what a page key covers, or this file's shape, changes.
STATE_VERSION = f"{__version__}-{sys.version_info[0]}.{sys.version_info[1]}-5"


@dataclass
class BuildState:
    version: str = STATE_VERSION
    manifest: dict[str, str] = field(default_factory=dict)  # output URL -> page key or static file stamp
    build_id: str = ""  # digest of the manifest: written into the output's marker file
    inputs: str = ""  # digest of every input's name and stamp at the last good build
    last: tuple = ()  # (pages, papers, tags, warnings) of the last good build
    templates_used: dict[str, frozenset[str]] = field(default_factory=dict)  # page template -> templates loaded


def load_state(path: Path | None) -> BuildState:
    if path is None or not path.is_file():
        return BuildState()
    try:
        with open(path, "rb") as handle:
            state = pickle.load(handle)
    except Exception:  # a damaged or foreign cache is only a lost speed-up
        return BuildState()
    if not isinstance(state, BuildState) or state.version != STATE_VERSION:
        return BuildState()
    return state


def save_state(path: Path | None, state: BuildState) -> None:
    if path is None:
        return
    try:
        atomic_write(path, pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL), durable=False)
    except OSError:
        pass  # no cache next time: slower, not wrong


def site_key(config: SiteConfig) -> str:
    """Every setting of the configuration (any of them may show on pages), but not where the site lives."""
    return digest(STATE_VERSION, repr([(f.name, getattr(config, f.name)) for f in dataclasses.fields(config)
                                       if f.name != "root"]))


def inputs_digest(config: SiteConfig, out: Path, files: list[RecordFile], folders: list[Path]) -> str:
    """A digest of everything a build reads: the configuration, and the name and stamp of every record,
    template and static file. Equal digests and an untouched output: there is nothing to do."""
    parts = [site_key(config), str(out), str(config.papers_dir)]
    parts.extend(f"{f.name}={f.stamp[0]},{f.stamp[1]},{f.stamp[2]}" if f.stamp else f"{f.name}=None={f.problem}"
                 for f in files)
    for folder in folders:
        if not folder.is_dir():
            parts.append(f"{folder}:none")
            continue
        parts.append(str(folder))
        for base, dirs, names in os.walk(folder, followlinks=True):
            dirs.sort()
            for name in sorted(names):
                path = os.path.join(base, name)
                try:
                    parts.append(f"{path}={stamp_of(os.stat(path))}")
                except OSError:
                    parts.append(f"{path}=unreadable")
    return digest(*parts)
