"""M2 Package manager: a dedicated environment and declared dependencies."""

import re
import sys

from verifier.dependencies import NAMESPACE_PREFIXES, distributions_for_import, provided_through
from verifier.evidence import Evidence, Location
from verifier.repo import Repo
from verifier.rule import Rule, checked
from verifier.textsearch import prepared

DEPENDENCIES_KEY = re.compile(r"dependencies", re.IGNORECASE)
ENVIRONMENT_FILES = (
    "uv.lock",
    "poetry.lock",
    "pdm.lock",
    "Pipfile",
    "Pipfile.lock",
    "environment.yml",
    "environment.yaml",
    "requirements*.txt",
    "requirements/*.txt",
    "*requirements*.txt",
    "requirements*.in",
    "conda*.yml",
    "conda*.yaml",
    "pixi.toml",
    "pixi.lock",
    ".python-version",
    "setup.py",
    "setup.cfg",
)
TEMPLATE_RUNTIME = frozenset({"torch", "typer", "fastapi", "uvicorn"})
BUILD_BACKENDS = frozenset({"setuptools", "pkg_resources"})


CONDA_CREATE = prepared(r"conda (create|env create)")


class Environment(Rule):
    """A dedicated, reproducible environment: a pyproject.toml with dependencies (at the root or in a
    subfolder), a lock file (uv.lock, poetry.lock, pixi.lock), environment.yml or conda*.yaml,
    requirements*.txt / *requirements*.txt / requirements*.in, pixi.toml or .python-version. Only the
    untouched template pyproject.toml is template."""

    id = "m02.environment"
    modules = ("M2",)
    title = "Dedicated environment for the project's packages"
    texts = ("Create a dedicated environment for you project to keep track of your packages",)

    def check(self, repo: Repo) -> Evidence:
        files = [
            p for p in repo.glob(*ENVIRONMENT_FILES) if not repo.is_excluded(p) and not repo.is_generated(p)
        ]
        declared = {d.name for d in repo.dependencies if d.path == "pyproject.toml"}
        # A pyproject.toml with dependencies in a subfolder (backend/, api/) declares an environment too.
        files += sorted({d.path for d in repo.dependencies if d.path.endswith("/pyproject.toml")})
        locations = [repo.location(path, 1, path) for path in files]
        if declared and (files or not declared <= TEMPLATE_RUNTIME):
            locations.insert(
                0, repo.location("pyproject.toml", repo.line_of("pyproject.toml", DEPENDENCIES_KEY))
            )
        if locations:
            return Evidence.found(
                f"Environment declared in {', '.join(loc.path for loc in locations[:5])}.", locations
            )
        if declared:
            where = repo.location("pyproject.toml", repo.line_of("pyproject.toml", DEPENDENCIES_KEY))
            return Evidence.template(
                "Only the template's pyproject.toml dependencies (torch, typer, fastapi, uvicorn).", [where]
            )
        return Evidence.absent(
            "No environment definition was found.", ("pyproject.toml dependencies", *ENVIRONMENT_FILES)
        )


class CondaEnvironment(Rule):
    """2022 wording "(using conda)": a conda environment file (environment.yml) counts; another
    environment manager is weak evidence for this wording."""

    id = "m02.conda-environment"
    modules = ("M2",)
    title = "Dedicated conda environment (2022 wording)"
    texts = ("Create a dedicated environment for you project to keep track of your packages (using conda)",)

    def check(self, repo: Repo) -> Evidence:
        files = [
            repo.location(p, 1, p)
            for p in repo.glob(
                "environment*.yml", "environment*.yaml", "conda*.yml", "conda*.yaml", "env.yml", "env.yaml"
            )
            if not repo.is_generated(p)
        ]
        # `conda create` in the templates' Makefile/tasks.py (their create_environment target) is no
        # choice of the group's; a command of its own, or one in the README, is.
        commands = [
            loc
            for loc in repo.search(CONDA_CREATE, "Makefile", "tasks.py", "*.md")
            if repo.template_match(loc.path) is None and not _in_template_target(repo, loc)
        ]
        if files or commands:
            return Evidence.found("A conda environment is defined.", files + commands)
        other = checked(Environment, repo)
        if other.locations:
            return Evidence.weak("An environment is defined, but not with conda.", other.locations)
        return Evidence.absent(
            "No conda environment file was found.", ("environment.yml", "conda env create")
        )


