"""Machine-readable exports of the whole site: papers.json (read by the embed widget)."""
from __future__ import annotations

import json

from .site import Site

SCHEMA_VERSION = 1


def dump_json(data: object) -> str:
    """JSON that is safe anywhere: inside HTML, inline in a <script>, or served as a file."""
    text = json.dumps(data, ensure_ascii=False, indent=1)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")) + "\n"


def papers_json(site: Site) -> str:
    """Every paper, newest first, keys in a fixed order (the schema is in the README)."""
    url = site.config.url
    papers = []
    for paper in site.papers:
        record = paper.record
        papers.append({
            "title": record.title,
            "authors": list(record.authors),
            "et_al": record.et_al,
            "date": record.date.isoformat(),
            "year": paper.year,
            "category": {"code": record.category, "name": paper.category_name or record.category}
            if record.category else None,
            "tags": [ref.name for ref in paper.tags],
            "affiliation": record.affiliation,
            "links": dict(record.links),
            "abstract_html": str(paper.abstract_html),
            "url": (url + paper.url[: -len("index.html")]) if url else paper.url,
            "owner": [author.is_owner for author in paper.authors],
        })
    generated = max((p.updated for p in site.papers), default=None)
    return dump_json({"version": SCHEMA_VERSION, "generated": generated, "title": site.config.title,
                      "url": url, "papers": papers})
