"""The only place in the package that starts git. A student repository is hostile input: git reading it must
never run a program the group chose, read a file outside the repository, block on a named pipe, hang, see
the grader's environment (tokens), or write unbounded output into the verifier's memory.

How each is ensured:

- `locate(root)` validates the repository before git ever sees it. `.git` is a folder inside `root`, or a
  `gitdir:` file or a link that resolves inside `root` (and so does a linked worktree's `commondir`);
  `objects/info/alternates` names only folders inside `root`; `include.path` / `includeIf.*.path` in the
  config name only files inside `root`; nothing in the git folder is a named pipe, socket or device or a link
  that leaves `root` (loose-object files aside, see `_scan`); and the folders belong to the user running the verifier (git's own "dubious ownership"
  rule, which git skips when it is given `--git-dir`, so it is applied here). A refusal is one line, for
  example "the .git file points outside the repository; its history was not read".
- Every command gets `--git-dir` and `--work-tree` explicitly (`core.worktree` cannot move the work tree;
  no parent repository is ever discovered) and `-c` overrides, which win over the repository's config and
  its includes, for every key that makes a read command run a program or read a file elsewhere
  (`READ_OVERRIDES`). Filter, textconv and merge drivers cannot be overridden per name; the commands the
  package runs (ls-files, ls-tree, log --name-only, for-each-ref, rev-parse, cat-file -e, config
  --no-includes, and checkout in a fresh clone, where no driver is configured) never run them. Keep it so.
- Every read command runs with `isolated_environment()`: built from nothing, never from `os.environ` (PATH,
  an empty temporary HOME, no system or global config, no prompts, no pager, no replace objects, no LFS
  smudge, no lazy fetch). A clone alone may use the grader's git configuration and SSH agent:
  `clone_environment()` passes exactly the variables in `CLONE_PASSED_ENVIRONMENT`, no tokens.
- Every process runs in its own session (its own process group), with a timeout after which the whole group
  is killed, and an output cap above which it is killed too. `kill_all()` kills every group still running;
  the CLI's SIGTERM handler calls it before the process exits.
"""

from __future__ import annotations

import atexit
import contextlib
import errno
import os
import re
import selectors
import shutil
import signal
import stat
import subprocess
import threading
import time
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from tempfile import mkdtemp
from typing import IO

from .redact import redact_url

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

READ_TIMEOUT = 60.0  # seconds for one read command (a listing of 100,000 files takes well under one)
MAX_OUTPUT = 256_000_000  # bytes of standard output kept from one command
PIPE_WHILE_WORKING = 1 << 20  # bytes a command started to run while the caller works may write unread
MAX_ERROR_OUTPUT = 64_000  # the end of standard error, where git's last "fatal:" line is
MAX_CONFIG_BYTES = 1_000_000
MAX_SMALL_FILE = 64_000  # a .git file, HEAD, commondir, alternates
MAX_INCLUDE_DEPTH = 10  # git's own limit
MAX_ALTERNATE_DEPTH = 5  # git's own limit
DUBIOUS_OWNERSHIP = "git refused to read it: dubious ownership (owned by another user)"
NOT_READ = "its history was not read"
NO_GIT = "not a git repository (no .git at its root)"
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)  # 0 on Windows: links are found with lstat there
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_LOOSE_FOLDER = re.compile(r"[0-9a-f]{2}")
_SECTION_NAME_END = re.compile(r'[\s".]')  # a section header's name ends at a blank, a quote or a dot
# The grader's own variables a clone may need: where their git configuration and credential store are
# (HOME), their SSH agent and SSH command, proxies and certificate bundles, and what Windows needs to
# start a program. Tokens (GITHUB_TOKEN, GH_TOKEN, AWS_*, ...) and the grader's GIT_* variables are not
# passed: a credential helper that reads a token from the environment must keep it in its own store.
CLONE_PASSED_ENVIRONMENT = (
    "HOME",
    "USER",
    "LOGNAME",
    "XDG_CONFIG_HOME",
    "XDG_RUNTIME_DIR",
    "DBUS_SESSION_BUS_ADDRESS",
    "SSH_AUTH_SOCK",
    "GIT_SSH",
    "GIT_SSH_COMMAND",
    "GIT_SSH_VARIANT",
    "GIT_CONFIG_GLOBAL",
    "GIT_CONFIG_SYSTEM",
    "GIT_CONFIG_NOSYSTEM",
    "GIT_SSL_CAINFO",
    "GIT_SSL_CAPATH",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "http_proxy",
    "https_proxy",
    "no_proxy",
    "all_proxy",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "ALL_PROXY",
    "TMPDIR",
    "SYSTEMROOT",
    "USERPROFILE",
    "APPDATA",
    "LOCALAPPDATA",
    "HOMEDRIVE",
    "HOMEPATH",
    "TEMP",
    "TMP",
)


