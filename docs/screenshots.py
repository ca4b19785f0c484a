#!/usr/bin/env python3
"""Screenshots of every theme's index and paper page (light and dark) with headless Chromium, into docs/.

    python docs/screenshots.py        # or: make screenshots

Builds this repository's site once per theme into a temporary folder and photographs it with
Debian's Chromium through Playwright.
"""
from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from site_builder.build import Builder  # noqa: E402
from site_builder.config import load_config  # noqa: E402

PAGES = {"index": "index.html", "paper": "papers/lottery-ticket-adaptation-mitigating-destructive/index.html"}
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


def main() -> None:
    from playwright.sync_api import sync_playwright

    themes = sorted(p.name for p in (ROOT / "themes").iterdir() if (p / "templates").is_dir())
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for theme in themes:
            site = Path(tmp) / theme
            shutil.copytree(ROOT, site, ignore=shutil.ignore_patterns(".git", ".venv", "output", ".cache", "bench",
                                                                       "tests", "docs", "build", "*.egg-info"))
            config = (site / "site.yaml").read_text()
            (site / "site.yaml").write_text(config.replace("theme: default", f"theme: {theme}"))
            Builder(load_config(site)).build()
            for scheme in ("light", "dark"):
                page = browser.new_page(viewport={"width": 1200, "height": 900}, color_scheme=scheme)
                for name, url in PAGES.items():
                    page.goto((site / "output" / url).as_uri())
                    page.screenshot(path=str(ROOT / "docs" / f"{theme}-{name}-{scheme}.png"))
                page.close()
            print(f"{theme}: done")
        browser.close()


if __name__ == "__main__":
    main()
