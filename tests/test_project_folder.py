"""A project kept in a folder of the repository: verified there, shown from the repository root."""

from __future__ import annotations

import gc
import json
import random
import re
import weakref
from pathlib import Path

import jsonschema
import pytest

from verifier.cli import main
from verifier.engine import verify
from verifier.evidence import Evidence, Location, Status
from verifier.project import (
    _text_shown,
    answers_in_repository,
    in_repository,
    nested_github_weakened,
    project_folder,
)
from verifier.repo import Repo
from verifier.results import AnswerFinding, Verdict

from conftest import FIXTURES, ROOT, git, git_init, write_tree

FULL = (FIXTURES / "reports" / "full_report.md").read_text(encoding="utf-8")
SCHEMA = json.loads((ROOT / "verifier" / "schema" / "result.schema.json").read_text(encoding="utf-8"))

PYPROJECT = '[project]\nname = "pkg"\ndependencies = ["torch"]\n\n[tool.ruff]\nline-length = 120\n'
TESTS_WORKFLOW = """name: tests
on:
  push:
    branches: [main]
  pull_request:
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: pip install -e .
      - run: ruff check .
      - run: pytest tests/
"""
PRECOMMIT = """repos:
  - repo: https://github.com/astral-sh/ruff-pre-commit
    rev: v0.6.0
    hooks:
      - id: ruff
      - id: ruff-format
"""
TEST_FILE = "from pkg.data import load\n\n\ndef test_load():\n    assert load() == [1]\n"


def project_files(prefix: str) -> dict[str, str]:
    """A small course project (its report included) kept in `prefix` ("" for the root)."""
    return {
        f"{prefix}pyproject.toml": PYPROJECT,
        f"{prefix}src/pkg/__init__.py": "",
        f"{prefix}src/pkg/data.py": "def load():\n    return [1]\n",
        f"{prefix}tests/test_data.py": TEST_FILE,
        f"{prefix}.github/workflows/tests.yaml": TESTS_WORKFLOW,
        f"{prefix}.pre-commit-config.yaml": PRECOMMIT,
        f"{prefix}dockerfiles/train.dockerfile": 'FROM python:3.11-slim\nCOPY src src\nENTRYPOINT ["python"]\n',
    }


def nested(tmp_path: Path, folder: str = "group_project") -> Path:
    files = {
        "README.md": "# Our course work\n",
        ".gitignore": "*.pyc\n",
        **project_files(f"{folder}/"),
        f"{folder}/reports/README.md": FULL,
    }
    return git_init(write_tree(tmp_path / "repository", files))


def item(result, rule: str):
    found = result.item(rule)
    assert found is not None, rule
    return found


def test_a_project_in_a_folder_is_verified_there_and_shown_from_the_root(tmp_path: Path) -> None:
    root = nested(tmp_path)
    result = verify(root)
    assert result.project == "group_project"
    assert result.report_path == "group_project/reports/README.md"
    assert any(
        w.startswith("the project is kept in group_project/ (it has pyproject.toml") for w in result.warnings
    )
    pep8 = item(result, "m07.pep8")
    assert pep8.verdict is Verdict.CONFIRMED
    assert "group_project/.pre-commit-config.yaml" in [loc.path for loc in pep8.evidence.locations]
    precommit = item(result, "m18.pre-commit")
    assert precommit.verdict is Verdict.CONFIRMED
    assert {loc.path for loc in precommit.evidence.locations} == {"group_project/.pre-commit-config.yaml"}
    docker = item(result, "m10.dockerfiles")
    assert docker.verdict is Verdict.CONFIRMED
    assert [loc.path for loc in docker.evidence.locations] == ["group_project/dockerfiles/train.dockerfile"]
    # History stays the repository's: the git rule finds the repository's commit.
    git_item = item(result, "m05.git-repository")
    assert git_item.verdict is Verdict.CONFIRMED and result.commit == git(root, "rev-parse", "HEAD").strip()
    for checked in result.items:
        for location in checked.evidence.locations if checked.evidence else ():
            assert location.path == ".git" or location.path.startswith("group_project/"), location
            assert (root / location.path).exists() or location.path == ".git", location


def test_a_workflow_inside_the_project_folder_is_weak_not_missing(tmp_path: Path) -> None:
    result = verify(nested(tmp_path))
    ci = item(result, "m17.ci")
    assert ci.verdict is Verdict.WEAKLY_SUPPORTED
    assert [loc.path for loc in ci.evidence.locations] == ["group_project/.github/workflows/tests.yaml"]
    assert "GitHub runs workflows only from the repository root's .github/" in ci.message
    assert "group_project/.github/workflows/tests.yaml" in ci.message
    # Where the evidence stands without the workflow (ruff in the pre-commit hooks), it stays found.
    pep8 = item(result, "m07.pep8")
    assert pep8.verdict is Verdict.CONFIRMED and "cannot have run" not in pep8.message


