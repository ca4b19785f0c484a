"""``site-builder enrich``: complete records from arXiv, Crossref, OpenAlex and Semantic Scholar.

For each record: identify the paper (its arXiv id or DOI; else a title search, accepted only when one
candidate has the same title, the same first author's family name and a year within one), look it up
in every chosen source (batched where the API allows), and propose the full author list (with ORCIDs),
the arXiv id and category, the DOI, venue and type of the published version, the PDF link and,
with ``--with-citations``, a citation count with the date it was fetched.

Proposals go through the importer's three-way merge: a field edited by hand is never replaced, and a
field the listing (or BibTeX file) gives stays the listing's. What enrich found is remembered in the
import state (``enriched``), so a later import lays it over the listing again. Responses are cached
in ``content/.enrich/``; ``--dry-run`` prints the changes as a diff and writes nothing.
"""
from __future__ import annotations

import datetime as dt
import difflib
import os
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from .importer import (STATE_NAME, _get, _has_comments, _state_data, dump_state, imported_files, load_state,
                       merge_fields)
from .overlay import _empty, with_enrichment
from .problems import ParseError, Problem, UserError, warning
from .fileio import atomic_write
from .records import render_record, split_front_matter
from .schema import Field, ordered
from .scholarly import Work, bare_arxiv, bare_doi, same_person, title_key
from .scholarly import arxiv as arxiv_api
from .scholarly import crossref as crossref_api
from .scholarly import openalex as openalex_api
from .scholarly import orcid as orcid_api
from .scholarly import semanticscholar as s2_api
from .scholarly.cache import CACHE_DIR, Entry, ResponseCache, is_fresh
from .scholarly.net import HttpClient, HttpError, Offline

SOURCES = ("arxiv", "crossref", "openalex", "semanticscholar")
TITLE_MATCH = 0.9  # title similarity a search candidate needs (difflib ratio of the normalised titles)
SAME_PAPER = 0.6  # below this, a paper found by the record's own identifier is "a different paper"
ENV_BASE = "SITE_BUILDER_SCHOLARLY_URL"  # one base URL for every API (a mirror; the tests' replay server)

ARXIV, DOI = Field("arxiv"), Field("doi")
PEOPLE = (Field("authors"), Field("et_al"))  # enrich completes an author list, never replaces it


@dataclass(frozen=True)
class Endpoints:
    arxiv: str = arxiv_api.BASE
    crossref: str = crossref_api.BASE
    openalex: str = openalex_api.BASE
    semanticscholar: str = s2_api.BASE
    orcid: str = orcid_api.BASE

    @classmethod
    def under(cls, base: str) -> "Endpoints":
        base = base.rstrip("/")
        return cls(**{name: f"{base}/{name}" for name in SOURCES}, orcid=f"{base}/orcid/v3.0")

    def intervals(self) -> dict[str, float]:
        """Each API's documented rate, as the least number of seconds between two requests to its host."""
        rates = {"arxiv": arxiv_api.HOST_INTERVAL, "crossref": crossref_api.HOST_INTERVAL,
                 "openalex": openalex_api.HOST_INTERVAL, "semanticscholar": s2_api.HOST_INTERVAL,
                 "orcid": orcid_api.HOST_INTERVAL}
        hosts: dict[str, float] = {}
        for name, rate in rates.items():
            host = urllib.parse.urlsplit(getattr(self, name)).netloc
            hosts[host] = max(hosts.get(host, 0.0), rate)
        return hosts


def default_endpoints() -> Endpoints:
    base = os.environ.get(ENV_BASE)
    return Endpoints.under(base) if base else Endpoints()


@dataclass(frozen=True)
class EnrichOptions:
    papers: tuple[str, ...] = ()  # slugs or record paths; empty: every record
    sources: tuple[str, ...] = SOURCES
    dry_run: bool = False
    refresh: bool = False
    with_citations: bool = False
    max_age_days: int = 30
    today: dt.date | None = None


