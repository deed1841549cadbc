"""The state of a repository to verify in a cohort run: kept clones, the commit as of a deadline, and the
work tree a worker verifies.

`resolve(source, ...)` settles, before anything is verified, which commit of a source is verified and what
identifies that state for the results database (`Snapshot.state`):

- a git URL is cloned once into the cache folder (`CloneCache`) and brought up to date with `git fetch` on
  every later run; its default branch is the remote's (`origin/HEAD`);
- a local folder is read where it is; its branch is the one checked out.

With a deadline, the commit is the last one on that branch, following first parents from its tip, whose
committer date is at or before the deadline (the author date is what a group can set freely and what a
rebase keeps; the committer date is when the commit was made on top of the branch). The snapshot counts
the commits on the branch that are not in that commit's history (`commits_after`) and warns when author
and committer dates disagree across the deadline: commits authored before it but committed after (a
rebase or amend after the deadline, whose work is then not verified), or authored after it and committed
before (a committer date set by hand).

`prepared(snapshot)` (in the worker) gives the folder to verify: a local folder as it is when no deadline
applies, the cache entry with the commit checked out (under a file lock, so two runs never check out two
commits in one entry at once), or, for a local folder verified at an older commit, a private clone in the
worker's temporary folder (the group's folder is never written to). Every git command goes through
`verifier.gitsafe`.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from . import gitsafe
from .redact import redact_url
from .remote import CLONE_TIMEOUT, RemoteError, check_url, is_remote, remove_folder

# The results database of a cohort run (verifier.db), named here so that `verify --help` can say it
# without loading the engine.
DB_NAME = "mlops-verifier.sqlite"

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; one run at a time per cache folder
    fcntl = None  # type: ignore[assignment]

MAX_COMMITS_READ = 200_000  # commits of one branch read to find the deadline's commit
_LOG_FORMAT = "--format=%H %at %ct %P"
_SLUG = re.compile(r"[^A-Za-z0-9._-]+")
_BRANCH = re.compile(r"[A-Za-z0-9._/@+-]+")
_DISAGREEMENTS_NAMED = 3


class SnapshotError(Exception):
    """The source cannot be brought to a commit to verify (a failed clone or fetch, no commit at or before
    the deadline, an unreadable history); the message is one line a grader can act on."""


def default_cache_folder() -> Path:
    """Where clones are kept without `--cache`: `$XDG_CACHE_HOME/mlops-verifier/clones` (default
    `~/.cache`)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "mlops-verifier" / "clones"


@dataclass(frozen=True)
class Snapshot:
    """What a worker verifies for one source.

    `kind` is "folder" (a local folder as it is on disk), "cache" (the cache entry at `path`, checked out at
    `commit`) or "copy" (the local repository at `path`, cloned privately and checked out at `commit`).
    `state` identifies what is verified for the results database: the commit, and for a folder verified as
    it is also its tracked files' sizes and modification times; None when it cannot be known (a folder
    without git history), and such a source is always verified again."""

    source: str
    kind: str
    path: Path
    commit: str | None
    branch: str | None = None
    state: str | None = None
    commits_after: int | None = None
    deadline_warnings: tuple[str, ...] = ()
    origin_url: str | None = None


@dataclass(frozen=True)
class _Commit:
    sha: str
    authored: int
    committed: int
    parents: tuple[str, ...]


@dataclass(frozen=True)
class DeadlineCommit:
    """The commit of a branch as of a deadline: `sha`, the commits of the branch not in its history
    (`after`) and the warnings about author and committer dates that disagree across the deadline."""

    sha: str
    after: int
    warnings: tuple[str, ...] = field(default_factory=tuple)


def parse_log(output: bytes) -> list[_Commit]:
    """The lines of `git log --format='%H %at %ct %P'`, newest first."""
    commits = []
    for line in output.decode("ascii", errors="replace").splitlines():
        fields = line.split()
        if len(fields) >= 3 and fields[1].lstrip("-").isdigit() and fields[2].lstrip("-").isdigit():
            commits.append(_Commit(fields[0], int(fields[1]), int(fields[2]), tuple(fields[3:])))
    return commits


