"""Evidence patterns that many rules share, written once."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from .evidence import Evidence, Location
from .repo import Repo
from .workflows import Step, Workflow

# Where groups wire commands: task runners, scripts, CI, Cloud Build and compose files.
AUTOMATION_GLOBS = (
    "tasks.py",
    "Makefile",
    "*.mk",
    "justfile",
    "*.sh",
    "*.ps1",
    "*.bat",
    "noxfile.py",
    "tox.ini",
    "cloudbuild*.yaml",
    "cloudbuild*.yml",
    "*.cloudbuild.yaml",
    "docker-compose*.yaml",
    "docker-compose*.yml",
    "compose*.yaml",
    "compose*.yml",
    ".github/workflows/*.yaml",
    ".github/workflows/*.yml",
)


# Automation plus the code and config files where cloud set-up leaves its traces.
TRACE_GLOBS = (
    *AUTOMATION_GLOBS,
    "*.py",
    "*.yaml",
    "*.yml",
    "*.json",
    "*.toml",
    "*.tf",
    "*.md",
    "*.js",
    "*.ts",
)


def trace_search(repo: Repo, pattern: str, limit: int = 6, prose: bool = False) -> list[Location]:
    """Lines matching `pattern` in automation, code and config files (and Markdown when `prose`)."""
    globs = TRACE_GLOBS if prose else tuple(g for g in TRACE_GLOBS if g != "*.md")
    return repo.search(pattern, *globs, limit=limit)


EXERCISE_FILE = "DM course exercise file"


def own_locations(repo: Repo, locations: Iterable[Location]) -> list[Location]:
    """Locations outside files that are untouched copies of the course template."""
    return [loc for loc in locations if repo.template_match(loc.path) is None]


def is_exercise_copy(repo: Repo, path: str) -> bool:
    """The file is an unchanged copy of a course exercise or sample file (COURSE.md trap 15)."""
    match = repo.template_match(path)
    return match is not None and match.template == EXERCISE_FILE


def usage_or_dependency(
    repo: Repo,
    uses: Sequence[Location],
    *,
    what: str,
    distributions: Sequence[str],
    looked_for: Sequence[str],
) -> Evidence:
    """found for real use in the group's own code; weak for use only in unchanged copies of course exercise
    files, or for a declared dependency only; template for use only in untouched template files; absent
    otherwise."""
    subject = what[:1].upper() + what[1:]  # `what` as the start of a sentence
    own = own_locations(repo, uses)
    if own:
        files = sorted({loc.path for loc in own})
        return Evidence.found(f"{subject} is used in {', '.join(files[:4])}.", own)
    copies = [loc for loc in uses if is_exercise_copy(repo, loc.path)]
    if copies:
        sources = sorted({repo.template_match(loc.path).file for loc in copies})  # type: ignore[union-attr]
        return Evidence.weak(
            f"{subject} appears only in unchanged copies of course exercise files ({', '.join(sources[:3])}), "
            "not in code of the group's own.",
            copies,
        )
    if uses:
        return Evidence.template(f"{subject} appears only in untouched course-template files.", uses)
    declared = repo.dependency_locations(*distributions)
    if declared:
        return Evidence.weak(
            f"{subject} is a declared dependency, but no code of the group uses it.", declared
        )
    return Evidence.absent(f"No use of {what} was found.", looked_for)


# A command that runs a test suite: pytest, unittest, coverage, tox/nox, or a task runner's test target
# (`invoke test`, `make unit-tests`, `uv run test`, `hatch test`, `just test`).
TEST_COMMAND = (
    r"\b(pytest|py\.test|unittest|coverage\s+run|tox|nox|hatch\s+test|"
    r"(?:(?:uv|pdm|poetry|hatch|pipenv)\s+run\s+|invoke\s+|inv\s+|make\s+|just\s+|task\s+)(?:unit[-_]?)?tests?)\b"
)
# A load-test script by its file name: load_test.py, locustfile.py, stress_test.py, perf_api.py,
# benchmark.py; not download.py or load_data.py.
LOAD_TEST_FILE = re.compile(r"load[-_]?test|locust|stress|(^|[-_])perf|performance|benchmark", re.IGNORECASE)
# Marketplace actions that lint (a `uses:` step runs them without any `run:` command).
LINT_ACTIONS = ("pre-commit/action", "astral-sh/ruff-action", "chartboost/ruff-action", "psf/black")


def lint_steps(repo: Repo, linters: str) -> list[tuple[Workflow, Step]]:
    """Workflow steps that run a linter: a `run:` command matching `linters` that is not an install
    command (`pip install ruff && ruff check .` counts, `pip install ruff` alone does not), or a lint action."""
    return [
        (workflow, step)
        for workflow in repo.workflows
        for step in workflow.steps
        if step.runs_command(linters) or step.uses.split("@")[0].lower() in LINT_ACTIONS
    ]


def is_job_config(repo: Repo, path: str) -> bool:
    """A Cloud Build file or a Vertex AI job config, not an experiment configuration."""
    return path in repo.vertex_configs or any(
        isinstance(document, dict) and isinstance(document.get("steps"), list)
        for document in repo.yaml_all(path)
    )
