"""More ways in: BibTeX and CSL-JSON, merged with the listing without duplicates."""
from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import SEED, snapshot
from site_builder.dates import PartialDate
from site_builder.sources import read_source

DATA = Path(__file__).resolve().parent / "data" / "sources"
WHEN = dt.date(2026, 11, 22)


def read(name: str):
    return read_source(DATA / name, name, WHEN)


def front_matter(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])


def test_google_scholar_export():
    result = read("scholar.bib")
    assert result.problems == () and result.rejected == 0
    lottery, fetch, muller = result.entries
    assert lottery.title == "Lottery ticket adaptation: Mitigating destructive interference in LLMs"
    assert lottery.authors[:2] == ("Ashwinee Panda", "Berivan Isik") and len(lottery.authors) == 6
    assert lottery.date == PartialDate(2024) and lottery.get("venue") is None and lottery.type == "preprint"  # "arXiv preprint ..." is the arXiv link
    assert dict(lottery.links) == {"arxiv": "https://arxiv.org/abs/2406.16797"}
    assert lottery.citekey == "panda2024lottery"
    assert lottery.arxiv_id == "2406.16797"
    assert fetch.title == "FetchSGD: Communication-efficient federated learning with sketching"
    assert fetch.get("venue") == "International Conference on Machine Learning"
    assert fetch.get("pages") == "8253--8265" and fetch.type == "conference-paper"
    assert muller.title == "Über die Größe von Netzen"  # TeX accents decoded
    assert muller.authors == ("Jörg Müller", "René François")
    assert muller.get("venue") == "Journal für Informatik"


def test_dblp_export_with_crossref():
    result = read("dblp.bib")
    assert result.problems == () and result.folded == 2
    fetch, shallow = result.entries  # the @proceedings volumes are not papers
    assert fetch.authors[0] == "Daniel Rothchild" and len(fetch.authors) == 8
    assert fetch.get("venue").startswith("Proceedings of the 37th International Conference on Machine Learning, ICML 2020")
    assert dict(fetch.links) == {"url": "http://proceedings.mlr.press/v119/rothchild20a.html"}
    assert fetch.get("publisher") == "PMLR" and fetch.get("volume") == "119"
    assert fetch.get("series") == "Proceedings of Machine Learning Research"
    # year, month and venue come from the crossref'd proceedings
    assert shallow.date == PartialDate(2025, 4)
    assert shallow.get("venue") == "The Thirteenth International Conference on Learning Representations, ICLR 2025"
    assert shallow.arxiv_id == "2406.05946"


def test_overleaf_bib_with_macros_comments_and_a_broken_entry_in_the_middle():
    result = read("overleaf.bib")
    titles = [e.title for e in result.entries]
    assert titles == ["Differentially Private Image Classification by Learning Priors from Random Processes",
                      "SparseFed: Mitigating Model Poisoning Attacks in Federated Learning with Sparsification"]
    tang, sparsefed = result.entries
    assert tang.get("venue") == "Advances in Neural Information Processing Systems"  # @string macro resolved
    assert tang.date == PartialDate(2023, 12)
    assert tang.doi == "10.5555/3666122.3667452"
    assert dict(tang.links) == {"pdf": "https://example.org/tang2023.pdf", "doi": "https://doi.org/10.5555/3666122.3667452"}
    assert tang.tags == ("differential privacy", "image classification")
    assert tang.abstract == "We study DP-SGD with priors learned from $\\varepsilon$-free random data."
    assert sparsefed.get("category") == "LG"  # primaryClass cs.LG
    assert dict(sparsefed.links) == {"code": "https://github.com/kiddyboots216/SparseFed",
                                     "arxiv": "https://arxiv.org/abs/2112.06274"}
    assert sparsefed.get("note") == "Code: https://github.com/kiddyboots216/SparseFed"
    messages = [str(p) for p in result.problems]
    assert messages[0] == ("overleaf.bib:19: cannot read the @article entry 'broken2021': a { is never closed "
                           "(line 20); not imported, the other entries are")
    assert messages[1] == "overleaf.bib:34: entry 'notitle' has no title: not imported"
    assert result.rejected == 2