@dataclass(frozen=True)
class EnrichReport:
    updated: int = 0
    unchanged: int = 0
    kept_edited: int = 0
    ambiguous: int = 0
    not_found: int = 0
    requests: int = 0
    cached: int = 0
    problems: tuple[Problem, ...] = ()
    diff: str = ""

    def summary(self) -> str:
        total = self.updated + self.unchanged + self.kept_edited + self.ambiguous + self.not_found
        return (f"enriched {total} records: {self.updated} updated, {self.unchanged} unchanged, "
                f"{self.kept_edited} kept-edited, {self.ambiguous} ambiguous, {self.not_found} not found; "
                f"{self.requests} requests, {self.cached} answers from {CACHE_DIR}/")


@dataclass
class Target:
    """A record to enrich, as its file says it."""

    slug: str
    path: Path
    label: str
    text: str
    front_matter: dict[str, Any]
    body: str
    comments: bool

    @property
    def title(self) -> str:
        return str(self.front_matter.get("title") or "")

    @property
    def authors(self) -> list[str]:
        value = self.front_matter.get("authors")
        return [str(a) for a in value] if isinstance(value, list) else []

    @property
    def year(self) -> int | None:
        value = self.front_matter.get("date")
        text = value.isoformat() if isinstance(value, dt.date) else str(value or "")
        return int(text[:4]) if text[:4].isdigit() else None

    @property
    def links(self) -> dict[str, Any]:
        value = self.front_matter.get("links")
        return value if isinstance(value, dict) else {}

    @property
    def arxiv(self) -> str | None:
        return (bare_arxiv(str(self.front_matter.get("arxiv") or "")) or bare_arxiv(str(self.links.get("arxiv") or ""))
                or bare_arxiv(self.doi if self.doi and self.doi.lower().startswith("10.48550/") else None))

    @property
    def doi(self) -> str | None:
        return bare_doi(str(self.front_matter.get("doi") or "")) or bare_doi(str(self.links.get("doi") or ""))


def read_targets(papers_dir: Path, root: Path, wanted: tuple[str, ...]) -> tuple[list[Target], list[Problem]]:
    problems: list[Problem] = []
    paths = sorted(papers_dir.glob("*.md")) if papers_dir.is_dir() else []
    if wanted:
        chosen = []
        for name in wanted:
            candidate = Path(name)
            path = candidate if candidate.suffix == ".md" and candidate.is_file() else papers_dir / f"{Path(name).stem}.md"
            if not path.is_file():
                raise UserError(f"{name}: no such record (give a slug such as {paths[0].stem if paths else 'my-paper'} "
                                "or a path to a content/papers/*.md file)")
            chosen.append(path.resolve())
        paths = sorted(set(chosen))
    targets = []
    for path in paths:
        try:
            label = path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            label = str(path)
        try:
            text = path.read_text(encoding="utf-8")
            parsed = split_front_matter(text)
        except ParseError as exc:
            problems.append(warning(label, exc.line, f"{exc.message}; not enriched until fixed"))
            continue
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(warning(label, None, f"cannot read ({exc}); not enriched"))
            continue
        targets.append(Target(path.stem, path, label, text, parsed.front_matter, parsed.body,
                              _has_comments(parsed.front_matter_text)))
    return targets, problems


# ------------------------------------------------------------------ looking things up, with the cache


class SourceFailed(Exception):
    """One source failed for good this run (after retries, or a malformed answer)."""


