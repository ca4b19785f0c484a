"""enrich: records completed from arXiv, Crossref, OpenAlex and Semantic Scholar, and the ORCID import.

No test reaches the network: a local server on a free loopback port replays real responses recorded by
other projects (tests/data/real/enrich/SOURCES.md) and the failures shaped here (429 with Retry-After,
500, a timeout, malformed JSON, two candidates, no match, a refused connection).
"""
from __future__ import annotations

import json
import re
import socket
import threading
import time
import urllib.parse
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable

import pytest

from site_builder import yamlio
from site_builder.config import load_config
from site_builder.enrich import EnrichOptions, Endpoints, enrich
from site_builder.records import split_front_matter
from site_builder.scholarly.net import HttpClient

DATA = Path(__file__).parent / "data" / "real" / "enrich"
ATOM = "{http://www.w3.org/2005/Atom}"
S2_RECORDED_IDS = ["CorpusId:470667", "10.2139/ssrn.2250500", "0f40b1f08821e22e859c6050916cec3667778613"]


def read(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def arxiv_entries() -> dict[str, str]:
    """Every recorded arXiv entry, by bare id, as text."""
    feeds = [read("arxiv-id_list-1111.2011v2.xml"), json.loads(read("arxiv-id_0808.05394_1707.08567.json"))["body"],
             read("arxiv-search-del_maestro-checkerboard.xml")]
    entries = {}
    for feed in feeds:
        for entry in ET.fromstring(feed.encode("utf-8")).findall(ATOM + "entry"):
            ident = re.sub(r"v\d+$", "", entry.findtext(ATOM + "id").split("/abs/")[1])
            entries[ident] = ET.tostring(entry, encoding="unicode")
    return entries


def atom_feed(entries: list[str]) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n'
            + "\n".join(entries) + "\n</feed>\n")


class Replay:
    """A loopback HTTP server answering like the four APIs and ORCID, from the recordings. ``override``
    maps a path prefix to a function (handler, attempt number) -> (status, headers, body) or None."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, dict[str, str], bytes]] = []
        self.override: dict[str, Callable] = {}
        self.hits: dict[str, int] = {}
        self.entries = arxiv_entries()
        replay = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                self.answer(b"")

            def do_POST(self):
                self.answer(self.rfile.read(int(self.headers.get("Content-Length") or 0)))

            def answer(self, body: bytes) -> None:
                replay.requests.append((self.command, self.path, dict(self.headers), body))
                status, headers, payload = replay.respond(self, body)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                try:
                    self.wfile.write(payload)
                except OSError:
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def respond(self, handler, body: bytes):
        split = urllib.parse.urlsplit(handler.path)
        path, query = urllib.parse.unquote(split.path), dict(urllib.parse.parse_qsl(split.query))
        for prefix, rule in self.override.items():
            if path.startswith(prefix):
                self.hits[prefix] = self.hits.get(prefix, 0) + 1
                answer = rule(handler, self.hits[prefix])
                if answer is not None:
                    return answer
        xml = {"Content-Type": "application/atom+xml; charset=UTF-8"}
        js = {"Content-Type": "application/json"}
        if path == "/arxiv":
            if query.get("id_list"):
                wanted = [re.sub(r"v\d+$", "", i) for i in query["id_list"].split(",")]
                return 200, xml, atom_feed([self.entries[i] for i in wanted if i in self.entries]).encode()
            if "checkerboard" in query.get("search_query", ""):
                return 200, xml, read("arxiv-search-del_maestro-checkerboard.xml").encode()
            return 200, xml, atom_feed([]).encode()
        if path.startswith("/crossref/works/"):
            if path.removeprefix("/crossref/works/").lower() == "10.1371/journal.pone.0033693":
                return 200, js, read("crossref-works-10.1371-journal.pone.0033693.json").encode()
            return 404, {"Content-Type": "text/plain"}, b"Resource not found."
        if path == "/crossref/works":
            return 200, js, b'{"status":"ok","message-type":"work-list","message":{"items":[]}}'
        if path == "/semanticscholar/paper/batch":
            recorded = json.loads(read("semanticscholar-paper-batch-authors.json"))
            ids = [i.removeprefix("DOI:").casefold() for i in json.loads(body)["ids"]]
            known = [i.casefold() for i in S2_RECORDED_IDS]
            return 200, js, json.dumps([recorded[known.index(i)] if i in known else None for i in ids]).encode()
        if path == "/semanticscholar/paper/search/match":
            if "association rules" in query.get("query", "").lower():
                return 200, js, read("semanticscholar-paper-search-match.json").encode()
            return 404, js, b'{"error":"Title match not found"}'
        if path == "/openalex/works":
            work = json.loads(read("openalex-work-W2741809807.json"))
            dois = query.get("filter", "").removeprefix("doi:").lower().split("|")
            results = [work] if "10.7717/peerj.4375" in dois else []
            return 200, js, json.dumps({"meta": {"count": len(results)}, "results": results}).encode()
        match = re.fullmatch(r"/orcid/v3\.0/([\d-]{19}X?)/works(?:/([\d,]+))?", path)
        if match and match.group(1) == "0000-0002-8612-8827":
            if match.group(2) is None:
                return 200, js, read("orcid-0000-0002-8612-8827-works.json").encode()
            codes = {int(c) for c in match.group(2).split(",")}
            bulk = json.loads(read("orcid-0000-0002-8612-8827-works-bulk.json"))
            bulk["bulk"] = [w for w in bulk["bulk"] if w["work"]["put-code"] in codes]
            return 200, js, json.dumps(bulk).encode()
        return 404, js, b'{"error":"not recorded"}'


@pytest.fixture
def replay():
    server = Replay()
    yield server
    server.close()


class Clock:
    """A clock for the HTTP client: sleeping advances it, nothing waits."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 3))
        self.now += seconds

    def __call__(self) -> float:
        return self.now


