"""M7 Good coding practice: pep8 through linters and formatters, typing and documentation."""

import re

from verifier.checks import lint_steps, precommit_lint_hooks
from verifier.evidence import Evidence, Location
from verifier.repo import Repo
from verifier.rule import Rule

LINTERS = r"\b(ruff|flake8|black|pylint|pycodestyle|autopep8|isort|pre-commit)\b"
CONFIG_FILES = ("ruff.toml", ".ruff.toml", ".flake8", ".pylintrc", "pylintrc", "setup.cfg", "tox.ini")


class Pep8(Rule):
    """A linter or formatter (ruff, flake8, black, pylint) that is configured and run by a
    pre-commit hook or a CI step (a `run:` command that is not only an install, or a lint action such as
    astral-sh/ruff-action). Configuration alone, or the template's ruff settings, is weak."""

    id = "m07.pep8"
    modules = ("M7",)
    title = "Good coding practices (pep8) enforced"
    texts = ("Remember to comply with good coding practices (`pep8`) while doing the project",)

    def check(self, repo: Repo) -> Evidence:
        config = repo.precommit
        hook_locs = [
            repo.location(
                config["path"], repo.line_of(config["path"], rf"(id|entry):\s*['\"]?{re.escape(hook)}")
            )
            for hook in (precommit_lint_hooks(repo) if config else [])
        ]
        ci = [repo.step_location(w.path, s, LINTERS) for w, s in lint_steps(repo, LINTERS)]
        own_ci = [loc for loc in ci if repo.template_match(loc.path) is None]
        if hook_locs or own_ci:
            return Evidence.found("A linter/formatter runs in pre-commit or CI.", hook_locs + own_ci)
        tool = repo.pyproject.get("tool", {}) if isinstance(repo.pyproject.get("tool"), dict) else {}
        configured = [
            repo.location("pyproject.toml", repo.line_of("pyproject.toml", rf"^\[tool\.{t}"))
            for t in ("ruff", "black", "flake8", "pylint", "isort")
            if t in tool
        ]
        configured += [
            Location(p, 1, p)
            for p in repo.glob(*CONFIG_FILES)
            if repo.search(LINTERS, p, limit=1) or p in ("ruff.toml", ".ruff.toml", ".flake8", ".pylintrc")
        ]
        scripted = repo.search(r"\b(ruff|flake8|black|pylint)\b", "tasks.py", "Makefile", limit=3)
        if ci:
            return Evidence.template("Only the template's linting workflow runs a linter.", ci)
        if configured or scripted:
            return Evidence.weak(
                "A linter is configured or scripted, but no hook or CI step runs it.", configured + scripted
            )
        return Evidence.absent(
            "No linter or formatter setup was found.",
            ("[tool.ruff]/ruff.toml/.flake8", "pre-commit lint hooks", "CI lint steps"),
        )


class TypingDocs(Rule):
    """A real share of the group's own functions carry type annotations and docstrings (template
    files excluded); the measured shares are reported."""

    id = "m07.typing-docs"
    modules = ("M7",)
    title = "Code typing and documentation"
    texts = ("Do a bit of code typing and remember to document essential parts of your code",)

    def check(self, repo: Repo) -> Evidence:
        own = [p for p in repo.code_files if p.endswith(".py") and repo.template_match(p) is None]
        functions = [
            (p, f)
            for p in own
            for f in repo.python(p).functions
            if not f.name.startswith("__") or f.name == "__init__"
        ]
        if not functions:
            return Evidence.absent(
                "No functions of the group's own were found.",
                ("annotated, documented functions in the group's code",),
            )
        typed = [(p, f) for p, f in functions if f.annotated]
        documented = [(p, f) for p, f in functions if f.documented]
        typed_share, doc_share = len(typed) / len(functions), len(documented) / len(functions)
        shares = f"{len(typed)}/{len(functions)} functions annotated ({typed_share:.0%}), {len(documented)}/{len(functions)} documented ({doc_share:.0%})"
        examples = [repo.location(p, f.line) for p, f in (typed[:2] + documented[:2])] or [
            repo.location(functions[0][0], functions[0][1].line)
        ]
        details = {
            "functions": len(functions),
            "annotated_share": round(typed_share, 3),
            "documented_share": round(doc_share, 3),
        }
        if typed_share >= 0.4 and doc_share >= 0.3:
            return Evidence.found(f"{shares}.", examples, **details)
        if typed_share >= 0.15 or doc_share >= 0.15:
            return Evidence.weak(
                f"Only part of the code is typed or documented: {shares}.", examples, **details
            )
        return Evidence.absent(
            f"Hardly any typing or docstrings: {shares}.",
            ("type hints and docstrings on the group's functions",),
            **details,
        )
