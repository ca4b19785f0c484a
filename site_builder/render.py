"""Themes and rendering: one Jinja environment, one lookup order, autoescape on.

Template lookup: the site's ``templates/`` -> the chosen theme -> ``default``.
An override can extend the file it replaces through a prefix:
``{% extends "theme/paper.html" %}`` (the chosen theme) or
``{% extends "default/paper.html" %}``.
"""
from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
import traceback
from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import jinja2
import jinja2.compiler
import jinja2.defaults
import jinja2.runtime
import jinja2.utils
from markupsafe import Markup

from .citations import arxiv_id, bibtex, csl_json, highwire_tags, link, ris
from .exports import EXPORTS, jsonld
from .fileio import utf8_chunks, write_all
from . import macros, presentation
from .csl import ReferenceFormatter
from .urls import is_safe_link, public_url
from .config import SiteConfig
from .plan import TEXT, Page
from .problems import Problem, UserError, error
from .recent import Recent
from .site import Site, author_key, relative_root
from .themes import PACKAGE_THEMES, theme_dirs

class _CodeGenerator(jinja2.compiler.CodeGenerator):
    """Jinja's code generator, with each ``{{ }}`` of an autoescaped template escaped by ``macros.escape``.

    Jinja writes ``escape(value)``: markupsafe's, a Python function that also makes a ``Markup`` of each value,
    about 1 µs a ``{{ }}`` (a hundred on a paper page). ``macros.escape`` writes the same text as a plain
    ``str`` (~0.25 µs), which is all an output needs: Jinja joins the outputs into the page, or into a macro's or
    block's text, which it makes ``Markup`` whole. ``_output_child_pre`` is the hook Jinja's own
    ``NativeCodeGenerator`` overrides for what wraps an output; a template whose autoescaping can change while
    it renders (``{% autoescape %}``, "volatile") keeps Jinja's code."""

    def _output_child_pre(self, node, frame, finalize) -> None:
        if frame.eval_ctx.volatile or not frame.eval_ctx.autoescape:
            super()._output_child_pre(node, frame, finalize)
            return
        self.write("environment.escape_output(")  # ``environment`` is a local of every render function
        if finalize.src is not None:
            self.write(finalize.src)


# Part of the compiled templates' cache key (``_keep_compiled_templates``): change it with what
# ``_CodeGenerator`` writes.
_CODE_SHAPE = "escape_output 1"


class _Context(jinja2.runtime.Context):
    """Jinja's template context, with a shorter way to call the site's own template globals.

    Every call in a template (``{{ description(paper) }}``) goes through ``Context.call``, which looks at the
    callable twice for ``pass_context``-style markers before calling it: ~1 µs, 18 calls on a paper page and six
    or seven in a list item. The functions ``make_environment`` sets (``_Environment.plain_calls``) have no
    such marker: they are called as they are. Anything else (a theme's macro of the same name, Jinja's own
    globals, a filter's result) goes through Jinja's ``call``."""

    @jinja2.utils.internalcode
    def call(__self, __obj, *args, **kwargs):
        try:
            plain = __obj in __self.environment.plain_calls
        except TypeError:  # an unhashable callable
            plain = False
        if not plain:
            return super().call(__obj, *args, **kwargs)
        if kwargs:  # in a block or a loop, Jinja passes its variables for pass_context callables
            kwargs.pop("_block_vars", None)
            kwargs.pop("_loop_vars", None)
        try:
            return __obj(*args, **kwargs)
        except StopIteration:  # as Jinja's call
            return __self.environment.undefined("value was undefined because a callable raised a"
                                                " StopIteration exception")


