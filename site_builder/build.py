"""The build: config -> Site model -> page plan -> render everything -> write once."""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .config import SiteConfig
from .output import check_output_dir, write_site
from .plan import plan_pages
from .problems import Problem, UserError
from .render import make_environment, render_page, site_info, static_dirs, template_problem
from .site import load_site


@dataclass(frozen=True)
class BuildResult:
    output: Path
    pages: int
    papers: int
    tags: int
    seconds: float
    problems: tuple[Problem, ...]  # warnings only: errors raise UserError

    def summary(self) -> str:
        return (f"built {self.pages} pages ({self.papers} papers, {self.tags} tags) "
                f"in {self.seconds:.2f} s -> {self.output}/index.html")


def build_site(config: SiteConfig, progress: Callable[[int, int], None] | None = None) -> BuildResult:
    """Build the whole site, or raise UserError with every problem and write nothing."""
    started = time.perf_counter()
    out = check_output_dir(config)
    site, problems = load_site(config)
    if any(p.is_error for p in problems):
        raise UserError("build failed: the records have errors; the previous output is untouched",
                        tuple(problems))
    env = make_environment(config)
    info = site_info(site)
    pages = plan_pages(site)
    files: dict[str, bytes] = {}
    seen: set[tuple[str, int | None]] = set()
    for i, page in enumerate(pages, start=1):
        try:
            files[page.url] = render_page(env, page, info).encode("utf-8")
        except Exception as exc:  # any template error becomes template:line: message
            problem = template_problem(exc, config, page)
            if (problem.path, problem.line) not in seen:  # one report per broken template line
                seen.add((problem.path, problem.line))
                problems.append(problem)
        if progress:
            progress(i, len(pages))
    if any(p.is_error for p in problems):
        raise UserError("build failed: the previous output is untouched", tuple(problems))
    write_site(out, files, static_dirs(config))
    return BuildResult(out, len(pages), len(site.papers), len(site.tags),
                       time.perf_counter() - started, tuple(problems))
