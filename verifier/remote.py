"""Verify a repository given by URL: clone it into a temporary directory, always removed afterwards."""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

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
        raise RemoteError(f"refusing a URL that starts with '-': {url!r}")
    if "::" in url.split("://")[0] or url.lower().startswith("ext:"):
        raise RemoteError(f"refusing a git transport helper URL: {url!r}")
    if url.lower().startswith(_ALLOWED_SCHEMES) or _SCP_LIKE.match(url):
        return url
    raise RemoteError(f"unsupported URL scheme (allowed: https, ssh, git@host:path, file): {url!r}")


def check_ref(ref: str | None) -> str | None:
    if ref is not None and (ref.startswith("-") or not re.fullmatch(r"[\w./@{}^~+-]+", ref)):
        raise RemoteError(f"refusing the ref {ref!r}")
    return ref


@contextmanager
def cloned(url: str, ref: str | None = None, timeout: int = CLONE_TIMEOUT) -> Iterator[Path]:
    """Clone `url` (default branch with history, or `ref`) into a temporary directory and yield it."""
    import git

    url, ref = check_url(url), check_ref(ref)
    workdir = Path(tempfile.mkdtemp(prefix="mlops-verifier-"))
    target = workdir / "repo"
    try:
        try:
            repo = git.Repo.clone_from(
                url,
                target,
                multi_options=["--no-recurse-submodules"],
                allow_unsafe_protocols=False,
                allow_unsafe_options=False,
                kill_after_timeout=timeout,
                env={"GIT_TERMINAL_PROMPT": "0", "GIT_LFS_SKIP_SMUDGE": "1"},
            )
            if ref:
                repo.git.checkout(ref, "--")
        except git.GitCommandError as error:
            raise RemoteError(f"git clone of {url} failed: {_git_reason(error)}") from None
        yield target
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _git_reason(error: Exception) -> str:
    """The line of git's error output that says what went wrong ("fatal: repository ... not found"), not
    GitPython's quoting around it."""
    text = str(getattr(error, "stderr", "") or error)
    lines = [line.strip().strip("'\"").strip() for line in text.splitlines()]
    lines = [line.removeprefix("stderr:").strip() for line in lines if line.strip("'\" ")]
    useful = [line for line in lines if re.match(r"(fatal|error|remote):", line, re.IGNORECASE)]
    return (useful or lines or ["unknown error"])[-1]
