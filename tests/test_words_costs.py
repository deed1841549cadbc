"""The short cuts of the report, answers and witness stages (issue #17): each skips work that cannot change
the result, so every test below shows both that the work is skipped and that the result is what the full
work gives (positive cases, negative ones and near misses)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pathspec
import pytest

from verifier import answers as answers_module
from verifier import registry
from verifier import witness as witness_module
from verifier.answers import IgnoreFile, _failed, check_answers, gitignored
from verifier.filelist import GITIGNORE
from verifier.registry import builtin_rules, match_item
from verifier.repo import Repo
from verifier.report import BOX_HINT, ChecklistItem, _may_hold_box, parse_report
from verifier.witness import HYPOTHETICAL, clauses, judge

from conftest import recorded_calls, write_tree

# A .gitignore with the shapes git knows: negation, bracket expressions, escapes, anchors, folders, `**`,
# trailing spaces, a comment, an unclosed bracket, letter case and a name outside ASCII.
GITIGNORE_TEXT = (
    "\n".join(
        [
            "# Byte-compiled / optimized",
            "__pycache__/",
            "*.py[cod]",
            "*$py.class",
            "/build",
            "dist/",
            "data/**",
            "!data/README.md",
            "models/*.pt",
            "**/logs",
            "outputs/",
            ".env",
            "\\#notes.txt",
            "\\!important",
            "trailing.txt   ",
            "[abc",
            "Secret.TXT",
            "*.ckpt",
            "docs/_build/",
            "reports/figures/*.png",
            "!reports/figures/keep.png",
            "résumé.md",
        ]
    )
    + "\n"
)
PATHS = [
    "__pycache__",
    "src/pkg/__pycache__/x.pyc",
    "src/a.pyc",
    "src/a.py",
    "src/a.pyd",
    "build",
    "build/lib/x.py",
    "src/build",
    "dist/",
    "dist/pkg.whl",
    "data/raw/train.csv",
    "data/README.md",
    "data",
    "models/best.pt",
    "models/best.pth",
    "logs",
    "a/b/logs/run.txt",
    "outputs/2024/run1/",
    ".env",
    ".envrc",
    "#notes.txt",
    "notes.txt",
    "!important",
    "important",
    "trailing.txt",
    "[abc",
    "a",
    "Secret.TXT",
    "secret.txt",
    "m.ckpt",
    "docs/_build/html/index.html",
    "reports/figures/loss.png",
    "reports/figures/keep.png",
    "reports/README.md",
    "résumé.md",
    "resume.md",
]


@pytest.mark.parametrize("path", PATHS)
def test_an_ignore_file_decides_as_pathspec_over_all_its_lines(path: str) -> None:
    whole = pathspec.PathSpec.from_lines(GITIGNORE, GITIGNORE_TEXT.splitlines())
    for candidate in (path, path.rstrip("/") + "/"):
        assert IgnoreFile.of(GITIGNORE_TEXT).check(candidate) == whole.check_file(candidate).include, (
            candidate
        )


def test_an_ignore_file_compiles_only_the_lines_a_path_holds_the_literals_of(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    compiled: list[list[str]] = []
    original = pathspec.PathSpec.from_lines

    def recording(style: str, lines: Any) -> pathspec.PathSpec:
        compiled.append(list(lines))
        return original(style, lines)

    monkeypatch.setattr(pathspec.PathSpec, "from_lines", recording)
    rules = IgnoreFile.of(GITIGNORE_TEXT)
    assert rules.check("models/best.pt") is True
    assert compiled == [["models/*.pt", "[abc"]]  # not the 19 others; "[abc" promises no literal
    compiled.clear()
    rules = IgnoreFile.of(GITIGNORE_TEXT.replace("[abc\n", ""))
    assert rules.check("models/best.pt") is True
    assert compiled == [["models/*.pt"]]
    compiled.clear()
    assert rules.check("configs/train.yaml") is None
    assert compiled == []  # no line's literals are in the path: nothing compiled
    assert rules.check("reports/figures/keep.png") is False  # near miss: re-included by the last line
    assert compiled == [["reports/figures/*.png", "!reports/figures/keep.png"]]


def test_gitignored_reads_nested_files_through_the_literal_check(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            ".gitignore": GITIGNORE_TEXT,
            "src/pkg/.gitignore": "cache/\n!cache/keep.txt\n*.tmp\n",
            "src/pkg/model.py": "x = 1\n",
        },
    )
    repo = Repo(root)
    assert gitignored(repo, "models/best.pt")
    assert gitignored(repo, "src/pkg/cache/")
    assert gitignored(repo, "src/pkg/run.tmp")
    assert not gitignored(repo, "src/pkg/cache/keep.txt")
    assert not gitignored(repo, "run.tmp")  # the nested file speaks for its own folder only
    assert not gitignored(repo, "src/pkg/model.py")


@pytest.mark.parametrize(
    "text, failed",
    [
        ("We tried DVC (twice) but it never synced.", True),
        ("We tried DVC and in the end it worked.", False),
        ("We set up DVC for the data.", False),
        ("DVC was difficult to get working, so we dropped it.", True),
        ("Attempted: DVC with a GCS remote.", False),  # near miss: "attempted" in another part
    ],
)
def test_a_failed_mention_is_read_as_before(text: str, failed: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    match = re.search(r"\bdvc\b", text, re.IGNORECASE)
    assert match is not None
    assert _failed(text, match) is failed


def test_the_part_before_a_mention_is_found_only_when_tried_is_in_the_answer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    scanned: list[str] = []

    class CountingBreaks:
        def __init__(self, pattern: re.Pattern[str]) -> None:
            self.pattern = pattern

        def search(self, *args: Any) -> Any:
            return self.pattern.search(*args)

        def finditer(self, text: str, *args: Any) -> Any:
            scanned.append(text)
            return self.pattern.finditer(text, *args)

    monkeypatch.setattr(answers_module, "PART_BREAK", CountingBreaks(answers_module.PART_BREAK))
    plain = "We used DVC with a GCS bucket for the raw data; everyone pulls it."
    match = re.search("DVC", plain)
    assert match is not None and not _failed(plain, match)
    assert scanned == []
    tried = "We tried DVC with a GCS bucket; it failed twice."
    match = re.search("DVC", tried)
    assert match is not None and _failed(tried, match)
    assert scanned == [tried]


def hydra_project(tmp_path: Path) -> Path:
    """A repository whose training script loads its configuration with Hydra."""
    train = "import hydra\n\n\n@hydra.main(config_path='c', config_name='c')\ndef main(cfg):\n    pass\n"
    return write_tree(tmp_path, {"src/pkg/train.py": train, "configs/c.yaml": "lr: 1\n"})


def test_a_tool_denial_is_judged_only_in_sentences_naming_the_tool(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = hydra_project(tmp_path)
    report = parse_report(
        "## Overall project checklist\n\n* [x] Create a git repository (M5)\n\n"
        "### Question 12\n\n> **How did you configure experiments?**\n>\n> Answer:\n\n"
        "We used Hydra config files for every experiment, not argparse. The learning rate was never changed. "
        "Each run wrote its outputs to a folder.\n"
    )
    judged = recorded_calls(monkeypatch, answers_module, "judge")
    findings = check_answers(Repo(root), report)
    hydra = [f for f in findings if f.check == "tool-m11.hydra"]
    assert len(hydra) == 1 and hydra[0].verdict == "consistent"
    assert judged == ["We used Hydra config files for every experiment, not argparse."]


@pytest.mark.parametrize(
    "line",
    [
        "- [x] Create a git repository (M5)",
        "* [ ] Use DVC",
        "[x] bare box",
        "1. \u2705 Create a git repository (M5)",
        "- \u274c Deploy",
        "plain prose line",
        "a ] closing bracket only",  # near miss: "]" is no hint
        "caf\u00e9 without a box",  # not ASCII, no hint
        "caf\u00e9 [x] with a box",
    ],
)
def test_a_box_hint_is_found_as_the_pattern_finds_it(line: str) -> None:
    assert _may_hold_box(line) == bool(BOX_HINT.search(line))


def test_an_ascii_line_is_not_searched_with_the_box_pattern(monkeypatch: pytest.MonkeyPatch) -> None:
    searched: list[str] = []

    class Recording:
        def search(self, line: str) -> Any:
            searched.append(line)
            return BOX_HINT.search(line)

    monkeypatch.setattr("verifier.report.BOX_HINT", Recording())
    assert _may_hold_box("- [x] Use DVC") and not _may_hold_box("prose")
    assert searched == []
    assert _may_hold_box("1. \u2705 Use DVC")
    assert searched == ["1. \u2705 Use DVC"]


def test_rule_texts_are_prepared_when_the_rules_are_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Matching an item no rule text equals needs each text's characters and their positions: prepared with
    the rules (before a worker is forked per repository), not in every verification."""
    rules = list(builtin_rules())
    registry.forget_matches()

    def refused(text: str) -> dict[str, int]:
        raise AssertionError(f"prepared again: {text}")

    monkeypatch.setattr(registry, "_positions", refused)
    item = ChecklistItem(1, "Week 1", "Create a git repo for the code (M5)", "x", True, ("M5",))
    assert match_item(item, rules).rule.id == "m05.git-repository"  # type: ignore[union-attr]
    unrelated = ChecklistItem(2, "Week 1", "Bake a cake for the group", "x", True)
    assert match_item(unrelated, rules).rule is None


