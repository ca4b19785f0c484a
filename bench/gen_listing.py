#!/usr/bin/env python3
"""Deterministic synthetic listings in the seed format, for benchmarks.

    python bench/gen_listing.py --n 10000 --out /tmp/site   # writes site.yaml and seeds/papers.txt

Each paper: one of ~40 arXiv cs categories (its tag), a unique date, a title of
4-9 words that may end in an acronym, a digit, '?' or ')', 1-3 authors drawn
from a pool of recurring names (particles, initials, hyphens, accents), et al.
on a third of them, an affiliation on a quarter, `Code` with a GitHub URL on a
fifth, and a 150-250 word abstract with inline math, a bare URL and TeX emphasis.
Same --n and --seed, same bytes.
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
from pathlib import Path

CATEGORIES = ["AI", "AR", "CC", "CE", "CG", "CL", "CR", "CV", "CY", "DB", "DC", "DL", "DM", "DS", "ET", "FL",
              "GL", "GR", "GT", "HC", "IR", "IT", "LG", "LO", "MA", "MM", "MS", "NA", "NE", "NI", "OS", "PF",
              "PL", "RO", "SC", "SD", "SE", "SI", "SY", "OH"]
AFFILIATIONS = ["berkeley", "princeton", "deepmind", "mit", "eth zurich", "tsinghua", "oxford", "inria", "umd", "kaist"]
FIRST = ["Ada", "Alan", "Grace", "Zhengming", "Xinyu", "Charles-Étienne", "Chloé", "Jiří", "Ngozi", "Ravi", "Sofía",
         "Mei", "Olusegun", "Björn", "Aarav", "Fatima", "Jan", "Marie", "Kofi", "Yuki", "J.", "A. B.", "Pedro", "Ines"]
LAST = ["Lovelace", "Turing", "Hopper", "Zhang", "Tang", "Joseph", "Dubois", "Novák", "Okafor", "Sharma", "García",
        "Chen", "Adeyemi", "Svensson", "Patel", "Khan", "van der Berg", "de la Cruz", "O'Brien", "McLeish",
        "Sandoval-Segura", "Choquette-Choo", "Nakamura", "Müller", "Rossi", "Kowalski", "Ivanova", "Haddad"]
WORDS = ("we study learning models data method results benchmarks privacy robust efficient training inference "
         "attention sparse gradient optimization theory bounds convergence experiments language vision graph "
         "security federated adaptive scalable memory compute accuracy tradeoff analysis framework").split()
TITLE_WORDS = ("Sparse Private Robust Efficient Scalable Federated Adaptive Neural Graph Language Vision Secure "
               "Learning Models Attention Transformers Optimization Inference Training Networks Systems").split()
ENDINGS = ["", "", "", " LLMs", " GPT-4", " at Scale?", " (Extended)", " 2", " in MoEs", " via RL"]
MATH = [r"$\varepsilon \in [1, 8]$", r"$O(n \log n)$", r"$<5\%$", r"$(\varepsilon,\delta)$", r"$10-100\times$", r"$k$"]
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def names(rng: random.Random) -> list[str]:
    pool = [f"{f} {l}" for f in FIRST for l in LAST]
    rng.shuffle(pool)
    return pool[:400]  # recurring authors


def entry(rng: random.Random, i: int, day: dt.date, people: list[str]) -> str:
    title = " ".join(rng.choice(TITLE_WORDS) for _ in range(rng.randint(4, 9))) + rng.choice(ENDINGS) + f" {i}"
    authors = rng.sample(people, rng.randint(1, 3))
    byline = title + ", ".join(authors)
    if rng.random() < 1 / 3:
        byline += " et al."
    if rng.random() < 1 / 4:
        byline += " · " + rng.choice(AFFILIATIONS)
    code = rng.random() < 1 / 5
    words = [rng.choice(WORDS) for _ in range(rng.randint(150, 250))]
    for _ in range(3):
        words.insert(rng.randrange(len(words)), rng.choice(MATH))
    words.insert(rng.randrange(len(words)), r"\emph{" + rng.choice(WORDS) + "}")
    words.append(f"Code: https://github.com/lab/project_{i}." if code else f"See https://example.org/p/{i}.")
    abstract = " ".join(words)
    abstract = abstract[0].upper() + abstract[1:]
    header = f"{rng.choice(CATEGORIES)}{MONTHS[day.month - 1]} {day.day}, {day.year}{'Code' if code else ''}"
    return f"{header}\n{byline}\n{abstract}\n"


def generate(n: int, seed: int = 20240501) -> str:
    rng = random.Random(seed)
    people = names(rng)
    start = dt.date(1950, 1, 1)
    span = 365 * 76
    # unique dates while they last (newest first); beyond that, days repeat
    days = sorted(rng.sample(range(span), n) if n <= span else rng.choices(range(span), k=n), reverse=True)
    return "".join(entry(rng, i, start + dt.timedelta(days=d), people) for i, d in enumerate(days))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, required=True)
    parser.add_argument("--seed", type=int, default=20240501)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    (args.out / "seeds").mkdir(parents=True, exist_ok=True)
    (args.out / "site.yaml").write_text("title: Benchmark\nlisting_date: 2026-01-01\n", encoding="utf-8")
    (args.out / "seeds" / "papers.txt").write_text(generate(args.n, args.seed), encoding="utf-8")


if __name__ == "__main__":
    main()
