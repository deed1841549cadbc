"""How the answer checks read the answers cheaply without changing their findings.

A tool's words are searched only in answers holding the literals they need, an answer without a code span
or a link is not searched for cited paths, and each .gitignore is read once per verification. These tests
show each short cut gives what the full reading gives, and that reading the answers compiles no pattern.
"""

from __future__ import annotations

import re
import types
from pathlib import Path

import pytest

from verifier import answers as answers_module
from verifier.answers import TOOL_LITERALS, TOOL_WORDS, TOOLS, _mentions, _path_candidates, _prose, gitignored
from verifier.repo import Repo
from verifier.report import Answer, parse_report
from verifier.textsearch import fold
from verifier.witness import may_match

from conftest import SEEDS, SEEDS_MISSING, write_tree

SEED_REPORTS = sorted(SEEDS.glob("*.md"))
needs_seeds = pytest.mark.skipif(not SEED_REPORTS, reason=SEEDS_MISSING)


def seed_answers() -> list[Answer]:
    return [answer for seed in SEED_REPORTS for answer in parse_report(seed.read_bytes()).answers]


def test_every_tool_needs_a_literal() -> None:
    """A tool whose words promise no literal would be searched in every answer: still right, only slow."""
    assert set(TOOL_LITERALS) == set(TOOLS)
    assert all(TOOL_LITERALS.values()), {tool for tool, clauses in TOOL_LITERALS.items() if not clauses}


@needs_seeds
def test_an_answer_without_a_tool_s_literals_never_mentions_it() -> None:
    answers = seed_answers()
    assert len(answers) > 100
    mentioned = skipped = 0
    for tool, words in TOOL_WORDS.items():
        for answer in answers:
            prose = _prose(answer.text)
            if may_match(fold(prose), TOOL_LITERALS[tool]):
                mentioned += _mentions(prose, words) is not None
            else:
                skipped += 1
                assert words.search(prose) is None, (tool, answer.number)
    assert mentioned > 10 and skipped > len(answers)  # both sides of the short cut are exercised


def test_the_literal_check_keeps_case_and_unicode_variants() -> None:
    words, needed = TOOL_WORDS["Weights & Biases"], TOOL_LITERALS["Weights & Biases"]
    for text in ("We logged runs to WANDB.", "Weights and Biases dashboards", "W&B sweeps"):
        assert words.search(text) and may_match(fold(text), needed), text
    kelvin = "We used \u212aubernetes and Loc\u212aust"  # the Kelvin sign matches k case-insensitively
    assert TOOL_WORDS["Locust"].search("Loc\u212aust") is None  # near miss: not a "k" in "locust" at all
    assert may_match(fold(kelvin), TOOL_LITERALS["Docker"]) is False
    long_s = "we used stream\u017fit"  # U+017F matches "s" and "S" under IGNORECASE... but not "l"
    assert bool(TOOL_WORDS["Streamlit"].search(long_s)) == may_match(fold(long_s), TOOL_LITERALS["Streamlit"])
    pre_commit = "PRE-COMMIT hooks run ruff"
    assert TOOL_WORDS["pre-commit"].search(pre_commit) and may_match(
        fold(pre_commit), TOOL_LITERALS["pre-commit"]
    )


@pytest.mark.parametrize(
    "text, expected",
    [
        ("The training code is in `src/pkg/train.py`.", ["src/pkg/train.py"]),
        ("See [the config](configs/config.yaml) for the defaults.", ["configs/config.yaml"]),
        ("The training code is in src/pkg/train.py and the configs folder.", []),  # near miss: no markup
        # backquotes and "](" that cite nothing: a code fence, a span with spaces, an empty link target
        ("We ran\n```\npython src/train.py\n```\nand `make train data`; see [it]( here).", []),
        # a sentence about removing something leaves the link around it intact: still read
        ("All code is [in. We [later] removed one file. there](src/train.py).", ["src/train.py"]),
    ],
)
def test_paths_are_read_from_code_spans_and_links_only(text: str, expected: list[str]) -> None:
    assert _path_candidates(Answer(5, 10, "structure", text)) == expected


