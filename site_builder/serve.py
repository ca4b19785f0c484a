"""Live preview: build, serve output/, rebuild on every edit, reload the open pages.

Built on tornado's own ``StaticFileHandler`` (ranges, HEAD, symlinks kept inside the folder, no redirect
to ``//``) and ``WebSocketHandler`` (same-origin only), and watchdog, with no other library's internals.

* Files are watched with watchdog: ``content/``, ``seeds/``, ``themes/``,
  ``templates/``, ``static/`` and ``site.yaml``. Bursts of events (an editor's
  write, rename, touch) are debounced into one rebuild.
* Rebuilds run on the server's own thread, holding the site's lock, so no
  request is answered from a half-written site, and they are incremental
  (see ``build.Builder``).
* After every rebuild that changed anything the open pages reload through a
  websocket; a CSS-only change swaps the stylesheet in place. A page that
  connects after a rebuild it missed reloads at once.
* Only a folder that a build of this site made and accepted is ever served;
  a refused ``output_dir`` is not, and nor is a folder put in place of it.
  Requests are answered only for this machine's names (against DNS rebinding).
* A build error keeps the server running and the last good pages in output/;
  every page then carries an overlay with ``path:line: message``. Fixing the
  file brings the site back by itself.
* As GitHub Pages: the site is served under the base path of ``url:``
  (``/repo/``), every response says ``Access-Control-Allow-Origin: *``, files
  get Pages' MIME types, a missing path gets the site's 404 page (styled: its
  links to the public address point at the preview).
"""
from __future__ import annotations

import errno
import html
import ipaddress
import json
import mimetypes
import os
import re
import signal
import socket
import sys
import threading
import time
import traceback
import webbrowser
from dataclasses import dataclass
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

from tornado import ioloop, netutil, web, websocket
from tornado.httpserver import HTTPServer
from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from .build import Builder
from .config import CONFIG_NAME, SiteConfig, load_config
from .importer import import_listings, listing_sources
from .lock import SiteLock
from .output import MARKER, check_output_dir, recover
from .problems import Problem, UserError, error

DEBOUNCE_SECONDS = 0.15
WATCHED_DIRS = ("content", "seeds", "themes", "templates", "static")
_HEAD_END_RE = re.compile(rb"</head\s*>", re.IGNORECASE)
_BODY_END_RE = re.compile(rb"</body\s*>", re.IGNORECASE)
_IGNORED_NAME_RE = re.compile(r"(^\.#)|(~$)|(\.sw[a-p]$)|(^4913$)|(\.tmp$)|(^\.[^/]*\.tmp)")


@dataclass(frozen=True)
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = 8000
    open_browser: bool = False
    quiet: bool = False


LOCK_RETRY_SECONDS = 0.25
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)  # Ctrl-C and kill: the server stops cleanly
MAX_PATH = 4096  # longer request paths are not files of a site: 404 without asking the file system

# Content types as GitHub Pages sends them (its types come from mime-db): the same in the preview on every
# machine (Python's mimetypes reads the machine's own tables). Anything else: mimetypes, else bytes.
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8", ".htm": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8", ".js": "application/javascript; charset=utf-8",
    ".mjs": "application/javascript; charset=utf-8", ".json": "application/json; charset=utf-8",
    ".xml": "application/xml", ".atom": "application/atom+xml", ".txt": "text/plain; charset=utf-8",
    ".md": "text/markdown; charset=utf-8", ".csv": "text/csv; charset=utf-8", ".svg": "image/svg+xml",
    ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
    ".webp": "image/webp", ".avif": "image/avif", ".ico": "image/x-icon", ".pdf": "application/pdf",
    ".woff": "font/woff", ".woff2": "font/woff2", ".ttf": "font/ttf", ".otf": "font/otf",
    ".webmanifest": "application/manifest+json", ".mp4": "video/mp4", ".webm": "video/webm",
    ".bib": "application/octet-stream", ".ris": "application/octet-stream", ".nojekyll": "application/octet-stream",
}

