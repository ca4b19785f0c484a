"""The ``site-builder`` command line. User mistakes print ``path:line: message``, never a traceback."""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Sequence

from . import __version__
from .config import find_site_root, load_config
from .lock import SiteLock
from .output import check_output_dir
from .problems import Problem, UserError
from .records import unknown_key_warnings
from .progress import Progress


def _date_arg(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date written YYYY-MM-DD") from None


def _print_problems(problems: Sequence[Problem]) -> None:
    for problem in problems:
        print(problem, file=sys.stderr)


def _mtime_date(path: Path) -> dt.date:
    return dt.datetime.fromtimestamp(path.stat().st_mtime).date()


def cmd_parse(args: argparse.Namespace) -> int:
    path = Path(args.file)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: cannot read: {exc}") from None
    as_of = args.as_of
    if as_of is None:
        try:
            root = find_site_root(Path(args.site) if args.site else Path.cwd())
            as_of = load_config(root).listing_date
        except UserError:
            as_of = None
    as_of = as_of or _mtime_date(path)
    from .listing import parse_listing

    result = parse_listing(text, str(args.file), as_of)
    json.dump([e.as_json() for e in result.entries], sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    _print_problems(result.problems)
    return 1 if any(p.is_error for p in result.problems) else 0


def _site_root(args: argparse.Namespace) -> Path:
    return find_site_root(Path(args.site)) if args.site else find_site_root(Path.cwd())


def _orcid_arg(text: str) -> str:
    from .scholarly.orcid import checked_orcid

    orcid = checked_orcid(text)
    if orcid is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ORCID iD (0000-0002-1825-0097, with a valid check digit)")
    return orcid


def cmd_import(args: argparse.Namespace) -> int:
    root = _site_root(args)
    config = load_config(root)
    read = []
    if args.orcid:
        from .enrich import orcid_works

        read = [(f"orcid:{orcid}", orcid_works(orcid, config.contact)) for orcid in dict.fromkeys(args.orcid)]
    if args.listings or read:
        paths = [Path(p) for p in args.listings or ()]
    else:
        paths = sorted(p for p in config.seeds_dir.glob("*") if p.suffix.lower() in (".txt", ".bib", ".json"))
        from .importer import imported_files  # files once named on the command line are read again

        for label in imported_files(config.content_dir):
            path = Path(label) if Path(label).is_absolute() else root / label
            if path.is_file() and path.resolve() not in {p.resolve() for p in paths}:
                paths.append(path)
        if not paths:
            raise UserError(f"nothing to import: {config.seeds_dir} has no .txt listing, .bib or CSL-JSON file")
    for path in paths:
        if not path.is_file():
            raise UserError(f"{path}: no such listing file")
    from .importer import import_listings, listing_sources

    sources = listing_sources(root, paths, args.as_of, config.listing_date)
    progress = Progress(quiet=args.quiet)
    try:
        with SiteLock(root, "import"):
            report = import_listings(sources, config.content_dir, strict=args.strict,
                                     progress=lambda i, n: progress.update("importing", i, n), read=read,
                                     cache_dir=config.cache_dir)
    except OSError as exc:
        progress.clear()
        where = f" ({exc.filename})" if exc.filename else ""
        raise UserError(f"cannot write the records: {exc.strerror or exc}{where}; the records written so far "
                        "are whole, and running import again finishes the job") from None
    progress.clear()
    _print_problems(report.problems)
    progress.summary(report.summary())
    if report.failed or (args.strict and any(p.is_error for p in report.problems)):
        return 1  # an entry was rejected or a file unreadable: scripts and CI should notice
    return 0


def _sources_arg(text: str) -> tuple[str, ...]:
    from .enrich import SOURCES

    names = tuple(dict.fromkeys(n.strip().lower() for n in text.split(",") if n.strip()))
    unknown = [n for n in names if n not in SOURCES]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"unknown source {unknown[0] if unknown else text!r}; known: {','.join(SOURCES)}")
    return names


def cmd_enrich(args: argparse.Namespace) -> int:
    from .enrich import EnrichOptions, enrich

    root = _site_root(args)
    config = load_config(root)
    progress = Progress(quiet=args.quiet)
    options = EnrichOptions(papers=tuple(args.papers), sources=args.source, dry_run=args.dry_run,
                            refresh=args.refresh, with_citations=args.with_citations,
                            max_age_days=config.enrich_max_age)
    with SiteLock(root, "enrich"):  # it writes records, as import does
        report = enrich(config, options, progress=lambda label, i, n: progress.update(label, i, n, least=1),
                        out=lambda text: (progress.clear(), sys.stdout.write(text)))
    progress.clear()
    _print_problems(report.problems)
    progress.summary(report.summary() + (" (dry run: nothing written)" if args.dry_run else ""),
                     out=sys.stderr if args.dry_run else None)
    return 0


def _jobs(text: str) -> int:
    """``--jobs``: a whole number of workers, at least 1 (argparse reports anything else as a usage error)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def cmd_build(args: argparse.Namespace) -> int:
    from .build import build_site  # the builder (Jinja, the model, the themes) only for commands that build

    root = _site_root(args)
    config = load_config(root)
    progress = Progress(quiet=args.quiet)
    check_output_dir(config)  # a refused output_dir is reported before anything (the lock file) is made
    with SiteLock(root, "build"):
        result = build_site(config, progress=lambda i, n: progress.update("rendering", i, n), clean=args.clean,
                            jobs=args.jobs)
    progress.clear()
    _print_problems(result.problems)
    progress.summary(result.summary())
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from .reading import read_records, scan_records
    from .site import build_site as build_model, display_path

    root = _site_root(args)
    config = load_config(root)
    files = scan_records(config)
    reading = read_records(config, files)
    problems = list(reading.problems)
    for record in reading.records:
        if record.extra:  # only then is there a key to name: the file is read again for its lines
            problems.extend(unknown_key_warnings(record.src_path.read_text(encoding="utf-8"),
                                                 display_path(record.src_path, root)))
    _site, more = build_model(config, reading.records, reading.abstracts)
    problems.extend(more)
    problems.sort(key=lambda p: (p.path, p.line or 0))
    _print_problems(problems)
    errors = sum(1 for p in problems if p.is_error)
    warnings = len(problems) - errors
    if not args.quiet:
        print(f"checked {len(files)} records: {errors} errors, {warnings} warnings")
    return 1 if errors else 0


def cmd_serve(args: argparse.Namespace) -> int:
    from .serve import ServeOptions, serve  # the server's libraries load only when serving

    root = _site_root(args)
    return serve(root, ServeOptions(host=args.host, port=args.port, open_browser=args.open, quiet=args.quiet))


def cmd_init(args: argparse.Namespace) -> int:
    from .init import init_site, next_steps

    folder = Path(args.dir)
    made, source = init_site(folder, args.title, args.source)
    if not args.quiet:
        print(next_steps(folder, made, source))
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    from .new_record import NewRecord, write_new_record

    root = _site_root(args)
    config = load_config(root)
    path = write_new_record(config, NewRecord(
        title=args.title, authors=tuple(args.author), date=args.date, links=tuple(args.link),
        tags=tuple(args.tag), venue=args.venue, type=args.type, slug=args.slug, abstract=args.abstract or ""))
    try:
        print(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        print(path)
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    from .publish import publish

    root = _site_root(args)
    config = load_config(root)
    done = publish(config, remote=args.remote, branch=args.branch, push=not args.no_push)
    if not args.quiet:
        print(done)
    return 0


def _port_arg(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0 to 65535)")
    return port


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="site-builder",
        description="Build a publication site from a listing of papers.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--site", metavar="DIR", help="the site folder (the one holding site.yaml); "
                        "default: the current folder or its nearest parent with a site.yaml")
    common.add_argument("-q", "--quiet", action="store_true", help="print only problems, no progress or summary")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("parse", parents=[common], help="print a listing's entries as JSON",
                       description="Parse a listing file and print its entries as one JSON array. "
                       "Problems go to stderr as file:line: message and make the exit status 1.")
    p.add_argument("file", help="the listing file")
    p.add_argument("--as-of", type=_date_arg, metavar="YYYY-MM-DD",
                   help="resolve year-less dates against this date (default: listing_date in site.yaml, "
                   "else the file's modification time)")
    p.set_defaults(func=cmd_parse)

    p = sub.add_parser("import", parents=[common], help="turn listings into records in content/papers/",
                       description="Create and update content/papers/*.md from listings. A record you "
                       "edited by hand is never overwritten, and no record is ever deleted.")
    p.add_argument("listings", nargs="*", metavar="FILE",
                   help="listings (.txt), BibTeX (.bib) or CSL-JSON (.json) files (default: all of those in seeds/)")
    p.add_argument("--as-of", type=_date_arg, metavar="YYYY-MM-DD",
                   help="resolve year-less dates against this date (default: listing_date in site.yaml, "
                   "else each file's modification time)")
    p.add_argument("--strict", action="store_true", help="import nothing and exit 1 if any entry has an error")
    p.add_argument("--orcid", action="append", type=_orcid_arg, metavar="ID",
                   help="also import the works on this public ORCID record (0000-0002-1825-0097); with --orcid "
                   "and no FILE, only the ORCID works are imported")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("enrich", parents=[common], help="complete records from arXiv, Crossref, OpenAlex, Semantic Scholar",
                       description="Look each record up (by its arXiv id or DOI, else by title, first author and year) "
                       "and fill in the full author list, identifiers, venue, type and PDF link. A field you edited by "
                       "hand is never replaced. Answers are cached in content/.enrich/ (commit it); a build never uses "
                       "the network.")
    p.add_argument("papers", nargs="*", metavar="PAPER", help="records to enrich: slugs or content/papers/*.md paths "
                   "(default: every record)")
    p.add_argument("--source", type=_sources_arg, default=("arxiv", "crossref", "openalex", "semanticscholar"),
                   metavar="LIST", help="the sources to ask, comma-separated, in order of preference for a title "
                   "search (default: arxiv,crossref,openalex,semanticscholar)")
    p.add_argument("--dry-run", action="store_true", help="print the changes as a diff; write nothing")
    p.add_argument("--refresh", action="store_true",
                   help="fetch again the cached answers older than enrich_max_age days (site.yaml; default 30)")
    p.add_argument("--with-citations", action="store_true",
                   help="also record citation counts, with the date they were fetched")
    p.set_defaults(func=cmd_enrich)

    p = sub.add_parser("build", parents=[common], help="build the site into output/",
                       description="Render every page into a new folder and swap it in for output/ "
                       "when everything succeeded. On an error nothing is written. Pages whose inputs did "
                       "not change since the last build are carried over; when no input changed, nothing "
                       "is written at all.")
    p.add_argument("--clean", action="store_true",
                   help="forget the last build (.cache/site-builder/) and render every page again")
    p.add_argument("--jobs", "-j", type=_jobs, default=None, metavar="N",
                   help="worker processes that read and render a large site (from 256 papers): default one "
                   "per usable core, at most 8; never more than the usable cores; 1 renders everything in "
                   "this process")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("check", parents=[common], help="validate every record",
                       description="Check every record: required fields, date format, duplicate slugs, "
                       "unknown keys (warned). Exit status 1 when there are errors.")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("serve", parents=[common], help="live preview: build, serve and rebuild on every edit",
                       description="Build the site, serve output/ over HTTP and rebuild on every change to "
                       "content/, seeds/, themes/, templates/, static/ or site.yaml; open pages reload by "
                       "themselves. A build error is shown in the page and the server keeps running.")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)")
    p.add_argument("--port", type=_port_arg, default=8000,
                   help="port to listen on (default: 8000; the next free one when it is taken)")
    p.add_argument("--open", action="store_true", help="open the site in a web browser")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("init", parents=[common], help="create a new site folder",
                       description="Create a new site: site.yaml with comments, seeds/ with a two-entry example "
                       "listing, content/, a Makefile, a README, the editor schemas and the GitHub Pages "
                       "workflow, which installs site-builder pinned to where this copy came from.")
    p.add_argument("dir", help="the new folder (absent or empty)")
    p.add_argument("--title", default="Publications", help="the site's title (default: Publications)")
    p.add_argument("--source", metavar="SPEC",
                   help="the pip requirement the site's GitHub workflow installs site-builder with, pinned "
                   "(site-builder==0.2.0, or site-builder @ git+https://github.com/<owner>/site-builder@<commit>); "
                   "default: where this copy came from (the git URL and commit pip installed, this checkout's "
                   "origin and HEAD, or this released version)")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("new", parents=[common], help="add a paper by hand: write a new record",
                       description="Write content/papers/<slug>.md with the given keys in the record format's "
                       "order, and print its path. An existing record is never overwritten.")
    p.add_argument("title", help="the paper's title")
    p.add_argument("--author", action="append", required=True, metavar="NAME",
                   help="an author, in order: one --author per author")
    p.add_argument("--date", required=True, metavar="DATE", help="the date as far as it is known: YYYY, YYYY-MM or YYYY-MM-DD")
    p.add_argument("--link", action="append", default=[], metavar="NAME=URL",
                   help="a link, such as pdf=https://example.org/paper.pdf (repeatable)")
    p.add_argument("--tag", action="append", default=[], metavar="TAG", help="a tag (repeatable)")
    p.add_argument("--venue", help="the journal, proceedings or book it appeared in")
    p.add_argument("--type", help="the publication type: journal-article, conference-paper, preprint, ...")
    p.add_argument("--slug", help="the paper's address papers/<slug>/ and file name (default: from the title)")
    p.add_argument("--abstract", help="the abstract (markdown; default: none, write it in the file)")
    p.set_defaults(func=cmd_new)

    p = sub.add_parser("publish", parents=[common], help="push output/ to the gh-pages branch",
                       description="Commit output/ as the whole content of a gh-pages branch (with ghp-import) "
                       "and push it, for sites that do not publish with GitHub Actions. Build first.")
    p.add_argument("--remote", default="origin", help="the git remote to push to (default: origin)")
    p.add_argument("--branch", default="gh-pages", help="the branch to publish to (default: gh-pages)")
    p.add_argument("--no-push", action="store_true", help="commit to the branch but do not push")
    p.set_defaults(func=cmd_publish)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except UserError as exc:
        _print_problems(exc.problems)
        print(f"error: {exc.path + ': ' if exc.path else ''}{exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def run() -> None:
    """The console entry point: ``main``, then a normal exit (atexit handlers run)."""
    sys.exit(main())


if __name__ == "__main__":
    run()