def test_zotero_csl_json_export():
    result = read("zotero.json")
    audit, consortium = result.entries
    assert audit.line == 2 and consortium.line == 18
    assert audit.authors == ("Ashwinee Panda", "Xinyu Tang", "Milad Nasr")
    assert audit.date == PartialDate(2025, 3, 9)
    assert audit.get("venue") == "International Conference on Learning Representations"
    assert audit.tags == ("privacy", "auditing", "LLMs")
    assert audit.abstract.startswith("Current techniques for privacy auditing")
    assert dict(audit.links)["doi"] == "https://doi.org/10.48550/arXiv.2503.06808"
    assert consortium.authors == ("The Open Science Consortium",) and consortium.get("publisher") == "Consortium Press"
    assert [str(p) for p in result.problems] == [
        "zotero.json:26: item 'http://zotero.org/users/1/items/NODATE' has no issued date: not imported"]


def test_broken_csl_json_names_the_line(tmp_path):
    path = tmp_path / "lib.json"
    path.write_text('[\n {"title": "A", "author": [{"family": "B"}], "issued": {"date-parts": [[2020]]}},\n {"title": oops}\n]')
    result = read_source(path, "lib.json", WHEN)
    assert result.entries == () and result.problems[0].line == 3


def import_site(tmp_path, run, *files: str) -> Path:
    site = tmp_path / "site"
    (site / "seeds").mkdir(parents=True)
    shutil.copy(SEED, site / "seeds" / "publications.txt")
    (site / "site.yaml").write_text("title: T\nowner: Ashwinee Panda\nlisting_date: 2026-11-22\n")
    for name in files:
        shutil.copy(DATA / name, site / "seeds" / name)
    return site


def test_plain_import_picks_up_bib_and_json_and_merges_duplicates(tmp_path, run):
    site = import_site(tmp_path, run, "scholar.bib", "dblp.bib", "overleaf.bib", "zotero.json")
    result = run(site, "import")
    assert result.code == 1  # entries were rejected
    # 33 listing entries + 3 + 4 + 4 + 3 in the files: 3 broken; 7 are papers another file has, and DBLP's two
    # proceedings volumes went into their papers
    assert result.out == ("imported 47 entries: 35 created, 0 updated, 0 unchanged, 0 kept-edited, 3 rejected, "
                          "9 merged duplicates\n")
    papers = site / "content" / "papers"
    assert len(list(papers.glob("*.md"))) == 35
    assert "seeds/overleaf.bib:19: cannot read the @article entry 'broken2021'" in result.err
    assert "the same paper as" in result.err and "merged into one record" in result.err
    # FetchSGD: in the listing, in Scholar and in DBLP -> one record, richer fields filled in
    fetch = front_matter(papers / "fetchsgd-communication-efficient-federated-learning-with.md")
    assert fetch["title"] == "FetchSGD: Communication-Efficient Federated Learning with Sketching"
    assert fetch["venue"].startswith("Proceedings of the 37th International Conference on Machine Learning")
    assert fetch["links"]["url"] == "http://proceedings.mlr.press/v119/rothchild20a.html"
    # Lottery: the listing and Scholar (same title, same first author) -> the arXiv link joins the code link
    lottery = front_matter(papers / "lottery-ticket-adaptation-mitigating-destructive.md")
    assert lottery["links"] == {"code": "https://github.com/kiddyboots216/lottery-ticket-adaptation",
                                "arxiv": "https://arxiv.org/abs/2406.16797"}
    # Zotero's keywords are tags; its DOI and venue are kept
    audit = front_matter(papers / "privacy-auditing-of-large-language-models.md")
    assert audit["tags"] == ["privacy", "auditing", "LLMs"]
    assert audit["doi"] == "10.48550/arXiv.2503.06808"
    # a new paper that only the .bib has
    muller = front_matter(papers / "uber-die-grosse-von-netzen.md")
    assert muller["authors"] == ["Jörg Müller", "René François"] and muller["date"] == 2019  # no invented January 1
    # the site builds
    assert run(site, "build").code == 0


