"""Themes and rendering: one Jinja environment, one lookup order, autoescape on.

Template lookup: the site's ``templates/`` -> the chosen theme -> ``default``.
An override can extend the file it replaces through a prefix:
``{% extends "theme/paper.html" %}`` (the chosen theme) or
``{% extends "default/paper.html" %}``.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import jinja2
from markupsafe import Markup

from .citations import arxiv_id, bibtex, csl_json, highwire_tags, link, ris
from .exports import EXPORTS, jsonld
from . import macros, presentation
from .csl import ReferenceFormatter
from .urls import is_safe_link, public_url
from .config import SiteConfig
from .plan import TEXT, Page
from .problems import Problem, UserError, error
from .site import Site, author_key, relative_root
from .themes import PACKAGE_THEMES, theme_dirs

class _Environment(jinja2.Environment):
    """Jinja's environment, with each template's globals a plain dict made when it is loaded, and a record
    of the templates a render loads.

    Jinja chains a template's globals to the environment's (a ``ChainMap``), and every render and every
    ``{% from %}`` walks that chain key by key: about 20 µs a page, more than rendering a list item. The
    globals are all set before any template is loaded (as Jinja's documentation asks), so a copy is the
    same.

    ``loaded``: while it is a set, every template looked up (the page's, what it extends, includes and
    imports, and the list item's) is added to it, so the build knows which template sources a page
    depends on without reading the templates (see ``build``).
    """

    loaded: set[str] | None = None

    def make_globals(self, d):
        return {**self.globals, **d} if d else dict(self.globals)

    def _load_template(self, name, globals):
        if self.loaded is not None:
            self.loaded.add(name)
        return super()._load_template(name, globals)

def _autoescape(name: str | None) -> bool:
    """HTML and XML templates escape what they show; plain-text ones (robots.txt) do not: they are not HTML."""
    return not (name or "").endswith(".txt")


def make_environment(config: SiteConfig, cache_dir: Path | None = None) -> _Environment:
    """The site's Jinja environment; with ``cache_dir``, compiled templates are kept there between runs."""
    themes = theme_dirs(config)
    searchable = [config.templates_dir]  # looked in even before it exists: the dev server may see it appear
    searchable.extend(t / "templates" for t in themes)
    prefixes = {"theme": jinja2.FileSystemLoader(str(themes[0] / "templates"))}
    prefixes["default"] = jinja2.FileSystemLoader(str(themes[-1] / "templates"))
    loader = jinja2.ChoiceLoader([
        jinja2.FileSystemLoader([str(p) for p in searchable]),
        jinja2.PrefixLoader(prefixes),
    ])
    env = _Environment(
        loader=loader,
        autoescape=_autoescape,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # the Builder makes a new environment whenever a template's source changes
    )
    env.globals["bibtex"] = PerPaper(bibtex)  # a paper's BibTeX shows in its list items and its Cite box
    env.globals["ris"] = ris
    env.globals["csl_json"] = csl_json
    env.globals["arxiv_id"] = arxiv_id
    env.globals["link"] = link
    env.globals["safe_link"] = is_safe_link
    env.globals["jsonld"] = lambda paper, site: Markup(jsonld(paper, site.url))
    env.globals["highwire"] = lambda paper, site: highwire_tags(paper, site.url)
    env.globals["render_item"] = ItemRenderer(env)
    env.globals["theme_options"] = {"accent": config.option("accent"),
                                     "show_abstracts": config.option("show_abstracts", "index"),
                                     "group_by": config.option("group_by", "year"),
                                     "venue_colors": config.option("venue_colors", ())}
    env.globals["link_buttons"] = presentation.link_buttons
    env.globals["code_released"] = presentation.code_released
    colors = config.option("venue_colors", ())
    env.globals["venue_of"] = lambda paper: presentation.venue_of(paper, colors)
    env.globals["mark_legend"] = presentation.mark_legend
    env.globals["byline"] = presentation.byline
    env.globals["tag_label"] = presentation.tag_label
    env.globals["date_text"] = presentation.date_text
    env.globals["date_iso"] = presentation.date_iso
    env.globals["description"] = lambda paper, length=300: _description(env, paper, length)
    env.globals["field"] = presentation.field
    env.globals["ink"] = presentation.ink
    env.globals["formatted_reference"] = ReferenceFormatter(config.citation_style, config.root, cache_dir)
    owner = {"name": config.owner or "", "url": f"authors/{author_key(config.owner)}/index.html" if config.owner else ""}
    env.globals["owner"] = owner
    # The bodies of the macros in partials/macros.html (see macros.py)
    env.globals["author_list_html"] = lambda paper, root, focus=None, full=True: \
        macros.author_list_html(paper, root, focus, full, owner)
    env.globals["legend_html"] = macros.legend_html
    env.globals["badge_html"] = lambda paper: macros.badge_html(paper, colors)
    env.globals["meta_html"] = lambda paper, root, long=False, tags=True, badge="": \
        macros.meta_html(paper, root, long, tags, badge, colors)
    env.globals["tag_list_html"] = macros.tag_list_html
    env.globals["link_list_html"] = macros.link_list_html
    show_abstracts = env.globals["theme_options"]["show_abstracts"]
    env.globals["abstract_toggle_html"] = lambda paper: \
        macros.abstract_toggle_html(paper, show_abstracts, env.globals["bibtex"])
    env.filters["href"] = presentation.href
    if cache_dir is not None:
        _keep_compiled_templates(env, cache_dir)
    return env


def _description(env: jinja2.Environment, paper, length: int) -> str:
    """``description(paper, length=300)`` in templates: the abstract's plain text cut after a word to ``length``
    characters and "…" (as ``truncate(length, killwords=False, end="…")`` cuts), else the title: what a paper
    page's meta descriptions say. The plain text is made once for the paper (``presentation.abstract_text``)."""
    text = presentation.abstract_text(paper)
    return jinja2.filters.do_truncate(env, text, length, False, "…") if text else paper.title_text


def _keep_compiled_templates(env: jinja2.Environment, cache_dir: Path) -> None:
    """Keep compiled templates in ``cache_dir``: a later run starts without compiling them (~0.1 s).

    Jinja checks each against its source and the Python version; the folder's name covers the rest of
    what shapes the compiled code (Jinja's version and the environment's settings)."""
    autoescape = getattr(env.autoescape, "__qualname__", env.autoescape)  # a function's repr holds its address
    shape = repr((jinja2.__version__, autoescape, env.trim_blocks, env.lstrip_blocks, env.keep_trailing_newline,
                  env.newline_sequence, env.optimized, sorted(env.extensions), env.block_start_string,
                  env.variable_start_string, env.comment_start_string, env.undefined.__name__))
    folder = cache_dir / f"templates-{hashlib.sha1(shape.encode()).hexdigest()[:12]}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return  # no cache: slower, not wrong
    env.bytecode_cache = _CompiledTemplates(str(folder))


class _CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """Compiled templates on disk; a damaged or unwritable cache only costs compiling them again."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # pickle and marshal raise many kinds on damaged files
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


class PerPaper:
    """``func(paper)``, a text, made once per paper for as long as the environment lives (a paper's fingerprint
    covers everything ``func`` reads of it). Kept as an ``ItemStore`` keeps list items: in memory in the
    process that made it, in a forked worker's temporary file (at 10,000 papers, 8 MB less in each worker)."""

    def __init__(self, func):
        self.func = func
        self.cache = ItemStore()

    def __call__(self, paper):
        key = paper.fingerprint
        if not key:
            return self.func(paper)
        kept = self.cache.get((key,))
        if kept is not None:
            return kept.decode("utf-8", "surrogatepass")
        value = self.func(paper)
        self.cache.put((key,), value.encode("utf-8", "surrogatepass"))
        return value


ITEM_TEMPLATE = "partials/paper_item.html"


class ItemRenderer:
    """``render_item(paper, root, level, abstract, focus)`` in templates: one paper's list item.

    Lists show the same paper on the index and on each of its tag and author pages, so each item is
    rendered once per set of arguments and reused; the cache lives as long as the environment, which is
    replaced whenever a template changes. The item's template is ``partials/paper_item.html``; it gets
    ``paper``, ``root`` (the prefix that leads to the site root from the page), ``level`` (its heading
    level), ``abstract`` (false in compact lists: no abstract toggle) and ``focus`` (on an author's page,
    the author's slug: a long byline keeps that name, see ``presentation.byline``) as plain template
    variables.
    """

    def __init__(self, env: _Environment):
        self.env = env
        self.cache = ItemStore()  # (fingerprint, root, level, abstract, focus) -> the item, UTF-8
        self.uses: set[str] = set()  # the templates an item render loads (recorded again on a cache hit)

    def __call__(self, paper, root: str, level: int = 3, abstract: bool = True, focus: str | None = None) -> Markup:
        if len(paper.authors) <= presentation.BYLINE_LIMIT:
            focus = None  # the whole byline is shown: the item is the same on every page
        key = (paper.fingerprint, root, level, bool(abstract), focus)
        kept = self.cache.get(key) if paper.fingerprint else None
        if kept is None:
            outer, self.env.loaded = self.env.loaded, set()
            try:
                html = Markup(self.env.get_template(ITEM_TEMPLATE).render(
                    paper=paper, root=root, level=level, abstract=bool(abstract), focus=focus))
            finally:
                self.uses |= self.env.loaded
                self.env.loaded = outer
            if paper.fingerprint:
                # kept as UTF-8: an item with one character beyond Latin-1 is 2-4 bytes a character as str
                self.cache.put(key, html.encode("utf-8", "surrogatepass"))
        else:
            html = Markup(kept.decode("utf-8", "surrogatepass"))
        if self.env.loaded is not None:
            self.env.loaded |= self.uses or {ITEM_TEMPLATE}
        return html


class ItemStore:
    """Rendered list items by key: in memory in the process that made the environment (the dev server keeps
    them from one build to the next); in a forked worker of a build, in a temporary file of its own.

    A worker renders thousands of items, each seen on a few pages (its tags', its authors'). Kept in memory,
    they would add about half the site's list pages to each worker's size (at 10,000 papers, 100 MB); in the
    file they cost the worker only an index entry, and the system's file cache keeps them fast. The file has
    no name (it is gone when the worker ends, killed or not)."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.memory: dict[tuple, bytes] = {}
        self.spilled: dict[tuple, int] = {}  # key -> offset << 32 | length in ``file`` (one int: 32 bytes, not 112)
        self.file = None  # the temporary file, and the worker it belongs to
        self.file_pid = 0
        self.size = 0

    def get(self, key: tuple) -> bytes | None:
        kept = self.memory.get(key)
        if kept is not None or self.pid == os.getpid():
            return kept
        where = self.spilled.get(key)
        if where is None:
            return None
        return os.pread(self.file.fileno(), where & 0xFFFFFFFF, where >> 32)

    def put(self, key: tuple, item: bytes) -> None:
        if self.pid == os.getpid():
            self.memory[key] = item
            return
        if self.file is None or self.file_pid != os.getpid():  # first item of this worker
            self.file, self.file_pid, self.size, self.spilled = tempfile.TemporaryFile(), os.getpid(), 0, {}
        fd, view = self.file.fileno(), memoryview(item)
        while view:
            view = view[os.write(fd, view):]
        self.spilled[key] = self.size << 32 | len(item)  # an item is far below 4 GB
        self.size += len(item)

    def clear(self) -> None:
        self.memory.clear()


@dataclass(frozen=True)
class SiteInfo:
    """What every template sees as ``site``."""

    title: str
    description: str
    owner: str | None
    url: str | None
    language: str
    profile: "ProfileView | None" = None
    owner_url: str = ""  # the owner's author page, from the site root

    def absolute(self, path: str) -> str:
        """The public URL of an output path (needs ``url:``): index.html names its folder."""
        return public_url(self.url, path)


@dataclass(frozen=True)
class ProfileView:
    """``profile:`` from site.yaml as the index shows it: the bio rendered, each link with its label."""

    name: str
    photo: str | None
    role: str | None
    affiliation: str | None
    bio_html: Markup
    links: tuple[tuple[str, str, str], ...]  # (kind, label, URL); for e-mail, URL is "user\ndomain"


def profile_view(config: SiteConfig) -> ProfileView | None:
    from .config import PROFILE_LINKS
    from .markup import MarkupRenderer

    p = config.profile
    if p is None:
        return None
    bio = MarkupRenderer(config.macros).render(p.bio).html if p.bio else Markup("")
    links = []
    for kind, url in p.links:
        if kind == "email":
            user, _, domain = url.partition("@")
            url = user + "\n" + domain
        links.append((kind, PROFILE_LINKS.get(kind, kind), url))
    return ProfileView(p.name, p.photo, p.role, p.affiliation, bio, tuple(links))


def site_info(site: Site) -> SiteInfo:
    c = site.config
    return SiteInfo(c.title, c.description, c.owner, c.url, c.language, profile_view(c),
                    f"authors/{author_key(c.owner)}/index.html" if c.owner else "")


@dataclass(frozen=True)
class RenderInput:
    """What every page of one build is rendered with besides its own context."""

    site: Site
    info: SiteInfo
    text_cache: dict | None  # per-paper pieces of the whole-site exports (see exports.py), kept between
    # builds; None: a one-time build, which makes each piece when it writes it and keeps none


def render_input(site: Site, text_cache: dict | None = None) -> RenderInput:
    return RenderInput(site, site_info(site), text_cache)


def render_page(env: jinja2.Environment, page: Page, given: RenderInput) -> str:
    return "".join(render_chunks(env, page, given))


def render_chunks(env: jinja2.Environment, page: Page, given: RenderInput) -> Iterable[str]:
    """A page's text in one or more pieces: the whole-site exports stream theirs (they can be very large)."""
    if page.template == TEXT:
        if "export" in page.context:
            return EXPORTS[page.context["export"]](given.site, given.text_cache)
        return (page.context["text"],)
    template = env.get_template(page.template)
    context: dict[str, Any] = dict(page.context)
    context.update(site=given.info, root=page.root if page.root is not None else relative_root(page.url),
                   page_url=page.url)
    return (template.render(context),)


def template_problem(exc: BaseException, config: SiteConfig, page: Page) -> Problem:
    """``template:line: message`` for an error raised while rendering a page."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return error(_template_label(exc.filename or exc.name, config), exc.lineno,
                     f"{exc.message} (while rendering {page.url})")
    if isinstance(exc, jinja2.TemplateNotFound):
        return error(page.template, None, f"template not found: {exc.name} (while rendering {page.url})")
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.endswith((".html", ".xml", ".txt", ".js"))]
    if frames:
        frame = frames[-1]
        return error(_template_label(frame.filename, config), frame.lineno,
                     f"{type(exc).__name__}: {exc} (while rendering {page.url})")
    return error(page.template, None, f"{type(exc).__name__}: {exc} (while rendering {page.url})")


def _template_label(filename: str | None, config: SiteConfig) -> str:
    if not filename:
        return "template"
    path = Path(filename)
    for base in (config.root, PACKAGE_THEMES.parent):
        try:
            return path.resolve().relative_to(base.resolve()).as_posix()
        except ValueError:
            continue
    return str(path)