@dataclass
class Lookup:
    """Every question to the APIs goes through here: answered from the cache when it can be."""

    client: HttpClient
    cache: ResponseCache
    endpoints: Endpoints
    contact: str | None
    options: EnrichOptions
    today: dt.date
    cached: int = 0
    failed: dict[str, str] = field(default_factory=dict)  # source -> why it is skipped for the rest of the run
    fetched: dict[tuple[str, str], dt.date] = field(default_factory=dict)  # (source, key) -> when its answer was fetched

    def _fresh(self, source: str, kind: str, key: str) -> Entry | None:
        entry = self.cache.get(source, kind, key)
        if is_fresh(entry, self.options.refresh, self.options.max_age_days, self.today):
            return entry
        return None

    def _polite(self, source: str) -> dict[str, str]:
        return {"mailto": self.contact} if self.contact and "@" in self.contact and source in ("crossref", "openalex") else {}

    @staticmethod
    def _s2_key() -> dict[str, str]:
        """Semantic Scholar's own rate for a key holder, when the environment has one (never stored)."""
        key = os.environ.get("SEMANTIC_SCHOLAR_API_KEY", "").strip()
        return {"x-api-key": key} if key else {}

    def _call(self, source: str, fetch: Callable[[], Any]) -> Any:
        if source in self.failed:
            raise SourceFailed(self.failed[source])
        try:
            return fetch()
        except Offline:
            raise
        except (HttpError, ValueError) as exc:
            self.failed[source] = str(exc)
            raise SourceFailed(str(exc)) from None

    def _answers(self, source: str, kind: str, keys: list[str],
                 fetch_batch: Callable[[list[str]], dict[str, Any]], batch: int) -> dict[str, Entry]:
        """Entries for ``keys``: cached ones as they are, the others fetched ``batch`` at a time."""
        result: dict[str, Entry] = {}
        missing = []
        for key in dict.fromkeys(keys):
            entry = self._fresh(source, kind, key)
            if entry is not None:
                self.cached += 1
                result[key] = entry
            else:
                missing.append(key)
        for start in range(0, len(missing), batch):
            chunk = missing[start:start + batch]
            found = self._call(source, lambda: fetch_batch(chunk))
            for key in chunk:
                data = found.get(key)
                self.cache.put(source, kind, key, data, data is not None, self.today)
                result[key] = Entry(self.today, data is not None, data)
        for key, entry in result.items():
            self.fetched[(source, key)] = entry.fetched
        return result

    # arXiv: many ids per request
    def arxiv_works(self, ids: list[str]) -> dict[str, Work]:
        def fetch(chunk: list[str]) -> dict[str, Any]:
            answer = self.client.get(self.endpoints.arxiv, arxiv_api.id_query(chunk))
            entries = {}
            for entry in arxiv_api.parse_feed(answer.text):
                work = arxiv_api.parse_entry(entry)
                if work is not None:
                    entries[work.arxiv] = arxiv_api.entry_text(entry)
            return entries
        answers = self._answers("arxiv", "id", ids, fetch, arxiv_api.BATCH)
        return {k: w for k, e in answers.items() if e.found and (w := arxiv_api.parse_entry(str(e.data))) is not None}

    # Crossref: one DOI per request
    def crossref_works(self, dois: list[str]) -> dict[str, Work]:
        def fetch(chunk: list[str]) -> dict[str, Any]:
            doi = chunk[0]
            answer = self.client.get(f"{self.endpoints.crossref}/works/{urllib.parse.quote(doi, safe='/')}",
                                     self._polite("crossref"), ok=(200, 404))
            if answer.status == 404:
                return {}
            data = answer.json()
            if not isinstance(data, dict) or not isinstance(data.get("message"), dict):
                raise ValueError(f"{urllib.parse.urlsplit(answer.url).netloc}: not a Crossref work")
            return {doi: data["message"]}
        answers = self._answers("crossref", "doi", [d.casefold() for d in dois], fetch, 1)
        return {k: w for k, e in answers.items() if e.found and (w := crossref_api.parse_work(e.data)) is not None}

    # Semantic Scholar: up to 500 ids per POST
    def s2_works(self, ids: list[str]) -> dict[str, Work]:
        def fetch(chunk: list[str]) -> dict[str, Any]:
            answer = self.client.post_json(f"{self.endpoints.semanticscholar}/paper/batch", {"ids": chunk},
                                           {"fields": s2_api.FIELDS}, headers=self._s2_key())
            data = answer.json()
            if not isinstance(data, list):
                raise ValueError("api.semanticscholar.org: the batch answer is not a list")
            return {key: paper for key, paper in zip(chunk, data) if isinstance(paper, dict)}
        answers = self._answers("semanticscholar", "paper", ids, fetch, s2_api.BATCH)
        return {k: w for k, e in answers.items() if e.found and (w := s2_api.parse_paper(e.data)) is not None}

    # OpenAlex: up to 50 DOIs per request
    def openalex_works(self, dois: list[str]) -> dict[str, Work]:
        def fetch(chunk: list[str]) -> dict[str, Any]:
            params = {"filter": openalex_api.doi_filter(chunk), "per-page": str(openalex_api.BATCH),
                      **self._polite("openalex")}
            data = self.client.get(f"{self.endpoints.openalex}/works", params).json()
            if not isinstance(data, dict) or not isinstance(data.get("results"), list):
                raise ValueError("api.openalex.org: the answer has no results list")
            by_doi = {}
            for item in data["results"]:
                doi = bare_doi(item.get("doi") if isinstance(item, dict) and isinstance(item.get("doi"), str) else None)
                if doi:
                    by_doi[doi.casefold()] = item
            return by_doi
        answers = self._answers("openalex", "doi", [d.casefold() for d in dois], fetch, openalex_api.BATCH)
        return {k: w for k, e in answers.items() if e.found and (w := openalex_api.parse_work(e.data)) is not None}

    # title searches, one request each
    def search(self, source: str, title: str, family: str | None) -> list[Work]:
        key = f"{title_key(title)}|{family or ''}"

        def fetch(chunk: list[str]) -> dict[str, Any]:
            if source == "arxiv":
                text = self.client.get(self.endpoints.arxiv, arxiv_api.title_query(title, family)).text
                return {key: [arxiv_api.entry_text(e) for e in arxiv_api.parse_feed(text)]}
            if source == "crossref":
                data = self.client.get(f"{self.endpoints.crossref}/works",
                                       crossref_api.search_params(title, family, self.contact)).json()
                return {key: (data.get("message") or {}).get("items") or [] if isinstance(data, dict) else []}
            if source == "openalex":
                data = self.client.get(f"{self.endpoints.openalex}/works",
                                       {"search": title, "per-page": "5", **self._polite("openalex")}).json()
                return {key: data.get("results") or [] if isinstance(data, dict) else []}
            answer = self.client.get(f"{self.endpoints.semanticscholar}/paper/search/match",
                                     {"query": title, "fields": s2_api.FIELDS}, ok=(200, 404), headers=self._s2_key())
            data = answer.json() if answer.status == 200 else {}
            return {key: data.get("data") or [] if isinstance(data, dict) else []}

        entry = self._answers(source, "search", [key], fetch, 1)[key]
        items = entry.data if isinstance(entry.data, list) else []
        parse = {"arxiv": lambda i: arxiv_api.parse_entry(str(i)), "crossref": crossref_api.parse_work,
                 "openalex": openalex_api.parse_work, "semanticscholar": s2_api.parse_paper}[source]
        return [w for w in (parse(i) for i in items) if w is not None]