def test_reimport_changes_nothing_and_hand_edits_survive(tmp_path, run):
    site = import_site(tmp_path, run, "overleaf.bib", "zotero.json")
    run(site, "import")
    before = snapshot(site / "content")
    again = run(site, "import")
    assert snapshot(site / "content") == before
    assert "0 created, 0 updated" in again.out
    record = site / "content" / "papers" / "privacy-auditing-of-large-language-models.md"
    record.write_text(record.read_text().replace("  - auditing\n", "  - my own tag\n"))
    zotero = site / "seeds" / "zotero.json"
    zotero.write_text(zotero.read_text().replace('"keyword": "privacy, auditing, LLMs"', '"keyword": "privacy, LLMs, audit"'))
    result = run(site, "import")
    assert "  - my own tag\n" in record.read_text()
    assert "kept your edit of 'tags'" in result.err


def test_import_a_bib_file_given_on_the_command_line(tmp_path, run):
    site = tmp_path / "site"
    site.mkdir()
    (site / "site.yaml").write_text("title: T\n")
    shutil.copy(DATA / "dblp.bib", tmp_path / "refs.bib")
    result = run(site, "import", str(tmp_path / "refs.bib"))
    assert result.out == ("imported 4 entries: 2 created, 0 updated, 0 unchanged, 0 kept-edited, 0 rejected, "
                          "2 merged duplicates\n")
    assert result.code == 0
    shallow = front_matter(site / "content" / "papers" / "safety-alignment-should-be-made-more-than-just-a-few-tokens.md")
    assert shallow["links"] == {"arxiv": "https://arxiv.org/abs/2406.05946"}


# ---------------------------------------------------------------- one test per behaviour (issue 14, issue 18)

from site_builder.sources import read_bibtex, read_csl_json  # noqa: E402


def bib(text: str):
    return read_bibtex(text, "t.bib")


def messages(result) -> list[str]:
    return [str(p) for p in result.problems]


def test_bib_1_empty_keys_are_entries_and_nothing_flows_between_entries():
    result = bib("@article{,\n title={First}, author={A, B}, year=2020, abstract={One.}}\n"
                 "@article{,\n title={Second}, author={C, D}, year=2021}\n")
    first, second = result.entries
    assert (first.title, first.abstract) == ("First", "One.")
    assert (second.title, second.abstract, second.citekey) == ("Second", "", None)


def test_bib_2_field_names_are_case_insensitive():
    (entry,) = bib("@ARTICLE{k, AUTHOR = {Doe, Jane}, Title = {Upper}, YEAR = {2020}, JOURNAL = {J}}").entries
    assert (entry.title, entry.authors, entry.get("venue")) == ("Upper", ("Jane Doe",), "J")


def test_bib_3_addresses_are_kept_verbatim_and_dois_normalised():
    (a, b) = bib("@misc{a, title={T}, author={A, B}, year=2020, url={https://x.org/a_b~c&d=50%25--e},"
                 " doi={DOI: 10.1000/x_y}}\n@misc{b, title={U}, author={A, B}, year=2020,"
                 " doi={https://doi.org/10.1000/z}}").entries
    assert dict(a.links)["url"] == "https://x.org/a_b~c&d=50%25--e"
    assert a.doi == "10.1000/x_y" and b.doi == "10.1000/z"


def test_bib_4_an_unescaped_percent_in_a_value_is_text():
    (entry,) = bib("@misc{a, title={50% Faster}, author={A, B}, year=2020,\n"
                   " abstract={Gains of 50% over the baseline, and more.}}").entries
    assert entry.title == "50% Faster"
    assert entry.abstract == "Gains of 50% over the baseline, and more."


def test_bib_5_math_is_kept_verbatim_with_its_braces():
    (entry,) = bib(r"@misc{a, title={In $\mathcal{O}(\sqrt{n})$ Time}, author={A, B}, year=2020,"
                   r" abstract={We get $\mathcal{O}(\sqrt{n})$ and \(x_{1}\).}}").entries
    assert entry.title == r"In $\mathcal{O}(\sqrt{n})$ Time"
    assert entry.abstract == r"We get $\mathcal{O}(\sqrt{n})$ and \(x_{1}\)."