class GitError(Exception):
    """git failed, or was not started. `reason` is one line a user can act on (git's last `fatal:` or
    `error:` line, or why the repository was refused); `status` is git's exit status when it ran."""

    def __init__(self, reason: str, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


class GitRefused(GitError):
    """The repository belongs to another user ("dubious ownership"): its config is not trusted."""


class GitTimeout(GitError):
    """git did not finish in time; its whole process group was killed."""


class UnsafeRepository(GitError):
    """The repository's git files would make git read outside the repository or block: git was not started."""


class NotRegularFile(OSError):
    """A path that is a link, named pipe, socket, device or folder where a regular file was expected."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


# ----------------------------------------------------------------- reading files safely


def read_regular(path: str | Path, limit: int) -> bytes | None:
    """The first `limit` + 1 bytes of the regular file `path` (one more tells a longer file); None when it
    does not exist. A final link is not followed and a named pipe is never waited on: NotRegularFile says
    what the path is instead."""
    if not _O_NOFOLLOW and os.path.islink(path):
        raise NotRegularFile("a symbolic link")
    try:
        descriptor = os.open(path, os.O_RDONLY | _O_NOFOLLOW | _O_NONBLOCK)
    except FileNotFoundError:
        return None
    except OSError as error:
        if error.errno in (errno.ELOOP, errno.EMLINK):
            raise NotRegularFile("a symbolic link") from None
        if error.errno in (errno.ENXIO, errno.EISDIR):  # a socket; a folder on some systems
            raise NotRegularFile(_kind(os.lstat(path).st_mode)) from None
        raise
    with os.fdopen(descriptor, "rb") as handle:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegularFile(_kind(mode))
        return handle.read(limit + 1)


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    return "not a regular file"


# ----------------------------------------------------------------- validating a repository


@dataclass(frozen=True)
class GitRepository:
    """A validated repository: the work tree `root`, its git folder and its common folder (the same folder
    except in a linked worktree). Build it with `locate`; run git in it with `run` or `run_all`."""

    root: Path
    git_dir: Path
    common_dir: Path

    def argv(self, args: Sequence[str]) -> list[str]:
        """The whole command line of read command `args` (global options and overrides first)."""
        return [
            "git",
            "--no-pager",
            f"--git-dir={self.git_dir}",
            f"--work-tree={self.root}",
            *read_overrides(),
            *args,
        ]

    def run(
        self,
        *args: str,
        timeout: float = READ_TIMEOUT,
        max_output: int = MAX_OUTPUT,
        max_field: int | None = None,
    ) -> bytes:
        """Standard output of `git args`; GitError (GitTimeout, GitRefused) when it fails. With `max_field`,
        every NUL-separated field of the output is cut to that many bytes as it is read (so one huge field
        costs no memory and counts no more than `max_field` against `max_output`)."""
        result = self.run_all(args, timeout=timeout, max_output=max_output, max_field=max_field)[0]
        if isinstance(result, GitError):
            raise result
        return result

    def run_all(
        self,
        *commands: Sequence[str],
        timeout: float = READ_TIMEOUT,
        max_output: int = MAX_OUTPUT,
        max_field: int | None = None,
    ) -> list[bytes | GitError]:
        """The output of each command, or its GitError, all run side by side within one `timeout`."""
        return _run_side_by_side(
            [self.argv(command) for command in commands],
            isolated_environment(self.root),
            self.root,
            timeout,
            _Limits(max_output, max_field),
        )

    def start(
        self,
        *commands: Sequence[str],
        timeout: float = READ_TIMEOUT,
        max_output: int = MAX_OUTPUT,
        max_field: int | None = None,
        stream: Callable[[bytes], None] | None = None,
    ) -> Started:
        """Start read commands side by side now and collect each when it is needed (`Started`), so git runs
        while the caller works. GitError when git cannot be started.

        With `stream` (one command only), the standard output goes to `stream` piece by piece as it is read,
        within the same output cap, and is not kept (its result is b""): the caller can work on a long
        output while git is still writing it."""
        if stream is not None and len(commands) != 1:
            raise ValueError("stream reads the output of one command")
        return Started(
            [self.argv(command) for command in commands],
            isolated_environment(self.root),
            self.root,
            timeout,
            _Limits(max_output, max_field),
            pipe_bytes=PIPE_WHILE_WORKING,
            stream=stream,
        )

    def head_branch(self) -> str | None:
        """The branch HEAD names (None when HEAD is detached or unreadable), read without starting git."""
        try:
            data = read_regular(self.git_dir / "HEAD", MAX_SMALL_FILE) or b""
        except OSError:
            return None
        text = data.decode("utf-8", errors="replace").strip()
        return text.removeprefix("ref: refs/heads/") if text.startswith("ref: refs/heads/") else None

    @property
    def shallow(self) -> bool:
        return (self.common_dir / "shallow").exists() or (self.git_dir / "shallow").exists()


def locate(root: str | Path) -> GitRepository | None:
    """The validated repository whose work tree is `root`; None when `root` has no `.git`.

    Raises UnsafeRepository when git would read outside `root` or block (see the module docstring), and
    GitRefused when the repository belongs to another user. Nothing of git is started.
    """
    root = Path(root).resolve()
    dot_git = root / ".git"
    try:
        info = os.lstat(dot_git)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise GitError(f".git: unreadable ({error.strerror}); {NOT_READ}") from None
    if stat.S_ISDIR(info.st_mode):
        git_dir = dot_git
    elif stat.S_ISLNK(info.st_mode):
        git_dir = _inside(root, dot_git, "the .git link points outside the repository")
    elif stat.S_ISREG(info.st_mode):
        git_dir = _inside(root, root / _gitdir_line(dot_git), "the .git file points outside the repository")
    else:
        raise UnsafeRepository(f".git is {_kind(info.st_mode)}; {NOT_READ}")
    if not git_dir.is_dir():
        raise GitError(f".git points to a git folder that does not exist; {NOT_READ}")
    if git_dir == root:
        raise UnsafeRepository(f"the .git file names the repository itself as its git folder; {NOT_READ}")
    common_dir = git_dir
    commondir_file = git_dir / "commondir"
    text = _small_text(root, commondir_file)
    if text is not None:
        common_dir = _inside(
            root, git_dir / text.strip(), f"{_shown(root, commondir_file)} points outside the repository"
        )
    _check_owner(root, dot_git, git_dir, common_dir)
    scanned: set[str] = set()
    for folder in (git_dir, common_dir):
        _scan(root, folder, scanned)
    _check_alternates(root, common_dir / "objects", scanned, 0)
    for config in (common_dir / "config", git_dir / "config.worktree"):
        _check_includes(root, config, 0)
    return GitRepository(root, git_dir, common_dir)


def _gitdir_line(dot_git: Path) -> str:
    data = read_regular(dot_git, MAX_SMALL_FILE) or b""
    text = data[:MAX_SMALL_FILE].decode("utf-8", errors="replace")
    first = text.splitlines()[0] if text.strip() else ""
    if not first.startswith("gitdir:"):
        raise GitError(f"the .git file does not name a git folder (no 'gitdir:' line); {NOT_READ}")
    return first.removeprefix("gitdir:").strip()


def _inside(root: Path, path: Path, refusal: str) -> Path:
    """`path` with every link resolved, when that stays inside `root`; UnsafeRepository otherwise."""
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError):
        raise UnsafeRepository(f"{refusal}; {NOT_READ}") from None
    if resolved != root and root not in resolved.parents:
        raise UnsafeRepository(f"{refusal}; {NOT_READ}")
    return resolved


def _shown(root: Path, path: Path) -> str:
    """`path` relative to the repository, as a user finds it (".git/objects/info/alternates")."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.name


def _small_text(root: Path, path: Path) -> str | None:
    """The text of a small git file (commondir, alternates); None when absent. A file git would block on or
    read outside the repository is refused."""
    try:
        data = read_regular(path, MAX_SMALL_FILE)
    except NotRegularFile as error:
        if error.kind == "a symbolic link":
            target = _inside(root, path, f"{_shown(root, path)} points outside the repository")
            return _small_text(root, target)
        raise UnsafeRepository(
            f"{_shown(root, path)} is {error.kind}, not a file git may read; {NOT_READ}"
        ) from None
    except OSError as error:
        raise GitError(f"{_shown(root, path)}: unreadable ({error.strerror}); {NOT_READ}") from None
    if data is None:
        return None
    if len(data) > MAX_SMALL_FILE:
        raise UnsafeRepository(f"{_shown(root, path)} is larger than {MAX_SMALL_FILE // 1000} kB; {NOT_READ}")
    return data.decode("utf-8", errors="replace")


def _check_owner(*paths: Path) -> None:
    """git's rule: a repository that belongs to another user is not read (its config could run programs)."""
    if not hasattr(os, "geteuid"):
        return
    allowed = {os.geteuid()}
    if os.geteuid() == 0 and os.environ.get("SUDO_UID", "").isdigit():
        allowed.add(int(os.environ["SUDO_UID"]))
    for path in paths:
        try:
            owner = os.lstat(path).st_uid
        except OSError:
            continue
        if owner not in allowed:
            raise GitRefused(DUBIOUS_OWNERSHIP)


def _scan(root: Path, folder: Path, scanned: set[str]) -> None:
    """Refuse a git folder holding a named pipe, socket or device, or a link that leaves the repository.

    One `scandir` per folder (the type of each entry comes with it); linked folders inside the repository
    are scanned too, each once (`scanned` holds the folders' paths as strings: a git folder has a dozen
    folders, and path objects for each of their entries cost more than the scan). The files inside
    loose-object folders (`objects/ab/`) are not: listing 50,000 of them costs 25 ms, and what they could
    do is bounded. git reads one only when a commit or tree names it; a named pipe there costs one
    time-out, and a link out could only serve an object whose id the group knows and that lies loose (not
    packed, as in every clone) at a known place on the grader's disk. The folders themselves are checked
    like everything else.
    """
    pending = [str(folder)]
    while pending:
        current = pending.pop()
        if current in scanned:
            continue
        scanned.add(current)
        try:
            with os.scandir(current) as listing:
                entries = list(listing)
        except OSError:
            continue  # git reports an unreadable folder itself
        in_objects = os.path.basename(current) == "objects"
        for entry in entries:
            if entry.is_file(follow_symlinks=False):
                continue
            if entry.is_dir(follow_symlinks=False):
                if not (in_objects and _LOOSE_FOLDER.fullmatch(entry.name)):
                    pending.append(entry.path)
            elif entry.is_symlink():
                shown = _shown(root, Path(entry.path))
                target = _inside(
                    root, Path(entry.path), f"{shown} is a link that points outside the repository"
                )
                try:
                    mode = os.stat(target).st_mode
                except OSError:
                    continue  # a dangling link: git reports it
                if stat.S_ISDIR(mode):
                    pending.append(str(target))
                elif not stat.S_ISREG(mode):
                    raise UnsafeRepository(
                        f"{shown} links to {_kind(mode)}, not a file git may read; {NOT_READ}"
                    )
            else:
                mode = entry.stat(follow_symlinks=False).st_mode
                shown = _shown(root, Path(entry.path))
                raise UnsafeRepository(f"{shown} is {_kind(mode)}, not a file git may read; {NOT_READ}")


def _check_alternates(root: Path, objects: Path, scanned: set[str], depth: int) -> None:
    """Every folder `objects/info/alternates` names (and theirs, to git's depth) lies inside the repository."""
    alternates = objects / "info" / "alternates"
    text = _small_text(root, alternates)
    if text is None or depth >= MAX_ALTERNATE_DEPTH:
        return
    refusal = f"{_shown(root, alternates)} names a folder outside the repository"
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith('"'):  # a quoted path: refused rather than parsed
            raise UnsafeRepository(f"{refusal}; {NOT_READ}")
        folder = _inside(root, objects / line, refusal)
        if folder.is_dir() and str(folder) not in scanned:
            _scan(root, folder, scanned)
            _check_alternates(root, folder, scanned, depth + 1)


def _check_includes(root: Path, config: Path, depth: int) -> None:
    """Every file `include.path` / `includeIf.*.path` names in `config` lies inside the repository (and so
    do theirs). The config is scanned conservatively: anything that might be an include path counts."""
    shown = _shown(root, config)
    try:
        data = read_regular(config, MAX_CONFIG_BYTES)
    except NotRegularFile as error:
        if error.kind != "a symbolic link":
            raise UnsafeRepository(f"{shown} is {error.kind}, not a file git may read; {NOT_READ}") from None
        data = read_regular(_inside(root, config, f"{shown} points outside the repository"), MAX_CONFIG_BYTES)
    except OSError:
        return  # git reports an unreadable config itself
    if data is None:
        return
    if len(data) > MAX_CONFIG_BYTES:
        raise UnsafeRepository(f"{shown} is larger than {MAX_CONFIG_BYTES // 1_000_000} MB; {NOT_READ}")
    for value in include_paths(data.decode("utf-8", errors="replace")):
        refusal = f"{shown} includes a file outside the repository (include.path)"
        if not value or value.startswith("~"):
            raise UnsafeRepository(f"{refusal}; {NOT_READ}")
        included = _inside(root, config.parent / value, refusal)
        if depth + 1 >= MAX_INCLUDE_DEPTH:
            raise UnsafeRepository(f"{shown}: includes nest deeper than {MAX_INCLUDE_DEPTH}; {NOT_READ}")
        _check_includes(root, included, depth + 1)


def include_paths(text: str) -> list[str]:
    """The values of every `path` key in an `[include]` or `[includeIf "..."]` section of git config `text`.

    Conservative: a section whose name starts with "include" counts whatever its subsection, a header's
    quoted part may hide a key (`[includeIf "x] path = y"]` counts "y"), and continued lines are joined.
    """
    found = []
    section = ""
    for line in text.replace("\\\r\n", "").replace("\\\n", "").splitlines():
        rest = line.strip()
        if rest.startswith("["):
            end = rest.find("]")
            header = rest[1:end] if end != -1 else rest[1:]
            section = _SECTION_NAME_END.split(header.strip() + " ", maxsplit=1)[0].lower()
            rest = rest[end + 1 :].strip() if end != -1 else ""
        if not rest or rest[0] in "#;":
            continue
        key, equals, value = rest.partition("=")
        if equals and section.startswith("include") and key.strip().lower() == "path":
            found.append(_config_value(value))
    return found


def _config_value(raw: str) -> str:
    """A git config value: surrounding blanks and inline comments dropped, quotes and escapes resolved."""
    value: list[str] = []
    quoted = escaped = False
    for character in raw.strip():
        if escaped:
            value.append({"n": "\n", "t": "\t", "b": "\b"}.get(character, character))
            escaped = False
        elif character == "\\":
            escaped = True
        elif character == '"':
            quoted = not quoted
        elif character in "#;" and not quoted:
            break
        else:
            value.append(character)
    return "".join(value).strip()


# ----------------------------------------------------------------- environment and overrides


_scratch_folder: Path | None = None


def _scratch() -> Path:
    """A private, empty temporary folder (HOME and hooks folder of every read command), removed at exit."""
    global _scratch_folder
    if _scratch_folder is None or not (_scratch_folder / "hooks").is_dir():
        folder = Path(mkdtemp(prefix="mlops-verifier-git-"))
        (folder / "home").mkdir()
        (folder / "hooks").mkdir()
        atexit.register(shutil.rmtree, folder, True)
        _scratch_folder = folder
    return _scratch_folder


def isolated_environment(root: Path | None = None) -> dict[str, str]:
    """The whole environment of a read command, built from nothing (no token or GIT_* variable of the grader
    reaches git): PATH, LC_ALL=C, an empty HOME, no system or global config, no prompt, no pager, no replace
    objects, no LFS smudge, no lazy fetch of a partial clone, and no discovery above `root`."""
    home = str(_scratch() / "home")
    environment = {
        "PATH": os.environ.get("PATH") or os.defpath,
        "LC_ALL": "C",
        "HOME": home,
        "XDG_CONFIG_HOME": home,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_OPTIONAL_LOCKS": "0",
        "GIT_PAGER": "cat",
        "PAGER": "cat",
        "GIT_ATTR_NOSYSTEM": "1",
        "GIT_NO_REPLACE_OBJECTS": "1",
        "GIT_LFS_SKIP_SMUDGE": "1",
        "GIT_NO_LAZY_FETCH": "1",
    }
    if root is not None:
        environment["GIT_CEILING_DIRECTORIES"] = str(root.parent)
    if os.name == "nt" and "SYSTEMROOT" in os.environ:
        environment["SYSTEMROOT"] = os.environ["SYSTEMROOT"]
    return environment


def clone_environment() -> dict[str, str]:
    """The environment of `git clone`: the grader's variables in CLONE_PASSED_ENVIRONMENT (their git
    configuration, credential store and SSH agent), PATH, and no prompt, no LFS smudge, LC_ALL=C."""
    environment = {name: os.environ[name] for name in CLONE_PASSED_ENVIRONMENT if name in os.environ}
    environment.update(
        PATH=os.environ.get("PATH") or os.defpath,
        LC_ALL="C",
        GIT_TERMINAL_PROMPT="0",
        GIT_LFS_SKIP_SMUDGE="1",
    )
    return environment


def read_overrides() -> list[str]:
    """`-c key=value` for every config key that could make a read command run a program, read a file
    outside the repository or reach the network (command-line config wins over the repository's)."""
    scratch = _scratch()
    nothing = str(scratch / "no-such-program")  # in a private folder: nobody can create it
    overrides = {
        "core.fsmonitor": "false",
        "core.hooksPath": str(scratch / "hooks"),
        "core.pager": "cat",
        "log.showSignature": "false",
        "gpg.program": nothing,
        "gpg.openpgp.program": nothing,
        "gpg.x509.program": nothing,
        "gpg.ssh.program": nothing,
        "diff.external": "",
        "core.sshCommand": "",
        "core.askPass": "",
        "credential.helper": "",
        "core.editor": nothing,
        "sequence.editor": nothing,
        "uploadpack.packObjectsHook": "",
        "core.alternateRefsCommand": "",
        "protocol.allow": "never",
        "protocol.ext.allow": "never",
        "core.untrackedCache": "false",
        "maintenance.auto": "false",
        "gc.auto": "0",
        "safe.bareRepository": "explicit",
        "core.excludesFile": os.devnull,
        "core.attributesFile": os.devnull,
        "diff.orderFile": os.devnull,
        "log.mailmap": "false",
        "mailmap.file": os.devnull,
        "mailmap.blob": "",
        "i18n.logOutputEncoding": "UTF-8",
        "log.showRoot": "true",
        "diff.renames": "false",
        "submodule.recurse": "false",
    }
    return [argument for key, value in overrides.items() for argument in ("-c", f"{key}={value}")]


def clone_overrides() -> list[str]:
    """`-c` overrides of a clone: no transport helper, no submodule, no hook, no fsmonitor."""
    overrides = {
        "protocol.ext.allow": "never",
        "protocol.fd.allow": "never",
        "submodule.recurse": "false",
        "core.hooksPath": str(_scratch() / "hooks"),
        "core.fsmonitor": "false",
    }
    return [argument for key, value in overrides.items() for argument in ("-c", f"{key}={value}")]


# ----------------------------------------------------------------- running git


_live: dict[int, subprocess.Popen[bytes]] = {}


def kill_all() -> int:
    """Kill the process group of every git started here that is still running; the number killed.

    Takes no lock, so a signal handler may call it (the CLI's SIGTERM handler does, before it exits); the
    call that started each process then returns a GitError, or the exception the handler raises."""
    killed = 0
    for process in list(_live.values()):
        if process.returncode is None:
            _kill(process)
            killed += 1
    return killed


def _kill(process: subprocess.Popen[bytes]) -> None:
    """Kill `process` and everything it started (its process group: it runs in its own session)."""
    if os.name == "posix":
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
    else:  # pragma: no cover - Windows: the process only
        with contextlib.suppress(OSError):
            process.kill()


@dataclass(frozen=True)
class _Limits:
    max_output: int
    max_field: int | None = None


class _Sink:
    """What is kept of one pipe: at most `limit` bytes, the start (standard output, where more is an error
    and `on_overflow` is called once) or the end (standard error). With `max_field`, each NUL-separated
    field is cut to that many bytes as it arrives. With `stream`, each piece within the limit is handed to
    it as it arrives instead of being kept."""

    def __init__(
        self,
        limit: int,
        keep_end: bool,
        on_overflow: Callable[[], None],
        max_field: int | None = None,
        stream: Callable[[bytes], None] | None = None,
    ) -> None:
        self.limit, self.keep_end, self.on_overflow, self.max_field = limit, keep_end, on_overflow, max_field
        self.stream = stream
        self.field_length = 0  # bytes of the current field read so far (kept or not)
        self.chunks: list[bytes] = []
        self.size = 0
        self.overflow = False
        self.ended = False

    def feed(self, chunk: bytes) -> None:
        if self.overflow:
            return
        if self.max_field is not None:
            chunk = self._cut_fields(chunk, self.max_field)
        self.size += len(chunk)
        if self.stream is not None and self.size <= self.limit:
            self.stream(chunk)
            return
        self.chunks.append(chunk)
        if self.size > self.limit:
            if self.keep_end:
                kept = b"".join(self.chunks)[-self.limit :]
                self.chunks, self.size = [kept], len(kept)
            else:
                self.overflow = True
                self.chunks = []
                self.on_overflow()

    def _cut_fields(self, chunk: bytes, max_field: int) -> bytes:
        pieces = chunk.split(b"\x00")
        if self.field_length + len(pieces[0]) <= max_field and max(map(len, pieces)) <= max_field:
            # No field is too long (a log's usual chunk): the chunk is kept as it is, told in C, not piece
            # by piece below.
            self.field_length = len(pieces[-1]) if len(pieces) > 1 else self.field_length + len(chunk)
            return chunk
        kept = []
        for number, piece in enumerate(pieces):
            if number:
                self.field_length = 0
            room = max_field - self.field_length
            kept.append(piece[: max(room, 0)] if len(piece) > room else piece)
            self.field_length += len(piece)
        return b"\x00".join(kept)

    def output(self) -> bytes:
        return b"".join(self.chunks)


@dataclass
class _Running:
    process: subprocess.Popen[bytes]
    out: _Sink
    err: _Sink
    label: str

    def pipes(self) -> list[tuple[IO[bytes], _Sink]]:
        assert self.process.stdout is not None and self.process.stderr is not None
        return [(self.process.stdout, self.out), (self.process.stderr, self.err)]


def _start(
    argv: list[str],
    environment: dict[str, str],
    cwd: Path,
    limits: _Limits,
    stream: Callable[[bytes], None] | None = None,
) -> _Running:
    options: dict[str, object] = {}
    if os.name == "posix":
        options["start_new_session"] = True
    else:  # pragma: no cover
        options["creationflags"] = subprocess.CREATE_NEW_PROCESS_GROUP  # type: ignore[attr-defined]
    process = subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=environment,
        cwd=cwd,
        **options,  # type: ignore[call-overload]
    )
    _live[process.pid] = process
    out = _Sink(limits.max_output, False, lambda: _kill(process), limits.max_field, stream)
    err = _Sink(MAX_ERROR_OUTPUT, True, lambda: None)
    label = next((arg for arg in argv[1:] if not arg.startswith("-") and "=" not in arg), "command")
    return _Running(process, out, err, label)