# NEGATION and HYPOTHETICAL as they were written before their look-aheads (the references).
NEGATION_BEFORE = re.compile(
    r"\b(?:not(?!\s+only\b)|never|no|without|neither|nor|skip(?:ped|s)?|instead\s+of|rather\s+than|unable\s+to|"
    r"failed\s+to)\b|n't\b",
    re.IGNORECASE,
)
HYPOTHETICAL_BEFORE = re.compile(
    r"\b(?:would|could(?!\s+not\b)|might|should|plan(?:ned|ning)?\s+to|in\s+the\s+future|were\s+to|next\s+steps?|"
    r"hop(?:e|ed)\s+to|wish(?:ed)?|ideally|intend(?:ed)?\s+to|want(?:ed)?\s+to|consider(?:ed|ing)?|"
    r"if\s+(?:we|you|one|it|there))\b",
    re.IGNORECASE,
)


def _negated_before(clause: str, words: re.Pattern[str]) -> bool:
    """`witness.negated` with NEGATION as it was (the reference)."""
    for mention in words.finditer(clause):
        before = clause[max(0, mention.start() - 60) : mention.start()]
        after = clause[mention.end() : mention.end() + 90]
        cues = list(NEGATION_BEFORE.finditer(before))
        if cues and witness_module._governs(before[cues[-1].end() :], after):
            return True
        if witness_module.DENIED_AFTER.search(after):
            return True
    return False


