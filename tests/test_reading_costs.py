"""Session-4 short cuts of the witness, the answer checks and the report reader (issue #17): each skips
work that cannot change the result. Every test shows both that the work is skipped and that the result is
the one the full work gives (a positive case, a negative one and a near miss)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

from verifier import answers as answers_module
from verifier import templates
from verifier import witness as witness_module
from verifier.evidence import Evidence, Location, Status
from verifier.registry import all_rules
from verifier.repo import Repo
from verifier.report import parse_report, scan_report
from verifier.rule import Rule
from verifier.templates import git_blob_id
from verifier.witness import PRACTICES, Witness

from conftest import SEEDS, SEEDS_MISSING, recorded_calls, write_tree

SEED_REPORTS = sorted(SEEDS.glob("*.md"))
needs_seeds = pytest.mark.skipif(not SEED_REPORTS, reason=SEEDS_MISSING)
RULES = {rule.id: rule for rule in all_rules()}
SHOWN = Location("data.dvc", 1, "outs: data")


def judged_sentences(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The sentences the witness judges (`witness.judge` called), in order, from now on."""
    return recorded_calls(monkeypatch, witness_module, "judge")


def dvc_report(answer: str) -> Witness:
    return Witness(scan_report(f"### Question 10\n\n> **Did you use DVC?**\n>\n> Answer:\n\n{answer}\n"))


def fully_heard(witness: Witness, rule: type[Rule], evidence: Evidence) -> witness_module.Testimony:
    """`testify` as it read before the short cut: every sentence of the practice's answers judged."""
    original = witness_module._until_described
    try:
        witness_module._until_described = list  # type: ignore[assignment]
        return witness.testify(rule, evidence)
    finally:
        witness_module._until_described = original


@pytest.mark.parametrize("status", [Status.FOUND, Status.ABSENT])
def test_the_witness_stops_judging_at_the_first_description(
    status: Status, monkeypatch: pytest.MonkeyPatch
) -> None:
    witness = dvc_report("We used DVC for the data. We did not use DVC for the models. DVC pulls are slow.")
    evidence = (
        Evidence.found("pointer files", (SHOWN,)) if status is Status.FOUND else Evidence.absent("nothing")
    )
    expected = fully_heard(witness, RULES["m08.dvc"], evidence)
    judged = judged_sentences(monkeypatch)
    testimony = witness.testify(RULES["m08.dvc"], evidence)
    assert testimony == expected and testimony.denial is None
    assert judged == ["We used DVC for the data."]