class _Environment(jinja2.Environment):
    """Jinja's environment, with each template's globals a plain dict made when it is loaded, and a record
    of the templates a render loads.

    Jinja chains a template's globals to the environment's (a ``ChainMap``), and every render and every
    ``{% from %}`` walks that chain key by key: about 20 µs a page, more than rendering a list item. The
    globals are all set before any template is loaded (as Jinja's documentation asks), so a copy is the
    same.

    ``templates``: each template once loaded, by name (see below).

    ``loaded``: while it is a set, every template looked up (the page's, what it extends, includes and
    imports, and the list item's) is added to it, so the build knows which template sources a page
    depends on without reading the templates (see ``build``).
    """

    code_generator_class = _CodeGenerator
    context_class = _Context
    plain_calls: frozenset = frozenset()  # the globals ``make_environment`` sets: called without Context.call's checks
    escape_output = staticmethod(macros.escape)  # what the compiled templates escape ``{{ }}`` with

    loaded: set[str] | None = None
    # The templates loaded, by name. Jinja's own cache (an LRU cache with a lock, ~1 µs a look-up) is asked on
    # every ``{% extends %}``, ``{% from %}`` and list item: ten times for a paper's page and its items. The
    # environment never reloads a template (``auto_reload`` is off: a changed template makes a new environment).
    templates: dict[str, jinja2.Template]
    texts: "PaperTexts"  # what is made per paper and reused on many pages (list items, BibTeX, export pieces)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.templates = {}

    def make_globals(self, d):
        return {**self.globals, **d} if d else dict(self.globals)

    def _load_template(self, name, globals):
        if self.loaded is not None:
            self.loaded.add(name)
        if globals:  # Jinja adds them to the template's own: its way
            return super()._load_template(name, globals)
        try:
            return self.templates[name]
        except KeyError:
            template = self.templates[name] = super()._load_template(name, globals)
            return template

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
    env.texts = PaperTexts()
    env.globals["bibtex"] = PerPaper(bibtex, env.texts, BIBTEX)  # in list items, the Cite box and papers.bib
    env.globals["ris"] = ris
    env.globals["csl_json"] = csl_json
    env.globals["arxiv_id"] = arxiv_id
    env.globals["link"] = link
    env.globals["safe_link"] = is_safe_link
    env.globals["jsonld"] = lambda paper, site: Markup(jsonld(paper, site.url))
    env.globals["highwire"] = lambda paper, site: highwire_tags(paper, site.url)
    env.globals["render_item"] = ItemRenderer(env, env.texts)
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
    env.globals["description"] = Recent(lambda paper, length=300: _description(env, paper, length))
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
    env.plain_calls = frozenset(value for name, value in env.globals.items()
                                if name not in jinja2.defaults.DEFAULT_NAMESPACE and callable(value)
                                and not _passes_arguments(value))
    if cache_dir is not None:
        _keep_compiled_templates(env, cache_dir)
    return env


def _passes_arguments(func) -> bool:
    """Whether Jinja's ``Context.call`` would pass ``func`` the context, eval context or environment (it is marked
    with ``pass_context`` or its kind, or its ``__call__`` is)."""
    return any(getattr(f, "jinja_pass_arg", None) is not None for f in (func, getattr(func, "__call__", None)))


def _description(env: jinja2.Environment, paper, length: int) -> str:
    """``description(paper, length=300)`` in templates: the abstract's plain text cut after a word to ``length``
    characters and "…" (as ``truncate(length, killwords=False, end="…")`` cuts), else the title: what a paper
    page's meta descriptions say. The plain text is made once for the paper (``presentation.abstract_text``), and
    each description once per length (a ``Recent``: the page asks for it three times, twice at 300)."""
    text = presentation.abstract_text(paper)
    return jinja2.filters.do_truncate(env, text, length, False, "…") if text else paper.title_text


def _keep_compiled_templates(env: jinja2.Environment, cache_dir: Path) -> None:
    """Keep compiled templates in ``cache_dir``: a later run starts without compiling them (~0.1 s).

    Jinja checks each against its source and the Python version; the folder's name covers the rest of
    what shapes the compiled code (Jinja's version and the environment's settings)."""
    autoescape = getattr(env.autoescape, "__qualname__", env.autoescape)  # a function's repr holds its address
    shape = repr((jinja2.__version__, autoescape, env.trim_blocks, env.lstrip_blocks, env.keep_trailing_newline,
                  env.newline_sequence, env.optimized, sorted(env.extensions), env.block_start_string,
                  env.variable_start_string, env.comment_start_string, env.undefined.__name__, _CODE_SHAPE))
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
    covers everything ``func`` reads of it), kept in the environment's ``PaperTexts`` as ``variant``."""

    def __init__(self, func, texts: "PaperTexts", variant: str):
        self.func = func
        self.texts = texts
        self.variant = variant

    def __call__(self, paper):
        key = paper.fingerprint
        if not key:
            return self.func(paper)
        kept = self.texts.get(key, self.variant)
        if kept is not None:
            return kept.decode("utf-8", "surrogatepass")
        value = self.func(paper)
        self.texts.put(key, self.variant, value.encode("utf-8", "surrogatepass"))
        return value


ITEM_TEMPLATE = "partials/paper_item.html"
BIBTEX = "bib:"  # the variant of a paper's BibTeX: the same text as its piece of papers.bib (see exports.PIECES)


