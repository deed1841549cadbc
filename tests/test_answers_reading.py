"""How the answer checks read the answers cheaply without changing their findings.

A tool's words are searched only in answers holding the literals they need, an answer without a code span
or a link is not searched for cited paths, and each .gitignore is read once per verification. These tests
show each short cut gives what the full reading gives, and that reading the answers compiles no pattern.
"""

from __future__ import annotations

import random
import re
import types
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

import verifier
from verifier import answers as answers_module
from verifier import witness as witness_module
from verifier.answers import TOOL_LITERALS, TOOL_WORDS, TOOLS, _mentions, _path_candidates, _prose, gitignored
from verifier.repo import Repo
from verifier.report import Answer, parse_report
from verifier.textsearch import fold
from verifier.witness import may_match

from conftest import SEEDS, SEEDS_MISSING, recorded_calls, write_tree

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


def recorded_sentence_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The answer texts `_path_candidates` reads in full from now on: for their code spans (PATH_TOKEN), cut at
    SENTENCE_BREAK (to drop a sentence about a removal) or joined again with SENTENCE_END (for a route list)."""
    read: list[str] = []

    def split(text: str) -> list[str]:
        read.append(text)
        return [text]

    def joined(replacement: Any, text: str) -> str:
        read.append(text)
        return sentence_end.sub(replacement, text)

    def spans(text: str) -> Iterator[re.Match[str]]:
        read.append(text)
        return path_token.finditer(text)

    sentence_end = answers_module.SENTENCE_END
    path_token = answers_module.PATH_TOKEN
    monkeypatch.setattr(answers_module, "PATH_TOKEN", types.SimpleNamespace(finditer=spans))
    monkeypatch.setattr(answers_module, "SENTENCE_BREAK", types.SimpleNamespace(split=split))
    monkeypatch.setattr(answers_module, "SENTENCE_END", types.SimpleNamespace(sub=joined))
    return read


def test_an_answer_whose_markup_cites_nothing_is_not_read_sentence_by_sentence(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    read = recorded_sentence_reads(monkeypatch)
    fenced = "We ran\n```\npython src/train.py\n```\nthen `make train data`."
    assert _path_candidates(Answer(5, 10, "structure", fenced)) == [] and read == []
    cited = "We ran `src/train.py` and [the config](configs/a.yaml)."  # near miss: a code span and a link
    assert _path_candidates(Answer(5, 10, "structure", cited)) == ["src/train.py", "configs/a.yaml"]
    assert read == [cited]  # nothing to drop and no route list: read as written
    routes = "We serve `src/app.py`. The `root/` and `predict/` endpoints answer."
    assert _path_candidates(Answer(5, 10, "structure", routes)) == ["src/app.py"]
    assert read == [cited, routes, routes]  # as written, then joined again for the route list


def test_an_answer_whose_spans_and_links_name_no_path_is_not_read_sentence_by_sentence(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    read = recorded_sentence_reads(monkeypatch)
    named = "We lint with `ruff`, pin `torch==2.1`, push `user/model` and read [the docs](https://a.io/b)."
    assert _path_candidates(Answer(5, 10, "structure", named)) == [] and read == []
    # near misses: a span under a top folder, and the same words as a link target (a link cites a path)
    assert _path_candidates(Answer(5, 10, "structure", named), {"user"}) == ["user/model"]
    linked = "We push to [the hub](user/model)."
    assert _path_candidates(Answer(5, 10, "structure", linked)) == ["user/model"]
    assert read == [named, linked]


def test_the_tokens_as_written_are_a_short_cut_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading every answer in full (as if each held a path) gives the paths the short cut gives."""
    texts = [answer.text for answer in seed_answers()] + [
        "We deleted `old.py`. The code is in `src/a.py`; `b c` and `d/`.",
        "All code is [in. We [later] removed one file. there](src/train.py).",
        "The `root/` and `predict/` endpoints; the `metrics/` endpoint; `/docs`, `../x/y` and `a.b.c`.",
        "We used `ruff` and `pytest`.",
    ]
    shortcut = [_path_candidates(Answer(5, 10, "structure", text), {"src"}) for text in texts]
    monkeypatch.setattr(answers_module, "_tokens_as_written", lambda text: iter([("any.py", False)]))
    full = [_path_candidates(Answer(5, 10, "structure", text), {"src"}) for text in texts]
    assert shortcut == full
    assert full[-4:] == [["src/a.py", "d/"], ["src/train.py"], ["../x/y"], []]


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