def test_the_json_result_names_the_project_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = nested(tmp_path)
    assert main([str(root), "-f", "json", "--no-config", "--no-db", "-j", "1"]) == 0
    data = json.loads(capsys.readouterr().out)
    jsonschema.validate(data, SCHEMA)
    assert data["schema_version"] == 2 and data["project"] == "group_project"
    assert data["report"] == "group_project/reports/README.md"


def test_a_report_in_docs_of_a_root_project_stays_at_the_root(tmp_path: Path, capsys) -> None:
    files = {
        **project_files(""),
        "docs/README.md": FULL,
        "docs/requirements.txt": "mkdocs\nmkdocs-material\n",
        "docs/Dockerfile": "FROM squidfunk/mkdocs-material\n",
    }
    root = git_init(write_tree(tmp_path / "repository", files))
    result = verify(root)
    assert result.report_path == "docs/README.md" and result.project == ""
    assert not any("the project is kept in" in w for w in result.warnings)
    ci = item(result, "m17.ci")
    assert ci.verdict is Verdict.CONFIRMED
    assert [loc.path for loc in ci.evidence.locations] == [".github/workflows/tests.yaml"]
    assert main([str(root), "-f", "json", "--no-config", "--no-db", "-j", "1"]) == 0
    assert "project" not in json.loads(capsys.readouterr().out)


def test_a_monorepo_with_a_nested_report_and_the_project_at_the_root_stays_at_the_root(
    tmp_path: Path,
) -> None:
    files = {**project_files(""), "course/reports/README.md": FULL, "course/notes.md": "# Notes\n"}
    root = git_init(write_tree(tmp_path / "repository", files))
    result = verify(root)
    assert result.report_path == "course/reports/README.md" and result.project == ""
    assert item(result, "m17.ci").verdict is Verdict.CONFIRMED
    assert item(result, "m07.pep8").verdict is Verdict.CONFIRMED


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        # a project definition of its own: the folder, also below a root with its own pyproject.toml
        ({"pyproject.toml": "", "app/setup.py": "", "app/reports/README.md": ""}, "app"),
        # the nearest folder above the report with markers wins
        ({"a/pyproject.toml": "", "a/b/setup.cfg": "", "a/b/reports/README.md": ""}, "a/b"),
        ({"a/pyproject.toml": "", "a/b/notes.md": "", "a/b/reports/README.md": ""}, "a"),
        # no project definition anywhere: two kinds of project files make the folder the project
        ({"p/requirements.txt": "", "p/src/x.py": "", "p/reports/README.md": ""}, "p"),
        # near misses: one kind only, or two kinds under a root that defines the project
        ({"p/requirements.txt": "", "p/reports/README.md": ""}, ""),
        ({"setup.py": "", "p/requirements.txt": "", "p/tests/t.py": "", "p/reports/README.md": ""}, ""),
        ({"pyproject.toml": "", "reports/README.md": ""}, ""),
        ({"README.md": ""}, ""),
    ],
)
def test_which_folder_is_the_project(make_repo, files: dict[str, str], expected: str) -> None:
    repo = make_repo(files)
    report = next((path for path in files if path.endswith("reports/README.md")), "README.md")
    folder, found = project_folder(repo, report)
    assert folder == expected
    assert (found is None) == (expected == "")


def test_the_project_view_lists_its_folder_only_and_keeps_the_repositorys_history(tmp_path: Path) -> None:
    root = nested(tmp_path)
    repo = Repo(root)
    view = repo.project_view("group_project")
    assert view.root == root.resolve() / "group_project" and view.repository_root == root.resolve()
    assert view.has("pyproject.toml") and not view.has("README.md") and view.has("reports/README.md")
    assert view.glob(".github/workflows/*.yaml") == [".github/workflows/tests.yaml"]
    assert repo.glob(".github/workflows/*.yaml") == []  # the parent's cached queries are its own
    assert view.pyproject["project"]["name"] == "pkg"
    assert view.history.available and view.history.head == repo.history.head
    assert view.shown_path("src/pkg/data.py") == "group_project/src/pkg/data.py"
    assert view.shown_path(".git") == ".git" and repo.shown_path("src/x.py") == "src/x.py"
    hidden = view.project_view_without(".github/")
    assert hidden is not None and hidden.project == "group_project"
    assert not hidden.glob(".github/workflows/*.yaml") and hidden.has("pyproject.toml")
    assert view.project_view_without("no_such_folder/") is None
    for bad in ("../elsewhere", "no_such_folder", ""):
        with pytest.raises(ValueError):
            repo.project_view(bad)