# ------------------------------------------------------------------ identification


def title_similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, title_key(a), title_key(b)).ratio()


@dataclass(frozen=True)
class Judgement:
    match: Work | None = None
    candidates: tuple[Work, ...] = ()  # two or more: ambiguous
    closest: Work | None = None  # the best candidate that did not pass
    why: str = ""


def judge(target: Target, candidates: Iterable[Work]) -> Judgement:
    """The one candidate with this title, first author and year (±1); else why not."""
    passing: dict[str, Work] = {}
    closest, closest_score, why = None, 0.0, ""
    for work in candidates:
        score = title_similarity(target.title, work.title)
        reasons = []
        if score < TITLE_MATCH:
            reasons.append(f"title similarity {score:.2f}")
        if target.authors and not (work.authors and same_person(target.authors[0], work.authors[0].name)):
            reasons.append(f"first author {work.authors[0].name if work.authors else 'none'}")
        if target.year and work.year and abs(target.year - work.year) > 1:
            reasons.append(f"year {work.year}")
        if not reasons:
            passing.setdefault(work.key, work)
        elif score > closest_score:
            closest, closest_score, why = work, score, ", ".join(reasons)
    if len(passing) == 1:
        return Judgement(match=next(iter(passing.values())))
    if len(passing) > 1:
        return Judgement(candidates=tuple(passing.values()))
    return Judgement(closest=closest, why=why)