def _widen_pipe(running: _Running, size: int) -> None:
    """Let the standard output pipe of `running` hold up to `size` bytes where the system allows it (Linux),
    so that git can write its whole output (a log of a thousand commits is ~250 kB) and end while the caller
    works, instead of waiting, with a full 64 kB pipe, to be read. A refusal (over the system's or the user's
    pipe limit) leaves the pipe as it was."""
    set_size = getattr(fcntl, "F_SETPIPE_SZ", None) if fcntl is not None else None
    if set_size is not None and running.process.stdout is not None:
        with contextlib.suppress(OSError):
            fcntl.fcntl(running.process.stdout.fileno(), set_size, size)


def _pump(pipes: list[tuple[IO[bytes], _Sink]], deadline: float, wanted: list[_Sink] | None = None) -> None:
    """Read every pipe into its sink until all have ended (or, with `wanted`, those sinks have) or `deadline`
    passes (one thread, no polling)."""
    pipes = [(stream, sink) for stream, sink in pipes if not sink.ended]
    if os.name != "posix":  # pragma: no cover - Windows cannot select on pipes
        _pump_with_threads([pipe for pipe in pipes if wanted is None or pipe[1] in wanted], deadline)
        return
    with selectors.DefaultSelector() as selector:
        for stream, sink in pipes:
            selector.register(stream, selectors.EVENT_READ, sink)
        while selector.get_map() and not (wanted is not None and all(sink.ended for sink in wanted)):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            for key, _ in selector.select(remaining):
                chunk = os.read(key.fd, 1 << 16)
                if chunk:
                    key.data.feed(chunk)
                else:
                    key.data.ended = True
                    selector.unregister(key.fileobj)


