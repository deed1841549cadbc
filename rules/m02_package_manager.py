"""M2 Package manager: a dedicated environment and declared dependencies."""

from verifier.rule import Rule


class Environment(Rule):
    """A dedicated, reproducible environment: a pyproject.toml with dependencies, a lock file
    (uv.lock, poetry.lock), environment.yml, requirements*.txt or .python-version. Only the untouched
    template pyproject.toml is template."""

    id = "m02.environment"
    modules = ("M2",)
    title = "Dedicated environment for the project's packages"
    texts = ("Create a dedicated environment for you project to keep track of your packages",)


class CondaEnvironment(Rule):
    """2022 wording "(using conda)": a conda environment file (environment.yml) counts; another
    environment manager is weak evidence for this wording."""

    id = "m02.conda-environment"
    modules = ("M2",)
    title = "Dedicated conda environment (2022 wording)"
    texts = ("Create a dedicated environment for you project to keep track of your packages (using conda)",)


class Requirements(Rule):
    """Declared dependencies cover the third-party packages the group's code imports; undeclared
    imports are listed and make the evidence weak."""

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