# ------------------------------------------------------------------ what the sources say, merged


def _people(works: list[Work], target: Target) -> tuple[list[str], str | None, dict[str, str]]:
    """The full author list (from the first source whose list extends the record's), its source, and
    ORCIDs by name."""
    from .overlay import complete_authors, extends

    current = target.authors
    chosen, source = None, None
    for work in works:
        names = [a.name for a in work.authors]
        if names and extends(current, names):
            chosen, source = complete_authors(current, names), work.source
            break
    orcids: dict[str, str] = {}
    for name in chosen or current:
        for work in works:
            person = next((a for a in work.authors if a.orcid and same_person(a.name, name)), None)
            if person is not None:
                orcids[name] = person.orcid
                break
    return chosen or [], source, orcids


def propose(target: Target, works: dict[str, Work], with_citations: bool,
            fetched: dict[str, dt.date]) -> tuple[dict[Field, Any], dict[Field, str]]:
    """The fields enrichment proposes (record keys, and links one by one) and which source gave each."""
    order = [works[s] for s in ("arxiv", "crossref", "openalex", "semanticscholar") if s in works]
    proposal: dict[Field, Any] = {}
    given: dict[Field, str] = {}

    def put(field: Field, value: Any, source: str) -> None:
        if value not in (None, "", [], {}) and field not in proposal:
            proposal[field] = value
            given[field] = source

    authors, source, orcids = _people(order, target)
    if authors:
        put(Field("authors"), authors, source or "")
        proposal[Field("et_al")], given[Field("et_al")] = False, source or ""
    if orcids:
        put(Field("orcids"), orcids, "crossref" if "crossref" in works else "openalex")
    for work in order:
        put(Field("arxiv"), work.arxiv, work.source)
    if target.arxiv:
        proposal.setdefault(ARXIV, target.arxiv)
    for work in order:
        put(Field("doi"), work.doi, work.source)
    published = [w for w in order if w.type and w.type != "preprint" and (w.venue or w.source == "crossref")]
    for work in published:
        put(Field("venue"), work.venue, work.source)
        put(Field("venue_short"), work.venue_short, work.source)
        put(Field("type"), work.type, work.source)
    if not published and proposal.get(ARXIV):
        put(Field("type"), "preprint", "arxiv" if "arxiv" in works else order[0].source if order else "")
    if "arxiv" in works and works["arxiv"].category:
        put(Field("category"), works["arxiv"].category, "arxiv")
    for work in order:
        put(Field("links", "pdf"), work.pdf, work.source)
    if proposal.get(ARXIV):
        put(Field("links", "arxiv"), f"https://arxiv.org/abs/{proposal[ARXIV]}", given.get(ARXIV, ""))
    if proposal.get(DOI):
        put(Field("links", "doi"), f"https://doi.org/{proposal[DOI]}", given.get(DOI, ""))
    if Field("links", "pdf") not in proposal:
        for work in order:
            put(Field("links", "url"), work.oa_url, work.source)
    if with_citations:
        for name in ("openalex", "semanticscholar", "crossref"):
            work = works.get(name)
            if work is not None and work.citations is not None:
                when = fetched.get(name)
                put(Field("citations"), {"count": work.citations, "source": name,
                                  "fetched": (when or dt.date.today()).isoformat()}, name)  # the answer's date
                break
    return proposal, given


# ------------------------------------------------------------------ the command


@dataclass
class _Plan:
    target: Target
    judgement: Judgement | None = None  # for title searches
    arxiv: str | None = None
    doi: str | None = None
    works: dict[str, Work] = field(default_factory=dict)
    fetched: dict[str, dt.date] = field(default_factory=dict)  # source -> when its answer for this paper was fetched
    notes: list[Problem] = field(default_factory=list)