def _pump_with_threads(pipes: list[tuple[IO[bytes], _Sink]], deadline: float) -> None:  # pragma: no cover
    def drain(stream: IO[bytes], sink: _Sink) -> None:
        while chunk := stream.read1(1 << 16):  # type: ignore[attr-defined]
            sink.feed(chunk)
        sink.ended = True

    threads = [threading.Thread(target=drain, args=pipe, daemon=True) for pipe in pipes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))


def _exited(process: subprocess.Popen[bytes], timeout: float) -> bool:
    """Whether `process` exits within `timeout` seconds (reaped then). Waits on a pidfd where Linux has
    one: Popen.wait with a timeout polls with sleeps, which would add milliseconds to every command."""
    pidfd_open = getattr(os, "pidfd_open", None)
    if pidfd_open is not None and process.returncode is None:
        try:
            descriptor = pidfd_open(process.pid)
        except OSError:
            descriptor = None
        if descriptor is not None:
            try:
                with selectors.DefaultSelector() as selector:
                    selector.register(descriptor, selectors.EVENT_READ)
                    if not selector.select(timeout):
                        return False
            finally:
                os.close(descriptor)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        return False
    return True


def _finish(running: _Running, timeout: float, max_output: int) -> bytes | GitError:
    """The result of `running` once its pipes were read: a process whose output has not ended by now, or
    that does not exit at once, has run out of time and its process group is killed."""
    process = running.process
    timed_out = not (running.out.ended and running.err.ended) or not _exited(process, 1.0)
    if timed_out:
        _kill(process)
        process.wait()
        return GitTimeout(f"git {running.label} did not finish within {timeout:g} s")
    if running.out.overflow:
        return GitError(f"git {running.label} wrote more than {max_output} bytes; it was stopped")
    if process.returncode != 0:
        return _failure(running.err.output(), process.returncode, running.label)
    return running.out.output()


