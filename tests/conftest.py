"""Shared test helpers: build repositories from fixture trees or dicts, optionally as git repos."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from verifier.engine import run_rule
from verifier.evidence import Evidence
from verifier.registry import all_rules
from verifier.repo import Repo

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
# Real exam reports for the parser and answer tests. They are not committed (they are students' work);
# the project keeps five in shared/seeds next to the checkout. Elsewhere, point MLOPS_VERIFIER_SEEDS at
# a folder of reports/README.md files of DTU 02476 group repositories, each saved as <name>.md.
SEEDS = Path(os.environ.get("MLOPS_VERIFIER_SEEDS") or ROOT.parent / "shared" / "seeds")
SEEDS_MISSING = (
    f"no seed reports in {SEEDS}: set MLOPS_VERIFIER_SEEDS to a folder of real exam reports "
    "(reports/README.md of DTU 02476 group repositories, saved as <name>.md), or put them in "
    "shared/seeds next to this checkout"
)

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Ada Student",
    "GIT_AUTHOR_EMAIL": "ada@example.org",
    "GIT_COMMITTER_NAME": "Ada Student",
    "GIT_COMMITTER_EMAIL": "ada@example.org",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_SYSTEM": os.devnull,
}


def git(cwd: Path, *args: str, author: tuple[str, str] | None = None) -> str:
    env = {**os.environ, **GIT_ENV}
    if author:
        env.update(GIT_AUTHOR_NAME=author[0], GIT_AUTHOR_EMAIL=author[1])
    done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True)
    return done.stdout


def git_init(path: Path, message: str = "initial commit") -> Path:
    """Make `path` a git repository with everything in it committed."""
    git(path, "init", "-q", "-b", "main")
    git(path, "add", "-A")
    git(path, "commit", "-q", "--allow-empty", "-m", message)
    return path


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    return root


@pytest.fixture
def make_repo(tmp_path: Path) -> Callable[..., Repo]:
    """make_repo({"path": "content", ...}, git=False) -> Repo of a fresh directory with those files."""
    counter = iter(range(1000))

    def make(files: dict[str, str | bytes], git: bool = False) -> Repo:
        root = tmp_path / f"repo{next(counter)}"
        root.mkdir()
        write_tree(root, files)
        if git:
            git_init(root)
        return Repo(root)

    return make


@pytest.fixture
def fixture_repo(tmp_path: Path) -> Callable[..., Repo]:
    """fixture_repo("rules/m11.hydra/found", git=False) -> Repo of a copy of that fixture tree."""

    def make(relative: str, git: bool = False, extra: dict[str, str | bytes] | None = None) -> Repo:
        target = tmp_path / relative.replace("/", "__")
        shutil.copytree(FIXTURES / relative, target)
        if extra:
            write_tree(target, extra)
        if git:
            git_init(target)
        return Repo(target)

    return make


def check(rule_id: str, repo: Repo) -> Evidence:
    """Run one rule by id on a Repo, as the engine would (errors become unverifiable)."""
    rule = next(r for r in all_rules() if r.id == rule_id)
    return run_rule(rule(), repo)


def recorded_calls(monkeypatch: pytest.MonkeyPatch, owner: object, name: str, argument: int = 0) -> list[Any]:
    """The `argument`-th positional argument of every call of `owner.name` from now on (the call still runs
    as before); for a method of a class, argument 0 is the instance."""
    seen: list[Any] = []
    original = getattr(owner, name)

    def recording(*args: Any, **kwargs: Any) -> Any:
        seen.append(args[argument])
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, recording)
    return seen


class TableUnreadable:
    """Stands for `importlib.resources` in `verifier.templates`: reading the fingerprint table fails (to
    show that a forked worker uses the table its parent loaded)."""

    @staticmethod
    def files(package: str) -> object:
        raise RuntimeError("the fingerprint table was read again")
