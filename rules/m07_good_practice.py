"""M7 Good coding practice: pep8 through linters and formatters, typing and documentation."""

import re

from verifier.checks import lint_steps, precommit_lint_hooks
from verifier.evidence import Evidence, Location, Status
from verifier.pyfacts import Function
from verifier.repo import Repo
from verifier.rule import Rule
from verifier.textsearch import prepared

LINTERS = prepared(r"\b(ruff|flake8|black|pylint|pycodestyle|autopep8|isort|pre-commit)\b")
LINTER_COMMAND = prepared(re.compile(LINTERS, re.IGNORECASE))
CONFIGURED_TOOLS = ("ruff", "black", "flake8", "pylint", "isort")
TOOL_TABLE = {tool: re.compile(rf"^\[tool\.{tool}", re.IGNORECASE) for tool in CONFIGURED_TOOLS}
HOOK_BEFORE = re.compile(r"(id|entry):\s*['\"]?", re.IGNORECASE)  # then the hook's id or command
CONFIG_FILES = ("ruff.toml", ".ruff.toml", ".flake8", ".pylintrc", "pylintrc", "setup.cfg", "tox.ini")


SCRIPTED_LINTER = prepared(r"\b(ruff|flake8|black|pylint)\b")


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
            repo.location(config["path"], repo.line_of_value(config["path"], HOOK_BEFORE, hook))
            for hook in (precommit_lint_hooks(repo, type_checkers=False) if config else [])
        ]
        ci = [
            repo.step_location(w.path, s, LINTER_COMMAND)
            for w, s in lint_steps(repo, LINTER_COMMAND, type_checkers=False)
        ]
        own_ci = [loc for loc in ci if repo.template_match(loc.path) is None]
        if hook_locs or own_ci:
            return Evidence.found("A linter/formatter runs in pre-commit or CI.", hook_locs + own_ci)
        tool = repo.pyproject.get("tool", {}) if isinstance(repo.pyproject.get("tool"), dict) else {}
        configured = [
            repo.location("pyproject.toml", repo.line_of("pyproject.toml", TOOL_TABLE[t]))
            for t in CONFIGURED_TOOLS
            if t in tool
        ]
        configured += [
            Location(p, 1, p)
            for p in repo.glob(*CONFIG_FILES)
            if repo.search(LINTERS, p, limit=1) or p in ("ruff.toml", ".ruff.toml", ".flake8", ".pylintrc")
        ]
        scripted = repo.search(SCRIPTED_LINTER, "tasks.py", "Makefile", limit=3)
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
    """A real share of the group's own functions carry type annotations and docstrings (template files
    excluded; measured over all the group's code and over its package alone, and the better of the two
    counts, so old scripts beside a typed package do not dilute it); a lower share is weak, none at all
    is absent. The measured shares are reported."""

    id = "m07.typing-docs"
    modules = ("M7",)
    title = "Code typing and documentation"
    texts = ("Do a bit of code typing and remember to document essential parts of your code",)

    def check(self, repo: Repo) -> Evidence:
        # A file without a function adds nothing to the shares: only the files with one are told from the
        # template's stubs (`template_match` reads and folds a file; most code files are not stubs).
        own = [
            p
            for p in repo.code_files
            if p.endswith(".py") and _functions(repo, [p]) and repo.template_match(p) is None
        ]
        packages = tuple(folder + "/" for folder in repo.package_dirs)
        in_package = [p for p in own if p.startswith(packages)] if packages else []
        scopes = [(_functions(repo, own), "")]
        package_functions = _functions(repo, in_package)
        # The package alone counts when it holds a real part of the code (5 functions, a fifth of all).
        if len(package_functions) >= max(5, len(scopes[0][0]) // 5):
            scopes.append((package_functions, f" in {', '.join(repo.package_dirs)}"))
        if not scopes[0][0]:
            return Evidence.absent(
                "No functions of the group's own were found.",
                ("annotated, documented functions in the group's code",),
            )
        # The package alone, or all the group's code, whichever is better typed and documented.
        return max((_measure(repo, functions, scope) for functions, scope in scopes), key=_strength)


def _strength(evidence: Evidence) -> tuple[int, float]:
    rank = {Status.FOUND: 2, Status.WEAK: 1}.get(evidence.status, 0)
    return rank, min(evidence.details["annotated_share"], evidence.details["documented_share"])


def _measure(repo: Repo, functions: list[tuple[str, Function]], scope: str) -> Evidence:
    typed = [(p, f) for p, f in functions if f.annotated]
    documented = [(p, f) for p, f in functions if f.documented]
    typed_share, doc_share = len(typed) / len(functions), len(documented) / len(functions)
    shares = (
        f"{len(typed)}/{len(functions)} functions annotated ({typed_share:.0%}), "
        f"{len(documented)}/{len(functions)} documented ({doc_share:.0%}){scope}"
    )
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
    if typed or documented:
        return Evidence.weak(f"Only part of the code is typed or documented: {shares}.", examples, **details)
    return Evidence.absent(
        f"No typing or docstrings: {shares}.",
        ("type hints and docstrings on the group's functions",),
        **details,
    )


def _functions(repo: Repo, paths: list[str]) -> list[tuple[str, Function]]:
    """The functions of `paths`, without dunder methods other than __init__."""
    return [
        (path, function)
        for path in paths
        for function in repo.python(path).functions
        if not function.name.startswith("__") or function.name == "__init__"
    ]