def test_bib_6_corporate_authors_suffixes_and_particles():
    (entry,) = bib("@misc{a, title={T}, year=2020, author={{Barnes and Noble} and {The ENCODE Project Consortium}"
                   " and Smith, Jr., John and van der Berg, Jan and Ana de la Cruz}}").entries
    assert entry.authors == ("Barnes and Noble", "The ENCODE Project Consortium", "John Smith, Jr.",
                             "Jan van der Berg", "Ana de la Cruz")


def test_bib_7_editor_only_entries_and_entries_without_anyone():
    result = bib("@proceedings{p, title={Proceedings of X}, editor={Lovelace, Ada and Hopper, Grace}, year=2020}\n"
                 "@misc{n, title={Nobody Wrote This}, year=2021}\n")
    edited, nobody = result.entries
    assert edited.authors == ("Ada Lovelace", "Grace Hopper") and edited.get("editors") == edited.authors
    assert nobody.authors == ("Anonymous",)
    assert "t.bib:2: warning: entry 'n' has no author or editor" in "\n".join(messages(result))
    assert result.rejected == 0


def test_bib_8_duplicate_keys_fields_and_stray_and_are_warnings():
    result = bib("@misc{k, title={One}, author={A, B and}, year=2020, year=2021}\n@misc{k, title={Two}, author={C, D}, year=2020}\n")
    one, two = result.entries
    assert one.date.year == 2020 and one.authors == ("B A",) and one.citekey == "k" and two.citekey is None
    text = "\n".join(messages(result))
    assert "t.bib:1: warning: year is given twice" in text
    assert "t.bib:2: warning: the key 'k' is used by an earlier entry too" in text
    assert "t.bib:1: warning: the author list has a stray 'and'" in text
    assert result.rejected == 0


def test_bib_9_string_macros_with_concatenation_and_undefined_macros():
    result = bib('@string{ml = "Machine" # " Learning"}\n@misc{a, title={T}, author={A, B}, year=2020,\n'
                 ' journal = ml # { Journal}, note = nosuchmacro}\n')
    (entry,) = result.entries
    assert entry.get("venue") == "Machine Learning Journal"
    assert messages(result) == ["t.bib:3: warning: note uses 'nosuchmacro', which no @string defines: the field "
                                "is left out"]


def test_bib_10_biblatex_and_al_folio_fields():
    (entry,) = bib("@article{a, title={Main}, subtitle={And More}, author={A, B}, date={2019-05-03/2019-05-05},"
                   " journaltitle={J. Tests}, eprint={2401.01234}, eprinttype={arxiv}, eprintclass={cs.LG},"
                   " abbr={JT}, selected={true}, html={https://h.org}, pdf={https://p.org/a.pdf},"
                   " code={https://github.com/a/b}, slides={https://s.org}, poster={https://po.org},"
                   " video={https://v.org}, website={https://w.org}, supp={https://su.org}, blog={https://b.org}}").entries
    assert entry.title == "Main: And More" and entry.date == PartialDate(2019, 5, 3)
    assert entry.get("venue") == "J. Tests" and entry.get("venue_short") == "JT" and entry.get("selected") is True
    assert entry.arxiv_id == "2401.01234" and entry.get("category") == "LG"
    assert dict(entry.links) == {"html": "https://h.org", "pdf": "https://p.org/a.pdf", "code": "https://github.com/a/b",
                                 "slides": "https://s.org", "poster": "https://po.org", "video": "https://v.org",
                                 "website": "https://w.org", "supp": "https://su.org", "blog": "https://b.org",
                                 "arxiv": "https://arxiv.org/abs/2401.01234"}
    (month,) = bib("@misc{b, title={T}, author={A, B}, date={2019-05}}").entries
    assert month.date == PartialDate(2019, 5)