# The page side of the reload socket: reload on a rebuild (or when the page missed one while connecting);
# a stylesheet-only change swaps that stylesheet in place. Reconnects when the server comes back.
RELOAD_SCRIPT = """\
(function () {
  "use strict";
  var me = document.currentScript, seen = me ? me.getAttribute("data-generation") : null, delay = 250;
  function swap(path) {
    var found = false, links = document.querySelectorAll('link[rel~="stylesheet"]');
    for (var i = 0; i < links.length; i++) {
      var url = new URL(links[i].href, location.href);
      if (url.origin === location.origin && url.pathname === path) {
        url.searchParams.set("reload", String(Date.now()));
        links[i].href = url.href;
        found = true;
      }
    }
    return found;
  }
  function connect() {
    var socket = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/livereload");
    socket.onopen = function () { delay = 250; };
    socket.onmessage = function (event) {
      var message = JSON.parse(event.data), generation = String(message.generation);
      if (seen === null) seen = generation;  // loaded some other way: from now on
      if (generation === seen) return;
      var css = message.css && seen !== null && Number(generation) === Number(seen) + 1 && swap(message.css);
      seen = generation;
      if (!css) location.reload();
    };
    socket.onclose = function () { setTimeout(connect, delay); delay = Math.min(delay * 2, 4000); };
  }
  connect();
})();
"""


def base_path(config: SiteConfig) -> str:
    """The path GitHub Pages will serve the site under: '/' or '/repo/'."""
    path = urlsplit(config.url).path if config.url else "/"
    return "/" + path.strip("/") + "/" if path.strip("/") else "/"


def bind_free_port(host: str, port: int, tries: int = 20) -> tuple[list[socket.socket], int]:
    """Sockets for ``port``, or for the next free port after it."""
    last: OSError | None = None
    for candidate in range(port, port + tries):
        try:
            return netutil.bind_sockets(candidate, address=host), candidate
        except OSError as exc:
            if exc.errno not in (errno.EADDRINUSE, errno.EACCES):
                raise UserError(f"cannot listen on {host}:{candidate}: {exc.strerror or exc}") from None
            last = exc
            if port == 0:
                break
    raise UserError(f"ports {port} to {port + tries - 1} on {host} are all in use ({last.strerror if last else ''}): "
                    "choose another with --port")


class _Changes(FileSystemEventHandler):
    def __init__(self, root: Path, notify: Callable[[set[Path]], None]):
        self.root = root
        self.notify = notify

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        dest = getattr(event, "dest_path", "")
        paths = {Path(dest)} if dest else {Path(event.src_path)}  # a save by rename: the file it became
        relevant = {p for p in paths if self._relevant(p, event.is_directory)}
        if relevant:
            self.notify(relevant)

    def _relevant(self, path: Path, is_directory: bool) -> bool:
        try:
            rel = path.relative_to(self.root)
        except ValueError:
            return False
        if not rel.parts or _IGNORED_NAME_RE.search(rel.name):
            return False
        if len(rel.parts) == 1:  # the site folder itself: site.yaml, or a watched folder appearing
            return rel.name == CONFIG_NAME or (is_directory and rel.name in WATCHED_DIRS)
        return rel.parts[0] in WATCHED_DIRS and not is_directory


