"""The text search (verifier.textsearch): the literal check never drops a file its regex matches, results
equal a plain scan of every file, generated files are searched only when named, notebooks in their code."""

from __future__ import annotations

import json
import os
import random
import re
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from verifier import textsearch
from verifier.engine import verify
from verifier.filelist import GENERATED
from verifier.registry import all_rules
from verifier.repo import Repo
from verifier.rule import run_rule
from verifier.textsearch import (
    BUILT_ASSET,
    CHECKBOX_LINE,
    DATA_DUMP,
    LOCK_FILE,
    NOTEBOOK_OUTPUT,
    PROFILER_TRACE,
    RUN_OUTPUT,
    fold,
    leading_literals,
    literal_requirement,
    skip_reason,
)

from conftest import FIXTURES, git_init, write_tree


def holds(text: str, clauses: tuple[frozenset[str], ...]) -> bool:
    folded = fold(text)
    return all(any(literal in folded for literal in clause) for clause in clauses)


# ------------------------------------------------------------------ what a pattern requires


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"gcloud\s+run\s+deploy", [{"gcloud"}, {"run"}, {"deploy"}]),
        (
            r"\btorchrun\b|torch\.distributed\.(run|launch)",
            [{"torchrun", "torch.distributed."}, {"run", "launch"}],  # `torchrun` holds `run`
        ),
        (r"yolo\s+train|yolo\s+mode=train", [{"yolo"}, {"train"}]),  # `mode=train` holds `train`
        (
            r"Docker(\s+buildx)?\s+build",
            [{"docker"}, {"build"}],
        ),  # lower-cased; the optional part adds nothing
        (r"(?:abc){2}", [{"abc"}]),
        (r"re\.escape\(name\)", [{"re.escape(name)"}]),
    ],
)
def test_a_pattern_requires_its_literals(pattern: str, expected: list[set[str]]) -> None:
    assert sorted(map(sorted, literal_requirement(pattern, re.IGNORECASE))) == sorted(map(sorted, expected))


def test_a_literal_or_clause_implied_by_another_is_not_checked() -> None:
    simplest = textsearch._simplest
    clauses = [frozenset({"mode=train", "train"}), frozenset({"yolo"})]
    assert sorted(map(sorted, simplest(clauses))) == [["train"], ["yolo"]]
    # a clause each literal of a kept clause holds a literal of: {torchrun} implies {run, launch}
    assert simplest([frozenset({"torchrun"}), frozenset({"run", "launch"})]) == [frozenset({"torchrun"})]
    # near misses: neither literal holds the other; a clause a kept one only partly implies
    assert simplest([frozenset({"alertpolicies", "alertpolicy"})]) == [
        frozenset({"alertpolicies", "alertpolicy"})
    ]
    partly = [frozenset({"torchrun", "accelerate"}), frozenset({"run", "launch"})]
    assert sorted(map(sorted, simplest(partly))) == [["accelerate", "torchrun"], ["launch", "run"]]


@pytest.mark.parametrize("seed", range(2))
def test_simpler_clauses_keep_and_drop_the_same_texts(seed: int) -> None:
    rng = random.Random(seed)
    words = ["run", "torchrun", "un", "launch", "aun", "rung", "t"]
    for _ in range(300):
        clauses = [frozenset(rng.sample(words, rng.randint(1, 3))) for _ in range(rng.randint(1, 4))]
        simpler = textsearch._simplest(clauses)
        assert sum(map(len, simpler)) <= sum(map(len, set(clauses)))
        for _ in range(20):
            text = " ".join(rng.sample(words, rng.randint(0, 4)))
            assert holds(text, tuple(simpler)) == holds(text, tuple(clauses)), (clauses, simpler, text)


@pytest.mark.parametrize(
    "pattern",
    [
        r"\w+:",  # no literal
        r"a|bc",  # an alternative of one character requires nothing
        r"(abc)?x",  # optional
        r"(?:abc){0,3}",
        r"(?=abc)\w",  # a lookahead
        r"(?<!abc)de?",
        r"[Dd]ocker",  # a class, then "ocker" still counts
        r"caf\u00e9",  # "caf" only: no literal outside ASCII
        r"(",  # invalid: nothing, and re.compile raises for the search
    ],
)
def test_what_is_not_sure_requires_nothing(pattern: str) -> None:
    for clause in literal_requirement(pattern, re.IGNORECASE):
        for literal in clause:
            assert literal in {"ocker", "caf"}, (pattern, literal)


def test_fold_keeps_every_character_a_case_insensitive_ascii_literal_matches() -> None:
    everything = "".join(chr(code) for code in range(128, 0x110000) if not 0xD800 <= code < 0xE000)
    outside = {match.group() for match in re.finditer(r"[\x20-\x7e]", everything, re.IGNORECASE)}
    assert outside, "case-insensitive ASCII letters match some characters outside ASCII"
    for char in outside:
        letters = [chr(code) for code in range(0x20, 0x7F) if re.fullmatch(re.escape(chr(code)), char, re.I)]
        assert letters and all(fold(char) == letter.lower() for letter in letters), (char, letters)
    assert fold("Docker ſtart İnt K") == "docker start int k"