def test_bib_11_entries_are_kept_whole_in_the_record(tmp_path, run):
    site = tmp_path / "site"
    (site / "seeds").mkdir(parents=True)
    (site / "site.yaml").write_text("title: T\n")
    (site / "seeds" / "refs.bib").write_text(
        "@incollection{c, title={A Chapter}, author={Lovelace, Ada}, editor={Babbage, Charles}, year=1843, month=sep,"
        " booktitle={Sketches}, volume={3}, number={29}, pages={666--731}, publisher={Taylor}, address={London},"
        " isbn={978-0-00-000000-2}, issn={1234-5678}, edition={2}, series={Memoirs}, school={None},"
        " institution={Royal Society}}\n")
    assert run(site, "import").code == 0
    fm = front_matter(site / "content" / "papers" / "a-chapter.md")
    assert {k: fm[k] for k in ("type", "venue", "editors", "volume", "number", "pages", "publisher", "address",
                                "isbn", "issn", "edition", "series", "school", "institution", "citekey", "date")} == {
        "type": "chapter", "venue": "Sketches", "editors": ["Charles Babbage"], "volume": "3", "number": "29",
        "pages": "666--731", "publisher": "Taylor", "address": "London", "isbn": "978-0-00-000000-2",
        "issn": "1234-5678", "edition": "2", "series": "Memoirs", "school": "None", "institution": "Royal Society",
        "citekey": "c", "date": "1843-09"}
    assert run(site, "check").code == 0


def test_bib_12_a_latin_1_file_is_read_with_a_warning(tmp_path):
    path = tmp_path / "old.bib"
    path.write_bytes("@misc{a, title={Über Größe}, author={Müller, Jörg}, year=2001}\n".encode("latin-1"))
    result = read_source(path, "old.bib", WHEN)
    (entry,) = result.entries
    assert entry.title == "Über Größe" and entry.authors == ("Jörg Müller",)
    assert messages(result) == ["old.bib:1: warning: not UTF-8 (the first other byte is on this line): read as "
                                "Windows-1252; save the file as UTF-8 to be sure of every accent"]


def test_bib_href_and_emph_work_as_in_listing_abstracts(tmp_path, run):
    """Issue 18 item 7: \\href{url}{text} in any field used to reject the entry; \\emph became plain text."""
    site = tmp_path / "site"
    (site / "seeds").mkdir(parents=True)
    (site / "site.yaml").write_text("title: T\n")
    (site / "seeds" / "refs.bib").write_text(
        r"@misc{a, title={See \href{https://x.org/a_b}{the \emph{Page}}}, author={A, B}, year=2020,"
        r" note={\href{https://github.com/a/b}{code}}, abstract={An \emph{important} result, at"
        r" \href{https://x.org/a_b}{the page}.}}" "\n")
    result = run(site, "import")
    assert result.code == 0, result.err
    record = (site / "content" / "papers" / "see-the-page.md").read_text()
    assert 'title: See the Page\n' in record
    assert record.endswith("An \\emph{important} result, at \\href{https://x.org/a_b}{the page}.\n")
    assert run(site, "build").code == 0
    page = (site / "output" / "papers" / "see-the-page" / "index.html").read_text()
    assert "<em>important</em>" in page and '<a href="https://x.org/a_b">the page</a>' in page


def test_bib_control_characters_never_reach_a_record():
    """Issue 18 item 13: NUL, ESC and BEL from a .bib abstract were written raw into the record."""
    (entry,) = bib("@misc{a, title={T\x07itle}, author={A, B}, year=2020, abstract={One\x00 two\x1b[31m three\x07.\n\n"
                   "Second\tparagraph.}}").entries
    assert entry.title == "Title"
    assert entry.abstract == "One two[31m three.\n\nSecond paragraph."


def test_bib_an_accent_with_only_a_backslash_after_it_is_read_not_a_traceback():
    """``{A \\'\\}``: the value ends with an accent command and a lone backslash (the } after it closes the
    value, as in BibTeX). It raised AttributeError out of ``import``; the accent has nothing to sit on."""
    (entry,) = bib("@misc{a, title = {A \\'\\}, author = {B, C}, year = 2020, abstract = {x \\'\\}}").entries
    assert entry.title == "A \\" and entry.abstract == "x \\"


