"""M16 Unit testing and coverage."""

import re

from verifier.checks import AUTOMATION_GLOBS, LOAD_TEST_FILE, own_locations
from verifier.evidence import Evidence, Location
from verifier.pyfacts import Function
from verifier.repo import Repo
from verifier.rule import Rule, Trace
from verifier.textsearch import prepared

API_TEST_FILE = re.compile(r"(^|[-_])(api|integration)([-_.]|$)", re.I)
COVERAGE_TABLE = re.compile(r"^\[tool\.coverage", re.I)
INI_SETTING = re.compile(r"^\s*\w+\s*=", re.I)
INSTALL = re.compile(r"pip install|uv add")
DATA_WORDS = re.compile(r"data|loader|preprocess|(?<![a-z])transform", re.I)
MODEL_WORDS = re.compile(r"model|train|network|net\b|forward|predict|classif|cnn|resnet", re.I)


# The lines of a placeholder test: pass, `...`, `assert True`, a TODO, or only the template's own dataset
# check (`dataset = MyDataset("data/raw")` + `assert isinstance(dataset, Dataset)`).
# `raise NotImplementedError(...)` is a placeholder when its parentheses close the line: the pattern takes
# the rest of the line after "(" and `_is_placeholder_line` checks the ")", as a pattern that looked for the
# last ")" from every "(" would take quadratic time on a long line of them.
PLACEHOLDER_LINE = re.compile(
    r"pass|\.\.\.|return|assert\s+(True|1|1\s*==\s*1)|raise\s+NotImplementedError(?P<call>\(.*)?"
    r"|dataset\s*=\s*MyDataset\([\"']data/raw[\"']\)|assert\s+isinstance\(dataset,\s*Dataset\)"
)


def _is_placeholder_line(line: str) -> bool:
    """The stripped `line` is a PLACEHOLDER_LINE, a `NotImplementedError(...)` closed at its end."""
    match = PLACEHOLDER_LINE.fullmatch(line)
    return match is not None and (
        match["call"] is None or (len(line) > match.start("call") + 1 and line.endswith(")"))
    )


DOCSTRING_START = re.compile(r"[rRuU]?(\"\"\"|''')")


def _is_placeholder(lines: list[str], function: Function) -> bool:
    """The test's body holds nothing but placeholder lines, docstrings and comments."""
    in_docstring = False
    for raw in lines[function.line : function.end_line]:
        line = raw.strip()
        quotes = line.count('"""') + line.count("'''")
        if in_docstring or DOCSTRING_START.match(line):
            in_docstring = in_docstring != (quotes % 2 == 1)
            continue
        if line and not line.startswith("#") and not _is_placeholder_line(line):
            return False
    return True


def _tests_about(repo: Repo, words: re.Pattern[str]) -> tuple[list[Location], list[Location]]:
    """(own tests about `words`, template or placeholder tests) - a test counts if its file, name or
    imports mention them; a test of the template's file, or one whose body is only a placeholder (`pass`,
    `assert True`, the template's dataset check), is no test of the group's own."""
    own, template = [], []
    packages = {folder.rsplit("/", 1)[-1] for folder in repo.package_dirs}
    for path in repo.test_files:
        name = path.rsplit("/", 1)[-1]
        if API_TEST_FILE.search(name) or LOAD_TEST_FILE.search(name):
            continue
        facts = repo.python(path)
        tests = [f for f in facts.functions if f.is_test]
        if not tests:
            continue
        file_hit = bool(words.search(path.rsplit("/", 1)[-1])) or any(
            words.search(_below_package(m, packages))
            for m, _ in facts.imports
            if not m.startswith(("pytest", "unittest"))
        )
        lines = repo.lines(path)
        untouched = repo.template_match(path) is not None
        for test in tests:
            if file_hit or words.search(test.name):
                placeholder = untouched or _is_placeholder(lines, test)
                (template if placeholder else own).append(repo.location(path, test.line))
    return own, template


def _below_package(module: str, packages: set[str]) -> str:
    """The module path below the group's package: `data` of `mnist_classifier.data`, so a package named
    like a model (mnist_classifier) does not make every test a model test."""
    top, _, rest = module.partition(".")
    return rest if top in packages else module


COVERAGE_DOCS = prepared(r"coverage\s+(run|report)|--cov\b")
COVERAGE_COMMAND = prepared(r"coverage\s+(run|report|xml|html)|--cov\b|--cov=|pytest-cov|codecov")


class DataTests(Rule):
    """Test functions that exercise the group's data code and assert something; the template's
    single test_data.py test is template."""

    id = "m16.data-tests"
    modules = ("M16",)
    title = "Unit tests for the data part"
    texts = ("Write unit tests related to the data part of your code",)

    def check(self, repo: Repo) -> Evidence:
        own, template = _tests_about(repo, DATA_WORDS)
        if own:
            return Evidence.found(f"{len(own)} test(s) about the data code.", own)
        if template:
            return Evidence.template("Only the template's data test or placeholder tests.", template)
        empty = [
            p
            for p in repo.test_files
            if DATA_WORDS.search(p.rsplit("/", 1)[-1])
            and not any(f.is_test for f in repo.python(p).functions)
        ]
        note = f" ({', '.join(empty)} defines no test function)" if empty else ""
        return Evidence.absent(
            f"No tests of the data code were found{note}.",
            ("test functions in tests/ that import or name the data code",),
        )


