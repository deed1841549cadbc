"""Hostile input: every case verifies in seconds with a warning, and the other items are still verified."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from verifier.engine import verify
from verifier.repo import Repo

from conftest import git_init, write_tree

REPORT = """# Exam template for 02476 Machine Learning Operations

## Overall project checklist

### Week 1

* [x] Create a git repository (M5)
* [x] Create a dedicated environment for you project to keep track of your packages (M2)
* [x] Construct one or multiple docker files for your code (M10)
* [x] Build the docker files locally and make sure they work as intended (M10)
* [x] Get some continuous integration running on the GitHub repository (M17)
* [x] Write one or multiple configurations files for your experiments (M11)

## Group information
"""
BASE = {"reports/README.md": REPORT, "Dockerfile": "FROM python:3.12-slim\n", "src/app.py": "x = 1\n"}
BILLION_LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
)


def run(root: Path, git: bool = True):
    if git:
        git_init(root)
    start = time.perf_counter()
    result = verify(root)
    elapsed = time.perf_counter() - start
    verdicts = {item.rule: item.verdict for item in result.items}
    assert verdicts["m10.dockerfiles"] == "confirmed", "the other items must still be verified"
    assert elapsed < 10, f"took {elapsed:.1f} s"
    return result


def snippets(result) -> str:
    return "\n".join(loc.snippet for item in result.items if item.evidence for loc in item.evidence.locations)


@pytest.mark.parametrize("target", ["outside", "/etc/passwd"])
def test_symlinks_out_of_the_repository_are_never_read(tmp_path: Path, target: str) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("docker build TOP-SECRET-CONTENT\n")
    root = write_tree(tmp_path / "group", BASE)
    (root / "scripts").mkdir()
    os.symlink(secret if target == "outside" else target, root / "scripts" / "build.sh")
    result = run(root)
    assert "TOP-SECRET" not in snippets(result) and "root:" not in snippets(result)
    assert any("scripts/build.sh" in w and "outside the repository" in w for w in result.warnings)


@pytest.mark.parametrize("no_follow", [True, False], ids=["open-nofollow", "lstat-check"])
def test_links_inside_the_repository_are_read_and_links_out_are_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_follow: bool
) -> None:
    if not no_follow:  # the check used where the platform has no O_NOFOLLOW (Windows)
        monkeypatch.setattr("verifier.reader._O_NOFOLLOW", 0)
    secret = tmp_path / "outside"
    (secret / "sub").mkdir(parents=True)
    (secret / "sub" / "build.sh").write_text("docker build TOP-SECRET-CONTENT\n")
    root = write_tree(tmp_path / "group", {**BASE, "docs/build.md": "docker build -t app .\n"})
    os.symlink("../docs/build.md", root / "src" / "build.md")
    os.symlink(secret / "sub", root / "linked")
    result = run(root)
    repo = Repo(root)
    assert repo.read("src/build.md") == "docker build -t app .\n"
    assert repo.read("linked/build.sh") is None
    assert any("linked/build.sh" in w and "outside the repository" in w for w in repo.warnings)
    assert "TOP-SECRET" not in snippets(result)


def test_a_link_deep_in_a_folder_path_is_resolved_and_checked(tmp_path: Path) -> None:
    secret = tmp_path / "outside"
    (secret / "deep").mkdir(parents=True)
    (secret / "deep" / "build.sh").write_text("docker build TOP-SECRET-CONTENT\n")
    root = write_tree(tmp_path / "group", {**BASE, "a/b/real/c/run.sh": "docker build -t app .\n"})
    os.symlink(secret, root / "a" / "b" / "out")
    os.symlink("real", root / "a" / "b" / "in")
    repo = Repo(root)
    assert repo.read("a/b/real/c/run.sh") == "docker build -t app .\n"
    assert repo.read("a/b/in/c/run.sh") == "docker build -t app .\n"  # a link to a folder inside
    assert repo.read("a/b/out/deep/build.sh") is None  # a link to a folder outside, two levels up
    assert repo.read("a/b/in/../out/deep/build.sh") is None
    assert any("a/b/out/deep/build.sh" in w and "outside the repository" in w for w in repo.warnings)
    assert repo.reader._resolved_folder("a/b/in/c") == os.fspath(root / "a" / "b" / "real" / "c")


def test_a_named_pipe_in_a_walked_folder_does_not_hang(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "group", BASE)
    os.mkfifo(root / "src" / "pipe")
    result = run(root, git=False)
    assert Repo(root).read("src/pipe") == ""
    assert result.items


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_gives_what_was_written_or_nothing_without_blocking(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "group", BASE)
    os.mkfifo(root / "src" / "written")
    os.mkfifo(root / "src" / "silent")
    written = os.open(root / "src" / "written", os.O_RDWR)  # a writer that keeps the pipe open
    silent = os.open(root / "src" / "silent", os.O_RDWR)
    try:
        os.write(written, b"docker build -t app .\n")
        repo = Repo(root, include_untracked=True)
        assert repo.read("src/written") == "docker build -t app .\n"  # a pipe's size is 0: read on
        assert repo.read("src/silent") is None  # nothing to read yet: no wait for it
    finally:
        os.close(written)
        os.close(silent)


def test_files_at_and_over_the_read_cap(tmp_path: Path) -> None:
    cap = 1000
    files = {"at.txt": "a" * cap, "over.txt": "b" * (cap + 1), "under.txt": "c" * (cap - 1)}
    root = write_tree(tmp_path / "group", {**BASE, **files})
    repo = Repo(root, max_file_bytes=cap)
    assert repo.read("at.txt") == "a" * cap and repo.read("under.txt") == "c" * (cap - 1)
    assert repo.read("over.txt") == "b" * cap
    assert repo.truncated == {"over.txt"}


def test_an_embedded_repository_is_named_not_read(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "group", BASE)
    git_init(write_tree(root / "vendor" / "other", {"README.md": "other group\n"}))
    git_init(root)
    repo = Repo(root)
    assert "vendor/other" in repo.files  # git lists the embedded repository as one entry
    assert repo.read("vendor/other") is None
    assert any("vendor/other" in w and "another git repository" in w for w in repo.warnings)


def test_a_submodule_named_in_gitmodules_is_not_listed(tmp_path: Path) -> None:
    gitmodules = '[submodule "other"]\n\tpath = vendor/other\n\turl = https://example.com/other.git\n'
    root = write_tree(tmp_path / "group", {**BASE, ".gitmodules": gitmodules})
    git_init(write_tree(root / "vendor" / "other", {"README.md": "other group\n"}))
    git_init(root)
    repo = Repo(root)
    assert "vendor/other" not in repo.files and "src/app.py" in repo.files
    assert not any("vendor/other" in w for w in repo.warnings)


def test_a_60_mb_text_file_is_read_in_part(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "group", BASE)
    with open(root / "huge.py", "w") as handle:
        line = "value = 'x' * 80  # padding padding padding padding\n"
        handle.write(line * (60_000_000 // len(line)))
    result = run(root)
    assert any(w.startswith("huge.py: larger than") for w in result.warnings)


def test_random_bytes_and_invalid_utf8(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "group",
        {
            **BASE,
            "src/noise.py": os.urandom(4096).replace(b"\x00", b"\x01"),
            "src/latin.py": "x = 'caf\xe9'\n".encode("latin-1"),
            "configs/bad.yaml": b"lr: \xff\xfe 0.1\n",
        },
    )
    result = run(root)
    assert any(w.startswith("src/noise.py: Python not parsed") for w in result.warnings)


def test_yaml_alias_bomb_and_deep_nesting_are_refused(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "group",
        {
            **BASE,
            ".github/workflows/bomb.yaml": BILLION_LAUGHS,
            "configs/bomb.yaml": BILLION_LAUGHS,
            "configs/deep.yaml": "a: " + "[" * 10_000 + "]" * 10_000 + "\n",
        },
    )
    result = run(root)
    assert any(w.startswith(".github/workflows/bomb.yaml:") and "alias" in w for w in result.warnings)
    assert any(w.startswith("configs/deep.yaml:") and "nesting" in w for w in result.warnings)


def test_workflow_without_on_invalid_toml_broken_notebook_and_deep_python(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "group",
        {
            **BASE,
            ".github/workflows/tests.yaml": "name: t\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest\n",
            "pyproject.toml": "[project\nname = 'broken'\n",
            "notebooks/broken.ipynb": "{not json",
            "src/deep.py": "x = " + "(" * 2000 + "1" + ")" * 2000 + "\n",
        },
    )
    result = run(root)
    verdicts = {item.rule: item.verdict for item in result.items}
    assert verdicts["m17.ci"] == "weakly-supported"  # the workflow has no triggers, so it never runs
    assert any(w.startswith("pyproject.toml: invalid TOML") for w in result.warnings)
    assert any(w.startswith("src/deep.py: Python not parsed") for w in result.warnings)


def test_ordinary_anchors_and_merge_keys_still_load() -> None:
    from verifier.safe_yaml import LineDict, load

    document = load(
        "base: &base\n  image: api\n  ports: [80]\nservices:\n  api:\n    <<: *base\n    command: run\n"
    )
    assert document["services"]["api"]["image"] == "api" and document["services"]["api"]["command"] == "run"
    assert isinstance(document, LineDict) and document["services"].line == 5
