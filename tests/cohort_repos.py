"""Repositories for the cohort tests, built in tmp_path at test time: small projects whose report ticks a
Dockerfile item, commits with chosen author and committer dates, and bare "remote" copies served by
file:// URLs."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from conftest import GIT_ENV, write_tree

REPORT = """# Exam

## Overall project checklist

### Week 1

* [x] Create a git repository (M5)
* [{docker}] Construct one or multiple docker files for your code (M10)
* [x] Use profiling to optimize your code (M12)

## Group information

### Question 1
> **Enter the group number you signed up on <learn.inside.dtu.dk>**
>
> Answer:

7
"""


def run_git(
    cwd: Path, *args: str, when: str | None = None, authored: str | None = None, check: bool = True
) -> str:
    """git in `cwd` with the tests' identity; `when` sets the committer date, `authored` the author date
    (default: `when`)."""
    env = {**os.environ, **GIT_ENV}
    if when:
        env["GIT_COMMITTER_DATE"] = when
        env["GIT_AUTHOR_DATE"] = authored or when
    done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=check)
    return done.stdout.strip()


def make_project(root: Path, *, docker: bool = True, when: str = "2026-01-10T12:00:00+01:00") -> Path:
    """A git repository at `root` whose report ticks the Dockerfile item, with a Dockerfile when `docker`;
    one commit at `when`."""
    files: dict[str, str | bytes] = {
        "reports/README.md": REPORT.format(docker="x"),
        "src/app.py": "print(1)\n",
    }
    if docker:
        files["Dockerfile"] = "FROM python:3.12\n"
    write_tree(root, files)
    run_git(root, "init", "-q", "-b", "main")
    run_git(root, "add", "-A")
    run_git(root, "commit", "-q", "-m", "initial", when=when)
    return root


def commit_change(
    root: Path, files: dict[str, str | bytes], when: str, message: str = "change", authored: str | None = None
) -> str:
    """Write `files`, commit them at `when` (author date `authored`), and return the commit's sha."""
    write_tree(root, files)
    run_git(root, "add", "-A")
    run_git(root, "commit", "-q", "-m", message, when=when, authored=authored)
    return run_git(root, "rev-parse", "HEAD")


def remove_file(root: Path, name: str, when: str, authored: str | None = None) -> str:
    run_git(root, "rm", "-q", name)
    run_git(root, "commit", "-q", "-m", f"remove {name}", when=when, authored=authored)
    return run_git(root, "rev-parse", "HEAD")


def bare_copy(work: Path, bare: Path) -> str:
    """A bare clone of `work` at `bare`; its file:// URL."""
    subprocess.run(
        ["git", "clone", "-q", "--bare", str(work), str(bare)],
        env={**os.environ, **GIT_ENV},
        check=True,
        capture_output=True,
    )
    return bare.resolve().as_uri()


def push(work: Path, bare: Path) -> None:
    run_git(work, "push", "-q", str(bare), "HEAD:main")
