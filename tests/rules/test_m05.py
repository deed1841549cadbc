"""M5 rules on git histories built in tmp_path: authors counted as people, bots left out."""

from __future__ import annotations

from pathlib import Path

from verifier.evidence import Status
from verifier.repo import Repo

from conftest import check, git, git_init, write_tree


def history(tmp_path: Path, authors: list[tuple[str, str]]) -> Repo:
    root = git_init(write_tree(tmp_path / "group", {"README.md": "# group\n"}))
    for number, author in enumerate(authors):
        (root / f"f{number}.py").write_text(f"x = {number}\n")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", f"work {number}", author=author)
    return Repo(root)


def test_three_members_are_found_and_named(tmp_path: Path) -> None:
    repo = history(tmp_path, [("Bo Li", "bo@example.org"), ("Cy Ng", "cy@example.org")])
    evidence = check("m05.write-access", repo)
    assert evidence.status is Status.FOUND
    assert evidence.locations[0].path == ".git"
    assert evidence.locations[0].snippet.startswith("3 authors:")
    assert "Bo Li" in evidence.message and "Cy Ng" in evidence.message


def test_one_person_under_two_emails_and_ci_bots_is_unverifiable(tmp_path: Path) -> None:
    repo = history(
        tmp_path,
        [
            ("Ada Student", "12345+ada@users.noreply.github.com"),
            ("github-actions[bot]", "41898282+github-actions[bot]@users.noreply.github.com"),
            ("pre-commit-ci[bot]", "66853113+pre-commit-ci[bot]@users.noreply.github.com"),
        ],
    )
    evidence = check("m05.write-access", repo)
    assert evidence.status is Status.UNVERIFIABLE
    assert "Only 1 commit author (Ada Student)" in evidence.message
    assert evidence.looked_for == ("two or more human commit authors in the git history",)


def test_git_repository_cites_the_branch_and_commit_count(tmp_path: Path) -> None:
    repo = history(tmp_path, [("Bo Li", "bo@example.org")])
    evidence = check("m05.git-repository", repo)
    assert evidence.status is Status.FOUND
    assert "2 commits on main" in evidence.locations[0].snippet
