"""The repository's configuration files, each parsed once: YAML (safe loader only), TOML, GitHub Actions
workflows, Dockerfiles, Cloud Build and Vertex AI configs, the pre-commit config, and the dependencies
declared across pyproject.toml, requirements files, lock files, environment files and Dockerfiles.

A file that cannot be parsed is one warning and is left out; it never stops the verification.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from . import dependencies as deps
from .evidence import Location
from .filelist import TEXT_SUFFIXES, FileList
from .reader import Reader
from .safe_yaml import YamlRefused, has_key, surely_loads
from .safe_yaml import load_all as yaml_load_all
from .workflows import Step, Workflow, parse_workflow, runs_command

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

FROM_IMAGE = re.compile(r"(?m)^FROM\s+(--platform=\S+\s+)?[\w./:@${}-]+(\s+AS\s+[\w.-]+)?\s*$")
DOCKERFILE = re.compile(r"(?i)^(.*\.)?dockerfile(\..*)?$")
# Other spellings count when the file has a FROM instruction (not docs/dockerfile_notes.md).
DOCKERFILE_SPELLED = re.compile(r"(?i)^(.*[._-])?(docker|container)file([._-].*)?$")
CONFLICT_MARKERS = ("<<<<<<<", "=======", ">>>>>>>")  # at a line start: a merge conflict left in the file
LOCK_PACKAGE = re.compile(r"\[\[[ \t]*package[ \t]*\]\][ \t]*(#.*)?")
LOCK_KEY = re.compile(r"""(name|version)[ \t]*=[ \t]*(?:"([^"\\\n]*)"|'([^'\n]*)')[ \t]*(#.*)?""")
# The first characters of the lines that matter in a lock file: a table header, a `name` or `version` key,
# a quoted key, a merge conflict marker.
LOCK_LINE_FIRST = frozenset("[nv\"'<=>")
LOCK_LINE_START = re.compile(r"\n(?=[\[nv\"'<=>])")
# The first escape of a double-quoted YAML scalar (`"st\x65ps"`): the only way a key or value holds a
# literal its text does not. Found from the scalar's opening quote, so never missed.
ESCAPE_IN_DOUBLE_QUOTES = re.compile(r'"[^"\\]*\\')


@dataclass(frozen=True)
class Dockerfile:
    path: str
    instructions: tuple[tuple[int, str, str], ...]

    def get(self, keyword: str) -> list[tuple[int, str]]:
        return [(line, args) for line, word, args in self.instructions if word == keyword.upper()]

    @property
    def base_images(self) -> list[str]:
        return [
            args.split()[-1] if " AS " not in args.upper() else args.split()[0]
            for _, args in self.get("FROM")
        ]


# The folders a tool writes one run into: W&B's `wandb/run-20240112_121503-o0m9roav/` and the config of each
# sweep run in `wandb/sweep-<id>/` (not a `configs/wandb/` folder of the group's sweep configs), Hydra's dated
# `outputs/` and `multirun/` runs and their `.hydra/`, MLflow's `mlruns/` and Lightning's `lightning_logs/`.
TOOL_RUN_FOLDER = re.compile(
    r"(?:^|/)(?:wandb/(?:offline-)?run-[^/]+/|wandb/sweep-[^/]+/|wandb/latest-run/|"
    r"(?:outputs|multirun)/\d{4}-\d{2}-\d{2}/|\.hydra/|mlruns/|lightning_logs/)"
)


