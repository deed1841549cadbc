"""M17 GitHub Actions: CI running, caching and multi-platform testing, and linting in CI."""

import re

from verifier.checks import TEST_COMMAND, lint_steps
from verifier.evidence import Evidence
from verifier.repo import Repo
from verifier.rule import Rule
from verifier.textsearch import prepared
from verifier.workflows import Step, Workflow

CODE_EVENTS = ("push", "pull_request", "pull_request_target", "merge_group")
# A matrix key at the start of its line (the key comes from the workflow), then its colon. The look-behind
# keeps a search with KEY_ENDS linear; after a key that does not end in white space it asks nothing.
INDENT = re.compile(r"^\s*", re.IGNORECASE)
KEY_ENDS = re.compile(r"(?<!\s)\s*:", re.IGNORECASE)


LINTERS = prepared(
    re.compile(r"\b(ruff|flake8|black|pylint|mypy|pre-commit|isort|pycodestyle|ty)\b", re.IGNORECASE)
)


def test_steps(workflow: Workflow) -> list[Step]:
    return [step for step in workflow.steps if step.runs_command(TEST_COMMAND)]


class ContinuousIntegration(Rule):
    """A GitHub Actions workflow that runs the tests (pytest, unittest, coverage, tox, invoke or make
    test) on push or pull request. Only the untouched template workflow, or workflows that run on
    code changes without tests, are weak; bot-only workflows (schedule, dependabot) do not count."""

    id = "m17.ci"
    modules = ("M17",)
    title = "Continuous integration on GitHub"
    texts = (
        "Get some continuous integration running on the GitHub repository",
        "Get some continuous integration running on the github repository",
    )

    def check(self, repo: Repo) -> Evidence:
        looked_for = (".github/workflows/*.y[a]ml running tests on push or pull_request",)
        on_code = [w for w in repo.workflows if w.triggered_by(*CODE_EVENTS)]
        testing = [(w, s) for w in on_code for s in test_steps(w)]
        own = [(w, s) for w, s in testing if repo.template_match(w.path) is None]
        if own:
            _workflow, step = own[0]
            files = sorted({w.path for w, _ in own})
            locations = [repo.step_location(w.path, s, TEST_COMMAND) for w, s in own]
            return Evidence.found(
                f"Tests run in CI by {', '.join(files)} ({step.command_line(TEST_COMMAND)!r}).", locations
            )
        if testing:
            locations = [repo.location(w.path, s.line, s.text) for w, s in testing]
            return Evidence.weak(
                "Only the course template's untouched test workflow runs the tests.", locations
            )
        if on_code:
            locations = [
                repo.location(w.path, w.triggers_line or 1, f"on: {', '.join(w.triggers)}") for w in on_code
            ]
            return Evidence.weak(
                "Workflows run on push or pull request, but none of them runs the tests.", locations
            )
        if repo.workflows:
            locations = [
                repo.location(w.path, 1, f"on: {', '.join(w.triggers) or 'nothing'}") for w in repo.workflows
            ]
            return Evidence.weak("Workflows exist but none runs on push or pull request.", locations)
        return Evidence.absent("No GitHub Actions workflow was found.", looked_for)


class MatrixAndCaching(Rule):
    """A test workflow with a matrix over more than one OS or Python/PyTorch version and dependency
    caching (setup-python cache, setup-uv enable-cache, actions/cache); one of the two is weak and
    the untouched template workflow is template."""

    id = "m17.ci-matrix-cache"
    modules = ("M17",)
    title = "Caching and multi-os/python/pytorch testing in CI"
    texts = ("Add caching and multi-os/python/pytorch testing to your continuous integration",)

    def check(self, repo: Repo) -> Evidence:
        testing = [w for w in repo.workflows if test_steps(w)]
        looked_for = (
            "a test workflow with a matrix over several OS/Python/PyTorch versions",
            "setup-python cache, setup-uv enable-cache or actions/cache",
        )
        if not testing:
            return Evidence.absent(
                "No workflow runs the tests, so there is no matrix or cache to check.", looked_for
            )
        best = None
        for workflow in testing:
            axes = {
                k: v
                for k, v in workflow.matrix_values(
                    "os", "operating", "platform", "runner", "python", "torch"
                ).items()
                if len(v) > 1
            }
            cache = workflow.caching_steps()
            score = bool(axes) + bool(cache)
            if best is None or score > best[0]:
                best = (score, workflow, axes, cache)
        score, workflow, axes, cache = best
        locations = [repo.location(workflow.path, _key_line(repo, workflow.path, k) or 1) for k in axes]
        locations += [repo.location(workflow.path, step.line or None, step.uses) for step in cache]
        described = ", ".join(f"{k}: {v}" for k, v in axes.items()) or "no multi-value matrix"
        if score == 2 and repo.template_match(workflow.path):
            return Evidence.template(
                f"Only the template's untouched test workflow has a matrix and caching ({described}).",
                locations,
            )
        if score == 2:
            return Evidence.found(f"{workflow.path} tests over {described} with caching.", locations)
        if score == 1:
            missing = "caching" if axes else "matrix over several OS/Python versions"
            return Evidence.weak(
                f"{workflow.path} has {described if axes else 'caching'} but no {missing}.", locations
            )
        return Evidence.absent(
            f"The test workflows have neither a matrix nor caching ({', '.join(w.path for w in testing)}).",
            looked_for,
        )


# A formatter run without --check on the same line (within 300 characters) only rewrites files.
REFORMAT_ONLY = re.compile(r"ruff\s+format(?![^\n]{0,300}--check)|black(?![^\n]{0,300}--check)")
LINT_CHECK = re.compile(r"ruff\s+check|flake8|pylint|mypy|pre-commit")


class LintingInCi(Rule):
    """A workflow step running ruff, flake8, black, pylint, mypy or pre-commit. The untouched
    template linting.yaml is template; `ruff format` without --check is weak (it never fails)."""

    id = "m17.lint-ci"
    modules = ("M17",)
    title = "Linting step in continuous integration"
    texts = ("Add a linting step to your continuous integration",)

    def check(self, repo: Repo) -> Evidence:
        steps = lint_steps(repo, LINTERS)
        looked_for = ("a workflow step running ruff, flake8, black, pylint, mypy or pre-commit",)
        if not steps:
            return Evidence.absent("No workflow runs a linter.", looked_for)
        locations = [repo.step_location(w.path, s, LINTERS) for w, s in steps]
        own = [(w, s) for w, s in steps if repo.template_match(w.path) is None]
        if not own:
            return Evidence.template(
                "Only the template's untouched linting workflow runs a linter.", locations
            )
        checking = [
            (w, s) for w, s in own if not REFORMAT_ONLY.search(s.run) or LINT_CHECK.search(s.run) or s.uses
        ]
        if checking:
            return Evidence.found(
                "A workflow step lints the code.",
                [repo.step_location(w.path, s, LINTERS) for w, s in checking],
            )
        return Evidence.weak(
            "The workflow only reformats (ruff format / black without --check), which can never fail.",
            locations,
        )


def _key_line(repo: Repo, path: str, key: str) -> int | None:
    """The first line of `path` that starts with `key` and its colon (`^\\s*KEY\\s*:`)."""
    if key[-1:].isspace():  # only a quoted YAML key ends in white space
        return repo.line_of(path, rf"^\s*{re.escape(key)}\s*:")
    return repo.line_of_value(path, INDENT, key, KEY_ENDS)
