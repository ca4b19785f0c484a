"""``site-builder init``: a site that deploys as made, pinned to where site-builder came from; the workflows."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT
from crawl import broken_links_on_disk
from site_builder import __version__, init
from site_builder.config import load_config
from site_builder.init import (find_install_source, pages_workflow, source_from_checkout,
                               source_from_direct_url)

COMMIT = "4c4b4e6f0f3a1d2b9e8c7a6b5d4e3f2a1b0c9d8e"
# Official actions at their current major versions (GitHub's changelog, 2026): bump here and in init.ACTIONS.
CURRENT = {"actions/checkout": "v6", "actions/setup-python": "v6", "actions/cache": "v5",
           "actions/configure-pages": "v6", "actions/upload-pages-artifact": "v5", "actions/deploy-pages": "v5",
           "actions/upload-artifact": "v7", "actions/download-artifact": "v8",
           "pypa/gh-action-pypi-publish": "release/v1"}
GIT = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", "-c", "init.defaultBranch=main"]


def load_workflow(path: Path) -> dict:
    workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
    workflow["on"] = workflow.pop(True, workflow.get("on"))  # YAML 1.1 reads the key `on` as true
    return workflow


def steps(job: dict) -> list[dict]:
    return job["steps"]


def step_using(job: dict, action: str) -> list[dict]:
    return [s for s in steps(job) if s.get("uses", "").startswith(action + "@")]


# ----------------------------------------------------------------- where site-builder came from

def test_a_git_install_pins_its_repository_and_commit():
    # direct_url.json as pip writes it for `pip install "site-builder @ git+https://github.com/lab/site-builder@main"`
    found = source_from_direct_url({"url": "https://github.com/lab/site-builder", "vcs_info": {
        "vcs": "git", "requested_revision": "main", "commit_id": COMMIT}})
    assert found.spec == f"site-builder @ git+https://github.com/lab/site-builder@{COMMIT}"


def test_credentials_and_ssh_addresses_never_reach_the_workflow():
    found = source_from_direct_url({"url": "https://user:s3cret@github.com/lab/site-builder.git",
                                    "vcs_info": {"vcs": "git", "commit_id": COMMIT}, "subdirectory": "pkg"})
    assert found.spec == f"site-builder @ git+https://github.com/lab/site-builder.git@{COMMIT}#subdirectory=pkg"
    found = source_from_direct_url({"url": "ssh://git@github.com/lab/site-builder.git",
                                    "vcs_info": {"vcs": "git", "commit_id": COMMIT}})
    assert found.spec == f"site-builder @ git+https://github.com/lab/site-builder.git@{COMMIT}"


def test_a_remote_archive_is_pinned_by_its_hash_and_local_installs_are_not_sources():
    found = source_from_direct_url({"url": "https://example.org/site_builder-0.3.0.tar.gz",
                                    "archive_info": {"hashes": {"sha256": "ab" * 32}}})
    assert found.spec == f"site-builder @ https://example.org/site_builder-0.3.0.tar.gz#sha256={'ab' * 32}"
    assert source_from_direct_url({"url": "file:///home/ada/site-builder", "dir_info": {"editable": True}}) is None
    assert source_from_direct_url({"url": "file:///tmp/site_builder-0.1.0-py3-none-any.whl",
                                   "archive_info": {}}) is None
    assert source_from_direct_url({"no": "url"}) is None and source_from_direct_url(None) is None


def make_checkout(path: Path, remote: str) -> str:
    path.mkdir()
    (path / "pyproject.toml").write_text("[project]\nname = 'site-builder'\n")
    subprocess.run([*GIT, "init", "-q"], cwd=path, check=True)
    subprocess.run([*GIT, "remote", "add", "origin", remote], cwd=path, check=True)
    subprocess.run([*GIT, "add", "-A"], cwd=path, check=True)
    subprocess.run([*GIT, "commit", "-q", "-m", "x"], cwd=path, check=True)
    return subprocess.run(["git", "rev-parse", "HEAD"], cwd=path, capture_output=True, text=True).stdout.strip()


def test_a_checkout_gives_its_origin_at_head_and_says_when_head_is_not_pushed(tmp_path):
    checkout = tmp_path / "site-builder"
    head = make_checkout(checkout, "git@github.com:lab/site-builder.git")
    found = source_from_checkout(checkout)
    assert found.spec == f"site-builder @ git+https://github.com/lab/site-builder.git@{head}"
    assert "not on origin yet" in found.note and head[:12] in found.note
    subprocess.run(["git", "update-ref", "refs/remotes/origin/main", "HEAD"], cwd=checkout, check=True)
    assert source_from_checkout(checkout).note == ""


def test_a_checkout_without_a_public_remote_is_no_source(tmp_path):
    checkout = tmp_path / "site-builder"
    make_checkout(checkout, str(tmp_path / "local.git"))
    assert source_from_checkout(checkout) is None
    assert source_from_checkout(tmp_path) is None  # not a checkout at all


def test_an_install_from_an_index_pins_the_released_version(monkeypatch):
    monkeypatch.setattr(init, "_direct_url", lambda: (True, None))
    assert find_install_source().spec == f"site-builder=={__version__}"


def test_an_install_of_a_checkout_folder_uses_the_checkout(monkeypatch, tmp_path):
    head = make_checkout(tmp_path / "site-builder", "https://github.com/lab/site-builder")
    monkeypatch.setattr(init, "_direct_url", lambda: (True, {"url": f"file://{tmp_path}/site-builder",
                                                              "dir_info": {"editable": True}}))
    assert find_install_source().spec == f"site-builder @ git+https://github.com/lab/site-builder@{head}"
    # a folder installed without -e: the folder pip installed from, not the copy in site-packages
    monkeypatch.setattr(init, "_direct_url", lambda: (True, {"url": f"file://{tmp_path}/site-builder",
                                                              "dir_info": {}}))
    assert find_install_source().spec == f"site-builder @ git+https://github.com/lab/site-builder@{head}"
    monkeypatch.setattr(init, "_direct_url", lambda: (True, {"url": f"file://{tmp_path}/gone", "dir_info": {}}))
    assert find_install_source() is None


def test_without_a_known_source_init_asks_for_one_and_writes_nothing(tmp_path, run, monkeypatch):
    monkeypatch.setattr(init, "find_install_source", lambda: None)
    result = run(tmp_path, "init", "mysite")
    assert result.code == 1 and "--source" in result.err and "Traceback" not in result.err
    assert not (tmp_path / "mysite").exists()


# ----------------------------------------------------------------- the site init makes

@pytest.mark.parametrize("title", ["Smith Lab: Papers", "#1 Lab", "yes", "[draft] {x} & 'quotes' \"too\"",
                                   "- dash: colon # hash"])
def test_any_title_gives_a_valid_site_yaml(tmp_path, run, title):
    result = run(tmp_path, "init", "s", "--title", title, "--source", "site-builder==0.1.0")
    assert result.code == 0, result.err
    assert load_config(tmp_path / "s").title == title
    assert (tmp_path / "s" / "README.md").read_text().startswith(f"# {title}\n")


def test_init_makes_a_site_that_passes_make_build_with_a_pinned_workflow(tmp_path, run):
    spec = f"site-builder @ git+https://github.com/lab/site-builder@{COMMIT}"
    result = run(tmp_path, "init", "mysite", "--title", "Smith Lab: Papers", "--source", spec)
    assert result.code == 0, result.err
    site = tmp_path / "mysite"
    # the next steps: build, push, switch Pages on, set url:
    out = result.out
    assert f"its GitHub workflow installs {spec}" in out
    for words in ("make build", "push", "Settings -> Pages", "Source: GitHub Actions", "set url:"):
        assert words in out, words
    text = (site / ".github" / "workflows" / "pages.yml").read_text()
    assert "OWNER" not in text and "<" not in text
    workflow = load_workflow(site / ".github" / "workflows" / "pages.yml")
    build = workflow["jobs"]["build"]
    install = [s["run"] for s in steps(build) if s.get("name") == "Install site-builder"]
    assert install == [f'pip install "{spec}"']
    runs = [s.get("run") for s in steps(build)]
    assert runs.index(install[0]) < runs.index("make build")
    assert spec in (site / "README.md").read_text()
    if shutil.which("make") is None:
        pytest.skip("no make")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(["make", "build", f"SITE_BUILDER={sys.executable} -m site_builder"], cwd=site,
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "imported 2 entries: 2 created" in done.stdout
    index = (site / "output" / "index.html").read_text()
    assert "Smith Lab: Papers" in index and "An Example Paper About Sparse Models" in index
    assert broken_links_on_disk(site / "output") == []


def test_source_is_one_shell_word(tmp_path, run):
    result = run(tmp_path, "init", "s", "--source", 'site-builder==1; echo "$HOME"')
    assert result.code == 1 and "cannot hold quotes" in result.err and not (tmp_path / "s").exists()


# ----------------------------------------------------------------- the workflows

def test_this_repositorys_pages_workflow_is_the_one_init_writes_without_the_install_step():
    assert (ROOT / ".github" / "workflows" / "pages.yml").read_text() == pages_workflow(None)
    made = pages_workflow("site-builder==0.1.0")
    assert "Install site-builder" in made and "Install site-builder" not in pages_workflow(None)


@pytest.mark.parametrize("install", [None, "site-builder==0.1.0"])
def test_pages_workflow_caches_pip_and_the_build_memory(install):
    workflow = yaml.safe_load(pages_workflow(install))
    build = workflow["jobs"]["build"]
    caches = {s["with"]["path"]: s["with"] for s in step_using(build, "actions/cache")}
    assert set(caches) == {"~/.cache/pip", ".cache/site-builder"}
    pip = caches["~/.cache/pip"]
    assert pip["key"].startswith("pip-${{ runner.os }}-${{ hashFiles(") and pip["restore-keys"] == "pip-${{ runner.os }}-"
    assert ("pyproject.toml" if install is None else ".github/workflows/pages.yml") in pip["key"]
    memory = caches[".cache/site-builder"]
    for pattern in ("site.yaml", "seeds/**", "content/**", "templates/**", "static/**"):
        assert f"'{pattern}'" in memory["key"]
    assert memory["restore-keys"] == "site-builder-${{ runner.os }}-"  # an edit restores the last build's memory
    names = [s.get("uses", s.get("run")) for s in steps(build)]
    first_cache = min(i for i, s in enumerate(steps(build)) if s.get("uses", "").startswith("actions/cache@"))
    assert first_cache < names.index("make build")


def test_the_pages_workflow_uses_the_official_actions():
    workflow = load_workflow(ROOT / ".github" / "workflows" / "pages.yml")
    assert workflow["on"]["push"]["branches"] == ["main"] and "workflow_dispatch" in workflow["on"]
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    build = workflow["jobs"]["build"]
    assert [s.get("uses", "").split("@")[0] for s in steps(build) if "uses" in s] == [
        "actions/checkout", "actions/setup-python", "actions/cache", "actions/cache", "actions/configure-pages",
        "actions/upload-pages-artifact"]
    assert step_using(build, "actions/upload-pages-artifact")[0]["with"]["path"] == "output"
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build" and deploy["environment"]["name"] == "github-pages"
    assert step_using(deploy, "actions/deploy-pages")[0]["id"] == "deployment"


@pytest.mark.parametrize("name", ["pages.yml", "test.yml", "release.yml"])
def test_every_workflow_uses_current_major_versions(name):
    workflow = load_workflow(ROOT / ".github" / "workflows" / name)
    used = [s["uses"] for job in workflow["jobs"].values() for s in job["steps"] if "uses" in s]
    assert used
    for uses in used:
        action, _, version = uses.partition("@")
        assert CURRENT.get(action) == version, uses


def test_the_test_workflow_runs_make_test_on_push_and_pull_request():
    workflow = load_workflow(ROOT / ".github" / "workflows" / "test.yml")
    assert "push" in workflow["on"] and "pull_request" in workflow["on"]
    (job,) = workflow["jobs"].values()
    assert [s.get("run") for s in job["steps"] if "run" in s] == ["bash .ci/run"]
    ci = (ROOT / ".ci" / "run").read_text()
    assert ci.rstrip().endswith("make tools\nmake test")


def test_the_release_workflow_publishes_version_tags_with_trusted_publishing():
    workflow = load_workflow(ROOT / ".github" / "workflows" / "release.yml")
    assert workflow["on"] == {"push": {"tags": ["v*"]}}
    assert workflow["permissions"] == {"contents": "read"}  # only the publishing job gets an OIDC token
    build, publish = workflow["jobs"]["build"], workflow["jobs"]["publish"]
    script = "\n".join(s.get("run", "") for s in build["steps"])
    assert "python -m build" in script and "${GITHUB_REF_NAME#v}" in script
    # the metadata's project URLs are the repository's the release is built in, written before the build
    urls = script.index('python .github/scripts/project_urls.py "${{ github.server_url }}/${{ github.repository }}"')
    assert urls < script.index("python -m build")
    assert publish["needs"] == "build"
    assert publish["permissions"] == {"id-token": "write"}
    assert publish["environment"]["name"] == "pypi"
    (upload,) = step_using(publish, "pypa/gh-action-pypi-publish")
    assert "with" not in upload or "password" not in upload["with"]  # no token: trusted publishing
    assert step_using(build, "actions/upload-artifact")[0]["with"]["name"] == \
        step_using(publish, "actions/download-artifact")[0]["with"]["name"]



def test_project_urls_are_written_for_the_repository_and_refuse_anything_else(tmp_path):
    script = ROOT / ".github" / "scripts" / "project_urls.py"
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text((ROOT / "pyproject.toml").read_text())
    run = lambda *args: subprocess.run([sys.executable, str(script), *args, str(pyproject)], capture_output=True, text=True)
    assert run("https://github.com/a/site-builder", "v1.0.0").returncode == 0
    assert run("https://github.com/b/fork", "v1.1.0").returncode == 0  # written again: replaced, not added twice
    import tomllib
    project = tomllib.loads(pyproject.read_text())["project"]
    assert project["urls"] == {"Homepage": "https://github.com/b/fork", "Source": "https://github.com/b/fork",
                               "Documentation": "https://github.com/b/fork/tree/v1.1.0/docs#readme",
                               "Issues": "https://github.com/b/fork/issues",
                               "Changelog": "https://github.com/b/fork/blob/v1.1.0/CHANGELOG.md"}
    assert project["name"] == "site-builder" and pyproject.read_text().count("[project.urls]") == 1
    before = pyproject.read_text()
    for bad in (("javascript:alert(1)", "v1"), ('https://github.com/a/b"\nx = "y', "v1"), ("https://github.com/a/b", "../x")):
        done = run(*bad)
        assert done.returncode != 0 and "not a" in done.stderr
    assert pyproject.read_text() == before