def client_for(clock: Clock, contact: str | None = "lab@example.org", **kw) -> HttpClient:
    return HttpClient(contact=contact, sleep=clock.sleep, clock=clock, wall_clock=clock, timeout=kw.pop("timeout", 5.0),
                      intervals=kw.pop("intervals", {}), **kw)


RECORDS = {
    # identified by arXiv id: 3 listed authors of 34
    "aew10": ("Proceedings of Workshop AEW10: Concepts in Information Theory and Communications",
              ["Kees A. Schouhamer Immink", "Stan Baggen", "Ferdaous Chaabane"], "2017-07-27",
              {"links": {"arxiv": "https://arxiv.org/abs/1707.08567v1"}}),
    # identified by arXiv id in the arxiv key (with a version)
    "bethe": ("Quantum Criticality for Extended Nodes on a Bethe Lattice in the Large Connectivity Limit",
              ["James M. Murray"], "2011-11-08", {"arxiv": "1111.2011v2"}),
    # identified by DOI: Crossref
    "methylphenidate": ("Methylphenidate Exposure Induces Dopamine Neuron Loss and Activation of Microglia in the "
                        "Basal Ganglia of Mice", ["Shankar Sadasivan", "Brooks B. Pond"], "2012-03-21",
                        {"doi": "10.1371/journal.pone.0033693"}),
    # identified by DOI: OpenAlex (ORCIDs)
    "state-of-oa": ("The state of OA: a large-scale analysis of the prevalence and impact of Open Access articles",
                    ["Heather Piwowar", "Jason Priem", "Vincent Larivière"], "2018-02-13",
                    {"links": {"doi": "https://doi.org/10.7717/peerj.4375"}}),
    # no identifier: found by an arXiv title search
    "checkerboard": ("From stripe to checkerboard order on the square lattice in the presence of quenched disorder",
                     ["Adrian Del Maestro", "Bernd Rosenow"], "2006-03-02", {}),
    # no identifier: found by Semantic Scholar's title match
    "association-rules": ("Mining Association Rules between Sets of Items in Large Databases", ["Rakesh Agrawal"],
                          "1993-06-01", {}),
    # identified by DOI: Semantic Scholar's batch (a recording that asked for authors only)
    "microfinance": ("The Miracle of Microfinance? Evidence from a Randomized Evaluation", ["Esther Duflo"],
                     "2013-04-01", {"doi": "10.2139/ssrn.2250500"}),
}