ODD_BIB = {
    "year={0000}": "has an impossible date (year 0 is out of range)",
    "date={2020-13-45}": "has an impossible date (month 13 is not between 1 and 12)",
    "year={2020}, month={5}, day={99999999999}": "day '99999999999' is not a day of the month",
    "year={in press}": "year 'in press' is not a year",
}


@pytest.mark.parametrize("odd", ODD_BIB)
def test_bib_one_odd_entry_is_one_rejection_with_its_line(odd):
    """Issue 18 item 6: each odd value is one rejected entry with its line; everything else imports."""
    result = bib(f"@misc{{good, title={{Good}}, author={{A, B}}, year=2020}}\n@misc{{odd, title={{Odd}}, author={{A, B}},"
                 f" {odd}}}\n@misc{{fine, title={{Fine}}, author={{A, B}}, year=2021}}\n")
    assert [e.title for e in result.entries] == ["Good", "Fine"]
    assert result.rejected == 1
    assert messages(result) == [f"t.bib:2: entry 'odd' {ODD_BIB[odd]}: not imported"]


def csl(items: str):
    return read_csl_json(items, "t.json")


ODD_CSL = {
    '"issued": {"date-parts": [5]}': "issued's date-parts must be a list of [year, month, day] lists",
    '"issued": {"date-parts": {"0": 1}}': "issued's date-parts must be a list of [year, month, day] lists",
    '"issued": {"date-parts": [[1e400]]}': "issued's date-parts hold inf, not a number",
    '"issued": {"date-parts": "2020"}': "issued's date-parts must be a list of [year, month, day] lists",
    '"issued": {"date-parts": [[true]]}': "issued's date-parts hold True, not a number",
    '"issued": {"date-parts": [[2020]]}, "author": [{"literal": 5}]': "author 1: literal must be text",
    '"issued": {"date-parts": [[2020]]}, "title": "\\u0000"': "has no title",
    '"issued": {"date-parts": [[2020]]}, "volume": {"a": 1}': "volume must be text, not dict",
    '"issued": {"date-parts": [[2020]]}, "x": ' + "[" * 5000 + "]" * 5000: "is nested too deeply to read",
}


@pytest.mark.parametrize("odd", ODD_CSL)
def test_csl_one_odd_item_is_one_rejection_with_its_line(odd):
    items = ('[\n{"id": "good", "title": "Good", "author": [{"family": "A"}], "issued": {"date-parts": [[2020]]}},\n'
             '{"id": "odd", "title": "Odd", "author": [{"family": "A"}], ' + odd + '},\n'
             '{"id": "fine", "title": "Fine", "author": [{"family": "A"}], "issued": {"date-parts": [[2021]]}}\n]')
    result = csl(items)
    assert [e.title for e in result.entries] == ["Good", "Fine"]
    assert result.rejected == 1
    assert messages(result)[0].startswith(f"t.json:3: item 'odd' {ODD_CSL[odd]}") or \
        messages(result)[0] == f"t.json:3: this item {ODD_CSL[odd]}: not imported"


def test_csl_rich_text_entities_jats_dates_and_names():
    result = csl(json.dumps([
        {"id": "a", "title": "The <i>E. coli</i> &amp; H<sub>2</sub>O story", "container-title": ["Journal A", "B"],
         "author": [{"given": "Ludwig", "dropping-particle": "van", "family": "Beethoven"},
                    {"given": "Jean", "non-dropping-particle": "de", "family": "La Fontaine", "suffix": "Jr."}],
         "abstract": "<jats:title>Abstract</jats:title><jats:p>First &lt;para&gt;.</jats:p><jats:p>Second.</jats:p>",
         "issued": {"raw": "2019-05"}},
        {"id": "b", "title": "Literal", "author": [{"literal": "The Consortium"}],
         "issued": {"literal": "Spring 2018"}},
        {"id": "c", "title": "Season", "author": [{"family": "X"}], "issued": {"date-parts": [[2017, 13]], "season": 1}},
        {"id": "d", "title": "Circa", "author": [{"family": "X"}], "issued": {"date-parts": [[1850]], "circa": True}},
    ], indent=1))
    a, b, c, d = result.entries
    assert a.title == "The <i>E. coli</i> & H<sub>2</sub>O story" and a.get("venue") == "Journal A"
    assert a.authors == ("Ludwig van Beethoven", "Jean de La Fontaine, Jr.")
    assert a.abstract == "First <para>.\n\nSecond." and a.date == PartialDate(2019, 5)
    assert b.authors == ("The Consortium",) and b.date == PartialDate(2018)
    assert c.date == PartialDate(2017) and d.date == PartialDate(1850)
    assert result.rejected == 0


