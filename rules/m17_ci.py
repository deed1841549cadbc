"""M17 GitHub Actions: CI running, caching and multi-platform testing, and linting in CI."""

from verifier.evidence import Evidence
from verifier.repo import Repo
from verifier.rule import Rule
from verifier.workflows import Workflow

TEST_COMMAND = (
    r"\b(pytest|unittest|coverage\s+run|tox|nox|invoke\s+test|inv\s+test|make\s+test|uv\s+run\s+test)\b"
)
CODE_EVENTS = ("push", "pull_request", "pull_request_target", "merge_group")


def test_steps(workflow: Workflow) -> list:
    return workflow.steps_running(TEST_COMMAND)


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
            locations = [repo.location(w.path, s.line, s.text) for w, s in own]
            return Evidence.found(f"Tests run in CI by {', '.join(files)} ({step.text!r}).", locations)
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


class LintingInCi(Rule):
    """A workflow step running ruff, flake8, black, pylint, mypy or pre-commit. The untouched
    template linting.yaml is template; `ruff format` without --check is weak (it never fails)."""

    id = "m17.lint-ci"
    modules = ("M17",)
    title = "Linting step in continuous integration"
    texts = ("Add a linting step to your continuous integration",)