def commit_at(commits: list[_Commit], deadline: datetime | None, branch: str) -> DeadlineCommit:
    """The last commit on `branch` (first parents from the tip, `commits[0]`) whose committer date is at or
    before `deadline` (the tip without one); SnapshotError when there is none."""
    if not commits:
        raise SnapshotError(f"{branch} has no commit")
    if deadline is None:
        return DeadlineCommit(commits[0].sha, 0)
    limit = deadline.timestamp()
    by_sha = {commit.sha: commit for commit in commits}
    chosen: _Commit | None = None
    current: _Commit | None = commits[0]
    while current is not None:
        if current.committed <= limit:
            chosen = current
            break
        current = by_sha.get(current.parents[0]) if current.parents else None
    if chosen is None:
        raise SnapshotError(
            f"no commit on {branch} at or before the deadline {deadline.isoformat(' ', 'minutes')} "
            "(committer date): nothing was handed in by then"
        )
    history = _ancestors(chosen.sha, by_sha)
    later = [commit for commit in commits if commit.sha not in history]
    warnings = []
    rebased = [commit for commit in later if commit.authored <= limit < commit.committed]
    if rebased:
        warnings.append(
            f"{_count(len(rebased), 'commit')} authored before the deadline {'was' if len(rebased) == 1 else 'were'} "
            f"committed after it ({_names(rebased)}): a rebase or amend after the deadline? "
            f"Not verified: {chosen.sha[:10]} is the last commit on {branch} by committer date"
        )
    backdated = [commit for commit in commits if commit.sha in history and commit.authored > limit]
    if backdated:
        warnings.append(
            f"{_count(len(backdated), 'commit')} authored after the deadline {'has' if len(backdated) == 1 else 'have'} "
            f"a committer date at or before it ({_names(backdated)}): a committer date set by hand?"
        )
    return DeadlineCommit(chosen.sha, len(later), tuple(warnings))


def _ancestors(sha: str, by_sha: dict[str, _Commit]) -> set[str]:
    seen = {sha}
    stack = [sha]
    while stack:
        commit = by_sha.get(stack.pop())
        for parent in commit.parents if commit else ():
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return seen


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _names(commits: list[_Commit]) -> str:
    shown = ", ".join(commit.sha[:10] for commit in commits[:_DISAGREEMENTS_NAMED])
    return shown + (
        f" and {len(commits) - _DISAGREEMENTS_NAMED} more" if len(commits) > _DISAGREEMENTS_NAMED else ""
    )


class CloneCache:
    """A folder of kept clones, one per URL: `entry(url)` clones a URL the first time and fetches it every
    later time. Entries are named after the URL (its last path parts and a hash of the whole URL, so a
    token in it never becomes a file name); a file lock per entry keeps two runs from changing one entry
    at once."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)

    def path_for(self, url: str) -> Path:
        """The folder of `url`'s clone (which may not exist yet)."""
        digest = hashlib.sha256(url.encode("utf-8", errors="surrogateescape")).hexdigest()[:12]
        tail = "-".join(part for part in redact_url(url).rstrip("/").split("/")[-2:] if part)
        slug = _SLUG.sub("_", tail.removesuffix(".git"))[-60:].strip("._-") or "repo"
        return self.folder / f"{slug}-{digest}"

    @contextlib.contextmanager
    def locked(self, url: str) -> Iterator[Path]:
        """Hold the entry's lock (blocking) while the block runs; yields the entry's folder."""
        path = self.path_for(url)
        self.folder.mkdir(parents=True, exist_ok=True)
        with _file_lock(path.with_name(path.name + ".lock")):
            yield path

    def update(self, url: str, *, timeout: float = CLONE_TIMEOUT) -> gitsafe.GitRepository:
        """The entry of `url`, cloned (no checkout) or fetched within `timeout` seconds. An entry that
        cannot be read or names another URL is cloned anew. RemoteError (one line) when the URL is refused
        or the transfer fails."""
        check_url(url)
        with self.locked(url) as path:
            repository = _existing_entry(path, url)
            try:
                if repository is not None:
                    gitsafe.fetch(repository, timeout=timeout)
                    return repository
                return _clone_entry(url, path, timeout)
            except gitsafe.GitError as error:
                verb = "fetch" if repository is not None else "clone"
                raise RemoteError(f"git {verb} of {redact_url(url)} failed: {error.reason}") from None


