"""The build, phases in a row: read records -> render abstracts -> model -> plan -> render the pages that
changed -> write them through a sink.

A page is rendered again only when its key changes. The key covers the data the page shows
(``plan.data_key``), the source of every template it loaded the last time it was rendered (recorded as
Jinja loads them, see ``render._Environment``) and the site's configuration. So an incremental build
writes the same bytes a clean build would, and a build with nothing changed writes nothing. What lives
between builds is in ``state`` (the CLI keeps it in ``.cache/site-builder/``, safe to delete; the dev
server keeps it in memory).

Where pages go is the sink's business (``output``): a new folder swapped in whole when complete (every
CLI build: a killed build changes nothing), or the current folder file by file (the dev server's small
changes).
"""
from __future__ import annotations

import functools
import gc
import hashlib
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from .config import SiteConfig
from .digest import digest
from .fileio import utf8_chunks
from .output import MARKER, FreshFolder, InPlace, check_output_dir, recover
from .parallel import default_jobs
from .problems import Problem, UserError, error, warning
from .reading import RecordCache, read_records, scan_records
from .state import BuildState, inputs_digest, load_state, save_state, site_key
from .themes import static_dirs, theme_dirs

# The model, the plan and rendering (Jinja, markdown, the citation formats) are loaded when a build has
# something to do: a build with nothing changed loads none of them (a third of its time at 10,000 papers).
if TYPE_CHECKING:
    import jinja2

    from .parallel import Background
    from .plan import Page
    from .render import RenderInput
    from .site import Site

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class BuildResult:
    output: Path
    pages: int
    papers: int
    tags: int
    rendered: int  # pages rendered this time
    written: int  # files written (pages and static files); 0 when nothing changed
    removed: int  # files of the previous output that are gone
    seconds: float
    problems: tuple[Problem, ...]  # warnings only: errors raise UserError

    def summary(self) -> str:
        if self.written == 0 and self.removed == 0:
            return (f"built {self.papers} papers, {self.tags} tags: {self.pages} files, nothing changed, "
                    f"{self.seconds:.2f} s -> {self.output}/index.html")
        return (f"built {self.papers} papers, {self.tags} tags: {self.pages} files, {self.rendered} rendered, "
                f"{self.written} written in {self.seconds:.2f} s -> {self.output}/index.html")


def _fail_on_errors(problems: list[Problem], why: str = "") -> None:
    if any(p.is_error for p in problems):
        raise UserError(f"build failed{why}; the previous output is untouched", tuple(problems))


