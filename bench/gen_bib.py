#!/usr/bin/env python3
"""A deterministic JabRef-like BibTeX library, for the import benchmark.

    python bench/gen_bib.py --n 911 --out /tmp/jabref-site   # writes site.yaml and seeds/library.bib

The shape of a real JabRef library of that size (about 1.5 MB): ``@Article{Key,`` with field names in
JabRef's capitalised style, long abstracts with TeX accents and math, keywords, ``owner``,
``timestamp``, ``file`` and ``comment`` fields that a record does not use, DOIs and URLs. Same --n
and --seed, same bytes.
"""
from __future__ import annotations

import argparse
import random
import re
from pathlib import Path

LAST = ["Lovelace", "Turing", "Hopper", "Zhang", "M{\\\"u}ller", "Nov{\\'a}k", "Okafor", "Sharma", "Garc{\\'\\i}a",
        "Chen", "Adeyemi", "Svensson", "Patel", "van der Berg", "de la Cruz", "O'Brien", "Sandoval-Segura"]
FIRST = ["Ada", "Alan", "Grace", "Xinyu", "Chlo{\\'e}", "Ji{\\v{r}}{\\'\\i}", "Ngozi", "Ravi", "Mei", "J.", "A. B."]
WORDS = ("we study learning models data method results benchmarks privacy robust efficient training inference "
         "attention sparse gradient optimization theory bounds convergence experiments language vision graph "
         "security federated adaptive scalable memory compute accuracy tradeoff analysis framework").split()
TITLE = ("Sparse Private Robust Efficient Scalable Federated Adaptive Neural Graph Language Vision Secure "
         "Learning Models Attention Transformers Optimization Inference Training Networks Systems").split()
JOURNALS = ["Journal of Machine Learning Research", "IEEE Transactions on Information Theory",
            "Proceedings of the National Academy of Sciences", "Nature Communications", "Physical Review E"]
MONTHS = "jan feb mar apr may jun jul aug sep oct nov dec".split()


def entry(rng: random.Random, i: int) -> str:
    authors = " and ".join(f"{rng.choice(LAST)}, {rng.choice(FIRST)}" for _ in range(rng.randint(1, 6)))
    title = " ".join(rng.choice(TITLE) for _ in range(rng.randint(4, 10))) + f" {{II}} {i}"
    words = [rng.choice(WORDS) for _ in range(rng.randint(100, 160))]
    for _ in range(3):
        words.insert(rng.randrange(len(words)), rng.choice([r"$O(n \log n)$", r"$\varepsilon$", r"50\%",
                                                           r"\emph{robust}", r"na{\"\i}ve"]))
    abstract = " ".join(words)
    year = 1995 + i % 30
    key = re.sub(r"[^A-Za-z]", "", rng.choice(LAST).split("{")[0]) + f"{year}{chr(97 + i % 26)}{i}"
    fields = [
        ("Author", authors), ("Title", title), ("Journal", rng.choice(JOURNALS)), ("Year", str(year)),
        ("Month", rng.choice(MONTHS)), ("Volume", str(rng.randint(1, 90))), ("Number", str(rng.randint(1, 12))),
        ("Pages", f"{i}--{i + rng.randint(5, 30)}"), ("Doi", f"10.1000/lib.{year}.{i:05d}"),
        ("Url", f"https://example.org/papers/{i}?from=jabref&x=1"), ("Abstract", abstract),
        ("Keywords", ", ".join(rng.sample(WORDS, 4))), ("Owner", rng.choice(["ada", "alan", "grace"])),
        ("Timestamp", f"20{10 + i % 14}.{1 + i % 12:02d}.{1 + i % 28:02d}"),
        ("File", f":papers/{key}.pdf:PDF"), ("Comment", " ".join(rng.choice(WORDS) for _ in range(20))),
    ]
    body = ",\n".join(f"  {name:<9} = {{{value}}}" for name, value in fields)
    return f"@Article{{{key},\n{body},\n}}\n\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=911)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    (args.out / "seeds").mkdir(parents=True, exist_ok=True)
    (args.out / "site.yaml").write_text("title: JabRef-like library\n", encoding="utf-8")
    text = "% This file was created with JabRef 2.10.\n% Encoding: UTF8\n\n" + "".join(
        entry(rng, i) for i in range(args.n))
    (args.out / "seeds" / "library.bib").write_text(text, encoding="utf-8")
    print(f"{args.n} entries, {len(text.encode()):,} bytes -> {args.out / 'seeds' / 'library.bib'}")


if __name__ == "__main__":
    main()
