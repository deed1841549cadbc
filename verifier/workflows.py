"""GitHub Actions workflows as data: triggers, path filters, jobs, steps, matrices and caching."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .safe_yaml import LineDict
from .textsearch import may_match

CACHE_ACTIONS = ("actions/cache",)
MAX_MATRIX_VALUES = 256
# A command that installs a tool does not run it: `pip install ruff` is no lint step.
INSTALL_COMMAND = re.compile(r"\b(pip3?|uv|poetry|conda|apt(-get)?)\s+(install|add|sync)\b", re.IGNORECASE)
SHELL_SEPARATOR = re.compile(r"&&|\|\||;|(?<!\|)\|(?!\|)")


def shell_commands(line: str) -> list[str]:
    """The commands of one shell line: `pip install ruff && ruff check .` is two."""
    return [command.strip() for command in SHELL_SEPARATOR.split(line) if command.strip()]


def runs_command(line: str, pattern: str | re.Pattern[str]) -> bool:
    """A command of the shell line matches `pattern` (a string ignoring case; a pattern a rule compiled once
    at import, with its own flags) and is not an install command. A line without the literals the pattern
    needs is passed over before any regex is compiled or run (`may_match`)."""
    if not _may_match(line, pattern, re.IGNORECASE):
        return False
    return any(
        _search(pattern, command, re.IGNORECASE) and not INSTALL_COMMAND.search(command)
        for command in shell_commands(line)
    )


def _may_match(text: str, pattern: str | re.Pattern[str], flags: int) -> bool:
    """`may_match` for a string searched with `flags`, or a compiled pattern with its own."""
    if isinstance(pattern, str):
        return may_match(text, pattern, flags)
    return may_match(text, pattern.pattern, pattern.flags)


def _search(pattern: str | re.Pattern[str], text: str, flags: int) -> re.Match[str] | None:
    """`re.search` of a string with `flags`, or of a compiled pattern with its own."""
    return re.search(pattern, text, flags) if isinstance(pattern, str) else pattern.search(text)


@dataclass(frozen=True)
class Step:
    job: str
    line: int
    name: str = ""
    uses: str = ""
    run: str = ""
    with_: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @property
    def text(self) -> str:
        """One line describing the step, for snippets."""
        return self.run.strip().splitlines()[0] if self.run.strip() else (self.uses or self.name)

    def runs(self, pattern: str | re.Pattern[str]) -> bool:
        """The `run:` text matches `pattern` anywhere (install lines included): a string ignoring case, `^`
        and `$` at each line; a compiled pattern with its own flags."""
        flags = re.IGNORECASE | re.MULTILINE
        return (
            bool(self.run)
            and _may_match(self.run, pattern, flags)
            and _search(pattern, self.run, flags) is not None
        )

    def runs_command(self, pattern: str | re.Pattern[str]) -> bool:
        """A command of the `run:` script matches `pattern` and is not an install command, so
        `pip install ruff && ruff check .` runs ruff and `pip install ruff` alone does not. A script
        without the pattern's literals is passed over whole, not line by line."""
        if not _may_match(self.run, pattern, re.IGNORECASE):
            return False
        return any(runs_command(line, pattern) for line in self.run.splitlines())

    def command_line(self, pattern: str | re.Pattern[str]) -> str:
        """The first line of the `run:` script with a command matching `pattern` (see `runs_command`)."""
        return next(
            (line.strip() for line in self.run.splitlines() if runs_command(line, pattern)), self.text
        )


@dataclass(frozen=True)
class Job:
    id: str
    line: int
    runs_on: Any = None
    matrix: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    steps: tuple[Step, ...] = ()
    uses: str = ""


