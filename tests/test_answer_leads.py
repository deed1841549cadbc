"""Session-9 short cuts of the witness and the answer checks (issue #17): each skips work that cannot change the
result. Every test shows that the work is skipped where it can be and that the result is the one the full work
gives (a positive case, a negative one and a near miss)."""

from __future__ import annotations

import random
import re
from typing import Any

import pytest

from verifier import answers as answers_module
from verifier import witness as witness_module
from verifier.answers import PROSE_SUBSTITUTIONS, REMOVED, REMOVED_STARTS, TOOL_WORDS
from verifier.evidence import Evidence, Location
from verifier.registry import all_rules
from verifier.report import scan_report
from verifier.witness import (
    PRACTICES,
    SENTENCE_SUBSTITUTIONS,
    Substitution,
    Witness,
    lead_matches,
    leading_literals,
)

from conftest import SEEDS, recorded_calls

SEED_ANSWERS = [
    answer.text for path in sorted(SEEDS.glob("*.md")) for answer in scan_report(path.read_bytes()).answers
]
RULES = {rule.id: rule for rule in all_rules()}
SHOWN = Location("data.dvc", 1, "outs: data")
# Pieces the patterns below care about, joined at random: their words in several letter cases, word edges,
# abbreviations, and characters outside ASCII.
PIECES = (
    "We removed",
    "REMOVED ",
    "unremoved",
    " no longer ",
    "nothing",
    " not used",
    "did not use",
    "didn't keep",
    " left it out",
    " got rid of ",
    " e.g. ",
    "E.G.",
    " i.e.",
    " etc. ",
    " vs. ",
    " vs",
    "envs",
    "approx.",
    " docker file",
    "Dockerfiles",
    "dockerized",
    " W&B ",
    "evidently",
    "ONNX ",
    "BentoML",
    "we considered using",
    "decided against",
    "weights and biases",
    "wandb",
    ". ",
    "\n",
    "-",
    "_",
    "`",
    "caf\u00e9 ",
    "\u212a",
)


def random_texts(count: int, seed: int = 9) -> list[str]:
    pick = random.Random(seed)
    return ["".join(pick.choice(PIECES) for _ in range(pick.randint(1, 25))) for _ in range(count)]


LED = [
    REMOVED,
    answers_module.ABBREVIATION,
    witness_module.ABBREVIATION,
    answers_module.DISMISSED,
    answers_module.NEGATION,
    *TOOL_WORDS.values(),
]


@pytest.mark.parametrize("pattern", LED, ids=lambda p: p.pattern[:30])
def test_matches_tried_at_the_leading_literals_are_those_of_a_full_scan(pattern: re.Pattern[str]) -> None:
    starts = leading_literals(pattern)
    texts = [*random_texts(1500), *SEED_ANSWERS]
    found = 0
    for text in texts:
        expected = [(m.span(), m.groups()) for m in pattern.finditer(text)]
        assert [(m.span(), m.groups()) for m in lead_matches(pattern, text, starts)] == expected, text
        found += bool(expected)
    assert found  # the texts hold matches