class ModelTests(Rule):
    """Tests that build or train the group's model and assert something; an empty test_model.py is
    template."""

    id = "m16.model-tests"
    modules = ("M16",)
    title = "Unit tests for model construction or training"
    texts = (
        "Write unit tests related to model construction and or model training",
        "Write unit tests related to model construction",
    )

    def check(self, repo: Repo) -> Evidence:
        own, template = _tests_about(repo, MODEL_WORDS)
        if own:
            return Evidence.found(f"{len(own)} test(s) about the model or training.", own)
        empty = [
            Location(p, None, "empty file")
            for p in repo.test_files
            if re.search(r"test_(model|train)", p) and not (repo.read(p) or "").strip()
        ]
        if template or empty:
            return Evidence.template(
                "Only the template's empty or default model tests, or placeholder tests.", template + empty
            )
        return Evidence.absent(
            "No tests of the model or training were found.",
            ("test functions in tests/ that import or name the model or training code",),
        )


# pytest options that measure coverage (`addopts = --cov` or an addopts list holding it) and coverage
# sections of setup.cfg/tox.ini; spaces (not line breaks) before the key, and a list scan that stops at
# the next list.
COVERAGE_SETTINGS = prepared(
    r"^[ \t]*addopts[ \t]*=(\s*\[[^\[\]]*|.*)--cov\b|^[ \t]*\[coverage:(run|report)\]"
)


class Coverage(Rule):
    """coverage or pytest-cov run in CI, tasks or docs beyond the template, coverage configuration
    with settings (also `--cov` in pytest's addopts, `[coverage:run]` in setup.cfg), or committed
    coverage reports."""

    id = "m16.coverage"
    trace = Trace.CODE
    modules = ("M16",)
    title = "Code coverage calculated"
    texts = ("Calculate the code coverage", "Calculate the coverage.")

    def check(self, repo: Repo) -> Evidence:
        runs = repo.search(COVERAGE_COMMAND, *AUTOMATION_GLOBS, limit=8)
        runs = [loc for loc in runs if not INSTALL.search(loc.snippet)]
        reports = [
            Location(p, None, p)
            for p in repo.glob(
                ".coverage", "coverage.xml", "htmlcov/index.html", "coverage.json", "lcov.info"
            )
        ]
        docs = own_locations(repo, repo.search(COVERAGE_DOCS, "*.md", "*.rst", limit=3))
        configured, template_config, empty = _coverage_config(repo)
        # pytest options that measure coverage on every test run, and coverage sections in setup.cfg/tox.ini
        configured += repo.search(
            COVERAGE_SETTINGS,
            "pyproject.toml",
            "pytest.ini",
            "setup.cfg",
            "tox.ini",
            limit=3,
        )
        own = own_locations(repo, runs) + reports + docs + configured
        if own:
            kind = (
                "measured" if own_locations(repo, runs) or reports else "documented" if docs else "configured"
            )
            return Evidence.found(f"Coverage is {kind}.", own)
        if runs or template_config:
            return Evidence.template(
                "Only the template's coverage run (tasks.py or tests workflow) or its omit setting.",
                runs + template_config,
            )
        if empty:
            return Evidence.weak("A coverage configuration section exists but sets nothing.", empty)
        return Evidence.unverifiable(
            "No coverage run, report or configuration was found; a coverage run by hand leaves no trace.",
            (
                "coverage run / pytest --cov in CI, tasks, scripts or docs",
                ".coverage / coverage.xml",
                "[tool.coverage] or .coveragerc with settings",
            ),
        )


TEMPLATE_COVERAGE = {"run": {"omit": ["tests/*"]}}


def _coverage_config(repo: Repo) -> tuple[list[Location], list[Location], list[Location]]:
    """(coverage configurations that set something beyond the template's `omit = ["tests/*"]`, the
    template's own setting, empty sections) in pyproject.toml and .coveragerc."""
    with_settings: list[Location] = []
    template: list[Location] = []
    empty: list[Location] = []
    section = (repo.pyproject.get("tool") or {}).get("coverage")
    if section is not None:
        loc = repo.location("pyproject.toml", repo.line_of("pyproject.toml", COVERAGE_TABLE))
        settings = (
            {k: v for k, v in section.items() if v not in ({}, None)} if isinstance(section, dict) else {}
        )
        (
            with_settings if settings and settings != TEMPLATE_COVERAGE else template if settings else empty
        ).append(loc)
    for path in repo.glob(".coveragerc"):
        line = repo.line_of(path, INI_SETTING)
        (with_settings if line else empty).append(repo.location(path, line or 1, None if line else path))
    return with_settings, template, empty
