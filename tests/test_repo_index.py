"""Listing a git work tree whose index is missing (a clone whose checkout failed)."""

from __future__ import annotations

from pathlib import Path

from verifier.repo import Repo

from conftest import git_init, write_tree


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
