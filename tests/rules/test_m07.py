"""M7 rules beyond the fixture table: typing and docstring shares are measured and reported."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from verifier.evidence import Status
from verifier.repo import Repo

from conftest import check, recorded_calls

TYPED = 'def f{n}(x: int) -> int:\n    """Double x."""\n    return 2 * x\n\n\n'
BARE = "def g{n}(x):\n    return x\n\n\n"


def test_shares_are_in_message_and_details(make_repo: Callable[..., Repo]) -> None:
    code = "".join(TYPED.format(n=n) for n in range(3)) + "".join(BARE.format(n=n) for n in range(1))
    evidence = check("m07.typing-docs", make_repo({"src/digits/util.py": code}))
    assert evidence.status is Status.FOUND
    assert "3/4 functions annotated (75%)" in evidence.message
    assert evidence.details == {"functions": 4, "annotated_share": 0.75, "documented_share": 0.75}
    assert evidence.locations[0].path == "src/digits/util.py" and evidence.locations[0].line == 1


def test_mostly_bare_code_is_weak_with_shares(make_repo: Callable[..., Repo]) -> None:
    code = TYPED.format(n=0) + "".join(BARE.format(n=n) for n in range(4))
    evidence = check("m07.typing-docs", make_repo({"src/digits/util.py": code}))
    assert evidence.status is Status.WEAK
    assert evidence.details["annotated_share"] == 0.2
    assert "1/5 functions annotated (20%)" in evidence.message


def test_no_typing_at_all_is_absent_and_says_what_was_looked_for(make_repo: Callable[..., Repo]) -> None:
    code = "".join(BARE.format(n=n) for n in range(6))
    evidence = check("m07.typing-docs", make_repo({"src/digits/util.py": code}))
    assert evidence.status is Status.ABSENT
    assert "0/6" in evidence.message
    assert any("type hints" in item for item in evidence.looked_for)


def lint_workflow(step: str) -> str:
    return f"on: push\njobs:\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - {step}\n"


def test_pep8_counts_a_lint_command_after_an_install_on_the_same_line(make_repo: Callable[..., Repo]) -> None:
    repo = make_repo({".github/workflows/lint.yaml": lint_workflow("run: pip install ruff && ruff check .")})
    evidence = check("m07.pep8", repo)
    assert evidence.status is Status.FOUND
    assert (evidence.locations[0].path, evidence.locations[0].line) == (".github/workflows/lint.yaml", 7)


SAMPLE_PRECOMMIT = (
    "repos:\n  - repo: https://github.com/pre-commit/pre-commit-hooks\n    rev: v5.0.0\n    hooks:\n"
    "      - id: trailing-whitespace\n      - id: end-of-file-fixer\n"
)
LOCAL_RUFF = "repos:\n  - repo: local\n    hooks:\n      - id: lint\n        name: lint\n        entry: ruff check --fix\n        language: system\n"


def test_pep8_counts_a_lint_action(make_repo: Callable[..., Repo]) -> None:
    repo = make_repo({".github/workflows/lint.yaml": lint_workflow("uses: astral-sh/ruff-action@v3")})
    evidence = check("m07.pep8", repo)
    assert evidence.status is Status.FOUND
    assert evidence.locations[0].snippet == "astral-sh/ruff-action@v3"


def test_pre_commit_in_ci_lints_only_with_lint_hooks(make_repo: Callable[..., Repo]) -> None:
    workflow = {".github/workflows/lint.yaml": lint_workflow("uses: pre-commit/action@v3.0.1")}
    sample = make_repo({**workflow, ".pre-commit-config.yaml": SAMPLE_PRECOMMIT})
    assert check("m07.pep8", sample).status is Status.ABSENT
    assert check("m17.lint-ci", sample).status is Status.ABSENT
    local = make_repo({**workflow, ".pre-commit-config.yaml": LOCAL_RUFF})
    evidence = check("m07.pep8", local)
    assert evidence.status is Status.FOUND
    assert {loc.path for loc in evidence.locations} == {
        ".pre-commit-config.yaml",
        ".github/workflows/lint.yaml",
    }
    assert check("m17.lint-ci", local).status is Status.FOUND


@pytest.mark.parametrize("command", ["make lint", "uv run invoke lint", "tox -e lint", "just format-check"])
def test_pep8_and_lint_ci_count_a_task_runner_lint_target(
    make_repo: Callable[..., Repo], command: str
) -> None:
    repo = make_repo({".github/workflows/lint.yaml": lint_workflow(f"run: {command}")})
    assert check("m07.pep8", repo).status is Status.FOUND
    assert check("m17.lint-ci", repo).status is Status.FOUND


def test_pep8_installing_ruff_in_ci_is_only_configuration(make_repo: Callable[..., Repo]) -> None:
    repo = make_repo(
        {
            ".github/workflows/lint.yaml": lint_workflow("run: pip install ruff"),
            "pyproject.toml": '[project]\nname = "p"\n\n[tool.ruff]\nline-length = 100\n',
        }
    )
    evidence = check("m07.pep8", repo)
    assert evidence.status is Status.WEAK
    assert [loc.path for loc in evidence.locations] == ["pyproject.toml"]


def test_a_low_share_is_weak_and_none_at_all_is_absent(make_repo: Callable[..., Repo]) -> None:
    code = TYPED.format(n=0) + "".join(BARE.format(n=n) for n in range(9))
    evidence = check("m07.typing-docs", make_repo({"src/digits/util.py": code}))
    assert evidence.status is Status.WEAK and evidence.details["annotated_share"] == 0.1


def test_the_package_is_measured_without_old_scripts_beside_it(make_repo: Callable[..., Repo]) -> None:
    package = "".join(TYPED.format(n=n) for n in range(8))
    legacy = "".join(BARE.format(n=n) for n in range(30))
    repo = make_repo({"src/digits/__init__.py": "", "src/digits/model.py": package, "legacy/old.py": legacy})
    evidence = check("m07.typing-docs", repo)
    assert evidence.status is Status.FOUND and evidence.details["functions"] == 8
    assert "in src/digits" in evidence.message


def test_a_tiny_typed_package_does_not_outweigh_the_rest(make_repo: Callable[..., Repo]) -> None:
    rest = "".join(BARE.format(n=n) for n in range(60))
    repo = make_repo({"app/__init__.py": "", "app/main.py": TYPED.format(n=0), "train.py": rest})
    assert check("m07.typing-docs", repo).status is Status.WEAK


def test_a_type_checker_hook_alone_is_no_pep8_check(make_repo: Callable[..., Repo]) -> None:
    mypy = "repos:\n  - repo: https://github.com/pre-commit/mirrors-mypy\n    rev: v1.10.0\n    hooks:\n      - id: mypy\n"
    assert check("m07.pep8", make_repo({".pre-commit-config.yaml": mypy})).status is Status.ABSENT


def test_only_code_files_with_a_function_are_template_matched(
    make_repo: Callable[..., Repo], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file without a function adds nothing to the shares: it is not read and folded to be told from the
    template's stubs (`Repo.template_match`), and the shares are those of the files with functions."""
    code = "".join(TYPED.format(n=n) for n in range(3))
    repo = make_repo({"src/digits/util.py": code, "scripts/run.py": "import sys\nprint(sys.argv)\n"})
    asked = recorded_calls(monkeypatch, Repo, "template_match", argument=1)
    evidence = check("m07.typing-docs", repo)
    assert evidence.status is Status.FOUND and evidence.details["functions"] == 3
    assert "scripts/run.py" in repo.code_files  # asked about before
    assert "src/digits/util.py" in asked and "scripts/run.py" not in asked