def _existing_entry(path: Path, url: str) -> gitsafe.GitRepository | None:
    """The validated entry at `path` when it is a clone of `url`; None (the folder removed) otherwise."""
    if not path.exists():
        return None
    try:
        repository = gitsafe.locate(path)
        origin = (
            repository.run("config", "--local", "--no-includes", "--get", "remote.origin.url")
            .decode()
            .strip()
            if repository is not None
            else None
        )
    except gitsafe.GitError:
        repository, origin = None, None
    if repository is not None and origin == url:
        return repository
    remove_folder(path)
    return None


def _clone_entry(url: str, path: Path, timeout: float) -> gitsafe.GitRepository:
    """Clone `url` into a fresh folder beside `path`, then move it into place (a half-done clone never
    becomes an entry)."""
    partial = Path(tempfile.mkdtemp(prefix=f".partial-{path.name}-", dir=path.parent))
    try:
        gitsafe.clone(url, partial / "repo", timeout=timeout)
        os.replace(partial / "repo", path)
    finally:
        remove_folder(partial)
    repository = gitsafe.locate(path)
    if repository is None:
        raise gitsafe.GitError("the clone has no .git folder")
    return repository


def resolve(
    source: str,
    *,
    deadline: datetime | None = None,
    cache: CloneCache | None = None,
    timeout: float = CLONE_TIMEOUT,
    include_untracked: bool = False,
) -> Snapshot:
    """The snapshot of `source` (a git URL or a local folder) to verify, as of `deadline` when given.

    A URL is cloned into or fetched in `cache` (required for URLs). Raises RemoteError or SnapshotError
    with one line when there is nothing to verify; a local folder that is not a git repository is
    verified as it is (and a deadline cannot apply to it: SnapshotError)."""
    if is_remote(source):
        if cache is None:
            raise SnapshotError(f"{redact_url(source)}: a URL needs a clone cache folder")
        repository = cache.update(source, timeout=timeout)
        branch_ref = _default_branch(repository)
        picked = _pick(repository, branch_ref, deadline, timeout)
        branch = branch_ref.removeprefix("refs/remotes/origin/")
        return Snapshot(
            source,
            "cache",
            repository.root,
            picked.sha,
            branch if _BRANCH.fullmatch(branch) and not branch.startswith("-") else None,
            picked.sha,
            picked.after if deadline is not None else None,
            picked.warnings,
        )
    folder = Path(source)
    if not folder.is_dir():
        raise SnapshotError(f"{source}: not a directory")
    try:
        repository = gitsafe.locate(folder)
    except gitsafe.GitError as error:
        if deadline is not None:
            raise SnapshotError(f"{source}: {error.reason}") from None
        return Snapshot(source, "folder", folder, None)
    if repository is None:
        if deadline is not None:
            raise SnapshotError(
                f"{source}: not a git repository, so no commit can be taken as of the deadline"
            )
        return Snapshot(source, "folder", folder, None)
    branch = repository.head_branch()
    if deadline is None:
        head = _head(repository, timeout)
        if head is None:
            return Snapshot(source, "folder", folder, None)
        return Snapshot(
            source, "folder", folder, head, branch, _folder_state(repository, head, include_untracked)
        )
    picked = _pick(repository, "HEAD", deadline, timeout, shown=branch or "HEAD")
    return Snapshot(
        source,
        "copy",
        folder,
        picked.sha,
        branch,
        picked.sha,
        picked.after,
        picked.warnings,
        origin_url=_origin(repository),
    )


def _default_branch(repository: gitsafe.GitRepository) -> str:
    """`refs/remotes/origin/<default branch>`, from origin/HEAD as the clone recorded it."""
    try:
        ref = repository.run("symbolic-ref", "-q", "refs/remotes/origin/HEAD").decode().strip()
    except gitsafe.GitError:
        ref = ""
    if ref.startswith("refs/remotes/origin/"):
        return ref
    raise SnapshotError("the remote has no default branch (an empty repository?)")


def _pick(
    repository: gitsafe.GitRepository,
    ref: str,
    deadline: datetime | None,
    timeout: float,
    shown: str | None = None,
) -> DeadlineCommit:
    name = shown or ref.removeprefix("refs/remotes/origin/")
    try:
        output = repository.run("log", f"-n{MAX_COMMITS_READ}", _LOG_FORMAT, ref, "--", timeout=timeout)
    except gitsafe.GitError as error:
        raise SnapshotError(f"the history of {name} cannot be read: {error.reason}") from None
    return commit_at(parse_log(output), deadline, name)


