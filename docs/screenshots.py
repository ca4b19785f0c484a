#!/usr/bin/env python3
"""Screenshots of every theme with headless Chromium, for the README gallery and for looking at the pages.

    python docs/screenshots.py               # or: make screenshots  (the README gallery, into docs/)
    python docs/screenshots.py --all DIR     # every page kind x phone (390x844) and desktop (1366x900)
                                             # x light and dark, into DIR, to look at

Builds this repository's site once per theme into a temporary folder (with a profile in site.yaml, so the
index shows one) and photographs it with Debian's Chromium through Playwright.
"""
from __future__ import annotations

import argparse
import functools
import http.server
import shutil
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from site_builder.build import Builder  # noqa: E402
from site_builder.config import load_config  # noqa: E402

PAPER = "papers/lottery-ticket-adaptation-mitigating-destructive/index.html"
PAGES = {"index": "index.html", "paper": PAPER, "tag": "tags/lg/index.html",
         "author": "authors/ashwinee-panda/index.html", "authors": "authors/index.html", "tags": "tags/index.html",
         "404": "404.html", "embed": "embed/builder.html", "widget": "widget-host.html"}
# A host page (light or dark as the visitor's setting) with the embed widget, auto and themed, and the fragment.
HOST = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>A lab's homepage</title><script src="embed.js" defer></script><style>html { color-scheme: light dark; }
body { background: Canvas; color: CanvasText; font: 16px/1.5 Georgia, serif; max-width: 50rem; margin: 1rem auto; padding: 0 1rem; }
@media (prefers-color-scheme: dark) { a:link, a:visited { color: #8ab4f8; } }</style></head><body>
<h1>A lab's homepage</h1><h2>&lt;publication-list&gt;</h2><publication-list limit="3" group-by="none"></publication-list>
<h2>theme="light", theme="dark"</h2><publication-list limit="1" theme="light"></publication-list>
<publication-list limit="1" theme="dark"></publication-list><h2>embed/fragment.html</h2>FRAGMENT</body></html>"""
VIEWPORTS = {"phone": (390, 844), "desktop": (1366, 900)}
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
# The gallery: (theme, page, viewport, scheme) -> docs/<theme>-<page>-<scheme>.png (desktop) or -phone.png
GALLERY = [(t, p, "desktop", s) for t in ("default", "minimal", "cards") for p in ("index", "paper")
           for s in ("light", "dark")] + [(t, p, "phone", "light") for t in ("default", "minimal", "cards")
                                          for p in ("index", "paper")]
PROFILE = """
profile:
  name: Ashwinee Panda
  links:
    github: https://github.com/kiddyboots216
"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def gallery_name(theme: str, page: str, viewport: str, scheme: str) -> str:
    return f"{theme}-{page}-{scheme}.png" if viewport == "desktop" else f"{theme}-{page}-phone.png"


def build(theme: str, tmp: Path) -> Path:
    site = tmp / theme
    shutil.copytree(ROOT, site, ignore=shutil.ignore_patterns(".git", ".venv", "output", ".cache", "bench", "tests",
                                                              "docs", "build", "*.egg-info", ".tools"))
    config = (site / "site.yaml").read_text()
    (site / "site.yaml").write_text(config.replace("theme: default", f"theme: {theme}") + PROFILE)
    record = site / "content" / "papers" / "lottery-ticket-adaptation-mitigating-destructive.md"
    record.write_text(record.read_text().replace("links:\n", "links:\n  arxiv: https://arxiv.org/abs/2406.16797\n"))
    Builder(load_config(site)).build()
    out = site / "output"
    fragment = (out / "embed" / "fragment.html").read_text().replace('href="../', 'href="')
    items = fragment.split("  </li>\n")
    (out / PAGES["widget"]).write_text(HOST.replace("FRAGMENT", "  </li>\n".join(items[:3]) + "  </li>\n</ul>"))
    return out


def main() -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", metavar="DIR", help="every page kind, both sizes, light and dark, into DIR")
    args = parser.parse_args()
    if args.all:
        shots = [(t, p, v, s) for t in ("default", "minimal", "cards") for p in PAGES for v in VIEWPORTS
                 for s in ("light", "dark")]
        target = Path(args.all)
        target.mkdir(parents=True, exist_ok=True)
    else:
        shots, target = GALLERY, ROOT / "docs"
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for theme in sorted({s[0] for s in shots}):
            out = build(theme, Path(tmp))
            # over HTTP, as the site is served: the widget and the builder page's preview read papers.json
            server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(out)))
            threading.Thread(target=server.serve_forever, daemon=True).start()
            base = f"http://127.0.0.1:{server.server_address[1]}/"
            for _theme, page, viewport, scheme in (s for s in shots if s[0] == theme):
                width, height = VIEWPORTS[viewport]
                tab = browser.new_page(viewport={"width": width, "height": height}, color_scheme=scheme)
                tab.goto(base + PAGES[page])
                if page in ("widget", "embed"):
                    tab.wait_for_function("() => [...document.querySelectorAll('publication-list')].every("
                                          "l => l.shadowRoot && l.shadowRoot.querySelector('li'))", timeout=20000)
                name = (f"{theme}-{page}-{viewport}-{scheme}.png" if args.all
                        else gallery_name(theme, page, viewport, scheme))
                tab.screenshot(path=str(target / name))
                tab.close()
            server.shutdown()
            server.server_close()
            print(f"{theme}: done")
        browser.close()


if __name__ == "__main__":
    main()