class DevServer:
    """One site, served and rebuilt until stopped."""

    def __init__(self, root: Path, options: ServeOptions, out=sys.stdout, err=sys.stderr):
        self.root = root
        self.options = options
        self.out = out
        self.err = err
        self.config = load_config(root)
        self.builder = Builder(self.config, self.config.cache_dir, in_place=True)
        self.lock = SiteLock(root, "serve")
        self.problems: tuple[Problem, ...] = ()
        self.warned: set[Problem] = set()  # warnings printed and still there: not printed again
        self.pending: set[Path] = set()
        self.timer: object | None = None
        self.waiting = False  # another run holds the site's lock; the rebuild is retried
        self.loop: ioloop.IOLoop | None = None
        self.observer: Observer | None = None
        self.watched: set[Path] = set()
        self.sockets: set[ReloadSocket] = set()
        self.generation = 0  # counts the rebuilds the open pages were told about
        # The folder requests are answered from: only ever one that a build of this site made and accepted
        # (never config.output_path as such: a refused output_dir must not be served), and its base path.
        self.served: Path | None = None
        self.served_base = "/"
        self.served_url: str | None = None

    # ------------------------------------------------------------------ output

    def say(self, line: str) -> None:
        if not self.options.quiet:
            print(line, file=self.out, flush=True)

    def report(self, problems: tuple[Problem, ...]) -> None:
        """Print every error, and each warning once while it lasts (not again on every rebuild)."""
        for problem in problems:
            if problem.is_error or problem not in self.warned:
                print(problem, file=self.err, flush=True)
        self.warned = {p for p in problems if not p.is_error}

    # ------------------------------------------------------------------ building

    def import_listings(self) -> tuple[Problem, ...]:
        listings = sorted(p for p in self.config.seeds_dir.glob("*") if p.suffix.lower() in (".txt", ".bib", ".json"))
        if not listings:
            return ()
        sources = listing_sources(self.root, listings, None, self.config.listing_date)
        report = import_listings(sources, self.config.content_dir, cache_dir=self.config.cache_dir)
        if report.created or report.updated:
            self.say(f"{_now()} {report.summary()}")
        return report.problems

    def rebuild(self, changed: set[Path]) -> None:
        """Rebuild after ``changed`` (empty: the first build) holding the site's lock; print one line; reload
        the open pages. When another run holds the lock, try again shortly (the changes are kept)."""
        if not self.lock.try_acquire():
            if self.loop is None:  # start-up: nothing is served yet, so wait here
                self.say(f"{_now()} waiting for {self.lock.holder()} to finish with this site")
                self.lock.acquire()
            else:
                if not self.waiting:
                    self.say(f"{_now()} waiting for {self.lock.holder()} to finish with this site")
                self.waiting = True
                self.pending |= changed
                self._schedule(LOCK_RETRY_SECONDS)
                return
        self.waiting = False
        try:
            self._rebuild(changed)
        finally:
            self.lock.release()

    def _rebuild(self, changed: set[Path]) -> None:
        started = time.perf_counter()
        rel = sorted({self._rel(p) for p in changed})
        what = ", ".join(rel[:3]) + (f" and {len(rel) - 3} more" if len(rel) > 3 else "") if rel else "start"
        problems: list[Problem] = []
        try:
            if any(r == CONFIG_NAME for r in rel):
                self.config = load_config(self.root)
                self.builder = Builder(self.config, None, jobs=1, in_place=True)  # a new configuration: all again
            if not changed or any(r.startswith("seeds/") for r in rel):
                problems.extend(self.import_listings())
            result = self.builder.build()
            problems.extend(result.problems)
        except UserError as exc:
            problems.extend(exc.as_problems())
            self._failed(problems, what, started)
            return
        except OSError as exc:
            problems.append(error(str(exc.filename or self.root), None, f"{exc.strerror or exc}"))
            self._failed(problems, what, started)
            return
        except Exception as exc:  # a bug in site-builder: say so, keep serving the last good pages
            traceback.print_exc(file=self.err)
            problems.append(error("site-builder", None, f"internal error: {type(exc).__name__}: {exc} "
                                  "(a bug: please report it with the lines above)"))
            self._failed(problems, what, started)
            return
        self.report(tuple(problems))
        self.served, self.served_base, self.served_url = result.output, base_path(self.config), self.config.url
        had_errors = bool(self.problems)
        self.problems = ()
        self.say(f"{_now()} {what}: {result.rendered} pages rendered, {result.written} files written, "
                 f"{_ms(started)} ms")
        if result.written or result.removed or had_errors:
            only_css = rel and all(r.endswith(".css") for r in rel) and result.rendered == 0 and not had_errors
            self.reload(self._css_url(rel) if only_css else None)

    def _failed(self, problems: list[Problem], what: str, started: float) -> None:
        if self.served is None:
            self._accept_last_good()
        errors = tuple(p for p in problems if p.is_error) or tuple(problems)
        self.report(tuple(problems))
        had = self.problems
        self.problems = errors
        self.say(f"{_now()} {what}: build failed ({len(errors)} error{'s' if len(errors) != 1 else ''}), "
                 f"serving the last good pages, {_ms(started)} ms")
        if errors != had:
            self.reload(None)

    def _accept_last_good(self) -> None:
        """At start-up, when the first build fails: serve the previous output only if this site's
        configuration accepts the folder (not one of the site's own folders, not a foreign one) and a
        build made it (its marker is there)."""
        try:
            out = check_output_dir(self.config)
        except UserError:
            return
        if (out / MARKER).is_file():
            self.served, self.served_base, self.served_url = out, base_path(self.config), self.config.url

    def host_allowed(self, host: str) -> bool:
        """Whether a request's ``Host`` may be answered: IP addresses (a DNS rebinding attack needs a
        name), ``localhost``, the address the server was asked to bind and the host of ``url:``."""
        name = host.strip().lower().rstrip(".")
        if name.startswith("[") and name.endswith("]"):
            name = name[1:-1]
        if not name:
            return False
        try:
            ipaddress.ip_address(name)
            return True
        except ValueError:
            pass
        allowed = {"localhost", self.options.host.lower().rstrip(".")}
        if self.config.url:
            allowed.add((urlsplit(self.config.url).hostname or "").lower())
        return name in allowed or name.endswith(".localhost")

    def reload(self, css: str | None) -> None:
        """Tell every open page about a new build: reload it, or only swap the stylesheet ``css``."""
        self.generation += 1
        message = json.dumps({"generation": self.generation, "css": css})
        for socket_ in list(self.sockets):
            try:
                socket_.write_message(message)
            except websocket.WebSocketClosedError:
                self.sockets.discard(socket_)

    def _css_url(self, rel: list[str]) -> str:
        return self.served_base + "static/" + Path(rel[0]).name

    def _rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    # ------------------------------------------------------------------ watching

    def on_change(self, paths: set[Path]) -> None:
        """From the watchdog thread: hand the paths to the server's loop."""
        if self.loop is not None:
            self.loop.add_callback(self._queue, paths)

    def _queue(self, paths: set[Path]) -> None:
        self.pending |= paths
        for path in paths:
            if path.parent == self.root and path.name in WATCHED_DIRS and path.is_dir():
                self._watch(path)
        self._schedule(DEBOUNCE_SECONDS)

    def _schedule(self, seconds: float) -> None:
        if self.timer is not None:
            self.loop.remove_timeout(self.timer)
        self.timer = self.loop.call_later(seconds, self._flush)

    def _flush(self) -> None:
        self.timer = None
        changed, self.pending = self.pending, set()
        self.rebuild(changed)

    def _watch(self, folder: Path) -> None:
        if folder in self.watched or self.observer is None:
            return
        self.watched.add(folder)
        self.observer.schedule(self.handler, str(folder), recursive=folder != self.root)

    def start_watching(self) -> None:
        self.handler = _Changes(self.root, self.on_change)
        self.observer = Observer()
        self._watch(self.root)
        for name in WATCHED_DIRS:
            if (self.root / name).is_dir():
                self._watch(self.root / name)
        self.observer.daemon = True
        self.observer.start()

    # ------------------------------------------------------------------ serving

    @property
    def base(self) -> str:
        return self.served_base

    def application(self) -> web.Application:
        return web.Application([
            (r"/livereload", ReloadSocket, {"server": self}),
            (r"/livereload\.js", ReloadScript, {"server": self}),
            (r"(.*)", SiteHandler, {"server": self}),
        ], log_function=lambda handler: None)

    def run(self) -> int:
        options = self.options
        sockets, port = bind_free_port(options.host, options.port)
        if options.port and port != options.port:
            self.say(f"port {options.port} is in use; using {port} instead")
        self.rebuild(set())
        self.builder.jobs = 1  # from now on threads run: no forking
        self.builder.state_file = None  # keep what it knows in memory while serving
        self.loop = ioloop.IOLoop.current()
        server = HTTPServer(self.application())
        server.add_sockets(sockets)
        url = f"http://{'127.0.0.1' if options.host in ('', '0.0.0.0') else options.host}:{port}{self.base}"
        self._stop_on_signals()
        try:  # from here on Ctrl-C, whenever it comes, stops the server cleanly
            self.start_watching()
            self.say(f"Serving {self.served or 'nothing yet (the build failed)'} on {url} (Ctrl-C to stop)")
            if options.open_browser:
                threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()
            self.loop.start()
        except KeyboardInterrupt:
            pass
        finally:
            self.stop(server)
        return 0

    def _stop_on_signals(self) -> None:
        """Ctrl-C and SIGTERM stop the loop from its next turn.

        Through asyncio's ``add_signal_handler``, which makes the signal write to the loop's wake-up pipe: the
        kernel may hand a signal sent to the process to any of its threads (a watchdog thread waking from its
        one-second wait takes it as readily as the loop's), and a handler set with ``signal.signal`` then only
        runs when the loop's thread next runs Python code. With nothing due, the loop waits in ``epoll`` for
        ever: the server printed "Serving" and did not stop on Ctrl-C (1 run in 20 under load;
        ``tests/test_serve_safety.py`` sends the signal to a watchdog thread). Not a KeyboardInterrupt either:
        raised wherever the signal lands it could be swallowed (Python only prints "Exception ignored" when it
        interrupts a weakref callback or a finalizer), leaving the server running."""
        loop = self.loop.asyncio_loop
        for signum in STOP_SIGNALS:
            try:
                loop.add_signal_handler(signum, loop.stop)
            except NotImplementedError:  # Windows: Ctrl-C raises KeyboardInterrupt in the loop's thread
                pass

    def stop(self, server: HTTPServer) -> None:
        for signum in STOP_SIGNALS:  # a second Ctrl-C while stopping: Python's own handling
            try:
                self.loop.asyncio_loop.remove_signal_handler(signum)
            except NotImplementedError:
                pass
        server.stop()
        if self.observer is not None:
            self.observer.stop()
            self.observer.join(timeout=5)
        if self.served is not None and self.lock.try_acquire():
            try:
                recover(self.served)
            finally:
                self.lock.release()
        self.say("stopped")