def write_record(papers: Path, slug: str, title: str, authors: list[str], date: str, extra: dict) -> Path:
    fm = {"title": title, "authors": authors, "et_al": True, "date": date, **extra}
    path = papers / f"{slug}.md"
    path.write_text("---\n" + yamlio.dump(fm) + "---\n\nAn abstract.\n", encoding="utf-8")
    return path


@pytest.fixture
def site(tmp_path):
    root = tmp_path / "site"
    papers = root / "content" / "papers"
    papers.mkdir(parents=True)
    (root / "site.yaml").write_text("title: Lab\ncontact: lab@example.org\n", encoding="utf-8")
    for slug, (title, authors, date, extra) in RECORDS.items():
        write_record(papers, slug, title, authors, date, extra)
    return root


def front(site: Path, slug: str) -> dict:
    return split_front_matter((site / "content" / "papers" / f"{slug}.md").read_text(encoding="utf-8")).front_matter


def run_enrich(site: Path, replay: Replay, clock: Clock | None = None, steps: list | None = None, **options):
    clock = clock or Clock()
    client = client_for(clock, **{k: options.pop(k) for k in list(options) if k in ("attempts", "timeout")})
    progress = (lambda label, done, total: steps.append((label, done, total))) if steps is not None else None
    report = enrich(load_config(site), EnrichOptions(**options), client=client, endpoints=Endpoints.under(replay.url),
                    progress=progress)
    return report, client, clock


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# ------------------------------------------------------------------ the recorded papers


def test_recorded_papers_get_full_author_lists_and_identifiers(site, replay):
    steps: list = []
    report, client, _clock = run_enrich(site, replay, steps=steps)
    assert ("searching by title", 2, 2) in steps and ("looking up on crossref", 6, 6) in steps  # progress
    assert report.updated == 7 and report.ambiguous == 0 and report.not_found == 0, report.problems

    aew = front(site, "aew10")
    assert len(aew["authors"]) == 34 and aew["authors"][:3] == RECORDS["aew10"][1]
    assert aew["authors"][-2:] == ["Dirk WÃ¼bben", "Hirosuke Yamamoto"]  # arXiv's own mojibake, kept as given
    assert aew["et_al"] is False
    assert aew["arxiv"] == "1707.08567" and aew["category"] == "IT" and aew["type"] == "preprint"
    assert aew["links"] == {"arxiv": "https://arxiv.org/abs/1707.08567v1", "pdf": "https://arxiv.org/pdf/1707.08567"}

    bethe = front(site, "bethe")
    assert bethe["authors"] == ["James M. Murray", "Adrian Del Maestro", "Zlatko Tesanovic"]
    assert bethe["doi"] == "10.1103/PhysRevB.85.115117" and bethe["category"] == "cond-mat.str-el"
    assert bethe["links"]["doi"] == "https://doi.org/10.1103/PhysRevB.85.115117"

    methyl = front(site, "methylphenidate")
    assert methyl["authors"] == ["Shankar Sadasivan", "Brooks B. Pond", "Amar K. Pani", "Chunxu Qu", "Yun Jiao",
                                 "Richard J. Smeyne"]
    assert (methyl["venue"], methyl["venue_short"], methyl["type"]) == ("PLoS ONE", "PLoS ONE", "journal-article")

    oa = front(site, "state-of-oa")
    assert oa["authors"][:3] == ["Heather Piwowar", "Jason Priem", "Vincent Larivière"]  # the record's spelling kept
    assert oa["authors"][3:] == ["Juan Pablo Alperin", "Lisa Matthias", "Bree Norlander", "Ashley Farley",
                                 "Jevin D. West", "Stefanie Haustein"]
    assert oa["doi"] == "10.7717/peerj.4375" and oa["venue"] == "PeerJ" and oa["type"] == "journal-article"
    assert oa["orcids"]["Heather Piwowar"] == "0000-0003-1613-5981"
    assert oa["orcids"]["Stefanie Haustein"] == "0000-0003-0157-1430" and "Ashley Farley" not in oa["orcids"]
    assert oa["links"]["url"] == "https://peerj.com/articles/4375.pdf"

    checker = front(site, "checkerboard")
    assert checker["authors"] == ["Adrian Del Maestro", "Bernd Rosenow", "Subir Sachdev"]
    assert checker["arxiv"] == "cond-mat/0603029" and checker["doi"] == "10.1103/PhysRevB.74.024520"

    rules = front(site, "association-rules")
    assert rules["authors"] == ["Rakesh Agrawal", "T. Imielinski", "A. Swami"]
    assert rules["doi"] == "10.1145/170035.170072" and rules["venue_short"] == "SIGMOD Conference"
    assert rules["links"]["pdf"] == "https://dl.acm.org/doi/pdf/10.1145/170036.170072"

    micro = front(site, "microfinance")
    assert micro["authors"] == ["Esther Duflo", "A. Banerjee", "R. Glennerster", "Cynthia Kinnan"]

    # batching: one arXiv request for every id, one Semantic Scholar batch, one OpenAlex request for every DOI
    paths = [urllib.parse.unquote(r[1]) for r in replay.requests]
    id_lists = [p for p in paths if "id_list=" in p]
    assert len(id_lists) == 1 and {"1707.08567", "1111.2011"} <= set(re.search(r"id_list=([^&]+)", id_lists[0]).group(1).split(","))
    batch = [r for r in replay.requests if r[1].startswith("/semanticscholar/paper/batch")]
    assert len(batch) == 1 and len(json.loads(batch[0][3])["ids"]) == 7
    openalex = [p for p in paths if p.startswith("/openalex/works?filter=doi:")]
    assert len(openalex) == 1 and "|10.7717/peerj.4375&" in openalex[0] and "10.1371/journal.pone.0033693|" in openalex[0]
    assert client.requests == len(replay.requests)


