"""The dev server answers only from a folder a build of this site made and accepted, and only to its own
host names (issue 18 items 1 and 10)."""
from __future__ import annotations

import ctypes
import http.client
import os
import platform
import signal
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest

from browser import ServerProcess, free_port
from conftest import make_site

CONFIG = "title: T\nlisting_date: 2025-01-01\n"

pytestmark = pytest.mark.slow  # each test starts a dev server in a process (1 to 3 s each)


def request(url: str, path: str, host: str | None = None, method: str = "GET",
            headers: dict | None = None) -> tuple[int, dict[str, str], bytes]:
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.putrequest(method, path, skip_host=True)
        conn.putheader("Host", host if host is not None else parts.netloc)
        for name, value in (headers or {}).items():
            conn.putheader(name, value)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


@pytest.fixture
def stoppable():
    servers = []

    def start(site: Path) -> ServerProcess:
        server = ServerProcess(site, "--port", str(free_port()))
        servers.append(server)
        return server

    yield start
    for server in servers:
        assert server.stop() == 0, server.output()
        assert "Traceback" not in server.output()


def _refused_site(tmp_path: Path, kind: str) -> tuple[Path, str, bytes]:
    """A site whose output_dir is refused, and the URL path and bytes of a file that must not be served."""
    site = make_site(tmp_path / "site", config=CONFIG)
    secret = b"SECRET-" + kind.encode()
    if kind == "root":
        return site, "/etc/passwd", b"root:"
    if kind == "parent":
        (tmp_path / "secret.txt").write_bytes(secret)
        return site, "/secret.txt", secret
    if kind == "site":
        return site, "/site.yaml", b"title: T"
    (site / "foreign").mkdir()
    (site / "foreign" / "secret.txt").write_bytes(secret)
    return site, "/secret.txt", secret


OUTPUT_DIRS = {"root": "/", "parent": "..", "site": ".", "foreign": "foreign"}


@pytest.mark.parametrize("kind", sorted(OUTPUT_DIRS))
def test_a_refused_output_dir_is_never_served_from_the_start(tmp_path, stoppable, kind):
    site, path, secret = _refused_site(tmp_path, kind)
    (site / "site.yaml").write_text(CONFIG + f"output_dir: {OUTPUT_DIRS[kind]!r}\n")
    server = stoppable(site)
    assert "build failed" in server.output()
    status, _headers, body = request(server.url, path)
    assert secret not in body
    assert status == 503
    assert b"site.yaml" in body or b"output_dir" in body  # the page says what is wrong
    status, _headers, body = request(server.url, "/")
    assert status == 503 and secret not in body


@pytest.mark.parametrize("kind", sorted(OUTPUT_DIRS))
def test_output_dir_changed_to_a_refused_folder_while_serving_keeps_the_last_good_site(tmp_path, stoppable, kind):
    site, path, secret = _refused_site(tmp_path, kind)
    server = stoppable(site)
    status, _headers, body = request(server.url, "/")
    assert status == 200 and b"Seeing Things" in body
    (site / "site.yaml").write_text(CONFIG + f"output_dir: {OUTPUT_DIRS[kind]!r}\n")
    server.wait_for_line("build failed")
    status, _headers, body = request(server.url, path)
    assert status == 404 and secret not in body
    status, _headers, body = request(server.url, "/")
    assert status == 200 and b"Seeing Things" in body  # the last good pages, from output/
    assert b"output_dir" in body  # with the error shown over them


def test_a_foreign_folder_put_in_place_of_the_output_is_not_served(tmp_path, stoppable):
    site = make_site(tmp_path / "site", config=CONFIG)
    server = stoppable(site)
    out = site / "output"
    out.rename(tmp_path / "moved")
    out.mkdir()
    (out / "secret.txt").write_bytes(b"SECRET")
    status, _headers, body = request(server.url, "/secret.txt")
    assert status == 503 and b"SECRET" not in body


def test_first_build_failing_serves_the_previous_output_of_this_site(tmp_path, stoppable):
    site = make_site(tmp_path / "site", config=CONFIG)
    server = stoppable(site)
    assert request(server.url, "/")[0] == 200
    assert server.stop() == 0
    record = site / "content" / "papers" / "seeing-things.md"
    record.write_text(record.read_text().replace("title: Seeing Things", "title: [Seeing Things"))
    server = stoppable(site)
    status, _headers, body = request(server.url, "/")
    assert status == 200 and b"Private Learning" in body and b"site-builder-error" in body