class _Guarded:
    """Answers only requests for this machine's names (a page elsewhere must not read the preview through
    DNS rebinding), and says, as GitHub Pages does, that any page may fetch what it answers."""

    server: DevServer

    def set_default_headers(self) -> None:
        self.set_header("Cache-Control", "no-store")
        self.set_header("Access-Control-Allow-Origin", "*")

    def prepare(self) -> None:
        if not self.server.host_allowed(self.request.host_name):
            self.set_status(403)
            self.set_header("Content-Type", "text/plain; charset=utf-8")
            self.finish(f"Host {self.request.host!r} is not served here: use http://localhost or the address "
                        "the preview printed (a page elsewhere must not read the preview).\n")


class ReloadSocket(_Guarded, websocket.WebSocketHandler):
    """The open pages' line to the server. Only pages of the preview itself may connect (tornado's own
    same-origin check is kept: the ``Origin`` must be the ``Host``)."""

    def initialize(self, server: DevServer) -> None:
        self.server = server

    def set_default_headers(self) -> None:
        pass  # an upgrade answer carries no CORS header: other origins are refused

    def open(self) -> None:
        self.server.sockets.add(self)
        self.write_message(json.dumps({"generation": self.server.generation, "css": None}))

    def on_message(self, message) -> None:
        pass

    def on_close(self) -> None:
        self.server.sockets.discard(self)