class ItemRenderer:
    """``render_item(paper, root, level, abstract, focus)`` in templates: one paper's list item.

    Lists show the same paper on the index and on each of its tag and author pages, so each item is
    rendered once per set of arguments and reused; it is kept in the environment's ``PaperTexts``, which
    lives as long as the environment (replaced whenever a template changes). The item's template is
    ``partials/paper_item.html``; it gets ``paper``, ``root`` (the prefix that leads to the site root from the
    page), ``level`` (its heading level), ``abstract`` (false in compact lists: no abstract toggle) and
    ``focus`` (on an author's page, the author's slug: a long byline keeps that name, see
    ``presentation.byline``) as plain template variables.

    ``asked``: while it is a list, the arguments of every call are added to it, ``(root, level, abstract,
    focus given)``: the build learns from one page of each list template which items its pages will ask for.
    """

    def __init__(self, env: _Environment, texts: "PaperTexts"):
        self.env = env
        self.texts = texts
        self.uses: set[str] = set()  # the templates an item render loads (recorded again on a cache hit)
        self.asked: list[tuple[str, int, bool, bool]] | None = None

    def __call__(self, paper, root: str, level: int = 3, abstract: bool = True, focus: str | None = None) -> Markup:
        if self.asked is not None:
            self.asked.append((root, level, bool(abstract), focus is not None))
        if len(paper.authors) <= presentation.BYLINE_LIMIT:
            focus = None  # the whole byline is shown: the item is the same on every page
        variant = ("item", root, level, bool(abstract), focus)
        kept = self.texts.get(paper.fingerprint, variant) if paper.fingerprint else None
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
                self.texts.put(paper.fingerprint, variant, html.encode("utf-8", "surrogatepass"))
        else:
            html = Markup(kept.decode("utf-8", "surrogatepass"))
        if self.env.loaded is not None:
            self.env.loaded |= self.uses or {ITEM_TEMPLATE}
        return html


class PaperTexts:
    """Texts made for one paper (its list items, its BibTeX, its pieces of the whole-site exports), as UTF-8,
    by the paper's fingerprint and a variant (what the text is: a list item's arguments, an export's kind).

    Where a text is kept depends on the process that made it:

    * the process that made the store (the builder's): in memory (the dev server reuses them from one build
      to the next);
    * a forked worker: an unnamed temporary file of its own. A worker renders thousands of items, each seen on
      a few pages; kept in memory, they would add about half the site's list pages to its size (at 10,000
      papers, 100 MB); in the file they cost an index entry, and the system's file cache keeps them fast;
    * a forked worker while the store is ``collecting`` (the build's first stage: each paper's own page and,
      with it, its texts): the store's shared file, which the builder made before forking. ``collect`` writes
      what the worker made since its last call there and says where; the builder adopts the places, and
      the workers of the next stage (list pages, whole-site exports) inherit them and read the texts: each
      text is made once per build, not once in each worker that shows it.

    The files have no name: they are gone when the last process that has them open ends, killed or not.
    """

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.collecting = False
        self.memory: dict[tuple[str, Any], bytes] = {}
        # shared texts: fingerprint -> a row of places in ``file``, one column per variant; a place is
        # 1 + (offset << 32 | length), 0 when the row has no text of that variant (a row of 8-byte numbers: at
        # 10,000 papers and 7 texts each, 1 MB where a dictionary entry per text would take 10)
        self.columns: dict[Any, int] = {}
        self.rows: dict[str, array] = {}
        self.file = None  # the shared file
        self.outbox: dict[tuple[str, Any], bytes] = {}  # a collecting worker's texts, until collected
        self.own: tuple[int, Any, dict] | None = None  # a worker's own file: (pid, file, key -> place)
        self.own_size = 0

    def get(self, key: str, variant: Any) -> bytes | None:
        kept = self.memory.get((key, variant))
        if kept is not None:
            return kept
        row = self.rows.get(key)
        if row is not None:
            column = self.columns.get(variant)
            if column is not None and column < len(row) and row[column]:
                place = row[column] - 1
                return os.pread(self.file.fileno(), place & 0xFFFFFFFF, place >> 32)
        if self.pid == os.getpid():
            return None
        if self.collecting:
            return self.outbox.get((key, variant))
        own = self.own
        if own is not None and own[0] == os.getpid():
            place = own[2].get((key, variant))
            if place is not None:
                return os.pread(own[1].fileno(), place & 0xFFFFFFFF, place >> 32)
        return None

    def put(self, key: str, variant: Any, text: bytes) -> None:
        if self.pid == os.getpid():
            self.memory[(key, variant)] = text
            return
        if self.collecting:
            self.outbox[(key, variant)] = text
            return
        if self.own is None or self.own[0] != os.getpid():  # this worker's first text
            self.own, self.own_size = (os.getpid(), tempfile.TemporaryFile(), {}), 0
        write_all(self.own[1].fileno(), text)
        self.own[2][(key, variant)] = self.own_size << 32 | len(text)  # one int: 32 bytes, not a tuple's 112
        self.own_size += len(text)

    def start_collecting(self) -> None:
        """In the builder, before forking the first stage's workers."""
        if self.file is None:
            self.file = tempfile.TemporaryFile()
        self.collecting = True

    def collect(self) -> list[tuple[str, Any, int]]:
        """In a collecting worker: write the texts made since the last call to the shared file, and say where
        they are ((fingerprint, variant, place)) for the builder to ``adopt``."""
        if self.pid == os.getpid() or not self.outbox:
            return []
        texts = list(self.outbox.items())
        self.outbox.clear()
        data = b"".join(text for _key, text in texts)
        fd = self.file.fileno()
        fcntl.lockf(fd, fcntl.LOCK_EX)  # the workers take turns at the end of the file
        try:
            offset = os.fstat(fd).st_size
            if offset + len(data) >= 1 << 31:
                return []  # beyond what a place can say: these are made again where they are needed
            write_all(fd, data, offset)
        finally:
            fcntl.lockf(fd, fcntl.LOCK_UN)
        places = []
        for (key, variant), text in texts:
            places.append((key, variant, 1 + (offset << 32 | len(text))))
            offset += len(text)
        return places

    def adopt(self, places: list[tuple[str, Any, int]]) -> None:
        """In the builder: the places of texts a worker wrote to the shared file."""
        columns, rows = self.columns, self.rows
        for key, variant, place in places:
            column = columns.get(variant)
            if column is None:
                column = columns[variant] = len(columns)
            row = rows.get(key)
            if row is None:
                row = rows[key] = array("Q", bytes(8 * len(columns)))
            elif len(row) <= column:
                row.frombytes(bytes(8 * (column + 1 - len(row))))
            row[column] = place

    def clear(self) -> None:
        self.memory.clear()
        self.rows.clear()
        self.columns.clear()
        if self.file is not None:
            self.file.close()
        self.file = None


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
    keep_pieces: bool  # keep the pieces of the whole-site exports made while writing them, for a next build
    # (the dev server); a one-time build keeps none (it reads those the first stage made, see ``PaperTexts``)


