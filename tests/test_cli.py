"""The command line: parse JSON, --help everywhere, config errors, no tracebacks."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SEED, run_process

PARSE_KEYS = ["title", "authors", "et_al", "affiliation", "category", "date", "has_code", "code_url", "abstract", "line"]


def test_parse_prints_exact_json_for_the_seed(tmp_path, run):
    result = run(tmp_path, "parse", str(SEED), "--as-of", "2026-11-22")
    assert result.code == 0, result.err
    assert result.err == ""
    entries = json.loads(result.out)
    assert len(entries) == 33
    assert all(list(e) == PARSE_KEYS for e in entries)
    assert entries[0] == {
        "title": "Neurotoxin: Durable Backdoors in Federated Learning",
        "authors": ["Zhengming Zhang", "Ashwinee Panda", "Linyue Song"],
        "et_al": True,
        "affiliation": "berkeley",
        "category": "CR",
        "date": "2022-06-12",
        "has_code": False,
        "code_url": None,
        "abstract": SEED.read_text(encoding="utf-8").split("\n")[2],
        "line": 1,
    }
    speculating = entries[4]
    assert speculating["line"] == 13
    assert speculating["date"] == "2026-03-09"  # "Mar 9" against --as-of 2026-11-22
    assert speculating["has_code"] is True
    assert speculating["code_url"] == "https://github.com/axonn-ai/yalis/tree/offload_prefetch"
    moes = entries[9]
    assert moes["title"] == "Continual Pre-training of MoEs: How robust is your router?"
    assert moes["authors"] == ["Benjamin Thérien", "Charles-Étienne Joseph", "Zain Sarwar"]
    assert moes["has_code"] is True and moes["code_url"] is None


def test_parse_as_of_moves_yearless_dates(tmp_path, run):
    result = run(tmp_path, "parse", str(SEED), "--as-of", "2026-03-01")
    entries = json.loads(result.out)
    assert entries[4]["date"] == "2025-03-09"  # Mar 9 would be after Mar 1, 2026
    assert entries[6]["date"] == "2026-02-05"


def test_parse_uses_listing_date_from_site_yaml(tmp_path, run):
    (tmp_path / "site.yaml").write_text("listing_date: 2025-12-31\n")
    shutil.copy(SEED, tmp_path / "list.txt")
    entries = json.loads(run(tmp_path, "parse", "list.txt").out)
    assert entries[4]["date"] == "2025-03-09"


def test_parse_problems_go_to_stderr_with_exit_1(tmp_path, run):
    listing = tmp_path / "bad.txt"
    listing.write_text("LGMar 9, 2024\nGood TitleAda Lovelace\nAbstract.\nLGMar 10, 2024\nno author here\nAbstract.\n")
    result = run(tmp_path, "parse", str(listing), "--as-of", "2025-01-01")
    assert result.code == 1
    assert [e["title"] for e in json.loads(result.out)] == ["Good Title"]
    assert result.err.startswith(f"{listing}:5: cannot tell where the title ends")


@pytest.mark.parametrize("command", ["parse", "import", "build", "check"])
def test_every_subcommand_has_help(tmp_path, command):
    result = run_process(tmp_path, command, "--help")
    assert result.code == 0
    assert result.out.startswith(f"usage: site-builder {command}")


def test_console_script_and_module_agree(tmp_path):
    script = Path(sys.executable).parent / "site-builder"
    if not script.exists():
        pytest.skip("console script not installed in this environment")
    proc = subprocess.run([str(script), "--help"], capture_output=True, text=True)
    assert proc.returncode == 0
    assert proc.stdout == run_process(tmp_path, "--help").out


def test_unknown_config_key_is_an_error_naming_it(small_site, run):
    (small_site / "site.yaml").write_text("title: X\ntheme: default\ndescripton: Ada\n")
    result = run(small_site, "build")
    assert result.code == 1
    assert "site.yaml:3: unknown key 'descripton' (did you mean 'description'?)" in result.err
    assert "Traceback" not in result.err


def test_bad_config_values_all_reported_together(small_site, run):
    (small_site / "site.yaml").write_text("title: [1, 2]\nurl: ftp://x\nlisting_date: soon\n")
    result = run(small_site, "import")
    assert result.code == 1
    assert "site.yaml:1: title: must be text" in result.err
    assert "site.yaml:2: url: must be an absolute http(s) URL" in result.err
    assert "site.yaml:3: listing_date: must be a date written YYYY-MM-DD" in result.err


def test_broken_yaml_in_config_names_the_line(small_site, run):
    (small_site / "site.yaml").write_text("title: X\nowner: [unclosed\n")
    result = run(small_site, "build")
    assert result.code == 1
    assert "site.yaml:" in result.err and "invalid YAML" in result.err
    assert "Traceback" not in result.err


def test_no_site_yaml_is_a_clear_error(tmp_path, run):
    result = run(tmp_path, "build")
    assert result.code == 1
    assert "no site.yaml" in result.err


def test_site_option_points_at_another_folder(small_site, tmp_path, run):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run(elsewhere, "import", "--site", str(small_site))
    assert result.code == 0, result.err
    assert len(list((small_site / "content" / "papers").glob("*.md"))) == 3


def test_quiet_prints_nothing_on_success(small_site, run):
    result = run(small_site, "import", "--quiet")
    assert (result.code, result.out, result.err) == (0, "", "")
    result = run(small_site, "build", "--quiet")
    assert (result.code, result.out, result.err) == (0, "", "")


def test_summary_lines(small_site, run):
    assert run(small_site, "import").out == (
        "imported 3 entries: 3 created, 0 updated, 0 unchanged, 0 kept-edited, 0 rejected\n")
    out = run(small_site, "build").out
    # 9 pages, 3 author pages and the authors index, 404.html, .nojekyll, robots.txt, sitemap.xml, feed.xml and
    # 4 tag feeds, papers.json, papers.bib, search.json, embed.js, 3 embed pages; and the 5 static files
    assert out.startswith("built 3 papers, 4 tags: 29 files, 29 rendered, 34 written in ")
    assert out.rstrip().endswith("output/index.html")


def test_check_reports_errors_and_unknown_keys(small_site, run):
    run(small_site, "import")
    papers = small_site / "content" / "papers"
    (papers / "extra.md").write_text("---\ntitle: Extra\nauthors: [Ann Lee]\ndate: 2024-01-01\nvenue: NeurIPS\nmood: happy\n---\nBody\n")
    (papers / "broken.md").write_text("---\ntitle: Broken\nauthors: [Ann Lee]\ndate: 2024-13-45\n---\n")
    result = run(small_site, "check")
    assert result.code == 1
    assert "content/papers/broken.md:4: date '2024-13-45': month 13 is not between 1 and 12" in result.err
    assert "content/papers/extra.md:6: warning: unknown key 'mood' (kept, and passed to templates as is)" in result.err
    assert "venue" not in result.err
    assert result.out == "checked 5 records: 1 errors, 1 warnings\n"


@pytest.mark.parametrize("value, message", [("0", "must be at least 1, not 0"), ("-3", "must be at least 1, not -3"),
                                            ("two", "not a whole number: 'two'")])
def test_build_jobs_must_be_a_whole_number_from_one(tmp_path, value, message):
    (tmp_path / "site.yaml").write_text("title: T\n")
    result = run_process(tmp_path, "build", "--jobs", value)
    assert result.code == 2
    assert result.err.endswith(f"site-builder build: error: argument --jobs/-j: {message}\n")
    assert not (tmp_path / "output").exists()


def test_build_jobs_one_builds_in_this_process(tmp_path, monkeypatch):
    """``-j 1``: no worker is forked, even for a site large enough to fork for."""
    import site_builder.build
    import site_builder.parallel as parallel
    from site_builder.cli import main

    monkeypatch.setattr(parallel, "MIN_ITEMS", 1)
    (tmp_path / "site.yaml").write_text("title: T\n")
    (tmp_path / "content" / "papers").mkdir(parents=True)
    for n in range(3):
        (tmp_path / "content" / "papers" / f"p{n}.md").write_text(
            f"---\ntitle: Paper {n}\nauthors: [A. Author]\ndate: 2024-0{n + 1}\n---\nAbstract {n}.\n")
    jobs: list[int] = []
    builder_init = site_builder.build.Builder.__init__

    def remember(self, *args, **kwargs):
        builder_init(self, *args, **kwargs)
        jobs.append(self.jobs)

    monkeypatch.setattr(site_builder.build.Builder, "__init__", remember)
    monkeypatch.setattr(parallel.Workers, "__init__", lambda *a, **k: pytest.fail("a worker was forked"))
    monkeypatch.chdir(tmp_path)
    assert main(["build", "--quiet", "-j", "1"]) == 0
    assert jobs == [1]
    assert len(list((tmp_path / "output" / "papers").glob("*/index.html"))) == 3


def test_default_jobs_is_one_per_usable_core_at_most_eight(monkeypatch):
    import os

    import site_builder.parallel as parallel

    if hasattr(os, "sched_getaffinity"):
        assert parallel.usable_cpus() == len(os.sched_getaffinity(0))
    for cores, jobs in ((1, 1), (2, 2), (6, 6), (8, 8), (64, 8)):
        monkeypatch.setattr(parallel, "usable_cpus", lambda cores=cores: cores)
        assert parallel.default_jobs() == jobs
    monkeypatch.undo()  # usable_cpus itself again
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 3, 5}, raising=False)
    assert parallel.usable_cpus() == 3  # a process pinned to three cores of a larger machine (taskset, cpuset)
    assert parallel.default_jobs() == 3