def _failure(stderr: bytes, status: int, label: str) -> GitError:
    """git's reason as one line: its last `fatal:`/`error:` line, credentials in URLs redacted."""
    lines = [
        re.sub(r"[\x00-\x1f\x7f]+", " ", line).strip()
        for line in stderr.decode("utf-8", errors="replace").splitlines()
    ]
    lines = [line for line in lines if line]
    if any("dubious ownership" in line for line in lines):
        return GitRefused(DUBIOUS_OWNERSHIP, status)
    useful = [line for line in lines if re.match(r"(fatal|error|remote):", line, re.IGNORECASE)]
    reason = (useful or lines or [f"git {label} exited with status {status}"])[-1]
    return GitError(redact_url(reason[:300]), status)


def _run_side_by_side(
    argvs: list[list[str]], environment: dict[str, str], cwd: Path, timeout: float, limits: _Limits
) -> list[bytes | GitError]:
    """Start every command, read their output side by side within `timeout`, and return each result.
    On any exit (an error, KeyboardInterrupt or SystemExit raised by a signal handler) every process group
    still running is killed and every pipe closed."""
    with Started(argvs, environment, cwd, timeout, limits) as started:
        return started.results()


def _release(running: list[_Running], owner: int) -> None:
    """Kill the process group of each command of `running` still alive, reap it and close its pipes. In a
    process forked after they were started (`owner` is another process id) they are not its children: they
    are left to the process that started them."""
    if os.getpid() != owner:
        return
    for each in running:
        if each.process.returncode is None:
            _kill(each.process)
            each.process.wait()
        _live.pop(each.process.pid, None)
        for stream, _ in each.pipes():
            stream.close()
    running.clear()