def test_every_request_names_site_builder_and_the_contact(site, replay):
    run_enrich(site, replay)
    for _method, path, headers, _body in replay.requests:
        assert headers["User-Agent"] == "site-builder/0.1.0 (mailto:lab@example.org)"
        if path.startswith(("/crossref/", "/openalex/")):
            assert "mailto=lab%40example.org" in path


def test_a_second_enrich_with_a_warm_cache_makes_no_request(site, replay):
    first, _client, _clock = run_enrich(site, replay)
    assert first.requests > 5
    cache = site / "content" / ".enrich"
    assert (cache / "crossref" / "doi" / "10.1371_2fjournal.pone.0033693.json").is_file()
    before = snapshot(site)
    replay.requests.clear()
    second, _client, _clock = run_enrich(site, replay)
    assert replay.requests == [] and second.requests == 0 and second.cached >= 7
    assert second.unchanged == 7 and snapshot(site) == before


def test_a_build_after_enrich_makes_no_request_and_the_owner_finds_every_paper(site, replay):
    from site_builder.build import Builder

    (site / "site.yaml").write_text("title: Lab\ncontact: lab@example.org\nowner: Hirosuke Yamamoto\n")
    Builder(load_config(site)).build()
    owner_page = site / "output" / "authors" / "hirosuke-yamamoto" / "index.html"
    assert not owner_page.exists()  # cut at three names, the owner (34th author) is nowhere
    run_enrich(site, replay)
    replay.requests.clear()
    result = Builder(load_config(site)).build()
    assert not [p for p in result.problems if p.is_error]
    assert replay.requests == []
    html = (site / "output" / "papers" / "aew10" / "index.html").read_text(encoding="utf-8")
    assert "Hirosuke Yamamoto" in html and "et al." not in html
    assert "Proceedings of Workshop AEW10" in owner_page.read_text(encoding="utf-8")


def test_dry_run_prints_a_diff_and_writes_nothing(site, replay):
    before = snapshot(site)
    report, _client, _clock = run_enrich(site, replay, dry_run=True)
    assert snapshot(site) == before  # no record, no state, no cache
    assert "--- a/content/papers/checkerboard.md\n+++ b/content/papers/checkerboard.md" in report.diff
    assert "   - Bernd Rosenow\n-et_al: true\n+  - Subir Sachdev\n+et_al: false\n" in report.diff