def render_input(site: Site, keep_pieces: bool = False) -> RenderInput:
    return RenderInput(site, site_info(site), keep_pieces)


def render_page(env: jinja2.Environment, page: Page, given: RenderInput) -> str:
    return b"".join(utf8_chunks(render_chunks(env, page, given))).decode("utf-8")


def render_chunks(env: jinja2.Environment, page: Page, given: RenderInput) -> Iterable[str | bytes]:
    """A page's text in one or more pieces: the whole-site exports stream theirs (they can be very large)."""
    if page.template == TEXT:
        if "export" in page.context:
            return EXPORTS[page.context["export"]](given.site, env.texts, given.keep_pieces)
        return (page.context["text"],)
    template = env.get_template(page.template)
    context: dict[str, Any] = dict(page.context)
    context.update(site=given.info, root=page_root(page), page_url=page.url)
    return (template.render(context),)


def page_root(page: Page) -> str:
    """How the page's links reach the site root (``root`` in templates)."""
    return page.root if page.root is not None else relative_root(page.url)


def make_paper_texts(env: _Environment, site: Site, paper, items: Iterable[tuple[str, int, bool]],
                     kinds: Iterable[str]) -> frozenset[str]:
    """Make what other pages show of ``paper`` and keep it in ``env.texts``: its list items with the arguments
    ``items`` ((root, level, abstract)) and its pieces of the whole-site exports of ``kinds`` (its BibTeX is
    one). Return the templates the items loaded.

    A text that fails is left out: the page that shows it makes it again and reports the error there."""
    from .exports import PIECES

    key = paper.fingerprint
    if not key:
        return frozenset()
    render_item, texts = env.globals["render_item"], env.texts
    outer, env.loaded = env.loaded, set()
    try:
        for root, level, abstract in items:
            try:
                render_item(paper, root, level, abstract)
            except Exception:
                pass
        for kind in kinds:
            try:
                if kind == BIBTEX:
                    env.globals["bibtex"](paper)  # kept by PerPaper under the same name
                elif texts.get(key, kind) is None:
                    texts.put(key, kind, PIECES[kind](site, paper).encode("utf-8", "surrogatepass"))
            except Exception:
                pass
        return frozenset(env.loaded)
    finally:
        env.loaded = outer


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