HOSTS = {"localhost": True, "127.0.0.1": True, "LOCALHOST.": True, "app.localhost": True, "[::1]": True,
         "evil.example": False, "127.0.0.1.nip.io": False, "": False, "localhost.evil.example": False}


def test_only_own_host_names_are_answered(tmp_path, stoppable):
    site = make_site(tmp_path / "site", config=CONFIG)
    server = stoppable(site)
    port = urllib.parse.urlsplit(server.url).port
    for host, allowed in HOSTS.items():
        status, _headers, body = request(server.url, "/", host=f"{host}:{port}" if host else "")
        if allowed:
            assert (host, status) == (host, 200) and b"Seeing Things" in body
        else:
            assert (host, status) == (host, 403) and b"Seeing Things" not in body


def test_the_host_of_url_is_answered(tmp_path, stoppable):
    site = make_site(tmp_path / "site", config="title: T\nurl: https://lab.example.org/\nlisting_date: 2025-01-01\n")
    server = stoppable(site)
    assert request(server.url, "/", host="lab.example.org")[0] == 200
    assert request(server.url, "/", host="other.example.org")[0] == 403


# ---------------------------------------------------------------- odd requests (issue 18 item 10)

def test_odd_paths_answer_404_without_a_traceback(tmp_path, stoppable):
    site = make_site(tmp_path / "site", config=CONFIG)
    server = stoppable(site)
    for path in ["/%00", "/a%00b/index.html", "/" + "a" * 5000, "/" + "b" * 300 + "/index.html",
                 "/papers/%2e%2e/%2e%2e/site.yaml", "/..%2fsite.yaml", "/%5c..%5csite.yaml"]:
        status, headers, body = request(server.url, path)
        assert (path[:20], status) == (path[:20], 404) and b"title: T" not in body
    assert "Traceback" not in server.output()


def test_a_symlinked_index_html_leading_outside_is_not_served(tmp_path, stoppable):
    site = make_site(tmp_path / "site", config=CONFIG)
    server = stoppable(site)
    (tmp_path / "secret.html").write_text("<p>SECRET</p>")
    (site / "output" / "sub").mkdir()
    (site / "output" / "sub" / "index.html").symlink_to(tmp_path / "secret.html")
    (site / "output" / "link.html").symlink_to(tmp_path / "secret.html")
    for path in ["/sub/", "/sub/index.html", "/link.html"]:
        status, _headers, body = request(server.url, path)
        assert (path, status) == (path, 404) and b"SECRET" not in body


def test_a_double_slash_never_redirects_to_another_host(tmp_path, stoppable):
    site = make_site(tmp_path / "site", config=CONFIG)
    server = stoppable(site)
    out = (site / "output").resolve()
    for path in [f"/{out}/tags", f"//{out}/tags", "//example.org/tags", "//example.org", "///example.org/x"]:
        status, headers, _body = request(server.url, path)
        location = headers.get("location", "")
        assert not location.startswith("//") and "example.org" not in location, (path, status, location)