def test_a_text_is_translated_only_when_it_holds_a_character_folded_to_ascii(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`fold` gives what translating every text gives, translating only the texts that need it."""
    translated: list[str] = []

    class Text(str):
        def translate(self, table: Any) -> str:
            translated.append(str(self))
            return str.translate(self, table)

    def full(text: str) -> str:
        return str.translate(text, textsearch._ASCII_FOLDS).lower()

    for text in ("Plain ASCII", "Café ✓ déjà vu — Ω", "emoji 🚀 and Straße"):
        assert fold(Text(text)) == full(text)
    assert translated == []  # none holds one of the four characters
    for text in ("İmport torch", "ıf x", "ſtart", "\u212aubernetes", "café İ"):
        assert fold(Text(text)) == full(text) and "i" in full("İ")
    assert len(translated) == 5


ALPHABET = "abcAB .-\n\u017f\u0131"


def _random_pattern(rng: random.Random, depth: int = 0) -> str:
    def atom() -> str:
        choice = rng.random()
        if depth < 2 and choice < 0.15:
            return rng.choice(["(", "(?:", "(?i:"]) + _random_pattern(rng, depth + 1) + ")"
        if choice < 0.25:
            return rng.choice(["[ab]", ".", r"\s", r"\b", "^", "$", "(?=a)", "(?!b)", "[^c]"])
        return re.escape(rng.choice("abcAB .-"))

    def piece() -> str:
        return atom() + rng.choice(["", "", "", "?", "*", "+", "{0}", "{1,2}", "{2}", "*?"])

    branches = ["".join(piece() for _ in range(rng.randint(1, 5))) for _ in range(rng.choice([1, 1, 2, 3]))]
    return "|".join(branches)


@pytest.mark.parametrize("seed", range(4))
def test_a_file_the_regex_matches_always_holds_the_required_literals(seed: int) -> None:
    rng = random.Random(seed)
    checked = 0
    for _ in range(400):
        pattern = _random_pattern(rng)
        flags = rng.choice([0, re.IGNORECASE]) | re.MULTILINE
        try:
            compiled = re.compile(pattern, flags)
        except re.error:
            continue
        clauses = literal_requirement(pattern, flags)
        for _ in range(60):
            text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 24)))
            if compiled.search(text):
                checked += 1
                assert holds(text, clauses), (pattern, flags, text, clauses)
    assert checked > 1000, "the random texts match often enough to test something"


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"\bdocker(\s+buildx)?\s+build\b|\bbuilds\s+submit\b", {("docker", 0), ("builds", 0)}),
        (r"mlops_template|CookieCutter", {("mlops_template", 0), ("cookiecutter", 0)}),  # lower-cased
        (r"^gcloud\s+run", {("gcloud", 0)}),  # after zero-width assertions
        (r"(?:torch\.distributed\.|accelerate\s)launch", {("torch.distributed.", 0), ("accelerate", 0)}),
        (r"(--multirun|(^|\s)-m)\s", {("--multirun", 0), ("-m", 1)}),  # `-m` one character in at most
        (r"['\"]torchserve\b", {("torchserve", 1)}),
        (r"(a|)bc", {("bc", 1)}),
        (r"caf\u00e9 x", {("caf", 0)}),  # the ASCII run before a character outside ASCII
        (r"\u00e9t\u00e9s", None),
        (r"\w+docker", None),  # a match starts any number of characters before the literal
        (r"....docker", None),  # more than MAX_LEAD_OFFSET characters before it
        (r"a?bc", None),
        (r"(?:abc){2}", None),  # a repeat is not read
        (r"(?:ab|ac)d", None),  # `a` then a class: a one-character literal filters nothing
    ],
)
def test_a_pattern_tells_the_literals_its_matches_start_with(
    pattern: str, expected: set[tuple[str, int]] | None
) -> None:
    leads = leading_literals(pattern, re.IGNORECASE | re.MULTILINE)
    assert leads == (frozenset(expected) if expected is not None else None)


def _random_word_pattern(rng: random.Random, depth: int = 0) -> str:
    """A random pattern whose literal text comes in runs of two or three characters (as leading literals
    must), between classes, assertions, groups and alternations."""

    def atom() -> str:
        choice = rng.random()
        if depth < 2 and choice < 0.15:
            return rng.choice(["(", "(?:"]) + _random_word_pattern(rng, depth + 1) + ")"
        if choice < 0.4:
            return rng.choice(["[ab]", ".", r"\s", r"\b", "^", "$", "[^c]", "-", "(?=a)"])
        return re.escape("".join(rng.choice("abAB-") for _ in range(rng.randint(2, 3))))

    def piece() -> str:
        return atom() + rng.choice(["", "", "", "", "?", "*", "+", "{1,2}"])

    branches = ["".join(piece() for _ in range(rng.randint(1, 4))) for _ in range(rng.choice([1, 1, 2, 3]))]
    return "|".join(branches)


@pytest.mark.parametrize("seed", range(4))
def test_matches_tried_at_the_leading_literals_are_those_of_a_full_scan(seed: int) -> None:
    """`matches_at` gives what `finditer` gives, for random patterns and texts holding characters that a
    case-insensitive ASCII letter matches (U+017F, U+0131) and line breaks."""
    rng = random.Random(seed)
    compared = 0
    for _ in range(600):
        pattern = _random_word_pattern(rng)
        flags = rng.choice([0, re.IGNORECASE]) | re.MULTILINE
        try:
            compiled = re.compile(pattern, flags)
        except re.error:
            continue
        leads = leading_literals(pattern, flags)
        if leads is None:
            continue
        for _ in range(20):
            text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 60)))
            expected = [match.span() for match in compiled.finditer(text)]
            found = [match.span() for match in textsearch.matches_at(compiled, text, fold(text), leads)]
            assert found == expected, (pattern, flags, text)
            compared += bool(expected)
    assert compared > 150, "the random texts match often enough to test something"


def test_a_search_tries_the_regex_only_where_a_leading_literal_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tried: list[int] = []
    real = textsearch.compiled_pattern

    class Spy:
        def __init__(self, pattern: re.Pattern[str]) -> None:
            self.pattern = pattern

        def finditer(self, text: str) -> Any:
            tried.append(-1)
            return self.pattern.finditer(text)

        def match(self, text: str, position: int = 0) -> Any:
            tried.append(position)
            return self.pattern.match(text, position)

    monkeypatch.setattr(textsearch, "compiled_pattern", lambda p, f: Spy(real(p, f)))
    text = "# build notes\n" + "x = 1\n" * 50 + "DOCKER build .\nDocker Build -t app .\ndocker run app\n"
    repo = Repo(write_tree(tmp_path / "r", {"make.sh": text}))
    hits = repo.search(r"\bdocker\s+build\b", "*.sh")
    assert [(hit.line, hit.snippet) for hit in hits] == [
        (52, "DOCKER build ."),
        (53, "Docker Build -t app ."),
    ]
    assert tried == [text.find("DOCKER"), text.find("Docker"), text.find("docker run")]
    tried.clear()  # a match may start one character before its literal: tried there too, in order
    assert [hit.line for hit in repo.search(r"\sdocker\s+build\b", "*.sh")] == [52, 53]  # cited past the "\n"
    last = text.find("docker run")  # no match there: tried one character before it, then at it
    assert tried == [text.find("DOCKER") - 1, text.find("Docker") - 1, last - 1, last]
    tried.clear()  # near miss: a match may start before its literal (`\w*`), so the whole text is scanned
    assert [hit.line for hit in repo.search(r"\w*docker\s+build\b", "*.sh")] == [52, 53] and tried == [-1]


@pytest.fixture(scope="module")
def searches_of_the_rules() -> list[tuple[str, tuple[str, ...], dict[str, Any]]]:
    """Every search the rules run over the fixture repositories: (pattern, globs, options)."""
    seen: dict[tuple[Any, ...], tuple[str, tuple[str, ...], dict[str, Any]]] = {}
    original = textsearch.TextSearch.search

    def recording(self: textsearch.TextSearch, pattern: str, *globs: str, **options: Any) -> Any:
        seen.setdefault((pattern, globs, tuple(sorted(options.items()))), (pattern, globs, options))
        return original(self, pattern, *globs, **options)

    textsearch.TextSearch.search = recording  # type: ignore[method-assign]
    try:
        for root in sorted(path for path in (FIXTURES / "rules").glob("*/*") if path.is_dir()):
            repo = Repo(root)
            for rule in all_rules():
                run_rule(rule(), repo)
    finally:
        textsearch.TextSearch.search = original  # type: ignore[method-assign]
    assert len(seen) > 40
    return list(seen.values())


def test_every_rule_pattern_holds_its_literals_in_text_it_matches(
    searches_of_the_rules: list[tuple[str, tuple[str, ...], dict[str, Any]]],
) -> None:
    sys.path.insert(0, str(Path(__file__).parent))
    from redos import _samples, sre_parse

    checked = 0
    for pattern, _, options in searches_of_the_rules:
        flags = options.get("flags", re.IGNORECASE) | re.MULTILINE
        compiled = re.compile(pattern, flags)
        parsed = sre_parse.parse(pattern, flags)
        clauses = literal_requirement(pattern, flags)
        for branch in (
            parsed.data[0][1][1] if parsed.data and parsed.data[0][0].name == "BRANCH" else [parsed]
        ):
            for sample in _samples(branch, parsed.state, flags):
                for text in {sample, sample.upper(), sample.title()}:
                    if compiled.search(text):
                        checked += 1
                        assert holds(text, clauses), (pattern, text, clauses)
    assert checked > 50


@pytest.mark.parametrize(
    ("text", "pattern", "expected"),
    [
        ("gcloud run deploy app", r"gcloud\s+run\s+deploy", True),
        ("GCLOUD  Run deploy", r"gcloud\s+run\s+deploy", True),  # compared case-folded
        ("gcloud deploy app", r"gcloud\s+run\s+deploy", False),  # "run" is missing
        ("deploy run gcloud", r"gcloud\s+run\s+deploy", True),  # every literal there: only the regex can tell
        ("anything", r"\w+:", True),  # no literal to check
        ("torchrun train.py", r"\btorchrun\b|accelerate\s+launch", True),
        ("accelerate config", r"\btorchrun\b|accelerate\s+launch", False),
    ],
)
def test_may_match_is_false_only_for_text_lacking_the_literals(
    text: str, pattern: str, expected: bool
) -> None:
    assert textsearch.may_match(text, pattern) is expected
    if re.search(pattern, text, re.IGNORECASE):
        assert expected, "a text the regex matches always may match"


def _sre_tree_clauses(pattern: str, flags: int) -> list[frozenset[str]] | None:
    try:
        return textsearch._sequence(textsearch.sre_parse.parse(pattern, flags))
    except re.error:
        return None


def test_the_quick_parser_reads_every_rule_pattern_as_re_does(
    searches_of_the_rules: list[tuple[str, tuple[str, ...], dict[str, Any]]],
) -> None:
    for pattern, _, options in searches_of_the_rules:
        flags = options.get("flags", re.IGNORECASE) | re.MULTILINE
        quick = textsearch.quick_parse(pattern, flags)
        assert quick is not None, pattern  # the rules write the plain syntax it reads
        assert textsearch._sequence(quick) == _sre_tree_clauses(pattern, flags), pattern


def _random_syntax(rng: random.Random, depth: int = 0) -> str:
    """Patterns in (and just outside) the syntax the quick parser reads: classes, ranges, braces, escapes,
    groups of every kind, alternatives sharing prefixes."""
    atoms = ["a", "b", "ab", "ba", "c", ".", "^", "$", "-", "é", " ", "{", "}", "]", "{}", "{,}", "{1"]
    atoms += [r"\s", r"\S", r"\w", r"\d", r"\b", r"\.", r"\-", r"\n", r"\\", r"\(", r"\x41", r"\1", r"\q"]
    atoms += [
        "[ab]",
        "[a]",
        "[aa]",
        "[.]",
        "[^a]",
        "[a-c]",
        "[c-a]",
        "[-a]",
        "[a-]",
        "[]a]",
        "[\\s]",
        "[^\\s]",
    ]
    atoms += ["[\\w.-]", "[\\n]", "[\\b]", "[a-\\w]", "[a--b]", "[[a]", "[", "[^]"]

    plain = ["a", "b", "ab", "c", ".", r"\s", r"\b", r"\.", "[ab]", "[.]", "[^a]", "[a-c]", "[\\w.-]"]

    def atom() -> str:
        if depth < 2 and rng.random() < 0.2:
            opener = rng.choice(["(", "(?:", "(", "(?:", "(?=", "(?!", "(?P<n>", "(?<=", "(?i)", "(?#"])
            return opener + _random_syntax(rng, depth + 1) + rng.choice([")", ")", ")", ")", ""])
        return rng.choice(plain) if rng.random() < 0.7 else rng.choice(atoms)

    def piece() -> str:
        return atom() + rng.choice(
            ["", "", "", "?", "*", "+", "{2}", "{1,3}", "{,2}", "*?", "+?", "?+", "**"]
        )

    branches = ["".join(piece() for _ in range(rng.randint(1, 4))) for _ in range(rng.choice([1, 1, 2, 3]))]
    if len(branches) > 1 and rng.random() < 0.5:  # a shared prefix, which re's parser moves out
        branches = ["ab" + branch for branch in branches]
    return "|".join(branches)


@pytest.mark.parametrize("flags", [re.IGNORECASE | re.MULTILINE, re.MULTILINE])
def test_the_quick_parser_gives_the_clauses_of_re_or_leaves_the_pattern_to_re(flags: int) -> None:
    rng = random.Random(flags)
    read = 0
    for _ in range(4_000):
        pattern = _random_syntax(rng)
        quick = textsearch.quick_parse(pattern, flags)
        if quick is None:
            continue
        read += 1
        assert textsearch._sequence(quick) == _sre_tree_clauses(pattern, flags), pattern  # None: re refuses
    assert 500 < read < 3_600, "both the plain syntax and the syntax left to re were met"


def _plain_search(repo: Repo, pattern: str, *globs: str, limit: int = 20, flags: int = re.I) -> list[Any]:
    """The search as it was before the literal check: the regex over every searchable file."""
    compiled = re.compile(pattern, flags | re.MULTILINE)
    hits: list[Any] = []
    for path in repo.text_search.searchable(globs):
        text = repo.text_search._text(path)
        prose = path.lower().endswith((".md", ".rst", ".txt", ".html"))
        for match in compiled.finditer(text):
            location = repo.location(path, text.count("\n", 0, match.start()) + 1)
            if CHECKBOX_LINE.match(location.snippet) or (
                not prose and location.snippet.startswith(("#", "//"))
            ):
                continue
            hits.append(location)
            if len(hits) >= limit:
                return hits
    return hits


def test_every_rule_search_finds_what_a_plain_scan_of_every_file_finds(
    searches_of_the_rules: list[tuple[str, tuple[str, ...], dict[str, Any]]],
) -> None:
    roots = [FIXTURES / "example-project", *sorted(p for p in (FIXTURES / "rules").glob("*/*") if p.is_dir())]
    found = 0
    for root in roots:
        repo = Repo(root)
        for pattern, globs, options in searches_of_the_rules:
            if options.get("excluded"):
                continue
            limit, flags = options.get("limit", 20), options.get("flags", re.IGNORECASE)
            expected = _plain_search(repo, pattern, *globs, limit=limit, flags=flags)
            assert repo.search(pattern, *globs, limit=limit, flags=flags) == expected, (root.name, pattern)
            found += bool(expected)
    assert found > 25, "the fixtures hold evidence for many of the searches"


def test_a_file_without_the_literals_is_not_scanned_by_the_regex(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scanned: list[str] = []
    real = textsearch.compiled_pattern

    class Spy:
        """Records each text the regex is run on (by `finditer`, or by `match` at the places a match may
        start), once."""

        def __init__(self, pattern: re.Pattern[str]) -> None:
            self.pattern = pattern
            self.texts: list[str] = []

        def _scans(self, text: str) -> None:
            if not any(seen is text for seen in self.texts):
                self.texts.append(text)
                scanned.append(text[:20])

        def finditer(self, text: str) -> Any:
            self._scans(text)
            return self.pattern.finditer(text)

        def match(self, text: str, position: int = 0) -> Any:
            self._scans(text)
            return self.pattern.match(text, position)

    monkeypatch.setattr(textsearch, "compiled_pattern", lambda p, f: Spy(real(p, f)))
    files = {f"scripts/s{n}.sh": f"echo step {n}\n" for n in range(30)}
    files["scripts/deploy.sh"] = "gcloud run deploy app --image x\n"
    repo = Repo(write_tree(tmp_path / "r", files))
    hits = repo.search(r"gcloud\s+run\s+deploy", "*.sh")
    assert [hit.path for hit in hits] == ["scripts/deploy.sh"]
    assert scanned == ["gcloud run deploy ap"]  # one file scanned of 31
    scanned.clear()
    assert repo.search(r"gcloud\s+functions\s+deploy", "*.sh") == [] and scanned == []  # no "functions"
    # every literal is there, in another order: only the regex can tell, so the one file is scanned
    assert repo.search(r"gcloud\s+deploy\s+run", "*.sh") == [] and scanned == ["gcloud run deploy ap"]


def test_a_pattern_is_compiled_only_when_a_file_holds_its_literals(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    compiled: list[str] = []
    real = textsearch.compiled_pattern
    monkeypatch.setattr(textsearch, "compiled_pattern", lambda p, f: compiled.append(p) or real(p, f))
    repo = Repo(write_tree(tmp_path / "r", {"run.sh": "gcloud run deploy app\n", "b.sh": "echo\n"}))
    assert repo.search(r"kubectl\s+apply", "*.sh") == [] and compiled == []  # no file holds "kubectl"
    assert repo.search(r"gcloud\s+deploy", "*.sh") == [] and compiled == [r"gcloud\s+deploy"]  # regex decides
    assert [hit.path for hit in repo.search(r"run\s+deploy", "*.sh")] == ["run.sh"]
    compiled.clear()
    assert repo.search(r"\w+", "*.sh") and compiled == [r"\w+"]  # no literal to check: every file scanned
    with pytest.raises(re.error):
        repo.search(r"(unclosed", "*.missing")  # a broken pattern fails even where no file is searched


# ------------------------------------------------------------------ generated files


GENERATED_FILES = {
    "reports/profiling/train.pt.trace.json": '{"name": "gcloud run deploy"}\n',
    "uv.lock": 'name = "gcloud run deploy"\n',
    "data/processed/meta.json": '{"note": "gcloud run deploy"}\n',
    "results/dump.json": '{"x": "gcloud run deploy"}\n' + " " * 250_000,
    "outputs/2024-01-01/.hydra/config.yaml": "cmd: gcloud run deploy\n",
    "wandb/run-1/files/config.yaml": "cmd: gcloud run deploy\n",
    "docs/site/assets/javascripts/bundle.min.js": 'var c="gcloud run deploy";\n',
}
OWN_FILES = {
    "configs/deploy.yaml": "cmd: gcloud run deploy app\n",
    "config.json": '{"cmd": "gcloud run deploy app"}\n',
    "src/pkg/data.py": "CMD = 'gcloud run deploy app'\n",
}


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("reports/profiling/train.pt.trace.json", PROFILER_TRACE),
        ("uv.lock", LOCK_FILE),
        ("web/package-lock.json", LOCK_FILE),
        ("data/processed/meta.json", DATA_DUMP),
        ("outputs/2024-01-01/.hydra/config.yaml", RUN_OUTPUT),
        ("wandb/run-1/files/config.yaml", RUN_OUTPUT),
        ("configs/deploy.yaml", None),
        ("config.json", None),  # small, outside a data folder
        ("src/pkg/data.py", None),  # code in a folder named like data is code
        ("src/pkg/data/loader.py", None),
        ("datasets.md", None),
        ("docs/site/assets/javascripts/bundle.88dd0f4e.min.js", BUILT_ASSET),
        ("docs/site/assets/javascripts/lunr/wordcut.js", BUILT_ASSET),
        ("site/assets/stylesheets/main.css", BUILT_ASSET),
        ("docs/_build/html/_static/searchtools.js", BUILT_ASSET),
        ("frontend/vendor/chart.min.js", BUILT_ASSET),
        # near misses: the group's own scripts and styles, and a Python file in an assets folder
        ("frontend/app.js", None),
        ("frontend/static/style.css", None),
        ("src/pkg/assets/javascripts.py", None),
        ("docs/site/index.html", None),
    ],
)
def test_generated_files_are_told_by_their_path(path: str, reason: str | None) -> None:
    assert skip_reason(path, lambda _: 100) == reason


def test_the_folder_judged_once_gives_what_the_whole_path_gives() -> None:
    """`skip_reason` reads a path's folder once per folder name (`_folder_kind`): the same reasons as judging
    the whole path, on random paths of the pieces that decide them."""
    rng = random.Random(5)
    pieces = [
        "wandb",
        "outputs",
        ".hydra",
        "data",
        "Data",
        "assets",
        "javascripts",
        "_static",
        "x",
        ".",
        "..",
        "/",
    ]
    pieces += [".json", ".JSON", ".txt", ".js", ".min.js", ".lock", ".trace.json", "site-packages", "dataset"]

    def whole_path(path: str, size: int) -> str | None:
        folder, _, name = path.rpartition("/")
        lower = name.lower()
        if lower.endswith(".trace.json"):
            return PROFILER_TRACE
        if lower.endswith(".lock") or lower in textsearch.LOCK_FILES:
            return LOCK_FILE
        if GENERATED.search(path):
            return RUN_OUTPUT
        if lower.endswith(textsearch.MINIFIED) or (
            lower.endswith((".js", ".mjs", ".css"))
            and any(part in f"/{folder}/" for part in textsearch.BUILT_ASSET_FOLDERS)
        ):
            return BUILT_ASSET
        if os.path.splitext(lower)[1] in textsearch.DATA_SUFFIXES and (
            any(part in textsearch.DATA_FOLDERS for part in folder.lower().split("/"))
            or size > textsearch.DATA_DUMP_BYTES
        ):
            return DATA_DUMP
        return None

    for _ in range(20_000):
        path = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 7)))
        size = rng.choice([100, 300_000])
        assert skip_reason(path, lambda _, size=size: size) == whole_path(path, size), path
    assert skip_reason("wandb", lambda _: 100) is None and skip_reason("a/wandb/b", None) == RUN_OUTPUT
    assert skip_reason("data/.json", lambda _: 100) is None  # a name that is all suffix has none


def test_a_large_data_file_is_a_dump_and_a_small_one_is_not() -> None:
    assert skip_reason("results/metrics.json", lambda _: 300_000) == DATA_DUMP
    assert skip_reason("results/metrics.json", lambda _: 3_000) is None
    assert skip_reason("docs/big.md", lambda _: 3_000_000) is None  # prose is never a data dump


def test_generated_files_are_not_searched_unless_a_search_names_them(tmp_path: Path) -> None:
    repo = Repo(write_tree(tmp_path / "r", {**GENERATED_FILES, **OWN_FILES}))
    generic = {hit.path for hit in repo.search(r"gcloud\s+run\s+deploy")}
    assert generic == set(OWN_FILES)
    assert {hit.path for hit in repo.search(r"gcloud\s+run\s+deploy", "*.json", "*.yaml")} == {
        "configs/deploy.yaml",
        "config.json",
    }
    named = repo.search(
        r"gcloud\s+run\s+deploy", "*.pt.trace.json", "uv.lock", "wandb/**", "results/dump.json", "*.min.js"
    )
    assert {hit.path for hit in named} == {
        "reports/profiling/train.pt.trace.json",
        "uv.lock",
        "wandb/run-1/files/config.yaml",
        "results/dump.json",
        "docs/site/assets/javascripts/bundle.min.js",
    }
    skipped = repo.search_skipped()
    assert skipped[PROFILER_TRACE][0] == 1 and skipped[LOCK_FILE][0] == 1 and skipped[RUN_OUTPUT][0] == 2
    assert skipped[BUILT_ASSET][0] == 1
    files, size = skipped[DATA_DUMP]
    assert files == 2 and size > 250_000


def test_verbose_text_says_how_many_files_and_bytes_the_search_left_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from verifier import cli

    report = "## Overall project checklist\n\n* [x] Deployed your model in GCP using Cloud Run (M23)\n"
    root = git_init(write_tree(tmp_path / "r", {"reports/README.md": report, **GENERATED_FILES}))
    result = verify(root)
    assert result.not_searched[PROFILER_TRACE] == (
        1,
        (root / "reports/profiling/train.pt.trace.json").stat().st_size,
    )
    assert "not_searched" not in result.to_dict()  # the JSON result is unchanged
    assert cli.main([str(root), "--verbose", "--no-config"]) in (0, 1)
    out = capsys.readouterr().out
    assert "NOT SEARCHED" in out and "1 file (0.0 MB): profiler trace" in out
    assert cli.main([str(root), "--no-config"]) in (0, 1)
    assert "NOT SEARCHED" not in capsys.readouterr().out  # only with --verbose


# ------------------------------------------------------------------ notebooks


def notebook(*cells: tuple[str, list[str], list[Any]]) -> str:
    return json.dumps(
        {
            "cells": [
                {"cell_type": kind, "source": source, "outputs": outputs, "metadata": {}}
                for kind, source, outputs in cells
            ],
            "nbformat": 4,
        },
        indent=1,
    )


NOTEBOOK = notebook(
    ("markdown", ["# Training\n", "We run `gcloud run deploy` from here.\n"], []),
    ("code", ["import torch\n", "import wandb\n"], []),
    (
        "code",
        ["!gcloud run deploy api --source .\n", "model = torch.nn.Linear(2, 2)\n", "wandb.init()\n"],
        [{"output_type": "stream", "text": ["gcloud run deploy finished\n"] * 3}],
    ),
)


def test_notebook_evidence_is_located_by_cell_and_line_with_the_source_as_snippet(tmp_path: Path) -> None:
    repo = Repo(write_tree(tmp_path / "r", {"notebooks/train.ipynb": NOTEBOOK}))
    [wandb_import] = repo.imports("wandb")
    assert (wandb_import.cell, wandb_import.line, wandb_import.snippet) == (2, 2, "import wandb")
    [init] = repo.call_locations("wandb.init")
    assert (init.cell, init.line, init.snippet) == (3, 3, "wandb.init()")
    assert str(init) == "notebooks/train.ipynb cell 3, line 3  wandb.init()"
    assert init.to_dict() == {
        "path": "notebooks/train.ipynb",
        "line": 3,
        "snippet": "wandb.init()",
        "cell": 3,
    }


def test_a_notebook_is_searched_in_its_code_cells_as_written_never_in_outputs_or_markdown(
    tmp_path: Path,
) -> None:
    repo = Repo(write_tree(tmp_path / "r", {"notebooks/train.ipynb": NOTEBOOK}))
    hits = repo.search(r"gcloud\s+run\s+deploy", "*.ipynb")
    assert [(hit.cell, hit.line, hit.snippet) for hit in hits] == [
        (3, 1, "!gcloud run deploy api --source .")
    ]
    assert repo.search(r"deploy\s+finished", "*.ipynb") == []  # an output
    assert repo.search(r"we\s+run", "*.ipynb") == []  # a markdown cell
    files, left = repo.search_skipped()[NOTEBOOK_OUTPUT]
    assert files == 1 and left > 0


def test_a_location_outside_notebooks_has_no_cell(tmp_path: Path) -> None:
    repo = Repo(write_tree(tmp_path / "r", {"train.py": "import wandb\n"}))
    [location] = repo.imports("wandb")
    assert location.cell is None and location.to_dict() == {
        "path": "train.py",
        "line": 1,
        "snippet": "import wandb",
    }
    assert str(location) == "train.py:1  import wandb"


def test_every_output_names_the_notebook_cell(tmp_path: Path) -> None:
    from verifier.evidence import Location
    from verifier.render import render_json, render_markdown, render_text
    from verifier.sarif import _related

    report = (
        "## Overall project checklist\n\n"
        "* [x] Use Weights & Biases to log training progress and other important metrics/artifacts in your "
        "code (M14)\n"
    )
    root = git_init(
        write_tree(tmp_path / "r", {"reports/README.md": report, "notebooks/train.ipynb": NOTEBOOK})
    )
    result = verify(root)
    [item] = [item for item in result.items if item.rule == "m14.wandb"]
    cells = [location for location in item.evidence.locations if location.cell is not None]
    assert cells and all(location.path == "notebooks/train.ipynb" for location in cells)
    where = cells[0].where
    assert where.startswith("notebooks/train.ipynb cell ")
    assert where in render_text(result, verbose=True) and where in render_markdown(result)
    data = json.loads(render_json(result))
    assert {"cell"} <= set(data["items"][0]["locations"][0])
    schema = json.loads((Path(textsearch.__file__).parent / "schema" / "result.schema.json").read_text())
    jsonschema.validate(data, schema)
    broken = json.loads(json.dumps(data))
    broken["items"][0]["locations"][0]["cell"] = 0  # cells count from 1
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)
    related = _related(1, cells[0])  # SARIF: a cell's line is no line of the file
    assert "region" not in related["physicalLocation"] and where in related["message"]["text"]
    assert "region" in _related(1, Location("train.py", 3, "wandb.init()"))["physicalLocation"]


def test_a_prepared_pattern_needs_no_parse_in_a_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    """A rule's fixed pattern has its literal requirement read at import (`prepared`); a worker whose
    caches start empty takes it from there, for the flags it was prepared for only."""
    pattern = textsearch.prepared(r"gcloud\s+(beta\s+)?run\s+deploy\b")
    compiled = textsearch.prepared(re.compile(r"\bpytest\b", re.IGNORECASE))
    assert pattern == r"gcloud\s+(beta\s+)?run\s+deploy\b" and compiled.pattern == r"\bpytest\b"
    expected = textsearch.literal_requirement(pattern, re.IGNORECASE | re.MULTILINE)
    textsearch._pattern_literals.cache_clear()  # as in a worker forked for one repository
    parsed: list[str] = []
    real = textsearch.quick_parse
    monkeypatch.setattr(textsearch, "quick_parse", lambda p, f=0: parsed.append(p) or real(p, f))
    assert textsearch.literal_requirement(pattern, re.IGNORECASE | re.MULTILINE) == expected
    assert textsearch.literal_requirement(compiled.pattern, compiled.flags) == (frozenset({"pytest"}),)
    assert parsed == []
    assert textsearch.literal_requirement(pattern, re.MULTILINE) == expected  # other flags: parsed
    assert set(textsearch.literal_requirement(r"\bdvc\s+pull\b", re.IGNORECASE)) == {
        frozenset({"pull"}),
        frozenset({"dvc"}),
    }
    assert parsed == [pattern, r"\bdvc\s+pull\b"]
    assert textsearch.leading_literals(pattern, re.IGNORECASE | re.MULTILINE) == {("gcloud", 0)}
    assert parsed == [pattern, r"\bdvc\s+pull\b"]  # read at import with the requirement


def test_a_prepared_search_pattern_is_compiled_at_import(monkeypatch: pytest.MonkeyPatch) -> None:
    pattern = textsearch.prepared(r"\bkubectl\s+apply\b")
    textsearch.compiled_pattern.cache_clear()  # as in a worker forked for one repository
    compiled: list[str] = []
    real = re.compile
    monkeypatch.setattr(re, "compile", lambda p, f=0: compiled.append(p) or real(p, f))
    prepared = textsearch.compiled_pattern(pattern, re.IGNORECASE | re.MULTILINE)
    assert compiled == [] and prepared.flags & re.IGNORECASE and prepared.search("KUBECTL apply -f x")
    other = textsearch.compiled_pattern(pattern, re.MULTILINE)  # near miss: other flags, compiled now
    assert compiled == [pattern] and not other.search("KUBECTL apply -f x")


def test_each_file_and_glob_is_judged_once_for_every_search(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file's exclusion and generated kind, and whether a glob names generated files, are judged once
    however many searches' globs hold them; each search still leaves out what it would judging afresh."""
    repo = Repo(
        write_tree(
            tmp_path / "r",
            {
                "train.py": "import wandb\n",
                "Makefile": "train:\n\tpython train.py  # wandb\n",
                "wandb/run-1/files/config.yaml": "wandb: 1\n",
                "AGENTS.md": "use wandb\n",
                "nb.ipynb": json.dumps(
                    {"cells": [{"cell_type": "code", "source": ["import wandb\n"], "outputs": []}]}
                ),
            },
        )
    )
    judged: list[str] = []
    globs_judged: list[str] = []
    is_excluded, real_skip_reason = repo.file_list.is_excluded, textsearch.skip_reason
    monkeypatch.setattr(repo.file_list, "is_excluded", lambda path: judged.append(path) or is_excluded(path))
    monkeypatch.setattr(
        textsearch,
        "skip_reason",
        lambda path, size=None: globs_judged.append(path) or real_skip_reason(path, size),
    )
    paths = lambda hits: sorted(hit.path for hit in hits)  # noqa: E731
    assert paths(repo.search("wandb")) == ["Makefile", "nb.ipynb", "train.py"]
    assert paths(repo.search("wandb", "*.py", "Makefile", "*.ipynb")) == ["Makefile", "nb.ipynb", "train.py"]
    assert paths(repo.search("wandb", "*.py", "*.yaml")) == ["train.py"]  # the run folder is generated
    assert paths(repo.search("wandb", "*.py", "wandb/**")) == ["train.py", "wandb/run-1/files/config.yaml"]
    assert paths(repo.search("wandb", "*.md", excluded=True)) == ["AGENTS.md"]  # near miss: asked for
    assert paths(repo.search("wandb", "*.md")) == []
    assert sorted(judged) == sorted(set(judged)) and len(judged) == 5  # each file once
    assert [g for g in globs_judged if "*" in g] == ["*.py", "*.ipynb", "*.yaml", "wandb/**", "*.md"]
    assert repo.search_skipped()[RUN_OUTPUT][0] == 1 and repo.search_skipped()[NOTEBOOK_OUTPUT][0] == 1
    # the report's files, named after a search ran, are judged again: never evidence
    repo.report_files = {"train.py"}
    assert paths(repo.search("wandb", "*.py")) == []
    assert paths(repo.search("wandb", "*.py", excluded=True)) == ["train.py"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("steps:\n  # gcloud run deploy app\n", True),
        ("# GCLOUD  Run DEPLOY app\n", True),  # compared case-folded
        ("# gcloud deploy app\n", False),  # "run" is missing
        ("deploy = run  # gcloud\n", True),  # every literal there: only the regex can tell
    ],
)
def test_a_repo_tells_a_file_that_cannot_match_from_its_literals(
    make_repo: Any, text: str, expected: bool
) -> None:
    """`Repo.may_match` answers as `may_match` on the file's text, for a pattern string and for a pattern
    compiled with its own flags, and its answers are the searches' (kept per file, shared with them)."""
    repo = make_repo({"deploy.sh": text})
    compiled = re.compile(r"^\s*#.*gcloud\s+run\s+deploy", re.IGNORECASE)
    assert repo.may_match("deploy.sh", r"gcloud\s+run\s+deploy") is expected
    assert repo.may_match("deploy.sh", compiled) is expected
    assert textsearch.may_match(text, compiled.pattern, compiled.flags) is expected
    assert repo.text_search._holds["deploy.sh"]  # the answers are kept: a later search reuses them
    if compiled.search(text):
        assert expected, "a file the regex matches always may match"


