"""Git history of the verified repository: one `git log` (the branches and remotes read from the git folder
in Python, `gitdata`), and the files of each commit on first use, all through `gitsafe`.

The log is read with NUL-separated fields and parsed by position, so no author name, e-mail or subject can
forge a commit or a group member, whatever bytes it holds (see `parse_log`). Every field is cut to
MAX_LOG_FIELD bytes as git writes it, names, e-mails and subjects then to a few hundred characters, and the
whole output is capped.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, overload

from . import gitdata, gitsafe
from .redact import redact_url

MAX_COMMITS = 5000
NAME_WIDTH = 120  # characters of an author name or e-mail kept
SUBJECT_WIDTH = 400  # characters of a subject kept
MAX_LOG_FIELD = 2048  # bytes of each field of the log kept as it is read (a 20 MB subject costs nothing)
MAX_LOG_BYTES = 64_000_000
MAX_FILES_BYTES = 256_000_000
# Each record: an empty field (a marker no path can be), the commit id, five fields, the commit id again.
# A field holding NULs cannot fake the closing id: a commit's text cannot contain its own id.
LOG_FORMAT = "--format=%x00%H%x00%P%x00%an%x00%ae%x00%aI%x00%s%x00%H"
FILES_FORMAT = "--format=%x00%H"
LOG_FIELDS = 5
RECORD = LOG_FIELDS + 3  # tokens of a whole record: the empty marker, the id, the fields, the id again
BRANCHES_COMMAND = ("for-each-ref", "--format=%(refname:short)%00", "refs/heads", "refs/remotes")
REMOTES_COMMAND = ("config", "--local", "--no-includes", "-z", "--get-regexp", r"^remote\..*\.url$")
# log options that keep every program and every file outside the repository out, whatever the config says.
LOG_SAFETY = ("--no-show-signature", "--no-mailmap", "--no-ext-diff", "--no-textconv", f"-O{os.devnull}")
_SHA = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")
NOT_NAME_CHARACTER = re.compile(r"[^a-z0-9]")  # "Lin Zhu" and "linzhu" are one name
BOT = re.compile(r"\[bot\]|dependabot|github-actions|pre-commit-ci|renovate|noreply@github\.com$", re.I)
# Coding agents that commit under their own name (GitHub Copilot's coding agent, Claude, Devin, Codex):
# not a member of the group.
AGENT = re.compile(
    r"^(copilot|github copilot|copilot-swe-agent|claude|claude code|devin|devin-ai-integration|codex|"
    r"github actions?|github-actions|cml bot|cml)$|^actions?@github\.com$|@iterative\.ai$"
    r"|\+copilot@users\.noreply\.github\.com$|@anthropic\.com$|@cognition\.ai$",
    re.I,
)


@dataclass(frozen=True)
class Commit:
    sha: str
    parents: tuple[str, ...]
    author: str
    email: str
    date: str
    subject: str
    files: tuple[str, ...] = ()

    @classmethod
    def of(
        cls, sha: str, parents: tuple[str, ...], author: str, email: str, date: str, subject: str
    ) -> Commit:
        """The same Commit as `Commit(sha, parents, author, email, date, subject)`, at a third of the cost
        (`parse_log` makes one per commit of the history): a frozen dataclass's `__init__` sets each field
        through `object.__setattr__`, and this writes them into the new object's `__dict__` directly. The
        object stays frozen (assignment still raises) and compares and hashes as any other Commit."""
        commit = object.__new__(cls)
        fields = commit.__dict__
        fields["sha"] = sha
        fields["parents"] = parents
        fields["author"] = author
        fields["email"] = email
        fields["date"] = date
        fields["subject"] = subject
        fields["files"] = ()
        return commit

    @property
    def is_merge(self) -> bool:
        return len(self.parents) > 1

    @property
    def is_bot(self) -> bool:
        return _is_bot(self.author, self.email)


def _is_bot(author: str, email: str) -> bool:
    """Whether a commit by `author` <`email`> was made by a bot or a coding agent (see BOT, AGENT)."""
    return bool(
        BOT.search(author)
        or (BOT.search(email) and "[bot]" in email)
        or AGENT.search(author.strip())
        or AGENT.search(email.strip())
    )


def _person(author: str, email: str, include_bots: bool) -> tuple[str, str, str] | None:
    """(name as written, name key, e-mail lower-cased) of a commit's author; None for a bot (unless
    `include_bots`) and for an identity git could not parse (a crafted commit object): nobody."""
    if not include_bots and _is_bot(author, email):
        return None
    display = author.strip()
    key = NOT_NAME_CHARACTER.sub("", display.lower()) or display.lower()
    email = email.strip().lower()
    if not display and not email:
        return None
    return display, key, email


@dataclass(frozen=True)
class Author:
    """One person, with every name and email seen for them merged."""

    names: tuple[str, ...]
    emails: tuple[str, ...]
    commits: int


@dataclass
class History:
    """What git says about the repository. `available` is False without a readable history; `reason` then
    says why, and `unreadable` tells a history that exists but could not or would not be read (refused as
    unsafe, dubious ownership, damaged, too slow) from a directory without git."""

    available: bool = False
    reason: str = "not a git repository"
    head: str | None = None
    branch: str | None = None
    shallow: bool = False
    truncated: bool = False
    commits: Sequence[Commit] = field(default_factory=list)  # a CommitLog as read (see there)
    remotes: dict[str, str] = field(default_factory=dict)
    root: Path | None = None
    # read on first use (`branches`): a verification asks only when no workflow publishes to GitHub Pages
    _branches: list[str] | None = field(default=None, repr=False, compare=False)
    unreadable: bool = False
    repository: gitsafe.GitRepository | None = field(default=None, repr=False, compare=False)
    timeout: float = gitsafe.READ_TIMEOUT
    files_reason: str | None = None  # why the files of the commits could not be read, when they could not
    _records: int = field(default=0, repr=False)
    _files_read: bool = field(default=False, repr=False)
    _authors: dict[bool, list[Author]] = field(default_factory=dict, repr=False, compare=False)

    @property
    def branches(self) -> list[str]:
        """The branches and remote-tracking branches (`refname:short`, see `read_branches`), read from the
        git folder on first use; none without a readable history."""
        if self._branches is None:
            self._branches = []
            if self.repository is not None:
                names = gitdata.branch_names(self.repository)
                self._branches = read_branches(self.repository, self.timeout, names)
        return self._branches

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
        punctuation ("Lin Zhu" and "linzhu" are one person). Names are given as first written, oldest first.
        A commit whose author has neither name nor e-mail (git could not parse the identity) counts for nobody.
        Worked out once per `include_bots` (the write-access rule and the answer checks both ask); the list is
        shared: do not change it."""
        if include_bots not in self._authors:
            self._authors[include_bots] = self._merged_authors(include_bots)
        return self._authors[include_bots]

    def _merged_authors(self, include_bots: bool) -> list[Author]:
        # A group: [name keys, e-mails, names, commits, identities]; `groups` is in the order each was last
        # added to. A group's few identities sign most of its hundreds of commits: each (author, e-mail) pair
        # is judged (bot or person, name key) once, and a pair seen before counts for the group it is in
        # (`group_of`, kept up to date when groups merge: the only group that holds its key and e-mail).
        groups: list[list[Any]] = []
        identities: dict[tuple[str, str], tuple[str, str, str] | None] = {}
        group_of: dict[tuple[str, str], list[Any]] = {}
        for identity in self._identities_oldest_first():
            group = group_of.get(identity)
            if group is not None:
                group[3] += 1
                if groups[-1] is not group:
                    groups.remove(group)
                    groups.append(group)
                continue
            if identity in identities:
                continue  # judged before: nobody (a bot, or no identity)
            person = identities[identity] = _person(*identity, include_bots)
            if person is None:
                continue
            display, key, email = person
            matches = [g for g in groups if key in g[0] or (email and email in g[1])]
            keys, emails, names, count, members = {key}, {email} if email else set(), [display], 1, [identity]
            for match in matches:
                keys |= match[0]
                emails |= match[1]
                names = match[2] + [n for n in names if n not in match[2]]
                count += match[3]
                members += match[4]
                groups.remove(match)
            merged = [keys, emails, names, count, members]
            for member in members:
                group_of[member] = merged
            groups.append(merged)
        ordered = sorted(groups, key=lambda g: -g[3])
        return [Author(tuple(names), tuple(sorted(emails)), count) for _, emails, names, count, _ in ordered]

    def _identities_oldest_first(self) -> Iterable[tuple[str, str]]:
        """(author, e-mail) of each commit, oldest first; from the log's columns while the commits are
        not made yet (`CommitLog`), a verification's case."""
        if isinstance(self.commits, CommitLog):
            return self.commits.identities_oldest_first()
        return [(commit.author, commit.email) for commit in reversed(self.commits)]

    def with_files(self) -> Sequence[Commit]:
        """The commits with the files each one changed (read on first use: one more `git log`). When that
        fails (time-out, output cap) the commits keep no files and `files_reason` says why."""
        if self.repository is not None and self.commits and not self._files_read:
            self._files_read = True
            try:
                output = self.repository.run(
                    "log",
                    f"-n{max(self._records, len(self.commits))}",
                    "-z",
                    "--name-only",
                    "--no-renames",
                    "--root",
                    FILES_FORMAT,
                    *LOG_SAFETY,
                    "HEAD",
                    "--",
                    timeout=self.timeout,
                    max_output=MAX_FILES_BYTES,
                )
            except gitsafe.GitError as error:
                self.files_reason = error.reason
                return self.commits
            files = parse_files(output)
            self.commits = [replace(commit, files=files.get(commit.sha, ())) for commit in self.commits]
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


