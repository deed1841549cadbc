"""M17 CI rules on the shapes that must be right: matrix with setup-python cache, template workflow, format-only lint."""

from __future__ import annotations

import pytest

from verifier import templates
from verifier.evidence import Status

from conftest import check

MATRIX_WORKFLOW = """name: Tests
on: [push]
jobs:
  test:
    runs-on: ${{ matrix.os }}
    strategy:
      matrix:
        os: [ubuntu-latest, windows-latest]
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
          cache: pip
      - run: pytest tests/
"""


def test_os_matrix_with_setup_python_pip_cache_is_found(make_repo) -> None:
    ev = check("m17.ci-matrix-cache", make_repo({".github/workflows/tests.yaml": MATRIX_WORKFLOW}))
    assert ev.status is Status.FOUND
    assert ev.locations[0].path == ".github/workflows/tests.yaml"
    assert ev.locations[0].line == 8
    assert any("setup-python" in (loc.snippet or "") for loc in ev.locations)


def test_untouched_template_workflow_is_template(make_repo, monkeypatch) -> None:
    blob = templates.git_blob_id(MATRIX_WORKFLOW.encode())
    table = templates._table()
    patched = {
        **table,
        "blobs": [
            *table["blobs"],
            {"id": blob, "file": ".github/workflows/tests.yaml", "template": "MT test"},
        ],
    }
    monkeypatch.setattr(templates, "_table", lambda: patched)
    ev = check("m17.ci-matrix-cache", make_repo({".github/workflows/tests.yaml": MATRIX_WORKFLOW}))
    assert ev.status is Status.TEMPLATE
    assert ev.locations[0].path == ".github/workflows/tests.yaml"


def test_ruff_format_without_check_is_weak(make_repo) -> None:
    lint = "on: push\njobs:\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - run: ruff format .\n"
    ev = check("m17.lint-ci", make_repo({".github/workflows/lint.yaml": lint}))
    assert ev.status is Status.WEAK
    assert (ev.locations[0].path, ev.locations[0].line) == (".github/workflows/lint.yaml", 6)


def test_ruff_format_check_is_found(make_repo) -> None:
    lint = "on: push\njobs:\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - run: ruff format . --check\n"
    ev = check("m17.lint-ci", make_repo({".github/workflows/lint.yaml": lint}))
    assert ev.status is Status.FOUND
    assert ev.locations[0].line == 6


def test_no_workflow_names_what_was_looked_for(make_repo) -> None:
    ev = check("m17.lint-ci", make_repo({"README.md": "ruff check ."}))
    assert ev.status is Status.ABSENT
    assert any("ruff" in item for item in ev.looked_for)


def test_ci_cites_the_test_command_line_not_the_install_line(make_repo) -> None:
    wf = (
        "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - name: Test\n        run: |\n          pip install pytest\n          pytest -v tests/\n"
    )
    ev = check("m17.ci", make_repo({".github/workflows/t.yaml": wf}))
    assert ev.status is Status.FOUND
    assert (ev.locations[0].line, ev.locations[0].snippet) == (9, "pytest -v tests/")


def workflow(*steps: str) -> str:
    body = "".join(f"      - {step}\n" for step in steps)
    return f"on: push\njobs:\n  ci:\n    runs-on: ubuntu-latest\n    steps:\n{body}"


def test_install_and_run_on_one_line_runs_the_tool(make_repo) -> None:
    repo = make_repo(
        {
            ".github/workflows/ci.yaml": workflow(
                "run: pip install pytest && pytest tests", "run: pip install ruff && ruff check ."
            )
        }
    )
    tests = check("m17.ci", repo)
    assert tests.status is Status.FOUND and tests.locations[0].line == 6
    lint = check("m17.lint-ci", repo)
    assert lint.status is Status.FOUND
    assert (lint.locations[0].line, lint.locations[0].snippet) == (7, "pip install ruff && ruff check .")


def test_installing_a_linter_is_not_running_it(make_repo) -> None:
    repo = make_repo(
        {".github/workflows/ci.yaml": workflow("run: pip install ruff mypy", "run: pip install -e .")}
    )
    assert check("m17.lint-ci", repo).status is Status.ABSENT


def test_a_lint_action_is_a_lint_step_cited_at_its_uses_line(make_repo) -> None:
    repo = make_repo(
        {".github/workflows/ci.yaml": workflow("uses: actions/checkout@v4", "uses: astral-sh/ruff-action@v3")}
    )
    lint = check("m17.lint-ci", repo)
    assert lint.status is Status.FOUND
    assert (lint.locations[0].line, lint.locations[0].snippet) == (7, "astral-sh/ruff-action@v3")


@pytest.mark.parametrize(
    "command",
    [
        "python -m pytest tests/",
        "uv run pytest",
        "invoke tests",
        "make unit-tests",
        "uv run test",
        "hatch test",
        "just test",
        "coverage run -m pytest",
    ],
)
def test_test_runners_of_every_shape_count(make_repo, command: str) -> None:
    ev = check("m17.ci", make_repo({".github/workflows/ci.yaml": workflow(f"run: {command}")}))
    assert ev.status is Status.FOUND and ev.locations[0].snippet == command


@pytest.mark.parametrize(
    "command", ["pip install pytest", "echo testing", "make docs", "uv sync --group test"]
)
def test_commands_that_do_not_run_tests_do_not_count(make_repo, command: str) -> None:
    ev = check("m17.ci", make_repo({".github/workflows/ci.yaml": workflow(f"run: {command}")}))
    assert ev.status is not Status.FOUND


@pytest.mark.parametrize(
    "step",
    [
        "uses: hadolint/hadolint-action@v3.1.0",
        "uses: DavidAnson/markdownlint-cli2-action@v16",
        "uses: useblacksmith/setup-docker-builder@v1",
        "run: make format",
        "run: make install-lint-deps",
    ],
)
def test_other_linters_and_format_targets_are_no_python_lint_step(make_repo, step: str) -> None:
    ev = check("m17.lint-ci", make_repo({".github/workflows/ci.yaml": workflow(step)}))
    assert ev.status is Status.ABSENT
