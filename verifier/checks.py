"""Evidence patterns that many rules share, written once."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from .evidence import Evidence, Location
from .repo import Repo
from .textsearch import prepared
from .workflows import Step, Workflow, parse_workflow

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
DOCKER_BUILD_COMMAND = prepared(r"\bdocker(\s+buildx)?\s+build\b|\bbuilds\s+submit\b")


def trace_search(repo: Repo, pattern: str, limit: int = 6, prose: bool = False) -> list[Location]:
    """Lines matching `pattern` in automation, code and config files (and Markdown when `prose`)."""
    globs = TRACE_GLOBS if prose else tuple(g for g in TRACE_GLOBS if g != "*.md")
    return repo.search(pattern, *globs, limit=limit)


EXERCISE_FILE = "DM course exercise file"


def may_name(repo: Repo, path: str, word: str) -> bool:
    """False when no fact of the Python file `path` can hold `word` in a name (a keyword argument, a call
    or import name, an identifier): its text is ASCII (an identifier outside ASCII may be normalized to an
    ASCII one), holds no NUL (a file the parser refuses is read as text with its NULs dropped) and lacks
    `word`. Checking the text is far cheaper than looking at every call of a file, and most files lack the
    word. A notebook's facts come from its cells, not from the file's JSON text as written: always True."""
    if path.endswith(".ipynb"):
        return True
    text = repo.read(path)
    return text is None or word in text or "\0" in text or not text.isascii()


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
TEST_COMMAND = prepared(
    re.compile(
        r"\b(pytest|py\.test|unittest|coverage\s+run|tox|nox|hatch\s+test|"
        r"(?:(?:uv|pdm|poetry|hatch|pipenv)\s+run\s+|invoke\s+|inv\s+|make\s+|just\s+|task\s+)(?:unit[-_]?)?tests?)\b",
        re.IGNORECASE,
    )
)
# A load-test script by its file name: load_test.py, locustfile.py, stress_test.py, perf_api.py,
# benchmark.py; not download.py or load_data.py.
LOAD_TEST_FILE = re.compile(r"load[-_]?test|locust|stress|(^|[-_])perf|performance|benchmark", re.IGNORECASE)
# Marketplace actions that lint (a `uses:` step runs them without any `run:` command): ruff-action,
# psf/black, pre-commit/action, py-actions/flake8, super-linter, wearerequired/lint-action ...
LINT_ACTION = re.compile(
    r"ruff|flake8|pylint|pre-commit/action|psf/black|/black-action|super-linter|wearerequired/lint-action|python-lint",
    re.IGNORECASE,
)
# A task-runner target named for linting: `make lint`, `uv run invoke lint`, `tox -e lint` (not `make format`,
# which only reformats, nor `make install-lint-deps`).
TASK_LINT = re.compile(
    r"\b(?:make|invoke|inv|just|task|poe|tox\s+-e|nox\s+-s)\s+(?:[\w-]+:)?"
    r"(?:lint|linting|lint[-_](?:check|code|all|ci)|style|check[-_]?(?:style|lint|format)|format[-_]check|ruff|flake8)\b",
    re.IGNORECASE,
)
# Hook ids of linters and formatters in a pre-commit config.
LINT_HOOKS = frozenset(
    {
        "ruff",
        "ruff-check",
        "ruff-format",
        "black",
        "black-jupyter",
        "flake8",
        "pylint",
        "isort",
        "autopep8",
        "pycodestyle",
        "mypy",
    }
)
LINTER_COMMAND = re.compile(r"\b(ruff|flake8|black|pylint|isort|autopep8|pycodestyle|mypy)\b", re.IGNORECASE)
PEP8_COMMAND = re.compile(r"\b(ruff|flake8|black|pylint|isort|autopep8|pycodestyle)\b", re.IGNORECASE)


def precommit_lint_hooks(repo: Repo, type_checkers: bool = True) -> list[str]:
    """The pre-commit hooks that lint or format: known hook ids, and local hooks whose entry runs a linter.
    `type_checkers=False` leaves mypy out (a type checker is no pep8 check)."""
    config = repo.precommit
    if config is None:
        return []
    hooks = LINT_HOOKS if type_checkers else LINT_HOOKS - {"mypy"}
    command = LINTER_COMMAND if type_checkers else PEP8_COMMAND
    return [hook for hook in config["hooks"] if hook in hooks] + [
        entry for entry in config["entries"] if command.search(entry)
    ]


def lint_steps(
    repo: Repo, linters: str | re.Pattern[str], type_checkers: bool = True
) -> list[tuple[Workflow, Step]]:
    """Workflow steps that run a linter: a `run:` command matching `linters` that is not an install
    command (`pip install ruff && ruff check .` counts, `pip install ruff` alone does not), a task-runner
    lint target (`make lint`), or a lint action. Running pre-commit counts only when its config has a lint
    hook (the sample config's whitespace hooks lint nothing)."""
    lints_in_precommit = bool(precommit_lint_hooks(repo, type_checkers))
    found = []
    for workflow in repo.workflows:
        for step in workflow.steps:
            action = step.uses.split("@")[0]
            runs = (
                step.runs_command(linters)
                or bool(TASK_LINT.search(step.run))
                or bool(LINT_ACTION.search(action))
            )
            only_precommit = (
                not LINTER_COMMAND.search(step.run)
                and not TASK_LINT.search(step.run)
                and ("pre-commit" in step.run or "pre-commit" in action)
            )
            if runs and (lints_in_precommit or not only_precommit):
                found.append((workflow, step))
    return found


def instantiated(repo: Repo, word: str) -> list[Location]:
    """Hydra `instantiate(...)` calls whose argument names `word` (`instantiate(cfg.trainer)` for
    "trainer"): the code builds that object from its config."""
    return [
        repo.location(path, call.line)
        for path, call in repo.calls("hydra.utils.instantiate", "instantiate")
        if call.args and word in str(call.args[0]).lower()
    ]


# Workflows and compose files: YAML that runs jobs or services, never a training or data-loading config.
NOT_TRAINING_CONFIG = re.compile(r"(^|/)(\.github|docker-compose|compose)")


def training_config_documents(repo: Repo, holding: Iterable[str] = ()) -> Iterator[tuple[str, Any]]:
    """(path, document) of the YAML documents that may configure training or data loading; with
    `holding`, of the files that may hold one of those literals only (`Repo.yaml_documents`)."""
    return (
        (path, doc)
        for path, doc in repo.yaml_documents(holding=holding)
        if not NOT_TRAINING_CONFIG.search(path)
    )


def is_job_config(repo: Repo, path: str) -> bool:
    """A Cloud Build file or a Vertex AI job config, not an experiment configuration. A config file whose
    text cannot hold a `steps` key is not parsed for it (most experiment configs are parsed by no rule)."""
    return path in repo.vertex_configs or any(
        isinstance(document, dict) and isinstance(document.get("steps"), list)
        for document in repo.yaml_all(path, holding=("steps",))
    )


# A container registry on GCP: Container Registry (gcr.io, eu.gcr.io) or Artifact Registry (<region>-docker.pkg.dev).
GCP_REGISTRY = re.compile(r"(?<![\w.-])(?:[a-z]+\.)?gcr\.io/\S+|(?<![\w.-])[a-z0-9-]+-docker\.pkg\.dev/\S+")
_DOCKER_BUILD = re.compile(r"\bdocker(?:\s+buildx)?\s+build\b|\bbuilds\s+submit\b|\bkaniko")
_DOCKERFILE_FLAG = re.compile(r"(?:^|\s)(?:-f|--file|--dockerfile)[=\s]+['\"]?([^\s'\"]+)")
_TAG_FLAG = re.compile(r"(?:^|\s)(?:-t|--tag|--destination)[=\s]+['\"]?([^\s'\"]+)")
# A container command that trains: train.py, train_model.py, `-m pkg.train`, `invoke train`, a W&B sweep agent.
TRAINING_COMMAND = re.compile(r"(?<![a-z])train|\bwandb\s+agent\b", re.IGNORECASE)


@dataclass(frozen=True)
class ImageBuild:
    """A docker image build the repository wires up: where it is, the image tag it pushes, and the
    Dockerfile it builds (None when that file is not in the repository)."""

    location: Location
    tag: str
    dockerfile: str | None


def gcp_image_builds(repo: Repo) -> list[ImageBuild]:
    """Image builds tagged for a GCP registry (gcr.io or Artifact Registry): Cloud Build docker or kaniko
    steps (any file name), and `docker build` / `gcloud builds submit --tag` lines in scripts, task runners,
    workflows and compose files. An image pushed to Docker Hub or GHCR is not on GCP."""
    builds = []
    for path in repo.cloudbuild_files:
        for document in repo.yaml_all(path):
            for step in document.get("steps") or [] if isinstance(document, dict) else []:
                args = step.get("args") or []
                command = " ".join(str(a) for a in (args if isinstance(args, list) else [args]))
                command = f"{step.get('name', '')} {command} {step.get('script', '')}"
                builds += _builds_in(
                    repo, command, repo.location(path, getattr(step, "line", None) or 1, command)
                )
    for location in repo.search(DOCKER_BUILD_COMMAND, *AUTOMATION_GLOBS, limit=20):
        builds += _builds_in(repo, location.snippet, location)
    return builds


def _builds_in(repo: Repo, command: str, location: Location) -> list[ImageBuild]:
    if not _DOCKER_BUILD.search(command):
        return []
    tags = [tag for tag in _TAG_FLAG.findall(command) if GCP_REGISTRY.match(tag)]
    named = _DOCKERFILE_FLAG.search(command)
    dockerfile = named.group(1).removeprefix("./") if named else "Dockerfile"
    return [ImageBuild(location, tag, dockerfile if repo.has(dockerfile) else None) for tag in tags]


def container_command(repo: Repo, dockerfile: str) -> str:
    """The ENTRYPOINT and CMD of a Dockerfile as one line (empty when it has none or is not parsed)."""
    parsed = next((d for d in repo.dockerfiles if d.path == dockerfile), None)
    if parsed is None:
        return ""
    return " ".join(args for keyword in ("ENTRYPOINT", "CMD") for _, args in parsed.get(keyword))


def trains(repo: Repo, build: ImageBuild) -> bool:
    """The image trains: its Dockerfile's ENTRYPOINT/CMD runs training, or, when the Dockerfile is not
    in the repository, the image's own name says so (`.../train:latest`)."""
    if build.dockerfile is not None:
        return bool(TRAINING_COMMAND.search(container_command(repo, build.dockerfile)))
    name = build.tag.rsplit("/", 1)[-1].split(":")[0]
    return bool(TRAINING_COMMAND.search(name))


def stray_workflows(repo: Repo) -> list[Workflow]:
    """YAML files written as GitHub Actions workflows (`on:` triggers and `jobs:`) that lie outside
    .github/workflows/ (or in a folder below it): GitHub never runs them."""
    found = []
    for path, document in repo.yaml_documents(holding=("jobs",)):
        if path.startswith(".github/workflows/") and path.count("/") == 2:
            continue
        if isinstance(document, dict) and isinstance(document.get("jobs"), dict):
            workflow = parse_workflow(path, document, repo.read(path) or "")
            if workflow.error is None and workflow.triggers:
                found.append(workflow)
    return found