def start_reading(
    repository: gitsafe.GitRepository,
    max_commits: int = MAX_COMMITS,
    *,
    timeout: float = gitsafe.READ_TIMEOUT,
) -> gitsafe.Started:
    """Start the command `read_history` needs (the log) now, so it runs while the caller works; pass the
    result to `read_history` as `started`. GitError when git cannot be started. The branches and the
    remotes are read from the git folder itself (`gitdata`), git asked only where that is not certain."""
    return repository.start(
        ("log", f"-n{max_commits + 1}", "-z", LOG_FORMAT, *LOG_SAFETY, "HEAD", "--"),
        timeout=timeout,
        max_output=MAX_LOG_BYTES,
        max_field=MAX_LOG_FIELD,  # every output here is NUL-separated
    )


def read_history(
    root: Path,
    max_commits: int = MAX_COMMITS,
    *,
    repository: gitsafe.GitRepository | None = None,
    timeout: float = gitsafe.READ_TIMEOUT,
    started: gitsafe.Started | None = None,
    refs: RefsRead | None = None,
) -> History:
    """History of the branch checked out at `root` (validated by `gitsafe.locate` unless `repository` is
    given); a directory without `.git` at its root has none. `started`: the commands `start_reading`
    started for `repository` with the same `max_commits` and `timeout`, collected here (and closed).
    `refs`: the remotes `read_refs` read ahead. Never raises: a failure is the History's
    reason."""
    if repository is None:
        try:
            repository = gitsafe.locate(root)
        except gitsafe.GitError as error:
            return History(reason=error.reason, unreadable=True)
        if repository is None:
            return History(reason=gitsafe.NO_GIT)
    with started or start_reading(repository, max_commits, timeout=timeout) as reads:
        (log,) = reads.results()
    if isinstance(log, gitsafe.GitError):
        return _diagnose(repository, log, timeout)
    whole = CommitLog.read(log, max_commits)
    commits: Sequence[Commit]
    if whole is not None:
        commits, records = whole
        head = whole[0].newest_id
    else:
        parsed, records = parse_log(log)
        commits = parsed[:max_commits]
        if not commits:
            return History(reason="git log printed no commit that could be read", unreadable=True)
        head = commits[0].sha
    history = History(available=True, reason="", root=root, repository=repository, timeout=timeout)
    history.commits, history._records = commits, min(records, max_commits)
    history.truncated = records > max_commits
    history.head = head
    history.branch = repository.head_branch()
    history.shallow = repository.shallow
    refs = refs or read_refs(repository)
    history.remotes = read_remotes(repository, timeout, refs.remotes)
    return history


