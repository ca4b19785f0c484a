"""The README and docs/ stay true: every table of keys matches the declarations, every link resolves."""
from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from conftest import ROOT
from site_builder.cli import make_parser
from site_builder import schema
from site_builder.config import KEYS

DOCS = ROOT / "docs"
PAGES = sorted(DOCS.glob("*.md"))
LINK_RE = re.compile(r"\]\(([^)\s]+)\)|<img src=\"([^\"]+)\"")


def table_keys(path: Path, heading: str = "key") -> list[str]:
    """The first-column names of every markdown table whose header's first cell is ``heading``:
    `` `a` ``, `` `a`, `b` `` and ``anything else`` rows give their backquoted names."""
    keys: list[str] = []
    in_table = False
    for line in path.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.startswith("|") else None
        if cells is None:
            in_table = False
        elif cells[0] == heading:
            in_table = True
        elif in_table and not set(cells[0]) <= set("-: "):
            keys.extend(re.findall(r"`([^`]+)`", cells[0]))
    return keys


def github_anchor(heading: str) -> str:
    """The anchor GitHub gives a markdown heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"(?ms)^```.*?^```", "", text)
    return {github_anchor(m) for m in re.findall(r"(?m)^#+ (.*)$", text)}


def test_the_docs_have_one_page_per_subject():
    names = {p.name for p in PAGES}
    for name in ("README.md", "listing.md", "records.md", "bibtex-csl.md", "configuration.md", "themes.md",
                 "cli.md", "embedding.md", "performance.md", "reliability.md", "deploy.md", "preview.md"):
        assert name in names
    index = (DOCS / "README.md").read_text(encoding="utf-8")
    for page in PAGES:
        if page.name != "README.md":
            assert f"]({page.name})" in index, f"docs/README.md does not list {page.name}"


def test_every_config_key_is_documented_and_no_other():
    documented = table_keys(DOCS / "configuration.md")
    declared = [k.name for k in KEYS]
    assert sorted(set(documented)) == sorted(declared), (
        f"undocumented: {sorted(set(declared) - set(documented))}, "
        f"documented but not keys: {sorted(set(documented) - set(declared))}")
    assert len(documented) == len(set(documented))


def test_every_record_key_is_documented_and_no_other():
    documented = table_keys(DOCS / "records.md")
    assert documented == list(schema.KEY_ORDER), (
        f"undocumented: {sorted(set(schema.KEY_ORDER) - set(documented))}, "
        f"documented but not keys: {sorted(set(documented) - set(schema.KEY_ORDER))}")


def test_the_bibtex_and_csl_mapping_names_only_record_keys():
    named = table_keys(DOCS / "bibtex-csl.md", heading="record")
    assert len(named) >= 10
    not_keys = [name for name in named if name.split(".")[0] not in schema.BY_NAME]
    assert not_keys == []


def test_every_command_is_documented_and_no_other():
    parser = make_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    documented = re.findall(r"(?m)^\| `site-builder ([a-z-]+)", text)
    assert sorted(documented) == sorted(commands)
    for name, sub in commands.items():  # every option of every command appears on the page
        for action in sub._actions:
            for flag in action.option_strings:
                if flag.startswith("--") and flag not in ("--help", "--site", "--quiet"):
                    assert flag in text, f"site-builder {name} {flag} is not in docs/cli.md"


@pytest.mark.parametrize("page", [ROOT / "README.md", *PAGES], ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_relative_link_resolves(page):
    broken = []
    for match in LINK_RE.finditer(page.read_text(encoding="utf-8")):
        target = match.group(1) or match.group(2)
        if re.match(r"[a-z]+:", target):
            continue
        file_part, _, anchor = target.partition("#")
        dest = (page.parent / file_part).resolve() if file_part else page
        if not dest.exists():
            broken.append(target)
        elif anchor and dest.suffix == ".md" and anchor not in anchors(dest):
            broken.append(target)
    assert broken == []


def test_table_keys_reads_backquoted_names(tmp_path):
    page = tmp_path / "p.md"
    page.write_text("| key | meaning |\n|---|---|\n| `a` | x |\n| `b`, `c` | y |\n| anything else | z |\n\n"
                    "| other | x |\n|---|---|\n| `d` | no |\n", encoding="utf-8")
    assert table_keys(page) == ["a", "b", "c"]
    assert github_anchor("What a build remembers") == "what-a-build-remembers"
    assert github_anchor("Live preview: `make serve`") == "live-preview-make-serve"


# ---------------------------------------------------------------- templates see flat, documented objects (#17)

THEME_TEMPLATES = sorted(p for p in (ROOT / "themes").glob("*/templates/**/*") if p.is_file())
PAPER_NAMES = ("paper", "newer", "older")  # the names a template gives a Paper


def test_no_template_reaches_into_the_record():
    """Templates see flat objects: ``paper.venue``, never ``paper.record.venue``."""
    assert len(THEME_TEMPLATES) >= 20
    offenders = [f"{p.relative_to(ROOT)}:{n}: {line.strip()}" for p in THEME_TEMPLATES
                 for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
                 if re.search(r"\.record\b|\brecord\.", line)]
    assert offenders == []


def test_every_paper_attribute_a_template_uses_is_documented_and_exists():
    from site_builder.site import Paper

    documented = table_keys(DOCS / "themes.md", heading="attribute")
    assert len(documented) >= 40 and "record" not in documented
    missing = [name for name in documented if not hasattr(Paper, name)]
    assert missing == [], f"docs/themes.md documents attributes a paper does not have: {missing}"
    used = {name for p in THEME_TEMPLATES
            for name in re.findall(r"\b(?:%s)\.([A-Za-z_]\w*)" % "|".join(PAPER_NAMES), p.read_text(encoding="utf-8"))}
    assert {"title_html", "url", "tags", "abstract_html", "category", "image"} <= used  # the search finds them
    assert sorted(used - set(documented)) == [], "used in a theme, not documented in docs/themes.md"
    # every record key is a flat attribute, documented
    assert [k for k in schema.KEY_ORDER if not hasattr(Paper, k) or k not in documented] == []


def test_table_keys_reads_every_name_of_a_row():
    from site_builder.site import Paper

    assert {"editors", "issn", "abstract_html", "abstract_text"} <= set(table_keys(DOCS / "themes.md", "attribute"))
    assert Paper.venue.__doc__ == schema.BY_NAME["venue"].doc  # read through, with the schema's description