class Started:
    """Read commands started side by side, each collected when first asked for (`result`, `results`).

    git runs while the caller works, and what every command may do is bounded as for `run`: its own
    session, killed with its whole group when it overruns, the output cap, the isolated environment. The
    time limit counts from when a result is asked for (a command whose output fills the pipe waits for its
    reader and cannot finish earlier): git then has `timeout` seconds to end. A command never asked for is
    killed when the batch is closed: `close()`, the end of a `with` block, or the batch being dropped;
    `kill_all` ends it too.
    """

    def __init__(
        self,
        argvs: list[list[str]],
        environment: dict[str, str],
        cwd: Path,
        timeout: float,
        limits: _Limits,
        *,
        pipe_bytes: int | None = None,
        stream: Callable[[bytes], None] | None = None,
    ) -> None:
        self.timeout, self.limits = timeout, limits
        self._running: list[_Running] = []
        self._pending: dict[int, _Running] = {}
        self._results: dict[int, bytes | GitError] = {}
        self._close = weakref.finalize(self, _release, self._running, os.getpid())
        try:
            for index, argv in enumerate(argvs):
                try:
                    self._pending[index] = _start(argv, environment, cwd, limits, stream)
                except OSError as error:
                    raise GitError(f"git could not be started ({error.strerror or error})") from None
                self._running.append(self._pending[index])
                if pipe_bytes is not None:
                    _widen_pipe(self._pending[index], pipe_bytes)
        except BaseException:
            self.close()
            raise

    def __len__(self) -> int:
        return len(self._pending) + len(self._results)

    def result(self, index: int, *, timeout: float | None = None) -> bytes | GitError:
        """The output of command `index`, or its GitError; read now if it was not yet (see the class), within
        `timeout` seconds (default: the batch's)."""
        return self.results(index, timeout=timeout)[0]

    def results(self, *indexes: int, timeout: float | None = None) -> list[bytes | GitError]:
        """The output or GitError of each command of `indexes` (default: all, in the order they were
        given), those not read yet read side by side within `timeout` seconds (default: the batch's)."""
        wanted = list(indexes) if indexes else list(range(len(self)))
        self._collect(wanted, self.timeout if timeout is None else timeout)
        return [self._results[index] for index in wanted]

    def close(self) -> None:
        """Kill every command not collected yet (with its process group) and close every pipe."""
        self._close()

    def __enter__(self) -> Started:
        return self

    def __exit__(self, *exception: object) -> None:
        self.close()

    def _collect(self, indexes: list[int], timeout: float) -> None:
        indexes = [index for index in indexes if index in self._pending]
        wanted = [self._pending[index] for index in indexes]
        if not wanted:
            return
        try:
            # The other commands' pipes are read too, so none of them waits on a full pipe meanwhile.
            pipes = [pipe for each in self._pending.values() for pipe in each.pipes()]
            _pump(
                pipes,
                time.monotonic() + timeout,
                [sink for each in wanted for sink in (each.out, each.err)],
            )
            for index in indexes:
                each = self._pending.pop(index)
                self._results[index] = _finish(each, timeout, self.limits.max_output)
                _release([each], os.getpid())
                self._running.remove(each)
        except BaseException:
            self.close()
            raise