def test_an_answer_whose_markup_cites_nothing_is_not_read_sentence_by_sentence(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    read: list[str] = []

    def split(text: str) -> list[str]:
        read.append(text)
        return [text]

    monkeypatch.setattr(answers_module, "SENTENCE_BREAK", types.SimpleNamespace(split=split))
    fenced = "We ran\n```\npython src/train.py\n```\nthen `make train data`."
    assert _path_candidates(Answer(5, 10, "structure", fenced)) == [] and read == []
    cited = "We ran `src/train.py` and [the config](configs/a.yaml)."  # near miss: a code span and a link
    assert _path_candidates(Answer(5, 10, "structure", cited)) == ["src/train.py", "configs/a.yaml"]
    assert read == [cited]


def test_the_gitignore_patterns_read_once_give_what_reading_them_each_time_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_tree(
        tmp_path,
        {
            ".gitignore": "outputs/\n*.log\n",
            "src/pkg/.gitignore": "cache/\n!cache/keep.txt\n",
            "src/pkg/model.py": "x = 1\n",
        },
    )
    repo = Repo(root)
    questions = [
        "src/pkg/cache/",
        "src/pkg/cache/keep.txt",
        "cache/a.parquet",
        "outputs/run1",
        "x/y.log",
        "src/a.py",
    ]
    reads: list[str] = []
    read = answers_module._gitignore_spec
    monkeypatch.setattr(answers_module, "_gitignore_spec", lambda r, p: reads.append(p) or read(r, p))
    each_time = [gitignored(repo, path) for path in questions]
    assert each_time == [True, False, False, True, True, False]
    reads.clear()
    specs: dict = {}
    assert [gitignored(repo, path, specs) for path in questions] == each_time
    assert sorted(reads) == [".gitignore", "src/pkg/.gitignore"]  # each file once, not once per path


def test_answer_checks_compile_no_pattern(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The answers' own patterns were compiled at import: the reading of the answers below (tools, paths,
    counts, percentages, CI claims) runs with `re`'s text functions refused in the module. (A cited path
    that is missing gets a pattern built from it, `_said_written`: rare, and not compiled here.)"""
    root = write_tree(
        tmp_path,
        {
            ".gitignore": "outputs/\n",
            "src/pkg/train.py": "import hydra\n",
            "tests/test_a.py": "def test_a():\n    assert True\n",
            ".github/workflows/t.yaml": "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest\n",
        },
    )
    report = parse_report(
        "# R\n\n## Overall project checklist\n\n* [ ] x\n\n### Question 2\n\n> Answer:\n\ns123456, s234567\n\n"
        "### Question 5\n\n> Answer:\n\nWe used Hydra, e.g. in "
        "`src/pkg/train.py`; results go to `outputs/metrics.json`. See [cfg](../src/pkg/train.py).\n\n"
        "### Question 7\n\n> Answer:\n\nWe wrote 3 tests.\n\n### Question 8\n\n> Answer:\n\nOur total coverage is 80%.\n\n"
        "### Question 11\n\n> Answer:\n\nOur CI runs on ubuntu with Python 3.11 and caching.\n"
    )

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"a pattern given as text while reading the answers: {args[:1]}")

    strict = types.SimpleNamespace(
        **{name: getattr(re, name) for name in dir(re) if not name.startswith("__")}
    )
    for name in ("compile", "search", "match", "fullmatch", "sub", "subn", "split", "findall", "finditer"):
        setattr(strict, name, refuse)
    monkeypatch.setattr(answers_module, "re", strict)
    answers_module._prose.cache_clear()
    repo = Repo(root)
    found = {f.check: f for f in answers_module.check_answers(repo, report)}
    assert not [w for w in repo.warnings if "answer check failed" in w], repo.warnings
    assert (
        found["paths"].verdict == "unverifiable"
        and "outputs/metrics.json: a folder" in found["paths"].message
    )
    assert found["tests"].claim and found["coverage"].claim == "80%"
    assert "Hydra" in found["tool-m11.hydra"].claim and found["group"].claim == "2 study numbers"
    assert found["ci-ubuntu"].verdict == "consistent" and found["ci-python-3.11"].verdict == "unverifiable"
