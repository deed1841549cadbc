"""How the witness reads the answers cheaply without changing what it hears.

`judge` skips a sentence that does not name the practice before cutting it into clauses, and the practices'
patterns are compiled once at import. These tests show that the short cut gives the verdict of the full
reading on real reports, that the vocabulary keeps the property the short cut relies on, and that reading
the answers compiles no pattern.
"""

from __future__ import annotations

import re
import types
from pathlib import Path

import pytest

from verifier import witness as witness_module
from verifier.answers import TOOLS
from verifier.repo import Repo
from verifier.report import Answer, Report, parse_report
from verifier.witness import (
    PRACTICES,
    Practice,
    Substitution,
    Witness,
    _judge_clauses,
    _normal,
    compile_practice,
    judge,
    practice_patterns,
    sentences,
)

from conftest import SEEDS, SEEDS_MISSING

try:  # Python 3.11+
    from re import _constants as sre_constants  # type: ignore[attr-defined]
    from re import _parser as sre_parse  # type: ignore[attr-defined]
except ImportError:  # Python 3.10
    import sre_constants  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

SEED_REPORTS = sorted(SEEDS.glob("*.md"))
needs_seeds = pytest.mark.skipif(not SEED_REPORTS, reason=SEEDS_MISSING)
EDGE_ANCHORS = {
    sre_constants.AT_BEGINNING,
    sre_constants.AT_BEGINNING_STRING,
    sre_constants.AT_END,
    sre_constants.AT_END_STRING,
    sre_constants.AT_NON_BOUNDARY,
}


def sees_a_clause_edge(pattern: str) -> bool:
    """True when `pattern` holds an anchor other than a word boundary, or a look-behind: the assertions
    that can match at a clause's edge and not at the same place inside its sentence."""

    def walk(items: sre_parse.SubPattern) -> bool:
        for op, value in items:
            if op is sre_constants.AT and value in EDGE_ANCHORS:
                return True
            if op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT) and value[0] < 0:
                return True
            if any(walk(sub) for sub in nested(value)):
                return True
        return False

    def nested(value: object) -> list[sre_parse.SubPattern]:
        if isinstance(value, sre_parse.SubPattern):
            return [value]
        if isinstance(value, (list, tuple)):
            return [sub for item in value for sub in nested(item)]
        return []

    return walk(sre_parse.parse(pattern))


def judged_patterns() -> list[tuple[str, re.Pattern[str]]]:
    """Every pattern `judge` is asked with: each practice's words, widened words and broader practice, and
    the tools the answers name."""
    found = []
    for rule_id, practice in PRACTICES.items():
        compiled = practice_patterns(practice)
        for kind in ("words", "asked", "broader"):
            pattern = getattr(compiled, kind)
            if pattern is not None:
                found.append((f"{rule_id}.{kind}", pattern))
    found += [(f"tool {tool}", re.compile(pattern, re.IGNORECASE)) for tool, (pattern, _) in TOOLS.items()]
    return found


def test_the_edge_check_tells_anchors_and_look_behinds_from_character_classes() -> None:
    assert sees_a_clause_edge(r"^dvc") and sees_a_clause_edge(r"dvc$") and sees_a_clause_edge(r"(?<!no )dvc")
    assert sees_a_clause_edge(r"\Bops\b") and sees_a_clause_edge(r"(?:x|(?:\bdata\b)+$)")
    # near miss: a negated class, a word boundary and a look-ahead see only what the sentence holds as well
    assert not sees_a_clause_edge(r"\bversion\b[^.;]{0,40}\bdata\b|\btrain(?!\s+data)")


@pytest.mark.parametrize("name, pattern", judged_patterns(), ids=lambda v: v if isinstance(v, str) else "")
def test_no_judged_pattern_sees_a_clause_edge(name: str, pattern: re.Pattern[str]) -> None:
    assert not sees_a_clause_edge(pattern.pattern), f"{name} would be misread by judge's sentence pre-check"


@needs_seeds
def test_judging_only_sentences_that_name_the_practice_changes_no_verdict() -> None:
    sentences_of_seeds = [
        sentence
        for seed in SEED_REPORTS
        for answer in parse_report(seed.read_bytes()).answers
        for sentence in sentences(answer.text)
    ]
    assert len(sentences_of_seeds) > 300
    heard = 0
    for practice in PRACTICES.values():
        compiled = practice_patterns(practice)
        for words in filter(None, (compiled.words, compiled.asked, compiled.broader)):
            for sentence in sentences_of_seeds:
                says = judge(sentence, words, compiled.elsewhere)
                assert says == _judge_clauses(sentence, words, compiled.elsewhere), (sentence, words.pattern)
                heard += says is not None
    assert heard > 50  # the seeds speak about many practices: the comparison covers verdicts, not only None


def test_a_sentence_without_the_practice_s_words_is_silent_and_one_with_them_is_heard() -> None:
    dvc = practice_patterns(PRACTICES["m08.dvc"]).words
    assert dvc is not None
    assert judge("We did not use DVC for our data.", dvc) == "denies"
    assert judge("Our data is versioned with DVC in a bucket.", dvc) == "describes"
    assert judge("We used Docker for everything; no drift detection.", dvc) is None
    # near miss: the words inside another word name nothing
    assert judge("We did not use dvcx, a different tool.", dvc) is None