def _in_template_target(repo: Repo, location: Location) -> bool:
    """The line is in the templates' `create_environment` Makefile target or invoke task."""
    lines = repo.lines(location.path)[: location.line or 0]
    owner = next(
        (
            line
            for line in reversed(lines)
            if re.match(r"(def\s+)?[A-Za-z_][\w-]*\s*[:(]", line)
            and not re.match(r"(ifn?eq|ifn?def|else|endif)\b", line)  # Makefile conditionals inside a target
        ),
        "",
    )
    return bool(re.match(r"(def\s+)?create_environment\b", owner))


class Requirements(Rule):
    """Declared dependencies cover the third-party packages the group's code imports (a package that a
    declared one requires, such as pydantic with fastapi or torch with torchvision, counts and is named, and
    so does a package a lock file holds as a transitive one); undeclared imports are listed and make the
    evidence weak."""

    id = "m02.requirements"
    modules = ("M2", "M6")
    title = "Requirements / pyproject / uv.lock kept up to date"
    texts = (
        "Remember to either fill out the `requirements.txt`/`requirements_dev.txt` files or keeping your "
        "`pyproject.toml`/`uv.lock` up-to-date with whatever dependencies that you are using",
        "Remember to fill out the `requirements.txt` and `requirements_dev.txt` file with whatever "
        "dependencies that you are using",
        "Remember to fill out the `requirements.txt` file with whatever dependencies that you are using",
    )

    def check(self, repo: Repo) -> Evidence:
        declared = {d.name for d in repo.dependencies}
        if not declared:
            return Evidence.absent(
                "No declared dependencies.",
                ("requirements*.txt", "pyproject.toml", "uv.lock", "environment.yml"),
            )
        local = {
            part
            for path in repo.paths_containing(".py")
            if path.endswith(".py")
            for part in path[:-3].split("/")
        }
        provided = provided_through(declared)
        for locked in repo.transitive_locked:  # installed with the lock, though not the group's own choice
            provided.setdefault(locked.name, f"{locked.path} (transitively)")
        missing: dict[str, object] = {}
        through: dict[str, str] = {}
        for path in repo.code_files:
            if not path.endswith(".py"):
                continue
            for module, line in repo.python(path).imports:
                top = module.split(".")[0]
                if not top or top in sys.stdlib_module_names or top in local or top == "__future__":
                    continue
                if top in BUILD_BACKENDS and path.rsplit("/", 1)[-1] == "setup.py":
                    continue
                candidates = distributions_for_import(top)
                namespace = NAMESPACE_PREFIXES.get(top)
                if declared & set(candidates) or (
                    namespace and any(name.startswith(namespace) for name in declared)
                ):
                    continue
                origin = provided.get(candidates[0])  # the import's own distribution, not a namespace sibling
                if origin:
                    through.setdefault(top, origin)
                else:
                    missing.setdefault(top, repo.location(path, line))
        sources = sorted({d.path for d in repo.dependencies})
        if not missing:
            note = "; ".join(f"{top} comes with {origin}" for top, origin in sorted(through.items()))
            return Evidence.found(
                f"Every third-party import is declared ({', '.join(sources[:4])})"
                + (f"; {note}." if note else "."),
                [repo.location(path, 1, path) for path in sources],
            )
        names = ", ".join(sorted(missing))
        return Evidence.weak(
            f"Imported but not declared: {names}.", list(missing.values()), undeclared=sorted(missing)
        )