class SearchingFromTheStart:
    """Stands for answers.TRIED: records each search over the text before a mention (three arguments), and
    with `found` set, makes it find something, so that the parts of the text are looked for as before."""

    def __init__(self, found: bool = False) -> None:
        self.pattern, self.found, self.before = answers_module.TRIED, found, []  # type: ignore[var-annotated]

    def search(self, *args: Any) -> Any:
        if len(args) == 3:
            self.before.append(args[0][: args[2]])
            if self.found:
                return True
        return self.pattern.search(*args)


def test_the_parts_before_a_mention_are_found_only_when_tried_comes_before_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    searching = SearchingFromTheStart()
    monkeypatch.setattr(answers_module, "TRIED", searching)
    parts: list[str] = []
    breaks = answers_module.PART_BREAK

    class RecordedBreaks:
        def search(self, *args: Any) -> Any:
            return breaks.search(*args)

        def finditer(self, text: str, *args: Any) -> Any:
            parts.append(text)
            return breaks.finditer(text, *args)

    monkeypatch.setattr(answers_module, "PART_BREAK", RecordedBreaks())
    later = "We used DVC for the data; later we tried pre-commit."
    assert not answers_module._failed(later, re.search("DVC", later))  # type: ignore[arg-type]
    assert searching.before == ["We used "] and parts == []
    # near misses: "tried" before the mention, in its part and in an earlier one
    tried = "At first we tried DVC with a GCS bucket; it kept failing."
    assert answers_module._failed(tried, re.search("DVC", tried))  # type: ignore[arg-type]
    elsewhere = "We tried Docker. Then DVC worked for the data."
    assert not answers_module._failed(elsewhere, re.search("DVC", elsewhere))  # type: ignore[arg-type]
    assert len(parts) == 2