def test_refresh_fetches_again_only_entries_older_than_the_age(site, replay):
    import datetime as dt

    run_enrich(site, replay, today=dt.date(2026, 1, 1))
    replay.requests.clear()
    run_enrich(site, replay, refresh=True, max_age_days=30, today=dt.date(2026, 1, 20))
    assert replay.requests == []
    run_enrich(site, replay, refresh=True, max_age_days=30, today=dt.date(2026, 3, 1))
    assert len(replay.requests) > 5
    entry = json.loads((site / "content/.enrich/crossref/doi/10.1371_2fjournal.pone.0033693.json").read_text())
    assert entry["fetched"] == "2026-03-01"


# ------------------------------------------------------------------ identification


def test_two_candidates_are_reported_with_both_and_not_applied(site, replay):
    work = json.loads(read("crossref-works-10.1371-journal.pone.0033693.json"))["message"]
    twin = {**work, "DOI": "10.1371/annotation/c76da2c1-ccb8-4797-94c1-359d3ceceeda"}
    items = json.dumps({"status": "ok", "message": {"items": [work, twin]}}).encode()
    replay.override["/crossref/works"] = lambda h, n: (200, {}, items) if "?" in h.path and "/works?" in h.path else None
    papers = site / "content" / "papers"
    path = write_record(papers, "methylphenidate", RECORDS["methylphenidate"][0], ["Shankar Sadasivan"], "2012-03-21", {})
    before = path.read_bytes()
    report, _c, _k = run_enrich(site, replay, papers=("methylphenidate",), sources=("crossref",))
    assert report.ambiguous == 1 and path.read_bytes() == before
    [message] = [str(p) for p in report.problems if "candidates" in str(p)]
    assert message.startswith("content/papers/methylphenidate.md: warning: two candidates:")
    assert "doi:10.1371/journal.pone.0033693" in message and "doi:10.1371/annotation/c76da2c1" in message


def test_a_search_result_below_the_threshold_is_reported_not_applied(site, replay):
    papers = site / "content" / "papers"
    path = write_record(papers, "association-rules", "Mining Association Rules between Sets of Items in Large Databases",
                        ["Rakesh Agrawal"], "2001-06-01", {})  # the recorded paper is from 1993
    before = path.read_bytes()
    report, _c, _k = run_enrich(site, replay, papers=("association-rules",))
    assert report.not_found == 1 and path.read_bytes() == before
    [message] = [str(p) for p in report.problems if "association-rules" in str(p)]
    assert "no confident match" in message and "year 1993" in message and "doi:10.1145/170035.170072" in message


def test_a_wrong_identifier_does_not_bring_another_papers_authors(site, replay):
    papers = site / "content" / "papers"
    path = write_record(papers, "wrong", "A Completely Different Paper About Gardening", ["Shankar Sadasivan"],
                        "2012-03-21", {"doi": "10.1371/journal.pone.0033693"})
    before = path.read_bytes()
    report, _c, _k = run_enrich(site, replay, papers=("wrong",))
    assert path.read_bytes() == before
    assert any("a different title: not used" in str(p) for p in report.problems)


# ------------------------------------------------------------------ hand edits and the import on top

LISTING = """\
LGMar 2, 2006
From stripe to checkerboard order on the square lattice in the presence of quenched disorderAdrian Del Maestro, Bernd Rosenow et al.
We discuss the effects of quenched disorder on a model of charge density wave ordering on the square lattice.
"""


