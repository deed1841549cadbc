"""Hostile git repositories (issue #14): git never runs a program the group chose, never reads outside the
verified repository, never hangs, never sees the grader's tokens, and no crafted commit forges the history.

Every hostile repository is built in tmp_path at test time. A "program" is a shell script that touches a
marker file: the marker must never appear. Cases that used to hang run in a thread with a bound, so a
regression fails instead of blocking the suite. The `build_*` functions are also used to measure each case
from the command line (see the report of the change that added this file).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from verifier import remote
from verifier.engine import Verification, verify
from verifier.repo import Repo

from conftest import GIT_ENV, git, git_init, write_tree

REPORT = """# Exam

## Overall project checklist

### Week 1

* [x] Create a git repository (M5)
* [x] Make sure that all team members have write access to the GitHub repository (M5)
* [x] Construct one or multiple docker files for your code (M10)

### Extra

* [x] Uploaded all your code to GitHub

## Group information
"""
BASE = {"reports/README.md": REPORT, "Dockerfile": "FROM python:3.12-slim\n", "src/app.py": "x = 1\n"}
BOUND = 20.0  # seconds: each case finishes in about one; a hang fails the test instead of blocking the suite
SECRET_AUTHOR, SECRET_SUBJECT, SECRET_REMOTE = "Secret Author", "SECRET-SUBJECT", "secret.example.org"
TOKEN = "s3cret-token"
POSIX_ONLY = pytest.mark.skipif(
    os.name != "posix", reason="named pipes, devices and process groups are POSIX"
)


# ----------------------------------------------------------------- helpers


def marker_of(base: Path) -> Path:
    return base / "program-ran"


def program(base: Path) -> Path:
    """A program that, if anything ever runs it, leaves the marker file."""
    script = base / "evil.sh"
    script.write_text(f"#!/bin/sh\ntouch '{marker_of(base)}'\n")
    script.chmod(0o755)
    return script


def group(root: Path, files: dict[str, str | bytes] | None = None) -> Path:
    """A small group repository with one commit."""
    root.mkdir(parents=True, exist_ok=True)
    return git_init(write_tree(root, {**BASE, **(files or {})}))


def git_stdin(cwd: Path, data: bytes, *args: str) -> str:
    env = {**os.environ, **GIT_ENV}
    return subprocess.run(
        ["git", *args], cwd=cwd, env=env, input=data, capture_output=True, check=True
    ).stdout.decode()


def bounded(function: Callable[[], Any], seconds: float = BOUND) -> tuple[Any, float]:
    """`function()` and its wall time; fails (instead of hanging) when it runs longer than `seconds`."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = function()
        except BaseException as error:  # re-raised in the test's thread
            outcome["error"] = error

    start = time.monotonic()
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still running after {seconds} s"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"], time.monotonic() - start


def verified(root: Path, **kwargs: Any) -> tuple[Verification, str]:
    """The verification of `root` (within BOUND) and its JSON text; the other items must still be verified."""
    result, _ = bounded(lambda: verify(root, **kwargs))
    verdicts = {item.rule: item.verdict for item in result.items}
    assert verdicts["m10.dockerfiles"] == "confirmed", "the other items must still be verified"
    return result, json.dumps(result.to_dict())


def item(result: Verification, rule: str) -> Any:
    return next(entry for entry in result.items if entry.rule == rule)


def secret_repository(path: Path) -> Path:
    """Another repository on the grader's disk, whose history and remote must never be reported."""
    group(path)
    (path / "other.py").write_text("y = 2\n")
    git(path, "add", "other.py")
    git(path, "commit", "-qm", SECRET_SUBJECT, author=(SECRET_AUTHOR, "secret@elsewhere.org"))
    git(path, "remote", "add", "origin", f"https://{SECRET_REMOTE}/other.git")
    return path


def assert_nothing_from(other: Path, text: str) -> None:
    head = git(other, "rev-parse", "HEAD").strip()
    for secret in (SECRET_AUTHOR, SECRET_SUBJECT, SECRET_REMOTE, head, head[:10]):
        assert secret not in text


