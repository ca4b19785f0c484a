"""Where a site's themes are: the chosen theme, then ``default``; each from the site's ``themes/`` or the
themes shipped with site-builder. (Kept apart from rendering, so that a build with nothing to do loads
no template machinery.)"""
from __future__ import annotations

from pathlib import Path

from .config import SiteConfig
from .problems import UserError

# The themes shipped with site-builder: inside the package when installed from a wheel, beside it in a checkout.
_HERE = Path(__file__).resolve().parent
PACKAGE_THEMES = _HERE / "themes" if (_HERE / "themes" / "default").is_dir() else _HERE.parent / "themes"


def theme_dirs(config: SiteConfig) -> list[Path]:
    """Theme folders from highest to lowest priority: chosen theme, then default.

    A theme is looked up in the site's ``themes/`` first, then in the themes
    shipped with site-builder.
    """
    def find(name: str) -> Path | None:
        for base in (config.themes_dir, PACKAGE_THEMES):
            candidate = base / name
            if (candidate / "templates").is_dir():
                return candidate
        return None

    chosen = find(config.theme)
    if chosen is None:
        raise UserError(f"theme {config.theme!r} not found in {config.themes_dir} or the themes shipped with "
                        "site-builder", path=config.config_path.name)
    default = find("default")
    dirs = [chosen]
    if default is not None and default.resolve() != chosen.resolve():
        dirs.append(default)
    return dirs


def static_dirs(config: SiteConfig) -> list[Path]:
    """Static folders from lowest to highest priority (later ones overwrite)."""
    dirs = [t / "static" for t in reversed(theme_dirs(config))]
    dirs.append(config.static_dir)
    return [d for d in dirs if d.is_dir()]