def _upgrade(url: str, origin: str | None) -> int:
    headers = {"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13",
               "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}
    if origin is not None:
        headers["Origin"] = origin
    return request(url, "/livereload", headers=headers)[0]


def test_the_reload_socket_takes_only_pages_of_the_preview(tmp_path, stoppable):
    site = make_site(tmp_path / "site", config=CONFIG)
    server = stoppable(site)
    here = server.url.rstrip("/")
    assert _upgrade(server.url, here) == 101
    assert _upgrade(server.url, "http://evil.example") == 403
    assert _upgrade(server.url, "http://localhost:1") == 403  # another port is another origin
    assert _upgrade(server.url, "null") == 403


# ---------------------------------------------------------------- like GitHub Pages (issue 19 item 7)

def test_every_answer_allows_any_origin_and_has_pages_content_types(tmp_path, stoppable):
    site = make_site(tmp_path / "site")  # url: https://example.github.io/repo/
    server = stoppable(site)
    expected = {
        "index.html": "text/html; charset=utf-8", "static/style.css": "text/css; charset=utf-8",
        "embed.js": "application/javascript; charset=utf-8", "papers.json": "application/json; charset=utf-8",
        "feed.xml": "application/xml", "robots.txt": "text/plain; charset=utf-8",
        "static/favicon.svg": "image/svg+xml", "papers.bib": "application/octet-stream",
        "nope/": "text/html; charset=utf-8",
    }
    for path, kind in expected.items():
        status, headers, _body = request(server.url, urllib.parse.urlsplit(server.url).path + path)
        assert (path, headers.get("content-type")) == (path, kind)
        assert headers.get("access-control-allow-origin") == "*", path
        assert status == (404 if path == "nope/" else 200)
    status, headers, _body = request(server.url, "/")  # the redirect to /repo/ too
    assert status in (301, 302) and headers.get("access-control-allow-origin") == "*"


def test_the_404_page_under_the_base_path_is_styled_from_the_preview(tmp_path, stoppable):
    import re
    site = make_site(tmp_path / "site")  # url: https://example.github.io/repo/
    server = stoppable(site)
    status, _headers, body = request(server.url, "/repo/no/such/page/")
    assert status == 404
    text = body.decode()
    sheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', text)
    assert sheets and all(href.startswith("/repo/") for href in sheets), sheets  # from the preview itself
    for href in sheets:
        assert request(server.url, href)[0] == 200, href
    assert "https://example.github.io/repo/static" not in text


def test_the_no_url_warning_is_printed_once_per_server(tmp_path, stoppable):
    site = make_site(tmp_path / "site", config=CONFIG)
    server = stoppable(site)
    record = site / "content" / "papers" / "seeing-things.md"
    for title in ("Seen Once", "Seen Twice"):
        record.write_text(record.read_text().replace("title: Seeing Things", f"title: {title}")
                          .replace("title: Seen Once", f"title: {title}"))
        server.wait_for_line(f"seeing-things.md: ")
        server.seen = [line for line in server.seen if "seeing-things.md: " not in line or "warning" in line]
    assert server.output().count("no url: set") == 1


def test_an_error_names_its_file(tmp_path, stoppable):
    site = make_site(tmp_path / "site", config=CONFIG)
    server = stoppable(site)
    (site / "site.yaml").write_text(CONFIG + "theme: nonesuch\n")
    server.wait_for_line("build failed")
    assert "site.yaml: theme 'nonesuch' not found" in server.output()
    _status, _headers, body = request(server.url, "/")
    assert b"site.yaml: theme &#x27;nonesuch&#x27; not found" in body


def test_the_server_does_not_use_livereload(tmp_path):
    code = "import sys, site_builder.serve; print('livereload' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"


# tgkill(2): a signal to one thread of a process (Python has no wrapper for it)
TGKILL = {"x86_64": 234, "aarch64": 131}.get(platform.machine())


@pytest.mark.skipif(sys.platform != "linux" or TGKILL is None, reason="tgkill(2) by number, Linux x86_64/aarch64")
def test_ctrl_c_stops_the_server_whichever_of_its_threads_the_kernel_hands_it_to(tmp_path, stoppable):
    """A Ctrl-C is sent to the process, and the kernel gives it to whichever thread takes it first: now and
    then a watchdog thread waking from its one-second wait. Here it is sent to such a thread on purpose. With a
    handler set by ``signal.signal`` the idle loop slept on in ``epoll`` and the server never stopped (it was
    1 run in 20 of a test's teardown under load)."""
    site = make_site(tmp_path / "site", config=CONFIG)
    server = stoppable(site)
    pid = server.proc.pid
    time.sleep(1.5)  # nothing due on the loop: it waits in epoll with no timeout
    others = sorted(int(t) for t in os.listdir(f"/proc/{pid}/task") if int(t) != pid)
    assert others, "the watchdog threads"
    libc = ctypes.CDLL(None, use_errno=True)
    assert libc.syscall(TGKILL, pid, others[-1], int(signal.SIGINT)) == 0, os.strerror(ctypes.get_errno())
    try:
        assert server.proc.wait(timeout=10) == 0
    except subprocess.TimeoutExpired:
        raise AssertionError("the server did not stop on a Ctrl-C taken by one of its other threads") from None
    assert server.output().endswith("stopped")