@pytest.mark.parametrize(
    ("answer", "judged_first"),
    [
        (
            "We used DVC for the data. DVC pulls are slow on the cluster.",
            None,
        ),  # no denial literal: none judged
        ("We used DVC for the data. We did not use DVC for the models.", "We used DVC for the data."),
        ("DVC was never set up. Our data is small.", "DVC was never set up."),  # near miss: a denial stands
    ],
)
def test_found_evidence_is_heard_only_when_a_sentence_about_it_may_deny_it(
    answer: str, judged_first: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    witness = dvc_report(answer)
    found = Evidence.found("pointer files", (SHOWN,))
    expected = fully_heard(witness, RULES["m08.dvc"], found)
    judged = judged_sentences(monkeypatch)
    testimony = Witness(witness.report).testify(RULES["m08.dvc"], found)
    assert testimony == expected
    assert judged[:1] == ([judged_first] if judged_first else [])
    assert ("says otherwise" in testimony.evidence.message) is (answer.startswith("DVC was never"))


def test_a_broader_denial_of_found_evidence_is_still_heard(monkeypatch: pytest.MonkeyPatch) -> None:
    """ "We did not implement monitoring" denies the alerts (the broader practice) without naming them."""
    witness = Witness(
        scan_report(
            "### Question 26\n\n> **Did you manage to implement monitoring?**\n>\n> Answer:\n\n"
            "We did not implement monitoring of the deployed model.\n"
        )
    )
    found = Evidence.found("an alert policy", (SHOWN,))
    expected = fully_heard(witness, RULES["m28.alerts"], found)
    judged = judged_sentences(monkeypatch)
    testimony = Witness(witness.report).testify(RULES["m28.alerts"], found)
    assert testimony == expected and "says otherwise" in testimony.evidence.message
    assert judged == ["We did not implement monitoring of the deployed model."]


def test_a_denial_before_the_description_is_heard_and_outweighed(monkeypatch: pytest.MonkeyPatch) -> None:
    # near miss: the description comes second, so both sentences are judged, and the description is quoted
    witness = Witness(
        scan_report(
            "### Question 16\n\n> **How did you perform debugging?**\n>\n> Answer:\n\n"
            "We did not profile at first. Later we profiled the data loader with cProfile.\n"
        )
    )
    absent = Evidence.absent("nothing")
    expected = fully_heard(witness, RULES["m13.profiling"], absent)
    judged = judged_sentences(monkeypatch)
    testimony = witness.testify(RULES["m13.profiling"], absent)
    assert testimony == expected and testimony.denial is None
    assert testimony.evidence.status is Status.UNVERIFIABLE
    assert "Later we profiled the data loader" in testimony.evidence.message
    assert judged == ["We did not profile at first.", "Later we profiled the data loader with cProfile."]


def test_without_a_description_every_sentence_is_judged_and_the_first_denial_quoted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    witness = dvc_report("We did not use DVC. DVC was never set up. Our data is small.")
    absent = Evidence.absent("nothing")
    judged = judged_sentences(monkeypatch)
    testimony = witness.testify(RULES["m08.dvc"], absent)
    assert testimony.denial is not None and testimony.denial.sentence == "We did not use DVC."
    assert judged == ["We did not use DVC.", "DVC was never set up."]  # the third names no DVC


@needs_seeds
@pytest.mark.parametrize("seed", SEED_REPORTS, ids=lambda p: p.stem)
def test_every_testimony_on_real_reports_is_that_of_the_full_hearing(seed: Path) -> None:
    report = parse_report(seed.read_bytes())
    compared = stopped = 0
    for rule_id, practice in PRACTICES.items():
        if practice.words is None:
            continue
        rule = RULES[rule_id]
        for evidence in (
            Evidence.found("shown", (SHOWN,)),
            Evidence.weak("a trace", (SHOWN,)),
            Evidence.absent("nothing"),
            Evidence.unverifiable("cannot tell"),
        ):
            full = fully_heard(Witness(report), rule, evidence)
            assert Witness(report).testify(rule, evidence) == full, (rule_id, evidence.status)
            compared += 1
        heard = Witness(report)._hear(practice, Witness(report).answers_for(practice.topics))
        stopped += len(witness_module._until_described(heard)) < len(heard)
    assert compared > 100 and stopped > 0  # the short cut was taken on real answers


# ---------------------------------------------------------------------- the course's example figures


def recorded_template_matches(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths `Repo.template_match` is asked about, from now on."""
    return recorded_calls(monkeypatch, Repo, "template_match", argument=1)


def test_an_embedded_image_of_no_template_blob_s_size_is_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The figure checks of the answers and the witness ask `Repo.template_match`, which reads and hashes
    no image of a size that no template blob has (tests/test_repo.py); the course's figure is still found."""
    figure = b"\x89PNG\r\n\x1a\n" + b"course figure" * 100
    root = write_tree(
        tmp_path,
        {
            "reports/figures/overview.png": figure,
            "reports/figures/own.png": figure + b"!",
            "reports/figures/chart": "digraph {}\n",
        },
    )
    blob = {
        "id": git_blob_id(figure)[:8],
        "file": "reports/figures/overview.png",
        "template": "T",
        "size": len(figure),
    }
    monkeypatch.setattr(templates, "_table", lambda: {"blobs": [blob], "stubs": []})
    repo = Repo(root)
    asked = recorded_template_matches(monkeypatch)
    witness = Witness(scan_report("### Question 1\n\nAnswer: yes\n"), repo, "reports/README.md")
    assert witness._is_screenshot("figures/own.png")
    assert "reports/figures/own.png" not in repo.reader._text  # neither read nor hashed
    assert not witness._is_screenshot("figures/overview.png")  # the course's own figure
    assert asked == ["reports/figures/own.png", "reports/figures/overview.png"]
    # near miss: a file that may be text is read, as it can match a template stub whatever its size
    assert witness._is_screenshot("figures/chart")
    assert "reports/figures/chart" in repo.reader._text


# ---------------------------------------------------------------------- first-character look-aheads

# The patterns as they were written before a look-ahead named their alternatives' first characters.
PATTERNS_BEFORE = {
    (answers_module, "NEGATION"): re.compile(
        r"(\b(not|no|never|without|neither|nor|instead of|rather than)\b|n't\b)[^.]{0,60}$", re.IGNORECASE
    ),
    (answers_module, "DISMISSED"): re.compile(
        r"\b(considered\s+(using|adding|it\s+but|\w+\s+but)|decided\s+against|went\s+back\s+to|abandon\w*|"
        r"out\s+of\s+(our\s+)?scope|outside\s+(of\s+)?our\s+scope|never\s+got\s+around|ran\s+out\s+of\s+time|"
        r"on\s+our\s+(wish\s?)?list)\b",
        re.IGNORECASE,
    ),
    (answers_module, "ALTERNATIVE_BEFORE"): re.compile(
        r"(\b(chose|chosen|prefer\w*|picked|selected|went\s+with)\b[^.]{0,40}\bover|\bcompared\s+(to|with)|"
        r"\balternatives?\s+(like|such\s+as|to)|\binstead\s+of|\brather\s+than|\bvs\.?|\bversus|"
        r"\b(skipped|dropped|removed))\s+(\w+\s+){0,2}$",
        re.IGNORECASE,
    ),
    (answers_module, "CLAUSE_BREAK"): re.compile(
        r",\s*(?:but|while|whereas)\b|;|\bbut\b|\bwhereas\b|\bwhile\b", re.IGNORECASE
    ),
    (answers_module, "HYPOTHETICAL"): re.compile(
        r"\b(could|would|might|should|plan(ned)? to|in the future|if we had|were to|next step)\b", re.I
    ),
    (witness_module, "CLAUSE_BREAK"): re.compile(
        r",?\s{1,5}\b(?:but|however|whereas|while|although|though|except|instead(?!\s{1,5}of))\b|;|:\s|\s[-–—]\s|\(|\)"
        r"|,\s{1,5}and\b|\s{1,5}and\s{1,5}(?=(?:we|our|it|they|the|this|i|then)\b)|,\s{1,5}(?=(?:we|our|they|it|i|only)\b)"
        r"|,?\s{1,5}so(?:\s{1,5}that)?\s{1,5}(?=(?:we|they|it|i)\b)",
        re.IGNORECASE,
    ),
}
LOOK_AHEAD_TEXTS = [
    "We did not use DVC, never ran it, had no remote, and did it without a bucket.",
    "Neither nor; instead of that, rather than this, we couldn't.",
    "nothing notable, knot, snow, Noah, foreign, winstead",  # near misses inside words
    "We considered using Docker but decided against it, went back to conda and abandoned Hydra.",
    "It was out of our scope, outside of our scope; we never got around to it and ran out of time.",
    "It is on our wish list, on our list.",
    "We chose FastAPI over BentoML, compared to Streamlit, alternatives like Gradio, vs. Flask",
    "versus Flask, we skipped caching, dropped DVC, removed the",
    "picked X over Y, preferred A over B ",
    "We could, would, might and should; we plan to, planned to, in the future, if we had, were to, next step.",
    "couldn, wouldn't, shoulder, iffy, planet, nextstep, inthe future",  # near misses
    "It works, but slowly; while we waited, whereas they: the API - (Cloud Run) - works",
    "We built it, and we ran it , so that we saw it,  so it ran, although it failed, instead of Docker.",
    "The data\u2003but the model\u00a0while it ran, \u2014 done",  # white space outside ASCII
    "\u0130f we \u017fhould, \u212aNOT, \u017fkipped, \u0131nstead, NOT, Never, WHILE, BUT",  # case folds
    "",
]


@pytest.mark.parametrize("key", list(PATTERNS_BEFORE), ids=lambda key: f"{key[0].__name__}.{key[1]}")
def test_a_pattern_with_a_first_character_look_ahead_finds_what_it_found_before(key: tuple[Any, str]) -> None:
    module, name = key
    new, before = getattr(module, name), PATTERNS_BEFORE[key]
    assert new.pattern != before.pattern and new.flags == before.flags
    # every text, its parts after a few characters and its parts up to each space (the 60 characters
    # before a mention, which NEGATION and ALTERNATIVE_BEFORE read up to their end)
    texts = [*LOOK_AHEAD_TEXTS, *(text[start:] for text in LOOK_AHEAD_TEXTS for start in (1, 7, 30))]
    texts += [text[: end + 1] for text in LOOK_AHEAD_TEXTS for end, char in enumerate(text) if char == " "]
    for text in texts:
        assert [m.span() for m in new.finditer(text)] == [m.span() for m in before.finditer(text)], text
        found = new.search(text)
        assert (found and found.group(0)) == ((m := before.search(text)) and m.group(0)), text
    assert sum(bool(new.search(text)) for text in texts) >= 5  # the texts hold matches


@needs_seeds
def test_the_look_ahead_patterns_find_what_they_found_before_on_real_answers() -> None:
    texts = [
        text
        for seed in SEED_REPORTS
        for answer in parse_report(seed.read_bytes()).answers
        for text in (answer.text, *witness_module.sentences(answer.text))
    ]
    for (module, name), before in PATTERNS_BEFORE.items():
        new = getattr(module, name)
        for text in texts:
            assert [m.span() for m in new.finditer(text)] == [m.span() for m in before.finditer(text)]


# ---------------------------------------------------------------------- one fold of each text


def test_each_text_of_the_answers_is_folded_once_for_all_checks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_tree(tmp_path, {"src/pkg/train.py": "import hydra\n", "configs/c.yaml": "lr: 1\n"})
    report = scan_report(
        "### Question 12\n\n> Answer:\n\nWe used Hydra\u2019s config files \u2014 see the [docs](https://hydra.cc)."
        " We tried DVC, and it worked.\n\n"
        "### Question 13\n\n> Answer:\n\nSeeds are fixed for every run (caf\u00e9 style).\n"
    )
    witness_module.folded.cache_clear()
    witness_module._sentences.cache_clear()
    answers_module._prose.cache_clear()
    folded_texts: list[str] = []
    original = witness_module.fold

    def recording(text: str) -> str:
        folded_texts.append(text)
        return original(text)

    monkeypatch.setattr(witness_module, "fold", recording)
    repo = Repo(root)
    witness = Witness(report, repo)
    for practice in (PRACTICES["m11.hydra"], PRACTICES["m08.dvc"]):
        witness.statements(practice, witness.answers_for(practice.topics))
    findings = answers_module.check_answers(repo, report)
    assert any(f.check == "tool-m11.hydra" for f in findings)
    whole = [text for text in folded_texts if "\n" in text or len(text) > 60]
    assert whole and len(whole) == len(set(whole))  # no answer text or prose folded twice
    assert any(text == report.answers[0].text.replace("\u2019", "'") for text in whole)


@pytest.mark.parametrize(
    "answer, filler",
    [
        ("fewafewubaofew fewafewubaofew", True),
        ("Text FEWAFEWUBAOFEW left from the template.", True),  # near miss in letter case: still found
        ("We answered this question ourselves.", False),
    ],
)
def test_the_filler_is_searched_for_only_in_an_answer_holding_its_letters(
    answer: str, filler: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = scan_report(f"### Question 7\n\n> Answer:\n\n{answer}\n")
    scanned: list[str] = []
    original = answers_module.FILLER

    class Recording:
        def search(self, text: str) -> Any:
            scanned.append(text)
            return original.search(text)

    monkeypatch.setattr(answers_module, "FILLER", Recording())
    [finding] = answers_module.completeness(report, modern=True)
    assert ("filler" in finding.message) is filler
    assert scanned == ([answer] if filler else [])


# ---------------------------------------------------------------------- sentences that cannot deny


DENIALS = [
    "We did not use DVC.",
    "DVC was never set up.",
    "We had no remote for DVC.",
    "We went without DVC, neither DVC nor Git LFS.",
    "We skipped DVC, skips DVC, skip DVC.",
    "Instead of DVC, rather than DVC, we were unable to, we failed to use DVC.",
    "We didn't use DVC; DVC wasn't used; we couldn't.",
    "DVC was not used. DVC has been never done.",
    "We \u017fkipped DVC. NOT DVC. NEVER. We \u017fKIP it. Unab\u013ce? No.",  # letters folded to ASCII ones
]


@pytest.mark.parametrize("text", DENIALS)
def test_every_denial_holds_one_of_the_denial_literals(text: str) -> None:
    from verifier.textsearch import fold

    cues = [*witness_module.NEGATION.finditer(text), *witness_module.DENIED_AFTER.finditer(text)]
    assert cues
    assert witness_module.may_match(fold(text), witness_module.DENIAL_LITERALS)
    for cue in cues:  # each cue by itself holds one
        assert witness_module.may_match(fold(cue.group(0)), witness_module.DENIAL_LITERALS), cue.group(0)


@needs_seeds
def test_no_sentence_of_a_real_report_denies_without_a_denial_literal() -> None:
    checked = 0
    for seed in SEED_REPORTS:
        for answer in parse_report(seed.read_bytes()).answers:
            for sentence, folded_sentence in witness_module.folded_sentences(answer.text):
                if witness_module.may_match(folded_sentence, witness_module.DENIAL_LITERALS):
                    continue
                checked += 1
                assert not witness_module.NEGATION.search(sentence)
                assert not witness_module.DENIED_AFTER.search(sentence)
    assert checked > 100


def test_a_tool_s_sentence_without_a_denial_literal_is_not_judged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_tree(tmp_path, {"src/pkg/train.py": "import hydra\n", "configs/c.yaml": "lr: 1\n"})
    report = scan_report(
        "### Question 12\n\n> Answer:\n\nWe used Hydra for every experiment. Hydra made it easy, no more argparse.\n\n"
        "### Question 13\n\n> Answer:\n\nHydra composed the configs. We did not use Hydra at first.\n"
    )
    judged = recorded_calls(monkeypatch, answers_module, "judge")
    findings = answers_module.tool_claims(Repo(root), report, None)
    # the second sentence is judged (it holds "no") and denies nothing: the claim stands
    assert [f.check for f in findings] == ["tool-m11.hydra"] and findings[0].claim.startswith("We used Hydra")
    assert judged == ["Hydra made it easy, no more argparse."]
    # near miss: a denial of the tool in the same answer is judged, and takes the claim back
    denied = scan_report(
        "### Question 12\n\n> Answer:\n\nWe used Hydra at first. Hydra was not used in the end.\n"
    )
    assert answers_module.tool_claims(Repo(root), denied, None) == []
    assert judged[-1] == "Hydra was not used in the end."


# ---------------------------------------------------------------------- the report's placeholders


@pytest.mark.parametrize(
    "line, placeholder",
    [
        ("--- question 7 fill here ---", True),
        ("-- Question 7 FILL HERE -- We wrote 12 tests.", True),
        ("We wrote twelve well-tested, pre-commit-checked tests - all green.", False),  # hyphens, no "--"
        ("-- question seven fill here --", False),  # near miss: "--" without the number is read as text
    ],
)
def test_only_a_line_holding_a_double_dash_is_searched_for_the_placeholder(
    line: str, placeholder: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    from verifier import report as report_module

    scanned: list[str] = []
    original = report_module.PLACEHOLDER

    class Recording:
        def search(self, text: str) -> Any:
            scanned.append(text)
            return original.search(text)

        def sub(self, replacement: str, text: str) -> str:
            return original.sub(replacement, text)

    monkeypatch.setattr(report_module, "PLACEHOLDER", Recording())
    [answer] = scan_report(f"### Question 7\n\n> Answer:\n\n{line}\n").answers
    assert answer.placeholder is placeholder
    assert scanned == ([line] if "--" in line else [])


def test_a_file_read_whole_gives_its_size_without_a_stat(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The size of a file read whole is the bytes read; one not read (or cut at the read cap: the near miss)
    is asked of the disk, once. Every answer is the size on disk."""
    text = "é = 1\n" * 10  # two bytes for é: the size counts bytes, not characters
    root = write_tree(tmp_path / "group", {"a.py": text, "b.py": "b = 2\n", "big.txt": "x" * 5_000})
    repo = Repo(root, max_file_bytes=1_000)
    asked = recorded_calls(monkeypatch, type(repo.reader), "_size_on_disk", 1)
    repo.read("a.py")
    repo.read("big.txt")  # cut at the cap: its size is not what was read
    sizes = {path: repo.size(path) for path in ("a.py", "b.py", "big.txt", "a.py", "b.py", "big.txt")}
    assert sizes == {path: (root / path).stat().st_size for path in ("a.py", "b.py", "big.txt")}
    assert sizes["a.py"] == len(text.encode()) and sizes["big.txt"] == 5_000
    assert asked == ["b.py", "big.txt"]


@pytest.mark.skipif(not hasattr(os, "symlink") or os.name == "nt", reason="needs symbolic links")
def test_the_size_of_a_link_is_that_of_its_target_inside_the_repository(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A size is told from one `lstat` of a file that is no link; a link is resolved: the size of its target
    inside the repository, 0 (with a warning) for one that leaves it or sits in a folder that does, 0 for a
    missing file."""
    outside = write_tree(tmp_path / "outside", {"secret.txt": "s" * 70})
    root = write_tree(tmp_path / "group", {"data/target.txt": "t" * 30, "plain.txt": "p" * 12})
    os.symlink("data/target.txt", root / "inner.txt")
    os.symlink(outside / "secret.txt", root / "leaving.txt")
    os.symlink(outside, root / "away")
    repo = Repo(root)
    resolved = recorded_calls(monkeypatch, type(repo.reader), "_safe_path", 1)
    sizes = {
        path: repo.size(path) for path in ("plain.txt", "inner.txt", "leaving.txt", "away/secret.txt", "none")
    }
    assert sizes == {"plain.txt": 12, "inner.txt": 30, "leaving.txt": 0, "away/secret.txt": 0, "none": 0}
    assert resolved == ["inner.txt", "leaving.txt"]  # only links are resolved
    assert any("leaving.txt" in warning and "outside the repository" in warning for warning in repo.warnings)
    assert any(
        "away/secret.txt" in warning and "outside the repository" in warning for warning in repo.warnings
    )