class Builder:
    """Builds one site again and again, each time doing only the work that changed."""

    def __init__(self, config: SiteConfig, cache_dir: Path | None = None, jobs: int | None = None,
                 in_place: bool = False, once: bool = False):
        self.config = config
        # once: this builder builds one time (the command line); what is kept only to speed up the next
        # build in the same process (the pieces of the whole-site exports) is not kept.
        self.once = once
        # in_place: apply changes file by file (fast, for the dev server); else every build makes a new folder
        # (unchanged files hard-linked) and swaps it in whole.
        self.in_place = in_place
        self.cache_dir = cache_dir
        self.jobs = jobs if jobs is not None else default_jobs()
        self.state_file = cache_dir / "state.pickle" if cache_dir else None
        self.state: BuildState = load_state(self.state_file)
        self.records = RecordCache()
        self._papers: dict = {}  # the model's papers, reused when their record did not change
        self._env: jinja2.Environment | None = None
        self._sources: dict[str, str | None] = {}  # template name -> source, for the current environment
        self._said_no_url = False

    # ------------------------------------------------------------------ templates

    def environment(self) -> jinja2.Environment:
        """The Jinja environment; a new one whenever a template's source changed (Jinja's cache cannot see
        a new override shadowing a template it compiled)."""
        from .render import make_environment

        sources = self._template_sources()
        if self._env is None or sources != self._sources:
            self._env = make_environment(self.config, self.cache_dir)
            self._sources = sources
        return self._env

    def _template_sources(self) -> dict[str, str | None]:
        import jinja2

        from .render import make_environment

        env = self._env or make_environment(self.config, None)
        sources: dict[str, str | None] = {}
        for name in env.list_templates():
            try:
                sources[name] = env.loader.get_source(env, name)[0]
            except jinja2.TemplateNotFound:
                sources[name] = None
        return sources

    def _templates_key(self, template: str) -> str | None:
        """A digest of the sources of every template ``template`` loaded when last rendered; None if unknown."""
        from .plan import TEXT

        if template == TEXT:
            return ""
        used = self.state.templates_used.get(template)
        if used is None:
            return None
        return digest(*(f"{name}\x1e{self._sources.get(name)}" for name in sorted(used)))

    # ------------------------------------------------------------------ the build

    def build(self, progress: Progress | None = None) -> BuildResult:
        """Build, or raise UserError with every problem and leave the output as it was."""
        # The build makes hundreds of thousands of long-lived objects and few reference cycles: with the
        # cycle collector on, each full collection walks them all again (half the time of reading 100,000
        # records). It runs again, as usual, when the build is over.
        collecting = gc.isenabled()
        gc.disable()
        try:
            return self._build(progress)
        finally:
            if collecting:
                gc.enable()

    def _build(self, progress: Progress | None) -> BuildResult:
        started = time.perf_counter()
        config = self.config
        out = check_output_dir(config)
        recover(out)
        files = scan_records(config)
        inputs = inputs_digest(config, out, files, [config.templates_dir, *(t / "templates" for t in theme_dirs(config)),
                                                    *static_dirs(config)])
        if inputs == self.state.inputs and self.state.last and self._output_matches(out) \
                and _all_present(out, self.state.manifest):
            pages, papers, tags, warnings = self.state.last  # no input changed: the output is up to date
            return BuildResult(out, pages, papers, tags, 0, 0, 0, time.perf_counter() - started, warnings)

        from .parallel import Background, forks

        # Read everything before writing anything.
        reading = read_records(config, files, self.records, self.jobs)
        problems = list(reading.problems)
        env = self.environment()
        # How the list pages ask for their papers' list items is learnt from a small site, in a worker, while
        # this process makes the model and the plan (see _probe_list_items); started now only when the pages
        # will likely be rendered by forked workers, the only time it is needed.
        early = forks(len(reading.records), self.jobs) and not (self.in_place and self.state.manifest)
        with Background(functools.partial(_probe_list_items, config, env, reading.records, reading.abstracts),
                        start=early) as probe:
            return self._model_plan_render(started, out, inputs, reading, problems, env, probe, progress)

    def _model_plan_render(self, started: float, out: Path, inputs: str, reading, problems: list[Problem],
                           env: jinja2.Environment, probe: Background, progress: Progress | None) -> BuildResult:
        from .plan import data_key, plan_pages
        from .render import render_input
        from .site import build_site as build_model

        config = self.config
        # a one-time build keeps no memory of its papers for a next build (at 10,000 papers, 3 MB that every
        # forked worker would count again)
        site, more = build_model(config, reading.records, reading.abstracts, memo=None if self.once else self._papers)
        problems.extend(more)
        _fail_on_errors(problems, ": the records have errors")
        if not config.url and site.papers and not self._said_no_url:
            self._said_no_url = True  # once per configuration: the dev server rebuilds with the same Builder
            problems.append(warning(config.config_path.name, None,
                                    "no url: set, so sitemap.xml and the Atom feeds are skipped, 404.html "
                                    "links from the domain root and embed/fragment.html links relative to embed/ "
                                    "(the builder page's fragment is absolute); set url: to where the site is "
                                    "published"))

        pages = plan_pages(site)
        the_site = site_key(config)
        data = {p.url: data_key(p) for p in pages}

        template_keys: dict[str, str | None] = {}  # one digest of the templates per page template, not per page

        def key_of_template(template: str) -> str | None:
            if template not in template_keys:
                template_keys[template] = self._templates_key(template)
            return template_keys[template]

        def key_of(page: Page) -> str | None:
            templates = key_of_template(page.template)
            return None if templates is None else digest(the_site, templates, data[page.url])

        previous = self.state.manifest if self._output_matches(out) and _all_present(out, self.state.manifest) \
            else {}
        keys = {p.url: key_of(p) for p in pages}
        stale = [p for p in pages if keys[p.url] is None or previous.get(p.url) != keys[p.url]]
        static = self._static_files()
        changed_static = {url: src for url, (src, stamp) in static.items() if previous.get(url) != stamp}

        given = render_input(site, keep_pieces=not self.once)
        sink = InPlace(out) if self.in_place and previous else FreshFolder(out) if (stale or changed_static or not previous) else None
        if sink is None:
            written = 0  # nothing changed: nothing is written
            manifest = dict(previous)
            removed: list[str] = []
        else:
            with sink:
                used, render_problems = self._render(env, given, stale, progress, sink, probe)
                problems.extend(render_problems)
                _fail_on_errors(problems)
                for template, names in used.items():
                    self.state.templates_used[template] = self.state.templates_used.get(template, frozenset()) | names
                # a page template that loaded templates it had not loaded before has a new key
                before, template_keys = template_keys, {}
                again = {t for t in before if key_of_template(t) != before[t]}
                manifest = {p.url: (key_of(p) if p.template in again else keys[p.url]) or "" for p in pages}
                manifest.update({url: stamp for url, (_src, stamp) in static.items()})
                removed = [url for url in previous if url not in manifest]
                build_id = digest(*(f"{u}={k}" for u, k in sorted(manifest.items())))
                sink.finish({p.url for p in stale}, changed_static, manifest, removed, build_id)
            written = len(stale) + len(changed_static)
            self.state.build_id = build_id
        self.state.manifest = manifest
        self.state.inputs = inputs
        result = BuildResult(out, len(pages), len(site.papers), len(site.tags), len(stale), written, len(removed),
                             time.perf_counter() - started, tuple(problems))
        self.state.last = (result.pages, result.papers, result.tags, result.problems)
        save_state(self.state_file, self.state)
        return result

    def _output_matches(self, out: Path) -> bool:
        """True when ``out`` is exactly what this builder's manifest describes."""
        if not self.state.build_id:
            return False
        try:
            return (out / MARKER).read_text(encoding="utf-8").split()[-1] == self.state.build_id
        except (OSError, IndexError):
            return False

    def _render(self, env: jinja2.Environment, given: RenderInput, pages: list[Page], progress: Progress | None,
                sink, probe: Background) -> tuple[dict[str, frozenset[str]], list[Problem]]:
        """Render ``pages`` into ``sink`` (from forked workers when the sink takes their writes); return the
        templates each page template loaded, and the problems.

        In two stages, so that what many pages show of one paper is made once (``render.PaperTexts``):
        1. each paper's own page, and with it, by the same worker while the paper is at hand, the paper's list
           items that the list pages to render ask for, its BibTeX and its pieces of the whole-site exports
           (which list items a list template asks for is learnt beforehand, see ``_probe_list_items``);
        2. every other page: list pages and exports put those texts together.
        Only when the pages are rendered by forked workers: in one process, every text is made once anyway.
        """
        from .parallel import forks, parallel_map
        from .plan import TEXT
        from .render import make_paper_texts, render_chunks

        in_workers = sink.workers_write
        interned: dict[frozenset[str], frozenset[str]] = {}  # one set object per set of names: sent back once

        def render_one(page: Page) -> tuple[bytes | None, frozenset[str], Problem | None]:
            env.loaded = set()
            try:
                chunks = utf8_chunks(render_chunks(env, page, given))
                if in_workers:
                    sink.write(page.url, chunks)
                    loaded = frozenset(env.loaded)
                    return None, interned.setdefault(loaded, loaded), None
                return b"".join(chunks), frozenset(env.loaded), None
            except Exception as exc:
                return None, frozenset(), _render_problem(exc, self.config, page)
            finally:
                env.loaded = None

        own = [p for p in pages if p.template != TEXT and "paper" in p.context]
        rest = [p for p in pages if not (p.template != TEXT and "paper" in p.context)]
        done: list[tuple[Page, tuple]] = []
        renderer = env.globals["render_item"]
        items: dict[str, frozenset[tuple[str, int, bool]]] = {}
        kinds: tuple[str, ...] = ()
        sharing = forks(len(own), self.jobs)  # in one process, every text is made once anyway
        if sharing:
            try:
                patterns, uses = probe.result()
            except Exception:  # it only saves work: the pages make what they ask for, and report what fails
                patterns, uses = {}, frozenset()
            renderer.uses |= uses
            items = _list_items_wanted(patterns, rest)
            kinds = _export_kinds(rest)

        def render_own(run: list[Page]) -> list[tuple]:  # a run of pages at a time: their texts written at once
            results = []
            for page in run:
                paper = page.context["paper"]
                result = render_one(page)
                uses = make_paper_texts(env, given.site, paper, items.get(paper.fingerprint, ()), kinds)
                results.append((*result, interned.setdefault(uses, uses), ()))
            if results:
                results[-1] = (*results[-1][:4], env.texts.collect())
            return results

        def stage_progress(before: int) -> Progress | None:
            return None if progress is None else (lambda n, _total: progress(before + n, len(pages)))

        def keep(result: tuple) -> tuple:  # in this process, as each page's result arrives
            data, names, problem, uses, texts = result
            renderer.uses |= uses
            env.texts.adopt(texts)
            return data, names, problem

        if sharing:
            env.texts.start_collecting()
        try:
            done.extend(zip(own, parallel_map(render_own, own, self.jobs, progress=stage_progress(len(done)),
                                              chunk=8, batched=True, then=keep)))
        finally:
            env.texts.collecting = False
        # Long pages (whole-site exports, long lists) first, so no worker is left alone with one at the end.
        rest.sort(key=lambda p: (p.template != TEXT, -len(p.context.get("papers", ()))))
        done.extend(zip(rest, parallel_map(render_one, rest, self.jobs, progress=stage_progress(len(done)), chunk=8)))

        used: dict[str, frozenset[str]] = {}
        found: list[Problem] = []
        order = {p.url: i for i, p in enumerate(pages)}
        for page, (data, names, problem) in sorted(done, key=lambda d: order[d[0].url]):
            if problem is not None:
                found.append(problem)
                continue
            if names:
                used[page.template] = used.get(page.template, frozenset()) | names
            if data is not None:
                sink.write(page.url, [data])
        return used, _few_write_errors(_once_per_line(found), sink)

    def _static_files(self) -> dict[str, tuple[Path, str]]:
        """Output URL -> (source file, stamp) for every static file, later folders winning."""
        found: dict[str, tuple[Path, str]] = {}
        for folder in static_dirs(self.config):
            base = folder.resolve()
            for path in sorted(folder.rglob("*")):
                if path.is_symlink() and base not in path.resolve().parents:
                    continue  # never copy files from outside the theme or site
                if path.is_file():
                    url = "static/" + path.relative_to(folder).as_posix()
                    found[url] = (path, "static:" + hashlib.sha1(path.read_bytes()).hexdigest())
        return found


