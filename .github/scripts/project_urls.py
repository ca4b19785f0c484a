"""Give the package's metadata the addresses of the repository a release is built from.

The project has no address of its own until it is pushed somewhere, and an address written into
pyproject.toml by hand is wrong in every fork. So the release workflow calls this with the repository it
runs in (``${{ github.server_url }}/${{ github.repository }}``) and the tag, before ``python -m build``:

    python .github/scripts/project_urls.py https://github.com/OWNER/site-builder v0.2.0

It writes (or replaces) the ``[project.urls]`` table of pyproject.toml: Homepage, Documentation,
Source, Issues and Changelog (the last two at the tag).
"""
from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

_URL = re.compile(r"https://[A-Za-z0-9.-]+(?::\d+)?/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")
_REF = re.compile(r"[A-Za-z0-9_./-]+")
_TABLE = re.compile(r"^\[project\.urls\]\n(?:(?!\[).*\n?)*", re.MULTILINE)


def urls(repository: str, ref: str) -> dict[str, str]:
    return {"Homepage": repository, "Documentation": f"{repository}/tree/{ref}/docs#readme",
            "Source": repository, "Issues": f"{repository}/issues",
            "Changelog": f"{repository}/blob/{ref}/CHANGELOG.md"}


def write(pyproject: Path, repository: str, ref: str) -> dict[str, str]:
    repository = repository.rstrip("/")
    if not _URL.fullmatch(repository):
        raise SystemExit(f"not a repository address: {repository!r} (expected https://HOST/OWNER/NAME)")
    if not _REF.fullmatch(ref) or ".." in ref:
        raise SystemExit(f"not a tag or branch name: {ref!r}")
    table = urls(repository, ref)
    block = "[project.urls]\n" + "".join(f'{key} = "{value}"\n' for key, value in table.items())
    text = pyproject.read_text(encoding="utf-8")
    text = _TABLE.sub(lambda _m: block, text, count=1) if _TABLE.search(text) else text.rstrip("\n") + "\n\n" + block
    if tomllib.loads(text)["project"].get("urls") != table:  # never leave a file that says something else
        raise SystemExit("pyproject.toml: could not write [project.urls]")
    pyproject.write_text(text, encoding="utf-8")
    return table


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        raise SystemExit(__doc__)
    path = Path(sys.argv[3]) if len(sys.argv) == 4 else Path(__file__).resolve().parents[2] / "pyproject.toml"
    for key, value in write(path, sys.argv[1], sys.argv[2]).items():
        print(f"{key}: {value}")