# The fixed parts the rules give `Repo.line_of_value`: (before, after) as m18, m07 and m17 write them.
VALUE_PATTERNS = [
    (re.compile(r"id:\s*['\"]?", re.IGNORECASE), re.compile(r"(?![\w-])", re.IGNORECASE)),
    (re.compile(r"(id|entry):\s*['\"]?", re.IGNORECASE), None),
    (re.compile(r"^\s*", re.IGNORECASE), re.compile(r"(?<!\s)\s*:", re.IGNORECASE)),
]
VALUE_PIECES = [
    "id:",
    "ID:",
    "entry:",
    " ",
    "\t",
    "'",
    '"',
    ":",
    "-",
    "_",
    "x",
    "ruff",
    "RUFF",
    "ſ",
    "\u212a",
    "é",
]


@pytest.mark.parametrize(("before", "after"), VALUE_PATTERNS)
@pytest.mark.parametrize("value", ["ruff", "ruff-format", "k8s", "python-version", "x", "'ruff", " os", "é"])
def test_a_value_follows_where_the_regex_built_from_it_matches(
    before: re.Pattern[str], after: re.Pattern[str] | None, value: str
) -> None:
    joined = re.compile(before.pattern + re.escape(value) + (after.pattern if after else ""), before.flags)
    rng = random.Random(value)
    matched = 0
    for _ in range(1_500):
        pieces = [rng.choice([*VALUE_PIECES, value, value.upper()]) for _ in range(rng.randint(0, 8))]
        if rng.random() < 0.5:  # the shape of a hook or key line, often enough to match
            prefix, suffix = (
                rng.choice(["", " ", "- id: ", "ID:'", "entry: "]),
                rng.choice([":", " :", "", "-x"]),
            )
            pieces[rng.randint(0, 2) :] = [prefix, value, suffix, *pieces]
        line = "".join(pieces)
        expected = joined.search(line) is not None
        if after is not None and after.pattern.startswith("(?<!\\s)") and not value[-1].isspace():
            # m17's look-behind asks nothing after a key that does not end in white space
            unguarded = before.pattern + re.escape(value) + after.pattern.removeprefix("(?<!\\s)")
            assert (re.search(unguarded, line, before.flags) is not None) == expected, (value, line)
        matched += expected
        assert textsearch.value_follows(line, before, value, after) == expected, (before, value, line)
    assert matched > 50, "the random lines match often enough to test something"