class ReloadScript(_Guarded, web.RequestHandler):
    def initialize(self, server: DevServer) -> None:
        self.server = server

    def get(self) -> None:
        self.set_header("Content-Type", CONTENT_TYPES[".js"])
        self.finish(RELOAD_SCRIPT)


class SiteHandler(_Guarded, web.StaticFileHandler):
    """Serves the accepted output folder under the base path with tornado's static file handler; HTML
    gets the reload script and any error overlay."""

    def initialize(self, server: DevServer) -> None:  # type: ignore[override]
        super().initialize(path="/nonexistent", default_filename="index.html")
        self.server = server
        self.html: bytes | None = None
        self.out: Path | None = None

    async def get(self, path: str, include_body: bool = True) -> None:
        out = self.server.served
        if out is None or not (out / MARKER).is_file():  # no build accepted yet, or the folder was replaced
            self._page(503, b"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>No site yet</title></head>"
                            b"<body><h1>No site yet</h1></body></html>")
            return
        self.out = out
        base = self.server.served_base
        if not path.startswith(base):
            if base.startswith(path.rstrip("/") + "/"):
                self.redirect(base)
            else:
                self._not_found()
            return
        rel = path[len(base):]
        if len(path) > MAX_PATH or "\x00" in rel or rel.startswith("/") or "\\" in rel:
            self._not_found()  # not a file of the site (and never a redirect to //elsewhere)
            return
        self.root = str(out)
        await super().get(rel, include_body)

    def validate_absolute_path(self, root: str, absolute_path: str) -> str | None:
        try:
            path = super().validate_absolute_path(root, absolute_path)
        except (ValueError, OSError):  # a name the file system refuses (too long, a NUL): not a file here
            raise web.HTTPError(404) from None
        if path is not None and path.endswith((".html", ".htm")):
            self.html = self._decorate(Path(path).read_bytes())
        return path

    def get_content_size(self) -> int:
        return len(self.html) if self.html is not None else super().get_content_size()

    def get_content(self, abspath: str, start: int | None = None, end: int | None = None):  # type: ignore[override]
        if self.html is not None:
            return self.html[start:end]
        return super().get_content(abspath, start, end)

    def get_content_type(self) -> str:
        return content_type(self.absolute_path)

    def compute_etag(self) -> str | None:
        return None  # a page's bytes change with the overlay: no ETag, no 304

    def should_return_304(self) -> bool:
        return False

    def write_error(self, status_code: int, **kwargs) -> None:
        if status_code in (403, 404):  # outside the folder, not a file, missing: as Pages, the site's 404
            self._not_found()
        else:
            self.set_header("Content-Type", "text/plain; charset=utf-8")
            self.finish(f"{status_code} {self._reason}\n")

    def _not_found(self) -> None:
        out = self.out or self.server.served
        page = out / "404.html" if out is not None else None
        if page is not None and page.is_file() and (out / MARKER).is_file():
            body = page.read_bytes()
            public = (self.server.served_url or "").encode()
            if public and public != self.server.served_base.encode():
                # 404.html links to the public address (it is served at any depth): in the preview, here
                for quote in (b'"', b"'"):
                    body = body.replace(b"=" + quote + public, b"=" + quote + self.server.served_base.encode())
        else:
            body = (b"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Not found</title></head>"
                    b"<body><h1>Not found</h1></body></html>")
        self._page(404, body)

    def _page(self, status: int, body: bytes) -> None:
        self.set_status(status)
        self.set_header("Content-Type", CONTENT_TYPES[".html"])
        self.finish(self._decorate(body))

    def _decorate(self, body: bytes) -> bytes:
        script = f'<script src="/livereload.js" data-generation="{self.server.generation}"></script>'.encode()
        match = _HEAD_END_RE.search(body)
        body = body[:match.start()] + script + body[match.start():] if match else script + body
        if self.server.problems:
            overlay = error_overlay(self.server.problems).encode("utf-8")
            match = _BODY_END_RE.search(body)
            body = body[:match.start()] + overlay + body[match.start():] if match else body + overlay
        return body