def run(root: str | Path, *args: str, timeout: float = READ_TIMEOUT, max_output: int = MAX_OUTPUT) -> bytes:
    """Standard output of read command `git args` in the repository at `root`, validated first.

    Raises GitError with one line: UnsafeRepository or GitRefused before git starts, GitTimeout when git
    did not finish within `timeout` seconds, and a plain GitError for git's own failure or for more than
    `max_output` bytes of output (the process group is killed in every case)."""
    repository = locate(root)
    if repository is None:
        raise GitError(NO_GIT)
    return repository.run(*args, timeout=timeout, max_output=max_output)


def clone(url: str, target: Path, *, timeout: float) -> None:
    """`git clone --no-checkout` of `url` into `target` (which must not exist) within `timeout` seconds.

    The only command that runs with the grader's git configuration (`clone_environment`): it reads no file
    of the group. Check the work tree out afterwards with a read-environment command (`GitRepository.run`).
    The URL must have been checked by the caller (remote.check_url); `--` keeps it from being an option."""
    argv = [
        "git",
        "--no-pager",
        *clone_overrides(),
        "clone",
        "--no-checkout",
        "--no-recurse-submodules",
        "--quiet",
        "--",
        url,
        str(target),
    ]
    result = _run_side_by_side([argv], clone_environment(), target.parent, timeout, _Limits(MAX_OUTPUT))[0]
    if isinstance(result, GitError):
        raise result