class RecordingPattern:
    """A pattern that records where it is tried."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern, self.tried = pattern, []

    def match(self, text: str, position: int) -> Any:
        self.tried.append(position)
        return self.pattern.match(text, position)

    def finditer(self, text: str) -> Any:
        self.tried.append("everywhere")
        return self.pattern.finditer(text)


def test_a_pattern_is_tried_only_where_a_leading_literal_is() -> None:
    text = "Nothing was dropped. We Removed `old.py` and left it out."
    recording = RecordingPattern(REMOVED)
    found = [m.group(0) for m in lead_matches(recording, text, REMOVED_STARTS)]  # type: ignore[arg-type]
    assert found == [m.group(0) for m in REMOVED.finditer(text)] == ["dropped", "Removed", "left it out"]
    lowered = text.lower()
    # "no" of "Nothing" (no match: no word follows), then each match's start
    assert recording.tried == [0, lowered.index("dropped"), lowered.index("removed"), lowered.index("left")]
    recording.tried.clear()
    assert list(lead_matches(recording, "We kept every file.", REMOVED_STARTS)) == []  # type: ignore[arg-type]
    assert recording.tried == []  # no leading literal: never tried
    # near miss: a text outside ASCII (its lower case need not keep positions) is scanned in full
    assert [m.group(0) for m in lead_matches(recording, "Caf\u00e9 removed.", REMOVED_STARTS)] == ["removed"]  # type: ignore[arg-type]
    assert recording.tried == ["everywhere"]


def test_leading_literals_are_read_past_assertions_and_into_alternatives() -> None:
    """The witness reads leading literals as the text search does (`textsearch.leading_literals`): each with
    the farthest offset from a match's start it can begin at."""
    assert leading_literals(answers_module.ABBREVIATION) == {
        ("e.g.", 0),
        ("i.e.", 0),
        ("etc.", 0),
        ("vs.", 0),
    }
    assert REMOVED_STARTS is not None
    assert {("remov", 0), ("no", 0), ("not", 0), ("did", 0), ("left", 0)} <= REMOVED_STARTS
    assert leading_literals(re.compile(r"\b(?=[ab])(?:ab\w+|bc)")) == {
        ("ab", 0),
        ("bc", 0),
    }  # past a lookahead
    assert leading_literals(re.compile(r"[ab]xy")) == {("xy", 1)}  # a class first: one character before
    assert leading_literals(re.compile(r"[ab]x")) is None  # a one-character literal filters nothing
    assert leading_literals(re.compile(r"x?docker")) is None  # an optional start


@pytest.mark.parametrize(
    "substitution", [*PROSE_SUBSTITUTIONS, *SENTENCE_SUBSTITUTIONS], ids=lambda s: s.pattern.pattern[:20]
)
def test_a_substitution_gives_what_the_regex_substitution_gives(substitution: Substitution) -> None:
    texts = [*random_texts(800), *SEED_ANSWERS, '[a](b) ![c](d.png) https://x.y ```code``` "why?"']
    for text in texts:
        assert substitution.apply(text) == substitution.pattern.sub(substitution.replacement, text), text


def test_only_case_insensitive_patterns_are_tried_at_their_leading_literals() -> None:
    led = [s.pattern.pattern for s in (*PROSE_SUBSTITUTIONS, *SENTENCE_SUBSTITUTIONS) if s.leads is not None]
    assert led == [answers_module.ABBREVIATION.pattern, witness_module.ABBREVIATION.pattern]
    # near miss: a replacement that refers to a group is left to `re`, which expands it
    grouped = Substitution(re.compile(r"\b(e\.g\.)", re.IGNORECASE), r"<\1>")
    assert grouped.leads is None and grouped.apply("see e.g. here") == "see <e.g.> here"
    assert Substitution(answers_module.ABBREVIATION, " ").leads == {
        ("e.g.", 0),
        ("i.e.", 0),
        ("etc.", 0),
        ("vs.", 0),
    }


def test_an_abbreviation_is_joined_only_where_its_letters_are() -> None:
    joined = witness_module.JOIN_ABBREVIATIONS
    recording = RecordingPattern(joined.pattern)
    led = Substitution(joined.pattern, joined.replacement)
    object.__setattr__(led, "pattern", recording)
    text = "Tools, E.g. DVC, vs. Git (approx. 3)"
    assert led.apply(text) == "Tools, Eg DVC, vs Git (approx 3)"
    assert recording.tried == [text.lower().index(word) for word in ("e.g.", "vs.", "approx.")]
    recording.tried.clear()
    assert led.apply("No abbreviation here.") == "No abbreviation here."
    assert recording.tried == []


def test_a_path_in_a_sentence_about_removing_it_is_still_dropped() -> None:
    from verifier.report import Answer

    def cited(text: str) -> list[str]:
        return answers_module._path_candidates(Answer(1, 1, "", text), frozenset({"src"}))

    assert cited("We removed `src/old.py`. We kept `src/new.py`.") == ["src/new.py"]
    assert cited("We kept `src/old.py`. And `src/new.py`.") == ["src/old.py", "src/new.py"]
    # near miss: the removal word inside another word ("unremovable") is no match (the word edge is kept)
    assert cited("An unremovable `src/old.py`.") == ["src/old.py"]


