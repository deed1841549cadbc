"""M9 Command line interfaces."""

from verifier.rule import Rule


class CommandLineInterfaces(Rule):
    """typer/click/argparse entry points in the group's code, [project.scripts], invoke tasks or
    Makefile targets beyond the template's defaults (its typer.run in data.py and default tasks.py)."""

    id = "m09.cli"
    modules = ("M9",)
    title = "Command line interfaces and project commands"
    texts = ("Add command line interfaces and project commands to your code where it makes sense",)