def fetch(repository: GitRepository, *, timeout: float) -> None:
    """`git fetch --prune origin` in `repository`, a clone this package made (a cache entry), within
    `timeout` seconds: the update of a kept clone instead of a new one.

    Like `clone`, it runs with the grader's git configuration (`clone_environment`, for the credentials of
    the transfer) and `clone_overrides`: no submodule, hook or transport helper. The repository's own
    config is the one `clone` wrote, never one a group committed (a clone transfers objects and refs only);
    callers pass a repository validated by `locate`."""
    argv = [
        "git",
        "--no-pager",
        f"--git-dir={repository.git_dir}",
        *clone_overrides(),
        "fetch",
        "--prune",
        "--quiet",
        "--no-recurse-submodules",
        "origin",
    ]
    result = _run_side_by_side([argv], clone_environment(), repository.root, timeout, _Limits(MAX_OUTPUT))[0]
    if isinstance(result, GitError):
        raise result


def clone_local(source: GitRepository, target: Path, *, timeout: float) -> None:
    """`git clone --no-checkout` of the validated local repository `source` into `target` (which must not
    exist) within `timeout` seconds: a private copy to check an older commit out in, so the group's folder
    is never written to.

    Unlike `clone` it runs with the isolated environment and every read override (no grader config, no
    program of the group's config); the file protocol, which the read overrides forbid, is allowed for this
    one command. Objects are hard-linked where the file system allows it."""
    argv = [
        "git",
        "--no-pager",
        *read_overrides(),
        "-c",
        "protocol.file.allow=always",
        "clone",
        "--no-checkout",
        "--no-recurse-submodules",
        "--quiet",
        "--",
        str(source.git_dir),
        str(target),
    ]
    result = _run_side_by_side(
        [argv], isolated_environment(source.root), target.parent, timeout, _Limits(MAX_OUTPUT)
    )[0]
    if isinstance(result, GitError):
        raise result