def test_hand_edits_survive_enrich_and_import_keeps_working_on_top(tmp_path, replay, run):
    root = tmp_path / "site"
    (root / "seeds").mkdir(parents=True)
    (root / "seeds" / "publications.txt").write_text(LISTING, encoding="utf-8")
    (root / "site.yaml").write_text("title: Lab\ncontact: lab@example.org\nlisting_date: 2026-01-01\n")
    assert run(root, "import", "--quiet").code == 0
    [path] = list((root / "content" / "papers").glob("*.md"))
    slug = path.stem
    # a hand edit before enrich: the venue
    path.write_text(path.read_text().replace("tags: []\n", "tags: []\nvenue: My Own Venue\n"))
    report, _c, _k = run_enrich(root, replay)
    fm = front(root, slug)
    assert fm["authors"] == ["Adrian Del Maestro", "Bernd Rosenow", "Subir Sachdev"] and fm["et_al"] is False
    assert fm["venue"] == "My Own Venue" and fm["arxiv"] == "cond-mat/0603029"

    # a hand edit after enrich: the PDF link; another import changes nothing, enriched fields stay
    text = path.read_text().replace("pdf: https://arxiv.org/pdf/cond-mat/0603029", "pdf: https://example.org/mine.pdf")
    path.write_text(text)
    assert run(root, "import").code == 0
    assert path.read_text() == text
    # a listing change still updates the fields the listing owns, and the full author list stays
    seeds = root / "seeds" / "publications.txt"
    seeds.write_text(LISTING.replace("We discuss", "We study"))
    assert run(root, "import", "--quiet").code == 0
    fm = front(root, slug)
    assert path.read_text().split("---\n", 2)[2].strip().startswith("We study")
    assert fm["authors"] == ["Adrian Del Maestro", "Bernd Rosenow", "Subir Sachdev"] and fm["et_al"] is False
    assert fm["links"]["pdf"] == "https://example.org/mine.pdf"
    # enrich again (answers fetched again): the edits stay, and the report says who disagrees
    report, _c, _k = run_enrich(root, replay, refresh=True, max_age_days=0)
    fm = front(root, slug)
    assert fm["links"]["pdf"] == "https://example.org/mine.pdf" and fm["venue"] == "My Own Venue"
    messages = [str(p) for p in report.problems]
    assert any("kept your edit of 'link:pdf'" in m and "arxiv says" in m for m in messages), messages


# ------------------------------------------------------------------ failures


def test_429_with_retry_after_is_honoured_then_the_answer_used(site, replay):
    replay.override["/crossref/works/"] = lambda h, n: (429, {"Retry-After": "7"}, b"slow down") if n == 1 else None
    report, client, clock = run_enrich(site, replay, papers=("methylphenidate",), sources=("crossref",))
    assert 7.0 in clock.slept
    assert front(site, "methylphenidate")["venue"] == "PLoS ONE" and report.updated == 1


def test_a_server_failing_for_good_skips_that_source_and_the_others_still_apply(site, replay):
    replay.override["/crossref/"] = lambda h, n: (500, {}, b"oops")
    report, client, clock = run_enrich(site, replay, papers=("methylphenidate", "aew10"), attempts=3)
    assert replay.hits["/crossref/"] == 3  # three attempts, then crossref is left alone for this run
    assert clock.slept.count(1.0) >= 1 and 2.0 in clock.slept  # exponential backoff
    assert any(str(p).startswith("crossref: warning: ") and "HTTP 500 after 3 attempts" in str(p) for p in report.problems)
    assert len(front(site, "aew10")["authors"]) == 34


def test_a_timeout_is_retried_then_reported(site, replay):
    def slow(handler, n):
        time.sleep(0.6)
        return None

    replay.override["/openalex/"] = slow
    report, _client, _clock = run_enrich(site, replay, papers=("state-of-oa",), sources=("openalex",),
                                         attempts=2, timeout=0.2)
    assert replay.hits["/openalex/"] == 2
    assert any("no answer within 0.2 s after 2 attempts" in str(p) for p in report.problems)
    assert front(site, "state-of-oa")["et_al"] is True  # nothing applied


def test_malformed_json_is_reported_not_a_traceback(site, replay):
    replay.override["/crossref/works/"] = lambda h, n: (200, {"Content-Type": "application/json"}, b'{"status":"ok",')
    report, _c, _k = run_enrich(site, replay, papers=("methylphenidate",), sources=("crossref",))
    assert any("not valid JSON" in str(p) for p in report.problems)
    assert front(site, "methylphenidate")["et_al"] is True
    assert not (site / "content/.enrich/crossref/doi").exists()  # a broken answer is not cached


def _without_cache(files: dict) -> dict:
    return {name: data for name, data in files.items() if not name.startswith(".cache/")}


def test_offline_gives_one_clear_message_and_changes_nothing(site, run, monkeypatch):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("SITE_BUILDER_SCHOLARLY_URL", f"http://127.0.0.1:{port}")
    before = _without_cache(snapshot(site))
    result = run(site, "enrich")
    assert result.code == 1 and "Traceback" not in result.err
    errors = [line for line in result.err.splitlines() if line.startswith("error:")]
    assert errors == [f"error: enrich: cannot reach 127.0.0.1:{port} (Connection refused): are you offline? Nothing "
                      "was changed; the answers cached so far are in content/.enrich/ and the next run starts from them"]
    assert _without_cache(snapshot(site)) == before  # .cache/ holds only the lock of the site