def test_a_value_is_found_without_compiling_a_pattern(monkeypatch: pytest.MonkeyPatch) -> None:
    before, after = VALUE_PATTERNS[0]
    monkeypatch.setattr(textsearch.re, "search", None)  # the regex built from the value is never needed
    assert textsearch.value_follows("  - id: RUFF", before, "ruff", after)
    assert textsearch.value_follows("  - id: 'ruff' # lint", before, "ruff", after)
    assert not textsearch.value_follows("  - id: ruff-format", before, "ruff", after)  # a longer id
    assert not textsearch.value_follows("  - name: ruff", before, "ruff", after)


def test_the_line_of_a_value_is_the_line_the_regex_built_from_it_finds(tmp_path: Path) -> None:
    config = (
        "repos:\n  - repo: x\n    hooks:\n      - id: ruff-format\n      - id: 'RUFF'\n      - id: mypy\n"
    )
    repo = Repo(write_tree(tmp_path, {".pre-commit-config.yaml": config}))
    before, after = VALUE_PATTERNS[0]
    path = ".pre-commit-config.yaml"
    for hook, line in [("ruff", 5), ("mypy", 6), ("ruff-format", 4), ("black", None)]:
        assert repo.line_of_value(path, before, hook, after) == line
        assert repo.line_of(path, before.pattern + re.escape(hook) + after.pattern) == line


