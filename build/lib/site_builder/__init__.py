"""site-builder: a static site generator for academic publication pages."""

__version__ = "0.1.0"