class ConfigFiles:
    """Parsed views of the configuration files of `files`, read through `reader` (whose `location` makes
    the Locations cited); `warn` gets one line per file that cannot be parsed."""

    def __init__(self, files: FileList, reader: Reader, *, warn: Callable[[str], None]) -> None:
        self.files = files
        self.reader = reader
        self.warn = warn
        self._yaml: dict[str, list[Any]] = {}
        self._loads: set[str] = set()  # YAML files `surely_loads` proved to load without a warning

    # ----------------------------------------------------------------- YAML

    def yaml_all(self, path: str, holding: Iterable[str] = ()) -> list[Any]:
        """Every document of a YAML file (empty on error, with a warning); with `holding`, none of a file
        not parsed yet whose text cannot hold one of those literals (`_may_hold`: a caller that judges only
        documents with one of those keys or values is spared the parse)."""
        if holding and path not in self._yaml and not self._may_hold(path, holding):
            return []
        if path not in self._yaml:
            text = self.reader.read(path)
            documents: list[Any] = []
            if text is not None:
                try:
                    documents = yaml_load_all(text)
                except YamlRefused as error:
                    self.warn(f"{path}: {error}; file skipped")
            self._yaml[path] = documents
        return self._yaml[path]

    def yaml(self, path: str) -> Any:
        documents = self.yaml_all(path)
        return documents[0] if documents else None

    def yaml_documents(self, *patterns: str, holding: Iterable[str] = ()) -> Iterator[tuple[str, Any]]:
        """(path, document) for every YAML document in files matching `patterns` (default: all YAML but the
        copies tools write into their run folders, TOOL_RUN_FOLDER: a W&B run's conda environment or a Hydra
        run's saved config is never a Cloud Build, Vertex, sweep or service config of the group's); with
        `holding`, a file not parsed yet is parsed only when its text may hold one of those literals (see
        `_may_hold`): the caller judges each document given, the pre-check only spares parsing."""
        for path in self.files.glob(*(patterns or ("*.yaml", "*.yml"))):
            if self.files.is_excluded(path) or (not patterns and TOOL_RUN_FOLDER.search(path)):
                continue
            if holding and path not in self._yaml and not self._may_hold(path, holding):
                continue
            for document in self.yaml_all(path):
                yield path, document

    def _may_hold(self, path: str, literals: Iterable[str]) -> bool:
        """Whether a document of `path` may hold one of `literals` (a key, or a word of a value), telling a
        file that cannot from its text alone: a YAML key or value holds a literal only where the text does,
        unless it is spelled with an escape (a double-quoted scalar with a backslash keeps the file). A file passed over is
        still one that would give a warning when loaded (invalid or refused): unless `surely_loads` proves
        it loads, it is loaded, so the warnings stay those of loading every file in turn. Most YAML files
        of a repository hold none of the keys a rule looks for, and composing and building them is most of
        the YAML cost (`surely_loads` costs about a tenth of a load)."""
        text = self.reader.read(path)
        if text is None:
            return False
        if any(literal in text for literal in literals) or ESCAPE_IN_DOUBLE_QUOTES.search(text):
            return True
        if path in self._loads:
            return False
        if not surely_loads(text):
            return True
        self._loads.add(path)
        return False

    @cached_property
    def cloudbuild_files(self) -> list[str]:
        """YAML files (any name) holding a Cloud Build document: a top-level `steps` list of mappings with `name`."""
        return sorted(
            {
                path
                for path, document in self.yaml_documents(holding=("steps",))
                if isinstance(document, dict)
                and isinstance(steps := document.get("steps"), list)
                and steps
                and all(isinstance(step, dict) and "name" in step for step in steps)
            }
        )

    @cached_property
    def vertex_configs(self) -> list[str]:
        """YAML files (any name) holding a Vertex AI job config: a `workerPoolSpecs` key at any depth."""
        return sorted(
            {
                path
                for path, document in self.yaml_documents(holding=("workerPoolSpecs",))
                if has_key(document, "workerPoolSpecs")
            }
        )

    def cloudbuild_steps(self, pattern: str | re.Pattern[str]) -> list[Location]:
        """Cloud Build steps (in YAML files of any name) whose `name args entrypoint script` text matches
        the regex `pattern`, e.g. r"run\\s+deploy" for `args: ['run', 'deploy', ...]`: a string ignoring
        case, a pattern compiled at import (by the rule) with its own flags."""
        steps = self._step_texts
        if not steps:  # most repositories have none: a string pattern is not even compiled
            return []
        compiled = re.compile(pattern, re.IGNORECASE) if isinstance(pattern, str) else pattern
        return [
            self.reader.location(path, line, text.strip())
            for path, line, text in steps
            if compiled.search(text)
        ]

    @cached_property
    def _step_texts(self) -> list[tuple[str, int, str]]:
        """(path, line, `name args entrypoint script` text) of every step of a top-level `steps` list of
        mappings in a YAML file: worked out once, as four rules ask `cloudbuild_steps` with their patterns."""
        found = []
        for path, document in self.yaml_documents(holding=("steps",)):
            steps = document.get("steps") if isinstance(document, dict) else None
            for step in steps if isinstance(steps, list) else []:
                if not isinstance(step, dict):
                    continue
                args = step.get("args") or []
                parts = (
                    step.get("name", ""),
                    *(args if isinstance(args, list) else [args]),
                    step.get("entrypoint", ""),
                    step.get("script", ""),
                )
                text = " ".join(str(part) for part in parts if part)
                found.append((path, getattr(step, "line", None) or 1, text))
        return found

    # ----------------------------------------------------------------- TOML

    def toml(self, path: str) -> dict[str, Any] | None:
        text = self.reader.read(path)
        if text is None:
            return None
        try:
            return tomllib.loads(text)
        except (tomllib.TOMLDecodeError, RecursionError, ValueError) as error:
            self.warn(f"{path}: invalid TOML ({error}); file skipped")
            return None

    @cached_property
    def pyproject(self) -> dict[str, Any]:
        return (self.toml("pyproject.toml") or {}) if self.files.has("pyproject.toml") else {}

    # ----------------------------------------------------------------- workflows

    @cached_property
    def workflows(self) -> list[Workflow]:
        """GitHub Actions workflows under .github/workflows/ (YAML 1.1 `on:` read as True is handled)."""
        found = []
        for path in self.files.glob(".github/workflows/*.yml", ".github/workflows/*.yaml"):
            if path.count("/") != 2:
                continue
            workflow = parse_workflow(path, self.yaml(path), self.reader.read(path) or "")
            if workflow.error and workflow.error != "no 'on:' triggers":
                self.warn(f"{path}: not a workflow ({workflow.error})")
            found.append(workflow)
        return found

    def step_location(self, path: str, step: Step, pattern: str | re.Pattern[str]) -> Location:
        """The line of a workflow step's `run:` script with a command matching `pattern` that is not an
        install command (`Step.runs_command`), cited at its own line; for a step without one (a `uses:`
        step), the step's first line."""
        lines = self.reader.lines(path)
        for number in range(step.line or 1, min(len(lines), (step.line or 1) + 200) + 1):
            text = lines[number - 1].strip().removeprefix("- ").removeprefix("run:").strip()
            if text and text in step.run and runs_command(text, pattern):
                return Location(path, number, text)
        return self.reader.location(path, step.line or None, step.text)

    # ----------------------------------------------------------------- dependencies

    @cached_property
    def dependencies(self) -> list[deps.Dependency]:
        """Declared dependencies from pyproject, requirements*.txt, uv.lock, poetry.lock, environment.yml and
        Dockerfiles' pip installs. A lock file's package counts only when the lock names it a direct
        dependency of the group's project (uv.lock) or a manifest declares it too (`deps.read_lock`); the
        others are `transitive_locked`."""
        return self._dependencies_and_transitive[0]

    @property
    def transitive_locked(self) -> list[deps.Dependency]:
        """Packages of uv.lock and poetry.lock that no manifest declares and the lock does not name as a
        direct dependency of the group's project: installed, but pulled in by another package."""
        return self._dependencies_and_transitive[1]

    def _manifests(self, *patterns: str) -> list[str]:
        """The files matching `patterns` that can be the group's manifests: not the copies tools write into
        their run folders (a W&B run's `files/requirements.txt` and `conda-environment.yaml` freeze the
        whole environment), which are neither read nor counted as declaring anything."""
        return [path for path in self.files.glob(*patterns) if not self.files.is_generated(path)]

    @cached_property
    def _dependencies_and_transitive(self) -> tuple[list[deps.Dependency], list[deps.Dependency]]:
        before: list[deps.Dependency] = []
        for path in self._manifests("pyproject.toml"):
            data = self.pyproject if path == "pyproject.toml" else self.toml(path)
            if data:
                before += deps.from_pyproject(path, self.reader.read(path) or "", data)
        for path in self._manifests(
            "requirements*.txt", "requirements/*.txt", "*requirements*.txt", "*.requirements"
        ):
            before += deps.from_requirements_txt(path, self.reader.read(path) or "")
        after: list[deps.Dependency] = []
        for path in self._manifests("environment.yml", "environment.yaml", "conda*.yml", "conda*.yaml"):
            after += deps.from_environment_yml(path, self.reader.read(path) or "", self.yaml(path))
        for dockerfile in self.dockerfiles:
            for line, command in dockerfile.get("RUN"):
                after += deps.from_pip_install(dockerfile.path, line, command)
        manifest = {dep.name for dep in before + after}
        locked: list[deps.Dependency] = []
        transitive: list[deps.Dependency] = []
        for path in self._manifests("uv.lock", "poetry.lock"):
            packages = self.lock_packages(path)
            text = self.reader.read(path) or ""
            projects = deps.uv_lock_projects(text) if path.endswith("uv.lock") else None
            read = deps.read_lock(path, {"package": packages}, projects=projects, manifest=manifest)
            locked += read.declared
            transitive += read.transitive
        # the manifests are the group's own (`_manifests`); a Dockerfile in a tool's folder may still name some
        kept = [dep for dep in before + locked + after if not self.files.is_generated(dep.path)]
        return kept, transitive

    def lock_packages(self, path: str) -> list[dict[str, Any]]:
        """The `[[package]]` tables of a uv.lock or poetry.lock, as far as `deps.from_lock` reads them (their
        `name` and `version`). A lock file is machine-written (each table starts at a header line, its keys
        start their lines), so only the lines that can start a table or hold those keys are looked at, far
        faster than a TOML parser reads the whole. One that may not be machine-written (holding merge
        conflict markers or quoted keys) is parsed as TOML, as any other file, so it gives what the parser
        gives (nothing, with a warning, when it is invalid). One cut at the read cap gives nothing, with a
        warning, as its cut TOML would (a partial list would count only the packages before the cut)."""
        text = self.reader.read(path)
        if text is None:
            return []
        if path in self.reader.truncated:
            self.warn(f"{path}: a lock file cut at the read cap does not parse; its packages were not read")
            return []
        packages = _lock_packages(text)
        if packages is not None:
            return packages
        data = self.toml(path)
        tables = data.get("package") if isinstance(data, dict) else None
        return [table for table in tables if isinstance(table, dict)] if isinstance(tables, list) else []

    def dependency(self, *names: str) -> list[deps.Dependency]:
        """Declarations of any of the distributions `names` (compared as PEP 503 names)."""
        wanted = {deps.normalize(name) for name in names}
        return [dep for dep in self.dependencies if dep.name in wanted]

    def dependency_locations(self, *names: str) -> list[Location]:
        return [
            self.reader.location(d.path, d.line, None if d.line else d.spec) for d in self.dependency(*names)
        ]

    # ----------------------------------------------------------------- Dockerfiles, pre-commit

    @cached_property
    def dockerfiles(self) -> list[Dockerfile]:
        """Dockerfiles anywhere, parsed into instructions: Dockerfile, Dockerfile.api, Dockerfile_train,
        Dockerfile-api, api.dockerfile, api_dockerfile, Containerfile, and files without a suffix in a
        dockerfiles/ folder that start with a FROM instruction."""
        candidates = self.files.paths_containing(
            "dockerfile", ignore_case=True
        ) + self.files.paths_containing("containerfile", ignore_case=True)
        found = []
        for path in sorted(set(candidates)):
            folder, _, name = path.rpartition("/")
            if self.files.is_excluded(path):
                continue
            if DOCKERFILE.match(name):
                found.append(_parse_dockerfile(path, self.reader.read(path) or ""))
            elif os.path.splitext(name)[1].lower() in TEXT_SUFFIXES - {".dockerfile"}:
                continue  # docs/dockerfile_notes.md
            elif DOCKERFILE_SPELLED.match(name) or (
                folder.lower().endswith("dockerfiles") and "." not in name
            ):
                text = self.reader.read(path) or ""
                # An upper-case FROM with an image, not prose ("From this folder").
                if FROM_IMAGE.search(text):
                    found.append(_parse_dockerfile(path, text))
        return found

    @cached_property
    def precommit(self) -> dict[str, Any] | None:
        """The pre-commit config: {'path', 'repos': [repo urls], 'hooks': [hook ids], 'entries': [the `entry`
        commands of local hooks, e.g. "ruff check --fix"]} or None."""
        for path in (".pre-commit-config.yaml", ".pre-commit-config.yml"):
            if self.files.has(path):
                data = self.yaml(path)
                repos = [
                    r
                    for r in (data.get("repos") if isinstance(data, dict) else None) or []
                    if isinstance(r, dict)
                ]
                hooks = [hook for repo in repos for hook in repo.get("hooks") or [] if isinstance(hook, dict)]
                return {
                    "path": path,
                    "repos": [str(repo.get("repo")) for repo in repos],
                    "hooks": [str(hook.get("id")) for hook in hooks],
                    "entries": [str(hook["entry"]) for hook in hooks if hook.get("entry")],
                }
        return None