PROBE_PAPERS = 50  # the size of the small site that list templates are tried on


def _probe_list_items(config: SiteConfig, env: jinja2.Environment, records: list, abstracts
                      ) -> tuple[dict[str, frozenset[tuple[int, bool, bool]]], frozenset[str]]:
    """How each list template asks for its papers' list items, learnt from the smallest page of each in a
    small site (the first ``PROBE_PAPERS`` records): template -> the (level, abstract, focus given) of the
    ``render_item`` calls for that page's own ``root``; and the templates an item loads.

    Run in a forked worker while the builder makes the real model (so what it compiles and renders stays
    there). It only saves work: an item the pages ask for that was not foreseen is made where it is asked
    for, and a page that fails here fails again, and is reported, where it is really rendered."""
    from .plan import TEXT, plan_pages
    from .render import page_root, render_chunks, render_input
    from .site import build_site as build_model

    site, _problems = build_model(config, records[:PROBE_PAPERS], abstracts)
    smallest: dict[str, Page] = {}
    for page in plan_pages(site):
        if page.template != TEXT and page.context.get("papers"):
            known = smallest.get(page.template)
            if known is None or len(page.context["papers"]) < len(known.context["papers"]):
                smallest[page.template] = page
    given = render_input(site)
    renderer = env.globals["render_item"]
    patterns = {}
    for template, page in smallest.items():
        renderer.asked = []
        try:
            render_chunks(env, page, given)
        except Exception:
            continue
        finally:
            asked, renderer.asked = renderer.asked, None
        root = page_root(page)
        patterns[template] = frozenset((level, abstract, focused) for at, level, abstract, focused in asked
                                       if at == root)
    return patterns, frozenset(renderer.uses)


