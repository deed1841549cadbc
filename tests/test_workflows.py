"""GitHub Actions workflows as the Repo view parses them."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from verifier import workflows
from verifier.repo import Repo
from verifier.workflows import runs_command

WORKFLOW = """name: tests
on:
  push:
    branches: [main]
    paths: ["src/**", "tests/**"]
  pull_request:
jobs:
  test:
    runs-on: ${{ matrix.os }}
    strategy:
      matrix:
        os: [ubuntu-latest, windows-latest, macos-latest]
        python-version: ["3.11", "3.12"]
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: ${{ matrix.python-version }}
          cache: pip
      - uses: astral-sh/setup-uv@v5
        with:
          enable-cache: true
      - uses: actions/cache@v4
        with:
          path: ~/.cache
          key: k
      - name: Run tests
        run: |
          pip install -e .
          pytest tests/
"""


def test_triggers_paths_jobs_steps_matrix_and_caching(make_repo: Callable[..., Repo]) -> None:
    repo = make_repo({".github/workflows/tests.yaml": WORKFLOW})
    (workflow,) = repo.workflows
    assert workflow.path == ".github/workflows/tests.yaml" and workflow.error is None
    assert workflow.triggered_by("push") and workflow.triggered_by("pull_request")
    assert not workflow.triggered_by("schedule")
    assert workflow.path_filters("push") == ["src/**", "tests/**"]
    assert workflow.triggers_line == 2  # the `on:` key, not the `name:` above it
    (job,) = workflow.jobs
    assert job.id == "test" and len(job.steps) == 5
    matrix = workflow.matrix_values("os", "python-version")
    assert matrix["os"] == ["ubuntu-latest", "windows-latest", "macos-latest"]
    assert matrix["python-version"] == ["3.11", "3.12"]
    assert [step.uses for step in workflow.steps_using("actions/checkout")] == ["actions/checkout@v4"]
    (pytest_step,) = workflow.steps_running(r"\bpytest\b")
    assert pytest_step.name == "Run tests" and pytest_step.line == 27
    cached = {step.uses.split("@")[0] for step in workflow.caching_steps()}
    assert cached == {"actions/setup-python", "astral-sh/setup-uv", "actions/cache"}


def test_yaml_11_on_key_and_string_triggers(make_repo: Callable[..., Repo]) -> None:
    repo = make_repo(
        {
            ".github/workflows/a.yml": "on: [push, workflow_dispatch]\njobs:\n  j:\n    runs-on: x\n    steps:\n      - run: make\n",
            ".github/workflows/b.yml": "'on': pull_request\njobs: {}\n",
        }
    )
    by_path = {w.path: w for w in repo.workflows}
    assert by_path[".github/workflows/a.yml"].triggered_by("workflow_dispatch")
    assert by_path[".github/workflows/b.yml"].triggered_by("pull_request")
    assert by_path[".github/workflows/a.yml"].triggers_line == 1
    assert by_path[".github/workflows/b.yml"].triggers_line == 1


def test_a_setup_python_without_cache_is_not_caching(make_repo: Callable[..., Repo]) -> None:
    repo = make_repo(
        {
            ".github/workflows/a.yml": "on: push\njobs:\n  j:\n    runs-on: x\n    steps:\n      - uses: actions/setup-python@v5\n"
        }
    )
    assert repo.workflows[0].caching_steps() == []


def test_shell_commands_split_on_separators_and_installs_do_not_run_tools() -> None:
    from verifier.workflows import runs_command, shell_commands

    assert shell_commands("pip install ruff && ruff check . || exit 1; echo done | tee log") == [
        "pip install ruff",
        "ruff check .",
        "exit 1",
        "echo done",
        "tee log",
    ]
    assert runs_command("pip install ruff && ruff check .", r"\bruff\b")
    assert not runs_command("pip install ruff pytest", r"\bruff\b")
    assert not runs_command("uv add --dev ruff", r"\bruff\b")
    assert runs_command("uv run ruff check src", r"\bruff\b")


def test_setup_uv_caches_by_default_from_v5(make_repo: Callable[..., Repo]) -> None:
    def steps(*uses: str) -> str:
        body = "".join(f"      - uses: {u}\n" for u in uses)
        return f"on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n{body}"

    repo = make_repo(
        {
            ".github/workflows/a.yaml": steps("astral-sh/setup-uv@v5", "astral-sh/setup-uv@v7.1.5"),
            ".github/workflows/b.yaml": steps("astral-sh/setup-uv@v4"),
            ".github/workflows/c.yaml": "on: push\njobs:\n  t:\n    runs-on: x\n    steps:\n"
            "      - uses: astral-sh/setup-uv@v6\n        with:\n          enable-cache: false\n",
        }
    )
    cached = {w.path: len(w.caching_steps()) for w in repo.workflows}
    assert cached == {
        ".github/workflows/a.yaml": 2,
        ".github/workflows/b.yaml": 0,
        ".github/workflows/c.yaml": 0,
    }


def test_a_matrix_given_only_through_include(make_repo: Callable[..., Repo]) -> None:
    workflow = (
        "on: push\njobs:\n  t:\n    runs-on: ${{ matrix.os }}\n    strategy:\n      matrix:\n        include:\n"
        "          - os: ubuntu-latest\n            python-version: '3.11'\n"
        "          - os: windows-latest\n            python-version: '3.12'\n    steps:\n      - run: pytest\n"
    )
    (flow,) = make_repo({".github/workflows/t.yaml": workflow}).workflows
    values = flow.matrix_values("os", "python")
    assert values["os"] == ["ubuntu-latest", "windows-latest"] and values["python-version"] == [
        "3.11",
        "3.12",
    ]


def test_a_command_is_matched_only_where_its_literals_are(monkeypatch: pytest.MonkeyPatch) -> None:
    searched: list[str] = []
    real = re.search
    monkeypatch.setattr(re, "search", lambda p, s, f=0: searched.append(s) or real(p, s, f))
    assert runs_command("pip install ruff && ruff check .", r"\bruff\s+check\b")
    assert searched  # the line holds "ruff" and "check": the regex decides
    searched.clear()
    assert not runs_command("pip install ruff && pytest -q", r"\bruff\s+check\b") and searched == []
    assert not runs_command("pip install ruff", r"\bruff\b")  # an install is no run of the tool


def test_a_pattern_compiled_at_import_is_used_with_its_own_flags(make_repo: Callable[..., Repo]) -> None:
    """Rules pass patterns compiled once at import (a worker forked per repository inherits them): they
    match as the same pattern given as a string does, and are never compiled again."""
    repo = make_repo(
        {
            ".github/workflows/tests.yaml": WORKFLOW,
            "cloudbuild.yaml": "steps:\n  - name: gcr.io/cloud-builders/docker\n    args: ['build', '-t', 'x', '.']\n",
            "config.properties": "# settings\nModel_Store=/models\n",
        }
    )
    (workflow,) = repo.workflows
    compiled = re.compile(r"\bPYTEST\b", re.IGNORECASE)
    assert [s.line for s in workflow.steps_running(compiled)] == [
        s.line for s in workflow.steps_running("PYTEST")
    ]
    (step,) = workflow.steps_running(compiled)
    assert step.runs_command(compiled) and step.command_line(compiled) == "pytest tests/"
    assert repo.step_location(workflow.path, step, compiled) == repo.step_location(
        workflow.path, step, "PYTEST"
    )
    assert repo.step_location(workflow.path, step, compiled).snippet == "pytest tests/"
    # its own flags count: without IGNORECASE, upper case does not match lower case
    assert not step.runs(re.compile(r"\bPYTEST\b")) and not step.runs_command(re.compile(r"\bPYTEST\b"))
    assert not runs_command("pip install pytest", compiled)  # near miss: an install runs nothing
    build = re.compile(r"cloud-builders/docker", re.IGNORECASE)
    assert [loc.line for loc in repo.cloudbuild_steps(build)] == [2]
    assert repo.cloudbuild_steps(re.compile(r"CLOUD-BUILDERS")) == []
    assert repo.line_of("config.properties", re.compile(r"^model_store\s*=", re.IGNORECASE)) == 2
    assert repo.line_of("config.properties", re.compile(r"^model_store\s*=")) is None


def test_a_compiled_pattern_is_run_only_where_its_literals_are(monkeypatch: pytest.MonkeyPatch) -> None:
    pattern = re.compile(r"\bruff\s+check\b", re.IGNORECASE)
    literal_checks: list[str] = []
    real = workflows.may_match
    monkeypatch.setattr(workflows, "may_match", lambda t, p, f: literal_checks.append(p) or real(t, p, f))
    assert runs_command("pip install ruff && RUFF check .", pattern)
    assert not runs_command("pip install ruff && pytest -q", pattern)
    assert literal_checks == [pattern.pattern, pattern.pattern]


def test_a_script_without_the_literals_is_passed_over_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    from verifier.workflows import Step

    literal_checks: list[str] = []
    real = workflows.may_match
    monkeypatch.setattr(workflows, "may_match", lambda t, p, f: literal_checks.append(t) or real(t, p, f))
    script = "pip install -e .\npytest -q tests/\ncoverage report\necho done\n"
    assert not Step("test", 1, run=script).runs_command(r"\bruff\s+check\b")
    assert literal_checks == [script]  # one check of the script, none per line
    literal_checks.clear()
    # near misses: the literals on one line among others, and only in an install line
    linting = Step("lint", 1, run="pip install ruff\necho start\nruff check src\n")
    assert linting.runs_command(r"\bruff\s+check\b") and len(literal_checks) > 1
    assert linting.command_line(r"\bruff\s+check\b") == "ruff check src"
    assert not Step("setup", 1, run="echo ruff\npip install ruff check\n").runs_command(r"\bruff\s+check\b")