def history_of(
    root: Path,
    repository: gitsafe.GitRepository | None,
    problem: str | None,
    *,
    timeout: float,
    warn: Callable[[str], None],
    started: gitsafe.Started | None = None,
    refs: RefsRead | None = None,
) -> History:
    """The history of the work tree at `root` as a `Repo` sees it: read through `repository` (`gitsafe`),
    else a History whose reason is `problem` (why git could not read the folder) or that there is no git.
    `started`: the reads `start_reading` started for it, if any; `refs`: what `read_refs` read ahead.
    `warn` gets one line when the history cannot be read; an unexpected error is a reason, never a crash."""
    if repository is not None:
        try:
            history = read_history(root, repository=repository, timeout=timeout, started=started, refs=refs)
        except MemoryError:  # over the memory budget: the verification fails as a whole (`rule.run_rule`)
            raise
        except Exception as error:  # a bug must not cost the other items
            history = History(reason=f"git history unreadable: {error}", unreadable=True)
        if history.unreadable:
            warn(f"git history not read: {history.reason}")
        return history
    if problem:
        return History(reason=problem, unreadable=True)
    return History(reason=gitsafe.NO_GIT)


def _diagnose(repository: gitsafe.GitRepository, failure: gitsafe.GitError, timeout: float) -> History:
    """Why `git log HEAD` failed: no commit yet, a HEAD commit git cannot read (a damaged repository), or
    git's own reason."""
    if isinstance(failure, (gitsafe.GitTimeout, gitsafe.GitRefused)):
        return History(reason=failure.reason, unreadable=True)
    try:
        head = repository.run("rev-parse", "-q", "--verify", "HEAD", timeout=timeout).decode().strip()
    except gitsafe.GitError as error:
        if error.status == 1:
            return History(available=True, reason="the repository has no commits")
        return History(reason=f"git could not read the history ({failure.reason})", unreadable=True)
    try:
        repository.run("cat-file", "-e", f"{head}^{{commit}}", timeout=timeout)
    except gitsafe.GitError:
        return History(
            reason=f"HEAD points to commit {head[:10]}, which git cannot read: the repository is damaged "
            "(missing objects)",
            unreadable=True,
        )
    return History(
        reason=f"git could not read the history ({failure.reason}): the repository is damaged",
        unreadable=True,
    )


