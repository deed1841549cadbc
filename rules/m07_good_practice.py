"""M7 Good coding practice: pep8 through linters and formatters, typing and documentation."""

from verifier.rule import Rule


class Pep8(Rule):
    """A linter or formatter (ruff, flake8, black, pylint) that is configured and run by a
    pre-commit hook or a CI step. Configuration alone, or the template's ruff settings, is weak."""

    id = "m07.pep8"
    modules = ("M7",)
    title = "Good coding practices (pep8) enforced"
    texts = ("Remember to comply with good coding practices (`pep8`) while doing the project",)


class TypingDocs(Rule):
    """A real share of the group's own functions carry type annotations and docstrings (template
    files excluded); the measured shares are reported."""

    id = "m07.typing-docs"
    modules = ("M7",)
    title = "Code typing and documentation"
    texts = ("Do a bit of code typing and remember to document essential parts of your code",)
