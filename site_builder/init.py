"""``site-builder init DIR``: a new site folder that builds with the shipped themes."""
from __future__ import annotations

import subprocess
from pathlib import Path

from .problems import UserError

EXAMPLE_LISTING = """\
LGMar 9, 2024Code
An Example Paper About Sparse ModelsAda Lovelace, Alan Turing et al. · cambridge
We show that sparse models with $\\varepsilon \\le 1$ are \\emph{fast}. Code: https://github.com/example/sparse.
CRJun 12
Another Example on Private LearningGrace Hopper, Ada Lovelace
Differential privacy at $<5\\%$ overhead; see \\href{https://example.org}{the project page}.
"""

SITE_YAML = """\
# site-builder configuration. Every key is optional; an unknown key is an error.
title: {title}
# description: One sentence about the site.
# owner: Ada Lovelace                       # shown in bold in every author list
# url: https://USER.github.io/REPO/         # where the site will be published (feeds, sitemap, canonical links)
# cname: pubs.example.org                   # a custom domain for GitHub Pages
theme: default
# listing_date: 2026-01-31                  # the day the listing was copied: year-less dates resolve against it
# macros:                                   # TeX macros used outside math in abstracts
#   algoname: SparseFed
# paginate: 100                             # papers per list page (default: 250)
# feed_size: 20                             # papers in the Atom feeds
output_dir: output
"""

MAKEFILE = """\
# make build: import seeds/ and build output/. make serve: live preview. make publish: push to gh-pages.
SITE_BUILDER ?= site-builder

build:
\t$(SITE_BUILDER) import
\t$(SITE_BUILDER) build

serve:
\t$(SITE_BUILDER) serve

publish: build
\t$(SITE_BUILDER) publish

.PHONY: build serve publish
"""

WORKFLOW = """\
# Build the site and publish it on GitHub Pages (Settings -> Pages -> Source: GitHub Actions).
name: Publish to GitHub Pages

on:
  push:
    branches: [main]
  workflow_dispatch:

permissions:
  contents: read
  pages: write
  id-token: write

concurrency:
  group: pages
  cancel-in-progress: false

jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - uses: actions/configure-pages@v5
      - name: Install site-builder
        run: pip install "{source}"
      - name: Build the site
        run: make build
      - uses: actions/upload-pages-artifact@v3
        with:
          path: output

  deploy:
    needs: build
    runs-on: ubuntu-latest
    environment:
      name: github-pages
      url: ${{{{ steps.deployment.outputs.page_url }}}}
    steps:
      - id: deployment
        uses: actions/deploy-pages@v4
"""

README = """\
# {title}

Built with site-builder.

- `make build`: imports `seeds/*.txt` into `content/papers/` and builds `output/`.
- `make serve`: live preview on http://127.0.0.1:8000/.
- Edit `site.yaml` (title, owner, url, ...) and the records in `content/papers/`; your edits survive imports.
- Publish: push to GitHub and switch Pages on (Settings -> Pages -> Source: GitHub Actions); the workflow in
  `.github/workflows/pages.yml` builds and deploys on every push. Or run `make publish` to push `output/`
  to a `gh-pages` branch.
"""

GITIGNORE = "/output/\n/.cache/\n/.output.*\n"


def install_source() -> str:
    """How the new site's workflow installs site-builder: this checkout's git remote when there is one."""
    checkout = Path(__file__).resolve().parent.parent
    if (checkout / "pyproject.toml").is_file():
        try:
            remote = subprocess.run(["git", "-C", str(checkout), "config", "--get", "remote.origin.url"],
                                    capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            remote = ""
        if remote.startswith(("https://", "git@", "ssh://")):
            if remote.startswith("git@"):
                remote = "ssh://" + remote.replace(":", "/", 1)
            return f"site-builder @ git+{remote}"
    return "site-builder @ git+https://github.com/OWNER/site-builder"


def init_site(folder: Path, title: str = "Publications") -> list[Path]:
    """Create a new site in ``folder`` (which must be empty or absent); returns the files made."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise UserError(f"{folder} already exists and is not empty: choose a new folder")
    files = {
        "site.yaml": SITE_YAML.format(title=title),
        "seeds/publications.txt": EXAMPLE_LISTING,
        "content/papers/.gitkeep": "",
        ".github/workflows/pages.yml": WORKFLOW.format(source=install_source()),
        "Makefile": MAKEFILE,
        "README.md": README.format(title=title),
        ".gitignore": GITIGNORE,
    }
    made = []
    for rel, text in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        made.append(path)
    return made