def parse_log(output: bytes) -> tuple[list[Commit], int]:
    """The commits of `git log -z LOG_FORMAT` output, and the number of records read.

    A record is ["", id, parents, author, e-mail, date, subject, id]. The closing id is found by value, so
    a field that holds NULs (a crafted commit object) only makes its own record longer than seven fields:
    that record is left out, and nothing it holds becomes a commit, an author or a record boundary.
    """
    tokens = output.decode("utf-8", errors="replace").split("\x00")
    commits: list[Commit] = []
    records = 0
    index = 0
    while index + 1 < len(tokens) and tokens[index] == "" and _SHA.fullmatch(tokens[index + 1]):
        sha = tokens[index + 1]
        try:
            end = tokens.index(sha, index + 2)
        except ValueError:
            break
        fields = tokens[index + 2 : end]
        records += 1
        if len(fields) == LOG_FIELDS:
            commits.append(_commit_of_record(sha, *fields))
        index = end + 1
    return commits, records


def _commit_of_record(sha: str, parents: str, author: str, email: str, date: str, subject: str) -> Commit:
    """The Commit of one whole record of the log: the parents that are commit ids, names, e-mails and the
    subject cut to their widths."""
    return Commit.of(
        sha,
        tuple([parent for parent in parents.split() if _SHA.fullmatch(parent)]),
        author[:NAME_WIDTH],
        email[:NAME_WIDTH],
        date,
        subject[:SUBJECT_WIDTH],
    )


class CommitLog(Sequence[Commit]):
    """The commits of a log whose records are all whole (`CommitLog.read`), made into Commit objects on
    first use. A verification only asks how many commits there are and who wrote them (`History.authors`
    reads the authors' columns of the log): making a Commit of each record was most of the cost of reading
    a history (issue #17). A sequence of Commits like the list `parse_log` gives, and equal to it."""

    __slots__ = ("_count", "_made", "_tokens")

    def __init__(self, tokens: list[str], count: int) -> None:
        self._tokens, self._count = tokens, count  # the log's tokens: record n at RECORD * n
        self._made: list[Commit] | None = None

    @classmethod
    def read(cls, output: bytes, max_commits: int) -> tuple[CommitLog, int] | None:
        """The first `max_commits` commits of `git log -z LOG_FORMAT` output and the number of records in
        it, when every record is whole: RECORD tokens ("", id, the fields, the same id) each, the ids commit
        ids, and nothing after the last one; None otherwise, or without a record (`parse_log` reads the
        output record by record then).

        `parse_log` reads the same commits from such an output: it ends a record at the first token after
        the id that equals it, and no field of a commit holds the commit's own id (its text cannot contain
        its own hash), so each record ends where a whole one does; a field holding NULs moves the closing
        id out of its place, and the output is not whole."""
        tokens = output.decode("utf-8", errors="replace").split("\x00")
        records, rest = divmod(len(tokens), RECORD)
        if not records or rest != 1 or tokens[-1]:
            return None
        ids = tokens[1::RECORD]
        whole = (
            not any(tokens[0::RECORD])
            and ids == tokens[RECORD - 1 :: RECORD]
            and all(map(_SHA.fullmatch, ids))
        )
        return (cls(tokens, min(records, max_commits)), records) if whole else None

    @property
    def newest_id(self) -> str:
        """The id of the first commit of the log (HEAD's), without making the Commits."""
        return self._tokens[1] if self._made is None else self._made[0].sha

    def identities_oldest_first(self) -> list[tuple[str, str]]:
        """(author, e-mail) of each commit, oldest first, as the Commits hold them (cut to NAME_WIDTH),
        without making the Commits."""
        if self._made is not None:
            return [(commit.author, commit.email) for commit in reversed(self._made)]
        end = RECORD * self._count
        authors = [author[:NAME_WIDTH] for author in self._tokens[3:end:RECORD]]
        emails = [email[:NAME_WIDTH] for email in self._tokens[4:end:RECORD]]
        return list(zip(reversed(authors), reversed(emails), strict=True))

    def _commits(self) -> list[Commit]:
        if self._made is None:
            tokens = self._tokens
            self._made = [
                _commit_of_record(*tokens[at + 1 : at + RECORD - 1])
                for at in range(0, RECORD * self._count, RECORD)
            ]
            self._tokens = []
        return self._made

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> Commit: ...

    @overload
    def __getitem__(self, index: slice) -> list[Commit]: ...

    def __getitem__(self, index: int | slice) -> Commit | list[Commit]:
        return self._commits()[index]

    def __iter__(self) -> Iterator[Commit]:
        return iter(self._commits())

    def __reversed__(self) -> Iterator[Commit]:
        return reversed(self._commits())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, CommitLog):
            return self._commits() == other._commits()
        return self._commits() == other if isinstance(other, list) else NotImplemented

    __hash__ = None  # type: ignore[assignment]  # as a list's

    def __repr__(self) -> str:
        return repr(self._commits())