def _list_items_wanted(patterns: dict[str, frozenset[tuple[int, bool, bool]]], pages: list[Page]
                       ) -> dict[str, frozenset[tuple[str, int, bool]]]:
    """Which list items of each paper ``pages`` will ask for, by fingerprint: (root, level, abstract), as each
    page's template asked for them (``_probe_list_items``) with the page's own ``root``.

    An item asked for with ``focus`` is the same on every page only when its byline is short (see
    ``render.ItemRenderer``)."""
    from .plan import TEXT
    from .presentation import BYLINE_LIMIT
    from .render import page_root

    wanted: dict[str, set[tuple[str, int, bool]]] = {}
    for page in pages:
        if page.template == TEXT or page.template not in patterns or not page.context.get("papers"):
            continue
        pattern = patterns[page.template]
        root = page_root(page)
        for paper in page.context["papers"]:
            if not paper.fingerprint:
                continue
            long_byline = len(paper.authors) > BYLINE_LIMIT
            want = wanted.setdefault(paper.fingerprint, set())
            want.update((root, level, abstract) for level, abstract, focused in pattern
                        if not (focused and long_byline))
    interned: dict[frozenset, frozenset] = {}
    return {key: interned.setdefault(frozenset(v), frozenset(v)) for key, v in wanted.items()}