def test_merging_a_preprint_with_its_published_version_keeps_both_identifiers(tmp_path, run):
    site = tmp_path / "site"
    (site / "seeds").mkdir(parents=True)
    (site / "site.yaml").write_text("title: T\n")
    (site / "seeds" / "refs.bib").write_text(
        "@misc{pre, title={Engines of Thought}, author={Lovelace, Ada}, year=2022, eprint={2201.00001},"
        " archivePrefix={arXiv}}\n"
        "@article{pub, title={Engines of Thought}, author={Lovelace, Ada}, year=2024, journal={J. Engines},"
        " doi={10.1000/eng}}\n"
        "@book{ed1, title={Collected Notes}, author={Lovelace, Ada}, year=1843}\n"
        "@book{ed2, title={Collected Notes}, author={Lovelace, Ada}, year=1853}\n")
    result = run(site, "import")
    assert result.out == ("imported 4 entries: 3 created, 0 updated, 0 unchanged, 0 kept-edited, 0 rejected, "
                          "1 merged duplicates\n")
    fm = front_matter(site / "content" / "papers" / "engines-of-thought.md")
    assert (fm["venue"], fm["doi"], fm["arxiv"], fm["type"], fm["date"]) == (
        "J. Engines", "10.1000/eng", "2201.00001", "journal-article", 2024)
    # two editions ten years apart, neither a preprint: two records
    assert len(list((site / "content" / "papers").glob("collected-notes*.md"))) == 2


def test_a_file_named_on_the_command_line_is_not_undone_by_a_plain_import(tmp_path, run):
    site = tmp_path / "site"
    (site / "seeds").mkdir(parents=True)
    (site / "site.yaml").write_text("title: T\nlisting_date: 2025-01-01\n")
    (site / "seeds" / "papers.txt").write_text("LGMar 9, 2024\nEngines of ThoughtAda Lovelace\nAbstract.\n")
    (tmp_path / "refs.bib").write_text("@article{e, title={Engines of Thought}, author={Lovelace, Ada}, year=2024,"
                                       " journal={J. Engines}, volume={7}}\n")
    named = run(site, "import", "seeds/papers.txt", str(tmp_path / "refs.bib"))
    assert "1 merged duplicates" in named.out
    record = site / "content" / "papers" / "engines-of-thought.md"
    before = record.read_bytes()
    assert b"venue: J. Engines" in before and b"volume:" in before
    plain = run(site, "import")
    assert record.read_bytes() == before
    assert plain.out == ("imported 2 entries: 0 created, 0 updated, 1 unchanged, 0 kept-edited, 0 rejected, "
                         "1 merged duplicates\n")


# ---------------------------------------------------------------- CSL rich text in every field (issue 14)