def test_an_untracked_copy_outside_the_index_is_not_listed_in_the_view(tmp_path: Path) -> None:
    root = nested(tmp_path)
    write_tree(root, {"group_project/src/pkg/scratch.py": "import wandb\n"})
    view = Repo(root).project_view("group_project")
    assert not view.has("src/pkg/scratch.py") and view.has("src/pkg/data.py")


def test_a_link_from_the_project_folder_to_elsewhere_in_the_repository_is_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text("secret: 1\n", encoding="utf-8")
    root = tmp_path / "repository"
    write_tree(root, {"shared/base.yaml": "lr: 0.1\n", **project_files("group_project/")})
    (root / "group_project" / "configs").mkdir()
    (root / "group_project" / "configs" / "base.yaml").symlink_to("../../shared/base.yaml")
    (root / "group_project" / "configs" / "leak.yaml").symlink_to(outside)
    (root / "shared_link").symlink_to("shared", target_is_directory=True)
    (root / "group_project" / "linked").symlink_to("../shared_link", target_is_directory=True)
    git_init(root)
    view = Repo(root).project_view("group_project")
    assert view.read("configs/base.yaml") == "lr: 0.1\n"
    assert view.read("linked/base.yaml") == "lr: 0.1\n"  # through a linked folder as well
    assert view.read("configs/leak.yaml") is None
    warnings = list(view.warnings)
    assert not any("base.yaml" in line for line in warnings), warnings
    assert any(
        line.startswith("configs/leak.yaml: a symbolic link pointing outside the repository")
        for line in warnings
    )


def test_the_views_of_a_project_share_one_reading_of_the_history(tmp_path: Path, monkeypatch) -> None:
    import verifier.repo

    reads = []
    real_history_of = verifier.repo.history_of
    monkeypatch.setattr(
        verifier.repo, "history_of", lambda *a, **k: reads.append(1) or real_history_of(*a, **k)
    )
    repo = Repo(nested(tmp_path))
    repo.start_history()
    view = repo.project_view("group_project")
    outside = repo.project_view_without("group_project/")
    assert outside is not None
    assert view.history is repo.history is outside.history
    assert view.history.head and len(reads) == 1


def test_messages_and_snippets_name_the_repository_paths() -> None:
    shown = {
        ".github/workflows/tests.yaml": "p/.github/workflows/tests.yaml",
        "docs/mkdocs.yaml": "p/docs/mkdocs.yaml",
    }
    assert _text_shown("Tests run in CI by .github/workflows/tests.yaml ('pytest').", shown) == (
        "Tests run in CI by p/.github/workflows/tests.yaml ('pytest')."
    )
    # a longer path that ends in the same text, or a different file that starts with it, is left alone
    assert _text_shown("see x/docs/mkdocs.yaml and docs/mkdocs.yaml.bak", shown) == (
        "see x/docs/mkdocs.yaml and docs/mkdocs.yaml.bak"
    )


def _text_shown_by_regex(text: str, shown: dict[str, str]) -> str:
    """The alternation of the named paths, longest first, that `_text_shown` reads without a regex."""
    named = sorted((path for path in shown if path in text), key=len, reverse=True)
    if not named:
        return text
    paths = "|".join(map(re.escape, named))
    return re.sub(rf"(?<![\w./-])(?:{paths})(?![\w-]|\.\w)", lambda match: shown[match.group(0)], text)


def test_paths_in_text_are_replaced_as_an_alternation_of_whole_paths_would() -> None:
    pieces = ["a", "a/b", "b", "a/b.c", "b.c", ".", "/", "-", " ", "_", "é", "x", "c", ".yaml", "(", "'"]
    paths = ["a", "a/b", "b", "a/b.c", "b.c", "b.c/a", "é/b", "a-b", "c.yaml"]
    chance = random.Random(17)
    for _ in range(3000):
        shown = {path: f"P{number}/{path}" for number, path in enumerate(chance.sample(paths, 4))}
        text = "".join(chance.choice(pieces) for _ in range(chance.randint(0, 14)))
        assert _text_shown(text, shown) == _text_shown_by_regex(text, shown), (text, shown)
    # overlapping places: the longest path at the leftmost place wins, and reading goes on after it
    assert _text_shown("a/b.c a/b a", {"a": "R/a", "a/b": "R/a/b", "a/b.c": "R/a/b.c"}) == "R/a/b.c R/a/b R/a"


