"""M9 Command line interfaces."""

import re
from typing import Any

from verifier.evidence import Evidence, Location
from verifier.repo import Repo
from verifier.rule import Rule

CLI_CALLS = (
    "typer.Typer",
    "typer.run",
    "click.command",
    "click.group",
    "argparse.ArgumentParser",
    "fire.Fire",
    "LightningCLI",
    "jsonargparse.CLI",
)
# Targets of the course templates' Makefiles (mlops_template and the 2023 cookiecutter-data-science).
TEMPLATE_MAKE_TARGETS = frozenset(
    {
        "requirements",
        "dev_requirements",
        "help",
        "data",
        "create_environment",
        "clean",
        "serve_documentation",
        "build_documentation",
        "lint",
        "sync_data_to_s3",
        "sync_data_from_s3",
        "test_environment",
        # cookiecutter-data-science v2
        "format",
        "test",
        "sync_data_down",
        "sync_data_up",
    }
)
# `train: data`, `train :`, `train epochs='10':` (justfile parameters); not `FOO = a:b` or `FOO := x`.
MAKE_TARGET = re.compile(
    r"(?m)^([A-Za-z0-9][\w.-]*)(?:[ \t]+(?![ \t=:?+])(?:[^:=\n]|='[^'\n]*'|=\"[^\"\n]*\")*|[ \t]*):(?![=:])"
)
SCRIPT_TABLES = ("project.scripts", "tool.poetry.scripts", "tool.poe.tasks", "tool.pdm.scripts")
TABLE_HEADER = {table: re.compile(rf"^\[{re.escape(table)}\]", re.IGNORECASE) for table in SCRIPT_TABLES}
TEMPLATE_TASKS = frozenset(
    {
        "preprocess_data",
        "train",
        "test",
        "docker_build",
        "build_docs",
        "serve_docs",
        "create_environment",
        "requirements",
        "dev_requirements",
        "python",
    }
)


class CommandLineInterfaces(Rule):
    """typer/click/argparse/LightningCLI entry points in the group's code, script tables in pyproject
    ([project.scripts], poetry, poe, pdm), invoke tasks, or Makefile/justfile
    targets beyond the templates' (the template's typer.run in data.py and default tasks are template)."""

    id = "m09.cli"
    modules = ("M9",)
    title = "Command line interfaces and project commands"
    texts = ("Add command line interfaces and project commands to your code where it makes sense",)

    def check(self, repo: Repo) -> Evidence:
        own = [p for p in repo.code_files if repo.template_match(p) is None and p != "tasks.py"]
        cli = repo.call_locations(*CLI_CALLS, paths=own) + repo.decorators(
            "command", "click.command", "click.group", paths=own
        )
        for table in SCRIPT_TABLES:
            if _table(repo.pyproject, table):
                cli.append(
                    repo.location("pyproject.toml", repo.line_of("pyproject.toml", TABLE_HEADER[table]))
                )
        tasks = (
            [f for f in repo.python("tasks.py").functions if "task" in " ".join(f.decorators)]
            if repo.has("tasks.py")
            else []
        )
        extra_tasks = [repo.location("tasks.py", f.line) for f in tasks if f.name not in TEMPLATE_TASKS]
        targets = [
            repo.location(path, line)
            for path in repo.glob("Makefile", "makefile", "justfile", "Justfile", ".justfile")
            if repo.template_match(path) is None
            for name, line in _targets(repo.read(path) or "")
            if name not in TEMPLATE_MAKE_TARGETS
        ]
        if cli or extra_tasks or targets:
            return Evidence.found(
                "Command line interfaces or project commands of the group's own.", cli + extra_tasks + targets
            )
        template = repo.call_locations(*CLI_CALLS) + [repo.location("tasks.py", f.line) for f in tasks]
        if template:
            return Evidence.template(
                "Only the template's CLI (typer.run in data.py) and default tasks.", template
            )
        make = [Location("Makefile", 1, "Makefile")] if repo.has("Makefile") else []
        if make:
            return Evidence.weak("A Makefile exists, but no CLI in the code.", make)
        return Evidence.absent(
            "No command line interface was found.",
            ("typer/click/argparse in the code", "[project.scripts]", "invoke tasks", "Makefile"),
        )


def _table(data: dict[str, Any], dotted: str) -> Any:
    """The pyproject table at a dotted path (`tool.poetry.scripts`), or None."""
    for key in dotted.split("."):
        data = data.get(key) if isinstance(data, dict) else None
    return data


def _targets(text: str) -> list[tuple[str, int]]:
    """(name, line) of the targets of a Makefile or the recipes of a justfile."""
    return [
        (match.group(1), text.count("\n", 0, match.start()) + 1)
        for match in MAKE_TARGET.finditer(text)
        if not match.group(1).startswith(".")
    ]
