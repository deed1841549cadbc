"""Session-6 short cuts of the report reader, the witness and the answer checks (issue #17): each skips work
that cannot change the result. Every test shows that the work is skipped where it can be and that the result
is the one the full work gives (a positive case, a negative one and a near miss)."""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Any

import pytest

from verifier import answers as answers_module
from verifier import report as report_module
from verifier import witness as witness_module
from verifier.answers import QUOTED_QUESTION, QUOTED_QUESTION_NEEDS, _path_candidates, _prose
from verifier.repo import Repo
from verifier.report import Answer, _may_hold_box, _opens_item, scan_report
from verifier.textsearch import fold
from verifier.witness import (
    ABBREVIATION,
    BLOCK_BREAK,
    JOIN_ABBREVIATIONS,
    PARAGRAPH_OR_SENTENCE,
    SENTENCE_BREAK,
    Witness,
    may_match,
    sentences,
)

from conftest import SEEDS, SEEDS_MISSING, recorded_calls, write_tree

SEED_REPORTS = sorted(SEEDS.glob("*.md"))
needs_seeds = pytest.mark.skipif(not SEED_REPORTS, reason=SEEDS_MISSING)
# Pieces that the sentence, abbreviation and quoted-question patterns care about, joined at random.
PIECES = (
    "We used DVC",
    " e.g. ",
    " i.e.",
    "E.G.",
    " etc. ",
    " vs. ",
    " vs ",
    "envs",
    "approx.",
    ". ",
    "! ",
    "? ",
    "?",
    ".\n\n",
    "\n- ",
    "\n# ",
    "  \t",
    "\u00a0",
    '"',
    "\u201c",
    "\u201d",
    "what did you do",
    "`src/train.py`",
    "[docs](docs/index.md)",
    "![shot](figures/a.png)",
    "caf\u00e9",
)


def random_texts(count: int, seed: int = 6) -> list[str]:
    pick = random.Random(seed)
    return ["".join(pick.choice(PIECES) for _ in range(pick.randint(1, 30))) for _ in range(count)]


def seed_answers() -> list[str]:
    return [answer.text for path in SEED_REPORTS for answer in scan_report(path.read_bytes()).answers]


# ------------------------------------------------------------------ literal checks before a substitution


@pytest.mark.parametrize("pattern", [ABBREVIATION, answers_module.ABBREVIATION])
def test_every_abbreviation_holds_one_of_its_literals_with_the_dot(pattern: re.Pattern[str]) -> None:
    needed = witness_module.literals(pattern)
    assert needed and all(literal.endswith(".") for clause in needed for literal in clause)
    texts = random_texts(3000)
    matched = [text for text in texts if pattern.search(text)]
    assert matched  # the corpus holds abbreviations
    assert all(may_match(fold(text), needed) for text in matched)


def test_an_answer_with_vs_but_no_abbreviation_is_not_scanned_for_one() -> None:
    assert not may_match(fold("Our envs and vscode settings"), JOIN_ABBREVIATIONS.needed)
    assert JOIN_ABBREVIATIONS("Our envs and vscode settings") == "Our envs and vscode settings"
    # near miss: the abbreviation itself, in any case, is found and joined
    assert JOIN_ABBREVIATIONS("PyTorch vs. JAX, E.g. here") == "PyTorch vs JAX, Eg here"


def test_every_quoted_question_holds_a_question_mark_and_an_opening_quote() -> None:
    texts = [*random_texts(3000), 'He asked "what did you do?" and we said', "\u201cwhat did you do?\u201d"]
    matched = [text for text in texts if QUOTED_QUESTION.search(text)]
    assert len(matched) > 2
    assert all(may_match(fold(text), QUOTED_QUESTION_NEEDS) for text in matched)


def test_prose_skips_the_quoted_question_scan_only_where_it_cannot_match() -> None:
    without_question = 'We wrote "a config" for each run.'
    assert not may_match(fold(without_question), QUOTED_QUESTION_NEEDS)
    assert _prose(without_question) == without_question
    quoted = 'The question "How did you do it?" was answered.'  # near miss: quote and question mark
    assert _prose(quoted) == QUOTED_QUESTION.sub(" ", quoted) == "The question   was answered."
    curly = "The question \u201cHow did you do it?\u201d was answered."
    assert _prose(curly) == "The question   was answered."


# ------------------------------------------------------------------ sentences