def content_type(path: str) -> str:
    """The Content-Type GitHub Pages sends for ``path``."""
    name = os.path.basename(path).lower()
    suffix = os.path.splitext(name)[1] or name  # ".nojekyll" is all suffix
    if suffix in CONTENT_TYPES:
        return CONTENT_TYPES[suffix]
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def error_overlay(problems: tuple[Problem, ...]) -> str:
    # Every colour is set on every element (the page's own CSS, light or dark, must not reach into the overlay):
    # light text on an opaque near-black, at WCAG AA contrast and more.
    text = "color:#f5f5f7;background:transparent;"
    items = "".join(f'<li style="{text}margin:0 0 .5rem"><code style="{text}font:14px/1.5 ui-monospace,Menlo,'
                    f'Consolas,monospace;padding:0;border:0;white-space:pre-wrap;overflow-wrap:anywhere">'
                    f"{html.escape(str(p))}</code></li>" for p in problems)
    return (
        '<div id="site-builder-error" role="alert" style="position:fixed;inset:0;z-index:2147483647;'
        "overflow:auto;background:#141418;color:#f5f5f7;font:15px/1.5 system-ui,sans-serif;text-align:left;"
        'padding:2rem;color-scheme:dark"><h2 style="color:#ff9e94;background:transparent;margin:0 0 1rem;'
        'font:700 1.4rem/1.3 system-ui,sans-serif">The build failed</h2>'
        f'<ul style="{text}padding-left:1.2rem;margin:0 0 1rem;list-style:disc">{items}</ul>'
        f'<p style="{text}margin:0">The last good pages are still in output/. Fix the file and save: this page '
        "reloads by itself.</p></div>"
    )


def _now() -> str:
    return time.strftime("%H:%M:%S")


def _ms(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)


def serve(root: Path, options: ServeOptions) -> int:
    return DevServer(root, options).run()