def enrich(config, options: EnrichOptions, client: HttpClient | None = None, endpoints: Endpoints | None = None,
           progress: Callable[[str, int, int], None] | None = None, out: Callable[[str], None] | None = None) -> EnrichReport:
    """Enrich the site's records; the report counts them and lists every problem."""
    today = options.today or dt.date.today()
    endpoints = endpoints or default_endpoints()
    contact = getattr(config, "contact", None)
    client = client or HttpClient(contact=contact, intervals=endpoints.intervals())
    cache = ResponseCache(config.content_dir / CACHE_DIR, read_only=options.dry_run)
    lookup = Lookup(client, cache, endpoints, contact, options, today)
    unknown = [s for s in options.sources if s not in SOURCES]
    if unknown:
        raise UserError(f"--source: unknown source {unknown[0]!r}; known: {', '.join(SOURCES)}")
    targets, problems = read_targets(config.papers_dir, config.root, options.papers)
    if not contact:
        problems.append(warning("site.yaml", None, "no contact: set one (contact: you@example.org) so the APIs "
                                "know who is asking; Crossref and OpenAlex answer anonymous requests more slowly"))
    plans = [_Plan(t, arxiv=t.arxiv, doi=t.doi) for t in targets]
    step = progress or (lambda label, done, total: None)
    try:
        _identify(plans, options.sources, lookup, step)
        _fetch(plans, options.sources, lookup, step)
    except Offline as exc:
        raise UserError(f"enrich: {exc}: are you offline? Nothing was changed; the answers cached so far are in "
                        f"{config.content_dir.name}/{CACHE_DIR}/ and the next run starts from them") from None
    for source, why in sorted(lookup.failed.items()):
        problems.append(warning(source, None, f"{why}; {source} was skipped for the rest of this run"))
    return _apply(plans, config, options, lookup, client, problems, out)


def orcid_works(orcid: str, contact: str | None, client: HttpClient | None = None,
                endpoints: Endpoints | None = None):
    """The works on a public ORCID record as source entries for the importer (``import --orcid``)."""
    endpoints = endpoints or default_endpoints()
    client = client or HttpClient(contact=contact, intervals={
        urllib.parse.urlsplit(endpoints.orcid).netloc: orcid_api.HOST_INTERVAL})
    try:
        fetched = orcid_api.fetch_works(client, endpoints.orcid, orcid)
    except Offline as exc:
        raise UserError(f"import --orcid: {exc}: are you offline? Nothing was imported") from None
    except (HttpError, ValueError) as exc:
        raise UserError(f"import --orcid {orcid}: {exc}; nothing was imported") from None
    if fetched is None:
        raise UserError(f"import --orcid: {orcid} has no public ORCID record (https://orcid.org/{orcid})")
    return orcid_api.works_entries(orcid, *fetched)


def _identify(plans: list[_Plan], sources: tuple[str, ...], lookup: Lookup, step) -> None:
    searching = [p for p in plans if not p.arxiv and not p.doi]
    for done, plan in enumerate(searching, start=1):
        step("searching by title", done, len(searching))
        target = plan.target
        family = target.authors[0].split()[-1] if target.authors else None
        closest: tuple[Work, str] | None = None
        for source in sources:
            try:
                judgement = judge(target, lookup.search(source, target.title, family))
            except SourceFailed:
                continue
            if judgement.match or judgement.candidates:
                plan.judgement = judgement
                break
            if judgement.closest and closest is None:
                closest = (judgement.closest, judgement.why)
        if plan.judgement is None:
            plan.judgement = Judgement(closest=closest[0] if closest else None, why=closest[1] if closest else "")
        if plan.judgement.match:
            work = plan.judgement.match
            plan.arxiv, plan.doi = work.arxiv, work.doi
            plan.works[work.source] = work