def _judge_eagerly(sentence: str, words: re.Pattern[str]) -> str | None:
    """`judge` as it read every clause's mood before this short cut (the reference)."""
    verdicts = set()
    hypothetical = False
    for clause, joined in clauses(sentence):
        hypothetical = bool(HYPOTHETICAL_BEFORE.search(clause)) or (joined and hypothetical)
        if not words.search(clause) or hypothetical or witness_module._only_a_name(clause, words):
            continue
        if _negated_before(clause, words):
            verdicts.add("denies")
        elif not any(
            NEGATION_BEFORE.search(clause[max(0, m.start() - 60) : m.start()]) for m in words.finditer(clause)
        ):
            verdicts.add("describes")
    if "describes" in verdicts:
        return "describes"
    return "denies" if verdicts else None


ALERTS = re.compile(r"\balert\w*", re.IGNORECASE)
SENTENCES = [
    "We did not set up alerts, but we were not able to see the alerts either.",
    "Alerts were not configured.",
    "We are not able to detect alerts or drift.",
    "We never used alerts; instead of alerts we watched the logs.",
    "We set up alerts without a dashboard.",
    "We would set up monitoring, and we are alerted when it fails.",
    "We would set up monitoring and alerts were configured by hand.",
    "We set up alerts in GCP.",
    "We did not set up any alerts.",
    "If we had more time we would add alerts, but we configured alerts for the API anyway.",
    "We planned to add drift detection; alerts go to Slack.",
    "Alerts.",
    "We could not configure alerts, and we would add them later.",
]