def test_locations_of_evidence_and_answers_are_shown_from_the_root(tmp_path: Path) -> None:
    view = Repo(nested(tmp_path)).project_view("group_project")
    evidence = Evidence.found(
        "docs/index.md and .git",
        [Location("docs/index.md", 1, "docs/index.md"), Location(".git", None, "3 commits")],
    )
    shown = in_repository(view, evidence)
    assert [loc.path for loc in shown.locations] == ["group_project/docs/index.md", ".git"]
    assert shown.locations[0].snippet == "group_project/docs/index.md"
    assert shown.message == "group_project/docs/index.md and .git"
    finding = AnswerFinding(14, "paths", "x", "y", "consistent", "m", (Location("reports/figures/a.png", 3),))
    assert (
        answers_in_repository(view, [finding])[0].locations[0].path == "group_project/reports/figures/a.png"
    )


def test_only_found_evidence_that_rests_on_the_nested_github_is_weakened(tmp_path: Path) -> None:
    root_repo = Repo(nested(tmp_path))
    view = root_repo.project_view("group_project")
    workflow = Location(".github/workflows/tests.yaml", 12, "pytest tests/")
    found = Evidence.found("Tests run in CI.", [workflow])
    absent = Evidence.absent("No workflow.", ("x",))
    weakened = nested_github_weakened(view, found, lambda: absent)
    assert weakened.status is Status.WEAK and weakened.locations == found.locations
    assert "group_project/.github/workflows/tests.yaml is in group_project/.github/" in weakened.message
    # found again without the nested .github: it stands
    assert (
        nested_github_weakened(view, found, lambda: Evidence.found("ruff", [Location("pyproject.toml", 5)]))
        is found
    )
    # evidence that cites no .github file, or a view at the repository root, is never re-run
    other = Evidence.found("ruff", [Location("pyproject.toml", 5)])

    def never() -> Evidence:
        raise AssertionError("re-run")

    assert nested_github_weakened(view, other, never) is other
    assert nested_github_weakened(root_repo, found, never) is found


ROOT_WORKFLOW = """name: ci
on: [push, pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    defaults:
      run:
        working-directory: group_project
    steps:
      - uses: actions/checkout@v4
      - run: pip install -e .
      - run: pytest tests/
"""


def test_a_workflow_at_the_repository_root_still_counts_for_a_project_in_a_folder(tmp_path: Path) -> None:
    """A monorepo's CI lives at the root, where GitHub runs it: found there, shown from the root."""
    files = {
        ".github/workflows/ci.yaml": ROOT_WORKFLOW,
        **{k: v for k, v in project_files("group_project/").items() if ".github/" not in k},
        "group_project/reports/README.md": FULL,
    }
    result = verify(git_init(write_tree(tmp_path / "repository", files)))
    assert result.project == "group_project"
    ci = item(result, "m17.ci")
    assert ci.verdict is Verdict.CONFIRMED, ci.message
    assert [loc.path for loc in ci.evidence.locations] == [".github/workflows/ci.yaml"]
    assert "cannot have run" not in ci.message
    # the project's own files are still found in the folder
    assert [loc.path for loc in item(result, "m10.dockerfiles").evidence.locations] == [
        "group_project/dockerfiles/train.dockerfile"
    ]


def test_evidence_found_in_the_project_is_not_replaced_by_the_root(tmp_path: Path) -> None:
    """Near miss: the project's own workflow and a root workflow. CI found at the root replaces the weaker
    evidence of the project's own .github/; the project's pre-commit config stays (nothing at the root)."""
    files = {
        ".github/workflows/ci.yaml": ROOT_WORKFLOW,
        **project_files("group_project/"),
        "group_project/reports/README.md": FULL,
    }
    result = verify(git_init(write_tree(tmp_path / "repository", files)))
    ci = item(result, "m17.ci")
    assert ci.verdict is Verdict.CONFIRMED and [loc.path for loc in ci.evidence.locations] == [
        ".github/workflows/ci.yaml"
    ]
    precommit = item(result, "m18.pre-commit")
    assert precommit.verdict is Verdict.CONFIRMED
    assert {loc.path for loc in precommit.evidence.locations} == {"group_project/.pre-commit-config.yaml"}


def test_a_verification_in_a_project_folder_leaves_no_reference_cycles(tmp_path: Path) -> None:
    """The project views (and the views without .github/ or without the folder) refer to the repository's
    views in one direction only, so the engine's paused cycle collector stays sound."""
    root = nested(tmp_path)
    verify(root)
    gc.collect()
    gc.disable()
    try:
        repo = Repo(root)
        view = repo.project_view("group_project")
        view.project_view_without(".github/"), repo.project_view_without("group_project/"), view.history
        dropped = weakref.ref(view)
        del view
        assert dropped() is None
        verify(root)
        assert gc.collect() == 0, "a verification leaves no cyclic garbage"
    finally:
        gc.enable()