def regex_sentences(text: str) -> list[str]:
    """`witness.sentences` as it read with `SENTENCE_BREAK.split` on each block."""
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    text = "\n\n".join(text.split("```")[::2])
    text = witness_module.substitute_all(witness_module.SENTENCE_SUBSTITUTIONS, text)
    found = []
    for block in BLOCK_BREAK.split(text):
        for sentence in SENTENCE_BREAK.split(" ".join(block.split())):
            sentence = sentence.strip(" -*+#>")
            if sentence and not sentence.endswith("?"):
                found.append(sentence[: witness_module.MAX_SENTENCE])
    return found


def test_sentences_cut_with_str_replace_are_the_regex_cut() -> None:
    texts = random_texts(3000)
    assert all(sentences(text) == regex_sentences(text) for text in texts)
    assert sentences("We used DVC.  It works!\tDid it?\u00a0Yes. ok") == [
        "We used DVC.",
        "It works!",
        "Yes.",
        "ok",
    ]
    assert sentences("No break.here or e.g. there") == ["No break.here or eg there"]  # near miss: no space


@needs_seeds
def test_sentences_of_real_answers_are_the_regex_cut() -> None:
    answers = seed_answers()
    assert answers
    assert all(sentences(text) == regex_sentences(text) for text in answers)


# ------------------------------------------------------------------ the witness


def test_the_witness_reads_the_template_of_the_report_once(monkeypatch: pytest.MonkeyPatch) -> None:
    modern = scan_report("### Question 30\n\nAnswer:\n\nStruggles.\n")
    legacy = scan_report("### Question 26\n\nAnswer:\n\nStruggles.\n")
    assert Witness(modern).modern and not Witness(legacy).modern
    witness = Witness(modern)
    assert witness.modern
    # read again, the answers of a 27-question report would make it legacy: it is read once
    monkeypatch.setattr(witness.report, "answers", [Answer(26, 1, "", "")])
    assert witness.modern


# ------------------------------------------------------------------ the report's checklist lines


@pytest.mark.parametrize(
    ("line", "opens"),
    [
        ("- [x] Create a git repository (M5)", True),
        ("* [ ] Use DVC", True),
        ("[x] bare box", True),
        ("1. \u2705 Create a git repository (M5)", True),
        ("See [the docs](docs/index.md) for more", False),  # a link: "[" but no item
        ("![architecture](figures/overview.png)", False),
        ("caf\u00e9 [x] in the middle", False),
        ("- \u274c Deploy", True),
        ("- caf\u00e9 \u2705", False),  # near miss: an emoji, but not where a mark goes
    ],
)
def test_an_item_line_is_one_the_item_patterns_match(line: str, opens: bool) -> None:
    assert _opens_item(line) is opens
    assert not opens or _may_hold_box(line)


REPORT = """# Exam report

## Overall project checklist

* [x] Create a git repository (M5)
* [ ] Use DVC for managing data (M8)
* [x] Write unit tests related to the data part of your code (M16)

## Group information

### Question 1
> **Enter the group number**
>
> Answer:

Group 7, see [the course page](https://example.org) and ![logo](figures/logo.png).

### Question 2

Answer:

- [a list of links](docs/a.md)
- [another](docs/b.md)
"""