def _fetch(plans: list[_Plan], sources: tuple[str, ...], lookup: Lookup, step) -> None:
    known = [p for p in plans if p.arxiv or p.doi]
    if "arxiv" in sources:
        step("looking up on arxiv", 0, len(known))
        try:
            found = lookup.arxiv_works([p.arxiv for p in known if p.arxiv])
        except SourceFailed:
            found = {}
        for plan in known:
            if plan.arxiv in found:
                plan.works["arxiv"] = found[plan.arxiv]
                plan.fetched["arxiv"] = lookup.fetched[("arxiv", plan.arxiv)]
                plan.doi = plan.doi or found[plan.arxiv].doi
    if "semanticscholar" in sources:
        step("looking up on semanticscholar", 0, len(known))
        ids = {p.target.slug: s2_api.paper_id(p.doi, p.arxiv) for p in known}
        try:
            found = lookup.s2_works([i for i in ids.values() if i])
        except SourceFailed:
            found = {}
        for plan in known:
            work = found.get(ids[plan.target.slug] or "")
            if work is not None:
                plan.works["semanticscholar"] = work
                plan.fetched["semanticscholar"] = lookup.fetched[("semanticscholar", ids[plan.target.slug])]
                plan.doi = plan.doi or work.doi
                plan.arxiv = plan.arxiv or work.arxiv
    with_doi = [p for p in known if p.doi]
    if "crossref" in sources:
        for done, plan in enumerate(with_doi, start=1):
            step("looking up on crossref", done, len(with_doi))
            try:
                found = lookup.crossref_works([plan.doi])
            except SourceFailed:
                break
            if plan.doi.casefold() in found:
                plan.works["crossref"] = found[plan.doi.casefold()]
                plan.fetched["crossref"] = lookup.fetched[("crossref", plan.doi.casefold())]
    if "openalex" in sources:
        step("looking up on openalex", 0, len(known))
        dois = {p.target.slug: p.doi or (f"10.48550/arxiv.{p.arxiv}" if p.arxiv else None) for p in known}
        try:
            found = lookup.openalex_works([d for d in dois.values() if d])
        except SourceFailed:
            found = {}
        for plan in known:
            work = found.get((dois[plan.target.slug] or "").casefold())
            if work is not None:
                plan.works["openalex"] = work
                plan.fetched["openalex"] = lookup.fetched[("openalex", dois[plan.target.slug].casefold())]
    for plan in known:  # a wrong identifier in a record must not bring another paper's authors
        for source, work in list(plan.works.items()):
            if work.title and title_similarity(plan.target.title, work.title) < SAME_PAPER:
                del plan.works[source]
                plan.notes.append(warning(plan.target.label, None, f"{source} gives {work.describe()} for this "
                                          "record's identifier, a different title: not used; check the arxiv:/doi:"))


def _apply(plans: list[_Plan], config, options: EnrichOptions, lookup: Lookup, client: HttpClient,
           problems: list[Problem], out: Callable[[str], None] | None) -> EnrichReport:
    state_path = config.content_dir / STATE_NAME
    data = _state_data(state_path)
    state = load_state(state_path, data)
    # The files earlier imports read are kept: a file once named on the command line is still read by a plain
    # import after an enrich (the last import's digests no longer match the records enrich changed, so that
    # import reads everything again).
    files = imported_files(config.content_dir, data)
    old_state_text = dump_state(state, files)
    counts = {"updated": 0, "unchanged": 0, "kept_edited": 0, "ambiguous": 0, "not_found": 0}
    diffs: list[str] = []
    for plan in plans:
        target = plan.target
        problems.extend(plan.notes)
        judgement = plan.judgement
        if judgement is not None and judgement.candidates:
            counts["ambiguous"] += 1
            listed = " and ".join(w.describe() for w in judgement.candidates[:3])
            problems.append(warning(target.label, None, f"two candidates: {listed}; not applied (add the right "
                                    "doi: or arxiv: to the record and run enrich again)"))
            continue
        if not plan.works and state.get(target.slug, {}).get("enriched"):
            counts["unchanged"] += 1  # found before (by a search, say) and nothing new now: what was found stays
            continue
        if not plan.works:
            counts["not_found"] += 1
            if judgement is not None and judgement.closest is not None:
                problems.append(warning(target.label, None, f"no confident match; the closest, "
                                        f"{judgement.closest.describe()}, differs ({judgement.why}): not applied"))
            elif judgement is not None:
                problems.append(warning(target.label, None, "not found in " + ", ".join(options.sources)))
            else:
                problems.append(warning(target.label, None, "its identifier was not found in " +
                                        ", ".join(options.sources)))
            continue
        proposal, given = propose(target, plan.works, options.with_citations, plan.fetched)
        kind, text = _merge_one(target, proposal, given, state, problems)
        counts[kind] += 1
        if text is not None and text != target.text:
            if options.dry_run:
                diffs.append("".join(difflib.unified_diff(
                    target.text.splitlines(keepends=True), text.splitlines(keepends=True),
                    f"a/{target.label}", f"b/{target.label}")))
            elif target.comments:
                problems.append(warning(target.label, None, "has comments, so it was not rewritten: "
                                        "run enrich --dry-run and apply the changes by hand"))
            else:
                atomic_write(target.path, text)
    new_state_text = dump_state(state, files)
    if not options.dry_run and new_state_text != old_state_text:
        atomic_write(state_path, new_state_text)
    diff = "".join(diffs)
    if out is not None and diff:
        out(diff)
    return EnrichReport(requests=client.requests, cached=lookup.cached, problems=tuple(problems), diff=diff, **counts)