def parse_files(output: bytes) -> dict[str, tuple[str, ...]]:
    """The files of each commit in `git log -z --name-only FILES_FORMAT` output, by commit id.

    A commit starts with an empty field and its id; git paths are never empty, so no file name (not even
    one spelled like a commit id) can start a commit. git puts a newline before the first path."""
    tokens = output.decode("utf-8", errors="replace").split("\x00")
    files: dict[str, list[str]] = {}
    current: list[str] | None = None
    first = False
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token == "":
            if index + 1 < len(tokens) and _SHA.fullmatch(tokens[index + 1]):
                current = files.setdefault(tokens[index + 1], [])
                first = True
                index += 2
                continue
        elif current is not None:
            if first and token.startswith("\n"):
                token = token[1:]
            first = False
            if token:
                current.append(token)
        index += 1
    return {sha: tuple(paths) for sha, paths in files.items()}


@dataclass(frozen=True)
class RefsRead:
    """What the git folder says in Python of the remotes (`gitdata.remote_urls`), None where that reader is
    not sure: git is asked then, when the history is read. Read ahead by `read_refs` while git lists the
    files (`Repo`). The branches are not: the wait is already full (the report is scanned meanwhile), and
    only a rule that finds no workflow publishing to GitHub Pages asks for them (`History.branches`)."""

    remotes: dict[str, str | None] | None


def read_refs(repository: gitsafe.GitRepository) -> RefsRead:
    """The remote URLs `gitdata` reads without git (see `RefsRead`)."""
    return RefsRead(gitdata.remote_urls(repository))


def read_branches(
    repository: gitsafe.GitRepository, timeout: float, names: list[str] | None = None
) -> list[str]:
    """The branches and remote-tracking branches (`refname:short`): `names` as `gitdata.branch_names` read
    them from the refs, or by `git for-each-ref` where that reader is not certain of the answer (None);
    none when git fails."""
    if names is not None:
        return names
    try:
        output = repository.run(
            *BRANCHES_COMMAND, timeout=timeout, max_output=MAX_LOG_BYTES, max_field=MAX_LOG_FIELD
        )
    except gitsafe.GitError:
        return []
    return [ref.strip() for ref in output.decode("utf-8", errors="replace").split("\x00") if ref.strip()]


def read_remotes(
    repository: gitsafe.GitRepository, timeout: float, urls: dict[str, str | None] | None = None
) -> dict[str, str]:
    """Remote name -> URL (credentials redacted): `urls` as `gitdata.remote_urls` read them from the
    config file, or by `git config` where that reader is not certain of the answer (None); none when git
    fails (status 1: no remote)."""
    if urls is not None:
        return {name: redact_url(url or "") for name, url in urls.items()}
    try:
        output = repository.run(
            *REMOTES_COMMAND, timeout=timeout, max_output=MAX_LOG_BYTES, max_field=MAX_LOG_FIELD
        )
    except gitsafe.GitError:
        return {}
    return parse_remotes(output)


def parse_remotes(output: bytes) -> dict[str, str]:
    """Remote name -> URL (credentials redacted) from `git config -z --get-regexp remote\\..*\\.url`."""
    remotes: dict[str, str] = {}
    for entry in output.decode("utf-8", errors="replace").split("\x00"):
        key, _, url = entry.partition("\n")
        if key.startswith("remote.") and key.endswith(".url"):
            remotes.setdefault(key[len("remote.") : -len(".url")], redact_url(url))
    return remotes