def test_requests_to_one_host_keep_its_documented_interval():
    clock = Clock()
    client = client_for(clock, intervals={"export.arxiv.org": 3.0})
    client._wait_turn("export.arxiv.org")
    clock.now += 1.0
    client._wait_turn("export.arxiv.org")
    client._wait_turn("api.crossref.org")
    assert clock.slept == [2.0]


# ------------------------------------------------------------------ ORCID import


def test_import_orcid_imports_a_public_records_works_through_merge_and_dedupe(tmp_path, replay, run, monkeypatch):
    root = tmp_path / "site"
    root.mkdir()
    (root / "site.yaml").write_text("title: Lab\ncontact: lab@example.org\n")
    monkeypatch.setenv("SITE_BUILDER_SCHOLARLY_URL", replay.url)
    result = run(root, "import", "--orcid", "https://orcid.org/0000-0002-8612-8827")
    assert result.code == 0, result.err
    assert result.out.strip() == "imported 6 entries: 4 created, 0 updated, 0 unchanged, 0 kept-edited, 0 rejected, " \
                                 "2 merged duplicates"
    # one request for the list, one for the six works in detail
    assert [urllib.parse.unquote(r[1]) for r in replay.requests] == [
        "/orcid/v3.0/0000-0002-8612-8827/works",
        "/orcid/v3.0/0000-0002-8612-8827/works/45993824,47337044,47337045,46050270,15894056,16667185"]
    assert all(r[2]["Accept"] == "application/json" for r in replay.requests)
    papers = sorted(p.stem for p in (root / "content" / "papers").glob("*.md"))
    assert len(papers) == 4
    normal = front(root, next(p for p in papers if p.startswith("normal-forms")))
    assert normal["authors"] == ["Antonin Delpeuch"] and normal["et_al"] is True  # no contributors: the holder
    assert normal["links"]["arxiv"] == "https://arxiv.org/abs/1804.07832"
    grammar = front(root, next(p for p in papers if p.startswith("complexity-of-grammar")))
    assert grammar["doi"] == "10.4204/eptcs.172.16" and grammar["venue"] == "EPTCS"
    rdf = front(root, next(p for p in papers if p.startswith("from-natural-language")))
    assert rdf["links"]["url"] == "http://www.aclweb.org/anthology/W14-1407"
    # the three versions of the thesis (two Zenodo DOIs and the record holder's own) are one record
    assert len([p for p in papers if p.startswith("type-driven")]) == 1
    # a second import changes nothing
    before = snapshot(root / "content" / "papers")
    assert run(root, "import", "--orcid", "0000-0002-8612-8827").code == 0
    assert snapshot(root / "content" / "papers") == before


def test_import_orcid_refuses_a_bad_check_digit_and_reports_a_missing_record(tmp_path, replay, run, monkeypatch):
    root = tmp_path / "site"
    root.mkdir()
    (root / "site.yaml").write_text("title: Lab\n")
    monkeypatch.setenv("SITE_BUILDER_SCHOLARLY_URL", replay.url)
    with pytest.raises(SystemExit):
        run(root, "import", "--orcid", "0000-0002-8612-8828")
    assert replay.requests == []
    result = run(root, "import", "--orcid", "0000-0002-1825-0097")
    assert result.code == 1
    assert result.err.strip() == ("error: import --orcid: 0000-0002-1825-0097 has no public ORCID record "
                                  "(https://orcid.org/0000-0002-1825-0097)")


def test_with_citations_records_the_count_its_source_and_the_date(site, replay):
    import datetime as dt

    run_enrich(site, replay, papers=("state-of-oa",), with_citations=True, today=dt.date(2026, 11, 30))
    assert front(site, "state-of-oa")["citations"] == {"count": 394, "source": "openalex", "fetched": "2026-11-30"}
    assert "citations" not in front(site, "aew10")
    # a later run answered from the cache keeps the date the count was fetched
    report, _c, _k = run_enrich(site, replay, papers=("state-of-oa",), with_citations=True, today=dt.date(2026, 12, 15))
    assert report.requests == 0 and report.unchanged == 1
    assert front(site, "state-of-oa")["citations"]["fetched"] == "2026-11-30"


