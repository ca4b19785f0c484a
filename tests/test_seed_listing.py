"""The listing parser on the real seed: all 33 entries split exactly right."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from site_builder.listing import parse_listing

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "publications.txt"
AS_OF = dt.date(2026, 11, 22)

# (header line, title, authors, affiliation, category, date, has_code, code_url), in file order.
EXPECTED = [
    (1, 'Neurotoxin: Durable Backdoors in Federated Learning',
     ['Zhengming Zhang', 'Ashwinee Panda', 'Linyue Song'], 'berkeley', 'CR', '2022-06-12', False, None),
    (4, 'Differentially Private Image Classification by Learning Priors from Random Processes',
     ['Xinyu Tang', 'Ashwinee Panda', 'Vikash Sehwag'], 'princeton', 'CV', '2023-06-08', False, None),
    (7, 'Visual Adversarial Examples Jailbreak Aligned Large Language Models',
     ['Xiangyu Qi', 'Kaixuan Huang', 'Ashwinee Panda'], None, 'CR', '2023-06-22', False, None),
    (10, 'A New Linear Scaling Rule for Private Adaptive Hyperparameter Optimization',
     ['Ashwinee Panda', 'Xinyu Tang', 'Saeed Mahloujifar'], 'princeton', 'LG', '2022-12-08', False, None),
    (13, 'Speculating Experts Accelerates Inference for Mixture-of-Experts',
     ['Vivan Madan', 'Prajwal Singhania', 'Abhinav Bhatele'], None, 'LG', '2026-03-09', True, 'https://github.com/axonn-ai/yalis/tree/offload_prefetch'),
    (16, 'FineGRAIN: Evaluating Failure Modes of Text-to-Image Models with Vision Language Model Judges',
     ['Kevin David Hayes', 'Micah Goldblum', 'Vikash Sehwag'], None, 'CV', '2025-12-01', False, None),
    (19, 'Multi-Token Prediction via Self-Distillation',
     ['John Kirchenbauer', 'Abhimanyu Hans', 'Brian Bartoldson'], None, 'CL', '2026-02-05', False, None),
    (22, 'LoRI: Reducing Cross-Task Interference in Multi-Task Low-Rank Adaptation',
     ['Juzheng Zhang', 'Jiacheng You', 'Ashwinee Panda'], None, 'LG', '2025-04-10', True, 'https://github.com/juzhengz/LoRI'),
    (25, 'Gemstones: A Model Suite for Multi-Faceted Scaling Laws',
     ['Sean McLeish', 'John Kirchenbauer', 'David Yu Miller'], None, 'LG', '2025-02-07', True, None),
    (28, 'Continual Pre-training of MoEs: How robust is your router?',
     ['Benjamin Thérien', 'Charles-Étienne Joseph', 'Zain Sarwar'], None, 'LG', '2025-03-06', True, None),
    (31, 'Dense Backpropagation Improves Training for Sparse Mixture-of-Experts',
     ['Ashwinee Panda', 'Vatsal Baherwani', 'Zain Sarwar'], None, 'LG', '2025-04-16', True, 'https://github.com/vatsal0/default-moe'),
    (34, 'FRIT: Using Causal Importance to Improve Chain-of-Thought Faithfulness',
     ['Anand Swaroop', 'Akshat Nallani', 'Saksham Uboweja'], None, 'AI', '2025-09-10', True, 'https://github.com/Anut-py/frit'),
    (37, 'Amortized Latent Steering: Low-Cost Alternative to Test-Time Optimization',
     ['Nathan Egbuna', 'Saatvik Gaur', 'Sunishchal Dev'], None, 'LG', '2025-09-10', True, 'https://github.com/negbuna/ALS'),
    (40, 'From Refusal Tokens to Refusal Control: Discovering and Steering Category-Specific Refusal Directions',
     ['Rishab Alagharu', 'Ishneet Sukhvinder Singh', 'Shaibi Shamsudeen'], None, 'AI', '2026-03-09', False, None),
    (43, 'Lottery Ticket Adaptation: Mitigating Destructive Interference in LLMs',
     ['Ashwinee Panda', 'Berivan Isik', 'Xiangyu Qi'], None, 'CL', '2024-06-24', True, 'https://github.com/kiddyboots216/lottery-ticket-adaptation'),
    (46, 'SparseFed: Mitigating Model Poisoning Attacks in Federated Learning with Sparsification',
     ['Ashwinee Panda', 'Saeed Mahloujifar', 'Arjun N. Bhagoji'], None, 'LG', '2021-12-12', True, None),
    (49, 'Shared Parameter Subspaces and Cross-Task Linearity in Emergently Misaligned Behavior',
     ['Daniel Aarao Reis Arturi', 'Eric Zhang', 'Andrew Ansah'], None, 'LG', '2025-11-03', False, None),
    (52, 'Modeling and Predicting Multi-Turn Answer Instability in Large Language Models',
     ['Jiahang He', 'Rishi Ramachandran', 'Neel Ramachandran'], None, 'CL', '2025-11-12', False, None),
    (55, 'SALT: Steering Activations towards Leakage-free Thinking in Chain of Thought',
     ['Shourya Batra', 'Pierce Tillman', 'Samarth Gaggar'], None, 'CR', '2025-11-11', False, None),
    (58, 'Private Fine-tuning of Large Language Models with Zeroth-order Optimization',
     ['Xinyu Tang', 'Ashwinee Panda', 'Milad Nasr'], None, 'LG', '2024-01-09', False, None),
    (61, 'Teach LLMs to Phish: Stealing Private Information from Language Models',
     ['Ashwinee Panda', 'Christopher A. Choquette-Choo', 'Zhengming Zhang'], 'deepmind', 'CR', '2024-03-01', False, None),
    (64, 'Privacy Auditing of Large Language Models',
     ['Ashwinee Panda', 'Xinyu Tang', 'Milad Nasr'], None, 'CR', '2025-03-09', False, None),
    (67, 'Refusal Tokens: A Simple Way to Calibrate Refusals in Large Language Models',
     ['Neel Jain', 'Aditya Shrivastava', 'Chenyang Zhu'], None, 'LG', '2024-12-09', False, None),
    (70, 'Analysis of Attention in Video Diffusion Transformers',
     ['Yuxin Wen', 'Jim Wu', 'Ajay Jain'], None, 'CV', '2025-04-14', False, None),
    (73, 'Alignment-Constrained Dynamic Pruning for LLMs: Identifying and Preserving Alignment-Critical Circuits',
     ['Dev Patel', 'Gabrielle Gervacio', 'Diekola Raimi'], None, 'LG', '2025-11-09', False, None),
    (76, 'Identifying and Evaluating Inactive Heads in Pretrained LLMs',
     ['Pedro Sandoval-Segura', 'Xijun Wang', 'Ashwinee Panda'], None, 'LG', '2025-04-04', False, None),
    (79, 'A Few Bad Neurons: Isolating and Surgically Correcting Sycophancy',
     ["Claire O'Brien", 'Jessica Seto', 'Dristi Roy'], None, 'LG', '2026-01-26', False, None),
    (82, 'Emergent Misalignment via In-Context Learning: Narrow in-context examples can produce broadly misaligned LLMs',
     ['Nikita Afonin', 'Nikita Andriyanov', 'Nikhil Bageshpura'], None, 'CL', '2025-10-13', False, None),
    (85, 'Evaluation Awareness Scales Predictably in Open-Weights Large Language Models',
     ['Maheep Chaudhary', 'Ian Su', 'Nikhil Hooda'], None, 'AI', '2025-09-10', False, None),
    (88, 'DynaGuard: A Dynamic Guardian Model With User-Defined Policies',
     ['Monte Hoover', 'Vatsal Baherwani', 'Neel Jain'], None, 'LG', '2025-09-02', False, None),
    (91, 'Safety Alignment Should Be Made More Than Just a Few Tokens Deep',
     ['Xiangyu Qi', 'Ashwinee Panda', 'Kaifeng Lyu'], None, 'CR', '2024-06-10', False, None),
    (94, 'Privacy-Preserving In-Context Learning for Large Language Models',
     ['Tong Wu', 'Ashwinee Panda', 'Jiachen T. Wang'], None, 'LG', '2023-05-02', False, None),
    (97, 'FetchSGD: Communication-Efficient Federated Learning with Sketching',
     ['Daniel Rothchild', 'Ashwinee Panda', 'Enayat Ullah'], None, 'LG', '2020-07-15', False, None),
]


@pytest.fixture(scope="module")
def seed_result():
    return parse_listing(SEED.read_text(encoding="utf-8"), "seeds/publications.txt", AS_OF)


def test_seed_is_the_shared_listing_verbatim():
    shared = ROOT.parent / "shared" / "seeds" / "publications.txt"
    if not shared.exists():
        pytest.skip("../shared is not beside this checkout")
    assert SEED.read_bytes() == shared.read_bytes()


def test_seed_parses_without_problems(seed_result):
    assert seed_result.problems == ()
    assert seed_result.rejected == 0
    assert len(seed_result.entries) == 33


@pytest.mark.parametrize("index", range(len(EXPECTED)))
def test_seed_entry_exact(seed_result, index):
    line, title, authors, affiliation, category, date, has_code, code_url = EXPECTED[index]
    entry = seed_result.entries[index]
    assert entry.line == line
    assert entry.title == title
    assert list(entry.authors) == authors
    assert entry.et_al is True  # every seed entry cuts its author list
    assert entry.affiliation == affiliation
    assert entry.category == category
    assert entry.date.isoformat() == date
    assert entry.has_code is has_code
    assert entry.code_url == code_url


def test_seed_abstract_is_the_raw_third_line(seed_result):
    lines = SEED.read_text(encoding="utf-8").split("\n")
    for entry in seed_result.entries:
        assert entry.abstract == lines[entry.line + 1]


def test_seed_traps_split_right(seed_result):
    by_title = {e.title: e for e in seed_result.entries}
    # camel case inside titles and names, and the glued boundaries the issue names
    assert by_title["Continual Pre-training of MoEs: How robust is your router?"].authors[0] == "Benjamin Thérien"
    assert by_title["Continual Pre-training of MoEs: How robust is your router?"].authors[1] == "Charles-Étienne Joseph"
    assert by_title["Safety Alignment Should Be Made More Than Just a Few Tokens Deep"].authors[0] == "Xiangyu Qi"
    assert by_title["Identifying and Evaluating Inactive Heads in Pretrained LLMs"].authors[0] == "Pedro Sandoval-Segura"
    assert by_title["Gemstones: A Model Suite for Multi-Faceted Scaling Laws"].authors[0] == "Sean McLeish"
    assert by_title["A Few Bad Neurons: Isolating and Surgically Correcting Sycophancy"].authors[0] == "Claire O'Brien"
    assert "Christopher A. Choquette-Choo" in by_title[
        "Teach LLMs to Phish: Stealing Private Information from Language Models"].authors


def test_seed_code_urls_lose_trailing_punctuation_and_braces(seed_result):
    urls = {e.code_url for e in seed_result.entries if e.code_url}
    assert "https://github.com/vatsal0/default-moe" in urls  # was "...default-moe."
    assert "https://github.com/Anut-py/frit" in urls  # was inside \href{...}
    assert "https://github.com/axonn-ai/yalis/tree/offload_prefetch" in urls
    assert not any(u.endswith((".", "}", ",")) for u in urls)


def test_seed_code_without_url_keeps_has_code(seed_result):
    no_url = [e.title for e in seed_result.entries if e.has_code and e.code_url is None]
    assert sorted(no_url) == sorted([
        "Gemstones: A Model Suite for Multi-Faceted Scaling Laws",
        "Continual Pre-training of MoEs: How robust is your router?",
        "SparseFed: Mitigating Model Poisoning Attacks in Federated Learning with Sparsification",
    ])