def test_the_vocabulary_is_compiled_once_and_a_practice_of_one_s_own_where_it_is_used() -> None:
    practice = PRACTICES["m13.profiling"]
    assert practice_patterns(practice) is practice_patterns(practice)
    own = Practice(("debugging",), r"\bflamegraph\b", asked=r"\bspeedscope\b", quoted=r"^\s*ncalls\b")
    compiled = practice_patterns(own)
    assert compiled.asked is not None and compiled.asked.search("We used SPEEDSCOPE")
    assert compiled.quoted is not None and compiled.quoted.search("output:\n   ncalls  tottime")
    assert compiled == compile_practice(own) and compiled.broader is None


def test_a_practice_without_words_states_nothing() -> None:
    silent = compile_practice(Practice(("tests",)))
    assert silent.words is None and silent.asked is None
    answer = Answer(7, 3, "How many tests did you implement?", "We did not write any tests.")
    witness = Witness(Report(answers=[answer]))
    assert witness.statements(Practice(("tests",)), [answer]) == []
    # near miss: the same answer heard for a practice with words
    assert witness.statements(Practice(("tests",), r"\btests?\b"), [answer])[0].says == "denies"


@needs_seeds
@pytest.mark.parametrize("seed", SEED_REPORTS, ids=lambda p: p.stem)
def test_hearing_the_answers_compiles_no_pattern(seed: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every pattern the witness applies to the answers was compiled at import: a forked worker starts
    with an empty `re` cache, so a pattern given as text would be compiled again in every verification."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"a pattern given as text while reading the answers: {args[:1]}")

    strict = types.SimpleNamespace(
        **{name: getattr(re, name) for name in dir(re) if not name.startswith("__")}
    )
    for name in ("compile", "search", "match", "fullmatch", "sub", "subn", "split", "findall", "finditer"):
        setattr(strict, name, refuse)
    witness = Witness(parse_report(seed.read_bytes()))
    monkeypatch.setattr(witness_module, "re", strict)
    witness_module._sentences.cache_clear()
    heard = 0
    for practice in PRACTICES.values():
        if not practice.topics:
            continue
        answers = witness.answers_for(practice.topics)
        heard += len(witness.statements(practice, answers))
        witness.artifacts(practice, answers)
    assert heard > 0


def brute_statements(
    witness: Witness, practice: Practice, answers: list[Answer]
) -> list[tuple[int, str, str]]:
    """`Witness.statements` as it read before the short cuts: every sentence judged, clause by clause."""
    compiled = practice_patterns(practice)
    if compiled.words is None or compiled.asked is None:
        return []
    asked_answer = witness.answer_to(practice.topics[0])
    found = []
    for answer in answers:
        words = compiled.asked if answer is asked_answer else compiled.words
        for sentence in sentences(answer.text):
            says = _judge_clauses(sentence, words, compiled.elsewhere)
            broader = compiled.broader
            if says is None and broader and _judge_clauses(sentence, broader, compiled.elsewhere) == "denies":
                says = "denies"
            if says is not None:
                found.append((answer.number, sentence, says))
    return found


def brute_line_of(lines: list[str], witness: Witness, answer: Answer, text: str) -> int:
    """`Witness.line_of` as it read before: every line of the answer normalised on its own."""
    later = [a.line for a in witness.report.answers if a.line > answer.line]
    end = min([*later, len(lines) + 1]) - 1
    words = _normal(text).split(" ")
    for size in (6, 3, 1):
        needle = " ".join(words[:size])
        if not needle:
            break
        for index in range(answer.line, end):
            if needle in _normal(lines[index]):
                return index + 1
    return answer.line


@needs_seeds
@pytest.mark.parametrize("seed", SEED_REPORTS, ids=lambda p: p.stem)
def test_statements_and_their_lines_are_those_of_the_full_reading(seed: Path, tmp_path: Path) -> None:
    text = seed.read_text(encoding="utf-8")
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "README.md").write_text(text, encoding="utf-8")
    witness = Witness(parse_report(seed.read_bytes()), Repo(tmp_path))
    lines = text.splitlines()
    heard = located = 0
    for practice in PRACTICES.values():
        if not practice.topics:
            continue
        answers = witness.answers_for(practice.topics)
        statements = witness.statements(practice, answers)
        assert [(s.question, s.sentence, s.says) for s in statements] == brute_statements(
            witness, practice, answers
        )
        for statement in statements:
            answer = next(a for a in answers if a.number == statement.question)
            assert statement.line == brute_line_of(lines, witness, answer, statement.sentence)
            located += statement.line != answer.line
        heard += len(statements)
    assert heard > 5 and located > 0


def test_a_substitution_runs_only_where_its_literals_are() -> None:
    calls: list[str] = []

    def joined(match: re.Match[str]) -> str:
        calls.append(match.group(0))
        return match.group(1).replace(".", "")

    join = Substitution(re.compile(r"\b(e\.g|i\.e)\.", re.IGNORECASE), joined)
    assert join("Tools, E.G. ruff, i.e. a linter") == "Tools, EG ruff, ie a linter"
    assert calls == ["E.G.", "i.e."]
    plain = "Tools such as ruff, a linter"
    assert join(plain) is plain and len(calls) == 2  # no literal: the regex did not run
    # near miss: the literal without the pattern around it runs the regex and changes nothing
    assert join("see section e.g") == "see section e.g"