def test_a_stretch_of_answers_with_links_only_is_not_read_for_a_checklist(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    read = recorded_calls(monkeypatch, report_module, "_read_run", 1)
    report = scan_report(REPORT)
    assert [item.text for item in report.checklist] == [
        "Create a git repository (M5)",
        "Use DVC for managing data (M8)",
        "Write unit tests related to the data part of your code (M16)",
    ]
    assert len(read) == 1  # the checklist's stretch only, not those of the two answers
    monkeypatch.setattr(report_module, "_opens_item", _may_hold_box)  # as it read: every "[" line a hint
    assert scan_report(REPORT) == report
    assert len(read) == 4


@needs_seeds
def test_real_reports_read_as_with_every_bracket_a_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    reports = [scan_report(path.read_bytes()) for path in SEED_REPORTS]
    monkeypatch.setattr(report_module, "_opens_item", _may_hold_box)
    assert [scan_report(path.read_bytes()) for path in SEED_REPORTS] == reports


# ------------------------------------------------------------------ cited paths


class Recording:
    """A compiled pattern whose scans are recorded."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern, self.scanned = pattern, []  # type: tuple[re.Pattern[str], list[str]]

    def finditer(self, text: str) -> Any:
        self.scanned.append(text)
        return self.pattern.finditer(text)


def test_an_answer_without_a_link_is_not_scanned_for_links(monkeypatch: pytest.MonkeyPatch) -> None:
    recording = Recording(answers_module.RELATIVE_LINK)
    monkeypatch.setattr(answers_module, "RELATIVE_LINK", recording)
    spans = "We train with `src/train.py` and [brackets] but no link target."
    assert _path_candidates(Answer(5, 10, "structure", spans)) == ["src/train.py"]
    assert recording.scanned == []
    linked = "We train with `src/train.py`; see [the config](configs/a.yaml)."  # near miss: a link
    assert _path_candidates(Answer(5, 10, "structure", linked)) == ["src/train.py", "configs/a.yaml"]
    assert len(recording.scanned) == 1


# ------------------------------------------------------------------ mentions of tools


def test_a_tool_mention_is_not_cut_into_clauses_unless_a_neighbouring_practice_is_looked_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cut = recorded_calls(monkeypatch, answers_module, "_clause")
    words = answers_module.TOOL_WORDS["Hydra"]
    text = "We could use Hydra. In the end we used Hydra for every config."
    match = answers_module._mentions(text, words)
    assert match is not None and match.start() == text.rindex("Hydra")  # the hypothetical one is passed over
    assert answers_module._mentions("We did not use Hydra.", words) is None
    assert cut == []
    # near miss: the CI answer's linting, where the clause tells pre-commit from CI, is cut as before
    linting = answers_module.CI_PLATFORM_WORDS["linting"]
    assert (
        answers_module._mentions("We lint with ruff in pre-commit hooks.", linting, answers_module.NOT_CI)
        is None
    )
    assert answers_module._mentions("Our CI workflow runs ruff.", linting, answers_module.NOT_CI) is not None
    assert len(cut) == 3  # once per mention: "lint" and "ruff", then "ruff"


# ------------------------------------------------------------------ the CI answer


def test_the_ci_answer_asks_the_lint_rule_only_when_it_claims_linting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workflow = "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest\n"
    repo = Repo(write_tree(tmp_path, {".github/workflows/tests.yaml": workflow}))
    asked = recorded_calls(monkeypatch, answers_module, "_linting_in_ci")
    scanned = recorded_calls(monkeypatch, answers_module, "_mentions", 1)
    platforms = Answer(11, 5, "", "Our workflow runs the tests on ubuntu with Python 3.11 in CI.")
    assert [(f.check, f.verdict) for f in answers_module.ci_claim(repo, platforms)] == [
        ("ci-ubuntu", "consistent"),
        ("ci-python-3.11", "unverifiable"),  # the workflow names no version
    ]
    assert asked == []  # no linting claimed: the rule is not run
    assert scanned == [answers_module.CI_PLATFORM_WORDS["Ubuntu/Linux"]]  # nor the other aspects looked for
    linted = Answer(11, 5, "", "Our GitHub Actions workflow lints the code with ruff on ubuntu.")  # near miss
    assert [(f.check, f.verdict) for f in answers_module.ci_claim(repo, linted)] == [
        ("ci-ubuntu", "consistent"),
        ("ci-linting", "inconsistent"),
    ]
    assert len(asked) == 1


def test_the_sentences_that_link_something_are_read_once_per_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    class Hosted:
        id, elsewhere = "m32.github-pages", r"\bdocs?\b|\bdocumentation\b"

    class Served:
        id, elsewhere = "m23.cloud-deploy", r"\bcloud run\b"

    witness_module._linking_sentences.cache_clear()
    split: list[str] = []

    class Splitting:
        def split(self, text: str) -> list[str]:
            split.append(text)
            return PARAGRAPH_OR_SENTENCE.split(text)

    monkeypatch.setattr(witness_module, "PARAGRAPH_OR_SENTENCE", Splitting())
    report = scan_report(
        "### Question 28\n\nAnswer:\n\nOur docs are on https://group.github.io/project. "
        "The API runs on http://localhost:8000 while writing.\n"
    )
    absent = witness_module.Evidence.absent("Nothing found.", ("mkdocs.yml",))
    hosted = witness_module.hosted_elsewhere(Hosted, absent, report)  # type: ignore[arg-type]
    assert (
        hosted.status is witness_module.Status.UNVERIFIABLE
        and "https://group.github.io/project" in hosted.message
    )
    assert witness_module.hosted_elsewhere(Served, absent, report) is absent  # near miss: names no Cloud Run
    assert len(split) == 1  # the answer was cut into sentences once for both rules