def live_processes_naming(needle: str) -> list[str]:
    """Command lines of running processes that contain `needle` (read from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\x00", b" ").decode(errors="replace")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if needle in cmdline and state != "Z":
            found.append(cmdline)
    return found


# ----------------------------------------------------------------- builders (also used for measurements)


def build_fsmonitor(base: Path, way: str = "config") -> Path:
    """core.fsmonitor set in the config, in an included file inside or outside the repository, or in the
    config of a repository a `.git` file points to."""
    script, root = program(base), base / "group"
    if way == "gitfile":
        elsewhere = group(base / "elsewhere")
        git(elsewhere, "config", "core.fsmonitor", str(script))
        write_tree(root, BASE)
        (root / ".git").write_text("gitdir: ../elsewhere/.git\n")
        return root
    group(root)
    if way == "config":
        git(root, "config", "core.fsmonitor", str(script))
    else:
        included = root / ".git" / "extra.cfg" if way == "include-inside" else base / "extra.cfg"
        included.write_text(f"[core]\n\tfsmonitor = {script}\n")
        git(root, "config", "include.path", str(included))
    return root


def build_signature(base: Path) -> Path:
    """log.showSignature with every signing program set, and commits carrying PGP and SSH signatures."""
    script, root = program(base), group(base / "group")
    tree, parent = git(root, "write-tree").strip(), git(root, "rev-parse", "HEAD").strip()
    for kind in ("PGP", "SSH"):
        body = (
            f"tree {tree}\nparent {parent}\nauthor Ada Student <ada@example.org> 1700000000 +0000\n"
            f"committer Ada Student <ada@example.org> 1700000000 +0000\n"
            f"gpgsig -----BEGIN {kind} SIGNATURE-----\n \n iQEzBAABCAAdFiEE\n -----END {kind} SIGNATURE-----\n"
            f"\nsigned with {kind}\n"
        )
        parent = git_stdin(root, body.encode(), "hash-object", "-t", "commit", "-w", "--stdin").strip()
    git(root, "update-ref", "refs/heads/main", parent)
    git(root, "config", "log.showSignature", "true")
    for key in ("gpg.program", "gpg.openpgp.program", "gpg.ssh.program", "gpg.x509.program"):
        git(root, "config", key, str(script))
    return root


def build_every_program_key(base: Path) -> Path:
    """Every repository-config key that can make git run a program, a hooks folder with every hook, filter and
    textconv drivers used by .gitattributes, and a partial clone whose lazy fetch would run `uploadpack`."""
    script, root = program(base), base / "group"
    group(root, {".gitattributes": "* filter=evil diff=evil merge=evil\n"})
    hooks = root / ".git" / "evil-hooks"
    hooks.mkdir()
    hook_names = (
        "post-index-change post-checkout post-commit pre-commit pre-auto-gc reference-transaction "
        "fsmonitor-watchman post-rewrite pre-push push-to-checkout sendemail-validate"
    )
    for hook in hook_names.split(" "):
        shutil.copy(script, hooks / hook)
    keys = {
        "core.fsmonitor": str(script),
        "core.hooksPath": str(hooks),
        "core.pager": str(script),
        "pager.log": str(script),
        "pager.ls-files": str(script),
        "core.sshCommand": str(script),
        "core.askPass": str(script),
        "core.editor": str(script),
        "sequence.editor": str(script),
        "core.alternateRefsCommand": str(script),
        "core.gitProxy": str(script),
        "credential.helper": f"!{script}",
        "diff.external": str(script),
        "diff.evil.textconv": str(script),
        "diff.evil.command": str(script),
        "filter.evil.clean": str(script),
        "filter.evil.smudge": str(script),
        "filter.evil.process": str(script),
        "filter.evil.required": "true",
        "merge.evil.driver": str(script),
        "uploadpack.packObjectsHook": str(script),
        "log.showSignature": "true",
        "gpg.program": str(script),
        "core.untrackedCache": "true",
        "maintenance.auto": "true",
        "gc.auto": "1",
        "diff.orderFile": str(base / "order.fifo"),
    }
    for key, value in keys.items():
        git(root, "config", key, value)
    os.mkfifo(base / "order.fifo")
    # Racily clean entries make git compare contents (through the clean filter) if anything looks at them.
    for name in BASE:
        (root / name).write_text((root / name).read_text())
    # A promisor remote with a missing tree: a lazy fetch would run remote.origin.uploadpack.
    git(root, "config", "core.repositoryFormatVersion", "1")
    git(root, "config", "extensions.partialClone", "origin")
    git(root, "config", "remote.origin.url", str(base))
    git(root, "config", "remote.origin.promisor", "true")
    git(root, "config", "remote.origin.uploadpack", str(script))
    tree = git(root, "rev-parse", "HEAD^{tree}").strip()
    (root / ".git" / "objects" / tree[:2] / tree[2:]).unlink()
    return root


def build_outside(base: Path, way: str) -> Path:
    """A repository whose `.git` file, `.git` link, alternates or commondir reach the secret repository."""
    other, root = secret_repository(base / "other"), base / "group"
    if way == "alternates":
        git(base, "clone", "-q", "--shared", str(other), str(root))
        for name in list(root.joinpath(".git", "objects").iterdir()):
            if name.name not in ("info", "pack"):
                shutil.rmtree(name)
        return root
    write_tree(root, BASE)
    if way == "gitfile":
        (root / ".git").write_text("gitdir: ../other/.git\n")
    elif way == "symlink":
        os.symlink(other / ".git", root / ".git")
    else:  # a linked-worktree git folder inside the repository whose commondir leaves it
        linked = root / ".gitwt"
        linked.mkdir()
        (linked / "HEAD").write_text("ref: refs/heads/main\n")
        (linked / "commondir").write_text("../../other/.git\n")
        (linked / "gitdir").write_text(f"{root}/.git\n")
        (root / ".git").write_text("gitdir: .gitwt\n")
    return root


def build_fifo(base: Path, name: str) -> Path:
    """A named pipe at a file git reads when it starts (a read from it would block forever)."""
    root = group(base / "group")
    target = root / ".git" / name
    if target.exists():
        target.unlink()
    target.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(target)
    return root


def build_crafted_authors(base: Path) -> tuple[Path, str]:
    """Authors and subjects holding the old field and record separators, newlines and NULs, each trying to
    forge a commit (an id that does not exist) and an extra group member "Mallory Forged"."""
    root = group(base / "group")
    fake = "f" * 40
    forged = f"\x1e{fake}\x1f\x1fMallory Forged\x1fmallory@example.org\x1f2020-01-01T00:00:00+00:00\x1fforged"
    for number, name in enumerate((f"Eve{forged}", f"Eve\x1f{fake}\x1e", "Eve\x1e")):
        (root / "src" / "app.py").write_text(f"x = {number}\n")
        git(root, "commit", "-qam", f"change {number}{forged}", author=(name, "eve@example.org"))
    tree, parent = git(root, "write-tree").strip(), git(root, "rev-parse", "HEAD").strip()
    nul = f"\x00\x00{fake}\x00\x00Mallory Forged\x00mallory@example.org\x00x\x00forged\x00{fake}\x00"
    body = (
        f"tree {tree}\nparent {parent}\nauthor Eve{nul} <eve@example.org> 1700000000 +0000\n"
        f"committer Eve <eve@example.org> 1700000000 +0000\n\nsubject{nul}\nline two\n"
    ).encode()
    head = git_stdin(root, body, "hash-object", "--literally", "-t", "commit", "-w", "--stdin").strip()
    git(root, "update-ref", "refs/heads/main", head)
    return root, fake


def build_long_subjects(base: Path, commits: int = 30, megabytes: int = 20) -> Path:
    """Commits whose subjects are `megabytes` MB long (a one-line message)."""
    root = group(base / "group")
    message = base / "message.txt"
    message.write_bytes(b"s" * (megabytes * 1_000_000))
    for number in range(commits):
        (root / "src" / "app.py").write_text(f"x = {number}\n")
        git(root, "commit", "-qa", "-F", str(message))
    message.unlink()
    return root


def build_damaged(base: Path, way: str) -> Path:
    """A repository whose HEAD commit object is gone (a loose object deleted, or the only pack)."""
    root = group(base / "group")
    head = git(root, "rev-parse", "HEAD").strip()
    if way == "pack":
        git(root, "gc", "-q")
        for pack in (root / ".git" / "objects" / "pack").glob("*.pack"):
            pack.unlink()
    else:
        (root / ".git" / "objects" / head[:2] / head[2:]).unlink()
    return root


def build_credentials(base: Path) -> Path:
    root = group(base / "group")
    git(root, "remote", "add", "origin", f"https://student:{TOKEN}@github.com/org/repo.git")
    return root


# ----------------------------------------------------------------- 1, 2: no program of the group runs


@pytest.mark.parametrize("way", ["config", "include-inside", "include-outside", "gitfile"])
def test_core_fsmonitor_never_runs(tmp_path: Path, way: str) -> None:
    root = build_fsmonitor(tmp_path, way)
    result, _ = verified(root)
    verified(root, include_untracked=True)
    assert not marker_of(tmp_path).exists()
    m05 = item(result, "m05.git-repository")
    if way in ("config", "include-inside"):  # the history is still read
        assert m05.verdict == "confirmed"
    else:  # a file outside the repository would be read: the history is not
        assert m05.verdict == "unverifiable" and "outside the repository" in m05.message
        assert any("outside the repository" in warning for warning in result.warnings)


def test_signature_programs_never_run(tmp_path: Path) -> None:
    root = build_signature(tmp_path)
    result, _ = verified(root)
    assert not marker_of(tmp_path).exists()
    assert item(result, "m05.git-repository").verdict == "confirmed"
    history = Repo(root).history
    assert [c.subject for c in history.with_files()[:2]] == ["signed with SSH", "signed with PGP"]
    assert not marker_of(tmp_path).exists()


def test_no_config_key_hook_filter_or_lazy_fetch_runs_a_program(tmp_path: Path) -> None:
    root = build_every_program_key(tmp_path)
    result, _ = verified(root)
    verified(root, include_untracked=True)
    Repo(root).history.with_files()
    assert not marker_of(tmp_path).exists()
    assert item(result, "m05.git-repository").verdict in ("confirmed", "unverifiable")


# ----------------------------------------------------------------- 3: the grader's environment


def test_git_sees_no_token_of_the_grader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_git = shutil.which("git")
    bin_dir, dump = tmp_path / "bin", tmp_path / "environment.txt"
    bin_dir.mkdir()
    (bin_dir / "git").write_text(f'#!/bin/sh\nenv >> "{dump}"\necho ---- >> "{dump}"\nexec {real_git} "$@"\n')
    (bin_dir / "git").chmod(0o755)
    other = secret_repository(tmp_path / "other")
    root = group(tmp_path / "group")
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    for name in ("GITHUB_TOKEN", "AWS_SECRET_ACCESS_KEY", "GH_TOKEN", "CI_JOB_TOKEN"):
        monkeypatch.setenv(name, f"planted-{name}")
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))  # the grader's own git variables stay out too
    monkeypatch.setenv("GIT_CONFIG_PARAMETERS", "'core.fsmonitor'='/bin/false'")
    result, text = verified(root)
    seen = dump.read_text()
    assert item(result, "m05.git-repository").verdict == "confirmed"
    assert_nothing_from(other, text)  # (runs git with the test's own environment: after the dump was read)
    assert seen.count("----") >= 2, "every git process (the listing, the log) runs through PATH"
    assert "planted-" not in seen and str(other) not in seen and "GIT_CONFIG_PARAMETERS" not in seen
    assert f"HOME={Path.home()}\n" not in seen
    names = {line.split("=", 1)[0] for line in seen.splitlines() if "=" in line}
    assert names <= {
        "PATH", "LC_ALL", "HOME", "XDG_CONFIG_HOME", "GIT_CONFIG_NOSYSTEM", "GIT_CONFIG_GLOBAL",
        "GIT_TERMINAL_PROMPT", "GIT_OPTIONAL_LOCKS", "GIT_PAGER", "PAGER", "GIT_ATTR_NOSYSTEM",
        "GIT_NO_REPLACE_OBJECTS", "GIT_LFS_SKIP_SMUDGE", "GIT_NO_LAZY_FETCH", "GIT_CEILING_DIRECTORIES",
        "PWD", "SHLVL", "OLDPWD", "_",
    }  # fmt: skip
    # A clone uses the grader's git configuration (HOME) but no token either.
    dump.write_text("")
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(root), str(bare)], check=True, env=GIT_ENV)
    with remote.cloned(bare.as_uri(), timeout=30) as clone:
        assert (clone / "Dockerfile").is_file()
    seen = dump.read_text()
    assert "planted-" not in seen and f"HOME={Path.home()}\n" in seen


def test_a_clone_uses_the_graders_config_for_the_transfer_but_runs_no_filter_or_hook(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = program(tmp_path)
    root = group(tmp_path / "group", {".gitattributes": "* filter=evil\n"})
    bare = tmp_path / "remote.git"
    git(tmp_path, "clone", "-q", "--bare", str(root), str(bare))
    home, hooks = tmp_path / "home", tmp_path / "grader-hooks"
    home.mkdir()
    hooks.mkdir()
    shutil.copy(script, hooks / "post-checkout")
    (home / ".gitconfig").write_text(
        f'[url "{tmp_path.as_uri()}/"]\n\tinsteadOf = https://example.invalid/\n'
        f'[filter "evil"]\n\tsmudge = {script}\n\tclean = {script}\n\tprocess = {script}\n'
        f"[core]\n\thooksPath = {hooks}\n"
    )
    monkeypatch.setenv("HOME", str(home))
    for name in ("XDG_CONFIG_HOME", "GIT_CONFIG_GLOBAL", "GIT_CONFIG_NOSYSTEM"):
        monkeypatch.delenv(name, raising=False)
    # The URL only resolves through the grader's url.insteadOf: their configuration serves the transfer.
    with remote.cloned("https://example.invalid/remote.git", timeout=30) as clone:
        assert (clone / "Dockerfile").read_text() == BASE["Dockerfile"]
    assert not marker_of(tmp_path).exists()


# ----------------------------------------------------------------- 4: nothing outside the repository


@pytest.mark.parametrize("way", ["gitfile", "symlink", "alternates", "commondir"])
def test_nothing_outside_the_repository_is_read(tmp_path: Path, way: str) -> None:
    root = build_outside(tmp_path, way)
    result, text = verified(root)
    assert_nothing_from(tmp_path / "other", text)
    m05 = item(result, "m05.git-repository")
    assert m05.verdict == "unverifiable" and "outside the repository" in m05.message
    assert any("outside the repository; its history was not read" in w for w in result.warnings)
    assert item(result, "m05.write-access").verdict == "unverifiable"


def test_a_git_file_pointing_inside_the_repository_is_read(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "group", BASE)
    git(root, "init", "-q", "-b", "main", f"--separate-git-dir={root / '.realgit'}")
    assert (root / ".git").is_file()
    git(root, "add", "Dockerfile", "reports", "src")
    git(root, "commit", "-qm", "inside")
    result, _ = verified(root)
    assert item(result, "m05.git-repository").verdict == "confirmed"
    assert Repo(root).files == ("Dockerfile", "reports/README.md", "src/app.py")


def test_alternates_inside_the_repository_are_read(tmp_path: Path) -> None:
    source = group(tmp_path / "source")
    root = tmp_path / "group"
    git(tmp_path, "clone", "-q", "--shared", str(source), str(root))
    shutil.copytree(source / ".git" / "objects", root / "vendor" / "objects")
    (root / ".git" / "objects" / "info" / "alternates").write_text("../../vendor/objects\n")
    shutil.rmtree(source)
    result, _ = verified(root)
    assert item(result, "m05.git-repository").verdict == "confirmed"


@pytest.mark.parametrize(
    ("config", "paths"),
    [
        ("[include]\n\tpath = a.cfg\n", ["a.cfg"]),
        ('[includeIf "gitdir:~/x/"]\n  PATH = "/etc/b.cfg" ; comment\n', ["/etc/b.cfg"]),
        ("[include] path = c.cfg\n[core]\n\tpath = not-an-include\n", ["c.cfg"]),
        ("[include.sub]\npath=d\\\n.cfg\n", ["d.cfg"]),
        ('[includeIf "x] path = e.cfg"]\n', ["e.cfg]"]),
        ('[remote "origin"]\n\turl = https://h/r.git\n\tpath = x\n', []),
    ],
)  # fmt: skip
def test_include_paths_are_found_conservatively(config: str, paths: list[str]) -> None:
    from verifier.gitsafe import include_paths

    assert include_paths(config) == paths


def test_core_worktree_cannot_move_the_work_tree(tmp_path: Path) -> None:
    elsewhere = write_tree(
        tmp_path / "elsewhere", {"SECRET_NOTES.py": "token = 1\n", "Dockerfile": "FROM x\n"}
    )
    root = group(tmp_path / "group")
    git(root, "config", "core.worktree", str(elsewhere))
    repo = Repo(root, include_untracked=True)
    assert "SECRET_NOTES.py" not in repo.files and repo.files == (
        "Dockerfile",
        "reports/README.md",
        "src/app.py",
    )


# ----------------------------------------------------------------- 5: named pipes, devices, unbounded files

GIT_START_FILES = [
    "objects/info/alternates",
    "HEAD",
    "config",
    "packed-refs",
    "index",
    "shallow",
    "refs/heads/main",
    "info/exclude",
    "commondir",
]


@POSIX_ONLY
@pytest.mark.parametrize("name", GIT_START_FILES)
def test_a_named_pipe_git_would_read_is_refused_at_once(tmp_path: Path, name: str) -> None:
    root = build_fifo(tmp_path, name)
    result, _ = verified(root)
    warning = next(w for w in result.warnings if name in w)
    assert "named pipe" in warning and "its history was not read" in warning
    assert item(result, "m05.git-repository").verdict == "unverifiable"


@POSIX_ONLY
def test_a_named_pipe_as_a_loose_object_costs_one_timeout(tmp_path: Path) -> None:
    """Loose objects are not scanned (see gitsafe._scan): a pipe there is bounded by the time-out."""
    root = group(tmp_path / "group")
    head = git(root, "rev-parse", "HEAD").strip()
    loose = root / ".git" / "objects" / head[:2] / head[2:]
    loose.unlink()
    os.mkfifo(loose)

    def read() -> Repo:
        repo = Repo(root, git_timeout=1)
        assert repo.history is not None  # read the history inside the bound
        return repo

    repo, elapsed = bounded(read)
    assert elapsed < 6 and repo.files == ("Dockerfile", "reports/README.md", "src/app.py")
    assert not repo.history.available and "did not finish within 1 s" in repo.history.reason
    assert not live_processes_naming(str(root))


@POSIX_ONLY
def test_a_named_pipe_gitignore_in_a_folder_without_git_does_not_hang(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "group", {**BASE, "data/raw.csv": "a,b\n"})
    os.mkfifo(root / "data" / ".gitignore")
    result, elapsed = bounded(lambda: Repo(root))
    assert "data/raw.csv" in result.files and elapsed < 5
    assert any("data/.gitignore" in w and "not a regular file" in w for w in result.warnings)


@POSIX_ONLY
def test_a_gitignore_linked_to_a_device_reads_nothing(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "group", {**BASE, "notes.txt": "x\n"})
    os.symlink("/dev/zero", root / ".gitignore")
    tracemalloc.start()
    try:
        repo, _ = bounded(lambda: Repo(root))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "notes.txt" in repo.files and peak < 20_000_000
    assert any(".gitignore" in w and "link" in w for w in repo.warnings)


def test_a_large_gitignore_is_read_in_part(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "group", {**BASE, "big.log": "x\n"})
    with open(root / ".gitignore", "wb") as handle:
        handle.write(b"*.log\n")
        handle.truncate(3_000_000_000)  # sparse: no disk space
    tracemalloc.start()
    try:
        repo, _ = bounded(lambda: Repo(root))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "big.log" not in repo.files and peak < 50_000_000
    assert any(".gitignore" in w and "only its start" in w for w in repo.warnings)


@POSIX_ONLY
def test_a_named_pipe_gitignore_in_a_git_work_tree_costs_one_timeout(tmp_path: Path) -> None:
    root = group(tmp_path / "group")
    (root / "scratch").mkdir()
    (root / "scratch" / "notes.py").write_text("y = 1\n")
    os.mkfifo(root / "scratch" / ".gitignore")
    repo, elapsed = bounded(lambda: Repo(root, git_timeout=1))
    assert elapsed < 6 and repo.files == ("Dockerfile", "reports/README.md", "src/app.py")
    assert any("untracked" in w and "1 s" in w for w in repo.warnings)
    assert repo.history.commits and not live_processes_naming(str(root))


def test_a_huge_gitmodules_is_read_in_part(tmp_path: Path) -> None:
    root = group(tmp_path / "group", {".gitmodules": '[submodule "lib"]\n\tpath = lib\n'})
    with open(root / ".gitmodules", "r+b") as handle:
        handle.truncate(3_000_000_000)
    tracemalloc.start()
    try:
        repo, _ = bounded(lambda: Repo(root))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 50_000_000 and "Dockerfile" in repo.files


# ----------------------------------------------------------------- 6: the history parser


def test_crafted_authors_forge_no_commit_and_no_member(tmp_path: Path) -> None:
    root, fake = build_crafted_authors(tmp_path)
    history = Repo(root).history
    real = set(git(root, "rev-list", "HEAD").split())
    assert {commit.sha for commit in history.commits} <= real and len(history.commits) >= 4
    assert fake not in {sha for commit in history.commits for sha in (commit.sha, *commit.parents)}
    names = [name for author in history.authors() for name in author.names]
    assert "Mallory Forged" not in names and len(history.authors()) == 2
    assert history.head in real
    files = {commit.sha: commit.files for commit in history.with_files()}
    assert all(set(paths) <= {"src/app.py", "Dockerfile", "reports/README.md"} for paths in files.values())


def test_files_named_like_commit_ids_do_not_split_the_file_lists(tmp_path: Path) -> None:
    root = group(tmp_path / "group")
    first = git(root, "rev-parse", "HEAD").strip()
    write_tree(root, {first: "x\n", "\nnewline.py": "y\n", f"{first}\x1e.py": "z\n"})
    git(root, "add", "-A")
    git(root, "commit", "-qm", "named like a commit")
    history = Repo(root).history
    newest, oldest = history.with_files()
    assert set(newest.files) == {first, "\nnewline.py", f"{first}\x1e.py"}
    assert set(oldest.files) == set(BASE) and oldest.sha == first


def test_many_branches_and_a_long_remote_are_read_whole(tmp_path: Path) -> None:
    root = group(tmp_path / "group")
    names = [f"feature/{number:03d}-" + "x" * 40 for number in range(80)]  # far more than one log field
    for name in names:
        git(root, "branch", name)
    url = "https://github.com/org/" + "r" * 1500 + ".git"
    git(root, "remote", "add", "origin", url)
    history = Repo(root).history
    assert sorted(history.branches) == sorted([*names, "main"])
    assert history.remotes == {"origin": url}


def test_long_subjects_are_cut_and_the_history_stays_small(tmp_path: Path) -> None:
    root = build_long_subjects(tmp_path, commits=4, megabytes=20)
    tracemalloc.start()
    try:
        history, _ = bounded(lambda: Repo(root).history)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(history.commits) == 5 and peak < 20_000_000
    assert all(len(commit.subject) <= 1000 for commit in history.commits)
    assert history.commits[0].subject.startswith("ssss")


# ----------------------------------------------------------------- 7: clones end on time and leave nothing


class _Silent(socketserver.BaseRequestHandler):
    """Accepts a connection and never answers."""

    release = threading.Event()

    def handle(self) -> None:
        self.release.wait(60)


@pytest.fixture
def silent_server() -> Iterator[int]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Silent)
    server.daemon_threads = True
    _Silent.release.clear()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        _Silent.release.set()
        server.shutdown()
        server.server_close()


@pytest.fixture
def clone_dirs(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    made: list[Path] = []
    original = tempfile.mkdtemp

    def recording(*args: Any, **kwargs: Any) -> str:
        path = original(*args, **kwargs)
        made.append(Path(path))
        return path

    monkeypatch.setattr(remote.tempfile, "mkdtemp", recording)
    return made


@POSIX_ONLY
def test_a_clone_from_a_silent_server_ends_on_time_and_leaves_nothing(
    silent_server: int, clone_dirs: list[Path]
) -> None:
    url = f"http://127.0.0.1:{silent_server}/x.git"
    start = time.monotonic()
    with pytest.raises(remote.RemoteError, match=r"did not finish within 2 s"), remote.cloned(url, timeout=2):
        pass
    assert time.monotonic() - start < 4
    assert not live_processes_naming(f"127.0.0.1:{silent_server}")
    assert clone_dirs and not any(path.exists() for path in clone_dirs)


@POSIX_ONLY
def test_a_clone_interrupted_by_a_signal_leaves_nothing(silent_server: int, clone_dirs: list[Path]) -> None:
    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, 1.0)
    try:
        with (
            pytest.raises(KeyboardInterrupt),
            remote.cloned(f"http://127.0.0.1:{silent_server}/x.git", timeout=30),
        ):
            pass
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert not live_processes_naming(f"127.0.0.1:{silent_server}")
    assert clone_dirs and not any(path.exists() for path in clone_dirs)


@POSIX_ONLY
def test_kill_all_ends_every_running_git(silent_server: int, clone_dirs: list[Path]) -> None:
    from verifier import gitsafe

    def clone() -> None:
        with remote.cloned(f"http://127.0.0.1:{silent_server}/x.git", timeout=30):
            pass

    thread_error: list[BaseException] = []
    thread = threading.Thread(target=lambda: _capture(clone, thread_error), daemon=True)
    thread.start()
    deadline = time.monotonic() + 5
    # the clone is visible in /proc a moment before gitsafe has recorded it: wait for both
    while time.monotonic() < deadline and not (
        live_processes_naming(f"127.0.0.1:{silent_server}") and gitsafe._live
    ):
        time.sleep(0.05)
    assert gitsafe.kill_all() >= 1
    thread.join(5)
    assert not thread.is_alive() and isinstance(thread_error[0], remote.RemoteError)
    assert not live_processes_naming(f"127.0.0.1:{silent_server}")
    assert not any(path.exists() for path in clone_dirs)


def _capture(function: Callable[[], None], errors: list[BaseException]) -> None:
    try:
        function()
    except BaseException as error:
        errors.append(error)


def test_a_failed_clone_names_the_reason_and_no_credential(clone_dirs: list[Path]) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nothing listens there
    url = f"http://student:{TOKEN}@127.0.0.1:{port}/x.git"
    with pytest.raises(remote.RemoteError) as failure, remote.cloned(url, timeout=10):
        pass
    message = str(failure.value)
    assert "fatal:" in message and "\n" not in message
    assert TOKEN not in message and "***@127.0.0.1" in message
    assert not any(path.exists() for path in clone_dirs)


# ----------------------------------------------------------------- 8: diagnoses


@pytest.mark.parametrize("way", ["loose", "pack"])
def test_a_damaged_repository_is_not_read_as_one_without_commits(tmp_path: Path, way: str) -> None:
    root = build_damaged(tmp_path, way)
    head = git(root, "rev-parse", "HEAD").strip()
    result, _ = verified(root)
    m05 = item(result, "m05.git-repository")
    assert m05.verdict == "unverifiable"
    assert f"HEAD points to commit {head[:10]}" in m05.message and "damaged (missing objects)" in m05.message
    assert "no commits" not in m05.message


def test_an_empty_repository_has_no_commits(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "group", BASE)
    git(root, "init", "-q", "-b", "main")
    history = Repo(root).history
    assert history.available and history.reason == "the repository has no commits"


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to chown to another uid"
)
def test_a_repository_of_another_user_is_named_not_called_missing(tmp_path: Path) -> None:
    root = build_fsmonitor(tmp_path, "config")
    for folder, dirs, files in os.walk(root):
        for name in [*dirs, *files, "."]:
            os.lchown(os.path.join(folder, name), 12345, 12345)
    result, _ = verified(root)
    m05 = item(result, "m05.git-repository")
    assert m05.verdict == "unverifiable"
    assert "git refused to read it: dubious ownership (owned by another user)" in m05.message
    assert not marker_of(tmp_path).exists()


# ----------------------------------------------------------------- 9: credentials in URLs


def test_credentials_in_the_remote_are_redacted(tmp_path: Path) -> None:
    root = build_credentials(tmp_path)
    result, text = verified(root)
    assert TOKEN not in text and "student" not in text
    assert "https://***@github.com/org/repo.git" in item(result, "extra.code-on-github").message
    assert Repo(root).history.remotes == {"origin": "https://***@github.com/org/repo.git"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://user:tok@host/x.git", "https://***@host/x.git"),
        ("https://ghp_abc@github.com/o/r", "https://***@github.com/o/r"),
        ("fatal: unable to access 'http://u:p@10.0.0.1:8080/r/': refused", "fatal: unable to access 'http://***@10.0.0.1:8080/r/': refused"),
        ("a ssh://git@h/x and https://a:b@c/d?e@f", "a ssh://***@h/x and https://***@c/d?e@f"),
        ("https://u:p@ss@host/x", "https://***@host/x"),
        ("https://github.com/o/r.git", "https://github.com/o/r.git"),
        ("git@github.com:o/r.git mail me at ada@example.org", "git@github.com:o/r.git mail me at ada@example.org"),
        ("https://host/path@not-userinfo", "https://host/path@not-userinfo"),
    ],
)  # fmt: skip
def test_redact_url(text: str, expected: str) -> None:
    from verifier.redact import redact_url

    assert redact_url(text) == expected


def test_redact_url_is_linear() -> None:
    from verifier.redact import redact_url

    for text in ("a" * 200_000 + "://", "://" * 100_000, "x://" + "u" * 200_000, "x://" + "@" * 200_000):
        _, elapsed = bounded(lambda text=text: redact_url(text), 5)
        assert elapsed < 1


# ----------------------------------------------------------------- git started early, collected late


def with_hanging_object(root: Path) -> str:
    """The id of a blob whose loose object is a named pipe: `git cat-file -p` on it blocks until killed."""
    blob = git_stdin(root, b"hangs\n", "hash-object", "-w", "--stdin").strip()
    loose = root / ".git" / "objects" / blob[:2] / blob[2:]
    loose.unlink()
    os.mkfifo(loose)
    return blob


def wait_until(condition: Callable[[], Any], seconds: float = 5.0) -> None:
    end = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < end, "timed out waiting"
        time.sleep(0.02)


def test_started_commands_are_collected_when_asked_and_timed_from_then(tmp_path: Path) -> None:
    from verifier import gitsafe

    root = group(tmp_path / "group")
    repository = gitsafe.locate(root)
    assert repository is not None
    started = repository.start(("ls-files", "-z"), ("rev-parse", "HEAD"), timeout=0.5)
    time.sleep(1.0)  # longer than the time limit: it counts from when a result is asked for
    assert started.result(1) == git(root, "rev-parse", "HEAD").encode()
    assert started.results() == [repository.run("ls-files", "-z"), started.result(1)]
    assert not gitsafe._live


@POSIX_ONLY
def test_a_started_command_that_hangs_is_killed_on_time_or_when_dropped(tmp_path: Path) -> None:
    from verifier import gitsafe

    root = group(tmp_path / "group")
    blob = with_hanging_object(root)
    repository = gitsafe.locate(root)
    assert repository is not None
    started = repository.start(("rev-parse", "HEAD"), ("cat-file", "-p", blob), timeout=1)
    assert started.result(0).strip() == git(root, "rev-parse", "HEAD").strip().encode()
    failure, elapsed = bounded(lambda: started.result(1))
    assert isinstance(failure, gitsafe.GitTimeout) and "within 1 s" in failure.reason and elapsed < 5
    assert not live_processes_naming(blob) and not gitsafe._live
    never_asked = repository.start(("cat-file", "-p", blob), timeout=60)
    wait_until(lambda: live_processes_naming(blob))
    del never_asked  # dropped unread: its process group is killed at once
    assert not live_processes_naming(blob) and not gitsafe._live


def test_a_history_git_cannot_start_reads_the_same_started_early_or_late(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = group(tmp_path / "group")
    early, late = Repo(root), Repo(root)
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs-here"))
    early.start_history()
    assert not early.history.available and early.history.reason == late.history.reason
    assert "git could not be started" in late.history.reason
    assert early.warnings == late.warnings


@POSIX_ONLY
def test_a_forked_process_leaves_the_git_its_parent_started_alone(tmp_path: Path) -> None:
    from verifier import gitsafe

    root = group(tmp_path / "group")
    blob = with_hanging_object(root)
    repository = gitsafe.locate(root)
    assert repository is not None
    started = repository.start(("cat-file", "-p", blob), timeout=60)
    wait_until(lambda: live_processes_naming(blob))
    child = os.fork()
    if child == 0:  # pragma: no cover - the child
        started.close()
        os._exit(0)
    os.waitpid(child, 0)
    assert live_processes_naming(blob), "a forked worker must not kill what its parent started"
    started.close()
    assert not live_processes_naming(blob) and not gitsafe._live


@POSIX_ONLY
def test_the_history_started_early_reads_as_when_read_late_and_dies_with_its_repo(tmp_path: Path) -> None:
    from verifier import gitsafe

    root = group(tmp_path / "group")
    git(root, "remote", "add", "origin", "https://example.org/group/repo.git")
    late = Repo(root).history
    repo = Repo(root)
    repo.start_history()
    assert len(gitsafe._live) == 1, "the log started before anyone asks (branches, remotes: read in Python)"
    assert (
        repo.history == late
        and late.available
        and late.remotes == {"origin": "https://example.org/group/repo.git"}
    )
    head = git(root, "rev-parse", "HEAD").strip()
    loose = root / ".git" / "objects" / head[:2] / head[2:]
    loose.unlink()
    os.mkfifo(loose)  # git log now blocks
    unread = Repo(root, git_timeout=60)
    unread.start_history()
    wait_until(lambda: live_processes_naming(" log "))
    del unread  # never asked for its history: the git it started is killed with it
    assert not live_processes_naming(str(root / ".git")) and not gitsafe._live
    slow = Repo(root, git_timeout=1)
    slow.start_history()
    time.sleep(1.5)
    history, elapsed = bounded(lambda: slow.history)
    assert "did not finish within 1 s" in history.reason and elapsed < 5


def test_the_untracked_and_deleted_listings_are_stopped_where_not_needed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from verifier import filelist, gitsafe

    root = group(tmp_path / "group")
    (root / "notes.txt").write_text("not committed\n")
    (root / "src" / "app.py").unlink()
    assert any(w.startswith("1 untracked file(s) were not checked") for w in Repo(root).warnings)
    assert "src/app.py" not in Repo(root).files  # deleted: not listed
    monkeypatch.setattr(filelist, "LARGE_REPOSITORY", 2)  # three tracked files: "large"
    large = Repo(root)
    assert not any("untracked" in w for w in large.warnings) and "src/app.py" in large.files
    assert not gitsafe._live


# ----------------------------------------------------------------- gitsafe itself


def test_gitsafe_caps_the_output_and_names_the_reason(tmp_path: Path) -> None:
    from verifier import gitsafe

    root = group(tmp_path / "group")
    assert gitsafe.run(root, "rev-parse", "HEAD").strip() == git(root, "rev-parse", "HEAD").strip().encode()
    with pytest.raises(gitsafe.GitError, match="more than 10 bytes"):
        gitsafe.run(root, "ls-files", "-z", max_output=10)
    repository = gitsafe.locate(root)
    assert repository is not None
    assert repository.run("ls-files", "-z", max_field=3) == b"Doc\x00rep\x00src\x00"
    with pytest.raises(gitsafe.GitError) as failure:
        gitsafe.run(root, "cat-file", "-e", "0" * 40)
    assert failure.value.reason and "\n" not in failure.value.reason
    with pytest.raises(gitsafe.GitError, match="not a git repository"):
        gitsafe.run(write_tree(tmp_path / "plain", BASE), "log")


def test_only_gitsafe_starts_processes_and_gitpython_is_never_imported(tmp_path: Path) -> None:
    package = Path(__file__).resolve().parent.parent / "verifier"
    starters = {
        path.name
        for path in package.glob("*.py")
        if any(word in path.read_text() for word in ("import subprocess", "import git\n", "from git "))
    }
    assert starters <= {
        "gitsafe.py",
        "coverage_check.py",
    }  # coverage_check.py: the opt-in coverage run, not git
    root = group(tmp_path / "group")
    code = (
        "import sys, verifier, verifier.cli, verifier.remote\n"
        f"verifier.verify({str(root)!r}).to_dict()\n"
        "assert 'git' not in sys.modules, 'GitPython runs `git version` with the whole environment on import'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, timeout=60)