# ---------------------------------------------------------------------- the denial literals, once per answer


@pytest.mark.parametrize(
    "text, holds",
    [
        ("we did not", True),
        ("nothing", True),
        ("we skipped it", True),
        ("it failed", True),
        ("we used dvc", False),
    ],
)
def test_the_denial_literals_are_looked_for_in_order(text: str, holds: bool) -> None:
    assert set(witness_module.DENIAL_ORDER) == set(*witness_module.DENIAL_LITERALS)
    assert (
        witness_module.holds_denial(text)
        is holds
        is witness_module.may_match(text, witness_module.DENIAL_LITERALS)
    )


def monitoring_witness(answer: str) -> Witness:
    return Witness(
        scan_report(
            f"### Question 26\n\n> **Did you manage to implement monitoring?**\n>\n> Answer:\n\n{answer}\n"
        )
    )


def recorded_literal_checks(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Any]]:
    """(folded text, clauses) of every `witness.may_match` call from now on."""
    checks: list[tuple[str, Any]] = []
    original = witness_module.may_match

    def recording(folded: str, clauses: Any) -> bool:
        checks.append((folded, clauses))
        return original(folded, clauses)

    monkeypatch.setattr(witness_module, "may_match", recording)
    return checks


def test_each_answer_is_searched_for_the_denial_literals_once(monkeypatch: pytest.MonkeyPatch) -> None:
    witness = monitoring_witness("We did not set up alerts. Prometheus metrics are exposed by the API.")
    whole = witness._sentences_of(witness.report.answers[0])[0]
    looked = recorded_calls(monkeypatch, witness_module, "holds_denial")
    found = Evidence.found("shown", (SHOWN,))
    testimonies = {
        rule_id: witness.testify(RULES[rule_id], found)
        for rule_id in ("m28.metrics", "m28.alerts", "m28.cloud-monitoring", "m28.old-telemetry")
    }
    assert looked.count(whole) == 1  # then only the sentences naming a practice are
    assert set(looked) - {whole} <= {
        folded for _, folded in witness._sentences_of(witness.report.answers[0])[1]
    }
    # and each testimony is that of the full hearing: the alerts are denied, the metrics are not
    for rule_id, testimony in testimonies.items():
        assert testimony == fully_heard(monitoring_witness(witness.report.answers[0].text), rule_id, found)
    assert "says otherwise" in testimonies["m28.alerts"].evidence.message
    assert testimonies["m28.metrics"].evidence == found


def fully_heard(witness: Witness, rule_id: str, evidence: Evidence) -> witness_module.Testimony:
    """`testify` with every sentence of the practice's answers judged (no short cut taken)."""
    original = witness_module.Witness._may_deny
    try:
        witness_module.Witness._may_deny = lambda *_: True  # type: ignore[method-assign]
        return witness.testify(RULES[rule_id], evidence)
    finally:
        witness_module.Witness._may_deny = original  # type: ignore[method-assign]