def test_csl_rich_text_is_kept_in_titles_abstracts_and_as_text_in_plain_fields():
    from site_builder.titles import title_html, title_text
    result = csl(json.dumps([{
        "id": "r", "type": "article-journal", "issued": {"date-parts": [[2021]]},
        "title": 'Life of <i>E. coli</i> in H<sub>2</sub>O at <span style="font-variant:small-caps;">nasa</span>, '
                 'with <span class="nocase">iPhone</span> data &amp; <b>more</b>',
        "author": [{"given": "<i>Ada</i>", "family": "Lovelace"}],
        "container-title": "<i>Journal</i> of m<sup>2</sup> &amp; <span class=\"nocase\">ACM</span>",
        "publisher": "<b>Big</b> Press", "collection-title": "Notes in <sc>cs</sc>",
        "abstract": "<jats:p>We show <jats:italic>x</jats:italic><jats:sup>2</jats:sup> &lt;tag&gt; and <b>y</b>"
                    "<sub>i</sub>.</jats:p><jats:p><span class=\"nocase\">Second</span> <a href=\"x\">link</a>.</jats:p>",
    }]))
    (entry,) = result.entries
    assert entry.title == ("Life of <i>E. coli</i> in H<sub>2</sub>O at <sc>nasa</sc>, with {iPhone} data & "
                           "<b>more</b>")
    assert str(title_html(entry.title)) == ("Life of <em>E. coli</em> in H<sub>2</sub>O at nasa, with iPhone data "
                                            "&amp; <strong>more</strong>")
    assert title_text(entry.title) == "Life of E. coli in H2O at nasa, with iPhone data & more"
    assert entry.get("venue") == "Journal of m² & ACM"
    assert entry.get("publisher") == "Big Press" and entry.get("series") == "Notes in cs"
    assert entry.authors == ("Ada Lovelace",)
    assert entry.abstract == "We show \\emph{x}² <tag> and \\textbf{y}i.\n\nSecond link."


def test_csl_rich_text_abstract_renders_as_formatting_in_a_built_page(tmp_path, run):
    site = tmp_path / "site"
    (site / "seeds").mkdir(parents=True)
    (site / "site.yaml").write_text("title: T\n")
    (site / "seeds" / "refs.json").write_text(json.dumps([{
        "id": "r", "type": "article-journal", "issued": {"date-parts": [[2021]]}, "title": "On <i>Tags</i>",
        "author": [{"family": "Lovelace", "given": "Ada"}], "container-title": "m<sup>2</sup> Letters",
        "abstract": "A <i>slanted</i> x<sup>2</sup> and &lt;script&gt;alert(1)&lt;/script&gt; text.",
    }]))
    assert run(site, "import").code == 0
    (record,) = (site / "content" / "papers").glob("*.md")
    text = record.read_text()
    assert "title: On <i>Tags</i>" in text and "venue: m² Letters" in text
    assert "A \\emph{slanted} x² and <script>alert(1)</script> text." in text
    assert record.name == "on-tags.md"  # the slug of the title's text, not of its tags
    assert run(site, "build").code == 0
    page = (site / "output" / "papers" / "on-tags" / "index.html").read_text()
    assert "<p>A <em>slanted</em> x² and &lt;script&gt;alert(1)&lt;/script&gt; text.</p>" in page
    assert "<em>Tags</em>" in page and "<script>alert" not in page


def test_real_csl_rich_text_titles_and_a_nocase_venue():
    real = Path(__file__).resolve().parent / "data" / "real"
    pandoc = read_source(real / "bbt-pandoc-citation.csl.json", "p.json", dt.date(2026, 1, 1)).entries
    assert [e.title for e in pandoc] == [
        "The physical volcanology of the 1600 eruption of <b>Huaynaputina</b>, southern Peru",
        "Skizze zur Auslegungsgeschichte der Bücher <i>Prouerbia</i> und <i>Ecclesiastes</i> in der "
        "abendländischen Kirche",
        "Samuel Presbiter: Notes from the school of William de Montibus. {Collecta ex diuersis auditis in scola "
        "magistri Willelmi de Monte}",
        "The Gospel according to St. Matthew, from the St. Germain ms. (g<sub>1</sub>), now numbered Lat. 11553 in "
        "the National Library at Paris"]
    from site_builder.titles import title_html
    assert "(g<sub>1</sub>)" in str(title_html(pandoc[3].title))
    (gbt,) = read_source(real / "gbt7714-holography-excerpt.csl.json", "g.json", dt.date(2026, 1, 1)).entries
    assert gbt.get("venue") == ("Symposium on Applications of Holography in Mechanics, August 23-25, 1971, "
                                "University of Southern California, Los Angeles, California")
    assert gbt.get("editors") == ("W. G. Gottenberg",) and gbt.authors == ("M. E. Fourney",)