def _head(repository: gitsafe.GitRepository, timeout: float) -> str | None:
    try:
        return (
            repository.run("rev-parse", "-q", "--verify", "HEAD^{commit}", timeout=timeout).decode().strip()
        )
    except gitsafe.GitError:
        return None


def _origin(repository: gitsafe.GitRepository) -> str | None:
    try:
        return (
            repository.run("config", "--local", "--no-includes", "--get", "remote.origin.url")
            .decode()
            .strip()
            or None
        )
    except gitsafe.GitError:
        return None


def _folder_state(repository: gitsafe.GitRepository, head: str, include_untracked: bool) -> str | None:
    """The commit and a digest of the listed files' paths, sizes and modification times: what changes when
    a file of a folder verified as it is changes, committed or not."""
    listing = ["ls-files", "-z", "--cached"]
    if include_untracked:
        listing += ["--others", "--exclude-standard"]
    try:
        names = repository.run(*listing)
    except gitsafe.GitError:
        return None
    digest = hashlib.sha256(head.encode())
    for name in sorted(set(names.split(b"\x00")) - {b""}):
        try:
            info = os.lstat(repository.root / os.fsdecode(name))
        except OSError:
            digest.update(name + b"\x00-\x00")
            continue
        digest.update(name + f"\x00{info.st_size}:{info.st_mtime_ns}:{info.st_mode}\x00".encode())
    return f"{head}+{digest.hexdigest()[:16]}"


@contextlib.contextmanager
def prepared(snapshot: Snapshot, *, timeout: float = CLONE_TIMEOUT) -> Iterator[Path]:
    """The folder a worker verifies for `snapshot`, with its commit checked out (see the module docstring).
    A private copy is removed on exit; a cache entry stays locked until then. RemoteError (one line) when
    the checkout fails."""
    if snapshot.kind == "folder":
        yield snapshot.path
        return
    if snapshot.commit is None:
        raise SnapshotError(f"{snapshot.source}: no commit to check out")
    if snapshot.kind == "cache":
        with _file_lock(snapshot.path.with_name(snapshot.path.name + ".lock")):
            _check_out(snapshot.path, snapshot, timeout)
            yield snapshot.path
        return
    source = gitsafe.locate(snapshot.path)
    if source is None:
        raise SnapshotError(f"{snapshot.source}: not a git repository")
    workdir = Path(tempfile.mkdtemp(prefix="mlops-verifier-copy-"))
    try:
        target = workdir / (snapshot.path.resolve().name or "repo")
        try:
            gitsafe.clone_local(source, target, timeout=timeout)
        except gitsafe.GitError as error:
            raise RemoteError(
                f"{snapshot.source}: a private copy could not be made: {error.reason}"
            ) from None
        _check_out(target, snapshot, timeout)
        yield target
    finally:
        remove_folder(workdir)


def _check_out(root: Path, snapshot: Snapshot, timeout: float) -> None:
    """Check `snapshot.commit` out in the clone at `root` as its branch (so the history names the branch
    it was verified on), and name the group's remote as origin in a private copy."""
    repository = gitsafe.locate(root)
    if repository is None:
        raise SnapshotError(f"{snapshot.source}: the clone has no .git folder")
    assert snapshot.commit is not None
    switch = ["-B", snapshot.branch] if snapshot.branch else ["--detach"]
    try:
        repository.run("checkout", "-q", "-f", *switch, snapshot.commit, "--", timeout=timeout)
        if snapshot.kind == "copy":
            if snapshot.origin_url:
                repository.run("config", "--local", "remote.origin.url", snapshot.origin_url)
            else:
                repository.run("remote", "remove", "origin")
    except gitsafe.GitError as error:
        raise RemoteError(
            f"{redact_url(snapshot.source)}: checking out {snapshot.commit[:10]} failed: {error.reason}"
        ) from None


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """An exclusive advisory lock on the file `path` (made if missing) while the block runs."""
    if fcntl is None:  # pragma: no cover - Windows
        yield
        return
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)
