"""The package as a user installs it: ``python -m build`` makes a wheel and an sdist, and the wheel installed in
a fresh virtualenv outside the checkout runs init, import, build and serve. No network: the wheel's
dependencies come from this test environment, shown to pip as installed (everything but site-builder)."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import tarfile
import threading
import urllib.request
import zipfile
from pathlib import Path

import pytest

from browser import free_port
from conftest import ROOT
from site_builder import __version__

RELEASED_FROM = "https://github.com/example-lab/site-builder"


def source_copy(dest: Path) -> Path:
    """The checkout's tracked files (as they are on disk) in ``dest``: what a fresh clone builds from."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True)
    if listed.returncode != 0:
        pytest.skip("not a git checkout")
    for name in filter(None, listed.stdout.split("\0")):
        src = ROOT / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    return dest


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    pytest.importorskip("build")
    work = tmp_path_factory.mktemp("packaging")
    src = source_copy(work / "src")
    # as the release workflow does: the project URLs of the repository the release is built in
    subprocess.run([sys.executable, str(src / ".github" / "scripts" / "project_urls.py"), RELEASED_FROM, "v9.9.9",
                    str(src / "pyproject.toml")], check=True, capture_output=True)
    out = work / "dist"
    done = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(src)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return out


def deps_folder(dest: Path) -> Path:
    """This environment's installed distributions except site-builder itself, linked into ``dest``."""
    dest.mkdir()
    site_packages = {Path(sysconfig.get_paths()[k]) for k in ("purelib", "platlib")}
    for folder in site_packages:
        for entry in folder.iterdir():
            name = entry.name.lower()
            if name.startswith(("site_builder", "__editable__", "_site_builder", "site-builder")) or \
                    entry.suffix == ".pth" or (dest / entry.name).exists():
                continue
            (dest / entry.name).symlink_to(entry)
    return dest


@pytest.mark.slow
def test_build_gives_a_wheel_and_an_sdist_with_the_themes_and_schemas(dist):
    (wheel,) = dist.glob(f"site_builder-{__version__}-py3-none-any.whl")
    (sdist,) = dist.glob(f"site_builder-{__version__}.tar.gz")
    names = set(zipfile.ZipFile(wheel).namelist())
    theme_files = [p.relative_to(ROOT / "themes").as_posix() for p in (ROOT / "themes").rglob("*") if p.is_file()]
    assert {f.split("/")[0] for f in theme_files} >= {"default", "minimal", "cards"}
    for name in theme_files:  # every theme file, at any depth
        assert f"site_builder/themes/{name}" in names, name
    assert {"site_builder/schemas/site.schema.json", "site_builder/cli.py"} <= names
    meta = zipfile.ZipFile(wheel).read(f"site_builder-{__version__}.dist-info/METADATA").decode()
    for line in ("Name: site-builder", f"Version: {__version__}", "License-Expression: MIT",
                 "Requires-Python: >=3.11", "Classifier: Intended Audience :: Science/Research",
                 "Keywords: ", "Requires-Dist: jinja2>=3.1", "Description-Content-Type: text/markdown"):
        assert line in meta, line
    for label, url in (("Homepage", RELEASED_FROM), ("Source", RELEASED_FROM), ("Issues", f"{RELEASED_FROM}/issues"),
                       ("Documentation", f"{RELEASED_FROM}/tree/v9.9.9/docs#readme"),
                       ("Changelog", f"{RELEASED_FROM}/blob/v9.9.9/CHANGELOG.md")):
        assert f"Project-URL: {label}, {url}" in meta, label
    assert "Requires-Dist: playwright" not in meta.split("Provides-Extra: test")[0]  # test tools are an extra
    with tarfile.open(sdist) as tar:
        members = {m.name.split("/", 1)[1] for m in tar.getmembers() if "/" in m.name}
    assert {"pyproject.toml", "README.md", "LICENSE", "CHANGELOG.md", "themes/default/templates/paper.html",
            "site_builder/schemas/site.schema.json"} <= members


@pytest.mark.slow
def test_the_wheel_installed_in_a_fresh_venv_runs_init_import_build_and_serve(dist, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    (Path(purelib) / "test-deps.pth").write_text(str(deps_folder(tmp_path / "deps")) + "\n")
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-index", "--find-links",
         str(dist), "--disable-pip-version-check", "--no-cache-dir", "site-builder"],
        capture_output=True, text=True, timeout=300)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert f"Successfully installed site-builder-{__version__}" in installed.stdout

    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    home = tmp_path / "home"  # outside the checkout
    home.mkdir()

    def cli(*args: str, cwd: Path = home) -> subprocess.CompletedProcess:
        return subprocess.run([str(venv / "bin" / "site-builder"), *args], cwd=cwd, env=env,
                              capture_output=True, text=True, timeout=300)

    where = subprocess.run([str(python), "-c", "import site_builder; print(site_builder.__file__)"], cwd=home,
                           env=env, capture_output=True, text=True, check=True).stdout.strip()
    assert where.startswith(purelib) and not where.startswith(str(ROOT))
    assert cli("--version").stdout.strip() == f"site-builder {__version__}"

    made = cli("init", "mysite", "--title", "Smith Lab: Papers")
    assert made.returncode == 0, made.stderr
    # installed by name from a folder of wheels, as from an index: the workflow pins this release
    assert f'pip install "site-builder=={__version__}"' in (home / "mysite/.github/workflows/pages.yml").read_text()
    site = home / "mysite"
    assert (site / ".schemas" / "site.schema.json").is_file()
    imported = cli("import", cwd=site)
    assert imported.returncode == 0 and "2 created" in imported.stdout, imported.stderr
    built = cli("build", cwd=site)
    assert built.returncode == 0, built.stderr
    assert "Smith Lab: Papers" in (site / "output" / "index.html").read_text()

    port = free_port()
    server = subprocess.Popen([str(venv / "bin" / "site-builder"), "serve", "--port", str(port)], cwd=site,
                              env={**env, "PYTHONUNBUFFERED": "1"}, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    watchdog = threading.Timer(120, server.kill)  # a server that never says it serves fails the test, not hangs
    watchdog.start()
    try:
        for line in server.stdout:  # the server says where it serves once it listens
            if line.startswith("Serving "):
                break
        else:
            pytest.fail("the server stopped without serving")
        url = line.split(" on ", 1)[1].split(" ", 1)[0]
        assert url == f"http://127.0.0.1:{port}/"
        with urllib.request.urlopen(url, timeout=30) as response:
            assert response.status == 200
            assert "An Example Paper About Sparse Models" in response.read().decode()
    finally:
        watchdog.cancel()
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
