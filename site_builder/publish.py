"""Publishing without GitHub Actions: output/ pushed to a gh-pages branch with ghp-import."""
from __future__ import annotations

import contextlib
import subprocess

from .config import SiteConfig
from .problems import UserError


def publish(config: SiteConfig, remote: str = "origin", branch: str = "gh-pages", push: bool = True,
            message: str | None = None) -> str:
    """Commit output/ as the only content of ``branch`` and push it; returns what was done."""
    import ghp_import  # only publishing needs it

    out = config.output_path
    if not (out / "index.html").is_file():
        raise UserError(f"{out}/index.html does not exist: run site-builder build first")
    try:
        with contextlib.chdir(config.root):
            ghp_import.ghp_import(
                str(out), mesg=message or "Publish the site with site-builder", remote=remote, branch=branch,
                push=push, force=True, nojekyll=True, cname=config.cname, no_history=False, use_shell=False,
            )
    except ghp_import.GhpError as exc:
        raise UserError(f"publish failed: {exc.message}") from None
    except subprocess.CalledProcessError as exc:
        raise UserError(f"publish failed: git {' '.join(map(str, exc.cmd[1:]))} exited with {exc.returncode}") from None
    except OSError as exc:
        raise UserError(f"publish failed: {exc.strerror or exc} (is git installed?)") from None
    return f"committed {out} to branch {branch}" + (f" and pushed it to {remote}" if push else "")