def test_an_answer_without_the_practice_s_words_is_not_read_sentence_by_sentence(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    witness = monitoring_witness("We did not do it. Nothing was set up. No time was left.")
    whole, read = witness._sentences_of(witness.report.answers[0])
    found = Evidence.found("shown", (SHOWN,))
    checks = recorded_literal_checks(monkeypatch)
    assert witness.testify(RULES["m28.alerts"], found).evidence == found
    checked = {text for text, _ in checks}
    assert whole in checked and not checked & {folded for _, folded in read}  # no sentence names alerts
    # near miss: a sentence naming the practice with a denial is judged, and the denial heard
    denied = monitoring_witness("Nothing was set up. We have no alerts.")
    assert "says otherwise" in denied.testify(RULES["m28.alerts"], found).evidence.message


# ---------------------------------------------------------------------- a substitution's literals, rarest character first


class RecordingText(str):
    """A text that records what is looked for in it."""

    looked: list[str]

    def __contains__(self, part: object) -> bool:
        self.looked.append(str(part))
        return super().__contains__(part)  # type: ignore[operator]


def recording_text(text: str) -> RecordingText:
    recording = RecordingText(text)
    recording.looked = []
    return recording


@pytest.mark.parametrize(
    "substitution", [*PROSE_SUBSTITUTIONS, *SENTENCE_SUBSTITUTIONS], ids=lambda s: s.pattern.pattern[:20]
)
def test_a_substitution_may_apply_where_its_literals_may_match(substitution: Substitution) -> None:
    texts = [
        *random_texts(800),
        *SEED_ANSWERS,
        '[a](b) ![c](d.png) <img src=x> https://x.y ```code``` "why?"',
    ]
    for text in texts:
        folded = witness_module.folded(text)
        assert substitution.may_apply(folded) is witness_module.may_match(folded, substitution.needed), text


def test_a_literal_is_looked_for_only_where_its_rarest_character_is() -> None:
    link = next(s for s in PROSE_SUBSTITUTIONS if s.pattern is answers_module.LINK_TARGET)
    text = recording_text("we linked nothing (in brackets or otherwise)")
    assert not link.may_apply(text)
    assert text.looked == ["]"]  # no "]": the text holds no "](", which is not looked for
    # near miss: with the character, the literal itself is looked for
    text = recording_text("see [the docs](docs/index.md)")
    assert link.may_apply(text) and text.looked == ["]", "]("]
    web = next(s for s in PROSE_SUBSTITUTIONS if s.pattern is witness_module.WEB_ADDRESS)
    text = recording_text("we used http as a word")
    assert not web.may_apply(text) and text.looked == [":"]  # the rarer clause first: "://" before "http"


# ---------------------------------------------------------------------- a tool looked for from its first answer


@pytest.mark.parametrize(
    "texts, clauses, first",
    [
        (["we used hydra", "and dvc", "hydra again"], (frozenset({"dvc"}),), 1),
        (["we used hydra", "and dvc"], (frozenset({"docker"}),), None),  # in no text: not looked for
        # every clause: the docker file is in the third text, the first to hold both a "docker" and a "file"
        (
            ["a config file", "the docker image", "a docker file"],
            (frozenset({"docker"}), frozenset({"file"})),
            1,
        ),
        (["w&b", "wandb"], (frozenset({"wandb", "w&b"}),), 0),
        (["", "x"], (), 0),
    ],
)
def test_the_first_answer_a_tool_may_be_named_in(texts: list[str], clauses: Any, first: int | None) -> None:
    import itertools

    ends = list(itertools.accumulate(len(text) + 1 for text in texts))
    found = answers_module._first_holding("\n".join(texts), ends, clauses)
    assert found == first
    holding = [i for i, text in enumerate(texts) if witness_module.may_match(text, clauses)]
    assert found is None if not holding else found <= holding[0]  # no text before it holds the literals


def test_sentences_joined_again_are_those_the_sentence_break_cuts() -> None:
    texts = [*random_texts(1500), *SEED_ANSWERS, "End.  \n\n Next!\tOne? x. y.", "...   a", "no end"]
    for text in texts:
        expected = " ".join(witness_module.SENTENCE_BREAK.split(text))
        assert answers_module.SENTENCE_END.sub(answers_module._one_space_after, text) == expected, text


def test_practices_asking_the_same_questions_share_their_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    witness = monitoring_witness("We did not set up alerts.")
    asked = recorded_calls(monkeypatch, Witness, "_find_answers", argument=1)
    for rule_id in ("m28.alerts", "m28.cloud-monitoring", "m28.old-telemetry", "m28.alerts"):
        witness.testify(RULES[rule_id], Evidence.absent("nothing"))
    assert asked == [("monitoring",)]  # found once for the four practices that ask only it
    assert witness.answers_for(("monitoring",)) == [witness.report.answers[0]]
    assert witness.answers_for(("monitoring",)) is not witness.answers_for(
        ("monitoring",)
    )  # a list of its own


def test_the_answers_linking_a_service_are_found_once_per_url_pattern(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    report = scan_report(
        "### Question 26\n\n> **Did you manage to implement monitoring?**\n>\n> Answer:\n\n"
        "See https://console.cloud.google.com/monitoring/dashboards for our dashboard.\n\n"
        "### Question 27\n\n> **How many credits?**\n>\n> Answer:\n\nWe used 5 dollars.\n"
    )
    witness = Witness(report)
    checks = recorded_literal_checks(monkeypatch)
    urls = witness_module.practice_patterns(PRACTICES["m28.cloud-monitoring"]).urls_literals
    for rule_id in ("m28.cloud-monitoring", "m28.old-telemetry"):  # the same URL pattern
        shown = witness.artifacts(PRACTICES[rule_id], witness.answers_for(PRACTICES[rule_id].topics))
        assert len(shown) == 1 and "console.cloud.google.com/monitoring" in shown[0].snippet
    assert [clauses for _, clauses in checks].count(urls) == 2  # each of the two answers, once


# ------------------------------------------------------------------ sentences cut in the whole text at once

# Pieces of markdown whose white space and block breaks `sentences` reads: blank lines with spaces, list items,
# headings, hard wraps, tabs and other white space `str.split` splits at, sentence ends before a break.
SENTENCE_PIECES = (
    "We used DVC.",
    " It works! ",
    "Why? ",
    "\n",
    "\n\n",
    "  \n \t\n",
    "\n- item one",
    "\n  * nested. Item",
    "\n1. first",
    "\n2) second",
    "\n# Heading",
    "\n   ## Sub",
    "\t",
    "\x0b\x0c\r",
    "\x1c\x1f",
    "   ",
    "e.g. this",
    ". ",
    "> quoted",
    "```code\nblock```",
    "caf\u00e9 \u2014 done.",
    "\u2019s",
    "\u00a0",
    "\u2003",
    "![shot](a.png)",
    "[link](docs/x.md)",
    "https://x.run.app ",
)


def sentences_block_by_block(text: str) -> tuple[str, ...]:
    """What `sentences` read before session 10: each block split into its words and joined."""
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    text = "\n\n".join(text.split("```")[::2])
    text = witness_module.substitute_all(SENTENCE_SUBSTITUTIONS, text)
    found = []
    for block in witness_module.BLOCK_BREAK.split(text):
        block = " ".join(block.split())
        for sentence in block.replace(". ", ".\n").replace("! ", "!\n").replace("? ", "?\n").split("\n"):
            sentence = sentence.strip(" -*+#>")
            if sentence and not sentence.endswith("?"):
                found.append(sentence[: witness_module.MAX_SENTENCE])
    return tuple(found)


def test_sentences_cut_in_the_whole_text_are_those_cut_block_by_block() -> None:
    generator = random.Random(10)
    texts = [*SEED_ANSWERS]
    for _ in range(3000):
        texts.append("".join(generator.choice(SENTENCE_PIECES) for _ in range(generator.randint(0, 14))))
    ascii_texts = 0
    for text in texts:
        assert witness_module._sentences.__wrapped__(text) == sentences_block_by_block(text), repr(text)
        ascii_texts += text.isascii()
    assert 500 < ascii_texts < len(texts) - 500  # both ways of single-spacing are read
    # near miss: a text holding the block mark itself is cut block by block, with the same sentences
    marked = f"We used DVC.{witness_module.BLOCK_MARK} It works.\n\n- and a list"
    assert witness_module._sentences.__wrapped__(marked) == sentences_block_by_block(marked)
    assert len(sentences_block_by_block(marked)) == 2


def test_single_spacing_is_str_split_joined() -> None:
    generator = random.Random(11)
    pieces = (
        "a",
        "bc",
        " ",
        "  ",
        "\t",
        "\n",
        "\r\n",
        "\x0b",
        "\x0c",
        "\x1c",
        "\x1d",
        "\x1e",
        "\x1f",
        "\x85",
        "\u00a0",
    )
    for _ in range(3000):
        text = "".join(generator.choice(pieces) for _ in range(generator.randint(0, 12)))
        assert witness_module._single_spaced(text) == " ".join(text.split()), repr(text)
    assert witness_module._single_spaced(" a \t\n b     c ") == "a b c"