def test_the_enrich_command_prints_the_diff_and_one_summary_line(site, replay, run, monkeypatch):
    monkeypatch.setenv("SITE_BUILDER_SCHOLARLY_URL", replay.url)
    result = run(site, "enrich", "methylphenidate", "--source", "crossref", "--dry-run")
    assert result.code == 0, result.err
    assert result.out.startswith("--- a/content/papers/methylphenidate.md\n+++ b/content/papers/methylphenidate.md\n")
    assert "+venue: PLoS ONE\n" in result.out
    assert result.err.strip().splitlines()[-1] == ("enriched 1 records: 1 updated, 0 unchanged, 0 kept-edited, "
                                                   "0 ambiguous, 0 not found; 1 requests, 0 answers from .enrich/ "
                                                   "(dry run: nothing written)")
    result = run(site, "enrich", "methylphenidate", "--source", "crossref")
    assert result.out.strip() == ("enriched 1 records: 1 updated, 0 unchanged, 0 kept-edited, 0 ambiguous, "
                                  "0 not found; 1 requests, 0 answers from .enrich/")
    assert front(site, "methylphenidate")["venue"] == "PLoS ONE"
    with pytest.raises(SystemExit):
        run(site, "enrich", "--source", "crossref,nope")


def test_enrichment_over_a_listing_completes_authors_fills_gaps_and_leaves_the_listings_own_values():
    from site_builder.overlay import with_enrichment as by_field
    from site_builder.schema import fields_of, names_of

    def with_enrichment(listing, enriched):  # by field name here, for reading
        return names_of(by_field(fields_of(listing), fields_of(enriched)))

    listing = {"title": "T", "authors": ["Ada Lovelace", "Alan Turing"], "et_al": True, "type": "preprint",
               "category": "LG"}
    enriched = {"authors": ["A. Lovelace", "A. M. Turing", "Grace Hopper"], "et_al": False, "type": "journal-article",
                "category": "CR", "doi": "10.1/x", "venue": "J"}
    fields = with_enrichment(listing, enriched)
    assert fields["authors"] == ["Ada Lovelace", "Alan Turing", "Grace Hopper"] and fields["et_al"] is False
    assert (fields["type"], fields["doi"], fields["venue"]) == ("journal-article", "10.1/x", "J")
    assert fields["category"] == "LG"  # the listing's own value stays
    # the listing now names another first author: its list wins, cut as it is
    fields = with_enrichment({**listing, "authors": ["Grace Hopper", "Alan Turing"]}, enriched)
    assert fields["authors"] == ["Grace Hopper", "Alan Turing"] and fields["et_al"] is True


def test_enrich_keeps_the_files_an_import_named_so_a_plain_import_still_reads_them(tmp_path, replay, run):
    """A .bib named on the command line is read again by every plain import; an enrich that changes records
    rewrites the import state, and must not forget that file (found by the importer's lane)."""
    import json

    root = tmp_path / "site"
    (root / "seeds").mkdir(parents=True)
    (root / "seeds" / "publications.txt").write_text(LISTING, encoding="utf-8")
    (root / "site.yaml").write_text("title: Lab\ncontact: lab@example.org\nlisting_date: 2026-01-01\n")
    (root / "extra.bib").write_text("@article{turing1950,\n  title = {Computing Machinery and Intelligence},\n"
                                    "  author = {Turing, Alan},\n  journal = {Mind},\n  year = {1950}\n}\n",
                                    encoding="utf-8")
    assert run(root, "import", "--quiet").code == 0
    assert run(root, "import", "extra.bib", "--quiet").code == 0
    state = root / "content" / ".import-state.json"
    assert json.loads(state.read_text())["files"] == ["extra.bib", "seeds/publications.txt"]
    before = state.read_text()
    run_enrich(root, replay)
    assert state.read_text() != before  # enrich changed what the state remembers
    assert json.loads(state.read_text())["files"] == ["extra.bib", "seeds/publications.txt"]
    result = run(root, "import")
    assert result.code == 0 and "no longer in" not in result.err, result.err
    assert result.out.startswith("imported 2 entries:"), result.out