def test_a_mention_is_read_as_failed_as_when_every_part_before_it_is_found(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    texts = [answer.text for answer in seed_answers()] + [
        "We tried DVC (twice) but it never synced.",
        "We tried DVC and in the end it worked.",
        "Attempted: DVC with a GCS remote.",
        "We used DVC; we tried caching, but DVC stayed.",
        "untried DVC",
        "We had tried, but DVC was set up by us.",
    ]
    mentions = [(text, m) for text in texts for m in TOOL_WORDS["DVC"].finditer(_prose(text))]

    def failed() -> list[bool]:
        return [answers_module._failed(_prose(text), match) for text, match in mentions]

    short = failed()
    monkeypatch.setattr(answers_module, "TRIED", SearchingFromTheStart(found=True))
    assert failed() == short
    assert short[-7:] == [True, False, False, False, False, False, False]


def test_the_texts_a_mention_starts_with_are_read_from_its_words() -> None:
    assert answers_module.leading_literals(TOOL_WORDS["Docker"]) == {("docker", 0)}
    assert answers_module.leading_literals(TOOL_WORDS["Weights & Biases"]) == {
        ("w&b", 0),
        ("weights", 0),
        ("wandb", 0),
    }
    assert answers_module.leading_literals(answers_module.CI_PLATFORM_WORDS["Ubuntu/Linux"]) == {
        ("ubuntu", 0),
        ("linux", 0),
    }
    # near misses: an optional start gives none; a character class, or a character outside ASCII, is one
    # character before the literal that follows it
    assert answers_module.leading_literals(TOOL_WORDS["PyTorch Lightning"]) is None
    assert answers_module.leading_literals(re.compile(r"[dD]ocker")) == {("ocker", 1)}
    assert answers_module.leading_literals(re.compile("\u212aubernetes", re.IGNORECASE)) == {("ubernetes", 1)}


def test_a_mention_is_tried_only_where_its_leading_literal_is(monkeypatch: pytest.MonkeyPatch) -> None:
    words = TOOL_WORDS["Docker"]
    tried: list[object] = []

    class Recording:
        def match(self, text: str, position: int) -> re.Match[str] | None:
            tried.append(position)
            return words.match(text, position)

        def finditer(self, text: str) -> Iterator[re.Match[str]]:
            tried.append("everywhere")
            return words.finditer(text)

    recording = Recording()
    monkeypatch.setitem(answers_module.MENTION_STARTS, recording, answers_module.MENTION_STARTS[words])
    text = "We use docker compose. Every image is built from a Dockerfile in CI."
    found = [m.span() for m in answers_module._mention_matches(text, recording)]  # type: ignore[arg-type]
    assert found == [m.span() for m in words.finditer(text)] == [(51, 61)]
    assert tried == [text.index("docker"), text.index("Dockerfile")]  # the regex runs at "docker" only
    tried.clear()
    assert list(answers_module._mention_matches("Nothing here.", recording)) == []  # type: ignore[arg-type]
    assert tried == []
    # near misses: a text outside ASCII, and words no text bounds, are scanned from the start
    assert [m.group(0) for m in answers_module._mention_matches("Caf\u00e9. A Dockerfile.", recording)] == [  # type: ignore[arg-type]
        "Dockerfile"
    ]
    assert tried == ["everywhere"]
    assert answers_module.MENTION_STARTS.get(TOOL_WORDS["PyTorch Lightning"]) is None


def test_mentions_tried_at_their_leading_literals_are_those_found_everywhere(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    texts = [_prose(answer.text) for answer in seed_answers()] + [
        "We could use Hydra. In the end we used Hydra, and hydra-core for the configs.",
        "A xdocker tool, then docker files and a Dockerfile; Weights and Biases, W&B, wandb.",
        "Caf\u00e9: we did not use DVC. Later DVC stored the data.",
        "We lint with ruff in pre-commit hooks. Our CI workflow runs ruff on ubuntu and macOS.",
    ]
    patterns = [*TOOL_WORDS.values(), *answers_module.CI_PLATFORM_WORDS.values()]

    def mentions() -> list[int | None]:
        found = [_mentions(text, words) for text in texts for words in patterns]
        return [match.start() if match else None for match in found]

    bounded = mentions()
    monkeypatch.setattr(answers_module, "MENTION_STARTS", {})
    assert mentions() == bounded
    assert sum(start is not None for start in bounded[-4 * len(patterns) :]) >= 8


def test_python_versions_are_tried_at_each_3_dot() -> None:
    version = answers_module.PYTHON_VERSION
    assert answers_module.leading_literals(version) == {("3.", 0)}
    texts = [_prose(answer.text) for answer in seed_answers()] + [
        "CI runs Python 3.11 and 3.12; locally 3.10. It took 3.5 minutes.",
        "Version 13.11 is no Python, nor 3.1x; python3.9 is.",
        "No version at all.",
    ]
    for text in texts:
        found = [m.span() for m in answers_module._mention_matches(text, version)]
        assert found == [m.span() for m in version.finditer(text)]
    assert list(answers_module._mention_matches(texts[-1], version)) == []


def test_words_are_counted_as_str_split_counts_them() -> None:
    pieces = [
        " ",
        "\t",
        "\n",
        "\x0b",
        "\x0c",
        "\r",
        "\x1c",
        "\x1f",
        "a",
        "b.",
        "`x`",
        "\u00e9",
        "\u00a0",
        "\u2028",
    ]
    pick = random.Random(17)
    texts = ["".join(pick.choice(pieces) for _ in range(pick.randint(0, 12))) for _ in range(5000)]
    texts += [answer.text for answer in seed_answers()] + ["", "   ", "one", " two  words "]
    assert [answers_module._word_count(text) for text in texts] == [len(text.split()) for text in texts]


def test_an_answer_without_a_percent_sign_is_not_scanned_for_a_coverage_figure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scanned: list[str] = []
    percentage = answers_module.PERCENTAGE

    class RecordedPercentage:
        def finditer(self, text: str) -> Any:
            scanned.append(text)
            return percentage.finditer(text)

    monkeypatch.setattr(answers_module, "PERCENTAGE", RecordedPercentage())
    repo = Repo(write_tree(tmp_path, {"src/a.py": "x = 1\n"}))
    plain = Answer(8, 5, "", "We did not measure the coverage of our code.")
    assert answers_module.coverage_claim(repo, plain, measure=False) == [] and scanned == []
    figure = Answer(8, 5, "", "Our total coverage is 80 %.")  # near miss: a percentage
    found = answers_module.coverage_claim(repo, figure, measure=False)
    assert [(f.claim, f.verdict) for f in found] == [("80 %", "unverifiable")] and len(scanned) == 1


@pytest.mark.parametrize(
    "text, placeholder",
    [
        ("TODO", True),
        (" todo. ", True),
        ("> Fill   in", True),
        ("tbd...", True),
        ("TODO: write how we used DVC.", False),  # near misses: a placeholder word that starts an answer
        ("todos", False),
        ("We used DVC; the rest is TODO", False),
        ("...", True),
        ("", False),
    ],
)
def test_a_placeholder_is_told_from_the_start_of_the_answer(text: str, placeholder: bool) -> None:
    assert answers_module._is_placeholder(text) is placeholder


def test_the_rules_are_listed_only_when_a_named_tool_s_rule_must_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    report_text = (
        "# R\n\n## Overall project checklist\n\n* [x] Use Hydra to load the configurations (M11)\n\n"
        "### Question 12\n\n> Answer:\n\nWe used Hydra for every config.\n"
    )
    train = "import hydra\n\n@hydra.main()\ndef main(cfg):\n    pass\n"
    root = write_tree(tmp_path, {"src/pkg/train.py": train, "reports/README.md": report_text})
    listed: list[int] = []
    every_rule = answers_module.all_rules
    monkeypatch.setattr(answers_module, "all_rules", lambda: listed.append(1) or every_rule())
    verification = verifier.verify(Repo(root), check_answers=False)
    report = verification.report
    assert report is not None
    listed.clear()
    found = answers_module.tool_claims(Repo(root), report, verification)
    assert [(f.check, f.verdict) for f in found] == [("tool-m11.hydra", "consistent")] and listed == []
    # near miss: a tool whose item the checklist lacks runs its rule here, the rules listed once for it
    answered = replace(report, answers=[replace(report.answers[0], text="We used Hydra and DVC.")])
    found = answers_module.tool_claims(Repo(root), answered, verification)
    assert [f.check for f in found] == ["tool-m11.hydra", "tool-m08.dvc"] and len(listed) == 1


def test_the_workflows_python_versions_are_read_only_for_an_answer_naming_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workflow = (
        "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/setup-python@v5\n"
        "        with:\n          python-version: 3.10\n"
    )
    repo = Repo(write_tree(tmp_path, {".github/workflows/tests.yaml": workflow}))
    read = recorded_calls(monkeypatch, answers_module, "_workflow_python_versions")
    platforms = Answer(11, 5, "", "Our workflow runs the tests on ubuntu.")
    assert [f.check for f in answers_module.ci_claim(repo, platforms)] == ["ci-ubuntu"] and read == []
    versions = Answer(11, 5, "", "Our workflow tests Python 3.10 and 3.11 on ubuntu.")  # near miss
    found = {f.check: f.verdict for f in answers_module.ci_claim(repo, versions)}
    assert found == {
        "ci-ubuntu": "consistent",
        "ci-python-3.10": "consistent",
        "ci-python-3.11": "inconsistent",
    }
    assert len(read) == 1


def sentence_texts(count: int, seed: int = 3) -> list[str]:
    """Random answers of code spans, links, route words, sentence ends and white space runs."""
    pieces = ["`", "`src/a.py`", "`root/`", "`metrics/`", "`a.", "b`", " ", "  ", "\n", "\t", ". ", ".\n\n", "!  ",
              "?\n", " and ", ", ", " endpoint", " Routes", "endpoints", "ROUTE", "\u00e9", "[x](src/b.py)", "](",
              "we ", "removed ", "src/", "c.yaml", ")"]  # fmt: skip
    pick = random.Random(seed)
    return ["".join(pick.choice(pieces) for _ in range(pick.randint(1, 30))) for _ in range(count)]


def test_route_words_are_where_the_route_pattern_matches() -> None:
    texts = [*sentence_texts(3000), " endpoint", "endpoint", "x\u00e9  route", "`a`\n endpoint"]
    found = 0
    for text in texts:
        expected = [
            (m.start(), m.end() - len(m.group().lstrip())) for m in answers_module.BEFORE_ROUTE.finditer(text)
        ]
        assert answers_module._route_words(text) == expected, text
        found += bool(expected)
    assert found > 100


def test_white_space_after_a_sentence_end_changes_no_cited_path() -> None:
    """`_path_candidates` reads an answer with nothing to drop as written, and a list of routes with its
    sentences joined again: the paths are those of the answer joined again (what it read before)."""
    tricky = [
        "The `c/` and `a.\n b` endpoints.",
        "The `a.  b`,  `c/`   endpoints.",
        "`d/`.\n\n endpoint `e/`",
    ]
    for text in [*sentence_texts(3000), *tricky]:
        joined = " ".join(witness_module.SENTENCE_BREAK.split(text))
        for top in (frozenset(), {"src", "a"}):
            assert _path_candidates(Answer(5, 10, "q", text), top) == _path_candidates(
                Answer(5, 10, "q", joined), top
            )
    assert _path_candidates(Answer(5, 10, "q", tricky[0])) == []  # `c/` is a listed route once joined


def test_part_break_starts_are_where_part_break_matches_start() -> None:
    texts = [answer.text for answer in seed_answers()] + [
        *sentence_texts(500),
        "a , but b",
        "x. y",
        "q\u2014r (s) [t]; u: v",
        "a - b",
        "However, xbut but ,  but a,but however",
        "done!\nnext?\tend",
    ]
    found = 0
    for text in texts:
        for position in range(len(text) + 1):
            expected = answers_module.PART_BREAK.search(text, position)
            got = answers_module.PART_BREAK_START.search(text, position)
            assert (got and got.start()) == (expected and expected.start()), (text, position)
            found += expected is not None
    assert found > 1000


def test_the_sentence_literals_checked_first_change_no_mention(monkeypatch: pytest.MonkeyPatch) -> None:
    """`_mentions` looks for DISMISSED and HYPOTHETICAL only in sentences holding their literals: the claims
    found are those found when both are looked for in every sentence."""
    texts = [_prose(answer.text) for answer in seed_answers()] + [
        "We considered using DVC but stayed with git. We could use Hydra later.",
        "DVC was out of our scope, but we would like W&B. We planned to use Hydra.",
        "We use DVC. We might add W&B in the future, and Hydra is used.",
    ]
    patterns = [*TOOL_WORDS.values()]

    def claims() -> list[Any]:
        return [(m.span() if (m := _mentions(text, p)) else None) for text in texts for p in patterns]

    checked_first = claims()
    monkeypatch.setattr(answers_module, "DISMISSED_LITERALS", ())
    monkeypatch.setattr(answers_module, "HYPOTHETICAL_LITERALS", ())
    assert checked_first == claims()
    assert sum(span is not None for span in checked_first) > 10
