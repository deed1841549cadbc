"""Verify a repository given by URL: clone it into a temporary directory, always removed afterwards.

git runs through `gitsafe` only (see there what the clone may use of the grader's environment)."""

from __future__ import annotations

import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from . import gitsafe
from .redact import redact_url

CLONE_TIMEOUT = 300
_SCP_LIKE = re.compile(r"^[\w.-]+@[\w.-]+:[\w./~-]+$")
_ALLOWED_SCHEMES = ("https://", "http://", "ssh://", "file://", "git://")


class RemoteError(ValueError):
    """The URL is refused or the clone failed; the message is one line."""


def is_remote(target: str) -> bool:
    """True for anything that looks like a URL or an option (and so must be cloned, or refused)."""
    return target.startswith("-") or "://" in target or "::" in target or bool(_SCP_LIKE.match(target))


def check_url(url: str) -> str:
    """The URL if it is an allowed clone source; RemoteError otherwise (option injection, ext::, ...)."""
    if url.startswith("-"):
        raise RemoteError(f"refusing a URL that starts with '-': {redact_url(url)!r}")
    if "::" in url.split("://")[0] or url.lower().startswith("ext:"):
        raise RemoteError(f"refusing a git transport helper URL: {redact_url(url)!r}")
    if url.lower().startswith(_ALLOWED_SCHEMES) or _SCP_LIKE.match(url):
        return url
    raise RemoteError(
        f"unsupported URL scheme (allowed: https, ssh, git@host:path, file): {redact_url(url)!r}"
    )


def check_ref(ref: str | None) -> str | None:
    if ref is not None and (ref.startswith("-") or not re.fullmatch(r"[\w./@{}^~+-]+", ref)):
        raise RemoteError(f"refusing the ref {ref!r}")
    return ref


@contextmanager
def cloned(url: str, ref: str | None = None, timeout: float = CLONE_TIMEOUT) -> Iterator[Path]:
    """Clone `url` (default branch with history, or `ref`) into a temporary directory and yield it.

    `timeout` bounds the clone and the checkout together: the git process group is killed when it is over.
    The clone alone uses the grader's git configuration and SSH agent (`gitsafe.clone_environment`); the
    checkout, and every later git command, runs with the isolated environment, so no filter or hook is run
    for the group's files. On every exit (an error, a time-out, KeyboardInterrupt or SystemExit raised by a
    signal handler) git's process group is killed and the temporary directory removed. RemoteError says why
    a clone failed in one line, with the URL's credentials redacted.
    """
    url, ref = check_url(url), check_ref(ref)
    workdir = Path(tempfile.mkdtemp(prefix="mlops-verifier-"))
    try:
        target = workdir / "repo"
        deadline = time.monotonic() + timeout
        try:
            gitsafe.clone(url, target, timeout=timeout)
            _check_out(target, ref, max(1.0, deadline - time.monotonic()))
        except gitsafe.GitError as error:
            raise RemoteError(f"git clone of {redact_url(url)} failed: {error.reason}") from None
        yield target
    finally:
        remove_folder(workdir)


def _check_out(target: Path, ref: str | None, timeout: float) -> None:
    """Check out `ref` (or the default branch) in the fresh clone `target`; an empty repository stays empty."""
    repository = gitsafe.locate(target)
    if repository is None:
        raise gitsafe.GitError("the clone has no .git folder")
    if ref:
        repository.run("checkout", "-q", ref, "--", timeout=timeout)
        return
    try:
        repository.run("checkout", "-q", timeout=timeout)
    except gitsafe.GitError:
        try:
            repository.run("rev-parse", "-q", "--verify", "HEAD", timeout=timeout)
        except gitsafe.GitError as unborn:
            if unborn.status == 1:
                return  # an empty repository: nothing to check out
        raise


def remove_folder(folder: Path) -> None:
    """Remove `folder`, retrying briefly while a killed git process may still be closing its files."""
    for _ in range(20):
        shutil.rmtree(folder, ignore_errors=True)
        if not folder.exists():
            return
        time.sleep(0.05)
