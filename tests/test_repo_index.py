"""Listing a git work tree whose index is missing (a clone whose checkout failed)."""

from __future__ import annotations

from pathlib import Path

from verifier.repo import Repo

from conftest import git, git_init, write_tree


def test_missing_index_falls_back_to_the_head_tree(tmp_path: Path) -> None:
    root = git_init(
        write_tree(tmp_path / "group", {"Dockerfile": "FROM python:3.12\n", "src/app.py": "x = 1\n"})
    )
    (root / ".git" / "index").unlink()
    repo = Repo(root)
    assert repo.files == ("Dockerfile", "src/app.py")
    assert repo.blob_id("Dockerfile") is not None and len(repo.blob_id("Dockerfile")) == 40
    assert any("index is missing" in warning for warning in repo.warnings)


def test_files_missing_on_disk_are_not_listed(tmp_path: Path) -> None:
    root = git_init(write_tree(tmp_path / "group", {"a.py": "a = 1\n", "big.bin": b"\x00" * 10}))
    (root / "big.bin").unlink()
    assert Repo(root).files == ("a.py",)


def test_repository_without_commits_checks_the_files_on_disk(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "group", {"Dockerfile": "FROM python:3.12\n"})
    git(root, "init", "-q", "-b", "main")
    repo = Repo(root)
    assert repo.is_git and repo.files == ("Dockerfile",)
    assert any("no committed files" in warning for warning in repo.warnings)


def test_untracked_files_are_not_checked_and_say_so(tmp_path: Path) -> None:
    root = git_init(write_tree(tmp_path / "group", {"a.py": "a = 1\n", ".gitignore": "*.log\n"}))
    write_tree(root, {"new.py": "b = 2\n", "run.log": "ignored\n"})
    repo = Repo(root)
    assert repo.files == (".gitignore", "a.py")
    assert any(w.startswith("1 untracked file(s) were not checked") for w in repo.warnings)


def test_files_without_suffix_are_searched_and_binary_ones_are_not(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "group",
        {
            ".dvc/config": "[core]\n    remote = gcs\n['remote \"gcs\"']\n    url = gs://bucket/\n",
            "blob": b"\x00\x01gs://no",
        },
    )
    hits = Repo(root).search(r"url\s*=\s*gs://")
    assert [(h.path, h.line) for h in hits] == [(".dvc/config", 4)]