def _merge_one(target: Target, proposal: dict[Field, Any], given: dict[Field, str], state: dict[str, dict[str, Any]],
               problems: list[Problem]) -> tuple[str, str | None]:
    """Merge one record's proposal through the importer's three-way merge; (outcome, new text or None)."""
    info = state.get(target.slug)
    last = dict(info.get("fields", {})) if info else {}
    old_enriched = info.get("enriched", {}) if info else {}
    current = {field: _get(target.front_matter, target.body, field) for field in proposal}
    # What the source (listing, BibTeX) gave, as far as the record remembers: values enrich wrote
    # itself are not the source's. A field without memory counts as the file's own value.
    source_view: dict[Field, Any] = {}
    for field in proposal:
        if field in last:
            if field in PEOPLE or last[field] != old_enriched.get(field):
                source_view[field] = last[field]
        else:
            source_view[field] = current[field]
    wanted = {field: value for field, value in with_enrichment(source_view, proposal).items() if field in proposal}
    memory = dict(last)
    for field in wanted:
        if field not in memory and (_empty(current[field]) or field in PEOPLE):
            memory[field] = current[field]  # nothing written by hand there: enrichment may fill it
    merged = merge_fields(target.front_matter, target.body, wanted, memory, names=list(wanted))
    for field, value, _previous in merged.kept:
        problems.append(warning(target.label, None, f"kept your edit of '{field}' ({_short(current[field])}); "
                                f"{given.get(field) or 'the sources'} say{'s' if given.get(field) else ''} {_short(value)}"))
    for field, value in proposal.items():
        if (field in wanted and wanted[field] != value and field not in PEOPLE
                and not _empty(source_view.get(field)) and not _same_value(field, source_view[field], value)):
            problems.append(warning(target.label, None, f"'{field}' stays as the source gives it "
                                    f"({_short(source_view[field])}); {given.get(field)} says {_short(value)}"))
    remembered = {**(info.get("fields", {}) if info else {}), **{k: merged.remembered[k] for k in wanted}}
    new_info = dict(info) if info else {"source": "", "key": title_key(target.title)}
    new_info["fields"] = remembered
    new_info["enriched"] = proposal
    state[target.slug] = new_info
    if not merged.applied:
        return ("kept_edited" if merged.kept else "unchanged"), None
    return ("kept_edited" if merged.kept else "updated"), render_record(ordered(merged.front_matter), merged.body)


def _same_value(field: Field, a: Any, b: Any) -> bool:
    """The same identifier written two ways: an arXiv id with or without its version, a DOI in any case."""
    if not (isinstance(a, str) and isinstance(b, str)):
        return False
    if "arxiv" in (field.key, field.link):
        return bare_arxiv(a) is not None and bare_arxiv(a) == bare_arxiv(b)
    if "doi" in (field.key, field.link):
        return (bare_doi(a) or "").casefold() == (bare_doi(b) or "").casefold() != ""
    return a.strip().casefold() == b.strip().casefold()


def _short(value: Any) -> str:
    import json

    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 80 else text[:77] + "..."