def _lock_packages(text: str) -> list[dict[str, Any]] | None:
    """The `name` and `version` of each `[[package]]` table of a machine-written lock file; None when a line
    starts with a merge conflict marker or a quoted key (then a TOML parser must decide). Only lines that
    start with one of LOCK_LINE_START's characters reach Python: found by the regex engine's scan for a
    newline, so a 1 MB lock file costs well under a millisecond of scanning."""
    found: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    starts = [0] if text[:1] in LOCK_LINE_FIRST else []
    starts += [match.end() for match in LOCK_LINE_START.finditer(text)]
    for start in starts:
        end = text.find("\n", start)
        line = text[start : end if end != -1 else len(text)].rstrip()
        if line.startswith(CONFLICT_MARKERS) or line.startswith(("'", '"')):
            return None
        if line.startswith("["):
            current = {} if line == "[[package]]" or LOCK_PACKAGE.fullmatch(line) else None
            if current is not None:
                found.append(current)
        elif current is not None and (value := _plain_lock_value(line)) is not None:
            current.setdefault(value[0], value[1])
        elif current is not None and (key := LOCK_KEY.fullmatch(line)):
            current.setdefault(key.group(1), key.group(2) if key.group(2) is not None else key.group(3))
    return found


def _plain_lock_value(line: str) -> tuple[str, str] | None:
    """(key, value) of a `name = "..."` or `version = "..."` line as lock tools write it (one space around
    "=", a double-quoted value without quote or backslash, nothing after it): what `LOCK_KEY` reads of
    it, without a pattern run for each of a lock file's thousands of such lines. None for any other line."""
    key, equals, value = line.partition(' = "')
    if not equals or key not in ("name", "version") or not value.endswith('"'):
        return None
    value = value[:-1]
    return None if '"' in value or "\\" in value else (key, value)


def _parse_dockerfile(path: str, text: str) -> Dockerfile:
    instructions: list[tuple[int, str, str]] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if not pending:
            start = number
        if line.startswith("#"):
            continue
        pending.append(line.rstrip("\\").strip())
        if not line.endswith("\\"):
            joined = " ".join(part for part in pending if part)
            word, _, args = joined.partition(" ")
            instructions.append((start, word.upper(), args.strip()))
            pending = []
    return Dockerfile(path, tuple(instructions))