def test_a_match_that_starts_with_the_line_break_before_is_cited_on_its_own_line(tmp_path: Path) -> None:
    """A pattern starting with `\\s` or `(^|\\s)` matches the newline that ends the line before: the
    evidence is cited on the line it is on, and judged a comment or a checkbox by that line, not by the
    line before (a comment above `-m ...` once hid it)."""
    files = {
        "sweep.sh": "# the sweep\n-m lr=0.1,0.2\n",
        "run.sh": "echo start\n-m lr=0.1\n",
        "commented.sh": "echo start\n# -m lr=0.1\n",
        "notes.md": "- [x] a checkbox\n-m lr=0.1\n",
    }
    repo = Repo(write_tree(tmp_path / "r", files))
    hits = repo.search(r"(--multirun|(^|\s)-m)\s", "*.sh", "*.md")
    assert sorted((hit.path, hit.line, hit.snippet) for hit in hits) == [
        ("notes.md", 2, "-m lr=0.1"),
        ("run.sh", 2, "-m lr=0.1"),
        ("sweep.sh", 2, "-m lr=0.1,0.2"),
    ]
    spanning = repo.search(r"start\s+-m", "run.sh")  # a match that starts on its own line keeps that line
    assert [(hit.line, hit.snippet) for hit in spanning] == [(1, "echo start")]