def recorded_moods(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The clauses the witness reads the mood of (HYPOTHETICAL searched), in order, from now on."""
    read: list[str] = []

    class Recording:
        def search(self, clause: str) -> Any:
            read.append(clause)
            return HYPOTHETICAL.search(clause)

    monkeypatch.setattr(witness_module, "HYPOTHETICAL", Recording())
    return read


@pytest.mark.parametrize("sentence", SENTENCES)
def test_a_clause_s_mood_is_read_only_when_it_names_the_practice(
    sentence: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = _judge_eagerly(sentence, ALERTS)
    read = recorded_moods(monkeypatch)
    assert judge(sentence, ALERTS) == expected
    parts = clauses(sentence)
    naming = [index for index, (clause, _) in enumerate(parts) if ALERTS.search(clause)]
    # each clause that names the practice, and the clauses "and" joins it to, at most once each
    assert len(read) == len(set(read)) <= len(parts)
    assert all(
        clause in read or not ALERTS.search(clause) or index not in naming
        for index, (clause, _) in enumerate(parts)
    )


def test_a_sentence_of_clauses_without_the_practice_reads_no_mood(monkeypatch: pytest.MonkeyPatch) -> None:
    read = recorded_moods(monkeypatch)
    sentence = "We would like more time, but the API works; alerts go to Slack."
    assert judge(sentence, ALERTS) == "describes"
    assert read == ["alerts go to Slack."]


class _Recording:
    """A compiled pattern that records the texts it is asked to scan."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.scanned: list[str] = []

    def search(self, text: str, *args: Any) -> Any:
        self.scanned.append(text)
        return self.pattern.search(text, *args)

    def finditer(self, text: str, *args: Any) -> Any:
        self.scanned.append(text)
        return self.pattern.finditer(text, *args)


def test_a_sentence_is_cut_into_clauses_once_for_every_practice_it_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cut: list[str] = []  # the sentences `clause_breaks` (CLAUSE_BREAK, or its lower-case copy) scans
    breaks = witness_module.clause_breaks
    monkeypatch.setattr(
        witness_module, "clause_breaks", lambda sentence: cut.append(sentence) or breaks(sentence)
    )
    witness_module._clauses.cache_clear()
    sentence = "We built a Docker image, but we deployed the FastAPI app locally."
    assert judge(sentence, re.compile(r"\bdocker\b", re.I)) == "describes"
    assert judge(sentence, re.compile(r"\bfastapi\b", re.I)) == "describes"
    assert judge(sentence, re.compile(r"\bhydra\b", re.I)) is None  # near miss: not named, not cut
    assert cut == [sentence]


@pytest.mark.parametrize(
    "sentence, written",
    [
        ("The scores are saved to `results/scores.json` after each epoch.", True),
        ("`metrics/summary.json` is generated by our evaluation script.", True),
        ("The scores are in `results/scores.json`.", False),
        ("`results/scores.json` holds the scores we report.", False),
    ],
)
def test_a_sentence_without_a_word_of_writing_builds_no_pattern(
    sentence: str, written: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = sentence.split("`")[1]
    assert answers_module._said_written(sentence, token) is written
    if not written:
        monkeypatch.setattr(answers_module, "re", None)  # any use of `re` (a pattern built) would fail
        assert answers_module._said_written(sentence, token) is False


def test_only_answers_holding_a_url_s_literals_are_scanned_for_service_urls(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from dataclasses import replace

    practice = witness_module.PRACTICES["m23.cloud-deploy"]
    patterns = witness_module.practice_patterns(practice)
    urls, quoted = _Recording(patterns.urls), _Recording(patterns.quoted)  # type: ignore[arg-type]
    recorded = replace(patterns, urls=urls, quoted=quoted)
    monkeypatch.setattr(witness_module, "practice_patterns", lambda p: recorded)
    report = parse_report(
        "### Question 1\n\n> Answer:\n\nWe are group 1.\n\n"
        "### Question 24\n\n> **Did you deploy your model?**\n>\n> Answer:\n\n"
        "We ran `gcloud run deploy api` and it serves https://api-x.a.run.app for everyone.\n\n"
        "### Question 26\n\n> Answer:\n\nSee https://example.com/docs for the monitoring.\n"
        + "".join(f"\n### Question {n}\n\n> Answer:\n\nNothing here.\n" for n in range(2, 12))
    )
    witness = witness_module.Witness(report)
    shown = witness.artifacts(practice, [a for a in report.answers if a.number == 24])
    assert [loc.snippet.split(" in ")[0] for loc in shown] == [
        "the service URL https://api-x.a.run.app",
        "`gcloud run deploy api` quoted",
    ]
    # near miss: Question 26 links a page, but not on run.app or cloudfunctions.net; the others link nothing
    assert [text.split()[0] for text in urls.scanned] == ["We"]
    assert len(quoted.scanned) == 1


# REMOVED as it was written before its look-ahead named the alternatives' first letters (the reference).
REMOVED_BEFORE = re.compile(
    r"\b(remov|delet|dropp|renam|deprecat|obsolete|discard)\w*|\bnot\s+(?:used|needed|in\s+use)\b|\bunused\b|"
    r"\bno\s+longer\b|\bgot\s+rid\s+of\b|\bleft\s+(?:it\s+)?out\b|\breplaced\b|\bdid(?:n't|\s+not)\s+(?:use|keep|need)",
    re.I,
)


@pytest.mark.parametrize(
    "text",
    [
        "We removed `evaluate.py` and DELETED the notebooks.",
        "The old script is not used; `b.py` is Not  needed, `c.py` not in use.",
        "An unused config, no longer needed, we got rid of it and left it out.",
        "It was replaced. We didn't use it, did not keep it, DID NOT NEED it.",
        "Renamed, deprecated, obsolete, discarded and dropped files.",
        "undeleted, notused, unusedness, leftover, nothing, donut",  # near misses inside words
        "We kept `src/train.py` as it is.",
        "\u017fomething r\u0130moved Ob\u017folete",  # letters that fold to ASCII ones under IGNORECASE
    ],
)
def test_the_removal_pattern_finds_what_it_found_before(text: str) -> None:
    from verifier.answers import REMOVED

    assert [m.span() for m in REMOVED.finditer(text)] == [m.span() for m in REMOVED_BEFORE.finditer(text)]


@pytest.mark.parametrize(
    "text",
    [
        "We did not use DVC, never ran it, had no remote, and did it without a bucket.",
        "Neither nor; we skipped it, skips, skip, instead of that, rather than this, unable to, failed to.",
        "Not only DVC: we couldn't and didn't, NOT NEVER No.",
        "nothing notable, knot, snow, Noah, unskipped, foreign",  # near misses inside words
        "We would, could, might and should; we planned to, plan to, in the future, were to, next steps.",
        "We hoped to, hope to, wished, ideally, intended to, wanted to, considered, if we, if there.",
        "could not, would-be, shoulder, wouldn't, iffy, planet, consideration",  # near misses
        "\u0130f we \u017fhould, \u212aNOT",  # letters that fold to ASCII ones under IGNORECASE
    ],
)
def test_negation_and_mood_patterns_find_what_they_found_before(text: str) -> None:
    for new, before in (
        (witness_module.NEGATION, NEGATION_BEFORE),
        (witness_module.HYPOTHETICAL, HYPOTHETICAL_BEFORE),
    ):
        assert [m.span() for m in new.finditer(text)] == [m.span() for m in before.finditer(text)], before


@pytest.mark.parametrize(
    "text",
    [
        "",
        "short answer",
        "word " * 100,
        "x" * 500 + " tail",  # one word longer than the first slice
        ("a" * 79 + " ") * 5,
        " \n\t lead " + "b" * 318 + "\u2003" + "c" * 10 + " end",  # a cut at a non-ASCII space
        "w" * 320 + " next",  # the slice ends right before a space
        ("ab " * 106) + "abcdefgh" * 30,
    ],
)
def test_an_answer_s_first_words_are_those_of_the_whole_split(text: str) -> None:
    from verifier.answers import _first_words

    for width in (1, 10, 80, 100):
        assert _first_words(text, width) == " ".join(text.split())[:width]


class _NoRegexBuilt:
    """Stands in for a module's `re`: any pattern built from text while it is in place fails the test."""

    IGNORECASE = re.IGNORECASE

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"re.{name} used at run time")


def test_a_checklist_is_read_with_patterns_compiled_at_import(monkeypatch: pytest.MonkeyPatch) -> None:
    text = (
        "## Overall project checklist\n\n"
        "* [x] ~~Use DVC for the data~~ (M8)\n"
        "* [x] Deploy the API (failed due to permissions) in the cloud (M23)\n"
        "* [x] Create a git repository (M5)\n"
    )
    expected = parse_report(text).checklist
    monkeypatch.setattr("verifier.report.re", _NoRegexBuilt())
    items = parse_report(text).checklist
    assert items == expected
    assert [(item.withdrawn, item.remark) for item in items] == [
        (True, "struck through"),
        (True, "failed due to permissions"),
        (False, ""),
    ]


class _HostedRule:
    id = "m32.documentation"
    elsewhere = r"\bdocs?\b|\bdocumentation\b"


@pytest.mark.parametrize(
    "answer, hosted",
    [
        ("Our docs are on https://group.github.io/project.", True),
        ("We wrote the docs with mkdocs.", False),  # no URL at all: no pattern built
        ("The docs run on http://localhost:8000 while writing.", False),  # near miss: only a local URL
    ],
)
def test_the_elsewhere_pattern_is_built_only_for_a_sentence_that_links_something(
    answer: str, hosted: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    from verifier.evidence import Evidence

    report = parse_report(
        f"### Question 28\n\n> Answer:\n\n{answer}\n"
        + "".join(f"\n### Question {n}\n\n> Answer:\n\nNothing.\n" for n in range(1, 11))
    )
    absent = Evidence.absent("No documentation was found.", ("mkdocs.yml",))
    if not hosted:
        monkeypatch.setattr(witness_module, "re", _NoRegexBuilt())
    result = witness_module.hosted_elsewhere(_HostedRule, absent, report)  # type: ignore[arg-type]
    assert (result is not absent) is hosted


def test_a_tool_named_in_no_answer_is_not_looked_for_answer_by_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from verifier.answers import TOOL_LITERALS, TOOLS, tool_claims

    root = hydra_project(tmp_path)
    report = parse_report(
        "### Question 12\n\n> Answer:\n\nWe used Hydra config files.\n\n"
        "### Question 13\n\n> Answer:\n\nSeeds are fixed.\n\n"
        "### Question 14\n\n> Answer:\n\nWe tracked nothing online.\n"
        + "".join(f"\n### Question {n}\n\n> Answer:\n\nNothing.\n" for n in range(1, 11))
    )
    asked: dict[str, int] = dict.fromkeys(TOOLS, 0)
    original = answers_module.may_match

    def recording(folded: str, clauses: Any) -> bool:
        for tool, literals in TOOL_LITERALS.items():
            if clauses == literals:
                asked[tool] += 1
        return original(folded, clauses)

    monkeypatch.setattr(answers_module, "may_match", recording)
    first_holders = recorded_calls(monkeypatch, answers_module, "_first_holding", argument=2)
    findings = tool_claims(Repo(root), report, None)
    assert [f.check for f in findings] == ["tool-m11.hydra"]
    # every tool's literals are looked for once in the whole report (`_first_holding`, with `str.find`) ...
    assert first_holders == [TOOL_LITERALS[tool] for tool in TOOLS]
    # ... and then only Hydra's answer by answer: the first answer (it names Hydra, so the search stops there)
    # and its sentence
    assert asked["Hydra"] == 2
    assert {tool: count for tool, count in asked.items() if tool != "Hydra"} == {
        tool: 0 for tool in TOOLS if tool != "Hydra"
    }


def test_clause_breaks_of_a_lower_cased_ascii_sentence_are_the_case_insensitive_pattern_s() -> None:
    """`clause_breaks` runs the case-sensitive copy of CLAUSE_BREAK on an ASCII sentence lower-cased: the same
    spans, and a break's text equal but for case, in any case the words are written; a sentence outside ASCII
    (the near miss, where lower-casing may move positions: "İ" becomes two characters) is read by CLAUSE_BREAK."""
    import random

    from verifier.witness import CLAUSE_BREAK, clause_breaks

    assert CLAUSE_BREAK.pattern == CLAUSE_BREAK.pattern.lower()  # no upper-case letter for the copy to miss
    rng = random.Random(11)
    pieces = [
        *(
            "but",
            "However",
            "WHEREAS",
            "while",
            "although",
            "Though",
            "except",
            "instead",
            "of",
            "and",
            "AND",
        ),
        *("we", "We", "our", "it", "They", "the", "this", "I", "i", "then", "only", "so", "So", "that", "x"),
        *(" ", "  ", "\t", ",", ";", ":", "-", "(", ")", ".", "ab", "bUt"),
    ]
    for _ in range(5_000):
        sentence = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 14)))
        found = [(m.span(), m.group(0).lower()) for m in clause_breaks(sentence)]
        assert found == [(m.span(), m.group(0).lower()) for m in CLAUSE_BREAK.finditer(sentence)], sentence
    wide = "\u0130f we ran it, WE saw it \u2013 and we built it"
    assert [m.group(0) for m in clause_breaks(wide)] == [m.group(0) for m in CLAUSE_BREAK.finditer(wide)]
    upper, lower = (
        clauses("We deployed it, BUT We did not monitor it"),
        clauses("We deployed it, but we did not monitor it"),
    )
    assert upper == [("We deployed it", False), ("We did not monitor it", False)]
    assert [(clause.lower(), joined) for clause, joined in upper] == [(c.lower(), j) for c, j in lower]