@dataclass
class Workflow:
    path: str
    name: str = ""
    triggers: dict[str, Any] = field(default_factory=dict)
    triggers_line: int = 0
    jobs: list[Job] = field(default_factory=list)
    error: str | None = None

    @property
    def steps(self) -> list[Step]:
        return [step for job in self.jobs for step in job.steps]

    def triggered_by(self, *events: str) -> bool:
        return any(event in self.triggers for event in events)

    def path_filters(self, *events: str) -> list[str]:
        """`paths` filters of the given events (push and pull_request when none are named)."""
        filters: list[str] = []
        for event in events or ("push", "pull_request", "pull_request_target"):
            config = self.triggers.get(event)
            if isinstance(config, dict):
                paths = config.get("paths") or []
                filters.extend(str(p) for p in (paths if isinstance(paths, list) else [paths]))
        return filters

    def steps_running(self, pattern: str | re.Pattern[str]) -> list[Step]:
        return [step for step in self.steps if step.runs(pattern)]

    def steps_using(self, *actions: str) -> list[Step]:
        """Steps whose `uses:` names one of `actions` (any version: `actions/cache@v4` is `actions/cache`)."""
        return [
            step for step in self.steps if step.uses.split("@")[0].lower() in {a.lower() for a in actions}
        ]

    def matrix_values(self, *keys: str) -> dict[str, list[Any]]:
        """Matrix axes whose names contain one of `keys` (e.g. "os", "python"), merged over jobs: each
        value once, at most MAX_MATRIX_VALUES per axis (GitHub runs at most 256 jobs of a matrix)."""
        axes: dict[str, list[Any]] = {}
        seen: dict[str, set[Any]] = {}
        for job in self.jobs:
            entries = list(job.matrix.items())
            # `include:` entries add combinations of their own (a matrix given only through include)
            included = job.matrix.get("include") if isinstance(job.matrix.get("include"), list) else []
            entries += [(k, v) for entry in included if isinstance(entry, dict) for k, v in entry.items()]
            for axis, values in entries:
                if axis in ("include", "exclude") or not any(key in str(axis).lower() for key in keys):
                    continue
                kept, known = axes.setdefault(axis, []), seen.setdefault(axis, set())
                for value in values if isinstance(values, list) else [values]:
                    if len(kept) >= MAX_MATRIX_VALUES:
                        break
                    try:
                        if value in known:
                            continue
                        known.add(value)
                    except TypeError:  # a mapping or a list: compared with the values kept so far
                        if value in kept:
                            continue
                    kept.append(value)
        return axes

    def caching_steps(self) -> list[Step]:
        """Steps that cache dependencies: actions/cache, setup-python `cache:`, setup-uv `enable-cache` (on
        by default since setup-uv v5 on GitHub-hosted runners)."""
        cached: list[Step] = []
        for step in self.steps:
            action = step.uses.split("@")[0].lower()
            if (
                action in CACHE_ACTIONS
                or action.endswith("/cache")
                or (action.startswith("actions/setup-") and step.with_.get("cache"))
                or (action == "astral-sh/setup-uv" and _setup_uv_caches(step))
            ):
                cached.append(step)
        return cached


def _setup_uv_caches(step: Step) -> bool:
    """astral-sh/setup-uv caches with `enable-cache: true/auto`, and by default from v5 on (release notes of
    v5.0.0: "Default to enable-cache: true on GitHub hosted runners") unless `enable-cache: false`."""
    setting = str(step.with_.get("enable-cache", "")).lower()
    if setting in {"true", "auto"}:
        return True
    major = re.match(r"v?(\d{1,6})", step.uses.partition("@")[2])  # int() refuses 4,300 digits and more
    return setting == "" and major is not None and int(major.group(1)) >= 5


TRIGGERS_KEY = re.compile(r"""^(?:on|"on"|'on')\s*:""", re.MULTILINE)


def parse_workflow(path: str, document: Any, text: str = "") -> Workflow:
    """Build a Workflow from a loaded YAML document (YAML 1.1 reads the key `on` as True); with the file's
    `text`, `triggers_line` is the line of the top-level `on:` key."""
    workflow = Workflow(path=path)
    if not isinstance(document, dict):
        workflow.error = "not a mapping"
        return workflow
    workflow.name = str(document.get("name") or "")
    raw = document.get("on", document.get(True))
    workflow.triggers = _normalize_triggers(raw)
    key = TRIGGERS_KEY.search(text)
    workflow.triggers_line = text.count("\n", 0, key.start()) + 1 if key else getattr(document, "line", 0)
    jobs = document.get("jobs")
    if isinstance(jobs, dict):
        for job_id, job in jobs.items():
            if isinstance(job, dict):
                workflow.jobs.append(_parse_job(str(job_id), job))
    if raw is None:
        workflow.error = "no 'on:' triggers"
    return workflow


def _normalize_triggers(raw: Any) -> dict[str, Any]:
    if isinstance(raw, str):
        return {raw: None}
    if isinstance(raw, list):
        return {str(event): None for event in raw}
    if isinstance(raw, dict):
        return {str(event): config for event, config in raw.items()}
    return {}


def _parse_job(job_id: str, job: dict[str, Any]) -> Job:
    strategy = job.get("strategy")
    matrix = strategy.get("matrix") if isinstance(strategy, dict) else None
    steps = []
    for step in job.get("steps") or []:
        if not isinstance(step, dict):
            continue
        with_ = step.get("with")
        steps.append(
            Step(
                job=job_id,
                line=step.line if isinstance(step, LineDict) else 0,
                name=str(step.get("name") or ""),
                uses=str(step.get("uses") or ""),
                run=str(step.get("run") or ""),
                with_=with_ if isinstance(with_, dict) else {},
            )
        )
    return Job(
        id=job_id,
        line=job.line if isinstance(job, LineDict) else 0,
        runs_on=job.get("runs-on"),
        matrix=matrix if isinstance(matrix, dict) else {},
        steps=tuple(steps),
        uses=str(job.get("uses") or ""),
    )
