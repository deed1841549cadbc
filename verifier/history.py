"""Git history of the verified repository, read once through GitPython (`git log` in one call)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MAX_COMMITS = 5000
BOT = re.compile(r"\[bot\]|dependabot|github-actions|pre-commit-ci|renovate|noreply@github\.com$", re.I)
# Coding agents that commit under their own name (GitHub Copilot's coding agent, Claude, Devin, Codex):
# not a member of the group.
AGENT = re.compile(
    r"^(copilot|github copilot|copilot-swe-agent|claude|claude code|devin|devin-ai-integration|codex|"
    r"github actions?|github-actions|cml bot|cml)$|^actions?@github\.com$|@iterative\.ai$"
    r"|\+copilot@users\.noreply\.github\.com$|@anthropic\.com$|@cognition\.ai$",
    re.I,
)
RECORD, UNIT = "\x1e", "\x1f"


@dataclass(frozen=True)
class Commit:
    sha: str
    parents: tuple[str, ...]
    author: str
    email: str
    date: str
    subject: str
    files: tuple[str, ...] = ()

    @property
    def is_merge(self) -> bool:
        return len(self.parents) > 1

    @property
    def is_bot(self) -> bool:
        return bool(
            BOT.search(self.author)
            or (BOT.search(self.email) and "[bot]" in self.email)
            or AGENT.search(self.author.strip())
            or AGENT.search(self.email.strip())
        )


@dataclass(frozen=True)
class Author:
    """One person, with every name and email seen for them merged."""

    names: tuple[str, ...]
    emails: tuple[str, ...]
    commits: int


@dataclass
class History:
    available: bool = False
    reason: str = "not a git repository"
    head: str | None = None
    branch: str | None = None
    shallow: bool = False
    truncated: bool = False
    commits: list[Commit] = field(default_factory=list)
    remotes: dict[str, str] = field(default_factory=dict)
    root: Path | None = None
    branches: list[str] = field(default_factory=list)

    @property
    def merges(self) -> list[Commit]:
        return [commit for commit in self.commits if commit.is_merge]

    def merged_branches(self) -> list[str]:
        """Branch names named by merge commits ("Merge branch 'x'", "Merge pull request #3 from o/x")."""
        names = []
        for commit in self.merges:
            match = re.search(r"Merge (?:branch '([^']+)'|pull request #\d+ from \S+?/(\S+))", commit.subject)
            if match:
                names.append(match.group(1) or match.group(2))
        return names

    def authors(self, include_bots: bool = False) -> list[Author]:
        """People who authored commits, merged by shared email or by the same name ignoring case, spaces and
        punctuation ("Lin Zhu" and "linzhu" are one person). Names are given as first written, oldest first."""
        groups: list[tuple[set[str], set[str], list[str], int]] = []
        for commit in reversed(self.commits):
            if commit.is_bot and not include_bots:
                continue
            display = commit.author.strip()
            key = re.sub(r"[^a-z0-9]", "", display.lower()) or display.lower()
            email = commit.email.strip().lower()
            matches = [g for g in groups if key in g[0] or (email and email in g[1])]
            keys, emails, names, count = {key}, {email} if email else set(), [display], 1
            for group in matches:
                keys |= group[0]
                emails |= group[1]
                names = group[2] + [n for n in names if n not in group[2]]
                count += group[3]
                groups.remove(group)
            groups.append((keys, emails, names, count))
        ordered = sorted(groups, key=lambda g: -g[3])
        return [Author(tuple(names), tuple(sorted(emails)), count) for _, emails, names, count in ordered]

    def with_files(self) -> list[Commit]:
        """The commits with the files each one changed (read on first use: one more `git log`)."""
        if self.root is not None and self.commits and not any(commit.files for commit in self.commits):
            import git

            output = git.Repo(self.root).git.log(
                f"-n{len(self.commits)}",
                f"--format={RECORD}%H{UNIT}%P{UNIT}%an{UNIT}%ae{UNIT}%aI{UNIT}%s",
                "--name-only",
                "--no-renames",
                "-z",
                "HEAD",
            )
            self.commits = _parse_log(output)[: len(self.commits)]
        return self.commits

    def file_commit_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for commit in self.with_files():
            for path in commit.files:
                counts[path] = counts.get(path, 0) + 1
        return counts

    def last_commit(self, path: str) -> Commit | None:
        return next((commit for commit in self.with_files() if path in commit.files), None)

    def untouched_since_first_commit(self) -> set[str]:
        """Files added by the root commit and never changed after it (a hint of template files)."""
        if not self.commits or self.shallow or self.truncated:
            return set()
        root = self.commits[-1]
        counts = self.file_commit_counts()
        return {path for path in root.files if counts.get(path) == 1}


def read_history(root: Path, max_commits: int = MAX_COMMITS) -> History:
    """History of the branch checked out at `root`; a directory that is not a work tree root has none."""
    try:
        import git
    except ImportError:  # pragma: no cover - gitpython is a hard dependency
        return History(reason="GitPython is not installed")
    try:
        repo = git.Repo(root, search_parent_directories=False)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return History(reason="not a git repository (no .git at its root)")
    except Exception as error:
        return History(reason=f"git could not read the repository: {error}")
    history = History(available=True, reason="", root=root)
    # `git log` and `git for-each-ref` run side by side; the head commit is the log's first record and the
    # remotes come from the config, so no other git process is started.
    log = repo.git.log(
        f"-n{max_commits + 1}",
        f"--format={RECORD}%H{UNIT}%P{UNIT}%an{UNIT}%ae{UNIT}%aI{UNIT}%s",
        "-z",
        "HEAD",
        as_process=True,
    )
    refs = repo.git.for_each_ref("--format=%(refname:short)", "refs/heads", "refs/remotes", as_process=True)
    output = _finish(log)
    history.branches = (_finish(refs) or "").split()
    if not output:
        if output is None and repo.head.is_valid():
            return History(reason="git log failed on a repository with commits (is it damaged?)")
        return History(available=True, reason="the repository has no commits")
    history.commits = _parse_log(output)
    if len(history.commits) > max_commits:
        history.commits = history.commits[:max_commits]
        history.truncated = True
    history.head = history.commits[0].sha if history.commits else None
    try:
        history.branch = repo.active_branch.name
    except Exception:
        history.branch = None
    history.shallow = (Path(repo.git_dir) / "shallow").exists()
    try:
        history.remotes = {remote.name: remote.url for remote in repo.remotes}
    except Exception:
        history.remotes = {}
    return history


def _finish(process: Any) -> str | None:
    """The whole output of a GitPython process started with `as_process=True`; None when git failed."""
    try:
        output = process.stdout.read()
        process.wait()
    except Exception:
        return None
    return output.decode("utf-8", errors="replace")


def _parse_log(output: str) -> list[Commit]:
    commits = []
    for record in output.split(RECORD):
        if not record.strip("\x00\n"):
            continue
        header, _, rest = record.partition("\n")
        header = header.rstrip("\x00")
        fields = header.split(UNIT)
        if len(fields) < 6:
            continue
        sha, parents, author, email, date, subject = fields[:6]
        files = tuple(name.strip("\n") for name in rest.split("\x00") if name.strip("\n"))
        commits.append(Commit(sha, tuple(parents.split()), author, email, date, subject, files))
    return commits
