"""M9 Command line interfaces."""

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
)
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
    """typer/click/argparse entry points in the group's code, [project.scripts], invoke tasks or
    Makefile targets beyond the template's defaults (its typer.run in data.py and default tasks.py)."""

    id = "m09.cli"
    modules = ("M9",)
    title = "Command line interfaces and project commands"
    texts = ("Add command line interfaces and project commands to your code where it makes sense",)

    def check(self, repo: Repo) -> Evidence:
        own = [p for p in repo.code_files if repo.template_match(p) is None and p != "tasks.py"]
        cli = repo.call_locations(*CLI_CALLS, paths=own) + repo.decorators(
            "command", "click.command", "click.group", paths=own
        )
        scripts = (
            (repo.pyproject.get("project") or {}).get("scripts")
            if isinstance(repo.pyproject.get("project"), dict)
            else None
        )
        if scripts:
            cli.append(
                repo.location("pyproject.toml", repo.line_of("pyproject.toml", r"^\[project\.scripts\]"))
            )
        tasks = (
            [f for f in repo.python("tasks.py").functions if "task" in " ".join(f.decorators)]
            if repo.has("tasks.py")
            else []
        )
        extra_tasks = [repo.location("tasks.py", f.line) for f in tasks if f.name not in TEMPLATE_TASKS]
        if cli or extra_tasks:
            return Evidence.found(
                "Command line interfaces or project commands of the group's own.", cli + extra_tasks
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