WRITE_ERROR = "cannot write:"
WRITE_ERRORS_SHOWN = 3


def _export_kinds(pages: list[Page]) -> tuple[str, ...]:
    """The kinds of per-paper pieces the whole-site exports among ``pages`` are made of."""
    from .exports import EXPORT_PIECES

    return tuple(sorted({EXPORT_PIECES[p.context["export"]] for p in pages if "export" in p.context
                         and p.context["export"] in EXPORT_PIECES}))


def _render_problem(exc: Exception, config: SiteConfig, page: Page) -> Problem:
    """What went wrong rendering or writing ``page``: a write error, or template:line: message."""
    if isinstance(exc, OSError):
        return error(page.url, None, f"{WRITE_ERROR} {exc.strerror or exc}")
    from .render import template_problem

    return template_problem(exc, config, page)


def _all_present(out: Path, manifest: dict[str, str]) -> bool:
    """Whether every file the last build wrote is still in ``out`` (what "nothing changed" vouches for)."""
    base = str(out) + os.sep
    exists = os.path.exists
    return all(exists(base + url) for url in manifest)


def _few_write_errors(problems: list[Problem], sink) -> list[Problem]:
    """A few "cannot write" lines and one that says how many more (and why, when the new folder went
    away under the build), not one line per page."""
    writes = [p for p in problems if p.message.startswith(WRITE_ERROR)]
    if len(writes) <= WRITE_ERRORS_SHOWN:
        return problems
    kept = [p for p in problems if not p.message.startswith(WRITE_ERROR)] + writes[:WRITE_ERRORS_SHOWN]
    folder = getattr(sink, "tmp", None)
    why = ""
    if folder is not None and not folder.exists():
        why = (f": the new folder {folder} was removed while this build wrote it (by another program: "
               "site-builder runs on one site take turns)")
    kept.append(error(str(folder or sink.out), None, f"{WRITE_ERROR} {len(writes) - WRITE_ERRORS_SHOWN} more files{why}"))
    return kept


def _once_per_line(problems: Iterable[Problem]) -> list[Problem]:
    """One report per broken template line (every page that uses it fails the same way)."""
    seen: set[tuple[str, int | None]] = set()
    kept = []
    for problem in problems:
        if (problem.path, problem.line) not in seen:
            seen.add((problem.path, problem.line))
            kept.append(problem)
    return kept


def load_site(config: SiteConfig) -> tuple[Site, list[Problem]]:
    """The model of the site as its records are now: the build's first phases, without rendering pages."""
    from .site import build_site as build_model

    reading = read_records(config)
    site, more = build_model(config, reading.records, reading.abstracts)
    return site, reading.problems + more


def build_site(config: SiteConfig, progress: Progress | None = None, use_cache: bool = True,
               clean: bool = False, jobs: int | None = None) -> BuildResult:
    """One build from the command line, remembering what it did in ``.cache/site-builder/``.

    ``clean``: forget the last build and render every page (the memory of this one is kept). ``jobs``: the
    workers a large site is read and rendered on (default ``parallel.default_jobs()``; 1: in this process)."""
    builder = Builder(config, config.cache_dir if use_cache else None, jobs=jobs, once=True)
    if clean:
        builder.state = BuildState()
    return builder.build(progress)
