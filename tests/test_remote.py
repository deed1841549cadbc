"""Verifying a repository by URL: cloned to a temporary directory, always removed; unsafe URLs refused."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

from verifier import remote
from verifier.cli import main

from conftest import git, git_init, write_tree

REPORT = """# Exam

## Overall project checklist

### Week 1

* [{tick}] Create a git repository (M5)
* [x] Construct one or multiple docker files for your code (M10)

## Group information
"""


@pytest.fixture
def bare_remote(tmp_path: Path) -> Path:
    work = git_init(
        write_tree(
            tmp_path / "work",
            {"reports/README.md": REPORT.format(tick="x"), "Dockerfile": "FROM python:3.12\n"},
        )
    )
    git(work, "tag", "v1")
    git(work, "checkout", "-q", "-b", "unticked")
    (work / "reports" / "README.md").write_text(REPORT.format(tick=" "))
    git(work, "commit", "-q", "-am", "untick")
    git(work, "checkout", "-q", "main")
    bare = tmp_path / "remote.git"
    git(tmp_path, "clone", "-q", "--bare", str(work), str(bare))
    return bare


class RecordingTempfile:
    """`tempfile` as remote.py sees it, writing every folder `mkdtemp` makes to a log file (the clone runs
    in a worker process, so a list in this process would not see it)."""

    def __init__(self, log: Path) -> None:
        self.log = log

    def __getattr__(self, name: str) -> object:
        return getattr(tempfile, name)

    def mkdtemp(self, *args: object, **kwargs: object) -> str:
        path = tempfile.mkdtemp(*args, **kwargs)  # type: ignore[call-overload]
        with self.log.open("a", encoding="utf-8") as handle:
            handle.write(path + "\n")
        return path


@pytest.fixture
def clone_dirs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[[], list[Path]]:
    """A function giving the temporary folders remote.py made for clones so far."""
    log = tmp_path / "clone-dirs.log"
    log.touch()
    monkeypatch.setattr(remote, "tempfile", RecordingTempfile(log))
    return lambda: [Path(line) for line in log.read_text(encoding="utf-8").splitlines()]


def test_file_url_is_cloned_verified_and_removed(
    bare_remote: Path,
    clone_dirs: Callable[[], list[Path]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "out.json"
    url = bare_remote.as_uri()
    assert main([url, "-f", "json", "-o", str(out)]) == 0
    data = json.loads(out.read_text())
    assert data["repo"] == url and len(data["commit"]) == 40
    verdicts = {item["rule"]: item["verdict"] for item in data["items"]}
    assert verdicts == {"m05.git-repository": "confirmed", "m10.dockerfiles": "confirmed"}
    assert clone_dirs() and not any(path.exists() for path in clone_dirs())


def test_ref_picks_a_branch(bare_remote: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    assert main([bare_remote.as_uri(), "--ref", "unticked", "-f", "json", "-o", str(out)]) == 0
    git_item = next(i for i in json.loads(out.read_text())["items"] if i["rule"] == "m05.git-repository")
    assert git_item["verdict"] == "unclaimed"


@pytest.mark.parametrize(
    "url",
    [
        "--upload-pack=touch /tmp/mlops-verifier-pwned",
        "ext::sh -c touch% /tmp/mlops-verifier-pwned",
        "ftp://example.org/r.git",
    ],
)
def test_unsafe_urls_are_refused_with_one_line(
    url: str, capsys: pytest.CaptureFixture[str], clone_dirs: Callable[[], list[Path]]
) -> None:
    assert main([url]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and ("refus" in err[0] or "unsupported" in err[0])
    assert not Path("/tmp/mlops-verifier-pwned").exists() and clone_dirs() == []


def test_failed_clone_is_one_line_and_cleans_up(
    tmp_path: Path, clone_dirs: Callable[[], list[Path]], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([(tmp_path / "nowhere.git").as_uri()]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "git clone of" in err[0]
    assert "fatal:" in err[0] and not err[0].rstrip().endswith("'")  # git's reason, not a stray quote
    assert clone_dirs() and not any(path.exists() for path in clone_dirs())


def test_bad_ref_is_refused() -> None:
    with pytest.raises(remote.RemoteError, match="refusing the ref"):
        remote.check_ref("--output=/tmp/x")
